package standing

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

func TestDissolution(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("wp", "ALB", bloc.KindSigned, "1955-05-14"),
		rec("wp", "DDR", bloc.KindSigned, "1955-05-14"),
		rec("wp", "POL", bloc.KindSigned, "1955-05-14"),
		rec("wp", "YUG", bloc.KindObserverFrom, "1964"),
		rec("wp", "ALB", bloc.KindSuspended, "1962-02-01"),
		rec("wp", "DDR", bloc.KindWithdrew, "1990-09-24"),
		rec("wp", "POL", bloc.KindStatement, "1991-07-01"),
		rec("wp", "", bloc.KindDissolved, "1991-07-01"),
	)
	b := l.book()
	d, ok := b.Dissolved("wp")
	if !ok || d.Date.String() != "1991-07-01" || d.Party != "" {
		t.Fatalf("Dissolved = %+v, %v", d, ok)
	}
	if got := codes(b.Members("wp", day("1991-06-30"), true)); got != "ALB:suspended POL YUG:observer" {
		t.Errorf("the day before: %s", got)
	}
	if got := b.Members("wp", day("1991-07-02"), true); len(got) != 0 {
		t.Errorf("after dissolution: %s", codes(got))
	}
	for party, want := range map[string]bloc.Standing{"ALB": "former", "DDR": "former", "POL": "former", "YUG": ""} {
		p := b.At("wp", party, day("1995-01-01"))
		if p.Standing != want || !p.Certain {
			t.Errorf("%s after dissolution: %+v, want %q", party, p, want)
		}
	}
	if p := b.At("wp", "POL", day("1995-01-01")); p.Event != d.ID || p.Since != d.Date {
		t.Errorf("POL's former standing is not dated by the dissolution: %+v", p)
	}
	// Intervals end at the dissolution.
	var got []string
	for _, iv := range b.Intervals("wp") {
		got = append(got, fmt.Sprintf("%s %s %s→%s", iv.Party, iv.Standing, iv.From, iv.To))
	}
	want := []string{
		"ALB member 1955-05-14→1962-02-01", "ALB suspended 1962-02-01→1991-07-01", "ALB former 1991-07-01→",
		"DDR member 1955-05-14→1990-09-24", "DDR former 1990-09-24→",
		"POL member 1955-05-14→1991-07-01", "POL former 1991-07-01→",
		"YUG observer 1964→1991-07-01",
	}
	if !slices.Equal(got, want) {
		t.Errorf("intervals\n got %q\nwant %q", got, want)
	}

	// Nothing may happen after it, not even a statement or a renaming.
	for _, r := range []bloc.Record{
		rec("wp", "POL", bloc.KindWithdrew, "1991-07-02"),
		rec("wp", "HUN", bloc.KindAcceded, "1992"),
		rec("wp", "POL", bloc.KindStatement, "1991-08"),
		{Bloc: "wp", Kind: bloc.KindRenamed, Date: bloc.MustDate("1992"), NewName: "Ghost"},
	} {
		err := b.Check([]bloc.Record{r})
		if err == nil {
			t.Errorf("%s %s %s after dissolution accepted", r.Party, r.Kind, r.Date)
			continue
		}
		_, details := errDetails(t, err)
		wantText := describe(r.Bloc, r.Party, r.Kind, r.Date, r.NewName) + ": wp was dissolved on 1991-07-01; nothing can happen after that"
		if details[0] != wantText {
			t.Errorf("got %q\nwant %q", details[0], wantText)
		}
	}
	// A second dissolution is refused too.
	if err := b.Check([]bloc.Record{rec("wp", "", bloc.KindDissolved, "1993")}); err == nil {
		t.Error("second dissolution accepted")
	}
}

