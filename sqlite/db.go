// Package sqlite is bloc's embedded store: one SQLite file, created on first
// use, with WAL, foreign keys and a busy timeout. It implements bloc.Store.
//
// Writes go through a pool of one connection whose transactions begin
// IMMEDIATE, so concurrent writers queue in Go rather than fail with
// SQLITE_BUSY; reads use a separate pool and never wait for a writer (WAL).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	_ "modernc.org/sqlite" // pure-Go driver: nothing to install, cross-compiles
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open bloc database.
type DB struct {
	path  string
	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // several connections, read-only use
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// stopCheckpoints ends the background checkpointer and waits for it.
	stopCheckpoints func()
	// version is RecordVersion's statement, prepared on first use: the
	// registry asks it before every answer, and preparing it each time was
	// half of that query's cost.
	version lazyStmt
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. A database whose schema is newer than this binary is refused.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without applying migrations; it fails if
// the schema is not current (for `bloc migrate --status` and stale checks).
func OpenNoMigrate(path string) (*DB, error) { return open(path) }

func open(path string) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	// The writer keeps its temporary data in memory: the statement journal
	// of a multi-row INSERT would otherwise go to a temporary file. (Safe:
	// nothing in it is needed after a crash.) Its page cache is 16 MiB
	// rather than 2: a bulk import inserts at one index leaf per bloc and
	// per party at once, and when those pages do not all stay cached each
	// insert re-reads one from the WAL. Measured at 200 blocs × 500 parties:
	// a quarter less CPU per record with 16 MiB, nothing more with 64 MiB.
	//
	// Its automatic checkpoint is only a backstop (at 256 MiB of WAL): the
	// checkpointer goroutine copies the WAL into the database from another
	// connection, so that this copy, a quarter of a bulk write's CPU, runs
	// beside the one writer instead of inside its commits. A WAL started
	// over is cut back to 128 MiB.
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate&_pragma=temp_store(memory)&_pragma=cache_size(-16384)&_pragma=wal_autocheckpoint(65536)&_pragma=journal_size_limit(134217728)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, bloc.Errorf(bloc.EINVALID, "cannot open database %s: %v", path, err)
	}
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	db := &DB{path: path, write: write, read: read, Now: func() time.Time { return time.Now().UTC() }}
	ckpt, err := sql.Open("sqlite", dsn)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetConnMaxIdleTime(0)
	db.stopCheckpoints = db.checkpointer(ckpt, checkpointEvery, restartFrames)
	return db, nil
}

const (
	// checkpointEvery is how often the checkpointer copies new WAL frames
	// into the database. A page written again before it is copied is
	// copied once: every second rather than every 100 ms halved the
	// checkpoints' CPU under bulk writes (bench taxii, 200,000 objects).
	checkpointEvery = time.Second
	// restartFrames is the WAL length (4 KiB frames, 128 MiB) at which
	// the checkpointer starts the WAL over.
	restartFrames = 32768
)

// checkpointer runs a PASSIVE checkpoint every interval on its own
// connection, ckpt. A passive checkpoint never blocks the writer or
// readers: it copies what no reader still needs, and a later one copies
// the rest; when nothing was written since the last one it only reads the
// WAL header.
//
// A WAL is started over from its beginning only by a write transaction
// that begins when every frame has been copied, which a writer kept busy
// rarely sees once it no longer checkpoints itself. So when the WAL is
// longer than restart frames and a passive checkpoint has just copied all
// of it (or it has grown to twice that), the checkpointer takes the
// writer's own connection (waiting its turn like any write) for a RESTART
// checkpoint: little is left to copy, it waits for readers to leave the
// WAL, and the next write starts it over. Errors are left to the next
// attempt and to the writer's automatic checkpoint.
func (db *DB) checkpointer(ckpt *sql.DB, interval time.Duration, restart int) func() {
	stopped := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(stopped)
		defer ckpt.Close()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var busy, frames, copied int
			if err := ckpt.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
				continue
			}
			if frames >= restart && (copied == frames || frames >= 2*restart) {
				db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(RESTART)`)
			}
		}
	}()
	return func() { // may be called more than once: Close may be
		cancel()
		<-stopped
	}
}

// Close stops the checkpointer and closes both pools.
func (db *DB) Close() error {
	db.stopCheckpoints()
	db.version.close()
	err1 := db.read.Close()
	err2 := db.write.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", e.Name())
		}
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion returns the applied migration version and the newest one
// this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, 0, fmt.Errorf("schema_migrations: %w", err)
	}
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return 0, 0, err
	}
	return applied, known, nil
}

// Migrate applies pending migrations in order, each in its own transaction,
// and returns the names it applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	applied, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if applied > known {
		return nil, bloc.Errorf(bloc.EINVALID, "database %s has schema version %d, newer than this bloc binary knows (%d): upgrade bloc", db.path, applied, known)
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	var done []string
	for _, m := range ms {
		if m.version <= applied {
			continue
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return done, err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, bloc.FormatInstant(time.Now())); err != nil {
			tx.Rollback()
			return done, err
		}
		if err := tx.Commit(); err != nil {
			return done, err
		}
		done = append(done, m.name)
	}
	return done, nil
}
