package standing

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/blocsec/bloc"
)

// Position is the standing of a party in a bloc at an instant.
type Position struct {
	Party string `json:"party"`
	// Standing is the standing at the instant. When it is not Certain it is
	// the most inclusive of the standings the party may have then, in the
	// order member, suspended, observer, partner, former, none: a party that
	// may be a member is listed among the members (marked uncertain).
	Standing bloc.Standing `json:"standing"`
	// Scope is the partner's topic labels when Standing is partner.
	Scope   []string `json:"scope,omitempty"`
	Certain bool     `json:"certain"`
	// Before and After are set only when !Certain: the standings on either
	// side of the uncertain window.
	Before bloc.Standing `json:"before,omitempty"`
	After  bloc.Standing `json:"after,omitempty"`
	// Since is the date of the event that began the standing; when
	// uncertain, of the event whose window holds the instant. Zero when the
	// party never had a standing.
	Since bloc.Date `json:"since,omitzero"`
	Event int64     `json:"event,omitempty"` // that event's id
}

// Interval is one stretch of a party's standing in a bloc: from the event
// that began it to the event that ended it (open-ended when To is zero).
// Stretches of no standing are not intervals.
type Interval struct {
	Bloc      string        `json:"bloc"`
	Party     string        `json:"party"`
	Standing  bloc.Standing `json:"standing"`
	Scope     []string      `json:"scope,omitempty"`
	From      bloc.Date     `json:"from"`
	FromStart time.Time     `json:"from_start"` // the starting event's window (a disputed event's hull)
	FromEnd   time.Time     `json:"from_end"`
	FromEvent int64         `json:"from_event"`
	To        bloc.Date     `json:"to,omitzero"`
	ToStart   time.Time     `json:"to_start,omitzero"`
	ToEnd     time.Time     `json:"to_end,omitzero"`
	ToEvent   int64         `json:"to_event,omitempty"`
}

// Change is an event with the standing of its party on either side (equal
// for statements and refused events; empty for bloc-level events).
type Change struct {
	Event  bloc.Event    `json:"event"`
	Before bloc.Standing `json:"before"`
	After  bloc.Standing `json:"after"`
}

// Relation says how a record relates to the event it would attest.
type Relation string

const (
	// RelationNew: no live event matches; the record starts a new event.
	RelationNew Relation = "new"
	// RelationRecorded: an event with an attestation of the same window.
	RelationRecorded Relation = "recorded"
	// RelationRefinement: the windows agree (nest); one is more precise.
	RelationRefinement Relation = "refinement"
	// RelationDisagreement: the same fact, dated differently by the sources.
	RelationDisagreement Relation = "disagreement"
)

// Anomaly is a stored event the state machine refused (stored data are
// tolerated, not trusted): it changes no standing.
type Anomaly struct {
	Event  bloc.Event `json:"event"`
	Reason string     `json:"reason"`
}

// Book is the record as known at one record time, with everything derived
// from it. It is immutable once built and safe for concurrent reads.
type Book struct {
	knownAt time.Time
	blocs   map[string]*blocState
	events  map[int64]*event
	parties map[string][]*pair // by party: its pairs in every bloc, by bloc
	refs    []recRef           // every record known at knownAt, by id
}

// recRef is what Check needs to know of a stored record it may supersede.
type recRef struct {
	id         int64
	event      int64 // the event it attests (for a retraction: its target's)
	dead       int64 // the record superseding it, 0 if none
	retraction bool
}

type blocState struct {
	info    bloc.Bloc
	known   bool     // listed in Build's blocs
	events  []*event // every event of the bloc, in order
	top     *pair    // bloc-level events (party "")
	pairs   map[string]*pair
	sorted  []*pair // party pairs by party
	diss    *event
	renames []*event
}

// pair is one party in one bloc.
type pair struct {
	bloc, party string
	events      []*event // in order (less)
	steps       []step
}

