package intake

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// Proposal is a membership event an article states, proposed to the
// registrar with the sentence that states it.
type Proposal struct {
	Bloc  string    `json:"bloc"`
	Party string    `json:"party,omitempty"` // empty for bloc-level kinds
	Kind  bloc.Kind `json:"kind"`
	Date  bloc.Date `json:"date"` // Date.Precision is the precision
	// NewName is the name a renamed event gives the bloc, as written.
	NewName    string  `json:"new_name,omitempty"`
	Quote      string  `json:"quote"`      // the sentence stating it, exactly as in Article.Text
	Confidence float64 `json:"confidence"` // 0..1, from the rules that matched (see Reason)
	Reason     string  `json:"reason"`
	// Uncertain: the date's year was inferred (no publication date was
	// given), not stated.
	Uncertain bool `json:"uncertain,omitempty"`

	pos, order int // sentence position and order within it, for sorting
}

// sentence is one sentence of an article with everything found in it.
type sentence struct {
	text    string
	pos     int
	first   bool // in the lead or the first paragraph of the body
	toks    []token
	blocs   []blocMention
	states  []stateMention
	groups  []stateGroup
	dates   []dateMention
	trigs   []trigger
	clauses []int // clause index of each token
	speech  bool  // reported speech: a quote or a verb of saying
}

// Extract proposes the membership events an article states, in the order
// of the text. The headline is read for context (which bloc "the
// organization" is) but proposes nothing: headlines restate the body
// without dates. Events on the same bloc, party and kind whose dates agree
// (one window inside the other) are proposed once, at the most precise date.
func Extract(a Article) []Proposal {
	x := extractor{lastBloc: ""}
	x.ctx.ref, x.ctx.refUncertain = referenceDay(a)
	// The headline sets the scene.
	if a.Headline != "" {
		toks := tokenize(a.Headline)
		findMentions(toks, &x.lastBloc)
	}
	pos := 0
	var paras []string
	if a.Lead != "" {
		paras = append(paras, a.Lead)
	}
	nLead := len(paras)
	for _, p := range strings.Split(a.Body, "\n\n") {
		if strings.TrimSpace(p) != "" {
			paras = append(paras, p)
		}
	}
	for pi, p := range paras {
		for _, s := range splitSentences(span{text: p}) {
			pos++
			x.sentence(s.text, pos, pi <= nLead)
		}
	}
	return merge(x.out)
}

// referenceDay is the day relative dates ("on Friday", "today") count from:
// the dateline's day in the year of publication (the year before, if the
// dateline's day would fall after publication), else the publication day.
func referenceDay(a Article) (bloc.Date, bool) {
	if a.Published.IsZero() {
		return bloc.Date{}, false
	}
	pub := a.Published
	if pub.Precision != bloc.PrecisionDay {
		return bloc.Date{}, false
	}
	if i := strings.LastIndex(a.Dateline, ","); i >= 0 {
		if mo, d := monthDay(strings.TrimSpace(a.Dateline[i+1:])); mo > 0 {
			y := pub.Start.Year()
			if dt, ok := mkDay(y, monthOf(mo), d); ok {
				if dt.Start.After(pub.Start) {
					dt, ok = mkDay(y-1, monthOf(mo), d)
				}
				if ok {
					return dt, a.PublishedInferred
				}
			}
		}
	}
	return pub, a.PublishedInferred
}

type extractor struct {
	ctx      dateContext
	lastBloc string
	// Antecedents for "both countries" and "the country".
	lastPlural, lastSingle []string
	out                    []Proposal
}

func (x *extractor) sentence(text string, pos int, first bool) {
	s := &sentence{text: text, pos: pos, first: first, toks: tokenize(text)}
	s.blocs, s.states = findMentions(s.toks, &x.lastBloc)
	s.groups = groupStates(s.toks, s.states)
	s.dates = findDates(s.toks, &x.ctx)
	s.trigs = findTriggers(s.toks)
	s.clauses = clauses(s)
	s.speech = isSpeech(s)
	if len(s.trigs) == 0 {
		return
	}
	dateOf := assignDates(s)
	var prevParties []string
	prevBloc := ""
	lapsedParties := map[string]bool{}
	for ti, t := range s.trigs {
		p, ok := x.resolve(s, ti, t, dateOf[ti], prevParties, prevBloc, lapsedParties)
		if !ok {
			continue
		}
		for i := range p {
			p[i].pos, p[i].order = pos, ti*100+i
		}
		x.out = append(x.out, p...)
		if !p[0].Kind.BlocLevel() {
			parties := make([]string, len(p))
			for i := range p {
				parties[i] = p[i].Party
			}
			prevParties = parties
			if len(parties) > 1 {
				x.lastPlural = parties
			} else {
				x.lastSingle = parties
			}
		}
		prevBloc = p[0].Bloc
	}
}

