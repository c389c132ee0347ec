package archive

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkAddCaptures saves typical articles 500 to a transaction, as a bulk import or
// the benchmark library generator does; compare its ns/article with BenchmarkAddCapture,
// which pays one durable commit per article.
func BenchmarkAddCaptures(b *testing.B) {
	l := openTest(b)
	ctx := context.Background()
	batch := keyed(500)
	n := 0
	for b.Loop() {
		for i := range batch {
			batch[i].Key = fmt.Sprintf("text:%d", n)
			n++
		}
		if _, err := l.AddCaptures(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/article")
}
