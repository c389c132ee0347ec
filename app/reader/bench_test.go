package reader

import (
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"gloss/archive/doc"
)

func hundredHighlights(d *doc.Document) []Highlight {
	hs := make([]Highlight, 100)
	for i := range hs {
		s := len(d.Text) * i / 100
		hs[i] = Highlight{ID: strconv.Itoa(i), Start: s, End: min(s+120, len(d.Text))}
	}
	return hs
}

// open shows d in a new reader in an 800x600 window and paints the first frame.
func open(d *doc.Document, hs []Highlight, size float32) (*Reader, fyne.Window) {
	r := New(Options{TextSize: size})
	r.SetDocument(d, Meta{Title: "A long generated article", Byline: "By A. Writer", URL: "https://example.org/a"})
	r.SetHighlights(hs)
	w := test.NewWindow(r)
	w.Resize(fyne.NewSize(800, 600))
	w.Canvas().Capture()
	return r, w
}

// BenchmarkOpen10k opens a 10,000-word article with 100 highlights: New, SetDocument,
// SetHighlights, Resize and the first frame painted by the test driver. Word widths Fyne
// measured in an earlier iteration stay in Fyne's own cache, as when reopening an article.
func BenchmarkOpen10k(b *testing.B) {
	test.NewTempApp(b)
	d := doc.Parse(longArticle(10000))
	hs := hundredHighlights(d)
	b.ResetTimer()
	for range b.N {
		_, w := open(d, hs, 17)
		w.Close()
	}
}

// BenchmarkOpen10kCold is BenchmarkOpen10k with a text size never used before in each
// iteration, so every word is measured afresh.
func BenchmarkOpen10kCold(b *testing.B) {
	test.NewTempApp(b)
	d := doc.Parse(longArticle(10000))
	hs := hundredHighlights(d)
	b.ResetTimer()
	for i := range b.N {
		_, w := open(d, hs, 17+float32(i+1)/1024)
		w.Close()
	}
}

// BenchmarkOffsetAt hit-tests positions spread over the view of a 10,000-word article.
func BenchmarkOffsetAt(b *testing.B) {
	test.NewTempApp(b)
	d := doc.Parse(longArticle(10000))
	r, w := open(d, hundredHighlights(d), 17)
	defer w.Close()
	r.ScrollToFraction(0.5)
	size := r.Size()
	b.ResetTimer()
	for i := range b.N {
		x := float32(i*37%int(size.Width)) + 0.5
		y := float32(i*53%int(size.Height)) + 0.5
		r.OffsetAt(fyne.NewPos(x, y))
	}
}

// BenchmarkScroll scrolls a 10,000-word article with 100 highlights by 40 pixels a step,
// as a mouse wheel does: each step brings lines into view and builds their objects.
func BenchmarkScroll(b *testing.B) {
	test.NewTempApp(b)
	d := doc.Parse(longArticle(10000))
	r, w := open(d, hundredHighlights(d), 17)
	defer w.Close()
	ev := &fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -40)}
	b.ResetTimer()
	for range b.N {
		if r.Progress() >= 1 {
			r.ScrollToFraction(0)
		}
		r.Scrolled(ev)
	}
}

// BenchmarkScrollThrough10k opens a 10,000-word article and scrolls it from top to bottom
// in 40-pixel steps; every block is laid out as it comes into view. It reports the time
// per step besides the time for the whole article.
func BenchmarkScrollThrough10k(b *testing.B) {
	test.NewTempApp(b)
	d := doc.Parse(longArticle(10000))
	hs := hundredHighlights(d)
	ev := &fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -40)}
	steps := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		r, w := open(d, hs, 17+float32(i+1)/1024)
		b.StartTimer()
		for r.Progress() < 1 {
			r.Scrolled(ev)
			steps++
		}
		b.StopTimer()
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
}
