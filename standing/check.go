package standing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blocsec/bloc"
)

// Problem is one refused record of a batch.
type Problem struct {
	Index int    `json:"index"` // the record's place in the batch, from 0
	Code  string `json:"code"`  // bloc.EINVALID (malformed) or bloc.ECONFLICT (contradicts the record)
	// Text names the event (bloc, party, kind, date) and what is wrong; for
	// an impossible transition, the standing at that date and since when.
	Text string `json:"text"`
}

// Check validates new records (not stored: ID 0) on top of the book, which
// should hold everything recorded (knownAt zero). See Prepare. It returns
// nil or an *bloc.Error with one Details line per refused record.
func (b *Book) Check(recs []bloc.Record) error {
	w := b.check(recs)
	return Refuse(w.problems(), len(recs), nil)
}

// Refuse turns the problems of a batch of n records into one *bloc.Error
// (nil when there are none): code EINVALID if any record is malformed, else
// ECONFLICT, and one Details line per refused record, prefixed with
// where(index) + ": " when where is given (an importer passes line numbers).
func Refuse(probs []Problem, n int, where func(index int) string) error {
	if len(probs) == 0 {
		return nil
	}
	e := &bloc.Error{Code: bloc.ECONFLICT}
	for _, p := range probs {
		if p.Code == bloc.EINVALID {
			e.Code = bloc.EINVALID
		}
		line := p.Text
		if where != nil {
			line = where(p.Index) + ": " + line
		}
		e.Details = append(e.Details, line)
	}
	if n == 1 {
		e.Message = "the record is refused"
	} else {
		e.Message = fmt.Sprintf("%d of %d records refused", len(probs), n)
	}
	return e
}

// Prepare validates a batch of new records on top of the book, considering
// them together (a batch may hold a whole history, or several sources of one
// fact), and returns copies ready for RecordStore.Append with the problems
// (none: the batch may be stored as it is).
//
// Each record is taken in order:
//   - A retraction (Retracts) must name a live record in Supersedes (a
//     stored id, or -n for the n-th record of the batch); its empty bloc,
//     party, kind and date are filled from that record, and its EventID is
//     set to that record's event.
//   - A correction (Supersedes, not Retracts) replaces its target within
//     the target's event; it stays in the target's bloc, and may change the
//     party or kind only if the target is the event's sole attestation.
//   - Otherwise a record with EventID > 0 attests that stored event, one
//     with EventID -n the event of the batch's n-th record, and one with
//     EventID 0 the event Match finds among the stored events and those the
//     batch formed before it; if none, it starts a new event.
//
// EventID in the copies is the event's id, -n when the event is started by
// the batch's n-th record, or 0 for the record that starts it — what
// Append expects. A record equal to a live attestation of its event in
// kind, party, date, precision and source (URL and title) is a duplicate.
// Once all records are in, the state machine runs over every party the
// batch touched; a transition it refuses that the stored record did not
// already have is charged to the batch records attesting that event, or,
// for a stored event, to the last batch record that changed its party.
func (b *Book) Prepare(recs []bloc.Record) ([]bloc.Record, []Problem) {
	w := b.check(recs)
	out := slices.Clone(recs)
	for i := range out {
		out[i].EventID = w.eventID(i)
	}
	for i, f := range w.filled {
		out[i].Bloc, out[i].Party, out[i].Kind, out[i].Date = f.Bloc, f.Party, f.Kind, f.Date
	}
	return out, w.problems()
}

// PrepareInPlace is Prepare writing into recs instead of copies, for a
// large import that should not hold its records twice. When there are
// problems recs is left as it was; otherwise each record's EventID (and a
// retraction's filled fields) are set as Prepare sets them in its copies.
func (b *Book) PrepareInPlace(recs []bloc.Record) []Problem {
	w := b.check(recs)
	if probs := w.problems(); len(probs) > 0 {
		return probs
	}
	for i := range recs {
		recs[i].EventID = w.eventID(i)
	}
	for i, f := range w.filled {
		recs[i].Bloc, recs[i].Party, recs[i].Kind, recs[i].Date = f.Bloc, f.Party, f.Kind, f.Date
	}
	return nil
}

