// Package bloc is the domain of bloc: blocs, parties, the membership record
// and the threat-information exchange that follows it. It holds types, the
// closed set of error codes and the storage interfaces; it does no I/O.
//
// Around it: standing (pure temporal logic: records → standings),
// access (the pure access decision), stix (validation), sqlite (storage),
// registry (the record service), api and taxii (HTTP), push (real-time
// delivery), intake (news articles), and cmd/bloc which wires them.
package bloc

import (
	"time"
)

// Bloc is a treaty organisation or agreement. A bilateral agreement is a
// bloc with two parties.
type Bloc struct {
	Slug       string `json:"bloc"`
	Name       string `json:"name"` // the first name; later names come from renamed events
	Founded    Date   `json:"founded"`
	Place      string `json:"place,omitempty"`
	Instrument string `json:"instrument,omitempty"`
	// Demo marks a bloc created by the demo (not part of the sourced record).
	Demo bool `json:"demo,omitempty"`
}

// Party is a state, by ISO 3166-1 alpha-3 code (historical codes such as
// SUN, DDR, CSK, YUG allowed).
type Party struct {
	Code    string   `json:"party"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

// Kind is the kind of a membership event.
type Kind string

const (
	KindSigned        Kind = "signed"         // founding signatory
	KindAcceded       Kind = "acceded"        // joins or rejoins
	KindSuspended     Kind = "suspended"      // membership suspended
	KindResumed       Kind = "resumed"        // suspension ends
	KindWithdrew      Kind = "withdrew"       // membership ends by the party's choice
	KindLapsed        Kind = "lapsed"         // did not renew; membership ends on the date
	KindExpelled      Kind = "expelled"       // membership ended by the bloc
	KindObserverFrom  Kind = "observer_from"  // becomes an observer
	KindObserverUntil Kind = "observer_until" // stops being an observer
	KindPartnerFrom   Kind = "partner_from"   // becomes a partner, with a scope
	KindPartnerUntil  Kind = "partner_until"  // stops being a partner
	KindStatement     Kind = "statement"      // a recorded position with no legal effect
	KindRenamed       Kind = "renamed"        // bloc-level: a new name
	KindDissolved     Kind = "dissolved"      // bloc-level: no standing survives
)

// Kinds lists every event kind in the order of DESIGN §2.
var Kinds = []Kind{
	KindSigned, KindAcceded, KindSuspended, KindResumed, KindWithdrew, KindLapsed,
	KindExpelled, KindObserverFrom, KindObserverUntil, KindPartnerFrom, KindPartnerUntil,
	KindStatement, KindRenamed, KindDissolved,
}

// Valid reports whether k is a defined kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// BlocLevel reports whether k is about the bloc itself rather than a party.
func (k Kind) BlocLevel() bool { return k == KindRenamed || k == KindDissolved }

// Standing is the derived status of a party in a bloc.
type Standing string

const (
	StandingNone      Standing = ""
	StandingMember    Standing = "member"
	StandingObserver  Standing = "observer"
	StandingPartner   Standing = "partner"
	StandingSuspended Standing = "suspended"
	StandingFormer    Standing = "former"
)

// String returns "none" for the empty standing, for messages.
func (s Standing) String() string {
	if s == StandingNone {
		return "none"
	}
	return string(s)
}

// Source says where a fact comes from.
type Source struct {
	Title     string `json:"title,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	URL       string `json:"url,omitempty"`
	Published Date   `json:"published,omitzero"`
}

// Record is one appended row of the membership record: an attestation of an
// event by one source. Records are never edited. Several records that state
// the same fact form one Event (they share EventID). A correction is a new
// record with Supersedes set; a retraction is one with Retracts set.
type Record struct {
	ID      int64  `json:"id"`
	EventID int64  `json:"event"` // the id of the event's first record; 0 before it is stored
	Bloc    string `json:"bloc"`
	Party   string `json:"party,omitempty"` // empty for bloc-level kinds
	Kind    Kind   `json:"kind"`
	Date    Date   `json:"date"`
	// NewName is the name a renamed event gives the bloc.
	NewName string `json:"new_name,omitempty"`
	// Scope lists a partner's agreed topic labels (partner_from only).
	Scope  []string `json:"scope,omitempty"`
	Source Source   `json:"source"`
	Quote  string   `json:"quote,omitempty"` // the sentence that states the fact
	Note   string   `json:"note,omitempty"`

	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	// Supersedes is the id of the record this one corrects or retracts.
	Supersedes int64 `json:"supersedes,omitempty"`
	// Retracts marks a retraction of Supersedes: it replaces it with nothing.
	Retracts bool `json:"retracts,omitempty"`
}

// Event is a fact of the record as derived from its live attestations.
type Event struct {
	ID    int64  `json:"id"`
	Bloc  string `json:"bloc"`
	Party string `json:"party,omitempty"`
	Kind  Kind   `json:"kind"`
	// Date is the most precise date its attestations agree on; when they
	// disagree (Disputed), the earliest attestation's date.
	Date Date `json:"date"`
	// Start and End bound the window [Start, End) in which the event took
	// effect: Date's window, or when disputed the span covering every
	// attestation's window.
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Disputed bool      `json:"disputed,omitempty"`
	NewName  string    `json:"new_name,omitempty"`
	Scope    []string  `json:"scope,omitempty"`
	// Attestations are the live records of the event, oldest first.
	Attestations []Record `json:"attestations"`
}
