package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive"
)

// addItem is one thing to add to the library: a web address, a file, or pasted text.
type addItem struct {
	url  string
	file string
	text string
}

func (it addItem) label() string {
	switch {
	case it.url != "":
		return it.url
	case it.file != "":
		return filepath.Base(it.file)
	}
	return "Pasted text"
}

// Job is one article being added in the background, or a site's articles being cleaned
// again.
type Job struct {
	Item     string // the address, file name or "Pasted text"; the host cleaned again
	Row      *fyne.Container
	Label    *widget.Label
	Address  *widget.Label // under a failure: what was being added
	Progress *widget.ProgressBar
	Cancel   *widget.Button
	Err      error         // set when it failed
	Saved    archive.Saved // set when it succeeded
	cancel   context.CancelFunc
}

// addJob adds a row for a job on item: label, a progress bar whose text is progress's,
// and a Cancel button that calls cancel.
func (v *JobsView) addJob(item, label string, cancel context.CancelFunc, progress func() string) *Job {
	j := &Job{Item: item, cancel: cancel}
	j.Label = widget.NewLabel(label)
	j.Label.Truncation = fyne.TextTruncateEllipsis
	j.Progress = widget.NewProgressBar()
	j.Progress.TextFormatter = progress
	j.Cancel = widget.NewButtonWithIcon("", theme.CancelIcon(), func() { j.cancel() })
	j.Cancel.Importance = widget.LowImportance
	j.Row = container.NewBorder(nil, nil, nil, j.Cancel, container.NewVBox(j.Label, j.Progress))
	v.Jobs = append(v.Jobs, j)
	v.box.Add(j.Row)
	return j
}

// JobsView lists the articles being added, each with its progress and a Cancel button,
// and the ones that failed, each with the reason in one sentence and its address.
type JobsView struct {
	g    *App
	box  *fyne.Container
	Jobs []*Job

	// done is called when a job ends, saved, failed or cancelled (tests wait on it).
	done func(*Job)
}

func newJobsView(g *App) *JobsView {
	return &JobsView{g: g, box: container.NewVBox()}
}

// deliver runs f on the UI goroutine: every result of the view's background work comes
// back through here.
func (v *JobsView) deliver(f func()) { v.g.do(f) }

// start adds items in the background, one job each. When a single item was asked for, its
// article opens once saved.
func (v *JobsView) start(items []addItem) {
	for _, it := range items {
		v.run(it, len(items) == 1)
	}
}

func (v *JobsView) run(it addItem, open bool) {
	ctx, cancel := context.WithCancel(v.g.ctx)
	j := v.addJob(it.label(), "Saving "+shortItem(it.label()), cancel, func() string { return "" })

	v.g.background(func(context.Context) {
		defer cancel()
		progress := func(p archive.Progress) {
			f := stageFraction(p)
			stage := string(p.Stage)
			v.deliver(func() {
				j.Progress.SetValue(f)
				j.Label.SetText(capitalise(stage) + " " + shortItem(j.Item))
			})
		}
		saved, err := v.save(ctx, it, progress)
		v.deliver(func() { v.finish(j, saved, err, open) })
	})
}

// save does the work of one job off the UI goroutine.
func (v *JobsView) save(ctx context.Context, it addItem, progress func(archive.Progress)) (archive.Saved, error) {
	s := v.g.svc.Saver
	switch {
	case it.url != "":
		return s.Save(ctx, strings.TrimSpace(it.url), progress)
	case it.file != "":
		progress(archive.Progress{Stage: archive.StageExtract})
		data, err := os.ReadFile(it.file)
		if err != nil {
			return archive.Saved{}, err
		}
		return s.ImportFile(ctx, it.file, data, "")
	default:
		progress(archive.Progress{Stage: archive.StageExtract})
		return s.ImportFile(ctx, "pasted.txt", []byte(it.text), "")
	}
}

// stageFraction turns a stage of a save into how far along the bar is.
func stageFraction(p archive.Progress) float64 {
	switch p.Stage {
	case archive.StageFetch:
		return 0.1
	case archive.StageExtract:
		return 0.3
	case archive.StageImages:
		if p.Total > 0 {
			return 0.35 + 0.55*float64(p.Done)/float64(p.Total)
		}
		return 0.35
	case archive.StageStore:
		return 0.95
	}
	return 0
}

// finish shows how a job ended: a saved article leaves the list (and opens, if asked); a
// failure stays with its reason until dismissed.
func (v *JobsView) finish(j *Job, saved archive.Saved, err error, open bool) {
	j.Saved, j.Err = saved, err
	switch {
	case errors.Is(err, context.Canceled):
		v.remove(j)
	case err != nil:
		v.g.logger.Printf("add %s: %v", j.Item, err)
		j.Label.SetText(sentence(err))
		j.Label.Wrapping = fyne.TextWrapWord
		j.Label.Truncation = fyne.TextTruncateOff
		j.Label.Importance = widget.DangerImportance
		j.Address = widget.NewLabel(j.Item)
		j.Address.Truncation = fyne.TextTruncateEllipsis
		j.Address.SizeName = theme.SizeNameCaptionText
		j.Address.Importance = widget.LowImportance
		j.Cancel.SetIcon(theme.WindowCloseIcon())
		j.Cancel.OnTapped = func() { v.remove(j) }
		j.Row.Objects[0] = container.NewVBox(j.Label, j.Address)
		j.Row.Refresh()
	default:
		v.remove(j)
		v.g.Library.reload()
		if open {
			v.g.Library.markOpen(saved.ArticleID)
			v.g.Reader.Open(saved.ArticleID)
		}
	}
	if v.done != nil {
		v.done(j)
	}
}

