package reader_test

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"gloss/annotate/libgen"
	"gloss/app/reader"
	"gloss/archive/doc"
)

// BenchmarkOpenFromLibrary opens a 10,000-word article with 100 highlights (the
// libgen.LongArticle fixture) from the library to a laid-out reader, as the reader view
// does: the article and its current capture, the document derived from the cleaned HTML,
// the highlights and the article's annotations, then New, SetDocument, SetHighlights, an
// 800×600 window and the first frame painted by the test driver. The target is under
// 150 ms. In "warm", word widths Fyne measured in an earlier iteration stay in its cache,
// as when an article of the same text size was open before; in "cold" each iteration
// uses a text size never used before, so every word is measured afresh.
func BenchmarkOpenFromLibrary(b *testing.B) {
	test.NewTempApp(b)
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
	a, err := lib.ArticleByURL(ctx, libgen.LongArticle.URL)
	if err != nil {
		b.Fatal(err)
	}
	id := a.ID
	open := func(size float32) error {
		art, err := lib.Article(ctx, id)
		if err != nil {
			return err
		}
		d := doc.Parse(art.Current.CleanedHTML)
		hs, err := store.ForArticle(ctx, id)
		if err != nil {
			return err
		}
		if _, err := store.ArticleMeta(ctx, id); err != nil {
			return err
		}
		marks := make([]reader.Highlight, 0, len(hs))
		for _, h := range hs {
			marks = append(marks, reader.Highlight{ID: h.ID, Start: h.Start, End: h.End})
		}
		c := art.Current
		r := reader.New(reader.Options{TextSize: size})
		r.SetDocument(d, reader.Meta{Title: c.Title, Byline: c.Byline, Site: c.SiteName, URL: c.FinalURL, Saved: c.FetchedAt})
		r.SetHighlights(marks)
		w := test.NewWindow(r)
		w.Resize(fyne.NewSize(800, 600))
		w.Canvas().Capture()
		w.Close()
		return nil
	}
	for _, mode := range []string{"warm", "cold"} {
		b.Run(mode, func(b *testing.B) {
			var lat libgen.Latencies
			for i := 0; b.Loop(); i++ {
				size := float32(17)
				if mode == "cold" {
					size += float32(i+1) / 1024
				}
				if err := lat.Time(func() error { return open(size) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(lat.Milliseconds(50), "median-ms")
			b.ReportMetric(lat.Milliseconds(99), "p99-ms")
			b.ReportMetric(float64(doc.WordCount(a.Current.Text)), "words")
		})
	}
}