// clauses numbers the clauses of a sentence: a new clause starts at ";",
// at a subordinating or coordinating word, and at "and" unless it joins the
// items of a list of states.
func clauses(s *sentence) []int {
	inGroup := make([]bool, len(s.toks))
	for _, g := range s.groups {
		for k := g.start; k < g.end; k++ {
			inGroup[k] = true
		}
	}
	for _, m := range s.states {
		for k := m.start; k < m.end; k++ {
			inGroup[k] = true
		}
	}
	for _, d := range s.dates {
		for k := d.start; k < d.end; k++ {
			inGroup[k] = true // "later that year" opens no clause
		}
	}
	for _, b := range s.blocs {
		for k := b.start; k < b.end; k++ {
			inGroup[k] = true // nor does the "and" of a name
		}
	}
	out := make([]int, len(s.toks))
	c := 0
	for i, t := range s.toks {
		if clauseWords[t.lower] && i > 0 && !inGroup[i] {
			c++
		}
		if t.lower == "and" && !inGroup[i] && i > 0 {
			c++
		}
		out[i] = c
	}
	return out
}

var clauseWords = map[string]bool{
	";": true, "but": true, "while": true, "whereas": true, "although": true, "though": true,
	"before": true, "after": true, "until": true, "when": true, "which": true, "who": true, "that": true,
	"because": true, "whose": true, "where": true,
}

// isSpeech: the sentence reports what someone said.
func isSpeech(s *sentence) bool {
	if strings.ContainsAny(s.text, "\"“”«»") {
		return true
	}
	for _, t := range s.toks {
		if speechVerbs[t.lower] {
			return true
		}
	}
	return strings.Contains(strings.ToLower(s.text), "according to")
}

var speechVerbs = map[string]bool{
	"said": true, "says": true, "told": true, "tells": true, "stated": true, "announced": true,
	"declared": true, "stressed": true, "added": true, "noted": true, "insisted": true, "emphasised": true,
	"emphasized": true, "explained": true, "remarked": true, "argued": true, "confirmed": true, "reiterated": true,
	"believes": true, "believe": true, "pointed": true, "underlined": true,
}

// assignDates gives each date of a sentence to one trigger: the nearest
// trigger before it in its clause, else the nearest after it in its clause
// ("In August 2006, Uzbekistan rejoined …"). A trigger then takes its first
// date after it, else its last date before it.
func assignDates(s *sentence) map[int]*dateMention {
	byTrig := map[int][]int{}
	for di, d := range s.dates {
		c := s.clauses[d.start]
		best := -1
		for ti, t := range s.trigs {
			if s.clauses[t.start] != c && s.clauses[t.end-1] != c {
				continue
			}
			if t.start < d.start {
				best = ti // the nearest before wins; keep scanning
			} else if best < 0 {
				best = ti
				break
			}
		}
		if best >= 0 {
			byTrig[best] = append(byTrig[best], di)
		}
	}
	out := map[int]*dateMention{}
	for ti, ds := range byTrig {
		t := s.trigs[ti]
		var pick *dateMention
		// A standing "since" a date prefers that date.
		for _, di := range ds {
			if s.dates[di].since && (t.since || t.kind == bloc.KindObserverFrom || t.kind == bloc.KindPartnerFrom) {
				pick = &s.dates[di]
				break
			}
		}
		if pick == nil {
			for _, di := range ds {
				if s.dates[di].start >= t.end {
					pick = &s.dates[di]
					break
				}
			}
		}
		if pick == nil {
			pick = &s.dates[ds[len(ds)-1]]
		}
		out[ti] = pick
	}
	// A date that opens the sentence before any trigger or state ("On April
	// 2, 1999, …") holds for every trigger of the sentence without its own.
	if len(s.dates) > 0 {
		d := s.dates[0]
		opening := d.start <= 2 && (len(s.states) == 0 || s.states[0].start > d.start) && s.trigs[0].start > d.start
		if opening {
			for ti := range s.trigs {
				if out[ti] == nil {
					dd := d
					dd.inherited = true
					out[ti] = &dd
				}
			}
		}
	}
	return out
}

