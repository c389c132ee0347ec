package reader

import (
	"unicode"
	"unicode/utf8"
)

type pieceKind uint8

const (
	pWord pieceKind = iota
	pSpace
	pNewline
	pTab
)

// piece is a measured stretch of a block's text: a word (or the part of a word in one
// style), a space, a line break or a tab. Pieces do not depend on the width of the column,
// so a resize only re-runs the line breaking over them.
type piece struct {
	start, end int
	w          float32
	st         uint16
	kind       pieceKind
	brk        bool // a line may break before this word
}

// span is a stretch of text in one style.
type span struct {
	start, end int
	key        styleKey
}

// tokenizer splits styled text into pieces.
type tokenizer struct {
	st  *styles
	src string
	out []piece
	// brkNext says whether a line may break before the next word piece.
	brkNext bool
}

// prose splits running text: words break at spaces, after hyphens and dashes, and around
// CJK characters, which are written without spaces.
func (t *tokenizer) prose(spans []span) []piece {
	t.brkNext = true
	for _, sp := range spans {
		i := sp.start
		for i < sp.end {
			c := t.src[i]
			switch c {
			case ' ':
				t.emit(i, i+1, sp.key, pSpace)
				t.brkNext = true
				i++
				continue
			case '\n':
				t.emit(i, i+1, sp.key, pNewline)
				t.brkNext = true
				i++
				continue
			case '\t':
				t.emit(i, i+1, sp.key, pTab)
				t.brkNext = true
				i++
				continue
			}
			j := i
			for j < sp.end {
				r, n := utf8.DecodeRuneInString(t.src[j:])
				if r == ' ' || r == '\n' || r == '\t' {
					break
				}
				if cjk(r) {
					if j > i {
						break
					}
					j += n
					break
				}
				j += n
				if (r == '-' || r == '—' || r == '–' || r == '/') && j-n > i {
					break
				}
			}
			r, _ := utf8.DecodeRuneInString(t.src[i:])
			last, _ := utf8.DecodeLastRuneInString(t.src[i:j])
			t.emitWord(i, j, sp.key, t.brkNext || cjk(r))
			t.brkNext = cjk(last) || last == '-' || last == '—' || last == '–' || last == '/'
			i = j
		}
	}
	return t.out
}

// code splits preformatted text: only line breaks and tabs are pieces of their own; the
// flow wraps a line too long for the column at character boundaries.
func (t *tokenizer) code(spans []span) []piece {
	for _, sp := range spans {
		i := sp.start
		for i < sp.end {
			switch t.src[i] {
			case '\n':
				t.emit(i, i+1, sp.key, pNewline)
				i++
				continue
			case '\t':
				t.emit(i, i+1, sp.key, pTab)
				i++
				continue
			}
			j := i
			for j < sp.end && t.src[j] != '\n' && t.src[j] != '\t' {
				j++
			}
			t.emitWord(i, j, sp.key, false)
			i = j
		}
	}
	return t.out
}

func (t *tokenizer) emit(a, b int, k styleKey, kind pieceKind) {
	st := t.st.get(k)
	m := t.st.list[st].m
	w := m.space
	if kind == pNewline || kind == pTab {
		w = 0
	}
	t.out = append(t.out, piece{start: a, end: b, w: w, st: st, kind: kind})
}

func (t *tokenizer) emitWord(a, b int, k styleKey, brk bool) {
	s := t.src[a:b]
	if !t.st.covers(k, s) {
		k.fallback = true
	}
	st := t.st.get(k)
	t.out = append(t.out, piece{start: a, end: b, w: t.st.list[st].m.width(s), st: st, kind: pWord, brk: brk})
}

// cjk reports whether r belongs to a script written without spaces between words.
func cjk(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}
