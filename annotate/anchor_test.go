package annotate

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// selectorAt returns the selector of the first occurrence of quote in text, failing the
// test if there is none.
func selectorAt(t *testing.T, text, quote string) Selector {
	t.Helper()
	i := strings.Index(text, quote)
	if i < 0 {
		t.Fatalf("%q not in the text", quote)
	}
	sel, err := Describe(text, i, i+len(quote))
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

func TestDescribe(t *testing.T) {
	long := strings.Repeat("abcdefghij", 5) // 50 bytes
	tests := []struct {
		name       string
		text       string
		start, end int
		want       Quote
	}{
		{"middle", long + "QUOTE" + long, 50, 55, Quote{Exact: "QUOTE", Prefix: long[18:], Suffix: long[:32]}},
		{"text start", "QUOTE and then some", 0, 5, Quote{Exact: "QUOTE", Prefix: "", Suffix: " and then some"}},
		{"text end", "some text then QUOTE", 15, 20, Quote{Exact: "QUOTE", Prefix: "some text then ", Suffix: ""}},
		{"whole text", "QUOTE", 0, 5, Quote{Exact: "QUOTE"}},
		{
			"context counts characters, not bytes",
			strings.Repeat("é", 40) + "|" + strings.Repeat("日", 40), 80, 81,
			Quote{Exact: "|", Prefix: strings.Repeat("é", 32), Suffix: strings.Repeat("日", 32)},
		},
		{"emoji quote", "x 👍🏽 y", 2, 10, Quote{Exact: "👍🏽", Prefix: "x ", Suffix: " y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Describe(tt.text, tt.start, tt.end)
			if err != nil {
				t.Fatalf("Describe: %v", err)
			}
			want := Selector{Position{tt.start, tt.end}, tt.want}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestDescribeErrors(t *testing.T) {
	text := "café au lait" // é is bytes 3 and 4
	tests := []struct {
		name       string
		start, end int
	}{
		{"negative start", -1, 3},
		{"end past the text", 0, 99},
		{"reversed", 5, 2},
		{"empty", 2, 2},
		{"start inside a character", 4, 8},
		{"end inside a character", 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Describe(text, tt.start, tt.end)
			if !errors.Is(err, ErrInvalidRange) {
				t.Errorf("Describe(%d, %d) error = %v, want ErrInvalidRange", tt.start, tt.end, err)
			}
		})
	}
}

func TestOnRuneBoundary(t *testing.T) {
	tests := []struct {
		text string
		i    int
		want bool
	}{
		{"aé", 0, true},
		{"aé", 1, true},
		{"aé", 2, false},
		{"aé", 3, true},
		{"aé", 4, false},
		{"a\xffb", 2, true},            // after an invalid byte, decoded alone
		{"\xe2\x80", 1, true},          // a truncated sequence decodes byte by byte
		{"\x80\x80\x80\x80x", 4, true}, // stray continuation bytes
		{"👍", 3, false},
	}
	for _, tt := range tests {
		if got := onRuneBoundary(tt.text, tt.i); got != tt.want {
			t.Errorf("onRuneBoundary(%q, %d) = %v, want %v", tt.text, tt.i, got, tt.want)
		}
	}
}

func TestCodePoints(t *testing.T) {
	text := "aé👍b" // byte offsets 0 1 3 7 8; code points 0 1 2 3 4
	for _, tt := range []struct{ bytes, cps int }{{0, 0}, {1, 1}, {3, 2}, {7, 3}, {8, 4}} {
		if got := ToCodePoints(text, tt.bytes); got != tt.cps {
			t.Errorf("ToCodePoints(%d) = %d, want %d", tt.bytes, got, tt.cps)
		}
		got, err := FromCodePoints(text, tt.cps)
		if err != nil || got != tt.bytes {
			t.Errorf("FromCodePoints(%d) = %d, %v, want %d", tt.cps, got, err, tt.bytes)
		}
	}
	// Inside a character counts from its start; outside the text is clamped.
	for _, tt := range []struct{ bytes, cps int }{{2, 1}, {5, 2}, {-4, 0}, {99, 4}} {
		if got := ToCodePoints(text, tt.bytes); got != tt.cps {
			t.Errorf("ToCodePoints(%d) = %d, want %d", tt.bytes, got, tt.cps)
		}
	}
	for _, cp := range []int{-1, 5} {
		if _, err := FromCodePoints(text, cp); !errors.Is(err, ErrInvalidRange) {
			t.Errorf("FromCodePoints(%d) error = %v, want ErrInvalidRange", cp, err)
		}
	}
}

func TestOccurrences(t *testing.T) {
	tests := []struct {
		text, exact string
		want        []int
	}{
		{"one two one", "one", []int{0, 8}},
		{"aaaa", "aa", []int{0, 1, 2}},
		{"abc", "", nil},
		{"abc", "x", nil},
		{"é", "\xa9", nil}, // inside a character
		{"日本日本", "日本", []int{0, 6}},
	}
	for _, tt := range tests {
		got := Occurrences(tt.text, tt.exact)
		if len(got) != len(tt.want) {
			t.Errorf("Occurrences(%q, %q) = %v, want %v", tt.text, tt.exact, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Occurrences(%q, %q) = %v, want %v", tt.text, tt.exact, got, tt.want)
			}
		}
	}
}

func TestFindQuote(t *testing.T) {
	text := "The council said “no”.\n\nThe council\u00a0said  yes, and the council said it again… twice."
	tests := []struct {
		name       string
		quote      string
		occurrence int
		want       string // the text found
		wantNth    int    // which occurrence of want in the text, from 1
	}{
		{"exact", "said “no”", 0, "said “no”", 1},
		{"double space in the text", "said yes", 0, "said  yes", 1},
		{"no-break space in the text", "council said yes", 0, "council\u00a0said  yes", 1},
		{"pasted across blocks", "said “no”.\nThe council", 0, "said “no”.\n\nThe council", 1},
		{"surrounding whitespace trimmed", "  it again \n", 0, "it again", 1},
		{"typographic quotes folded", `said "no"`, 0, "said “no”", 1},
		{"ellipsis folded", "again... twice", 0, "again… twice", 1},
		{"occurrence 2", "council", 2, "council", 2},
		{"occurrence 3", "council", 3, "council", 3},
		{"occurrence 1 of 1", "twice", 1, "twice", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindQuote(text, tt.quote, tt.occurrence)
			if err != nil {
				t.Fatalf("FindQuote: %v", err)
			}
			wantStart := -1
			for range tt.wantNth {
				wantStart += 1 + strings.Index(text[wantStart+1:], tt.want)
			}
			want := Position{Start: wantStart, End: wantStart + len(tt.want)}
			if got != want {
				t.Errorf("got %+v (%q), want %+v (%q)", got, text[got.Start:got.End], want, tt.want)
			}
		})
	}
}

func TestFindQuoteErrors(t *testing.T) {
	text := "one two one two one"
	tests := []struct {
		name       string
		quote      string
		occurrence int
		want       error
		count      int
		message    string
	}{
		{"not found", "three", 0, ErrQuoteNotFound, 0, "quote not found"},
		{"ambiguous", "one", 0, ErrQuoteAmbiguous, 3, "quote is ambiguous: it appears 3 times; choose an occurrence from 1 to 3"},
		{"occurrence too high", "two", 3, ErrOccurrenceRange, 2, "occurrence out of range: occurrence 3 asked for, the quote appears 2 times"},
		{"occurrence negative", "two", -1, ErrOccurrenceRange, 2, "occurrence out of range: occurrence -1 asked for, the quote appears 2 times"},
		{"single occurrence too high", "one two one two one", 2, ErrOccurrenceRange, 1, "occurrence out of range: occurrence 2 asked for, the quote appears 1 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FindQuote(text, tt.quote, tt.occurrence)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var qe *QuoteError
			if !errors.As(err, &qe) {
				t.Fatalf("error %T is not a *QuoteError", err)
			}
			if qe.Count != tt.count {
				t.Errorf("Count = %d, want %d", qe.Count, tt.count)
			}
			if err.Error() != tt.message {
				t.Errorf("message %q, want %q", err.Error(), tt.message)
			}
		})
	}
	if _, err := FindQuote(text, " \n\t", 0); !errors.Is(err, ErrEmptyQuote) {
		t.Errorf("blank quote: error = %v, want ErrEmptyQuote", err)
	}
}

// anchorArticle is the text the anchoring scenarios start from.
const anchorArticle = `The harbour at Kestrel Point has been dredged three times since 1998, and each time the council promised it would be the last. “We were told the silt would not come back,” said Maren Oduya, who has fished from the point for twenty-two years.

The latest plan costs four million pounds and adds a breakwater that engineers say will slow the drift of sand along the coast. Critics call it a sticking plaster. Supporters say it is the first plan to treat the cause rather than the symptom.

That survey, published in March, found that most of the silt arrives during winter storms. It recommended a breakwater of at least three hundred metres; the council's plan builds one hundred and eighty. Asked about the gap, a spokesperson said the first phase is what the budget allows.

Fishermen are not convinced. Oduya keeps a notebook of every dredging date, every promise and every meeting. She said the council had promised a public meeting. The council said the meeting would be held in June.

Work is due to start in September. The council says the harbour will stay open throughout, although berths on the north quay will close for six weeks.`

func TestAnchor(t *testing.T) {
	longQuote := "The latest plan costs four million pounds and adds a breakwater that engineers say will slow the drift of sand along the coast. Critics call it a sticking plaster. Supporters say it is the first plan to treat the cause rather than the symptom."
	tests := []struct {
		name    string
		quote   string // highlighted in article (first occurrence)
		newText string
		status  AnchorStatus
		want    string // the anchored text; its first occurrence in newText, or wantAt
		wantAt  int    // byte offset of the anchor when want occurs more than once (else -1)
	}{
		{"unchanged", "slow the drift of sand", anchorArticle, AnchorExact, "slow the drift of sand", -1},
		{
			"paragraph inserted before", "slow the drift of sand",
			"An update was added on Tuesday.\n\n" + anchorArticle, AnchorMoved, "slow the drift of sand", -1,
		},
		{
			"sentences deleted before", "slow the drift of sand",
			strings.Replace(anchorArticle, " Critics call it a sticking plaster.", "", 1), AnchorExact, "slow the drift of sand", -1,
		},
		{
			"whole paragraph moved", longQuote,
			strings.Replace(anchorArticle, longQuote+"\n\n", "", 1) + "\n\n" + longQuote, AnchorMoved, longQuote, -1,
		},
		{
			"typo fixed inside", "every dredging date, every promise",
			strings.Replace(anchorArticle, "dredging date, every promise", "dredging date, every promisse", 1),
			AnchorFuzzy, "every dredging date, every promisse", -1,
		},
		{
			"word changed inside a long quote", longQuote,
			strings.Replace(anchorArticle, "four million pounds", "five million pounds", 1),
			AnchorFuzzy, strings.Replace(longQuote, "four", "five", 1), -1,
		},
		{
			"word changed at the quote's end", "the first phase is what the budget allows",
			strings.Replace(anchorArticle, "the budget allows", "the budget permits", 1),
			AnchorFuzzy, "the first phase is what the budget permits", -1,
		},
		{
			"typography normalised inside", "“We were told the silt would not come back,”",
			strings.NewReplacer("“", `"`, "”", `"`).Replace(anchorArticle),
			AnchorFuzzy, `"We were told the silt would not come back,"`, -1,
		},
		{
			"whitespace changed inside", "Critics call it a sticking plaster. Supporters",
			strings.Replace(anchorArticle, "plaster. Supporters", "plaster.\u00a0 Supporters", 1),
			AnchorFuzzy, "Critics call it a sticking plaster.\u00a0 Supporters", -1,
		},
		{
			"repeated words told apart by context", "The council said",
			"The council said nothing.\n\n" + anchorArticle, AnchorMoved, "The council said", 27 + strings.Index(anchorArticle, "The council said"),
		},
		{
			"passage deleted", "She said the council had promised a public meeting.",
			strings.Replace(anchorArticle, " She said the council had promised a public meeting.", "", 1), AnchorOrphan, "", -1,
		},
		{
			"short passage deleted, its words still elsewhere", "the council",
			strings.Replace(anchorArticle, "and each time the council promised it would be the last", "and each time promises were made", 1),
			AnchorOrphan, "", -1,
		},
		{
			"passage rewritten", "Critics call it a sticking plaster.",
			strings.Replace(anchorArticle, "Critics call it a sticking plaster.", "Opponents dismiss it entirely.", 1), AnchorOrphan, "", -1,
		},
		{
			"short quote, context changed on both sides", "sticking plaster",
			strings.Replace(anchorArticle, "Critics call it a sticking plaster. Supporters", "A sticking plaster, some say; others", 1), AnchorOrphan, "", -1,
		},
		{"new text empty", "slow the drift of sand", "", AnchorOrphan, "", -1},
		{
			"quote at the text's start", "The harbour at Kestrel Point",
			strings.Replace(anchorArticle, "dredged three times", "dredged 3 times", 1), AnchorExact, "The harbour at Kestrel Point", -1,
		},
		{
			"quote at the text's end", "close for six weeks.",
			anchorArticle + "\n\nThe council will publish a timetable.", AnchorExact, "close for six weeks.", -1,
		},
		{
			"edits in the quote and next to it on both sides", "slow the drift of sand",
			strings.Replace(anchorArticle, "engineers say will slow the drift of sand along the coast.", "engineer says will slow the drift of sands along the coast!", 1),
			AnchorFuzzy, "slow the drift of sands", -1,
		},
		{
			// No exact probe finds anything here: the search is seeded by Bitap.
			"edits inside the quote and near it on both sides", "slow the drift of sand",
			strings.Replace(anchorArticle, "engineers say will slow the drift of sand along the coast.", "engineers said will slow the drfit of sand along our coast.", 1),
			AnchorFuzzy, "slow the drfit of sand", -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := selectorAt(t, anchorArticle, tt.quote)
			got := Anchor(tt.newText, sel)
			if got.Status != tt.status {
				t.Fatalf("status %v (%+v), want %v", got.Status, got, tt.status)
			}
			if tt.status == AnchorOrphan {
				if got != (AnchorResult{}) {
					t.Errorf("orphan result %+v, want the zero result", got)
				}
				return
			}
			start := tt.wantAt
			if start < 0 {
				start = strings.Index(tt.newText, tt.want)
			}
			want := Position{Start: start, End: start + len(tt.want)}
			if got.Position != want {
				t.Errorf("anchored %+v %q, want %+v %q", got.Position, tt.newText[got.Start:got.End], want, tt.want)
			}
			if got.Status == AnchorFuzzy && (got.Score <= 0 || got.Score > 1) {
				t.Errorf("fuzzy score %v, want in (0, 1]", got.Score)
			}
			if got.Status != AnchorFuzzy && got.Score != 1 {
				t.Errorf("%v score %v, want 1", got.Status, got.Score)
			}
		})
	}
}

func TestAnchorTiesGoNearest(t *testing.T) {
	// The same sentence in the same context twice: nothing but the old position tells
	// the copies apart.
	block := "Read more.\n\nPrices rose again.\n\nRead more.\n\n"
	old := block + block
	second := len(block) + strings.Index(block, "Prices rose again.")
	sel, err := Describe(old, second, second+len("Prices rose again."))
	if err != nil {
		t.Fatal(err)
	}
	got := Anchor("Intro.\n\n"+old, sel)
	want := Position{Start: second + len("Intro.\n\n"), End: second + len("Intro.\n\n") + len("Prices rose again.")}
	if got.Status != AnchorMoved || got.Position != want {
		t.Errorf("got %+v, want moved to %+v", got, want)
	}
}

func TestAnchorStalePosition(t *testing.T) {
	// The stored position may point anywhere in the new text, or past its end.
	sel := selectorAt(t, anchorArticle, "close for six weeks.")
	short := "Work is due to start in September. Berths will close for six weeks. More later."
	got := Anchor(short, sel)
	if got.Status != AnchorOrphan {
		t.Fatalf("got %+v: the context changed on both sides of a short quote, want an orphan", got)
	}
	sel.Start, sel.End = len(anchorArticle)+10, len(anchorArticle)+30
	got = Anchor(anchorArticle, sel)
	want := strings.Index(anchorArticle, "close for six weeks.")
	if got.Status != AnchorMoved || got.Start != want {
		t.Errorf("got %+v, want moved to %d", got, want)
	}
}

func TestAnchorAllMatchesAnchor(t *testing.T) {
	newText := "A note before.\n\n" + strings.Replace(anchorArticle, "sticking plaster", "stopgap", 1)
	var sels []Selector
	for _, q := range []string{"slow the drift of sand", "Critics call it a sticking plaster.", "The council said", "every promise", "never there"} {
		if strings.Contains(anchorArticle, q) {
			sels = append(sels, selectorAt(t, anchorArticle, q))
		} else {
			sels = append(sels, Selector{Quote: Quote{Exact: q}})
		}
	}
	all := AnchorAll(newText, sels)
	if len(all) != len(sels) {
		t.Fatalf("got %d results for %d selectors", len(all), len(sels))
	}
	for i, sel := range sels {
		if one := Anchor(newText, sel); all[i] != one {
			t.Errorf("selector %d: AnchorAll %+v, Anchor %+v", i, all[i], one)
		}
	}
	if all[4].Status != AnchorOrphan {
		t.Errorf("a quote never in the text: %+v, want an orphan", all[4])
	}
}

func TestAnchorStatus(t *testing.T) {
	for _, s := range []AnchorStatus{AnchorOrphan, AnchorExact, AnchorMoved, AnchorFuzzy} {
		got, err := ParseAnchorStatus(s.String())
		if err != nil || got != s {
			t.Errorf("ParseAnchorStatus(%q) = %v, %v, want %v", s.String(), got, err, s)
		}
	}
	if _, err := ParseAnchorStatus("lost"); !errors.Is(err, ErrUnknownAnchorStatus) {
		t.Errorf("ParseAnchorStatus(lost) error = %v, want ErrUnknownAnchorStatus", err)
	}
	if got, want := AnchorStatus(9).String(), "AnchorStatus(9)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	var zero AnchorResult
	if zero.Status != AnchorOrphan {
		t.Errorf("zero AnchorResult status %v, want orphan", zero.Status)
	}
}

// refEditTable fills the edit-distance table of p against t row by row: free reports whether
// a match may start anywhere in t (Sellers) or only at its start. It returns the last row.
func refEditTable(p, t []rune, free bool) []int {
	prev := make([]int, len(t)+1)
	for j := range prev {
		if !free {
			prev[j] = j
		}
	}
	for i := 1; i <= len(p); i++ {
		row := make([]int, len(t)+1)
		row[0] = i
		for j := 1; j <= len(t); j++ {
			d := prev[j-1]
			if p[i-1] != t[j-1] {
				d++
			}
			row[j] = min(d, prev[j]+1, row[j-1]+1)
		}
		prev = row
	}
	return prev
}

// refEditBest returns the least value of a table's last row and its last position.
func refEditBest(row []int) (dist, end int) {
	dist = row[0]
	for j, d := range row {
		if d <= dist {
			dist, end = d, j
		}
	}
	return dist, end
}

func TestBitPatternMatchesTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomRunes := func(n int) []rune {
		alphabet := []rune("abcé日 ")
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return rs
	}
	lengths := []int{1, 2, 7, 63, 64, 65, 127, 128, 129, 200}
	for _, m := range lengths {
		for range 20 {
			p, tx := randomRunes(m), randomRunes(rng.IntN(260))
			bp := newBitPattern(p)
			global := refEditTable(p, tx, false)
			if got, want := bp.distance(tx), global[len(tx)]; got != want {
				t.Fatalf("distance(%q, %q) = %d, want %d", string(p), string(tx), got, want)
			}
			gd, ge := bp.bestPrefix(tx)
			wd, we := refEditBest(global)
			if gd != wd || ge != we {
				t.Fatalf("bestPrefix(%q, %q) = %d, %d, want %d, %d", string(p), string(tx), gd, ge, wd, we)
			}
			gd, ge = bp.bestEnd(tx)
			wd, we = refEditBest(refEditTable(p, tx, true))
			if gd != wd || ge != we {
				t.Fatalf("bestEnd(%q, %q) = %d, %d, want %d, %d", string(p), string(tx), gd, ge, wd, we)
			}
		}
	}
}
