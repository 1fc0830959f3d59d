package registry_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

func open(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func seed(t testing.TB, db *sqlite.DB, parties int) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: "b", Name: "Bloc", Founded: bloc.MustDate("1950")}); err != nil {
		t.Fatal(err)
	}
	for i := range parties {
		if err := db.CreateParty(ctx, bloc.Party{Code: code(i), Name: "Party " + code(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func code(i int) string { return string([]byte{'X', byte('A' + i/26%26), byte('A' + i%26)}) }

func members(t *testing.T, s *registry.Service, at string) string {
	t.Helper()
	v, err := s.Members(context.Background(), "b", bloc.MustDate(at), time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range v.Members {
		out = append(out, m.Party)
	}
	return strings.Join(out, " ")
}

// A write through one Service (another node) is seen by another at once:
// the cache follows the store's record version.
func TestCacheFollowsOtherWriters(t *testing.T) {
	db := open(t)
	seed(t, db, 3)
	a, b := registry.New(db), registry.New(db)
	ctx := context.Background()
	if _, err := a.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindSigned, Date: bloc.MustDate("1950")}}); err != nil {
		t.Fatal(err)
	}
	if got := members(t, b, "1960"); got != "XAA" {
		t.Fatalf("b sees %q, want XAA", got)
	}
	if _, err := a.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAB", Kind: bloc.KindAcceded, Date: bloc.MustDate("1955")}}); err != nil {
		t.Fatal(err)
	}
	if got := members(t, b, "1960"); got != "XAA XAB" {
		t.Errorf("after a's second write b sees %q, want XAA XAB", got)
	}
	// A bloc added directly to the store is seen too.
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: "c", Name: "C", Founded: bloc.MustDate("2000")}); err != nil {
		t.Fatal(err)
	}
	vs, err := b.Blocs(ctx)
	if err != nil || len(vs) != 2 {
		t.Errorf("b lists %d blocs (%v), want 2", len(vs), err)
	}
}

func TestAddRefusesWholeBatch(t *testing.T) {
	db := open(t)
	seed(t, db, 2)
	s := registry.New(db)
	ctx := context.Background()
	_, err := s.Add(ctx, []bloc.Record{
		{Bloc: "b", Party: "XAA", Kind: bloc.KindSigned, Date: bloc.MustDate("1950")},
		{Bloc: "b", Party: "XAA", Kind: bloc.KindAcceded, Date: bloc.MustDate("1951")},
		{Bloc: "b", Party: "QQQ", Kind: bloc.KindAcceded, Date: bloc.MustDate("1951")},
	})
	if err == nil {
		t.Fatal("a batch with an impossible transition and an unknown party was accepted")
	}
	msg := bloc.ErrorMessage(err)
	for _, want := range []string{"record 3", `unknown party "QQQ"`, "record 2", "already a member"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	recs, _ := db.Records(ctx)
	if len(recs) != 0 {
		t.Errorf("%d records written by a refused batch", len(recs))
	}
}

func TestSupersedeAndRetract(t *testing.T) {
	db := open(t)
	seed(t, db, 1)
	s := registry.New(db)
	ctx := context.Background()
	out, err := s.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindAcceded, Date: bloc.MustDate("1960")}})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	if _, err := s.Supersede(ctx, out[0].ID, bloc.Record{Party: "XAA", Kind: bloc.KindAcceded, Date: bloc.MustDate("1970")}); err != nil {
		t.Fatal(err)
	}
	if got := members(t, s, "1965"); got != "" {
		t.Errorf("after the correction to 1970, members in 1965 = %q", got)
	}
	v, err := s.Members(ctx, "b", bloc.MustDate("1965"), before, false)
	if err != nil || len(v.Members) != 1 {
		t.Errorf("known at before the correction: %v %v, want XAA", v.Members, err)
	}
	recs, _ := db.Records(ctx)
	if _, err := s.Retract(ctx, recs[len(recs)-1].ID, "test", "wrong"); err != nil {
		t.Fatal(err)
	}
	if got := members(t, s, "1975"); got != "" {
		t.Errorf("after the retraction members in 1975 = %q", got)
	}
	if _, err := s.Retract(ctx, 999, "test", ""); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("retracting a missing record: %v", err)
	}
}

