package archive_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"os"
	"testing"

	"gloss/archive"
)

func TestZZDebug(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	fh, _ := os.Open(f)
	zr, _ := gzip.NewReader(fh)
	b, _ := io.ReadAll(zr)
	u, _ := url.Parse("http://example.com/")
	art, err := archive.Extract(b, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range art.Removed {
		fmt.Printf("REMOVED %s %s %.150q\n", r.Rule, r.Path, r.Text)
	}
	fmt.Println("BYLINE", art.Byline, "PUB", art.Published)
	if os.Getenv("DBGHTML") != "" {
		fmt.Println(art.HTML)
	} else {
		fmt.Println(art.Text)
	}
}
