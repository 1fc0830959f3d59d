package access

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// The fixture: the reader is an agency of Kazakhstan in the CSTO; Russia's
// agency produces most objects; Armenia is the "someone else" recipient.
var (
	kazKNB   = bloc.Agency{ID: "kaz-knb", Party: "KAZ", Identity: "identity--11111111-1111-4111-8111-111111111111"}
	kazOther = bloc.Agency{ID: "kaz-other", Party: "KAZ", Identity: "identity--22222222-2222-4222-8222-222222222222"}
	rusFSB   = bloc.Agency{ID: "rus-fsb", Party: "RUS", Identity: "identity--33333333-3333-4333-8333-333333333333"}
	armNSS   = bloc.Agency{ID: "arm-nss", Party: "ARM", Identity: "identity--44444444-4444-4444-8444-444444444444"}
	uzbSNS   = bloc.Agency{ID: "uzb-sns", Party: "UZB", Identity: "identity--55555555-5555-4555-8555-555555555555"}
)

var audiences = []bloc.Audience{bloc.AudienceMembers, bloc.AudienceMembersObservers, bloc.AudiencePublic}

func coll(a bloc.Audience) bloc.Collection {
	return bloc.Collection{ID: "c-" + string(a), Bloc: "csto", Title: "CSTO " + string(a), Audience: a}
}

// standingCase is one row of the exhaustive table: how the reader stands.
type standingCase struct {
	name     string
	anon     bool
	standing bloc.Standing
	scope    []string
}

var standingCases = []standingCase{
	{name: "none", standing: bloc.StandingNone},
	{name: "member", standing: bloc.StandingMember},
	{name: "observer", standing: bloc.StandingObserver},
	{name: "partner in scope", standing: bloc.StandingPartner, scope: []string{"terrorism", "cyber"}},
	{name: "partner out of scope", standing: bloc.StandingPartner, scope: []string{"narcotics"}},
	{name: "suspended", standing: bloc.StandingSuspended},
	{name: "former", standing: bloc.StandingFormer},
	// Anonymous: the standing field is set to member on purpose, to show
	// it is ignored without credentials.
	{name: "anonymous", anon: true, standing: bloc.StandingMember},
}

// tlpCase: the five levels and "unmarked", which the marking parser stores
// as TLP:AMBER (DESIGN §3: "AMBER (and unmarked)").
type tlpCase struct {
	name string
	tlp  bloc.TLP
}

var tlpCases = []tlpCase{
	{"CLEAR", bloc.TLPClear},
	{"GREEN", bloc.TLPGreen},
	{"AMBER", bloc.TLPAmber},
	{"unmarked", bloc.TLPAmber},
	{"AMBER+STRICT", bloc.TLPAmberStrict},
	{"RED", bloc.TLPRed},
}

// recipientCase is who produced the object and who it names.
type recipientCase struct {
	name       string
	producer   bloc.Agency
	recipients bloc.Recipients
	// Independent facts about the case, used by the expected-value table.
	strictOK bool // reader's party produced it, or the reader's party or agency is named
	redOK    bool // reader's agency produced it or is named
}

var recipientCases = []recipientCase{
	{name: "no recipients", producer: rusFSB},
	{name: "others named", producer: rusFSB,
		recipients: bloc.Recipients{Parties: []string{"ARM"}, Identities: []string{armNSS.Identity}}},
	{name: "reader's party named", producer: rusFSB, strictOK: true,
		recipients: bloc.Recipients{Parties: []string{"ARM", "KAZ"}, Identities: []string{armNSS.Identity}}},
	{name: "reader's agency named", producer: rusFSB, strictOK: true, redOK: true,
		recipients: bloc.Recipients{Identities: []string{armNSS.Identity, kazKNB.Identity}}},
	{name: "reader's party produced", producer: kazOther, strictOK: true},
	{name: "reader produced", producer: kazKNB, strictOK: true, redOK: true},
}

var roles = []bloc.Role{bloc.RoleRead, bloc.RoleWrite, bloc.RoleRegistrar}

// wantRead is DESIGN §3 written out cell by cell, independently of the
// code: for each standing and audience (members, members+observers,
// public), one letter per TLP case in tlpCases order (CLEAR GREEN AMBER
// unmarked AMBER+STRICT RED). Y allow, N deny, S the AMBER+STRICT rule
// (recipientCase.strictOK), R the RED rule (recipientCase.redOK).
var wantRead = map[string][3]string{
	"member":               {"YYYYSR", "YYYYSR", "YYYYSR"},
	"observer":             {"NNNNNN", "YYNNNN", "YNNNNN"},
	"partner in scope":     {"YYNNNN", "YYNNNN", "YNNNNN"},
	"partner out of scope": {"NNNNNN", "NNNNNN", "YNNNNN"},
	"suspended":            {"NNNNNN", "NNNNNN", "YNNNNN"},
	"former":               {"NNNNNN", "NNNNNN", "YNNNNN"},
	"none":                 {"NNNNNN", "NNNNNN", "YNNNNN"},
	"anonymous":            {"NNNNNN", "NNNNNN", "YNNNNN"},
}

// wantCollection: may the reader see the collection at all, per audience.
var wantCollection = map[string]string{
	"member":               "YYY",
	"observer":             "NYY",
	"partner in scope":     "YYY",
	"partner out of scope": "YYY", // a non-empty scope: some object may be in it
	"suspended":            "NNY",
	"former":               "NNY",
	"none":                 "NNY",
	"anonymous":            "NNY",
}

