package push

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/standing"
)

// End reasons of a stream (the "reason" of its final event).
const (
	ReasonAccess       = "access_ended"  // the party's standing no longer lets it read the collection
	ReasonTokenRevoked = "token_revoked" // the token was revoked (or removed)
	ReasonTokenExpired = "token_expired"
	ReasonOverflow     = Overflow   // the reader fell too far behind; resume from the last id
	ReasonShutdown     = "shutdown" // the server is stopping; resume from the last id
	ReasonWriteFailed  = "write_failed"
)

// Guard re-checks the access of every open stream, centrally, so that no
// stream polls the database. One goroutine polls two cheap numbers (the
// record version and the token version) and keeps one timer for the
// earliest instant at which some stream's access may change: the next
// membership transition of a watched party (including one recorded ahead
// of time for a future instant), a token's expiry or a revocation dated in
// the future. When any of these happens it ends exactly the affected
// streams, at that instant, with a reason.
//
// Streams watching the same party in the same bloc share one group, so the
// work per record change is per group, not per stream.
type Guard struct {
	store    Store
	record   Record
	interval time.Duration
	now      func() time.Time
	log      *slog.Logger

	// rosters are the rosters of the blocs it has been asked about (a nil
	// roster: an unknown bloc), all at one record version: every decision
	// is made from them in memory. Every bloc with a group is in it.
	rmu     sync.RWMutex
	rosters map[string]*standing.Roster
	rgen    int64 // bumped when rosters is replaced by a newer version's

	mu      sync.Mutex
	groups  map[groupKey]*group
	tokens  map[string]*tokenWatch
	anon    map[*Watch]struct{}
	recVer  int64
	tokVer  int64
	wake    chan struct{} // poll now
	rearm   chan struct{} // a nearer instant was added: set the timer again
	armed   time.Time     // the instant the timer is set for (zero: none)
	loaded  bool
	stopped bool
}

type groupKey struct{ bloc, party string }

// group is the streams of one party in one bloc; next is the next instant
// after the last check at which the party's standing may change (zero:
// none known).
type group struct {
	watches map[*Watch]struct{}
	next    time.Time
}

// tokenWatch is the streams of one token; end is when it stops working
// (expiry, or a revocation dated in the future; zero: not known to end).
type tokenWatch struct {
	watches map[*Watch]struct{}
	end     time.Time
	reason  string
	// ver is the token version at which the guard last read the token
	// (-1: never, for a token first seen since: it was verified before it
	// was registered, and may have been revoked in between).
	ver int64
}

// Watch is one stream as the guard sees it.
type Watch struct {
	coll  bloc.Collection
	cred  auth.Credential
	ended chan struct{}
	once  sync.Once
	code  string
	text  string
}

// Ended is closed when the guard ended the stream; Reason says why.
func (w *Watch) Ended() <-chan struct{} { return w.ended }

// Reason is the end reason code and a sentence a person can read.
func (w *Watch) Reason() (code, text string) {
	select {
	case <-w.ended:
		return w.code, w.text
	default:
		return "", ""
	}
}

func (w *Watch) end(code, text string) {
	w.once.Do(func() {
		w.code, w.text = code, text
		close(w.ended)
	})
}

// NewGuard returns a guard; Start loads the record and starts it.
func NewGuard(store Store, record Record, interval time.Duration, now func() time.Time, log *slog.Logger) *Guard {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{store: store, record: record, interval: interval, now: now, log: log,
		rosters: make(map[string]*standing.Roster),
		groups:  make(map[groupKey]*group), tokens: make(map[string]*tokenWatch), anon: make(map[*Watch]struct{}),
		wake: make(chan struct{}, 1), rearm: make(chan struct{}, 1)}
}

// Load reads the current record and token versions. It is called by
// Start; streams need a loaded guard. The rosters of the blocs streams are
// opened in are read when the first one opens, not here: a server starts
// without deriving the record.
func (g *Guard) Load(ctx context.Context) error {
	rv, err := g.store.RecordVersion(ctx)
	if err != nil {
		return err
	}
	tv, err := g.store.TokenVersion(ctx)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.recVer, g.tokVer = rv, tv
	g.loaded = true
	g.mu.Unlock()
	return nil
}

