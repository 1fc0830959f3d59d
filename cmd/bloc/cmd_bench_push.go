package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// The push benchmark's fixture: one bloc, one member party, its agency, a
// members collection.
const (
	benchPushBloc   = "benchpush"
	benchPushParty  = "XAA"
	benchPushAgency = "bench-push"
	benchPushColl   = "7d0c3b1e-9a52-4c33-8e0f-0b6d3f1a2c44"
)

// cmdBenchPush measures the push path: publish → delivery latency over
// real SSE connections on loopback, delivery throughput, memory per idle
// subscriber, and the effect of stalled subscribers on the others.
//
// By default the server runs in a child process (this binary, re-executed
// as `bloc bench push --serve-child`), so that its memory is measured apart
// from the clients'; --in-process runs it inside this process instead.
func cmdBenchPush(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "bench push", "bench push [--subscribers 1000] [--events 200] [--stalled 1] [--size 512] [--interval 10ms] [--in-process]", `Open SUBSCRIBERS SSE streams on one collection of a server on 127.0.0.1,
then publish EVENTS objects one at a time every INTERVAL and measure, over
every (subscriber, event) pair, the time from the server's publish to the
client's receipt: p50, p99 and max. Then the same again with STALLED extra
subscribers that never read, and a burst of EVENTS objects published back to
back to measure delivery throughput. Memory per idle subscriber is the
server's resident and Go heap+stack growth while the streams are open,
divided by SUBSCRIBERS. Raises the open-file limit if it must.`)
	n := f.Int("subscribers", 1000, "streams to open")
	events := f.Int("events", 200, "objects to publish in each phase")
	stalled := f.Int("stalled", 1, "subscribers that never read, in the second phase")
	size := f.Int("size", 512, "padding of each STIX object, in bytes")
	interval := f.Duration("interval", 10*time.Millisecond, "pause between paced publishes")
	tokens := f.Int("tokens", 10, "distinct agency tokens the subscribers use")
	inProcess := f.Bool("in-process", false, "run the server in this process (memory figures then include the clients)")
	dir := f.String("dir", "", "directory for the database (default: a new temporary one)")
	child := f.Bool("serve-child", false, "internal: run as the benchmark's server process")
	cpuProfile := f.String("cpuprofile", "", "write the server's CPU profile to this file")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	if *child {
		return benchPushChild(ctx, e, *cpuProfile)
	}
	if *n < 1 || *events < 1 || *tokens < 1 || *stalled < 0 {
		return usageErr("--subscribers, --events and --tokens must be at least 1, --stalled at least 0")
	}
	limit, err := raiseFileLimit(uint64(*n + *stalled + 1024))
	if err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "bloc-bench-push-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	dbPath := filepath.Join(*dir, "push.db")
	secrets, err := benchPushFixture(ctx, dbPath, *tokens)
	if err != nil {
		return err
	}

	var srv benchServer
	if *inProcess {
		srv, err = startInProcess(ctx, dbPath)
	} else {
		srv, err = startChild(ctx, dbPath, *cpuProfile)
	}
	if err != nil {
		return err
	}
	defer srv.close()
	fmt.Fprintf(e.stdout, "push benchmark: server at %s (%s), %d subscribers, %d events of %d bytes, open-file limit %d, %d CPUs, load average %s\n",
		srv.addr, map[bool]string{true: "in this process", false: "child process " + strconv.Itoa(srv.pid)}[*inProcess], *n, *events, *size, limit, runtime.NumCPU(), loadAverage())

	b := &pushBench{addr: srv.addr, size: *size, secrets: secrets}
	before, err := b.stats(true)
	if err != nil {
		return err
	}
	start := time.Now()
	subs, err := b.openSubscribers(ctx, *n)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range subs {
			s.conn.Close()
		}
	}()
	fmt.Fprintf(e.stdout, "opened %d streams in %s\n", *n, time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // let the streams settle into idleness
	idle, err := b.stats(true)
	if err != nil {
		return err
	}
	if idle.Streams != int64(*n) {
		return fmt.Errorf("the server has %d open streams, want %d", idle.Streams, *n)
	}
	perRSS := float64(idle.RSSKiB-before.RSSKiB) * 1024 / float64(*n)
	perGo := float64((idle.HeapInuse+idle.StackInuse)-(before.HeapInuse+before.StackInuse)) / float64(*n)
	fmt.Fprintf(e.stdout, "memory per idle subscriber: %.1f KiB resident, %.1f KiB Go heap+stack (%.1f KiB heap, %.1f KiB stacks; server RSS %s with %d streams; %d goroutines)\n",
		perRSS/1024, perGo/1024, float64(idle.HeapInuse-before.HeapInuse)/float64(*n)/1024, float64(idle.StackInuse-before.StackInuse)/float64(*n)/1024,
		kib(idle.RSSKiB), *n, idle.Goroutines)

	// Phase 1: paced publishes, every subscriber reading.
	cpu0 := idle.CPU
	lat, took, err := b.phase(ctx, subs, *events, *interval)
	if err != nil {
		return err
	}
	p99Healthy := percentile(lat, 0.99)
	after1, err := b.stats(false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "paced, %d events every %s: %s; %d deliveries in %s; server CPU %.1f µs per delivery\n", *events, *interval, latencyLine(lat), len(lat), took.Round(time.Millisecond),
		float64((after1.CPU-cpu0).Microseconds())/float64(len(lat)))

	// Phase 2: the same with stalled subscribers beside the others.
	if *stalled > 0 {
		for i := 0; i < *stalled; i++ {
			c, err := b.dialStalled()
			if err != nil {
				return err
			}
			defer c.Close()
		}
		// Fill the stalled connections (8 MiB of notes, which the measured
		// subscribers filter out), so that the server's writes to them
		// block and their buffers fill during the phase.
		for range 128 {
			if _, err := b.publish("note", 64<<10); err != nil {
				return err
			}
		}
		lat2, took2, err := b.phase(ctx, subs, *events, *interval)
		if err != nil {
			return err
		}
		after, err := b.stats(false)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "paced with %d stalled subscriber(s): %s; %d deliveries in %s; stalled streams ended by overflow: %d\n",
			*stalled, latencyLine(lat2), len(lat2), took2.Round(time.Millisecond), after.Overflows-idle.Overflows)
		fmt.Fprintf(e.stdout, "p99 without stalled %s, with %s\n", p99Healthy, percentile(lat2, 0.99))
	}

	// Phase 3: a burst, for throughput.
	lat3, took3, err := b.phase(ctx, subs, *events, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "burst of %d events: %d deliveries in %s = %.0f deliveries/s (%s)\n",
		*events, len(lat3), took3.Round(time.Millisecond), float64(len(lat3))/took3.Seconds(), latencyLine(lat3))
	final, err := b.stats(false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "server peak resident memory: %s; load average at the end %s\n", kib(final.PeakRSSKiB), loadAverage())
	return nil
}

