package taxii

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/stix"
)

// extension is the bloc extension-definition as the server publishes it in
// every collection: one version, added when it was created.
type extension struct {
	raw     json.RawMessage
	version string
	added   time.Time
	spec    string
}

func loadExtension() (extension, error) {
	var raw []byte
	switch v := any(stix.ExtensionDefinition()).(type) {
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return extension{}, err
		}
		raw = b
	}
	var head struct {
		Created     string `json:"created"`
		Modified    string `json:"modified"`
		SpecVersion string `json:"spec_version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return extension{}, err
	}
	version := head.Modified
	if version == "" {
		version = head.Created
	}
	added, err := time.Parse(time.RFC3339Nano, head.Created)
	if err != nil {
		return extension{}, err
	}
	return extension{raw: raw, version: version, added: added.UTC(), spec: head.SpecVersion}, nil
}

// matches applies an object endpoint's filters to the one version.
func (e extension) matches(f filter) bool {
	if !f.q.AddedAfter.IsZero() && !e.added.After(f.q.AddedAfter) {
		return false
	}
	if f.q.AfterSeq > 0 {
		return false // the whole object fits in the first page
	}
	if len(f.q.Specs) > 0 && !contains(f.q.Specs, e.spec) {
		return false
	}
	if len(f.q.Versions) == 0 {
		return true
	}
	for _, v := range f.q.Versions {
		switch v {
		case "first", "last", "all":
			return true
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if u, err := time.Parse(time.RFC3339Nano, e.version); err == nil && t.Equal(u) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) writeExtension(w http.ResponseWriter, f filter) error {
	e, err := s.ext, s.extErr
	if err != nil {
		return err
	}
	var p page
	if e.matches(f) {
		p.objs = []bloc.Object{{ID: stix.ExtensionID, Version: e.version, DateAdded: e.added, Raw: e.raw}}
	}
	return s.writeEnvelope(w, p)
}

func (s *Server) writeExtensionVersions(w http.ResponseWriter, f filter) error {
	e, err := s.ext, s.extErr
	if err != nil {
		return err
	}
	f.q.Versions = []string{"all"}
	v := struct {
		More     bool     `json:"more"`
		Versions []string `json:"versions,omitempty"`
	}{}
	if e.matches(f) {
		v.Versions = []string{e.version}
		setDateHeaders(w, []bloc.Object{{DateAdded: e.added}})
	}
	return s.writeJSON(w, http.StatusOK, v)
}
