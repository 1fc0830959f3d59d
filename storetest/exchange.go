package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blocsec/bloc"
)

// RunExchange tests a store's bloc.ExchangeStore half. It creates the blocs
// and parties it needs through the store's RecordStore methods.
func RunExchange(t *testing.T, open Opener) {
	t.Run("Agencies", func(t *testing.T) { testAgencies(t, open) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open) })
	t.Run("Collections", func(t *testing.T) { testCollections(t, open) })
	t.Run("PutObjects", func(t *testing.T) { testPutObjects(t, open) })
	t.Run("DateAddedStrictlyIncreasing", func(t *testing.T) { testDateAddedIncreasing(t, open) })
	t.Run("Ownership", func(t *testing.T) { testOwnership(t, open) })
	t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, open) })
	t.Run("CheckRefusesOneObject", func(t *testing.T) { testCheckRefusal(t, open) })
	t.Run("BadObjects", func(t *testing.T) { testBadObjects(t, open) })
	t.Run("FirstLast", func(t *testing.T) { testFirstLast(t, open) })
	t.Run("Queries", func(t *testing.T) { testQueries(t, open) })
	t.Run("ConcurrentPaging", func(t *testing.T) { testConcurrentPaging(t, open) })
	t.Run("DeleteObject", func(t *testing.T) { testDeleteObject(t, open) })
	t.Run("Statuses", func(t *testing.T) { testStatuses(t, open) })
}

// Instants are whole microseconds: every store keeps at least that.
var (
	baseTime  = time.Date(2024, 3, 1, 9, 30, 0, 123456000, time.UTC)
	laterTime = baseTime.Add(time.Hour)
)

const (
	collA = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	collB = "52892447-4d7e-4f70-b94d-d7f22742ff63"
	collC = "ac2ce7c5-2b6c-4bd8-9f3b-0d3f7e1b7a10"
)

// exchangeFixture is a store with two blocs, three parties, an agency of
// each party and a collection in each bloc (collA, collB in csto; collC
// in sco).
type exchangeFixture struct {
	ctx context.Context
	s   bloc.Store
}

func newExchange(t *testing.T, open Opener) *exchangeFixture {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	f := &exchangeFixture{ctx: context.Background(), s: s}
	for _, b := range []bloc.Bloc{
		{Slug: "csto", Name: "Collective Security Treaty Organization", Founded: bloc.MustDate("1992-05-15")},
		{Slug: "sco", Name: "Shanghai Cooperation Organisation", Founded: bloc.MustDate("2001-06-15")},
	} {
		f.must(t, s.CreateBloc(f.ctx, b))
	}
	for _, p := range []bloc.Party{{Code: "KAZ", Name: "Kazakhstan"}, {Code: "ARM", Name: "Armenia"}, {Code: "UZB", Name: "Uzbekistan"}} {
		f.must(t, s.CreateParty(f.ctx, p))
	}
	for _, a := range []bloc.Agency{
		{ID: "kaz-knb", Party: "KAZ", Name: "KNB", Identity: "identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a01", Created: baseTime},
		{ID: "arm-nss", Party: "ARM", Name: "NSS", Identity: "identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a02", Created: baseTime},
		{ID: "uzb-sgb", Party: "UZB", Name: "SGB", Identity: "identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a03", Created: baseTime},
	} {
		f.must(t, s.CreateAgency(f.ctx, a))
	}
	for _, c := range []bloc.Collection{
		{ID: collA, Bloc: "csto", Title: "Indicators", Audience: bloc.AudienceMembers, Created: baseTime},
		{ID: collB, Bloc: "csto", Title: "Reports", Audience: bloc.AudienceMembersObservers, Created: laterTime},
		{ID: collC, Bloc: "sco", Title: "Shared", Audience: bloc.AudiencePublic, Created: baseTime},
	} {
		f.must(t, s.CreateCollection(f.ctx, c))
	}
	return f
}

func (f *exchangeFixture) must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// put stores objects, failing the test on a call error, and returns the
// results.
func (f *exchangeFixture) put(t *testing.T, coll string, check func(bloc.Object, string, bool) error, objs ...bloc.Object) []bloc.PutResult {
	t.Helper()
	res, err := f.s.PutObjects(f.ctx, coll, objs, check)
	if err != nil {
		t.Fatalf("PutObjects(%s): %v", coll, err)
	}
	if len(res) != len(objs) {
		t.Fatalf("PutObjects(%s): %d results for %d objects", coll, len(res), len(objs))
	}
	return res
}

// putOK stores objects that must all be stored.
func (f *exchangeFixture) putOK(t *testing.T, coll string, objs ...bloc.Object) []bloc.Object {
	t.Helper()
	res := f.put(t, coll, writerCheck(""), objs...)
	out := make([]bloc.Object, len(res))
	for i, r := range res {
		if r.Err != nil || !r.Stored {
			t.Fatalf("object %d (%s %s): stored %v, err %v", i, objs[i].ID, objs[i].Version, r.Stored, r.Err)
		}
		out[i] = r.Object
	}
	return out
}

func (f *exchangeFixture) objects(t *testing.T, q bloc.ObjectQuery) []bloc.Object {
	t.Helper()
	objs, err := f.s.Objects(f.ctx, q)
	if err != nil {
		t.Fatalf("Objects(%+v): %v", q, err)
	}
	return objs
}

// writerCheck is the rule the exchange applies: a version already stored is
// a duplicate; an id owned by another party is refused. party "" accepts
// any owner.
func writerCheck(party string) func(bloc.Object, string, bool) error {
	return func(o bloc.Object, owner string, exists bool) error {
		if exists {
			return bloc.ErrDuplicate
		}
		if party != "" && owner != "" && owner != party {
			return bloc.Errorf(bloc.ECONFLICT, "%s is owned by %s", o.ID, owner)
		}
		return nil
	}
}

func stixID(typ string, n int) string {
	return fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, n)
}

// version returns the n-th minute after baseTime as a STIX timestamp.
func stixVersion(n int) string {
	return versionTime(n).Format("2006-01-02T15:04:05.000Z")
}

func versionTime(n int) time.Time {
	return baseTime.Truncate(time.Millisecond).Add(time.Duration(n) * time.Minute)
}

