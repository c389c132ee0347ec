package export

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"gloss/archive/doc"
	"gloss/assets"
)

// annotInfo is an annotation read back from a PDF.
type annotInfo struct {
	page       int
	subtype    string
	nm         string
	contents   string
	title      string
	uri        string
	quads      []float64
	rect       []float64
	hasAP      bool
	color      []float64
	created, m string
}

// pdfDoc is what the tests read back from a PDF.
type pdfDoc struct {
	pages  int
	media  map[int][4]float64
	annots []annotInfo
	images int
}

func readPDF(t testing.TB, data []byte) *pdfDoc {
	t.Helper()
	disablePDFCPUConfig()
	ctx, err := api.ReadContext(bytes.NewReader(data), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("pdfcpu cannot read the PDF: %v", err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	out := &pdfDoc{pages: ctx.PageCount, media: map[int][4]float64{}}
	str := func(d types.Dict, key string) string {
		o, ok := d.Find(key)
		if !ok {
			return ""
		}
		s, err := ctx.DereferenceStringOrHexLiteral(o, model.V10, nil)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return s
	}
	nums := func(o types.Object) []float64 {
		a, err := ctx.DereferenceArray(o)
		if err != nil {
			t.Fatal(err)
		}
		var v []float64
		for _, x := range a {
			f, err := ctx.DereferenceNumber(x)
			if err != nil {
				t.Fatal(err)
			}
			v = append(v, f)
		}
		return v
	}
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.PageDict(p, false)
		if err != nil {
			t.Fatal(err)
		}
		mb := inh.MediaBox
		out.media[p] = [4]float64{mb.LL.X, mb.LL.Y, mb.UR.X, mb.UR.Y}
		o, ok := d.Find("Annots")
		if !ok {
			continue
		}
		arr, err := ctx.DereferenceArray(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, ao := range arr {
			ad, err := ctx.DereferenceDict(ao)
			if err != nil {
				t.Fatal(err)
			}
			a := annotInfo{page: p, nm: str(ad, "NM"), contents: str(ad, "Contents"), title: str(ad, "T"),
				created: str(ad, "CreationDate"), m: str(ad, "M")}
			if st, ok := ad.Find("Subtype"); ok {
				a.subtype = st.(types.Name).Value()
			}
			if q, ok := ad.Find("QuadPoints"); ok {
				a.quads = nums(q)
			}
			if r, ok := ad.Find("Rect"); ok {
				a.rect = nums(r)
			}
			if c, ok := ad.Find("C"); ok {
				a.color = nums(c)
			}
			if apo, ok := ad.Find("AP"); ok {
				ap, err := ctx.DereferenceDict(apo)
				if err != nil {
					t.Fatal(err)
				}
				_, a.hasAP = ap.Find("N")
			}
			if ao, ok := ad.Find("A"); ok {
				act, err := ctx.DereferenceDict(ao)
				if err != nil {
					t.Fatal(err)
				}
				a.uri = str(act, "URI")
			}
			out.annots = append(out.annots, a)
		}
	}
	for _, e := range ctx.Table {
		if e == nil || e.Free {
			continue
		}
		if sd, ok := e.Object.(types.StreamDict); ok {
			if st := sd.Subtype(); st != nil && *st == "Image" {
				out.images++
			}
		}
	}
	return out
}

func renderPDF(t testing.TB, a Article, hs []Highlight, opt PDFOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	}
	if err := PDF(&buf, a, hs, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tool returns the path of a command-line tool, skipping the test when it is missing.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (poppler-utils / qpdf): %v", name, err)
	}
	return p
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfText extracts the text of a PDF with pdftotext.
func pdfToText(t testing.TB, data []byte) string {
	t.Helper()
	bin := tool(t, "pdftotext")
	out, err := exec.Command(bin, "-enc", "UTF-8", writeTemp(t, data), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// checkAnnotations checks the highlight annotations of a PDF against the highlights.
func checkAnnotations(t *testing.T, a Article, hs []Highlight, pd *pdfDoc) {
	t.Helper()
	p := prepare(a.Doc, hs)
	byNM := map[string]annotInfo{}
	for _, an := range pd.annots {
		if an.subtype != "Highlight" {
			continue
		}
		if _, dup := byNM[an.nm]; dup {
			t.Errorf("two annotations named %q", an.nm)
		}
		byNM[an.nm] = an
		mb := pd.media[an.page]
		if len(an.quads) == 0 || len(an.quads)%8 != 0 {
			t.Errorf("%s: %d quad points", an.nm, len(an.quads))
			continue
		}
		for i := 0; i < len(an.quads); i += 8 {
			q := an.quads[i : i+8]
			x1, y1, x2, y2, x3, y3, x4, y4 := q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]
			if !(y1 == y2 && y3 == y4 && y1 > y3 && x1 == x3 && x2 == x4 && x1 < x2) {
				t.Errorf("%s: quad %v is not upper left, upper right, lower left, lower right", an.nm, q)
			}
			for k := 0; k < 8; k += 2 {
				if q[k] < mb[0] || q[k] > mb[2] || q[k+1] < mb[1] || q[k+1] > mb[3] {
					t.Errorf("%s: quad %v outside the MediaBox %v", an.nm, q, mb)
				}
			}
			if len(an.rect) == 4 && (x1 < an.rect[0]-0.01 || x2 > an.rect[2]+0.01 || y3 < an.rect[1]-0.01 || y1 > an.rect[3]+0.01) {
				t.Errorf("%s: quad %v outside its Rect %v", an.nm, q, an.rect)
			}
		}
		if !an.hasAP {
			t.Errorf("%s: no appearance stream", an.nm)
		}
		if an.title != "Gloss" || an.created == "" || an.m == "" || len(an.color) != 3 {
			t.Errorf("%s: T %q, CreationDate %q, M %q, C %v", an.nm, an.title, an.created, an.m, an.color)
		}
	}
	count := 0
	for _, h := range p.anchored {
		an, ok := byNM[h.ID]
		if !ok {
			t.Errorf("highlight %s has no annotation", h.ID)
			continue
		}
		count++
		if want := annotationText(h); an.contents != want {
			t.Errorf("%s: Contents %q, want %q", h.ID, an.contents, want)
		}
		c := highlightRGB[colorOf(h.Color)]
		if len(an.color) == 3 && (abs(an.color[0]-c.r) > 0.01 || abs(an.color[1]-c.g) > 0.01 || abs(an.color[2]-c.b) > 0.01) {
			t.Errorf("%s: C %v, want %v", h.ID, an.color, c)
		}
		// Parts on later pages are named ID-pN, each on page N.
		for nm, other := range byNM {
			if rest, ok := strings.CutPrefix(nm, h.ID+"-p"); ok {
				count++
				if fmt.Sprint(other.page) != rest || other.page <= an.page {
					t.Errorf("%s on page %d", nm, other.page)
				}
			}
		}
	}
	if count != len(byNM) {
		t.Errorf("%d highlight annotations, %d accounted for by the highlights", len(byNM), count)
	}
	for _, h := range p.all {
		if h.orphan {
			if _, ok := byNM[h.ID]; ok {
				t.Errorf("orphaned highlight %s has an annotation", h.ID)
			}
		}
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestPDFAnnotations(t *testing.T) {
	rich := richArticle(t)
	gen, genHs := generatedArticle(t, 6000, 50, 2)
	// One highlight long enough to cross at least one page break.
	s, e := find(t, gen.Doc, "Section 2", 0)
	_, e2 := find(t, gen.Doc, "Section 4", 0)
	genHs = append(genHs, Highlight{ID: "long", Start: s, End: e2, Color: "purple", Note: "Spans pages"})
	_ = e
	tests := []struct {
		name string
		a    Article
		hs   []Highlight
	}{
		{"rich", rich, richHighlights(t, rich.Doc)},
		{"generated", gen, genHs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := renderPDF(t, tt.a, tt.hs, DefaultPDFOptions())
			pd := readPDF(t, data)
			if pd.pages < 1 {
				t.Fatalf("%d pages", pd.pages)
			}
			checkAnnotations(t, tt.a, tt.hs, pd)
			if tt.name == "generated" {
				parts := 0
				for _, an := range pd.annots {
					if an.nm == "long" || strings.HasPrefix(an.nm, "long-p") {
						parts++
					}
				}
				if parts < 2 {
					t.Errorf("a highlight over two sections has %d annotations, want one per page", parts)
				}
			}
		})
	}
}

func TestPDFFlatten(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	data := renderPDF(t, a, hs, PDFOptions{Flatten: true})
	pd := readPDF(t, data)
	for _, an := range pd.annots {
		if an.subtype == "Highlight" {
			t.Errorf("flattened PDF has highlight annotation %s", an.nm)
		}
	}
	// The paint is in the page: rendered, the highlight colours show.
	if n := highlightPixels(t, data, "yellow"); n == 0 {
		t.Errorf("no yellow highlight painted on page 1")
	}
	// Without the appendix, no notes.
	if text := pdfToText(t, data); strings.Contains(text, "Orphaned note") {
		t.Errorf("appendix printed without Appendix")
	}
}

// highlightPixels renders page 1 and counts the pixels in a highlight colour.
func highlightPixels(t testing.TB, data []byte, colorName string) int {
	t.Helper()
	bin := tool(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	c := highlightRGB[colorName]
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if abs(float64(r>>8)-c.r*255) < 6 && abs(float64(g>>8)-c.g*255) < 6 && abs(float64(bl>>8)-c.b*255) < 6 {
				n++
			}
		}
	}
	return n
}

func TestPDFAnnotationsRender(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	data := renderPDF(t, a, hs, DefaultPDFOptions())
	// The page content has no highlight paint; the annotations' appearance streams do it.
	if n := highlightPixels(t, data, "yellow"); n == 0 {
		t.Errorf("the highlight annotations do not show when rendered")
	}
	none := renderPDF(t, a, nil, DefaultPDFOptions())
	if n := highlightPixels(t, none, "yellow"); n != 0 {
		t.Errorf("%d yellow pixels without highlights", n)
	}
}

func TestPDFQPDFCheck(t *testing.T) {
	bin := tool(t, "qpdf")
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	gen, genHs := generatedArticle(t, 3000, 30, 3)
	for name, data := range map[string][]byte{
		"annotated": renderPDF(t, a, hs, DefaultPDFOptions()),
		"flattened": renderPDF(t, a, hs, PDFOptions{Flatten: true, Appendix: true}),
		"generated": renderPDF(t, gen, genHs, DefaultPDFOptions()),
		"empty":     renderPDF(t, Article{}, nil, DefaultPDFOptions()),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(bin, "--check", writeTemp(t, data)).CombinedOutput()
			if err != nil || strings.Contains(string(out), "WARNING") {
				t.Errorf("qpdf --check: %v\n%s", err, out)
			}
		})
	}
}

// words splits text into words, leaving out those with characters the fonts lack.
func pdfWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		ok := true
		for _, r := range w {
			if r > 0xffff || isCJK(r) || unicode.Is(unicode.Cf, r) || r == '\uFFFD' {
				ok = false
			}
		}
		if ok {
			out = append(out, w)
		}
	}
	return out
}

