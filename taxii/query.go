package taxii

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// Page sizes: a request without limit gets DefaultLimit objects; a larger
// limit is lowered to MaxLimit (TAXII lets the server choose a smaller page).
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// filter is what a read request asks for, parsed from its query string.
type filter struct {
	q     bloc.ObjectQuery
	limit int
}

// Which match fields each endpoint takes.
var (
	objectsFields  = []string{"id", "type", "version", "spec_version"}
	objectFields   = []string{"version", "spec_version"}
	versionsFields = []string{"spec_version"}
)

var (
	stixTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$`)
	stixIDRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// parseFilter reads added_after, limit, next and the match fields allowed
// for an endpoint. Every bad value is named in one EINVALID error.
func parseFilter(v url.Values, collection string, fields []string) (filter, error) {
	f := filter{q: bloc.ObjectQuery{Collection: collection}, limit: DefaultLimit}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if s := v.Get("added_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad("added_after=%q is not an RFC 3339 timestamp (e.g. 2024-05-01T12:00:00.000Z)", s)
		}
		f.q.AddedAfter = t
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			bad("limit=%q must be a positive whole number", s)
		}
		f.limit = min(n, MaxLimit)
	}
	if s := v.Get("next"); s != "" {
		seq, err := decodeCursor(s, collection)
		if err != nil {
			bad("next=%q is not a cursor this server issued for this collection: pass the next value of the previous page unchanged, or start again without next", s)
		}
		f.q.AfterSeq = seq
	}
	allowed := map[string]bool{}
	for _, k := range fields {
		allowed[k] = true
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field, ok := strings.CutPrefix(k, "match[")
		if !ok {
			continue
		}
		field, ok = strings.CutSuffix(field, "]")
		if !ok || !allowed[field] {
			bad("%s is not a filter of this endpoint (it takes %s)", k, fieldList(fields))
			continue
		}
		for _, val := range splitValues(v[k]) {
			switch field {
			case "id":
				if !stixIDRE.MatchString(val) {
					bad("match[id]=%q is not a STIX identifier (type--uuid)", val)
				}
				f.q.IDs = append(f.q.IDs, val)
			case "type":
				if !stixTypeRE.MatchString(val) {
					bad("match[type]=%q is not a STIX type name", val)
				}
				f.q.Types = append(f.q.Types, val)
			case "version":
				switch val {
				case "first", "last", "all":
				default:
					if _, err := time.Parse(time.RFC3339Nano, val); err != nil {
						bad("match[version]=%q must be first, last, all or an RFC 3339 timestamp", val)
					}
				}
				f.q.Versions = append(f.q.Versions, val)
			case "spec_version":
				if val != "2.0" && val != "2.1" {
					bad("match[spec_version]=%q must be 2.0 or 2.1", val)
				}
				f.q.Specs = append(f.q.Specs, val)
			}
		}
	}
	if len(problems) > 0 {
		return filter{}, &bloc.Error{Code: bloc.EINVALID, Message: "bad query: " + strings.Join(problems, "; ")}
	}
	return f, nil
}

// splitValues accepts both repeated parameters and comma-separated lists.
func splitValues(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "no match filters"
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = "match[" + f + "]"
	}
	return strings.Join(out, ", ")
}

// Cursors. A next value is the seq of the last object a page returned and
// a checksum binding it to the collection, base64url-encoded. It holds no
// server state, so any node can continue any page, and writes made while a
// client pages only ever land after the cursor (seq grows with every
// write). The checksum is not a secret: a forged cursor only moves the
// starting point, and every object is still filtered by the access rules.
const cursorSum = 6

func encodeCursor(seq int64, collection string) string {
	b := make([]byte, 8, 8+cursorSum)
	binary.BigEndian.PutUint64(b, uint64(seq))
	b = append(b, cursorChecksum(seq, collection)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, collection string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 8+cursorSum {
		return 0, bloc.Errorf(bloc.EINVALID, "bad cursor")
	}
	seq := int64(binary.BigEndian.Uint64(b))
	if seq < 0 || string(b[8:]) != string(cursorChecksum(seq, collection)) {
		return 0, bloc.Errorf(bloc.EINVALID, "bad cursor")
	}
	return seq, nil
}

func cursorChecksum(seq int64, collection string) []byte {
	h := sha256.New()
	h.Write([]byte("bloc taxii next\x00" + collection + "\x00"))
	binary.Write(h, binary.BigEndian, seq)
	return h.Sum(nil)[:cursorSum]
}

// timestamp formats a server time for TAXII (date_added, request
// timestamps, the date headers): UTC, microseconds, as clients pass it
// back in added_after.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
