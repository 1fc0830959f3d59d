package standing

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
)

// priors sets up each standing a party can have before the event under test
// (at 2005-06-01) in bloc x. "observer*" and "partner*" were members once.
var priors = []struct {
	name    string
	history []bloc.Record
	since   string // the standing phrase refusals give
}{
	{"none", nil, "no standing"},
	{"member", []bloc.Record{rec("x", "AAA", bloc.KindAcceded, "2000-01-01")}, "member since 2000-01-01"},
	{"suspended", []bloc.Record{rec("x", "AAA", bloc.KindAcceded, "2000-01-01"), rec("x", "AAA", bloc.KindSuspended, "2001-01-01")}, "suspended since 2001-01-01"},
	{"former", []bloc.Record{rec("x", "AAA", bloc.KindAcceded, "2000-01-01"), rec("x", "AAA", bloc.KindWithdrew, "2001-01-01")}, "former member since 2001-01-01"},
	{"observer", []bloc.Record{rec("x", "AAA", bloc.KindObserverFrom, "2000-01-01")}, "observer since 2000-01-01"},
	{"observer*", []bloc.Record{rec("x", "AAA", bloc.KindAcceded, "2000-01-01"), rec("x", "AAA", bloc.KindLapsed, "2001-01-01"), rec("x", "AAA", bloc.KindObserverFrom, "2002-01-01")}, "observer since 2002-01-01"},
	{"partner", []bloc.Record{withScope(rec("x", "AAA", bloc.KindPartnerFrom, "2000-01-01"), "cyber")}, "partner since 2000-01-01"},
	{"partner*", []bloc.Record{rec("x", "AAA", bloc.KindSigned, "2000-01-01"), rec("x", "AAA", bloc.KindExpelled, "2001-01-01"), withScope(rec("x", "AAA", bloc.KindPartnerFrom, "2002-01-01"), "cyber")}, "partner since 2002-01-01"},
}

func withScope(r bloc.Record, labels ...string) bloc.Record {
	r.Scope = labels
	return r
}

// allowed is the state machine of DESIGN §2, written out: prior → kind →
// standing after; a missing entry is a refused transition.
var allowed = map[string]map[bloc.Kind]bloc.Standing{
	"none": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverFrom: "observer",
		bloc.KindPartnerFrom: "partner", bloc.KindStatement: "",
	},
	"member": {
		bloc.KindSuspended: "suspended", bloc.KindWithdrew: "former", bloc.KindLapsed: "former",
		bloc.KindExpelled: "former", bloc.KindStatement: "member",
	},
	"suspended": {
		bloc.KindResumed: "member", bloc.KindWithdrew: "former", bloc.KindLapsed: "former",
		bloc.KindExpelled: "former", bloc.KindStatement: "suspended",
	},
	"former": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverFrom: "observer",
		bloc.KindPartnerFrom: "partner", bloc.KindStatement: "former",
	},
	"observer": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverUntil: "",
		bloc.KindPartnerFrom: "partner", bloc.KindStatement: "observer",
	},
	"observer*": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverUntil: "former",
		bloc.KindPartnerFrom: "partner", bloc.KindStatement: "observer",
	},
	"partner": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverFrom: "observer",
		bloc.KindPartnerUntil: "", bloc.KindStatement: "partner",
	},
	"partner*": {
		bloc.KindSigned: "member", bloc.KindAcceded: "member", bloc.KindObserverFrom: "observer",
		bloc.KindPartnerUntil: "former", bloc.KindStatement: "partner",
	},
}

var partyKinds = []bloc.Kind{
	bloc.KindSigned, bloc.KindAcceded, bloc.KindSuspended, bloc.KindResumed, bloc.KindWithdrew,
	bloc.KindLapsed, bloc.KindExpelled, bloc.KindObserverFrom, bloc.KindObserverUntil,
	bloc.KindPartnerFrom, bloc.KindPartnerUntil, bloc.KindStatement,
}

