package export

import (
	"context"
	"fmt"

	notes "gloss/annotate"
	"gloss/archive"
	"gloss/archive/doc"
	"gloss/archive/images"
)

// Load gathers what the exporters need of a saved article: its current capture and
// document, its article-level annotations, its highlights, and its stored images. Nothing
// touches the network.
func Load(ctx context.Context, lib *archive.Library, st *notes.Store, articleID int64) (Article, []Highlight, error) {
	a, err := lib.Article(ctx, articleID)
	if err != nil {
		return Article{}, nil, fmt.Errorf("article %d: %w", articleID, err)
	}
	meta, err := st.ArticleMeta(ctx, articleID)
	if err != nil {
		return Article{}, nil, err
	}
	hs, err := st.ForArticle(ctx, articleID)
	if err != nil {
		return Article{}, nil, err
	}
	image := func(src string) ([]byte, string, bool) {
		hash, ok := images.ParseLocalRef(src)
		if !ok {
			return nil, "", false
		}
		im, err := lib.Image(ctx, hash)
		if err != nil {
			return nil, "", false
		}
		return im.Data, im.MIME, true
	}
	ea, ehs := Convert(a, doc.Parse(a.Current.CleanedHTML), meta, hs, image)
	return ea, ehs, nil
}

// Convert puts a loaded article and its annotations in the form the exporters take.
// image returns a stored image by its src.
func Convert(a archive.Article, d *doc.Document, meta notes.ArticleMeta, hs []notes.Highlight, image func(src string) ([]byte, string, bool)) (Article, []Highlight) {
	c := a.Current
	src := c.FinalURL
	if src == "" {
		src = c.RequestedURL
	}
	ea := Article{
		ID: a.ID, Title: c.Title, Byline: c.Byline, Site: c.SiteName, URL: src,
		Published: c.Published, Saved: c.FetchedAt, Tags: meta.Tags, Note: meta.Note,
		Doc: d, HTML: c.CleanedHTML, Image: image,
	}
	out := make([]Highlight, 0, len(hs))
	for _, h := range hs {
		eh := Highlight{ID: h.ID, Start: h.Start, End: h.End, Color: h.Color, Note: h.Note,
			Tags: h.Tags, Created: h.Created, Quote: h.Exact}
		// A highlight anchored on an older capture cannot be placed in this text.
		if h.Status == notes.StatusOrphan || h.CaptureID != c.ID {
			eh.Start, eh.End = -1, -1
		}
		if cl := h.Claim; cl != nil {
			eh.Claim = &Claim{Claimant: cl.Claimant, Kind: string(cl.Kind), Evidence: string(cl.Evidence),
				Status: string(cl.Status), Verdict: cl.Verdict, Links: cl.Links}
		}
		out = append(out, eh)
	}
	return ea, out
}
