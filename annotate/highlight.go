package annotate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"gloss/archive"
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

// Palette returns the highlight colours in order with their meanings. A damaged entry
// fails the whole palette with an error matching ErrDamaged.
func (s *Store) Palette(ctx context.Context) ([]PaletteColor, error) {
	var out []PaletteColor
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := paletteTable.read(ctx, tx, `1 ORDER BY position`)
		if err != nil {
			return err
		}
		for _, row := range rows {
			var r rowReader
			p := PaletteColor{Color: r.str(row.vals[0]), Meaning: r.str(row.vals[2])}
			if r.err != nil {
				return r.err
			}
			out = append(out, p)
		}
		return nil
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
		if err := paletteTable.verify(ctx, tx, `color = ?`, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE palette SET meaning = ? WHERE color = ?`, strings.TrimSpace(meaning), c); err != nil {
			return err
		}
		return paletteTable.seal(ctx, tx, `color = ?`, c)
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
	if err := highlightsTable.seal(ctx, tx, `id = ?`, h.ID); err != nil {
		return err
	}
	for _, t := range h.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO highlight_tags (highlight_id, tag) VALUES (?, ?)`, h.ID, t); err != nil {
			return fmt.Errorf("insert highlight tag: %w", err)
		}
	}
	// The highlight is new, and so is every tag row it has.
	if err := highlightTagsTable.seal(ctx, tx, `highlight_id = ?`, h.ID); err != nil {
		return err
	}
	if h.Claim != nil {
		return writeClaim(ctx, tx, h.ID, *h.Claim)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Get returns a live highlight. If it, its tags or its claim are damaged in the library
// file, Get fails with an error matching ErrDamaged.
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
// end), orphans last in the order they were made. If one of them, or one of their tags or
// claims, is damaged in the library file, ForArticle returns none and an error matching
// ErrDamaged that names every damaged one (see queryHighlights for why the whole list
// fails).
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
// the order they were made. A damaged one fails the list with an error matching
// ErrDamaged.
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

// queryHighlights returns the highlights matching where (over highlights h; it may end in
// ORDER BY), with their tags (sorted) and claims.
//
// Every row read (the highlight, its tags, its claim) is checked against its sum. If any
// is damaged, queryHighlights returns a *DamagedError naming every damaged row it met, and
// no highlights: the whole list fails rather than one entry being marked, because every
// caller (the reader, the exports, the search index, the CLI) shows or copies each
// highlight it gets, and a list with a wrong note, or silently without a highlight, would
// be wrong without saying so. Check names every damaged row of the library.
func queryHighlights(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]Highlight, error) {
	nh, nc := len(highlightsTable.cols), len(claimsTable.cols)
	rows, err := tx.QueryContext(ctx, `SELECT `+highlightsTable.columns("h")+`,
			(SELECT json_group_array(json_array(
					CASE typeof(t.tag) WHEN 'text' THEN t.tag END, CASE typeof(t.sum) WHEN 'integer' THEN t.sum END))
				FROM highlight_tags t WHERE t.highlight_id = h.id),
			`+claimsTable.columns("c")+`
		FROM highlights h LEFT JOIN claims c ON c.highlight_id = h.id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hs []Highlight
	var damaged []string
	for rows.Next() {
		vals := make([]any, nh+2+nc+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		hr := storedRow{vals: vals[:nh], sum: vals[nh]}
		cr := storedRow{vals: vals[nh+2 : nh+2+nc], sum: vals[nh+2+nc]}
		if !hr.intact() {
			damaged = append(damaged, highlightsTable.what(hr.vals))
			continue
		}
		h, err := highlightFromRow(hr.vals)
		if err != nil {
			return nil, err
		}
		tags, bad, err := tagsFromJSON(vals[nh+1], h.ID)
		if err != nil {
			return nil, err
		}
		damaged = append(damaged, bad...)
		h.Tags = tags
		if cr.vals[0] != nil {
			if !cr.intact() {
				damaged = append(damaged, claimsTable.what(cr.vals))
				continue
			}
			c, err := claimFromRow(cr.vals)
			if err != nil {
				return nil, err
			}
			h.Claim = &c
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(damaged) > 0 {
		return nil, &DamagedError{Rows: damaged}
	}
	return hs, nil
}

// rowReader converts the values of a row read as []any, keeping the first error.
type rowReader struct{ err error }

func (r *rowReader) keep(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *rowReader) str(v any) string {
	s, err := asString(v)
	r.keep(err)
	return s
}

func (r *rowReader) int(v any) int64 {
	n, err := asInt(v)
	r.keep(err)
	return n
}

func (r *rowReader) nullInt(v any) int64 {
	n, err := asNullInt(v)
	r.keep(err)
	return n
}

func (r *rowReader) time(v any) time.Time {
	t, err := parseTime(r.str(v))
	r.keep(err)
	return t
}

func (r *rowReader) nullTime(v any) time.Time {
	s, err := asNullString(v)
	r.keep(err)
	t, err := parseNullTime(s)
	r.keep(err)
	return t
}

// highlightFromRow makes a Highlight (without tags or claim) of the values of a row of
// highlights, in highlightsTable's order.
func highlightFromRow(v []any) (Highlight, error) {
	var r rowReader
	h := Highlight{ID: r.str(v[0]), ArticleID: r.int(v[1]), CaptureID: r.nullInt(v[2])}
	h.Start, h.End = int(r.int(v[4])), int(r.int(v[5]))
	h.Exact, h.Prefix, h.Suffix = r.str(v[6]), r.str(v[7]), r.str(v[8])
	h.Color, h.Note = r.str(v[9]), r.str(v[10])
	status := r.str(v[11])
	h.Created, h.Updated, h.Deleted = r.time(v[12]), r.time(v[13]), r.nullTime(v[14])
	if r.err != nil {
		return Highlight{}, r.err
	}
	var err error
	h.Status, err = parseHighlightStatus(status)
	return h, err
}

// claimFromRow makes a Claim of the values of a row of claims, in claimsTable's order.
func claimFromRow(v []any) (Claim, error) {
	var r rowReader
	c := Claim{Claimant: r.str(v[1]), Kind: ClaimKind(r.str(v[2])), Evidence: Evidence(r.str(v[3])),
		Status: ClaimStatus(r.str(v[4])), Verdict: r.str(v[5])}
	links := r.str(v[6])
	c.Reviewed = r.nullTime(v[7])
	if r.err != nil {
		return Claim{}, r.err
	}
	var err error
	c.Links, err = jsonStrings(links)
	return c, err
}

// tagsFromJSON reads the tags of highlight id from a JSON array of [tag, sum] pairs,
// sorted, and names those whose sum does not match. A value of the wrong type (JSON
// cannot hold a BLOB) comes as null and so does not match.
func tagsFromJSON(v any, id string) (tags, damaged []string, err error) {
	s, err := asString(v)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var pairs [][]any
	if err := dec.Decode(&pairs); err != nil {
		return nil, nil, fmt.Errorf("stored tags %q: %w", s, err)
	}
	for _, p := range pairs {
		var tag string
		ok := len(p) == 2
		if ok {
			tag, ok = p[0].(string)
		}
		if !ok {
			damaged = append(damaged, fmt.Sprintf("a tag of highlight %s", id))
			continue
		}
		if sum, ok := p[1].(json.Number); !ok || sum.String() != strconv.FormatInt(archive.RowSum(id, tag), 10) {
			damaged = append(damaged, highlightTagsTable.what([]any{id, tag}))
			continue
		}
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	return tags, damaged, nil
}

// touchHighlight marks a live highlight as changed by the user now and returns its
// article. A damaged highlight fails with a *DamagedError and is left as it is: the
// change would give its damaged values a new sum.
func (s *Store) touchHighlight(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	if err := highlightsTable.verify(ctx, tx, `id = ?`, id); err != nil {
		return 0, err
	}
	var articleID int64
	err := tx.QueryRowContext(ctx,
		`UPDATE highlights SET updated_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING article_id`,
		formatTime(s.now()), id).Scan(&articleID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return articleID, highlightsTable.seal(ctx, tx, `id = ?`, id)
}

// SetNote replaces the note of a highlight, or of an article for an ArticleRef.
func (s *Store) SetNote(ctx context.Context, ref Ref, note string) error {
	if ref.HighlightID == "" {
		return s.SetArticleNote(ctx, ref.ArticleID, note)
	}
	return s.editHighlight(ctx, "set note of", ref.HighlightID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE highlights SET note = ? WHERE id = ?`, note, ref.HighlightID); err != nil {
			return err
		}
		return highlightsTable.seal(ctx, tx, `id = ?`, ref.HighlightID)
	})
}

