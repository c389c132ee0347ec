package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/durability"
)

// TestHelperProcess is not a test: it is the gloss command when another test runs this
// test binary with GLOSS_HELPER=1, so that the command can be killed like a real process.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GLOSS_HELPER") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// glossProcess returns the gloss command as a child process (this test binary).
func glossProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "GLOSS_HELPER=1")
	return cmd
}

// importPages are the pages the sample exports of archive/importer/testdata point to,
// under https://example.org/.
var importPages = map[string]string{
	"/moths": testPage,
	"/über-café": `<html><head><title>Über café culture</title></head><body><article><h1>Über café culture</h1>
<p>«Ça va», dit-il, au café de l’Über-Ecke. Les habitués y lisent le journal du matin jusqu’à midi.</p>
<p>Le café viennois a inspiré des générations d’écrivains, qui y passaient des journées entières.</p>
</article></body></html>`,
	"/untitled": `<html><body><article><p>A page without a title tag, whose first line stands in for one and whose
body is long enough to be read as an article by the extractor.</p><p>It has a second paragraph as well.</p></article></body></html>`,
	"/tea": `<html><head><title>A Short History of Tea</title></head><body><article><h1>A Short History of Tea</h1>
<p>Tea was first drunk in China, as a medicine, long before it became an everyday drink.</p>
<p>Le thé est arrivé en Europe au XVIIᵉ siècle — «enfin». Dutch traders brought it to Amsterdam first.</p>
</article></body></html>`,
}

