package push_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// The fixture: bloc csto with members KAZ and ARM and UZB, a former member
// (withdrew 2012-12); one agency of each; a members-only collection.
const (
	collID   = "1b3c6a4e-52c1-4a0e-9d38-6f1c0e2f7a11"
	otherID  = "2b3c6a4e-52c1-4a0e-9d38-6f1c0e2f7a12"
	kazIdent = "identity--5b2c0e1a-0000-4000-8000-000000000001"
	armIdent = "identity--5b2c0e1a-0000-4000-8000-000000000002"
	uzbIdent = "identity--5b2c0e1a-0000-4000-8000-000000000003"
)

type fixture struct {
	t      *testing.T
	ctx    context.Context
	db     *sqlite.DB
	srv    *push.Server
	http   *httptest.Server
	coll   bloc.Collection
	tokens map[string]string // agency → bearer token
	tokIDs map[string]string // agency → token id
	n      atomic.Int64      // object counter
}

type option func(*push.Config)

func newFixture(t *testing.T, opts ...option) *fixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, ctx: ctx, db: db, tokens: map[string]string{}, tokIDs: map[string]string{}}
	f.must(db.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "Collective Security Treaty Organization", Founded: bloc.MustDate("1992-05-15")}))
	for _, p := range []bloc.Party{{Code: "KAZ", Name: "Kazakhstan"}, {Code: "ARM", Name: "Armenia"}, {Code: "UZB", Name: "Uzbekistan"}} {
		f.must(db.CreateParty(ctx, p))
	}
	f.appendRecords(
		bloc.Record{Bloc: "csto", Party: "KAZ", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2012-12")},
	)
	for _, a := range []bloc.Agency{
		{ID: "kaz-knb", Party: "KAZ", Name: "KNB", Identity: kazIdent},
		{ID: "arm-nss", Party: "ARM", Name: "NSS", Identity: armIdent},
		{ID: "uzb-sgb", Party: "UZB", Name: "SGB", Identity: uzbIdent},
	} {
		f.must(db.CreateAgency(ctx, a))
		f.newToken(a.ID, time.Time{})
	}
	f.coll = bloc.Collection{ID: collID, Bloc: "csto", Title: "Indicators", Audience: bloc.AudienceMembers}
	f.must(db.CreateCollection(ctx, f.coll))
	f.must(db.CreateCollection(ctx, bloc.Collection{ID: otherID, Bloc: "csto", Title: "Other", Audience: bloc.AudienceMembers}))

	cfg := push.Config{
		Store: db, Record: registry.New(db),
		GuardInterval: 20 * time.Millisecond,
		Heartbeat:     100 * time.Millisecond,
		Webhooks:      push.WebhookConfig{BackoffBase: 5 * time.Millisecond, BackoffMax: 40 * time.Millisecond, Poll: 30 * time.Millisecond},
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := push.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.must(srv.Start(ctx))
	f.srv = srv
	// The stream handler wraps what stands for the TAXII server.
	taxii := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "taxii "+r.URL.Path) })
	f.http = httptest.NewUnstartedServer(srv.Wrap(taxii))
	f.http.Listener = smallBuffers{f.http.Listener}
	f.http.Start()
	t.Cleanup(func() {
		srv.Shutdown()
		f.http.Close()
	})
	return f
}

// smallBuffers gives accepted connections a small send buffer, so that a
// client that stops reading blocks the server's writes soon (instead of
// after megabytes of kernel buffering).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) appendRecords(recs ...bloc.Record) {
	f.t.Helper()
	for i := range recs {
		recs[i].Source = bloc.Source{Title: "test"}
	}
	_, err := f.db.Append(f.ctx, []string{"csto"}, func([]bloc.Record) ([]bloc.Record, error) { return recs, nil })
	f.must(err)
}

func (f *fixture) newToken(agency string, expires time.Time) string {
	tok, secret, err := auth.NewToken(agency, bloc.RoleRead)
	f.must(err)
	tok.ExpiresAt = expires
	f.must(f.db.CreateToken(f.ctx, tok))
	f.tokens[agency], f.tokIDs[agency] = secret, tok.ID
	return secret
}

