package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
	"github.com/blocsec/bloc/stix"
)

// The demo tells the article's story (DESIGN §4a): the CSTO's members
// exchange threat reports; Uzbekistan's service, a former member since 2012,
// reads none of them; yet Uzbekistan and Russia cooperate "to some extent"
// through a bilateral channel, where each reads what the other shares.
// Everything it creates is marked demo.

type demoAgency struct {
	id, party, name string
	role            bloc.Role
}

var demoAgencies = []demoAgency{
	{"rus-demo-fsb", "RUS", "Federal Security Service (demo)", bloc.RoleWrite},
	{"kaz-demo-knb", "KAZ", "National Security Committee (demo)", bloc.RoleWrite},
	{"arm-demo-nss", "ARM", "National Security Service (demo)", bloc.RoleRead},
	{"blr-demo-kgb", "BLR", "State Security Committee (demo)", bloc.RoleRead},
	{"uzb-demo-sgb", "UZB", "State Security Service (demo)", bloc.RoleWrite},
}

const demoBilateral = "rus-uzb"

// demoState is what the demo created, for printing.
type demoState struct {
	tokens  map[string]string // agency id → token string
	threats bloc.Collection   // CSTO members collection
	public  bloc.Collection   // CSTO public collection
	channel bloc.Collection   // the bilateral channel
	objects map[string]string // label → STIX id
}

// setupDemo creates (or finds, on a second run) the demo agencies, a new
// token for each, the demo collections and the bilateral bloc, and posts
// the sample objects through the TAXII handler itself, so they are
// validated and access-checked exactly as a client's would be.
func setupDemo(ctx context.Context, db *sqlite.DB, reg *registry.Service, taxiiHandler http.Handler) (*demoState, error) {
	rs := registrar.New(db, reg)
	st := &demoState{tokens: map[string]string{}, objects: map[string]string{}}
	if err := demoBilateralBloc(ctx, db, reg); err != nil {
		return nil, err
	}
	idents := map[string]string{}
	for _, a := range demoAgencies {
		ag, err := db.Agency(ctx, a.id)
		if bloc.ErrorCode(err) == bloc.ENOTFOUND {
			ag, err = rs.AddAgency(ctx, a.party, a.name, a.id, true)
		}
		if err != nil {
			return nil, fmt.Errorf("demo agency %s: %w", a.id, err)
		}
		idents[a.id] = ag.Identity
		_, secret, err := rs.CreateToken(ctx, a.id, a.role, 0, true)
		if err != nil {
			return nil, err
		}
		st.tokens[a.id] = secret
	}
	var err error
	if st.threats, err = demoCollection(ctx, db, rs, "csto", "demo-threats", "CSTO threat exchange (demo)", bloc.AudienceMembers); err != nil {
		return nil, err
	}
	if st.public, err = demoCollection(ctx, db, rs, "csto", "demo-public", "CSTO public advisories (demo)", bloc.AudiencePublic); err != nil {
		return nil, err
	}
	if st.channel, err = demoCollection(ctx, db, rs, demoBilateral, "demo-channel", "Russia–Uzbekistan channel (demo)", bloc.AudienceMembers); err != nil {
		return nil, err
	}

	post := func(label string, c bloc.Collection, agency string, obj map[string]any) error {
		st.objects[label] = obj["id"].(string)
		return demoPost(taxiiHandler, c, st.tokens[agency], obj)
	}
	rus, kaz, uzb := idents["rus-demo-fsb"], idents["kaz-demo-knb"], idents["uzb-demo-sgb"]
	steps := []struct {
		label  string
		coll   bloc.Collection
		agency string
		obj    map[string]any
	}{
		{"CLEAR advisory", st.public, "kaz-demo-knb", demoObject("report", "b1e0c0de-0000-4000-8000-000000000001", kaz, stix.TLP2Clear, map[string]any{
			"name": "Advisory: phishing lures about regional security exercises (demo)", "published": "2026-11-01T00:00:00Z",
			"report_types": []string{"threat-report"}, "object_refs": []string{"identity--" + strings.TrimPrefix(kaz, "identity--")}})},
		{"GREEN indicator", st.threats, "rus-demo-fsb", demoObject("indicator", "b1e0c0de-0000-4000-8000-000000000002", rus, stix.TLP2Green, map[string]any{
			"name": "C2 server of a cell operating from northern Afghanistan (demo)", "pattern": "[ipv4-addr:value = '198.51.100.7']",
			"pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z", "indicator_types": []string{"malicious-activity"}})},
		{"AMBER intrusion set", st.threats, "rus-demo-fsb", demoObject("intrusion-set", "b1e0c0de-0000-4000-8000-000000000003", rus, stix.TLP2Amber, map[string]any{
			"name": "Border-crossing facilitation network (demo)", "goals": []string{"move fighters across Central Asian borders"}})},
		{"AMBER+STRICT report for KAZ", st.threats, "rus-demo-fsb", withRecipients(demoObject("report", "b1e0c0de-0000-4000-8000-000000000004", rus, stix.TLP2AmberStrict, map[string]any{
			"name": "Planned attack on a transport hub (demo)", "published": "2026-11-02T00:00:00Z",
			"report_types": []string{"threat-actor"}, "object_refs": []string{"intrusion-set--b1e0c0de-0000-4000-8000-000000000003"}}), []string{"KAZ"}, nil)},
		{"RED indicator for KAZ's agency", st.threats, "rus-demo-fsb", withRecipients(demoObject("indicator", "b1e0c0de-0000-4000-8000-000000000005", rus, stix.TLP2Red, map[string]any{
			"name": "Source-identifying indicator (demo)", "pattern": "[domain-name:value = 'relay.example.net']",
			"pattern_type": "stix", "valid_from": "2026-11-02T00:00:00Z"}), nil, []string{kaz})},
		{"UZB indicator on the bilateral channel", st.channel, "uzb-demo-sgb", demoObject("indicator", "b1e0c0de-0000-4000-8000-000000000006", uzb, stix.TLP2Amber, map[string]any{
			"name": "Recruitment channel seen in the Fergana valley (demo)", "pattern": "[url:value = 'https://recruit.example.org/join']",
			"pattern_type": "stix", "valid_from": "2026-11-03T00:00:00Z"})},
	}
	for _, s := range steps {
		if err := post(s.label, s.coll, s.agency, s.obj); err != nil {
			return nil, fmt.Errorf("demo object %q: %w", s.label, err)
		}
	}
	return st, nil
}

