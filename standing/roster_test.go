package standing

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// rosterAgrees checks that every bloc's roster answers At, Members and Name
// exactly as the book does, at every instant where an answer can change
// (each step's window start and end, and just before them).
func rosterAgrees(t *testing.T, b *Book) {
	t.Helper()
	checked := 0
	for slug, bs := range b.blocs {
		r := b.Roster(slug)
		var instants []time.Time
		for _, p := range bs.sorted {
			for _, s := range p.steps {
				instants = append(instants, s.start, s.start.Add(-time.Nanosecond), s.doneBy, s.doneBy.Add(-time.Nanosecond))
			}
		}
		for _, e := range bs.renames {
			instants = append(instants, e.start(), e.start().Add(-time.Nanosecond))
		}
		instants = append(instants, time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
		for _, at := range instants {
			for _, all := range []bool{false, true} {
				var got []Position
				r.EachMember(at, all, func(i int, p Position) {
					if r.Parties()[i] != p.Party {
						t.Fatalf("index %d is %s, not %s", i, r.Parties()[i], p.Party)
					}
					got = append(got, p)
				})
				want := b.Members(slug, at, all)
				if len(want) == 0 {
					want = nil
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s members at %s (all %v):\nroster %+v\nbook   %+v", slug, at, all, got, want)
				}
			}
			if got, want := r.Name(at), b.Name(slug, at); got != want {
				t.Fatalf("%s name at %s: roster %q, book %q", slug, at, got, want)
			}
			for _, p := range bs.sorted {
				if got, want := r.At(p.party, at), b.At(slug, p.party, at); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s at %s:\nroster %+v\nbook   %+v", slug, p.party, at, got, want)
				}
				checked++
			}
		}
		if got, want := r.At("ZZZ", time.Now()), b.At(slug, "ZZZ", time.Now()); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s unknown party: roster %+v, book %+v", slug, got, want)
		}
	}
	if checked == 0 {
		t.Fatal("nothing compared")
	}
	if b.Roster("no-such-bloc") != nil {
		t.Error("a roster of an unknown bloc")
	}
}

func TestRosterAgreesWithBookSynthetic(t *testing.T) {
	blocs, recs := synthetic(3, 40, true)
	rosterAgrees(t, Build(blocs, recs, time.Time{}))
}

func TestRosterAgreesWithBookData(t *testing.T) {
	blocs, recs := loadData(t)
	l := newLedger(blocs...)
	l.add(t, recs...)
	rosterAgrees(t, l.book())
}

// A partner's scope, a disputed date, a renaming and a dissolution.
func TestRosterAgreesWithBookEdges(t *testing.T) {
	l := newLedger(bloc.Bloc{Slug: "x", Name: "X", Founded: bloc.MustDate("1950")})
	p := rec("x", "AAA", bloc.KindPartnerFrom, "1960-03")
	p.Scope = []string{"cyber"}
	l.add(t, p, rec("x", "BBB", bloc.KindAcceded, "1961-05-02"))
	w := l.add(t, from(rec("x", "BBB", bloc.KindWithdrew, "1970"), "a"))
	d := from(rec("x", "BBB", bloc.KindWithdrew, "1972-02"), "b")
	d.EventID = w[0].ID
	l.add(t, d)
	if e, _ := l.book().Event(w[0].ID); !e.Disputed {
		t.Fatalf("the withdrawal is not disputed: %+v", e)
	}
	rn := rec("x", "", bloc.KindRenamed, "1975")
	rn.NewName = "Y"
	l.add(t, rn, rec("x", "", bloc.KindDissolved, "1990"))
	rosterAgrees(t, l.book())
}

// PrepareInPlace leaves exactly what Prepare returns in the batch itself,
// and leaves a refused batch as it was.
func TestPrepareInPlace(t *testing.T) {
	l := newLedger(bloc.Bloc{Slug: "x", Name: "X", Founded: bloc.MustDate("1950")})
	stored := l.add(t, rec("x", "AAA", bloc.KindAcceded, "1960"), rec("x", "BBB", bloc.KindAcceded, "1961"))
	retract := bloc.Record{Supersedes: stored[1].ID, Retracts: true}
	again := from(rec("x", "AAA", bloc.KindAcceded, "1960-04"), "other source")
	batch := []bloc.Record{rec("x", "CCC", bloc.KindAcceded, "1962"), from(rec("x", "CCC", bloc.KindAcceded, "1962"), "second"), again, retract}
	want, probs := l.book().Prepare(batch)
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	got := slices.Clone(batch)
	if probs := l.book().PrepareInPlace(got); len(probs) > 0 {
		t.Fatalf("problems in place: %+v", probs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("in place %+v\nwant     %+v", got, want)
	}
	if got[1].EventID != -1 || got[2].EventID != stored[0].ID || got[3].Party != "BBB" {
		t.Errorf("resolved %+v", got)
	}

	bad := []bloc.Record{rec("x", "DDD", bloc.KindAcceded, "1963"), rec("x", "DDD", bloc.KindResumed, "1964")}
	before := slices.Clone(bad)
	if probs := l.book().PrepareInPlace(bad); len(probs) != 1 || probs[0].Index != 1 {
		t.Fatalf("problems %+v", probs)
	}
	if !reflect.DeepEqual(bad, before) {
		t.Errorf("a refused batch changed: %+v", bad)
	}
}