// SetColor changes the colour of a highlight.
func (s *Store) SetColor(ctx context.Context, id, color string) error {
	c, err := checkColor(color)
	if err != nil {
		return fmt.Errorf("set colour of %s: %w", id, err)
	}
	return s.editHighlight(ctx, "set colour of", id, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE highlights SET color = ? WHERE id = ?`, c, id); err != nil {
			return err
		}
		return highlightsTable.seal(ctx, tx, `id = ?`, id)
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
	return highlightsTable.seal(ctx, tx, `id = ?`, id)
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
	var hs []row
	err := highlightsTable.scan(ctx, tx, `article_id = ?`, []any{articleID}, func(sr storedRow) error {
		if !sr.intact() {
			// Left as it is, for Check and every read to report: placing it would give
			// its damaged values a new sum, and failing would refuse the capture.
			return nil
		}
		v := sr.vals
		var r rowReader
		hs = append(hs, row{id: r.str(v[0]), live: v[14] == nil, capture: r.nullInt(v[2]),
			sel:    Selector{Position{int(r.int(v[4])), int(r.int(v[5]))}, Quote{r.str(v[6]), r.str(v[7]), r.str(v[8])}},
			status: HighlightStatus(r.str(v[11]))})
		return r.err
	})
	if err != nil {
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
