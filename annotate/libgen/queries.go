package libgen

import (
	"math/rand/v2"
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

// SearchQueries draws n queries of each kind for the library opt describes. Words are
// drawn as they occur in the text (words of five letters or more, so that "the" and
// "and" are not searched for, but common words like "would" are), which mixes queries
// that match most of the library with ones that match a handful of articles.
func SearchQueries(opt Options, n int) (Queries, error) {
	opt = opt.withDefaults()
	g, err := newGenerator(opt)
	if err != nil {
		return Queries{}, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	// words returns the words of a random paragraph that are all letters, lower case.
	words := func() []string {
		s := g.sources[rng.IntN(len(g.sources))]
		var out []string
		for _, f := range strings.Fields(s.paras[rng.IntN(len(s.paras))]) {
			f = strings.ToLower(strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }))
			if f != "" && strings.IndexFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
				out = append(out, f)
			} else {
				out = append(out, "") // breaks a phrase
			}
		}
		return out
	}
	var q Queries
	for tries := 0; (len(q.Words) < n || len(q.Phrases) < n || len(q.Prefixes) < n) && tries < 1000*n; tries++ {
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
		if k := 2 + rng.IntN(2); len(q.Phrases) < n && i+k <= len(ws) && !contains(ws[i:i+k], "") {
			q.Phrases = append(q.Phrases, `"`+strings.Join(ws[i:i+k], " ")+`"`)
		}
	}
	return q, nil
}
