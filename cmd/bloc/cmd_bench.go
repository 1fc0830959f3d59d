package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

func cmdBench(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "push":
		return cmdBenchPush(ctx, e, args[1:])
	case "registry":
		return cmdBenchRegistry(ctx, e, args[1:])
	case "taxii":
		return cmdBenchTaxii(ctx, e, args[1:])
	}
	fmt.Fprint(e.stdout, `Usage:
  bloc bench registry [--blocs N] [--parties N] [--queries N]
  bloc bench push [--subscribers N] [--events N] [--stalled N] [--interval D]
  bloc bench taxii [--url API-ROOT --token T --collection ID] [--objects N] [--envelope N] [--page N] [--workers N]

Benchmarks that measure bloc as a user runs it; results go in docs/benchmarks.md.
`)
	if sub == "" || sub == "-h" || sub == "--help" {
		return errHelp
	}
	return usageErr("unknown benchmark %q", sub)
}

// cmdBenchRegistry imports a synthetic record of blocs × parties × 10 events
// into a new SQLite file through the real import path, then asks
// "members at" many times in-process and reports the latency percentiles.
func cmdBenchRegistry(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "bench registry", "bench registry [--blocs 200] [--parties 500] [--queries 10000] [--dir DIR]", `Import a synthetic record of BLOCS × PARTIES × 10 events (1,000,000 by default)
into a new database, then run members-at queries at random dates. Prints the
import rate, peak resident memory and members-at latency p50/p99.`)
	nBlocs := f.Int("blocs", 200, "number of blocs")
	nParties := f.Int("parties", 500, "parties per bloc")
	nQueries := f.Int("queries", 10000, "members-at queries to time")
	dir := f.String("dir", "", "directory for the database (default: a new temporary one)")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "bloc-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	db, err := sqlite.Open(ctx, filepath.Join(*dir, "bench.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	parties := syntheticParties(*nParties)
	for _, p := range parties {
		if err := db.CreateParty(ctx, p); err != nil {
			return err
		}
	}
	for i := range *nBlocs {
		if err := db.CreateBloc(ctx, bloc.Bloc{Slug: fmt.Sprintf("b%03d", i), Name: fmt.Sprintf("Bloc %d", i), Founded: bloc.MustDate("1900-01-01")}); err != nil {
			return err
		}
	}
	if path := os.Getenv("BLOC_CPUPROFILE"); path != "" {
		pf, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	recs := syntheticRecords(*nBlocs, parties)
	fmt.Fprintf(e.stdout, "generated %d records (%d blocs × %d parties × 10)\n", len(recs), *nBlocs, *nParties)
	reg := registry.New(db)
	runtime.GC()
	// The GC's default pacing lets the heap grow to twice what was live at
	// the last collection: with the batch alone 336 MiB, the import's peak
	// would be ~700 MB although no more than ~430 MiB is ever live. A memory
	// limit of the batch's heap plus a quarter (the check's working set is
	// under a third of the batch's) makes the GC collect before then at a
	// cost of a few short collections. An explicit GOMEMLIMIT is kept.
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		debug.SetMemoryLimit(int64(ms.HeapAlloc) * 5 / 4)
		fmt.Fprintf(e.stdout, "memory limit for the import: %d MiB (heap of the batch %d MiB, plus a quarter)\n", ms.HeapAlloc*5/4>>20, ms.HeapAlloc>>20)
	}
	start := time.Now()
	if _, err := reg.Add(ctx, recs); err != nil {
		return err
	}
	took := time.Since(start)
	debug.SetMemoryLimit(limit)
	fmt.Fprintf(e.stdout, "import: %d records in %s = %.0f records/s\n", len(recs), took.Round(time.Millisecond), float64(len(recs))/took.Seconds())
	fmt.Fprintf(e.stdout, "peak resident memory during generation and import: %s\n", peakRSS())
	recs = nil
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()

	// Each bloc's first question loads and derives that bloc's records; the
	// later ones are answered from memory until the record changes.
	start = time.Now()
	var slowest time.Duration
	for i := range *nBlocs {
		t0 := time.Now()
		if _, err := reg.Members(ctx, fmt.Sprintf("b%03d", i), bloc.MustDate("1950"), time.Time{}, false); err != nil {
			return err
		}
		slowest = max(slowest, time.Since(t0))
	}
	fmt.Fprintf(e.stdout, "first question of each bloc (load and derive its records): %s for %d blocs, slowest %s\n",
		time.Since(start).Round(time.Millisecond), *nBlocs, slowest.Round(time.Microsecond))
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, *nQueries)
	for i := range lat {
		slug := fmt.Sprintf("b%03d", rng.IntN(*nBlocs))
		at := bloc.DayOf(time.Date(1950+rng.IntN(75), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC))
		t0 := time.Now()
		if _, err := reg.Members(ctx, slug, at, time.Time{}, false); err != nil {
			return err
		}
		lat[i] = time.Since(t0)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Fprintf(e.stdout, "members --at (%d queries): p50 %s  p99 %s  max %s\n", len(lat), pct(0.50), pct(0.99), lat[len(lat)-1])
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(e.stdout, "peak resident memory after the import (queries): %s; Go heap in use %d MiB\n", peakRSS(), ms.HeapInuse>>20)
	return nil
}

// resetPeakRSS starts the peak resident set size afresh (Linux: writing 5
// to clear_refs), so that the query phase's peak is not the import's.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// syntheticParties makes n party codes from the user-assigned ISO range
// (XAA…XZZ, then QAA…), which no real state uses.
func syntheticParties(n int) []bloc.Party {
	var ps []bloc.Party
	for _, first := range "XQ" {
		for a := 'A'; a <= 'Z'; a++ {
			for b := 'A'; b <= 'Z'; b++ {
				if len(ps) == n {
					return ps
				}
				code := string([]rune{first, a, b})
				ps = append(ps, bloc.Party{Code: code, Name: "Synthetic " + code})
			}
		}
	}
	return ps
}

// syntheticRecords gives every (bloc, party) pair a valid history of ten
// events: accession, statements, a suspension and resumption, withdrawal,
// rejoining, a lapse and a last accession, at increasing dates of mixed
// precision.
func syntheticRecords(nBlocs int, parties []bloc.Party) []bloc.Record {
	kinds := []bloc.Kind{bloc.KindAcceded, bloc.KindStatement, bloc.KindSuspended, bloc.KindResumed, bloc.KindStatement,
		bloc.KindWithdrew, bloc.KindAcceded, bloc.KindStatement, bloc.KindLapsed, bloc.KindAcceded}
	rng := rand.New(rand.NewPCG(7, 11))
	recs := make([]bloc.Record, 0, nBlocs*len(parties)*len(kinds))
	for b := range nBlocs {
		slug := fmt.Sprintf("b%03d", b)
		for _, p := range parties {
			year := 1901 + rng.IntN(20)
			for k, kind := range kinds {
				year += 1 + rng.IntN(7)
				d := bloc.DayOf(time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC))
				if k%4 == 3 {
					d = bloc.Date{Start: time.Date(year, d.Start.Month(), 1, 0, 0, 0, 0, time.UTC), Precision: bloc.PrecisionMonth}
				}
				recs = append(recs, bloc.Record{Bloc: slug, Party: p.Code, Kind: kind, Date: d,
					Source: bloc.Source{Title: "synthetic", URL: "https://example.org/" + slug + "/" + p.Code + "/" + strconv.Itoa(k)}})
			}
		}
	}
	return recs
}

// peakRSS reads the process's peak resident set size (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
