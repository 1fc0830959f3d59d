package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/stix"
	"github.com/blocsec/bloc/taxii"
)

func TestDiscovery(t *testing.T) {
	w := newWorld(t, options{})
	cases := []struct {
		who   string
		roots []string
	}{
		{"", []string{"/csto/"}}, // csto has a public collection; the bilateral bloc has none
		{"kaz-knb/read", []string{"/csto/"}},
		{"uzb-sgb/read", []string{"/csto/", "/uzb-rus/"}},
		{"rus-fsb/read", []string{"/csto/", "/uzb-rus/"}},
	}
	for _, c := range cases {
		r := w.do(req{path: "/taxii2/", who: c.who})
		if r.status != 200 || r.header.Get("Content-Type") != taxii.MediaTypeTAXII {
			t.Fatalf("%s: status %d, Content-Type %q", c.who, r.status, r.header.Get("Content-Type"))
		}
		m := r.json(t)
		var got []string
		for _, u := range m["api_roots"].([]any) {
			got = append(got, strings.TrimPrefix(u.(string), w.srv.URL))
		}
		if !reflect.DeepEqual(got, c.roots) {
			t.Errorf("%q sees %v, want %v", c.who, got, c.roots)
		}
		if m["title"] == "" {
			t.Errorf("no title")
		}
	}
}

func TestAPIRoot(t *testing.T) {
	w := newWorld(t, options{maxContent: 123456})
	r := w.do(req{path: "/csto/", who: "kaz-knb/read"})
	m := r.json(t)
	if r.status != 200 || m["max_content_length"] != float64(123456) || !reflect.DeepEqual(m["versions"], []any{taxii.MediaTypeTAXII}) ||
		m["title"] != "Collective Security Treaty Organization" || !strings.Contains(m["description"].(string), stix.ExtensionID) {
		t.Errorf("api root: %d %v", r.status, m)
	}
	// An unknown root and one the caller may not use answer alike.
	a := wantError(t, w.do(req{path: "/nato/", who: "kaz-knb/read"}), 404, "no API root /nato/ that you may use")
	b := wantError(t, w.do(req{path: "/uzb-rus/", who: "kaz-knb/read"}), 404, "no API root /uzb-rus/ that you may use")
	if strings.ReplaceAll(a["description"].(string), "nato", "X") != strings.ReplaceAll(b["description"].(string), "uzb-rus", "X") {
		t.Errorf("a missing and a hidden API root are told apart:\n%v\n%v", a, b)
	}
	if r := w.do(req{path: "/uzb-rus/", who: "uzb-sgb/read"}); r.status != 200 {
		t.Errorf("uzb in its bilateral root: %d", r.status)
	}
	// The registry's name of the bloc at the instant, when given.
	named := newWorld(t, options{blocName: func(_ context.Context, b string, at time.Time) string {
		return strings.ToUpper(b) + " as of " + at.Format("2006")
	}})
	if m := named.do(req{path: "/csto/", who: "kaz-knb/read"}).json(t); m["title"] != "CSTO as of "+time.Now().Format("2006") {
		t.Errorf("title %v", m["title"])
	}
}

func TestCollections(t *testing.T) {
	w := newWorld(t, options{})
	type view struct {
		id                string
		canRead, canWrite bool
	}
	cases := []struct {
		who  string
		want []view
	}{
		{"kaz-knb/write", []view{{w.members.ID, true, true}, {w.public.ID, true, true}}},
		{"kaz-knb/read", []view{{w.members.ID, true, false}, {w.public.ID, true, false}}},
		{"uzb-sgb/write", []view{{w.public.ID, true, false}}},
		{"", []view{{w.public.ID, true, false}}},
	}
	for _, c := range cases {
		r := w.do(req{path: "/csto/collections/", who: c.who})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.who, r.status, r.body)
		}
		var got []view
		for _, it := range r.json(t)["collections"].([]any) {
			m := it.(map[string]any)
			got = append(got, view{m["id"].(string), m["can_read"].(bool), m["can_write"].(bool)})
			if !reflect.DeepEqual(m["media_types"], []any{taxii.MediaTypeSTIX}) {
				t.Errorf("media_types %v", m["media_types"])
			}
		}
		slices.SortFunc(got, func(a, b view) int { return strings.Compare(a.id, b.id) })
		slices.SortFunc(c.want, func(a, b view) int { return strings.Compare(a.id, b.id) })
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %+v, want %+v", c.who, got, c.want)
		}
		// The single collection resource agrees.
		for _, v := range c.want {
			m := w.do(req{path: "/csto/collections/" + v.id + "/", who: c.who}).json(t)
			if m["can_read"] != v.canRead || m["can_write"] != v.canWrite || m["id"] != v.id {
				t.Errorf("%q: collection %s: %v", c.who, v.id, m)
			}
		}
	}
	// No collections at all is an empty resource.
	if r := w.do(req{path: "/uzb-rus/collections/", who: "uzb-sgb/read"}); r.status != 200 || len(r.json(t)["collections"].([]any)) != 1 {
		t.Errorf("uzb-rus collections: %d %s", r.status, r.body)
	}
}

