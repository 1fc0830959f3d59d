package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
	"github.com/blocsec/bloc/stix"
)

// The TAXII benchmark's in-process fixture: one bloc, one member party, its
// agency with a write token, and a members collection.
const (
	benchTaxiiBloc  = "benchtaxii"
	benchTaxiiParty = "XAB"
)

// cmdBenchTaxii drives a TAXII 2.1 server over real HTTP on loopback: it
// POSTs generated STIX 2.1 objects in envelopes from several workers, then
// reads them all back, page by page with limit and next, and reports
// throughput, latency percentiles and the server's resident memory.
func cmdBenchTaxii(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "bench taxii", "bench taxii [--url API-ROOT-URL --token T --collection ID [--server-pid PID]] [--objects 1000000] [--envelope 1000] [--page 1000] [--workers 4]",
		`POST OBJECTS generated, valid STIX 2.1 objects (indicators, malware,
intrusion sets, attack patterns and relationships, TLP:GREEN and TLP:AMBER)
in envelopes of ENVELOPE objects from WORKERS concurrent clients, then read
them all back in pages of PAGE objects following next. Prints ingest and
poll objects/s, POST and page latency p50/p99/max, and the server's resident
memory (VmRSS, sampled every 250 ms, and its peak VmHWM).

By default the server runs in this process on 127.0.0.1 over a new
temporary SQLite database with a member agency, a write token and a members
collection; its memory then includes the benchmark's own clients. With --url
(an API root on a loopback address, e.g. http://127.0.0.1:8400/csto/),
--token and --collection it drives a running server instead; --server-pid
names that server's process for the memory figures.`)
	rawURL := f.String("url", "", "API root URL of a running server (loopback only)")
	token := f.String("token", "", "write token for --url")
	collection := f.String("collection", "", "collection id for --url")
	identity := f.String("identity", "", "created_by_ref of the generated objects with --url (the token's agency identity; default none)")
	serverPID := f.Int("server-pid", 0, "process id of the server given by --url, for its memory")
	nObjects := f.Int("objects", 1000000, "objects to post and read back")
	envelope := f.Int("envelope", 1000, "objects per POSTed envelope")
	pageSize := f.Int("page", 1000, "limit of each GET page")
	workers := f.Int("workers", 4, "concurrent POSTing clients")
	timeout := f.Duration("timeout", 30*time.Minute, "give up after this long")
	dir := f.String("dir", "", "directory for the in-process database (default: a new temporary one)")
	cpuProfile := f.String("cpuprofile", "", "write this process's CPU profile to this file (in-process: server and clients)")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	switch {
	case *nObjects < 1 || *envelope < 1 || *pageSize < 1 || *workers < 1:
		return usageErr("--objects, --envelope, --page and --workers must be at least 1")
	case *nObjects > 100_000_000:
		return usageErr("--objects is at most 100,000,000")
	case *rawURL == "" && (*token != "" || *collection != "" || *serverPID != 0 || *identity != ""):
		return usageErr("--token, --collection, --identity and --server-pid go with --url")
	case *rawURL != "" && (*token == "" || *collection == ""):
		return usageErr("--url needs --token and --collection")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	t := &taxiiBench{envelope: *envelope, page: *pageSize, n: *nObjects, workers: *workers, log: e.stderr}
	where := ""
	if *rawURL != "" {
		root, err := loopbackRoot(*rawURL)
		if err != nil {
			return err
		}
		t.root, t.token, t.coll, t.identity, t.pid = root, *token, *collection, *identity, *serverPID
		where = "a running server"
		if t.pid != 0 {
			where += ", pid " + strconv.Itoa(t.pid)
		}
	} else {
		if *dir == "" {
			d, err := os.MkdirTemp("", "bloc-bench-taxii-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			*dir = d
		}
		stop, err := t.startServer(ctx, filepath.Join(*dir, "taxii.db"))
		if err != nil {
			return err
		}
		defer stop()
		where = "in this process, pid " + strconv.Itoa(t.pid)
	}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t.salt = uint64(time.Now().UnixNano())
	t.client = &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: *workers + 2, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	defer t.client.CloseIdleConnections()

	fmt.Fprintf(e.stdout, "taxii benchmark: server %s (%s), collection %s; %d objects in envelopes of %d from %d workers, pages of %d\n",
		t.root, where, t.coll, t.n, t.envelope, t.workers, t.page)
	mem := t.sampleMemory(250 * time.Millisecond)
	defer mem.stop()

	cpu0 := procCPU(t.pid)
	ing, err := t.ingest(ctx)
	if err != nil {
		return err
	}
	cpu1 := procCPU(t.pid)
	ingMem := mem.phase()
	fmt.Fprintf(e.stdout, "ingest: %d objects in %d envelopes in %s = %.0f objects/s; POST %s\n",
		ing.objects, ing.requests, ing.took.Round(time.Millisecond), ing.rate(), latencyMS(ing.lat))
	t.printCPU(e.stdout, "ingest", cpu1-cpu0, ing)

	pol, err := t.poll(ctx)
	if err != nil {
		return err
	}
	cpu2 := procCPU(t.pid)
	polMem := mem.phase()
	fmt.Fprintf(e.stdout, "poll: %d objects in %d pages in %s = %.0f objects/s; page %s\n",
		pol.objects, pol.requests, pol.took.Round(time.Millisecond), pol.rate(), latencyMS(pol.lat))
	t.printCPU(e.stdout, "poll", cpu2-cpu1, pol)
	if pol.foreign > 0 {
		fmt.Fprintf(e.stdout, "poll: %d objects read were not written by this run (already in the collection)\n", pol.foreign)
	}
	if mem.ok() {
		fmt.Fprintf(e.stdout, "server resident memory (VmRSS every 250 ms): max %s during ingest, %s during poll; peak VmHWM %s\n",
			kib(ingMem), kib(polMem), kib(procStatusOf(t.pid, "VmHWM:")))
	} else {
		fmt.Fprintf(e.stdout, "server resident memory: unknown (give --server-pid for a separate server)\n")
	}
	if t.dbPath != "" {
		fmt.Fprintf(e.stdout, "database: %s on disk\n", fileSizes(t.dbPath))
	}

	pageLat := pol.lat
	fullPages := pol.fullPageLat
	if len(fullPages) > 0 {
		pageLat = fullPages
	}
	verdict := func(ok bool) string { return map[bool]string{true: "met", false: "NOT met"}[ok] }
	fmt.Fprintf(e.stdout, "targets: ingest ≥ 20,000 objects/s %s (%.0f); poll ≥ 50,000 objects/s %s (%.0f); %d-object page p99 ≤ 100 ms %s (%s)",
		verdict(ing.rate() >= 20000), ing.rate(), verdict(pol.rate() >= 50000), pol.rate(), t.page,
		verdict(percentile(pageLat, 0.99) <= 100*time.Millisecond), ms(percentile(pageLat, 0.99)))
	if mem.ok() {
		peak := max(ingMem, polMem)
		fmt.Fprintf(e.stdout, "; resident ≤ 300 MB %s (%s)", verdict(peak*1024 <= 300_000_000), kib(peak))
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// taxiiBench is one run's settings and its server.
type taxiiBench struct {
	root     string // API root URL, ending in /
	token    string
	coll     string
	identity string // created_by_ref, or none
	pid      int    // the server's process, 0 when unknown
	dbPath   string // the in-process server's database

	n, envelope, page, workers int
	salt                       uint64 // makes this run's object ids
	client                     *http.Client
	log                        io.Writer
}

// loopbackRoot checks that u is an http URL on a loopback address and
// returns it ending in a slash.
func loopbackRoot(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || p.Host == "" {
		return "", usageErr("--url %q: give an http:// API root URL, e.g. http://127.0.0.1:8400/csto/", u)
	}
	host := p.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) {
		return "", usageErr("--url %q: the benchmark only drives servers on a loopback address (127.0.0.1, ::1, localhost)", u)
	}
	if p.Path == "" || p.Path == "/" {
		return "", usageErr("--url %q: give the API root (the bloc), e.g. http://%s/csto/", u, p.Host)
	}
	p.RawQuery, p.Fragment = "", ""
	return strings.TrimSuffix(p.String(), "/") + "/", nil
}

// startServer creates the fixture in a new database at path and serves the
// whole HTTP service (newServer, as `bloc serve` does) on 127.0.0.1:0.
func (t *taxiiBench) startServer(ctx context.Context, path string) (func(), error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (func(), error) {
		db.Close()
		return nil, fmt.Errorf("benchmark fixture: %w", err)
	}
	if err := db.CreateParty(ctx, bloc.Party{Code: benchTaxiiParty, Name: "Synthetic " + benchTaxiiParty}); err != nil {
		return fail(err)
	}
	founded := bloc.MustDate("2000-01-01")
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: benchTaxiiBloc, Name: "TAXII benchmark bloc", Founded: founded}); err != nil {
		return fail(err)
	}
	reg := registry.New(db)
	if _, err := reg.Add(ctx, []bloc.Record{{Bloc: benchTaxiiBloc, Party: benchTaxiiParty, Kind: bloc.KindSigned,
		Date: founded, Source: bloc.Source{Title: "synthetic"}}}); err != nil {
		return fail(err)
	}
	rs := registrar.New(db, reg)
	ag, err := rs.AddAgency(ctx, benchTaxiiParty, "TAXII benchmark agency", "", false)
	if err != nil {
		return fail(err)
	}
	_, secret, err := rs.CreateToken(ctx, ag.ID, bloc.RoleWrite, 0, false)
	if err != nil {
		return fail(err)
	}
	c, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: benchTaxiiBloc, Title: "TAXII benchmark", Audience: bloc.AudienceMembers})
	if err != nil {
		return fail(err)
	}
	log := slog.New(slog.NewTextHandler(t.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := newServer(db, log, serveConfig{maxContent: 64 << 20})
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	go srv.http.Serve(ln)
	t.root = "http://" + ln.Addr().String() + "/" + benchTaxiiBloc + "/"
	t.token, t.coll, t.identity, t.pid, t.dbPath = secret, c.ID, ag.Identity, os.Getpid(), path
	return func() {
		srv.http.Close()
		db.Close()
	}, nil
}

// phaseResult is what one phase measured.
type phaseResult struct {
	objects, requests int
	foreign           int // poll: objects this run did not write
	took              time.Duration
	lat               []time.Duration // every request, sorted
	fullPageLat       []time.Duration // poll: pages of exactly --page objects, sorted
}

func (p phaseResult) rate() float64 { return float64(p.objects) / p.took.Seconds() }

// progress prints a line to the log each time done crosses another tenth
// of total.
// Each line also gives the rate and the server's CPU time per object over
// the last tenth, which tell a slowdown of the server from one of the
// machine it shares.
type progress struct {
	name  string
	total int64
	done  atomic.Int64
	start time.Time
	log   io.Writer
	rss   func() int64
	pid   int

	mu       sync.Mutex
	tenth    int64
	lastAt   time.Time
	lastDone int64
	lastCPU  time.Duration
}

func newProgress(name string, total int, t *taxiiBench) *progress {
	now := time.Now()
	return &progress{name: name, total: int64(total), start: now, lastAt: now, log: t.log, rss: t.rss, pid: t.pid, lastCPU: procCPU(t.pid)}
}

func (p *progress) add(n int) {
	d := p.done.Add(int64(n))
	p.mu.Lock()
	defer p.mu.Unlock()
	t := d * 10 / p.total
	if t <= p.tenth {
		return
	}
	p.tenth = t
	now, cpu := time.Now(), procCPU(p.pid)
	el := now.Sub(p.start)
	line := fmt.Sprintf("bench taxii: %s %3d%%: %d objects in %s (%.0f objects/s); last tenth %.0f objects/s",
		p.name, t*10, d, el.Round(time.Second), float64(d)/el.Seconds(), float64(d-p.lastDone)/now.Sub(p.lastAt).Seconds())
	if p.pid != 0 {
		line += fmt.Sprintf(", %.1f µs CPU/object, %.0f%% of a core", float64((cpu-p.lastCPU).Microseconds())/float64(d-p.lastDone),
			100*(cpu-p.lastCPU).Seconds()/now.Sub(p.lastAt).Seconds())
	}
	fmt.Fprintf(p.log, "%s; server RSS %s\n", line, kib(p.rss()))
	p.lastAt, p.lastDone, p.lastCPU = now, d, cpu
}

// ingest POSTs t.n objects in envelopes from t.workers clients.
func (t *taxiiBench) ingest(ctx context.Context) (phaseResult, error) {
	envelopes := (t.n + t.envelope - 1) / t.envelope
	var next atomic.Int64
	lats := make([][]time.Duration, t.workers)
	errs := make([]error, t.workers)
	prog := newProgress("ingest", t.n, t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range t.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body []byte
			for {
				k := int(next.Add(1)) - 1
				if k >= envelopes || ctx.Err() != nil {
					return
				}
				from, to := k*t.envelope, min((k+1)*t.envelope, t.n)
				body = t.appendEnvelope(body[:0], from, to)
				t0 := time.Now()
				err := t.post(ctx, body, to-from)
				lats[w] = append(lats[w], time.Since(t0))
				if err != nil {
					errs[w] = fmt.Errorf("envelope of objects %d–%d: %w", from, to-1, err)
					cancel()
					return
				}
				prog.add(to - from)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return phaseResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return phaseResult{}, fmt.Errorf("ingest stopped: %w", err)
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return phaseResult{objects: t.n, requests: envelopes, took: took, lat: all}, nil
}

// post sends one envelope and checks that the status resource counts every
// object a success.
func (t *taxiiBench) post(ctx context.Context, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, "POST", t.root+"collections/"+t.coll+"/objects/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST answered %s: %.500s", resp.Status, b)
	}
	var st struct {
		SuccessCount int `json:"success_count"`
		FailureCount int `json:"failure_count"`
		Failures     []struct {
			ID, Message string
		} `json:"failures"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("status resource: %w", err)
	}
	if st.FailureCount > 0 {
		return fmt.Errorf("%d of %d objects refused, first %s: %s", st.FailureCount, want, st.Failures[0].ID, st.Failures[0].Message)
	}
	if st.SuccessCount != want {
		return fmt.Errorf("status counts %d successes, want %d", st.SuccessCount, want)
	}
	return nil
}

// poll reads the whole collection, page by page, and checks that every
// object this run wrote came back exactly once.
func (t *taxiiBench) poll(ctx context.Context) (phaseResult, error) {
	seen := make([]uint64, (t.n+63)/64)
	res := phaseResult{}
	prog := newProgress("poll", t.n, t)
	base := t.root + "collections/" + t.coll + "/objects/?limit=" + strconv.Itoa(t.page)
	next := ""
	var buf bytes.Buffer
	start := time.Now()
	for {
		u := base
		if next != "" {
			u += "&next=" + url.QueryEscape(next)
		}
		t0 := time.Now()
		if err := t.get(ctx, u, &buf); err != nil {
			return res, fmt.Errorf("page %d: %w", res.requests+1, err)
		}
		lat := time.Since(t0)
		// The client must cost little beside the server it measures: a
		// page is split by a small scanner, and fully checked by
		// encoding/json on the first page and every hundredth.
		if res.requests%100 == 0 && !json.Valid(buf.Bytes()) {
			return res, fmt.Errorf("page %d is not valid JSON", res.requests+1)
		}
		env, err := scanEnvelope(buf.Bytes())
		if err != nil {
			return res, fmt.Errorf("page %d is not a TAXII envelope: %w", res.requests+1, err)
		}
		res.requests++
		res.lat = append(res.lat, lat)
		if len(env.Objects) == t.page {
			res.fullPageLat = append(res.fullPageLat, lat)
		}
		ours := 0
		for _, raw := range env.Objects {
			i, ok := t.indexOf(raw)
			if !ok {
				res.foreign++
				continue
			}
			if seen[i/64]&(1<<(i%64)) != 0 {
				return res, fmt.Errorf("page %d: object %d came back twice", res.requests, i)
			}
			seen[i/64] |= 1 << (i % 64)
			ours++
		}
		res.objects += len(env.Objects)
		prog.add(ours)
		if !env.More {
			break
		}
		if env.Next == "" {
			return res, fmt.Errorf("page %d: more is true but there is no next", res.requests)
		}
		next = env.Next
	}
	res.took = time.Since(start)
	missing := 0
	for i := range t.n {
		if seen[i/64]&(1<<(i%64)) == 0 {
			missing++
		}
	}
	if missing > 0 {
		return res, fmt.Errorf("poll: %d of the %d objects posted did not come back", missing, t.n)
	}
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i] < res.lat[j] })
	sort.Slice(res.fullPageLat, func(i, j int) bool { return res.fullPageLat[i] < res.fullPageLat[j] })
	return res, nil
}

// envelopeScan is a TAXII envelope as scanEnvelope splits it.
type envelopeScan struct {
	More    bool
	Next    string
	Objects [][]byte // each a slice of the page
}

// scanEnvelope splits an envelope into more, next and its objects without
// decoding the objects.
func scanEnvelope(b []byte) (envelopeScan, error) {
	var env envelopeScan
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return env, errors.New("not a JSON object")
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != '}' {
		keyEnd, err := skipValue(b, i)
		if err != nil || b[i] != '"' {
			return env, fmt.Errorf("bad key at byte %d", i)
		}
		key := string(b[i+1 : keyEnd-1])
		i = skipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return env, fmt.Errorf("no colon at byte %d", i)
		}
		i = skipSpace(b, i+1)
		end, err := skipValue(b, i)
		if err != nil {
			return env, err
		}
		switch key {
		case "more":
			env.More = string(b[i:end]) == "true"
		case "next":
			if err := json.Unmarshal(b[i:end], &env.Next); err != nil {
				return env, fmt.Errorf("next: %w", err)
			}
		case "objects":
			if b[i] != '[' {
				return env, errors.New("objects is not a list")
			}
			j := skipSpace(b, i+1)
			for j < end-1 {
				e, err := skipValue(b, j)
				if err != nil {
					return env, err
				}
				env.Objects = append(env.Objects, b[j:e])
				j = skipSpace(b, e)
				if j < end-1 && b[j] == ',' {
					j = skipSpace(b, j+1)
				}
			}
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if i >= len(b) {
		return env, errors.New("unterminated object")
	}
	return env, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at i.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("unexpected end of page")
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("unterminated string")
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, err := skipValue(b, j)
				if err != nil {
					return 0, err
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated object or list")
	default:
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \n\r\t", rune(b[j])) {
			j++
		}
		if j == i {
			return 0, fmt.Errorf("unexpected %q at byte %d", b[i], i)
		}
		return j, nil
	}
}

// get reads one page into buf; the latency measured around it includes
// reading the whole body.
func (t *taxiiBench) get(ctx context.Context, u string, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET answered %s: %.500s", resp.Status, buf.Bytes())
	}
	return nil
}

// ---- generated objects ----

// Object i of a run has the id <type>--<uuid> where the uuid's first 18
// random hex digits come from the run's salt and i, and its last 12 are i:
// ids arrive in random order (as real ones do) yet name their index.

func mix64(x uint64) uint64 { // splitmix64's finaliser
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, digits int) []byte {
	for k := digits - 1; k >= 0; k-- {
		b = append(b, hexDigits[(v>>(4*k))&0xf])
	}
	return b
}

// appendUUID appends the version 4 UUID of object i.
func (t *taxiiBench) appendUUID(b []byte, i int) []byte {
	r1 := mix64(t.salt ^ uint64(i)*0x9e3779b97f4a7c15)
	r2 := mix64(r1 + 0x632be59bd9b4e019)
	b = appendHex(b, r1>>32, 8)
	b = append(b, '-')
	b = appendHex(b, r1>>16, 4)
	b = append(b, '-', '4')
	b = appendHex(b, r1, 3)
	b = append(b, '-', hexDigits[8+(r2>>62)])
	b = appendHex(b, r2, 3)
	b = append(b, '-')
	return appendHex(b, uint64(i), 12)
}

// benchTypes is the mix of generated objects, by i mod 10.
var benchTypes = [10]string{"indicator", "indicator", "indicator", "indicator", "indicator", "indicator",
	"malware", "intrusion-set", "attack-pattern", "relationship"}

func (t *taxiiBench) appendID(b []byte, i int) []byte {
	b = append(b, benchTypes[i%10]...)
	b = append(b, '-', '-')
	return t.appendUUID(b, i)
}

// indexOf reads back the index of an object this run wrote, from its id.
func (t *taxiiBench) indexOf(raw []byte) (int, bool) {
	const key = `"id":"`
	k := bytes.Index(raw, []byte(key))
	if k < 0 {
		return 0, false
	}
	rest := raw[k+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 12 {
		return 0, false
	}
	id := rest[:end]
	i64, err := strconv.ParseUint(string(id[len(id)-12:]), 16, 64)
	if err != nil || i64 >= uint64(t.n) {
		return 0, false
	}
	var want [64]byte
	if !bytes.Equal(id, t.appendID(want[:0], int(i64))) {
		return 0, false
	}
	return int(i64), true
}

var benchEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// appendEnvelope appends a TAXII envelope of objects from..to-1.
func (t *taxiiBench) appendEnvelope(b []byte, from, to int) []byte {
	b = append(b, `{"objects":[`...)
	for i := from; i < to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = t.appendObject(b, i)
	}
	return append(b, `]}`...)
}

// appendObject appends object i: common properties, a TLP 2.0 marking
// (every third AMBER, the rest GREEN) and the properties of its type.
func (t *taxiiBench) appendObject(b []byte, i int) []byte {
	typ := benchTypes[i%10]
	ts := benchEpoch.Add(time.Duration(i)*time.Millisecond).AppendFormat(nil, "2006-01-02T15:04:05.000Z")
	marking := stix.TLP2Green
	if i%3 == 2 {
		marking = stix.TLP2Amber
	}
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","spec_version":"2.1","id":"`...)
	b = t.appendID(b, i)
	b = append(b, `","created":"`...)
	b = append(b, ts...)
	b = append(b, `","modified":"`...)
	b = append(b, ts...)
	b = append(b, '"')
	if t.identity != "" {
		b = append(b, `,"created_by_ref":"`...)
		b = append(b, t.identity...)
		b = append(b, '"')
	}
	b = append(b, `,"object_marking_refs":["`...)
	b = append(b, marking...)
	b = append(b, `"]`...)
	n := strconv.Itoa(i)
	switch typ {
	case "indicator":
		ip := strconv.Itoa(i>>16&0xff) + "." + strconv.Itoa(i>>8&0xff) + "." + strconv.Itoa(i&0xff)
		b = append(b, `,"name":"Command and control server `...)
		b = append(b, n...)
		b = append(b, `","description":"Address seen relaying beacon traffic of a remote access tool; block and report connections.","indicator_types":["malicious-activity","attribution"],"pattern":"[ipv4-addr:value = '10.`...)
		b = append(b, ip...)
		b = append(b, `'] AND [network-traffic:dst_port = 443]","pattern_type":"stix","valid_from":"`...)
		b = append(b, ts...)
		b = append(b, `","kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"command-and-control"}],"labels":["benchmark"]`...)
	case "malware":
		b = append(b, `,"name":"Loader family `...)
		b = append(b, n...)
		b = append(b, `","description":"A downloader delivered by spear-phishing attachments.","malware_types":["remote-access-trojan","dropper"],"is_family":true`...)
	case "intrusion-set":
		b = append(b, `,"name":"Cell `...)
		b = append(b, n...)
		b = append(b, `","description":"A group seen recruiting and moving people across borders.","goals":["recruitment","financing"],"resource_level":"team","primary_motivation":"ideology"`...)
	case "attack-pattern":
		b = append(b, `,"name":"Spear-phishing pattern `...)
		b = append(b, n...)
		b = append(b, `","description":"Lures about regional security exercises with macro-enabled attachments.","external_references":[{"source_name":"capec","external_id":"CAPEC-163"}]`...)
	case "relationship":
		// The indicator just before points at the malware of its ten.
		b = append(b, `,"relationship_type":"indicates","source_ref":"`...)
		b = t.appendID(b, i-4)
		b = append(b, `","target_ref":"`...)
		b = t.appendID(b, i-3)
		b = append(b, '"')
	}
	return append(b, '}')
}

// ---- server memory ----

// memSampler samples a process's VmRSS and keeps the maximum of the
// current phase.
type memSampler struct {
	pid    int
	mu     sync.Mutex
	max    int64
	done   chan struct{}
	wg     sync.WaitGroup
	failed bool
}

func (t *taxiiBench) sampleMemory(every time.Duration) *memSampler {
	m := &memSampler{pid: t.pid, done: make(chan struct{})}
	if t.pid == 0 {
		m.failed = true
		return m
	}
	m.sample()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-tick.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	v := procStatusOf(m.pid, "VmRSS:")
	m.mu.Lock()
	defer m.mu.Unlock()
	if v == 0 {
		m.failed = true
	}
	m.max = max(m.max, v)
}

// phase returns the maximum since the last call (taking one more sample).
func (m *memSampler) phase() int64 {
	if m.pid == 0 {
		return 0
	}
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.max
	m.max = 0
	return v
}

func (m *memSampler) ok() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.failed
}

