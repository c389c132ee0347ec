package export

import (
	"slices"
	"sort"

	"gloss/archive/doc"
)

// The inline layer turns a stretch of a block's text, its styled runs and the marks over
// it into a properly nested sequence of open, text and close tokens, the shape both
// Markdown and HTML need. Marks and styles may overlap in any way; where they cross, the
// span that ends first is closed and the other reopened after it, so that every opened
// span closes inside the one around it.

// spanKind is a kind of inline span. The order is the nesting preference for spans that
// open at the same place and last as long: links outermost, code innermost.
type spanKind uint8

const (
	spanLink spanKind = iota
	spanMark
	spanBold
	spanItalic
	spanStrike
	spanCode
)

// span is one inline span: a style, a link to href, or mark number id.
type span struct {
	kind spanKind
	href string
	id   int
}

// interval is a mark to place on the text: [start, end) with an id.
type interval struct {
	start, end, id int
}

// segment is a stretch of text with one set of spans.
type segment struct {
	start, end int
	spans      []span
	brk        bool // the stretch is a "\n" line break
}

// inlineInput is what to lay out: text[start:end] with the runs of its block.
type inlineInput struct {
	text       string
	start, end int
	runs       []doc.Run
	extra      doc.Style  // added to every run: Italic for captions, Bold for table headers
	marks      []interval // sorted by start
	breaks     bool       // "\n" is a line break rather than text
}

// segments splits the input where its spans change.
func segments(in inlineInput) []segment {
	if in.start >= in.end {
		return nil
	}
	cuts := []int{in.start, in.end}
	for _, r := range in.runs {
		if r.Start > in.start && r.Start < in.end {
			cuts = append(cuts, r.Start)
		}
		if r.End > in.start && r.End < in.end {
			cuts = append(cuts, r.End)
		}
	}
	for _, m := range in.marks {
		if m.start > in.start && m.start < in.end {
			cuts = append(cuts, m.start)
		}
		if m.end > in.start && m.end < in.end {
			cuts = append(cuts, m.end)
		}
	}
	if in.breaks {
		for i := in.start; i < in.end; i++ {
			if in.text[i] == '\n' {
				cuts = append(cuts, i, i+1)
			}
		}
	}
	sort.Ints(cuts)
	cuts = slices.Compact(cuts)

	var segs []segment
	ri := sort.Search(len(in.runs), func(i int) bool { return in.runs[i].End > in.start })
	for k := 0; k+1 < len(cuts); k++ {
		s, e := cuts[k], cuts[k+1]
		if s >= e || s < in.start || e > in.end {
			continue
		}
		for ri < len(in.runs) && in.runs[ri].End <= s {
			ri++
		}
		style, href := in.extra, ""
		if ri < len(in.runs) && in.runs[ri].Start <= s {
			style |= in.runs[ri].Style
			href = in.runs[ri].Href
		}
		brk := in.breaks && in.text[s] == '\n'
		var spans []span
		if style&doc.Link != 0 {
			if u := safeURL(href); u != "" {
				spans = append(spans, span{kind: spanLink, href: u})
			}
		}
		for _, m := range in.marks {
			if m.start <= s && m.end >= e {
				spans = append(spans, span{kind: spanMark, id: m.id})
			}
		}
		if style&doc.Bold != 0 {
			spans = append(spans, span{kind: spanBold})
		}
		if style&doc.Italic != 0 {
			spans = append(spans, span{kind: spanItalic})
		}
		if style&doc.Strike != 0 {
			spans = append(spans, span{kind: spanStrike})
		}
		if style&doc.Mono != 0 && !brk {
			spans = append(spans, span{kind: spanCode})
		}
		if n := len(segs); n > 0 && !brk && !segs[n-1].brk && segs[n-1].end == s && slices.Equal(segs[n-1].spans, spans) {
			segs[n-1].end = e
			continue
		}
		segs = append(segs, segment{start: s, end: e, spans: spans, brk: brk})
	}
	return segs
}

// tokKind is a kind of inline token.
type tokKind uint8

const (
	tokText tokKind = iota
	tokOpen
	tokClose
	tokBreak
	tokRef
)

// token is one step of nested inline output.
type token struct {
	kind tokKind
	span span   // tokOpen, tokClose
	text string // tokText: the raw text
	refs []int  // tokRef: the highlight numbers whose references go here
	// Set by the Markdown writer.
	out  string // the token as written
	mate int    // index of the matching open or close token
	html bool   // the span falls back to an HTML tag
	skip bool   // folded into its mate's neighbour ("***")
}

// refAt asks for the references refs to be placed at byte offset off.
type refAt struct {
	off  int
	refs []int
}

