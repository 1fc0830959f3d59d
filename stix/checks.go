package stix

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ctx collects the problems of one object.
type ctx struct {
	id    string
	probs []Problem
	root  *node // the object being validated, for granular marking selectors
}

// rebase puts p in front of the paths of the problems from n on. Paths
// are only ever built for problems that way: a composite check calls
//
//	defer c.rebase(len(c.probs), p)
//	p = ""
//
// and its children report paths relative to it.
func (c *ctx) rebase(n int, p string) {
	if p == "" {
		return
	}
	for i := n; i < len(c.probs); i++ {
		switch prop := c.probs[i].Property; {
		case prop == "":
			c.probs[i].Property = p
		case prop[0] == '[':
			c.probs[i].Property = p + prop
		default:
			c.probs[i].Property = p + "." + prop
		}
	}
}

func (c *ctx) fail(prop, msg string) {
	c.probs = append(c.probs, Problem{ObjectID: c.id, Property: prop, Message: msg})
}

func (c *ctx) failf(prop, format string, args ...any) {
	c.fail(prop, fmt.Sprintf(format, args...))
}

// typeErr reports a value of the wrong JSON type.
func (c *ctx) typeErr(p, want string, v *node) {
	c.failf(p, "must be %s, not a %s", want, v.kind)
}

// check validates one property value at path p.
type check func(c *ctx, p string, v *node)

// sub is the path of property key under p ("" at the top level).
func sub(p, key string) string {
	if p == "" {
		return key
	}
	return p + "." + key
}
func item(p string, i int) string { return p + "[" + strconv.Itoa(i) + "]" }

// index is item("", i) without allocating for the usual small lists.
func index(i int) string {
	if i < len(indexes) {
		return indexes[i]
	}
	return item("", i)
}

var indexes = func() []string {
	s := make([]string, 32)
	for i := range s {
		s[i] = item("", i)
	}
	return s
}()

// ---- scalar checks ----

func str(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	}
}

func boolean(c *ctx, p string, v *node) {
	if v.kind != jBool {
		c.typeErr(p, "true or false", v)
	}
}

func integer(c *ctx, p string, v *node) bool {
	if v.kind != jNumber || !v.isInt() {
		if v.kind == jNumber {
			c.failf(p, "must be an integer, not %s", v.s)
		} else {
			c.typeErr(p, "an integer", v)
		}
		return false
	}
	return true
}

func anyInt(c *ctx, p string, v *node) { integer(c, p, v) }

func intRange(lo, hi int64) check {
	return func(c *ctx, p string, v *node) {
		if integer(c, p, v) && (v.num < float64(lo) || v.num > float64(hi)) {
			c.failf(p, "must be between %d and %d, not %s", lo, hi, v.s)
		}
	}
}

func intMin(lo int64) check {
	return func(c *ctx, p string, v *node) {
		if integer(c, p, v) && v.num < float64(lo) {
			c.failf(p, "must be at least %d, not %s", lo, v.s)
		}
	}
}

func number(c *ctx, p string, v *node) {
	if v.kind != jNumber {
		c.typeErr(p, "a number", v)
	}
}

func numRange(lo, hi float64) check {
	return func(c *ctx, p string, v *node) {
		if v.kind != jNumber {
			c.typeErr(p, "a number", v)
		} else if v.num < lo || v.num > hi {
			c.failf(p, "must be between %g and %g, not %s", lo, hi, v.s)
		}
	}
}

func enum(values ...string) check {
	return func(c *ctx, p string, v *node) {
		if v.kind != jString {
			c.typeErr(p, "a string", v)
			return
		}
		for _, e := range values {
			if v.s == e {
				return
			}
		}
		c.failf(p, "%q is not one of %s", clip(v.s), strings.Join(values, ", "))
	}
}

func timestamp(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a timestamp string", v)
	} else if !validTimestamp(v.s) {
		c.failf(p, "%q is not an RFC 3339 UTC timestamp like 2016-05-12T08:17:27.000Z", clip(v.s))
	}
}

// timestampMillis is a timestamp precise to at least the millisecond, as
// created and modified must be (STIX 2.1 §3.2).
func timestampMillis(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a timestamp string", v)
	} else if !validTimestamp(v.s) {
		c.failf(p, "%q is not an RFC 3339 UTC timestamp like 2016-05-12T08:17:27.000Z", clip(v.s))
	} else if len(v.s) < len("2006-01-02T15:04:05.000Z") {
		c.failf(p, "%q must be precise to the millisecond, like 2016-05-12T08:17:27.000Z", v.s)
	}
}

