package export

import (
	"strconv"
	"strings"

	"gloss/archive/doc"
)

// appendix draws the notes section: every highlight in number order with its text, note,
// tags and claim, and for anchored ones a link to the page it is on.
func (pw *pdfWriter) appendix() {
	pw.newPage()
	f := pw.f
	pw.setFont(faceBold, 15)
	f.Bookmark("Notes", 1, pw.y)
	pw.paragraph(pw.plainItems(nil, "Notes", doc.Bold, itemStyle{size: 15}), marginL, textW, 1.3, nil)
	summary := strconv.Itoa(len(pw.p.all)) + " highlights"
	if len(pw.p.all) == 1 {
		summary = "1 highlight"
	}
	if orphans := len(pw.p.all) - len(pw.p.anchored); orphans > 0 {
		summary += ", " + strconv.Itoa(orphans) + " no longer found in the text"
	}
	pw.paragraph(pw.plainItems(nil, summary, 0, itemStyle{size: 9.5, color: colGray}), marginL, textW, lead, nil)
	pw.y += 8

	const inset = 22.0
	for _, h := range pw.p.all {
		c := highlightRGB[colorOf(h.Color)]
		pw.ensure(4 * bodySize * lead)
		// Heading: number, colour swatch, page link.
		head := pw.plainItems(nil, strconv.Itoa(h.n)+".", doc.Bold, itemStyle{size: bodySize})
		top := pw.y
		if qs := pw.quads[h]; len(qs) > 0 {
			link := f.AddLink()
			f.SetLink(link, max(qs[0].top-40, 0), qs[0].page)
			n := len(head)
			head = pw.plainItems(head, "  page "+strconv.Itoa(qs[0].page), 0, itemStyle{size: 9, color: colLink})
			for i := n; i < len(head); i++ {
				head[i].link = link
			}
		} else {
			head = pw.plainItems(head, "  not found in the current text", doc.Italic, itemStyle{size: 9, color: colGray})
		}
		head = pw.plainItems(head, "  ·  "+colorOf(h.Color), 0, itemStyle{size: 9, color: colGray})
		pw.paragraph(head, marginL+inset, textW-inset, lead, nil)
		f.SetFillColor(int(c.r*255), int(c.g*255), int(c.b*255))
		f.Rect(marginL, top+3, 14, 10, "F")

		// The highlighted text, with a bar in its colour.
		bar := func(top, h float64) {
			f.SetFillColor(int(c.r*255), int(c.g*255), int(c.b*255))
			f.Rect(marginL+inset, top, 3, h, "F")
		}
		for _, para := range strings.Split(strings.TrimSpace(h.quote(pw.text)), "\n") {
			if para = strings.Join(strings.Fields(para), " "); para != "" {
				pw.paragraph(pw.plainItems(nil, para, doc.Italic, itemStyle{size: bodySize}), marginL+inset+10, textW-inset-10, lead, bar)
			}
		}
		if note := strings.TrimSpace(h.Note); note != "" {
			pw.y += 3
			for _, para := range strings.Split(note, "\n") {
				if strings.TrimSpace(para) != "" {
					pw.paragraph(pw.plainItems(nil, para, 0, itemStyle{size: bodySize}), marginL+inset, textW-inset, lead, nil)
				}
			}
		}
		if tags := cleanTags(h.Tags); len(tags) > 0 {
			pw.paragraph(pw.plainItems(nil, "#"+strings.Join(tags, "  #"), 0, itemStyle{size: 9, color: colGray}), marginL+inset, textW-inset, lead, nil)
		}
		if cl := h.Claim; cl != nil {
			pw.y += 2
			for _, field := range [][2]string{{"Claimant", cl.Claimant}, {"Kind", cl.Kind}, {"Status", cl.Status}, {"Verdict", cl.Verdict}, {"Evidence", cl.Evidence}} {
				if v := strings.TrimSpace(field[1]); v != "" {
					its := pw.plainItems(nil, field[0]+": ", doc.Bold, itemStyle{size: 9.5})
					its = pw.plainItems(its, v, 0, itemStyle{size: 9.5})
					pw.paragraph(its, marginL+inset, textW-inset, lead, nil)
				}
			}
			for _, l := range cl.Links {
				u := safeURL(l)
				if u == "" {
					continue
				}
				its := pw.plainItems(nil, "Link: ", doc.Bold, itemStyle{size: 9.5})
				n := len(its)
				its = pw.plainItems(its, u, 0, itemStyle{size: 9.5, color: colLink})
				for i := n; i < len(its); i++ {
					its[i].href = u
				}
				pw.paragraph(its, marginL+inset, textW-inset, lead, nil)
			}
		}
		pw.y += bodySize
	}
}
