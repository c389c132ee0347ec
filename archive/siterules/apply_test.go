package siterules

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// mustRule parses a rule file's text, failing on any error.
func mustRule(t testing.TB, name, src string) *Rule {
	t.Helper()
	r, errs := Parse(name, strings.NewReader(src))
	if len(errs) != 0 {
		t.Fatalf("Parse(%s): %v", name, errs)
	}
	return r
}

func mustDoc(t testing.TB, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// render returns the HTML of n, or "" for nil.
func render(t testing.TB, n *html.Node) string {
	t.Helper()
	if n == nil {
		return ""
	}
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// bodyHTML returns the inner HTML of the document's <body>.
func bodyHTML(t testing.TB, doc *html.Node) string {
	t.Helper()
	b := findElements(doc, func(n *html.Node) bool { return n.Data == "body" })
	var s strings.Builder
	for c := b[0].FirstChild; c != nil; c = c.NextSibling {
		s.WriteString(render(t, c))
	}
	return s.String()
}

func reasons(rs []Removal) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Reason)
	}
	return out
}

func TestApplyRemovals(t *testing.T) {
	tests := []struct {
		name     string
		rule     string
		page     string
		wantBody string   // inner HTML of <body> after Apply
		reasons  []string // Removal.Reason, in order
	}{
		{
			name:     "strip",
			rule:     "# comment\nstrip: //div[@class='share']\nstrip: //aside\n",
			page:     `<p>a</p><div class="share">s<aside>x</aside></div><aside>y</aside>`,
			wantBody: `<p>a</p>`,
			reasons:  []string{"site rule t.com.txt:2 strip", "site rule t.com.txt:3 strip"},
		},
		{
			name:     "strip nested matches removed once",
			rule:     "strip: //div\n",
			page:     `<div><div>x</div></div><p>k</p>`,
			wantBody: `<p>k</p>`,
			reasons:  []string{"site rule t.com.txt:1 strip"},
		},
		{
			name:     "strip never removes body",
			rule:     "strip: //body | //p\n",
			page:     `<p>a</p><span>b</span>`,
			wantBody: `<span>b</span>`,
			reasons:  []string{"site rule t.com.txt:1 strip"},
		},
		{
			name:     "strip_id_or_class matches a substring of class or id",
			rule:     "strip_id_or_class: promo\n",
			page:     `<p class="text">a</p><div class="big-promo-box">x</div><div id="promo1">y</div><p>b</p>`,
			wantBody: `<p class="text">a</p><p>b</p>`,
			reasons:  []string{"site rule t.com.txt:1 strip_id_or_class", "site rule t.com.txt:1 strip_id_or_class"},
		},
		{
			name:     "strip_image_src",
			rule:     "strip_image_src: /pixel/\n",
			page:     `<p><img src="/a.jpg"><img src="https://ads.test/pixel/1.gif"></p>`,
			wantBody: `<p><img src="/a.jpg"/></p>`,
			reasons:  []string{"site rule t.com.txt:1 strip_image_src"},
		},
		{
			name:     "strip_attr",
			rule:     "strip_attr: //img/@srcset\n",
			page:     `<img src="a.jpg" srcset="a2.jpg 2x">`,
			wantBody: `<img src="a.jpg"/>`,
			reasons:  []string{"site rule t.com.txt:1 strip_attr"},
		},
		{
			name:     "dissolve and wrap_in",
			rule:     "dissolve: //span[@class='w']\nwrap_in(blockquote): //p[@class='q']\n",
			page:     `<p>a <span class="w">b <b>c</b></span></p><p class="q">quote</p>`,
			wantBody: `<p>a b <b>c</b></p><blockquote><p class="q">quote</p></blockquote>`,
		},
		{
			name:     "src_lazy_load_attr",
			rule:     "src_lazy_load_attr: data-full-src\n",
			page:     `<img src="blank.gif" data-full-src="big.jpg"><img src="keep.jpg">`,
			wantBody: `<img src="big.jpg" data-full-src="big.jpg"/><img src="keep.jpg"/>`,
		},
		{
			name:     "title author date removed from the page",
			rule:     "title: //h1\nauthor: //span[@class='by']\ndate: //time\n",
			page:     `<h1>T</h1><span class="by">A</span><span class="by">B</span><time>2024-01-02</time><p>x</p>`,
			wantBody: `<p>x</p>`,
			reasons: []string{
				"site rule t.com.txt:1 title", "site rule t.com.txt:2 author",
				"site rule t.com.txt:2 author", "site rule t.com.txt:3 date",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRule(t, "t.com.txt", tt.rule)
			doc := mustDoc(t, "<html><head></head><body>"+tt.page+"</body></html>")
			res, err := r.Apply(doc, "https://t.com/a")
			if err != nil {
				t.Fatal(err)
			}
			if got := bodyHTML(t, doc); got != tt.wantBody {
				t.Errorf("body after Apply:\n got %s\nwant %s", got, tt.wantBody)
			}
			if got := reasons(res.Removals); !reflect.DeepEqual(got, tt.reasons) {
				t.Errorf("reasons = %q, want %q", got, tt.reasons)
			}
			for _, rm := range res.Removals {
				if rm.Node == nil || rm.Match == "" {
					t.Errorf("removal %+v lacks its node or match", rm)
				}
				if rm.Attr == "" && rm.Node.Parent != nil {
					t.Errorf("removed node %s still attached", render(t, rm.Node))
				}
			}
		})
	}
}