func TestDissolutionInsertedBeforeLaterEvents(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("x", "AAA", bloc.KindSigned, "1990-01-01"),
		rec("x", "AAA", bloc.KindWithdrew, "2005-01-01"),
		rec("x", "BBB", bloc.KindSigned, "1990-01-01"),
	)
	err := l.book().Check([]bloc.Record{rec("x", "", bloc.KindDissolved, "2003")})
	code, details := errDetails(t, err)
	want := "x dissolved 2003: it would leave x AAA withdrew 2005-01-01 impossible: x was dissolved on 2003; nothing can happen after that"
	if code != bloc.ECONFLICT || len(details) != 1 || details[0] != want {
		t.Errorf("got %s %q\nwant %q", code, details, want)
	}
	// One line per record, however many events it would break.
	l2 := newLedger(testBlocs...)
	l2.add(t,
		rec("x", "AAA", bloc.KindSigned, "1990-01-01"),
		rec("x", "AAA", bloc.KindWithdrew, "2005-01-01"),
		rec("x", "BBB", bloc.KindStatement, "2004"),
	)
	err = l2.book().Check([]bloc.Record{rec("x", "", bloc.KindDissolved, "2003"), rec("x", "CCC", bloc.KindStatement, "2004")})
	_, details = errDetails(t, err)
	if len(details) != 2 || details[0] != want+" (and 1 more problem with this record)" ||
		details[1] != "x CCC statement 2004: x was dissolved on 2003; nothing can happen after that" {
		t.Errorf("got %q", details)
	}
	// After the last event it is fine, and ends both memberships.
	l.add(t, rec("x", "", bloc.KindDissolved, "2006"))
	b := l.book()
	if got := codes(b.Members("x", day("2006-06-01"), false)); got != "BBB?" {
		t.Errorf("inside the dissolution's year: %q", got)
	}
	if got := codes(b.Members("x", day("2007-01-01"), true)); got != "" {
		t.Errorf("after: %q", got)
	}
}

func TestFounding(t *testing.T) {
	l := newLedger(testBlocs...)
	// The Shanghai Five's statement predates the SCO; statements may.
	l.add(t, rec("sco", "", bloc.KindStatement, "1996-04-26"), rec("sco", "CHN", bloc.KindStatement, "1997"))
	for _, r := range []bloc.Record{
		rec("sco", "CHN", bloc.KindSigned, "2001-06-14"),
		{Bloc: "sco", Kind: bloc.KindRenamed, Date: bloc.MustDate("2000"), NewName: "S5"},
	} {
		err := l.book().Check([]bloc.Record{r})
		if err == nil {
			t.Errorf("%s before the founding accepted", r.Kind)
			continue
		}
		_, details := errDetails(t, err)
		if want := describe(r.Bloc, r.Party, r.Kind, r.Date, r.NewName) + ": sco was founded on 2001-06-15; this is before that"; details[0] != want {
			t.Errorf("got %q, want %q", details[0], want)
		}
	}
	// A window that meets the founding date is not before it.
	l.add(t, rec("sco", "CHN", bloc.KindSigned, "2001"))
}

func TestRenaming(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("guam", "GEO", bloc.KindSigned, "1997-10-10"),
		rec("guam", "UZB", bloc.KindAcceded, "1999-04-24"),
		bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("1999-04-24"), NewName: "GUUAM"},
		rec("guam", "UZB", bloc.KindWithdrew, "2005-05-05"),
		bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("2005-05-05"), NewName: "GUAM"},
		bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("2006-05"), NewName: "Organization for Democracy and Economic Development – GUAM"},
	)
	b := l.book()
	for _, tc := range []struct{ at, want string }{
		{"1997-10-10", "GUAM"},
		{"1999-04-23", "GUAM"},
		{"1999-04-24", "GUUAM"},
		{"2005-05-04", "GUUAM"},
		{"2005-05-05", "GUAM"},
		{"2006-04-30", "GUAM"},
		{"2006-05-01", "Organization for Democracy and Economic Development – GUAM"},
		{"2024-01-01", "Organization for Democracy and Economic Development – GUAM"},
	} {
		if got := b.Name("guam", day(tc.at)); got != tc.want {
			t.Errorf("name at %s = %q, want %q", tc.at, got, tc.want)
		}
	}
	if b.Name("nowhere", day("2000")) != "" {
		t.Error("a name for an unknown bloc")
	}
	// Bloc-level events sort after the party's on the same day.
	if got := kindsOf(b.Events("guam")); !slices.Equal(got, []string{
		"GEO signed 1997-10-10", "UZB acceded 1999-04-24", "renamed 1999-04-24",
		"UZB withdrew 2005-05-05", "renamed 2005-05-05", "renamed 2006-05",
	}) {
		t.Errorf("events %q", got)
	}
	// Renamings match on the name: a second source for GUUAM attests it, a
	// different name on the same day is another event.
	if id, rel := b.Match(bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("1999-04"), NewName: "GUUAM"}); id != 3 || rel != RelationRefinement {
		t.Errorf("Match GUUAM 1999-04 = %d %s", id, rel)
	}
	if id, rel := b.Match(bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("1999-04-24"), NewName: "GUUAM!"}); id != 0 || rel != RelationNew {
		t.Errorf("Match GUUAM! = %d %s", id, rel)
	}
}