// benchPushFixture creates the database the server and the clients share,
// and returns the subscribers' token strings.
func benchPushFixture(ctx context.Context, path string, tokens int) ([]string, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.CreateParty(ctx, bloc.Party{Code: benchPushParty, Name: "Synthetic " + benchPushParty}); err != nil {
		return nil, err
	}
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: benchPushBloc, Name: "Push benchmark bloc", Founded: bloc.MustDate("2000-01-01")}); err != nil {
		return nil, err
	}
	if _, err := registry.New(db).Add(ctx, []bloc.Record{{Bloc: benchPushBloc, Party: benchPushParty, Kind: bloc.KindSigned,
		Date: bloc.MustDate("2000-01-01"), Source: bloc.Source{Title: "synthetic"}}}); err != nil {
		return nil, err
	}
	if err := db.CreateAgency(ctx, bloc.Agency{ID: benchPushAgency, Party: benchPushParty, Name: "Push benchmark agency",
		Identity: "identity--7d0c3b1e-9a52-4c33-8e0f-000000000001"}); err != nil {
		return nil, err
	}
	if err := db.CreateCollection(ctx, bloc.Collection{ID: benchPushColl, Bloc: benchPushBloc, Title: "Push benchmark", Audience: bloc.AudienceMembers}); err != nil {
		return nil, err
	}
	var out []string
	for range tokens {
		t, s, err := auth.NewToken(benchPushAgency, bloc.RoleRead)
		if err != nil {
			return nil, err
		}
		if err := db.CreateToken(ctx, t); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// benchServer is the server under test, wherever it runs.
type benchServer struct {
	addr  string
	pid   int
	close func()
}

// benchHandler is the push server with two benchmark endpoints: publish
// (store objects and hand them to the push server as the TAXII server's
// hook does) and stats.
func benchHandler(ctx context.Context, db *sqlite.DB) (http.Handler, *push.Server, error) {
	ps, err := push.New(push.Config{Store: db, Record: registry.New(db), Webhooks: push.WebhookConfig{Disabled: true}})
	if err != nil {
		return nil, nil, err
	}
	if err := ps.Start(ctx); err != nil {
		return nil, nil, err
	}
	coll, err := db.Collection(ctx, benchPushColl)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	ps.Routes(mux)
	var counter atomic.Int64
	mux.HandleFunc("POST /bench/publish", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		objs := make([]bloc.Object, max(n, 1))
		typ := r.URL.Query().Get("type")
		if typ == "" {
			typ = "indicator"
		}
		for i := range objs {
			objs[i] = benchPushObject(counter.Add(1), typ, size)
		}
		res, err := db.PutObjects(r.Context(), benchPushColl, objs, func(bloc.Object, string, bool) error { return nil })
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		stored := make([]bloc.Object, 0, len(res))
		for _, pr := range res {
			if pr.Err != nil {
				http.Error(w, pr.Err.Error(), 500)
				return
			}
			stored = append(stored, pr.Object)
		}
		at := time.Now().UnixNano()
		ps.OnStored(coll, stored)
		json.NewEncoder(w).Encode(benchPublished{First: stored[0].Seq, Last: stored[len(stored)-1].Seq, At: at})
	})
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") != "" {
			runtime.GC()
			debug.FreeOSMemory()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := ps.Stats()
		rss, peak := procStatusOf(os.Getpid(), "VmRSS:"), procStatusOf(os.Getpid(), "VmHWM:")
		json.NewEncoder(w).Encode(benchStats{CPU: processCPU(), Streams: st.Streams, Overflows: st.Hub.Overflows, HeapInuse: ms.HeapInuse,
			StackInuse: ms.StackInuse, RSSKiB: rss, PeakRSSKiB: peak, Goroutines: runtime.NumGoroutine()})
	})
	return mux, ps, nil
}

