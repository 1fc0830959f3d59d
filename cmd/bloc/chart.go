package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/standing"
)

// glyphs draw one standing in the terminal chart.
type glyphs struct{ member, suspended, observer, partner, uncertain, none rune }

var (
	unicodeGlyphs = glyphs{'█', '▓', '▒', '░', '?', ' '}
	asciiGlyphs   = glyphs{'#', '=', 'o', 'p', '?', ' '}
)

func (g glyphs) of(s bloc.Standing) rune {
	switch s {
	case bloc.StandingMember:
		return g.member
	case bloc.StandingSuspended:
		return g.suspended
	case bloc.StandingObserver:
		return g.observer
	case bloc.StandingPartner:
		return g.partner
	}
	return g.none
}

// drawTimeline draws one row per party across [founded, end) in width
// columns. A column shows the standing at its middle instant, or '?' when an
// imprecise or disputed event's window overlaps the column's span: there the
// record does not know the standing, and the chart must not pretend to.
func drawTimeline(w io.Writer, v registry.TimelineView, now time.Time, width int, ascii bool) {
	g := unicodeGlyphs
	if ascii {
		g = asciiGlyphs
	}
	start, err := bloc.ParseDate(v.Founded)
	if err != nil {
		fmt.Fprintf(w, "%s: no founding date\n", v.Bloc)
		return
	}
	from := time.Date(start.Start.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(now.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
	if v.Dissolved != "" {
		if d, err := bloc.ParseDate(v.Dissolved); err == nil {
			to = time.Date(d.End().Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	span := to.Sub(from)
	// Column i covers [from + i·span/width, from + (i+1)·span/width); the
	// arithmetic is in float64 because span·i overflows a Duration.
	col := func(i int) (time.Time, time.Time) {
		at := func(k int) time.Time { return from.Add(time.Duration(float64(span) * float64(k) / float64(width))) }
		return at(i), at(i + 1)
	}

	byParty := map[string][]standing.Interval{}
	for _, iv := range v.Intervals {
		byParty[iv.Party] = append(byParty[iv.Party], iv)
	}
	parties := sortedKeys(byParty)
	sort.SliceStable(parties, func(i, j int) bool {
		return byParty[parties[i]][0].FromStart.Before(byParty[parties[j]][0].FromStart)
	})

	title := v.Name
	if len(v.Names) > 1 {
		var ns []string
		for _, n := range v.Names {
			ns = append(ns, fmt.Sprintf("%s (%s)", n.Name, n.From))
		}
		title = strings.Join(ns, " → ")
	}
	fmt.Fprintf(w, "%s — %s\n", v.Bloc, title)
	if v.Dissolved != "" {
		fmt.Fprintf(w, "dissolved %s\n", v.Dissolved)
	}
	fmt.Fprintf(w, "%-5s %s\n", "", axis(from, to, width))
	for _, p := range parties {
		row := make([]rune, width)
		for i := range row {
			a, b := col(i)
			mid := a.Add(b.Sub(a) / 2)
			row[i] = g.none
			for _, iv := range byParty[p] {
				if overlaps(iv.FromStart, iv.FromEnd, a, b) && imprecise(iv.FromStart, iv.FromEnd) ||
					!iv.ToStart.IsZero() && overlaps(iv.ToStart, iv.ToEnd, a, b) && imprecise(iv.ToStart, iv.ToEnd) {
					row[i] = g.uncertain
					break
				}
				if !mid.Before(iv.FromStart) && (iv.ToStart.IsZero() || mid.Before(iv.ToStart)) {
					row[i] = g.of(iv.Standing)
				}
			}
			if mid.After(now) && row[i] != g.uncertain {
				row[i] = g.none
			}
		}
		fmt.Fprintf(w, "%-5s %s\n", p, string(row))
	}
	fmt.Fprintf(w, "\n%c member  %c suspended  %c observer  %c partner  %c imprecise or disputed date\n",
		g.member, g.suspended, g.observer, g.partner, g.uncertain)
}

// imprecise reports whether a window is longer than one day: a month, a
// year, or the hull of disagreeing sources.
func imprecise(a, b time.Time) bool { return b.Sub(a) > 25*time.Hour }

func overlaps(a1, b1, a2, b2 time.Time) bool { return a1.Before(b2) && a2.Before(b1) }

// axis labels years along the time axis.
func axis(from, to time.Time, width int) string {
	row := []rune(strings.Repeat(" ", width))
	years := to.Year() - from.Year()
	step := 1
	for years/step > width/6 {
		step++
	}
	for _, s := range []int{5, 10, 20, 25, 50} {
		if step <= s {
			step = s
			break
		}
	}
	for y := from.Year(); y < to.Year(); y++ {
		if y%step != 0 {
			continue
		}
		t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		i := int(float64(width) * t.Sub(from).Seconds() / to.Sub(from).Seconds())
		label := []rune(fmt.Sprintf("%d", y))
		if i+len(label) > width {
			continue
		}
		if i > 0 && row[i-1] != ' ' {
			continue
		}
		copy(row[i:], label)
	}
	return string(row)
}
