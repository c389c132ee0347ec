package importer

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// readAll reads every entry of an export opened with Open.
func readAll(t *testing.T, name string) (Format, []Entry) {
	t.Helper()
	f, err := Open(name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer f.Close()
	var got []Entry
	if err := f.Each(func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatalf("Each(%s): %v", name, err)
	}
	return f.Format, got
}

// zipDir packs a folder of testdata into an archive in a temporary folder, under prefix.
func zipDir(t *testing.T, dir, prefix string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "export.zip")
	out, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".golden") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(filepath.Join(prefix, rel)))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestExports reads the sample export of every format and compares the entries with the
// golden file next to it (go test -update rewrites them).
func TestExports(t *testing.T) {
	tests := []struct {
		name   string // the export, in testdata
		golden string
		format Format
	}{
		{"pocket/ril_export.html", "pocket/ril_export.golden", PocketHTML},
		{"pocket/part_000000.csv", "pocket/part_000000.golden", PocketCSV},
		{"instapaper/instapaper-export.csv", "instapaper/instapaper-export.golden", Instapaper},
		{"omnivore", "omnivore/export.golden", Omnivore},
		{"wallabag/wallabag-export.json", "wallabag/wallabag-export.golden", Wallabag},
		{"readwise/readwise-data.csv", "readwise/readwise-data.golden", Readwise},
		{"hypothesis/hypothesis-export.json", "hypothesis/hypothesis-export.golden", Hypothesis},
		{"bookmarks/bookmarks.html", "bookmarks/bookmarks.golden", Bookmarks},
		{"urls/urls.txt", "urls/urls.golden", URLList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, entries := readAll(t, filepath.Join("testdata", tt.name))
			if format != tt.format {
				t.Errorf("format = %s, want %s", format, tt.format)
			}
			got, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("entries of %s differ from %s:\ngot:\n%s", tt.name, golden, got)
			}
		})
	}
}

// TestOmnivoreArchive reads Omnivore's export as the .zip it comes in, with and without
// a folder around it, and finds the same entries and highlights as in the folder.
func TestOmnivoreArchive(t *testing.T) {
	_, want := readAll(t, "testdata/omnivore")
	for _, prefix := range []string{"", "omnivore-export-2024-11-01"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			format, got := readAll(t, zipDir(t, "testdata/omnivore", prefix))
			if format != Omnivore {
				t.Errorf("format = %s, want %s", format, Omnivore)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if !bytes.Equal(gb, wb) {
				t.Errorf("zip entries = %s\nwant %s", gb, wb)
			}
		})
	}
}

// TestPocketArchive reads Pocket's CSV export as a zip of parts.
func TestPocketArchive(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/pocket/part_000000.csv")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "part_000000.csv"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "part_000001.csv"), []byte("title,url,time_added,tags,status\nLast,https://example.org/last,1609459200,,unread\n"), 0o644)
	format, got := readAll(t, zipDir(t, dir, "pocket"))
	if format != PocketCSV {
		t.Errorf("format = %s, want %s", format, PocketCSV)
	}
	if len(got) != 6 || got[0].URL != "https://example.org/moths" || got[5].URL != "https://example.org/last" {
		t.Errorf("entries of the parts = %+v, want the 5 of part 0 then the one of part 1", got)
	}
}

