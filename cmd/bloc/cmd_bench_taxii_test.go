package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/blocsec/bloc/stix"
)

// TestBenchTaxiiSmall runs the whole benchmark in-process on a few objects:
// every object is accepted by the real server and comes back exactly once
// (the tool fails otherwise), in the pages and envelopes asked for.
func TestBenchTaxiiSmall(t *testing.T) {
	c := newCLI(t)
	out := c.ok("bench", "taxii", "--objects", "2500", "--envelope", "1000", "--page", "700", "--workers", "3")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ingest: 2500 objects in 3 envelopes in \S+ = \d+ objects/s; POST latency p50 `),
		regexp.MustCompile(`(?m)^poll: 2500 objects in 4 pages in \S+ = \d+ objects/s; page latency p50 `),
		regexp.MustCompile(`(?m)^server resident memory \(VmRSS every 250 ms\): max \d`),
		regexp.MustCompile(`(?m)^targets: ingest ≥ 20,000 objects/s (met|NOT met) `),
	} {
		if !want.MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "were not written by this run") {
		t.Errorf("a new collection held objects this run did not write:\n%s", out)
	}
}

func TestBenchTaxiiFlags(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--objects", "0"}, "at least 1"},
		{[]string{"--url", "http://127.0.0.1:8400/csto/"}, "--url needs --token and --collection"},
		{[]string{"--token", "x"}, "go with --url"},
		{[]string{"--url", "http://192.0.2.1:8400/csto/", "--token", "t", "--collection", "c"}, "loopback"},
		{[]string{"--url", "https://127.0.0.1:8400/csto/", "--token", "t", "--collection", "c"}, "http://"},
		{[]string{"--url", "http://127.0.0.1:8400/", "--token", "t", "--collection", "c"}, "API root"},
	} {
		if errs := c.fails(append([]string{"bench", "taxii"}, tc.args...)...); !strings.Contains(errs, tc.want) {
			t.Errorf("bench taxii %v: error %q lacks %q", tc.args, errs, tc.want)
		}
	}
}

// TestBenchTaxiiObjects checks the generated objects: valid STIX 2.1, the
// TLP mix, and ids that name their index.
func TestBenchTaxiiObjects(t *testing.T) {
	b := &taxiiBench{n: 40, salt: 12345, identity: "identity--7d0c3b1e-9a52-4c33-8e0f-000000000001"}
	tlps := map[string]int{}
	for i := range b.n {
		raw := b.appendObject(nil, i)
		info, problems := stix.Validate(raw)
		if len(problems) > 0 {
			t.Fatalf("object %d is invalid: %v\n%s", i, problems, raw)
		}
		if want := string(b.appendID(nil, i)); info.ID != want {
			t.Errorf("object %d: id %s, want %s", i, info.ID, want)
		}
		if got, ok := b.indexOf(raw); !ok || got != i {
			t.Errorf("object %d: indexOf = %d, %v", i, got, ok)
		}
		tlps[info.TLP.String()]++
	}
	if len(tlps) != 2 {
		t.Errorf("TLP levels %v, want GREEN and AMBER", tlps)
	}
	other := &taxiiBench{n: 40, salt: 999}
	if _, ok := other.indexOf(b.appendObject(nil, 3)); ok {
		t.Error("an object of another run was taken for this run's")
	}
}

func TestScanEnvelope(t *testing.T) {
	for _, page := range []string{
		`{"more":false}`,
		`{"more":true,"next":"abc\"d","objects":[{"id":"x--1","a":[1,{"b":"]}"}]},{"id":"x--2"}]}`,
		` { "objects" : [ {"id":"x--1"} , {"id":"x--2","s":"a\\"} ] , "more" : false , "x" : null } `,
		`{"objects":[]}`,
	} {
		got, err := scanEnvelope([]byte(page))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		var want struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal([]byte(page), &want); err != nil {
			t.Fatal(err)
		}
		if got.More != want.More || got.Next != want.Next || len(got.Objects) != len(want.Objects) {
			t.Fatalf("%s: got %v %q %d objects, want %v %q %d", page, got.More, got.Next, len(got.Objects), want.More, want.Next, len(want.Objects))
		}
		for i := range got.Objects {
			if string(got.Objects[i]) != string(want.Objects[i]) {
				t.Errorf("%s: object %d = %s, want %s", page, i, got.Objects[i], want.Objects[i])
			}
		}
	}
	for _, bad := range []string{``, `[]`, `{"objects":[{"id":"x"}`, `{"more":tru`, `{"a" 1}`, `{"objects":[{"s":"unterminated}]}`} {
		if _, err := scanEnvelope([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
