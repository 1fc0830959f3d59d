package sqlite

import (
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/storetest"
)

func TestIntakeStore(t *testing.T) {
	storetest.RunIntake(t, func(t *testing.T) bloc.Store { return openTest(t) })
}
