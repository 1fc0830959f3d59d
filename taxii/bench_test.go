package taxii_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// BenchmarkPost posts envelopes of 1,000 new indicators over HTTP.
func BenchmarkPost(b *testing.B) {
	w := newWorld(b, options{maxContent: 64 << 20})
	const n = 1000
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		objs := make([]map[string]any, n)
		for i := range objs {
			objs[i] = indicator(newID(), 0, tlpGreen, nil)
		}
		body, err := json.Marshal(envelope(objs...))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r := w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: body})
		if r.status != http.StatusAccepted {
			b.Fatalf("POST: %d %s", r.status, r.body)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkPage reads 1,000-object pages with next over 20,000 stored
// objects, a quarter of them unreadable to the reader.
func BenchmarkPage(b *testing.B) {
	w := newWorld(b, options{maxContent: 64 << 20})
	for range 20 {
		objs := make([]map[string]any, 1000)
		for i := range objs {
			marking := tlpGreen
			if i%4 == 3 {
				marking = tlpStrict
			}
			objs[i] = indicator(newID(), 0, marking, nil)
		}
		w.post("kaz-knb/write", w.members, objs...)
	}
	next := ""
	read := 0
	b.ResetTimer()
	for b.Loop() {
		q := "?limit=1000"
		if next != "" {
			q += "&next=" + next
		}
		r := w.do(req{path: objectsPath(w.members) + q, who: "rus-fsb/read"})
		if r.status != 200 {
			b.Fatalf("GET: %d %s", r.status, r.body)
		}
		var env struct {
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(r.body, &env); err != nil {
			b.Fatal(err)
		}
		read += len(env.Objects)
		next = env.Next
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "objects/s")
}
