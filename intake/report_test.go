package intake

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"

	"github.com/blocsec/bloc/stix"
)

var uuid5ID = regexp.MustCompile(`^[a-z][a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestReportObjects(t *testing.T) {
	const agency = "identity--1b9a7e0c-3d55-4f0a-9a57-2c1f6d3b8e41"
	a := Parse(readCorpus(t), Options{Published: mustDay("2021-10-22"), Publisher: "TASS", URL: "https://tass.com/world/1352195", SourceTitle: "TASS news"})
	ps := Extract(a)
	objs := Report(a, ps, agency)
	if len(objs) < 2 {
		t.Fatalf("%d objects", len(objs))
	}
	rep := objs[0]
	if rep["type"] != "report" || rep["name"] != a.Headline || rep["published"] != "2021-10-22T00:00:00.000Z" || rep["description"] != a.Lead {
		t.Errorf("report %v", rep)
	}
	refs, _ := rep["object_refs"].([]string)
	if len(refs) == 0 {
		t.Fatal("object_refs empty")
	}
	ext := rep["external_references"].([]map[string]any)
	if len(ext) != 1 || ext[0]["source_name"] != "TASS" || ext[0]["url"] != "https://tass.com/world/1352195" || ext[0]["description"] != "TASS news" {
		t.Errorf("external_references %v", ext)
	}
	byID := map[string]map[string]any{}
	for _, o := range objs {
		id, _ := o["id"].(string)
		if o["spec_version"] != "2.1" || !uuid5ID.MatchString(id) || o["created"] == nil || o["modified"] == nil || o["created_by_ref"] != agency {
			t.Errorf("object %v", o)
		}
		if _, dup := byID[id]; dup {
			t.Errorf("duplicate id %s", id)
		}
		byID[id] = o
		raw, _ := json.Marshal(o)
		if _, probs := stix.Validate(raw); len(probs) > 0 {
			t.Errorf("%s is not valid STIX 2.1: %v", id, probs)
		}
	}
	for _, r := range refs {
		if byID[r] == nil {
			t.Errorf("object_refs names %s, which is not among the objects", r)
		}
	}
	if len(refs) != len(objs)-1 {
		t.Errorf("%d refs for %d objects", len(refs), len(objs)-1)
	}
	// Blocs are organisations, states locations with their country code.
	csto := byID[BlocIdentityID("csto")]
	if csto == nil || csto["identity_class"] != "organization" || csto["name"] != "Collective Security Treaty Organization" {
		t.Errorf("csto identity %v", csto)
	}
	if byID[BlocIdentityID("guam")] == nil {
		t.Errorf("GUUAM/GUAM, named in the article, has no identity")
	}
	for code, alpha2 := range map[string]string{"UZB": "UZ", "RUS": "RU", "ARM": "AM", "AZE": "AZ", "GEO": "GE", "BLR": "BY", "UKR": "UA", "MDA": "MD", "AFG": "AF"} {
		l := byID[StateLocationID(code)]
		if l == nil || l["type"] != "location" || l["country"] != alpha2 {
			t.Errorf("%s location %v", code, l)
		}
	}
	// Idempotent: the same article gives the same objects.
	again := Report(Parse(readCorpus(t), Options{Published: mustDay("2021-10-22"), Publisher: "TASS", URL: "https://tass.com/world/1352195", SourceTitle: "TASS news"}), ps, agency)
	if !reflect.DeepEqual(objs, again) {
		t.Error("Report is not deterministic")
	}
	// Without a URL the id follows headline and day; a bad creator is left out.
	b := a
	b.URL = ""
	o2 := Report(b, ps, "not-an-identity")
	if o2[0]["id"] == rep["id"] || o2[0]["created_by_ref"] != nil {
		t.Errorf("report without URL: %v", o2[0])
	}
}

func TestReportWithoutMentions(t *testing.T) {
	a := Parse([]byte("Published: 2022-01-01\n\nWeather is fine today in the capital\n\nIt is sunny."), Options{})
	objs := Report(a, nil, "")
	if len(objs) != 2 || objs[1]["type"] != "identity" || objs[1]["name"] != "Unknown publisher" {
		t.Fatalf("objects %v", objs)
	}
	for _, o := range objs {
		raw, _ := json.Marshal(o)
		if _, probs := stix.Validate(raw); len(probs) > 0 {
			t.Errorf("%v: %v", o["id"], probs)
		}
	}
}

func TestStixIDIsUUIDv5(t *testing.T) {
	// Same name, same id; another name, another id.
	if stixID("identity", "bloc:csto") != BlocIdentityID("csto") || BlocIdentityID("csto") == BlocIdentityID("nato") {
		t.Error("ids not derived from names")
	}
	if !uuid5ID.MatchString(StateLocationID("UZB")) {
		t.Errorf("%s is not a UUIDv5 id", StateLocationID("UZB"))
	}
}
