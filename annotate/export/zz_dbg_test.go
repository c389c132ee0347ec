package export

import (
	"bytes"
	"gloss/archive/doc"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestDbgPerf(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	chars := []rune("ab =*_`[]<>#|~%$^\\!&\n😀中 ")
	for _, n := range []int{1000, 10000, 100000} {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteRune(chars[r.IntN(len(chars))])
		}
		d := fuzzDoc(sb.String(), 5)
		hs := fuzzHighlights(d, 5)
		for i := 0; i < 50; i++ {
			s := r.IntN(len(d.Text))
			hs = append(hs, Highlight{ID: "x", Start: s, End: s + r.IntN(200)})
		}
		a := Article{Title: "T", Doc: d}
		t0 := time.Now()
		var buf bytes.Buffer
		Markdown(&buf, a, hs, MarkdownOptions{})
		t1 := time.Now()
		HTML(&buf, a, hs)
		t2 := time.Now()
		PDF(&buf, a, hs, DefaultPDFOptions())
		t.Logf("n=%d blocks=%d md=%v html=%v pdf=%v", n, len(d.Blocks), t1.Sub(t0), t2.Sub(t1), time.Since(t2))
	}
	// One huge paragraph with many styles.
	var sb strings.Builder
	sb.WriteString("<p>")
	for i := 0; i < 5000; i++ {
		sb.WriteString("a<b>b</b>c<i>d</i>e<code>f</code>g<a href='https://x/'>h</a> ")
	}
	sb.WriteString("</p>")
	d := fuzzDoc("", 1)
	_ = d
	a := Article{Title: "T", Doc: parseDoc(sb.String())}
	hs := []Highlight{}
	for i := 0; i < 200; i++ {
		hs = append(hs, Highlight{ID: "x", Start: i * 50, End: i*50 + 500})
	}
	t0 := time.Now()
	var buf bytes.Buffer
	Markdown(&buf, a, hs, MarkdownOptions{})
	t1 := time.Now()
	HTML(&buf, a, hs)
	t2 := time.Now()
	PDF(&buf, a, hs, DefaultPDFOptions())
	t.Logf("huge paragraph md=%v html=%v pdf=%v", t1.Sub(t0), t2.Sub(t1), time.Since(t2))
}

func parseDoc(s string) *doc.Document { return doc.Parse(s) }
