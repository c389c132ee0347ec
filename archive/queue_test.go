package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/archive/fetch"
	"gloss/archive/importer"
)

// openQueueTest opens a library that reads the real clock: the queue waits in real time.
func openQueueTest(t *testing.T) *Library {
	t.Helper()
	l := openTest(t)
	l.now = time.Now
	return l
}

// entries returns an each function over es, for EnqueueImport.
func entries(es ...importer.Entry) func(func(importer.Entry) error) error {
	return func(fn func(importer.Entry) error) error {
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// queuePage is an article page with enough text to extract.
func queuePage(title string) string {
	return `<html><head><title>` + title + `</title></head><body><article><h1>` + title + `</h1>
<p>Moths outnumber butterflies by about nine to one, and most of them fly at night, guided by the moon and the stars.</p>
<p>Researchers have long wondered why moths circle street lamps; a recent study suggests they tilt their backs toward the brightest light.</p>
<p>That reflex keeps them level under an open sky but traps them in orbit around a lamp, until they tire or dawn comes.</p>
</article></body></html>`
}

// site is a test web server reachable under several made-up host names, which counts
// requests and the fetches in flight per host.
type site struct {
	*httptest.Server
	port  string
	delay time.Duration

	mu          sync.Mutex
	requests    map[string]int // by path
	served      map[string]int // 200 answers by path
	inFlight    map[string]int // by host
	maxInFlight map[string]int
	total, max  int
	onRequest   func(n int) // called with the number of the request, before answering
	count       int
}

// handler answers by path: /ok/…, /missing/… (404), /flaky/… (503 once, then the page),
// /down/… (always 503), /pdf/… (a PDF).
func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{requests: map[string]int{}, served: map[string]int{}, inFlight: map[string]int{}, maxInFlight: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		s.mu.Lock()
		s.requests[r.URL.Path]++
		n := s.requests[r.URL.Path]
		s.inFlight[host]++
		s.total++
		s.maxInFlight[host] = max(s.maxInFlight[host], s.inFlight[host])
		s.max = max(s.max, s.total)
		s.count++
		count, hook := s.count, s.onRequest
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight[host]--
			s.total--
			s.mu.Unlock()
		}()
		if hook != nil {
			hook(count)
		}
		time.Sleep(s.delay)
		switch first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); {
		case first == "missing":
			http.NotFound(w, r)
			return
		case first == "down", first == "flaky" && n == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		case first == "pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4"))
			return
		}
		s.mu.Lock()
		s.served[r.URL.Path]++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(queuePage("Page " + r.URL.Path)))
	}))
	t.Cleanup(s.Close)
	u, _ := url.Parse(s.URL)
	s.port = u.Port()
	return s
}

// url returns the address of path on the made-up host.
func (s *site) url(host, path string) string { return "http://" + host + ":" + s.port + path }

// saver fetches from the site, mapping every name to the loopback address.
func (s *site) saver(l *Library) *Saver {
	return NewSaver(l, fetch.New(fetch.Options{
		Timeout: 10 * time.Second,
		Resolver: func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		},
	}))
}

