package intake

// Mentions: the blocs and states a sentence names, found with the gazetteer.

type blocMention struct {
	start, end int // token range
	slug       string
	anaphor    bool // a description ("the organization") resolved to the last bloc
	text       string
}

type stateMention struct {
	start, end int
	code       string
	how        mentionHow
	text       string
	oblique    bool // after a preposition of place or company ("in Iraq", "with Finland")
}

// matchPhrase returns the longest gazetteer alias starting at token i and
// its length in tokens (0 when none).
func matchPhrase(toks []token, i int) (phrase, int) {
	var best phrase
	n := 0
	for _, p := range phrasesByFirst[toks[i].lower] {
		if len(p.words) <= n || i+len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p.words {
			t := toks[i+k]
			if (p.exact && t.text != w) || (!p.exact && t.lower != w) {
				ok = false
				break
			}
		}
		if ok {
			best, n = p, len(p.words)
		}
	}
	return best, n
}

// anaphorHeads are the nouns of bloc descriptions ("the Moscow-led bloc").
var anaphorHeads = map[string]bool{
	"organization": true, "organisation": true, "bloc": true, "alliance": true, "pact": true,
	"treaty": true, "group": true, "grouping": true, "association": true,
}

// matchAnaphor reads "the|its [modifier…] head" at i, where the modifiers
// are up to three lower-case or hyphenated words ("the post-Soviet security
// bloc", "the Moscow-led bloc"); it returns the length in tokens.
func matchAnaphor(toks []token, i int) int {
	if l := toks[i].lower; l != "the" && l != "its" && l != "this" {
		return 0
	}
	for k := i + 1; k < len(toks) && k <= i+4; k++ {
		t := toks[k]
		if anaphorHeads[t.lower] {
			// "the Treaty of Friendship" and other capitalised heads followed
			// by "of" are names, not descriptions.
			if k+1 < len(toks) && isCapital(t.text) {
				if n := toks[k+1]; n.lower == "of" || n.lower == "for" || n.lower == "on" || isCapital(n.text) {
					return 0
				}
			}
			return k - i + 1
		}
		if _, n := matchPhrase(toks, k); n > 0 {
			return 0
		}
		if !isModifier(t.text) {
			return 0
		}
	}
	return 0
}

func isModifier(w string) bool {
	if w == "" || !isWordRune([]rune(w)[0]) {
		return false
	}
	for _, r := range w {
		if r == '-' {
			return true // "Moscow-led", "post-Soviet", "six-nation"
		}
	}
	return !isCapital(w) && !stopModifiers[w]
}

// stopModifiers end a description: "the same group" is not a bloc.
var stopModifiers = map[string]bool{
	"same": true, "terrorist": true, "militant": true, "armed": true, "ethnic": true, "working": true,
	"contact": true, "expert": true, "parliamentary": true, "rebel": true, "extremist": true, "criminal": true,
	"radical": true, "other": true, "new": true, "first": true, "second": true, "pipeline": true, "trade": true,
}

// findMentions finds the blocs and states of a sentence. lastBloc is the
// bloc mentioned last before the sentence; it is updated as mentions are
// read, so "the organization" refers to the nearest bloc before it.
func findMentions(toks []token, lastBloc *string) ([]blocMention, []stateMention) {
	var bs []blocMention
	var ss []stateMention
	for i := 0; i < len(toks); {
		p, n := matchPhrase(toks, i)
		if an := matchAnaphor(toks, i); an > n {
			// The bloc named last; at the start of an article, the bloc the
			// same sentence names next ("which left the organisation …
			// the CSTO summit").
			ref := *lastBloc
			if ref == "" {
				ref = nextBloc(toks, i+an)
			}
			if ref != "" {
				bs = append(bs, blocMention{start: i, end: i + an, slug: ref, anaphor: true, text: joinTokens(toks[i : i+an])})
				i += an
				continue
			}
		}
		if n == 0 {
			i++
			continue
		}
		text := joinTokens(toks[i : i+n])
		switch {
		case p.bloc != "":
			bs = append(bs, blocMention{start: i, end: i + n, slug: p.bloc, text: text})
			*lastBloc = p.bloc
		case p.state != "":
			m := stateMention{start: i, end: i + n, code: p.state, how: p.how, text: text}
			prev := ""
			if i > 0 {
				prev = toks[i-1].lower
			}
			m.oblique = obliquePrepositions[prev]
			switch p.how {
			case byAdjective:
				// "the Uzbek government", "Uzbek Foreign Minister": the state acting.
				if i+n >= len(toks) || !governmentNouns[toks[i+n].lower] {
					i += n
					continue
				}
			case byCapital:
				// "signed in Tashkent" is a place; "Tashkent believes" a government.
				if placePrepositions[prev] {
					i += n
					continue
				}
			}
			ss = append(ss, m)
		}
		i += n
	}
	return bs, ss
}

func nextBloc(toks []token, from int) string {
	for k := from; k < len(toks); k++ {
		if p, n := matchPhrase(toks, k); n > 0 && p.bloc != "" {
			return p.bloc
		}
	}
	return ""
}

var obliquePrepositions = map[string]bool{
	"in": true, "at": true, "into": true, "near": true, "from": true, "to": true, "with": true,
	"against": true, "for": true, "on": true, "over": true, "towards": true, "toward": true, "between": true,
	"invaded": true, "than": true,
}

// stateGroup is a list of states named together ("Armenia, Kazakhstan …
// and Uzbekistan"): indices into a sentence's state mentions.
type stateGroup struct {
	members    []int
	start, end int // token range of the whole list
}

// listJoiners may stand between the items of a list.
var listJoiners = map[string]bool{",": true, "and": true, "&": true, "the": true, "as well as": true, "\u2014": true}

// groupStates joins adjacent state mentions into lists: items separated only
// by commas, "and", "as well as" or an article ("Poland, Hungary and the
// Czech Republic").
func groupStates(toks []token, ss []stateMention) []stateGroup {
	var gs []stateGroup
	for i, m := range ss {
		if len(gs) > 0 {
			g := &gs[len(gs)-1]
			if joinable(toks[g.end:m.start]) {
				g.members = append(g.members, i)
				g.end = m.end
				continue
			}
		}
		gs = append(gs, stateGroup{members: []int{i}, start: m.start, end: m.end})
	}
	return gs
}

func joinable(between []token) bool {
	if len(between) == 0 || len(between) > 4 {
		return false
	}
	for k := 0; k < len(between); k++ {
		l := between[k].lower
		if l == "as" && k+2 < len(between) && between[k+1].lower == "well" && between[k+2].lower == "as" {
			k += 2
			continue
		}
		if !listJoiners[l] {
			return false
		}
	}
	return true
}
