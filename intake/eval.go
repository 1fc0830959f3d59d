package intake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blocsec/bloc"
)

// Score counts the proposals of one kind (or of all kinds) against the
// labelled set.
type Score struct {
	Kind      bloc.Kind `json:"kind"` // "" for the overall score
	TP        int       `json:"tp"`
	FP        int       `json:"fp"`
	FN        int       `json:"fn"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
}

// Expected is a labelled article's sidecar, NAME.expected.json.
type Expected struct {
	// Published is given to Parse when set (for articles kept verbatim,
	// without a "Published:" line).
	Published string         `json:"published,omitempty"`
	Proposals []ExpectedFact `json:"proposals"`
}

// ExpectedFact is one proposal the article must yield.
type ExpectedFact struct {
	Bloc      string         `json:"bloc"`
	Party     string         `json:"party"`
	Kind      bloc.Kind      `json:"kind"`
	Date      string         `json:"date"`
	Precision bloc.Precision `json:"precision"`
}

// CaseResult is what one labelled article yielded.
type CaseResult struct {
	Name           string
	Missed, Extra  []string // facts as "bloc party kind date"
	TP, FP, FN     int
	ProposalsFound []Proposal
}

// Eval reads every NAME.txt or NAME.html in dir with its NAME.expected.json,
// runs Parse and Extract, and matches proposals to expected facts by (bloc,
// party, kind, date as written at its precision). It returns a score per
// kind (in the order of bloc.Kinds, kinds with no facts and no proposals
// left out) and the overall score.
func Eval(dir string) ([]Score, Score, error) {
	scores, overall, _, err := EvalCases(dir)
	return scores, overall, err
}

// EvalCases is Eval with the result of each article, for reports.
func EvalCases(dir string) ([]Score, Score, []CaseResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: cannot read directory %s: %v", dir, err)
	}
	byKind := map[bloc.Kind]*Score{}
	get := func(k bloc.Kind) *Score {
		if byKind[k] == nil {
			byKind[k] = &Score{Kind: k}
		}
		return byKind[k]
	}
	var cases []CaseResult
	n := 0
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.IsDir() || (ext != ".txt" && ext != ".html" && ext != ".htm") {
			continue
		}
		base := strings.TrimSuffix(name, ext)
		expPath := filepath.Join(dir, base+".expected.json")
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: %s: %v", name, err)
		}
		eb, err := os.ReadFile(expPath)
		if err != nil {
			return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: %s has no labels: %v", name, err)
		}
		var exp Expected
		if err := json.Unmarshal(eb, &exp); err != nil {
			return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: %s: %v", base+".expected.json", err)
		}
		var opt Options
		if exp.Published != "" {
			d, err := bloc.ParseDate(exp.Published)
			if err != nil {
				return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: %s: published: %v", base+".expected.json", err)
			}
			opt.Published = d
		}
		want := map[string]bloc.Kind{}
		for i, f := range exp.Proposals {
			d, err := bloc.ParseDateAs(f.Date, f.Precision)
			if err != nil || !f.Kind.Valid() {
				return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: %s: proposal %d: bad kind %q or date %q/%q", base+".expected.json", i+1, f.Kind, f.Date, f.Precision)
			}
			want[factKey(f.Bloc, f.Party, f.Kind, d)] = f.Kind
		}
		ps := Extract(Parse(raw, opt))
		got := map[string]bloc.Kind{}
		for _, p := range ps {
			got[factKey(p.Bloc, p.Party, p.Kind, p.Date)] = p.Kind
		}
		cr := CaseResult{Name: base, ProposalsFound: ps}
		for k, kind := range got {
			if _, ok := want[k]; ok {
				get(kind).TP++
				cr.TP++
			} else {
				get(kind).FP++
				cr.FP++
				cr.Extra = append(cr.Extra, k)
			}
		}
		for k, kind := range want {
			if _, ok := got[k]; !ok {
				get(kind).FN++
				cr.FN++
				cr.Missed = append(cr.Missed, k)
			}
		}
		sort.Strings(cr.Extra)
		sort.Strings(cr.Missed)
		cases = append(cases, cr)
		n++
	}
	if n == 0 {
		return nil, Score{}, nil, bloc.Errorf(bloc.EINVALID, "eval: no labelled articles (NAME.txt or NAME.html with NAME.expected.json) in %s", dir)
	}
	var scores []Score
	overall := Score{}
	for _, k := range bloc.Kinds {
		if s := byKind[k]; s != nil {
			s.finish()
			scores = append(scores, *s)
			overall.TP += s.TP
			overall.FP += s.FP
			overall.FN += s.FN
		}
	}
	overall.finish()
	return scores, overall, cases, nil
}

func factKey(blocSlug, party string, k bloc.Kind, d bloc.Date) string {
	p := party
	if p == "" {
		p = "-"
	}
	return blocSlug + " " + p + " " + string(k) + " " + d.String()
}

func (s *Score) finish() {
	s.Precision, s.Recall = 1, 1
	if s.TP+s.FP > 0 {
		s.Precision = float64(s.TP) / float64(s.TP+s.FP)
	}
	if s.TP+s.FN > 0 {
		s.Recall = float64(s.TP) / float64(s.TP+s.FN)
	}
}
