package intake

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word or punctuation mark of a sentence.
type token struct {
	text  string // as written
	lower string
	start int // byte offsets into the sentence
	end   int
}

// normalize maps the spaces and line endings of the many encodings of a page
// onto plain ones. Quotes and apostrophes keep their typography (quotes are
// quoted exactly); the tokenizer reads curly and straight ones alike.
func normalize(s string) string {
	return strings.NewReplacer(
		"\u00a0", " ", "\u2009", " ", "\u202f", " ", "\r\n", "\n", "\r", "\n",
	).Replace(s)
}

// tokenize splits s into words and punctuation. A word keeps inner hyphens
// ("post-Soviet"), digit groups ("1,340") and the dots of initialisms
// ("U.S."); a possessive or a contraction ("Uzbekistan's", "don't") is split
// off as its own token ("'s", "n't") so that names match on their own.
func tokenize(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case isWordRune(r):
			j := scanWord(s, i)
			word := s[i:j]
			// Split "n't" and "'s" endings.
			if k := strings.LastIndexAny(word, "'\u2019"); k > 0 {
				if lw := lowerWord(word); strings.HasSuffix(lw, "n't") && lw[len(lw)-3] == 'n' && k > 1 {
					n := i + k - 1 // the "n" of "n't"
					toks = append(toks, mk(s, i, n), mk(s, n, j))
					i = j
					continue
				}
				toks = append(toks, mk(s, i, i+k), mk(s, i+k, j))
				i = j
				continue
			}
			toks = append(toks, mk(s, i, j))
			i = j
		default:
			toks = append(toks, mk(s, i, i+w))
			i += w
		}
	}
	return toks
}

func mk(s string, a, b int) token {
	return token{text: s[a:b], lower: lowerWord(s[a:b]), start: a, end: b}
}

// lowerWord lower-cases a word and writes a curly apostrophe straight.
func lowerWord(s string) string { return strings.ReplaceAll(strings.ToLower(s), "\u2019", "'") }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// scanWord returns the end of the word starting at i.
func scanWord(s string, i int) int {
	// An initialism: single letters each followed by a dot (U.S., U.S.S.R.).
	if j := scanInitialism(s, i); j > i {
		return j
	}
	j := i
	for j < len(s) {
		r, w := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			j += w
			continue
		}
		// Inner hyphen, apostrophe, or digit-group comma: keep when a word
		// character follows (and for the comma, digits on both sides).
		if (r == '-' || r == '\'' || r == '\u2019' || r == ',') && j+w < len(s) {
			n, _ := utf8.DecodeRuneInString(s[j+w:])
			prev, _ := utf8.DecodeLastRuneInString(s[:j])
			if r == ',' {
				if unicode.IsDigit(prev) && unicode.IsDigit(n) && j+4 <= len(s) && allDigits(s[j+1:j+4]) && (j+4 == len(s) || !unicode.IsDigit(rune(s[j+4]))) {
					j++
					continue
				}
				break
			}
			if isWordRune(n) {
				j += w
				continue
			}
		}
		break
	}
	return j
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func scanInitialism(s string, i int) int {
	j, n := i, 0
	for j+1 < len(s) {
		r, w := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsUpper(r) || j+w >= len(s) || s[j+w] != '.' {
			break
		}
		j += w + 1
		n++
		if j < len(s) {
			if nr, _ := utf8.DecodeRuneInString(s[j:]); unicode.IsLetter(nr) && !unicode.IsUpper(nr) {
				return i
			}
		}
	}
	if n >= 2 {
		return j
	}
	return i
}

// abbreviations end with a dot that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "gen": true, "lt": true, "col": true,
	"sen": true, "rep": true, "prof": true, "jan": true, "feb": true, "mar": true, "apr": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "no": true,
	"vs": true, "etc": true, "gov": true, "pres": true, "maj": true, "capt": true, "sgt": true, "adm": true,
	"jr": true, "sr": true, "inc": true, "ltd": true, "co": true, "corp": true, "approx": true,
}

// span is a piece of an article's text with its byte offset in Text.
type span struct {
	text   string
	offset int
}

// splitSentences cuts a paragraph into sentences. A sentence ends at . ! or
// ? (with any closing quotes or brackets) followed by a space and a capital,
// a digit or an opening quote — not after an abbreviation or an initial.
func splitSentences(p span) []span {
	s := p.text
	var out []span
	start := 0
	emit := func(end int) {
		t := strings.TrimSpace(s[start:end])
		if t != "" {
			off := start + strings.Index(s[start:end], t)
			out = append(out, span{text: t, offset: p.offset + off})
		}
		start = end
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(s) {
			r, w := utf8.DecodeRuneInString(s[j:])
			if !strings.ContainsRune(closers, r) {
				break
			}
			j += w
		}
		if j >= len(s) || (s[j] != ' ' && s[j] != '\n') {
			continue
		}
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\n') {
			k++
		}
		if k >= len(s) {
			continue
		}
		next, _ := utf8.DecodeRuneInString(s[k:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune(openers, next)) {
			continue
		}
		if c == '.' {
			w := lastWord(s[:i])
			if abbreviations[strings.ToLower(w)] || (utf8.RuneCountInString(w) == 1 && unicode.IsUpper([]rune(w)[0])) {
				continue
			}
			if strings.Contains(w, ".") && isInitialism(w+".") {
				// "the U.S. said": assume an initialism does not end the sentence.
				continue
			}
		}
		emit(j)
	}
	emit(len(s))
	return out
}

const (
	closers = "\"')]\u201d\u2019\u00bb"
	openers = "\"'([\u201c\u2018\u00ab"
)

func lastWord(s string) string {
	i := len(s)
	for i > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:i])
		if !(isWordRune(r) || r == '.') {
			break
		}
		i -= w
	}
	return s[i:]
}

func isInitialism(w string) bool { return scanInitialism(w, 0) == len(w) }