// TestKnownAt: the record as it was known at each record time, through a
// correction and a retraction.
func TestKnownAt(t *testing.T) {
	l := newLedger(testBlocs...)
	acc := l.add(t, rec("csto", "UZB", bloc.KindAcceded, "2006-08"))[0]    // t1
	wd := l.add(t, rec("csto", "UZB", bloc.KindWithdrew, "2012-12-19"))[0] // t2
	fix := rec("csto", "UZB", bloc.KindAcceded, "2006-08-16")              // t3: correct the date
	fix.Supersedes = acc.ID
	fixed := l.add(t, fix)[0]
	l.add(t, bloc.Record{Supersedes: wd.ID, Retracts: true}) // t4: retract the withdrawal
	t1, t2, t3, t4 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	if fixed.EventID != acc.EventID {
		t.Fatalf("the correction is in event %d, not the corrected record's %d", fixed.EventID, acc.EventID)
	}
	ret := l.recs[3]
	if ret.Bloc != "csto" || ret.Kind != bloc.KindWithdrew || ret.EventID != wd.EventID {
		t.Errorf("the retraction was not filled from its target: %+v", ret)
	}
	for _, tc := range []struct {
		knownAt        time.Time
		at             string
		want           bloc.Standing
		certain        bool
		acceded        string // date of the accession event, "" if none
		withdrawalLive bool
	}{
		{t0, "2010-01-01", "", true, "", false},
		{t1, "2006-08-20", "member", false, "2006-08", false},
		{t1, "2014-01-01", "member", true, "2006-08", false},
		{t2, "2014-01-01", "former", true, "2006-08", true},
		{t3, "2006-08-20", "member", true, "2006-08-16", true},
		{t3, "2014-01-01", "former", true, "2006-08-16", true},
		{t4, "2014-01-01", "member", true, "2006-08-16", false},
		{time.Time{}, "2014-01-01", "member", true, "2006-08-16", false},
	} {
		b := Build(l.blocs, l.recs, tc.knownAt)
		p := b.At("csto", "UZB", day(tc.at))
		if p.Standing != tc.want || p.Certain != tc.certain {
			t.Errorf("known at %v, at %s: %+v, want %q certain=%v", tc.knownAt, tc.at, p, tc.want, tc.certain)
		}
		e, ok := b.Event(acc.EventID)
		if ok != (tc.acceded != "") || (ok && (e.Date.String() != tc.acceded || len(e.Attestations) != 1)) {
			t.Errorf("known at %v: accession %+v %v, want %q", tc.knownAt, e.Date, ok, tc.acceded)
		}
		if _, ok := b.Event(wd.EventID); ok != tc.withdrawalLive {
			t.Errorf("known at %v: withdrawal live = %v", tc.knownAt, ok)
		}
		if !b.KnownAt().Equal(tc.knownAt) {
			t.Errorf("KnownAt = %v", b.KnownAt())
		}
	}
	b := l.book()
	e, _ := b.Event(acc.EventID)
	if e.Attestations[0].ID != fixed.ID {
		t.Errorf("the live attestation is record %d, want the correction %d", e.Attestations[0].ID, fixed.ID)
	}
	// Superseding a dead record, or a retraction, is refused.
	again := fix
	again.Supersedes = acc.ID
	again.Source.URL = "https://example.org/other"
	err := b.Check([]bloc.Record{again, {Supersedes: 4, Retracts: true}, {Supersedes: 99, Retracts: true}})
	_, details := errDetails(t, err)
	want := []string{
		"csto UZB acceded 2006-08-16 (correcting record 1): record 1 is already superseded by record 3",
		"retraction of record 4: record 4 is a retraction and cannot be superseded",
		"retraction of record 99: there is no record 99",
	}
	if !slices.Equal(details, want) {
		t.Errorf("got %q\nwant %q", details, want)
	}
}

