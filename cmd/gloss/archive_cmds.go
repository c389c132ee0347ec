package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gloss/annotate"
	"gloss/annotate/export"
	"gloss/archive"
	"gloss/archive/clean"
	"gloss/archive/doc"
	"gloss/archive/fetch"
)

func archiveCommands() map[string]command {
	return map[string]command{
		"save":    {"URL...", "fetch, extract and store articles", cmdSave},
		"import":  {"[--url URL] FILE...", "store local .html/.htm/.txt/.md files (- reads stdin)", cmdImport},
		"extract": {"[--url URL] [--format text|html|markdown] [--out DIR] [--explain] FILE|URL|-...", "print the cleaned article, store nothing", cmdExtract},
		"list":    {"[--json]", "list the library", cmdList},
		"show":    {"ID [--format text|html|markdown|json]", "print an article", cmdShow},
		"search":  {"QUERY [--json]", "full-text search", cmdSearch},
		"delete":  {"ID", "delete an article and its captures", cmdDelete},
		"backup":  {"[FILE]", "write a consistent copy of the library to FILE, or without FILE today's daily backup beside the library (the last 7 are kept)", cmdBackup},
		"check":   {"", "check the library's integrity", cmdCheck},
		"vacuum":  {"", "reclaim the space of deleted articles", cmdVacuum},
	}
}

// withStore opens the library and its annotation store for a command and closes them
// afterwards. The store is always opened, because it re-anchors highlights inside the
// transaction of every capture a command adds.
func (e *env) withStore(fn func(lib *archive.Library, st *annotate.Store) error) error {
	lib, st, err := e.openStore()
	if err != nil {
		return err
	}
	err = fn(lib, st)
	if cerr := lib.Close(); err == nil {
		err = cerr
	}
	return err
}

// openStore opens the library and its annotation store.
func (e *env) openStore() (*archive.Library, *annotate.Store, error) {
	lib, err := e.openLibrary()
	if err != nil {
		return nil, nil, err
	}
	st, err := annotate.NewStore(lib)
	if err != nil {
		_ = lib.Close() // the store's error is the one to report
		return nil, nil, err
	}
	return lib, st, nil
}

// withLibrary is withStore for a command that needs only the library.
func (e *env) withLibrary(fn func(lib *archive.Library) error) error {
	return e.withStore(func(lib *archive.Library, _ *annotate.Store) error { return fn(lib) })
}

func cmdSave(e *env, args []string) error {
	fs := flag.NewFlagSet("save", flag.ContinueOnError)
	urls, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(urls) == 0 {
		return usagef("no address given")
	}
	return e.withLibrary(func(lib *archive.Library) error {
		saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
		failed := 0
		for i, u := range urls {
			if e.ctx.Err() != nil {
				return e.ctx.Err()
			}
			progress := func(p archive.Progress) {}
			if len(urls) > 1 {
				fmt.Fprintf(e.stderr, "[%d/%d] %s\n", i+1, len(urls), u)
			}
			if len(urls) > 1 || isTerminal(e.stderr) {
				progress = imageProgress(e.stderr)
			}
			saved, err := saver.Save(e.ctx, u, progress)
			if err != nil {
				failed++
				fmt.Fprintf(e.stderr, "gloss save: %s\n", message(err))
				continue
			}
			printSaved(e, saved)
		}
		if failed > 0 {
			return exitError(1)
		}
		return nil
	})
}

func cmdImport(e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	pageURL := fs.String("url", "", "the original address of the imported HTML (default: the address the page states for itself)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no file given")
	}
	return e.withLibrary(func(lib *archive.Library) error {
		saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
		failed := 0
		for i, name := range files {
			if len(files) > 1 {
				fmt.Fprintf(e.stderr, "[%d/%d] %s\n", i+1, len(files), name)
			}
			data, ext, err := e.readInput(name)
			if err == nil {
				var saved archive.Saved
				saved, err = saver.ImportFile(e.ctx, ext, data, *pageURL)
				if err == nil {
					printSaved(e, saved)
					continue
				}
			}
			failed++
			fmt.Fprintf(e.stderr, "gloss import: %s\n", message(err))
		}
		if failed > 0 {
			return exitError(1)
		}
		return nil
	})
}

