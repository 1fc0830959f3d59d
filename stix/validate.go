package stix

import (
	"slices"
	"strings"
)

// class is the kind of STIX object, which decides its common properties.
type class uint8

const (
	classSDO class = iota
	classSRO
	classSCO
	classMarking         // marking-definition
	classLanguageContent // language-content
	classExtensionDef    // extension-definition
)

// spec describes an object type or a nested structure.
type spec struct {
	class   class
	props   map[string]check // the type's own properties (common ones apart)
	req     []string         // required properties
	atLeast []string         // at least one of these must be present
	rule    func(c *ctx, p string, o *node)
	exts    map[string]*spec // predefined extensions (SCOs only)
}

// checkStruct checks a nested object against s. Properties s does not
// name are let through: STIX defines no custom-property rules inside
// nested types. It reports whether v was an object.
func checkStruct(c *ctx, p string, v *node, s *spec) bool {
	if v.kind != jObject {
		c.typeErr(p, "an object", v)
		return false
	}
	defer c.rebase(len(c.probs), p)
	p = ""
	for i := range v.kids {
		m := &v.kids[i]
		if chk := s.props[m.key]; chk != nil {
			chk(c, m.key, &m.val)
		}
	}
	checkPresence(c, p, v, s)
	if s.rule != nil {
		s.rule(c, p, v)
	}
	return true
}

func checkPresence(c *ctx, p string, o *node, s *spec) {
	for _, r := range s.req {
		if !o.has(r) {
			c.fail(sub(p, r), "required property missing")
		}
	}
	if len(s.atLeast) > 0 && !slices.ContainsFunc(s.atLeast, o.has) {
		c.failf(sub(p, s.atLeast[0]), "at least one of %s is required", strings.Join(s.atLeast, ", "))
	}
}

// Common properties by class (STIX 2.1 §3.2 and §6.1). type, id,
// spec_version, created, modified and extensions are handled apart.
var (
	coreCommon = map[string]check{
		"created_by_ref":      ident("identity"),
		"revoked":             boolean,
		"labels":              strList,
		"confidence":          intRange(0, 100),
		"lang":                langTag,
		"external_references": externalReferences,
		"object_marking_refs": identList("marking-definition"),
		"granular_markings":   granularMarkings,
	}
	scoCommon = map[string]check{
		"object_marking_refs": identList("marking-definition"),
		"granular_markings":   granularMarkings,
		"defanged":            boolean,
	}
	markingCommon = map[string]check{
		"created_by_ref":      ident("identity"),
		"external_references": externalReferences,
		"object_marking_refs": identList("marking-definition"),
		"granular_markings":   granularMarkings,
		"name":                str,
		"definition_type":     str,
	}
)

// reserved names may not be used as properties (they were STIX 2.0
// properties or are reserved for future use; the official schemas reject
// them).
var reserved = map[string]bool{"severity": true, "action": true, "username": true, "phone_numbers": true}

