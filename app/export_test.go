package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/annotate"
)

func TestExport(t *testing.T) {
	h := newHarness(t)
	id := h.importPage("street-trees.html", sample(t), treesURL)
	ctx := context.Background()
	if _, err := h.store.Highlight(ctx, id, annotate.NewHighlight{Quote: airSentence, Color: "green", Note: "Okafor's measurements"}); err != nil {
		t.Fatal(err)
	}
	h.open(id)
	dir := t.TempDir()
	tests := []struct {
		format exportFormat
		check  func(t *testing.T, data []byte)
	}{
		{formatMarkdown, func(t *testing.T, data []byte) {
			for _, want := range []string{"The quiet arithmetic of street trees", "==" + airSentence + "==", "Okafor's measurements"} {
				if !bytes.Contains(data, []byte(want)) {
					t.Errorf("Markdown lacks %q", want)
				}
			}
		}},
		{formatHTML, func(t *testing.T, data []byte) {
			if !bytes.Contains(data, []byte("<mark")) || !bytes.Contains(data, []byte("Okafor")) {
				t.Errorf("HTML has no marked highlight with its note")
			}
		}},
		{formatPDF, func(t *testing.T, data []byte) {
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("PDF starts %q", data[:min(len(data), 8)])
			}
		}},
		{formatJSON, func(t *testing.T, data []byte) {
			var col map[string]any
			if err := json.Unmarshal(data, &col); err != nil {
				t.Fatalf("JSON: %v", err)
			}
			if !strings.Contains(string(data), airSentence) {
				t.Errorf("JSON lacks the highlighted text")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			path := filepath.Join(dir, "export."+string(tt.format))
			var done bool
			var err error
			h.g.export(h.g.Reader.article, tt.format, path, func(e error) { done, err = true, e })
			h.waitFor("the export", func() bool { return done })
			if err != nil {
				t.Fatal(err)
			}
			data, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			tt.check(t, data)
		})
	}
}
