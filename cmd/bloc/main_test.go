package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// cli runs one bloc invocation in-process against db and returns its exit
// status and output.
type cli struct {
	t  *testing.T
	db string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, db: filepath.Join(t.TempDir(), "bloc.db")}
}

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "BLOC_DB" {
			return c.db
		}
		return ""
	}
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, env)
	return code, out.String(), errb.String()
}

// ok runs args and fails the test unless it exits 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("bloc %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// fails runs args and fails the test unless it exits non-zero; it returns
// stderr.
func (c *cli) fails(args ...string) string {
	c.t.Helper()
	code, _, errs := c.run("", args...)
	if code == 0 {
		c.t.Fatalf("bloc %s: exit 0, want an error", strings.Join(args, " "))
	}
	return errs
}

func memberCodes(t *testing.T, js string) []string {
	t.Helper()
	var v struct {
		Bloc    string `json:"bloc"`
		At      string `json:"at"`
		Members []struct {
			Party    string `json:"party"`
			Standing string `json:"standing"`
			Certain  bool   `json:"certain"`
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("members --json is not one JSON object: %v\n%s", err, js)
	}
	var codes []string
	for _, m := range v.Members {
		if m.Standing != "member" || !m.Certain {
			t.Errorf("%s at %s: %s has standing %s certain=%v", v.Bloc, v.At, m.Party, m.Standing, m.Certain)
		}
		codes = append(codes, m.Party)
	}
	return codes
}

// The questions issue 2 says the built-in record must answer.
func TestBuiltInRecordAnswers(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		at   string
		want string
	}{
		{"2010-01-01", "ARM BLR KAZ KGZ RUS TJK UZB"},
		{"2000-06-01", "ARM BLR KAZ KGZ RUS TJK"},
		{"1995-01-01", "ARM AZE BLR GEO KAZ KGZ RUS TJK UZB"},
		{"2014-01-01", "ARM BLR KAZ KGZ RUS TJK"},
	} {
		got := strings.Join(memberCodes(t, c.ok("members", "csto", "--at", tc.at, "--json")), " ")
		if got != tc.want {
			t.Errorf("csto members at %s = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestMembersJSONShape(t *testing.T) {
	c := newCLI(t)
	out := c.ok("members", "csto", "--at", "2010-01-01", "--json")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sortedKeys(v), ","); got != "at,bloc,members,name" {
		t.Errorf("members JSON keys = %s", got)
	}
	first := v["members"].([]any)[0].(map[string]any)
	want := map[string]any{"party": "ARM", "name": "Armenia", "standing": "member", "since": "1992-05-15", "certain": true}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first member = %v, want %v", first, want)
	}
	if v["name"] != "Collective Security Treaty Organization" || v["at"] != "2010-01-01" {
		t.Errorf("name/at = %v/%v", v["name"], v["at"])
	}
}

// Uzbekistan's CSTO history: two membership intervals, a lapse, a
// suspension and a withdrawal, each with its sources.
func TestUzbekistanHistory(t *testing.T) {
	c := newCLI(t)
	var h struct {
		Intervals []struct {
			Standing, From, To string
		} `json:"intervals"`
		Events []struct {
			Kind         string `json:"kind"`
			Date         string `json:"date"`
			Disputed     bool   `json:"disputed"`
			Attestations []struct {
				Source struct{ Title, URL string } `json:"source"`
				Quote  string                      `json:"quote"`
			} `json:"attestations"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(c.ok("history", "UZB", "--bloc", "csto", "--json")), &h); err != nil {
		t.Fatal(err)
	}
	var ivs []string
	for _, iv := range h.Intervals {
		ivs = append(ivs, iv.Standing+" "+iv.From+"→"+iv.To)
	}
	want := []string{
		"member 1992-05-15→1999-04-02",
		"former 1999-04-02→2006-08-16",
		"member 2006-08-16→2012-06-20",
		"suspended 2012-06-20→2012-12-19",
		"former 2012-12-19→",
	}
	if !reflect.DeepEqual(ivs, want) {
		t.Errorf("UZB csto intervals:\n got %q\nwant %q", ivs, want)
	}
	kinds := map[string]int{}
	for _, e := range h.Events {
		kinds[e.Kind]++
		if len(e.Attestations) == 0 {
			t.Errorf("event %s %s has no source", e.Kind, e.Date)
		}
		if e.Kind == "lapsed" {
			if !e.Disputed {
				t.Errorf("the 1999 lapse should be disputed (2 April vs 20 April)")
			}
			var article bool
			for _, a := range e.Attestations {
				if strings.Contains(a.Quote, "April 2, 1999") {
					article = true
				}
			}
			if !article {
				t.Errorf("the lapse should carry the article's sentence as one attestation")
			}
		}
	}
	for k, n := range map[string]int{"signed": 1, "lapsed": 1, "acceded": 1, "suspended": 1, "withdrew": 1} {
		if kinds[k] != n {
			t.Errorf("UZB csto has %d %s events, want %d", kinds[k], k, n)
		}
	}
}

// An imprecise date is answered honestly: inside the 1999 lapse's window
// the three parties are listed as uncertain.
func TestUncertainInsideWindow(t *testing.T) {
	c := newCLI(t)
	var v struct {
		Members []struct {
			Party, Standing, Before, After string
			Certain                        bool
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(c.ok("members", "csto", "--at", "1999-04-10", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	uncertain := map[string]bool{}
	for _, m := range v.Members {
		if !m.Certain {
			uncertain[m.Party] = true
			if m.Before != "member" || m.After != "former" {
				t.Errorf("%s before/after = %s/%s, want member/former", m.Party, m.Before, m.After)
			}
		}
	}
	if !reflect.DeepEqual(uncertain, map[string]bool{"AZE": true, "GEO": true, "UZB": true}) {
		t.Errorf("uncertain parties = %v, want AZE GEO UZB", uncertain)
	}
}

// Bad input: a clear error naming the argument or row, a non-zero exit,
// and nothing written.
func TestBadInputWritesNothing(t *testing.T) {
	c := newCLI(t)
	before := c.ok("export")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"event", "add", "csto", "UZB", "withdrew", "2001-02-30"}, "no such day"},
		{[]string{"event", "add", "csto", "UZB", "withdrew", "2001-13"}, "month out of range"},
		{[]string{"event", "add", "csto", "UZB", "withdrew", "May 2001"}, "date \"May 2001\""},
		{[]string{"event", "add", "nope", "UZB", "acceded", "2001"}, `unknown bloc "nope"`},
		{[]string{"event", "add", "csto", "XYZ", "acceded", "2001"}, `unknown party "XYZ"`},
		{[]string{"event", "add", "csto", "UZB", "joined", "2001"}, `KIND "joined" is not an event kind`},
		{[]string{"event", "add", "csto", "KAZ", "acceded", "2001"}, "already a member"},
		{[]string{"event", "add", "csto", "TUR", "withdrew", "2001"}, "TUR"},
		{[]string{"event", "add", "csto", "KAZ", "resumed", "2001"}, "not suspended"},
		{[]string{"event", "add", "wp", "POL", "acceded", "1995"}, "dissolved"},
		{[]string{"members", "nope"}, `no bloc "nope"`},
		{[]string{"members", "csto", "--at", "2010-02-30"}, "--at"},
		{[]string{"history", "XYZ"}, "XYZ"},
		{[]string{"changes", "csto", "--from", "2013", "--to", "1999"}, "must be after"},
	}
	for _, tc := range cases {
		errs := c.fails(tc.args...)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("bloc %s: stderr %q does not say %q", strings.Join(tc.args, " "), errs, tc.want)
		}
	}
	// The same fact from the same source twice is a duplicate.
	c.ok("event", "add", "csto", "SRB", "statement", "2020-01-01", "--source-url", "https://example.org/a")
	if errs := c.fails("event", "add", "csto", "SRB", "statement", "2020-01-01", "--source-url", "https://example.org/a"); !strings.Contains(errs, "same source") {
		t.Errorf("duplicate: %s", errs)
	}
	after := c.ok("export")
	if strings.Count(after, "\n") != strings.Count(before, "\n")+1 {
		t.Errorf("refused commands wrote records: %d lines before, %d after (one statement added)", strings.Count(before, "\n"), strings.Count(after, "\n"))
	}
}

func TestImportReportsEveryBadRowAndWritesNothing(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := c.ok("export")
	bad := write("bad.csv", "bloc,party,event,date\ncsto,TUR,acceded,2001\ncsto,KAZ,acceded,2001-13\ncsto,SRB,resumed,1999-02-30\n")
	errs := c.fails("import", bad)
	for _, want := range []string{"line 3", "month out of range", "line 4", "no such day"} {
		if !strings.Contains(errs, want) {
			t.Errorf("import errors do not mention %q:\n%s", want, errs)
		}
	}
	conflict := write("conflict.csv", "bloc,party,event,date\ncsto,TUR,acceded,2001\ncsto,KAZ,acceded,2001\ncsto,ZZZ,acceded,2001\n")
	errs = c.fails("import", conflict)
	for _, want := range []string{"line 3", "already a member", "line 4", `unknown party "ZZZ"`} {
		if !strings.Contains(errs, want) {
			t.Errorf("import errors do not mention %q:\n%s", want, errs)
		}
	}
	header := write("header.csv", "blok,party,event,date\ncsto,TUR,acceded,2001\n")
	if errs := c.fails("import", header); !strings.Contains(errs, `unknown column "blok"`) {
		t.Errorf("header error: %s", errs)
	}
	utf16 := write("utf16.csv", "\xff\xfeb\x00l\x00o\x00c\x00")
	if errs := c.fails("import", utf16); !strings.Contains(errs, "UTF-16") {
		t.Errorf("encoding error: %s", errs)
	}
	if after := c.ok("export"); after != before {
		t.Errorf("a refused import wrote records")
	}
}

// Every row of shared/data/membership.csv loads, into a database with the
// blocs and no records.
func TestSharedMembershipCSVLoads(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "membership.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data not found at %s: %v", path, err)
	}
	c := newCLI(t)
	c.ok("init", "--empty")
	for _, b := range [][]string{
		{"cento", "Baghdad Pact", "1955-02-24"}, {"csto", "Collective Security Treaty", "1992-05-15"}, {"guam", "GUAM", "1997-10-10"},
		{"nato", "North Atlantic Treaty Organization", "1949-04-04"}, {"sco", "Shanghai Cooperation Organisation", "2001-06-15"},
		{"seato", "Southeast Asia Treaty Organization", "1954-09-08"}, {"wp", "Warsaw Treaty Organization", "1955-05-14"},
	} {
		c.ok("blocs", "add", b[0], b[1], "--founded", b[2])
	}
	out := c.ok("import", path)
	if !strings.Contains(out, "imported") {
		t.Fatalf("import: %s", out)
	}
	got := strings.Join(memberCodes(t, c.ok("members", "csto", "--at", "2010-01-01", "--json")), " ")
	if got != "ARM BLR KAZ KGZ RUS TJK UZB" {
		t.Errorf("csto at 2010 after importing membership.csv = %s", got)
	}
}

// export → import into an empty database → export gives the same bytes.
func TestExportRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.ok("event", "add", "csto", "SRB", "statement", "2020-01-01", "--source-title", "A", "--quote", "“quoted”, with a comma")
	out := c.ok("event", "add", "csto", "SRB", "statement", "2021-01-01", "--source-title", "B", "--json")
	var rec struct{ ID int64 }
	json.Unmarshal([]byte(out), &rec)
	c.ok("event", "retract", formatInt(rec.ID))
	for _, format := range []string{"csv", "json"} {
		first := c.ok("export", "--format", format)
		file := filepath.Join(t.TempDir(), "export."+format)
		os.WriteFile(file, []byte(first), 0o644)
		d := newCLI(t)
		d.ok("init", "--empty")
		if format == "csv" {
			for _, b := range []string{"cento", "csto", "guam", "nato", "sco", "seato", "wp"} {
				d.ok("blocs", "add", b, b, "--founded", "1900")
			}
		}
		d.ok("import", file)
		if second := d.ok("export", "--format", format); second != first {
			t.Errorf("%s export does not round-trip (%d vs %d bytes)", format, len(first), len(second))
		}
	}
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// Corrections and retractions are new records; --known-at shows the past.
func TestSupersedeRetractKnownAt(t *testing.T) {
	c := newCLI(t)
	var rec struct {
		ID         int64  `json:"id"`
		RecordedAt string `json:"recorded_at"`
	}
	json.Unmarshal([]byte(c.ok("event", "add", "csto", "SRB", "acceded", "2030-01-01", "--source-title", "hypothetical", "--json")), &rec)
	if got := memberCodes(t, c.ok("members", "csto", "--at", "2031", "--json")); !contains(got, "SRB") {
		t.Fatalf("SRB not a member after accession: %v", got)
	}
	c.ok("event", "supersede", formatInt(rec.ID), "--date", "2032-01-01")
	if got := memberCodes(t, c.ok("members", "csto", "--at", "2031", "--json")); contains(got, "SRB") {
		t.Errorf("correction to 2032 not applied: %v", got)
	}
	if got := memberCodes(t, c.ok("members", "csto", "--at", "2031", "--known-at", rec.RecordedAt, "--json")); !contains(got, "SRB") {
		t.Errorf("--known-at %s should show the record before the correction: %v", rec.RecordedAt, got)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestTimelineChart(t *testing.T) {
	c := newCLI(t)
	out := c.ok("timeline", "csto", "--ascii", "--width", "70")
	lines := strings.Split(out, "\n")
	var uzb string
	for _, l := range lines {
		if strings.HasPrefix(l, "UZB") {
			uzb = l
		}
	}
	if uzb == "" {
		t.Fatalf("no UZB row:\n%s", out)
	}
	row := uzb[6:]
	if len(row) != 70 {
		t.Errorf("row width %d, want 70", len(row))
	}
	// member, then the disputed 1999 window, then a gap, member again,
	// suspended, and nothing after 2012.
	compact := squeeze(row)
	// (The first column, January to May 1992, is before the signing.)
	if compact != " #? #= " {
		t.Errorf("UZB row %q squeezes to %q, want \" #? #= \"", row, compact)
	}
}

// squeeze collapses runs of one character.
func squeeze(s string) string {
	var b strings.Builder
	var last rune = -1
	for _, r := range s {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

func TestHelp(t *testing.T) {
	c := newCLI(t)
	out := c.ok("--help")
	for _, cmd := range commands() {
		if !strings.Contains(out, cmd.name) {
			t.Errorf("bloc --help does not list %s", cmd.name)
		}
	}
	if out := c.ok("members", "--help"); !strings.Contains(out, "--all-standings") {
		t.Errorf("members --help: %s", out)
	}
	if code, _, errs := c.run("", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %s", code, errs)
	}
}
