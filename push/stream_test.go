package push_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
)

// A client killed mid-stream resumes with Last-Event-ID and receives
// exactly the readable objects it missed, in order, none twice.
func TestStreamOrderAndResume(t *testing.T) {
	for _, noHijack := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoHijack=%v", noHijack), func(t *testing.T) {
			testStreamOrderAndResume(t, newFixture(t, func(c *push.Config) { c.NoHijack = noHijack }))
		})
	}
}

func testStreamOrderAndResume(t *testing.T, f *fixture) {
	// ARM reads: CLEAR, GREEN, AMBER (members); not RED produced by KAZ
	// and naming nobody in ARM.
	var want []bloc.Object
	pub := func(n int) {
		for i := 0; i < n; i++ {
			tlp := []bloc.TLP{bloc.TLPClear, bloc.TLPGreen, bloc.TLPAmber, bloc.TLPRed}[i%4]
			o := f.object("indicator", tlp, 10)
			if tlp == bloc.TLPRed {
				o.Recipients = bloc.Recipients{Identities: []string{uzbIdent}}
			}
			stored := f.publish(collID, o)
			if tlp != bloc.TLPRed {
				want = append(want, stored...)
			}
		}
	}
	c, _ := f.open("arm-nss", "", "")
	pub(12) // 9 readable
	var got []event
	for range 5 {
		got = append(got, c.next(t))
	}
	c.close() // the client dies mid-stream
	pub(12)   // 9 more while it is away
	resume := got[len(got)-1].ID
	c2, _ := f.open("arm-nss", "", resume)
	for len(got) < len(want) {
		got = append(got, c2.next(t))
	}
	// Nothing more than that: the next event is a new sentinel.
	sentinel := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := c2.next(t); e.ID != ids(sentinel)[0] {
		t.Errorf("after the expected events came %s, want the sentinel %s", e.ID, ids(sentinel)[0])
	}
	if !slices.Equal(eventIDs(got), ids(want)) {
		t.Errorf("event ids\n got %v\nwant %v", eventIDs(got), ids(want))
	}
	for i, e := range got {
		if e.Data != string(want[i].Raw) {
			t.Errorf("event %s data %s, want %s", e.ID, e.Data, want[i].Raw)
		}
	}
}

func TestStreamStartsNowWithoutResumePoint(t *testing.T) {
	f := newFixture(t)
	f.publish(collID, f.object("indicator", bloc.TLPGreen, 1), f.object("indicator", bloc.TLPGreen, 1))
	c, _ := f.open("kaz-knb", "", "")
	newer := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := c.next(t); e.ID != ids(newer)[0] {
		t.Errorf("first event %s, want %s (objects stored before the stream opened are not sent without a resume point)", e.ID, ids(newer)[0])
	}
}

func TestStreamAddedAfterReplays(t *testing.T) {
	f := newFixture(t)
	old := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	mid := f.publish(collID, f.object("malware", bloc.TLPGreen, 1), f.object("indicator", bloc.TLPAmber, 1))
	after := old[0].DateAdded.Format("2006-01-02T15:04:05.000000Z")
	c, _ := f.open("kaz-knb", "?added_after="+after, "")
	live := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	want := append(ids(mid), ids(live)...)
	var got []string
	for range want {
		got = append(got, c.next(t).ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("added_after: got %v, want %v", got, want)
	}
}

func TestStreamFiltersAndManifest(t *testing.T) {
	f := newFixture(t)
	objs := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1), f.object("malware", bloc.TLPGreen, 1), f.object("indicator", bloc.TLPGreen, 1))
	from := "0"
	byType, _ := f.open("kaz-knb", "?match[type]=malware", from)
	byID, _ := f.open("kaz-knb", "?match[id]="+objs[2].ID+","+objs[1].ID, from)
	manifest, _ := f.open("kaz-knb", "?view=manifest&match[type]=indicator", from)
	sentinel := f.publish(collID, f.object("malware", bloc.TLPGreen, 1), f.object("indicator", bloc.TLPGreen, 1))

	check := func(name string, c *client, want []string) []event {
		t.Helper()
		var got []event
		for range want {
			got = append(got, c.next(t))
		}
		if !slices.Equal(eventIDs(got), want) {
			t.Errorf("%s: got %v, want %v", name, eventIDs(got), want)
		}
		return got
	}
	check("match[type]=malware", byType, []string{ids(objs)[1], ids(sentinel)[0]})
	check("match[id]", byID, []string{ids(objs)[1], ids(objs)[2]})
	got := check("manifest", manifest, []string{ids(objs)[0], ids(objs)[2], ids(sentinel)[1]})
	var entry map[string]string
	if err := json.Unmarshal([]byte(got[0].Data), &entry); err != nil {
		t.Fatal(err)
	}
	wantEntry := map[string]string{"id": objs[0].ID, "version": objs[0].Version, "date_added": objs[0].DateAdded.Format("2006-01-02T15:04:05.000000Z"), "media_type": "application/stix+json;version=2.1"}
	if fmt.Sprint(entry) != fmt.Sprint(wantEntry) {
		t.Errorf("manifest entry %v, want %v", entry, wantEntry)
	}
}

