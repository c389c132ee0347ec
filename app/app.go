// Package app is the Gloss desktop app: a library of saved articles on the left, the
// article in the reader in the middle, its annotations on the right.
//
// The app owns no data. Articles come from archive, highlights, notes, tags, claims,
// reading progress and the colour palette from annotate, and the preferences from the
// library's settings; each view shows what those services return and asks them to change
// it. Views are structs whose widgets tests reach directly.
//
// The UI goroutine only lays out and reacts: every service call runs on a goroutine started
// in an event handler, takes a context, and hands its result back through the view's one
// apply method, which runs on the UI goroutine through App.do (fyne.Do).
package app

import (
	"context"
	"errors"
	"log"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/fetch"
)

// Services are what the app works on.
type Services struct {
	Library *archive.Library
	Store   *annotate.Store
	Saver   *archive.Saver
	// BackupDir is where the app keeps the library's daily backups
	// (archive.BackupDir); "" makes none.
	BackupDir string
}

// App is the Gloss main window and its views.
type App struct {
	fyne   fyne.App
	svc    Services
	Window fyne.Window

	Library     *LibraryView
	Reader      *ReaderView
	Annotations *AnnotationsView
	Jobs        *JobsView

	prefs   Prefs
	theme   *glossTheme
	undo    undoStack
	palette []annotate.PaletteColor

	prefsSeq     int        // bumped by each savePrefs, on the UI goroutine
	prefsMu      sync.Mutex // one save at a time
	prefsSaved   int        // the newest prefsSeq stored; under prefsMu
	onPrefsSaved func()     // called after the latest save is stored (tests wait on it)
	noSave       bool       // screenshots change the window, not the user's preferences

	// The dialogs last opened, which tests fill in.
	editors     editors
	addDialog   *AddDialog
	prefsDialog *PrefsDialog
	queueDialog *ImportQueueDialog // while open

	// do runs f on the UI goroutine: fyne.Do, or in tests a queue the test drains.
	do func(f func())
	// ctx ends when the window closes, cancelling every background call.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // background calls, waited for on Close
	bgMu   sync.Mutex     // guards closed against timers starting work during Close
	closed bool
	// recleanMu makes re-cleans run one at a time (see cleanAgain).
	recleanMu sync.Mutex
	// queueMu makes runs of the import queue take turns: the library lets one at a time
	// fetch (archive.ErrQueueBusy).
	queueMu sync.Mutex
	// importing counts the import job rows whose run has not ended; on the UI goroutine.
	importing int

	logger *log.Logger

	// startOnce runs trimMemory once, trimDelay after the library list first shows.
	startOnce sync.Once
	// trimMemory gives the memory the start-up used and let go of back to the system:
	// debug.FreeOSMemory, which tests replace.
	trimMemory func()
}

// trimDelay is how long after the library list first shows the app waits before giving
// back the memory its start-up let go of: long enough for the first frames, fonts
// included, to be drawn.
const trimDelay = time.Second

// started is called when the library list first shows: the window is usable. Building
// it (parsing fonts, the first page, the first frames) leaves garbage that Go's heap would
// keep for a while; a second later it goes back to the system, which takes a few
// megabytes off the resident memory of an app that may stay open for days.
func (g *App) started() {
	g.startOnce.Do(func() {
		time.AfterFunc(trimDelay, func() {
			g.background(func(context.Context) { g.trimMemory() })
		})
	})
}

// New builds the main window on a, with the preferences stored in the library, and starts
// loading the library list. Call Window.ShowAndRun (or Show) to show it.
func New(a fyne.App, svc Services) (*App, error) {
	return build(a, svc, fyne.Do)
}

func build(a fyne.App, svc Services, do func(func())) (*App, error) {
	ctx, cancel := context.WithCancel(context.Background())
	prefs, err := LoadPrefs(ctx, svc.Library)
	if err != nil {
		cancel()
		return nil, err
	}
	g := &App{
		fyne: a, svc: svc, prefs: prefs, do: do, ctx: ctx, cancel: cancel,
		logger:     log.New(log.Writer(), "gloss: ", log.LstdFlags),
		trimMemory: debug.FreeOSMemory,
	}
	g.theme = newTheme(prefs.Appearance)
	a.Settings().SetTheme(g.theme)
	g.Window = a.NewWindow("Gloss")
	g.Library = newLibraryView(g)
	g.Reader = newReaderView(g)
	g.Annotations = newAnnotationsView(g)
	g.Jobs = newJobsView(g)

	left := container.NewPadded(container.NewBorder(nil, g.Jobs.box, nil, nil, g.Library.content))
	right := container.NewHSplit(g.Reader.content, container.NewPadded(g.Annotations.content))
	right.Offset = 0.70
	main := container.NewHSplit(left, right)
	main.Offset = 0.27
	g.Window.SetContent(main)
	g.Window.Resize(fyne.NewSize(1400, 900))
	g.Window.SetMainMenu(g.mainMenu())
	g.addShortcuts()
	g.Window.SetOnDropped(g.dropped)
	g.Window.SetCloseIntercept(func() {
		g.Reader.saveProgress()
		g.Close()
		g.Window.Close()
	})
	g.Library.reload()
	g.loadPalette()
	g.resumeImports()
	g.runBackups()
	return g, nil
}

