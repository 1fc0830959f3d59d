package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// RunIntake tests a store's bloc.IntakeStore. The stores open makes must
// implement it besides bloc.Store.
func RunIntake(t *testing.T, open Opener) {
	t.Run("CreateAndRead", func(t *testing.T) { testIntakeCreate(t, intakeStore(t, open)) })
	t.Run("SameArticleTwice", func(t *testing.T) { testIntakeTwice(t, intakeStore(t, open)) })
	t.Run("BadInputWritesNothing", func(t *testing.T) { testIntakeBad(t, intakeStore(t, open)) })
	t.Run("DecideOnce", func(t *testing.T) { testIntakeDecide(t, intakeStore(t, open)) })
	t.Run("ConcurrentDecisions", func(t *testing.T) { testIntakeConcurrent(t, intakeStore(t, open)) })
	t.Run("RecordLinkAndReopen", func(t *testing.T) { testIntakeRecord(t, intakeStore(t, open)) })
	t.Run("NotFound", func(t *testing.T) { testIntakeNotFound(t, intakeStore(t, open)) })
}

type intakeTestStore interface {
	bloc.Store
	bloc.IntakeStore
}

func intakeStore(t *testing.T, open Opener) intakeTestStore {
	t.Helper()
	s := newStore(t, open)
	is, ok := s.(intakeTestStore)
	if !ok {
		t.Fatalf("%T does not implement bloc.IntakeStore", s)
	}
	return is
}

var intakeTime = time.Date(2024, 3, 1, 9, 30, 0, 123456000, time.UTC)

func article(hash byte, published string) bloc.IntakeArticle {
	a := bloc.IntakeArticle{
		Source: bloc.Source{Title: "Uzbekistan sees no need to rejoin CSTO", Publisher: "TASS",
			URL: "https://tass.com/world/1353121"},
		Headline: "Uzbekistan sees no need to rejoin CSTO",
		TextHash: strings.Repeat(string("0123456789abcdef"[hash%16]), 64),
		ReportID: "report--7d4c3b6e-5b0a-5c1e-8f2e-0a1b2c3d4e5f",
		Created:  intakeTime,
	}
	if published != "" {
		a.Source.Published = bloc.MustDate(published)
	}
	return a
}

func proposals() []bloc.IntakeProposal {
	return []bloc.IntakeProposal{
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindAcceded, Date: bloc.MustDate("2006-08"),
			Quote:      "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.",
			Confidence: 0.9, Reason: "finite verb 'rejoined'; bloc CSTO; party Uzbekistan; date August 2006"},
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2012-12"),
			Quote:      "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.",
			Confidence: 0.8},
		{Bloc: "csto", Kind: bloc.KindRenamed, Date: bloc.MustDate("2002-10-07"), NewName: "Collective Security Treaty Organization",
			Quote: "The treaty became an organisation on 7 October 2002.", Confidence: 0.55, Uncertain: true},
	}
}

