package libgen

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Queries are search queries of the kinds the search benchmarks time, drawn from the text
// a generated library is made of, so that every one finds something.
type Queries struct {
	Words    []string // one word
	Phrases  []string // two or three words in double quotes
	Prefixes []string // the first three to five letters of a word, then *
}

// SearchQueries draws n queries of each kind from the text of random articles of the
// library opt describes. Words are drawn as they occur in the text (words of five letters
// or more, so that "the" and "and" are not searched for, but common words like "would"
// are), which mixes queries that match most of the library with ones that match a
// handful of articles.
func SearchQueries(opt Options, n int) (Queries, error) {
	opt = opt.withDefaults()
	g, err := newGenerator(opt)
	if err != nil {
		return Queries{}, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	// words returns the words of a paragraph of a random article of the library, lower
	// case; a word with anything but letters in it is "", which breaks a phrase.
	words := func() []string {
		a := g.article(rng.IntN(opt.Articles))
		paras := strings.Split(a.doc.Text, "\n")
		var out []string
		for _, f := range strings.Fields(paras[rng.IntN(len(paras))]) {
			f = strings.ToLower(strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }))
			if strings.IndexFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
				f = ""
			}
			out = append(out, f)
		}
		return out
	}
	var q Queries
	for tries := 0; (len(q.Words) < n || len(q.Phrases) < n || len(q.Prefixes) < n) && tries < 100*n; tries++ {
		ws := words()
		if len(ws) == 0 {
			continue
		}
		i := rng.IntN(len(ws))
		w := ws[i]
		runes := utf8.RuneCountInString(w)
		if len(q.Words) < n && runes >= 5 {
			q.Words = append(q.Words, w)
		}
		if len(q.Prefixes) < n && runes >= 6 {
			k := 3 + rng.IntN(3)
			q.Prefixes = append(q.Prefixes, string([]rune(w)[:k])+"*")
		}
		if k := 2 + rng.IntN(2); len(q.Phrases) < n && i+k <= len(ws) && !slices.Contains(ws[i:i+k], "") {
			q.Phrases = append(q.Phrases, `"`+strings.Join(ws[i:i+k], " ")+`"`)
		}
	}
	return q, nil
}