// TestRetractingAnEvent: a retraction that leaves a later event impossible is
// refused, and the problem is charged to it.
func TestRetractionBreaksHistory(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t, rec("csto", "UZB", bloc.KindSigned, "1992-05-15"), rec("csto", "UZB", bloc.KindLapsed, "1999-04-20"))
	err := l.book().Check([]bloc.Record{{Supersedes: 1, Retracts: true}})
	code, details := errDetails(t, err)
	want := "retraction of record 1: it would leave csto UZB lapsed 1999-04-20 impossible: UZB is not a member of csto on that date (no standing)"
	if code != bloc.ECONFLICT || len(details) != 1 || details[0] != want {
		t.Errorf("got %s %q\nwant %q", code, details, want)
	}
	// Retracting both is fine, in either order.
	l.add(t, bloc.Record{Supersedes: 2, Retracts: true}, bloc.Record{Supersedes: 1, Retracts: true})
	if evs := l.book().Events("csto"); len(evs) != 0 {
		t.Errorf("events left: %v", kindsOf(evs))
	}
}

// TestAttestations: several sources of one fact are one event.
func TestAttestations(t *testing.T) {
	article := "https://tass.example/uzbekistan-csto"
	data := "https://example.org/membership"
	t.Run("refinement", func(t *testing.T) {
		for _, order := range [][]string{{"1993", "1993-12-31"}, {"1993-12-31", "1993"}} {
			l := newLedger(testBlocs...)
			first := l.add(t, from(rec("csto", "BLR", bloc.KindAcceded, order[0]), article))[0]
			r := from(rec("csto", "BLR", bloc.KindAcceded, order[1]), data)
			if id, rel := l.book().Match(r); id != first.EventID || rel != RelationRefinement {
				t.Errorf("Match = %d %s", id, rel)
			}
			second := l.add(t, r)[0]
			if second.EventID != first.EventID {
				t.Fatalf("two events: %d and %d", first.EventID, second.EventID)
			}
			b := l.book()
			evs := b.Events("csto")
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			e := evs[0]
			if e.Date.String() != "1993-12-31" || e.Date.Precision != bloc.PrecisionDay || e.Disputed ||
				!e.Start.Equal(day("1993-12-31")) || !e.End.Equal(day("1994-01-01")) || len(e.Attestations) != 2 {
				t.Errorf("event %+v", e)
			}
			if p := b.At("csto", "BLR", day("1993-06-01")); p.Standing != "" || !p.Certain {
				t.Errorf("before the refined date: %+v", p)
			}
		}
	})
	t.Run("disagreement", func(t *testing.T) {
		l := newLedger(testBlocs...)
		l.add(t, rec("csto", "AZE", bloc.KindAcceded, "1993-09-24"))
		dataRec := l.add(t, from(rec("csto", "AZE", bloc.KindLapsed, "1999-04-20"), data))[0]
		r := from(rec("csto", "AZE", bloc.KindLapsed, "1999-04-02"), article)
		if id, rel := l.book().Match(r); id != dataRec.EventID || rel != RelationDisagreement {
			t.Errorf("Match = %d %s", id, rel)
		}
		l.add(t, r)
		b := l.book()
		e, _ := b.Event(dataRec.EventID)
		if !e.Disputed || e.Date.String() != "1999-04-02" || !e.Start.Equal(day("1999-04-02")) || !e.End.Equal(day("1999-04-21")) {
			t.Errorf("event %+v", e)
		}
		if len(e.Attestations) != 2 || e.Attestations[0].Source.URL != data || e.Attestations[1].Source.URL != article {
			t.Errorf("attestations %+v", e.Attestations)
		}
		if len(b.Events("csto")) != 2 {
			t.Errorf("events %v", kindsOf(b.Events("csto")))
		}
		// Inside the hull the lapse is uncertain; AZE may still be a member.
		p := b.At("csto", "AZE", day("1999-04-10"))
		want := Position{Party: "AZE", Standing: "member", Before: "member", After: "former", Since: e.Date, Event: e.ID}
		if fmt.Sprint(p) != fmt.Sprint(want) {
			t.Errorf("inside the hull: %+v, want %+v", p, want)
		}
		if got := codes(b.Members("csto", day("1999-04-10"), false)); got != "AZE?" {
			t.Errorf("members inside the hull: %q", got)
		}
		if p := b.At("csto", "AZE", day("1999-04-21")); p.Standing != "former" || !p.Certain {
			t.Errorf("after the hull: %+v", p)
		}
		// A third source inside the hull disagrees with both.
		if _, rel := b.Match(rec("csto", "AZE", bloc.KindLapsed, "1999-04-10")); rel != RelationDisagreement {
			t.Errorf("Match inside hull = %s", rel)
		}
		// Repeating a source's date is "recorded".
		if id, rel := b.Match(rec("csto", "AZE", bloc.KindLapsed, "1999-04-02")); id != e.ID || rel != RelationRecorded {
			t.Errorf("Match 1999-04-02 = %d %s", id, rel)
		}
	})
	t.Run("one batch", func(t *testing.T) {
		l := newLedger(testBlocs...)
		out, probs := l.book().Prepare([]bloc.Record{
			from(rec("csto", "BLR", bloc.KindAcceded, "1993-12-31"), data),
			from(rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"), data),
			from(rec("csto", "BLR", bloc.KindAcceded, "1993"), article),
			from(rec("csto", "UZB", bloc.KindAcceded, "2006-08"), article),
			from(rec("csto", "UZB", bloc.KindAcceded, "2006-08"), article),
		})
		if len(probs) != 1 || probs[0].Index != 4 || probs[0].Code != bloc.ECONFLICT ||
			probs[0].Text != "csto UZB acceded 2006-08: already recorded from the same source (record #4 of this batch)" {
			t.Errorf("problems %+v", probs)
		}
		var ids []int64
		for _, r := range out {
			ids = append(ids, r.EventID)
		}
		if !slices.Equal(ids, []int64{0, 0, -1, -2, 0}) {
			t.Errorf("event ids %v", ids)
		}
		for _, r := range out {
			if r.ID != 0 {
				t.Errorf("prepared record has id %d", r.ID)
			}
		}
	})
}

func TestUncertainty(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("csto", "UZB", bloc.KindLapsed, "1999-04-20"),
		rec("csto", "UZB", bloc.KindAcceded, "2006-08"),
		rec("csto", "UZB", bloc.KindWithdrew, "2012-12"),
		rec("csto", "SRB", bloc.KindObserverFrom, "2013"),
		// A year-precision accession followed by a dated suspension: the
		// accession must have happened before the suspension.
		rec("x", "AAA", bloc.KindAcceded, "2000"),
		rec("x", "AAA", bloc.KindSuspended, "2000-03-01"),
	)
	b := l.book()
	acc, _ := b.Event(3)
	for _, tc := range []struct {
		blocSlug, party, at string
		want                Position
	}{
		{"csto", "UZB", "2006-07-31", Position{Standing: "former", Certain: true, Since: bloc.MustDate("1999-04-20"), Event: 2}},
		{"csto", "UZB", "2006-08-01", Position{Standing: "member", Before: "former", After: "member", Since: acc.Date, Event: 3}},
		{"csto", "UZB", "2006-08-31", Position{Standing: "member", Before: "former", After: "member", Since: acc.Date, Event: 3}},
		{"csto", "UZB", "2006-09-01", Position{Standing: "member", Certain: true, Since: acc.Date, Event: 3}},
		{"csto", "UZB", "2012-12-15", Position{Standing: "member", Before: "member", After: "former", Since: bloc.MustDate("2012-12"), Event: 4}},
		{"csto", "SRB", "2013-06-01", Position{Standing: "observer", Before: "", After: "observer", Since: bloc.MustDate("2013"), Event: 5}},
		{"csto", "SRB", "2012-12-31", Position{Standing: "", Certain: true}},
		{"csto", "SRB", "2014-01-01", Position{Standing: "observer", Certain: true, Since: bloc.MustDate("2013"), Event: 5}},
		{"x", "AAA", "2000-02-01", Position{Standing: "member", Before: "", After: "member", Since: bloc.MustDate("2000"), Event: 6}},
		{"x", "AAA", "2000-03-01", Position{Standing: "member", Before: "", After: "suspended", Since: bloc.MustDate("2000"), Event: 6}},
		{"x", "AAA", "2000-03-02", Position{Standing: "suspended", Certain: true, Since: bloc.MustDate("2000-03-01"), Event: 7}},
		{"x", "AAA", "2000-06-01", Position{Standing: "suspended", Certain: true, Since: bloc.MustDate("2000-03-01"), Event: 7}},
		{"x", "ZZZ", "2000-06-01", Position{Standing: "", Certain: true}},
		{"nowhere", "ZZZ", "2000-06-01", Position{Standing: "", Certain: true}},
	} {
		tc.want.Party = tc.party
		if got := b.At(tc.blocSlug, tc.party, day(tc.at)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s %s at %s:\n got %+v\nwant %+v", tc.blocSlug, tc.party, tc.at, got, tc.want)
		}
	}
	if got := codes(b.Members("csto", day("2013-06-01"), false)); got != "" {
		t.Errorf("members (not all) in 2013: %q", got)
	}
	if got := codes(b.Members("csto", day("2013-06-01"), true)); got != "SRB:observer?" {
		t.Errorf("all standings in 2013: %q", got)
	}
	if got := codes(b.Members("csto", day("2006-08-10"), false)); got != "UZB?" {
		t.Errorf("members in August 2006: %q", got)
	}
	// The interval records the accession's window.
	iv := b.PartyIntervals("UZB")[2]
	if iv.From.String() != "2006-08" || !iv.FromStart.Equal(day("2006-08-01")) || !iv.FromEnd.Equal(day("2006-09-01")) ||
		iv.To.String() != "2012-12" || !iv.ToStart.Equal(day("2012-12-01")) || !iv.ToEnd.Equal(day("2013-01-01")) ||
		iv.FromEvent != 3 || iv.ToEvent != 4 {
		t.Errorf("interval %+v", iv)
	}
}

