// Package fetch downloads one web page or image, safely and predictably.
//
// A Client sends browser-like requests, decodes gzip, deflate and brotli
// itself and caps the size after decoding, finds the character set of HTML
// the way browsers do, and reports every failure as an *Error whose Kind says
// what went wrong in one sentence a person can act on. It never lets a public
// page lead it, by redirect or by DNS trick, to an address on the local
// network (see Policy).
package fetch

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// DefaultUserAgent is sent when Options.UserAgent is empty. It names a current
// desktop browser because many sites serve programs a different or empty page.
const DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"

// Options configures a Client. The zero value gives the defaults noted on
// each field.
type Options struct {
	Timeout        time.Duration // whole fetch, redirects and body included; default 30s
	ConnectTimeout time.Duration // TCP connect and TLS handshake; default 10s
	MaxBody        int64         // bytes after content decoding; default 20 MiB
	MaxRedirects   int           // default 10
	UserAgent      string        // default DefaultUserAgent
	AcceptLanguage string        // default "en-US,en;q=0.9"

	// TLSConfig, if set, replaces the default TLS settings, e.g. to trust a
	// test server or a company root certificate. Proxies are never used: the
	// local-address checks must see the address actually dialled.
	TLSConfig *tls.Config

	// Resolver looks up a host name; default net.DefaultResolver. Tests map
	// made-up names to loopback addresses with it.
	Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

	// IsLocal classifies an address as local (not public); default IsLocal.
	IsLocal func(netip.Addr) bool

	// Now stamps FetchedAt; default time.Now.
	Now func() time.Time
}

// Client fetches pages and images. It is safe for concurrent use.
type Client struct {
	opts Options
	// open may reach any address; guarded refuses local ones at dial time.
	// They never share connections, so a connection opened under one policy
	// is never reused under the other.
	open, guarded *http.Transport
}

// New returns a Client with opts, defaults filled in.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 20 << 20
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 10
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.AcceptLanguage == "" {
		opts.AcceptLanguage = "en-US,en;q=0.9"
	}
	if opts.Resolver == nil {
		opts.Resolver = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if opts.IsLocal == nil {
		opts.IsLocal = IsLocal
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{opts: opts}
	c.open = c.transport(false)
	c.guarded = c.transport(true)
	return c
}

func (c *Client) transport(publicOnly bool) *http.Transport {
	d := &dialer{c: c, publicOnly: publicOnly, net: net.Dialer{Timeout: c.opts.ConnectTimeout}}
	return &http.Transport{
		DialContext:            d.dial,
		TLSClientConfig:        c.opts.TLSConfig,
		TLSHandshakeTimeout:    c.opts.ConnectTimeout,
		ForceAttemptHTTP2:      true,
		DisableCompression:     true, // we ask for and decode br ourselves
		MaxIdleConns:           64,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// CloseIdleConnections closes connections kept alive for reuse.
func (c *Client) CloseIdleConnections() {
	c.open.CloseIdleConnections()
	c.guarded.CloseIdleConnections()
}

// Policy says which network addresses one fetch may reach.
type Policy int

const (
	// AsAsked fetches the requested address whatever it resolves to. If it
	// is public, every later connection (redirects included) must be public
	// too; if it is local, the user is on a local network on purpose and
	// local redirects are followed.
	AsAsked Policy = iota
	// PublicOnly refuses every local address, the first one included: for
	// resources embedded in a public page.
	PublicOnly
	// LocalAllowed reaches any address: for resources embedded in a page
	// that was itself on the local network.
	LocalAllowed
)

// Want says which kind of resource the caller expects. It sets the Accept
// header and refuses anything else before its body is downloaded.
type Want int

const (
	// WantAny accepts every media type.
	WantAny Want = iota
	// WantHTML accepts HTML and XHTML; anything else fails with NotHTML.
	WantHTML
	// WantImage accepts image/*; anything else fails with NotImage.
	WantImage
)

func (w Want) accept() string {
	switch w {
	case WantHTML:
		return "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	case WantImage:
		// No AVIF: little can decode it yet, and servers fall back to these.
		return "image/webp,image/png,image/jpeg,image/gif,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	}
	return "*/*"
}

// refuse returns the Kind of error for mediaType, or 0 if it is wanted.
func (w Want) refuse(mediaType string) Kind {
	switch {
	case w == WantHTML && !isHTML(mediaType):
		return NotHTML
	case w == WantImage && !strings.HasPrefix(mediaType, "image/"):
		return NotImage
	}
	return 0
}

func isHTML(mediaType string) bool {
	switch mediaType {
	case "text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml":
		return true
	}
	return false
}

// Request is one lower-level fetch.
type Request struct {
	URL     string
	Want    Want
	Policy  Policy
	Referer string // the embedding page, for images: some sites refuse hotlinks
	MaxBody int64  // 0: Options.MaxBody
}

// Response is a fetched resource.
type Response struct {
	RequestedURL string
	FinalURL     string // after redirects
	Status       int
	ContentType  string      // media type, lower case, without parameters; sniffed if the server sent none
	Header       http.Header // as received: Content-Encoding still names the codings undone in Body
	Body         []byte      // after content decoding
	// Local reports whether the fetch was allowed to reach the local
	// network: the requested host resolved to a local address under
	// AsAsked, or the policy was LocalAllowed.
	Local     bool
	FetchedAt time.Time
}

// Page is a fetched HTML page.
type Page struct {
	RequestedURL string
	FinalURL     string // after redirects
	Status       int
	ContentType  string // media type, e.g. "text/html"
	Charset      string // detected character set, e.g. "windows-1251"
	Body         []byte // raw bytes after content decoding, not charset-converted
	UTF8         []byte // Body decoded to UTF-8
	FetchedAt    time.Time
	Local        bool // see Response.Local
}

// EmbedPolicy returns the Policy for fetching what the page embeds, such as
// its images: local addresses only if the page itself was local.
func (p *Page) EmbedPolicy() Policy {
	if p.Local {
		return LocalAllowed
	}
	return PublicOnly
}

// Page fetches the HTML page at rawURL under the AsAsked policy. Meta
// refreshes are not followed: the page is returned as it is.
func (c *Client) Page(ctx context.Context, rawURL string) (*Page, error) {
	res, err := c.Get(ctx, Request{URL: rawURL, Want: WantHTML})
	if err != nil {
		return nil, err
	}
	text, cs := DecodeHTML(res.Body, res.Header.Get("Content-Type"))
	return &Page{
		RequestedURL: res.RequestedURL,
		FinalURL:     res.FinalURL,
		Status:       res.Status,
		ContentType:  res.ContentType,
		Charset:      cs,
		Body:         res.Body,
		UTF8:         text,
		FetchedAt:    res.FetchedAt,
		Local:        res.Local,
	}, nil
}

// Get fetches r.URL, following redirects, and returns its decoded body. Every
// error is an *Error.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := parseURL(r.URL)
	if err != nil {
		return nil, err
	}
	limit := r.MaxBody
	if limit <= 0 {
		limit = c.opts.MaxBody
	}
	tctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	fail := func(at string, err error) error { return classify(ctx, tctx, at, err) }

	local := r.Policy == LocalAllowed
	if r.Policy == AsAsked {
		addrs, err := c.resolve(tctx, u.Hostname())
		if err != nil {
			return nil, fail(u.String(), err)
		}
		local = slices.ContainsFunc(addrs, c.opts.IsLocal)
	}
	hc := c.httpClient(local, u)

	req, err := http.NewRequestWithContext(tctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(u.String(), err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", r.Want.accept())
	req.Header.Set("Accept-Language", c.opts.AcceptLanguage)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if r.Referer != "" {
		req.Header.Set("Referer", r.Referer)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fail(u.String(), err)
	}
	defer func() { _ = resp.Body.Close() }()

	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Kind: HTTPStatus, URL: final, Status: resp.StatusCode,
			ContentType: mediaType(resp.Header.Get("Content-Type"))}
	}
	body, mt, err := readBody(resp, r.Want, limit)
	if err != nil {
		return nil, fail(final, err)
	}
	return &Response{
		RequestedURL: r.URL,
		FinalURL:     final,
		Status:       resp.StatusCode,
		ContentType:  mt,
		Header:       resp.Header,
		Body:         body,
		Local:        local,
		FetchedAt:    c.opts.Now(),
	}, nil
}

// httpClient returns a client for one fetch: its own cookie jar, so that
// sites which set a cookie and redirect back to the same address work, and a
// redirect check that spots loops and refuses non-web schemes.
func (c *Client) httpClient(local bool, u *url.URL) *http.Client {
	tr := c.guarded
	if local {
		tr = c.open
	}
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List}) // never fails
	seen := map[string]bool{visitKey(jar, u): true}
	requested := u.String()
	return &http.Client{
		Transport: tr,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return &Error{Kind: Blocked, URL: req.URL.String(), Err: errScheme}
			}
			if len(via) > c.opts.MaxRedirects {
				return &Error{Kind: TooManyRedirects, URL: requested,
					Err: fmt.Errorf("more than %d redirects", c.opts.MaxRedirects)}
			}
			// The same address with the same cookies can only answer the
			// same way again.
			k := visitKey(jar, req.URL)
			if seen[k] {
				return &Error{Kind: RedirectLoop, URL: requested, Err: fmt.Errorf("back to %s", req.URL)}
			}
			seen[k] = true
			return nil
		},
	}
}

