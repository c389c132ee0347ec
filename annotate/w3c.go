package annotate

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"gloss/archive"
)

// W3CNamespace is the IRI of Gloss's extension terms in W3C Web Annotation JSON-LD. The
// export's @context binds the prefix "gloss" to it; the terms are gloss:color,
// gloss:anchorStatus and gloss:claim (with gloss:claimant, gloss:kind, gloss:evidence,
// gloss:rating, gloss:verdict, gloss:link and gloss:reviewed).
const W3CNamespace = "urn:x-gloss:"

// W3CCollection is a W3C Web Annotation AnnotationCollection holding one embedded page.
type W3CCollection struct {
	Context []any   `json:"@context"`
	Type    string  `json:"type"`
	Label   string  `json:"label"`
	Total   int     `json:"total"`
	First   W3CPage `json:"first"`
}

// W3CPage is an AnnotationPage.
type W3CPage struct {
	Type       string          `json:"type"`
	StartIndex int             `json:"startIndex"`
	Items      []W3CAnnotation `json:"items"`
}

// W3CAnnotation is one highlight as a W3C Web Annotation. Motivation is assessing for a
// highlight with a claim, else commenting with a note, else tagging with tags, else
// highlighting; each body carries its own purpose.
type W3CAnnotation struct {
	ID           string    `json:"id"` // urn:uuid:…
	Type         string    `json:"type"`
	Motivation   string    `json:"motivation"`
	Created      string    `json:"created"`
	Modified     string    `json:"modified"`
	Body         []W3CBody `json:"body,omitempty"`
	Target       W3CTarget `json:"target"`
	Color        string    `json:"gloss:color,omitempty"`
	AnchorStatus string    `json:"gloss:anchorStatus,omitempty"`
	Claim        *W3CClaim `json:"gloss:claim,omitempty"`
}

// W3CBody is a TextualBody: the note (purpose commenting, format text/markdown), a tag
// (purpose tagging) or a claim's rating and verdict (purpose assessing).
type W3CBody struct {
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
	Value   string `json:"value"`
	Format  string `json:"format,omitempty"`
}

// W3CTarget is the article (source: its address in the library) with the passage's
// selectors, and the capture the selectors refer to as a TimeState (sourceDate: when it
// was fetched).
type W3CTarget struct {
	Source   string        `json:"source"`
	State    *W3CState     `json:"state,omitempty"`
	Selector []W3CSelector `json:"selector,omitempty"`
}

// W3CState is a TimeState.
type W3CState struct {
	Type       string `json:"type"`
	SourceDate string `json:"sourceDate"`
}

// W3CSelector is a TextQuoteSelector (Exact, Prefix, Suffix) or a TextPositionSelector
// (Start, End, in Unicode code points).
type W3CSelector struct {
	Type   string `json:"type"`
	Exact  string `json:"exact,omitempty"`
	Prefix string `json:"prefix,omitempty"`
	Suffix string `json:"suffix,omitempty"`
	Start  *int   `json:"start,omitempty"`
	End    *int   `json:"end,omitempty"`
}

// W3CClaim is a Claim in Gloss's extension namespace.
type W3CClaim struct {
	Claimant string   `json:"gloss:claimant,omitempty"`
	Kind     string   `json:"gloss:kind"`
	Evidence string   `json:"gloss:evidence"`
	Rating   string   `json:"gloss:rating"`
	Verdict  string   `json:"gloss:verdict,omitempty"`
	Links    []string `json:"gloss:link,omitempty"`
	Reviewed string   `json:"gloss:reviewed,omitempty"`
}

