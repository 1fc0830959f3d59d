package standing

import (
	"sort"
	"time"

	"github.com/blocsec/bloc"
)

// Roster is one bloc's standings detached from the records they were
// derived from: per party, only the standing changes (a few dozen bytes
// each), so that a service can keep every bloc's answer to "who belonged
// when" in memory without keeping the records — a Book of a million
// records holds about 600 MB, the rosters of the same record about 40 MB.
// It answers exactly as the Book it was taken from (At, Members, Name).
type Roster struct {
	info    bloc.Bloc
	renames []rosterRename
	parties []rosterPair // by party
}

type rosterRename struct {
	start time.Time // renamings are few: kept as they are
	name  string
}

type rosterPair struct {
	party string
	steps []rosterStep
}

// rosterStep is a step without its event: the event's dating is kept as
// the window start (which is the dating attestation's start, see derive)
// and the precision.
type rosterStep struct {
	start, doneBy instant
	event         int64
	scope         []string
	after         bloc.Standing
	precision     bloc.Precision
}

// instant is a time.Time as seconds and nanoseconds since 1970 (any year
// a Date can have): comparing two is two integer comparisons, where
// time.Time.After also decodes both times — half of a members answer.
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) after(b instant) bool { return a.sec > b.sec || (a.sec == b.sec && a.nsec > b.nsec) }

func (a instant) time() time.Time { return time.Unix(a.sec, int64(a.nsec)).UTC() }

// Roster takes the bloc's standings out of the book; nil when the book has
// no such bloc.
func (b *Book) Roster(blocSlug string) *Roster {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	r := &Roster{info: bs.info, parties: make([]rosterPair, len(bs.sorted))}
	for _, e := range bs.renames {
		r.renames = append(r.renames, rosterRename{start: e.start(), name: e.newName()})
	}
	n := 0
	for _, p := range bs.sorted {
		n += len(p.steps)
	}
	all := make([]rosterStep, n) // one allocation for the bloc's steps
	for i, p := range bs.sorted {
		steps := all[:len(p.steps):len(p.steps)]
		all = all[len(p.steps):]
		for k, s := range p.steps {
			steps[k] = rosterStep{start: instantOf(s.start), doneBy: instantOf(s.doneBy), event: s.ev.id, after: s.after,
				precision: s.ev.dated().Precision}
			if s.after == bloc.StandingPartner {
				steps[k].scope = s.ev.scope()
			}
		}
		r.parties[i] = rosterPair{party: p.party, steps: steps}
	}
	return r
}

// Bloc is the bloc the roster is of.
func (r *Roster) Bloc() bloc.Bloc { return r.info }

// Name is Book.Name for the roster's bloc.
func (r *Roster) Name(t time.Time) string {
	name := r.info.Name
	for _, e := range r.renames {
		if e.start.After(t) {
			break
		}
		name = e.name
	}
	return name
}

// At is Book.At for the roster's bloc.
func (r *Roster) At(party string, t time.Time) Position {
	i := sort.Search(len(r.parties), func(i int) bool { return r.parties[i].party >= party })
	if party == "" || i == len(r.parties) || r.parties[i].party != party {
		return Position{Party: party, Certain: true}
	}
	return r.parties[i].at(t)
}

// Parties lists the parties with any event in the bloc, sorted: the
// indexes EachMember gives.
func (r *Roster) Parties() []string {
	out := make([]string, len(r.parties))
	for i, p := range r.parties {
		out[i] = p.party
	}
	return out
}

// EachMember calls fn with what Book.Members would list, in the same
// order, without allocating the list; i is the party's index in Parties
// (so that a caller can keep what it shows of each party beside it).
func (r *Roster) EachMember(t time.Time, all bool, fn func(i int, p Position)) {
	at := instantOf(t)
	for i := range r.parties {
		pos := r.parties[i].atInstant(at)
		if listed(pos.Standing, all) {
			fn(i, pos)
		}
	}
}

// listed says whether Members lists a standing.
func listed(s bloc.Standing, all bool) bool {
	switch s {
	case bloc.StandingMember:
		return true
	case bloc.StandingSuspended, bloc.StandingObserver, bloc.StandingPartner:
		return all
	}
	return false
}

// at is pair.at over the detached steps. A pair has a handful of steps:
// scanning them beats a binary search.
func (p *rosterPair) at(t time.Time) Position {
	return p.atInstant(instantOf(t))
}

func (p *rosterPair) atInstant(t instant) Position {
	steps := p.steps
	lo := 0
	for lo < len(steps) && !steps[lo].doneBy.after(t) {
		lo++
	}
	hi := lo
	for hi < len(steps) && !steps[hi].start.after(t) {
		hi++
	}
	standing := func(i int) bloc.Standing {
		if i == 0 {
			return bloc.StandingNone
		}
		return steps[i-1].after
	}
	pos := Position{Party: p.party, Certain: lo == hi}
	if pos.Certain {
		pos.Standing = standing(lo)
		if lo > 0 {
			s := &steps[lo-1]
			pos.Since, pos.Event = bloc.Date{Start: s.start.time(), Precision: s.precision}, s.event
			pos.Scope = s.scope
		}
		return pos
	}
	pos.Before, pos.After = standing(lo), standing(hi)
	s := &steps[lo]
	pos.Since, pos.Event = bloc.Date{Start: s.start.time(), Precision: s.precision}, s.event
	best := lo
	for i := lo + 1; i <= hi; i++ {
		if inclusive(standing(i)) < inclusive(standing(best)) {
			best = i
		}
	}
	pos.Standing = standing(best)
	if pos.Standing == bloc.StandingPartner {
		pos.Scope = steps[best-1].scope
	}
	return pos
}
