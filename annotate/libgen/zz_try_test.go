package libgen

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestZZTry(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ZZN"))
	if n == 0 {
		t.Skip()
	}
	wd, _ := os.Getwd()
	p := filepath.Join(os.Getenv("ZZDIR"), "lib.db")
	os.Remove(p)
	st, err := Generate(context.Background(), p, Options{Articles: n, Corpus: FindCorpus(wd)})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	t.Logf("%+v size %d MB", st, fi.Size()>>20)
}
