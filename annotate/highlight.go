package annotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// HighlightStatus says how a highlight sits on its article's text: how it was placed the
// last time it was anchored (when made, on a new capture, on Reanchor, or when
// imported).
type HighlightStatus string

// The highlight statuses.
const (
	// StatusAnchored: the quote is where it was (or where the user put it).
	StatusAnchored HighlightStatus = "anchored"
	// StatusMoved: the quote was found word for word at another place.
	StatusMoved HighlightStatus = "moved"
	// StatusFuzzy: a passage like the quote, but edited, was found in its context; the
	// highlight now covers that passage and its quote is the new wording.
	StatusFuzzy HighlightStatus = "fuzzy"
	// StatusOrphan: the quote was not found; the highlight keeps its quote and the last
	// place it was anchored, and waits for a person to place it again (Reattach), or for a
	// later capture that has the quote again.
	StatusOrphan HighlightStatus = "orphan"
)

func statusOf(s AnchorStatus) HighlightStatus {
	switch s {
	case AnchorExact:
		return StatusAnchored
	case AnchorMoved:
		return StatusMoved
	case AnchorFuzzy:
		return StatusFuzzy
	}
	return StatusOrphan
}

func parseHighlightStatus(s string) (HighlightStatus, error) {
	switch st := HighlightStatus(s); st {
	case StatusAnchored, StatusMoved, StatusFuzzy, StatusOrphan:
		return st, nil
	}
	return "", &ValueError{What: "highlight status", Value: s,
		Allowed: []string{string(StatusAnchored), string(StatusMoved), string(StatusFuzzy), string(StatusOrphan)}}
}

// Highlight is a highlighted passage of an article with what the user added to it.
//
// Selector holds the passage: byte offsets into the text of capture CaptureID and the
// quote with its context. Unless the highlight is an orphan, CaptureID is the article's
// current capture and the text at the offsets is the quote. An orphan keeps the capture
// and offsets of the last place it was anchored (CaptureID 0 when unknown).
type Highlight struct {
	ID        string // a UUID
	ArticleID int64
	CaptureID int64
	Selector
	Color   string // one of Colors
	Note    string // Markdown
	Tags    []string
	Claim   *Claim // nil when the highlight marks no claim
	Status  HighlightStatus
	Created time.Time
	// Updated is when the user last changed the highlight; re-anchoring does not count.
	Updated time.Time
	// Deleted is when the highlight went to the trash; zero for a live highlight.
	Deleted time.Time
}

// Colors lists the highlight colours in the order the reader offers them.
var Colors = []string{"yellow", "green", "blue", "pink", "purple", "orange"}

// DefaultColor is the colour of a highlight made without one.
const DefaultColor = "yellow"

// checkColor returns the colour as stored: lower case.
func checkColor(c string) (string, error) {
	c = strings.ToLower(strings.TrimSpace(c))
	for _, k := range Colors {
		if c == k {
			return c, nil
		}
	}
	return "", &ValueError{What: "colour", Value: c, Allowed: Colors}
}

// PaletteColor is a highlight colour and what the user means by it.
type PaletteColor struct {
	Color   string
	Meaning string
}

// Palette returns the highlight colours in order with their meanings.
func (s *Store) Palette(ctx context.Context) ([]PaletteColor, error) {
	var out []PaletteColor
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT color, meaning FROM palette ORDER BY position`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p PaletteColor
			if err := rows.Scan(&p.Color, &p.Meaning); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("palette: %w", err)
	}
	return out, nil
}

// SetMeaning sets what a colour means, as the reader shows it.
func (s *Store) SetMeaning(ctx context.Context, color, meaning string) error {
	c, err := checkColor(color)
	if err != nil {
		return fmt.Errorf("set meaning: %w", err)
	}
	err = s.lib.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE palette SET meaning = ? WHERE color = ?`, strings.TrimSpace(meaning), c)
		return err
	})
	if err != nil {
		return fmt.Errorf("set meaning of %s: %w", c, err)
	}
	return nil
}

// NewHighlight describes a highlight to make. The passage is given either by Quote (the
// words, as typed or pasted; Occurrence, from 1, picks one when they appear several
// times) or by Start and End (byte offsets into the current capture's text, as the reader
// selects them), not both.
type NewHighlight struct {
	Quote      string
	Occurrence int
	Start, End int
	Color      string // "" means DefaultColor
	Note       string
	Tags       []string
	Claim      *Claim
}

