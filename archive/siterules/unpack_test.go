package siterules

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// entry is one file of a test archive.
type entry struct {
	name, body string
	link       bool // a symbolic link to body
}

var archiveEntries = []entry{
	{name: "ftr-site-config-master/"},
	{name: "ftr-site-config-master/example.com.txt", body: "body: //article\n"},
	{name: "ftr-site-config-master/.example.org.txt", body: "body: //main\n"},
	{name: "ftr-site-config-master/global.txt", body: "strip_id_or_class: sharedaddy\n"},
	{name: "ftr-site-config-master/README.md", body: "# readme\n"},
	{name: "ftr-site-config-master/LICENSE.txt", body: "public domain\n"},
	{name: "ftr-site-config-master/sub/deep.com.txt", body: "body: //x\n"},
	{name: "ftr-site-config-master/../evil.com.txt", body: "body: //evil\n"},
	{name: "../../evil2.com.txt", body: "body: //evil\n"},
	{name: "/abs.com.txt", body: "body: //evil\n"},
	{name: "ftr-site-config-master/big.com.txt", body: strings.Repeat("#", MaxFileBytes+1)},
	{name: "ftr-site-config-master/link.com.txt", body: "/etc/passwd", link: true},
	{name: "top.net.txt", body: "body: //top\n"},
}

var wantUnpacked = map[string]string{
	"example.com.txt":  "body: //article\n",
	".example.org.txt": "body: //main\n",
	"global.txt":       "strip_id_or_class: sharedaddy\n",
	"top.net.txt":      "body: //top\n",
}

func makeZip(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.link {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func makeTarGz(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		case e.link:
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.body, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readTree returns every file under dir (relative name -> content).
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUnpack(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"zip", makeZip(t, archiveEntries)},
		{"tar.gz", makeTarGz(t, archiveEntries)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dest := filepath.Join(root, "rules", "downloaded")
			n, err := Unpack(bytes.NewReader(tt.data), dest)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(wantUnpacked) {
				t.Errorf("Unpack wrote %d files, want %d", n, len(wantUnpacked))
			}
			if got := readTree(t, dest); !reflect.DeepEqual(got, wantUnpacked) {
				var names []string
				for k := range got {
					names = append(names, k)
				}
				sort.Strings(names)
				t.Errorf("unpacked files = %q, want %d rule files", names, len(wantUnpacked))
			}
			// Nothing escaped the destination.
			if got := readTree(t, root); len(got) != len(wantUnpacked) {
				t.Errorf("files under the temp root: %d, want %d", len(got), len(wantUnpacked))
			}
			// The result loads.
			s, errs := LoadDir(dest)
			if len(errs) != 0 || len(s.For("a.example.org")) != 2 {
				t.Errorf("unpacked rules do not load: %v", errs)
			}
		})
	}
}

func TestUnpackRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"not an archive", []byte("<html>hello</html>"), ErrArchiveFormat},
		{"empty", nil, ErrArchiveFormat},
		{"zip without rules", makeZip(t, []entry{{name: "x/README.md", body: "hi"}}), ErrNoRules},
		{"tar.gz without rules", makeTarGz(t, []entry{{name: "x/LICENSE.txt", body: "hi"}}), ErrNoRules},
		{"truncated gzip", makeTarGz(t, archiveEntries)[:40], ErrArchiveFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unpack(bytes.NewReader(tt.data), t.TempDir())
			if !errors.Is(err, tt.want) {
				t.Errorf("Unpack error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCapReader(t *testing.T) {
	c := &capReader{r: strings.NewReader(strings.Repeat("x", 100)), left: 10}
	b, err := io.ReadAll(c)
	if len(b) != 10 || !errors.Is(err, ErrArchiveSize) || !c.over {
		t.Errorf("read %d bytes, err %v, over %v; want 10, ErrArchiveSize, true", len(b), err, c.over)
	}
}

func TestRuleEntryName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com.txt", "example.com.txt"},
		{"repo-main/example.com.txt", "example.com.txt"},
		{"repo-main/.example.com.txt", ".example.com.txt"},
		{`repo-main\example.com.txt`, "example.com.txt"},
		{"repo-main/sub/example.com.txt", ""},
		{"../example.com.txt", ""},
		{"repo/../../example.com.txt", ""},
		{"repo/../example.com.txt", ""},
		{"./repo/example.com.txt", "example.com.txt"},
		{"/example.com.txt", ""},
		{"repo/LICENSE.txt", ""},
		{"repo/README.md", ""},
		{"repo/example.com.txt\x00", ""},
	}
	for _, tt := range tests {
		if got := ruleEntryName(tt.in); got != tt.want {
			t.Errorf("ruleEntryName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
