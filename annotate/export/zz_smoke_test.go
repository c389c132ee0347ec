package export

import (
	"gloss/archive/doc"
	"os"
	"strings"
	"testing"
)

func TestSmokeMD(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	var sb strings.Builder
	err := Markdown(&sb, a, hs, MarkdownOptions{Digest: true, ImageDir: "img", WriteImage: func(string, []byte) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/smoke.md", []byte(sb.String()), 0644)
	_, body := splitFrontMatter(t, sb.String())
	os.WriteFile("/tmp/smoke.html", []byte(renderMarkdown(t, body)), 0644)
}

func TestSmokePDF(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	var buf strings.Builder
	if err := PDF(&buf, a, hs, DefaultPDFOptions()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/smoke.pdf", []byte(buf.String()), 0644)
	g, ghs := generatedArticle(t, 6000, 50, 1)
	buf.Reset()
	if err := PDF(&buf, g, ghs, DefaultPDFOptions()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/gen.pdf", []byte(buf.String()), 0644)
}

func TestSmokeUnicodePDF(t *testing.T) {
	html := `<h1>Заголовок 😀</h1><p>Emoji 😀👍🏽, astral 𝔘𝔫𝔦, Cyrillic Привет мир, Greek αβγ, CJK 中文字, Vietnamese Tiếng Việt,` +
		` combining e&#x301; a&#x30a;&#x323;, RTL &#x202E;abc, zero&#x200D;width, tab	here, control &#x7;.</p><pre>tabs	and 😀 in code</pre>`
	d := doc.Parse(html)
	a := Article{ID: 5, Title: "Заголовок 😀 𝔘", Byline: "Автор 😀", Doc: d}
	s, e := find(t, d, "👍🏽, astral 𝔘", 0)
	hs := []Highlight{{ID: "emoji", Start: s, End: e, Note: "Note with 😀 and 中文"}}
	var buf strings.Builder
	PDF(&buf, a, hs, DefaultPDFOptions())
	os.WriteFile("/tmp/uni.pdf", []byte(buf.String()), 0644)
	imgs := testImages(t)
	var sb strings.Builder
	for _, m := range []string{"image/png", "image/jpeg", "image/gif", "image/webp", "broken", "missing"} {
		sb.WriteString(`<figure><img src="https://img.example/` + m + `" alt="alt ` + m + `"><figcaption>Caption ` + m + `</figcaption></figure>`)
	}
	a2 := Article{ID: 9, Title: "Images", Doc: doc.Parse(sb.String()), Image: func(src string) ([]byte, string, bool) {
		m := strings.TrimPrefix(src, "https://img.example/")
		if m == "broken" {
			return []byte("not an image"), "image/png", true
		}
		data, ok := imgs[m]
		return data, m, ok
	}}
	buf.Reset()
	PDF(&buf, a2, nil, DefaultPDFOptions())
	os.WriteFile("/tmp/img.pdf", []byte(buf.String()), 0644)
}
