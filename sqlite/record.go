package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/blocsec/bloc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ bloc.RecordStore = (*DB)(nil)

// querier is what reads need: the read pool, or the write transaction when a
// read must see (and be serialised with) the writer's view.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Blocs returns every bloc, ordered by slug.
func (db *DB) Blocs(ctx context.Context) ([]bloc.Bloc, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+blocColumns+` FROM blocs ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("blocs: %w", err)
	}
	defer rows.Close()
	var bs []bloc.Bloc
	for rows.Next() {
		b, err := scanBloc(rows)
		if err != nil {
			return nil, err
		}
		bs = append(bs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("blocs: %w", err)
	}
	return bs, nil
}

// Bloc returns one bloc, or ENOTFOUND.
func (db *DB) Bloc(ctx context.Context, slug string) (bloc.Bloc, error) {
	b, err := scanBloc(db.read.QueryRowContext(ctx, `SELECT `+blocColumns+` FROM blocs WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return bloc.Bloc{}, bloc.Errorf(bloc.ENOTFOUND, "no bloc %q", slug)
	}
	return b, err
}

// CreateBloc stores a new bloc; ECONFLICT if the slug is taken.
func (db *DB) CreateBloc(ctx context.Context, b bloc.Bloc) error {
	if b.Slug == "" {
		return bloc.Errorf(bloc.EINVALID, "a bloc needs a slug")
	}
	if err := checkDate(b.Founded); err != nil {
		return bloc.Errorf(bloc.EINVALID, "bloc %q founded: %v", b.Slug, err)
	}
	b.Founded.Start = b.Founded.Start.UTC()
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO blocs (slug, name, founded, place, instrument, demo) VALUES (?, ?, ?, ?, ?, ?)`,
		b.Slug, b.Name, dateArg(b.Founded), b.Place, b.Instrument, b.Demo)
	if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return bloc.Errorf(bloc.ECONFLICT, "bloc %q already exists", b.Slug)
	}
	if err != nil {
		return fmt.Errorf("create bloc %q: %w", b.Slug, err)
	}
	return nil
}

const blocColumns = `slug, name, founded, place, instrument, demo`

func scanBloc(row interface{ Scan(...any) error }) (bloc.Bloc, error) {
	var b bloc.Bloc
	var founded string
	if err := row.Scan(&b.Slug, &b.Name, optional{&founded}, &b.Place, &b.Instrument, &b.Demo); err != nil {
		return bloc.Bloc{}, err
	}
	var err error
	if b.Founded, err = parseDate(founded, ""); err != nil {
		return bloc.Bloc{}, fmt.Errorf("bloc %q founded: %w", b.Slug, err)
	}
	return b, nil
}

// Parties returns every party with its aliases, ordered by code.
func (db *DB) Parties(ctx context.Context) ([]bloc.Party, error) {
	return db.parties(ctx, "")
}

// Party returns one party, or ENOTFOUND.
func (db *DB) Party(ctx context.Context, code string) (bloc.Party, error) {
	ps, err := db.parties(ctx, code)
	if err != nil {
		return bloc.Party{}, err
	}
	if len(ps) == 0 {
		return bloc.Party{}, bloc.Errorf(bloc.ENOTFOUND, "no party %q", code)
	}
	return ps[0], nil
}

// parties reads all parties, or the one with code when code is not empty.
// One query with a left join keeps it to a single round trip.
func (db *DB) parties(ctx context.Context, code string) ([]bloc.Party, error) {
	q := `SELECT p.code, p.name, a.alias FROM parties p LEFT JOIN party_aliases a ON a.party = p.code`
	var args []any
	if code != "" {
		q += ` WHERE p.code = ?`
		args = append(args, code)
	}
	q += ` ORDER BY p.code, a.position`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	defer rows.Close()
	var ps []bloc.Party
	for rows.Next() {
		var c, name string
		var alias sql.NullString
		if err := rows.Scan(&c, &name, &alias); err != nil {
			return nil, fmt.Errorf("parties: %w", err)
		}
		if len(ps) == 0 || ps[len(ps)-1].Code != c {
			ps = append(ps, bloc.Party{Code: c, Name: name})
		}
		if alias.Valid {
			p := &ps[len(ps)-1]
			p.Aliases = append(p.Aliases, alias.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	return ps, nil
}

// CreateParty stores a new party and its aliases; ECONFLICT if the code is
// taken.
func (db *DB) CreateParty(ctx context.Context, p bloc.Party) error {
	if p.Code == "" {
		return bloc.Errorf(bloc.EINVALID, "a party needs a code")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO parties (code, name) VALUES (?, ?)`, p.Code, p.Name)
	if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return bloc.Errorf(bloc.ECONFLICT, "party %q already exists", p.Code)
	}
	if err != nil {
		return fmt.Errorf("create party %q: %w", p.Code, err)
	}
	for i, a := range p.Aliases {
		if _, err := tx.ExecContext(ctx, `INSERT INTO party_aliases (party, position, alias) VALUES (?, ?, ?)`, p.Code, i, a); err != nil {
			return fmt.Errorf("create party %q alias %q: %w", p.Code, a, err)
		}
	}
	return tx.Commit()
}

