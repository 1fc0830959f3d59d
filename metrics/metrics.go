// Package metrics exposes bloc's Prometheus metrics at /metrics: HTTP
// requests by surface and status, their latency, objects stored, and the
// push service's open streams and their endings, beside the Go runtime and
// process collectors.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds bloc's collectors in a registry of its own (no global
// state).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	stored   *prometheus.CounterVec
}

// New registers the collectors; stats, when given, reports the push
// service's counters at each scrape.
func New(stats func() push.Stats) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bloc_http_requests_total", Help: "HTTP requests by surface (api, taxii, stream, health, metrics) and status code.",
		}, []string{"surface", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bloc_http_request_duration_seconds", Help: "Time to answer an HTTP request (streams: until the headers are sent).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"surface"}),
		stored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bloc_objects_stored_total", Help: "STIX object versions stored, by bloc.",
		}, []string{"bloc"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.stored,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		m.reg.MustRegister(pushCollector{stats: stats})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Stored counts stored objects; chain it into the TAXII server's OnStored.
func (m *Metrics) Stored(c bloc.Collection, objs []bloc.Object) {
	m.stored.WithLabelValues(c.Bloc).Add(float64(len(objs)))
}

// surface names the part of the service a path belongs to, keeping label
// values few (never a raw path).
func surface(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/"):
		return "api"
	case path == "/healthz" || path == "/readyz":
		return "health"
	case path == "/metrics":
		return "metrics"
	case strings.HasSuffix(strings.TrimSuffix(path, "/"), "/stream"):
		return "stream"
	}
	return "taxii"
}

// Middleware counts and times every request.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s := surface(r.URL.Path)
		m.requests.WithLabelValues(s, strconv.Itoa(rec.status)).Inc()
		d := time.Since(start)
		if s == "stream" {
			d = rec.firstWrite.Sub(start)
		}
		m.latency.WithLabelValues(s).Observe(d.Seconds())
	})
}

// recorder keeps the status and the time of the first write; Unwrap lets
// streams flush and take the connection over through it.
type recorder struct {
	http.ResponseWriter
	status     int
	firstWrite time.Time
}

func (r *recorder) mark() {
	if r.firstWrite.IsZero() {
		r.firstWrite = time.Now()
	}
}
func (r *recorder) WriteHeader(code int) {
	r.mark()
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
func (r *recorder) Write(b []byte) (int, error) {
	r.mark()
	return r.ResponseWriter.Write(b)
}
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
func (r *recorder) Flush() {
	r.mark()
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// pushCollector reads the push service's counters at scrape time.
type pushCollector struct{ stats func() push.Stats }

var (
	streamsOpen  = prometheus.NewDesc("bloc_push_streams_open", "Open push streams.", nil, nil)
	streamsEnded = prometheus.NewDesc("bloc_push_streams_ended_total", "Push streams ended by the server, by reason.", []string{"reason"}, nil)
)

func (pushCollector) Describe(ch chan<- *prometheus.Desc) { ch <- streamsOpen; ch <- streamsEnded }

func (c pushCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(streamsOpen, prometheus.GaugeValue, float64(st.Streams))
	for reason, n := range st.Ended {
		ch <- prometheus.MustNewConstMetric(streamsEnded, prometheus.CounterValue, float64(n), reason)
	}
}