// obj is a version of an object written by kaz-knb.
func kazObject(id, ver string) bloc.Object {
	typ := id[:len(id)-len("--00000000-0000-4000-8000-000000000000")]
	return bloc.Object{
		ID: id, Type: typ, Version: ver, Spec: "2.1",
		Producer: "kaz-knb", OwnerParty: "KAZ", TLP: bloc.TLPGreen,
		Raw: []byte(fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":%q,"modified":%q}`, typ, id, ver, ver)),
	}
}

func writtenBy(o bloc.Object, agency, party string) bloc.Object {
	o.Producer, o.OwnerParty = agency, party
	return o
}

func wantErrCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, code)
	} else if got := bloc.ErrorCode(err); got != code {
		t.Errorf("%s: error %q has code %s, want %s", what, err, got, code)
	}
}

// key names a version for comparisons: "id@version".
func versionKey(o bloc.Object) string { return o.ID + "@" + o.Version }

func versionKeys(objs []bloc.Object) []string {
	ks := make([]string, len(objs))
	for i, o := range objs {
		ks[i] = versionKey(o)
	}
	return ks
}

func testAgencies(t *testing.T, open Opener) {
	f := newExchange(t, open)
	ctx, s := f.ctx, f.s
	want := bloc.Agency{ID: "arm-nss", Party: "ARM", Name: "NSS", Identity: "identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a02", Created: baseTime}
	got, err := s.Agency(ctx, "arm-nss")
	f.must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Agency = %+v, want %+v", got, want)
	}
	got, err = s.AgencyByIdentity(ctx, want.Identity)
	f.must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AgencyByIdentity = %+v, want %+v", got, want)
	}
	demo := bloc.Agency{ID: "kaz-demo", Party: "KAZ", Name: "Demo", Identity: "identity--5b7e0d3c-5c55-4f4e-8f55-3c2a4b3f9e10", Created: laterTime, Demo: true}
	f.must(t, s.CreateAgency(ctx, demo))
	got, err = s.Agency(ctx, "kaz-demo")
	f.must(t, err)
	if !reflect.DeepEqual(got, demo) {
		t.Errorf("Agency(demo) = %+v, want %+v", got, demo)
	}
	all, err := s.Agencies(ctx)
	f.must(t, err)
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	if want := []string{"arm-nss", "kaz-demo", "kaz-knb", "uzb-sgb"}; !slices.Equal(ids, want) {
		t.Errorf("Agencies = %v, want %v (by id)", ids, want)
	}

	_, err = s.Agency(ctx, "nope")
	wantErrCode(t, "Agency(nope)", err, bloc.ENOTFOUND)
	_, err = s.AgencyByIdentity(ctx, "identity--00000000-0000-4000-8000-000000000000")
	wantErrCode(t, "AgencyByIdentity(unknown)", err, bloc.ENOTFOUND)
	for _, c := range []struct {
		name string
		a    bloc.Agency
		code string
	}{
		{"same id", bloc.Agency{ID: "arm-nss", Party: "ARM", Name: "x", Identity: "identity--11111111-0000-4000-8000-000000000000"}, bloc.ECONFLICT},
		{"same identity", bloc.Agency{ID: "arm-2", Party: "ARM", Name: "x", Identity: want.Identity}, bloc.ECONFLICT},
		{"unknown party", bloc.Agency{ID: "xx", Party: "XXX", Name: "x", Identity: "identity--22222222-0000-4000-8000-000000000000"}, bloc.ENOTFOUND},
		{"no id", bloc.Agency{Party: "ARM", Name: "x", Identity: "identity--33333333-0000-4000-8000-000000000000"}, bloc.EINVALID},
		{"no party", bloc.Agency{ID: "np", Name: "x", Identity: "identity--44444444-0000-4000-8000-000000000000"}, bloc.EINVALID},
		{"bad identity", bloc.Agency{ID: "bi", Party: "ARM", Name: "x", Identity: "organization--1"}, bloc.EINVALID},
	} {
		wantErrCode(t, "CreateAgency "+c.name, s.CreateAgency(ctx, c.a), c.code)
	}
	all2, err := s.Agencies(ctx)
	f.must(t, err)
	if len(all2) != len(all) {
		t.Errorf("refused agencies were stored: %d agencies, want %d", len(all2), len(all))
	}
}

func testTokens(t *testing.T, open Opener) {
	f := newExchange(t, open)
	ctx, s := f.ctx, f.s
	tokens := []bloc.Token{
		{ID: "tok1", Agency: "kaz-knb", Role: bloc.RoleWrite, Hash: []byte{1, 2, 3, 0, 255}, Created: baseTime},
		{ID: "tok2", Agency: "arm-nss", Role: bloc.RoleRead, Hash: []byte("h2"), Created: baseTime.Add(time.Second), ExpiresAt: laterTime},
		{ID: "tok3", Agency: "kaz-knb", Role: bloc.RoleRegistrar, Hash: []byte("h3"), Created: baseTime.Add(2 * time.Second), Demo: true},
	}
	for _, tk := range tokens {
		f.must(t, s.CreateToken(ctx, tk))
	}
	for _, want := range tokens {
		got, err := s.Token(ctx, want.ID)
		f.must(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Token(%s) = %+v, want %+v", want.ID, got, want)
		}
	}
	all, err := s.Tokens(ctx, "")
	f.must(t, err)
	if !reflect.DeepEqual(all, tokens) {
		t.Errorf("Tokens(\"\") = %+v, want %+v", all, tokens)
	}
	kaz, err := s.Tokens(ctx, "kaz-knb")
	f.must(t, err)
	if want := []bloc.Token{tokens[0], tokens[2]}; !reflect.DeepEqual(kaz, want) {
		t.Errorf("Tokens(kaz-knb) = %+v, want %+v", kaz, want)
	}
	none, err := s.Tokens(ctx, "uzb-sgb")
	f.must(t, err)
	if len(none) != 0 {
		t.Errorf("Tokens(uzb-sgb) = %+v, want none", none)
	}

	wantErrCode(t, "CreateToken same id", s.CreateToken(ctx, bloc.Token{ID: "tok1", Agency: "arm-nss", Role: bloc.RoleRead, Hash: []byte("x")}), bloc.ECONFLICT)
	wantErrCode(t, "CreateToken unknown agency", s.CreateToken(ctx, bloc.Token{ID: "tok9", Agency: "nope", Role: bloc.RoleRead, Hash: []byte("x")}), bloc.ENOTFOUND)
	wantErrCode(t, "CreateToken bad role", s.CreateToken(ctx, bloc.Token{ID: "tok9", Agency: "arm-nss", Role: "admin", Hash: []byte("x")}), bloc.EINVALID)
	wantErrCode(t, "CreateToken no hash", s.CreateToken(ctx, bloc.Token{ID: "tok9", Agency: "arm-nss", Role: bloc.RoleRead}), bloc.EINVALID)
	_, err = s.Token(ctx, "tok9")
	wantErrCode(t, "Token(tok9) after refused creates", err, bloc.ENOTFOUND)

	revokedAt := laterTime.Add(time.Minute)
	f.must(t, s.RevokeToken(ctx, "tok2", revokedAt))
	got, err := s.Token(ctx, "tok2")
	f.must(t, err)
	want := tokens[1]
	want.RevokedAt = revokedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("revoked Token(tok2) = %+v, want %+v", got, want)
	}
	// Revoking again is not an error and does not move the instant.
	f.must(t, s.RevokeToken(ctx, "tok2", revokedAt.Add(time.Hour)))
	got, err = s.Token(ctx, "tok2")
	f.must(t, err)
	if !got.RevokedAt.Equal(revokedAt) {
		t.Errorf("re-revoked: RevokedAt = %v, want the first revocation %v", got.RevokedAt, revokedAt)
	}
	other, err := s.Token(ctx, "tok1")
	f.must(t, err)
	if !other.RevokedAt.IsZero() {
		t.Errorf("revoking tok2 revoked tok1 at %v", other.RevokedAt)
	}
	wantErrCode(t, "RevokeToken(nope)", s.RevokeToken(ctx, "nope", laterTime), bloc.ENOTFOUND)
}