// wantRoot: is the API root listed when the bloc has no public collection?
var wantRoot = map[string]bool{
	"member": true, "observer": true, "partner in scope": true, "partner out of scope": true,
	"suspended": false, "former": false, "none": false, "anonymous": false,
}

func expectedRead(sc standingCase, ai, ti int, rc recipientCase) bool {
	switch wantRead[sc.name][ai][ti] {
	case 'Y':
		return true
	case 'S':
		return rc.strictOK
	case 'R':
		return rc.redOK
	}
	return false
}

func reader(sc standingCase, role bloc.Role) Reader {
	if sc.anon {
		// What a careless caller might leave behind must not matter.
		return Reader{Anonymous: true, Agency: kazKNB, Role: role, Standing: sc.standing, Certain: true, Scope: sc.scope}
	}
	return Reader{Agency: kazKNB, Role: role, Standing: sc.standing, Certain: true, Scope: sc.scope}
}

func object(c bloc.Collection, tlp bloc.TLP, rc recipientCase) bloc.Object {
	return bloc.Object{
		Collection: c.ID,
		ID:         "indicator--66666666-6666-4666-8666-666666666666",
		Type:       "indicator",
		Producer:   rc.producer.ID,
		OwnerParty: rc.producer.Party,
		TLP:        tlp,
		Recipients: rc.recipients,
		Labels:     []string{"cyber", "apt"},
	}
}

func checkReason(t *testing.T, cell string, d Decision) {
	t.Helper()
	prefix := "denied: "
	if d.Allow {
		prefix = "allowed: "
	}
	if !strings.HasPrefix(d.Reason, prefix) || len(d.Reason) < len(prefix)+10 {
		t.Errorf("%s: reason %q does not start with %q and say why", cell, d.Reason, prefix)
	}
}

func TestReadExhaustive(t *testing.T) {
	cells := 0
	for _, sc := range standingCases {
		for _, role := range roles {
			r := reader(sc, role)
			for ai, a := range audiences {
				c := coll(a)
				anyAllowed := false
				for ti, tc := range tlpCases {
					for _, rc := range recipientCases {
						cells++
						cell := fmt.Sprintf("%s/%s/%s/%s/%s", sc.name, role, a, tc.name, rc.name)
						d := Read(r, c, object(c, tc.tlp, rc))
						if want := expectedRead(sc, ai, ti, rc); d.Allow != want {
							t.Errorf("%s: allow = %v, want %v (%s)", cell, d.Allow, want, d.Reason)
						}
						checkReason(t, cell, d)
						if CanRead(r, c, object(c, tc.tlp, rc)) != d.Allow {
							t.Errorf("%s: CanRead disagrees with Read", cell)
						}
						anyAllowed = anyAllowed || d.Allow
					}
				}
				dc := ReadCollection(r, c)
				if want := wantCollection[sc.name][ai] == 'Y'; dc.Allow != want {
					t.Errorf("%s/%s/%s: ReadCollection allow = %v, want %v (%s)", sc.name, role, a, dc.Allow, want, dc.Reason)
				}
				checkReason(t, "ReadCollection "+sc.name, dc)
				// Nothing readable in a collection the reader may not see.
				if anyAllowed && !dc.Allow {
					t.Errorf("%s/%s/%s: an object is readable but the collection is not", sc.name, role, a)
				}
			}
			for _, anyPublic := range []bool{false, true} {
				d := SeesAPIRoot(r, "csto", anyPublic)
				if want := anyPublic || wantRoot[sc.name]; d.Allow != want {
					t.Errorf("%s/%s anyPublic=%v: SeesAPIRoot allow = %v, want %v (%s)", sc.name, role, anyPublic, d.Allow, want, d.Reason)
				}
				checkReason(t, "SeesAPIRoot "+sc.name, d)
			}
		}
	}
	if want := len(standingCases) * len(roles) * len(audiences) * len(tlpCases) * len(recipientCases); cells != want {
		t.Fatalf("table has %d cells, want %d", cells, want)
	}
}

