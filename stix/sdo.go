package stix

// Types, properties and rules of the STIX 2.1 objects (sections 4 to 7).
// Open vocabularies are checked as strings only: values outside them are
// allowed (STIX 2.1 §10). Enumerations are closed.

// Types that references must not point to where the specification says
// "an SDO or SCO" (relationships) or "an SDO" (sightings).
var (
	sdoTypes = []string{
		"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
		"indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
		"note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability",
	}
	scoTypes = []string{
		"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
		"file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
		"software", "url", "user-account", "windows-registry-key", "x509-certificate",
	}
	notRelatable = []string{"relationship", "sighting", "bundle", "marking-definition", "language-content", "extension-definition"}
)

// specs holds every type STIX 2.1 defines; it is filled in init because
// observed-data refers back to validateObject.
var specs map[string]*spec

func init() {
	specs = map[string]*spec{}
	for k, v := range sdoSpecs() {
		specs[k] = v
	}
	for k, v := range scoSpecs() {
		specs[k] = v
	}
	for k, v := range metaSpecs() {
		specs[k] = v
	}
}

func sdoSpecs() map[string]*spec {
	name := map[string]check{"name": str, "description": str}
	with := func(base map[string]check, more map[string]check) map[string]check {
		m := make(map[string]check, len(base)+len(more))
		for k, v := range base {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	seen := func(c *ctx, p string, o *node) { notBefore(c, p, o, "first_seen", "last_seen") }

	return map[string]*spec{
		"attack-pattern": {class: classSDO, req: []string{"name"}, props: with(name, map[string]check{
			"aliases": strList, "kill_chain_phases": killChainPhases,
		})},
		"campaign": {class: classSDO, req: []string{"name"}, rule: seen, props: with(name, map[string]check{
			"aliases": strList, "first_seen": timestamp, "last_seen": timestamp, "objective": str,
		})},
		"course-of-action": {class: classSDO, req: []string{"name"}, props: name},
		"grouping": {class: classSDO, req: []string{"context", "object_refs"}, props: with(name, map[string]check{
			"context": str, "object_refs": identList(),
		})},
		"identity": {class: classSDO, req: []string{"name"}, props: with(name, map[string]check{
			"roles": strList, "identity_class": str, "sectors": strList, "contact_information": str,
		})},
		"incident": {class: classSDO, req: []string{"name"}, props: with(name, map[string]check{
			"kill_chain_phases": killChainPhases,
		})},
		"indicator": {class: classSDO, req: []string{"pattern", "pattern_type", "valid_from"}, props: with(name, map[string]check{
			"indicator_types": strList, "pattern": nonEmptyStr, "pattern_type": str, "pattern_version": str,
			"valid_from": timestamp, "valid_until": timestamp, "kill_chain_phases": killChainPhases,
		}), rule: func(c *ctx, p string, o *node) { after(c, p, o, "valid_from", "valid_until") }},
		"infrastructure": {class: classSDO, req: []string{"name"}, rule: seen, props: with(name, map[string]check{
			"infrastructure_types": strList, "aliases": strList, "kill_chain_phases": killChainPhases,
			"first_seen": timestamp, "last_seen": timestamp,
		})},
		"intrusion-set": {class: classSDO, req: []string{"name"}, rule: seen, props: with(name, map[string]check{
			"aliases": strList, "first_seen": timestamp, "last_seen": timestamp, "goals": strList,
			"resource_level": str, "primary_motivation": str, "secondary_motivations": strList,
		})},
		"location": {class: classSDO, rule: locationRule, props: with(name, map[string]check{
			"latitude": numRange(-90, 90), "longitude": numRange(-180, 180), "precision": numRange(0, 1e12),
			"region": str, "country": str, "administrative_area": str, "city": str,
			"street_address": str, "postal_code": str,
		})},
		"malware": {class: classSDO, req: []string{"is_family"}, rule: malwareRule, props: with(name, map[string]check{
			"malware_types": strList, "is_family": boolean, "aliases": strList, "kill_chain_phases": killChainPhases,
			"first_seen": timestamp, "last_seen": timestamp, "operating_system_refs": identList("software"),
			"architecture_execution_envs": strList, "implementation_languages": strList,
			"capabilities": strList, "sample_refs": identList("file", "artifact"),
		})},
		"malware-analysis": {class: classSDO, req: []string{"product"}, atLeast: []string{"result", "analysis_sco_refs"}, props: map[string]check{
			"product": str, "version": str, "host_vm_ref": ident("software"), "operating_system_ref": ident("software"),
			"installed_software_refs": identList("software"), "configuration_version": str, "modules": strList,
			"analysis_engine_version": str, "analysis_definition_version": str, "submitted": timestamp,
			"analysis_started": timestamp, "analysis_ended": timestamp, "result_name": str, "result": str,
			"analysis_sco_refs": list(identNot(append(append([]string{}, sdoTypes...), notRelatable...)...)),
			"sample_ref":        ident("file", "network-traffic", "artifact"),
		}},
		"note": {class: classSDO, req: []string{"content", "object_refs"}, props: map[string]check{
			"abstract": str, "content": str, "authors": strList, "object_refs": identList(),
		}},
		"observed-data": {class: classSDO, req: []string{"first_observed", "last_observed", "number_observed"}, rule: observedDataRule, props: map[string]check{
			"first_observed": timestamp, "last_observed": timestamp, "number_observed": intRange(1, 999999999),
			"objects":     embeddedObservables,
			"object_refs": list(identNot(append(append([]string{}, sdoTypes...), "bundle", "marking-definition", "language-content", "extension-definition")...)),
		}},
		"opinion": {class: classSDO, req: []string{"opinion", "object_refs"}, props: map[string]check{
			"explanation": str, "authors": strList, "object_refs": identList(),
			"opinion": enum("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"),
		}},
		"report": {class: classSDO, req: []string{"name", "published", "object_refs"}, props: with(name, map[string]check{
			"report_types": strList, "published": timestamp, "object_refs": identList(),
		})},
		"threat-actor": {class: classSDO, req: []string{"name"}, rule: seen, props: with(name, map[string]check{
			"threat_actor_types": strList, "aliases": strList, "first_seen": timestamp, "last_seen": timestamp,
			"roles": strList, "goals": strList, "sophistication": str, "resource_level": str,
			"primary_motivation": str, "secondary_motivations": strList, "personal_motivations": strList,
		})},
		"tool": {class: classSDO, req: []string{"name"}, props: with(name, map[string]check{
			"tool_types": strList, "aliases": strList, "kill_chain_phases": killChainPhases, "tool_version": str,
		})},
		"vulnerability": {class: classSDO, req: []string{"name"}, props: name},

		"relationship": {class: classSRO, req: []string{"relationship_type", "source_ref", "target_ref"}, props: map[string]check{
			"relationship_type": relationshipType, "description": str,
			"source_ref": identNot(notRelatable...), "target_ref": identNot(notRelatable...),
			"start_time": timestamp, "stop_time": timestamp,
		}, rule: func(c *ctx, p string, o *node) { after(c, p, o, "start_time", "stop_time") }},
		"sighting": {class: classSRO, req: []string{"sighting_of_ref"}, rule: seen, props: map[string]check{
			"description": str, "first_seen": timestamp, "last_seen": timestamp,
			"count":              intRange(0, 999999999),
			"sighting_of_ref":    identNot(append(append([]string{}, notRelatable...), scoTypes...)...),
			"observed_data_refs": identList("observed-data"),
			"where_sighted_refs": identList("identity", "location"),
			"summary":            boolean,
		}},
	}
}

func nonEmptyStr(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	} else if v.s == "" {
		c.fail(p, "must not be empty")
	}
}

// relationshipType: a–z, 0–9 and hyphens (STIX 2.1 §5.1).
func relationshipType(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a string", v)
	} else if v.s == "" || !allBytes(v.s, func(b byte) bool { return isLower(b) || isDigit(b) || b == '-' }) {
		c.failf(p, "%q must be lower-case ASCII letters, digits and hyphens", clip(v.s))
	}
}

