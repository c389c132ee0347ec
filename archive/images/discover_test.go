package images

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func parseDoc(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func renderDoc(t testing.TB, n *html.Node) string {
	t.Helper()
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const gif1x1 = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

func TestDiscover(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		maxWidth int
		want     []Ref // Node ignored
	}{
		{"plain", `<img src="https://cdn.example.com/a.jpg" alt="A">`, 0,
			[]Ref{{URL: "https://cdn.example.com/a.jpg", Alt: "A"}}},
		{"relative to page", `<img src="img/a.jpg"><img src="/b.jpg"><img src="//cdn.example.com/c.jpg">`, 0,
			[]Ref{{URL: "https://example.com/articles/img/a.jpg"}, {URL: "https://example.com/b.jpg"}, {URL: "https://cdn.example.com/c.jpg"}}},
		{"base element", `<base href="https://static.example.net/x/"><img src="a.jpg">`, 0,
			[]Ref{{URL: "https://static.example.net/x/a.jpg"}}},
		{"srcset w under cap", `<img src="s.jpg" srcset="a400.jpg 400w, a1200.jpg 1200w, a2400.jpg 2400w">`, 0,
			[]Ref{{URL: "https://example.com/articles/a1200.jpg"}}},
		{"srcset w all over cap", `<img srcset="a3000.jpg 3000w, a2000.jpg 2000w">`, 1600,
			[]Ref{{URL: "https://example.com/articles/a2000.jpg"}}},
		{"srcset custom cap", `<img srcset="a400.jpg 400w, a1200.jpg 1200w">`, 800,
			[]Ref{{URL: "https://example.com/articles/a400.jpg"}}},
		{"srcset x prefers 2x", `<img src="a.jpg" srcset="a.jpg, a2.jpg 2x, a3.jpg 3x">`, 0,
			[]Ref{{URL: "https://example.com/articles/a2.jpg"}}},
		{"srcset x only 3x", `<img srcset="a3.jpg 3x">`, 0,
			[]Ref{{URL: "https://example.com/articles/a3.jpg"}}},
		{"srcset with commas in URLs", `<img srcset="https://img.example/c_fill,w_400/a.jpg 400w, https://img.example/c_fill,w_800/a.jpg 800w">`, 0,
			[]Ref{{URL: "https://img.example/c_fill,w_800/a.jpg"}}},
		{"picture", `<picture><source type="image/avif" srcset="p.avif 1200w"><source type="image/webp" srcset="p800.webp 800w, p1400.webp 1400w"><img src="p.jpg" alt="P"></picture>`, 0,
			[]Ref{{URL: "https://example.com/articles/p1400.webp", Alt: "P"}}},
		{"picture without img", `<picture><source srcset="only.jpg"></picture>`, 0,
			[]Ref{{URL: "https://example.com/articles/only.jpg"}}},
		{"data-src over placeholder", `<img src="` + gif1x1 + `" data-src="real.jpg" alt="L">`, 0,
			[]Ref{{URL: "https://example.com/articles/real.jpg", Alt: "L"}}},
		{"data-src over named placeholder", `<img src="/img/lazy.gif" data-lazy-src="real.jpg">`, 0,
			[]Ref{{URL: "https://example.com/articles/real.jpg"}}},
		{"data-srcset", `<img src="placeholder.png" data-srcset="r600.jpg 600w, r1000.jpg 1000w" data-src="r300.jpg">`, 0,
			[]Ref{{URL: "https://example.com/articles/r1000.jpg"}}},
		{"data-original", `<img data-original="o.jpg">`, 0, []Ref{{URL: "https://example.com/articles/o.jpg"}}},
		{"data-hi-res-src", `<img src="small.jpg" data-hi-res-src="big.jpg">`, 0, []Ref{{URL: "https://example.com/articles/big.jpg"}}},
		{"data-full-src", `<img src="small.jpg" data-full-src="full.jpg">`, 0, []Ref{{URL: "https://example.com/articles/full.jpg"}}},
		{"data-url", `<img data-url="u.jpg">`, 0, []Ref{{URL: "https://example.com/articles/u.jpg"}}},
		{"lazy srcset on picture source", `<picture><source data-srcset="ps.webp 900w" type="image/webp"><img src="` + gif1x1 + `"></picture>`, 0,
			[]Ref{{URL: "https://example.com/articles/ps.webp"}}},
		{"placeholder srcset loses to src", `<img src="real.jpg" srcset="` + gif1x1 + ` 1x">`, 0,
			[]Ref{{URL: "https://example.com/articles/real.jpg"}}},
		{"placeholder only is still returned", `<img src="lazy-dog.jpg" alt="dog">`, 0,
			[]Ref{{URL: "https://example.com/articles/lazy-dog.jpg", Alt: "dog"}}},
		{"noscript replaces lazy twin", `<img src="` + gif1x1 + `" class="lazy" alt="T"><noscript><img src="ns.jpg"></noscript>`, 0,
			[]Ref{{URL: "https://example.com/articles/ns.jpg", Alt: "T"}}},
		{"noscript twin in wrapper", `<div class="w"><img src="/lazy.gif"></div><noscript><img src="ns.jpg" alt="N"></noscript>`, 0,
			[]Ref{{URL: "https://example.com/articles/ns.jpg", Alt: "N"}}},
		{"noscript dropped when twin is real", `<img data-src="real.jpg"><noscript><img src="ns.jpg"></noscript>`, 0,
			[]Ref{{URL: "https://example.com/articles/real.jpg"}}},
		{"noscript alone", `<figure><noscript><img src="only.png" alt="O"></noscript><figcaption>c</figcaption></figure>`, 0,
			[]Ref{{URL: "https://example.com/articles/only.png", Alt: "O"}}},
		{"noscript tracker dropped", `<script>fbq()</script><noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1"></noscript><p><img data-src="x.jpg"></p>`, 0,
			[]Ref{{URL: "https://example.com/articles/x.jpg"}}},
		{"noscript text only ignored", `<noscript>Please enable JavaScript</noscript><img src="a.jpg">`, 0,
			[]Ref{{URL: "https://example.com/articles/a.jpg"}}},
		{"tracking pixels not returned", `<img src="p.gif" width="1" height="1"><img src="https://www.google-analytics.com/collect?v=1"><img src="k.jpg">`, 0,
			[]Ref{{URL: "https://example.com/articles/k.jpg"}}},
		{"no usable address", `<img alt="x"><img src="javascript:alert(1)"><img src="data:text/html,x">`, 0, nil},
		{"inline data image", `<img src="data:image/png;base64,` + strings.Repeat("A", 600) + `">`, 0,
			[]Ref{{URL: "data:image/png;base64," + strings.Repeat("A", 600)}}},
		{"fragment stripped", `<img src="a.jpg#x">`, 0, []Ref{{URL: "https://example.com/articles/a.jpg"}}},
	}
	base := mustURL(t, "https://example.com/articles/page.html")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseDoc(t, "<html><body>"+tt.body+"</body></html>")
			got := Discover(doc, base, tt.maxWidth)
			if len(got) != len(tt.want) {
				t.Fatalf("Discover found %d images, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i].URL != tt.want[i].URL || got[i].Alt != tt.want[i].Alt {
					t.Errorf("ref %d = {%s %q}, want {%s %q}", i, got[i].URL, got[i].Alt, tt.want[i].URL, tt.want[i].Alt)
				}
				if src, _ := getAttr(got[i].Node, "src"); src != got[i].URL {
					t.Errorf("ref %d: img src = %q, want %q", i, src, got[i].URL)
				}
			}
			out := renderDoc(t, doc)
			for _, gone := range []string{"<picture", "srcset", "data-src", "<source"} {
				if strings.Contains(out, gone) {
					t.Errorf("normalised document still has %s: %s", gone, out)
				}
			}
			for _, ns := range findAll(doc, "noscript") {
				if ns.FirstChild != nil && strings.Contains(ns.FirstChild.Data, "<img") {
					t.Errorf("normalised document still has a noscript image: %s", out)
				}
			}
		})
	}
}

