package export

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"

	"gloss/archive/doc"
)

// richHTML exercises every kind of block and inline style, and text that Markdown, HTML
// and YAML would misread if it were not escaped.
const richHTML = `<article>
<h1>Trust: a "field" guide</h1>
<p>It was the <b>best</b> of times, it was the <i>worst</i> of times; read <a href="https://example.com/a_(b)">the source</a> and <code>go test ./...</code> now.</p>
<p>Special: 2 * 3 = 6, a==b, x_y_z, _under_, [not a link](x), &lt;script&gt;alert(1)&lt;/script&gt;, #hashtag, $5 and $6, 100% and %%comment%%, ~~tilde~~, back\slash, pipe | bar, ^caret, &amp;copy; done!</p>
<p>1. not a list</p>
<p>- not a bullet</p>
<p># not a heading</p>
<p>&gt; not a quote</p>
<h2>Emphasis <em>mixed</em> in a heading</h2>
<p>Some <strong>bold text with <em>bold italic</em> inside</strong> and <s>struck</s> words, <strong><em>all of it</em></strong>, and a <a href="javascript:alert(1)">bad link</a>.</p>
<p>Line one<br>line two<br>- line three</p>
<blockquote><p>A quote with <b>weight</b>.</p><blockquote><p>A quote inside it.</p></blockquote><p>Back out.</p></blockquote>
<ul><li>First item</li><li>Second item<ul><li>Nested one</li><li>Nested <code>two</code></li></ul></li><li>Third item</li></ul>
<ol start="3"><li>Three</li><li>Four</li></ol>
<pre><code>func main() {
	fmt.Println("` + "``" + ` == **")
}</code></pre>
<figure><img src="https://img.example/a.png" alt="A [red] square"><figcaption>Figure 1: a <b>red</b> square</figcaption></figure>
<table><tr><th>Name</th><th>Value | pipe</th></tr><tr><td>alpha</td><td><code>a|b</code></td></tr><tr><td>beta</td><td>two<br>lines</td></tr></table>
<hr>
<p>Unicode: naïve café, Ж, 中文, emoji 😀 and 𝔘.</p>
<p>The end.</p>
</article>`

