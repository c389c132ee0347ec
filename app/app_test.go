package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/fetch"
)

// uiQueue stands in for fyne.Do in tests: background work queues its results here and
// the test goroutine, which owns the widgets, runs them while it waits for a condition.
// Nothing sleeps: waiting is blocking on the next result.
type uiQueue struct {
	mu    sync.Mutex
	fns   []func()
	ready chan struct{}
}

func newUIQueue() *uiQueue { return &uiQueue{ready: make(chan struct{}, 1)} }

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// next runs the queued functions, waiting for one if none is queued; false on timeout.
func (q *uiQueue) next(timeout time.Duration) bool {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	if len(fns) > 0 {
		for _, f := range fns {
			f()
		}
		return true
	}
	select {
	case <-q.ready:
		return true
	case <-time.After(timeout):
		return false
	}
}

// waitTimeout bounds every wait: far longer than any step takes, short enough that a
// broken test fails instead of hanging.
const waitTimeout = 20 * time.Second

// waitFor runs queued UI work until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if !h.q.next(time.Until(deadline)) || time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// settle runs queued UI work until nothing more arrives for a moment, for the steps
// whose end has no observable signal of its own (a background write that shows nothing).
func (h *harness) drain() {
	for h.q.next(200 * time.Millisecond) {
	}
}

// harness is an App on a real temporary library, in a headless test window.
type harness struct {
	t     *testing.T
	g     *App
	q     *uiQueue
	lib   *archive.Library
	store *annotate.Store
	saver *archive.Saver
	trims atomic.Int32 // calls of the app's trimMemory
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	lib, err := archive.Open(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := annotate.NewStore(lib)
	if err != nil {
		t.Fatal(err)
	}
	saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
	q := newUIQueue()
	g, err := build(a, Services{Library: lib, Store: store, Saver: saver}, q.do)
	if err != nil {
		t.Fatal(err)
	}
	g.Window.Resize(fyne.NewSize(1400, 900))
	h := &harness{t: t, g: g, q: q, lib: lib, store: store, saver: saver}
	g.trimMemory = func() { h.trims.Add(1) } // before the list shows, which starts the timer
	t.Cleanup(func() {
		g.Close()
		if err := lib.Close(); err != nil {
			t.Error(err)
		}
	})
	h.waitFor("the library list", func() bool { _, ok := g.Library.pages[0]; return ok })
	return h
}

// sample is the test article: a page of our own, with headings, a quotation and a list.
func sample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "street-trees.html"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importPage stores html as an article and returns its id.
func (h *harness) importPage(name string, html []byte, pageURL string) int64 {
	h.t.Helper()
	s, err := h.saver.ImportFile(context.Background(), name, html, pageURL)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.ArticleID
}

// open opens an article in the reader and waits until it is shown.
func (h *harness) open(id int64) {
	h.t.Helper()
	h.g.Reader.Open(id)
	h.waitFor("the article to open", func() bool { return h.g.Reader.Article() == id })
}

// text is the canonical text of the open article.
func (h *harness) text() string { return h.g.Reader.article.doc.Text }

// offsets returns the byte range of s in the open article's text.
func (h *harness) offsets(s string) (int, int) {
	h.t.Helper()
	i := strings.Index(h.text(), s)
	if i < 0 {
		h.t.Fatalf("%q is not in the article", s)
	}
	return i, i + len(s)
}

func mouseAt(p fyne.Position) *desktop.MouseEvent {
	return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p}, Button: desktop.MouseButtonPrimary}
}

// dragSelect selects from one offset to another with the mouse, as a person would: button
// down on the first character, drag to the last, release. test.Drag sends a single drag
// event without a button press, so the reader's own handlers are driven instead.
func (h *harness) dragSelect(start, end int) {
	r := h.g.Reader.Reader
	r.ScrollToOffset(start) // bring the passage into view, as a reader would
	from := r.PositionOf(start).AddXY(0, 4)
	to := r.PositionOf(end).AddXY(0, 4)
	r.MouseDown(mouseAt(from))
	mid := fyne.NewPos((from.X+to.X)/2, (from.Y+to.Y)/2)
	r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(mid.X-from.X, mid.Y-from.Y)})
	r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-mid.X, to.Y-mid.Y)})
	r.MouseUp(mouseAt(to))
	r.DragEnd()
}

const (
	claimSentence = "The deputy mayor, Tomas Reyes, went further at a press conference in March"
	airSentence   = "Air temperature, the heat people breathe, rarely moves by more than two or three degrees over a single street."
)

func TestAddArticleThroughDialog(t *testing.T) {
	page := sample(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2024/street-trees" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()

	tests := []struct {
		name     string
		path     string
		wantErr  string // in the job's one sentence; "" for success
		wantOpen bool
	}{
		{"saved and opened", "/2024/street-trees", "", true},
		{"not found", "/missing", "The server answered 404 Not Found.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			var done *Job
			h.g.Jobs.done = func(j *Job) { done = j }
			h.g.showAddDialog()
			d := h.g.addDialog
			if d == nil {
				t.Fatal("Ctrl+L opened no add dialog")
			}
			d.URLs.SetText(srv.URL + tt.path)
			test.Tap(d.Add)
			if got := len(h.g.Jobs.Jobs); got != 1 {
				t.Fatalf("jobs running = %d, want 1", got)
			}
			h.waitFor("the save to finish", func() bool { return done != nil })

			if tt.wantErr != "" {
				if done.Err == nil {
					t.Fatalf("job succeeded, want %q", tt.wantErr)
				}
				if got := done.Label.Text; got != tt.wantErr {
					t.Errorf("failure shown = %q, want %q", got, tt.wantErr)
				}
				if done.Address == nil || done.Address.Text != srv.URL+tt.path {
					t.Errorf("failure row does not name the address %s", srv.URL+tt.path)
				}
				if len(h.g.Jobs.Jobs) != 1 {
					t.Errorf("failed job left the list; it should stay until dismissed")
				}
				return
			}
			if done.Err != nil {
				t.Fatalf("save: %v", done.Err)
			}
			if len(h.g.Jobs.Jobs) != 0 {
				t.Errorf("finished job still listed")
			}
			id := done.Saved.ArticleID
			h.waitFor("the article to open", func() bool { return h.g.Reader.Article() == id })
			h.waitFor("the list to show it", func() bool { return h.g.Library.total == 1 })
			row, ok := h.g.Library.row(0)
			if !ok || row.ID != id || row.Title != "The quiet arithmetic of street trees" {
				t.Errorf("library row 0 = %+v (loaded %v), want article %d", row.ArticleSummary, ok, id)
			}
			if got := h.g.Window.Title(); !strings.HasPrefix(got, "The quiet arithmetic") {
				t.Errorf("window title = %q", got)
			}
		})
	}
}

// TestTrimAfterStart: a moment after the library list first shows, the app gives the
// memory its start-up let go of back to the system, once.
func TestTrimAfterStart(t *testing.T) {
	h := newHarness(t)
	deadline := time.Now().Add(waitTimeout)
	for h.trims.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	h.g.Library.reload()
	h.drain()
	time.Sleep(trimDelay + 100*time.Millisecond)
	if got := h.trims.Load(); got != 1 {
		t.Errorf("memory given back %d times after start-up and a reload, want 1", got)
	}
}
