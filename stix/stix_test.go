package stix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
)

func TestTLPOf(t *testing.T) {
	const other = "marking-definition--1d2b8c65-9b3f-4f4e-9c9a-0c1f2e3d4a5b" // a statement marking
	tests := []struct {
		name   string
		refs   []string
		want   bloc.TLP
		marked bool
	}{
		{"unmarked", nil, bloc.TLPAmber, false},
		{"empty", []string{}, bloc.TLPAmber, false},
		{"only unknown ids", []string{other, "marking-definition--00000000-0000-4000-8000-000000000000"}, bloc.TLPAmber, false},
		{"not a marking id", []string{"identity--83510032-2443-4c59-98c5-93e7cb7b7e38"}, bloc.TLPAmber, false},
		{"upper-case variant of a TLP id is not the id", []string{strings.ToUpper(TLP2Red)}, bloc.TLPAmber, false},

		{"2.0 clear", []string{TLP2Clear}, bloc.TLPClear, true},
		{"2.0 green", []string{TLP2Green}, bloc.TLPGreen, true},
		{"2.0 amber", []string{TLP2Amber}, bloc.TLPAmber, true},
		{"2.0 amber+strict", []string{TLP2AmberStrict}, bloc.TLPAmberStrict, true},
		{"2.0 red", []string{TLP2Red}, bloc.TLPRed, true},
		{"1.0 white", []string{TLP1White}, bloc.TLPClear, true},
		{"1.0 green", []string{TLP1Green}, bloc.TLPGreen, true},
		{"1.0 amber", []string{TLP1Amber}, bloc.TLPAmber, true},
		{"1.0 amber+strict", []string{TLP1AmberStrict}, bloc.TLPAmberStrict, true},
		{"1.0 red", []string{TLP1Red}, bloc.TLPRed, true},

		{"clear with unknown", []string{other, TLP2Clear}, bloc.TLPClear, true},
		{"clear and green", []string{TLP2Clear, TLP1Green}, bloc.TLPGreen, true},
		{"green and white, 1.0 and 2.0", []string{TLP1White, TLP2Green}, bloc.TLPGreen, true},
		{"red first", []string{TLP1Red, TLP2Clear, TLP2Green}, bloc.TLPRed, true},
		{"red last", []string{TLP2Clear, TLP2Green, TLP2Red}, bloc.TLPRed, true},
		{"amber+strict over amber", []string{TLP2Amber, TLP1AmberStrict}, bloc.TLPAmberStrict, true},
		{"red over amber+strict", []string{TLP2AmberStrict, TLP1Red}, bloc.TLPRed, true},
		{"clear twice", []string{TLP2Clear, TLP1White}, bloc.TLPClear, true},
		{"all ten", []string{TLP2Clear, TLP2Green, TLP2Amber, TLP2AmberStrict, TLP2Red, TLP1White, TLP1Green, TLP1Amber, TLP1AmberStrict, TLP1Red}, bloc.TLPRed, true},
	}
	for _, tt := range tests {
		got, marked := TLPOf(tt.refs)
		if got != tt.want || marked != tt.marked {
			t.Errorf("%s: TLPOf(%v) = %v, %v; want %v, %v", tt.name, tt.refs, got, marked, tt.want, tt.marked)
		}
	}
}

// The ids of DESIGN §3, written out again so that a typo in tlp.go fails.
func TestTLPDesignTable(t *testing.T) {
	table := map[string]bloc.TLP{
		"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": bloc.TLPClear,
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": bloc.TLPClear,
		"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": bloc.TLPGreen,
		"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": bloc.TLPGreen,
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": bloc.TLPAmber,
		"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": bloc.TLPAmber,
		"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": bloc.TLPAmberStrict,
		"marking-definition--826578e1-40ad-459f-bc73-ede076f81f37": bloc.TLPAmberStrict,
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": bloc.TLPRed,
		"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": bloc.TLPRed,
	}
	for id, want := range table {
		if got, marked := TLPOf([]string{id}); got != want || !marked {
			t.Errorf("TLPOf(%s) = %v, %v; want %v", id, got, marked, want)
		}
		if got, ok := IsTLPMarking(id); !ok || got != want {
			t.Errorf("IsTLPMarking(%s) = %v, %v", id, got, ok)
		}
	}
	if len(tlpByID) != len(table) {
		t.Errorf("tlp.go knows %d ids, DESIGN lists %d", len(tlpByID), len(table))
	}
}