func testCollections(t *testing.T, open Opener) {
	f := newExchange(t, open)
	ctx, s := f.ctx, f.s
	want := bloc.Collection{ID: "6a0e5cf5-8d0b-4f44-9a35-0b8ab6d2d8a1", Bloc: "csto", Title: "Alerts", Description: "Urgent alerts",
		Alias: "alerts", Audience: bloc.AudiencePublic, Created: laterTime.Add(time.Hour), Demo: true}
	f.must(t, s.CreateCollection(ctx, want))
	got, err := s.Collection(ctx, want.ID)
	f.must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Collection = %+v, want %+v", got, want)
	}
	cs, err := s.Collections(ctx, "csto")
	f.must(t, err)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if w := []string{collA, collB, want.ID}; !slices.Equal(ids, w) {
		t.Errorf("Collections(csto) = %v, want %v (creation order)", ids, w)
	}
	cs, err = s.Collections(ctx, "sco")
	f.must(t, err)
	if len(cs) != 1 || cs[0].ID != collC || cs[0].Audience != bloc.AudiencePublic || cs[0].Title != "Shared" {
		t.Errorf("Collections(sco) = %+v, want only %s", cs, collC)
	}
	cs, err = s.Collections(ctx, "nato")
	f.must(t, err)
	if len(cs) != 0 {
		t.Errorf("Collections(nato) = %+v, want none", cs)
	}

	_, err = s.Collection(ctx, "00000000-0000-4000-8000-000000000000")
	wantErrCode(t, "Collection(unknown)", err, bloc.ENOTFOUND)
	for _, c := range []struct {
		name string
		c    bloc.Collection
		code string
	}{
		{"same id", bloc.Collection{ID: collA, Bloc: "sco", Title: "x", Audience: bloc.AudienceMembers}, bloc.ECONFLICT},
		{"same alias in bloc", bloc.Collection{ID: "7b8c0f9e-0000-4000-8000-000000000001", Bloc: "csto", Title: "x", Alias: "alerts", Audience: bloc.AudienceMembers}, bloc.ECONFLICT},
		{"unknown bloc", bloc.Collection{ID: "7b8c0f9e-0000-4000-8000-000000000002", Bloc: "nato", Title: "x", Audience: bloc.AudienceMembers}, bloc.ENOTFOUND},
		{"bad audience", bloc.Collection{ID: "7b8c0f9e-0000-4000-8000-000000000003", Bloc: "csto", Title: "x", Audience: "everyone"}, bloc.EINVALID},
		{"no title", bloc.Collection{ID: "7b8c0f9e-0000-4000-8000-000000000004", Bloc: "csto", Audience: bloc.AudienceMembers}, bloc.EINVALID},
		{"no id", bloc.Collection{Bloc: "csto", Title: "x", Audience: bloc.AudienceMembers}, bloc.EINVALID},
	} {
		wantErrCode(t, "CreateCollection "+c.name, s.CreateCollection(ctx, c.c), c.code)
	}
	// The same alias in another bloc is fine: aliases are per API root.
	f.must(t, s.CreateCollection(ctx, bloc.Collection{ID: "7b8c0f9e-0000-4000-8000-000000000005", Bloc: "sco", Title: "x", Alias: "alerts", Audience: bloc.AudienceMembers, Created: laterTime}))
	cs, err = s.Collections(ctx, "csto")
	f.must(t, err)
	if len(cs) != 3 {
		t.Errorf("refused collections were stored: csto has %d, want 3", len(cs))
	}
}

func testPutObjects(t *testing.T, open Opener) {
	f := newExchange(t, open)
	before := time.Now().Truncate(time.Microsecond)
	in := []bloc.Object{kazObject(stixID("indicator", 1), stixVersion(0)), kazObject(stixID("malware", 2), stixVersion(0)), kazObject(stixID("indicator", 3), stixVersion(5))}
	in[0].TLP = bloc.TLPRed
	in[0].Recipients = bloc.Recipients{Parties: []string{"ARM"}, Identities: []string{"identity--0f8b2a1c-4d35-4c8e-9a51-1f1e7c7b1a01"}}
	in[0].Labels = []string{"apt", "espionage"}
	in[1].Spec = "2.0"
	in[1].TLP = bloc.TLPAmberStrict
	in[2].Collection = collB // ignored: the collection argument decides
	var calls []string
	res := f.put(t, collA, func(o bloc.Object, owner string, exists bool) error {
		calls = append(calls, fmt.Sprintf("%s owner=%q exists=%v", versionKey(o), owner, exists))
		return nil
	}, in...)
	wantCalls := []string{versionKey(in[0]) + ` owner="" exists=false`, versionKey(in[1]) + ` owner="" exists=false`, versionKey(in[2]) + ` owner="" exists=false`}
	if !slices.Equal(calls, wantCalls) {
		t.Errorf("check calls = %q, want %q", calls, wantCalls)
	}
	var prev time.Time
	for i, r := range res {
		if r.Err != nil || !r.Stored {
			t.Fatalf("result %d: stored %v err %v", i, r.Stored, r.Err)
		}
		o := r.Object
		if o.Seq != int64(i+1) {
			t.Errorf("result %d: Seq = %d, want %d", i, o.Seq, i+1)
		}
		if o.DateAdded.Before(before) {
			t.Errorf("result %d: DateAdded %v is before the call began (%v)", i, o.DateAdded, before)
		}
		if i > 0 && !o.DateAdded.After(prev) {
			t.Errorf("result %d: DateAdded %v not after the previous %v", i, o.DateAdded, prev)
		}
		prev = o.DateAdded
		want := in[i]
		want.Collection, want.Seq, want.DateAdded, want.First, want.Last = collA, o.Seq, o.DateAdded, true, true
		if !reflect.DeepEqual(o, want) {
			t.Errorf("result %d = %+v, want %+v", i, o, want)
		}
	}
	got := f.objects(t, bloc.ObjectQuery{Collection: collA})
	stored := []bloc.Object{res[0].Object, res[1].Object, res[2].Object}
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("Objects = %+v, want %+v", got, stored)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collB}); len(got) != 0 {
		t.Errorf("collB holds %v, want nothing", versionKeys(got))
	}
	// Seq continues in the next call; an empty call changes nothing.
	f.putOK(t, collA)
	next := f.putOK(t, collA, kazObject(stixID("indicator", 4), stixVersion(0)))
	if next[0].Seq != 4 || !next[0].DateAdded.After(prev) {
		t.Errorf("next call: Seq %d DateAdded %v, want 4 and after %v", next[0].Seq, next[0].DateAdded, prev)
	}
	// Another collection counts from 1.
	if other := f.putOK(t, collB, kazObject(stixID("indicator", 4), stixVersion(1))); other[0].Seq != 1 {
		t.Errorf("first object of collB: Seq %d, want 1", other[0].Seq)
	}
	_, err := f.s.PutObjects(f.ctx, "00000000-0000-4000-8000-000000000000", in, writerCheck(""))
	wantErrCode(t, "PutObjects(unknown collection)", err, bloc.ENOTFOUND)
}