// eventID is the EventID record i will be stored with: that of the event
// it attests (0 when it starts that event), or as given when it attests
// none. It is derived from evOf rather than kept per record.
func (w *work) eventID(i int) int64 {
	e := w.evOf[i]
	switch {
	case e == nil:
		return w.recs[i].EventID
	case e.id == -int64(i+1):
		return 0
	}
	return e.id
}

func (b *Book) check(recs []bloc.Record) *work {
	w := &work{
		b:       b,
		recs:    recs,
		ok:      make([]bool, len(recs)),
		evOf:    make([]*event, len(recs)),
		pairs:   make(map[pairKey]*wpair),
		byID:    make(map[int64]*event),
		probs:   make(map[int]*problem),
		killed:  make(map[int64]int),
		orig:    make(map[*event]*event),
		changed: make(map[*event]bool),
		refused: make(map[*event]string),
		filled:  make(map[int]bloc.Record),
	}
	for i := range recs {
		w.add(i)
	}
	w.settle()
	return w
}

type pairKey struct{ bloc, party string }

// work is the batch being checked: working copies of the stored events of
// every pair it touches, plus its own new events. A new event's id is
// -(n) for the batch's n-th record that started it, and that record is its
// attestation of ID 0; other batch attestations are copies with the
// provisional ID -(index+1).
type work struct {
	b      *Book
	recs   []bloc.Record       // the batch, read only
	filled map[int]bloc.Record // retractions' fields filled from their target
	ok     []bool
	evOf   []*event // the event each accepted record attests
	pairs  map[pairKey]*wpair
	order  []*wpair
	byID   map[int64]*event // working copies of stored events
	killed map[int64]int    // record id → the batch record superseding it
	probs  map[int]*problem
	slab   []event
	// orig maps working copies to the stored events they copy; changed
	// marks events whose attestations the batch changed; refused holds the
	// state machine's refusals of working events.
	orig    map[*event]*event
	changed map[*event]bool
	refused map[*event]string
}

type problem struct {
	Problem
	more int
}

type wpair struct {
	bloc, party string
	events      []*event
	last        int // the last batch record that changed this pair; -1 if none
}

func (w *work) pair(blocSlug, party string) *wpair {
	k := pairKey{blocSlug, party}
	if wp := w.pairs[k]; wp != nil {
		return wp
	}
	wp := &wpair{bloc: blocSlug, party: party, last: -1}
	if bs := w.b.blocs[blocSlug]; bs != nil {
		if bp := bs.pairs[party]; bp != nil {
			wp.events = make([]*event, len(bp.events))
			for i, e := range bp.events {
				c := new(event)
				*c = *e
				w.orig[c] = e
				wp.events[i] = c
				w.byID[c.id] = c
			}
		}
	}
	w.pairs[k] = wp
	w.order = append(w.order, wp)
	return wp
}

// stored returns the working copy of a stored event, nil if there is none.
func (w *work) stored(id int64) *event {
	if e, ok := w.byID[id]; ok {
		return e
	}
	be := w.b.event(id)
	if be == nil {
		return nil
	}
	w.pair(be.bloc(), be.party())
	return w.byID[id]
}

func (w *work) newEvent() *event {
	if len(w.slab) == 0 {
		w.slab = make([]event, min(1024, len(w.recs)))
	}
	e := &w.slab[0]
	w.slab = w.slab[1:]
	return e
}

func (w *work) fail(i int, code, format string, args ...any) {
	if p := w.probs[i]; p != nil {
		p.more++
		return
	}
	w.probs[i] = &problem{Problem: Problem{Index: i, Code: code, Text: fmt.Sprintf(format, args...)}}
	w.ok[i] = false
}

func (w *work) problems() []Problem {
	out := make([]Problem, 0, len(w.probs))
	for _, p := range w.probs {
		if p.more > 0 {
			if p.more == 1 {
				p.Text += " (and 1 more problem with this record)"
			} else {
				p.Text += fmt.Sprintf(" (and %d more problems with this record)", p.more)
			}
		}
		out = append(out, p.Problem)
	}
	slices.SortFunc(out, func(x, y Problem) int { return x.Index - y.Index })
	return out
}

// name says which record i is, for messages.
func (w *work) name(i int) string {
	r := &w.recs[i]
	switch {
	case r.Retracts:
		return "retraction of " + recordName(r.Supersedes)
	case r.Supersedes != 0:
		return describe(r.Bloc, r.Party, r.Kind, r.Date, r.NewName) + " (correcting " + recordName(r.Supersedes) + ")"
	}
	return describe(r.Bloc, r.Party, r.Kind, r.Date, r.NewName)
}

