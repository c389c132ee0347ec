package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testPage = `<html><head><title>Moths of the Night</title><meta name="author" content="Ada Byline"></head><body>
<article><h1>Moths of the Night</h1>
<p>Moths outnumber butterflies by about nine to one, and most of them fly at night, guided by the moon and the stars.</p>
<p>Researchers have long wondered why moths circle street lamps; a recent study suggests they tilt their backs toward the brightest light.</p>
<p>That reflex keeps them level under an open sky but traps them in orbit around a lamp, until they tire or dawn comes.</p>
</article></body></html>`

// gloss runs one invocation against the library at db.
func gloss(t *testing.T, db string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/moths", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(testPage))
	})
	mux.HandleFunc("/paper.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSaveListShowSearchDelete(t *testing.T) {
	srv := testServer(t)
	db := filepath.Join(t.TempDir(), "library.db")

	out, errs, code := gloss(t, db, "", "save", srv.URL+"/moths")
	if code != 0 || out != "1\tMoths of the Night\n" {
		t.Fatalf("save = %q, %q, exit %d; want \"1\\tMoths of the Night\\n\"", out, errs, code)
	}

	out, errs, code = gloss(t, db, "", "save", srv.URL+"/moths", srv.URL+"/paper.pdf")
	if code != 1 {
		t.Errorf("save with a failing URL: exit %d, want 1", code)
	}
	if out != "1\tMoths of the Night\n" {
		t.Errorf("save stdout = %q, want the saved article's line only", out)
	}
	if !strings.Contains(errs, "paper.pdf") || !strings.Contains(errs, "PDF") || !strings.Contains(errs, "[2/2]") {
		t.Errorf("save stderr = %q, want progress and a sentence naming the PDF", errs)
	}

	out, _, code = gloss(t, db, "", "list", "--json")
	if code != 0 {
		t.Fatalf("list --json: exit %d", code)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, out)
	}
	if len(list) != 1 || list[0]["title"] != "Moths of the Night" || list[0]["captures"] != 2.0 || list[0]["byline"] != "Ada Byline" {
		t.Errorf("list --json = %v", list)
	}
	if b, ok := list[0]["bytes"].(map[string]any); !ok || b["raw_html"].(float64) <= 0 || b["text"].(float64) <= 0 {
		t.Errorf("list --json bytes = %v", list[0]["bytes"])
	}

	out, _, _ = gloss(t, db, "", "list")
	if !strings.HasPrefix(out, "1\tMoths of the Night") {
		t.Errorf("list = %q", out)
	}

	out, _, code = gloss(t, db, "", "show", "1")
	if code != 0 || !strings.Contains(out, "tilt their backs toward the brightest light") {
		t.Errorf("show = %q, exit %d", out, code)
	}
	out, _, _ = gloss(t, db, "", "show", "1", "--format", "html")
	if !strings.Contains(out, "<p>") {
		t.Errorf("show --format html = %q", out)
	}
	out, _, _ = gloss(t, db, "", "show", "1", "--format", "markdown")
	if !strings.Contains(out, "Moths of the Night") || !strings.Contains(out, "Moths outnumber butterflies") {
		t.Errorf("show --format markdown = %q", out)
	}
	out, _, _ = gloss(t, db, "", "show", "--format", "json", "1")
	var shown map[string]any
	if err := json.Unmarshal([]byte(out), &shown); err != nil || !strings.Contains(shown["text"].(string), "Moths outnumber") {
		t.Errorf("show --format json = %q (%v)", out, err)
	}

	out, _, code = gloss(t, db, "", "search", "lamps")
	if code != 0 || !strings.HasPrefix(out, "1\tMoths of the Night\t") || !strings.Contains(out, "circle street «lamps»") {
		t.Errorf("search = %q, exit %d; want article 1 with its snippet", out, code)
	}
	out, _, _ = gloss(t, db, "", "search", "--json", "orbit")
	var found []map[string]any
	if err := json.Unmarshal([]byte(out), &found); err != nil || len(found) != 1 || found[0]["id"] != 1.0 {
		t.Errorf("search --json = %q (%v)", out, err)
	} else if snippet, _ := found[0]["snippet"].(string); !strings.Contains(snippet, "in «orbit» around") {
		t.Errorf("search --json: snippet %q, want the words around «orbit»", snippet)
	}

	out, _, code = gloss(t, db, "", "check")
	if code != 0 || out != "ok\n" {
		t.Errorf("check = %q, exit %d", out, code)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, errs, code = gloss(t, db, "", "backup", backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errs)
	}
	if out, _, _ = gloss(t, backup, "", "list"); !strings.HasPrefix(out, "1\tMoths") {
		t.Errorf("list of the backup = %q", out)
	}

	if _, errs, code = gloss(t, db, "", "delete", "1"); code != 0 {
		t.Fatalf("delete: exit %d: %s", code, errs)
	}
	if out, _, _ = gloss(t, db, "", "list"); out != "" {
		t.Errorf("list after delete = %q", out)
	}
	_, errs, code = gloss(t, db, "", "delete", "1")
	if code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("delete of a missing article = %q, exit %d", errs, code)
	}
	if _, _, code = gloss(t, db, "", "vacuum"); code != 0 {
		t.Errorf("vacuum: exit %d", code)
	}
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	page := filepath.Join(dir, "moths.html")
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(page, []byte(testPage), 0o644)
	os.WriteFile(notes, []byte("A Plain Title\n\nFirst paragraph of plain text.\nStill the first.\n\nSecond paragraph.\n"), 0o644)

	out, errs, code := gloss(t, db, "", "import", "--url", "https://example.org/moths", page)
	if code != 0 || out != "1\tMoths of the Night\n" {
		t.Fatalf("import html = %q, %q, exit %d", out, errs, code)
	}
	out, _, code = gloss(t, db, "", "import", notes)
	if code != 0 || out != "2\tA Plain Title\n" {
		t.Fatalf("import txt = %q, exit %d", out, code)
	}
	out, _, _ = gloss(t, db, "", "show", "2")
	if want := "A Plain Title\n\nFirst paragraph of plain text.\nStill the first.\n\nSecond paragraph.\n"; out != want {
		t.Errorf("show imported text = %q, want %q", out, want)
	}
	out, _, code = gloss(t, db, "The Stdin Title\n\nBody from standard input.\n", "import", "-")
	if code != 0 || out != "3\tThe Stdin Title\n" {
		t.Errorf("import - = %q, exit %d", out, code)
	}
	out, _, _ = gloss(t, db, "", "list", "--json")
	if !strings.Contains(out, `"url": "https://example.org/moths"`) {
		t.Errorf("imported html does not keep its --url: %s", out)
	}
	_, errs, code = gloss(t, db, "", "import", filepath.Join(dir, "absent.html"))
	if code != 1 || !strings.Contains(errs, "absent.html") {
		t.Errorf("import of a missing file = %q, exit %d", errs, code)
	}
	_, errs, code = gloss(t, db, "", "import", filepath.Join(dir, "x.docx"))
	if code != 1 {
		t.Errorf("import of a .docx: %q, exit %d", errs, code)
	}
}

