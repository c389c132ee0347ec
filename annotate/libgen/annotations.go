package libgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"gloss/annotate"
	"gloss/archive/doc"
)

// The shares of the library that carry each kind of annotation. They are a guess at a
// researcher's library: most articles saved and tagged, a third read closely enough to
// highlight, a few highlights marked as claims and rated.
const (
	shareHighlighted = 0.35 // articles with highlights
	shareTagged      = 0.60 // articles with their own tags
	shareNoted       = 0.08 // articles with a note
	shareFavourite   = 0.04
	shareArchived    = 0.10
	shareHLNote      = 0.25 // highlights with a note
	shareHLTagged    = 0.25 // highlights with tags
	shareClaim       = 0.12 // highlights that mark a claim
)

// Tags is the tag vocabulary of generated libraries, most used first: article and
// highlight tags are drawn from it with a Zipf distribution, so that the first few tags
// select thousands of articles of a 10,000-article library and the last ones a handful.
var Tags = []string{
	"to read", "climate", "elections", "health", "economy", "technology", "follow up", "science",
	"energy", "courts", "housing", "education", "disinformation", "fact-check", "media", "policing",
	"migration", "trade", "labour", "finance", "privacy", "security", "europe", "asia", "africa",
	"americas", "middle east", "transport", "agriculture", "water", "biodiversity", "oceans",
	"pandemic", "vaccines", "mental health", "culture", "music", "film", "books", "history",
	"religion", "space", "sport", "data", "investigation", "opinion", "explainer", "interview",
	"long read", "background", "profile", "obituary", "local", "source", "quote bank", "timeline",
	"methodology", "correction", "archive", "chapter 3",
}

// articleAnnotations is what the user added to one generated article besides its
// highlights.
type articleAnnotations struct {
	tags      []string
	note      string
	favourite bool
	archived  bool
}

// annotations draws an article's annotations: the highlights as W3C Web Annotations for
// annotate's import, which stores a batch of them in one transaction, and the rest.
func (g *generator) annotations(a *generated) ([]annotate.W3CAnnotation, articleAnnotations) {
	rng := a.rng
	var meta articleAnnotations
	if rng.Float64() < shareTagged {
		meta.tags = g.pickTags(rng, 1+rng.IntN(4))
	}
	if rng.Float64() < shareNoted {
		meta.note = noteText(rng, a.doc.Text)
	}
	meta.favourite = rng.Float64() < shareFavourite
	meta.archived = rng.Float64() < shareArchived

	n := a.highlights
	if n < 0 {
		n = 0
		if rng.Float64() < shareHighlighted {
			n = 1 + rng.IntN(4) + rng.IntN(4)*rng.IntN(3)
		}
	}
	spans := pickSpans(rng, a.doc, n, a.highlights >= 0)
	out := make([]annotate.W3CAnnotation, 0, len(spans))
	for k, sp := range spans {
		out = append(out, g.highlight(rng, a, k, sp))
	}
	return out, meta
}

// highlight describes the k-th highlight of an article, on text[sp[0]:sp[1]], as Gloss
// exports it, so that the import stores it exactly there.
func (g *generator) highlight(rng *rand.Rand, a *generated, k int, sp [2]int) annotate.W3CAnnotation {
	text := a.doc.Text
	sel, err := annotate.Describe(text, sp[0], sp[1])
	if err != nil {
		panic(fmt.Sprintf("libgen: a span from pickSpans is not a range of the text: %v", err)) // a bug here
	}
	start, end := annotate.ToCodePoints(text, sp[0]), annotate.ToCodePoints(text, sp[1])
	created := a.added.Add(time.Duration(1+rng.IntN(72*60)) * time.Minute)
	id := uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "gloss-libgen:%d:%s:%d", g.seed, a.key, k))
	h := annotate.W3CAnnotation{
		ID:         "urn:uuid:" + id.String(),
		Type:       "Annotation",
		Motivation: "highlighting",
		Created:    created.Format(time.RFC3339Nano),
		Modified:   created.Format(time.RFC3339Nano),
		Target: annotate.W3CTarget{
			Source: a.key,
			State:  &annotate.W3CState{Type: "TimeState", SourceDate: a.capture.FetchedAt.UTC().Format(time.RFC3339Nano)},
			Selector: []annotate.W3CSelector{
				{Type: "TextQuoteSelector", Exact: sel.Exact, Prefix: sel.Prefix, Suffix: sel.Suffix},
				{Type: "TextPositionSelector", Start: &start, End: &end},
			},
		},
		Color:        weighted(rng, colorWeights),
		AnchorStatus: string(annotate.StatusAnchored),
	}
	if rng.Float64() < shareHLTagged {
		h.Motivation = "tagging"
		for _, t := range g.pickTags(rng, 1+rng.IntN(2)) {
			h.Body = append(h.Body, annotate.W3CBody{Type: "TextualBody", Purpose: "tagging", Value: t})
		}
	}
	if rng.Float64() < shareHLNote {
		h.Motivation = "commenting"
		h.Body = append(h.Body, annotate.W3CBody{Type: "TextualBody", Purpose: "commenting", Value: noteText(rng, sel.Exact), Format: "text/markdown"})
	}
	if rng.Float64() < shareClaim {
		h.Motivation = "assessing"
		h.Claim = claim(rng, a, created)
	}
	return h
}

