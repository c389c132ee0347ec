package siterules

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DefaultMaxPages is the number of pages JoinPages joins at most when given a cap
// of zero or less.
const DefaultMaxPages = 10

// Reasons JoinPages stops before the last page, reported in Joined.Stop.
var (
	// ErrTooManyPages means the article has more pages than the cap.
	ErrTooManyPages = errors.New("page limit reached")
	// ErrPageLoop means a next-page link leads to a page already joined.
	ErrPageLoop = errors.New("next-page link leads back to a page already joined")
	// ErrNoPage means JoinPages was called without a first page or a fetch function.
	ErrNoPage = errors.New("no page to join")
)

// FetchFunc fetches and parses one page of an article. It should pass the raw
// HTML through Rule.Rewrite before parsing it, as for the first page.
type FetchFunc func(ctx context.Context, url string) (*html.Node, error)

// Joined is an article put together from its pages.
type Joined struct {
	// Body holds the article: the first page's body when there is one page, else a
	// <div> holding each page's body in order. A page's body is what the rule's
	// body: matched (Result.Body) or, when nothing matched, a copy of the page's
	// whole <body> as a <div>; rules with next_page_link normally have a body.
	Body *html.Node
	// First is the result of applying the rule to the first page: its title,
	// author, date, single-page link and removals.
	First Result
	// Pages lists the URLs joined, the first page's first.
	Pages []string
	// Removals lists what the rule removed from the following pages.
	Removals []Removal
	// Stop is why joining ended before a page without a next-page link: nil when
	// it did not; ErrTooManyPages or ErrPageLoop (wrapped, with the URL); the
	// fetch error; or the context's error. What was joined until then is kept.
	Stop error
}

// JoinPages applies rule to the first page of an article (first, a parsed
// document at baseURL, not yet passed to Apply) and follows its next_page_link
// from page to page, appending each page's body, until a page has no next link,
// maxPages pages are joined (DefaultMaxPages when maxPages <= 0), a link leads to
// a page already joined, fetching fails or ctx is done. Each following page is
// changed by Apply like the first.
//
// The error, when not nil, joins the *EvalError of every page (as Apply's) or is
// ErrNoPage; the returned Joined is valid whenever it is not nil.
func JoinPages(ctx context.Context, first *html.Node, rule *Rule, baseURL string, fetch FetchFunc, maxPages int) (*Joined, error) {
	if first == nil || fetch == nil {
		return nil, ErrNoPage
	}
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	res, err := rule.Apply(first, baseURL)
	errs := []error{err}
	j := &Joined{First: res, Pages: []string{baseURL}}
	bodies := []*html.Node{pageBody(first, res)}
	seen := map[string]bool{pageKey(baseURL): true}

	for next, n := res.NextPageLink, 2; next != ""; n++ {
		if seen[pageKey(next)] {
			j.Stop = fmt.Errorf("page %d, %s: %w", n, next, ErrPageLoop)
			break
		}
		if len(j.Pages) >= maxPages {
			j.Stop = fmt.Errorf("%w: %d pages joined, more from %s", ErrTooManyPages, maxPages, next)
			break
		}
		if err := ctx.Err(); err != nil {
			j.Stop = fmt.Errorf("page %d, %s: %w", n, next, err)
			break
		}
		doc, err := fetch(ctx, next)
		if err == nil && doc == nil {
			err = ErrNoPage
		}
		if err != nil {
			j.Stop = fmt.Errorf("fetch page %d, %s: %w", n, next, err)
			break
		}
		seen[pageKey(next)] = true
		pres, err := rule.Apply(doc, next)
		errs = append(errs, err)
		j.Pages = append(j.Pages, next)
		j.Removals = append(j.Removals, pres.Removals...)
		bodies = append(bodies, pageBody(doc, pres))
		next = pres.NextPageLink
	}

	if len(bodies) == 1 {
		j.Body = bodies[0]
	} else {
		j.Body = &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		for _, b := range bodies {
			j.Body.AppendChild(b)
		}
	}
	return j, errors.Join(errs...)
}

// pageBody returns the article part of a page: the rule's body, or a copy of
// the whole <body> as a <div>.
func pageBody(doc *html.Node, res Result) *html.Node {
	if res.Body != nil {
		return res.Body
	}
	if b := findElements(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body }); len(b) > 0 {
		return asBlock(cloneTree(b[0]))
	}
	return &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
}

// pageKey identifies a page for loop detection: its URL without the fragment.
func pageKey(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
