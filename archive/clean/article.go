package clean

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Article removes the clutter from the article node readability picked and returns what
// it removed. It fills meta's empty fields from the byline and date lines it removes.
// keep lists the paths of removals not to make.
func Article(article *html.Node, meta *Meta, keep ...string) []Removal {
	if article == nil {
		return nil
	}
	c := newCleaner("article", article, keep)
	c.textLen = textLen(article, nil)
	c.markers(article)
	c.nestedArticles()
	c.hoverCards(article)
	if dropCaptions {
		c.captions(article)
	}
	// The leaf blocks are found once; the rules below skip those marked on the way.
	blocks := c.leafBlocks(c.root)
	whole := wholeBlocks(blocks)
	c.sections(whole)
	c.blocks(blocks, meta)
	c.companyBoilerplate(whole)
	return c.sweep()
}

// markers marks the elements whose class, id or role say they are clutter, top down,
// unless they hold the article or a large share of its text.
func (c *cleaner) markers(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || skippedText[ch.Data] || c.marked[ch].ok() {
			continue
		}
		m, sys := c.markerOf(ch)
		if m == markComments && !c.holdsArticle(ch, true) && hasContent(ch) {
			if c.remove(ch, "comments/marker", commentReason(sys)) {
				continue
			}
		}
		if m != markNone && m != markComments && c.safeMarker(ch, m) {
			r := markerRule[m]
			if m == markCredit && !inside(ch, "figure", "figcaption") && copyrightRe.MatchString(textOf(ch, c)) {
				r = [2]string{vCopyright.rule, vCopyright.reason}
			}
			if c.remove(ch, r[0], r[1]) {
				continue
			}
		}
		if isCommentForm(ch) && !c.holdsArticle(ch, true) && c.remove(ch, "comments/form", "comment form") {
			continue
		}
		c.markers(ch)
	}
}

// markerLimit is the most words a node removed for its marker may hold.
var markerLimit = map[marker]int{
	markRelated: 400, markShare: 40, markNewsletter: 120, markSearch: 40, markBreadcrumb: 40,
	markTags: 80, markAuthorBio: 200, markCookie: 150, markAd: 30, markCredit: 20,
	markPrintOnly: 40,
}

// safeMarker reports whether n, marked m by its attributes, may go whole.
func (c *cleaner) safeMarker(n *html.Node, m marker) bool {
	if n.Data == "body" || n.Data == "main" || n.Data == "article" || c.holdsArticle(n, false) {
		return false
	}
	t := textLen(n, c)
	if t == 0 {
		// Nothing to read: an empty ad slot or share bar. Leave it; it costs nothing and
		// may hold an image.
		return false
	}
	if t*10 > c.textLen*4 {
		return false
	}
	text := collapse(textOf(n, c))
	if len(strings.Fields(text)) > markerLimit[m] {
		return false
	}
	switch m {
	case markCredit:
		return inside(n, "figure", "figcaption") || creditRe.MatchString(text) || copyrightRe.MatchString(text)
	case markRelated:
		// Links to other pages, not prose; teaser cards often link with an empty
		// anchor laid over the card.
		return linkDensity(n, c) >= 0.3 || hasPageLink(n) && !c.hasProse(n)
	case markTags, markBreadcrumb:
		// Lists of links, not prose.
		return linkDensity(n, c) >= 0.3 || m == markTags && tagsRe.MatchString(text)
	}
	return !c.hasProse(n)
}

// hasProse reports whether n holds a paragraph of ordinary prose: many words, few links.
func (c *cleaner) hasProse(n *html.Node) bool {
	for _, b := range c.leafBlocks(n) {
		if b.words >= 50 && b.density < 0.3 {
			return true
		}
	}
	return false
}

// A block is a leaf block element of the article and what the rules need to know of it.
type block struct {
	n       *html.Node
	text    string
	words   int
	density float64 // share of the text inside links
	links   int
	heading bool
	// inline marks an inline element standing alone among blocks: only the byline and
	// date rules read it.
	inline bool
}

// wholeBlocks returns the blocks that are block elements, leaving out the inline ones.
func wholeBlocks(blocks []block) []block {
	return slices.DeleteFunc(slices.Clone(blocks), func(b block) bool { return b.inline })
}

