package taxii

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/stix"
)

// postObjects stores an envelope's objects. Each object is validated and
// checked on its own: the valid ones are stored (each whole or not at all)
// and the status resource names every object with its outcome.
func (s *Server) postObjects(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if c.cred.Anonymous {
		return bloc.Errorf(bloc.EUNAUTH, "writing needs credentials: send Authorization: Bearer <token> or Basic (user = agency or token id, password = token)")
	}
	sc, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	if !sc.canWrite.Allow {
		return bloc.Errorf(bloc.EFORBIDDEN, "you may not write to collection %s: %s", sc.coll.ID, sc.canWrite.Reason)
	}
	if err := contentTypeOK(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var env struct{ Objects []json.RawMessage }
	if env.Objects, err = envelopeObjects(body); err != nil {
		return bloc.Errorf(bloc.EINVALID, "the body is not a TAXII envelope (a JSON object with an \"objects\" list): %v", jsonProblem(err))
	}
	if len(env.Objects) == 0 {
		return bloc.Errorf(bloc.EINVALID, "the envelope has no objects: send {\"objects\": [ ...STIX objects... ]}")
	}

	st := bloc.Status{ID: newUUID(), Collection: sc.coll.ID, Agency: c.cred.Agency.ID, Party: c.cred.Agency.Party,
		Status: "complete", RequestAt: c.now}
	// failures and successes hold one entry per envelope index.
	objs, index, failures := s.prepare(sc, c, env.Objects)
	successes := make([]*bloc.StatusDetail, len(env.Objects))
	var stored []bloc.Object
	if len(objs) > 0 {
		results, err := s.cfg.Store.PutObjects(r.Context(), sc.coll.ID, objs, func(o bloc.Object, owner string, exists bool) error {
			if d := access.Write(sc.reader, sc.coll, o, owner); !d.Allow {
				return bloc.Errorf(bloc.EFORBIDDEN, "%s", d.Reason)
			}
			if exists {
				return bloc.ErrDuplicate
			}
			return nil
		})
		if err != nil {
			return err
		}
		for j, res := range results {
			i := index[j]
			d := bloc.StatusDetail{ID: objs[j].ID, Version: objs[j].Version}
			switch {
			case res.Err != nil && !errors.Is(res.Err, bloc.ErrDuplicate):
				d.Message = "refused: " + bloc.ErrorMessage(res.Err)
				if bloc.ErrorCode(res.Err) == bloc.EINTERNAL {
					s.log.ErrorContext(r.Context(), "storing an object failed", "object", objs[j].ID, "err", res.Err)
				}
				failures[i] = &d
			case res.Stored:
				d.Message = "stored"
				stored = append(stored, res.Object)
				successes[i] = &d
			default:
				d.Message = "already stored: this version was posted before (an idempotent re-POST)"
				successes[i] = &d
			}
		}
	}
	for i := range env.Objects {
		if failures[i] != nil {
			st.Failures = append(st.Failures, *failures[i])
		} else if successes[i] != nil {
			st.Successes = append(st.Successes, *successes[i])
		}
	}
	if err := s.cfg.Store.SaveStatus(r.Context(), st); err != nil {
		return err
	}
	if len(stored) > 0 && s.cfg.OnStored != nil {
		s.cfg.OnStored(sc.coll, stored)
	}
	return s.writeJSON(w, http.StatusAccepted, statusResourceOf(st))
}

// prepare validates each raw object and derives its trusted metadata. It
// returns the objects to store, the envelope index of each, and a failure
// per envelope index (nil where the object goes on to the store).
func (s *Server) prepare(sc scope, c *call, raws []json.RawMessage) ([]bloc.Object, []int, []*bloc.StatusDetail) {
	failures := make([]*bloc.StatusDetail, len(raws))
	var objs []bloc.Object
	var index []int
	for i, raw := range raws {
		info, problems := stix.Validate(raw)
		id := info.ID
		if len(problems) > 0 {
			id, info.Version = peek(raw, i)
			texts := make([]string, len(problems))
			for k, p := range problems {
				texts[k] = p.Error()
			}
			failures[i] = &bloc.StatusDetail{ID: id, Version: info.Version,
				Message: "invalid STIX: " + strings.Join(texts, "; ")}
			continue
		}
		if info.ID == stix.ExtensionID {
			failures[i] = &bloc.StatusDetail{ID: id, Version: info.Version,
				Message: "refused: " + stix.ExtensionID + " is the bloc extension-definition, published by the server; it cannot be written"}
			continue
		}
		version := info.Version
		if version == "" {
			// An SCO without created or modified: TAXII 2.1 takes its
			// date_added as its version; the request's instant stands
			// for it (the store's date_added is within microseconds).
			version = timestamp(c.now)
		}
		o := bloc.Object{
			ID: info.ID, Type: info.Type, Version: version, Spec: info.SpecVersion,
			Producer: c.cred.Agency.ID, OwnerParty: c.cred.Agency.Party,
			TLP: info.TLP, Recipients: info.Recipients, Labels: info.Labels,
			Raw: raw,
		}
		// Everything Write decides without the store (RED without
		// recipients, public collections) is refused here; ownership is
		// decided in the store's transaction.
		if d := access.Write(sc.reader, sc.coll, o, ""); !d.Allow {
			failures[i] = &bloc.StatusDetail{ID: id, Version: info.Version, Message: "refused: " + d.Reason}
			continue
		}
		objs = append(objs, o)
		index = append(index, i)
	}
	return objs, index, failures
}

// peek reads the id and version an invalid object claims, to name it in
// the status; an object without a usable id is named by its position.
func peek(raw []byte, i int) (id, version string) {
	var head struct {
		ID       any `json:"id"`
		Created  any `json:"created"`
		Modified any `json:"modified"`
	}
	json.Unmarshal(raw, &head)
	id, _ = head.ID.(string)
	if id == "" || len(id) > 300 {
		id = fmt.Sprintf("objects[%d]", i)
	}
	version, _ = head.Modified.(string)
	if version == "" {
		version, _ = head.Created.(string)
	}
	if len(version) > 64 {
		version = ""
	}
	return id, version
}

// readBody reads a request body of at most MaxContentLength bytes, or
// refuses it with 413.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := s.cfg.MaxContentLength
	tooLarge := bloc.Errorf(bloc.ETOOLARGE, "the request body is larger than this API root's max_content_length of %d bytes: split the envelope into smaller ones", max)
	if r.ContentLength > max {
		return nil, tooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, bloc.Errorf(bloc.EINVALID, "the request body could not be read: %v", err)
	}
	return b, nil
}

