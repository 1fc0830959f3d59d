package push_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/standing"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"type":"indicator"}`)
	good := push.Sign("s3cret-s3cret-s3cret", now, body)
	if want := "t=1700000000,v1="; good[:len(want)] != want {
		t.Fatalf("signature %q does not start with %q", good, want)
	}
	other := push.Sign("another-secret-here", now, body)
	cases := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", good, body, now, true},
		{"valid within tolerance", good, body, now.Add(4 * time.Minute), true},
		{"valid with a second signature (rotation)", good + ",v1=" + other[len("t=1700000000,v1="):], body, now, true},
		{"too old (replay)", good, body, now.Add(6 * time.Minute), false},
		{"from the future", good, body, now.Add(-6 * time.Minute), false},
		{"body changed", good, []byte(`{"type":"malware"}`), now, false},
		{"wrong secret", other, body, now, false},
		{"timestamp changed", "t=1700000001" + good[len("t=1700000000"):], body, now, false},
		{"no timestamp", good[len("t=1700000000,"):], body, now, false},
		{"no signature", "t=1700000000", body, now, false},
		{"not hex", "t=1700000000,v1=zz", body, now, false},
		{"malformed", "garbage", body, now, false},
		{"empty", "", body, now, false},
	}
	for _, tc := range cases {
		err := push.VerifySignature("s3cret-s3cret-s3cret", tc.header, tc.body, tc.now, 0)
		if (err == nil) != tc.ok {
			t.Errorf("%s: VerifySignature = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && bloc.ErrorCode(err) != bloc.EUNAUTH {
			t.Errorf("%s: error code %s, want unauthorized", tc.name, bloc.ErrorCode(err))
		}
	}
}