func TestEnqueueImport(t *testing.T) {
	ctx := context.Background()
	l := openQueueTest(t)
	// An article already in the library, found by address and by title.
	existing, _, err := l.AddCapture(ctx, "https://example.org/saved", sampleCapture("Saved Before", "Text of the saved article."))
	if err != nil {
		t.Fatal(err)
	}
	added := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	hl := func(q string) importer.Highlight { return importer.Highlight{Quote: q} }
	sum, err := l.EnqueueImport(ctx, importer.PocketCSV, entries(
		importer.Entry{URL: "https://example.org/a?utm_source=x", Title: "A", Tags: []string{"one"}},
		importer.Entry{URL: "https://example.org/b", Title: "B"},
		importer.Entry{URL: "https://EXAMPLE.org/a#part", Tags: []string{"two", "One"}, Favourite: true, Highlights: []importer.Highlight{hl("q1")}},
		importer.Entry{URL: "https://example.org/saved", Archived: true, Added: added, Highlights: []importer.Highlight{hl("q2")}},
		importer.Entry{Title: "saved before", Tags: []string{"by-title"}},
		importer.Entry{Title: "A Book Without Address", Highlights: []importer.Highlight{hl("q3")}},
		importer.Entry{URL: "ftp://example.org/file"},
		importer.Entry{URL: "https://example.org/c"},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := ImportSummary{Entries: 8, Queued: 3, Merged: 2, InLibrary: 1, NoAddress: 2}
	if sum != want {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	stats, err := l.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (QueueStats{Waiting: 3, Done: 1, Failed: 2, Pending: 1}); stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}

	items, err := l.QueueItems(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]QueueItem{}
	for _, it := range items {
		byKey[it.Key] = it
	}
	a := byKey["https://example.org/a"]
	if a.State != QueueWaiting || strings.Join(a.Entry.Tags, ",") != "one,two" || !a.Entry.Favourite || len(a.Entry.Highlights) != 1 {
		t.Errorf("merged item a = %+v", a)
	}
	if a.Pending == nil || strings.Join(a.Pending.Tags, ",") != "one,two" || len(a.Pending.Highlights) != 1 {
		t.Errorf("pending of a = %+v, want all its annotations", a.Pending)
	}
	if b := byKey["https://example.org/b"]; b.Pending != nil {
		t.Errorf("item b without annotations has pending %+v", b.Pending)
	}
	saved := byKey["https://example.org/saved"]
	if saved.State != QueueDone || saved.ArticleID != existing || saved.Pending == nil ||
		!saved.Pending.Archived || strings.Join(saved.Pending.Tags, ",") != "by-title" || len(saved.Pending.Highlights) != 1 {
		t.Errorf("item of the article in the library = %+v, pending %+v", saved, saved.Pending)
	}
	art, err := l.Article(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	if !art.AddedAt.Equal(added) {
		t.Errorf("time added of the article in the library = %v, want the export's %v", art.AddedAt, added)
	}
	book := byKey["noaddr:a book without address"]
	if book.State != QueueFailed || !strings.Contains(book.Reason, "gives no web address") || len(book.Entry.Highlights) != 1 {
		t.Errorf("entry without address = %+v", book)
	}
	if ftp := byKey["ftp://example.org/file"]; ftp.State != QueueFailed || !strings.Contains(ftp.Reason, "not a web address") {
		t.Errorf("ftp entry = %+v", ftp)
	}

	// Importing again adds only what is new, and tries failed items again.
	if _, err := queueExec(ctx, l, `UPDATE import_queue SET state = 'failed', reason = 'x' WHERE key = 'https://example.org/c'`); err != nil {
		t.Fatal(err)
	}
	if _, err := queueExec(ctx, l, `UPDATE import_queue SET pending = NULL WHERE key = 'https://example.org/saved'`); err != nil {
		t.Fatal(err)
	}
	sum, err = l.EnqueueImport(ctx, importer.PocketCSV, entries(
		importer.Entry{URL: "https://example.org/saved", Archived: true, Highlights: []importer.Highlight{hl("q2"), hl("q4")}},
		importer.Entry{URL: "https://example.org/c"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportSummary{Entries: 2, Merged: 2}); sum != want {
		t.Errorf("second summary = %+v, want %+v", sum, want)
	}
	items, _ = l.QueueItems(ctx, "", 0)
	for _, it := range items {
		switch it.Key {
		case "https://example.org/saved":
			if it.Pending == nil || it.Pending.Archived || len(it.Pending.Highlights) != 1 || it.Pending.Highlights[0].Quote != "q4" {
				t.Errorf("pending after a second import = %+v, want only the new highlight", it.Pending)
			}
		case "https://example.org/c":
			if it.State != QueueWaiting || it.Reason != "" {
				t.Errorf("failed item imported again = %+v, want waiting", it)
			}
		}
	}
}

// queueExec runs a statement on the writer, for tests that set up queue states.
func queueExec(ctx context.Context, l *Library, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := l.Write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

func TestRunQueue(t *testing.T) {
	ctx := context.Background()
	l := openQueueTest(t)
	s := newSite(t)
	s.delay = 20 * time.Millisecond
	var es []importer.Entry
	hosts := []string{"a.test", "b.test", "c.test"}
	for i := range 12 {
		e := importer.Entry{URL: s.url(hosts[i%3], fmt.Sprintf("/ok/%d", i))}
		if i == 0 {
			e.Tags = []string{"first"}
		}
		es = append(es, e)
	}
	es = append(es,
		importer.Entry{URL: s.url("a.test", "/missing/1")},
		importer.Entry{URL: s.url("b.test", "/flaky/1"), Highlights: []importer.Highlight{{Quote: "nine to one"}}},
		importer.Entry{URL: s.url("c.test", "/down/1")},
		importer.Entry{URL: s.url("a.test", "/pdf/1")},
	)
	if _, err := l.EnqueueImport(ctx, importer.URLList, entries(es...)); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	afterCalls := map[string]int{}
	var progress []QueueStats
	stats, err := RunQueue(ctx, l, s.saver(l), QueueOptions{
		Concurrency: 4, PerHost: 2, Backoff: 10 * time.Millisecond,
		Progress: func(st QueueStats) { progress = append(progress, st) },
		After: func(ctx context.Context, it QueueItem, saved Saved) error {
			mu.Lock()
			defer mu.Unlock()
			afterCalls[it.Key]++
			if saved.ArticleID == 0 || saved.CaptureID == 0 {
				t.Errorf("After(%s) got %+v, want the saved article", it.Key, saved)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (QueueStats{Done: 13, Failed: 3, Finished: 16}); stats.Waiting != 0 || stats.Running != 0 ||
		stats.Done != want.Done || stats.Failed != want.Failed || stats.Finished != want.Finished {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
	if len(progress) < 16 || progress[len(progress)-1].Done != 13 {
		t.Errorf("progress reports = %d, last %+v", len(progress), progress[len(progress)-1])
	}
	for h, n := range s.maxInFlight {
		if n > 2 {
			t.Errorf("%d fetches at once from %s, want at most 2", n, h)
		}
	}
	if s.max > 4 || s.max < 3 {
		t.Errorf("%d fetches at once, want 3 or 4 (concurrency 4)", s.max)
	}
	if want := map[string]int{NormalizeURL(es[0].URL): 1, NormalizeURL(s.url("b.test", "/flaky/1")): 1}; fmt.Sprint(afterCalls) != fmt.Sprint(want) {
		t.Errorf("After calls = %v, want %v (only items with annotations, once each)", afterCalls, want)
	}

	failed, err := l.QueueItems(ctx, QueueFailed, 0)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, it := range failed {
		reasons[strings.TrimPrefix(it.URL, "http://")] = it.Reason + fmt.Sprintf(" [%d]", it.Attempts)
	}
	wantReasons := map[string]string{
		"a.test:" + s.port + "/missing/1": "The server answered 404 Not Found. [1]",
		"c.test:" + s.port + "/down/1":    "The server answered 503 Service Unavailable (tried 3 times). [3]",
		"a.test:" + s.port + "/pdf/1":     "This is a PDF document, not a web page. [1]",
	}
	if fmt.Sprint(reasons) != fmt.Sprint(wantReasons) {
		t.Errorf("failures = %v\nwant %v", reasons, wantReasons)
	}
	for path, n := range s.requests {
		want := 1
		switch {
		case strings.HasPrefix(path, "/flaky/"):
			want = 2
		case strings.HasPrefix(path, "/down/"):
			want = 3
		}
		if n != want {
			t.Errorf("%s requested %d times, want %d", path, n, want)
		}
	}

	// Retrying the failed items fetches them again; nothing done is fetched again.
	n, err := l.RetryFailed(ctx)
	if err != nil || n != 3 {
		t.Fatalf("RetryFailed = %d, %v; want 3", n, err)
	}
	if _, err := RunQueue(ctx, l, s.saver(l), QueueOptions{Backoff: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := s.requests["/ok/0"]; got != 1 {
		t.Errorf("/ok/0 requested %d times after a retry of the failed ones, want 1", got)
	}
	if got := s.requests["/missing/1"]; got != 2 {
		t.Errorf("/missing/1 requested %d times after a retry, want 2", got)
	}
	cleared, err := l.ClearDone(ctx)
	if err != nil || cleared != 13 {
		t.Errorf("ClearDone = %d, %v; want 13", cleared, err)
	}
}

// TestRunQueueResume sets up what a killed process leaves behind and checks that the
// next run finishes the work without fetching anything twice.
func TestRunQueueResume(t *testing.T) {
	ctx := context.Background()
	l := openQueueTest(t)
	s := newSite(t)
	saver := s.saver(l)
	urls := []string{s.url("a.test", "/ok/running"), s.url("a.test", "/ok/stored"), s.url("a.test", "/ok/attached")}
	if _, err := l.EnqueueImport(ctx, importer.URLList, entries(
		importer.Entry{URL: urls[0]},
		importer.Entry{URL: urls[1], Tags: []string{"t"}},
		importer.Entry{URL: urls[2], Tags: []string{"u"}},
	)); err != nil {
		t.Fatal(err)
	}
	// /ok/stored: killed after its capture was stored, before the item was marked done.
	if _, err := saver.Save(ctx, urls[1], nil); err != nil {
		t.Fatal(err)
	}
	// /ok/attached: marked done, killed before its annotations were attached.
	saved, err := saver.Save(ctx, urls[2], nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := queueExec(ctx, l, `UPDATE import_queue SET state = 'running', attempts = 1 WHERE url IN (?, ?)`, urls[0], urls[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := queueExec(ctx, l, `UPDATE import_queue SET state = 'done', article_id = ? WHERE url = ?`, saved.ArticleID, urls[2]); err != nil {
		t.Fatal(err)
	}
	// The lease of the killed process: a process that has ended.
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := queueExec(ctx, l, `INSERT INTO import_queue_runner (id, token, pid, hostname, heartbeat) VALUES (1, 'old', ?, ?, ?)`,
		dead.Process.Pid, hostname(t), formatTime(time.Now())); err != nil {
		t.Fatal(err)
	}

	var after []string
	stats, err := RunQueue(ctx, l, saver, QueueOptions{After: func(ctx context.Context, it QueueItem, saved Saved) error {
		after = append(after, strings.TrimPrefix(it.URL, s.url("a.test", "")))
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Done != 3 || stats.Waiting+stats.Running+stats.Failed != 0 {
		t.Errorf("stats = %+v, want 3 done", stats)
	}
	for path, want := range map[string]int{"/ok/running": 1, "/ok/stored": 1, "/ok/attached": 1} {
		if got := s.requests[path]; got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
	if got := strings.Join(after, ","); got != "/ok/attached,/ok/stored" {
		t.Errorf("annotations attached for %s, want /ok/attached then /ok/stored", got)
	}
	items, _ := l.QueueItems(ctx, QueueDone, 0)
	for _, it := range items {
		if it.Pending != nil {
			t.Errorf("%s still has annotations pending", it.URL)
		}
		if it.Attempts > 1 {
			t.Errorf("%s counted %d attempts, want the interrupted one not counted", it.URL, it.Attempts)
		}
	}
}

func hostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRunQueueCancel cancels a run part-way: the items being fetched go back to waiting,
// and the next run fetches the rest without fetching a stored page again.
func TestRunQueueCancel(t *testing.T) {
	l := openQueueTest(t)
	s := newSite(t)
	s.delay = 5 * time.Millisecond
	var es []importer.Entry
	for i := range 40 {
		es = append(es, importer.Entry{URL: s.url(fmt.Sprintf("h%d.test", i%4), fmt.Sprintf("/ok/%d", i))})
	}
	if _, err := l.EnqueueImport(context.Background(), importer.URLList, entries(es...)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.onRequest = func(n int) {
		if n == 15 {
			cancel()
		}
	}
	s.mu.Unlock()
	_, err := RunQueue(ctx, l, s.saver(l), QueueOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run = %v, want context.Canceled", err)
	}
	stats, err := l.QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Running != 0 || stats.Done < 8 || stats.Done > 14 || stats.Waiting != 40-stats.Done {
		t.Errorf("after cancelling at request 15: %+v, want none running and the rest waiting", stats)
	}
	// Requests of the cancelled run may still be in the handler.
	s.mu.Lock()
	s.onRequest = nil
	s.mu.Unlock()
	if _, err := RunQueue(context.Background(), l, s.saver(l), QueueOptions{}); err != nil {
		t.Fatal(err)
	}
	stats, _ = l.QueueStats(context.Background())
	if stats.Done != 40 {
		t.Errorf("after resuming: %+v, want 40 done", stats)
	}
	twice := 0
	for path, n := range s.served {
		var captures int
		err := l.r.QueryRow(`SELECT count(*) FROM captures c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ?`, "%"+path).Scan(&captures)
		if err != nil {
			t.Fatal(err)
		}
		if captures != 1 {
			t.Errorf("%s has %d captures, want 1", path, captures)
		}
		if n > 1 {
			twice++ // in flight when cancelled: served, never stored
		}
	}
	if twice > 4 {
		t.Errorf("%d pages fetched twice, want at most the 4 in flight when cancelled", twice)
	}
}

func TestQueueLease(t *testing.T) {
	ctx := context.Background()
	l := openQueueTest(t)
	if _, err := queueExec(ctx, l, `INSERT INTO import_queue_runner (id, token, pid, hostname, heartbeat) VALUES (1, 'other', ?, ?, ?)`,
		os.Getpid(), hostname(t), formatTime(time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := RunQueue(ctx, l, nil, QueueOptions{}); !errors.Is(err, ErrQueueBusy) {
		t.Errorf("RunQueue while a live process runs the queue = %v, want ErrQueueBusy", err)
	}
	// A lease not renewed for over a minute is stale whoever held it.
	if _, err := queueExec(ctx, l, `UPDATE import_queue_runner SET heartbeat = ?`, formatTime(time.Now().Add(-2*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if _, err := RunQueue(ctx, l, nil, QueueOptions{}); err != nil {
		t.Errorf("RunQueue over a stale lease = %v", err)
	}
	var n int
	if err := l.r.QueryRow(`SELECT count(*) FROM import_queue_runner`).Scan(&n); err != nil || n != 0 {
		t.Errorf("leases left after the run: %d (%v), want 0", n, err)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&fetch.Error{Kind: fetch.HTTPStatus, Status: 503}, true},
		{&fetch.Error{Kind: fetch.HTTPStatus, Status: 429}, true},
		{&fetch.Error{Kind: fetch.HTTPStatus, Status: 404}, false},
		{&fetch.Error{Kind: fetch.HTTPStatus, Status: 501}, false},
		{&fetch.Error{Kind: fetch.Timeout}, true},
		{&fetch.Error{Kind: fetch.Connect}, true},
		{&fetch.Error{Kind: fetch.Network}, true},
		{&fetch.Error{Kind: fetch.DNS, Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, false},
		{&fetch.Error{Kind: fetch.DNS, Err: &net.DNSError{Err: "server misbehaving", IsTemporary: true}}, true},
		{&fetch.Error{Kind: fetch.TLS}, false},
		{&fetch.Error{Kind: fetch.NotHTML}, false},
		{fmt.Errorf("https://x/: %w", ErrNoArticle), false},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestSentence(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&fetch.Error{Kind: fetch.HTTPStatus, Status: 404, URL: "https://example.org/x"}, "The server answered 404 Not Found."},
		{&fetch.Error{Kind: fetch.DNS, URL: "https://nowhere.example/"}, "The host name nowhere.example could not be found."},
		{fmt.Errorf("https://example.org/x: %w", ErrNoArticle), "No article text found on the page."},
		{errors.New("something odd."), "Something odd."},
	}
	for _, tt := range tests {
		if got := sentence(tt.err); got != tt.want {
			t.Errorf("sentence(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
