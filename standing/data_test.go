package standing

import (
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
)

const dataDir = "/work/shared/data/"

// loadData reads blocs.csv and membership.csv (one record per row), or
// skips the test when the files are not there.
func loadData(t *testing.T) ([]bloc.Bloc, []bloc.Record) {
	t.Helper()
	read := func(name string) [][]string {
		f, err := os.Open(dataDir + name)
		if os.IsNotExist(err) {
			t.Skipf("%s%s is absent: the test of the sourced record needs it", dataDir, name)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cr := csv.NewReader(f)
		cr.FieldsPerRecord = -1 // blocs.csv leaves commas of its last column unquoted
		rows, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rows[1:]
	}
	var blocs []bloc.Bloc
	for _, row := range read("blocs.csv") {
		blocs = append(blocs, bloc.Bloc{Slug: row[0], Name: row[1], Founded: bloc.MustDate(row[2]), Place: row[3], Instrument: strings.Join(row[4:], ",")})
	}
	var recs []bloc.Record
	for i, row := range read("membership.csv") {
		// bloc, party, party_name, event, date, precision, new_name, note, source
		d, err := bloc.ParseDateAs(row[4], bloc.Precision(row[5]))
		if err != nil {
			t.Fatalf("membership.csv line %d: %v", i+2, err)
		}
		recs = append(recs, bloc.Record{Bloc: row[0], Party: row[1], Kind: bloc.Kind(row[3]), Date: d,
			NewName: row[6], Note: row[7], Source: bloc.Source{URL: strings.TrimSpace(row[8])}})
	}
	return blocs, recs
}

func TestMembershipData(t *testing.T) {
	blocs, recs := loadData(t)
	l := newLedger(blocs...)
	if err := l.book().Check(recs); err != nil {
		t.Fatalf("membership.csv as one batch: %v", err)
	}
	stored := l.add(t, recs...)
	if len(stored) != len(recs) {
		t.Fatalf("stored %d records, want %d", len(stored), len(recs))
	}
	b := l.book()
	for _, bl := range blocs {
		if a := b.Anomalies(bl.Slug); len(a) > 0 {
			t.Errorf("%s: anomalies %v", bl.Slug, a)
		}
	}
	for _, tc := range []struct{ at, want string }{
		{"2010-01-01", "ARM BLR KAZ KGZ RUS TJK UZB"},
		{"2000-06-01", "ARM BLR KAZ KGZ RUS TJK"},
		{"1995-01-01", "ARM AZE BLR GEO KAZ KGZ RUS TJK UZB"},
		{"2014-01-01", "ARM BLR KAZ KGZ RUS TJK"},
	} {
		if got := codes(b.Members("csto", day(tc.at), false)); got != tc.want {
			t.Errorf("csto members at %s = %q, want %q", tc.at, got, tc.want)
		}
	}
	type iv struct{ standing, from, to string }
	var got []iv
	for _, x := range b.PartyIntervals("UZB") {
		if x.Bloc == "csto" {
			got = append(got, iv{string(x.Standing), x.From.String(), x.To.String()})
		}
	}
	want := []iv{
		{"member", "1992-05-15", "1999-04-20"},
		{"former", "1999-04-20", "2006-08-16"},
		{"member", "2006-08-16", "2012-06-20"},
		{"suspended", "2012-06-20", "2012-12-19"},
		{"former", "2012-12-19", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("UZB csto intervals = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("UZB csto interval %d = %v, want %v", i, got[i], want[i])
		}
	}
	// Every row is its own event: no two rows of the data state one fact.
	n := 0
	for _, bl := range blocs {
		n += len(b.Events(bl.Slug))
	}
	if n != len(recs) {
		t.Errorf("%d events from %d rows", n, len(recs))
	}
	if got := b.Name("csto", day("2002-10-07")); got != "Collective Security Treaty Organization" {
		t.Errorf("csto name on 2002-10-07 = %q", got)
	}
	if got := b.Name("csto", day("2002-10-06")); got != "Collective Security Treaty" {
		t.Errorf("csto name on 2002-10-06 = %q", got)
	}
	// The SCO's Indian accession and end of observer status on one day.
	if p := b.At("sco", "IND", day("2017-06-10")); p.Standing != bloc.StandingMember || !p.Certain {
		t.Errorf("IND in sco on 2017-06-10 = %+v", p)
	}
	if p := b.At("sco", "IND", day("2017-06-08")); p.Standing != bloc.StandingObserver || !p.Certain {
		t.Errorf("IND in sco on 2017-06-08 = %+v", p)
	}
	// Dissolved blocs have no members, and CENTO's observer is left with none.
	if ms := b.Members("wp", day("1992-01-01"), true); len(ms) != 0 {
		t.Errorf("wp members after dissolution = %s", codes(ms))
	}
	if p := b.At("cento", "USA", day("1980-01-01")); p.Standing != bloc.StandingNone {
		t.Errorf("USA in cento after dissolution = %+v", p)
	}
	if p := b.At("cento", "TUR", day("1980-01-01")); p.Standing != bloc.StandingFormer || p.Since.String() != "1979-03-16" {
		t.Errorf("TUR in cento after dissolution = %+v", p)
	}
	// The article's facts, in the same batch as the data, attest the same
	// events: refinements, and the disputed 1999 non-renewal.
	article := bloc.Source{Title: "Uzbekistan and the CSTO", URL: "https://example.org/article"}
	var facts []bloc.Record
	for _, f := range []struct{ party, kind, date string }{
		{"ARM", "signed", "1992-05-15"}, {"UZB", "signed", "1992-05-15"},
		{"AZE", "acceded", "1993"}, {"GEO", "acceded", "1993"}, {"BLR", "acceded", "1993"},
		{"AZE", "lapsed", "1999-04-02"}, {"GEO", "lapsed", "1999-04-02"}, {"UZB", "lapsed", "1999-04-02"},
		{"UZB", "acceded", "2006-08"}, {"UZB", "withdrew", "2012-12"},
	} {
		facts = append(facts, bloc.Record{Bloc: "csto", Party: f.party, Kind: bloc.Kind(f.kind), Date: bloc.MustDate(f.date), Source: article})
	}
	both := newLedger(blocs...)
	both.add(t, append(slices.Clone(recs), facts...)...)
	bb := both.book()
	if n := len(bb.Events("csto")); n != len(b.Events("csto")) {
		t.Errorf("with the article: %d csto events, without: %d", n, len(b.Events("csto")))
	}
	for _, party := range []string{"AZE", "GEO", "UZB"} {
		for _, e := range bb.PartyEvents(party) {
			if e.Bloc != "csto" || e.Kind != bloc.KindLapsed {
				continue
			}
			if !e.Disputed || len(e.Attestations) != 2 || e.Date.String() != "1999-04-02" || !e.End.Equal(day("1999-04-21")) {
				t.Errorf("%s lapse %+v", party, e)
			}
		}
	}
	for _, tc := range []struct{ at, want string }{
		{"2010-01-01", "ARM BLR KAZ KGZ RUS TJK UZB"},
		{"1999-04-10", "ARM AZE? BLR GEO? KAZ KGZ RUS TJK UZB?"},
		{"2012-12-10", "ARM BLR KAZ KGZ RUS TJK"},
	} {
		if got := codes(bb.Members("csto", day(tc.at), false)); got != tc.want {
			t.Errorf("with the article, csto members at %s = %q, want %q", tc.at, got, tc.want)
		}
	}
	if got := codes(bb.Members("csto", day("2012-12-10"), true)); got != "ARM BLR KAZ KGZ RUS TJK UZB:suspended" { // "December 2012" refines to the 19th
		t.Errorf("with the article, all standings at 2012-12-10 = %q", got)
	}

	// Loading the same rows again is refused: every row is a duplicate.
	err := b.Check(recs)
	code, details := errDetails(t, err)
	if code != bloc.ECONFLICT || len(details) != len(recs) {
		t.Fatalf("reloading: code %s, %d details, want conflict and %d", code, len(details), len(recs))
	}
	if !strings.Contains(details[0], "already recorded from the same source") {
		t.Errorf("reloading: %s", details[0])
	}
}
