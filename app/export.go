package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"gloss/annotate"
	"gloss/annotate/export"
)

// exportFormat is a kind of annotated copy.
type exportFormat string

// The export formats.
const (
	formatMarkdown exportFormat = "md"
	formatPDF      exportFormat = "pdf"
	formatHTML     exportFormat = "html"
	formatJSON     exportFormat = "json"
)

func (f exportFormat) label() string {
	switch f {
	case formatMarkdown:
		return "Markdown…"
	case formatPDF:
		return "PDF…"
	case formatHTML:
		return "HTML page…"
	}
	return "Annotations as JSON (W3C)…"
}

// exportMenu is the Export menu.
func (g *App) exportMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, f := range []exportFormat{formatMarkdown, formatPDF, formatHTML, formatJSON} {
		f := f
		it := fyne.NewMenuItem(f.label(), func() { g.exportDialog(f) })
		it.Disabled = g.Reader.article == nil
		items = append(items, it)
	}
	return fyne.NewMenu("Export", items...)
}

// exportDialog asks where to save an annotated copy of the open article, then writes it in
// the background.
func (g *App) exportDialog(f exportFormat) {
	a := g.Reader.article
	if a == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			g.fail("export", err)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		// The dialog created the file; the export replaces it atomically.
		_ = w.Close()
		g.export(a, f, path, func(err error) {
			if err != nil {
				g.fail("export", err)
				return
			}
			g.fyne.SendNotification(fyne.NewNotification("Exported", filepath.Base(path)))
		})
	}, g.Window)
	d.SetFileName(export.FileName(a.art.Current.Title, a.id, string(f)))
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// export writes an annotated copy of a to path in the background and calls done on the UI
// goroutine.
func (g *App) export(a *openArticle, f exportFormat, path string, done func(error)) {
	ea, hs := exportArticle(a)
	id := a.id
	g.background(func(ctx context.Context) {
		dir, name := filepath.Dir(path), filepath.Base(path)
		var err error
		switch f {
		case formatMarkdown:
			imgDir := strings.TrimSuffix(name, filepath.Ext(name)) + " images"
			opt := export.MarkdownOptions{Digest: true, ImageDir: imgDir, WriteImage: func(img string, data []byte) error {
				full := filepath.Join(dir, imgDir)
				if err := os.MkdirAll(full, 0o755); err != nil {
					return err
				}
				_, err := export.WriteFile(full, img, func(w io.Writer) error { _, err := w.Write(data); return err }, true)
				return err
			}}
			_, err = export.WriteFile(dir, name, func(w io.Writer) error { return export.Markdown(w, ea, hs, opt) }, true)
		case formatPDF:
			_, err = export.WriteFile(dir, name, func(w io.Writer) error { return export.PDF(w, ea, hs, export.DefaultPDFOptions()) }, true)
		case formatHTML:
			_, err = export.WriteFile(dir, name, func(w io.Writer) error { return export.HTML(w, ea, hs) }, true)
		case formatJSON:
			var col *annotate.W3CCollection
			if col, err = g.svc.Store.ExportW3C(ctx, id); err == nil {
				_, err = export.WriteFile(dir, name, func(w io.Writer) error {
					enc := json.NewEncoder(w)
					enc.SetIndent("", "  ")
					return enc.Encode(col)
				}, true)
			}
		}
		if err != nil {
			err = fmt.Errorf("export %s: %w", path, err)
		}
		g.do(func() { done(err) })
	})
}

// exportArticle is the open article as the exporters take it.
func exportArticle(a *openArticle) (export.Article, []export.Highlight) {
	imgs := a.stored
	return export.Convert(a.art, a.doc, a.meta, a.highlights, func(src string) ([]byte, string, bool) {
		im, ok := imgs[src]
		return im.Data, im.MIME, ok
	})
}
