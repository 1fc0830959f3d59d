package standing

import (
	"fmt"
	"time"

	"github.com/blocsec/bloc"
)

// next is the state machine of one party in one bloc: the standing after an
// event of kind k from standing cur, given whether the party was ever a
// member (which decides whether leaving observer or partner status leaves it
// a former member or nothing). ok is false for an impossible transition.
// A statement changes nothing and is possible in any standing.
func next(k bloc.Kind, cur bloc.Standing, everMember bool) (bloc.Standing, bool) {
	const (
		none      = bloc.StandingNone
		member    = bloc.StandingMember
		observer  = bloc.StandingObserver
		partner   = bloc.StandingPartner
		suspended = bloc.StandingSuspended
		former    = bloc.StandingFormer
	)
	formerOrNone := none
	if everMember {
		formerOrNone = former
	}
	switch k {
	case bloc.KindSigned, bloc.KindAcceded:
		if cur == none || cur == former || cur == observer || cur == partner {
			return member, true
		}
	case bloc.KindSuspended:
		if cur == member {
			return suspended, true
		}
	case bloc.KindResumed:
		if cur == suspended {
			return member, true
		}
	case bloc.KindWithdrew, bloc.KindLapsed, bloc.KindExpelled:
		if cur == member || cur == suspended {
			return former, true
		}
	case bloc.KindObserverFrom:
		if cur == none || cur == former || cur == partner {
			return observer, true
		}
	case bloc.KindObserverUntil:
		if cur == observer {
			return formerOrNone, true
		}
	case bloc.KindPartnerFrom:
		if cur == none || cur == former || cur == observer {
			return partner, true
		}
	case bloc.KindPartnerUntil:
		if cur == partner {
			return formerOrNone, true
		}
	case bloc.KindStatement:
		return cur, true
	}
	return cur, false
}

// refusal says why next refused k in standing cur, naming the party, the
// bloc and the standing at that date (since: the event that began it).
func refusal(k bloc.Kind, cur bloc.Standing, party, blocSlug string, since *event) string {
	var what string
	switch k {
	case bloc.KindSigned, bloc.KindAcceded:
		what = "is already a member of %s on that date"
		if cur == bloc.StandingSuspended {
			what = "is a suspended member of %s on that date"
		}
	case bloc.KindSuspended:
		what = "is not a member of %s on that date"
		if cur == bloc.StandingSuspended {
			what = "is already suspended in %s on that date"
		}
	case bloc.KindResumed:
		what = "is not suspended in %s on that date"
	case bloc.KindWithdrew, bloc.KindLapsed, bloc.KindExpelled:
		what = "is not a member of %s on that date"
	case bloc.KindObserverFrom:
		what = "is a member of %s on that date and cannot also be an observer"
		if cur == bloc.StandingObserver {
			what = "is already an observer of %s on that date"
		}
	case bloc.KindObserverUntil:
		what = "is not an observer of %s on that date"
	case bloc.KindPartnerFrom:
		what = "is a member of %s on that date and cannot also be a partner"
		if cur == bloc.StandingPartner {
			what = "is already a partner of %s on that date"
		}
	case bloc.KindPartnerUntil:
		what = "is not a partner of %s on that date"
	default:
		return fmt.Sprintf("%q is not an event kind", k)
	}
	return party + " " + fmt.Sprintf(what, blocSlug) + " (" + standingPhrase(cur, since) + ")"
}

// standingPhrase: "member since 2006-08-16", "former member since 1999-04-20",
// "no standing".
func standingPhrase(s bloc.Standing, since *event) string {
	label := string(s)
	switch s {
	case bloc.StandingNone:
		label = "no standing"
	case bloc.StandingFormer:
		label = "former member"
	}
	if since == nil {
		return label
	}
	return label + " since " + since.dated().String()
}