func TestStreamMultilineJSONIsCompacted(t *testing.T) {
	f := newFixture(t)
	c, _ := f.open("kaz-knb", "", "")
	o := f.object("indicator", bloc.TLPGreen, 1)
	o.Raw = []byte("{\n  \"type\": \"indicator\",\n  \"id\": \"" + o.ID + "\"\n}")
	f.publish(collID, o)
	if e := c.next(t); e.Data != `{"type":"indicator","id":"`+o.ID+`"}` {
		t.Errorf("data %q", e.Data)
	}
}

func TestStreamRefusals(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, agency, path, lastID string
		status                     int
	}{
		{"former member", "uzb-sgb", "/csto/collections/" + collID + "/stream", "", http.StatusNotFound},
		{"anonymous on a members collection", "", "/csto/collections/" + collID + "/stream", "", http.StatusNotFound},
		{"unknown collection", "kaz-knb", "/csto/collections/3b3c6a4e-52c1-4a0e-9d38-6f1c0e2f7a13/stream", "", http.StatusNotFound},
		{"collection of another root", "kaz-knb", "/sco/collections/" + collID + "/stream", "", http.StatusNotFound},
		{"bad Last-Event-ID", "kaz-knb", "/csto/collections/" + collID + "/stream", "abc", http.StatusBadRequest},
		{"bad added_after", "kaz-knb", "/csto/collections/" + collID + "/stream?added_after=yesterday", "", http.StatusBadRequest},
		{"unknown parameter", "kaz-knb", "/csto/collections/" + collID + "/stream?match[version]=all", "", http.StatusBadRequest},
		{"bad view", "kaz-knb", "/csto/collections/" + collID + "/stream?view=objects2", "", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, resp := f.openPath(tc.agency, tc.path, tc.lastID)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			var msg map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
				t.Fatalf("error body: %v", err)
			}
			if msg["description"] == "" || msg["http_status"] != fmt.Sprint(tc.status) {
				t.Errorf("TAXII error message %v", msg)
			}
		})
	}
	// A bad token is 401 with the TAXII error body.
	f.tokens["nobody"] = "bloc_tok0000000000000000_secret"
	_, resp := f.openPath("nobody", "/csto/collections/"+collID+"/stream", "")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: status %d, want 401", resp.StatusCode)
	}
}

