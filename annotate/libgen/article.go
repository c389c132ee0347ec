package libgen

import (
	"html"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gloss/archive"
	"gloss/archive/doc"
)

// epoch is the generated library's "now": every article was saved before it, so that a
// seed gives the same dates on every run.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// generated is one article before it is stored: the capture, when it was saved, its
// document (to place highlights in) and the random stream its annotations are drawn from.
type generated struct {
	key     string
	capture archive.Capture
	added   time.Time
	doc     *doc.Document
	rng     *rand.Rand
	// highlights is how many highlights it gets; -1 means the usual random share.
	highlights int
}

// article generates article i of the library.
func (g *generator) article(i int) generated {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	base := g.sources[rng.IntN(len(g.sources))]
	// Word counts of saved articles are roughly log-normal: most a few hundred to two
	// thousand words, a tail of long reads.
	words := int(math.Exp(6.7 + 0.75*rng.NormFloat64()))
	words = min(max(words, 120), 9000)
	return g.build(rng, i, base, words, -1)
}

// fixture generates one of the fixed articles the benchmarks open and export: English
// prose of f.Words words (as doc.WordCount counts them; at most 1% fewer).
func (g *generator) fixture(f Fixture, n int) generated {
	rng := rand.New(rand.NewPCG(g.seed, uint64(1)<<62+uint64(n)))
	var english []source
	for _, s := range g.sources {
		if s.lang == "en" {
			english = append(english, s)
		}
	}
	if len(english) == 0 {
		english = g.sources
	}
	a := g.build(rng, -1, english[rng.IntN(len(english))], f.Words, f.Highlights)
	a.key = f.URL
	a.capture.RequestedURL, a.capture.FinalURL = f.URL, f.URL
	return a
}

