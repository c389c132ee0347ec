package reader

import (
	"sort"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Find returns the start offsets of the matches of query in Document.Text, ignoring case
// (Unicode simple case folding, rune for rune), in order and not overlapping.
func (r *Reader) Find(query string) []int {
	if r.doc == nil {
		return nil
	}
	q := []rune(norm.NFC.String(query))
	if len(q) == 0 {
		return nil
	}
	text := r.doc.Text
	var out []int
	for i := 0; i < len(text); {
		if end, ok := matchAt(text, i, q); ok {
			out = append(out, i)
			i = end
			continue
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	return out
}

// matchAt reports whether q matches text at byte i, ignoring case, and where the match ends.
func matchAt(text string, i int, q []rune) (int, bool) {
	for _, qr := range q {
		if i >= len(text) {
			return 0, false
		}
		c, n := utf8.DecodeRuneInString(text[i:])
		if c != qr && !foldEqual(c, qr) {
			return 0, false
		}
		i += n
	}
	return i, true
}

// foldEqual reports whether two runes are the same under simple case folding.
func foldEqual(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// SetFindMatches marks the matches of query that start at starts (as Find returns them),
// the one at index current (-1 for none) marked more strongly and scrolled into view.
// Starts where query does not match are ignored; an empty query or no starts clears the
// marks.
func (r *Reader) SetFindMatches(query string, starts []int, current int) {
	var ranges [][2]int
	for _, f := range r.finds {
		ranges = append(ranges, [2]int{f.start, f.end})
	}
	r.finds, r.findCur = nil, -1
	q := []rune(norm.NFC.String(query))
	var cur span
	if r.doc != nil && len(q) > 0 {
		for i, s := range starts {
			if s < 0 || s > len(r.doc.Text) {
				continue
			}
			end, ok := matchAt(r.doc.Text, s, q)
			if !ok {
				continue
			}
			if i == current {
				cur = span{start: s, end: end}
			}
			r.finds = append(r.finds, span{start: s, end: end})
			ranges = append(ranges, [2]int{s, end})
		}
	}
	sort.Slice(r.finds, func(i, j int) bool { return r.finds[i].start < r.finds[j].start })
	for i, f := range r.finds {
		if cur.end > 0 && f.start == cur.start {
			r.findCur = i
		}
	}
	if len(ranges) > 0 {
		r.changed(pending{ranges: ranges})
	}
	if r.findCur >= 0 {
		r.revealOffset(r.finds[r.findCur].start)
	}
}
