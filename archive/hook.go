package archive

import (
	"context"
	"database/sql"
)

// CaptureHook runs inside the transaction that adds a capture, after the capture has become
// the article's current one. An error rolls the whole capture back. Package annotate uses it
// to re-anchor an article's highlights on the new text in the same transaction, so that a
// capture is never seen without its highlights placed on it.
type CaptureHook func(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error

// OnCapture registers a hook run for every capture added from now on.
func (l *Library) OnCapture(h CaptureHook) {
	l.hooksMu.Lock()
	defer l.hooksMu.Unlock()
	l.hooks = append(l.hooks, h)
}

func (l *Library) runCaptureHooks(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error {
	l.hooksMu.Lock()
	hooks := append([]CaptureHook(nil), l.hooks...)
	l.hooksMu.Unlock()
	for _, h := range hooks {
		if err := h(ctx, tx, articleID, captureID, text); err != nil {
			return err
		}
	}
	return nil
}
