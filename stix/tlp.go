package stix

import "github.com/blocsec/bloc"

// The published STIX marking-definition ids of the Traffic Light Protocol
// (DESIGN §3). Both sets are in circulation and both are recognised.
const (
	// TLP 2.0, defined with extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.
	TLP2Clear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP2Green       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP2Amber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP2AmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP2Red         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

	// TLP 1.0 (STIX 2.1 §7.2.1.4) and the common AMBER+STRICT id.
	TLP1White       = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1Green       = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1Amber       = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1AmberStrict = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"
	TLP1Red         = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

	// TLP2ExtensionID is the extension-definition that TLP 2.0 marking
	// definitions carry their level in (property tlp_2_0).
	TLP2ExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
)

var tlpByID = map[string]bloc.TLP{
	TLP2Clear: bloc.TLPClear, TLP2Green: bloc.TLPGreen, TLP2Amber: bloc.TLPAmber,
	TLP2AmberStrict: bloc.TLPAmberStrict, TLP2Red: bloc.TLPRed,
	TLP1White: bloc.TLPClear, TLP1Green: bloc.TLPGreen, TLP1Amber: bloc.TLPAmber,
	TLP1AmberStrict: bloc.TLPAmberStrict, TLP1Red: bloc.TLPRed,
}

// tlp2Levels maps the tlp_2_0 property of a TLP 2.0 marking definition.
var tlp2Levels = map[string]bloc.TLP{
	"clear": bloc.TLPClear, "green": bloc.TLPGreen, "amber": bloc.TLPAmber,
	"amber+strict": bloc.TLPAmberStrict, "red": bloc.TLPRed,
}

// TLPOf returns the most restrictive TLP level among the recognised TLP 2.0
// and 1.0 marking-definition ids in markingRefs. Other ids are ignored. With
// no recognised id the object is treated as TLP:AMBER (DESIGN §3) and
// marked is false.
func TLPOf(markingRefs []string) (tlp bloc.TLP, marked bool) {
	tlp = bloc.TLPClear
	for _, ref := range markingRefs {
		if t, ok := tlpByID[ref]; ok {
			marked = true
			tlp = max(tlp, t)
		}
	}
	if !marked {
		return bloc.TLPAmber, false
	}
	return tlp, true
}

// IsTLPMarking reports whether id is one of the published TLP marking
// definitions, and its level.
func IsTLPMarking(id string) (bloc.TLP, bool) {
	t, ok := tlpByID[id]
	return t, ok
}
