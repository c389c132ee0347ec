package app

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/software"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/doc"
)

// ScreenshotStates are the states Screenshot can put the window in, for the pictures in
// the documentation (make screenshots).
var ScreenshotStates = []string{"main", "annotations", "claim", "strip", "removed", "dark", "selection"}

// settle is how long Screenshot lets the window draw a new state before capturing it.
const settle = 800 * time.Millisecond

// Screenshot adds items (addresses and files) to the library, opens the article with the
// most highlights, puts the window in a state and writes a PNG of the window's content (or,
// for "annotations", of the annotations pane) to out. It runs on a goroutine of its own
// while the app runs, and drives the window through fyne.DoAndWait as a person would
// through the mouse and keyboard.
func (g *App) Screenshot(ctx context.Context, state string, items []string, out string) error {
	known := false
	for _, s := range ScreenshotStates {
		known = known || s == state
	}
	if !known {
		return fmt.Errorf("unknown state %q (want one of %s)", state, strings.Join(ScreenshotStates, ", "))
	}
	ui := fyne.DoAndWait
	ui(func() { g.noSave = true })
	wait := func(ch <-chan struct{}, what string) error {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(60 * time.Second):
			return fmt.Errorf("screenshot: timed out waiting for %s", what)
		}
	}
	time.Sleep(settle) // the window maps and takes its size

	if len(items) > 0 {
		left := len(items)
		done := make(chan struct{})
		var failed []string
		ui(func() {
			g.Jobs.done = func(j *Job) {
				if j.Err != nil {
					failed = append(failed, j.Item+": "+sentence(j.Err))
				}
				if left--; left == 0 {
					close(done)
				}
			}
			var add []addItem
			for _, it := range items {
				if looksLikeURL(it) {
					add = append(add, addItem{url: it})
				} else {
					add = append(add, addItem{file: it})
				}
			}
			for _, it := range add {
				g.Jobs.run(it, false)
			}
		})
		if err := wait(done, "the articles to be added"); err != nil {
			return err
		}
		if len(failed) > 0 {
			return fmt.Errorf("screenshot: %s", strings.Join(failed, "; "))
		}
	}

	// Read the library afresh and open the article with the most highlights.
	loaded := make(chan struct{}, 1)
	ui(func() {
		g.Library.loaded = func() {
			select {
			case loaded <- struct{}{}:
			default:
			}
		}
		g.Library.reload()
	})
	if err := wait(loaded, "the library"); err != nil {
		return err
	}
	var pick int64
	ui(func() {
		best := -1
		for _, r := range g.Library.pages[0] {
			if r.Highlights > best {
				best, pick = r.Highlights, r.ID
			}
		}
	})
	if pick == 0 {
		return fmt.Errorf("screenshot: the library is empty")
	}
	opened := make(chan struct{})
	ui(func() {
		g.Reader.opened = func(int64) { close(opened) }
		g.Library.markOpen(pick)
		g.Reader.Open(pick)
	})
	if err := wait(opened, "the article"); err != nil {
		return err
	}
	ui(func() {
		g.Reader.opened = nil
		g.Reader.Reader.ScrollToFraction(0)
		// The documentation shows the light appearance, whatever the machine prefers,
		// except in the picture of the dark one.
		if state != "dark" {
			g.Reader.Appearance.SetSelected(appearanceLabel(AppearanceLight))
		}
	})
	time.Sleep(settle)

	var crop fyne.CanvasObject
	var putBack func() error // takes back a change the state made to the library
	switch state {
	case "annotations":
		ui(func() {
			crop = g.Annotations.content
			if a := g.Reader.article; a != nil {
				for _, h := range a.highlights {
					if h.Note != "" && h.Status != annotate.StatusOrphan {
						g.Reader.ScrollToHighlight(h.ID)
						g.Annotations.reveal(h.ID)
						break
					}
				}
			}
		})
	case "claim":
		ui(func() {
			a := g.Reader.article
			if a == nil || len(a.highlights) == 0 {
				return
			}
			h := a.highlights[0]
			for _, x := range a.highlights {
				if x.Claim != nil {
					h = x
					break
				}
			}
			g.Reader.ScrollToHighlight(h.ID)
			g.claimEditor(h)
		})
	case "strip", "removed":
		// Remove the last paragraph (often a sign-off or a promotion), as a click would,
		// and wait for the article to be cleaned again without it; then point at the
		// first paragraph below the title so that its frame shows. Once the picture is
		// taken, the paragraph is put back, so that the next state starts from the same
		// article.
		stripped := make(chan struct{})
		ui(func() {
			g.Reader.SetStripMode(true)
			a := g.Reader.article
			if a == nil {
				close(stripped)
				return
			}
			g.Reader.recleaned = func(error) { close(stripped) }
			for i := len(a.doc.Blocks) - 1; i >= 0; i-- {
				if b := a.doc.Blocks[i]; b.End > b.Start && b.Kind == doc.Paragraph {
					putBack = func() error {
						return g.cleanAgain(ctx, a.id, archive.RecleanOptions{Unstrip: []string{a.doc.Text[b.Start:b.End]}})
					}
					g.Reader.StripBlock(i)
					return
				}
			}
			close(stripped)
		})
		if err := wait(stripped, "the block to be removed"); err != nil {
			return err
		}
		ui(func() {
			g.Reader.recleaned = nil
			a := g.Reader.article
			g.Reader.Reader.ScrollToFraction(0)
			for _, b := range a.doc.Blocks {
				if b.End > b.Start && b.Kind == doc.Paragraph {
					p := g.Reader.Reader.PositionOf(b.Start).AddXY(40, 8)
					ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p}}
					g.Reader.Reader.MouseIn(ev)
					g.Reader.Reader.MouseMoved(ev)
					break
				}
			}
			if state == "removed" {
				g.Reader.showRemoved()
			}
		})
	case "dark", "selection":
		ui(func() {
			if state == "dark" {
				g.Reader.Appearance.SetSelected(appearanceLabel(AppearanceDark))
			}
			g.selectSecondSentence()
		})
	}
	time.Sleep(settle)
	var img image.Image
	ui(func() {
		img = captureWindow(g.Window)
		if crop != nil {
			img = cropTo(img, crop)
		}
	})
	if err := writePNG(out, img); err != nil {
		return err
	}
	if putBack != nil {
		return putBack()
	}
	return nil
}

