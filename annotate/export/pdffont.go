package export

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"gloss/assets"
)

// face is one of the typefaces a PDF export uses.
type face uint8

const (
	faceRegular face = iota
	faceBold
	faceItalic
	faceBoldItalic
	faceMono
	numFaces
)

// fpdf names of the faces: a family and a style.
var faceNames = [numFaces][2]string{
	{"go", ""}, {"go", "B"}, {"go", "I"}, {"go", "BI"}, {"gomono", ""},
}

// parsedFont is a face parsed for measuring: which characters it has and how wide they are.
type parsedFont struct {
	data            []byte
	font            *sfnt.Font
	upem            float64
	ascent, descent float64 // per em
}

// parsedFonts parses the embedded fonts once per process. They never change, and parsing
// is the costly part of measuring; sfnt fonts are safe for concurrent use.
var parsedFonts = sync.OnceValues(func() ([numFaces]*parsedFont, error) {
	var out [numFaces]*parsedFont
	for i, data := range [numFaces][]byte{assets.GoRegular, assets.GoBold, assets.GoItalic, assets.GoBoldItalic, assets.GoMono} {
		f, err := sfnt.Parse(data)
		if err != nil {
			return out, fmt.Errorf("parse font %s %s: %w", faceNames[i][0], faceNames[i][1], err)
		}
		upem := float64(f.UnitsPerEm())
		var buf sfnt.Buffer
		m, err := f.Metrics(&buf, fixed.Int26_6(upem*64), font.HintingNone)
		if err != nil {
			return out, fmt.Errorf("font metrics: %w", err)
		}
		out[i] = &parsedFont{data: data, font: f, upem: upem,
			ascent: float64(m.Ascent) / 64 / upem, descent: float64(m.Descent) / 64 / upem}
	}
	return out, nil
})

// glyph is how one character of the text is drawn: in which face, as which character
// (a substitute when no face has it), and how wide, in thousandths of an em.
type glyph struct {
	face  face
	r     rune // the character drawn; -1 for nothing
	width int
}

// glyphKey is a character wanted in a face.
type glyphKey struct {
	face face
	r    rune
}

// glyphs resolves characters to glyphs for one document. It is not safe for concurrent
// use; each export has its own.
type glyphs struct {
	fonts [numFaces]*parsedFont
	buf   sfnt.Buffer
	cache map[glyphKey]glyph
}

func newGlyphs() (*glyphs, error) {
	fonts, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	return &glyphs{fonts: fonts, cache: make(map[glyphKey]glyph, 256)}, nil
}

// width returns the advance of r in face f in thousandths of an em, rounded as fpdf rounds
// the widths it writes into the PDF, or -1 when the face has no glyph for r.
func (g *glyphs) width(f face, r rune) int {
	pf := g.fonts[f]
	gi, err := pf.font.GlyphIndex(&g.buf, r)
	if err != nil || gi == 0 {
		return -1
	}
	adv, err := pf.font.GlyphAdvance(&g.buf, gi, fixed.Int26_6(pf.upem*64), font.HintingNone)
	if err != nil {
		return -1
	}
	return int(math.Round(float64(adv) / 64 * 1000 / pf.upem))
}

// get resolves character r wanted in face f. The fallbacks, in order: the regular face;
// the character without its accents; U+FFFD, the replacement character, which every Go
// face has, so that a character no embedded font covers (emoji, CJK, most scripts beyond
// Latin, Greek and Cyrillic) shows as a visible mark instead of nothing. Invisible
// formatting characters are dropped. Characters beyond the Basic Multilingual Plane are
// always replaced: fpdf's UTF-8 support is limited to it.
func (g *glyphs) get(f face, r rune) glyph {
	k := glyphKey{f, r}
	if gl, ok := g.cache[k]; ok {
		return gl
	}
	gl := g.resolve(f, r)
	g.cache[k] = gl
	return gl
}

func (g *glyphs) resolve(f face, r rune) glyph {
	switch {
	case r == '\t':
		// A tab stands for four spaces; shape draws them.
		return glyph{f, '\t', 4 * g.width(f, ' ')}
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Noncharacter_Code_Point, r):
		return glyph{f, -1, 0}
	}
	if r <= 0xffff {
		for _, ff := range []face{f, faceRegular} {
			if w := g.width(ff, r); w >= 0 {
				return glyph{ff, r, w}
			}
		}
		if d := norm.NFD.String(string(r)); len([]rune(d)) > 1 {
			base := []rune(d)[0]
			if unicode.Is(unicode.Mn, r) {
				return glyph{f, -1, 0}
			}
			if w := g.width(f, base); w >= 0 && base != r {
				return glyph{f, base, w}
			}
		}
		if unicode.Is(unicode.Mn, r) {
			// A combining mark with no glyph: the letter it sits on is shown already.
			return glyph{f, -1, 0}
		}
	}
	if w := g.width(f, '\uFFFD'); w >= 0 {
		return glyph{f, '\uFFFD', w}
	}
	return glyph{faceRegular, '?', g.width(faceRegular, '?')}
}

// shape turns text into what face f draws for it and its width in thousandths of an em.
// The text may change face where a character is drawn from a fallback face; shape calls
// emit for each stretch of one face with the source byte range it stands for.
func (g *glyphs) shape(f face, s string, emit func(f face, drawn string, width int, from, to int)) {
	var drawn []rune
	cur, width, from := f, 0, 0
	first := true
	for i, r := range s {
		gl := g.get(f, r)
		if gl.r < 0 {
			continue
		}
		if !first && gl.face != cur {
			emit(cur, string(drawn), width, from, i)
			drawn, width, from = drawn[:0], 0, i
		}
		first = false
		cur = gl.face
		if gl.r == '\t' {
			drawn = append(drawn, ' ', ' ', ' ', ' ')
		} else {
			drawn = append(drawn, gl.r)
		}
		width += gl.width
	}
	emit(cur, string(drawn), width, from, len(s))
}

// measure is the width of s in face f, in thousandths of an em, as shape draws it.
func (g *glyphs) measure(f face, s string) int {
	w := 0
	for _, r := range s {
		w += g.get(f, r).width
	}
	return w
}

// addFonts registers the embedded faces with a document, each as a copy of its own:
// fpdf writes into the font bytes it is given while it makes the subset (in
// utf8FontFile.getMetrics, an append to a slice of them), which would change the shared
// embedded fonts under every other export, and race with one running at the same time.
func addFonts(pdf *fpdf.Fpdf) {
	for i, data := range [numFaces][]byte{assets.GoRegular, assets.GoBold, assets.GoItalic, assets.GoBoldItalic, assets.GoMono} {
		pdf.AddUTF8FontFromBytes(faceNames[i][0], faceNames[i][1], bytes.Clone(data))
	}
}

// bmpText makes text safe for the strings fpdf encodes itself (bookmarks, metadata):
// characters beyond the Basic Multilingual Plane become U+FFFD and controls are dropped.
func bmpText(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r > 0xffff:
			out = append(out, '\uFFFD')
		case r < 0x20 || r == 0x7f:
			if len(out) > 0 && out[len(out)-1] != ' ' {
				out = append(out, ' ')
			}
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