// demoBilateralBloc adds the two-party demo bloc with both signatures,
// unless it exists.
func demoBilateralBloc(ctx context.Context, db *sqlite.DB, reg *registry.Service) error {
	if _, err := db.Bloc(ctx, demoBilateral); err == nil {
		return nil
	} else if bloc.ErrorCode(err) != bloc.ENOTFOUND {
		return err
	}
	founded := bloc.MustDate("2017-04-05")
	if err := db.CreateBloc(ctx, bloc.Bloc{Slug: demoBilateral, Name: "Russia–Uzbekistan security cooperation (demo)", Founded: founded, Demo: true,
		Instrument: "demo data, not part of the sourced record"}); err != nil {
		return err
	}
	src := bloc.Source{Title: "bloc demo data — not a sourced fact"}
	_, err := reg.Add(ctx, []bloc.Record{
		{Bloc: demoBilateral, Party: "RUS", Kind: bloc.KindSigned, Date: founded, Source: src, RecordedBy: "bloc serve --demo"},
		{Bloc: demoBilateral, Party: "UZB", Kind: bloc.KindSigned, Date: founded, Source: src, RecordedBy: "bloc serve --demo"},
	})
	return err
}

// demoCollection finds a demo collection by alias or creates it.
func demoCollection(ctx context.Context, db *sqlite.DB, rs *registrar.Service, slug, alias, title string, aud bloc.Audience) (bloc.Collection, error) {
	cs, err := db.Collections(ctx, slug)
	if err != nil {
		return bloc.Collection{}, err
	}
	for _, c := range cs {
		if c.Alias == alias {
			return c, nil
		}
	}
	return rs.CreateCollection(ctx, bloc.Collection{Bloc: slug, Title: title, Alias: alias, Audience: aud, Demo: true,
		Description: "demo data created by `bloc serve --demo`"})
}

