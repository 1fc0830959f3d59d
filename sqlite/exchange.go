package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	driver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ bloc.ExchangeStore = (*DB)(nil)

// ---- agencies ----

const agencyCols = `id, party, name, identity, created, demo`

// CreateAgency stores a new agency. Created is set to now when zero.
func (db *DB) CreateAgency(ctx context.Context, a bloc.Agency) error {
	switch {
	case a.ID == "":
		return bloc.Errorf(bloc.EINVALID, "agency: id is empty")
	case a.Party == "":
		return bloc.Errorf(bloc.EINVALID, "agency %q: party is empty", a.ID)
	case a.Name == "":
		return bloc.Errorf(bloc.EINVALID, "agency %q: name is empty", a.ID)
	case !strings.HasPrefix(a.Identity, "identity--"):
		return bloc.Errorf(bloc.EINVALID, "agency %q: identity %q is not a STIX identity id (identity--<uuid>)", a.ID, a.Identity)
	}
	if a.Created.IsZero() {
		a.Created = db.Now()
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO agencies (`+agencyCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.Party, a.Name, a.Identity, storedInstant(a.Created), a.Demo)
	switch constraintCode(err) {
	case 0:
		return err
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return bloc.Errorf(bloc.ENOTFOUND, "agency %q: party %q not found", a.ID, a.Party)
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return bloc.Errorf(bloc.ECONFLICT, "agency %q exists", a.ID)
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return bloc.Errorf(bloc.ECONFLICT, "agency %q: identity %s belongs to another agency", a.ID, a.Identity)
	}
	return fmt.Errorf("create agency %q: %w", a.ID, err)
}

// Agency returns one agency.
func (db *DB) Agency(ctx context.Context, id string) (bloc.Agency, error) {
	a, err := scanAgency(db.read.QueryRowContext(ctx, `SELECT `+agencyCols+` FROM agencies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, bloc.Errorf(bloc.ENOTFOUND, "agency %q not found", id)
	}
	return a, err
}

// AgencyByIdentity finds an agency by its STIX identity id.
func (db *DB) AgencyByIdentity(ctx context.Context, identity string) (bloc.Agency, error) {
	a, err := scanAgency(db.read.QueryRowContext(ctx, `SELECT `+agencyCols+` FROM agencies WHERE identity = ?`, identity))
	if errors.Is(err, sql.ErrNoRows) {
		return a, bloc.Errorf(bloc.ENOTFOUND, "no agency has identity %s", identity)
	}
	return a, err
}

// Agencies lists every agency, ordered by id.
func (db *DB) Agencies(ctx context.Context) ([]bloc.Agency, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+agencyCols+` FROM agencies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []bloc.Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

func scanAgency(r interface{ Scan(...any) error }) (bloc.Agency, error) {
	var a bloc.Agency
	var created string
	if err := r.Scan(&a.ID, &a.Party, &a.Name, &a.Identity, &created, &a.Demo); err != nil {
		return bloc.Agency{}, err
	}
	var err error
	a.Created, err = parseStoredInstant(created)
	return a, err
}

// ---- tokens ----

const tokenCols = `id, agency, role, hash, created, expires_at, revoked_at, demo`

// CreateToken stores a new token (its hash). Created is set to now when zero.
func (db *DB) CreateToken(ctx context.Context, t bloc.Token) error {
	switch {
	case t.ID == "":
		return bloc.Errorf(bloc.EINVALID, "token: id is empty")
	case t.Agency == "":
		return bloc.Errorf(bloc.EINVALID, "token %q: agency is empty", t.ID)
	case !t.Role.Valid():
		return bloc.Errorf(bloc.EINVALID, "token %q: role %q is not read, write or registrar", t.ID, t.Role)
	case len(t.Hash) == 0:
		return bloc.Errorf(bloc.EINVALID, "token %q: hash is empty", t.ID)
	}
	if t.Created.IsZero() {
		t.Created = db.Now()
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Agency, string(t.Role), t.Hash, storedInstant(t.Created),
		nullInstant(t.ExpiresAt), nullInstant(t.RevokedAt), t.Demo)
	switch constraintCode(err) {
	case 0:
		return err
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return bloc.Errorf(bloc.ENOTFOUND, "token %q: agency %q not found", t.ID, t.Agency)
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return bloc.Errorf(bloc.ECONFLICT, "token %q exists", t.ID)
	}
	return fmt.Errorf("create token %q: %w", t.ID, err)
}

// Token returns one token.
func (db *DB) Token(ctx context.Context, id string) (bloc.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, bloc.Errorf(bloc.ENOTFOUND, "token %q not found", id)
	}
	return t, err
}

// Tokens lists the tokens of one agency (of all agencies when agency is
// ""), ordered by creation time then id.
func (db *DB) Tokens(ctx context.Context, agency string) ([]bloc.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE ? = '' OR agency = ? ORDER BY created, id`, agency, agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []bloc.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// RevokeToken sets RevokedAt. A token already revoked keeps its first
// revocation instant, so the audit trail says when it really stopped working.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		at = db.Now()
	}
	res, err := db.write.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, storedInstant(at), id)
	if err != nil {
		return fmt.Errorf("revoke token %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return bloc.Errorf(bloc.ENOTFOUND, "token %q not found", id)
	}
	return nil
}