func TestApplyMetadata(t *testing.T) {
	tests := []struct {
		name, rule, page    string
		title, author, date string
		authors             []string
	}{
		{
			name:  "first expression that yields text wins",
			rule:  "title: //h1[@class='missing']\ntitle: //h1[@class='empty']\ntitle: //h1[@class='t']\n",
			page:  `<h1 class="empty"> </h1><h1 class="t">  The   Title </h1>`,
			title: "The Title",
		},
		{
			name:  "attribute and string expressions",
			rule:  "title: substring-before(//title, ' | ')\ndate: //meta[@property='article:published_time']/@content\n",
			page:  `<p>x</p>`,
			title: "Headline",
			date:  "2024-03-04T05:06:07Z",
		},
		{
			name:    "authors deduplicated and joined",
			rule:    "author: //a[@rel='author']\n",
			page:    `<a rel="author">Ann</a> and <a rel="author">Bo</a><a rel="author">Ann</a>`,
			author:  "Ann, Bo",
			authors: []string{"Ann", "Bo"},
		},
		{
			name:    "author from a string expression",
			rule:    "author: string(\"Eric J. Suh\")\n",
			page:    `<p>x</p>`,
			author:  "Eric J. Suh",
			authors: []string{"Eric J. Suh"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRule(t, "t.com.txt", tt.rule)
			doc := mustDoc(t, `<html><head><title>Headline | Site</title>`+
				`<meta property="article:published_time" content="2024-03-04T05:06:07Z"></head><body>`+tt.page+`</body></html>`)
			res, err := r.Apply(doc, "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Title != tt.title || res.Author != tt.author || res.Date != tt.date || !reflect.DeepEqual(res.Authors, tt.authors) {
				t.Errorf("got title %q author %q %q date %q; want %q %q %q %q",
					res.Title, res.Author, res.Authors, res.Date, tt.title, tt.author, tt.authors, tt.date)
			}
		})
	}
}