func recordName(id int64) string {
	if id < 0 {
		return fmt.Sprintf("record #%d of this batch", -id)
	}
	return fmt.Sprintf("record %d", id)
}

// batchIndex returns the batch position of e's k-th attestation, or -1 for
// a stored one.
func batchIndex(e *event, k int) int {
	switch id := e.atts[k].ID; {
	case id < 0:
		return int(-id - 1)
	case id == 0 && e.id < 0:
		return int(-e.id - 1)
	}
	return -1
}

// attID is the id messages give e's k-th attestation (-n: the batch's n-th).
func attID(e *event, k int) int64 {
	if i := batchIndex(e, k); i >= 0 {
		return -int64(i + 1)
	}
	return e.atts[k].ID
}

// attach adds batch record i to e as a further attestation.
func (w *work) attach(i int, e *event, atts []bloc.Record) {
	a := w.recs[i]
	a.ID = -int64(i + 1)
	e.atts = append(atts[:len(atts):len(atts)], a)
	e.derive()
	if e.id > 0 {
		w.changed[e] = true
	}
	w.evOf[i], w.ok[i] = e, true
}

func (w *work) add(i int) {
	r := &w.recs[i]
	if r.ID != 0 {
		w.fail(i, bloc.EINVALID, "%s: already stored as record %d", w.name(i), r.ID)
		return
	}
	if r.Retracts {
		w.retract(i)
		return
	}
	if msg := w.malformed(r); msg != "" {
		w.fail(i, bloc.EINVALID, "%s: %s", w.name(i), msg)
		return
	}
	if r.Supersedes != 0 {
		w.correct(i)
		return
	}
	var e *event
	wp := w.pair(r.Bloc, r.Party)
	switch {
	case r.EventID > 0:
		if e = w.stored(r.EventID); e == nil || len(e.atts) == 0 {
			w.fail(i, bloc.EINVALID, "%s: there is no event %d", w.name(i), r.EventID)
			return
		}
	case r.EventID < 0:
		n := int(-r.EventID)
		if n > i || !w.ok[n-1] || w.evOf[n-1] == nil || len(w.evOf[n-1].atts) == 0 {
			w.fail(i, bloc.EINVALID, "%s: its event is that of %s, which is not an accepted earlier record of the batch", w.name(i), recordName(r.EventID))
			return
		}
		e = w.evOf[n-1]
	default:
		e, _ = match(wp.events, r)
	}
	if e == nil {
		e = w.newEvent()
		e.id = -int64(i + 1)
		e.atts = w.recs[i : i+1 : i+1]
		e.derive()
		wp.events = append(wp.events, e)
		wp.last = i
		w.evOf[i], w.ok[i] = e, true
		return
	}
	if e.bloc() != r.Bloc || e.party() != r.Party || e.kind() != r.Kind {
		w.fail(i, bloc.EINVALID, "%s: event %d is %s, another fact", w.name(i), e.id, e)
		return
	}
	if d := duplicate(e, r, -1); d != 0 {
		w.fail(i, bloc.ECONFLICT, "%s: already recorded from the same source (%s)", w.name(i), recordName(d))
		return
	}
	w.attach(i, e, e.atts)
	wp.last = i
}

// malformed says what is wrong with the form of an attestation, or "".
func (w *work) malformed(r *bloc.Record) string {
	if r.Bloc == "" {
		return "no bloc given"
	}
	if bs := w.b.blocs[r.Bloc]; bs == nil || !bs.known {
		return fmt.Sprintf("unknown bloc %q", r.Bloc)
	}
	if !r.Kind.Valid() {
		names := make([]string, len(bloc.Kinds))
		for i, k := range bloc.Kinds {
			names[i] = string(k)
		}
		return fmt.Sprintf("unknown event kind %q (one of: %s)", r.Kind, strings.Join(names, ", "))
	}
	if r.Kind.BlocLevel() && r.Party != "" {
		return fmt.Sprintf("%s is about the bloc itself and takes no party", r.Kind)
	}
	if !r.Kind.BlocLevel() && r.Kind != bloc.KindStatement && r.Party == "" {
		return fmt.Sprintf("%s needs a party", r.Kind)
	}
	if r.Date.IsZero() || !r.Date.Precision.Valid() {
		return "no date, or a date without a valid precision"
	}
	if r.Kind == bloc.KindRenamed && strings.TrimSpace(r.NewName) == "" {
		return "renamed needs the new name"
	}
	if r.Kind != bloc.KindRenamed && r.NewName != "" {
		return "only renamed takes a new name"
	}
	if r.Kind != bloc.KindPartnerFrom && len(r.Scope) > 0 {
		return "only partner_from takes a scope"
	}
	return ""
}

