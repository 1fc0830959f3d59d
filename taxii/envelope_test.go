package taxii

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestEnvelopeObjects: the same objects and the same error as
// json.Unmarshal, for every shape of body.
func TestEnvelopeObjects(t *testing.T) {
	for _, body := range []string{
		`{"objects":[{"id":"a--1","x":[1,{"y":"]}\"{"}]},{"id":"b--2"}]}`,
		` {  "more" : false , "objects" : [ {"id":"a--1"} , 7 , "s\\" , null , true , [ ] ] , "z":{"objects":1} } `,
		"{\n\t\"objects\":\n[\r\n{}\n]\n}",
		`{"objects":[]}`,
		`{}`,
		`{"other":[1,2]}`,
		`{"Objects":[{"id":"a--1"}]}`,
		`{"OBJECTſ":[{"id":"a--1"}]}`,
		`{"obj\u0065cts":[{"id":"a--1"}]}`,
		`{"objects":"no"}`,
		`{"objects":null}`,
		`{"objects":{"id":"a--1"}}`,
		`{"objects":[1],"objects":[2,3]}`,
		`{"objects":"x","objects":[2,3]}`,
		`{"objects":[2,3],"objects":null}`,
		`[{"objects":[]}]`,
		`"objects"`,
		`{"objects":[{"id":"a--1"},]}`,
		`{"objects":[{"id":"a--1"}]`,
		`{"objects":[{"id":"a--1"}]} x`,
		`{"objects":[{"id":"a--1" "b":1}]}`,
		``,
		`   `,
		"{\"objects\":[\"\xff\"]}",
	} {
		got, gotErr := envelopeObjects([]byte(body))
		var want struct {
			Objects []json.RawMessage `json:"objects"`
		}
		wantErr := json.Unmarshal([]byte(body), &want)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: error %v, want %v", body, gotErr, wantErr)
			continue
		}
		if len(got) != len(want.Objects) {
			t.Errorf("%s: %d objects, want %d", body, len(got), len(want.Objects))
			continue
		}
		for i := range got {
			if !reflect.DeepEqual([]byte(got[i]), []byte(want.Objects[i])) {
				t.Errorf("%s: object %d = %s, want %s", body, i, got[i], want.Objects[i])
			}
		}
	}
}

// TestEnvelopeObjectsCopies: the objects do not share the body's memory
// (they may outlive the request, e.g. in the push server).
func TestEnvelopeObjectsCopies(t *testing.T) {
	body := []byte(`{"objects":[{"id":"a--1"}]}`)
	got, err := envelopeObjects(body)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	copy(body, `{"objects":[{"id":"XXXX"}]}`)
	if string(got[0]) != `{"id":"a--1"}` {
		t.Errorf("object changed with the body: %s", got[0])
	}
}

// TestSplitEnvelopeTakesPlainBodies: the fast path is the one plain
// envelopes take.
func TestSplitEnvelopeTakesPlainBodies(t *testing.T) {
	for body, want := range map[string]bool{
		`{"objects":[{"id":"a--1"},{"id":"b--2"}]}`: true,
		` { "more":false, "objects" : [ ] } `:       true,
		`{"Objects":[{"id":"a--1"}]}`:               true,
		`{"objects":null}`:                          false,
		`{"obj\u0065cts":[]}`:                       false,
		`{"objects":[],"objects":[]}`:               false,
		`{"objects":[}`:                             false,
	} {
		if _, ok := splitEnvelope([]byte(body)); ok != want {
			t.Errorf("%s: fast path %v, want %v", body, ok, want)
		}
	}
}