func TestSniff(t *testing.T) {
	file := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		desc string
		head []byte
		name string
		want Format
		err  error
	}{
		{"pocket html", file("pocket/ril_export.html"), "export.html", PocketHTML, nil},
		{"pocket html by its markers, any name", file("pocket/ril_export.html"), "", PocketHTML, nil},
		{"pocket csv", file("pocket/part_000000.csv"), "part_000000.csv", PocketCSV, nil},
		{"instapaper", file("instapaper/instapaper-export.csv"), "x.csv", Instapaper, nil},
		{"instapaper without tags column", []byte("URL,Title,Selection,Folder,Timestamp\nhttps://a.example/,A,,Unread,1\n"), "", Instapaper, nil},
		{"omnivore metadata", file("omnivore/metadata_0_to_3.json"), "data.json", Omnivore, nil},
		{"omnivore zip", []byte("PK\x03\x04\x14\x00\x08\x00metadata_0_to_3.json..."), "x.zip", Omnivore, nil},
		{"wallabag", file("wallabag/wallabag-export.json"), "export.json", Wallabag, nil},
		{"readwise", file("readwise/readwise-data.csv"), "export.csv", Readwise, nil},
		{"hypothesis client export", file("hypothesis/hypothesis-export.json"), "a.json", Hypothesis, nil},
		{"hypothesis array", []byte(`[{"id":"x","uri":"https://a.example/","target":[{"source":"https://a.example/"}]}]`), "", Hypothesis, nil},
		{"bookmarks", file("bookmarks/bookmarks.html"), "bookmarks.html", Bookmarks, nil},
		{"bookmarks without doctype", []byte("<html><body><DL><p>\n<DT><A HREF=\"https://a.example/\">A</A>\n</DL>"), "", Bookmarks, nil},
		{"url list", file("urls/urls.txt"), "urls.txt", URLList, nil},
		{"url list with a BOM and CRLF", []byte("\xef\xbb\xbfhttps://a.example/\r\nhttps://b.example/x\r\n"), "", URLList, nil},
		{"url list with a stray line in a .txt", []byte(strings.Repeat("https://a.example/\n", 12) + "see also the book\n"), "reading.txt", URLList, nil},
		{"prose with one address", []byte("Remember to read\nhttps://a.example/ tonight\nand the rest\n"), "notes.txt", "", ErrUnknownFormat},
		{"json with no array of known entries", []byte(`{"name":"x","version":2}`), "x.json", "", ErrUnknownFormat},
		{"empty json array", []byte("[ ]"), "x.json", "", ErrEmpty},
		{"empty array named after wallabag", []byte("[]"), "wallabag-export.json", Wallabag, nil},
		{"an article, not an export", []byte("<!doctype html><html><head><title>News</title></head><body><p>Hi</p></body></html>"), "page.html", "", ErrUnknownFormat},
		{"html named like Pocket's", []byte("<html><body><ul></ul></body></html>"), "ril_export.html", PocketHTML, nil},
		{"other csv", []byte("name,email\nada,ada@example.org\n"), "people.csv", "", ErrUnknownFormat},
		{"other zip", []byte("PK\x03\x04\x14\x00\x08\x00photo.jpg"), "photos.zip", "", ErrUnknownFormat},
		{"empty", []byte(" \n\t"), "x.txt", "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			head := tt.head[:min(len(tt.head), SniffLen)]
			got, err := Sniff(head, tt.name)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	t1 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	t0 := t1.Add(-time.Hour)
	hl := func(q, note string) Highlight { return Highlight{Quote: q, Note: note} }
	tests := []struct {
		desc      string
		e, o      Entry
		want      Entry // e after Merge
		wantAdded Entry
	}{
		{
			desc:      "nothing new",
			e:         Entry{URL: "u", Title: "T", Tags: []string{"a"}, Favourite: true, Added: t0, Note: "n", Highlights: []Highlight{hl("q", "")}},
			o:         Entry{URL: "u", Title: "Other", Tags: []string{"#A"}, Added: t1, Note: " n ", Highlights: []Highlight{hl("q", "")}},
			want:      Entry{URL: "u", Title: "T", Tags: []string{"a"}, Favourite: true, Added: t0, Note: "n", Highlights: []Highlight{hl("q", "")}},
			wantAdded: Entry{URL: "u"},
		},
		{
			desc:      "new tags, states, earlier time, note and highlights",
			e:         Entry{URL: "u", Tags: []string{"a"}, Added: t1, Note: "first", Progress: 0.2, Highlights: []Highlight{hl("one  two", "x")}},
			o:         Entry{Title: "T", Tags: []string{"b", "a"}, Favourite: true, Archived: true, Added: t0, Note: "second", Progress: 0.5, Highlights: []Highlight{hl("one two", "x"), hl("one two", "y"), hl("three", "")}},
			want:      Entry{URL: "u", Title: "T", Tags: []string{"a", "b"}, Favourite: true, Archived: true, Added: t0, Note: "first\n\nsecond", Progress: 0.5, Highlights: []Highlight{hl("one  two", "x"), hl("one two", "y"), hl("three", "")}},
			wantAdded: Entry{URL: "u", Title: "T", Tags: []string{"b"}, Favourite: true, Archived: true, Added: t0, Note: "second", Progress: 0.5, Highlights: []Highlight{hl("one two", "y"), hl("three", "")}},
		},
		{
			desc:      "zero time added does not replace",
			e:         Entry{URL: "u", Added: t1},
			o:         Entry{URL: "u"},
			want:      Entry{URL: "u", Added: t1},
			wantAdded: Entry{URL: "u"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := tt.e
			added := e.Merge(tt.o)
			if g, w := fmt.Sprintf("%+v", e), fmt.Sprintf("%+v", tt.want); g != w {
				t.Errorf("merged = %s\nwant     %s", g, w)
			}
			if g, w := fmt.Sprintf("%+v", added), fmt.Sprintf("%+v", tt.wantAdded); g != w {
				t.Errorf("added = %s\nwant    %s", g, w)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1609459200", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1609459200000", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1609459200000000", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2021-01-01T01:00:00+01:00", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2021-01-01T01:00:00+0100", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2021-01-01T00:00:00.123Z", time.Date(2021, 1, 1, 0, 0, 0, 123e6, time.UTC)},
		{"2021-01-01 00:00:00+00:00", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2021-01-01", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"May 14, 2024 9:12 AM", time.Date(2024, 5, 14, 9, 12, 0, 0, time.UTC)},
		{"0", time.Time{}},
		{"yesterday", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		if got := parseTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOmnivoreHighlights(t *testing.T) {
	md := "> first line\n> second line\n>\n> second paragraph\n\n#tag-a #b\n\nA note.\n\nMore note.\n> right after\n\n\n> last"
	got := parseOmnivoreHighlights(md)
	want := []Highlight{
		{Quote: "first line\nsecond line\n\nsecond paragraph", Note: "A note.\n\nMore note.", Tags: []string{"tag-a", "b"}},
		{Quote: "right after"},
		{Quote: "last"},
	}
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("parseOmnivoreHighlights = %s\nwant %s", g, w)
	}
}

// countingReader serves n bytes made by gen and counts what has been read.
type countingReader struct {
	r    io.Reader
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

// generated returns a reader of head, then body repeated n times (with %d replaced by
// the repetition's number), then tail, made as it is read.
func generated(head, body, tail string, n int) io.Reader {
	i := 0
	var buf bytes.Buffer
	buf.WriteString(head)
	return readerFunc(func(p []byte) (int, error) {
		for buf.Len() < len(p) && i < n {
			fmt.Fprintf(&buf, body, i)
			i++
			if i == n {
				buf.WriteString(tail)
			}
		}
		if buf.Len() == 0 {
			return 0, io.EOF
		}
		return buf.Read(p)
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestStreaming checks that every reader hands over entries while it reads: the first
// entry of a 20,000-entry export (megabytes) arrives before more than a buffer's worth
// of the file has been read, and every entry arrives.
func TestStreaming(t *testing.T) {
	const n = 20000
	tests := []struct {
		format           Format
		head, body, tail string
	}{
		{PocketCSV, "title,url,time_added,tags,status\n", "Title %[1]d,https://example.org/%[1]d,1609459200,a|b,unread\n", ""},
		{Instapaper, "URL,Title,Selection,Folder,Timestamp\n", "https://example.org/%[1]d,Title,,Unread,1609459200\n", ""},
		{Readwise, "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at,Document tags\n", "quote,https://example.org/%[1]d,,,,,,,,,\n", ""},
		{PocketHTML, "<html><body><h1>Unread</h1><ul>", `<li><a href="https://example.org/%[1]d" time_added="1609459200" tags="">T</a></li>`, "</ul></body></html>"},
		{Bookmarks, "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n", "<DT><A HREF=\"https://example.org/%[1]d\" ADD_DATE=\"1609459200\">T</A>\n<DD>note\n", "</DL>\n"},
		{URLList, "", "https://example.org/%[1]d\n", ""},
		{Wallabag, "[", `{"url":"https://example.org/%[1]d","title":"T","is_archived":0,"tags":[],"content":"<p>body</p>","annotations":[]},`, `{"url":"https://example.org/last"}]`},
		{Hypothesis, `{"export_userid":"acct:a@hypothes.is","annotations":[`, `{"uri":"https://example.org/%[1]d","text":"n","target":[{"source":"https://example.org/%[1]d","selector":[{"type":"TextQuoteSelector","exact":"q"}]}]},`, `{"uri":"https://example.org/last"}]}`},
		{Omnivore, "[", `{"slug":"s%[1]d","url":"https://example.org/%[1]d","title":"T","state":"Active","labels":[],"savedAt":"2021-01-01T00:00:00Z"},`, `{"url":"https://example.org/last"}]`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			r := &countingReader{r: generated(tt.head, tt.body, tt.tail, n)}
			count, firstAt := 0, -1
			err := Read(r, tt.format, func(e Entry) error {
				if count == 0 {
					firstAt = r.read
				}
				count++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := n
			if tt.tail != "" && strings.Contains(tt.tail, "last") {
				want++
			}
			if count != want {
				t.Errorf("%d entries, want %d", count, want)
			}
			if firstAt > 128<<10 {
				t.Errorf("the first entry came after %d of %d bytes were read: not streamed", firstAt, r.read)
			}
		})
	}
}

// TestCallbackError checks that an error of the callback stops the reading and comes back
// unchanged, not described as a fault of the file.
func TestCallbackError(t *testing.T) {
	stop := errors.New("disk full")
	for _, name := range []string{"pocket/part_000000.csv", "wallabag/wallabag-export.json", "bookmarks/bookmarks.html", "omnivore", "urls/urls.txt"} {
		t.Run(name, func(t *testing.T) {
			f, err := Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			calls := 0
			err = f.Each(func(Entry) error { calls++; return stop })
			if err != stop || calls != 1 {
				t.Errorf("Each = %v after %d calls, want exactly the callback's error after 1", err, calls)
			}
		})
	}
}

// TestBrokenFiles checks that a damaged export fails with a message that says where.
func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		format Format
		data   string
		want   string // in the message
	}{
		{Wallabag, `[{"url":"https://a.example/","title":"A"},{"url":`, "entry 2"},
		{Hypothesis, `{"annotations": {"uri": "x"}}`, "not an array"},
		{Omnivore, `{"items":[]}`, "expected a JSON array"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			err := Read(strings.NewReader(tt.data), tt.format, func(Entry) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.format.Name()) {
				t.Errorf("Read = %v, want an error naming the format and containing %q", err, tt.want)
			}
		})
	}
}
