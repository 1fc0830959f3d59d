package push_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
)

// receiver is a webhook endpoint on 127.0.0.1 that verifies every
// signature, fails the first failFirst attempts with 500 and records what
// it accepted.
type receiver struct {
	t         *testing.T
	secret    string
	failFirst int

	mu       sync.Mutex
	attempts int
	accepted []string // X-Bloc-Event-Id of accepted deliveries, in order
	bodies   []string
	badSigs  int
}

func newReceiver(t *testing.T, secret string, failFirst int) (*receiver, *httptest.Server) {
	r := &receiver{t: t, secret: secret, failFirst: failFirst}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		if err := push.VerifySignature(r.secret, req.Header.Get(push.SignatureHeader), body, time.Now(), 0); err != nil {
			r.badSigs++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.attempts <= r.failFirst {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		r.accepted = append(r.accepted, req.Header.Get("X-Bloc-Event-Id"))
		r.bodies = append(r.bodies, string(body))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) snapshot() (attempts int, accepted []string, bodies []string, badSigs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, slices.Clone(r.accepted), slices.Clone(r.bodies), r.badSigs
}

func (f *fixture) addWebhook(agency, url, secret string, maxFailures int) push.Webhook {
	f.t.Helper()
	w, err := push.NewWebhook(agency, collID, url, secret, maxFailures, time.Now())
	f.must(err)
	f.must(f.db.CreateWebhook(f.ctx, w))
	return w
}

// Deliveries are signed, retried with backoff after failures, in order,
// each readable object once; unreadable ones are passed over; every
// attempt is recorded.
func TestWebhookRetriesInOrder(t *testing.T) {
	f := newFixture(t)
	const secret = "a-shared-secret-of-some-length"
	rcv, srv := newReceiver(t, secret, 2)
	// Stored before the subscription: delivered too (progress starts at 0).
	first := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	wh := f.addWebhook("arm-nss", srv.URL+"/hook", secret, 5)
	red := f.object("indicator", bloc.TLPRed, 1)
	red.Recipients = bloc.Recipients{Identities: []string{uzbIdent}} // not for ARM
	later := f.publish(collID, f.object("malware", bloc.TLPAmber, 1), red, f.object("indicator", bloc.TLPClear, 1))
	want := []string{ids(first)[0], ids(later)[0], ids(later)[2]}

	waitFor(t, "the deliveries", func() bool { _, acc, _, _ := rcv.snapshot(); return len(acc) >= len(want) })
	waitFor(t, "the progress to be stored", func() bool {
		w, err := f.db.Webhook(f.ctx, wh.ID)
		return err == nil && w.LastSeq == later[2].Seq
	})
	attempts, accepted, bodies, badSigs := rcv.snapshot()
	if !slices.Equal(accepted, want) {
		t.Errorf("accepted %v, want %v", accepted, want)
	}
	if bodies[0] != string(first[0].Raw) {
		t.Errorf("body %s, want %s", bodies[0], first[0].Raw)
	}
	if attempts != len(want)+2 || badSigs != 0 {
		t.Errorf("%d attempts (%d bad signatures), want %d and none", attempts, badSigs, len(want)+2)
	}
	got, err := f.db.Webhook(f.ctx, wh.ID)
	f.must(err)
	if got.Status != push.WebhookActive || got.Failures != 0 || got.Delivered != 3 || got.LastError != "" || got.LastSuccess.IsZero() {
		t.Errorf("webhook state %+v", got.WebhookState)
	}
	ds, err := f.db.Deliveries(f.ctx, wh.ID, 0)
	f.must(err)
	// Newest first: 3 successes, and the two failed attempts of the first object.
	var log []string
	for _, d := range ds {
		log = append(log, strconv.FormatInt(d.Seq, 10)+"/"+strconv.Itoa(d.Attempt)+"/"+strconv.Itoa(d.Status)+"/"+strconv.FormatBool(d.OK))
	}
	s1, s2, s3 := want[0], want[1], want[2]
	wantLog := []string{s3 + "/1/204/true", s2 + "/1/204/true", s1 + "/3/204/true", s1 + "/2/500/false", s1 + "/1/500/false"}
	if !slices.Equal(log, wantLog) {
		t.Errorf("delivery log %v, want %v", log, wantLog)
	}
}

// A receiver that always fails disables its subscription after MaxFailures
// consecutive attempts, visibly.
func TestWebhookDisabledAfterFailures(t *testing.T) {
	f := newFixture(t)
	rcv, srv := newReceiver(t, "another-shared-secret", 1<<30)
	wh := f.addWebhook("kaz-knb", srv.URL, "another-shared-secret", 3)
	f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	waitFor(t, "the webhook to be disabled", func() bool {
		w, err := f.db.Webhook(f.ctx, wh.ID)
		return err == nil && w.Status == push.WebhookDisabled
	})
	got, err := f.db.Webhook(f.ctx, wh.ID)
	f.must(err)
	if got.Failures != 3 || got.DisabledAt.IsZero() || got.DisabledReason == "" || got.LastSeq != 0 || got.Delivered != 0 {
		t.Errorf("disabled webhook state %+v", got.WebhookState)
	}
	// No attempt follows the disabling.
	f.publish(collID, f.object("indicator", bloc.TLPGreen, 1))
	ds, err := f.db.Deliveries(f.ctx, wh.ID, 0)
	f.must(err)
	if len(ds) != 3 {
		t.Errorf("%d attempts recorded, want 3", len(ds))
	}
	if attempts, _, _, _ := rcv.snapshot(); attempts != 3 {
		t.Errorf("receiver saw %d attempts, want 3", attempts)
	}
}

// A former member's webhook receives nothing of the bloc's collection.
func TestWebhookFollowsAccess(t *testing.T) {
	f := newFixture(t)
	uzb, uzbSrv := newReceiver(t, "uzbekistan-secret-value", 0)
	kaz, kazSrv := newReceiver(t, "kazakhstan-secret-value", 0)
	wu := f.addWebhook("uzb-sgb", uzbSrv.URL, "uzbekistan-secret-value", 3)
	f.addWebhook("kaz-knb", kazSrv.URL, "kazakhstan-secret-value", 3)
	objs := f.publish(collID, f.object("indicator", bloc.TLPGreen, 1), f.object("indicator", bloc.TLPClear, 1))
	waitFor(t, "KAZ deliveries", func() bool { _, acc, _, _ := kaz.snapshot(); return len(acc) == 2 })
	waitFor(t, "UZB progress past the objects", func() bool {
		w, err := f.db.Webhook(f.ctx, wu.ID)
		return err == nil && w.LastSeq == objs[1].Seq
	})
	if attempts, _, _, _ := uzb.snapshot(); attempts != 0 {
		t.Errorf("the former member's receiver got %d deliveries, want 0", attempts)
	}
}

func TestWebhookStore(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.Webhooks.Disabled = true })
	w := f.addWebhook("kaz-knb", "https://hooks.example.org/bloc", "", 0)
	got, err := f.db.Webhook(f.ctx, w.ID)
	f.must(err)
	if got.URL != w.URL || got.Secret != w.Secret || got.MaxFailures != push.DefaultMaxFailures || got.Status != push.WebhookActive || !got.Created.Equal(w.Created) {
		t.Errorf("stored %+v, want %+v", got, w)
	}
	if len(w.Secret) < 32 {
		t.Errorf("generated secret %q is short", w.Secret)
	}
	bad, err := push.NewWebhook("nobody", collID, "https://x.example", "", 0, time.Now())
	f.must(err)
	if err := f.db.CreateWebhook(f.ctx, bad); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("webhook of an unknown agency: %v, want not_found", err)
	}
	f.must(f.db.AdvanceWebhook(f.ctx, w.ID, 7))
	f.must(f.db.AdvanceWebhook(f.ctx, w.ID, 3)) // never backwards
	if got, _ := f.db.Webhook(f.ctx, w.ID); got.LastSeq != 7 {
		t.Errorf("progress %d, want 7", got.LastSeq)
	}
	f.must(f.db.SaveDelivery(f.ctx, push.Delivery{Webhook: w.ID, Seq: 8, ObjectID: "indicator--x", Version: "v", Attempt: 1, At: time.Now(), Status: 500, Error: "boom"},
		push.WebhookState{Status: push.WebhookActive, LastSeq: 7, Failures: 1, LastError: "boom"}))
	f.must(f.db.DeleteWebhook(f.ctx, w.ID))
	if _, err := f.db.Webhook(f.ctx, w.ID); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	if ds, err := f.db.Deliveries(f.ctx, w.ID, 0); err != nil || len(ds) != 0 {
		t.Errorf("deliveries after delete: %v %v", ds, err)
	}
	if err := f.db.DeleteWebhook(f.ctx, w.ID); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("deleting twice: %v", err)
	}
	if err := f.db.SaveDelivery(f.ctx, push.Delivery{Webhook: w.ID, At: time.Now()}, push.WebhookState{Status: push.WebhookActive}); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("saving a delivery of a removed webhook: %v", err)
	}
}
