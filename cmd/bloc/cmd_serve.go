package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/blocsec/bloc/api"
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
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "serve", "serve [--addr HOST:PORT] [--demo]", `Run the HTTP service: the registry API under /api/v1/, TAXII 2.1 at /taxii2/
and one API root per bloc (/csto/, …), /healthz and /readyz. Stops gracefully
on SIGINT or SIGTERM, draining requests.`)
	cfg := serveConfig{}
	f.StringVar(&cfg.addr, "addr", envOr(e, "BLOC_ADDR", "127.0.0.1:8400"), "listen address [env BLOC_ADDR]")
	f.BoolVar(&cfg.demo, "demo", false, "also create demo agencies, tokens, a collection and sample objects, and print them")
	f.Int64Var(&cfg.maxContent, "max-content-length", 10<<20, "largest request body accepted, in bytes")
	f.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to drain requests on shutdown")
	f.DurationVar(&cfg.heartbeat, "heartbeat", 15*time.Second, "interval of keep-alive comments on push streams")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	db, err := openStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
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

func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
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
	tx := taxii.New(taxii.Config{
		OnStored:         ps.OnStored,
		Store:            db,
		Records:          db,
		Standings:        reg,
		Logger:           log,
		MaxContentLength: cfg.maxContent,
		BlocName: func(ctx context.Context, slug string, t time.Time) string {
			b, err := reg.Book(ctx, time.Time{})
			if err != nil {
				return slug
			}
			return b.Name(slug, t)
		},
	})
	// The push server answers GET /{bloc}/collections/{id}/stream and hands
	// every other request to TAXII.
	mux.Handle("/", ps.Wrap(tx))
	health := api.Health(db.Ping)
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /readyz", health)
	return &server{
		http:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)},
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