// recleanSite cleans articles of a site again, one after another, with the site rules as
// they are now: one row with a progress bar and Cancel. An article that cannot be cleaned
// again is counted and the rest go on; the row then stays with the count until dismissed.
func (v *JobsView) recleanSite(host string, ids []int64) {
	ctx, cancel := context.WithCancel(v.g.ctx)
	done := 0
	j := v.addJob(host, fmt.Sprintf("Cleaning %s from %s again", plural(len(ids), "article", "articles"), host), cancel,
		func() string { return fmt.Sprintf("%d of %d", done, len(ids)) })

	v.g.background(func(context.Context) {
		defer cancel()
		failed, first := 0, error(nil)
		for i, id := range ids {
			if ctx.Err() != nil {
				break
			}
			err := v.g.cleanAgain(ctx, id, archive.RecleanOptions{})
			switch {
			case errors.Is(err, context.Canceled):
			case err != nil:
				v.g.logger.Printf("clean article %d again: %v", id, err)
				if failed++; first == nil {
					first = err
				}
			}
			n := i + 1
			v.deliver(func() {
				done = n
				j.Progress.SetValue(float64(n) / float64(len(ids)))
			})
		}
		err := ctx.Err()
		v.deliver(func() {
			v.g.Library.reload()
			if open := v.g.Reader.Article(); slices.Contains(ids, open) {
				v.g.Reader.Open(open) // show its new capture
			}
			switch {
			case err != nil:
				j.Err = err
				v.remove(j)
			case failed > 0:
				j.Err = first
				j.Label.SetText(fmt.Sprintf("%s from %s could not be cleaned again. %s",
					plural(failed, "article", "articles"), host, sentence(first)))
				j.Label.Wrapping = fyne.TextWrapWord
				j.Label.Truncation = fyne.TextTruncateOff
				j.Label.Importance = widget.DangerImportance
				j.Cancel.SetIcon(theme.WindowCloseIcon())
				j.Cancel.OnTapped = func() { v.remove(j) }
				j.Row.Objects[0] = container.NewVBox(j.Label)
				j.Row.Refresh()
			default:
				v.remove(j)
			}
			if v.done != nil {
				v.done(j)
			}
		})
	})
}

func (v *JobsView) remove(j *Job) {
	for i, o := range v.Jobs {
		if o == j {
			v.Jobs = append(v.Jobs[:i], v.Jobs[i+1:]...)
			break
		}
	}
	v.box.Remove(j.Row)
}

func shortItem(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	return clip(s, 60)
}

// AddDialog is the dialog that adds articles: web addresses, pasted text, or files.
type AddDialog struct {
	URLs   *widget.Entry
	Text   *widget.Entry
	Files  []string
	Chosen *widget.Label
	Add    *widget.Button
	Dialog dialog.Dialog
}

// showAddDialog opens the add dialog.
func (g *App) showAddDialog() {
	d := &AddDialog{URLs: widget.NewMultiLineEntry(), Text: widget.NewMultiLineEntry(), Chosen: widget.NewLabel("")}
	d.URLs.SetPlaceHolder("https://…  (one address per line)")
	d.URLs.SetMinRowsVisible(3)
	if clip := strings.TrimSpace(g.Window.Clipboard().Content()); looksLikeURL(clip) && !strings.ContainsAny(clip, " \n") {
		d.URLs.SetText(clip)
	}
	d.Text.SetPlaceHolder("Or paste the text of an article: its first line becomes the title")
	d.Text.Wrapping = fyne.TextWrapWord
	d.Text.SetMinRowsVisible(5)
	d.Chosen.Importance = widget.LowImportance
	d.Chosen.Truncation = fyne.TextTruncateEllipsis
	choose := widget.NewButtonWithIcon("Choose files…", theme.FolderOpenIcon(), func() {
		fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			_ = r.Close() // only the path is wanted; the job reads the file
			d.Files = append(d.Files, r.URI().Path())
			names := make([]string, len(d.Files))
			for i, f := range d.Files {
				names[i] = filepath.Base(f)
			}
			d.Chosen.SetText(strings.Join(names, ", "))
		}, g.Window)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	hint := widget.NewLabel("Web pages are fetched now and kept whole, images included. Files: .html, .htm, .txt, .md.")
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	hint.Importance = widget.LowImportance
	form := widget.NewForm(
		widget.NewFormItem("Addresses", d.URLs),
		widget.NewFormItem("Text", d.Text),
		widget.NewFormItem("Files", container.NewBorder(nil, nil, choose, nil, d.Chosen)),
	)
	var cd *dialog.CustomDialog
	cd, d.Add = editorDialog("Add to library", container.NewVBox(form, hint), g.Window, func() { g.Jobs.start(d.items()) })
	d.Add.SetText("Add")
	d.Add.SetIcon(theme.ContentAddIcon())
	cd.Resize(fyne.NewSize(640, 0))
	d.Dialog = cd
	g.addDialog = d
	cd.Show()
	g.Window.Canvas().Focus(d.URLs)
}

// items is what the dialog asks to add.
func (d *AddDialog) items() []addItem {
	var out []addItem
	for _, l := range strings.Fields(d.URLs.Text) {
		if !strings.Contains(l, "://") && strings.Contains(l, ".") {
			l = "https://" + l // what browsers do with a bare host name
		}
		out = append(out, addItem{url: l})
	}
	if t := strings.TrimSpace(d.Text.Text); t != "" {
		out = append(out, addItem{text: t})
	}
	for _, f := range d.Files {
		out = append(out, addItem{file: f})
	}
	return out
}