// mood words around a trigger.
var (
	negations = map[string]bool{"not": true, "n't": true, "never": true, "no": true, "nor": true, "neither": true}
	// positionCues turn a negation into a stated position: "sees no need
	// to", "has no plans to", "will not", "refuses to".
	positionCues = map[string]bool{
		"need": true, "needs": true, "plan": true, "plans": true, "intention": true, "intend": true,
		"intends": true, "want": true, "wants": true, "wish": true, "will": true, "would": true, "wo": true,
		"going": true, "see": true, "sees": true, "desire": true, "question": true, "reason": true,
	}
	refusals = map[string]bool{"refuses": true, "refused": true, "rejects": true, "rejected": true, "declined": true, "declines": true}
	modals   = map[string]bool{
		"may": true, "might": true, "could": true, "would": true, "should": true, "will": true, "shall": true,
		"can": true, "must": true, "to": true, "if": true, "unless": true, "whether": true, "expected": true,
		"likely": true, "unlikely": true, "plans": true, "hopes": true, "wants": true, "seeks": true,
		"intends": true, "aims": true, "ready": true, "considering": true, "considers": true, "bid": true,
		"hope": true, "applied": true, "application": true, "invited": true, "invitation": true, "set": true,
	}
	// windowStops end the look-back for mood words.
	windowStops = map[string]bool{",": true, ";": true, "that": true, "which": true, "who": true, "and": true, "but": true, "said": true}
	// skipBack are the words between a subject and its verb.
	skipBack = map[string]bool{
		"has": true, "have": true, "had": true, "was": true, "were": true, "is": true, "are": true, "been": true,
		"be": true, "formally": true, "officially": true, "also": true, "again": true, "later": true, "then": true,
		"finally": true, "eventually": true, "subsequently": true, "itself": true, "already": true, "not": true,
		"never": true, "n't": true, "did": true, "does": true, "do": true, "effectively": true, "quickly": true,
		"once": true, "too": true, "all": true, "jointly": true, "together": true, "simultaneously": true,
		"de": true, "facto": true, "unilaterally": true, "voluntarily": true, "to": true, "now": true, "today": true,
	}
)

// mood reads the words before a trigger (back to a comma or a clause word):
// whether it is negated, hedged (a modal, "applied to", "to"), and whether
// the negation states a position.
func mood(s *sentence, t trigger) (negated, hedged, position bool) {
	for k := t.start - 1; k >= 0 && k >= t.start-6; k-- {
		l := s.toks[k].lower
		if windowStops[l] {
			break
		}
		if negations[l] {
			negated = true
		}
		if refusals[l] || (l == "out" && k > 0 && strings.HasPrefix(s.toks[k-1].lower, "rule")) {
			negated, position = true, true
		}
		if positionCues[l] {
			position = true
		}
		if modals[l] {
			hedged = true
		}
	}
	return
}

