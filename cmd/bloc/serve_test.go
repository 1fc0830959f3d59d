package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc/sqlite"
)

// liveServer is the whole service on a real loopback port over a real
// SQLite file with the built-in record, as `bloc serve` runs it.
type liveServer struct {
	url  string
	db   *sqlite.DB
	srv  *server
	stop func()
}

func startServer(t *testing.T, demo bool) (*liveServer, *demoState) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, db: filepath.Join(t.TempDir(), "bloc.db")}
	db, err := openStore(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)), serveConfig{maxContent: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var st *demoState
	if demo {
		if st, err = setupDemo(ctx, db, srv.reg, srv.taxii); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.run(ctx, ln, 5*time.Second) }()
	ls := &liveServer{url: "http://" + ln.Addr().String(), db: db, srv: srv}
	ls.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
		db.Close()
	}
	t.Cleanup(ls.stop)
	return ls, st
}

func (ls *liveServer) get(t *testing.T, path string, headers ...string) (int, []byte) {
	t.Helper()
	return ls.do(t, "GET", path, nil, headers...)
}

func (ls *liveServer) do(t *testing.T, method, path string, body []byte, headers ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ls.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestRegistryAPI(t *testing.T) {
	ls, _ := startServer(t, false)
	code, body := ls.get(t, "/api/v1/blocs/csto/members?at=2010-01-01")
	if code != 200 {
		t.Fatalf("members: %d %s", code, body)
	}
	var m struct {
		Bloc    string `json:"bloc"`
		At      string `json:"at"`
		Members []struct{ Party string }
	}
	json.Unmarshal(body, &m)
	var codes []string
	for _, x := range m.Members {
		codes = append(codes, x.Party)
	}
	if got := strings.Join(codes, " "); got != "ARM BLR KAZ KGZ RUS TJK UZB" || m.At != "2010-01-01" {
		t.Errorf("members at 2010 over HTTP = %s at %s", got, m.At)
	}
	// The API's JSON is the CLI's JSON.
	c := &cli{t: t, db: ls.db.Path()}
	cliOut := c.ok("members", "csto", "--at", "2010-01-01", "--json")
	var a, b any
	json.Unmarshal(body, &a)
	json.Unmarshal([]byte(cliOut), &b)
	if ja, _ := json.Marshal(a); string(ja) != func() string { jb, _ := json.Marshal(b); return string(jb) }() {
		t.Errorf("API and CLI members JSON differ:\n%s\n%s", body, cliOut)
	}

	for _, tc := range []struct {
		path     string
		code     int
		contains string
	}{
		{"/api/v1/blocs", 200, `"current_name": "Collective Security Treaty Organization"`},
		{"/api/v1/blocs/guam", 200, `"current_name": "Organization for Democracy and Economic Development`},
		{"/api/v1/blocs/csto/timeline", 200, `"standing": "suspended"`},
		{"/api/v1/blocs/csto/changes?from=1999&to=2013", 200, `"kind": "withdrew"`},
		{"/api/v1/blocs/csto/events", 200, `"disputed": true`},
		{"/api/v1/parties", 200, `"party": "UZB"`},
		{"/api/v1/parties/uzb?bloc=csto", 200, `"standing": "suspended"`},
		{"/api/v1/blocs/nope/members", 404, `"code": "not_found"`},
		{"/api/v1/blocs/csto/members?at=2010-02-30", 400, "query parameter at"},
		{"/api/v1/blocs/csto/changes?from=2013", 400, "from and to are required"},
		{"/api/v1/parties/XYZ", 404, `"code": "not_found"`},
		{"/api/v1/nothing", 404, "no API endpoint"},
		{"/healthz", 200, `"ok"`},
		{"/readyz", 200, `"ready"`},
		{"/metrics", 200, `bloc_http_requests_total{code="404",surface="api"}`},
	} {
		code, body := ls.get(t, tc.path)
		if code != tc.code || !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s = %d %s\nwant %d containing %s", tc.path, code, truncate(string(body), 300), tc.code, tc.contains)
		}
	}
}