// TestStateMachine tries every party-level kind in every prior standing,
// through Check (new records) and through Build (stored records, where a
// refused event is tolerated as an anomaly and changes nothing).
func TestStateMachine(t *testing.T) {
	for _, prior := range priors {
		for _, k := range partyKinds {
			t.Run(prior.name+"/"+string(k), func(t *testing.T) {
				l := newLedger(testBlocs...)
				l.add(t, prior.history...)
				priorStanding := l.book().At("x", "AAA", day("2005-01-01")).Standing
				r := rec("x", "AAA", k, "2005-06-01")
				if k == bloc.KindPartnerFrom {
					r.Scope = []string{"terrorism"}
				}
				want, ok := allowed[prior.name][k]
				err := l.book().Check([]bloc.Record{r})
				if ok {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
				} else {
					if err == nil {
						t.Fatalf("accepted %s while %s", k, prior.name)
					}
					code, details := errDetails(t, err)
					if code != bloc.ECONFLICT || len(details) != 1 {
						t.Fatalf("code %s, details %q", code, details)
					}
					wantPrefix := "x AAA " + string(k) + " 2005-06-01: AAA "
					wantSuffix := " (" + prior.since + ")"
					if !strings.HasPrefix(details[0], wantPrefix) || !strings.HasSuffix(details[0], wantSuffix) ||
						!strings.Contains(details[0], " x on that date") {
						t.Errorf("detail %q, want %q…%q", details[0], wantPrefix, wantSuffix)
					}
				}
				// Stored (as if an older version had let it in).
				l.recs = append(l.recs, bloc.Record{})
				stored := r
				stored.ID, stored.EventID = int64(len(l.recs)), int64(len(l.recs))
				l.recs[len(l.recs)-1] = stored
				b := l.book()
				p := b.At("x", "AAA", day("2006-01-01"))
				if !p.Certain {
					t.Fatalf("uncertain after the window: %+v", p)
				}
				if !ok {
					want = priorStanding
				} else if k == bloc.KindStatement {
					want = priorStanding
				}
				if p.Standing != want {
					t.Errorf("standing after = %q, want %q", p.Standing, want)
				}
				if k == bloc.KindPartnerFrom && ok && fmt.Sprint(p.Scope) != "[terrorism]" {
					t.Errorf("partner scope = %v", p.Scope)
				}
				anomalies := b.Anomalies("x")
				if ok != (len(anomalies) == 0) {
					t.Errorf("anomalies %v", anomalies)
				}
				changes := b.Changes("x", day("2005-06-01"), day("2005-06-02"))
				if len(changes) != 1 || changes[0].Before != priorStanding || changes[0].After != want {
					t.Errorf("changes %+v, want %s → %s", changes, priorStanding, want)
				}
			})
		}
	}
}

func TestRefusalTexts(t *testing.T) {
	for _, tc := range []struct {
		history []bloc.Record
		r       bloc.Record
		want    string
	}{
		{
			[]bloc.Record{rec("csto", "UZB", bloc.KindAcceded, "2006-08-16")},
			rec("csto", "UZB", bloc.KindAcceded, "2008-01-01"),
			"csto UZB acceded 2008-01-01: UZB is already a member of csto on that date (member since 2006-08-16)",
		},
		{
			nil,
			rec("csto", "UZB", bloc.KindWithdrew, "2012-12-19"),
			"csto UZB withdrew 2012-12-19: UZB is not a member of csto on that date (no standing)",
		},
		{
			[]bloc.Record{rec("csto", "UZB", bloc.KindSigned, "1992-05-15"), rec("csto", "UZB", bloc.KindLapsed, "1999-04-20")},
			rec("csto", "UZB", bloc.KindResumed, "2006"),
			"csto UZB resumed 2006: UZB is not suspended in csto on that date (former member since 1999-04-20)",
		},
		{
			[]bloc.Record{rec("csto", "UZB", bloc.KindSigned, "1992-05-15"), rec("csto", "UZB", bloc.KindSuspended, "2012-06-20")},
			rec("csto", "UZB", bloc.KindAcceded, "2012-08"),
			"csto UZB acceded 2012-08: UZB is a suspended member of csto on that date (suspended since 2012-06-20)",
		},
		{
			[]bloc.Record{rec("csto", "SRB", bloc.KindObserverFrom, "2013")},
			rec("csto", "SRB", bloc.KindObserverFrom, "2016-01-01"),
			"csto SRB observer_from 2016-01-01: SRB is already an observer of csto on that date (observer since 2013)",
		},
		{
			[]bloc.Record{rec("csto", "ARM", bloc.KindSigned, "1992-05-15")},
			withScope(rec("csto", "ARM", bloc.KindPartnerFrom, "2024-02-22"), "cyber"),
			"csto ARM partner_from 2024-02-22: ARM is a member of csto on that date and cannot also be a partner (member since 1992-05-15)",
		},
		{
			nil,
			rec("csto", "ARM", bloc.KindSigned, "1992-05-14"),
			"csto ARM signed 1992-05-14: csto was founded on 1992-05-15; this is before that",
		},
	} {
		l := newLedger(testBlocs...)
		l.add(t, tc.history...)
		err := l.book().Check([]bloc.Record{tc.r})
		if err == nil {
			t.Errorf("%v accepted", tc.r)
			continue
		}
		code, details := errDetails(t, err)
		if code != bloc.ECONFLICT || len(details) != 1 || details[0] != tc.want {
			t.Errorf("got %s %q\nwant %q", code, details, tc.want)
		}
		if err.Error() != "the record is refused\n  "+tc.want {
			t.Errorf("Error() = %q", err.Error())
		}
	}
}

