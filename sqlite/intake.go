package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Articles taken in and their proposals (migration 0004).
var _ bloc.IntakeStore = (*DB)(nil)

const articleCols = `id, source_title, source_publisher, source_url, source_published, source_published_precision,
	headline, text_hash, report_id, created`

const proposalCols = `id, article_id, bloc, party, kind, date, date_precision, new_name, quote, confidence, reason,
	uncertain, status, decided_at, decided_by, note, record_id`

// CreateArticle stores a with its proposals, or returns the article already
// stored under the same text hash and publication date; see
// bloc.IntakeStore.
func (db *DB) CreateArticle(ctx context.Context, a bloc.IntakeArticle, ps []bloc.IntakeProposal) (bloc.IntakeArticle, []bloc.IntakeProposal, bool, error) {
	if err := checkArticle(a); err != nil {
		return bloc.IntakeArticle{}, nil, false, err
	}
	for i := range ps {
		if err := checkProposal(ps[i], i); err != nil {
			return bloc.IntakeArticle{}, nil, false, err
		}
	}
	if a.Created.IsZero() {
		a.Created = db.Now()
	}
	a.Source.Published.Start = a.Source.Published.Start.UTC()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: %w", err)
	}
	defer tx.Rollback()
	pd, pp := dateArgs(a.Source.Published)
	published := ""
	if pd != nil {
		published = pd.(string)
	}
	// The lookup runs in the write transaction, so two intakes of the same
	// article cannot both miss it.
	existing, err := scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleCols+` FROM intake_articles
		WHERE text_hash = ? AND COALESCE(source_published, '') = ?`, a.TextHash, published))
	switch {
	case err == nil:
		tx.Rollback()
		eps, err := db.IntakeProposals(ctx, "", existing.ID)
		return existing, eps, false, err
	case !errors.Is(err, sql.ErrNoRows):
		return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO intake_articles (source_title, source_publisher, source_url,
		source_published, source_published_precision, headline, text_hash, report_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		text(a.Source.Title), text(a.Source.Publisher), text(a.Source.URL), pd, pp, a.Headline, a.TextHash, a.ReportID, formatInstant(a.Created))
	if err != nil {
		return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: storing the article: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: %w", err)
	}
	out := make([]bloc.IntakeProposal, len(ps))
	for i, p := range ps {
		p.Article, p.Status = a.ID, bloc.ProposalPending
		p.DecidedAt, p.DecidedBy, p.Note, p.RecordID = time.Time{}, "", "", 0
		p.Date.Start = p.Date.Start.UTC()
		dd, dp := dateArgs(p.Date)
		res, err := tx.ExecContext(ctx, `INSERT INTO intake_proposals (article_id, bloc, party, kind, date, date_precision,
			new_name, quote, confidence, reason, uncertain, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
			a.ID, p.Bloc, text(p.Party), string(p.Kind), dd, dp, text(p.NewName), p.Quote, p.Confidence, text(p.Reason), p.Uncertain)
		if err != nil {
			return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: storing proposal %d: %w", i+1, err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: %w", err)
		}
		out[i] = p
	}
	if err := tx.Commit(); err != nil {
		return bloc.IntakeArticle{}, nil, false, fmt.Errorf("intake: %w", err)
	}
	return a, out, true, nil
}

func checkArticle(a bloc.IntakeArticle) error {
	switch {
	case len(a.TextHash) != 64 || strings.Trim(a.TextHash, "0123456789abcdef") != "":
		return bloc.Errorf(bloc.EINVALID, "intake article: text hash %q is not a hex SHA-256", a.TextHash)
	case a.ReportID == "":
		return bloc.Errorf(bloc.EINVALID, "intake article: no STIX report id")
	}
	if err := checkDate(a.Source.Published); err != nil {
		return bloc.Errorf(bloc.EINVALID, "intake article: source published: %v", err)
	}
	return nil
}

func checkProposal(p bloc.IntakeProposal, i int) error {
	where := fmt.Sprintf("intake proposal %d", i+1)
	switch {
	case p.Bloc == "":
		return bloc.Errorf(bloc.EINVALID, "%s: no bloc", where)
	case !p.Kind.Valid():
		return bloc.Errorf(bloc.EINVALID, "%s: unknown kind %q", where, p.Kind)
	case p.Date.IsZero():
		return bloc.Errorf(bloc.EINVALID, "%s: no date", where)
	case p.Quote == "":
		return bloc.Errorf(bloc.EINVALID, "%s: no quote", where)
	case p.Confidence < 0 || p.Confidence > 1:
		return bloc.Errorf(bloc.EINVALID, "%s: confidence %v is outside 0 to 1", where, p.Confidence)
	}
	if err := checkDate(p.Date); err != nil {
		return bloc.Errorf(bloc.EINVALID, "%s: date: %v", where, err)
	}
	return nil
}

// IntakeArticle returns one article, or ENOTFOUND.
func (db *DB) IntakeArticle(ctx context.Context, id int64) (bloc.IntakeArticle, error) {
	a, err := scanArticle(db.read.QueryRowContext(ctx, `SELECT `+articleCols+` FROM intake_articles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bloc.IntakeArticle{}, bloc.Errorf(bloc.ENOTFOUND, "no article art-%d (see `bloc intake list`)", id)
	}
	return a, err
}

// IntakeProposal returns one proposal, or ENOTFOUND.
func (db *DB) IntakeProposal(ctx context.Context, id int64) (bloc.IntakeProposal, error) {
	return intakeProposal(ctx, db.read, id)
}

func intakeProposal(ctx context.Context, q querier, id int64) (bloc.IntakeProposal, error) {
	p, err := scanProposal(q.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM intake_proposals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bloc.IntakeProposal{}, bloc.Errorf(bloc.ENOTFOUND, "no proposal prop-%d (see `bloc intake list`)", id)
	}
	return p, err
}

// IntakeProposals lists proposals by id, filtered by status and article.
func (db *DB) IntakeProposals(ctx context.Context, status bloc.ProposalStatus, article int64) ([]bloc.IntakeProposal, error) {
	if status != "" && !status.Valid() {
		return nil, bloc.Errorf(bloc.EINVALID, "status %q: use pending, accepted or rejected", status)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+proposalCols+` FROM intake_proposals
		WHERE (? = '' OR status = ?) AND (? = 0 OR article_id = ?) ORDER BY id`, string(status), string(status), article, article)
	if err != nil {
		return nil, fmt.Errorf("intake proposals: %w", err)
	}
	defer rows.Close()
	var ps []bloc.IntakeProposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake proposals: %w", err)
	}
	return ps, nil
}