// TestInstant: an instant-precision transition is certain on both sides,
// at nanosecond granularity.
func TestInstant(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	l := newLedger(testBlocs...)
	l.add(t, rec("x", "AAA", bloc.KindAcceded, "2001"))
	w := rec("x", "AAA", bloc.KindWithdrew, "2001")
	w.Date = bloc.InstantOf(at)
	l.add(t, w)
	b := l.book()
	for _, tc := range []struct {
		t    time.Time
		want bloc.Standing
	}{
		{at.Add(-time.Millisecond), "member"},
		{at.Add(-time.Nanosecond), "member"},
		{at, "former"},
		{at.Add(time.Nanosecond), "former"},
		{at.Add(time.Millisecond), "former"},
	} {
		p := b.At("x", "AAA", tc.t)
		if p.Standing != tc.want || !p.Certain {
			t.Errorf("at %s: %+v, want certain %s", tc.t.Format(time.RFC3339Nano), p, tc.want)
		}
	}
	if got := codes(b.Members("x", at, false)); got != "" {
		t.Errorf("members at the instant: %q", got)
	}
}

func TestChangesAndEvents(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("csto", "ARM", bloc.KindSigned, "1992-05-15"),
		rec("csto", "UZB", bloc.KindSuspended, "2012-06-20"),
		rec("csto", "UZB", bloc.KindWithdrew, "2012-12-19"),
		rec("csto", "", bloc.KindStatement, "2012"),
		rec("csto", "ARM", bloc.KindStatement, "2012-12-19"),
		rec("csto", "SRB", bloc.KindObserverFrom, "2013"),
		rec("sco", "UZB", bloc.KindSigned, "2001-06-15"),
	)
	b := l.book()
	var got []string
	for _, c := range b.Changes("csto", day("2012-06-01"), day("2013-01-01")) {
		got = append(got, fmt.Sprintf("%s %s %s %s→%s", c.Event.Party, c.Event.Kind, c.Event.Date, string(c.Before), string(c.After)))
	}
	want := []string{
		" statement 2012 →", // bloc-level: no party, no standing
		"UZB suspended 2012-06-20 member→suspended",
		"UZB withdrew 2012-12-19 suspended→former",
		"ARM statement 2012-12-19 member→member",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q", got, want)
	}
	if n := len(b.Changes("csto", day("2012-12-20"), day("2012-12-31"))); n != 1 { // the 2012 statement's window
		t.Errorf("%d changes in late December 2012", n)
	}
	if got := kindsOf(b.PartyEvents("UZB")); !slices.Equal(got, []string{
		"UZB signed 1992-05-15", "UZB signed 2001-06-15", "UZB suspended 2012-06-20", "UZB withdrew 2012-12-19",
	}) {
		t.Errorf("party events %q", got)
	}
	if got := b.Parties("csto"); !slices.Equal(got, []string{"ARM", "SRB", "UZB"}) {
		t.Errorf("parties %v", got)
	}
	var blocs []string
	for _, iv := range b.PartyIntervals("UZB") {
		blocs = append(blocs, iv.Bloc+":"+string(iv.Standing))
	}
	if !slices.Equal(blocs, []string{"csto:member", "csto:suspended", "csto:former", "sco:member"}) {
		t.Errorf("party intervals %v", blocs)
	}
	if _, ok := b.Bloc("csto"); !ok {
		t.Error("csto unknown")
	}
	if _, ok := b.Event(999); ok {
		t.Error("event 999 exists")
	}
}

