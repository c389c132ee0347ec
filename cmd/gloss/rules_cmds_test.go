package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const promoPage = `<html><body><article><h1>Harbour News</h1>
<p>The harbour master said the new breakwater would protect the fishing fleet from winter storms for decades to come.</p>
<p>Engineers spent three years testing models of the harbour in a wave tank before the council approved the design.</p>
<p class="promo">Buy our premium harbour calendar today, now with more boats than ever before.</p>
<p id="tender">The council will publish the tender documents next month, a spokeswoman for the Harbour Cafe said.</p>
</article></body></html>`

func TestRulesAndRestrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(promoPage)) }))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "library.db")
	if out, errs, code := gloss(t, db, "", "save", srv.URL+"/news"); code != 0 || out != "1\tHarbour News\n" {
		t.Fatalf("save = %q %q %d", out, errs, code)
	}
	out, _, code := gloss(t, db, "", "rules", "add", "127.0.0.1", "--strip-class", "promo")
	if code != 0 || strings.TrimSpace(out) != "1" {
		t.Fatalf("rules add = %q, exit %d", out, code)
	}
	if _, errs, code := gloss(t, db, "", "rules", "add", "127.0.0.1", "--strip", "//p[@id="); code != 1 || !strings.Contains(errs, "rule for 127.0.0.1") {
		t.Errorf("a broken XPath: %q, exit %d", errs, code)
	}
	if _, _, code := gloss(t, db, "", "rules", "add", "127.0.0.1"); code != 2 {
		t.Errorf("rules add without a rule: exit %d, want 2", code)
	}
	out, _, _ = gloss(t, db, "", "rules", "list")
	if out != "1\t127.0.0.1\tclass\tpromo\n" {
		t.Errorf("rules list = %q", out)
	}

	if out, errs, code := gloss(t, db, "", "restrip", "1"); code != 0 || out != "1\tHarbour News\n" {
		t.Fatalf("restrip = %q %q %d", out, errs, code)
	}
	out, _, _ = gloss(t, db, "", "show", "1")
	if strings.Contains(out, "premium harbour calendar") || !strings.Contains(out, "wave tank") {
		t.Errorf("after restrip, show = %q", out)
	}
	out, _, _ = gloss(t, db, "", "show", "1", "--format", "json")
	var shown struct {
		Captures int
		Removed  []struct{ Path, Reason, Text string }
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Captures != 2 {
		t.Errorf("captures after restrip = %d, want 2 (the first is kept)", shown.Captures)
	}
	var path string
	for _, r := range shown.Removed {
		if strings.Contains(r.Text, "premium harbour calendar") {
			path = r.Path
		}
	}
	if path == "" {
		t.Fatalf("removals %+v do not list the promo", shown.Removed)
	}

	if _, _, code := gloss(t, db, "", "rules", "remove", "1"); code != 0 {
		t.Errorf("rules remove: exit %d", code)
	}
	if out, _, _ = gloss(t, db, "", "rules", "list"); out != "" {
		t.Errorf("rules list after remove = %q", out)
	}
	gloss(t, db, "", "restrip", "1")
	if out, _, _ = gloss(t, db, "", "show", "1"); !strings.Contains(out, "premium harbour calendar") {
		t.Errorf("after removing the rule and restripping, the promo is still gone: %q", out)
	}
}

func TestRulesUpdateAndFolder(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	f, _ := zw.Create("ftr-site-config-master/127.0.0.1.txt")
	f.Write([]byte("# test rule\nstrip: //p[@id='tender']\n"))
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/rules.zip", func(w http.ResponseWriter, r *http.Request) { w.Write(zipped.Bytes()) })
	mux.HandleFunc("/news", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(promoPage)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	_, errs, code := gloss(t, db, "", "rules", "update", "--from", srv.URL+"/rules.zip")
	if code != 0 || !strings.Contains(errs, "1 site rule files") {
		t.Fatalf("rules update = %q, exit %d", errs, code)
	}
	if _, err := os.Stat(filepath.Join(dir, "site-rules", "127.0.0.1.txt")); err != nil {
		t.Fatalf("the rule file was not unpacked: %v", err)
	}
	gloss(t, db, "", "save", srv.URL+"/news")
	out, _, _ := gloss(t, db, "", "show", "1")
	if strings.Contains(out, "Harbour Cafe") || !strings.Contains(out, "wave tank") {
		t.Errorf("downloaded rule not applied: %q", out)
	}

	// The user's folder wins over the downloaded rules.
	mine := filepath.Join(dir, "mine")
	os.Mkdir(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "127.0.0.1.txt"), []byte("strip: //p[@class='promo']\n"), 0o644)
	if _, errs, code := gloss(t, db, "", "rules", "folder", mine); code != 0 {
		t.Fatalf("rules folder: %q", errs)
	}
	out, errs, code = gloss(t, db, promoPage, "extract", "--explain", "--url", srv.URL+"/news", "-")
	if code != 0 {
		t.Fatalf("extract: %q", errs)
	}
	if strings.Contains(out, "premium harbour calendar") || !strings.Contains(out, "Harbour Cafe") {
		t.Errorf("with the user's folder, extract = %q", out)
	}
	if !strings.Contains(errs, "site rule 127.0.0.1.txt:1") {
		t.Errorf("--explain = %q, want the rule file and line", errs)
	}

	_, errs, code = gloss(t, db, "", "rules", "update", "--from", "http://gloss-offline.invalid/rules.zip")
	if code != 1 || !strings.Contains(errs, "are you offline?") {
		t.Errorf("offline update = %q, exit %d", errs, code)
	}
	if _, err := os.Stat(filepath.Join(dir, "site-rules", "127.0.0.1.txt")); err != nil {
		t.Errorf("a failed update removed the rules: %v", err)
	}
}