func TestRegistrarAPI(t *testing.T) {
	ls, _ := startServer(t, false)
	c := &cli{t: t, db: ls.db.Path()}
	c.ok("agency", "add", "KAZ", "Secretariat desk", "--id", "kaz-desk")
	var reg, rd struct{ Token string }
	json.Unmarshal([]byte(c.ok("token", "create", "kaz-desk", "--role", "registrar", "--json")), &reg)
	json.Unmarshal([]byte(c.ok("token", "create", "kaz-desk", "--role", "read", "--json")), &rd)

	event := []byte(`{"records":[{"party":"SRB","kind":"statement","date":"2026-01","source":{"title":"test"}}]}`)
	if code, body := ls.do(t, "POST", "/api/v1/blocs/csto/events", event); code != 401 || !strings.Contains(string(body), "registrar token") {
		t.Errorf("anonymous write = %d %s", code, body)
	}
	if code, body := ls.do(t, "POST", "/api/v1/blocs/csto/events", event, "Authorization", "Bearer "+rd.Token); code != 403 {
		t.Errorf("read-role write = %d %s", code, body)
	}
	code, body := ls.do(t, "POST", "/api/v1/blocs/csto/events", event, "Authorization", "Bearer "+reg.Token, "Content-Type", "application/json")
	if code != 201 || !strings.Contains(string(body), `"kind": "statement"`) {
		t.Fatalf("registrar write = %d %s", code, body)
	}
	bad := []byte(`{"records":[{"party":"KAZ","kind":"acceded","date":"2001"}]}`)
	if code, body := ls.do(t, "POST", "/api/v1/blocs/csto/events", bad, "Authorization", "Bearer "+reg.Token); code != 409 || !strings.Contains(string(body), "already a member") {
		t.Errorf("impossible transition = %d %s", code, body)
	}
	if code, body := ls.do(t, "POST", "/api/v1/blocs/csto/events", []byte(`{"recrds":[]}`), "Authorization", "Bearer "+reg.Token); code != 400 || !strings.Contains(string(body), "recrds") {
		t.Errorf("misspelt field = %d %s", code, body)
	}
	big := bytes.Repeat([]byte("x"), 11<<20)
	if code, _ := ls.do(t, "POST", "/api/v1/blocs/csto/events", big, "Authorization", "Bearer "+reg.Token); code != 413 && code != 400 {
		t.Errorf("oversize body = %d", code)
	}
	code, body = ls.do(t, "POST", "/api/v1/blocs/csto/collections", []byte(`{"title":"Reports","audience":"members"}`), "Authorization", "Bearer "+reg.Token)
	if code != 201 || !strings.Contains(string(body), `"audience": "members"`) {
		t.Errorf("collection = %d %s", code, body)
	}
	if code, body := ls.get(t, "/api/v1/blocs/csto/collections", "Authorization", "Bearer "+reg.Token); code != 200 || !strings.Contains(string(body), `"title": "Reports"`) {
		t.Errorf("collections for the registrar = %d %s", code, body)
	}
	if code, _ := ls.get(t, "/api/v1/blocs/csto/collections"); code != 401 {
		t.Errorf("anonymous collections listing = %d, want 401", code)
	}
	// The statement is visible to everyone at once.
	_, body = ls.get(t, "/api/v1/parties/SRB?bloc=csto")
	if !strings.Contains(string(body), `"kind": "statement"`) {
		t.Errorf("recorded statement not in SRB history: %s", body)
	}
}

