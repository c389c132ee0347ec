package libgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/doc"
)

// version names the generator's rules; bump it when a change makes different libraries,
// so that cached ones are not reused. (Changes to libgen's source files, the schema's
// migrations and the text derivation are noticed without it: see cacheKey.)
const version = 1

// The environment variables FromEnv reads.
const (
	EnvArticles = "GLOSS_BENCH_N"    // articles in the benchmark library; unset: no library
	EnvSeed     = "GLOSS_BENCH_SEED" // its seed; unset: DefaultSeed
	EnvDir      = "GLOSS_BENCH_DIR"  // where generated libraries are kept; unset: CacheDir's default
)

// FromEnv returns the options of the benchmark library the environment asks for, with
// the shared corpus when there is one: GLOSS_BENCH_N articles, seed GLOSS_BENCH_SEED. ok
// is false when GLOSS_BENCH_N is unset or empty: benchmarks that need a large library skip
// then, so that an ordinary test run never generates one.
func FromEnv() (opt Options, ok bool, err error) {
	n := os.Getenv(EnvArticles)
	if n == "" {
		return Options{}, false, nil
	}
	if opt.Articles, err = strconv.Atoi(n); err != nil || opt.Articles <= 0 {
		return Options{}, false, fmt.Errorf("%s=%q: want a positive number of articles", EnvArticles, n)
	}
	if s := os.Getenv(EnvSeed); s != "" {
		if opt.Seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			return Options{}, false, fmt.Errorf("%s=%q: %w", EnvSeed, s, err)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		opt.Corpus = FindCorpus(wd)
	}
	return opt, true, nil
}

// CacheDir is where Cached keeps generated libraries: $GLOSS_BENCH_DIR, else gloss-bench
// in the system's temporary folder.
func CacheDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "gloss-bench")
}

// Cached returns the path of the library opt describes, in dir, generating it first if
// it is not there yet. Concurrent callers (go test runs the benchmarks of several
// packages at once) wait for one generation. The file name holds a key of everything the
// library is made from (options, corpus, generator, schema migrations, text derivation),
// so that a change to any of them makes a new library rather than reusing a stale one.
// The file is shared: never write to it, open a copy (OpenCopy).
func Cached(ctx context.Context, dir string, opt Options) (string, error) {
	opt = opt.withDefaults()
	key, err := cacheKey(opt)
	if err != nil {
		return "", fmt.Errorf("benchmark library: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("benchmark library: %w", err)
	}
	name := fmt.Sprintf("library-%d-%d-%s", opt.Articles, opt.Seed, key[:16])
	path := filepath.Join(dir, name+".db")
	unlock, err := lockFile(filepath.Join(dir, name+".lock"))
	if err != nil {
		return "", fmt.Errorf("benchmark library: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	partial := filepath.Join(dir, name+".partial.db")
	build := partial
	if mem := memoryDir(int64(opt.Articles)*bytesPerArticle + 64<<20); mem != "" {
		build = filepath.Join(mem, name+".partial.db")
	}
	err = func() error {
		defer removeLibrary(build)
		removeLibrary(partial) // left by a generation that was killed
		if _, err := Generate(ctx, build, opt); err != nil {
			return err
		}
		if build != partial {
			if err := Copy(build, partial); err != nil {
				return err
			}
		}
		return os.Rename(partial, path)
	}()
	if err != nil {
		removeLibrary(partial)
		return "", fmt.Errorf("benchmark library: %w", err)
	}
	pruneStale(dir, opt, path)
	return path, nil
}

// pruneStale deletes the libraries of the same size and seed that an earlier generator,
// schema or corpus made: no one will ask for them again, and each takes hundreds of
// megabytes.
func pruneStale(dir string, opt Options, keep string) {
	old, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("library-%d-%d-*.db", opt.Articles, opt.Seed)))
	if err != nil {
		return
	}
	for _, p := range old {
		if p != keep && !strings.HasSuffix(p, ".partial.db") {
			removeLibrary(p)
			_ = os.Remove(strings.TrimSuffix(p, ".db") + ".lock") // best effort, as above
		}
	}
}

// bytesPerArticle is about what an article takes in a generated library (353 MB for
// 10,002 articles with the shared corpus), to see whether a library fits in memory.
const bytesPerArticle = 40 << 10

// removeLibrary deletes a library file and its write-ahead log, if any.
func removeLibrary(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p) // best effort: nothing to do about a file that will not go
	}
}

// OpenCopy copies the cached library opt describes (see Cached; generated on first use
// into CacheDir) to dir and opens the copy with an annotation store. Closing the library
// is the caller's job.
func OpenCopy(ctx context.Context, dir string, opt Options) (*archive.Library, *annotate.Store, error) {
	src, err := Cached(ctx, CacheDir(), opt)
	if err != nil {
		return nil, nil, err
	}
	dst := filepath.Join(dir, "library.db")
	if err := Copy(src, dst); err != nil {
		return nil, nil, err
	}
	lib, err := archive.Open(dst)
	if err != nil {
		return nil, nil, err
	}
	store, err := annotate.NewStore(lib)
	if err != nil {
		_ = lib.Close() // the store's error is the one to report
		return nil, nil, err
	}
	return lib, store, nil
}

// smallArticles is the size of the library OpenBench opens when no large one is asked for.
const smallArticles = 20

// OpenBench opens, in dir, a copy of the library for a benchmark that needs only the
// Fixtures: the large library GLOSS_BENCH_N asks for when it is set (see FromEnv), else a
// small one, generated in a second on first use. It returns the options of the library
// opened.
func OpenBench(ctx context.Context, dir string) (*archive.Library, *annotate.Store, Options, error) {
	opt, ok, err := FromEnv()
	if err != nil {
		return nil, nil, Options{}, err
	}
	if !ok {
		opt = Options{Articles: smallArticles}
	}
	lib, store, err := OpenCopy(ctx, dir, opt)
	return lib, store, opt.withDefaults(), err
}

// Copy copies a closed library file (one without a write-ahead log) to dst, which must
// not exist.
func Copy(src, dst string) error {
	if _, err := os.Stat(src + "-wal"); err == nil {
		return fmt.Errorf("copy library %s: it is open (it has a write-ahead log)", src)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy library: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("copy library: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy error is the one to report
		return fmt.Errorf("copy library to %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy library to %s: %w", dst, err)
	}
	return nil
}

// cacheKey hashes everything a generated library depends on: the options, the corpus
// files, libgen's own source, the schema migrations of archive and annotate, and the
// version of the text derivation.
func cacheKey(opt Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "libgen %d\nn %d\nseed %d\ndoc %d\n", version, opt.Articles, opt.Seed, doc.Version)
	var files []string
	if opt.Corpus != "" {
		files = append(files, filepath.Join(opt.Corpus, "ground-truth.json"))
		html, err := filepath.Glob(filepath.Join(opt.Corpus, "html", "*.html.gz"))
		if err != nil {
			return "", err
		}
		files = append(files, html...)
	}
	if wd, err := os.Getwd(); err == nil {
		if root := moduleRoot(wd); root != "" {
			for _, pattern := range []string{"archive/migrations/*.sql", "annotate/migrations/*.sql", "annotate/libgen/*.go"} {
				m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
				if err != nil {
					return "", err
				}
				for _, f := range m {
					if !strings.HasSuffix(f, "_test.go") {
						files = append(files, f)
					}
				}
			}
		}
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleRoot returns the folder holding go.mod at or above dir, "" if none.
func moduleRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
