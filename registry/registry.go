// Package registry is the membership record as a service: it reads and
// appends records through a bloc.RecordStore and answers questions from the
// pure standing package. It caches the derived view of the whole record and
// rebuilds it when the store's record version changes, which also makes a
// write on another node visible here.
package registry

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/standing"
)

// Service answers registry queries and records events.
type Service struct {
	store bloc.RecordStore
	now   func() time.Time

	mu   sync.Mutex
	snap *snapshot // nil until first use and after Invalidate
	ros  *rosters  // nil until first use and after Invalidate
}

// rosters are the blocs' standings at one record version, each derived
// from its bloc's records the first time the bloc is asked about. Members
// and Position (every access decision) are answered from them, so that
// they need neither the whole record in memory nor a load of it: memory is
// proportional to the blocs asked about, and a roster is a few dozen bytes
// per standing change rather than the records behind it.
type rosters struct {
	version int64
	blocs   []bloc.Bloc
	names   map[string]string // party code → name
	byBloc  map[string]*roster
}

// roster is a bloc's roster with the names of its parties, by index.
type roster struct {
	*standing.Roster
	names []string
}

// snapshot is the derived view of the whole record at one record version,
// with the blocs and party names it was built with.
type snapshot struct {
	version int64
	book    *standing.Book
	blocs   []bloc.Bloc
	names   map[string]string // party code → name
}

// New returns a Service over store.
func New(store bloc.RecordStore) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC() }}
}

// current returns the snapshot for the store's current record version,
// rebuilding it when another writer (this process or another node) has
// changed the record. The version check is one cheap query.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	v, err := s.store.RecordVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil && s.snap.version == v {
		return s.snap, nil
	}
	blocs, err := s.store.Blocs(ctx)
	if err != nil {
		return nil, err
	}
	names, err := s.partyNames(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.Records(ctx)
	if err != nil {
		return nil, err
	}
	s.snap = &snapshot{version: v, book: standing.Build(blocs, recs, time.Time{}), blocs: blocs, names: names}
	return s.snap, nil
}

// Book returns the derived view as known at knownAt (zero: now). The current
// view is cached; past views are built on demand.
func (s *Service) Book(ctx context.Context, knownAt time.Time) (*standing.Book, error) {
	if knownAt.IsZero() {
		snap, err := s.current(ctx)
		if err != nil {
			return nil, err
		}
		return snap.book, nil
	}
	blocs, err := s.store.Blocs(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.Records(ctx)
	if err != nil {
		return nil, err
	}
	return standing.Build(blocs, recs, knownAt), nil
}

// blocInfo finds a bloc in the snapshot, or ENOTFOUND.
func (snap *snapshot) bloc(slug string) (bloc.Bloc, error) {
	for _, b := range snap.blocs {
		if b.Slug == slug {
			return b, nil
		}
	}
	return bloc.Bloc{}, bloc.Errorf(bloc.ENOTFOUND, "no bloc %q (see `bloc blocs` or GET /api/v1/blocs)", slug)
}

// Invalidate drops the cached view (after a write this process made).
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.snap, s.ros = nil, nil
	s.mu.Unlock()
}

// roster returns blocSlug's roster at the store's current record version
// (ENOTFOUND for an unknown bloc), deriving it from the bloc's records
// when the bloc was not asked about since the record last changed. The
// version check is one cheap query, so a write by another process or node
// is seen by the next question.
func (s *Service) roster(ctx context.Context, blocSlug string) (*roster, error) {
	v, err := s.store.RecordVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ros == nil || s.ros.version != v {
		blocs, err := s.store.Blocs(ctx)
		if err != nil {
			return nil, err
		}
		names, err := s.partyNames(ctx)
		if err != nil {
			return nil, err
		}
		s.ros = &rosters{version: v, blocs: blocs, names: names, byBloc: map[string]*roster{}}
	}
	if r := s.ros.byBloc[blocSlug]; r != nil {
		return r, nil
	}
	known := false
	for _, b := range s.ros.blocs {
		known = known || b.Slug == blocSlug
	}
	if !known {
		return nil, bloc.Errorf(bloc.ENOTFOUND, "no bloc %q (see `bloc blocs` or GET /api/v1/blocs)", blocSlug)
	}
	var sr *standing.Roster
	if s.snap != nil && s.snap.version == v {
		sr = s.snap.book.Roster(blocSlug)
	} else {
		// A bloc's standings follow from its own records alone.
		recs, err := s.store.Records(ctx, blocSlug)
		if err != nil {
			return nil, err
		}
		sr = standing.Build(s.ros.blocs, recs, time.Time{}).Roster(blocSlug)
	}
	r := &roster{Roster: sr, names: sr.Parties()}
	for i, p := range r.names {
		r.names[i] = s.ros.names[p]
	}
	s.ros.byBloc[blocSlug] = r
	return r, nil
}

