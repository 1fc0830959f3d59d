// Package auth turns the credentials of an HTTP request into the agency and
// token that made it. Tokens are random secrets shown once; only their
// SHA-256 hash is stored, and secrets are compared in constant time.
//
// A token is written bloc_<id>_<secret>: the id lets the server find the
// stored hash without scanning, and the prefix makes leaked tokens easy to
// spot in logs and repositories.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// Prefix starts every token string.
const Prefix = "bloc_"

// secretBytes is the entropy of a token secret: 256 bits.
const secretBytes = 32

// Credential is who made a request. An anonymous credential has zero Token
// and Agency.
type Credential struct {
	Token     bloc.Token
	Agency    bloc.Agency
	Anonymous bool
}

// Anonymous is the credential of a request without an Authorization header.
var Anonymous = Credential{Anonymous: true}

// NewToken makes a token for an agency with a fresh random id and secret.
// It returns the token to store (holding only the secret's hash) and the
// token string to show the user once.
func NewToken(agency string, role bloc.Role) (bloc.Token, string, error) {
	if agency == "" {
		return bloc.Token{}, "", bloc.Errorf(bloc.EINVALID, "a token needs an agency")
	}
	if !role.Valid() {
		return bloc.Token{}, "", bloc.Errorf(bloc.EINVALID, "role %q: use read, write or registrar", role)
	}
	idb := make([]byte, 8)
	if _, err := rand.Read(idb); err != nil {
		return bloc.Token{}, "", err
	}
	sec := make([]byte, secretBytes)
	if _, err := rand.Read(sec); err != nil {
		return bloc.Token{}, "", err
	}
	id := "tok" + hex.EncodeToString(idb)
	secret := base64.RawURLEncoding.EncodeToString(sec)
	t := bloc.Token{
		ID:      id,
		Agency:  agency,
		Role:    role,
		Hash:    Hash(secret),
		Created: time.Now().UTC(),
	}
	return t, Prefix + id + "_" + secret, nil
}

// Hash is the stored form of a token secret.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Parse splits a token string into its id and secret.
func Parse(token string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(token, Prefix)
	if ok {
		id, secret, ok = strings.Cut(rest, "_")
	}
	if !ok || id == "" || secret == "" {
		return "", "", bloc.Errorf(bloc.EUNAUTH, "the token is malformed: a bloc token looks like %s<id>_<secret>, as printed by `bloc token create`", Prefix)
	}
	return id, secret, nil
}

// errBadToken is the one answer for an unknown token id and a wrong secret,
// so that a guesser learns nothing about which ids exist.
var errBadToken = bloc.Errorf(bloc.EUNAUTH, "the token is not valid: check that it was copied whole, or create a new one with `bloc token create`")

// Verify checks a token string against the store at instant now and returns
// the token and its agency. A revoked or expired token is refused with a
// message that says which, but only after its secret has been verified, so
// that only its holder learns it.
func Verify(ctx context.Context, store bloc.ExchangeStore, token string, now time.Time) (Credential, error) {
	id, secret, err := Parse(token)
	if err != nil {
		return Credential{}, err
	}
	return verify(ctx, store, id, secret, now)
}

func verify(ctx context.Context, store bloc.ExchangeStore, id, secret string, now time.Time) (Credential, error) {
	t, err := store.Token(ctx, id)
	if err != nil {
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			// Hash anyway so an unknown id costs as much as a known one.
			subtle.ConstantTimeCompare(Hash(secret), make([]byte, sha256.Size))
			return Credential{}, errBadToken
		}
		return Credential{}, err
	}
	if subtle.ConstantTimeCompare(Hash(secret), t.Hash) != 1 {
		return Credential{}, errBadToken
	}
	if !t.RevokedAt.IsZero() && !now.Before(t.RevokedAt) {
		return Credential{}, bloc.Errorf(bloc.EUNAUTH, "token %s was revoked at %s: ask your registrar for a new one", t.ID, bloc.FormatInstant(t.RevokedAt))
	}
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return Credential{}, bloc.Errorf(bloc.EUNAUTH, "token %s expired at %s: ask your registrar for a new one", t.ID, bloc.FormatInstant(t.ExpiresAt))
	}
	a, err := store.Agency(ctx, t.Agency)
	if err != nil {
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			return Credential{}, bloc.Errorf(bloc.EUNAUTH, "token %s belongs to agency %q, which no longer exists", t.ID, t.Agency)
		}
		return Credential{}, err
	}
	return Credential{Token: t, Agency: a}, nil
}

// Authenticate reads the request's Authorization header at instant now:
//
//   - none: the anonymous credential (not an error; access rules decide
//     what anonymous callers may read);
//   - Bearer <token>;
//   - Basic with user = the agency id or the token id and password = the
//     token (TAXII clients speak Basic). With user = the token id the
//     password may also be the secret alone.
//
// Any failure is an EUNAUTH error whose message says what to fix.
func Authenticate(ctx context.Context, store bloc.ExchangeStore, r *http.Request, now time.Time) (Credential, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Anonymous, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	rest = strings.TrimSpace(rest)
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		if rest == "" {
			return Credential{}, bloc.Errorf(bloc.EUNAUTH, "the Authorization header says Bearer but gives no token")
		}
		return Verify(ctx, store, rest, now)
	case strings.EqualFold(scheme, "Basic"):
		user, pass, ok := r.BasicAuth()
		if !ok {
			return Credential{}, bloc.Errorf(bloc.EUNAUTH, "the Basic Authorization header is malformed: it must be base64 of user:password")
		}
		return basic(ctx, store, user, pass, now)
	}
	return Credential{}, bloc.Errorf(bloc.EUNAUTH, "authorization scheme %q is not supported: use Basic (user = agency or token id, password = token) or Bearer <token>", scheme)
}

func basic(ctx context.Context, store bloc.ExchangeStore, user, pass string, now time.Time) (Credential, error) {
	if user == "" || pass == "" {
		return Credential{}, bloc.Errorf(bloc.EUNAUTH, "Basic authentication needs a user (your agency or token id) and a password (your token)")
	}
	id, secret, err := Parse(pass)
	if err != nil {
		// A bare secret is accepted when the user names the token.
		id, secret = user, pass
	}
	c, err := verify(ctx, store, id, secret, now)
	if err != nil {
		return Credential{}, err
	}
	if user != c.Token.ID && user != c.Agency.ID {
		return Credential{}, bloc.Errorf(bloc.EUNAUTH, "the Basic user %q is neither the token's id nor its agency: use %q or %q", user, c.Token.ID, c.Agency.ID)
	}
	return c, nil
}

// IsUnauthorized reports whether err is an authentication failure.
func IsUnauthorized(err error) bool {
	var e *bloc.Error
	return errors.As(err, &e) && e.Code == bloc.EUNAUTH
}
