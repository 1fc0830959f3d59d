package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// RunRecord tests a bloc.RecordStore: blocs, parties and the append-only
// record.
func RunRecord(t *testing.T, open Opener) {
	t.Run("Blocs", func(t *testing.T) { testBlocs(t, newStore(t, open)) })
	t.Run("Parties", func(t *testing.T) { testParties(t, newStore(t, open)) })
	t.Run("AppendAssignsIDsAndEvents", func(t *testing.T) { testAppendIDs(t, newStore(t, open)) })
	t.Run("AppendRoundTripsEveryField", func(t *testing.T) { testRoundTrip(t, newStore(t, open)) })
	t.Run("AppendCheckSeesCurrentRecords", func(t *testing.T) { testCheckSees(t, newStore(t, open)) })
	t.Run("AppendRefusedWritesNothing", func(t *testing.T) { testAppendRefused(t, newStore(t, open)) })
	t.Run("AppendCancelledWritesNothing", func(t *testing.T) { testAppendCancelled(t, newStore(t, open)) })
	t.Run("AppendEmptyBatch", func(t *testing.T) { testAppendEmpty(t, newStore(t, open)) })
	t.Run("RecordsOrderAndFilter", func(t *testing.T) { testRecordsFilter(t, newStore(t, open)) })
	t.Run("ConcurrentAppends", func(t *testing.T) { testConcurrentAppends(t, newStore(t, open)) })
	t.Run("VersionFollowsBlocsAndParties", func(t *testing.T) { testVersionFollowsBlocsAndParties(t, newStore(t, open)) })
}

// testVersionFollowsBlocsAndParties: caches key on RecordVersion, so adding
// a bloc or a party must change it too.
func testVersionFollowsBlocsAndParties(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	v0, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBloc(ctx, csto); err != nil {
		t.Fatal(err)
	}
	v1, _ := s.RecordVersion(ctx)
	if v1 <= v0 {
		t.Errorf("RecordVersion %d → %d after CreateBloc, want an increase", v0, v1)
	}
	if err := s.CreateParty(ctx, arm); err != nil {
		t.Fatal(err)
	}
	v2, _ := s.RecordVersion(ctx)
	if v2 <= v1 {
		t.Errorf("RecordVersion %d → %d after CreateParty, want an increase", v1, v2)
	}
	if err := s.CreateParty(ctx, arm); bloc.ErrorCode(err) != bloc.ECONFLICT {
		t.Fatalf("duplicate party: %v", err)
	}
	if v3, _ := s.RecordVersion(ctx); v3 != v2 {
		t.Errorf("RecordVersion %d → %d after a refused CreateParty, want no change", v2, v3)
	}
}

func newStore(t *testing.T, open Opener) bloc.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// Fixtures: two blocs and three parties, as a registry would hold them.
var (
	csto = bloc.Bloc{
		Slug: "csto", Name: "Collective Security Treaty", Founded: bloc.MustDate("1992-05-15"),
		Place: "Tashkent", Instrument: "Collective Security Treaty",
	}
	guam = bloc.Bloc{Slug: "guam", Name: "GUAM", Founded: bloc.MustDate("1997-10")}
	arm  = bloc.Party{Code: "ARM", Name: "Armenia"}
	blr  = bloc.Party{Code: "BLR", Name: "Belarus", Aliases: []string{"Byelorussia", "Belorussia"}}
	uzb  = bloc.Party{Code: "UZB", Name: "Uzbekistan", Aliases: []string{"Republic of Uzbekistan"}}
)

