package recordfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/blocsec/bloc"
)

// File is the JSON form of the record: {"blocs":[…],"parties":[…],"records":[…]},
// each element in the domain types' JSON. Rows carry the records with
// batch-relative references, as ReadCSV's do (PartyName is empty: names
// belong to Parties).
type File struct {
	Blocs   []bloc.Bloc
	Parties []bloc.Party
	Rows    []Row
}

// ReadJSON reads the JSON form. A record's "id" is file-local; "event" names
// the id of the first record of its event (its own id, or 0, to start one)
// and "supersedes" an earlier record's id; both must name a record before
// it. Unknown fields are refused. Like ReadCSV it returns everything or one
// *bloc.Error listing every bad element by line.
func ReadJSON(r io.Reader) (File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return File{}, fmt.Errorf("reading JSON: %w", err)
	}
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return File{}, fatalJSON(1, "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8")
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return File{}, fatalJSON(lineAt(data, firstInvalidUTF8(data)), "not valid UTF-8; save the file as UTF-8")
	}

	j := jsonDecoder{data: data, dec: json.NewDecoder(bytes.NewReader(data)), ids: map[int64]*fileRow{}, p: problems{what: "JSON"}}
	if err := j.file(); err != nil {
		return File{}, err
	}
	if err := j.p.err(); err != nil {
		return File{}, err
	}
	return j.f, nil
}

func fatalJSON(line int, msg string) error {
	e := bloc.Errorf(bloc.EINVALID, "JSON input is malformed; nothing was imported")
	e.Details = []string{fmt.Sprintf("line %d: %s", line, msg)}
	return e
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

type jsonDecoder struct {
	data []byte
	dec  *json.Decoder
	f    File
	ids  map[int64]*fileRow
	p    problems

	blocSeen  map[string]int // slug → line
	partySeen map[string]int // code → line
}

// fatal turns a decoder error into the error that ends reading.
func (j *jsonDecoder) fatal(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fatalJSON(lineAt(j.data, int(se.Offset)), se.Error())
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fatalJSON(lineAt(j.data, len(j.data)), "the file ends too early")
	}
	return fatalJSON(lineAt(j.data, int(j.dec.InputOffset())), strings.TrimPrefix(err.Error(), "json: "))
}

func (j *jsonDecoder) file() error {
	if err := j.delim('{', `the file must be one object: {"blocs":[…],"parties":[…],"records":[…]}`); err != nil {
		return err
	}
	seen := map[string]bool{}
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return j.fatal(err)
		}
		key, _ := tok.(string)
		line := lineAt(j.data, int(j.dec.InputOffset()))
		var each func(line int, raw []byte)
		switch key {
		case "blocs":
			each = j.bloc
		case "parties":
			each = j.party
		case "records":
			each = j.record
		default:
			return fatalJSON(line, fmt.Sprintf("unknown key %q (known: blocs, parties, records)", key))
		}
		if seen[key] {
			return fatalJSON(line, fmt.Sprintf("key %q appears twice", key))
		}
		seen[key] = true
		if err := j.array(key, each); err != nil {
			return err
		}
	}
	if err := j.delim('}', "expected the end of the object"); err != nil {
		return err
	}
	if _, err := j.dec.Token(); err != io.EOF {
		return fatalJSON(lineAt(j.data, int(j.dec.InputOffset())), "unexpected data after the object")
	}
	return nil
}

