package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gloss/archive/doc"
)

// MarkdownOptions tunes a Markdown export.
type MarkdownOptions struct {
	// Portable writes highlights as <mark> tags, which every Markdown renderer shows,
	// instead of Obsidian's ==text==.
	Portable bool
	// Digest adds a "## Highlights" section at the end listing every highlight with its
	// note, tags and claim. Orphaned highlights get such a section even without Digest.
	Digest bool
	// ImageDir is the folder, relative to the Markdown file, that images are linked from;
	// "" leaves images out.
	ImageDir string
	// WriteImage stores an image under ImageDir by its file name (no folder part).
	WriteImage func(name string, data []byte) error
}

// Markdown writes an article and its highlights as CommonMark with GFM tables and
// footnotes, the way Obsidian and Logseq keep notes:
//
//   - YAML front matter: title, author, site, source, published, saved, tags,
//     highlights (the count) and gloss_id.
//   - The body, from the document's blocks, with each highlight marked ==like this==.
//     A mark is split only where it crosses the edge of emphasis or a link (it is closed
//     and reopened around the delimiters), or of a block or table cell. Highlights that
//     overlap or touch are merged into one mark, since marks cannot nest; a highlight
//     inside a code block is marked with <mark> inside an HTML <pre> block, since Markdown
//     code blocks cannot hold marks.
//   - After each mark, a footnote reference [^hl-N] for every highlight in it that has a
//     note, tags or a claim; the footnote reads "note #tag1 #tag2 — Claim: claimant ·
//     status".
//
// Text is escaped so that nothing in it is read back as Markdown, HTML, Obsidian tags,
// math or comments; a literal "==" is written "=\=".
func Markdown(w io.Writer, a Article, hs []Highlight, opt MarkdownOptions) error {
	if opt.ImageDir != "" && opt.WriteImage == nil {
		return ErrNoImageWriter
	}
	m := newMDWriter(a, hs, opt)
	m.frontMatter()
	m.header()
	if err := m.body(); err != nil {
		return err
	}
	m.digest()
	m.footnotes()
	out := strings.TrimRight(m.sb.String(), "\n") + "\n"
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// group is highlights merged into one mark because they overlap or touch.
type group struct {
	start, end int
	members    []*placed
}

type mdWriter struct {
	sb    strings.Builder
	a     Article
	opt   MarkdownOptions
	p     *prepared
	text  string
	marks []interval // the groups
	refs  []refAt    // footnote references by offset
	imgs  map[string]bool
	// noteAfterFirst defers the article's note until after the first block, the title.
	noteAfterFirst bool
	// Block layout state.
	started   bool
	prevQuote int
	prevItem  bool // the last block written was a list item with a marker
	lists     []mdList
	listQuote int
}

// mdList is an open list level: where its content starts and what kind it is.
type mdList struct {
	content int
	ordered bool
}

func newMDWriter(a Article, hs []Highlight, opt MarkdownOptions) *mdWriter {
	p := prepare(a.Doc, hs)
	m := &mdWriter{a: a, opt: opt, p: p, text: p.doc.Text, imgs: map[string]bool{}}
	var groups []group
	for _, h := range p.anchored {
		if n := len(groups); n > 0 && h.start <= groups[n-1].end {
			g := &groups[n-1]
			g.end = max(g.end, h.end)
			g.members = append(g.members, h)
			continue
		}
		groups = append(groups, group{start: h.start, end: h.end, members: []*placed{h}})
	}
	for i, g := range groups {
		m.marks = append(m.marks, interval{g.start, g.end, i})
		var nums []int
		for _, h := range g.members {
			if h.hasNotes() {
				nums = append(nums, h.n)
			}
		}
		if len(nums) == 0 {
			continue
		}
		sort.Ints(nums)
		e := g.end
		for e > g.start && isSpaceByte(m.text[e-1]) {
			e--
		}
		m.refs = append(m.refs, refAt{off: e, refs: nums})
	}
	return m
}

func (m *mdWriter) frontMatter() {
	a := m.a
	sb := &m.sb
	sb.WriteString("---\n")
	sb.WriteString("title: " + yamlString(a.Title) + "\n")
	yamlList(sb, "author", authors(a.Byline))
	if a.Site != "" {
		sb.WriteString("site: " + yamlString(a.Site) + "\n")
	}
	if a.URL != "" {
		sb.WriteString("source: " + yamlString(a.URL) + "\n")
	}
	if a.Published != nil && !a.Published.IsZero() {
		sb.WriteString("published: " + a.Published.Format(time.RFC3339) + "\n")
	}
	if !a.Saved.IsZero() {
		sb.WriteString("saved: " + a.Saved.Format(time.RFC3339) + "\n")
	}
	yamlList(sb, "tags", cleanTags(a.Tags))
	sb.WriteString("highlights: " + strconv.Itoa(len(m.p.all)) + "\n")
	sb.WriteString("gloss_id: " + strconv.FormatInt(a.ID, 10) + "\n")
	sb.WriteString("---\n\n")
}

// header writes the title, unless the article starts with it, and then the article's note.
func (m *mdWriter) header() {
	title := strings.Join(strings.Fields(m.a.Title), " ")
	if title != "" && m.startsWithTitle(title) {
		m.noteAfterFirst = true
		return
	}
	if title != "" {
		m.sb.WriteString("# " + mdEscape(title, false, false) + "\n\n")
	}
	m.note()
}

// note writes the article's note as a callout, or a plain quote when portable.
func (m *mdWriter) note() {
	if note := strings.TrimSpace(m.a.Note); note != "" {
		if !m.opt.Portable {
			m.sb.WriteString("> [!note]\n")
		}
		for _, l := range strings.Split(note, "\n") {
			m.sb.WriteString(strings.TrimRight("> "+l, " ") + "\n")
		}
		m.sb.WriteString("\n")
	}
}

func (m *mdWriter) startsWithTitle(title string) bool {
	for _, b := range m.p.doc.Blocks {
		if b.Start == b.End {
			continue
		}
		return b.Kind == doc.Heading && strings.EqualFold(strings.Join(strings.Fields(m.text[b.Start:b.End]), " "), title)
	}
	return false
}

// body writes the document's blocks.
func (m *mdWriter) body() error {
	blocks := m.p.doc.Blocks
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if b.Kind == doc.TableRow {
			j := i
			for j < len(blocks) && blocks[j].Kind == doc.TableRow && blocks[j].Quote == b.Quote {
				j++
			}
			m.table(blocks[i:j])
			i = j - 1
			continue
		}
		if b.Kind != doc.Image && b.Kind != doc.Rule && b.Start == b.End {
			continue
		}
		if err := m.block(b); err != nil {
			return err
		}
		if m.noteAfterFirst {
			m.noteAfterFirst = false
			if strings.TrimSpace(m.a.Note) != "" {
				m.sb.WriteString("\n")
				m.note()
				m.started = false
			}
		}
	}
	return nil
}