// resolve turns one trigger into proposals, or none.
func (x *extractor) resolve(s *sentence, ti int, t trigger, d *dateMention, prevParties []string, prevBloc string, lapsed map[string]bool) ([]Proposal, bool) {
	negated, hedged, position := mood(s, t)
	var why []string
	conf := 0.9
	kind := t.kind
	why = append(why, fmt.Sprintf("cue %q", t.cue))
	if t.follow {
		last := x.lastEvent()
		if last == nil || negated || hedged {
			return nil, false
		}
		kind, prevBloc = last.Kind, last.Bloc
		why = append(why, fmt.Sprintf("same event as before (%s %s)", last.Kind, last.Bloc))
		conf = 0.75
	}

	// A refusal to renew a treaty: "did not sign a protocol on renewing the
	// treaty", "did not renew", "declined to extend".
	if t.lapse || kind == bloc.KindSigned {
		if negated && (t.lapse || renewalIn(s, t)) {
			kind, negated, hedged = bloc.KindLapsed, false, false
			t.form, t.need = finite, needNothing
			why = append(why, "refusal to renew → lapsed")
			conf = 0.85
		} else if t.lapse {
			return nil, false
		}
	}

	statement := kind == bloc.KindStatement
	switch {
	case negated && position:
		// "sees no need to rejoin", "has no plans to leave", "will not join":
		// a position, recorded as a statement — never as the event itself.
		if !s.speech && (d == nil || d.relative) {
			return nil, false
		}
		statement = true
		why = append(why, "negated with a stated position → statement")
		conf = 0.75
	case negated:
		return nil, false // "never became a full member": states no event
	case hedged:
		return nil, false // "may join", "applied to join", "is expected to join"
	case t.form == base:
		// A bare base form reports a fact only right after its subject
		// ("Finland and Sweden join NATO").
		if !(t.start > 0 && endsStateAt(s, t.start)) {
			return nil, false
		}
	case t.form == gerund:
		return nil, false
	}
	if statement && kind != bloc.KindStatement {
		kind = bloc.KindStatement
	}
	if t.form == noun && !statement {
		conf -= 0.15
	}

	// What the trigger needs nearby.
	objBloc, objOK := blocAfter(s, t)
	subjBloc, subjIsBloc := blocBefore(s, t)
	need := t.need
	if statement && need != needMembership {
		need = needNothing // a position names its bloc anywhere ("no plans to rejoin")
	}
	switch need {
	case needBlocObject:
		if !objOK && !bareBefore(s, t) && t.form != noun {
			return nil, false
		}
	case needBlocNear:
		if !(objOK && objBloc.start <= t.end+1) && !subjIsBloc {
			return nil, false
		}
	case needMembership:
		if !membershipAfter(s, t) {
			return nil, false
		}
	case needBlocSubject:
		if !subjIsBloc && !(t.form == noun && objOK) {
			return nil, false
		}
	}

	// The bloc.
	var bm *blocMention
	switch {
	case kind == bloc.KindRenamed || kind == bloc.KindDissolved:
		if subjIsBloc {
			bm = subjBloc
		} else if objOK {
			bm = objBloc
		}
	case objOK:
		bm = objBloc
	case subjIsBloc:
		bm = subjBloc
	}
	blocSlug := ""
	if bm != nil {
		blocSlug = bm.slug
		why = append(why, fmt.Sprintf("bloc %q", bm.text))
		if bm.anaphor {
			conf -= 0.05
		}
	} else if t.follow && prevBloc != "" {
		blocSlug = prevBloc
	} else if nb := nearestBloc(s, t); nb != nil {
		blocSlug = nb.slug
		why = append(why, fmt.Sprintf("bloc %q in the sentence", nb.text))
		conf -= 0.1
	} else if prevBloc != "" {
		blocSlug = prevBloc
		why = append(why, "bloc of the previous event")
		conf -= 0.1
	} else if x.lastBloc != "" {
		blocSlug = x.lastBloc
		why = append(why, fmt.Sprintf("bloc %s mentioned last", x.lastBloc))
		conf -= 0.15
	}
	if blocSlug == "" {
		return nil, false
	}

	// The date.
	var date bloc.Date
	uncertain := false
	switch {
	case d != nil:
		date, uncertain = d.date, d.uncertain
		why = append(why, fmt.Sprintf("date %q", d.text))
		if d.relative {
			conf -= 0.05
		}
		if d.inherited {
			conf -= 0.05
		}
	case statement && s.speech && !x.ctx.ref.IsZero():
		// A position said in the article is dated by the article.
		date, uncertain = x.ctx.ref, x.ctx.refUncertain
		why = append(why, "dated by the dateline")
		conf -= 0.05
	case !statement && s.first && t.form == finite && presentTense(s, t) && !x.ctx.ref.IsZero():
		date, uncertain = x.ctx.ref, x.ctx.refUncertain
		why = append(why, "news of the day: dated by the dateline")
		conf -= 0.25
	default:
		return nil, false
	}
	if t.since && (d == nil || !d.since) {
		return nil, false // "are members" with no "since": no date of entry
	}
	if uncertain {
		conf -= 0.2
		why = append(why, "year inferred")
	}

	mk := func(party string) Proposal {
		return Proposal{Bloc: blocSlug, Party: party, Kind: kind, Date: date, Quote: s.text,
			Confidence: round2(conf), Reason: strings.Join(why, "; "), Uncertain: uncertain}
	}
	if kind == bloc.KindRenamed || kind == bloc.KindDissolved {
		if bm == nil {
			return nil, false
		}
		p := mk("")
		if kind == bloc.KindRenamed && objOK && objBloc != subjBloc {
			p.NewName = strings.TrimPrefix(objBloc.text, "the ")
		}
		return []Proposal{p}, true
	}

	// The parties.
	parties, how := x.parties(s, t, prevParties, statement)
	if len(parties) == 0 {
		return nil, false
	}
	if how != "subject" {
		conf -= 0.05
	}
	why = append(why, fmt.Sprintf("parties %s (%s)", strings.Join(parties, ", "), how))
	var out []Proposal
	for _, party := range parties {
		if kind == bloc.KindWithdrew && lapsed[party] {
			continue // "did not sign … and quit the organization": the quitting is the lapse
		}
		if kind == bloc.KindLapsed {
			lapsed[party] = true
		}
		p := mk(party)
		p.Confidence = round2(conf)
		p.Reason = strings.Join(why, "; ")
		out = append(out, p)
	}
	return out, len(out) > 0
}

