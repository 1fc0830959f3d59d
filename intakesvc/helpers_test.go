package intakesvc

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/builtin"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// fixture is a real SQLite file with the built-in parties and, with
// record, the built-in blocs and record.
type fixture struct {
	db  *sqlite.DB
	reg *registry.Service
	svc *Service
}

func newFixture(t testing.TB, record bool) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	parties, err := builtin.Parties()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parties {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	reg := registry.New(db)
	if record {
		blocs, err := builtin.Blocs()
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocs {
			if err := db.CreateBloc(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := builtin.Rows()
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]bloc.Record, len(rows))
		for i, r := range rows {
			recs[i] = r.Record
		}
		if _, err := reg.Add(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{db: db, reg: reg, svc: New(db, reg)}
}