func TestReadNotable(t *testing.T) {
	members, mo, public := coll(bloc.AudienceMembers), coll(bloc.AudienceMembersObservers), coll(bloc.AudiencePublic)
	amber := func(c bloc.Collection) bloc.Object { return object(c, bloc.TLPAmber, recipientCases[0]) }
	uzbFormer := Reader{Agency: uzbSNS, Role: bloc.RoleRead, Standing: bloc.StandingFormer, Certain: true, Cause: "withdrew 2012-12"}
	member := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}

	tests := []struct {
		name   string
		r      Reader
		c      bloc.Collection
		o      bloc.Object
		allow  bool
		reason string // exact, or a fragment when fragment is set
		frag   bool
	}{
		{name: "former member reads AMBER", r: uzbFormer, c: members, o: amber(members),
			reason: `denied: agency uzb-sns of party UZB is former in csto at this instant (withdrew 2012-12); former members read only TLP:CLEAR objects of public collections, and collection "CSTO members" (c-members) is for members`},
		{name: "former member reads public CLEAR", r: uzbFormer, c: public, o: object(public, bloc.TLPClear, recipientCases[0]), allow: true,
			reason: "allowed: TLP:CLEAR object in a public collection, readable by anyone"},
		{name: "former member reads public GREEN", r: uzbFormer, c: public, o: object(public, bloc.TLPGreen, recipientCases[0]),
			reason: "a public collection gives non-members TLP:CLEAR only and object indicator--66666666-6666-4666-8666-666666666666 is TLP:GREEN", frag: true},
		{name: "registrar is not a super-reader", r: Reader{Agency: uzbSNS, Role: bloc.RoleRegistrar, Standing: bloc.StandingFormer, Certain: true}, c: members, o: amber(members),
			reason: "former members read only TLP:CLEAR", frag: true},
		{name: "member reads unmarked", r: member, c: members, o: amber(members), allow: true,
			reason: "allowed: members read TLP:AMBER (unmarked objects count as TLP:AMBER)"},
		{name: "RED: party named, agency not", r: member, c: members, o: object(members, bloc.TLPRed, recipientCases[2]),
			reason: "denied: object indicator--66666666-6666-4666-8666-666666666666 is TLP:RED; party KAZ is named, but TLP:RED is read only by named recipient agencies and the producing agency, and agency kaz-knb (identity--11111111-1111-4111-8111-111111111111) is neither"},
		{name: "RED: sibling agency of the producer", r: member, c: members, o: object(members, bloc.TLPRed, recipientCases[4]),
			reason: "is neither a named recipient nor its producer", frag: true},
		{name: "RED: named agency", r: member, c: members, o: object(members, bloc.TLPRed, recipientCases[3]), allow: true,
			reason: "allowed: TLP:RED and the reader's agency is a named recipient"},
		{name: "AMBER+STRICT: other party's object, nobody named", r: member, c: members, o: object(members, bloc.TLPAmberStrict, recipientCases[1]),
			reason: "produced by party RUS; party KAZ is neither the producer's party nor a named recipient", frag: true},
		{name: "AMBER+STRICT: sibling agency produced", r: member, c: members, o: object(members, bloc.TLPAmberStrict, recipientCases[4]), allow: true,
			reason: "allowed: TLP:AMBER+STRICT and the reader's party produced it"},
		{name: "observer in a members collection", r: Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingObserver, Certain: true}, c: members, o: object(members, bloc.TLPClear, recipientCases[0]),
			reason: `denied: agency kaz-knb of party KAZ is an observer in csto at this instant; collection "CSTO members" (c-members) is for members only, observers are not admitted`},
		{name: "observer reads AMBER", r: Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingObserver, Certain: true}, c: mo, o: amber(mo),
			reason: "observers read up to TLP:GREEN and object indicator--66666666-6666-4666-8666-666666666666 is TLP:AMBER", frag: true},
		{name: "partner out of scope names both label sets", r: Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingPartner, Certain: true, Scope: []string{"narcotics"}}, c: members, o: object(members, bloc.TLPGreen, recipientCases[0]),
			reason: "with scope [narcotics]; object indicator--66666666-6666-4666-8666-666666666666 carries none of these labels (its labels: [cyber apt])", frag: true},
		{name: "partner: empty labels never match", r: Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingPartner, Certain: true, Scope: []string{""}},
			c: members, o: func() bloc.Object {
				o := object(members, bloc.TLPClear, recipientCases[0])
				o.Labels = []string{""}
				return o
			}(),
			reason: "carries none of these labels", frag: true},
		{name: "anonymous, members collection", r: Reader{Anonymous: true}, c: members, o: object(members, bloc.TLPClear, recipientCases[0]),
			reason: `denied: no credentials, and collection "CSTO members" (c-members) is for members; without credentials only public collections can be read`},
		{name: "anonymous, public GREEN", r: Reader{Anonymous: true}, c: public, o: object(public, bloc.TLPGreen, recipientCases[0]),
			reason: "no credentials; public collections give TLP:CLEAR only", frag: true},
		{name: "object of another collection", r: member, c: members, o: amber(mo),
			reason: "denied: object indicator--66666666-6666-4666-8666-666666666666 is stored in collection c-members+observers, not in collection c-members"},
		{name: "unknown TLP", r: member, c: members, o: object(members, bloc.TLP(7), recipientCases[5]),
			reason: "has an unknown TLP level (7)", frag: true},
		{name: "negative TLP", r: member, c: members, o: object(members, bloc.TLP(-1), recipientCases[5]),
			reason: "has an unknown TLP level (-1)", frag: true},
		{name: "unknown audience", r: member, c: bloc.Collection{ID: "c-x", Bloc: "csto", Audience: "everyone"}, o: bloc.Object{Collection: "c-x", TLP: bloc.TLPClear},
			reason: `denied: collection c-x has an unknown audience "everyone"; nothing in it is readable or writable`},
		{name: "unknown role", r: Reader{Agency: kazKNB, Role: "admin", Standing: bloc.StandingMember, Certain: true}, c: members, o: amber(members),
			reason: `denied: agency kaz-knb's token has an unknown role "admin"`},
		{name: "no role", r: Reader{Agency: kazKNB, Standing: bloc.StandingMember, Certain: true}, c: public, o: object(public, bloc.TLPClear, recipientCases[0]),
			reason: `denied: agency kaz-knb's token has an unknown role ""`},
		{name: "credentials without agency", r: Reader{Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}, c: members, o: amber(members),
			reason: "denied: the credentials resolve to no agency of a party"},
		{name: "unknown standing counts as none", r: Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: "honorary", Certain: true}, c: members, o: amber(members),
			reason: "has no standing in csto at this instant; parties with no standing in the bloc read only TLP:CLEAR", frag: true},
		{name: "RED: empty reader identity never matches an empty recipient", r: Reader{Agency: bloc.Agency{ID: "kaz-x", Party: "KAZ"}, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true},
			c: members, o: object(members, bloc.TLPRed, recipientCase{producer: rusFSB, recipients: bloc.Recipients{Identities: []string{""}}}),
			reason: "is neither a named recipient nor its producer", frag: true},
		{name: "AMBER+STRICT: empty owner party never matches", r: member, c: members,
			o:      object(members, bloc.TLPAmberStrict, recipientCase{producer: bloc.Agency{ID: "ghost"}}),
			reason: "is neither the producer's party nor a named recipient", frag: true},
		{name: "uncertain member→former reads AMBER", r: Reader{Agency: uzbSNS, Role: bloc.RoleRead, Standing: bloc.StandingMember, Before: bloc.StandingMember, After: bloc.StandingFormer}, c: members, o: amber(members),
			reason: "denied: agency uzb-sns of party UZB: the standing of party UZB in csto at this instant is uncertain (member before, former after: the instant lies inside an imprecise event's window), so the more restrictive, former, applies; former members read only TLP:CLEAR", frag: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Read(tt.r, tt.c, tt.o)
			if d.Allow != tt.allow {
				t.Errorf("allow = %v, want %v (%s)", d.Allow, tt.allow, d.Reason)
			}
			if tt.frag && !strings.Contains(d.Reason, tt.reason) || !tt.frag && d.Reason != tt.reason {
				t.Errorf("reason:\n got %q\nwant %q", d.Reason, tt.reason)
			}
		})
	}
}

