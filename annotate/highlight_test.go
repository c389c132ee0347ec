package annotate

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestHighlightCreate(t *testing.T) {
	f := newFixture(t)
	aid, cid := f.capture(t, mothsURL, mothsV1)
	lamps := strings.Index(mothsV1, "lamps")
	lamps2 := lamps + 1 + strings.Index(mothsV1[lamps+1:], "lamps")
	tests := []struct {
		name      string
		nh        NewHighlight
		wantStart int
		wantExact string
		wantErr   error
	}{
		{"quote", NewHighlight{Quote: "nine to one"}, strings.Index(mothsV1, "nine to one"), "nine to one", nil},
		{"quote with spaces around", NewHighlight{Quote: "  nine to one\n"}, strings.Index(mothsV1, "nine to one"), "nine to one", nil},
		{"typographic quote typed plainly", NewHighlight{Quote: "moths - «les"}, strings.Index(mothsV1, "moths — «les"), "moths — «les", nil},
		{"occurrence 1", NewHighlight{Quote: "lamps", Occurrence: 1}, lamps, "lamps", nil},
		{"occurrence 2", NewHighlight{Quote: "lamps", Occurrence: 2}, lamps2, "lamps", nil},
		{"offsets", NewHighlight{Start: lamps, End: lamps + len("lamps")}, lamps, "lamps", nil},
		{"ambiguous quote", NewHighlight{Quote: "lamps"}, 0, "", ErrQuoteAmbiguous},
		{"occurrence out of range", NewHighlight{Quote: "lamps", Occurrence: 3}, 0, "", ErrOccurrenceRange},
		{"missing quote", NewHighlight{Quote: "caterpillars"}, 0, "", ErrQuoteNotFound},
		{"offsets inside a character", NewHighlight{Start: strings.Index(mothsV1, "é") + 1, End: strings.Index(mothsV1, "é") + 3}, 0, "", ErrInvalidRange},
		{"offsets past the end", NewHighlight{Start: 10, End: len(mothsV1) + 1}, 0, "", ErrInvalidRange},
		{"quote and offsets", NewHighlight{Quote: "lamps", Start: 1, End: 4}, 0, "", ErrInvalid},
		{"nothing", NewHighlight{}, 0, "", ErrInvalid},
		{"unknown colour", NewHighlight{Quote: "nine to one", Color: "grey"}, 0, "", ErrInvalid},
		{"empty tag", NewHighlight{Quote: "nine to one", Tags: []string{" "}}, 0, "", ErrInvalid},
		{"bad claim", NewHighlight{Quote: "nine to one", Claim: &Claim{Kind: "rumour"}}, 0, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := f.store.Highlight(context.Background(), aid, tt.nh)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Start != tt.wantStart || h.Exact != tt.wantExact || mothsV1[h.Start:h.End] != h.Exact {
				t.Errorf("got [%d:%d] %q, want start %d, %q", h.Start, h.End, h.Exact, tt.wantStart, tt.wantExact)
			}
			if h.CaptureID != cid || h.ArticleID != aid || h.Status != StatusAnchored || h.Color != DefaultColor {
				t.Errorf("got capture %d article %d status %s colour %s", h.CaptureID, h.ArticleID, h.Status, h.Color)
			}
			if !strings.HasSuffix(mothsV1[:h.Start], h.Prefix) || !strings.HasPrefix(mothsV1[h.End:], h.Suffix) || h.Prefix == "" {
				t.Errorf("context %q … %q does not surround the passage", h.Prefix, h.Suffix)
			}
		})
	}

	if _, err := f.store.Highlight(context.Background(), 999, NewHighlight{Quote: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("highlight in a missing article: %v, want ErrNotFound", err)
	}
	var qe *QuoteError
	_, err := f.store.Highlight(context.Background(), aid, NewHighlight{Quote: "lamps"})
	if !errors.As(err, &qe) || qe.Count != 2 || !strings.Contains(err.Error(), "2 times") {
		t.Errorf("ambiguous quote error = %v, want a QuoteError counting 2", err)
	}
	_, err = f.store.Highlight(context.Background(), aid, NewHighlight{Quote: "nine", Color: "grey"})
	if err == nil || !strings.Contains(err.Error(), "yellow, green, blue, pink, purple, orange") {
		t.Errorf("unknown colour error = %v, want the colours listed", err)
	}
}