// A collection the caller may not read is not found, exactly like a
// missing one, on every endpoint under it.
func TestHiddenCollectionIsNotFound(t *testing.T) {
	w := newWorld(t, options{})
	id := newID()
	w.post("kaz-knb/write", w.members, indicator(id, 0, tlpGreen, nil))
	missing := "00000000-0000-4000-8000-000000000000"
	for _, suffix := range []string{"", "objects/", "manifest/", "objects/" + id + "/", "objects/" + id + "/versions/"} {
		for _, who := range []string{"uzb-sgb/write", ""} {
			hidden := wantError(t, w.do(req{path: collPath(w.members) + suffix, who: who}), 404)
			gone := wantError(t, w.do(req{path: "/csto/collections/" + missing + "/" + suffix, who: who}), 404)
			if strings.ReplaceAll(hidden["description"].(string), w.members.ID, "X") != strings.ReplaceAll(gone["description"].(string), missing, "X") {
				t.Errorf("%s %q: hidden and missing differ:\n%v\n%v", suffix, who, hidden, gone)
			}
		}
	}
	// A collection of another bloc is not found through this root.
	wantError(t, w.do(req{path: "/csto/collections/" + w.bilat.ID + "/", who: "rus-fsb/read"}), 404, "no collection")
	// Posting as a former member: not found either.
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "uzb-sgb/write", body: envelope(indicator(newID(), 0, tlpGreen, nil))}), 404, "no collection")
}