func testIntakeCreate(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	a, ps, created, err := s.CreateArticle(ctx, article(1, "2021-10-22"), proposals())
	if err != nil {
		t.Fatal(err)
	}
	if !created || a.ID == 0 || len(ps) != 3 {
		t.Fatalf("CreateArticle: created %v, id %d, %d proposals; want created, an id, 3 proposals", created, a.ID, len(ps))
	}
	wantA := article(1, "2021-10-22")
	wantA.ID = a.ID
	equal(t, "returned article", a, wantA)
	got, err := s.IntakeArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "stored article", got, wantA)

	want := proposals()
	for i := range want {
		want[i].ID, want[i].Article, want[i].Status = ps[i].ID, a.ID, bloc.ProposalPending
		if i > 0 && ps[i].ID <= ps[i-1].ID {
			t.Fatalf("proposal ids %d then %d: want increasing in the given order", ps[i-1].ID, ps[i].ID)
		}
	}
	equal(t, "returned proposals", ps, want)
	for i := range want {
		p, err := s.IntakeProposal(ctx, want[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "stored proposal", p, want[i])
	}
	all, err := s.IntakeProposals(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "all proposals", all, want)

	// A second article: listing by article and by status.
	b, ps2, _, err := s.CreateArticle(ctx, article(2, ""), proposals()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == a.ID || !b.Source.Published.IsZero() {
		t.Fatalf("second article: id %d (first %d), published %v", b.ID, a.ID, b.Source.Published)
	}
	of, err := s.IntakeProposals(ctx, "", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "proposals of the second article", of, ps2)
	pending, err := s.IntakeProposals(ctx, bloc.ProposalPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 4 {
		t.Fatalf("%d pending proposals, want 4", len(pending))
	}
	rejected, err := s.IntakeProposals(ctx, bloc.ProposalRejected, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 0 {
		t.Fatalf("%d rejected proposals, want none", len(rejected))
	}
	_, err = s.IntakeProposals(ctx, "maybe", 0)
	wantCode(t, "IntakeProposals(status maybe)", err, bloc.EINVALID)
}

func testIntakeTwice(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	a, ps, _, err := s.CreateArticle(ctx, article(1, "2021-10-22"), proposals())
	if err != nil {
		t.Fatal(err)
	}
	// Decide one, so that the second intake shows the decision.
	if _, err := s.DecideProposal(ctx, ps[0].ID, bloc.ProposalDecision{Status: bloc.ProposalRejected, By: "reviewer", At: intakeTime}); err != nil {
		t.Fatal(err)
	}
	again := article(1, "2021-10-22")
	again.Created = intakeTime.Add(time.Hour)
	b, ps2, created, err := s.CreateArticle(ctx, again, proposals()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if created || b.ID != a.ID || len(ps2) != 3 || ps2[0].Status != bloc.ProposalRejected {
		t.Fatalf("same text and date again: created %v, id %d (first %d), %d proposals, first %s; want the first article and its 3 proposals",
			created, b.ID, a.ID, len(ps2), ps2[0].Status)
	}
	equal(t, "the stored article, not the new one", b, a)
	// The same text with another publication date is another intake.
	c, _, created, err := s.CreateArticle(ctx, article(1, "2021-10-23"), proposals()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if !created || c.ID == a.ID {
		t.Fatalf("same text, other date: created %v, id %d; want a new article", created, c.ID)
	}
	all, err := s.IntakeProposals(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("%d proposals stored, want 4 (3 + 1)", len(all))
	}
}

func testIntakeBad(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	badHash := article(1, "")
	badHash.TextHash = "xyz"
	noQuote := proposals()
	noQuote[2].Quote = ""
	badKind := proposals()
	badKind[1].Kind = "joined"
	noDate := proposals()
	noDate[0].Date = bloc.Date{}
	tooSure := proposals()
	tooSure[0].Confidence = 1.5
	noReport := article(1, "")
	noReport.ReportID = ""
	for _, c := range []struct {
		name string
		a    bloc.IntakeArticle
		ps   []bloc.IntakeProposal
		want string
	}{
		{"bad hash", badHash, proposals(), "text hash"},
		{"no report", noReport, proposals(), "no STIX report id"},
		{"no quote", article(1, ""), noQuote, "intake proposal 3: no quote"},
		{"bad kind", article(1, ""), badKind, `intake proposal 2: unknown kind "joined"`},
		{"no date", article(1, ""), noDate, "intake proposal 1: no date"},
		{"confidence", article(1, ""), tooSure, "intake proposal 1: confidence 1.5"},
	} {
		_, _, _, err := s.CreateArticle(ctx, c.a, c.ps)
		wantCode(t, c.name, err, bloc.EINVALID)
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.want)
		}
	}
	all, err := s.IntakeProposals(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("%d proposals stored after refused intakes, want none", len(all))
	}
	_, err = s.IntakeArticle(ctx, 1)
	wantCode(t, "article 1 after refused intakes", err, bloc.ENOTFOUND)
}

func testIntakeDecide(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	_, ps, _, err := s.CreateArticle(ctx, article(1, ""), proposals())
	if err != nil {
		t.Fatal(err)
	}
	at := intakeTime.Add(2 * time.Hour)
	acc, err := s.DecideProposal(ctx, ps[0].ID, bloc.ProposalDecision{Status: bloc.ProposalAccepted, By: "amina", At: at})
	if err != nil {
		t.Fatal(err)
	}
	want := ps[0]
	want.Status, want.DecidedBy, want.DecidedAt = bloc.ProposalAccepted, "amina", at
	equal(t, "accepted proposal", acc, want)
	rej, err := s.DecideProposal(ctx, ps[1].ID, bloc.ProposalDecision{Status: bloc.ProposalRejected, By: "amina", At: at, Note: "the month is wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if rej.Status != bloc.ProposalRejected || rej.Note != "the month is wrong" {
		t.Fatalf("rejected proposal: %+v", rej)
	}
	for _, id := range []int64{ps[0].ID, ps[1].ID} {
		for _, st := range []bloc.ProposalStatus{bloc.ProposalAccepted, bloc.ProposalRejected} {
			_, err := s.DecideProposal(ctx, id, bloc.ProposalDecision{Status: st, By: "boris"})
			wantCode(t, "second decision", err, bloc.ECONFLICT)
			if !strings.Contains(err.Error(), "by amina") || !strings.Contains(err.Error(), "decided once") {
				t.Errorf("second decision: %q should say who decided and that a proposal is decided once", err)
			}
		}
	}
	_, err = s.DecideProposal(ctx, ps[2].ID, bloc.ProposalDecision{Status: bloc.ProposalPending})
	wantCode(t, "deciding pending", err, bloc.EINVALID)
	got, err := s.IntakeProposals(ctx, bloc.ProposalPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "pending after decisions", got, ps[2:])
	got, err = s.IntakeProposals(ctx, bloc.ProposalAccepted, 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "accepted", got, []bloc.IntakeProposal{want})
}

func testIntakeConcurrent(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	_, ps, _, err := s.CreateArticle(ctx, article(1, ""), proposals()[:1])
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.DecideProposal(ctx, ps[0].ID, bloc.ProposalDecision{Status: bloc.ProposalAccepted, By: "reviewer"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case bloc.ErrorCode(err) != bloc.ECONFLICT:
			t.Fatalf("concurrent decision: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent decisions succeeded, want exactly 1", won, n)
	}
}

func testIntakeRecord(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	seed(t, s)
	_, ps, _, err := s.CreateArticle(ctx, article(1, ""), proposals())
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.Append(ctx, []string{"csto"}, batch(rec("csto", "UZB", bloc.KindAcceded, "2006-08")))
	if err != nil {
		t.Fatal(err)
	}
	err = s.SetProposalRecord(ctx, ps[0].ID, recs[0].ID)
	wantCode(t, "linking a pending proposal", err, bloc.ECONFLICT)
	if _, err := s.DecideProposal(ctx, ps[0].ID, bloc.ProposalDecision{Status: bloc.ProposalAccepted, By: "amina"}); err != nil {
		t.Fatal(err)
	}
	err = s.SetProposalRecord(ctx, ps[0].ID, recs[0].ID+100)
	wantCode(t, "linking to a missing record", err, bloc.ENOTFOUND)
	if err := s.SetProposalRecord(ctx, ps[0].ID, recs[0].ID); err != nil {
		t.Fatal(err)
	}
	p, err := s.IntakeProposal(ctx, ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.RecordID != recs[0].ID || p.Status != bloc.ProposalAccepted {
		t.Fatalf("linked proposal: record %d status %s, want record %d accepted", p.RecordID, p.Status, recs[0].ID)
	}
	wantCode(t, "linking twice", s.SetProposalRecord(ctx, ps[0].ID, recs[0].ID), bloc.ECONFLICT)
	wantCode(t, "reopening a proposal with a record", s.ReopenProposal(ctx, ps[0].ID), bloc.ECONFLICT)

	// An acceptance whose record was refused reopens, and is decided anew.
	if _, err := s.DecideProposal(ctx, ps[1].ID, bloc.ProposalDecision{Status: bloc.ProposalAccepted, By: "amina", Note: "n"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReopenProposal(ctx, ps[1].ID); err != nil {
		t.Fatal(err)
	}
	p, err = s.IntakeProposal(ctx, ps[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "reopened proposal", p, ps[1])
	wantCode(t, "reopening a pending proposal", s.ReopenProposal(ctx, ps[1].ID), bloc.ECONFLICT)
	if _, err := s.DecideProposal(ctx, ps[1].ID, bloc.ProposalDecision{Status: bloc.ProposalRejected, By: "boris"}); err != nil {
		t.Fatalf("deciding a reopened proposal: %v", err)
	}
	wantCode(t, "reopening a rejected proposal", s.ReopenProposal(ctx, ps[1].ID), bloc.ECONFLICT)
}

func testIntakeNotFound(t *testing.T, s intakeTestStore) {
	ctx := t.Context()
	_, err := s.IntakeArticle(ctx, 42)
	wantCode(t, "IntakeArticle(42)", err, bloc.ENOTFOUND)
	_, err = s.IntakeProposal(ctx, 42)
	wantCode(t, "IntakeProposal(42)", err, bloc.ENOTFOUND)
	_, err = s.DecideProposal(ctx, 42, bloc.ProposalDecision{Status: bloc.ProposalRejected})
	wantCode(t, "DecideProposal(42)", err, bloc.ENOTFOUND)
	wantCode(t, "SetProposalRecord(42)", s.SetProposalRecord(ctx, 42, 1), bloc.ENOTFOUND)
	wantCode(t, "ReopenProposal(42)", s.ReopenProposal(ctx, 42), bloc.ENOTFOUND)
}
