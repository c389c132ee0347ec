package annotate

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ClaimKind is what sort of statement a claim is.
type ClaimKind string

// The claim kinds.
const (
	KindFact       ClaimKind = "fact"
	KindStatistic  ClaimKind = "statistic"
	KindQuote      ClaimKind = "quote"
	KindPrediction ClaimKind = "prediction"
	KindOpinion    ClaimKind = "opinion"
)

// ClaimKinds lists the claim kinds; the first is the default.
var ClaimKinds = []ClaimKind{KindFact, KindStatistic, KindQuote, KindPrediction, KindOpinion}

// Evidence is what support the article itself gives for a claim.
type Evidence string

// The evidence levels.
const (
	EvidenceNone     Evidence = "none"     // stated bare
	EvidenceAsserted Evidence = "asserted" // attributed or vouched for, nothing to check
	EvidenceLinked   Evidence = "linked"   // a link to a source
	EvidenceCited    Evidence = "cited"    // a precise citation (study, dataset, document)
)

// EvidenceLevels lists the evidence levels; the first is the default.
var EvidenceLevels = []Evidence{EvidenceNone, EvidenceAsserted, EvidenceLinked, EvidenceCited}

// ClaimStatus is the reviewer's rating of a claim (schema.org reviewRating).
type ClaimStatus string

// The claim statuses.
const (
	ClaimUnchecked    ClaimStatus = "unchecked"
	ClaimSupported    ClaimStatus = "supported"
	ClaimDisputed     ClaimStatus = "disputed"
	ClaimFalse        ClaimStatus = "false"
	ClaimMisleading   ClaimStatus = "misleading"
	ClaimUnverifiable ClaimStatus = "unverifiable"
)

// ClaimStatuses lists the claim statuses; the first is the default.
var ClaimStatuses = []ClaimStatus{ClaimUnchecked, ClaimSupported, ClaimDisputed, ClaimFalse, ClaimMisleading, ClaimUnverifiable}

// Claim is a checkable statement a highlight marks, and its review. The fields follow
// schema.org's Claim and ClaimReview, so that a claim exports as ClaimReview JSON-LD.
type Claim struct {
	Claimant string      // who makes the claim (schema.org Claim author)
	Kind     ClaimKind   // "" means KindFact
	Evidence Evidence    // "" means EvidenceNone
	Status   ClaimStatus // "" means ClaimUnchecked
	Verdict  string      // the reviewer's note (ClaimReview reviewBody), Markdown
	Links    []string    // the reviewer's sources: absolute http(s) addresses
	Reviewed time.Time   // when it was rated; zero while unchecked
}

// Validate reports the first field that holds a value Gloss does not accept, as a
// *ValueError listing the allowed values. Empty enumerations are valid (the defaults).
func (c Claim) Validate() error {
	if c.Kind != "" && !contains(ClaimKinds, c.Kind) {
		return &ValueError{What: "claim kind", Value: string(c.Kind), Allowed: names(ClaimKinds)}
	}
	if c.Evidence != "" && !contains(EvidenceLevels, c.Evidence) {
		return &ValueError{What: "evidence", Value: string(c.Evidence), Allowed: names(EvidenceLevels)}
	}
	if c.Status != "" && !contains(ClaimStatuses, c.Status) {
		return &ValueError{What: "claim status", Value: string(c.Status), Allowed: names(ClaimStatuses)}
	}
	for _, l := range c.Links {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ValueError{What: "evidence link", Value: l, Reason: "not an absolute http or https address"}
		}
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func names[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = string(x)
	}
	return out
}

// normalize validates c and returns it as stored: defaults filled in, names and links
// trimmed, empty and repeated links dropped, and Reviewed set to now for a rated claim
// that has no review time.
func (c Claim) normalize(now time.Time) (Claim, error) {
	c.Kind = ClaimKind(strings.ToLower(strings.TrimSpace(string(c.Kind))))
	c.Evidence = Evidence(strings.ToLower(strings.TrimSpace(string(c.Evidence))))
	c.Status = ClaimStatus(strings.ToLower(strings.TrimSpace(string(c.Status))))
	if err := c.Validate(); err != nil {
		return Claim{}, err
	}
	if c.Kind == "" {
		c.Kind = ClaimKinds[0]
	}
	if c.Evidence == "" {
		c.Evidence = EvidenceLevels[0]
	}
	if c.Status == "" {
		c.Status = ClaimStatuses[0]
	}
	c.Claimant = strings.TrimSpace(c.Claimant)
	var links []string
	for _, l := range c.Links {
		if l = strings.TrimSpace(l); l != "" && !contains(links, l) {
			links = append(links, l)
		}
	}
	c.Links = links
	if c.Reviewed.IsZero() && c.Status != ClaimUnchecked {
		c.Reviewed = now
	}
	if !c.Reviewed.IsZero() {
		c.Reviewed = c.Reviewed.UTC()
	}
	return c, nil
}

