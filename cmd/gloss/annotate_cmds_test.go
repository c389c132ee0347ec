package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var uuidLine = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$`)

// testPageV2 is testPage captured again: a paragraph added, one reworded, one gone.
var testPageV2 = strings.NewReplacer(
	"<p>That reflex keeps them level under an open sky but traps them in orbit around a lamp, until they tire or dawn comes.</p>", "",
	"<p>Researchers", "<p>A note on method: the counts come from light traps set across three valleys.</p>\n<p>Researchers",
).Replace(testPage)

// annotationsOf runs `annotations ID --json` and decodes it.
func annotationsOf(t *testing.T, db, id string) annotationsJSON {
	t.Helper()
	out, errs, code := gloss(t, db, "", "annotations", id, "--json")
	if code != 0 {
		t.Fatalf("annotations --json: exit %d: %s", code, errs)
	}
	var got annotationsJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("annotations --json is not JSON: %v\n%s", err, out)
	}
	return got
}

// newHighlight runs `highlight` and returns the id it prints.
func newHighlight(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, errs, code := gloss(t, db, "", append([]string{"highlight"}, args...)...)
	if code != 0 || !uuidLine.MatchString(out) {
		t.Fatalf("highlight %v = %q, %q, exit %d; want an id", args, out, errs, code)
	}
	return strings.TrimSpace(out)
}

func TestAnnotateCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	page := filepath.Join(dir, "moths.html")
	page2 := filepath.Join(dir, "moths2.html")
	os.WriteFile(page, []byte(testPage), 0o644)
	os.WriteFile(page2, []byte(testPageV2), 0o644)
	if out, errs, code := gloss(t, db, "", "import", "--url", "https://example.org/moths", page); code != 0 {
		t.Fatalf("import: %q %q exit %d", out, errs, code)
	}

	ratio := newHighlight(t, db, "1", "--quote", "nine to one", "--color", "green", "--note", "A ratio without a source.", "--tag", "numbers", "--tag", "Ratio")
	orbit := newHighlight(t, db, "1", "--quote", "lamp", "--occurrence", "2", "--note", "the orbit")
	first := newHighlight(t, db, "1", "--start", "0", "--end", "5")
	claim := newHighlight(t, db, "1", "--quote", "tilt their backs toward the brightest light",
		"--claimant", "a recent study", "--claim-kind", "fact", "--evidence", "asserted",
		"--claim-status", "disputed", "--verdict", "Only shown in the lab.", "--link", "https://example.org/paper")

	got := annotationsOf(t, db, "1")
	var order []string
	for _, h := range got.Highlights {
		order = append(order, h.ID)
	}
	if want := []string{first, ratio, claim, orbit}; !reflect.DeepEqual(order, want) {
		t.Errorf("highlights in order %v, want %v", order, want)
	}
	h := got.Highlights[1]
	if h.Exact != "nine to one" || h.Color != "green" || h.Note != "A ratio without a source." ||
		!reflect.DeepEqual(h.Tags, []string{"numbers", "ratio"}) || h.Status != "anchored" || h.Article != 1 || h.Claim != nil {
		t.Errorf("ratio highlight = %+v", h)
	}
	if got.Highlights[0].Exact != "Moths" || got.Highlights[3].Exact != "lamp" || got.Highlights[3].Start <= got.Highlights[2].End {
		t.Errorf("offset and occurrence highlights = %+v, %+v", got.Highlights[0], got.Highlights[3])
	}
	c := got.Highlights[2].Claim
	if c == nil || c.Claimant != "a recent study" || c.Kind != "fact" || c.Evidence != "asserted" || c.Status != "disputed" ||
		c.Verdict != "Only shown in the lab." || !reflect.DeepEqual(c.Links, []string{"https://example.org/paper"}) || c.Reviewed == nil {
		t.Errorf("claim = %+v", c)
	}

	steps := []struct {
		name    string
		stdin   string
		args    []string
		wantOut string
	}{
		{"note a highlight", "", []string{"note", ratio, "Probably nocturnal bias."}, ""},
		{"note an article from stdin", "Read for the **orbit** idea.\n", []string{"note", "1", "-"}, ""},
		{"tag an article", "", []string{"tag", "1", "Insects", "night"}, ""},
		{"tag a highlight", "", []string{"tag", ratio, "checked"}, ""},
		{"untag a highlight", "", []string{"untag", ratio, "ratio"}, ""},
		{"untag an article", "", []string{"untag", "1", "night"}, ""},
		{"colour", "", []string{"color", orbit, "PINK"}, ""},
		{"edit a claim", "", []string{"claim", claim, "--claim-status", "false", "--link", "https://example.org/a", "--link", "https://example.org/b"}, "claim: false (fact, evidence asserted) by a recent study: Only shown in the lab."},
		{"claim a highlight", "", []string{"claim", first, "--claimant", "Ada"}, "claim: unchecked (fact, evidence none) by Ada"},
		{"clear a claim", "", []string{"claim", first, "--clear"}, ""},
		{"reanchor", "", []string{"reanchor", "1"}, "4 kept, 0 moved, 0 fuzzy, 0 orphaned\n"},
	}
	for _, s := range steps {
		out, errs, code := gloss(t, db, s.stdin, s.args...)
		if code != 0 || !strings.Contains(out, s.wantOut) {
			t.Errorf("%s: %q, %q, exit %d; want output containing %q", s.name, out, errs, code, s.wantOut)
		}
	}
	got = annotationsOf(t, db, "1")
	if got.Article.Note != "Read for the **orbit** idea." || !reflect.DeepEqual(got.Article.Tags, []string{"insects"}) {
		t.Errorf("article = %+v", got.Article)
	}
	h = got.Highlights[1]
	if h.Note != "Probably nocturnal bias." || !reflect.DeepEqual(h.Tags, []string{"checked", "numbers"}) {
		t.Errorf("edited highlight = %+v", h)
	}
	if got.Highlights[3].Color != "pink" || got.Highlights[0].Claim != nil {
		t.Errorf("colour %q, cleared claim %+v", got.Highlights[3].Color, got.Highlights[0].Claim)
	}
	if c := got.Highlights[2].Claim; c.Status != "false" || c.Verdict != "Only shown in the lab." || len(c.Links) != 2 {
		t.Errorf("edited claim = %+v", c)
	}
	for _, q := range []string{"nocturnal", "checked", "orbit"} {
		if out, _, _ := gloss(t, db, "", "search", q); !strings.HasPrefix(out, "1\t") {
			t.Errorf("search %q = %q", q, out)
		}
	}
	out, _, _ := gloss(t, db, "", "annotations", "1")
	for _, want := range []string{"Moths of the Night\nhttps://example.org/moths\ntags: insects\nnote: Read for the **orbit** idea.\n",
		ratio + "  green  anchored\n  “nine to one”\n  note: Probably nocturnal bias.\n  tags: checked, numbers\n",
		"    https://example.org/b\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("annotations =\n%s\nwant it to contain\n%s", out, want)
		}
	}

	// Trash and undo.
	out, errs, code := gloss(t, db, "", "unhighlight", first, orbit)
	if code != 0 || !strings.Contains(out, "moved 2 highlight(s) to the trash") {
		t.Errorf("unhighlight = %q, %q, exit %d", out, errs, code)
	}
	if n := len(annotationsOf(t, db, "1").Highlights); n != 2 {
		t.Errorf("%d highlights after unhighlight, want 2", n)
	}
	out, _, code = gloss(t, db, "", "undo")
	if code != 0 || !strings.Contains(out, "restored "+first+" in article 1: “Moths”") || !strings.Contains(out, "restored "+orbit) {
		t.Errorf("undo = %q, exit %d", out, code)
	}
	_, errs, code = gloss(t, db, "", "undo")
	if code != 1 || !strings.Contains(errs, "nothing to undo") {
		t.Errorf("undo with an empty trash = %q, exit %d", errs, code)
	}

	// A new capture: the "around a lamp" paragraph is gone.
	if _, errs, code := gloss(t, db, "", "import", "--url", "https://example.org/moths", page2); code != 0 {
		t.Fatalf("second import: %s", errs)
	}
	out, _, code = gloss(t, db, "", "orphans")
	if code != 0 || out != "1\t"+orbit+"\t“lamp”\n" {
		t.Errorf("orphans = %q, exit %d", out, code)
	}
	out, _, _ = gloss(t, db, "", "reanchor", "1")
	if out != "3 kept, 0 moved, 0 fuzzy, 1 orphaned\n" {
		t.Errorf("reanchor after the new capture = %q", out)
	}
	before := annotationsOf(t, db, "1")
	if s := before.Highlights[2].Status; s != "moved" {
		t.Errorf("the claim highlight after a paragraph was added before it: %s, want moved", s)
	}

	// Export, delete, import.
	exported := filepath.Join(dir, "moths.jsonld")
	if _, errs, code := gloss(t, db, "", "export-annotations", "1", "--format", "w3c", "-o", exported); code != 0 {
		t.Fatalf("export-annotations -o: %s", errs)
	}
	data, err := os.ReadFile(exported)
	var col map[string]any
	if err != nil || json.Unmarshal(data, &col) != nil || col["type"] != "AnnotationCollection" || col["total"] != 4.0 {
		t.Fatalf("exported file: %v\n%s", err, data)
	}
	if out, _, _ := gloss(t, db, "", "export-annotations", "1"); out != string(data) {
		t.Errorf("export to stdout differs from the file")
	}
	out, _, code = gloss(t, db, "", "export-annotations", "--format", "claimreview", "1")
	var reviews []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &reviews) != nil || len(reviews) != 1 || reviews[0]["@type"] != "ClaimReview" ||
		reviews[0]["claimReviewed"] != "tilt their backs toward the brightest light" {
		t.Errorf("claimreview export = %q, exit %d", out, code)
	}
	ids := []string{"unhighlight"}
	for _, h := range before.Highlights {
		ids = append(ids, h.ID)
	}
	if _, errs, code := gloss(t, db, "", ids...); code != 0 {
		t.Fatalf("unhighlight all: %s", errs)
	}
	out, errs, code = gloss(t, db, "", "import-annotations", exported)
	if code != 0 || out != "3 anchored, 1 orphaned\n" {
		t.Errorf("import-annotations = %q, %q, exit %d", out, errs, code)
	}
	if after := annotationsOf(t, db, "1"); !reflect.DeepEqual(after, before) {
		t.Errorf("after export, delete and import:\n got %+v\nwant %+v", after, before)
	}
	out, _, _ = gloss(t, db, "", "import-annotations", exported)
	if out != "0 anchored, 0 orphaned, 4 already in the library\n" {
		t.Errorf("second import-annotations = %q", out)
	}

	hyp := `[{"id": "h1", "uri": "https://example.org/moths", "text": "from Hypothesis", "tags": ["hyp"],
		"target": [{"source": "https://example.org/moths", "selector": [{"type": "TextQuoteSelector", "exact": "light traps",
		"prefix": "A note on method: the counts come from ", "suffix": " set across three valleys. Researchers have long"}]}]},
		{"id": "h2", "uri": "https://elsewhere.example/x", "target": [{"source": "https://elsewhere.example/x",
		"selector": [{"type": "TextQuoteSelector", "exact": "x"}]}]}]`
	out, errs, code = gloss(t, db, hyp, "import-annotations", "-")
	if code != 1 || out != "1 anchored, 0 orphaned\n" ||
		!strings.Contains(errs, "no article for https://elsewhere.example/x (1 annotation(s) skipped)") {
		t.Errorf("Hypothesis import = %q, %q, exit %d", out, errs, code)
	}
}

func TestAnnotateCommandErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	page := filepath.Join(dir, "moths.html")
	os.WriteFile(page, []byte(testPage), 0o644)
	if _, errs, code := gloss(t, db, "", "import", "--url", "https://example.org/moths", page); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	hid := newHighlight(t, db, "1", "--quote", "nine to one")
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"highlight", "1"}, 2, "give --quote TEXT or --start N --end N"},
		{[]string{"highlight", "1", "--quote", "x", "--start", "1", "--end", "2"}, 2, "not both"},
		{[]string{"highlight", "abc", "--quote", "x"}, 2, "not an article id"},
		{[]string{"highlight", "1", "--quote", "lamp"}, 1, "quote is ambiguous: it appears 2 times"},
		{[]string{"highlight", "1", "--quote", "caterpillar"}, 1, "quote not found"},
		{[]string{"highlight", "9", "--quote", "x"}, 1, "not found"},
		{[]string{"highlight", "1", "--quote", "nine", "--claim-kind", "rumour"}, 1, `claim kind "rumour" is not one of: fact, statistic, quote, prediction, opinion`},
		{[]string{"highlight", "1", "--quote", "nine", "--color", "grey"}, 1, "yellow, green, blue, pink, purple, orange"},
		{[]string{"note", hid}, 2, "give an id and the note"},
		{[]string{"note", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "x"}, 1, "not found"},
		{[]string{"tag", "abc", "x"}, 2, "neither an article id nor a highlight id"},
		{[]string{"tag", hid}, 2, "at least one tag"},
		{[]string{"tag", hid, " "}, 1, "empty"},
		{[]string{"color", "1", "blue"}, 2, "not a highlight id"},
		{[]string{"claim", hid, "--claim-status", "true"}, 1, "unchecked, supported, disputed, false, misleading, unverifiable"},
		{[]string{"claim", hid, "--link", "/relative"}, 1, "not an absolute http or https address"},
		{[]string{"unhighlight"}, 2, "at least one highlight id"},
		{[]string{"unhighlight", hid, "6f9619ff-8b86-d011-b42d-00c04fc964ff"}, 1, "not found"},
		{[]string{"reanchor", "9"}, 1, "not found"},
		{[]string{"annotations", "9"}, 1, "not found"},
		{[]string{"export-annotations", "1", "--format", "csv"}, 2, `unknown format "csv"`},
		{[]string{"export-annotations"}, 2, "at least one article id"},
		{[]string{"import-annotations", filepath.Join(dir, "absent.json")}, 1, "absent.json"},
		{[]string{"import-annotations", page}, 1, "not JSON"},
	}
	for _, tt := range tests {
		_, errs, code := gloss(t, db, "", tt.args...)
		if code != tt.wantCode || !strings.Contains(errs, tt.wantErr) {
			t.Errorf("%v = %q, exit %d; want exit %d and %q", tt.args, errs, code, tt.wantCode, tt.wantErr)
		}
	}
	// The failed unhighlight deleted nothing.
	if n := len(annotationsOf(t, db, "1").Highlights); n != 1 {
		t.Errorf("%d highlights after a failed unhighlight, want 1", n)
	}
}
