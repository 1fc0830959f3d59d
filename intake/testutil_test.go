package intake

import "github.com/blocsec/bloc"

func mustDay(s string) bloc.Date { return bloc.MustDate(s) }