func scanToken(r interface{ Scan(...any) error }) (bloc.Token, error) {
	var t bloc.Token
	var role, created string
	var expires, revoked sql.NullString
	if err := r.Scan(&t.ID, &t.Agency, &role, &t.Hash, &created, &expires, &revoked, &t.Demo); err != nil {
		return bloc.Token{}, err
	}
	t.Role = bloc.Role(role)
	var err error
	if t.Created, err = parseStoredInstant(created); err != nil {
		return t, err
	}
	if expires.Valid {
		if t.ExpiresAt, err = parseStoredInstant(expires.String); err != nil {
			return t, err
		}
	}
	if revoked.Valid {
		if t.RevokedAt, err = parseStoredInstant(revoked.String); err != nil {
			return t, err
		}
	}
	return t, nil
}

// ---- collections ----

const collectionCols = `id, bloc, title, description, alias, audience, created, demo`

// CreateCollection stores a new collection. Created is set to now when zero.
func (db *DB) CreateCollection(ctx context.Context, c bloc.Collection) error {
	switch {
	case c.ID == "":
		return bloc.Errorf(bloc.EINVALID, "collection: id is empty")
	case c.Bloc == "":
		return bloc.Errorf(bloc.EINVALID, "collection %s: bloc is empty", c.ID)
	case c.Title == "":
		return bloc.Errorf(bloc.EINVALID, "collection %s: title is empty", c.ID)
	case !c.Audience.Valid():
		return bloc.Errorf(bloc.EINVALID, "collection %s: audience %q is not members, members+observers or public", c.ID, c.Audience)
	}
	if c.Created.IsZero() {
		c.Created = db.Now()
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO collections (`+collectionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Bloc, c.Title, c.Description, c.Alias, string(c.Audience), storedInstant(c.Created), c.Demo)
	switch constraintCode(err) {
	case 0:
		return err
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return bloc.Errorf(bloc.ENOTFOUND, "collection %s: bloc %q not found", c.ID, c.Bloc)
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		if strings.Contains(err.Error(), "alias") {
			return bloc.Errorf(bloc.ECONFLICT, "collection %s: bloc %q already has a collection with alias %q", c.ID, c.Bloc, c.Alias)
		}
		return bloc.Errorf(bloc.ECONFLICT, "collection %s exists", c.ID)
	}
	return fmt.Errorf("create collection %s: %w", c.ID, err)
}

// Collection returns one collection.
func (db *DB) Collection(ctx context.Context, id string) (bloc.Collection, error) {
	c, err := scanCollection(db.read.QueryRowContext(ctx, `SELECT `+collectionCols+` FROM collections WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, bloc.Errorf(bloc.ENOTFOUND, "collection %s not found", id)
	}
	return c, err
}

// Collections lists the collections of a bloc in creation order (none, and
// no error, for a bloc that has none or does not exist).
func (db *DB) Collections(ctx context.Context, blocSlug string) ([]bloc.Collection, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+collectionCols+` FROM collections WHERE bloc = ? ORDER BY created, id`, blocSlug)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []bloc.Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

func scanCollection(r interface{ Scan(...any) error }) (bloc.Collection, error) {
	var c bloc.Collection
	var audience, created string
	if err := r.Scan(&c.ID, &c.Bloc, &c.Title, &c.Description, &c.Alias, &audience, &created, &c.Demo); err != nil {
		return bloc.Collection{}, err
	}
	c.Audience = bloc.Audience(audience)
	var err error
	c.Created, err = parseStoredInstant(created)
	return c, err
}

// collectionNum returns the internal key of a collection.
func collectionNum(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (int64, error) {
	var num int64
	err := q.QueryRowContext(ctx, `SELECT num FROM collections WHERE id = ?`, id).Scan(&num)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, bloc.Errorf(bloc.ENOTFOUND, "collection %s not found", id)
	}
	return num, err
}

// ---- objects ----

// PutObjects stores object versions in one write transaction; see
// bloc.ExchangeStore. An object whose exact version is already stored is
// never stored twice: if check accepts it anyway, it is reported as the
// already stored object, like a duplicate.
//
// In an embedded database the cost of a statement call, not of the work
// inside it, dominates small reads and writes. So PutObjects reads what the
// whole envelope needs in a few set queries (owners of its ids, versions of
// them already in the collection, the agencies and parties it names),
// decides every object in memory and in order (so an id repeated in the
// envelope sees its earlier versions), and writes with multi-row inserts.
func (db *DB) PutObjects(ctx context.Context, collection string, objs []bloc.Object, check func(o bloc.Object, owner string, exists bool) error) ([]bloc.PutResult, error) {
	tx, err := db.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the collection's write lock
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The transaction rolls back if ctx ends (database/sql watches it), so
	// its statements need not each be watched too, which the driver does
	// with a goroutine per statement: a thousand per envelope.
	ctx = context.WithoutCancel(ctx)
	var num, lastSeq, lastAdded int64
	err = tx.QueryRowContext(ctx, `SELECT num, last_seq, last_added FROM collections WHERE id = ?`, collection).Scan(&num, &lastSeq, &lastAdded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bloc.Errorf(bloc.ENOTFOUND, "collection %s not found", collection)
	} else if err != nil {
		return nil, err
	}

	results := make([]bloc.PutResult, len(objs))
	vus := make([]int64, len(objs)) // versions in µs
	storable := make([]bool, len(objs))
	ids := map[string]*idState{}
	producers, parties := map[string]bool{}, map[string]bool{}
	for i, o := range objs {
		o.Collection = collection
		results[i].Object = o
		v, err := checkStorable(o)
		if err != nil {
			results[i].Err = err
			continue
		}
		vus[i], storable[i] = v, true
		if ids[o.ID] == nil {
			ids[o.ID] = &idState{versions: map[int64]int{}}
		}
		producers[o.Producer], parties[o.OwnerParty] = false, false
	}
	if err := loadIDStates(ctx, tx, num, ids); err != nil {
		return nil, err
	}
	var lastIDNum int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(num), 0) FROM object_ids`).Scan(&lastIDNum); err != nil {
		return nil, err
	}
	if err := markExisting(ctx, tx, `SELECT id FROM agencies WHERE id IN `, producers); err != nil {
		return nil, err
	}
	if err := markExisting(ctx, tx, `SELECT code FROM parties WHERE code IN `, parties); err != nil {
		return nil, err
	}

	now := db.Now().UnixMicro()
	var stored []int            // results stored by this call, in seq order
	var oldDups []int           // results that are versions stored before this call
	inBatchDup := map[int]int{} // result → the result of this call it repeats
	for i := range objs {
		if !storable[i] {
			continue
		}
		o := results[i].Object
		if !producers[o.Producer] {
			results[i].Err = bloc.Errorf(bloc.ENOTFOUND, "object %s: producer agency %q not found", o.ID, o.Producer)
			continue
		}
		if !parties[o.OwnerParty] {
			results[i].Err = bloc.Errorf(bloc.ENOTFOUND, "object %s: owner party %q not found", o.ID, o.OwnerParty)
			continue
		}
		st := ids[o.ID]
		at, exists := st.versions[vus[i]]
		err := check(o, st.owner, exists)
		if exists && (err == nil || errors.Is(err, bloc.ErrDuplicate)) {
			if at >= 0 {
				inBatchDup[i] = at
			} else {
				oldDups = append(oldDups, i)
			}
			continue
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		lastSeq++
		lastAdded = max(now, lastAdded+1)
		o.Seq = lastSeq
		o.DateAdded = time.UnixMicro(lastAdded).UTC()
		results[i] = bloc.PutResult{Object: o, Stored: true}
		stored = append(stored, i)
		st.versions[vus[i]] = i
		if st.owner == "" {
			lastIDNum++
			st.num, st.owner, st.newOwner = lastIDNum, o.OwnerParty, true
		}
		if !st.any || vus[i] < st.min {
			st.min = vus[i]
		}
		if !st.any || vus[i] > st.max {
			st.max = vus[i]
		}
		st.any = true
	}

	// First and last are settled once, from each id's final range.
	for _, st := range ids {
		if !st.hadOld {
			continue
		}
		if st.min < st.oldMin {
			if _, err := tx.ExecContext(ctx, `UPDATE objects SET is_first = 0 WHERE coll = ? AND id_num = ? AND version_us = ?`, num, st.num, st.oldMin); err != nil {
				return nil, err
			}
		}
		if st.max > st.oldMax {
			if _, err := tx.ExecContext(ctx, `UPDATE objects SET is_last = 0 WHERE coll = ? AND id_num = ? AND version_us = ?`, num, st.num, st.oldMax); err != nil {
				return nil, err
			}
		}
	}
	for _, i := range stored {
		o := &results[i].Object
		st := ids[o.ID]
		o.First, o.Last = vus[i] == st.min, vus[i] == st.max
	}
	if err := insertIDs(ctx, tx, ids); err != nil {
		return nil, err
	}
	if err := insertObjects(ctx, tx, num, ids, results, vus, stored); err != nil {
		return nil, err
	}
	if err := loadDuplicates(ctx, tx, num, ids, results, vus, oldDups); err != nil {
		return nil, err
	}
	for i, at := range inBatchDup {
		results[i].Object = results[at].Object
	}
	if len(stored) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE collections SET last_seq = ?, last_added = ? WHERE num = ?`, lastSeq, lastAdded, num); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return results, nil
}