// isConstraint reports whether err is the SQLite constraint violation with
// the given extended result code.
func isConstraint(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == code
}

// Records returns the records of the given blocs (all when none), by id.
func (db *DB) Records(ctx context.Context, blocs ...string) ([]bloc.Record, error) {
	return readRecords(ctx, db.read, blocs)
}

// PartyRecords returns every record about one party, by id.
func (db *DB) PartyRecords(ctx context.Context, party string) ([]bloc.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordColumns+` FROM records WHERE party = ? ORDER BY id`, party)
	if err != nil {
		return nil, fmt.Errorf("records of party %q: %w", party, err)
	}
	return scanRecords(rows, 0)
}

// RecordVersion grows with every record, bloc and party added: all three
// tables are insert-only, so the highest record id plus the numbers of
// blocs and parties can only increase. SQLite answers MAX of the rowid from
// the end of the b-tree, and the two counts walk small tables.
func (db *DB) RecordVersion(ctx context.Context) (int64, error) {
	st, err := db.version.get(ctx, db.read, `SELECT COALESCE((SELECT MAX(id) FROM records), 0)
		+ (SELECT COUNT(*) FROM blocs) + (SELECT COUNT(*) FROM parties)`)
	if err != nil {
		return 0, fmt.Errorf("record version: %w", err)
	}
	var v int64
	if err := st.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("record version: %w", err)
	}
	return v, nil
}

// lazyStmt is a statement prepared on first use and kept until close.
type lazyStmt struct {
	mu sync.Mutex
	st *sql.Stmt
}

func (l *lazyStmt) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.st == nil {
		st, err := db.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		l.st = st
	}
	return l.st, nil
}

func (l *lazyStmt) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.st != nil {
		l.st.Close()
		l.st = nil
	}
}

