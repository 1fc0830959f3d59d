package push

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/blocsec/bloc"
)

// Config is what a Server needs. Store and Record are required; every
// duration has a default.
type Config struct {
	Store  Store
	Record Record
	// Hub is the in-process fan-out (default: a new one). Publisher is
	// where OnStored sends new objects (default: the Hub); a cross-node
	// notifier goes here and feeds the Hub of every node.
	Hub       *Hub
	Publisher Publisher
	Logger    *slog.Logger
	Now       func() time.Time

	// Heartbeat is the interval of keep-alive comments (default 15s).
	Heartbeat time.Duration
	// Buffer is how many published batches a stream may fall behind
	// before it is ended with reason overflow (default 64).
	Buffer int
	// WriteTimeout bounds one write to a stream's client (default 30s).
	WriteTimeout time.Duration
	// GuardInterval is how often the guard polls the record and token
	// versions (default 500ms).
	GuardInterval time.Duration
	// ShutdownWait bounds how long Shutdown waits for streams to write
	// their final event (default 5s).
	ShutdownWait time.Duration
	// NoHijack keeps streams on net/http's ResponseWriter instead of
	// taking the connection over (see Server.hijack); it costs memory.
	NoHijack bool

	Webhooks WebhookConfig
}

// WebhookConfig tunes webhook delivery.
type WebhookConfig struct {
	// Disabled turns the dispatcher off (streams only).
	Disabled bool
	// BackoffBase and BackoffMax bound the wait before retry n:
	// base·2^(n-1), at most max (defaults 1s and 5m).
	BackoffBase, BackoffMax time.Duration
	// Timeout bounds one POST (default 10s).
	Timeout time.Duration
	// Poll is how often subscriptions are reloaded from the store, so
	// that subscriptions added or removed by the CLI are picked up
	// (default 2s).
	Poll time.Duration
	// IdleRead is how often an idle worker reads the store without a
	// signal from the Hub, for writes the Hub did not announce (another
	// node's, without a cross-node notifier) (default 30s).
	IdleRead time.Duration
	// Client makes the POSTs (default: an http.Client with Timeout that
	// follows no redirects).
	Client *http.Client
}

// Server is the push service: the SSE stream handler, the guard that
// re-checks open streams, and the webhook dispatcher.
type Server struct {
	cfg   Config
	store Store
	hub   *Hub
	pub   Publisher
	guard *Guard
	log   *slog.Logger
	now   func() time.Time
	hooks *dispatcher

	streamsMu sync.Mutex
	streams   map[*stream]struct{}
	streamWG  sync.WaitGroup
	endedMu   sync.Mutex
	endCounts map[string]int64

	// base is the context of streams that outlive their request (taken-over
	// connections); cancelled at the end of Shutdown.
	base       context.Context
	cancelBase context.CancelFunc

	closing   chan struct{}
	closeOnce sync.Once
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// New returns a Server over cfg; Start starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Record == nil {
		return nil, errors.New("push: Config needs Store and Record")
	}
	if cfg.Hub == nil {
		cfg.Hub = NewHub()
	}
	if cfg.Publisher == nil {
		cfg.Publisher = cfg.Hub
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 64
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.ShutdownWait <= 0 {
		cfg.ShutdownWait = 5 * time.Second
	}
	wc := &cfg.Webhooks
	if wc.BackoffBase <= 0 {
		wc.BackoffBase = time.Second
	}
	if wc.BackoffMax <= 0 {
		wc.BackoffMax = 5 * time.Minute
	}
	if wc.Timeout <= 0 {
		wc.Timeout = 10 * time.Second
	}
	if wc.Poll <= 0 {
		wc.Poll = 2 * time.Second
	}
	if wc.IdleRead <= 0 {
		wc.IdleRead = 30 * time.Second
	}
	if wc.Client == nil {
		wc.Client = &http.Client{Timeout: wc.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	s := &Server{cfg: cfg, store: cfg.Store, hub: cfg.Hub, pub: cfg.Publisher, log: cfg.Logger, now: cfg.Now,
		streams: make(map[*stream]struct{}), endCounts: make(map[string]int64), closing: make(chan struct{})}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.guard = NewGuard(cfg.Store, cfg.Record, cfg.GuardInterval, cfg.Now, cfg.Logger)
	s.hooks = newDispatcher(s)
	return s, nil
}

// Start loads the record and starts the guard and the webhook dispatcher.
// They run until Shutdown (or until ctx is done).
func (s *Server) Start(ctx context.Context) error {
	if err := s.guard.Load(ctx); err != nil {
		return err
	}
	ctx, s.stop = context.WithCancel(ctx)
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.guard.Run(ctx) }()
	if !s.cfg.Webhooks.Disabled {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.hooks.run(ctx) }()
	}
	return nil
}

