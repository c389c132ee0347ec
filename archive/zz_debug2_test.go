package archive_test

import (
	"fmt"
	"os"
	"testing"

	"gloss/archive"
)

func TestZZText(t *testing.T) {
	b, err := os.ReadFile("/work/shared/fixtures/clipped-article.txt")
	if err != nil {
		t.Skip()
	}
	art, err := archive.ExtractText(string(b))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("TITLE %q\nBYLINE %q\n", art.Title, art.Byline)
	for _, r := range art.Removed {
		fmt.Printf("REMOVED %s %s %.120q\n", r.Rule, r.Path, r.Text)
	}
	fmt.Println(art.Text[:300], "\n...\n", art.Text[len(art.Text)-300:])
}