// BenchmarkMembersAt is the in-process members-at latency on a bloc of 500
// parties with 10 events each (see docs/benchmarks.md).
func BenchmarkMembersAt(b *testing.B) {
	db := open(b)
	seed(b, db, 500)
	s := registry.New(db)
	var recs []bloc.Record
	kinds := []bloc.Kind{bloc.KindAcceded, bloc.KindStatement, bloc.KindSuspended, bloc.KindResumed, bloc.KindStatement,
		bloc.KindWithdrew, bloc.KindAcceded, bloc.KindStatement, bloc.KindLapsed, bloc.KindAcceded}
	for i := range 500 {
		for k, kind := range kinds {
			recs = append(recs, bloc.Record{Bloc: "b", Party: code(i), Kind: kind, Date: bloc.MustDate(fmt.Sprint(1951 + 7*k + i%5)),
				Source: bloc.Source{URL: fmt.Sprintf("https://example.org/%d/%d", i, k)}})
		}
	}
	if _, err := s.Add(context.Background(), recs); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	at := bloc.MustDate("1990-06-01")
	s.Members(ctx, "b", at, time.Time{}, false)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Members(ctx, "b", at, time.Time{}, false); err != nil {
			b.Fatal(err)
		}
	}
}

// Members, Position and Name answer from per-bloc rosters: the same
// answers whether the whole record was derived first or not, and a write
// by another Service is seen by the next question.
func TestRostersFollowTheRecord(t *testing.T) {
	db := open(t)
	seed(t, db, 3)
	ctx := context.Background()
	a, b := registry.New(db), registry.New(db)
	rn := bloc.Record{Bloc: "b", Kind: bloc.KindRenamed, Date: bloc.MustDate("1970"), NewName: "Bloc Two"}
	if _, err := a.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindSigned, Date: bloc.MustDate("1950")},
		{Bloc: "b", Party: "XAB", Kind: bloc.KindAcceded, Date: bloc.MustDate("1955-03")}, rn}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Blocs(ctx); err != nil { // derives the whole record first
		t.Fatal(err)
	}
	for _, s := range []*registry.Service{a, b} {
		v, err := s.Members(ctx, "b", bloc.MustDate("1955-03-10"), time.Time{}, false)
		if err != nil {
			t.Fatal(err)
		}
		want := []registry.MemberView{
			{Party: "XAA", Name: "Party XAA", Standing: bloc.StandingMember, Since: "1950", Certain: true},
			{Party: "XAB", Name: "Party XAB", Standing: bloc.StandingMember, Since: "1955-03", Before: bloc.StandingNone, After: bloc.StandingMember},
		}
		if fmt.Sprint(v.Members) != fmt.Sprint(want) || v.Name != "Bloc" || v.At != "1955-03-10" {
			t.Errorf("members %+v", v)
		}
		if n, err := s.Name(ctx, "b", bloc.MustDate("1971").Start); err != nil || n != "Bloc Two" {
			t.Errorf("name in 1971: %q %v", n, err)
		}
	}
	if _, err := b.Add(ctx, []bloc.Record{{Bloc: "b", Party: "XAA", Kind: bloc.KindWithdrew, Date: bloc.MustDate("1980")}}); err != nil {
		t.Fatal(err)
	}
	p, err := a.Position(ctx, "b", "XAA", bloc.MustDate("1981").Start)
	if err != nil || p.Standing != bloc.StandingFormer || p.Since.String() != "1980" {
		t.Errorf("a sees XAA in 1981 as %+v (%v), want former since 1980", p, err)
	}
	if got := members(t, a, "1981"); got != "XAB" {
		t.Errorf("a sees members %q in 1981, want XAB", got)
	}
	if p, err := a.Position(ctx, "nope", "XAA", time.Now()); err != nil || p.Standing != bloc.StandingNone || !p.Certain {
		t.Errorf("position in an unknown bloc: %+v %v", p, err)
	}
	if _, err := a.Members(ctx, "nope", bloc.MustDate("1981"), time.Time{}, false); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("members of an unknown bloc: %v", err)
	}
	if _, err := a.Name(ctx, "nope", time.Now()); bloc.ErrorCode(err) != bloc.ENOTFOUND {
		t.Errorf("name of an unknown bloc: %v", err)
	}
}
