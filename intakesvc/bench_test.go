package intakesvc

import (
	"fmt"
	"testing"
)

// BenchmarkIntake takes in the corpus article against the built-in record:
// parse, extract, compare 15 proposals, store article and proposals. Each
// iteration's text differs by a trailing line, so each is a new article.
func BenchmarkIntake(b *testing.B) {
	f := newFixture(b, true)
	raw := readCorpus(b)
	i := 0
	for b.Loop() {
		i++
		text := append(append([]byte{}, raw...), fmt.Sprintf("\n\n(%d)", i)...)
		if _, err := f.svc.Intake(b.Context(), text, corpusOptions); err != nil {
			b.Fatal(err)
		}
	}
}