// TestAnomaliesTolerated: stored data that breaks the rules is read, not
// trusted: the refused event changes nothing, and checking new records
// does not re-report it.
func TestAnomaliesTolerated(t *testing.T) {
	recs := []bloc.Record{
		{ID: 1, EventID: 1, Bloc: "x", Party: "AAA", Kind: bloc.KindWithdrew, Date: bloc.MustDate("1995")},
		{ID: 2, EventID: 2, Bloc: "x", Party: "AAA", Kind: bloc.KindAcceded, Date: bloc.MustDate("1996")},
		{ID: 3, EventID: 3, Bloc: "x", Party: "AAA", Kind: "joined", Date: bloc.MustDate("1997")},
		{ID: 4, EventID: 4, Bloc: "gone", Party: "AAA", Kind: bloc.KindAcceded, Date: bloc.MustDate("1997")},
	}
	// Out of id order on purpose.
	b := Build(testBlocs, []bloc.Record{recs[2], recs[0], recs[3], recs[1]}, time.Time{})
	if p := b.At("x", "AAA", day("2000")); p.Standing != "member" || p.Event != 2 {
		t.Errorf("AAA: %+v", p)
	}
	var got []string
	for _, a := range b.Anomalies("x") {
		got = append(got, fmt.Sprintf("%d: %s", a.Event.ID, a.Reason))
	}
	if !slices.Equal(got, []string{
		"1: AAA is not a member of x on that date (no standing)",
		`3: "joined" is not an event kind`,
	}) {
		t.Errorf("anomalies %q", got)
	}
	if p := b.At("gone", "AAA", day("2000")); p.Standing != "member" {
		t.Errorf("a bloc missing from the list is still read: %+v", p)
	}
	if err := b.Check([]bloc.Record{rec("x", "AAA", bloc.KindStatement, "2001")}); err != nil {
		t.Errorf("old anomalies re-reported: %v", err)
	}
	if err := b.Check([]bloc.Record{rec("gone", "AAA", bloc.KindWithdrew, "2001")}); err == nil {
		t.Error("a record of a bloc not in the list accepted")
	}
}

