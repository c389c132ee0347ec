package archive

import (
	"bytes"
	"regexp"
	"strings"

	xhtml "golang.org/x/net/html"
)

// savedFromRE finds the address in the comment a browser writes at the top of a page it
// saves ("<!-- saved from url=(0042)https://… -->"), and singleFileRE the one in
// SingleFile's ("Page saved with SingleFile", then "url: https://…").
var (
	savedFromRE  = regexp.MustCompile(`(?i)saved from url=\(\d+\)(https?://\S+)`)
	singleFileRE = regexp.MustCompile(`(?is)saved with singlefile.*?\burl:\s*(https?://\S+)`)
)

// StatedAddress returns the address a page file gives for itself, or "" when it gives
// none: the address in the comment a browser or SingleFile writes when it saves a page,
// else the canonical link, else the og:url property. Only absolute http and https
// addresses count. It reads the page no further than the start of its body.
func StatedAddress(page []byte) string {
	var saved, canonical, og string
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	for saved == "" {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		switch tt {
		case xhtml.CommentToken:
			text := z.Text()
			if m := savedFromRE.FindSubmatch(text); m != nil {
				saved = address(string(m[1]))
			} else if m := singleFileRE.FindSubmatch(text); m != nil {
				saved = address(string(m[1]))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return first(saved, canonical, og)
			case "link", "meta":
				attrs := map[string]string{}
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					attrs[string(k)] = string(v)
				}
				if string(name) == "link" && canonical == "" && hasToken(attrs["rel"], "canonical") {
					canonical = address(attrs["href"])
				}
				if string(name) == "meta" && og == "" && strings.EqualFold(attrs["property"], "og:url") {
					og = address(attrs["content"])
				}
			}
		}
	}
	return first(saved, canonical, og)
}

// address returns s when it is an absolute http or https address, else "".
func address(s string) string {
	u, err := parseAddress(s)
	if err != nil {
		return ""
	}
	return u.String()
}

func hasToken(list, token string) bool {
	for _, t := range strings.Fields(list) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