func testDateAddedIncreasing(t *testing.T, open Opener) {
	f := newExchange(t, open)
	// Many small writes in quick succession: several land in the same
	// clock tick, and still each date_added must be later than the last.
	var all []bloc.Object
	for i := range 200 {
		batch := []bloc.Object{kazObject(stixID("indicator", 2*i), stixVersion(0)), kazObject(stixID("indicator", 2*i+1), stixVersion(0))}
		all = append(all, f.putOK(t, collA, batch...)...)
	}
	got := f.objects(t, bloc.ObjectQuery{Collection: collA})
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("Objects does not return what PutObjects reported (%d vs %d objects)", len(got), len(all))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 {
			t.Errorf("Seq %d follows %d", got[i].Seq, got[i-1].Seq)
		}
		if !got[i].DateAdded.After(got[i-1].DateAdded) {
			t.Errorf("seq %d: DateAdded %v not after %v", got[i].Seq, got[i].DateAdded, got[i-1].DateAdded)
		}
	}
}

func testOwnership(t *testing.T, open Opener) {
	f := newExchange(t, open)
	id := stixID("indicator", 1)
	f.putOK(t, collA, kazObject(id, stixVersion(0)))
	// Armenia writes a version of Kazakhstan's object in another collection:
	// the check sees the first writer, across collections.
	var seen []string
	res := f.put(t, collB, func(o bloc.Object, owner string, exists bool) error {
		seen = append(seen, fmt.Sprintf("%s owner=%s exists=%v", versionKey(o), owner, exists))
		return writerCheck("ARM")(o, owner, exists)
	}, writtenBy(kazObject(id, stixVersion(1)), "arm-nss", "ARM"))
	if want := []string{versionKey(kazObject(id, stixVersion(1))) + " owner=KAZ exists=false"}; !slices.Equal(seen, want) {
		t.Errorf("check saw %q, want %q", seen, want)
	}
	wantErrCode(t, "version by a non-owner", res[0].Err, bloc.ECONFLICT)
	if res[0].Stored {
		t.Errorf("refused version reported stored")
	}
	// The owner's next version in collB is fine; the owner stays KAZ even
	// though collB had no version of the id yet.
	f.putOK(t, collB, kazObject(id, stixVersion(2)))
	res = f.put(t, collB, writerCheck("ARM"), writtenBy(kazObject(id, stixVersion(3)), "arm-nss", "ARM"))
	wantErrCode(t, "second try by a non-owner", res[0].Err, bloc.ECONFLICT)
	// Within one call, an id new to the store is owned from its first
	// stored version on: a later object of the same call sees the owner.
	id4 := stixID("indicator", 4)
	var owners []string
	f.put(t, collA, func(o bloc.Object, owner string, exists bool) error {
		owners = append(owners, owner)
		if o.Version == stixVersion(0) {
			return bloc.Errorf(bloc.EINVALID, "refused") // not stored: owns nothing
		}
		return nil
	}, kazObject(id4, stixVersion(0)), kazObject(id4, stixVersion(1)), writtenBy(kazObject(id4, stixVersion(2)), "arm-nss", "ARM"))
	if want := []string{"", "", "KAZ"}; !slices.Equal(owners, want) {
		t.Errorf("owners seen within one call = %q, want %q", owners, want)
	}
	// A new id written first by Armenia belongs to Armenia, also in collA.
	id2 := stixID("malware", 2)
	f.put(t, collB, writerCheck("ARM"), writtenBy(kazObject(id2, stixVersion(0)), "arm-nss", "ARM"))
	var owner string
	f.put(t, collA, func(o bloc.Object, ow string, exists bool) error { owner = ow; return nil }, kazObject(id2, stixVersion(1)))
	if owner != "ARM" {
		t.Errorf("owner of %s seen in collA = %q, want ARM", id2, owner)
	}
	// Deleting every version does not release the id: the first writer
	// still owns it.
	for _, c := range []string{collA, collB} {
		if _, err := f.s.DeleteObject(f.ctx, c, id2, nil); err != nil {
			t.Fatal(err)
		}
	}
	owner = ""
	f.put(t, collC, func(o bloc.Object, ow string, exists bool) error { owner = ow; return bloc.Errorf(bloc.EINVALID, "no") }, kazObject(id2, stixVersion(9)))
	if owner != "ARM" {
		t.Errorf("owner of deleted %s = %q, want ARM", id2, owner)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collB, Versions: []string{"all"}}); !slices.Equal(versionKeys(got), []string{versionKey(kazObject(id, stixVersion(2)))}) {
		t.Errorf("collB holds %v, want only the owner's version", versionKeys(got))
	}
}

