package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/standing"
)

// replayPage is how many object versions a replay reads from the store at once.
const replayPage = 500

// streamQuery is what a stream request asks for.
type streamQuery struct {
	types, ids []string
	manifest   bool
	addedAfter time.Time
	lastID     int64
	resume     bool // Last-Event-ID given
}

func parseStreamQuery(r *http.Request) (streamQuery, error) {
	var q streamQuery
	v := r.URL.Query()
	for key := range v {
		switch key {
		case "match[type]", "match[id]", "view", "added_after":
		default:
			return q, bloc.Errorf(bloc.EINVALID, "query parameter %q is not understood by the stream: use match[type], match[id], view=manifest or added_after", key)
		}
	}
	q.types = splitList(v["match[type]"])
	q.ids = splitList(v["match[id]"])
	switch view := v.Get("view"); view {
	case "", "objects":
	case "manifest":
		q.manifest = true
	default:
		return q, bloc.Errorf(bloc.EINVALID, "view=%q: use view=manifest for manifest entries, or omit it for the objects", view)
	}
	if s := v.Get("added_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return q, bloc.Errorf(bloc.EINVALID, "added_after=%q is not an RFC 3339 timestamp (e.g. 2024-03-01T09:30:00.000000Z)", s)
		}
		q.addedAfter = t.UTC()
	}
	if s := r.Header.Get("Last-Event-ID"); s != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 {
			return q, bloc.Errorf(bloc.EINVALID, "Last-Event-ID %q is not an event id of this stream (a non-negative integer)", s)
		}
		q.lastID, q.resume = n, true
	}
	return q, nil
}