// leafBlocks returns the unmarked block elements under n that hold text but no other
// block element, in document order. An inline element standing alone between the blocks
// of its container (<div><h2>…</h2><span>Updated …</span><p>…</p></div>) counts as a
// block too.
func (c *cleaner) leafBlocks(n *html.Node) []block {
	var out []block
	var walk func(e *html.Node) bool
	// walk reports whether e holds a block element.
	walk = func(e *html.Node) bool {
		hasBlock := false
		// The run of inline content since the last block: its one element, if it has
		// only one and no text of its own.
		var lone *html.Node
		elems, text := 0, false
		type at struct {
			i int
			n *html.Node
		}
		var alone []at
		endRun := func() {
			if elems == 1 && !text {
				alone = append(alone, at{len(out), lone})
			}
			lone, elems, text = nil, 0, false
		}
		for ch := e.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.TextNode {
				text = text || strings.TrimSpace(ch.Data) != ""
				continue
			}
			if ch.Type != html.ElementNode || skippedText[ch.Data] {
				continue
			}
			if c.marked[ch].ok() {
				if blockTags[ch.Data] {
					hasBlock = true
					endRun()
				}
				continue
			}
			inner := walk(ch)
			switch {
			case blockTags[ch.Data] || ch.Data == "img":
				hasBlock = true
				endRun()
				if !inner && ch.Data != "img" {
					if b, ok := c.makeBlock(ch); ok {
						out = append(out, b)
					}
				}
			case inner:
				hasBlock = true
				endRun()
			default:
				elems++
				lone = ch
			}
		}
		endRun()
		if hasBlock {
			for k := len(alone) - 1; k >= 0; k-- {
				if b, ok := c.makeBlock(alone[k].n); ok {
					b.inline = true
					out = slices.Insert(out, alone[k].i, b)
				}
			}
		}
		return hasBlock
	}
	walk(n)
	return out
}

func (c *cleaner) makeBlock(n *html.Node) (block, bool) {
	// One walk gathers the text, the letters and the letters inside links.
	var text collapser
	letters, linked := 0, 0
	b := block{n: n, heading: isHeading(n)}
	var walk func(e *html.Node, inLink bool)
	walk = func(e *html.Node, inLink bool) {
		for ch := e.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.Type {
			case html.TextNode:
				text.write(ch.Data)
				k := countAlnum(ch.Data)
				letters += k
				if inLink {
					linked += k
				}
			case html.ElementNode:
				if skippedText[ch.Data] || c.marked[ch].ok() {
					continue
				}
				link := inLink
				if ch.Data == "a" && !inLink && attr(ch, "href") != "" {
					b.links++
					link = true
				}
				if ch.Data == "br" || blockTags[ch.Data] {
					text.write(" ")
				}
				walk(ch, link)
				if blockTags[ch.Data] {
					text.write(" ")
				}
			}
		}
	}
	walk(n, false)
	b.text = text.b.String()
	if b.text == "" {
		return block{}, false
	}
	b.words = strings.Count(b.text, " ") + 1
	if letters > 0 {
		b.density = float64(linked) / float64(letters)
	}
	return b, true
}

func linkDensity(n *html.Node, c *cleaner) float64 {
	total := textLen(n, c)
	if total == 0 {
		return 0
	}
	linked := 0
	var walk func(e *html.Node)
	walk = func(e *html.Node) {
		for ch := e.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode || (c != nil && c.marked[ch].ok()) {
				continue
			}
			if ch.Data == "a" {
				linked += textLen(ch, c)
				continue
			}
			walk(ch)
		}
	}
	walk(n)
	return float64(linked) / float64(total)
}

// isProse reports whether a block reads as a paragraph of the article.
func (b block) isProse() bool {
	return b.words >= 20 && b.density < 0.5 && !b.heading
}

// sections removes a heading that opens a comment section, a related-articles list or an
// about-the-company footer, together with what the heading introduces.
func (c *cleaner) sections(blocks []block) {
	for i, b := range blocks {
		if b.words > 30 || c.isMarked(b.n) {
			continue
		}
		lower := strings.ToLower(b.text)
		fw := firstWord(lower)
		comment := (commentFirst[fw] || fw == "") && commentHeadingRe.MatchString(b.text)
		related := !comment && b.words <= 8 && relatedFirst[fw] && relatedHeadingRe.MatchString(b.text)
		about := !comment && !related && aboutFirst[fw] && aboutHeadingRe.MatchString(b.text)
		if !comment && !related && !about || !b.heading && !isPseudoHeading(b) {
			continue
		}
		switch {
		case comment:
			c.commentSection(blocks, i)
		case related:
			c.relatedSection(blocks, i)
		case about:
			c.aboutSection(blocks, i)
		}
	}
}

