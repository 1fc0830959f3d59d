package intakesvc

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/intake"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/standing"
	"github.com/blocsec/bloc/stix"
)

func readCorpus(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("../testdata/intake/uzbekistan-csto-tass.txt")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var corpusOptions = Options{Options: intake.Options{Published: bloc.MustDate("2021-10-22"),
	SourceTitle: "Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat",
	Publisher:   "TASS", URL: "https://tass.com/world/1353121"}}

// brief is a proposal reduced to what the tests compare.
func brief(vs []ProposalView) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.Join([]string{v.Bloc, v.Party, string(v.Kind), v.Date, string(v.Precision), string(v.Compared), string(v.Status)}, " ")
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	if got := bloc.ErrorCode(err); got != code {
		t.Fatalf("%s: %v (code %s), want code %s", what, err, got, code)
	}
}

// The built-in record already holds the corpus article's facts (it was
// built from it): every proposal is a new attestation of a recorded event.
func TestCorpusAgainstBuiltinRecord(t *testing.T) {
	f := newFixture(t, true)
	res, err := f.svc.Intake(t.Context(), readCorpus(t), corpusOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"csto UZB statement 2021-10-22 day recorded pending",
		"csto ARM signed 1992-05-15 day recorded pending",
		"csto KAZ signed 1992-05-15 day recorded pending",
		"csto KGZ signed 1992-05-15 day recorded pending",
		"csto RUS signed 1992-05-15 day recorded pending",
		"csto TJK signed 1992-05-15 day recorded pending",
		"csto UZB signed 1992-05-15 day recorded pending",
		"csto AZE acceded 1993 year recorded pending",
		"csto GEO acceded 1993 year recorded pending",
		"csto BLR acceded 1993 year recorded pending",
		"csto AZE lapsed 1999-04-02 day recorded pending",
		"csto GEO lapsed 1999-04-02 day recorded pending",
		"csto UZB lapsed 1999-04-02 day recorded pending",
		"csto UZB acceded 2006-08 month recorded pending",
		"csto UZB withdrew 2012-12 month recorded pending",
	}
	if got := brief(res.Proposals); !reflect.DeepEqual(got, want) {
		t.Fatalf("proposals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !res.Created || res.Article != "art-1" || res.Proposals[0].ID != "prop-1" || res.Proposals[14].ID != "prop-15" {
		t.Fatalf("article %s created %v, proposals %s…%s", res.Article, res.Created, res.Proposals[0].ID, res.Proposals[14].ID)
	}
	for _, p := range res.Proposals {
		if p.Event == 0 || len(p.Existing) == 0 {
			t.Errorf("%s: recorded but no event (%d) or attestations (%d)", p.ID, p.Event, len(p.Existing))
		}
	}
	// The lapse quote is the corpus sentence, exactly.
	if q := res.Proposals[10].Quote; !strings.Contains(q, "did not sign a protocol on renewing") {
		t.Errorf("lapse quote %q", q)
	}
	if res.Report["type"] != "report" || res.Report["name"] != "Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat" ||
		res.Report["published"] != "2021-10-22T00:00:00.000Z" {
		t.Errorf("report: %v", res.Report)
	}
	if _, ok := res.Report["object_marking_refs"]; ok {
		t.Errorf("without a collection the report is not marked: %v", res.Report["object_marking_refs"])
	}
	a, err := f.svc.Article(t.Context(), "art-1")
	if err != nil {
		t.Fatal(err)
	}
	wantSource := bloc.Source{Title: corpusOptions.SourceTitle, Publisher: "TASS", URL: "https://tass.com/world/1353121", Published: bloc.MustDate("2021-10-22")}
	if a.Source != wantSource || a.Report != res.Report["id"] || len(a.Proposals) != 15 || len(a.TextHash) != 64 {
		t.Fatalf("article view: %+v", a)
	}
}

// compareFixture is an otherwise empty record with Uzbekistan's CSTO
// history from another source: signed on the day, a lapse dated 20 April
// 1999, a return dated 16 August 2006.
func compareFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, false)
	ctx := t.Context()
	if err := f.db.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "Collective Security Treaty", Founded: bloc.MustDate("1992-05-15")}); err != nil {
		t.Fatal(err)
	}
	src := bloc.Source{Title: "Treaty depositary notes", Publisher: "Depositary"}
	_, err := f.reg.Add(ctx, []bloc.Record{
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15"), Source: src},
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"), Source: src, Quote: "The treaty lapsed for Uzbekistan on 20 April 1999."},
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindAcceded, Date: bloc.MustDate("2006-08-16"), Source: src},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCompareWithRecord(t *testing.T) {
	f := compareFixture(t)
	res, err := f.svc.Intake(t.Context(), readCorpus(t), corpusOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"csto UZB statement 2021-10-22 day new pending",
		"csto ARM signed 1992-05-15 day new pending",
		"csto KAZ signed 1992-05-15 day new pending",
		"csto KGZ signed 1992-05-15 day new pending",
		"csto RUS signed 1992-05-15 day new pending",
		"csto TJK signed 1992-05-15 day new pending",
		"csto UZB signed 1992-05-15 day recorded pending",
		"csto AZE acceded 1993 year new pending",
		"csto GEO acceded 1993 year new pending",
		"csto BLR acceded 1993 year new pending",
		"csto AZE lapsed 1999-04-02 day new pending",
		"csto GEO lapsed 1999-04-02 day new pending",
		"csto UZB lapsed 1999-04-02 day disagreement pending",
		"csto UZB acceded 2006-08 month refinement pending",
		"csto UZB withdrew 2012-12 month new pending",
	}
	if got := brief(res.Proposals); !reflect.DeepEqual(got, want) {
		t.Fatalf("proposals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	dis := res.Proposals[12]
	wantExisting := []Attestation{{Record: 2, Date: "1999-04-20", Source: bloc.Source{Title: "Treaty depositary notes", Publisher: "Depositary"},
		Quote: "The treaty lapsed for Uzbekistan on 20 April 1999."}}
	if dis.Event != 2 || !reflect.DeepEqual(dis.Existing, wantExisting) {
		t.Fatalf("disagreement shows event %d, existing %+v; want event 2 and %+v", dis.Event, dis.Existing, wantExisting)
	}
	if res.Proposals[0].Event != 0 || res.Proposals[0].Existing != nil {
		t.Errorf("a new proposal names no event: %+v", res.Proposals[0])
	}
}

func TestIntakeTwiceProposesNothingTwice(t *testing.T) {
	f := compareFixture(t)
	first, err := f.svc.Intake(t.Context(), readCorpus(t), corpusOptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reject(t.Context(), "prop-2", "amina", "not in this article's scope"); err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Intake(t.Context(), readCorpus(t), corpusOptions)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.Article != first.Article || len(again.Proposals) != len(first.Proposals) {
		t.Fatalf("second intake: created %v, %s, %d proposals; want the first article's %d", again.Created, again.Article, len(again.Proposals), len(first.Proposals))
	}
	if again.Proposals[1].Status != bloc.ProposalRejected || again.Proposals[1].Note != "not in this article's scope" {
		t.Fatalf("second intake shows prop-2 as %+v", again.Proposals[1])
	}
	if !reflect.DeepEqual(again.Report, first.Report) {
		t.Fatalf("report differs on re-intake")
	}
	all, err := f.svc.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 15 {
		t.Fatalf("%d proposals stored after two intakes, want 15", len(all))
	}
}

func TestAcceptRecordsWithSourceAndQuote(t *testing.T) {
	f := compareFixture(t)
	ctx := t.Context()
	if _, err := f.svc.Intake(ctx, readCorpus(t), corpusOptions); err != nil {
		t.Fatal(err)
	}
	// prop-15: Uzbekistan withdrew in December 2012; the reviewer knows the day.
	acc, err := f.svc.Accept(ctx, "prop-15", Edits{Date: bloc.MustDate("2012-12-19")}, "amina")
	if err != nil {
		t.Fatal(err)
	}
	r := acc.Record
	wantSource := bloc.Source{Title: corpusOptions.SourceTitle, Publisher: "TASS", URL: "https://tass.com/world/1353121", Published: bloc.MustDate("2021-10-22")}
	if r.Bloc != "csto" || r.Party != "UZB" || r.Kind != bloc.KindWithdrew || r.Date.String() != "2012-12-19" || r.Source != wantSource ||
		r.RecordedBy != "amina" || r.Quote != acc.Proposal.Quote || !strings.Contains(r.Quote, "withdrew from the organization in December 2012") {
		t.Fatalf("record: %+v", r)
	}
	if !strings.Contains(r.Note, "art-1 (prop-15") || !strings.Contains(r.Note, "date 2012-12 → 2012-12-19") {
		t.Errorf("record note %q should name the article, the proposal and the edit", r.Note)
	}
	p := acc.Proposal
	if p.Status != bloc.ProposalAccepted || p.Record != r.ID || p.DecidedBy != "amina" || p.Compared != standing.RelationRefinement || p.Date != "2012-12" {
		t.Fatalf("accepted proposal: %+v", p)
	}
	hist, err := f.reg.History(ctx, "UZB", "csto")
	if err != nil {
		t.Fatal(err)
	}
	last := hist.Events[len(hist.Events)-1]
	if last.Kind != bloc.KindWithdrew || last.Date.String() != "2012-12-19" || last.Attestations[0].ID != r.ID {
		t.Fatalf("history ends with %+v", last)
	}
	// Decided once: neither a second acceptance nor a rejection.
	_, err = f.svc.Accept(ctx, "prop-15", Edits{}, "boris")
	wantCode(t, "second accept", err, bloc.ECONFLICT)
	_, err = f.svc.Reject(ctx, "15", "boris", "")
	wantCode(t, "reject after accept", err, bloc.ECONFLICT)
	after, err := f.reg.History(ctx, "UZB", "csto")
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Events) != len(hist.Events) || len(after.Events[len(after.Events)-1].Attestations) != 1 {
		t.Fatalf("a refused second decision changed the record")
	}
}

func TestAcceptRefusedStaysPending(t *testing.T) {
	f := compareFixture(t)
	ctx := t.Context()
	if _, err := f.svc.Intake(ctx, readCorpus(t), corpusOptions); err != nil {
		t.Fatal(err)
	}
	// prop-8: Azerbaijan acceded in 1993 — but "guam" is no bloc here.
	_, err := f.svc.Accept(ctx, "prop-8", Edits{Bloc: "guam"}, "amina")
	wantCode(t, "accept into an unknown bloc", err, bloc.EINVALID)
	if !strings.Contains(err.Error(), `unknown bloc "guam"`) {
		t.Errorf("error %q should name the unknown bloc", err)
	}
	// Withdrawing while not a member is an impossible transition.
	_, err = f.svc.Accept(ctx, "prop-8", Edits{Kind: bloc.KindWithdrew}, "amina")
	wantCode(t, "impossible transition", err, bloc.ECONFLICT)
	_, err = f.svc.Accept(ctx, "prop-8", Edits{Kind: "joined"}, "amina")
	wantCode(t, "bad kind", err, bloc.EINVALID)
	p, err := f.svc.Proposal(ctx, "prop-8")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != bloc.ProposalPending || p.DecidedBy != "" || p.Record != 0 {
		t.Fatalf("after refused acceptances prop-8 is %+v; want pending", p)
	}
	acc, err := f.svc.Accept(ctx, "prop-8", Edits{}, "amina")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Record.Party != "AZE" || acc.Record.Date.String() != "1993" || acc.Proposal.Compared != standing.RelationRecorded {
		t.Fatalf("accepted: %+v", acc)
	}
}

func TestRejectAndIDs(t *testing.T) {
	f := compareFixture(t)
	ctx := t.Context()
	if _, err := f.svc.Intake(ctx, readCorpus(t), corpusOptions); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Reject(ctx, "prop-3", "amina", "duplicate of the treaty text")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != bloc.ProposalRejected || v.Note != "duplicate of the treaty text" || v.DecidedBy != "amina" || v.DecidedAt == "" || v.Record != 0 {
		t.Fatalf("rejected: %+v", v)
	}
	pending, err := f.svc.List(ctx, bloc.ProposalPending)
	if err != nil {
		t.Fatal(err)
	}
	rejected, err := f.svc.List(ctx, bloc.ProposalRejected)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 14 || len(rejected) != 1 || rejected[0].ID != "prop-3" {
		t.Fatalf("%d pending, rejected %v", len(pending), brief(rejected))
	}
	for _, c := range []struct{ id, code string }{
		{"art-1", bloc.EINVALID}, {"prop-x", bloc.EINVALID}, {"0", bloc.EINVALID}, {"prop-99", bloc.ENOTFOUND},
	} {
		_, err := f.svc.Proposal(ctx, c.id)
		wantCode(t, "Proposal("+c.id+")", err, c.code)
	}
	_, err = f.svc.Article(ctx, "prop-1")
	wantCode(t, "Article(prop-1)", err, bloc.EINVALID)
	_, err = f.svc.Article(ctx, "art-7")
	wantCode(t, "Article(art-7)", err, bloc.ENOTFOUND)
}

func TestIntakeBadInput(t *testing.T) {
	f := compareFixture(t)
	ctx := t.Context()
	for _, c := range []struct {
		name string
		raw  string
		opt  Options
		code string
	}{
		{"empty", "  \n", Options{}, bloc.EINVALID},
		{"only markup", "<html><body><nav>Home</nav></body></html>", Options{}, bloc.EINVALID},
		{"collection without agency", "Some news.", Options{Collection: "c"}, bloc.EINVALID},
		{"unknown collection", "Some news.", Options{Collection: "nope", Agency: "a"}, bloc.ENOTFOUND},
	} {
		_, err := f.svc.Intake(ctx, []byte(c.raw), c.opt)
		wantCode(t, c.name, err, c.code)
	}
	all, err := f.svc.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("%d proposals after refused intakes", len(all))
	}
}

// STIX objects go to the chosen collection, marked TLP:CLEAR and produced
// by the agency; a second intake stores nothing new; an agency whose party
// is not a member may not write, and then nothing at all is stored.
func TestIntakeStoresSTIX(t *testing.T) {
	f := newFixture(t, true)
	ctx := t.Context()
	rs := registrar.New(f.db, f.reg)
	kaz, err := rs.AddAgency(ctx, "KAZ", "National Security Committee", "kaz-knb", false)
	if err != nil {
		t.Fatal(err)
	}
	uzb, err := rs.AddAgency(ctx, "UZB", "State Security Service", "uzb-sgb", false)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: "csto", Title: "Open sources", Audience: bloc.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}

	opt := corpusOptions
	opt.Collection, opt.Agency = coll.ID, uzb.ID
	_, err = f.svc.Intake(ctx, readCorpus(t), opt)
	wantCode(t, "intake by a former member's agency", err, bloc.EFORBIDDEN)
	if list, _ := f.svc.List(ctx, ""); len(list) != 0 {
		t.Fatalf("a refused intake stored %d proposals", len(list))
	}

	opt.Agency = kaz.ID
	res, err := f.svc.Intake(ctx, readCorpus(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	objs := res.Objects()
	if res.Stored == nil || len(res.Stored.Stored) != len(objs) || len(res.Stored.Already) != 0 || len(res.Stored.Refused) != 0 {
		t.Fatalf("stored: %+v for %d objects", res.Stored, len(objs))
	}
	// report, 2 identities (CSTO, GUAM) and 12 locations.
	if len(objs) != 15 {
		t.Fatalf("%d STIX objects, want 15", len(objs))
	}
	got, err := f.db.Objects(ctx, bloc.ObjectQuery{Collection: coll.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(objs) {
		t.Fatalf("%d objects in the collection, want %d", len(got), len(objs))
	}
	for i, o := range got {
		if o.ID != objs[i]["id"] || o.TLP != bloc.TLPClear || o.Producer != "kaz-knb" || o.OwnerParty != "KAZ" {
			t.Errorf("object %d: %s %v producer %s owner %s", i, o.ID, o.TLP, o.Producer, o.OwnerParty)
		}
		var m map[string]any
		if err := json.Unmarshal(o.Raw, &m); err != nil {
			t.Fatal(err)
		}
		if m["created_by_ref"] != kaz.Identity || !reflect.DeepEqual(m["object_marking_refs"], []any{stix.TLP2Clear}) {
			t.Errorf("object %s: created_by_ref %v, markings %v", o.ID, m["created_by_ref"], m["object_marking_refs"])
		}
	}
	if got[0].Type != "report" || res.Report["created_by_ref"] != kaz.Identity {
		t.Errorf("first object %s, report created_by_ref %v", got[0].Type, res.Report["created_by_ref"])
	}

	again, err := f.svc.Intake(ctx, readCorpus(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || len(again.Stored.Stored) != 0 || len(again.Stored.Already) != len(objs) {
		t.Fatalf("re-intake: created %v, stored %+v", again.Created, again.Stored)
	}
	n, err := f.db.Objects(ctx, bloc.ObjectQuery{Collection: coll.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(n) != len(objs) {
		t.Fatalf("%d objects after re-intake, want %d", len(n), len(objs))
	}
}