// prefixes works out the list indentation of a block and writes the space before it. It
// returns the prefix of the block's first line and of its other lines.
func (m *mdWriter) prefixes(b doc.Block) (first, rest string) {
	if b.Quote != m.listQuote {
		m.lists = nil
		m.listQuote = b.Quote
	}
	item := b.Kind == doc.ListItem && b.Marker != ""
	indent, marker := 0, ""
	tight := false
	switch {
	case item:
		d := min(max(b.Depth, 1), len(m.lists)+1)
		ordered, num := orderedMarker(b.Marker)
		// Items follow each other on the next line, unless that would not start a list:
		// an ordered list can only interrupt a paragraph when it starts at 1.
		tight = m.prevItem && ((d > len(m.lists) && (!ordered || num == "1")) || (d <= len(m.lists) && m.lists[d-1].ordered == ordered))
		m.lists = m.lists[:d-1]
		if d > 1 {
			indent = m.lists[d-2].content
		}
		marker = "- "
		if ordered {
			marker = num + ". "
		}
		m.lists = append(m.lists, mdList{content: indent + len(marker), ordered: ordered})
	case b.Depth > 0 && len(m.lists) > 0:
		d := min(b.Depth, len(m.lists))
		m.lists = m.lists[:d]
		indent = m.lists[d-1].content
	default:
		m.lists = nil
	}
	quote := strings.Repeat("> ", b.Quote)
	if m.started && !tight {
		// A blank line, inside the quotes both blocks share.
		m.sb.WriteString(strings.TrimRight(strings.Repeat("> ", min(m.prevQuote, b.Quote)), " ") + "\n")
	}
	m.started = true
	m.prevQuote = b.Quote
	m.prevItem = item
	pad := strings.Repeat(" ", indent)
	return quote + pad + marker, quote + pad + strings.Repeat(" ", len(marker))
}

