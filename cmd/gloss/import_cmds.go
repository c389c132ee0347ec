package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/fetch"
	"gloss/archive/importer"
)

func importCommands() map[string]command {
	return map[string]command{
		"import-library": {"FILE|- [--no-fetch] [--concurrency N] [--format F]",
			"import a Pocket, Instapaper, Omnivore, Wallabag, Readwise, Hypothesis, bookmarks or address-list export", cmdImportLibrary},
		"queue": {"[run [--concurrency N] | retry | clear] [--state S] [--limit N] [--json]",
			"show the import queue and its failures; run, retry or clear it", cmdQueue},
	}
}

// exportFile is an export to import: a file Open recognised, or standard input.
type exportFile struct {
	format importer.Format
	each   func(func(importer.Entry) error) error
	close  func() error
}

// openExport opens an export; format, if given, overrides what the content says.
func (e *env) openExport(name, format string) (*exportFile, error) {
	var forced importer.Format
	if format != "" {
		f, err := importer.ParseFormat(format)
		if err != nil {
			return nil, usageError{err}
		}
		forced = f
	}
	if name == "-" {
		br := bufio.NewReaderSize(e.stdin, importer.SniffLen)
		f := forced
		if f == "" {
			head, err := br.Peek(importer.SniffLen)
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
				return nil, fmt.Errorf("standard input: %w", err)
			}
			if f, err = importer.Sniff(head, ""); err != nil {
				return nil, fmt.Errorf("standard input: %w", err)
			}
		}
		return &exportFile{
			format: f,
			each:   func(fn func(importer.Entry) error) error { return importer.Read(br, f, fn) },
			close:  func() error { return nil },
		}, nil
	}
	f, err := importer.Open(name)
	if err != nil && !(forced != "" && errors.Is(err, importer.ErrUnknownFormat)) {
		return nil, err
	}
	if forced != "" && (err != nil || forced != f.Format) {
		if f != nil {
			_ = f.Close()
		}
		// The user knows better than the sniffer: read the file as they say.
		file, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		return &exportFile{
			format: forced,
			each: func(fn func(importer.Entry) error) error {
				if err := importer.Read(bufio.NewReader(file), forced, fn); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				return nil
			},
			close: file.Close,
		}, nil
	}
	return &exportFile{format: f.Format, each: f.Each, close: f.Close}, nil
}

func cmdImportLibrary(e *env, args []string) error {
	fs := flag.NewFlagSet("import-library", flag.ContinueOnError)
	noFetch := fs.Bool("no-fetch", false, "queue the articles without fetching them (gloss queue run fetches them)")
	concurrency := fs.Int("concurrency", 4, "fetches at once (at most 2 from one site)")
	format := fs.String("format", "", "the export's format, if Gloss does not recognise it")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one export file")
	}
	if *concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	ex, err := e.openExport(rest[0], *format)
	if err != nil {
		return err
	}
	defer ex.close()
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		fmt.Fprintf(e.stderr, "Reading %s as a %s…\n", rest[0], ex.format.Name())
		sum, err := lib.EnqueueImport(e.ctx, ex.format, ex.each)
		if err != nil {
			return err
		}
		printSummary(e.stdout, sum)
		if _, err := archive.ApplyPending(e.ctx, lib, st.ImportQueued); err != nil {
			return err
		}
		if *noFetch {
			stats, err := lib.QueueStats(e.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d waiting to be fetched; fetch them with: gloss queue run\n", stats.Waiting)
			return nil
		}
		return e.runQueue(lib, st, *concurrency)
	})
}

func printSummary(w io.Writer, s archive.ImportSummary) {
	parts := []string{fmt.Sprintf("%d queued", s.Queued)}
	if s.Merged > 0 {
		parts = append(parts, fmt.Sprintf("%d merged into articles already queued", s.Merged))
	}
	if s.InLibrary > 0 {
		parts = append(parts, fmt.Sprintf("%d already in the library", s.InLibrary))
	}
	if s.NoAddress > 0 {
		parts = append(parts, fmt.Sprintf("%d without a web address (listed by gloss queue)", s.NoAddress))
	}
	fmt.Fprintf(w, "%d %s: %s\n", s.Entries, plural(s.Entries, "entry", "entries"), strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runQueue fetches the waiting items of the queue with a progress display on stderr. It
// ends with status 1 if items failed during the run.
func (e *env) runQueue(lib *archive.Library, st *annotate.Store, concurrency int) error {
	saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
	bar := &progressBar{w: e.stderr, tty: isTerminal(e.stderr), now: time.Now}
	stats, err := archive.RunQueue(e.ctx, lib, saver, archive.QueueOptions{
		Concurrency: concurrency,
		Progress:    bar.update,
		After:       st.ImportQueued,
	})
	bar.finish()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "Interrupted: %d still waiting; resume with: gloss queue run\n", stats.Waiting)
		return err
	}
	if err != nil {
		return err
	}
	failed := stats.Failed - bar.startFailed
	fmt.Fprintf(e.stdout, "%d fetched, %d failed", stats.Finished-failed, failed)
	if stats.Pending > 0 {
		fmt.Fprintf(e.stdout, ", %d with tags or highlights not attached", stats.Pending)
	}
	fmt.Fprintln(e.stdout)
	if failed > 0 {
		fmt.Fprintln(e.stderr, "See the failures with: gloss queue; try them again with: gloss queue retry")
		return exitError(1)
	}
	return nil
}

// progressBar shows how a run of the queue goes: a bar redrawn in place on a terminal,
// a line every few seconds otherwise.
type progressBar struct {
	w   io.Writer
	tty bool
	now func() time.Time

	started     bool
	startFailed int // failed items before the run
	last        time.Time
	latest      archive.QueueStats
	drawn       bool // something was drawn
	stale       bool // latest is not drawn yet
}

