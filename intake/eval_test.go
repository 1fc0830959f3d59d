package intake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
)

// The labelled set: precision and recall of at least 0.9 overall.
func TestEvalLabelledSet(t *testing.T) {
	scores, overall, cases, err := EvalCases("../testdata/intake")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 12 {
		t.Fatalf("%d labelled articles, want at least 12", len(cases))
	}
	for _, s := range scores {
		t.Logf("%-14s tp=%3d fp=%2d fn=%2d precision=%.3f recall=%.3f", s.Kind, s.TP, s.FP, s.FN, s.Precision, s.Recall)
	}
	t.Logf("overall        tp=%3d fp=%2d fn=%2d precision=%.3f recall=%.3f (%d articles)", overall.TP, overall.FP, overall.FN, overall.Precision, overall.Recall, len(cases))
	for _, c := range cases {
		for _, m := range c.Missed {
			t.Logf("%s: missed %s", c.Name, m)
		}
		for _, m := range c.Extra {
			t.Logf("%s: extra %s", c.Name, m)
		}
	}
	if overall.Precision < 0.9 || overall.Recall < 0.9 {
		t.Errorf("precision %.3f recall %.3f, want both at least 0.9", overall.Precision, overall.Recall)
	}
	// Every kind the set labels is scored.
	seen := map[bloc.Kind]bool{}
	for _, s := range scores {
		seen[s.Kind] = true
	}
	for _, k := range []bloc.Kind{bloc.KindSigned, bloc.KindAcceded, bloc.KindWithdrew, bloc.KindLapsed, bloc.KindSuspended,
		bloc.KindObserverFrom, bloc.KindStatement, bloc.KindRenamed, bloc.KindDissolved} {
		if !seen[k] {
			t.Errorf("no score for %s", k)
		}
	}
	v, o, err := Eval("../testdata/intake")
	if err != nil || len(v) != len(scores) || o != overall {
		t.Errorf("Eval and EvalCases disagree: %v %v %v", err, o, overall)
	}
}

func TestEvalScoring(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "Published: 2023-04-04\n\nFinland becomes a member of NATO\n\nHELSINKI, April 4. Finland joined NATO on Tuesday. Sweden joined NATO in 2022.")
	write("a.expected.json", `{"proposals":[
		{"bloc":"nato","party":"FIN","kind":"acceded","date":"2023-04-04","precision":"day"},
		{"bloc":"nato","party":"SWE","kind":"acceded","date":"2024-03-07","precision":"day"},
		{"bloc":"nato","party":"FIN","kind":"observer_from","date":"2020","precision":"year"}]}`)
	scores, overall, err := Eval(dir)
	if err != nil {
		t.Fatal(err)
	}
	// FIN acceded matches; SWE 2022 is a false positive and SWE 2024-03-07 a
	// miss (dates must agree); FIN observer_from is a miss.
	if overall.TP != 1 || overall.FP != 1 || overall.FN != 2 || overall.Precision != 0.5 || overall.Recall != 1.0/3 {
		t.Errorf("overall %+v", overall)
	}
	if len(scores) != 2 || scores[0].Kind != bloc.KindAcceded || scores[0].TP != 1 || scores[0].FP != 1 || scores[0].FN != 1 ||
		scores[1].Kind != bloc.KindObserverFrom || scores[1].FN != 1 || scores[1].Recall != 0 || scores[1].Precision != 1 {
		t.Errorf("scores %+v", scores)
	}
}

func TestEvalErrors(t *testing.T) {
	if _, _, err := Eval(filepath.Join(t.TempDir(), "missing")); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("missing directory: %v", err)
	}
	dir := t.TempDir()
	if _, _, err := Eval(dir); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("empty directory: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("text"), 0o644)
	if _, _, err := Eval(dir); err == nil || !contains2(err.Error(), "x.txt has no labels") {
		t.Errorf("unlabelled article: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "x.expected.json"), []byte(`{"proposals":[{"bloc":"nato","party":"FIN","kind":"joined","date":"2023","precision":"year"}]}`), 0o644)
	if _, _, err := Eval(dir); err == nil || !contains2(err.Error(), "x.expected.json: proposal 1") {
		t.Errorf("bad kind: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "x.expected.json"), []byte(`{"proposals":[{"bloc":"nato","party":"FIN","kind":"acceded","date":"2023-04","precision":"day"}]}`), 0o644)
	if _, _, err := Eval(dir); err == nil || !contains2(err.Error(), "proposal 1") {
		t.Errorf("date and precision disagree: %v", err)
	}
}

func contains2(s, sub string) bool { return strings.Contains(s, sub) }