// TestImportSavedPage imports a page a browser saved, without --url: it keeps the address
// the page states, so its relative links work, and importing it again adds a capture of
// the same article.
func TestImportSavedPage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	page := filepath.Join(dir, "moths.html")
	saved := "<!-- saved from url=(0030)https://example.org/moths.html -->\n" +
		strings.Replace(testPage, "</p>", ` See <a href="/guides/moths">the guide</a>.</p>`, 1)
	if err := os.WriteFile(page, []byte(saved), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1\tMoths of the Night\n", "1\tMoths of the Night\n"} {
		if out, errs, code := gloss(t, db, "", "import", page); code != 0 || out != want {
			t.Fatalf("import = %q, %q, exit %d; want %q", out, errs, code, want)
		}
	}
	out, _, _ := gloss(t, db, "", "show", "1", "--format", "json")
	for _, want := range []string{`"url": "https://example.org/moths.html"`, `"captures": 2`} {
		if !strings.Contains(out, want) {
			t.Errorf("show --format json lacks %s:\n%s", want, out)
		}
	}
	out, _, _ = gloss(t, db, "", "show", "1", "--format", "html")
	if !strings.Contains(out, `href="https://example.org/guides/moths"`) {
		t.Errorf("the relative link is not resolved against the stated address:\n%s", out)
	}
	out, _, _ = gloss(t, "", "", "extract", "--format", "html", page)
	if !strings.Contains(out, `href="https://example.org/guides/moths"`) {
		t.Errorf("extract does not resolve the relative link against the stated address:\n%s", out)
	}
}