// Position is the standing of party in bloc at instant t, from the current
// record. It is what every access decision starts from.
func (s *Service) Position(ctx context.Context, blocSlug, party string, t time.Time) (standing.Position, error) {
	r, err := s.roster(ctx, blocSlug)
	if bloc.ErrorCode(err) == bloc.ENOTFOUND {
		return standing.Position{Party: party, Certain: true}, nil // no standing in no bloc
	}
	if err != nil {
		return standing.Position{}, err
	}
	return r.At(party, t), nil
}

// Name is the bloc's name at instant t (its first name before any
// renaming), answered from the bloc's roster like Members: it does not
// need the whole record. An unknown bloc is ENOTFOUND.
func (s *Service) Name(ctx context.Context, blocSlug string, t time.Time) (string, error) {
	r, err := s.roster(ctx, blocSlug)
	if err != nil {
		return "", err
	}
	return r.Name(t), nil
}

// BlocView is a bloc with what the record derives about it.
type BlocView struct {
	bloc.Bloc
	CurrentName string `json:"current_name"`
	Dissolved   string `json:"dissolved,omitempty"`
	Members     int    `json:"members_now"`
	Events      int    `json:"events"`
}

// Blocs lists every bloc with its name today.
func (s *Service) Blocs(ctx context.Context) ([]BlocView, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []BlocView{}
	for _, bl := range snap.blocs {
		out = append(out, s.blocView(snap.book, bl, now))
	}
	return out, nil
}

func (s *Service) blocView(b *standing.Book, bl bloc.Bloc, now time.Time) BlocView {
	v := BlocView{Bloc: bl, CurrentName: b.Name(bl.Slug, now), Events: len(b.Events(bl.Slug))}
	if d, ok := b.Dissolved(bl.Slug); ok {
		v.Dissolved = d.Date.String()
	}
	v.Members = len(b.Members(bl.Slug, now, false))
	return v
}

// Bloc returns one bloc.
func (s *Service) Bloc(ctx context.Context, slug string) (BlocView, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return BlocView{}, err
	}
	bl, err := snap.bloc(slug)
	if err != nil {
		return BlocView{}, err
	}
	return s.blocView(snap.book, bl, s.now()), nil
}

// MemberView is one entry of a members answer.
type MemberView struct {
	Party    string        `json:"party"`
	Name     string        `json:"name,omitempty"`
	Standing bloc.Standing `json:"standing"`
	Scope    []string      `json:"scope,omitempty"`
	Since    string        `json:"since,omitempty"`
	Certain  bool          `json:"certain"`
	Before   bloc.Standing `json:"before,omitempty"`
	After    bloc.Standing `json:"after,omitempty"`
}

// MembersView is the answer to "who belonged to BLOC at AT?". Its JSON is
// the documented output of `bloc members --json` and the members endpoint.
type MembersView struct {
	Bloc    string       `json:"bloc"`
	Name    string       `json:"name"`
	At      string       `json:"at"`
	KnownAt string       `json:"known_at,omitempty"`
	Members []MemberView `json:"members"`
}

// Members answers who belonged to blocSlug at instant at, as known at
// knownAt (zero: now). With all, observers, partners and suspended parties
// are listed too.
func (s *Service) Members(ctx context.Context, blocSlug string, at bloc.Date, knownAt time.Time, all bool) (MembersView, error) {
	if !knownAt.IsZero() {
		return s.membersKnownAt(ctx, blocSlug, at, knownAt, all)
	}
	r, err := s.roster(ctx, blocSlug)
	if err != nil {
		return MembersView{}, err
	}
	// The positions go to a reused scratch list so that the answer is
	// allocated once, at its size.
	scratch := positions.Get().(*[]indexed)
	ps := (*scratch)[:0]
	r.EachMember(at.Start, all, func(i int, p standing.Position) { ps = append(ps, indexed{i, p}) })
	v := MembersView{Bloc: blocSlug, Name: r.Name(at.Start), At: at.String(), Members: make([]MemberView, len(ps))}
	for k, p := range ps {
		v.Members[k] = memberView(p.Position, r.names[p.i])
	}
	clear(ps)
	*scratch = ps
	positions.Put(scratch)
	return v, nil
}

