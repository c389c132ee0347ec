package archive

import (
	"bytes"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzInlineLocalImages feeds pages naming a picture that sits beside them: it never
// panics, the page up to its first img comes back byte for byte, the result still parses,
// and it is the page itself when it names no file there.
func FuzzInlineLocalImages(f *testing.F) {
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.png"), pngBytes(f, 4, 3, color.Black), 0o644); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`<p>x</p><img src="a.png" alt="a" srcset="b.png 2x"><p>y`,
		`<IMG SRC=a.png>`, `<img src='./a.png'/>`, `<script><img src="a.png"></script><img src="a.png">`,
		`<!-- <img src="a.png"> --><img src="../a.png"><img src="a.png`, `<img src="%61.png">`,
		`<svg><img src="a.png"></svg>`, "<img src=\"a.png\" alt=\"caf\xe9\">",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		out := inlineLocalImages(page, dir)
		first := imgIndex(page)
		if first < 0 || !bytes.Contains(page, []byte("png")) && !bytes.Contains(page, []byte("%")) {
			if !bytes.Equal(out, page) {
				t.Fatalf("a page naming no picture changed:\n%q\n%q", page, out)
			}
			return
		}
		if !bytes.HasPrefix(out, page[:first]) {
			t.Fatalf("the page before its first img changed:\n%q\n%q", page, out)
		}
		if _, err := html.Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("the result does not parse: %v", err)
		}
		if !bytes.Equal(out, page) && !strings.Contains(string(out), "data:image/png;base64,") {
			t.Fatalf("the page changed without taking in the picture:\n%q\n%q", page, out)
		}
	})
}

// imgIndex returns where the first "<img" is in page, in any case, or -1.
func imgIndex(page []byte) int {
	for i := 0; i+4 <= len(page); i++ {
		if page[i] == '<' && strings.EqualFold(string(page[i+1:i+4]), "img") {
			return i
		}
	}
	return -1
}