// Close cancels background work and waits for it to stop.
func (g *App) Close() {
	g.bgMu.Lock()
	g.closed = true
	g.bgMu.Unlock()
	g.cancel()
	g.wg.Wait()
}

// background runs fn on a new goroutine with the app's context; fn reports back through
// a view's deliver method. It may be called from timers too; after Close it does nothing.
func (g *App) background(fn func(ctx context.Context)) {
	g.bgMu.Lock()
	defer g.bgMu.Unlock()
	if g.closed {
		return
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		fn(g.ctx)
	}()
}

// fail logs err once and shows the person one sentence about it.
func (g *App) fail(what string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	g.logger.Printf("%s: %v", what, err)
	showError(g.Window, sentence(err))
}

// failAsync is fail from a background goroutine.
func (g *App) failAsync(what string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	g.do(func() { g.fail(what, err) })
}

// sentence turns an error into one sentence a person can read: capitalised, with a full
// stop, without the Go error chain's prefixes where a typed error says it better.
func sentence(err error) string {
	var fe *fetch.Error
	var ve *annotate.ValueError
	var ad *archive.DamagedError
	var nd *annotate.DamagedError
	var msg string
	switch {
	case errors.As(err, &fe):
		msg = strings.TrimPrefix(fe.Error(), fe.URL+": ")
	case errors.Is(err, archive.ErrNoArticle):
		msg = "no article text could be found on this page"
	case errors.As(err, &ve):
		msg = ve.Error()
	case errors.Is(err, archive.ErrNewerSchema):
		msg = "this library was written by a newer version of Gloss; update Gloss to open it"
	case errors.Is(err, archive.ErrDiskFull):
		msg = "the disk is full: nothing was saved, and everything saved before is safe. Free some space, then try again"
	case errors.Is(err, archive.ErrNotFound):
		msg = "it is no longer in the library"
	case errors.As(err, &ad):
		msg = ad.Error()
	case errors.As(err, &nd):
		msg = nd.Error()
	default:
		msg = err.Error()
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "Something went wrong."
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// addShortcuts registers the window-wide keyboard shortcuts. Single-key commands (H, 1–6,
// N, T, C, Delete) belong to the reader and reach the app through its OnRune and OnKey.
func (g *App) addShortcuts() {
	c := g.Window.Canvas()
	ctrl := func(k fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	ctrl(fyne.KeyF, g.Reader.showFind)
	ctrl(fyne.KeyK, g.Library.focusSearch)
	ctrl(fyne.KeyL, g.showAddDialog)
	// Ctrl+Z arrives as fyne.ShortcutUndo, not as a custom shortcut. It reaches the canvas
	// from the reader (which passes on what it does not use) and from unfocused widgets; a
	// focused text box keeps it for its own undo.
	c.AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { g.Undo() })
	ctrl(fyne.KeyE, func() { g.exportDialog(formatMarkdown) })
	ctrl(fyne.KeyComma, g.showPreferences)
	ctrl(fyne.KeyEqual, func() { g.Reader.changeSize(+1) })
	ctrl(fyne.KeyMinus, func() { g.Reader.changeSize(-1) })
}

// dropped imports files and addresses dropped onto the window.
func (g *App) dropped(_ fyne.Position, uris []fyne.URI) {
	var items []addItem
	for _, u := range uris {
		switch u.Scheme() {
		case "file":
			items = append(items, addItem{file: u.Path()})
		case "http", "https":
			items = append(items, addItem{url: u.String()})
		}
	}
	g.Jobs.start(items)
}

// openURL opens a link of an article in the desktop's browser.
func (g *App) openURL(href string) {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
		return
	}
	if err := g.fyne.OpenURL(u); err != nil {
		g.fail("open link", err)
	}
}

// AddFromArgs adds what the command line named: web addresses and files.
func (g *App) AddFromArgs(args []string) {
	var items []addItem
	for _, a := range args {
		if looksLikeURL(a) {
			items = append(items, addItem{url: a})
		} else {
			items = append(items, addItem{file: a})
		}
	}
	g.Jobs.start(items)
}

// looksLikeURL reports whether s is an http(s) address rather than a file name.
func looksLikeURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// applyTheme switches the appearance of the whole window.
func (g *App) applyTheme(a Appearance) {
	g.theme = newTheme(a)
	g.fyne.Settings().SetTheme(g.theme)
	g.Reader.refreshHighlights()
	g.Annotations.refresh()
}

// isDark reports whether the window is drawn dark.
func (g *App) isDark() bool {
	switch g.theme.appearance {
	case AppearanceDark:
		return true
	case AppearanceSystem:
		return g.fyne.Settings().ThemeVariant() == theme.VariantDark
	}
	return false
}

// savePrefs stores the preferences in the background. Saves run one at a time and a
// save older than one already stored is skipped, so the library ends with the latest.
func (g *App) savePrefs() {
	if g.noSave {
		return
	}
	g.prefsSeq++
	p, seq := g.prefs, g.prefsSeq
	g.background(func(ctx context.Context) {
		g.prefsMu.Lock()
		var err error
		if seq > g.prefsSaved {
			if err = p.Save(ctx, g.svc.Library); err == nil {
				g.prefsSaved = seq
			}
		}
		g.prefsMu.Unlock()
		g.do(func() {
			if err != nil {
				g.fail("save preferences", err)
			} else if g.onPrefsSaved != nil && seq == g.prefsSeq {
				g.onPrefsSaved()
			}
		})
	})
}
