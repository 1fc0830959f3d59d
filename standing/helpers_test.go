package standing

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// ledger stands in for the store in these tests: it checks each batch with
// Prepare and appends it the way RecordStore.Append does (ids in order,
// EventID 0 → own id, -n → the n-th record's id, Supersedes -n likewise,
// RecordedAt = the ledger's clock, one hour per batch).
type ledger struct {
	blocs []bloc.Bloc
	recs  []bloc.Record
	clock time.Time
}

var t0 = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func newLedger(blocs ...bloc.Bloc) *ledger {
	return &ledger{blocs: blocs, clock: t0}
}

func (l *ledger) book() *Book { return Build(l.blocs, l.recs, time.Time{}) }

// try checks and appends a batch; nothing is appended on error.
func (l *ledger) try(recs ...bloc.Record) ([]bloc.Record, error) {
	out, probs := l.book().Prepare(recs)
	if err := Refuse(probs, len(recs), nil); err != nil {
		return nil, err
	}
	l.clock = l.clock.Add(time.Hour)
	base := int64(len(l.recs))
	for i := range out {
		r := &out[i]
		r.ID = base + int64(i) + 1
		switch {
		case r.EventID == 0:
			r.EventID = r.ID
		case r.EventID < 0:
			r.EventID = base - r.EventID
		}
		if r.Supersedes < 0 {
			r.Supersedes = base - r.Supersedes
		}
		if r.RecordedAt.IsZero() {
			r.RecordedAt = l.clock
		}
	}
	l.recs = append(l.recs, out...)
	return out, nil
}

func (l *ledger) add(t *testing.T, recs ...bloc.Record) []bloc.Record {
	t.Helper()
	out, err := l.try(recs...)
	if err != nil {
		t.Fatalf("batch refused: %v", err)
	}
	return out
}

func day(s string) time.Time { return bloc.MustDate(s).Start }

var testBlocs = []bloc.Bloc{
	{Slug: "csto", Name: "Collective Security Treaty", Founded: bloc.MustDate("1992-05-15")},
	{Slug: "guam", Name: "GUAM", Founded: bloc.MustDate("1997-10-10")},
	{Slug: "sco", Name: "Shanghai Cooperation Organisation", Founded: bloc.MustDate("2001-06-15")},
	{Slug: "wp", Name: "Warsaw Treaty Organization", Founded: bloc.MustDate("1955-05-14")},
	{Slug: "x", Name: "Test bloc", Founded: bloc.MustDate("1990")},
}

// rec is a record of a party-level or bloc-level event from one source.
func rec(blocSlug, party string, k bloc.Kind, date string) bloc.Record {
	return bloc.Record{Bloc: blocSlug, Party: party, Kind: k, Date: bloc.MustDate(date),
		Source: bloc.Source{Title: "Test source", URL: "https://example.org/source"}}
}

func from(r bloc.Record, url string) bloc.Record {
	r.Source = bloc.Source{Title: url, URL: url}
	return r
}

// codes lists the parties of positions, with "?" after uncertain ones and
// the standing after a colon when it is not member.
func codes(ps []Position) string {
	var s []string
	for _, p := range ps {
		c := p.Party
		if p.Standing != bloc.StandingMember {
			c += ":" + string(p.Standing)
		}
		if !p.Certain {
			c += "?"
		}
		s = append(s, c)
	}
	return strings.Join(s, " ")
}

func errDetails(t *testing.T, err error) (string, []string) {
	t.Helper()
	var e *bloc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *bloc.Error", err, err)
	}
	return e.Code, e.Details
}

func kindsOf(evs []bloc.Event) []string {
	var s []string
	for _, e := range evs {
		x := string(e.Kind) + " " + e.Date.String()
		if e.Party != "" {
			x = e.Party + " " + x
		}
		s = append(s, x)
	}
	return s
}

var _ = slices.Equal[[]string]
