package importer

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// File is an export opened for reading: a file, an archive (Omnivore's .zip, or a zip
// of CSV parts as Pocket sends), or the folder of an unpacked Omnivore export.
type File struct {
	// Format is the format recognised from the content.
	Format Format
	name   string
	file   *os.File        // a plain file
	zip    *zip.ReadCloser // an archive
	fsys   fs.FS           // an Omnivore export, in an archive or a folder
	parts  []string        // members of fsys to read in order, for other formats in an archive
}

// Open opens an export and recognises its format from its content. Close it when done.
func Open(name string) (*File, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if st.IsDir() {
		fsys := os.DirFS(name)
		root, ok, err := omnivoreRoot(fsys)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		if !ok {
			return nil, fmt.Errorf("open %s: a folder with no Omnivore metadata_*.json files: %w", name, ErrUnknownFormat)
		}
		sub, err := fs.Sub(fsys, root)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return &File{Format: Omnivore, name: name, fsys: sub}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		_ = f.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	if strings.HasPrefix(string(head), string(zipMagic)) {
		_ = f.Close()
		return openZip(name)
	}
	format, err := Sniff(head, name)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &File{Format: format, name: name, file: f}, nil
}

// openZip opens an archive: Omnivore's export, or parts of one export in another format
// (Pocket's part_000000.csv…), all in the format of the first member Sniff recognises.
func openZip(name string) (*File, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	root, ok, err := omnivoreRoot(zr)
	if err != nil {
		_ = zr.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if ok {
		sub, err := fs.Sub(zr, root)
		if err != nil {
			_ = zr.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return &File{Format: Omnivore, name: name, zip: zr, fsys: sub}, nil
	}
	var names []string
	for _, m := range zr.File {
		if !m.FileInfo().IsDir() && !strings.HasPrefix(path.Base(m.Name), ".") && !strings.HasPrefix(m.Name, "__MACOSX/") {
			names = append(names, m.Name)
		}
	}
	sort.Strings(names)
	file := &File{name: name, zip: zr, fsys: zr}
	for _, n := range names {
		head, err := readHead(zr, n)
		if err != nil {
			_ = zr.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		format, err := Sniff(head, n)
		if err != nil {
			continue
		}
		if file.Format == "" {
			file.Format = format
		}
		if format == file.Format {
			file.parts = append(file.parts, n)
		}
	}
	if file.Format == "" || file.Format == Omnivore {
		_ = zr.Close()
		return nil, fmt.Errorf("%s: a zip archive holding no export Gloss can read: %w", name, ErrUnknownFormat)
	}
	return file, nil
}

func readHead(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return head[:n], nil
}

// omnivoreRoot finds the folder of fsys that holds Omnivore's metadata_*.json files:
// the root, or one folder down when the archive was packed with its folder.
func omnivoreRoot(fsys fs.FS) (string, bool, error) {
	for _, dir := range []string{".", "*"} {
		matches, err := fs.Glob(fsys, path.Join(dir, "metadata_*.json"))
		if err != nil {
			return "", false, err
		}
		if len(matches) > 0 {
			return path.Dir(matches[0]), true, nil
		}
	}
	return "", false, nil
}

// Name returns the name the file was opened with.
func (f *File) Name() string { return f.name }

// Each calls fn with every entry of the export, in the order of the file, and stops at
// the first error fn returns. It reads the file from the start each time it is called.
func (f *File) Each(fn func(Entry) error) error {
	fn, unwrap := passThrough(fn)
	var err error
	switch {
	case f.Format == Omnivore && f.fsys != nil:
		err = readOmnivoreFS(f.fsys, fn)
	case f.file != nil:
		if _, err = f.file.Seek(0, io.SeekStart); err == nil {
			err = read(bufio.NewReaderSize(f.file, 64<<10), f.Format, fn)
		}
	default:
		for _, p := range f.parts {
			if err = f.readPart(p, fn); err != nil {
				break
			}
		}
	}
	if err != nil {
		if cause, ok := unwrap(err); ok {
			return cause
		}
		return fmt.Errorf("%s: %w", f.name, err)
	}
	return nil
}

func (f *File) readPart(name string, fn func(Entry) error) error {
	m, err := f.fsys.Open(name)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := read(bufio.NewReaderSize(m, 64<<10), f.Format, fn); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Close closes the file.
func (f *File) Close() error {
	switch {
	case f.file != nil:
		return f.file.Close()
	case f.zip != nil:
		return f.zip.Close()
	}
	return nil
}

// Read reads an export of format from r and calls fn with each entry, stopping at the
// first error fn returns. An Omnivore export read this way is one metadata JSON file,
// without its highlights (they are separate files of the archive: use Open).
func Read(r io.Reader, format Format, fn func(Entry) error) error {
	fn, unwrap := passThrough(fn)
	if err := read(r, format, fn); err != nil {
		if cause, ok := unwrap(err); ok {
			return cause
		}
		return err
	}
	return nil
}

// read is Read without unwrapping the callback's errors.
func read(r io.Reader, format Format, fn func(Entry) error) error {
	var err error
	switch format {
	case PocketHTML:
		err = readPocketHTML(r, fn)
	case PocketCSV:
		err = readPocketCSV(r, fn)
	case Instapaper:
		err = readInstapaper(r, fn)
	case Omnivore:
		err = readOmnivoreJSON(r, nil, fn)
	case Wallabag:
		err = readWallabag(r, fn)
	case Readwise:
		err = readReadwise(r, fn)
	case Hypothesis:
		err = readHypothesis(r, fn)
	case Bookmarks:
		err = readBookmarks(r, fn)
	case URLList:
		err = readURLList(r, fn)
	default:
		return fmt.Errorf("format %q: %w", format, ErrUnknownFormat)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", format.Name(), err)
	}
	return nil
}

// callbackError carries an error of the caller's callback through a reader, so that it
// comes back as it was, not described as a fault of the file.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// passThrough wraps fn so that its errors are marked as the caller's, and returns a
// function that recognises them.
func passThrough(fn func(Entry) error) (func(Entry) error, func(error) (error, bool)) {
	wrapped := func(e Entry) error {
		if err := fn(e); err != nil {
			return &callbackError{err}
		}
		return nil
	}
	unwrap := func(err error) (error, bool) {
		var ce *callbackError
		if errors.As(err, &ce) {
			return ce.err, true
		}
		return nil, false
	}
	return wrapped, unwrap
}
