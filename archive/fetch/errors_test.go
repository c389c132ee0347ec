package fetch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestResponseFailures(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	big := bytes.Repeat([]byte("<p>words</p>"), 200) // 2400 bytes
	tests := []struct {
		name       string
		h          http.HandlerFunc
		wantKind   Kind
		wantStatus int
		wantType   string
		wantMsg    string
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			HTTPStatus, 404, "text/plain", "the server answered 404 Not Found"},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			HTTPStatus, 500, "", "the server answered 500 Internal Server Error"},
		{"PDF", respond(pdf, "Content-Type", "application/pdf"),
			NotHTML, 0, "application/pdf", "this is a PDF document, not a web page"},
		{"PDF as octet-stream", respond(pdf, "Content-Type", "application/octet-stream"),
			NotHTML, 0, "application/pdf", "this is a PDF document, not a web page"},
		{"image", respond(png, "Content-Type", "image/png"),
			NotHTML, 0, "image/png", "this is an image (image/png), not a web page"},
		{"JSON", respond([]byte(`{}`), "Content-Type", "application/json; charset=utf-8"),
			NotHTML, 0, "application/json", "this is JSON data, not a web page"},
		{"over the cap, Content-Length", respond(big, "Content-Type", "text/html"),
			TooLarge, 0, "text/html", "the download is too large (more than 1 KiB)"},
		{"over the cap, chunked", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for range 3 {
				_, _ = w.Write(big[:800])
				w.(http.Flusher).Flush()
			}
		}, TooLarge, 0, "text/html", "the download is too large (more than 1 KiB)"},
		{"corrupt gzip", respond([]byte("not gzip at all"), "Content-Type", "text/html", "Content-Encoding", "gzip"),
			Network, 0, "", "the download failed (gzip: invalid header)"},
		{"unknown encoding", respond([]byte("x"), "Content-Type", "text/html", "Content-Encoding", "zstd"),
			Network, 0, "", "the download failed (unsupported content encoding: zstd)"},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<p>only a little"))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		}, Network, 0, "", "the download failed (the connection closed too early)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.h)
			url := srv.URL + "/doc"
			_, err := newClient(t, Options{MaxBody: 1024}).Page(context.Background(), url)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Kind != tt.wantKind || e.Status != tt.wantStatus || e.URL != url {
				t.Errorf("got %v %d %s, want %v %d %s", e.Kind, e.Status, e.URL, tt.wantKind, tt.wantStatus, url)
			}
			if tt.wantType != "" && e.ContentType != tt.wantType {
				t.Errorf("ContentType %q, want %q", e.ContentType, tt.wantType)
			}
			if !errors.Is(err, tt.wantKind) {
				t.Errorf("errors.Is(err, %v) = false", tt.wantKind)
			}
			if want := url + ": " + tt.wantMsg; err.Error() != want {
				t.Errorf("message\n got %q\nwant %q", err, want)
			}
		})
	}
}

// TestBombs serves a few kilobytes that decode to 64 MiB: the fetch must
// stop at the cap without decoding (or allocating) anything near that.
func TestBombs(t *testing.T) {
	const capBytes, bombBytes = 256 << 10, 64 << 20
	zeros := make([]byte, bombBytes)
	tests := []struct {
		coding string
		body   []byte
	}{
		{"gzip", gzipped(zeros)},
		{"br", brotlied(zeros)},
	}
	zeros = nil
	for _, tt := range tests {
		t.Run(tt.coding, func(t *testing.T) {
			t.Logf("%d compressed bytes", len(tt.body))
			srv := serve(t, respond(tt.body, "Content-Type", "text/html", "Content-Encoding", tt.coding))
			c := newClient(t, Options{MaxBody: capBytes})
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.Page(context.Background(), srv.URL)
			runtime.ReadMemStats(&after)
			if kindOf(err) != TooLarge {
				t.Fatalf("error %v, want TooLarge", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes while refusing a %d-byte bomb with a %d-byte cap", alloc, bombBytes, capBytes)
			}
		})
	}
}

// TestReadCapped checks that no more than cap+1 decoded bytes are read.
func TestReadCapped(t *testing.T) {
	tests := []struct {
		n, max    int64
		wantLarge bool
	}{
		{0, 10, false},
		{10, 10, false},
		{11, 10, true},
		{1 << 30, 100, true},
	}
	for _, tt := range tests {
		r := &countingReader{left: tt.n}
		got, err := readCapped(r, tt.max, 0)
		var tl *tooLargeError
		if errors.As(err, &tl) != tt.wantLarge || (!tt.wantLarge && err != nil) {
			t.Errorf("readCapped(%d bytes, %d) error %v, want too large: %v", tt.n, tt.max, err, tt.wantLarge)
		}
		if !tt.wantLarge && int64(len(got)) != tt.n {
			t.Errorf("readCapped(%d bytes, %d) read %d", tt.n, tt.max, len(got))
		}
		if r.read > tt.max+1 {
			t.Errorf("readCapped(%d bytes, %d) consumed %d bytes, want at most %d", tt.n, tt.max, r.read, tt.max+1)
		}
	}
}

type countingReader struct{ left, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	n = min(n, r.left)
	r.left -= n
	r.read += n
	return int(n), nil
}

// waitForClient blocks the handler until the client goes away.
func waitForClient(r *http.Request) { <-r.Context().Done() }

func TestTimeouts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"no answer", func(w http.ResponseWriter, r *http.Request) { waitForClient(r) }},
		{"stall after headers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><head>")
			w.(http.Flusher).Flush()
			waitForClient(r)
		}},
		{"slow drip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				if _, err := io.WriteString(w, "<p>"); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-tick.C:
				case <-r.Context().Done():
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.h)
			c := newClient(t, Options{Timeout: timeout})
			start := time.Now()
			_, err := c.Page(context.Background(), srv.URL)
			elapsed := time.Since(start)
			if kindOf(err) != Timeout || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want Timeout", err)
			}
			if elapsed > timeout+time.Second {
				t.Errorf("returned after %v, want within %v", elapsed, timeout+time.Second)
			}
			if want := srv.URL + ": the server took too long to respond"; err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	started := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		waitForClient(r)
	}))
	c := newClient(t, Options{})

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, err := c.Page(ctx, srv.URL)
	if kindOf(err) != Canceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want Canceled wrapping context.Canceled", err)
	}
	if want := srv.URL + ": the download was canceled"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	_, err = c.Page(ctx, srv.URL) // already canceled
	if kindOf(err) != Canceled {
		t.Errorf("with a canceled context: error %v, want Canceled", err)
	}

	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	if _, err := c.Page(dctx, srv.URL); kindOf(err) != Timeout {
		t.Errorf("with an expired context: error %v, want Timeout", err)
	}
}

