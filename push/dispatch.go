package push

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
)

// webhookPage is how many object versions a webhook worker reads at once.
const webhookPage = 100

// dispatcher runs one worker per active webhook subscription. A worker
// delivers its subscription's objects one at a time in Seq order, so
// order is kept per subscription; its progress (the last delivered Seq)
// is stored with every delivery, so a restart resumes where it stopped
// (delivery is at least once: a crash between a receiver's 2xx and the
// store's commit repeats that one object).
type dispatcher struct {
	s       *Server
	mu      sync.Mutex
	workers map[string]*worker
	wg      sync.WaitGroup
}

type worker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func newDispatcher(s *Server) *dispatcher {
	return &dispatcher{s: s, workers: make(map[string]*worker)}
}

// run reloads the subscriptions every Poll until ctx is done, then stops
// every worker and waits for them.
func (d *dispatcher) run(ctx context.Context) {
	tick := time.NewTicker(d.s.cfg.Webhooks.Poll)
	defer tick.Stop()
	for {
		d.reload(ctx)
		select {
		case <-ctx.Done():
			d.mu.Lock()
			for _, w := range d.workers {
				w.cancel()
			}
			d.mu.Unlock()
			d.wg.Wait()
			return
		case <-tick.C:
		}
	}
}

// reload starts a worker for each active subscription without one and
// stops the workers of subscriptions removed or disabled.
func (d *dispatcher) reload(ctx context.Context) {
	hooks, err := d.s.store.Webhooks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.s.log.Warn("push: listing webhooks", "err", err)
		}
		return
	}
	active := make(map[string]bool, len(hooks))
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, w := range d.workers {
		select {
		case <-w.done: // ended by itself (disabled or removed)
			delete(d.workers, id)
		default:
		}
	}
	for _, h := range hooks {
		if h.Status != WebhookActive {
			continue
		}
		active[h.ID] = true
		if d.workers[h.ID] != nil {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{cancel: cancel, done: make(chan struct{})}
		d.workers[h.ID] = w
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer close(w.done)
			d.work(wctx, h)
		}()
	}
	for id, w := range d.workers {
		if !active[id] {
			w.cancel()
			delete(d.workers, id)
		}
	}
}

// work delivers one subscription until it is disabled, removed or ctx ends.
func (d *dispatcher) work(ctx context.Context, h Webhook) {
	s := d.s
	wake, stop := s.hub.Wake(h.Collection)
	defer stop()
	c, err := s.store.Collection(ctx, h.Collection)
	if err != nil {
		s.log.Warn("push: webhook collection", "webhook", h.ID, "err", err)
		return
	}
	agency, err := s.store.Agency(ctx, h.Agency)
	if err != nil {
		s.log.Warn("push: webhook agency", "webhook", h.ID, "err", err)
		return
	}
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		objs, err := s.store.Objects(ctx, bloc.ObjectQuery{Collection: h.Collection, AfterSeq: h.LastSeq, Versions: []string{"all"}, Limit: webhookPage})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("push: webhook reading objects", "webhook", h.ID, "err", err)
			objs = nil
		}
		passed := int64(0) // objects passed over since the last stored progress
		for _, o := range objs {
			ok, err := d.readable(ctx, agency, c, o)
			if err != nil {
				// Undecided is not unreadable: try again after the idle wait.
				s.log.Warn("push: webhook reading the record", "webhook", h.ID, "err", err)
				break
			}
			if !ok {
				h.LastSeq, passed = o.Seq, o.Seq
				continue
			}
			if passed != 0 {
				if !d.advance(ctx, h.ID, passed) {
					return
				}
				passed = 0
			}
			if !d.deliver(ctx, &h, agency, c, o) {
				return
			}
		}
		if passed != 0 && !d.advance(ctx, h.ID, passed) {
			return
		}
		if len(objs) == webhookPage {
			continue
		}
		if !idle.Stop() {
			select {
			case <-idle.C:
			default:
			}
		}
		idle.Reset(s.cfg.Webhooks.IdleRead)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-idle.C:
		}
	}
}