var aboutFirst = wordSet("about über acerca sobre à a")

// isPseudoHeading reports whether a block is a heading in all but name: a short line all
// in bold, or all in capitals.
func isPseudoHeading(b block) bool {
	if b.words > 10 || strings.HasSuffix(b.text, ".") {
		return false
	}
	if b.n.Data == "dt" || b.n.Data == "strong" || b.n.Data == "b" {
		return true
	}
	bold := textLen(b.n, nil)
	var walk func(e *html.Node) int
	walk = func(e *html.Node) int {
		sum := 0
		for ch := e.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			if ch.Data == "strong" || ch.Data == "b" {
				sum += textLen(ch, nil)
				continue
			}
			sum += walk(ch)
		}
		return sum
	}
	return bold > 0 && walk(b.n) == bold || upper(b.text)
}

// upper reports whether a text of some length is all capitals.
func upper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters >= 8
}

// commentSection removes the comment section that blocks[i] heads: the heading and what
// follows it in the same container, when what follows reads as comments or a comment form.
func (c *cleaner) commentSection(blocks []block, i int) {
	h := blocks[i].n
	// What follows the heading up to the end of the article.
	rest := 0
	for _, b := range blocks[i+1:] {
		rest += b.words
	}
	before := 0
	for _, b := range blocks[:i] {
		before += b.words
	}
	strong := numberRe.MatchString(blocks[i].text) || before > 0 && rest < 60
	if !strong && !looksLikeThread(blocks[i+1:]) {
		return
	}
	if before == 0 {
		// Nothing of the article before it: this is not a section at its end.
		return
	}
	c.removeFrom(h, "comments/heading", "comment section")
}

// removeFrom removes n and everything after it in its container, climbing while n is the
// first thing in its container, up to (not including) the article root.
func (c *cleaner) removeFrom(n *html.Node, rule, reason string) {
	for n.Parent != nil && n.Parent != c.root && firstContent(n.Parent) == n && !c.holdsArticle(n.Parent, false) {
		n = n.Parent
	}
	for s := n; s != nil; {
		next := s.NextSibling
		if s.Type == html.ElementNode || strings.TrimSpace(s.Data) != "" {
			c.remove(s, rule, reason)
		}
		s = next
	}
}

// firstContent returns n's first child that is an element or non-blank text.
func firstContent(n *html.Node) *html.Node {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode || ch.Type == html.TextNode && strings.TrimSpace(ch.Data) != "" {
			return ch
		}
	}
	return nil
}

// looksLikeThread reports whether blocks read as a run of comments: many of them are
// author-and-date lines, "Reply" links or "said..." lines.
func looksLikeThread(blocks []block) bool {
	signals, n := 0, 0
	for _, b := range blocks {
		n++
		if b.words <= 12 && (dateTokenRe.MatchString(b.text) || widgetRe.MatchString(b.text) || strings.HasSuffix(b.text, "said...") || strings.HasSuffix(b.text, "says:") || strings.HasPrefix(strings.ToLower(b.text), "posted by")) {
			signals++
		}
	}
	return n > 0 && signals >= 2 && signals*5 >= n
}

// relatedSection removes a related-articles heading and the link lists and teasers after it.
func (c *cleaner) relatedSection(blocks []block, i int) {
	h := blocks[i].n
	removed := false
	for _, b := range blocks[i+1:] {
		if !isLinky(b) {
			break
		}
		c.remove(b.n, "related/heading", "related articles")
		removed = true
	}
	if removed || i+1 == len(blocks) {
		c.remove(h, "related/heading", "related articles")
	}
}

func isLinky(b block) bool { return b.density >= 0.5 }

