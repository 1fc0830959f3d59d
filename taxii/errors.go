package taxii

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/blocsec/bloc"
)

// errorMessage is the TAXII 2.1 error message resource. http_status is a
// string, as the specification defines it.
type errorMessage struct {
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	ErrorID     string         `json:"error_id,omitempty"`
	ErrorCode   string         `json:"error_code,omitempty"`
	HTTPStatus  string         `json:"http_status"`
	Details     map[string]any `json:"details,omitempty"`
}

// fail writes err as a TAXII error message. Internal errors are logged with
// an id the client is shown, never with their text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := bloc.ErrorCode(err)
	status := bloc.HTTPStatus(err) // the domain's one mapping
	msg := errorMessage{
		Title:       http.StatusText(status),
		Description: bloc.ErrorMessage(err),
		ErrorCode:   code,
		HTTPStatus:  strconv.Itoa(status),
	}
	if e, ok := err.(*bloc.Error); ok && len(e.Details) > 0 {
		msg.Description = e.Message
		msg.Details = map[string]any{"problems": e.Details}
	}
	if status == http.StatusInternalServerError {
		msg.ErrorID = newErrorID()
		msg.Description = "internal error: the server could not complete the request; quote error_id " + msg.ErrorID + " to its operator"
		s.log.ErrorContext(r.Context(), "taxii request failed", slog.String("error_id", msg.ErrorID),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="bloc", charset="UTF-8"`)
	}
	s.writeError(w, status, msg)
}

func (s *Server) writeError(w http.ResponseWriter, status int, msg errorMessage) {
	b, _ := json.Marshal(msg)
	w.Header().Set("Content-Type", MediaTypeTAXII)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func newErrorID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