func TestPartnersAndObserversInMembers(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("x", "AAA", bloc.KindSigned, "1990-01-01"),
		withScope(rec("x", "BBB", bloc.KindPartnerFrom, "1995-01-01"), "cyber", "terrorism"),
		rec("x", "CCC", bloc.KindObserverFrom, "1995-01-01"),
		rec("x", "DDD", bloc.KindSigned, "1990-01-01"),
		rec("x", "DDD", bloc.KindSuspended, "1994-01-01"),
		rec("x", "EEE", bloc.KindSigned, "1990-01-01"),
		rec("x", "EEE", bloc.KindExpelled, "1994-01-01"),
	)
	b := l.book()
	ms := b.Members("x", day("1996-01-01"), true)
	if got := codes(ms); got != "AAA BBB:partner CCC:observer DDD:suspended" {
		t.Fatalf("all standings: %q", got)
	}
	if fmt.Sprint(ms[1].Scope) != "[cyber terrorism]" || ms[0].Scope != nil {
		t.Errorf("scopes %v %v", ms[0].Scope, ms[1].Scope)
	}
	if got := codes(b.Members("x", day("1996-01-01"), false)); got != "AAA" {
		t.Errorf("members: %q", got)
	}
	if p := b.At("x", "EEE", day("1996-01-01")); p.Standing != bloc.StandingFormer {
		t.Errorf("EEE %+v", p)
	}
}