// w3cTime is the xsd:dateTime form of times in the export: UTC, as precise as stored.
func w3cTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ExportW3C returns the live highlights of the given articles as a W3C Web Annotation
// collection, article by article in document order. Importing it into a library that
// holds the same articles and captures gives back the same highlights, ids, times,
// colours, statuses and claims included.
func (s *Store) ExportW3C(ctx context.Context, articleIDs ...int64) (*W3CCollection, error) {
	col := &W3CCollection{
		Context: []any{"http://www.w3.org/ns/anno.jsonld", map[string]string{"gloss": W3CNamespace}},
		Type:    "AnnotationCollection",
		Label:   "Annotations exported from Gloss",
		First:   W3CPage{Type: "AnnotationPage", Items: []W3CAnnotation{}},
	}
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		captures := map[int64]*captureRef{}
		for _, id := range articleIDs {
			var source string
			err := tx.QueryRowContext(ctx, `SELECT url FROM articles WHERE id = ?`, id).Scan(&source)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("article %d: %w", id, ErrNotFound)
			}
			if err != nil {
				return err
			}
			hs, err := queryHighlights(ctx, tx, `h.article_id = ? AND h.deleted_at IS NULL`, id)
			if err != nil {
				return err
			}
			sortDocumentOrder(hs)
			for _, h := range hs {
				var c *captureRef
				if h.CaptureID != 0 {
					if c = captures[h.CaptureID]; c == nil {
						if c, err = loadCapture(ctx, tx, h.CaptureID); err != nil {
							return err
						}
						captures[h.CaptureID] = c
					}
				}
				col.First.Items = append(col.First.Items, toW3C(h, source, c))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export annotations: %w", err)
	}
	col.Total = len(col.First.Items)
	return col, nil
}

// captureRef is what the W3C conversion needs of a capture.
type captureRef struct {
	id      int64
	text    string
	fetched time.Time
}

