package standing

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blocsec/bloc"
)

func TestMalformed(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t, rec("csto", "UZB", bloc.KindSigned, "1992-05-15"))
	bad := func(f func(r *bloc.Record)) bloc.Record {
		r := rec("csto", "UZB", bloc.KindStatement, "2000")
		f(&r)
		return r
	}
	for _, tc := range []struct {
		r    bloc.Record
		want string
	}{
		{bad(func(r *bloc.Record) { r.Bloc = "nato" }), `nato UZB statement 2000: unknown bloc "nato"`},
		{bad(func(r *bloc.Record) { r.Bloc = "" }), `UZB statement 2000: no bloc given`},
		{bad(func(r *bloc.Record) { r.Kind = "joined" }), `csto UZB joined 2000: unknown event kind "joined" (one of: signed, acceded, suspended, resumed, withdrew, lapsed, expelled, observer_from, observer_until, partner_from, partner_until, statement, renamed, dissolved)`},
		{bad(func(r *bloc.Record) { r.Kind, r.Party = bloc.KindAcceded, "" }), `csto acceded 2000: acceded needs a party`},
		{bad(func(r *bloc.Record) { r.Kind, r.NewName = bloc.KindRenamed, "CSTO" }), `csto UZB renamed 2000 ("CSTO"): renamed is about the bloc itself and takes no party`},
		{bad(func(r *bloc.Record) { r.Kind, r.Party = bloc.KindRenamed, "" }), `csto renamed 2000: renamed needs the new name`},
		{bad(func(r *bloc.Record) { r.NewName = "CSTO" }), `csto UZB statement 2000 ("CSTO"): only renamed takes a new name`},
		{bad(func(r *bloc.Record) { r.Scope = []string{"cyber"} }), `csto UZB statement 2000: only partner_from takes a scope`},
		{bad(func(r *bloc.Record) { r.Date = bloc.Date{} }), `csto UZB statement: no date, or a date without a valid precision`},
		{bad(func(r *bloc.Record) { r.Date.Precision = "decade" }), `csto UZB statement 2000-01-01T00:00:00Z: no date, or a date without a valid precision`},
		{bad(func(r *bloc.Record) { r.ID = 7 }), `csto UZB statement 2000: already stored as record 7`},
		{bad(func(r *bloc.Record) { r.EventID = 99 }), `csto UZB statement 2000: there is no event 99`},
		{bad(func(r *bloc.Record) { r.EventID = -1 }), `csto UZB statement 2000: its event is that of record #1 of this batch, which is not an accepted earlier record of the batch`},
		{bad(func(r *bloc.Record) { r.EventID = 1 }), `csto UZB statement 2000: event 1 is csto UZB signed 1992-05-15, another fact`},
		{bad(func(r *bloc.Record) { r.Supersedes = -1 }), `csto UZB statement 2000 (correcting record #1 of this batch): record #1 of this batch does not come before it`},
		{bloc.Record{Retracts: true}, `a retraction must name the record it retracts`},
	} {
		err := l.book().Check([]bloc.Record{tc.r})
		if err == nil {
			t.Errorf("accepted: %s", tc.want)
			continue
		}
		code, details := errDetails(t, err)
		if code != bloc.EINVALID || len(details) != 1 || details[0] != tc.want {
			t.Errorf("got %s %q\nwant %q", code, details, tc.want)
		}
	}
	// A party-less statement is the bloc's own.
	if err := l.book().Check([]bloc.Record{rec("csto", "", bloc.KindStatement, "2000")}); err != nil {
		t.Error(err)
	}
}

