// Package annotate holds what users add on top of an article: highlights, notes, tags and
// claims, and the anchoring that ties each of them to a capture's text.
//
// Anchoring is pure functions over text. A capture's canonical plain text is a UTF-8
// string whose blocks are separated by "\n\n"; offsets are byte offsets into that string
// and always fall on rune boundaries. A highlight keeps two selectors, as the W3C Web
// Annotation model does: a Position (where it was) and a Quote (what it said, with up to
// ContextRunes characters of context on each side). When an article is captured again,
// Anchor finds each highlight in the new text, preferring an orphan to a guess: a wrong
// anchor silently attaches a note to words its author never meant, an orphan only asks
// the user to place it again.
package annotate

import (
	"cmp"
	"errors"
	"fmt"
	"index/suffixarray"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// ContextRunes is how many characters (runes) of context Describe keeps on each side of
// a quote, the length Hypothesis and other W3C TextQuoteSelector producers use.
const ContextRunes = 32

// Position locates a passage by byte offsets into a capture's text: text[Start:End].
type Position struct {
	Start, End int
}

// Quote locates a passage by its words: Exact is the passage itself, Prefix and Suffix
// are up to ContextRunes characters of the text just before and after it.
type Quote struct {
	Exact, Prefix, Suffix string
}

// Selector is what a highlight stores to find its passage again: both where it was and
// what it said.
type Selector struct {
	Position
	Quote
}

// AnchorStatus says how Anchor found a selector in a new text.
type AnchorStatus int

// The anchor statuses. The zero value is AnchorOrphan, so a result nobody filled in is
// never mistaken for an anchor.
const (
	// AnchorOrphan: the passage was not found with enough confidence; the quote is kept
	// and the highlight must be placed again by a person.
	AnchorOrphan AnchorStatus = iota
	// AnchorExact: the quote is at its old position, byte for byte.
	AnchorExact
	// AnchorMoved: the quote was found byte for byte at another position.
	AnchorMoved
	// AnchorFuzzy: a passage similar to the quote, but not identical (edited words,
	// changed typography), was found in the quote's context.
	AnchorFuzzy
)

var anchorStatusNames = [...]string{"orphan", "exact", "moved", "fuzzy"}

// String returns the status's lower-case name, as stored and shown.
func (s AnchorStatus) String() string {
	if s < 0 || int(s) >= len(anchorStatusNames) {
		return fmt.Sprintf("AnchorStatus(%d)", int(s))
	}
	return anchorStatusNames[s]
}

// ParseAnchorStatus returns the status whose String is name.
func ParseAnchorStatus(name string) (AnchorStatus, error) {
	for i, n := range anchorStatusNames {
		if n == name {
			return AnchorStatus(i), nil
		}
	}
	return AnchorOrphan, fmt.Errorf("parse anchor status %q: %w", name, ErrUnknownAnchorStatus)
}

// AnchorResult is where Anchor found a selector. Position is meaningful only when Status
// is not AnchorOrphan. Score is the similarity, from 0 to 1, between the quote and the
// anchored text after both are folded (whitespace runs collapsed, typographic quotes,
// dashes and ellipses made plain, soft hyphens dropped): 1 for AnchorExact and AnchorMoved,
// and for AnchorFuzzy anchors that differ from the quote only in those ways; 0 for orphans.
type AnchorResult struct {
	Status AnchorStatus
	Position
	Score float64
}

// Errors returned by the anchoring functions; test for them with errors.Is.
var (
	// ErrInvalidRange: offsets outside the text, reversed, empty, or inside a rune.
	ErrInvalidRange = errors.New("invalid text range")
	// ErrEmptyQuote: the quote is empty or only whitespace.
	ErrEmptyQuote = errors.New("empty quote")
	// ErrQuoteNotFound: the quote does not occur in the text.
	ErrQuoteNotFound = errors.New("quote not found")
	// ErrQuoteAmbiguous: the quote occurs more than once and no occurrence was given.
	ErrQuoteAmbiguous = errors.New("quote is ambiguous")
	// ErrOccurrenceRange: the occurrence asked for does not exist.
	ErrOccurrenceRange = errors.New("occurrence out of range")
	// ErrUnknownAnchorStatus: a name that is not an AnchorStatus.
	ErrUnknownAnchorStatus = errors.New("unknown anchor status")
)

// QuoteError is the error FindQuote returns when it cannot pick one passage. Err is one of
// ErrQuoteNotFound, ErrQuoteAmbiguous or ErrOccurrenceRange; Count is how many times the
// quote occurs and Occurrence the 1-based occurrence asked for (0 if none).
type QuoteError struct {
	Err        error
	Count      int
	Occurrence int
}

// Error returns one sentence a person can act on.
func (e *QuoteError) Error() string {
	switch {
	case errors.Is(e.Err, ErrQuoteAmbiguous):
		return fmt.Sprintf("%v: it appears %d times; choose an occurrence from 1 to %d", e.Err, e.Count, e.Count)
	case errors.Is(e.Err, ErrOccurrenceRange):
		return fmt.Sprintf("%v: occurrence %d asked for, the quote appears %d %s", e.Err, e.Occurrence, e.Count, plural(e.Count, "time", "times"))
	}
	return e.Err.Error()
}

// Unwrap returns the sentinel, for errors.Is.
func (e *QuoteError) Unwrap() error { return e.Err }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Describe returns the selector for text[start:end]: the position and the quote with up
// to ContextRunes characters of context on each side. The range must be non-empty, inside
// the text and on rune boundaries.
func Describe(text string, start, end int) (Selector, error) {
	if err := checkRange(text, start, end); err != nil {
		return Selector{}, fmt.Errorf("describe: %w", err)
	}
	return Selector{
		Position: Position{Start: start, End: end},
		Quote: Quote{
			Exact:  text[start:end],
			Prefix: text[runesBefore(text, start, ContextRunes):start],
			Suffix: text[end:runesAfter(text, end, ContextRunes)],
		},
	}, nil
}

func checkRange(text string, start, end int) error {
	switch {
	case start < 0 || end > len(text) || start > end:
		return fmt.Errorf("%w: [%d, %d) in a text of %d bytes", ErrInvalidRange, start, end, len(text))
	case start == end:
		return fmt.Errorf("%w: [%d, %d) is empty", ErrInvalidRange, start, end)
	case !onRuneBoundary(text, start):
		return fmt.Errorf("%w: start %d is inside a character", ErrInvalidRange, start)
	case !onRuneBoundary(text, end):
		return fmt.Errorf("%w: end %d is inside a character", ErrInvalidRange, end)
	}
	return nil
}

// onRuneBoundary reports whether decoding s from its start (as range does, one byte per
// invalid byte) reaches offset i.
func onRuneBoundary(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return i == 0 || i == len(s)
	}
	if utf8.RuneStart(s[i]) {
		// A valid sequence never holds a start byte after its first byte.
		return true
	}
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if utf8.RuneStart(s[j]) {
			_, size := utf8.DecodeRuneInString(s[j:])
			return j+size <= i
		}
	}
	return true // no lead byte within reach: i follows stray continuation bytes
}

