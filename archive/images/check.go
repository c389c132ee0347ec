package images

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the pixel budget Check uses when given 0: 50
// megapixels, far above any article image and well below what would
// exhaust memory when decoded (4 bytes a pixel).
const DefaultMaxPixels = 50_000_000

var (
	// ErrNotImage: the bytes are not a JPEG, PNG, GIF or WebP image,
	// whatever the server said they were.
	ErrNotImage = errors.New("not an image")
	// ErrSVG: the bytes are an SVG document. SVG can carry scripts and
	// external references, so Gloss does not keep it.
	ErrSVG = errors.New("SVG images are not kept")
	// ErrCorrupt: the bytes start like an image but do not decode.
	ErrCorrupt = errors.New("corrupt image")
	// ErrTooBig: the file is larger than Options.MaxBytes.
	ErrTooBig = errors.New("image file too big")
)

// TooLargeError is returned for images with more pixels than allowed,
// before any pixel is decoded.
type TooLargeError struct {
	Width, Height int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("too large: %d×%d pixels", e.Width, e.Height)
}

// Info describes an image that passed Check.
type Info struct {
	MIME          string // image/jpeg, image/png, image/gif or image/webp
	Width, Height int
}

type format struct {
	mime   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	jpegFormat = format{"image/jpeg", jpeg.DecodeConfig, jpeg.Decode}
	pngFormat  = format{"image/png", png.DecodeConfig, png.Decode}
	gifFormat  = format{"image/gif", gif.DecodeConfig, gif.Decode}
	webpFormat = format{"image/webp", webp.DecodeConfig, webp.Decode}
)

// Check tells what image data holds, judging by its bytes alone (servers
// often lie about content types). It reads the declared dimensions first
// and refuses more than maxPixels (DefaultMaxPixels if maxPixels <= 0)
// with a *TooLargeError before decoding, so a small file claiming
// 100000×100000 pixels costs nothing; then it decodes the image (the first
// frame of a GIF) to make sure it is whole. Errors: ErrSVG, ErrNotImage,
// ErrCorrupt (wrapping the decoder's error), *TooLargeError.
func Check(data []byte, maxPixels int) (Info, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	f, err := sniff(data)
	if err != nil {
		return Info{}, err
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, fmt.Errorf("%w: %d×%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return Info{}, &TooLargeError{Width: cfg.Width, Height: cfg.Height}
	}
	if _, err := f.decode(bytes.NewReader(data)); err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return Info{MIME: f.mime, Width: cfg.Width, Height: cfg.Height}, nil
}

// sniff identifies the format by its signature.
func sniff(b []byte) (format, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return jpegFormat, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return pngFormat, nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return gifFormat, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return webpFormat, nil
	case isSVG(b):
		return format{}, ErrSVG
	}
	return format{}, ErrNotImage
}

// isSVG reports whether b is markup whose first kilobyte opens an svg
// element and is not an HTML page.
func isSVG(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) > 1024 {
		b = b[:1024]
	}
	if !bytes.HasPrefix(b, []byte("<")) {
		return false
	}
	head := bytes.ToLower(b)
	return bytes.Contains(head, []byte("<svg")) &&
		!bytes.Contains(head, []byte("<html")) && !bytes.Contains(head, []byte("<!doctype html"))
}
