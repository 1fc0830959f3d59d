package intake

import (
	"fmt"
	"html"
	"strings"
	"testing"
)

// corpusHTML wraps the corpus article's paragraphs in a news page with the
// furniture real pages carry.
func corpusHTML(t *testing.T) []byte {
	t.Helper()
	a := Parse(readCorpus(t), Options{Published: mustDay("2021-10-22")})
	var body strings.Builder
	for i, p := range strings.Split(a.Body, "\n\n") {
		if i == 0 {
			p = "TASHKENT, October 22. /TASS/. " + p
		}
		fmt.Fprintf(&body, "<p>%s</p>\n", html.EscapeString(p))
	}
	page := `<!DOCTYPE html>
<html><head>
<meta charset="utf-8"><title>Uzbekistan sees no need to rejoin post-Soviet security bloc - Russian Politics &amp; Diplomacy - TASS</title>
<meta property="article:published_time" content="2021-10-22T09:41:00+03:00">
<meta property="og:url" content="https://tass.com/world/1352195">
<meta property="og:site_name" content="TASS">
<style>.menu { color: red }</style>
<script>var t = "Belarus joined NATO on May 1, 2001";</script>
</head><body>
<header class="site-header"><div class="logo">TASS</div>
<nav><ul><li><a href="/">Russian Politics &amp; Diplomacy</a></li><li><a href="/world">World</a></li><li>Business &amp; Economy</li></ul></nav></header>
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/world">World</a></div>
<main><div class="news-header">All news</div>
<article>
<h1 class="news-header__title">Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat</h1>
<div class="news-header__lead">` + html.EscapeString(a.Lead) + `</div>
<div class="share-buttons"><a>Share</a><a>Facebook</a><a>Twitter</a><a>Telegram</a></div>
<div class="text-content">` + body.String() + `</div>
<div class="tags"><a>CSTO</a><a>Uzbekistan</a></div>
<script>document.write("Kazakhstan left the CSTO in 2020.");</script>
</article>
<aside class="related"><h3>Read also</h3><p>Tajikistan may join GUAM in 2030, experts say.</p></aside>
</main>
<footer><p>&copy; TASS 2021. All rights reserved.</p><p><a>Privacy policy</a></p></footer>
<noscript><img src="/pixel.gif"></noscript>
</body></html>`
	return []byte(page)
}

func TestParseHTMLStripsChrome(t *testing.T) {
	txt := Parse(readCorpus(t), Options{Published: mustDay("2021-10-22")})
	a := Parse(corpusHTML(t), Options{})
	if a.Headline != txt.Headline || a.Lead != txt.Lead || a.Body != txt.Body || a.Dateline != txt.Dateline {
		t.Fatalf("HTML parse differs from the text parse:\nheadline %q\nlead %q\ndateline %q\nbody %q", a.Headline, a.Lead, a.Dateline, a.Body)
	}
	if a.Published.String() != "2021-10-22" || a.PublishedInferred {
		t.Errorf("published %s (inferred %v), want 2021-10-22 from the page's metadata", a.Published, a.PublishedInferred)
	}
	if a.URL != "https://tass.com/world/1352195" || a.Publisher != "TASS" {
		t.Errorf("source from metadata: %q %q", a.URL, a.Publisher)
	}
	for _, chrome := range []string{"All news", "Share", "Facebook", "Privacy", "rights reserved", "Belarus joined NATO", "Kazakhstan left", "Tajikistan may", "Read also", "World", "Business"} {
		if strings.Contains(a.Text, chrome) {
			t.Errorf("page chrome %q left in the text", chrome)
		}
	}
	if strings.Join(keys(Extract(a)), "\n") != strings.Join(corpusWant, "\n") {
		t.Errorf("proposals from the HTML page:\n%s", strings.Join(keys(Extract(a)), "\n"))
	}
}

func TestLooksLikeHTML(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"<!DOCTYPE html><html><body><p>x</p></body></html>", true},
		{"<html><p>x</p></html>", true},
		{"<p>Finland joined NATO.</p><p>More.</p>", true},
		{"Finland joined NATO on April 4, 2023.", false},
		{"Prices rose 3% <5% forecast>", false},
		{"", false},
	} {
		if got := looksLikeHTML([]byte(c.in)); got != c.want {
			t.Errorf("looksLikeHTML(%q) = %v", c.in, got)
		}
	}
}

func TestChromeLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"All news", true},
		{"Share", true},
		{"Facebook Twitter Telegram", true},
		{"© 2021 TASS. All rights reserved.", true},
		{"Copyright 2023 Example Wire", true},
		{"Politics", true},
		{"Home | World", true},
		{"Finland joins NATO", false},
		{"GUAM turns twenty", false},
		{"Uzbekistan sees no need to rejoin post-Soviet security bloc, says top diplomat", false},
		{"In August 2006, Uzbekistan rejoined the CSTO.", false},
	} {
		if got := isChromeLine(c.in); got != c.want {
			t.Errorf("isChromeLine(%q) = %v", c.in, got)
		}
	}
}

func TestParsePlainTextHeaderAndDateline(t *testing.T) {
	for _, c := range []struct {
		name, in                                  string
		opt                                       Options
		headline, lead, dateline, published, body string
		inferred                                  bool
	}{
		{
			name:     "published line, dateline with agency tag",
			in:       "Published: 2023-04-04\n\nFinland joins NATO\n\nA lead.\n\nBRUSSELS, April 4 (Reuters) - Finland joined NATO on Tuesday.\n\nMore text.",
			headline: "Finland joins NATO", lead: "A lead.", dateline: "BRUSSELS, April 4", published: "2023-04-04",
			body: "Finland joined NATO on Tuesday.\n\nMore text.",
		},
		{
			name:     "option wins over the published line",
			in:       "Published: 2023-04-04\n\nFinland joins NATO\n\nBRUSSELS, April 4. Finland joined NATO on Tuesday.",
			opt:      Options{Published: mustDay("2023-04-05")},
			headline: "Finland joins NATO", dateline: "BRUSSELS, April 4", published: "2023-04-05",
			body: "Finland joined NATO on Tuesday.",
		},
		{
			name:     "day-month dateline with year",
			in:       "East Germany leaves Warsaw Pact\n\nEAST BERLIN, 24 September 1990 — East Germany withdrew from the Warsaw Pact.",
			headline: "East Germany leaves Warsaw Pact", dateline: "EAST BERLIN, 24 September", published: "1990-09-24",
			body: "East Germany withdrew from the Warsaw Pact.",
		},
		{
			name:     "no publication date: inferred from the weekday",
			in:       "Armenia freezes CSTO participation\n\nYEREVAN, February 22. Armenia has frozen its participation in the CSTO, Pashinyan said on Thursday. Tensions grew in 2023.",
			headline: "Armenia freezes CSTO participation", dateline: "YEREVAN, February 22", published: "2024-02-22", inferred: true,
			body: "Armenia has frozen its participation in the CSTO, Pashinyan said on Thursday. Tensions grew in 2023.",
		},
		{
			name:     "no dateline: the first paragraph is the lead",
			in:       "Sweden joins NATO\n\nSweden became a member on Thursday.\n\nIt was the 32nd.",
			headline: "Sweden joins NATO", lead: "Sweden became a member on Thursday.",
			body: "It was the 32nd.",
		},
		{
			name:     "lines without blank lines are paragraphs",
			in:       "Menu\nSweden joins NATO\nSTOCKHOLM, March 7. Sweden joined NATO on Thursday.\nShare",
			opt:      Options{Published: mustDay("2024-03-07")},
			headline: "Sweden joins NATO", dateline: "STOCKHOLM, March 7", published: "2024-03-07",
			body: "Sweden joined NATO on Thursday.",
		},
	} {
		a := Parse([]byte(c.in), c.opt)
		if a.Headline != c.headline || a.Lead != c.lead || a.Dateline != c.dateline || a.Published.String() != c.published || a.Body != c.body || a.PublishedInferred != c.inferred {
			t.Errorf("%s:\n got headline %q lead %q dateline %q published %q inferred %v body %q", c.name, a.Headline, a.Lead, a.Dateline, a.Published, a.PublishedInferred, a.Body)
		}
	}
}