// aboutSection removes an "About <company>" heading and the paragraphs under it, when it
// stands after the article's text and the paragraphs describe what the heading names.
func (c *cleaner) aboutSection(blocks []block, i int) {
	name := strings.TrimSpace(strings.TrimRight(blocks[i].text, ":"))
	name = strings.TrimSpace(name[strings.IndexByte(name, ' ')+1:])
	lower := strings.ToLower(name)
	if lower == "the author" || lower == "the authors" {
		c.sectionUntilHeading(blocks, i, "bio/about", "author bio")
		return
	}
	before := 0
	for _, b := range blocks[:i] {
		before += b.words
	}
	if before < 50 || i+1 >= len(blocks) {
		return
	}
	// "About Acme Corp" names an organisation; "About the survey" is a section of the
	// article. The paragraph under it must describe the organisation.
	first, _ := utf8.DecodeRuneInString(name)
	if lower != "us" && lower != "the company" && !unicode.IsUpper(first) {
		return
	}
	if !companyDescRe.MatchString(blocks[i+1].text) {
		return
	}
	c.sectionUntilHeading(blocks, i, vAbout.rule, vAbout.reason)
}

// companyDescRe matches how a paragraph describes an organisation.
var companyDescRe = re(`\b(?:is|are|was)\s+(?:a|an|the|one of)\b|\bfounded\b|\bheadquartered\b|\bbased in\b|\bemploys\b|\blisted on\b`)

// sectionUntilHeading removes blocks[i] and the blocks after it up to the next heading.
func (c *cleaner) sectionUntilHeading(blocks []block, i int, rule, reason string) {
	c.remove(blocks[i].n, rule, reason)
	for _, b := range blocks[i+1:] {
		if b.heading || isPseudoHeading(b) && !pressEndRe.MatchString(b.text) {
			break
		}
		c.remove(b.n, rule, reason)
	}
}

// blocks applies the rules on the wording and links of each leaf block.
func (c *cleaner) blocks(all []block, meta *Meta) {
	blocks := make([]block, 0, len(all))
	for _, b := range all {
		if !c.isMarked(b.n) {
			blocks = append(blocks, b)
		}
	}
	first, last := -1, -1
	for i, b := range blocks {
		if b.isProse() && !b.inline {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	whole := wholeBlocks(blocks)
	firstWhole := slices.IndexFunc(whole, block.isProse)
	c.teasers(whole, firstWhole)
	c.breadcrumbs(whole, firstWhole)
	for i, b := range blocks {
		if c.isMarked(b.n) || b.n.Data == "td" || b.n.Data == "th" || inside(b.n, "table") {
			continue
		}
		pos := posBody
		switch {
		case first < 0 || i < first:
			pos = posHead
		case i > last:
			pos = posTail
		}
		if pos == posHead && meta != nil && b.heading && repeatsTitle(b.text, meta.Title) {
			c.remove(b.n, "meta/title", "the headline, shown as the title")
			continue
		}
		if pos == posHead && meta != nil && b.words <= 12 && sameByline(b.text, meta.Byline) {
			c.remove(b.n, vByline.rule, vByline.reason)
			continue
		}
		if !b.inline && isTeaserList(b) {
			c.remove(b.n, "related/heading", "related articles")
			continue
		}
		v := textVerdict(b.text, pos)
		if b.inline && v != vByline {
			continue
		}
		switch v {
		case verdict{}:
			if r := c.linkTeaser(b); r.ok() {
				c.remove(b.n, r.rule, r.reason)
			}
			continue
		case vRelated:
			if b.density < 0.4 {
				continue
			}
		case vRelatedHd, vComment:
			// Headings of sections are handled with their sections; a lone one goes.
			if !b.heading && !isPseudoHeading(b) && b.words > 6 {
				continue
			}
		case vByline:
			if meta != nil {
				if meta.Byline == "" {
					meta.Byline = bylineOf(b.text)
				}
				if meta.Published.IsZero() {
					meta.Published = dateOf(b.text)
				}
			}
		case vChrome:
			if b.heading && b.words > 1 {
				continue
			}
		}
		c.remove(b.n, v.rule, v.reason)
	}
	c.captionCredits()
}

// repeatsTitle reports whether a heading's text is the title, or the title less the
// site's name after a separator ("Headline | Site").
func repeatsTitle(heading, title string) bool {
	h, t := plainText(heading), plainText(title)
	if h == "" || t == "" {
		return false
	}
	if h == t {
		return true
	}
	rest, ok := strings.CutPrefix(t, h)
	if !ok {
		return false
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", ": ", " · "} {
		if strings.HasPrefix(rest, sep) {
			return true
		}
	}
	return false
}

// sameByline reports whether a line is the byline the page's metadata gives, with or
// without its "By".
func sameByline(line, byline string) bool {
	strip := func(s string) string {
		s = plainText(s)
		return strings.TrimSpace(strings.TrimPrefix(s, "by "))
	}
	b := strip(byline)
	return b != "" && strip(line) == b
}

// plainText lower-cases s, collapses its spaces and straightens its quotes, for texts
// to be compared.
func plainText(s string) string { return strings.ToLower(collapse(straightQuotes.Replace(s))) }

var straightQuotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// isTeaserList reports whether a block is a related-articles heading with its teasers in
// one paragraph, a line each ("DON'T MISS<br>Headline one<br>Headline two"): the first
// line is a related heading set in bold or in capitals, and each other line reads as a
// headline, short and without a full stop.
func isTeaserList(b block) bool {
	if b.words > 120 || !relatedFirst[firstWord(strings.ToLower(b.text))] || !relatedLeadRe.MatchString(b.text) {
		return false
	}
	lines := breakLines(b.n)
	if len(lines) < 2 {
		return false
	}
	head := lines[0]
	if len(strings.Fields(head.text)) > 8 || !relatedHeadingRe.MatchString(head.text) || !head.bold && !upper(head.text) {
		return false
	}
	for _, l := range lines[1:] {
		if len(strings.Fields(l.text)) > 25 || strings.HasSuffix(l.text, ".") {
			return false
		}
	}
	return true
}

// line is a line of a block, as its <br> elements break it.
type line struct {
	text string
	bold bool // all of its text is in bold
}

// breakLines returns the lines of text of n that its <br> elements separate, leaving out
// empty ones.
func breakLines(n *html.Node) []line {
	var out []line
	var text collapser
	letters, bold := 0, 0
	end := func() {
		if t := text.b.String(); t != "" {
			out = append(out, line{text: t, bold: bold == letters})
		}
		text, letters, bold = collapser{}, 0, 0
	}
	var walk func(e *html.Node, inBold bool)
	walk = func(e *html.Node, inBold bool) {
		for ch := e.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case ch.Type == html.TextNode:
				text.write(ch.Data)
				k := countAlnum(ch.Data)
				letters += k
				if inBold {
					bold += k
				}
			case ch.Type != html.ElementNode || skippedText[ch.Data]:
			case ch.Data == "br":
				end()
			default:
				walk(ch, inBold || ch.Data == "strong" || ch.Data == "b")
			}
		}
	}
	walk(n, false)
	end()
	return out
}

