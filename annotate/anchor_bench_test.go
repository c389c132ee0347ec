package annotate

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// anchorBenchArticle returns a deterministic article of about the given number of words:
// sentences of 8 to 24 words drawn with a Zipf-like skew from an invented vocabulary (so
// common words repeat as in real prose), some of them quoted speech, in paragraphs of
// three to six sentences.
func anchorBenchArticle(nWords int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	syllables := []string{"ka", "lo", "mi", "ten", "sar", "vi", "dun", "pe", "ro", "al", "is", "mor", "ga", "ne", "tu", "ber", "ch", "ya"}
	vocab := make([]string, 900)
	for i := range vocab {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		vocab[i] = b.String()
	}
	word := func() string { return vocab[int(float64(len(vocab))*math.Pow(rng.Float64(), 2.2))] }
	var b strings.Builder
	n := 0
	for n < nWords {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		for s := range 3 + rng.IntN(4) {
			if s > 0 {
				b.WriteByte(' ')
			}
			k := 8 + rng.IntN(17)
			ws := make([]string, k)
			for i := range ws {
				ws[i] = word()
			}
			r, size := utf8.DecodeRuneInString(ws[0])
			ws[0] = string(unicode.ToUpper(r)) + ws[0][size:]
			sentence := strings.Join(ws, " ")
			if rng.IntN(6) == 0 {
				sentence = "“" + sentence + ",” said " + word() + "."
			} else {
				sentence += "."
			}
			b.WriteString(sentence)
			n += k
		}
	}
	return b.String()
}

// anchorBenchHighlights places n highlights, sentences and phrases, on text.
func anchorBenchHighlights(tb testing.TB, text string, n int, rng *rand.Rand) ([]textSpan, []Selector) {
	sents := sentenceSpans(text)
	var hs []textSpan
	var sels []Selector
	for len(hs) < n {
		s := sents[rng.IntN(len(sents))]
		h := s
		if ws := wordSpans(text, s); len(ws) >= 5 && rng.IntN(2) == 0 {
			k := 3 + rng.IntN(4)
			i := rng.IntN(len(ws) - k + 1)
			h = textSpan{ws[i].from, ws[i+k-1].to}
		}
		sel, err := Describe(text, h.from, h.to)
		if err != nil {
			tb.Fatal(err)
		}
		hs = append(hs, h)
		sels = append(sels, sel)
	}
	return hs, sels
}

// anchorBenchRecapture changes text as a second capture might: a paragraph added at the top
// (every highlight moves), typography normalised, typos fixed in a tenth of the
// highlights, a few highlighted sentences deleted.
func anchorBenchRecapture(text string, hs []textSpan, rng *rand.Rand) string {
	var edits []textEdit
	for i, h := range hs {
		switch {
		case i%10 == 3:
			rs := []rune(text[h.from:h.to])
			if k := len(rs) / 2; len(rs) > 6 && unicode.IsLetter(rs[k]) && unicode.IsLetter(rs[k+1]) {
				rs[k], rs[k+1] = rs[k+1], rs[k]
				edits = append(edits, textEdit{h.from, h.to, string(rs)})
			}
		case i%40 == 7:
			edits = append(edits, textEdit{h.from, h.to, ""})
		}
	}
	mt := applyTextEdits(text, edits)
	mt = mutateNormalise(mt.text, nil, "", rng)
	return "Editor's note: this article was updated on Tuesday.\n\n" + mt.text
}

func BenchmarkAnchorAll200(b *testing.B) {
	text := anchorBenchArticle(10_000, 1)
	rng := rand.New(rand.NewPCG(2, 3))
	hs, sels := anchorBenchHighlights(b, text, 200, rng)
	newText := anchorBenchRecapture(text, hs, rng)
	var got []AnchorResult
	for b.Loop() {
		got = AnchorAll(newText, sels)
	}
	counts := map[AnchorStatus]int{}
	for _, r := range got {
		counts[r.Status]++
	}
	b.ReportMetric(float64(len(strings.Fields(text))), "words")
	b.ReportMetric(float64(counts[AnchorMoved]), "moved")
	b.ReportMetric(float64(counts[AnchorFuzzy]), "fuzzy")
	b.ReportMetric(float64(counts[AnchorOrphan]), "orphans")
}

func BenchmarkAnchorAll200Unchanged(b *testing.B) {
	text := anchorBenchArticle(10_000, 1)
	_, sels := anchorBenchHighlights(b, text, 200, rand.New(rand.NewPCG(2, 3)))
	for b.Loop() {
		AnchorAll(text, sels)
	}
}

// BenchmarkAnchorLongQuoteFuzzy anchors one highlight of three paragraphs (over 1,000
// characters) with words added in the middle, the case a 32-character Bitap cannot
// handle.
func BenchmarkAnchorLongQuoteFuzzy(b *testing.B) {
	text := anchorBenchArticle(10_000, 1)
	bs := blockSpans(text)
	from, to := bs[10].from, bs[12].to
	sel, err := Describe(text, from, to)
	if err != nil {
		b.Fatal(err)
	}
	mid := from + (to-from)/2
	for mid < to && text[mid] != ' ' {
		mid++
	}
	newText := text[:mid] + " and a few words added" + text[mid:]
	if r := Anchor(newText, sel); r.Status != AnchorFuzzy {
		b.Fatalf("got %+v, want a fuzzy anchor", r)
	}
	for b.Loop() {
		Anchor(newText, sel)
	}
	b.ReportMetric(float64(utf8.RuneCountInString(sel.Exact)), "quote-chars")
}