func TestEditAndSearch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	other, _ := f.capture(t, "https://example.org/beetles", "Beetles\n\nBeetles are the largest order of insects.")
	h := f.highlight(t, aid, NewHighlight{Quote: "nine to one", Color: "Green", Note: "Is **phototaxis** the cause?", Tags: []string{"Numbers"}})
	if h.Color != "green" || !reflect.DeepEqual(h.Tags, []string{"numbers"}) {
		t.Errorf("new highlight colour %q tags %v", h.Color, h.Tags)
	}
	for _, q := range []string{"phototaxis", "numbers"} {
		if got := searchIDs(t, f.lib, q); !reflect.DeepEqual(got, []int64{aid}) {
			t.Errorf("search %q = %v, want [%d]", q, got, aid)
		}
	}

	steps := []struct {
		name string
		do   func() error
	}{
		{"note", func() error {
			return f.store.SetNote(ctx, HighlightRef(h.ID), "Counts from **light traps**; entomologists disagree.")
		}},
		{"colour", func() error { return f.store.SetColor(ctx, h.ID, "blue") }},
		{"tags", func() error { return f.store.AddTags(ctx, HighlightRef(h.ID), "Lepidoptera", "#counts", "numbers") }},
		{"untag", func() error { return f.store.RemoveTags(ctx, HighlightRef(h.ID), "numbers", "absent") }},
		{"claim", func() error {
			_, err := f.store.SetClaim(ctx, h.ID, Claim{Claimant: "Ada Lovelace", Kind: KindStatistic, Evidence: EvidenceCited,
				Status: ClaimMisleading, Verdict: "The ratio is exaggerated.", Links: []string{" https://example.org/study ", "https://example.org/study"}})
			return err
		}},
		{"article tag", func() error { return f.store.AddTags(ctx, ArticleRef(aid), "Nocturnal") }},
		{"article note", func() error { return f.store.SetNote(ctx, ArticleRef(aid), "Read for the *orbit* hypothesis.") }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	got, err := f.store.Get(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := h
	want.Note = "Counts from **light traps**; entomologists disagree."
	want.Color = "blue"
	want.Tags = []string{"counts", "lepidoptera"}
	want.Claim = &Claim{Claimant: "Ada Lovelace", Kind: KindStatistic, Evidence: EvidenceCited, Status: ClaimMisleading,
		Verdict: "The ratio is exaggerated.", Links: []string{"https://example.org/study"}, Reviewed: got.Claim.Reviewed}
	want.Updated = got.Updated
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after edits:\n got %+v\nwant %+v", got, want)
	}
	if !got.Updated.After(h.Updated) || got.Claim.Reviewed.IsZero() {
		t.Errorf("updated %v (was %v), reviewed %v", got.Updated, h.Updated, got.Claim.Reviewed)
	}
	meta, err := f.store.ArticleMeta(ctx, aid)
	if err != nil || meta.Note != "Read for the *orbit* hypothesis." || !reflect.DeepEqual(meta.Tags, []string{"nocturnal"}) {
		t.Errorf("ArticleMeta = %+v, %v", meta, err)
	}

	searches := []struct {
		q    string
		want []int64
	}{
		{"entomologists", []int64{aid}}, // highlight note
		{"lepidoptera", []int64{aid}},   // highlight tag
		{"exaggerated", []int64{aid}},   // claim verdict
		{"lovelace", []int64{aid}},      // claimant
		{"misleading", []int64{aid}},    // claim status
		{"nocturnal", []int64{aid}},     // article tag
		{"hypothesis", []int64{aid}},    // article note
		{"phototaxis", nil},             // the replaced note
		{"numbers", nil},                // the removed tag
		{"insects", []int64{other}},     // the text still counts
	}
	for _, s := range searches {
		if got := searchIDs(t, f.lib, s.q); !reflect.DeepEqual(got, s.want) {
			t.Errorf("search %q = %v, want %v", s.q, got, s.want)
		}
	}

	if err := f.store.ClearClaim(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Get(ctx, h.ID); got.Claim != nil {
		t.Errorf("claim after ClearClaim = %+v", got.Claim)
	}
	if got := searchIDs(t, f.lib, "exaggerated"); got != nil {
		t.Errorf("search for the cleared verdict = %v", got)
	}

	missing := "6f9619ff-8b86-d011-b42d-00c04fc964ff"
	errs := []error{
		f.store.SetNote(ctx, HighlightRef(missing), "x"),
		f.store.SetColor(ctx, missing, "blue"),
		f.store.AddTags(ctx, HighlightRef(missing), "x"),
		f.store.AddTags(ctx, ArticleRef(999), "x"),
		f.store.ClearClaim(ctx, missing),
	}
	for i, err := range errs {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("edit %d of a missing highlight or article: %v, want ErrNotFound", i, err)
		}
	}
	if err := f.store.SetColor(ctx, h.ID, "grey"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetColor grey: %v, want ErrInvalid", err)
	}
}

// TestRecapture: a new capture with edited text re-anchors every highlight in the same
// transaction; a passage that is gone leaves an orphan that keeps its quote and comes back
// when a later capture has the passage again.
func TestRecapture(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, c1 := f.capture(t, mothsURL, mothsV1)
	kept := f.highlight(t, aid, NewHighlight{Quote: "nine to one"})
	moved := f.highlight(t, aid, NewHighlight{Quote: "tilt their backs toward the brightest light"})
	gone := f.highlight(t, aid, NewHighlight{Quote: "traps them in orbit around a lamp", Note: "the key finding"})
	edited := f.highlight(t, aid, NewHighlight{Quote: "a recent study suggests"})
	far := f.highlight(t, aid, NewHighlight{Quote: "«les papillons de nuit»"})

	_, c2 := f.capture(t, mothsURL, mothsV2)
	hs, err := f.store.ForArticle(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	type placed struct {
		id      string
		status  HighlightStatus
		capture int64
		text    string
	}
	var got []placed
	for _, h := range hs {
		text := mothsV2
		if h.CaptureID == c1 {
			text = mothsV1
		}
		got = append(got, placed{h.ID, h.Status, h.CaptureID, text[h.Start:h.End]})
		if h.Exact != text[h.Start:h.End] {
			t.Errorf("%s: quote %q but text %q at its position", h.ID, h.Exact, text[h.Start:h.End])
		}
	}
	want := []placed{ // document order, orphans last
		{kept.ID, StatusAnchored, c2, "nine to one"},
		{edited.ID, StatusFuzzy, c2, "a new study suggests"},
		{moved.ID, StatusMoved, c2, "tilt their backs toward the brightest light"},
		{far.ID, StatusMoved, c2, "«les papillons de nuit»"},
		{gone.ID, StatusOrphan, c1, "traps them in orbit around a lamp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after capture 2:\n got %+v\nwant %+v", got, want)
	}
	if orphan := hs[len(hs)-1]; orphan.Note != "the key finding" || orphan.Updated != gone.Updated {
		t.Errorf("orphan note %q, updated %v; want its note kept and no user change", orphan.Note, orphan.Updated)
	}
	orphans, err := f.store.Orphans(ctx)
	if err != nil || len(orphans) != 1 || orphans[0].ID != gone.ID {
		t.Errorf("Orphans = %+v, %v", orphans, err)
	}

	// On the same capture again, nothing moves.
	rep, err := f.store.Reanchor(ctx, aid)
	if want := (Report{Kept: 4, Orphaned: 1}); err != nil || rep != want {
		t.Errorf("Reanchor = %+v, %v; want %+v", rep, err, want)
	}

	// The passage is back: the orphan is placed again.
	_, c3 := f.capture(t, mothsURL, mothsV1)
	back, err := f.store.Get(ctx, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Status == StatusOrphan || back.CaptureID != c3 || mothsV1[back.Start:back.End] != gone.Exact {
		t.Errorf("orphan after the passage came back: %s on capture %d at %q", back.Status, back.CaptureID, mothsV1[back.Start:back.End])
	}
	if orphans, _ := f.store.Orphans(ctx); len(orphans) != 0 {
		t.Errorf("Orphans after the passage came back = %d", len(orphans))
	}
}

func TestReattach(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "traps them in orbit around a lamp"})
	_, c2 := f.capture(t, mothsURL, mothsV2)
	if got, _ := f.store.Get(ctx, h.ID); got.Status != StatusOrphan {
		t.Fatalf("status %s, want orphan", got.Status)
	}
	start := strings.Index(mothsV2, "light traps")
	got, err := f.store.Reattach(ctx, h.ID, start, start+len("light traps"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusAnchored || got.CaptureID != c2 || got.Exact != "light traps" || got.Start != start || !got.Updated.After(h.Updated) {
		t.Errorf("Reattach = %+v", got)
	}
	if _, err := f.store.Reattach(ctx, h.ID, 5, 5); !errors.Is(err, ErrInvalidRange) {
		t.Errorf("Reattach to an empty range: %v, want ErrInvalidRange", err)
	}
	if again, _ := f.store.Get(ctx, h.ID); !reflect.DeepEqual(again, got) {
		t.Errorf("a failed Reattach changed the highlight: %+v", again)
	}
}

func TestPalette(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.SetMeaning(ctx, "Blue", " ask the author "); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Palette(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []PaletteColor{{"yellow", "key point"}, {"green", "evidence"}, {"blue", "ask the author"},
		{"pink", "disagree"}, {"purple", "definition"}, {"orange", "to check"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Palette = %+v, want %+v", got, want)
	}
	var colors []string
	for _, p := range got {
		colors = append(colors, p.Color)
	}
	if !slices.Equal(colors, Colors) {
		t.Errorf("palette colours %v, Colors %v", colors, Colors)
	}
	for _, c := range []string{"grey", ""} {
		if err := f.store.SetMeaning(ctx, c, "x"); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetMeaning(%q): %v, want ErrInvalid", c, err)
		}
	}
}

func BenchmarkReanchor(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	var sb strings.Builder
	for i := range 200 {
		sb.WriteString(strings.ReplaceAll(mothsV1, "Moths", "Moths"+strings.Repeat("I", i%7)))
		sb.WriteString("\n\n")
	}
	text := sb.String()
	aid, _ := f.capture(b, mothsURL, text)
	for i := 0; i < 100; i++ {
		start := i * len(text) / 100
		for !utf8Start(text, start) {
			start++
		}
		end := start + 40
		for !utf8Start(text, end) {
			end++
		}
		if _, err := f.store.Highlight(ctx, aid, NewHighlight{Start: start, End: end}); err != nil {
			b.Fatal(err)
		}
	}
	f.capture(b, mothsURL, strings.Replace(text, "nine to one", "ten to one", 50))
	for b.Loop() {
		if _, err := f.store.Reanchor(ctx, aid); err != nil {
			b.Fatal(err)
		}
	}
}

func utf8Start(s string, i int) bool { return i >= len(s) || s[i]&0xC0 != 0x80 }