func TestCollectionNotable(t *testing.T) {
	members, mo := coll(bloc.AudienceMembers), coll(bloc.AudienceMembersObservers)
	noScope := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingPartner, Certain: true, Scope: []string{""}}
	want := "denied: agency kaz-knb of party KAZ is a partner in csto at this instant with an empty scope; partners read only objects labelled in their scope"
	if d := ReadCollection(noScope, members); d.Allow || d.Reason != want {
		t.Errorf("partner with empty scope, ReadCollection: %+v", d)
	}
	if d := SeesAPIRoot(noScope, "csto", false); d.Allow || d.Reason != want {
		t.Errorf("partner with empty scope, SeesAPIRoot: %+v", d)
	}
	if d := SeesAPIRoot(noScope, "csto", true); !d.Allow {
		t.Errorf("bloc with a public collection hidden: %+v", d)
	}
	observer := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingObserver, Certain: true}
	if d := ReadCollection(observer, mo); !d.Allow || d.Reason != "allowed: observers read members+observers collections up to TLP:GREEN" {
		t.Errorf("observer, members+observers: %+v", d)
	}
	former := Reader{Agency: uzbSNS, Role: bloc.RoleRegistrar, Standing: bloc.StandingFormer, Certain: true}
	if d := SeesAPIRoot(former, "csto", false); d.Allow || d.Reason != "denied: agency uzb-sns of party UZB is former in csto at this instant, and bloc csto has no public collection; former members read only TLP:CLEAR objects of public collections" {
		t.Errorf("former registrar, SeesAPIRoot: %+v", d)
	}
	bad := bloc.Collection{ID: "c-x", Bloc: "csto", Audience: ""}
	for name, d := range map[string]Decision{"ReadCollection": ReadCollection(observer, bad), "WriteCollection": WriteCollection(observer, bad)} {
		if d.Allow || d.Reason != `denied: collection c-x has an unknown audience ""; nothing in it is readable or writable` {
			t.Errorf("%s on unknown audience: %+v", name, d)
		}
	}
}

var allStandings = []bloc.Standing{
	bloc.StandingNone, bloc.StandingMember, bloc.StandingObserver,
	bloc.StandingPartner, bloc.StandingSuspended, bloc.StandingFormer,
}

// wantEffective[before][after], written out: the more restrictive side;
// none between observer and partner (incomparable); After between two
// equally limited standings.
var wantEffective = map[bloc.Standing]map[bloc.Standing]bloc.Standing{
	"":          {"": "", "member": "", "observer": "", "partner": "", "suspended": "suspended", "former": "former"},
	"member":    {"": "", "member": "member", "observer": "observer", "partner": "partner", "suspended": "suspended", "former": "former"},
	"observer":  {"": "", "member": "observer", "observer": "observer", "partner": "", "suspended": "suspended", "former": "former"},
	"partner":   {"": "", "member": "partner", "observer": "", "partner": "partner", "suspended": "suspended", "former": "former"},
	"suspended": {"": "", "member": "suspended", "observer": "suspended", "partner": "suspended", "suspended": "suspended", "former": "former"},
	"former":    {"": "", "member": "former", "observer": "former", "partner": "former", "suspended": "suspended", "former": "former"},
}

func TestEffective(t *testing.T) {
	for _, before := range allStandings {
		for _, after := range allStandings {
			r := Reader{Standing: bloc.StandingMember, Before: before, After: after}
			if got, want := Effective(r), wantEffective[before][after]; got != want {
				t.Errorf("uncertain %s→%s: Effective = %s, want %s", before, after, got, want)
			}
		}
		// Certain: the standing itself, Before/After ignored.
		r := Reader{Certain: true, Standing: before, Before: bloc.StandingNone, After: bloc.StandingNone}
		if got := Effective(r); got != before {
			t.Errorf("certain %s: Effective = %s", before, got)
		}
	}
	if got := Effective(Reader{Certain: true, Standing: "honorary"}); got != bloc.StandingNone {
		t.Errorf("unknown standing: Effective = %q, want none", got)
	}
}

