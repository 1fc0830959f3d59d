package taxii_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
	"github.com/blocsec/bloc/stix"
	"github.com/blocsec/bloc/taxii"
)

// world is a running TAXII server over a real SQLite store, with the CSTO
// story: Kazakhstan, Russia and Armenia members (a test may record
// Armenia's withdrawal with withdraw), Uzbekistan a former member since
// 2012-12-19; and a bilateral UZB–RUS bloc.
type world struct {
	t       testing.TB
	db      *sqlite.DB
	srv     *httptest.Server
	members bloc.Collection // csto, audience members
	public  bloc.Collection // csto, audience public
	bilat   bloc.Collection // uzb-rus, audience members
	tokens  map[string]string
	ids     map[string]string // agency → identity
}

type options struct {
	maxContent int64
	onStored   func(bloc.Collection, []bloc.Object)
	scanBudget int
	blocName   func(ctx context.Context, bloc string, t time.Time) string
	logger     *slog.Logger
}

func newWorld(t testing.TB, o options) *world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "Collective Security Treaty Organization", Founded: bloc.MustDate("1992-05-15")}))
	must(db.CreateBloc(ctx, bloc.Bloc{Slug: "uzb-rus", Name: "Uzbekistan–Russia bilateral channel", Founded: bloc.MustDate("2015-01-01"), Demo: true}))
	for _, p := range []bloc.Party{{Code: "KAZ", Name: "Kazakhstan"}, {Code: "RUS", Name: "Russia"}, {Code: "ARM", Name: "Armenia"}, {Code: "UZB", Name: "Uzbekistan"}} {
		must(db.CreateParty(ctx, p))
	}
	w := &world{t: t, db: db, tokens: map[string]string{}, ids: map[string]string{}}
	src := bloc.Source{Title: "test fixture"}
	rec := func(b, p string, k bloc.Kind, d bloc.Date) bloc.Record {
		return bloc.Record{Bloc: b, Party: p, Kind: k, Date: d, Source: src}
	}
	recs := []bloc.Record{
		rec("csto", "KAZ", bloc.KindSigned, bloc.MustDate("1992-05-15")),
		rec("csto", "RUS", bloc.KindSigned, bloc.MustDate("1992-05-15")),
		rec("csto", "ARM", bloc.KindSigned, bloc.MustDate("1992-05-15")),
		rec("csto", "UZB", bloc.KindSigned, bloc.MustDate("1992-05-15")),
		rec("csto", "UZB", bloc.KindLapsed, bloc.MustDate("1999-04-02")),
		rec("csto", "UZB", bloc.KindAcceded, bloc.MustDate("2006-08-16")),
		rec("csto", "UZB", bloc.KindWithdrew, bloc.MustDate("2012-12-19")),
		rec("uzb-rus", "UZB", bloc.KindSigned, bloc.MustDate("2015-01-01")),
		rec("uzb-rus", "RUS", bloc.KindSigned, bloc.MustDate("2015-01-01")),
	}
	_, err = db.Append(ctx, []string{"csto", "uzb-rus"}, func([]bloc.Record) ([]bloc.Record, error) { return recs, nil })
	must(err)
	reg := registry.New(db) // the service the server is wired to in cmd/bloc

	for _, a := range []struct{ id, party string }{{"kaz-knb", "KAZ"}, {"rus-fsb", "RUS"}, {"arm-nss", "ARM"}, {"uzb-sgb", "UZB"}} {
		ident := stix.NewIdentifier("identity")
		w.ids[a.id] = ident
		must(db.CreateAgency(ctx, bloc.Agency{ID: a.id, Party: a.party, Name: a.id, Identity: ident}))
		for _, role := range []bloc.Role{bloc.RoleRead, bloc.RoleWrite} {
			tok, s, err := auth.NewToken(a.id, role)
			must(err)
			must(db.CreateToken(ctx, tok))
			w.tokens[a.id+"/"+string(role)] = s
		}
	}
	mkColl := func(b, title string, aud bloc.Audience) bloc.Collection {
		c := bloc.Collection{ID: strings.TrimPrefix(stix.NewIdentifier("x"), "x--"), Bloc: b, Title: title, Audience: aud}
		must(db.CreateCollection(ctx, c))
		return c
	}
	w.members = mkColl("csto", "CSTO members", bloc.AudienceMembers)
	w.public = mkColl("csto", "CSTO public", bloc.AudiencePublic)
	w.bilat = mkColl("uzb-rus", "UZB-RUS channel", bloc.AudienceMembers)

	h := taxii.New(taxii.Config{Store: db, Records: db, Standings: reg, MaxContentLength: o.maxContent, OnStored: o.onStored, ScanBudget: o.scanBudget, BlocName: o.blocName, Logger: o.logger})
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

// withdraw records that party withdraws from csto at instant at, known to
// the instant (as a withdrawal announced for a set time is).
func (w *world) withdraw(party string, at time.Time) {
	w.t.Helper()
	r := bloc.Record{Bloc: "csto", Party: party, Kind: bloc.KindWithdrew, Date: bloc.InstantOf(at), Source: bloc.Source{Title: "test fixture"}}
	if _, err := w.db.Append(context.Background(), []string{"csto"}, func([]bloc.Record) ([]bloc.Record, error) { return []bloc.Record{r}, nil }); err != nil {
		w.t.Fatal(err)
	}
}

