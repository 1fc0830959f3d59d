package intake

import "github.com/blocsec/bloc"

// Triggers: the words that state a membership event, with their grammatical
// form, which decides whether they report a fact ("joined"), a possibility
// ("may join") or nothing ("applied to join").

type form int

const (
	finite form = iota // joined, joins, has joined, was admitted
	base               // join (after "to", a modal or "did not")
	gerund             // joining, restoring
	noun               // accession, withdrawal, exit
)

// need says what a trigger needs around it to count.
type need int

const (
	needNothing     need = iota
	needBlocObject       // "left the CSTO", "quit the organization"; or a bare verb before a date
	needBlocNear         // "signed the pact", "the Treaty signed by", "the bloc was set up"
	needMembership       // "suspended its participation", "froze its membership"
	needBlocSubject      // "the pact was dissolved", "ceased to exist"
)

type verb struct {
	kind bloc.Kind
	form form
	need need
}

// verbs maps a word to what it states. Multi-word cues (became … member,
// pulled out, set up, ceased to exist, observer status) are read in code.
var verbs = map[string]verb{}

func addVerbs(k bloc.Kind, n need, finites, bases, gerunds, nouns []string) {
	for _, w := range finites {
		verbs[w] = verb{k, finite, n}
	}
	for _, w := range bases {
		verbs[w] = verb{k, base, n}
	}
	for _, w := range gerunds {
		verbs[w] = verb{k, gerund, n}
	}
	for _, w := range nouns {
		verbs[w] = verb{k, noun, n}
	}
}

func init() {
	addVerbs(bloc.KindAcceded, needBlocObject,
		[]string{"joined", "joins", "rejoined", "rejoins", "re-joined", "re-joins", "acceded", "accedes"},
		[]string{"join", "rejoin", "re-join", "accede"},
		[]string{"joining", "rejoining", "re-joining", "acceding"},
		[]string{"accession", "admission", "readmission", "entry"})
	addVerbs(bloc.KindAcceded, needNothing,
		[]string{"admitted", "admits", "readmitted"}, []string{"admit", "readmit"}, []string{"admitting"}, nil)
	addVerbs(bloc.KindWithdrew, needBlocObject,
		[]string{"withdrew", "withdrawn", "withdraws", "left", "leaves", "quit", "quits", "exited", "exits"},
		[]string{"withdraw", "leave", "exit"},
		[]string{"withdrawing", "leaving", "quitting", "exiting"},
		[]string{"withdrawal", "exit", "departure"})
	addVerbs(bloc.KindExpelled, needNothing,
		[]string{"expelled", "expels"}, []string{"expel"}, []string{"expelling"}, []string{"expulsion"})
	addVerbs(bloc.KindSuspended, needMembership,
		[]string{"suspended", "suspends"}, []string{"suspend"}, []string{"suspending"}, []string{"suspension"})
	addVerbs(bloc.KindResumed, needMembership,
		[]string{"resumed", "resumes"}, []string{"resume"}, []string{"resuming"}, nil)
	// A freeze is a political statement, not a change of standing (see
	// shared/data/README.md on Armenia's 2024 "freeze").
	addVerbs(bloc.KindStatement, needMembership,
		[]string{"froze", "frozen", "freezes"}, []string{"freeze"}, []string{"freezing"}, nil)
	addVerbs(bloc.KindSigned, needBlocNear,
		[]string{"signed", "signs", "founded", "co-founded", "established", "created", "formed"},
		[]string{"sign", "establish", "create"},
		[]string{"signing"}, nil)
	addVerbs(bloc.KindDissolved, needBlocSubject,
		[]string{"dissolved", "disbanded", "dissolves", "disbands"}, []string{"dissolve", "disband"},
		[]string{"dissolving", "disbanding"}, []string{"dissolution"})
	addVerbs(bloc.KindRenamed, needBlocSubject,
		[]string{"renamed", "renames"}, []string{"rename"}, []string{"renaming"}, nil)
}

// trigger is one cue found in a sentence.
type trigger struct {
	kind       bloc.Kind
	form       form
	need       need
	start, end int    // token range of the cue
	cue        string // the words, for the reason
	// lapse: a refusal to renew ("did not sign a protocol on renewing").
	lapse bool
	// since: a standing that holds "since" a date ("members since 2009").
	since bool
	// follow: the same event as the one before, for another party ("Pakistan
	// followed a day later", "Mongolia received the same status in 2004").
	follow bool
}

var beForms = map[string]bool{
	"be": true, "been": true, "is": true, "are": true, "was": true, "were": true, "being": true,
	"has": true, "have": true, "had": true, "held": true, "holds": true, "hold": true, "holding": true,
	"became": true, "become": true, "becomes": true, "becoming": true, "remained": true, "remains": true,
	"granted": true, "received": true, "gained": true, "given": true, "obtained": true, "got": true,
}