// validTS returns the timestamp value of key when present and valid.
func validTS(o *node, key string) (string, bool) {
	s, ok := o.str(key)
	return s, ok && validTimestamp(s)
}

// notBefore: later, when given with earlier, must not precede it.
func notBefore(c *ctx, p string, o *node, earlier, later string) {
	a, okA := validTS(o, earlier)
	b, okB := validTS(o, later)
	if okA && okB && compareTimestamps(b, a) < 0 {
		c.failf(sub(p, later), "%s is before %s %s", b, earlier, a)
	}
}

// after: later, when given with earlier, must come strictly after it.
func after(c *ctx, p string, o *node, earlier, later string) {
	a, okA := validTS(o, earlier)
	b, okB := validTS(o, later)
	if okA && okB && compareTimestamps(b, a) <= 0 {
		c.failf(sub(p, later), "%s must be later than %s %s", b, earlier, a)
	}
}

// locationRule (STIX 2.1 §4.11): region, country or latitude+longitude;
// latitude and longitude together; precision only with them.
func locationRule(c *ctx, p string, o *node) {
	lat, long := o.has("latitude"), o.has("longitude")
	if !o.has("region") && !o.has("country") && !lat && !long {
		c.fail(sub(p, "region"), "a location needs region, country, or latitude and longitude")
	}
	if lat && !long {
		c.fail(sub(p, "longitude"), "required when latitude is given")
	}
	if long && !lat {
		c.fail(sub(p, "latitude"), "required when longitude is given")
	}
	if o.has("precision") && !(lat && long) {
		c.fail(sub(p, "precision"), "only allowed with latitude and longitude")
	}
}