func printSaved(e *env, s archive.Saved) {
	fmt.Fprintf(e.stdout, "%d\t%s\n", s.ArticleID, s.Title)
	for _, f := range s.ImageFailures {
		fmt.Fprintf(e.stderr, "gloss: image not kept: %s: %s\n", f.URL, f.Reason)
	}
}

// imageProgress prints image download progress on one line of w.
func imageProgress(w io.Writer) func(archive.Progress) {
	return func(p archive.Progress) {
		if p.Stage == archive.StageImages && p.Total > 0 {
			end := "\r"
			if p.Done == p.Total {
				end = "\n"
			}
			fmt.Fprintf(w, "  images %d/%d%s", p.Done, p.Total, end)
		}
	}
}

// maxInput caps a file read for import or extraction.
const maxInput = 64 << 20

// readInput reads a file, or standard input for "-", and returns the name whose extension
// says what it holds (standard input is taken as HTML when it looks like HTML).
func (e *env) readInput(name string) (data []byte, typed string, err error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", name, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	data, err = io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxInput {
		return nil, "", fmt.Errorf("%s: larger than %d MiB", name, maxInput>>20)
	}
	if name == "-" {
		name = "stdin.txt"
		if looksLikeHTML(data) {
			name = "stdin.html"
		}
	}
	return data, name, nil
}

func looksLikeHTML(data []byte) bool {
	head := strings.ToLower(string(data[:min(len(data), 1024)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") ||
		strings.Contains(head, "<body") || strings.Contains(head, "<p>") || strings.Contains(head, "<article")
}

func cmdExtract(e *env, args []string) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	pageURL := fs.String("url", "", "the original address of a file (default: the address the page states for itself)")
	format := fs.String("format", "text", "text, html or markdown")
	out := fs.String("out", "", "write DIR/NAME.txt for each input instead of printing")
	explain := fs.Bool("explain", false, "list what cleaning removed, and why, on standard error")
	inputs, err := parse(fs, args)
	if err != nil {
		return err
	}
	ext, ok := map[string]string{"text": ".txt", "html": ".html", "markdown": ".md"}[*format]
	if !ok {
		return usagef("unknown format %q", *format)
	}
	if len(inputs) == 0 {
		return usagef("no input given")
	}
	if *out == "" && len(inputs) > 1 {
		return usagef("several inputs need --out DIR")
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}
	saver, done, err := e.extractSaver()
	if err != nil {
		return err
	}
	defer done()
	failed := 0
	for _, in := range inputs {
		art, err := e.extract(saver, in, *pageURL)
		if err != nil {
			failed++
			fmt.Fprintf(e.stderr, "gloss extract: %s\n", message(err))
			continue
		}
		if *explain {
			for _, r := range art.Removed {
				fmt.Fprintf(e.stderr, "%s\t%s\t%s\t%s\n", r.Path, r.Reason, r.Rule, r.Text)
			}
		}
		body := art.Text
		switch *format {
		case "html":
			body = art.HTML
		case "markdown":
			var b strings.Builder
			err := export.Markdown(&b, export.Article{Title: art.Title, Byline: art.Byline, Site: art.SiteName,
				URL: in, Published: art.Published, Doc: doc.Parse(art.HTML), HTML: art.HTML}, nil, export.MarkdownOptions{})
			if err != nil {
				return err
			}
			body = strings.TrimRight(b.String(), "\n")
		}
		if *out == "" {
			fmt.Fprintln(e.stdout, body)
			continue
		}
		name, _, _ := strings.Cut(filepath.Base(in), ".")
		if err := os.WriteFile(filepath.Join(*out, name+ext), []byte(body+"\n"), 0o644); err != nil {
			return err
		}
	}
	if failed > 0 {
		return exitError(1)
	}
	return nil
}

// extractSaver returns a Saver with the site rules of the library when there is one;
// extraction never creates a library.
func (e *env) extractSaver() (*archive.Saver, func(), error) {
	path := e.dbPath
	if path == "" {
		p, err := archive.DefaultPath()
		if err != nil {
			return archive.NewSaver(nil, nil), func() {}, nil
		}
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		return archive.NewSaver(nil, nil), func() {}, nil
	}
	lib, err := archive.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return archive.NewSaver(lib, nil), func() { lib.Close() }, nil
}

// extract makes an article of a file, standard input or a web address, storing nothing.
func (e *env) extract(saver *archive.Saver, in, pageURL string) (*archive.Cleaned, error) {
	if u, err := url.Parse(in); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		page, err := fetch.New(fetch.Options{}).Page(e.ctx, in)
		if err != nil {
			return nil, err
		}
		final, err := url.Parse(page.FinalURL)
		if err != nil {
			return nil, err
		}
		return saver.Extract(e.ctx, page.UTF8, final)
	}
	data, name, err := e.readInput(in)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown":
		utf8, _ := fetch.DecodeHTML(data, "text/plain")
		return archive.ExtractText(string(utf8))
	}
	if pageURL == "" {
		pageURL = archive.StatedAddress(data)
	}
	var base *url.URL
	if pageURL != "" {
		if base, err = url.Parse(pageURL); err != nil {
			return nil, fmt.Errorf("--url %q: %w", pageURL, err)
		}
	}
	utf8, _ := fetch.DecodeHTML(data, "")
	art, err := saver.Extract(e.ctx, utf8, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	return art, nil
}

// articleJSON is the stable JSON shape of an article in `list --json` and `show --format json`.
type articleJSON struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Site      string     `json:"site"`
	Byline    string     `json:"byline"`
	Added     time.Time  `json:"added"`
	Published *time.Time `json:"published"`
	Words     int        `json:"words"`
	Captures  int        `json:"captures"`
	Bytes     *sizeJSON  `json:"bytes,omitempty"`
	Tags      []string   `json:"tags,omitempty"`
	Note      string     `json:"note,omitempty"`
	Text      string     `json:"text,omitempty"`
	HTML      string     `json:"html,omitempty"`
	// Removed lists what cleaning took out of the current capture (show only).
	Removed []clean.Removal `json:"removed,omitempty"`
}

