package siterules

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// site is a fake web site: URL -> page HTML. fetch records the URLs asked for.
type site struct {
	pages   map[string]string
	fetched []string
}

func (s *site) fetch(rule *Rule) FetchFunc {
	return func(ctx context.Context, url string) (*html.Node, error) {
		s.fetched = append(s.fetched, url)
		page, ok := s.pages[url]
		if !ok {
			return nil, fmt.Errorf("GET %s: 404", url)
		}
		return html.Parse(strings.NewReader(string(rule.Rewrite([]byte(page)))))
	}
}

// storyPage returns page n of a story: an article, an aside to strip, and a link
// to next (none when next is "").
func storyPage(n int, next string) string {
	link := ""
	if next != "" {
		link = `<a rel="next" href="` + next + `">next</a>`
	}
	return fmt.Sprintf(`<html><head><title>Story | Site</title></head><body>`+
		`<article><p>part %d</p><aside>ad %d</aside><span>XX</span></article>%s</body></html>`, n, n, link)
}

const joinRule = "title: substring-before(//title, ' |')\nbody: //article\nstrip: //aside\nnext_page_link: //a[@rel='next']\n" +
	"find_string: XX\nreplace_string: rewritten\n"

func TestJoinPages(t *testing.T) {
	rule := mustRule(t, "site.com.txt", joinRule)
	tests := []struct {
		name     string
		pages    map[string]string
		max      int
		wantText []string // "part N" texts in the joined body, in order
		wantURLs []string
		stop     error // nil, or what Stop must wrap
		fetched  int
	}{
		{
			name: "three pages",
			pages: map[string]string{
				"https://site.com/s?p=2": storyPage(2, "/s?p=3"),
				"https://site.com/s?p=3": storyPage(3, ""),
			},
			wantText: []string{"part 1", "part 2", "part 3"},
			wantURLs: []string{"https://site.com/s", "https://site.com/s?p=2", "https://site.com/s?p=3"},
			fetched:  2,
		},
		{
			name: "page cap",
			pages: map[string]string{
				"https://site.com/s?p=2": storyPage(2, "/s?p=3"),
				"https://site.com/s?p=3": storyPage(3, ""),
			},
			max:      2,
			wantText: []string{"part 1", "part 2"},
			wantURLs: []string{"https://site.com/s", "https://site.com/s?p=2"},
			stop:     ErrTooManyPages,
			fetched:  1,
		},
		{
			name: "loop back to the first page",
			pages: map[string]string{
				"https://site.com/s?p=2": storyPage(2, "/s?p=3"),
				"https://site.com/s?p=3": storyPage(3, "/s#again"),
			},
			wantText: []string{"part 1", "part 2", "part 3"},
			wantURLs: []string{"https://site.com/s", "https://site.com/s?p=2", "https://site.com/s?p=3"},
			stop:     ErrPageLoop,
			fetched:  2,
		},
		{
			name: "fetch error keeps what was joined",
			pages: map[string]string{
				"https://site.com/s?p=2": storyPage(2, "/s?p=3"),
			},
			wantText: []string{"part 1", "part 2"},
			wantURLs: []string{"https://site.com/s", "https://site.com/s?p=2"},
			stop:     errFetchAny,
			fetched:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &site{pages: tt.pages}
			first := mustDoc(t, string(rule.Rewrite([]byte(storyPage(1, "/s?p=2")))))
			j, err := JoinPages(context.Background(), first, rule, "https://site.com/s", s.fetch(rule), tt.max)
			if err != nil {
				t.Fatal(err)
			}
			text := nodeText(j.Body)
			got := partRE.FindAllString(text, -1)
			if !reflect.DeepEqual(got, tt.wantText) {
				t.Errorf("joined parts = %q, want %q (body %s)", got, tt.wantText, render(t, j.Body))
			}
			if strings.Contains(text, "ad ") {
				t.Errorf("asides not stripped from every page: %q", text)
			}
			if strings.Count(text, "rewritten") != len(tt.wantText) {
				t.Errorf("find/replace not applied to every page: %q", text)
			}
			if !reflect.DeepEqual(j.Pages, tt.wantURLs) {
				t.Errorf("Pages = %q, want %q", j.Pages, tt.wantURLs)
			}
			switch {
			case tt.stop == nil && j.Stop != nil:
				t.Errorf("Stop = %v, want nil", j.Stop)
			case tt.stop == errFetchAny && (j.Stop == nil || !strings.Contains(j.Stop.Error(), "404")):
				t.Errorf("Stop = %v, want the fetch error", j.Stop)
			case tt.stop != nil && tt.stop != errFetchAny && !errors.Is(j.Stop, tt.stop):
				t.Errorf("Stop = %v, want %v", j.Stop, tt.stop)
			}
			if len(s.fetched) != tt.fetched {
				t.Errorf("fetched %q, want %d fetches", s.fetched, tt.fetched)
			}
			if j.First.Title != "Story" {
				t.Errorf("First.Title = %q, want Story", j.First.Title)
			}
			if got, want := len(j.First.Removals)+len(j.Removals), len(tt.wantText); got != want {
				t.Errorf("%d removals over all pages, want %d (one aside per page)", got, want)
			}
		})
	}
}

var partRE = regexp.MustCompile(`part \d`)

// errFetchAny marks a test case whose Stop must be the fetch function's error.
var errFetchAny = errors.New("any fetch error")

func TestJoinPagesSinglePage(t *testing.T) {
	rule := mustRule(t, "site.com.txt", joinRule)
	s := &site{}
	j, err := JoinPages(context.Background(), mustDoc(t, storyPage(1, "")), rule, "https://site.com/s", s.fetch(rule), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := render(t, j.Body), `<article><p>part 1</p><span>XX</span></article>`; got != want {
		t.Errorf("Body = %s, want %s", got, want)
	}
	if len(s.fetched) != 0 || j.Stop != nil {
		t.Errorf("fetched %q, Stop %v; want nothing", s.fetched, j.Stop)
	}
}

func TestJoinPagesWithoutBodyRule(t *testing.T) {
	rule := mustRule(t, "site.com.txt", "next_page_link: //a[@rel='next']\n")
	s := &site{pages: map[string]string{"https://site.com/2": `<body><p>two</p></body>`}}
	j, err := JoinPages(context.Background(), mustDoc(t, `<body><p>one</p><a rel="next" href="/2">n</a></body>`),
		rule, "https://site.com/1", s.fetch(rule), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `<div><div><p>one</p><a href="/2" rel="next">n</a></div><div><p>two</p></div></div>`
	if got := render(t, j.Body); got != want {
		t.Errorf("Body = %s, want %s", got, want)
	}
}

func TestJoinPagesCancelled(t *testing.T) {
	rule := mustRule(t, "site.com.txt", joinRule)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := &site{pages: map[string]string{"https://site.com/s?p=2": storyPage(2, "")}}
	j, err := JoinPages(ctx, mustDoc(t, storyPage(1, "/s?p=2")), rule, "https://site.com/s", s.fetch(rule), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(j.Stop, context.Canceled) || len(s.fetched) != 0 || len(j.Pages) != 1 {
		t.Errorf("Stop = %v, fetched %q, pages %q; want cancelled before fetching", j.Stop, s.fetched, j.Pages)
	}
	if _, err := JoinPages(context.Background(), nil, rule, "", s.fetch(rule), 0); !errors.Is(err, ErrNoPage) {
		t.Errorf("JoinPages(nil page) error = %v, want ErrNoPage", err)
	}
}