// TestBatch: a batch is checked as a whole; every bad record is reported
// once, in order, and malformed records make the error EINVALID.
func TestBatch(t *testing.T) {
	l := newLedger(testBlocs...)
	batch := []bloc.Record{
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("csto", "UZB", bloc.KindLapsed, "1999-04-20"),
		rec("csto", "UZB", bloc.KindResumed, "2006-08-16"), // not suspended
		rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"),
		rec("csto", "UZB", bloc.KindSuspended, "2012-06-20"),
		rec("csto", "UZB", bloc.KindWithdrew, "2012-12-19"),
		rec("csto", "UZB", bloc.KindWithdrew, "2014-12-19"), // already out (more than a year later: a new event)
	}
	err := l.book().Check(batch)
	code, details := errDetails(t, err)
	want := []string{
		"csto UZB resumed 2006-08-16: UZB is not suspended in csto on that date (former member since 1999-04-20)",
		"csto UZB withdrew 2014-12-19: UZB is not a member of csto on that date (former member since 2012-12-19)",
	}
	if code != bloc.ECONFLICT || !slices.Equal(details, want) {
		t.Errorf("got %s %q\nwant %q", code, details, want)
	}
	if msg := err.(*bloc.Error).Message; msg != "2 of 7 records refused" {
		t.Errorf("message %q", msg)
	}
	batch = append(batch, rec("nato", "UZB", bloc.KindAcceded, "2000"))
	_, probs := l.book().Prepare(batch)
	err = Refuse(probs, len(batch), func(i int) string { return fmt.Sprintf("line %d", i+2) })
	code, details = errDetails(t, err)
	if code != bloc.EINVALID || len(details) != 3 || details[0] != "line 4: "+want[0] || details[2] != `line 9: nato UZB acceded 2000: unknown bloc "nato"` {
		t.Errorf("got %s %q", code, details)
	}
	if Refuse(nil, 3, nil) != nil {
		t.Error("Refuse without problems is an error")
	}
	// Without the bad ones the history goes in, in any order of rows.
	good := slices.Concat(batch[:2], batch[3:6])
	slices.Reverse(good)
	l.add(t, good...)
	if got := len(l.book().PartyIntervals("UZB")); got != 5 {
		t.Errorf("%d intervals", got)
	}
}

// TestNewEventCharged: a new event that makes a stored one impossible is
// refused, not the stored one.
func TestNewEventCharged(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t, rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"))
	err := l.book().Check([]bloc.Record{rec("csto", "UZB", bloc.KindAcceded, "2003")})
	_, details := errDetails(t, err)
	want := "csto UZB acceded 2003: it would leave csto UZB acceded 2006-08-16 impossible: UZB is already a member of csto on that date (member since 2003)"
	if len(details) != 1 || details[0] != want {
		t.Errorf("got %q\nwant %q", details, want)
	}
}

