package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gloss/annotate"
	"gloss/archive"
)

func annotateCommands() map[string]command {
	return map[string]command{
		"highlight": {"ID (--quote TEXT [--occurrence N] | --start N --end N) [--color C] [--note TEXT] [--tag T]... [claim flags]",
			"highlight a passage and print its id", cmdHighlight},
		"annotations":        {"ID [--json]", "show an article's notes, tags and highlights", cmdAnnotations},
		"note":               {"ID|HID TEXT|-", "set the note of an article or a highlight (- reads stdin)", cmdNote},
		"tag":                {"ID|HID TAG...", "tag an article or a highlight", cmdTag},
		"untag":              {"ID|HID TAG...", "remove tags from an article or a highlight", cmdUntag},
		"color":              {"HID COLOR", "change the colour of a highlight", cmdColor},
		"claim":              {"HID [--claimant WHO] [--claim-kind K] [--evidence E] [--claim-status S] [--verdict TEXT] [--link URL]... [--clear]", "mark or edit the claim of a highlight", cmdClaim},
		"unhighlight":        {"HID...", "move highlights to the trash (undo brings them back)", cmdUnhighlight},
		"undo":               {"", "restore the highlights deleted last", cmdUndo},
		"orphans":            {"[--json]", "list highlights whose passage is no longer in their article", cmdOrphans},
		"reanchor":           {"ID", "anchor an article's highlights on its current text again", cmdReanchor},
		"export-annotations": {"ID... [--format w3c|claimreview] [-o FILE]", "export highlights as W3C Web Annotations or claims as ClaimReview", cmdExportAnnotations},
		"import-annotations": {"FILE|-", "import W3C Web Annotations or a Hypothesis export", cmdImportAnnotations},
	}
}

// stringList (main.go) serves the repeatable --tag and --link flags.

// claimFlags are the flags that describe a claim, shared by highlight and claim.
type claimFlags struct {
	claimant, kind, evidence, status, verdict string
	links                                     stringList
}

func (f *claimFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.claimant, "claimant", "", "who makes the claim")
	fs.StringVar(&f.kind, "claim-kind", "", "fact, statistic, quote, prediction or opinion")
	fs.StringVar(&f.evidence, "evidence", "", "what the article gives: none, asserted, linked or cited")
	fs.StringVar(&f.status, "claim-status", "", "unchecked, supported, disputed, false, misleading or unverifiable")
	fs.StringVar(&f.verdict, "verdict", "", "the reviewer's note")
	fs.Var(&f.links, "link", "an evidence link (repeatable; replaces the links)")
}

// apply sets on c the fields whose flags were given and reports whether any was. A new
// status clears the review time, so that the store stamps the new rating.
func (f *claimFlags) apply(fs *flag.FlagSet, c *annotate.Claim) bool {
	given := false
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "claimant":
			c.Claimant = f.claimant
		case "claim-kind":
			c.Kind = annotate.ClaimKind(f.kind)
		case "evidence":
			c.Evidence = annotate.Evidence(f.evidence)
		case "claim-status":
			if c.Status != annotate.ClaimStatus(f.status) {
				c.Status, c.Reviewed = annotate.ClaimStatus(f.status), time.Time{}
			}
		case "verdict":
			c.Verdict = f.verdict
		case "link":
			c.Links = nil
			for _, l := range f.links {
				if l != "" {
					c.Links = append(c.Links, l)
				}
			}
		default:
			return
		}
		given = true
	})
	return given
}

func cmdHighlight(e *env, args []string) error {
	fs := flag.NewFlagSet("highlight", flag.ContinueOnError)
	quote := fs.String("quote", "", "the words to highlight")
	occurrence := fs.Int("occurrence", 0, "which occurrence of the quote, from 1")
	start := fs.Int("start", 0, "start byte offset in the article's text")
	end := fs.Int("end", 0, "end byte offset")
	color := fs.String("color", "", "yellow, green, blue, pink, purple or orange")
	note := fs.String("note", "", "a note (Markdown)")
	var tags stringList
	fs.Var(&tags, "tag", "a tag (repeatable)")
	claim := fs.Bool("claim", false, "mark the passage as a claim")
	var cf claimFlags
	cf.register(fs)
	id, err := oneArticleID(fs, args)
	if err != nil {
		return err
	}
	offsets := false
	fs.Visit(func(f *flag.Flag) { offsets = offsets || f.Name == "start" || f.Name == "end" })
	switch {
	case *quote == "" && !offsets:
		return usagef("give --quote TEXT or --start N --end N")
	case *quote != "" && offsets:
		return usagef("give --quote or --start and --end, not both")
	}
	nh := annotate.NewHighlight{Quote: *quote, Occurrence: *occurrence, Color: *color, Note: *note, Tags: tags}
	if offsets {
		nh.Start, nh.End = *start, *end
	}
	var c annotate.Claim
	if cf.apply(fs, &c) || *claim {
		nh.Claim = &c
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		h, err := st.Highlight(e.ctx, id, nh)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, h.ID)
		return nil
	})
}

