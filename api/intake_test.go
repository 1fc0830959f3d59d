package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/builtin"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// intakeServer is the API on a real SQLite file holding the built-in
// record, served on 127.0.0.1, with a registrar token and a read token of
// Kazakhstan's service (a CSTO member) and a public CSTO collection.
type intakeServer struct {
	url        string
	db         *sqlite.DB
	registrar  string
	reader     string
	collection string
}

func newIntakeServer(t *testing.T) *intakeServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	parties, err := builtin.Parties()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parties {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	blocs, err := builtin.Blocs()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocs {
		if err := db.CreateBloc(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := builtin.Rows()
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]bloc.Record, len(rows))
	for i, r := range rows {
		recs[i] = r.Record
	}
	reg := registry.New(db)
	if _, err := reg.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	rs := registrar.New(db, reg)
	if _, err := rs.AddAgency(ctx, "KAZ", "National Security Committee", "kaz-knb", false); err != nil {
		t.Fatal(err)
	}
	_, regSecret, err := rs.CreateToken(ctx, "kaz-knb", bloc.RoleRegistrar, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	_, readSecret, err := rs.CreateToken(ctx, "kaz-knb", bloc.RoleRead, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: "csto", Title: "Open sources", Audience: bloc.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(reg, db, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return &intakeServer{url: srv.URL, db: db, registrar: regSecret, reader: readSecret, collection: c.ID}
}

// do sends a request and returns the status and body.
func (s *intakeServer) do(t *testing.T, method, path, token, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (s *intakeServer) want(t *testing.T, status int, method, path, token, contentType, body string, v any) {
	t.Helper()
	got, b := s.do(t, method, path, token, contentType, body)
	if got != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, got, status, b)
	}
	if v != nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type apiProposal struct {
	ID, Article, Bloc, Party, Kind, Date, Precision, Quote, Compared, Status string
	NewName                                                                  string `json:"new_name"`
	Confidence                                                               float64
	Reason                                                                   string
	Uncertain                                                                bool
	Event                                                                    int64
	Existing                                                                 []json.RawMessage
	DecidedAt                                                                string `json:"decided_at"`
	DecidedBy                                                                string `json:"decided_by"`
	Note                                                                     string
	Record                                                                   int64
}

type apiIntake struct {
	Article   string
	Created   bool
	Report    map[string]any
	Proposals []apiProposal
	Stored    *struct {
		Collection, Agency string
		Stored, Already    []string
		Refused            []string
	}
}

type apiError struct {
	Error struct {
		Code, Message string
		Details       []string
	}
}

func TestIntakeAPIAuth(t *testing.T) {
	s := newIntakeServer(t)
	article := readFile(t, "../testdata/intake/uzbekistan-csto-tass.txt")
	for _, c := range []struct {
		method, path string
	}{
		{"POST", "/api/v1/intake"}, {"GET", "/api/v1/intake/proposals"},
		{"POST", "/api/v1/intake/proposals/prop-1/accept"}, {"POST", "/api/v1/intake/proposals/prop-1/reject"},
	} {
		var e apiError
		s.want(t, http.StatusUnauthorized, c.method, c.path, "", "text/plain", article, &e)
		if e.Error.Code != bloc.EUNAUTH {
			t.Errorf("%s %s without a token: code %s", c.method, c.path, e.Error.Code)
		}
		s.want(t, http.StatusUnauthorized, c.method, c.path, "bloc_nope_nope", "text/plain", article, &e)
		s.want(t, http.StatusForbidden, c.method, c.path, s.reader, "text/plain", article, &e)
		if !strings.Contains(e.Error.Message, "needs a registrar token") {
			t.Errorf("%s %s with a read token: %q", c.method, c.path, e.Error.Message)
		}
	}
	// Nothing was taken in.
	var list struct{ Proposals []apiProposal }
	s.want(t, http.StatusOK, "GET", "/api/v1/intake/proposals", s.registrar, "", "", &list)
	if len(list.Proposals) != 0 {
		t.Fatalf("%d proposals after refused requests", len(list.Proposals))
	}
}

func TestIntakeAPIFlow(t *testing.T) {
	s := newIntakeServer(t)
	article := readFile(t, "../testdata/intake/uzbekistan-csto-tass.txt")

	var res apiIntake
	s.want(t, http.StatusCreated, "POST", "/api/v1/intake?published=2021-10-22&publisher=TASS&url=https://tass.com/world/1353121",
		s.registrar, "text/plain; charset=utf-8", article, &res)
	if res.Article != "art-1" || !res.Created || len(res.Proposals) != 15 || res.Report["type"] != "report" || res.Stored != nil {
		t.Fatalf("intake: %s created %v, %d proposals, report %v, stored %v", res.Article, res.Created, len(res.Proposals), res.Report["type"], res.Stored)
	}
	p14 := res.Proposals[13]
	if p14.ID != "prop-14" || p14.Party != "UZB" || p14.Kind != "acceded" || p14.Date != "2006-08" || p14.Precision != "month" || p14.Compared != "recorded" {
		t.Fatalf("prop-14: %+v", p14)
	}

	// The same article as JSON, into a collection: the article is known
	// (200), the STIX objects are stored by the registrar's agency.
	body, _ := json.Marshal(map[string]any{"text": article, "published": "2021-10-22", "publisher": "TASS",
		"url": "https://tass.com/world/1353121", "collection": s.collection})
	s.want(t, http.StatusOK, "POST", "/api/v1/intake", s.registrar, "application/json", string(body), &res)
	if res.Created || res.Stored == nil || len(res.Stored.Stored) != 15 || res.Stored.Agency != "kaz-knb" || res.Stored.Collection != s.collection {
		t.Fatalf("intake into a collection: created %v stored %+v", res.Created, res.Stored)
	}
	objs, err := s.db.Objects(context.Background(), bloc.ObjectQuery{Collection: s.collection, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 15 || objs[0].Type != "report" || objs[0].TLP != bloc.TLPClear || objs[0].Producer != "kaz-knb" {
		t.Fatalf("%d objects; first %s %v by %s", len(objs), objs[0].Type, objs[0].TLP, objs[0].Producer)
	}

	// An HTML page.
	html := readFile(t, "../testdata/intake/sco-iran-2023.html")
	s.want(t, http.StatusCreated, "POST", "/api/v1/intake", s.registrar, "text/html", html, &res)
	if res.Article != "art-2" || len(res.Proposals) == 0 || res.Proposals[0].Bloc != "sco" {
		t.Fatalf("html intake: %s, %+v", res.Article, res.Proposals)
	}

	// Bad requests.
	var e apiError
	s.want(t, http.StatusUnsupportedMediaType, "POST", "/api/v1/intake", s.registrar, "application/pdf", "%PDF", &e)
	s.want(t, http.StatusBadRequest, "POST", "/api/v1/intake", s.registrar, "application/json", `{"txt": "x"}`, &e)
	s.want(t, http.StatusBadRequest, "POST", "/api/v1/intake?published=2021-13", s.registrar, "text/plain", article, &e)
	if !strings.Contains(e.Error.Message, "published") {
		t.Errorf("bad published: %q", e.Error.Message)
	}
	s.want(t, http.StatusBadRequest, "POST", "/api/v1/intake", s.registrar, "text/plain", "   ", &e)
	s.want(t, http.StatusNotFound, "POST", "/api/v1/intake", s.registrar, "application/json", `{"text": "News.", "collection": "nope"}`, &e)
	s.want(t, http.StatusBadRequest, "GET", "/api/v1/intake/proposals?status=maybe", s.registrar, "", "", &e)

	// Review.
	var acc struct {
		Proposal apiProposal
		Record   bloc.Record
	}
	s.want(t, http.StatusCreated, "POST", "/api/v1/intake/proposals/prop-14/accept", s.registrar, "application/json", `{"date": "2006-08-16"}`, &acc)
	if acc.Proposal.Status != "accepted" || acc.Proposal.DecidedBy != "kaz-knb" || acc.Record.RecordedBy != "kaz-knb" ||
		acc.Record.Date.String() != "2006-08-16" || acc.Record.Source.Publisher != "TASS" || acc.Record.Quote != p14.Quote ||
		acc.Proposal.Record != acc.Record.ID || acc.Record.EventID == acc.Record.ID {
		t.Fatalf("accepted: %+v", acc)
	}
	s.want(t, http.StatusConflict, "POST", "/api/v1/intake/proposals/prop-14/accept", s.registrar, "", "", &e)
	if !strings.Contains(e.Error.Message, "decided once") {
		t.Errorf("second accept: %q", e.Error.Message)
	}
	s.want(t, http.StatusBadRequest, "POST", "/api/v1/intake/proposals/prop-15/accept", s.registrar, "application/json", `{"dates": "2012"}`, &e)
	var rej apiProposal
	s.want(t, http.StatusOK, "POST", "/api/v1/intake/proposals/prop-15/reject", s.registrar, "application/json", `{"note": "recorded by hand"}`, &rej)
	if rej.Status != "rejected" || rej.Note != "recorded by hand" || rej.DecidedBy != "kaz-knb" {
		t.Fatalf("rejected: %+v", rej)
	}
	s.want(t, http.StatusConflict, "POST", "/api/v1/intake/proposals/prop-15/reject", s.registrar, "", "", &e)
	s.want(t, http.StatusNotFound, "POST", "/api/v1/intake/proposals/prop-999/reject", s.registrar, "", "", &e)

	var list struct{ Proposals []apiProposal }
	s.want(t, http.StatusOK, "GET", "/api/v1/intake/proposals?status=accepted", s.registrar, "", "", &list)
	if len(list.Proposals) != 1 || list.Proposals[0].ID != "prop-14" {
		t.Fatalf("accepted list: %+v", list.Proposals)
	}
	var one apiProposal
	s.want(t, http.StatusOK, "GET", "/api/v1/intake/proposals/prop-15", s.registrar, "", "", &one)
	if one.Status != "rejected" {
		t.Fatalf("prop-15: %+v", one)
	}
	var art struct {
		ID, Headline, Report, Created string
		TextHash                      string `json:"text_hash"`
		Source                        bloc.Source
		Proposals                     []apiProposal
	}
	s.want(t, http.StatusOK, "GET", "/api/v1/intake/articles/art-1", s.registrar, "", "", &art)
	if art.ID != "art-1" || len(art.Proposals) != 15 || art.Source.Publisher != "TASS" || art.Report != objs[0].ID || len(art.TextHash) != 64 {
		t.Fatalf("article: %+v", art)
	}
}