// linkTeaser reports whether a block is a link to another article standing on its own:
// all of its text is one link, or it is a dense list of links.
func (c *cleaner) linkTeaser(b block) verdict {
	if b.density < 0.9 || b.words < 3 || b.heading || b.n.Data == "li" || b.n.Data == "td" || b.n.Data == "th" {
		// Linked headings head the items of lists and reviews; list items and table
		// cells are links in lists and tables.
		return verdict{}
	}
	// A sentence that is a link ("Part 1 is here.") belongs to the text; a teaser is a
	// headline, without a full stop.
	if last, _ := utf8.DecodeLastRuneInString(b.text); strings.ContainsRune(".!:;…", last) {
		return verdict{}
	}
	if b.links == 1 {
		a := findElement(b.n, "a")
		if a == nil || !isPageLink(attr(a, "href")) {
			return verdict{}
		}
	}
	return vRelated
}

// isPageLink reports whether href points to another web page (not an anchor, a file or
// an e-mail address).
func isPageLink(href string) bool {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if u.Path == "" && u.Host == "" {
		return false
	}
	p := strings.ToLower(u.Path)
	for _, ext := range []string{".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp3", ".mp4", ".zip", ".doc", ".docx", ".xls", ".xlsx", ".csv"} {
		if strings.HasSuffix(p, ext) {
			return false
		}
	}
	return true
}

// teasers removes a block near the start that repeats the article's first lines: an
// excerpt or a truncated teaser of the lead.
func (c *cleaner) teasers(blocks []block, first int) {
	for i := 0; i < len(blocks) && i <= first+2 && i < 8; i++ {
		b := blocks[i]
		if b.words < 8 || b.heading || inside(b.n, "figure", "figcaption", "table", "blockquote") {
			continue
		}
		var next []string
		for _, nb := range blocks[i+1:] {
			if len(next) >= 3 {
				break
			}
			if nb.words >= 8 {
				next = append(next, nb.text)
			}
		}
		if isTeaser(b.text, next) {
			c.remove(b.n, vTeaser.rule, vTeaser.reason)
		}
	}
}