func seed(t *testing.T, s bloc.RecordStore) {
	t.Helper()
	ctx := t.Context()
	for _, b := range []bloc.Bloc{csto, guam} {
		if err := s.CreateBloc(ctx, b); err != nil {
			t.Fatalf("CreateBloc(%s): %v", b.Slug, err)
		}
	}
	for _, p := range []bloc.Party{uzb, arm, blr} {
		if err := s.CreateParty(ctx, p); err != nil {
			t.Fatalf("CreateParty(%s): %v", p.Code, err)
		}
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want code %s", what, code)
	}
	if got := bloc.ErrorCode(err); got != code {
		t.Fatalf("%s: error %q has code %s, want %s", what, err, got, code)
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testBlocs(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	bs, err := s.Blocs(ctx)
	if err != nil || len(bs) != 0 {
		t.Fatalf("Blocs on an empty store = %v, %v; want none", bs, err)
	}
	demo := bloc.Bloc{Slug: "uzb-rus", Name: "Uzbekistan–Russia channel", Founded: bloc.MustDate("2013"), Demo: true}
	instant := bloc.Bloc{Slug: "aaa", Name: "Founded at an instant", Founded: bloc.InstantOf(time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC))}
	undated := bloc.Bloc{Slug: "zzz", Name: "No founding date known"}
	for _, b := range []bloc.Bloc{guam, demo, csto, instant, undated} {
		if err := s.CreateBloc(ctx, b); err != nil {
			t.Fatalf("CreateBloc(%s): %v", b.Slug, err)
		}
	}
	bs, err = s.Blocs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "Blocs (ordered by slug)", bs, []bloc.Bloc{instant, csto, guam, demo, undated})
	for _, want := range []bloc.Bloc{csto, guam, demo, instant, undated} {
		got, err := s.Bloc(ctx, want.Slug)
		if err != nil {
			t.Fatalf("Bloc(%s): %v", want.Slug, err)
		}
		equal(t, "Bloc("+want.Slug+")", got, want)
	}

	_, err = s.Bloc(ctx, "nato")
	wantCode(t, "Bloc(nato)", err, bloc.ENOTFOUND)
	err = s.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "Another"})
	wantCode(t, "CreateBloc of an existing slug", err, bloc.ECONFLICT)
	got, err := s.Bloc(ctx, "csto")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "csto after a refused duplicate", got, csto)
}

func testParties(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	ps, err := s.Parties(ctx)
	if err != nil || len(ps) != 0 {
		t.Fatalf("Parties on an empty store = %v, %v; want none", ps, err)
	}
	sun := bloc.Party{Code: "SUN", Name: "Soviet Union", Aliases: []string{"USSR", "Union of Soviet Socialist Republics", "СССР"}}
	for _, p := range []bloc.Party{uzb, sun, arm, blr} {
		if err := s.CreateParty(ctx, p); err != nil {
			t.Fatalf("CreateParty(%s): %v", p.Code, err)
		}
	}
	ps, err = s.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "Parties (ordered by code, aliases in order)", ps, []bloc.Party{arm, blr, sun, uzb})
	for _, want := range []bloc.Party{arm, blr, sun, uzb} {
		got, err := s.Party(ctx, want.Code)
		if err != nil {
			t.Fatalf("Party(%s): %v", want.Code, err)
		}
		equal(t, "Party("+want.Code+")", got, want)
	}

	_, err = s.Party(ctx, "GEO")
	wantCode(t, "Party(GEO)", err, bloc.ENOTFOUND)
	err = s.CreateParty(ctx, bloc.Party{Code: "BLR", Name: "Other", Aliases: []string{"X"}})
	wantCode(t, "CreateParty of an existing code", err, bloc.ECONFLICT)
	got, err := s.Party(ctx, "BLR")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "BLR after a refused duplicate", got, blr)
}

// batch returns a check that ignores the current record and appends recs.
func batch(recs ...bloc.Record) func([]bloc.Record) ([]bloc.Record, error) {
	return func([]bloc.Record) ([]bloc.Record, error) { return recs, nil }
}

func rec(b, party string, kind bloc.Kind, date string) bloc.Record {
	return bloc.Record{Bloc: b, Party: party, Kind: kind, Date: bloc.MustDate(date),
		Source: bloc.Source{Title: "test source"}}
}