// loadCapture reads a capture through the archive, which checks it against its sum.
func loadCapture(ctx context.Context, tx *sql.Tx, id int64) (*captureRef, error) {
	c, err := archive.ReadCapture(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return &captureRef{id: id, text: c.Text, fetched: c.FetchedAt}, nil
}

func toW3C(h Highlight, source string, c *captureRef) W3CAnnotation {
	a := W3CAnnotation{
		ID:           "urn:uuid:" + h.ID,
		Type:         "Annotation",
		Motivation:   "highlighting",
		Created:      w3cTime(h.Created),
		Modified:     w3cTime(h.Updated),
		Target:       W3CTarget{Source: source},
		Color:        h.Color,
		AnchorStatus: string(h.Status),
	}
	if h.Note != "" {
		a.Body = append(a.Body, W3CBody{Type: "TextualBody", Purpose: "commenting", Value: h.Note, Format: "text/markdown"})
	}
	for _, t := range h.Tags {
		a.Body = append(a.Body, W3CBody{Type: "TextualBody", Purpose: "tagging", Value: t})
	}
	switch {
	case h.Claim != nil:
		a.Motivation = "assessing"
	case h.Note != "":
		a.Motivation = "commenting"
	case len(h.Tags) > 0:
		a.Motivation = "tagging"
	}
	if cl := h.Claim; cl != nil {
		value := string(cl.Status)
		if cl.Verdict != "" {
			value += ": " + cl.Verdict
		}
		a.Body = append(a.Body, W3CBody{Type: "TextualBody", Purpose: "assessing", Value: value, Format: "text/markdown"})
		a.Claim = &W3CClaim{
			Claimant: cl.Claimant, Kind: string(cl.Kind), Evidence: string(cl.Evidence), Rating: string(cl.Status),
			Verdict: cl.Verdict, Links: cl.Links,
		}
		if !cl.Reviewed.IsZero() {
			a.Claim.Reviewed = w3cTime(cl.Reviewed)
		}
	}
	a.Target.Selector = []W3CSelector{{Type: "TextQuoteSelector", Exact: h.Exact, Prefix: h.Prefix, Suffix: h.Suffix}}
	if c != nil {
		start, end := ToCodePoints(c.text, h.Start), ToCodePoints(c.text, h.End)
		a.Target.Selector = append(a.Target.Selector, W3CSelector{Type: "TextPositionSelector", Start: &start, End: &end})
		a.Target.State = &W3CState{Type: "TimeState", SourceDate: w3cTime(c.fetched)}
	}
	return a
}

// ImportReport says what ImportAnnotations did.
type ImportReport struct {
	Anchored     int // placed on their article's current text
	Orphans      int // kept as orphans: their quote is not in the article's current text
	Duplicates   int // already in the library (same id), left alone
	WithoutQuote int // page notes and replies: no quoted passage to attach to, skipped
	// Unmatched lists the sources that name no article in the library; their annotations
	// are skipped.
	Unmatched []UnmatchedSource
}

// UnmatchedSource is an address annotations were made on that the library does not hold.
type UnmatchedSource struct {
	Source      string
	Annotations int
}

// ImportAnnotations imports annotations from JSON: a Gloss export (ExportW3C), other W3C
// Web Annotations (a collection, a page, one annotation or an array of them), or a
// Hypothesis export (an array, or an API search result with rows).
//
// Each annotation's target source is matched to an article (by its normalised address,
// then by the addresses its captures were fetched from) and its quote anchored on the
// article's current text with the same rules as a new capture; positions only hint,
// since other tools count them differently. A Gloss annotation whose capture is still
// the current one and whose quote is still at its position comes back exactly as
// exported. The note is the commenting bodies (or Hypothesis "text"), the tags the
// tagging bodies (or "tags"). An annotation whose id is already in the library is left
// alone; one in the trash is replaced. Everything is imported in one transaction.
func (s *Store) ImportAnnotations(ctx context.Context, data []byte) (ImportReport, error) {
	raws, err := parseAnnotationJSON(data)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import annotations: %w", err)
	}
	items := make([]incoming, 0, len(raws))
	for _, r := range raws {
		in, err := r.incoming(s.now())
		if err != nil {
			return ImportReport{}, fmt.Errorf("import annotations: %w", err)
		}
		items = append(items, in)
	}
	var rep ImportReport
	err = s.lib.Write(ctx, func(tx *sql.Tx) error {
		var err error
		rep, err = s.importItems(ctx, tx, items)
		return err
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("import annotations: %w", err)
	}
	return rep, nil
}

// incoming is an annotation read from a file, before it is placed.
type incoming struct {
	id         string // "" for a new highlight
	source     string
	quote      Quote
	pos        *[2]int   // TextPositionSelector, code points
	sourceDate time.Time // TimeState: the capture the position refers to
	note       string
	tags       []string
	color      string
	status     string // gloss:anchorStatus
	claim      *Claim
	created    time.Time
	updated    time.Time
}

// importArticle is what the import keeps of one article.
type importArticle struct {
	id       int64
	current  *captureRef
	byDate   map[string]*captureRef
	selected []int // indexes into items of the annotations to anchor
}

func (s *Store) importItems(ctx context.Context, tx *sql.Tx, items []incoming) (ImportReport, error) {
	var rep ImportReport
	unmatched := map[string]int{}
	articles := map[string]*importArticle{} // by source
	var order []*importArticle
	for i, in := range items {
		if strings.TrimSpace(in.quote.Exact) == "" {
			rep.WithoutQuote++
			continue
		}
		a, ok := articles[in.source]
		if !ok {
			id, found, err := findArticle(ctx, tx, in.source)
			if err != nil {
				return ImportReport{}, err
			}
			if found {
				for _, o := range order {
					if o.id == id {
						a = o // two spellings of one article's address
					}
				}
				if a == nil {
					cid, text, err := currentCapture(ctx, tx, id)
					if err != nil {
						return ImportReport{}, err
					}
					a = &importArticle{id: id, current: &captureRef{id: cid, text: text}, byDate: map[string]*captureRef{}}
					order = append(order, a)
				}
			}
			articles[in.source] = a
		}
		if a == nil {
			unmatched[in.source]++
			continue
		}
		a.selected = append(a.selected, i)
	}
	for src, n := range unmatched {
		rep.Unmatched = append(rep.Unmatched, UnmatchedSource{Source: src, Annotations: n})
	}
	sort.Slice(rep.Unmatched, func(i, j int) bool { return rep.Unmatched[i].Source < rep.Unmatched[j].Source })

	seen := map[string]bool{}
	for _, a := range order {
		if err := s.importArticle(ctx, tx, a, items, seen, &rep); err != nil {
			return ImportReport{}, err
		}
		if err := s.reindex(ctx, tx, a.id); err != nil {
			return ImportReport{}, err
		}
	}
	return rep, nil
}

// importArticle places and stores the annotations of one article.
func (s *Store) importArticle(ctx context.Context, tx *sql.Tx, a *importArticle, items []incoming, seen map[string]bool, rep *ImportReport) error {
	type pending struct {
		h    Highlight
		hint *captureRef // the capture the position refers to, when it is in the library
		pos  *Position   // the position in hint's text (or the current text), when valid
	}
	var todo []pending
	var sels []Selector
	for _, i := range a.selected {
		in := items[i]
		if seen[in.id] {
			rep.Duplicates++ // twice in the file
			continue
		}
		if in.id != "" {
			seen[in.id] = true
			var live bool
			err := tx.QueryRowContext(ctx, `SELECT deleted_at IS NULL FROM highlights WHERE id = ?`, in.id).Scan(&live)
			switch {
			case err == nil && live:
				rep.Duplicates++
				continue
			case err == nil:
				if _, err := tx.ExecContext(ctx, `DELETE FROM highlights WHERE id = ?`, in.id); err != nil {
					return err
				}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		p := pending{h: in.highlight(a.id)}
		if !in.sourceDate.IsZero() {
			c, err := a.capture(ctx, tx, in.sourceDate)
			if err != nil {
				return err
			}
			p.hint = c
		}
		basis := a.current
		if p.hint != nil {
			basis = p.hint
		}
		if in.pos != nil {
			start, err1 := FromCodePoints(basis.text, in.pos[0])
			end, err2 := FromCodePoints(basis.text, in.pos[1])
			if err1 == nil && err2 == nil && start < end {
				p.pos = &Position{Start: start, End: end}
			}
		}
		p.h.Quote = in.quote
		if p.pos != nil {
			p.h.Position = *p.pos
		}
		todo = append(todo, p)
		sels = append(sels, p.h.Selector)
	}
	cur := a.current
	results := AnchorAll(cur.text, sels)
	for i, res := range results {
		if q := sels[i].Quote; res.Status == AnchorOrphan && q.Prefix == "" && q.Suffix == "" {
			// A quote given without any context (some tools keep none) cannot be confirmed
			// by it; one that occurs once is placed as a typed quote would be.
			if p, err := FindQuote(cur.text, q.Exact, 0); err == nil {
				results[i] = AnchorResult{Status: AnchorExact, Position: p, Score: 1}
			}
		}
	}
	for i, p := range todo {
		h := p.h
		quoteAt := func(c *captureRef) bool {
			return c != nil && p.pos != nil && p.pos.End <= len(c.text) && c.text[p.pos.Start:p.pos.End] == h.Exact
		}
		exported, err := parseHighlightStatus(string(h.Status))
		restore := err == nil && exported != StatusOrphan
		switch res := results[i]; {
		case restore && p.hint == cur && quoteAt(cur):
			// A Gloss highlight on the current capture, where it was: exactly as exported.
			h.CaptureID = cur.id
		case res.Status != AnchorOrphan:
			sel, err := Describe(cur.text, res.Start, res.End)
			if err != nil {
				return err
			}
			h.Selector, h.CaptureID, h.Status = sel, cur.id, statusOf(res.Status)
			if h.Status == StatusMoved && p.hint == nil {
				// Moved from a position in no capture we know (another tool's count, or
				// none): there is no old place to have moved from.
				h.Status = StatusAnchored
			}
		case quoteAt(p.hint):
			// An orphan stays pinned to the capture it was last anchored on.
			h.CaptureID, h.Status = p.hint.id, StatusOrphan
		default:
			h.CaptureID, h.Position, h.Status = 0, Position{}, StatusOrphan
		}
		if err := insertHighlight(ctx, tx, h, cur.id); err != nil {
			return err
		}
		if h.Status == StatusOrphan {
			rep.Orphans++
		} else {
			rep.Anchored++
		}
	}
	return nil
}

// capture returns the article's capture fetched at t, or nil.
func (a *importArticle) capture(ctx context.Context, tx *sql.Tx, t time.Time) (*captureRef, error) {
	key := formatTime(t)
	if c, ok := a.byDate[key]; ok {
		return c, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM captures WHERE article_id = ? AND fetched_at = ? ORDER BY id DESC LIMIT 1`,
		a.id, key).Scan(&id)
	var c *captureRef
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	case id == a.current.id:
		c = a.current
	default:
		if c, err = loadCapture(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	a.byDate[key] = c
	return c, nil
}

// findArticle returns the article an annotation's source names: the article whose key is
// the source's normalised address, else the latest article captured from that address.
func findArticle(ctx context.Context, tx *sql.Tx, source string) (int64, bool, error) {
	source = strings.TrimSpace(source)
	if source == "" {
		return 0, false, nil
	}
	key := archive.NormalizeURL(source)
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url IN (?, ?) LIMIT 1`, key, source).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// Rare (an annotation made on the address a page redirected to), so a scan of the
		// captures is acceptable here.
		err = tx.QueryRowContext(ctx, `
			SELECT article_id FROM captures
			WHERE final_url IN (?, ?) OR requested_url IN (?, ?) ORDER BY id DESC LIMIT 1`,
			key, source, key, source).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find article for %s: %w", source, err)
	}
	return id, true, nil
}

// highlight returns the highlight an incoming annotation makes in an article, not yet
// placed; Status holds the exported status (or "").
func (in incoming) highlight(articleID int64) Highlight {
	id := in.id
	if id == "" {
		id = uuid.NewString()
	}
	color, err := checkColor(in.color)
	if err != nil || in.color == "" {
		color = DefaultColor
	}
	return Highlight{
		ID:        id,
		ArticleID: articleID,
		Color:     color,
		Note:      in.note,
		Tags:      in.tags,
		Claim:     in.claim,
		Status:    HighlightStatus(in.status),
		Created:   in.created,
		Updated:   in.updated,
	}
}

// rawAnnotation is an annotation as found in a file, W3C or Hypothesis.
type rawAnnotation struct {
	ID        json.RawMessage `json:"id"`
	Created   string          `json:"created"`
	Modified  string          `json:"modified"`
	Updated   string          `json:"updated"` // Hypothesis
	Body      json.RawMessage `json:"body"`
	BodyValue string          `json:"bodyValue"`
	Target    json.RawMessage `json:"target"`
	URI       string          `json:"uri"`  // Hypothesis
	Text      string          `json:"text"` // Hypothesis
	Tags      []string        `json:"tags"` // Hypothesis
	Color     string          `json:"gloss:color"`
	Status    string          `json:"gloss:anchorStatus"`
	Claim     *W3CClaim       `json:"gloss:claim"`
}

type rawBody struct {
	Type    string          `json:"type"`
	Value   string          `json:"value"`
	Purpose json.RawMessage `json:"purpose"`
}

type rawTarget struct {
	Source   string          `json:"source"`
	Selector json.RawMessage `json:"selector"`
	State    json.RawMessage `json:"state"`
}

// parseAnnotationJSON finds the annotations in a file.
func parseAnnotationJSON(data []byte) ([]rawAnnotation, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("the file is empty")
	}
	if data[0] == '[' {
		var out []rawAnnotation
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, fmt.Errorf("not an array of annotations: %w", err)
		}
		return out, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not JSON annotations: %w", err)
	}
	for _, key := range []string{"rows", "items"} { // Hypothesis API; AnnotationPage
		if raw, ok := top[key]; ok {
			return parseAnnotationJSON(raw)
		}
	}
	if raw, ok := top["first"]; ok { // AnnotationCollection
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
			return nil, errors.New("the collection's pages are not in the file (only a link to them)")
		}
		return parseAnnotationJSON(raw)
	}
	if _, ok := top["target"]; ok {
		var a rawAnnotation
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("not an annotation: %w", err)
		}
		return []rawAnnotation{a}, nil
	}
	return nil, errors.New("no annotations found (expected W3C Web Annotations or a Hypothesis export)")
}

