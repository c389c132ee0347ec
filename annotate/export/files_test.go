package export

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// nameProblem says what is unsafe about a file name, or "" when nothing is.
func nameProblem(name string) string {
	switch {
	case checkSafeName(name) != nil:
		return checkSafeName(name).Error()
	case len(name) > maxNameBytes:
		return fmt.Sprintf("%d bytes", len(name))
	case strings.Contains(name, ".."):
		return "holds .."
	case strings.ContainsAny(name, `/\<>:"|?*#^[]`):
		return "holds a forbidden character"
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") || strings.HasPrefix(name, " "):
		return "bad start"
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return "bad end"
	case reservedName(name):
		return "reserved on Windows"
	case !utf8.ValidString(name):
		return "invalid UTF-8"
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("holds %U", r)
		}
	}
	return ""
}

func TestFileName(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		title string
		id    int64
		ext   string
		want  string
	}{
		{"A plain title", 1, "md", "A plain title.md"},
		{"Trust: a guide", 1, "md", "Trust - a guide.md"},
		{"../../etc/passwd", 2, "md", "etc passwd.md"},
		{"a/b", 3, "md", "a b.md"},
		{`a\b`, 3, "pdf", "a b.pdf"},
		{"CON", 4, "md", "CON_.md"},
		{"nul.txt", 4, "md", "nul_.txt.md"},
		{"com1", 4, "md", "com1_.md"},
		{"Common", 4, "md", "Common.md"},
		{"tab\there\x00nul\x1b[31mred", 5, "md", "tab here nul 31mred.md"},
		{"evil\u202Egnp.exe", 6, "md", "evil gnp.exe.md"},
		{"   ", 7, "md", "article-7.md"},
		{"...", 8, "html", "article-8.html"},
		{"..", 9, "md", "article-9.md"},
		{"#[]^|?*<>\"", 10, "md", "article-10.md"},
		{"Ends with dots...", 11, "md", "Ends with dots.md"},
		{"- dash", 12, "md", "dash.md"},
		{"Title", 13, "../x", "Title.x"},
		{"Title", 14, "", "Title"},
		{"naïve café", 15, "md", "naïve café.md"},
		{"nai\u0308ve", 16, "md", "naïve.md"},
		{long, 17, "md", strings.Repeat("é", 48) + ".md"},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := FileName(tt.title, tt.id, tt.ext)
			if got != tt.want {
				t.Errorf("FileName(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if p := nameProblem(got); p != "" {
				t.Errorf("FileName(%q) = %q: %s", tt.title, got, p)
			}
		})
	}
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// leftovers lists the temporary files in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tmp []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFile(dir, "a.md", writeString("one"), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "a.md"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Errorf("content = %q", got)
	}

	// No clobbering without force.
	_, err = WriteFile(dir, "a.md", writeString("two"), false)
	if !errors.Is(err, ErrExists) || !errors.Is(err, fs.ErrExist) {
		t.Errorf("err = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Errorf("content after refused write = %q", got)
	}
	// With force, replaced.
	if _, err := WriteFile(dir, "a.md", writeString("three"), true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "three" {
		t.Errorf("content after forced write = %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v", st.Mode())
	}

	// A failing writer leaves neither the target nor a temporary file.
	boom := errors.New("boom")
	_, err = WriteFile(dir, "b.md", func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	}, false)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the writer's error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.md")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("b.md exists after a failed write")
	}
	// A failing forced rewrite keeps the old file whole.
	if _, err := WriteFile(dir, "a.md", func(w io.Writer) error { io.WriteString(w, "x"); return boom }, true); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "three" {
		t.Errorf("content after failed forced write = %q", got)
	}
	if tmp := leftovers(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func TestWriteFileUnsafeNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"", ".", "..", "../x.md", "../../etc/passwd", "a/b.md", `a\b.md`, "/abs.md", "x\x00y", "x\ny", strings.Repeat("a", 300)} {
		t.Run(name, func(t *testing.T) {
			_, err := WriteFile(dir, name, writeString("x"), true)
			if !errors.Is(err, ErrUnsafeName) {
				t.Errorf("WriteFile(%q) err = %v, want ErrUnsafeName", name, err)
			}
		})
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("files written: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x.md")); err == nil {
		t.Errorf("a file was written outside the folder")
	}
}

func TestWriteFileSymlinks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A link in the folder pointing outside is never written through, even with force.
	if err := os.Symlink(secret, filepath.Join(dir, "link.md")); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	for _, force := range []bool{false, true} {
		_, err := WriteFile(dir, "link.md", writeString("pwned"), force)
		if !errors.Is(err, ErrSymlink) {
			t.Errorf("force=%v: err = %v, want ErrSymlink", force, err)
		}
	}
	// A dangling link too.
	if err := os.Symlink(filepath.Join(outside, "new.txt"), filepath.Join(dir, "dangling.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFile(dir, "dangling.md", writeString("pwned"), true); !errors.Is(err, ErrSymlink) {
		t.Errorf("dangling: err = %v, want ErrSymlink", err)
	}
	if got, _ := os.ReadFile(secret); string(got) != "secret" {
		t.Errorf("file outside the folder changed: %q", got)
	}
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); err == nil {
		t.Errorf("a file was created through a dangling link")
	}
	// The folder itself may be a link: the file lands in the folder it points to.
	linked := filepath.Join(root, "linked")
	if err := os.Symlink(dir, linked); err != nil {
		t.Fatal(err)
	}
	path, err := WriteFile(linked, "ok.md", writeString("ok"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "ok.md")); string(got) != "ok" || path != filepath.Join(linked, "ok.md") {
		t.Errorf("through a linked folder: %q at %s", got, path)
	}
	// A folder in the way.
	if err := os.Mkdir(filepath.Join(dir, "sub.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFile(dir, "sub.md", writeString("x"), true); err == nil {
		t.Errorf("wrote over a folder")
	}
	if tmp := leftovers(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}