// isTeaser reports whether text repeats the start of what follows: it is the same as the
// next block, a prefix of it, or a truncated paraphrase whose words mostly recur there.
func isTeaser(text string, next []string) bool {
	if len(next) == 0 {
		return false
	}
	t := strings.TrimRight(text, " .…")
	if strings.HasPrefix(next[0], t) && len(t) >= 40 {
		return true
	}
	// A teaser cut off in the middle of a sentence ends in a word, with no punctuation.
	last, _ := utf8.DecodeLastRuneInString(text)
	if !unicode.IsLetter(last) && !unicode.IsDigit(last) {
		return false
	}
	follow := map[string]bool{}
	for _, s := range next {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordRune) {
			follow[w] = true
		}
	}
	words := strings.FieldsFunc(strings.ToLower(text), notWordRune)
	if len(words) < 20 {
		// Shorter lines without a full stop are headings and titles, not teasers.
		return false
	}
	hit := 0
	for _, w := range words {
		if follow[w] {
			hit++
		}
	}
	return hit*10 >= len(words)*7
}

// breadcrumbs removes a trail of short links at the start of the article: several blocks
// each one short link, or one block of short links between separators.
func (c *cleaner) breadcrumbs(blocks []block, first int) {
	limit := first
	if limit < 0 {
		limit = len(blocks)
	}
	run := []block{}
	flush := func() {
		if len(run) >= 2 {
			for _, b := range run {
				c.remove(b.n, vBreadcrumb.rule, vBreadcrumb.reason)
			}
		}
		run = run[:0]
	}
	for i := 0; i < limit; i++ {
		b := blocks[i]
		if b.links == 1 && b.density >= 0.9 && b.words <= 4 && !b.heading {
			run = append(run, b)
			continue
		}
		flush()
		if b.links >= 2 && b.density >= 0.6 && b.words <= 16 && strings.ContainsAny(b.text, "»›>/|→") {
			c.remove(b.n, vBreadcrumb.rule, vBreadcrumb.reason)
		}
	}
	flush()
}

// captionCredits removes photo credits and gallery counters inside captions: elements
// and text whose whole wording is a credit, such as "(Image: Getty)".
func (c *cleaner) captionCredits() {
	var walk func(n *html.Node, inCaption bool)
	walk = func(n *html.Node, inCaption bool) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if c.marked[ch].ok() {
				continue
			}
			switch ch.Type {
			case html.ElementNode:
				if skippedText[ch.Data] {
					continue
				}
				in := inCaption || ch.Data == "figcaption" || ch.Data == "figure"
				if !blockTags[ch.Data] && ch.Data != "a" && (inCaption || ch.Data == "span" || ch.Data == "small" || ch.Data == "em" || ch.Data == "i" || ch.Data == "cite") {
					if v := creditVerdict(collapse(textOf(ch, c))); v.ok() {
						c.remove(ch, v.rule, v.reason)
						continue
					}
				}
				walk(ch, in)
			case html.TextNode:
				if inCaption {
					if v := creditVerdict(collapse(ch.Data)); v.ok() && ch.Parent != nil && strings.TrimSpace(textOf(ch.Parent, c)) != strings.TrimSpace(ch.Data) {
						c.remove(ch, v.rule, v.reason)
					}
				}
			}
		}
	}
	walk(c.root, false)
}

// creditVerdict says whether a short inline text is a photo credit or a gallery counter.
func creditVerdict(t string) verdict {
	if t == "" || len(t) > 160 {
		return verdict{}
	}
	words := strings.Fields(t)
	switch {
	case len(words) <= 16 && creditRe.MatchString(t) && !endsSentence(words[len(words)-1], len(words)):
		return vCredit
	case len(words) <= 6 && galleryRe.MatchString(t):
		return vGallery
	}
	return verdict{}
}

func notWordRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '’' && r != '“' && r != '”' && r != '—' && r != '–' && r != '…')
}

// inside reports whether n is, or is inside, one of the named elements.
func inside(n *html.Node, tags ...string) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type == html.ElementNode {
			for _, t := range tags {
				if p.Data == t {
					return true
				}
			}
		}
	}
	return false
}