func TestPostStatusAndRead(t *testing.T) {
	var hooked []string
	var mu sync.Mutex
	w := newWorld(t, options{onStored: func(c bloc.Collection, objs []bloc.Object) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range objs {
			hooked = append(hooked, c.ID+" "+o.ID)
		}
	}})
	green, amber, red, noRcpt, invalid := newID(), newID(), newID(), newID(), newID()
	bad := indicator(invalid, 0, tlpGreen, nil)
	delete(bad, "pattern")
	st := w.post("kaz-knb/write", w.members,
		indicator(green, 0, tlpGreen, map[string]any{"created_by_ref": w.ids["rus-fsb"]}),
		indicator(amber, 0, "", nil),
		indicator(red, 0, tlpRed, recipients(w.ids["rus-fsb"])),
		indicator(noRcpt, 0, tlpRed, nil),
		bad,
		map[string]any{"type": "indicator"},
	)
	if st["status"] != "complete" || st["total_count"] != float64(6) || st["success_count"] != float64(3) || st["failure_count"] != float64(3) || st["pending_count"] != float64(0) {
		t.Fatalf("status counts: %v", st)
	}
	if got := idsOf(st["successes"], false); !reflect.DeepEqual(got, []string{green, amber, red}) {
		t.Errorf("successes %v", got)
	}
	fails := st["failures"].([]any)
	wantFail := []struct{ id, fragment string }{
		{noRcpt, "names no recipients"},
		{invalid, "pattern"},
		{"objects[5]", "invalid STIX"},
	}
	for i, f := range wantFail {
		m := fails[i].(map[string]any)
		if m["id"] != f.id || !strings.Contains(m["message"].(string), f.fragment) {
			t.Errorf("failure %d: %v, want id %s and %q", i, m, f.id, f.fragment)
		}
	}
	if m := fails[1].(map[string]any); m["version"] != stamp(base) || !strings.Contains(m["message"].(string), invalid) {
		t.Errorf("the invalid object's failure names neither its version nor its id: %v", m)
	}
	mu.Lock()
	if len(hooked) != 3 || hooked[0] != w.members.ID+" "+green {
		t.Errorf("OnStored saw %v", hooked)
	}
	mu.Unlock()

	// The status is readable by the poster's party only.
	statusPath := "/csto/status/" + st["id"].(string) + "/"
	for _, who := range []string{"kaz-knb/write", "kaz-knb/read"} {
		r := w.do(req{path: statusPath, who: who})
		if r.status != 200 || !reflect.DeepEqual(r.json(t), st) {
			t.Errorf("%s: GET status %d %s", who, r.status, r.body)
		}
	}
	for _, who := range []string{"rus-fsb/read", "uzb-sgb/read", ""} {
		wantError(t, w.do(req{path: statusPath, who: who}), 404, "no status")
	}
	wantError(t, w.do(req{path: "/csto/status/00000000-0000-4000-8000-000000000000/", who: "kaz-knb/read"}), 404, "no status")

	// Producer metadata is trusted: created_by_ref named Russia, but the
	// object is owned by Kazakhstan (Russia cannot add a version).
	st2 := w.post("rus-fsb/write", w.members, indicator(green, 1, tlpGreen, nil))
	if f := st2["failures"].([]any); len(f) != 1 || !strings.Contains(f[0].(map[string]any)["message"].(string), "owned by party KAZ") {
		t.Errorf("ownership: %v", st2)
	}
	// Kazakhstan can add a version; re-POSTing is idempotent.
	w.post("kaz-knb/write", w.members, indicator(green, 1, tlpGreen, nil))
	again := w.post("kaz-knb/write", w.members, indicator(green, 1, tlpGreen, nil), indicator(amber, 0, "", nil))
	if again["success_count"] != float64(2) || again["failure_count"] != float64(0) ||
		!strings.Contains(again["successes"].([]any)[0].(map[string]any)["message"].(string), "already stored") {
		t.Errorf("re-POST: %v", again)
	}

	// Reads: Armenia (a member, not a recipient) reads green (2
	// versions) and amber, not the RED object addressed to Russia's
	// agency. Russia and Kazakhstan (its producer) read all three.
	all := "?match[version]=all"
	m := w.do(req{path: objectsPath(w.members) + all, who: "arm-nss/read"})
	if got := idsOf(m.json(t)["objects"], true); !reflect.DeepEqual(got, []string{
		green + "@" + stamp(base), amber + "@" + stamp(base), green + "@" + stamp(base.Add(time.Minute))}) {
		t.Errorf("arm objects %v", got)
	}
	for _, who := range []string{"rus-fsb/read", "kaz-knb/read"} {
		if got := idsOf(w.do(req{path: objectsPath(w.members), who: who}).json(t)["objects"], false); !reflect.DeepEqual(got, []string{amber, red, green}) {
			t.Errorf("%s objects (last versions) %v", who, got)
		}
	}
	man := w.do(req{path: collPath(w.members) + "manifest/" + all, who: "arm-nss/read"})
	mm := man.json(t)
	recs := mm["objects"].([]any)
	if len(recs) != 3 || mm["more"] != false {
		t.Fatalf("manifest %s", man.body)
	}
	first, last := recs[0].(map[string]any), recs[2].(map[string]any)
	if first["media_type"] != taxii.MediaTypeSTIX || man.header.Get("X-TAXII-Date-Added-First") != first["date_added"] || man.header.Get("X-TAXII-Date-Added-Last") != last["date_added"] {
		t.Errorf("manifest headers %v / %v", man.header, recs)
	}
	// The RED object: found by Russia, not found by Armenia.
	if r := w.do(req{path: objectsPath(w.members) + red + "/", who: "rus-fsb/read"}); r.status != 200 || len(r.json(t)["objects"].([]any)) != 1 {
		t.Errorf("rus reads red: %d %s", r.status, r.body)
	}
	wantError(t, w.do(req{path: objectsPath(w.members) + red + "/", who: "arm-nss/read"}), 404, "no object "+red)
	wantError(t, w.do(req{path: objectsPath(w.members) + red + "/versions/", who: "arm-nss/read"}), 404, "no object "+red)
	wantError(t, w.do(req{path: objectsPath(w.members) + newID() + "/", who: "kaz-knb/read"}), 404, "no object")
	// Versions.
	v := w.do(req{path: objectsPath(w.members) + green + "/versions/", who: "kaz-knb/read"})
	if vm := v.json(t); !reflect.DeepEqual(vm["versions"], []any{stamp(base), stamp(base.Add(time.Minute))}) || vm["more"] != false || v.header.Get("X-TAXII-Date-Added-Last") == "" {
		t.Errorf("versions %d %s", v.status, v.body)
	}
	// One object, its versions selected.
	for q, want := range map[string][]string{
		"":                                     {stamp(base.Add(time.Minute))},
		"?match[version]=first":                {stamp(base)},
		"?match[version]=all":                  {stamp(base), stamp(base.Add(time.Minute))},
		"?match[version]=" + stamp(base):       {stamp(base)},
		"?match[version]=first,last":           {stamp(base), stamp(base.Add(time.Minute))},
		"?match[version]=2030-01-01T00:00:00Z": nil,
	} {
		r := w.do(req{path: objectsPath(w.members) + green + "/" + q, who: "kaz-knb/read"})
		var got []string
		for _, s := range idsOf(r.json(t)["objects"], true) {
			got = append(got, strings.TrimPrefix(s, green+"@"))
		}
		if r.status != 200 || !reflect.DeepEqual(got, want) {
			t.Errorf("object %q: %d %v, want %v", q, r.status, got, want)
		}
	}
}

