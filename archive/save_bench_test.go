package archive_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gloss/archive"
	"gloss/archive/fetch"
)

// errNoNetwork is what the benchmark's resolver answers for every host name: the pages
// come from a loopback server, and the images they link on other sites are not fetched.
var errNoNetwork = errors.New("no network in benchmarks")

// BenchmarkSave saves 100 pages of the extraction corpus from a loopback HTTP server,
// four at a time, into a new library, with Saver.Save: fetch, site rules, extraction and
// cleaning, images, sanitising and the durable commit. It reports pages/s. Images on the
// pages' own server are fetched (and are missing, as they are not in the corpus); images
// on other sites fail at once, since the benchmark must not touch the network, so the
// figure leaves out image downloads, which depend on the network more than on Gloss.
func BenchmarkSave(b *testing.B) {
	shared := sharedDir(b)
	pages := loadCorpus(b, filepath.Join(shared, "corpus", "extraction-dev"), "ground-truth.json", "url")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /ROUND/INDEX serves page INDEX of the corpus; anything else is missing.
		_, idx, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(pages[i%len(pages)].html) // a failed response shows in the client
	}))
	defer srv.Close()
	lib, err := archive.Open(filepath.Join(b.TempDir(), "library.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := lib.Close(); err != nil {
			b.Error(err)
		}
	}()
	saver := archive.NewSaver(lib, fetch.New(fetch.Options{
		Resolver: func(context.Context, string) ([]netip.Addr, error) { return nil, errNoNetwork },
	}))
	ctx := context.Background()
	const perRound, parallel = 100, 4
	saved, noArticle := 0, 0
	var mu sync.Mutex
	for round := 0; b.Loop(); round++ {
		urls := make(chan string)
		var wg sync.WaitGroup
		for range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range urls {
					_, err := saver.Save(ctx, u, nil)
					mu.Lock()
					switch {
					case err == nil:
						saved++
					case errors.Is(err, archive.ErrNoArticle):
						noArticle++
					default:
						b.Errorf("save %s: %v", u, err)
					}
					mu.Unlock()
				}
			}()
		}
		for i := range perRound {
			urls <- fmt.Sprintf("%s/%d/%d", srv.URL, round, i)
		}
		close(urls)
		wg.Wait()
	}
	b.ReportMetric(float64(saved)/b.Elapsed().Seconds(), "pages/s")
	if noArticle > 0 {
		b.ReportMetric(float64(noArticle)/float64(saved+noArticle), "no-article-share")
	}
}
