package intake

import (
	"testing"
	"time"
)

func TestFindDates(t *testing.T) {
	for _, c := range []struct {
		text, ref string
		prevYear  int
		want      []string // date strings, in order
		relative  []bool
	}{
		{"signed in Tashkent on May 15, 1992.", "", 0, []string{"1992-05-15"}, []bool{false}},
		{"on 15 May 1992", "", 0, []string{"1992-05-15"}, []bool{false}},
		{"On 2 April 1999, they left", "", 0, []string{"1999-04-02"}, []bool{false}},
		{"In August 2006, Uzbekistan rejoined", "", 0, []string{"2006-08"}, []bool{false}},
		{"in August of 2006", "", 0, []string{"2006-08"}, []bool{false}},
		{"joined in 1993", "", 0, []string{"1993"}, []bool{false}},
		{"Thursday, March 7, 2024", "2024-03-08", 0, []string{"2024-03-07"}, []bool{false}},
		{"told reporters on Friday", "2021-10-22", 0, []string{"2021-10-22"}, []bool{true}},
		{"said on Thursday", "2005-05-06", 0, []string{"2005-05-05"}, []bool{true}},
		{"withdrew on March 24", "1959-08-21", 0, []string{"1959-03-24"}, []bool{true}},
		{"on December 5", "2021-10-22", 0, []string{"2020-12-05"}, []bool{true}},
		{"an observer since March", "1959-08-21", 0, []string{"1959-03"}, []bool{true}},
		{"acceded later that year", "", 1955, []string{"1955"}, []bool{false}},
		{"the following year", "", 1955, []string{"1956"}, []bool{false}},
		{"today", "2021-10-22", 0, []string{"2021-10-22"}, []bool{true}},
		{"yesterday", "2021-10-22", 0, []string{"2021-10-21"}, []bool{true}},
		{"on May 14, 1955 and a day later", "", 0, []string{"1955-05-14", "1955-05-15"}, []bool{false, false}},
		// Not dates.
		{"the 1992 treaty", "", 0, nil, nil},
		{"Sweden may join", "2023-04-04", 0, nil, nil},
		{"on Friday", "", 0, nil, nil}, // no reference day: unresolved
		{"February 30, 2020", "", 0, nil, nil},
		{"a 1,340-kilometre border", "", 0, nil, nil},
		{"France 24 reported", "", 0, nil, nil},
	} {
		ctx := dateContext{prevYear: c.prevYear}
		if c.ref != "" {
			ctx.ref = mustDay(c.ref)
		}
		ds := findDates(tokenize(c.text), &ctx)
		var got []string
		var rel []bool
		for _, d := range ds {
			got = append(got, d.date.String())
			rel = append(rel, d.relative)
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: dates %v, want %v", c.text, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] || rel[i] != c.relative[i] {
				t.Errorf("%q: date %d = %s (relative %v), want %s (relative %v)", c.text, i, got[i], rel[i], c.want[i], c.relative[i])
			}
		}
	}
}

func TestInferYear(t *testing.T) {
	for _, c := range []struct {
		month       time.Month
		day         int
		wd          time.Weekday
		haveWeekday bool
		latest      int
		want        int
		ok          bool
	}{
		// The corpus: "TASHKENT, October 22", "on Friday", latest year 2012.
		{time.October, 22, time.Friday, true, 2012, 2021, true},
		{time.February, 22, time.Thursday, true, 2023, 2024, true},
		{time.February, 29, time.Thursday, true, 2020, 2024, true},
		{time.March, 7, time.Thursday, false, 2023, 2023, true},
		{time.March, 7, time.Thursday, true, 0, 0, false},
	} {
		got, ok := inferYear(c.month, c.day, c.wd, c.haveWeekday, c.latest)
		if got != c.want || ok != c.ok {
			t.Errorf("inferYear(%s %d, %s %v, %d) = %d %v, want %d %v", c.month, c.day, c.wd, c.haveWeekday, c.latest, got, ok, c.want, c.ok)
		}
	}
}

func TestReferenceDayCrossesTheYear(t *testing.T) {
	a := Article{Dateline: "MOSCOW, December 31", Published: mustDay("2022-01-02")}
	ref, unc := referenceDay(a)
	if ref.String() != "2021-12-31" || unc {
		t.Errorf("reference day %s uncertain %v, want 2021-12-31", ref, unc)
	}
	a = Article{Published: mustDay("2022-01-02")}
	if ref, _ := referenceDay(a); ref.String() != "2022-01-02" {
		t.Errorf("without a dateline the reference is the publication day, got %s", ref)
	}
}
