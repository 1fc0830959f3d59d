package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The oracle test checks this validator against the official OASIS STIX 2.1
// JSON schemas (../shared/stix2-json-schemas beside the repository): on
// every corpus object and every object of the schemas' own examples, both
// must reach the same verdict, except in the cases listed below, where the
// specification's prose says more than (or otherwise than) the schemas can.

const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/"

// stricter lists corpus cases this validator rejects and the schemas accept.
var stricter = map[string]string{
	"bundle as an object":                                "a bundle is a container; TAXII carries objects in envelopes (the schema validates it as a bundle)",
	"spec_version 2.0":                                   "bloc stores STIX 2.1 objects only; the schemas also admit 2.0",
	"SCO spec_version 2.0":                               "bloc stores STIX 2.1 objects only; the schemas also admit 2.0",
	"created 30 February":                                "a regular expression cannot check calendar dates",
	"modified before created":                            "ordering of two properties is beyond the schemas (STIX 2.1 §3.2)",
	"indicator valid_until equal to valid_from":          "ordering (STIX 2.1 §4.7: valid_until MUST be later than valid_from)",
	"indicator valid_until before valid_from":            "ordering (STIX 2.1 §4.7)",
	"campaign last_seen before first_seen":               "ordering (STIX 2.1 §4.2)",
	"malware last_seen before first_seen":                "ordering (STIX 2.1 §4.12)",
	"observed-data last_observed before first_observed":  "ordering (STIX 2.1 §4.14)",
	"relationship stop_time equal to start_time":         "ordering (STIX 2.1 §5.1: stop_time MUST be later than start_time)",
	"sighting last_seen before first_seen":               "ordering (STIX 2.1 §5.2)",
	"network-traffic end before start":                   "ordering (STIX 2.1 §6.12)",
	"created_by_ref to a malware":                        "created_by_ref MUST reference an identity (STIX 2.1 §3.2); the schema takes any identifier",
	"object_marking_refs to an identity":                 "object_marking_refs MUST reference marking definitions (STIX 2.1 §7.2.2); the core schema takes any identifier",
	"lang not a tag":                                     "lang is an RFC 5646 tag (STIX 2.1 §3.2); the schema takes any string",
	"granular marking selector not in object":            "selectors MUST select content present in the object (STIX 2.1 §7.2.3.1)",
	"granular marking selector index out of range":       "selectors MUST select content present in the object (STIX 2.1 §7.2.3.1)",
	"extensions custom -ext on an SDO":                   "STIX 2.1 §3.2: extension keys are extension-definition ids (predefined -ext names exist for SCOs only)",
	"file unknown -ext":                                  "STIX 2.1 §6: SCO extension keys are extension-definition ids or the type's predefined extensions",
	"file extension of another SCO":                      "STIX 2.1 §6: http-request-ext belongs to network-traffic",
	"extension new-sdo on a predefined type":             "a new-sdo extension defines a new type (STIX 2.1 §7.3)",
	"recipients party lower case":                        "bloc recipients extension: party codes are three upper-case letters",
	"recipients party four letters":                      "bloc recipients extension: party codes are three upper-case letters",
	"recipients identity of a malware":                   "bloc recipients extension: recipient_identities are identity ids",
	"recipients identity not an identifier":              "bloc recipients extension: recipient_identities are identity ids",
	"recipients without lists":                           "bloc recipients extension: one of the two lists is required",
	"recipients unknown property":                        "bloc recipients extension: no other properties are defined",
	"recipients wrong extension_type":                    "bloc recipients extension: it is a property-extension",
	"custom _ref property not an identifier":             "properties named *_ref hold identifiers (STIX 2.1 §2.9); the schemas cannot tell custom ones",
	"custom _refs property not a list":                   "properties named *_refs hold lists of identifiers (STIX 2.1 §2.9)",
	"custom _refs property with a bad item":              "properties named *_refs hold lists of identifiers (STIX 2.1 §2.9)",
	"indicator empty pattern":                            "an empty string is not a pattern in any pattern language",
	"malware sample_refs to an ipv4-addr":                "sample_refs MUST reference file or artifact (STIX 2.1 §4.12)",
	"malware-analysis analysis_sco_refs to an indicator": "analysis_sco_refs MUST reference SCOs (STIX 2.1 §4.13)",
	"sighting of an SCO":                                 "sighting_of_ref MUST reference an SDO (STIX 2.1 §5.2)",
	"directory contains_refs to an ipv4-addr":            "contains_refs MUST reference file or directory (STIX 2.1 §6.3)",
	"domain-name resolves to a url":                      "resolves_to_refs MUST reference ipv4-addr, ipv6-addr or domain-name (STIX 2.1 §6.4)",
	"email-addr belongs to a process":                    "belongs_to_ref MUST reference a user-account (STIX 2.1 §6.5)",
	"email-message from_ref to an ipv4-addr":             "from_ref MUST reference an email-addr (STIX 2.1 §6.6)",
	"file parent_directory_ref to a file":                "parent_directory_ref MUST reference a directory (STIX 2.1 §6.7)",
	"ipv4-addr resolves to an ipv4-addr":                 "resolves_to_refs MUST reference mac-addr (STIX 2.1 §6.8)",
	"ipv4-addr belongs to a mac-addr":                    "belongs_to_refs MUST reference autonomous-system (STIX 2.1 §6.8)",
	"network-traffic src_ref to a url":                   "src_ref MUST reference ipv4-addr, ipv6-addr, mac-addr or domain-name (STIX 2.1 §6.12)",
	"process image_ref to a directory":                   "image_ref MUST reference a file (STIX 2.1 §6.13)",
	"marking with modified":                              "marking definitions cannot be versioned (STIX 2.1 §7.2.1)",
	"marking tlp2 level not matching id":                 "the published TLP 2.0 marking definitions have fixed levels",
	"extension-definition without created_by_ref":        "created_by_ref is required on extension definitions (STIX 2.1 §7.3)",
	"language-content language not an object":            "each language's contents are a dictionary of translated properties (STIX 2.1 §7.1)",
	"external reference url with space":                  "a URL is an RFC 3986 URI, which has no spaces; the schema's uri format check lets them through",
	"observed-data embedded SDO":                         "observed-data objects holds SCOs only (STIX 2.1 §4.14); the schema admits any object there",
	"domain-name with space":                             "a domain name follows RFC 1034 (STIX 2.1 §6.4); the schema's idn-hostname format goes unchecked",
	"domain-name label too long":                         "a domain name follows RFC 1034 (STIX 2.1 §6.4); the schema's idn-hostname format goes unchecked",
	"marking tlp2 unknown level":                         "TLP 2.0 levels are clear, green, amber, amber+strict and red; the schemas predate TLP 2.0",
}