// DecideProposal moves a pending proposal to accepted or rejected; the
// conditional UPDATE makes the first decision the only one.
func (db *DB) DecideProposal(ctx context.Context, id int64, d bloc.ProposalDecision) (bloc.IntakeProposal, error) {
	if d.Status != bloc.ProposalAccepted && d.Status != bloc.ProposalRejected {
		return bloc.IntakeProposal{}, bloc.Errorf(bloc.EINVALID, "a decision accepts or rejects; %q is neither", d.Status)
	}
	if d.At.IsZero() {
		d.At = db.Now()
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return bloc.IntakeProposal{}, fmt.Errorf("decide proposal: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE intake_proposals SET status = ?, decided_at = ?, decided_by = ?, note = ?
		WHERE id = ? AND status = 'pending'`, string(d.Status), formatInstant(d.At), text(d.By), text(d.Note), id)
	if err != nil {
		return bloc.IntakeProposal{}, fmt.Errorf("decide proposal prop-%d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return bloc.IntakeProposal{}, fmt.Errorf("decide proposal prop-%d: %w", id, err)
	}
	p, err := intakeProposal(ctx, tx, id)
	if err != nil {
		return bloc.IntakeProposal{}, err
	}
	if n == 0 {
		by := ""
		if p.DecidedBy != "" {
			by = " by " + p.DecidedBy
		}
		return bloc.IntakeProposal{}, bloc.Errorf(bloc.ECONFLICT, "proposal prop-%d was %s%s at %s; a proposal is decided once",
			id, p.Status, by, bloc.FormatInstant(p.DecidedAt))
	}
	if err := tx.Commit(); err != nil {
		return bloc.IntakeProposal{}, fmt.Errorf("decide proposal prop-%d: %w", id, err)
	}
	return p, nil
}

// SetProposalRecord links an accepted proposal to its record.
func (db *DB) SetProposalRecord(ctx context.Context, id, record int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE intake_proposals SET record_id = ? WHERE id = ? AND status = 'accepted' AND record_id IS NULL`, record, id)
	if constraintCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return bloc.Errorf(bloc.ENOTFOUND, "proposal prop-%d: no record %d", id, record)
	}
	if err != nil {
		return fmt.Errorf("proposal prop-%d record: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("proposal prop-%d record: %w", id, err)
		}
		if _, err := db.IntakeProposal(ctx, id); err != nil {
			return err
		}
		return bloc.Errorf(bloc.ECONFLICT, "proposal prop-%d is not an accepted proposal without a record", id)
	}
	return nil
}