// jsonProblem says where a JSON document went wrong.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%q is a JSON %s where a %s is expected", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

// deleteObject removes versions of an object. Only agencies of the party
// that owns the object, with write access to the collection, may delete;
// to a caller who cannot read the object it does not exist.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request) error {
	sc, id, f, err := s.objectRequest(r, objectFields)
	if err != nil {
		return err
	}
	if id == stix.ExtensionID {
		return bloc.Errorf(bloc.EFORBIDDEN, "%s is the bloc extension-definition, published by the server in every API root; it cannot be deleted", id)
	}
	f.q.IDs = []string{id}
	f.limit = MaxLimit
	var versions []string
	var owner string
	for {
		p, err := s.readPage(r, sc, f)
		if err != nil {
			return err
		}
		for _, o := range p.objs {
			versions = append(versions, o.Version)
			owner = o.OwnerParty
		}
		if !p.more {
			break
		}
		f.q.AfterSeq, _ = decodeCursor(p.next, sc.coll.ID)
	}
	if len(versions) == 0 {
		if err := s.mustExist(r, sc, id); err != nil {
			return err
		}
		return bloc.Errorf(bloc.ENOTFOUND, "no version of object %s matches the match[] filters; nothing was deleted", id)
	}
	if !sc.canWrite.Allow {
		return bloc.Errorf(bloc.EFORBIDDEN, "you may not delete from collection %s: %s", sc.coll.ID, sc.canWrite.Reason)
	}
	if owner != sc.reader.Agency.Party {
		return bloc.Errorf(bloc.EFORBIDDEN, "object %s is owned by party %s (its first writer); only agencies of %s may delete it", id, owner, owner)
	}
	if _, err := s.cfg.Store.DeleteObject(r.Context(), sc.coll.ID, id, versions); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// newUUID returns a random (version 4) UUID, as TAXII status ids are.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