// indexed is a position with its party's index in the roster.
type indexed struct {
	i int
	standing.Position
}

var positions = sync.Pool{New: func() any { return new([]indexed) }}

// membersKnownAt is Members over the record as known at knownAt.
func (s *Service) membersKnownAt(ctx context.Context, blocSlug string, at bloc.Date, knownAt time.Time, all bool) (MembersView, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return MembersView{}, err
	}
	bl, err := snap.bloc(blocSlug)
	if err != nil {
		return MembersView{}, err
	}
	b, err := s.Book(ctx, knownAt)
	if err != nil {
		return MembersView{}, err
	}
	ps := b.Members(bl.Slug, at.Start, all)
	v := MembersView{Bloc: bl.Slug, Name: b.Name(bl.Slug, at.Start), At: at.String(), KnownAt: bloc.FormatInstant(knownAt),
		Members: make([]MemberView, 0, len(ps))}
	for _, p := range ps {
		v.Members = append(v.Members, memberView(p, snap.names[p.Party]))
	}
	return v, nil
}

func memberView(p standing.Position, name string) MemberView {
	m := MemberView{Party: p.Party, Name: name, Standing: p.Standing, Scope: p.Scope, Since: dateText(p.Since), Certain: p.Certain}
	if !p.Certain {
		m.Before, m.After = p.Before, p.After
	}
	return m
}

func (s *Service) partyNames(ctx context.Context) (map[string]string, error) {
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.Code] = p.Name
	}
	return m, nil
}

// HistoryView is a party's history across blocs.
type HistoryView struct {
	Party     string              `json:"party"`
	Name      string              `json:"name"`
	Intervals []standing.Interval `json:"intervals"`
	Events    []bloc.Event        `json:"events"`
}

// History returns party's intervals and events, in one bloc or all.
func (s *Service) History(ctx context.Context, party, blocSlug string) (HistoryView, error) {
	p, err := s.store.Party(ctx, party)
	if err != nil {
		return HistoryView{}, err
	}
	if blocSlug != "" {
		if _, err := s.store.Bloc(ctx, blocSlug); err != nil {
			return HistoryView{}, err
		}
	}
	b, err := s.Book(ctx, time.Time{})
	if err != nil {
		return HistoryView{}, err
	}
	v := HistoryView{Party: p.Code, Name: p.Name, Intervals: []standing.Interval{}, Events: []bloc.Event{}}
	for _, iv := range b.PartyIntervals(p.Code) {
		if blocSlug == "" || iv.Bloc == blocSlug {
			v.Intervals = append(v.Intervals, iv)
		}
	}
	for _, e := range b.PartyEvents(p.Code) {
		if blocSlug == "" || e.Bloc == blocSlug {
			v.Events = append(v.Events, e)
		}
	}
	return v, nil
}

// TimelineView is a bloc's whole membership history: one row per party.
type TimelineView struct {
	Bloc      string              `json:"bloc"`
	Name      string              `json:"name"`
	Founded   string              `json:"founded"`
	Dissolved string              `json:"dissolved,omitempty"`
	Names     []NameSpan          `json:"names"`
	Intervals []standing.Interval `json:"intervals"`
}

// NameSpan is one of a bloc's names and when it took it.
type NameSpan struct {
	Name string `json:"name"`
	From string `json:"from"`
}

// Timeline returns every interval of every party of blocSlug.
func (s *Service) Timeline(ctx context.Context, blocSlug string) (TimelineView, error) {
	bl, err := s.store.Bloc(ctx, blocSlug)
	if err != nil {
		return TimelineView{}, err
	}
	b, err := s.Book(ctx, time.Time{})
	if err != nil {
		return TimelineView{}, err
	}
	v := TimelineView{Bloc: bl.Slug, Name: bl.Name, Founded: bl.Founded.String(), Intervals: b.Intervals(bl.Slug)}
	if v.Intervals == nil {
		v.Intervals = []standing.Interval{}
	}
	v.Names = []NameSpan{{Name: bl.Name, From: bl.Founded.String()}}
	for _, e := range b.Events(bl.Slug) {
		switch e.Kind {
		case bloc.KindRenamed:
			v.Names = append(v.Names, NameSpan{Name: e.NewName, From: e.Date.String()})
		case bloc.KindDissolved:
			v.Dissolved = e.Date.String()
		}
	}
	return v, nil
}