// build writes an article of about words words on base's site, its paragraphs taken from
// base and from other pages in the same script, shuffled.
func (g *generator) build(rng *rand.Rand, i int, base source, words, highlights int) generated {
	paras := g.paragraphs(rng, base, words, highlights >= 0)
	title := phrase(rng, paras[rng.IntN(len(paras))], 5, 12, 90)
	published := epoch.AddDate(0, 0, -1-rng.IntN(14*365))
	added := published.Add(time.Duration(rng.Int64N(int64(400 * 24 * time.Hour))))
	if added.After(epoch) {
		added = epoch.Add(-time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
	}
	var pub *time.Time
	if rng.IntN(10) > 0 {
		pub = &published
	}
	byline := ""
	if rng.IntN(5) > 0 {
		byline = firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
	}
	key := "https://" + base.host + "/" + published.Format("2006/01/02") + "/" + slug(title) + "-" + strconv.Itoa(i+1)

	// The layout (headings, links, lists) is drawn from a stream of its own, so that a
	// fixture's text can be laid out again, the same way, after its last paragraph is cut
	// to make up for the words the headings add.
	layoutSeed := rng.Uint64()
	var cleaned string
	var d *doc.Document
	for try := 0; ; try++ {
		cleaned = cleanedHTML(rand.New(rand.NewPCG(layoutSeed, 0)), base.host, paras)
		d = doc.Parse(cleaned)
		over := doc.WordCount(d.Text) - words
		if highlights < 0 || over <= 0 || try == 10 {
			break
		}
		last := paras[len(paras)-1]
		if cut := firstWords(last, doc.WordCount(last)-over); cut != "" {
			paras[len(paras)-1] = cut
		} else {
			paras = paras[:len(paras)-1]
		}
	}
	c := archive.Capture{
		RequestedURL: key,
		FinalURL:     key,
		FetchedAt:    added,
		HTTPStatus:   200,
		ContentType:  "text/html; charset=utf-8",
		RawHTML:      rawPage(base, title, byline, cleaned),
		RawCharset:   "utf-8",
		CleanedHTML:  cleaned,
		Text:         d.Text,
		Title:        title,
		Byline:       byline,
		SiteName:     base.host,
		Published:    pub,
		Lang:         base.lang,
		Excerpt:      cut(paras[0], 200),
		WordCount:    doc.WordCount(d.Text),
	}
	return generated{key: key, capture: c, added: added, doc: d, rng: rng, highlights: highlights}
}

// paragraphs picks the paragraphs of an article: base's own, the lead first and the rest
// shuffled, then paragraphs of other pages in the same script until there are enough
// words. exact trims the last paragraph so that the article has words words.
func (g *generator) paragraphs(rng *rand.Rand, base source, words int, exact bool) []string {
	order := rng.Perm(len(base.paras) - 1)
	var donors []source
	for _, s := range g.sources {
		if s.latin == base.latin && (s.latin || s.lang == base.lang) {
			donors = append(donors, s)
		}
	}
	var out []string
	n := 0
	add := func(s source, k int) bool {
		p, w := s.paras[k], s.words[k]
		if exact && n+w > words {
			p = firstWords(p, words-n)
			w = doc.WordCount(p)
		}
		if p != "" {
			out = append(out, p)
			n += w
		}
		return n >= words
	}
	if add(base, 0) {
		return out
	}
	for _, k := range order {
		if add(base, k+1) {
			return out
		}
	}
	for len(donors) > 0 {
		d := donors[rng.IntN(len(donors))]
		if add(d, rng.IntN(len(d.paras))) {
			break
		}
	}
	return out
}

// cleanedHTML lays paragraphs out as the cleaned HTML of a capture, as the extractor
// leaves it: section headings, links, emphasis, the odd block quote and list.
func cleanedHTML(rng *rand.Rand, host string, paras []string) string {
	var b strings.Builder
	b.WriteString(`<div id="readability-page-1"><article>`)
	nextHeading := 4 + rng.IntN(5)
	for j, p := range paras {
		if j == nextHeading && j+1 < len(paras) {
			b.WriteString("<h2>")
			b.WriteString(html.EscapeString(phrase(rng, paras[j+1], 2, 7, 70)))
			b.WriteString("</h2>\n")
			nextHeading += 4 + rng.IntN(5)
		}
		switch k := rng.IntN(24); {
		case k == 0:
			b.WriteString("<blockquote><p>")
			inline(&b, rng, host, p)
			b.WriteString("</p></blockquote>\n")
		case k == 1 && strings.Count(p, ". ") >= 2:
			b.WriteString("<ul>")
			for _, s := range strings.SplitAfter(p, ". ") {
				if s = strings.TrimSpace(s); s != "" {
					b.WriteString("<li>")
					inline(&b, rng, host, s)
					b.WriteString("</li>")
				}
			}
			b.WriteString("</ul>\n")
		default:
			b.WriteString("<p>")
			inline(&b, rng, host, p)
			b.WriteString("</p>\n")
		}
	}
	b.WriteString("</article></div>")
	return b.String()
}

// inline writes a paragraph's text with a link, emphasis or strong words here and there.
func inline(b *strings.Builder, rng *rand.Rand, host, p string) {
	words := strings.Split(p, " ")
	for k := 0; k < len(words); k++ {
		if k > 0 {
			b.WriteByte(' ')
		}
		switch r := rng.IntN(60); {
		case r == 0 && k+3 < len(words):
			n := 2 + rng.IntN(3)
			b.WriteString(`<a href="https://` + host + "/topic/" + slug(strings.Join(words[k:k+n], " ")) + `">`)
			b.WriteString(html.EscapeString(strings.Join(words[k:k+n], " ")))
			b.WriteString("</a>")
			k += n - 1
		case r == 1:
			b.WriteString("<em>" + html.EscapeString(words[k]) + "</em>")
		case r == 2:
			b.WriteString("<strong>" + html.EscapeString(words[k]) + "</strong>")
		default:
			b.WriteString(html.EscapeString(words[k]))
		}
	}
}

// rawPage makes the page a capture was "fetched" as: the start of a real page's head, site
// chrome and the article.
func rawPage(base source, title, byline, cleaned string) []byte {
	var b strings.Builder
	b.Grow(len(base.head) + len(cleaned) + 1024)
	b.WriteString(`<!DOCTYPE html><html lang="` + base.lang + `"><head><meta charset="utf-8"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title>")
	b.WriteString(base.head)
	b.WriteString(`</head><body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/opinion">Opinion</a> <a href="/subscribe">Subscribe</a></nav></header><main><h1>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString("</h1>")
	if byline != "" {
		b.WriteString(`<p class="byline">By ` + html.EscapeString(byline) + "</p>")
	}
	b.WriteString(cleaned)
	b.WriteString(`<aside class="related"><h3>More stories</h3><ul><li><a href="/a">Read more</a></li></ul></aside></main><footer>© ` + html.EscapeString(base.host) + `</footer></body></html>`)
	return []byte(b.String())
}

// phrase takes from min to max words of p, starting at a random word, as a title or a
// heading: first letter upper case, no trailing punctuation, at most maxLen bytes. Text
// without spaces (Chinese, Japanese) gives a run of characters instead.
func phrase(rng *rand.Rand, p string, minWords, maxWords, maxLen int) string {
	words := strings.Fields(p)
	var s string
	if len(words) < minWords {
		s = cut(p, maxLen/3)
	} else {
		n := minWords + rng.IntN(maxWords-minWords+1)
		n = min(n, len(words))
		start := rng.IntN(len(words) - n + 1)
		s = strings.Join(words[start:start+n], " ")
	}
	s = strings.TrimRightFunc(cut(s, maxLen), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	s = strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	if s == "" {
		return "Untitled"
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// cut shortens s to at most n bytes, at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// firstWords returns the first n words of p (as doc.WordCount counts them), cut before
// the word that would be one too many.
func firstWords(p string, n int) string {
	if n <= 0 {
		return ""
	}
	fields := strings.Fields(p)
	lo, hi := 0, len(fields)
	for lo < hi { // the fewest fields holding n words
		mid := (lo + hi) / 2
		if doc.WordCount(strings.Join(fields[:mid], " ")) >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return strings.Join(fields[:lo], " ")
}

// slug makes an address path segment of a title: lower-case ASCII letters and digits
// joined by hyphens, at most eight words.
func slug(s string) string {
	var words []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words = append(words, f)
		if len(words) == 8 {
			break
		}
	}
	if len(words) == 0 {
		return "article"
	}
	return strings.Join(words, "-")
}

var (
	firstNames = []string{
		"Ada", "Amara", "Ben", "Carlos", "Chen", "Dara", "Elena", "Farah", "Grace", "Hiro", "Ines",
		"Jonas", "Kemi", "Lars", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomás",
		"Uma", "Victor", "Wen", "Yusuf", "Zofia",
	}
	lastNames = []string{
		"Abara", "Becker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
		"Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
		"Rossi", "Santos", "Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang",
	}
)
