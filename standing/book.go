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
	evs     []event            // every live event
	refs    []recRef           // every record known at knownAt, by id
	odd     map[int64]int32    // events whose id is no known record's (anomalous data)
	parties map[string][]*pair // by party: its pairs in every bloc, by bloc
	probs   map[*event]string  // events the state machine refused, and why
}

// recRef is what the book keeps of each record besides its attestation.
type recRef struct {
	id         int64
	event      int64 // the event it attests (for a retraction: its target's)
	dead       int64 // the record superseding it, 0 if none
	ev         int32 // index in evs of the event whose id is this record's id; -1 if none
	idx        int32 // index of the record in Build's records
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
	// lastPair speeds up Build, whose records come grouped by party.
	lastPair *pair
}

// pair is one party in one bloc.
type pair struct {
	bloc, party string
	events      []*event // in order (less)
	steps       []step
	n, nSteps   int // Build's counts, to allocate once
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
		probs:   make(map[*event]string),
	}
	for _, bl := range blocs {
		b.blocs[bl.Slug] = &blocState{info: bl, known: true, pairs: make(map[string]*pair)}
	}

	// One pass over the records known at knownAt: what the book keeps of
	// each, in id order (records come from the store in id order; others
	// are sorted here).
	b.refs = make([]recRef, 0, len(records))
	var supersede []int // positions in refs of records that supersede
	sorted := true
	for i := range records {
		r := &records[i]
		if !knownAt.IsZero() && r.RecordedAt.After(knownAt) {
			continue
		}
		ev := r.EventID
		if ev == 0 {
			ev = r.ID
		}
		if n := len(b.refs); n > 0 && r.ID < b.refs[n-1].id {
			sorted = false
		}
		if r.Supersedes != 0 {
			supersede = append(supersede, len(b.refs))
		}
		b.refs = append(b.refs, recRef{id: r.ID, event: ev, ev: -1, idx: int32(i), retraction: r.Retracts})
	}
	if !sorted {
		slices.SortStableFunc(b.refs, func(x, y recRef) int { return cmp.Compare(x.id, y.id) })
		supersede = supersede[:0]
		for k := range b.refs {
			if records[b.refs[k].idx].Supersedes != 0 {
				supersede = append(supersede, k)
			}
		}
	}
	// Superseding kills the target; a correction belongs to its target's
	// event (targets come first, so their event is already known).
	live := len(b.refs)
	for _, k := range supersede {
		r := &records[b.refs[k].idx]
		if j, ok := b.ref(r.Supersedes); ok {
			if b.refs[j].dead == 0 {
				b.refs[j].dead = r.ID
			}
			b.refs[k].event = b.refs[j].event
			live--
		}
	}

	// Group the live attestations into events.
	b.evs = make([]event, 0, live)
	for k := range b.refs {
		ref := &b.refs[k]
		if ref.dead != 0 || ref.retraction {
			continue
		}
		i := ref.idx
		// The event's index is kept with the record whose id it has (almost
		// always this one or an earlier one).
		j, found := k, true
		if ref.event != ref.id {
			j, found = b.ref(ref.event)
		}
		idx := int32(-1)
		if found {
			idx = b.refs[j].ev
		} else if v, ok := b.odd[ref.event]; ok {
			idx = v
		}
		if idx >= 0 {
			e := &b.evs[idx]
			e.atts = append(e.atts, records[i])
			continue
		}
		idx = int32(len(b.evs))
		if found {
			b.refs[j].ev = idx
		} else {
			if b.odd == nil {
				b.odd = make(map[int64]int32)
			}
			b.odd[ref.event] = idx
		}
		// Most events have one attestation: share the caller's element
		// (capacity 1, so a second attestation copies).
		b.evs = append(b.evs, event{id: ref.event, atts: records[i : i+1 : i+1]})
	}

	// Place them in blocs and pairs, allocating each list once.
	pairOf := make([]*pair, len(b.evs))
	var lastBloc *blocState
	for i := range b.evs {
		e := &b.evs[i]
		e.derive()
		bs := lastBloc
		if bs == nil || bs.info.Slug != e.bloc() {
			if bs = b.blocs[e.bloc()]; bs == nil {
				bs = &blocState{info: bloc.Bloc{Slug: e.bloc()}, pairs: make(map[string]*pair)}
				b.blocs[e.bloc()] = bs
			}
			lastBloc = bs
		}
		p := bs.lastPair
		if p == nil || p.party != e.party() {
			p = bs.pair(e.party())
			bs.lastPair = p
		}
		p.n++
		if e.kind() != bloc.KindStatement {
			p.nSteps++
		}
		pairOf[i] = p
	}
	ptrs := make([]*event, 0, 2*len(b.evs))
	steps := make([]step, 0, len(b.evs))
	carve := func(k int) []*event {
		s := ptrs[len(ptrs) : len(ptrs) : len(ptrs)+k]
		ptrs = ptrs[:len(ptrs)+k]
		return s
	}
	for _, bs := range b.blocs {
		bs.top = bs.pair("")
		total := 0
		for _, p := range bs.pairs {
			total += p.n
		}
		bs.events = carve(total)
		for _, p := range bs.pairs {
			p.events = carve(p.n)
		}
	}
	for i := range b.evs {
		p := pairOf[i]
		p.events = append(p.events, &b.evs[i])
	}
	stepsFor := func(k int) []step {
		s := steps[len(steps) : len(steps) : len(steps)+k]
		steps = steps[:len(steps)+k]
		return s
	}
	for _, bs := range b.blocs {
		slices.SortFunc(bs.top.events, cmpEvents)
		bs.diss, bs.renames = runBloc(&bs.info, bs.top.events, b.probs)
		bs.events = append(bs.events, bs.top.events...)
		bs.sorted = make([]*pair, 0, len(bs.pairs))
		for party, p := range bs.pairs {
			if party != "" {
				bs.sorted = append(bs.sorted, p)
			}
		}
		slices.SortFunc(bs.sorted, func(x, y *pair) int { return cmp.Compare(x.party, y.party) })
		for _, p := range bs.sorted {
			slices.SortFunc(p.events, cmpEvents)
			k := p.nSteps
			if bs.diss != nil {
				k++
			}
			if len(steps)+k > cap(steps) {
				steps = make([]step, 0, max(k, 1024))
			}
			p.steps = runPair(&bs.info, bs.diss, p.party, p.events, stepsFor(k), b.probs)
			bs.events = append(bs.events, p.events...)
			b.parties[p.party] = append(b.parties[p.party], p)
		}
		slices.SortFunc(bs.events, cmpEvents)
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

// event returns a live event by id, nil if there is none.
func (b *Book) event(id int64) *event {
	var idx int32 = -1
	if j, ok := b.ref(id); ok {
		idx = b.refs[j].ev
	} else if i, ok := b.odd[id]; ok {
		idx = i
	}
	if idx < 0 {
		return nil
	}
	return &b.evs[idx]
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
		out[i] = e.public()
	}
	return out
}

