package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

const benchColl = "3f2b8a9e-6c1d-4e5f-8a7b-9c0d1e2f3a4b"

// openExchange opens a new database with one bloc, one party, one agency
// and the collection benchColl.
func openExchange(tb testing.TB, path string) *DB {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, err := range []error{
		db.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "CSTO", Founded: bloc.MustDate("1992-05-15")}),
		db.CreateParty(ctx, bloc.Party{Code: "KAZ", Name: "Kazakhstan"}),
		db.CreateAgency(ctx, bloc.Agency{ID: "kaz-knb", Party: "KAZ", Name: "KNB", Identity: "identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a01"}),
		db.CreateCollection(ctx, bloc.Collection{ID: benchColl, Bloc: "csto", Title: "Indicators", Audience: bloc.AudienceMembers}),
	} {
		if err != nil {
			db.Close()
			tb.Fatal(err)
		}
	}
	return db
}

func acceptAll(bloc.Object, string, bool) error { return nil }

// TestDateAddedClock checks date_added against a clock that stands still,
// goes backwards and jumps ahead: it never repeats or decreases, and it is
// the clock's reading whenever that is later than the last one.
func TestDateAddedClock(t *testing.T) {
	db := openExchange(t, filepath.Join(t.TempDir(), "bloc.db"))
	defer db.Close()
	ctx := context.Background()
	clock := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	n := 0
	put := func(count int) []bloc.Object {
		t.Helper()
		var objs []bloc.Object
		for range count {
			n++
			objs = append(objs, genObject(n, 0))
		}
		res, err := db.PutObjects(ctx, benchColl, objs, acceptAll)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]bloc.Object, len(res))
		for i, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			out[i] = r.Object
		}
		return out
	}
	us := func(o bloc.Object) int64 { return o.DateAdded.Sub(clock).Microseconds() }

	// The clock stands still: one microsecond apart, across calls.
	var got []int64
	for _, o := range append(put(3), put(2)...) {
		got = append(got, us(o))
	}
	if want := []int64{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("clock standing still: µs after the clock = %v, want %v", got, want)
	}
	// The clock goes back an hour: still after the last.
	clock = clock.Add(-time.Hour)
	o := put(1)[0]
	if want := time.Date(2025, 1, 1, 12, 0, 0, 5000, time.UTC); !o.DateAdded.Equal(want) || o.Seq != 6 {
		t.Errorf("clock went back: seq %d DateAdded %v, want 6 %v", o.Seq, o.DateAdded, want)
	}
	// The clock jumps ahead: date_added is the clock's reading (to the µs).
	clock = time.Date(2025, 1, 2, 0, 0, 0, 999, time.UTC)
	o = put(1)[0]
	if want := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC); !o.DateAdded.Equal(want) {
		t.Errorf("clock ahead: DateAdded %v, want %v", o.DateAdded, want)
	}
	all, err := db.Objects(ctx, bloc.ObjectQuery{Collection: benchColl})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(all); i++ {
		if !all[i].DateAdded.After(all[i-1].DateAdded) {
			t.Errorf("stored seq %d DateAdded %v not after %v", all[i].Seq, all[i].DateAdded, all[i-1].DateAdded)
		}
	}
}

