package bloc

import (
	"context"
	"time"
)

// RecordStore keeps blocs, parties and the append-only membership record.
// Implementations: sqlite (and later postgres); both must pass storetest.
//
// Not-found is reported as an *Error with code ENOTFOUND, never as a zero
// value with a nil error.
type RecordStore interface {
	Blocs(ctx context.Context) ([]Bloc, error)
	Bloc(ctx context.Context, slug string) (Bloc, error)
	// CreateBloc fails with ECONFLICT if the slug exists.
	CreateBloc(ctx context.Context, b Bloc) error

	Parties(ctx context.Context) ([]Party, error)
	Party(ctx context.Context, code string) (Party, error)
	// CreateParty fails with ECONFLICT if the code exists.
	CreateParty(ctx context.Context, p Party) error

	// Records returns every record of the given blocs (all blocs when none
	// is given), ordered by id.
	Records(ctx context.Context, blocs ...string) ([]Record, error)
	// PartyRecords returns every record about one party, ordered by id.
	PartyRecords(ctx context.Context, party string) ([]Record, error)

	// Append adds records atomically. Inside one write transaction, holding
	// a lock that excludes every other Append on the same blocs (on any
	// node), it reads the current records of the blocs named in blocs and
	// calls check with them; check validates the new records against the
	// current record (pure code) and returns them, or an error that aborts
	// the whole transaction. Append assigns IDs (in order), fills EventID
	// (a record with EventID 0 starts a new event: EventID = its own ID; a
	// negative EventID -n refers to the n-th record of the same batch,
	// 1-based, so one batch can attest its own new events) and RecordedAt
	// where zero; a negative Supersedes -n likewise refers to the n-th
	// record of the batch. It returns the stored records.
	Append(ctx context.Context, blocs []string, check func(current []Record) ([]Record, error)) ([]Record, error)

	// RecordVersion grows whenever a record, bloc or party is added; caches
	// compare it to know whether they are stale (on any node).
	RecordVersion(ctx context.Context) (int64, error)
}

// ExchangeStore keeps agencies, tokens, collections and STIX objects.
type ExchangeStore interface {
	CreateAgency(ctx context.Context, a Agency) error
	Agency(ctx context.Context, id string) (Agency, error)
	// AgencyByIdentity finds an agency by its STIX identity id.
	AgencyByIdentity(ctx context.Context, identity string) (Agency, error)
	Agencies(ctx context.Context) ([]Agency, error)

	CreateToken(ctx context.Context, t Token) error
	Token(ctx context.Context, id string) (Token, error)
	Tokens(ctx context.Context, agency string) ([]Token, error) // all agencies when agency == ""
	// RevokeToken sets RevokedAt; revoking a revoked token is not an error.
	RevokeToken(ctx context.Context, id string, at time.Time) error

	CreateCollection(ctx context.Context, c Collection) error
	Collection(ctx context.Context, id string) (Collection, error)
	Collections(ctx context.Context, bloc string) ([]Collection, error)

	// PutObjects stores object versions in a collection in one transaction
	// holding the collection's write lock. For each object, check is called
	// with the party that owns the object id (first writer, in any
	// collection; "" if new) and whether this exact version is already
	// stored; it returns nil to store, ErrDuplicate to skip silently
	// (idempotent re-POST), or an error to refuse that object alone. Stored
	// objects get Seq and DateAdded (strictly increasing within the
	// collection, DateAdded never before now) and First/Last. The result
	// has one entry per input, in order: the stored (or already stored)
	// object, or the error.
	PutObjects(ctx context.Context, collection string, objs []Object, check func(o Object, owner string, exists bool) error) ([]PutResult, error)

	// Objects lists object versions of a collection in Seq order after
	// q.AfterSeq, applying q's filters, at most q.Limit rows (the caller
	// applies access rules and may ask again from the last Seq).
	Objects(ctx context.Context, q ObjectQuery) ([]Object, error)
	// DeleteObject removes versions of an object from a collection
	// (all versions when versions is empty) and returns how many it removed.
	DeleteObject(ctx context.Context, collection, id string, versions []string) (int, error)

	SaveStatus(ctx context.Context, s Status) error
	Status(ctx context.Context, id string) (Status, error)
}

// ErrDuplicate is returned by a PutObjects check to skip an already stored
// version without error.
var ErrDuplicate = Errorf(ECONFLICT, "this version is already stored")

// PutResult is the outcome of one object of a PutObjects call.
type PutResult struct {
	Object Object
	Err    error
	// Stored is true if this call stored the object (false for a duplicate).
	Stored bool
}

// ObjectQuery selects object versions of one collection.
type ObjectQuery struct {
	Collection string
	AfterSeq   int64     // exclusive
	AddedAfter time.Time // exclusive; zero for none
	IDs        []string  // match[id]
	Types      []string  // match[type]
	Specs      []string  // match[spec_version]
	// Versions: "first", "last", "all" or exact version timestamps; empty means "last".
	Versions []string
	Limit    int
}

// Status is a TAXII status resource of one POST of an envelope.
type Status struct {
	ID         string         `json:"id"`
	Collection string         `json:"-"`
	Agency     string         `json:"-"` // who posted; only that agency's party may read it
	Party      string         `json:"-"`
	Status     string         `json:"status"` // "complete" (bloc processes envelopes synchronously)
	RequestAt  time.Time      `json:"request_timestamp"`
	Successes  []StatusDetail `json:"successes,omitempty"`
	Failures   []StatusDetail `json:"failures,omitempty"`
	Pendings   []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail names one object of a status resource.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// Store is everything bloc keeps.
type Store interface {
	RecordStore
	ExchangeStore
	Close() error
}