type sizeJSON struct {
	Text    int64 `json:"text"`
	RawHTML int64 `json:"raw_html"`
	HTML    int64 `json:"html"`
	Images  int64 `json:"images"`
	Total   int64 `json:"total"`
}

func toSizeJSON(s archive.Size) *sizeJSON {
	return &sizeJSON{s.Text, s.RawHTML, s.CleanedHTML, s.Images, s.Text + s.RawHTML + s.CleanedHTML + s.Images}
}

func cmdList(e *env, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	sortBy := fs.String("sort", "saved", "saved, published or title")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return e.withLibrary(func(lib *archive.Library) error {
		list, err := lib.List(e.ctx, archive.ListOptions{Sort: archive.SortBy(*sortBy), Desc: *sortBy != "title"})
		if err != nil {
			return err
		}
		if !*asJSON {
			for _, a := range list {
				fmt.Fprintf(e.stdout, "%d\t%s\t%s\n", a.ID, a.Title, a.Site)
			}
			return nil
		}
		out := make([]articleJSON, 0, len(list))
		for _, a := range list {
			size, err := lib.ArticleSize(e.ctx, a.ID)
			if err != nil {
				return err
			}
			out = append(out, articleJSON{ID: a.ID, URL: a.URL, Title: a.Title, Site: a.Site, Byline: a.Byline,
				Added: a.AddedAt, Published: a.Published, Words: a.WordCount, Captures: a.Captures, Bytes: toSizeJSON(size)})
		}
		return writeJSON(e.stdout, out)
	})
}