func (j *jsonDecoder) delim(want json.Delim, msg string) error {
	tok, err := j.dec.Token()
	if err != nil {
		return j.fatal(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fatalJSON(lineAt(j.data, int(j.dec.InputOffset())), msg)
	}
	return nil
}

// array calls each with every element of the array that follows, and the
// line the element starts on.
func (j *jsonDecoder) array(key string, each func(line int, raw []byte)) error {
	if err := j.delim('[', fmt.Sprintf("%q must be an array", key)); err != nil {
		return err
	}
	for j.dec.More() {
		start := int(j.dec.InputOffset())
		for start < len(j.data) && strings.IndexByte(" \t\r\n,", j.data[start]) >= 0 {
			start++
		}
		var raw json.RawMessage
		if err := j.dec.Decode(&raw); err != nil {
			return j.fatal(err)
		}
		each(lineAt(j.data, start), raw)
	}
	return j.delim(']', fmt.Sprintf("%q: expected the end of the array", key))
}

// strict decodes one element, refusing fields the type does not have.
func strict(raw []byte, v any) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var e *bloc.Error
		if errors.As(err, &e) { // from a domain type's UnmarshalText
			return e.Error()
		}
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return ""
}

func (j *jsonDecoder) bloc(line int, raw []byte) {
	var b bloc.Bloc
	if msg := strict(raw, &b); msg != "" {
		j.p.add(line, "bloc: "+msg)
		return
	}
	var bad []string
	if !validSlug(b.Slug) {
		bad = append(bad, fmt.Sprintf("bloc %q: a slug of lowercase letters, digits, '-' or '_' (e.g. csto)", b.Slug))
	}
	if strings.TrimSpace(b.Name) == "" {
		bad = append(bad, "name is empty")
	}
	if b.Founded.IsZero() {
		bad = append(bad, "founded is empty (the date of the founding instrument)")
	}
	if j.blocSeen == nil {
		j.blocSeen = map[string]int{}
	}
	if prev, ok := j.blocSeen[b.Slug]; ok && b.Slug != "" {
		bad = append(bad, fmt.Sprintf("bloc %q is already given on line %d", b.Slug, prev))
	} else {
		j.blocSeen[b.Slug] = line
	}
	if len(bad) > 0 {
		j.p.add(line, strings.Join(bad, "; "))
		return
	}
	j.f.Blocs = append(j.f.Blocs, b)
}

func (j *jsonDecoder) party(line int, raw []byte) {
	var p bloc.Party
	if msg := strict(raw, &p); msg != "" {
		j.p.add(line, "party: "+msg)
		return
	}
	var bad []string
	if !validPartyCode(p.Code) {
		bad = append(bad, fmt.Sprintf("party %q: not an ISO 3166-1 alpha-3 code (three capital letters, e.g. UZB)", p.Code))
	}
	if strings.TrimSpace(p.Name) == "" {
		bad = append(bad, "name is empty")
	}
	if j.partySeen == nil {
		j.partySeen = map[string]int{}
	}
	if prev, ok := j.partySeen[p.Code]; ok && p.Code != "" {
		bad = append(bad, fmt.Sprintf("party %q is already given on line %d", p.Code, prev))
	} else {
		j.partySeen[p.Code] = line
	}
	if len(bad) > 0 {
		j.p.add(line, strings.Join(bad, "; "))
		return
	}
	j.f.Parties = append(j.f.Parties, p)
}

