package registrar_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

func setup(t *testing.T) (*sqlite.DB, *registrar.Service) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: "csto", Name: "CST", Founded: bloc.MustDate("1992-05-15")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []bloc.Party{{Code: "KAZ", Name: "Kazakhstan"}, {Code: "UZB", Name: "Uzbekistan"}} {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	reg := registry.New(db)
	if _, err := reg.Add(ctx, []bloc.Record{
		{Bloc: "csto", Party: "KAZ", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindSigned, Date: bloc.MustDate("1992-05-15")},
		{Bloc: "csto", Party: "UZB", Kind: bloc.KindWithdrew, Date: bloc.MustDate("2012-12-19")},
	}); err != nil {
		t.Fatal(err)
	}
	return db, registrar.New(db, reg)
}

func TestAgencyID(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"KAZ", "National Security Committee"}: "kaz-national-security-committee",
		{"UZB", "  State  Security—Service "}:  "uzb-state-security-service",
		{"RUS", "FSB"}:                         "rus-fsb",
	} {
		if got := registrar.AgencyID(in[0], in[1]); got != want {
			t.Errorf("AgencyID(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestRefusals(t *testing.T) {
	_, rs := setup(t)
	ctx := context.Background()
	if _, err := rs.AddAgency(ctx, "XYZ", "Nobody", "", false); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("agency of an unknown party: %v", err)
	}
	if _, err := rs.AddAgency(ctx, "KAZ", "", "", false); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("agency without a name: %v", err)
	}
	a, err := rs.AddAgency(ctx, "kaz", "KNB", "", false)
	if err != nil || a.ID != "kaz-knb" || a.Party != "KAZ" || !strings.HasPrefix(a.Identity, "identity--") {
		t.Fatalf("AddAgency = %+v, %v", a, err)
	}
	if _, err := rs.AddAgency(ctx, "KAZ", "KNB", "", false); bloc.ErrorCode(err) != bloc.ECONFLICT {
		t.Errorf("second agency with the same id: %v", err)
	}
	if _, _, err := rs.CreateToken(ctx, "kaz-knb", "admin", 0, false); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("token with an unknown role: %v", err)
	}
	if _, _, err := rs.CreateToken(ctx, "nobody", bloc.RoleRead, 0, false); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("token for an unknown agency: %v", err)
	}
	if _, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: "csto", Title: "x", Audience: "everyone"}); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("collection with an unknown audience: %v", err)
	}
	if _, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: "nope", Title: "x"}); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("collection in an unknown bloc: %v", err)
	}
	tok, secret, err := rs.CreateToken(ctx, "kaz-knb", bloc.RoleWrite, time.Hour, false)
	if err != nil || !strings.Contains(secret, tok.ID) || tok.ExpiresAt.Sub(tok.Created) != time.Hour {
		t.Fatalf("CreateToken = %+v %q %v", tok, secret, err)
	}
	revoked, err := rs.RevokeToken(ctx, tok.ID)
	if err != nil || revoked.RevokedAt.IsZero() || !strings.HasPrefix(registrar.Describe(revoked, time.Now()), "revoked") {
		t.Errorf("RevokeToken = %+v, %v", revoked, err)
	}
}

// Explain answers from the standing at the instant asked: after its
// withdrawal Uzbekistan's agency may not read an AMBER object of a members
// collection that Kazakhstan's may; before the object was stored, nobody
// could.
func TestExplain(t *testing.T) {
	db, rs := setup(t)
	ctx := context.Background()
	kaz, _ := rs.AddAgency(ctx, "KAZ", "KNB", "", false)
	uzb, _ := rs.AddAgency(ctx, "UZB", "SGB", "", false)
	c, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: "csto", Title: "Reports"})
	if err != nil {
		t.Fatal(err)
	}
	obj := bloc.Object{ID: "indicator--11111111-1111-4111-8111-111111111111", Type: "indicator", Version: "2010-01-01T00:00:00.000Z",
		Spec: "2.1", Producer: kaz.ID, OwnerParty: "KAZ", TLP: bloc.TLPAmber, Raw: []byte(`{}`)}
	res, err := db.PutObjects(ctx, c.ID, []bloc.Object{obj}, func(bloc.Object, string, bool) error { return nil })
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	added := res[0].Object.DateAdded
	xs, err := rs.Explain(ctx, uzb.ID, obj.ID, added.Add(time.Second))
	if err != nil || len(xs) != 1 || xs[0].Allow || xs[0].Standing != bloc.StandingFormer || !strings.Contains(xs[0].Reason, "former") {
		t.Errorf("UZB now: %+v %v", xs, err)
	}
	xs, err = rs.Explain(ctx, kaz.ID, obj.ID, added.Add(time.Second))
	if err != nil || len(xs) != 1 || !xs[0].Allow {
		t.Errorf("KAZ now: %+v %v", xs, err)
	}
	if _, err := rs.Explain(ctx, kaz.ID, obj.ID, added.Add(-time.Hour)); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("before the object was stored: %v", err)
	}
}
