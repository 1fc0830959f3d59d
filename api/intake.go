package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/intake"
	"github.com/blocsec/bloc/intakesvc"
)

// routeIntake registers the intake endpoints: the registrar takes articles
// in and reviews the proposals (registrar token, as for other writes).
func (h *Handler) routeIntake() {
	h.mux.HandleFunc("POST /api/v1/intake", h.wrap(h.registrarOnly(h.intakeArticle)))
	h.mux.HandleFunc("GET /api/v1/intake/proposals", h.wrap(h.registrarOnly(h.intakeProposals)))
	h.mux.HandleFunc("GET /api/v1/intake/proposals/{id}", h.wrap(h.registrarOnly(h.intakeProposal)))
	h.mux.HandleFunc("GET /api/v1/intake/articles/{id}", h.wrap(h.registrarOnly(h.intakeArticleView)))
	h.mux.HandleFunc("POST /api/v1/intake/proposals/{id}/accept", h.wrap(h.registrarOnly(h.acceptProposal)))
	h.mux.HandleFunc("POST /api/v1/intake/proposals/{id}/reject", h.wrap(h.registrarOnly(h.rejectProposal)))
}

// intakeService is the intake service over the handler's store, which must
// keep intake results (the sqlite store does).
func (h *Handler) intakeService() (*intakesvc.Service, error) {
	s, ok := h.store.(intakesvc.Store)
	if !ok {
		return nil, errors.New("api: the store does not keep intake results")
	}
	return intakesvc.New(s, h.reg), nil
}

// intakeBody is the JSON form of POST /api/v1/intake; the same fields are
// query parameters when the body is the article itself.
type intakeBody struct {
	Text        string    `json:"text"`
	Published   bloc.Date `json:"published,omitzero"`
	SourceTitle string    `json:"source_title"`
	Publisher   string    `json:"publisher"`
	URL         string    `json:"url"`
	Collection  string    `json:"collection"`
}

// intakeArticle takes an article in: a text/plain or text/html body with
// options in the query, or a JSON body. Objects stored in a collection are
// produced by the registrar's own agency. 201 for a new article, 200 for
// one taken in before.
func (h *Handler) intakeArticle(w http.ResponseWriter, r *http.Request, cred auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	var body intakeBody
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if err := h.decode(w, r, &body); err != nil {
			return err
		}
	case "text/plain", "text/html":
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return bloc.Errorf(bloc.ETOOLARGE, "request body over %d bytes", h.maxBody)
			}
			return bloc.Errorf(bloc.EINVALID, "request body: %v", err)
		}
		q := r.URL.Query()
		body = intakeBody{Text: string(raw), SourceTitle: q.Get("source_title"), Publisher: q.Get("publisher"),
			URL: q.Get("url"), Collection: q.Get("collection")}
		if body.Published, err = dateParam(r, "published", bloc.Date{}); err != nil {
			return err
		}
	default:
		return bloc.Errorf(bloc.EUNSUPPORTED, "Content-Type %q: send the article as text/plain or text/html, or JSON {\"text\": …}", r.Header.Get("Content-Type"))
	}
	opt := intakesvc.Options{Options: intake.Options{Published: body.Published, SourceTitle: body.SourceTitle,
		Publisher: body.Publisher, URL: body.URL}}
	if body.Collection != "" {
		opt.Collection, opt.Agency = body.Collection, cred.Agency.ID
	}
	res, err := svc.Intake(r.Context(), []byte(body.Text), opt)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, res)
}

func (h *Handler) intakeProposals(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	st := bloc.ProposalStatus(r.URL.Query().Get("status"))
	if st != "" && !st.Valid() {
		return bloc.Errorf(bloc.EINVALID, "query parameter status: %q is not pending, accepted or rejected", st)
	}
	ps, err := svc.List(r.Context(), st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"proposals": ps})
}

func (h *Handler) intakeProposal(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	p, err := svc.Proposal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (h *Handler) intakeArticleView(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !intakesvc.IsArticleID(id) {
		id = "art-" + id
	}
	a, err := svc.Article(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// decodeOptional is decode for a body that may be empty (no edits, no note).
func (h *Handler) decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return bloc.Errorf(bloc.ETOOLARGE, "request body over %d bytes", h.maxBody)
		}
		return bloc.Errorf(bloc.EINVALID, "request body: %v", err)
	}
	if strings.TrimSpace(string(raw)) == "" {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return bloc.Errorf(bloc.EUNSUPPORTED, "Content-Type %q: send application/json", ct)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bloc.Errorf(bloc.EINVALID, "request body: %v", err)
	}
	return nil
}

// acceptProposal records the proposal's event, with the edits in the body
// ({"bloc","party","kind","date","new_name","note"}, all optional),
// recorded by the registrar's agency.
func (h *Handler) acceptProposal(w http.ResponseWriter, r *http.Request, cred auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	var ed intakesvc.Edits
	if err := h.decodeOptional(w, r, &ed); err != nil {
		return err
	}
	acc, err := svc.Accept(r.Context(), r.PathValue("id"), ed, cred.Agency.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, acc)
}

type rejectBody struct {
	Note string `json:"note"`
}

func (h *Handler) rejectProposal(w http.ResponseWriter, r *http.Request, cred auth.Credential) error {
	svc, err := h.intakeService()
	if err != nil {
		return err
	}
	var body rejectBody
	if err := h.decodeOptional(w, r, &body); err != nil {
		return err
	}
	p, err := svc.Reject(r.Context(), r.PathValue("id"), cred.Agency.ID, body.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}