// inOrder reports the first word of want not found, in order, in got.
func inOrder(got, want []string) (string, bool) {
	i := 0
	for _, w := range want {
		for i < len(got) && got[i] != w {
			i++
		}
		if i == len(got) {
			return w, false
		}
		i++
	}
	return "", true
}

func TestPDFText(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	gen, genHs := generatedArticle(t, 2000, 20, 4)
	for _, tt := range []struct {
		name string
		a    Article
		hs   []Highlight
	}{{"rich", a, hs}, {"generated", gen, genHs}} {
		t.Run(tt.name, func(t *testing.T) {
			text := pdfToText(t, renderPDF(t, tt.a, tt.hs, DefaultPDFOptions()))
			var want []string
			for _, b := range tt.a.Doc.Blocks {
				want = append(want, pdfWords(tt.a.Doc.Text[b.Start:b.End])...)
			}
			if w, ok := inOrder(strings.Fields(text), want); !ok {
				t.Errorf("word %q missing or out of order in the extracted text:\n%s", w, text)
			}
			for _, s := range []string{"By Ada Lovelace", "Example News", "Published 1 March 2024"} {
				if tt.name == "rich" && !strings.Contains(text, s) {
					t.Errorf("title block lacks %q", s)
				}
			}
		})
	}
}

