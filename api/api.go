// Package api serves the registry JSON API under /api/v1/: blocs, parties,
// members at a date, timelines, changes and events. Reads need no
// credentials; writes (later: the registrar role) go through the same
// registry service as the CLI.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
)

// Handler serves /api/v1/.
type Handler struct {
	reg   *registry.Service
	store bloc.Store
	log   *slog.Logger
	mux   *http.ServeMux
	now   func() time.Time
	// maxBody bounds request bodies of writes.
	maxBody int64
}

// New returns the registry API over reg and store.
func New(reg *registry.Service, store bloc.Store, log *slog.Logger) *Handler {
	h := &Handler{reg: reg, store: store, log: log, mux: http.NewServeMux(), now: func() time.Time { return time.Now().UTC() }, maxBody: 10 << 20}
	h.mux.HandleFunc("GET /api/v1/blocs", h.wrap(h.blocs))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}", h.wrap(h.bloc))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}/members", h.wrap(h.members))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}/timeline", h.wrap(h.timeline))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}/changes", h.wrap(h.changes))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}/events", h.wrap(h.events))
	h.mux.HandleFunc("GET /api/v1/parties", h.wrap(h.parties))
	h.mux.HandleFunc("GET /api/v1/parties/{party}", h.wrap(h.party))
	h.routeWrites()
	h.mux.HandleFunc("/api/", h.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return bloc.Errorf(bloc.ENOTFOUND, "no API endpoint %s %s (see docs/api.md)", r.Method, r.URL.Path)
	}))
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// ErrorBody is the JSON of every registry API error.
type ErrorBody struct {
	Error struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Details []string `json:"details,omitempty"`
	} `json:"error"`
}

// wrap adapts a handler that returns an error: the one place where errors
// become HTTP statuses and JSON bodies. Only internal errors are logged.
func (h *Handler) wrap(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		status := bloc.HTTPStatus(err)
		var body ErrorBody
		body.Error.Code = bloc.ErrorCode(err)
		body.Error.Message = bloc.ErrorMessage(err)
		if be, ok := err.(*bloc.Error); ok {
			body.Error.Message = be.Message
			body.Error.Details = be.Details
		}
		if status >= 500 {
			h.log.Error("registry api", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeJSON(w, status, body)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (h *Handler) blocs(w http.ResponseWriter, r *http.Request) error {
	vs, err := h.reg.Blocs(r.Context())
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []registry.BlocView{}
	}
	return writeJSON(w, 200, map[string]any{"blocs": vs})
}

func (h *Handler) bloc(w http.ResponseWriter, r *http.Request) error {
	v, err := h.reg.Bloc(r.Context(), r.PathValue("bloc"))
	if err != nil {
		return err
	}
	return writeJSON(w, 200, v)
}

// dateParam reads a date query parameter, naming it in the error.
func dateParam(r *http.Request, name string, def bloc.Date) (bloc.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	d, err := bloc.ParseDate(s)
	if err != nil {
		return bloc.Date{}, bloc.Errorf(bloc.EINVALID, "query parameter %s: %s", name, bloc.ErrorMessage(err))
	}
	return d, nil
}

func (h *Handler) members(w http.ResponseWriter, r *http.Request) error {
	at, err := dateParam(r, "at", bloc.DayOf(h.now()))
	if err != nil {
		return err
	}
	known, err := dateParam(r, "known_at", bloc.Date{})
	if err != nil {
		return err
	}
	all := false
	switch v := r.URL.Query().Get("all_standings"); v {
	case "", "false", "0":
	case "true", "1":
		all = true
	default:
		return bloc.Errorf(bloc.EINVALID, "query parameter all_standings: %q is not true or false", v)
	}
	v, err := h.reg.Members(r.Context(), r.PathValue("bloc"), at, known.Start, all)
	if err != nil {
		return err
	}
	return writeJSON(w, 200, v)
}

func (h *Handler) timeline(w http.ResponseWriter, r *http.Request) error {
	v, err := h.reg.Timeline(r.Context(), r.PathValue("bloc"))
	if err != nil {
		return err
	}
	return writeJSON(w, 200, v)
}

func (h *Handler) changes(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("from") == "" || q.Get("to") == "" {
		return bloc.Errorf(bloc.EINVALID, "query parameters from and to are required, e.g. ?from=1999-01-01&to=2013-01-01")
	}
	from, err := dateParam(r, "from", bloc.Date{})
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to", bloc.Date{})
	if err != nil {
		return err
	}
	v, err := h.reg.Changes(r.Context(), r.PathValue("bloc"), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, 200, v)
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("bloc")
	if _, err := h.store.Bloc(r.Context(), slug); err != nil {
		return err
	}
	book, err := h.reg.Book(r.Context(), time.Time{})
	if err != nil {
		return err
	}
	evs := book.Events(slug)
	if evs == nil {
		evs = []bloc.Event{}
	}
	return writeJSON(w, 200, map[string]any{"bloc": slug, "events": evs})
}

func (h *Handler) parties(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.store.Parties(r.Context())
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []bloc.Party{}
	}
	return writeJSON(w, 200, map[string]any{"parties": ps})
}

func (h *Handler) party(w http.ResponseWriter, r *http.Request) error {
	v, err := h.reg.History(r.Context(), strings.ToUpper(r.PathValue("party")), r.URL.Query().Get("bloc"))
	if err != nil {
		return err
	}
	return writeJSON(w, 200, v)
}

// Health serves /healthz (the process is up) and /readyz (the database
// answers).
func Health(ping func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			writeJSON(w, 503, map[string]string{"status": "unavailable", "reason": "database: " + err.Error()})
			return
		}
		writeJSON(w, 200, map[string]string{"status": "ready"})
	})
	return mux
}
