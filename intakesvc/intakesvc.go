// Package intakesvc takes news articles in for the registrar: it runs the
// pure intake package (parse, extract, STIX report), compares each proposal
// with the membership record, keeps the article and its proposals for
// review, and optionally stores the report's STIX objects in a collection.
// Accepting a proposal records the event through the registry service with
// the article as its source and the sentence as its quote; a proposal is
// decided once.
package intakesvc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/intake"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/standing"
	"github.com/blocsec/bloc/stix"
)

// Store is what intake keeps its results in.
type Store interface {
	bloc.Store
	bloc.IntakeStore
}

// Service takes articles in and decides their proposals.
type Service struct {
	store Store
	reg   *registry.Service
	now   func() time.Time
	// OnStored, when set, is told of STIX objects an intake stored (for
	// push delivery, as the TAXII server does after a POST).
	OnStored func(c bloc.Collection, objs []bloc.Object)
}

// New returns a Service over store, recording accepted events through reg.
func New(store Store, reg *registry.Service) *Service {
	return &Service{store: store, reg: reg, now: func() time.Time { return time.Now().UTC() }}
}

// Options are what the caller knows about the article and where its STIX
// objects go.
type Options struct {
	intake.Options
	// Collection, when set, receives the report, identities and locations,
	// marked TLP:CLEAR and produced by Agency.
	Collection string
	Agency     string
}

// Result is the answer to an intake: its JSON is the documented output of
// `bloc intake --json` and of POST /api/v1/intake.
type Result struct {
	Article   string         `json:"article"` // art-N
	Created   bool           `json:"created"` // false when the same article was taken in before
	Report    map[string]any `json:"report"`
	Proposals []ProposalView `json:"proposals"`
	Stored    *StoredView    `json:"stored,omitempty"` // with a collection
	// objects are the report's STIX objects, report first (for the text view).
	objects []map[string]any
}

// Objects returns every STIX object of the report, report first.
func (r Result) Objects() []map[string]any { return r.objects }

// StoredView says what became of the STIX objects in the collection.
type StoredView struct {
	Collection string   `json:"collection"`
	Agency     string   `json:"agency"`
	Stored     []string `json:"stored"`  // ids written by this intake
	Already    []string `json:"already"` // ids whose version the collection held
	Refused    []string `json:"refused,omitempty"`
}

// ProposalView is a proposal as the reviewer sees it: what the article
// states, how it compares with the record now, and its review status.
type ProposalView struct {
	ID         string         `json:"id"` // prop-N
	Article    string         `json:"article"`
	Bloc       string         `json:"bloc"`
	Party      string         `json:"party,omitempty"`
	Kind       bloc.Kind      `json:"kind"`
	Date       string         `json:"date"`
	Precision  bloc.Precision `json:"precision"`
	NewName    string         `json:"new_name,omitempty"`
	Quote      string         `json:"quote"`
	Confidence float64        `json:"confidence"`
	Reason     string         `json:"reason,omitempty"`
	Uncertain  bool           `json:"uncertain,omitempty"`
	// Compared is how the proposal relates to the record: new, recorded
	// (a new attestation of an event with the same date), refinement (a
	// more or less precise date inside the event's window) or
	// disagreement (the same fact, dated differently).
	Compared standing.Relation `json:"compared"`
	Event    int64             `json:"event,omitempty"` // the matching event
	// Existing lists the matching event's attestations (their dates and
	// sources), so that a disagreement shows both sides.
	Existing  []Attestation       `json:"existing,omitempty"`
	Status    bloc.ProposalStatus `json:"status"`
	DecidedAt string              `json:"decided_at,omitempty"`
	DecidedBy string              `json:"decided_by,omitempty"`
	Note      string              `json:"note,omitempty"`
	Record    int64               `json:"record,omitempty"`
}

// Attestation is one recorded source of an event.
type Attestation struct {
	Record int64       `json:"record"`
	Date   string      `json:"date"`
	Source bloc.Source `json:"source"`
	Quote  string      `json:"quote,omitempty"`
}