func TestConnectionFailures(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	_ = l.Close()

	var proto atomic.Int32
	gz := respond(gzipped([]byte(article)), "Content-Type", "text/html", "Content-Encoding", "gzip")
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int32(r.ProtoMajor))
		gz(w, r)
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsSrv.EnableHTTP2 = true
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	plain := serve(t, respond([]byte(article), "Content-Type", "text/html"))
	empty := func(context.Context, string) ([]netip.Addr, error) { return nil, nil }

	tests := []struct {
		name     string
		url      string
		opts     Options
		wantKind Kind
		wantMsg  string
	}{
		{"unknown host", "http://nowhere.invalid/x", Options{}, DNS,
			"http://nowhere.invalid/x: the host name nowhere.invalid could not be found"},
		{"no addresses", "http://empty.test/", Options{Resolver: empty}, DNS,
			"http://empty.test/: the host name empty.test could not be found"},
		{"connection refused", closed, Options{}, Connect,
			closed + ": could not connect to the server (connection refused)"},
		{"untrusted certificate", tlsSrv.URL, Options{}, TLS,
			tlsSrv.URL + ": could not make a secure connection (the certificate is not from a trusted authority)"},
		{"not TLS", strings.Replace(plain.URL, "http:", "https:", 1), Options{}, TLS,
			strings.Replace(plain.URL, "http:", "https:", 1) + ": could not make a secure connection (the server does not speak TLS on this port)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(t, tt.opts).Page(context.Background(), tt.url)
			if kindOf(err) != tt.wantKind {
				t.Fatalf("error %v, want kind %v", err, tt.wantKind)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", err, tt.wantMsg)
			}
		})
	}

	t.Run("trusted certificate, HTTP/2, gzip", func(t *testing.T) {
		trusted := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
		got, err := newClient(t, Options{TLSConfig: trusted}).Page(context.Background(), tlsSrv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.UTF8) != article || proto.Load() != 2 {
			t.Errorf("got %q over HTTP/%d, want the article over HTTP/2", got.UTF8, proto.Load())
		}
	})
}

func TestBadURL(t *testing.T) {
	tests := []struct{ url, wantMsg string }{
		{"file:///etc/passwd", "file:///etc/passwd: only web addresses (http or https) can be fetched"},
		{"javascript:alert(1)", "javascript:alert(1): only web addresses (http or https) can be fetched"},
		{"ftp://example.org/f", "ftp://example.org/f: only web addresses (http or https) can be fetched"},
		{"example.org/page", "example.org/page: only web addresses (http or https) can be fetched"},
		{"http://", "http://: this is not a valid web address"},
		{"http://[::1", "http://[::1: this is not a valid web address"},
		{"", "only web addresses (http or https) can be fetched"},
	}
	c := newClient(t, Options{})
	for _, tt := range tests {
		_, err := c.Page(context.Background(), tt.url)
		if kindOf(err) != BadURL {
			t.Errorf("Page(%q) error %v, want BadURL", tt.url, err)
			continue
		}
		if err.Error() != tt.wantMsg {
			t.Errorf("Page(%q) message %q, want %q", tt.url, err, tt.wantMsg)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct{ mediaType, want string }{
		{"application/pdf", "a PDF document"},
		{"image/webp", "an image (image/webp)"},
		{"video/mp4", "a video (video/mp4)"},
		{"audio/mpeg", "an audio file (audio/mpeg)"},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a word-processor document"},
		{"application/zip", "an archive (application/zip)"},
		{"application/ld+json", "a file of type application/ld+json"},
		{"image/svg+xml", "an image (image/svg+xml)"},
		{"application/mathml+xml", "an XML document (application/mathml+xml)"},
		{"", "a file of unknown type"},
	}
	for _, tt := range tests {
		if got := describe(tt.mediaType); got != tt.want {
			t.Errorf("describe(%q) = %q, want %q", tt.mediaType, got, tt.want)
		}
	}
}
