package standing

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// nextChangeAgrees checks Roster.NextChange against the book: for every
// party of every bloc and every instant where an answer can change (each
// window bound of the party's events, of every attestation and of the
// bloc's dissolution, and just before and after it), NextChange is the
// first of those instants at which Book.At answers differently.
func nextChangeAgrees(t *testing.T, b *Book) {
	t.Helper()
	checked, changes := 0, 0
	for slug, bs := range b.blocs {
		r := b.Roster(slug)
		for _, p := range bs.sorted {
			var bounds []time.Time
			evs := slices.Clone(p.events)
			if bs.diss != nil {
				evs = append(evs, bs.diss)
			}
			for _, e := range evs {
				bounds = append(bounds, e.start(), e.stop(), e.doneBy())
				for _, a := range e.atts {
					bounds = append(bounds, a.Date.Start, a.Date.End(), doneBy(a.Date))
				}
			}
			slices.SortFunc(bounds, time.Time.Compare)
			bounds = slices.CompactFunc(bounds, time.Time.Equal)
			probes := []time.Time{{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
			for _, u := range bounds {
				probes = append(probes, u, u.Add(-time.Nanosecond), u.Add(time.Nanosecond))
			}
			for _, at := range probes {
				var want time.Time
				now := b.At(slug, p.party, at)
				for _, u := range bounds {
					if u.After(at) && !reflect.DeepEqual(b.At(slug, p.party, u), now) {
						want = u
						break
					}
				}
				got, ok := r.NextChange(p.party, at)
				if ok != !want.IsZero() || !got.Equal(want) {
					t.Fatalf("%s %s next change after %s: roster %s (%v), book %s", slug, p.party, at, got, ok, want)
				}
				if ok {
					changes++
				}
				checked++
			}
		}
		if _, ok := r.NextChange("ZZZ", time.Time{}); ok {
			t.Fatalf("%s: a next change for a party without events", slug)
		}
		if _, ok := r.NextChange("", time.Time{}); ok {
			t.Fatalf("%s: a next change for no party", slug)
		}
	}
	if checked == 0 || changes == 0 {
		t.Fatalf("nothing compared (%d probes, %d changes)", checked, changes)
	}
}

func TestNextChangeSynthetic(t *testing.T) {
	blocs, recs := synthetic(3, 40, true)
	nextChangeAgrees(t, Build(blocs, recs, time.Time{}))
}

func TestNextChangeData(t *testing.T) {
	blocs, recs := loadData(t)
	l := newLedger(blocs...)
	l.add(t, recs...)
	nextChangeAgrees(t, l.book())
}

// A partner's scope, a disputed date, a renaming and a dissolution, and a
// change recorded ahead of time for an instant.
func TestNextChangeEdges(t *testing.T) {
	l := newLedger(bloc.Bloc{Slug: "x", Name: "X", Founded: bloc.MustDate("1950")})
	p := rec("x", "AAA", bloc.KindPartnerFrom, "1960-03")
	p.Scope = []string{"cyber"}
	l.add(t, p, rec("x", "BBB", bloc.KindAcceded, "1961-05-02"), rec("x", "CCC", bloc.KindAcceded, "1961"))
	w := l.add(t, from(rec("x", "BBB", bloc.KindWithdrew, "1970"), "a"))
	d := from(rec("x", "BBB", bloc.KindWithdrew, "1972-02"), "b")
	d.EventID = w[0].ID
	l.add(t, d)
	instant := time.Date(1980, 6, 1, 12, 0, 0, 0, time.UTC)
	l.add(t, rec("x", "CCC", bloc.KindStatement, "1965"), bloc.Record{Bloc: "x", Party: "CCC", Kind: bloc.KindWithdrew, Date: bloc.InstantOf(instant)})
	rn := rec("x", "", bloc.KindRenamed, "1975")
	rn.NewName = "Y"
	l.add(t, rn, rec("x", "", bloc.KindDissolved, "1990"))
	b := l.book()
	nextChangeAgrees(t, b)

	r := b.Roster("x")
	day := func(s string) time.Time { return bloc.MustDate(s).Start }
	cases := []struct {
		party       string
		after, want time.Time
	}{
		{"CCC", day("1950"), day("1961")},
		{"CCC", day("1961-06"), day("1962")},               // the accession year's window closes
		{"CCC", day("1962"), instant},                      // the statement of 1965 changes nothing
		{"CCC", instant.Add(-time.Nanosecond), instant},    // exactly at the instant
		{"AAA", day("1961"), day("1990")},                  // the dissolution ends the partnership
		{"BBB", day("1969"), day("1970")},                  // the disputed withdrawal's window opens
		{"BBB", day("1970-06"), day("1972-03")},            // and it is surely done at its end
		{"BBB", day("1972-03"), time.Time{}},               // former: the dissolution changes nothing
		{"CCC", instant.Add(time.Nanosecond), time.Time{}}, // likewise
	}
	for _, tc := range cases {
		got, ok := r.NextChange(tc.party, tc.after)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("NextChange(%s, after %s) = %s, %v; want %s", tc.party, tc.after, got, ok, tc.want)
		}
	}
}