// readable decides, at this instant, whether the subscription's agency may
// read o: access is checked per delivery, like every read.
func (d *dispatcher) readable(ctx context.Context, a bloc.Agency, c bloc.Collection, o bloc.Object) (bool, error) {
	pos, err := d.s.guard.Position(ctx, c.Bloc, a.Party, d.s.now())
	if err != nil {
		return false, err
	}
	r := access.Reader{Agency: a, Role: bloc.RoleRead, Standing: pos.Standing, Certain: pos.Certain,
		Before: pos.Before, After: pos.After, Scope: pos.Scope}
	return access.CanRead(r, c, o), nil
}

func (d *dispatcher) advance(ctx context.Context, id string, seq int64) bool {
	if err := d.s.store.AdvanceWebhook(ctx, id, seq); err != nil {
		if ctx.Err() == nil && bloc.ErrorCode(err) != bloc.ENOTFOUND {
			d.s.log.Warn("push: webhook progress", "webhook", id, "err", err)
		}
		return false
	}
	return true
}

// deliver POSTs o until the receiver accepts it (true), or the webhook is
// disabled, removed or stopped (false). Each attempt is recorded. An object
// that stops being readable between attempts is passed over.
func (d *dispatcher) deliver(ctx context.Context, h *Webhook, a bloc.Agency, c bloc.Collection, o bloc.Object) bool {
	s := d.s
	wc := s.cfg.Webhooks
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			ok, err := d.readable(ctx, a, c, o)
			if err != nil {
				// Undecided: neither send it nor pass it over; wait and retry.
				s.log.Warn("push: webhook reading the record", "webhook", h.ID, "err", err)
				if !d.wait(ctx, Backoff(attempt, wc.BackoffBase, wc.BackoffMax)) {
					return false
				}
				continue
			}
			if !ok {
				h.LastSeq = o.Seq
				return d.advance(ctx, h.ID, o.Seq)
			}
		}
		start := s.now()
		status, err := d.post(ctx, h, o, start)
		if ctx.Err() != nil {
			return false
		}
		dl := Delivery{Webhook: h.ID, Seq: o.Seq, ObjectID: o.ID, Version: o.Version, Attempt: attempt,
			At: start, Status: status, OK: err == nil, Duration: s.now().Sub(start)}
		h.LastAttempt = start
		if err == nil {
			h.LastSeq, h.Failures, h.LastError, h.LastSuccess = o.Seq, 0, "", start
			h.Delivered++
		} else {
			dl.Error = err.Error()
			h.Failures++
			h.LastError = dl.Error
			if h.Failures >= h.MaxFailures {
				h.Status, h.DisabledAt = WebhookDisabled, start
				h.DisabledReason = fmt.Sprintf("disabled after %d consecutive failed deliveries; the last: %s", h.Failures, dl.Error)
			}
		}
		if serr := s.store.SaveDelivery(ctx, dl, h.WebhookState); serr != nil {
			if ctx.Err() == nil && bloc.ErrorCode(serr) != bloc.ENOTFOUND {
				s.log.Warn("push: recording a webhook delivery", "webhook", h.ID, "err", serr)
			}
			return false
		}
		if err == nil {
			return true
		}
		if h.Status == WebhookDisabled {
			s.log.Warn("push: webhook disabled", "webhook", h.ID, "url", h.URL, "reason", h.DisabledReason)
			return false
		}
		if !d.wait(ctx, Backoff(attempt, wc.BackoffBase, wc.BackoffMax)) {
			return false
		}
	}
}

// wait sleeps for d, or until ctx is done (false).
func (d *dispatcher) wait(ctx context.Context, dur time.Duration) bool {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// post sends one signed delivery. Only a 2xx answer is success.
func (d *dispatcher) post(ctx context.Context, h *Webhook, o bloc.Object, at time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(o.Raw))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/stix+json;version=2.1")
	req.Header.Set("User-Agent", "bloc-webhook/1")
	req.Header.Set(SignatureHeader, Sign(h.Secret, at, o.Raw))
	req.Header.Set("X-Bloc-Webhook", h.ID)
	req.Header.Set("X-Bloc-Collection", h.Collection)
	req.Header.Set("X-Bloc-Event-Id", strconv.FormatInt(o.Seq, 10))
	resp, err := d.s.cfg.Webhooks.Client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