func demoObject(typ, uuid, createdBy, marking string, props map[string]any) map[string]any {
	o := map[string]any{
		"type": typ, "spec_version": "2.1", "id": typ + "--" + uuid,
		"created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
		"created_by_ref": createdBy, "object_marking_refs": []string{marking},
		"labels": []string{"demo"},
	}
	for k, v := range props {
		o[k] = v
	}
	return o
}

func withRecipients(o map[string]any, parties, identities []string) map[string]any {
	ext := map[string]any{"extension_type": "property-extension"}
	if parties != nil {
		ext["recipient_parties"] = parties
	}
	if identities != nil {
		ext["recipient_identities"] = identities
	}
	o["extensions"] = map[string]any{stix.ExtensionID: ext}
	return o
}

// demoPost POSTs one object in an envelope through the TAXII handler and
// checks that the status names it a success.
func demoPost(h http.Handler, c bloc.Collection, token string, obj map[string]any) error {
	body, err := json.Marshal(map[string]any{"objects": []any{obj}})
	if err != nil {
		return err
	}
	req := httptest.NewRequest("POST", "/"+c.Bloc+"/collections/"+c.ID+"/objects/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusAccepted {
		return fmt.Errorf("TAXII answered %d: %s", rec.Code, res)
	}
	var status struct {
		Failures []struct{ Message string } `json:"failures"`
	}
	if err := json.Unmarshal(res, &status); err != nil {
		return err
	}
	if len(status.Failures) > 0 {
		return fmt.Errorf("refused: %s", status.Failures[0].Message)
	}
	return nil
}

// printDemo writes the tokens and ready-to-run curl lines.
func printDemo(w io.Writer, st *demoState, addr string) {
	base := "http://" + addr
	fmt.Fprintf(w, "\n== bloc demo (all demo data is marked demo) ==\n\nTokens (shown once; new ones on every start):\n")
	for _, a := range demoAgencies {
		fmt.Fprintf(w, "  %-14s %s %-4s %s\n", a.id, a.party, a.role, st.tokens[a.id])
	}
	fmt.Fprintf(w, "\n  export KAZ=%s\n  export ARM=%s\n  export UZB=%s\n  export RUS=%s\n",
		st.tokens["kaz-demo-knb"], st.tokens["arm-demo-nss"], st.tokens["uzb-demo-sgb"], st.tokens["rus-demo-fsb"])
	h := `-H 'Accept: application/taxii+json;version=2.1'`
	obj := func(c bloc.Collection) string {
		return fmt.Sprintf("%s/%s/collections/%s/objects/", base, c.Bloc, c.ID)
	}
	fmt.Fprintf(w, `
Collections:
  %s  %s  (%s)
  %s  %s  (%s)
  %s  %s  (%s, a two-party demo bloc)

Try:
  # Kazakhstan, a member, reads the CSTO exchange: GREEN, AMBER, and the AMBER+STRICT and RED objects addressed to it
  curl -s %s -H "Authorization: Bearer $KAZ" %s
  # Armenia, a member not named as recipient: GREEN and AMBER only
  curl -s %s -H "Authorization: Bearer $ARM" %s
  # Uzbekistan, a former member since 2012-12-19: the collection does not exist for it (404)
  curl -s %s -H "Authorization: Bearer $UZB" %s
  # ... it reads the public advisories (TLP:CLEAR), as anyone can without a token
  curl -s %s %s
  # Russia reads what Uzbekistan shares on the bilateral channel
  curl -s %s -H "Authorization: Bearer $RUS" %s
  # Why? Ask the access function
  go run ./cmd/bloc access explain --agency uzb-demo-sgb --object %s
  go run ./cmd/bloc access explain --agency kaz-demo-knb --object %s
  # What each API root offers the caller
  curl -s %s -H "Authorization: Bearer $UZB" %s/taxii2/
`,
		st.threats.ID, st.threats.Title, st.threats.Audience,
		st.public.ID, st.public.Title, st.public.Audience,
		st.channel.ID, st.channel.Title, st.channel.Audience,
		h, obj(st.threats), h, obj(st.threats), h, obj(st.threats), h, obj(st.public), h, obj(st.channel),
		st.objects["AMBER intrusion set"], st.objects["AMBER intrusion set"], h, base)
}
