package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gloss/annotate"
	"gloss/annotate/export"
	"gloss/archive"
	"gloss/archive/doc"
)

func exportCommands() map[string]command {
	return map[string]command{
		"export": {"ID... --format md|pdf|html|json [-o FILE|DIR] [--force] [--portable] [--digest] [--no-images] [--flatten]",
			"export annotated copies", cmdExport},
	}
}

var exportExt = map[string]string{"md": ".md", "markdown": ".md", "pdf": ".pdf", "html": ".html", "json": ".json"}

// exportOptions are the flags that tune an export.
type exportOptions struct {
	format                     string
	portable, digest, noImages bool
	flatten, noAppendix        bool
}

func cmdExport(e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var o exportOptions
	fs.StringVar(&o.format, "format", "md", "md, pdf, html or json")
	out := fs.String("o", "", "the file to write, or a folder for one file per article")
	force := fs.Bool("force", false, "replace files that exist")
	fs.BoolVar(&o.portable, "portable", false, "Markdown: <mark> instead of ==text==")
	fs.BoolVar(&o.digest, "digest", false, "Markdown: a list of the highlights at the end")
	fs.BoolVar(&o.noImages, "no-images", false, "Markdown: leave images out")
	fs.BoolVar(&o.flatten, "flatten", false, "PDF: paint highlights into the page instead of annotations")
	fs.BoolVar(&o.noAppendix, "no-appendix", false, "PDF: no notes appendix")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	ext, ok := exportExt[o.format]
	if !ok {
		return usagef("unknown format %q", o.format)
	}
	if len(rest) == 0 {
		return usagef("give an article id")
	}
	var ids []int64
	for _, a := range rest {
		id, err := articleID(a)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	dir, file := "", ""
	switch st, err := os.Stat(*out); {
	case *out == "":
		if len(ids) > 1 {
			return usagef("several articles need -o DIR")
		}
		if ext == ".pdf" && isTerminal(e.stdout) {
			return usagef("a PDF needs -o FILE")
		}
	case err == nil && st.IsDir(), len(ids) > 1, strings.HasSuffix(*out, string(filepath.Separator)):
		dir = *out
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	default:
		file = *out
	}
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		failed := 0
		for _, id := range ids {
			a, hs, err := export.Load(e.ctx, lib, st, id)
			if err == nil {
				err = e.exportOne(lib, st, a, hs, o, ext, dir, file, *force)
			}
			if err != nil {
				failed++
				fmt.Fprintf(e.stderr, "gloss export: %s\n", message(err))
			}
		}
		if failed > 0 {
			return exitError(1)
		}
		return nil
	})
}

// exportOne writes one article: to standard output, to file, or into dir under a name made
// from its title.
func (e *env) exportOne(lib *archive.Library, st *annotate.Store, a export.Article, hs []export.Highlight, o exportOptions, ext, dir, file string, force bool) error {
	if dir == "" && file == "" {
		var b bytes.Buffer
		if err := writeExport(e.ctx, &b, st, a, hs, o, "", ""); err != nil {
			return err
		}
		_, err := e.stdout.Write(b.Bytes())
		return err
	}
	name := export.FileName(a.Title, a.ID, ext)
	if file != "" {
		dir, name = filepath.Dir(file), filepath.Base(file)
	}
	imageDir := ""
	if (ext == ".md") && !o.noImages {
		imageDir = strings.TrimSuffix(name, ext) + "-images"
	}
	path, err := export.WriteFile(dir, name, func(w io.Writer) error {
		return writeExport(e.ctx, w, st, a, hs, o, dir, imageDir)
	}, force)
	if err != nil {
		if errors.Is(err, export.ErrExists) {
			return fmt.Errorf("%s exists; use --force to replace it", filepath.Join(dir, name))
		}
		return err
	}
	fmt.Fprintln(e.stdout, path)
	return nil
}

func writeExport(ctx context.Context, w io.Writer, st *annotate.Store, a export.Article, hs []export.Highlight, o exportOptions, dir, imageDir string) error {
	switch o.format {
	case "md", "markdown":
		opt := export.MarkdownOptions{Portable: o.portable, Digest: o.digest}
		if imageDir != "" {
			opt.ImageDir = imageDir
			opt.WriteImage = func(name string, data []byte) error {
				if err := os.MkdirAll(filepath.Join(dir, imageDir), 0o755); err != nil {
					return err
				}
				_, err := export.WriteFile(filepath.Join(dir, imageDir), name, func(w io.Writer) error {
					_, err := w.Write(data)
					return err
				}, true)
				return err
			}
		}
		return export.Markdown(w, a, hs, opt)
	case "pdf":
		opt := export.DefaultPDFOptions()
		opt.Flatten, opt.Appendix = o.flatten, !o.noAppendix
		return export.PDF(w, a, hs, opt)
	case "html":
		return export.HTML(w, a, hs)
	case "json":
		col, err := st.ExportW3C(ctx, a.ID)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Article     articleJSON             `json:"article"`
			Annotations *annotate.W3CCollection `json:"annotations"`
		}{articleJSON{ID: a.ID, URL: a.URL, Title: a.Title, Site: a.Site, Byline: a.Byline, Added: a.Saved,
			Published: a.Published, Words: doc.WordCount(a.Doc.Text), Tags: a.Tags, Note: a.Note}, col})
	}
	return fmt.Errorf("unknown format %q", o.format)
}
