package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/storetest"
)

// openTest opens a new database file in the test's temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bloc.Store { return openTest(t) })
}

type appliedMigration struct {
	Version   int
	Name      string
	AppliedAt string
}

func appliedMigrations(t *testing.T, db *DB) []appliedMigration {
	t.Helper()
	rows, err := db.read.QueryContext(t.Context(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ms []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.Version, &m.Name, &m.AppliedAt); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestMigrationsAppliedInOrderAndRecorded(t *testing.T) {
	known, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(known) == 0 || known[0].version != 1 || known[0].name != "0001_registry.sql" {
		t.Fatalf("embedded migrations start with %+v, want 0001_registry.sql", known[0])
	}
	for i := 1; i < len(known); i++ {
		if known[i].version <= known[i-1].version {
			t.Fatalf("migration %s does not come after %s", known[i].name, known[i-1].name)
		}
	}

	db := openTest(t)
	defer db.Close()
	applied := appliedMigrations(t, db)
	if len(applied) != len(known) {
		t.Fatalf("%d migrations recorded, want %d", len(applied), len(known))
	}
	for i, m := range applied {
		if m.Version != known[i].version || m.Name != known[i].name {
			t.Errorf("recorded migration %d = %d %s, want %d %s", i, m.Version, m.Name, known[i].version, known[i].name)
		}
		if _, err := time.Parse(time.RFC3339Nano, m.AppliedAt); err != nil {
			t.Errorf("migration %s applied_at %q: %v", m.Name, m.AppliedAt, err)
		}
	}
	a, k, err := db.SchemaVersion(t.Context())
	if err != nil || a != known[len(known)-1].version || k != a {
		t.Fatalf("SchemaVersion = %d, %d, %v; want %d, %d", a, k, err, known[len(known)-1].version, known[len(known)-1].version)
	}
	for _, table := range []string{"blocs", "parties", "party_aliases", "records"} {
		var n int
		if err := db.read.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, %v", table, n, err)
		}
	}
}

func TestReopenDoesNotReapply(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bloc.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateBloc(t.Context(), bloc.Bloc{Slug: "csto", Name: "CST", Founded: bloc.MustDate("1992-05-15")}); err != nil {
		t.Fatal(err)
	}
	before := appliedMigrations(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if after := appliedMigrations(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("migrations after reopening = %+v, want unchanged %+v", after, before)
	}
	done, err := db.Migrate(t.Context())
	if err != nil || len(done) != 0 {
		t.Fatalf("Migrate on a current database = %v, %v; want nothing to do", done, err)
	}
	if _, err := db.Bloc(t.Context(), "csto"); err != nil {
		t.Fatalf("data lost on reopening: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bloc.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	_, known, err := db.SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', '2099-01-01T00:00:00Z')`, known+1); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
	if bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("error code %s, want %s", bloc.ErrorCode(err), bloc.EINVALID)
	}
	want := fmt.Sprintf("database %s has schema version %d, newer than this bloc binary knows (%d): upgrade bloc", path, known+1, known)
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestPragmas checks both pools: every connection must have WAL, foreign
// keys and a busy timeout.
func TestPragmas(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	// Append switches foreign keys off for its own transaction; they must be
	// back on afterwards, whether it succeeded or failed.
	seedRegistry(t, db)
	if _, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) {
		return []bloc.Record{{Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) {
		return nil, bloc.Errorf(bloc.ECONFLICT, "refused")
	}); err == nil {
		t.Fatal("refused Append succeeded")
	}
	for name, pool := range map[string]*sql.DB{"write": db.write, "read": db.read} {
		var mode string
		var fk, busy int
		if err := pool.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s pool: journal_mode = %q, %v; want wal", name, mode, err)
		}
		if err := pool.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Errorf("%s pool: foreign_keys = %d, %v; want 1", name, fk, err)
		}
		if err := pool.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil || busy != 10000 {
			t.Errorf("%s pool: busy_timeout = %d, %v; want 10000", name, busy, err)
		}
	}
	// Foreign keys are enforced, not just switched on.
	_, err := db.write.Exec(`INSERT INTO party_aliases (party, position, alias) VALUES ('NOPE', 0, 'x')`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("insert breaking a foreign key: %v, want a FOREIGN KEY error", err)
	}
}

func seedRegistry(t *testing.T, db *DB) {
	t.Helper()
	if err := db.CreateBloc(t.Context(), bloc.Bloc{Slug: "csto", Name: "CST", Founded: bloc.MustDate("1992-05-15")}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateParty(t.Context(), bloc.Party{Code: "ARM", Name: "Armenia"}); err != nil {
		t.Fatal(err)
	}
}

// TestAppendInsertFailureWritesNothing makes the database itself refuse a
// row late in a batch that spans several INSERT statements (a trigger
// stands in for any failure the checks before inserting cannot foresee):
// the rows already inserted must go too.
func TestAppendInsertFailureWritesNothing(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	seedRegistry(t, db)
	if _, err := db.write.Exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON records WHEN NEW.note = 'boom'
		BEGIN SELECT RAISE(ABORT, 'boom refused'); END`); err != nil {
		t.Fatal(err)
	}
	v0, err := db.RecordVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]bloc.Record, 2*insertChunk+30)
	for i := range batch {
		batch[i] = bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindStatement, Date: bloc.MustDate("2000")}
	}
	batch[len(batch)-5].Note = "boom"
	_, err = db.Append(t.Context(), []string{"csto"}, func([]bloc.Record) ([]bloc.Record, error) { return batch, nil })
	if err == nil || !strings.Contains(err.Error(), "boom refused") {
		t.Fatalf("Append = %v, want the trigger's refusal", err)
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM records`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d records stored after a failed insert (%v), want 0", n, err)
	}
	if v, err := db.RecordVersion(t.Context()); err != nil || v != v0 {
		t.Fatalf("RecordVersion = %d, %v; want %d as before the failed Append", v, err, v0)
	}
}

// TestAppendRefusesMissingStoredRecord: Append checks references to stored
// records itself (foreign keys are off while it inserts), so a reference to
// an id that is gone (ids are never reused, but a hand-edited file may
// lack one) is refused rather than stored dangling.
func TestAppendRefusesMissingStoredRecord(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	seedRegistry(t, db)
	stmt := bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindStatement, Date: bloc.MustDate("2000")}
	if _, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) {
		return []bloc.Record{stmt, stmt, stmt}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`DELETE FROM records WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []bloc.Record{{EventID: 2}, {Supersedes: 2}} {
		r := stmt
		r.EventID, r.Supersedes = ref.EventID, ref.Supersedes
		_, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) { return []bloc.Record{r}, nil })
		if bloc.ErrorCode(err) != bloc.ENOTFOUND || !strings.Contains(err.Error(), "no record 2") {
			t.Errorf("Append referring to a missing record (event %d, supersedes %d) = %v, want not_found naming record 2", r.EventID, r.Supersedes, err)
		}
	}
}

// TestKindsAndPrecisions: the kinds table that records.kind references holds
// exactly the domain's kinds, and the generated precision columns show each
// stored date's precision.
func TestKindsAndPrecisions(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	var kinds []string
	for _, k := range bloc.Kinds {
		kinds = append(kinds, string(k))
	}
	slices.Sort(kinds)
	rows, err := db.read.Query(`SELECT kind FROM kinds ORDER BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	rows.Close()
	if !reflect.DeepEqual(got, kinds) {
		t.Errorf("kinds table = %v, want %v", got, kinds)
	}

	seedRegistry(t, db)
	dates := []bloc.Date{
		bloc.MustDate("1993"), bloc.MustDate("1993-12"), bloc.MustDate("1993-12-31"),
		bloc.InstantOf(time.Date(2012, 12, 20, 12, 0, 0, 1, time.UTC)),
	}
	var batch []bloc.Record
	for _, d := range dates {
		batch = append(batch, bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindStatement, Date: d, Source: bloc.Source{Published: d}})
	}
	batch = append(batch, bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindStatement, Date: dates[0]})
	stored, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) { return batch, nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range stored {
		var date, precision string
		var published, publishedPrecision sql.NullString
		if err := db.read.QueryRow(`SELECT date, date_precision, source_published, source_published_precision FROM records WHERE id = ?`, r.ID).
			Scan(&date, &precision, &published, &publishedPrecision); err != nil {
			t.Fatal(err)
		}
		want := dates[0] // the last record, without a publication date
		if i < len(dates) {
			want = dates[i]
		}
		if date != want.String() || precision != string(want.Precision) {
			t.Errorf("record %d stored as %q, %q; want %q, %q", r.ID, date, precision, want.String(), want.Precision)
		}
		if i < len(dates) && (published.String != want.String() || publishedPrecision.String != string(want.Precision)) {
			t.Errorf("record %d source published stored as %v, %v; want %q, %q", r.ID, published, publishedPrecision, want.String(), want.Precision)
		}
		if i == len(dates) && (published.Valid || publishedPrecision.Valid) {
			t.Errorf("record %d without a publication date stored %v, %v; want NULLs", r.ID, published, publishedPrecision)
		}
	}

	// With foreign keys on (every writer but Append's own insert), an
	// unknown kind is refused by the database too.
	_, err = db.write.Exec(`INSERT INTO records (id, event_id, bloc, party, kind, date, recorded_at)
		VALUES (100, 100, 'csto', 'ARM', 'joined', '2000', 0)`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("insert of an unknown kind: %v, want a FOREIGN KEY error", err)
	}
}

// TestRecordTimeRange: record times are stored as int64 nanoseconds; one
// that does not fit is refused, not wrapped around.
func TestRecordTimeRange(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	seedRegistry(t, db)
	r := bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindStatement, Date: bloc.MustDate("2000"),
		RecordedAt: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, err := db.Append(t.Context(), nil, func([]bloc.Record) ([]bloc.Record, error) { return []bloc.Record{r}, nil })
	if bloc.ErrorCode(err) != bloc.EINVALID || !strings.Contains(err.Error(), "record time 1500-01-01T00:00:00Z") {
		t.Fatalf("Append with a record time in 1500 = %v, want invalid naming the time", err)
	}
}
