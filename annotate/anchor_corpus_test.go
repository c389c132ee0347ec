package annotate

// The anchoring measurement: highlights placed on real article texts, the texts changed
// the way a second capture of the same page changes them, and every re-anchored
// highlight checked against where it truly went.
//
// Texts: the hand-written texts in testdata/anchor and, in a second subtest skipped when
// the shared folder is absent, the 92 article bodies of the shared extraction dev
// corpus. Each mutation is built as a list of pieces, copied or replaced, so the true new
// range of every highlight is known exactly. Each highlight in each mutated text falls
// in one group:
//
//	unchanged      the highlight and ContextRunes characters each side are untouched
//	context-edited the highlight's text is untouched, its context is not
//	inside-edited  the highlight's text itself was edited
//	gone           the highlight's text was deleted
//	gone-copy-left the highlight's text was deleted, but the same words remain
//	               elsewhere in the text (a pull quote, a repeated quotation)
//
// and each result is correct, orphan or wrong. A result is correct when its range equals
// the true range once whitespace and punctuation are trimmed from both ends of both (a
// selection that gains or loses a closing quote or a trailing space is the same
// selection); anything else that is not an orphan is wrong, as is any anchor for a
// highlight that is gone. For gone-copy-left, an exact or moved anchor on a copy of the
// words is counted apart ("on the copy"), not as wrong: without the old text, deleting
// one of two copies cannot be told from moving a passage, and such an anchor holds the
// very words highlighted; a fuzzy anchor there counts as wrong. A highlight whose quote
// and context occur twice in the text is not placed (see indistinguishableSelector).
//
// Targets: unchanged 100% correct; inside-edited >= 95% correct (over 200 highlights or
// more); gone 100% orphaned; no wrong anchor anywhere. Run with -v to see the table of
// figures; its column "trimmed" counts the correct results that needed the trimming.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

type anchorText struct {
	name, text string
}

// anchorSharedDir returns the shared folder beside the repository: the parent of the directory
// holding go.mod, then "shared".
func anchorSharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// anchorHandwrittenTexts returns the texts in testdata/anchor.
func anchorHandwrittenTexts(t *testing.T) []anchorText {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "anchor", "*.txt"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no hand-written texts in testdata/anchor: %v", err)
	}
	var texts []anchorText
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, anchorText{name: filepath.Base(name), text: string(b)})
	}
	return texts
}

