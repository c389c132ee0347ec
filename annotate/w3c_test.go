package annotate

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// annotatedMoths makes the moths article with highlights in every state: anchored (with a
// note and tags), moved (with a claim), fuzzy, orphaned, and after multibyte text.
func annotatedMoths(t *testing.T, f *fixture) (int64, []Highlight) {
	t.Helper()
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	f.highlight(t, aid, NewHighlight{Quote: "nine to one", Color: "pink", Note: "A ratio *without* a source.\n\nCheck it.", Tags: []string{"numbers", "ratios"}})
	f.highlight(t, aid, NewHighlight{Quote: "tilt their backs toward the brightest light", Color: "orange",
		Claim: &Claim{Claimant: "a recent study", Kind: KindFact, Evidence: EvidenceAsserted, Status: ClaimSupported,
			Verdict: "Confirmed by the **2024** paper.", Links: []string{"https://example.org/paper", "https://example.org/data"}}})
	f.highlight(t, aid, NewHighlight{Quote: "traps them in orbit around a lamp"})
	f.highlight(t, aid, NewHighlight{Quote: "a recent study suggests", Tags: []string{"method"}})
	f.highlight(t, aid, NewHighlight{Quote: "«les papillons de nuit»", Color: "purple"})
	f.capture(t, mothsURL, mothsV2)
	hs, err := f.store.ForArticle(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[HighlightStatus]int{}
	for _, h := range hs {
		statuses[h.Status]++
	}
	if want := map[HighlightStatus]int{StatusAnchored: 1, StatusMoved: 2, StatusFuzzy: 1, StatusOrphan: 1}; !reflect.DeepEqual(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	return aid, hs
}

func TestW3CExport(t *testing.T) {
	f := newFixture(t)
	aid, hs := annotatedMoths(t, f)
	col, err := f.store.ExportW3C(context.Background(), aid)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(col)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if ctx := doc["@context"].([]any); ctx[0] != "http://www.w3.org/ns/anno.jsonld" || ctx[1].(map[string]any)["gloss"] != W3CNamespace {
		t.Errorf("@context = %v", ctx)
	}
	if doc["type"] != "AnnotationCollection" || doc["total"] != float64(len(hs)) {
		t.Errorf("collection type %v total %v", doc["type"], doc["total"])
	}
	items := col.First.Items
	if len(items) != len(hs) {
		t.Fatalf("%d items, want %d", len(items), len(hs))
	}
	for i, a := range items {
		h := hs[i]
		if a.ID != "urn:uuid:"+h.ID || a.Type != "Annotation" || a.Target.Source != mothsURL || a.Color != h.Color || a.AnchorStatus != string(h.Status) {
			t.Errorf("item %d = %+v", i, a)
		}
		q := a.Target.Selector[0]
		if q.Type != "TextQuoteSelector" || q.Exact != h.Exact || q.Prefix != h.Prefix || q.Suffix != h.Suffix {
			t.Errorf("item %d quote selector = %+v", i, q)
		}
		text := mothsV2
		if h.Status == StatusOrphan {
			text = mothsV1
		}
		p := a.Target.Selector[1]
		if p.Type != "TextPositionSelector" || *p.Start != utf8.RuneCountInString(text[:h.Start]) || *p.End != utf8.RuneCountInString(text[:h.End]) {
			t.Errorf("item %d position selector = %d…%d, want code points of [%d, %d)", i, *p.Start, *p.End, h.Start, h.End)
		}
	}
	// The highlight after "Café" and "Zürich" counts code points, not bytes.
	last := items[3]
	if last.Target.Selector[0].Exact != "«les papillons de nuit»" || *last.Target.Selector[1].Start == hs[3].Start {
		t.Errorf("multibyte item: %+v at %d (byte offset %d)", last.Target.Selector[0], *last.Target.Selector[1].Start, hs[3].Start)
	}
	first := items[0]
	wantBodies := []W3CBody{
		{Type: "TextualBody", Purpose: "commenting", Value: "A ratio *without* a source.\n\nCheck it.", Format: "text/markdown"},
		{Type: "TextualBody", Purpose: "tagging", Value: "numbers"},
		{Type: "TextualBody", Purpose: "tagging", Value: "ratios"},
	}
	if first.Motivation != "commenting" || !reflect.DeepEqual(first.Body, wantBodies) {
		t.Errorf("first item motivation %q bodies %+v", first.Motivation, first.Body)
	}
	claim := items[2] // moved, with the claim
	if claim.Motivation != "assessing" || claim.Claim == nil || claim.Claim.Rating != "supported" || len(claim.Claim.Links) != 2 {
		t.Errorf("claim item = %+v, claim %+v", claim, claim.Claim)
	}
	if claim.Body[0].Purpose != "assessing" || claim.Body[0].Value != "supported: Confirmed by the **2024** paper." {
		t.Errorf("claim body = %+v", claim.Body)
	}
	if s := string(b); !strings.Contains(s, `"gloss:claim"`) || !strings.Contains(s, `"sourceDate"`) {
		t.Errorf("export lacks gloss:claim or sourceDate: %s", s)
	}
}

// TestW3CRoundTrip: export, delete everything, import: the same highlights, ids, times,
// colours, statuses, positions and claims.
func TestW3CRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, before := annotatedMoths(t, f)
	col, err := f.store.ExportW3C(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(col, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range before {
		ids = append(ids, h.ID)
	}
	if err := f.store.Delete(ctx, ids...); err != nil {
		t.Fatal(err)
	}

	rep, err := f.store.ImportAnnotations(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportReport{Anchored: 4, Orphans: 1}); !reflect.DeepEqual(rep, want) {
		t.Errorf("ImportAnnotations = %+v, want %+v", rep, want)
	}
	after, err := f.store.ForArticle(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		for i := range min(len(before), len(after)) {
			if !reflect.DeepEqual(after[i], before[i]) {
				t.Errorf("highlight %d:\n got %+v\nwant %+v", i, after[i], before[i])
			}
		}
		t.Fatalf("%d highlights after the round trip, want %d", len(after), len(before))
	}
	if trash, _ := f.store.Trash(ctx); len(trash) != 0 {
		t.Errorf("trash after the import holds %d highlights, want the imported ones to replace them", len(trash))
	}
	if got := searchIDs(t, f.lib, "ratios"); !reflect.DeepEqual(got, []int64{aid}) {
		t.Errorf("search after import = %v", got)
	}

	// Importing again changes nothing.
	rep, err = f.store.ImportAnnotations(ctx, data)
	if want := (ImportReport{Duplicates: 5}); err != nil || !reflect.DeepEqual(rep, want) {
		t.Errorf("second import = %+v, %v; want %+v", rep, err, want)
	}
	if again, _ := f.store.ForArticle(ctx, aid); !reflect.DeepEqual(again, before) {
		t.Errorf("second import changed the highlights")
	}
}

const hypothesisExport = `[
  {
    "id": "Hx1kQv2xEe6",
    "created": "2024-02-03T10:00:00.123456+00:00",
    "updated": "2024-02-04T11:30:00.000000+00:00",
    "user": "acct:reader@hypothes.is",
    "uri": "https://Example.org/moths?utm_source=feed#comments",
    "text": "Lamp traps **bias** the counts.",
    "tags": ["Method", "lights", "method"],
    "group": "__world__",
    "target": [{
      "source": "https://example.org/moths?utm_source=feed",
      "selector": [
        {"type": "RangeSelector", "endOffset": 30, "startOffset": 10, "endContainer": "/main[1]/p[2]", "startContainer": "/main[1]/p[2]"},
        {"type": "TextPositionSelector", "start": 9999, "end": 10018},
        {"type": "TextQuoteSelector", "exact": "circle street lamps", "prefix": "Researchers have long wondered why moths ", "suffix": "; a new study suggests they tilt"}
      ]
    }],
    "document": {"title": ["Moths of the Night"]}
  },
  {
    "id": "Hx2",
    "created": "2024-02-05T09:00:00+00:00",
    "updated": "2024-02-05T09:00:00+00:00",
    "uri": "https://example.org/moths",
    "text": "Where did this go?",
    "tags": [],
    "target": [{"source": "https://example.org/moths", "selector": [
      {"type": "TextQuoteSelector", "exact": "caterpillars eat cabbage leaves", "prefix": "In the garden, ", "suffix": " all summer."}
    ]}]
  },
  {
    "id": "Hx3",
    "uri": "https://elsewhere.example/beetles",
    "text": "not in the library",
    "target": [{"source": "https://elsewhere.example/beetles", "selector": [{"type": "TextQuoteSelector", "exact": "beetles"}]}]
  },
  {
    "id": "Hx4",
    "uri": "https://example.org/moths",
    "text": "A page note about the whole article.",
    "target": [{"source": "https://example.org/moths"}]
  }
]`

func TestImportHypothesis(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, cid := f.capture(t, mothsURL, mothsV2)
	rep, err := f.store.ImportAnnotations(ctx, []byte(hypothesisExport))
	if err != nil {
		t.Fatal(err)
	}
	want := ImportReport{Anchored: 1, Orphans: 1, WithoutQuote: 1,
		Unmatched: []UnmatchedSource{{Source: "https://elsewhere.example/beetles", Annotations: 1}}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report = %+v, want %+v", rep, want)
	}
	hs, err := f.store.ForArticle(ctx, aid)
	if err != nil || len(hs) != 2 {
		t.Fatalf("ForArticle = %+v, %v", hs, err)
	}
	got, orphan := hs[0], hs[1]
	start := strings.Index(mothsV2, "circle street lamps")
	if got.Status != StatusAnchored || got.CaptureID != cid || got.Start != start || got.Exact != "circle street lamps" ||
		got.Note != "Lamp traps **bias** the counts." || !reflect.DeepEqual(got.Tags, []string{"lights", "method"}) ||
		got.Color != DefaultColor || !got.Created.Equal(time.Date(2024, 2, 3, 10, 0, 0, 123456000, time.UTC)) ||
		!got.Updated.Equal(time.Date(2024, 2, 4, 11, 30, 0, 0, time.UTC)) {
		t.Errorf("anchored import = %+v", got)
	}
	if orphan.Status != StatusOrphan || orphan.Exact != "caterpillars eat cabbage leaves" || orphan.Note != "Where did this go?" || orphan.CaptureID != 0 {
		t.Errorf("orphaned import = %+v", orphan)
	}
	if orphans, _ := f.store.Orphans(ctx); len(orphans) != 1 || orphans[0].ID != orphan.ID {
		t.Errorf("Orphans = %+v", orphans)
	}
	if got := searchIDs(t, f.lib, "bias"); !reflect.DeepEqual(got, []int64{aid}) {
		t.Errorf("search for an imported note = %v", got)
	}

	// The same file again: the same ids, nothing doubled.
	rep, err = f.store.ImportAnnotations(ctx, []byte(hypothesisExport))
	if err != nil || rep.Duplicates != 2 || rep.Anchored != 0 {
		t.Errorf("second import = %+v, %v", rep, err)
	}
}

func TestImportShapes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.capture(t, mothsURL, mothsV1)
	one := `{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "commenting",
		"body": {"type": "TextualBody", "value": "single"},
		"target": {"source": "https://example.org/moths", "selector": {"type": "TextQuoteSelector", "exact": "nine to one"}}}`
	tests := []struct {
		name     string
		data     string
		anchored int
		wantErr  string
	}{
		{"one annotation", one, 1, ""},
		{"a page", `{"type": "AnnotationPage", "items": [` + strings.Replace(one, "nine to one", "the moon", 1) + `]}`, 1, ""},
		{"a collection", `{"type": "AnnotationCollection", "first": {"items": [` + strings.Replace(one, "nine to one", "the stars", 1) + `]}}`, 1, ""},
		{"an API search result", `{"total": 1, "rows": [` + strings.Replace(one, "nine to one", "open sky", 1) + `]}`, 1, ""},
		{"a linked collection", `{"type": "AnnotationCollection", "first": "https://example.org/page1"}`, 0, "pages are not in the file"},
		{"something else", `{"hello": "world"}`, 0, "no annotations found"},
		{"not JSON", `<html>`, 0, "not JSON"},
		{"empty", ``, 0, "empty"},
		{"a bad claim", `[{"id": "urn:uuid:6f9619ff-8b86-d011-b42d-00c04fc964ff", "gloss:claim": {"gloss:kind": "rumour"},
			"target": {"source": "https://example.org/moths", "selector": {"type": "TextQuoteSelector", "exact": "dawn"}}}]`, 0, `claim kind "rumour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := f.store.ImportAnnotations(ctx, []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || rep.Anchored != tt.anchored {
				t.Errorf("report %+v, %v; want %d anchored", rep, err, tt.anchored)
			}
		})
	}
}
