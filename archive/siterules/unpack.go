package siterules

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits Unpack keeps to, so that a hostile or broken archive cannot fill the
// disk. The published rule set is a few megabytes.
const (
	MaxArchiveBytes  = 64 << 20 // size of a .zip read into memory
	MaxUnpackedBytes = 256 << 20
	MaxRuleFiles     = 20000
)

// Errors returned by Unpack.
var (
	ErrArchiveFormat = errors.New("not a .zip or .tar.gz archive")
	ErrArchiveSize   = errors.New("archive too large")
	ErrNoRules       = errors.New("archive holds no rule files")
)

// Unpack extracts the rule files of an archive of the ftr-site-config repository
// (a .zip or .tar.gz, as published) into destDir, creating it, and returns how
// many it wrote. Only regular files named like rule files ("HOST.txt",
// ".HOST.txt", "global.txt") at the top of the archive or inside one top folder
// are taken, each written under its base name, so no entry can land outside
// destDir; links, other files, deeper folders and files over MaxFileBytes are
// skipped. Each file is written atomically (temporary file, sync, rename).
// Files already in destDir that the archive lacks are left alone: to replace a
// rule folder exactly, unpack into a new folder and swap it in.
func Unpack(r io.Reader, destDir string) (int, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return 0, fmt.Errorf("unpack rules: %w", err)
	}
	var (
		n   int
		err error
	)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")), bytes.HasPrefix(magic, []byte("PK\x05\x06")):
		n, err = unpackZip(br, destDir)
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		n, err = unpackTarGz(br, destDir)
	default:
		return 0, fmt.Errorf("unpack rules: %w", ErrArchiveFormat)
	}
	if err != nil {
		return n, fmt.Errorf("unpack rules: %w", err)
	}
	if n == 0 {
		return 0, fmt.Errorf("unpack rules: %w", ErrNoRules)
	}
	return n, nil
}

func unpackZip(r io.Reader, destDir string) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxArchiveBytes+1))
	if err != nil {
		return 0, err
	}
	if len(data) > MaxArchiveBytes {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrArchiveSize, MaxArchiveBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrArchiveFormat, err)
	}
	n, total := 0, int64(0)
	for _, f := range zr.File {
		base := ruleEntryName(f.Name)
		if base == "" || !f.Mode().IsRegular() || f.UncompressedSize64 > MaxFileBytes {
			continue
		}
		if n >= MaxRuleFiles {
			return n, fmt.Errorf("%w: more than %d rule files", ErrArchiveSize, MaxRuleFiles)
		}
		rc, err := f.Open()
		if err != nil {
			return n, fmt.Errorf("%s: %w", f.Name, err)
		}
		body, err := io.ReadAll(io.LimitReader(rc, MaxFileBytes+1))
		rc.Close()
		if err != nil {
			return n, fmt.Errorf("%s: %w", f.Name, err)
		}
		if len(body) > MaxFileBytes {
			continue
		}
		if total += int64(len(body)); total > MaxUnpackedBytes {
			return n, fmt.Errorf("%w: more than %d bytes unpacked", ErrArchiveSize, MaxUnpackedBytes)
		}
		if err := writeAtomic(filepath.Join(destDir, base), body); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func unpackTarGz(r io.Reader, destDir string) (int, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrArchiveFormat, err)
	}
	defer gz.Close()
	// Everything read from the decompressed stream, skipped entries included,
	// counts against the cap: this stops a small archive that inflates hugely.
	cr := &capReader{r: gz, left: MaxUnpackedBytes}
	tr := tar.NewReader(cr)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			if cr.over {
				return n, fmt.Errorf("%w: more than %d bytes unpacked", ErrArchiveSize, MaxUnpackedBytes)
			}
			return n, fmt.Errorf("%w: %w", ErrArchiveFormat, err)
		}
		base := ruleEntryName(h.Name)
		if base == "" || h.Typeflag != tar.TypeReg || h.Size > MaxFileBytes {
			continue
		}
		if n >= MaxRuleFiles {
			return n, fmt.Errorf("%w: more than %d rule files", ErrArchiveSize, MaxRuleFiles)
		}
		body, err := io.ReadAll(io.LimitReader(tr, MaxFileBytes+1))
		if err != nil {
			if cr.over {
				return n, fmt.Errorf("%w: more than %d bytes unpacked", ErrArchiveSize, MaxUnpackedBytes)
			}
			return n, fmt.Errorf("%s: %w", h.Name, err)
		}
		if len(body) > MaxFileBytes {
			continue
		}
		if err := writeAtomic(filepath.Join(destDir, base), body); err != nil {
			return n, err
		}
		n++
	}
}

// capReader fails once more than left bytes have been read.
type capReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.over = true
		return 0, ErrArchiveSize
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ruleEntryName returns the base name of an archive entry that is a rule file at
// the top of the archive or in one top folder, or "" for any other entry.
func ruleEntryName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\x00") {
		return ""
	}
	// Any ".." in the name rejects the entry, even where cleaning would make it
	// harmless: an archive that tries it is not the published rule set.
	for _, p := range strings.Split(name, "/") {
		if p == ".." {
			return ""
		}
	}
	parts := strings.Split(strings.TrimPrefix(path.Clean(name), "./"), "/")
	if len(parts) > 2 {
		return ""
	}
	base := parts[len(parts)-1]
	if hostFromFileName(base) == "" {
		return ""
	}
	return base
}

// writeAtomic writes data to name through a temporary file in the same folder.
func writeAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".rule-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
