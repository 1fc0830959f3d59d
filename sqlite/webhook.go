package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/push"
	sqlite3 "modernc.org/sqlite/lib"
)

// What push needs beyond bloc.ExchangeStore: collection high-water marks,
// the token version and webhook subscriptions (migration 0003).
var _ push.Store = (*DB)(nil)

// LastSeq is the highest seq the collection ever gave (kept in the
// collection row, so deleting the newest object does not lower it).
func (db *DB) LastSeq(ctx context.Context, collection string) (int64, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT last_seq FROM collections WHERE id = ?`, collection).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, bloc.Errorf(bloc.ENOTFOUND, "collection %s not found", collection)
	}
	return seq, err
}

// TokenVersion grows whenever a token is revoked, changes expiry or is
// removed (triggers of migration 0003).
func (db *DB) TokenVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.read.QueryRowContext(ctx, `SELECT token_version FROM push_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("token version: %w", err)
	}
	return v, nil
}

const webhookCols = `id, agency, collection, url, secret, max_failures, created, status, last_seq, failures,
	delivered, last_error, last_attempt, last_success, disabled_at, disabled_reason`

// CreateWebhook stores a new webhook subscription.
func (db *DB) CreateWebhook(ctx context.Context, w push.Webhook) error {
	switch {
	case w.ID == "":
		return bloc.Errorf(bloc.EINVALID, "webhook: id is empty")
	case w.URL == "" || w.Secret == "":
		return bloc.Errorf(bloc.EINVALID, "webhook %s: url and secret are required", w.ID)
	case w.MaxFailures < 1:
		return bloc.Errorf(bloc.EINVALID, "webhook %s: max failures %d must be at least 1", w.ID, w.MaxFailures)
	case w.Status != push.WebhookActive && w.Status != push.WebhookDisabled:
		return bloc.Errorf(bloc.EINVALID, "webhook %s: status %q is not active or disabled", w.ID, w.Status)
	}
	if w.Created.IsZero() {
		w.Created = db.Now()
	}
	// Named checks first, so that the error says which reference is unknown.
	if _, err := db.Agency(ctx, w.Agency); err != nil {
		return err
	}
	if _, err := db.Collection(ctx, w.Collection); err != nil {
		return err
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO webhooks (`+webhookCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.Agency, w.Collection, w.URL, w.Secret, w.MaxFailures, storedInstant(w.Created), w.Status, w.LastSeq, w.Failures,
		w.Delivered, w.LastError, nullInstant(w.LastAttempt), nullInstant(w.LastSuccess), nullInstant(w.DisabledAt), w.DisabledReason)
	switch constraintCode(err) {
	case 0:
		return nil
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return bloc.Errorf(bloc.ECONFLICT, "webhook %s exists", w.ID)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return bloc.Errorf(bloc.ENOTFOUND, "webhook %s: agency %q or collection %s not found", w.ID, w.Agency, w.Collection)
	}
	return fmt.Errorf("create webhook %s: %w", w.ID, err)
}

// Webhook returns one webhook subscription.
func (db *DB) Webhook(ctx context.Context, id string) (push.Webhook, error) {
	w, err := scanWebhook(db.read.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, bloc.Errorf(bloc.ENOTFOUND, "webhook %s not found (see `bloc webhook list`)", id)
	}
	return w, err
}

// Webhooks lists every webhook subscription by id.
func (db *DB) Webhooks(ctx context.Context) ([]push.Webhook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ws []push.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

// DeleteWebhook removes a webhook and (by cascade) its delivery log.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return bloc.Errorf(bloc.ENOTFOUND, "webhook %s not found (see `bloc webhook list`)", id)
	}
	return nil
}

// SaveDelivery records one attempt and the webhook's state after it in one
// transaction. Progress never moves backwards.
func (db *DB) SaveDelivery(ctx context.Context, d push.Delivery, s push.WebhookState) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE webhooks SET status = ?, last_seq = MAX(last_seq, ?), failures = ?, delivered = ?,
		last_error = ?, last_attempt = ?, last_success = ?, disabled_at = ?, disabled_reason = ? WHERE id = ?`,
		s.Status, s.LastSeq, s.Failures, s.Delivered, s.LastError, nullInstant(s.LastAttempt), nullInstant(s.LastSuccess),
		nullInstant(s.DisabledAt), s.DisabledReason, d.Webhook)
	if err != nil {
		return fmt.Errorf("save webhook %s state: %w", d.Webhook, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return bloc.Errorf(bloc.ENOTFOUND, "webhook %s not found (removed?)", d.Webhook)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook, seq, object_id, version, attempt, at, http_status, ok, error, duration_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Webhook, d.Seq, d.ObjectID, d.Version, d.Attempt, storedInstant(d.At), d.Status, d.OK, d.Error, int64(d.Duration)); err != nil {
		return fmt.Errorf("record delivery to webhook %s: %w", d.Webhook, err)
	}
	return tx.Commit()
}

// AdvanceWebhook moves progress forward to seq without a delivery.
func (db *DB) AdvanceWebhook(ctx context.Context, id string, seq int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE webhooks SET last_seq = MAX(last_seq, ?) WHERE id = ?`, seq, id)
	if err != nil {
		return fmt.Errorf("advance webhook %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return bloc.Errorf(bloc.ENOTFOUND, "webhook %s not found (removed?)", id)
	}
	return nil
}

// Deliveries lists a webhook's latest attempts, newest first.
func (db *DB) Deliveries(ctx context.Context, webhook string, limit int) ([]push.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT webhook, seq, object_id, version, attempt, at, http_status, ok, error, duration_ns
		FROM webhook_deliveries WHERE webhook = ? ORDER BY pk DESC LIMIT ?`, webhook, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []push.Delivery
	for rows.Next() {
		var d push.Delivery
		var at string
		var dur int64
		if err := rows.Scan(&d.Webhook, &d.Seq, &d.ObjectID, &d.Version, &d.Attempt, &at, &d.Status, &d.OK, &d.Error, &dur); err != nil {
			return nil, err
		}
		if d.At, err = parseStoredInstant(at); err != nil {
			return nil, err
		}
		d.Duration = time.Duration(dur)
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

func scanWebhook(r interface{ Scan(...any) error }) (push.Webhook, error) {
	var w push.Webhook
	var created string
	var lastAttempt, lastSuccess, disabledAt sql.NullString
	if err := r.Scan(&w.ID, &w.Agency, &w.Collection, &w.URL, &w.Secret, &w.MaxFailures, &created, &w.Status, &w.LastSeq,
		&w.Failures, &w.Delivered, &w.LastError, &lastAttempt, &lastSuccess, &disabledAt, &w.DisabledReason); err != nil {
		return push.Webhook{}, err
	}
	var err error
	if w.Created, err = parseStoredInstant(created); err != nil {
		return w, err
	}
	for _, f := range []struct {
		s   sql.NullString
		dst *time.Time
	}{{lastAttempt, &w.LastAttempt}, {lastSuccess, &w.LastSuccess}, {disabledAt, &w.DisabledAt}} {
		if f.s.Valid {
			if *f.dst, err = parseStoredInstant(f.s.String); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}
