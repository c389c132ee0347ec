package archive

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"gloss/archive/fetch"
	"gloss/archive/importer"
)

// QueueState is where an item of the import queue is.
type QueueState string

// The states of a queue item.
const (
	QueueWaiting QueueState = "waiting" // to be fetched (perhaps not before a retry time)
	QueueRunning QueueState = "running" // being fetched
	QueueDone    QueueState = "done"    // in the library
	QueueFailed  QueueState = "failed"  // could not be fetched; Reason says why
)

// QueueItem is one article of the import queue.
type QueueItem struct {
	ID       int64
	URL      string // the address to fetch, as the export gave it
	Key      string // the article's identity (NormalizeURL of URL)
	Title    string
	Source   importer.Format
	State    QueueState
	Attempts int
	// Reason says, in one sentence, why the item failed; for a done item, why its
	// annotations could not be attached.
	Reason    string
	ArticleID int64 // the article, once in the library; 0 before
	// Entry is all the exports said about the article, merged.
	Entry importer.Entry
	// Pending is what is still to hand to the annotation store (tags, states, note,
	// highlights) once the article is in the library; nil when nothing is.
	Pending *importer.Entry
	Queued  time.Time // when it last entered the queue
	Updated time.Time
}

// QueueStats counts the items of the import queue by state.
type QueueStats struct {
	Waiting, Running, Done, Failed int
	// Pending counts done items whose annotations are still to attach.
	Pending int
	// Finished counts the items done or failed during this run of RunQueue, and Elapsed
	// is the time since it started, for a rate and the time left; both are zero from
	// Library.QueueStats.
	Finished int
	Elapsed  time.Duration
}

// Total returns the number of items in the queue.
func (s QueueStats) Total() int { return s.Waiting + s.Running + s.Done + s.Failed }

// ImportSummary says what EnqueueImport did with the entries of an export.
type ImportSummary struct {
	Entries   int // read from the export
	Queued    int // new items waiting to be fetched
	Merged    int // entries merged into an item already queued (a duplicate in the file, or an earlier import)
	InLibrary int // already in the library: nothing to fetch, only annotations to attach
	NoAddress int // without a web address Gloss can fetch: kept as failed items
}

// Errors of the queue; test for them with errors.Is.
var (
	// ErrQueueBusy: another Gloss process is running the import queue of this library.
	ErrQueueBusy = errors.New("another Gloss is already fetching this library's import queue")
)

// enqueueBatch is how many entries one transaction of EnqueueImport writes.
const enqueueBatch = 500

// noAddressPrefix starts the key of an entry without a web address.
const noAddressPrefix = "noaddr:"

