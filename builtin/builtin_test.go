package builtin

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/recordfile"
)

const articleTitle = "Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat"

var shared = filepath.Join("..", "..", "shared")

func TestBlocs(t *testing.T) {
	blocs, err := Blocs()
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, b := range blocs {
		slugs = append(slugs, b.Slug)
	}
	if want := []string{"csto", "guam", "nato", "wp", "sco", "seato", "cento"}; !reflect.DeepEqual(slugs, want) {
		t.Errorf("blocs %v, want %v", slugs, want)
	}
	want := bloc.Bloc{Slug: "csto", Name: "Collective Security Treaty", Founded: bloc.MustDate("1992-05-15"), Place: "Tashkent",
		Instrument: "Collective Security Treaty (renamed Collective Security Treaty Organization on 2002-10-07)"}
	if blocs[0] != want {
		t.Errorf("csto = %+v", blocs[0])
	}
	if blocs[1].Instrument != "Joint communiqué of the presidents of Georgia, Ukraine, Azerbaijan and Moldova" {
		t.Errorf("guam instrument %q", blocs[1].Instrument)
	}
}

func TestParties(t *testing.T) {
	parties, err := Parties()
	if err != nil {
		t.Fatal(err)
	}
	if len(parties) != 249+4 {
		t.Errorf("%d parties, want 249 current codes and 4 historical", len(parties))
	}
	byCode := map[string]bloc.Party{}
	for i, p := range parties {
		if _, dup := byCode[p.Code]; dup {
			t.Errorf("party %s twice", p.Code)
		}
		if i > 0 && parties[i-1].Code >= p.Code {
			t.Errorf("parties out of order at %s", p.Code)
		}
		for _, a := range p.Aliases {
			if a == "" || a == p.Name {
				t.Errorf("%s: alias %q", p.Code, a)
			}
		}
		byCode[p.Code] = p
	}
	for _, want := range []bloc.Party{
		{Code: "RUS", Name: "Russian Federation", Aliases: []string{"Russia"}},
		{Code: "USA", Name: "United States", Aliases: []string{"United States of America", "US"}},
		{Code: "UZB", Name: "Uzbekistan", Aliases: []string{"Republic of Uzbekistan"}},
		{Code: "SUN", Name: "Soviet Union", Aliases: []string{"USSR", "Union of Soviet Socialist Republics"}},
		{Code: "DDR", Name: "German Democratic Republic", Aliases: []string{"East Germany", "GDR"}},
		{Code: "CSK", Name: "Czechoslovakia", Aliases: []string{"Czechoslovak Socialist Republic", "Czech and Slovak Federative Republic"}},
		{Code: "YUG", Name: "Yugoslavia", Aliases: []string{"Socialist Federal Republic of Yugoslavia", "Federal Republic of Yugoslavia"}},
		{Code: "CIV", Name: "Côte d'Ivoire", Aliases: []string{"Republic of Côte d'Ivoire", "Ivory Coast"}},
		{Code: "ZWE", Name: "Zimbabwe", Aliases: []string{"Republic of Zimbabwe"}},
	} {
		if got := byCode[want.Code]; !reflect.DeepEqual(got, want) {
			t.Errorf("party %s = %+v, want %+v", want.Code, got, want)
		}
	}
	// The names the sources use are aliases, so a name can be looked up.
	for code, alias := range map[string]string{"TUR": "Turkey", "CZE": "Czech Republic", "IRN": "Iran", "MDA": "Moldova", "GBR": "UK"} {
		if !contains(byCode[code].Aliases, alias) {
			t.Errorf("%s aliases %v lack %q", code, byCode[code].Aliases, alias)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRowsUseKnownBlocsAndParties(t *testing.T) {
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	blocs, _ := Blocs()
	parties, _ := Parties()
	known := map[string]bool{}
	for _, b := range blocs {
		known["bloc "+b.Slug] = true
	}
	for _, p := range parties {
		known["party "+p.Code] = true
	}
	lines := map[int]bool{}
	for _, r := range rows {
		lines[r.Line] = true
		if !known["bloc "+r.Record.Bloc] {
			t.Errorf("line %d: bloc %q is not built in", r.Line, r.Record.Bloc)
		}
		if r.Record.Party != "" && !known["party "+r.Record.Party] {
			t.Errorf("line %d: party %q is not built in", r.Line, r.Record.Party)
		}
	}
	// 160 compiled rows and 14 article rows; one record per source.
	if len(lines) != 160+14 || len(rows) != 455+14 {
		t.Errorf("%d rows on %d lines, want 469 on 174", len(rows), len(lines))
	}
}

// TestRowsCarryTheSharedData compares the built-in record with the shared
// data it was carried from, row by row: the same facts, sources and notes.
func TestRowsCarryTheSharedData(t *testing.T) {
	f, err := os.Open(filepath.Join(shared, "data", "membership.csv"))
	if err != nil {
		t.Skipf("the shared data is not here (%v); nothing to compare", err)
	}
	defer f.Close()
	data, err := recordfile.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < len(data) {
		t.Fatalf("%d built-in rows, fewer than the %d of the data", len(rows), len(data))
	}
	for i, d := range data {
		got := rows[i]
		if d.Record.Source.Title == "TASS article in corpus/uzbekistan-csto-tass.txt" {
			// The one row whose source is the article: the built-in record
			// names the article in full.
			d.Record.Source = bloc.Source{Title: articleTitle, Publisher: "TASS", Published: bloc.MustDate("2021-10-22")}
			d.Record.Quote = "Uzbekistan sees no need to restore its membership in the Collective Security Treaty Organization (CSTO), Uzbekistan’s Foreign Minister Abdulaziz Kamilov told Russian reporters on Friday."
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i+1, got, d)
		}
	}
}

func TestArticleRowsAttestTheDataEvents(t *testing.T) {
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	signed := "The CSTO originated from the Collective Security Treaty signed by the heads of Armenia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan and Uzbekistan in Tashkent on May 15, 1992."
	joined := "Azerbaijan, Georgia and Belarus joined the post-Soviet security bloc in 1993."
	lapsed := "On April 2, 1999, Azerbaijan, Georgia and Uzbekistan did not sign a protocol on renewing the treaty and quit the organization."
	rejoined := "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012."
	noNeed := "Uzbekistan sees no need to restore its membership in the Collective Security Treaty Organization (CSTO), Uzbekistan’s Foreign Minister Abdulaziz Kamilov told Russian reporters on Friday."
	type fact struct {
		party    string
		kind     bloc.Kind
		date     string // as the article states it
		quote    string
		dataDate string // the date of the event's first (compiled) record; "" when the article row starts the event
	}
	want := []fact{
		{"UZB", bloc.KindStatement, "2021-10-22", noNeed, ""},
		{"ARM", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"KAZ", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"KGZ", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"RUS", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"TJK", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"UZB", bloc.KindSigned, "1992-05-15", signed, "1992-05-15"},
		{"AZE", bloc.KindAcceded, "1993", joined, "1993-09-24"},
		{"GEO", bloc.KindAcceded, "1993", joined, "1993-12-09"},
		{"BLR", bloc.KindAcceded, "1993", joined, "1993-12-31"},
		{"AZE", bloc.KindLapsed, "1999-04-02", lapsed, "1999-04-20"},
		{"GEO", bloc.KindLapsed, "1999-04-02", lapsed, "1999-04-20"},
		{"UZB", bloc.KindLapsed, "1999-04-02", lapsed, "1999-04-20"},
		{"UZB", bloc.KindAcceded, "2006-08", rejoined, "2006-08-16"},
		{"UZB", bloc.KindWithdrew, "2012-12", rejoined, "2012-12-19"},
	}
	var got []fact
	for _, r := range rows {
		rec := r.Record
		if rec.Source.Title != articleTitle {
			continue
		}
		if rec.Bloc != "csto" || rec.Source.Publisher != "TASS" || rec.Source.Published != bloc.MustDate("2021-10-22") || rec.Source.URL != "" {
			t.Errorf("line %d: source %+v", r.Line, rec.Source)
		}
		f := fact{party: rec.Party, kind: rec.Kind, date: rec.Date.String(), quote: rec.Quote}
		if rec.EventID < 0 {
			first := rows[-rec.EventID-1].Record
			if first.Bloc != rec.Bloc || first.Party != rec.Party || first.Kind != rec.Kind || first.EventID != 0 || first.Source.Title == articleTitle {
				t.Errorf("line %d attests %+v, not a compiled row of the same fact", r.Line, first)
			}
			f.dataDate = first.Date.String()
		}
		got = append(got, f)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("article rows:\n got %+v\nwant %+v", got, want)
	}

	// Stored as one batch, the 1999 lapse of Azerbaijan is one event with
	// every source: the compiled row's five and the article.
	recs, err := recordfile.Resolve(recordfile.Records(rows), 1)
	if err != nil {
		t.Fatal(err)
	}
	dates := map[string]int{}
	var event int64
	for _, r := range recs {
		if r.Bloc == "csto" && r.Party == "AZE" && r.Kind == bloc.KindLapsed {
			if event == 0 {
				event = r.EventID
			}
			if r.EventID != event {
				t.Errorf("record %d of the AZE lapse is in event %d, not %d", r.ID, r.EventID, event)
			}
			dates[r.Date.String()]++
		}
	}
	if want := map[string]int{"1999-04-20": 5, "1999-04-02": 1}; !reflect.DeepEqual(dates, want) {
		t.Errorf("AZE lapse attestations by date %v, want %v", dates, want)
	}
}

// The quotes are the article's own sentences.
func TestQuotesAreInTheArticle(t *testing.T) {
	article, err := os.ReadFile(filepath.Join(shared, "corpus", "uzbekistan-csto-tass.txt"))
	if err != nil {
		t.Skipf("the shared corpus is not here (%v); nothing to compare", err)
	}
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if q := r.Record.Quote; q != "" {
			n++
			if !strings.Contains(string(article), q) {
				t.Errorf("line %d: quote not in the article: %q", r.Line, q)
			}
		}
	}
	if n != 15 {
		t.Errorf("%d quoted rows, want 15", n)
	}
	if !strings.Contains(string(article), articleTitle) {
		t.Error("the article's title is not in the article")
	}
}
