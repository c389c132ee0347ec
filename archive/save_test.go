package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"

	"gloss/archive/fetch"
	"gloss/archive/images"
	"gloss/archive/siterules"
)

func pngBytes(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const paragraphs = `<p>The harbour master said the new breakwater would protect the fishing fleet from winter storms for decades to come.</p>
<p>Engineers spent three years testing models of the harbour in a wave tank before the council approved the design last spring.</p>
<p>Local fishermen, who lost eleven boats in the storms of 2019, welcomed the news but asked why the work took so long to start.</p>`

// offlinePage shows images in every way pages hide them, and hostile markup besides.
const offlinePage = `<html><head><title>Breakwater</title><base href="http://evil.example/">
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><style>body{background:url(http://track.example/x.png)}</style></head>
<body><article><h1>Breakwater</h1>` + paragraphs + `
<figure><img src="/img/plain.png" alt="plain"><figcaption>Plain image</figcaption></figure>
<p><img src="img/relative.png" alt="relative" onerror="alert(1)"></p>
<p><img srcset="/img/small.png 300w, /img/large.png 1200w" src="/img/small.png" alt="srcset"></p>
<picture><source srcset="/img/picture.png 800w"><img src="/img/fallback.png" alt="picture"></picture>
<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/lazy.png" alt="lazy"></p>
<p>Between the lazy image and the one for readers without scripts stands this paragraph.</p>
<noscript><img src="/img/noscript.png" alt="noscript"></noscript>
<p><img src="/img/missing.png" alt="missing"></p>
<p>Read <a href="JaVaScRiPt:alert(1)">this</a> and <a href="/more" onclick="steal()">more</a>.<script>alert(2)</script></p>
<p><img src="/img/pixel.gif" width="1" height="1"></p>
</article></body></html>`

func imageServer(t *testing.T, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	colours := map[string]color.Color{
		"plain": color.RGBA{200, 0, 0, 255}, "relative": color.RGBA{0, 200, 0, 255}, "large": color.RGBA{0, 0, 200, 255},
		"picture": color.RGBA{200, 200, 0, 255}, "lazy": color.RGBA{0, 200, 200, 255}, "noscript": color.RGBA{200, 0, 200, 255},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(offlinePage))
	})
	mux.HandleFunc("/img/", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/img/"), ".png")
		c, ok := colours[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes(t, 40, 30, c))
	})
	return httptest.NewServer(mux)
}