func (m *memSampler) stop() {
	if m.pid != 0 {
		close(m.done)
		m.wg.Wait()
	}
}

// printCPU reports the CPU time the measured process spent in a phase: on
// a shared machine it says what the phase costs, whatever else runs.
func (t *taxiiBench) printCPU(w io.Writer, name string, cpu time.Duration, p phaseResult) {
	if t.pid == 0 || cpu <= 0 {
		return
	}
	who := "server"
	if t.pid == os.Getpid() {
		who = "server and clients (one process)"
	}
	fmt.Fprintf(w, "%s: CPU time of the %s %s = %.1f µs/object, %.0f%% of one core over the phase\n",
		name, who, cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(p.objects), 100*cpu.Seconds()/p.took.Seconds())
}

// procCPU reads the user+system CPU time of a process from
// /proc/PID/stat (0 when unknown).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15 (in clock ticks).
	k := bytes.LastIndexByte(b, ')')
	if k < 0 {
		return 0
	}
	fields := strings.Fields(string(b[k+1:]))
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSecond
}

func (t *taxiiBench) rss() int64 { return procStatusOf(t.pid, "VmRSS:") }

// fileSizes reports the database file and its WAL.
func fileSizes(path string) string {
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	return fmt.Sprintf("%s (+ WAL %s)", kib(size(path)/1024), kib(size(path+"-wal")/1024))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func latencyMS(sorted []time.Duration) string {
	return fmt.Sprintf("latency p50 %s  p99 %s  max %s", ms(percentile(sorted, 0.5)), ms(percentile(sorted, 0.99)), ms(percentile(sorted, 1)))
}