// exportSite serves importPages and writes a sample export with its addresses pointed
// at the server.
func exportSite(t *testing.T) (*httptest.Server, func(name string) string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := importPages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	testdata := filepath.Join("..", "..", "archive", "importer", "testdata")
	export := func(name string) string {
		src := filepath.Join(testdata, name)
		dst := filepath.Join(t.TempDir(), filepath.Base(name))
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil || strings.HasSuffix(p, ".golden") {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			out := filepath.Join(dst, rel)
			if d.IsDir() {
				return os.MkdirAll(out, 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data = bytes.ReplaceAll(data, []byte("https://example.org"), []byte(srv.URL))
			return os.WriteFile(out, data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
		return dst
	}
	return srv, export
}

// articleState is what a test checks of an imported article.
type articleState struct {
	Tags       string // comma-separated, sorted
	Favourite  bool
	Archived   bool
	Note       string
	Anchored   []string // quotes of anchored highlights, in document order
	Orphans    []string
	Progress   float64
	AddedYear  int
	Highlights int
}

// libraryState reads every article of a library with its annotations, by path.
func libraryState(t *testing.T, db string) map[string]articleState {
	t.Helper()
	lib, err := archive.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	st, err := annotate.NewStore(lib)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows, err := st.ListArticles(ctx, annotate.ListFilter{}, archive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]articleState{}
	for _, r := range rows {
		meta, err := st.ArticleMeta(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := st.ForArticle(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := articleState{
			Tags: strings.Join(meta.Tags, ","), Favourite: meta.Favourite, Archived: meta.Archived, Note: meta.Note,
			Progress: meta.Progress.Fraction, AddedYear: r.AddedAt.Year(), Highlights: len(hs),
		}
		for _, h := range hs {
			if h.Status == annotate.StatusOrphan {
				s.Orphans = append(s.Orphans, h.Exact)
			} else {
				s.Anchored = append(s.Anchored, strings.Join(strings.Fields(h.Exact), " "))
			}
		}
		path := r.URL[strings.Index(r.URL, "//")+2:]
		path = path[strings.Index(path, "/"):]
		out[path] = s
	}
	return out
}

// TestImportLibrary imports the sample export of every format and checks what each
// article ends up with: tags, states, notes, reading progress, time added, and highlights
// anchored or kept as orphans.
func TestImportLibrary(t *testing.T) {
	_, export := exportSite(t)
	const (
		nine    = "Moths outnumber butterflies by about nine to one"
		nineAll = "Moths outnumber butterflies by about nine to one, and most of them fly at night"
		tilt    = "a recent study suggests they tilt their backs toward the brightest light"
		gone    = "This sentence was edited out of the article long ago."
		cava    = "«Ça va», dit-il, au café de l’Über-Ecke."
		the     = "Le thé est arrivé en Europe au XVIIᵉ siècle — «enfin»."
	)
	uber := "/%C3%BCber-caf%C3%A9"
	tests := []struct {
		export  string
		summary string
		want    map[string]articleState
	}{
		{"pocket/ril_export.html", "5 entries: 4 queued, 1 merged into articles already queued", map[string]articleState{
			"/moths":    {Tags: "favourites,insects,night", Archived: true, AddedYear: 2021},
			uber:        {AddedYear: 2021},
			"/untitled": {Tags: "misc", AddedYear: 2021},
			"/tea":      {Tags: "drinks", Archived: true, AddedYear: 2020},
		}},
		{"pocket/part_000000.csv", "5 entries: 4 queued, 1 merged into articles already queued", map[string]articleState{
			"/moths":    {Tags: "favourites,insects,night", Archived: true, AddedYear: 2021},
			uber:        {AddedYear: 2021},
			"/untitled": {Tags: "misc", AddedYear: 2021},
			"/tea":      {Tags: "drinks", Archived: true, AddedYear: 2020},
		}},
		{"instapaper/instapaper-export.csv", "4 entries: 4 queued", map[string]articleState{
			"/moths":    {Tags: "insects,night", Note: nine, AddedYear: 2021},
			uber:        {Favourite: true, AddedYear: 2021},
			"/untitled": {Tags: "research", AddedYear: 2021},
			"/tea":      {Tags: "drinks", Archived: true, AddedYear: 2020},
		}},
		{"omnivore", "4 entries: 4 queued", map[string]articleState{
			"/moths":    {Tags: "insects,night", Progress: 0.42, AddedYear: 2021, Highlights: 3, Anchored: []string{nineAll, tilt}, Orphans: []string{gone}},
			uber:        {Archived: true, Progress: 1, AddedYear: 2021, Highlights: 1, Anchored: []string{cava}},
			"/untitled": {Tags: "misc", AddedYear: 2021},
			"/tea":      {Tags: "drinks", Archived: true, Progress: 0.125, AddedYear: 2020},
		}},
		{"wallabag/wallabag-export.json", "3 entries: 3 queued", map[string]articleState{
			"/moths": {Tags: "insects,night", Favourite: true, AddedYear: 2021, Highlights: 2, Anchored: []string{nine}, Orphans: []string{gone}},
			uber:     {Archived: true, AddedYear: 2021},
			"/tea":   {Tags: "drinks", Archived: true, AddedYear: 2020},
		}},
		{"readwise/readwise-data.csv", "4 entries: 1 queued, 1 merged into articles already queued, 2 without a web address (listed by gloss queue)", map[string]articleState{
			"/tea": {Tags: "drinks", AddedYear: time.Now().Year(), Highlights: 1, Anchored: []string{the}},
		}},
		{"hypothesis/hypothesis-export.json", "3 entries: 2 queued, 1 merged into articles already queued", map[string]articleState{
			"/moths": {Tags: "insects,to-read", Note: "Worth reading again in autumn.", AddedYear: time.Now().Year(), Highlights: 2, Anchored: []string{nine}, Orphans: []string{gone}},
			uber:     {AddedYear: time.Now().Year(), Highlights: 1, Anchored: []string{"«Ça va», dit-il"}},
		}},
		{"bookmarks/bookmarks.html", "5 entries: 4 queued, 1 merged into articles already queued", map[string]articleState{
			"/moths":    {Tags: "insects,night", Note: "Why moths circle street lamps & what it means.", AddedYear: 2021},
			uber:        {Tags: "café,recherche", AddedYear: 2021},
			"/untitled": {Tags: "recherche", AddedYear: 2021},
			"/tea":      {Tags: "drinks", AddedYear: 2020},
		}},
		{"urls/urls.txt", "5 entries: 4 queued, 1 merged into articles already queued", map[string]articleState{
			"/moths":    {AddedYear: time.Now().Year()},
			uber:        {AddedYear: time.Now().Year()},
			"/untitled": {AddedYear: time.Now().Year()},
			"/tea":      {AddedYear: time.Now().Year()},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.export, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "library.db")
			out, errs, code := gloss(t, db, "", "import-library", export(tt.export))
			if code != 0 {
				t.Fatalf("import-library: exit %d\n%s%s", code, out, errs)
			}
			if first, _, _ := strings.Cut(out, "\n"); first != tt.summary {
				t.Errorf("summary = %q, want %q", first, tt.summary)
			}
			got := libraryState(t, db)
			// Compare the tables as text, so that a failure shows every difference.
			if g, w := stateText(got), stateText(tt.want); g != w {
				t.Errorf("library after importing %s:\n%s\nwant:\n%s", tt.export, g, w)
			}
		})
	}
}

func stateText(m map[string]articleState) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %+v\n", k, m[k])
	}
	return b.String()
}

// TestImportLibraryIntoLibrary imports into a library that already has articles: they
// are not fetched again but get the export's annotations, Readwise's highlights find
// their article by its title, and importing the same export twice changes nothing.
func TestImportLibraryIntoLibrary(t *testing.T) {
	srv, export := exportSite(t)
	db := filepath.Join(t.TempDir(), "library.db")
	readwise := export("readwise/readwise-data.csv")
	// Before the article is in the library, its highlights wait in a failed item.
	out, _, code := gloss(t, db, "", "import-library", "--no-fetch", readwise)
	if want := "4 entries: 1 queued, 1 merged into articles already queued, 2 without a web address (listed by gloss queue)\n"; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("first import-library = %q, exit %d; want it to start %q", out, code, want)
	}
	if _, errs, code := gloss(t, db, "", "save", srv.URL+"/moths"); code != 0 {
		t.Fatalf("save: %s", errs)
	}
	out, _, code = gloss(t, db, "", "import-library", "--no-fetch", readwise)
	if want := "4 entries: 0 queued, 4 merged into articles already queued\n"; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("import-library = %q, exit %d; want it to start %q", out, code, want)
	}
	moths := libraryState(t, db)["/moths"]
	if want := (articleState{Tags: "insects,night", AddedYear: time.Now().Year(), Highlights: 3,
		Anchored: []string{"Moths outnumber butterflies by about nine to one", "a recent study suggests they tilt their backs toward the brightest light"},
		Orphans:  []string{"This sentence was edited out of the article long ago."}}); stateText(map[string]articleState{"m": moths}) != stateText(map[string]articleState{"m": want}) {
		t.Errorf("article matched by title = %+v\nwant %+v", moths, want)
	}
	// Again: nothing new.
	if _, _, code := gloss(t, db, "", "import-library", "--no-fetch", readwise); code != 0 {
		t.Fatalf("second import: exit %d", code)
	}
	if again := libraryState(t, db)["/moths"]; again.Highlights != 3 || again.Tags != moths.Tags {
		t.Errorf("after importing twice: %+v, want the same 3 highlights", again)
	}
	out, _, _ = gloss(t, db, "", "queue")
	if !strings.Contains(out, "failed 1") || !strings.Contains(out, "(Moby-Dick)") || !strings.Contains(out, "gives no web address") {
		t.Errorf("queue = %q, want the book without an address listed with its reason", out)
	}
}

// TestQueueCommands drives the queue: --no-fetch, listing, a failure with its reason,
// retry and run.
func TestQueueCommands(t *testing.T) {
	var mu sync.Mutex
	broken := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := broken
		mu.Unlock()
		if r.URL.Path == "/gone" && b {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(testPage))
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	list := filepath.Join(dir, "reading.txt")
	os.WriteFile(list, []byte(srv.URL+"/a\n"+srv.URL+"/gone\n# a comment\n\n"+srv.URL+"/b\n"), 0o644)

	out, errs, code := gloss(t, db, "", "import-library", "--no-fetch", list)
	if code != 0 || out != "3 entries: 3 queued\n3 waiting to be fetched; fetch them with: gloss queue run\n" {
		t.Fatalf("import-library --no-fetch = %q, %q, exit %d", out, errs, code)
	}
	if out, _, _ = gloss(t, db, "", "queue"); out != "waiting 3, running 0, done 0, failed 0\n" {
		t.Errorf("queue = %q", out)
	}
	out, _, _ = gloss(t, db, "", "queue", "--state", "waiting")
	if strings.Count(out, "\twaiting\t") != 3 || !strings.Contains(out, srv.URL+"/gone") {
		t.Errorf("queue --state waiting = %q", out)
	}
	if out, _, _ = gloss(t, db, "", "list"); out != "" {
		t.Errorf("list after --no-fetch = %q, want no articles yet", out)
	}

	out, errs, code = gloss(t, db, "", "queue", "run")
	if code != 1 || out != "2 fetched, 1 failed\n" || !strings.Contains(errs, "gloss queue retry") {
		t.Errorf("queue run = %q, %q, exit %d", out, errs, code)
	}
	if !strings.Contains(errs, "3 of 3 done, 1 failed") {
		t.Errorf("queue run stderr = %q, want a final progress line", errs)
	}
	out, _, _ = gloss(t, db, "", "queue")
	if want := "waiting 0, running 0, done 2, failed 1\nfailed:\n2\tfailed\t" + srv.URL + "/gone\tThe server answered 404 Not Found.\n"; out != want {
		t.Errorf("queue = %q\nwant %q", out, want)
	}
	out, _, _ = gloss(t, db, "", "queue", "--json", "--state", "failed")
	if !strings.Contains(out, `"reason": "The server answered 404 Not Found."`) || !strings.Contains(out, `"attempts": 1`) {
		t.Errorf("queue --json = %s", out)
	}

	mu.Lock()
	broken = false
	mu.Unlock()
	if out, _, code = gloss(t, db, "", "queue", "retry"); code != 0 || out != "1 failed item queued again; fetch them with: gloss queue run\n" {
		t.Errorf("queue retry = %q, exit %d", out, code)
	}
	if out, _, code = gloss(t, db, "", "queue", "run", "--concurrency", "1"); code != 0 || out != "1 fetched, 0 failed\n" {
		t.Errorf("queue run after retry = %q, exit %d", out, code)
	}
	if out, _, _ = gloss(t, db, "", "queue", "clear"); out != "3 done items removed from the queue\n" {
		t.Errorf("queue clear = %q", out)
	}
	if out, _, _ = gloss(t, db, "", "list"); strings.Count(out, "\n") != 3 {
		t.Errorf("list = %q, want 3 articles", out)
	}
}

func TestImportLibraryUsage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("Buy milk.\nCall the printer about the proofs.\n"), 0o644)
	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"import-library"}, 2, "give one export file"},
		{[]string{"import-library", notes, "--concurrency", "0"}, 2, "at least 1"},
		{[]string{"import-library", notes, "--format", "evernote"}, 2, `format "evernote"`},
		{[]string{"import-library", notes}, 1, "not an export Gloss can read"},
		{[]string{"import-library", filepath.Join(dir, "absent.csv")}, 1, "absent.csv"},
		{[]string{"queue", "frobnicate"}, 2, "unknown queue command"},
		{[]string{"queue", "--state", "lost"}, 2, "unknown state"},
	}
	for _, tt := range tests {
		_, errs, code := gloss(t, db, "", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("gloss %s = %q, exit %d; want exit %d and %q", strings.Join(tt.args, " "), errs, code, tt.code, tt.want)
		}
	}
	// --format reads a file the sniffer would not take: prose counts as addresses here.
	out, _, _ := gloss(t, db, "", "import-library", "--no-fetch", "--format", "urls", notes)
	if !strings.HasPrefix(out, "2 entries: 0 queued, 2 without a web address") {
		t.Errorf("import-library --format urls = %q", out)
	}
	// Standard input.
	out, errs, code := gloss(t, db, "https://example.org/from-stdin\n", "import-library", "--no-fetch", "-")
	if code != 0 || !strings.HasPrefix(out, "1 entry: 1 queued") {
		t.Errorf("import-library - = %q, %q, exit %d", out, errs, code)
	}
}

