package bloc

import (
	"context"
	"time"
)

// IntakeArticle is a news article taken in: where it comes from, its
// headline, a hash of the text as received and the STIX report made of it.
// The text itself is not kept: the proposals quote what matters.
type IntakeArticle struct {
	ID       int64     `json:"id"`
	Source   Source    `json:"source"`
	Headline string    `json:"headline"`
	TextHash string    `json:"text_hash"` // hex SHA-256 of the raw bytes received
	ReportID string    `json:"report"`    // the STIX report's id
	Created  time.Time `json:"created"`
}

// ProposalStatus is where a proposal stands in review.
type ProposalStatus string

const (
	ProposalPending  ProposalStatus = "pending"
	ProposalAccepted ProposalStatus = "accepted"
	ProposalRejected ProposalStatus = "rejected"
)

// Valid reports whether s is a defined status.
func (s ProposalStatus) Valid() bool {
	return s == ProposalPending || s == ProposalAccepted || s == ProposalRejected
}

// IntakeProposal is a membership event an article states, waiting for (or
// having had) the registrar's decision. It keeps what was proposed; an
// accepted proposal points to the record made of it (which holds any edits
// the reviewer made).
type IntakeProposal struct {
	ID         int64          `json:"id"`
	Article    int64          `json:"article"`
	Bloc       string         `json:"bloc"`
	Party      string         `json:"party,omitempty"`
	Kind       Kind           `json:"kind"`
	Date       Date           `json:"date"`
	NewName    string         `json:"new_name,omitempty"`
	Quote      string         `json:"quote"`
	Confidence float64        `json:"confidence"`
	Reason     string         `json:"reason,omitempty"`
	Uncertain  bool           `json:"uncertain,omitempty"`
	Status     ProposalStatus `json:"status"`
	DecidedAt  time.Time      `json:"decided_at,omitzero"`
	DecidedBy  string         `json:"decided_by,omitempty"`
	Note       string         `json:"note,omitempty"`
	RecordID   int64          `json:"record,omitempty"` // the accepted record
}

// ProposalDecision is a reviewer's decision on a pending proposal.
type ProposalDecision struct {
	Status ProposalStatus // accepted or rejected
	By     string
	At     time.Time // zero: now
	Note   string
}

// IntakeStore keeps articles taken in and the proposals made of them.
// Not-found is an *Error with code ENOTFOUND.
type IntakeStore interface {
	// CreateArticle stores an article with its proposals (pending) in one
	// transaction and assigns their ids. If an article with the same text
	// hash and the same source publication date is stored already, it
	// stores nothing and returns that article and its proposals with
	// created false: taking an article in twice proposes nothing twice.
	CreateArticle(ctx context.Context, a IntakeArticle, ps []IntakeProposal) (IntakeArticle, []IntakeProposal, bool, error)
	IntakeArticle(ctx context.Context, id int64) (IntakeArticle, error)
	// IntakeProposal returns one proposal.
	IntakeProposal(ctx context.Context, id int64) (IntakeProposal, error)
	// IntakeProposals lists proposals by id, of one status ("" for all)
	// and one article (0 for all).
	IntakeProposals(ctx context.Context, status ProposalStatus, article int64) ([]IntakeProposal, error)
	// DecideProposal moves a pending proposal to accepted or rejected. It
	// fails with ECONFLICT if the proposal is decided already: a proposal
	// is decided once, whoever comes second.
	DecideProposal(ctx context.Context, id int64, d ProposalDecision) (IntakeProposal, error)
	// SetProposalRecord links an accepted proposal to the record made of it.
	SetProposalRecord(ctx context.Context, id, record int64) error
	// ReopenProposal returns an accepted proposal that has no record yet to
	// pending: the record was refused, so the acceptance did not happen.
	ReopenProposal(ctx context.Context, id int64) error
}