// looser lists corpus cases this validator accepts and the schemas reject,
// where the schemas go beyond the specification.
var looser = map[string]string{
	"granular-lang-only":              "STIX 2.1 §7.2.3: a granular marking has marking_ref or lang; the schema requires marking_ref",
	"custom-property-leading-digit":   "STIX 2.1 §11.1 allows a–z, 0–9 and _ anywhere in a property name; the schema wants a letter first",
	"process-created-time-only":       "the schema's at-least-one list names the STIX 2.0 property created, not created_time",
	"registry-key-modified-time-only": "the schema's at-least-one list names the STIX 2.0 property modified, not modified_time",
}

func TestOracle(t *testing.T) {
	dir := schemaDir(t)
	c := jsonschema.NewCompiler()
	c.AssertFormat() // the STIX validator checks formats (uri, email, hostname) too
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(dir), path)
		return c.AddResource(schemaBase+filepath.ToSlash(rel), doc)
	})
	if err != nil {
		t.Fatal(err)
	}
	compiled := map[string]*jsonschema.Schema{}
	schemaFor := func(doc any) *jsonschema.Schema {
		o, _ := doc.(map[string]any)
		typ, _ := o["type"].(string)
		file := schemaFile(typ, o)
		if s, ok := compiled[file]; ok {
			return s
		}
		s, err := c.Compile(schemaBase + "schemas/" + file)
		if err != nil {
			t.Fatalf("compile %s: %v", file, err)
		}
		compiled[file] = s
		return s
	}
	judge := func(raw []byte) (schemaOK bool, why string) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("oracle cannot read %s: %v", raw, err)
		}
		err = schemaFor(doc).Validate(doc)
		if err == nil {
			return true, ""
		}
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return false, ve.Error()
		}
		return false, err.Error()
	}

	agreed := 0
	for _, obj := range loadCorpus(t) {
		_, probs := Validate(obj.raw)
		mine := len(probs) == 0
		theirs, why := judge(obj.raw)
		switch reason, isStricter := stricter[obj.name]; {
		case isStricter:
			if mine || !theirs {
				t.Errorf("%s: listed as stricter than the schemas (%s), but mine=%v schemas=%v %s", obj.name, reason, mine, theirs, why)
			}
		case looser[obj.name] != "":
			if !mine || theirs {
				t.Errorf("%s: listed as looser than the schemas, but mine=%v schemas=%v", obj.name, mine, theirs)
			}
		default:
			if mine != theirs {
				t.Errorf("%s: verdicts differ: mine=%v %v; schemas=%v %s", obj.name, mine, probs, theirs, why)
				continue
			}
			agreed++
		}
	}

	// The schemas' own examples: bundles, each object judged alone.
	examples := filepath.Join(filepath.Dir(dir), "examples")
	n := 0
	err = filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var bundle struct {
			Type    string
			Objects []json.RawMessage
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			return err
		}
		objects := bundle.Objects
		if bundle.Type != "bundle" {
			objects = []json.RawMessage{b}
		}
		for i, raw := range objects {
			n++
			_, probs := Validate(raw)
			theirs, why := judge(raw)
			if (len(probs) == 0) != theirs {
				t.Errorf("%s object %d: verdicts differ: mine %v; schemas=%v %s", filepath.Base(path), i, probs, theirs, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 200 {
		t.Errorf("only %d example objects found", n)
	}
	t.Logf("agreed with the schemas on %d corpus objects and %d example objects; %d known stricter, %d known looser",
		agreed, n, len(stricter), len(looser))
}

// schemaFile picks the schema an object is judged by: its type's, or for
// types STIX does not define the core of an SDO (when it has created or
// modified) or of an SCO.
func schemaFile(typ string, o map[string]any) string {
	switch {
	case slices.Contains(sdoTypes, typ):
		return "sdos/" + typ + ".json"
	case typ == "relationship" || typ == "sighting":
		return "sros/" + typ + ".json"
	case slices.Contains(scoTypes, typ):
		return "observables/" + typ + ".json"
	case typ == "marking-definition" || typ == "language-content" || typ == "extension-definition" || typ == "bundle":
		return "common/" + typ + ".json"
	}
	_, created := o["created"]
	_, modified := o["modified"]
	if created || modified {
		return "common/core.json"
	}
	return "common/cyber-observable-core.json"
}

// schemaDir finds ../shared/stix2-json-schemas/schemas beside the
// repository root, or skips the test.
func schemaDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("oracle test skipped: repository root (go.mod) not found")
		}
		dir = parent
	}
	schemas := filepath.Join(dir, "..", "shared", "stix2-json-schemas", "schemas")
	if _, err := os.Stat(filepath.Join(schemas, "common", "core.json")); err != nil {
		t.Skipf("oracle test skipped: the official STIX 2.1 JSON schemas are not at %s", schemas)
	}
	return schemas
}