func TestProgressBar(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	tests := []struct {
		tty  bool
		want string
	}{
		{false, "0 of 10 done, 0 failed, 0.0 a second, about ? left\n" +
			"10 of 10 done, 2 failed, 2.0 a second, about 0s left\n"},
		{true, "\r[                              ] 0/10   0%  0.0/s  ? left  0 failed\x1b[K" +
			"\r[=========                     ] 3/10  30%  1.5/s  5s left  1 failed\x1b[K" +
			"\r[==============================] 10/10 100%  2.0/s  0s left  2 failed\x1b[K\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		p := &progressBar{w: &buf, tty: tt.tty, now: now}
		p.update(archive.QueueStats{Waiting: 10, Done: 5, Failed: 1})
		clock = clock.Add(50 * time.Millisecond) // too soon to redraw
		p.update(archive.QueueStats{Waiting: 8, Running: 1, Done: 6, Failed: 1, Finished: 1, Elapsed: time.Second})
		clock = clock.Add(time.Second)
		p.update(archive.QueueStats{Waiting: 6, Running: 1, Done: 7, Failed: 2, Finished: 3, Elapsed: 2 * time.Second})
		clock = clock.Add(time.Second)
		p.update(archive.QueueStats{Done: 13, Failed: 3, Finished: 10, Elapsed: 5 * time.Second})
		p.finish()
		if got := buf.String(); got != tt.want {
			t.Errorf("tty=%v:\ngot  %q\nwant %q", tt.tty, got, tt.want)
		}
	}
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {1400 * time.Millisecond, "1s"}, {65 * time.Second, "1m05s"}, {2*time.Hour + 10*time.Minute + 5*time.Second, "2h10m"},
	}
	for _, tt := range tests {
		if got := shortDuration(tt.d); got != tt.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestImportLibraryKilled imports a list of 2,000 addresses from a server that answers
// after small random delays, with some 404s and some 503s that succeed when tried again;
// kills the import (SIGKILL) part-way; resumes it with `gloss queue run`; and checks that
// every address ends fetched or failed with its reason, and that no page was fetched
// twice unless the first fetch was never stored.
func TestImportLibraryKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 2,000 pages")
	}
	const n = 2000
	rng := rand.New(rand.NewPCG(7, 11))
	kind := make([]int, n) // 0 ok, 1 missing, 2 flaky
	delay := make([]time.Duration, n)
	for i := range n {
		switch r := rng.IntN(100); {
		case r < 3:
			kind[i] = 1
		case r < 6:
			kind[i] = 2
		}
		delay[i] = time.Duration(rng.IntN(3000)) * time.Microsecond
	}
	var (
		mu       sync.Mutex
		requests = map[int]int{}
		served   = map[int]int{}
		ok       int
		child    *exec.Cmd
		killOnce sync.Once
		killAt   = 700
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p/%d", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		requests[i]++
		attempt := requests[i]
		mu.Unlock()
		time.Sleep(delay[i])
		switch {
		case kind[i] == 1:
			http.NotFound(w, r)
			return
		case kind[i] == 2 && attempt == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		served[i]++
		ok++
		if ok == killAt && child != nil {
			killOnce.Do(func() { child.Process.Kill() })
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>Page %d</title></head><body><article><p>This is page number %d of the import, "+
			"long enough to be an article.</p><p>It has a second paragraph, so that the extractor keeps it.</p></article></body></html>", i, i)
	}))
	defer srv.Close()
	// Two names for the server, so that two hosts share the work (two fetches each).
	hostURL := func(i int) string {
		if i%2 == 0 {
			return srv.URL
		}
		return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	list := filepath.Join(dir, "urls.txt")
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s/p/%d\n", hostURL(i), i)
	}
	os.WriteFile(list, []byte(b.String()), 0o644)

	cmd := glossProcess(t, "--db", db, "import-library", list)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	mu.Lock()
	child = cmd
	mu.Unlock()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, isWS := cmd.ProcessState.Sys().(syscall.WaitStatus); !isWS || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed (%v); stderr:\n%s", err, stderr.String())
	}
	mu.Lock()
	servedAtKill := ok
	mu.Unlock()
	t.Logf("killed after %d pages served", servedAtKill)

	out, errs, code := gloss(t, db, "", "queue", "run")
	if code != 1 || !strings.Contains(out, "failed") {
		t.Fatalf("queue run after the kill = %q, %q, exit %d; want the 404s failed", out, errs, code)
	}

	lib, err := archive.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	ctx := context.Background()
	items, err := lib.QueueItems(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != n {
		t.Fatalf("%d queue items, want %d", len(items), n)
	}
	mu.Lock()
	defer mu.Unlock()
	twice := 0
	for _, it := range items {
		var i int
		fmt.Sscanf(it.URL[strings.LastIndex(it.URL, "/p/"):], "/p/%d", &i)
		switch kind[i] {
		case 1:
			if it.State != archive.QueueFailed || it.Reason != "The server answered 404 Not Found." {
				t.Errorf("%s: %s %q, want failed with the 404", it.URL, it.State, it.Reason)
			}
			continue
		}
		if it.State != archive.QueueDone {
			t.Errorf("%s: %s %q, want done", it.URL, it.State, it.Reason)
			continue
		}
		caps, err := lib.Captures(ctx, it.ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if len(caps) != 1 {
			t.Errorf("%s has %d captures, want 1: fetched and stored twice", it.URL, len(caps))
		}
		if served[i] > 1 {
			twice++ // allowed only because it was never stored the first time (one capture)
		}
		if kind[i] == 2 && requests[i] < 2 {
			t.Errorf("%s answered 503 first and was requested %d times, want a retry", it.URL, requests[i])
		}
	}
	// Only fetches in flight at the kill (two hosts, two each) can have been lost.
	if twice > 4 {
		t.Errorf("%d pages served twice, want at most the 4 in flight when the import was killed", twice)
	}
	t.Logf("%d pages served twice (in flight at the kill, never stored)", twice)
}

// TestImportLibraryMemory imports 10,000 entries with --no-fetch in a child process and
// checks its peak resident memory.
func TestImportLibraryMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 10,000 entries")
	}
	dir := t.TempDir()
	export := filepath.Join(dir, "part_000000.csv")
	var b strings.Builder
	b.WriteString("title,url,time_added,tags,status\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "Article number %d about something of interest,https://site%d.example/articles/%d,%d,reading|topic-%d,unread\n",
			i, i%300, i, 1609459200+i, i%40)
	}
	os.WriteFile(export, []byte(b.String()), 0o644)
	cmd := glossProcess(t, "--db", filepath.Join(dir, "library.db"), "import-library", "--no-fetch", export)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("import-library: %v\n%s", err, stderr.String())
	}
	if want := "10000 entries: 10000 queued\n"; !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("stdout = %q, want it to start %q", stdout.String(), want)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no resource usage on this system")
	}
	rss := ru.Maxrss * 1024 // kilobytes on Linux
	t.Logf("peak RSS importing 10,000 entries with --no-fetch: %.1f MB", float64(rss)/(1<<20))
	if durability.Race {
		// The race detector multiplies memory use; the figure counts without it.
		return
	}
	if rss > 100<<20 {
		t.Errorf("peak RSS %.1f MB, want under 100 MB", float64(rss)/(1<<20))
	}
}