// TestObjectsQueryPlans pins down how each shape of Objects query reads
// the table: a range scan of an index that starts at the cursor and yields
// rows in seq order, so a page costs the same at seq 1 and at seq 1,000,000.
func TestObjectsQueryPlans(t *testing.T) {
	db := openExchange(t, filepath.Join(t.TempDir(), "bloc.db"))
	defer db.Close()
	added := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		q    bloc.ObjectQuery
		want []string
	}{
		{"page", bloc.ObjectQuery{Limit: 1000}, []string{
			"SEARCH objects USING INDEX objects_seq (coll=? AND seq>?)"}},
		{"page, all versions, filters", bloc.ObjectQuery{Limit: 1000, Versions: []string{"all"}, Specs: []string{"2.1"}, AddedAfter: added}, []string{
			"SEARCH objects USING INDEX objects_seq (coll=? AND seq>?)"}},
		{"one type", bloc.ObjectQuery{Limit: 1000, Types: []string{"indicator"}}, []string{
			"SEARCH objects USING INDEX objects_type (coll=? AND type=? AND seq>?)"}},
		// Each type's branch is a range scan yielding seqs; the page is read
		// by seq, in order, with no sort of whole rows.
		{"two types", bloc.ObjectQuery{Limit: 1000, Types: []string{"indicator", "malware"}}, []string{
			"SEARCH objects USING INDEX objects_seq (coll=? AND seq=?)",
			"LIST SUBQUERY 4",
			"MERGE (UNION ALL)",
			"LEFT",
			"CO-ROUTINE (subquery-1)",
			"SEARCH objects USING COVERING INDEX objects_type (coll=? AND type=? AND seq>?)",
			"SCAN (subquery-1)",
			"USE TEMP B-TREE FOR ORDER BY",
			"RIGHT",
			"CO-ROUTINE (subquery-3)",
			"SEARCH objects USING COVERING INDEX objects_type (coll=? AND type=? AND seq>?)",
			"SCAN (subquery-3)",
			"USE TEMP B-TREE FOR ORDER BY",
		}},
		// match[id] reads only the versions of the named ids, then sorts them.
		{"ids", bloc.ObjectQuery{Limit: 1000, IDs: []string{"indicator--a", "indicator--b"}, Types: []string{"indicator"}}, []string{
			"SEARCH objects USING INDEX objects_version (coll=? AND id_num=?)",
			"LIST SUBQUERY 1",
			"SEARCH object_ids USING INDEX object_ids_hash (id_hash=?)",
			"USE TEMP B-TREE FOR ORDER BY"}},
	}
	for _, c := range cases {
		q := c.q
		q.Collection = benchColl
		query, args, err := objectsSQL(q, 1, 500)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			got = append(got, detail)
		}
		rows.Close()
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: plan\n  %s\nwant\n  %s", c.name, strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
		}
	}
	// added_after finds its starting seq by one index seek.
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN SELECT seq FROM objects INDEXED BY objects_added
		WHERE coll = ? AND date_added <= ? ORDER BY date_added DESC LIMIT 1`, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if want := "SEARCH objects USING INDEX objects_added (coll=? AND date_added<?)"; detail != want {
			t.Errorf("added_after start: plan %q, want %q", detail, want)
		}
	}
}

// TestIDHashCollision plants another id with the same hash as the one
// written: object_ids is keyed by a hash of the STIX id, and a collision
// must cost nothing but a comparison.
func TestIDHashCollision(t *testing.T) {
	db := openExchange(t, filepath.Join(t.TempDir(), "bloc.db"))
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateParty(ctx, bloc.Party{Code: "ARM", Name: "Armenia"}); err != nil {
		t.Fatal(err)
	}
	o := genObject(1, 0)
	const impostor = "indicator--00000000-0000-4000-8000-000000000000"
	if _, err := db.write.Exec(`INSERT INTO object_ids (num, id_hash, stix_id, owner_party) VALUES (7, ?, ?, 'ARM')`, idHash(o.ID), impostor); err != nil {
		t.Fatal(err)
	}
	var owners []string
	res, err := db.PutObjects(ctx, benchColl, []bloc.Object{o}, func(_ bloc.Object, owner string, exists bool) error {
		owners = append(owners, fmt.Sprintf("%q %v", owner, exists))
		return nil
	})
	if err != nil || res[0].Err != nil || !res[0].Stored {
		t.Fatalf("PutObjects: %v %+v", err, res)
	}
	if want := []string{`"" false`}; !slices.Equal(owners, want) {
		t.Errorf("check saw %v, want %v (the impostor's owner leaked)", owners, want)
	}
	// The id is now known: its next version sees its own owner.
	owners = nil
	if _, err := db.PutObjects(ctx, benchColl, []bloc.Object{genObject(1, 1)}, func(_ bloc.Object, owner string, exists bool) error {
		owners = append(owners, fmt.Sprintf("%q %v", owner, exists))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{`"KAZ" false`}; !slices.Equal(owners, want) {
		t.Errorf("second version: check saw %v, want %v", owners, want)
	}
	got, err := db.Objects(ctx, bloc.ObjectQuery{Collection: benchColl, IDs: []string{o.ID}, Versions: []string{"all"}})
	if err != nil || len(got) != 2 || got[0].ID != o.ID || got[1].ID != o.ID {
		t.Errorf("Objects(id) = %d objects, %v; want its 2 versions", len(got), err)
	}
	got, err = db.Objects(ctx, bloc.ObjectQuery{Collection: benchColl, IDs: []string{impostor}, Versions: []string{"all"}})
	if err != nil || len(got) != 0 {
		t.Errorf("Objects(impostor) = %d objects, %v; want none", len(got), err)
	}
	if n, err := db.DeleteObject(ctx, benchColl, impostor, nil); err != nil || n != 0 {
		t.Errorf("DeleteObject(impostor) = %d, %v; want 0, nil", n, err)
	}
	if n, err := db.DeleteObject(ctx, benchColl, o.ID, nil); err != nil || n != 2 {
		t.Errorf("DeleteObject(id) = %d, %v; want 2, nil", n, err)
	}
}

// ---- benchmarks ----

var benchTypes = []string{"indicator", "indicator", "indicator", "malware", "observed-data", "report"}

// genObject returns the v-th version of the n-th generated object: an
// indicator-sized STIX object with a random-looking id, so that the id
// indexes grow as they do in real use (inserts all over the tree).
func genObject(n, v int) bloc.Object {
	r := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	typ := benchTypes[n%len(benchTypes)]
	id := fmt.Sprintf("%s--%08x-%04x-4%03x-8%03x-%012x", typ, r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	ver := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n)*time.Millisecond + time.Duration(v)*time.Hour).Format("2006-01-02T15:04:05.000Z")
	raw := fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"Generated object %d",`+
		`"pattern":"[ipv4-addr:value = '10.%d.%d.%d']","pattern_type":"stix","valid_from":%q,"indicator_types":["malicious-activity"],`+
		`"created_by_ref":"identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a01",`+
		`"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
		typ, id, ver, ver, n, n>>16&255, n>>8&255, n&255, ver)
	return bloc.Object{ID: id, Type: typ, Version: ver, Spec: "2.1", Producer: "kaz-knb", OwnerParty: "KAZ",
		TLP: bloc.TLPGreen, Raw: []byte(raw)}
}

func putGenerated(tb testing.TB, db *DB, from, count int) {
	objs := make([]bloc.Object, count)
	for i := range objs {
		objs[i] = genObject(from+i, 0)
	}
	res, err := db.PutObjects(context.Background(), benchColl, objs, acceptAll)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || !r.Stored {
			tb.Fatalf("%s: stored %v, %v", r.Object.ID, r.Stored, r.Err)
		}
	}
}

// processCPU is the CPU time (user and system) this process has used so far:
// on a shared machine it measures the cost of work better than wall time.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPutObjects stores envelopes of new objects into a collection
// that starts empty and grows with b.N.
func BenchmarkPutObjects(b *testing.B) {
	for _, size := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("envelope=%d", size), func(b *testing.B) {
			db := openExchange(b, filepath.Join(b.TempDir(), "bloc.db"))
			defer db.Close()
			b.ResetTimer()
			cpu := processCPU(b)
			for i := range b.N {
				putGenerated(b, db, i*size, size)
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64(b.N*size)/(processCPU(b)-cpu).Seconds(), "objects/cpu-s")
		})
	}
}

// benchObjects is the size of the large collection; BLOC_BENCH_OBJECTS
// overrides it.
func benchObjects(b *testing.B) int {
	if s := os.Getenv("BLOC_BENCH_OBJECTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2000 {
			b.Fatalf("BLOC_BENCH_OBJECTS=%q: want a number ≥ 2000", s)
		}
		return n
	}
	return 1_000_000
}

var largeOnce sync.Map // path → *sync.Once

// largeDB opens a database whose collection holds n generated objects. It
// is built once (its build is an ingest figure of its own, logged) and kept
// in BLOC_BENCH_DIR (default: the system temporary directory) under a name
// that changes with the schema, so later runs reuse it.
func largeDB(b *testing.B, n int) *DB {
	dir := os.Getenv("BLOC_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	h := sha256.New()
	fs.WalkDir(migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := migrations.ReadFile(p)
			h.Write(data)
		}
		return nil
	})
	path := filepath.Join(dir, fmt.Sprintf("bloc-bench-%d-%s.db", n, hex.EncodeToString(h.Sum(nil))[:12]))
	once, _ := largeOnce.LoadOrStore(path, &sync.Once{})
	once.(*sync.Once).Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		tmp := path + ".building"
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		db := openExchange(b, tmp)
		start := time.Now()
		const envelope = 500
		for i := 0; i < n; i += envelope {
			putGenerated(b, db, i, min(envelope, n-i))
		}
		elapsed := time.Since(start)
		// Printed, not logged: a benchmark's log shows only with -v.
		fmt.Fprintf(os.Stderr, "built %d objects in %v: %.0f objects/s in envelopes of %d\n", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), envelope)
		if _, err := db.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	})
	db, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkObjectsPage reads 1,000-object pages from random cursors of a
// collection of BLOC_BENCH_OBJECTS (default 1,000,000) objects, and reports
// the 99th percentile page time next to the mean.
func BenchmarkObjectsPage(b *testing.B) {
	n := benchObjects(b)
	db := largeDB(b, n)
	defer db.Close()
	ctx := context.Background()
	shapes := []struct {
		name string
		q    func(after int64) bloc.ObjectQuery
	}{
		{"cursor", func(after int64) bloc.ObjectQuery {
			return bloc.ObjectQuery{Collection: benchColl, AfterSeq: after, Limit: 1000}
		}},
		{"cursor,all-versions", func(after int64) bloc.ObjectQuery {
			return bloc.ObjectQuery{Collection: benchColl, AfterSeq: after, Limit: 1000, Versions: []string{"all"}}
		}},
		{"type=indicator", func(after int64) bloc.ObjectQuery {
			return bloc.ObjectQuery{Collection: benchColl, AfterSeq: after, Limit: 1000, Types: []string{"indicator"}}
		}},
		{"types=malware,report", func(after int64) bloc.ObjectQuery {
			return bloc.ObjectQuery{Collection: benchColl, AfterSeq: after, Limit: 1000, Types: []string{"malware", "report"}}
		}},
	}
	for _, shape := range shapes {
		b.Run(shape.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			times := make([]time.Duration, 0, b.N)
			rows := 0
			b.ResetTimer()
			cpu := processCPU(b)
			for range b.N {
				after := r.Int64N(int64(n - 3000))
				start := time.Now()
				objs, err := db.Objects(ctx, shape.q(after))
				times = append(times, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(objs) != 1000 {
					b.Fatalf("page after %d: %d objects, want 1000", after, len(objs))
				}
				rows += len(objs)
			}
			b.StopTimer()
			b.ReportMetric(float64(rows)/(processCPU(b)-cpu).Seconds(), "objects/cpu-s")
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkPutObjectsLarge stores 500-object envelopes into the large
// collection: ingest once the id indexes no longer fit in the cache.
func BenchmarkPutObjectsLarge(b *testing.B) {
	n := benchObjects(b)
	src := largeDB(b, n) // checkpointed when built: the file is the whole database
	src.Close()
	path := filepath.Join(b.TempDir(), "copy.db")
	if err := copyFile(path, src.Path()); err != nil {
		b.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const envelope = 500
	b.ResetTimer()
	cpu := processCPU(b)
	for i := range b.N {
		putGenerated(b, db, n+i*envelope, envelope)
	}
	b.ReportMetric(float64(b.N*envelope)/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64(b.N*envelope)/(processCPU(b)-cpu).Seconds(), "objects/cpu-s")
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
