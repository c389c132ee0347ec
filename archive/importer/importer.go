// Package importer reads the libraries that other tools export — Pocket, Instapaper,
// Omnivore, Wallabag, Readwise, Hypothesis, browser bookmarks, or a plain list of
// addresses — as one stream of Entries.
//
// Every reader hands entries over one at a time through a callback and decodes its input
// as a stream (CSV record by record, JSON arrays element by element, HTML token by
// token), so an export of 100,000 articles is read in the memory of one. The format is
// recognised from the content (Sniff), not from the file name, which only breaks ties.
//
// An Entry is what the other tool kept about one article: its address, title, tags,
// states, when it was saved, and the highlights made on it. The same address may come
// several times (Hypothesis and Readwise export one row per highlight); Merge joins them.
package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entry is one article as another tool kept it.
type Entry struct {
	URL       string    `json:"url"`
	Title     string    `json:"title,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Favourite bool      `json:"favourite,omitempty"`
	Archived  bool      `json:"archived,omitempty"`
	Added     time.Time `json:"added,omitzero"` // when it was saved in the other tool; zero if unknown
	// Progress is how far the user had read, from 0 to 1; 0 when unknown.
	Progress   float64     `json:"progress,omitempty"`
	Note       string      `json:"note,omitempty"` // a note on the whole article
	Highlights []Highlight `json:"highlights,omitempty"`
}

// Highlight is a passage the user highlighted, with what they added to it. Prefix and
// Suffix are the text just before and after the quote, when the tool kept them
// (Hypothesis); they help to find a quote that occurs more than once.
type Highlight struct {
	Quote   string    `json:"quote"`
	Prefix  string    `json:"prefix,omitempty"`
	Suffix  string    `json:"suffix,omitempty"`
	Note    string    `json:"note,omitempty"`
	Tags    []string  `json:"tags,omitempty"`
	Color   string    `json:"color,omitempty"` // the tool's colour name, lower case; "" if none
	Created time.Time `json:"created,omitzero"`
}

// Format is a kind of export.
type Format string

// The formats Gloss reads.
const (
	PocketHTML Format = "pocket-html" // Pocket's ril_export.html
	PocketCSV  Format = "pocket-csv"  // Pocket's CSV export (title,url,time_added,tags,status)
	Instapaper Format = "instapaper"  // Instapaper's CSV export
	Omnivore   Format = "omnivore"    // Omnivore's export archive (.zip), or one of its metadata files
	Wallabag   Format = "wallabag"    // Wallabag's JSON export
	Readwise   Format = "readwise"    // Readwise's CSV export of highlights
	Hypothesis Format = "hypothesis"  // Hypothesis's JSON export of annotations
	Bookmarks  Format = "bookmarks"   // the Netscape bookmark file every browser exports
	URLList    Format = "urls"        // one address a line
)

// Formats lists every format, in the order Sniff considers them.
var Formats = []Format{PocketHTML, PocketCSV, Instapaper, Omnivore, Wallabag, Readwise, Hypothesis, Bookmarks, URLList}

var formatNames = map[Format]string{
	PocketHTML: "Pocket export (HTML)",
	PocketCSV:  "Pocket export (CSV)",
	Instapaper: "Instapaper export",
	Omnivore:   "Omnivore export",
	Wallabag:   "Wallabag export",
	Readwise:   "Readwise export",
	Hypothesis: "Hypothesis export",
	Bookmarks:  "browser bookmarks",
	URLList:    "list of addresses",
}

// Name returns the format's name for a person: "Pocket export (CSV)".
func (f Format) Name() string {
	if n, ok := formatNames[f]; ok {
		return n
	}
	return string(f)
}

// ParseFormat returns the format named s (one of the Format values).
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("format %q: %w (known: %s)", s, ErrUnknownFormat, strings.Join(names, ", "))
}

// Errors of the package; test for them with errors.Is.
var (
	// ErrUnknownFormat: the content is none of the formats Gloss reads.
	ErrUnknownFormat = errors.New("not an export Gloss can read")
	// ErrEmpty: the file holds nothing.
	ErrEmpty = errors.New("the file is empty")
)

// Merge adds to e what o has and e lacks, and returns just that as an Entry (its URL
// is e's): tags e does not have (compared ignoring case and a leading '#'), the
// favourite and archived states when o has them, an earlier time added, a higher reading
// progress, o's note unless e's note already contains it, and highlights e does not have
// (the same quote, ignoring how white space is spaced, with the same note). e's title
// is kept unless it is empty.
func (e *Entry) Merge(o Entry) Entry {
	added := Entry{URL: e.URL}
	if e.Title == "" && o.Title != "" {
		e.Title, added.Title = o.Title, o.Title
	}
	for _, t := range o.Tags {
		if !hasTag(e.Tags, t) && !hasTag(added.Tags, t) {
			added.Tags = append(added.Tags, t)
		}
	}
	e.Tags = append(e.Tags, added.Tags...)
	if o.Favourite && !e.Favourite {
		e.Favourite, added.Favourite = true, true
	}
	if o.Archived && !e.Archived {
		e.Archived, added.Archived = true, true
	}
	if !o.Added.IsZero() && (e.Added.IsZero() || o.Added.Before(e.Added)) {
		e.Added, added.Added = o.Added, o.Added
	}
	if o.Progress > e.Progress {
		e.Progress, added.Progress = o.Progress, o.Progress
	}
	if n := strings.TrimSpace(o.Note); n != "" && !strings.Contains(e.Note, n) {
		e.Note = joinNote(e.Note, n)
		added.Note = n
	}
	for _, h := range o.Highlights {
		if !hasHighlight(e.Highlights, h) {
			e.Highlights = append(e.Highlights, h)
			added.Highlights = append(added.Highlights, h)
		}
	}
	return added
}

// HasAnnotations reports whether e carries anything for the annotation store: tags,
// states, a reading progress, a note or highlights.
func (e Entry) HasAnnotations() bool {
	return len(e.Tags) > 0 || e.Favourite || e.Archived || e.Progress > 0 ||
		strings.TrimSpace(e.Note) != "" || len(e.Highlights) > 0
}

func hasTag(tags []string, t string) bool {
	k := tagKey(t)
	for _, x := range tags {
		if tagKey(x) == k {
			return true
		}
	}
	return false
}

func tagKey(t string) string {
	return strings.ToLower(strings.TrimPrefix(strings.Join(strings.Fields(t), " "), "#"))
}

// SameHighlight reports whether a and b are the same highlight: the same quote, ignoring
// how white space is spaced, with the same note.
func SameHighlight(a, b Highlight) bool {
	return squash(a.Quote) == squash(b.Quote) && strings.TrimSpace(a.Note) == strings.TrimSpace(b.Note)
}

func hasHighlight(hs []Highlight, h Highlight) bool {
	for _, x := range hs {
		if SameHighlight(x, h) {
			return true
		}
	}
	return false
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func joinNote(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// splitTags splits a list of tags at any of seps, trimming each and dropping empty ones
// and repeats.
func splitTags(s string, seps string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if t = strings.TrimSpace(t); t != "" && !hasTag(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// parseUnix reads a Unix time in seconds; values too large for seconds are taken as
// milliseconds or microseconds (some browsers write those). It returns the zero time
// for anything else, zero and negative values included.
func parseUnix(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	switch {
	case n > 1e14:
		return time.UnixMicro(n).UTC()
	case n > 1e11:
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// timeLayouts are the spellings of times seen in exports: RFC 3339 (Omnivore,
// Hypothesis), offsets without a colon (older Wallabag), a space for the T (Readwise),
// dates alone.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"January 2, 2006 3:04 PM",
	"Jan 2, 2006 3:04 PM",
	"January 2, 2006",
	"Jan 2, 2006",
}

// parseTime reads a time in any of timeLayouts (UTC when it has no zone) or a Unix time;
// it returns the zero time for anything else.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if strings.Trim(s, "0123456789") == "" {
		return parseUnix(s)
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// clean makes a field from an export fit to keep: valid UTF-8, trimmed.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.TrimSpace(s)
}
