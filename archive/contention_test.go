package archive_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/durability"
)

// TestTwoProcesses runs a second process saving captures as fast as it can,
// as a command-line import would, while this one makes small interactive
// writes (settings) on the same library for a sustained period (3 s; 2 min
// under GLOSS_STRESS=1). No write may fail with SQLITE_BUSY in either
// process, and everything either was told is saved must be there. The
// latency of the interactive writes is reported, not asserted: see
// BenchmarkInteractiveWriteDuringImport for the figure.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	ctx := context.Background()
	l, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	lat, acks, importer := interactiveDuringImport(t, l, durability.Duration(3*time.Second, 2*time.Minute), true)

	acked := newAcks()
	if _, err := acked.add(acks); err != nil {
		t.Fatal(err)
	}
	store, err := annotate.NewStore(l)
	if err != nil {
		t.Fatal(err)
	}
	checkAcked(t, ctx, l, acked.captures)
	checkHighlights(t, ctx, store, acked.highlights)
	for i := range lat {
		key := "interactive-" + strconv.Itoa(i)
		if v, err := l.Setting(ctx, key, ""); err != nil || v != strconv.Itoa(i) {
			t.Fatalf("setting %s = %q, %v; want %d", key, v, err, i)
		}
	}
	if problems, err := l.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("Check() = %q, %v", problems, err)
	}
	n := len(lat)
	t.Logf("%d interactive writes: p50 %v, p99 %v, max %v; the other process made %d writes (%s)",
		n, durability.Percentile(lat, 50), durability.Percentile(lat, 99), durability.Percentile(lat, 100), len(acks), importer)
}

// interactiveDuringImport starts a crash-writer child on l's file, which
// saves captures in a loop, and makes one small write on l every 10 ms
// for d. With reopen it also opens the library a second time every quarter
// of a second, as a second window would, checking it against a log another
// process is appending to. It fails the test on any error (a busy one is
// named as such) and returns the latencies, the child's acknowledgements
// and a summary of its pace.
func interactiveDuringImport(t testing.TB, l *archive.Library, d time.Duration, reopen bool) ([]time.Duration, []string, string) {
	child := durability.Start(t, "TestCrashWriter", "crash-writer", l.Path(), "7")
	if !child.WaitAcks(1) {
		t.Fatalf("the importing process did not start:\n%s", child.Output())
	}
	ctx := context.Background()
	var lat []time.Duration
	start := time.Now()
	lastOpen, reopened := start, 0
	for i := 0; time.Since(start) < d; i++ {
		t0 := time.Now()
		err := l.SetSetting(ctx, "interactive-"+strconv.Itoa(i), strconv.Itoa(i))
		lat = append(lat, time.Since(t0))
		if se := (sqlite3.Error{}); errors.As(err, &se) && se.Code == sqlite3.ErrBusy {
			t.Fatalf("interactive write %d: SQLITE_BUSY reached the caller after %v: %v", i, lat[i], err)
		}
		if err != nil {
			t.Fatalf("interactive write %d: %v", i, err)
		}
		if reopen && time.Since(lastOpen) > 250*time.Millisecond {
			lastOpen, reopened = time.Now(), reopened+1
			second, err := archive.Open(l.Path())
			if err != nil {
				t.Fatalf("open a second time during the import: %v", err)
			}
			if err := second.Close(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	acks := child.Kill()
	if child.Exited() || len(acks) < 2 {
		t.Fatalf("the importing process stopped after %d saves:\n%s", len(acks), child.Output())
	}
	return lat, acks, fmt.Sprintf("%.0f a second; the library opened %d more times meanwhile", float64(len(acks))/elapsed.Seconds(), reopened)
}

// BenchmarkInteractiveWriteDuringImport reports the latency of a small
// interactive write while another process imports: p99 target 100 ms.
func BenchmarkInteractiveWriteDuringImport(b *testing.B) {
	l, err := archive.Open(filepath.Join(b.TempDir(), "library.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var all []time.Duration
	for b.Loop() {
		lat, _, _ := interactiveDuringImport(b, l, 2*time.Second, false)
		all = append(all, lat...)
	}
	b.ReportMetric(float64(durability.Percentile(all, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durability.Percentile(all, 99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(durability.Percentile(all, 100).Microseconds())/1000, "max-ms")
}
