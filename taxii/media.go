package taxii

import (
	"mime"
	"strconv"
	"strings"

	"github.com/blocsec/bloc"
)

// Media types of TAXII 2.1 and of the STIX content it carries.
const (
	MediaTypeTAXII = "application/taxii+json;version=2.1"
	MediaTypeSTIX  = "application/stix+json;version=2.1"
)

// acceptable checks a request's Accept header. The TAXII media type is
// acceptable with version 2.1 or without a version (which TAXII reads as
// the latest), and so are the wildcards */* and application/*, as HTTP
// defines them. A missing header accepts anything. Any other list, or one
// whose only match has q=0, is refused with 406.
func acceptable(header string) error {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	for _, part := range strings.Split(header, ",") {
		typ, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		switch typ {
		case "*/*", "application/*":
			return nil
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return nil
			}
		}
	}
	return bloc.Errorf(bloc.ENOTACCEPT, "this server answers only in %s, which the Accept header %q does not admit: send Accept: %s", MediaTypeTAXII, header, MediaTypeTAXII)
}

// contentTypeOK checks the Content-Type of a POST: the TAXII media type,
// version 2.1 or no version.
func contentTypeOK(header string) error {
	if strings.TrimSpace(header) == "" {
		return bloc.Errorf(bloc.EUNSUPPORTED, "the request has no Content-Type: send an envelope with Content-Type: %s", MediaTypeTAXII)
	}
	typ, params, err := mime.ParseMediaType(header)
	if err == nil && typ == "application/taxii+json" {
		if v, ok := params["version"]; !ok || v == "2.1" {
			return nil
		}
	}
	return bloc.Errorf(bloc.EUNSUPPORTED, "Content-Type %q is not accepted: send an envelope with Content-Type: %s", header, MediaTypeTAXII)
}