// Redraw at most this often.
const (
	ttyEvery   = 100 * time.Millisecond
	plainEvery = 5 * time.Second
)

func (p *progressBar) update(s archive.QueueStats) {
	if !p.started {
		p.started, p.startFailed = true, s.Failed
	}
	p.latest, p.stale = s, true
	now := p.now()
	every := plainEvery
	if p.tty {
		every = ttyEvery
	}
	if p.drawn && now.Sub(p.last) < every {
		return
	}
	p.last = now
	p.draw()
}

// finish draws the last state and ends the line.
func (p *progressBar) finish() {
	if !p.started {
		return
	}
	if p.stale {
		p.draw()
	}
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *progressBar) draw() {
	p.drawn, p.stale = true, false
	s := p.latest
	done, total := s.Finished, s.Finished+s.Waiting+s.Running
	failed := s.Failed - p.startFailed
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(done) / secs
	}
	left := "?"
	if rate > 0 {
		left = shortDuration(time.Duration(float64(s.Waiting+s.Running) / rate * float64(time.Second)))
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%d of %d done, %d failed, %.1f a second, about %s left\n", done, total, failed, rate, left)
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d %3d%%  %.1f/s  %s left  %d failed\x1b[K", bar, done, total, pct, rate, left, failed)
}

// shortDuration writes a duration as a person reads it: 45s, 3m05s, 2h10m.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func cmdQueue(e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return cmdQueueRun(e, args[1:])
		case "retry":
			return cmdQueueRetry(e, args[1:])
		case "clear":
			return cmdQueueClear(e, args[1:])
		}
	}
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	state := fs.String("state", "", "list the items in this state: waiting, running, done or failed")
	limit := fs.Int("limit", 0, "list at most this many items (default: all; 20 failures without --state)")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unknown queue command %q (run, retry or clear)", rest[0])
	}
	switch archive.QueueState(*state) {
	case "", archive.QueueWaiting, archive.QueueRunning, archive.QueueDone, archive.QueueFailed:
	default:
		return usagef("unknown state %q (waiting, running, done or failed)", *state)
	}
	return e.withLibrary(func(lib *archive.Library) error {
		if *state != "" || *asJSON {
			items, err := lib.QueueItems(e.ctx, archive.QueueState(*state), *limit)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(e.stdout, toQueueJSON(items))
			}
			for _, it := range items {
				printQueueItem(e.stdout, it)
			}
			return nil
		}
		stats, err := lib.QueueStats(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "waiting %d, running %d, done %d, failed %d\n", stats.Waiting, stats.Running, stats.Done, stats.Failed)
		if stats.Pending > 0 {
			fmt.Fprintf(e.stdout, "%d done with tags or highlights still to attach (gloss queue run attaches them)\n", stats.Pending)
		}
		if stats.Failed == 0 {
			return nil
		}
		n := *limit
		if n <= 0 {
			n = 20
		}
		failed, err := lib.QueueItems(e.ctx, archive.QueueFailed, n)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "failed:")
		for _, it := range failed {
			printQueueItem(e.stdout, it)
		}
		if stats.Failed > len(failed) {
			fmt.Fprintf(e.stdout, "… and %d more: gloss queue --state failed\n", stats.Failed-len(failed))
		}
		return nil
	})
}

func printQueueItem(w io.Writer, it archive.QueueItem) {
	addr := it.URL
	if addr == "" {
		addr = "(" + it.Title + ")"
	}
	line := fmt.Sprintf("%d\t%s\t%s", it.ID, it.State, addr)
	if it.Reason != "" {
		line += "\t" + it.Reason
	} else if it.Title != "" {
		line += "\t" + it.Title
	}
	fmt.Fprintln(w, line)
}

// queueJSON is the stable JSON shape of a queue item in `queue --json`.
type queueJSON struct {
	ID         int64    `json:"id"`
	URL        string   `json:"url"`
	Title      string   `json:"title"`
	State      string   `json:"state"`
	Attempts   int      `json:"attempts"`
	Reason     string   `json:"reason,omitempty"`
	ArticleID  int64    `json:"article_id,omitempty"`
	Source     string   `json:"source"`
	Tags       []string `json:"tags"`
	Highlights int      `json:"highlights"`
	Pending    bool     `json:"pending"`
}

func toQueueJSON(items []archive.QueueItem) []queueJSON {
	out := make([]queueJSON, 0, len(items))
	for _, it := range items {
		out = append(out, queueJSON{
			ID: it.ID, URL: it.URL, Title: it.Title, State: string(it.State), Attempts: it.Attempts, Reason: it.Reason,
			ArticleID: it.ArticleID, Source: string(it.Source), Tags: nonNil(it.Entry.Tags),
			Highlights: len(it.Entry.Highlights), Pending: it.Pending != nil,
		})
	}
	return out
}

func cmdQueueRun(e *env, args []string) error {
	fs := flag.NewFlagSet("queue run", flag.ContinueOnError)
	concurrency := fs.Int("concurrency", 4, "fetches at once (at most 2 from one site)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if *concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	return e.withStore(func(lib *archive.Library, st *annotate.Store) error {
		return e.runQueue(lib, st, *concurrency)
	})
}

func cmdQueueRetry(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("queue retry", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return e.withLibrary(func(lib *archive.Library) error {
		n, err := lib.RetryFailed(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d failed %s queued again; fetch them with: gloss queue run\n", n, plural(n, "item", "items"))
		return nil
	})
}

func cmdQueueClear(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("queue clear", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return e.withLibrary(func(lib *archive.Library) error {
		n, err := lib.ClearDone(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d done %s removed from the queue\n", n, plural(n, "item", "items"))
		return nil
	})
}
