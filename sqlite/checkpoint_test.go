package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"testing"
	"time"
)

// walState reads, from the WAL index (the -shm file), the number of frames
// in the WAL and how many of them have been copied into the database.
// (Layout: two copies of the 48-byte index header, whose mxFrame is at
// offset 16, then the checkpoint info, whose nBackfill is at offset 96;
// native byte order.)
func walState(t *testing.T, db *DB) (frames, copied uint32) {
	t.Helper()
	b, err := os.ReadFile(db.Path() + "-shm")
	if err != nil || len(b) < 100 {
		t.Fatalf("reading the WAL index: %v (%d bytes)", err, len(b))
	}
	return binary.NativeEndian.Uint32(b[16:]), binary.NativeEndian.Uint32(b[96:])
}

func writePages(t *testing.T, db *DB, n int) {
	t.Helper()
	page := bytes.Repeat([]byte{'x'}, 4000)
	for range n {
		if _, err := db.write.Exec(`INSERT INTO ck (b) VALUES (?)`, page); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckpointerCopiesWAL: WAL frames reach the database without the
// writer checkpointing (its own automatic checkpoint is far off).
func TestCheckpointerCopiesWAL(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	if _, err := db.write.Exec(`CREATE TABLE ck (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	writePages(t, db, 300)
	frames, _ := walState(t, db)
	if frames < 300 {
		t.Fatalf("the WAL holds %d frames after 300 page writes", frames)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		frames, copied := walState(t, db)
		if copied == frames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d WAL frames copied after 20 s", copied, frames)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCheckpointerRestartsWAL: under writes that never pause, the WAL is
// started over rather than growing. (A writer this simple also leaves gaps
// in which a passive checkpoint completes, so this shows the outcome, not
// which path reached it; the 1,000,000-object bench taxii run shows the
// RESTART path: without it the WAL grew to 310 MB.)
func TestCheckpointerRestartsWAL(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	if _, err := db.write.Exec(`CREATE TABLE ck (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	ckpt, err := sql.Open("sqlite", "file:"+db.Path())
	if err != nil {
		t.Fatal(err)
	}
	stop := db.checkpointer(ckpt, time.Millisecond, 64)
	defer stop()
	restarted := false
	var last uint32
	for range 5000 {
		writePages(t, db, 1)
		frames, _ := walState(t, db)
		if frames < last {
			restarted = true
			break
		}
		last = frames
	}
	if !restarted {
		t.Fatalf("the WAL grew to %d frames and was never started over", last)
	}
	stop()
	stop() // Close may stop it again
}

func TestCloseTwice(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir()+"/twice.db")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db.Close()
}