func readRecords(ctx context.Context, q querier, blocs []string) ([]bloc.Record, error) {
	where := ``
	args := make([]any, len(blocs))
	if len(blocs) > 0 {
		where = ` WHERE bloc IN (?` + strings.Repeat(", ?", len(blocs)-1) + `)`
		for i, b := range blocs {
			args[i] = b
		}
	}
	// Counting first (from the index) lets the result be allocated once:
	// growing it by doubling copied every record about twice and left the
	// old arrays as garbage — a fifth of the CPU of reading a bloc. The
	// count is only a capacity: a write in between merely costs a copy.
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM records`+where, args...).Scan(&n); err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+recordColumns+` FROM records`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	return scanRecords(rows, n)
}

// recordColumns are the columns of records in the order scanRecords reads
// and insertColumns writes them.
const recordColumns = `id, event_id, bloc, party, kind, date, new_name, scope,
	source_title, source_publisher, source_url, source_published,
	quote, note, recorded_at, recorded_by, supersedes, retracts`

const insertColumns = recordColumns

const recordColumnCount = 18

// retractsColumn is the place of retracts in insertColumns: NOT NULL with
// a default of 0, so it is left out unless a row retracts.
const retractsColumn = recordColumnCount - 1

var notRetracted any = int64(0)

// optional scans a nullable text column: NULL reads as "". (Absent text is
// stored as NULL; reading NULL also spares the driver fetching a value.)
type optional struct{ s *string }

func (o optional) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o.s = ""
	case string:
		*o.s = v
	case []byte:
		*o.s = string(v)
	default:
		return fmt.Errorf("text column holds %T", v)
	}
	return nil
}

// optionalID scans a nullable record id: NULL reads as 0.
type optionalID struct{ id *int64 }

func (o optionalID) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o.id = 0
	case int64:
		*o.id = v
	default:
		return fmt.Errorf("id column holds %T", v)
	}
	return nil
}

// scanRecords reads rows of recordColumns; n is the expected number.
func scanRecords(rows *sql.Rows, n int) ([]bloc.Record, error) {
	defer rows.Close()
	rs := make([]bloc.Record, 0, n)
	var kind, date, scope, published string
	var at int64
	for rows.Next() {
		var r bloc.Record
		if err := rows.Scan(&r.ID, &r.EventID, &r.Bloc, optional{&r.Party}, &kind, &date, optional{&r.NewName}, optional{&scope},
			optional{&r.Source.Title}, optional{&r.Source.Publisher}, optional{&r.Source.URL}, optional{&published},
			optional{&r.Quote}, optional{&r.Note}, &at, optional{&r.RecordedBy}, optionalID{&r.Supersedes}, &r.Retracts); err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
		r.Kind = bloc.Kind(kind)
		var err error
		if r.Date, err = parseDate(date, ""); err != nil {
			return nil, fmt.Errorf("record %d date: %w", r.ID, err)
		}
		if r.Source.Published, err = parseDate(published, ""); err != nil {
			return nil, fmt.Errorf("record %d source published: %w", r.ID, err)
		}
		r.RecordedAt = time.Unix(0, at).UTC()
		if scope != "" {
			if err := json.Unmarshal([]byte(scope), &r.Scope); err != nil {
				return nil, fmt.Errorf("record %d scope: %w", r.ID, err)
			}
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	return rs, nil
}

// Append adds records atomically; see bloc.RecordStore. It resolves the
// records check returns in place (ids, references, record time) and returns
// that same slice, so that a large import is not copied; after an error
// some of them may have been resolved although nothing was stored.
//
// The whole call is one write transaction. db.write has a single connection
// and begins transactions IMMEDIATE, so it holds SQLite's write lock from
// the first statement: every other Append (in this process or another)
// waits, which is the exclusion the interface asks for, for all blocs at
// once. A PostgreSQL store will take pg_advisory_xact_lock per named bloc
// instead, so that appends to different blocs proceed in parallel.
//
// An empty blocs means all blocs: check sees the whole record.
func (db *DB) Append(ctx context.Context, blocs []string, check func(current []bloc.Record) ([]bloc.Record, error)) ([]bloc.Record, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	defer conn.Close()
	// Foreign keys are off for the insert: checking four parent keys per row
	// costs about a fifth of a bulk import, and checkReferences below makes
	// the same checks once per distinct bloc, party and record reference.
	// The pragma only takes effect outside a transaction, so it is set on
	// the pinned connection before BEGIN and restored after; a connection
	// that cannot be restored is discarded, never reused without them.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	defer tx.Rollback()

	current, err := readRecords(ctx, tx, blocs)
	if err != nil {
		return nil, err
	}
	recs, err := check(current)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return recs, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM records`).Scan(&last); err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	if err := resolveBatch(recs, blocs, last, db.Now().UTC()); err != nil {
		return nil, err
	}
	if err := checkReferences(ctx, tx, recs, last); err != nil {
		return nil, err
	}
	if err := insertRecords(ctx, conn, recs); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("append: commit: %w", err)
	}
	return recs, nil
}