// highlightJSON is the stable JSON shape of a highlight (see README, Annotations).
type highlightJSON struct {
	ID      string     `json:"id"`
	Article int64      `json:"article"`
	Capture int64      `json:"capture"`
	Start   int        `json:"start"`
	End     int        `json:"end"`
	Exact   string     `json:"exact"`
	Prefix  string     `json:"prefix"`
	Suffix  string     `json:"suffix"`
	Color   string     `json:"color"`
	Note    string     `json:"note"`
	Tags    []string   `json:"tags"`
	Claim   *claimJSON `json:"claim"`
	Status  string     `json:"status"`
	Created time.Time  `json:"created"`
	Updated time.Time  `json:"updated"`
}

type claimJSON struct {
	Claimant string     `json:"claimant"`
	Kind     string     `json:"kind"`
	Evidence string     `json:"evidence"`
	Status   string     `json:"status"`
	Verdict  string     `json:"verdict"`
	Links    []string   `json:"links"`
	Reviewed *time.Time `json:"reviewed"`
}

type articleAnnotationsJSON struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Title          string   `json:"title"`
	Tags           []string `json:"tags"`
	Note           string   `json:"note"`
	Favourite      bool     `json:"favourite"`
	Archived       bool     `json:"archived"`
	Progress       float64  `json:"progress"`
	ProgressOffset int      `json:"progress_offset"`
}

type annotationsJSON struct {
	Article    articleAnnotationsJSON `json:"article"`
	Highlights []highlightJSON        `json:"highlights"`
}