// SetClaim attaches a claim to a highlight, replacing the one it had, and returns it as
// stored (see Claim for the defaults). A rated claim without a review time is stamped
// now; to re-stamp an edited rating, pass a zero Reviewed.
func (s *Store) SetClaim(ctx context.Context, id string, c Claim) (Claim, error) {
	c, err := c.normalize(s.now())
	if err != nil {
		return Claim{}, fmt.Errorf("set claim of highlight %s: %w", id, err)
	}
	err = s.editHighlight(ctx, "set claim of", id, func(tx *sql.Tx) error {
		return writeClaim(ctx, tx, id, c)
	})
	if err != nil {
		return Claim{}, err
	}
	return c, nil
}

// ClearClaim removes the claim of a highlight; the highlight stays.
func (s *Store) ClearClaim(ctx context.Context, id string) error {
	return s.editHighlight(ctx, "clear claim of", id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM claims WHERE highlight_id = ?`, id)
		return err
	})
}

func writeClaim(ctx context.Context, tx *sql.Tx, highlightID string, c Claim) error {
	links, err := json.Marshal(append([]string{}, c.Links...))
	if err != nil {
		return fmt.Errorf("store claim: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO claims (highlight_id, claimant, kind, evidence, status, verdict, links, reviewed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (highlight_id) DO UPDATE SET
			claimant = excluded.claimant, kind = excluded.kind, evidence = excluded.evidence,
			status = excluded.status, verdict = excluded.verdict, links = excluded.links,
			reviewed_at = excluded.reviewed_at`,
		highlightID, c.Claimant, string(c.Kind), string(c.Evidence), string(c.Status), c.Verdict,
		string(links), nullTime(c.Reviewed))
	if err != nil {
		return fmt.Errorf("store claim: %w", err)
	}
	// Every column but the key is written, so nothing damaged is left for the sum to
	// vouch for.
	return claimsTable.seal(ctx, tx, `highlight_id = ?`, highlightID)
}

// ClaimSource is the article a claim appears in, for ClaimReview.
type ClaimSource struct {
	URL       string
	Title     string
	Published time.Time // zero when unknown
}

// ratingLabels and ratingValues give a claim status its ClaimReview rating: a label
// people read (alternateName) and, where the status has a place on a scale from 1 (false)
// to 5 (supported), a number.
var (
	ratingLabels = map[ClaimStatus]string{
		ClaimUnchecked: "Unchecked", ClaimSupported: "Supported", ClaimDisputed: "Disputed",
		ClaimFalse: "False", ClaimMisleading: "Misleading", ClaimUnverifiable: "Unverifiable",
	}
	ratingValues = map[ClaimStatus]int{ClaimSupported: 5, ClaimDisputed: 3, ClaimMisleading: 2, ClaimFalse: 1}
)

// ClaimReview returns the claim as schema.org ClaimReview JSON-LD (ready for
// json.Marshal): claimReviewed is the highlighted text, itemReviewed the Claim with its
// author (the claimant) and appearance (the article), reviewRating the status,
// reviewBody the verdict and citation the links. Kind and Evidence have no schema.org
// property and are left out.
func (c Claim) ClaimReview(claimReviewed string, src ClaimSource) map[string]any {
	if c.Status == "" {
		c.Status = ClaimUnchecked
	}
	appearance := map[string]any{"@type": "CreativeWork", "url": src.URL}
	if src.Title != "" {
		appearance["headline"] = src.Title
	}
	if !src.Published.IsZero() {
		appearance["datePublished"] = src.Published.UTC().Format(time.DateOnly)
	}
	item := map[string]any{"@type": "Claim", "appearance": appearance}
	if c.Claimant != "" {
		item["author"] = map[string]any{"@type": "Person", "name": c.Claimant}
	}
	label := ratingLabels[c.Status]
	if label == "" {
		label = string(c.Status)
	}
	rating := map[string]any{"@type": "Rating", "alternateName": label}
	if v, ok := ratingValues[c.Status]; ok {
		rating["ratingValue"] = v
		rating["bestRating"] = 5
		rating["worstRating"] = 1
	}
	review := map[string]any{
		"@context":      "https://schema.org",
		"@type":         "ClaimReview",
		"url":           src.URL,
		"claimReviewed": claimReviewed,
		"itemReviewed":  item,
		"reviewRating":  rating,
	}
	if c.Verdict != "" {
		review["reviewBody"] = c.Verdict
	}
	if !c.Reviewed.IsZero() {
		review["datePublished"] = c.Reviewed.UTC().Format(time.DateOnly)
	}
	if len(c.Links) > 0 {
		review["citation"] = append([]string{}, c.Links...)
	}
	return review
}
