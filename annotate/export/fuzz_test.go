package export

import (
	"bytes"
	"html"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"gloss/archive/doc"
)

// fuzzDoc builds a document from arbitrary text: the text cut into pieces, each wrapped in
// a block or inline element chosen by the seed.
func fuzzDoc(s string, seed uint64) *doc.Document {
	s = strings.ToValidUTF8(s, "\uFFFD")
	r := rand.New(rand.NewPCG(seed, 7))
	var sb strings.Builder
	blocks := []string{"p", "h2", "li", "blockquote", "pre", "td", "figcaption"}
	inlines := []string{"", "", "b", "i", "code", "s", "a", "b"}
	open := ""
	for len(s) > 0 {
		n := 1 + r.IntN(12)
		cut := 0
		for k := 0; k < n && cut < len(s); k++ {
			_, size := utf8.DecodeRuneInString(s[cut:])
			cut += size
		}
		piece := html.EscapeString(s[:cut])
		s = s[cut:]
		if r.IntN(4) == 0 {
			if open != "" {
				sb.WriteString("</" + open + ">")
				if open == "li" {
					sb.WriteString("</ul>")
				}
				if open == "td" {
					sb.WriteString("</tr></table>")
				}
			}
			open = blocks[r.IntN(len(blocks))]
			switch open {
			case "li":
				sb.WriteString("<ul>")
			case "td":
				sb.WriteString("<table><tr>")
			}
			sb.WriteString("<" + open + ">")
		}
		switch tag := inlines[r.IntN(len(inlines))]; tag {
		case "":
			sb.WriteString(piece)
		case "a":
			sb.WriteString(`<a href="https://x.example/` + html.EscapeString(piece) + `">` + piece + "</a>")
		default:
			sb.WriteString("<" + tag + ">" + piece + "</" + tag + ">")
		}
		switch r.IntN(8) {
		case 0:
			sb.WriteString("<br>")
		case 1:
			if open == "td" {
				sb.WriteString("</td><td>")
			}
		}
	}
	return doc.Parse(sb.String())
}

// fuzzHighlights places up to five highlights anywhere in the text.
func fuzzHighlights(d *doc.Document, seed uint64) []Highlight {
	r := rand.New(rand.NewPCG(seed, 11))
	var hs []Highlight
	if len(d.Text) == 0 {
		return nil
	}
	for i := 0; i < int(seed%6); i++ {
		s := r.IntN(len(d.Text))
		e := s + 1 + r.IntN(min(40, len(d.Text)-s))
		h := Highlight{ID: string(rune('a' + i)), Start: s, End: e, Color: Colors[i%len(Colors)]}
		if r.IntN(2) == 0 {
			h.Note = "note " + h.ID
		}
		hs = append(hs, h)
	}
	return hs
}

func FuzzMarkdown(f *testing.F) {
	f.Add("plain text with a few words", uint64(3))
	f.Add("a==b **c** _d_ `e` [f](g) <h> #i |j| ~k~ %%l%% $m$ ^n \\o !p", uint64(5))
	f.Add("1. x\n- y\n> z\n=== --- ***", uint64(4))
	f.Add("😀 𝔘 中文 Ж naïve ‮rtl", uint64(2))
	f.Add("``` ~~~ ``code`` `", uint64(9))
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		d := fuzzDoc(s, seed)
		a := Article{ID: 1, Title: "Fuzz", Doc: d}
		hs := fuzzHighlights(d, seed)
		var buf bytes.Buffer
		if err := Markdown(&buf, a, hs, MarkdownOptions{Digest: seed%2 == 0}); err != nil {
			t.Fatal(err)
		}
		checkMarkdown(t, a, hs, buf.String(), MarkdownOptions{Digest: seed%2 == 0})
	})
}

func FuzzFileName(f *testing.F) {
	f.Add("A title", int64(1), "md")
	f.Add("../../etc/passwd", int64(2), "pdf")
	f.Add("CON", int64(3), "md")
	f.Add("a/b\\c:d*e?f\"g<h>i|j\x00k\x1fl", int64(4), "html")
	f.Add(strings.Repeat("é", 300), int64(5), "md")
	f.Add("   ...   ", int64(6), "../x")
	f.Fuzz(func(t *testing.T, title string, id int64, ext string) {
		name := FileName(title, id, ext)
		if p := nameProblem(name); p != "" {
			t.Fatalf("FileName(%q, %d, %q) = %q: %s", title, id, ext, name, p)
		}
		if filepath.Base(name) != name {
			t.Fatalf("FileName(%q) = %q is not a base name", title, name)
		}
		if again := FileName(title, id, ext); again != name {
			t.Fatalf("FileName is not stable: %q then %q", name, again)
		}
	})
}

func FuzzHTML(f *testing.F) {
	f.Add("plain text with a few words", uint64(3))
	f.Add("<script>alert(1)</script> \" ' & <b>", uint64(5))
	f.Add("😀 𝔘 中文 Ж naïve", uint64(2))
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		d := fuzzDoc(s, seed)
		a := Article{ID: 1, Title: "Fuzz", Doc: d}
		hs := fuzzHighlights(d, seed)
		var buf bytes.Buffer
		if err := HTML(&buf, a, hs); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		checkNesting(t, page)
		skip := newHTMLWriter(a, hs).titleBlock("Fuzz")
		compareFlat(t, renderedFlat(t, page, "Notes"), expectedFlatSkip(a, hs, skip), false)
	})
}

func FuzzPDF(f *testing.F) {
	f.Add("plain text with a few words", uint64(3))
	f.Add("😀👍🏽 𝔘𝔫𝔦 中文 Ж naïve \u202e\u200d\t\x07 e\u0301", uint64(5))
	f.Add(strings.Repeat("longwordwithoutanyspaces", 20), uint64(2))
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		if len(s) > 4096 {
			// The text is set nine times over; long inputs only make the fuzzer slow.
			s = s[:4096]
		}
		d := fuzzDoc(s, seed)
		a := Article{ID: 1, Title: s, Byline: s, Note: s, Tags: []string{s}, Doc: d}
		hs := fuzzHighlights(d, seed)
		for i := range hs {
			hs[i].Note = s
		}
		var buf bytes.Buffer
		if err := PDF(&buf, a, hs, PDFOptions{Appendix: true, Flatten: seed%3 == 0}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatalf("not a PDF")
		}
	})
}