func TestAttestExplicitly(t *testing.T) {
	l := newLedger(testBlocs...)
	first := l.add(t, rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"))[0]
	r := from(rec("csto", "UZB", bloc.KindAcceded, "2006"), "https://example.org/b")
	r.EventID = first.EventID
	out := l.add(t, r)
	if out[0].EventID != first.EventID {
		t.Errorf("event %d", out[0].EventID)
	}
	// -n refers to the n-th record's event, even when that record attests a
	// stored event.
	a := from(rec("csto", "UZB", bloc.KindAcceded, "2006-08"), "https://example.org/c")
	b := from(rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"), "https://example.org/d")
	b.EventID = -1
	out = l.add(t, a, b)
	if out[0].EventID != first.EventID || out[1].EventID != first.EventID {
		t.Errorf("events %d %d", out[0].EventID, out[1].EventID)
	}
	e, _ := l.book().Event(first.EventID)
	if len(e.Attestations) != 4 || e.Date.String() != "2006-08-16" || e.Disputed {
		t.Errorf("event %+v", e)
	}
}

func TestCorrection(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("csto", "UZB", bloc.KindLapsed, "1999-04-20"),
		rec("csto", "AZE", bloc.KindAcceded, "1993-09-24"),
	)
	// The lapse was Azerbaijan's, not Uzbekistan's: a correction of the
	// sole attestation may change the party; the event moves with it.
	fix := rec("csto", "AZE", bloc.KindLapsed, "1999-04-20")
	fix.Supersedes = 2
	out := l.add(t, fix)
	if out[0].EventID != 2 {
		t.Errorf("correction in event %d", out[0].EventID)
	}
	b := l.book()
	if p := b.At("csto", "UZB", day("2000")); p.Standing != "member" {
		t.Errorf("UZB %+v", p)
	}
	if p := b.At("csto", "AZE", day("2000")); p.Standing != "former" || p.Event != 2 {
		t.Errorf("AZE %+v", p)
	}
	// A second source of the lapse pins the party and kind.
	l.add(t, from(rec("csto", "AZE", bloc.KindLapsed, "1999-04"), "https://example.org/b"))
	fix2 := rec("csto", "GEO", bloc.KindLapsed, "1999-04-20")
	fix2.Supersedes = 4
	err := l.book().Check([]bloc.Record{fix2})
	_, details := errDetails(t, err)
	want := "csto GEO lapsed 1999-04-20 (correcting record 4): record 4 is one of 2 attestations of csto AZE lapsed 1999-04-20; a correction cannot change its party or kind (retract it and record the other fact)"
	if len(details) != 1 || details[0] != want {
		t.Errorf("got %q\nwant %q", details, want)
	}
	// A correction that makes the history impossible is charged to it.
	fix3 := rec("csto", "AZE", bloc.KindLapsed, "1993-01")
	fix3.Supersedes = 4
	fix3.EventID = 2
	err = l.book().Check([]bloc.Record{fix3})
	code, details := errDetails(t, err)
	// The event is now disputed, its window from January 1993: before the accession.
	want = "csto AZE lapsed 1993-01: AZE is not a member of csto on that date (no standing)"
	if code != bloc.ECONFLICT || len(details) != 1 || details[0] != want {
		t.Fatalf("got %s %q\nwant %q", code, details, want)
	}
	// Another bloc is refused.
	fix4 := rec("sco", "AZE", bloc.KindLapsed, "2003")
	fix4.Supersedes = 4
	if err := l.book().Check([]bloc.Record{fix4}); err == nil {
		t.Error("a correction into another bloc accepted")
	}
	// Correcting within a batch, by batch position.
	a := rec("csto", "TKM", bloc.KindAcceded, "1995")
	c := rec("csto", "TKM", bloc.KindAcceded, "1995-03-01")
	c.Supersedes = -1
	out = l.add(t, a, c)
	if out[1].EventID != out[0].ID || out[1].Supersedes != out[0].ID {
		t.Errorf("batch correction event %d", out[1].EventID)
	}
	e, _ := l.book().Event(out[0].ID)
	if len(e.Attestations) != 1 || e.Date.String() != "1995-03-01" {
		t.Errorf("event %+v", e)
	}
}

func TestMatch(t *testing.T) {
	l := newLedger(testBlocs...)
	l.add(t,
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),    // 1
		rec("csto", "UZB", bloc.KindLapsed, "1999-04-20"),    // 2
		rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"),   // 3
		rec("csto", "UZB", bloc.KindSuspended, "2012-06-20"), // 4
		rec("csto", "UZB", bloc.KindWithdrew, "2012-12-19"),  // 5
		rec("csto", "UZB", bloc.KindStatement, "2008-03-28"), // 6
		rec("csto", "ARM", bloc.KindSigned, "1992-05-15"),    // 7
	)
	b := l.book()
	for _, tc := range []struct {
		r    bloc.Record
		id   int64
		want Relation
	}{
		{rec("csto", "UZB", bloc.KindAcceded, "2006-08-16"), 3, RelationRecorded},
		{rec("csto", "UZB", bloc.KindAcceded, "2006-08"), 3, RelationRefinement},
		{rec("csto", "UZB", bloc.KindAcceded, "2006"), 3, RelationRefinement},
		{rec("csto", "UZB", bloc.KindAcceded, "2006-09-01"), 3, RelationDisagreement},
		{rec("csto", "UZB", bloc.KindAcceded, "2007-08-16"), 3, RelationDisagreement}, // a year after the window's end
		{rec("csto", "UZB", bloc.KindAcceded, "2007-08-18"), 0, RelationNew},          // more than a year
		{rec("csto", "UZB", bloc.KindLapsed, "1999-04-02"), 2, RelationDisagreement},
		{rec("csto", "UZB", bloc.KindWithdrew, "2012-12"), 5, RelationRefinement},
		// The suspension lies between June 2012 and the withdrawal.
		{rec("csto", "UZB", bloc.KindWithdrew, "2012-06-01"), 0, RelationNew},
		{rec("csto", "UZB", bloc.KindWithdrew, "2012-06"), 5, RelationDisagreement}, // the month holds the suspension; nothing between
		{rec("csto", "UZB", bloc.KindStatement, "2008-03"), 6, RelationRefinement},
		{rec("csto", "UZB", bloc.KindStatement, "2008-04-01"), 0, RelationNew}, // statements match only overlapping windows
		{rec("csto", "UZB", bloc.KindExpelled, "2012-12-19"), 0, RelationNew},
		{rec("csto", "KAZ", bloc.KindSigned, "1992-05-15"), 0, RelationNew},
		{rec("csto", "ARM", bloc.KindSigned, "1992"), 7, RelationRefinement},
		{rec("sco", "UZB", bloc.KindSigned, "1992-05-15"), 0, RelationNew},
		{rec("nato", "UZB", bloc.KindSigned, "1992-05-15"), 0, RelationNew},
	} {
		id, rel := b.Match(tc.r)
		if id != tc.id || rel != tc.want {
			t.Errorf("Match(%s %s %s %s) = %d %s, want %d %s", tc.r.Bloc, tc.r.Party, tc.r.Kind, tc.r.Date, id, rel, tc.id, tc.want)
		}
	}
}