func TestInfo(t *testing.T) {
	valid := loadValid(t)
	tests := []struct {
		name string
		want Info
	}{
		{"indicator", Info{
			Type: "indicator", SpecVersion: "2.1",
			Created: "2016-04-06T20:03:00.000Z", Modified: "2016-04-06T20:03:48.000Z", Version: "2016-04-06T20:03:48.000Z",
			Labels: []string{"finance", "apt"}, MarkingRefs: []string{TLP2Green},
			// object-level GREEN, raised to AMBER by a granular marking on description
			TLP: bloc.TLPAmber, TLPMarked: true,
		}},
		{"indicator-red-recipients", Info{
			Type: "indicator", SpecVersion: "2.1",
			Created: "2016-04-06T20:03:00.000Z", Modified: "2016-04-06T20:03:48.000Z", Version: "2016-04-06T20:03:48.000Z",
			MarkingRefs: []string{TLP2Red}, TLP: bloc.TLPRed, TLPMarked: true,
			Recipients: bloc.Recipients{Parties: []string{"KAZ", "ARM"}},
		}},
		{"campaign", Info{Type: "campaign", SpecVersion: "2.1",
			Created: "2016-04-06T20:03:00.000Z", Modified: "2016-04-06T20:03:48.000Z", Version: "2016-04-06T20:03:48.000Z",
			TLP: bloc.TLPAmber}},
		{"sco-without-spec-version", Info{Type: "ipv4-addr", SpecVersion: "2.1", TLP: bloc.TLPAmber}},
		{"mutex", Info{Type: "mutex", SpecVersion: "2.1", TLP: bloc.TLPAmber}},
		{"marking-statement", Info{Type: "marking-definition", SpecVersion: "2.1",
			Created: "2016-08-01T00:00:00.000Z", Version: "2016-08-01T00:00:00.000Z", TLP: bloc.TLPAmber}},
		// granular GREEN and RED over no object marking: RED raises the
		// default AMBER; GREEN never lowers it
		{"granular-lang", Info{Type: "identity", SpecVersion: "2.1",
			Created: "2016-04-06T20:03:00.000Z", Modified: "2016-04-06T20:03:48.000Z", Version: "2016-04-06T20:03:48.000Z",
			TLP: bloc.TLPRed, TLPMarked: true}},
	}
	for _, tt := range tests {
		raw := valid[tt.name]
		info, probs := Validate(raw)
		if probs != nil {
			t.Fatalf("%s: %v", tt.name, probs)
		}
		var o struct{ ID, Created_by_ref string }
		_ = json.Unmarshal(raw, &o)
		tt.want.ID, tt.want.CreatedByRef = o.ID, o.Created_by_ref
		if tt.name == "indicator-red-recipients" {
			var full struct {
				Extensions map[string]struct {
					Recipient_identities []string
				}
			}
			_ = json.Unmarshal(raw, &full)
			tt.want.Recipients.Identities = full.Extensions[ExtensionID].Recipient_identities
		}
		if !infoEqual(info, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, info, tt.want)
		}
	}
}

func infoEqual(a, b Info) bool {
	return a.ID == b.ID && a.Type == b.Type && a.SpecVersion == b.SpecVersion && a.Created == b.Created &&
		a.Modified == b.Modified && a.Version == b.Version && a.CreatedByRef == b.CreatedByRef &&
		slices.Equal(a.Labels, b.Labels) && slices.Equal(a.MarkingRefs, b.MarkingRefs) &&
		a.TLP == b.TLP && a.TLPMarked == b.TLPMarked &&
		slices.Equal(a.Recipients.Parties, b.Recipients.Parties) && slices.Equal(a.Recipients.Identities, b.Recipients.Identities)
}

