package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

const corpusArticle = "../../../shared/corpus/uzbekistan-csto-tass.txt"

// corpus reads the corpus article, or skips the test when it is absent
// (the shared corpus lives beside the repository, not in it).
func corpus(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(corpusArticle)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus article %s is absent: skipping", corpusArticle)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

type intakeJSON struct {
	Article   string          `json:"article"`
	Report    map[string]any  `json:"report"`
	Proposals []proposalJSON  `json:"proposals"`
	Stored    json.RawMessage `json:"stored"`
}

type proposalJSON struct {
	ID         string  `json:"id"`
	Bloc       string  `json:"bloc"`
	Party      string  `json:"party"`
	Kind       string  `json:"kind"`
	Date       string  `json:"date"`
	Precision  string  `json:"precision"`
	Quote      string  `json:"quote"`
	Confidence float64 `json:"confidence"`
	Compared   string  `json:"compared"`
	Status     string  `json:"status"`
	Record     int64   `json:"record"`
}

// decodeOne decodes out, which must hold exactly one JSON value.
func decodeOne(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("output holds more than one JSON value (%v):\n%s", err, out)
	}
}

func (p proposalJSON) line() string {
	return strings.Join([]string{p.ID, p.Bloc, p.Party, p.Kind, p.Date, p.Precision, p.Compared}, " ")
}

