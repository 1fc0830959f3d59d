package standing

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// event is an event as the package keeps it: its live attestations and
// what is derived from them, kept small (a record may hold millions). The
// bloc.Event is made on demand (public).
type event struct {
	id int64
	// atts are the live attestations, oldest first. The first gives the
	// event's identity (bloc, party, kind). Build shares the caller's
	// records where it can.
	atts []bloc.Record
	// The event's window starts at the dating attestation's start (see
	// start) and ends at stop: the dating attestation's end, or when
	// disputed the hull's. The start is not kept a second time: a check of
	// a million new records holds a million events, and every byte of an
	// event is a megabyte of the import's peak memory.
	// The end is kept as seconds and nanoseconds since 1970 (16 rather
	// than 24 bytes with date beside it); see stop.
	endSec   int64
	endNsec  int32
	date     int32 // index in atts of the attestation that dates the event
	rank     int8  // place in the same-instant order (kindRank)
	disputed bool
	instant  bool // dated to an instant (and not disputed)
	// before and after are the party's standings on either side of the
	// event; equal when it changes nothing (statements, refused events).
	// They are kept as a byte each (see standing) rather than as strings.
	before, after stand
}

// stand is a bloc.Standing in one byte, for events.
type stand uint8

var stands = [...]bloc.Standing{bloc.StandingNone, bloc.StandingMember, bloc.StandingObserver,
	bloc.StandingPartner, bloc.StandingSuspended, bloc.StandingFormer}

// standOf is s as a stand; the machine only produces the standings of
// stands.
func standOf(s bloc.Standing) stand {
	for i, v := range stands {
		if v == s {
			return stand(i)
		}
	}
	panic("standing: no stand for standing " + string(s))
}

func (s stand) standing() bloc.Standing { return stands[s] }

func (e *event) bloc() string                   { return e.atts[0].Bloc }
func (e *event) party() string                  { return e.atts[0].Party }
func (e *event) kind() bloc.Kind                { return e.atts[0].Kind }
func (e *event) dated() bloc.Date               { return e.atts[e.date].Date }
func (e *event) start() time.Time               { return e.atts[e.date].Date.Start }
func (e *event) window() (time.Time, time.Time) { return e.start(), e.stop() }

// stop is the end of the event's window.
func (e *event) stop() time.Time { return time.Unix(e.endSec, int64(e.endNsec)).UTC() }

func (e *event) setEnd(t time.Time) { e.endSec, e.endNsec = t.Unix(), int32(t.Nanosecond()) }

// newName and scope come from the newest attestation that states one (a
// later source is the likelier correction).
func (e *event) newName() string {
	for i := len(e.atts) - 1; i >= 0; i-- {
		if e.atts[i].NewName != "" {
			return e.atts[i].NewName
		}
	}
	return ""
}

func (e *event) scope() []string {
	for i := len(e.atts) - 1; i >= 0; i-- {
		if len(e.atts[i].Scope) > 0 {
			return e.atts[i].Scope
		}
	}
	return nil
}

// doneBy is the first instant at which the event has surely taken effect:
// its window's end, or for an instant its start (an instant is certain on
// either side; see PrecisionInstant).
func (e *event) doneBy() time.Time {
	if !e.disputed {
		if e.instant {
			return e.start()
		}
		return e.stop()
	}
	var last time.Time
	for i := range e.atts {
		if d := doneBy(e.atts[i].Date); d.After(last) {
			last = d
		}
	}
	return last
}

func doneBy(d bloc.Date) time.Time {
	if d.Precision == bloc.PrecisionInstant {
		return d.Start
	}
	return d.End()
}

// public is the event as the domain shows it. Its attestations are shared
// with the book.
func (e *event) public() bloc.Event {
	return bloc.Event{
		ID: e.id, Bloc: e.bloc(), Party: e.party(), Kind: e.kind(),
		Date: e.dated(), Start: e.start(), End: e.stop(), Disputed: e.disputed,
		NewName: e.newName(), Scope: e.scope(), Attestations: e.atts,
	}
}