func TestReadUncertain(t *testing.T) {
	members, mo, public := coll(bloc.AudienceMembers), coll(bloc.AudienceMembersObservers), coll(bloc.AudiencePublic)
	window := func(before, after bloc.Standing) Reader {
		// Standing is deliberately member: when uncertain it must be ignored.
		return Reader{Agency: kazKNB, Role: bloc.RoleWrite, Standing: bloc.StandingMember, Before: before, After: after, Scope: []string{"cyber"}}
	}
	tests := []struct {
		name  string
		r     Reader
		c     bloc.Collection
		tlp   bloc.TLP
		allow bool
	}{
		{"member→former: AMBER", window("member", "former"), members, bloc.TLPAmber, false},
		{"member→former: GREEN", window("member", "former"), members, bloc.TLPGreen, false},
		{"member→former: public CLEAR", window("member", "former"), public, bloc.TLPClear, true},
		{"former→member: AMBER", window("former", "member"), members, bloc.TLPAmber, false},
		{"none→member: AMBER", window("", "member"), members, bloc.TLPAmber, false},
		{"member→suspended: AMBER", window("member", "suspended"), members, bloc.TLPAmber, false},
		{"suspended→member: CLEAR", window("suspended", "member"), members, bloc.TLPClear, false},
		{"member→observer: GREEN in members+observers", window("member", "observer"), mo, bloc.TLPGreen, true},
		{"member→observer: AMBER in members+observers", window("member", "observer"), mo, bloc.TLPAmber, false},
		{"member→observer: CLEAR in members", window("member", "observer"), members, bloc.TLPClear, false},
		{"partner→member: in-scope GREEN", window("partner", "member"), members, bloc.TLPGreen, true},
		{"partner→member: in-scope AMBER", window("partner", "member"), members, bloc.TLPAmber, false},
		{"observer→partner: in-scope GREEN in members+observers", window("observer", "partner"), mo, bloc.TLPGreen, false},
		{"member→member: RED produced by the reader", window("member", "member"), members, bloc.TLPRed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Read(tt.r, tt.c, object(tt.c, tt.tlp, recipientCases[5]))
			if d.Allow != tt.allow {
				t.Errorf("allow = %v, want %v (%s)", d.Allow, tt.allow, d.Reason)
			}
			if !d.Allow && !strings.Contains(d.Reason, "uncertain") {
				t.Errorf("reason does not say the standing is uncertain: %s", d.Reason)
			}
		})
	}
	// Writes need a certain membership.
	if d := WriteCollection(window("member", "former"), members); d.Allow || !strings.Contains(d.Reason, "so the more restrictive, former, applies") {
		t.Errorf("write inside member→former window: %+v", d)
	}
	if d := WriteCollection(window("former", "member"), members); d.Allow {
		t.Errorf("write inside former→member window allowed: %s", d.Reason)
	}
	if d := WriteCollection(window("member", "member"), members); !d.Allow {
		t.Errorf("write with member on both sides denied: %s", d.Reason)
	}
}

func TestWriteExhaustive(t *testing.T) {
	ownerCases := []struct {
		name  string
		party string
		ok    bool
	}{
		{"new id", "", true},
		{"owned by the writer's party", "KAZ", true},
		{"owned by another party", "RUS", false},
	}
	redRecipients := []struct {
		name string
		rec  bloc.Recipients
		ok   bool // acceptable for a RED object
	}{
		{"no recipients", bloc.Recipients{}, false},
		{"parties only", bloc.Recipients{Parties: []string{"ARM"}}, false},
		{"an agency", bloc.Recipients{Identities: []string{armNSS.Identity}}, true},
	}
	allRoles := []bloc.Role{bloc.RoleRead, bloc.RoleWrite, bloc.RoleRegistrar, "", "admin"}
	cells := 0
	for _, sc := range standingCases {
		for _, role := range allRoles {
			r := reader(sc, role)
			// Independent statement of DESIGN §3 for writes.
			mayWrite := !sc.anon && sc.standing == bloc.StandingMember && (role == bloc.RoleWrite || role == bloc.RoleRegistrar)
			for _, a := range audiences {
				c := coll(a)
				dc := WriteCollection(r, c)
				if dc.Allow != mayWrite {
					t.Errorf("%s/%s/%s: WriteCollection allow = %v, want %v (%s)", sc.name, role, a, dc.Allow, mayWrite, dc.Reason)
				}
				checkReason(t, "WriteCollection", dc)
				for _, tc := range tlpCases {
					for _, rr := range redRecipients {
						for _, oc := range ownerCases {
							cells++
							o := bloc.Object{ID: "indicator--77777777-7777-4777-8777-777777777777", TLP: tc.tlp, Recipients: rr.rec}
							want := mayWrite && oc.ok &&
								(a != bloc.AudiencePublic || tc.tlp == bloc.TLPClear) &&
								(tc.tlp != bloc.TLPRed || rr.ok)
							d := Write(r, c, o, oc.party)
							if d.Allow != want {
								t.Errorf("%s/%s/%s/%s/%s/%s: Write allow = %v, want %v (%s)",
									sc.name, role, a, tc.name, rr.name, oc.name, d.Allow, want, d.Reason)
							}
							checkReason(t, "Write", d)
						}
					}
				}
			}
		}
	}
	if cells < 4000 {
		t.Fatalf("only %d write cells", cells)
	}
}