// A withdrawal recorded ahead of time, for an instant ~300 ms away, ends
// the stream at that instant (not before), and nothing is sent after it.
func TestStreamEndsAtRecordedTransition(t *testing.T) {
	f := newFixture(t)
	c, _ := f.open("arm-nss", "", "")
	before := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := c.next(t); e.ID != ids(before)[0] {
		t.Fatalf("first event %s, want %s", e.ID, ids(before)[0])
	}
	at := time.Now().Add(300 * time.Millisecond).UTC()
	f.appendRecords(bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew, Date: bloc.InstantOf(at)})
	f.srv.RecordChanged()
	reason, got := c.untilEnd(t)
	if ended := time.Now(); ended.Before(at) {
		t.Errorf("the stream ended at %s, before the withdrawal took effect at %s", ended.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano))
	}
	if reason != push.ReasonAccess {
		t.Errorf("end reason %q, want %q", reason, push.ReasonAccess)
	}
	for _, e := range got {
		t.Errorf("unexpected event %s before the end", e.ID)
	}
	// Objects stored after the withdrawal reach no stream of ARM: a new one is refused.
	if _, resp := f.open("arm-nss", "", "0"); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("reopening after the withdrawal: want 404")
	}
	// A KAZ stream is unaffected by ARM's withdrawal.
	k, _ := f.open("kaz-knb", "", "")
	o := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := k.next(t); e.ID != ids(o)[0] {
		t.Errorf("KAZ stream: event %s, want %s", e.ID, ids(o)[0])
	}
}

func TestStreamEndsWhenTokenRevoked(t *testing.T) {
	for _, noHijack := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoHijack=%v", noHijack), func(t *testing.T) {
			testTokenRevoked(t, newFixture(t, func(c *push.Config) { c.NoHijack = noHijack }))
		})
	}
}

func testTokenRevoked(t *testing.T, f *fixture) {
	c, _ := f.open("kaz-knb", "", "")
	o := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := c.next(t); e.ID != ids(o)[0] {
		t.Fatalf("event %s, want %s", e.ID, ids(o)[0])
	}
	f.must(f.db.RevokeToken(f.ctx, f.tokIDs["kaz-knb"], time.Time{}))
	reason, got := c.untilEnd(t)
	if reason != push.ReasonTokenRevoked || len(got) != 0 {
		t.Errorf("end reason %q after %d events, want %q after none", reason, len(got), push.ReasonTokenRevoked)
	}
	if _, resp := f.open("kaz-knb", "", ""); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reopening with the revoked token: want 401")
	}
}

func TestStreamEndsWhenTokenExpires(t *testing.T) {
	f := newFixture(t)
	expires := time.Now().Add(300 * time.Millisecond).UTC()
	f.newToken("kaz-knb", expires)
	c, _ := f.open("kaz-knb", "", "")
	reason, _ := c.untilEnd(t)
	if reason != push.ReasonTokenExpired {
		t.Errorf("end reason %q, want %q", reason, push.ReasonTokenExpired)
	}
	if time.Now().Before(expires) {
		t.Error("the stream ended before the token expired")
	}
}

// A subscriber that stops reading is ended (overflow) while a healthy one
// beside it receives everything; after reconnecting with its last id the
// stalled one gets the rest, so nothing is lost.
func TestStalledSubscriberBesideHealthyOne(t *testing.T) {
	for _, noHijack := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoHijack=%v", noHijack), func(t *testing.T) {
			testStalled(t, newFixture(t, func(c *push.Config) { c.Buffer = 4; c.WriteTimeout = time.Minute; c.NoHijack = noHijack }))
		})
	}
}

func testStalled(t *testing.T, f *fixture) {
	stalled := dialStalled(t, f, "kaz-knb")
	healthy, _ := f.open("kaz-knb", "", "")
	var all []bloc.Object
	for i := 0; i < 300; i++ {
		o := f.publish(collID, f.object("indicator", bloc.TLPGreen, 4000))
		all = append(all, o...)
		if e := healthy.next(t); e.ID != ids(o)[0] {
			t.Fatalf("healthy subscriber: event %s, want %s", e.ID, ids(o)[0])
		}
	}
	// The hub ends the stalled subscription without waiting for it: its
	// stream is still blocked writing to a client that does not read.
	waitFor(t, "the stalled subscriber to be ended", func() bool { return f.srv.Stats().Hub.Overflows >= 1 })
	if n := f.srv.Stats().Hub.Overflows; n != 1 {
		t.Errorf("%d subscriptions ended by overflow, want 1 (only the stalled one)", n)
	}
	// The stalled client reads now: a prefix of the events, then the end.
	got, reason := stalled.readAll(t)
	if reason != push.ReasonOverflow {
		t.Fatalf("stalled subscriber's end reason %q, want %q", reason, push.ReasonOverflow)
	}
	if len(got) == 0 || len(got) >= len(all) {
		t.Fatalf("stalled subscriber got %d of %d events before the end", len(got), len(all))
	}
	resumed, _ := f.open("kaz-knb", "", got[len(got)-1])
	for len(got) < len(all) {
		got = append(got, resumed.next(t).ID)
	}
	if !slices.Equal(got, ids(all)) {
		t.Errorf("stalled then resumed subscriber: ids differ from what was published\n got %v\nwant %v", got, ids(all))
	}
}