func toHighlightJSON(h annotate.Highlight) highlightJSON {
	j := highlightJSON{
		ID: h.ID, Article: h.ArticleID, Capture: h.CaptureID, Start: h.Start, End: h.End,
		Exact: h.Exact, Prefix: h.Prefix, Suffix: h.Suffix, Color: h.Color, Note: h.Note,
		Tags: nonNil(h.Tags), Status: string(h.Status), Created: h.Created, Updated: h.Updated,
	}
	if c := h.Claim; c != nil {
		j.Claim = &claimJSON{Claimant: c.Claimant, Kind: string(c.Kind), Evidence: string(c.Evidence),
			Status: string(c.Status), Verdict: c.Verdict, Links: nonNil(c.Links)}
		if !c.Reviewed.IsZero() {
			r := c.Reviewed
			j.Claim.Reviewed = &r
		}
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func cmdAnnotations(e *env, args []string) error {
	fs := flag.NewFlagSet("annotations", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := oneArticleID(fs, args)
	if err != nil {
		return err
	}
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		a, err := lib.Article(e.ctx, id)
		if err != nil {
			return err
		}
		meta, err := st.ArticleMeta(e.ctx, id)
		if err != nil {
			return err
		}
		hs, err := st.ForArticle(e.ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			out := annotationsJSON{
				Article: articleAnnotationsJSON{ID: a.ID, URL: a.URL, Title: a.Current.Title, Tags: nonNil(meta.Tags),
					Note: meta.Note, Favourite: meta.Favourite, Archived: meta.Archived,
					Progress: meta.Progress.Fraction, ProgressOffset: meta.Progress.Offset},
				Highlights: []highlightJSON{},
			}
			for _, h := range hs {
				out.Highlights = append(out.Highlights, toHighlightJSON(h))
			}
			return writeJSON(e.stdout, out)
		}
		fmt.Fprintf(e.stdout, "%s\n%s\n", a.Current.Title, a.URL)
		if len(meta.Tags) > 0 {
			fmt.Fprintf(e.stdout, "tags: %s\n", strings.Join(meta.Tags, ", "))
		}
		if meta.Note != "" {
			fmt.Fprintf(e.stdout, "note: %s\n", indent(meta.Note))
		}
		for _, h := range hs {
			printHighlight(e.stdout, h)
		}
		return nil
	})
}

func printHighlight(w io.Writer, h annotate.Highlight) {
	fmt.Fprintf(w, "\n%s  %s  %s\n  “%s”\n", h.ID, h.Color, h.Status, oneLine(h.Exact))
	if h.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", indent(h.Note))
	}
	if len(h.Tags) > 0 {
		fmt.Fprintf(w, "  tags: %s\n", strings.Join(h.Tags, ", "))
	}
	if c := h.Claim; c != nil {
		fmt.Fprintf(w, "  claim: %s (%s, evidence %s)", c.Status, c.Kind, c.Evidence)
		if c.Claimant != "" {
			fmt.Fprintf(w, " by %s", c.Claimant)
		}
		if c.Verdict != "" {
			fmt.Fprintf(w, ": %s", indent(c.Verdict))
		}
		fmt.Fprintln(w)
		for _, l := range c.Links {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// indent makes a multi-line text continue under the first line.
func indent(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ") }

// oneLine shows a quote on one line, shortened to about 120 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}

// refArg reads an article or highlight id typed on the command line.
func refArg(s string) (annotate.Ref, error) {
	ref, err := annotate.ParseRef(s)
	if err != nil {
		return annotate.Ref{}, usagef("%q is neither an article id nor a highlight id", s)
	}
	return ref, nil
}

func highlightArg(s string) (string, error) {
	id, err := annotate.ParseHighlightID(s)
	if err != nil {
		return "", usagef("%q is not a highlight id", s)
	}
	return id, nil
}

func cmdNote(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("note", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usagef("give an id and the note")
	}
	ref, err := refArg(rest[0])
	if err != nil {
		return err
	}
	note := rest[1]
	if note == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxInput))
		if err != nil {
			return err
		}
		note = strings.TrimRight(string(b), "\n")
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		return st.SetNote(e.ctx, ref, note)
	})
}

func cmdTag(e *env, args []string) error   { return changeTags(e, "tag", args, true) }
func cmdUntag(e *env, args []string) error { return changeTags(e, "untag", args, false) }

func changeTags(e *env, name string, args []string, add bool) error {
	rest, err := parse(flag.NewFlagSet(name, flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) < 2 {
		return usagef("give an id and at least one tag")
	}
	ref, err := refArg(rest[0])
	if err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		if add {
			return st.AddTags(e.ctx, ref, rest[1:]...)
		}
		return st.RemoveTags(e.ctx, ref, rest[1:]...)
	})
}

func cmdColor(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("color", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usagef("give a highlight id and a colour")
	}
	id, err := highlightArg(rest[0])
	if err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		return st.SetColor(e.ctx, id, rest[1])
	})
}

func cmdClaim(e *env, args []string) error {
	fs := flag.NewFlagSet("claim", flag.ContinueOnError)
	clear := fs.Bool("clear", false, "remove the claim")
	var cf claimFlags
	cf.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one highlight id")
	}
	id, err := highlightArg(rest[0])
	if err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		if *clear {
			return st.ClearClaim(e.ctx, id)
		}
		h, err := st.Get(e.ctx, id)
		if err != nil {
			return err
		}
		var c annotate.Claim
		if h.Claim != nil {
			c = *h.Claim
		}
		cf.apply(fs, &c)
		c, err = st.SetClaim(e.ctx, id, c)
		if err != nil {
			return err
		}
		h.Claim = &c
		printHighlight(e.stdout, h)
		return nil
	})
}

func cmdUnhighlight(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("unhighlight", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("give at least one highlight id")
	}
	ids := make([]string, len(rest))
	for i, r := range rest {
		if ids[i], err = highlightArg(r); err != nil {
			return err
		}
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		if err := st.Delete(e.ctx, ids...); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "moved %d highlight(s) to the trash; gloss undo brings them back\n", len(ids))
		return nil
	})
}