// step is one applied transition of a party in a bloc.
type step struct {
	ev    *event
	start time.Time // ev's window start
	// doneBy is the instant from which this step (and so every step before
	// it) has surely happened: the least doneBy of this and every later
	// step, since the steps happened in order.
	doneBy time.Time
	after  bloc.Standing
}

// beforeFounding reports whether e lies wholly before the bloc's founding
// date window.
func beforeFounding(info *bloc.Bloc, e *event) bool {
	return !info.Founded.IsZero() && !e.stop().After(info.Founded.Start)
}

// runBloc checks the bloc-level events of a bloc (sorted) and returns the
// dissolution in effect and the renamings, in order. It records in probs
// why it refuses an event: before the founding, after the dissolution, a
// party kind without a party.
func runBloc(info *bloc.Bloc, events []*event, probs map[*event]string) (diss *event, renames []*event) {
	for _, e := range events {
		e.before, e.after = 0, 0
		k := e.kind()
		switch {
		case diss != nil:
			probs[e] = fmt.Sprintf("%s was dissolved on %s; nothing can happen after that", info.Slug, diss.dated())
		case !k.BlocLevel() && k != bloc.KindStatement:
			probs[e] = fmt.Sprintf("%s is about a party and needs one", k)
		case k != bloc.KindStatement && beforeFounding(info, e):
			probs[e] = fmt.Sprintf("%s was founded on %s; this is before that", info.Slug, info.Founded)
		case k == bloc.KindRenamed:
			if e.newName() == "" {
				probs[e] = "renamed without a new name"
				continue
			}
			renames = append(renames, e)
		case k == bloc.KindDissolved:
			diss = e
		}
	}
	return diss, renames
}

// runPair runs the state machine over the events of one party in one bloc
// (sorted), with the bloc's dissolution merged in at its place. It sets each
// event's before and after, records in probs why it refuses an event, and
// appends the applied transitions to steps[:0]. A refused event changes
// nothing; the run goes on from the standing it had.
func runPair(info *bloc.Bloc, diss *event, party string, events []*event, steps []step, probs map[*event]string) []step {
	steps = steps[:0]
	cur, ever := bloc.StandingNone, false
	var since *event
	dissolved := false
	dissolve := func() {
		dissolved = true
		nxt := bloc.StandingNone
		if ever {
			nxt = bloc.StandingFormer
		}
		if nxt != cur {
			steps = append(steps, step{ev: diss, after: nxt})
			cur, since = nxt, diss
		}
	}
	for _, e := range events {
		if diss != nil && !dissolved && less(diss, e) {
			dissolve()
		}
		e.before = standOf(cur)
		e.after = e.before
		k := e.kind()
		switch {
		case dissolved:
			probs[e] = fmt.Sprintf("%s was dissolved on %s; nothing can happen after that", info.Slug, diss.dated())
		case k.BlocLevel():
			probs[e] = fmt.Sprintf("%s is about the bloc itself and takes no party", k)
		case k != bloc.KindStatement && beforeFounding(info, e):
			probs[e] = fmt.Sprintf("%s was founded on %s; this is before that", info.Slug, info.Founded)
		default:
			nxt, ok := next(k, cur, ever)
			if !ok {
				probs[e] = refusal(k, cur, party, info.Slug, since)
				continue
			}
			if k == bloc.KindStatement {
				continue
			}
			e.after = standOf(nxt)
			cur, since = nxt, e
			if nxt == bloc.StandingMember {
				ever = true
			}
			steps = append(steps, step{ev: e, after: nxt})
		}
	}
	if diss != nil && !dissolved {
		dissolve()
	}
	for i := len(steps) - 1; i >= 0; i-- {
		s := &steps[i]
		s.start, s.doneBy = s.ev.start(), s.ev.doneBy()
		if i+1 < len(steps) && steps[i+1].doneBy.Before(s.doneBy) {
			s.doneBy = steps[i+1].doneBy
		}
	}
	return steps
}
