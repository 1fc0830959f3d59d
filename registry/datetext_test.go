package registry

import (
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// dateText writes every date exactly as bloc.Date.String does.
func TestDateTextIsString(t *testing.T) {
	dates := []bloc.Date{{}, bloc.MustDate("0001"), bloc.MustDate("9999-12-31"), bloc.InstantOf(time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC))}
	for d := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2030; d = d.AddDate(0, 0, 1) {
		dates = append(dates, bloc.DayOf(d))
		if d.Day() == 1 {
			dates = append(dates, bloc.Date{Start: d, Precision: bloc.PrecisionMonth})
			if d.Month() == time.January {
				dates = append(dates, bloc.Date{Start: d, Precision: bloc.PrecisionYear})
			}
		}
	}
	for _, d := range dates {
		if got, want := dateText(d), d.String(); got != want {
			t.Fatalf("dateText(%#v) = %q, want %q", d, got, want)
		}
	}
}
