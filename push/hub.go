package push

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/blocsec/bloc"
)

// Publisher is where newly stored object versions go. The in-process Hub is
// one; a cross-node notifier (PostgreSQL LISTEN/NOTIFY) is another: its
// Publish tells the other nodes, and each node's listener hands what it
// hears to its own Hub. Streams and webhooks only ever subscribe to a Hub,
// so adding such a notifier changes no stream code.
//
// Publish must not block on subscribers: it is called on the write path,
// after the objects are committed, with the objects of one store call in
// Seq order.
type Publisher interface {
	Publish(ctx context.Context, collection string, objs []bloc.Object)
}

// Batch is one Publish: object versions of one collection, in Seq order.
// Subscribers share it and must not modify it.
type Batch struct {
	Collection string
	Objects    []bloc.Object
}

// Overflow is the end reason of a subscription whose buffer filled.
const Overflow = "overflow"

// Hub fans published batches out to the subscribers of each collection, in
// process. Every subscriber has a bounded buffer; a subscriber whose buffer
// is full when a batch arrives is ended (reason Overflow) instead of being
// waited for, so that a slow reader never delays the writer or the others.
// It resumes from its last event id and loses nothing.
type Hub struct {
	mu     sync.RWMutex
	topics map[string]*topic

	published atomic.Int64 // batches published
	overflows atomic.Int64 // subscriptions ended by overflow
}

type topic struct {
	subs   map[*Subscription]struct{}
	wakers map[chan struct{}]struct{}
}

// NewHub returns an empty Hub.
func NewHub() *Hub { return &Hub{topics: make(map[string]*topic)} }

var _ Publisher = (*Hub)(nil)

// Publish delivers objs to every subscriber of collection without blocking.
// Empty batches are dropped.
func (h *Hub) Publish(_ context.Context, collection string, objs []bloc.Object) {
	if len(objs) == 0 {
		return
	}
	b := &Batch{Collection: collection, Objects: objs}
	h.published.Add(1)
	h.mu.RLock()
	defer h.mu.RUnlock()
	t := h.topics[collection]
	if t == nil {
		return
	}
	for s := range t.subs {
		if s.ended.Load() {
			continue
		}
		select {
		case s.c <- b:
		default:
			if s.end(Overflow) {
				h.overflows.Add(1)
			}
		}
	}
	for w := range t.wakers {
		select {
		case w <- struct{}{}:
		default: // already signalled: the waker reads the store anyway
		}
	}
}

// Subscribe registers a subscriber of collection with room for buffer
// unread batches (at least 1). The caller must Close it.
func (h *Hub) Subscribe(collection string, buffer int) *Subscription {
	s := &Subscription{hub: h, collection: collection, c: make(chan *Batch, max(buffer, 1)), done: make(chan struct{})}
	h.mu.Lock()
	h.topic(collection).subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Wake returns a channel that receives a signal (coalesced: at most one
// pending) whenever something is published to collection, and a function
// that stops it. It is for readers that fetch from the store themselves
// (webhook workers) and only need to know when to look.
func (h *Hub) Wake(collection string) (<-chan struct{}, func()) {
	w := make(chan struct{}, 1)
	h.mu.Lock()
	h.topic(collection).wakers[w] = struct{}{}
	h.mu.Unlock()
	return w, func() {
		h.mu.Lock()
		if t := h.topics[collection]; t != nil {
			delete(t.wakers, w)
			h.dropIfEmpty(collection, t)
		}
		h.mu.Unlock()
	}
}

// topic returns collection's topic, creating it; h.mu must be held.
func (h *Hub) topic(collection string) *topic {
	t := h.topics[collection]
	if t == nil {
		t = &topic{subs: make(map[*Subscription]struct{}), wakers: make(map[chan struct{}]struct{})}
		h.topics[collection] = t
	}
	return t
}

func (h *Hub) dropIfEmpty(collection string, t *topic) {
	if len(t.subs) == 0 && len(t.wakers) == 0 {
		delete(h.topics, collection)
	}
}

// HubStats counts what a Hub has done, for metrics and benchmarks.
type HubStats struct {
	Subscribers int   // open subscriptions
	Published   int64 // batches published
	Overflows   int64 // subscriptions ended because their buffer was full
}

// Stats returns the hub's counters.
func (h *Hub) Stats() HubStats {
	h.mu.RLock()
	n := 0
	for _, t := range h.topics {
		n += len(t.subs)
	}
	h.mu.RUnlock()
	return HubStats{Subscribers: n, Published: h.published.Load(), Overflows: h.overflows.Load()}
}

// Subscription is one subscriber of a Hub.
type Subscription struct {
	hub        *Hub
	collection string
	c          chan *Batch
	done       chan struct{}
	ended      atomic.Bool
	reason     atomic.Value // string
	closeOnce  sync.Once
}

// C delivers the published batches in the order they were published.
func (s *Subscription) C() <-chan *Batch { return s.c }

// Done is closed when the hub ended the subscription (see Reason).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Reason says why the hub ended the subscription ("" while it has not).
func (s *Subscription) Reason() string {
	r, _ := s.reason.Load().(string)
	return r
}

// end ends the subscription once; it reports whether this call ended it.
func (s *Subscription) end(reason string) bool {
	if !s.ended.CompareAndSwap(false, true) {
		return false
	}
	s.reason.Store(reason)
	close(s.done)
	return true
}

// Close removes the subscription from the hub. Its channels are left to
// the garbage collector: closing them could race a concurrent Publish.
func (s *Subscription) Close() {
	s.closeOnce.Do(func() {
		s.ended.Store(true)
		h := s.hub
		h.mu.Lock()
		if t := h.topics[s.collection]; t != nil {
			delete(t.subs, s)
			h.dropIfEmpty(s.collection, t)
		}
		h.mu.Unlock()
	})
}
