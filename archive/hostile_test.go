package archive_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/brotli"

	"gloss/archive"
	"gloss/archive/durability"
	"gloss/archive/fetch"
)

// publicAddr is a loopback address the hostile tests' classifier calls
// public, so that a server on it plays a site on the Internet (as in
// package fetch's tests).
var publicAddr = netip.MustParseAddr("127.0.0.2")

// hostileTimeout is the fetch timeout of the hostile tests: the limit a
// stalling server must be cut off at.
const hostileTimeout = time.Second

// articleHTML is a page with a real article in it, with extra markup
// spliced into its body.
func articleHTML(title, extra string) string {
	para := strings.Repeat("The council met on Tuesday to discuss the budget for the harbour and the railway. ", 6)
	return "<!doctype html><html><head><meta charset=utf-8><title>" + title + "</title></head><body><article><h1>" + title +
		"</h1><p>" + para + "</p><p>" + para + "</p>" + extra + "<p>" + para + "</p></article></body></html>"
}

// bombs returns a gzip and a brotli body that each decode to 64 MiB of
// zeros, more than the fetch cap, from about 64 KB on the wire.
func bombs(t *testing.T) (gz, br []byte) {
	t.Helper()
	zeros := make([]byte, 1<<20)
	var g, b bytes.Buffer
	gw, err := gzip.NewWriterLevel(&g, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	bw := brotli.NewWriterLevel(&b, 5)
	for range 64 {
		if _, err := gw.Write(zeros); err != nil {
			t.Fatal(err)
		}
		if _, err := bw.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return g.Bytes(), b.Bytes()
}

// pngBomb returns a tiny PNG that declares 100,000 × 100,000 pixels.
func pngBomb(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// IHDR: length (8), type (12), width (16), height (20), …, CRC (29).
	binary.BigEndian.PutUint32(p[16:], 100_000)
	binary.BigEndian.PutUint32(p[20:], 100_000)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// counter counts the requests a server that must never be reached gets.
type counter struct{ n atomic.Int32 }

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write([]byte("secret"))
}

// hostileServers starts a public site whose handlers misbehave in every way
// the tests need, a local server that must never be reached from it, and a
// TLS server with a certificate nobody trusts.
func hostileServers(t *testing.T) (public *httptest.Server, local *counter, localURL, tlsURL string, refreshed *counter) {
	t.Helper()
	gz, br := bombs(t)
	bomb := pngBomb(t)
	local = &counter{}
	ls := httptest.NewServer(local)
	t.Cleanup(ls.Close)
	refreshed = &counter{}
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, articleHTML("Secure", ""))
	}))
	t.Cleanup(ts.Close)
	lport := ls.Listener.Addr().(*net.TCPAddr).Port

	garbage := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(13, 14))
	for i := range garbage {
		garbage[i] = byte(r.Uint32())
	}
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, body)
		}
	}
	raw := func(contentType string, body []byte, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			_, _ = w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/gzip-bomb", raw("text/html", gz, "Content-Encoding", "gzip"))
	mux.Handle("/brotli-bomb", raw("text/html", br, "Content-Encoding", "br"))
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/loop-a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b", http.StatusFound) })
	mux.HandleFunc("/loop-b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-a", http.StatusFound) })
	mux.Handle("/refresh", html(strings.Replace(articleHTML("Refresh", ""), "<head>",
		`<head><meta http-equiv="refresh" content="0;url=/refreshed">`, 1)))
	mux.Handle("/refreshed", refreshed)
	mux.Handle("/deep", html("<html><body>"+strings.Repeat("<div>", 100_000)+"deep"+strings.Repeat("</div>", 100_000)+"</body></html>"))
	mux.Handle("/flat", html(articleHTML("Flat", "<ul>"+strings.Repeat("<li>x", 100_000)+"</ul>")))
	mux.Handle("/long-title", html(articleHTML(strings.Repeat("T", 1<<20), "")))
	mux.Handle("/invalid-utf8", html(articleHTML("Bad \xff\xfe bytes", "<p>caf\xe9 \xc3\x28 \xed\xa0\x80 na\xefve</p>")))
	mux.Handle("/wrong-charset", raw("text/html; charset=utf-8", []byte(articleHTML("Caf\xe9", "<p>d\xe9j\xe0 vu, \x93quoted\x94</p>"))))
	mux.Handle("/garbage", raw("text/html", garbage))
	mux.Handle("/empty", raw("text/html", nil))
	mux.Handle("/one-byte", raw("text/html", []byte("\x80")))
	mux.Handle("/with-bomb-image", html(articleHTML("Bomb image", `<p><img src="/bomb.png" alt="bomb"></p>`)))
	mux.Handle("/bomb.png", raw("image/png", bomb))
	mux.Handle("/with-scripts", html(articleHTML("Scripts", `<p><img src="/evil.svg" alt="svg"></p>`+
		`<svg><script>alert('svg')</script><circle r="5" onload="alert('onload')"/></svg>`+
		`<script>alert('inline')</script><p onclick="alert('click')"><a href="javascript:alert('link')">a link</a></p>`+
		`<iframe src="/evil.svg"></iframe><object data="/evil.svg"></object>`)))
	mux.Handle("/evil.svg", raw("image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert('file')</script></svg>`)))
	locals := []string{
		fmt.Sprintf("http://127.0.0.1:%d/secret", lport),
		fmt.Sprintf("http://intranet.test:%d/secret", lport),
		"http://10.0.0.1/secret",
		"http://169.254.169.254/latest/meta-data/",
		fmt.Sprintf("http://0.0.0.0:%d/secret", lport),
		fmt.Sprintf("http://[::1]:%d/secret", lport),
		"file:///etc/passwd",
	}
	for i, u := range locals {
		mux.HandleFunc(fmt.Sprintf("/to-local-%d", i), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, u, http.StatusFound)
		})
	}
	var imgs strings.Builder
	for _, u := range locals {
		fmt.Fprintf(&imgs, `<p><img src="%s" alt="local"></p>`, u)
	}
	mux.Handle("/local-images", html(articleHTML("Local images", imgs.String())))
	var refetch atomic.Bool
	mux.HandleFunc("/refetch", func(w http.ResponseWriter, r *http.Request) {
		if refetch.Load() {
			http.Error(w, "gone", http.StatusInternalServerError)
			return
		}
		html(articleHTML("Refetch", ""))(w, r)
	})
	mux.HandleFunc("/refetch-fails", func(w http.ResponseWriter, r *http.Request) { refetch.Store(true) })

	l, err := net.Listen("tcp", publicAddr.String()+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (needed to play a public host): %v", publicAddr, err)
	}
	public = httptest.NewUnstartedServer(mux)
	_ = public.Listener.Close()
	public.Listener = l
	public.Start()
	t.Cleanup(public.Close)
	return public, local, ls.URL, ts.URL, refreshed
}

