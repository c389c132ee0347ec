package libgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"gloss/archive/doc"
)

// source is one page whose text generated articles are made of.
type source struct {
	host  string   // the page's host without www.
	lang  string   // a guess from the script and the host's country
	latin bool     // written in a Latin script: articles mix only pages alike
	paras []string // the article body's paragraphs
	words []int    // doc.WordCount of each paragraph
	head  string   // the start of the page's <head>, to make raw pages of realistic bulk
}

// maxHead caps how much of a real page's <head> a generated raw page carries. Real heads
// run from a few to a few hundred kilobytes (mostly scripts and styles); the cap keeps the
// raw pages' compression, which dominates generation time, to about a millisecond each.
const maxHead = 12 << 10

// FindCorpus returns the extraction corpus folder of the shared evaluation data
// (../shared/corpus/extraction-dev beside the module root), looked for upwards from dir;
// "" when there is none, and the generator writes prose of its own instead.
func FindCorpus(dir string) string {
	root := moduleRoot(dir)
	if root == "" {
		return ""
	}
	c := filepath.Join(root, "..", "shared", "corpus", "extraction-dev")
	if _, err := os.Stat(filepath.Join(c, "ground-truth.json")); err != nil {
		return ""
	}
	return c
}

// loadCorpus reads the article bodies of an extraction corpus (ground-truth.json:
// {"id": {"articleBody": …, "url": …}}) and, when the page is there (html/ID.html.gz),
// the start of its <head>. Pages come back in id order, so that a seed means the same
// thing on every machine.
func loadCorpus(dir string) ([]source, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var truth map[string]struct {
		Body string `json:"articleBody"`
		URL  string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []source
	for _, id := range ids {
		t := truth[id]
		var paras []string
		for _, p := range strings.Split(t.Body, "\n") {
			if p = strings.Join(strings.Fields(p), " "); p != "" {
				paras = append(paras, p)
			}
		}
		if len(paras) == 0 {
			continue
		}
		host := "news.example.com"
		if u, err := url.Parse(t.URL); err == nil && u.Hostname() != "" {
			host = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
		s := source{host: host, paras: paras}
		s.latin, s.lang = script(t.Body, host)
		if s.head, err = pageHead(filepath.Join(dir, "html", id+".html.gz")); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("corpus %s: no article bodies", dir)
	}
	countWords(out)
	return out, nil
}

// pageHead returns the start of the <head> of a gzipped page, cut after a tag, at most
// maxHead bytes; "" when the page is missing.
func pageHead(path string) (string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("corpus %s: %w", path, err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		return "", fmt.Errorf("corpus %s: %w", path, err)
	}
	lower := bytes.ToLower(page)
	start := bytes.Index(lower, []byte("<head"))
	if start < 0 {
		return "", nil
	}
	if i := bytes.IndexByte(lower[start:], '>'); i >= 0 {
		start += i + 1
	}
	end := bytes.Index(lower[start:], []byte("</head>"))
	if end < 0 {
		end = len(page) - start
	}
	head := page[start : start+min(end, maxHead)]
	if i := bytes.LastIndexByte(head, '>'); i >= 0 {
		head = head[:i+1]
	}
	return strings.ToValidUTF8(string(head), ""), nil
}

// script guesses whether a text is in a Latin script and its language, from its letters
// and the country of its host.
func script(text, host string) (latin bool, lang string) {
	counts := map[string]int{}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hangul, r):
			counts["ko"]++
		case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
			counts["ja"] += 4 // Japanese text is mostly Han; a few kana decide it
		case unicode.Is(unicode.Han, r):
			counts["zh"]++
		case unicode.Is(unicode.Cyrillic, r):
			counts["ru"]++
		case unicode.Is(unicode.Greek, r):
			counts["el"]++
		case unicode.Is(unicode.Arabic, r):
			counts["ar"]++
		case unicode.Is(unicode.Latin, r):
			counts["latin"]++
		}
	}
	best, n := "latin", 0
	for _, k := range []string{"latin", "ko", "ja", "zh", "ru", "el", "ar"} {
		if counts[k] > n {
			best, n = k, counts[k]
		}
	}
	if best != "latin" {
		return false, best
	}
	tld := host[strings.LastIndexByte(host, '.')+1:]
	switch tld {
	case "br", "pt":
		return true, "pt"
	case "de", "at":
		return true, "de"
	case "fr":
		return true, "fr"
	case "es", "mx", "ar":
		return true, "es"
	case "it":
		return true, "it"
	case "nl":
		return true, "nl"
	}
	return true, "en"
}