// Input that is not one JSON object is refused as a whole.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"empty", ``, "unexpected end of input"},
		{"not JSON", `indicator`, "unexpected character"},
		{"a list", `[{"type":"indicator"}]`, "a STIX object must be a JSON object, not a list"},
		{"a string", `"indicator"`, "not a string"},
		{"null", `null`, "not a null"},
		{"truncated", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`, "unexpected end of input"},
		{"trailing data", `{"type":"mutex","id":"mutex--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","name":"m"} {}`, "unexpected data after the JSON value"},
		{"two objects", `{}{}`, "unexpected data after the JSON value"},
		{"duplicate property", `{"type":"mutex","id":"mutex--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","name":"a","name":"b"}`, `duplicate property "name"`},
		{"duplicate nested property", `{"type":"mutex","id":"mutex--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","name":"a","x_a":{"k":1,"k":2}}`, `duplicate property "k"`},
		{"invalid UTF-8", "{\"type\":\"mutex\",\"name\":\"\xff\"}", "not valid UTF-8"},
		{"lone surrogate", `{"type":"mutex","name":"\ud800"}`, "unpaired surrogate"},
		{"bad escape", `{"type":"mutex","name":"\x"}`, "invalid escape"},
		{"control character", "{\"type\":\"mutex\",\"name\":\"a\tb\"}", "control character"},
		{"leading zero", `{"type":"mutex","x_n":01}`, "expected ',' or '}'"},
		{"bare minus", `{"x_n":-}`, "invalid number"},
		{"single quotes", `{'type':'mutex'}`, "expected a property name"},
		{"trailing comma", `{"type":"mutex",}`, "expected a property name"},
		{"deep nesting", strings.Repeat(`{"x_a":`, 100) + `1` + strings.Repeat(`}`, 100), "nested more than 64 levels"},
		{"huge number", `{"x_n":1e999}`, "out of range"},
	}
	for _, tt := range tests {
		info, probs := Validate([]byte(tt.raw))
		if len(probs) != 1 || !strings.Contains(probs[0].Message, tt.want) || probs[0].Property != "" {
			t.Errorf("%s: got %v, want one problem containing %q", tt.name, probs, tt.want)
		}
		if info.ID != "" {
			t.Errorf("%s: info %+v for an invalid object", tt.name, info)
		}
	}
}

func TestParserValues(t *testing.T) {
	n, err := parseJSON(` { "a" : [ true , false , null , -1.5e2 , "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00" , { } , [ ] ] } `)
	if err != nil {
		t.Fatal(err)
	}
	a := n.get("a")
	if a == nil || a.kind != jArray || len(a.kids) != 7 {
		t.Fatalf("got %+v", n)
	}
	k := a.kids
	if k[0].val.kind != jBool || !k[0].val.b || k[1].val.b || k[2].val.kind != jNull {
		t.Errorf("literals: %+v", k[:3])
	}
	if k[3].val.num != -150 || k[3].val.s != "-1.5e2" || !k[3].val.isInt() {
		t.Errorf("number: %+v", k[3].val)
	}
	if k[4].val.s != "x\"\\/\b\f\n\r\té😀" {
		t.Errorf("string: %q", k[4].val.s)
	}
	if k[5].val.kind != jObject || k[6].val.kind != jArray {
		t.Errorf("empty containers: %+v %+v", k[5].val, k[6].val)
	}
	// Many members switch duplicate detection to a set; it must still work.
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
	}
	if _, err := parseJSON(b.String() + "}"); err != nil {
		t.Errorf("100 members: %v", err)
	}
	if _, err := parseJSON(b.String() + `,"kxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx":2}`); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate among 100 members: %v", err)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "pattern", "required property missing"},
			"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: pattern: required property missing"},
		{Problem{"", "id", "required property missing"}, "id: required property missing"},
		{Problem{"", "", "invalid JSON at byte 0: unexpected end of input"}, "invalid JSON at byte 0: unexpected end of input"},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	// Every problem of an object is reported, not only the first.
	_, probs := Validate([]byte(`{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","spec_version":"2.1",
		"created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","confidence":200,"labels":[]}`))
	var props []string
	for _, p := range probs {
		props = append(props, p.Property)
	}
	want := []string{"confidence", "labels", "pattern", "pattern_type", "valid_from"}
	if !slices.Equal(props, want) {
		t.Errorf("problems name %v, want %v", props, want)
	}
	// An over-long id is clipped in problems.
	long := `{"type":"mutex","id":"` + strings.Repeat("é", 400) + `","name":"m"}`
	_, probs = Validate([]byte(long))
	if len(probs) == 0 || len(probs[0].ObjectID) > 310 || !strings.HasSuffix(probs[0].ObjectID, "…") {
		t.Errorf("long id not clipped: %d bytes", len(probs[0].ObjectID))
	}
}

func TestNewIdentifier(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewIdentifier("indicator")
		typ, ok := parseIdentifier(id)
		if !ok || typ != "indicator" || id[len("indicator--")+14] != '4' || !strings.ContainsRune("89ab", rune(id[len("indicator--")+19])) {
			t.Fatalf("%s is not an indicator--UUIDv4", id)
		}
		if id != strings.ToLower(id) {
			t.Fatalf("%s is not lower case", id)
		}
		if seen[id] {
			t.Fatalf("%s generated twice", id)
		}
		seen[id] = true
	}
}

// The published extension definition and identity are themselves valid,
// and name each other.
func TestExtensionDefinition(t *testing.T) {
	def, err := json.Marshal(ExtensionDefinition())
	if err != nil {
		t.Fatal(err)
	}
	info, probs := Validate(def)
	if probs != nil {
		t.Fatalf("extension definition invalid: %v", probs)
	}
	if info.ID != ExtensionID || info.CreatedByRef != IdentityID || info.Type != "extension-definition" {
		t.Errorf("info %+v", info)
	}
	d := ExtensionDefinition()
	if d["name"] != "bloc recipients" || d["version"] != "1.0.0" || !slices.Equal(d["extension_types"].([]any), []any{"property-extension"}) {
		t.Errorf("definition %v", d)
	}
	if s, _ := d["schema"].(string); !strings.Contains(s, ExtensionID) || !strings.Contains(s, "recipient_parties") {
		t.Errorf("schema text does not describe the extension: %q", s)
	}
	id, _ := json.Marshal(Identity())
	if info, probs := Validate(id); probs != nil || info.ID != IdentityID {
		t.Errorf("identity: %+v %v", info, probs)
	}
	if typ, ok := parseIdentifier(ExtensionID); !ok || typ != "extension-definition" || ExtensionID[len("extension-definition--")+14] != '4' {
		t.Errorf("ExtensionID %s is not an extension-definition--UUIDv4", ExtensionID)
	}
}

func TestTimestamps(t *testing.T) {
	valid := []string{"2016-01-01T00:00:00Z", "2016-02-29T23:59:59.999Z", "2000-02-29T00:00:00Z",
		"2016-12-31T23:59:60Z", "2016-01-01T00:00:00.123456789Z", "0001-01-01T00:00:00Z"}
	invalid := []string{"2016-01-01", "2016-01-01T00:00:00", "2016-01-01T00:00:00+01:00", "2015-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2016-04-31T00:00:00Z",
		"2016-01-01T24:00:00Z", "2016-01-01T00:60:00Z", "2016-01-01T00:00:61Z", "2016-01-01T00:00:00.Z",
		"2016-01-01 00:00:00Z", "2016-01-01T00:00:00z", "２016-01-01T00:00:00Z", "2016-01-01T00:00:00,5Z"}
	for _, s := range valid {
		if !validTimestamp(s) {
			t.Errorf("%s: want valid", s)
		}
	}
	for _, s := range invalid {
		if validTimestamp(s) {
			t.Errorf("%s: want invalid", s)
		}
	}
	order := []string{"2016-01-01T00:00:00Z", "2016-01-01T00:00:00.001Z", "2016-01-01T00:00:00.0011Z",
		"2016-01-01T00:00:00.1Z", "2016-01-01T00:00:59Z", "2016-01-01T00:00:60Z", "2016-01-01T00:01:00Z"}
	for i := range order {
		for j := range order {
			if got, want := compareTimestamps(order[i], order[j]), cmpInt(i, j); got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	if compareTimestamps("2016-01-01T00:00:00.100Z", "2016-01-01T00:00:00.1Z") != 0 {
		t.Error("trailing zeros of a fraction change its value")
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func FuzzValidate(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.raw)
	}
	f.Add([]byte(`{"type":"observed-data","objects":{"0":{"type":"observed-data"}}}`))
	f.Add([]byte(`{"granular_markings":[{"selectors":["a.[0].[1]"]}],"a":[[1,2]]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		info, probs := Validate(raw)
		if len(probs) == 0 && (info.ID == "" || info.Type == "") {
			t.Fatalf("valid object without id or type: %s", raw)
		}
		for _, p := range probs {
			if p.Message == "" {
				t.Fatalf("problem without message: %+v", p)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	raw := loadValid(b)["indicator"]
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, probs := Validate(raw); probs != nil {
			b.Fatal(probs)
		}
	}
}

// A plain indicator, as most ingested objects are.
func BenchmarkValidateMinimal(b *testing.B) {
	raw := []byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
"created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","indicator_types":["malicious-activity"],
"name":"Poison Ivy Malware","pattern":"[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
"pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, probs := Validate(raw); probs != nil {
			b.Fatal(probs)
		}
	}
}