// roster is blocSlug's roster at the version the guard holds (nil for an
// unknown bloc), read from the record the first time it is asked for.
func (g *Guard) roster(ctx context.Context, blocSlug string) (*standing.Roster, error) {
	g.rmu.RLock()
	r, ok := g.rosters[blocSlug]
	gen := g.rgen
	g.rmu.RUnlock()
	if ok {
		return r, nil
	}
	r, err := g.record.Roster(ctx, blocSlug)
	if bloc.ErrorCode(err) == bloc.ENOTFOUND {
		r, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	g.rmu.Lock()
	// A poll that replaced the rosters meanwhile may hold a newer one.
	if g.rgen == gen {
		g.rosters[blocSlug] = r
	} else if newer, ok := g.rosters[blocSlug]; ok {
		r = newer
	}
	g.rmu.Unlock()
	return r, nil
}

// cached is blocSlug's roster if the guard holds it (it holds the roster
// of every bloc with a group).
func (g *Guard) cached(blocSlug string) (*standing.Roster, bool) {
	g.rmu.RLock()
	defer g.rmu.RUnlock()
	r, ok := g.rosters[blocSlug]
	return r, ok
}

// refresh reads again, after the record changed, the rosters of every bloc
// the guard holds, and replaces them all at once (or none, on an error).
func (g *Guard) refresh(ctx context.Context) error {
	g.rmu.RLock()
	slugs := make([]string, 0, len(g.rosters))
	for slug := range g.rosters {
		slugs = append(slugs, slug)
	}
	g.rmu.RUnlock()
	fresh := make(map[string]*standing.Roster, len(slugs))
	for _, slug := range slugs {
		r, err := g.record.Roster(ctx, slug)
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			r, err = nil, nil
		}
		if err != nil {
			return err
		}
		fresh[slug] = r
	}
	g.rmu.Lock()
	// A bloc first asked about meanwhile was read at least as recently.
	for slug, r := range g.rosters {
		if _, ok := fresh[slug]; !ok {
			fresh[slug] = r
		}
	}
	g.rosters = fresh
	g.rgen++
	g.rmu.Unlock()
	return nil
}

// Position is the standing of party in bloc at t, from the rosters the
// guard holds: streams and webhooks decide every object with it.
func (g *Guard) Position(ctx context.Context, blocSlug, party string, t time.Time) (standing.Position, error) {
	r, err := g.roster(ctx, blocSlug)
	if err != nil {
		return standing.Position{}, err
	}
	return positionIn(r, party, t), nil
}

// positionIn is r.At, with no standing in an unknown bloc (nil r).
func positionIn(r *standing.Roster, party string, t time.Time) standing.Position {
	if r == nil {
		return standing.Position{Party: party, Certain: true}
	}
	return r.At(party, t)
}

// nextIn is r.NextChange, zero when there is none.
func nextIn(r *standing.Roster, party string, after time.Time) time.Time {
	if r == nil {
		return time.Time{}
	}
	next, _ := r.NextChange(party, after)
	return next
}

// Poke makes the guard poll now (after a write this process made, so that
// it takes effect without waiting for the next tick).
func (g *Guard) Poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Run polls and fires timers until ctx is done; then it ends every stream
// with ReasonShutdown.
func (g *Guard) Run(ctx context.Context) {
	tick := time.NewTicker(g.interval)
	defer tick.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		g.mu.Lock()
		next := g.earliest()
		g.armed = next
		g.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if !next.IsZero() {
			timer.Reset(max(next.Sub(g.now()), 0))
		}
		select {
		case <-ctx.Done():
			g.shutdown()
			return
		case <-tick.C:
			g.poll(ctx)
		case <-g.wake:
			g.poll(ctx)
		case <-g.rearm:
		case <-timer.C:
			g.due()
		}
	}
}

func (g *Guard) shutdown() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	g.each(func(w *Watch) {
		w.end(ReasonShutdown, "the server is shutting down: reconnect with Last-Event-ID to resume")
	})
}

// each calls fn for every watch; g.mu must be held.
func (g *Guard) each(fn func(*Watch)) {
	for _, gr := range g.groups {
		for w := range gr.watches {
			fn(w)
		}
	}
	for w := range g.anon {
		fn(w)
	}
}

// earliest is the next instant the guard must act at; g.mu must be held.
func (g *Guard) earliest() time.Time {
	var t time.Time
	for _, gr := range g.groups {
		if !gr.next.IsZero() && (t.IsZero() || gr.next.Before(t)) {
			t = gr.next
		}
	}
	for _, tw := range g.tokens {
		if !tw.end.IsZero() && (t.IsZero() || tw.end.Before(t)) {
			t = tw.end
		}
	}
	return t
}

