package siterules

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestZZSlow(t *testing.T) {
	dir := os.Getenv("FUZZDIR")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.SplitN(string(b), "\n", 4)
		rule, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")"))
		page, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "string("), ")"))
		start := time.Now()
		r, _ := Parse("fuzz.example.txt", strings.NewReader(rule))
		doc, _ := html.Parse(strings.NewReader(page))
		r.Apply(doc, "https://fuzz.example/page")
		if d := time.Since(start); d > 20*time.Millisecond {
			t.Logf("%v %q %q", d, rule, page)
		}
	}
}
