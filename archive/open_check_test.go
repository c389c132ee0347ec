package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gloss/archive/durability"
	"gloss/archive/images"
)

// fillLibrary adds articles to l until its file holds about size bytes: each
// has 4,000 words of text (with its cleaned HTML and gzipped raw page) and a
// 100 KB image, roughly what a saved long read weighs.
func fillLibrary(tb testing.TB, l *Library, size int64, seed uint64) {
	tb.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 7))
	for n := 0; ; {
		st, err := os.Stat(l.Path())
		if err != nil {
			tb.Fatal(err)
		}
		wal, _ := os.Stat(l.Path() + "-wal")
		if st.Size()+walSize(wal) >= size {
			return
		}
		err = l.Write(ctx, func(tx *sql.Tx) error {
			for range 20 {
				text := generateText(r, 4000)
				c := Capture{Title: generateText(r, 6), Text: text, CleanedHTML: "<p>" + text + "</p>", RawHTML: []byte("<html>" + text)}
				raw, err := compress(c.RawHTML)
				if err != nil {
					return err
				}
				_, cid, err := l.addCapture(ctx, tx, fmt.Sprintf("text:fill-%d-%d", seed, n), c, raw)
				if err != nil {
					return err
				}
				data := make([]byte, 100<<10)
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				sum := sha256.Sum256(data)
				im := images.Image{Hash: fmt.Sprintf("%x", sum), MIME: "image/png", Width: 100, Height: 100, Data: data, URL: "https://example.com/i.png"}
				if err := insertImages(ctx, tx, cid, []images.Image{im}, nil); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func walSize(fi os.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}

// BenchmarkOpenCheck measures the check Open runs, at each depth, on
// libraries of several sizes (file in the page cache). It sets the limits
// fullCheckBelow.
func BenchmarkOpenCheck(b *testing.B) {
	for _, mb := range []int64{16, 64, 256} {
		path := filepath.Join(b.TempDir(), "library.db")
		l, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		fillLibrary(b, l, mb<<20, uint64(mb))
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		for _, level := range []checkLevel{checkFull, checkQuick, checkSchema} {
			b.Run(fmt.Sprintf("%dMB/%s", mb, []string{"schema", "quick", "full"}[level]), func(b *testing.B) {
				for b.Loop() {
					if d, err := checkDB(context.Background(), path, level); err != nil || d != "" {
						b.Fatalf("checkDB = %q, %v", d, err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(mb), "ms/MB")
			})
		}
		b.Run(fmt.Sprintf("%dMB/Open", mb), func(b *testing.B) {
			for b.Loop() {
				l, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// columnDigests returns a digest of every column of every table in db (the
// schema included), by "table.column".
func columnDigests(ctx context.Context, db queryContexter) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range append(names, "sqlite_schema") {
		if err := digestTable(ctx, db, name, out); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return out, nil
}

func digestTable(ctx context.Context, db queryContexter, name string, out map[string]string) error {
	rs, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`"`)
	if err != nil {
		return err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	hs := make([]hash.Hash, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
		hs[i] = sha256.New()
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok && name == "captures" && cols[i] == "raw_html" {
				// What the app reads: gzip's header has bytes (a time, the
				// system) that its checksum leaves out and no reader uses.
				if raw, err := decompress(b); err == nil {
					v = raw
				}
			}
			fmt.Fprintf(hs[i], "%T:%x\n", v, v)
		}
	}
	if err := rs.Err(); err != nil {
		return err
	}
	for i, c := range cols {
		out[name+"."+c] = fmt.Sprintf("%x", hs[i].Sum(nil))
	}
	return nil
}

// damagedSample makes a library whose last transactions are still in its
// write-ahead log, as after a crash, and copies its files to dir as
// sample.db, sample.db-wal and sample.db-shm (the log's index in shared
// memory). It returns the digests of its tables.
func damagedSample(t testing.TB, dir string) map[string]string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// The writer is the only connection that checkpoints.
	if _, err := l.w.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 12 {
		c, imgs := bigCapture(r, 50+r.IntN(1200), 6)
		if _, _, err := l.AddCaptureWithImages(ctx, fmt.Sprintf("text:sample-%d", i%9), c, imgs[:r.IntN(2)], nil); err != nil {
			t.Fatal(err)
		}
		if err := l.SetSetting(ctx, fmt.Sprintf("k%d", i), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		if i == 5 { // the first half in the main file, the rest only in the log
			if _, err := l.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := durability.ReadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Write(filepath.Join(dir, "sample.db")); err != nil {
		t.Fatal(err)
	}
	want, err := columnDigests(ctx, l.r)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// flipOutcome is what became of one damaged copy.
type flipOutcome int

const (
	refusedAtOpen flipOutcome = iota // Open returned a *CorruptError
	harmless                         // opened, Check is clean and every row reads back equal
	failedRead                       // opened and Check is clean, but reading failed with an error
	silentlyWrong                    // opened and Check is clean, but some row reads back different
)

func (o flipOutcome) String() string {
	return [...]string{"refused at open", "harmless", "read failed", "silently wrong"}[o]
}

// TestOpenRefusesDamage damages copies of a library left as by a crash, one
// byte each (the header, any page of the main file, the write-ahead log)
// and opens them: each must either be refused with a *CorruptError matching
// ErrCorrupt, or open with Check clean and every row of every table reading
// back equal, except where a value has no checksum or second copy to be
// checked against (the archive's settings, rules and import queue, the
// migrations' times: see protected, which lists what must never read back
// wrong). 200 copies; 2,000 under GLOSS_STRESS=1.
func TestOpenRefusesDamage(t *testing.T) {
	ctx := context.Background()
	// No other process writes these logs, so a finding needs no second look.
	defer func(d time.Duration) { walRecheckDelay = d }(walRecheckDelay)
	walRecheckDelay = 0
	src := t.TempDir()
	want := damagedSample(t, src)
	sample, err := durability.ReadFiles(filepath.Join(src, "sample.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, wal := sample.DB, sample.WAL
	wantIndex, err := mergedIndexDigest(ctx, filepath.Join(src, "sample.db"))
	if err != nil {
		t.Fatal(err)
	}

	type flip struct {
		region string // header, page or log
		off    int
		xor    byte
	}
	r := rand.New(rand.NewPCG(7, 8))
	flips := make([]flip, durability.N(200, 2000))
	for i := range flips {
		switch r.IntN(4) {
		case 0:
			flips[i] = flip{"header", r.IntN(100), 0}
		case 1:
			flips[i] = flip{"log", r.IntN(len(wal)), 0}
		default:
			flips[i] = flip{"page", r.IntN(len(db)), 0}
		}
		flips[i].xor = byte(1 + r.IntN(255))
	}
	type result struct {
		outcome flipOutcome
		detail  string
		differ  []string
		err     error
	}
	results := make([]result, len(flips))
	// The copies are independent; most of the time goes in fsync, so they
	// run a few at a time.
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		dir := t.TempDir()
		wg.Go(func() {
			path := filepath.Join(dir, "library.db")
			for i := range next {
				f := flips[i]
				d, w := append([]byte(nil), db...), append([]byte(nil), wal...)
				if f.region == "log" {
					w[f.off] ^= f.xor
				} else {
					d[f.off] ^= f.xor
				}
				res := &results[i]
				if res.err = (durability.Files{DB: d, WAL: w, SHM: sample.SHM}).Write(path); res.err != nil {
					continue
				}
				res.outcome, res.detail, res.differ, res.err = openDamaged(ctx, path, want, wantIndex)
			}
		})
	}
	for i := range flips {
		next <- i
	}
	close(next)
	wg.Wait()

	counts := map[string]map[flipOutcome]int{}
	silent := map[string]int{}
	superseded := 0
	for i, res := range results {
		f := flips[i]
		if res.err != nil {
			t.Fatalf("copy %d (%s byte %d ^ %#x): %v", i, f.region, f.off, f.xor, res.err)
		}
		if counts[f.region] == nil {
			counts[f.region] = map[flipOutcome]int{}
		}
		counts[f.region][res.outcome]++
		if res.detail == supersededOnly {
			superseded++
		}
		if res.outcome != silentlyWrong {
			continue
		}
		for _, c := range res.differ {
			silent[c]++
			if protected[c] {
				t.Errorf("copy %d (%s byte %d ^ %#x): %s reads back different, without an error", i, f.region, f.off, f.xor, c)
			}
		}
		if f.region != "page" {
			t.Errorf("copy %d (%s byte %d ^ %#x): opened with different content %q", i, f.region, f.off, f.xor, res.differ)
		}
	}
	for _, region := range []string{"header", "page", "log"} {
		t.Logf("%-6s %v", region, counts[region])
	}
	t.Logf("harmless only because the damage is in superseded search index entries: %d", superseded)
	t.Logf("silently different (no checksum or second copy to check against): %v", silent)
}

// protected lists the columns whose damage Open must catch: their content
// is checked against a checksum or a second copy. contentProblems checks the
// captures' sums, the images' hashes and the search index's copy of the
// text; consistencyChecks and foreign keys the articles; schemaProblems the
// archive's schema entries and the records of its migrations (but not
// applied_at: a time changed into another well-formed time in order cannot
// be told); integrity_check the search index's own structure (see
// openDamaged for its superseded entries).
var protected = map[string]bool{
	"images.hash": true, "images.bytes": true, "capture_images.hash": true,
	"articles.title": true, "articles.byline": true, "articles.site_name": true,
	"articles.word_count": true, "articles.published_at": true, "articles.current_capture_id": true,
	"article_fts_content.c0": true, "article_fts_content.c1": true,
	"article_fts_content.c2": true, "article_fts_content.c3": true,
	"article_fts_data.block": true,
	"sqlite_schema.type":     true, "sqlite_schema.name": true, "sqlite_schema.tbl_name": true, "sqlite_schema.sql": true,
	"captures.id": true, "captures.sum": true, "captures.article_id": true, "captures.requested_url": true,
	"captures.final_url": true, "captures.fetched_at": true, "captures.http_status": true,
	"captures.content_type": true, "captures.raw_html": true, "captures.raw_charset": true,
	"captures.cleaned_html": true, "captures.text": true, "captures.title": true, "captures.byline": true,
	"captures.site_name": true, "captures.published_at": true, "captures.lang": true,
	"captures.excerpt": true, "captures.lead_image_url": true, "captures.word_count": true,
	"captures.created_at": true, "captures.removed": true, "captures.restored": true, "captures.stripped": true,
	"schema_migrations.owner": true, "schema_migrations.version": true, "schema_migrations.name": true,
}

// mergedIndexDigest returns a digest of the search index of the library at
// path (with its write-ahead log) once merged into one segment, which drops
// the entries that later writes superseded: what every query reads. It works
// on a copy.
func mergedIndexDigest(ctx context.Context, path string) (string, error) {
	tmp, err := os.MkdirTemp("", "merged-index")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cp := filepath.Join(tmp, "library.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(cp+suffix, b, 0o600); err != nil {
			return "", err
		}
	}
	db, err := sql.Open("sqlite3", cp)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO article_fts(article_fts) VALUES ('optimize')`); err != nil {
		return "", err
	}
	out := map[string]string{}
	if err := digestTable(ctx, db, "article_fts_data", out); err != nil {
		return "", err
	}
	return out["article_fts_data.block"], db.Close()
}

// lastTransactionStart returns the offset in a write-ahead log of the first
// frame of its last transaction, the only one a torn write can explain.
func lastTransactionStart(t *testing.T, wal []byte, pageSize int) int {
	t.Helper()
	frame := 24 + pageSize
	var commits []int
	for off := 32; off+frame <= len(wal); off += frame {
		if binary.BigEndian.Uint32(wal[off+4:]) != 0 {
			commits = append(commits, off)
		}
	}
	if len(commits) < 3 {
		t.Fatalf("the sample log holds %d transactions, want several", len(commits))
	}
	return commits[len(commits)-2] + frame
}

// supersededOnly is openDamaged's detail for a copy that differs only in
// search index entries no query reads.
const supersededOnly = "damage only in superseded search index entries"

// openDamaged opens the damaged library at path and says what became of it.
// An error means Open or Check broke the contract: a damaged file must be
// refused with a *CorruptError, and an opened one must pass Check.
//
// The search index keeps entries that later writes superseded until a merge
// drops them; no query reads them and FTS5's integrity check does not look
// at them, so damage there is harmless. wantIndex is the original's
// mergedIndexDigest: a damaged copy whose merged index equals it reads back
// the same.
func openDamaged(ctx context.Context, path string, want map[string]string, wantIndex string) (flipOutcome, string, []string, error) {
	l, err := Open(path)
	if err != nil {
		var ce *CorruptError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
			return 0, "", nil, fmt.Errorf("Open error %w, want a *CorruptError", err)
		}
		return refusedAtOpen, ce.Detail, nil, nil
	}
	defer l.Close()
	problems, err := l.Check(ctx)
	if err != nil || len(problems) > 0 {
		return 0, "", nil, fmt.Errorf("Open succeeded but Check() = %q, %v", problems, err)
	}
	var got map[string]string
	err = l.Read(ctx, func(tx *sql.Tx) error {
		var err error
		got, err = columnDigests(ctx, tx)
		return err
	})
	if err != nil {
		return failedRead, err.Error(), nil, nil
	}
	var differ []string
	detail := ""
	for name, w := range want {
		if got[name] == w {
			continue
		}
		if name == "article_fts_data.block" {
			merged, err := mergedIndexDigest(ctx, path)
			if err != nil {
				return 0, "", nil, fmt.Errorf("merge the search index: %w", err)
			}
			if merged == wantIndex {
				detail = supersededOnly
				continue
			}
		}
		differ = append(differ, name)
	}
	if len(differ) > 0 {
		return silentlyWrong, "", differ, nil
	}
	return harmless, detail, nil, nil
}

// TestCheckWAL damages a real write-ahead log at chosen places and checks
// checkWAL's verdict on each.
func TestCheckWAL(t *testing.T) {
	src := t.TempDir()
	damagedSample(t, src)
	db, err := os.ReadFile(filepath.Join(src, "sample.db"))
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(filepath.Join(src, "sample.db-wal"))
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.BigEndian.Uint16(db[16:18]))
	frame := 24 + ps
	last := lastTransactionStart(t, wal, ps)
	nFrames := (len(wal) - 32) / frame
	idx := readWALIndex(filepath.Join(src, "sample.db-shm"))
	if idx == nil || int(idx.frames) != nFrames {
		t.Fatalf("index %+v, want one counting the log's %d frames", idx, nFrames)
	}
	tests := []struct {
		name    string
		off     int // byte to flip; -1: none
		trunc   int // bytes to cut from the end
		idx     *walIndex
		damaged bool
	}{
		{"intact", -1, 0, nil, false},
		{"magic", 0, 0, nil, true},
		{"version", 5, 0, nil, true},
		{"page size", 10, 0, nil, true},
		{"header salt", 17, 0, nil, true},
		{"header checksum", 26, 0, nil, true},
		{"first frame's page number", 32 + 2, 0, nil, true},
		{"first frame's data", 32 + 24 + 100, 0, nil, true},
		{"first frame's salt", 32 + 9, 0, nil, true},
		{"first frame's checksum", 32 + 18, 0, nil, true},
		{"a middle frame's data", 32 + nFrames/2*frame + 24 + 7, 0, nil, true},
		{"the last transaction's data", last + 24 + 9, 0, nil, false},
		{"the last frame's checksum", 32 + (nFrames-1)*frame + 20, 0, nil, false},
		{"torn last frame", -1, frame / 2, nil, false},
		{"empty", -1, len(wal), nil, false},
		{"header only", -1, len(wal) - 32, nil, false},
		{"intact, with the index", -1, 0, idx, false},
		{"the last transaction's data, with the index", last + 24 + 9, 0, idx, true},
		{"the last frame's checksum, with the index", 32 + (nFrames-1)*frame + 20, 0, idx, true},
		{"torn last frame, with the index", -1, frame / 2, idx, true},
		{"index of another log", last + 24 + 9, 0, &walIndex{frames: idx.frames, salt: [8]byte{1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := append([]byte(nil), wal[:len(wal)-tt.trunc]...)
			if tt.off >= 0 {
				w[tt.off] ^= 0x41
			}
			got, err := checkWAL(bytes.NewReader(w), ps, tt.idx)
			if err != nil {
				t.Fatal(err)
			}
			if (got != "") != tt.damaged {
				t.Errorf("checkWAL = %q, want damaged %v", got, tt.damaged)
			}
		})
	}
}

// FuzzCheckWAL feeds checkWAL damaged logs: it must never panic or fail to
// read one held in memory, and must find nothing wrong with the log as
// SQLite wrote it.
func FuzzCheckWAL(f *testing.F) {
	src := f.TempDir()
	damagedSample(f, src)
	wal, err := os.ReadFile(filepath.Join(src, "sample.db-wal"))
	if err != nil {
		f.Fatal(err)
	}
	if d, err := checkWAL(bytes.NewReader(wal), 4096, nil); d != "" || err != nil {
		f.Fatalf("checkWAL(intact log) = %q, %v", d, err)
	}
	f.Add(wal[:min(len(wal), 32+2*(24+4096))], 4096, uint32(0))
	f.Add(wal[:32], 4096, uint32(3))
	f.Add([]byte{}, 512, uint32(0))
	f.Fuzz(func(t *testing.T, log []byte, pageSize int, frames uint32) {
		var idx *walIndex
		if len(log) >= 24 && frames > 0 {
			idx = &walIndex{frames: frames, salt: [8]byte(log[16:24])}
		}
		if _, err := checkWAL(bytes.NewReader(log), pageSize, idx); err != nil {
			t.Fatalf("checkWAL error on a log in memory: %v", err)
		}
	})
}

// FuzzCheckHeader feeds checkHeader arbitrary file starts: it must never
// panic, and a header it accepts must give a page size SQLite allows.
func FuzzCheckHeader(f *testing.F) {
	path := filepath.Join(f.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		f.Fatal(err)
	}
	if err := l.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b[:100])
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte("these are my notes, not a library"))
	f.Fuzz(func(t *testing.T, h []byte) {
		ps, d := checkHeader(h)
		if d == "" && (ps < 512 || ps > 65536 || ps&(ps-1) != 0) {
			t.Errorf("checkHeader accepted page size %d", ps)
		}
	})
}