// findTriggers finds the cues of a sentence, left to right.
func findTriggers(toks []token) []trigger {
	var out []trigger
	at := func(k int) string {
		if k >= 0 && k < len(toks) {
			return toks[k].lower
		}
		return ""
	}
	for i := 0; i < len(toks); i++ {
		l := toks[i].lower
		// became / becomes / has become … member | observer | partner
		if l == "became" || l == "becomes" || l == "become" || l == "becoming" {
			f := finite
			if l == "become" {
				f = base
			} else if l == "becoming" {
				f = gerund
			}
			for k := i + 1; k < len(toks) && k <= i+6; k++ {
				var kind bloc.Kind
				switch toks[k].lower {
				case "member", "members", "member-state", "member-states":
					kind = bloc.KindAcceded
				case "observer", "observers":
					kind = bloc.KindObserverFrom
				case "partner", "partners":
					kind = bloc.KindPartnerFrom
				}
				if kind != "" {
					out = append(out, trigger{kind: kind, form: f, start: i, end: k + 1, cue: joinTokens(toks[i : k+1])})
					i = k
					break
				}
				if toks[k].text == "," || toks[k].lower == "of" {
					break
				}
			}
			continue
		}
		// "observer status", "as an observer", "observers since 2005".
		if l == "observer" || l == "observers" {
			out = append(out, trigger{kind: bloc.KindObserverFrom, form: finite, start: i, end: i + 1, cue: toks[i].text})
			continue
		}
		// "dialogue partner", "partner status".
		if (l == "partner" || l == "partners") && (at(i-1) == "dialogue" || at(i+1) == "status") {
			start := i
			if at(i-1) == "dialogue" {
				start = i - 1
			}
			out = append(out, trigger{kind: bloc.KindPartnerFrom, form: finite, start: start, end: i + 1, cue: joinTokens(toks[start : i+1])})
			continue
		}
		// "have been members since 2009": a be-form before "member(s)".
		if (l == "member" || l == "members") && beForms[at(i-1)] && at(i-1) != "became" {
			out = append(out, trigger{kind: bloc.KindAcceded, form: finite, start: i - 1, end: i + 1, since: true, cue: joinTokens(toks[i-1 : i+1])})
			continue
		}
		if (l == "member" || l == "members") && (at(i-1) == "a" || at(i-1) == "full") && beForms[at(i-2)] {
			out = append(out, trigger{kind: bloc.KindAcceded, form: finite, start: i - 2, end: i + 1, since: true, cue: joinTokens(toks[i-2 : i+1])})
			continue
		}
		// "restored its membership", "restoring Uzbekistan's membership".
		if l == "restored" || l == "restore" || l == "restores" || l == "restoring" {
			for k := i + 1; k < len(toks) && k <= i+4; k++ {
				if toks[k].lower == "membership" {
					f := map[string]form{"restored": finite, "restores": finite, "restore": base, "restoring": gerund}[l]
					out = append(out, trigger{kind: bloc.KindAcceded, form: f, start: i, end: k + 1, cue: joinTokens(toks[i : k+1])})
					i = k
					break
				}
			}
			continue
		}
		// "pulled out of", "set up", "ceased to exist", "changed its name".
		if (l == "pulled" || l == "pulls" || l == "pull" || l == "pulling") && at(i+1) == "out" {
			f := map[string]form{"pulled": finite, "pulls": finite, "pull": base, "pulling": gerund}[l]
			out = append(out, trigger{kind: bloc.KindWithdrew, form: f, need: needBlocObject, start: i, end: i + 2, cue: joinTokens(toks[i : i+2])})
			i++
			continue
		}
		if (l == "set" || l == "sets") && at(i+1) == "up" {
			out = append(out, trigger{kind: bloc.KindSigned, form: finite, need: needBlocNear, start: i, end: i + 2, cue: joinTokens(toks[i : i+2])})
			i++
			continue
		}
		if (l == "ceased" || l == "ceases") && at(i+1) == "to" && at(i+2) == "exist" {
			out = append(out, trigger{kind: bloc.KindDissolved, form: finite, need: needBlocSubject, start: i, end: i + 3, cue: joinTokens(toks[i : i+3])})
			i += 2
			continue
		}
		if (l == "changed" || l == "changes") && (at(i+1) == "its" || at(i+1) == "their") && at(i+2) == "name" {
			out = append(out, trigger{kind: bloc.KindRenamed, form: finite, need: needBlocSubject, start: i, end: i + 3, cue: joinTokens(toks[i : i+3])})
			i += 2
			continue
		}
		// "X followed in May 1955": the previous event, for X. Only before a
		// date or at the end of a clause ("followed years of estrangement"
		// is not an event).
		if l == "followed" || l == "follows" {
			out = append(out, trigger{form: finite, need: needBlocObject, start: i, end: i + 1, follow: true, cue: toks[i].text})
			continue
		}
		if (l == "received" || l == "obtained" || l == "gained" || l == "got" || l == "granted" || l == "given") &&
			at(i+1) == "the" && at(i+2) == "same" && at(i+3) == "status" {
			out = append(out, trigger{form: finite, start: i, end: i + 4, follow: true, cue: joinTokens(toks[i : i+4])})
			i += 3
			continue
		}
		// "returned to the CSTO" (needs the bloc right after; checked later).
		if (l == "returned" || l == "returns") && at(i+1) == "to" {
			out = append(out, trigger{kind: bloc.KindAcceded, form: finite, need: needBlocObject, start: i, end: i + 2, cue: joinTokens(toks[i : i+2])})
			i++
			continue
		}
		// Refusals to renew: "did not renew", "did not sign a protocol on
		// renewing", "failed to extend".
		if l == "renew" || l == "renewed" || l == "extend" || l == "extended" || l == "prolong" || l == "prolonged" {
			out = append(out, trigger{kind: bloc.KindLapsed, form: base, start: i, end: i + 1, lapse: true, cue: toks[i].text})
			continue
		}
		if v, ok := verbs[l]; ok {
			// "exit" and "entry" are nouns unless a state acts ("Iran's entry").
			out = append(out, trigger{kind: v.kind, form: v.form, need: v.need, start: i, end: i + 1, cue: toks[i].text})
		}
	}
	return out
}
