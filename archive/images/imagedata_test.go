package images

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// Real image bytes for the tests, made with the standard encoders. seed
// makes otherwise equal images differ, so their hashes do too.

func testImage(w, h int, seed uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.NRGBA{uint8(x*7) + seed, uint8(y*5) + seed, seed, 255})
		}
	}
	return m
}

func pngBytes(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h, seed)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h, seed), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h, seed), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpBytes encodes a w×h image of one colour as lossless WebP (VP8L).
// golang.org/x/image has no WebP encoder, so this writes the smallest valid
// bitstream by hand: no transforms, no colour cache, and five "simple"
// prefix codes of one symbol each (green, red, blue, alpha, distance). A
// one-symbol code takes no bits to read, so the pixel data is empty.
func webpBytes(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.write(0x2f, 8) // VP8L signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1) // alpha is used
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // 8-bit symbol
		bw.write(uint32(sym), 8)
	}
	bw.write(1, 1) // distance code: simple,
	bw.write(0, 1) // one symbol,
	bw.write(0, 1) // 1-bit symbol,
	bw.write(0, 1) // symbol 0
	payload := bw.bytes()

	var b bytes.Buffer
	chunk := len(payload)
	riffSize := 4 + 8 + chunk + chunk%2
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(riffSize))
	b.WriteString("WEBPVP8L")
	_ = binary.Write(&b, binary.LittleEndian, uint32(chunk))
	b.Write(payload)
	if chunk%2 == 1 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// bitWriter packs bits least significant first, as VP8L reads them.
type bitWriter struct {
	buf  []byte
	nbit uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := range n {
		if w.nbit%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>i&1 == 1 {
			w.buf[len(w.buf)-1] |= 1 << (w.nbit % 8)
		}
		w.nbit++
	}
}

func (w *bitWriter) bytes() []byte { return w.buf }

// pngBomb is a PNG signature and a valid IHDR chunk (CRC included) that
// claims w×h pixels, followed by an IEND: a few dozen bytes that would need
// gigabytes to decode.
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth
	ihdr[9] = 2 // colour type RGB
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