// idState is what PutObjects knows of one object id.
type idState struct {
	num      int64 // in object_ids; 0 until known or assigned
	owner    string
	newOwner bool // owner is the first writer, found in this call
	// versions maps each version (µs) stored in the collection to the result
	// of this call that stored it, or -1 for one stored before.
	versions       map[int64]int
	hadOld         bool // versions were stored before this call
	oldMin, oldMax int64
	any            bool // min and max are set
	min, max       int64
}

// setChunk bounds the number of values bound to one statement, well below
// SQLite's limit on variables.
const setChunk = 500

// inChunks calls f with successive chunks of keys.
func inChunks(keys []string, f func(chunk []string) error) error {
	for len(keys) > 0 {
		n := min(len(keys), setChunk)
		if err := f(keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// loadIDStates fills each id's number and owner, and for ids already
// known the versions stored in the collection (an index-only scan of
// objects_version). New ids cost one probe of object_ids and nothing more.
func loadIDStates(ctx context.Context, tx *sql.Tx, num int64, ids map[string]*idState) error {
	hashes := make([]any, 0, len(ids))
	for id := range ids {
		hashes = append(hashes, idHash(id))
	}
	// Index order: neighbouring probes touch neighbouring pages.
	slices.SortFunc(hashes, func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) })
	byNum := map[int64]*idState{}
	var nums []any
	for len(hashes) > 0 {
		chunk := hashes[:min(len(hashes), setChunk)]
		hashes = hashes[len(chunk):]
		err := func() error {
			rows, err := tx.QueryContext(ctx, `SELECT stix_id, num, owner_party FROM object_ids WHERE id_hash IN (`+placeholders(len(chunk))+`)`, chunk...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var n int64
				var owner string
				if err := rows.Scan(&id, &n, &owner); err != nil {
					return err
				}
				st := ids[id]
				if st == nil {
					continue // another id with the same hash
				}
				st.num, st.owner = n, owner
				byNum[n] = st
				nums = append(nums, n)
			}
			return rows.Err()
		}()
		if err != nil {
			return err
		}
	}
	for len(nums) > 0 {
		chunk := nums[:min(len(nums), setChunk)]
		nums = nums[len(chunk):]
		rows, err := tx.QueryContext(ctx, `SELECT id_num, version_us FROM objects INDEXED BY objects_version
			WHERE coll = ? AND id_num IN (`+placeholders(len(chunk))+`)`, append([]any{num}, chunk...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, v int64
			if err := rows.Scan(&n, &v); err != nil {
				rows.Close()
				return err
			}
			st := byNum[n]
			st.versions[v] = -1
			if !st.hadOld || v < st.oldMin {
				st.oldMin = v
			}
			if !st.hadOld || v > st.oldMax {
				st.oldMax = v
			}
			st.hadOld = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, st := range byNum {
		if st.hadOld {
			st.min, st.max, st.any = st.oldMin, st.oldMax, true
		}
	}
	return nil
}

// markExisting sets found[k] for each key that the query (a SELECT of one
// column ending in "IN ") finds.
func markExisting(ctx context.Context, tx *sql.Tx, query string, found map[string]bool) error {
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	return inChunks(keys, func(chunk []string) error {
		rows, err := tx.QueryContext(ctx, query+`(`+placeholders(len(chunk))+`)`, appendStrings(nil, chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			found[k] = true
		}
		return rows.Err()
	})
}

const (
	insertObjectCols = `coll, seq, id_num, stix_id, type, version, version_us, spec_version, date_added,
		producer, owner_party, tlp, recipients, labels, is_first, is_last, raw`
	insertObjectVars = 17
	insertObjectRows = 64 // rows per INSERT: 1,088 variables
)

func insertObjectsSQL(rows int) string {
	row := `(` + placeholders(insertObjectVars) + `)`
	return `INSERT INTO objects (` + insertObjectCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+`, `, rows), `, `)
}

// insertObjects writes the stored results, insertObjectRows per statement.
func insertObjects(ctx context.Context, tx *sql.Tx, num int64, ids map[string]*idState, results []bloc.PutResult, vus []int64, stored []int) error {
	var full *sql.Stmt
	if len(stored) >= insertObjectRows {
		var err error
		if full, err = tx.PrepareContext(ctx, insertObjectsSQL(insertObjectRows)); err != nil {
			return err
		}
		defer full.Close()
	}
	args := make([]any, 0, insertObjectRows*insertObjectVars)
	for len(stored) > 0 {
		n := min(len(stored), insertObjectRows)
		args = args[:0]
		for _, i := range stored[:n] {
			o := &results[i].Object
			recipients, labels, err := encodeMeta(*o)
			if err != nil {
				return err
			}
			args = append(args, num, o.Seq, ids[o.ID].num, o.ID, o.Type, o.Version, vus[i], o.Spec, o.DateAdded.UnixMicro(),
				o.Producer, o.OwnerParty, int64(o.TLP), recipients, labels, o.First, o.Last, []byte(o.Raw))
		}
		var err error
		if n == insertObjectRows {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertObjectsSQL(n), args...)
		}
		if err != nil {
			return fmt.Errorf("store objects: %w", err)
		}
		stored = stored[n:]
	}
	return nil
}

// insertIDs records the ids new to the store, with their numbers and
// first writers, one prepared single-row INSERT per id in hash order.
// Each new id lands on its own page of the random-keyed stix_id index; a
// multi-row INSERT into a table with foreign keys would first copy every
// page it touches into SQLite's statement journal (for a statement
// rollback this transaction never needs), which cost more than the
// INSERT itself. Sorted, neighbouring ids share the index's pages.
func insertIDs(ctx context.Context, tx *sql.Tx, ids map[string]*idState) error {
	var fresh []string
	for id, st := range ids {
		if st.newOwner {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	slices.SortFunc(fresh, func(a, b string) int { return cmp.Compare(idHash(a), idHash(b)) })
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO object_ids (num, id_hash, stix_id, owner_party) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range fresh {
		st := ids[id]
		if _, err := stmt.ExecContext(ctx, st.num, idHash(id), id, st.owner); err != nil {
			return fmt.Errorf("record object id %s: %w", id, err)
		}
	}
	return nil
}

// loadDuplicates fills the results that repeat versions stored before this
// call with those versions as they now stand.
func loadDuplicates(ctx context.Context, tx *sql.Tx, num int64, ids map[string]*idState, results []bloc.PutResult, vus []int64, dups []int) error {
	if len(dups) == 0 {
		return nil
	}
	want := map[string]map[int64][]int{}
	var nums []any
	for _, i := range dups {
		id := results[i].Object.ID
		if want[id] == nil {
			want[id] = map[int64][]int{}
			nums = append(nums, ids[id].num)
		}
		want[id][vus[i]] = append(want[id][vus[i]], i)
	}
	collection := results[dups[0]].Object.Collection
	for len(nums) > 0 {
		chunk := nums[:min(len(nums), setChunk)]
		nums = nums[len(chunk):]
		err := func() error {
			rows, err := tx.QueryContext(ctx, `SELECT version_us, `+objectCols+` FROM objects INDEXED BY objects_version
				WHERE coll = ? AND id_num IN (`+placeholders(len(chunk))+`)`, append([]any{num}, chunk...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var v int64
				o, err := scanObject(prefixScanner{rows, &v}, collection)
				if err != nil {
					return err
				}
				for _, i := range want[o.ID][v] {
					results[i].Object = o
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// prefixScanner scans one leading column into first, the rest as usual.
type prefixScanner struct {
	rows  *sql.Rows
	first any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.rows.Scan(append([]any{p.first}, dest...)...)
}

// checkStorable checks what the store itself needs of an object and returns
// its version in microseconds. Validating STIX is the caller's job.
func checkStorable(o bloc.Object) (int64, error) {
	switch {
	case o.ID == "":
		return 0, bloc.Errorf(bloc.EINVALID, "object has no id")
	case o.Type == "":
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: type is empty", o.ID)
	case o.Producer == "":
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: producer is empty", o.ID)
	case o.OwnerParty == "":
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: owner party is empty", o.ID)
	case len(o.Raw) == 0:
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: raw JSON is empty", o.ID)
	case o.TLP < bloc.TLPClear || o.TLP > bloc.TLPRed:
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: TLP level %d is undefined", o.ID, int(o.TLP))
	}
	v, err := parseVersion(o.Version)
	if err != nil {
		return 0, bloc.Errorf(bloc.EINVALID, "object %s: version %q is not an RFC 3339 timestamp", o.ID, o.Version)
	}
	return v, nil
}

// parseVersion reads a STIX version timestamp as microseconds since the
// epoch; two spellings of the same instant are the same version.
func parseVersion(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	return t.UnixMicro(), nil
}

func encodeMeta(o bloc.Object) (recipients, labels any, err error) {
	if len(o.Recipients.Parties) > 0 || len(o.Recipients.Identities) > 0 {
		b, err := json.Marshal(o.Recipients)
		if err != nil {
			return nil, nil, err
		}
		recipients = string(b)
	}
	if len(o.Labels) > 0 {
		b, err := json.Marshal(o.Labels)
		if err != nil {
			return nil, nil, err
		}
		labels = string(b)
	}
	return recipients, labels, nil
}

const objectCols = `seq, stix_id, type, version, spec_version, date_added, producer, owner_party, tlp, recipients, labels, is_first, is_last, raw`

func scanObject(r interface{ Scan(...any) error }, collection string) (bloc.Object, error) {
	o := bloc.Object{Collection: collection}
	var added, tlp int64
	var recipients, labels []byte
	var raw []byte
	if err := r.Scan(&o.Seq, &o.ID, &o.Type, &o.Version, &o.Spec, &added, &o.Producer, &o.OwnerParty,
		&tlp, &recipients, &labels, &o.First, &o.Last, &raw); err != nil {
		return bloc.Object{}, err
	}
	o.DateAdded = time.UnixMicro(added).UTC()
	o.TLP = bloc.TLP(tlp)
	o.Raw = raw
	if recipients != nil {
		if err := json.Unmarshal(recipients, &o.Recipients); err != nil {
			return o, fmt.Errorf("object %s: stored recipients: %w", o.ID, err)
		}
	}
	if labels != nil {
		if err := json.Unmarshal(labels, &o.Labels); err != nil {
			return o, fmt.Errorf("object %s: stored labels: %w", o.ID, err)
		}
	}
	return o, nil
}

// Objects lists object versions of a collection in seq order; see
// bloc.ExchangeStore. Every shape of query is an index range scan in seq
// order that stops after Limit rows: by (coll, seq) in general, by
// (coll, type, seq) per type for match[type], and by (coll, id_num) for
// match[id], whose result is small.
func (db *DB) Objects(ctx context.Context, q bloc.ObjectQuery) ([]bloc.Object, error) {
	num, err := collectionNum(ctx, db.read, q.Collection)
	if err != nil {
		return nil, err
	}
	after := q.AfterSeq
	if !q.AddedAfter.IsZero() {
		// date_added grows with seq, so added_after is a starting seq: the
		// range scan starts there instead of filtering from the beginning.
		var start sql.NullInt64
		if err := db.read.QueryRowContext(ctx, `SELECT seq FROM objects INDEXED BY objects_added
			WHERE coll = ? AND date_added <= ? ORDER BY date_added DESC LIMIT 1`, num, q.AddedAfter.UnixMicro()).Scan(&start); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		after = max(after, start.Int64)
	}
	query, all, err := objectsSQL(q, num, after)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, query, all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var objs []bloc.Object
	if q.Limit > 0 {
		objs = make([]bloc.Object, 0, min(q.Limit, 1000))
	}
	for rows.Next() {
		o, err := scanObject(rows, q.Collection)
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
	return objs, rows.Err()
}

// objectsSQL builds the page query of Objects, starting after seq after.
func objectsSQL(q bloc.ObjectQuery, num, after int64) (string, []any, error) {
	var cond strings.Builder
	var args []any
	if !q.AddedAfter.IsZero() {
		// Rows written after the starting seq was found may still be before
		// added_after (when it is in the future), so the condition stays.
		cond.WriteString(` AND date_added > ?`)
		args = append(args, q.AddedAfter.UnixMicro())
	}
	if len(q.Specs) > 0 {
		cond.WriteString(` AND spec_version IN (` + placeholders(len(q.Specs)) + `)`)
		args = appendStrings(args, q.Specs)
	}
	vcond, vargs, err := versionCondition(q.Versions)
	if err != nil {
		return "", nil, err
	}
	cond.WriteString(vcond)
	args = append(args, vargs...)

	limit := int64(q.Limit)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var query string
	var all []any
	switch {
	case len(q.IDs) > 0:
		query = `SELECT ` + objectCols + ` FROM objects INDEXED BY objects_version
			WHERE coll = ? AND id_num IN (SELECT num FROM object_ids WHERE id_hash IN (` + placeholders(len(q.IDs)) + `) AND stix_id IN (` + placeholders(len(q.IDs)) + `)) AND seq > ?` + cond.String()
		all = []any{num}
		for _, id := range q.IDs {
			all = append(all, idHash(id))
		}
		all = append(appendStrings(all, q.IDs), after)
		all = append(all, args...)
		if len(q.Types) > 0 {
			query += ` AND type IN (` + placeholders(len(q.Types)) + `)`
			all = appendStrings(all, q.Types)
		}
		query += ` ORDER BY seq LIMIT ?`
		all = append(all, limit)
	case len(q.Types) == 1:
		query = `SELECT ` + objectCols + ` FROM objects INDEXED BY objects_type
			WHERE coll = ? AND type = ? AND seq > ?` + cond.String() + ` ORDER BY seq LIMIT ?`
		all = append([]any{num, q.Types[0], after}, args...)
		all = append(all, limit)
	case len(q.Types) > 1:
		// One range scan per type, each stopping at Limit, merged by seq.
		// The branches carry only seq: SQLite re-sorts each branch (it does
		// not carry a subquery's order into the merge), and sorting integers
		// is cheap where sorting whole rows is not. The page's rows are then
		// read by seq.
		types := slices.Compact(slices.Sorted(slices.Values(q.Types))) // a repeated type must not repeat rows
		parts := make([]string, len(types))
		all = []any{num}
		for i, typ := range types {
			parts[i] = `SELECT seq FROM (SELECT seq FROM objects INDEXED BY objects_type
				WHERE coll = ? AND type = ? AND seq > ?` + cond.String() + ` ORDER BY seq LIMIT ?)`
			all = append(all, num, typ, after)
			all = append(all, args...)
			all = append(all, limit)
		}
		query = `SELECT ` + objectCols + ` FROM objects INDEXED BY objects_seq WHERE coll = ? AND seq IN (` +
			strings.Join(parts, ` UNION ALL `) + ` ORDER BY seq LIMIT ?) ORDER BY seq`
		all = append(all, limit)
	default:
		query = `SELECT ` + objectCols + ` FROM objects INDEXED BY objects_seq
			WHERE coll = ? AND seq > ?` + cond.String() + ` ORDER BY seq LIMIT ?`
		all = append([]any{num, after}, args...)
		all = append(all, limit)
	}
	return query, all, nil
}

// versionCondition turns match[version] selectors into SQL: the selectors
// combine with OR; "all" anywhere selects everything; none means "last".
func versionCondition(versions []string) (string, []any, error) {
	if len(versions) == 0 {
		return ` AND is_last = 1`, nil, nil
	}
	var terms []string
	var args []any
	var exact []any
	for _, v := range versions {
		switch v {
		case "all":
			return "", nil, nil
		case "first":
			terms = append(terms, `is_first = 1`)
		case "last":
			terms = append(terms, `is_last = 1`)
		default:
			us, err := parseVersion(v)
			if err != nil {
				return "", nil, bloc.Errorf(bloc.EINVALID, "match[version] %q is not first, last, all or an RFC 3339 timestamp", v)
			}
			exact = append(exact, us)
		}
	}
	if len(exact) > 0 {
		terms = append(terms, `version_us IN (`+placeholders(len(exact))+`)`)
		args = exact
	}
	return ` AND (` + strings.Join(terms, ` OR `) + `)`, args, nil
}

// DeleteObject removes versions of an object from a collection (all when
// versions is empty) and marks the first and last of what remains.
func (db *DB) DeleteObject(ctx context.Context, collection, id string, versions []string) (int, error) {
	vs := make([]any, len(versions))
	for i, v := range versions {
		us, err := parseVersion(v)
		if err != nil {
			return 0, bloc.Errorf(bloc.EINVALID, "object %s: version %q is not an RFC 3339 timestamp", id, v)
		}
		vs[i] = us
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	num, err := collectionNum(ctx, tx, collection)
	if err != nil {
		return 0, err
	}
	var idNum int64
	err = tx.QueryRowContext(ctx, `SELECT num FROM object_ids WHERE id_hash = ? AND stix_id = ?`, idHash(id), id).Scan(&idNum)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // never written anywhere
	} else if err != nil {
		return 0, err
	}
	del := `DELETE FROM objects WHERE coll = ? AND id_num = ?`
	args := []any{num, idNum}
	if len(vs) > 0 {
		del += ` AND version_us IN (` + placeholders(len(vs)) + `)`
		args = append(args, vs...)
	}
	res, err := tx.ExecContext(ctx, del, args...)
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE objects SET
			is_first = (version_us = (SELECT MIN(version_us) FROM objects WHERE coll = ?1 AND id_num = ?2)),
			is_last  = (version_us = (SELECT MAX(version_us) FROM objects WHERE coll = ?1 AND id_num = ?2))
			WHERE coll = ?1 AND id_num = ?2`, num, idNum); err != nil {
			return 0, fmt.Errorf("delete %s: mark first and last: %w", id, err)
		}
	}
	return int(n), tx.Commit()
}

// ---- statuses ----

// SaveStatus stores a status resource, replacing one with the same id.
func (db *DB) SaveStatus(ctx context.Context, s bloc.Status) error {
	if s.ID == "" {
		return bloc.Errorf(bloc.EINVALID, "status: id is empty")
	}
	var details [3]any
	for i, d := range [][]bloc.StatusDetail{s.Successes, s.Failures, s.Pendings} {
		if len(d) == 0 {
			continue
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		details[i] = string(b)
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO statuses (id, collection, agency, party, status, request_at, successes, failures, pendings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, agency = excluded.agency, party = excluded.party,
			status = excluded.status, request_at = excluded.request_at,
			successes = excluded.successes, failures = excluded.failures, pendings = excluded.pendings`,
		s.ID, s.Collection, s.Agency, s.Party, s.Status, storedInstant(s.RequestAt), details[0], details[1], details[2])
	if constraintCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return bloc.Errorf(bloc.ENOTFOUND, "status %s: collection %s, agency %q or party %q not found", s.ID, s.Collection, s.Agency, s.Party)
	} else if err != nil {
		return fmt.Errorf("save status %s: %w", s.ID, err)
	}
	return nil
}

// Status returns one status resource.
func (db *DB) Status(ctx context.Context, id string) (bloc.Status, error) {
	var s bloc.Status
	var requestAt string
	var details [3][]byte
	err := db.read.QueryRowContext(ctx, `SELECT id, collection, agency, party, status, request_at, successes, failures, pendings
		FROM statuses WHERE id = ?`, id).Scan(&s.ID, &s.Collection, &s.Agency, &s.Party, &s.Status, &requestAt, &details[0], &details[1], &details[2])
	if errors.Is(err, sql.ErrNoRows) {
		return s, bloc.Errorf(bloc.ENOTFOUND, "status %s not found", id)
	} else if err != nil {
		return s, err
	}
	if s.RequestAt, err = parseStoredInstant(requestAt); err != nil {
		return s, err
	}
	for i, dst := range []*[]bloc.StatusDetail{&s.Successes, &s.Failures, &s.Pendings} {
		if details[i] == nil {
			continue
		}
		if err := json.Unmarshal(details[i], dst); err != nil {
			return s, fmt.Errorf("status %s: stored details: %w", id, err)
		}
	}
	return s, nil
}

// ---- helpers of this file ----

// constraintCode returns the extended SQLite result code of a constraint
// violation, 0 for nil, and -1 for any other error.
func constraintCode(err error) int {
	if err == nil {
		return 0
	}
	var e *driver.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return e.Code()
	}
	return -1
}

func nullInstant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return storedInstant(t)
}

// storedLayout writes instants at a fixed width so that text order is time
// order (ORDER BY created) and nanoseconds survive the round trip.
const storedLayout = "2006-01-02T15:04:05.000000000Z"

func storedInstant(t time.Time) string { return t.UTC().Format(storedLayout) }

func parseStoredInstant(s string) (time.Time, error) {
	t, err := time.Parse(storedLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return t, nil
}

// idHash is the key of object_ids_hash: FNV-1a (64 bits) of a STIX id.
func idHash(id string) int64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return int64(h)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func appendStrings(args []any, ss []string) []any {
	for _, s := range ss {
		args = append(args, s)
	}
	return args
}
