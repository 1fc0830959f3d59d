package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/api"
	"github.com/blocsec/bloc/metrics"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
	"github.com/blocsec/bloc/taxii"
)

// serveConfig is what `bloc serve` is configured with, by flags and their
// BLOC_* environment variables.
type serveConfig struct {
	addr            string
	demo            bool
	maxContent      int64
	shutdownTimeout time.Duration
	heartbeat       time.Duration
	logLevel        string
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "serve", "serve [--addr HOST:PORT] [--demo] [flags]", `Run the HTTP service: the registry API under /api/v1/, TAXII 2.1 at /taxii2/
and one API root per bloc (/csto/, …), push streams, /healthz, /readyz and
Prometheus metrics at /metrics.
Stops gracefully on SIGINT or SIGTERM: streams get a final event, requests
drain. Every flag can also be set by its environment variable BLOC_<FLAG>
(e.g. BLOC_ADDR, BLOC_MAX_CONTENT_LENGTH, BLOC_LOG_LEVEL).`)
	cfg := serveConfig{}
	f.StringVar(&cfg.addr, "addr", "127.0.0.1:8400", "listen address")
	f.BoolVar(&cfg.demo, "demo", false, "also create demo agencies, tokens, collections and sample objects, and print them")
	f.Int64Var(&cfg.maxContent, "max-content-length", 10<<20, "largest request body accepted, in bytes")
	f.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to drain requests on shutdown")
	f.DurationVar(&cfg.heartbeat, "heartbeat", 15*time.Second, "interval of keep-alive comments on push streams")
	f.StringVar(&cfg.logLevel, "log-level", "info", "debug (also every request), info, warn or error")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	if err := f.fromEnv(); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return usageErr("--log-level %q: use debug, info, warn or error", cfg.logLevel)
	}
	db, err := openStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	srv, err := newServer(db, log, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	if cfg.demo {
		st, err := setupDemo(ctx, db, srv.reg, srv.taxii)
		if err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
		printDemo(e.stdout, st, ln.Addr().String())
	}
	log.Info("bloc serving", "addr", ln.Addr().String(), "db", e.db)
	fmt.Fprintf(e.stdout, "bloc: serving on http://%s/ (registry API /api/v1/, TAXII /taxii2/)\n", ln.Addr())
	return srv.run(ctx, ln, cfg.shutdownTimeout)
}

// server is the whole HTTP service, built from its parts.
type server struct {
	http  *http.Server
	log   *slog.Logger
	reg   *registry.Service
	taxii http.Handler
	push  *push.Server
}

func newServer(db *sqlite.DB, log *slog.Logger, cfg serveConfig) (*server, error) {
	reg := registry.New(db)
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(reg, db, log))
	// TAXII owns the rest of the URL space: /taxii2/ and one API root per
	// bloc (/csto/, …). Bloc slugs that would shadow the paths above are
	// refused when a bloc is added.
	ps, err := push.New(push.Config{Store: db, Record: reg, Logger: log, Heartbeat: cfg.heartbeat})
	if err != nil {
		return nil, err
	}
	m := metrics.New(ps.Stats)
	tx := taxii.New(taxii.Config{
		OnStored: func(c bloc.Collection, objs []bloc.Object) {
			ps.OnStored(c, objs)
			m.Stored(c, objs)
		},
		Store:            db,
		Records:          db,
		Standings:        reg,
		Logger:           log,
		MaxContentLength: cfg.maxContent,
		BlocName: func(ctx context.Context, slug string, t time.Time) string {
			name, err := reg.Name(ctx, slug, t)
			if err != nil {
				return slug
			}
			return name
		},
	})
	// The push server answers GET /{bloc}/collections/{id}/stream and hands
	// every other request to TAXII.
	mux.Handle("/", ps.Wrap(tx))
	health := api.Health(db.Ping)
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /readyz", health)
	mux.Handle("GET /metrics", m.Handler())
	return &server{
		http:  &http.Server{Handler: m.Middleware(logRequests(log, mux)), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)},
		log:   log,
		reg:   reg,
		taxii: tx,
		push:  ps,
	}, nil
}

// run serves on ln until ctx is done, then drains for at most timeout:
// streams get their final event, then requests finish.
func (s *server) run(ctx context.Context, ln net.Listener, timeout time.Duration) error {
	if err := s.push.Start(ctx); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	s.http.RegisterOnShutdown(s.push.Shutdown)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "drain", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.http.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

// logRequests logs every request at debug level: method, path, status,
// duration and size. (Errors are logged where they happen, once.)
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes, "duration", time.Since(start))
	})
}

// statusRecorder remembers the status and size of a response. It passes
// Flush and Unwrap through so that streams and connection takeover work.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
