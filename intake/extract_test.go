package intake

import (
	"strings"
	"testing"
)

// extractText runs Parse and Extract on a short article whose dateline is
// MOSCOW on the publication day.
func extractText(body, published string) []Proposal {
	raw := "A short article for the rules\n\n" + body
	if published != "" {
		raw = "Published: " + published + "\n\nA short article for the rules\n\nMOSCOW, " + mustDay(published).Start.Format("January 2") + ". " + body
	}
	return Extract(Parse([]byte(raw), Options{}))
}

func TestExtractRules(t *testing.T) {
	for _, c := range []struct {
		name, body, published string
		want                  []string
	}{
		// Events.
		{"joined, year", "Azerbaijan, Georgia and Belarus joined the post-Soviet security bloc in 1993.", "",
			[]string{"csto AZE acceded 1993", "csto GEO acceded 1993", "csto BLR acceded 1993"}},
		{"two events in one sentence", "In August 2006, Uzbekistan rejoined the CSTO but again withdrew from the organization in December 2012.", "",
			[]string{"csto UZB acceded 2006-08", "csto UZB withdrew 2012-12"}},
		{"passive signature with agent", "The Collective Security Treaty was signed by the heads of Armenia and Russia in Tashkent on May 15, 1992.", "",
			[]string{"csto ARM signed 1992-05-15", "csto RUS signed 1992-05-15"}},
		{"weekday with the dateline", "Finland joined NATO on Tuesday.", "2023-04-04", []string{"nato FIN acceded 2023-04-04"}},
		{"bloc as subject, state as object", "The SCO admitted Belarus as a member on Thursday.", "2024-07-04", []string{"sco BLR acceded 2024-07-04"}},
		{"observer status", "Iran was granted observer status in the SCO in 2005.", "", []string{"sco IRN observer_from 2005"}},
		{"dialogue partner", "Belarus became a dialogue partner of the SCO in 2009.", "", []string{"sco BLR partner_from 2009"}},
		{"expelled", "Albania was expelled from the Warsaw Pact in 1968.", "", []string{"wp ALB expelled 1968"}},
		{"suspended", "Uzbekistan suspended its participation in GUUAM in June 2002.", "", []string{"guam UZB suspended 2002-06"}},
		{"dissolved, bloc-level", "The Warsaw Pact was dissolved on July 1, 1991.", "", []string{"wp - dissolved 1991-07-01"}},
		{"renamed", "The Baghdad Pact was renamed the Central Treaty Organization in August 1959.", "", []string{"cento - renamed 1959-08"}},
		{"member since", "Albania has been a member of NATO since 2009.", "", []string{"nato ALB acceded 2009"}},
		{"relative clause", "Uzbekistan, which left the organisation in 2012, was not invited to the CSTO summit.", "", []string{"csto UZB withdrew 2012"}},
		{"followed", "Iran withdrew from CENTO on March 11, 1979, and Pakistan followed a day later.", "",
			[]string{"cento IRN withdrew 1979-03-11", "cento PAK withdrew 1979-03-12"}},
		// Lapse: a refusal to renew, and the quitting it entails, is one lapse.
		{"lapse", "On April 2, 1999, Azerbaijan and Georgia did not sign a protocol on renewing the CSTO treaty and quit the organization.", "",
			[]string{"csto AZE lapsed 1999-04-02", "csto GEO lapsed 1999-04-02"}},
		{"did not renew", "Uzbekistan did not renew its membership of the CSTO in 1999.", "", []string{"csto UZB lapsed 1999"}},
		// Positions are statements, dated by the article when said.
		{"no need to rejoin", "Uzbekistan sees no need to rejoin the CSTO, the minister told reporters on Friday.", "2021-10-22",
			[]string{"csto UZB statement 2021-10-22"}},
		{"will not leave", "Armenia will not leave the CSTO, Pashinyan said.", "2024-05-08", []string{"csto ARM statement 2024-05-08"}},
		{"freeze is a statement", "Armenia froze its participation in the CSTO in February 2024.", "", []string{"csto ARM statement 2024-02"}},
		{"position not said and undated", "Mongolia has no plans to join the SCO.", "2024-07-04", nil},
		// Non-events.
		{"may join", "Sweden may join NATO in July 2023.", "", nil},
		{"applied to join", "Finland applied to join NATO in May 2022.", "", nil},
		{"expected to join", "Bosnia is expected to join NATO by 2030.", "", nil},
		{"never became", "The United States never became a full member of CENTO in 1959.", "", nil},
		{"did not rule out … could leave", "He did not rule out that Armenia could leave the CSTO in 2025.", "", nil},
		{"gerund", "Russia had no problem with Finland joining NATO in 2023.", "", nil},
		{"left something of the bloc", "France left NATO's integrated military command in 1966.", "", nil},
		{"left for a place", "Kamilov left for Moscow in 2021.", "", nil},
		{"signed something else", "Belarus signed a memorandum of obligations with the SCO in 2023.", "", nil},
		{"no bloc anywhere", "Uzbekistan joined the talks in 2012.", "", nil},
		{"anniversary", "Leaders met in 2022 to mark thirty years since the signing of the Collective Security Treaty.", "", nil},
		{"undated", "Azerbaijan quit the organization after a dispute with the CSTO.", "", nil},
	} {
		got := keys(extractText(c.body, c.published))
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: %q\n got %q\nwant %q", c.name, c.body, got, c.want)
		}
	}
}

func TestExtractBlocReferenceAcrossSentences(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		want      []string
	}{
		{"headline sets the bloc", "GUAM leaders meet\n\nUzbekistan left the group in 2005.", []string{"guam UZB withdrew 2005"}},
		{"the most recent bloc", "A short article for the rules\n\nNATO and the CSTO held talks. Uzbekistan quit the organization in 2012.", []string{"csto UZB withdrew 2012"}},
		{"the bloc changes with the text", "A short article for the rules\n\nThe CSTO met. NATO met too. Finland joined the alliance in 2023.", []string{"nato FIN acceded 2023"}},
		{"no bloc yet", "A short article for the rules\n\nUzbekistan quit the organization in 2012.", nil},
		{"both countries", "A short article for the rules\n\nIndia and Pakistan joined the SCO in 2017. Both countries had been observers since 2005.",
			[]string{"sco IND acceded 2017", "sco PAK acceded 2017", "sco IND observer_from 2005", "sco PAK observer_from 2005"}},
	} {
		got := keys(Extract(Parse([]byte(c.raw), Options{})))
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// The same event stated twice, once less precisely, is proposed once at
// the most precise date; different dates are different proposals.
func TestExtractMerges(t *testing.T) {
	got := keys(extractText("Tirana's exit from the Warsaw Pact came in 1968. Albania withdrew from the pact on September 13, 1968. Albania withdrew from the pact again in 1970.", ""))
	want := []string{"wp ALB withdrew 1968-09-13", "wp ALB withdrew 1970"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}