func malwareRule(c *ctx, p string, o *node) {
	notBefore(c, p, o, "first_seen", "last_seen")
	if f := o.get("is_family"); f != nil && f.kind == jBool && f.b && !o.has("name") {
		c.fail(sub(p, "name"), "required when is_family is true")
	}
}

func observedDataRule(c *ctx, p string, o *node) {
	notBefore(c, p, o, "first_observed", "last_observed")
	objs, refs := o.has("objects"), o.has("object_refs")
	switch {
	case objs && refs:
		c.fail(sub(p, "objects"), "objects (deprecated) and object_refs are exclusive")
	case !objs && !refs:
		c.fail(sub(p, "object_refs"), "required property missing (or the deprecated objects)")
	}
}

// embeddedObservables is observed-data's deprecated objects dictionary:
// each value is a whole SCO.
var embeddedObservables = dict(embeddedObservable)

func embeddedObservable(c *ctx, p string, v *node) {
	if v.kind != jObject {
		c.typeErr(p, "a cyber-observable object", v)
		return
	}
	typ, _ := v.str("type")
	if s, ok := specs[typ]; ok && s.class != classSCO {
		c.failf(sub(p, "type"), "%s is not a cyber-observable type", typ)
		return
	}
	if _, known := specs[typ]; !known && customClass(v) != classSCO {
		c.failf(sub(p, "type"), "objects holds cyber-observable objects only")
		return
	}
	validateObject(c, p, v)
}

// metaSpecs: marking-definition, language-content, extension-definition.
func metaSpecs() map[string]*spec {
	return map[string]*spec{
		"marking-definition": {class: classMarking, rule: markingRule},
		"language-content": {class: classLanguageContent, req: []string{"object_ref", "contents"}, props: map[string]check{
			"object_ref":      identNot("bundle", "language-content"),
			"object_modified": timestampMillis,
			"contents":        dict(languageContents),
		}},
		"extension-definition": {class: classExtensionDef, req: []string{"created_by_ref", "name", "schema", "version", "extension_types"}, rule: extensionDefRule, props: map[string]check{
			"name": str, "description": str, "schema": str, "version": str,
			"extension_types":      list(enum(extensionTypes...)),
			"extension_properties": strList,
		}},
	}
}

// languageContents: each language's value is a dictionary of translated
// properties (STIX 2.1 §7.1).
func languageContents(c *ctx, p string, v *node) {
	if v.kind != jObject {
		c.typeErr(p, "an object of translated properties", v)
		return
	}
	if len(v.kids) == 0 {
		c.fail(p, "must not be an empty dictionary")
	}
}