// Shutdown ends every open stream with a final event (reason shutdown, so
// that clients resume from their last id) and stops the guard and the
// webhook workers, waiting for them. Streams that cannot write their final
// event within ShutdownWait (clients that stopped reading) are cut off.
// Call it before http.Server.Shutdown (or register it with
// RegisterOnShutdown): open streams never become idle by themselves, and
// streams on taken-over connections are not net/http's to wait for.
func (s *Server) Shutdown() {
	s.closeOnce.Do(func() { close(s.closing) })
	done := make(chan struct{})
	go func() { s.streamWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.cfg.ShutdownWait):
		s.streamsMu.Lock()
		for st := range s.streams {
			if st.conn != nil {
				st.conn.Close()
			}
		}
		s.streamsMu.Unlock()
		<-done
	}
	s.cancelBase()
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
}

// track adds or removes an open stream.
func (s *Server) track(st *stream, open bool) {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	if open {
		s.streams[st] = struct{}{}
		s.streamWG.Add(1)
		return
	}
	delete(s.streams, st)
	s.streamWG.Done()
}

// Wrap returns a handler that serves the streams,
// GET /{bloc}/collections/{id}/stream (with or without a trailing slash),
// and hands every other request to next (the TAXII server):
//
//	mux.Handle("/", pushServer.Wrap(taxiiServer))
//
// Wrapping rather than registering beside next on a shared mux avoids
// pattern conflicts (e.g. with "/api/", which also matches
// /api/collections/x/stream).
func (s *Server) Wrap(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	mux.Handle("/", next)
	return mux
}

// Routes registers the stream handler on mux at
// GET /{bloc}/collections/{id}/stream and the same with a trailing slash
// (TAXII writes its paths with one). mux must hold no pattern that
// overlaps it without being more or less specific, such as "/api/"; use
// Wrap then.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{bloc}/collections/{id}/stream", s.serveStream)
	mux.HandleFunc("GET /{bloc}/collections/{id}/stream/{$}", s.serveStream)
}

// OnStored is the TAXII server's hook: called after object versions were
// stored (committed) in c, in Seq order. It publishes them; it never blocks
// on readers. The objects are shared with every subscriber: the caller
// must not modify them afterwards.
func (s *Server) OnStored(c bloc.Collection, objs []bloc.Object) {
	s.pub.Publish(context.Background(), c.ID, objs)
}

// RecordChanged makes the guard look at the record now (after this
// process appended records), instead of at its next poll.
func (s *Server) RecordChanged() { s.guard.Poke() }

// Hub is the server's in-process fan-out.
func (s *Server) Hub() *Hub { return s.hub }

// Stats is what the push service is doing, for /metrics and benchmarks.
type Stats struct {
	Streams int64            `json:"streams"` // open streams
	Ended   map[string]int64 `json:"ended"`   // streams ended by the server, by reason
	Hub     HubStats         `json:"hub"`
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	s.endedMu.Lock()
	ended := make(map[string]int64, len(s.endCounts))
	for k, v := range s.endCounts {
		ended[k] = v
	}
	s.endedMu.Unlock()
	s.streamsMu.Lock()
	n := int64(len(s.streams))
	s.streamsMu.Unlock()
	return Stats{Streams: n, Ended: ended, Hub: s.hub.Stats()}
}

func (s *Server) ended(reason string) {
	s.endedMu.Lock()
	s.endCounts[reason]++
	s.endedMu.Unlock()
}

// fail writes err as a TAXII error message (the stream is a TAXII
// resource: its errors look like the TAXII server's).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := bloc.HTTPStatus(err)
	msg := map[string]string{
		"title":       http.StatusText(status),
		"description": bloc.ErrorMessage(err),
		"error_code":  bloc.ErrorCode(err),
		"http_status": strconv.Itoa(status),
	}
	if status == http.StatusInternalServerError {
		id := randomHex(8)
		msg["error_id"] = id
		msg["description"] = "internal error: the server could not complete the request; quote error_id " + id + " to its operator"
		s.log.ErrorContext(r.Context(), "push request failed", "error_id", id, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="bloc", charset="UTF-8"`)
	}
	b, _ := json.Marshal(msg)
	w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