// poll looks at the two versions and acts on what changed.
func (g *Guard) poll(ctx context.Context) {
	if rv, err := g.store.RecordVersion(ctx); err != nil {
		g.log.Warn("push guard: reading the record version", "err", err)
	} else {
		g.mu.Lock()
		changed := rv != g.recVer
		g.mu.Unlock()
		if changed {
			if err := g.refresh(ctx); err != nil {
				g.log.Warn("push guard: reading the record", "err", err)
			} else {
				g.mu.Lock()
				g.recVer = rv
				now := g.now()
				for k, gr := range g.groups {
					g.checkGroup(k, gr, now)
				}
				g.mu.Unlock()
			}
		}
	}
	tv, err := g.store.TokenVersion(ctx)
	if err != nil {
		g.log.Warn("push guard: reading the token version", "err", err)
		return
	}
	g.mu.Lock()
	var ids []string
	for id, tw := range g.tokens {
		if tw.ver != tv {
			ids = append(ids, id)
		}
	}
	g.tokVer = tv
	g.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	// Read the tokens outside the lock: streams keep registering meanwhile.
	states := make(map[string]bloc.Token, len(ids))
	gone := make(map[string]bool)
	for _, id := range ids {
		t, err := g.store.Token(ctx, id)
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			gone[id] = true
			continue
		}
		if err != nil {
			g.log.Warn("push guard: reading a token", "token", id, "err", err)
			continue // read again at the next tick: its ver is not advanced
		}
		states[id] = t
	}
	g.mu.Lock()
	now := g.now()
	for id, tw := range g.tokens {
		if gone[id] {
			tw.ver = tv
			g.endToken(tw, ReasonTokenRevoked, "token "+id+" was removed")
			continue
		}
		if t, ok := states[id]; ok {
			tw.ver = tv
			tw.end, tw.reason = tokenEnd(t)
			g.checkToken(id, tw, now)
		}
	}
	g.mu.Unlock()
}

// due acts on every group and token whose instant has come.
func (g *Guard) due() {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for k, gr := range g.groups {
		if !gr.next.IsZero() && !now.Before(gr.next) {
			g.checkGroup(k, gr, now)
		}
	}
	for id, tw := range g.tokens {
		g.checkToken(id, tw, now)
	}
}

// checkGroup re-decides every stream of a group at now, ends those that
// may no longer read, and finds the group's next transition. g.mu held.
func (g *Guard) checkGroup(k groupKey, gr *group, now time.Time) {
	r, ok := g.cached(k.bloc)
	if !ok {
		// Not possible (a group's bloc stays held); decide at the next poll.
		g.log.Warn("push guard: no roster for a watched bloc", "bloc", k.bloc)
		return
	}
	pos := positionIn(r, k.party, now)
	for w := range gr.watches {
		if d := access.ReadCollection(readerOf(w.cred, pos), w.coll); !d.Allow {
			w.end(ReasonAccess, d.Reason)
		}
	}
	gr.next = nextIn(r, k.party, now)
}

// checkToken ends the streams of a token that has stopped working. g.mu held.
func (g *Guard) checkToken(id string, tw *tokenWatch, now time.Time) {
	if !tw.end.IsZero() && !now.Before(tw.end) {
		g.endToken(tw, tw.reason, tokenText(id, tw.reason, tw.end))
		tw.end = time.Time{}
	}
}

func (g *Guard) endToken(tw *tokenWatch, code, text string) {
	for w := range tw.watches {
		w.end(code, text)
	}
}

func tokenText(id, reason string, at time.Time) string {
	if reason == ReasonTokenExpired {
		return "token " + id + " expired at " + bloc.FormatInstant(at)
	}
	return "token " + id + " was revoked at " + bloc.FormatInstant(at)
}

// tokenEnd is when a token stops working and why (zero: not known to end).
func tokenEnd(t bloc.Token) (time.Time, string) {
	switch {
	case !t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || !t.ExpiresAt.Before(t.RevokedAt)):
		return t.RevokedAt, ReasonTokenRevoked
	case !t.ExpiresAt.IsZero():
		return t.ExpiresAt, ReasonTokenExpired
	}
	return time.Time{}, ""
}

