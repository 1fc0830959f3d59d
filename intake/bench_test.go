package intake

import "testing"

func BenchmarkParseExtractCorpus(b *testing.B) {
	raw, err := readFileIfExists(corpusPath)
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Published: mustDay("2021-10-22")}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		a := Parse(raw, opt)
		if len(Extract(a)) != len(corpusWant) {
			b.Fatal("wrong proposals")
		}
	}
}
