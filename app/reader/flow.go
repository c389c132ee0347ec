package reader

// atom is a placed word (or part of one): drawn text and the unit of hit-testing.
type atom struct {
	start, end int // byte offsets into the block's source text
	x, w       float32
	st         uint16
	gap        bool // a tab: takes room, draws nothing
}

// line is one laid-out line of a block.
type line struct {
	y, h   float32 // top and height, relative to the top of the block
	base   float32 // baseline, relative to the top of the line
	th     float32 // height of the line's text, centred in the line: marks are this tall
	x0, x1 float32 // the line's box, relative to the column's left edge
	// start is the offset of the line's first character; end the offset just after its last
	// drawn one; next the offset where the next line starts: the spaces or line break
	// between end and next belong to no line.
	start, end, next int
	a0, a1           int32 // the line's atoms: block.atoms[a0:a1]
}

// flow breaks pieces into lines between x0 and x1.
type flow struct {
	st     *styles
	src    string
	x0, x1 float32
	lineH  float32
	base   float32
	textH  float32
	tabW   float32
	y      float32
	lines  []line
	atoms  []atom
	x      float32
	start  int
	a0     int
}

const epsilon = 0.01

func (f *flow) begin(start int) {
	f.start = start
	f.x = f.x0
	f.a0 = len(f.atoms)
}

func (f *flow) empty() bool { return len(f.atoms) == f.a0 }

func (f *flow) lastEnd() int {
	if f.empty() {
		return f.start
	}
	return f.atoms[len(f.atoms)-1].end
}

func (f *flow) finish(end, next int) {
	f.lines = append(f.lines, line{
		y: f.y, h: f.lineH, base: f.base, th: f.textH, x0: f.x0, x1: f.x1,
		start: f.start, end: end, next: next,
		a0: int32(f.a0), a1: int32(len(f.atoms)),
	})
	f.y += f.lineH
}

func (f *flow) place(a, b int, st uint16, w float32) {
	f.atoms = append(f.atoms, atom{start: a, end: b, x: f.x, w: w, st: st})
	f.x += w
}

// prose flows running text from start to end: greedy line breaking at the break
// opportunities the tokenizer marked, with spaces hanging at the end of a wrapped line.
func (f *flow) prose(ps []piece, start, end int) {
	f.begin(start)
	var space float32
	for i := 0; i < len(ps); {
		p := ps[i]
		switch p.kind {
		case pSpace, pTab:
			if !f.empty() {
				space += p.w
			}
			i++
			continue
		case pNewline:
			f.finish(f.lastEnd(), p.end)
			f.begin(p.end)
			space = 0
			i++
			continue
		}
		j, w := i+1, p.w
		for j < len(ps) && ps[j].kind == pWord && !ps[j].brk {
			w += ps[j].w
			j++
		}
		if !f.empty() && f.x+space+w > f.x1+epsilon {
			f.finish(f.lastEnd(), p.start)
			f.begin(p.start)
		} else {
			f.x += space
		}
		space = 0
		for k := i; k < j; k++ {
			q := ps[k]
			if f.x+q.w > f.x1+epsilon {
				f.cut(q)
			} else {
				f.place(q.start, q.end, q.st, q.w)
			}
		}
		i = j
	}
	f.finish(f.lastEnd(), end)
}

// code flows preformatted text: a line ends at each line break, tabs go to the next tab
// stop, and a line too long for the column wraps at a character boundary.
func (f *flow) code(ps []piece, start, end int) {
	f.begin(start)
	for _, p := range ps {
		switch p.kind {
		case pNewline:
			f.finish(p.start, p.end)
			f.begin(p.end)
			continue
		case pTab:
			stop := f.x0 + f.tabW*float32(int((f.x-f.x0)/f.tabW+epsilon)+1)
			stop = min(stop, f.x1)
			f.atoms = append(f.atoms, atom{start: p.start, end: p.end, x: f.x, w: stop - f.x, st: p.st, gap: true})
			f.x = stop
			continue
		}
		if f.x+p.w > f.x1+epsilon {
			f.cut(p)
		} else {
			f.place(p.start, p.end, p.st, p.w)
		}
	}
	f.finish(end, end)
}

// cut places a word too wide for what is left of the line, breaking it at character
// boundaries (a long address, a long line of code).
func (f *flow) cut(p piece) {
	m := f.st.list[p.st].m
	a := p.start
	for a < p.end {
		avail := f.x1 - f.x
		b := a
		var acc float32
		for b < p.end {
			w, n := m.runeWidth(f.src, b)
			if acc+w > avail+epsilon && (b > a || !f.empty()) {
				break
			}
			acc += w
			b += n
		}
		if b == a {
			f.finish(f.lastEnd(), a)
			f.begin(a)
			continue
		}
		f.place(a, b, p.st, m.width(f.src[a:b]))
		a = b
		if a < p.end {
			f.finish(a, a)
			f.begin(a)
		}
	}
}
