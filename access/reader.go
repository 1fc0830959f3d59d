package access

import (
	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/standing"
)

// ReaderOf is the Reader of an agency holding a token of role, whose party
// has standing pos in the collection's bloc at the instant of the decision.
// Every caller (TAXII, push, `bloc access explain`) builds its Reader here,
// so all of them decide from the same facts.
func ReaderOf(agency bloc.Agency, role bloc.Role, pos standing.Position) Reader {
	r := Reader{
		Agency:   agency,
		Role:     role,
		Standing: pos.Standing,
		Certain:  pos.Certain,
		Before:   pos.Before,
		After:    pos.After,
		Scope:    pos.Scope,
	}
	if !pos.Since.IsZero() {
		r.Cause = "since " + pos.Since.String()
	}
	return r
}
