package sanitize

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const localSrc = "gloss-image:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// dot1 is a valid 1×1 PNG as a data URL.
const dot1 = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func TestHTML(t *testing.T) {
	local := Options{LocalImagesOnly: true}
	tests := []struct {
		name string
		in   string
		opt  Options
		want string
	}{
		{"plain text", "hello", Options{}, "hello"},
		{"empty", "", Options{}, ""},
		{"paragraph kept", "<p>a <em>b</em> <strong>c</strong></p>", Options{},
			"<p>a <em>b</em> <strong>c</strong></p>"},
		{"script removed with content", "<p>a<script>alert(1)</script>b</p>", Options{}, "<p>ab</p>"},
		{"style element removed", "<style>p{}</style><p>x</p>", Options{}, "<p>x</p>"},
		{"style attribute removed", `<p style="color:red">x</p>`, Options{}, "<p>x</p>"},
		{"event handler removed", `<p onclick="alert(1)">x</p>`, Options{}, "<p>x</p>"},
		{"link gets rel, loses target", `<a href="https://example.com/" target="_blank" rel="opener">x</a>`, Options{},
			`<a href="https://example.com/" rel="noopener noreferrer nofollow">x</a>`},
		{"link title kept", `<a href="https://example.com/" title="T">x</a>`, Options{},
			`<a href="https://example.com/" title="T" rel="noopener noreferrer nofollow">x</a>`},
		{"mailto kept", `<a href="mailto:a@example.com">m</a>`, Options{},
			`<a href="mailto:a@example.com" rel="noopener noreferrer nofollow">m</a>`},
		{"fragment link kept", `<a href="#fn1">1</a>`, Options{},
			`<a href="#fn1" rel="noopener noreferrer nofollow">1</a>`},
		{"relative link unwrapped", `<a href="/x">x</a>`, Options{}, "x"},
		{"javascript link unwrapped", `<a href="jav&#x09;ascript:alert(1)">x</a>`, Options{}, "x"},
		{"javascript link keeps id", `<a href="javascript:alert(1)" id="n">x</a>`, Options{}, `<a id="n">x</a>`},
		{"name becomes id", `<a name="fn1">x</a>`, Options{}, `<a id="fn1">x</a>`},
		{"space in URL encoded", `<a href="https://example.com/a b?c d">x</a>`, Options{},
			`<a href="https://example.com/a%20b?c%20d" rel="noopener noreferrer nofollow">x</a>`},
		{"form unwrapped, controls removed", `<form action="x"><p>text</p><input name="a"><button>b</button></form>`, Options{},
			"<p>text</p>"},
		{"iframe removed", `<p>a</p><iframe src="https://example.com/"></iframe>`, Options{}, "<p>a</p>"},
		{"svg removed", `<p>a<svg><text>t</text></svg>b</p>`, Options{}, "<p>ab</p>"},
		{"xmp becomes pre", `<xmp><b>x</b></xmp>`, Options{}, "<pre>&lt;b&gt;x&lt;/b&gt;</pre>"},
		{"unknown element unwrapped", `<custom-el x="1"><p>a</p></custom-el>`, Options{}, "<p>a</p>"},
		{"list attributes", `<ol start="3" type="i"><li value="7">x</li></ol>`, Options{},
			`<ol start="3"><li value="7">x</li></ol>`},
		{"table spans", `<table><tr><th colspan="2" scope="col">h</th><td rowspan="x">d</td></tr></table>`, Options{},
			`<table><tbody><tr><th colspan="2" scope="col">h</th><td>d</td></tr></tbody></table>`},
		{"blockquote cite kept", `<blockquote cite="https://example.com/q">q</blockquote>`, Options{},
			`<blockquote cite="https://example.com/q">q</blockquote>`},
		{"blockquote cite javascript", `<blockquote cite="javascript:alert(1)">q</blockquote>`, Options{},
			`<blockquote>q</blockquote>`},
		{"time datetime", `<time datetime="2024-01-02T10:00:00Z">t</time>`, Options{},
			`<time datetime="2024-01-02T10:00:00Z">t</time>`},
		{"global lang dir", `<p lang="fr" dir="rtl" class="c">x</p>`, Options{}, `<p lang="fr" dir="rtl">x</p>`},
		{"remote image kept", `<img src="https://example.com/a.jpg" alt="A" width="300px" height="100%" srcset="https://example.com/b.jpg 2x">`, Options{},
			`<img src="https://example.com/a.jpg" alt="A" width="300"/>`},
		{"remote image becomes link", `<p><img src="https://example.com/a.jpg" alt="A  cat"></p>`, local,
			`<p><a href="https://example.com/a.jpg" rel="noopener noreferrer nofollow">[image: A cat]</a></p>`},
		{"remote image without alt becomes link", `<img src="https://example.com/a.jpg">`, local,
			`<a href="https://example.com/a.jpg" rel="noopener noreferrer nofollow">[image]</a>`},
		{"remote image inside link becomes text", `<a href="https://example.com/big.jpg"><img src="https://example.com/a.jpg" alt="A"></a>`, local,
			`<a href="https://example.com/big.jpg" rel="noopener noreferrer nofollow">[image: A]</a>`},
		{"local image kept", `<img src="` + localSrc + `" alt="L">`, local, `<img src="` + localSrc + `" alt="L"/>`},
		{"local image upper-case scheme", `<img src="GLOSS-IMAGE:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08">`, local,
			`<img src="` + localSrc + `"/>`},
		{"bad local image", `<img src="gloss-image:../x" alt="L">`, local, `[image: L]`},
		{"custom local scheme", `<img src="x-local:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08">`,
			Options{LocalImagesOnly: true, LocalImageScheme: "x-local"},
			`<img src="x-local:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"/>`},
		{"data image refused by default", `<img src="` + dot1 + `" alt="D">`, Options{}, `[image: D]`},
		{"data image allowed", `<img src="` + dot1 + `" alt="D">`, Options{AllowDataImages: true, LocalImagesOnly: true},
			`<img src="` + dot1 + `" alt="D"/>`},
		{"data svg refused even when allowed", `<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="S">`, Options{AllowDataImages: true},
			`[image: S]`},
		{"data link refused even when images allowed", `<a href="` + dot1 + `">x</a>`, Options{AllowDataImages: true}, "x"},
		{"relative image with alt", `<img src="/a.jpg" alt="A">`, Options{}, `[image: A]`},
		{"relative image without alt", `<p>x<img src="/a.jpg">y</p>`, Options{}, `<p>xy</p>`},
		{"tracking pixel by size", `<p>x<img src="https://example.com/p.gif" width="1" height="1" alt="p">y</p>`, Options{}, `<p>xy</p>`},
		{"tracking pixel by host", `<p>x<img src="https://www.google-analytics.com/collect?v=1">y</p>`, Options{}, `<p>xy</p>`},
		{"comments removed", `<p>a<!-- c -->b</p>`, Options{}, `<p>ab</p>`},
		{"document reduced to body content", `<!DOCTYPE html><html><head><title>T</title><meta charset="utf-8"></head><body><p>x</p></body></html>`, Options{},
			`<p>x</p>`},
		{"text escaped", `<p>1 &lt; 2 &amp; "q"</p>`, Options{}, `<p>1 &lt; 2 &amp; &#34;q&#34;</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, tt.opt)
			if got != tt.want {
				t.Errorf("HTML(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
			if again := HTML(got, tt.opt); again != got {
				t.Errorf("not idempotent:\n once: %s\ntwice: %s", got, again)
			}
		})
	}
}

func TestIsTrackingImage(t *testing.T) {
	tests := []struct {
		src, width, height string
		want               bool
	}{
		{"https://example.com/a.jpg", "", "", false},
		{"https://example.com/a.jpg", "1", "1", true},
		{"https://example.com/a.jpg", "0", "", true},
		{"https://example.com/a.jpg", "1px", "200", true},
		{"https://example.com/a.jpg", " 1 ", "", true},
		{"https://example.com/a.jpg", "2", "2", false},
		{"https://example.com/a.jpg", "100%", "1%", false},
		{"https://www.google-analytics.com/collect", "", "", true},
		{"https://stats.g.doubleclick.net/r/collect", "", "", true},
		{"https://www.facebook.com/tr?id=1", "", "", true},
		{"https://www.facebook.com/trending.jpg", "", "", false},
		{"https://www.facebook.com/photo.jpg", "", "", false},
		{"https://pixel.wp.com/g.gif", "", "", true},
		{"https://i0.wp.com/example.com/a.jpg", "", "", false},
		{"https://feeds.feedburner.com/~r/blog/~4/x", "", "", true},
		{"https://feeds.feedburner.com/blog.jpg", "", "", false},
		{"https://pixel.example.net/x", "", "", true},
		{"https://pixels.example.net/x", "", "", false},
		{"https://notgoogle-analytics.com/x.png", "", "", false},
		{"https://medium.com/_/stat?event=x", "", "", true},
		{"/relative.gif", "", "", false},
	}
	for _, tt := range tests {
		if got := IsTrackingImage(tt.src, tt.width, tt.height); got != tt.want {
			t.Errorf("IsTrackingImage(%q, %q, %q) = %v, want %v", tt.src, tt.width, tt.height, got, tt.want)
		}
	}
}

var optionSets = []Options{
	{},
	{AllowDataImages: true},
	{LocalImagesOnly: true},
	{AllowDataImages: true, LocalImagesOnly: true},
}

// TestAttacks runs every sample of testdata/attacks.txt under every option
// set and checks the output by parsing it.
func TestAttacks(t *testing.T) {
	samples := loadAttacks(t)
	if len(samples) < 200 {
		t.Fatalf("attack corpus has %d samples, want at least 200", len(samples))
	}
	for _, opt := range optionSets {
		for i, in := range samples {
			out := HTML(in, opt)
			for _, p := range unsafeParts(out, opt) {
				t.Errorf("sample %d %q with %+v: %s\noutput: %s", i+1, in, opt, p, out)
			}
			if again := HTML(out, opt); again != out {
				t.Errorf("sample %d %q with %+v not idempotent:\n once: %s\ntwice: %s", i+1, in, opt, out, again)
			}
		}
	}
}

// TestAttacksKeepContent makes sure the corpus is not passed by emptying
// everything: samples that carry harmless text keep it.
func TestAttacksKeepContent(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<div onmouseover="alert(1)">hover</div>`, "<div>hover</div>"},
		{`<a href="https://example.com/" onclick="alert(1)">link</a>`, `<a href="https://example.com/" rel="noopener noreferrer nofollow">link</a>`},
		{`<form><p>article text inside a form</p></form>`, "<p>article text inside a form</p>"},
		{`<font face="Arial" color="red">font</font><center>center</center>`, "fontcenter"},
		{`<details open ontoggle=alert(1)><summary>s</summary>d</details>`, "sd"},
		{`<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>`, "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>"},
	}
	for _, tt := range tests {
		if got := HTML(tt.in, Options{}); got != tt.want {
			t.Errorf("HTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// loadAttacks reads testdata/attacks.txt: one sample a line, "#" comments,
// {U+XXXX} escapes.
func loadAttacks(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/attacks.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	esc := regexp.MustCompile(`\{U\+([0-9A-Fa-f]{4,6})\}`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = esc.ReplaceAllStringFunc(line, func(m string) string {
			r, err := strconv.ParseUint(esc.FindStringSubmatch(m)[1], 16, 32)
			if err != nil {
				tb.Fatalf("bad escape %s", m)
			}
			return string(rune(r))
		})
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// forbidden elements may never appear in output.
var forbidden = map[string]bool{
	"script": true, "style": true, "iframe": true, "object": true, "embed": true,
	"form": true, "base": true, "meta": true, "svg": true, "math": true, "link": true,
	"frame": true, "frameset": true, "applet": true, "input": true, "button": true,
	"select": true, "textarea": true, "template": true, "noscript": true,
}

var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "action": true, "formaction": true,
	"cite": true, "background": true, "poster": true, "data": true, "codebase": true,
	"dynsrc": true, "lowsrc": true, "longdesc": true, "xlink:href": true, "ping": true,
}

// unsafeParts parses out as a browser would and lists what is active or not
// allowed in it.
func unsafeParts(out string, opt Options) []string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		return []string{"output does not parse: " + err.Error()}
	}
	scheme := opt.scheme()
	var bad []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.CommentNode, html.DoctypeNode:
			bad = append(bad, "comment or doctype")
		case html.ElementNode:
			if forbidden[n.Data] || n.Namespace != "" {
				bad = append(bad, "element "+n.Namespace+" "+n.Data)
			}
			allowed, known := elementAttrs[n.Data]
			if !known {
				bad = append(bad, "element not in allow-list: "+n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				if strings.HasPrefix(key, "on") {
					bad = append(bad, "event handler "+key)
				}
				if key == "style" {
					bad = append(bad, "style attribute")
				}
				if !contains(allowed, key) && !contains(globalAttrs, key) && !(n.Data == "a" && key == "rel") {
					bad = append(bad, "attribute not in allow-list: "+n.Data+" "+key)
				}
				if urlAttrs[key] {
					v := normalisedURL(a.Val)
					dataImageOK := opt.AllowDataImages && n.Data == "img" && key == "src" && dataImageRE.MatchString(a.Val)
					for _, p := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(v, p) && !(p == "data:" && dataImageOK) {
							bad = append(bad, fmt.Sprintf("%s %s=%q", n.Data, key, a.Val))
						}
					}
				}
			}
			if n.Data == "a" {
				_, hasHref := getAttr(n, "href")
				if rel, _ := getAttr(n, "rel"); hasHref && rel != LinkRel {
					bad = append(bad, fmt.Sprintf("link rel=%q", rel))
				}
			}
			if n.Data == "img" && opt.LocalImagesOnly {
				src, _ := getAttr(n, "src")
				ok := strings.HasPrefix(src, scheme+":") || (opt.AllowDataImages && dataImageRE.MatchString(src))
				if !ok {
					bad = append(bad, fmt.Sprintf("non-local image %q", src))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

// normalisedURL is the value as the test judges it: unescaped, without any
// white space or control character, lower case.
func normalisedURL(v string) string {
	v = html.UnescapeString(v)
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == 0xfeff || (r >= 0x80 && r <= 0x9f) || r == 0xa0 {
			return -1
		}
		return r
	}, v)
	return strings.ToLower(v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzSanitize states the sanitiser's properties for any input: the output
// holds no active content and sanitising it again changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, s := range loadAttacks(f) {
		f.Add(s, uint8(0))
	}
	f.Add(`<img src="`+dot1+`"><a href="https://example.com/">x</a>`, uint8(3))
	f.Fuzz(func(t *testing.T, in string, flags uint8) {
		opt := Options{AllowDataImages: flags&1 != 0, LocalImagesOnly: flags&2 != 0}
		out := HTML(in, opt)
		for _, p := range unsafeParts(out, opt) {
			t.Errorf("%s\n  in: %q\n out: %q", p, in, out)
		}
		if again := HTML(out, opt); again != out {
			t.Errorf("not idempotent\n   in: %q\n once: %q\ntwice: %q", in, out, again)
		}
	})
}

// article builds an article of about size bytes with the usual mix of
// markup, links, images and junk.
func article(size int) string {
	var b strings.Builder
	b.WriteString(`<article><header><h1 class="title" style="font-size:2em">A long article</h1><time datetime="2024-05-01">May 1</time></header>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<h2 id="s%d">Section %d</h2>`, i, i)
		fmt.Fprintf(&b, `<p class="para" data-track="%d">Lorem ipsum dolor sit amet, <a href="https://example.com/page/%d" target="_blank" onclick="track(%d)">consectetur</a> adipiscing elit, sed do <em>eiusmod</em> tempor incididunt ut labore et dolore <strong>magna aliqua</strong>. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.<sup><a href="#fn%d">%d</a></sup></p>`, i, i, i, i, i)
		fmt.Fprintf(&b, `<figure><img src="https://cdn.example.com/img/%d.jpg" srcset="https://cdn.example.com/img/%d-2x.jpg 2x" alt="Figure %d" width="800" height="600" loading="lazy"><figcaption>Caption %d</figcaption></figure>`, i, i, i, i)
		b.WriteString(`<ul><li>one</li><li>two <code>x := 1</code></li><li>three</li></ul>`)
		b.WriteString(`<blockquote cite="https://example.org/q"><p>Quoted text that goes on for a while.</p></blockquote>`)
		if i%3 == 0 {
			b.WriteString(`<script>window.dataLayer=window.dataLayer||[];</script><div class="ad" style="height:250px"><iframe src="https://ads.example/slot"></iframe></div>`)
			b.WriteString(`<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>`)
		}
	}
	b.WriteString(`</article>`)
	return b.String()
}

func BenchmarkHTML(b *testing.B) {
	in := article(50 << 10)
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"default", Options{}},
		{"LocalImagesOnly", Options{LocalImagesOnly: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				HTML(in, bc.opt)
			}
		})
	}
}
