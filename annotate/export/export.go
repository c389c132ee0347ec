// Package export writes annotated copies of saved articles: Markdown for note-taking apps
// (Obsidian, Logseq), PDF with real highlight annotations, and a self-contained HTML page.
//
// Every exporter lays the article out from its canonical document (gloss/archive/doc): the
// blocks and styled runs over the canonical text that highlights are anchored to. Owning the
// layout is what makes highlight marks exact: a highlight is a byte range of Doc.Text, and
// each exporter places its mark on exactly those bytes, whatever the styles underneath.
//
// Rules shared by the exporters:
//
//   - Highlights are numbered 1, 2, … in reading order (by start, then end, then ID), and
//     orphaned highlights (Start and End -1) after them in the order given. The number is
//     the footnote label [^hl-N] in Markdown, the anchor hl-N in HTML and the entry number
//     of the PDF notes appendix.
//   - A highlight whose range falls outside the text is clamped to it and widened to whole
//     characters; one that covers no visible character is treated as orphaned. Orphaned
//     highlights appear only in the Markdown digest and the PDF and HTML notes, never
//     inline.
//   - Links are kept only for absolute http, https and mailto addresses; other links keep
//     their text and lose the address.
//   - Images come only from Article.Image (the stored copies); nothing is ever fetched.
package export

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gloss/archive/doc"
)

// Article is an article as exporters see it: its metadata and its canonical document.
type Article struct {
	ID        int64
	Title     string
	Byline    string
	Site      string
	URL       string
	Published *time.Time
	Saved     time.Time
	Tags      []string
	Note      string // the article's own note, Markdown
	Doc       *doc.Document
	// HTML is the sanitised cleaned HTML that Doc was parsed from.
	HTML string
	// Image returns a stored image by the src of an Image block. It never touches the
	// network; ok is false when the image was not stored.
	Image func(src string) (data []byte, mime string, ok bool)
}

// Highlight is a highlighted stretch of an article's text with what the user added to it.
type Highlight struct {
	ID string // a UUID
	// Start and End are byte offsets into Doc.Text; both are -1 for an orphaned highlight,
	// one that could no longer be anchored in the text, and Quote then holds its text.
	Start, End int
	Color      string // yellow, green, blue, pink, purple or orange
	Note       string // Markdown
	Tags       []string
	Claim      *Claim
	Created    time.Time
	Quote      string // the highlighted text, kept for orphaned highlights
}

// Claim is a fact-checking claim attached to a highlight.
type Claim struct {
	Claimant, Kind, Evidence, Status, Verdict string
	Links                                     []string
}

// Colors lists the highlight colours, in the order the reader offers them.
var Colors = []string{"yellow", "green", "blue", "pink", "purple", "orange"}

// ErrNoImageWriter is returned by Markdown when MarkdownOptions.ImageDir is set without
// a WriteImage function to store the images with.
var ErrNoImageWriter = errors.New("export: image folder given without an image writer")

// rgb is a colour with components from 0 to 1.
type rgb struct{ r, g, b float64 }

// highlightRGB gives the fill of each highlight colour: light enough that black text stays
// readable under it, and distinct from one another when printed.
var highlightRGB = map[string]rgb{
	"yellow": {1.00, 0.91, 0.35},
	"green":  {0.66, 0.90, 0.60},
	"blue":   {0.62, 0.82, 1.00},
	"pink":   {1.00, 0.70, 0.82},
	"purple": {0.82, 0.74, 1.00},
	"orange": {1.00, 0.76, 0.47},
}

// colorOf returns a known colour name for c, yellow when c is not one.
func colorOf(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if _, ok := highlightRGB[c]; ok {
		return c
	}
	return "yellow"
}

// placed is a highlight as the exporters use it: numbered, clamped to the text, and
// marked orphaned when it cannot be shown inline.
type placed struct {
	Highlight
	n          int // 1-based number
	start, end int // clamped byte range; -1 when orphaned
	orphan     bool
}

// hasNotes reports whether the highlight carries anything beyond its text.
func (p *placed) hasNotes() bool {
	return strings.TrimSpace(p.Note) != "" || len(cleanTags(p.Tags)) > 0 || p.Claim != nil
}