// The corpus article against the built-in record: every fact it states is
// proposed, and each is already recorded (the built-in record cites it).
func TestIntakeCorpusJSON(t *testing.T) {
	text := corpus(t)
	c := newCLI(t)
	code, out, errs := c.run(text, "intake", "-", "--published", "2021-10-22", "--publisher", "TASS", "--url", "https://tass.com/world/1353121", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got intakeJSON
	decodeOne(t, out, &got)
	var lines []string
	for _, p := range got.Proposals {
		lines = append(lines, p.line())
		if p.Quote == "" || p.Confidence <= 0 || p.Confidence > 1 || p.Status != "pending" {
			t.Errorf("%s: quote %q confidence %v status %s", p.ID, p.Quote, p.Confidence, p.Status)
		}
	}
	want := []string{
		"prop-1 csto UZB statement 2021-10-22 day recorded",
		"prop-2 csto ARM signed 1992-05-15 day recorded",
		"prop-3 csto KAZ signed 1992-05-15 day recorded",
		"prop-4 csto KGZ signed 1992-05-15 day recorded",
		"prop-5 csto RUS signed 1992-05-15 day recorded",
		"prop-6 csto TJK signed 1992-05-15 day recorded",
		"prop-7 csto UZB signed 1992-05-15 day recorded",
		"prop-8 csto AZE acceded 1993 year recorded",
		"prop-9 csto GEO acceded 1993 year recorded",
		"prop-10 csto BLR acceded 1993 year recorded",
		"prop-11 csto AZE lapsed 1999-04-02 day recorded",
		"prop-12 csto GEO lapsed 1999-04-02 day recorded",
		"prop-13 csto UZB lapsed 1999-04-02 day recorded",
		"prop-14 csto UZB acceded 2006-08 month recorded",
		"prop-15 csto UZB withdrew 2012-12 month recorded",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("proposals:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got.Proposals[13].Quote != "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012." {
		t.Errorf("prop-14 quote %q", got.Proposals[13].Quote)
	}
	if got.Report["type"] != "report" || got.Report["spec_version"] != "2.1" || got.Report["published"] != "2021-10-22T00:00:00.000Z" ||
		got.Report["name"] != "Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat" {
		t.Errorf("report: %v", got.Report)
	}
	refs, _ := got.Report["external_references"].([]any)
	if len(refs) != 1 || refs[0].(map[string]any)["url"] != "https://tass.com/world/1353121" || refs[0].(map[string]any)["source_name"] != "TASS" {
		t.Errorf("external_references: %v", got.Report["external_references"])
	}
	if got.Article != "art-1" || got.Stored != nil {
		t.Errorf("article %q, stored %s", got.Article, got.Stored)
	}

	// The same article from a file: nothing new is proposed.
	path := t.TempDir() + "/article.txt"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out = c.ok("intake", path, "--published", "2021-10-22", "--publisher", "TASS", "--url", "https://tass.com/world/1353121")
	if !strings.Contains(out, "art-1: Uzbekistan sees no need to rejoin") || !strings.Contains(out, "taken in before") ||
		!strings.Contains(out, "15 proposals, 15 pending review") || !strings.Contains(out, "recorded: event #") {
		t.Errorf("second intake (text):\n%s", out)
	}
	var list struct{ Proposals []proposalJSON }
	decodeOne(t, c.ok("intake", "list", "--json"), &list)
	if len(list.Proposals) != 15 {
		t.Fatalf("%d proposals listed after two intakes, want 15", len(list.Proposals))
	}
}

// On an empty database with the bloc added: accept a new proposal (with an
// edited date), see it in history, reject another, and refuse second
// decisions.
func TestIntakeReviewOnEmptyDatabase(t *testing.T) {
	text := corpus(t)
	c := newCLI(t)
	c.ok("init", "--empty")
	c.ok("blocs", "add", "csto", "Collective Security Treaty", "--founded", "1992-05-15", "--place", "Tashkent")
	code, out, errs := c.run(text, "intake", "-", "--published", "2021-10-22", "--publisher", "TASS", "--json")
	if code != 0 {
		t.Fatalf("intake: exit %d: %s", code, errs)
	}
	var got intakeJSON
	decodeOne(t, out, &got)
	for _, p := range got.Proposals {
		if p.Compared != "new" {
			t.Errorf("%s is %s on an empty record, want new", p.ID, p.Compared)
		}
	}

	// prop-14: Uzbekistan rejoined in August 2006; the reviewer knows the day.
	out = c.ok("intake", "accept", "prop-14", "--date", "2006-08-16", "--by", "amina")
	if out != "accepted prop-14: recorded record 1: csto UZB acceded 2006-08-16\n" {
		t.Errorf("accept said %q", out)
	}
	hist := c.ok("history", "UZB")
	for _, want := range []string{
		"csto  member  2006-08-16  → now",
		"#1 csto acceded 2006-08-16",
		"[record 1] 2006-08-16  Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat — TASS — 2021-10-22",
		"“In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.”",
	} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	var shown proposalJSON
	decodeOne(t, c.ok("intake", "show", "prop-14", "--json"), &shown)
	if shown.Status != "accepted" || shown.Record != 1 || shown.Compared != "refinement" || shown.Date != "2006-08" {
		t.Errorf("prop-14 after acceptance: %+v", shown)
	}

	out = c.ok("intake", "reject", "prop-15", "--note", "the day is known: record it by hand", "--by", "amina")
	if out != "rejected prop-15: csto UZB withdrew 2012-12: the day is known: record it by hand\n" {
		t.Errorf("reject said %q", out)
	}
	for _, args := range [][]string{
		{"intake", "accept", "prop-15"}, {"intake", "reject", "prop-14"}, {"intake", "accept", "14", "--by", "boris"},
	} {
		errs := c.fails(args...)
		if !strings.Contains(errs, "a proposal is decided once") || !strings.Contains(errs, "by amina") {
			t.Errorf("bloc %s: %q", strings.Join(args, " "), errs)
		}
	}
	// A refused record leaves the proposal pending: signing in 1992 would
	// make the recorded return of 2006 an accession while a member.
	errs = c.fails("intake", "accept", "prop-7", "--by", "amina")
	if !strings.Contains(errs, "already a member of csto") {
		t.Errorf("an impossible signature: %q", errs)
	}
	decodeOne(t, c.ok("intake", "show", "prop-7", "--json"), &shown)
	if shown.Status != "pending" {
		t.Errorf("prop-7 after a refused acceptance is %s, want pending", shown.Status)
	}
	if errs := c.fails("intake", "accept", "prop-7", "--edit", "colour=red"); !strings.Contains(errs, `--edit "colour=red"`) {
		t.Errorf("a bad --edit: %q", errs)
	}
	// The form of an edit: --edit FIELD=VALUE.
	c.ok("intake", "accept", "prop-7", "--edit", "kind=statement", "--by", "amina")

	var list struct{ Proposals []proposalJSON }
	decodeOne(t, c.ok("intake", "list", "--status", "rejected", "--json"), &list)
	if len(list.Proposals) != 1 || list.Proposals[0].ID != "prop-15" {
		t.Errorf("rejected: %+v", list.Proposals)
	}
	decodeOne(t, c.ok("intake", "list", "--status", "accepted", "--json"), &list)
	if len(list.Proposals) != 2 || list.Proposals[0].ID != "prop-7" || list.Proposals[1].ID != "prop-14" {
		t.Errorf("accepted: %+v", list.Proposals)
	}
	table := c.ok("intake", "list", "--status", "pending")
	if !strings.HasPrefix(table, "ID ") || strings.Count(table, "\n") != 1+12 || !strings.Contains(table, "prop-13") || strings.Contains(table, "prop-7 ") || strings.Contains(table, "prop-14") {
		t.Errorf("pending table:\n%s", table)
	}
	article := c.ok("intake", "show", "art-1")
	if !strings.Contains(article, "art-1: Uzbekistan sees no need") || !strings.Contains(article, "accepted by amina") || !strings.Contains(article, "rejected by amina") {
		t.Errorf("show art-1:\n%s", article)
	}
}

func TestIntakeUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"intake"}, {"intake", "list", "--status", "maybe"}, {"intake", "show"}, {"intake", "accept"}, {"intake", "a.txt", "b.txt"},
	} {
		if code, _, _ := c.run("", args...); code != 2 {
			t.Errorf("bloc %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
	for _, c2 := range []struct {
		args []string
		want string
	}{
		{[]string{"intake", "-"}, "the article is empty"},
		{[]string{"intake", "no-such-file.txt"}, "cannot read the article"},
		{[]string{"intake", "show", "prop-x"}, `"prop-x" is not a proposal id`},
		{[]string{"intake", "show", "art-9"}, "no article art-9"},
		{[]string{"intake", "accept", "prop-9", "--date", "2006-13"}, "--date"},
		{[]string{"intake", "x.txt", "--collection", "c"}, "cannot read the article"},
	} {
		errs := c.fails(c2.args...)
		if !strings.Contains(errs, c2.want) {
			t.Errorf("bloc %s: %q does not say %q", strings.Join(c2.args, " "), errs, c2.want)
		}
	}
}

// `bloc intake eval` prints the per-kind table and meets the target on the
// labelled set: precision and recall at least 0.9.
func TestIntakeEval(t *testing.T) {
	c := newCLI(t)
	out := c.ok("intake", "eval", "../../testdata/intake")
	for _, want := range []string{"KIND", "PRECISION", "RECALL", "\nsigned ", "\nacceded ", "\nwithdrew ", "\nlapsed ", "\nstatement ", "\noverall "} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	var got struct {
		Kinds []struct {
			Kind      string
			Precision float64
			Recall    float64
		}
		Overall struct {
			TP, FP, FN        int
			Precision, Recall float64
		}
		Cases []json.RawMessage
	}
	decodeOne(t, c.ok("intake", "eval", "../../testdata/intake", "--json"), &got)
	if got.Overall.Precision < 0.9 || got.Overall.Recall < 0.9 {
		t.Fatalf("overall precision %.3f recall %.3f: the target is 0.9 for both", got.Overall.Precision, got.Overall.Recall)
	}
	if len(got.Cases) < 20 || got.Overall.TP < 100 {
		t.Fatalf("%d cases, %d true positives: the labelled set is not all read", len(got.Cases), got.Overall.TP)
	}
	if errs := c.fails("intake", "eval", "no-such-dir"); !strings.Contains(errs, "cannot read directory") {
		t.Errorf("eval of a missing directory: %q", errs)
	}
}

// --collection and --agency store the report's STIX objects, TLP:CLEAR, as
// the agency; a second intake stores nothing new.
func TestIntakeIntoCollection(t *testing.T) {
	corpus(t)
	c := newCLI(t)
	c.ok("agency", "add", "KAZ", "National Security Committee", "--id", "kaz-knb")
	var coll struct{ ID string }
	decodeOne(t, c.ok("collection", "create", "csto", "Open sources", "--audience", "public", "--json"), &coll)
	type stored struct {
		Collection, Agency string
		Stored, Already    []string
	}
	var got struct {
		Report map[string]any
		Stored stored
	}
	args := []string{"intake", corpusArticle, "--published", "2021-10-22", "--publisher", "TASS", "--collection", coll.ID, "--agency", "kaz-knb"}
	decodeOne(t, c.ok(append(args, "--json")...), &got)
	if got.Stored.Collection != coll.ID || got.Stored.Agency != "kaz-knb" || len(got.Stored.Stored) != 15 || len(got.Stored.Already) != 0 {
		t.Fatalf("stored: %+v", got.Stored)
	}
	if refs, _ := got.Report["object_marking_refs"].([]any); len(refs) != 1 || refs[0] != "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" {
		t.Errorf("report markings: %v", got.Report["object_marking_refs"])
	}
	out := c.ok(args...)
	if !strings.Contains(out, "stored in collection "+coll.ID+" as agency kaz-knb (TLP:CLEAR): 0 new, 15 held already") {
		t.Errorf("second intake:\n%s", out)
	}
	if errs := c.fails("intake", corpusArticle, "--collection", coll.ID); !strings.Contains(errs, "give both or neither") {
		t.Errorf("--collection without --agency: %q", errs)
	}
}