// Build derives the view of the record as known at knownAt (zero means
// everything recorded). It never fails: stored records were checked when
// written, and anomalies in them are tolerated (see Anomalies).
//
// Build keeps references into records (attestations share its elements);
// the caller must not modify them afterwards.
func Build(blocs []bloc.Bloc, records []bloc.Record, knownAt time.Time) *Book {
	b := &Book{
		knownAt: knownAt,
		blocs:   make(map[string]*blocState, len(blocs)),
		parties: make(map[string][]*pair),
	}
	for _, bl := range blocs {
		b.blocs[bl.Slug] = &blocState{info: bl, known: true, pairs: make(map[string]*pair)}
	}

	// The records known at knownAt, in id order (by index into records).
	var order []int
	sorted := true
	for i := 1; i < len(records); i++ {
		if records[i].ID < records[i-1].ID {
			sorted = false
			break
		}
	}
	visible := func(r *bloc.Record) bool { return knownAt.IsZero() || !r.RecordedAt.After(knownAt) }
	if !sorted || !knownAt.IsZero() {
		order = make([]int, 0, len(records))
		for i := range records {
			if visible(&records[i]) {
				order = append(order, i)
			}
		}
		if !sorted {
			slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(records[x].ID, records[y].ID) })
		}
	}
	n := len(records)
	if order != nil {
		n = len(order)
	}
	at := func(k int) int {
		if order != nil {
			return order[k]
		}
		return k
	}

	b.refs = make([]recRef, n)
	for k := range n {
		r := &records[at(k)]
		ev := r.EventID
		if ev == 0 {
			ev = r.ID
		}
		b.refs[k] = recRef{id: r.ID, event: ev, retraction: r.Retracts}
	}
	// Superseding kills the target; a correction belongs to its target's
	// event (targets come first, so their event is already known).
	for k := range n {
		r := &records[at(k)]
		if r.Supersedes == 0 {
			continue
		}
		if j, ok := b.ref(r.Supersedes); ok {
			if b.refs[j].dead == 0 {
				b.refs[j].dead = r.ID
			}
			b.refs[k].event = b.refs[j].event
		}
	}

	b.events = make(map[int64]*event, n)
	evs := make([]*event, 0, n)
	for k := range n {
		ref := &b.refs[k]
		if ref.dead != 0 || ref.retraction {
			continue
		}
		i := at(k)
		e := b.events[ref.event]
		if e == nil {
			e = &event{}
			e.ID = ref.event
			// Most events have one attestation: share the caller's element
			// (capacity 1, so a second attestation copies).
			e.Attestations = records[i : i+1 : i+1]
			b.events[ref.event] = e
			evs = append(evs, e)
			continue
		}
		e.Attestations = append(e.Attestations, records[i])
	}

	for _, e := range evs {
		e.derive()
		bs := b.blocs[e.Bloc]
		if bs == nil {
			bs = &blocState{info: bloc.Bloc{Slug: e.Bloc}, pairs: make(map[string]*pair)}
			b.blocs[e.Bloc] = bs
		}
		bs.events = append(bs.events, e)
		p := bs.pair(e.Party)
		p.events = append(p.events, e)
	}
	for _, bs := range b.blocs {
		slices.SortFunc(bs.events, cmpEvents)
		bs.top = bs.pair("")
		slices.SortFunc(bs.top.events, cmpEvents)
		bs.diss, bs.renames = runBloc(&bs.info, bs.top.events)
		bs.sorted = make([]*pair, 0, len(bs.pairs))
		for party, p := range bs.pairs {
			if party == "" {
				continue
			}
			bs.sorted = append(bs.sorted, p)
		}
		slices.SortFunc(bs.sorted, func(x, y *pair) int { return cmp.Compare(x.party, y.party) })
		for _, p := range bs.sorted {
			slices.SortFunc(p.events, cmpEvents)
			p.steps = runPair(&bs.info, bs.diss, p.party, p.events, nil)
			b.parties[p.party] = append(b.parties[p.party], p)
		}
	}
	for _, ps := range b.parties {
		slices.SortFunc(ps, func(x, y *pair) int { return cmp.Compare(x.bloc, y.bloc) })
	}
	return b
}

