package taxii

import (
	"context"
	"net/http"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/auth"
)

// ReaderAt resolves a credential into the access.Reader of bloc b at
// instant t: the agency, its token's role and its party's standing in b at
// t. The server calls it with the instant a request arrived; `bloc access
// explain --at` can call it with a past instant.
func ReaderAt(ctx context.Context, st Standings, cred auth.Credential, b string, t time.Time) (access.Reader, error) {
	if cred.Anonymous {
		return access.Reader{Anonymous: true}, nil
	}
	pos, err := st.Position(ctx, b, cred.Agency.Party, t)
	if err != nil {
		return access.Reader{}, err
	}
	return access.ReaderOf(cred.Agency, cred.Token.Role, pos), nil
}

func (s *Server) reader(r *http.Request, b string) (access.Reader, error) {
	c := callOf(r)
	return ReaderAt(r.Context(), s.cfg.Standings, c.cred, b, c.now)
}

// errNoRoot is the one answer for a missing API root and one the caller
// may not use.
func errNoRoot(root string) error {
	return bloc.Errorf(bloc.ENOTFOUND, "no API root /%s/ that you may use: GET /taxii2/ lists the API roots your credentials can use", root)
}

// errNoCollection is the one answer for a missing collection and one the
// caller may not read.
func errNoCollection(root, id string) error {
	return bloc.Errorf(bloc.ENOTFOUND, "no collection %s in API root /%s/ that you may read: GET /%s/collections/ lists the collections your credentials can use", id, root, root)
}

// errNoObject is the one answer for a missing object and one the caller
// may not read.
func errNoObject(root, coll, id string) error {
	return bloc.Errorf(bloc.ENOTFOUND, "no object %s that you may read in collection %s: GET /%s/collections/%s/manifest/ lists what you can read", id, coll, root, coll)
}

// apiRoot is an API root as the caller may use it.
type apiRoot struct {
	bloc        bloc.Bloc
	reader      access.Reader
	collections []bloc.Collection
}

// rootOf resolves {root} for the caller, or 404.
func (s *Server) rootOf(r *http.Request) (apiRoot, error) {
	slug := r.PathValue("root")
	b, err := s.cfg.Records.Bloc(r.Context(), slug)
	if err != nil {
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			return apiRoot{}, errNoRoot(slug)
		}
		return apiRoot{}, err
	}
	rd, err := s.reader(r, slug)
	if err != nil {
		return apiRoot{}, err
	}
	colls, err := s.cfg.Store.Collections(r.Context(), slug)
	if err != nil {
		return apiRoot{}, err
	}
	if !access.SeesAPIRoot(rd, slug, anyPublic(colls)).Allow {
		return apiRoot{}, errNoRoot(slug)
	}
	return apiRoot{bloc: b, reader: rd, collections: colls}, nil
}

func anyPublic(colls []bloc.Collection) bool {
	for _, c := range colls {
		if c.Audience == bloc.AudiencePublic {
			return true
		}
	}
	return false
}

// scope is one collection as the caller may use it.
type scope struct {
	root     string
	coll     bloc.Collection
	reader   access.Reader
	canRead  bool
	canWrite access.Decision
}

// collectionOf resolves {root} and {coll} for the caller; a collection it
// may neither read nor write is not found.
func (s *Server) collectionOf(r *http.Request) (scope, error) {
	root, id := r.PathValue("root"), r.PathValue("coll")
	c, err := s.cfg.Store.Collection(r.Context(), id)
	if err != nil {
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			return scope{}, errNoCollection(root, id)
		}
		return scope{}, err
	}
	if c.Bloc != root {
		return scope{}, errNoCollection(root, id)
	}
	rd, err := s.reader(r, root)
	if err != nil {
		return scope{}, err
	}
	sc := scope{root: root, coll: c, reader: rd,
		canRead:  access.ReadCollection(rd, c).Allow,
		canWrite: access.WriteCollection(rd, c)}
	if !sc.canRead && !sc.canWrite.Allow {
		return scope{}, errNoCollection(root, id)
	}
	return sc, nil
}

// readable returns a collection the caller may read, or 404.
func (s *Server) readable(r *http.Request) (scope, error) {
	sc, err := s.collectionOf(r)
	if err == nil && !sc.canRead {
		err = errNoCollection(sc.root, sc.coll.ID)
	}
	return sc, err
}

// mayRead is the per-object filter of every read path.
func (sc scope) mayRead(o bloc.Object) bool { return access.Read(sc.reader, sc.coll, o).Allow }
