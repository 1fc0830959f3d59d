package taxii

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/stix"
)

// discovery lists the API roots the caller may use.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	blocs, err := s.cfg.Records.Blocs(ctx)
	if err != nil {
		return err
	}
	base := baseURL(r)
	roots := []string{}
	for _, b := range blocs {
		rd, err := s.reader(r, b.Slug)
		if err != nil {
			return err
		}
		colls, err := s.cfg.Store.Collections(ctx, b.Slug)
		if err != nil {
			return err
		}
		if access.SeesAPIRoot(rd, b.Slug, anyPublic(colls)).Allow {
			roots = append(roots, base+"/"+b.Slug+"/")
		}
	}
	d := struct {
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Contact     string   `json:"contact,omitempty"`
		Default     string   `json:"default,omitempty"`
		APIRoots    []string `json:"api_roots,omitempty"`
	}{Title: s.cfg.Title, Description: s.cfg.Description, Contact: s.cfg.Contact, APIRoots: roots}
	if len(roots) == 1 {
		d.Default = roots[0]
	}
	return s.writeJSON(w, http.StatusOK, d)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request) error {
	root, err := s.rootOf(r)
	if err != nil {
		return err
	}
	name := root.bloc.Name
	if s.cfg.BlocName != nil {
		if n := s.cfg.BlocName(r.Context(), root.bloc.Slug, callOf(r).now); n != "" {
			name = n
		}
	}
	desc := "TAXII API root of " + name + " (" + root.bloc.Slug + "). What you read here follows your party's standing in the bloc at the instant of each request. " +
		"The bloc named-recipients extension, " + stix.ExtensionID + ", is served in every collection you can read at collections/{id}/objects/" + stix.ExtensionID + "/."
	if root.bloc.Demo {
		desc = "[DEMO DATA] " + desc
	}
	return s.writeJSON(w, http.StatusOK, struct {
		Title            string   `json:"title"`
		Description      string   `json:"description,omitempty"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}{name, desc, []string{MediaTypeTAXII}, s.cfg.MaxContentLength})
}

// collectionResource is the TAXII collection resource for one caller.
type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func resourceOf(c bloc.Collection, canRead, canWrite bool) collectionResource {
	desc := c.Description
	if c.Demo {
		desc = "[DEMO DATA] " + desc
	}
	return collectionResource{ID: c.ID, Title: c.Title, Description: desc, Alias: c.Alias,
		CanRead: canRead, CanWrite: canWrite, MediaTypes: []string{MediaTypeSTIX}}
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request) error {
	root, err := s.rootOf(r)
	if err != nil {
		return err
	}
	var out []collectionResource
	for _, c := range root.collections {
		canRead := access.ReadCollection(root.reader, c).Allow
		canWrite := access.WriteCollection(root.reader, c).Allow
		if canRead || canWrite {
			out = append(out, resourceOf(c, canRead, canWrite))
		}
	}
	return s.writeJSON(w, http.StatusOK, struct {
		Collections []collectionResource `json:"collections,omitempty"`
	}{out})
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, resourceOf(sc.coll, sc.canRead, sc.canWrite.Allow))
}

// page is one page of readable object versions.
type page struct {
	objs []bloc.Object
	more bool
	next string
}

// readPage fetches store pages after the filter's cursor and keeps the
// versions the caller may read, until it has f.limit of them, the
// collection ends, or the scan budget is spent. It looks one readable
// version ahead so that more is exact (except when the budget runs out
// while looking ahead: then more is true and the next page may be empty).
func (s *Server) readPage(r *http.Request, sc scope, f filter) (page, error) {
	q := f.q
	fetch := min(f.limit+1, 5000, s.cfg.ScanBudget)
	scanned := 0
	var out []bloc.Object
	for {
		q.Limit = fetch
		rows, err := s.cfg.Store.Objects(r.Context(), q)
		if err != nil {
			return page{}, err
		}
		for _, o := range rows {
			q.AfterSeq = o.Seq
			scanned++
			if !sc.mayRead(o) {
				continue
			}
			if len(out) == f.limit {
				return page{objs: out, more: true, next: encodeCursor(out[len(out)-1].Seq, sc.coll.ID)}, nil
			}
			out = append(out, o)
		}
		if len(rows) < fetch {
			return page{objs: out}, nil
		}
		if scanned >= s.cfg.ScanBudget {
			last := q.AfterSeq
			if len(out) == f.limit {
				last = out[len(out)-1].Seq
			}
			return page{objs: out, more: true, next: encodeCursor(last, sc.coll.ID)}, nil
		}
	}
}

// setDateHeaders sets X-TAXII-Date-Added-First/Last from the page itself,
// so they describe only what the caller may read.
func setDateHeaders(w http.ResponseWriter, objs []bloc.Object) {
	if len(objs) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", timestamp(objs[0].DateAdded))
	w.Header().Set("X-TAXII-Date-Added-Last", timestamp(objs[len(objs)-1].DateAdded))
}

func (s *Server) getObjects(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.readable(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), sc.coll.ID, objectsFields)
	if err != nil {
		return err
	}
	p, err := s.readPage(r, sc, f)
	if err != nil {
		return err
	}
	return s.writeEnvelope(w, p)
}

// envelopeBufs holds the buffers of written envelopes for reuse: a page
// of a thousand objects is most of a megabyte, which would otherwise be
// allocated and zeroed for every page.
var envelopeBufs sync.Pool // of *[]byte

// maxPooledEnvelope is the largest buffer kept for reuse.
const maxPooledEnvelope = 16 << 20

// writeEnvelope writes the envelope by hand: the objects are stored JSON,
// copied through without decoding or re-encoding, into a buffer of the
// exact size.
func (s *Server) writeEnvelope(w http.ResponseWriter, p page) error {
	next, err := json.Marshal(p.next)
	if err != nil {
		return err
	}
	size := len(`{"more":false,"next":,"objects":[]}`) + len(next)
	for _, o := range p.objs {
		if len(o.Raw) == 0 {
			return fmt.Errorf("object %s version %s has no stored JSON", o.ID, o.Version)
		}
		size += len(o.Raw) + 1
	}
	bp, _ := envelopeBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	if cap(b) < size {
		b = make([]byte, 0, size)
	}
	b = append(b, `{"more":`...)
	b = strconv.AppendBool(b, p.more)
	if p.next != "" {
		b = append(b, `,"next":`...)
		b = append(b, next...)
	}
	if len(p.objs) > 0 {
		b = append(b, `,"objects":[`...)
		for i, o := range p.objs {
			if i > 0 {
				b = append(b, ',')
			}
			// Stored as received inside an envelope that parsed, so it is
			// valid JSON and goes out unchanged.
			b = append(b, o.Raw...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	setDateHeaders(w, p.objs)
	err = s.writeBytes(w, http.StatusOK, b) // copies b out before returning
	if cap(b) <= maxPooledEnvelope {
		*bp = b
		envelopeBufs.Put(bp)
	}
	return err
}

type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.readable(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), sc.coll.ID, objectsFields)
	if err != nil {
		return err
	}
	p, err := s.readPage(r, sc, f)
	if err != nil {
		return err
	}
	m := struct {
		More    bool             `json:"more"`
		Next    string           `json:"next,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}{More: p.more, Next: p.next}
	for _, o := range p.objs {
		m.Objects = append(m.Objects, manifestRecord{ID: o.ID, DateAdded: timestamp(o.DateAdded), Version: o.Version, MediaType: MediaTypeSTIX})
	}
	setDateHeaders(w, p.objs)
	return s.writeJSON(w, http.StatusOK, m)
}

// objectRequest is the common start of the object endpoints: the
// collection the caller may read, the object id and the parsed filter.
func (s *Server) objectRequest(r *http.Request, fields []string) (scope, string, filter, error) {
	sc, err := s.readable(r)
	if err != nil {
		return scope{}, "", filter{}, err
	}
	f, err := parseFilter(r.URL.Query(), sc.coll.ID, fields)
	return sc, r.PathValue("object"), f, err
}

// objectPage reads a page of id's versions; an empty page is 404 unless
// the caller may read some version of id.
func (s *Server) objectPage(r *http.Request, sc scope, f filter, id string) (page, error) {
	f.q.IDs = []string{id}
	p, err := s.readPage(r, sc, f)
	if err != nil {
		return page{}, err
	}
	if len(p.objs) == 0 && !p.more {
		if err := s.mustExist(r, sc, id); err != nil {
			return page{}, err
		}
	}
	return p, nil
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) error {
	sc, id, f, err := s.objectRequest(r, objectFields)
	if err != nil {
		return err
	}
	if id == stix.ExtensionID {
		return s.writeExtension(w, f)
	}
	p, err := s.objectPage(r, sc, f, id)
	if err != nil {
		return err
	}
	return s.writeEnvelope(w, p)
}

// mustExist answers 404 unless the caller may read some version of id: an
// empty answer to a filtered request for an object the caller can read is
// an empty envelope, while an object it cannot read does not exist for it.
func (s *Server) mustExist(r *http.Request, sc scope, id string) error {
	any := filter{q: bloc.ObjectQuery{Collection: sc.coll.ID, IDs: []string{id}, Versions: []string{"all"}}, limit: 1}
	p, err := s.readPage(r, sc, any)
	if err != nil {
		return err
	}
	if len(p.objs) == 0 {
		return errNoObject(sc.root, sc.coll.ID, id)
	}
	return nil
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request) error {
	sc, id, f, err := s.objectRequest(r, versionsFields)
	if err != nil {
		return err
	}
	if id == stix.ExtensionID {
		return s.writeExtensionVersions(w, f)
	}
	f.q.Versions = []string{"all"}
	p, err := s.objectPage(r, sc, f, id)
	if err != nil {
		return err
	}
	v := struct {
		More     bool     `json:"more"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{More: p.more, Next: p.next}
	for _, o := range p.objs {
		v.Versions = append(v.Versions, o.Version)
	}
	setDateHeaders(w, p.objs)
	return s.writeJSON(w, http.StatusOK, v)
}

// statusResource is the TAXII status resource.
type statusResource struct {
	ID               string              `json:"id"`
	Status           string              `json:"status"`
	RequestTimestamp string              `json:"request_timestamp,omitempty"`
	TotalCount       int                 `json:"total_count"`
	SuccessCount     int                 `json:"success_count"`
	Successes        []bloc.StatusDetail `json:"successes,omitempty"`
	FailureCount     int                 `json:"failure_count"`
	Failures         []bloc.StatusDetail `json:"failures,omitempty"`
	PendingCount     int                 `json:"pending_count"`
	Pendings         []bloc.StatusDetail `json:"pendings,omitempty"`
}

func statusResourceOf(st bloc.Status) statusResource {
	return statusResource{
		ID: st.ID, Status: st.Status, RequestTimestamp: timestamp(st.RequestAt),
		TotalCount:   len(st.Successes) + len(st.Failures) + len(st.Pendings),
		SuccessCount: len(st.Successes), Successes: st.Successes,
		FailureCount: len(st.Failures), Failures: st.Failures,
		PendingCount: len(st.Pendings), Pendings: st.Pendings,
	}
}

// status returns a status resource to the party that posted it, while its
// party may still read the collection it posted to; to anyone else it does
// not exist.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	root, err := s.rootOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("status")
	notFound := bloc.Errorf(bloc.ENOTFOUND, "no status %s in API root /%s/ that you may read: a status is readable by the party that posted the envelope", id, root.bloc.Slug)
	if root.reader.Anonymous {
		return notFound
	}
	st, err := s.cfg.Store.Status(r.Context(), id)
	if err != nil {
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			return notFound
		}
		return err
	}
	if st.Party != root.reader.Agency.Party {
		return notFound
	}
	var coll bloc.Collection
	for _, c := range root.collections {
		if c.ID == st.Collection {
			coll = c
		}
	}
	if coll.ID == "" || !access.ReadCollection(root.reader, coll).Allow {
		return notFound
	}
	return s.writeJSON(w, http.StatusOK, statusResourceOf(st))
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.writeBytes(w, status, b)
}

func (s *Server) writeBytes(w http.ResponseWriter, status int, b []byte) error {
	w.Header().Set("Content-Type", MediaTypeTAXII)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	return nil
}
