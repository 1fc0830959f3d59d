package recordfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blocsec/bloc"
)

// The CSV columns. A file needs the required four and may have any of the
// others, in any order; WriteCSV writes all of them in this order (the
// columns of the shared membership data first, behind the row's id).
const (
	colID = iota
	colBloc
	colParty
	colPartyName
	colEvent
	colDate
	colPrecision
	colNewName
	colNote
	colSource
	colAttests
	colScope
	colSourceTitle
	colPublisher
	colPublished
	colQuote
	colRecordedAt
	colRecordedBy
	colSupersedes
	colRetracts
	numColumns
)

// Columns is the header WriteCSV writes: every column ReadCSV knows.
var Columns = []string{
	colID:          "id",
	colBloc:        "bloc",
	colParty:       "party",
	colPartyName:   "party_name",
	colEvent:       "event",
	colDate:        "date",
	colPrecision:   "precision",
	colNewName:     "new_name",
	colNote:        "note",
	colSource:      "source",
	colAttests:     "attests",
	colScope:       "scope",
	colSourceTitle: "source_title",
	colPublisher:   "publisher",
	colPublished:   "published",
	colQuote:       "quote",
	colRecordedAt:  "recorded_at",
	colRecordedBy:  "recorded_by",
	colSupersedes:  "supersedes",
	colRetracts:    "retracts",
}

// RequiredColumns must be in every CSV header.
var RequiredColumns = []string{"bloc", "party", "event", "date"}

// sourceSeparator separates several sources in one source cell. It has
// spaces around the ';' because a URL may contain a bare ';' but no space.
const sourceSeparator = " ; "

// ReadCSV reads the CSV form of the record. It checks the whole input and
// either returns every row or one *bloc.Error (EINVALID) listing every bad
// row by line; never some of the rows.
//
// A source cell may hold several sources separated by " ; ": each is an
// attestation of the same event, so the row becomes one Row per source,
// the first starting the event (EventID 0) and the others attesting it
// (EventID -k, k the 1-based index of the first). A source that is not a URL
// is a citation in words and becomes that record's source title. The id,
// attests and supersedes columns name rows by a file-local id; attests and
// supersedes must name an earlier row and become batch-relative references.
func ReadCSV(r io.Reader) ([]Row, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(3)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("reading CSV: %w", err)
	}
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return nil, headerError("line 1: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8")
	}
	if bytes.HasPrefix(head, utf8BOM) {
		br.Discard(len(utf8BOM)) // a UTF-8 byte order mark says nothing we need
	}

	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, headerError("line 1: the file is empty; it needs a header naming at least the columns " + strings.Join(RequiredColumns, ","))
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, headerError(fmt.Sprintf("line %d: header: %v", pe.Line, pe.Err))
		}
		return nil, fmt.Errorf("reading CSV: %w", err)
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	width := len(header)

	d := csvDecoder{cols: cols, ids: map[string]*fileRow{}, p: problems{what: "CSV"}}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("reading CSV: %w", err)
			}
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				d.p.add(pe.StartLine, fmt.Sprintf("%d fields, but the header has %d columns", len(fields), width))
				continue
			}
			// Broken quoting leaves no reliable place to resume from.
			d.p.add(pe.StartLine, fmt.Sprintf("%v (line %d); reading stopped here", pe.Err, pe.Line))
			break
		}
		line, _ := cr.FieldPos(0)
		d.row(line, fields)
	}
	if err := d.p.err(); err != nil {
		return nil, err
	}
	return d.rows(), nil
}

func headerError(detail string) error {
	e := bloc.Errorf(bloc.EINVALID, "CSV input: the header is wrong; nothing was imported")
	e.Details = []string{detail}
	return e
}