// ChangesView lists what changed in a bloc between two dates.
type ChangesView struct {
	Bloc    string            `json:"bloc"`
	From    string            `json:"from"`
	To      string            `json:"to"`
	Changes []standing.Change `json:"changes"`
}

// Changes lists the events of blocSlug whose window meets [from, to).
func (s *Service) Changes(ctx context.Context, blocSlug string, from, to bloc.Date) (ChangesView, error) {
	if _, err := s.store.Bloc(ctx, blocSlug); err != nil {
		return ChangesView{}, err
	}
	if !to.Start.After(from.Start) {
		return ChangesView{}, bloc.Errorf(bloc.EINVALID, "--to %s must be after --from %s", to, from)
	}
	b, err := s.Book(ctx, time.Time{})
	if err != nil {
		return ChangesView{}, err
	}
	v := ChangesView{Bloc: blocSlug, From: from.String(), To: to.String(), Changes: b.Changes(blocSlug, from.Start, to.Start)}
	if v.Changes == nil {
		v.Changes = []standing.Change{}
	}
	return v, nil
}

// Add records new records (attestations) as one batch: each record that
// states a fact already in the record becomes another attestation of that
// event, and the whole batch is checked against the record inside the
// store's write transaction and written entirely or not at all. Problems
// name records as "record N" (1-based).
//
// Add resolves recs in place (event references, then ids and record time)
// and returns them, so that a large import is not held twice: the caller
// must not reuse recs afterwards. A refused batch is left as it was.
func (s *Service) Add(ctx context.Context, recs []bloc.Record) ([]bloc.Record, error) {
	return s.AddWhere(ctx, recs, func(i int) string { return fmt.Sprintf("record %d", i+1) })
}

