package push

import (
	"context"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/standing"
)

// Store is what push reads and keeps. The sqlite store implements it (its
// webhook.go holds the additions to bloc.ExchangeStore).
type Store interface {
	bloc.ExchangeStore
	// RecordVersion changes whenever a record is appended (bloc.RecordStore).
	RecordVersion(ctx context.Context) (int64, error)
	// LastSeq is the highest Seq a collection has ever given (0 when none):
	// where a stream without a resume point starts.
	LastSeq(ctx context.Context, collection string) (int64, error)
	// TokenVersion changes whenever a token is revoked, changes expiry or
	// is removed, on any node: the guard polls it to know when to look at
	// the tokens of open streams again.
	TokenVersion(ctx context.Context) (int64, error)
	WebhookStore
}

// WebhookStore keeps webhook subscriptions and their deliveries.
type WebhookStore interface {
	// CreateWebhook stores a new subscription (ECONFLICT if the id exists,
	// ENOTFOUND for an unknown agency or collection).
	CreateWebhook(ctx context.Context, w Webhook) error
	Webhook(ctx context.Context, id string) (Webhook, error)
	// Webhooks lists every subscription, ordered by id.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// DeleteWebhook removes a subscription and its delivery log.
	DeleteWebhook(ctx context.Context, id string) error
	// SaveDelivery records one delivery attempt and the subscription's
	// state after it, in one transaction (ENOTFOUND if it was removed).
	SaveDelivery(ctx context.Context, d Delivery, state WebhookState) error
	// AdvanceWebhook moves a subscription's progress to seq without a
	// delivery (objects its agency may not read are passed over). It never
	// moves progress backwards.
	AdvanceWebhook(ctx context.Context, id string, seq int64) error
	// Deliveries lists a subscription's latest attempts, newest first.
	Deliveries(ctx context.Context, webhook string, limit int) ([]Delivery, error)
}

// Record gives the membership record one bloc at a time; registry.Service
// is one. The guard reads the roster of a bloc when a stream is first
// opened in it and again only when the record version changed; every
// decision and every next transition is then answered from the rosters in
// memory, never from the whole record.
type Record interface {
	// Roster is the bloc's roster at the current record version
	// (ENOTFOUND for an unknown bloc).
	Roster(ctx context.Context, bloc string) (*standing.Roster, error)
}
