package images

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"gloss/archive/sanitize"
)

// Scheme is the URL scheme of local image references, "gloss-image"; the
// sanitiser keeps it (sanitize.DefaultLocalImageScheme).
const Scheme = sanitize.DefaultLocalImageScheme

// FailedAttr is set on an img that could not be kept, with the reason; its
// src keeps the original address.
const FailedAttr = "data-gloss-failed"

// Defaults for Options fields left zero.
const (
	DefaultMaxBytes    = 10 << 20
	DefaultMaxCount    = 100
	DefaultConcurrency = 4
)

// LocalRef returns the img src that points at the stored image with this
// SHA-256 (lower-case hex).
func LocalRef(hash string) string { return Scheme + ":" + hash }

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseLocalRef returns the hash a local reference points at, and false if
// src is not one.
func ParseLocalRef(src string) (hash string, ok bool) {
	hash, ok = strings.CutPrefix(src, Scheme+":")
	if !ok || !hashRE.MatchString(hash) {
		return "", false
	}
	return hash, true
}

// Options bound Localize. Zero fields take the defaults.
type Options struct {
	// MaxBytes is the largest image file kept (DefaultMaxBytes). The get
	// function should stop reading past it; Localize refuses anything
	// longer with ErrTooBig.
	MaxBytes int64
	// MaxCount is the most images fetched for one article
	// (DefaultMaxCount); the rest fail with "more than N images".
	MaxCount int
	// Concurrency is the most downloads at once (DefaultConcurrency).
	Concurrency int
	// MaxPixels is passed to Check (DefaultMaxPixels).
	MaxPixels int
	// MaxWidth is the srcset width cap passed to Discover
	// (DefaultMaxWidth).
	MaxWidth int
	// Progress, if set, is called from the calling goroutine with the
	// number of addresses done and their total: first (0, total), then
	// after each, ending with (total, total).
	Progress func(done, total int)
}

// Image is one distinct image of an article, ready to store.
type Image struct {
	Hash          string // SHA-256 of Data, lower-case hex
	MIME          string
	Width, Height int
	Data          []byte
	URL           string // the first address it was found at
}

// Failure is an image address that could not be kept.
type Failure struct {
	URL    string // data URLs are cut to their first 48 bytes and "…"
	Reason string
}

// Localize finds doc's images (Discover), downloads them with get, at most
// opt.Concurrency at once, checks them (Check), and points each img at
// LocalRef(hash) of its bytes. Images with the same bytes are returned once.
// A failed image never fails the call: its img keeps the original address
// in src with FailedAttr set to the reason, and it is listed in the
// failures. Images that turn out to be 1 pixel wide or high are spacers or
// trackers: their img is removed and they are neither returned nor failed.
// data:image URLs are decoded, not fetched. Cancelling ctx fails what has
// not been fetched yet. Images and failures are in document order.
func Localize(ctx context.Context, doc *html.Node, base *url.URL,
	get func(ctx context.Context, url string) ([]byte, error), opt Options) ([]Image, []Failure) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.MaxCount <= 0 {
		opt.MaxCount = DefaultMaxCount
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultConcurrency
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = DefaultMaxPixels
	}

	// One download per address, however often it appears.
	var addrs []string
	nodes := map[string][]*html.Node{}
	for _, r := range Discover(doc, base, opt.MaxWidth) {
		if _, seen := nodes[r.URL]; !seen {
			addrs = append(addrs, r.URL)
		}
		nodes[r.URL] = append(nodes[r.URL], r.Node)
	}
	fetch := addrs
	if len(fetch) > opt.MaxCount {
		fetch = addrs[:opt.MaxCount]
	}
	results := fetchAll(ctx, fetch, get, opt)

	var images []Image
	var failures []Failure
	byHash := map[string]bool{}
	fail := func(addr, reason string) {
		failures = append(failures, Failure{URL: shortData(addr), Reason: reason})
		for _, n := range nodes[addr] {
			setAttr(n, "src", addr)
			setAttr(n, FailedAttr, reason)
		}
	}
	for i, addr := range addrs {
		if i >= len(fetch) {
			fail(addr, fmt.Sprintf("more than %d images", opt.MaxCount))
			continue
		}
		r := results[i]
		switch {
		case r.err != nil:
			// The reason goes beside the address: it need not repeat it.
			fail(addr, strings.TrimPrefix(r.err.Error(), addr+": "))
		case r.info.Width <= 1 || r.info.Height <= 1:
			for _, n := range nodes[addr] {
				if n.Parent != nil {
					n.Parent.RemoveChild(n)
				}
			}
		default:
			sum := sha256.Sum256(r.data)
			hash := hex.EncodeToString(sum[:])
			if !byHash[hash] {
				byHash[hash] = true
				images = append(images, Image{Hash: hash, MIME: r.info.MIME,
					Width: r.info.Width, Height: r.info.Height, Data: r.data, URL: addr})
			}
			for _, n := range nodes[addr] {
				setAttr(n, "src", LocalRef(hash))
			}
		}
	}
	return images, failures
}

