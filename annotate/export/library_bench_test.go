package export_test

import (
	"context"
	"io"
	"testing"

	"gloss/annotate/export"
	"gloss/annotate/libgen"
)

// BenchmarkExportFromLibrary exports the libgen.ExportArticle fixture, 6,000 words of
// article text with 50 highlights, from the library: Load, then PDF or Markdown. The
// targets are PDF under 300 ms and Markdown under 20 ms. (BenchmarkPDF and
// BenchmarkMarkdown time the same sizes of generated words without the library.)
func BenchmarkExportFromLibrary(b *testing.B) {
	ctx := context.Background()
	lib, store, _, err := libgen.OpenBench(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := lib.Close(); err != nil {
			b.Error(err)
		}
	}()
	a, err := lib.ArticleByURL(ctx, libgen.ExportArticle.URL)
	if err != nil {
		b.Fatal(err)
	}
	formats := []struct {
		name  string
		write func(io.Writer, export.Article, []export.Highlight) error
	}{
		{"pdf", func(w io.Writer, a export.Article, hs []export.Highlight) error {
			return export.PDF(w, a, hs, export.DefaultPDFOptions())
		}},
		{"markdown", func(w io.Writer, a export.Article, hs []export.Highlight) error {
			return export.Markdown(w, a, hs, export.MarkdownOptions{Digest: true})
		}},
	}
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			var lat libgen.Latencies
			for b.Loop() {
				err := lat.Time(func() error {
					ea, hs, err := export.Load(ctx, lib, store, a.ID)
					if err != nil {
						return err
					}
					return f.write(io.Discard, ea, hs)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(lat.Milliseconds(50), "median-ms")
			b.ReportMetric(lat.Milliseconds(99), "p99-ms")
		})
	}
}
