package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"gloss/archive/doc"
	"gloss/archive/fetch"
	"gloss/archive/images"
	"gloss/archive/sanitize"
)

// Stage names a step of saving an article, for progress reports.
type Stage string

// The stages of a save, in order.
const (
	StageFetch   Stage = "fetching"
	StageExtract Stage = "extracting"
	StageImages  Stage = "images"
	StageStore   Stage = "saving"
)

// Progress reports how far a save has got. Done and Total count images in StageImages.
type Progress struct {
	Stage       Stage
	Done, Total int
}

// Saver gets articles into the library: it fetches a page, extracts and cleans the
// article, downloads its images, sanitises it and stores it as a new capture.
type Saver struct {
	lib   *Library
	fetch *fetch.Client
	now   func() time.Time
}

// NewSaver returns a Saver that stores into lib and fetches with fc.
func NewSaver(lib *Library, fc *fetch.Client) *Saver {
	return &Saver{lib: lib, fetch: fc, now: time.Now}
}

// Saved is the result of a save.
type Saved struct {
	ArticleID, CaptureID int64
	Title                string
	// ImageFailures lists images that could not be kept; they show as placeholders that
	// link to their original address.
	ImageFailures []images.Failure
}

// Cleaned is a page made into an article: its metadata, its sanitised HTML and the
// canonical text derived from it.
type Cleaned struct {
	*Extracted
	HTML      string
	Text      string
	WordCount int
	Images    []images.Image
	Failures  []images.Failure
}

// Save fetches the page at rawURL and stores it as a new capture of its article.
func (s *Saver) Save(ctx context.Context, rawURL string, progress func(Progress)) (Saved, error) {
	report(progress, Progress{Stage: StageFetch})
	page, err := s.fetch.Page(ctx, rawURL)
	if err != nil {
		return Saved{}, err
	}
	base, err := url.Parse(page.FinalURL)
	if err != nil {
		return Saved{}, fmt.Errorf("%s: %w", page.FinalURL, err)
	}
	report(progress, Progress{Stage: StageExtract})
	art, err := s.article(ctx, page.UTF8, base, page.EmbedPolicy(), progress)
	if err != nil {
		return Saved{}, fmt.Errorf("%s: %w", rawURL, err)
	}
	c := Capture{
		RequestedURL: page.RequestedURL,
		FinalURL:     page.FinalURL,
		FetchedAt:    page.FetchedAt,
		HTTPStatus:   page.Status,
		ContentType:  page.ContentType,
		RawHTML:      page.Body,
		RawCharset:   page.Charset,
	}
	return s.store(ctx, NormalizeURL(rawURL), c, art, progress)
}

// ImportFile stores a local file as an article: .html and .htm as a page (pageURL, when
// given, is its original address), .txt and .md as plain text. name "-" is standard input.
func (s *Saver) ImportFile(ctx context.Context, name string, data []byte, pageURL string) (Saved, error) {
	c := Capture{FetchedAt: s.now()}
	var art *Cleaned
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		utf8, cs := fetch.DecodeHTML(data, "")
		c.RawHTML, c.RawCharset, c.ContentType = data, cs, "text/html"
		var base *url.URL
		if pageURL != "" {
			if base, err = parseAddress(pageURL); err != nil {
				return Saved{}, err
			}
		}
		// Images of a local file are fetched only from the address the user gave.
		art, err = s.article(ctx, utf8, base, fetch.PublicOnly, nil)
	case ".txt", ".md", ".markdown", "":
		utf8, _ := fetch.DecodeHTML(data, "text/plain")
		c.ContentType = "text/plain"
		art, err = articleFromText(string(utf8))
	default:
		return Saved{}, fmt.Errorf("%s: Gloss imports .html, .htm, .txt and .md files", name)
	}
	if err != nil {
		return Saved{}, fmt.Errorf("%s: %w", name, err)
	}
	c.RequestedURL, c.FinalURL = pageURL, pageURL
	return s.store(ctx, importKey(name, data, pageURL), c, art, nil)
}