func TestPDFAppendix(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	text := pdfToText(t, renderPDF(t, a, hs, DefaultPDFOptions()))
	i := strings.LastIndex(text, "Notes")
	if i < 0 {
		t.Fatalf("no Notes section:\n%s", text)
	}
	notes := strings.Join(strings.Fields(text[i:]), " ")
	for _, s := range []string{"13 highlights, 1 no longer found in the text", "A sentence that was edited away.", "Orphaned note",
		"not found in the current text", "Famous *opening*.", "#quote #classic-lit", "Claimant: Dr. Who", "Kind: statistic",
		"Status: checking", "Evidence: none", "https://fact.example/1", "Spans a line break.", "page 1"} {
		if !strings.Contains(notes, s) {
			t.Errorf("notes lack %q:\n%s", s, notes)
		}
	}
	pd := readPDF(t, renderPDF(t, a, hs, DefaultPDFOptions()))
	var uris []string
	for _, an := range pd.annots {
		if an.uri != "" {
			uris = append(uris, an.uri)
		}
	}
	for _, want := range []string{"https://example.com/a_(b)", "https://fact.example/1", "https://example.com/trust?a=1&b=2"} {
		if !strings.Contains(strings.Join(uris, " "), want) {
			t.Errorf("no link to %s among %v", want, uris)
		}
	}
	for _, u := range uris {
		if strings.HasPrefix(u, "javascript") {
			t.Errorf("javascript link kept: %s", u)
		}
	}
}

