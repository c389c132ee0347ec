package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gloss/archive/images"
)

// fillLibrary adds articles to l until its file holds about size bytes: each
// has 4,000 words of text (with its cleaned HTML and gzipped raw page) and a
// 100 KB image, roughly what a saved long read weighs.
func fillLibrary(tb testing.TB, l *Library, size int64, seed uint64) {
	tb.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 7))
	for n := 0; ; {
		st, err := os.Stat(l.Path())
		if err != nil {
			tb.Fatal(err)
		}
		wal, _ := os.Stat(l.Path() + "-wal")
		if st.Size()+walSize(wal) >= size {
			return
		}
		err = l.Write(ctx, func(tx *sql.Tx) error {
			for range 20 {
				text := generateText(r, 4000)
				c := Capture{Title: generateText(r, 6), Text: text, CleanedHTML: "<p>" + text + "</p>", RawHTML: []byte("<html>" + text)}
				raw, err := compress(c.RawHTML)
				if err != nil {
					return err
				}
				_, cid, err := l.addCapture(ctx, tx, fmt.Sprintf("text:fill-%d-%d", seed, n), c, raw)
				if err != nil {
					return err
				}
				data := make([]byte, 100<<10)
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				sum := sha256.Sum256(data)
				im := images.Image{Hash: fmt.Sprintf("%x", sum), MIME: "image/png", Width: 100, Height: 100, Data: data, URL: "https://example.com/i.png"}
				if err := insertImages(ctx, tx, cid, []images.Image{im}, nil); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func walSize(fi os.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}

// BenchmarkOpenCheck measures the check Open runs, at each depth, on
// libraries of several sizes (file in the page cache). It sets the limits
// fullCheckBelow.
func BenchmarkOpenCheck(b *testing.B) {
	for _, mb := range []int64{16, 64, 256} {
		path := filepath.Join(b.TempDir(), "library.db")
		l, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		fillLibrary(b, l, mb<<20, uint64(mb))
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		for _, pragma := range []string{"integrity_check(5)", "quick_check(5)", "schema_version"} {
			b.Run(fmt.Sprintf("%dMB/%s", mb, pragma), func(b *testing.B) {
				for b.Loop() {
					if d, err := checkPages(context.Background(), path, pragma); err != nil || d != "" {
						b.Fatalf("checkPages = %q, %v", d, err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(mb), "ms/MB")
			})
		}
		b.Run(fmt.Sprintf("%dMB/Open", mb), func(b *testing.B) {
			for b.Loop() {
				l, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
