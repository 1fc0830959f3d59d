package bloc

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision says how exactly a Date is known. A fact reported as "August
// 2006" has month precision: it took effect somewhere inside that month, and
// the registry never pretends to know the day.
type Precision string

const (
	PrecisionYear  Precision = "year"
	PrecisionMonth Precision = "month"
	PrecisionDay   Precision = "day"
	// PrecisionInstant is an exact RFC 3339 timestamp. Historical facts are
	// rarely known this well; it exists so that a transition recorded ahead
	// of time ("the withdrawal takes effect at 12:00 UTC") is enforced at
	// that instant by the access rules.
	PrecisionInstant Precision = "instant"
)

// Valid reports whether p is one of the defined precisions.
func (p Precision) Valid() bool {
	switch p {
	case PrecisionYear, PrecisionMonth, PrecisionDay, PrecisionInstant:
		return true
	}
	return false
}

// Date is a calendar date known to a Precision. The zero Date is "no date".
// Its window [Start, End) is the span of instants in which the fact took
// effect.
type Date struct {
	// Start is the first instant of the window, in UTC.
	Start time.Time
	// Precision decides the window's length.
	Precision Precision
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.Start.IsZero() }

// End is the first instant after the window.
func (d Date) End() time.Time {
	switch d.Precision {
	case PrecisionYear:
		return d.Start.AddDate(1, 0, 0)
	case PrecisionMonth:
		return d.Start.AddDate(0, 1, 0)
	case PrecisionDay:
		return d.Start.AddDate(0, 0, 1)
	}
	// An instant is a window of one nanosecond: it is certain on either side.
	return d.Start.Add(time.Nanosecond)
}

// Contains reports whether t lies inside d's window.
func (d Date) Contains(t time.Time) bool {
	return !t.Before(d.Start) && t.Before(d.End())
}

// String formats d at its precision: "2006", "2006-08", "2006-08-16" or an
// RFC 3339 timestamp.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	switch d.Precision {
	case PrecisionYear:
		return d.Start.Format("2006")
	case PrecisionMonth:
		return d.Start.Format("2006-01")
	case PrecisionDay:
		return d.Start.Format("2006-01-02")
	}
	return d.Start.Format(time.RFC3339Nano)
}

// MarshalText writes d as String does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what ParseDate accepts.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DayOf returns the day-precision Date containing t.
func DayOf(t time.Time) Date {
	t = t.UTC()
	return Date{Start: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Precision: PrecisionDay}
}

// InstantOf returns an instant-precision Date at t.
func InstantOf(t time.Time) Date {
	return Date{Start: t.UTC(), Precision: PrecisionInstant}
}

// ParseDate reads YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp and
// infers the precision from the form. Impossible dates (2023-02-30) are
// refused, not normalised.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (Date, error) {
		return Date{}, Errorf(EINVALID, "date %q: %s (use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp)", s, why)
	}
	if strings.ContainsAny(s, "Tt") && len(s) > 10 {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return bad("not a valid timestamp")
		}
		return InstantOf(t), nil
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || s == "" {
		return bad("not a date")
	}
	nums := make([]int, len(parts))
	widths := []int{4, 2, 2}
	for i, p := range parts {
		if len(p) != widths[i] {
			return bad("malformed")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return bad("malformed")
		}
		nums[i] = n
	}
	year := nums[0]
	if year < 1 {
		return bad("year out of range")
	}
	switch len(nums) {
	case 1:
		return Date{Start: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), Precision: PrecisionYear}, nil
	case 2:
		if nums[1] < 1 || nums[1] > 12 {
			return bad("month out of range")
		}
		return Date{Start: time.Date(year, time.Month(nums[1]), 1, 0, 0, 0, 0, time.UTC), Precision: PrecisionMonth}, nil
	}
	if nums[1] < 1 || nums[1] > 12 {
		return bad("month out of range")
	}
	t := time.Date(year, time.Month(nums[1]), nums[2], 0, 0, 0, 0, time.UTC)
	if nums[2] < 1 || t.Month() != time.Month(nums[1]) {
		return bad("no such day")
	}
	return Date{Start: t, Precision: PrecisionDay}, nil
}

// ParseDateAs reads s and checks that it is written to the given precision
// (as in the data files' date/precision column pairs).
func ParseDateAs(s string, p Precision) (Date, error) {
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, err
	}
	if p != "" && d.Precision != p {
		return Date{}, Errorf(EINVALID, "date %q is written to %s precision but precision says %q", s, d.Precision, p)
	}
	return d, nil
}

// ParseInstant reads a query instant: a date (its first instant) or an RFC
// 3339 timestamp.
func ParseInstant(s string) (time.Time, error) {
	d, err := ParseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.Start, nil
}

// Format for the instants the registry prints (record times).
func FormatInstant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// MustDate is ParseDate for literals in tests and built-in data.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("bloc.MustDate(%q): %v", s, err))
	}
	return d
}