func TestWriteNotable(t *testing.T) {
	members, public := coll(bloc.AudienceMembers), coll(bloc.AudiencePublic)
	writer := Reader{Agency: kazKNB, Role: bloc.RoleWrite, Standing: bloc.StandingMember, Certain: true}
	obj := func(tlp bloc.TLP, rec bloc.Recipients) bloc.Object {
		return bloc.Object{ID: "indicator--77777777-7777-4777-8777-777777777777", TLP: tlp, Recipients: rec}
	}
	tests := []struct {
		name   string
		r      Reader
		c      bloc.Collection
		o      bloc.Object
		owner  string
		allow  bool
		reason string
	}{
		{"new id", writer, members, obj(bloc.TLPAmber, bloc.Recipients{}), "", true,
			"allowed: member party with write role; new object id, owned by the writer's party from now on"},
		{"owned by another party", writer, members, obj(bloc.TLPAmber, bloc.Recipients{}), "RUS", false,
			"denied: object id indicator--77777777-7777-4777-8777-777777777777 is owned by party RUS (its first writer); only agencies of RUS may add versions, and agency kaz-knb is of party KAZ"},
		{"public takes CLEAR only", writer, public, obj(bloc.TLPGreen, bloc.Recipients{}), "", false,
			`denied: collection "CSTO public" (c-public) is public and holds TLP:CLEAR objects only; object indicator--77777777-7777-4777-8777-777777777777 is TLP:GREEN`},
		{"RED with party recipients only", writer, members, obj(bloc.TLPRed, bloc.Recipients{Parties: []string{"ARM", "BLR"}}), "", false,
			"denied: object indicator--77777777-7777-4777-8777-777777777777 is TLP:RED and names recipient parties [ARM BLR] but no recipient agency; TLP:RED is read by named agencies (identity ids) only"},
		{"RED without recipients", writer, members, obj(bloc.TLPRed, bloc.Recipients{}), "", false,
			"denied: object indicator--77777777-7777-4777-8777-777777777777 is TLP:RED and names no recipients; name at least one recipient agency identity in the bloc recipients extension"},
		{"read role", Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}, members, obj(bloc.TLPClear, bloc.Recipients{}), "", false,
			"denied: agency kaz-knb's token has role read; writing needs role write or registrar"},
		{"former member", Reader{Agency: uzbSNS, Role: bloc.RoleWrite, Standing: bloc.StandingFormer, Certain: true, Cause: "withdrew 2012-12"}, members, obj(bloc.TLPClear, bloc.Recipients{}), "", false,
			"denied: agency uzb-sns of party UZB is former in csto at this instant (withdrew 2012-12); only agencies of parties that are members at the instant of the write may write"},
		{"observer", Reader{Agency: kazKNB, Role: bloc.RoleRegistrar, Standing: bloc.StandingObserver, Certain: true}, members, obj(bloc.TLPClear, bloc.Recipients{}), "", false,
			"denied: agency kaz-knb of party KAZ is an observer in csto at this instant; only agencies of parties that are members at the instant of the write may write"},
		{"anonymous", Reader{Anonymous: true}, public, obj(bloc.TLPClear, bloc.Recipients{}), "", false,
			"denied: writing needs credentials"},
		{"unknown TLP", writer, members, obj(bloc.TLP(9), bloc.Recipients{}), "", false,
			"denied: object indicator--77777777-7777-4777-8777-777777777777 has an unknown TLP level (9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Write(tt.r, tt.c, tt.o, tt.owner)
			if d.Allow != tt.allow || d.Reason != tt.reason {
				t.Errorf("got %v %q\nwant %v %q", d.Allow, d.Reason, tt.allow, tt.reason)
			}
		})
	}
}

// transition is one event of a party's record in a simplified model of the
// registry: the standing it leads to, effective over its date's window.
type transition struct {
	date  bloc.Date
	after bloc.Standing
}

// readerAt computes a Reader the way a caller does from the registry: the
// standing at t, or the standings on either side when t lies inside an
// imprecise event's window. Instant-precision events take effect exactly
// at their instant (certain on either side, DESIGN §2).
func readerAt(a bloc.Agency, role bloc.Role, scope []string, record []transition, t time.Time) Reader {
	r := Reader{Agency: a, Role: role, Scope: scope, Certain: true}
	s := bloc.StandingNone
	for _, tr := range record {
		switch {
		case tr.date.Precision == bloc.PrecisionInstant && !t.Before(tr.date.Start):
			s = tr.after
		case tr.date.Precision != bloc.PrecisionInstant && !t.Before(tr.date.End()):
			s = tr.after
		case tr.date.Precision != bloc.PrecisionInstant && tr.date.Contains(t):
			r.Certain, r.Before, r.After = false, s, tr.after
		}
	}
	r.Standing = s
	return r
}

// probe is one question asked on either side of a transition.
type probe struct {
	name string
	ask  func(r Reader) Decision
}

