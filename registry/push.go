package registry

import (
	"context"
	"time"

	"github.com/blocsec/bloc"

	"github.com/blocsec/bloc/standing"
)

// Roster is the bloc's roster at the store's current record version
// (ENOTFOUND for an unknown bloc): what push keeps of the blocs it has
// open streams in, so that it decides every event and every transition in
// memory without deriving the whole record. It is shared and immutable.
func (s *Service) Roster(ctx context.Context, blocSlug string) (*standing.Roster, error) {
	r, err := s.roster(ctx, blocSlug)
	if err != nil {
		return nil, err
	}
	return r.Roster, nil
}

// NextChange is the first instant after after at which party's standing
// in the bloc changes, from the current record (ok false when none is
// known, or the bloc is unknown, like Position's "no standing in no bloc").
func (s *Service) NextChange(ctx context.Context, blocSlug, party string, after time.Time) (next time.Time, ok bool, err error) {
	r, err := s.roster(ctx, blocSlug)
	if bloc.ErrorCode(err) == bloc.ENOTFOUND {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	next, ok = r.NextChange(party, after)
	return next, ok, nil
}