func extensionDefRule(c *ctx, p string, o *node) {
	if !o.has("extension_properties") {
		return
	}
	if et := o.get("extension_types"); et != nil && et.kind == jArray {
		for i := range et.kids {
			if et.kids[i].val.s == "toplevel-property-extension" {
				return
			}
		}
	}
	c.fail(sub(p, "extension_properties"), "only allowed when extension_types has toplevel-property-extension")
}

// The TLP 1.0 marking definitions (STIX 2.1 §7.2.1.4) are fixed objects.
var tlp1 = map[string]struct{ level, name string }{
	TLP1White: {"white", "TLP:WHITE"},
	TLP1Green: {"green", "TLP:GREEN"},
	TLP1Amber: {"amber", "TLP:AMBER"},
	TLP1Red:   {"red", "TLP:RED"},
}

var tlp2Names = map[string]string{
	TLP2Clear: "clear", TLP2Green: "green", TLP2Amber: "amber", TLP2AmberStrict: "amber+strict", TLP2Red: "red",
}

// markingRule (STIX 2.1 §7.2): a definition_type with its definition, or
// an extension (TLP 2.0 markings are defined by one).
func markingRule(c *ctx, p string, o *node) {
	id, _ := o.str("id")
	dt, hasDT := o.str("definition_type")
	def := o.get("definition")
	ext := o.get("extensions")
	switch {
	case def == nil && o.has("definition_type"):
		c.fail(sub(p, "definition"), "required when definition_type is given")
	case def != nil && !o.has("definition_type"):
		c.fail(sub(p, "definition_type"), "required when definition is given")
	case def == nil && ext == nil:
		c.fail(sub(p, "definition_type"), "a marking definition needs definition_type and definition, or an extension")
	}
	if def != nil && def.kind != jObject {
		c.typeErr(sub(p, "definition"), "an object", def)
		def = nil
	}
	switch {
	case hasDT && dt == "statement" && def != nil:
		if v := def.get("statement"); v == nil {
			c.fail(sub(p, "definition.statement"), "required property missing")
		} else {
			str(c, sub(p, "definition.statement"), v)
		}
	case hasDT && dt == "tlp":
		want, isTLP := tlp1[id]
		if !isTLP {
			c.fail(sub(p, "id"), "a tlp marking definition must be one of the four published TLP 1.0 objects")
			break
		}
		if lvl, _ := def.strOrEmpty("tlp"); def != nil && lvl != want.level {
			c.failf(sub(p, "definition.tlp"), "must be %q for %s", want.level, id)
		}
		if n, _ := o.str("name"); n != want.name {
			c.failf(sub(p, "name"), "must be %q for %s", want.name, id)
		}
		if cr, _ := o.str("created"); cr != "2017-01-20T00:00:00.000Z" {
			c.fail(sub(p, "created"), "must be 2017-01-20T00:00:00.000Z for a TLP 1.0 marking definition")
		}
		for i := range o.kids {
			switch k := o.kids[i].key; k {
			case "type", "id", "spec_version", "created", "name", "definition", "definition_type":
			default:
				c.failf(sub(p, k), "not a property of the published TLP 1.0 marking definitions")
			}
		}
	}
	if level, isTLP2 := tlp2Names[id]; isTLP2 {
		var got string
		if ext != nil && ext.kind == jObject {
			if e := ext.get(TLP2ExtensionID); e != nil && e.kind == jObject {
				got, _ = e.str("tlp_2_0")
			}
		}
		if got != level {
			c.failf(sub(p, "extensions."+TLP2ExtensionID+".tlp_2_0"), "must be %q for the published TLP 2.0 marking %s", level, id)
		}
	} else if ext != nil && ext.kind == jObject {
		if e := ext.get(TLP2ExtensionID); e != nil && e.kind == jObject && !e.has("tlp_2_0") {
			c.fail(sub(p, "extensions."+TLP2ExtensionID+".tlp_2_0"), "required property missing")
		}
	}
}

func (n *node) strOrEmpty(key string) (string, bool) {
	if n == nil {
		return "", false
	}
	return n.str(key)
}