// EnqueueImport adds the entries of an export to the import queue: one item per article,
// written in transactions of a few hundred entries, so that a huge export is neither held
// in memory nor written one commit at a time. each calls its argument with every entry
// (importer.File.Each, or importer.Read bound to a reader); source names the format.
//
// An entry whose article is already queued is merged into its item (tags, states, note
// and highlights that are new), and a failed item it merges into is queued again. An
// entry whose article is already in the library is not fetched again: its item is done at
// once, with its annotations pending (ApplyPending, RunQueue). An entry without a web
// address is matched to an article by its title when exactly one has it, and otherwise
// kept as a failed item, so that its highlights are never lost. Batches already written
// stay if a later one fails; importing the same export again completes the import without
// duplicating anything.
func (l *Library) EnqueueImport(ctx context.Context, source importer.Format, each func(func(importer.Entry) error) error) (ImportSummary, error) {
	var sum ImportSummary
	batch := make([]importer.Entry, 0, enqueueBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := l.Write(ctx, func(tx *sql.Tx) error {
			now := l.now()
			for _, e := range batch {
				if err := enqueue(ctx, tx, source, e, now, &sum); err != nil {
					return fmt.Errorf("%s: %w", e.URL, err)
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	err := each(func(e importer.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum.Entries++
		batch = append(batch, e)
		if len(batch) == enqueueBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return sum, fmt.Errorf("import: %w", err)
	}
	return sum, nil
}

// queueAddress returns the key, the address to fetch and the host of an entry; host is ""
// when the entry has no address Gloss can fetch.
func queueAddress(e importer.Entry) (key, addr, host string) {
	addr = strings.TrimSpace(e.URL)
	if addr == "" {
		title := strings.ToLower(strings.Join(strings.Fields(e.Title), " "))
		return noAddressPrefix + title, "", ""
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return addr, addr, ""
	}
	return NormalizeURL(addr), addr, strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// enqueue adds one entry to the queue in tx.
func enqueue(ctx context.Context, tx *sql.Tx, source importer.Format, e importer.Entry, now time.Time, sum *ImportSummary) error {
	key, addr, host := queueAddress(e)
	var known int64 // the article, when the library has it
	if addr == "" {
		// No address: perhaps the library has the article under its title.
		id, artKey, ok, err := articleByTitle(ctx, tx, e.Title)
		if err != nil {
			return err
		}
		if ok {
			noAddr := key
			known, e.URL = id, artKey
			key, addr, host = queueAddress(e)
			// An earlier import that found no article for it: it is this one.
			_, err := tx.ExecContext(ctx, `UPDATE import_queue SET key = ?, url = ?, host = ?, state = 'done', article_id = ?,
				reason = '', finished_at = ?, updated_at = ?
				WHERE key = ? AND NOT EXISTS (SELECT 1 FROM import_queue WHERE key = ?)`,
				key, addr, host, id, formatTime(now), formatTime(now), noAddr, key)
			if err != nil {
				return err
			}
		}
	}
	var (
		id          int64
		state       QueueState
		entryJSON   string
		pendingJSON sql.NullString
		articleID   sql.NullInt64
		itemHost    string
	)
	err := tx.QueryRowContext(ctx, `SELECT id, state, entry, pending, article_id, host FROM import_queue WHERE key = ?`, key).
		Scan(&id, &state, &entryJSON, &pendingJSON, &articleID, &itemHost)
	if errors.Is(err, sql.ErrNoRows) {
		if known == 0 && host != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, key).Scan(&known)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return enqueueNew(ctx, tx, source, e, key, addr, host, known, now, sum)
	}
	if err != nil {
		return err
	}
	sum.Merged++
	var cur importer.Entry
	if err := json.Unmarshal([]byte(entryJSON), &cur); err != nil {
		return fmt.Errorf("queue item %d: stored entry: %w", id, err)
	}
	added := cur.Merge(e)
	pending := importer.Entry{URL: cur.URL}
	if pendingJSON.Valid {
		if err := json.Unmarshal([]byte(pendingJSON.String), &pending); err != nil {
			return fmt.Errorf("queue item %d: stored pending annotations: %w", id, err)
		}
	}
	pending.Merge(added)
	newEntry, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	newPending, err := pendingColumn(pending)
	if err != nil {
		return err
	}
	if itemHost != "" && (state == QueueFailed || state == QueueDone && !articleID.Valid) {
		// Importing again is asking to try again (or to fetch again an article deleted
		// since).
		_, err = tx.ExecContext(ctx, `UPDATE import_queue SET state = 'waiting', attempts = 0, not_before = NULL,
			reason = '', queued_at = ? WHERE id = ?`, formatTime(now), id)
		if err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE import_queue SET entry = ?, pending = ?, title = ?, updated_at = ? WHERE id = ?`,
		string(newEntry), newPending, cur.Title, formatTime(now), id)
	if err != nil {
		return err
	}
	if articleID.Valid && !added.Added.IsZero() {
		return backdateArticle(ctx, tx, articleID.Int64, added.Added)
	}
	return nil
}

// enqueueNew inserts a new item: done if the article is in the library (articleID), else
// waiting if it can be fetched (host), else failed.
func enqueueNew(ctx context.Context, tx *sql.Tx, source importer.Format, e importer.Entry, key, addr, host string, articleID int64, now time.Time, sum *ImportSummary) error {
	entryJSON, err := json.Marshal(e)
	if err != nil {
		return err
	}
	pending, err := pendingColumn(e)
	if err != nil {
		return err
	}
	state, reason := QueueWaiting, ""
	var article sql.NullInt64
	var finished sql.NullString
	switch {
	case articleID != 0:
		state, article = QueueDone, sql.NullInt64{Int64: articleID, Valid: true}
		finished = sql.NullString{String: formatTime(now), Valid: true}
		sum.InLibrary++
	case host == "":
		state, reason = QueueFailed, noAddressReason(source, e.URL)
		finished = sql.NullString{String: formatTime(now), Valid: true}
		sum.NoAddress++
	default:
		sum.Queued++
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO import_queue (key, url, host, title, source, entry, pending, state, reason, article_id,
			finished_at, queued_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key, addr, host, e.Title, string(source), string(entryJSON), pending, string(state), reason, article,
		finished, formatTime(now), formatTime(now))
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if articleID != 0 && !e.Added.IsZero() {
		return backdateArticle(ctx, tx, articleID, e.Added)
	}
	return nil
}

func noAddressReason(source importer.Format, addr string) string {
	if addr == "" {
		return fmt.Sprintf("The %s gives no web address for it, and no article in the library has its title.", source.Name())
	}
	return fmt.Sprintf("%q is not a web address (http or https) that Gloss can fetch.", addr)
}

// articleByTitle finds the one article whose title is title, ignoring case.
func articleByTitle(ctx context.Context, tx *sql.Tx, title string) (id int64, key string, ok bool, err error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return 0, "", false, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, url, title FROM articles WHERE sort_title = ? LIMIT 10`, sortTitle(title, ""))
	if err != nil {
		return 0, "", false, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var aid int64
		var akey, atitle string
		if err := rows.Scan(&aid, &akey, &atitle); err != nil {
			return 0, "", false, err
		}
		if strings.EqualFold(strings.TrimSpace(atitle), title) {
			id, key = aid, akey
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, "", false, err
	}
	return id, key, n == 1, nil
}

// backdateArticle makes an article's time added the time it was saved in the other
// tool, when that is earlier, so that the library sorts it where the user put it.
func backdateArticle(ctx context.Context, tx *sql.Tx, articleID int64, added time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE articles SET added_at = ? WHERE id = ? AND added_at > ?`,
		formatTime(added), articleID, formatTime(added))
	return err
}

// pendingColumn is the stored form of the annotations still to attach: NULL when e has
// none.
func pendingColumn(e importer.Entry) (sql.NullString, error) {
	if !e.HasAnnotations() {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(importer.Entry{
		URL: e.URL, Tags: e.Tags, Favourite: e.Favourite, Archived: e.Archived, Progress: e.Progress,
		Note: e.Note, Highlights: e.Highlights,
	})
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// QueueStats counts the items of the import queue by state.
func (l *Library) QueueStats(ctx context.Context) (QueueStats, error) {
	var s QueueStats
	err := l.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT state, count(*) FROM import_queue GROUP BY state`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st QueueState
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			switch st {
			case QueueWaiting:
				s.Waiting = n
			case QueueRunning:
				s.Running = n
			case QueueDone:
				s.Done = n
			case QueueFailed:
				s.Failed = n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx,
			`SELECT count(*) FROM import_queue WHERE state = 'done' AND pending IS NOT NULL`).Scan(&s.Pending)
	})
	if err != nil {
		return QueueStats{}, fmt.Errorf("import queue: %w", err)
	}
	return s, nil
}

const queueColumns = `id, url, key, title, source, state, attempts, reason, article_id, entry, pending, queued_at, updated_at`

func scanQueueItem(s scanner) (QueueItem, error) {
	var it QueueItem
	var article sql.NullInt64
	var entry, queued, updated string
	var pending sql.NullString
	err := s.Scan(&it.ID, &it.URL, &it.Key, &it.Title, &it.Source, &it.State, &it.Attempts, &it.Reason,
		&article, &entry, &pending, &queued, &updated)
	if err != nil {
		return QueueItem{}, err
	}
	it.ArticleID = article.Int64
	if err := json.Unmarshal([]byte(entry), &it.Entry); err != nil {
		return QueueItem{}, fmt.Errorf("queue item %d: stored entry: %w", it.ID, err)
	}
	if pending.Valid {
		var p importer.Entry
		if err := json.Unmarshal([]byte(pending.String), &p); err != nil {
			return QueueItem{}, fmt.Errorf("queue item %d: stored pending annotations: %w", it.ID, err)
		}
		it.Pending = &p
	}
	if it.Queued, err = parseTime(queued); err != nil {
		return QueueItem{}, err
	}
	if it.Updated, err = parseTime(updated); err != nil {
		return QueueItem{}, err
	}
	return it, nil
}

// QueueItems returns items of the import queue in the order they were queued: those in
// state, or all for "", at most limit of them (no limit for 0 or less).
func (l *Library) QueueItems(ctx context.Context, state QueueState, limit int) ([]QueueItem, error) {
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT ` + queueColumns + ` FROM import_queue ORDER BY id LIMIT ?`
	args := []any{limit}
	if state != "" {
		q = `SELECT ` + queueColumns + ` FROM import_queue WHERE state = ? ORDER BY id LIMIT ?`
		args = []any{string(state), limit}
	}
	var items []QueueItem
	err := l.Read(ctx, func(tx *sql.Tx) error {
		var err error
		items, err = queryQueueItems(ctx, tx, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import queue: %w", err)
	}
	return items, nil
}

// RetryFailed puts the failed items that have a web address back in the queue, with
// their attempts counted from zero, and returns how many.
func (l *Library) RetryFailed(ctx context.Context) (int, error) {
	var n int64
	err := l.Write(ctx, func(tx *sql.Tx) error {
		now := formatTime(l.now())
		res, err := tx.ExecContext(ctx, `
			UPDATE import_queue SET state = 'waiting', attempts = 0, not_before = NULL, reason = '',
				finished_at = NULL, queued_at = ?, updated_at = ?
			WHERE state = 'failed' AND host != ''`, now, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("retry failed imports: %w", err)
	}
	return int(n), nil
}

// ClearDone removes from the queue the items that are done and have nothing left to
// attach, and returns how many.
func (l *Library) ClearDone(ctx context.Context) (int, error) {
	var n int64
	err := l.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM import_queue WHERE state = 'done' AND pending IS NULL`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("clear the import queue: %w", err)
	}
	return int(n), nil
}

// AfterFunc attaches what an export kept about an article (item.Pending: tags, states,
// note, highlights) to it once it is in the library; saved is the article and its
// current capture. Package annotate provides one. It must be safe to run again on the
// same item: a process killed after it ran and before the queue recorded it runs it again.
type AfterFunc func(ctx context.Context, item QueueItem, saved Saved) error

// ApplyPending runs after on every done item that still has annotations to attach and
// whose article is in the library, and returns how many it attached. An item after fails
// on keeps its annotations and records the reason; the others go on.
func ApplyPending(ctx context.Context, lib *Library, after AfterFunc) (int, error) {
	if after == nil {
		return 0, nil
	}
	applied := 0
	var last int64
	for {
		var page []QueueItem
		err := lib.Read(ctx, func(tx *sql.Tx) error {
			var err error
			page, err = queryQueueItems(ctx, tx, `SELECT `+queueColumns+` FROM import_queue
				WHERE state = 'done' AND pending IS NOT NULL AND article_id IS NOT NULL AND id > ?
				ORDER BY id LIMIT 200`, last)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("attach imported annotations: %w", err)
		}
		if len(page) == 0 {
			return applied, nil
		}
		for _, it := range page {
			last = it.ID
			saved, err := lib.savedOf(ctx, it.ArticleID)
			if err != nil {
				return applied, fmt.Errorf("attach imported annotations: %w", err)
			}
			ok, err := lib.applyAfter(ctx, after, it, saved)
			if err != nil {
				return applied, err
			}
			if ok {
				applied++
			}
		}
	}
}

// savedOf describes an article already in the library as a save would.
func (l *Library) savedOf(ctx context.Context, articleID int64) (Saved, error) {
	s := Saved{ArticleID: articleID}
	err := l.Read(ctx, func(tx *sql.Tx) error {
		var cid sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT current_capture_id, title FROM articles WHERE id = ?`, articleID).
			Scan(&cid, &s.Title)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		s.CaptureID = cid.Int64
		return err
	})
	if err != nil {
		return Saved{}, fmt.Errorf("article %d: %w", articleID, err)
	}
	return s, nil
}

// applyAfter runs after on a done item with pending annotations and clears them, unless
// an import merged more into them meanwhile; it reports whether after succeeded. A
// failure of after is recorded on the item, not returned; only a database error is.
func (l *Library) applyAfter(ctx context.Context, after AfterFunc, it QueueItem, saved Saved) (bool, error) {
	if after == nil || it.Pending == nil {
		return true, nil
	}
	applied, err := json.Marshal(it.Pending)
	if err != nil {
		return false, err
	}
	afterErr := after(ctx, it, saved)
	err = l.Write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		now := formatTime(l.now())
		if afterErr != nil {
			_, err := tx.ExecContext(ctx, `UPDATE import_queue SET reason = ?, updated_at = ? WHERE id = ?`,
				"Fetched, but its tags and highlights could not be attached: "+sentence(afterErr), now, it.ID)
			return err
		}
		// Compare with what was applied: pending as stored may have been re-encoded, so
		// decode both ways once. A merge meanwhile leaves the (larger) pending in place.
		var stored sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT pending FROM import_queue WHERE id = ?`, it.ID).Scan(&stored); err != nil {
			return err
		}
		if stored.Valid {
			var p importer.Entry
			if err := json.Unmarshal([]byte(stored.String), &p); err != nil {
				return err
			}
			again, err := json.Marshal(&p)
			if err != nil {
				return err
			}
			if string(again) != string(applied) {
				return nil
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE import_queue SET pending = NULL, reason = '', updated_at = ? WHERE id = ?`, now, it.ID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("queue item %d: %w", it.ID, err)
	}
	return afterErr == nil, nil
}

// QueueSaver fetches and stores one article; *Saver is one.
type QueueSaver interface {
	Save(ctx context.Context, rawURL string, progress func(Progress)) (Saved, error)
}

// QueueOptions configures RunQueue. The zero value gives the defaults noted on each field.
type QueueOptions struct {
	Concurrency int           // fetches at once; default 4
	PerHost     int           // fetches at once from one host; default 2
	MaxAttempts int           // tries of an item that fails for a passing reason; default 3
	Backoff     time.Duration // wait before the first retry, doubled for each next one; default 2s
	// Progress, if set, is called from one goroutine at the start, after every item
	// that finishes or is retried, and at the end.
	Progress func(QueueStats)
	// After, if set, attaches an item's annotations once its article is in the library.
	After AfterFunc
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	o.PerHost = min(o.PerHost, o.Concurrency)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	return o
}

// RunQueue fetches the waiting items of the import queue into the library until none is
// left or ctx is cancelled, and returns the counts at the end.
//
// It fetches opt.Concurrency items at once, at most opt.PerHost from one host, taking
// hosts in turn. An item that fails for a reason that may pass (a timeout, a refused or
// broken connection, a DNS failure the resolver calls temporary, HTTP 429 or 5xx) waits
// opt.Backoff, then twice as long, and so on, up to opt.MaxAttempts tries; any other
// failure is final and its reason, one sentence, is kept on the item.
//
// The queue lives in the library, so RunQueue survives being interrupted. Each item is
// claimed (state running) in a transaction before it is fetched; on start, items left
// running by a process that was killed go back to waiting; and an item whose article got
// a capture after the item was queued is marked done without being fetched again, which
// covers a kill between storing a capture and marking its item done. A cancelled run
// puts the items it was fetching back to waiting. Only one process runs a library's
// queue at a time: another gets ErrQueueBusy.
//
// Done items with annotations pending are handed to opt.After first, then each item as
// soon as it is done.
func RunQueue(ctx context.Context, lib *Library, saver QueueSaver, opt QueueOptions) (QueueStats, error) {
	opt = opt.withDefaults()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	release, err := lib.acquireQueue(ctx, cancel)
	if err != nil {
		return QueueStats{}, err
	}
	defer release()
	if err := lib.requeueRunning(ctx); err != nil {
		return QueueStats{}, err
	}
	if _, err := ApplyPending(ctx, lib, opt.After); err != nil {
		return QueueStats{}, err
	}
	r := &runner{lib: lib, saver: saver, opt: opt, start: time.Now(), hosts: map[string]*hostState{}}
	if r.stats, err = lib.QueueStats(ctx); err != nil {
		return QueueStats{}, err
	}
	err = r.run(ctx)
	r.stats.Elapsed = time.Since(r.start)
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx) // context.Canceled, or ErrQueueBusy
	}
	return r.stats, err
}

// requeueRunning puts items left running by a process that is gone back to waiting.
func (l *Library) requeueRunning(ctx context.Context) error {
	err := l.Write(ctx, func(tx *sql.Tx) error {
		// The interrupted try does not count.
		_, err := tx.ExecContext(ctx, `UPDATE import_queue SET state = 'waiting', attempts = max(attempts - 1, 0),
			updated_at = ? WHERE state = 'running'`, formatTime(l.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("import queue: %w", err)
	}
	return nil
}

// hostState is what the runner knows of the waiting items of one host.
type hostState struct {
	waiting   bool      // the host may have waiting items
	busy      int       // fetches running
	notBefore time.Time // no item of the host may be fetched before this
}

type runner struct {
	lib   *Library
	saver QueueSaver
	opt   QueueOptions
	start time.Time
	stats QueueStats

	hosts  map[string]*hostState
	order  []string  // hosts, in the order they are taken in turn
	next   int       // index in order of the host to try first
	loaded time.Time // when the hosts were last read from the library
}

// reloadEvery is how often a run looks for items an import added while it runs.
const reloadEvery = 5 * time.Second

// claimed is an item taken from the queue: to fetch, or already captured (saved set).
type claimed struct {
	item  QueueItem
	host  string
	saved *Saved
}

// outcome is how an item ended.
type outcome int

const (
	outDone        outcome = iota
	outFailed              // final
	outRetry               // waiting again, after a backoff
	outInterrupted         // the run was cancelled: waiting again
)

type result struct {
	host    string
	fetched bool // the item was running (not found captured already)
	outcome outcome
	pending bool  // done, with annotations still to attach
	err     error // a failure of the library: the run stops
}

func (r *runner) progress() {
	if r.opt.Progress != nil {
		s := r.stats
		s.Elapsed = time.Since(r.start)
		r.opt.Progress(s)
	}
}

func (r *runner) run(ctx context.Context) error {
	if err := r.loadHosts(ctx); err != nil {
		return err
	}
	r.progress()
	defer r.progress()
	results := make(chan result)
	running := 0
	var firstErr error
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		for ctx.Err() == nil && firstErr == nil && running < r.opt.Concurrency {
			c, ok, err := r.claim(ctx)
			if err != nil {
				if ctx.Err() == nil {
					firstErr = err
				}
				break
			}
			if !ok {
				break
			}
			running++
			r.stats.Waiting--
			if c.saved == nil {
				r.stats.Running++
			}
			go func() { results <- r.work(ctx, c) }()
		}
		wake, more := r.wakeUp()
		if running == 0 {
			if firstErr != nil || ctx.Err() != nil {
				return firstErr
			}
			if !more {
				// Items queued meanwhile (an import while the queue runs) are found here.
				if err := r.loadHosts(ctx); err != nil {
					return err
				}
				if wake, more = r.wakeUp(); !more {
					return nil
				}
			}
		}
		if more && running < r.opt.Concurrency && firstErr == nil {
			timer.Reset(max(wake.Sub(r.lib.now()), 0))
		} else {
			timer.Stop()
		}
		select {
		case res := <-results:
			running--
			r.finished(res)
			if res.err != nil && firstErr == nil {
				firstErr = res.err
			}
			if firstErr == nil && time.Since(r.loaded) > reloadEvery {
				if err := r.loadHosts(ctx); err != nil && ctx.Err() == nil {
					firstErr = err
				}
			}
		case <-timer.C:
		case <-ctx.Done():
			// Wait for the running fetches to give up; they put their items back.
			for ; running > 0; running-- {
				r.finished(<-results)
			}
			return firstErr
		}
	}
}

// finished accounts for a result.
func (r *runner) finished(res result) {
	hs := r.hosts[res.host]
	if hs != nil {
		hs.busy--
	}
	if res.fetched {
		r.stats.Running--
	}
	switch res.outcome {
	case outDone:
		r.stats.Done++
		r.stats.Finished++
		if res.pending {
			r.stats.Pending++
		}
	case outFailed:
		r.stats.Failed++
		r.stats.Finished++
	case outRetry, outInterrupted:
		r.stats.Waiting++
		if hs != nil {
			hs.waiting = true
		}
	}
	if res.outcome != outInterrupted {
		r.progress()
	}
}

// loadHosts learns which hosts have waiting items.
func (r *runner) loadHosts(ctx context.Context) error {
	err := r.lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT host FROM import_queue WHERE state = 'waiting'`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				return err
			}
			hs, ok := r.hosts[h]
			if !ok {
				hs = &hostState{}
				r.hosts[h] = hs
				r.order = append(r.order, h)
			}
			hs.waiting = true
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("import queue: %w", err)
	}
	stats, err := r.lib.QueueStats(ctx)
	if err != nil {
		return err
	}
	// The library's counts include items another import added meanwhile.
	stats.Finished = r.stats.Finished
	r.stats = stats
	r.loaded = time.Now()
	return nil
}

// wakeUp returns the earliest time an item of a host below the per-host limit may be
// fetched, and false if no such host has waiting items (a saturated host wakes the runner
// when one of its fetches ends).
func (r *runner) wakeUp() (time.Time, bool) {
	var wake time.Time
	more := false
	for _, h := range r.order {
		hs := r.hosts[h]
		if !hs.waiting || hs.busy >= r.opt.PerHost {
			continue
		}
		if !more || hs.notBefore.Before(wake) {
			wake = hs.notBefore
		}
		more = true
	}
	return wake, more
}

// claim takes the next item to fetch from the next host, in turn, that has one and is
// below the per-host limit. It reports false when no item can be fetched now.
func (r *runner) claim(ctx context.Context) (claimed, bool, error) {
	now := r.lib.now()
	for i := 0; i < len(r.order); i++ {
		h := r.order[(r.next+i)%len(r.order)]
		hs := r.hosts[h]
		if !hs.waiting || hs.busy >= r.opt.PerHost || now.Before(hs.notBefore) {
			continue
		}
		c, found, wake, err := r.lib.claimFromHost(ctx, h, now)
		if err != nil {
			return claimed{}, false, err
		}
		if !found {
			hs.waiting, hs.notBefore = !wake.IsZero(), wake
			continue
		}
		hs.busy++
		hs.notBefore = time.Time{}
		r.next = (r.next + i + 1) % len(r.order)
		return c, true, nil
	}
	return claimed{}, false, nil
}

// claimFromHost claims the oldest waiting item of host that may be fetched at now. If
// none may, it returns when the next one may (zero if host has none waiting). An item
// whose article got a capture after it was queued is marked done instead, and returned
// with saved set.
func (l *Library) claimFromHost(ctx context.Context, host string, now time.Time) (c claimed, found bool, wake time.Time, err error) {
	err = l.Write(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+queueColumns+` FROM import_queue
			WHERE state = 'waiting' AND host = ? AND (not_before IS NULL OR not_before <= ?)
			ORDER BY id LIMIT 1`, host, formatTime(now))
		it, err := scanQueueItem(row)
		if errors.Is(err, sql.ErrNoRows) {
			var next sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT min(not_before) FROM import_queue WHERE state = 'waiting' AND host = ?`, host).Scan(&next)
			if err != nil {
				return err
			}
			if next.Valid {
				if wake, err = parseTime(next.String); err != nil {
					return err
				}
			}
			return nil
		}
		if err != nil {
			return err
		}
		found, c = true, claimed{item: it, host: host}
		// Fetched already (by a process killed before it marked the item, or by the user)?
		var aid, cid int64
		var title string
		err = tx.QueryRowContext(ctx, `
			SELECT a.id, c.id, c.title FROM articles a JOIN captures c ON c.article_id = a.id
			WHERE a.url = ? AND c.created_at >= ? ORDER BY c.id DESC LIMIT 1`, it.Key, formatTime(it.Queued)).Scan(&aid, &cid, &title)
		switch {
		case err == nil:
			c.saved = &Saved{ArticleID: aid, CaptureID: cid, Title: title}
			return markDone(ctx, tx, it, aid, now)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE import_queue SET state = 'running', claimed_at = ?, attempts = attempts + 1,
			updated_at = ? WHERE id = ?`, formatTime(now), formatTime(now), it.ID)
		c.item.State, c.item.Attempts = QueueRunning, it.Attempts+1
		return err
	})
	if err != nil {
		return claimed{}, false, time.Time{}, fmt.Errorf("import queue: claim: %w", err)
	}
	return c, found, wake, nil
}

// markDone records in tx that an item's article is in the library.
func markDone(ctx context.Context, tx *sql.Tx, it QueueItem, articleID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_queue SET state = 'done', article_id = ?, reason = '', not_before = NULL,
		finished_at = ?, updated_at = ? WHERE id = ?`, articleID, formatTime(now), formatTime(now), it.ID)
	if err != nil {
		return err
	}
	if !it.Entry.Added.IsZero() {
		return backdateArticle(ctx, tx, articleID, it.Entry.Added)
	}
	return nil
}

// work fetches a claimed item and records how it ended.
func (r *runner) work(ctx context.Context, c claimed) result {
	res := result{host: c.host, fetched: c.saved == nil}
	var saved Saved
	var fetchErr error
	if c.saved != nil {
		saved = *c.saved
	} else {
		saved, fetchErr = r.saver.Save(ctx, c.item.URL, nil)
	}
	// The bookkeeping is done even if the run is being cancelled.
	bg := context.WithoutCancel(ctx)
	now := r.lib.now()
	if fetchErr != nil {
		var dbErr sqlite3.Error
		if errors.As(fetchErr, &dbErr) {
			// The library failed, not the page: stop, and leave the item to the next run.
			res.err = fmt.Errorf("import queue: %w", fetchErr)
			fetchErr = context.Canceled
			res.outcome = outInterrupted
		} else {
			res.outcome = r.classify(ctx, fetchErr, c.item.Attempts)
		}
		err := r.lib.Write(bg, func(tx *sql.Tx) error {
			var err error
			switch res.outcome {
			case outInterrupted:
				_, err = tx.ExecContext(bg, `UPDATE import_queue SET state = 'waiting', attempts = max(attempts - 1, 0),
					updated_at = ? WHERE id = ?`, formatTime(now), c.item.ID)
			case outRetry:
				wait := r.opt.Backoff << max(c.item.Attempts-1, 0)
				_, err = tx.ExecContext(bg, `UPDATE import_queue SET state = 'waiting', not_before = ?, reason = ?,
					updated_at = ? WHERE id = ?`, formatTime(now.Add(wait)), sentence(fetchErr), formatTime(now), c.item.ID)
			default:
				reason := sentence(fetchErr)
				if c.item.Attempts > 1 && transient(fetchErr) {
					reason = fmt.Sprintf("%s (tried %d times)", strings.TrimSuffix(reason, "."), c.item.Attempts)
					reason += "."
				}
				_, err = tx.ExecContext(bg, `UPDATE import_queue SET state = 'failed', reason = ?, not_before = NULL,
					finished_at = ?, updated_at = ? WHERE id = ?`, reason, formatTime(now), formatTime(now), c.item.ID)
			}
			return err
		})
		if err != nil && res.err == nil {
			res.err = fmt.Errorf("import queue: %w", err)
		}
		return res
	}
	res.outcome = outDone
	if c.saved == nil {
		err := r.lib.Write(bg, func(tx *sql.Tx) error { return markDone(bg, tx, c.item, saved.ArticleID, now) })
		if err != nil {
			res.err = fmt.Errorf("import queue: %w", err)
			return res
		}
	}
	if c.item.Pending != nil {
		ok, err := r.lib.applyAfter(bg, r.opt.After, c.item, saved)
		if err != nil {
			res.err = err
		}
		res.pending = !ok || r.opt.After == nil
	}
	return res
}

// classify says how a failed fetch ends.
func (r *runner) classify(ctx context.Context, err error, attempts int) outcome {
	switch {
	case ctx.Err() != nil:
		return outInterrupted
	case transient(err) && attempts < r.opt.MaxAttempts:
		return outRetry
	}
	return outFailed
}

// transient reports whether a failed fetch may succeed if tried again later.
func transient(err error) bool {
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return false
	}
	switch fe.Kind {
	case fetch.Timeout, fetch.Connect, fetch.Network:
		return true
	case fetch.DNS:
		var de *net.DNSError
		return errors.As(err, &de) && (de.IsTemporary || de.IsTimeout)
	case fetch.HTTPStatus:
		return fe.Status == 429 || fe.Status == 408 || (fe.Status >= 500 && fe.Status != 501 && fe.Status != 505)
	}
	return false
}

// sentence makes an error one sentence for a person: without the address (the queue
// shows it), starting with a capital, ending with a full stop.
func sentence(err error) string {
	var s string
	var fe *fetch.Error
	if errors.As(err, &fe) {
		s = strings.TrimPrefix(fe.Error(), fe.URL+": ")
	} else {
		s = err.Error()
		// Save prefixes the address: "https://…: no article text found on the page".
		if i := strings.Index(s, "://"); i > 0 && i < 10 {
			if j := strings.Index(s, ": "); j > i {
				s = s[j+2:]
			}
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "The fetch failed."
	}
	r, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Running the queue is leased to one process at a time.
const (
	leaseBeat  = 10 * time.Second
	leaseStale = time.Minute
)

// acquireQueue takes the lease to run the queue, or fails with ErrQueueBusy if a live
// process holds it. While held, it is renewed in the background; if another process took
// it over (this one was suspended longer than leaseStale), cancel is called with
// ErrQueueBusy. release gives it back.
func (l *Library) acquireQueue(ctx context.Context, cancel context.CancelCauseFunc) (release func(), err error) {
	tokenBytes := make([]byte, 16)
	if _, err := rand.Read(tokenBytes); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(tokenBytes)
	hostname, _ := os.Hostname()
	err = l.Write(ctx, func(tx *sql.Tx) error {
		var pid int
		var host, beat string
		err := tx.QueryRowContext(ctx, `SELECT pid, hostname, heartbeat FROM import_queue_runner WHERE id = 1`).Scan(&pid, &host, &beat)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			t, err := parseTime(beat)
			if err != nil {
				return err
			}
			if l.now().Sub(t) < leaseStale && (host != hostname || processAlive(pid)) {
				return ErrQueueBusy
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO import_queue_runner (id, token, pid, hostname, heartbeat)
			VALUES (1, ?, ?, ?, ?)`, token, os.Getpid(), hostname, formatTime(l.now()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import queue: %w", err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(leaseBeat)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			var n int64
			err := l.Write(context.Background(), func(tx *sql.Tx) error {
				res, err := tx.Exec(`UPDATE import_queue_runner SET heartbeat = ? WHERE id = 1 AND token = ?`,
					formatTime(l.now()), token)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err == nil && n == 0 {
				cancel(ErrQueueBusy)
				return
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		_ = l.Write(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`DELETE FROM import_queue_runner WHERE id = 1 AND token = ?`, token)
			return err
		}) // a lease left behind goes stale
	}, nil
}

// processAlive reports whether a process of this machine is running. Where it cannot be
// told (Windows without a handle), a process is taken as alive and its lease expires.
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	if runtime.GOOS == "windows" {
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// queryQueueItems runs a query selecting queueColumns and scans its rows.
func queryQueueItems(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]QueueItem, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []QueueItem
	for rows.Next() {
		it, err := scanQueueItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}
