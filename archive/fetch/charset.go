package fetch

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how much of a page is searched for a <meta> charset.
// Browsers prescan 1024 bytes and switch encodings if the parser meets a
// later declaration; scanning further here gets the same result in one pass.
const metaScanLimit = 64 << 10

var boms = []struct {
	mark  []byte
	label string
}{
	{[]byte{0xEF, 0xBB, 0xBF}, "utf-8"},
	{[]byte{0xFE, 0xFF}, "utf-16be"},
	{[]byte{0xFF, 0xFE}, "utf-16le"},
}

// DecodeHTML decodes an HTML document to UTF-8 and names the character set it
// used: a byte-order mark wins, then the charset of contentType (a
// Content-Type value, may be empty), then a <meta charset> or http-equiv
// declaration, then UTF-8. It never fails: undecodable bytes become U+FFFD.
func DecodeHTML(body []byte, contentType string) (utf8Text []byte, charsetName string) {
	enc, name, rest := detect(body, contentType)
	if name == "utf-8" && utf8.Valid(rest) {
		return bytes.Clone(rest), name
	}
	out, err := enc.NewDecoder().Bytes(rest)
	if err != nil {
		out, _ = unicode.UTF8.NewDecoder().Bytes(rest) // replaces, never fails
		name = "utf-8"
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, name
}

// detect returns the encoding of body, its name, and body without any
// byte-order mark.
func detect(body []byte, contentType string) (encoding.Encoding, string, []byte) {
	for _, b := range boms {
		if bytes.HasPrefix(body, b.mark) {
			e, name := charset.Lookup(b.label)
			return e, name, body[len(b.mark):]
		}
	}
	if e, name := lookup(headerCharset(contentType)); e != nil {
		return e, name, body
	}
	if e, name := metaCharset(body); e != nil {
		return e, name, body
	}
	e, name := charset.Lookup("utf-8")
	return e, name, body
}

func lookup(label string) (encoding.Encoding, string) {
	if label == "" {
		return nil, ""
	}
	return charset.Lookup(label)
}

func headerCharset(contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	return charsetFromContent(contentType)
}

// metaCharset finds the first <meta> that declares a known character set.
// Using the tokenizer rather than a byte scan skips comments and scripts.
func metaCharset(body []byte) (encoding.Encoding, string) {
	if len(body) > metaScanLimit {
		body = body[:metaScanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		tag, more := z.TagName()
		if string(tag) != "meta" {
			continue
		}
		var cs, content string
		var pragma bool
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch string(k) {
			case "charset":
				cs = string(v)
			case "http-equiv":
				pragma = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
			case "content":
				content = string(v)
			}
		}
		if cs == "" && pragma {
			cs = charsetFromContent(content)
		}
		e, name := lookup(cs)
		if e == nil {
			continue
		}
		// A document that can be read as ASCII to find this tag is not
		// UTF-16, and x-user-defined means windows-1252 (HTML standard).
		switch name {
		case "utf-16be", "utf-16le":
			return lookup("utf-8")
		case "x-user-defined":
			return lookup("windows-1252")
		}
		return e, name
	}
}

// charsetFromContent extracts the charset from a content attribute or a
// malformed Content-Type, as the HTML standard's algorithm does.
func charsetFromContent(s string) string {
	lower := asciiLower(s) // same length as s, unlike strings.ToLower
	for {
		i := strings.Index(lower, "charset")
		if i < 0 {
			return ""
		}
		s, lower = s[i+len("charset"):], lower[i+len("charset"):]
		rest := strings.TrimLeft(s, " \t\n\f\r")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n\f\r")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				return ""
			}
			return rest[1 : 1+end]
		}
		if end := strings.IndexAny(rest, " \t\n\f\r;"); end >= 0 {
			return rest[:end]
		}
		return rest
	}
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