func TestCheckURL(t *testing.T) {
	cases := map[string]bool{
		"https://hooks.example.org/bloc":   true,
		"https://10.1.2.3:8443/x":          true,
		"http://127.0.0.1:9000/hook":       true,
		"http://127.5.5.5/hook":            true,
		"http://localhost:8080/":           true,
		"http://[::1]:9000/":               true,
		"http://hooks.example.org/":        false,
		"http://10.0.0.1/":                 false,
		"ftp://127.0.0.1/":                 false,
		"https://user:pw@hooks.example/":   false,
		"https://hooks.example/#frag":      false,
		"/relative":                        false,
		"":                                 false,
		"mailto:someone@example.org":       false,
		"http://localhost.example.org/x":   false,
		"http://127.0.0.1.nip.example/x":   false,
		"https://[::1]:443/still-https-ok": true,
	}
	for u, ok := range cases {
		err := push.CheckURL(u)
		if (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}

func TestNewWebhookRefusals(t *testing.T) {
	now := time.Now()
	for name, fn := range map[string]func() error{
		"no agency":    func() error { _, err := push.NewWebhook("", collID, "https://x.example", "", 0, now); return err },
		"bad url":      func() error { _, err := push.NewWebhook("a", collID, "http://x.example", "", 0, now); return err },
		"short secret": func() error { _, err := push.NewWebhook("a", collID, "https://x.example", "short", 0, now); return err },
		"negative max": func() error { _, err := push.NewWebhook("a", collID, "https://x.example", "", -1, now); return err },
	} {
		if err := fn(); bloc.ErrorCode(err) != bloc.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, 2*time.Second
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000}
	for i, w := range want {
		if got := push.Backoff(i+1, base, max); got != w*time.Millisecond {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w*time.Millisecond)
		}
	}
	if got := push.Backoff(200, base, max); got != max {
		t.Errorf("Backoff(200) = %s, want the maximum (no overflow)", got)
	}
}

// TestNextTransition: the instants at which the guard re-checks a party's
// streams, as it computes them (the bloc's roster).
func TestNextTransition(t *testing.T) {
	at := func(s string) time.Time { return bloc.MustDate(s).Start }
	instant := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	recs := []bloc.Record{
		{ID: 1, Bloc: "csto", Party: "ARM", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		{ID: 2, Bloc: "csto", Party: "ARM", Kind: bloc.KindSuspended, Date: bloc.MustDate("2024-02")},
		{ID: 3, Bloc: "csto", Party: "ARM", Kind: bloc.KindWithdrew, Date: bloc.InstantOf(instant)},
		{ID: 4, Bloc: "csto", Party: "KAZ", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		{ID: 5, Bloc: "sco", Party: "KAZ", Kind: bloc.KindSigned, Date: bloc.MustDate("2001-06-15")},
	}
	b := standing.Build([]bloc.Bloc{{Slug: "csto", Founded: bloc.MustDate("1992-05-15")}, {Slug: "sco", Founded: bloc.MustDate("2001-06-15")}}, recs, time.Time{})
	cases := []struct {
		bloc, party string
		after, want time.Time
	}{
		{"csto", "ARM", at("1990"), at("1992-05-15")},
		{"csto", "ARM", at("1992-05-15"), at("1992-05-16")},        // end of the signing day's window
		{"csto", "ARM", at("2000"), at("2024-02")},                 // suspension window opens
		{"csto", "ARM", at("2024-02-10"), at("2024-03")},           // and closes
		{"csto", "ARM", at("2025"), instant},                       // the withdrawal recorded ahead of time
		{"csto", "ARM", instant.Add(-time.Nanosecond), instant},    // exactly at its instant
		{"csto", "ARM", instant.Add(time.Nanosecond), time.Time{}}, // nothing after
		{"csto", "KAZ", at("2000"), time.Time{}},                   // KAZ's sco events do not count in csto
		{"csto", "UZB", at("2000"), time.Time{}},                   // no events at all
	}
	for _, tc := range cases {
		got, ok := b.Roster(tc.bloc).NextChange(tc.party, tc.after)
		if ok == tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("Roster(%s).NextChange(%s, after %s) = %s, want %s", tc.bloc, tc.party, tc.after, got, tc.want)
		}
	}
	// The standing does change at the instant: a member just before, former from it on.
	if p := b.At("csto", "ARM", instant.Add(-time.Nanosecond)); p.Standing != bloc.StandingSuspended {
		t.Errorf("just before the withdrawal: %s", p.Standing)
	}
	if p := b.At("csto", "ARM", instant); p.Standing != bloc.StandingFormer {
		t.Errorf("at the withdrawal: %s", p.Standing)
	}
}

func TestHubOverflowEndsOnlyTheSlowSubscriber(t *testing.T) {
	h := push.NewHub()
	slow := h.Subscribe("c", 2)
	fast := h.Subscribe("c", 2)
	other := h.Subscribe("d", 1)
	defer slow.Close()
	defer fast.Close()
	defer other.Close()
	var got []int64
	for i := int64(1); i <= 10; i++ {
		h.Publish(context.Background(), "c", []bloc.Object{{Seq: i}})
		b := <-fast.C() // the fast one reads every batch
		got = append(got, b.Objects[0].Seq)
	}
	if fmt.Sprint(got) != "[1 2 3 4 5 6 7 8 9 10]" {
		t.Errorf("fast subscriber got %v", got)
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("the slow subscriber was not ended")
	}
	if slow.Reason() != push.Overflow || fast.Reason() != "" {
		t.Errorf("reasons: slow %q, fast %q", slow.Reason(), fast.Reason())
	}
	if len(other.C()) != 0 {
		t.Error("a subscriber of another collection received a batch")
	}
	st := h.Stats()
	if st.Subscribers != 3 || st.Published != 10 || st.Overflows != 1 {
		t.Errorf("stats %+v", st)
	}
	slow.Close()
	h.Publish(context.Background(), "c", nil) // empty: dropped
	if st := h.Stats(); st.Subscribers != 2 || st.Published != 10 {
		t.Errorf("stats after close %+v", st)
	}
}

func TestHubWakeCoalesces(t *testing.T) {
	h := push.NewHub()
	w, stop := h.Wake("c")
	for range 5 {
		h.Publish(context.Background(), "c", []bloc.Object{{Seq: 1}})
	}
	if len(w) != 1 {
		t.Errorf("%d pending signals, want 1", len(w))
	}
	stop()
	<-w
	h.Publish(context.Background(), "c", []bloc.Object{{Seq: 2}})
	if len(w) != 0 {
		t.Error("a stopped waker was signalled")
	}
}

// BenchmarkHubPublish publishes one object to 1,000 subscribers that read it.
func BenchmarkHubPublish(b *testing.B) {
	h := push.NewHub()
	const n = 1000
	subs := make([]*push.Subscription, n)
	for i := range subs {
		subs[i] = h.Subscribe("c", 64)
	}
	objs := []bloc.Object{{Seq: 1}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Publish(context.Background(), "c", objs)
		for _, s := range subs {
			<-s.C()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/delivery")
}
