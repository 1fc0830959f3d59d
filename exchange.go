package bloc

import (
	"encoding/json"
	"time"
)

// Role is what a token may do.
type Role string

const (
	RoleRead      Role = "read"      // read collections the agency's party may read
	RoleWrite     Role = "write"     // also write objects
	RoleRegistrar Role = "registrar" // also manage blocs, collections, agencies and the record
)

// Valid reports whether r is a defined role.
func (r Role) Valid() bool { return r == RoleRead || r == RoleWrite || r == RoleRegistrar }

// Agency is a security service of a party. It is a STIX identity
// (identity_class organization) and holds API credentials.
type Agency struct {
	ID       string    `json:"id"` // short slug, e.g. "kaz-knb"
	Party    string    `json:"party"`
	Name     string    `json:"name"`
	Identity string    `json:"identity"` // identity--<uuid>
	Created  time.Time `json:"created"`
	Demo     bool      `json:"demo,omitempty"`
}

// Token is an API credential of an agency. Only a hash of the secret is
// stored; the secret is shown once, when the token is created.
type Token struct {
	ID        string    `json:"id"`
	Agency    string    `json:"agency"`
	Role      Role      `json:"role"`
	Hash      []byte    `json:"-"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Demo      bool      `json:"demo,omitempty"`
}

// Audience says who a collection is for.
type Audience string

const (
	AudienceMembers          Audience = "members"
	AudienceMembersObservers Audience = "members+observers"
	AudiencePublic           Audience = "public"
)

// Valid reports whether a is a defined audience.
func (a Audience) Valid() bool {
	return a == AudienceMembers || a == AudienceMembersObservers || a == AudiencePublic
}

// Collection is a TAXII collection of one bloc.
type Collection struct {
	ID          string    `json:"id"` // UUID, as TAXII requires
	Bloc        string    `json:"bloc"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Alias       string    `json:"alias,omitempty"`
	Audience    Audience  `json:"audience"`
	Created     time.Time `json:"created"`
	Demo        bool      `json:"demo,omitempty"`
}

// TLP is a Traffic Light Protocol level, ordered from least to most
// restrictive.
type TLP int

const (
	TLPClear TLP = iota
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

var tlpNames = [...]string{"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}

func (t TLP) String() string {
	if t < 0 || int(t) >= len(tlpNames) {
		return "TLP?"
	}
	return "TLP:" + tlpNames[t]
}

// Recipients are the named recipients of an object, from the bloc
// property-extension: party codes and agency identity ids.
type Recipients struct {
	Parties    []string `json:"parties,omitempty"`
	Identities []string `json:"identities,omitempty"`
}

// Object is one stored version of a STIX object in a collection, with the
// trusted metadata the server derived when it was written. Access decisions
// read these fields, never the object's own claims.
type Object struct {
	Collection string    `json:"collection"`
	Seq        int64     `json:"seq"` // position in the collection; strictly increasing with DateAdded
	ID         string    `json:"id"`  // STIX id
	Type       string    `json:"type"`
	Version    string    `json:"version"` // modified, else created, else DateAdded for SCOs (RFC 3339, ms or µs)
	Spec       string    `json:"spec_version"`
	DateAdded  time.Time `json:"date_added"`
	// Producer is the agency that wrote this version; OwnerParty its party.
	Producer   string     `json:"producer"`
	OwnerParty string     `json:"owner_party"`
	TLP        TLP        `json:"tlp"`
	Recipients Recipients `json:"recipients,omitzero"`
	Labels     []string   `json:"labels,omitempty"`
	// First and Last mark the object's first and latest version in the collection.
	First bool            `json:"-"`
	Last  bool            `json:"-"`
	Raw   json.RawMessage `json:"-"` // the STIX JSON as received
}