// Event returns a live event by id.
func (b *Book) Event(id int64) (bloc.Event, bool) {
	e := b.event(id)
	if e == nil {
		return bloc.Event{}, false
	}
	return e.public(), true
}

// PartyEvents lists a party's events in every bloc, in order of window
// start (then kind order, bloc, id). Bloc-level events are not included.
func (b *Book) PartyEvents(party string) []bloc.Event {
	var evs []*event
	for _, p := range b.parties[party] {
		evs = append(evs, p.events...)
	}
	slices.SortStableFunc(evs, func(x, y *event) int {
		if c := x.start().Compare(y.start()); c != 0 {
			return c
		}
		if c := cmp.Compare(x.rank, y.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(x.bloc(), y.bloc()); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
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
		if e.start().After(t) {
			break
		}
		name = e.newName()
	}
	return name
}

// Dissolved returns the bloc's dissolution, if any.
func (b *Book) Dissolved(blocSlug string) (bloc.Event, bool) {
	bs := b.blocs[blocSlug]
	if bs == nil || bs.diss == nil {
		return bloc.Event{}, false
	}
	return bs.diss.public(), true
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
			pos.Since, pos.Event = e.dated(), e.id
			if pos.Standing == bloc.StandingPartner {
				pos.Scope = e.scope()
			}
		}
		return pos
	}
	pos.Before, pos.After = standing(lo), standing(hi)
	e := steps[lo].ev
	pos.Since, pos.Event = e.dated(), e.id
	best := lo
	for i := lo + 1; i <= hi; i++ {
		if inclusive(standing(i)) < inclusive(standing(best)) {
			best = i
		}
	}
	pos.Standing = standing(best)
	if pos.Standing == bloc.StandingPartner {
		pos.Scope = steps[best-1].ev.scope()
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
	out := make([]Position, 0, len(bs.sorted))
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
			From: s.ev.dated(), FromStart: s.start, FromEnd: s.ev.stop(), FromEvent: s.ev.id,
		}
		if s.after == bloc.StandingPartner {
			iv.Scope = s.ev.scope()
		}
		if i+1 < len(p.steps) {
			e := p.steps[i+1].ev
			iv.To, iv.ToStart, iv.ToEnd, iv.ToEvent = e.dated(), e.start(), e.stop(), e.id
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
		if !e.start().Before(to) {
			break
		}
		if e.stop().After(from) {
			out = append(out, Change{Event: e.public(), Before: e.before.standing(), After: e.after.standing()})
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
		if why, ok := b.probs[e]; ok {
			out = append(out, Anomaly{Event: e.public(), Reason: why})
		}
	}
	return out
}