// TestSameInstant: ends come before starts within one instant, so a party
// can stop being an observer (or partner, or member) and accede on one day,
// whatever order the records come in.
func TestSameInstant(t *testing.T) {
	for _, tc := range []struct {
		name    string
		history []bloc.Record
		want    bloc.Standing
	}{
		{"observer_until then acceded", []bloc.Record{
			rec("sco", "IND", bloc.KindObserverFrom, "2005-07-05"),
			rec("sco", "IND", bloc.KindAcceded, "2017-06-09"),
			rec("sco", "IND", bloc.KindObserverUntil, "2017-06-09"),
		}, bloc.StandingMember},
		{"partner_until then observer_from", []bloc.Record{
			withScope(rec("sco", "IND", bloc.KindPartnerFrom, "2005-07-05"), "trade"),
			rec("sco", "IND", bloc.KindObserverFrom, "2017-06-09"),
			rec("sco", "IND", bloc.KindPartnerUntil, "2017-06-09"),
		}, bloc.StandingObserver},
		{"withdrew then acceded (rejoin the same day)", []bloc.Record{
			rec("sco", "IND", bloc.KindAcceded, "2005-07-05"),
			rec("sco", "IND", bloc.KindAcceded, "2017-06-09"),
			rec("sco", "IND", bloc.KindWithdrew, "2017-06-09"),
		}, bloc.StandingMember},
		{"suspended then resumed", []bloc.Record{
			rec("sco", "IND", bloc.KindAcceded, "2005-07-05"),
			rec("sco", "IND", bloc.KindResumed, "2017-06-09"),
			rec("sco", "IND", bloc.KindSuspended, "2017-06-09"),
		}, bloc.StandingMember},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(testBlocs...)
			l.add(t, tc.history...)
			b := l.book()
			if p := b.At("sco", "IND", day("2017-06-10")); p.Standing != tc.want || !p.Certain {
				t.Errorf("after: %+v", p)
			}
			evs := b.Events("sco")
			if len(evs) != 3 || evs[1].Kind != tc.history[2].Kind || evs[2].Kind != tc.history[1].Kind {
				t.Errorf("order %v", kindsOf(evs))
			}
			// Inside the day both events' windows hold the instant.
			p := b.At("sco", "IND", day("2017-06-09").Add(12*3600e9))
			if p.Certain || p.After != tc.want {
				t.Errorf("inside the day: %+v", p)
			}
		})
	}
}

func TestKindRankOrder(t *testing.T) {
	want := []bloc.Kind{
		bloc.KindObserverUntil, bloc.KindPartnerUntil, bloc.KindWithdrew, bloc.KindLapsed, bloc.KindExpelled,
		bloc.KindSuspended, bloc.KindResumed, bloc.KindSigned, bloc.KindAcceded, bloc.KindObserverFrom,
		bloc.KindPartnerFrom, bloc.KindStatement, bloc.KindRenamed, bloc.KindDissolved,
	}
	for i := 1; i < len(want); i++ {
		if kindRank(want[i-1]) >= kindRank(want[i]) {
			t.Errorf("%s does not come before %s", want[i-1], want[i])
		}
	}
	if len(want) != len(bloc.Kinds) {
		t.Errorf("the order covers %d kinds of %d", len(want), len(bloc.Kinds))
	}
}