// orderedMarker reads a list marker such as "3." and returns its number.
func orderedMarker(marker string) (bool, string) {
	num := strings.TrimRight(marker, ".)")
	if num == "" || len(num) > 9 || strings.Trim(num, "0123456789") != "" {
		return false, ""
	}
	return true, num
}

// block writes one block that is not a table row.
func (m *mdWriter) block(b doc.Block) error {
	switch b.Kind {
	case doc.Image:
		return m.image(b)
	case doc.Rule:
		first, _ := m.prefixes(b)
		m.sb.WriteString(first + "---\n")
		return nil
	case doc.Code:
		m.code(b)
		return nil
	}
	first, rest := m.prefixes(b)
	ctx := mdContext{lineStart: true, cont: rest, portable: m.opt.Portable, listItem: b.Kind == doc.ListItem && b.Marker != ""}
	in := m.inlineInput(b.Start, b.End, b.Runs)
	switch b.Kind {
	case doc.Heading:
		level := min(max(b.Level, 1), 6)
		first += strings.Repeat("#", level) + " "
		ctx.lineStart, ctx.heading = false, true
	case doc.Caption:
		in.extra = doc.Italic
	}
	m.sb.WriteString(first + m.inline(in, ctx) + "\n")
	return nil
}

// inlineInput prepares the marks of [s, e) of the text.
func (m *mdWriter) inlineInput(s, e int, runs []doc.Run) inlineInput {
	return inlineInput{text: m.text, start: s, end: e, runs: runs, breaks: true, marks: markIntervals(m.text, s, e, m.marksNear(s, e))}
}

// marksNear returns the marks that overlap [s, e).
func (m *mdWriter) marksNear(s, e int) []interval {
	i := sort.Search(len(m.marks), func(i int) bool { return m.marks[i].end > s })
	j := i
	for j < len(m.marks) && m.marks[j].start < e {
		j++
	}
	return m.marks[i:j]
}

// refsIn returns the references placed in (s, e].
func (m *mdWriter) refsIn(s, e int) []refAt {
	i := sort.Search(len(m.refs), func(i int) bool { return m.refs[i].off > s })
	j := i
	for j < len(m.refs) && m.refs[j].off <= e {
		j++
	}
	return m.refs[i:j]
}

func (m *mdWriter) inline(in inlineInput, ctx mdContext) string {
	toks := nest(m.text, segments(in), m.refsIn(in.start, in.end))
	return mdInline(toks, ctx)
}