// duplicate returns the id (-n for the batch's n-th record) of a live
// attestation of e, other than its skip-th, that r merely repeats, or 0.
func duplicate(e *event, r *bloc.Record, skip int) int64 {
	for k := range e.atts {
		a := &e.atts[k]
		if k != skip && a.Bloc == r.Bloc && a.Party == r.Party && a.Kind == r.Kind &&
			a.Date.Start.Equal(r.Date.Start) && a.Date.Precision == r.Date.Precision &&
			a.Source.URL == r.Source.URL && a.Source.Title == r.Source.Title {
			return attID(e, k)
		}
	}
	return 0
}

// target resolves the record a correction or retraction supersedes: its
// event's working copy and its place among the attestations.
func (w *work) target(i int, id int64) (*event, int, string, string) {
	if by, ok := w.killed[id]; ok {
		return nil, 0, bloc.ECONFLICT, fmt.Sprintf("%s is already superseded by %s", recordName(id), recordName(-int64(by+1)))
	}
	var e *event
	if id < 0 {
		n := int(-id)
		switch {
		case n > i:
			return nil, 0, bloc.EINVALID, fmt.Sprintf("%s does not come before it", recordName(id))
		case w.recs[n-1].Retracts:
			return nil, 0, bloc.EINVALID, fmt.Sprintf("%s is a retraction and cannot be superseded", recordName(id))
		case !w.ok[n-1]:
			return nil, 0, bloc.EINVALID, fmt.Sprintf("%s is itself refused", recordName(id))
		}
		e = w.evOf[n-1]
	} else {
		j, found := w.b.ref(id)
		if !found {
			return nil, 0, bloc.EINVALID, fmt.Sprintf("there is no record %d", id)
		}
		ref := &w.b.refs[j]
		switch {
		case ref.retraction:
			return nil, 0, bloc.EINVALID, fmt.Sprintf("record %d is a retraction and cannot be superseded", id)
		case ref.dead != 0:
			return nil, 0, bloc.ECONFLICT, fmt.Sprintf("record %d is already superseded by record %d", id, ref.dead)
		}
		e = w.stored(ref.event)
	}
	if e != nil {
		for k := range e.atts {
			if attID(e, k) == id {
				return e, k, "", ""
			}
		}
	}
	return nil, 0, bloc.EINVALID, fmt.Sprintf("%s is not a live attestation", recordName(id))
}

func (w *work) retract(i int) {
	r := &w.recs[i]
	if r.Supersedes == 0 {
		w.fail(i, bloc.EINVALID, "a retraction must name the record it retracts")
		return
	}
	e, k, code, msg := w.target(i, r.Supersedes)
	if msg != "" {
		w.fail(i, code, "%s: %s", w.name(i), msg)
		return
	}
	t := e.atts[k]
	f := *r
	if f.Bloc == "" {
		f.Bloc = t.Bloc
	}
	if f.Bloc != t.Bloc {
		w.fail(i, bloc.EINVALID, "%s: the record is in %s, not %s", w.name(i), t.Bloc, r.Bloc)
		return
	}
	if f.Party == "" && f.Kind == "" && f.Date.IsZero() {
		f.Party, f.Kind, f.Date = t.Party, t.Kind, t.Date
	}
	if r.EventID != 0 && r.EventID != e.id {
		w.fail(i, bloc.EINVALID, "%s: the record belongs to event %d, not %d", w.name(i), e.id, r.EventID)
		return
	}
	w.filled[i] = f
	w.killed[r.Supersedes] = i
	wp := w.pair(e.bloc(), e.party())
	e.atts = slices.Delete(slices.Clone(e.atts), k, k+1)
	if e.id > 0 {
		w.changed[e] = true
	}
	if len(e.atts) == 0 {
		wp.events = slices.DeleteFunc(wp.events, func(x *event) bool { return x == e })
	} else {
		e.derive()
	}
	wp.last = i
	w.evOf[i], w.ok[i] = e, true
}

