package auth_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/sqlite"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	db                      *sqlite.DB
	agency                  bloc.Agency
	live, expired, revoked  bloc.Token
	liveS, expiredS, revokS string
}

func setup(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bloc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateParty(ctx, bloc.Party{Code: "KAZ", Name: "Kazakhstan"}); err != nil {
		t.Fatal(err)
	}
	f := fixture{db: db, agency: bloc.Agency{ID: "kaz-knb", Party: "KAZ", Name: "KNB", Identity: "identity--6c3c6d2e-44f7-4f4a-9f39-0f1bb3a3a1d1"}}
	if err := db.CreateAgency(ctx, f.agency); err != nil {
		t.Fatal(err)
	}
	mk := func(role bloc.Role, edit func(*bloc.Token)) (bloc.Token, string) {
		tok, s, err := auth.NewToken(f.agency.ID, role)
		if err != nil {
			t.Fatal(err)
		}
		edit(&tok)
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		return tok, s
	}
	f.live, f.liveS = mk(bloc.RoleWrite, func(*bloc.Token) {})
	f.expired, f.expiredS = mk(bloc.RoleRead, func(k *bloc.Token) { k.ExpiresAt = t0 })
	f.revoked, f.revokS = mk(bloc.RoleRead, func(*bloc.Token) {})
	if err := db.RevokeToken(ctx, f.revoked.ID, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewToken(t *testing.T) {
	tok, s, err := auth.NewToken("kaz-knb", bloc.RoleRead)
	if err != nil {
		t.Fatal(err)
	}
	id, secret, err := auth.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if id != tok.ID || !strings.HasPrefix(s, "bloc_"+tok.ID+"_") {
		t.Errorf("token string %q does not embed id %q", s, tok.ID)
	}
	if string(tok.Hash) != string(auth.Hash(secret)) || len(tok.Hash) != 32 {
		t.Errorf("hash is not SHA-256 of the secret")
	}
	if strings.Contains(string(tok.Hash), secret) {
		t.Errorf("the secret is stored")
	}
	if len(secret) < 40 {
		t.Errorf("secret %q is short", secret)
	}
	_, s2, _ := auth.NewToken("kaz-knb", bloc.RoleRead)
	if s2 == s {
		t.Errorf("two tokens are equal")
	}
	if _, _, err := auth.NewToken("kaz-knb", "admin"); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("role admin: got %v, want EINVALID", err)
	}
	if _, _, err := auth.NewToken("", bloc.RoleRead); bloc.ErrorCode(err) != bloc.EINVALID {
		t.Errorf("no agency: got %v, want EINVALID", err)
	}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestAuthenticate(t *testing.T) {
	f := setup(t)
	_, liveSecret, _ := auth.Parse(f.liveS)
	cases := []struct {
		name   string
		header string
		// want: "" anonymous, a token id, or "error:" + substring of the message
		want string
	}{
		{"no header", "", ""},
		{"bearer", "Bearer " + f.liveS, f.live.ID},
		{"bearer lower-case scheme", "bearer " + f.liveS, f.live.ID},
		{"basic agency", basic(f.agency.ID, f.liveS), f.live.ID},
		{"basic token id", basic(f.live.ID, f.liveS), f.live.ID},
		{"basic token id and bare secret", basic(f.live.ID, liveSecret), f.live.ID},
		{"basic other user", basic("rus-fsb", f.liveS), "error:neither the token's id nor its agency"},
		{"basic agency and bare secret", basic(f.agency.ID, liveSecret), "error:not valid"},
		{"basic malformed", "Basic !!!", "error:malformed"},
		{"bearer empty", "Bearer ", "error:gives no token"},
		{"bearer malformed", "Bearer abc", "error:malformed"},
		{"wrong secret", "Bearer " + f.liveS[:len(f.liveS)-2] + "xx", "error:not valid"},
		{"unknown id", "Bearer bloc_tok0000000000000000_" + liveSecret, "error:not valid"},
		{"expired", "Bearer " + f.expiredS, "error:expired at 2025-03-01T12:00:00Z"},
		{"revoked", "Bearer " + f.revokS, "error:was revoked at 2025-03-01T11:00:00Z"},
		{"revoked via basic", basic(f.agency.ID, f.revokS), "error:was revoked"},
		{"digest", "Digest abc", "error:not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/taxii2/", nil)
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
			}
			cred, err := auth.Authenticate(context.Background(), f.db, r, t0)
			if msg, ok := strings.CutPrefix(c.want, "error:"); ok {
				if err == nil {
					t.Fatalf("got credential %+v, want error containing %q", cred, msg)
				}
				if bloc.ErrorCode(err) != bloc.EUNAUTH || !strings.Contains(err.Error(), msg) {
					t.Fatalf("got %v (%s), want EUNAUTH containing %q", err, bloc.ErrorCode(err), msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if !cred.Anonymous || cred.Agency.ID != "" {
					t.Fatalf("got %+v, want anonymous", cred)
				}
				return
			}
			if cred.Anonymous || cred.Token.ID != c.want || cred.Agency.ID != f.agency.ID || cred.Agency.Party != "KAZ" || cred.Agency.Identity != f.agency.Identity || cred.Token.Role != bloc.RoleWrite {
				t.Fatalf("got %+v, want token %s of agency %s", cred, c.want, f.agency.ID)
			}
		})
	}
}

// A token is valid until the instant of its expiry or revocation.
func TestInstants(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := auth.Verify(ctx, f.db, f.expiredS, t0.Add(-time.Microsecond)); err != nil {
		t.Errorf("just before expiry: %v", err)
	}
	if _, err := auth.Verify(ctx, f.db, f.expiredS, t0); err == nil {
		t.Errorf("at expiry: accepted")
	}
	if _, err := auth.Verify(ctx, f.db, f.revokS, t0.Add(-time.Hour-time.Microsecond)); err != nil {
		t.Errorf("just before revocation: %v", err)
	}
}