// stalledClient is a raw connection with a tiny receive buffer that reads
// nothing until told to.
type stalledClient struct {
	conn net.Conn
}

func dialStalled(t *testing.T, f *fixture, agency string) *stalledClient {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", f.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /csto/collections/%s/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", collID, f.tokens[agency])
	// Wait until the server has registered the stream, reading nothing.
	waitFor(t, "the stalled stream to open", func() bool { return f.srv.Stats().Streams >= 1 })
	return &stalledClient{conn: conn}
}

// readAll reads the response to its end: the ids of the object events and
// the final event's reason.
func (s *stalledClient) readAll(t *testing.T) (ids []string, reason string) {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(s.conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan event, 100000)
	go readEvents(resp, events)
	for e := range events {
		if e.Event == "end" {
			var v struct{ Reason string }
			json.Unmarshal([]byte(e.Data), &v)
			reason = v.Reason
			break
		}
		ids = append(ids, e.ID)
	}
	io.Copy(io.Discard, resp.Body)
	return ids, reason
}

func TestShutdownEndsStreams(t *testing.T) {
	f := newFixture(t)
	c, _ := f.open("kaz-knb", "", "")
	waitFor(t, "the stream to open", func() bool { return f.srv.Stats().Streams == 1 })
	f.srv.Shutdown()
	if reason, _ := c.untilEnd(t); reason != push.ReasonShutdown {
		t.Errorf("end reason %q, want %q", reason, push.ReasonShutdown)
	}
	if _, resp := f.open("kaz-knb", "", ""); resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Error("a stream opened during shutdown: want 503")
	}
}

// Wrap serves the streams and hands everything else to the wrapped handler.
func TestWrapPassesOtherRequests(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]string{
		"/csto/collections/" + collID + "/objects/": "taxii /csto/collections/" + collID + "/objects/",
		"/taxii2/":                          "taxii /taxii2/",
		"/csto/collections/" + collID + "/": "taxii /csto/collections/" + collID + "/",
		"/api/collections/x/stream/extra":   "taxii /api/collections/x/stream/extra",
	} {
		resp, err := http.Get(f.http.URL + path)
		f.must(err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Errorf("GET %s: %q, want %q", path, body, want)
		}
	}
	// With a trailing slash, as TAXII paths are written, it is a stream.
	c, _ := f.openPath("kaz-knb", "/csto/collections/"+collID+"/stream/", "")
	o := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	if e := c.next(t); e.ID != ids(o)[0] {
		t.Errorf("stream/ : event %s, want %s", e.ID, ids(o)[0])
	}
}

// Anonymous readers stream a public collection and get TLP:CLEAR only.
func TestStreamAnonymousPublic(t *testing.T) {
	f := newFixture(t)
	const pub = "3b3c6a4e-52c1-4a0e-9d38-6f1c0e2f7a14"
	f.must(f.db.CreateCollection(f.ctx, bloc.Collection{ID: pub, Bloc: "csto", Title: "Public", Audience: bloc.AudiencePublic}))
	c, resp := f.openPath("", "/csto/collections/"+pub+"/stream", "")
	if c == nil {
		t.Fatalf("anonymous stream of a public collection: status %d", resp.StatusCode)
	}
	green := f.publish(pub, f.object("indicator", bloc.TLPGreen, 1))
	clear := f.publish(pub, f.object("indicator", bloc.TLPClear, 1))
	if e := c.next(t); e.ID != ids(clear)[0] {
		t.Errorf("anonymous reader got %s, want only the CLEAR object %s (not the GREEN %s)", e.ID, ids(clear)[0], ids(green)[0])
	}
}
