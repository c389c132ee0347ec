package export

import (
	"io"
	"testing"
)

// The targets: PDF under 300 ms and Markdown under 20 ms for a 6,000-word article with 50
// highlights.

func BenchmarkPDF(b *testing.B) {
	a, hs := generatedArticle(b, 6000, 50, 42)
	opt := DefaultPDFOptions()
	b.ReportAllocs()
	for b.Loop() {
		if err := PDF(io.Discard, a, hs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPDFFlatten(b *testing.B) {
	a, hs := generatedArticle(b, 6000, 50, 42)
	opt := PDFOptions{Flatten: true, Appendix: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := PDF(io.Discard, a, hs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown(b *testing.B) {
	a, hs := generatedArticle(b, 6000, 50, 42)
	opt := MarkdownOptions{Digest: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := Markdown(io.Discard, a, hs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	a, hs := generatedArticle(b, 6000, 50, 42)
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, a, hs); err != nil {
			b.Fatal(err)
		}
	}
}