// hostileClient is a fetch client that resolves public.test to the public
// server and intranet.test to loopback, and calls only publicAddr public.
func hostileClient() *fetch.Client {
	return fetch.New(fetch.Options{
		Timeout:        hostileTimeout,
		ConnectTimeout: time.Second,
		Resolver: func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "public.test":
				return []netip.Addr{publicAddr}, nil
			case "intranet.test":
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return nil, errors.New("no such host")
		},
		IsLocal: func(a netip.Addr) bool { return a != publicAddr && fetch.IsLocal(a) },
	})
}

// hostileCase is one page of TestHostileServers: its address (a path on the
// public site, or a whole URL), the time the save may take and what the
// outcome must be.
type hostileCase struct {
	name  string
	path  string
	limit time.Duration
	check func(*testing.T, archive.Saved, error)
}

// TestHostileServers saves pages from servers that misbehave: bombs, drips,
// stalls, loops, pathological HTML, bad encodings, scripts, and public
// pages that lead to the local network. Each save must end within its
// limit plus a second, with the error a person can act on or a clean,
// script-free article, without reaching the local network, leaking
// goroutines or holding much memory.
func TestHostileServers(t *testing.T) {
	before := runtime.NumGoroutine()
	// Registered first, so it runs last, after the servers have closed.
	t.Cleanup(func() {
		if leaked := waitGoroutines(before); leaked != "" {
			t.Errorf("goroutines left behind:\n%s", leaked)
		}
		if rss, ok := durability.PeakRSS(); ok {
			t.Logf("peak RSS of the test process: %d MB (race detector: %v)", rss>>20, durability.Race)
			if rss > 300<<20 && !durability.Race {
				t.Errorf("peak RSS %d MB, want under 300 MB", rss>>20)
			}
		}
	})
	ctx := context.Background()
	lib, err := archive.Open(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	public, local, localURL, tlsURL, refreshed := hostileServers(t)
	site := "http://public.test:" + public.URL[strings.LastIndex(public.URL, ":")+1:]
	fc := hostileClient()
	saver := archive.NewSaver(lib, fc)

	wantErr := func(target error) func(*testing.T, archive.Saved, error) {
		return func(t *testing.T, _ archive.Saved, err error) {
			if !errors.Is(err, target) {
				t.Errorf("error %v, want %v", err, target)
			}
		}
	}
	cleanText := func(t *testing.T, s archive.Saved, err error) {
		if err != nil {
			t.Fatal(err)
		}
		c, err := lib.Capture(ctx, s.CaptureID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{c.Text, c.CleanedHTML, c.Title} {
			if !utf8.ValidString(s) {
				t.Errorf("stored text is not valid UTF-8: %.80q", s)
			}
		}
	}
	tests := []hostileCase{
		{"gzip bomb", "/gzip-bomb", hostileTimeout, wantErr(fetch.TooLarge)},
		{"brotli bomb", "/brotli-bomb", hostileTimeout, wantErr(fetch.TooLarge)},
		{"slow drip", "/drip", hostileTimeout, wantErr(fetch.Timeout)},
		{"stall after headers", "/stall", hostileTimeout, wantErr(fetch.Timeout)},
		{"redirect loop", "/loop-a", hostileTimeout, wantErr(fetch.RedirectLoop)},
		{"meta refresh not followed", "/refresh", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			cleanText(t, s, err)
			if n := refreshed.n.Load(); n != 0 {
				t.Errorf("the refresh target was fetched %d times", n)
			}
		}},
		{"100,000 nested elements", "/deep", hostileTimeout, wantErr(archive.ErrPageTooComplex)},
		{"100,000 list items", "/flat", hostileTimeout, wantErr(archive.ErrPageTooComplex)},
		{"1 MiB title", "/long-title", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			cleanText(t, s, err)
			t.Logf("stored title: %d bytes", len(s.Title))
		}},
		{"invalid UTF-8", "/invalid-utf8", hostileTimeout, cleanText},
		{"wrong declared charset", "/wrong-charset", hostileTimeout, cleanText},
		{"binary garbage as HTML", "/garbage", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			if !errors.Is(err, archive.ErrNoArticle) {
				cleanText(t, s, err)
			}
		}},
		{"empty body", "/empty", hostileTimeout, wantErr(archive.ErrNoArticle)},
		{"one byte, 0x80", "/one-byte", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			if !errors.Is(err, archive.ErrNoArticle) {
				cleanText(t, s, err) // decoded as windows-1252, it is a euro sign
			}
		}},
		{"image bomb", "/with-bomb-image", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			cleanText(t, s, err)
			if len(s.ImageFailures) != 1 || !strings.Contains(s.ImageFailures[0].Reason, "too large") {
				t.Errorf("image failures %+v, want the bomb refused as too large", s.ImageFailures)
			}
		}},
		{"scripts and SVG", "/with-scripts", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
			cleanText(t, s, err)
			c, err := lib.Capture(ctx, s.CaptureID)
			if err != nil {
				t.Fatal(err)
			}
			low := strings.ToLower(c.CleanedHTML)
			// The refused SVG stays as a placeholder link to its address, as
			// every failed image does; it is never shown or run.
			for _, bad := range []string{"<script", "alert(", "javascript:", "onload", "onclick", "<iframe", "<object", "<embed", "<svg", `src="http`} {
				if strings.Contains(low, bad) {
					t.Errorf("cleaned HTML keeps %q: %s", bad, c.CleanedHTML)
				}
			}
			if len(s.ImageFailures) != 1 {
				t.Errorf("image failures %+v, want the SVG image refused", s.ImageFailures)
			}
		}},
		{"TLS error", tlsURL, hostileTimeout, wantErr(fetch.TLS)},
	}
	for i := range 7 {
		tests = append(tests, hostileCase{fmt.Sprintf("public page redirects to local %d", i), fmt.Sprintf("/to-local-%d", i), hostileTimeout, wantErr(fetch.Blocked)})
	}
	tests = append(tests, hostileCase{"public page embeds local images", "/local-images", hostileTimeout, func(t *testing.T, s archive.Saved, err error) {
		cleanText(t, s, err)
		// The file: address is not an image source at all: it is dropped.
		if len(s.ImageFailures) != 6 {
			t.Errorf("%d image failures %+v, want the 6 web ones refused", len(s.ImageFailures), s.ImageFailures)
		}
		for _, f := range s.ImageFailures {
			if !strings.Contains(f.Reason, "an address on the local network") {
				t.Errorf("image %s failed with %q, want it refused as local", f.URL, f.Reason)
			}
			if strings.Contains(f.Reason, f.URL) {
				t.Errorf("image %s failed with %q, which repeats its address", f.URL, f.Reason)
			}
		}
		c, err := lib.Capture(ctx, s.CaptureID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.CleanedHTML, "file:") {
			t.Errorf("cleaned HTML keeps the file: address: %s", c.CleanedHTML)
		}
	}})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.path
			if strings.HasPrefix(u, "/") {
				u = site + u
			}
			start := time.Now()
			saved, err := saver.Save(ctx, u, nil)
			took := time.Since(start)
			tt.check(t, saved, err)
			if took > tt.limit+time.Second {
				t.Errorf("took %v, limit %v", took, tt.limit)
			}
			t.Logf("%v: %v", took.Round(time.Millisecond), err)
		})
	}
	if n := local.n.Load(); n != 0 {
		t.Errorf("the local server at %s was reached %d times from public pages", localURL, n)
	}

	t.Run("failed refetch keeps the article", func(t *testing.T) {
		first, err := saver.Save(ctx, site+"/refetch", nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := lib.Article(ctx, first.ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fc.Get(ctx, fetch.Request{URL: site + "/refetch-fails"}); err != nil {
			t.Fatal(err)
		}
		if _, err := saver.Save(ctx, site+"/refetch", nil); !errors.Is(err, fetch.HTTPStatus) {
			t.Fatalf("refetch error %v, want HTTPStatus", err)
		}
		got, err := lib.Article(ctx, first.ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Captures != want.Captures || got.Current.ID != want.Current.ID || got.Current.Text != want.Current.Text {
			t.Errorf("after a failed refetch: %d captures, current %d; want %d, %d unchanged",
				got.Captures, got.Current.ID, want.Captures, want.Current.ID)
		}
	})

	if problems, err := lib.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("Check() = %q, %v", problems, err)
	}
	if err := lib.Close(); err != nil {
		t.Error(err)
	}
	fc.CloseIdleConnections()
}

// waitGoroutines waits up to five seconds for the goroutine count to come
// down to want, as connections and handlers wind down, and returns the
// stacks of the goroutines still running if it does not.
func waitGoroutines(want int) string {
	deadline := time.Now().Add(5 * time.Second)
	for delay := time.Millisecond; ; delay *= 2 {
		if runtime.NumGoroutine() <= want {
			return ""
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			return string(buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(min(delay, 100*time.Millisecond))
	}
}

// TestPageComplexityGuard checks the limits a page must stay within to be
// made an article of: real pages pass, pathological ones fail fast with
// ErrPageTooComplex.
func TestPageComplexityGuard(t *testing.T) {
	u, _ := url.Parse("https://example.com/a")
	tests := []struct {
		name  string
		extra string
		want  error
	}{
		{"ordinary article", "<ul>" + strings.Repeat("<li>an item", 2000) + "</ul>", nil},
		{"500 nested elements", strings.Repeat("<div>", 500) + "deep" + strings.Repeat("</div>", 500), nil},
		{"600 nested elements", strings.Repeat("<div>", 600) + "deep" + strings.Repeat("</div>", 600), archive.ErrPageTooComplex},
		{"100,000 paragraphs", strings.Repeat("<p>x", 100_000), archive.ErrPageTooComplex},
		{"20 lists of 5,000", strings.Repeat("<ul>"+strings.Repeat("<li>x", 5000)+"</ul>", 20), archive.ErrPageTooComplex},
		{"200,100 elements in small groups", strings.Repeat("<div>"+strings.Repeat("<i>x</i>", 99)+"</div>", 2001), archive.ErrPageTooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := archive.Extract([]byte(articleHTML("Guard", tt.extra)), u)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Extract error %v, want %v", err, tt.want)
			}
		})
	}
}
