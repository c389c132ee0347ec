package annotate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gloss/archive"
	"gloss/archive/durability"
)

// annotationDigests returns a digest of the rows of each of annotate's summed tables, as
// the driver reads them back (types included), whatever their order.
func annotationDigests(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range sumTables {
		var rows []string
		err := t.scan(ctx, tx, `1`, nil, func(r storedRow) error {
			var b strings.Builder
			for _, v := range append(r.vals, r.sum) {
				fmt.Fprintf(&b, "%T:%x;", v, v)
			}
			rows = append(rows, b.String())
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		slices.Sort(rows)
		out[t.name] = fmt.Sprintf("%d rows %x", len(rows), sha256.Sum256([]byte(strings.Join(rows, "\n"))))
	}
	return out, nil
}

// annotationSample makes a library whose last transactions are still in its write-ahead
// log, as after a crash, with every kind of annotation in both the main file and the log,
// and copies its files to dir as sample.db, sample.db-wal and sample.db-shm. It returns
// the digests of annotate's tables.
func annotationSample(t *testing.T, dir string) map[string]string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	r := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields(mothsV1)
	prose := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	annotate := func(st *Store, articleID int64, n int) {
		t.Helper()
		text := mothsV1
		for range n {
			start := r.IntN(len(text) - 40)
			for !isBoundary(text, start) {
				start++
			}
			end := start + 10 + r.IntN(25)
			for !isBoundary(text, end) {
				end++
			}
			nh := NewHighlight{Start: start, End: end, Color: Colors[r.IntN(len(Colors))], Note: prose(r.IntN(40))}
			if r.IntN(2) == 0 {
				nh.Tags = []string{prose(1), prose(1)}
			}
			if r.IntN(3) == 0 {
				nh.Claim = &Claim{Claimant: prose(2), Status: ClaimStatuses[r.IntN(len(ClaimStatuses))], Verdict: prose(15),
					Links: []string{"https://example.org/" + words[r.IntN(len(words))]}}
			}
			h, err := st.Highlight(ctx, articleID, nh)
			if err != nil {
				t.Fatal(err)
			}
			if r.IntN(6) == 0 {
				if err := st.Delete(ctx, h.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, err := range []error{
			st.AddTags(ctx, ArticleRef(articleID), prose(1), prose(1)),
			st.SetArticleNote(ctx, articleID, prose(30)),
			st.SetFavourite(ctx, articleID, r.IntN(2) == 0),
			st.SetProgress(ctx, articleID, Progress{Fraction: r.Float64(), Offset: r.IntN(len(text))}),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	open := func() (*archive.Library, *Store) {
		lib, err := archive.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := NewStore(lib)
		if err != nil {
			t.Fatal(err)
		}
		return lib, st
	}
	lib, st := open()
	for i := range 4 {
		aid, _, err := lib.AddCapture(ctx, fmt.Sprintf("https://example.org/moths-%d", i), archive.Capture{Title: "Moths", Text: mothsV1})
		if err != nil {
			t.Fatal(err)
		}
		annotate(st, aid, 12)
	}
	if err := st.SetMeaning(ctx, "pink", "wrong"); err != nil {
		t.Fatal(err)
	}
	// Closing checkpoints the log into the main file; what follows stays in the log.
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	lib, st = open()
	defer lib.Close()
	// A little in the log, so that most of annotate's pages are read from the main file.
	aid, _, err := lib.AddCapture(ctx, "https://example.org/moths-late", archive.Capture{Title: "Moths", Text: mothsV1})
	if err != nil {
		t.Fatal(err)
	}
	annotate(st, aid, 3)
	if err := st.SetNote(ctx, ArticleRef(1), prose(20)); err != nil {
		t.Fatal(err)
	}
	files, err := durability.ReadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Write(filepath.Join(dir, "sample.db")); err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	err = lib.Read(ctx, func(tx *sql.Tx) error {
		var err error
		want, err = annotationDigests(ctx, tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// annotatePages returns the numbers of the pages that hold annotate's summed tables and
// their indexes in the library whose files are dir/sample.db, -wal and -shm, as they are
// once the log is checkpointed (page numbers do not change in a checkpoint). It walks the
// b-trees from their root pages; overflow pages are not followed (the sample's rows are
// far smaller than a page).
func annotatePages(t *testing.T, dir string) map[uint32]bool {
	t.Helper()
	tmp := t.TempDir()
	files, err := durability.ReadFiles(filepath.Join(dir, "sample.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Write(filepath.Join(tmp, "copy.db")); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(tmp, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var names []any
	var marks []string
	for _, tb := range sumTables {
		names = append(names, tb.name)
		marks = append(marks, "?")
	}
	rows, err := db.Query(`SELECT rootpage FROM sqlite_schema WHERE rootpage > 0 AND tbl_name IN (`+strings.Join(marks, ", ")+`)`, names...)
	if err != nil {
		t.Fatal(err)
	}
	var roots []uint32
	for rows.Next() {
		var r uint32
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(filepath.Join(tmp, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.BigEndian.Uint16(img[16:18]))
	pages := map[uint32]bool{}
	var walk func(pg uint32)
	walk = func(pg uint32) {
		if pages[pg] || pg == 0 || int(pg)*ps > len(img) {
			return
		}
		pages[pg] = true
		off := int(pg-1) * ps
		hdr := off
		if pg == 1 {
			hdr += 100
		}
		if typ := img[hdr]; typ == 0x05 || typ == 0x02 { // interior pages
			n := int(binary.BigEndian.Uint16(img[hdr+3:]))
			for i := range n {
				cell := off + int(binary.BigEndian.Uint16(img[hdr+12+2*i:]))
				walk(binary.BigEndian.Uint32(img[cell:]))
			}
			walk(binary.BigEndian.Uint32(img[hdr+8:]))
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return pages
}

// isBoundary reports whether i is a byte offset at a character boundary of s.
func isBoundary(s string, i int) bool {
	return i >= len(s) || s[i]&0xC0 != 0x80
}

// damageOutcome is what became of one damaged copy.
type damageOutcome int

const (
	refusedByArchive damageOutcome = iota // archive.Open returned a *archive.CorruptError
	refusedByStore                        // NewStore returned a *archive.CorruptError
	failedLoudly                          // Open or NewStore failed with another error
	unharmed                              // opened, and every row of annotate's tables reads back equal
	silentlyWrong                         // opened, and some row reads back different
)

func (o damageOutcome) String() string {
	return [...]string{"refused by archive.Open", "refused by NewStore", "failed with another error", "harmless", "silently wrong"}[o]
}

// TestOpenRefusesAnnotationDamage damages copies of an annotated library left as by a
// crash, one byte each (the header, any page of the main file, the write-ahead log), and
// opens them with archive.Open and NewStore: each must be refused with a
// *archive.CorruptError, or open with every row of annotate's tables reading back equal.
// None may open with an annotation silently different. 200 copies; 2,000 under
// GLOSS_STRESS=1.
func TestOpenRefusesAnnotationDamage(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	want := annotationSample(t, src)
	sample, err := durability.ReadFiles(filepath.Join(src, "sample.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, wal := sample.DB, sample.WAL
	if !archive.FullCheckAtOpen(int64(len(db))) {
		t.Fatalf("the sample is %d bytes, too large to be checked in full at open", len(db))
	}
	// Most flips go to the pages that hold annotate's tables: in the main file those the
	// log holds no later copy of, and the log's frames of them; the others anywhere.
	ps := int(binary.BigEndian.Uint16(db[16:18]))
	var dbPages []int   // offsets of the bytes in use of annotate's pages in the main file
	var walFrames []int // offsets of the log's frames of annotate's pages
	pages := annotatePages(t, src)
	inLog := map[uint32]bool{}
	for off := 32; off+24+ps <= len(wal); off += 24 + ps {
		pg := binary.BigEndian.Uint32(wal[off:])
		inLog[pg] = true
		if pages[pg] {
			walFrames = append(walFrames, off)
		}
	}
	for pg := range pages {
		if int(pg)*ps > len(db) || inLog[pg] {
			continue
		}
		// The bytes of the page in use: its header and cell pointers, and its cells (the
		// gap between them is free space, where a flip changes nothing).
		off := int(pg-1) * ps
		hdr, n := 8, int(binary.BigEndian.Uint16(db[off+3:]))
		if typ := db[off]; typ == 0x02 || typ == 0x05 {
			hdr = 12
		}
		content := int(binary.BigEndian.Uint16(db[off+5:]))
		if content == 0 {
			content = 65536
		}
		for i := range hdr + 2*n {
			dbPages = append(dbPages, off+i)
		}
		for i := content; i < ps; i++ {
			dbPages = append(dbPages, off+i)
		}
	}
	if len(dbPages) == 0 || len(walFrames) == 0 {
		t.Fatalf("annotate's tables hold %d pages of the main file and %d frames of the log, want some of each", len(dbPages), len(walFrames))
	}
	t.Logf("sample: %d bytes (%d in use on annotate's pages), log %d bytes (%d of %d frames annotate's)",
		len(db), len(dbPages), len(wal), len(walFrames), (len(wal)-32)/(24+ps))
	type flip struct {
		region string // header, page, annotations page, log or annotations log
		off    int
		xor    byte
	}
	r := rand.New(rand.NewPCG(9, 10))
	flips := make([]flip, durability.N(200, 2000))
	for i := range flips {
		switch r.IntN(8) {
		case 0:
			flips[i] = flip{"header", r.IntN(100), 0}
		case 1, 2:
			flips[i] = flip{"page", 100 + r.IntN(len(db)-100), 0}
		case 3, 4, 5:
			flips[i] = flip{"annotations page", dbPages[r.IntN(len(dbPages))], 0}
		case 6:
			flips[i] = flip{"log", r.IntN(len(wal)), 0}
		default:
			flips[i] = flip{"annotations log", walFrames[r.IntN(len(walFrames))] + 24 + r.IntN(ps), 0}
		}
		flips[i].xor = byte(1 + r.IntN(255))
	}
	type result struct {
		outcome damageOutcome
		detail  string
		err     error // the copy could not be made
	}
	results := make([]result, len(flips))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		dir := t.TempDir()
		wg.Go(func() {
			path := filepath.Join(dir, "library.db")
			for i := range next {
				f := flips[i]
				d, w := slices.Clone(db), slices.Clone(wal)
				if strings.HasSuffix(f.region, "log") {
					w[f.off] ^= f.xor
				} else {
					d[f.off] ^= f.xor
				}
				res := &results[i]
				if res.err = (durability.Files{DB: d, WAL: w, SHM: sample.SHM}).Write(path); res.err == nil {
					res.outcome, res.detail = openDamagedAnnotations(ctx, path, want)
				}
			}
		})
	}
	for i := range flips {
		next <- i
	}
	close(next)
	wg.Wait()

	counts := map[string]map[damageOutcome]int{}
	total := map[damageOutcome]int{}
	for i, res := range results {
		f := flips[i]
		if res.err != nil {
			t.Fatalf("copy %d: %v", i, res.err)
		}
		if counts[f.region] == nil {
			counts[f.region] = map[damageOutcome]int{}
		}
		counts[f.region][res.outcome]++
		total[res.outcome]++
		switch res.outcome {
		case silentlyWrong:
			t.Errorf("copy %d (%s byte %d ^ %#x): opened with annotations silently different: %s", i, f.region, f.off, f.xor, res.detail)
		case failedLoudly:
			t.Logf("copy %d (%s byte %d ^ %#x): %s", i, f.region, f.off, f.xor, res.detail)
		}
	}
	for _, region := range []string{"header", "page", "annotations page", "log", "annotations log"} {
		t.Logf("%-16s %v", region, counts[region])
	}
	t.Logf("%-16s %v (%d copies)", "all", total, len(flips))
}

// openDamagedAnnotations opens the damaged library at path as Gloss does and says what
// became of it, with a detail.
func openDamagedAnnotations(ctx context.Context, path string, want map[string]string) (damageOutcome, string) {
	var ce *archive.CorruptError
	lib, err := archive.Open(path)
	if errors.As(err, &ce) {
		return refusedByArchive, ce.Detail
	}
	if err != nil {
		return failedLoudly, "archive.Open: " + err.Error()
	}
	defer lib.Close()
	if _, err := NewStore(lib); errors.As(err, &ce) {
		return refusedByStore, ce.Detail
	} else if err != nil {
		return failedLoudly, "NewStore: " + err.Error()
	}
	var got map[string]string
	err = lib.Read(ctx, func(tx *sql.Tx) error {
		var err error
		got, err = annotationDigests(ctx, tx)
		return err
	})
	if err != nil {
		return failedLoudly, "read: " + err.Error()
	}
	var differ []string
	for name, w := range want {
		if got[name] != w {
			differ = append(differ, name)
		}
	}
	if len(differ) > 0 {
		slices.Sort(differ)
		return silentlyWrong, strings.Join(differ, ", ")
	}
	return unharmed, ""
}

// TestDamagedCaptureRefused: a highlight is never anchored in, nor exported against, a
// capture whose text is no longer what was saved.
func TestDamagedCaptureRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, cid := f.capture(t, mothsURL, mothsV1)
	if _, err := f.store.Highlight(ctx, aid, NewHighlight{Quote: "outnumber butterflies"}); err != nil {
		t.Fatal(err)
	}
	err := f.lib.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE captures SET text = replace(text, 'butterflies', 'butterfliez') WHERE id = ?`, cid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Highlight(ctx, aid, NewHighlight{Quote: "butterfliez"}); !errors.Is(err, archive.ErrDamaged) {
		t.Errorf("Highlight on a damaged capture: err = %v, want archive.ErrDamaged", err)
	}
	if _, err := f.store.ExportW3C(ctx, aid); !errors.Is(err, archive.ErrDamaged) {
		t.Errorf("ExportW3C of a damaged capture: err = %v, want archive.ErrDamaged", err)
	}
}