// ArticleView is an article with its proposals.
type ArticleView struct {
	ID        string         `json:"id"` // art-N
	Headline  string         `json:"headline"`
	Source    bloc.Source    `json:"source"`
	TextHash  string         `json:"text_hash"`
	Report    string         `json:"report"`
	Created   string         `json:"created"`
	Proposals []ProposalView `json:"proposals"`
}

// Intake parses raw (plain text or HTML), extracts the proposals, compares
// them with the record, stores the article and its proposals for review
// and, with opt.Collection, the STIX objects. Taking the same article in
// again stores nothing new and shows the stored proposals with their
// review status.
func (s *Service) Intake(ctx context.Context, raw []byte, opt Options) (Result, error) {
	if strings.TrimSpace(string(raw)) == "" {
		return Result{}, bloc.Errorf(bloc.EINVALID, "the article is empty: give its text (plain text or HTML)")
	}
	if (opt.Collection == "") != (opt.Agency == "") {
		return Result{}, bloc.Errorf(bloc.EINVALID, "a collection and a producing agency go together: give both or neither")
	}
	art := intake.Parse(raw, opt.Options)
	if art.Headline == "" && art.Lead == "" && art.Body == "" {
		return Result{}, bloc.Errorf(bloc.EINVALID, "the article has no text once markup and page chrome are removed")
	}
	props := intake.Extract(art)

	// Check where the objects go before writing anything.
	var dest *destination
	createdBy := ""
	if opt.Collection != "" {
		d, err := s.destination(ctx, opt.Collection, opt.Agency)
		if err != nil {
			return Result{}, err
		}
		dest, createdBy = d, d.agency.Identity
	}
	objs := intake.Report(art, props, createdBy)
	if dest != nil {
		for _, o := range objs {
			o["object_marking_refs"] = []string{stix.TLP2Clear}
		}
	}
	report := objs[0]

	sum := sha256.Sum256(raw)
	a := bloc.IntakeArticle{
		Source:   bloc.Source{Title: art.SourceTitle, Publisher: art.Publisher, URL: art.URL},
		Headline: art.Headline, TextHash: hex.EncodeToString(sum[:]), ReportID: report["id"].(string),
		Created: s.now(),
	}
	// An inferred year is a guess: the source's publication date is left
	// unstated rather than recorded as fact (the proposals say Uncertain).
	if !art.PublishedInferred {
		a.Source.Published = art.Published
	}
	ps := make([]bloc.IntakeProposal, len(props))
	for i, p := range props {
		ps[i] = bloc.IntakeProposal{Bloc: p.Bloc, Party: p.Party, Kind: p.Kind, Date: p.Date, NewName: p.NewName,
			Quote: p.Quote, Confidence: p.Confidence, Reason: p.Reason, Uncertain: p.Uncertain}
	}
	stored, storedPs, created, err := s.store.CreateArticle(ctx, a, ps)
	if err != nil {
		return Result{}, err
	}
	views, err := s.views(ctx, storedPs)
	if err != nil {
		return Result{}, err
	}
	res := Result{Article: ArticleID(stored.ID), Created: created, Report: report, Proposals: views, objects: objs}
	if dest != nil {
		if res.Stored, err = s.storeObjects(ctx, dest, objs); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// destination is a collection with the agency that produces into it.
type destination struct {
	coll   bloc.Collection
	agency bloc.Agency
	reader access.Reader
}

// destination checks that agency may write to collection now, by the same
// rule as a TAXII write: a member party's agency.
func (s *Service) destination(ctx context.Context, collection, agency string) (*destination, error) {
	c, err := s.store.Collection(ctx, collection)
	if err != nil {
		return nil, err
	}
	ag, err := s.store.Agency(ctx, agency)
	if err != nil {
		return nil, err
	}
	pos, err := s.reg.Position(ctx, c.Bloc, ag.Party, s.now())
	if err != nil {
		return nil, err
	}
	r := access.ReaderOf(ag, bloc.RoleRegistrar, pos)
	if d := access.WriteCollection(r, c); !d.Allow {
		return nil, bloc.Errorf(bloc.EFORBIDDEN, "agency %s may not write to collection %s (%s): %s", ag.ID, c.ID, c.Title, d.Reason)
	}
	return &destination{coll: c, agency: ag, reader: r}, nil
}

// storeObjects writes the STIX objects as the agency would over TAXII:
// validated, a version already held is skipped (re-intake is idempotent, the
// ids being derived), and ownership of each id is respected.
func (s *Service) storeObjects(ctx context.Context, d *destination, objs []map[string]any) (*StoredView, error) {
	out := make([]bloc.Object, len(objs))
	for i, o := range objs {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("intake: encoding %v: %w", o["id"], err)
		}
		info, problems := stix.Validate(raw)
		if len(problems) > 0 {
			// The objects are ours: an invalid one is a bug, not bad input.
			return nil, fmt.Errorf("intake: the report's object %v is not valid STIX: %v", o["id"], problems[0])
		}
		out[i] = bloc.Object{ID: info.ID, Type: info.Type, Version: info.Version, Spec: info.SpecVersion,
			Producer: d.agency.ID, OwnerParty: d.agency.Party, TLP: info.TLP, Recipients: info.Recipients,
			Labels: info.Labels, Raw: raw}
	}
	results, err := s.store.PutObjects(ctx, d.coll.ID, out, func(o bloc.Object, owner string, exists bool) error {
		if exists {
			return bloc.ErrDuplicate
		}
		if dec := access.Write(d.reader, d.coll, o, owner); !dec.Allow {
			return bloc.Errorf(bloc.EFORBIDDEN, "%s", dec.Reason)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := &StoredView{Collection: d.coll.ID, Agency: d.agency.ID, Stored: []string{}, Already: []string{}}
	var stored []bloc.Object
	for i, r := range results {
		switch {
		case r.Stored:
			v.Stored = append(v.Stored, out[i].ID)
			stored = append(stored, r.Object)
		case r.Err == nil || r.Err == bloc.ErrDuplicate:
			v.Already = append(v.Already, out[i].ID)
		case bloc.ErrorCode(r.Err) == bloc.EINTERNAL:
			return nil, r.Err
		default:
			v.Refused = append(v.Refused, out[i].ID+": "+bloc.ErrorMessage(r.Err))
		}
	}
	if len(stored) > 0 && s.OnStored != nil {
		s.OnStored(d.coll, stored)
	}
	return v, nil
}

// views compares proposals with the current record.
func (s *Service) views(ctx context.Context, ps []bloc.IntakeProposal) ([]ProposalView, error) {
	book, err := s.reg.Book(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]ProposalView, len(ps))
	for i, p := range ps {
		out[i] = view(book, p)
	}
	return out, nil
}

// view is one proposal with its comparison against book.
func view(book *standing.Book, p bloc.IntakeProposal) ProposalView {
	v := ProposalView{ID: ProposalID(p.ID), Article: ArticleID(p.Article), Bloc: p.Bloc, Party: p.Party, Kind: p.Kind,
		Date: p.Date.String(), Precision: p.Date.Precision, NewName: p.NewName, Quote: p.Quote, Confidence: p.Confidence,
		Reason: p.Reason, Uncertain: p.Uncertain, Status: p.Status, DecidedBy: p.DecidedBy, Note: p.Note, Record: p.RecordID}
	if !p.DecidedAt.IsZero() {
		v.DecidedAt = bloc.FormatInstant(p.DecidedAt)
	}
	id, rel := book.Match(bloc.Record{Bloc: p.Bloc, Party: p.Party, Kind: p.Kind, Date: p.Date, NewName: p.NewName})
	v.Compared = rel
	if rel != standing.RelationNew {
		v.Event = id
		if ev, ok := book.Event(id); ok {
			for _, a := range ev.Attestations {
				v.Existing = append(v.Existing, Attestation{Record: a.ID, Date: a.Date.String(), Source: a.Source, Quote: a.Quote})
			}
		}
	}
	return v
}

// List returns the proposals of one status ("" for all), compared with the
// record as it is now.
func (s *Service) List(ctx context.Context, status bloc.ProposalStatus) ([]ProposalView, error) {
	ps, err := s.store.IntakeProposals(ctx, status, 0)
	if err != nil {
		return nil, err
	}
	out, err := s.views(ctx, ps)
	if out == nil && err == nil {
		out = []ProposalView{}
	}
	return out, err
}

// Proposal returns one proposal by id (prop-N or N).
func (s *Service) Proposal(ctx context.Context, id string) (ProposalView, error) {
	n, err := ParseProposalID(id)
	if err != nil {
		return ProposalView{}, err
	}
	p, err := s.store.IntakeProposal(ctx, n)
	if err != nil {
		return ProposalView{}, err
	}
	vs, err := s.views(ctx, []bloc.IntakeProposal{p})
	if err != nil {
		return ProposalView{}, err
	}
	return vs[0], nil
}

// Article returns one article (art-N) with its proposals.
func (s *Service) Article(ctx context.Context, id string) (ArticleView, error) {
	n, err := parseID(id, "art", "article")
	if err != nil {
		return ArticleView{}, err
	}
	a, err := s.store.IntakeArticle(ctx, n)
	if err != nil {
		return ArticleView{}, err
	}
	ps, err := s.store.IntakeProposals(ctx, "", a.ID)
	if err != nil {
		return ArticleView{}, err
	}
	vs, err := s.views(ctx, ps)
	if err != nil {
		return ArticleView{}, err
	}
	if vs == nil {
		vs = []ProposalView{}
	}
	return ArticleView{ID: ArticleID(a.ID), Headline: a.Headline, Source: a.Source, TextHash: a.TextHash, Report: a.ReportID,
		Created: bloc.FormatInstant(a.Created), Proposals: vs}, nil
}

// Edits are a reviewer's changes to a proposal before accepting it; zero
// fields leave the proposal's value. Party "-" clears the party (for a
// bloc-level kind).
type Edits struct {
	Bloc    string    `json:"bloc,omitempty"`
	Party   string    `json:"party,omitempty"`
	Kind    bloc.Kind `json:"kind,omitempty"`
	Date    bloc.Date `json:"date,omitzero"`
	NewName string    `json:"new_name,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// Accepted is the outcome of an acceptance.
type Accepted struct {
	Proposal ProposalView `json:"proposal"`
	Record   bloc.Record  `json:"record"`
}

// Accept records the event a pending proposal states (with the reviewer's
// edits) through the registry: the article is its source, the sentence its
// quote, by the recorder. The proposal is claimed first, so that two
// reviewers cannot both accept it; if the registry refuses the record
// (an impossible transition, an unknown bloc), the claim is undone and the
// proposal stays pending.
func (s *Service) Accept(ctx context.Context, id string, ed Edits, by string) (Accepted, error) {
	n, err := ParseProposalID(id)
	if err != nil {
		return Accepted{}, err
	}
	if by == "" {
		return Accepted{}, bloc.Errorf(bloc.EINVALID, "accepting needs the name of who records it")
	}
	p, err := s.store.IntakeProposal(ctx, n)
	if err != nil {
		return Accepted{}, err
	}
	a, err := s.store.IntakeArticle(ctx, p.Article)
	if err != nil {
		return Accepted{}, err
	}
	rec, changes, err := recordOf(a, p, ed)
	if err != nil {
		return Accepted{}, err
	}
	rec.RecordedBy = by
	note := ed.Note
	if len(changes) > 0 {
		note = strings.TrimSpace("edited: " + strings.Join(changes, ", ") + ". " + note)
	}
	if _, err := s.store.DecideProposal(ctx, n, bloc.ProposalDecision{Status: bloc.ProposalAccepted, By: by, At: s.now(), Note: note}); err != nil {
		return Accepted{}, err
	}
	recs, err := s.reg.Add(ctx, []bloc.Record{rec})
	if err != nil {
		if rerr := s.store.ReopenProposal(context.WithoutCancel(ctx), n); rerr != nil {
			return Accepted{}, fmt.Errorf("%w (and reopening prop-%d failed: %v)", err, n, rerr)
		}
		return Accepted{}, err
	}
	if err := s.store.SetProposalRecord(context.WithoutCancel(ctx), n, recs[0].ID); err != nil {
		return Accepted{}, err
	}
	v, err := s.Proposal(ctx, ProposalID(n))
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Proposal: v, Record: recs[0]}, nil
}

// recordOf is the record a proposal becomes, with the reviewer's edits, and
// a list of what the edits changed.
func recordOf(a bloc.IntakeArticle, p bloc.IntakeProposal, ed Edits) (bloc.Record, []string, error) {
	r := bloc.Record{Bloc: p.Bloc, Party: p.Party, Kind: p.Kind, Date: p.Date, NewName: p.NewName,
		Source: a.Source, Quote: p.Quote,
		Note: fmt.Sprintf("taken in from %s (%s, confidence %.2f)", ArticleID(a.ID), ProposalID(p.ID), p.Confidence)}
	if r.Source.Title == "" {
		r.Source.Title = a.Headline
	}
	var changes []string
	change := func(what, from, to string) {
		changes = append(changes, fmt.Sprintf("%s %s → %s", what, orNone(from), orNone(to)))
	}
	if ed.Bloc != "" && ed.Bloc != r.Bloc {
		change("bloc", r.Bloc, ed.Bloc)
		r.Bloc = ed.Bloc
	}
	if ed.Kind != "" && ed.Kind != r.Kind {
		if !ed.Kind.Valid() {
			return bloc.Record{}, nil, bloc.Errorf(bloc.EINVALID, "kind %q is not an event kind (signed, acceded, withdrew, lapsed, statement, …)", ed.Kind)
		}
		change("kind", string(r.Kind), string(ed.Kind))
		r.Kind = ed.Kind
	}
	switch party := strings.ToUpper(ed.Party); {
	case party == "-":
		if r.Party != "" {
			change("party", r.Party, "")
		}
		r.Party = ""
	case party != "" && party != r.Party:
		change("party", r.Party, party)
		r.Party = party
	}
	if !ed.Date.IsZero() && ed.Date.String() != r.Date.String() {
		change("date", r.Date.String(), ed.Date.String())
		r.Date = ed.Date
	}
	if ed.NewName != "" && ed.NewName != r.NewName {
		change("new name", r.NewName, ed.NewName)
		r.NewName = ed.NewName
	}
	if p.Uncertain {
		r.Note += "; the year was inferred, not stated"
	}
	if len(changes) > 0 {
		r.Note += "; reviewer's edits: " + strings.Join(changes, ", ")
	}
	if ed.Note != "" {
		r.Note += "; " + ed.Note
	}
	return r, changes, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Reject marks a pending proposal rejected.
func (s *Service) Reject(ctx context.Context, id, by, note string) (ProposalView, error) {
	n, err := ParseProposalID(id)
	if err != nil {
		return ProposalView{}, err
	}
	if _, err := s.store.DecideProposal(ctx, n, bloc.ProposalDecision{Status: bloc.ProposalRejected, By: by, At: s.now(), Note: note}); err != nil {
		return ProposalView{}, err
	}
	return s.Proposal(ctx, ProposalID(n))
}

// ArticleID and ProposalID name stored articles and proposals so that an
// id says what it names.
func ArticleID(n int64) string  { return "art-" + strconv.FormatInt(n, 10) }
func ProposalID(n int64) string { return "prop-" + strconv.FormatInt(n, 10) }

// ParseProposalID reads prop-N (or a bare N).
func ParseProposalID(s string) (int64, error) { return parseID(s, "prop", "proposal") }

// IsArticleID reports whether s names an article (art-N).
func IsArticleID(s string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "art-")
}

func parseID(s, prefix, what string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, prefix+"-")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 1 {
		return 0, bloc.Errorf(bloc.EINVALID, "%q is not a%s %s id: write %s-N (see `bloc intake list`)", s, article(what), what, prefix)
	}
	return n, nil
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}
