package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive"
	"gloss/archive/importer"
)

// queueReloadEvery is how often, at most, the library list reloads while an import
// brings articles in: often enough to watch it fill, not so often that a big import
// spends its time redrawing the list.
const queueReloadEvery = time.Second

// failedShown is how many failed items the import queue dialog lists.
const failedShown = 200

// showImportLibrary asks for an export (Pocket, Instapaper, Omnivore, bookmarks, a list
// of addresses…) and imports it.
func (g *App) showImportLibrary() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close() // only the path is wanted; importer.Open reads the file
		g.ImportLibrary(r.URI().Path())
	}, g.Window)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// ImportLibrary queues the articles of the export at path and fetches them in the
// background, as a row of the jobs view with a progress bar and Cancel. It is what the
// "Import library…" menu item does once a file is chosen.
func (g *App) ImportLibrary(path string) {
	g.Jobs.runImport(path)
}

// resumeImports fetches, in a job row, what an earlier run of the import queue left
// waiting (it was cancelled, or Gloss was closed): the queue resumes by itself on start.
func (g *App) resumeImports() {
	g.background(func(ctx context.Context) {
		st, err := g.svc.Library.QueueStats(ctx)
		if err != nil {
			g.failAsync("read the import queue", err)
			return
		}
		if st.Waiting+st.Running > 0 {
			g.Jobs.deliver(func() {
				if g.importing == 0 { // else a run under way fetches them
					g.Jobs.runImport("")
				}
			})
		}
	})
}

// runImport queues the export at path ("" to queue nothing) and runs the import queue,
// in one job row. Runs of the queue take turns: the library lets one at a time fetch.
func (v *JobsView) runImport(path string) {
	ctx, cancel := context.WithCancel(v.g.ctx)
	item := "the import queue"
	if path != "" {
		item = filepath.Base(path)
	}
	var finished, total int
	j := v.addJob(item, "Reading "+item, cancel, func() string {
		if total == 0 {
			return ""
		}
		return fmt.Sprintf("%d of %d", finished, total)
	})
	v.g.importing++

	v.g.background(func(context.Context) {
		defer cancel()
		if path != "" {
			if err := v.enqueue(ctx, path); err != nil {
				v.deliver(func() { v.finishImport(j, archive.QueueStats{}, 0, err) })
				return
			}
		}
		v.g.queueMu.Lock()
		defer v.g.queueMu.Unlock()
		if ctx.Err() != nil {
			v.deliver(func() { v.finishImport(j, archive.QueueStats{}, 0, ctx.Err()) })
			return
		}
		var startFailed, lastDone int
		var started bool
		var lastReload time.Time
		progress := func(s archive.QueueStats) {
			if !started {
				started, startFailed, lastDone = true, s.Failed, s.Done
			}
			reload := s.Done > lastDone && time.Since(lastReload) >= queueReloadEvery
			if reload {
				lastDone, lastReload = s.Done, time.Now()
			}
			v.deliver(func() {
				// This run's share of the queue: what it has finished and what is left,
				// not what earlier imports did.
				finished, total = s.Finished, s.Finished+s.Waiting+s.Running
				j.Label.SetText("Importing " + shortItem(j.Item))
				if total > 0 {
					j.Progress.SetValue(float64(finished) / float64(total))
				}
				if reload {
					v.g.Library.reload()
				}
			})
		}
		st, err := archive.RunQueue(ctx, v.g.svc.Library, v.g.svc.Saver, archive.QueueOptions{
			Progress: progress,
			After:    v.g.svc.Store.ImportQueued,
		})
		v.deliver(func() { v.finishImport(j, st, st.Failed-startFailed, err) })
	})
}

// enqueue reads the export at path into the import queue, and attaches the annotations
// of entries already in the library, as gloss import-library does.
func (v *JobsView) enqueue(ctx context.Context, path string) error {
	f, err := importer.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sum, err := v.g.svc.Library.EnqueueImport(ctx, f.Format, f.Each)
	if err != nil {
		return err
	}
	v.g.logger.Printf("import %s as %s: %d entries, %d queued, %d merged, %d in the library, %d without an address",
		path, f.Format.Name(), sum.Entries, sum.Queued, sum.Merged, sum.InLibrary, sum.NoAddress)
	_, err = archive.ApplyPending(ctx, v.g.svc.Library, v.g.svc.Store.ImportQueued)
	return err
}