// The demo tells the article's story: Uzbekistan's agency reads nothing that
// Kazakhstan's reads; Russia reads what Uzbekistan shares on the bilateral
// channel.
func TestDemoStory(t *testing.T) {
	ls, st := startServer(t, true)
	accept := []string{"Accept", "application/taxii+json;version=2.1"}
	names := func(token, coll string, bloc string) (int, []string) {
		h := append([]string{}, accept...)
		if token != "" {
			h = append(h, "Authorization", "Bearer "+token)
		}
		code, body := ls.get(t, "/"+bloc+"/collections/"+coll+"/objects/", h...)
		var env struct {
			Objects []struct {
				Type, Name string
			}
		}
		json.Unmarshal(body, &env)
		var out []string
		for _, o := range env.Objects {
			if o.Type != "extension-definition" {
				out = append(out, o.Name)
			}
		}
		return code, out
	}
	code, kaz := names(st.tokens["kaz-demo-knb"], st.threats.ID, "csto")
	if code != 200 || len(kaz) != 4 {
		t.Errorf("KAZ reads %d objects (%d): %q; want GREEN, AMBER, AMBER+STRICT and RED", len(kaz), code, kaz)
	}
	code, arm := names(st.tokens["arm-demo-nss"], st.threats.ID, "csto")
	if code != 200 || len(arm) != 2 {
		t.Errorf("ARM reads %d objects: %q; want GREEN and AMBER", len(arm), arm)
	}
	code, uzb := names(st.tokens["uzb-demo-sgb"], st.threats.ID, "csto")
	if code != 404 || len(uzb) != 0 {
		t.Errorf("UZB (former member) got %d with %q; want 404 and nothing", code, uzb)
	}
	code, pub := names(st.tokens["uzb-demo-sgb"], st.public.ID, "csto")
	if code != 200 || len(pub) != 1 {
		t.Errorf("UZB reads the public collection: %d %q; want the one CLEAR advisory", code, pub)
	}
	code, anon := names("", st.public.ID, "csto")
	if code != 200 || len(anon) != 1 {
		t.Errorf("anonymous reads the public collection: %d %q", code, anon)
	}
	code, rus := names(st.tokens["rus-demo-fsb"], st.channel.ID, "rus-uzb")
	if code != 200 || len(rus) != 1 {
		t.Errorf("RUS reads the bilateral channel: %d %q; want UZB's indicator", code, rus)
	}
	code, kazch := names(st.tokens["kaz-demo-knb"], st.channel.ID, "rus-uzb")
	if code != 404 || len(kazch) != 0 {
		t.Errorf("KAZ, not a party to the channel, got %d %q", code, kazch)
	}
	// A second start of the demo on the same database works and adds no
	// duplicate objects.
	st2, err := setupDemo(context.Background(), ls.db, ls.srv.reg, ls.srv.taxii)
	if err != nil {
		t.Fatalf("second demo setup: %v", err)
	}
	if _, again := names(st2.tokens["kaz-demo-knb"], st2.threats.ID, "csto"); len(again) != 4 {
		t.Errorf("after a second demo start KAZ reads %d objects, want 4", len(again))
	}
}

// The push stream is wired into the service: a member's stream replays
// what it may read; a former member's is refused like a missing
// collection.
func TestStreamThroughServe(t *testing.T) {
	ls, st := startServer(t, true)
	open := func(token string) (*http.Response, error) {
		req, _ := http.NewRequest("GET", ls.url+"/csto/collections/"+st.threats.ID+"/stream?added_after=2000-01-01T00:00:00Z", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/event-stream")
		return http.DefaultClient.Do(req)
	}
	res, err := open(st.tokens["kaz-demo-knb"])
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("KAZ stream: %d %s", res.StatusCode, b)
	}
	// Read the four replayed events, then close.
	buf := make([]byte, 0, 1<<16)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(string(buf), "data: ") < 4 && time.Now().Before(deadline) {
		chunk := make([]byte, 4096)
		n, err := res.Body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			break
		}
	}
	res.Body.Close()
	if got := strings.Count(string(buf), "data: "); got < 4 {
		t.Errorf("KAZ stream replayed %d events, want 4:\n%s", got, buf)
	}
	res, err = open(st.tokens["uzb-demo-sgb"])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("UZB stream: %d, want 404", res.StatusCode)
	}
}