// nestedArticles removes teasers of other articles that readability kept with the
// article: article elements inside it that are short and link to another page or end in
// an ellipsis, other than the longest one.
func (c *cleaner) nestedArticles() {
	var arts []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode || c.marked[ch].ok() {
				continue
			}
			if ch.Data == "article" {
				arts = append(arts, ch)
			}
			walk(ch)
		}
	}
	walk(c.root)
	if len(arts) < 2 {
		return
	}
	// How many of the articles link to each page: a teaser's link is its own, a live
	// blog's entries all link to the page they are on.
	paths := map[string]int{}
	for _, a := range arts {
		if hasArticleChild(a) {
			continue
		}
		seen := map[string]bool{}
		eachLink(a, func(l *html.Node) {
			if p := linkPath(attr(l, "href")); p != "" && !seen[p] {
				seen[p] = true
				paths[p]++
			}
		})
	}
	longest, most := (*html.Node)(nil), -1
	for _, a := range arts {
		if t := textLen(a, c); t > most && !hasArticleChild(a) {
			longest, most = a, t
		}
	}
	for _, a := range arts {
		if a == longest || hasArticleChild(a) || c.isMarked(a) {
			continue
		}
		t := textLen(a, c)
		if t == 0 || t*10 > c.textLen*4 || t >= most {
			continue
		}
		text := collapse(textOf(a, c))
		if len(strings.Fields(text)) > 150 {
			continue
		}
		// A teaser is an excerpt cut off with an ellipsis, or a headline linking to
		// the other article; a live blog's entries, which link to themselves, are
		// neither.
		if strings.HasSuffix(text, "…") || strings.HasSuffix(text, "...") || hasHeadlineLink(a) ||
			linkDensity(a, c) >= 0.5 && hasPageLink(a) || leadLink(a, paths) {
			c.remove(a, "related/article", "related article teaser")
		}
	}
}

// leadLink reports whether n's picture or headline links to a page that no other of the
// articles links to: the picture or headline of a teaser.
func leadLink(n *html.Node, paths map[string]int) bool {
	var lead *html.Node
	eachLink(n, func(l *html.Node) {
		if lead == nil && linkPath(attr(l, "href")) != "" && (findElement(l, "img") != nil ||
			findElement(l, "picture") != nil || inside(l, "h1", "h2", "h3", "h4", "h5", "h6")) {
			lead = l
		}
	})
	return lead != nil && paths[linkPath(attr(lead, "href"))] == 1
}

// eachLink calls fn with every a element under n.
func eachLink(n *html.Node, fn func(*html.Node)) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.Data == "a" {
			fn(ch)
		}
		eachLink(ch, fn)
	}
}

// linkPath is the page a link points to, without query and fragment, or "" when it
// points to no other page.
func linkPath(href string) string {
	if !isPageLink(href) {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	return u.Host + u.Path
}

// hasHeadlineLink reports whether n has a heading that is a link to another page.
func hasHeadlineLink(n *html.Node) bool {
	found := false
	var walk func(e *html.Node)
	walk = func(e *html.Node) {
		for ch := e.FirstChild; ch != nil && !found; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			if isHeading(ch) {
				a := findElement(ch, "a")
				found = a != nil && isPageLink(attr(a, "href")) && linkDensity(ch, nil) >= 0.9
				continue
			}
			walk(ch)
		}
	}
	walk(n)
	return found
}

func hasArticleChild(n *html.Node) bool {
	return findElement(n, "article") != nil
}

func hasPageLink(n *html.Node) bool {
	found := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil && !found; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && ch.Data == "a" && isPageLink(attr(ch, "href")) {
				found = true
				return
			}
			walk(ch)
		}
	}
	walk(n)
	return found
}

// hoverCards removes cards that pages show on hovering over a name: an inline element
// inside a paragraph holding an image and several links, and nothing but links.
func (c *cleaner) hoverCards(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || c.marked[ch].ok() || skippedText[ch.Data] {
			continue
		}
		if ch.Data == "span" && ch.Parent != nil && ch.Parent.Data != "figure" && findElement(ch, "img") != nil {
			links := 0
			var count func(e *html.Node)
			count = func(e *html.Node) {
				for x := e.FirstChild; x != nil; x = x.NextSibling {
					if x.Type == html.ElementNode && x.Data == "a" {
						links++
					}
					count(x)
				}
			}
			count(ch)
			if links >= 2 && linkDensity(ch, c) >= 0.95 && textLen(ch.Parent, c) > textLen(ch, c) {
				c.remove(ch, "related/hovercard", "hover card")
				continue
			}
		}
		c.hoverCards(ch)
	}
}

