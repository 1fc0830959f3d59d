package recordfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// sharedData is the shared membership data beside the repository (the
// session's and CI's layout).
var sharedData = filepath.Join("..", "..", "shared", "data", "membership.csv")

func TestReadCSVLoadsEveryRowOfTheSharedData(t *testing.T) {
	f, err := os.Open(sharedData)
	if err != nil {
		t.Skipf("the shared data is not here (%v); nothing to check", err)
	}
	defer f.Close()
	rows, err := ReadCSV(f)
	if err != nil {
		t.Fatalf("membership.csv must load without error: %v", err)
	}
	lines := map[int]bool{}
	for _, r := range rows {
		lines[r.Line] = true
	}
	// 160 data rows on lines 2..161, each with one or more sources.
	if len(lines) != 160 {
		t.Errorf("rows came from %d lines, want 160", len(lines))
	}
	for l := 2; l <= 161; l++ {
		if !lines[l] {
			t.Errorf("line %d gave no record", l)
		}
	}
	if len(rows) != 455 {
		t.Errorf("%d records, want 455 (one per source)", len(rows))
	}

	// The first row has five URLs: five attestations of one event.
	for i := 0; i < 5; i++ {
		r := rows[i]
		wantEvent := int64(0)
		if i > 0 {
			wantEvent = -1
		}
		if r.Line != 2 || r.Record.Bloc != "cento" || r.Record.Party != "IRQ" || r.Record.Kind != bloc.KindSigned ||
			r.Record.EventID != wantEvent || r.PartyName != "Iraq" || r.Record.Date != bloc.MustDate("1955-02-24") {
			t.Errorf("rows[%d] = line %d %+v (party name %q)", i, r.Line, r.Record, r.PartyName)
		}
	}
	if got := rows[0].Record.Source.URL; got != "http://lccn.loc.gov/n79065981" {
		t.Errorf("first source %q", got)
	}
	if got := rows[4].Record.Source.URL; got != "https://www.encyclopedia.com/politics/dictionaries-thesauruses-pictures-and-press-releases/baghdad-pact" {
		t.Errorf("fifth source %q", got)
	}
	if rows[5].Record.Party != "TUR" || rows[5].Record.EventID != 0 || rows[6].Record.EventID != -6 {
		t.Errorf("second row's records: %+v / %+v", rows[5].Record, rows[6].Record)
	}

	// A source written in words becomes the source's title.
	var found bool
	for _, r := range rows {
		if r.Record.Bloc == "csto" && r.Record.Party == "UZB" && r.Record.Date == bloc.MustDate("2021-10-22") {
			found = true
			if r.Record.Source != (bloc.Source{Title: "TASS article in corpus/uzbekistan-csto-tass.txt"}) {
				t.Errorf("2021 statement source = %+v", r.Record.Source)
			}
		}
	}
	if !found {
		t.Error("the 2021-10-22 UZB statement is missing")
	}

	// Month and year precision survive.
	for _, r := range rows {
		if r.Record.Bloc == "csto" && r.Record.Party == "SRB" && r.Record.Date != bloc.MustDate("2013") {
			t.Errorf("SRB observer date %v", r.Record.Date)
		}
	}
}

