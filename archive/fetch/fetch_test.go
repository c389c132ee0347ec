package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// TestMain fails the run if goroutines outlive the tests: every fetch,
// including timed-out and canceled ones, must clean up after itself.
func TestMain(m *testing.M) {
	flag.Parse()
	before := runtime.NumGoroutine()
	code := m.Run()
	if f := flag.Lookup("test.fuzz"); code == 0 && (f == nil || f.Value.String() == "") {
		if err := settled(before, 5*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func settled(want int, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return nil
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			return fmt.Errorf("goroutine leak: %d before the tests, %d after:\n%s", want, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var fixedNow = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

// testResolver maps made-up names to addresses; any other name fails, so no
// test touches real DNS.
func testResolver(names map[string]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := names[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
}

var testNames = map[string]string{
	"localhost":     "127.0.0.1",
	"intranet.test": "127.0.0.1",
	"public.test":   "127.0.0.2",
}

// publicLoopback is a loopback address the tests' classifier calls public,
// so a server on it plays a site on the Internet.
var publicLoopback = netip.MustParseAddr("127.0.0.2")

func testIsLocal(a netip.Addr) bool { return a != publicLoopback && IsLocal(a) }

func newClient(t *testing.T, opts Options) *Client {
	t.Helper()
	if opts.Resolver == nil {
		opts.Resolver = testResolver(testNames)
	}
	if opts.IsLocal == nil {
		opts.IsLocal = testIsLocal
	}
	opts.Now = func() time.Time { return fixedNow }
	c := New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// serve starts a server on 127.0.0.1, a local address.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// servePublic starts a server on 127.0.0.2, which the tests' classifier
// treats as public.
func servePublic(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2 (needed to play a public host): %v", err)
	}
	s := httptest.NewUnstartedServer(h)
	_ = s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// respond serves body with the given headers ("" values delete them).
func respond(body []byte, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			if headers[i+1] == "" {
				w.Header()[headers[i]] = nil // also stops Go sniffing a Content-Type
			} else {
				w.Header().Set(headers[i], headers[i+1])
			}
		}
		_, _ = w.Write(body)
	}
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func encode(t *testing.T, enc interface{ String(string) (string, error) }, s string) []byte {
	t.Helper()
	out, err := enc.String(s)
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return []byte(out)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func brotlied(b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 5, LGWin: 16})
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func zlibbed(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func deflated(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

const article = `<!DOCTYPE html><html><head><title>Café — Ünïcode news</title></head>` +
	`<body><article><h1>Héadline</h1><p>The text of the article.</p></article></body></html>`

func TestPage(t *testing.T) {
	cyrillic := `<html><head><title>Новости</title></head><body><p>Привет, мир</p></body></html>`
	japaneseDoc := `<html><head><meta charset="Shift_JIS"><title>ニュース</title></head><body><p>日本語の記事です</p></body></html>`
	cp1251 := encode(t, charmap.Windows1251.NewEncoder(), cyrillic)
	sjis := encode(t, japanese.ShiftJIS.NewEncoder(), japaneseDoc)
	bom := append([]byte("\xEF\xBB\xBF"), article...)

	tests := []struct {
		name        string
		h           http.HandlerFunc
		wantBody    []byte // raw bytes after content decoding
		wantUTF8    string
		wantCharset string
		wantType    string
	}{
		{"utf-8 article", respond([]byte(article), "Content-Type", "text/html; charset=utf-8"),
			[]byte(article), article, "utf-8", "text/html"},
		{"windows-1251 in header", respond(cp1251, "Content-Type", "text/html; charset=windows-1251"),
			cp1251, cyrillic, "windows-1251", "text/html"},
		{"Shift_JIS in meta only", respond(sjis, "Content-Type", "text/html"),
			sjis, japaneseDoc, "shift_jis", "text/html"},
		{"BOM beats header", respond(bom, "Content-Type", "text/html; charset=windows-1252"),
			bom, article, "utf-8", "text/html"},
		{"lone 0x80", respond([]byte("\x80"), "Content-Type", "text/html"),
			[]byte("\x80"), "\uFFFD", "utf-8", "text/html"},
		{"XHTML", respond([]byte(article), "Content-Type", "application/xhtml+xml"),
			[]byte(article), article, "utf-8", "application/xhtml+xml"},
		{"no Content-Type: sniffed", respond([]byte(article), "Content-Type", ""),
			[]byte(article), article, "utf-8", "text/html"},
		{"gzip", respond(gzipped([]byte(article)), "Content-Type", "text/html", "Content-Encoding", "gzip"),
			[]byte(article), article, "utf-8", "text/html"},
		{"brotli", respond(brotlied([]byte(article)), "Content-Type", "text/html", "Content-Encoding", "br"),
			[]byte(article), article, "utf-8", "text/html"},
		{"deflate (zlib)", respond(zlibbed([]byte(article)), "Content-Type", "text/html", "Content-Encoding", "deflate"),
			[]byte(article), article, "utf-8", "text/html"},
		{"deflate (raw)", respond(deflated([]byte(article)), "Content-Type", "text/html", "Content-Encoding", "deflate"),
			[]byte(article), article, "utf-8", "text/html"},
		{"gzip then brotli", respond(brotlied(gzipped(cp1251)), "Content-Type", "text/html; charset=windows-1251", "Content-Encoding", "gzip, br"),
			cp1251, cyrillic, "windows-1251", "text/html"},
		{"gzip, sniffed", respond(gzipped([]byte(article)), "Content-Type", "", "Content-Encoding", "gzip"),
			[]byte(article), article, "utf-8", "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.h)
			c := newClient(t, Options{})
			url := srv.URL + "/article"
			got, err := c.Page(context.Background(), url)
			if err != nil {
				t.Fatalf("Page: %v", err)
			}
			if !bytes.Equal(got.Body, tt.wantBody) {
				t.Errorf("Body = %q, want %q", got.Body, tt.wantBody)
			}
			if string(got.UTF8) != tt.wantUTF8 {
				t.Errorf("UTF8 = %q, want %q", got.UTF8, tt.wantUTF8)
			}
			if got.Charset != tt.wantCharset {
				t.Errorf("Charset = %q, want %q", got.Charset, tt.wantCharset)
			}
			if got.ContentType != tt.wantType {
				t.Errorf("ContentType = %q, want %q", got.ContentType, tt.wantType)
			}
			if got.RequestedURL != url || got.FinalURL != url || got.Status != 200 || !got.FetchedAt.Equal(fixedNow) || !got.Local {
				t.Errorf("got %s %s %d %v local=%v, want %s %s 200 %v local=true",
					got.RequestedURL, got.FinalURL, got.Status, got.FetchedAt, got.Local, url, url, fixedNow)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	headers := make(chan http.Header, 1)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Clone()
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, article)
	}))
	c := newClient(t, Options{})
	if _, err := c.Page(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	got := <-headers
	for _, tt := range []struct{ header, want string }{
		{"User-Agent", DefaultUserAgent},
		{"Accept", WantHTML.accept()},
		{"Accept-Encoding", "gzip, deflate, br"},
		{"Accept-Language", "en-US,en;q=0.9"},
	} {
		if g := got.Get(tt.header); g != tt.want {
			t.Errorf("%s = %q, want %q", tt.header, g, tt.want)
		}
	}
	if !strings.HasPrefix(got.Get("User-Agent"), "Mozilla/5.0 (") {
		t.Errorf("User-Agent %q does not look like a browser", got.Get("User-Agent"))
	}
}

func TestMetaRefreshNotFollowed(t *testing.T) {
	page := `<html><head><meta http-equiv="refresh" content="0; url=/other"></head><body>stay</body></html>`
	var other atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("/", respond([]byte(page), "Content-Type", "text/html"))
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) { other.Add(1) })
	srv := serve(t, mux)
	got, err := newClient(t, Options{}).Page(context.Background(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if got.FinalURL != srv.URL+"/" || string(got.UTF8) != page || other.Load() != 0 {
		t.Errorf("FinalURL %s, %d hits on /other, want %s/ and 0", got.FinalURL, other.Load(), srv.URL)
	}
}

func TestGetImage(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	headers := make(chan http.Header, 1)
	record := func(h http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			headers <- r.Header.Clone()
			h.ServeHTTP(w, r)
		}
	}
	tests := []struct {
		name     string
		h        http.HandlerFunc
		wantKind Kind
		wantType string
		wantMsg  string
	}{
		{"png", record(respond(png, "Content-Type", "image/png")), 0, "image/png", ""},
		{"png as octet-stream: sniffed", record(respond(png, "Content-Type", "application/octet-stream")), 0, "image/png", ""},
		{"html", record(respond([]byte(article), "Content-Type", "text/html")), NotImage, "text/html",
			"this is a web page, not an image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.h)
			c := newClient(t, Options{})
			got, err := c.Get(context.Background(), Request{URL: srv.URL + "/i", Want: WantImage, Referer: "https://example.org/page"})
			if kindOf(err) != tt.wantKind {
				t.Fatalf("error %v, want kind %v", err, tt.wantKind)
			}
			h := <-headers
			if referer, accept := h.Get("Referer"), h.Get("Accept"); referer != "https://example.org/page" || !strings.HasPrefix(accept, "image/") {
				t.Errorf("Referer %q, Accept %q: want the page and an image Accept", referer, accept)
			}
			if err != nil {
				if want := srv.URL + "/i: " + tt.wantMsg; err.Error() != want {
					t.Errorf("error %q, want %q", err, want)
				}
				return
			}
			if !bytes.Equal(got.Body, png) || got.ContentType != tt.wantType {
				t.Errorf("got %q %s, want the PNG as %s", got.Body, got.ContentType, tt.wantType)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	// /hops/N redirects N times before the page.
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, article)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hops/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusMovedPermanently) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a#top", http.StatusFound) })
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
	})
	// /cookie sets a cookie and redirects to itself once, as some sites
	// do to check for cookies: not a loop.
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("seen"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
			http.Redirect(w, r, "/cookie", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, article)
	})
	srv := serve(t, mux)

	tests := []struct {
		path      string
		wantKind  Kind
		wantFinal string
		wantMsg   string
	}{
		{"/hops/3", 0, "/hops/0", ""},
		{"/hops/10", 0, "/hops/0", ""},
		{"/hops/11", TooManyRedirects, "", "the server redirected too many times (more than 10 redirects)"},
		{"/a", RedirectLoop, "", "the server redirects in a loop"},
		{"/self", RedirectLoop, "", "the server redirects in a loop"},
		{"/cookie", 0, "/cookie", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := newClient(t, Options{}).Page(context.Background(), srv.URL+tt.path)
			if kindOf(err) != tt.wantKind {
				t.Fatalf("error %v, want kind %v", err, tt.wantKind)
			}
			if err != nil {
				if want := srv.URL + tt.path + ": " + tt.wantMsg; err.Error() != want {
					t.Errorf("error %q, want %q", err, want)
				}
				return
			}
			if got.FinalURL != srv.URL+tt.wantFinal || got.RequestedURL != srv.URL+tt.path {
				t.Errorf("FinalURL %s, want %s", got.FinalURL, srv.URL+tt.wantFinal)
			}
		})
	}
}

func BenchmarkPage(b *testing.B) {
	doc := []byte("<html><body>" + strings.Repeat("<p>The quick brown fox jumps over the lazy dog.</p>\n", 20000) + "</body></html>")
	for _, bm := range []struct {
		name, coding string
		body         []byte
	}{
		{"identity", "", doc},
		{"gzip", "gzip", gzipped(doc)},
		{"br", "br", brotlied(doc)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			srv := httptest.NewServer(respond(bm.body, "Content-Type", "text/html; charset=utf-8", "Content-Encoding", bm.coding))
			defer srv.Close()
			c := New(Options{Resolver: testResolver(testNames)})
			defer c.CloseIdleConnections()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := c.Page(context.Background(), srv.URL); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
