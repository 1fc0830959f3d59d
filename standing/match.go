package standing

import (
	"time"

	"github.com/blocsec/bloc"
)

// Match finds the live event that r would attest, and how r relates to it
// (see match). It returns 0 and RelationNew when r starts a new event.
func (b *Book) Match(r bloc.Record) (eventID int64, rel Relation) {
	bs := b.blocs[r.Bloc]
	if bs == nil {
		return 0, RelationNew
	}
	p := bs.pairs[r.Party]
	if p == nil {
		return 0, RelationNew
	}
	e, rel := match(p.events, &r)
	if e == nil {
		return 0, RelationNew
	}
	return e.id, rel
}

// match picks, among the events of r's party in r's bloc, the one r
// attests: same kind (and for a renaming the same new name), and either
//   - windows that overlap: "recorded" when r's window is the window of the
//     event or of one of its attestations, "refinement" when it meets every
//     attestation's window (calendar windows that meet nest: one is a more
//     precise statement of the other), otherwise "disagreement"; or
//   - for a kind other than statement, windows that do not overlap but lie
//     within a year of each other with no other standing-changing event of
//     the pair between them: "disagreement" (two sources dating one fact
//     differently, such as 2 and 20 April 1999).
//
// The best relation wins, then (for disagreements across a gap) the nearest
// event, then the earliest in order.
func match(events []*event, r *bloc.Record) (*event, Relation) {
	rs, re := r.Date.Start, r.Date.End()
	var best *event
	bestScore, bestGap := 4, time.Duration(0)
	for _, e := range events {
		if e.kind() != r.Kind || (r.Kind == bloc.KindRenamed && e.newName() != r.NewName) {
			continue
		}
		es, ee := e.window()
		if rs.Before(ee) && es.Before(re) {
			score := overlapScore(e, rs, re)
			if score < bestScore {
				best, bestScore = e, score
			}
			continue
		}
		if r.Kind == bloc.KindStatement || bestScore < 3 {
			continue
		}
		// Disjoint windows: earlier ends before later starts.
		earlyEnd, lateStart := re, es
		if re.After(es) {
			earlyEnd, lateStart = ee, rs
		}
		if lateStart.After(earlyEnd.AddDate(1, 0, 0)) || between(events, e, earlyEnd, lateStart) {
			continue
		}
		gap := lateStart.Sub(earlyEnd)
		if best == nil || gap < bestGap {
			best, bestScore, bestGap = e, 3, gap
		}
	}
	switch bestScore {
	case 0:
		return best, RelationRecorded
	case 1:
		return best, RelationRefinement
	case 2, 3:
		return best, RelationDisagreement
	}
	return nil, RelationNew
}

func overlapScore(e *event, rs, re time.Time) int {
	if es, ee := e.window(); rs.Equal(es) && re.Equal(ee) {
		return 0
	}
	all := true
	for i := range e.atts {
		d := e.atts[i].Date
		s, end := d.Start, d.End()
		if rs.Equal(s) && re.Equal(end) {
			return 0
		}
		if !(rs.Before(end) && s.Before(re)) {
			all = false
		}
	}
	if all {
		return 1
	}
	return 2
}

// between reports whether a standing-changing event other than skip has a
// window meeting the gap [from, to).
func between(events []*event, skip *event, from, to time.Time) bool {
	for _, o := range events {
		if o == skip || o.kind() == bloc.KindStatement {
			continue
		}
		if o.start().Before(to) && o.stop().After(from) {
			return true
		}
	}
	return false
}