func (bs *blocState) pair(party string) *pair {
	p := bs.pairs[party]
	if p == nil {
		p = &pair{bloc: bs.info.Slug, party: party}
		bs.pairs[party] = p
	}
	return p
}

// ref finds a known record by id.
func (b *Book) ref(id int64) (int, bool) {
	return slices.BinarySearchFunc(b.refs, id, func(r recRef, id int64) int { return cmp.Compare(r.id, id) })
}

// KnownAt is the record time the book was built for (zero: everything).
func (b *Book) KnownAt() time.Time { return b.knownAt }

// Bloc returns a bloc given to Build.
func (b *Book) Bloc(slug string) (bloc.Bloc, bool) {
	bs := b.blocs[slug]
	if bs == nil || !bs.known {
		return bloc.Bloc{}, false
	}
	return bs.info, true
}

// Parties lists the parties with any event in the bloc, sorted.
func (b *Book) Parties(blocSlug string) []string {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	out := make([]string, len(bs.sorted))
	for i, p := range bs.sorted {
		out[i] = p.party
	}
	return out
}

// Events lists the bloc's live events in order: window start, then the
// same-instant kind order, then id. The returned events share their
// attestations with the book: do not modify them.
func (b *Book) Events(blocSlug string) []bloc.Event {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	return plain(bs.events)
}

func plain(evs []*event) []bloc.Event {
	out := make([]bloc.Event, len(evs))
	for i, e := range evs {
		out[i] = e.Event
	}
	return out
}

// Event returns a live event by id.
func (b *Book) Event(id int64) (bloc.Event, bool) {
	e := b.events[id]
	if e == nil {
		return bloc.Event{}, false
	}
	return e.Event, true
}

// PartyEvents lists a party's events in every bloc, in order of window
// start (then kind order, bloc, id). Bloc-level events are not included.
func (b *Book) PartyEvents(party string) []bloc.Event {
	var evs []*event
	for _, p := range b.parties[party] {
		evs = append(evs, p.events...)
	}
	slices.SortStableFunc(evs, func(x, y *event) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(x.rank, y.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Bloc, y.Bloc); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return plain(evs)
}

// Name returns the bloc's name at t: the new name of the last renaming whose
// window starts at or before t, or the bloc's first name before any.
func (b *Book) Name(blocSlug string, t time.Time) string {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return ""
	}
	name := bs.info.Name
	for _, e := range bs.renames {
		if e.Start.After(t) {
			break
		}
		name = e.NewName
	}
	return name
}

// Dissolved returns the bloc's dissolution, if any.
func (b *Book) Dissolved(blocSlug string) (bloc.Event, bool) {
	bs := b.blocs[blocSlug]
	if bs == nil || bs.diss == nil {
		return bloc.Event{}, false
	}
	return bs.diss.Event, true
}

// At returns the standing of party in the bloc at t.
func (b *Book) At(blocSlug, party string, t time.Time) Position {
	if bs := b.blocs[blocSlug]; bs != nil && party != "" {
		if p := bs.pairs[party]; p != nil {
			return p.at(t)
		}
	}
	return Position{Party: party, Certain: true}
}

// inclusive ranks standings for uncertain positions: lower is more inclusive.
func inclusive(s bloc.Standing) int {
	switch s {
	case bloc.StandingMember:
		return 0
	case bloc.StandingSuspended:
		return 1
	case bloc.StandingObserver:
		return 2
	case bloc.StandingPartner:
		return 3
	case bloc.StandingFormer:
		return 4
	}
	return 5
}

