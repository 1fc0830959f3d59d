package push

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// Webhook is an agency's subscription to a collection: bloc POSTs every
// object version the agency may read, in Seq order, to URL.
type Webhook struct {
	ID         string `json:"id"`
	Agency     string `json:"agency"`
	Collection string `json:"collection"`
	URL        string `json:"url"`
	// Secret is the HMAC key of the signatures. bloc must keep it to sign,
	// so it is stored as given; it is shown once, when the webhook is added.
	Secret      string    `json:"-"`
	MaxFailures int       `json:"max_failures"`
	Created     time.Time `json:"created"`
	WebhookState
}

// Webhook statuses.
const (
	WebhookActive   = "active"
	WebhookDisabled = "disabled"
)

// WebhookState is what changes as deliveries happen.
type WebhookState struct {
	Status string `json:"status"` // WebhookActive or WebhookDisabled
	// LastSeq is the progress: every object version up to it was delivered
	// or passed over (not readable by the agency at delivery time).
	LastSeq int64 `json:"last_seq"`
	// Failures counts consecutive failed attempts; at MaxFailures the
	// webhook is disabled.
	Failures       int       `json:"failures"`
	Delivered      int64     `json:"delivered"`
	LastError      string    `json:"last_error,omitempty"`
	LastAttempt    time.Time `json:"last_attempt,omitzero"`
	LastSuccess    time.Time `json:"last_success,omitzero"`
	DisabledAt     time.Time `json:"disabled_at,omitzero"`
	DisabledReason string    `json:"disabled_reason,omitempty"`
}

// Delivery is one attempt to POST one object version to a webhook.
type Delivery struct {
	Webhook  string        `json:"webhook"`
	Seq      int64         `json:"seq"`
	ObjectID string        `json:"object_id"`
	Version  string        `json:"version"`
	Attempt  int           `json:"attempt"` // 1 for the first try of this object
	At       time.Time     `json:"at"`
	Status   int           `json:"http_status,omitempty"` // 0: no HTTP response
	OK       bool          `json:"ok"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// DefaultMaxFailures disables a webhook after this many consecutive failed
// attempts unless its subscription says otherwise.
const DefaultMaxFailures = 10

// NewWebhook checks a subscription request and returns the webhook to
// store with a fresh id (and a fresh secret when secret is ""). The URL
// must be HTTPS, or plain HTTP to the loopback interface (127.0.0.1, ::1 or
// localhost) for receivers on the same machine.
func NewWebhook(agency, collection, rawURL, secret string, maxFailures int, now time.Time) (Webhook, error) {
	if agency == "" || collection == "" {
		return Webhook{}, bloc.Errorf(bloc.EINVALID, "a webhook needs an agency and a collection")
	}
	if err := CheckURL(rawURL); err != nil {
		return Webhook{}, err
	}
	if maxFailures == 0 {
		maxFailures = DefaultMaxFailures
	}
	if maxFailures < 1 {
		return Webhook{}, bloc.Errorf(bloc.EINVALID, "--max-failures %d: must be at least 1", maxFailures)
	}
	if secret == "" {
		secret = "whsec_" + randomHex(24)
	} else if len(secret) < 16 {
		return Webhook{}, bloc.Errorf(bloc.EINVALID, "the webhook secret is %d characters: use at least 16 (or omit it and bloc makes one)", len(secret))
	}
	return Webhook{
		ID: "wh" + randomHex(8), Agency: agency, Collection: collection, URL: rawURL,
		Secret: secret, MaxFailures: maxFailures, Created: now.UTC(),
		WebhookState: WebhookState{Status: WebhookActive},
	}, nil
}

// CheckURL accepts https:// URLs and http:// URLs to the loopback interface.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return bloc.Errorf(bloc.EINVALID, "webhook URL %q is not an absolute URL", raw)
	}
	if u.User != nil {
		return bloc.Errorf(bloc.EINVALID, "webhook URL %q: credentials in the URL are not accepted; the signature authenticates bloc to the receiver", raw)
	}
	if u.Fragment != "" {
		return bloc.Errorf(bloc.EINVALID, "webhook URL %q: a fragment is never sent to a server; remove it", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return bloc.Errorf(bloc.EINVALID, "webhook URL %q: plain http is accepted only to the loopback interface (127.0.0.1, ::1, localhost); use https", raw)
	}
	return bloc.Errorf(bloc.EINVALID, "webhook URL %q: scheme %q is not https (or http to the loopback interface)", raw, u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("push: no randomness: " + err.Error()) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// SignatureHeader is the header carrying a delivery's signature:
//
//	X-Bloc-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The timestamp is signed with the body so that a captured delivery cannot
// be replayed later: receivers refuse signatures older than a tolerance
// (VerifySignature).
const SignatureHeader = "X-Bloc-Signature"

// Sign returns the X-Bloc-Signature value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// DefaultTolerance is how old a signature VerifySignature accepts by default.
const DefaultTolerance = 5 * time.Minute

// VerifySignature is for receivers: it checks an X-Bloc-Signature header
// value against the raw request body, the shared secret and the receiver's
// clock. It fails when the header is malformed, no v1 signature matches
// (compared in constant time; several v1 entries are allowed, e.g. during a
// secret rotation), or the timestamp is more than tolerance away from now
// (zero means DefaultTolerance).
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return bloc.Errorf(bloc.EUNAUTH, "%s is malformed: %q is not key=value", SignatureHeader, part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return bloc.Errorf(bloc.EUNAUTH, "%s is malformed: v1 is not hex", SignatureHeader)
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bloc.Errorf(bloc.EUNAUTH, "%s has no valid t=<unix seconds>", SignatureHeader)
	}
	if len(sigs) == 0 {
		return bloc.Errorf(bloc.EUNAUTH, "%s has no v1 signature", SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return bloc.Errorf(bloc.EUNAUTH, "%s timestamp %d is %s away from now, more than the tolerance %s: a replay, or a clock to fix", SignatureHeader, sec, d.Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return bloc.Errorf(bloc.EUNAUTH, "%s does not match the body: wrong secret, or the body was changed", SignatureHeader)
}

// Backoff is the wait before retry number n (n ≥ 1) of a failed delivery:
// base·2^(n-1), at most max.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n; i++ {
		d *= 2
		if d >= max || d <= 0 {
			return max
		}
	}
	return min(d, max)
}