// object is a new indicator (or another type) written by kaz-knb.
func (f *fixture) object(typ string, tlp bloc.TLP, pad int) bloc.Object {
	n := f.n.Add(1)
	id := fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, n)
	ver := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	raw := fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":%q,"modified":%q,"x_pad":%q}`, typ, id, ver, ver, strings.Repeat("x", pad))
	return bloc.Object{ID: id, Type: typ, Version: ver, Spec: "2.1", Producer: "kaz-knb", OwnerParty: "KAZ", TLP: tlp, Raw: []byte(raw)}
}

// publish stores objects in the collection and hands them to the push
// server as the TAXII server does.
func (f *fixture) publish(coll string, objs ...bloc.Object) []bloc.Object {
	f.t.Helper()
	res, err := f.db.PutObjects(f.ctx, coll, objs, func(bloc.Object, string, bool) error { return nil })
	f.must(err)
	var stored []bloc.Object
	for _, r := range res {
		f.must(r.Err)
		stored = append(stored, r.Object)
	}
	c, err := f.db.Collection(f.ctx, coll)
	f.must(err)
	f.srv.OnStored(c, stored)
	return stored
}

// event is one SSE event as a client sees it.
type event struct {
	ID    string
	Event string
	Data  string
}

func (e event) seq(t *testing.T) int64 {
	n, err := strconv.ParseInt(e.ID, 10, 64)
	if err != nil {
		t.Fatalf("event id %q: %v", e.ID, err)
	}
	return n
}

// client is an open stream.
type client struct {
	resp   *http.Response
	events chan event
	cancel context.CancelFunc
}

// open opens a stream as agency ("" for anonymous); it returns the
// response on a non-200 status.
func (f *fixture) open(agency, query string, lastID string) (*client, *http.Response) {
	f.t.Helper()
	return f.openPath(agency, "/csto/collections/"+collID+"/stream"+query, lastID)
}

func (f *fixture) openPath(agency, path, lastID string) (*client, *http.Response) {
	f.t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+path, nil)
	f.must(err)
	req.Header.Set("Accept", "text/event-stream")
	if agency != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[agency])
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	f.must(err)
	if resp.StatusCode != http.StatusOK {
		cancel()
		return nil, resp
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		f.t.Fatalf("stream Content-Type %q", ct)
	}
	c := &client{resp: resp, events: make(chan event, 10000), cancel: cancel}
	go readEvents(resp, c.events)
	f.t.Cleanup(c.close)
	return c, resp
}

func (c *client) close() {
	c.cancel()
	c.resp.Body.Close()
}

// readEvents parses an SSE body into events (comments skipped) until it
// ends; then it closes out.
func readEvents(resp *http.Response, out chan<- event) {
	defer close(out)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var e event
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) > 0 {
				e.Data = strings.Join(data, "\n")
				out <- e
			}
			e, data = event{}, nil
		case strings.HasPrefix(line, ":"):
		default:
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimPrefix(v, " ")
			switch k {
			case "id":
				e.ID = v
			case "event":
				e.Event = v
			case "data":
				data = append(data, v)
			}
		}
	}
}

// next waits for the next event; a closed stream fails the test.
func (c *client) next(t *testing.T) event {
	t.Helper()
	select {
	case e, ok := <-c.events:
		if !ok {
			t.Fatal("the stream ended before the expected event")
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20s (the test's overall limit, not a timing assertion)")
	}
	return event{}
}

// endReason reads events until the final one and returns its reason; the
// objects received on the way are returned too.
func (c *client) untilEnd(t *testing.T) (reason string, got []event) {
	t.Helper()
	for {
		e := c.next(t)
		if e.Event == "end" {
			var v struct{ Reason, Message string }
			if err := json.Unmarshal([]byte(e.Data), &v); err != nil {
				t.Fatalf("end event data %q: %v", e.Data, err)
			}
			if v.Message == "" {
				t.Errorf("end event %q has no message", e.Data)
			}
			// Nothing follows the final event.
			if _, ok := <-c.events; ok {
				t.Error("an event followed the end event")
			}
			return v.Reason, got
		}
		got = append(got, e)
	}
}

// waitFor polls cond until it holds (the test's limit stops it).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ids(objs []bloc.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = strconv.FormatInt(o.Seq, 10)
	}
	return out
}

func eventIDs(es []event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
