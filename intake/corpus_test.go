package intake

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

const corpusPath = "../testdata/intake/uzbekistan-csto-tass.txt"

// The corpus article: every dated membership fact it states, in the order
// of the text, plus the foreign minister's statement — and nothing else.
var corpusWant = []string{
	"csto UZB statement 2021-10-22",
	"csto ARM signed 1992-05-15", "csto KAZ signed 1992-05-15", "csto KGZ signed 1992-05-15",
	"csto RUS signed 1992-05-15", "csto TJK signed 1992-05-15", "csto UZB signed 1992-05-15",
	"csto AZE acceded 1993", "csto GEO acceded 1993", "csto BLR acceded 1993",
	"csto AZE lapsed 1999-04-02", "csto GEO lapsed 1999-04-02", "csto UZB lapsed 1999-04-02",
	"csto UZB acceded 2006-08",
	"csto UZB withdrew 2012-12",
}

func keys(ps []Proposal) []string {
	var out []string
	for _, p := range ps {
		out = append(out, factKey(p.Bloc, p.Party, p.Kind, p.Date))
	}
	return out
}

func readCorpus(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	// The labelled copy must be the shared corpus article, byte for byte.
	if shared, err := os.ReadFile("../../shared/corpus/uzbekistan-csto-tass.txt"); err == nil && !bytes.Equal(shared, raw) {
		t.Fatalf("%s differs from shared/corpus/uzbekistan-csto-tass.txt", corpusPath)
	}
	return raw
}

func TestCorpusArticleExactProposals(t *testing.T) {
	raw := readCorpus(t)
	a := Parse(raw, Options{Published: mustDay("2021-10-22")})
	ps := Extract(a)
	got := keys(ps)
	if strings.Join(got, "\n") != strings.Join(corpusWant, "\n") {
		t.Fatalf("proposals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(corpusWant, "\n"))
	}
	for _, p := range ps {
		if !strings.Contains(a.Text, p.Quote) {
			t.Errorf("%s: quote is not in the article text: %q", factKey(p.Bloc, p.Party, p.Kind, p.Date), p.Quote)
		}
		if p.Uncertain {
			t.Errorf("%s: uncertain although the publication date was given", factKey(p.Bloc, p.Party, p.Kind, p.Date))
		}
		if p.Confidence <= 0 || p.Confidence > 1 || p.Reason == "" {
			t.Errorf("%s: confidence %v reason %q", factKey(p.Bloc, p.Party, p.Kind, p.Date), p.Confidence, p.Reason)
		}
	}
	st := ps[0]
	wantQuote := "Uzbekistan sees no need to restore its membership in the Collective Security Treaty Organization (CSTO), Uzbekistan\u2019s Foreign Minister Abdulaziz Kamilov told Russian reporters on Friday."
	if st.Quote != wantQuote {
		t.Errorf("statement quote = %q, want %q", st.Quote, wantQuote)
	}
	wantQuotes := map[string]string{
		"csto UZB acceded 2006-08":   "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.",
		"csto UZB withdrew 2012-12":  "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.",
		"csto AZE lapsed 1999-04-02": "On April 2, 1999, Azerbaijan, Georgia and Uzbekistan did not sign a protocol on renewing the treaty and quit the organization.",
		"csto BLR acceded 1993":      "Azerbaijan, Georgia and Belarus joined the post-Soviet security bloc in 1993.",
	}
	for i, k := range got {
		if w, ok := wantQuotes[k]; ok && ps[i].Quote != w {
			t.Errorf("%s: quote %q, want %q", k, ps[i].Quote, w)
		}
	}
	// Precision is the date's.
	for i, want := range []string{"day", "day", "day", "day", "day", "day", "day", "year", "year", "year", "day", "day", "day", "month", "month"} {
		if string(ps[i].Date.Precision) != want {
			t.Errorf("%s: precision %s, want %s", got[i], ps[i].Date.Precision, want)
		}
	}
}

// Without a publication date the year is inferred from the dateline
// ("TASHKENT, October 22" and "on Friday"): 2021, and only the statement,
// dated by that inference, is uncertain.
func TestCorpusArticleInferredYear(t *testing.T) {
	a := Parse(readCorpus(t), Options{})
	if a.Published.String() != "2021-10-22" || !a.PublishedInferred {
		t.Fatalf("published %s inferred %v, want 2021-10-22 inferred", a.Published, a.PublishedInferred)
	}
	ps := Extract(a)
	if strings.Join(keys(ps), "\n") != strings.Join(corpusWant, "\n") {
		t.Fatalf("proposals:\n%s", strings.Join(keys(ps), "\n"))
	}
	for i, p := range ps {
		if p.Uncertain != (i == 0) {
			t.Errorf("%s: uncertain = %v", keys(ps)[i], p.Uncertain)
		}
	}
	if ps[0].Confidence >= Extract(Parse(readCorpus(t), Options{Published: mustDay("2021-10-22")}))[0].Confidence {
		t.Errorf("an inferred year must lower the confidence")
	}
}

func TestCorpusArticleParts(t *testing.T) {
	a := Parse(readCorpus(t), Options{Published: mustDay("2021-10-22"), Publisher: "TASS", URL: "https://tass.com/world/1352195"})
	if a.Headline != "Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat" {
		t.Errorf("headline %q", a.Headline)
	}
	if !strings.HasPrefix(a.Lead, "According to the Uzbekistan\u2019s foreign minister, Tashkent believes") {
		t.Errorf("lead %q", a.Lead)
	}
	if a.Dateline != "TASHKENT, October 22" {
		t.Errorf("dateline %q", a.Dateline)
	}
	if !strings.HasPrefix(a.Body, "Uzbekistan sees no need to restore its membership") {
		t.Errorf("body starts %q", a.Body[:60])
	}
	if strings.Contains(a.Text, "All news") || strings.Contains(a.Body, "/TASS/") {
		t.Errorf("page chrome or agency tag left in the text")
	}
	if !strings.HasSuffix(a.Body, "withdrew from the organization in December 2012.") {
		t.Errorf("body ends %q", a.Body[len(a.Body)-60:])
	}
	if a.Published.String() != "2021-10-22" || a.PublishedInferred {
		t.Errorf("published %s inferred %v", a.Published, a.PublishedInferred)
	}
	if a.Publisher != "TASS" || a.URL != "https://tass.com/world/1352195" {
		t.Errorf("source %q %q", a.Publisher, a.URL)
	}
}