// finishImport shows how a run of the import queue ended. A cancelled run leaves the
// list (what is left waits for the next start); a run with failures stays with their
// count, and a button to the import queue, until dismissed.
func (v *JobsView) finishImport(j *Job, st archive.QueueStats, failed int, err error) {
	j.Err = err
	v.g.importing--
	v.g.Library.reload()
	switch {
	case errors.Is(err, context.Canceled):
		v.remove(j)
	case err != nil || failed > 0:
		msg := ""
		if err != nil {
			v.g.logger.Printf("import %s: %v", j.Item, err)
			msg = sentence(err)
		} else {
			msg = fmt.Sprintf("%s of %s could not be fetched.", plural(failed, "article", "articles"), j.Item)
		}
		j.Label.SetText(msg)
		j.Label.Wrapping = fyne.TextWrapWord
		j.Label.Truncation = fyne.TextTruncateOff
		j.Label.Importance = widget.DangerImportance
		j.Cancel.SetIcon(theme.WindowCloseIcon())
		j.Cancel.OnTapped = func() { v.remove(j) }
		show := widget.NewButton("Import queue…", v.g.showImportQueue)
		show.Importance = widget.LowImportance
		j.Row.Objects[0] = container.NewVBox(j.Label, container.NewHBox(show))
		j.Row.Refresh()
	default:
		v.remove(j)
	}
	if d := v.g.queueDialog; d != nil {
		d.load()
	}
	if v.done != nil {
		v.done(j)
	}
}

// ImportQueueDialog shows the import queue: how many articles wait, are being fetched,
// are in the library and failed, and the failed ones with their reasons.
type ImportQueueDialog struct {
	Stats  archive.QueueStats  // as last read
	Failed []archive.QueueItem // the first failed items, as last read
	Counts *widget.Label
	List   *widget.List
	Retry  *widget.Button
	Dialog dialog.Dialog

	g *App
	// loaded is called when the dialog has read the queue (tests wait on it).
	loaded func()
}

// showImportQueue opens the import queue dialog.
func (g *App) showImportQueue() {
	d := &ImportQueueDialog{g: g, Counts: widget.NewLabel("Reading the import queue…")}
	d.Counts.Wrapping = fyne.TextWrapWord
	d.List = widget.NewList(
		func() int { return len(d.Failed) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			reason := widget.NewLabel("")
			reason.Truncation = fyne.TextTruncateEllipsis
			reason.SizeName = theme.SizeNameCaptionText
			reason.Importance = widget.DangerImportance
			return container.NewVBox(title, reason)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			it := d.Failed[i]
			box := o.(*fyne.Container)
			name := it.Title
			if name == "" {
				name = it.URL
			}
			box.Objects[0].(*widget.Label).SetText(name)
			box.Objects[1].(*widget.Label).SetText(it.Reason)
		},
	)
	d.Retry = widget.NewButtonWithIcon("Retry failed", theme.ViewRefreshIcon(), d.retry)
	d.Retry.Disable()
	list := container.NewGridWrap(fyne.NewSize(560, 300), d.List)
	content := container.NewBorder(d.Counts, container.NewHBox(d.Retry), nil, nil, list)
	cd := dialog.NewCustom("Import queue", "Close", content, g.Window)
	cd.SetOnClosed(func() {
		if g.queueDialog == d {
			g.queueDialog = nil
		}
	})
	d.Dialog = cd
	g.queueDialog = d
	cd.Show()
	d.load()
}

// load reads the queue in the background and shows it.
func (d *ImportQueueDialog) load() {
	g := d.g
	g.background(func(ctx context.Context) {
		st, err := g.svc.Library.QueueStats(ctx)
		var failed []archive.QueueItem
		if err == nil {
			failed, err = g.svc.Library.QueueItems(ctx, archive.QueueFailed, failedShown)
		}
		g.Jobs.deliver(func() {
			if err != nil {
				g.fail("read the import queue", err)
				return
			}
			d.Stats, d.Failed = st, failed
			d.Counts.SetText(queueCounts(st))
			d.List.Refresh()
			if st.Failed > 0 {
				d.Retry.Enable()
			} else {
				d.Retry.Disable()
			}
			if d.loaded != nil {
				d.loaded()
			}
		})
	})
}

// retry puts the failed items back in the queue and runs it again.
func (d *ImportQueueDialog) retry() {
	g := d.g
	d.Retry.Disable()
	g.background(func(ctx context.Context) {
		n, err := g.svc.Library.RetryFailed(ctx)
		g.Jobs.deliver(func() {
			if err != nil {
				g.fail("retry failed imports", err)
				return
			}
			if n > 0 {
				g.Jobs.runImport("")
			}
			d.load()
		})
	})
}

// queueCounts says in one line how many items of the queue are in each state.
func queueCounts(s archive.QueueStats) string {
	parts := []string{
		fmt.Sprintf("%d waiting", s.Waiting),
		fmt.Sprintf("%d being fetched", s.Running),
		fmt.Sprintf("%d in the library", s.Done),
		fmt.Sprintf("%d failed", s.Failed),
	}
	line := strings.Join(parts, ", ") + "."
	if s.Pending > 0 {
		line += fmt.Sprintf(" %s with tags or highlights not attached yet.", plural(s.Pending, "article", "articles"))
	}
	return line
}
