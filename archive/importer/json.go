package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// openArray returns a decoder positioned inside the JSON array of r: the whole value if
// it is an array, else the value of the first of keys found in the top-level object.
// Only the array's elements are then decoded, one at a time.
func openArray(r io.Reader, keys ...string) (*json.Decoder, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == string(utf8BOM) {
		_, _ = br.Discard(3) // cannot fail: the bytes were peeked
	}
	dec := json.NewDecoder(br)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('['):
		return dec, nil
	case json.Delim('{'):
		if len(keys) == 0 {
			return nil, errors.New("expected a JSON array of entries, found an object")
		}
	default:
		return nil, fmt.Errorf("expected a JSON array or object, found %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		for _, k := range keys {
			if key != k {
				continue
			}
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if tok != json.Delim('[') {
				return nil, fmt.Errorf("%q is not an array", key)
			}
			return dec, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no %s array in the object", strings.Join(keys, " or "))
}

// eachElement decodes the elements of the array dec is inside, one at a time.
func eachElement[T any](dec *json.Decoder, fn func(T) error) error {
	for i := 0; dec.More(); i++ {
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("entry %d (byte %d): %w", i+1, dec.InputOffset(), err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return err
	}
	return nil
}

// flexBool is a boolean written as true/false, 0/1 or a string of either.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("%s is not a boolean", data)
	}
	return nil
}

// flexStrings is a list of names written as strings or as objects with a label, name or
// slug (tags and labels, as different versions of Wallabag and Omnivore write them), or
// one string of comma-separated names.
type flexStrings []string

func (l *flexStrings) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*l = splitTags(one, ",")
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var out []string
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var o struct{ Label, Name, Slug string }
		if err := json.Unmarshal(r, &o); err != nil {
			return err
		}
		switch {
		case o.Label != "":
			out = append(out, o.Label)
		case o.Name != "":
			out = append(out, o.Name)
		default:
			out = append(out, o.Slug)
		}
	}
	*l = splitTags(strings.Join(out, "\x00"), "\x00")
	return nil
}

// flexString is a string, or the first string of an array (Hypothesis writes a
// document's title as an array).
type flexString string

func (s *flexString) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*s = flexString(one)
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	if len(many) > 0 {
		*s = flexString(many[0])
	}
	return nil
}

// wallabagEntry is an entry of Wallabag's JSON export. Its content is not read: Gloss
// fetches the page itself.
type wallabagEntry struct {
	Title       string      `json:"title"`
	URL         string      `json:"url"`
	IsArchived  flexBool    `json:"is_archived"`
	IsStarred   flexBool    `json:"is_starred"`
	Tags        flexStrings `json:"tags"`
	CreatedAt   string      `json:"created_at"`
	Annotations []struct {
		Text      string `json:"text"`
		Quote     string `json:"quote"`
		CreatedAt string `json:"created_at"`
	} `json:"annotations"`
}

// readWallabag reads Wallabag's JSON export: an array of entries with their tags,
// archived and starred states, and annotations (a quote with a note).
func readWallabag(r io.Reader, fn func(Entry) error) error {
	dec, err := openArray(r)
	if err != nil {
		return err
	}
	return eachElement(dec, func(w wallabagEntry) error {
		e := Entry{
			URL:       clean(w.URL),
			Title:     clean(w.Title),
			Tags:      w.Tags,
			Archived:  bool(w.IsArchived),
			Favourite: bool(w.IsStarred),
			Added:     parseTime(w.CreatedAt),
		}
		for _, a := range w.Annotations {
			if q := clean(a.Quote); q != "" {
				e.Highlights = append(e.Highlights, Highlight{Quote: q, Note: clean(a.Text), Created: parseTime(a.CreatedAt)})
			} else {
				e.Merge(Entry{Note: a.Text})
			}
		}
		return fn(e)
	})
}

// hypothesisAnnotation is an annotation of Hypothesis's export.
type hypothesisAnnotation struct {
	URI      string                     `json:"uri"`
	Text     string                     `json:"text"`
	Tags     []string                   `json:"tags"`
	Created  string                     `json:"created"`
	Target   hypothesisTargets          `json:"target"`
	Document struct{ Title flexString } `json:"document"`
}

type hypothesisTarget struct {
	Source   string `json:"source"`
	Selector []struct {
		Type   string `json:"type"`
		Exact  string `json:"exact"`
		Prefix string `json:"prefix"`
		Suffix string `json:"suffix"`
	} `json:"selector"`
}

// hypothesisTargets is a list of targets, or one.
type hypothesisTargets []hypothesisTarget

func (t *hypothesisTargets) UnmarshalJSON(data []byte) error {
	var many []hypothesisTarget
	if err := json.Unmarshal(data, &many); err == nil {
		*t = many
		return nil
	}
	var one hypothesisTarget
	if err := json.Unmarshal(data, &one); err != nil {
		return err
	}
	*t = hypothesisTargets{one}
	return nil
}