// shortData shortens a data URL for Failure.URL, which people read;
// other addresses are returned whole.
func shortData(addr string) string {
	const keep = 48
	if strings.HasPrefix(addr, "data:") && len(addr) > keep {
		return addr[:keep] + "…"
	}
	return addr
}

type result struct {
	data []byte
	info Info
	err  error
}

// fetchAll loads and checks addrs with opt.Concurrency workers and returns
// the results in the same order, reporting progress from this goroutine.
func fetchAll(ctx context.Context, addrs []string, get func(context.Context, string) ([]byte, error), opt Options) []result {
	results := make([]result, len(addrs))
	progress := func(done int) {
		if opt.Progress != nil {
			opt.Progress(done, len(addrs))
		}
	}
	progress(0)
	if len(addrs) == 0 {
		return results
	}
	jobs := make(chan int)
	done := make(chan int)
	workers := min(opt.Concurrency, len(addrs))
	for range workers {
		go func() {
			for i := range jobs {
				results[i] = load(ctx, addrs[i], get, opt)
				done <- i
			}
		}()
	}
	go func() {
		for i := range addrs {
			jobs <- i
		}
		close(jobs)
	}()
	for n := 1; n <= len(addrs); n++ {
		<-done
		progress(n)
	}
	return results
}

// load fetches (or decodes) one address and checks the bytes.
func load(ctx context.Context, addr string, get func(context.Context, string) ([]byte, error), opt Options) result {
	if err := ctx.Err(); err != nil {
		return result{err: err}
	}
	var data []byte
	var err error
	if strings.HasPrefix(addr, "data:") {
		data, err = decodeDataURL(addr)
	} else {
		data, err = get(ctx, addr)
	}
	if err != nil {
		return result{err: err}
	}
	if int64(len(data)) > opt.MaxBytes {
		return result{err: fmt.Errorf("%w: more than %d bytes", ErrTooBig, opt.MaxBytes)}
	}
	info, err := Check(data, opt.MaxPixels)
	if err != nil {
		return result{err: err}
	}
	return result{data: data, info: info}
}

// decodeDataURL returns the bytes of a data: URL, base64 or percent-encoded.
func decodeDataURL(u string) ([]byte, error) {
	meta, payload, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok {
		return nil, fmt.Errorf("%w: malformed data URL", ErrNotImage)
	}
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		payload = strings.Map(func(r rune) rune {
			if r <= ' ' {
				return -1
			}
			return r
		}, payload)
		if p, err := url.PathUnescape(payload); err == nil {
			payload = p
		}
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: bad base64 in data URL: %w", ErrNotImage, err)
		}
		return b, nil
	}
	s, err := url.PathUnescape(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: bad data URL: %w", ErrNotImage, err)
	}
	return []byte(s), nil
}