// TestDiscoverNoscriptScriptingOff covers documents parsed with scripting
// off, where noscript content is elements rather than text.
func TestDiscoverNoscriptScriptingOff(t *testing.T) {
	in := `<html><body><img src="` + gif1x1 + `" alt="T"><noscript>` + "\n  " + `<img src="ns.jpg">` + "\n" + `</noscript>` +
		`<p><noscript><img src="alone.png"></noscript></p></body></html>`
	doc, err := html.ParseWithOptions(strings.NewReader(in), html.ParseOptionEnableScripting(false))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range Discover(doc, mustURL(t, "https://example.com/"), 0) {
		got = append(got, r.URL+" "+r.Alt)
	}
	want := []string{"https://example.com/ns.jpg T", "https://example.com/alone.png "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Discover = %q, want %q", got, want)
	}
	if n := len(findAll(doc, "noscript")); n != 0 {
		t.Errorf("%d noscript elements left", n)
	}
	if n := len(findAll(doc, "img")); n != 2 {
		t.Errorf("%d img elements, want 2", n)
	}
}

func TestSrcset(t *testing.T) {
	d := discoverer{base: &url.URL{Scheme: "https", Host: "example.com", Path: "/"}}
	tests := []struct {
		in   string
		want []candidate
	}{
		{"a.jpg", []candidate{{"https://example.com/a.jpg", 0, 1}}},
		{"a.jpg 1x, b.jpg 2x", []candidate{{"https://example.com/a.jpg", 0, 1}, {"https://example.com/b.jpg", 0, 2}}},
		{" a.jpg  100w ,b.jpg 200w,", []candidate{{"https://example.com/a.jpg", 100, 1}, {"https://example.com/b.jpg", 200, 1}}},
		{"a,b.jpg 100w", []candidate{{"https://example.com/a,b.jpg", 100, 1}}},
		// As in the HTML standard, a comma not followed by white space
		// belongs to the address.
		{"a.jpg,b.jpg 2x", []candidate{{"https://example.com/a.jpg,b.jpg", 0, 2}}},
		{"a.jpg 100w 50h", []candidate{{"https://example.com/a.jpg", 100, 1}}},
		{"a.jpg bogus, b.jpg -5w, c.jpg 0x, d.jpg 1.5x", []candidate{{"https://example.com/d.jpg", 0, 1.5}}},
		{"javascript:alert(1) 1x", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got := d.srcset(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("srcset(%q) = %+v, want %+v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("srcset(%q)[%d] = %+v, want %+v", tt.in, i, got[i], tt.want[i])
			}
		}
	}
}

// FuzzDiscover: on any markup, every Ref is an absolute image address that
// its img now shows, and no picture or srcset is left.
func FuzzDiscover(f *testing.F) {
	f.Add(`<picture><source srcset="a.webp 800w"><img src="a.jpg"></picture>`)
	f.Add(`<img src="` + gif1x1 + `" data-src="r.jpg"><noscript><img src="n.jpg"></noscript>`)
	f.Add(`<div><img src="/lazy.gif"></div><noscript><picture><img src="x.png"></picture></noscript>`)
	f.Add(`<img srcset="a,b 1x, c 2x, d 100w" data-srcset=",,, 5w">`)
	base, _ := url.Parse("https://example.com/a/b.html")
	f.Fuzz(func(t *testing.T, body string) {
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			return
		}
		for _, r := range Discover(doc, base, 0) {
			if !strings.HasPrefix(r.URL, "https://") && !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(strings.ToLower(r.URL), "data:image/") {
				t.Errorf("ref URL %q is not an image address", r.URL)
			}
			if src, _ := getAttr(r.Node, "src"); src != r.URL {
				t.Errorf("img src %q, ref URL %q", src, r.URL)
			}
		}
		var b strings.Builder
		if err := html.Render(&b, doc); err != nil {
			t.Fatalf("Discover left a tree that does not render: %v", err)
		}
		for _, n := range findAll(doc, "picture") {
			t.Errorf("picture left: %v", n.Attr)
		}
		for _, n := range findAll(doc, "img") {
			if _, ok := getAttr(n, "srcset"); ok && n.Parent != nil {
				t.Errorf("srcset left on img")
			}
		}
	})
}