// resolveBatch assigns ids after last, resolves batch-relative references
// and fills RecordedAt, in place. It refuses a record outside the locked
// blocs or a reference that cannot be right, naming the record.
func resolveBatch(recs []bloc.Record, blocs []string, last int64, now time.Time) error {
	locked := make(map[string]bool, len(blocs))
	for _, b := range blocs {
		locked[b] = true
	}
	for i := range recs {
		r := &recs[i]
		n := int64(i + 1) // 1-based position in the batch
		where := func() string { return fmt.Sprintf("record %d of the batch (%s %s %s)", n, r.Bloc, r.Party, r.Kind) }
		if len(blocs) > 0 && !locked[r.Bloc] {
			return bloc.Errorf(bloc.EINVALID, "%s: bloc %q is not among the blocs this append locks (%s)", where(), r.Bloc, strings.Join(blocs, ", "))
		}
		if !r.Kind.Valid() {
			return bloc.Errorf(bloc.EINVALID, "%s: unknown event kind %q", where(), r.Kind)
		}
		if r.Date.IsZero() {
			return bloc.Errorf(bloc.EINVALID, "%s: has no date", where())
		}
		if err := checkDate(r.Date); err != nil {
			return bloc.Errorf(bloc.EINVALID, "%s: date: %v", where(), err)
		}
		if err := checkDate(r.Source.Published); err != nil {
			return bloc.Errorf(bloc.EINVALID, "%s: source publication date: %v", where(), err)
		}
		r.Date.Start = r.Date.Start.UTC()
		r.Source.Published.Start = r.Source.Published.Start.UTC()
		r.ID = last + n
		switch {
		case r.EventID == 0:
			r.EventID = r.ID
		case r.EventID < 0:
			if r.EventID < -n {
				return bloc.Errorf(bloc.EINVALID, "%s: event %d refers to record %d of the batch, which does not come before it", where(), r.EventID, -r.EventID)
			}
			r.EventID = last - r.EventID
		case r.EventID > last:
			return bloc.Errorf(bloc.ENOTFOUND, "%s: no record %d to attest the event of", where(), r.EventID)
		}
		switch {
		case r.Supersedes < 0:
			if r.Supersedes <= -n {
				return bloc.Errorf(bloc.EINVALID, "%s: supersedes %d refers to record %d of the batch, which does not come before it", where(), r.Supersedes, -r.Supersedes)
			}
			r.Supersedes = last - r.Supersedes
		case r.Supersedes > last:
			return bloc.Errorf(bloc.ENOTFOUND, "%s: no record %d to supersede", where(), r.Supersedes)
		}
		if r.Retracts && r.Supersedes == 0 {
			return bloc.Errorf(bloc.EINVALID, "%s: a retraction must name the record it retracts", where())
		}
		if r.RecordedAt.IsZero() {
			r.RecordedAt = now
		} else {
			r.RecordedAt = r.RecordedAt.UTC()
		}
		if !time.Unix(0, r.RecordedAt.UnixNano()).Equal(r.RecordedAt) {
			return bloc.Errorf(bloc.EINVALID, "%s: record time %s is outside the years 1678 to 2261", where(), r.RecordedAt.Format(time.RFC3339))
		}
		if len(r.Scope) == 0 {
			r.Scope = nil // stored as no scope; read back as nil
		}
	}
	return nil
}

// checkReferences makes sure every bloc, party and stored record the batch
// refers to exists: these are the foreign keys Append does not leave to
// SQLite, and the caller gets ENOTFOUND naming the reference. A batch names
// few distinct blocs, parties and older records even when it is large, so
// this costs a handful of lookups rather than several per row.
func checkReferences(ctx context.Context, tx *sql.Tx, recs []bloc.Record, last int64) error {
	blocs := map[string]int{}
	parties := map[string]int{}
	stored := map[int64]int{} // references to records before this batch
	for i, r := range recs {
		if _, ok := blocs[r.Bloc]; !ok {
			blocs[r.Bloc] = i + 1
		}
		if _, ok := parties[r.Party]; !ok && r.Party != "" {
			parties[r.Party] = i + 1
		}
		for _, id := range [2]int64{r.EventID, r.Supersedes} {
			if _, ok := stored[id]; !ok && id > 0 && id <= last {
				stored[id] = i + 1
			}
		}
	}
	var one int
	for id, n := range stored {
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM records WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return bloc.Errorf(bloc.ENOTFOUND, "record %d of the batch: no record %d", n, id)
		}
		if err != nil {
			return fmt.Errorf("append: %w", err)
		}
	}
	for b, n := range blocs {
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM blocs WHERE slug = ?`, b).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return bloc.Errorf(bloc.ENOTFOUND, "record %d of the batch: no bloc %q", n, b)
		}
		if err != nil {
			return fmt.Errorf("append: %w", err)
		}
	}
	for p, n := range parties {
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM parties WHERE code = ?`, p).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return bloc.Errorf(bloc.ENOTFOUND, "record %d of the batch: no party %q", n, p)
		}
		if err != nil {
			return fmt.Errorf("append: %w", err)
		}
	}
	return nil
}