// testImage is a small PNG.
func testImage(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{200, 30, 30, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// richArticle is the rich fixture with images served from memory.
func richArticle(t testing.TB) Article {
	d := doc.Parse(richHTML)
	pngData := testImage(t)
	pub := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	return Article{
		ID:        42,
		Title:     `Trust: a "field" guide`,
		Byline:    "By Ada Lovelace and Grace Hopper",
		Site:      "Example News",
		URL:       "https://example.com/trust?a=1&b=2",
		Published: &pub,
		Saved:     time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC),
		Tags:      []string{"media literacy", "trust", "- dash"},
		Note:      "Worth re-reading.",
		Doc:       d,
		HTML:      richHTML,
		Image: func(src string) ([]byte, string, bool) {
			if src == "https://img.example/a.png" {
				return pngData, "image/png", true
			}
			return nil, "", false
		},
	}
}

// find returns the highlight over the n-th occurrence (from 0) of s in the text.
func find(t testing.TB, d *doc.Document, s string, nth int) (int, int) {
	t.Helper()
	off := 0
	for k := 0; ; k++ {
		i := strings.Index(d.Text[off:], s)
		if i < 0 {
			t.Fatalf("%q (#%d) not in text", s, nth)
		}
		if k == nth {
			return off + i, off + i + len(s)
		}
		off += i + len(s)
	}
}

// richHighlights highlights the fixture across styles, blocks, code and table cells.
func richHighlights(t testing.TB, d *doc.Document) []Highlight {
	created := time.Date(2024, 3, 3, 12, 0, 0, 0, time.UTC)
	mk := func(id, s string, nth int, color, note string, tags []string, claim *Claim) Highlight {
		start, end := find(t, d, s, nth)
		return Highlight{ID: id, Start: start, End: end, Color: color, Note: note, Tags: tags, Claim: claim, Created: created}
	}
	return []Highlight{
		mk("h-best", "best of times, it", 0, "yellow", "Famous *opening*.", []string{"quote", "classic lit"}, nil),
		mk("h-source", "read the source and", 0, "green", "", nil, nil),
		mk("h-special", "a==b, x_y_z", 0, "blue", "Escapes matter", nil, &Claim{Claimant: "Dr. Who", Kind: "statistic", Status: "checking", Verdict: "", Evidence: "none", Links: []string{"https://fact.example/1"}}),
		mk("h-bolditalic", "with bold italic in", 0, "pink", "", []string{"style"}, nil),
		mk("h-lines", "one\nline two", 0, "purple", "Spans a line break.", nil, nil),
		mk("h-quote", "weight.", 0, "orange", "", nil, nil),
		mk("h-nested", "Nested one", 0, "yellow", "", nil, nil),
		mk("h-code", "fmt.Println", 0, "green", "Code highlight", nil, nil),
		mk("h-cell", "alpha", 0, "blue", "In a table", nil, nil),
		mk("h-unicode", "café, Ж, 中文, emoji 😀", 0, "yellow", "Unicode note", nil, nil),
		mk("h-overlap-a", "The end", 0, "green", "first", nil, nil),
		mk("h-overlap-b", "end.", 0, "pink", "second", nil, nil),
		{ID: "h-orphan", Start: -1, End: -1, Color: "blue", Quote: "A sentence that was edited away.", Note: "Orphaned note", Created: created},
	}
}

// words for generated articles.
var genWords = strings.Fields(`the of and to in is was for that on with as by at from his her an it they
report evidence claim source official data study researchers government policy market climate
election court investigation statement document analysis percent million according said would
could should public private national international local minister president committee agency`)

// generatedArticle builds an article of about n words, with headings, lists, quotes and
// code, and k highlights at word boundaries spread through it.
func generatedArticle(t testing.TB, n, k int, seed uint64) (Article, []Highlight) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var sb strings.Builder
	sb.WriteString("<article>")
	count := 0
	sec := 0
	for count < n {
		if count >= sec*600 {
			sec++
			fmt.Fprintf(&sb, "<h2>Section %d: %s</h2>", sec, genWords[r.IntN(len(genWords))])
		}
		switch r.IntN(10) {
		case 0:
			sb.WriteString("<ul>")
			for i := 0; i < 3; i++ {
				sb.WriteString("<li>" + sentence(r, 8+r.IntN(8), &count) + "</li>")
			}
			sb.WriteString("</ul>")
		case 1:
			sb.WriteString("<blockquote><p>" + sentence(r, 20+r.IntN(20), &count) + "</p></blockquote>")
		case 2:
			sb.WriteString("<pre><code>x := compute(a, b) // " + genWords[r.IntN(len(genWords))] + "\nreturn x * 2</code></pre>")
		default:
			sb.WriteString("<p>" + sentence(r, 40+r.IntN(60), &count) + "</p>")
		}
	}
	sb.WriteString("</article>")
	d := doc.Parse(sb.String())
	var words [][2]int
	in := false
	for i, c := range d.Text {
		if unicode.IsLetter(c) {
			if !in {
				words = append(words, [2]int{i, i})
				in = true
			}
			words[len(words)-1][1] = i + 1
		} else {
			in = false
		}
	}
	var hs []Highlight
	step := len(words) / (k + 1)
	colors := Colors
	for i := 0; i < k; i++ {
		w0 := (i+1)*step + r.IntN(step/2+1)
		w1 := min(len(words)-1, w0+1+r.IntN(12))
		h := Highlight{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Start: words[w0][0], End: words[w1][1],
			Color: colors[i%len(colors)], Created: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC),
		}
		if i%2 == 0 {
			h.Note = fmt.Sprintf("Note %d about this passage.", i)
		}
		if i%5 == 0 {
			h.Tags = []string{"tag" + fmt.Sprint(i%3)}
		}
		if i%7 == 0 {
			h.Claim = &Claim{Claimant: "Minister", Kind: "quote", Status: "verified", Verdict: "true"}
		}
		hs = append(hs, h)
	}
	a := Article{ID: 7, Title: "A generated article", Byline: "Test Writer", Site: "Gen", URL: "https://gen.example/a",
		Saved: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Doc: d, HTML: sb.String()}
	return a, hs
}

// sentence writes n words, some bold, italic, linked or code, and counts them.
func sentence(r *rand.Rand, n int, count *int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		w := genWords[r.IntN(len(genWords))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		switch r.IntN(25) {
		case 0:
			w = "<b>" + w + "</b>"
		case 1:
			w = "<i>" + w + "</i>"
		case 2:
			w = `<a href="https://example.com/` + w + `">` + w + "</a>"
		case 3:
			w = "<code>" + w + "</code>"
		}
		sb.WriteString(w)
	}
	*count += n
	return sb.String() + "."
}

// nestedArticle nests code, paragraphs, lists and quotes in list items and quotes, with a
// highlight in each.
func nestedArticle(t testing.TB) (Article, []Highlight) {
	a := Article{ID: 2, Title: "Nested", Doc: doc.Parse(`<ul><li>item one<pre>code  line
  indented ` + "```" + `</pre><p>continued <b>para</b></p></li><li>two<ol start="10"><li>ten</li><li>eleven<ul><li>deep</li></ul></li></ol></li></ul>` +
		`<ol><li>x</li></ol><ul><li>[x](https://e.example/) link</li></ul><blockquote><ul><li>quoted item</li></ul><pre>quoted code</pre><blockquote><p>deeper</p></blockquote><p>back</p></blockquote>` +
		`<dl><dt>term</dt><dd>definition</dd></dl><table><tr><td>only</td></tr></table><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>`)}
	var hs []Highlight
	for i, s := range []string{"one", "line\n  indented", "para", "ten", "deep", "quoted item", "quoted code", "deeper", "definition", "only", "c"} {
		st, e := find(t, a.Doc, s, 0)
		hs = append(hs, Highlight{ID: s, Start: st, End: e, Note: fmt.Sprint("n", i)})
	}
	return a, hs
}