// code writes a code block: fenced, or as an HTML <pre> block when highlights fall in it.
func (m *mdWriter) code(b doc.Block) {
	first, rest := m.prefixes(b)
	body := m.text[b.Start:b.End]
	marks := markIntervals(m.text, b.Start, b.End, m.marksNear(b.Start, b.End))
	if len(marks) == 0 {
		longest, run := 0, 0
		for i := 0; i < len(body); i++ {
			if body[i] == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		fence := strings.Repeat("`", max(3, longest+1))
		m.sb.WriteString(first + fence + "\n")
		for _, l := range strings.Split(body, "\n") {
			m.sb.WriteString(strings.TrimRight(rest+l, " ") + "\n")
		}
		m.sb.WriteString(rest + fence + "\n")
		return
	}
	var sb strings.Builder
	sb.WriteString("<pre><code>")
	pos := b.Start
	for _, mk := range marks {
		sb.WriteString(html.EscapeString(m.text[pos:mk.start]))
		sb.WriteString("<mark>")
		sb.WriteString(html.EscapeString(m.text[mk.start:mk.end]))
		sb.WriteString("</mark>")
		pos = mk.end
	}
	sb.WriteString(html.EscapeString(m.text[pos:b.End]))
	sb.WriteString("</code></pre>")
	for i, l := range strings.Split(sb.String(), "\n") {
		p := rest
		if i == 0 {
			p = first
		}
		m.sb.WriteString(p + l + "\n")
	}
	if refs := m.refsIn(b.Start, b.End); len(refs) > 0 {
		m.sb.WriteString(strings.TrimRight(rest, " ") + "\n" + rest)
		for _, r := range refs {
			for _, n := range r.refs {
				m.sb.WriteString("[^hl-" + strconv.Itoa(n) + "]")
			}
		}
		m.sb.WriteString("\n")
	}
}

// table writes consecutive table rows as a GFM table, the first row as its header.
func (m *mdWriter) table(rows []doc.Block) {
	first, rest := m.prefixes(rows[0])
	cols := 0
	cells := make([][][2]int, len(rows))
	for i, r := range rows {
		cells[i] = splitCells(m.text, r)
		cols = max(cols, len(cells[i]))
	}
	ctx := mdContext{table: true, portable: m.opt.Portable}
	for i, r := range rows {
		p := rest
		if i == 0 {
			p = first
		}
		m.sb.WriteString(p + "|")
		for c := 0; c < cols; c++ {
			content := ""
			if c < len(cells[i]) {
				cs, ce := cells[i][c][0], cells[i][c][1]
				content = m.inline(m.inlineInput(cs, ce, r.Runs), ctx)
			}
			m.sb.WriteString(" " + content + " |")
		}
		m.sb.WriteString("\n")
		if i == 0 {
			m.sb.WriteString(rest + "|" + strings.Repeat(" --- |", cols) + "\n")
		}
	}
}

// image writes an image block as a link to its stored copy under ImageDir.
func (m *mdWriter) image(b doc.Block) error {
	if m.opt.ImageDir == "" || m.a.Image == nil || b.Src == "" {
		return nil
	}
	data, mime, ok := m.a.Image(b.Src)
	if !ok || len(data) == 0 {
		return nil
	}
	ext := imageExt(mime, data)
	if ext == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(b.Src))
	name := hex.EncodeToString(sum[:8]) + ext
	if !m.imgs[name] {
		if err := m.opt.WriteImage(name, data); err != nil {
			return fmt.Errorf("write image %s: %w", name, err)
		}
		m.imgs[name] = true
	}
	first, _ := m.prefixes(b)
	dest := mdDestination(path.Join(strings.Trim(strings.ReplaceAll(m.opt.ImageDir, "\\", "/"), "/"), name))
	m.sb.WriteString(first + "![" + mdEscape(b.Alt, false, false) + "](" + dest + ")\n")
	return nil
}

// imageExt gives the file extension of an image by its MIME type, or by its first bytes
// when the type is missing; "" for what is not an image browsers show.
func imageExt(mime string, data []byte) string {
	mime = strings.ToLower(strings.TrimSpace(strings.Split(mime, ";")[0]))
	if mime == "" || mime == "application/octet-stream" {
		mime = sniffImage(data)
	}
	switch mime {
	case "image/jpeg", "image/jpg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/avif":
		return ".avif"
	case "image/svg+xml":
		return ".svg"
	case "image/bmp":
		return ".bmp"
	}
	return ""
}

