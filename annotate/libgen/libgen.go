// Package libgen generates libraries of saved and annotated articles, for the benchmarks
// that hold Gloss to its speed targets at 10,000 and 100,000 articles.
//
// The articles are made of real article text when the shared extraction corpus is at hand
// (its hand-checked article bodies, paragraphs shuffled and mixed between pages of the
// same script, with varied titles, sites, authors and dates), and of generated English
// prose otherwise. They carry what users add: tags, notes, favourites, highlights with
// notes, tags and rated claims. Everything is drawn from a seed, article by article, so
// the same options give the same library, and article i is the same in a library of 10,000
// as in one of 100,000.
//
// Articles are stored through the library's public API, in batches (archive's AddCaptures
// and annotate's ImportAnnotations each store a batch in one transaction), so that 10,000
// articles take seconds rather than the minutes one durable commit per article would.
// Cached keeps generated libraries between benchmark runs.
package libgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"gloss/annotate"
	"gloss/archive"
)

// The defaults of Options.
const (
	DefaultArticles = 10000
	DefaultSeed     = 1
)

// Options says what library to generate.
type Options struct {
	// Articles is how many articles to generate besides the fixtures; 0 means
	// DefaultArticles.
	Articles int
	// Seed picks the library; 0 means DefaultSeed.
	Seed uint64
	// Corpus is an extraction corpus folder (see FindCorpus) to take article text from;
	// "" means generated prose.
	Corpus string
	// Progress, if set, is called after each batch with the articles stored so far.
	Progress func(done, total int)
}

