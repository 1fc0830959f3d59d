package intake

import (
	"strings"
	"testing"
)

func TestStateListsAndMentions(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // groups as "A B|C"
	}{
		{"signed by the heads of Armenia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan and Uzbekistan in Tashkent", "ARM KAZ KGZ RUS TJK UZB"},
		{"Poland, Hungary and the Czech Republic joined NATO", "POL HUN CZE"},
		{"Kosovo and Bosnia and Herzegovina hope to follow", "XKX BIH"},
		{"by China, Russia and four Central Asian states", "CHN RUS"},
		{"by Iraq and Turkey; Britain, Pakistan and Iran acceded", "IRQ TUR|GBR PAK IRN"},
		{"Georgia, Ukraine, Azerbaijan as well as Moldova", "GEO UKR AZE MDA"},
		{"the Philippines, Thailand, Britain and the United States", "PHL THA GBR USA"},
		{"Uzbekistan's Foreign Minister told Russian reporters", "UZB"},
		{"the Uzbek government said", "UZB"},
		{"Tashkent believes", "UZB"},
		{"signed in Tashkent", ""},
		{"met in the Kremlin", ""},
		{"the U.S. and the USSR", "USA SUN"},
		{"East Germany and West Germany", "DDR DEU"},
		{"North Macedonia, not Macedonia", "MKD|MKD"},
		{"the island of Guam", ""},
	} {
		last := ""
		toks := tokenize(c.text)
		_, ss := findMentions(toks, &last)
		var groups []string
		for _, g := range groupStates(toks, ss) {
			var codes []string
			for _, i := range g.members {
				codes = append(codes, ss[i].code)
			}
			groups = append(groups, strings.Join(codes, " "))
		}
		if got := strings.Join(groups, "|"); got != c.want {
			t.Errorf("%q: groups %q, want %q", c.text, got, c.want)
		}
	}
}

func TestBlocMentionsAndReference(t *testing.T) {
	for _, c := range []struct {
		last, text string
		want       string // slugs, "*" marking a resolved description
	}{
		{"", "the Collective Security Treaty Organization (CSTO)", "csto csto"},
		{"", "Uzbekistan left the post-Soviet security bloc", "csto"},
		{"csto", "withdrew from the organization", "csto*"},
		{"", "NATO and the CSTO; Uzbekistan quit the bloc", "nato csto csto*"},
		{"guam", "the GUUAM bloc", "guam"},
		{"nato", "the Moscow-led bloc", "nato*"},
		{"", "the organization", ""},
		{"", "quit the organization before the CSTO summit", "csto* csto"},
		{"csto", "the terrorist group", ""},
		{"", "the Baghdad Pact was renamed the Central Treaty Organization", "cento cento"},
		{"", "the Organization for Democracy and Economic Development", "guam"},
		{"", "GUAM, not Guam", "guam"},
		{"wp", "the Warsaw Pact and the Treaty of Friendship, Co-operation and Mutual Assistance", "wp wp"},
	} {
		last := c.last
		bs, _ := findMentions(tokenize(c.text), &last)
		var got []string
		for _, b := range bs {
			s := b.slug
			if b.anaphor {
				s += "*"
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q (last %q): blocs %q, want %q", c.text, c.last, strings.Join(got, " "), c.want)
		}
	}
}

func TestTokenizeAndSentences(t *testing.T) {
	toks := tokenize("Uzbekistan\u2019s U.S. allies don't 1,340-kilometre post-Soviet")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	if strings.Join(got, "|") != "Uzbekistan|\u2019s|U.S.|allies|do|n't|1,340-kilometre|post-Soviet" {
		t.Errorf("tokens %q", got)
	}
	ss := splitSentences(span{text: `"We see no need," he said. The U.S. agreed on Oct. 5. Mr. Kamilov left. A. Smith stayed.`})
	var sents []string
	for _, s := range ss {
		sents = append(sents, s.text)
	}
	want := []string{`"We see no need," he said.`, `The U.S. agreed on Oct. 5.`, `Mr. Kamilov left.`, `A. Smith stayed.`}
	if strings.Join(sents, "\n") != strings.Join(want, "\n") {
		t.Errorf("sentences:\n%s", strings.Join(sents, "\n"))
	}
}