// sniffImage recognises the image formats Gloss stores by their signatures.
func sniffImage(b []byte) string {
	switch {
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) > 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return "image/gif"
	case len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// digest writes the "## Highlights" section: every highlight with Digest, the orphaned
// ones only otherwise.
func (m *mdWriter) digest() {
	var list []*placed
	title := "Highlights"
	for _, h := range m.p.all {
		if m.opt.Digest || h.orphan {
			list = append(list, h)
		}
	}
	if len(list) == 0 {
		return
	}
	if !m.opt.Digest {
		title = "Highlights not found in the text"
	}
	m.sb.WriteString("\n## " + title + "\n\n")
	for i, h := range list {
		if i > 0 {
			m.sb.WriteString("\n")
		}
		marker := strconv.Itoa(h.n) + ". "
		pad := strings.Repeat(" ", len(marker))
		lead := marker
		for _, para := range strings.Split(strings.TrimSpace(h.quote(m.text)), "\n\n") {
			if strings.TrimSpace(para) == "" {
				continue
			}
			if lead == pad {
				m.sb.WriteString(pad + ">\n")
			}
			lines := strings.Split(para, "\n")
			for k, l := range lines {
				l = mdEscape(strings.Join(strings.Fields(l), " "), true, false)
				end := "\n"
				if k < len(lines)-1 {
					end = hardBreak(l)
				}
				m.sb.WriteString(lead + "> " + l + end)
				lead = pad
			}
		}
		if lead == marker {
			m.sb.WriteString(marker + "> \n")
		}
		var meta []string
		if h.orphan {
			meta = append(meta, "*Not found in the current text.*")
		}
		meta = append(meta, "*"+colorOf(h.Color)+"*")
		if tags := cleanTags(h.Tags); len(tags) > 0 {
			meta = append(meta, "#"+strings.Join(tags, " #"))
		}
		m.sb.WriteString("\n" + pad + strings.Join(meta, " · ") + "\n")
		if note := strings.TrimSpace(h.Note); note != "" {
			m.sb.WriteString("\n" + indentLines(note, pad) + "\n")
		}
		if c := h.Claim; c != nil {
			m.sb.WriteString("\n")
			fields := [][2]string{{"Claim", c.Claimant}, {"Kind", c.Kind}, {"Status", c.Status}, {"Verdict", c.Verdict}, {"Evidence", c.Evidence}}
			var lines []string
			for _, f := range fields {
				if v := strings.Join(strings.Fields(f[1]), " "); v != "" || f[0] == "Claim" {
					lines = append(lines, pad+"**"+f[0]+":** "+mdEscape(v, false, false))
				}
			}
			var links []string
			for _, l := range c.Links {
				if u := safeURL(l); u != "" {
					links = append(links, "<"+strings.NewReplacer(" ", "%20", "<", "%3C", ">", "%3E").Replace(u)+">")
				}
			}
			if len(links) > 0 {
				lines = append(lines, pad+"**Links:** "+strings.Join(links, ", "))
			}
			for k, l := range lines {
				if k < len(lines)-1 {
					l += hardBreak(l)
				}
				m.sb.WriteString(l)
			}
			m.sb.WriteString("\n")
		}
	}
}

// footnotes writes the definitions of the footnote references placed in the body.
func (m *mdWriter) footnotes() {
	var used []int
	for _, r := range m.refs {
		used = append(used, r.refs...)
	}
	if len(used) == 0 {
		return
	}
	sort.Ints(used)
	m.sb.WriteString("\n")
	for _, n := range used {
		h := m.p.all[n-1]
		var tail []string
		if tags := cleanTags(h.Tags); len(tags) > 0 {
			tail = append(tail, "#"+strings.Join(tags, " #"))
		}
		if h.Claim != nil {
			tail = append(tail, "— "+mdEscape(claimSummary(h.Claim), false, false))
		}
		note := strings.TrimSpace(h.Note)
		body := note
		switch {
		case note == "":
			body = strings.Join(tail, " ")
		case len(tail) > 0 && !strings.Contains(note, "\n"):
			body = note + " " + strings.Join(tail, " ")
		case len(tail) > 0:
			body = note + "\n\n" + strings.Join(tail, " ")
		}
		m.sb.WriteString("[^hl-" + strconv.Itoa(n) + "]: " + indentRest(body, "    ") + "\n")
	}
}

// indentLines puts pad before every line of s that is not blank.
func indentLines(s, pad string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = pad + l
		} else {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// indentRest indents every line of s but the first.
func indentRest(s, pad string) string {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		return s
	}
	return s[:i+1] + indentLines(s[i+1:], pad)
}