func TestFilters(t *testing.T) {
	w := newWorld(t, options{})
	a, b := newID(), newID()
	malware := map[string]any{"type": "malware", "spec_version": "2.1", "id": stix.NewIdentifier("malware"),
		"created": stamp(base), "modified": stamp(base), "name": "x", "is_family": false}
	w.post("kaz-knb/write", w.members, indicator(a, 0, tlpGreen, nil), malware)
	w.post("kaz-knb/write", w.members, indicator(a, 1, tlpGreen, nil), indicator(b, 0, tlpGreen, nil))
	w.post("kaz-knb/write", w.members, indicator(a, 2, tlpGreen, nil))
	mid := w.do(req{path: collPath(w.members) + "manifest/?match[version]=all", who: "kaz-knb/read"}).json(t)["objects"].([]any)[1].(map[string]any)["date_added"].(string)
	v := func(id string, n int) string { return id + "@" + stamp(base.Add(time.Duration(n)*time.Minute)) }
	mal := malware["id"].(string) + "@" + stamp(base)
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{mal, v(b, 0), v(a, 2)}},
		{"?match[version]=all", []string{v(a, 0), mal, v(a, 1), v(b, 0), v(a, 2)}},
		{"?match[version]=first", []string{v(a, 0), mal, v(b, 0)}},
		{"?match[version]=first&match[version]=last", []string{v(a, 0), mal, v(b, 0), v(a, 2)}},
		{"?match[version]=" + stamp(base.Add(time.Minute)), []string{v(a, 1)}},
		{"?match[type]=malware&match[version]=all", []string{mal}},
		{"?match[type]=indicator,malware", []string{mal, v(b, 0), v(a, 2)}},
		{"?match[id]=" + b + "," + a, []string{v(b, 0), v(a, 2)}},
		{"?match[id]=" + a + "&match[version]=all&match[spec_version]=2.1", []string{v(a, 0), v(a, 1), v(a, 2)}},
		{"?match[spec_version]=2.0", nil},
		{"?match[version]=all&added_after=" + mid, []string{v(a, 1), v(b, 0), v(a, 2)}},
	}
	for _, c := range cases {
		r := w.do(req{path: objectsPath(w.members) + c.query, who: "kaz-knb/read"})
		if got := idsOf(r.json(t)["objects"], true); r.status != 200 || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %d %v, want %v", c.query, r.status, got, c.want)
		}
	}
	// Bad filters are refused with what is wrong.
	for q, frag := range map[string]string{
		"?limit=0":                 "limit=\"0\" must be a positive",
		"?limit=ten":               "limit=\"ten\"",
		"?added_after=yesterday":   "added_after=\"yesterday\"",
		"?next=bogus":              "next=\"bogus\"",
		"?match[id]=not-an-id":     "match[id]=\"not-an-id\"",
		"?match[version]=newest":   "match[version]=\"newest\"",
		"?match[spec_version]=3.0": "match[spec_version]=\"3.0\"",
		"?match[colour]=red":       "match[colour] is not a filter",
		"?match[type]=Bad_Type":    "match[type]=\"Bad_Type\"",
	} {
		wantError(t, w.do(req{path: objectsPath(w.members) + q, who: "kaz-knb/read"}), 400, frag)
	}
	wantError(t, w.do(req{path: objectsPath(w.members) + a + "/?match[type]=indicator", who: "kaz-knb/read"}), 400, "match[type] is not a filter of this endpoint")
	wantError(t, w.do(req{path: objectsPath(w.members) + a + "/versions/?match[version]=all", who: "kaz-knb/read"}), 400, "match[version] is not a filter")
	// A cursor of one collection is refused in another.
	r := w.do(req{path: objectsPath(w.members) + "?limit=1", who: "kaz-knb/read"}).json(t)
	wantError(t, w.do(req{path: objectsPath(w.public) + "?next=" + r["next"].(string), who: "kaz-knb/read"}), 400, "not a cursor this server issued for this collection")
}

