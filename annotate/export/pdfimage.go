package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif" // decoders for image.DecodeConfig and re-encoding
	_ "image/jpeg"
	"image/png"
	"strings"

	"github.com/go-pdf/fpdf"
	_ "golang.org/x/image/webp"

	"gloss/archive/doc"
)

// imageInfo is an image registered with the PDF.
type imageInfo struct {
	name string
	w, h int // pixels
	ok   bool
}

// maxImagePixels bounds the images decoded for re-encoding, against decompression bombs.
const maxImagePixels = 40_000_000

// registerImage puts a stored image into the PDF: JPEG, PNG and GIF as they are, WebP
// (and anything fpdf cannot read as it is, such as interlaced PNG) decoded and
// re-encoded as PNG. It returns ok false when the image cannot be used.
func (pw *pdfWriter) registerImage(src string) imageInfo {
	if info, done := pw.images[src]; done {
		return info
	}
	info := imageInfo{}
	defer func() { pw.images[src] = info }()
	if pw.a.Image == nil || src == "" {
		return info
	}
	data, _, ok := pw.a.Image(src)
	if !ok || len(data) == 0 {
		return info
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxImagePixels {
		return info
	}
	sum := sha256.Sum256([]byte(src))
	name := "img" + hex.EncodeToString(sum[:8])
	f := pw.f
	typ := map[string]string{"jpeg": "JPG", "png": "PNG", "gif": "GIF"}[format]
	if typ != "" {
		f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(data))
		if f.Err() {
			f.ClearError()
			typ = ""
		}
	}
	if typ == "" {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return info
		}
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, img); err != nil {
			return info
		}
		name += "p"
		f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
		if f.Err() {
			f.ClearError()
			return info
		}
	}
	info = imageInfo{name: name, w: cfg.Width, h: cfg.Height, ok: true}
	return info
}

// image draws an image block scaled to the column, or its alt text when the image is
// not stored or cannot be read. A captioned image stays on a page with its caption's
// first lines.
func (pw *pdfWriter) image(b doc.Block, captioned bool) {
	x := marginL + pw.indent(b)
	avail := textW - (x - marginL)
	info := pw.registerImage(b.Src)
	if !info.ok {
		alt := strings.TrimSpace(b.Alt)
		if alt == "" {
			return
		}
		items := pw.plainItems(nil, "[Image: "+alt+"]", doc.Italic, itemStyle{size: 9, color: colGray})
		pw.paragraph(items, x, avail, lead, pw.quoteBars(b.Quote))
		pw.y += 4
		return
	}
	// CSS pixels are 3/4 of a point; never enlarge, fit the column and half a page.
	w := float64(info.w) * 0.75
	if b.Width > 0 {
		w = float64(b.Width) * 0.75
	}
	h := w * float64(info.h) / float64(info.w)
	maxH := (bodyBottom - marginTop) * 0.55
	scale := min(1, avail/w, maxH/h)
	w, h = w*scale, h*scale
	pw.y += 4
	keep := h + 4
	if captioned {
		keep += 2 * 9 * lead
	}
	pw.ensure(keep)
	pw.f.ImageOptions(info.name, x, pw.y, w, h, false, fpdf.ImageOptions{}, 0, "")
	pw.y += h + 8
}