// list decodes a JSON value that may be one T or an array of them; strings (links to
// resources elsewhere) are skipped.
func list[T any](raw json.RawMessage) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == '"' || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '[' {
		var one T
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		return []T{one}, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	var out []T
	for _, e := range elems {
		got, err := list[T](e)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// firstString returns a JSON string, or the first string of a JSON array.
func firstString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil && len(ss) > 0 {
		return ss[0]
	}
	return ""
}

// incoming interprets a raw annotation; now stands in for missing times.
func (r rawAnnotation) incoming(now time.Time) (incoming, error) {
	in := incoming{color: r.Color, status: r.Status, created: now.UTC(), updated: now.UTC()}
	var rawID string
	if json.Unmarshal(r.ID, &rawID) == nil && rawID != "" {
		if id, err := ParseHighlightID(rawID); err == nil {
			in.id = id
		} else {
			// Another tool's id: the same one always gives the same highlight, so that
			// importing a file twice does not double its highlights.
			in.id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(rawID)).String()
		}
	}
	if t, ok := parseW3CTime(r.Created); ok {
		in.created = t
	}
	in.updated = in.created
	for _, s := range []string{r.Modified, r.Updated} {
		if t, ok := parseW3CTime(s); ok {
			in.updated = t
		}
	}

	targets, err := list[rawTarget](r.Target)
	if err != nil {
		return incoming{}, fmt.Errorf("annotation %s: target: %w", rawID, err)
	}
	if len(targets) == 0 {
		var src string
		if json.Unmarshal(r.Target, &src) == nil {
			targets = []rawTarget{{Source: src}}
		}
	}
	// The target: the first with a quote (Hypothesis may list several), else the first.
	in.source = r.URI
	for i, t := range targets {
		sels, err := list[W3CSelector](t.Selector)
		if err != nil {
			return incoming{}, fmt.Errorf("annotation %s: selector: %w", rawID, err)
		}
		var quote, pos *W3CSelector
		for k, sel := range sels {
			switch {
			case sel.Type == "TextQuoteSelector" && quote == nil:
				quote = &sels[k]
			case sel.Type == "TextPositionSelector" && sel.Start != nil && sel.End != nil && pos == nil:
				pos = &sels[k]
			}
		}
		if quote == nil && (i > 0 || len(targets) > 1) {
			continue
		}
		if t.Source != "" {
			in.source = t.Source
		}
		states, err := list[W3CState](t.State)
		if err != nil {
			return incoming{}, fmt.Errorf("annotation %s: state: %w", rawID, err)
		}
		for _, st := range states {
			if tm, ok := parseW3CTime(st.SourceDate); ok && st.Type == "TimeState" {
				in.sourceDate = tm
			}
		}
		if quote != nil {
			in.quote = Quote{Exact: quote.Exact, Prefix: quote.Prefix, Suffix: quote.Suffix}
		}
		if pos != nil {
			in.pos = &[2]int{*pos.Start, *pos.End}
		}
		break
	}
	if in.source == "" && len(targets) > 0 {
		in.source = targets[0].Source
	}

	bodies, err := list[rawBody](r.Body)
	if err != nil {
		return incoming{}, fmt.Errorf("annotation %s: body: %w", rawID, err)
	}
	var notes []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			notes = append(notes, s)
		}
	}
	add(r.BodyValue)
	add(r.Text)
	tags := append([]string{}, r.Tags...)
	for _, b := range bodies {
		if b.Type != "" && b.Type != "TextualBody" {
			continue
		}
		switch firstString(b.Purpose) {
		case "tagging":
			tags = append(tags, b.Value)
		case "assessing":
			if r.Claim == nil {
				add(b.Value)
			}
		default:
			add(b.Value)
		}
	}
	in.note = strings.Join(notes, "\n\n")
	for _, t := range tags {
		if n, err := NormalizeTag(t); err == nil && !contains(in.tags, n) {
			in.tags = append(in.tags, n)
		}
	}
	sort.Strings(in.tags)

	if c := r.Claim; c != nil {
		cl := Claim{
			Claimant: c.Claimant, Kind: ClaimKind(c.Kind), Evidence: Evidence(c.Evidence), Status: ClaimStatus(c.Rating),
			Verdict: c.Verdict, Links: c.Links,
		}
		if c.Reviewed != "" {
			t, ok := parseW3CTime(c.Reviewed)
			if !ok {
				return incoming{}, fmt.Errorf("annotation %s: claim review time %q is not a date and time", rawID, c.Reviewed)
			}
			cl.Reviewed = t
		}
		if cl, err = cl.normalize(in.updated); err != nil {
			return incoming{}, fmt.Errorf("annotation %s: %w", rawID, err)
		}
		in.claim = &cl
	}
	return in, nil
}

// parseW3CTime reads an xsd:dateTime with a time zone, as UTC.
func parseW3CTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