func hexString(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a hex string", v)
	} else if !isHex(v.s) {
		c.fail(p, "must be an even number of hexadecimal digits")
	}
}

func binString(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a base64 string", v)
	} else if _, err := base64.StdEncoding.Strict().DecodeString(v.s); err != nil || v.s == "" {
		c.fail(p, "must be base64 (RFC 4648) with padding")
	}
}

func uri(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a URL string", v)
	} else if !validURI(v.s) {
		c.failf(p, "%q is not an absolute URI (RFC 3986)", clip(v.s))
	}
}

func langTag(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a language tag", v)
	} else if !validLangTag(v.s) {
		c.failf(p, "%q is not an RFC 5646 language tag like en or ru-KZ", clip(v.s))
	}
}

// ---- identifiers ----

// ident is an identifier, of one of types when any are given.
func ident(types ...string) check {
	return func(c *ctx, p string, v *node) { checkIdent(c, p, v, types, nil) }
}

// identNot is an identifier of any type but those given.
func identNot(types ...string) check {
	return func(c *ctx, p string, v *node) { checkIdent(c, p, v, nil, types) }
}

func checkIdent(c *ctx, p string, v *node, only, not []string) {
	if v.kind != jString {
		c.typeErr(p, "an identifier string", v)
		return
	}
	typ, ok := parseIdentifier(v.s)
	if !ok {
		c.failf(p, "%q is not a STIX identifier (type--UUID)", clip(v.s))
		return
	}
	if len(only) > 0 && !contains(only, typ) {
		c.failf(p, "must reference %s, not %s", orList(only), typ)
	}
	if contains(not, typ) {
		c.failf(p, "must not reference %s", typ)
	}
}

func identList(types ...string) check {
	return list(ident(types...))
}

// ---- lists and dictionaries ----

// list is a non-empty list whose items pass each (STIX 2.1 §2.6: empty
// lists are prohibited).
func list(each check) check {
	return func(c *ctx, p string, v *node) {
		if v.kind != jArray {
			c.typeErr(p, "a list", v)
			return
		}
		if len(v.kids) == 0 {
			c.fail(p, "must not be an empty list (omit the property instead)")
			return
		}
		defer c.rebase(len(c.probs), p)
		for i := range v.kids {
			n := len(c.probs)
			each(c, "", &v.kids[i].val)
			c.rebase(n, index(i))
		}
	}
}

var strList = list(str)

