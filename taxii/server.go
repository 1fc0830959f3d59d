// Package taxii is bloc's TAXII 2.1 server: discovery at /taxii2/, one API
// root per bloc at /{bloc}/, its collections, objects, manifests, versions
// and status resources.
//
// Every read is filtered object by object through access.Read, with the
// reader's standing at the instant the request arrived, so that a caller
// learns nothing (not even existence) of what it may not read: a
// collection it may not see answers 404 exactly like a missing one, and so
// does an object. Writes go through access.Write inside the store's write
// transaction, where the object id's owner is known.
//
// The bloc extension-definition (named recipients) is published in every
// API root: GET /{bloc}/collections/{id}/objects/{extension-definition id}/
// returns it in every collection the caller can read (it is not listed in
// the collection's objects or manifest, which hold only what agencies
// wrote); the API root's description names it.
package taxii

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/standing"
)

// DefaultMaxContentLength is the largest request body accepted when Config
// gives none: 10 MiB.
const DefaultMaxContentLength = 10 << 20

// DefaultScanBudget is Config.ScanBudget's default.
const DefaultScanBudget = 50000

// Standings answers the standing of a party in a bloc at an instant; the
// registry service implements it.
type Standings interface {
	Position(ctx context.Context, bloc, party string, t time.Time) (standing.Position, error)
}

// Config is what a Server needs. Store, Records and Standings are required.
type Config struct {
	Store     bloc.ExchangeStore
	Records   bloc.RecordStore
	Standings Standings
	Logger    *slog.Logger
	// MaxContentLength is the largest request body, advertised in every
	// API root and enforced with 413. Zero means DefaultMaxContentLength.
	MaxContentLength int64
	// Now is the clock; every request reads it once, when it arrives.
	Now func() time.Time
	// BlocName, when set, gives a bloc's name at an instant (the registry
	// knows renames); the API root's title uses it. Otherwise the bloc's
	// first name is used.
	BlocName func(ctx context.Context, bloc string, t time.Time) string
	// Title and Description of the discovery resource.
	Title, Description, Contact string
	// ScanBudget bounds the stored versions one page may examine; zero
	// means DefaultScanBudget. A reader who may read few of a collection's
	// objects then gets a short (even empty) page with more=true and a
	// cursor past what was examined, rather than a request that walks the
	// whole collection.
	ScanBudget int
	// OnStored, when set, is called after a POST stored new object versions
	// (not for idempotent re-POSTs), with the stored objects in seq order.
	OnStored func(bloc.Collection, []bloc.Object)
}

// Server is the TAXII 2.1 http.Handler.
type Server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
	// ext is the published extension-definition, prepared once.
	ext    extension
	extErr error
}

// New returns a Server over cfg.
func New(cfg Config) *Server {
	if cfg.MaxContentLength <= 0 {
		cfg.MaxContentLength = DefaultMaxContentLength
	}
	if cfg.ScanBudget <= 0 {
		cfg.ScanBudget = DefaultScanBudget
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Title == "" {
		cfg.Title = "bloc TAXII 2.1 server"
	}
	if cfg.Description == "" {
		cfg.Description = "Threat information of collective security organisations; access follows membership at the instant of every read."
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.ext, s.extErr = loadExtension()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	m := http.NewServeMux()
	m.Handle("GET /taxii2/{$}", s.handle(s.discovery))
	m.Handle("GET /{root}/{$}", s.handle(s.apiRoot))
	m.Handle("GET /{root}/status/{status}/{$}", s.handle(s.status))
	m.Handle("GET /{root}/collections/{$}", s.handle(s.collections))
	m.Handle("GET /{root}/collections/{coll}/{$}", s.handle(s.collection))
	m.Handle("GET /{root}/collections/{coll}/manifest/{$}", s.handle(s.manifest))
	m.Handle("GET /{root}/collections/{coll}/objects/{$}", s.handle(s.getObjects))
	m.Handle("POST /{root}/collections/{coll}/objects/{$}", s.handle(s.postObjects))
	m.Handle("GET /{root}/collections/{coll}/objects/{object}/{$}", s.handle(s.getObject))
	m.Handle("DELETE /{root}/collections/{coll}/objects/{object}/{$}", s.handle(s.deleteObject))
	m.Handle("GET /{root}/collections/{coll}/objects/{object}/versions/{$}", s.handle(s.versions))
	s.mux = m
	return s
}

// call is what the middleware resolved for one request.
type call struct {
	now  time.Time // the instant of the request: every decision uses it
	cred auth.Credential
}

type callKey struct{}

func callOf(r *http.Request) *call { return r.Context().Value(callKey{}).(*call) }

// ServeHTTP checks the Accept header and the credentials of every routed
// request, then dispatches. Unrouted requests get a TAXII error body too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	defer func() {
		// A bug in one request answers 500 in the TAXII format and is
		// logged (by fail), rather than dropping the connection.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.fail(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}
	}()
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(w, r)
		return
	}
	if err := acceptable(r.Header.Get("Accept")); err != nil {
		s.fail(w, r, err)
		return
	}
	cred, err := auth.Authenticate(r.Context(), s.cfg.Store, r, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := context.WithValue(r.Context(), callKey{}, &call{now: now, cred: cred})
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

// unrouted answers a path or method no endpoint takes, keeping the status
// (and Allow header) the mux decides but in the TAXII error format.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	status := rec.status
	if status == 0 || status < 400 {
		status = http.StatusNotFound
	}
	msg := errorMessage{Title: http.StatusText(status), HTTPStatus: strconv.Itoa(status)}
	switch status {
	case http.StatusMethodNotAllowed:
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		msg.Description = "method " + r.Method + " is not allowed on " + r.URL.Path + "; this endpoint takes " + allow
	case http.StatusNotFound:
		msg.Description = "no TAXII endpoint at " + r.URL.Path + ": start from discovery at /taxii2/ (TAXII paths end with a slash)"
	default:
		msg.Description = "the request was not understood"
	}
	msg.ErrorCode = codeOfStatus(status)
	s.writeError(w, status, msg)
}

func codeOfStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return bloc.ENOTFOUND
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	}
	return bloc.EINVALID
}

type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}
func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// handle adapts a handler that returns an error.
func (s *Server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}