func TestPDFBookmarks(t *testing.T) {
	a := richArticle(t)
	data := renderPDF(t, a, richHighlights(t, a.Doc), DefaultPDFOptions())
	disablePDFCPUConfig()
	bms, err := api.Bookmarks(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	var walk func([]pdfcpu.Bookmark, int)
	walk = func(bs []pdfcpu.Bookmark, depth int) {
		for _, b := range bs {
			titles = append(titles, fmt.Sprintf("%d:%s", depth, b.Title))
			walk(b.Kids, depth+1)
		}
	}
	walk(bms, 0)
	want := `0:Trust: a "field" guide|1:Emphasis mixed in a heading|1:Notes`
	if got := strings.Join(titles, "|"); got != want {
		t.Errorf("bookmarks %q, want %q", got, want)
	}
}

func TestPDFUnicode(t *testing.T) {
	html := `<h1>Заголовок 😀</h1><p>Emoji 😀👍🏽, astral 𝔘𝔫𝔦, Cyrillic Привет мир, Greek αβγ, CJK 中文字, Vietnamese Tiếng Việt,` +
		` combining e&#x301; a&#x30a;&#x323;, RTL &#x202E;abc, zero&#x200D;width, tab	here, control &#x7;.</p><pre>tabs	and 😀 in code</pre>`
	d := doc.Parse(html)
	a := Article{ID: 5, Title: "Заголовок 😀 𝔘", Byline: "Автор 😀", Doc: d, Saved: time.Now()}
	s, e := find(t, d, "👍🏽, astral 𝔘", 0)
	hs := []Highlight{{ID: "emoji", Start: s, End: e, Note: "Note with 😀 and 中文"}}
	for _, opt := range []PDFOptions{DefaultPDFOptions(), {Flatten: true}} {
		data := renderPDF(t, a, hs, opt)
		text := pdfToText(t, data)
		for _, want := range []string{"Привет мир", "αβγ", "Заголовок", "Tieng Viet"} {
			if !strings.Contains(text, want) {
				t.Errorf("extracted text lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(text, "\uFFFD") {
			t.Errorf("characters without a glyph left no visible mark:\n%s", text)
		}
		if !opt.Flatten {
			pd := readPDF(t, data)
			checkAnnotations(t, a, hs, pd)
		}
	}
}

// testImages returns the same picture as PNG, JPEG, GIF, interlaced-free WebP.
func testImages(t *testing.T) map[string][]byte {
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 60; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), 90, uint8(y * 6), 255})
		}
	}
	out := map[string][]byte{}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	out["image/png"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	out["image/jpeg"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	out["image/gif"] = append([]byte(nil), b.Bytes()...)
	webp, err := os.ReadFile(filepath.Join("testdata", "gopher.webp"))
	if err != nil {
		t.Fatal(err)
	}
	out["image/webp"] = webp
	return out
}

func TestPDFImages(t *testing.T) {
	imgs := testImages(t)
	var sb strings.Builder
	for _, m := range []string{"image/png", "image/jpeg", "image/gif", "image/webp", "broken", "missing"} {
		fmt.Fprintf(&sb, `<figure><img src="https://img.example/%s" alt="alt %s"><figcaption>Caption %s</figcaption></figure>`, m, m, m)
	}
	d := doc.Parse(sb.String())
	a := Article{ID: 9, Title: "Images", Doc: d, Image: func(src string) ([]byte, string, bool) {
		m := strings.TrimPrefix(src, "https://img.example/")
		if m == "broken" {
			return []byte("not an image"), "image/png", true
		}
		data, ok := imgs[m]
		return data, m, ok
	}}
	data := renderPDF(t, a, nil, DefaultPDFOptions())
	pd := readPDF(t, data)
	if pd.images < 4 {
		t.Errorf("%d images in the PDF, want the 4 readable ones", pd.images)
	}
	text := pdfToText(t, data)
	for _, want := range []string{"[Image: alt broken]", "[Image: alt missing]", "Caption image/webp"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "[Image: alt image/png]") {
		t.Errorf("a readable image was replaced by its alt text")
	}
}

func TestPDFEmptyAndOrphansOnly(t *testing.T) {
	for _, a := range []Article{{}, {Title: "Only a title"}, {Title: "T", Doc: doc.Parse("<p>x</p>")}} {
		hs := []Highlight{{ID: "o", Start: -1, End: -1, Quote: "gone"}}
		data := renderPDF(t, a, hs, DefaultPDFOptions())
		pd := readPDF(t, data)
		if pd.pages < 1 {
			t.Errorf("%q: %d pages", a.Title, pd.pages)
		}
		if !strings.Contains(pdfToText(t, data), "gone") {
			t.Errorf("%q: orphan missing from the appendix", a.Title)
		}
	}
}

func TestPDFConcurrent(t *testing.T) {
	// Exports run from the GUI's goroutines; the fonts parsed once are shared.
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	want := readPDF(t, renderPDF(t, a, hs, DefaultPDFOptions()))
	outs := make(chan []byte, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var buf bytes.Buffer
			if err := PDF(&buf, a, hs, DefaultPDFOptions()); err != nil {
				t.Error(err)
			}
			outs <- buf.Bytes()
		}()
	}
	for i := 0; i < 4; i++ {
		got := readPDF(t, <-outs)
		if got.pages != want.pages || len(got.annots) != len(want.annots) {
			t.Errorf("concurrent export: %d pages, %d annotations; alone: %d, %d", got.pages, len(got.annots), want.pages, len(want.annots))
		}
	}
}

// TestPDFLeavesFontsAlone: making a PDF does not change the embedded font files it
// draws with (fpdf writes into the bytes it is given while subsetting a font with fewer
// horizontal metrics than glyphs, such as Go Mono).
func TestPDFLeavesFontsAlone(t *testing.T) {
	fonts := map[string][]byte{"regular": assets.GoRegular, "bold": assets.GoBold, "italic": assets.GoItalic,
		"bold italic": assets.GoBoldItalic, "mono": assets.GoMono}
	before := map[string][32]byte{}
	for name, b := range fonts {
		before[name] = sha256.Sum256(b)
	}
	a := richArticle(t)
	renderPDF(t, a, richHighlights(t, a.Doc), DefaultPDFOptions())
	for name, b := range fonts {
		if sha256.Sum256(b) != before[name] {
			t.Errorf("exporting a PDF changed the embedded %s font", name)
		}
	}
}
