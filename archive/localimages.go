package archive

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	xhtml "golang.org/x/net/html"
)

// inlineLocalImages returns page with each img whose src names a file beside it (a
// relative path, as a browser writes when it saves a page complete: "page_files/a.jpg")
// pointing at a data URL of that file instead, so that the page holds its pictures. Only
// regular files inside dir, of at most maxImageBytes, that look like images are read;
// such an img loses its srcset, which names the pictures on the web. The rest of the page
// is left byte for byte.
func inlineLocalImages(page []byte, dir string) []byte {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	var out bytes.Buffer
	at, copied := 0, 0 // where the current token starts; how much of page is in out
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		n := len(z.Raw())
		if tt == xhtml.StartTagToken || tt == xhtml.SelfClosingTagToken {
			if tok := z.Token(); tok.Data == "img" && inlineImage(&tok, dir) {
				out.Write(page[copied:at])
				out.WriteString(tok.String())
				copied = at + n
			}
		}
		at += n
	}
	if copied == 0 {
		return page
	}
	out.Write(page[copied:])
	return out.Bytes()
}

// inlineImage points an img token's src at a data URL of the local file it names, and
// reports whether it did.
func inlineImage(tok *xhtml.Token, dir string) bool {
	at := -1
	for i, a := range tok.Attr {
		if a.Key == "src" {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	data, ok := localFile(dir, tok.Attr[at].Val)
	if !ok {
		return false
	}
	mime := http.DetectContentType(data)
	if !strings.HasPrefix(mime, "image/") {
		return false
	}
	tok.Attr[at].Val = "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
	attrs := tok.Attr[:0]
	for _, a := range tok.Attr {
		if a.Key != "srcset" && a.Key != "sizes" {
			attrs = append(attrs, a)
		}
	}
	tok.Attr = attrs
	return true
}

// localFile reads the file a relative address names under dir, when it is a regular file
// inside dir of at most maxImageBytes.
func localFile(dir, src string) ([]byte, bool) {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || strings.HasPrefix(u.Path, "/") {
		return nil, false
	}
	path := filepath.Join(dir, filepath.FromSlash(u.Path))
	if rel, err := filepath.Rel(dir, path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, false
	}
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxImageBytes {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return data, true
}