// Paging with next while another client writes: every version the reader
// may read is seen exactly once, in date_added order, and nothing else.
// Russia reads Kazakhstan's GREEN objects but not its AMBER+STRICT ones,
// so pages skip over unreadable rows; with a tiny scan budget pages come
// back short or empty with more=true, and the result is the same.
func TestPagingUnderConcurrentWrites(t *testing.T) {
	for _, budget := range []int{0, 4} {
		t.Run(fmt.Sprintf("budget %d", budget), func(t *testing.T) { pagingUnderWrites(t, budget) })
	}
}

func pagingUnderWrites(t *testing.T, budget int) {
	w := newWorld(t, options{scanBudget: budget})
	var mu sync.Mutex
	readable := map[string]bool{}
	postBatch := func(n int) {
		var objs []map[string]any
		for i := range n {
			marking := tlpGreen
			if i%3 == 1 {
				marking = tlpStrict
			}
			objs = append(objs, indicator(newID(), 0, marking, nil))
		}
		st := w.post("kaz-knb/write", w.members, objs...)
		mu.Lock()
		for i, id := range idsOf(st["successes"], true) {
			if i%3 != 1 {
				readable[id] = true
			}
		}
		mu.Unlock()
	}
	postBatch(24)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 30 {
			postBatch(3)
		}
	}()
	seen := map[string]int{}
	next, lastAdded := "", ""
	writing := true
	for pages := 0; pages < 10000; pages++ {
		q := "?limit=7&match[version]=all"
		if next != "" {
			q += "&next=" + next
		} else if lastAdded != "" {
			q += "&added_after=" + lastAdded
		}
		r := w.do(req{path: objectsPath(w.members) + q, who: "rus-fsb/read"})
		m := r.json(t)
		objs := idsOf(m["objects"], true)
		if len(objs) > 7 {
			t.Fatalf("page of %d objects with limit 7", len(objs))
		}
		for _, id := range objs {
			seen[id]++
		}
		if h := r.header.Get("X-TAXII-Date-Added-Last"); h != "" {
			if lastAdded != "" && h <= lastAdded {
				t.Fatalf("date_added went back: %s after %s", h, lastAdded)
			}
			lastAdded = h
		}
		if m["more"] == true {
			next = m["next"].(string)
			continue
		}
		next = ""
		if !writing {
			break
		}
		select {
		case <-done:
			writing = false // one more pass picks up the last writes
		default:
			time.Sleep(time.Millisecond)
		}
	}
	<-done
	if len(readable) != 16+60 {
		t.Fatalf("%d readable versions posted, want 76", len(readable))
	}
	if len(seen) != len(readable) {
		t.Errorf("saw %d distinct versions, want %d", len(seen), len(readable))
	}
	for id, n := range seen {
		if n != 1 || !readable[id] {
			t.Errorf("%s seen %d times (readable %v)", id, n, readable[id])
		}
	}
}

func TestNegotiation(t *testing.T) {
	w := newWorld(t, options{})
	for _, accept := range []string{"", taxii.MediaTypeTAXII, "application/taxii+json", "*/*", "application/json;q=0.9, application/taxii+json;version=2.1", "application/*"} {
		if r := w.do(req{path: "/taxii2/", accept: str(accept)}); r.status != 200 {
			t.Errorf("Accept %q: %d", accept, r.status)
		}
	}
	for _, accept := range []string{"application/json", "text/html", "application/taxii+json;version=2.0", "application/taxii+json;version=2.1;q=0"} {
		wantError(t, w.do(req{path: "/taxii2/", accept: str(accept)}), 406, "Accept: "+taxii.MediaTypeTAXII)
	}
	body := envelope(indicator(newID(), 0, tlpGreen, nil))
	for _, ct := range []string{"", "application/json", "application/taxii+json;version=2.0", "text/plain"} {
		wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: body, contentType: str(ct)}), 415, "Content-Type: "+taxii.MediaTypeTAXII)
	}
	if r := w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: body, contentType: str("application/taxii+json; version=2.1")}); r.status != 202 {
		t.Errorf("Content-Type with a space: %d %s", r.status, r.body)
	}
}

