package intake

import (
	"os"

	"github.com/blocsec/bloc"
)

func mustDay(s string) bloc.Date { return bloc.MustDate(s) }

func readFileIfExists(path string) ([]byte, error) { return os.ReadFile(path) }
