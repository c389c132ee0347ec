package importer

import (
	"bufio"
	"errors"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// readPocketHTML reads Pocket's ril_export.html: a list of links under the headings
// "Unread" and "Read Archive", each <a href time_added tags="a,b">title</a>.
func readPocketHTML(r io.Reader, fn func(Entry) error) error {
	z := html.NewTokenizer(r)
	archived := false
	var heading *strings.Builder // text of the current <h1>, while inside it
	var cur *Entry               // the link being read, while inside it
	var title strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return z.Err()
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "h1", "h2":
				heading = &strings.Builder{}
			case "a":
				attrs := attributes(z, hasAttr)
				cur = &Entry{
					URL:      clean(attrs["href"]),
					Tags:     splitTags(attrs["tags"], ","),
					Added:    parseUnix(attrs["time_added"]),
					Archived: archived,
				}
				title.Reset()
			}
		case html.TextToken:
			switch {
			case cur != nil:
				title.Write(z.Text())
			case heading != nil:
				heading.Write(z.Text())
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "h1", "h2":
				if heading != nil {
					archived = strings.Contains(strings.ToLower(heading.String()), "archive")
					heading = nil
				}
			case "a":
				if cur == nil {
					continue
				}
				cur.Title = clean(title.String())
				if cur.Title == cur.URL {
					cur.Title = "" // Pocket writes the address when it had no title
				}
				e := *cur
				cur = nil
				if e.URL == "" {
					continue
				}
				if err := fn(e); err != nil {
					return err
				}
			}
		}
	}
}

// attributes returns the attributes of the current tag, names lower-cased.
func attributes(z *html.Tokenizer, more bool) map[string]string {
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs[string(k)] = string(v)
	}
	return attrs
}

// rootFolders are the folders browsers make themselves; they say nothing about the
// bookmarks in them and do not become tags.
var rootFolders = map[string]bool{
	"bookmarks bar": true, "bookmarks toolbar": true, "other bookmarks": true, "mobile bookmarks": true,
	"bookmarks menu": true, "favorites bar": true, "favourites bar": true, "bookmarks": true,
}

// readBookmarks reads a Netscape bookmark file, the format every browser (and Pinboard,
// Raindrop, Delicious…) exports: <DT><A HREF ADD_DATE TAGS>title</A>, an optional
// <DD>description (the note), folders as <DT><H3>name</H3><DL>…</DL>. The folders a
// bookmark is in become its tags, except the browsers' own root folders. Only http and
// https bookmarks are read: the others (javascript:, place:, file:) are no articles.
func readBookmarks(r io.Reader, fn func(Entry) error) error {
	z := html.NewTokenizer(r)
	var folders []string // one per open <DL>; "" for a folder that is no tag
	pending := ""        // the name of the last <H3>, which the next <DL> opens
	var h3 *strings.Builder
	var h3Root bool
	var cur *Entry // the last bookmark, until something other than its <DD> follows
	var text *strings.Builder
	inDD := false
	flush := func() error {
		if cur == nil {
			return nil
		}
		e := *cur
		cur, inDD = nil, false
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil
		}
		return fn(e)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return flush()
			}
			return z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "dt", "h3", "dl":
				if err := flush(); err != nil {
					return err
				}
			}
			switch string(name) {
			case "h3":
				attrs := attributes(z, hasAttr)
				h3 = &strings.Builder{}
				h3Root = attrs["personal_toolbar_folder"] == "true" || attrs["unfiled_bookmarks_folder"] == "true"
			case "dl":
				folders = append(folders, pending)
				pending = ""
			case "a":
				attrs := attributes(z, hasAttr)
				cur = &Entry{
					URL:   clean(attrs["href"]),
					Added: parseUnix(attrs["add_date"]),
					Tags:  splitTags(attrs["tags"], ","),
				}
				for _, f := range folders {
					if f != "" && !hasTag(cur.Tags, f) {
						cur.Tags = append(cur.Tags, f)
					}
				}
				text = &strings.Builder{}
			case "dd":
				if cur != nil {
					inDD = true
					text = &strings.Builder{}
				}
			}
		case html.TextToken:
			switch {
			case h3 != nil:
				h3.Write(z.Text())
			case text != nil:
				text.Write(z.Text())
				if inDD && cur != nil {
					cur.Note = clean(text.String())
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "h3":
				if h3 != nil {
					pending = clean(h3.String())
					if h3Root || rootFolders[strings.ToLower(pending)] {
						pending = ""
					}
					h3 = nil
				}
			case "a":
				if cur != nil && text != nil && !inDD {
					cur.Title = clean(text.String())
					text = nil
				}
			case "dl":
				if err := flush(); err != nil {
					return err
				}
				if len(folders) > 0 {
					folders = folders[:len(folders)-1]
				}
			}
		}
	}
}

// readURLList reads a list of addresses, one a line; blank lines and lines starting with
// '#' are skipped. Words after the address on a line are its title.
func readURLList(r io.Reader, fn func(Entry) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, string(utf8BOM))
			first = false
		}
		line = clean(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		addr, title, _ := strings.Cut(line, " ")
		if i := strings.IndexAny(addr, "\t"); i >= 0 {
			addr, title = addr[:i], addr[i+1:]+" "+title
		}
		if err := fn(Entry{URL: addr, Title: clean(title)}); err != nil {
			return err
		}
	}
	return sc.Err()
}
