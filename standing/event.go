package standing

import (
	"fmt"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// event is an Event with what the package derives about it.
type event struct {
	bloc.Event
	rank int // place in the same-instant order (kindRank)
	// doneBy is the first instant at which the event has surely taken
	// effect: its window's end, or for an instant its start (an instant is
	// certain on either side; see PrecisionInstant).
	doneBy time.Time
	// before and after are the party's standings on either side of the
	// event; equal when it changes nothing (statements, refused events).
	before, after bloc.Standing
	// problem says why the state machine refused the event ("" if it did not).
	problem string

	// Check only: origin is the stored event this is a working copy of;
	// changed is set when the batch added or removed attestations.
	origin  *event
	changed bool
}

// kindRank orders events that share a window start: the ends of standings
// before the starts (an observer who accedes on the day its observer status
// ends), then statements, then the bloc-level kinds, dissolution last.
func kindRank(k bloc.Kind) int {
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

// less is the order of events in a bloc: window start, kind rank, id.
func less(a, b *event) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.ID < b.ID
}

func cmpEvents(a, b *event) int {
	if less(a, b) {
		return -1
	}
	if less(b, a) {
		return 1
	}
	return 0
}

// doneBy is the first instant at which a fact dated d has surely happened.
func doneBy(d bloc.Date) time.Time {
	if d.Precision == bloc.PrecisionInstant {
		return d.Start
	}
	return d.End()
}

// derive sets the event's identity and date from its live attestations
// (at least one), oldest first.
//
// Identity (bloc, party, kind) comes from the oldest attestation; the new
// name and the scope from the newest attestation that states one (a later
// source is the likelier correction). When every attestation's window shares
// an instant, the event's date is the most precise attestation's (calendar
// windows nest, so that window is the common part); otherwise the event is
// disputed, its window is the hull of all, its Date the earliest.
func (e *event) derive() {
	atts := e.Attestations
	first := &atts[0]
	e.Bloc, e.Party, e.Kind = first.Bloc, first.Party, first.Kind
	e.NewName, e.Scope = "", nil
	for i := len(atts) - 1; i >= 0; i-- {
		if atts[i].NewName != "" {
			e.NewName = atts[i].NewName
			break
		}
	}
	for i := len(atts) - 1; i >= 0; i-- {
		if len(atts[i].Scope) > 0 {
			e.Scope = atts[i].Scope
			break
		}
	}
	e.rank = kindRank(e.Kind)
	d := first.Date
	e.Date, e.Start, e.End, e.doneBy, e.Disputed = d, d.Start, d.End(), doneBy(d), false
	if len(atts) == 1 {
		return
	}
	maxStart, minEnd := e.Start, e.End
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
		// They agree: the narrowest window (the oldest among equals).
		for i := 1; i < len(atts); i++ {
			d := atts[i].Date
			if d.End().Sub(d.Start) < e.End.Sub(e.Start) {
				e.Date, e.Start, e.End, e.doneBy = d, d.Start, d.End(), doneBy(d)
			}
		}
		return
	}
	e.Disputed = true
	for i := 1; i < len(atts); i++ {
		d := atts[i].Date
		s, end := d.Start, d.End()
		if s.Before(e.Date.Start) || (s.Equal(e.Date.Start) && end.Before(e.Date.End())) {
			e.Date = d
		}
		if s.Before(e.Start) {
			e.Start = s
		}
		if end.After(e.End) {
			e.End = end
		}
		if db := doneBy(d); db.After(e.doneBy) {
			e.doneBy = db
		}
	}
}

// String names the event as messages do: "csto UZB acceded 2006-08-16".
func (e *event) String() string {
	return describe(e.Bloc, e.Party, e.Kind, e.Date, e.NewName)
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
