package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/archive"
)

func TestImportLibrary(t *testing.T) {
	pages := map[string][]byte{
		"/moths": page("Moths at night", "Moths outnumber butterflies ten to one."),
		"/bees":  page("Bees in winter", "Bees cluster to keep warm through the cold months."),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}))
	defer srv.Close()
	list := filepath.Join(t.TempDir(), "reading.txt")
	urls := srv.URL + "/moths\n" + srv.URL + "/bees\n" + srv.URL + "/missing\n"
	if err := os.WriteFile(list, []byte(urls), 0o644); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	var done *Job
	h.g.Jobs.done = func(j *Job) { done = j }
	h.g.ImportLibrary(list)
	if got := len(h.g.Jobs.Jobs); got != 1 {
		t.Fatalf("jobs running = %d, want 1", got)
	}
	h.waitFor("the import to finish", func() bool { return done != nil })

	if done.Err != nil {
		t.Fatalf("import: %v", done.Err)
	}
	if got, want := done.Progress.Value, 1.0; got != want {
		t.Errorf("progress = %v, want %v", got, want)
	}
	if got, want := done.Progress.TextFormatter(), "3 of 3"; got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
	if got, want := done.Label.Text, "1 article of reading.txt could not be fetched."; got != want {
		t.Errorf("row says %q, want %q", got, want)
	}
	if got, want := len(h.g.Jobs.Jobs), 1; got != want {
		t.Errorf("rows after an import with a failure = %d, want %d (it stays until dismissed)", got, want)
	}
	h.waitFor("the list to show 2 articles", func() bool { return h.g.Library.total == 2 })
	n, err := h.store.CountArticles(context.Background(), h.g.Library.filter)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, 2; got != want {
		t.Errorf("articles in the library = %d, want %d", got, want)
	}

	// The queue dialog shows the counts and the failure with its reason.
	loaded := 0
	h.g.showImportQueue()
	d := h.g.queueDialog
	d.loaded = func() { loaded++ }
	h.waitFor("the queue dialog", func() bool { return loaded == 1 })
	if got, want := d.Stats, (archive.QueueStats{Done: 2, Failed: 1}); got != want {
		t.Errorf("queue = %+v, want %+v", got, want)
	}
	if got, want := d.Counts.Text, "0 waiting, 0 being fetched, 2 in the library, 1 failed."; got != want {
		t.Errorf("counts = %q, want %q", got, want)
	}
	if len(d.Failed) != 1 {
		t.Fatalf("failed items = %d, want 1", len(d.Failed))
	}
	if got := d.Failed[0]; got.URL != srv.URL+"/missing" || !strings.Contains(got.Reason, "404") {
		t.Errorf("failed item = %s %q, want %s with a reason naming 404", got.URL, got.Reason, srv.URL+"/missing")
	}
	if d.Retry.Disabled() {
		t.Errorf("Retry failed is disabled with a failed item")
	}

	// Retry failed runs the queue again: the page is still missing, so it fails again.
	done = nil
	d.retry()
	h.waitFor("the retry to finish", func() bool { return done != nil })
	h.waitFor("the queue dialog to read the queue again", func() bool { return loaded >= 2 && d.Stats.Failed == 1 })
	if got, want := d.Stats, (archive.QueueStats{Done: 2, Failed: 1}); got != want {
		t.Errorf("queue after retry = %+v, want %+v", got, want)
	}
	if got, want := done.Label.Text, "1 article of the import queue could not be fetched."; got != want {
		t.Errorf("retry row says %q, want %q", got, want)
	}
	// Its bar counts the one item it retried, not the queue's whole history.
	if got, want := done.Progress.TextFormatter(), "1 of 1"; got != want {
		t.Errorf("retry progress = %q, want %q", got, want)
	}
}

func TestImportLibraryCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page("Slow page", "A page that takes its time to arrive."))
	}))
	defer srv.Close()
	defer close(release)
	list := filepath.Join(t.TempDir(), "urls.txt")
	if err := os.WriteFile(list, []byte(srv.URL+"/slow\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	var done *Job
	h.g.Jobs.done = func(j *Job) { done = j }
	h.g.ImportLibrary(list)
	j := h.g.Jobs.Jobs[0]
	h.waitFor("the queue to start", func() bool { return j.Label.Text == "Importing urls.txt" })
	j.Cancel.OnTapped()
	h.waitFor("the import to stop", func() bool { return done != nil })
	if len(h.g.Jobs.Jobs) != 0 {
		t.Errorf("cancelled import still listed")
	}
	st, err := h.lib.QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st, (archive.QueueStats{Waiting: 1}); got != want {
		t.Errorf("queue after cancel = %+v, want %+v (the item waits for the next start)", got, want)
	}

	// The next start resumes it in a job row.
	h.g.resumeImports()
	h.waitFor("the import to resume", func() bool { return len(h.g.Jobs.Jobs) == 1 })
	if got, want := h.g.Jobs.Jobs[0].Item, "the import queue"; got != want {
		t.Errorf("resumed row = %q, want %q", got, want)
	}
}