// validateObject checks one object at path p ("" for a top-level object,
// "objects.0" for one embedded in observed-data).
func validateObject(c *ctx, p string, o *node) {
	saved := c.root
	c.root = o
	defer func() { c.root = saved }()
	defer c.rebase(len(c.probs), p)
	p = ""

	tv := o.get("type")
	switch {
	case tv == nil:
		c.fail(sub(p, "type"), "required property missing")
		return
	case tv.kind != jString:
		c.typeErr(sub(p, "type"), "a string", tv)
		return
	case !validTypeName(tv.s):
		c.failf(sub(p, "type"), "%q is not a STIX type name (3–250 characters: a–z, 0–9 and single hyphens, starting with a letter)", clip(tv.s))
		return
	case tv.s == "bundle":
		c.fail(sub(p, "type"), "a bundle is a container, not an object: send the objects it holds")
		return
	}
	typ := tv.s
	s, known := specs[typ]
	if !known {
		s = customSpecs[customClass(o)]
	}

	// id: type--UUID, the type matching.
	if v := o.get("id"); v == nil {
		c.fail(sub(p, "id"), "required property missing")
	} else if v.kind != jString {
		c.typeErr(sub(p, "id"), "an identifier string", v)
	} else if t, ok := parseIdentifier(v.s); !ok {
		c.failf(sub(p, "id"), "%q is not a STIX identifier (%s--UUID)", clip(v.s), typ)
	} else if t != typ {
		c.failf(sub(p, "id"), "the identifier's type %q does not match the object's type %q", t, typ)
	}

	// spec_version: required but on SCOs; bloc takes STIX 2.1 only.
	if v := o.get("spec_version"); v == nil {
		if s.class != classSCO {
			c.fail(sub(p, "spec_version"), "required property missing (must be \"2.1\")")
		}
	} else if v.kind != jString || v.s != "2.1" {
		c.fail(sub(p, "spec_version"), "must be \"2.1\": bloc stores STIX 2.1 objects")
	}

	// created and modified.
	switch s.class {
	case classSCO:
		// Not SCO properties, but a TAXII server versions an object by them
		// when present, so they must at least be timestamps.
		for _, k := range []string{"created", "modified"} {
			if v := o.get(k); v != nil {
				timestamp(c, sub(p, k), v)
			}
		}
	case classMarking:
		if v := o.get("created"); v == nil {
			c.fail(sub(p, "created"), "required property missing")
		} else {
			timestamp(c, sub(p, "created"), v)
		}
		if o.has("modified") {
			c.fail(sub(p, "modified"), "marking definitions cannot be versioned, so have no modified")
		}
	default:
		okC, okM := false, false
		if v := o.get("created"); v == nil {
			c.fail(sub(p, "created"), "required property missing")
		} else {
			n := len(c.probs)
			timestampMillis(c, sub(p, "created"), v)
			okC = len(c.probs) == n
		}
		if v := o.get("modified"); v == nil {
			c.fail(sub(p, "modified"), "required property missing")
		} else {
			n := len(c.probs)
			timestampMillis(c, sub(p, "modified"), v)
			okM = len(c.probs) == n
		}
		if okC && okM {
			cr, _ := o.str("created")
			mo, _ := o.str("modified")
			if compareTimestamps(mo, cr) < 0 {
				c.failf(sub(p, "modified"), "%s is before created %s", mo, cr)
			}
		}
	}

	var common map[string]check
	switch s.class {
	case classSCO:
		common = scoCommon
	case classMarking:
		common = markingCommon
	default:
		common = coreCommon
	}
	for i := range o.kids {
		m := &o.kids[i]
		switch m.key {
		case "type", "id", "spec_version", "created", "modified":
			continue
		case "extensions":
			checkExtensions(c, sub(p, m.key), &m.val, typ, known, s)
			continue
		}
		if chk := common[m.key]; chk != nil {
			chk(c, sub(p, m.key), &m.val)
		} else if chk := s.props[m.key]; chk != nil {
			chk(c, sub(p, m.key), &m.val)
		} else {
			customProperty(c, sub(p, m.key), m.key, &m.val)
		}
	}
	checkPresence(c, p, o, s)
	if s.rule != nil {
		s.rule(c, p, o)
	}
}

// customProperty checks a property STIX does not define for the object
// (STIX 2.1 §11.1): its name, and that its value is not null or an empty
// list; names ending _hex and _bin hold hex and binary values (§2.5, §2.2),
// names ending _ref and _refs identifiers and lists of them (§2.9).
func customProperty(c *ctx, p, name string, v *node) {
	switch {
	case reserved[name]:
		c.failf(p, "%q is a reserved property name", name)
		return
	case !validPropertyName(name):
		c.failf(p, "%q is not a valid property name: custom property names are 3–250 characters of a–z, 0–9 and _ (x_ first is recommended)", clip(name))
		return
	}
	switch {
	case strings.HasSuffix(name, "_ref"):
		checkIdent(c, p, v, nil, nil)
	case strings.HasSuffix(name, "_refs"):
		identList()(c, p, v)
	case strings.HasSuffix(name, "_hex"):
		hexString(c, p, v)
	case strings.HasSuffix(name, "_bin"):
		binString(c, p, v)
	default:
		anyValue(c, p, v)
	}
}

