package taxii

import (
	"bytes"
	"encoding/json"
)

// envelopeObjects returns the members of a POSTed envelope's "objects"
// list, each copied out of body, with exactly the result and error of
// json.Unmarshal into struct{ Objects []json.RawMessage `json:"objects"` }.
//
// Decoding into RawMessage scans every byte of a large body twice (once to
// check it, once to split it). So the body is checked by json.Valid, and
// the common shape, an object whose keys have no escapes and which names
// objects once, as a list, is split by hand; any other body goes through
// json.Unmarshal for its error or its edge cases (a key matching in
// another case, a repeated or null objects).
func envelopeObjects(body []byte) ([]json.RawMessage, error) {
	if objs, ok := splitEnvelope(body); ok {
		return objs, nil
	}
	var env struct {
		Objects []json.RawMessage `json:"objects"`
	}
	err := json.Unmarshal(body, &env)
	return env.Objects, err
}

// splitEnvelope is envelopeObjects' fast path; ok is false when body is
// not of the shape it takes.
func splitEnvelope(body []byte) (objs []json.RawMessage, ok bool) {
	if !json.Valid(body) {
		return nil, false
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, false
	}
	list := -1 // start of the objects value
	listEnd := 0
	i = skipSpace(body, i+1)
	for body[i] != '}' {
		keyEnd := skipValue(body, i)
		key := body[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, false
		}
		i = skipSpace(body, skipSpace(body, keyEnd)+1) // past the colon
		end := skipValue(body, i)
		if bytes.EqualFold(key, []byte("objects")) { // as encoding/json matches fields
			if list >= 0 || body[i] != '[' {
				return nil, false
			}
			list, listEnd = i, end
		}
		i = skipSpace(body, end)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	if list < 0 {
		return nil, true // no objects member: like Unmarshal, none
	}
	for j := skipSpace(body, list+1); j < listEnd-1; {
		e := skipValue(body, j)
		objs = append(objs, json.RawMessage(bytes.Clone(body[j:e])))
		j = skipSpace(body, e)
		if body[j] == ',' {
			j = skipSpace(body, j+1)
		}
	}
	return objs, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the index just past the value starting at i of b,
// which json.Valid has accepted.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		for j := i + 1; ; j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch b[j] {
			case '"':
				j = skipValue(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	default: // number, true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		return j
	}
}
