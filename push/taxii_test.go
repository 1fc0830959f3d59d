package push_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/auth"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/taxii"
)

// The whole path as `bloc serve` wires it: an envelope POSTed to the TAXII
// server reaches an open stream through the OnStored hook.
func TestTAXIIPostReachesStream(t *testing.T) {
	f := newFixture(t)
	reg := registry.New(f.db)
	ps, err := push.New(push.Config{Store: f.db, Record: reg})
	f.must(err)
	f.must(ps.Start(f.ctx))
	t.Cleanup(ps.Shutdown)
	ts := taxii.New(taxii.Config{Store: f.db, Records: f.db, Standings: reg, OnStored: ps.OnStored})
	srv := httptest.NewServer(ps.Wrap(ts))
	t.Cleanup(srv.Close)
	f.http = srv // the fixture's stream client now talks to this server

	tok, writer, err := auth.NewToken("kaz-knb", bloc.RoleWrite)
	f.must(err)
	f.must(f.db.CreateToken(f.ctx, tok))
	c, resp := f.open("arm-nss", "", "")
	if c == nil {
		t.Fatalf("stream: status %d", resp.StatusCode)
	}
	id := "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	env := fmt.Sprintf(`{"objects":[{"type":"indicator","spec_version":"2.1","id":%q,"created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-03-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}]}`, id)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/csto/collections/"+collID+"/objects/", bytes.NewReader([]byte(env)))
	f.must(err)
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+writer)
	pr, err := http.DefaultClient.Do(req)
	f.must(err)
	body, _ := io.ReadAll(pr.Body)
	pr.Body.Close()
	if pr.StatusCode/100 != 2 {
		t.Fatalf("POST: %s: %s", pr.Status, body)
	}
	e := c.next(t)
	if !bytes.Contains([]byte(e.Data), []byte(id)) || e.ID == "" {
		t.Errorf("stream event %+v does not carry %s", e, id)
	}
}