func probes() []probe {
	members, mo, public := coll(bloc.AudienceMembers), coll(bloc.AudienceMembersObservers), coll(bloc.AudiencePublic)
	return []probe{
		{"read AMBER in members", func(r Reader) Decision { return Read(r, members, object(members, bloc.TLPAmber, recipientCases[0])) }},
		{"read GREEN in members+observers", func(r Reader) Decision { return Read(r, mo, object(mo, bloc.TLPGreen, recipientCases[0])) }},
		{"read in-scope GREEN in members", func(r Reader) Decision { return Read(r, members, object(members, bloc.TLPGreen, recipientCases[0])) }},
		{"read CLEAR in public", func(r Reader) Decision { return Read(r, public, object(public, bloc.TLPClear, recipientCases[0])) }},
		{"read RED named", func(r Reader) Decision { return Read(r, members, object(members, bloc.TLPRed, recipientCases[3])) }},
		{"write to members", func(r Reader) Decision { return WriteCollection(r, members) }},
	}
}

// wantProbe is, per standing, the expected answer to each probe, in
// probes() order, written out (the partner's scope covers "cyber").
var wantProbe = map[bloc.Standing]string{
	bloc.StandingMember:    "YYYYYY",
	bloc.StandingObserver:  "NYNYNN",
	bloc.StandingPartner:   "NYYYNN",
	bloc.StandingSuspended: "NNNYNN",
	bloc.StandingFormer:    "NNNYNN",
	bloc.StandingNone:      "NNNYNN",
}

func TestTransitionInstants(t *testing.T) {
	T := time.Date(2012, 12, 20, 12, 0, 0, 0, time.UTC)
	founded := bloc.InstantOf(time.Date(1992, 5, 15, 0, 0, 0, 0, time.UTC))
	cases := []struct {
		kind          bloc.Kind
		before, after bloc.Standing
	}{
		{bloc.KindAcceded, bloc.StandingNone, bloc.StandingMember},
		{bloc.KindAcceded, bloc.StandingFormer, bloc.StandingMember}, // rejoining
		{bloc.KindWithdrew, bloc.StandingMember, bloc.StandingFormer},
		{bloc.KindLapsed, bloc.StandingMember, bloc.StandingFormer},
		{bloc.KindExpelled, bloc.StandingMember, bloc.StandingFormer},
		{bloc.KindSuspended, bloc.StandingMember, bloc.StandingSuspended},
		{bloc.KindResumed, bloc.StandingSuspended, bloc.StandingMember},
		{bloc.KindObserverFrom, bloc.StandingNone, bloc.StandingObserver},
		{bloc.KindObserverUntil, bloc.StandingObserver, bloc.StandingNone},
		{bloc.KindPartnerFrom, bloc.StandingNone, bloc.StandingPartner},
		{bloc.KindPartnerUntil, bloc.StandingPartner, bloc.StandingNone},
		{bloc.KindObserverFrom, bloc.StandingMember, bloc.StandingObserver}, // withdrew and stayed on as observer
	}
	for _, tc := range cases {
		for _, precision := range []bloc.Precision{bloc.PrecisionInstant, bloc.PrecisionDay, bloc.PrecisionMonth} {
			name := fmt.Sprintf("%s %s→%s (%s)", tc.kind, tc.before, tc.after, precision)
			t.Run(name, func(t *testing.T) {
				date := bloc.InstantOf(T)
				if precision == bloc.PrecisionDay {
					date = bloc.DayOf(T)
				} else if precision == bloc.PrecisionMonth {
					date = bloc.Date{Start: time.Date(T.Year(), T.Month(), 1, 0, 0, 0, 0, time.UTC), Precision: bloc.PrecisionMonth}
				}
				record := []transition{{founded, tc.before}, {date, tc.after}}
				at := func(t time.Time) Reader { return readerAt(kazKNB, bloc.RoleWrite, []string{"cyber"}, record, t) }
				// Instants and the standing the answers must follow there.
				type instant struct {
					name string
					t    time.Time
					want bloc.Standing
				}
				restrictive := wantEffective[tc.before][tc.after]
				var instants []instant
				if precision == bloc.PrecisionInstant {
					instants = []instant{{"T-1ns", T.Add(-time.Nanosecond), tc.before}, {"T", T, tc.after}}
				} else {
					instants = []instant{
						{"window start-1ns", date.Start.Add(-time.Nanosecond), tc.before},
						{"window start", date.Start, restrictive},
						{"window end-1ns", date.End().Add(-time.Nanosecond), restrictive},
						{"window end", date.End(), tc.after},
					}
				}
				for _, in := range instants {
					r := at(in.t)
					if got := Effective(r); got != in.want {
						t.Fatalf("%s: effective standing %s, want %s (reader %+v)", in.name, got, in.want, r)
					}
					for i, p := range probes() {
						d := p.ask(r)
						if want := wantProbe[in.want][i] == 'Y'; d.Allow != want {
							t.Errorf("%s: %s: allow = %v, want %v (%s)", in.name, p.name, d.Allow, want, d.Reason)
						}
					}
				}
			})
		}
	}
}

