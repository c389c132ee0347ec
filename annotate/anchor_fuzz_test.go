package annotate

import (
	"testing"
	"unicode/utf8"
)

// FuzzAnchor states what must hold for any texts and any selector: Anchor never panics;
// an anchor (any status but orphan) lies inside the new text on rune boundaries and is
// not empty; its text equals the quote byte for byte unless its status is fuzzy; an exact
// anchor is at the old offset; the score is in [0, 1]; AnchorAll agrees with Anchor; and
// the occurrences the anchorer finds through its folded index are those Occurrences finds.
// When start and end do not describe a valid range of oldText, oldText itself is used as
// the quote, with no context and the given offsets, so malformed selectors (invalid UTF-8,
// offsets out of range) are exercised too.
func FuzzAnchor(f *testing.F) {
	f.Add("The quick brown fox jumps over the lazy dog.", "A headline.\n\nThe quick brown fox jumps over the lazy dog.", 4, 19)
	f.Add("one two one two", "two one two one", 0, 7)
	f.Fuzz(func(t *testing.T, oldText, newText string, start, end int) {
		sel, err := Describe(oldText, start, end)
		if err != nil {
			sel = Selector{Position: Position{Start: start, End: end}, Quote: Quote{Exact: oldText}}
		}
		// The anchorer finds exactly the occurrences Occurrences finds.
		if sel.Exact != "" {
			a := newAnchorer(newText)
			exact, _ := a.occurrences(newQuoteContext(sel))
			want := Occurrences(newText, sel.Exact)
			if len(exact) != len(want) {
				t.Fatalf("occurrences %v, Occurrences %v", exact, want)
			}
			for i, p := range exact {
				if p.Start != want[i] || p.End != want[i]+len(sel.Exact) {
					t.Fatalf("occurrences %v, Occurrences %v", exact, want)
				}
			}
		}
		got := Anchor(newText, sel)
		if all := AnchorAll(newText, []Selector{sel, sel}); all[0] != got || all[1] != got {
			t.Fatalf("AnchorAll = %+v, Anchor = %+v", all, got)
		}
		if got.Score < 0 || got.Score > 1 {
			t.Fatalf("score %v outside [0, 1]", got.Score)
		}
		switch got.Status {
		case AnchorOrphan:
			return
		case AnchorExact, AnchorMoved, AnchorFuzzy:
		default:
			t.Fatalf("unknown status %v", got.Status)
		}
		p := got.Position
		if p.Start < 0 || p.End > len(newText) || p.Start >= p.End {
			t.Fatalf("anchor %+v outside a text of %d bytes or empty", p, len(newText))
		}
		if !onRuneBoundary(newText, p.Start) || !onRuneBoundary(newText, p.End) {
			t.Fatalf("anchor %+v not on rune boundaries of %q", p, newText)
		}
		if utf8.ValidString(newText) && (!utf8.ValidString(newText[:p.Start]) || !utf8.ValidString(newText[p.End:])) {
			t.Fatalf("anchor %+v splits a character of %q", p, newText)
		}
		text := newText[p.Start:p.End]
		if got.Status != AnchorFuzzy && text != sel.Exact {
			t.Fatalf("%v anchor holds %q, quote is %q", got.Status, text, sel.Exact)
		}
		if got.Status == AnchorExact && p.Start != sel.Start {
			t.Fatalf("exact anchor at %d, selector at %d", p.Start, sel.Start)
		}
	})
}
