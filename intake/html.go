package intake

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// looksLikeHTML decides whether raw is a web page rather than plain text:
// it opens with a tag or a doctype, or carries common structural tags.
func looksLikeHTML(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return false
	}
	head := strings.ToLower(string(t[:min(len(t), 4096)]))
	if strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") {
		return true
	}
	n := 0
	for _, tag := range []string{"<p>", "<p ", "<div", "<body", "<br", "<h1", "<article", "<span", "</a>"} {
		if strings.Contains(head, tag) {
			n++
		}
	}
	return t[0] == '<' && n > 0 || n >= 2
}

// block is one paragraph of a page, with what the markup says about it.
type block struct {
	text     string
	headline bool // an h1
	lead     bool // marked as a lead, standfirst or summary
}

// pageMeta is what a page's head says about the article.
type pageMeta struct {
	title, published, url, publisher string
}

// chromeElements never hold article text.
var chromeElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true,
	atom.Nav: true, atom.Footer: true, atom.Aside: true, atom.Form: true, atom.Button: true,
	atom.Iframe: true, atom.Select: true, atom.Menu: true, atom.Head: true,
}

// chromeMarks in a class, id or role mark page furniture.
var chromeMarks = []string{
	"nav", "menu", "share", "social", "breadcrumb", "footer", "related", "comment", "advert", "promo",
	"cookie", "subscribe", "newsletter", "banner", "sidebar", "toolbar", "tags", "read-more", "readmore",
}

var leadMarks = []string{"lead", "standfirst", "summary", "subtitle", "intro", "dek", "excerpt"}

// blockElements start a new paragraph.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Li: true, atom.Blockquote: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Ul: true, atom.Ol: true,
	atom.Main: true, atom.Pre: true, atom.Dd: true, atom.Dt: true, atom.Figure: true, atom.Table: true,
}

// htmlBlocks strips a page down to its article's paragraphs: scripts,
// styles, navigation, menus, share buttons, asides and footers are dropped;
// when the page has an <article>, only it (and its headline) is read.
func htmlBlocks(raw []byte) ([]block, pageMeta) {
	doc, err := html.Parse(bytes.NewReader(raw))
	var meta pageMeta
	if err != nil {
		return nil, meta
	}
	readMeta(doc, &meta)
	root := find(doc, atom.Article)
	if root == nil {
		if root = find(doc, atom.Main); root == nil {
			if root = find(doc, atom.Body); root == nil {
				root = doc
			}
		}
	}
	var blocks []block
	var cur strings.Builder
	curHead, curLead := false, false
	flush := func() {
		t := strings.Join(strings.Fields(cur.String()), " ")
		if t != "" {
			blocks = append(blocks, block{text: t, headline: curHead, lead: curLead})
		}
		cur.Reset()
		curHead, curLead = false, false
	}
	var walk func(n *html.Node, head, lead bool)
	walk = func(n *html.Node, head, lead bool) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			curHead = curHead || head
			curLead = curLead || lead
			return
		case html.ElementNode:
			if chromeElements[n.DataAtom] || isChrome(n) {
				return
			}
			if n.DataAtom == atom.Header && find(n, atom.H1) == nil {
				return
			}
			if n.DataAtom == atom.Br {
				cur.WriteByte(' ')
				return
			}
			if n.DataAtom == atom.H1 {
				head = true
			}
			if hasMark(n, leadMarks) {
				lead = true
			}
		}
		isBlock := n.Type == html.ElementNode && blockElements[n.DataAtom]
		if isBlock {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, head, lead)
		}
		if isBlock {
			flush()
		}
	}
	// The headline may sit outside the <article>.
	if h := find(doc, atom.H1); h != nil && !contains(root, h) {
		walk(h, true, false)
		flush()
	}
	walk(root, false, false)
	flush()
	return blocks, meta
}

func readMeta(doc *html.Node, m *pageMeta) {
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				key := strings.ToLower(attr(n, "property") + attr(n, "name") + attr(n, "itemprop"))
				val := attr(n, "content")
				switch key {
				case "article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date", "og:published_time":
					if m.published == "" {
						m.published = val
					}
				case "og:title":
					m.title = val
				case "og:url":
					m.url = val
				case "og:site_name":
					m.publisher = val
				}
			case atom.Time:
				if m.published == "" && (hasAttr(n, "pubdate") || strings.EqualFold(attr(n, "itemprop"), "datepublished")) {
					m.published = attr(n, "datetime")
				}
			case atom.Title:
				if m.title == "" && n.FirstChild != nil {
					m.title = strings.TrimSpace(n.FirstChild.Data)
				}
			case atom.Link:
				if attr(n, "rel") == "canonical" && m.url == "" {
					m.url = attr(n, "href")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func isChrome(n *html.Node) bool {
	switch strings.ToLower(attr(n, "role")) {
	case "navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "search":
		return true
	}
	if strings.EqualFold(attr(n, "aria-hidden"), "true") || hasAttr(n, "hidden") {
		return true
	}
	return hasMark(n, chromeMarks)
}

// hasMark reports whether one of n's class names or its id contains a mark
// as a whole word-part ("share-buttons" has "share"; "unshared" does not).
func hasMark(n *html.Node, marks []string) bool {
	names := strings.Fields(strings.ToLower(attr(n, "class") + " " + attr(n, "id")))
	for _, name := range names {
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
			for _, m := range marks {
				if part == m || part == m+"s" {
					return true
				}
			}
		}
	}
	return false
}

func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}

func contains(root, n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == root {
			return true
		}
	}
	return false
}
