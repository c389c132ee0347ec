package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ErrCorrupt matches (errors.Is) the error Open returns for a library file
// that is damaged, or is not a library at all. The error is a *CorruptError.
var ErrCorrupt = errors.New("the library file is damaged")

// CorruptError reports a library file that Open refused because it is
// damaged. Open changes nothing in such a file; RestoreBackup puts a backup
// in its place and keeps the damaged file beside it.
type CorruptError struct {
	Path    string   // the library file
	Detail  string   // what is wrong, as found by the check
	Backups []string // backups that passed an integrity check, newest first
}

// Error returns the sentence to show the user.
func (e *CorruptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the library %s is damaged or is not a Gloss library (%s); Gloss did not open it and changed nothing in it", e.Path, e.Detail)
	if len(e.Backups) == 0 {
		b.WriteString("; no good backup was found")
	} else {
		fmt.Fprintf(&b, "; the newest good backup is %s", e.Backups[0])
	}
	return b.String()
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// How deeply Open checks a library depends on its size, since every check
// reads every page. Under fullCheckBelow it runs checkFull
// (foreign_key_check is left to Check: every foreign key column of the
// archive is indexed, so integrity_check sees a damaged one), which also
// hashes every image and every capture: 2.7 to 3 ms per MB with the file in
// the page cache (BenchmarkOpenCheck on the development machine: Open takes
// 46 ms at 16 MB, 173 ms at 64 MB; checking the captures' sums costs about
// what the gzip check of their raw pages it replaced did). Under quickCheckBelow it runs quick_check, about
// 1 ms per MB (260 ms at 256 MB), which finds damage to the structure but
// not an indexed value changed in place. Above, Open reads only the
// schema, and a larger library is read end to end once a day instead, by
// RollingBackup (VACUUM INTO reads every row, and the copy is
// integrity-checked), and by Check when asked. The header and
// write-ahead-log checks cost almost nothing and always run.
const (
	fullCheckBelow  = 64 << 20
	quickCheckBelow = 256 << 20
)

// checkOpen looks for damage in the library file at path before anything
// opens it for writing, and returns a *CorruptError if it finds any. It never
// changes the file. A missing or empty file is a new library.
func checkOpen(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open library %s: %w", path, err)
	}
	detail, err := inspect(context.Background(), path, st.Size())
	if err != nil {
		return fmt.Errorf("open library %s: check: %w", path, err)
	}
	if detail == "" {
		return nil
	}
	return &CorruptError{Path: path, Detail: detail, Backups: GoodBackups(context.Background(), BackupDir(path))}
}

// inspect returns what is wrong with the library file at path, or "" if
// nothing is. An error means the check itself could not run.
func inspect(ctx context.Context, path string, size int64) (string, error) {
	h, err := readHeader(path)
	if err != nil {
		return "", err
	}
	pageSize, detail := checkHeader(h)
	if detail != "" {
		return detail, nil
	}
	if detail, err := checkWALFile(path+"-wal", pageSize); err != nil || detail != "" {
		return detail, err
	}
	return checkDB(ctx, path, checkDepth(size))
}

