package annotate

import (
	"math/rand/v2"
	"testing"
)

func TestDebugTmp(t *testing.T) {
	texts := loadCorpusTexts(t)
	for ti, ct := range texts {
		if ct.name != "cc03ddb5ef7d" {
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(ti)+1, 0x61_6e_63_68_6f_72))
		hs := placeHighlights(ct.text, rng)
		var sels []Selector
		for _, h := range hs {
			sel, _ := Describe(ct.text, h.from, h.to)
			sels = append(sels, sel)
		}
		donor := texts[(ti+1)%len(texts)].text
		for _, mu := range mutations[:3] {
			mt := mu.fn(ct.text, hs, donor, rng)
			if mu.name != "move-paragraph" {
				continue
			}
			for i, sel := range sels {
				if sel.Exact != "www.autoracing.com.br" {
					continue
				}
				want, g := mt.truth(hs[i])
				t.Logf("sel %+v\nwant %v %s\nold tail %q\nnew tail %q", sel, want, g, ct.text[len(ct.text)-200:], mt.text[len(mt.text)-200:])
				a := newAnchorer(mt.text)
				c := newQuoteContext(sel)
				for _, p := range Occurrences(mt.text, sel.Exact) {
					l, r := a.sides(c, a.ft.foldedIndex(p), a.ft.foldedIndex(p+len(sel.Exact)))
					t.Logf("occ %d %+v %+v", p, l, r)
				}
				t.Logf("%+v", Anchor(mt.text, sel))
			}
		}
	}
}
