package reader

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// renderer draws the boxes and lines in view. Their objects sit in one container, in
// content coordinates, that is moved up by the scroll offset; objects are made when a line
// comes into view and dropped when it leaves.
type renderer struct {
	r       *Reader
	content *fyne.Container
	bar     *canvas.Rectangle
	objects []fyne.CanvasObject

	lay   *docLayout
	gen   uint32
	lines map[lineKey]*lineObjs
	boxes map[int]*boxObjs
	frame *canvas.Rectangle

	bgs, marks, texts []fyne.CanvasObject
}

type lineKey struct{ box, line int32 }

// lineObjs are the objects of one line in view.
type lineObjs struct {
	texts       []fyne.CanvasObject
	marks       []fyne.CanvasObject
	start, next int
	inDoc       bool // the line shows Document.Text and can carry marks
	dirty       bool // marks need repainting
	seen        uint32
	y           float32 // the box's y when the objects were placed
}

// boxObjs are the objects of a box in view other than its lines: code background, quote
// bars, rules, the image, the list marker.
type boxObjs struct {
	back  []fyne.CanvasObject
	front []fyne.CanvasObject
	seen  uint32
	y     float32 // the box's y when the objects were placed
}

// shift moves objects down by dy: the box they belong to moved when a block above it was
// laid out.
func shift(dy float32, lists ...[]fyne.CanvasObject) {
	for _, objs := range lists {
		for _, o := range objs {
			o.Move(o.Position().AddXY(0, dy))
		}
	}
}

func newRenderer(r *Reader) *renderer {
	rr := &renderer{r: r, content: &fyne.Container{}, bar: canvas.NewRectangle(color.Transparent)}
	rr.objects = []fyne.CanvasObject{rr.content, rr.bar}
	rr.frame = canvas.NewRectangle(color.Transparent)
	rr.reset()
	return rr
}

func (rr *renderer) reset() {
	rr.lines = map[lineKey]*lineObjs{}
	rr.boxes = map[int]*boxObjs{}
}

func (rr *renderer) Destroy() {}

func (rr *renderer) Layout(fyne.Size) { rr.update() }

func (rr *renderer) MinSize() fyne.Size { return rr.r.MinSize() }

func (rr *renderer) Objects() []fyne.CanvasObject { return rr.objects }

// Refresh repaints what changed: after an outside Refresh (a theme change) everything is
// rebuilt; after a change inside the reader, only the marks of the lines it touched.
func (rr *renderer) Refresh() { rr.update() }

