package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/registrar"
)

// routeWrites registers the registrar's endpoints: each needs a token of
// role registrar (HTTP Basic or Bearer, as for TAXII).
func (h *Handler) routeWrites() {
	h.mux.HandleFunc("POST /api/v1/blocs", h.wrap(h.registrarOnly(h.addBloc)))
	h.mux.HandleFunc("POST /api/v1/blocs/{bloc}/events", h.wrap(h.registrarOnly(h.addEvents)))
	h.mux.HandleFunc("POST /api/v1/blocs/{bloc}/collections", h.wrap(h.registrarOnly(h.addCollection)))
	h.mux.HandleFunc("GET /api/v1/blocs/{bloc}/collections", h.wrap(h.registrarOnly(h.collections)))
	h.mux.HandleFunc("POST /api/v1/agencies", h.wrap(h.registrarOnly(h.addAgency)))
	h.mux.HandleFunc("POST /api/v1/agencies/{agency}/tokens", h.wrap(h.registrarOnly(h.addToken)))
	h.mux.HandleFunc("POST /api/v1/tokens/{token}/revoke", h.wrap(h.registrarOnly(h.revokeToken)))
	h.routeIntake()
}

// writeHandler is an endpoint that runs on behalf of an authenticated
// registrar.
type writeHandler func(w http.ResponseWriter, r *http.Request, cred auth.Credential) error

// registrarOnly authenticates the request and refuses anyone but a
// registrar: without credentials 401, with another role 403.
func (h *Handler) registrarOnly(fn writeHandler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		cred, err := auth.Authenticate(r.Context(), h.store, r, h.now())
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="bloc"`)
			return err
		}
		if cred.Anonymous {
			w.Header().Set("WWW-Authenticate", `Basic realm="bloc"`)
			return bloc.Errorf(bloc.EUNAUTH, "this endpoint needs a registrar token (HTTP Basic or Bearer); create one with `bloc token create AGENCY --role registrar`")
		}
		if cred.Token.Role != bloc.RoleRegistrar {
			return bloc.Errorf(bloc.EFORBIDDEN, "this endpoint needs a registrar token; token %s has role %s", cred.Token.ID, cred.Token.Role)
		}
		return fn(w, r, cred)
	}
}

// decode reads a JSON body of at most maxBody bytes into v, refusing
// unknown fields so that a misspelt field is an error, not silently lost.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return bloc.Errorf(bloc.EUNSUPPORTED, "Content-Type %q: send application/json", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return bloc.Errorf(bloc.ETOOLARGE, "request body over %d bytes", h.maxBody)
		}
		if errors.Is(err, io.EOF) {
			return bloc.Errorf(bloc.EINVALID, "empty request body: send a JSON object")
		}
		return bloc.Errorf(bloc.EINVALID, "request body: %v", err)
	}
	return nil
}

func (h *Handler) addBloc(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	var b bloc.Bloc
	if err := h.decode(w, r, &b); err != nil {
		return err
	}
	if b.Slug == "" || b.Name == "" || b.Founded.IsZero() {
		return bloc.Errorf(bloc.EINVALID, `a bloc needs "bloc" (slug), "name" and "founded"`)
	}
	if err := h.store.CreateBloc(r.Context(), b); err != nil {
		return err
	}
	h.reg.Invalidate()
	return writeJSON(w, http.StatusCreated, b)
}

// eventsBody is a batch of records for one bloc.
type eventsBody struct {
	Records []bloc.Record `json:"records"`
}

func (h *Handler) addEvents(w http.ResponseWriter, r *http.Request, cred auth.Credential) error {
	var body eventsBody
	if err := h.decode(w, r, &body); err != nil {
		return err
	}
	if len(body.Records) == 0 {
		return bloc.Errorf(bloc.EINVALID, `send {"records":[…]} with at least one record`)
	}
	slug := r.PathValue("bloc")
	for i := range body.Records {
		rec := &body.Records[i]
		if rec.Bloc == "" {
			rec.Bloc = slug
		}
		if rec.Bloc != slug {
			return bloc.Errorf(bloc.EINVALID, "record %d is for bloc %q, posted to %s", i+1, rec.Bloc, slug)
		}
		if rec.ID != 0 || !rec.RecordedAt.IsZero() {
			return bloc.Errorf(bloc.EINVALID, "record %d: id and recorded_at are set by the server", i+1)
		}
		rec.RecordedBy = cred.Agency.ID
	}
	out, err := h.reg.Add(r.Context(), body.Records)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"records": out})
}

// collections lists a bloc's collections for the registrar; agencies see
// theirs through TAXII, where access decides.
func (h *Handler) collections(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	slug := r.PathValue("bloc")
	if _, err := h.store.Bloc(r.Context(), slug); err != nil {
		return err
	}
	cs, err := h.store.Collections(r.Context(), slug)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []bloc.Collection{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"collections": cs})
}

func (h *Handler) addCollection(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	var c bloc.Collection
	if err := h.decode(w, r, &c); err != nil {
		return err
	}
	if c.ID != "" {
		return bloc.Errorf(bloc.EINVALID, "the collection id is set by the server")
	}
	c.Bloc = r.PathValue("bloc")
	out, err := registrar.New(h.store, h.reg).CreateCollection(r.Context(), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

type agencyBody struct {
	ID    string `json:"id"`
	Party string `json:"party"`
	Name  string `json:"name"`
}

func (h *Handler) addAgency(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	var body agencyBody
	if err := h.decode(w, r, &body); err != nil {
		return err
	}
	a, err := registrar.New(h.store, h.reg).AddAgency(r.Context(), body.Party, body.Name, body.ID, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"id": a.ID, "party": a.Party, "name": a.Name, "identity": a.Identity})
}

type tokenBody struct {
	Role bloc.Role `json:"role"`
}

func (h *Handler) addToken(w http.ResponseWriter, r *http.Request, _ auth.Credential) error {
	var body tokenBody
	if err := h.decode(w, r, &body); err != nil {
		return err
	}
	if body.Role == "" {
		body.Role = bloc.RoleRead
	}
	t, secret, err := registrar.New(h.store, h.reg).CreateToken(r.Context(), r.PathValue("agency"), body.Role, 0, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"id": t.ID, "agency": t.Agency, "role": string(t.Role), "token": secret})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, cred auth.Credential) error {
	t, err := registrar.New(h.store, h.reg).RevokeToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"id": t.ID, "agency": t.Agency, "revoked_at": bloc.FormatInstant(t.RevokedAt), "revoked_by": cred.Agency.ID})
}
