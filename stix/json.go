package stix

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON parser of our own rather than encoding/json: validation has
// to see what encoding/json hides (duplicate property names, invalid UTF-8,
// whether a number was written as an integer), it keeps property order for
// stable problem lists, and parsing into one flat tree is several times
// cheaper than map[string]any.

type kind uint8

const (
	jNull kind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "list", "object"}[k]
}

// node is one JSON value. For numbers s holds the literal as written.
type node struct {
	kind kind
	b    bool
	s    string
	num  float64
	kids []member // array elements (key "") or object members, in order
}

type member struct {
	key string
	val node
}

// get returns the member value named key, or nil.
func (n *node) get(key string) *node {
	for i := range n.kids {
		if n.kids[i].key == key {
			return &n.kids[i].val
		}
	}
	return nil
}

func (n *node) has(key string) bool { return n.get(key) != nil }

// str returns the string value of member key, and whether it is a string.
func (n *node) str(key string) (string, bool) {
	v := n.get(key)
	if v == nil || v.kind != jString {
		return "", false
	}
	return v.s, true
}

// isInt reports whether a number has no fractional part (JSON Schema's
// notion of integer: 5.0 is an integer).
func (n *node) isInt() bool {
	return n.kind == jNumber && n.num == float64(int64(n.num)) && n.num > -9.3e18 && n.num < 9.3e18
}

const maxDepth = 64 // far deeper than any STIX object; bounds recursion on hostile input

type parser struct {
	s     string
	i     int
	depth int
	// Members are gathered on stack while their container is parsed, then
	// moved to slab, sized once for the whole input: a handful of
	// allocations per object instead of one per container and growth.
	stack []member
	slab  []member
}

var errSyntax = errors.New("syntax error")

// parseJSON parses one JSON value occupying all of s.
func parseJSON(s string) (node, error) {
	var p parser
	return p.parse(s)
}

// parse parses one JSON value occupying all of s. The nodes live in p's
// slab, reused by the next parse: they are valid until then.
func (p *parser) parse(s string) (node, error) {
	if !utf8.ValidString(s) {
		return node{}, errors.New("not valid UTF-8")
	}
	// Every member or element but the first of its container follows a
	// comma, so this bounds their number.
	n := strings.Count(s, ",") + strings.Count(s, "{") + strings.Count(s, "[")
	p.reset()
	if cap(p.slab) < n {
		p.slab = make([]member, 0, n)
	}
	p.s = s
	p.space()
	v, err := p.value()
	if err != nil {
		return node{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return node{}, p.errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// reset forgets the last parse, keeping the buffers unless they grew
// large.
func (p *parser) reset() {
	const keep = 4096 // members; a few hundred KB
	clear(p.slab)
	clear(p.stack)
	if cap(p.slab) > keep {
		p.slab = nil
	}
	if cap(p.stack) > keep {
		p.stack = nil
	}
	*p = parser{slab: p.slab[:0], stack: p.stack[:0]}
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (node, error) {
	if p.i >= len(p.s) {
		return node{}, p.errorf("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		return node{kind: jString, s: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", node{kind: jBool, b: true})
	case c == 'f':
		return p.literal("false", node{kind: jBool})
	case c == 'n':
		return p.literal("null", node{kind: jNull})
	default:
		return node{}, p.errorf("unexpected character %q", c)
	}
}

func (p *parser) literal(word string, v node) (node, error) {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return node{}, p.errorf("invalid literal")
	}
	p.i += len(word)
	return v, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (p *parser) object() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	p.i++ // {
	n := node{kind: jObject}
	var seen map[string]struct{}
	mark := len(p.stack)
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return n, nil
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return node{}, p.errorf("expected a property name")
		}
		start := p.i
		key, err := p.string()
		if err != nil {
			return node{}, err
		}
		members := p.stack[mark:]
		if seen != nil {
			if _, dup := seen[key]; dup {
				p.i = start
				return node{}, p.errorf("duplicate property %q", key)
			}
			seen[key] = struct{}{}
		} else if (&node{kids: members}).get(key) != nil {
			p.i = start
			return node{}, p.errorf("duplicate property %q", key)
		} else if len(members) == 32 {
			// Past a few dozen members a linear search per member gets
			// quadratic; switch to a set.
			seen = make(map[string]struct{}, 64)
			for _, m := range members {
				seen[m.key] = struct{}{}
			}
			seen[key] = struct{}{}
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return node{}, p.errorf("expected ':'")
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		p.stack = append(p.stack, member{key: key, val: v})
		p.space()
		if p.i >= len(p.s) {
			return node{}, p.errorf("unexpected end of input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			n.kids = p.take(mark)
			return n, nil
		default:
			return node{}, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	p.i++ // [
	n := node{kind: jArray}
	mark := len(p.stack)
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return n, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		p.stack = append(p.stack, member{val: v})
		p.space()
		if p.i >= len(p.s) {
			return node{}, p.errorf("unexpected end of input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			n.kids = p.take(mark)
			return n, nil
		default:
			return node{}, p.errorf("expected ',' or ']'")
		}
	}
}

// take moves the members gathered since mark from the stack to the slab.
func (p *parser) take(mark int) []member {
	k := len(p.stack) - mark
	if len(p.slab)+k > cap(p.slab) { // cannot happen given the bound; be safe
		p.slab = make([]member, 0, max(k, 64))
	}
	start := len(p.slab)
	p.slab = append(p.slab, p.stack[mark:]...)
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
	return p.slab[start : start+k : start+k]
}

func (p *parser) number() (node, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		d := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			d++
		}
		return d
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return node{}, p.errorf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return node{}, p.errorf("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return node{}, p.errorf("invalid number")
		}
	}
	lit := p.s[start:p.i]
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return node{}, p.errorf("number %s out of range", lit)
	}
	return node{kind: jNumber, s: lit, num: f}, nil
}

// string parses a JSON string starting at the opening quote. Strings
// without escapes are substrings of the input and cost no allocation.
func (p *parser) string() (string, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.errorf("control character in string")
		}
		p.i++
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) escaped(start int) (string, error) {
	buf := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A lone surrogate is not a character; JSON texts that
				// carry one cannot be stored as UTF-8.
				if len(p.s)-p.i < 2 || p.s[p.i] != '\\' || p.s[p.i+1] != 'u' {
					return "", p.errorf("unpaired surrogate in \\u escape")
				}
				p.i += 2
				r2, ok := p.hex4()
				if !ok {
					return "", p.errorf("invalid \\u escape")
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					return "", p.errorf("unpaired surrogate in \\u escape")
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errorf("invalid escape \\%c", e)
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}