func TestBadRequests(t *testing.T) {
	w := newWorld(t, options{maxContent: 4096})
	big := envelope(indicator(newID(), 0, tlpGreen, map[string]any{"description": strings.Repeat("x", 5000)}))
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: big}), 413, "max_content_length of 4096 bytes")
	// Without a Content-Length the limit holds too.
	hr, _ := http.NewRequest("POST", w.srv.URL+objectsPath(w.members), strings.NewReader(strings.Repeat(" ", 5000)+"{}"))
	hr.ContentLength = -1
	hr.Header.Set("Accept", taxii.MediaTypeTAXII)
	hr.Header.Set("Content-Type", taxii.MediaTypeTAXII)
	hr.Header.Set("Authorization", "Bearer "+w.tokens["kaz-knb/write"])
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked oversize body: %d", resp.StatusCode)
	}

	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: `{"objects": [`}), 400, "not a TAXII envelope", "malformed JSON")
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: `{"objects": {}}`}), 400, "not a TAXII envelope")
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/write", body: `{}`}), 400, "has no objects")
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "kaz-knb/read", body: envelope(indicator(newID(), 0, tlpGreen, nil))}), 403, "role read")
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.public), body: envelope(indicator(newID(), 0, tlpClear, nil))}), 401, "writing needs credentials")
	// Unrouted paths and methods get TAXII errors too.
	wantError(t, w.do(req{path: "/csto/collections/x/nothing/", who: "kaz-knb/read"}), 404, "no TAXII endpoint")
	wantError(t, w.do(req{path: "/", who: "kaz-knb/read"}), 404, "/taxii2/")
	r := w.do(req{method: "PUT", path: objectsPath(w.members), who: "kaz-knb/write", body: "{}"})
	wantError(t, r, 405, "method PUT is not allowed")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow %q", allow)
	}
}

func TestAuthentication(t *testing.T) {
	w := newWorld(t, options{})
	tok := w.tokens["kaz-knb/read"]
	id := strings.Split(tok, "_")[1]
	for name, h := range map[string]string{
		"bearer":       "Bearer " + tok,
		"basic agency": basicAuth("kaz-knb", tok),
		"basic token":  basicAuth(id, tok),
	} {
		r := w.do(req{path: "/csto/collections/", authz: h})
		if r.status != 200 || len(r.json(t)["collections"].([]any)) != 2 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	r := w.do(req{path: "/taxii2/", authz: "Bearer bloc_nope_nope"})
	wantError(t, r, 401, "not valid")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	if err := w.db.RevokeToken(t.Context(), id, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	wantError(t, w.do(req{path: "/taxii2/", authz: "Bearer " + tok}), 401, "was revoked at")
	wantError(t, w.do(req{path: "/taxii2/", authz: basicAuth("kaz-knb", tok)}), 401, "was revoked at")
	// An expired token.
	exp, s := mustToken(t, w, "kaz-knb", bloc.RoleRead, time.Now().Add(-time.Minute))
	wantError(t, w.do(req{path: "/taxii2/", authz: "Bearer " + s}), 401, "token "+exp+" expired at")
}

func mustToken(t *testing.T, w *world, agency string, role bloc.Role, expires time.Time) (string, string) {
	t.Helper()
	tok, s, err := auth.NewToken(agency, role)
	if err != nil {
		t.Fatal(err)
	}
	tok.ExpiresAt = expires
	if err := w.db.CreateToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	return tok.ID, s
}

func TestDelete(t *testing.T) {
	w := newWorld(t, options{})
	id, red := newID(), newID()
	w.post("kaz-knb/write", w.members, indicator(id, 0, tlpGreen, nil), indicator(id, 1, tlpGreen, nil), indicator(red, 0, tlpRed, recipients(w.ids["kaz-knb"])))
	p := objectsPath(w.members) + id + "/"
	wantError(t, w.do(req{method: "DELETE", path: p, who: "rus-fsb/write"}), 403, "owned by party KAZ")
	wantError(t, w.do(req{method: "DELETE", path: p, who: "kaz-knb/read"}), 403, "role read")
	wantError(t, w.do(req{method: "DELETE", path: p, who: "uzb-sgb/write"}), 404, "no collection")
	wantError(t, w.do(req{method: "DELETE", path: objectsPath(w.members) + red + "/", who: "rus-fsb/write"}), 404, "no object "+red)
	wantError(t, w.do(req{method: "DELETE", path: p + "?match[version]=2030-01-01T00:00:00Z", who: "kaz-knb/write"}), 404, "matches the match[] filters")
	if r := w.do(req{method: "DELETE", path: p + "?match[version]=first", who: "kaz-knb/write"}); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("delete first: %d %s", r.status, r.body)
	}
	if vm := w.do(req{path: p + "versions/", who: "kaz-knb/read"}).json(t); !reflect.DeepEqual(vm["versions"], []any{stamp(base.Add(time.Minute))}) {
		t.Errorf("after deleting the first version: %v", vm)
	}
	if r := w.do(req{method: "DELETE", path: p, who: "kaz-knb/write"}); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, w.do(req{path: p, who: "kaz-knb/read"}), 404, "no object")
}