func isDictKey(k string) bool {
	if len(k) == 0 || len(k) > 250 {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// dict is a non-empty dictionary whose keys follow STIX 2.1 §2.7 (ASCII
// letters, digits, - and _, at most 250) and whose values pass each (any
// non-null value, non-empty lists, when each is nil).
func dict(each check) check {
	return func(c *ctx, p string, v *node) {
		if v.kind != jObject {
			c.typeErr(p, "a dictionary object", v)
			return
		}
		if len(v.kids) == 0 {
			c.fail(p, "must not be an empty dictionary")
			return
		}
		defer c.rebase(len(c.probs), p)
		for i := range v.kids {
			m := &v.kids[i]
			kp := m.key
			if !isDictKey(m.key) {
				c.failf(kp, "dictionary keys must be 1–250 ASCII letters, digits, - or _")
				continue
			}
			if each != nil {
				each(c, kp, &m.val)
			} else {
				anyValue(c, kp, &m.val)
			}
		}
	}
}

// anyValue is any JSON value but null and the empty list.
func anyValue(c *ctx, p string, v *node) {
	switch {
	case v.kind == jNull:
		c.fail(p, "must not be null (omit the property instead)")
	case v.kind == jArray && len(v.kids) == 0:
		c.fail(p, "must not be an empty list (omit the property instead)")
	}
}

// strOrStrList accepts a string, or a list of strings.
func strOrStrList(c *ctx, p string, v *node) {
	if v.kind == jString {
		return
	}
	if v.kind == jArray {
		strList(c, p, v)
		return
	}
	c.typeErr(p, "a string or a list of strings", v)
}

// ---- common structured types ----

// Hash algorithms of hash-algorithm-ov and the form of their values.
var hashForms = map[string]func(string) bool{
	"MD5":      hexLen(32),
	"SHA-1":    hexLen(40),
	"SHA-256":  hexLen(64),
	"SHA-512":  hexLen(128),
	"SHA3-256": hexLen(64),
	"SHA3-512": hexLen(128),
	"SSDEEP": func(s string) bool {
		return len(s) >= 1 && len(s) <= 128 && allBytes(s, func(b byte) bool {
			return isAlnum(b) || b == '/' || b == '+' || b == ':' || b == '.'
		})
	},
	"TLSH": func(s string) bool { return len(s) == 70 && allBytes(s, isAlnum) },
}

func hexLen(n int) func(string) bool {
	return func(s string) bool { return len(s) == n && allBytes(s, isHexDigit) }
}

func hashes(c *ctx, p string, v *node) {
	if v.kind != jObject {
		c.typeErr(p, "a hashes dictionary", v)
		return
	}
	if len(v.kids) == 0 {
		c.fail(p, "must not be an empty dictionary")
		return
	}
	for i := range v.kids {
		m := &v.kids[i]
		if m.val.kind != jString {
			c.typeErr(sub(p, m.key), "a string", &m.val)
			continue
		}
		if form, ok := hashForms[m.key]; ok {
			if !form(m.val.s) {
				c.failf(sub(p, m.key), "%q is not a valid %s hash", clip(m.val.s), m.key)
			}
			continue
		}
		if len(m.key) < 3 || !isDictKey(m.key) {
			c.fail(sub(p, m.key), "custom hash names must be 3–250 ASCII letters, digits, - or _")
		}
	}
}

func killChainPhase(c *ctx, p string, v *node) {
	checkStruct(c, p, v, killChainSpec)
}

var killChainSpec = &spec{
	props: map[string]check{"kill_chain_name": str, "phase_name": str},
	req:   []string{"kill_chain_name", "phase_name"},
}

var killChainPhases = list(killChainPhase)

func externalReference(c *ctx, p string, v *node) {
	if !checkStruct(c, p, v, extRefSpec) {
		return
	}
	src, _ := v.str("source_name")
	eid, hasID := v.str("external_id")
	switch src {
	case "cve":
		if !hasID {
			c.fail(sub(p, "external_id"), "required when source_name is cve")
		} else if !isCVE(eid) {
			c.failf(sub(p, "external_id"), "%q is not a CVE id like CVE-2021-44228", clip(eid))
		}
	case "capec":
		if !hasID {
			c.fail(sub(p, "external_id"), "required when source_name is capec")
		} else if !isCAPEC(eid) {
			c.failf(sub(p, "external_id"), "%q is not a CAPEC id like CAPEC-163", clip(eid))
		}
	default:
		if !v.has("external_id") && !v.has("description") && !v.has("url") {
			c.fail(sub(p, "description"), "an external reference needs at least one of description, url or external_id")
		}
	}
}

var extRefSpec = &spec{
	props: map[string]check{
		"source_name": str, "description": str, "url": uri, "hashes": hashes, "external_id": str,
	},
	req: []string{"source_name"},
}

var externalReferences = list(externalReference)

func isCVE(s string) bool {
	// CVE-YYYY-NNNN with 4 digits (leading 0 allowed) or more (no leading 0).
	if len(s) < 13 || !strings.HasPrefix(s, "CVE-") || s[8] != '-' || !allBytes(s[4:8], isDigit) {
		return false
	}
	n := s[9:]
	if !allBytes(n, isDigit) {
		return false
	}
	return len(n) == 4 || n[0] != '0'
}

func isCAPEC(s string) bool {
	return len(s) > 6 && strings.HasPrefix(s, "CAPEC-") && allBytes(s[6:], isDigit)
}

func granularMarking(c *ctx, p string, v *node) {
	if !checkStruct(c, p, v, granularSpec) {
		return
	}
	ref, lang := v.has("marking_ref"), v.has("lang")
	switch {
	case ref && lang:
		c.fail(sub(p, "lang"), "a granular marking has marking_ref or lang, not both")
	case !ref && !lang:
		c.fail(sub(p, "marking_ref"), "a granular marking needs marking_ref (or lang)")
	}
}

var granularSpec = &spec{
	props: map[string]check{
		"selectors":   list(selector),
		"marking_ref": ident("marking-definition"),
		"lang":        langTag,
	},
	req: []string{"selectors"},
}

var granularMarkings = list(granularMarking)

// selector checks a granular marking selector (STIX 2.1 §7.2.3.1): it must
// select a property or list item actually present in the object.
func selector(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a selector string", v)
		return
	}
	cur := c.root
	i := -1
	for seg := range strings.SplitSeq(v.s, ".") {
		i++
		if cur == nil {
			break
		}
		if len(seg) > 2 && seg[0] == '[' && seg[len(seg)-1] == ']' && i > 0 {
			n, err := strconv.Atoi(seg[1 : len(seg)-1])
			if err != nil || n < 0 || !allBytes(seg[1:len(seg)-1], isDigit) || cur.kind != jArray || n >= len(cur.kids) {
				cur = nil
				break
			}
			cur = &cur.kids[n].val
			continue
		}
		if cur.kind != jObject {
			cur = nil
			break
		}
		cur = cur.get(seg)
	}
	if cur == nil {
		c.failf(p, "selector %q does not select anything in this object", clip(v.s))
	}
}

// ---- syntax of values ----

func isDigit(b byte) bool    { return b >= '0' && b <= '9' }
func isLower(b byte) bool    { return b >= 'a' && b <= 'z' }
func isAlpha(b byte) bool    { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isAlnum(b byte) bool    { return isAlpha(b) || isDigit(b) }
func isHexDigit(b byte) bool { return isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isHex(s string) bool { return len(s) > 0 && len(s)%2 == 0 && allBytes(s, isHexDigit) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// orList names types for a message: "an identity", "a file or artifact".
func orList(types []string) string {
	article := "a "
	if strings.IndexByte("aeiou", types[0][0]) >= 0 {
		article = "an "
	}
	if len(types) == 1 {
		return article + types[0]
	}
	return article + strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
}

// validTypeName: 3–250 characters, a lower-case letter first, then
// lower-case letters, digits and single hyphens, not ending in a hyphen
// (STIX 2.1 §3.1; an identifier cannot be formed from such a name).
func validTypeName(s string) bool {
	if len(s) < 3 || len(s) > 250 || !isLower(s[0]) || s[len(s)-1] == '-' {
		return false
	}
	for i := 1; i < len(s); i++ {
		b := s[i]
		if b == '-' {
			if s[i-1] == '-' {
				return false
			}
			continue
		}
		if !isLower(b) && !isDigit(b) {
			return false
		}
	}
	return true
}

// parseIdentifier splits type--UUID and checks both parts. The UUID must be
// an RFC 4122 UUID: versions 1–5 and the RFC 4122 variant (STIX 2.1 §2.9
// asks for v4, or v5 for SCOs; older versions are accepted as the official
// schemas accept them).
func parseIdentifier(s string) (typ string, ok bool) {
	i := strings.Index(s, "--")
	if i < 0 {
		return "", false
	}
	typ, u := s[:i], s[i+2:]
	if !validTypeName(typ) || !validUUID(u) {
		return "", false
	}
	return typ, true
}

func validUUID(u string) bool {
	if len(u) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if u[i] != '-' {
				return false
			}
		default:
			if !isHexDigit(u[i]) {
				return false
			}
		}
	}
	if u[14] < '1' || u[14] > '5' {
		return false
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
		return true
	}
	return false
}

// validTimestamp: YYYY-MM-DDTHH:MM:SS[.fraction]Z with a real calendar
// date; second 60 is allowed for leap seconds (RFC 3339 §5.6).
func validTimestamp(s string) bool {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := 0; i < 19; i++ {
		switch i {
		case 4, 7:
			if s[i] != '-' {
				return false
			}
		case 10:
			if s[i] != 'T' {
				return false
			}
		case 13, 16:
			if s[i] != ':' {
				return false
			}
		default:
			if !isDigit(s[i]) {
				return false
			}
		}
	}
	if len(s) > 20 {
		frac := s[19 : len(s)-1]
		if frac[0] != '.' || len(frac) < 2 || !allBytes(frac[1:], isDigit) {
			return false
		}
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return false
	}
	return num(11, 13) <= 23 && num(14, 16) <= 59 && num(17, 19) <= 60
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// compareTimestamps orders two valid timestamps (-1, 0, 1). They share one
// layout up to the seconds, so that part compares as text; the fractions
// compare as decimal digits.
func compareTimestamps(a, b string) int {
	if c := strings.Compare(a[:19], b[:19]); c != 0 {
		return c
	}
	fa, fb := strings.TrimSuffix(a[19:], "Z"), strings.TrimSuffix(b[19:], "Z")
	fa, fb = strings.TrimPrefix(fa, "."), strings.TrimPrefix(fb, ".")
	for len(fa) < len(fb) {
		fa += "0"
	}
	for len(fb) < len(fa) {
		fb += "0"
	}
	return strings.Compare(fa, fb)
}

// validURI: an absolute URI of RFC 3986 — a scheme, then only the
// characters the RFC allows (percent escapes well-formed) — or of RFC 3987,
// which also allows non-ASCII characters: observed URLs carry them.
func validURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || !isAlpha(s[0]) {
		return false
	}
	for j := 1; j < i; j++ {
		b := s[j]
		if !isAlnum(b) && b != '+' && b != '-' && b != '.' {
			return false
		}
	}
	for j := i + 1; j < len(s); j++ {
		b := s[j]
		switch {
		case isAlnum(b), b >= 0x80, strings.IndexByte("-._~!$&'()*+,;=:@/?#[]", b) >= 0:
		case b == '%':
			if j+2 >= len(s) || !isHexDigit(s[j+1]) || !isHexDigit(s[j+2]) {
				return false
			}
		default:
			return false
		}
	}
	_, err := url.Parse(s)
	return err == nil
}

// validLangTag is the RFC 5646 syntax in outline: a 2–8 letter primary
// language subtag, then hyphen-separated subtags of 1–8 letters or digits.
func validLangTag(s string) bool {
	first := true
	for part := range strings.SplitSeq(s, "-") {
		if first {
			if len(part) < 2 || len(part) > 8 || !allBytes(part, isAlpha) {
				return false
			}
			first = false
		} else if len(part) < 1 || len(part) > 8 || !allBytes(part, isAlnum) {
			return false
		}
	}
	return true
}

// validHostname: a domain name of RFC 1034 (labels of letters, digits and
// inner hyphens, 1–63 each, 253 in all, an optional final dot), with
// internationalised labels (RFC 5890) allowed in their Unicode form, and
// underscores, which DNS names carry (_dmarc.example.com) and intelligence
// about them must be able to name.
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) < 1 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if r < 0x80 && !isAlnum(byte(r)) && r != '-' && r != '_' {
				return false
			}
		}
	}
	return true
}