func testDuplicates(t *testing.T, open Opener) {
	f := newExchange(t, open)
	id := stixID("indicator", 1)
	first := f.putOK(t, collA, kazObject(id, stixVersion(0)), kazObject(stixID("indicator", 2), stixVersion(0)))
	// Re-POST: the same version, spelled with more digits, and a new one.
	again := kazObject(id, versionTime(0).Format("2006-01-02T15:04:05.000000Z"))
	again.Raw = []byte(`{"changed":"but ignored"}`)
	var existsSeen []bool
	res := f.put(t, collA, func(o bloc.Object, owner string, exists bool) error {
		existsSeen = append(existsSeen, exists)
		return writerCheck("KAZ")(o, owner, exists)
	}, again, kazObject(id, stixVersion(1)))
	if !slices.Equal(existsSeen, []bool{true, false}) {
		t.Errorf("check saw exists = %v, want [true false]", existsSeen)
	}
	if res[0].Err != nil || res[0].Stored {
		t.Errorf("duplicate: stored %v err %v, want skipped without error", res[0].Stored, res[0].Err)
	}
	// The duplicate's result is the stored version as it was, except that
	// first/last now reflect the newer version.
	wantDup := first[0]
	wantDup.Last = false
	if !reflect.DeepEqual(res[0].Object, wantDup) {
		t.Errorf("duplicate result = %+v, want the stored %+v", res[0].Object, wantDup)
	}
	if !res[1].Stored || res[1].Object.Seq != 3 {
		t.Errorf("new version: stored %v seq %d, want stored at seq 3", res[1].Stored, res[1].Object.Seq)
	}
	all := f.objects(t, bloc.ObjectQuery{Collection: collA, Versions: []string{"all"}})
	if want := []string{versionKey(first[0]), versionKey(first[1]), versionKey(kazObject(id, stixVersion(1)))}; !slices.Equal(versionKeys(all), want) {
		t.Errorf("stored = %v, want %v", versionKeys(all), want)
	}
	// A version repeated within one call is stored once; the repeat reports
	// the version the call stored.
	id3 := stixID("indicator", 3)
	existsSeen = nil
	res = f.put(t, collA, func(o bloc.Object, owner string, exists bool) error {
		existsSeen = append(existsSeen, exists)
		return writerCheck("KAZ")(o, owner, exists)
	}, kazObject(id3, stixVersion(0)), kazObject(id3, stixVersion(0)))
	if !slices.Equal(existsSeen, []bool{false, true}) {
		t.Errorf("repeat within a call: check saw exists = %v, want [false true]", existsSeen)
	}
	if !res[0].Stored || res[1].Stored || res[1].Err != nil || !reflect.DeepEqual(res[1].Object, res[0].Object) {
		t.Errorf("repeat within a call: %+v, want the second to report the first, not stored", res)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, IDs: []string{id3}, Versions: []string{"all"}}); len(got) != 1 {
		t.Errorf("repeat within a call stored %d versions, want 1", len(got))
	}
	// The same version in another collection is not a duplicate.
	res = f.put(t, collB, func(o bloc.Object, owner string, exists bool) error {
		if exists || owner != "KAZ" {
			t.Errorf("collB check: owner %q exists %v, want KAZ false", owner, exists)
		}
		return nil
	}, kazObject(id, stixVersion(0)))
	if !res[0].Stored {
		t.Errorf("same version in collB not stored: %v", res[0].Err)
	}
}

func testCheckRefusal(t *testing.T, open Opener) {
	f := newExchange(t, open)
	refusal := bloc.Errorf(bloc.EINVALID, "indicator 2 is not valid")
	in := []bloc.Object{kazObject(stixID("indicator", 1), stixVersion(0)), kazObject(stixID("indicator", 2), stixVersion(0)), kazObject(stixID("indicator", 3), stixVersion(0))}
	res := f.put(t, collA, func(o bloc.Object, owner string, exists bool) error {
		if o.ID == stixID("indicator", 2) {
			return refusal
		}
		return nil
	}, in...)
	if res[1].Err != refusal || res[1].Stored {
		t.Errorf("refused object: stored %v err %v, want the check's error", res[1].Stored, res[1].Err)
	}
	if !res[0].Stored || !res[2].Stored || res[0].Object.Seq != 1 || res[2].Object.Seq != 2 {
		t.Errorf("others: %+v / %+v, want stored at seq 1 and 2", res[0], res[2])
	}
	got := f.objects(t, bloc.ObjectQuery{Collection: collA})
	if want := []string{versionKey(in[0]), versionKey(in[2])}; !slices.Equal(versionKeys(got), want) {
		t.Errorf("stored %v, want %v", versionKeys(got), want)
	}
	// A refused first version leaves the id unowned.
	var owner string
	f.put(t, collA, func(o bloc.Object, ow string, exists bool) error { owner = ow; return nil }, writtenBy(in[1], "arm-nss", "ARM"))
	if owner != "" {
		t.Errorf("refused object's id is owned by %q", owner)
	}
}

func testBadObjects(t *testing.T, open Opener) {
	f := newExchange(t, open)
	good := kazObject(stixID("indicator", 1), stixVersion(0))
	noVersion := kazObject(stixID("indicator", 2), "")
	badVersion := kazObject(stixID("indicator", 3), "yesterday")
	noID := kazObject(stixID("indicator", 4), stixVersion(0))
	noID.ID = ""
	unknownProducer := writtenBy(kazObject(stixID("indicator", 5), stixVersion(0)), "nope", "KAZ")
	unknownParty := writtenBy(kazObject(stixID("indicator", 6), stixVersion(0)), "kaz-knb", "XXX")
	noRaw := kazObject(stixID("indicator", 7), stixVersion(0))
	noRaw.Raw = nil
	called := 0
	res := f.put(t, collA, func(bloc.Object, string, bool) error { called++; return nil },
		noVersion, badVersion, noID, good, unknownProducer, unknownParty, noRaw)
	for i, code := range []string{bloc.EINVALID, bloc.EINVALID, bloc.EINVALID, "", bloc.ENOTFOUND, bloc.ENOTFOUND, bloc.EINVALID} {
		if code == "" {
			if !res[i].Stored || res[i].Object.Seq != 1 {
				t.Errorf("result %d: stored %v seq %d err %v, want stored at seq 1", i, res[i].Stored, res[i].Object.Seq, res[i].Err)
			}
			continue
		}
		wantErrCode(t, fmt.Sprintf("result %d", i), res[i].Err, code)
	}
	if called != 1 {
		t.Errorf("check called %d times, want once (for the good object only)", called)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, Versions: []string{"all"}}); !slices.Equal(versionKeys(got), []string{versionKey(good)}) {
		t.Errorf("stored %v, want only %s", versionKeys(got), versionKey(good))
	}
}