// readHypothesis reads Hypothesis's JSON export of annotations: an array, or an object
// holding it under "annotations" (the export of the Hypothesis client) or "rows" (a
// search through its API). An annotation with a TextQuoteSelector is a highlight with its
// context; one without (a page note, a reply) adds its text to the article's note and
// its tags to the article's. Consecutive annotations of one page make one entry.
func readHypothesis(r io.Reader, fn func(Entry) error) error {
	dec, err := openArray(r, "annotations", "rows")
	if err != nil {
		return err
	}
	var cur *Entry
	err = eachElement(dec, func(a hypothesisAnnotation) error {
		src := clean(a.URI)
		var quote *Highlight
		for _, t := range a.Target {
			if src == "" {
				src = clean(t.Source)
			}
			for _, s := range t.Selector {
				if s.Type == "TextQuoteSelector" && clean(s.Exact) != "" && quote == nil {
					quote = &Highlight{Quote: clean(s.Exact), Prefix: s.Prefix, Suffix: s.Suffix}
				}
			}
		}
		if cur != nil && cur.URL != src {
			e := *cur
			cur = nil
			if err := fn(e); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &Entry{URL: src}
		}
		add := Entry{Title: clean(string(a.Document.Title))}
		if quote != nil {
			quote.Note, quote.Tags, quote.Created = clean(a.Text), a.Tags, parseTime(a.Created)
			add.Highlights = []Highlight{*quote}
		} else {
			add.Note, add.Tags = a.Text, a.Tags
		}
		cur.Merge(add)
		return nil
	})
	if err != nil {
		return err
	}
	if cur != nil {
		return fn(*cur)
	}
	return nil
}

// omnivoreRecord is an entry of an Omnivore metadata_*.json file.
type omnivoreRecord struct {
	Slug            string      `json:"slug"`
	Title           string      `json:"title"`
	URL             string      `json:"url"`
	State           string      `json:"state"`
	ReadingProgress float64     `json:"readingProgress"`
	Labels          flexStrings `json:"labels"`
	SavedAt         string      `json:"savedAt"`
}

// readOmnivoreJSON reads one metadata file of Omnivore's export; highlights, if not nil,
// returns the highlights of an entry by its slug.
func readOmnivoreJSON(r io.Reader, highlights func(slug string) ([]Highlight, error), fn func(Entry) error) error {
	dec, err := openArray(r)
	if err != nil {
		return err
	}
	return eachElement(dec, func(o omnivoreRecord) error {
		e := Entry{
			URL:      clean(o.URL),
			Title:    clean(o.Title),
			Tags:     o.Labels,
			Archived: strings.EqualFold(o.State, "archived"),
			Added:    parseTime(o.SavedAt),
		}
		// readingProgress is a percentage.
		if p := o.ReadingProgress / 100; p > 0 {
			e.Progress = min(p, 1)
		}
		if highlights != nil && o.Slug != "" {
			hs, err := highlights(o.Slug)
			if err != nil {
				return err
			}
			e.Highlights = hs
		}
		return fn(e)
	})
}

var metadataNumber = regexp.MustCompile(`^metadata_(\d+)`)

// readOmnivoreFS reads Omnivore's export: metadata_*.json files, in the order of the
// numbers in their names, each entry with its highlights from highlights/<slug>.md.
func readOmnivoreFS(fsys fs.FS, fn func(Entry) error) error {
	names, err := fs.Glob(fsys, "metadata_*.json")
	if err != nil {
		return err
	}
	num := func(n string) int {
		if m := metadataNumber.FindStringSubmatch(n); m != nil {
			if v, err := strconv.Atoi(m[1]); err == nil {
				return v
			}
		}
		return -1
	}
	sort.SliceStable(names, func(i, j int) bool {
		if a, b := num(names[i]), num(names[j]); a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	highlights := func(slug string) ([]Highlight, error) {
		if strings.ContainsAny(slug, `/\`) {
			return nil, nil
		}
		data, err := fs.ReadFile(fsys, path.Join("highlights", slug+".md"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return parseOmnivoreHighlights(string(data)), nil
	}
	for _, n := range names {
		f, err := fsys.Open(n)
		if err != nil {
			return err
		}
		err = readOmnivoreJSON(f, highlights, fn)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// parseOmnivoreHighlights reads the highlights file Omnivore exports for an article: each
// highlight is a block quote ("> " lines), followed by paragraphs until the next quote:
// a paragraph of #labels only gives the highlight's tags, any other is its note.
func parseOmnivoreHighlights(md string) []Highlight {
	var out []Highlight
	var quote []string
	var after []string // lines after the quote
	flush := func() {
		if len(quote) == 0 {
			return
		}
		h := Highlight{Quote: clean(strings.Join(quote, "\n"))}
		var notes []string
		for _, para := range strings.Split(strings.TrimSpace(strings.Join(after, "\n")), "\n\n") {
			para = strings.TrimSpace(para)
			if para == "" {
				continue
			}
			if tags, ok := hashTags(para); ok {
				h.Tags = append(h.Tags, tags...)
				continue
			}
			notes = append(notes, para)
		}
		h.Note = strings.Join(notes, "\n\n")
		if h.Quote != "" {
			out = append(out, h)
		}
		quote, after = nil, nil
	}
	inQuote := false
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, ">") {
			if !inQuote {
				flush()
				inQuote = true
			}
			quote = append(quote, strings.TrimPrefix(strings.TrimPrefix(line, ">"), " "))
			continue
		}
		inQuote = false
		if len(quote) > 0 {
			after = append(after, line)
		}
	}
	flush()
	return out
}

// hashTags returns the tags of a paragraph made only of #tags.
func hashTags(para string) ([]string, bool) {
	fields := strings.Fields(para)
	for _, f := range fields {
		if len(f) < 2 || f[0] != '#' {
			return nil, false
		}
	}
	tags := make([]string, len(fields))
	for i, f := range fields {
		tags[i] = f[1:]
	}
	return tags, true
}