func testAppendIDs(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	v0, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}

	before := time.Now()
	first, err := s.Append(ctx, []string{"csto"}, batch(
		rec("csto", "ARM", bloc.KindSigned, "1992-05-15"),
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
	))
	after := time.Now()
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if len(first) != 2 || first[1].ID <= first[0].ID {
		t.Fatalf("Append returned ids %v; want two, increasing", ids(first))
	}
	for _, r := range first {
		if r.EventID != r.ID {
			t.Errorf("record %d starts a new event but has EventID %d", r.ID, r.EventID)
		}
		if r.RecordedAt.Before(before.Add(-time.Second)) || r.RecordedAt.After(after.Add(time.Second)) {
			t.Errorf("record %d RecordedAt = %v; want the time of the append (%v to %v)", r.ID, r.RecordedAt, before, after)
		}
	}
	v1, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 == v0 {
		t.Fatalf("RecordVersion did not change on Append: %d", v1)
	}

	// A second source for UZB's signature attests the existing event; a
	// new event with two attestations in the same batch refers back to its
	// first record; a correction of that first record supersedes it by
	// batch position; a retraction supersedes a stored record.
	recordedAt := time.Date(2024, 3, 1, 10, 0, 0, 5, time.UTC)
	attest := rec("csto", "UZB", bloc.KindSigned, "1992-05")
	attest.EventID = first[1].ID
	lapse := rec("csto", "UZB", bloc.KindLapsed, "1999-04-02")
	lapse.RecordedAt = recordedAt
	lapse2 := rec("csto", "UZB", bloc.KindLapsed, "1999-04-20")
	lapse2.EventID = -2
	fix := rec("csto", "UZB", bloc.KindLapsed, "1999-04-03")
	fix.EventID = -2
	fix.Supersedes = -3
	retract := rec("csto", "ARM", bloc.KindSigned, "1992-05-15")
	retract.Supersedes = first[0].ID
	retract.Retracts = true
	self := rec("csto", "BLR", bloc.KindAcceded, "1993-12-31")
	self.EventID = -6 // its own position: a new event, like 0
	second, err := s.Append(ctx, []string{"csto"}, batch(attest, lapse, lapse2, fix, retract, self))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if len(second) != 6 {
		t.Fatalf("Append returned %d records, want 6", len(second))
	}
	for i := 1; i < len(second); i++ {
		if second[i].ID <= second[i-1].ID {
			t.Fatalf("ids not in batch order: %v", ids(second))
		}
	}
	if second[0].ID <= first[1].ID {
		t.Fatalf("second batch ids %v do not follow the first %v", ids(second), ids(first))
	}
	type refs struct{ EventID, Supersedes int64 }
	got := make([]refs, len(second))
	for i, r := range second {
		got[i] = refs{r.EventID, r.Supersedes}
	}
	lapseID := second[1].ID
	equal(t, "EventID and Supersedes after resolution", got, []refs{
		{first[1].ID, 0},
		{lapseID, 0},
		{lapseID, 0},
		{lapseID, second[2].ID},
		{second[4].ID, first[0].ID},
		{second[5].ID, 0},
	})
	if !second[1].RecordedAt.Equal(recordedAt) {
		t.Errorf("a given RecordedAt was replaced: %v, want %v", second[1].RecordedAt, recordedAt)
	}
	v2, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2 == v1 {
		t.Fatalf("RecordVersion did not change on the second Append: %d", v2)
	}

	all, err := s.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "Records after two appends", all, append(append([]bloc.Record{}, first...), second...))
}