func testFirstLast(t *testing.T, open Opener) {
	f := newExchange(t, open)
	id := stixID("indicator", 1)
	flags := func() map[string]string {
		m := map[string]string{}
		for _, o := range f.objects(t, bloc.ObjectQuery{Collection: collA, IDs: []string{id}, Versions: []string{"all"}}) {
			m[o.Version] = fmt.Sprintf("first=%v last=%v", o.First, o.Last)
		}
		return m
	}
	// Versions arrive out of order, in one call: v2, then v1, then v3.
	res := f.putOK(t, collA, kazObject(id, stixVersion(2)), kazObject(id, stixVersion(1)), kazObject(id, stixVersion(3)))
	got := []string{}
	for _, o := range res {
		got = append(got, fmt.Sprintf("%s first=%v last=%v", o.Version, o.First, o.Last))
	}
	want := []string{stixVersion(2) + " first=false last=false", stixVersion(1) + " first=true last=false", stixVersion(3) + " first=false last=true"}
	if !slices.Equal(got, want) {
		t.Errorf("results = %q, want %q", got, want)
	}
	wantFlags := map[string]string{stixVersion(1): "first=true last=false", stixVersion(2): "first=false last=false", stixVersion(3): "first=false last=true"}
	if got := flags(); !reflect.DeepEqual(got, wantFlags) {
		t.Errorf("stored flags = %v, want %v", got, wantFlags)
	}
	// Later calls: an older version becomes first, a newer one last.
	f.putOK(t, collA, kazObject(id, stixVersion(0)))
	f.putOK(t, collA, kazObject(id, stixVersion(4)))
	wantFlags = map[string]string{stixVersion(0): "first=true last=false", stixVersion(1): "first=false last=false", stixVersion(2): "first=false last=false",
		stixVersion(3): "first=false last=false", stixVersion(4): "first=false last=true"}
	if got := flags(); !reflect.DeepEqual(got, wantFlags) {
		t.Errorf("stored flags = %v, want %v", got, wantFlags)
	}
	// Flags are per collection: the only version in collB is both.
	other := f.putOK(t, collB, kazObject(id, stixVersion(2)))
	if !other[0].First || !other[0].Last {
		t.Errorf("only version in collB: first %v last %v, want both", other[0].First, other[0].Last)
	}
}

// queryData stores a fixed set of versions in collA and returns them in
// seq order:
//
//	seq id            version spec
//	1   indicator 1   v1      2.1
//	2   indicator 1   v0      2.1
//	3   malware 2     v0      2.0
//	4   indicator 1   v2      2.1
//	5   report 3      v0      2.1
//	6   malware 2     v3      2.1
//	7   indicator 4   v0      2.1
func queryData(t *testing.T, f *exchangeFixture) []bloc.Object {
	i1, m2, r3, i4 := stixID("indicator", 1), stixID("malware", 2), stixID("report", 3), stixID("indicator", 4)
	m := kazObject(m2, stixVersion(0))
	m.Spec = "2.0"
	var all []bloc.Object
	all = append(all, f.putOK(t, collA, kazObject(i1, stixVersion(1)), kazObject(i1, stixVersion(0)), m)...)
	all = append(all, f.putOK(t, collA, kazObject(i1, stixVersion(2)), kazObject(r3, stixVersion(0)))...)
	all = append(all, f.putOK(t, collA, kazObject(m2, stixVersion(3)), kazObject(i4, stixVersion(0)))...)
	// Something in another collection that no query of collA may return.
	f.putOK(t, collB, kazObject(i1, stixVersion(7)), kazObject(stixID("indicator", 9), stixVersion(0)))
	return all
}

