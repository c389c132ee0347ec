package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// KeyedCapture is one capture for AddCaptures: the key of its article, as for
// AddCapture, and the capture.
type KeyedCapture struct {
	Key     string
	Capture Capture
	// Added, when not zero and earlier than now, becomes the article's time added: an
	// entry brought over from another tool keeps the date the user saved it there.
	Added time.Time
}

// CaptureIDs names a capture stored by AddCaptures and its article.
type CaptureIDs struct {
	ArticleID, CaptureID int64
}

// AddCaptures is AddCapture for many captures in one transaction: all are saved, or none
// is. It returns the ids in the order of cs. Raw HTML is compressed on every CPU before
// the write lock is taken, and the whole batch costs one sync to disk instead of one per
// capture, which is what makes a bulk import (or a generated benchmark library) of
// thousands of articles take seconds rather than minutes. Capture hooks run for each
// capture, in the same transaction; images are not part of a batch.
func (l *Library) AddCaptures(ctx context.Context, cs []KeyedCapture) ([]CaptureIDs, error) {
	for i := range cs {
		if strings.TrimSpace(cs[i].Key) == "" {
			return nil, fmt.Errorf("add captures: capture %d: empty article key", i)
		}
	}
	raws, err := compressAll(cs)
	if err != nil {
		return nil, fmt.Errorf("add captures: %w", err)
	}
	ids := make([]CaptureIDs, len(cs))
	err = l.Write(ctx, func(tx *sql.Tx) error {
		for i, kc := range cs {
			key := strings.TrimSpace(kc.Key)
			aid, cid, err := l.addCapture(ctx, tx, key, kc.Capture, raws[i])
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if !kc.Added.IsZero() {
				if err := backdateArticle(ctx, tx, aid, kc.Added); err != nil {
					return fmt.Errorf("%s: time added: %w", key, err)
				}
			}
			if err := l.runCaptureHooks(ctx, tx, aid, cid, kc.Capture.Text); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			ids[i] = CaptureIDs{ArticleID: aid, CaptureID: cid}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add captures: %w", err)
	}
	return ids, nil
}

// compressAll compresses the raw HTML of every capture, spread over the CPUs.
func compressAll(cs []KeyedCapture) ([][]byte, error) {
	out := make([][]byte, len(cs))
	errs := make([]error, len(cs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(cs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = compress(cs[i].Capture.RawHTML)
			}
		}()
	}
	for i := range cs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