// lastEvent is the last party event proposed so far in the article.
func (x *extractor) lastEvent() *Proposal {
	for i := len(x.out) - 1; i >= 0; i-- {
		if !x.out[i].Kind.BlocLevel() && x.out[i].Kind != bloc.KindStatement {
			return &x.out[i]
		}
	}
	return nil
}

func round2(f float64) float64 {
	if f < 0.05 {
		f = 0.05
	}
	return float64(int(f*100+0.5)) / 100
}

// renewalIn: the clause of a negated "sign" speaks of renewing or extending.
func renewalIn(s *sentence, t trigger) bool {
	c := s.clauses[t.start]
	for k := t.end; k < len(s.toks) && s.clauses[k] <= c+1; k++ {
		l := s.toks[k].lower
		if strings.HasPrefix(l, "renew") || strings.HasPrefix(l, "prolong") || strings.HasPrefix(l, "extend") || strings.HasPrefix(l, "extension") {
			return true
		}
	}
	return false
}

// presentTense: "has joined", "joins", "becomes" — news of the day.
func presentTense(s *sentence, t trigger) bool {
	l := s.toks[t.start].lower
	if strings.HasSuffix(l, "s") && !strings.HasSuffix(l, "ss") {
		return true
	}
	for k := t.start - 1; k >= 0 && k >= t.start-3; k-- {
		switch s.toks[k].lower {
		case "has", "have":
			return true
		case "had", "was", "were":
			return false
		}
	}
	return false
}

// endsStateAt: a state mention ends right before token i.
func endsStateAt(s *sentence, i int) bool {
	for _, m := range s.states {
		if m.end == i {
			return true
		}
	}
	return false
}

// blocAfter finds the bloc a trigger acts on: the first bloc mention after
// it in its clause, reached over at most a few words ("withdrew from the
// organization", "became the 30th member of the North Atlantic Alliance").
func blocAfter(s *sentence, t trigger) (*blocMention, bool) {
	c := s.clauses[t.end-1]
	for i := range s.blocs {
		b := &s.blocs[i]
		if b.start < t.end {
			continue
		}
		if b.start-t.end > 5 {
			return nil, false
		}
		if b.end < len(s.toks) && s.toks[b.end].lower == "'s" {
			return nil, false // "left NATO's integrated command": NATO owns the object
		}
		for k := t.end; k < b.start; k++ {
			if s.clauses[k] != c || s.toks[k].text == "," {
				return nil, false
			}
			for _, d := range s.dates {
				if k >= d.start && k < d.end {
					return nil, false
				}
			}
		}
		return b, true
	}
	return nil, false
}

// blocBefore finds a bloc as the trigger's subject: a bloc mention ending
// right before it, over auxiliaries and adverbs ("the pact was signed", "The
// Shanghai Cooperation Organisation admitted"), or a "Treaty signed by".
func blocBefore(s *sentence, t trigger) (*blocMention, bool) {
	k := t.start - 1
	for k >= 0 && (skipBack[s.toks[k].lower] || s.toks[k].text == ",") {
		k--
	}
	for i := range s.blocs {
		if s.blocs[i].end == k+1 {
			return &s.blocs[i], true
		}
	}
	return nil, false
}

// bareBefore: a verb that needs a bloc object may stand without one when a
// date or the end of the clause follows ("and left in 2005").
func bareBefore(s *sentence, t trigger) bool {
	if t.end >= len(s.toks) {
		return true
	}
	for _, d := range s.dates {
		if d.start == t.end || (d.start == t.end+1 && dateLeads[s.toks[t.end].lower]) {
			return true
		}
	}
	n := s.toks[t.end].lower
	return n == "." || n == ";"
}

