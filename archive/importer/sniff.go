package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// SniffLen is how many bytes from the start of a file Sniff needs to see.
const SniffLen = 64 << 10

var (
	utf8BOM  = []byte("\xef\xbb\xbf")
	zipMagic = []byte("PK\x03\x04")
	// jsonKey finds the object keys in the head of a JSON file.
	jsonKey = regexp.MustCompile(`"([A-Za-z_@][A-Za-z0-9_@]*)"\s*:`)
)

// Sniff returns the format of an export from its first bytes (SniffLen of them, or the
// whole file if shorter). The content decides; name, the file's name, only breaks ties
// (an HTML file with no Pocket or bookmark markers, a JSON file whose first entry says
// nothing). A zip archive is recognised as Omnivore's only if the names of its members
// show in head; Open looks inside archives properly.
func Sniff(head []byte, name string) (Format, error) {
	b := bytes.TrimPrefix(head, utf8BOM)
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 {
		return "", ErrEmpty
	}
	base := strings.ToLower(filepath.Base(name))
	if bytes.HasPrefix(b, zipMagic) {
		if bytes.Contains(b, []byte("metadata_")) || bytes.Contains(b, []byte("highlights/")) {
			return Omnivore, nil
		}
		return "", fmt.Errorf("a zip archive with no Omnivore metadata in its first entries: %w", ErrUnknownFormat)
	}
	switch t[0] {
	case '<':
		lower := bytes.ToLower(t)
		switch {
		case bytes.Contains(lower, []byte("time_added=")), bytes.Contains(lower, []byte("<title>pocket export</title>")):
			return PocketHTML, nil
		case bytes.Contains(lower, []byte("netscape-bookmark-file")), bytes.Contains(lower, []byte("<dt><a ")),
			bytes.Contains(lower, []byte("<dt><h3")):
			return Bookmarks, nil
		case strings.Contains(base, "ril_export") || strings.Contains(base, "pocket"):
			return PocketHTML, nil
		case strings.Contains(base, "bookmark"):
			return Bookmarks, nil
		}
		return "", fmt.Errorf("an HTML file that is neither a Pocket export nor a bookmark file: %w", ErrUnknownFormat)
	case '[', '{':
		return sniffJSON(t, base)
	}
	if f, ok := sniffCSV(t); ok {
		return f, nil
	}
	if looksLikeURLList(t, base) {
		return URLList, nil
	}
	return "", ErrUnknownFormat
}

func sniffJSON(t []byte, base string) (Format, error) {
	keys := map[string]bool{}
	for _, m := range jsonKey.FindAllSubmatch(t, -1) {
		keys[string(m[1])] = true
	}
	switch {
	case keys["is_archived"] || keys["is_starred"]:
		return Wallabag, nil
	case keys["slug"] && keys["savedAt"]:
		return Omnivore, nil
	case keys["export_userid"] || keys["uri"] && (keys["target"] || keys["user"] || keys["document"]):
		return Hypothesis, nil
	case strings.Contains(base, "wallabag"):
		return Wallabag, nil
	case strings.Contains(base, "hypothes"):
		return Hypothesis, nil
	case strings.Contains(base, "omnivore") || strings.HasPrefix(base, "metadata_"):
		return Omnivore, nil
	}
	if bytes.Equal(bytes.Join(bytes.Fields(t), nil), []byte("[]")) {
		return "", ErrEmpty
	}
	return "", fmt.Errorf("JSON that is neither a Wallabag, Omnivore nor Hypothesis export: %w", ErrUnknownFormat)
}

// sniffCSV recognises a CSV export by the names in its header.
func sniffCSV(t []byte) (Format, bool) {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(line))
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil || len(header) < 2 {
		return "", false
	}
	cols := map[string]bool{}
	for _, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = true
	}
	switch {
	case cols["url"] && cols["title"] && cols["time_added"]:
		return PocketCSV, true
	case cols["url"] && cols["title"] && cols["selection"] && cols["folder"]:
		return Instapaper, true
	case cols["highlight"] && cols["book title"]:
		return Readwise, true
	}
	return "", false
}

// looksLikeURLList reports whether every line of t that is not blank or a comment starts
// with an absolute address. A file named .txt or .urls passes with nine in ten.
func looksLikeURLList(t []byte, base string) bool {
	sc := bufio.NewScanner(bytes.NewReader(t))
	sc.Buffer(make([]byte, 0, 4096), len(t)+1)
	lines, urls := 0, 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines++
		if first := strings.Fields(line)[0]; isAddress(first) {
			urls++
		}
	}
	switch {
	case lines == 0 || urls == 0:
		return false
	case urls == lines:
		return true
	case strings.HasSuffix(base, ".txt") || strings.HasSuffix(base, ".urls") || strings.HasSuffix(base, ".list"):
		return urls*10 >= lines*9
	}
	return false
}

// isAddress reports whether s is an absolute URL with a host, of any scheme.
func isAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}