func testQueries(t *testing.T, open Opener) {
	f := newExchange(t, open)
	all := queryData(t, f)
	i1, m2, r3, i4 := stixID("indicator", 1), stixID("malware", 2), stixID("report", 3), stixID("indicator", 4)
	k := func(id string, v int) string { return id + "@" + stixVersion(v) }
	cases := []struct {
		name string
		q    bloc.ObjectQuery
		want []string
	}{
		{"default is last", bloc.ObjectQuery{}, []string{k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"last", bloc.ObjectQuery{Versions: []string{"last"}}, []string{k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"first", bloc.ObjectQuery{Versions: []string{"first"}}, []string{k(i1, 0), k(m2, 0), k(r3, 0), k(i4, 0)}},
		{"all", bloc.ObjectQuery{Versions: []string{"all"}}, []string{k(i1, 1), k(i1, 0), k(m2, 0), k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"first and last", bloc.ObjectQuery{Versions: []string{"first", "last"}}, []string{k(i1, 0), k(m2, 0), k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"all wins", bloc.ObjectQuery{Versions: []string{"first", "all"}}, []string{k(i1, 1), k(i1, 0), k(m2, 0), k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"exact", bloc.ObjectQuery{Versions: []string{stixVersion(1)}}, []string{k(i1, 1)}},
		{"exact, other spelling", bloc.ObjectQuery{Versions: []string{versionTime(1).Format("2006-01-02T15:04:05.000000000Z")}}, []string{k(i1, 1)}},
		{"exact and first", bloc.ObjectQuery{Versions: []string{stixVersion(1), "first"}}, []string{k(i1, 1), k(i1, 0), k(m2, 0), k(r3, 0), k(i4, 0)}},
		{"two exact", bloc.ObjectQuery{Versions: []string{stixVersion(0), stixVersion(3)}}, []string{k(i1, 0), k(m2, 0), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"id", bloc.ObjectQuery{IDs: []string{i1}, Versions: []string{"all"}}, []string{k(i1, 1), k(i1, 0), k(i1, 2)}},
		{"id last", bloc.ObjectQuery{IDs: []string{i1}}, []string{k(i1, 2)}},
		{"ids", bloc.ObjectQuery{IDs: []string{m2, i4}, Versions: []string{"all"}}, []string{k(m2, 0), k(m2, 3), k(i4, 0)}},
		{"unknown id", bloc.ObjectQuery{IDs: []string{stixID("indicator", 9)}}, nil},
		{"type", bloc.ObjectQuery{Types: []string{"indicator"}, Versions: []string{"all"}}, []string{k(i1, 1), k(i1, 0), k(i1, 2), k(i4, 0)}},
		{"types", bloc.ObjectQuery{Types: []string{"report", "malware"}, Versions: []string{"all"}}, []string{k(m2, 0), k(r3, 0), k(m2, 3)}},
		{"repeated type", bloc.ObjectQuery{Types: []string{"report", "malware", "report"}, Versions: []string{"all"}}, []string{k(m2, 0), k(r3, 0), k(m2, 3)}},
		{"types and limit", bloc.ObjectQuery{Types: []string{"report", "malware", "indicator"}, Versions: []string{"all"}, Limit: 4}, []string{k(i1, 1), k(i1, 0), k(m2, 0), k(i1, 2)}},
		{"types after seq", bloc.ObjectQuery{Types: []string{"indicator", "malware"}, AfterSeq: 3, Versions: []string{"all"}}, []string{k(i1, 2), k(m2, 3), k(i4, 0)}},
		{"type and id", bloc.ObjectQuery{Types: []string{"malware"}, IDs: []string{i1, m2}, Versions: []string{"all"}}, []string{k(m2, 0), k(m2, 3)}},
		{"spec", bloc.ObjectQuery{Specs: []string{"2.0"}, Versions: []string{"all"}}, []string{k(m2, 0)}},
		{"spec last", bloc.ObjectQuery{Specs: []string{"2.0"}}, nil},
		{"specs", bloc.ObjectQuery{Specs: []string{"2.0", "2.1"}, Versions: []string{"first"}}, []string{k(i1, 0), k(m2, 0), k(r3, 0), k(i4, 0)}},
		{"after seq", bloc.ObjectQuery{AfterSeq: 4, Versions: []string{"all"}}, []string{k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"after last seq", bloc.ObjectQuery{AfterSeq: 7, Versions: []string{"all"}}, nil},
		{"limit", bloc.ObjectQuery{Limit: 2, Versions: []string{"all"}}, []string{k(i1, 1), k(i1, 0)}},
		{"after seq and limit", bloc.ObjectQuery{AfterSeq: 2, Limit: 3, Versions: []string{"all"}}, []string{k(m2, 0), k(i1, 2), k(r3, 0)}},
		{"added after", bloc.ObjectQuery{AddedAfter: all[3].DateAdded, Versions: []string{"all"}}, []string{k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"added after, just before", bloc.ObjectQuery{AddedAfter: all[3].DateAdded.Add(-time.Microsecond), Versions: []string{"all"}}, []string{k(i1, 2), k(r3, 0), k(m2, 3), k(i4, 0)}},
		{"added after and after seq", bloc.ObjectQuery{AddedAfter: all[1].DateAdded, AfterSeq: 5, Versions: []string{"all"}}, []string{k(m2, 3), k(i4, 0)}},
		{"added after the last", bloc.ObjectQuery{AddedAfter: all[6].DateAdded}, nil},
		{"added after, long ago", bloc.ObjectQuery{AddedAfter: baseTime.AddDate(-10, 0, 0), Limit: 1}, []string{k(i1, 2)}},
		{"everything at once", bloc.ObjectQuery{Types: []string{"indicator"}, Specs: []string{"2.1"}, AddedAfter: all[0].DateAdded, Versions: []string{"first", "last"}, Limit: 1}, []string{k(i1, 0)}},
	}
	for _, c := range cases {
		q := c.q
		q.Collection = collA
		got, err := f.s.Objects(f.ctx, q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if gk := versionKeys(got); !slices.Equal(gk, c.want) && !(len(gk) == 0 && len(c.want) == 0) {
			t.Errorf("%s: got %v, want %v", c.name, gk, c.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Seq <= got[i-1].Seq {
				t.Errorf("%s: not in seq order: %d after %d", c.name, got[i].Seq, got[i-1].Seq)
			}
		}
	}
	// Every returned row is complete, not just its key: as PutObjects
	// reported it, with first/last as they are now.
	now := slices.Clone(all)
	now[0].Last, now[1].Last, now[2].Last = false, false, false
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, Versions: []string{"all"}}); !reflect.DeepEqual(got, now) {
		t.Errorf("all rows = %+v, want %+v", got, now)
	}
	got := f.objects(t, bloc.ObjectQuery{Collection: collA, Types: []string{"malware", "report"}, Versions: []string{"all"}})
	if want := []bloc.Object{now[2], now[4], now[5]}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows by type = %+v, want %+v", got, want)
	}

	_, err := f.s.Objects(f.ctx, bloc.ObjectQuery{Collection: collA, Versions: []string{"newest"}})
	wantErrCode(t, "Versions newest", err, bloc.EINVALID)
	_, err = f.s.Objects(f.ctx, bloc.ObjectQuery{Collection: "00000000-0000-4000-8000-000000000000"})
	wantErrCode(t, "Objects(unknown collection)", err, bloc.ENOTFOUND)
}

func testConcurrentPaging(t *testing.T, open Opener) {
	f := newExchange(t, open)
	const writers, batches, perBatch = 4, 25, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	want := map[string]bool{}
	for w := range writers {
		for b := range batches {
			for i := range perBatch {
				// Some ids get a second version from the next batch.
				want[versionKey(kazObject(stixID("indicator", w*10000+b*100+i), stixVersion(0)))] = true
				if i == 0 && b > 0 {
					want[versionKey(kazObject(stixID("indicator", w*10000+(b-1)*100), stixVersion(b)))] = true
				}
			}
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var batch []bloc.Object
				for i := range perBatch {
					batch = append(batch, kazObject(stixID("indicator", w*10000+b*100+i), stixVersion(0)))
					if i == 0 && b > 0 {
						batch = append(batch, kazObject(stixID("indicator", w*10000+(b-1)*100), stixVersion(b)))
					}
				}
				res, err := f.s.PutObjects(f.ctx, collA, batch, writerCheck(""))
				if err == nil {
					for _, r := range res {
						if r.Err != nil {
							err = r.Err
						}
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int{}
	var after int64
	finished := false
	for {
		select {
		case <-done:
			finished = true
		default:
		}
		page := f.objects(t, bloc.ObjectQuery{Collection: collA, AfterSeq: after, Versions: []string{"all"}, Limit: 7})
		for _, o := range page {
			if o.Seq <= after {
				t.Fatalf("page after %d returned seq %d", after, o.Seq)
			}
			after = o.Seq
			seen[versionKey(o)]++
		}
		// Once the writers are done, one more empty page ends the walk.
		if finished && len(page) == 0 {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", k, n)
		}
		if !want[k] {
			t.Errorf("%s seen but never written", k)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("paging saw %d versions, want %d", len(seen), len(want))
	}
}

func testDeleteObject(t *testing.T, open Opener) {
	f := newExchange(t, open)
	id, other := stixID("indicator", 1), stixID("indicator", 2)
	f.putOK(t, collA, kazObject(id, stixVersion(0)), kazObject(id, stixVersion(1)), kazObject(id, stixVersion(2)), kazObject(id, stixVersion(3)), kazObject(other, stixVersion(0)))
	f.putOK(t, collB, kazObject(id, stixVersion(3)))
	flags := func(coll string) []string {
		var s []string
		for _, o := range f.objects(t, bloc.ObjectQuery{Collection: coll, IDs: []string{id}, Versions: []string{"all"}}) {
			s = append(s, fmt.Sprintf("%s first=%v last=%v", o.Version, o.First, o.Last))
		}
		return s
	}
	del := func(coll string, versions []string, want int) {
		t.Helper()
		n, err := f.s.DeleteObject(f.ctx, coll, id, versions)
		if err != nil {
			t.Fatalf("DeleteObject(%v): %v", versions, err)
		}
		if n != want {
			t.Errorf("DeleteObject(%v) removed %d, want %d", versions, n, want)
		}
	}
	// Remove the last version: the one before it becomes last.
	del(collA, []string{stixVersion(3)}, 1)
	if got, want := flags(collA), []string{stixVersion(0) + " first=true last=false", stixVersion(1) + " first=false last=false", stixVersion(2) + " first=false last=true"}; !slices.Equal(got, want) {
		t.Errorf("after deleting the last: %q, want %q", got, want)
	}
	// Remove the first (and a version that does not exist): the next becomes first.
	del(collA, []string{stixVersion(0), stixVersion(9)}, 1)
	if got, want := flags(collA), []string{stixVersion(1) + " first=true last=false", stixVersion(2) + " first=false last=true"}; !slices.Equal(got, want) {
		t.Errorf("after deleting the first: %q, want %q", got, want)
	}
	// Remove the newest: the one left is both.
	del(collA, []string{stixVersion(2)}, 1)
	if got, want := flags(collA), []string{stixVersion(1) + " first=true last=true"}; !slices.Equal(got, want) {
		t.Errorf("after deleting the newest: %q, want %q", got, want)
	}
	// The default query (last) now returns the remaining version.
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, IDs: []string{id}}); !slices.Equal(versionKeys(got), []string{id + "@" + stixVersion(1)}) {
		t.Errorf("last after deletes = %v", versionKeys(got))
	}
	// Deleting nothing that exists removes nothing.
	del(collA, []string{stixVersion(5)}, 0)
	n, err := f.s.DeleteObject(f.ctx, collA, stixID("indicator", 99), nil)
	if err != nil || n != 0 {
		t.Errorf("DeleteObject(unknown id) = %d, %v; want 0, nil", n, err)
	}
	// All versions; other objects and collections keep theirs.
	f.putOK(t, collA, kazObject(id, stixVersion(4)))
	del(collA, nil, 2)
	if got := flags(collA); len(got) != 0 {
		t.Errorf("after deleting all: %q", got)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, Versions: []string{"all"}}); !slices.Equal(versionKeys(got), []string{other + "@" + stixVersion(0)}) {
		t.Errorf("collA after deleting %s: %v", id, versionKeys(got))
	}
	if got, want := flags(collB), []string{stixVersion(3) + " first=true last=true"}; !slices.Equal(got, want) {
		t.Errorf("collB: %q, want %q", got, want)
	}
	// Deleting the newest object never lets a later write reuse its seq or
	// date_added: a reader holding that seq as its cursor must see the next.
	tip := f.putOK(t, collA, kazObject(stixID("indicator", 3), stixVersion(0)))[0]
	n, err = f.s.DeleteObject(f.ctx, collA, stixID("indicator", 3), nil)
	if err != nil || n != 1 {
		t.Fatalf("DeleteObject(tip) = %d, %v", n, err)
	}
	next := f.putOK(t, collA, kazObject(stixID("indicator", 4), stixVersion(0)))[0]
	if next.Seq <= tip.Seq || !next.DateAdded.After(tip.DateAdded) {
		t.Errorf("after deleting seq %d (%v) the next write got seq %d (%v)", tip.Seq, tip.DateAdded, next.Seq, next.DateAdded)
	}
	if got := f.objects(t, bloc.ObjectQuery{Collection: collA, AfterSeq: tip.Seq}); !slices.Equal(versionKeys(got), []string{versionKey(next)}) {
		t.Errorf("page after the deleted tip = %v, want %s", versionKeys(got), versionKey(next))
	}

	_, err = f.s.DeleteObject(f.ctx, "00000000-0000-4000-8000-000000000000", id, nil)
	wantErrCode(t, "DeleteObject(unknown collection)", err, bloc.ENOTFOUND)
	_, err = f.s.DeleteObject(f.ctx, collA, id, []string{"soon"})
	wantErrCode(t, "DeleteObject(bad version)", err, bloc.EINVALID)
}

func testStatuses(t *testing.T, open Opener) {
	f := newExchange(t, open)
	ctx, s := f.ctx, f.s
	want := bloc.Status{
		ID: "2d086da7-4bdc-4f91-900e-d77486753710", Collection: collA, Agency: "kaz-knb", Party: "KAZ",
		Status: "complete", RequestAt: laterTime,
		Successes: []bloc.StatusDetail{{ID: stixID("indicator", 1), Version: stixVersion(0)}, {ID: stixID("indicator", 2), Version: stixVersion(1), Message: "already stored"}},
		Failures:  []bloc.StatusDetail{{ID: stixID("malware", 3), Version: stixVersion(0), Message: "malware--…: property is_family is required"}},
	}
	f.must(t, s.SaveStatus(ctx, want))
	got, err := s.Status(ctx, want.ID)
	f.must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
	// Saving again replaces it.
	want2 := bloc.Status{ID: want.ID, Collection: collA, Agency: "kaz-knb", Party: "KAZ", Status: "complete", RequestAt: laterTime,
		Pendings: []bloc.StatusDetail{{ID: stixID("indicator", 4), Version: stixVersion(2)}}}
	f.must(t, s.SaveStatus(ctx, want2))
	got, err = s.Status(ctx, want.ID)
	f.must(t, err)
	if !reflect.DeepEqual(got, want2) {
		t.Errorf("replaced Status = %+v, want %+v", got, want2)
	}
	_, err = s.Status(ctx, "00000000-0000-4000-8000-000000000000")
	wantErrCode(t, "Status(unknown)", err, bloc.ENOTFOUND)
	err = s.SaveStatus(ctx, bloc.Status{ID: "x", Collection: "00000000-0000-4000-8000-000000000000", Agency: "kaz-knb", Party: "KAZ", Status: "complete", RequestAt: laterTime})
	wantErrCode(t, "SaveStatus(unknown collection)", err, bloc.ENOTFOUND)
}
