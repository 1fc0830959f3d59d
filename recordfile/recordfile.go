// Package recordfile reads and writes the membership record's data files:
// the CSV and JSON forms taken by `bloc import` and written by `bloc export`.
// It is pure: it speaks io.Reader and io.Writer and checks the shape of every
// row, not the record (unknown blocs, parties and impossible transitions are
// the registry's to find).
//
// References between rows are file-local: a row names an earlier row by its
// id. Reading turns them into the store's batch-relative references (a
// negative EventID or Supersedes -k names the k-th record, 1-based, of the
// same batch; see bloc.RecordStore.Append), so the rows can be appended as
// one batch into any store. Writing turns stored ids back into file ids, so
// an export imported into an empty store and exported again gives the same
// bytes.
package recordfile

import (
	"bytes"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/blocsec/bloc"
)

// Row is one record read from a file, with where it came from.
type Row struct {
	// Line is the line of the file the record was read from (the first
	// line of a CSV row; the line of a JSON record's opening brace). The
	// records of one CSV row with several sources share it.
	Line   int
	Record bloc.Record
	// PartyName is the CSV party_name column as written (informative: the
	// party's name in the source; it may be an alias or a historical name).
	PartyName string
}

// Records returns the records of rows, in order.
func Records(rows []Row) []bloc.Record {
	out := make([]bloc.Record, len(rows))
	for i, r := range rows {
		out[i] = r.Record
	}
	return out
}

// Detect tells the format of a file from its name, or when the name does not
// say, from its first bytes: "json" when the first non-blank character is
// '{' or '[', otherwise "csv".
func Detect(name string, head []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".json":
		return "json"
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
		return "json"
	}
	return "csv"
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Resolve does to recs what a store's Append does to a batch: it gives them
// the ids firstID, firstID+1, … in order and turns batch-relative references
// into ids (EventID 0 → the record's own id; EventID or Supersedes -k → the
// id of the k-th record). A check that wants to see the batch as it will be
// stored can use it; so do the round-trip tests.
func Resolve(recs []bloc.Record, firstID int64) ([]bloc.Record, error) {
	out := make([]bloc.Record, len(recs))
	ref := func(i int, what string, v int64) (int64, error) {
		if v >= 0 {
			return v, nil
		}
		k := int(-v)
		if k > i+1 {
			return 0, bloc.Errorf(bloc.EINVALID, "record %d of the batch: %s refers to record %d, which is not before it", i+1, what, k)
		}
		return firstID + int64(k) - 1, nil
	}
	for i, r := range recs {
		r.ID = firstID + int64(i)
		if r.EventID == 0 {
			r.EventID = r.ID
		}
		var err error
		if r.EventID, err = ref(i, "event", r.EventID); err != nil {
			return nil, err
		}
		if r.Supersedes, err = ref(i, "supersedes", r.Supersedes); err != nil {
			return nil, err
		}
		if r.Supersedes == r.ID && r.Supersedes != 0 {
			return nil, bloc.Errorf(bloc.EINVALID, "record %d of the batch supersedes itself", i+1)
		}
		out[i] = r
	}
	return out, nil
}

// checkRecord returns what is wrong with the shape of one record, each
// problem written for a person; nil when nothing is.
func checkRecord(r *bloc.Record) []string {
	var bad []string
	if r.Bloc == "" {
		bad = append(bad, "bloc is empty")
	} else if !validSlug(r.Bloc) {
		bad = append(bad, fmt.Sprintf("bloc %q: a bloc is named by its slug: lowercase letters, digits, '-' or '_' (e.g. csto)", r.Bloc))
	}
	kindOK := r.Kind.Valid()
	if r.Kind == "" {
		bad = append(bad, "event is empty (one of "+kindList()+")")
	} else if !kindOK {
		bad = append(bad, fmt.Sprintf("event %q: unknown kind (one of %s)", r.Kind, kindList()))
	}
	switch {
	case r.Party != "" && !validPartyCode(r.Party):
		bad = append(bad, fmt.Sprintf("party %q: not an ISO 3166-1 alpha-3 code (three capital letters, e.g. UZB)", r.Party))
	case kindOK && r.Kind.BlocLevel() && r.Party != "":
		bad = append(bad, fmt.Sprintf("party %q: a %s event is about the bloc itself and names no party", r.Party, r.Kind))
	case kindOK && !r.Kind.BlocLevel() && r.Kind != bloc.KindStatement && r.Party == "":
		// A statement may be the bloc's own (a treaty entering into force).
		bad = append(bad, fmt.Sprintf("party is empty: every %s event names a party", r.Kind))
	}
	if r.Kind == bloc.KindRenamed && strings.TrimSpace(r.NewName) == "" {
		bad = append(bad, "new_name is empty: a renamed event needs the new name")
	}
	if kindOK && r.Kind != bloc.KindRenamed && r.NewName != "" {
		bad = append(bad, fmt.Sprintf("new_name %q: only a renamed event has one", r.NewName))
	}
	if kindOK && r.Kind != bloc.KindPartnerFrom && len(r.Scope) > 0 {
		bad = append(bad, fmt.Sprintf("scope %q: only a partner_from event has one", strings.Join(r.Scope, ";")))
	}
	for _, s := range r.Scope {
		if s == "" || strings.Contains(s, ";") || strings.TrimSpace(s) != s {
			bad = append(bad, fmt.Sprintf("scope label %q: labels are non-empty, without ';' or surrounding spaces", s))
		}
	}
	if r.Retracts && r.Supersedes == 0 {
		bad = append(bad, "retracts is set but supersedes names no row: say which record is retracted")
	}
	return bad
}

func kindList() string {
	s := make([]string, len(bloc.Kinds))
	for i, k := range bloc.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func validSlug(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

func validPartyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isURL reports whether s is an absolute URL with a host, which is what a
// source's url must be. Anything else in a CSV source column is taken as a
// citation in words (the source's title).
func isURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for _, prefix := range []string{"https://", "http://"} {
		// The common case, without url.Parse's allocations; a host is
		// whatever comes before the next '/', '?' or '#'.
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			return rest != "" && !strings.ContainsAny(rest[:1], "/?#")
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// maxDetails caps the problems listed in one error: the count in its message
// stays exact, but a file that is wrong throughout (a wrong delimiter, say)
// should not produce a million-line error.
const maxDetails = 1000

// problems collects what is wrong with a file and becomes one *bloc.Error.
type problems struct {
	what    string // "CSV", "JSON"
	details []string
	rows    int // bad rows (or elements), counted even past maxDetails
}

func (p *problems) add(line int, msg string) {
	p.rows++
	if len(p.details) < maxDetails {
		p.details = append(p.details, fmt.Sprintf("line %d: %s", line, msg))
	}
}

func (p *problems) err() error {
	if p.rows == 0 {
		return nil
	}
	noun := "problems"
	if p.rows == 1 {
		noun = "problem"
	}
	e := bloc.Errorf(bloc.EINVALID, "%s input: %d %s; nothing was imported", p.what, p.rows, noun)
	e.Details = p.details
	if p.rows > len(p.details) {
		e.Details = append(e.Details, fmt.Sprintf("… and %d more", p.rows-len(p.details)))
	}
	return e
}
