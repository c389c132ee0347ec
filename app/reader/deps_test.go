package reader

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestNoWindowingImports keeps the reader testable headless: it must not pull in a
// windowing driver (the GLFW driver needs cgo and a display).
func TestNoWindowingImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if !slices.Contains(pkgs, "fyne.io/fyne/v2/canvas") {
		t.Fatalf("go list -deps does not list fyne.io/fyne/v2/canvas: %q", out)
	}
	for _, pkg := range pkgs {
		if strings.HasPrefix(pkg, "github.com/go-gl/") || strings.HasPrefix(pkg, "fyne.io/fyne/v2/app") ||
			strings.HasPrefix(pkg, "fyne.io/fyne/v2/internal/driver/glfw") {
			t.Errorf("the reader depends on %s", pkg)
		}
	}
}