func visitKey(jar http.CookieJar, u *url.URL) string {
	v := *u
	v.Fragment, v.RawFragment = "", ""
	var b strings.Builder
	b.WriteString(v.String())
	for _, ck := range jar.Cookies(u) {
		b.WriteString("\x00" + ck.Name + "=" + ck.Value)
	}
	return b.String()
}

var errScheme = errors.New("not an http or https address")

func parseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, &Error{Kind: BadURL, URL: raw, Err: err}
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &Error{Kind: BadURL, URL: raw, Err: errScheme}
	case u.Hostname() == "":
		return nil, &Error{Kind: BadURL, URL: raw, Err: errors.New("no host name")}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// readBody checks the media type and reads the decoded body, at most limit
// bytes of it.
func readBody(resp *http.Response, want Want, limit int64) (body []byte, mt string, err error) {
	mt = mediaType(resp.Header.Get("Content-Type"))
	codings, err := contentCodings(resp.Header)
	if err != nil {
		return nil, mt, err
	}
	if len(codings) == 0 && resp.ContentLength > limit {
		return nil, mt, &Error{Kind: TooLarge, ContentType: mt, Err: &tooLargeError{limit}}
	}
	r, err := decoded(resp.Body, codings)
	if err != nil {
		return nil, mt, err
	}
	br := bufio.NewReader(r)
	if mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		head, err := br.Peek(512)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, mt, err
		}
		mt = mediaType(http.DetectContentType(head))
	}
	if k := want.refuse(mt); k != 0 {
		return nil, mt, &Error{Kind: k, ContentType: mt}
	}
	var hint int64
	if len(codings) == 0 {
		hint = resp.ContentLength
	}
	body, err = readCapped(br, limit, hint)
	if tl := (*tooLargeError)(nil); errors.As(err, &tl) {
		return nil, mt, &Error{Kind: TooLarge, ContentType: mt, Err: tl}
	}
	return body, mt, err
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