func ids(rs []bloc.Record) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testRoundTrip(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	partner := bloc.Record{
		Bloc: "csto", Party: "UZB", Kind: bloc.KindPartnerFrom,
		Date:  bloc.InstantOf(time.Date(2025, 6, 30, 12, 0, 0, 123456789, time.UTC)),
		Scope: []string{"terrorism", "border security", "drugs;trafficking", `quote"d`},
		Source: bloc.Source{
			Title: "Uzbekistan and the CSTO", Publisher: "Some Review", URL: "https://example.org/uzb-csto?x=1&y=2",
			Published: bloc.MustDate("2025-07"),
		},
		Quote:      "Uzbekistan cooperates with the CSTO “to some extent”.",
		Note:       "line one\nline two",
		RecordedAt: time.Date(2025, 7, 1, 8, 30, 0, 987654321, time.UTC),
		RecordedBy: "registrar@csto",
	}
	renamed := bloc.Record{
		Bloc: "csto", Kind: bloc.KindRenamed, Date: bloc.MustDate("2002-10-07"),
		NewName: "Collective Security Treaty Organization",
		Source:  bloc.Source{Published: bloc.MustDate("2002")},
	}
	stored, err := s.Append(ctx, []string{"csto"}, batch(partner, renamed))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	retract := bloc.Record{
		Bloc: "csto", Party: "UZB", Kind: bloc.KindPartnerFrom, Date: partner.Date,
		Supersedes: stored[0].ID, Retracts: true, Note: "entered in error",
		RecordedAt: time.Date(2025, 7, 2, 0, 0, 0, 1, time.FixedZone("UTC+5", 5*3600)),
	}
	more, err := s.Append(ctx, []string{"csto"}, batch(retract))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}

	want := []bloc.Record{partner, renamed, retract}
	want[0].ID, want[0].EventID = stored[0].ID, stored[0].ID
	want[1].ID, want[1].EventID = stored[1].ID, stored[1].ID
	want[1].RecordedAt = stored[1].RecordedAt
	want[2].ID, want[2].EventID = more[0].ID, more[0].ID
	want[2].RecordedAt = retract.RecordedAt.UTC() // stored and returned in UTC
	equal(t, "records returned by Append", append(stored, more...), want)

	got, err := s.Records(ctx, "csto")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "records read back", got, want)
	if got[1].RecordedAt.IsZero() {
		t.Error("RecordedAt not filled in")
	}
	got, err = s.PartyRecords(ctx, "UZB")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "party records read back", got, []bloc.Record{want[0], want[2]})
}

func testCheckSees(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	c1, err := s.Append(ctx, []string{"csto"}, batch(rec("csto", "ARM", bloc.KindSigned, "1992-05-15")))
	if err != nil {
		t.Fatal(err)
	}
	g1, err := s.Append(ctx, []string{"guam"}, batch(rec("guam", "UZB", bloc.KindAcceded, "1999-04-24")))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		blocs []string
		want  []bloc.Record
	}{
		{[]string{"csto"}, c1},
		{[]string{"guam"}, g1},
		{[]string{"guam", "csto"}, append(append([]bloc.Record{}, c1...), g1...)},
	}
	for _, c := range cases {
		var seen []bloc.Record
		_, err := s.Append(ctx, c.blocs, func(current []bloc.Record) ([]bloc.Record, error) {
			seen = current
			return nil, nil
		})
		if err != nil {
			t.Fatalf("Append(%v): %v", c.blocs, err)
		}
		equal(t, fmt.Sprintf("current records given to check for %v", c.blocs), seen, c.want)
	}
}

func testAppendEmpty(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	v0, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Append(ctx, []string{"csto"}, batch())
	if err != nil || len(got) != 0 {
		t.Fatalf("empty Append = %v, %v; want nothing, no error", got, err)
	}
	v1, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v0 {
		t.Fatalf("RecordVersion changed from %d to %d by an empty Append", v0, v1)
	}
}

