package intake

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzIntake: any input parses and extracts without panicking, and every
// proposal quotes a sentence of the article's text with a valid kind.
func FuzzIntake(f *testing.F) {
	for _, s := range []string{
		"", "<", "<html>", "\n\n\n", "A long enough headline\n\nIt was Thursday ,", "partner status", "dialogue partner", "members", "a member since",
		"TASHKENT, October 22. /TASS/.", "Published: 2021-10-22\n\nX\n\nY joined NATO on Friday.",
		"On April 2, 1999, did not sign and quit.", "the organization the bloc the pact",
		"February 30, 2020", "Thursday, ", "a day later", "followed", "received the same status",
		"<p>NEW DELHI, July 4. Iran became the ninth member of the SCO on Tuesday.</p>",
	} {
		f.Add([]byte(s))
	}
	if raw, err := readFileIfExists(corpusPath); err == nil {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a := Parse(raw, Options{})
		for _, p := range Extract(a) {
			if !p.Kind.Valid() || p.Bloc == "" || p.Date.IsZero() {
				t.Fatalf("bad proposal %+v", p)
			}
			if utf8.ValidString(a.Text) && !strings.Contains(a.Text, p.Quote) {
				t.Fatalf("quote %q not in text", p.Quote)
			}
		}
		_ = Report(a, nil, "")
	})
}
