package annotate

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestClaimValidate(t *testing.T) {
	tests := []struct {
		name    string
		c       Claim
		wantErr string // part of the message; "" for valid
	}{
		{"empty means defaults", Claim{}, ""},
		{"all set", Claim{Claimant: "WHO", Kind: KindPrediction, Evidence: EvidenceLinked, Status: ClaimUnverifiable,
			Links: []string{"https://who.int/report"}}, ""},
		{"kind", Claim{Kind: "rumour"}, `claim kind "rumour" is not one of: fact, statistic, quote, prediction, opinion`},
		{"evidence", Claim{Evidence: "strong"}, `evidence "strong" is not one of: none, asserted, linked, cited`},
		{"status", Claim{Status: "true"}, `claim status "true" is not one of: unchecked, supported, disputed, false, misleading, unverifiable`},
		{"relative link", Claim{Links: []string{"/report"}}, `evidence link "/report": not an absolute http or https address`},
		{"ftp link", Claim{Links: []string{"ftp://example.org/x"}}, "not an absolute http or https address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestSetClaim(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "nine to one", Claim: &Claim{Claimant: " Ada "}})
	if want := (&Claim{Claimant: "Ada", Kind: KindFact, Evidence: EvidenceNone, Status: ClaimUnchecked}); !reflect.DeepEqual(h.Claim, want) {
		t.Errorf("new claim = %+v, want %+v", h.Claim, want)
	}

	f.clock.set(time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC))
	got, err := f.store.SetClaim(ctx, h.ID, Claim{Claimant: "Ada", Kind: "STATISTIC", Status: ClaimFalse})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 6, 1, 8, 0, 1, 0, time.UTC); !got.Reviewed.Equal(want) || got.Kind != KindStatistic {
		t.Errorf("rated claim: kind %q reviewed %v, want statistic, %v", got.Kind, got.Reviewed, want)
	}
	// An edit that keeps the review time keeps it.
	got2, err := f.store.SetClaim(ctx, h.ID, Claim{Claimant: "Ada B.", Kind: KindStatistic, Status: ClaimFalse, Reviewed: got.Reviewed})
	if err != nil || !got2.Reviewed.Equal(got.Reviewed) {
		t.Errorf("edit keeping the review time: %v, %v", got2.Reviewed, err)
	}
	stored, err := f.store.Get(ctx, h.ID)
	if err != nil || !reflect.DeepEqual(*stored.Claim, got2) {
		t.Errorf("stored claim = %+v, %v; want %+v", stored.Claim, err, got2)
	}
	if _, err := f.store.SetClaim(ctx, h.ID, Claim{Status: "wrong"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetClaim with a bad status: %v, want ErrInvalid", err)
	}
}

func TestClaimReview(t *testing.T) {
	reviewed := time.Date(2025, 2, 3, 10, 0, 0, 0, time.UTC)
	published := time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)
	c := Claim{Claimant: "Dr Moth", Kind: KindStatistic, Evidence: EvidenceNone, Status: ClaimFalse,
		Verdict: "Counts show two to one.", Links: []string{"https://example.org/counts"}, Reviewed: reviewed}
	b, err := json.Marshal(c.ClaimReview("nine to one", ClaimSource{URL: mothsURL, Title: "Moths of the Night", Published: published}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"@context":      "https://schema.org",
		"@type":         "ClaimReview",
		"url":           mothsURL,
		"claimReviewed": "nine to one",
		"datePublished": "2025-02-03",
		"reviewBody":    "Counts show two to one.",
		"citation":      []any{"https://example.org/counts"},
		"itemReviewed": map[string]any{
			"@type":  "Claim",
			"author": map[string]any{"@type": "Person", "name": "Dr Moth"},
			"appearance": map[string]any{"@type": "CreativeWork", "url": mothsURL,
				"headline": "Moths of the Night", "datePublished": "2025-01-20"},
		},
		"reviewRating": map[string]any{"@type": "Rating", "alternateName": "False",
			"ratingValue": 1.0, "bestRating": 5.0, "worstRating": 1.0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ClaimReview =\n%s\nwant %v", b, want)
	}

	// An unrated claim has a label and no number.
	r := Claim{}.ClaimReview("x", ClaimSource{URL: mothsURL})
	rating := r["reviewRating"].(map[string]any)
	if _, ok := rating["ratingValue"]; ok || rating["alternateName"] != "Unchecked" {
		t.Errorf("unchecked rating = %v", rating)
	}
}