func TestApplyBody(t *testing.T) {
	tests := []struct {
		name, rule, page string
		want             string // rendered Body
		line             int    // BodySource.Line
	}{
		{
			name: "first matching expression",
			rule: "body: //div[@id='none']\nbody: //article\n",
			page: `<nav>n</nav><article><p>a</p><div class="ad">x</div></article>`,
			want: `<article><p>a</p></article>`,
			line: 2,
		},
		{
			name: "several matches wrapped in a div, nested ones once",
			rule: "body: //div[@class='part'] | //div[@class='part']/p | //h2\n",
			page: `<div class="part"><p>1</p></div><h2>h</h2><div class="part"><p>2</p></div>`,
			want: `<div><div class="part"><p>1</p></div><h2>h</h2><div class="part"><p>2</p></div></div>`,
			line: 1,
		},
		{
			name: "body element becomes a div",
			rule: "body: //body\n",
			page: `<p>a</p>`,
			want: `<div><p>a</p></div>`,
			line: 1,
		},
		{
			name: "string result is not a body",
			rule: "body: string(//p)\n",
			page: `<p>a</p>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRule(t, "t.com.txt", tt.rule+"strip_id_or_class: ad\n")
			doc := mustDoc(t, "<html><body>"+tt.page+"</body></html>")
			res, err := r.Apply(doc, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := render(t, res.Body); got != tt.want {
				t.Errorf("Body:\n got %s\nwant %s", got, tt.want)
			}
			if res.Body != nil && res.Body.Parent != nil {
				t.Errorf("Body is attached to a tree, want a detached copy")
			}
			if res.BodySource.Line != tt.line {
				t.Errorf("BodySource = %v, want line %d", res.BodySource, tt.line)
			}
		})
	}
}

func TestApplyPrune(t *testing.T) {
	tests := []struct {
		rule string
		want bool
	}{
		{"body: //p\n", true},
		{"prune: yes\n", true},
		{"prune: no\n", false},
	}
	for _, tt := range tests {
		res, err := mustRule(t, "t.com.txt", tt.rule).Apply(mustDoc(t, "<p>x</p>"), "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Prune != tt.want {
			t.Errorf("%q: Prune = %v, want %v", tt.rule, res.Prune, tt.want)
		}
	}
	var nilRule *Rule
	if res, err := nilRule.Apply(mustDoc(t, "<p>x</p>"), ""); err != nil || !res.Prune || res.Body != nil {
		t.Errorf("nil rule Apply = %+v, %v; want an empty result with Prune", res, err)
	}
}

func TestRewrite(t *testing.T) {
	r := mustRule(t, "t.com.txt", strings.Join([]string{
		"find_string: <amp-img",
		"replace_string: <img",
		"find_string: </amp-img>",
		"replace_string: <!-- nothing -->",
		"replace_string(<div class=\"noscript\">): <noscript>",
		"replace_string(a): b", // applies to the output of the previous pairs too
		"find_string: <p>junk</p>",
		"replace_string:",
	}, "\n"))
	in := `<amp-img src="x.jpg"></amp-img><div class="noscript">q</div><p>junk</p>`
	want := `<img src="x.jpg"><!-- nothing --><noscript>q</div>`
	want = strings.ReplaceAll(want, "a", "b")
	if got := string(r.Rewrite([]byte(in))); got != want {
		t.Errorf("Rewrite:\n got %s\nwant %s", got, want)
	}
	var nilRule *Rule
	if got := string(nilRule.Rewrite([]byte(in))); got != in {
		t.Errorf("nil rule Rewrite changed the page")
	}
}

func TestApplyLinks(t *testing.T) {
	tests := []struct {
		name, rule, page, pageURL string
		single, next              string
	}{
		{
			name:    "relative href resolved",
			rule:    "next_page_link: //a[@rel='next']\nsingle_page_link: //a[@class='print']\n",
			page:    `<a rel="next" href="?page=2#top">next</a><a class="print" href="/print/1">print</a>`,
			pageURL: "https://t.com/story/1",
			next:    "https://t.com/story/1?page=2",
			single:  "https://t.com/print/1",
		},
		{
			name:    "base href honoured, attribute result",
			rule:    "next_page_link: //link[@rel='next']/@href\n",
			page:    `<p>x</p>`,
			pageURL: "https://t.com/story/1",
			next:    "https://cdn.t.com/base/p2",
		},
		{
			name:    "string result",
			rule:    "single_page_link: concat(//link[@rel='canonical']/@href, '?single=1')\n",
			page:    `<p>x</p>`,
			pageURL: "https://t.com/story/1",
			single:  "https://t.com/canon?single=1",
		},
		{
			name:    "if_page_contains not met",
			rule:    "single_page_link: //a[@class='print']\nif_page_contains: //div[@id='paged']\n",
			page:    `<a class="print" href="/print/1">print</a>`,
			pageURL: "https://t.com/story/1",
		},
		{
			name:    "if_page_contains met",
			rule:    "single_page_link: //a[@class='print']\nif_page_contains: //div[@id='paged']\n",
			page:    `<div id="paged"></div><a class="print" href="/print/1">print</a>`,
			pageURL: "https://t.com/story/1",
			single:  "https://t.com/print/1",
		},
		{
			name:    "link to the page itself, javascript and empty links ignored",
			rule:    "next_page_link: //a[@class='n']\n",
			page:    `<a class="n" href="javascript:void(0)">x</a><a class="n" href="">y</a><a class="n" href="#c">z</a>`,
			pageURL: "https://t.com/story/1",
		},
		{
			name:    "second link used when the first has no href",
			rule:    "next_page_link: //a[@class='n']\n",
			page:    `<a class="n">x</a><a class="n" href="/2">2</a>`,
			pageURL: "https://t.com/story/1",
			next:    "https://t.com/2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRule(t, "t.com.txt", tt.rule)
			doc := mustDoc(t, `<html><head><base href="https://cdn.t.com/base/"><link rel="next" href="p2">`+
				`<link rel="canonical" href="https://t.com/canon"></head><body>`+tt.page+`</body></html>`)
			if !strings.Contains(tt.name, "base") {
				// Only the base test keeps <base>; drop it elsewhere.
				for _, b := range findElements(doc, func(n *html.Node) bool { return n.Data == "base" }) {
					b.Parent.RemoveChild(b)
				}
			}
			res, err := r.Apply(doc, tt.pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if res.SinglePageLink != tt.single || res.NextPageLink != tt.next {
				t.Errorf("links = %q, %q; want %q, %q", res.SinglePageLink, res.NextPageLink, tt.single, tt.next)
			}
		})
	}
}

func TestApplyNativeAd(t *testing.T) {
	r := mustRule(t, "t.com.txt", "native_ad_clue: //meta[@property='og:url' and contains(@content, '/sponsored/')]\n")
	for page, want := range map[string]bool{
		`<meta property="og:url" content="https://t.com/sponsored/x">`: true,
		`<meta property="og:url" content="https://t.com/news/x">`:      false,
	} {
		res, err := r.Apply(mustDoc(t, "<html><head>"+page+"</head><body></body></html>"), "")
		if err != nil {
			t.Fatal(err)
		}
		if res.NativeAd != want {
			t.Errorf("NativeAd for %s = %v, want %v", page, res.NativeAd, want)
		}
	}
}

// TestApplyConcurrent applies one rule to many pages at once: compiled
// expressions are shared, so this is for the race detector.
func TestApplyConcurrent(t *testing.T) {
	r := mustRule(t, "t.com.txt", "title: substring-before(//title, ' |')\nstrip: //aside\nbody: //article\nnext_page_link: //a[@rel='next']\n")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := html.Parse(strings.NewReader(`<title>T | S</title><article><p>a</p><aside>x</aside></article><a rel="next" href="/2">n</a>`))
			if err != nil {
				errs <- err
				return
			}
			res, err := r.Apply(doc, "https://t.com/1")
			if err != nil {
				errs <- err
				return
			}
			if res.Title != "T" || res.NextPageLink != "https://t.com/2" || len(res.Removals) != 1 {
				errs <- errors.New("wrong result: " + res.Title + " " + res.NextPageLink)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