// anchorExtractionDevTexts returns the article bodies of the shared extraction dev corpus, or
// skips the test when the corpus is absent.
func anchorExtractionDevTexts(t *testing.T) []anchorText {
	t.Helper()
	path := filepath.Join(anchorSharedDir(t), "corpus", "extraction-dev", "ground-truth.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared extraction corpus absent (%v): its measurement is skipped", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var texts []anchorText
	for _, id := range ids {
		if body := truth[id].ArticleBody; len(body) >= 400 {
			texts = append(texts, anchorText{name: id[:12], text: body})
		}
	}
	return texts
}

// textSpan is a byte range [from, to).
type textSpan struct{ from, to int }

// sentenceSpans splits a text into sentence spans: within each line, a sentence ends after
// . ! ? … 。 (and any closing quotes or brackets) followed by a space, or at the line's end.
func sentenceSpans(text string) []textSpan {
	var out []textSpan
	lineStart := 0
	for lineStart < len(text) {
		lineEnd := strings.IndexByte(text[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += lineStart
		}
		s := lineStart
		for i := lineStart; i < lineEnd; {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if !strings.ContainsRune(".!?…。", r) {
				continue
			}
			for i < lineEnd {
				c, sz := utf8.DecodeRuneInString(text[i:])
				if !strings.ContainsRune(`"'”’)]»`, c) {
					break
				}
				i += sz
			}
			if r == '。' || i == lineEnd || text[i] == ' ' {
				out = appendTrimmed(out, text, s, i)
				s = i
			}
		}
		out = appendTrimmed(out, text, s, lineEnd)
		lineStart = lineEnd + 1
	}
	return out
}

func appendTrimmed(out []textSpan, text string, from, to int) []textSpan {
	for from < to {
		r, size := utf8.DecodeRuneInString(text[from:])
		if !unicode.IsSpace(r) {
			break
		}
		from += size
	}
	for to > from {
		r, size := utf8.DecodeLastRuneInString(text[from:to])
		if !unicode.IsSpace(r) {
			break
		}
		to -= size
	}
	if to > from {
		out = append(out, textSpan{from, to})
	}
	return out
}

// wordSpans returns the spans of the space-separated words in text[sp.from:sp.to].
func wordSpans(text string, sp textSpan) []textSpan {
	var out []textSpan
	start := -1
	for i, r := range text[sp.from:sp.to] {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, textSpan{sp.from + start, sp.from + i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, textSpan{sp.from + start, sp.to})
	}
	return out
}

// letterSpans returns the spans of runs of letters in text[sp.from:sp.to].
func letterSpans(text string, sp textSpan) []textSpan {
	var out []textSpan
	start := -1
	for i, r := range text[sp.from:sp.to] {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			out = append(out, textSpan{sp.from + start, sp.from + i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, textSpan{sp.from + start, sp.to})
	}
	return out
}

// placeAnchorHighlights places sentence- and phrase-sized highlights.
func placeAnchorHighlights(text string, rng *rand.Rand) []textSpan {
	sents := sentenceSpans(text)
	var usable []textSpan
	for _, s := range sents {
		if len(wordSpans(text, s)) >= 4 || utf8.RuneCountInString(text[s.from:s.to]) >= 12 {
			usable = append(usable, s)
		}
	}
	want := min(12, len(usable)/2+1)
	var out []textSpan
	for tries := 0; len(out) < want && tries < 10*want; tries++ {
		if len(usable) == 0 {
			break
		}
		s := usable[rng.IntN(len(usable))]
		h := s
		if ws := wordSpans(text, s); len(ws) >= 4 && rng.IntN(10) < 6 {
			k := 3 + rng.IntN(min(6, len(ws)-2))
			k = min(k, len(ws))
			i := rng.IntN(len(ws) - k + 1)
			h = textSpan{ws[i].from, ws[i+k-1].to}
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// textPiece is one stretch of a mutated text: a copy of old[oldFrom:oldTo] or a replacement
// of it (an insertion when oldFrom == oldTo, a deletion when the new stretch is empty).
type textPiece struct {
	oldFrom, oldTo int
	newFrom, newTo int
	copied         bool
}

type mutatedText struct {
	old, text string
	pieces    []textPiece
}

type textMutator struct {
	old    string
	b      strings.Builder
	pieces []textPiece
}

func (m *textMutator) copy(from, to int) {
	if from >= to {
		return
	}
	n := m.b.Len()
	m.b.WriteString(m.old[from:to])
	if k := len(m.pieces) - 1; k >= 0 && m.pieces[k].copied && m.pieces[k].oldTo == from {
		m.pieces[k].oldTo, m.pieces[k].newTo = to, m.b.Len()
		return
	}
	m.pieces = append(m.pieces, textPiece{from, to, n, m.b.Len(), true})
}

func (m *textMutator) replace(from, to int, lit string) {
	if lit == m.old[from:to] {
		m.copy(from, to)
		return
	}
	n := m.b.Len()
	m.b.WriteString(lit)
	m.pieces = append(m.pieces, textPiece{from, to, n, m.b.Len(), false})
}

func (m *textMutator) done() mutatedText {
	return mutatedText{old: m.old, text: m.b.String(), pieces: m.pieces}
}

// textEdit replaces old[from:to] with lit.
type textEdit struct {
	from, to int
	lit      string
}

// applyTextEdits applies edits in order of position, dropping any that overlap an earlier one.
func applyTextEdits(old string, edits []textEdit) mutatedText {
	slices.SortStableFunc(edits, func(x, y textEdit) int { return x.from - y.from })
	m := &textMutator{old: old}
	at := 0
	for _, e := range edits {
		if e.from < at {
			continue
		}
		m.copy(at, e.from)
		m.replace(e.from, e.to, e.lit)
		at = e.to
	}
	m.copy(at, len(old))
	return m.done()
}

func (mt mutatedText) mapStart(p int) (int, bool) {
	for _, pc := range mt.pieces {
		if pc.copied && pc.oldFrom <= p && p < pc.oldTo {
			return pc.newFrom + p - pc.oldFrom, true
		}
	}
	for _, pc := range mt.pieces {
		if !pc.copied && pc.oldFrom == p && pc.oldFrom < pc.oldTo {
			return pc.newFrom, true
		}
	}
	return 0, false
}

func (mt mutatedText) mapEnd(p int) (int, bool) {
	for _, pc := range mt.pieces {
		if pc.copied && pc.oldFrom < p && p <= pc.oldTo {
			return pc.newFrom + p - pc.oldFrom, true
		}
	}
	for _, pc := range mt.pieces {
		if !pc.copied && pc.oldTo == p && pc.oldFrom < pc.oldTo {
			return pc.newTo, true
		}
	}
	return 0, false
}

// Highlight groups.
const (
	anchorGroupUnchanged     = "unchanged"
	anchorGroupContextEdited = "context-edited"
	anchorGroupInsideEdited  = "inside-edited"
	anchorGroupGone          = "gone"
	anchorGroupGoneCopyLeft  = "gone-copy-left"
)

// truth returns the true new range of old highlight h and its group.
func (mt mutatedText) truth(h textSpan) (textSpan, string) {
	ns, ok1 := mt.mapStart(h.from)
	ne, ok2 := mt.mapEnd(h.to)
	if !ok1 || !ok2 || ns >= ne {
		return textSpan{}, anchorGroupGone
	}
	// Every piece that lands inside the new range must come from inside the old one, and
	// every copied byte of the old range must land inside the new one; else the passage
	// was torn apart (never the case for the mutations below, which keep highlights
	// inside one block).
	for _, pc := range mt.pieces {
		inNew := pc.newFrom < ne && ns < pc.newTo
		inOld := pc.oldFrom < h.to && h.from < pc.oldTo
		if (inNew && pc.copied && (pc.oldFrom+(max(ns, pc.newFrom)-pc.newFrom) < h.from ||
			pc.oldFrom+(min(ne, pc.newTo)-pc.newFrom) > h.to)) ||
			(inOld && pc.copied && !inNew) {
			return textSpan{}, anchorGroupGone
		}
	}
	ws, we := runesBefore(mt.old, h.from, ContextRunes), runesAfter(mt.old, h.to, ContextRunes)
	for _, pc := range mt.pieces {
		if !pc.copied {
			continue
		}
		if pc.oldFrom <= ws && we <= pc.oldTo &&
			(ws > 0 || pc.newFrom == 0) && (we < len(mt.old) || pc.newTo == len(mt.text)) {
			return textSpan{ns, ne}, anchorGroupUnchanged
		}
	}
	for _, pc := range mt.pieces {
		if pc.copied && pc.oldFrom <= h.from && h.to <= pc.oldTo {
			return textSpan{ns, ne}, anchorGroupContextEdited
		}
	}
	return textSpan{ns, ne}, anchorGroupInsideEdited
}

// A textMutation changes text, given its highlights and a donor text to take new sentences
// from.
type textMutation struct {
	name string
	fn   func(text string, hs []textSpan, donor string, rng *rand.Rand) mutatedText
}

var textMutations = []textMutation{
	{"insert-sentences", mutateInsertSentences},
	{"delete-sentences", mutateDeleteSentences},
	{"move-paragraph", mutateMoveParagraph},
	{"normalise-typography", mutateNormalise},
	{"typographic-respacing", mutateRespace},
	{"fix-typo-inside", mutateTypo},
	{"change-word-inside", mutateWord},
	{"delete-passage", mutateDeletePassage},
}

func spanOverlapsAny(sp textSpan, hs []textSpan) bool {
	for _, h := range hs {
		if sp.from < h.to && h.from < sp.to {
			return true
		}
	}
	return false
}

// mutateInsertSentences inserts sentences from the donor before sentences and as new
// paragraphs, as when a page gains an update or a caption.
func mutateInsertSentences(text string, hs []textSpan, donor string, rng *rand.Rand) mutatedText {
	sents, donated := sentenceSpans(text), sentenceSpans(donor)
	var edits []textEdit
	for range 4 {
		d := donated[rng.IntN(len(donated))]
		s := sents[rng.IntN(len(sents))]
		if rng.IntN(2) == 0 {
			edits = append(edits, textEdit{s.from, s.from, donor[d.from:d.to] + " "})
		} else {
			end := strings.Index(text[s.to:], "\n\n")
			if end < 0 {
				edits = append(edits, textEdit{len(text), len(text), "\n\n" + donor[d.from:d.to]})
				continue
			}
			at := s.to + end
			edits = append(edits, textEdit{at, at, "\n\n" + donor[d.from:d.to]})
		}
	}
	return applyTextEdits(text, edits)
}

// mutateDeleteSentences deletes sentences no highlight touches.
func mutateDeleteSentences(text string, hs []textSpan, _ string, rng *rand.Rand) mutatedText {
	var edits []textEdit
	sents := sentenceSpans(text)
	for range 3 {
		s := sents[rng.IntN(len(sents))]
		to := s.to
		for to < len(text) && text[to] == ' ' {
			to++
		}
		if !spanOverlapsAny(textSpan{s.from, to}, hs) {
			edits = append(edits, textEdit{s.from, to, ""})
		}
	}
	return applyTextEdits(text, edits)
}

// blockSpans returns the spans of the "\n\n"-separated blocks.
func blockSpans(text string) []textSpan {
	var out []textSpan
	at := 0
	for {
		k := strings.Index(text[at:], "\n\n")
		if k < 0 {
			return appendTrimmed(out, text, at, len(text))
		}
		out = appendTrimmed(out, text, at, at+k)
		at += k + 2
	}
}

// mutateMoveParagraph moves one block (with the separator before it) elsewhere, as when
// a page's layout puts an aside in another place.
func mutateMoveParagraph(text string, hs []textSpan, _ string, rng *rand.Rand) mutatedText {
	bs := blockSpans(text)
	m := &textMutator{old: text}
	if len(bs) < 3 {
		m.copy(0, len(text))
		return m.done()
	}
	i := 1 + rng.IntN(len(bs)-1) // the moved block; it has a separator before it
	j := rng.IntN(len(bs) - 1)   // it goes after block j
	if j >= i-1 {
		j++
	}
	if j == i || j == i-1 {
		m.copy(0, len(text))
		return m.done()
	}
	sep := bs[i-1].to // start of the separator before block i
	if j > i {
		m.copy(0, sep)
		m.copy(bs[i].to, bs[j].to)
		m.copy(sep, bs[i].to)
		m.copy(bs[j].to, len(text))
	} else {
		m.copy(0, bs[j].to)
		m.copy(sep, bs[i].to)
		m.copy(bs[j].to, sep)
		m.copy(bs[i].to, len(text))
	}
	return m.done()
}

// mutateNormalise makes typography plain: curly quotes straight, no-break spaces and
// double spaces single, an ellipsis three dots, as a cleaner might on a later capture.
func mutateNormalise(text string, _ []textSpan, _ string, _ *rand.Rand) mutatedText {
	var edits []textEdit
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '‘', '’':
			edits = append(edits, textEdit{i, i + size, "'"})
		case '“', '”':
			edits = append(edits, textEdit{i, i + size, `"`})
		case '\u00a0':
			edits = append(edits, textEdit{i, i + size, " "})
		case '…':
			edits = append(edits, textEdit{i, i + size, "..."})
		case '\u00ad':
			edits = append(edits, textEdit{i, i + size, ""})
		case ' ':
			j := i
			for j < len(text) && text[j] == ' ' {
				j++
			}
			if j-i > 1 {
				edits = append(edits, textEdit{i, j, " "})
				i = j
				continue
			}
		}
		i += size
	}
	return applyTextEdits(text, edits)
}

// mutateRespace does the opposite: apostrophes curly, some spaces doubled or no-break,
// hyphens between spaces turned into em dashes.
func mutateRespace(text string, _ []textSpan, _ string, rng *rand.Rand) mutatedText {
	var edits []textEdit
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '\'':
			edits = append(edits, textEdit{i, i + 1, "’"})
		case strings.HasPrefix(text[i:], " - "):
			edits = append(edits, textEdit{i + 1, i + 2, "—"})
		case text[i] == ' ' && rng.IntN(12) == 0:
			edits = append(edits, textEdit{i, i + 1, "  "})
		case text[i] == ' ' && rng.IntN(25) == 0:
			edits = append(edits, textEdit{i, i + 1, "\u00a0"})
		}
	}
	return applyTextEdits(text, edits)
}

// mutateTypo makes a one-letter edit in a word inside about half the highlights, as when
// a publisher fixes a typo.
func mutateTypo(text string, hs []textSpan, _ string, rng *rand.Rand) mutatedText {
	var edits []textEdit
	for _, h := range hs {
		if rng.IntN(2) == 0 {
			continue
		}
		var long []textSpan
		for _, w := range letterSpans(text, h) {
			if utf8.RuneCountInString(text[w.from:w.to]) >= 4 {
				long = append(long, w)
			}
		}
		if len(long) == 0 {
			continue
		}
		w := long[rng.IntN(len(long))]
		rs := []rune(text[w.from:w.to])
		k := 1 + rng.IntN(len(rs)-2)
		switch rng.IntN(3) {
		case 0: // swap two letters
			rs[k], rs[k+1] = rs[k+1], rs[k]
		case 1: // drop a letter
			rs = slices.Delete(rs, k, k+1)
		default: // double a letter
			rs = slices.Insert(rs, k, rs[k])
		}
		edits = append(edits, textEdit{w.from, w.to, string(rs)})
	}
	return applyTextEdits(text, edits)
}

// mutateWord replaces one word inside about half the highlights with another word of the
// text, as when a publisher corrects a name or a figure.
func mutateWord(text string, hs []textSpan, _ string, rng *rand.Rand) mutatedText {
	var vocab []string
	for _, w := range letterSpans(text, textSpan{0, len(text)}) {
		if n := utf8.RuneCountInString(text[w.from:w.to]); n >= 3 && n <= 12 {
			vocab = append(vocab, text[w.from:w.to])
		}
	}
	var edits []textEdit
	for _, h := range hs {
		if rng.IntN(2) == 0 {
			continue
		}
		var ws []textSpan
		for _, w := range letterSpans(text, h) {
			if utf8.RuneCountInString(text[w.from:w.to]) >= 3 {
				ws = append(ws, w)
			}
		}
		if len(ws) == 0 {
			continue
		}
		w := ws[rng.IntN(len(ws))]
		old := text[w.from:w.to]
		n := utf8.RuneCountInString(old)
		for range 50 {
			v := vocab[rng.IntN(len(vocab))]
			if m := utf8.RuneCountInString(v); v != old && m >= n-3 && m <= n+3 {
				edits = append(edits, textEdit{w.from, w.to, v})
				break
			}
		}
	}
	return applyTextEdits(text, edits)
}

// mutateDeletePassage deletes the sentence holding each of a few highlights, or its whole
// block.
func mutateDeletePassage(text string, hs []textSpan, _ string, rng *rand.Rand) mutatedText {
	sents, bs := sentenceSpans(text), blockSpans(text)
	var edits []textEdit
	for _, h := range hs {
		if rng.IntN(3) != 0 {
			continue
		}
		var del textSpan
		if rng.IntN(4) == 0 {
			for _, b := range bs {
				if b.from <= h.from && h.to <= b.to {
					del = b
				}
			}
		} else {
			for _, s := range sents {
				if s.from <= h.from && h.to <= s.to {
					del = s
				}
			}
		}
		if del.to == 0 {
			continue
		}
		for del.to < len(text) && text[del.to] == ' ' {
			del.to++
		}
		edits = append(edits, textEdit{del.from, del.to, ""})
	}
	return applyTextEdits(text, edits)
}

// trimPunctEdges trims whitespace and punctuation from both ends of text[sp.from:sp.to].
func trimPunctEdges(text string, sp textSpan) textSpan {
	isEdge := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }
	for sp.from < sp.to {
		r, size := utf8.DecodeRuneInString(text[sp.from:])
		if !isEdge(r) {
			break
		}
		sp.from += size
	}
	for sp.to > sp.from {
		r, size := utf8.DecodeLastRuneInString(text[sp.from:sp.to])
		if !isEdge(r) {
			break
		}
		sp.to -= size
	}
	return sp
}

type anchorTally struct {
	n, correct, orphan, wrong int
	trimmed                   int // correct only once edges are trimmed
	toCopy                    int // for gone-copy-left: anchored on a byte-identical copy
	exact, moved, fuzzy       int
}

func (t *anchorTally) add(o anchorTally) {
	t.n += o.n
	t.correct += o.correct
	t.orphan += o.orphan
	t.wrong += o.wrong
	t.trimmed += o.trimmed
	t.toCopy += o.toCopy
	t.exact += o.exact
	t.moved += o.moved
	t.fuzzy += o.fuzzy
}

// indistinguishableSelector reports whether the quote occurs in text more than once with
// the same context on both sides: no selector can tell such copies apart, so a test
// cannot say which copy an anchor should find once one of them changes.
func indistinguishableSelector(text string, sel Selector) bool {
	n := 0
	for _, p := range Occurrences(text, sel.Exact) {
		other, err := Describe(text, p, p+len(sel.Exact))
		if err == nil && other.Quote == sel.Quote {
			n++
		}
	}
	return n > 1
}

func TestAnchorCorpus(t *testing.T) {
	t.Run("handwritten", func(t *testing.T) { measureAnchoring(t, anchorHandwrittenTexts(t)) })
	t.Run("extraction-dev", func(t *testing.T) { measureAnchoring(t, anchorExtractionDevTexts(t)) })
}

// measureAnchoring places highlights on texts, mutates the texts, re-anchors, logs the
// table of outcomes and checks the targets.
func measureAnchoring(t *testing.T, texts []anchorText) {
	type key struct{ textMutation, group string }
	tallies := map[key]*anchorTally{}
	bySize := map[key]*anchorTally{} // by group and highlight size, all mutations together
	var wrongs, missed []string
	skipped := 0
	for ti, ct := range texts {
		seed := uint64(ti) + 1
		rng := rand.New(rand.NewPCG(seed, 0x61_6e_63_68_6f_72))
		hs := placeAnchorHighlights(ct.text, rng)
		if len(hs) == 0 {
			continue
		}
		var sels []Selector
		placed := hs[:0]
		for _, h := range hs {
			sel, err := Describe(ct.text, h.from, h.to)
			if err != nil {
				t.Fatalf("%s: Describe(%d, %d): %v", ct.name, h.from, h.to, err)
			}
			if indistinguishableSelector(ct.text, sel) {
				skipped++
				continue
			}
			sels = append(sels, sel)
			placed = append(placed, h)
		}
		hs = placed
		sents := sentenceSpans(ct.text)
		sizes := make([]string, len(hs))
		for i, h := range hs {
			sizes[i] = "phrase"
			if slices.Contains(sents, h) {
				sizes[i] = "sentence"
			}
		}
		donor := texts[(ti+1)%len(texts)].text
		for _, mu := range textMutations {
			mt := mu.fn(ct.text, hs, donor, rng)
			got := AnchorAll(mt.text, sels)
			for i, h := range hs {
				want, group := mt.truth(h)
				if group == anchorGroupGone && len(Occurrences(mt.text, sels[i].Exact)) > 0 {
					group = anchorGroupGoneCopyLeft
				}
				k := key{mu.name, group}
				if tallies[k] == nil {
					tallies[k] = &anchorTally{}
				}
				tl := tallies[k]
				sk := key{sizes[i], group}
				if bySize[sk] == nil {
					bySize[sk] = &anchorTally{}
				}
				st := bySize[sk]
				tl.n++
				st.n++
				res := got[i]
				switch res.Status {
				case AnchorOrphan:
					tl.orphan++
					st.orphan++
					if group == anchorGroupUnchanged || group == anchorGroupInsideEdited {
						missed = append(missed, fmt.Sprintf("%s %s [%s]: quote %q, want %q",
							ct.name, mu.name, group, sels[i].Exact, mt.text[want.from:want.to]))
					}
					continue
				case AnchorExact:
					tl.exact++
				case AnchorMoved:
					tl.moved++
				case AnchorFuzzy:
					tl.fuzzy++
				}
				gs := textSpan{res.Start, res.End}
				if group == anchorGroupGoneCopyLeft && res.Status != AnchorFuzzy {
					tl.toCopy++
					st.toCopy++
					continue
				}
				if group != anchorGroupGone && group != anchorGroupGoneCopyLeft && trimPunctEdges(mt.text, gs) == trimPunctEdges(mt.text, want) {
					tl.correct++
					st.correct++
					if gs != want {
						tl.trimmed++
						st.trimmed++
					}
					continue
				}
				tl.wrong++
				st.wrong++
				wrongs = append(wrongs, fmt.Sprintf("%s %s [%s] %s: quote %q -> %q, want %q",
					ct.name, mu.name, group, res.Status, sels[i].Exact, mt.text[res.Start:res.End], mt.text[want.from:want.to]))
			}
		}
	}

	// The table.
	groups := []string{anchorGroupUnchanged, anchorGroupContextEdited, anchorGroupInsideEdited, anchorGroupGone, anchorGroupGoneCopyLeft}
	var lines []string
	lines = append(lines, fmt.Sprintf("anchoring corpus: %d texts; %d highlights left out as indistinguishable from a copy", len(texts), skipped))
	lines = append(lines, fmt.Sprintf("%-22s %-15s %6s %8s %7s %6s %6s %6s %6s %8s", "mutation", "group", "n", "correct", "orphan", "wrong", "exact", "moved", "fuzzy", "trimmed"))
	totals := map[string]*anchorTally{}
	for _, mu := range textMutations {
		for _, g := range groups {
			tl := tallies[key{mu.name, g}]
			if tl == nil {
				continue
			}
			if totals[g] == nil {
				totals[g] = &anchorTally{}
			}
			totals[g].add(*tl)
			lines = append(lines, fmt.Sprintf("%-22s %-15s %6d %8d %7d %6d %6d %6d %6d %8d", mu.name, g, tl.n, tl.correct, tl.orphan, tl.wrong, tl.exact, tl.moved, tl.fuzzy, tl.trimmed))
		}
	}
	// success is the share of right outcomes: correct anchors, or orphans for deleted text.
	success := func(g string, tl *anchorTally) string {
		switch g {
		case anchorGroupGone:
			return fmt.Sprintf("(%.1f%% orphaned)", 100*float64(tl.orphan)/float64(max(1, tl.n)))
		case anchorGroupGoneCopyLeft:
			return fmt.Sprintf("(%d orphaned, %d on the copy)", tl.orphan, tl.toCopy)
		}
		return fmt.Sprintf("(%.1f%% correct)", 100*float64(tl.correct)/float64(max(1, tl.n)))
	}
	for _, g := range groups {
		if tl := totals[g]; tl != nil {
			lines = append(lines, fmt.Sprintf("%-22s %-15s %6d %8d %7d %6d %6d %6d %6d %8d  %s", "ALL", g, tl.n, tl.correct, tl.orphan, tl.wrong, tl.exact, tl.moved, tl.fuzzy, tl.trimmed, success(g, tl)))
		}
	}
	for _, size := range []string{"phrase", "sentence"} {
		for _, g := range groups {
			if tl := bySize[key{size, g}]; tl != nil {
				lines = append(lines, fmt.Sprintf("%-22s %-15s %6d %8d %7d %6d %6s %6s %6s %8d  %s", "ALL "+size+"s", g, tl.n, tl.correct, tl.orphan, tl.wrong, "", "", "", tl.trimmed, success(g, tl)))
			}
		}
	}
	t.Log("\n" + strings.Join(lines, "\n"))

	// The targets.
	for _, w := range wrongs {
		t.Errorf("wrong anchor: %s", w)
	}
	if tl := totals[anchorGroupUnchanged]; tl != nil && tl.correct != tl.n {
		t.Errorf("unchanged highlights: %d of %d correct, want all", tl.correct, tl.n)
	}
	// A rate is a target only over enough highlights: on the few dozen edited inside the
	// hand-written texts, one orphan moves it by two points.
	if tl := totals[anchorGroupInsideEdited]; tl != nil && tl.n >= 200 && float64(tl.correct) < 0.95*float64(tl.n) {
		t.Errorf("highlights edited inside: %d of %d correct (%.1f%%), want >= 95%%", tl.correct, tl.n, 100*float64(tl.correct)/float64(tl.n))
	}
	if tl := totals[anchorGroupGone]; tl != nil && tl.orphan != tl.n {
		t.Errorf("deleted highlights: %d of %d orphaned, want all", tl.orphan, tl.n)
	}
	for _, g := range []string{anchorGroupUnchanged, anchorGroupInsideEdited, anchorGroupGone} {
		if totals[g] == nil || totals[g].n == 0 {
			t.Errorf("no highlight in group %s: the measurement measures nothing there", g)
		}
	}
	if t.Failed() {
		for _, m := range missed {
			t.Logf("orphaned: %s", m)
		}
	}
}