// Extract makes an article of a page without storing it or fetching its images.
func Extract(page []byte, pageURL *url.URL) (*Cleaned, error) {
	return (&Saver{}).article(context.Background(), page, pageURL, fetch.PublicOnly, nil)
}

// ExtractText makes an article of plain text without storing it.
func ExtractText(text string) (*Cleaned, error) { return articleFromText(text) }

// article extracts, cleans and sanitises a page; with a fetcher it also downloads the
// images, under policy, and points the article at the stored copies.
func (s *Saver) article(ctx context.Context, page []byte, base *url.URL, policy fetch.Policy, progress func(Progress)) (*Cleaned, error) {
	root, err := Parse(page)
	if err != nil {
		return nil, err
	}
	if base == nil {
		base = &url.URL{}
	}
	ex, err := ExtractNode(root, base)
	if err != nil {
		return nil, err
	}
	art := &Cleaned{Extracted: ex}
	opt := sanitize.Options{}
	if s.fetch != nil {
		get := func(ctx context.Context, src string) ([]byte, error) {
			res, err := s.fetch.Get(ctx, fetch.Request{URL: src, Want: fetch.WantImage, Policy: policy, Referer: base.String(), MaxBody: maxImageBytes})
			if err != nil {
				return nil, err
			}
			return res.Body, nil
		}
		art.Images, art.Failures = images.Localize(ctx, ex.Node, base, get, images.Options{
			Progress: func(done, total int) { report(progress, Progress{Stage: StageImages, Done: done, Total: total}) },
		})
		opt.LocalImagesOnly = true
	}
	finish(art, renderNode(ex.Node), opt)
	if art.Text == "" {
		return nil, ErrNoArticle
	}
	return art, nil
}

func articleFromText(text string) (*Cleaned, error) {
	ex, err := FromText(text)
	if err != nil {
		return nil, err
	}
	art := &Cleaned{Extracted: ex}
	finish(art, renderNode(ex.Node), sanitize.Options{})
	return art, nil
}

// finish sanitises the article's HTML and derives its canonical text.
func finish(art *Cleaned, cleaned string, opt sanitize.Options) {
	art.HTML = sanitize.HTML(cleaned, opt)
	art.Text = doc.Text(art.HTML)
	art.WordCount = doc.WordCount(art.Text)
	if art.Title == "" {
		art.Title = firstLine(art.Text)
	}
}

func (s *Saver) store(ctx context.Context, key string, c Capture, art *Cleaned, progress func(Progress)) (Saved, error) {
	report(progress, Progress{Stage: StageStore})
	c.CleanedHTML, c.Text, c.WordCount = art.HTML, art.Text, art.WordCount
	c.Title, c.Byline, c.SiteName, c.Published = art.Title, art.Byline, art.SiteName, art.Published
	c.Lang, c.Excerpt, c.LeadImage = art.Lang, art.Excerpt, art.LeadImage
	aid, cid, err := s.lib.AddCaptureWithImages(ctx, key, c, art.Images, art.Failures)
	if err != nil {
		return Saved{}, err
	}
	return Saved{ArticleID: aid, CaptureID: cid, Title: c.Title, ImageFailures: art.Failures}, nil
}

// importKey identifies an imported file's article: its address when known, else its
// content, so that importing the same text twice adds a capture to one article.
func importKey(name string, data []byte, pageURL string) string {
	if pageURL != "" {
		return NormalizeURL(pageURL)
	}
	sum := sha256.Sum256(bytes.TrimSpace(data))
	return "text:" + hex.EncodeToString(sum[:])
}

func parseAddress(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https address", raw)
	}
	return u, nil
}

func firstLine(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if r := []rune(line); len(r) > 120 {
		line = string(r[:120]) + "…"
	}
	return line
}

func report(progress func(Progress), p Progress) {
	if progress != nil {
		progress(p)
	}
}

// maxImageBytes caps one image download.
const maxImageBytes = 10 << 20