func TestExtract(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "moths.v1.html")
	os.WriteFile(page, []byte(testPage), 0o644)

	out, errs, code := gloss(t, filepath.Join(dir, "unused.db"), "", "extract", page)
	if code != 0 || !strings.HasPrefix(out, "Moths outnumber butterflies") {
		t.Fatalf("extract = %q, %q, exit %d", out, errs, code)
	}
	if _, err := os.Stat(filepath.Join(dir, "unused.db")); err == nil {
		t.Errorf("extract created a library")
	}
	out, _, _ = gloss(t, "", testPage, "extract", "--format", "html", "-")
	if !strings.Contains(out, "<p>Moths outnumber") {
		t.Errorf("extract --format html - = %q", out)
	}
	out, _, _ = gloss(t, "", testPage, "extract", "--format", "markdown", "-")
	if !strings.Contains(out, "title: ") || !strings.Contains(out, "\nMoths outnumber butterflies") {
		t.Errorf("extract --format markdown - = %q", out)
	}
	out, _, code = gloss(t, "", "", "extract", srv.URL+"/moths")
	if code != 0 || !strings.Contains(out, "street lamps") {
		t.Errorf("extract URL = %q, exit %d", out, code)
	}

	outDir := filepath.Join(dir, "out")
	_, errs, code = gloss(t, "", "", "extract", "--format", "text", "--out", outDir, page, page)
	if code != 0 {
		t.Fatalf("extract --out: exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(filepath.Join(outDir, "moths.txt"))
	if err != nil || !strings.HasPrefix(string(got), "Moths outnumber") {
		t.Errorf("extract --out wrote %q (%v)", got, err)
	}
	if _, _, code = gloss(t, "", "", "extract", page, page); code != 2 {
		t.Errorf("two inputs without --out: exit %d, want 2", code)
	}
}

func TestUsage(t *testing.T) {
	out, _, code := gloss(t, "", "", "help")
	if code != 0 || !strings.Contains(out, "usage: gloss") || !strings.Contains(out, "save URL...") {
		t.Errorf("no arguments = %q, exit %d", out, code)
	}
	_, errs, code := gloss(t, "", "", "frobnicate")
	if code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = %q, exit %d", errs, code)
	}
	_, errs, code = gloss(t, "", "", "show", "abc")
	if code != 2 || !strings.Contains(errs, "not an article id") {
		t.Errorf("show abc = %q, exit %d", errs, code)
	}
}

// TestSaveReanchorsHighlights saves a changed page again and checks that the highlight
// moved with its passage in the same save, and became an orphan when the passage went.
func TestSaveReanchorsHighlights(t *testing.T) {
	page := testPage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "library.db")
	gloss(t, db, "", "save", srv.URL+"/moths")
	hid, errs, code := gloss(t, db, "", "highlight", "1", "--quote", "tilt their backs toward the brightest light")
	if code != 0 {
		t.Fatalf("highlight: %q", errs)
	}
	hid = strings.TrimSpace(hid)
	type hl struct {
		ID, Exact, Status string
		Start, Capture    int
	}
	annotations := func() hl {
		out, _, _ := gloss(t, db, "", "annotations", "1", "--json")
		var got struct{ Highlights []hl }
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Highlights) != 1 {
			t.Fatalf("annotations = %q (%v)", out, err)
		}
		return got.Highlights[0]
	}
	before := annotations()

	page = strings.Replace(testPage, "<p>Researchers", "<p>A new paragraph arrived in the second capture of this page.</p><p>Researchers", 1)
	gloss(t, db, "", "save", srv.URL+"/moths")
	after := annotations()
	if after.ID != hid || after.Status != "moved" || after.Start <= before.Start || after.Capture == before.Capture {
		t.Errorf("after a new capture, highlight = %+v (was %+v), want it moved onto the new capture", after, before)
	}

	page = strings.Replace(testPage, "a recent study suggests they tilt their backs toward the brightest light", "nobody knows", 1)
	gloss(t, db, "", "save", srv.URL+"/moths")
	if gone := annotations(); gone.Status != "orphan" || gone.Exact != "tilt their backs toward the brightest light" {
		t.Errorf("after the passage went, highlight = %+v, want an orphan keeping its quote", gone)
	}
}
