package recordfile

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/blocsec/bloc"
)

var testBlocs = []bloc.Bloc{
	{Slug: "csto", Name: "Collective Security Treaty", Founded: bloc.MustDate("1992-05-15"), Place: "Tashkent", Instrument: "Collective Security Treaty"},
	{Slug: "guam", Name: "GUAM", Founded: bloc.MustDate("1997-10-10")},
}

var testParties = []bloc.Party{
	{Code: "AZE", Name: "Azerbaijan"},
	{Code: "RUS", Name: "Russian Federation", Aliases: []string{"Russia"}},
}

func TestJSONRoundTripIsByteIdentical(t *testing.T) {
	var first bytes.Buffer
	if err := WriteJSON(&first, testBlocs, testParties, exportedRecords()); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	f, err := ReadJSON(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("ReadJSON of an export: %v", err)
	}
	if !reflect.DeepEqual(f.Blocs, testBlocs) || !reflect.DeepEqual(f.Parties, testParties) {
		t.Errorf("blocs %+v parties %+v", f.Blocs, f.Parties)
	}
	// One element per line: records start on lines 11, 12, …
	for i, r := range f.Rows {
		if r.Line != 11+i {
			t.Errorf("record %d read from line %d, want %d", i+1, r.Line, 11+i)
		}
	}
	if f.Rows[1].Record.EventID != -1 || f.Rows[0].Record.EventID != 0 || f.Rows[4].Record.Supersedes != -4 || f.Rows[0].Record.ID != 0 {
		t.Errorf("references not made batch-relative: %+v %+v %+v", f.Rows[0].Record, f.Rows[1].Record, f.Rows[4].Record)
	}
	recs, _ := storeAgain(t, f.Rows)
	if !reflect.DeepEqual(recs, exportedRecords()) {
		t.Errorf("records after the round trip:\n got %+v\nwant %+v", recs, exportedRecords())
	}
	var second bytes.Buffer
	if err := WriteJSON(&second, f.Blocs, f.Parties, recs); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("export → import → export differs:\n%s\n----\n%s", first.String(), second.String())
	}
	wantHead := "{\n\"blocs\": [\n" +
		`{"bloc":"csto","name":"Collective Security Treaty","founded":"1992-05-15","place":"Tashkent","instrument":"Collective Security Treaty"},` + "\n" +
		`{"bloc":"guam","name":"GUAM","founded":"1997-10-10"}` + "\n],\n\"parties\": [\n"
	if !strings.HasPrefix(first.String(), wantHead) {
		t.Errorf("export begins\n%s", first.String()[:200])
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := "{\n\"blocs\": [],\n\"parties\": [],\n\"records\": []\n}\n"; b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
	f, err := ReadJSON(&b)
	if err != nil || len(f.Blocs)+len(f.Parties)+len(f.Rows) != 0 {
		t.Errorf("ReadJSON of an empty export: %+v %v", f, err)
	}
}