// boundaryAtOrBefore returns the rune boundary at or before i (clamped to the text).
func boundaryAtOrBefore(s string, i int) int {
	i = max(0, min(i, len(s)))
	for !onRuneBoundary(s, i) {
		i--
	}
	return i
}

// runesBefore returns the offset n runes before the boundary i (or 0).
func runesBefore(s string, i, n int) int {
	from := boundaryAtOrBefore(s, i-utf8.UTFMax*n)
	var starts []int
	for j := from; j < i; {
		starts = append(starts, j)
		_, size := utf8.DecodeRuneInString(s[j:i])
		j += size
	}
	if len(starts) <= n {
		return from
	}
	return starts[len(starts)-n]
}

// runesAfter returns the offset n runes after the boundary i (or len(s)).
func runesAfter(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// ToCodePoints converts a byte offset into text to a Unicode code point offset, the unit
// of the W3C TextPositionSelector. An offset outside the text is clamped; one inside a
// character counts from that character's start.
func ToCodePoints(text string, byteOff int) int {
	return utf8.RuneCountInString(text[:boundaryAtOrBefore(text, byteOff)])
}

// FromCodePoints converts a code point offset into text to a byte offset.
func FromCodePoints(text string, cp int) (int, error) {
	if cp < 0 {
		return 0, fmt.Errorf("code point offset %d: %w", cp, ErrInvalidRange)
	}
	i := 0
	for n := 0; n < cp; n++ {
		if i >= len(text) {
			return 0, fmt.Errorf("code point offset %d in a text of %d code points: %w", cp, n, ErrInvalidRange)
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i, nil
}

// Occurrences returns the byte offsets of every occurrence of exact in text, overlapping
// ones included, in order. Only occurrences that start and end on rune boundaries count.
func Occurrences(text, exact string) []int {
	if exact == "" {
		return nil
	}
	var out []int
	for from := 0; from <= len(text)-len(exact); {
		k := strings.Index(text[from:], exact)
		if k < 0 {
			break
		}
		p := from + k
		if onRuneBoundary(text, p) && onRuneBoundary(text, p+len(exact)) {
			out = append(out, p)
		}
		from = p + 1
	}
	return out
}

// FindQuote returns the position of a quote a person typed or pasted, for creating a
// highlight from it. Whitespace around the quote is ignored. An exact match is tried
// first; failing that, a match that ignores how whitespace is spaced (a run of spaces,
// tabs, newlines or no-break spaces in the quote matches any such run in the text) and
// typographic quotes, dashes, ellipses and soft hyphens. When the quote occurs more than
// once, occurrence (1-based, counting overlapping occurrences) chooses one; 0 means none
// was given. The error is a *QuoteError for a quote that is missing, ambiguous or lacks
// the occurrence asked for.
func FindQuote(text, exact string, occurrence int) (Position, error) {
	q := strings.TrimFunc(exact, unicode.IsSpace)
	if q == "" {
		return Position{}, fmt.Errorf("find quote: %w", ErrEmptyQuote)
	}
	var found []Position
	for _, p := range Occurrences(text, q) {
		found = append(found, Position{Start: p, End: p + len(q)})
	}
	if len(found) == 0 {
		ft := newFoldedText(text)
		fq := foldRunes(q, nil)
		for _, s := range ft.indexAll(fq, -1) {
			p := ft.rawRange(s, s+len(fq))
			if len(found) == 0 || found[len(found)-1] != p {
				found = append(found, p)
			}
		}
	}
	switch {
	case len(found) == 0:
		return Position{}, &QuoteError{Err: ErrQuoteNotFound, Occurrence: occurrence}
	case occurrence < 0 || occurrence > len(found):
		return Position{}, &QuoteError{Err: ErrOccurrenceRange, Count: len(found), Occurrence: occurrence}
	case occurrence == 0 && len(found) > 1:
		return Position{}, &QuoteError{Err: ErrQuoteAmbiguous, Count: len(found)}
	case occurrence == 0:
		return found[0], nil
	}
	return found[occurrence-1], nil
}

// Anchor finds sel in newText, a new capture of the text sel was made on. In order:
//
//  1. the old position still holds the exact quote and both sides of its context agree;
//  2. the exact quote occurs (failing that, the quote with its typography folded): the
//     occurrence whose context agrees best, ties going to the one nearest the old
//     position, if the context supports it (below);
//  3. a passage similar to the quote sits in the quote's context (below);
//  4. otherwise the result is an orphan: a wrong anchor is worse than an orphan.
//
// The status says what was found: AnchorExact and AnchorMoved anchors hold the quote byte
// for byte, at the old offset or elsewhere; any other anchor is AnchorFuzzy. Every anchor
// is non-empty and lies inside newText on rune boundaries.
//
// Context: each side's stored context is compared with the new text next to the
// candidate, allowing edits (similarity = 1 - edit distance / context length). A side
// confirms at >= 0.75 and is strong at >= 0.9, provided the 3 characters next to the
// candidate agree exactly, the stored context has at least 8 characters or ends at the
// text's edge (it then confirms only at the new text's edge), and the candidate's edge
// does not cut through a word where the old selection's did not.
//
// Occurrences of the quote (n = its length in folded characters) need both sides to
// confirm; or one side, n >= 16 and no other occurrence with any confirming side; or
// n >= 32 and no other occurrence.
//
// Fuzzy passages need a similarity to the quote (the same measure) of at least 0.6 with
// both sides strong, or 0.8 with both sides confirming. Candidates rank by that
// similarity plus the mean context similarity; an occurrence of the quote beats a fuzzy
// region over it (text was added next to the quote); a runner-up elsewhere within 0.1 of
// the best gives an orphan.
func Anchor(newText string, sel Selector) AnchorResult {
	return newAnchorer(newText).anchor(sel)
}

// AnchorAll anchors many selectors in one text, sharing the work of folding the text.
// The results are in the order of sels.
func AnchorAll(newText string, sels []Selector) []AnchorResult {
	a := newAnchorer(newText)
	out := make([]AnchorResult, len(sels))
	for i, sel := range sels {
		out[i] = a.anchor(sel)
	}
	return out
}

// Thresholds; Anchor's doc comment explains them. Changing one changes what users see as
// a wrong anchor or an orphan: re-run the corpus test (anchor_corpus_test.go).
const (
	sideConfirm       = 0.75
	sideStrong        = 0.9
	minContextRunes   = 8  // a shorter stored context (not at the text's edge) is no evidence
	minAdjacentRunes  = 3  // context that must agree exactly next to the passage
	oneSideExactRunes = 16 // exact quotes this long need only one confirming side
	uniqueExactRunes  = 32 // exact quotes this long need no context if unique
	fuzzyBothStrong   = 0.6
	fuzzyBothConfirm  = 0.8
	tieMargin         = 0.1
)

// Fuzzy search parameters.
const (
	probeRunes     = 12 // length of the exact probes that seed candidate regions
	maxQuoteProbes = 8  // probes taken from the quote itself
	maxProbeHits   = 16 // a probe found more often than this is too common to say anything
	maxWindows     = 4  // candidate regions aligned against the quote
	maxBrackets    = 8  // regions between context boundaries scored
)

// foldedText is a text folded for comparison (see foldEach) with a map back to the raw
// text: folded rune i came from raw[src[i]:srcEnd[i]].
type foldedText struct {
	raw    string
	s      string             // the folded text
	sa     *suffixarray.Index // of s, built by the first search
	runes  []rune             // the folded runes
	roff   []int32            // byte offset in s of each folded rune, plus len(s)
	src    []int32
	srcEnd []int32
}

// foldEach calls emit for each rune of the folded form of s with the raw byte range it
// came from. Folding collapses each run of whitespace (no-break spaces included) to one
// space, drops soft hyphens and zero-width characters, makes typographic quotes, primes
// and dashes plain and spells an ellipsis as three dots: the differences between two
// captures of one page that carry no meaning.
func foldEach(s string, emit func(r rune, start, end int)) {
	spaceStart, spaceEnd := -1, -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case r == '\u00ad' || r == '\u200b' || r == '\u2060' || r == '\ufeff':
		case unicode.IsSpace(r):
			if spaceStart < 0 {
				spaceStart = i
			}
			spaceEnd = j
		default:
			if spaceStart >= 0 {
				emit(' ', spaceStart, spaceEnd)
				spaceStart = -1
			}
			switch r {
			case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032':
				r = '\''
			case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033':
				r = '"'
			case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
				r = '-'
			case '\u2026':
				emit('.', i, j)
				emit('.', i, j)
				r = '.'
			}
			emit(r, i, j)
		}
		i = j
	}
	if spaceStart >= 0 {
		emit(' ', spaceStart, spaceEnd)
	}
}

// foldRunes appends the folded runes of s to dst.
func foldRunes(s string, dst []rune) []rune {
	foldEach(s, func(r rune, _, _ int) { dst = append(dst, r) })
	return dst
}

func newFoldedText(raw string) *foldedText {
	ft := &foldedText{
		raw:    raw,
		runes:  make([]rune, 0, len(raw)),
		roff:   make([]int32, 0, len(raw)+1),
		src:    make([]int32, 0, len(raw)),
		srcEnd: make([]int32, 0, len(raw)),
	}
	var b strings.Builder
	b.Grow(len(raw))
	foldEach(raw, func(r rune, start, end int) {
		ft.roff = append(ft.roff, int32(b.Len()))
		b.WriteRune(r)
		ft.runes = append(ft.runes, r)
		ft.src = append(ft.src, int32(start))
		ft.srcEnd = append(ft.srcEnd, int32(end))
	})
	ft.roff = append(ft.roff, int32(b.Len()))
	ft.s = b.String()
	return ft
}

// foldsAsItself reports whether s starts and ends with a character that folding neither
// drops nor merges with its neighbours, so that wherever s occurs in a text, its folded
// form occurs in the folded text at the corresponding place.
func foldsAsItself(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	kept := func(r rune) bool {
		return !unicode.IsSpace(r) && r != '\u00ad' && r != '\u200b' && r != '\u2060' && r != '\ufeff'
	}
	return s != "" && kept(first) && kept(last)
}

// foldedIndex returns the index of the first folded rune that starts at or after raw
// byte offset p: where p falls in the folded text.
func (ft *foldedText) foldedIndex(p int) int {
	return sort.Search(len(ft.src), func(i int) bool { return int(ft.src[i]) >= p })
}

// rawRange maps folded runes [s, e) (s < e) back to the raw byte range they came from.
func (ft *foldedText) rawRange(s, e int) Position {
	return Position{Start: int(ft.src[s]), End: int(ft.srcEnd[e-1])}
}

// indexAll returns the folded rune indices where pat occurs, overlapping ones included,
// in order; nil if there are more than limit (limit < 0: no limit). The first call builds
// a suffix array of the folded text, shared by every later search: each search then costs
// O(len(pat) * log(len(text))) instead of a scan of the text.
func (ft *foldedText) indexAll(pat []rune, limit int) []int {
	if len(pat) == 0 {
		return nil
	}
	if ft.sa == nil {
		ft.sa = suffixarray.New([]byte(ft.s))
	}
	n := -1
	if limit >= 0 {
		n = limit + 1
	}
	offs := ft.sa.Lookup([]byte(string(pat)), n)
	if limit >= 0 && len(offs) > limit {
		return nil
	}
	slices.Sort(offs)
	out := make([]int, len(offs))
	for i, b := range offs {
		// Both strings are valid UTF-8, so b is a rune start in s.
		out[i], _ = slices.BinarySearch(ft.roff, int32(b))
	}
	return out
}

// anchorer anchors selectors in one text; it holds the folded text and scratch space.
type anchorer struct {
	ft       *foldedText
	row, prv []int32 // dynamic-programming rows
	ra, rb   []rune  // reversed contexts
	dmp      *diffmatchpatch.DiffMatchPatch
}

func newAnchorer(text string) *anchorer {
	return &anchorer{ft: newFoldedText(text)}
}

// quoteContext is a selector folded for comparison.
type quoteContext struct {
	sel         Selector
	q, pre, suf []rune
	preAtEdge   bool // the stored prefix is short because the passage began the text
	sufAtEdge   bool
	leftSplit   bool // the old selection began inside a word
	rightSplit  bool
	fwd, rev    *bitPattern // the quote and the quote reversed, made when needed
}

func (c *quoteContext) forward() *bitPattern {
	if c.fwd == nil {
		c.fwd = newBitPattern(c.q)
	}
	return c.fwd
}

func (c *quoteContext) reversed() *bitPattern {
	if c.rev == nil {
		c.rev = newBitPattern(appendReversed(nil, c.q))
	}
	return c.rev
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func newQuoteContext(sel Selector) *quoteContext {
	c := &quoteContext{
		sel:       sel,
		q:         foldRunes(sel.Exact, nil),
		pre:       foldRunes(sel.Prefix, nil),
		suf:       foldRunes(sel.Suffix, nil),
		preAtEdge: utf8.RuneCountInString(sel.Prefix) < ContextRunes,
		sufAtEdge: utf8.RuneCountInString(sel.Suffix) < ContextRunes,
	}
	// Only the context next to the quote counts; a selector from elsewhere may carry more.
	c.pre = c.pre[max(0, len(c.pre)-2*ContextRunes):]
	c.suf = c.suf[:min(len(c.suf), 2*ContextRunes)]
	if len(c.q) > 0 {
		if len(c.pre) > 0 {
			c.leftSplit = isWordRune(c.pre[len(c.pre)-1]) && isWordRune(c.q[0])
		}
		if len(c.suf) > 0 {
			c.rightSplit = isWordRune(c.q[len(c.q)-1]) && isWordRune(c.suf[0])
		}
	}
	return c
}

// side is how well one side's stored context agrees with the new text.
type side struct {
	sim             float64
	confirm, strong bool
	split           bool // the edge cuts a word the old selection did not cut
}

func makeSide(sim float64, enough bool) side {
	return side{sim: sim, confirm: enough && sim >= sideConfirm, strong: enough && sim >= sideStrong}
}

// sides compares the stored context with the new text around folded runes [fs, fe).
// Besides the edit similarity, a side needs minAdjacentRunes (or its whole stored
// context, if shorter) to agree exactly right next to the candidate: text inserted or
// rewritten at the very edge of a passage is the change most likely to mean the passage
// is another one.
func (a *anchorer) sides(c *quoteContext, fs, fe int) (left, right side) {
	fr := a.ft.runes
	// Left.
	k := len(c.pre)
	adj := 0
	for adj < k && adj < fs && c.pre[k-1-adj] == fr[fs-1-adj] {
		adj++
	}
	adjOK := adj >= min(k, minAdjacentRunes)
	switch {
	case c.preAtEdge && fs > k+4:
		left = makeSide(0, true)
	case c.preAtEdge:
		left = makeSide(a.similarity(c.pre, fr[:fs]), adjOK)
	default:
		w := fr[max(0, fs-k-minContextRunes):fs]
		a.ra = appendReversed(a.ra[:0], c.pre)
		a.rb = appendReversed(a.rb[:0], w)
		left = makeSide(1-float64(a.prefixDistance(a.ra, a.rb))/float64(max(k, 1)), adjOK && k >= minContextRunes)
	}
	if !c.leftSplit && fs > 0 && fs < len(fr) && fs < fe && isWordRune(fr[fs-1]) && isWordRune(fr[fs]) {
		left = makeSide(min(left.sim, 0.5), false)
		left.split = true
	}
	// Right.
	k = len(c.suf)
	adj = 0
	for adj < k && fe+adj < len(fr) && c.suf[adj] == fr[fe+adj] {
		adj++
	}
	adjOK = adj >= min(k, minAdjacentRunes)
	switch {
	case c.sufAtEdge && len(fr)-fe > k+4:
		right = makeSide(0, true)
	case c.sufAtEdge:
		right = makeSide(a.similarity(c.suf, fr[fe:]), adjOK)
	default:
		w := fr[fe:min(len(fr), fe+k+minContextRunes)]
		right = makeSide(1-float64(a.prefixDistance(c.suf, w))/float64(max(k, 1)), adjOK && k >= minContextRunes)
	}
	if !c.rightSplit && fe > 0 && fe < len(fr) && fs < fe && isWordRune(fr[fe-1]) && isWordRune(fr[fe]) {
		right = makeSide(min(right.sim, 0.5), false)
		right.split = true
	}
	return left, right
}

func appendReversed(dst, src []rune) []rune {
	for i := len(src) - 1; i >= 0; i-- {
		dst = append(dst, src[i])
	}
	return dst
}

func (a *anchorer) rows(n int) {
	if cap(a.row) < n {
		a.row, a.prv = make([]int32, n), make([]int32, n)
	}
	a.row, a.prv = a.row[:n], a.prv[:n]
}

// editDistance is the Levenshtein distance between x and y.
func (a *anchorer) editDistance(x, y []rune) int {
	if len(x) < len(y) {
		x, y = y, x
	}
	a.rows(len(y) + 1)
	prv, row := a.prv, a.row
	for j := range prv {
		prv[j] = int32(j)
	}
	for i := 1; i <= len(x); i++ {
		row[0] = int32(i)
		for j := 1; j <= len(y); j++ {
			d := prv[j-1]
			if x[i-1] != y[j-1] {
				d++
			}
			d = min(d, prv[j]+1, row[j-1]+1)
			row[j] = d
		}
		prv, row = row, prv
	}
	return int(prv[len(y)])
}

// similarity is 1 - editDistance / the longer length: 1 for equal runes, 0 for nothing
// in common.
func (a *anchorer) similarity(x, y []rune) float64 {
	n := max(len(x), len(y))
	if n == 0 {
		return 1
	}
	return 1 - float64(a.editDistance(x, y))/float64(n)
}

// prefixDistance is the least edit distance between all of x and some prefix of y.
func (a *anchorer) prefixDistance(x, y []rune) int {
	a.rows(len(y) + 1)
	prv, row := a.prv, a.row
	for j := range prv {
		prv[j] = int32(j)
	}
	for i := 1; i <= len(x); i++ {
		row[0] = int32(i)
		for j := 1; j <= len(y); j++ {
			d := prv[j-1]
			if x[i-1] != y[j-1] {
				d++
			}
			row[j] = min(d, prv[j]+1, row[j-1]+1)
		}
		prv, row = row, prv
	}
	return int(slices.Min(prv))
}

// bitPattern is a pattern prepared for Myers' bit-parallel edit distance (G. Myers, "A
// fast bit-vector algorithm for approximate string matching based on dynamic
// programming", J. ACM 46(3), 1999), in blocks of 64 pattern characters. It computes a
// column of the edit-distance table per text character in len(p)/64 word operations, so
// fuzzy search costs O(len(text) * len(p)/64) for a quote of any length, where
// diff-match-patch's Bitap stops at 32 characters and a plain table costs 64 times more.
type bitPattern struct {
	m      int
	peq    map[rune][]uint64 // for each rune, the pattern positions that hold it
	zero   []uint64
	pv, mv []uint64 // vertical deltas of the current column: +1 and -1
	high   uint64   // the last block's bit for pattern position m-1
}

func newBitPattern(p []rune) *bitPattern {
	nb := (len(p) + 63) / 64
	bp := &bitPattern{
		m:    len(p),
		peq:  make(map[rune][]uint64),
		zero: make([]uint64, nb),
		pv:   make([]uint64, nb),
		mv:   make([]uint64, nb),
		high: 1 << uint((len(p)+63)%64),
	}
	for i, r := range p {
		v := bp.peq[r]
		if v == nil {
			v = make([]uint64, nb)
			bp.peq[r] = v
		}
		v[i/64] |= 1 << uint(i%64)
	}
	return bp
}

func (bp *bitPattern) reset() {
	for b := range bp.pv {
		bp.pv[b], bp.mv[b] = ^uint64(0), 0
	}
}

// step advances the table by one text character. hin is the score change along the row
// above the pattern: 0 lets a match start anywhere, +1 anchors it at the text's start.
// It returns the score change in the pattern's last row (Myers' advance_block, chained).
func (bp *bitPattern) step(c rune, hin int) int {
	eqv, ok := bp.peq[c]
	if !ok {
		eqv = bp.zero
	}
	last := len(bp.pv) - 1
	for b := 0; b <= last; b++ {
		pv, mv, eq := bp.pv[b], bp.mv[b], eqv[b]
		xv := eq | mv
		if hin < 0 {
			eq |= 1
		}
		xh := (((eq & pv) + pv) ^ pv) | eq
		ph := mv | ^(xh | pv)
		mh := pv & xh
		hb := uint64(1) << 63
		if b == last {
			hb = bp.high
		}
		hout := 0
		if ph&hb != 0 {
			hout = 1
		} else if mh&hb != 0 {
			hout = -1
		}
		ph <<= 1
		mh <<= 1
		if hin < 0 {
			mh |= 1
		} else if hin > 0 {
			ph |= 1
		}
		bp.pv[b] = mh | ^(xv | ph)
		bp.mv[b] = ph & xv
		hin = hout
	}
	return hin
}

// distance returns the edit distance between the pattern and t.
func (bp *bitPattern) distance(t []rune) int {
	bp.reset()
	score := bp.m
	for _, c := range t {
		score += bp.step(c, 1)
	}
	return score
}

// bestEnd returns the least edit distance between the pattern and a substring of t, and
// the end of the last such substring.
func (bp *bitPattern) bestEnd(t []rune) (dist, end int) {
	bp.reset()
	score := bp.m
	dist = score
	for j, c := range t {
		score += bp.step(c, 0)
		if score <= dist {
			dist, end = score, j+1
		}
	}
	return dist, end
}

// bestPrefix returns the least edit distance between the pattern and a prefix of t, and
// the end of the longest such prefix.
func (bp *bitPattern) bestPrefix(t []rune) (dist, end int) {
	bp.reset()
	score := bp.m
	dist = score
	for j, c := range t {
		score += bp.step(c, 1)
		if score <= dist {
			dist, end = score, j+1
		}
	}
	return dist, end
}

// candidate is a place in the new text that might hold the quote, with the evidence for
// it: how similar its text is to the quote and how well each side's context agrees.
type candidate struct {
	pos         Position
	sim         float64
	left, right side
}

func (c candidate) rank() float64 { return c.sim + (c.left.sim+c.right.sim)/2 }

func (a *anchorer) anchor(sel Selector) AnchorResult {
	raw := a.ft.raw
	if sel.Exact == "" || raw == "" {
		return AnchorResult{}
	}
	c := newQuoteContext(sel)
	if len(c.q) == 0 {
		return AnchorResult{}
	}
	// 1. Still in place.
	if sel.Start >= 0 && sel.End <= len(raw) && sel.Start <= sel.End && raw[sel.Start:sel.End] == sel.Exact &&
		onRuneBoundary(raw, sel.Start) && onRuneBoundary(raw, sel.End) {
		l, r := a.sides(c, a.ft.foldedIndex(sel.Start), a.ft.foldedIndex(sel.End))
		if l.confirm && r.confirm {
			return AnchorResult{Status: AnchorExact, Position: sel.Position, Score: 1}
		}
	}
	// 2. The exact quote elsewhere, or the quote with its typography folded. The chosen
	// occurrence goes into a pool with the fuzzy candidates, so that an edited passage in
	// its full context beats a copy of the quote elsewhere.
	var pool []candidate
	exact, folded := a.occurrences(c)
	occ := slices.Concat(exact, folded)
	slices.SortFunc(occ, func(x, y Position) int { return cmp.Or(x.Start-y.Start, x.End-y.End) })
	occ = slices.Compact(occ)
	if cand, ok := a.pickOccurrence(c, occ); ok {
		pool = append(pool, cand)
	}
	// 3. Similar passages in context, found even when an occurrence was: an edited copy
	// of the passage in the same context is a rival that makes the choice a guess.
	// Occurrences of the quote were judged above, with the tie rule; they are not judged
	// again as fuzzy regions.
	judged := make(map[Position]bool, len(occ))
	for _, p := range occ {
		judged[p] = true
	}
	pool = append(pool, a.fuzzy(c, judged)...)
	best, ok := choose(pool)
	if !ok {
		return AnchorResult{}
	}
	// A fuzzy region over an occurrence of the quote is the quote with text added next to
	// it, unless the occurrence cuts through a word where the old selection did not (then
	// a word at the quote's edge was changed).
	if best.sim < 1 {
		for _, p := range occ {
			if p.Start < best.pos.End && best.pos.Start < p.End {
				o := candidate{pos: p, sim: 1}
				o.left, o.right = a.sides(c, a.ft.foldedIndex(p.Start), a.ft.foldedIndex(p.End))
				if !o.left.split && !o.right.split {
					best = o
					break
				}
			}
		}
	}
	return a.result(sel, best)
}

// occurrences returns the positions of the exact quote and of the folded quote in the
// text, in order.
func (a *anchorer) occurrences(c *quoteContext) (exact, folded []Position) {
	raw, q := a.ft.raw, c.sel.Exact
	at := a.ft.indexAll(c.q, -1)
	for _, s := range at {
		if p := a.ft.rawRange(s, s+len(c.q)); len(folded) == 0 || folded[len(folded)-1] != p {
			folded = append(folded, p)
		}
	}
	if !foldsAsItself(q) {
		for _, p := range Occurrences(raw, q) {
			exact = append(exact, Position{Start: p, End: p + len(q)})
		}
		return exact, folded
	}
	// Every exact occurrence is also a folded one, starting where it does.
	for _, s := range at {
		p := Position{Start: int(a.ft.src[s]), End: int(a.ft.src[s]) + len(q)}
		if strings.HasPrefix(raw[p.Start:], q) && (len(exact) == 0 || exact[len(exact)-1] != p) {
			exact = append(exact, p)
		}
	}
	return exact, folded
}

// result labels an anchor by what it holds: the exact quote at the old offset, the exact
// quote elsewhere, or something else (fuzzy).
func (a *anchorer) result(sel Selector, c candidate) AnchorResult {
	switch p := c.pos; {
	case a.ft.raw[p.Start:p.End] != sel.Exact:
		return AnchorResult{Status: AnchorFuzzy, Position: p, Score: c.sim}
	case p.Start == sel.Start:
		return AnchorResult{Status: AnchorExact, Position: p, Score: 1}
	default:
		return AnchorResult{Status: AnchorMoved, Position: p, Score: 1}
	}
}

// choose returns the best-ranked candidate, unless another one elsewhere ranks nearly as
// well: then there is no telling which is meant.
func choose(pool []candidate) (candidate, bool) {
	if len(pool) == 0 {
		return candidate{}, false
	}
	slices.SortStableFunc(pool, func(x, y candidate) int {
		switch rx, ry := x.rank(), y.rank(); {
		case rx > ry:
			return -1
		case rx < ry:
			return 1
		}
		return 0
	})
	best := pool[0]
	for _, o := range pool[1:] {
		overlap := o.pos.Start < best.pos.End && best.pos.Start < o.pos.End
		if !overlap && best.rank()-o.rank() < tieMargin {
			return candidate{}, false
		}
	}
	return best, true
}

// pickOccurrence chooses among positions that hold the quote, exactly or folded: the best
// context agreement, ties nearest the old position. It accepts the choice when both sides
// confirm it; when one side does, the quote is long enough and no other occurrence has
// confirming context (a side every copy shares tells them apart no better than a coin);
// or when the quote is long and the only occurrence.
func (a *anchorer) pickOccurrence(c *quoteContext, ps []Position) (candidate, bool) {
	best := -1
	var cands []candidate
	for i, p := range ps {
		cand := candidate{pos: p, sim: 1}
		cand.left, cand.right = a.sides(c, a.ft.foldedIndex(p.Start), a.ft.foldedIndex(p.End))
		cands = append(cands, cand)
		if best < 0 {
			best = i
			continue
		}
		score, bestScore := cand.rank(), cands[best].rank()
		if score > bestScore+1e-9 ||
			(score > bestScore-1e-9 && abs(p.Start-c.sel.Start) < abs(ps[best].Start-c.sel.Start)) {
			best = i
		}
	}
	if best < 0 {
		return candidate{}, false
	}
	b, n := cands[best], len(c.q)
	switch {
	case b.left.confirm && b.right.confirm:
		return b, true
	case n >= oneSideExactRunes && (b.left.confirm || b.right.confirm):
		for i, o := range cands {
			if i != best && (o.left.confirm || o.right.confirm) {
				return candidate{}, false
			}
		}
		return b, true
	case n >= uniqueExactRunes && len(ps) == 1:
		return b, true
	}
	return candidate{}, false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// acceptFuzzy says whether a passage of similarity sim to the quote, with these sides,
// is the quote's new place. Both sides must confirm: with one side only, an edited copy
// of the quote elsewhere (a pull quote, a repeated quotation) looks the same as the
// quote with text inserted next to it.
func acceptFuzzy(l, r side, sim float64) bool {
	switch {
	case l.strong && r.strong:
		return sim >= fuzzyBothStrong
	case l.confirm && r.confirm:
		return sim >= fuzzyBothConfirm
	}
	return false
}

// fuzzy returns the passages similar to the quote that pass acceptFuzzy. Candidates come
// from two sources: regions bracketed by the stored prefix's end and suffix's start, and
// regions seeded by exact probes (short pieces of the quote and its context) and aligned
// against the whole quote, their edges moved to word edges when the old selection had
// word edges.
func (a *anchorer) fuzzy(c *quoteContext, judged map[Position]bool) []candidate {
	fr := a.ft.runes
	n := len(c.q)
	var lefts, rights []int
	spans := a.brackets(c, &lefts, &rights)

	// Regions seeded by probes, each an estimate of where the quote starts.
	votes := make([]int, 0, 16)
	votes = append(votes, lefts...)
	for _, r := range rights {
		votes = append(votes, r-n)
	}
	if n < 2*probeRunes {
		if n >= 4 {
			votes = append(votes, a.ft.indexAll(c.q, maxProbeHits)...)
		}
	} else {
		count := min(maxQuoteProbes, n/probeRunes)
		for k := range count {
			off := k * (n - probeRunes) / max(1, count-1)
			for _, i := range a.ft.indexAll(c.q[off:off+probeRunes], maxProbeHits) {
				votes = append(votes, i-off)
			}
		}
	}
	if len(votes) == 0 {
		votes = a.bitapSeed(c)
	}
	for _, w := range clusterVotes(votes, 8+n/8, maxWindows) {
		slack := 8 + n/4
		w0, w1 := max(0, w[0]-slack), min(len(fr), w[1]+n+slack)
		if w0 >= w1 {
			continue
		}
		// The best end by a forward search, then the best start by a backward one.
		win := fr[w0:w1]
		_, e := c.forward().bestEnd(win)
		a.rb = appendReversed(a.rb[:0], win[:e])
		_, back := c.reversed().bestPrefix(a.rb)
		spans = append(spans, a.wordEdges(c, w0+e-back, w0+e)...)
	}
	return a.scoreSpans(c, spans, judged)
}

// brackets returns the regions between an occurrence of the stored prefix's end and an
// occurrence of the stored suffix's start, about as long as the quote; it reports the
// boundaries it found through lefts and rights when they are not nil.
func (a *anchorer) brackets(c *quoteContext, lefts, rights *[]int) [][2]int {
	fr := a.ft.runes
	n := len(c.q)
	var ls, rs []int
	switch {
	case len(c.pre) == 0 && c.preAtEdge:
		ls = []int{0}
	case len(c.pre) >= 4:
		for _, size := range []int{probeRunes, len(c.pre)} {
			// The part next to the quote; all of it if that part is too common.
			probe := c.pre[max(0, len(c.pre)-size):]
			if hits := a.ft.indexAll(probe, maxProbeHits); hits != nil || size >= len(c.pre) {
				for _, i := range hits {
					ls = append(ls, i+len(probe))
				}
				break
			}
		}
	}
	switch {
	case len(c.suf) == 0 && c.sufAtEdge:
		rs = []int{len(fr)}
	case len(c.suf) >= 4:
		for _, size := range []int{probeRunes, len(c.suf)} {
			if hits := a.ft.indexAll(c.suf[:min(len(c.suf), size)], maxProbeHits); hits != nil || size >= len(c.suf) {
				rs = hits
				break
			}
		}
	}
	var spans [][2]int
	lo, hi := n/2, n+n/2+16
	for _, l := range ls {
		for _, r := range rs {
			if d := r - l; d > 0 && d >= lo && d <= hi {
				spans = append(spans, [2]int{l, r})
			}
		}
	}
	// Repetitive text can pair many boundaries; the regions closest to the quote's
	// length are the plausible ones.
	if len(spans) > maxBrackets {
		slices.SortStableFunc(spans, func(x, y [2]int) int { return abs(x[1]-x[0]-n) - abs(y[1]-y[0]-n) })
		spans = spans[:maxBrackets]
	}
	if lefts != nil {
		*lefts, *rights = ls, rs
	}
	return spans
}

// scoreSpans scores regions of the folded text as the quote's new place and returns those
// that pass acceptFuzzy, leaving out the judged ones.
func (a *anchorer) scoreSpans(c *quoteContext, spans [][2]int, judged map[Position]bool) []candidate {
	fr := a.ft.runes
	n := len(c.q)
	var accepted []candidate
	seen := make(map[[2]int]bool, len(spans))
	for _, sp := range spans {
		fs, fe := sp[0], sp[1]
		// Trim whitespace the quote does not have at its edges.
		if c.q[0] != ' ' && fs < fe && fr[fs] == ' ' {
			fs++
		}
		if c.q[n-1] != ' ' && fs < fe && fr[fe-1] == ' ' {
			fe--
		}
		if fs >= fe || seen[[2]int{fs, fe}] {
			continue
		}
		seen[[2]int{fs, fe}] = true
		cand := candidate{pos: a.ft.rawRange(fs, fe)}
		// The edit distance is at least the difference in length: skip regions whose
		// length alone keeps them below every threshold.
		if judged[cand.pos] || 1-float64(abs(fe-fs-n))/float64(max(n, fe-fs)) < fuzzyBothStrong {
			continue
		}
		cand.sim = 1 - float64(c.forward().distance(fr[fs:fe]))/float64(max(n, fe-fs))
		cand.left, cand.right = a.sides(c, fs, fe)
		if acceptFuzzy(cand.left, cand.right, cand.sim) {
			accepted = append(accepted, cand)
		}
	}
	return accepted
}

// wordEdges returns the span [fs, fe) found by alignment, and, where the old selection
// began (ended) at a word's edge but the span starts (ends) inside a word, the spans with
// that edge moved out to the word's edge and in past the word: alignment alone cannot
// tell whether a replaced word at the edge belongs to the passage.
func (a *anchorer) wordEdges(c *quoteContext, fs, fe int) [][2]int {
	fr := a.ft.runes
	inWord := func(i int) bool { return i > 0 && i < len(fr) && isWordRune(fr[i-1]) && isWordRune(fr[i]) }
	starts, ends := []int{fs}, []int{fe}
	if !c.leftSplit && inWord(fs) {
		out, in := fs, fs
		for out > 0 && isWordRune(fr[out-1]) {
			out--
		}
		for in < fe && isWordRune(fr[in]) {
			in++
		}
		starts = []int{out, in}
	}
	if !c.rightSplit && inWord(fe) {
		out, in := fe, fe
		for out < len(fr) && isWordRune(fr[out]) {
			out++
		}
		for in > fs && isWordRune(fr[in-1]) {
			in--
		}
		ends = []int{out, in}
	}
	spans := make([][2]int, 0, len(starts)*len(ends))
	for _, s := range starts {
		for _, e := range ends {
			if s < e {
				spans = append(spans, [2]int{s, e})
			}
		}
	}
	return spans
}

// bitapSeed is the last resort for seeding: diff-match-patch's Bitap search for the
// quote's first bytes (it handles at most 32) near the old position. It only proposes a
// region; the region still has to pass the same scoring as any other.
func (a *anchorer) bitapSeed(c *quoteContext) []int {
	if a.dmp == nil {
		a.dmp = diffmatchpatch.New()
		a.dmp.MatchThreshold = 0.35
		a.dmp.MatchDistance = 1000
	}
	pat := string(c.q)
	if len(pat) > a.dmp.MatchMaxBits {
		cut := a.dmp.MatchMaxBits
		for cut > 0 && !utf8.RuneStart(pat[cut]) {
			cut--
		}
		pat = pat[:cut]
	}
	if pat == "" {
		return nil
	}
	loc := 0
	if fi := a.ft.foldedIndex(c.sel.Start); fi < len(a.ft.roff) {
		loc = int(a.ft.roff[fi])
	}
	b := a.dmp.MatchMain(a.ft.s, pat, loc)
	if b < 0 {
		return nil
	}
	i, _ := slices.BinarySearch(a.ft.roff, int32(b))
	return []int{min(i, len(a.ft.runes))}
}

// clusterVotes groups start estimates that lie within gap of each other and returns the
// [first, last] estimate of the limit best-supported groups.
func clusterVotes(votes []int, gap, limit int) [][2]int {
	if len(votes) == 0 {
		return nil
	}
	slices.Sort(votes)
	type cluster struct{ lo, hi, n int }
	var cs []cluster
	for _, v := range votes {
		if len(cs) > 0 && v-cs[len(cs)-1].hi <= gap {
			cs[len(cs)-1].hi = v
			cs[len(cs)-1].n++
			continue
		}
		cs = append(cs, cluster{lo: v, hi: v, n: 1})
	}
	slices.SortStableFunc(cs, func(x, y cluster) int { return y.n - x.n })
	out := make([][2]int, 0, min(limit, len(cs)))
	for _, c := range cs[:min(limit, len(cs))] {
		out = append(out, [2]int{c.lo, c.hi})
	}
	return out
}