func (j *jsonDecoder) record(line int, raw []byte) {
	var r bloc.Record
	if msg := strict(raw, &r); msg != "" {
		j.p.add(line, "record: "+msg)
		if _, taken := j.ids[r.ID]; r.ID > 0 && !taken {
			// Records naming this one are not blamed for it.
			j.ids[r.ID] = &fileRow{line: line, bad: true}
		}
		return
	}
	bad := checkRecord(&r)
	if r.Date.IsZero() {
		bad = append(bad, "date is empty (write YYYY, YYYY-MM or YYYY-MM-DD)")
	}
	if r.Source.URL != "" && !isURL(r.Source.URL) {
		bad = append(bad, fmt.Sprintf("source url %q is not an absolute URL", r.Source.URL))
	}
	if r.ID < 0 || r.EventID < 0 || r.Supersedes < 0 {
		bad = append(bad, "id, event and supersedes are positive ids of records in this file")
	}

	id := r.ID
	if id > 0 {
		if prev, ok := j.ids[id]; ok {
			bad = append(bad, fmt.Sprintf("id %d is already the id of the record on line %d", id, prev.line))
			id = 0
		}
	}
	var event *fileRow
	if r.EventID > 0 && r.EventID != id {
		event = j.ids[r.EventID]
		switch {
		case event == nil:
			bad = append(bad, fmt.Sprintf("event %d: no earlier record has that id (a record starting an event has event 0 or its own id)", r.EventID))
		case !event.bad && (event.bloc != r.Bloc || event.party != r.Party || event.kind != r.Kind):
			bad = append(bad, fmt.Sprintf("event %d (line %d) is another fact (%s), not %s",
				r.EventID, event.line, factString(event.bloc, event.party, event.kind), factString(r.Bloc, r.Party, r.Kind)))
		}
	}
	var superseded *fileRow
	if r.Supersedes > 0 {
		superseded = j.ids[r.Supersedes]
		switch {
		case r.Supersedes == id:
			bad = append(bad, fmt.Sprintf("supersedes %d: a record cannot supersede itself", r.Supersedes))
		case superseded == nil:
			bad = append(bad, fmt.Sprintf("supersedes %d: no earlier record has that id", r.Supersedes))
		}
	}

	here := &fileRow{line: line, first: len(j.f.Rows) + 1, n: 1, bloc: r.Bloc, party: r.Party, kind: r.Kind}
	if id > 0 {
		j.ids[id] = here
	}
	if len(bad) > 0 || (event != nil && event.bad) || (superseded != nil && superseded.bad) {
		here.bad = true
		if len(bad) > 0 {
			j.p.add(line, strings.Join(bad, "; "))
		}
		return
	}
	here.event = here.first
	r.ID, r.EventID = 0, 0
	if event != nil {
		here.event = event.event
		r.EventID = -int64(event.event)
	}
	if superseded != nil {
		r.Supersedes = -int64(superseded.first)
	}
	if !r.RecordedAt.IsZero() {
		r.RecordedAt = r.RecordedAt.UTC()
	}
	j.f.Rows = append(j.f.Rows, Row{Line: line, Record: r})
}

// WriteJSON writes blocs, parties and stored records in the JSON form, one
// element per line. The records follow WriteCSV's rules: every id referred
// to belongs to a record written before.
func WriteJSON(w io.Writer, blocs []bloc.Bloc, parties []bloc.Party, recs []bloc.Record) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // quotes and notes stay readable
	buf.WriteString("{\n")
	section := func(key string, n int, last bool, elem func(i int) (any, error)) error {
		fmt.Fprintf(&buf, "%q: [", key)
		for i := 0; i < n; i++ {
			v, err := elem(i)
			if err != nil {
				return err
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
			if err := enc.Encode(v); err != nil {
				return err
			}
			buf.Truncate(buf.Len() - 1) // Encode's newline; the comma goes first
			if buf.Len() > 1<<20 {
				if _, err := w.Write(buf.Bytes()); err != nil {
					return err
				}
				buf.Reset()
			}
		}
		if n > 0 {
			buf.WriteByte('\n')
		}
		buf.WriteString("]")
		if !last {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		return nil
	}
	if err := section("blocs", len(blocs), false, func(i int) (any, error) { return blocs[i], nil }); err != nil {
		return err
	}
	if err := section("parties", len(parties), false, func(i int) (any, error) { return parties[i], nil }); err != nil {
		return err
	}
	written := make(map[int64]struct{}, len(recs))
	err := section("records", len(recs), true, func(i int) (any, error) {
		r := recs[i]
		if err := exportable(i, r, written); err != nil {
			return nil, err
		}
		written[r.ID] = struct{}{}
		if r.EventID == 0 {
			r.EventID = r.ID
		}
		if !r.RecordedAt.IsZero() {
			r.RecordedAt = r.RecordedAt.UTC()
		}
		return r, nil
	})
	if err != nil {
		return err
	}
	buf.WriteString("}\n")
	_, err = w.Write(buf.Bytes())
	return err
}
