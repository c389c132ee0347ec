package export

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpu keeps a configuration folder in the user's home unless told not to; exports
// need none of it, and must not write outside the files they are asked for.
var disablePDFCPUConfig = sync.OnceFunc(api.DisableConfigDir)

// highlightAnnot is a /Highlight annotation with its appearance stream. pdfcpu's own
// highlight type writes no appearance and names the modification date ModDate where the
// PDF standard says M, so the dictionary is written here.
type highlightAnnot struct {
	model.HighlightAnnotation
	rect     types.Rectangle
	quads    [][8]float64 // x1 y1 x2 y2 x3 y3 x4 y4: upper left, upper right, lower left, lower right
	color    rgb
	contents string
	nm       string
	created  time.Time
}

// RenderDict writes the annotation dictionary and its appearance stream.
func (h highlightAnnot) RenderDict(xRefTable *model.XRefTable, pageIndRef *types.IndirectRef) (types.Dict, error) {
	var ap bytes.Buffer
	fmt.Fprintf(&ap, "/G0 gs %.3f %.3f %.3f rg\n", h.color.r, h.color.g, h.color.b)
	var qp types.Array
	for _, q := range h.quads {
		// Around the quad: upper left, upper right, lower right, lower left.
		fmt.Fprintf(&ap, "%.2f %.2f m %.2f %.2f l %.2f %.2f l %.2f %.2f l h f\n", q[0], q[1], q[2], q[3], q[6], q[7], q[4], q[5])
		for _, v := range q {
			qp = append(qp, types.Float(round2(v)))
		}
	}
	// A few rectangles: not worth a compressor each.
	sd := types.NewStreamDict(types.NewDict(), 0, nil, nil, nil)
	sd.Content = ap.Bytes()
	sd.InsertName("Type", "XObject")
	sd.InsertName("Subtype", "Form")
	sd.Insert("BBox", h.rect.Array())
	sd.Insert("Resources", types.Dict{
		"ExtGState": types.Dict{
			"G0": types.Dict{"Type": types.Name("ExtGState"), "BM": types.Name("Multiply"), "ca": types.Float(1), "CA": types.Float(1)},
		},
	})
	if err := sd.Encode(); err != nil {
		return nil, fmt.Errorf("appearance stream: %w", err)
	}
	apRef, err := xRefTable.IndRefForNewObject(sd)
	if err != nil {
		return nil, err
	}
	date := types.StringLiteral(types.DateString(h.created))
	d := types.Dict{
		"Type":         types.Name("Annot"),
		"Subtype":      types.Name("Highlight"),
		"Rect":         h.rect.Array(),
		"QuadPoints":   qp,
		"C":            types.NewNumberArray(h.color.r, h.color.g, h.color.b),
		"F":            types.Integer(model.AnnPrint),
		"CreationDate": date,
		"M":            date,
		"AP":           types.Dict{"N": *apRef},
	}
	if pageIndRef != nil {
		d["P"] = *pageIndRef
	}
	for k, v := range map[string]string{"NM": h.nm, "T": "Gloss", "Contents": h.contents, "Subj": "Highlight"} {
		if v == "" {
			continue
		}
		s, err := pdfText(v)
		if err != nil {
			return nil, fmt.Errorf("annotation %s: %w", k, err)
		}
		d[k] = types.StringLiteral(s)
	}
	return d, nil
}

// pdfText encodes a text string: PDFDocEncoding-safe ASCII as it is, anything else as
// UTF-16 with a byte order mark; escaped for a literal string either way.
func pdfText(s string) (string, error) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') {
			ascii = false
			break
		}
	}
	var p *string
	var err error
	if ascii {
		p, err = types.Escape(s)
	} else {
		p, err = types.EscapedUTF16String(s)
	}
	if err != nil {
		return "", err
	}
	return *p, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// annotationText is what a highlight annotation says: the note, the tags and the claim.
func annotationText(h *placed) string {
	var parts []string
	if note := strings.TrimSpace(h.Note); note != "" {
		parts = append(parts, note)
	}
	if tags := cleanTags(h.Tags); len(tags) > 0 {
		parts = append(parts, "#"+strings.Join(tags, " #"))
	}
	if h.Claim != nil {
		parts = append(parts, claimSummary(h.Claim))
	}
	return strings.Join(parts, "\n")
}

// annotations gives the highlight annotations of each page: one per highlight and page,
// named by the highlight's ID on its first page and ID-pN on page N after that.
func (pw *pdfWriter) annotations() map[int][]model.AnnotationRenderer {
	m := map[int][]model.AnnotationRenderer{}
	for _, h := range pw.p.anchored {
		qs := pw.quads[h]
		if len(qs) == 0 {
			continue
		}
		byPage := map[int][]quad{}
		var pages []int
		for _, q := range qs {
			if _, ok := byPage[q.page]; !ok {
				pages = append(pages, q.page)
			}
			byPage[q.page] = append(byPage[q.page], q)
		}
		sort.Ints(pages)
		created := h.Created
		if created.IsZero() {
			created = pw.a.Saved
		}
		for i, page := range pages {
			a := highlightAnnot{color: highlightRGB[colorOf(h.Color)], contents: annotationText(h), nm: h.ID, created: created}
			if a.nm == "" {
				a.nm = "hl-" + strconv.Itoa(h.n)
			}
			if i > 0 {
				a.nm += "-p" + strconv.Itoa(page)
			}
			x0, y0, x1, y1 := 1e9, 1e9, -1e9, -1e9
			for _, q := range byPage[page] {
				top, bottom := pageH-q.top, pageH-q.bottom
				a.quads = append(a.quads, [8]float64{q.x0, top, q.x1, top, q.x0, bottom, q.x1, bottom})
				x0, x1 = min(x0, q.x0), max(x1, q.x1)
				y0, y1 = min(y0, bottom), max(y1, top)
			}
			a.rect = *types.NewRectangle(round2(x0), round2(y0), round2(x1), round2(y1))
			a.HighlightAnnotation = model.NewHighlightAnnotation(a.rect, 0, a.contents, a.nm, "", model.AnnPrint,
				nil, 0, 0, 0, "Gloss", nil, nil, "", "", nil)
			m[page] = append(m[page], a)
		}
	}
	return m
}

// annotate adds annotations to a PDF with pdfcpu and writes the whole file anew.
func annotate(w io.Writer, pdf []byte, m map[int][]model.AnnotationRenderer) error {
	disablePDFCPUConfig()
	conf := model.NewDefaultConfiguration()
	if err := api.AddAnnotationsMap(bytes.NewReader(pdf), w, m, conf); err != nil {
		return err
	}
	return nil
}
