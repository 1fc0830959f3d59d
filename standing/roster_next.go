package standing

import (
	"sort"
	"time"
)

// NextChange is the first instant after after at which the party's
// position in the roster's bloc changes, from what the record knows now:
// the start or the surely-done instant of one of its standing changes
// (the bloc's dissolution among them). ok is false when none is known.
//
// Between two such instants At answers the same, so a caller that keeps a
// position until NextChange misses nothing; unlike the windows of every
// event of the party, statements and refused events (which change
// nothing) give no instant.
func (r *Roster) NextChange(party string, after time.Time) (time.Time, bool) {
	i := sort.Search(len(r.parties), func(i int) bool { return r.parties[i].party >= party })
	if party == "" || i == len(r.parties) || r.parties[i].party != party {
		return time.Time{}, false
	}
	t := instantOf(after)
	var next instant
	found := false
	for _, s := range r.parties[i].steps {
		for _, at := range [2]instant{s.start, s.doneBy} {
			if at.after(t) && (!found || next.after(at)) {
				next, found = at, true
			}
		}
		// Steps are in order of start: none later can start sooner.
		if found && s.start.after(next) {
			break
		}
	}
	if !found {
		return time.Time{}, false
	}
	return next.time(), true
}
