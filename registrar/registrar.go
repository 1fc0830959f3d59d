// Package registrar manages who takes part in the exchange: agencies, their
// tokens and the blocs' collections, and explains access decisions. The CLI
// and the registrar's API both go through it, so the rules (identifiers,
// one identity per agency, audiences) live in one place.
package registrar

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/stix"
)

// Service manages agencies, tokens and collections.
type Service struct {
	store bloc.Store
	reg   *registry.Service
	now   func() time.Time
}

// New returns a Service.
func New(store bloc.Store, reg *registry.Service) *Service {
	return &Service{store: store, reg: reg, now: func() time.Time { return time.Now().UTC() }}
}

// AgencyID derives a readable agency id from its party and name:
// "KAZ", "National Security Committee" → "kaz-national-security-committee".
func AgencyID(party, name string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(party))
	dash := true
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 48 {
			break
		}
	}
	return b.String()
}

// AddAgency creates an agency of party with its STIX identity. An empty id
// is derived from party and name.
func (s *Service) AddAgency(ctx context.Context, party, name, id string, demo bool) (bloc.Agency, error) {
	party = strings.ToUpper(strings.TrimSpace(party))
	name = strings.TrimSpace(name)
	if name == "" {
		return bloc.Agency{}, bloc.Errorf(bloc.EINVALID, "an agency needs a name")
	}
	if _, err := s.store.Party(ctx, party); err != nil {
		return bloc.Agency{}, err
	}
	if id == "" {
		id = AgencyID(party, name)
	}
	if !validID(id) {
		return bloc.Agency{}, bloc.Errorf(bloc.EINVALID, "agency id %q: use lowercase letters, digits and hyphens", id)
	}
	a := bloc.Agency{ID: id, Party: party, Name: name, Identity: stix.NewIdentifier("identity"), Created: s.now(), Demo: demo}
	if err := s.store.CreateAgency(ctx, a); err != nil {
		return bloc.Agency{}, err
	}
	return a, nil
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// CreateToken makes a token for agency and returns it with the secret
// token string, which is shown once and never stored. A zero ttl means no
// expiry.
func (s *Service) CreateToken(ctx context.Context, agency string, role bloc.Role, ttl time.Duration, demo bool) (bloc.Token, string, error) {
	if _, err := s.store.Agency(ctx, agency); err != nil {
		return bloc.Token{}, "", err
	}
	t, secret, err := auth.NewToken(agency, role)
	if err != nil {
		return bloc.Token{}, "", err
	}
	t.Created, t.Demo = s.now(), demo
	if ttl > 0 {
		t.ExpiresAt = t.Created.Add(ttl)
	}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return bloc.Token{}, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes a token from now on.
func (s *Service) RevokeToken(ctx context.Context, id string) (bloc.Token, error) {
	if _, err := s.store.Token(ctx, id); err != nil {
		return bloc.Token{}, err
	}
	if err := s.store.RevokeToken(ctx, id, s.now()); err != nil {
		return bloc.Token{}, err
	}
	return s.store.Token(ctx, id)
}

// CreateCollection creates a TAXII collection in a bloc.
func (s *Service) CreateCollection(ctx context.Context, c bloc.Collection) (bloc.Collection, error) {
	if _, err := s.store.Bloc(ctx, c.Bloc); err != nil {
		return bloc.Collection{}, err
	}
	if strings.TrimSpace(c.Title) == "" {
		return bloc.Collection{}, bloc.Errorf(bloc.EINVALID, "a collection needs a title")
	}
	if c.Audience == "" {
		c.Audience = bloc.AudienceMembers
	}
	if !c.Audience.Valid() {
		return bloc.Collection{}, bloc.Errorf(bloc.EINVALID, "audience %q: use members, members+observers or public", c.Audience)
	}
	if c.Alias != "" && !validID(c.Alias) {
		return bloc.Collection{}, bloc.Errorf(bloc.EINVALID, "alias %q: use lowercase letters, digits and hyphens", c.Alias)
	}
	if c.ID == "" {
		c.ID = newUUID()
	}
	c.Created = s.now()
	if err := s.store.CreateCollection(ctx, c); err != nil {
		return bloc.Collection{}, err
	}
	return c, nil
}

// newUUID returns a random (version 4) UUID, as TAXII collection ids are.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Explanation is the access decision for one agency and one object version.
type Explanation struct {
	Agency     string        `json:"agency"`
	Party      string        `json:"party"`
	Object     string        `json:"object"`
	Version    string        `json:"version"`
	Collection string        `json:"collection"`
	Bloc       string        `json:"bloc"`
	At         string        `json:"at"`
	Standing   bloc.Standing `json:"standing"`
	Allow      bool          `json:"allow"`
	Reason     string        `json:"reason"`
}

// Explain decides whether agency (reading with a read token) may read each
// stored version of object at instant at, and says why. It answers for a
// past instant from today's record: "who could read this on 1 March 2012?"
func (s *Service) Explain(ctx context.Context, agencyID, objectID string, at time.Time) ([]Explanation, error) {
	ag, err := s.store.Agency(ctx, agencyID)
	if err != nil {
		return nil, err
	}
	blocs, err := s.store.Blocs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Explanation
	for _, b := range blocs {
		colls, err := s.store.Collections(ctx, b.Slug)
		if err != nil {
			return nil, err
		}
		pos, err := s.reg.Position(ctx, b.Slug, ag.Party, at)
		if err != nil {
			return nil, err
		}
		reader := access.ReaderOf(ag, bloc.RoleRead, pos)
		for _, c := range colls {
			objs, err := s.store.Objects(ctx, bloc.ObjectQuery{Collection: c.ID, IDs: []string{objectID}, Versions: []string{"all"}, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				if o.DateAdded.After(at) {
					continue // not yet written at that instant
				}
				d := access.Read(reader, c, o)
				out = append(out, Explanation{Agency: ag.ID, Party: ag.Party, Object: o.ID, Version: o.Version, Collection: c.ID,
					Bloc: b.Slug, At: bloc.FormatInstant(at), Standing: pos.Standing, Allow: d.Allow, Reason: d.Reason})
			}
		}
	}
	if len(out) == 0 {
		return nil, bloc.Errorf(bloc.ENOTFOUND, "no stored version of %s existed at %s", objectID, bloc.FormatInstant(at))
	}
	return out, nil
}

// Describe is a one-line summary of a token for listings.
func Describe(t bloc.Token, now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked " + bloc.FormatInstant(t.RevokedAt)
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return "expired " + bloc.FormatInstant(t.ExpiresAt)
	case !t.ExpiresAt.IsZero():
		return fmt.Sprintf("active, expires %s", bloc.FormatInstant(t.ExpiresAt))
	}
	return "active"
}
