package fetch

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func TestDecodeHTML(t *testing.T) {
	cyr := "<p>Привет, мир</p>"
	jp := "<p>日本語の記事です</p>"
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
		wantCharset string
	}{
		{"utf-8, nothing declared", []byte("<p>café</p>"), "", "<p>café</p>", "utf-8"},
		{"header", encode(t, charmap.Windows1251.NewEncoder(), cyr), "text/html; charset=windows-1251", cyr, "windows-1251"},
		{"header, quoted and upper case", encode(t, charmap.Windows1251.NewEncoder(), cyr), `text/html; CHARSET="Windows-1251"`, cyr, "windows-1251"},
		{"header, malformed", encode(t, charmap.Windows1251.NewEncoder(), cyr), `text/html; charset=windows-1251; x`, cyr, "windows-1251"},
		{"meta charset", encode(t, japanese.ShiftJIS.NewEncoder(), `<meta charset="shift_jis">`+jp), "text/html",
			`<meta charset="shift_jis">` + jp, "shift_jis"},
		{"meta http-equiv", encode(t, charmap.Windows1251.NewEncoder(), `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`+cyr), "",
			`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">` + cyr, "windows-1251"},
		{"meta after 2 KB of head", encode(t, charmap.Windows1251.NewEncoder(), "<style>"+strings.Repeat("p{}", 700)+`</style><meta charset=windows-1251>`+cyr), "",
			"<style>" + strings.Repeat("p{}", 700) + `</style><meta charset=windows-1251>` + cyr, "windows-1251"},
		{"header beats meta", encode(t, charmap.KOI8R.NewEncoder(), `<meta charset="windows-1251">`+cyr), "text/html; charset=koi8-r",
			`<meta charset="windows-1251">` + cyr, "koi8-r"},
		{"unknown header label: meta used", encode(t, charmap.Windows1251.NewEncoder(), `<meta charset="windows-1251">`+cyr), "text/html; charset=bogus",
			`<meta charset="windows-1251">` + cyr, "windows-1251"},
		{"UTF-8 BOM beats header", []byte("\xEF\xBB\xBF<p>café</p>"), "text/html; charset=windows-1251", "<p>café</p>", "utf-8"},
		{"UTF-16LE BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), cyr), "", cyr, "utf-16le"},
		{"UTF-16BE BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), jp), "", jp, "utf-16be"},
		{"meta in a comment is ignored", []byte("<!-- <meta charset=windows-1251> --><p>café</p>"), "",
			"<!-- <meta charset=windows-1251> --><p>café</p>", "utf-8"},
		{"meta in a script is ignored", []byte(`<script>var s = "<meta charset=windows-1251>";</script><p>café</p>`), "",
			`<script>var s = "<meta charset=windows-1251>";</script><p>café</p>`, "utf-8"},
		{"unknown meta label, then a known one", encode(t, charmap.Windows1251.NewEncoder(), `<meta charset="nonsense"><meta charset="cp1251">`+cyr), "",
			`<meta charset="nonsense"><meta charset="cp1251">` + cyr, "windows-1251"},
		{"meta utf-16 means utf-8", []byte(`<meta charset="utf-16"><p>café</p>`), "", `<meta charset="utf-16"><p>café</p>`, "utf-8"},
		{"latin-1 means windows-1252", []byte("<p>\x80 caf\xe9</p>"), "text/html; charset=iso-8859-1", "<p>€ café</p>", "windows-1252"},
		{"lone 0x80", []byte("\x80"), "", "\uFFFD", "utf-8"},
		{"invalid byte inside", []byte("a\xffb"), "text/html", "a\uFFFDb", "utf-8"},
		{"empty", nil, "", "", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cs := DecodeHTML(tt.body, tt.contentType)
			if string(got) != tt.want || cs != tt.wantCharset {
				t.Errorf("DecodeHTML = %q, %q; want %q, %q", got, cs, tt.want, tt.wantCharset)
			}
		})
	}
}

func TestDecodeHTMLCopies(t *testing.T) {
	body := []byte("<p>abc</p>")
	got, _ := DecodeHTML(body, "")
	got[0] = 'X'
	if body[0] != '<' {
		t.Error("DecodeHTML returned the input slice; writes to the result change the body")
	}
}

func TestCharsetFromContent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"text/html; charset=utf-8", "utf-8"},
		{"text/html;charset = 'koi8-r' ", "koi8-r"},
		{`text/html; CharSet="shift_jis"`, "shift_jis"},
		{"charsetcharset=x", "x"},
		{`charset="unterminated`, ""},
		{"charset=", ""},
		{"text/html", ""},
	}
	for _, tt := range tests {
		if got := charsetFromContent(tt.in); got != tt.want {
			t.Errorf("charsetFromContent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDecodeHTML states DecodeHTML's promise: it never panics, always names
// a charset, and always returns valid UTF-8; valid UTF-8 with nothing
// declared comes back unchanged.
func FuzzDecodeHTML(f *testing.F) {
	f.Add([]byte("<p>café</p>"), "")
	f.Add([]byte("\x80"), "text/html")
	f.Add([]byte("\xFF\xFE<\x00p\x00"), "")
	f.Add([]byte(`<meta charset="shift_jis">`+"\x82\xa0\x82"), "text/html")
	f.Add([]byte(`<meta http-equiv=content-type content="text/html;charset=euc-kr">`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		got, cs := DecodeHTML(body, contentType)
		if cs == "" {
			t.Fatalf("DecodeHTML(%q, %q) named no charset", body, contentType)
		}
		if !utf8.Valid(got) {
			t.Fatalf("DecodeHTML(%q, %q) = %q, not valid UTF-8", body, contentType, got)
		}
		if contentType == "" && !bytes.Contains(bytes.ToLower(body), []byte("charset")) &&
			utf8.Valid(body) && !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) && !bytes.Equal(got, body) {
			t.Fatalf("DecodeHTML(%q) = %q, want it unchanged", body, got)
		}
	})
}

func BenchmarkDecodeHTML(b *testing.B) {
	para := "<p>The quick brown fox — «быстрая лиса» — jumps over the lazy dog.</p>\n"
	doc := "<html><head><title>x</title></head><body>" + strings.Repeat(para, 10000) + "</body></html>"
	cp1251, _ := charmap.Windows1251.NewEncoder().String(strings.ReplaceAll(doc, "—", "-"))
	for _, bm := range []struct {
		name, contentType string
		body              []byte
	}{
		{"utf-8", "text/html; charset=utf-8", []byte(doc)},
		{"utf-8 undeclared", "text/html", []byte(doc)},
		{"windows-1251", "text/html; charset=windows-1251", []byte(cp1251)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.body)))
			for b.Loop() {
				DecodeHTML(bm.body, bm.contentType)
			}
		})
	}
}