// parseHeader maps each known column to its position (-1 when absent).
func parseHeader(header []string) ([numColumns]int, error) {
	var cols [numColumns]int
	for i := range cols {
		cols[i] = -1
	}
	byName := make(map[string]int, numColumns)
	for i, name := range Columns {
		byName[name] = i
	}
	var bad []string
	for pos, raw := range header {
		name := strings.ToLower(strings.TrimSpace(raw))
		if !utf8.ValidString(raw) {
			bad = append(bad, fmt.Sprintf("line 1: column %d is not valid UTF-8; save the file as UTF-8", pos+1))
			continue
		}
		c, ok := byName[name]
		switch {
		case name == "":
			bad = append(bad, fmt.Sprintf("line 1: column %d has no name", pos+1))
		case !ok:
			bad = append(bad, fmt.Sprintf("line 1: unknown column %q (known columns: %s)", raw, strings.Join(Columns, ",")))
		case cols[c] >= 0:
			bad = append(bad, fmt.Sprintf("line 1: duplicate column %q (columns %d and %d)", name, cols[c]+1, pos+1))
		default:
			cols[c] = pos
		}
	}
	for _, name := range RequiredColumns {
		if cols[byName[name]] < 0 {
			bad = append(bad, fmt.Sprintf("line 1: missing column %q (required: %s)", name, strings.Join(RequiredColumns, ",")))
		}
	}
	if len(bad) > 0 {
		e := bloc.Errorf(bloc.EINVALID, "CSV input: the header is wrong; nothing was imported")
		e.Details = bad
		return cols, e
	}
	return cols, nil
}

// fileRow is what later rows may need to know about an earlier one.
type fileRow struct {
	line  int
	bad   bool
	first int // 1-based index in the output of the row's first record
	n     int // how many records the row became
	event int // 1-based index of the first record of the row's event
	bloc  string
	party string
	kind  bloc.Kind
}

type csvDecoder struct {
	cols [numColumns]int
	ids  map[string]*fileRow
	p    problems

	// The rows read so far, in fixed-size chunks: appending to one slice
	// would copy a large file's rows many times over as it grows.
	full  [][]Row
	cur   []Row
	count int
}

const chunkRows = 4096

func (d *csvDecoder) emit(r Row) {
	if len(d.cur) == cap(d.cur) {
		if d.cur != nil {
			d.full = append(d.full, d.cur)
		}
		d.cur = make([]Row, 0, chunkRows)
	}
	d.cur = append(d.cur, r)
	d.count++
}

func (d *csvDecoder) rows() []Row {
	if d.count == 0 {
		return nil
	}
	out := make([]Row, 0, d.count)
	for _, c := range d.full {
		out = append(out, c...)
	}
	return append(out, d.cur...)
}

func (d *csvDecoder) get(fields []string, c int) string {
	if d.cols[c] < 0 {
		return ""
	}
	return fields[d.cols[c]]
}