func TestReadCSVRows(t *testing.T) {
	const header = "bloc,party,event,date,precision,source,id,attests,supersedes,retracts,scope,new_name,party_name\n"
	tests := []struct {
		name string
		in   string
		want []Row
	}{
		{
			name: "header only",
			in:   header,
			want: nil,
		},
		{
			name: "minimal columns, one row",
			in:   "bloc,party,event,date\ncsto,UZB,acceded,2006-08\n",
			want: []Row{{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindAcceded, Date: bloc.MustDate("2006-08")}}},
		},
		{
			name: "columns in any order and case, spaces trimmed around codes",
			in:   " Date ,EVENT,party,bloc\n 1993 , acceded , AZE , csto \n",
			want: []Row{{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "AZE", Kind: bloc.KindAcceded, Date: bloc.MustDate("1993")}}},
		},
		{
			name: "UTF-8 byte order mark is accepted",
			in:   "\xEF\xBB\xBFbloc,party,event,date\ncsto,UZB,withdrew,2012-12\n",
			want: []Row{{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2012-12")}}},
		},
		{
			name: "several sources become one event with several attestations",
			in: header +
				"csto,ARM,signed,1992-05-15,day,https://a.example/1 ; https://b.example/2?x=1;y=2 ; Izvestia 16 May 1992,,,,,,,Armenia\n" +
				"csto,KAZ,signed,1992-05-15,day,https://a.example/1,,,,,,,\n",
			want: []Row{
				{Line: 2, PartyName: "Armenia", Record: bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15"), Source: bloc.Source{URL: "https://a.example/1"}}},
				{Line: 2, PartyName: "Armenia", Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15"), Source: bloc.Source{URL: "https://b.example/2?x=1;y=2"}}},
				{Line: 2, PartyName: "Armenia", Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15"), Source: bloc.Source{Title: "Izvestia 16 May 1992"}}},
				{Line: 3, Record: bloc.Record{Bloc: "csto", Party: "KAZ", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15"), Source: bloc.Source{URL: "https://a.example/1"}}},
			},
		},
		{
			name: "attests joins an earlier row's event, through a chain, across sources",
			in: header +
				"csto,AZE,lapsed,1999-04-20,day,https://a.example ; https://b.example,x,,,,,,\n" +
				"csto,UZB,lapsed,1999-04-20,day,https://a.example,u,,,,,,\n" +
				"csto,AZE,lapsed,1999-04-02,,https://c.example,y,x,,,,,\n" +
				"csto,AZE,lapsed,1999,,https://d.example,,y,,,,,\n",
			want: []Row{
				{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"), Source: bloc.Source{URL: "https://a.example"}}},
				{Line: 2, Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"), Source: bloc.Source{URL: "https://b.example"}}},
				{Line: 3, Record: bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"), Source: bloc.Source{URL: "https://a.example"}}},
				{Line: 4, Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-02"), Source: bloc.Source{URL: "https://c.example"}}},
				{Line: 5, Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999"), Source: bloc.Source{URL: "https://d.example"}}},
			},
		},
		{
			name: "attests naming the row itself starts its event",
			in:   header + "csto,ARM,signed,1992-05-15,,,7,7,,,,,\n",
			want: []Row{{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")}}},
		},
		{
			name: "supersedes and retracts name an earlier row",
			in: header +
				"sco,IND,observer_from,2005-07-05,,,1,,,,,,\n" +
				"sco,IND,observer_from,2005-07-06,,,2,,1,,,,\n" +
				"sco,IND,observer_from,2005-07-06,,,,,2,true,,,\n",
			want: []Row{
				{Line: 2, Record: bloc.Record{Bloc: "sco", Party: "IND", Kind: bloc.KindObserverFrom, Date: bloc.MustDate("2005-07-05")}},
				{Line: 3, Record: bloc.Record{Bloc: "sco", Party: "IND", Kind: bloc.KindObserverFrom, Date: bloc.MustDate("2005-07-06"), Supersedes: -1}},
				{Line: 4, Record: bloc.Record{Bloc: "sco", Party: "IND", Kind: bloc.KindObserverFrom, Date: bloc.MustDate("2005-07-06"), Supersedes: -2, Retracts: true}},
			},
		},
		{
			name: "scope, new name, bloc-level statement, quoted newline keeps the row's first line",
			in: header +
				"nato,SWE,partner_from,1994-05-09,day,,,,,,\" cyber ; crisis management;;\",,Sweden\n" +
				"guam,,renamed,1999-04-24,day,,,,,,,\"GUUAM\",\n" +
				"wp,,statement,1955-06-05,day,,,,,,,,\"two\nlines\"\n" +
				"wp,,dissolved,1991-07-01,day,,,,,,,,\n",
			want: []Row{
				{Line: 2, PartyName: "Sweden", Record: bloc.Record{Bloc: "nato", Party: "SWE", Kind: bloc.KindPartnerFrom, Date: bloc.MustDate("1994-05-09"), Scope: []string{"cyber", "crisis management"}}},
				{Line: 3, Record: bloc.Record{Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("1999-04-24"), NewName: "GUUAM"}},
				{Line: 4, PartyName: "two\nlines", Record: bloc.Record{Bloc: "wp", Kind: bloc.KindStatement, Date: bloc.MustDate("1955-06-05")}},
				{Line: 6, Record: bloc.Record{Bloc: "wp", Kind: bloc.KindDissolved, Date: bloc.MustDate("1991-07-01")}},
			},
		},
		{
			name: "export columns: provenance, record time, instant date",
			in: "bloc,party,event,date,precision,source,source_title,publisher,published,quote,recorded_at,recorded_by,note\n" +
				"csto,UZB,statement,2021-10-22,day,,Uzbekistan sees no need,TASS,2021-10-22,\"He said, \"\"no\"\".\",2024-05-01T14:00:00+02:00,registrar, kept as written \n" +
				"csto,ARM,withdrew,2026-01-01T12:00:00Z,instant,,,,,,,,\n",
			want: []Row{
				{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "UZB", Kind: bloc.KindStatement, Date: bloc.MustDate("2021-10-22"),
					Source: bloc.Source{Title: "Uzbekistan sees no need", Publisher: "TASS", Published: bloc.MustDate("2021-10-22")},
					Quote:  `He said, "no".`, RecordedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), RecordedBy: "registrar", Note: " kept as written "}},
				{Line: 3, Record: bloc.Record{Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2026-01-01T12:00:00Z")}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ReadCSV:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	const header = "bloc,party,event,date,precision,source,source_title,id,attests,supersedes,retracts,recorded_at,new_name,scope\n"
	const good = "csto,ARM,signed,1992-05-15,day,,,,,,,,,\n"
	tests := []struct {
		name    string
		in      string
		message string
		details []string
	}{
		{
			name:    "empty file",
			in:      "",
			message: "CSV input: the header is wrong; nothing was imported",
			details: []string{"line 1: the file is empty; it needs a header naming at least the columns bloc,party,event,date"},
		},
		{
			name:    "unknown, duplicate and missing columns, all named",
			in:      "bloc,party,colour,event,Bloc\ncsto,ARM,red,signed,csto\n",
			message: "CSV input: the header is wrong; nothing was imported",
			details: []string{
				`line 1: unknown column "colour" (known columns: id,bloc,party,party_name,event,date,precision,new_name,note,source,attests,scope,source_title,publisher,published,quote,recorded_at,recorded_by,supersedes,retracts)`,
				`line 1: duplicate column "bloc" (columns 1 and 5)`,
				`line 1: missing column "date" (required: bloc,party,event,date)`,
			},
		},
		{
			name:    "a column without a name",
			in:      "bloc,party,event,date,\n",
			message: "CSV input: the header is wrong; nothing was imported",
			details: []string{"line 1: column 5 has no name"},
		},
		{
			name:    "UTF-16 little-endian byte order mark",
			in:      "\xFF\xFEb\x00l\x00o\x00c\x00",
			message: "CSV input: the header is wrong; nothing was imported",
			details: []string{"line 1: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"},
		},
		{
			name:    "UTF-16 big-endian byte order mark",
			in:      "\xFE\xFF\x00b\x00l",
			message: "CSV input: the header is wrong; nothing was imported",
			details: []string{"line 1: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"},
		},
		{
			name:    "not UTF-8 (Latin-1), named by line",
			in:      header + good + "csto,ARM,statement,1999-04-02,day,,Moscou \xE0 l'\xE9t\xE9,,,,,,,\n",
			message: "CSV input: 1 problem; nothing was imported",
			details: []string{"line 3: column 7 is not valid UTF-8; save the file as UTF-8"},
		},
		{
			name:    "UTF-16 without a byte order mark",
			in:      "bloc,party,event,date\nc\x00s\x00t\x00o\x00,ARM,signed,1992\n",
			message: "CSV input: 1 problem; nothing was imported",
			details: []string{"line 2: column 1 contains a NUL byte; is the file UTF-16 without a byte order mark? Save it as UTF-8"},
		},
		{
			name: "every bad row is reported, each with all its problems",
			in: header +
				good +
				"csto,UZB,acceded,1999-02-30,day,,,,,,,,,\n" +
				"csto,UZB,joined,2006-08-16,day,,,,,,,,,\n" +
				good +
				"CSTO,uzb,withdrew,2012-12,,,,,,,,,,\n" +
				"csto,UZB,withdrew,2012-12,day,,,,,,,,,\n" +
				"csto,UZB,withdrew,2012-12,weekly,,,,,,,,,\n" +
				"csto,,acceded,2006,,,,,,,,,,\n" +
				"csto,UZB,renamed,2006,,,,,,,,,,\n" +
				"csto,UZB,acceded,2006,,,,,,,,,GUUAM,a\n" +
				"csto,UZB,acceded,,,,,,,,,,,\n" +
				"csto,UZB,acceded,2006,,,,,,,yes,,,\n" +
				"csto,UZB,acceded,2006,,,,,,,,2006-08-16 10:00,,\n" +
				"csto,UZB,acceded,2006,,,,,,,true,,,\n" +
				"csto,UZB,acceded,2006,,https://x.example ; a book,a title,,,,,,,\n" +
				"csto,UZB,acceded,2006,,,,,,,,,\n",
			message: "CSV input: 14 problems; nothing was imported",
			details: []string{
				`line 3: date "1999-02-30": no such day (use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp)`,
				`line 4: event "joined": unknown kind (one of signed, acceded, suspended, resumed, withdrew, lapsed, expelled, observer_from, observer_until, partner_from, partner_until, statement, renamed, dissolved)`,
				`line 6: bloc "CSTO": a bloc is named by its slug: lowercase letters, digits, '-' or '_' (e.g. csto); party "uzb": not an ISO 3166-1 alpha-3 code (three capital letters, e.g. UZB)`,
				`line 7: date "2012-12" is written to month precision but precision says "day"`,
				`line 8: precision "weekly": one of day, month, year, instant`,
				`line 9: party is empty: every acceded event names a party`,
				`line 10: party "UZB": a renamed event is about the bloc itself and names no party; new_name is empty: a renamed event needs the new name`,
				`line 11: new_name "GUUAM": only a renamed event has one; scope "a": only a partner_from event has one`,
				`line 12: date is empty (write YYYY, YYYY-MM or YYYY-MM-DD)`,
				`line 13: retracts "yes": write true or false`,
				`line 14: recorded_at "2006-08-16 10:00": not an RFC 3339 timestamp (e.g. 2024-05-01T12:00:00Z)`,
				`line 15: retracts is set but supersedes names no row: say which record is retracted`,
				`line 16: source "a book" is not a URL, and source_title is also given; put URLs in source`,
				`line 17: 13 fields, but the header has 14 columns`,
			},
		},
		{
			name: "references: unknown, later, duplicate, another fact, several sources, itself",
			in: header +
				"csto,AZE,lapsed,1999-04-20,day,https://a.example ; https://b.example,,a,,,,,,\n" +
				"csto,GEO,lapsed,1999-04-20,day,,,b,,,,,,\n" +
				"csto,AZE,lapsed,1999-04-02,day,,,c,z,,,,,\n" +
				"csto,AZE,lapsed,1999-04-02,day,,,a,a,,,,,\n" +
				"csto,GEO,lapsed,1999-04-02,day,,,,a,,,,,\n" +
				"csto,AZE,lapsed,1999-04-21,day,,,,,a,,,,\n" +
				"csto,GEO,lapsed,1999-04-21,day,,,d,,d,,,,\n" +
				"csto,GEO,lapsed,1999-04-21,day,,,,,later,,,,\n" +
				"csto,GEO,lapsed,1999-04-21,day,,,later,,,,,,\n",
			message: "CSV input: 6 problems; nothing was imported",
			details: []string{
				`line 4: attests "z": no earlier row has that id`,
				`line 5: id "a" is already the id of line 2`,
				`line 6: attests "a" (line 2): that row states another fact (csto AZE lapsed), not csto GEO lapsed`,
				`line 7: supersedes "a" (line 2): that row has 2 sources, so it is 2 records; a correction supersedes one record (write one source per row)`,
				`line 8: supersedes "d": a row cannot supersede itself`,
				`line 9: supersedes "later": no earlier row has that id`,
			},
		},
		{
			name: "a row naming a bad row is not blamed for it",
			in: header +
				"csto,AZE,lapsed,1999-13-20,day,,,a,,,,,,\n" +
				"csto,AZE,lapsed,1999-04-02,day,,,,a,,,,,\n" +
				"csto,AZE,lapsed,1999-04-03,day,,,,,a,,,,\n",
			message: "CSV input: 1 problem; nothing was imported",
			details: []string{`line 2: date "1999-13-20": month out of range (use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp)`},
		},
		{
			name:    "broken quoting stops reading at that row",
			in:      header + good + "csto,ARM,statement,1999,,,\"a \"quoted\" title,,,,,,,\n" + good,
			message: "CSV input: 1 problem; nothing was imported",
			details: []string{`line 3: extraneous or missing " in quoted-field (line 3); reading stopped here`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadCSV(strings.NewReader(tt.in))
			if rows != nil {
				t.Errorf("rows returned with an error: %d", len(rows))
			}
			var e *bloc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want a *bloc.Error", err, err)
			}
			if e.Code != bloc.EINVALID || e.Message != tt.message {
				t.Errorf("error %s %q, want invalid %q", e.Code, e.Message, tt.message)
			}
			if !reflect.DeepEqual(e.Details, tt.details) {
				t.Errorf("details:\n got %q\nwant %q", e.Details, tt.details)
			}
		})
	}
}

func TestReadCSVCapsTheListOfProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("bloc,party,event,date\n")
	for i := 0; i < 1500; i++ {
		b.WriteString("csto,ARM,joined,1992\n")
	}
	_, err := ReadCSV(strings.NewReader(b.String()))
	var e *bloc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v", err)
	}
	if e.Message != "CSV input: 1500 problems; nothing was imported" || len(e.Details) != maxDetails+1 ||
		e.Details[maxDetails] != "… and 500 more" || !strings.HasPrefix(e.Details[maxDetails-1], "line 1001: ") {
		t.Errorf("message %q, %d details, last %q", e.Message, len(e.Details), e.Details[len(e.Details)-1])
	}
}

// exportedRecords is a stored record (ids 1..n) using every column.
func exportedRecords() []bloc.Record {
	at := time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)
	return []bloc.Record{
		{ID: 1, EventID: 1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"),
			Source: bloc.Source{URL: "https://adilet.example/Z99;v=2"}, Note: "Did not sign, \"prolongation\".\nSecond line.", RecordedAt: at},
		{ID: 2, EventID: 1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-02"),
			Source: bloc.Source{Title: "Uzbekistan sees no need to rejoin", Publisher: "TASS", Published: bloc.MustDate("2021-10-22")},
			Quote:  "On April 2, 1999, Azerbaijan, Georgia and Uzbekistan did not sign a protocol…", RecordedAt: at, RecordedBy: "builtin"},
		{ID: 3, EventID: 3, Bloc: "guam", Kind: bloc.KindRenamed, Date: bloc.MustDate("2006-05-23"), NewName: "Organization for Democracy and Economic Development – GUAM", RecordedAt: at},
		{ID: 4, EventID: 4, Bloc: "nato", Party: "SWE", Kind: bloc.KindPartnerFrom, Date: bloc.MustDate("1994"), Scope: []string{"cyber", "crisis management"}, RecordedAt: at},
		{ID: 5, EventID: 5, Bloc: "nato", Party: "SWE", Kind: bloc.KindPartnerFrom, Date: bloc.MustDate("1994-05"), Supersedes: 4, Note: " correction ", RecordedAt: at.Add(time.Hour)},
		{ID: 6, EventID: 6, Bloc: "nato", Party: "SWE", Kind: bloc.KindPartnerFrom, Date: bloc.MustDate("1994-05"), Supersedes: 5, Retracts: true, RecordedAt: at.Add(2 * time.Hour)},
		{ID: 7, EventID: 7, Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2026-07-01T12:00:00.5Z"), RecordedAt: at},
		{ID: 8, EventID: 8, Bloc: "wp", Kind: bloc.KindStatement, Date: bloc.MustDate("1955-06-05"), Note: "=SUM(A1) ,leading comma"},
	}
}

// storeAgain does what an import into an empty store does to rows.
func storeAgain(t *testing.T, rows []Row) ([]bloc.Record, map[string]string) {
	t.Helper()
	recs, err := Resolve(Records(rows), 1)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	names := map[string]string{}
	for _, r := range rows {
		if r.PartyName != "" {
			names[r.Record.Party] = r.PartyName
		}
	}
	return recs, names
}

func TestCSVRoundTripIsByteIdentical(t *testing.T) {
	names := map[string]string{"AZE": "Azerbaijan", "SWE": "Sweden", "ARM": "Armenia"}
	var first bytes.Buffer
	if err := WriteCSV(&first, exportedRecords(), names); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	rows, err := ReadCSV(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("ReadCSV of an export: %v", err)
	}
	recs, names2 := storeAgain(t, rows)
	if !reflect.DeepEqual(recs, exportedRecords()) {
		t.Errorf("records after the round trip:\n got %+v\nwant %+v", recs, exportedRecords())
	}
	var second bytes.Buffer
	if err := WriteCSV(&second, recs, names2); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	if first.String() != second.String() {
		t.Errorf("export → import → export differs:\n%s\n----\n%s", first.String(), second.String())
	}
	wantHead := "id,bloc,party,party_name,event,date,precision,new_name,note,source,attests,scope,source_title,publisher,published,quote,recorded_at,recorded_by,supersedes,retracts\n" +
		"1,csto,AZE,Azerbaijan,lapsed,1999-04-20,day,,\"Did not sign, \"\"prolongation\"\".\nSecond line.\",https://adilet.example/Z99;v=2,,,,,,,2025-03-01T09:30:00.123456789Z,,,\n" +
		"2,csto,AZE,Azerbaijan,lapsed,1999-04-02,day,,,,1,,Uzbekistan sees no need to rejoin,TASS,2021-10-22,\"On April 2, 1999, Azerbaijan, Georgia and Uzbekistan did not sign a protocol…\",2025-03-01T09:30:00.123456789Z,builtin,,\n"
	if !strings.HasPrefix(first.String(), wantHead) {
		t.Errorf("export begins\n%s\nwant\n%s", first.String()[:len(wantHead)], wantHead)
	}
}

func TestCSVRoundTripOfTheSharedData(t *testing.T) {
	data, err := os.ReadFile(sharedData)
	if err != nil {
		t.Skipf("the shared data is not here (%v); nothing to check", err)
	}
	rows, err := ReadCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	recs, names := storeAgain(t, rows)
	var first, second bytes.Buffer
	if err := WriteCSV(&first, recs, names); err != nil {
		t.Fatal(err)
	}
	rows2, err := ReadCSV(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	recs2, names2 := storeAgain(t, rows2)
	if err := WriteCSV(&second, recs2, names2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("export → import → export of the shared data differs")
	}
	if !reflect.DeepEqual(recs, recs2) {
		t.Error("records differ after the round trip")
	}
}

func TestWriteCSVRefusesWhatWouldNotReadBack(t *testing.T) {
	base := bloc.Record{ID: 2, EventID: 2, Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")}
	tests := []struct {
		name string
		edit func(r *bloc.Record)
		want string
	}{
		{"no id", func(r *bloc.Record) { r.ID, r.EventID = 0, 0 }, "cannot export record 0 (position 1): it has no id; only stored records can be exported"},
		{"event not exported before", func(r *bloc.Record) { r.EventID = 1 }, "cannot export record 2 (position 1): it attests event 1, whose first record is not exported before it"},
		{"superseded not exported before", func(r *bloc.Record) { r.Supersedes = 9 }, "cannot export record 2 (position 1): it supersedes record 9, which is not exported before it"},
		{"scope label with the separator", func(r *bloc.Record) { r.Kind, r.Scope = bloc.KindPartnerFrom, []string{"a;b"} }, `cannot export record 2 (position 1): scope label "a;b" cannot be written (labels are separated by ';')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			err := WriteCSV(&bytes.Buffer{}, []bloc.Record{r}, nil)
			if err == nil || err.Error() != tt.want || bloc.ErrorCode(err) != bloc.EINVALID {
				t.Errorf("WriteCSV error %v, want %q", err, tt.want)
			}
		})
	}
}

func BenchmarkReadCSV(b *testing.B) {
	var buf bytes.Buffer
	recs := make([]bloc.Record, 10000)
	for i := range recs {
		id := int64(i + 1)
		recs[i] = bloc.Record{ID: id, EventID: id, Bloc: "b" + string(rune('a'+i%20)), Party: "ARM", Kind: bloc.KindAcceded,
			Date: bloc.MustDate("2006-08-16"), Source: bloc.Source{URL: "https://example.org/a/" + time.Duration(i).String()},
			Note: "Protocol on restoration of membership signed at the summit.", RecordedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	if err := WriteCSV(&buf, recs, map[string]string{"ARM": "Armenia"}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for b.Loop() {
		rows, err := ReadCSV(bytes.NewReader(buf.Bytes()))
		if err != nil || len(rows) != len(recs) {
			b.Fatal(err, len(rows))
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