// kindRank orders events that share a window start: the ends of standings
// before the starts (an observer who accedes on the day its observer status
// ends), then statements, then the bloc-level kinds, dissolution last.
func kindRank(k bloc.Kind) int8 {
	switch k {
	case bloc.KindObserverUntil:
		return 0
	case bloc.KindPartnerUntil:
		return 1
	case bloc.KindWithdrew:
		return 2
	case bloc.KindLapsed:
		return 3
	case bloc.KindExpelled:
		return 4
	case bloc.KindSuspended:
		return 5
	case bloc.KindResumed:
		return 6
	case bloc.KindSigned:
		return 7
	case bloc.KindAcceded:
		return 8
	case bloc.KindObserverFrom:
		return 9
	case bloc.KindPartnerFrom:
		return 10
	case bloc.KindStatement:
		return 11
	case bloc.KindRenamed:
		return 12
	case bloc.KindDissolved:
		return 14
	}
	return 13 // unknown kinds (tolerated in stored data) sort before dissolution
}

// cmpEvents is the order of events in a bloc: window start, kind rank, id.
func cmpEvents(a, b *event) int {
	if c := a.start().Compare(b.start()); c != 0 {
		return c
	}
	if a.rank != b.rank {
		return int(a.rank) - int(b.rank)
	}
	return cmp.Compare(a.id, b.id)
}

func less(a, b *event) bool { return cmpEvents(a, b) < 0 }

// derive sets the event's date and rank from its live attestations (at
// least one). When every attestation's window shares an instant, the event
// is dated by the most precise attestation (calendar windows nest, so that
// window is the common part; the oldest among equals); otherwise it is
// disputed, dated by the earliest attestation, and its window is the hull
// of all.
func (e *event) derive() {
	e.setEnd(e.deriveEnd())
}

// deriveEnd sets everything derive sets but the end, and returns the end.
func (e *event) deriveEnd() time.Time {
	atts := e.atts
	e.rank = kindRank(atts[0].Kind)
	e.date, e.disputed = 0, false
	first := atts[0].Date
	windowEnd := first.End()
	e.instant = first.Precision == bloc.PrecisionInstant
	if len(atts) == 1 {
		return windowEnd
	}
	maxStart, minEnd := first.Start, windowEnd
	for i := 1; i < len(atts); i++ {
		s, end := atts[i].Date.Start, atts[i].Date.End()
		if s.After(maxStart) {
			maxStart = s
		}
		if end.Before(minEnd) {
			minEnd = end
		}
	}
	if maxStart.Before(minEnd) {
		width := windowEnd.Sub(first.Start)
		for i := 1; i < len(atts); i++ {
			d := atts[i].Date
			if end := d.End(); end.Sub(d.Start) < width {
				e.date, windowEnd, width = int32(i), end, end.Sub(d.Start)
				e.instant = d.Precision == bloc.PrecisionInstant
			}
		}
		return windowEnd
	}
	e.disputed, e.instant = true, false
	for i := 1; i < len(atts); i++ {
		d, cur := atts[i].Date, atts[e.date].Date
		end := d.End()
		if d.Start.Before(cur.Start) || (d.Start.Equal(cur.Start) && end.Before(cur.End())) {
			e.date = int32(i)
		}
		if end.After(windowEnd) {
			windowEnd = end
		}
	}
	return windowEnd
}

// String names the event as messages do: "csto UZB acceded 2006-08-16".
func (e *event) String() string {
	return describe(e.bloc(), e.party(), e.kind(), e.dated(), e.newName())
}

func describe(blocSlug, party string, k bloc.Kind, d bloc.Date, newName string) string {
	parts := make([]string, 0, 5)
	for _, p := range []string{blocSlug, party, string(k), d.String()} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if newName != "" {
		parts = append(parts, fmt.Sprintf("(%q)", newName))
	}
	return strings.Join(parts, " ")
}
