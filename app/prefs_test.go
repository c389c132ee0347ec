package app

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"gloss/annotate"
)

func TestPreferencesDialog(t *testing.T) {
	h := newHarness(t)
	h.waitFor("the palette", func() bool { return len(h.g.palette) == len(annotate.Colors) })
	h.g.showPreferences()
	p := h.g.prefsDialog
	p.Appearance.SetSelected(appearanceLabel(AppearanceSepia))
	p.Font.SetSelected("Sans")
	p.Size.SetValue(21)
	p.Default.SetSelected("Blue")
	p.Meanings["green"].SetText("a source to cite")
	p.RulesDir.SetText(t.TempDir())
	saved := false
	h.g.onPrefsSaved = func() { saved = true }
	test.Tap(p.Save)
	h.waitFor("the preferences and the palette", func() bool { return saved && h.g.meaning("green") == "a source to cite" })

	if h.g.theme.appearance != AppearanceSepia {
		t.Errorf("window appearance = %s, want sepia", h.g.theme.appearance)
	}
	if got := h.g.Reader.Reader.TextSize(); got != 21 {
		t.Errorf("reader text size = %v, want 21", got)
	}
	got, err := LoadPrefs(context.Background(), h.lib)
	if err != nil {
		t.Fatal(err)
	}
	want := Prefs{Appearance: AppearanceSepia, Font: FontSans, TextSize: 21, DefaultColor: "blue",
		Sort: got.Sort, SortDesc: got.SortDesc, RulesDir: p.RulesDir.Text}
	if got != want {
		t.Errorf("stored preferences = %+v, want %+v", got, want)
	}
	pal, err := h.store.Palette(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pal {
		if c.Color == "green" && c.Meaning != "a source to cite" {
			t.Errorf("stored meaning of green = %q", c.Meaning)
		}
	}
}

func TestLoadPrefsDefaultsForUnknownValues(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for k, v := range map[string]string{keyAppearance: "neon", keyFont: "comic", keyTextSize: "400", keyDefaultColor: "teal"} {
		if err := h.lib.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadPrefs(ctx, h.lib)
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultPrefs(); got != want {
		t.Errorf("prefs = %+v, want the defaults %+v", got, want)
	}
}

// TestImports keeps the app above the services: it calls them and never reaches the
// database itself.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "gloss/app").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if imp == "database/sql" || strings.Contains(imp, "sqlite") {
			t.Errorf("package app imports %s: SQL belongs to archive and annotate", imp)
		}
	}
}
