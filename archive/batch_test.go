package archive

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestAddCaptures saves a batch holding two new articles and a second capture of the
// first, and checks each as AddCapture would have left it.
func TestAddCaptures(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	var hooked []string
	l.OnCapture(func(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error {
		hooked = append(hooked, text)
		return nil
	})
	early := time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC)
	late := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	first := sampleCapture("First", "the harbour master spoke")
	second := sampleCapture("Second", "engineers tested the breakwater")
	again := sampleCapture("First, again", "the harbour master spoke twice")
	again.RawHTML = bytes.Repeat([]byte("<p>long raw page</p>"), 5000)
	ids, err := l.AddCaptures(ctx, []KeyedCapture{
		{Key: "https://example.com/a", Capture: first, Added: early},
		{Key: " https://example.com/b ", Capture: second, Added: late},
		{Key: "https://example.com/a", Capture: again},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0].ArticleID != ids[2].ArticleID || ids[0].ArticleID == ids[1].ArticleID {
		t.Fatalf("ids = %+v, want captures 1 and 3 of one article, 2 of another", ids)
	}
	if want := []string{first.Text, second.Text, again.Text}; !reflect.DeepEqual(hooked, want) {
		t.Errorf("hooks saw %q, want %q", hooked, want)
	}

	tests := []struct {
		key          string
		wantCapture  int64
		wantTitle    string
		wantCaptures int
		wantRaw      []byte
		backdated    bool
	}{
		{"https://example.com/a", ids[2].CaptureID, "First, again", 2, again.RawHTML, true},
		{"https://example.com/b", ids[1].CaptureID, "Second", 1, second.RawHTML, false},
	}
	for _, tt := range tests {
		a, err := l.ArticleByURL(ctx, tt.key)
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if got := a.Current.ID; got != tt.wantCapture {
			t.Errorf("%s: current capture = %d, want %d", tt.key, got, tt.wantCapture)
		}
		if got := a.Current.Title; got != tt.wantTitle {
			t.Errorf("%s: title = %q, want %q", tt.key, got, tt.wantTitle)
		}
		if got := a.Captures; got != tt.wantCaptures {
			t.Errorf("%s: captures = %d, want %d", tt.key, got, tt.wantCaptures)
		}
		if !bytes.Equal(a.Current.RawHTML, tt.wantRaw) {
			t.Errorf("%s: raw HTML of %d bytes came back as %d different bytes", tt.key, len(tt.wantRaw), len(a.Current.RawHTML))
		}
		if got := a.AddedAt.Equal(early); got != tt.backdated {
			t.Errorf("%s: added at %v; backdated to %v = %v, want %v", tt.key, a.AddedAt, early, got, tt.backdated)
		}
	}
	res, err := l.Search(ctx, "breakwater", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ArticleID != ids[1].ArticleID {
		t.Errorf("search for a word of the batch found %+v, want article %d", res, ids[1].ArticleID)
	}
}

// TestAddCapturesAllOrNothing checks that a batch with one bad capture saves nothing.
func TestAddCapturesAllOrNothing(t *testing.T) {
	refuse := errors.New("refused by hook")
	tests := []struct {
		name    string
		batch   []KeyedCapture
		wantErr error
	}{
		{"empty key", []KeyedCapture{{Key: "text:1", Capture: Capture{Text: "fine"}}, {Key: "  "}}, nil},
		{"hook fails", []KeyedCapture{{Key: "text:1", Capture: Capture{Text: "fine"}}, {Key: "text:2", Capture: Capture{Text: "refuse"}}}, refuse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openTest(t)
			ctx := context.Background()
			l.OnCapture(func(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error {
				if text == "refuse" {
					return refuse
				}
				return nil
			})
			ids, err := l.AddCaptures(ctx, tt.batch)
			if err == nil || ids != nil {
				t.Fatalf("AddCaptures = %v, %v; want an error and no ids", ids, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if n, err := l.Count(ctx); err != nil || n != 0 {
				t.Errorf("articles after a failed batch = %d, %v; want 0", n, err)
			}
		})
	}
}

func TestAddCapturesEmpty(t *testing.T) {
	l := openTest(t)
	ids, err := l.AddCaptures(context.Background(), nil)
	if err != nil || len(ids) != 0 {
		t.Errorf("AddCaptures(nil) = %v, %v; want no ids and no error", ids, err)
	}
}

// keyed returns n distinct captures of a typical article.
func keyed(n int) []KeyedCapture {
	c := sampleCapture("A typical article", string(bytes.Repeat([]byte("Some sentence of an article body. "), 300)))
	c.RawHTML = bytes.Repeat([]byte("<p>Some sentence of an article body.</p>\n"), 2000)
	out := make([]KeyedCapture, n)
	for i := range out {
		out[i] = KeyedCapture{Key: fmt.Sprintf("text:%d", i), Capture: c}
	}
	return out
}