// AddWhere is Add with problems located by where(index), e.g. "line 17"
// for an import.
func (s *Service) AddWhere(ctx context.Context, recs []bloc.Record, where func(int) string) ([]bloc.Record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	blocs, err := s.store.Blocs(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(blocs))
	for _, b := range blocs {
		known[b.Slug] = true
	}
	parties, err := s.partyNames(ctx)
	if err != nil {
		return nil, err
	}
	// Unknown blocs and parties are reported once per name with where they
	// occur, not once per record: a file for a bloc not yet added would
	// otherwise bury the one line that matters.
	unknown := map[string][]int{}
	var order []string
	bad := 0
	touched := map[string]bool{}
	for i, r := range recs {
		var keys []string
		if r.Bloc != "" && !known[r.Bloc] {
			keys = append(keys, fmt.Sprintf("unknown bloc %q (see `bloc blocs`, or add it with `bloc blocs add`)", r.Bloc))
		}
		if r.Party != "" && parties[r.Party] == "" {
			keys = append(keys, fmt.Sprintf("unknown party %q (see `bloc parties`, or add it with `bloc parties add`)", r.Party))
		}
		if len(keys) > 0 {
			bad++
		}
		for _, k := range keys {
			if unknown[k] == nil {
				order = append(order, k)
			}
			unknown[k] = append(unknown[k], i)
		}
		touched[r.Bloc] = true
	}
	if bad > 0 {
		var problems []string
		for _, k := range order {
			idx := unknown[k]
			at := where(idx[0])
			if len(idx) > 1 {
				at += fmt.Sprintf(" and %d more (last: %s)", len(idx)-1, where(idx[len(idx)-1]))
			}
			problems = append(problems, at+": "+k)
		}
		// Also check the other records against the record, so that one
		// run reports every bad row, not only the unknown names.
		problems = append(problems, s.otherProblems(ctx, recs, unknown, where)...)
		return nil, &bloc.Error{Code: bloc.EINVALID, Message: refusedMessage(bad, len(recs)), Details: problems}
	}
	slugs := make([]string, 0, len(touched))
	for s := range touched {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	out, err := s.store.Append(ctx, slugs, func(current []bloc.Record) ([]bloc.Record, error) {
		book := standing.Build(blocs, current, time.Time{})
		probs := book.PrepareInPlace(recs)
		if len(probs) > 0 {
			err := standing.Refuse(probs, len(recs), where)
			if be, ok := err.(*bloc.Error); ok {
				be.Message = refusedMessage(len(probs), len(recs))
			}
			return nil, err
		}
		return recs, nil
	})
	if err != nil {
		return nil, err
	}
	s.Invalidate()
	return out, nil
}

// otherProblems checks the records that name known blocs and parties,
// when some others do not; it is only for reporting.
func (s *Service) otherProblems(ctx context.Context, recs []bloc.Record, unknown map[string][]int, where func(int) string) []string {
	skip := map[int]bool{}
	for _, idx := range unknown {
		for _, i := range idx {
			skip[i] = true
		}
	}
	var rest []bloc.Record
	var orig []int
	for i, r := range recs {
		// A record referring to a batch record cannot be checked alone.
		if !skip[i] && r.EventID >= 0 && r.Supersedes >= 0 {
			rest = append(rest, r)
			orig = append(orig, i)
		}
	}
	book, err := s.Book(ctx, time.Time{})
	if err != nil || len(rest) == 0 {
		return nil
	}
	_, probs := book.Prepare(rest)
	var out []string
	for _, p := range probs {
		out = append(out, where(orig[p.Index])+": "+p.Text)
	}
	return out
}

func refusedMessage(bad, n int) string {
	if n == 1 {
		return "the record is refused; nothing was written"
	}
	return fmt.Sprintf("%d of %d records refused; nothing was written", bad, n)
}

// Supersede records a correction of record id: rec replaces it in every view
// from now on (the old record stays, readable with --known-at).
func (s *Service) Supersede(ctx context.Context, id int64, rec bloc.Record) (bloc.Record, error) {
	old, err := s.Record(ctx, id)
	if err != nil {
		return bloc.Record{}, err
	}
	if rec.Bloc == "" {
		rec.Bloc = old.Bloc
	}
	if rec.Bloc != old.Bloc {
		return bloc.Record{}, bloc.Errorf(bloc.EINVALID, "a correction stays in its bloc: record %d is in %s", id, old.Bloc)
	}
	rec.Supersedes, rec.EventID = id, old.EventID
	out, err := s.Add(ctx, []bloc.Record{rec})
	if err != nil {
		return bloc.Record{}, err
	}
	return out[0], nil
}

// Retract withdraws record id from the record from now on.
func (s *Service) Retract(ctx context.Context, id int64, by, note string) (bloc.Record, error) {
	old, err := s.Record(ctx, id)
	if err != nil {
		return bloc.Record{}, err
	}
	r := bloc.Record{Bloc: old.Bloc, Party: old.Party, Kind: old.Kind, Date: old.Date, EventID: old.EventID,
		Supersedes: id, Retracts: true, RecordedBy: by, Note: note}
	out, err := s.Add(ctx, []bloc.Record{r})
	if err != nil {
		return bloc.Record{}, err
	}
	return out[0], nil
}

// Record finds one stored record by id: the record a correction or a
// retraction starts from. A retraction itself cannot be corrected.
func (s *Service) Record(ctx context.Context, id int64) (bloc.Record, error) {
	recs, err := s.store.Records(ctx)
	if err != nil {
		return bloc.Record{}, err
	}
	i := sort.Search(len(recs), func(i int) bool { return recs[i].ID >= id })
	if i == len(recs) || recs[i].ID != id {
		return bloc.Record{}, bloc.Errorf(bloc.ENOTFOUND, "no record with id %d (ids are shown by `bloc history PARTY` and `bloc export`)", id)
	}
	if recs[i].Retracts {
		return bloc.Record{}, bloc.Errorf(bloc.EINVALID, "record %d is a retraction; supersede or retract the record it retracts instead", id)
	}
	return recs[i], nil
}

// dateText is d.String() without time.Format, whose layout interpretation
// was a sixth of a members answer (one date per member): calendar dates are
// written digit by digit, instants as String writes them.
func dateText(d bloc.Date) string {
	if d.IsZero() {
		return ""
	}
	n := 0
	switch d.Precision {
	case bloc.PrecisionYear:
		n = 4
	case bloc.PrecisionMonth:
		n = 7
	case bloc.PrecisionDay:
		n = 10
	}
	y, m, day := d.Start.Date()
	if n == 0 || y < 0 || y > 9999 {
		return d.String()
	}
	var b [10]byte
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4], b[5], b[6] = '-', byte('0'+int(m)/10), byte('0'+int(m)%10)
	b[7], b[8], b[9] = '-', byte('0'+day/10), byte('0'+day%10)
	return string(b[:n])
}
