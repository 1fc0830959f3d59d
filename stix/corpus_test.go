package stix

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"testing"
)

// The corpus: testdata/valid.json maps a case name to a valid object;
// testdata/invalid.json lists invalid cases, each a valid object with
// properties deleted or set, and the property a Problem must name.

type invalidCase struct {
	Name     string          `json:"name"`
	Base     string          `json:"base"`   // a valid.json case to start from
	Delete   []string        `json:"delete"` // top-level properties to remove
	Set      json.RawMessage `json:"set"`    // top-level properties to set (null sets null)
	Object   json.RawMessage `json:"object"` // or the whole object
	Property string          `json:"property"`
}

type corpusObject struct {
	name  string
	raw   []byte
	valid bool
	prop  string // for invalid cases
}

func loadValid(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// loadCorpus returns every corpus object, valid ones first, in a stable order.
func loadCorpus(t testing.TB) []corpusObject {
	t.Helper()
	valid := loadValid(t)
	var out []corpusObject
	for _, name := range slices.Sorted(maps.Keys(valid)) {
		out = append(out, corpusObject{name: name, raw: valid[name], valid: true})
	}
	b, err := os.ReadFile("testdata/invalid.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []invalidCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] || valid[c.Name] != nil {
			t.Fatalf("case name %q used twice", c.Name)
		}
		seen[c.Name] = true
		out = append(out, corpusObject{name: c.Name, raw: buildCase(t, valid, c), prop: c.Property})
	}
	return out
}

func buildCase(t testing.TB, valid map[string]json.RawMessage, c invalidCase) []byte {
	t.Helper()
	if c.Object != nil {
		return c.Object
	}
	base, ok := valid[c.Base]
	if !ok {
		t.Fatalf("%s: no valid case %q", c.Name, c.Base)
	}
	var o map[string]any
	if err := json.Unmarshal(base, &o); err != nil {
		t.Fatal(err)
	}
	for _, k := range c.Delete {
		if _, ok := o[k]; !ok {
			t.Fatalf("%s: %s has no %q to delete", c.Name, c.Base, k)
		}
		delete(o, k)
	}
	if c.Set != nil {
		var set map[string]any
		if err := json.Unmarshal(c.Set, &set); err != nil {
			t.Fatalf("%s: set: %v", c.Name, err)
		}
		maps.Copy(o, set)
	}
	out, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidCorpus(t *testing.T) {
	for name, raw := range loadValid(t) {
		info, probs := Validate(raw)
		if len(probs) > 0 {
			t.Errorf("%s: want valid, got %v", name, probs)
			continue
		}
		var o struct{ ID, Type string }
		_ = json.Unmarshal(raw, &o)
		if info.ID != o.ID || info.Type != o.Type {
			t.Errorf("%s: info names %s %s, want %s %s", name, info.Type, info.ID, o.Type, o.ID)
		}
	}
}

func TestInvalidCorpus(t *testing.T) {
	n := 0
	for _, c := range loadCorpus(t) {
		if c.valid {
			continue
		}
		n++
		_, probs := Validate(c.raw)
		if len(probs) == 0 {
			t.Errorf("%s: want a problem with %s, got none", c.name, c.prop)
			continue
		}
		var id struct{ ID any }
		_ = json.Unmarshal(c.raw, &id)
		wantID, _ := id.ID.(string)
		found := false
		for _, p := range probs {
			if p.ObjectID != wantID {
				t.Errorf("%s: problem %q names object %q, want %q", c.name, p, p.ObjectID, wantID)
			}
			if p.Property == c.prop {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want a problem with property %q, got %v", c.name, c.prop, probs)
		}
	}
	if n < 100 {
		t.Errorf("only %d invalid cases", n)
	}
}
