//go:build unix

package archive_test

import (
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"

	"gloss/archive"
)

// BenchmarkExtractCPU measures extraction in pages per CPU-second on one thread
// (GOMAXPROCS 1) over the extraction corpus, three ways side by side, page by page in the
// same run so that they share the machine's state:
//
//   - readability: parsing and readability alone, the baseline;
//   - cleaned: parsing, the cleaning stages and readability (ExtractNode), which the
//     target holds to at least 0.8 times the baseline's throughput (cleaned/readability);
//   - full: all of Extract, which also sanitises the article and derives its text.
//
// CPU time comes from getrusage, so that other processes on a shared machine do not count.
// BenchmarkExtract (eval_test.go) gives the same comparison in wall time and bytes.
func BenchmarkExtractCPU(b *testing.B) {
	shared := sharedDir(b)
	pages := loadCorpus(b, filepath.Join(shared, "corpus", "extraction-dev"), "ground-truth.json", "url")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ways := []struct {
		name    string
		extract func(evalPage) error
	}{
		{"readability", func(p evalPage) error {
			root, err := archive.Parse(p.html)
			if err != nil {
				return err
			}
			parser := readability.NewParser()
			_, err = parser.ParseAndMutate(root, p.url)
			return err
		}},
		{"cleaned", func(p evalPage) error {
			root, err := archive.Parse(p.html)
			if err != nil {
				return err
			}
			_, err = archive.ExtractNode(root, p.url)
			return err
		}},
		{"full", func(p evalPage) error {
			_, err := archive.Extract(p.html, p.url)
			return err
		}},
	}
	cpu := make([]time.Duration, len(ways))
	n := 0
	for b.Loop() {
		for _, p := range pages {
			for i, w := range ways {
				start := cpuTime(b)
				if err := w.extract(p); err != nil && !errors.Is(err, archive.ErrNoArticle) {
					b.Fatalf("%s: %s: %v", w.name, p.id, err)
				}
				cpu[i] += cpuTime(b) - start
			}
			n++
		}
	}
	for i, w := range ways {
		b.ReportMetric(float64(n)/cpu[i].Seconds(), w.name+"-pages/cpu-s")
	}
	b.ReportMetric(cpu[0].Seconds()/cpu[1].Seconds(), "cleaned/readability")
	b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "full/readability")
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
