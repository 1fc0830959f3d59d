package intake

import (
	"regexp"
	"strings"
	"time"

	"github.com/blocsec/bloc"
)

// Options carries what the caller knows about an article's source.
type Options struct {
	// Published is the publication date; when zero it is read from the
	// article (a "Published:" line, page metadata) or inferred.
	Published   bloc.Date
	SourceTitle string
	Publisher   string
	URL         string
}

// Article is a news article reduced to its parts.
type Article struct {
	Headline string
	Lead     string
	Body     string // the paragraphs after the lead, dateline removed, separated by blank lines
	Dateline string // "TASHKENT, October 22"
	// Published is the publication day. PublishedInferred says its year was
	// inferred from the dateline (see inferYear), not stated.
	Published         bloc.Date
	PublishedInferred bool
	Text              string // the cleaned article: headline, lead, dateline and body
	// Source is the caller's description of the source, completed from
	// page metadata where the page has it.
	SourceTitle, Publisher, URL string
}

// Parse reads an article given as plain text or HTML. Markup, scripts and
// styles are stripped, and so is page chrome: navigation lines ("All news"),
// menus, share buttons, copyright lines. It never fails: what it cannot
// recognise stays in the body.
func Parse(raw []byte, opt Options) Article {
	var paras []block
	var meta pageMeta
	if looksLikeHTML(raw) {
		paras, meta = htmlBlocks(raw)
		for i := range paras {
			paras[i].text = normalize(paras[i].text)
		}
	} else {
		paras = textBlocks(normalize(string(raw)))
	}
	a := Article{SourceTitle: opt.SourceTitle, Publisher: opt.Publisher, URL: opt.URL}
	if a.URL == "" {
		a.URL = meta.url
	}
	if a.Publisher == "" {
		a.Publisher = meta.publisher
	}
	published := opt.Published
	if published.IsZero() && meta.published != "" {
		published = readPublished(meta.published)
	}

	// Header lines ("Published: 2021-10-22") before the article.
	var kept []block
	for _, p := range paras {
		if m := headerLine.FindStringSubmatch(p.text); m != nil && len(kept) == 0 {
			key, val := strings.ToLower(m[1]), strings.TrimSpace(m[2])
			switch key {
			case "published", "date":
				if published.IsZero() {
					published = readPublished(val)
				}
			case "source", "title":
				if a.SourceTitle == "" {
					a.SourceTitle = val
				}
			case "publisher":
				if a.Publisher == "" {
					a.Publisher = val
				}
			case "url":
				if a.URL == "" {
					a.URL = val
				}
			}
			continue
		}
		if isChromeLine(p.text) {
			continue
		}
		kept = append(kept, p)
	}

	// The headline: an h1 or the first paragraph.
	hi := -1
	for i, p := range kept {
		if p.headline {
			hi = i
			break
		}
	}
	if hi < 0 && len(kept) > 0 && !datelineRe.MatchString(kept[0].text) {
		hi = 0
	}
	if hi < 0 && meta.title != "" {
		a.Headline = normalize(meta.title)
	}
	if hi >= 0 {
		a.Headline = kept[hi].text
		kept = append(kept[:hi:hi], kept[hi+1:]...)
	}

	// The dateline opens the body; what stands between headline and
	// dateline is the lead.
	di := -1
	for i, p := range kept {
		if i > 3 {
			break
		}
		if datelineRe.MatchString(p.text) {
			di = i
			break
		}
	}
	var datelineDay, datelineMonth int
	datelineYear := 0
	if di >= 0 {
		m := datelineRe.FindStringSubmatch(kept[di].text)
		a.Dateline = strings.TrimSpace(m[1])
		if m[2] != "" {
			a.Dateline += ", " + strings.TrimSpace(m[2])
			datelineMonth, datelineDay = monthDay(m[2])
			if m[3] != "" {
				datelineYear = atoi(m[3])
			}
		}
		kept[di].text = strings.TrimSpace(kept[di].text[len(m[0]):])
		var lead []string
		for _, p := range kept[:di] {
			lead = append(lead, p.text)
		}
		a.Lead = strings.Join(lead, " ")
		kept = kept[di:]
	} else {
		// No dateline: a paragraph marked as lead, else the first one.
		li := -1
		for i, p := range kept {
			if p.lead {
				li = i
				break
			}
		}
		if li < 0 && len(kept) > 1 {
			li = 0
		}
		if li >= 0 {
			a.Lead = kept[li].text
			kept = append(kept[:li:li], kept[li+1:]...)
		}
	}
	var body []string
	for _, p := range kept {
		if p.text != "" {
			body = append(body, p.text)
		}
	}
	a.Body = strings.Join(body, "\n\n")

	// The publication date: given, stated, or inferred from the dateline.
	switch {
	case !published.IsZero():
		a.Published = published
	case datelineYear > 0 && datelineMonth > 0:
		if d, ok := mkDay(datelineYear, time.Month(datelineMonth), datelineDay); ok {
			a.Published = d
		}
	case datelineMonth > 0:
		all := a.Headline + "\n" + a.Lead + "\n" + a.Body
		wd, haveWD := firstWeekday(all)
		if y, ok := inferYear(time.Month(datelineMonth), datelineDay, wd, haveWD, latestYear(all)); ok {
			if d, ok := mkDay(y, time.Month(datelineMonth), datelineDay); ok {
				a.Published, a.PublishedInferred = d, true
			}
		}
	}

	var text []string
	for _, s := range []string{a.Headline, a.Lead} {
		if s != "" {
			text = append(text, s)
		}
	}
	if a.Body != "" {
		if a.Dateline != "" {
			text = append(text, a.Dateline+". "+a.Body)
		} else {
			text = append(text, a.Body)
		}
	}
	a.Text = strings.Join(text, "\n\n")
	return a
}