func (w *work) correct(i int) {
	r := &w.recs[i]
	e, k, code, msg := w.target(i, r.Supersedes)
	if msg != "" {
		w.fail(i, code, "%s: %s", w.name(i), msg)
		return
	}
	t := &e.atts[k]
	switch {
	case r.Bloc != t.Bloc:
		w.fail(i, bloc.EINVALID, "%s: a correction stays in its bloc; %s is in %s", w.name(i), recordName(r.Supersedes), t.Bloc)
		return
	case len(e.atts) > 1 && (r.Party != e.party() || r.Kind != e.kind()):
		w.fail(i, bloc.EINVALID, "%s: %s is one of %d attestations of %s; a correction cannot change its party or kind (retract it and record the other fact)",
			w.name(i), recordName(r.Supersedes), len(e.atts), e)
		return
	case r.EventID != 0 && r.EventID != e.id:
		w.fail(i, bloc.EINVALID, "%s: %s belongs to event %d, not %d", w.name(i), recordName(r.Supersedes), e.id, r.EventID)
		return
	}
	if d := duplicate(e, r, k); d != 0 {
		w.fail(i, bloc.ECONFLICT, "%s: already recorded from the same source (%s)", w.name(i), recordName(d))
		return
	}
	w.killed[r.Supersedes] = i
	from := w.pair(e.bloc(), e.party())
	w.attach(i, e, slices.Delete(slices.Clone(e.atts), k, k+1))
	from.last = i
	if to := w.pair(e.bloc(), e.party()); to != from {
		from.events = slices.DeleteFunc(from.events, func(x *event) bool { return x == e })
		to.events = append(to.events, e)
		to.last = i
	}
}

// settle runs the state machine over every pair the batch changed and
// charges the transitions it newly refuses to batch records.
func (w *work) settle() {
	// Bloc level first: a changed dissolution reaches every party.
	dissOf := map[string]*event{}
	culprit := map[string]int{}
	for _, wp := range slices.Clone(w.order) {
		if wp.party != "" || wp.last < 0 {
			continue
		}
		bs := w.b.blocs[wp.bloc]
		slices.SortFunc(wp.events, cmpEvents)
		diss, _ := runBloc(&bs.info, wp.events, w.refused)
		dissOf[wp.bloc] = diss
		if !sameWindow(bs.diss, diss) {
			culprit[wp.bloc] = wp.last
			for _, p := range bs.sorted {
				w.pair(wp.bloc, p.party)
			}
		}
		w.charge(wp, wp.last)
	}
	var steps []step
	for _, wp := range w.order {
		c, dissChanged := culprit[wp.bloc]
		if wp.party == "" || (wp.last < 0 && !dissChanged) {
			continue
		}
		bs := w.b.blocs[wp.bloc]
		diss, ok := dissOf[wp.bloc]
		if !ok {
			diss = bs.diss
		}
		slices.SortFunc(wp.events, cmpEvents)
		steps = runPair(&bs.info, diss, wp.party, wp.events, steps, w.refused)
		if wp.last >= 0 {
			c = wp.last
		}
		w.charge(wp, c)
	}
}

func sameWindow(a, b *event) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.id == b.id && a.start().Equal(b.start()) && a.endSec == b.endSec && a.endNsec == b.endNsec
}

// charge reports the refused events of a pair that the stored record did
// not already have.
func (w *work) charge(wp *wpair, culprit int) {
	for _, e := range wp.events {
		why, refused := w.refused[e]
		if !refused {
			continue
		}
		if o := w.orig[e]; o != nil && !w.changed[e] && w.b.probs[o] == why {
			continue // the stored record already had it
		}
		charged := false
		for k := range e.atts {
			if bi := batchIndex(e, k); bi >= 0 {
				w.fail(bi, bloc.ECONFLICT, "%s: %s", e, why)
				charged = true
			}
		}
		if !charged && culprit >= 0 {
			w.fail(culprit, bloc.ECONFLICT, "%s: it would leave %s impossible: %s", w.name(culprit), e, why)
		}
	}
}