// customClass decides how an object of a type STIX does not define is
// checked: by the new-sdo/new-sco/new-sro extension it declares, else as
// an SDO when it has created or modified, else as an SCO.
func customClass(o *node) class {
	if ext := o.get("extensions"); ext != nil && ext.kind == jObject {
		for i := range ext.kids {
			switch t, _ := ext.kids[i].val.str("extension_type"); t {
			case "new-sdo":
				return classSDO
			case "new-sro":
				return classSRO
			case "new-sco":
				return classSCO
			}
		}
	}
	if o.has("created") || o.has("modified") {
		return classSDO
	}
	return classSCO
}

var customSpecs = map[class]*spec{
	classSDO: {class: classSDO},
	classSRO: {class: classSRO},
	classSCO: {class: classSCO},
}

var extensionTypes = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

// checkExtensions checks the extensions dictionary (STIX 2.1 §3.2, §6.1,
// §7.3): keys are extension-definition identifiers, or the names of the
// predefined extensions of the object's SCO type.
func checkExtensions(c *ctx, p string, v *node, typ string, known bool, s *spec) {
	if v.kind != jObject {
		c.typeErr(p, "a dictionary object", v)
		return
	}
	if len(v.kids) == 0 {
		c.fail(p, "must not be an empty dictionary (omit the property instead)")
		return
	}
	defer c.rebase(len(c.probs), p)
	for i := range v.kids {
		m := &v.kids[i]
		kp := m.key
		if strings.HasPrefix(m.key, "extension-definition--") {
			if t, ok := parseIdentifier(m.key); !ok || t != "extension-definition" {
				c.failf(kp, "%q is not an extension-definition identifier", clip(m.key))
				continue
			}
			extensionContent(c, kp, &m.val, m.key, typ, known)
			continue
		}
		if es := s.exts[m.key]; es != nil {
			if checkStruct(c, kp, &m.val, es) && len(m.val.kids) == 0 && len(es.req) == 0 && len(es.atLeast) == 0 {
				c.fail(kp, "must not be an empty extension")
			}
			continue
		}
		if len(s.exts) > 0 {
			names := make([]string, 0, len(s.exts))
			for n := range s.exts {
				names = append(names, n)
			}
			slices.Sort(names)
			c.failf(kp, "unknown extension: keys are extension-definition identifiers or the predefined %s extensions (%s)", typ, strings.Join(names, ", "))
		} else {
			c.fail(kp, "unknown extension: keys are extension-definition identifiers")
		}
	}
}

// extensionContent checks the value of an extension-definition keyed
// extension.
func extensionContent(c *ctx, p string, v *node, key, typ string, known bool) {
	if v.kind != jObject {
		c.typeErr(p, "an object", v)
		return
	}
	defer c.rebase(len(c.probs), p)
	p = ""
	et := v.get("extension_type")
	if et == nil {
		c.fail(sub(p, "extension_type"), "required property missing")
	} else {
		n := len(c.probs)
		enum(extensionTypes...)(c, sub(p, "extension_type"), et)
		if len(c.probs) == n && strings.HasPrefix(et.s, "new-") && known {
			c.failf(sub(p, "extension_type"), "%s is a type STIX defines; a %s extension defines a new object type", typ, et.s)
		}
	}
	switch key {
	case ExtensionID:
		recipientsExtension(c, p, v, et)
		return
	case TLP2ExtensionID:
		if t := v.get("tlp_2_0"); t != nil {
			enum("clear", "green", "amber", "amber+strict", "red")(c, sub(p, "tlp_2_0"), t)
		}
	}
	for i := range v.kids {
		m := &v.kids[i]
		if m.key != "extension_type" && m.key != "tlp_2_0" {
			customProperty(c, sub(p, m.key), m.key, &m.val)
		}
	}
}