// TestStoredMisplacedKinds: stored bloc-level kinds with a party, and party
// kinds without one, are anomalies that change nothing.
func TestStoredMisplacedKinds(t *testing.T) {
	recs := []bloc.Record{
		{ID: 1, Bloc: "x", Party: "AAA", Kind: bloc.KindSigned, Date: bloc.MustDate("1990")},
		{ID: 2, Bloc: "x", Party: "AAA", Kind: bloc.KindDissolved, Date: bloc.MustDate("1991")},
		{ID: 3, Bloc: "x", Kind: bloc.KindWithdrew, Date: bloc.MustDate("1992")},
		{ID: 4, Bloc: "x", Kind: bloc.KindRenamed, Date: bloc.MustDate("1993")},
	}
	b := Build(testBlocs, recs, time.Time{})
	if p := b.At("x", "AAA", day("2000")); p.Standing != bloc.StandingMember {
		t.Errorf("AAA %+v", p)
	}
	if _, ok := b.Dissolved("x"); ok {
		t.Error("a party's dissolution dissolved the bloc")
	}
	var got []string
	for _, a := range b.Anomalies("x") {
		got = append(got, a.Reason)
	}
	want := []string{
		"dissolved is about the bloc itself and takes no party",
		"withdrew is about a party and needs one",
		"renamed without a new name",
	}
	if !slices.Equal(got, want) {
		t.Errorf("anomalies %q", got)
	}
	if b.Name("x", day("2000")) != "Test bloc" {
		t.Errorf("name %q", b.Name("x", day("2000")))
	}
}

// TestEventOrderTieBreak: same start and kind rank fall back to the id.
func TestEventOrderTieBreak(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("x", "BBB", bloc.KindAcceded, "2000-01-01"),
		rec("x", "AAA", bloc.KindAcceded, "2000-01-01"),
		rec("x", "AAA", bloc.KindAcceded, "2000"), // a year from another source: an attestation
		rec("x", "CCC", bloc.KindSigned, "2000-01-01"),
		rec("x", "", bloc.KindStatement, "2000-01-01"),
	)
	got := kindsOf(l.book().Events("x"))
	want := []string{"CCC signed 2000-01-01", "BBB acceded 2000-01-01", "AAA acceded 2000-01-01", "statement 2000-01-01"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