// quote returns the highlighted text.
func (p *placed) quote(text string) string {
	if p.orphan {
		return p.Quote
	}
	return text[p.start:p.end]
}

// prepared is an article's highlights ready for an exporter.
type prepared struct {
	doc      *doc.Document
	all      []*placed // in number order
	anchored []*placed // the ones shown inline, in number order
}

// prepare numbers, clamps and sorts the highlights of an article.
func prepare(d *doc.Document, hs []Highlight) *prepared {
	if d == nil {
		d = &doc.Document{}
	}
	text := d.Text
	p := &prepared{doc: d}
	var orphans []*placed
	for _, h := range hs {
		ph := &placed{Highlight: h, start: -1, end: -1, orphan: true}
		if h.Start >= 0 && h.End >= 0 {
			s, e := clampRange(text, h.Start, h.End)
			if s < e && visibleIn(d, s, e) {
				ph.start, ph.end, ph.orphan = s, e, false
			}
		}
		if ph.orphan {
			if ph.Quote == "" && h.Start >= 0 && h.End >= 0 {
				s, e := clampRange(text, h.Start, h.End)
				ph.Quote = text[s:e]
			}
			orphans = append(orphans, ph)
			continue
		}
		p.anchored = append(p.anchored, ph)
	}
	sort.SliceStable(p.anchored, func(i, j int) bool {
		a, b := p.anchored[i], p.anchored[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.end != b.end {
			return a.end < b.end
		}
		return a.ID < b.ID
	})
	p.all = append(append(p.all, p.anchored...), orphans...)
	for i, h := range p.all {
		h.n = i + 1
	}
	return p
}

// clampRange puts a byte range inside text and widens it to whole characters.
func clampRange(text string, s, e int) (int, int) {
	s = max(0, min(s, len(text)))
	e = max(s, min(e, len(text)))
	for s > 0 && s < len(text) && !utf8.RuneStart(text[s]) {
		s--
	}
	for e < len(text) && !utf8.RuneStart(text[e]) {
		e++
	}
	return s, e
}

// visibleIn reports whether [s, e) holds a character of some block that is not white space.
func visibleIn(d *doc.Document, s, e int) bool {
	for i := d.BlockAt(s); i < len(d.Blocks); i++ {
		b := d.Blocks[i]
		if b.Start >= e {
			break
		}
		lo, hi := max(s, b.Start), min(e, b.End)
		if lo < hi && strings.TrimFunc(d.Text[lo:hi], unicode.IsSpace) != "" {
			return true
		}
	}
	return false
}

// cleanTags turns tags into the form note-taking apps accept as #tags: letters, digits,
// '_', '-' and '/', with runs of anything else made one '-'. Empty results are dropped.
func cleanTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		var sb strings.Builder
		dash := false
		for _, r := range strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#")) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '/' || r == '-' {
				sb.WriteRune(r)
				dash = false
			} else if !dash && sb.Len() > 0 {
				sb.WriteByte('-')
				dash = true
			}
		}
		c := strings.Trim(sb.String(), "-/")
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// safeURL returns u when it is an absolute http, https or mailto address, and "" when not.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return ""
		}
		return u
	case "mailto":
		if p.Opaque == "" {
			return ""
		}
		return u
	}
	return ""
}

// claimSummary is the one-line form of a claim: "Claim: claimant · status · verdict".
func claimSummary(c *Claim) string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, s := range []string{c.Claimant, c.Status, c.Verdict} {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "Claim"
	}
	return "Claim: " + strings.Join(parts, " · ")
}

// authors splits a byline into author names: "By A, B and C" gives A, B and C.
func authors(byline string) []string {
	s := strings.Join(strings.Fields(byline), " ")
	for _, p := range []string{"By ", "by ", "BY "} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "" {
		return nil
	}
	for _, sep := range []string{" and ", " & ", "; ", " und ", " et "} {
		s = strings.ReplaceAll(s, sep, ", ")
	}
	var out []string
	for _, a := range strings.Split(s, ", ") {
		if a = strings.TrimSpace(strings.Trim(a, ",;")); a != "" {
			out = append(out, a)
		}
	}
	return out
}
