package export

import (
	"os"
	"strings"
	"testing"
)

func TestSmokeMD(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	var sb strings.Builder
	err := Markdown(&sb, a, hs, MarkdownOptions{Digest: true, ImageDir: "img", WriteImage: func(string, []byte) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/smoke.md", []byte(sb.String()), 0644)
	_, body := splitFrontMatter(t, sb.String())
	os.WriteFile("/tmp/smoke.html", []byte(renderMarkdown(t, body)), 0644)
}