// Highlight makes a highlight on the current capture of an article. An ambiguous quote
// fails with an error matching ErrQuoteAmbiguous that says how many times it occurs.
func (s *Store) Highlight(ctx context.Context, articleID int64, nh NewHighlight) (Highlight, error) {
	h, err := s.newHighlight(nh)
	if err != nil {
		return Highlight{}, fmt.Errorf("highlight in article %d: %w", articleID, err)
	}
	h.ArticleID = articleID
	err = s.lib.Write(ctx, func(tx *sql.Tx) error {
		cid, text, err := currentCapture(ctx, tx, articleID)
		if err != nil {
			return err
		}
		start, end := nh.Start, nh.End
		if nh.Quote != "" {
			p, err := FindQuote(text, nh.Quote, nh.Occurrence)
			if err != nil {
				return err
			}
			start, end = p.Start, p.End
		}
		if h.Selector, err = Describe(text, start, end); err != nil {
			return err
		}
		h.CaptureID, h.Status = cid, StatusAnchored
		if err := insertHighlight(ctx, tx, h, cid); err != nil {
			return err
		}
		if h, err = getHighlight(ctx, tx, h.ID); err != nil {
			return err
		}
		return s.reindex(ctx, tx, articleID)
	})
	if err != nil {
		return Highlight{}, fmt.Errorf("highlight in article %d: %w", articleID, err)
	}
	return h, nil
}

// newHighlight checks what the user gave and fills in the rest of a new highlight.
func (s *Store) newHighlight(nh NewHighlight) (Highlight, error) {
	if nh.Quote != "" && (nh.Start != 0 || nh.End != 0) {
		return Highlight{}, &ValueError{What: "passage", Value: nh.Quote, Reason: "give a quote or offsets, not both"}
	}
	if nh.Quote == "" && nh.Start == 0 && nh.End == 0 {
		return Highlight{}, &ValueError{What: "passage", Reason: "give a quote or offsets"}
	}
	color := DefaultColor
	var err error
	if nh.Color != "" {
		color, err = checkColor(nh.Color)
	}
	if err != nil {
		return Highlight{}, err
	}
	tags, err := normalizeTags(nh.Tags)
	if err != nil {
		return Highlight{}, err
	}
	now := s.now().UTC()
	h := Highlight{
		ID:      uuid.NewString(),
		Color:   color,
		Note:    nh.Note,
		Tags:    tags,
		Created: now,
		Updated: now,
	}
	if nh.Claim != nil {
		c, err := nh.Claim.normalize(now)
		if err != nil {
			return Highlight{}, err
		}
		h.Claim = &c
	}
	return h, nil
}

// insertHighlight stores a new highlight with its tags and claim. checked is the capture
// anchoring last ran on.
func insertHighlight(ctx context.Context, tx *sql.Tx, h Highlight, checked int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO highlights (id, article_id, capture_id, checked_capture_id, start_offset, end_offset,
			exact, prefix, suffix, color, note, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.ID, h.ArticleID, nullID(h.CaptureID), nullID(checked), h.Start, h.End,
		h.Exact, h.Prefix, h.Suffix, h.Color, h.Note, string(h.Status), formatTime(h.Created), formatTime(h.Updated))
	if err != nil {
		return fmt.Errorf("insert highlight: %w", err)
	}
	for _, t := range h.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO highlight_tags (highlight_id, tag) VALUES (?, ?)`, h.ID, t); err != nil {
			return fmt.Errorf("insert highlight tag: %w", err)
		}
	}
	if h.Claim != nil {
		return writeClaim(ctx, tx, h.ID, *h.Claim)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Get returns a live highlight.
func (s *Store) Get(ctx context.Context, id string) (Highlight, error) {
	var h Highlight
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		var err error
		h, err = getHighlight(ctx, tx, id)
		return err
	})
	if err != nil {
		return Highlight{}, fmt.Errorf("highlight %s: %w", id, err)
	}
	return h, nil
}

func getHighlight(ctx context.Context, tx *sql.Tx, id string) (Highlight, error) {
	hs, err := queryHighlights(ctx, tx, `h.id = ? AND h.deleted_at IS NULL`, id)
	if err != nil {
		return Highlight{}, err
	}
	if len(hs) == 0 {
		return Highlight{}, ErrNotFound
	}
	return hs[0], nil
}

// ForArticle returns the live highlights of an article in document order (by start, then
// end), orphans last in the order they were made.
func (s *Store) ForArticle(ctx context.Context, articleID int64) ([]Highlight, error) {
	var hs []Highlight
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		if err := articleExists(ctx, tx, articleID); err != nil {
			return err
		}
		var err error
		hs, err = queryHighlights(ctx, tx, `h.article_id = ? AND h.deleted_at IS NULL`, articleID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("highlights of article %d: %w", articleID, err)
	}
	sortDocumentOrder(hs)
	return hs, nil
}

// Orphans returns the live orphaned highlights of the whole library, by article, then in
// the order they were made.
func (s *Store) Orphans(ctx context.Context) ([]Highlight, error) {
	var hs []Highlight
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		var err error
		hs, err = queryHighlights(ctx, tx, `h.status = 'orphan' AND h.deleted_at IS NULL ORDER BY h.article_id, h.created_at, h.id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("orphaned highlights: %w", err)
	}
	return hs, nil
}

