package reader

import (
	"fmt"
	"image/png"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"gloss/archive/doc"
)

func TestScratch(t *testing.T) {
	test.NewTempApp(t)
	html := `<h1>A heading here</h1><p>Hello <b>bold</b> and <i>italic</i> text with a <a href="https://x.org">link</a> and café 日本語 😀 emoji. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>
<blockquote><p>A quoted paragraph that goes on for a while to wrap over lines, and more words.</p></blockquote>
<ul><li>First item</li><li>Second item with <code>code</code></li></ul>
<ol><li>One</li><li>Two</li></ol>
<pre>func main() {
	fmt.Println("hello")
}</pre>
<table><tr><td>Name</td><td>Value</td></tr><tr><td>alpha</td><td>1</td></tr></table>
<hr><figure><img src="x.png" alt="A missing picture"><figcaption>The caption</figcaption></figure><p>End.</p>`
	d := doc.Parse(html)
	r := New(Options{})
	t0 := time.Now()
	r.SetDocument(d, Meta{Title: "The Moscow concert massacre was a big security mistake", Byline: "By The Associated Press", Site: "apnews.com", URL: "https://apnews.com/article/x", Published: time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)})
	w := test.NewWindow(r)
	w.Resize(fyne.NewSize(800, 900))
	r.SetHighlights([]Highlight{{ID: "a", Start: 20, End: 60}})
	img := w.Canvas().Capture()
	fmt.Println(time.Since(t0))
	f, _ := os.Create("/tmp/scratch.png")
	png.Encode(f, img)
	f.Close()
	fmt.Printf("%q\n", d.Text[:80])
	for i := 0; i < 30; i++ {
		p := r.PositionOf(i)
		fmt.Println(i, p, r.OffsetAt(p))
	}
}
