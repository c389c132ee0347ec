package clean

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir finds /work/shared next to the module root, or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared test data not available (%s): %v", shared, err)
	}
	return shared
}

// TestLinesClippedArticle checks the real clipped article: the headline is the title,
// "By The Associated Press" the byline, every paragraph of the article is kept as it is,
// and the search-box lines, the truncated teaser, the newsletter line and the comment
// widget all go.
func TestLinesClippedArticle(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "fixtures", "clipped-article.txt"))
	if err != nil {
		t.Skipf("fixture not available: %v", err)
	}
	text := string(raw)
	title, byline, body, removed := Lines(text)

	if want := "The Moscow concert massacre was a big security mistake. What caused that failure?"; title != want {
		t.Errorf("title = %q, want %q", title, want)
	}
	if want := "By The Associated Press"; byline != want {
		t.Errorf("byline = %q, want %q", byline, want)
	}

	// The article's paragraphs are the lines from the first one after the byline up to
	// the newsletter line.
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	start, end := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "Before gunmen last week") {
			start = i
		}
		if strings.HasPrefix(l, "Get more Colorado news") {
			end = i
		}
	}
	if start < 0 || end < start {
		t.Fatal("fixture changed: article bounds not found")
	}
	var want []string
	for _, l := range lines[start:end] {
		if l = strings.TrimSpace(l); l != "" {
			want = append(want, l)
		}
	}
	var got []string
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			got = append(got, p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d paragraphs, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("paragraph %d = %q, want %q", i, got[i], want[i])
		}
	}

	for _, gone := range []string{
		"Search", "Close this search box.", "Hours before gunmen", "Get more Colorado news",
		"Notify of", "guest", "0 Comments", "Oldest", "Newest Most Voted", "Inline Feedbacks",
		"View all comments", "Subscribe",
	} {
		for _, p := range got {
			if p == gone || strings.HasPrefix(p, gone) {
				t.Errorf("%q kept in the body", gone)
			}
		}
	}
	var rules []string
	for _, r := range removed {
		rules = append(rules, r.Rule)
	}
	wantRules := []string{"search/text", "teaser/repeat", "meta/byline", "cta/newsletter", "comments/widget"}
	if strings.Join(rules, " ") != strings.Join(wantRules, " ") {
		t.Errorf("removal rules = %v, want %v", rules, wantRules)
	}
}

func TestLines(t *testing.T) {
	const prose1 = "The council voted on Tuesday to keep the ferry running through the winter, after a petition signed by more than two thousand residents."
	const prose2 = "The service had been due to stop in November, when the operator's contract with the county ends, leaving the island without a link."
	const prose3 = "A spokesman for the operator said the company would now negotiate a one-year extension and expected to keep all of its twelve crew."
	tests := []struct {
		name, in      string
		title, byline string
		body          string
		rules         []string
	}{
		{
			name:  "plain article keeps everything",
			in:    "Ferry saved\n\n" + prose1 + "\n\n" + prose2 + "\n\n" + prose3 + "\n",
			title: "Ferry saved", body: prose1 + "\n\n" + prose2 + "\n\n" + prose3,
		},
		{
			name:  "byline and date lines move out",
			in:    "Ferry saved\nBy Jane Doe\nUpdated March 3, 2024 at 9:41 a.m.\n\n" + prose1 + "\n\n" + prose2 + "\n\n" + prose3,
			title: "Ferry saved", byline: "By Jane Doe", body: prose1 + "\n\n" + prose2 + "\n\n" + prose3,
			rules: []string{"meta/byline"},
		},
		{
			name: "calls to action, share line and comment section go",
			in: "Ferry saved\n\n" + prose1 + "\n\n" + prose2 + "\n\nShare this article: Facebook Twitter Email\n\n" + prose3 +
				"\n\nSign up for our newsletter to get the latest news delivered to your inbox.\n\nLeave a Reply\nCancel reply\nYour email address will not be published. Required fields are marked *\nGreat piece, thanks!",
			title: "Ferry saved", body: prose1 + "\n\n" + prose2 + "\n\n" + prose3,
			rules: []string{"share/text", "cta/newsletter", "comments/widget"},
		},
		{
			name: "an article about newsletters and comments keeps its text",
			in: "Newsletters are back\n\nSubscribers to local newsletters doubled last year, and readers said they value the comments sections less than they used to.\n\n" +
				"About 40 percent of readers said they signed up for a newsletter after reading a single story, according to the survey.\n\n" + prose3,
			title: "Newsletters are back",
			body: "Subscribers to local newsletters doubled last year, and readers said they value the comments sections less than they used to.\n\n" +
				"About 40 percent of readers said they signed up for a newsletter after reading a single story, according to the survey.\n\n" + prose3,
		},
		{
			name:  "line breaks inside a paragraph stay",
			in:    "Poem\n\nThe sea is calm tonight.\nThe tide is full, the moon lies fair\n\n" + prose1,
			title: "Poem", body: "The sea is calm tonight.\nThe tide is full, the moon lies fair\n\n" + prose1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title, byline, body, removed := Lines(tt.in)
			if title != tt.title || byline != tt.byline || body != tt.body {
				t.Errorf("Lines() = (%q, %q,\n%q), want (%q, %q,\n%q)", title, byline, body, tt.title, tt.byline, tt.body)
			}
			var rules []string
			for _, r := range removed {
				rules = append(rules, r.Rule)
			}
			if strings.Join(rules, " ") != strings.Join(tt.rules, " ") {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

// TestLinesKeep checks that a removal's path, passed back in keep, keeps those lines.
func TestLinesKeep(t *testing.T) {
	in := "Ferry saved\n\nThe council voted on Tuesday to keep the ferry running through the winter, after a petition signed by more than two thousand residents.\n\nSign up for our newsletter to get the latest news delivered to your inbox.\n"
	_, _, body, removed := Lines(in)
	if len(removed) != 1 || removed[0].Path != "text:5" {
		t.Fatalf("removed = %+v, want one removal at text:5", removed)
	}
	_, _, kept, again := Lines(in, removed[0].Path)
	if len(again) != 0 || !strings.HasSuffix(kept, "delivered to your inbox.") || len(kept) <= len(body) {
		t.Errorf("with keep: body %q, removed %+v", kept, again)
	}
}