func (o Options) withDefaults() Options {
	if o.Articles <= 0 {
		o.Articles = DefaultArticles
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	return o
}

// Fixture is an article every generated library holds besides the random ones, at a known
// address, for the benchmarks that open or export one article of a given size.
type Fixture struct {
	URL        string
	Words      int // as doc.WordCount counts them; the text may fall short by up to 1%
	Highlights int // spread evenly through the text
}

// The fixtures.
var (
	// LongArticle is the article the reader opens: 10,000 words with 100 highlights.
	LongArticle = Fixture{URL: "https://bench.gloss.example/long-read", Words: 10000, Highlights: 100}
	// ExportArticle is the article exported to PDF and Markdown: 6,000 words with 50
	// highlights.
	ExportArticle = Fixture{URL: "https://bench.gloss.example/export", Words: 6000, Highlights: 50}
)

// Fixtures lists the fixtures in the order they are stored, after the random articles.
var Fixtures = []Fixture{LongArticle, ExportArticle}

// Stats counts what Generate stored.
type Stats struct {
	Articles    int   // fixtures included
	Words       int64 // over all articles
	RawBytes    int64 // raw HTML, before compression
	Highlights  int
	Claims      int
	ArticleTags int // tags given to articles (highlight tags not counted)
	Elapsed     time.Duration
}

// ErrExists is returned by Generate for a path where a file already is: a library is only
// ever generated whole.
var ErrExists = errors.New("the file exists")

// batchSize is how many articles go into one transaction.
const batchSize = 500

// generator holds what every article is drawn from.
type generator struct {
	seed      uint64
	sources   []source
	tagWeight []float64 // cumulative Zipf weights of Tags
}

func newGenerator(opt Options) (*generator, error) {
	g := &generator{seed: opt.Seed}
	var err error
	if opt.Corpus != "" {
		if g.sources, err = loadCorpus(opt.Corpus); err != nil {
			return nil, err
		}
	} else {
		g.sources = proseSources(opt.Seed)
	}
	sum := 0.0
	for i := range Tags {
		sum += 1 / float64(i+1)
		g.tagWeight = append(g.tagWeight, sum)
	}
	return g, nil
}

// Generate creates the library file at path, which must not exist, and fills it as opt
// says: opt.Articles random articles, then the Fixtures.
func Generate(ctx context.Context, path string, opt Options) (Stats, error) {
	start := time.Now()
	opt = opt.withDefaults()
	if _, err := os.Stat(path); err == nil {
		return Stats{}, fmt.Errorf("generate library %s: %w", path, ErrExists)
	}
	g, err := newGenerator(opt)
	if err != nil {
		return Stats{}, fmt.Errorf("generate library %s: %w", path, err)
	}
	lib, err := archive.Open(path)
	if err != nil {
		return Stats{}, fmt.Errorf("generate library: %w", err)
	}
	st, err := g.fill(ctx, lib, opt)
	if cerr := lib.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Stats{}, fmt.Errorf("generate library %s: %w", path, err)
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// planned is a generated article with its annotations drawn.
type planned struct {
	generated
	highlights []annotate.W3CAnnotation
	meta       articleAnnotations
}

// fill stores the articles batch by batch; the next batch is drawn, on every CPU, while
// the current one is written.
func (g *generator) fill(ctx context.Context, lib *archive.Library, opt Options) (Stats, error) {
	// A fixed clock: the times annotate stamps are part of what a seed reproduces.
	store, err := annotate.NewStore(lib, annotate.WithClock(func() time.Time { return epoch }))
	if err != nil {
		return Stats{}, err
	}
	total := opt.Articles + len(Fixtures)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []planned, 1)
	go func() {
		defer close(batches)
		for from := 0; from < total; from += batchSize {
			b := g.batch(from, min(from+batchSize, total), opt.Articles)
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var st Stats
	for b := range batches {
		if err := storeBatch(ctx, lib, store, b, &st); err != nil {
			return Stats{}, err
		}
		if opt.Progress != nil {
			opt.Progress(st.Articles, total)
		}
	}
	return st, ctx.Err()
}

// batch draws articles [from, to) of a library of n random articles and the fixtures.
func (g *generator) batch(from, to, n int) []planned {
	out := make([]planned, to-from)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var a generated
				if i < n {
					a = g.article(i)
				} else {
					a = g.fixture(Fixtures[i-n], i-n)
				}
				p := planned{generated: a}
				p.highlights, p.meta = g.annotations(&a)
				p.rng = nil // drawn out; keep no reference
				out[i-from] = p
			}
		}()
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// storeBatch stores one batch: its captures in one transaction, its highlights in another,
// then each article's own tags, note and flags.
func storeBatch(ctx context.Context, lib *archive.Library, store *annotate.Store, b []planned, st *Stats) error {
	keyed := make([]archive.KeyedCapture, len(b))
	for i, p := range b {
		keyed[i] = archive.KeyedCapture{Key: p.key, Capture: p.capture, Added: p.added}
	}
	ids, err := lib.AddCaptures(ctx, keyed)
	if err != nil {
		return err
	}
	var hs []annotate.W3CAnnotation
	for _, p := range b {
		hs = append(hs, p.highlights...)
		for _, h := range p.highlights {
			if h.Claim != nil {
				st.Claims++
			}
		}
	}
	if len(hs) > 0 {
		data, err := json.Marshal(hs)
		if err != nil {
			return fmt.Errorf("highlights: %w", err)
		}
		rep, err := store.ImportAnnotations(ctx, data)
		if err != nil {
			return err
		}
		if rep.Anchored != len(hs) {
			return fmt.Errorf("highlights: %d of %d anchored (%+v)", rep.Anchored, len(hs), rep)
		}
	}
	for i, p := range b {
		id := ids[i].ArticleID
		m := p.meta
		if len(m.tags) > 0 {
			if err := store.AddTags(ctx, annotate.ArticleRef(id), m.tags...); err != nil {
				return err
			}
		}
		if m.note != "" {
			if err := store.SetArticleNote(ctx, id, m.note); err != nil {
				return err
			}
		}
		if m.favourite {
			if err := store.SetFavourite(ctx, id, true); err != nil {
				return err
			}
		}
		if m.archived {
			if err := store.SetArchived(ctx, id, true); err != nil {
				return err
			}
		}
		st.Articles++
		st.Words += int64(p.capture.WordCount)
		st.RawBytes += int64(len(p.capture.RawHTML))
		st.Highlights += len(p.highlights)
		st.ArticleTags += len(m.tags)
	}
	return nil
}