// TestSaveKeepsImagesOffline saves a page, stops its server, and checks that the stored
// article shows every image from the library and carries nothing active.
func TestSaveKeepsImagesOffline(t *testing.T) {
	var hits atomic.Int64
	srv := imageServer(t, &hits)
	lib := openTest(t)
	ctx := context.Background()
	var last Progress
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	saved, err := saver.Save(ctx, srv.URL+"/article", func(p Progress) {
		if p.Stage == StageImages {
			last = p
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if last.Total != 7 || last.Done != 7 {
		t.Errorf("last image progress = %+v, want 7 of 7", last)
	}
	if len(saved.ImageFailures) != 1 || !strings.HasSuffix(saved.ImageFailures[0].URL, "/img/missing.png") {
		t.Errorf("image failures = %+v, want the missing image only", saved.ImageFailures)
	}

	a, err := lib.Article(ctx, saved.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	stored := a.Current.CleanedHTML
	root, err := html.Parse(strings.NewReader(stored))
	if err != nil {
		t.Fatal(err)
	}
	var local []string
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "style", "base", "meta", "iframe":
			t.Errorf("stored HTML keeps <%s>", n.Data)
		}
		for _, at := range n.Attr {
			if strings.HasPrefix(at.Key, "on") || at.Key == "style" {
				t.Errorf("stored HTML keeps %s=%q on <%s>", at.Key, at.Val, n.Data)
			}
			if (at.Key == "href" || at.Key == "src") && strings.HasPrefix(strings.ToLower(at.Val), "javascript:") {
				t.Errorf("stored HTML keeps %s=%q", at.Key, at.Val)
			}
		}
		if n.Data == "img" {
			src := attrOf(n, "src")
			hash, ok := images.ParseLocalRef(src)
			if !ok {
				t.Errorf("stored image points at %q, not at the library", src)
				continue
			}
			if _, err := lib.Image(ctx, hash); err != nil {
				t.Errorf("image %s: %v", src, err)
			}
			local = append(local, attrOf(n, "alt"))
		}
	}
	if want := "plain relative srcset picture lazy noscript"; strings.Join(local, " ") != want {
		t.Errorf("stored images (by alt) = %q, want %q", strings.Join(local, " "), want)
	}
	if !strings.Contains(stored, "/img/missing.png") {
		t.Errorf("the failed image does not link to its original address:\n%s", stored)
	}
	if strings.Contains(stored, "pixel.gif") {
		t.Errorf("the tracking pixel was kept:\n%s", stored)
	}
	list, err := lib.CaptureImages(ctx, saved.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 7 || list[6].Failure == "" {
		t.Errorf("capture images = %+v, want 6 stored and the missing one failed", list)
	}
	size, err := lib.ArticleSize(ctx, saved.ArticleID)
	if err != nil || size.Images <= 0 {
		t.Errorf("article size = %+v, %v; want the images counted", size, err)
	}

	// Cleaning again needs neither the page nor its images from the network.
	before := hits.Load()
	again, err := saver.Reclean(ctx, saved.ArticleID, RecleanOptions{})
	if err != nil {
		t.Fatalf("reclean with the server stopped: %v", err)
	}
	b, err := lib.Article(ctx, saved.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Current.ID != again.CaptureID || b.Current.CleanedHTML != stored || b.Current.Text != a.Current.Text {
		t.Errorf("reclean changed the article:\n%s\nwant\n%s", b.Current.CleanedHTML, stored)
	}
	if hits.Load() != before {
		t.Errorf("reclean made %d requests", hits.Load()-before)
	}
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestRefetchImages(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><body><article><h1>T</h1>` + paragraphs + `<p><img src="/late.png" alt="late"></p></article></body></html>`))
	})
	mux.HandleFunc("/late.png", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes(t, 20, 20, color.Black))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	saved, err := saver.Save(ctx, srv.URL+"/a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.ImageFailures) != 1 {
		t.Fatalf("image failures = %+v, want one", saved.ImageFailures)
	}
	fail.Store(false)
	again, err := saver.Reclean(ctx, saved.ArticleID, RecleanOptions{FetchImages: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.ImageFailures) != 0 {
		t.Errorf("after refetch, failures = %+v", again.ImageFailures)
	}
	c, err := lib.Capture(ctx, again.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.CleanedHTML, images.Scheme+":") {
		t.Errorf("refetched image not in the article: %s", c.CleanedHTML)
	}
	old, err := lib.Capture(ctx, saved.CaptureID)
	if err != nil || old.CleanedHTML == c.CleanedHTML {
		t.Errorf("the first capture changed or could not be read: %v", err)
	}
}

// TestUserRulesApplyToLaterSaves adds a user rule and checks that a later save and a
// re-clean of an earlier one drop the block, and record why.
func TestUserRulesApplyToLaterSaves(t *testing.T) {
	page := `<html><body><article><h1>Rules</h1>` + paragraphs +
		`<p class="promo">Buy our premium harbour calendar today, now with more boats than ever.</p></article></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	first, err := saver.Save(ctx, srv.URL+"/p", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := lib.Capture(ctx, first.CaptureID)
	if !strings.Contains(c.Text, "premium harbour calendar") {
		t.Fatalf("the promo is missing before any rule: %q", c.Text)
	}
	host := strings.Split(strings.TrimPrefix(srv.URL, "http://"), ":")[0]
	if _, err := lib.AddUserRule(ctx, siterules.UserRule{Host: host, Kind: siterules.StripClass, Value: "promo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddUserRule(ctx, siterules.UserRule{Host: host, Kind: siterules.StripClass, Value: "two words"}); err == nil {
		t.Errorf("a class with a space was accepted")
	}
	if err := saver.ReloadRules(ctx); err != nil {
		t.Fatal(err)
	}
	for _, get := range []func() (Saved, error){
		func() (Saved, error) { return saver.Save(ctx, srv.URL+"/p", nil) },
		func() (Saved, error) { return saver.Reclean(ctx, first.ArticleID, RecleanOptions{}) },
	} {
		saved, err := get()
		if err != nil {
			t.Fatal(err)
		}
		c, err := lib.Capture(ctx, saved.CaptureID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.Text, "premium harbour calendar") {
			t.Errorf("the rule did not remove the promo: %q", c.Text)
		}
		if !strings.Contains(c.Text, "eleven boats") {
			t.Errorf("the rule removed article text: %q", c.Text)
		}
		found := false
		for _, r := range c.Removed {
			if strings.Contains(r.Rule, "your rule for "+host) && strings.Contains(r.Text, "premium harbour calendar") {
				found = true
			}
		}
		if !found {
			t.Errorf("removals %+v do not explain the rule for %s", c.Removed, host)
		}
	}
	rules, err := lib.UserRules(ctx)
	if err != nil || len(rules) != 1 {
		t.Fatalf("user rules = %+v, %v", rules, err)
	}
	if err := lib.RemoveUserRule(ctx, rules[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := lib.RemoveUserRule(ctx, rules[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a removed rule: %v, want ErrNotFound", err)
	}
}

// TestSinglePageLink follows a site rule to the single-page view of an article.
func TestSinglePageLink(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><body><article><h1>Part one</h1><p>Only the first page of the story is here, with a teaser and little else to read.</p>
<a class="print" href="/story/print">Print this story</a></article></body></html>`))
	})
	mux.HandleFunc("/story/print", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><body><article><h1>The whole story</h1>` + paragraphs + `</article></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	rulesDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(rulesDir, "127.0.0.1.txt"), []byte("single_page_link: //a[@class='print']\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetSetting(ctx, RulesDirSetting, rulesDir); err != nil {
		t.Fatal(err)
	}
	saved, err := NewSaver(lib, fetch.New(fetch.Options{})).Save(ctx, srv.URL+"/story", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := lib.Capture(ctx, saved.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Text, "eleven boats") || strings.Contains(c.Text, "Only the first page") {
		t.Errorf("text = %q, want the single-page view", c.Text)
	}
}

// TestNextPageLink joins the pages of a multi-page article as a site rule says.
func TestNextPageLink(t *testing.T) {
	pages := []string{
		"The harbour master said the new breakwater would protect the fishing fleet from winter storms.",
		"Engineers spent three years testing models of the harbour in a wave tank before the council approved it.",
		"Local fishermen, who lost eleven boats in the storms of 2019, welcomed the news at last.",
	}
	mux := http.NewServeMux()
	for i, p := range pages {
		next := ""
		if i+1 < len(pages) {
			next = fmt.Sprintf(`<a class="next" href="/long/%d">Next page</a>`, i+2)
		}
		mux.HandleFunc(fmt.Sprintf("/long/%d", i+1), func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<html><body><div class="story"><h1>Long read</h1><p>%s</p><p>%s</p></div>%s</body></html>`, p, p, next)
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	rulesDir := t.TempDir()
	rule := "body: //div[@class='story']\nnext_page_link: //a[@class='next']\n"
	if err := os.WriteFile(filepath.Join(rulesDir, "127.0.0.1.txt"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetSetting(ctx, RulesDirSetting, rulesDir); err != nil {
		t.Fatal(err)
	}
	saved, err := NewSaver(lib, fetch.New(fetch.Options{})).Save(ctx, srv.URL+"/long/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := lib.Capture(ctx, saved.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if !strings.Contains(c.Text, p) {
			t.Errorf("joined text lacks page %q:\n%s", p, c.Text)
		}
	}
}

// TestStripAndRestore removes a block by hand, brings back a block cleaning removed, and
// undoes both, each as a new capture from the kept page.
func TestStripAndRestore(t *testing.T) {
	page := `<html><body><article><h1>Strip</h1>` + paragraphs +
		`<div class="newsletter"><p>Sign up for our newsletter to get the best stories in your inbox every morning.</p></div></article></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	saved, err := saver.Save(ctx, srv.URL+"/s", nil)
	if err != nil {
		t.Fatal(err)
	}
	text := func(id int64) Capture {
		t.Helper()
		c, err := lib.Capture(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := text(saved.CaptureID)
	const block = "Engineers spent three years testing models of the harbour in a wave tank before the council approved the design last spring."
	if !strings.Contains(first.Text, block) {
		t.Fatalf("text lacks the block: %q", first.Text)
	}
	var newsletter string
	for _, r := range first.Removed {
		if strings.Contains(r.Text, "newsletter") {
			newsletter = r.Path
		}
	}
	if newsletter == "" {
		t.Fatalf("cleaning did not remove the newsletter box: %+v", first.Removed)
	}

	s2, err := saver.Reclean(ctx, saved.ArticleID, RecleanOptions{Strip: []string{block}, Restore: []string{newsletter}})
	if err != nil {
		t.Fatal(err)
	}
	c2 := text(s2.CaptureID)
	if strings.Contains(c2.Text, block) || !strings.Contains(c2.Text, "eleven boats") {
		t.Errorf("after strip, text = %q", c2.Text)
	}
	if !strings.Contains(c2.Text, "Sign up for our newsletter") {
		t.Errorf("the restored newsletter box is missing: %q", c2.Text)
	}
	if len(c2.Stripped) != 1 || len(c2.Restored) != 1 {
		t.Errorf("edits kept = stripped %q, restored %q", c2.Stripped, c2.Restored)
	}
	found := false
	for _, r := range c2.Removed {
		found = found || (r.Reason == "removed by you" && r.Text == block)
	}
	if !found {
		t.Errorf("removals %+v do not record the strip", c2.Removed)
	}

	// Edits carry over to the next re-clean, and each can be taken back.
	s3, err := saver.Reclean(ctx, saved.ArticleID, RecleanOptions{Unstrip: []string{block}})
	if err != nil {
		t.Fatal(err)
	}
	c3 := text(s3.CaptureID)
	if !strings.Contains(c3.Text, block) || !strings.Contains(c3.Text, "Sign up for our newsletter") {
		t.Errorf("after unstrip, text = %q", c3.Text)
	}
	s4, err := saver.Reclean(ctx, saved.ArticleID, RecleanOptions{Unrestore: []string{newsletter}})
	if err != nil {
		t.Fatal(err)
	}
	if c4 := text(s4.CaptureID); c4.Text != first.Text {
		t.Errorf("with every edit undone, text = %q, want the first capture's %q", c4.Text, first.Text)
	}
	if again := text(saved.CaptureID); again.Text != first.Text || again.CleanedHTML != first.CleanedHTML {
		t.Errorf("the first capture changed")
	}
}

// photoPost is a blog post that is only a photo, with a line under it or none, beside a
// sidebar's "about me" text and above a comment thread: readability finds too little text
// in the post and takes the sidebar for the article.
func photoPost(line string) string {
	var comments strings.Builder
	for i := range 6 {
		fmt.Fprintf(&comments, `<dt class="comment-author">Reader %d said...</dt><dd class="comment-body"><p>What a lovely picture, the light on the water is just right and I could look at it for hours on end, thank you for sharing it with us all.</p></dd>`, i)
	}
	return `<html><head><title>the doodle book: prepping for a new week.</title></head><body>
<div class="sidebar"><div class="widget Text"><h2>about</h2><div class="widget-content">this is a place to record thoughts, creations,
inspirations and photographic memories. i am currently accepting commission-based work, but no requests, i hope you can understand.
you are most welcome to drop me an email. all text, graphics and photographs on this site are my own, unless otherwise stated.</div></div></div>
<div class="main"><h2 class="date-header">Sunday, September 9</h2>
<div class="post hentry"><h3 class="post-title entry-title">prepping for a new week.</h3>
<div class="post-body entry-content"><div class="separator"><a href="/img/photo.png"><img src="/img/photo.png" alt="desk"></a></div>` + line + `<br></div>
<div class="post-footer">Posted by Ann at 9:12 PM</div></div>
<div class="comments" id="comments"><h4>6 comments:</h4><dl id="comments-block">` + comments.String() + `</dl></div></div>
</body></html>`
}

// TestSavePhotoPost saves posts that are a photo and at most a line: the article is the
// photo (and the line), not the sidebar, and a photo that cannot be fetched is kept as a
// failure to fetch again rather than refused.
func TestSavePhotoPost(t *testing.T) {
	var photoDown atomic.Bool
	mux := http.NewServeMux()
	for _, line := range []string{"", "Our new desk, finally."} {
		mux.HandleFunc("/post/"+fmt.Sprint(len(line)), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(photoPost(line)))
		})
	}
	mux.HandleFunc("/img/photo.png", func(w http.ResponseWriter, r *http.Request) {
		if photoDown.Load() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes(t, 40, 30, color.RGBA{0, 90, 200, 255}))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	lib := openTest(t)
	ctx := context.Background()
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	for _, tc := range []struct {
		name, path, text string
		down             bool
	}{
		{"photo only", "/post/0", "", false},
		{"photo and a line", "/post/22", "Our new desk, finally.", false},
		// The photo that could not be fetched is shown as a placeholder.
		{"photo that fails", "/post/0", "[image: desk]", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			photoDown.Store(tc.down)
			saved, err := saver.Save(ctx, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			a, err := lib.Article(ctx, saved.ArticleID)
			if err != nil {
				t.Fatal(err)
			}
			c := a.Current
			if c.Text != tc.text {
				t.Errorf("text = %q, want %q; article:\n%s", c.Text, tc.text, c.CleanedHTML)
			}
			if got, want := c.Title, "prepping for a new week."; !strings.Contains(got, want) {
				t.Errorf("title = %q, want it to hold %q", got, want)
			}
			failed := len(saved.ImageFailures) == 1
			if failed != tc.down {
				t.Errorf("image failures = %+v, want the photo failed: %v", saved.ImageFailures, tc.down)
			}
			if !tc.down && !strings.Contains(c.CleanedHTML, images.Scheme+":") {
				t.Errorf("the photo is not in the article: %s", c.CleanedHTML)
			}
			for _, clutter := range []string{"commission", "lovely picture"} {
				if strings.Contains(c.CleanedHTML, clutter) {
					t.Errorf("the article holds %q: %s", clutter, c.CleanedHTML)
				}
			}
		})
	}
}

// TestImportPageSavedComplete imports a page a browser saved with its pictures in a folder
// beside it: the picture is read from there and kept; a file that is no image, one that
// is missing and one outside the page's folder are not read.
func TestImportPageSavedComplete(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "saved")
	if err := os.MkdirAll(filepath.Join(dir, "harbour_files"), 0o755); err != nil {
		t.Fatal(err)
	}
	photo := pngBytes(t, 40, 30, color.RGBA{10, 120, 200, 255})
	outside := pngBytes(t, 40, 30, color.RGBA{200, 10, 10, 255})
	for name, data := range map[string][]byte{
		filepath.Join(dir, "harbour_files", "photo one.png"): photo,
		filepath.Join(dir, "harbour_files", "notes.png"):     []byte("not a picture at all"),
		filepath.Join(root, "outside.png"):                   outside,
	} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	head := `<html><head><title>Breakwater</title><style>p{}</style></head><body><article><h1>Breakwater</h1>` + paragraphs
	page := head + `
<figure><img src="harbour_files/photo%20one.png" srcset="https://example.org/photo-1200.png 1200w" alt="the breakwater"><figcaption>The new breakwater.</figcaption></figure>
<p><img src="harbour_files/notes.png" alt="notes"></p>
<p><img src="harbour_files/missing.png" alt="missing"></p>
<p><img src="../outside.png" alt="outside"></p>
<p>The harbour master said the work would finish before the winter storms arrive again next year.</p>
</article></body></html>`
	name := filepath.Join(dir, "harbour.html")
	if err := os.WriteFile(name, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := openTest(t)
	ctx := context.Background()
	saver := NewSaver(lib, fetch.New(fetch.Options{}))
	saved, err := saver.ImportFile(ctx, name, []byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := lib.CaptureImages(ctx, saved.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("capture images = %+v, want the one picture beside the page", list)
	}
	data, err := lib.Image(ctx, list[0].Hash)
	if err != nil || !bytes.Equal(data.Data, photo) {
		t.Errorf("the stored picture is not the file beside the page (%v)", err)
	}
	c, err := lib.Capture(ctx, saved.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(c.RawHTML)
	if !strings.HasPrefix(raw, head) {
		t.Errorf("the stored page changed before the picture:\n%.300s", raw)
	}
	if strings.Contains(raw, "photo-1200.png") || !strings.Contains(raw, "data:image/png;base64,") {
		t.Errorf("the picture's img does not point at its bytes alone:\n%s", raw)
	}
	for _, kept := range []string{`src="harbour_files/notes.png"`, `src="harbour_files/missing.png"`, `src="../outside.png"`} {
		if !strings.Contains(raw, kept) {
			t.Errorf("the stored page lost %s", kept)
		}
	}
}
