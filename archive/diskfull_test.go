package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gloss/archive/durability"
	"gloss/archive/images"
)

// setMaxPages sets the page limit of the library's writer connection (there
// is exactly one) and returns the limit SQLite accepted: it never goes below
// the current size.
func setMaxPages(t *testing.T, l *Library, n int64) int64 {
	t.Helper()
	var got int64
	err := l.Write(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(fmt.Sprintf(`PRAGMA max_page_count = %d`, n)).Scan(&got)
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func pageCount(t *testing.T, l *Library) int64 {
	t.Helper()
	var n int64
	err := l.Read(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`PRAGMA page_count`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bigCapture returns a capture of about words words (text, cleaned HTML and
// raw page) with two incompressible images of imageKB KB, so that saving it
// touches every table and, made large, needs hundreds of pages.
func bigCapture(r *rand.Rand, words, imageKB int) (Capture, []images.Image) {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words_[r.IntN(len(words_))])
		fmt.Fprint(&b, r.IntN(1000)) // many distinct terms: a big index
	}
	text := b.String()
	c := sampleCapture("A long read", text)
	c.CleanedHTML = "<article><p>" + text + "</p></article>"
	var imgs []images.Image
	for i := range 2 {
		data := make([]byte, imageKB<<10)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		sum := sha256.Sum256(data)
		imgs = append(imgs, images.Image{Hash: hex.EncodeToString(sum[:]), MIME: "image/jpeg", Width: 800, Height: 600,
			Data: data, URL: fmt.Sprintf("https://example.com/photo%d.jpg", i)})
	}
	return c, imgs
}

var words_ = strings.Fields(`budget vaccine protein orbit harbour railway ministry archive journal
witness statement evidence inquiry report council minister treaty border tariff climate river`)

// recheck runs Check on fresh read connections. A connection that has run
// integrity_check before keeps FTS5's cached index structure, and SQLite
// 3.54.1's FTS5 integrity check does not notice that another connection
// has written since: it reports "fts5: checksum mismatch" on a healthy
// file. Any FTS5 query in the same read transaction refreshes the cache;
// until Check does that, tests that call it repeatedly on one library
// drop the idle readers first.
func recheck(l *Library) ([]string, error) {
	l.r.SetMaxIdleConns(0)
	l.r.SetMaxIdleConns(readers)
	return l.Check(context.Background())
}

// TestDiskFull saves a large capture with the library's page limit set at
// every point from "no room at all" to "just enough": every attempt either
// saves it whole or fails with ErrDiskFull and a sentence saying so, and
// after each the library is healthy and what it held before is unchanged.
// It models a full disk by SQLite's max_page_count: the same SQLITE_FULL,
// raised at every page the save needs.
func TestDiskFull(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	var before []Capture
	for i := range 5 {
		c, imgs := bigCapture(r, 300, 60)
		_, id, err := l.AddCaptureWithImages(ctx, fmt.Sprintf("text:earlier-%d", i%3), c, imgs, nil)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := l.Capture(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, stored)
	}
	if err := l.SetSetting(ctx, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	unlimited := setMaxPages(t, l, 0) // 0 reads the limit without changing it

	big, imgs := bigCapture(r, durability.N(20_000, 60_000), 60)
	var full, atCommit int
	var firstMsg string
	for extra := int64(0); ; extra++ {
		start := pageCount(t, l)
		setMaxPages(t, l, start+extra)
		_, id, err := l.AddCaptureWithImages(ctx, "text:big", big, imgs, nil)
		if got := setMaxPages(t, l, unlimited); got != unlimited {
			t.Fatalf("limit reset to %d, want %d", got, unlimited)
		}
		switch {
		case errors.Is(err, ErrDiskFull):
			full++
			if !strings.Contains(err.Error(), "the disk is full: nothing was saved") {
				t.Fatalf("message %q does not say the disk is full", err)
			}
			if strings.Contains(err.Error(), "commit: ") {
				atCommit++ // FTS5 writes its index when the transaction commits
			}
			if firstMsg == "" {
				firstMsg = err.Error()
			}
		case err != nil:
			t.Fatalf("with %d pages to spare: error %v, want ErrDiskFull or success", extra, err)
		default:
			got, err := l.Capture(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != big.Text || string(got.RawHTML) != string(big.RawHTML) {
				t.Fatalf("with %d pages to spare: the capture saved differs from the one given", extra)
			}
		}
		if problems, cerr := recheck(l); cerr != nil || len(problems) > 0 {
			t.Fatalf("with %d pages to spare (save: %v): Check() = %q, %v", extra, err, problems, cerr)
		}
		if pageCount(t, l) != start && err != nil {
			t.Fatalf("with %d pages to spare: the failed save left the file at %d pages, was %d", extra, pageCount(t, l), start)
		}
		for _, want := range before {
			got, err := l.Capture(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("with %d pages to spare: earlier capture %d changed", extra, want.ID)
			}
		}
		if err == nil {
			break
		}
	}
	if v, err := l.Setting(ctx, "theme", ""); err != nil || v != "dark" {
		t.Errorf("setting after the sweep = %q, %v; want dark", v, err)
	}
	if full < 100 {
		t.Errorf("%d attempts ran out of room, want hundreds: the capture is too small to sweep", full)
	}
	if atCommit == 0 || atCommit == full {
		t.Errorf("%d of %d failures at commit, want some at commit and some before", atCommit, full)
	}
	t.Logf("%d attempts failed with ErrDiskFull (%d of them at commit), then it saved; first message: %s", full, atCommit, firstMsg)
}
