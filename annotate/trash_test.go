package annotate

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestDeleteUndo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	a := f.highlight(t, aid, NewHighlight{Quote: "nine to one", Note: "ratio of moths", Tags: []string{"counts"}})
	b := f.highlight(t, aid, NewHighlight{Quote: "street lamps", Claim: &Claim{Status: ClaimDisputed}})
	c := f.highlight(t, aid, NewHighlight{Quote: "brightest light"})

	ids := func() []string {
		hs, err := f.store.ForArticle(ctx, aid)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return out
	}

	if err := f.store.Delete(ctx, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got != nil {
		t.Errorf("ForArticle after deleting all = %v", got)
	}
	if _, err := f.store.Get(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a deleted highlight: %v, want ErrNotFound", err)
	}
	if got := searchIDs(t, f.lib, "ratio"); got != nil {
		t.Errorf("search finds a deleted highlight's note: %v", got)
	}
	if tags, _ := f.store.Tags(ctx); len(tags) != 0 {
		t.Errorf("Tags counts deleted highlights: %+v", tags)
	}
	if n, _ := f.store.CountArticles(ctx, ListFilter{ClaimStatus: ClaimDisputed}); n != 0 {
		t.Errorf("claim filter counts a deleted highlight: %d", n)
	}
	if err := f.store.SetNote(ctx, HighlightRef(a.ID), "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetNote of a deleted highlight: %v, want ErrNotFound", err)
	}
	trash, err := f.store.Trash(ctx)
	if err != nil || len(trash) != 3 || trash[0].ID != c.ID || trash[0].Deleted.IsZero() {
		t.Fatalf("Trash = %+v, %v", trash, err)
	}

	// Deleting a missing highlight deletes nothing, not even the valid ones.
	if err := f.store.Delete(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a highlight in the trash: %v, want ErrNotFound", err)
	}

	restored, err := f.store.Undo(ctx)
	if err != nil || len(restored) != 1 || !reflect.DeepEqual(restored[0], c) {
		t.Errorf("first Undo = %+v, %v; want %+v", restored, err, c)
	}
	restored, err = f.store.Undo(ctx)
	if err != nil || !reflect.DeepEqual(restored, []Highlight{a, b}) {
		t.Errorf("second Undo = %+v, %v; want [a b]", restored, err)
	}
	if got, want := ids(), []string{a.ID, b.ID, c.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("ForArticle after undo = %v, want %v", got, want)
	}
	if got := searchIDs(t, f.lib, "ratio"); !reflect.DeepEqual(got, []int64{aid}) {
		t.Errorf("search after undo = %v", got)
	}
	if _, err := f.store.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo with an empty trash: %v, want ErrNothingToUndo", err)
	}
}

// TestDeletedFollowsCaptures: a highlight in the trash is re-anchored with the others, so
// that undo brings it back in place on the current text.
func TestDeletedFollowsCaptures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "tilt their backs toward the brightest light"})
	if err := f.store.Delete(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	_, c2 := f.capture(t, mothsURL, mothsV2)
	restored, err := f.store.Undo(ctx)
	if err != nil || len(restored) != 1 {
		t.Fatalf("Undo = %+v, %v", restored, err)
	}
	got := restored[0]
	if got.CaptureID != c2 || got.Status != StatusMoved || mothsV2[got.Start:got.End] != h.Exact {
		t.Errorf("restored on capture %d, %s, at %q; want capture %d, moved", got.CaptureID, got.Status, mothsV2[got.Start:got.End], c2)
	}
}

func TestPurgeTrash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "nine to one", Tags: []string{"t"}, Claim: &Claim{}})
	deletedAt := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	f.clock.set(deletedAt.Add(-time.Second)) // the clock ticks once on reading
	if err := f.store.Delete(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		now     time.Time
		inTrash int
	}{
		{"29 days later", deletedAt.Add(29 * 24 * time.Hour), 1},
		{"exactly 30 days later", deletedAt.Add(TrashRetention), 1},
		{"31 days later", deletedAt.Add(31 * 24 * time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewStore(f.lib, WithClock(func() time.Time { return tt.now })); err != nil {
				t.Fatal(err)
			}
			trash, err := f.store.Trash(ctx)
			if err != nil || len(trash) != tt.inTrash {
				t.Errorf("Trash = %d highlights, %v; want %d", len(trash), err, tt.inTrash)
			}
		})
	}
	for _, table := range []string{"highlights", "highlight_tags", "claims"} {
		if n := f.count(t, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s rows after the purge: %d", table, n)
		}
	}
	if _, err := f.store.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo after the purge: %v, want ErrNothingToUndo", err)
	}
}