func testAppendRefused(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	stored, err := s.Append(ctx, []string{"csto", "guam"}, batch(
		rec("csto", "ARM", bloc.KindSigned, "1992-05-15"),
		rec("guam", "UZB", bloc.KindAcceded, "1999-04-24"),
	))
	if err != nil {
		t.Fatal(err)
	}
	v0, err := s.RecordVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	good := []bloc.Record{
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("csto", "BLR", bloc.KindAcceded, "1993-12-31"),
	}
	with := func(extra bloc.Record) []bloc.Record {
		return append(append([]bloc.Record{}, good...), extra)
	}
	badEvent := rec("csto", "ARM", bloc.KindWithdrew, "2000")
	badEvent.EventID = -4
	badSupersedes := rec("csto", "ARM", bloc.KindWithdrew, "2000")
	badSupersedes.Supersedes = -3
	missingSupersedes := rec("csto", "ARM", bloc.KindWithdrew, "2000")
	missingSupersedes.Supersedes = 1 << 40
	missingEvent := rec("csto", "ARM", bloc.KindWithdrew, "2000")
	missingEvent.EventID = 1 << 40
	retractNothing := rec("csto", "ARM", bloc.KindWithdrew, "2000")
	retractNothing.Retracts = true
	refusal := bloc.Errorf(bloc.ECONFLICT, "UZB cannot accede to csto on 2000: already a member")

	cases := []struct {
		name  string
		blocs []string
		check func([]bloc.Record) ([]bloc.Record, error)
		code  string
	}{
		{"check refuses", []string{"csto"}, func([]bloc.Record) ([]bloc.Record, error) { return nil, refusal }, bloc.ECONFLICT},
		{"unknown party after good records", []string{"csto"}, batch(with(rec("csto", "XXX", bloc.KindAcceded, "2001"))...), bloc.ENOTFOUND},
		{"unknown bloc", nil, batch(with(rec("nato", "ARM", bloc.KindAcceded, "2001"))...), bloc.ENOTFOUND},
		{"record outside the locked blocs", []string{"csto"}, batch(with(rec("guam", "ARM", bloc.KindAcceded, "2001"))...), bloc.EINVALID},
		{"event refers to a later record of the batch", []string{"csto"}, batch(with(badEvent)...), bloc.EINVALID},
		{"supersedes itself", []string{"csto"}, batch(with(badSupersedes)...), bloc.EINVALID},
		{"supersedes a record that does not exist", []string{"csto"}, batch(with(missingSupersedes)...), bloc.ENOTFOUND},
		{"attests an event that does not exist", []string{"csto"}, batch(with(missingEvent)...), bloc.ENOTFOUND},
		{"retracts nothing", []string{"csto"}, batch(with(retractNothing)...), bloc.EINVALID},
		{"unknown kind", []string{"csto"}, batch(with(rec("csto", "ARM", bloc.Kind("joined"), "2001"))...), bloc.EINVALID},
		{"date inside its window, not at its start", []string{"csto"}, batch(with(bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew,
			Date: bloc.Date{Start: time.Date(2006, 8, 16, 0, 0, 0, 0, time.UTC), Precision: bloc.PrecisionMonth}})...), bloc.EINVALID},
		{"date with an unknown precision", []string{"csto"}, batch(with(bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew,
			Date: bloc.Date{Start: time.Date(2006, 8, 1, 0, 0, 0, 0, time.UTC), Precision: "week"}})...), bloc.EINVALID},
		{"no date", []string{"csto"}, batch(with(bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew})...), bloc.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Append(ctx, c.blocs, c.check)
			wantCode(t, "Append", err, c.code)
			if got != nil {
				t.Errorf("refused Append returned records %v", got)
			}
			if c.name == "check refuses" && !errors.Is(err, refusal) {
				t.Errorf("Append returned %v, not check's error", err)
			}
			all, err := s.Records(ctx)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "records after a refused Append", all, stored)
			v, err := s.RecordVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != v0 {
				t.Errorf("RecordVersion changed from %d to %d by a refused Append", v0, v)
			}
		})
	}

	// The store still works after refusals, and ids continue from the last
	// stored record.
	next, err := s.Append(ctx, []string{"csto"}, batch(good...))
	if err != nil {
		t.Fatalf("Append after refusals: %v", err)
	}
	if next[0].ID <= stored[len(stored)-1].ID {
		t.Errorf("id %d after refusals does not follow %d", next[0].ID, stored[len(stored)-1].ID)
	}
}