func (rr *renderer) color(n fyne.ThemeColorName) color.Color {
	return rr.r.Theme().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

func (rr *renderer) update() {
	r := rr.r
	if r.Size().IsZero() {
		return // not shown yet: nothing to lay out for
	}
	r.updating = true
	defer func() { r.updating = false }()
	if !r.pending.any {
		r.checkTheme()
	}
	lay := r.layout()
	r.ensureView()
	p := r.pending
	r.pending = pending{}
	if !p.any || p.layout || lay != rr.lay {
		rr.reset()
		rr.lay = lay
	}
	for _, lo := range rr.lines {
		if !lo.inDoc {
			continue
		}
		for _, rg := range p.ranges {
			if rg[0] <= lo.next && rg[1] >= lo.start {
				lo.dirty = true
				break
			}
		}
	}
	size := r.Size()
	top, bottom := r.scrollY, r.scrollY+size.Height
	rr.gen++
	rr.bgs, rr.marks, rr.texts = rr.bgs[:0], rr.marks[:0], rr.texts[:0]
	boxes := lay.boxes
	first := sort.Search(len(boxes), func(i int) bool { return boxes[i].y+boxes[i].h > top })
	for i := first; i < len(boxes) && boxes[i].y < bottom; i++ {
		bx := &boxes[i]
		bo := rr.boxObjs(i, bx)
		rr.bgs = append(rr.bgs, bo.back...)
		rr.texts = append(rr.texts, bo.front...)
		li := 0
		if !bx.table {
			li = sort.Search(len(bx.lines), func(k int) bool { return bx.y+bx.lines[k].y+bx.lines[k].h > top })
		}
		for ; li < len(bx.lines); li++ {
			ln := &bx.lines[li]
			y := bx.y + ln.y
			if y >= bottom {
				if bx.table {
					continue
				}
				break
			}
			if y+ln.h <= top {
				continue
			}
			lo := rr.lineObjs(i, li, bx, ln)
			if lo.dirty {
				rr.paintMarks(bx, ln, lo)
			}
			rr.marks = append(rr.marks, lo.marks...)
			rr.texts = append(rr.texts, lo.texts...)
		}
	}
	for k, lo := range rr.lines {
		if lo.seen != rr.gen {
			delete(rr.lines, k)
		}
	}
	for k, bo := range rr.boxes {
		if bo.seen != rr.gen {
			delete(rr.boxes, k)
		}
	}
	objs := make([]fyne.CanvasObject, 0, len(rr.bgs)+len(rr.marks)+len(rr.texts)+1)
	objs = append(append(append(objs, rr.bgs...), rr.marks...), rr.texts...)
	if f := rr.stripFrame(); f != nil {
		objs = append(objs, f)
	}
	rr.content.Objects = objs
	rr.content.Resize(fyne.NewSize(size.Width, lay.height))
	rr.content.Move(fyne.NewPos(0, -r.scrollY))
	rr.updateBar(size, lay)
	canvas.Refresh(rr.content)
}

func (rr *renderer) updateBar(size fyne.Size, lay *docLayout) {
	if lay.height <= size.Height || size.Height <= 0 {
		rr.bar.Hide()
		return
	}
	x, w, h, y := rr.r.barGeometry()
	rr.bar.FillColor = rr.color(theme.ColorNameScrollBar)
	rr.bar.CornerRadius = w / 2
	rr.bar.Move(fyne.NewPos(x, y))
	rr.bar.Resize(fyne.NewSize(w, h))
	rr.bar.Show()
	rr.bar.Refresh()
}

// barGeometry returns the scroll bar thumb's x, width, height and y in widget coordinates.
func (r *Reader) barGeometry() (x, w, h, y float32) {
	size := r.Size()
	lay := r.layout()
	w = 6
	x = size.Width - w - 3
	h = max(size.Height*size.Height/lay.height, 32)
	span := lay.height - size.Height
	if span > 0 {
		y = (size.Height - h) * r.scrollY / span
	}
	return x, w, h, y
}

func (rr *renderer) stripFrame() fyne.CanvasObject {
	r := rr.r
	if !r.strip || r.hoverBlock < 0 || rr.lay.first+r.hoverBlock >= len(rr.lay.boxes) {
		return nil
	}
	bx := rr.lay.blockBox(r.hoverBlock)
	em := rr.lay.em
	c := rr.color(theme.ColorNameError)
	rr.frame.StrokeColor = c
	rr.frame.StrokeWidth = 1.5
	rr.frame.CornerRadius = 4
	rr.frame.FillColor = withAlpha(c, 0x1c)
	rr.frame.Move(fyne.NewPos(rr.lay.colX-0.5*em, bx.y-0.3*em))
	rr.frame.Resize(fyne.NewSize(rr.lay.colW+em, max(bx.h, 4)+0.6*em))
	rr.frame.Refresh()
	return rr.frame
}

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

func (rr *renderer) boxObjs(i int, bx *box) *boxObjs {
	if bo, ok := rr.boxes[i]; ok {
		bo.seen = rr.gen
		if bo.y != bx.y {
			shift(bx.y-bo.y, bo.back, bo.front)
			bo.y = bx.y
		}
		return bo
	}
	bo := &boxObjs{seen: rr.gen, y: bx.y}
	rr.boxes[i] = bo
	lay := rr.lay
	em := lay.em
	rect := func(c color.Color, x, y, w, h float32) *canvas.Rectangle {
		o := canvas.NewRectangle(c)
		o.Move(fyne.NewPos(x, y))
		o.Resize(fyne.NewSize(w, h))
		return o
	}
	if bx.bg {
		o := rect(rr.color(theme.ColorNameInputBackground), lay.colX+bx.indent, bx.y, lay.colW-bx.indent, bx.h)
		o.CornerRadius = 4
		bo.back = append(bo.back, o)
	}
	for lv := 1; lv <= bx.quote; lv++ {
		h := bx.h
		if lv <= bx.barNext {
			h = bx.barH
		}
		x := lay.colX + float32(lv-1)*quoteStep*em
		bo.back = append(bo.back, rect(rr.color(theme.ColorNameDisabled), x, bx.y, barWidth, h))
	}
	if bx.rule {
		bo.back = append(bo.back, rect(rr.color(theme.ColorNameSeparator), lay.colX+bx.indent, bx.y, lay.colW-bx.indent, 1))
	}
	if bx.rowRule {
		bo.back = append(bo.back, rect(rr.color(theme.ColorNameSeparator), lay.colX+bx.indent, bx.y+bx.h-1, lay.colW-bx.indent, 1))
	}
	if ib := bx.img; ib != nil {
		if ib.info.res != nil {
			var img *canvas.Image
			if pic := ib.info.picture(); pic != nil {
				img = canvas.NewImageFromImage(pic)
			} else {
				img = canvas.NewImageFromResource(ib.info.res)
			}
			img.FillMode = canvas.ImageFillContain
			img.Move(fyne.NewPos(lay.colX+ib.x, bx.y+ib.y))
			img.Resize(fyne.NewSize(ib.w, ib.h))
			bo.back = append(bo.back, img)
		} else {
			o := rect(rr.color(theme.ColorNameInputBackground), lay.colX+ib.x, bx.y+ib.y, ib.w, ib.h)
			o.StrokeColor = rr.color(theme.ColorNameSeparator)
			o.StrokeWidth = 1
			o.CornerRadius = 4
			bo.back = append(bo.back, o)
		}
	}
	if bx.marker != "" && len(bx.lines) > 0 {
		st := &rr.r.styles.list[bx.markerSt]
		ln := &bx.lines[0]
		t := canvas.NewText(bx.marker, rr.color(theme.ColorNameForeground))
		t.TextSize, t.TextStyle, t.FontSource = st.m.size, st.m.ts, st.m.font
		t.Move(fyne.NewPos(lay.colX+bx.markerX, bx.y+ln.y+ln.base-st.m.ascent))
		t.Resize(fyne.NewSize(st.m.width(bx.marker), st.m.height))
		bo.front = append(bo.front, t)
	}
	return bo
}

func (rr *renderer) lineObjs(i, li int, bx *box, ln *line) *lineObjs {
	k := lineKey{int32(i), int32(li)}
	if lo, ok := rr.lines[k]; ok {
		lo.seen = rr.gen
		if lo.y != bx.y {
			shift(bx.y-lo.y, lo.texts, lo.marks)
			lo.y = bx.y
		}
		return lo
	}
	lo := &lineObjs{start: ln.start, next: ln.next, inDoc: bx.inDoc, dirty: bx.inDoc, seen: rr.gen, y: bx.y}
	rr.lines[k] = lo
	atoms := bx.atoms[ln.a0:ln.a1]
	styles := rr.r.styles.list
	x0 := rr.lay.colX
	for a := 0; a < len(atoms); {
		if atoms[a].gap {
			a++
			continue
		}
		b := a + 1
		for b < len(atoms) && !atoms[b].gap && atoms[b].st == atoms[a].st && mergeable(bx.src, atoms[b-1].end, atoms[b].start) {
			b++
		}
		first, last := &atoms[a], &atoms[b-1]
		st := &styles[first.st]
		t := canvas.NewText(bx.src[first.start:last.end], rr.roleColor(st.role))
		t.TextSize, t.FontSource = st.m.size, st.m.font
		t.TextStyle = st.m.ts
		t.TextStyle.Strikethrough = st.strike
		t.Move(fyne.NewPos(x0+first.x, bx.y+ln.y+ln.base-st.m.ascent))
		t.Resize(fyne.NewSize(last.x+last.w-first.x, st.m.height))
		lo.texts = append(lo.texts, t)
		a = b
	}
	return lo
}

// mergeable reports whether two atoms of one style can be drawn as one text: they touch
// or only a single space lies between them.
func mergeable(src string, end, start int) bool {
	return start == end || start == end+1 && src[end] == ' '
}

func (rr *renderer) roleColor(ro role) color.Color {
	switch ro {
	case roleLink:
		return rr.color(theme.ColorNameHyperlink)
	case roleMuted:
		return rr.color(theme.ColorNamePlaceHolder)
	}
	return rr.color(theme.ColorNameForeground)
}

// paintMarks makes the rectangles behind the characters of a line that are highlighted,
// found or selected. Highlights and find matches are as tall as the text, like a marker
// pen; the selection fills the line, so that a selection over several lines is one shape.
func (rr *renderer) paintMarks(bx *box, ln *line, lo *lineObjs) {
	r := rr.r
	lo.dirty = false
	lo.marks = lo.marks[:0]
	ty := bx.y + ln.y + (ln.h-ln.th)/2
	x0 := rr.lay.colX
	add := func(a, b int, extend float32, full bool) *canvas.Rectangle {
		a, b = max(a, ln.start), min(b, ln.end)
		if a > b || a == b && extend == 0 {
			return nil
		}
		xa, xb := r.xAt(bx, ln, a), r.xAt(bx, ln, b)+extend
		if xb <= xa {
			return nil
		}
		o := canvas.NewRectangle(color.Transparent)
		if full {
			o.Move(fyne.NewPos(x0+xa, bx.y+ln.y))
			o.Resize(fyne.NewSize(xb-xa, ln.h))
		} else {
			o.Move(fyne.NewPos(x0+xa, ty))
			o.Resize(fyne.NewSize(xb-xa, ln.th))
		}
		lo.marks = append(lo.marks, o)
		return o
	}
	for _, h := range r.highlights {
		if h.Start >= ln.end {
			break
		}
		if h.End > ln.start {
			if o := add(h.Start, h.End, 0, false); o != nil {
				o.FillColor = h.Color
				if o.FillColor == nil {
					o.FillColor = DefaultHighlight
				}
			}
		}
	}
	warn := rr.color(theme.ColorNameWarning)
	for i, f := range r.finds {
		if f.start >= ln.end {
			break
		}
		if f.end > ln.start {
			if o := add(f.start, f.end, 0, false); o != nil {
				o.FillColor = withAlpha(warn, 0x60)
				if i == r.findCur {
					o.FillColor = withAlpha(warn, 0xa0)
					o.StrokeColor = rr.color(theme.ColorNamePrimary)
					o.StrokeWidth = 1.5
				}
			}
		}
	}
	if r.selStart < r.selEnd && r.selStart <= ln.end && r.selEnd > ln.start {
		var extend float32
		if r.selEnd > ln.end {
			extend = rr.lay.em * 0.3
		}
		if o := add(r.selStart, r.selEnd, extend, true); o != nil {
			o.FillColor = rr.color(theme.ColorNameSelection)
		}
	}
}
