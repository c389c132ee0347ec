// Command glosslib generates a benchmark library (see package libgen), or finds the one
// already cached, and prints its path; with -copy it also copies it to a file of its own,
// to open with Gloss:
//
//	go run ./annotate/libgen/cmd/glosslib -n 10000 -copy /tmp/library.db
//	bin/gloss --db /tmp/library.db
//
// The library is cached in $GLOSS_BENCH_DIR (default: gloss-bench in the temporary
// folder), where the benchmarks that GLOSS_BENCH_N turns on find it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"gloss/annotate/libgen"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("glosslib: ")
	n := flag.Int("n", libgen.DefaultArticles, "articles to generate, besides the fixtures")
	seed := flag.Uint64("seed", libgen.DefaultSeed, "seed of the library")
	prose := flag.Bool("prose", false, "generate prose even when the shared corpus is at hand")
	dst := flag.String("copy", "", "copy the library to this file (which must not exist)")
	flag.Parse()

	opt := libgen.Options{Articles: *n, Seed: *seed}
	if !*prose {
		wd, err := os.Getwd()
		if err != nil {
			log.Fatal(err)
		}
		opt.Corpus = libgen.FindCorpus(wd)
	}
	start := time.Now()
	opt.Progress = func(done, total int) {
		fmt.Fprintf(os.Stderr, "\rglosslib: %d of %d articles (%s)", done, total, time.Since(start).Round(time.Second))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	path, err := libgen.Cached(ctx, libgen.CacheDir(), opt)
	if time.Since(start) > time.Second {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		log.Fatal(err)
	}
	if *dst != "" {
		if err := libgen.Copy(path, *dst); err != nil {
			log.Fatal(err)
		}
		path = *dst
	}
	fmt.Println(path)
}