// nest turns segments into properly nested tokens. The references in refs are placed at
// their offset, after the spans that close there.
func nest(text string, segs []segment, refs []refAt) []token {
	// ends[i][k] is where span k of segment i stops applying, looking forward.
	ends := make([][]int, len(segs))
	for i := len(segs) - 1; i >= 0; i-- {
		ends[i] = make([]int, len(segs[i].spans))
		for k, s := range segs[i].spans {
			ends[i][k] = segs[i].end
			if i+1 < len(segs) {
				if j := slices.Index(segs[i+1].spans, s); j >= 0 {
					ends[i][k] = ends[i+1][j]
				}
			}
		}
	}
	var toks []token
	var stack []span
	ri := 0
	emitRefs := func(off int) {
		for ri < len(refs) && refs[ri].off <= off {
			toks = append(toks, token{kind: tokRef, refs: refs[ri].refs})
			ri++
		}
	}
	for i, sg := range segs {
		// Close from the first span on the stack that this segment no longer has.
		j := 0
		for j < len(stack) && slices.Contains(sg.spans, stack[j]) {
			j++
		}
		// Code stays innermost: a span opening inside it closes it first.
		if n := len(stack); j == n && n > 0 && stack[n-1].kind == spanCode {
			for _, s := range sg.spans {
				if s.kind != spanCode && !slices.Contains(stack, s) {
					j = n - 1
					break
				}
			}
		}
		for k := len(stack) - 1; k >= j; k-- {
			toks = append(toks, token{kind: tokClose, span: stack[k]})
		}
		stack = stack[:j]
		emitRefs(sg.start)
		// Open the missing spans, the longest-lasting first so that it encloses the others.
		var open []span
		for _, s := range sg.spans {
			if !slices.Contains(stack, s) {
				open = append(open, s)
			}
		}
		if len(open) > 1 {
			ext := make(map[span]int, len(open))
			for _, s := range open {
				ext[s] = ends[i][slices.Index(sg.spans, s)]
			}
			sort.SliceStable(open, func(a, b int) bool {
				sa, sb := open[a], open[b]
				if (sa.kind == spanCode) != (sb.kind == spanCode) {
					return sb.kind == spanCode
				}
				if ext[sa] != ext[sb] {
					return ext[sa] > ext[sb]
				}
				if sa.kind != sb.kind {
					return sa.kind < sb.kind
				}
				return sa.id < sb.id
			})
		}
		for _, s := range open {
			toks = append(toks, token{kind: tokOpen, span: s})
			stack = append(stack, s)
		}
		if sg.brk {
			toks = append(toks, token{kind: tokBreak})
		} else {
			toks = append(toks, token{kind: tokText, text: text[sg.start:sg.end]})
		}
	}
	for k := len(stack) - 1; k >= 0; k-- {
		toks = append(toks, token{kind: tokClose, span: stack[k]})
	}
	emitRefs(int(^uint(0) >> 1))
	return deferRefs(toks)
}

// deferRefs moves references out of links, where a footnote reference or a superscript
// link cannot go, to just after the link closes.
func deferRefs(toks []token) []token {
	out := make([]token, 0, len(toks))
	var held []token
	depth := 0
	for _, t := range toks {
		switch {
		case t.kind == tokRef && depth > 0:
			held = append(held, t)
			continue
		case t.kind == tokOpen && t.span.kind == spanLink:
			depth++
		case t.kind == tokClose && t.span.kind == spanLink:
			depth--
		}
		out = append(out, t)
		if depth == 0 && len(held) > 0 {
			out = append(out, held...)
			held = held[:0]
		}
	}
	return append(out, held...)
}

// markIntervals gives the parts of the marks that fall inside [start, end), trimmed of
// white space at their edges.
func markIntervals(text string, start, end int, marks []interval) []interval {
	var out []interval
	for _, m := range marks {
		s, e := max(m.start, start), min(m.end, end)
		for s < e && isSpaceByte(text[s]) {
			s++
		}
		for e > s && isSpaceByte(text[e-1]) {
			e--
		}
		if s < e {
			out = append(out, interval{s, e, m.id})
		}
	}
	return out
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// splitCells returns the byte ranges of a table row's cells, trimmed of spaces.
func splitCells(text string, b doc.Block) [][2]int {
	var cells [][2]int
	s := b.Start
	for i := b.Start; i <= b.End; i++ {
		if i == b.End || text[i] == '\t' {
			cs, ce := s, i
			for cs < ce && text[cs] == ' ' {
				cs++
			}
			for ce > cs && text[ce-1] == ' ' {
				ce--
			}
			cells = append(cells, [2]int{cs, ce})
			s = i + 1
		}
	}
	return cells
}