// validEmail: local-part@domain (RFC 5322 addr-spec without comments or
// display name); a dot-atom local part or a quoted one.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return false
	}
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		q := local[1 : len(local)-1]
		if strings.ContainsAny(q, "\"\\") {
			return false
		}
	} else {
		if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
			return false
		}
		for _, r := range local {
			if r < 0x80 && !isAlnum(byte(r)) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r) {
				return false
			}
		}
	}
	if len(domain) > 2 && domain[0] == '[' && domain[len(domain)-1] == ']' {
		lit := domain[1 : len(domain)-1]
		if a, err := netip.ParseAddr(strings.TrimPrefix(lit, "IPv6:")); err == nil {
			return a.Is4() != strings.HasPrefix(lit, "IPv6:")
		}
		return false
	}
	return validHostname(domain)
}

// validIPv4 is a dotted-quad address, optionally with a CIDR prefix.
func validIPv4(s string) bool {
	addr, bits, hasBits := strings.Cut(s, "/")
	if hasBits {
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 32 || !allBytes(bits, isDigit) || (len(bits) > 1 && bits[0] == '0') {
			return false
		}
	}
	a, err := netip.ParseAddr(addr)
	return err == nil && a.Is4()
}

// validIPv6 is an IPv6 address (a zone allowed), optionally with a CIDR prefix.
func validIPv6(s string) bool {
	addr, bits, hasBits := strings.Cut(s, "/")
	if hasBits {
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 128 || !allBytes(bits, isDigit) || (len(bits) > 1 && bits[0] == '0') {
			return false
		}
	}
	a, err := netip.ParseAddr(addr)
	return err == nil && a.Is6()
}

// validPropertyName is a custom property name (STIX 2.1 §11.1): 3–250 of
// a–z, 0–9 and _.
func validPropertyName(s string) bool {
	return len(s) >= 3 && len(s) <= 250 && allBytes(s, func(b byte) bool {
		return isLower(b) || isDigit(b) || b == '_'
	})
}