func claim(rng *rand.Rand, a *generated, created time.Time) *annotate.W3CClaim {
	c := &annotate.W3CClaim{
		Kind:     string(annotate.ClaimKinds[rng.IntN(len(annotate.ClaimKinds))]),
		Evidence: string(annotate.EvidenceLevels[rng.IntN(len(annotate.EvidenceLevels))]),
		Rating:   weighted(rng, statusWeights),
	}
	if a.capture.Byline != "" && rng.IntN(2) == 0 {
		c.Claimant = a.capture.Byline
	} else {
		c.Claimant = claimants[rng.IntN(len(claimants))]
	}
	if c.Rating != string(annotate.ClaimUnchecked) {
		c.Verdict = verdicts[rng.IntN(len(verdicts))]
		c.Reviewed = created.Add(time.Duration(1+rng.IntN(240)) * time.Hour).Format(time.RFC3339Nano)
		if rng.IntN(2) == 0 {
			c.Links = []string{fmt.Sprintf("https://factcheck.example.org/%s/%d", slug(a.capture.Title), rng.IntN(1000))}
		}
	}
	return c
}

// pickSpans chooses n passages to highlight, each a sentence (or two) of a paragraph or
// list item, none overlapping, in document order. spread places them evenly through the
// text, as the benchmark fixtures want; otherwise they fall at random.
func pickSpans(rng *rand.Rand, d *doc.Document, n int, spread bool) [][2]int {
	if n == 0 {
		return nil
	}
	var all [][2]int
	for _, b := range d.Blocks {
		if b.Kind != doc.Paragraph && b.Kind != doc.ListItem {
			continue
		}
		all = append(all, sentences(d.Text, b.Start, b.End)...)
	}
	if len(all) == 0 {
		return nil
	}
	n = min(n, len(all))
	var idx []int
	if spread {
		for k := range n {
			idx = append(idx, k*len(all)/n)
		}
	} else {
		idx = rng.Perm(len(all))[:n]
		slices.Sort(idx)
	}
	out := make([][2]int, 0, n)
	for _, i := range idx {
		sp := all[i]
		// Now and then a highlight runs on into the next sentence of the same block.
		if !spread && rng.IntN(5) == 0 && i+1 < len(all) && all[i+1][0] <= sp[1]+1 && !slices.Contains(idx, i+1) {
			sp[1] = all[i+1][1]
		}
		out = append(out, sp)
	}
	return out
}

// sentences splits text[start:end] into sentences of 20 to 400 bytes, trimmed of spaces.
func sentences(text string, start, end int) [][2]int {
	var out [][2]int
	s := start
	emit := func(e int) {
		for s < e && text[s] == ' ' {
			s++
		}
		t := e
		for t > s && text[t-1] == ' ' {
			t--
		}
		if t-s > 400 { // a run-on sentence: keep its first words
			t = s + 300
			for t > s && text[t] != ' ' {
				t--
			}
		}
		if t-s >= 20 {
			out = append(out, [2]int{s, t})
		}
		s = e
	}
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if (r == '.' || r == '?' || r == '!') && i < end && text[i] == ' ' || r == '。' {
			emit(i)
		}
	}
	emit(end)
	return out
}

// pickTags draws n different tags, the first of Tags most often.
func (g *generator) pickTags(rng *rand.Rand, n int) []string {
	var out []string
	for len(out) < n {
		t := Tags[g.zipf(rng)]
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// zipf draws an index into Tags with probability proportional to 1/(i+1).
func (g *generator) zipf(rng *rand.Rand) int {
	x := rng.Float64() * g.tagWeight[len(g.tagWeight)-1]
	lo, hi := 0, len(g.tagWeight)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g.tagWeight[mid] >= x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// noteText writes a note a reader might leave about a passage.
func noteText(rng *rand.Rand, about string) string {
	w := strings.Fields(about)
	word := "this"
	if len(w) > 0 {
		word = strings.Trim(w[rng.IntN(len(w))], `.,;:!?"“”'’()`)
	}
	return fmt.Sprintf(noteTemplates[rng.IntN(len(noteTemplates))], word)
}

type weight struct {
	value string
	w     int
}

func weighted(rng *rand.Rand, ws []weight) string {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	r := rng.IntN(total)
	for _, x := range ws {
		if r < x.w {
			return x.value
		}
		r -= x.w
	}
	return ws[len(ws)-1].value
}

var (
	colorWeights = []weight{
		{"yellow", 40}, {"green", 15}, {"blue", 15}, {"pink", 10}, {"purple", 10}, {"orange", 10},
	}
	statusWeights = []weight{
		{string(annotate.ClaimUnchecked), 40}, {string(annotate.ClaimSupported), 25},
		{string(annotate.ClaimDisputed), 10}, {string(annotate.ClaimFalse), 10},
		{string(annotate.ClaimMisleading), 10}, {string(annotate.ClaimUnverifiable), 5},
	}
	claimants = []string{
		"the ministry", "a company spokesperson", "the opposition leader", "the regulator",
		"an industry group", "the central bank", "the campaign", "the police", "a local councillor",
	}
	verdicts = []string{
		"The figure matches the official statistics for the period.",
		"The cited study says something narrower than this.",
		"No source for this could be found; the agency named denies it.",
		"True as far as it goes, but it leaves out the revision published a month later.",
		"The quote is accurate but comes from a different speech.",
		"Two independent datasets agree with this.",
	}
	noteTemplates = []string{
		"Check **%s** against the original report.",
		"Follow up: who else says %s?",
		"Compare with the figures from last year — %s looks high.",
		"Good quote for the chapter on %s.",
		"Source for %s? Ask the press office.",
		"Contradicts what the minister said about %s in March.",
		"Background: see the earlier piece on %s.",
		"Key point — %s.",
	}
)
