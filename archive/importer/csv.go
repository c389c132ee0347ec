package importer

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvRows reads a CSV file with a header, record by record, and finds fields by column
// name, so that the order of the columns does not matter.
type csvRows struct {
	r   *csv.Reader
	col map[string]int // lower-cased header name → index
	rec []string
}

func newCSV(r io.Reader) (*csvRows, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == string(utf8BOM) {
		_, _ = br.Discard(3) // cannot fail: the bytes were peeked
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[k]; !dup {
			col[k] = i
		}
	}
	return &csvRows{r: cr, col: col}, nil
}

// next reads the next record; it returns false at the end of the file.
func (c *csvRows) next() (bool, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, err // a *csv.ParseError names the line
	}
	c.rec = rec
	return true, nil
}

// get returns the field of the first of names the header has, cleaned; "" if none.
func (c *csvRows) get(names ...string) string {
	for _, n := range names {
		if i, ok := c.col[n]; ok {
			if i < len(c.rec) {
				return clean(c.rec[i])
			}
			return ""
		}
	}
	return ""
}

// readPocketCSV reads Pocket's CSV export: title,url,time_added,tags,status, tags
// separated by '|', status "unread" or "archive".
func readPocketCSV(r io.Reader, fn func(Entry) error) error {
	c, err := newCSV(r)
	if err != nil {
		return err
	}
	for {
		ok, err := c.next()
		if err != nil || !ok {
			return err
		}
		e := Entry{
			URL:      c.get("url"),
			Title:    c.get("title"),
			Tags:     splitTags(c.get("tags"), "|"),
			Added:    parseTime(c.get("time_added")),
			Archived: strings.EqualFold(c.get("status"), "archive") || strings.EqualFold(c.get("status"), "archived"),
		}
		if e.URL == "" && e.Title == "" {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// readInstapaper reads Instapaper's CSV export: URL,Title,Selection,Folder,Timestamp and,
// since 2024, Tags. The folder "Archive" means archived and "Starred" favourite; any
// other folder but "Unread" becomes a tag. Selection, the text the user selected when
// saving, becomes the article's note.
func readInstapaper(r io.Reader, fn func(Entry) error) error {
	c, err := newCSV(r)
	if err != nil {
		return err
	}
	for {
		ok, err := c.next()
		if err != nil || !ok {
			return err
		}
		e := Entry{
			URL:   c.get("url"),
			Title: c.get("title"),
			Note:  c.get("selection"),
			Added: parseTime(c.get("timestamp")),
			Tags:  instapaperTags(c.get("tags")),
		}
		switch folder := c.get("folder"); {
		case strings.EqualFold(folder, "archive"):
			e.Archived = true
		case strings.EqualFold(folder, "starred"):
			e.Favourite = true
		case folder != "" && !strings.EqualFold(folder, "unread"):
			e.Tags = append([]string{folder}, e.Tags...)
		}
		if e.URL == "" && e.Title == "" {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// instapaperTags reads the Tags column: a JSON array of names, or names separated by
// commas.
func instapaperTags(s string) []string {
	if strings.HasPrefix(s, "[") {
		var tags []string
		if json.Unmarshal([]byte(s), &tags) == nil {
			return splitTags(strings.Join(tags, "\x00"), "\x00")
		}
		var objs []struct {
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(s), &objs) == nil {
			var names []string
			for _, o := range objs {
				names = append(names, o.Name)
			}
			return splitTags(strings.Join(names, "\x00"), "\x00")
		}
	}
	return splitTags(s, ",")
}

// readReadwise reads Readwise's CSV export, one highlight a row: Highlight, Book Title,
// Book Author, Amazon Book ID, Note, Color, Tags, Location Type, Location, Highlighted
// at, Document tags. Consecutive rows of the same document make one entry. The export
// names documents by title; an address is taken from a URL, Source URL, Book URL or
// Document URL column when there is one, or from a title that is itself an address.
// A row with a note but no highlighted text adds its note to the article's.
func readReadwise(r io.Reader, fn func(Entry) error) error {
	c, err := newCSV(r)
	if err != nil {
		return err
	}
	var cur Entry
	var curKey string
	flush := func() error {
		if curKey == "" {
			return nil
		}
		e := cur
		cur, curKey = Entry{}, ""
		return fn(e)
	}
	for {
		ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			return flush()
		}
		title := c.get("book title", "title")
		addr := c.get("url", "source url", "book url", "document url")
		if addr == "" && isAddress(title) {
			addr = title
		}
		key := addr + "\x00" + title + "\x00" + c.get("book author", "author")
		if key != curKey {
			if err := flush(); err != nil {
				return err
			}
			cur = Entry{URL: addr, Title: title}
			if addr == title {
				cur.Title = ""
			}
			curKey = key
		}
		cur.Merge(Entry{Tags: splitTags(c.get("document tags"), ",")})
		quote, note := c.get("highlight"), c.get("note")
		if quote == "" {
			cur.Merge(Entry{Note: note})
			continue
		}
		h := Highlight{
			Quote:   quote,
			Note:    note,
			Tags:    splitTags(c.get("tags"), ","),
			Color:   strings.ToLower(c.get("color")),
			Created: parseTime(c.get("highlighted at")),
		}
		cur.Merge(Entry{Highlights: []Highlight{h}})
	}
}