// captureWindow draws the window's content and overlays (dialogs, menus) with Fyne's
// software painter. Canvas.Capture reads the GL front buffer, which Mesa leaves black
// under Xvfb; the software painter draws the same objects the same way on any display.
// The mirror canvas lays the content out at its own origin, so the window is not usable
// for drawing afterwards: Screenshot quits right after.
func captureWindow(w fyne.Window) image.Image {
	c := w.Canvas()
	content := c.Content()
	size := content.Size()
	sc := software.NewCanvas()
	sc.SetPadded(false)
	sc.Resize(size)
	sc.SetContent(content)
	for _, o := range c.Overlays().List() {
		sc.Overlays().Add(o)
	}
	return sc.Capture()
}

// selectSecondSentence selects a sentence of the open article's first long paragraph, as
// a drag would, and shows the selection toolbar.
func (g *App) selectSecondSentence() {
	a := g.Reader.article
	if a == nil {
		return
	}
	for _, b := range a.doc.Blocks {
		text := a.doc.Text[b.Start:b.End]
		if b.Kind != 0 || len(text) < 200 {
			continue
		}
		start := strings.Index(text, ". ")
		if start < 0 {
			continue
		}
		start += 2
		end := strings.Index(text[start:], ". ")
		if end < 0 {
			continue
		}
		s, e := b.Start+start, b.Start+start+end+1
		if _, on := g.Reader.highlightOn(s, e); on {
			continue
		}
		g.Reader.Reader.ScrollToOffset(b.Start)
		g.Reader.Reader.SetSelection(s, e)
		g.Reader.selected(s, e)
		return
	}
}

// cropTo cuts the part of a capture (of the window's content, at scale 1) that shows o.
func cropTo(img image.Image, o fyne.CanvasObject) image.Image {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	size := o.Size()
	r := image.Rect(int(pos.X), int(pos.Y), int(pos.X+size.Width), int(pos.Y+size.Height))
	r = r.Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return out
}

// writePNG writes img to path atomically.
func writePNG(path string, img image.Image) error {
	if img == nil {
		return fmt.Errorf("screenshot: nothing captured")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shot-*.png")
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return nil
}
