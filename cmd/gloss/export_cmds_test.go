package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingTransport fails the test on any request: showing and exporting saved articles
// must never touch the network.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("network request during export: %s", r.URL)
	return nil, errors.New("no network during export")
}

func TestExportOffline(t *testing.T) {
	img := pngFile(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/moths", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Replace(testPage, "</article>", `<figure><img src="/moth.png" alt="A moth"><figcaption>A moth at rest</figcaption></figure></article>`, 1)))
	})
	mux.HandleFunc("/moth.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(img)
	})
	srv := httptest.NewServer(mux)
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	if _, errs, code := gloss(t, db, "", "save", srv.URL+"/moths"); code != 0 {
		t.Fatalf("save: %s", errs)
	}
	srv.Close()
	hid, errs, code := gloss(t, db, "", "highlight", "1", "--quote", "nine to one", "--note", "Check the ratio", "--tag", "numbers",
		"--claim", "--claimant", "entomologists", "--claim-status", "disputed")
	if code != 0 {
		t.Fatalf("highlight: %s", errs)
	}
	hid = strings.TrimSpace(hid)

	saved := http.DefaultTransport
	http.DefaultTransport = failingTransport{t}
	defer func() { http.DefaultTransport = saved }()

	out := filepath.Join(dir, "out")
	for _, format := range []string{"md", "pdf", "html", "json"} {
		stdout, errs, code := gloss(t, db, "", "export", "1", "--format", format, "-o", out+"/")
		if code != 0 {
			t.Fatalf("export --format %s: %s", format, errs)
		}
		path := strings.TrimSpace(stdout)
		if filepath.Dir(path) != out || !strings.HasPrefix(filepath.Base(path), "Moths of the Night") {
			t.Errorf("export --format %s wrote %q", format, path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		body := string(data)
		switch format {
		case "md":
			for _, want := range []string{"Moths of the Night", "==nine to one==[^hl-1]", "Check the ratio", "#numbers", "entomologists", "-images/"} {
				if !strings.Contains(body, want) {
					t.Errorf("Markdown lacks %q:\n%s", want, body)
				}
			}
			imgs, _ := filepath.Glob(filepath.Join(out, "*-images", "*"))
			if len(imgs) != 1 {
				t.Errorf("Markdown images written: %v, want one", imgs)
			}
		case "pdf":
			// The annotations themselves are read back by annotate/export's tests.
			if !strings.HasPrefix(body, "%PDF-") || !strings.HasSuffix(strings.TrimSpace(body), "%%EOF") {
				t.Errorf("not a whole PDF: %.40q", body)
			}
		case "html":
			if !strings.Contains(body, "<mark") || !strings.Contains(body, "data:image/png;base64,") || strings.Contains(body, "<script") {
				t.Errorf("HTML export is not self-contained and marked:\n%.500s", body)
			}
		case "json":
			var got struct {
				Article struct {
					Title string
				}
				Annotations struct{ Total int }
			}
			if err := json.Unmarshal(data, &got); err != nil || got.Article.Title != "Moths of the Night" || got.Annotations.Total != 1 {
				t.Errorf("JSON export = %s (%v)", body, err)
			}
			if !strings.Contains(body, hid) {
				t.Errorf("JSON export does not carry the highlight id %s", hid)
			}
		}
	}
	_, errs, code = gloss(t, db, "", "export", "1", "--format", "md", "-o", out+"/")
	if code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("exporting over an existing file: %q, exit %d; want a refusal naming --force", errs, code)
	}
	if _, errs, code = gloss(t, db, "", "export", "1", "--format", "md", "-o", out+"/", "--force"); code != 0 {
		t.Errorf("export --force: %s", errs)
	}
	stdout, _, _ := gloss(t, db, "", "export", "1", "--format", "md", "--portable")
	if !strings.Contains(stdout, "<mark>nine to one</mark>") {
		t.Errorf("portable Markdown on stdout:\n%s", stdout)
	}
}

func pngFile(t *testing.T) []byte {
	t.Helper()
	// A 2×2 red PNG.
	return []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x44, 0x0c, 0x10, 0x0a, 0x00, 0x1f, 0xee, 0x03, 0xfd, 0x8b, 0x5f, 0x14, 0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}
}