// ReopenProposal returns an accepted proposal without a record to pending.
func (db *DB) ReopenProposal(ctx context.Context, id int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE intake_proposals SET status = 'pending', decided_at = NULL, decided_by = NULL, note = NULL
		WHERE id = ? AND status = 'accepted' AND record_id IS NULL`, id)
	if err != nil {
		return fmt.Errorf("reopen proposal prop-%d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("reopen proposal prop-%d: %w", id, err)
		}
		if _, err := db.IntakeProposal(ctx, id); err != nil {
			return err
		}
		return bloc.Errorf(bloc.ECONFLICT, "proposal prop-%d is not an accepted proposal without a record; only such a proposal reopens", id)
	}
	return nil
}

func scanArticle(r interface{ Scan(...any) error }) (bloc.IntakeArticle, error) {
	var a bloc.IntakeArticle
	var pd, pp, created string
	if err := r.Scan(&a.ID, optional{&a.Source.Title}, optional{&a.Source.Publisher}, optional{&a.Source.URL}, optional{&pd}, optional{&pp},
		&a.Headline, &a.TextHash, &a.ReportID, &created); err != nil {
		return a, err
	}
	var err error
	if a.Source.Published, err = parseDate(pd, pp); err != nil {
		return a, fmt.Errorf("article art-%d published: %w", a.ID, err)
	}
	if a.Created, err = parseInstant(created); err != nil {
		return a, fmt.Errorf("article art-%d created: %w", a.ID, err)
	}
	return a, nil
}

func scanProposal(r interface{ Scan(...any) error }) (bloc.IntakeProposal, error) {
	var p bloc.IntakeProposal
	var kind, dd, dp, status, decided string
	if err := r.Scan(&p.ID, &p.Article, &p.Bloc, optional{&p.Party}, &kind, &dd, &dp, optional{&p.NewName}, &p.Quote, &p.Confidence,
		optional{&p.Reason}, &p.Uncertain, &status, optional{&decided}, optional{&p.DecidedBy}, optional{&p.Note}, optionalID{&p.RecordID}); err != nil {
		return p, err
	}
	p.Kind, p.Status = bloc.Kind(kind), bloc.ProposalStatus(status)
	var err error
	if p.Date, err = parseDate(dd, dp); err != nil {
		return p, fmt.Errorf("proposal prop-%d date: %w", p.ID, err)
	}
	if decided != "" {
		if p.DecidedAt, err = parseInstant(decided); err != nil {
			return p, fmt.Errorf("proposal prop-%d decided_at: %w", p.ID, err)
		}
	}
	return p, nil
}
