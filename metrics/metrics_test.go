package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
)

func TestSurface(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/blocs":                          "api",
		"/healthz":                               "health",
		"/readyz":                                "health",
		"/metrics":                               "metrics",
		"/csto/collections/abc/stream":           "stream",
		"/csto/collections/abc/stream/":          "stream",
		"/csto/collections/abc/objects/":         "taxii",
		"/taxii2/":                               "taxii",
		"/csto/collections/stream/objects/x/":    "taxii",
		"/nato/collections/x/objects/stream/":    "stream", // a STIX id is never "stream"; the suffix decides
		"/api/v1/blocs/csto/collections/stream/": "api",
	} {
		if got := surface(path); got != want {
			t.Errorf("surface(%q) = %q, want %q", path, got, want)
		}
	}
}

// The middleware counts requests by surface and status, and the scrape
// carries the stored-object counter and the push service's figures.
func TestScrape(t *testing.T) {
	m := New(func() push.Stats {
		return push.Stats{Streams: 3, Ended: map[string]int64{"overflow": 2}}
	})
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	for _, p := range []string{"/api/v1/blocs", "/api/v1/blocs", "/api/v1/missing", "/taxii2/"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	m.Stored(bloc.Collection{Bloc: "csto"}, make([]bloc.Object, 7))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`bloc_http_requests_total{code="200",surface="api"} 2`,
		`bloc_http_requests_total{code="404",surface="api"} 1`,
		`bloc_http_requests_total{code="200",surface="taxii"} 1`,
		`bloc_objects_stored_total{bloc="csto"} 7`,
		`bloc_push_streams_open 3`,
		`bloc_push_streams_ended_total{reason="overflow"} 2`,
		`bloc_http_request_duration_seconds_count{surface="api"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}
