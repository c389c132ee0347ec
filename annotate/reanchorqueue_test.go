package annotate

import (
	"context"
	"fmt"
	"testing"

	"gloss/archive"
)

// TestReanchorQueue follows the articles queued for NewStore to re-anchor: queued when a
// capture comes with no store listening or a highlight is left on another capture, taken
// off by the capture hook, by NewStore, and with the article.
func TestReanchorQueue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, c1 := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "tilt their backs toward the brightest light"})
	f.capture(t, "https://example.org/plain", "Plain\n\nAn article without highlights.")
	queued := func() string {
		t.Helper()
		ids, err := reanchorQueue(ctx, f.lib)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ids)
	}
	withoutStore := func(key, text string) func() error {
		return func() error {
			other, err := archive.Open(f.path)
			if err != nil {
				return err
			}
			if _, _, err := other.AddCapture(ctx, key, archive.Capture{Text: text}); err != nil {
				return err
			}
			return other.Close()
		}
	}
	openStore := func() error { _, err := NewStore(f.lib, WithClock(f.clock.now)); return err }

	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"highlighted with the store open", func() error { return nil }, "[]"},
		{"captured with the store listening", func() error { _, _, err := f.lib.AddCapture(ctx, mothsURL, archive.Capture{Text: mothsV2}); return err }, "[]"},
		{"captured with no store listening", withoutStore(mothsURL, mothsV1), fmt.Sprint([]int64{aid})},
		{"an article without highlights captured so", withoutStore("https://example.org/plain", "Plain\n\nRewritten."), fmt.Sprint([]int64{aid})},
		{"a store opens", openStore, "[]"},
		{"a capture made current with the store listening", func() error {
			_, _, err := f.lib.AddCapture(ctx, mothsURL, archive.Capture{Text: mothsV2})
			return err
		}, "[]"},
		// Behind the store's back (the row's sum no longer matches: no store reads it
		// after this).
		{"a highlight left on an older capture", f.exec(`UPDATE highlights SET checked_capture_id = ? WHERE id = ?`, c1, h.ID), fmt.Sprint([]int64{aid})},
		{"the article deleted", func() error { return f.lib.Delete(ctx, aid) }, "[]"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := queued(); got != s.want {
			t.Errorf("after %s: queued %s, want %s", s.name, got, s.want)
		}
	}
}