// TestWithdrawalFlip is the case of the article: Uzbekistan's withdrawal
// recorded ahead of time for instant T. One nanosecond before, its agency
// reads AMBER; at T it reads nothing but public CLEAR, and says why.
func TestWithdrawalFlip(t *testing.T) {
	T := time.Date(2012, 12, 20, 12, 0, 0, 0, time.UTC)
	record := []transition{
		{bloc.InstantOf(time.Date(2006, 8, 16, 0, 0, 0, 0, time.UTC)), bloc.StandingMember},
		{bloc.InstantOf(T), bloc.StandingFormer},
	}
	members := coll(bloc.AudienceMembers)
	o := object(members, bloc.TLPAmber, recipientCases[0])
	before := Read(readerAt(uzbSNS, bloc.RoleRead, nil, record, T.Add(-time.Nanosecond)), members, o)
	if !before.Allow || before.Reason != "allowed: members read TLP:AMBER (unmarked objects count as TLP:AMBER)" {
		t.Errorf("at T-1ns: %+v", before)
	}
	r := readerAt(uzbSNS, bloc.RoleRead, nil, record, T)
	r.Cause = "withdrew " + bloc.FormatInstant(T)
	after := Read(r, members, o)
	want := `denied: agency uzb-sns of party UZB is former in csto at this instant (withdrew 2012-12-20T12:00:00Z); former members read only TLP:CLEAR objects of public collections, and collection "CSTO members" (c-members) is for members`
	if after.Allow || after.Reason != want {
		t.Errorf("at T:\n got %+v\nwant %q", after, want)
	}
	if d := ReadCollection(r, members); d.Allow {
		t.Errorf("at T the collection is still listed: %s", d.Reason)
	}
	if d := SeesAPIRoot(r, "csto", false); d.Allow {
		t.Errorf("at T the API root is still listed: %s", d.Reason)
	}
}

// TestAllowPathDoesNotAllocate: a decision that allows allocates nothing.
// Inputs are built once, outside the measured call, as they are in the
// server (objects come from the store, readers from the token cache).
func TestAllowPathDoesNotAllocate(t *testing.T) {
	members, mo := coll(bloc.AudienceMembers), coll(bloc.AudienceMembersObservers)
	member := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}
	writer := Reader{Agency: kazKNB, Role: bloc.RoleWrite, Standing: bloc.StandingMember, Certain: true}
	partner := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingPartner, Certain: true, Scope: []string{"narcotics", "cyber"}}
	observer := Reader{Agency: kazKNB, Role: bloc.RoleRead, Before: bloc.StandingMember, After: bloc.StandingObserver}
	amber := object(members, bloc.TLPAmber, recipientCases[0])
	red := object(members, bloc.TLPRed, recipientCases[3])
	strict := object(members, bloc.TLPAmberStrict, recipientCases[2])
	green := object(members, bloc.TLPGreen, recipientCases[0])
	greenMO := object(mo, bloc.TLPGreen, recipientCases[0])
	cases := []struct {
		name string
		f    func() Decision
	}{
		{"member AMBER", func() Decision { return Read(member, members, amber) }},
		{"member RED named", func() Decision { return Read(member, members, red) }},
		{"member AMBER+STRICT party named", func() Decision { return Read(member, members, strict) }},
		{"partner in scope", func() Decision { return Read(partner, members, green) }},
		{"uncertain member→observer GREEN", func() Decision { return Read(observer, mo, greenMO) }},
		{"ReadCollection", func() Decision { return ReadCollection(member, members) }},
		{"SeesAPIRoot", func() Decision { return SeesAPIRoot(member, "csto", false) }},
		{"Write", func() Decision { return Write(writer, members, amber, "KAZ") }},
	}
	for _, c := range cases {
		if d := c.f(); !d.Allow {
			t.Fatalf("%s: not allowed: %s", c.name, d.Reason)
		}
		if n := testing.AllocsPerRun(100, func() { c.f() }); n != 0 {
			t.Errorf("%s: %v allocations per decision, want 0", c.name, n)
		}
	}
}

// TestEveryDenialExplained: each rule that can deny a read has its own
// sentence.
func TestEveryDenialExplained(t *testing.T) {
	c := coll(bloc.AudienceMembers)
	r := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}
	seen := map[string]denial{}
	for why := denyOtherCollection; why <= denyLimited; why++ {
		s := explainRead(why, r, c, object(c, bloc.TLPRed, recipientCases[0]))
		if !strings.HasPrefix(s, "denied: ") || s == "denied: no rule allows it" {
			t.Errorf("denial %d has no sentence: %q", why, s)
		}
		if other, dup := seen[s]; dup && !(why == denyUnknownRole && other == denyNoAgency) {
			t.Errorf("denials %d and %d share the sentence %q", other, why, s)
		}
		seen[s] = why
	}
}

func BenchmarkRead(b *testing.B) {
	members := coll(bloc.AudienceMembers)
	member := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingMember, Certain: true}
	partner := Reader{Agency: kazKNB, Role: bloc.RoleRead, Standing: bloc.StandingPartner, Certain: true, Scope: []string{"narcotics", "cyber"}}
	former := Reader{Agency: uzbSNS, Role: bloc.RoleRead, Standing: bloc.StandingFormer, Certain: true}
	for _, bc := range []struct {
		name string
		r    Reader
		o    bloc.Object
	}{
		{"member-amber", member, object(members, bloc.TLPAmber, recipientCases[0])},
		{"member-red-named", member, object(members, bloc.TLPRed, recipientCases[3])},
		{"partner-in-scope", partner, object(members, bloc.TLPGreen, recipientCases[0])},
		{"former-denied", former, object(members, bloc.TLPAmber, recipientCases[0])},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Read(bc.r, members, bc.o)
			}
		})
		b.Run("CanRead/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CanRead(bc.r, members, bc.o)
			}
		})
	}
}
