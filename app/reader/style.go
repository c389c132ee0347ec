package reader

import (
	"bytes"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"
)

// role is what colour a piece of text takes from the theme.
type role uint8

const (
	roleText role = iota
	roleLink
	roleMuted
)

// metrics measures text in one font, style and size, and remembers every width it measured:
// an article repeats its words, and measuring is the costly part of a layout.
type metrics struct {
	ts     fyne.TextStyle
	size   float32
	font   fyne.Resource // nil: the theme's font for ts
	height float32       // height of a line of text as the renderer draws it
	ascent float32       // distance from the top of that line to the baseline
	space  float32       // width of one space
	widths map[string]float32
}

func newMetrics(ts fyne.TextStyle, size float32, res fyne.Resource) *metrics {
	m := &metrics{ts: ts, size: size, font: res, widths: make(map[string]float32, 256)}
	sz, base := fyne.CurrentApp().Driver().RenderedTextSize("Mg", size, ts, res)
	m.height, m.ascent = sz.Height, base
	m.space = m.width(" ")
	return m
}

// width is the advance of s as one canvas.Text draws it.
func (m *metrics) width(s string) float32 {
	if w, ok := m.widths[s]; ok {
		return w
	}
	sz, _ := fyne.CurrentApp().Driver().RenderedTextSize(s, m.size, m.ts, m.font)
	m.widths[s] = sz.Width
	return sz.Width
}

// style is how a piece of text is drawn: its metrics plus colour and decorations that do
// not change its width.
type style struct {
	m      *metrics
	role   role
	strike bool
}

type styleKey struct {
	ts       fyne.TextStyle
	size     float32
	role     role
	strike   bool
	fallback bool // use the theme font although the reader has a font of its own
}

type metricsKey struct {
	ts   fyne.TextStyle
	size float32
	font fyne.Resource
}

// styles is the table of the styles a layout uses; pieces of text refer to them by index.
type styles struct {
	fonts   *Fonts
	list    []style
	index   map[styleKey]uint16
	metrics map[metricsKey]*metrics
	faces   map[fyne.Resource]*font.Face
}

func newStyles(f *Fonts) *styles {
	return &styles{
		fonts:   f,
		index:   map[styleKey]uint16{},
		metrics: map[metricsKey]*metrics{},
		faces:   map[fyne.Resource]*font.Face{},
	}
}

// get returns the index of the style of k, adding it to the table on first use.
func (s *styles) get(k styleKey) uint16 {
	if i, ok := s.index[k]; ok {
		return i
	}
	var res fyne.Resource
	if !k.fallback {
		res = s.fonts.pick(k.ts)
	}
	ts := fyne.TextStyle{Bold: k.ts.Bold, Italic: k.ts.Italic, Monospace: k.ts.Monospace}
	mk := metricsKey{ts: ts, size: k.size, font: res}
	m := s.metrics[mk]
	if m == nil {
		m = newMetrics(ts, k.size, res)
		s.metrics[mk] = m
	}
	i := uint16(len(s.list))
	s.list = append(s.list, style{m: m, role: k.role, strike: k.strike})
	s.index[k] = i
	return i
}

// covers reports whether the reader's own font for k draws every rune of text. Fyne draws a
// custom font without fallbacks, so a word in a script the font lacks is measured and drawn
// in the theme's font instead.
func (s *styles) covers(k styleKey, text string) bool {
	res := s.fonts.pick(k.ts)
	if res == nil {
		return true
	}
	face, ok := s.faces[res]
	if !ok {
		face, _ = font.ParseTTF(bytes.NewReader(res.Content()))
		s.faces[res] = face // nil when unreadable: Fyne falls back to the theme font then
	}
	if face == nil {
		return false
	}
	for _, r := range text {
		if r < 0x80 && r >= 0x20 {
			continue
		}
		if _, ok := face.NominalGlyph(r); !ok {
			return false
		}
	}
	return true
}

// Fonts are the faces of a reading font the app supplies, such as a serif. Fyne ships one
// sans-serif family; a nil *Fonts, or a nil face, means the theme's font. Monospaced text
// always uses the theme's monospace font.
type Fonts struct {
	Regular, Bold, Italic, BoldItalic fyne.Resource
}

// pick returns the face for a style, falling back through the faces given; nil means the
// theme's font.
func (f *Fonts) pick(ts fyne.TextStyle) fyne.Resource {
	if f == nil || ts.Monospace {
		return nil
	}
	first := func(rs ...fyne.Resource) fyne.Resource {
		for _, r := range rs {
			if r != nil {
				return r
			}
		}
		return nil
	}
	switch {
	case ts.Bold && ts.Italic:
		return first(f.BoldItalic, f.Bold, f.Italic, f.Regular)
	case ts.Bold:
		return first(f.Bold, f.Regular)
	case ts.Italic:
		return first(f.Italic, f.Regular)
	}
	return f.Regular
}

// runeWidth returns the width of the rune of s at byte i and its length; used only to
// choose where a word too long for a line is cut.
func (m *metrics) runeWidth(s string, i int) (float32, int) {
	_, n := utf8.DecodeRuneInString(s[i:])
	return m.width(s[i : i+n]), n
}