var headerLine = regexp.MustCompile(`^(?i)(published|date|source|title|publisher|url)\s*:\s*(\S.*)$`)

const monthRe = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`

// datelineRe reads "TASHKENT, October 22. /TASS/. ", "WASHINGTON, March 7
// (Reuters) - ", "NEW DELHI, 4 July 2023 — " and "LONDON (AP) — ".
var datelineRe = regexp.MustCompile(`^([A-Z][A-Z.'\- ]*[A-Z]\.?)` +
	`(?:(?:\s*\([^)]*\))?\s*,\s*(` + monthRe + `\s+\d{1,2}|\d{1,2}\s+` + monthRe + `)(?:,?\s*(\d{4}))?|\s*\([^)]*\))` +
	`\s*(?:\([^)]*\))?\s*[.:,]?\s*(?:/\s*[A-Za-z\-]+\s*/\s*\.?)?\s*(?:[-\x{2014}\x{2013}]+\s*)?`)

// monthDay reads "October 22" or "22 October".
func monthDay(s string) (int, int) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0
	}
	if m, ok := monthNames[strings.ToLower(strings.TrimSuffix(f[0], "."))]; ok {
		return int(m), atoi(f[1])
	}
	if m, ok := monthNames[strings.ToLower(strings.TrimSuffix(f[1], "."))]; ok {
		return int(m), atoi(f[0])
	}
	return 0, 0
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// readPublished reads a date or timestamp as the day it names.
func readPublished(s string) bloc.Date {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return bloc.DayOf(t)
	}
	if len(s) >= 10 {
		if d, err := bloc.ParseDate(s[:10]); err == nil && d.Precision == bloc.PrecisionDay {
			return d
		}
	}
	return bloc.Date{}
}

// textBlocks splits plain text into paragraphs: at blank lines when it has
// any (lines inside a paragraph are joined), else at every line.
func textBlocks(s string) []block {
	var out []block
	if strings.Contains(s, "\n\n") {
		for _, p := range regexp.MustCompile(`\n\s*\n`).Split(s, -1) {
			if t := strings.Join(strings.Fields(p), " "); t != "" {
				out = append(out, block{text: t})
			}
		}
		return out
	}
	for _, l := range strings.Split(s, "\n") {
		if t := strings.Join(strings.Fields(l), " "); t != "" {
			out = append(out, block{text: t})
		}
	}
	return out
}

// chromeWords are whole lines of page furniture.
var chromeWords = map[string]bool{
	"all news": true, "news": true, "home": true, "menu": true, "share": true, "share this": true,
	"share this article": true, "read more": true, "read also": true, "see also": true, "related": true,
	"related news": true, "related articles": true, "subscribe": true, "sign in": true, "log in": true,
	"login": true, "follow us": true, "advertisement": true, "tags": true, "print": true, "comments": true,
	"email": true, "e-mail": true, "copy link": true, "back to top": true, "skip to content": true,
	"skip to main content": true, "privacy policy": true, "cookie policy": true, "terms of use": true,
	"contact us": true, "about us": true, "more": true, "latest news": true, "top stories": true,
	"most read": true, "search": true, "close": true, "next": true, "previous": true, "world": true,
	"politics": true, "opinion": true, "video": true, "photo": true, "live": true, "breaking": true,
	"listen": true, "save": true, "accept cookies": true,
}

var shareWords = map[string]bool{
	"share": true, "facebook": true, "twitter": true, "x": true, "telegram": true, "vk": true,
	"whatsapp": true, "linkedin": true, "email": true, "e-mail": true, "reddit": true, "copy": true,
	"link": true, "print": true, "ok": true, "viber": true, "pinterest": true, "tweet": true,
}

// isChromeLine recognises a paragraph that is page furniture: a known
// navigation or share label, a copyright line, a row of share buttons, or a
// short label that names no bloc, state or date.
func isChromeLine(s string) bool {
	l := strings.ToLower(strings.Trim(s, " |·•>»"))
	if chromeWords[l] {
		return true
	}
	if strings.HasPrefix(l, "©") || strings.HasPrefix(l, "(c) ") || strings.HasPrefix(l, "copyright") ||
		strings.Contains(l, "all rights reserved") {
		return true
	}
	words := strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '|' || r == '/' || r == '·' || r == '•' })
	allShare := len(words) > 0
	for _, w := range words {
		if !shareWords[w] {
			allShare = false
			break
		}
	}
	if allShare {
		return true
	}
	if len(words) <= 3 && !strings.ContainsAny(s, ".!?0123456789") && !namesSomething(s) {
		return true
	}
	return false
}

// namesSomething reports whether s mentions a bloc or a state by name.
func namesSomething(s string) bool {
	toks := tokenize(s)
	for i := range toks {
		if _, n := matchPhrase(toks, i); n > 0 {
			return true
		}
	}
	return false
}

// firstWeekday finds the first weekday the text names ("on Friday").
func firstWeekday(s string) (time.Weekday, bool) {
	for _, t := range tokenize(s) {
		if wd, ok := weekdayNames[t.lower]; ok && isCapital(t.text) {
			return wd, true
		}
	}
	return 0, false
}

// latestYear is the latest four-digit year the text mentions.
func latestYear(s string) int {
	y := 0
	for _, t := range tokenize(s) {
		if n, ok := yearNumber(t); ok && n > y {
			y = n
		}
	}
	return y
}
