package annotate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"gloss/archive"
	"gloss/archive/importer"
)

// ImportEntry gives an article what another tool kept about it (an entry of a Pocket,
// Instapaper, Omnivore, Wallabag, Readwise or Hypothesis export): its tags, the
// favourite and archived states (set, never cleared), how far the user had read (when
// further than here), its note (added unless the article's note already holds it), and
// its highlights.
//
// A highlight is placed where its quote occurs in the article's current text: a quote
// found once (ignoring how white space and typography differ) is anchored there; a quote
// found several times or not at all is placed by its context when the tool kept one
// (Hypothesis), and otherwise kept as an orphan with its quote and note, never dropped.
// Each imported highlight has an id made from the article, quote and note, so importing
// the same entry again adds nothing (ImportReport.Duplicates). Tags Gloss cannot store
// (empty, over 100 characters) and colours it does not know are left out.
func (s *Store) ImportEntry(ctx context.Context, articleID int64, e importer.Entry) (ImportReport, error) {
	a, err := s.lib.Article(ctx, articleID)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import annotations: %w", err)
	}
	if tags := validTags(e.Tags); len(tags) > 0 {
		if err := s.AddTags(ctx, ArticleRef(articleID), tags...); err != nil {
			return ImportReport{}, err
		}
	}
	if e.Favourite {
		if err := s.SetFavourite(ctx, articleID, true); err != nil {
			return ImportReport{}, err
		}
	}
	if e.Archived {
		if err := s.SetArchived(ctx, articleID, true); err != nil {
			return ImportReport{}, err
		}
	}
	meta, err := s.ArticleMeta(ctx, articleID)
	if err != nil {
		return ImportReport{}, err
	}
	if note := strings.TrimSpace(e.Note); note != "" && !strings.Contains(meta.Note, note) {
		if old := strings.TrimSpace(meta.Note); old != "" {
			note = old + "\n\n" + note
		}
		if err := s.SetArticleNote(ctx, articleID, note); err != nil {
			return ImportReport{}, err
		}
	}
	if p := min(e.Progress, 1); p > meta.Progress.Fraction {
		text := a.Current.Text
		off, err := FromCodePoints(text, int(p*float64(utf8.RuneCountInString(text))))
		if err != nil {
			off = len(text)
		}
		if err := s.SetProgress(ctx, articleID, Progress{Fraction: p, Offset: off}); err != nil {
			return ImportReport{}, err
		}
	}
	if len(e.Highlights) == 0 {
		return ImportReport{}, nil
	}
	items := make([]W3CAnnotation, 0, len(e.Highlights))
	for _, h := range e.Highlights {
		if strings.TrimSpace(h.Quote) == "" {
			continue
		}
		items = append(items, importedAnnotation(a.URL, a.Current.Text, h))
	}
	data, err := json.Marshal(items)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import annotations: %w", err)
	}
	return s.ImportAnnotations(ctx, data)
}

// ImportQueued attaches the pending annotations of an import queue item to the article
// fetched for it. It is an archive.AfterFunc: pass it as archive.QueueOptions.After and
// to archive.ApplyPending.
func (s *Store) ImportQueued(ctx context.Context, item archive.QueueItem, saved archive.Saved) error {
	if item.Pending == nil {
		return nil
	}
	_, err := s.ImportEntry(ctx, saved.ArticleID, *item.Pending)
	return err
}

// importedAnnotation describes an imported highlight as a W3C Web Annotation for
// ImportAnnotations, which places it with the rules of a new capture. A quote found once
// in text is given with its position and the text's own context, so that it anchors
// there exactly; any other is given as the tool kept it.
func importedAnnotation(source, text string, h importer.Highlight) W3CAnnotation {
	quote := strings.TrimSpace(h.Quote)
	sels := []W3CSelector{{Type: "TextQuoteSelector", Exact: quote, Prefix: h.Prefix, Suffix: h.Suffix}}
	if p, err := FindQuote(text, quote, 0); err == nil {
		if d, err := Describe(text, p.Start, p.End); err == nil {
			start, end := ToCodePoints(text, d.Start), ToCodePoints(text, d.End)
			sels = []W3CSelector{
				{Type: "TextQuoteSelector", Exact: d.Exact, Prefix: d.Prefix, Suffix: d.Suffix},
				{Type: "TextPositionSelector", Start: &start, End: &end},
			}
		}
	}
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("gloss-import:"+source+"\x00"+strings.Join(strings.Fields(quote), " ")+"\x00"+strings.TrimSpace(h.Note)))
	a := W3CAnnotation{
		ID:         "urn:uuid:" + id.String(),
		Type:       "Annotation",
		Motivation: "highlighting",
		Target:     W3CTarget{Source: source, Selector: sels},
	}
	if !h.Created.IsZero() {
		a.Created, a.Modified = w3cTime(h.Created), w3cTime(h.Created)
	}
	if c, err := checkColor(h.Color); err == nil {
		a.Color = c
	}
	if note := strings.TrimSpace(h.Note); note != "" {
		a.Motivation = "commenting"
		a.Body = append(a.Body, W3CBody{Type: "TextualBody", Purpose: "commenting", Value: note, Format: "text/markdown"})
	}
	for _, t := range validTags(h.Tags) {
		a.Body = append(a.Body, W3CBody{Type: "TextualBody", Purpose: "tagging", Value: t})
	}
	return a
}

// validTags returns the tags Gloss can store, normalised.
func validTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if n, err := NormalizeTag(t); err == nil {
			out = append(out, n)
		}
	}
	return out
}