// row checks one CSV row and, if it is good, appends its records.
func (d *csvDecoder) row(line int, fields []string) {
	for i, f := range fields {
		if !utf8.ValidString(f) {
			d.p.add(line, fmt.Sprintf("column %d is not valid UTF-8; save the file as UTF-8", i+1))
			return
		}
		if strings.IndexByte(f, 0) >= 0 {
			d.p.add(line, fmt.Sprintf("column %d contains a NUL byte; is the file UTF-16 without a byte order mark? Save it as UTF-8", i+1))
			return
		}
	}
	get := func(c int) string { return d.get(fields, c) }
	trimmed := func(c int) string { return strings.TrimSpace(get(c)) }

	var bad []string
	r := bloc.Record{
		Bloc:       trimmed(colBloc),
		Party:      trimmed(colParty),
		Kind:       bloc.Kind(trimmed(colEvent)),
		NewName:    get(colNewName),
		Note:       get(colNote),
		Quote:      get(colQuote),
		RecordedBy: get(colRecordedBy),
		Source:     bloc.Source{Title: get(colSourceTitle), Publisher: get(colPublisher)},
	}

	date, prec := trimmed(colDate), trimmed(colPrecision)
	switch {
	case date == "":
		bad = append(bad, "date is empty (write YYYY, YYYY-MM or YYYY-MM-DD)")
	case prec != "" && !bloc.Precision(prec).Valid():
		bad = append(bad, fmt.Sprintf("precision %q: one of day, month, year, instant", prec))
	default:
		dt, err := bloc.ParseDateAs(date, bloc.Precision(prec))
		if err != nil {
			bad = append(bad, bloc.ErrorMessage(err))
		}
		r.Date = dt
	}
	if s := trimmed(colPublished); s != "" {
		dt, err := bloc.ParseDate(s)
		if err != nil {
			bad = append(bad, "published: "+bloc.ErrorMessage(err))
		}
		r.Source.Published = dt
	}
	if s := trimmed(colRecordedAt); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad = append(bad, fmt.Sprintf("recorded_at %q: not an RFC 3339 timestamp (e.g. 2024-05-01T12:00:00Z)", s))
		}
		r.RecordedAt = t.UTC()
	}
	if s := trimmed(colRetracts); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			bad = append(bad, fmt.Sprintf("retracts %q: write true or false", s))
		}
		r.Retracts = v
	}
	for _, label := range strings.Split(get(colScope), ";") {
		if label = strings.TrimSpace(label); label != "" {
			r.Scope = append(r.Scope, label)
		}
	}

	// References to earlier rows.
	id, attests, supersedes := trimmed(colID), trimmed(colAttests), trimmed(colSupersedes)
	if id != "" {
		if prev, ok := d.ids[id]; ok {
			bad = append(bad, fmt.Sprintf("id %q is already the id of line %d", id, prev.line))
			id = "" // keep the first row's claim
		}
	}
	var event *fileRow
	if attests != "" && attests != id {
		event = d.ids[attests]
		switch {
		case event == nil:
			bad = append(bad, fmt.Sprintf("attests %q: no earlier row has that id", attests))
		case !event.bad && (event.bloc != r.Bloc || event.party != r.Party || event.kind != r.Kind):
			bad = append(bad, fmt.Sprintf("attests %q (line %d): that row states another fact (%s), not %s",
				attests, event.line, factString(event.bloc, event.party, event.kind), factString(r.Bloc, r.Party, r.Kind)))
		}
	}
	var superseded *fileRow
	if supersedes != "" {
		superseded = d.ids[supersedes]
		switch {
		case supersedes == id:
			bad = append(bad, fmt.Sprintf("supersedes %q: a row cannot supersede itself", supersedes))
		case superseded == nil:
			bad = append(bad, fmt.Sprintf("supersedes %q: no earlier row has that id", supersedes))
		case !superseded.bad && superseded.n != 1:
			bad = append(bad, fmt.Sprintf("supersedes %q (line %d): that row has %d sources, so it is %d records; a correction supersedes one record (write one source per row)",
				supersedes, superseded.line, superseded.n, superseded.n))
		}
		r.Supersedes = -1 // a placeholder, so checkRecord sees that one is named; set below
	}

	// Each source is one attestation.
	sources := []bloc.Source{r.Source}
	if cell := strings.TrimSpace(get(colSource)); cell != "" {
		sources = sources[:0]
		for _, piece := range strings.Split(cell, sourceSeparator) {
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			s := r.Source
			if isURL(piece) {
				s.URL = piece
			} else if r.Source.Title != "" {
				bad = append(bad, fmt.Sprintf("source %q is not a URL, and source_title is also given; put URLs in source", piece))
			} else {
				s.Title = piece
			}
			sources = append(sources, s)
		}
		if len(sources) == 0 {
			sources = append(sources, r.Source)
		}
	}

	bad = append(bad, checkRecord(&r)...)
	here := &fileRow{line: line, first: d.count + 1, n: len(sources), bloc: r.Bloc, party: r.Party, kind: r.Kind}
	if id != "" {
		d.ids[id] = here
	}
	if len(bad) > 0 || (event != nil && event.bad) || (superseded != nil && superseded.bad) {
		here.bad = true
		if len(bad) > 0 {
			d.p.add(line, strings.Join(bad, "; "))
		}
		return // a row naming a bad row is not blamed twice: the bad row is reported
	}

	here.event = here.first
	if event != nil {
		here.event = event.event
	}
	if superseded != nil {
		r.Supersedes = -int64(superseded.first)
	}
	partyName := trimmed(colPartyName)
	for i, s := range sources {
		rec := r
		rec.Source = s
		switch {
		case event != nil:
			rec.EventID = -int64(here.event)
		case i == 0:
			rec.EventID = 0 // starts its event
		default:
			rec.EventID = -int64(here.first)
		}
		d.emit(Row{Line: line, Record: rec, PartyName: partyName})
	}
}

