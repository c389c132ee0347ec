package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"gloss/app/reader"
)

// Fyne ships one sans-serif family, so the serif reading font is the desktop's own: the
// faces fontconfig picks for "serif", or failing that a well-known serif family found in
// the usual font folders. Nothing is embedded: a serif good enough for long reading is
// several megabytes, and every Linux desktop has one.

// serifCandidates are the regular, bold, italic and bold italic files of serif families,
// best first, relative to a font folder.
var serifCandidates = [][4]string{
	{"truetype/noto/NotoSerif-Regular.ttf", "truetype/noto/NotoSerif-Bold.ttf", "truetype/noto/NotoSerif-Italic.ttf", "truetype/noto/NotoSerif-BoldItalic.ttf"},
	{"truetype/liberation/LiberationSerif-Regular.ttf", "truetype/liberation/LiberationSerif-Bold.ttf", "truetype/liberation/LiberationSerif-Italic.ttf", "truetype/liberation/LiberationSerif-BoldItalic.ttf"},
	{"truetype/dejavu/DejaVuSerif.ttf", "truetype/dejavu/DejaVuSerif-Bold.ttf", "truetype/dejavu/DejaVuSerif-Italic.ttf", "truetype/dejavu/DejaVuSerif-BoldItalic.ttf"},
}

var fontDirs = []string{"/usr/share/fonts", "/usr/local/share/fonts"}

var (
	serifOnce  sync.Once
	serifFaces *reader.Fonts
)

// serifFonts returns the desktop's serif faces, or nil when it has none (the reader then
// uses the sans-serif). The files are read once.
func serifFonts() *reader.Fonts {
	serifOnce.Do(func() { serifFaces = findSerif() })
	return serifFaces
}

func findSerif() *reader.Fonts {
	var files [4]string
	ok := false
	for _, style := range []struct {
		i    int
		spec string
	}{{0, "serif:style=Regular"}, {1, "serif:style=Bold"}, {2, "serif:style=Italic"}, {3, "serif:style=Bold Italic"}} {
		out, err := exec.Command("fc-match", "-f", "%{file}", style.spec).Output()
		if err != nil {
			break
		}
		f := strings.TrimSpace(string(out))
		if !strings.HasSuffix(strings.ToLower(f), ".ttf") && !strings.HasSuffix(strings.ToLower(f), ".otf") {
			break // a Type 1 or bitmap face the text renderer cannot use
		}
		files[style.i] = f
		ok = style.i == 3
	}
	if !ok || !strings.Contains(strings.ToLower(files[0]), "serif") || strings.Contains(strings.ToLower(files[0]), "sans") {
		ok = false
		for _, c := range serifCandidates {
			for _, dir := range fontDirs {
				if _, err := os.Stat(filepath.Join(dir, c[0])); err == nil {
					for i := range c {
						files[i] = filepath.Join(dir, c[i])
					}
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
	}
	if !ok {
		return nil
	}
	load := func(path string) fyne.Resource {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		return fyne.NewStaticResource(filepath.Base(path), data)
	}
	f := &reader.Fonts{Regular: load(files[0]), Bold: load(files[1]), Italic: load(files[2]), BoldItalic: load(files[3])}
	if f.Regular == nil {
		return nil
	}
	return f
}