var dateLeads = map[string]bool{"in": true, "on": true, ",": true, "since": true, "from": true}

// isPassive: "was signed", "were admitted", or a participle right after its
// bloc ("the Collective Security Treaty signed by …").
func isPassive(s *sentence, t trigger) bool {
	k := t.start - 1
	for k >= 0 && (s.toks[k].lower == "formally" || s.toks[k].lower == "officially" || s.toks[k].lower == "jointly" || s.toks[k].lower == "originally") {
		k--
	}
	if k < 0 {
		return false
	}
	switch s.toks[k].lower {
	case "was", "were", "been", "is", "are", "be", "being":
		return true
	}
	for _, b := range s.blocs {
		if b.end == k+1 || (s.toks[k].text == "," && b.end == k) {
			return true
		}
	}
	return false
}

// membershipAfter: "suspended its participation", "froze its membership in".
func membershipAfter(s *sentence, t trigger) bool {
	for k := t.end; k < len(s.toks) && k <= t.end+3; k++ {
		switch s.toks[k].lower {
		case "participation", "membership", "activities", "activity", "involvement":
			return true
		}
	}
	// Passive: "Uzbekistan's membership was suspended".
	for k := t.start - 1; k >= 0 && k >= t.start-3; k-- {
		if s.toks[k].lower == "membership" || s.toks[k].lower == "participation" {
			return true
		}
	}
	return false
}

// nearestBloc is the bloc mention of the sentence closest to the trigger.
func nearestBloc(s *sentence, t trigger) *blocMention {
	var best *blocMention
	bestD := 1 << 30
	for i := range s.blocs {
		b := &s.blocs[i]
		d := b.start - t.end
		if b.end <= t.start {
			d = t.start - b.end
		}
		if d < 0 {
			d = 0
		}
		if d < bestD {
			best, bestD = b, d
		}
	}
	return best
}

