package standing

import (
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// synthetic builds a record of nBlocs × nParties × 10 events: every pair a
// valid history with day, month and year precision, a same-day end and
// start, a statement and a partner scope. IDs are set when stored.
func synthetic(nBlocs, nParties int, stored bool) ([]bloc.Bloc, []bloc.Record) {
	blocs := make([]bloc.Bloc, nBlocs)
	for i := range blocs {
		blocs[i] = bloc.Bloc{Slug: fmt.Sprintf("b%03d", i), Name: fmt.Sprintf("Bloc %d", i), Founded: bloc.MustDate("1949")}
	}
	src := bloc.Source{Title: "Synthetic", URL: "https://example.org/synthetic"}
	recs := make([]bloc.Record, 0, nBlocs*nParties*10)
	for _, bl := range blocs {
		for p := range nParties {
			party := fmt.Sprintf("P%03d", p)
			y := 1950 + p%20
			for _, ev := range []struct {
				k bloc.Kind
				d string
			}{
				{bloc.KindAcceded, fmt.Sprintf("%d-03-01", y)},
				{bloc.KindSuspended, fmt.Sprintf("%d-05", y+2)},
				{bloc.KindResumed, fmt.Sprintf("%d-01-10", y+3)},
				{bloc.KindWithdrew, fmt.Sprintf("%d-07-01", y+5)},
				{bloc.KindObserverFrom, fmt.Sprintf("%d", y+7)},
				{bloc.KindObserverUntil, fmt.Sprintf("%d-02-01", y+10)},
				{bloc.KindAcceded, fmt.Sprintf("%d-02-01", y+10)},
				{bloc.KindStatement, fmt.Sprintf("%d-04-04", y+12)},
				{bloc.KindLapsed, fmt.Sprintf("%d-06-30", y+15)},
				{bloc.KindPartnerFrom, fmt.Sprintf("%d-03-03", y+18)},
			} {
				r := bloc.Record{Bloc: bl.Slug, Party: party, Kind: ev.k, Date: bloc.MustDate(ev.d), Source: src}
				if ev.k == bloc.KindPartnerFrom {
					r.Scope = []string{"terrorism", "cyber"}
				}
				if stored {
					r.ID = int64(len(recs) + 1)
					r.EventID = r.ID
					r.RecordedAt = t0
				}
				recs = append(recs, r)
			}
		}
	}
	return blocs, recs
}

var (
	bigOnce          sync.Once
	bigBlocs         []bloc.Bloc
	bigNew, bigStore []bloc.Record
)

func big() ([]bloc.Bloc, []bloc.Record, []bloc.Record) {
	bigOnce.Do(func() {
		bigBlocs, bigNew = synthetic(200, 500, false)
		_, bigStore = synthetic(200, 500, true)
	})
	return bigBlocs, bigNew, bigStore
}

func TestSyntheticIsValid(t *testing.T) {
	blocs, recs := synthetic(2, 30, false)
	l := newLedger(blocs...)
	l.add(t, recs...)
	b := l.book()
	if n := len(b.Events("b000")); n != 300 {
		t.Errorf("%d events in b000", n)
	}
	if got := len(b.Members("b001", day("1961-01-01"), false)); got == 0 {
		t.Error("no members in 1961")
	}
	if a := b.Anomalies("b001"); len(a) > 0 {
		t.Errorf("anomalies %v", a)
	}
}

// cpuTime is the CPU time the process has used (all threads, GC included):
// on a shared machine it says more about the work than the wall clock.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkBuild derives the book of 1,000,000 stored records.
func BenchmarkBuild(b *testing.B) {
	blocs, _, stored := big()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		Build(blocs, stored, time.Time{})
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(stored))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCheck1M checks an import of 1,000,000 new records (200 blocs ×
// 500 parties × 10 events) as one batch on an empty record: Build + Check.
func BenchmarkCheck1M(b *testing.B) {
	blocs, fresh, _ := big()
	b.ReportAllocs()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for b.Loop() {
		if err := Build(blocs, nil, time.Time{}).Check(fresh); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(fresh))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCheckSmallOnBig checks one new record on top of 1,000,000.
func BenchmarkCheckSmallOnBig(b *testing.B) {
	blocs, _, stored := big()
	book := Build(blocs, stored, time.Time{})
	r := rec("b007", "P123", bloc.KindAcceded, "2000-01-01")
	r.Source.URL = "https://example.org/new"
	b.ReportAllocs()
	for b.Loop() {
		if err := book.Check([]bloc.Record{r}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMembersAt lists the members at a date of a bloc of 500 parties
// × 10 events, reporting the 50th and 99th percentile of single calls.
func BenchmarkMembersAt(b *testing.B) {
	blocs, recs := synthetic(1, 500, true)
	book := Build(blocs, recs, time.Time{})
	dates := make([]time.Time, 64)
	for i := range dates {
		dates[i] = day(fmt.Sprintf("%d-06-15", 1950+i))
	}
	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		book.Members("b000", dates[i%len(dates)], i%2 == 0)
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkAt answers one party's standing (the access decision's question).
func BenchmarkAt(b *testing.B) {
	blocs, recs := synthetic(1, 500, true)
	book := Build(blocs, recs, time.Time{})
	at := day("1966-06-15")
	b.ReportAllocs()
	for b.Loop() {
		book.At("b000", "P250", at)
	}
}

// BenchmarkRosterMembersAt is BenchmarkMembersAt over the bloc's roster
// (what the registry answers from), visiting the members without a list.
func BenchmarkRosterMembersAt(b *testing.B) {
	blocs, recs := synthetic(1, 500, true)
	r := Build(blocs, recs, time.Time{}).Roster("b000")
	dates := make([]time.Time, 64)
	for i := range dates {
		dates[i] = day(fmt.Sprintf("%d-06-15", 1950+i))
	}
	var lat []time.Duration
	b.ReportAllocs()
	i, n := 0, 0
	for b.Loop() {
		start := time.Now()
		r.EachMember(dates[i%len(dates)], i%2 == 0, func(int, Position) { n++ })
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkRosterAt is BenchmarkAt over the bloc's roster.
func BenchmarkRosterAt(b *testing.B) {
	blocs, recs := synthetic(1, 500, true)
	r := Build(blocs, recs, time.Time{}).Roster("b000")
	at := day("1966-06-15")
	b.ReportAllocs()
	for b.Loop() {
		r.At("P250", at)
	}
}