// Register starts watching a stream of collection c by cred. It decides at
// once, with the bloc's roster (read now if the guard does not hold it),
// and refuses (with the reason) a stream that may not read c now.
func (g *Guard) Register(ctx context.Context, c bloc.Collection, cred auth.Credential) (*Watch, error) {
	w := &Watch{coll: c, cred: cred, ended: make(chan struct{})}
	g.mu.Lock()
	loaded := g.loaded
	g.mu.Unlock()
	if !loaded {
		return nil, bloc.Errorf(bloc.EINTERNAL, "push guard not loaded")
	}
	if !cred.Anonymous {
		if _, err := g.roster(ctx, c.Bloc); err != nil {
			return nil, err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return nil, bloc.Errorf(bloc.EINTERNAL, "the server is shutting down")
	}
	now := g.now()
	if cred.Anonymous {
		if d := access.ReadCollection(access.Reader{Anonymous: true}, c); !d.Allow {
			return nil, bloc.Errorf(bloc.EFORBIDDEN, "%s", d.Reason)
		}
		g.anon[w] = struct{}{}
		return w, nil
	}
	if end, reason := tokenEnd(cred.Token); !end.IsZero() && !now.Before(end) {
		return nil, bloc.Errorf(bloc.EUNAUTH, "%s", tokenText(cred.Token.ID, reason, end))
	}
	k := groupKey{c.Bloc, cred.Agency.Party}
	r, ok := g.cached(k.bloc)
	if !ok {
		return nil, bloc.Errorf(bloc.EINTERNAL, "push guard: no roster for bloc %q", k.bloc)
	}
	if d := access.ReadCollection(readerOf(cred, positionIn(r, k.party, now)), c); !d.Allow {
		return nil, bloc.Errorf(bloc.EFORBIDDEN, "%s", d.Reason)
	}
	gr := g.groups[k]
	if gr == nil {
		gr = &group{watches: make(map[*Watch]struct{}), next: nextIn(r, k.party, now)}
		g.groups[k] = gr
	}
	gr.watches[w] = struct{}{}
	tw := g.tokens[cred.Token.ID]
	if tw == nil {
		tw = &tokenWatch{watches: make(map[*Watch]struct{}), ver: -1}
		tw.end, tw.reason = tokenEnd(cred.Token)
		g.tokens[cred.Token.ID] = tw
	}
	tw.watches[w] = struct{}{}
	if g.sooner(gr.next) || g.sooner(tw.end) {
		select {
		case g.rearm <- struct{}{}:
		default:
		}
	}
	return w, nil
}

// sooner reports whether t is an instant before the one the timer is set
// for. g.mu held.
func (g *Guard) sooner(t time.Time) bool {
	return !t.IsZero() && (g.armed.IsZero() || t.Before(g.armed))
}

// Unregister stops watching w.
func (g *Guard) Unregister(w *Watch) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.cred.Anonymous {
		delete(g.anon, w)
		return
	}
	k := groupKey{w.coll.Bloc, w.cred.Agency.Party}
	if gr := g.groups[k]; gr != nil {
		delete(gr.watches, w)
		if len(gr.watches) == 0 {
			delete(g.groups, k)
		}
	}
	if tw := g.tokens[w.cred.Token.ID]; tw != nil {
		delete(tw.watches, w)
		if len(tw.watches) == 0 {
			delete(g.tokens, w.cred.Token.ID)
		}
	}
}

// Watching is the number of streams the guard watches.
func (g *Guard) Watching() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(g.anon)
	for _, gr := range g.groups {
		n += len(gr.watches)
	}
	return n
}

// readerOf is the access.Reader of cred with the standing pos, with the
// cause of the standing for denial reasons.
func readerOf(cred auth.Credential, pos standing.Position) access.Reader {
	if cred.Anonymous {
		return access.Reader{Anonymous: true}
	}
	return access.ReaderOf(cred.Agency, cred.Token.Role, pos)
}

// quickReader is readerOf without the cause, for CanRead on every event,
// where no reason is shown.
func quickReader(cred auth.Credential, pos standing.Position) access.Reader {
	if cred.Anonymous {
		return access.Reader{Anonymous: true}
	}
	return access.Reader{
		Agency: cred.Agency, Role: cred.Token.Role,
		Standing: pos.Standing, Certain: pos.Certain, Before: pos.Before, After: pos.After, Scope: pos.Scope,
	}
}
