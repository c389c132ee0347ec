package export

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxNameBytes caps file names well under the 255 bytes file systems allow, leaving room
// for the folder path on Windows and for a suffix a caller may add.
const maxNameBytes = 100

// Errors of WriteFile.
var (
	// ErrUnsafeName is returned for a file name that is not a plain name in its folder.
	ErrUnsafeName = errors.New("export: unsafe file name")
	// ErrSymlink is returned when the target is a symbolic link; exports never write
	// through one.
	ErrSymlink = errors.New("export: target is a symbolic link")
	// ErrExists is returned when the target exists and force is off. It wraps fs.ErrExist.
	ErrExists = fmt.Errorf("export: file exists: %w", fs.ErrExist)
)

// FileName makes a safe, stable file name from an article's title: the same title, id and
// extension always give the same name, and the name is a plain name on every desktop
// system. Path separators, characters Windows forbids or Obsidian links cannot hold
// (< > : " | ? * # ^ [ ]), control and invisible formatting characters (which could
// disguise the extension) are replaced; white space and runs of dots are collapsed;
// leading dots and dashes and trailing dots and spaces are dropped; Windows device names
// (CON, NUL, COM1…) get a "_"; the result is at most 100 bytes, cut on a character
// boundary. A title with nothing left gives "article-ID". ext is the extension without a
// dot, reduced to letters and digits.
func FileName(title string, id int64, ext string) string {
	ext = cleanExt(ext)
	suffix := ""
	if ext != "" {
		suffix = "." + ext
	}
	var sb strings.Builder
	space := false
	put := func(r rune) {
		if r == ' ' {
			space = sb.Len() > 0
			return
		}
		if space {
			sb.WriteByte(' ')
			space = false
		} else if r == '.' && strings.HasSuffix(sb.String(), ".") {
			// No "..", even inside a name.
			return
		}
		sb.WriteRune(r)
	}
	for _, r := range norm.NFC.String(strings.ToValidUTF8(title, "")) {
		switch {
		case r == ':':
			put(' ')
			put('-')
			put(' ')
		case strings.ContainsRune(`/\<>"|?*#^[]`, r), unicode.IsSpace(r):
			put(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cs, r),
			r == utf8.RuneError, r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
			put(' ')
		default:
			put(r)
		}
	}
	room := maxNameBytes - len(suffix)
	name := capName(trimName(sb.String()), room)
	if name == "" {
		name = "article-" + strconv.FormatInt(id, 10)
	}
	if reservedName(name) {
		stem, rest, _ := strings.Cut(name, ".")
		name = stem + "_"
		if rest != "" {
			name += "." + rest
		}
		name = capName(name, room)
	}
	return name + suffix
}

// capName cuts a name to at most room bytes on a character boundary.
func capName(name string, room int) string {
	if len(name) <= room {
		return name
	}
	cut := room
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return trimName(name[:cut])
}

// trimName drops what may not start or end a file name.
func trimName(s string) string {
	s = strings.TrimLeft(s, " .-")
	return strings.TrimRight(s, " .")
}

func cleanExt(ext string) string {
	var sb strings.Builder
	for _, r := range ext {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && sb.Len() < 10 {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// reservedName reports whether Windows reserves a name for a device: CON, PRN, AUX, NUL,
// COM0-9 and LPT0-9 (also with superscript digits), whatever the case or extension.
func reservedName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) >= 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		d := stem[3:]
		return len(d) == 1 && d[0] >= '0' && d[0] <= '9' || d == "¹" || d == "²" || d == "³"
	}
	return false
}

// WriteFile writes a file named name in dir atomically: write fills a temporary file in
// the same folder, which is synced, closed and renamed over the target, so the target is
// either the old file or the whole new one and never half of either. Without force an
// existing target is left alone and ErrExists returned; with force it is replaced. The
// target is never a symbolic link (ErrSymlink), and name must be a plain file name
// (ErrUnsafeName): nothing is ever written outside dir, which may itself be reached
// through a link. On any error no temporary file is left behind. path is the file
// written, dir joined with name.
func WriteFile(dir, name string, write func(io.Writer) error, force bool) (path string, err error) {
	if err := checkSafeName(name); err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("export folder %s: %w", dir, err)
	}
	if st, err := os.Stat(real); err != nil {
		return "", fmt.Errorf("export folder %s: %w", dir, err)
	} else if !st.IsDir() {
		return "", fmt.Errorf("export folder %s: not a folder", dir)
	}
	path = filepath.Join(dir, name)
	target := filepath.Join(real, name)
	if filepath.Dir(target) != filepath.Clean(real) {
		return "", fmt.Errorf("%w: %q", ErrUnsafeName, name)
	}
	if err := checkTarget(target, force); err != nil {
		return "", err
	}

	tmp, err := os.CreateTemp(real, "."+tempStem(name)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: close: %w", path, err)
	}
	if force {
		if err := checkTarget(target, true); err != nil {
			return "", err
		}
		if err := os.Rename(tmp.Name(), target); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
	} else if err := os.Link(tmp.Name(), target); err == nil {
		// A hard link fails if the target appeared meanwhile: no clobbering, no race.
		os.Remove(tmp.Name())
	} else if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s: %w", path, ErrExists)
	} else {
		// Some file systems (FAT, some network shares) have no hard links.
		if err := checkTarget(target, false); err != nil {
			return "", err
		}
		if err := os.Rename(tmp.Name(), target); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
	}
	done = true
	syncDir(real)
	return path, nil
}

// checkSafeName reports whether name is a plain file name: no folder part, not "." or
// "..", no NUL or control characters, not too long.
func checkSafeName(name string) error {
	switch {
	case name == "", name == ".", name == "..", len(name) > 255,
		strings.ContainsAny(name, "/\\"), filepath.Base(name) != name, filepath.IsAbs(name),
		filepath.VolumeName(name) != "", !utf8.ValidString(name):
		return fmt.Errorf("%w: %q", ErrUnsafeName, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %q", ErrUnsafeName, name)
		}
	}
	return nil
}

// checkTarget refuses a target that is a link or a folder, or exists when force is off.
func checkTarget(target string, force bool) error {
	st, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("write %s: %w", target, err)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s: %w", target, ErrSymlink)
	case st.IsDir():
		return fmt.Errorf("write %s: a folder is in the way", target)
	case !force:
		return fmt.Errorf("%s: %w", target, ErrExists)
	}
	return nil
}

// tempStem shortens a name for a temporary file next to it.
func tempStem(name string) string {
	if len(name) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	return strings.ReplaceAll(name, "*", "_")
}

// syncDir makes a rename durable where the system allows it; failing to is not an error
// for the file just written.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