// Validate reuses parse buffers across calls; concurrent calls must not
// see each other's.
func TestConcurrentValidate(t *testing.T) {
	corpus := loadCorpus(t)
	want := make([]string, len(corpus))
	for i, c := range corpus {
		info, probs := Validate(c.raw)
		b, _ := json.Marshal(struct {
			I Info
			P []Problem
		}{info, probs})
		want[i] = string(b)
	}
	errs := make(chan string, 8)
	for g := range 8 {
		go func() {
			for round := range 20 {
				i := (g*31 + round*7) % len(corpus)
				for j := range corpus {
					k := (i + j) % len(corpus)
					info, probs := Validate(corpus[k].raw)
					b, _ := json.Marshal(struct {
						I Info
						P []Problem
					}{info, probs})
					if string(b) != want[k] {
						errs <- corpus[k].name + ": " + string(b)
						return
					}
				}
			}
			errs <- ""
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Error("concurrent result differs: " + e)
		}
	}
}

// Validate reads its input without copying it; what it returns must not
// change when the caller reuses the buffer.
func TestResultsDoNotAliasInput(t *testing.T) {
	raw := []byte(loadValid(t)["indicator-red-recipients"])
	info, _ := Validate(raw)
	before, _ := json.Marshal(info)
	bad := []byte(`{"type":"mutex","id":"mutex--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","x_BAD":1}`)
	_, probs := Validate(bad)
	probsBefore := fmt.Sprint(probs)
	for i := range raw {
		raw[i] = 'X'
	}
	for i := range bad {
		bad[i] = 'X'
	}
	if after, _ := json.Marshal(info); string(after) != string(before) {
		t.Errorf("info changed with its input:\n%s\n%s", before, after)
	}
	if got := fmt.Sprint(probs); got != probsBefore {
		t.Errorf("problems changed with their input:\n%s\n%s", probsBefore, got)
	}
}