func testRecordsFilter(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	if err := s.CreateBloc(ctx, bloc.Bloc{Slug: "sco", Name: "Shanghai Cooperation Organisation"}); err != nil {
		t.Fatal(err)
	}
	// Interleave blocs and parties across several appends.
	var all []bloc.Record
	for i, r := range []bloc.Record{
		rec("csto", "ARM", bloc.KindSigned, "1992-05-15"),
		rec("guam", "UZB", bloc.KindAcceded, "1999-04-24"),
		rec("csto", "UZB", bloc.KindSigned, "1992-05-15"),
		rec("sco", "UZB", bloc.KindAcceded, "2001-06-15"),
		{Bloc: "csto", Kind: bloc.KindRenamed, Date: bloc.MustDate("2002-10-07"), NewName: "CSTO"},
		rec("guam", "UZB", bloc.KindWithdrew, "2005-05-05"),
		rec("csto", "BLR", bloc.KindAcceded, "1993-12-31"),
	} {
		got, err := s.Append(ctx, nil, batch(r))
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		all = append(all, got...)
	}
	pick := func(keep func(bloc.Record) bool) []bloc.Record {
		var out []bloc.Record
		for _, r := range all {
			if keep(r) {
				out = append(out, r)
			}
		}
		return out
	}
	inBlocs := func(bs ...string) []bloc.Record {
		return pick(func(r bloc.Record) bool {
			for _, b := range bs {
				if r.Bloc == b {
					return true
				}
			}
			return false
		})
	}
	for _, bs := range [][]string{nil, {"csto"}, {"guam"}, {"sco", "csto"}, {"csto", "guam", "sco"}} {
		got, err := s.Records(ctx, bs...)
		if err != nil {
			t.Fatal(err)
		}
		want := all
		if len(bs) > 0 {
			want = inBlocs(bs...)
		}
		equal(t, fmt.Sprintf("Records(%v)", bs), got, want)
	}
	for _, p := range []string{"UZB", "ARM", "BLR"} {
		got, err := s.PartyRecords(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "PartyRecords("+p+")", got, pick(func(r bloc.Record) bool { return r.Party == p }))
	}
	got, err := s.Records(ctx, "nato")
	if err != nil || len(got) != 0 {
		t.Errorf("Records(nato) = %v, %v; want none", got, err)
	}
}

// testConcurrentAppends appends from several goroutines at once. Each check
// stamps its record with how many records it saw; if Append serialises
// checks with writes as it must, the n-th record of the bloc saw exactly n-1.
func testConcurrentAppends(t *testing.T, s bloc.Store) {
	ctx := t.Context()
	seed(t, s)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				got, err := s.Append(ctx, []string{"csto"}, func(current []bloc.Record) ([]bloc.Record, error) {
					r := rec("csto", "ARM", bloc.KindStatement, "2020")
					r.Note = fmt.Sprint(len(current))
					r.RecordedBy = fmt.Sprintf("worker %d append %d", w, i)
					r2 := r
					r2.EventID = -1
					return []bloc.Record{r, r2}, nil
				})
				if err != nil {
					errs <- err
					return
				}
				if len(got) != 2 || got[1].ID <= got[0].ID || got[1].EventID != got[0].ID {
					errs <- fmt.Errorf("append returned %+v", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := s.Records(context.WithoutCancel(ctx), "csto")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2*workers*each {
		t.Fatalf("%d records stored, want %d", len(all), 2*workers*each)
	}
	by := map[string]int{}
	for i, r := range all {
		if i > 0 && r.ID <= all[i-1].ID {
			t.Fatalf("ids not strictly increasing: %d after %d", r.ID, all[i-1].ID)
		}
		if want := fmt.Sprint(i / 2 * 2); r.Note != want {
			t.Fatalf("record %d (%s) saw %s records when checked, want %s: checks were not serialised with writes", r.ID, r.RecordedBy, r.Note, want)
		}
		by[r.RecordedBy]++
	}
	if len(by) != workers*each {
		t.Fatalf("%d distinct appends stored, want %d", len(by), workers*each)
	}
}

// testAppendCancelled cancels the context while check runs (as a client
// that goes away during a long import would): nothing is stored, and the
// store still works.
func testAppendCancelled(t *testing.T, s bloc.Store) {
	seed(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	recs := make([]bloc.Record, 250)
	for i := range recs {
		recs[i] = rec("csto", "ARM", bloc.KindStatement, "2001")
	}
	_, err := s.Append(ctx, []string{"csto"}, func([]bloc.Record) ([]bloc.Record, error) {
		cancel()
		return recs, nil
	})
	if err == nil {
		t.Fatal("Append with a cancelled context succeeded")
	}
	all, err := s.Records(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("%d records stored by a cancelled Append", len(all))
	}
	if _, err := s.Append(t.Context(), []string{"csto"}, batch(rec("csto", "ARM", bloc.KindSigned, "1992-05-15"))); err != nil {
		t.Fatalf("Append after a cancelled one: %v", err)
	}
}