// parties finds who a trigger is about, and says how:
//   - "agent": the states after "by" in a passive ("signed by the heads of …");
//   - "possessor": "Tirana's exit", "the admission of Belarus";
//   - "subject": the list right before the verb;
//   - "object": after the verb when a bloc is the subject ("admitted Belarus");
//   - "relative": the list before "which"/"who"/"that";
//   - "antecedent": "both countries", "the country";
//   - "earlier": the nearest list before the trigger in the sentence, or
//     the parties of the sentence's previous event.
//
// "alongside", "along with" and "together with" add a list after the verb.
func (x *extractor) parties(s *sentence, t trigger, prev []string, statement bool) ([]string, string) {
	codes := func(g stateGroup) []string {
		var out []string
		for _, i := range g.members {
			out = append(out, s.states[i].code)
		}
		return out
	}
	c := s.clauses[t.start]
	withCompanions := func(ps []string, how string) ([]string, string) {
		for k := t.end; k+1 < len(s.toks) && s.clauses[k] <= c+1; k++ {
			l := s.toks[k].lower
			if l == "alongside" || ((l == "along" || l == "together") && s.toks[k+1].lower == "with") {
				for _, g := range s.groups {
					if g.start > k && g.start <= k+4 {
						ps = append(ps, codes(g)...)
						break
					}
				}
				break
			}
		}
		return dedupe(ps), how
	}
	// Passive agent.
	for k := t.end; isPassive(s, t) && k < len(s.toks) && k <= t.end+12; k++ {
		if s.clauses[k] != s.clauses[t.end-1] && s.toks[k].lower != "and" {
			break
		}
		if l := s.toks[k].lower; strings.HasSuffix(l, "ed") && !isCapital(s.toks[k].text) {
			break // another verb: "… at a summit chaired by India"
		}
		if s.toks[k].lower == "by" {
			for _, g := range s.groups {
				if g.start > k && g.start <= k+6 && !blocBetween(s, k, g.start) {
					return withCompanions(codes(g), "agent")
				}
			}
			break
		}
	}
	// Possessor of a noun: "Tirana's exit", "Montenegro's accession".
	if t.form == noun {
		if t.start >= 2 && s.toks[t.start-1].lower == "'s" {
			for _, m := range s.states {
				if m.end == t.start-1 {
					return []string{m.code}, "possessor"
				}
			}
		}
		if t.end+1 < len(s.toks) && s.toks[t.end].lower == "of" {
			for _, g := range s.groups {
				if g.start == t.end+1 {
					return codes(g), "possessor"
				}
			}
		}
		return nil, ""
	}
	// Subject: back over auxiliaries and adverbs (and for a standing, over
	// "held observer status as an").
	standing := t.kind == bloc.KindObserverFrom || t.kind == bloc.KindPartnerFrom
	k := t.start - 1
	for k >= 0 && (skipBack[s.toks[k].lower] || s.toks[k].text == "," || s.toks[k].text == "\u2014" || s.toks[k].text == "-" ||
		(standing && (beForms[s.toks[k].lower] || s.toks[k].lower == "as" || s.toks[k].lower == "an" || s.toks[k].lower == "a" || s.toks[k].lower == "dialogue"))) {
		k--
	}
	if k >= 0 {
		for _, g := range s.groups {
			if g.end == k+1 {
				return withCompanions(codes(g), "subject")
			}
		}
		for _, b := range s.blocs {
			if b.end == k+1 {
				// A bloc acts on the states after the verb: "admitted Belarus".
				for _, g := range s.groups {
					if g.start >= t.end && g.start <= t.end+3 {
						return codes(g), "object"
					}
				}
				return nil, ""
			}
		}
		switch l := s.toks[k].lower; l {
		case "which", "who", "that":
			j := k - 1
			for j >= 0 && s.toks[j].text == "," {
				j--
			}
			for _, g := range s.groups {
				if g.end == j+1 && !s.states[g.members[0]].oblique {
					return withCompanions(codes(g), "relative")
				}
			}
		case "countries", "states", "they", "both", "nations":
			if len(x.lastPlural) > 0 && (l == "they" || (k > 0 && pluralDeterminers[s.toks[k-1].lower]) || l == "both") {
				return withCompanions(append([]string(nil), x.lastPlural...), "antecedent")
			}
		case "country", "republic":
			if len(x.lastSingle) > 0 && k > 0 && s.toks[k-1].lower == "the" {
				return withCompanions(append([]string(nil), x.lastSingle...), "antecedent")
			}
		}
	}
	// The nearest list before the trigger in the sentence.
	for i := len(s.groups) - 1; i >= 0; i-- {
		g := s.groups[i]
		if g.end <= t.start && !s.states[g.members[0]].oblique {
			return withCompanions(codes(g), "earlier in the sentence")
		}
	}
	if len(prev) > 0 {
		return withCompanions(append([]string(nil), prev...), "previous event")
	}
	if statement {
		// "no need for Uzbekistan to rejoin", "restoring Uzbekistan's membership".
		for _, m := range s.states {
			if m.how == byName || m.how == byCapital {
				return []string{m.code}, "named in the sentence"
			}
		}
	}
	return nil, ""
}

var pluralDeterminers = map[string]bool{"both": true, "two": true, "these": true, "the": true, "three": true, "all": true}

func blocBetween(s *sentence, a, b int) bool {
	for _, m := range s.blocs {
		if m.start > a && m.start < b {
			return true
		}
	}
	return false
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// merge proposes each event once: proposals of the same bloc, party and
// kind whose date windows nest are one event, kept at the most precise date
// (and, at equal precision, the first statement of it).
func merge(ps []Proposal) []Proposal {
	var out []Proposal
	for _, p := range ps {
		dup := false
		for i := range out {
			q := &out[i]
			if q.Bloc != p.Bloc || q.Party != p.Party || q.Kind != p.Kind {
				continue
			}
			if nests(q.Date, p.Date) {
				if precisionRank(p.Date.Precision) > precisionRank(q.Date.Precision) {
					*q = p
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].pos != out[j].pos {
			return out[i].pos < out[j].pos
		}
		return out[i].order < out[j].order
	})
	return out
}

func nests(a, b bloc.Date) bool {
	return (!b.Start.Before(a.Start) && !b.End().After(a.End())) || (!a.Start.Before(b.Start) && !a.End().After(b.End()))
}

func precisionRank(p bloc.Precision) int {
	switch p {
	case bloc.PrecisionYear:
		return 1
	case bloc.PrecisionMonth:
		return 2
	case bloc.PrecisionDay:
		return 3
	}
	return 4
}

func monthOf(m int) time.Month { return time.Month(m) }
