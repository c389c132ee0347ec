package images

import (
	"errors"
	"image/color"
	"testing"

	"golang.org/x/image/webp"
)

func TestWebPHelperDecodes(t *testing.T) {
	want := color.NRGBA{R: 200, G: 100, B: 50, A: 255}
	for _, size := range [][2]int{{1, 1}, {3, 2}, {64, 48}} {
		data := webpBytes(size[0], size[1], want)
		cfg, err := webp.DecodeConfig(bytesReader(data))
		if err != nil {
			t.Fatalf("%v: DecodeConfig: %v", size, err)
		}
		if cfg.Width != size[0] || cfg.Height != size[1] {
			t.Errorf("%v: config %d×%d", size, cfg.Width, cfg.Height)
		}
		m, err := webp.Decode(bytesReader(data))
		if err != nil {
			t.Fatalf("%v: Decode: %v", size, err)
		}
		if got := color.NRGBAModel.Convert(m.At(size[0]-1, size[1]-1)); got != want {
			t.Errorf("%v: pixel = %v, want %v", size, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`)
	truncated := pngBytes(t, 40, 30, 1)
	truncated = truncated[:len(truncated)/2]
	tests := []struct {
		name    string
		data    []byte
		want    Info
		wantErr error
	}{
		{"png", pngBytes(t, 40, 30, 1), Info{"image/png", 40, 30}, nil},
		{"jpeg", jpegBytes(t, 64, 48, 2), Info{"image/jpeg", 64, 48}, nil},
		{"gif", gifBytes(t, 20, 10, 3), Info{"image/gif", 20, 10}, nil},
		{"webp", webpBytes(16, 9, color.NRGBA{1, 2, 3, 255}), Info{"image/webp", 16, 9}, nil},
		{"svg", svg, Info{}, ErrSVG},
		{"svg with BOM and space", append([]byte("\xef\xbb\xbf \n"), svg...), Info{}, ErrSVG},
		{"html page", []byte("<!DOCTYPE html><html><body><svg></svg></body></html>"), Info{}, ErrNotImage},
		{"text", []byte("hello"), Info{}, ErrNotImage},
		{"empty", nil, Info{}, ErrNotImage},
		{"truncated png", truncated, Info{}, ErrCorrupt},
		{"png signature only", []byte("\x89PNG\r\n\x1a\n"), Info{}, ErrCorrupt},
		{"webp header only", []byte("RIFF\x04\x00\x00\x00WEBP"), Info{}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.data, 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Check err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Check = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckTooLarge(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		maxPixels int
		wantMsg   string
	}{
		{"png bomb", pngBomb(100000, 100000), 0, "too large: 100000×100000 pixels"},
		{"png bomb, wide", pngBomb(1<<30, 1), 0, "too large: 1073741824×1 pixels"},
		{"real image over a small budget", jpegBytes(t, 64, 48, 1), 1000, "too large: 64×48 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.data, tt.maxPixels)
			var tl *TooLargeError
			if !errors.As(err, &tl) {
				t.Fatalf("Check err = %v, want *TooLargeError", err)
			}
			if got := err.Error(); got != tt.wantMsg {
				t.Errorf("error = %q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestLocalRef(t *testing.T) {
	const h = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if got, want := LocalRef(h), "gloss-image:"+h; got != want {
		t.Errorf("LocalRef = %q, want %q", got, want)
	}
	tests := []struct {
		src  string
		want string
		ok   bool
	}{
		{"gloss-image:" + h, h, true},
		{LocalRef(h), h, true},
		{"gloss-image:" + h[:63], "", false},
		{"gloss-image:" + h + "0", "", false},
		{"gloss-image:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "", false},
		{"https://example.com/" + h, "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseLocalRef(tt.src)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLocalRef(%q) = %q, %v; want %q, %v", tt.src, got, ok, tt.want, tt.ok)
		}
	}
}