// oneArticleID parses a command's flags and its one argument, an article id.
func oneArticleID(fs *flag.FlagSet, args []string) (int64, error) {
	rest, err := parse(fs, args)
	if err != nil {
		return 0, err
	}
	if len(rest) != 1 {
		return 0, usagef("give one article id")
	}
	return articleID(rest[0])
}

func articleID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not an article id", s)
	}
	return id, nil
}

func cmdShow(e *env, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	format := fs.String("format", "text", "text, html, markdown or json")
	id, err := oneArticleID(fs, args)
	if err != nil {
		return err
	}
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		a, err := lib.Article(e.ctx, id)
		if err != nil {
			return fmt.Errorf("article %d: %w", id, err)
		}
		c := a.Current
		switch *format {
		case "markdown":
			ea, hs, err := export.Load(e.ctx, lib, st, id)
			if err != nil {
				return err
			}
			return export.Markdown(e.stdout, ea, hs, export.MarkdownOptions{})
		case "text":
			fmt.Fprintf(e.stdout, "%s\n\n%s\n", c.Title, c.Text)
		case "html":
			fmt.Fprintln(e.stdout, c.CleanedHTML)
		case "json":
			size, err := lib.ArticleSize(e.ctx, id)
			if err != nil {
				return err
			}
			return writeJSON(e.stdout, articleJSON{ID: a.ID, URL: a.URL, Title: c.Title, Site: c.SiteName, Byline: c.Byline,
				Added: a.AddedAt, Published: c.Published, Words: c.WordCount, Captures: a.Captures,
				Bytes: toSizeJSON(size), Text: c.Text, HTML: c.CleanedHTML, Removed: c.Removed})
		default:
			return usagef("unknown format %q", *format)
		}
		return nil
	})
}

type searchJSON struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Site    string  `json:"site"`
	Snippet string  `json:"snippet"`
	Rank    float64 `json:"rank"`
}

func cmdSearch(e *env, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "at most this many results")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("no query given")
	}
	return e.withLibrary(func(lib *archive.Library) error {
		q := strings.Join(rest, " ")
		res, err := lib.Search(e.ctx, q, *limit)
		if err != nil {
			return err
		}
		ids := make([]int64, len(res))
		for i, r := range res {
			ids[i] = r.ArticleID
		}
		snippets, err := lib.Snippets(e.ctx, q, ids)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]searchJSON, 0, len(res))
			for _, r := range res {
				out = append(out, searchJSON{r.ArticleID, r.Title, r.Site, snippets[r.ArticleID], r.Rank})
			}
			return writeJSON(e.stdout, out)
		}
		for _, r := range res {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\n", r.ArticleID, r.Title, strings.ReplaceAll(snippets[r.ArticleID], "\n", " "))
		}
		return nil
	})
}

func cmdDelete(e *env, args []string) error {
	id, err := oneArticleID(flag.NewFlagSet("delete", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	return e.withLibrary(func(lib *archive.Library) error {
		if err := lib.Delete(e.ctx, id); err != nil {
			return fmt.Errorf("article %d: %w", id, err)
		}
		return nil
	})
}

func cmdBackup(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("backup", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usagef("give at most one backup file")
	}
	return e.withLibrary(func(lib *archive.Library) error {
		if len(rest) == 0 {
			return e.rollingBackup(lib)
		}
		return lib.Backup(e.ctx, rest[0])
	})
}

func cmdCheck(e *env, args []string) error {
	if _, err := parse(flag.NewFlagSet("check", flag.ContinueOnError), args); err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		problems, err := st.Check(e.ctx) // the file, the archive's tables and the annotations
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintln(e.stdout, p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("the library has %d problem(s)", len(problems))
		}
		fmt.Fprintln(e.stdout, "ok")
		return nil
	})
}

func cmdVacuum(e *env, args []string) error {
	if _, err := parse(flag.NewFlagSet("vacuum", flag.ContinueOnError), args); err != nil {
		return err
	}
	return e.withLibrary(func(lib *archive.Library) error { return lib.Vacuum(e.ctx) })
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