// insertChunk is how many records one INSERT statement carries. Many rows
// per statement amortise the per-statement cost of database/sql and the
// driver, which dominates single-row inserts; 20 columns × 100 rows stays
// far below SQLite's limit of 32766 parameters.
const insertChunk = 100

// insertRecords writes resolved records with multi-row INSERTs inside the
// transaction open on conn. A chunk's statement names only the columns
// some row of the chunk has a value for: the others are NULL by default,
// and binding and clearing NULLs for the seven optional columns an import
// usually leaves empty was a tenth of its CPU. Statements are prepared
// once per column set and row count.
//
// It talks to the driver connection directly rather than through
// database/sql, which would convert and copy every argument of every
// statement into a new slice: at 20 columns a row that was a twentieth of
// the CPU and most of the garbage of a large import. The statements run on
// the same connection, so inside the same transaction; conn is pinned by
// Append for the whole call.
func insertRecords(ctx context.Context, conn *sql.Conn, recs []bloc.Record) error {
	return conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("append: driver connection %T cannot prepare statements", dc)
		}
		type stmtKey struct {
			cols uint32 // bit c: column c is named
			rows int
		}
		stmts := map[stmtKey]driver.Stmt{}
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		args := make([]driver.NamedValue, insertChunk*recordColumnCount)
		for i := range args {
			args[i].Ordinal = i + 1
		}
		vals := make([][recordColumnCount]any, insertChunk)
		box := newBoxes()
		for start := 0; start < len(recs); start += insertChunk {
			chunk := recs[start:min(start+insertChunk, len(recs))]
			var cols uint32
			for i := range chunk {
				if err := box.values(&vals[i], &chunk[i]); err != nil {
					return err
				}
				for c, v := range vals[i] {
					if v != nil {
						cols |= 1 << c
					}
				}
			}
			n := 0
			for i := range chunk {
				for c, v := range vals[i] {
					if cols&(1<<c) != 0 {
						if v == nil && c == retractsColumn {
							v = notRetracted // NOT NULL: named for another row's retraction
						}
						args[n].Value = v
						n++
					}
				}
			}
			key := stmtKey{cols, len(chunk)}
			st := stmts[key]
			if st == nil {
				var err error
				if st, err = prep.PrepareContext(ctx, insertStatement(cols, len(chunk))); err != nil {
					return fmt.Errorf("append: %w", err)
				}
				stmts[key] = st
			}
			exec, ok := st.(driver.StmtExecContext)
			if !ok {
				return fmt.Errorf("append: driver statement %T cannot execute with a context", st)
			}
			if _, err := exec.ExecContext(ctx, args[:n]); err != nil {
				return fmt.Errorf("append: records %d to %d of the batch: %w", start+1, start+len(chunk), err)
			}
		}
		return nil
	})
}

// insertStatement inserts rows rows of the columns of insertColumns whose
// bits are set in cols.
func insertStatement(cols uint32, rows int) string {
	var names []string
	for c, name := range strings.Split(insertColumns, ",") {
		if cols&(1<<c) != 0 {
			names = append(names, strings.TrimSpace(name))
		}
	}
	row := "(?" + strings.Repeat(", ?", len(names)-1) + ")"
	return `INSERT INTO records (` + strings.Join(names, ", ") + `) VALUES ` + row + strings.Repeat(", "+row, rows-1)
}

// boxes turns column values into statement arguments, once per distinct
// value for the columns an import repeats on row after row (bloc, party,
// kind, dates, source, recorder). Formatting and boxing each afresh costs
// time and leaves garbage in proportion to the import; a bounded cache of
// each distinct argument costs neither.
type boxes struct {
	text  map[string]any
	dates map[bloc.Date]any
}