func sortDocumentOrder(hs []Highlight) {
	sort.SliceStable(hs, func(i, j int) bool {
		a, b := hs[i], hs[j]
		if ao, bo := a.Status == StatusOrphan, b.Status == StatusOrphan; ao != bo {
			return bo
		} else if !ao {
			if a.Start != b.Start {
				return a.Start < b.Start
			}
			if a.End != b.End {
				return a.End < b.End
			}
		}
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
}

// highlightColumns is what queryHighlights selects, from highlights h left-joined with
// claims c.
const highlightColumns = `h.id, h.article_id, coalesce(h.capture_id, 0), h.start_offset, h.end_offset,
	h.exact, h.prefix, h.suffix, h.color, h.note, h.status, h.created_at, h.updated_at, h.deleted_at,
	(SELECT json_group_array(tag) FROM highlight_tags t WHERE t.highlight_id = h.id),
	c.highlight_id IS NOT NULL, coalesce(c.claimant, ''), coalesce(c.kind, ''), coalesce(c.evidence, ''),
	coalesce(c.status, ''), coalesce(c.verdict, ''), coalesce(c.links, '[]'), c.reviewed_at`

// queryHighlights returns the highlights matching where (which may end in ORDER BY), with
// their tags (sorted) and claims.
func queryHighlights(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]Highlight, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+highlightColumns+`
		FROM highlights h LEFT JOIN claims c ON c.highlight_id = h.id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hs []Highlight
	for rows.Next() {
		var h Highlight
		var status, created, updated, tags, links string
		var deleted, reviewed sql.NullString
		var hasClaim bool
		var c Claim
		err := rows.Scan(&h.ID, &h.ArticleID, &h.CaptureID, &h.Start, &h.End,
			&h.Exact, &h.Prefix, &h.Suffix, &h.Color, &h.Note, &status, &created, &updated, &deleted,
			&tags, &hasClaim, &c.Claimant, &c.Kind, &c.Evidence, &c.Status, &c.Verdict, &links, &reviewed)
		if err != nil {
			return nil, err
		}
		if h.Status, err = parseHighlightStatus(status); err != nil {
			return nil, err
		}
		if h.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if h.Updated, err = parseTime(updated); err != nil {
			return nil, err
		}
		if h.Deleted, err = parseNullTime(deleted); err != nil {
			return nil, err
		}
		if h.Tags, err = jsonStrings(tags); err != nil {
			return nil, err
		}
		sort.Strings(h.Tags)
		if hasClaim {
			if c.Links, err = jsonStrings(links); err != nil {
				return nil, err
			}
			if c.Reviewed, err = parseNullTime(reviewed); err != nil {
				return nil, err
			}
			h.Claim = &c
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return hs, nil
}

// touchHighlight marks a live highlight as changed by the user now and returns its
// article.
func (s *Store) touchHighlight(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	var articleID int64
	err := tx.QueryRowContext(ctx,
		`UPDATE highlights SET updated_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING article_id`,
		formatTime(s.now()), id).Scan(&articleID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return articleID, err
}

// SetNote replaces the note of a highlight, or of an article for an ArticleRef.
func (s *Store) SetNote(ctx context.Context, ref Ref, note string) error {
	if ref.HighlightID == "" {
		return s.SetArticleNote(ctx, ref.ArticleID, note)
	}
	return s.editHighlight(ctx, "set note of", ref.HighlightID, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE highlights SET note = ? WHERE id = ?`, note, ref.HighlightID)
		return err
	})
}

