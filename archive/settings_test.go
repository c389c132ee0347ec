package archive

import (
	"context"
	"path/filepath"
	"testing"
)

func TestSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := lib.Setting(ctx, "theme", "light"); err != nil || got != "light" {
		t.Fatalf("unset setting = %q, %v; want the default", got, err)
	}
	for _, v := range []string{"dark", "sepia"} {
		if err := lib.SetSetting(ctx, "theme", v); err != nil {
			t.Fatal(err)
		}
	}
	lib.Close()
	lib, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if got, err := lib.Setting(ctx, "theme", "light"); err != nil || got != "sepia" {
		t.Errorf("setting after reopen = %q, %v; want sepia", got, err)
	}
}