// checkHeader checks the fields of an SQLite database header (the first 100
// bytes of the file) that a Gloss library always has, and returns the page
// size. The fields that may legitimately vary, such as counters, are left
// to SQLite.
func checkHeader(h []byte) (pageSize int, detail string) {
	if len(h) < 100 || string(h[:16]) != "SQLite format 3\x00" {
		return 0, "the file does not start like an SQLite database"
	}
	pageSize = int(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	switch {
	case pageSize < 512 || pageSize&(pageSize-1) != 0:
		return 0, fmt.Sprintf("the file header gives an impossible page size, %d", pageSize)
	case h[18] < 1 || h[18] > 2 || h[19] < 1 || h[19] > 2:
		return 0, "the file header gives an unknown file format version"
	case h[21] != 64 || h[22] != 32 || h[23] != 32:
		return 0, "the file header's payload fractions are wrong"
	case binary.BigEndian.Uint32(h[44:48]) > 4:
		return 0, "the file header gives an unknown schema format"
	case binary.BigEndian.Uint32(h[56:60]) > 1:
		// Gloss libraries are UTF-8; 0 means not yet set.
		return 0, "the file header gives a text encoding other than UTF-8"
	case !allZero(h[72:92]):
		return 0, "the file header's reserved bytes are not zero"
	}
	return pageSize, ""
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// checkLevel is how deep checkDB looks.
type checkLevel int

const (
	// checkSchema reads the schema, page 1 and the log, and compares the
	// archive's entries in the schema with what its migrations make (see
	// schemaProblems): it costs almost nothing and finds only damage there.
	checkSchema checkLevel = iota
	// checkQuick runs quick_check: every page is read and every b-tree
	// walked.
	checkQuick
	// checkFull runs integrity_check and the schema comparison and, on a
	// library at this Gloss's schema, the invariants Check looks at and a
	// check of the stored content that carries its own checksum (see
	// contentProblems).
	checkFull
)

// checkDepth returns the level checkOpen uses on a library of size bytes
// (see fullCheckBelow).
func checkDepth(size int64) checkLevel {
	switch {
	case size >= quickCheckBelow:
		return checkSchema
	case size >= fullCheckBelow:
		return checkQuick
	}
	return checkFull
}

// checkDB checks the database at path at level through a read-only
// connection, which sees the write-ahead log too, in one read transaction.
// It returns what is wrong, or "" if nothing is; an error means the check
// could not run.
func checkDB(ctx context.Context, path string, level checkLevel) (string, error) {
	db, err := sql.Open("sqlite3", fileURI(path, readOnlyParams(true)))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var problems []string
	err = func() error {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		switch level {
		case checkSchema:
			problems, err = archiveSchemaProblems(ctx, tx)
			return err
		case checkQuick:
			if problems, err = pragmaProblems(ctx, tx, "quick_check(5)"); err != nil || len(problems) > 0 {
				return err
			}
			problems, err = archiveSchemaProblems(ctx, tx)
			return err
		}
		// integrity_check runs FTS5's own check of the search index too
		// (the one the 'integrity-check' command runs, which needs a
		// connection that can write): every term, position and page of the
		// index against the text it indexes. The connection is new, so no
		// index structure cached before a write misleads it (see Check).
		if problems, err = integrityCheck(ctx, tx); err != nil || len(problems) > 0 {
			return err
		}
		if problems, err = archiveSchemaProblems(ctx, tx); err != nil || len(problems) > 0 {
			return err
		}
		// The archive's invariants hold for its tables as this Gloss lays
		// them out; an older library is migrated next and a newer one
		// refused.
		ms, err := readMigrations(archiveMigrations())
		if err != nil {
			return err
		}
		if v, err := schemaVersion(ctx, tx, ownerArchive); err != nil || v != len(ms) {
			return err
		}
		for _, c := range consistencyChecks {
			p, err := listProblems(ctx, tx, c.query, c.format)
			if err != nil {
				return err
			}
			problems = append(problems, p...)
		}
		if len(problems) > 0 {
			return nil
		}
		problems, err = contentProblems(ctx, tx)
		return err
	}()
	if isCheckFailure(err) {
		return "SQLite cannot check the file: " + sqliteDetail(err), nil
	}
	if err != nil {
		return "", err
	}
	if len(problems) > 0 {
		return strings.Join(problems[:min(len(problems), 5)], "; "), nil
	}
	return "", db.Close()
}

// pragmaProblems runs a checking PRAGMA and returns its rows other than "ok".
func pragmaProblems(ctx context.Context, tx *sql.Tx, pragma string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	return problems, rows.Err()
}

// contentProblems checks the stored content that can be checked against
// itself, which SQLite's checks cannot see into: every capture against the
// checksum stored with it (see captureSumColumns), every image's bytes
// against the SHA-256 it is stored under, and the search index's copy of each article's title,
// byline, site and text against its current capture. A damaged byte there
// would otherwise read back as a different page or picture without an
// error. Tables of other owners (annotate's) are theirs to check.
func contentProblems(ctx context.Context, tx *sql.Tx) ([]string, error) {
	problems, err := captureSumProblems(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT hash, bytes FROM images`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var hash string
		var data []byte
		if err := rows.Scan(&hash, &data); err != nil {
			return nil, err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
			problems = append(problems, fmt.Sprintf("image %.12s…: its bytes do not match their checksum", hash))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p, err := listProblems(ctx, tx, `SELECT a.id FROM articles a
		JOIN captures c ON c.id = a.current_capture_id
		JOIN article_fts f ON f.rowid = a.id
		WHERE f.title IS NOT c.title OR f.byline IS NOT c.byline OR f.site IS NOT c.site_name OR f.text IS NOT c.text`,
		"article %d: the search index's copy of its text differs from its current capture")
	return append(problems, p...), err
}

// gunzipCheck reads a gzip stream to its end, which checks its CRC-32.
func gunzipCheck(gz []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return err
	}
	return zr.Close()
}

// walRecheckDelay is how long checkWALFile waits before reading a log that
// looked damaged a second time: far longer than writing one frame takes.
var walRecheckDelay = 50 * time.Millisecond

// walMagic is the first four bytes of a write-ahead log, less the bit that
// gives the byte order of its checksums.
const walMagic = 0x377f0682

// walFrame is what checkWAL keeps of one frame of a write-ahead log.
type walFrame struct {
	salt   [8]byte
	pgno   uint32
	commit uint32  // database size after a commit frame; 0 for other frames
	valid  [2]bool // by byte order (little, big): the checksum holds, starting from the one stored in the frame before
}

// checkWALFile checks the write-ahead log at path, if there is one, with
// the index SQLite keeps beside it in shared memory, if that survived; see
// checkWAL. A log only survives a crash: Gloss removes it when it closes.
//
// A log is read while another Gloss may be appending to it, and a frame read
// half-written looks damaged; so a finding is confirmed by a second reading
// a moment later, which a live writer would have moved past.
func checkWALFile(path string, pageSize int) (string, error) {
	read := func() (string, error) {
		// The index first: a writer appends frames before the index
		// counts them.
		idx := readWALIndex(strings.TrimSuffix(path, "-wal") + "-shm")
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		defer f.Close()
		return checkWAL(bufio.NewReaderSize(f, 1<<16), pageSize, idx)
	}
	first, err := read()
	if first == "" || err != nil {
		return first, err
	}
	time.Sleep(walRecheckDelay)
	second, err := read()
	if err != nil {
		return "", err
	}
	if second != first {
		return "", nil
	}
	return first, nil
}

// walIndex is what the header of SQLite's shared-memory index of a log
// says: how many of the log's frames are committed, in the log with this
// salt.
type walIndex struct {
	frames uint32
	salt   [8]byte
}

// readWALIndex reads the header of the shared-memory index at path, or
// returns nil if there is none or it does not check out. SQLite updates it
// at each commit, after the commit's frames are written and synced, so it
// never counts a frame that is not durable; a process that crashes leaves it
// behind, and the first connection to open the database afterwards rebuilds
// it, which is why it is read before anything opens the library. The header
// is stored twice in the machine's byte order with a checksum.
func readWALIndex(path string) *walIndex {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var b [96]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return nil
	}
	h := b[:48]
	ne := binary.NativeEndian
	sum := walChecksumOrder(ne, [2]uint32{}, h[:40])
	if !bytes.Equal(h, b[48:96]) || ne.Uint32(h[0:4]) != 3007000 || h[12] != 1 ||
		sum != [2]uint32{ne.Uint32(h[40:44]), ne.Uint32(h[44:48])} {
		return nil
	}
	return &walIndex{frames: ne.Uint32(h[16:20]), salt: [8]byte(h[32:40])}
}

// checkWAL reads a write-ahead log and reports committed transactions that
// SQLite's recovery would silently leave out. Recovery replays frames in
// order and stops at the first one whose checksum or salt is wrong, keeping
// what the last commit before it made; everything after is dropped without
// an error, as after a write torn by a power cut. checkWAL checks each frame
// on its own, starting from the checksum stored in the frame before it, and
// so can see committed frames beyond the point where recovery stops.
//
// Only the last transaction can be torn: Gloss syncs the log at every commit
// (synchronous=FULL), before the next transaction begins, and SQLite syncs
// the log header before the first frame after it. So a damaged header
// followed by any commit, or a damaged frame whose transaction is followed by
// another commit, is damage after the fact, and checkWAL reports it. A
// damaged frame in the last transaction cannot be told from a torn write by
// the log alone.
//
// A process that crashed leaves behind idx, SQLite's index of the log,
// which says how many frames were committed. If more than recovery would
// keep, the lost frames were committed, whatever their place in the log,
// and checkWAL reports it: this covers the last transaction too. idx may be
// nil (after a power cut it may be missing or behind; it is never ahead).
//
// pageSize is the database's page size. An unreadable or short log reads as
// empty, as it does to SQLite.
func checkWAL(r io.Reader, pageSize int, idx *walIndex) (string, error) {
	var hdr [32]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return "", nil
		}
		return "", err
	}
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return "", nil
	}
	magic := binary.BigEndian.Uint32(hdr[0:4])
	magicOK := magic&^1 == walMagic
	if magicOK && binary.BigEndian.Uint32(hdr[4:8]) != 3007000 {
		return "the write-ahead log header is damaged (unknown version)", nil
	}
	orders := []int{int(magic & 1)}
	if !magicOK {
		orders = []int{0, 1} // the bit that says which is damaged too
	}
	headerSum := [2]uint32{binary.BigEndian.Uint32(hdr[24:28]), binary.BigEndian.Uint32(hdr[28:32])}
	headerOK := magicOK && int(binary.BigEndian.Uint32(hdr[8:12])) == pageSize &&
		walChecksum(magic&1 == 1, [2]uint32{}, hdr[:24]) == headerSum

	var frames []walFrame
	prev := headerSum
	buf := make([]byte, 24+pageSize)
	for {
		if _, err := io.ReadFull(r, buf); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return "", err
		}
		fr := walFrame{
			pgno:   binary.BigEndian.Uint32(buf[0:4]),
			commit: binary.BigEndian.Uint32(buf[4:8]),
		}
		copy(fr.salt[:], buf[8:16])
		sum := [2]uint32{binary.BigEndian.Uint32(buf[16:20]), binary.BigEndian.Uint32(buf[20:24])}
		for _, o := range orders {
			s := walChecksum(o == 1, prev, buf[:8])
			fr.valid[o] = fr.pgno != 0 && walChecksum(o == 1, s, buf[24:]) == sum
		}
		frames = append(frames, fr)
		prev = sum
	}
	for _, o := range orders {
		if d := walLoss(frames, o, headerOK, [8]byte(hdr[16:24])); d != "" {
			return d, nil
		}
	}
	if idx != nil && idx.salt == [8]byte(hdr[16:24]) {
		kept := 0 // frames recovery keeps: up to the last commit before the first bad frame
		for i, fr := range frames {
			if !headerOK || !fr.valid[orders[0]] || fr.salt != idx.salt {
				break
			}
			if fr.commit != 0 {
				kept = i + 1
			}
		}
		if int64(idx.frames) > int64(kept) {
			return fmt.Sprintf("the write-ahead log is damaged: %d frames were committed, only the first %d can be recovered",
				idx.frames, kept), nil
		}
	}
	return "", nil
}

// walLoss applies checkWAL's rule to the frames of a log whose checksums
// use byte order o (1: big-endian).
func walLoss(frames []walFrame, o int, headerOK bool, headerSalt [8]byte) string {
	// Where recovery stops: the first frame that is not valid with the
	// header's salt, or the start if the header itself is not valid.
	stop := 0
	if headerOK {
		for stop < len(frames) && frames[stop].valid[o] && frames[stop].salt == headerSalt {
			stop++
		}
	}
	if stop == len(frames) {
		return ""
	}
	// The frames of the current generation carry the header's salt; if
	// the header's salt is what was damaged, the first frame's tells.
	salts := [][8]byte{headerSalt}
	if len(frames) > 0 && frames[0].valid[o] && frames[0].salt != headerSalt {
		salts = append(salts, frames[0].salt)
	}
	for _, salt := range salts {
		// The transaction the bad frame belongs to ends at the next
		// commit frame of this generation (the bad frame itself may be it).
		end := -1
		if headerOK {
			for i := stop; i < len(frames); i++ {
				if frames[i].commit != 0 && (i == stop || frames[i].salt == salt) {
					end = i
					break
				}
			}
			if end < 0 {
				continue
			}
		}
		// With a damaged header every commit is lost; otherwise those
		// after the damaged transaction are the proof of damage.
		lost := 0
		for i := end + 1; i < len(frames); i++ {
			if frames[i].valid[o] && frames[i].commit != 0 && frames[i].salt == salt {
				lost++
			}
		}
		if lost == 0 {
			continue
		}
		if !headerOK {
			return fmt.Sprintf("the write-ahead log header is damaged: %d committed transactions in the log would be lost", lost)
		}
		return fmt.Sprintf("the write-ahead log is damaged at frame %d: at least %d committed transactions after it would be lost", stop+1, lost)
	}
	return ""
}

// walChecksum continues SQLite's write-ahead-log checksum from s over b, a
// multiple of 8 bytes, read as 32-bit words in big-endian order if big,
// else little-endian.
func walChecksum(big bool, s [2]uint32, b []byte) [2]uint32 {
	if big {
		return walChecksumOrder(binary.BigEndian, s, b)
	}
	return walChecksumOrder(binary.LittleEndian, s, b)
}

// walChecksumOrder is walChecksum with the words read in order.
func walChecksumOrder(order binary.ByteOrder, s [2]uint32, b []byte) [2]uint32 {
	s1, s2 := s[0], s[1]
	for i := 0; i+8 <= len(b); i += 8 {
		s1 += order.Uint32(b[i:]) + s2
		s2 += order.Uint32(b[i+4:]) + s1
	}
	return [2]uint32{s1, s2}
}
