package intake

import (
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

var monthNames = map[string]time.Month{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
	"oct": 10, "nov": 11, "dec": 12,
}

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// dateMention is a date expression found in a sentence, resolved.
type dateMention struct {
	start, end int // token range [start, end)
	date       bloc.Date
	text       string
	// relative: resolved against the article's reference date (a weekday,
	// "today", a month and day without a year).
	relative bool
	// since: introduced by "since" — the start of a standing ("members
	// since 2009").
	since bool
	// uncertain: resolved against a reference date whose year was inferred.
	uncertain bool
	// inherited: taken from the opening of the sentence by a later clause.
	inherited bool
	// invalid: a date that does not exist ("February 30, 2020"); skipped
	// whole, so that its year is not read as a date of its own.
	invalid bool
}

// dateContext is what resolving relative dates needs.
type dateContext struct {
	ref          bloc.Date // the reference day: the dateline's day, else the publication date
	refUncertain bool      // ref's year was inferred, not stated
	prevYear     int       // the year of the last absolute date read so far ("later that year")
	prevDay      bloc.Date // the last day-precision date read so far ("a day later")
}

// findDates returns the date expressions of a sentence, left to right, and
// advances ctx.prevYear past them. Expressions that cannot be resolved (a
// weekday with no reference date) are left out.
func findDates(toks []token, ctx *dateContext) []dateMention {
	var out []dateMention
	for i := 0; i < len(toks); {
		m, ok := dateAt(toks, i, ctx)
		if !ok {
			i++
			continue
		}
		if m.invalid {
			i = m.end
			continue
		}
		if i > 0 && (toks[i-1].lower == "since" || (i > 1 && toks[i-1].lower == "from" && toks[i-2].lower != "withdrew")) {
			m.since = true
		}
		if !m.relative && m.date.Start.Year() > 0 {
			ctx.prevYear = m.date.Start.Year()
		}
		if m.date.Precision == bloc.PrecisionDay {
			ctx.prevDay = m.date
		}
		m.text = joinTokens(toks[m.start:m.end])
		out = append(out, m)
		i = m.end
	}
	return out
}

func joinTokens(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && t.text != "," && t.text != "." {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// dateAt tries every date form at token i.
func dateAt(toks []token, i int, ctx *dateContext) (dateMention, bool) {
	if i >= len(toks) {
		return dateMention{}, false
	}
	t := toks[i]
	at := func(k int) token {
		if k < len(toks) {
			return toks[k]
		}
		return token{}
	}
	// "Thursday, March 7, 2024": the weekday is part of the date after it.
	if _, ok := weekdayNames[t.lower]; ok && isCapital(t.text) {
		if at(i+1).text == "," {
			if m, ok := dateAt(toks, i+2, ctx); ok && !m.relative {
				m.start = i
				return m, true
			}
		}
		if ctx.ref.IsZero() {
			return dateMention{}, false
		}
		// The most recent such weekday on or before the reference day.
		wd := weekdayNames[t.lower]
		d := ctx.ref.Start
		for d.Weekday() != wd {
			d = d.AddDate(0, 0, -1)
		}
		start := i
		if i > 0 && (toks[i-1].lower == "on" || toks[i-1].lower == "last") {
			start = i - 1
		}
		return dateMention{start: start, end: i + 1, date: bloc.DayOf(d), relative: true, uncertain: ctx.refUncertain}, true
	}
	switch t.lower {
	case "today", "yesterday", "tonight":
		if ctx.ref.IsZero() || !isLowerOrStart(toks, i) {
			return dateMention{}, false
		}
		d := ctx.ref.Start
		if t.lower == "yesterday" {
			d = d.AddDate(0, 0, -1)
		}
		return dateMention{start: i, end: i + 1, date: bloc.DayOf(d), relative: true, uncertain: ctx.refUncertain}, true
	}
	// "that year", "the same year", "later that year", "the following year",
	// "a year later", "this year", "last year".
	if t.lower == "year" && i > 0 {
		p := toks[i-1].lower
		pp := ""
		if i > 1 {
			pp = toks[i-2].lower
		}
		y, start := 0, i-1
		switch {
		case p == "that" || (p == "same" && (pp == "the" || pp == "that")):
			y = ctx.prevYear
			if p == "same" {
				start = i - 2
			}
		case (p == "following" || p == "next") && pp == "the":
			if ctx.prevYear > 0 {
				y = ctx.prevYear + 1
			}
			start = i - 2
		case p == "this" && !ctx.ref.IsZero():
			y = ctx.ref.Start.Year()
		case p == "last" && !ctx.ref.IsZero():
			y = ctx.ref.Start.Year() - 1
		}
		if y > 0 {
			if start > 0 && (toks[start-1].lower == "later" || toks[start-1].lower == "earlier") {
				start--
			}
			rel := p == "this" || p == "last"
			return dateMention{start: start, end: i + 1, date: yearDate(y), relative: rel, uncertain: rel && ctx.refUncertain}, true
		}
		return dateMention{}, false
	}
	// "a day later", "the next day", "the following day".
	if (t.lower == "a" && at(i+1).lower == "day" && at(i+2).lower == "later") ||
		(t.lower == "the" && (at(i+1).lower == "next" || at(i+1).lower == "following") && at(i+2).lower == "day") {
		if ctx.prevDay.IsZero() {
			return dateMention{}, false
		}
		return dateMention{start: i, end: i + 3, date: bloc.DayOf(ctx.prevDay.Start.AddDate(0, 0, 1))}, true
	}
	if t.lower == "a" && at(i+1).lower == "year" && at(i+2).lower == "later" && ctx.prevYear > 0 {
		return dateMention{start: i, end: i + 3, date: yearDate(ctx.prevYear + 1)}, true
	}
	if mo, ok := monthNames[strings.TrimSuffix(t.lower, ".")]; ok && isCapital(t.text) {
		k := i + 1
		if at(k).text == "." {
			k++
		}
		// Month Day[,] Year  |  Month Day
		if d, ok := dayNumber(at(k)); ok && !isYearToken(at(k)) {
			e := k + 1
			if at(e).text == "," {
				e++
			}
			if y, ok := yearNumber(at(e)); ok {
				if dt, ok := mkDay(y, mo, d); ok {
					return dateMention{start: i, end: e + 1, date: dt}, true
				}
				return dateMention{start: i, end: e + 1, invalid: true}, true
			}
			return resolveMonthDay(i, k+1, mo, d, ctx)
		}
		// Month [,|of] Year
		e := k
		if at(e).text == "," || at(e).lower == "of" {
			e++
		}
		if y, ok := yearNumber(at(e)); ok {
			return dateMention{start: i, end: e + 1, date: monthDate(y, mo)}, true
		}
		if at(e).lower == "that" && at(e+1).lower == "year" && ctx.prevYear > 0 {
			return dateMention{start: i, end: e + 2, date: monthDate(ctx.prevYear, mo)}, true
		}
		// A month alone, after a preposition: "since March", "in July".
		if i > 0 && monthPrepositions[toks[i-1].lower] && !ctx.ref.IsZero() {
			y := ctx.ref.Start.Year()
			if monthDate(y, mo).Start.After(ctx.ref.Start) {
				y--
			}
			return dateMention{start: i, end: k, date: monthDate(y, mo), relative: true, uncertain: ctx.refUncertain}, true
		}
		return dateMention{}, false
	}
	// Day Month [Year]
	if d, ok := dayNumber(t); ok && !isYearToken(t) {
		if mo, ok := monthNames[strings.TrimSuffix(at(i+1).lower, ".")]; ok && isCapital(at(i+1).text) {
			e := i + 2
			if at(e).text == "," {
				e++
			}
			if y, ok := yearNumber(at(e)); ok {
				if dt, ok := mkDay(y, mo, d); ok {
					return dateMention{start: i, end: e + 1, date: dt}, true
				}
				return dateMention{start: i, end: e + 1, invalid: true}, true
			}
			return resolveMonthDay(i, i+2, mo, d, ctx)
		}
	}
	// A bare year.
	if y, ok := yearNumber(t); ok {
		if i > 0 && yearDeterminers[toks[i-1].lower] {
			return dateMention{}, false // "the 1992 treaty" names a thing, not a time
		}
		if n := at(i + 1); n.text == "-" || n.lower == "percent" || n.lower == "%" {
			return dateMention{}, false
		}
		return dateMention{start: i, end: i + 1, date: yearDate(y)}, true
	}
	return dateMention{}, false
}

var monthPrepositions = map[string]bool{
	"in": true, "since": true, "from": true, "until": true, "by": true, "early": true, "late": true,
	"mid": true, "last": true, "this": true, "of": true, "before": true, "after": true, "on": true,
}

var yearDeterminers = map[string]bool{
	"the": true, "its": true, "a": true, "an": true, "their": true, "this": true, "that": true, "his": true, "her": true,
}

// resolveMonthDay dates "March 24" by the reference day: the most recent such
// day on or before it (an article reports the past).
func resolveMonthDay(start, end int, mo time.Month, d int, ctx *dateContext) (dateMention, bool) {
	if ctx.ref.IsZero() {
		return dateMention{}, false
	}
	y := ctx.ref.Start.Year()
	dt, ok := mkDay(y, mo, d)
	if ok && dt.Start.After(ctx.ref.Start) {
		dt, ok = mkDay(y-1, mo, d)
	}
	if !ok {
		return dateMention{}, false
	}
	return dateMention{start: start, end: end, date: dt, relative: true, uncertain: ctx.refUncertain}, true
}

func isCapital(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// isLowerOrStart: "today" as a word, not "Today" the programme name in the
// middle of a sentence.
func isLowerOrStart(toks []token, i int) bool {
	return i == 0 || !isCapital(toks[i].text) || toks[i-1].text == `"`
}

func dayNumber(t token) (int, bool) {
	s := t.lower
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		s = strings.TrimSuffix(s, suf)
	}
	if len(s) == 0 || len(s) > 2 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= 1 && n <= 31
}

func isYearToken(t token) bool { _, ok := yearNumber(t); return ok }

// yearNumber reads a four-digit year between 1800 and 2099.
func yearNumber(t token) (int, bool) {
	if len(t.text) != 4 || !allDigits(t.text) {
		return 0, false
	}
	n, _ := strconv.Atoi(t.text)
	return n, n >= 1800 && n <= 2099
}

func mkDay(y int, m time.Month, d int) (bloc.Date, bool) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Month() != m || t.Day() != d {
		return bloc.Date{}, false
	}
	return bloc.Date{Start: t, Precision: bloc.PrecisionDay}, true
}

func monthDate(y int, m time.Month) bloc.Date {
	return bloc.Date{Start: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), Precision: bloc.PrecisionMonth}
}

func yearDate(y int) bloc.Date {
	return bloc.Date{Start: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), Precision: bloc.PrecisionYear}
}

// inferYear picks the year of a dateline that gives only a month and a day
// (documented rule, used only when no publication date is known):
//
//   - an article cannot predate the latest year it mentions, so the year is
//     at least latestYear;
//   - when the article names a weekday ("told reporters on Friday"), news
//     agencies date the dateline by the day of the event, so the year is the
//     first year from latestYear on in which the dateline's day falls on that
//     weekday (at most 28 years on: the calendar repeats);
//   - otherwise the year is latestYear itself.
//
// The result is always marked uncertain by the caller.
func inferYear(month time.Month, day int, weekday time.Weekday, haveWeekday bool, latestYear int) (int, bool) {
	if latestYear == 0 {
		return 0, false
	}
	if !haveWeekday {
		return latestYear, true
	}
	for y := latestYear; y <= latestYear+28; y++ {
		t := time.Date(y, month, day, 0, 0, 0, 0, time.UTC)
		if t.Month() == month && t.Weekday() == weekday {
			return y, true
		}
	}
	return latestYear, true
}
