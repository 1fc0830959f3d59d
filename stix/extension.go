package stix

// The bloc recipients property-extension: how a producer names the parties
// and agencies an AMBER+STRICT or RED object is for (DESIGN §3). The ids
// below were generated once and must never change: objects in the wild
// carry them.
const (
	// ExtensionID keys the extension in an object's extensions.
	ExtensionID = "extension-definition--2a45a34c-7eff-49f5-a08a-38f2c067a212"
	// IdentityID is bloc's own STIX identity, creator of the definition.
	IdentityID = "identity--83510032-2443-4c59-98c5-93e7cb7b7e38"

	extensionCreated = "2026-01-01T00:00:00.000Z"
)

const extensionSchema = `bloc recipients 1.0.0 — a STIX 2.1 property-extension.

Names the recipients of an object shared through a bloc server, beyond
those its TLP level admits: member parties and agencies of the bloc.

  "extensions": {
    "` + ExtensionID + `": {
      "extension_type": "property-extension",
      "recipient_parties": ["KAZ", "ARM"],
      "recipient_identities": ["identity--<uuid>"]
    }
  }

extension_type (required): "property-extension".
recipient_parties (optional): list of party codes, each three upper-case
  ASCII letters (ISO 3166-1 alpha-3 for states).
recipient_identities (optional): list of identifiers of identity objects
  (the agencies' STIX identities).
At least one of the two lists is present; lists are not empty; no other
properties are defined.

TLP:AMBER+STRICT objects are readable by the producer's party and the named
recipients; TLP:RED objects by the producing agency and the named recipient
agencies only. A bloc server refuses a TLP:RED object with no recipients.`

// ExtensionDefinition returns the STIX extension-definition object of the
// bloc recipients extension, as each API root publishes it.
func ExtensionDefinition() map[string]any {
	return map[string]any{
		"type":            "extension-definition",
		"spec_version":    "2.1",
		"id":              ExtensionID,
		"created_by_ref":  IdentityID,
		"created":         extensionCreated,
		"modified":        extensionCreated,
		"name":            "bloc recipients",
		"description":     "Named recipients (member parties and agencies) of an object shared through a bloc server.",
		"schema":          extensionSchema,
		"version":         "1.0.0",
		"extension_types": []any{"property-extension"},
	}
}

// Identity returns bloc's STIX identity, the creator of ExtensionDefinition.
func Identity() map[string]any {
	return map[string]any{
		"type":           "identity",
		"spec_version":   "2.1",
		"id":             IdentityID,
		"created":        extensionCreated,
		"modified":       extensionCreated,
		"name":           "bloc",
		"identity_class": "system",
	}
}

// recipientsExtension checks the content of the bloc recipients extension.
func recipientsExtension(c *ctx, p string, v *node, et *node) {
	if et != nil && et.kind == jString && et.s != "property-extension" {
		c.fail(sub(p, "extension_type"), "must be \"property-extension\" for the bloc recipients extension")
	}
	defer c.rebase(len(c.probs), p)
	p = ""
	for i := range v.kids {
		m := &v.kids[i]
		kp := m.key
		switch m.key {
		case "extension_type":
		case "recipient_parties":
			list(partyCode)(c, kp, &m.val)
		case "recipient_identities":
			identList("identity")(c, kp, &m.val)
		default:
			c.failf(kp, "%q is not a property of the bloc recipients extension (recipient_parties, recipient_identities)", clip(m.key))
		}
	}
	if !v.has("recipient_parties") && !v.has("recipient_identities") {
		c.fail(sub(p, "recipient_parties"), "the bloc recipients extension needs recipient_parties or recipient_identities")
	}
}

func partyCode(c *ctx, p string, v *node) {
	if v.kind != jString {
		c.typeErr(p, "a party code string", v)
	} else if len(v.s) != 3 || !allBytes(v.s, func(b byte) bool { return b >= 'A' && b <= 'Z' }) {
		c.failf(p, "%q is not a party code (three upper-case letters, like KAZ)", clip(v.s))
	}
}