func cmdUndo(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("undo", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		hs, err := st.Undo(e.ctx)
		if errors.Is(err, annotate.ErrNothingToUndo) {
			return errors.New("nothing to undo: the trash is empty")
		}
		if err != nil {
			return err
		}
		for _, h := range hs {
			fmt.Fprintf(e.stdout, "restored %s in article %d: “%s”\n", h.ID, h.ArticleID, oneLine(h.Exact))
		}
		return nil
	})
}

func cmdOrphans(e *env, args []string) error {
	fs := flag.NewFlagSet("orphans", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		hs, err := st.Orphans(e.ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]highlightJSON, 0, len(hs))
			for _, h := range hs {
				out = append(out, toHighlightJSON(h))
			}
			return writeJSON(e.stdout, out)
		}
		for _, h := range hs {
			fmt.Fprintf(e.stdout, "%d\t%s\t“%s”\n", h.ArticleID, h.ID, oneLine(h.Exact))
		}
		return nil
	})
}

func cmdReanchor(e *env, args []string) error {
	id, err := oneArticleID(flag.NewFlagSet("reanchor", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		r, err := st.Reanchor(e.ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d kept, %d moved, %d fuzzy, %d orphaned\n", r.Kept, r.Moved, r.Fuzzy, r.Orphaned)
		return nil
	})
}

func cmdExportAnnotations(e *env, args []string) error {
	fs := flag.NewFlagSet("export-annotations", flag.ContinueOnError)
	format := fs.String("format", "w3c", "w3c (Web Annotation JSON-LD) or claimreview (schema.org ClaimReview JSON-LD)")
	out := fs.String("o", "", "write to FILE instead of standard output")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("give at least one article id")
	}
	if *format != "w3c" && *format != "claimreview" {
		return usagef("unknown format %q", *format)
	}
	ids := make([]int64, len(rest))
	for i, r := range rest {
		if ids[i], err = articleID(r); err != nil {
			return err
		}
	}
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		var v any
		if *format == "w3c" {
			col, err := st.ExportW3C(e.ctx, ids...)
			if err != nil {
				return err
			}
			v = col
		} else {
			reviews, err := claimReviews(e, lib, st, ids)
			if err != nil {
				return err
			}
			v = reviews
		}
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if *out == "" {
			_, err := e.stdout.Write(data)
			return err
		}
		return writeFileAtomic(*out, data)
	})
}

// claimReviews returns the claims of the articles' highlights as ClaimReview JSON-LD.
func claimReviews(e *env, lib *archive.Library, st *annotate.Store, ids []int64) ([]map[string]any, error) {
	reviews := []map[string]any{}
	for _, id := range ids {
		a, err := lib.Article(e.ctx, id)
		if err != nil {
			return nil, err
		}
		src := annotate.ClaimSource{URL: a.URL, Title: a.Current.Title}
		if a.Current.Published != nil {
			src.Published = *a.Current.Published
		}
		hs, err := st.ForArticle(e.ctx, id)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if h.Claim != nil {
				reviews = append(reviews, h.Claim.ClaimReview(h.Exact, src))
			}
		}
	}
	return reviews, nil
}

// writeFileAtomic writes a file through a temporary file in the same folder, so that a
// reader never sees half of it.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp) // the write error is the one to report
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func cmdImportAnnotations(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("import-annotations", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one file")
	}
	data, _, err := e.readInput(rest[0])
	if err != nil {
		return err
	}
	return e.withStore(func(_ *archive.Library, st *annotate.Store) error {
		r, err := st.ImportAnnotations(e.ctx, data)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d anchored, %d orphaned", r.Anchored, r.Orphans)
		if r.Duplicates > 0 {
			fmt.Fprintf(e.stdout, ", %d already in the library", r.Duplicates)
		}
		if r.WithoutQuote > 0 {
			fmt.Fprintf(e.stdout, ", %d without a quoted passage skipped", r.WithoutQuote)
		}
		fmt.Fprintln(e.stdout)
		for _, u := range r.Unmatched {
			src := u.Source
			if src == "" {
				src = "(no address)"
			}
			fmt.Fprintf(e.stderr, "gloss import-annotations: no article for %s (%d annotation(s) skipped); save it first\n", src, u.Annotations)
		}
		if len(r.Unmatched) > 0 {
			return exitError(1)
		}
		return nil
	})
}
