// Package storetest is the one test suite every bloc.Store implementation
// must pass. The sqlite package runs it always; the postgres package runs it
// when BLOC_TEST_POSTGRES names a server.
package storetest

import (
	"testing"

	"github.com/blocsec/bloc"
)

// Opener returns a new, empty, migrated store for one test. The store is
// closed by the suite.
type Opener func(t *testing.T) bloc.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Record", func(t *testing.T) { RunRecord(t, open) })
	t.Run("Exchange", func(t *testing.T) { RunExchange(t, open) })
}