func TestExtensionDefinition(t *testing.T) {
	w := newWorld(t, options{})
	for _, c := range []struct {
		who  string
		coll bloc.Collection
	}{{"kaz-knb/read", w.members}, {"", w.public}, {"uzb-sgb/read", w.public}, {"uzb-sgb/read", w.bilat}} {
		r := w.do(req{path: objectsPath(c.coll) + stix.ExtensionID + "/", who: c.who})
		objs, _ := r.json(t)["objects"].([]any)
		if r.status != 200 || len(objs) != 1 || objs[0].(map[string]any)["type"] != "extension-definition" || r.header.Get("X-TAXII-Date-Added-First") == "" {
			t.Errorf("%q in %s: %d %s", c.who, c.coll.Title, r.status, r.body)
		}
		if info, problems := stix.Validate(mustJSON(t, objs[0])); len(problems) != 0 || info.ID != stix.ExtensionID {
			t.Errorf("the published definition is not valid STIX: %v", problems)
		}
		v := w.do(req{path: objectsPath(c.coll) + stix.ExtensionID + "/versions/", who: c.who}).json(t)
		if len(v["versions"].([]any)) != 1 {
			t.Errorf("versions %v", v)
		}
	}
	// Its one version answers the object endpoint's filters.
	version := stix.ExtensionDefinition()["modified"].(string)
	for q, n := range map[string]int{
		"?match[version]=" + version:           1,
		"?match[version]=first":                1,
		"?match[version]=2030-01-01T00:00:00Z": 0,
		"?match[spec_version]=2.0":             0,
		"?match[spec_version]=2.1":             1,
		"?added_after=2000-01-01T00:00:00Z":    1,
		"?added_after=" + version:              0,
	} {
		r := w.do(req{path: objectsPath(w.members) + stix.ExtensionID + "/" + q, who: "kaz-knb/read"})
		if objs, _ := r.json(t)["objects"].([]any); r.status != 200 || len(objs) != n {
			t.Errorf("extension %s: %d %s, want %d objects", q, r.status, r.body, n)
		}
	}
	wantError(t, w.do(req{path: objectsPath(w.members) + stix.ExtensionID + "/", who: "uzb-sgb/read"}), 404, "no collection")
	wantError(t, w.do(req{method: "DELETE", path: objectsPath(w.members) + stix.ExtensionID + "/", who: "kaz-knb/write"}), 403, "cannot be deleted")
	ext := stix.ExtensionDefinition()
	st := w.post("kaz-knb/write", w.members, ext)
	if st["failure_count"] != float64(1) {
		t.Errorf("writing the extension-definition: %v", st)
	}
}

