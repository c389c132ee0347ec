package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itlightning/dateparse"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/clean"
	"gloss/archive/doc"
	"gloss/archive/fetch"
	"gloss/archive/images"
	"gloss/archive/sanitize"
	"gloss/archive/siterules"
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

// maxImageBytes caps one image download.
const maxImageBytes = 10 << 20

// Saver gets articles into the library: it fetches a page, applies the site's rules,
// extracts and cleans the article, downloads its images, sanitises it and stores it as a
// new capture.
type Saver struct {
	lib   *Library
	fetch *fetch.Client // nil: images are not downloaded

	mu    sync.Mutex
	rules *siterules.Set // loaded on first use; nil until then
	now   func() time.Time
}

// NewSaver returns a Saver that stores into lib and fetches with fc.
func NewSaver(lib *Library, fc *fetch.Client) *Saver {
	return &Saver{lib: lib, fetch: fc, now: time.Now}
}

// ReloadRules makes later saves use the site rules as they are now (after the user added
// a rule or changed the rules folder).
func (s *Saver) ReloadRules(ctx context.Context) error {
	set, _, err := s.lib.SiteRules(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.rules = set
	s.mu.Unlock()
	return nil
}

// rule returns the merged site rule for a host, nil when none applies.
func (s *Saver) rule(ctx context.Context, host string) (*siterules.Rule, error) {
	if s.lib == nil || host == "" {
		return nil, nil
	}
	s.mu.Lock()
	set := s.rules
	s.mu.Unlock()
	if set == nil {
		if err := s.ReloadRules(ctx); err != nil {
			return nil, err
		}
		s.mu.Lock()
		set = s.rules
		s.mu.Unlock()
	}
	rules := set.For(host)
	if len(rules) == 0 {
		return nil, nil
	}
	return siterules.Merge(rules...), nil
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
	// Edits are the user's changes to what cleaning keeps, as applied.
	Edits Edits
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
	art, err := s.article(ctx, page.UTF8, base, page.EmbedPolicy(), s.networkImages, Edits{}, progress)
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

// ImportFile stores a local file as an article: .html and .htm as a page, .txt and .md
// as plain text. pageURL, when given, is a page's original address; otherwise the address
// the page states for itself (StatedAddress), if any, is taken for it. When name is the
// path of the file on disk, the pictures a page names by a relative path (as a browser
// saves them, in a folder beside the page) are read from beside it.
func (s *Saver) ImportFile(ctx context.Context, name string, data []byte, pageURL string) (Saved, error) {
	var contentType string
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		contentType = "text/html"
		if pageURL == "" {
			pageURL = StatedAddress(data)
		}
		if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() {
			data = inlineLocalImages(data, filepath.Dir(name))
		}
	case ".txt", ".md", ".markdown", "":
		contentType = "text/plain"
	default:
		return Saved{}, fmt.Errorf("%s: Gloss imports .html, .htm, .txt and .md files", name)
	}
	c := Capture{FetchedAt: s.now(), RequestedURL: pageURL, FinalURL: pageURL, RawHTML: data, ContentType: contentType}
	var base *url.URL
	if pageURL != "" {
		var err error
		if base, err = parseAddress(pageURL); err != nil {
			return Saved{}, err
		}
	}
	// Images of a local file are fetched only from public addresses.
	art, err := s.fromRaw(ctx, &c, base, fetch.PublicOnly, s.networkImages, Edits{})
	if err != nil {
		return Saved{}, fmt.Errorf("%s: %w", name, err)
	}
	return s.store(ctx, importKey(data, pageURL), c, art, nil)
}

// Reclean cleans the current capture of an article again from its raw HTML, with the
// site rules as they are now and the user's edits changed by opt, without fetching the
// page, and stores the result as a new capture (highlights re-anchor on it through the
// capture hooks). Images come from the library; with opt.FetchImages, the ones it lacks
// are downloaded again.
func (s *Saver) Reclean(ctx context.Context, articleID int64, opt RecleanOptions) (Saved, error) {
	a, err := s.lib.Article(ctx, articleID)
	if err != nil {
		return Saved{}, fmt.Errorf("article %d: %w", articleID, err)
	}
	old := a.Current
	c := Capture{
		RequestedURL: old.RequestedURL, FinalURL: old.FinalURL, FetchedAt: old.FetchedAt,
		HTTPStatus: old.HTTPStatus, ContentType: old.ContentType, RawHTML: old.RawHTML, RawCharset: old.RawCharset,
	}
	var base *url.URL
	if old.FinalURL != "" {
		if base, err = url.Parse(old.FinalURL); err != nil {
			return Saved{}, fmt.Errorf("article %d: %w", articleID, err)
		}
	}
	get := s.storedImages
	if opt.FetchImages {
		get = func(ctx context.Context, policy fetch.Policy, referer, src string) ([]byte, error) {
			if data, err := s.storedImages(ctx, policy, referer, src); err == nil {
				return data, nil
			}
			return s.networkImages(ctx, policy, referer, src)
		}
	}
	edits := Edits{Restored: old.Restored, Stripped: old.Stripped}.apply(opt)
	// The page is not fetched again, so whether it was on the local network is known only
	// from an address written as an IP.
	policy := fetch.PublicOnly
	if ip, err := netip.ParseAddr(strings.Trim(hostOf(base), "[]")); err == nil && fetch.IsLocal(ip) {
		policy = fetch.LocalAllowed
	}
	art, err := s.fromRaw(ctx, &c, base, policy, get, edits)
	if err != nil {
		return Saved{}, fmt.Errorf("article %d: %w", articleID, err)
	}
	return s.store(ctx, a.URL, c, art, nil)
}

// fromRaw makes the article of a capture's raw bytes, as HTML or plain text by its type.
func (s *Saver) fromRaw(ctx context.Context, c *Capture, base *url.URL, policy fetch.Policy, get imageGetter, edits Edits) (*Cleaned, error) {
	if c.ContentType == "text/plain" {
		text, _ := fetch.DecodeHTML(c.RawHTML, "text/plain")
		return articleFromText(string(text), edits)
	}
	ct := ""
	if c.RawCharset != "" {
		ct = "text/html; charset=" + c.RawCharset
	}
	page, cs := fetch.DecodeHTML(c.RawHTML, ct)
	c.RawCharset = cs
	return s.article(ctx, page, base, policy, get, edits, nil)
}

// Extract makes an article of a page, with the library's site rules, without storing it
// or fetching its images.
func (s *Saver) Extract(ctx context.Context, page []byte, pageURL *url.URL) (*Cleaned, error) {
	return s.article(ctx, page, pageURL, fetch.PublicOnly, nil, Edits{}, nil)
}

// Extract makes an article of a page, with no site rules, without storing it or fetching
// its images.
func Extract(page []byte, pageURL *url.URL) (*Cleaned, error) {
	return (&Saver{}).Extract(context.Background(), page, pageURL)
}

// ExtractText makes an article of plain text without storing it.
func ExtractText(text string) (*Cleaned, error) { return articleFromText(text, Edits{}) }

// imageGetter gets the bytes of an image the article shows.
type imageGetter func(ctx context.Context, policy fetch.Policy, referer, src string) ([]byte, error)

func (s *Saver) networkImages(ctx context.Context, policy fetch.Policy, referer, src string) ([]byte, error) {
	res, err := s.fetch.Get(ctx, fetch.Request{URL: src, Want: fetch.WantImage, Policy: policy, Referer: referer, MaxBody: maxImageBytes})
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

func (s *Saver) storedImages(ctx context.Context, _ fetch.Policy, _, src string) ([]byte, error) {
	im, err := s.lib.imageByURL(ctx, src)
	if err != nil {
		return nil, err
	}
	return im.Data, nil
}

// article applies the site's rules to a page, extracts and cleans the article, gets its
// images with get (none when get is nil) and sanitises it, with the user's edits.
func (s *Saver) article(ctx context.Context, page []byte, base *url.URL, policy fetch.Policy, get imageGetter, edits Edits, progress func(Progress)) (*Cleaned, error) {
	if base == nil {
		base = &url.URL{}
	}
	rule, err := s.rule(ctx, base.Hostname())
	if err != nil {
		return nil, err
	}
	page = rule.Rewrite(page)
	root, err := parsePage(page) // guard.go: refuses pathological pages
	if err != nil {
		return nil, err
	}
	site, siteRemoved, err := s.applyRule(ctx, rule, root, base, policy)
	if err != nil {
		return nil, err
	}
	if site.Body != nil {
		root = bodyDocument(site.Body)
	}
	ex, err := ExtractNode(root, base, edits.Restored...)
	if err != nil {
		return nil, err
	}
	ex.Removed = append(append(siteRemoved, ex.Removed...), stripBlocks(ex.Node, edits.Stripped)...)
	if site.Title != "" {
		ex.Title = site.Title
	}
	if site.Author != "" {
		ex.Byline = site.Author
	}
	if t, err := dateparse.ParseAny(site.Date); site.Date != "" && err == nil {
		t = t.UTC()
		ex.Published = &t
	}
	art := &Cleaned{Extracted: ex, Edits: edits}
	opt := sanitize.Options{}
	if get != nil {
		referer := base.String()
		art.Images, art.Failures = images.Localize(ctx, ex.Node, base,
			func(ctx context.Context, src string) ([]byte, error) { return get(ctx, policy, referer, src) },
			images.Options{
				MaxBytes: maxImageBytes,
				Progress: func(done, total int) { report(progress, Progress{Stage: StageImages, Done: done, Total: total}) },
			})
		opt.LocalImagesOnly = true
	}
	finish(art, renderNode(ex.Node), opt)
	if art.Text == "" && !strings.Contains(art.HTML, "<img") && len(art.Failures) == 0 {
		// Neither text nor a picture: a photo post whose photo failed is still kept,
		// for its image to be fetched again.
		return nil, ErrNoArticle
	}
	return art, nil
}

// applyRule applies a site rule to a page, joining the pages of a multi-page article when
// the rule says how to find them and a fetcher is at hand.
func (s *Saver) applyRule(ctx context.Context, rule *siterules.Rule, root *xhtml.Node, base *url.URL, policy fetch.Policy) (siterules.Result, []clean.Removal, error) {
	if rule == nil {
		return siterules.Result{}, nil, nil
	}
	pageFetch := func(ctx context.Context, u string) (*xhtml.Node, error) {
		res, err := s.fetch.Get(ctx, fetch.Request{URL: u, Want: fetch.WantHTML, Policy: policy, Referer: base.String()})
		if err != nil {
			return nil, err
		}
		text, _ := fetch.DecodeHTML(res.Body, res.Header.Get("Content-Type"))
		return Parse(rule.Rewrite(text))
	}
	if len(rule.NextPageLink) > 0 && s.fetch != nil {
		joined, err := siterules.JoinPages(ctx, root, rule, base.String(), pageFetch, siterules.DefaultMaxPages)
		if err != nil {
			return siterules.Result{}, nil, fmt.Errorf("join pages: %w", err)
		}
		res := joined.First
		res.Body = joined.Body
		return res, siteRemovals(joined.Removals), nil
	}
	res, err := rule.Apply(root, base.String())
	if err != nil && !errors.Is(err, siterules.ErrEval) {
		return siterules.Result{}, nil, fmt.Errorf("site rules: %w", err)
	}
	// An expression that fails on this page is skipped; the rest of the rule applies.
	if res.SinglePageLink == "" || s.fetch == nil {
		return res, siteRemovals(res.Removals), nil
	}
	// The whole article is on another page (a print or single-page view): take it from
	// there, with this page's metadata where that one has none. If it cannot be had, this
	// page is used as it is.
	single, err := pageFetch(ctx, res.SinglePageLink)
	if err != nil {
		return res, siteRemovals(res.Removals), nil
	}
	sres, err := rule.Apply(single, res.SinglePageLink)
	if err != nil && !errors.Is(err, siterules.ErrEval) {
		return res, siteRemovals(res.Removals), nil
	}
	if sres.Body == nil {
		sres.Body = findElement(single, atom.Body)
	}
	if sres.Title == "" {
		sres.Title = res.Title
	}
	if sres.Author == "" {
		sres.Author = res.Author
	}
	if sres.Date == "" {
		sres.Date = res.Date
	}
	return sres, siteRemovals(sres.Removals), nil
}

func findElement(n *xhtml.Node, a atom.Atom) *xhtml.Node {
	for d := range n.Descendants() {
		if d.Type == xhtml.ElementNode && d.DataAtom == a {
			return d
		}
	}
	return nil
}

// siteRemovals records what site rules removed in the form cleaning uses.
func siteRemovals(rs []siterules.Removal) []clean.Removal {
	out := make([]clean.Removal, 0, len(rs))
	for i, r := range rs {
		cr := clean.Removal{Reason: r.Reason, Rule: r.Source.String(), Path: "site:" + strconv.Itoa(i)}
		if r.Node != nil {
			html := renderNode(r.Node)
			cr.HTML = html
			cr.Text = capText(doc.Text(html))
		} else {
			cr.Text = capText(r.Match)
		}
		out = append(out, cr)
	}
	return out
}

func capText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// bodyDocument makes a document of the article body a site rule chose.
func bodyDocument(body *xhtml.Node) *xhtml.Node {
	d := &xhtml.Node{Type: xhtml.DocumentNode}
	h := &xhtml.Node{Type: xhtml.ElementNode, Data: "html", DataAtom: atom.Html}
	b := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
	d.AppendChild(h)
	h.AppendChild(b)
	if body.Parent != nil {
		body.Parent.RemoveChild(body)
	}
	b.AppendChild(body)
	return d
}

func articleFromText(text string, edits Edits) (*Cleaned, error) {
	ex, err := FromText(text, edits.Restored...)
	if err != nil {
		return nil, err
	}
	ex.Removed = append(ex.Removed, stripBlocks(ex.Node, edits.Stripped)...)
	art := &Cleaned{Extracted: ex, Edits: edits}
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
	c.Removed, c.Restored, c.Stripped = art.Removed, art.Edits.Restored, art.Edits.Stripped
	aid, cid, err := s.lib.AddCaptureWithImages(ctx, key, c, art.Images, art.Failures)
	if err != nil {
		return Saved{}, err
	}
	return Saved{ArticleID: aid, CaptureID: cid, Title: c.Title, ImageFailures: art.Failures}, nil
}

// mergeKeep adds and takes away removal paths to keep, in a stable order.
func mergeKeep(keep, add, remove []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range append(append([]string(nil), keep...), add...) {
		if !seen[p] && !slices.Contains(remove, p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// importKey identifies an imported file's article: its address when known, else its
// content, so that importing the same text twice adds a capture to one article.
func importKey(data []byte, pageURL string) string {
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

func hostOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Hostname()
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