func TestJSONRoundTripOfTheSharedData(t *testing.T) {
	data, err := os.ReadFile(sharedData)
	if err != nil {
		t.Skipf("the shared data is not here (%v); nothing to check", err)
	}
	rows, err := ReadCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := storeAgain(t, rows)
	var first, second bytes.Buffer
	if err := WriteJSON(&first, nil, nil, recs); err != nil {
		t.Fatal(err)
	}
	f, err := ReadJSON(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	recs2, _ := storeAgain(t, f.Rows)
	if err := WriteJSON(&second, nil, nil, recs2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) || !reflect.DeepEqual(recs, recs2) {
		t.Error("JSON round trip of the shared data differs")
	}
}

func TestReadJSONRows(t *testing.T) {
	in := `{"records": [
  {"bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999-04-20", "id": 10,
   "source": {"url": "https://a.example"}},
  {"bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999-04-02", "id": 11, "event": 10},
  {"bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999", "event": 11},
  {"bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999-04", "supersedes": 11, "event": 12, "id": 12}
]}`
	f, err := ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Line: 2, Record: bloc.Record{Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-20"), Source: bloc.Source{URL: "https://a.example"}}},
		{Line: 4, Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04-02")}},
		{Line: 5, Record: bloc.Record{EventID: -1, Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999")}},
		{Line: 6, Record: bloc.Record{Bloc: "csto", Party: "AZE", Kind: bloc.KindLapsed, Date: bloc.MustDate("1999-04"), Supersedes: -2}},
	}
	if !reflect.DeepEqual(f.Rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", f.Rows, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	malformed := "JSON input is malformed; nothing was imported"
	tests := []struct {
		name    string
		in      string
		message string
		details []string
	}{
		{"not an object", `[1,2]`, malformed, []string{`line 1: the file must be one object: {"blocs":[…],"parties":[…],"records":[…]}`}},
		{"empty", ``, malformed, []string{`line 1: the file ends too early`}},
		{"unknown key", "{\n\"blocs\": [],\n\"members\": []}", malformed, []string{`line 3: unknown key "members" (known: blocs, parties, records)`}},
		{"key twice", "{\"blocs\": [],\n\"blocs\": []}", malformed, []string{`line 2: key "blocs" appears twice`}},
		{"not an array", `{"records": {}}`, malformed, []string{`line 1: "records" must be an array`}},
		{"syntax error", "{\"records\": [\n{\"bloc\": \"csto\",}\n]}", malformed, []string{`line 2: invalid character '}' looking for beginning of object key string`}},
		{"ends early", "{\"records\": [\n{\"bloc\": \"csto\"}", malformed, []string{`line 2: the file ends too early`}},
		{"trailing data", "{}\n{}", malformed, []string{`line 2: unexpected data after the object`}},
		{"UTF-16", "\xFF\xFE{\x00}\x00", malformed, []string{`line 1: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8`}},
		{"not UTF-8", "{\"records\": [\n{\"note\": \"\xE9t\xE9\"}]}", malformed, []string{`line 2: not valid UTF-8; save the file as UTF-8`}},
		{
			name: "every bad element, by line",
			in: "\xEF\xBB\xBF{\"blocs\": [\n" +
				`{"bloc": "csto", "name": "CST", "founded": "1992-05-15"},` + "\n" +
				`{"bloc": "csto", "name": "", "founded": ""},` + "\n" +
				`{"bloc": "CSTO", "name": "X", "founded": "1992", "colour": "red"}` + "\n" +
				"],\n\"parties\": [\n" +
				`{"party": "RUS", "name": "Russia"}, {"party": "ru", "name": "Russia"},` + "\n" +
				`{"party": "RUS", "name": "Russia"}` + "\n" +
				"],\n\"records\": [\n" +
				`{"id": 1, "bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999-02-30"},` + "\n" +
				`{"id": 2, "bloc": "csto", "party": "AZE", "kind": "lapsed", "date": "1999-04-20", "source": {"url": "adilet"}},` + "\n" +
				`{"id": 2, "bloc": "csto", "party": "GEO", "kind": "lapsed", "date": "1999-04-20", "event": 7},` + "\n" +
				`{"id": 3, "bloc": "csto", "party": "GEO", "kind": "lapsed", "date": "1999-04-02", "event": 1},` + "\n" +
				`{"id": 4, "bloc": "csto", "party": "GEO", "kind": "lapsed", "date": "1999-04-02", "supersedes": 4},` + "\n" +
				`{"id": 5, "bloc": "csto", "party": "GEO", "kind": "lapsed", "date": "1999-04-02", "id": "five"},` + "\n" +
				`{"id": 6, "bloc": "csto", "party": "GEO", "kind": "lapsed"}` + "\n" +
				"]}\n",
			message: "JSON input: 10 problems; nothing was imported",
			details: []string{
				`line 3: name is empty; founded is empty (the date of the founding instrument); bloc "csto" is already given on line 2`,
				`line 4: bloc: unknown field "colour"`,
				`line 7: party "ru": not an ISO 3166-1 alpha-3 code (three capital letters, e.g. UZB)`,
				`line 8: party "RUS" is already given on line 7`,
				`line 11: record: date "1999-02-30": no such day (use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp)`,
				`line 12: source url "adilet" is not an absolute URL`,
				`line 13: id 2 is already the id of the record on line 12; event 7: no earlier record has that id (a record starting an event has event 0 or its own id)`,
				`line 15: supersedes 4: a record cannot supersede itself`,
				`line 16: record: cannot unmarshal string into Go struct field Record.id of type int64`,
				`line 17: date is empty (write YYYY, YYYY-MM or YYYY-MM-DD)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadJSON(strings.NewReader(tt.in))
			if f.Rows != nil || f.Blocs != nil || f.Parties != nil {
				t.Errorf("something returned with an error: %+v", f)
			}
			var e *bloc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want a *bloc.Error", err, err)
			}
			if e.Code != bloc.EINVALID || e.Message != tt.message || !reflect.DeepEqual(e.Details, tt.details) {
				t.Errorf("error %s %q\n got %q\nwant %q", e.Code, e.Message, e.Details, tt.details)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head string
		want string
	}{
		{"record.csv", `{"looks": "like json"}`, "csv"},
		{"EXPORT.JSON", "bloc,party", "json"},
		{"-", "\xEF\xBB\xBF  \n{\"blocs\": []}", "json"},
		{"upload", "[]", "json"},
		{"upload", "bloc,party,event,date\n", "csv"},
		{"upload", "", "csv"},
	}
	for _, tt := range tests {
		if got := Detect(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q, %q) = %q, want %q", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	in := []bloc.Record{{}, {EventID: -1}, {EventID: -2, Supersedes: -2}, {EventID: 7, Supersedes: 3}}
	got, err := Resolve(in, 101)
	if err != nil {
		t.Fatal(err)
	}
	want := []bloc.Record{{ID: 101, EventID: 101}, {ID: 102, EventID: 101}, {ID: 103, EventID: 102, Supersedes: 102}, {ID: 104, EventID: 7, Supersedes: 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v want %+v", got, want)
	}
	for _, bad := range [][]bloc.Record{{{EventID: -2}, {}}, {{}, {Supersedes: -2}}} {
		if _, err := Resolve(bad, 1); bloc.ErrorCode(err) != bloc.EINVALID {
			t.Errorf("Resolve(%+v) error %v, want invalid", bad, err)
		}
	}
}
