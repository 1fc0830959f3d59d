package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
)

// NextChange and Roster answer from the bloc's roster, agree with the
// whole record's Book, and follow a write by another Service (another
// node), including a withdrawal recorded ahead of time for an instant.
func TestNextChangeFollowsTheRecord(t *testing.T) {
	db := open(t)
	seed(t, db, 2)
	a, b := registry.New(db), registry.New(db)
	ctx := context.Background()
	if _, err := a.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindSigned, Date: bloc.MustDate("1950-03")}}); err != nil {
		t.Fatal(err)
	}
	year := func(s string) time.Time { return bloc.MustDate(s).Start }
	check := func(party string, after, want time.Time) {
		t.Helper()
		got, ok, err := b.NextChange(ctx, "b", party, after)
		if err != nil {
			t.Fatal(err)
		}
		if ok != !want.IsZero() || !got.Equal(want) {
			t.Errorf("NextChange(%s, after %s) = %s, %v; want %s", party, after, got, ok, want)
		}
	}
	check("XAA", year("1949"), year("1950-03"))
	check("XAA", year("1950-03-10"), year("1950-04"))
	check("XAA", year("1951"), time.Time{})
	check("XAB", year("1949"), time.Time{}) // no events
	if got, ok, err := b.NextChange(ctx, "nope", "XAA", year("1949")); err != nil || ok {
		t.Errorf("unknown bloc: %s, %v, %v; want none and no error", got, ok, err)
	}

	at := time.Date(2031, 1, 2, 3, 4, 5, 6e6, time.UTC)
	if _, err := a.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindWithdrew, Date: bloc.InstantOf(at)}}); err != nil {
		t.Fatal(err)
	}
	check("XAA", year("1951"), at)
	check("XAA", at, time.Time{})

	r, err := b.Roster(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	book, err := b.Book(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []time.Time{year("1949"), year("1950-03-10"), at.Add(-time.Nanosecond), at} {
		if got, want := r.At("XAA", u), book.At("b", "XAA", u); got.Standing != want.Standing || got.Certain != want.Certain {
			t.Errorf("roster at %s: %+v; book %+v", u, got, want)
		}
	}
	if _, err := b.Roster(ctx, "nope"); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("roster of an unknown bloc: %v, want ENOTFOUND", err)
	}
}