func TestAccessFollowsMembership(t *testing.T) {
	w := newWorld(t, options{})
	clear, green, amber, strict := newID(), newID(), newID(), newID()
	w.post("kaz-knb/write", w.members,
		indicator(green, 0, tlpGreen, nil), indicator(amber, 0, tlpAmber, nil),
		indicator(strict, 0, tlpStrict, nil))
	w.post("kaz-knb/write", w.public, indicator(clear, 0, tlpClear, nil))
	list := func(who string, c bloc.Collection) (int, []string) {
		r := w.do(req{path: objectsPath(c), who: who})
		return r.status, idsOf(r.json(t)["objects"], false)
	}
	// Kazakhstan (member) reads all three; Russia (member) not the
	// AMBER+STRICT object of Kazakhstan; Armenia, still a member, likewise.
	for who, want := range map[string][]string{
		"kaz-knb/read": {green, amber, strict},
		"rus-fsb/read": {green, amber},
		"arm-nss/read": {green, amber},
	} {
		if st, got := list(who, w.members); st != 200 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d %v, want %v", who, st, got, want)
		}
	}
	// Uzbekistan (former member) reads nothing Kazakhstan reads there.
	if st, _ := list("uzb-sgb/read", w.members); st != 404 {
		t.Errorf("uzb members collection: %d", st)
	}
	for _, id := range []string{green, amber, strict} {
		wantError(t, w.do(req{path: objectsPath(w.members) + id + "/", who: "uzb-sgb/read"}), 404)
	}
	// In the public collection, everyone reads TLP:CLEAR.
	for _, who := range []string{"uzb-sgb/read", "", "kaz-knb/read"} {
		if st, got := list(who, w.public); st != 200 || !reflect.DeepEqual(got, []string{clear}) {
			t.Errorf("%q public: %d %v", who, st, got)
		}
	}

	// Armenia's withdrawal, recorded a little ahead, takes effect at its
	// instant: the same token reads nothing there afterwards, and can no
	// longer write.
	armStatus := "/csto/status/" + w.post("arm-nss/write", w.members, indicator(newID(), 0, tlpGreen, nil))["id"].(string) + "/"
	leaves := time.Now().Add(500 * time.Millisecond)
	w.withdraw("ARM", leaves)
	if r := w.do(req{path: armStatus, who: "arm-nss/read"}); r.status != 200 {
		t.Errorf("arm's own status before its withdrawal: %d %s", r.status, r.body)
	}
	if st, got := list("arm-nss/read", w.members); st != 200 || len(got) != 3 {
		t.Errorf("arm just before its withdrawal: %d %v", st, got)
	}
	if r := w.do(req{path: "/csto/collections/", who: "arm-nss/write"}); len(r.json(t)["collections"].([]any)) != 2 {
		t.Errorf("arm before: %s", r.body)
	}
	time.Sleep(time.Until(leaves) + 50*time.Millisecond)
	if st, got := list("arm-nss/read", w.members); st != 404 || got != nil {
		t.Errorf("arm after withdrawal: %d %v", st, got)
	}
	wantError(t, w.do(req{path: objectsPath(w.members) + green + "/", who: "arm-nss/read"}), 404)
	wantError(t, w.do(req{path: armStatus, who: "arm-nss/read"}), 404, "no status")
	wantError(t, w.do(req{method: "POST", path: objectsPath(w.members), who: "arm-nss/write", body: envelope(indicator(newID(), 0, tlpGreen, nil))}), 404)
	r := w.do(req{path: "/csto/collections/", who: "arm-nss/write"}).json(t)
	if cs := r["collections"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != w.public.ID || cs[0].(map[string]any)["can_write"] != false {
		t.Errorf("arm collections after withdrawal: %v", r)
	}
	// Kazakhstan still reads as before, Armenia's object included: what
	// it shared while a member stays with the bloc.
	if st, got := list("kaz-knb/read", w.members); st != 200 || len(got) != 4 {
		t.Errorf("kaz after arm's withdrawal: %d %v", st, got)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An outage answers 500 with a TAXII error whose description says nothing
// of the cause but gives an id to quote; the cause is logged.
func TestInternalError(t *testing.T) {
	var logged bytes.Buffer
	w := newWorld(t, options{logger: slog.New(slog.NewTextHandler(&logged, nil))})
	w.db.Close()
	r := w.do(req{path: "/csto/collections/", who: "kaz-knb/read"})
	m := wantError(t, r, 500, "internal error", "quote error_id")
	id, _ := m["error_id"].(string)
	if len(id) != 16 || !strings.Contains(m["description"].(string), id) {
		t.Errorf("error_id %q not given in %v", id, m)
	}
	if strings.Contains(string(r.body), "sql") {
		t.Errorf("the cause leaks: %s", r.body)
	}
	if log := logged.String(); !strings.Contains(log, "error_id="+id) || !strings.Contains(log, "sql") {
		t.Errorf("the cause is not logged with the id: %s", log)
	}
}