// maxBoxes bounds each cache: values beyond it (an import whose sources
// are all different) are boxed each time, as without a cache.
const maxBoxes = 4096

func newBoxes() *boxes {
	return &boxes{text: map[string]any{}, dates: map[bloc.Date]any{}}
}

// str is a repeated text argument; NULL when empty.
func (b *boxes) str(s string) any {
	if s == "" {
		return nil
	}
	if v, ok := b.text[s]; ok {
		return v
	}
	var v any = s
	if len(b.text) < maxBoxes {
		b.text[s] = v
	}
	return v
}

// date is a Date's argument: see dateArg.
func (b *boxes) date(d bloc.Date) any {
	if d.IsZero() {
		return nil
	}
	if v, ok := b.dates[d]; ok {
		return v
	}
	v := dateArg(d)
	if len(b.dates) < maxBoxes {
		b.dates[d] = v
	}
	return v
}

// values sets r's column values, in the order of insertColumns; nil is
// NULL.
func (b *boxes) values(vals *[recordColumnCount]any, r *bloc.Record) error {
	var scope any
	if len(r.Scope) > 0 {
		j, err := json.Marshal(r.Scope)
		if err != nil {
			return fmt.Errorf("record %d scope: %w", r.ID, err)
		}
		scope = string(j)
	}
	var supersedes any
	if r.Supersedes != 0 {
		supersedes = r.Supersedes
	}
	var retracts any // NULL: the column's default, 0
	if r.Retracts {
		retracts = int64(1)
	}
	// Quote, note and new name are seldom repeated: not worth a lookup.
	*vals = [recordColumnCount]any{r.ID, r.EventID, b.str(r.Bloc), b.str(r.Party), b.str(string(r.Kind)),
		b.date(r.Date), text(r.NewName), scope, b.str(r.Source.Title), b.str(r.Source.Publisher), b.str(r.Source.URL),
		b.date(r.Source.Published), text(r.Quote), text(r.Note), r.RecordedAt.UnixNano(), b.str(r.RecordedBy),
		supersedes, retracts}
	return nil
}

// text is an optional text argument: NULL when empty.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dateArg is a Date as stored: written at its precision, from which the
// precision follows on reading; NULL for the zero Date.
func dateArg(d bloc.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// dateArgs are a Date's two columns where a table keeps the precision
// beside the date (the intake tables): its text at its precision and the
// precision; NULLs for the zero Date.
func dateArgs(d bloc.Date) (date, precision any) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), string(d.Precision)
}

// parseDate reads a stored date; "" (NULL) is the zero Date. An empty
// precision takes the one the date's form implies; a given one must match.
func parseDate(date, precision string) (bloc.Date, error) {
	if date == "" {
		return bloc.Date{}, nil
	}
	return bloc.ParseDateAs(date, bloc.Precision(precision))
}

// instantLayout is fixed-width so that instants stored as text sort as
// they read and keep every nanosecond.
const instantLayout = "2006-01-02T15:04:05.000000000Z"

func formatInstant(t time.Time) string { return t.UTC().Format(instantLayout) }

func parseInstant(s string) (time.Time, error) { return time.Parse(instantLayout, s) }

// checkDate makes sure a Date reads back exactly as it is written: a known
// precision, a four-digit year, and a calendar date that starts its window
// (1 August 2006 at midnight UTC for "2006-08", not 16 August).
func checkDate(d bloc.Date) error {
	if d.IsZero() {
		return nil
	}
	if !d.Precision.Valid() {
		return fmt.Errorf("unknown precision %q", d.Precision)
	}
	t := d.Start.UTC()
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return fmt.Errorf("year %d out of range 1 to 9999", year)
	}
	if d.Precision == bloc.PrecisionInstant {
		return nil
	}
	h, m, s := t.Clock()
	if d.Start.Location() != time.UTC || h != 0 || m != 0 || s != 0 || t.Nanosecond() != 0 ||
		(d.Precision != bloc.PrecisionDay && day != 1) ||
		(d.Precision == bloc.PrecisionYear && month != time.January) {
		return fmt.Errorf("%s is not the first instant (UTC) of a %s", d.Start.Format(time.RFC3339Nano), d.Precision)
	}
	return nil
}
