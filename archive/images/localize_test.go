package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/color"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gloss/archive/sanitize"
)

// httpGet is the get function the tests inject: a plain GET that reads at
// most limit+1 bytes, so Localize sees when a file is too big.
func httpGet(limit int64) func(ctx context.Context, u string) ([]byte, error) {
	return func(ctx context.Context, u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return io.ReadAll(io.LimitReader(resp.Body, limit+1))
	}
}

type served struct {
	mime string
	data []byte
}

func serve(t *testing.T, files map[string]served, page string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/articles/page.html" {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, page)
			return
		}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.mime)
		w.Write(f.data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

const testPage = `<!DOCTYPE html><html><head><title>T</title></head><body><article>
<p><img src="/img/plain.png" alt="plain"></p>
<p><img src="rel/relative.jpg" alt="relative"></p>
<img src="/img/small.gif" srcset="/img/s400.gif 400w, /img/s1200.gif 1200w, /img/s2000.gif 2000w" alt="srcset">
<picture><source type="image/avif" srcset="/img/p.avif 1200w"><source type="image/webp" srcset="/img/p800.webp 800w, /img/p1400.webp 1400w"><img src="/img/p-fallback.jpg" alt="picture"></picture>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" data-src="/img/lazy.png" class="lazyload" alt="lazy">
<div class="wrap"><img src="/img/placeholder.gif" alt="ns"></div><noscript><img src="/img/noscript.jpg"></noscript>
<figure><noscript><img src="/img/only-noscript.png" alt="only"></noscript><figcaption>Only in noscript</figcaption></figure>
<img src="/img/missing.png" alt="missing">
<img src="/img/huge.jpg" alt="huge">
<img src="/img/html.png" alt="html">
<img src="/img/evil.svg" alt="svg">
<img src="/img/bomb.png" alt="bomb">
<img src="/img/pixel.gif" width="1" height="1">
<img src="/img/spacer.gif">
<img src="/img/dup-a.png" alt="dup a"><img src="/img/dup-b.png" alt="dup b">
<p><img src="/img/plain.png" alt="plain again"></p>
</article></body></html>`

func TestLocalize(t *testing.T) {
	dup := pngBytes(t, 30, 20, 9)
	files := map[string]served{
		"/img/plain.png":             {"image/png", pngBytes(t, 40, 30, 1)},
		"/articles/rel/relative.jpg": {"image/jpeg", jpegBytes(t, 64, 48, 2)},
		"/img/s1200.gif":             {"image/gif", gifBytes(t, 24, 12, 3)},
		"/img/p1400.webp":            {"image/webp", webpBytes(14, 10, color.NRGBA{10, 20, 30, 255})},
		"/img/lazy.png":              {"image/png", pngBytes(t, 33, 22, 4)},
		"/img/noscript.jpg":          {"image/jpeg", jpegBytes(t, 50, 40, 5)},
		"/img/only-noscript.png":     {"image/png", pngBytes(t, 20, 20, 6)},
		"/img/huge.jpg":              {"image/jpeg", append(jpegBytes(t, 16, 16, 7), make([]byte, 2<<20)...)},
		"/img/html.png":              {"image/png", []byte("<!DOCTYPE html><html><body>Not found</body></html>")},
		"/img/evil.svg":              {"image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		"/img/bomb.png":              {"image/png", pngBomb(100000, 100000)},
		"/img/pixel.gif":             {"image/gif", gifBytes(t, 1, 1, 0)},
		"/img/spacer.gif":            {"image/gif", gifBytes(t, 1, 1, 8)},
		"/img/dup-a.png":             {"image/png", dup},
		"/img/dup-b.png":             {"image/png", dup},
	}
	var mu sync.Mutex
	var requested []string
	srv := serve(t, files, testPage)
	get := httpGet(1 << 20)
	counting := func(ctx context.Context, u string) ([]byte, error) {
		mu.Lock()
		requested = append(requested, strings.TrimPrefix(u, srv.URL))
		mu.Unlock()
		return get(ctx, u)
	}

	doc := parseDoc(t, testPage)
	base := mustURL(t, srv.URL+"/articles/page.html")
	images, failures := Localize(context.Background(), doc, base, counting, Options{MaxBytes: 1 << 20})

	var gotImages []string
	for _, im := range images {
		gotImages = append(gotImages, fmt.Sprintf("%s %s %dx%d", strings.TrimPrefix(im.URL, srv.URL), im.MIME, im.Width, im.Height))
		if im.Hash != sha(im.Data) {
			t.Errorf("%s: Hash %s is not the SHA-256 of Data", im.URL, im.Hash)
		}
		if want := files[strings.TrimPrefix(im.URL, srv.URL)].data; !slices.Equal(im.Data, want) {
			t.Errorf("%s: Data differs from what was served", im.URL)
		}
	}
	wantImages := []string{
		"/img/plain.png image/png 40x30",
		"/articles/rel/relative.jpg image/jpeg 64x48",
		"/img/s1200.gif image/gif 24x12",
		"/img/p1400.webp image/webp 14x10",
		"/img/lazy.png image/png 33x22",
		"/img/noscript.jpg image/jpeg 50x40",
		"/img/only-noscript.png image/png 20x20",
		"/img/dup-a.png image/png 30x20",
	}
	if !slices.Equal(gotImages, wantImages) {
		t.Errorf("images:\n got %q\nwant %q", gotImages, wantImages)
	}

	var gotFailures []string
	for _, f := range failures {
		gotFailures = append(gotFailures, strings.TrimPrefix(f.URL, srv.URL)+": "+f.Reason)
	}
	wantFailures := []string{
		"/img/missing.png: HTTP 404",
		"/img/huge.jpg: image file too big: more than 1048576 bytes",
		"/img/html.png: not an image",
		"/img/evil.svg: SVG images are not kept",
		"/img/bomb.png: too large: 100000×100000 pixels",
	}
	if !slices.Equal(gotFailures, wantFailures) {
		t.Errorf("failures:\n got %q\nwant %q", gotFailures, wantFailures)
	}

	// Each address fetched once; the tracking pixel never.
	slices.Sort(requested)
	if c := slices.Compact(slices.Clone(requested)); len(c) != len(requested) {
		t.Errorf("some address was fetched twice: %q", requested)
	}
	if slices.Contains(requested, "/img/pixel.gif") {
		t.Errorf("the declared tracking pixel was fetched")
	}

	// The document: local refs for kept images, the original address
	// and the reason for failed ones, no spacer.
	srcs := map[string]string{} // alt → src
	for _, img := range findAll(doc, "img") {
		alt, _ := getAttr(img, "alt")
		src, _ := getAttr(img, "src")
		srcs[alt] = src
	}
	for alt, path := range map[string]string{"plain": "/img/plain.png", "plain again": "/img/plain.png", "dup a": "/img/dup-a.png", "dup b": "/img/dup-b.png", "picture": "/img/p1400.webp"} {
		if got, want := srcs[alt], LocalRef(sha(files[path].data)); got != want {
			t.Errorf("img %q src = %q, want %q", alt, got, want)
		}
	}
	if srcs["dup a"] != srcs["dup b"] {
		t.Errorf("same bytes at two addresses got two references")
	}
	for _, img := range findAll(doc, "img") {
		src, _ := getAttr(img, "src")
		if strings.HasSuffix(src, "/img/missing.png") {
			if got, _ := getAttr(img, FailedAttr); got != "HTTP 404" {
				t.Errorf("failed img %s = %q, want %q", FailedAttr, got, "HTTP 404")
			}
		}
		if strings.Contains(src, "spacer.gif") {
			t.Errorf("1×1 image without declared size was kept: %s", src)
		}
	}

	// Discover + sanitise: what a stored article looks like.
	out := sanitize.HTML(renderDoc(t, doc), sanitize.Options{LocalImagesOnly: true})
	for _, want := range []string{
		`<img src="` + LocalRef(sha(files["/img/plain.png"].data)) + `" alt="plain"/>`,
		`<a href="` + srv.URL + `/img/missing.png" rel="noopener noreferrer nofollow">[image: missing]</a>`,
		`<a href="` + srv.URL + `/img/bomb.png" rel="noopener noreferrer nofollow">[image: bomb]</a>`,
		`<a href="` + srv.URL + `/img/evil.svg" rel="noopener noreferrer nofollow">[image: svg]</a>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("sanitised article lacks %s\n%s", want, out)
		}
	}
	for _, gone := range []string{"pixel.gif", "spacer.gif", "data-gloss-failed", "<noscript", "<picture"} {
		if strings.Contains(out, gone) {
			t.Errorf("sanitised article still has %q\n%s", gone, out)
		}
	}
	if n := strings.Count(out, "<img "); n != 10 {
		t.Errorf("sanitised article has %d img elements, want 10 (8 images, one shown twice, one duplicate)\n%s", n, out)
	}
}

// TestLocalizeConcurrency checks that downloads overlap but never more
// than Concurrency at once, and that progress counts up to the total.
func TestLocalizeConcurrency(t *testing.T) {
	const n = 12
	var page strings.Builder
	files := map[string]served{}
	for i := range n {
		p := fmt.Sprintf("/img/%d.png", i)
		files[p] = served{"image/png", pngBytes(t, 10+i, 10, uint8(i))}
		fmt.Fprintf(&page, `<img src="%s">`, p)
	}
	var inFlight, maxInFlight atomic.Int32
	full := make(chan struct{})
	var fullOnce sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if now <= m || maxInFlight.CompareAndSwap(m, now) {
				break
			}
		}
		if now >= 4 {
			fullOnce.Do(func() { close(full) })
		}
		// Hold the first requests until four are in flight, so the test
		// sees the pool at full width; the timer only bounds a broken pool.
		select {
		case <-full:
		case <-time.After(2 * time.Second):
		}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(f.data)
	}))
	defer srv.Close()

	var calls [][2]int
	opt := Options{Concurrency: 4, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}
	doc := parseDoc(t, page.String())
	images, failures := Localize(context.Background(), doc, mustURL(t, srv.URL+"/"), httpGet(DefaultMaxBytes), opt)
	if len(images) != n || len(failures) != 0 {
		t.Fatalf("got %d images, %d failures %v; want %d, 0", len(images), len(failures), failures, n)
	}
	if got := maxInFlight.Load(); got != 4 {
		t.Errorf("max downloads at once = %d, want 4", got)
	}
	if len(calls) != n+1 {
		t.Fatalf("progress called %d times, want %d: %v", len(calls), n+1, calls)
	}
	for i, c := range calls {
		if c != [2]int{i, n} {
			t.Errorf("progress call %d = %v, want [%d %d]", i, c, i, n)
		}
	}
}

func TestLocalizeMaxCount(t *testing.T) {
	var page strings.Builder
	files := map[string]served{}
	for i := range 5 {
		p := fmt.Sprintf("/img/%d.png", i)
		files[p] = served{"image/png", pngBytes(t, 8, 8, uint8(i))}
		fmt.Fprintf(&page, `<img src="%s" alt="%d">`, p, i)
	}
	srv := serve(t, files, page.String())
	doc := parseDoc(t, page.String())
	images, failures := Localize(context.Background(), doc, mustURL(t, srv.URL+"/"), httpGet(DefaultMaxBytes), Options{MaxCount: 3})
	if len(images) != 3 {
		t.Errorf("got %d images, want 3", len(images))
	}
	want := []Failure{
		{srv.URL + "/img/3.png", "more than 3 images"},
		{srv.URL + "/img/4.png", "more than 3 images"},
	}
	if !slices.Equal(failures, want) {
		t.Errorf("failures = %v, want %v", failures, want)
	}
}

func TestLocalizeCancel(t *testing.T) {
	var page strings.Builder
	for i := range 6 {
		fmt.Fprintf(&page, `<img src="https://example.com/%d.png">`, i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	get := func(ctx context.Context, u string) ([]byte, error) {
		calls.Add(1)
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	doc := parseDoc(t, page.String())
	images, failures := Localize(ctx, doc, mustURL(t, "https://example.com/"), get, Options{Concurrency: 1})
	if len(images) != 0 || len(failures) != 6 {
		t.Fatalf("got %d images, %d failures; want 0, 6", len(images), len(failures))
	}
	for _, f := range failures {
		if f.Reason != context.Canceled.Error() {
			t.Errorf("%s: reason %q, want %q", f.URL, f.Reason, context.Canceled.Error())
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("get called %d times after cancelling, want 1", got)
	}
}

func TestLocalizeDataURL(t *testing.T) {
	img := pngBytes(t, 12, 12, 3)
	src := "data:image/png;base64," + base64Std(img)
	doc := parseDoc(t, `<img src="`+src+`" alt="inline">`)
	get := func(context.Context, string) ([]byte, error) {
		return nil, errors.New("must not fetch data URLs")
	}
	images, failures := Localize(context.Background(), doc, mustURL(t, "https://example.com/"), get, Options{})
	if len(failures) != 0 || len(images) != 1 {
		t.Fatalf("got %d images, failures %v; want 1, none", len(images), failures)
	}
	if got, want := images[0].Hash, sha(img); got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
	if got, _ := getAttr(findAll(doc, "img")[0], "src"); got != LocalRef(sha(img)) {
		t.Errorf("src = %q, want the local reference", got)
	}
}

func TestDecodeDataURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"data:image/png;base64,aGVsbG8=", "hello", false},
		{"data:image/png;base64,aGVs\nbG8=", "hello", false},
		{"data:image/png;base64,aGVsbG8", "hello", false},
		{"data:image/svg+xml,%3Csvg%3E", "<svg>", false},
		{"data:image/png;base64,!!!", "", true},
		{"data:image/png", "", true},
	}
	for _, tt := range tests {
		got, err := decodeDataURL(tt.in)
		if (err != nil) != tt.wantErr || string(got) != tt.want {
			t.Errorf("decodeDataURL(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
