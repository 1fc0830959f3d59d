package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// synthetic builds a record of nBlocs × nParties × nEvents records, as an
// import would hand it to Append: every party alternately accedes to and
// withdraws from every bloc, with a source on each record.
func synthetic(nBlocs, nParties, nEvents int) (blocs []bloc.Bloc, parties []bloc.Party, recs []bloc.Record) {
	for b := range nBlocs {
		blocs = append(blocs, bloc.Bloc{Slug: fmt.Sprintf("bloc%03d", b), Name: fmt.Sprintf("Bloc %d", b), Founded: bloc.MustDate("1950")})
	}
	for p := range nParties {
		parties = append(parties, bloc.Party{Code: fmt.Sprintf("P%03d", p), Name: fmt.Sprintf("Party %d", p)})
	}
	recs = make([]bloc.Record, 0, nBlocs*nParties*nEvents)
	start := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, b := range blocs {
		for _, p := range parties {
			for e := range nEvents {
				kind := bloc.KindAcceded
				if e%2 == 1 {
					kind = bloc.KindWithdrew
				}
				recs = append(recs, bloc.Record{
					Bloc: b.Slug, Party: p.Code, Kind: kind,
					Date: bloc.Date{Start: start.AddDate(0, 0, 3*e), Precision: bloc.PrecisionDay},
					Source: bloc.Source{
						Title: "Synthetic benchmark record", Publisher: "bloc",
						URL: "https://example.org/benchmark", Published: bloc.MustDate("2024-01"),
					},
					Quote:      "A synthetic sentence stating the fact.",
					RecordedBy: "benchmark",
				})
			}
		}
	}
	return blocs, parties, recs
}

func benchmarkAppend(b *testing.B, nBlocs, nParties, nEvents int) {
	ctx := context.Background()
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		// Made afresh each time (not copied) so that only one synthetic
		// record is in memory, as in an import.
		blocs, parties, recs := synthetic(nBlocs, nParties, nEvents)
		slugs := make([]string, len(blocs))
		for i, bl := range blocs {
			slugs[i] = bl.Slug
		}
		db := openTest(b)
		for _, bl := range blocs {
			if err := db.CreateBloc(ctx, bl); err != nil {
				b.Fatal(err)
			}
		}
		for _, p := range parties {
			if err := db.CreateParty(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		b.StartTimer()
		cpu0 := cpuTime()
		got, err := db.Append(ctx, slugs, func([]bloc.Record) ([]bloc.Record, error) { return recs, nil })
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if len(got) != len(recs) {
			b.Fatalf("stored %d records, want %d", len(got), len(recs))
		}
		db.Close()
		b.StartTimer()
	}
	n := nBlocs * nParties * nEvents
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	// CPU time per record (all threads, GC included) is steadier than wall
	// time on a machine shared with other work.
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(n*b.N), "cpu-µs/record")
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAppend100k is a tenth of the import target, quick enough to run
// often.
func BenchmarkAppend100k(b *testing.B) { benchmarkAppend(b, 20, 500, 10) }

// BenchmarkAppend1M is the import target of issue 2: 200 blocs × 500
// parties × 10 events in one Append.
func BenchmarkAppend1M(b *testing.B) { benchmarkAppend(b, 200, 500, 10) }

// BenchmarkRecords reads one bloc of 5,000 records out of 100,000.
func BenchmarkRecords(b *testing.B) {
	ctx := context.Background()
	blocs, parties, recs := synthetic(20, 500, 10)
	db := openTest(b)
	defer db.Close()
	for _, bl := range blocs {
		if err := db.CreateBloc(ctx, bl); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range parties {
		if err := db.CreateParty(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Append(ctx, nil, func([]bloc.Record) ([]bloc.Record, error) { return recs, nil }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		got, err := db.Records(ctx, "bloc007")
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 5000 {
			b.Fatalf("%d records, want 5000", len(got))
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
}