// proseSources makes sources of generated English prose, for machines without the
// shared corpus: a few dozen sites, each with paragraphs of sentences made from a small
// grammar. It is plausible enough to tokenise, rank and lay out like news text.
func proseSources(seed uint64) []source {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	out := make([]source, 0, len(proseSites))
	for _, site := range proseSites {
		s := source{host: site, latin: true, lang: "en"}
		for range 12 + rng.IntN(30) {
			s.paras = append(s.paras, proseParagraph(rng))
		}
		out = append(out, s)
	}
	countWords(out)
	return out
}

// countWords fills in the word counts of the sources' paragraphs.
func countWords(sources []source) {
	for i := range sources {
		s := &sources[i]
		s.words = make([]int, len(s.paras))
		for k, p := range s.paras {
			s.words[k] = doc.WordCount(p)
		}
	}
}

func proseParagraph(rng *rand.Rand) string {
	var b strings.Builder
	for i := range 2 + rng.IntN(5) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(proseSentence(rng))
	}
	return b.String()
}

func proseSentence(rng *rand.Rand) string {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	var words []string
	switch rng.IntN(4) {
	case 0:
		words = []string{"The", pick(adjectives), pick(nouns), pick(verbs), "the", pick(nouns), pick(prepositions), pick(places)}
	case 1:
		words = []string{pick(people), "said", "the", pick(nouns), "had", pick(participles), pick(prepositions), pick(places)}
	case 2:
		words = []string{"In", pick(places) + ",", "the", pick(nouns), pick(verbs), "a", pick(adjectives), pick(nouns), "that", pick(people), pick(verbs)}
	default:
		words = []string{"Officials", "expect", "the", pick(adjectives), pick(nouns), "to", pick(infinitives), "by", pick(times)}
	}
	if rng.IntN(3) == 0 {
		words = append(words, "after", "a", pick(adjectives), pick(nouns))
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

var (
	proseSites = []string{
		"harbourgazette.example", "northern-times.example", "citydesk.example", "thelongread.example",
		"dailyledger.example", "coastalpost.example", "factfile.example", "sciencewire.example",
		"marketwatcher.example", "policyreview.example", "riverside-herald.example", "techbrief.example",
		"healthdispatch.example", "climatedesk.example", "sportsnight.example", "courtreporter.example",
	}
	adjectives = []string{
		"new", "local", "national", "regional", "former", "annual", "public", "private", "rising",
		"falling", "unexpected", "controversial", "delayed", "ambitious", "costly", "modest", "sharp",
		"urgent", "independent", "official", "early", "late", "major", "minor", "coastal", "rural",
		"urban", "federal", "digital", "historic",
	}
	nouns = []string{
		"council", "harbour", "budget", "report", "study", "committee", "hospital", "school",
		"breakwater", "railway", "election", "inquiry", "survey", "market", "drought", "flood",
		"vaccine", "court", "tribunal", "pipeline", "reservoir", "bridge", "library", "museum",
		"campaign", "policy", "tariff", "strike", "merger", "lawsuit", "verdict", "forecast",
		"audit", "census", "treaty", "ministry", "union", "festival", "stadium", "satellite",
	}
	verbs = []string{
		"approved", "rejected", "delayed", "published", "announced", "questioned", "funded",
		"reviewed", "challenged", "expanded", "closed", "opened", "measured", "criticised",
		"welcomed", "replaced", "examined", "confirmed", "denied", "proposed",
	}
	participles = []string{
		"doubled", "fallen sharply", "stalled", "recovered", "grown steadily", "been cancelled",
		"been postponed", "run over budget", "met its target", "missed its deadline",
	}
	infinitives = []string{
		"reopen", "recover", "double", "finish", "expand", "shrink", "report", "vote", "settle", "resume",
	}
	prepositions = []string{"in", "near", "across", "outside", "beyond", "throughout", "around"}
	places       = []string{
		"the north", "the capital", "the valley", "the old port", "the county", "the region",
		"three districts", "the coast", "the city centre", "the border towns", "the islands",
	}
	people = []string{
		"the mayor", "a spokesperson", "the minister", "the chief engineer", "the auditor",
		"a local historian", "the union leader", "the head teacher", "the harbour master",
		"an independent analyst", "the court", "the regulator",
	}
	times = []string{"the spring", "next year", "the end of the decade", "autumn", "the summer", "2030", "March"}
)