// companyRe matches the first sentence of a press release's description of a company.
var companyRe = re(`^(?:about\s+)?(?:the\s+)?\p{Lu}[\p{L}\d&.,'’()-]*(?:\s+[\p{Lu}\d&][\p{L}\d&.,'’()-]*){0,5}\s+(?:\([^)]{1,60}\)\s+)?(?:is|are|was|has been)\s+(?:a|an|the|one of)\b.{0,200}\b(?:provider|company|leader|manufacturer|developer|supplier|firm|organi[sz]ation|group|maker|platform|producer|operator|publisher|agency|network|bank|insurer|retailer|distributor|specialist|pioneer|innovator|institution|association|foundation|nonprofit|non-profit|charity|brand|business|corporation|consultancy|partner|trust)\b`)

// companyBoilerplate removes the description of the company that ends a press release:
// after a horizontal rule, a run of final paragraphs that starts "<Company> is a …".
func (c *cleaner) companyBoilerplate(blocks []block) {
	total := 0
	for _, b := range blocks {
		total += b.words
	}
	seen := 0
	for i, b := range blocks {
		seen += b.words
		if seen*10 < total*5 || c.isMarked(b.n) || !afterRule(b.n) || !companyRe.MatchString(b.text) {
			continue
		}
		for _, r := range blocks[i:] {
			if r.heading {
				break
			}
			c.remove(r.n, vAbout.rule, vAbout.reason)
		}
		return
	}
}

// afterRule reports whether a horizontal rule comes just before n: as its previous
// element, or as the previous element of an ancestor that n opens.
func afterRule(n *html.Node) bool {
	for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
		prev := e.PrevSibling
		for prev != nil && (prev.Type != html.ElementNode && strings.TrimSpace(prev.Data) == "" || prev.Type == html.ElementNode && prev.Data == "br" || prev.Type == html.ElementNode && prev.Data == "p" && textLen(prev, nil) == 0) {
			prev = prev.PrevSibling
		}
		if prev != nil {
			return prev.Type == html.ElementNode && prev.Data == "hr"
		}
	}
	return false
}

// dropCaptions says whether image captions are removed. Benchmarks of article extraction
// count a caption as outside the article's body (on the extraction corpus, removing them
// takes F1 from 0.971 to 0.981); each removed caption is listed and can be restored.
const dropCaptions = true

// captionWords are the class and id words of a caption.
var captionWords = map[string]bool{"caption": true, "captions": true, "figcaption": true, "legend": true, "cutline": true, "wp-caption-text": true}

// captions removes the captions of images: figcaption elements and elements whose class
// says they are a caption, next to an image.
func (c *cleaner) captions(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || c.marked[ch].ok() || skippedText[ch.Data] {
			continue
		}
		if ch.Data == "figcaption" || isCaptionClass(ch) && (inside(ch, "figure") || nearImage(ch)) {
			if textLen(ch, c) > 0 && len(strings.Fields(textOf(ch, c))) <= 80 {
				c.remove(ch, "caption/image", "image caption")
				continue
			}
		}
		c.captions(ch)
	}
}

func isCaptionClass(n *html.Node) bool {
	found := false
	for _, a := range n.Attr {
		if a.Namespace == "" && (a.Key == "class" || a.Key == "id") && a.Val != "" {
			lower := strings.ToLower(a.Val)
			if len(lower) != len(a.Val) {
				lower = a.Val
			}
			eachWord(a.Val, lower, func(w string) { found = found || captionWords[w] })
		}
	}
	return found
}

// nearImage reports whether an image is n's neighbour, or its parent's.
func nearImage(n *html.Node) bool {
	for _, e := range []*html.Node{n, n.Parent} {
		if e == nil {
			continue
		}
		for _, s := range []*html.Node{e.PrevSibling, e.NextSibling, e.Parent} {
			for s != nil && s.Type == html.TextNode && strings.TrimSpace(s.Data) == "" {
				s = s.PrevSibling
			}
			if s != nil && s.Type == html.ElementNode && (s.Data == "img" || s.Data == "picture" || findElement(s, "img") != nil) {
				return true
			}
		}
	}
	return false
}
