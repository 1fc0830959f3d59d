package intake

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// idNamespace is the fixed UUID namespace of the identifiers intake derives
// (UUIDv5, RFC 9562 §5.5): the same article, bloc or state always gets the
// same STIX id, so taking an article in twice writes nothing new.
var idNamespace = [16]byte{0x3f, 0x0e, 0x9d, 0x2c, 0x5b, 0x7a, 0x4c, 0x1e, 0x9a, 0x6d, 0x2b, 0x8f, 0x4e, 0x7c, 0x1a, 0x90}

// entityEpoch is the created/modified time of the bloc identities and state
// locations: constant, so that every intake yields the same version of them.
const entityEpoch = "1970-01-01T00:00:00.000Z"

// stixID returns typ--UUIDv5(idNamespace, name).
func stixID(typ, name string) string {
	h := sha1.New()
	h.Write(idNamespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(u[:])
	return typ + "--" + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// BlocIdentityID is the STIX id of a bloc's identity object.
func BlocIdentityID(slug string) string { return stixID("identity", "bloc:"+slug) }

// StateLocationID is the STIX id of a state's location object.
func StateLocationID(code string) string { return stixID("location", "party:"+code) }

// Report builds the STIX 2.1 objects for an article, the report first: a
// report (name = headline, published, description = lead,
// external_references to the source) whose object_refs are an identity
// (identity_class organization) for each bloc and a location (with its ISO
// 3166-1 alpha-2 country) for each state the article or its proposals name.
// Ids are derived, not random (see idNamespace); the report's created and
// modified are its publication day, so re-intake yields identical objects.
// createdBy, when an identity id, becomes every object's created_by_ref.
func Report(a Article, p []Proposal, createdBy string) []map[string]any {
	blocSlugs, stateCodes := mentioned(a)
	for _, q := range p {
		blocSlugs = appendNew(blocSlugs, q.Bloc)
		if q.Party != "" {
			stateCodes = appendNew(stateCodes, q.Party)
		}
	}
	if !strings.HasPrefix(createdBy, "identity--") {
		createdBy = ""
	}
	published := entityEpoch
	if !a.Published.IsZero() {
		published = a.Published.Start.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	var objs []map[string]any
	var refs []string
	common := func(typ, id, created string) map[string]any {
		o := map[string]any{"type": typ, "spec_version": "2.1", "id": id, "created": created, "modified": created}
		if createdBy != "" {
			o["created_by_ref"] = createdBy
		}
		return o
	}
	for _, slug := range blocSlugs {
		b := blocBySlug[slug]
		if b == nil {
			continue
		}
		o := common("identity", BlocIdentityID(slug), entityEpoch)
		o["name"] = b.Name
		o["identity_class"] = "organization"
		o["description"] = "Collective security organisation (bloc " + slug + ")."
		objs = append(objs, o)
		refs = append(refs, o["id"].(string))
	}
	for _, code := range stateCodes {
		st := stateByCode[code]
		if st == nil {
			continue
		}
		o := common("location", StateLocationID(code), entityEpoch)
		o["name"] = st.Name
		o["country"] = st.Alpha2
		o["description"] = "State party " + code + "."
		objs = append(objs, o)
		refs = append(refs, o["id"].(string))
	}
	name := a.Headline
	if name == "" {
		name = a.SourceTitle
	}
	if name == "" {
		name = "Untitled article"
	}
	if len(refs) == 0 {
		// object_refs may not be empty: an article that names no bloc or
		// state refers to its source.
		src := a.Publisher
		if src == "" {
			src = "Unknown publisher"
		}
		o := common("identity", stixID("identity", "publisher:"+src), entityEpoch)
		o["name"] = src
		o["identity_class"] = "organization"
		objs = append(objs, o)
		refs = append(refs, o["id"].(string))
	}
	rep := common("report", reportID(a, name), published)
	rep["name"] = name
	rep["published"] = published
	rep["report_types"] = []string{"threat-report"}
	rep["object_refs"] = refs
	if a.Lead != "" {
		rep["description"] = a.Lead
	}
	ref := map[string]any{"source_name": firstNonEmpty(a.Publisher, a.SourceTitle, "news article")}
	if a.URL != "" {
		ref["url"] = a.URL
	}
	// An external reference needs a description, a URL or an external id.
	if d := firstNonEmpty(a.SourceTitle, name); d != ref["source_name"] {
		ref["description"] = d
	}
	rep["external_references"] = []map[string]any{ref}
	return append([]map[string]any{rep}, objs...)
}

// reportID names an article by its URL when it has one, else by headline
// and publication day.
func reportID(a Article, name string) string {
	if a.URL != "" {
		return stixID("report", "url:"+a.URL)
	}
	return stixID("report", "article:"+name+"|"+a.Published.String())
}

// mentioned lists the blocs and states an article names, in order of first
// mention (states only where they are named, or act as a government).
func mentioned(a Article) (blocSlugs, stateCodes []string) {
	last := ""
	for _, part := range []string{a.Headline, a.Lead, a.Body} {
		for _, para := range strings.Split(part, "\n\n") {
			for _, s := range splitSentences(span{text: para}) {
				bs, ss := findMentions(tokenize(s.text), &last)
				for _, b := range bs {
					blocSlugs = appendNew(blocSlugs, b.slug)
				}
				for _, m := range ss {
					stateCodes = appendNew(stateCodes, m.code)
				}
			}
		}
	}
	return
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