// response is one HTTP exchange's outcome.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// req is one request: who (an agency/role key of w.tokens, or "" for
// anonymous), with optional overrides.
type req struct {
	method, path, who string
	body              any
	accept            *string // nil: the TAXII media type
	contentType       *string // nil: the TAXII media type when there is a body
	authz             string  // overrides the Bearer header
}

func str(s string) *string { return &s }

func (w *world) do(r req) response {
	w.t.Helper()
	var body io.Reader
	if r.body != nil {
		switch b := r.body.(type) {
		case []byte:
			body = bytes.NewReader(b)
		case string:
			body = strings.NewReader(b)
		default:
			enc, err := json.Marshal(b)
			if err != nil {
				w.t.Fatal(err)
			}
			body = bytes.NewReader(enc)
		}
	}
	method := r.method
	if method == "" {
		method = "GET"
	}
	hr, err := http.NewRequest(method, w.srv.URL+r.path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if r.accept == nil {
		hr.Header.Set("Accept", taxii.MediaTypeTAXII)
	} else if *r.accept != "" {
		hr.Header.Set("Accept", *r.accept)
	}
	if r.contentType != nil {
		if *r.contentType != "" {
			hr.Header.Set("Content-Type", *r.contentType)
		}
	} else if body != nil {
		hr.Header.Set("Content-Type", taxii.MediaTypeTAXII)
	}
	switch {
	case r.authz != "":
		hr.Header.Set("Authorization", r.authz)
	case r.who != "":
		tok, ok := w.tokens[r.who]
		if !ok {
			w.t.Fatalf("no token %q", r.who)
		}
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// wantError checks an error response: the status and a TAXII error message
// whose http_status is the status as a string and whose description
// contains each of the given fragments.
func wantError(t *testing.T, r response, status int, fragments ...string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != taxii.MediaTypeTAXII {
		t.Errorf("error Content-Type %q, want %q", ct, taxii.MediaTypeTAXII)
	}
	m := r.json(t)
	if m["http_status"] != fmt.Sprint(status) {
		t.Errorf("http_status %v, want %q", m["http_status"], fmt.Sprint(status))
	}
	if m["title"] != http.StatusText(status) {
		t.Errorf("title %v, want %q", m["title"], http.StatusText(status))
	}
	desc, _ := m["description"].(string)
	for _, f := range fragments {
		if !strings.Contains(desc, f) {
			t.Errorf("description %q does not contain %q", desc, f)
		}
	}
	return m
}

// Paths.
func collPath(c bloc.Collection) string    { return "/" + c.Bloc + "/collections/" + c.ID + "/" }
func objectsPath(c bloc.Collection) string { return collPath(c) + "objects/" }

// STIX objects.
const (
	tlpClear  = stix.TLP2Clear
	tlpGreen  = stix.TLP2Green
	tlpAmber  = stix.TLP2Amber
	tlpStrict = stix.TLP2AmberStrict
	tlpRed    = stix.TLP2Red
)

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// indicator returns a valid STIX 2.1 indicator. version counts from base.
func indicator(id string, version int, marking string, extra map[string]any) map[string]any {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id,
		"created":      stamp(base),
		"modified":     stamp(base.Add(time.Duration(version) * time.Minute)),
		"name":         "test indicator",
		"pattern":      "[ipv4-addr:value = '198.51.100.1']",
		"pattern_type": "stix",
		"valid_from":   stamp(base),
	}
	if marking != "" {
		o["object_marking_refs"] = []string{marking}
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func recipients(identities ...string) map[string]any {
	return map[string]any{"extensions": map[string]any{stix.ExtensionID: map[string]any{
		"extension_type": "property-extension", "recipient_identities": identities}}}
}

func envelope(objs ...map[string]any) map[string]any {
	list := make([]any, len(objs))
	for i, o := range objs {
		list[i] = o
	}
	return map[string]any{"objects": list}
}

func newID() string { return stix.NewIdentifier("indicator") }

// post posts an envelope and returns the status resource.
func (w *world) post(who string, c bloc.Collection, objs ...map[string]any) map[string]any {
	w.t.Helper()
	r := w.do(req{method: "POST", path: objectsPath(c), who: who, body: envelope(objs...)})
	if r.status != http.StatusAccepted {
		w.t.Fatalf("POST: status %d, want 202; %s", r.status, r.body)
	}
	return r.json(w.t)
}

// ids lists the "id" (or id@version with versions) of a list of objects
// or manifest records.
func idsOf(list any, withVersion bool) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		m := it.(map[string]any)
		s := m["id"].(string)
		if withVersion {
			v, _ := m["version"].(string)
			if v == "" {
				v, _ = m["modified"].(string)
			}
			s += "@" + v
		}
		out = append(out, s)
	}
	return out
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}
