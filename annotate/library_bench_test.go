package annotate_test

import (
	"context"
	"testing"

	"gloss/annotate"
	"gloss/annotate/libgen"
	"gloss/archive"
)

// benchLibrary opens a copy of the generated library GLOSS_BENCH_N asks for (generated
// on first use and cached, see libgen.Cached), or skips the benchmark when it is unset,
// so that go test -bench stays quick unless a large library is wanted.
func benchLibrary(b *testing.B) (*archive.Library, *annotate.Store, libgen.Options) {
	b.Helper()
	opt, ok, err := libgen.FromEnv()
	if err != nil {
		b.Fatal(err)
	}
	if !ok {
		b.Skipf("set %s=10000 (make bench) to run against a generated library", libgen.EnvArticles)
	}
	lib, store, err := libgen.OpenCopy(context.Background(), b.TempDir(), opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := lib.Close(); err != nil {
			b.Error(err)
		}
	})
	return lib, store, opt
}

// searchLimit is how many results the library view asks Search for (app/library.go).
const searchLimit = 200

// snippetPage is how many results the library view asks Snippets for at a time: the
// first page with the results, the next ones as they scroll into view (app/library.go).
const snippetPage = 20

// pageSize is the page of the library list the view reads at a time (app/library.go).
const pageSize = 100

// BenchmarkLibrary times what a user waits for in the library view of a large library:
// a search (one word, a phrase, a prefix: the ranked results and the snippets of the first
// page; then the snippets of a page further down), a filter by tag or by claim status (the count
// and the first page, as the view reads them), the unfiltered first page, and the tag
// list. One op is a pass over a set of different queries (200 of each kind of search,
// every tag, every claim status), each timed on its own: median-ms and p99-ms are the
// figures to hold to the targets (search: median under 5 ms and p99 under 50 ms at
// 10,000 articles, median under 50 ms at 100,000).
func BenchmarkLibrary(b *testing.B) {
	lib, store, opt := benchLibrary(b)
	ctx := context.Background()
	const n, warm = 200, 20
	q, err := libgen.SearchQueries(opt, n+warm)
	if err != nil {
		b.Fatal(err)
	}
	// A few queries not timed first, so that the figures are those of a library in use
	// rather than of the first query after opening it.
	for _, s := range append(append(q.Words[n:], q.Phrases[n:]...), q.Prefixes[n:]...) {
		if _, err := lib.Search(ctx, s, searchLimit); err != nil {
			b.Fatal(err)
		}
	}
	// A search as the view runs it: the ranked results, then the snippets of the
	// first page.
	search := func(qs []string) func(b *testing.B) {
		return func(b *testing.B) {
			var lat libgen.Latencies
			hits := 0
			for b.Loop() {
				for _, s := range qs {
					err := lat.Time(func() error {
						res, err := lib.Search(ctx, s, searchLimit)
						if err != nil {
							return err
						}
						hits += len(res)
						_, err = lib.Snippets(ctx, s, resultIDs(res, 0, snippetPage))
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b, lat, hits)
		}
	}
	b.Run("search/word", search(q.Words[:n]))
	b.Run("search/phrase", search(q.Phrases[:n]))
	b.Run("search/prefix", search(q.Prefixes[:n]))

	// The snippets of a page further down, as the user scrolls the results.
	b.Run("search/scroll", func(b *testing.B) {
		type page struct {
			q   string
			ids []int64
		}
		var pages []page
		for _, s := range q.Words[:n] {
			res, err := lib.Search(ctx, s, searchLimit)
			if err != nil {
				b.Fatal(err)
			}
			if ids := resultIDs(res, 5*snippetPage, snippetPage); len(ids) > 0 {
				pages = append(pages, page{s, ids})
			}
		}
		var lat libgen.Latencies
		hits := 0
		for b.Loop() {
			for _, p := range pages {
				err := lat.Time(func() error {
					sn, err := lib.Snippets(ctx, p.q, p.ids)
					hits += len(sn)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b, lat, hits)
	})

	var tags []annotate.ListFilter
	for _, t := range libgen.Tags {
		tags = append(tags, annotate.ListFilter{Tag: t})
	}
	var claims []annotate.ListFilter
	for _, s := range annotate.ClaimStatuses {
		claims = append(claims, annotate.ListFilter{ClaimStatus: s})
	}
	filter := func(fs []annotate.ListFilter, rounds int) func(b *testing.B) {
		return func(b *testing.B) {
			var lat libgen.Latencies
			hits := 0
			opt := archive.ListOptions{Limit: pageSize, Sort: archive.SortSaved, Desc: true}
			for b.Loop() {
				for i := range rounds * len(fs) {
					f := fs[i%len(fs)]
					err := lat.Time(func() error {
						n, err := store.CountArticles(ctx, f)
						if err != nil {
							return err
						}
						rows, err := store.ListArticles(ctx, f, opt)
						hits += min(n, len(rows))
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b, lat, hits)
		}
	}
	b.Run("filter/tag", filter(tags, 2))
	b.Run("filter/claim", filter(claims, 20))
	b.Run("list/first-page", filter([]annotate.ListFilter{{}}, 100))

	b.Run("tags", func(b *testing.B) {
		var lat libgen.Latencies
		for b.Loop() {
			for range 20 {
				if err := lat.Time(func() error { _, err := store.Tags(ctx); return err }); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b, lat, 0)
	})
}

// resultIDs returns the article ids of up to n results from the one at from.
func resultIDs(res []archive.SearchResult, from, n int) []int64 {
	var ids []int64
	for i := from; i < len(res) && i < from+n; i++ {
		ids = append(ids, res[i].ArticleID)
	}
	return ids
}

// report adds the median and 99th percentile of lat, and the average number of results,
// to a benchmark's figures.
func report(b *testing.B, lat libgen.Latencies, hits int) {
	b.ReportMetric(lat.Milliseconds(50), "median-ms")
	b.ReportMetric(lat.Milliseconds(99), "p99-ms")
	if hits > 0 {
		b.ReportMetric(float64(hits)/float64(len(lat)), "results/op")
	}
}

// BenchmarkCheck times Store.Check on a large library: the archive's checks of the file
// and its tables, then every row of annotate's tables read and checked against its sum,
// and every article's annotation text in the search index compared with the tables.
// (NewStore runs annotate's part, without the index, at open on libraries
// archive.FullCheckAtOpen admits.)
func BenchmarkCheck(b *testing.B) {
	_, store, _ := benchLibrary(b)
	ctx := context.Background()
	for b.Loop() {
		problems, err := store.Check(ctx)
		if err != nil || len(problems) > 0 {
			b.Fatalf("Check = %q, %v", problems, err)
		}
	}
}