type benchPublished struct {
	First, Last int64
	At          int64 // Unix ns, just before the objects were handed to the hub
}

type benchStats struct {
	CPU                   time.Duration // the server process's user+system CPU time so far
	Streams, Overflows    int64
	HeapInuse, StackInuse uint64
	RSSKiB, PeakRSSKiB    int64
	Goroutines            int
}

// benchPushObject is an indicator, or a note (the stalled subscribers'
// filler), padded with size bytes.
func benchPushObject(n int64, typ string, size int) bloc.Object {
	id := fmt.Sprintf("%s--7d0c3b1e-0000-4000-8000-%012d", typ, n)
	ver := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	raw := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":%q,"x_pad":%q}`,
		id, ver, ver, n%256, ver, strings.Repeat("x", size))
	if typ == "note" {
		raw = fmt.Sprintf(`{"type":"note","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"content":%q,"object_refs":["indicator--7d0c3b1e-0000-4000-8000-000000000001"]}`,
			id, ver, ver, strings.Repeat("x", size))
	}
	return bloc.Object{ID: id, Type: typ, Version: ver, Spec: "2.1", Producer: benchPushAgency, OwnerParty: benchPushParty, TLP: bloc.TLPGreen, Raw: []byte(raw)}
}

func startInProcess(ctx context.Context, dbPath string) (benchServer, error) {
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return benchServer{}, err
	}
	h, ps, err := benchHandler(ctx, db)
	if err != nil {
		db.Close()
		return benchServer{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return benchServer{}, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return benchServer{addr: ln.Addr().String(), pid: os.Getpid(), close: func() {
		ps.Shutdown()
		hs.Close()
		db.Close()
	}}, nil
}

// startChild re-executes this binary as the server and reads its address.
func startChild(ctx context.Context, dbPath, cpuProfile string) (benchServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return benchServer{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "--db", dbPath, "bench", "push", "--serve-child", "--cpuprofile", cpuProfile)
	stdin, err := cmd.StdinPipe() // the child stops when this closes
	if err != nil {
		return benchServer{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return benchServer{}, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return benchServer{}, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		stdin.Close()
		cmd.Wait()
		return benchServer{}, fmt.Errorf("the benchmark server did not start (said %q): is `bench push` registered in this binary?", line)
	}
	return benchServer{addr: addr, pid: cmd.Process.Pid, close: func() {
		stdin.Close()
		cmd.Wait()
	}}, nil
}

// benchPushChild is the server process: it serves until stdin closes.
func benchPushChild(ctx context.Context, e *env, cpuProfile string) error {
	if _, err := raiseFileLimit(1 << 20); err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	db, err := sqlite.Open(ctx, e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h, ps, err := benchHandler(ctx, db)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Fprintf(e.stdout, "listening %s\n", ln.Addr())
	io.Copy(io.Discard, e.stdin)
	ps.Shutdown()
	return hs.Close()
}

// pushBench drives the server over HTTP.
type pushBench struct {
	addr     string
	size     int
	secrets  []string
	client   http.Client
	received atomic.Int64
}

// subscriber is one open stream whose reader goroutine records, for every
// event, its id and when it arrived.
type subscriber struct {
	conn     net.Conn
	received *atomic.Int64 // all subscribers' events, for waiting cheaply
	mu       sync.Mutex
	got      []receipt
}

type receipt struct {
	seq int64
	at  int64 // Unix ns
}

// request is a stream request; the measured subscribers ask for indicators
// only (match[type]), so that the notes that fill the stalled
// subscribers' connections cost them nothing but a filtered event.
func (b *pushBench) request(token, query string) string {
	return "GET /" + benchPushBloc + "/collections/" + benchPushColl + "/stream" + query + " HTTP/1.1\r\nHost: " + b.addr +
		"\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n\r\n"
}

// openSubscribers opens n streams, 100 at a time, each ready when its
// response headers have arrived.
func (b *pushBench) openSubscribers(ctx context.Context, n int) ([]*subscriber, error) {
	subs := make([]*subscriber, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 100)
	var wg sync.WaitGroup
	for i := range subs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := b.subscribe(b.secrets[i%len(b.secrets)])
			if err != nil {
				errs <- err
				return
			}
			subs[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, s := range subs {
			if s != nil {
				s.conn.Close()
			}
		}
		return nil, fmt.Errorf("opening streams: %w", err)
	}
	return subs, nil
}

func (b *pushBench) subscribe(token string) (*subscriber, error) {
	conn, err := net.Dial("tcp", b.addr)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(conn, b.request(token, "?match[type]=indicator")); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1024), nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("opening a stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("the stream answered %s", resp.Status)
	}
	s := &subscriber{conn: conn, received: &b.received}
	go s.read(bufio.NewReaderSize(resp.Body, 4096))
	return s, nil
}

// read records the "id: N" lines of the (de-chunked) event stream.
func (s *subscriber) read(r *bufio.Reader) {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
		if rest, ok := bytes.CutPrefix(line, []byte("id: ")); ok {
			seq, perr := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
			if perr == nil {
				at := time.Now().UnixNano()
				s.mu.Lock()
				s.got = append(s.got, receipt{seq, at})
				s.mu.Unlock()
				s.received.Add(1)
			}
		}
	}
}

func (s *subscriber) take() []receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

// dialStalled opens a stream with a tiny receive buffer and never reads it.
func (b *pushBench) dialStalled() (net.Conn, error) {
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", b.addr)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(conn, b.request(b.secrets[0], "")); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// phase publishes events objects, one per publish, pausing interval
// between them, waits until every subscriber has every one, and returns
// the latency of each delivery and the time from the first publish to the
// last delivery.
func (b *pushBench) phase(ctx context.Context, subs []*subscriber, events int, interval time.Duration) ([]time.Duration, time.Duration, error) {
	for _, s := range subs {
		s.take()
	}
	b.received.Store(0)
	published := make(map[int64]int64, events)
	var first int64
	for i := 0; i < events; i++ {
		p, err := b.publish("indicator", b.size)
		if err != nil {
			return nil, 0, err
		}
		if i == 0 {
			first = p.At
		}
		published[p.First] = p.At
		if interval > 0 {
			time.Sleep(interval)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		missing := int64(len(subs)*events) - b.received.Load()
		if missing <= 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, 0, fmt.Errorf("%d deliveries missing after 2 minutes", missing)
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		time.Sleep(5 * time.Millisecond)
	}
	lat := make([]time.Duration, 0, len(subs)*events)
	var last int64
	for _, s := range subs {
		for _, r := range s.take() {
			at, ok := published[r.seq]
			if !ok {
				return nil, 0, fmt.Errorf("a subscriber received event %d, which this phase did not publish", r.seq)
			}
			lat = append(lat, time.Duration(r.at-at))
			last = max(last, r.at)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, time.Duration(last - first), nil
}

func (b *pushBench) publish(typ string, size int) (benchPublished, error) {
	var p benchPublished
	resp, err := b.client.Post("http://"+b.addr+"/bench/publish?n=1&type="+typ+"&size="+strconv.Itoa(size), "application/json", nil)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(resp.Body)
		return p, fmt.Errorf("publish: %s: %s", resp.Status, msg)
	}
	return p, json.NewDecoder(resp.Body).Decode(&p)
}

func (b *pushBench) stats(gc bool) (benchStats, error) {
	var st benchStats
	u := "http://" + b.addr + "/bench/stats"
	if gc {
		u += "?gc=1"
	}
	resp, err := b.client.Get(u)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func latencyLine(lat []time.Duration) string {
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("latency p50 %s  p99 %s  max %s", r(percentile(lat, 0.5)), r(percentile(lat, 0.99)), r(percentile(lat, 1)))
}

// raiseFileLimit raises the soft open-file limit to at least want (up to
// the hard limit; as root, the hard limit too) and returns the new limit.
func raiseFileLimit(want uint64) (uint64, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	if rl.Cur >= want {
		return rl.Cur, nil
	}
	if rl.Max < want {
		raised := syscall.Rlimit{Cur: want, Max: want}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			return want, nil
		}
		want = rl.Max // not root: the soft limit can go up to the hard one
	}
	rl.Cur = want
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, fmt.Errorf("raising the open-file limit to %d: %w", want, err)
	}
	return rl.Cur, nil
}

// processCPU is this process's user and system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func kib(n int64) string {
	if n >= 1024 {
		return fmt.Sprintf("%.1f MiB", float64(n)/1024)
	}
	return fmt.Sprintf("%d KiB", n)
}