// splitList reads repeated and comma-separated values, as TAXII filters are.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (q *streamQuery) match(o bloc.Object) bool {
	if len(q.types) > 0 && !contains(q.types, o.Type) {
		return false
	}
	if len(q.ids) > 0 && !contains(q.ids, o.ID) {
		return false
	}
	return q.addedAfter.IsZero() || o.DateAdded.After(q.addedAfter)
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// serveStream is GET /{bloc}/collections/{id}/stream.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.closing:
		w.Header().Set("Retry-After", "5")
		http.Error(w, "the server is shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	// The work that needs a deep stack (authentication, SQLite) runs on a
	// short-lived goroutine, so that the goroutine that lives as long as
	// the stream keeps a small stack.
	var o opened
	var err error
	offStack(func() { o, err = s.open(r) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st := &stream{s: s, c: o.coll, cred: o.cred, q: o.q, watch: o.watch}
	s.track(st, true)
	if conn := s.hijack(w, &st.buf); conn != nil {
		// The stream goes on in a goroutine of its own and the handler
		// returns: net/http then drops the connection's request state and
		// buffers, and an idle stream costs little more than its socket.
		st.out, st.conn = rawSink{conn}, conn
		go func() {
			defer conn.Close()
			st.run(s.base, o)
		}()
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // no proxy buffering
	w.WriteHeader(http.StatusOK)
	st.out = responseSink{w, http.NewResponseController(w)}
	st.run(r.Context(), o)
}

// run sends the stream until it ends; it is the stream's goroutine.
func (st *stream) run(ctx context.Context, o opened) {
	s := st.s
	defer s.track(st, false)
	defer s.guard.Unregister(o.watch)
	defer o.sub.Close()
	st.buf = append(st.buf, ": bloc stream of collection "...)
	st.buf = append(st.buf, o.coll.ID...)
	st.buf = append(st.buf, "\nretry: 2000\n\n"...)
	if err := st.flush(); err != nil {
		return
	}
	// Where to start: after Last-Event-ID, or from added_after, replaying
	// from the store; without either, at what is stored now.
	st.cursor = o.high
	if o.q.resume || !o.q.addedAfter.IsZero() {
		st.cursor = o.q.lastID
		if err := st.replay(ctx); err != nil {
			st.finish(err)
			return
		}
		st.cursor = max(st.cursor, o.high)
	}
	st.finish(st.live(ctx, o.sub))
}

// opened is a stream request authenticated, authorised and subscribed.
type opened struct {
	cred  auth.Credential
	q     streamQuery
	coll  bloc.Collection
	watch *Watch
	sub   *Subscription
	high  int64 // the collection's last Seq, read after subscribing
}

func (s *Server) open(r *http.Request) (opened, error) {
	ctx := r.Context()
	root, id := r.PathValue("bloc"), r.PathValue("id")
	var o opened
	var err error
	if o.cred, err = auth.Authenticate(ctx, s.store, r, s.now()); err != nil {
		return o, err
	}
	if o.q, err = parseStreamQuery(r); err != nil {
		return o, err
	}
	o.coll, err = s.store.Collection(ctx, id)
	if bloc.ErrorCode(err) == bloc.ENOTFOUND || (err == nil && o.coll.Bloc != root) {
		return o, errNoCollection(root, id)
	} else if err != nil {
		return o, err
	}
	if o.watch, err = s.guard.Register(ctx, o.coll, o.cred); err != nil {
		if bloc.ErrorCode(err) == bloc.EFORBIDDEN {
			err = errNoCollection(root, id) // a collection one may not read is not found
		}
		return o, err
	}
	// Subscribe before reading where the stream starts: whatever is stored
	// after that read is then also in the subscription, so nothing falls
	// between the replay and the live events.
	o.sub = s.hub.Subscribe(o.coll.ID, s.cfg.Buffer)
	if o.high, err = s.store.LastSeq(ctx, o.coll.ID); err != nil {
		o.sub.Close()
		s.guard.Unregister(o.watch)
		return o, err
	}
	return o, nil
}

// offStack runs fn on a new goroutine and waits for it.
func offStack(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// streamHead is the response head of a stream on a taken-over connection.
const streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n" +
	"X-Accel-Buffering: no\r\nConnection: close\r\n\r\n"

// hijack takes the connection over from net/http when it can (HTTP/1.x)
// and queues the response head in buf. An open stream then costs its
// connection, one goroutine and its own small buffer, instead of also
// net/http's read and write buffers, chunk framing and the goroutine that
// watches the connection for the next request. The body is the events
// until the connection closes. A client that goes away is noticed at the
// next write (a heartbeat at the latest).
func (s *Server) hijack(w http.ResponseWriter, buf *[]byte) net.Conn {
	if s.cfg.NoHijack {
		return nil
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil // HTTP/2, or a wrapped ResponseWriter: the standard path
	}
	*buf = append(*buf, streamHead...)
	return conn
}

// sink is where a stream writes.
type sink interface {
	Write([]byte) (int, error)
	SetWriteDeadline(time.Time) error
	Flush() error
}

// rawSink is a taken-over connection: writes go straight to it.
type rawSink struct{ net.Conn }

func (rawSink) Flush() error { return nil }

// responseSink is the standard ResponseWriter path.
type responseSink struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (r responseSink) SetWriteDeadline(t time.Time) error { return r.rc.SetWriteDeadline(t) }
func (r responseSink) Flush() error                       { return r.rc.Flush() }

// stream is one open SSE response.
type stream struct {
	s        *Server
	out      sink
	conn     net.Conn // the taken-over connection, if any
	c        bloc.Collection
	cred     auth.Credential
	q        streamQuery
	watch    *Watch
	cursor   int64 // every Seq up to here has been considered (sent or filtered)
	reader   access.Reader
	buf      []byte
	deadline time.Time // the write deadline set on the connection
}

// endError ends a stream with a final event.
type endError struct{ code, text string }

func (e *endError) Error() string { return e.code + ": " + e.text }

func (st *stream) live(ctx context.Context, sub *Subscription) error {
	beat := time.NewTicker(st.s.cfg.Heartbeat)
	defer beat.Stop()
	for {
		// Endings come before data: nothing is sent after the instant
		// access ended, even when batches are waiting.
		if err := st.ended(sub); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-st.watch.Ended():
		case <-sub.Done():
		case <-st.s.closing:
		case b := <-sub.C():
			if err := st.batch(ctx, b.Objects); err != nil {
				return err
			}
			// Batches that arrived meanwhile go out in the same write.
			if err := st.drain(ctx, sub); err != nil {
				return err
			}
			if err := st.flush(); err != nil {
				return err
			}
		case <-beat.C:
			st.buf = append(st.buf, ": keep-alive\n\n"...)
			if err := st.flush(); err != nil {
				return err
			}
		}
	}
}

func (st *stream) ended(sub *Subscription) error {
	select {
	case <-st.watch.Ended():
		code, text := st.watch.Reason()
		return &endError{code, text}
	case <-sub.Done():
		return &endError{ReasonOverflow, "the stream fell more than " + strconv.Itoa(st.s.cfg.Buffer) + " batches behind: reconnect with Last-Event-ID to resume where it stopped"}
	case <-st.s.closing:
		return &endError{ReasonShutdown, "the server is shutting down: reconnect with Last-Event-ID to resume"}
	default:
		return nil
	}
}

// batch queues the readable objects of a live batch. A batch that does not
// follow the cursor (batches of concurrent writers published out of order,
// or a write on another node that was never announced here) is preceded by
// a replay from the store: everything before the batch's first Seq was
// committed before the batch was published, so the replay covers the gap.
func (st *stream) batch(ctx context.Context, objs []bloc.Object) error {
	if len(objs) == 0 || objs[len(objs)-1].Seq <= st.cursor {
		return nil
	}
	if first := objs[0].Seq; first > st.cursor+1 {
		if err := st.replay(ctx); err != nil {
			return err
		}
		if st.stopped() {
			return nil // the replay stopped early; live reports why
		}
		st.cursor = max(st.cursor, first-1)
	}
	if err := st.refreshReader(ctx); err != nil {
		return err
	}
	for _, o := range objs {
		if err := st.consider(o); err != nil {
			return err
		}
	}
	return nil
}

// stopped reports whether the guard or the server ended the stream.
func (st *stream) stopped() bool {
	select {
	case <-st.watch.Ended():
		return true
	case <-st.s.closing:
		return true
	default:
		return false
	}
}

// drain takes the batches already waiting, without blocking, unless the
// stream has ended meanwhile.
func (st *stream) drain(ctx context.Context, sub *Subscription) error {
	for len(st.buf) < flushAt {
		if st.ended(sub) != nil {
			return nil // live reports it
		}
		select {
		case b := <-sub.C():
			if err := st.batch(ctx, b.Objects); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// replay sends what the store holds after the cursor, page by page.
func (st *stream) replay(ctx context.Context) error {
	for {
		var objs []bloc.Object
		var err error
		offStack(func() {
			objs, err = st.s.store.Objects(ctx, bloc.ObjectQuery{
				Collection: st.c.ID, AfterSeq: st.cursor, AddedAfter: st.q.addedAfter,
				IDs: st.q.ids, Types: st.q.types, Versions: []string{"all"}, Limit: replayPage,
			})
		})
		if err != nil {
			return err
		}
		if err := st.refreshReader(ctx); err != nil {
			return err
		}
		for _, o := range objs {
			if err := st.consider(o); err != nil {
				return err
			}
		}
		if err := st.flush(); err != nil {
			return err
		}
		if len(objs) < replayPage {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if st.stopped() {
			return nil // live reports it
		}
	}
}

// refreshReader takes the reader's standing at this instant, from the
// bloc's roster the guard holds: access is decided when an object is sent,
// never from a snapshot taken when the stream opened.
func (st *stream) refreshReader(ctx context.Context) error {
	var pos standing.Position
	if !st.cred.Anonymous {
		var err error
		if pos, err = st.s.guard.Position(ctx, st.c.Bloc, st.cred.Agency.Party, st.s.now()); err != nil {
			return err
		}
	}
	st.reader = quickReader(st.cred, pos)
	return nil
}

// consider advances the cursor over o and queues its event if it matches
// and the reader may read it.
func (st *stream) consider(o bloc.Object) error {
	if o.Seq <= st.cursor {
		return nil
	}
	st.cursor = o.Seq
	if !st.q.match(o) || !access.CanRead(st.reader, st.c, o) {
		return nil
	}
	st.buf = append(st.buf, "id: "...)
	st.buf = strconv.AppendInt(st.buf, o.Seq, 10)
	st.buf = append(st.buf, "\ndata: "...)
	if st.q.manifest {
		st.buf = append(st.buf, `{"id":`...)
		st.buf = strconv.AppendQuote(st.buf, o.ID)
		st.buf = append(st.buf, `,"date_added":"`...)
		st.buf = o.DateAdded.UTC().AppendFormat(st.buf, "2006-01-02T15:04:05.000000Z")
		st.buf = append(st.buf, `","version":`...)
		st.buf = strconv.AppendQuote(st.buf, o.Version)
		st.buf = append(st.buf, `,"media_type":"application/stix+json;version=2.1"}`...)
	} else if bytes.IndexByte(o.Raw, '\n') >= 0 || bytes.IndexByte(o.Raw, '\r') >= 0 {
		// An SSE data line ends at a line break: send the JSON compacted.
		var b bytes.Buffer
		if err := json.Compact(&b, o.Raw); err != nil {
			return err
		}
		st.buf = append(st.buf, b.Bytes()...)
	} else {
		st.buf = append(st.buf, o.Raw...)
	}
	st.buf = append(st.buf, "\n\n"...)
	if len(st.buf) >= flushAt {
		return st.flush()
	}
	return nil
}

// flushAt is how much a stream queues before it writes.
const flushAt = 32 << 10

// flush writes what is queued, within the write timeout: a client that
// stops reading cannot hold the stream's goroutine for longer.
func (st *stream) flush() error {
	if len(st.buf) == 0 {
		return nil
	}
	// The deadline is moved only when half of it is used up: setting it
	// costs a timer update, and a write blocks for at most WriteTimeout
	// either way.
	if now := time.Now(); st.deadline.Sub(now) < st.s.cfg.WriteTimeout/2 {
		st.deadline = now.Add(st.s.cfg.WriteTimeout)
		st.out.SetWriteDeadline(st.deadline)
	}
	_, err := st.out.Write(st.buf)
	st.buf = st.buf[:0]
	if err == nil {
		err = st.out.Flush()
	}
	if err != nil {
		return &endError{ReasonWriteFailed, err.Error()}
	}
	return nil
}

// finish writes the final event when the stream ends for a reason the
// client should know; a failed write or a gone client gets none.
func (st *stream) finish(err error) {
	var e *endError
	switch {
	case err == nil:
		return
	case asEnd(err, &e) && e.code != ReasonWriteFailed:
		st.s.ended(e.code)
		data, _ := json.Marshal(map[string]string{"reason": e.code, "message": e.text})
		st.buf = append(st.buf[:0], "event: end\ndata: "...)
		st.buf = append(st.buf, data...)
		st.buf = append(st.buf, "\n\n"...)
		st.flush()
	case asEnd(err, &e):
		st.s.ended(e.code)
	case ctxDone(err):
		// The client went away.
	default:
		st.s.log.Error("push stream failed", "collection", st.c.ID, "err", err)
		st.s.ended("error")
		data, _ := json.Marshal(map[string]string{"reason": "error", "message": "internal error: reconnect with Last-Event-ID to resume"})
		st.buf = append(st.buf[:0], "event: end\ndata: "...)
		st.buf = append(st.buf, data...)
		st.buf = append(st.buf, "\n\n"...)
		st.flush()
	}
}

func asEnd(err error, e **endError) bool {
	v, ok := err.(*endError)
	if ok {
		*e = v
	}
	return ok
}

func ctxDone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// errNoCollection is the one answer for a missing collection and one the
// caller may not read (as the TAXII server gives it).
func errNoCollection(root, id string) error {
	return bloc.Errorf(bloc.ENOTFOUND, "no collection %s in API root /%s/ that you may read: GET /%s/collections/ lists the collections your credentials can use", id, root, root)
}