// SetColor changes the colour of a highlight.
func (s *Store) SetColor(ctx context.Context, id, color string) error {
	c, err := checkColor(color)
	if err != nil {
		return fmt.Errorf("set colour of %s: %w", id, err)
	}
	return s.editHighlight(ctx, "set colour of", id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE highlights SET color = ? WHERE id = ?`, c, id)
		return err
	})
}

// editHighlight runs edit on a live highlight in one transaction, marks it updated and
// re-indexes its article.
func (s *Store) editHighlight(ctx context.Context, what, id string, edit func(tx *sql.Tx) error) error {
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		articleID, err := s.touchHighlight(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := edit(tx); err != nil {
			return err
		}
		return s.reindex(ctx, tx, articleID)
	})
	if err != nil {
		return fmt.Errorf("%s highlight %s: %w", what, id, err)
	}
	return nil
}

// Reattach places a highlight (typically an orphan) on text[start:end] of its article's
// current capture, as the user selected it: the quote becomes the selected text and the
// status StatusAnchored.
func (s *Store) Reattach(ctx context.Context, id string, start, end int) (Highlight, error) {
	var h Highlight
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		articleID, err := s.touchHighlight(ctx, tx, id)
		if err != nil {
			return err
		}
		cid, text, err := currentCapture(ctx, tx, articleID)
		if err != nil {
			return err
		}
		sel, err := Describe(text, start, end)
		if err != nil {
			return err
		}
		if err := placeHighlight(ctx, tx, id, cid, cid, sel, StatusAnchored); err != nil {
			return err
		}
		h, err = getHighlight(ctx, tx, id)
		return err
	})
	if err != nil {
		return Highlight{}, fmt.Errorf("reattach highlight %s: %w", id, err)
	}
	return h, nil
}

func placeHighlight(ctx context.Context, tx *sql.Tx, id string, captureID, checked int64, sel Selector, st HighlightStatus) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE highlights SET capture_id = ?, checked_capture_id = ?, start_offset = ?, end_offset = ?,
			exact = ?, prefix = ?, suffix = ?, status = ?
		WHERE id = ?`,
		nullID(captureID), nullID(checked), sel.Start, sel.End, sel.Exact, sel.Prefix, sel.Suffix, string(st), id)
	if err != nil {
		return fmt.Errorf("place highlight %s: %w", id, err)
	}
	return nil
}

// Report counts what re-anchoring did to an article's live highlights.
type Report struct {
	Kept     int // at their old place (StatusAnchored)
	Moved    int // found word for word elsewhere
	Fuzzy    int // found edited in their context
	Orphaned int // not found: orphans, kept with their quotes
}

// Reanchor anchors an article's highlights again on its current capture, as a new
// capture does by itself. Orphans whose quote is found again are placed again; highlights
// still in place keep their status (a moved highlight stays marked moved).
func (s *Store) Reanchor(ctx context.Context, articleID int64) (Report, error) {
	var r Report
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		cid, text, err := currentCapture(ctx, tx, articleID)
		if err != nil {
			return err
		}
		r, err = reanchor(ctx, tx, articleID, cid, text)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("re-anchor highlights of article %d: %w", articleID, err)
	}
	return r, nil
}

// reanchor anchors every highlight of an article, those in the trash included (so that an
// undone deletion comes back in place), on capture captureID whose text is text.
//
// A highlight still in place on the capture it is anchored on keeps its status. A
// highlight found is described again on the new text: its quote and context become the
// new text's, so the next capture is compared with what the reader showed. An orphan keeps
// its quote and last place, never a guess.
func reanchor(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) (Report, error) {
	type row struct {
		id      string
		live    bool
		capture int64
		sel     Selector
		status  HighlightStatus
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id, deleted_at IS NULL, coalesce(capture_id, 0), start_offset, end_offset, exact, prefix, suffix, status
		FROM highlights WHERE article_id = ?`, articleID)
	if err != nil {
		return Report{}, err
	}
	var hs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.live, &r.capture, &r.sel.Start, &r.sel.End, &r.sel.Exact, &r.sel.Prefix, &r.sel.Suffix, &r.status); err != nil {
			rows.Close()
			return Report{}, err
		}
		hs = append(hs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Report{}, err
	}
	sels := make([]Selector, len(hs))
	for i, h := range hs {
		sels[i] = h.sel
	}
	var rep Report
	for i, res := range AnchorAll(text, sels) {
		h := hs[i]
		st := statusOf(res.Status)
		sel, capture := h.sel, h.capture
		if st == StatusAnchored && h.capture == captureID && h.status != StatusOrphan {
			// Still in place on the capture it was placed on: how it got there (moved,
			// fuzzy) stays true.
			if err := placeHighlight(ctx, tx, h.id, capture, captureID, sel, h.status); err != nil {
				return Report{}, err
			}
			if h.live {
				rep.Kept++
			}
			continue
		}
		if st != StatusOrphan {
			d, err := Describe(text, res.Start, res.End)
			if err != nil {
				st = StatusOrphan // cannot happen: anchors lie inside the text
			} else {
				sel, capture = d, captureID
			}
		}
		if err := placeHighlight(ctx, tx, h.id, capture, captureID, sel, st); err != nil {
			return Report{}, err
		}
		if !h.live {
			continue
		}
		switch st {
		case StatusAnchored:
			rep.Kept++
		case StatusMoved:
			rep.Moved++
		case StatusFuzzy:
			rep.Fuzzy++
		default:
			rep.Orphaned++
		}
	}
	return rep, nil
}