// at answers the standing at t. The steps happened in order, each inside
// its window: lo of them have surely happened by t, hi of them may have.
func (p *pair) at(t time.Time) Position {
	steps := p.steps
	lo := sort.Search(len(steps), func(i int) bool { return steps[i].doneBy.After(t) })
	hi := lo + sort.Search(len(steps)-lo, func(i int) bool { return steps[lo+i].start.After(t) })
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
			e := steps[lo-1].ev
			pos.Since, pos.Event = e.Date, e.ID
			if pos.Standing == bloc.StandingPartner {
				pos.Scope = e.Scope
			}
		}
		return pos
	}
	pos.Before, pos.After = standing(lo), standing(hi)
	e := steps[lo].ev
	pos.Since, pos.Event = e.Date, e.ID
	best := lo
	for i := lo + 1; i <= hi; i++ {
		if inclusive(standing(i)) < inclusive(standing(best)) {
			best = i
		}
	}
	pos.Standing = standing(best)
	if pos.Standing == bloc.StandingPartner {
		pos.Scope = steps[best-1].ev.Scope
	}
	return pos
}

// Members lists the parties that are (or, inside an uncertain window, may
// be) members of the bloc at t, sorted by party. With all it also lists
// suspended members, observers and partners, each with its standing; never
// former members or parties without standing.
func (b *Book) Members(blocSlug string, t time.Time, all bool) []Position {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	var out []Position
	for _, p := range bs.sorted {
		pos := p.at(t)
		switch pos.Standing {
		case bloc.StandingMember:
		case bloc.StandingSuspended, bloc.StandingObserver, bloc.StandingPartner:
			if !all {
				continue
			}
		default:
			continue
		}
		out = append(out, pos)
	}
	return out
}

// Intervals lists the stretches of standing in the bloc, by party then
// start.
func (b *Book) Intervals(blocSlug string) []Interval {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	var out []Interval
	for _, p := range bs.sorted {
		out = p.intervals(out)
	}
	return out
}

// PartyIntervals lists the party's stretches of standing in every bloc, by
// bloc then start.
func (b *Book) PartyIntervals(party string) []Interval {
	var out []Interval
	for _, p := range b.parties[party] {
		out = p.intervals(out)
	}
	return out
}

func (p *pair) intervals(out []Interval) []Interval {
	for i, s := range p.steps {
		if s.after == bloc.StandingNone {
			continue
		}
		iv := Interval{
			Bloc: p.bloc, Party: p.party, Standing: s.after,
			From: s.ev.Date, FromStart: s.ev.Start, FromEnd: s.ev.End, FromEvent: s.ev.ID,
		}
		if s.after == bloc.StandingPartner {
			iv.Scope = s.ev.Scope
		}
		if i+1 < len(p.steps) {
			e := p.steps[i+1].ev
			iv.To, iv.ToStart, iv.ToEnd, iv.ToEvent = e.Date, e.Start, e.End, e.ID
		}
		out = append(out, iv)
	}
	return out
}

// Changes lists the bloc's events whose window meets [from, to), in order,
// statements and bloc-level events included, each with the standing of its
// party on either side.
func (b *Book) Changes(blocSlug string, from, to time.Time) []Change {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	var out []Change
	for _, e := range bs.events {
		if !e.Start.Before(to) {
			break
		}
		if e.End.After(from) {
			out = append(out, Change{Event: e.Event, Before: e.before, After: e.after})
		}
	}
	return out
}

// Anomalies lists the bloc's live events the state machine refused, in
// order, with the reason. A clean record has none.
func (b *Book) Anomalies(blocSlug string) []Anomaly {
	bs := b.blocs[blocSlug]
	if bs == nil {
		return nil
	}
	var out []Anomaly
	for _, e := range bs.events {
		if e.problem != "" {
			out = append(out, Anomaly{Event: e.Event, Reason: e.problem})
		}
	}
	return out
}