func factString(blocSlug, party string, kind bloc.Kind) string {
	if party == "" {
		return fmt.Sprintf("%s %s", blocSlug, kind)
	}
	return fmt.Sprintf("%s %s %s", blocSlug, party, kind)
}

// WriteCSV writes stored records (ids assigned) in the CSV form with every
// column, one row per record, in the order given. A record's id is its row
// id; attests names its event's id when that is not its own; supersedes the
// id it corrects. Every id referred to must belong to a record written
// before it, so that the file reads back; partyNames fills party_name.
func WriteCSV(w io.Writer, recs []bloc.Record, partyNames map[string]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	written := make(map[int64]struct{}, len(recs))
	fields := make([]string, numColumns)
	for i, r := range recs {
		if err := exportable(i, r, written); err != nil {
			return err
		}
		written[r.ID] = struct{}{}

		for j := range fields {
			fields[j] = ""
		}
		fields[colID] = strconv.FormatInt(r.ID, 10)
		fields[colBloc] = r.Bloc
		fields[colParty] = r.Party
		fields[colPartyName] = partyNames[r.Party]
		fields[colEvent] = string(r.Kind)
		fields[colDate] = r.Date.String()
		if !r.Date.IsZero() {
			fields[colPrecision] = string(r.Date.Precision)
		}
		fields[colNewName] = r.NewName
		fields[colNote] = r.Note
		fields[colSource] = r.Source.URL
		if r.EventID != 0 && r.EventID != r.ID {
			fields[colAttests] = strconv.FormatInt(r.EventID, 10)
		}
		fields[colScope] = strings.Join(r.Scope, ";")
		fields[colSourceTitle] = r.Source.Title
		fields[colPublisher] = r.Source.Publisher
		fields[colPublished] = r.Source.Published.String()
		fields[colQuote] = r.Quote
		if !r.RecordedAt.IsZero() {
			fields[colRecordedAt] = bloc.FormatInstant(r.RecordedAt)
		}
		fields[colRecordedBy] = r.RecordedBy
		if r.Supersedes != 0 {
			fields[colSupersedes] = strconv.FormatInt(r.Supersedes, 10)
		}
		if r.Retracts {
			fields[colRetracts] = "true"
		}
		if err := cw.Write(fields); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// exportable refuses a record that would not read back as itself.
func exportable(i int, r bloc.Record, written map[int64]struct{}) error {
	bad := func(format string, args ...any) error {
		return bloc.Errorf(bloc.EINVALID, "cannot export record %d (position %d): %s", r.ID, i+1, fmt.Sprintf(format, args...))
	}
	if r.ID <= 0 {
		return bad("it has no id; only stored records can be exported")
	}
	if _, dup := written[r.ID]; dup {
		return bad("its id appears twice")
	}
	if r.EventID != 0 && r.EventID != r.ID {
		if _, ok := written[r.EventID]; !ok {
			return bad("it attests event %d, whose first record is not exported before it", r.EventID)
		}
	}
	if r.Supersedes != 0 {
		if _, ok := written[r.Supersedes]; !ok {
			return bad("it supersedes record %d, which is not exported before it", r.Supersedes)
		}
	}
	for _, s := range r.Scope {
		if s == "" || strings.Contains(s, ";") || strings.TrimSpace(s) != s {
			return bad("scope label %q cannot be written (labels are separated by ';')", s)
		}
	}
	return nil
}
