package doc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs", "<p>One  two\n three.</p><p>Four.</p>", "One two three.\n\nFour."},
		{"inline styles keep spaces", "<p>A <b>bold</b> and <i>italic</i> <a href=x>link</a>.</p>", "A bold and italic link."},
		{"nbsp and invisible", "<p>a\u00a0b soft\u00adhyphen zero\u200bwidth</p>", "a b softhyphen zerowidth"},
		{"br", "<p>line one<br>line two<br><br><br>line three<br></p>", "line one\nline two\nline three"},
		{"pre keeps space", "<pre>func f() {\r\n\treturn  1\n\n}\n\n</pre>", "func f() {\n\treturn  1\n\n}"},
		{"headings and lists", "<h2>Title</h2><ul><li>one</li><li>two<ul><li>inner</li></ul>after</li></ul>", "Title\n\none\n\ntwo\n\ninner\n\nafter"},
		{"text between blocks", "<div>lead<p>para</p>tail</div>", "lead\n\npara\n\ntail"},
		{"table rows", "<table><tr><th>a</th><th>b c</th></tr><tr><td><p>1</p></td><td>2</td></tr></table>", "a\tb c\n\n1\t2"},
		{"images have no text", "<p>before</p><figure><img src=x.png alt='An  image'><figcaption>Cap</figcaption></figure><p>after</p>", "before\n\nCap\n\nafter"},
		{"skipped elements", "<p>kept<script>bad()</script><style>p{}</style></p><noscript>no</noscript>", "kept"},
		{"nfc", "<p>e\u0301</p>", "\u00e9"},
		{"empty", "", ""},
		{"space only", "<p> \n </p><div>\t</div>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.html); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	d := Parse(`<h1>Head</h1><p>Plain <strong>bold <em>both</em></strong> <a href="https://e.x/">link</a></p>` +
		`<blockquote><p>quoted</p></blockquote><ol start="3"><li>three</li><li>four</li></ol><hr>` +
		`<p><img src="a.png" width="20" height="10" alt="A"></p><pre><code>x := 1</code></pre>`)
	type blk struct {
		kind   Kind
		text   string
		level  int
		quote  int
		depth  int
		marker string
	}
	var got []blk
	for _, b := range d.Blocks {
		got = append(got, blk{b.Kind, d.Text[b.Start:b.End], b.Level, b.Quote, b.Depth, b.Marker})
	}
	want := []blk{
		{Heading, "Head", 1, 0, 0, ""},
		{Paragraph, "Plain bold both link", 0, 0, 0, ""},
		{Paragraph, "quoted", 0, 1, 0, ""},
		{ListItem, "three", 0, 0, 1, "3."},
		{ListItem, "four", 0, 0, 1, "4."},
		{Rule, "", 0, 0, 0, ""},
		{Image, "", 0, 0, 0, ""},
		{Code, "x := 1", 0, 0, 0, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d blocks %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if img := d.Blocks[6]; img.Src != "a.png" || img.Width != 20 || img.Height != 10 || img.Alt != "A" {
		t.Errorf("image block = %+v", img)
	}

	type run struct {
		text  string
		style Style
		href  string
	}
	var runs []run
	for _, r := range d.Blocks[1].Runs {
		runs = append(runs, run{d.Text[r.Start:r.End], r.Style, r.Href})
	}
	wantRuns := []run{
		{"Plain ", 0, ""},
		{"bold ", Bold, ""},
		{"both ", Bold | Italic, ""},
		{"link", Link, "https://e.x/"},
	}
	if len(runs) != len(wantRuns) {
		t.Fatalf("runs = %+v, want %+v", runs, wantRuns)
	}
	for i := range wantRuns {
		if runs[i] != wantRuns[i] {
			t.Errorf("run %d = %+v, want %+v", i, runs[i], wantRuns[i])
		}
	}
	if c := d.Blocks[7].Runs[0]; c.Style != Mono {
		t.Errorf("code run style = %v, want Mono", c.Style)
	}
}

func TestBlockAt(t *testing.T) {
	d := Parse("<p>aaa</p><p>bbb</p>")
	for _, tt := range []struct{ off, want int }{{0, 0}, {2, 0}, {3, 1}, {4, 1}, {5, 1}, {7, 1}, {8, 2}} {
		if got := d.BlockAt(tt.off); got != tt.want {
			t.Errorf("BlockAt(%d) = %d, want %d", tt.off, got, tt.want)
		}
	}
}

func TestWordCount(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{{"", 0}, {"one two  three", 3}, {"it's a well-known fact.", 4}, {"日本語", 3}, {"- -- '", 0}} {
		if got := WordCount(tt.text); got != tt.want {
			t.Errorf("WordCount(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

// FuzzParse states the invariants every consumer of a Document relies on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"<p>a <b>b</b></p>", "<pre>x\n\ny</pre><ul><li>1<li>2</ul>", "<table><tr><td>a<td>b</table>", "e\u0301<br><br>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d := Parse(in)
		if !utf8.ValidString(d.Text) && utf8.ValidString(in) {
			t.Fatalf("text is not valid UTF-8")
		}
		prev := 0
		for i, b := range d.Blocks {
			if b.Start < prev || b.End < b.Start || b.End > len(d.Text) {
				t.Fatalf("block %d range [%d,%d) out of order or outside text of %d", i, b.Start, b.End, len(d.Text))
			}
			prev = b.End
			at := b.Start
			for _, r := range b.Runs {
				if r.Start != at || r.End <= r.Start || r.End > b.End {
					t.Fatalf("block %d run [%d,%d) does not tile [%d,%d)", i, r.Start, r.End, b.Start, b.End)
				}
				at = r.End
			}
			if at != b.End {
				t.Fatalf("block %d runs end at %d, block at %d", i, at, b.End)
			}
			if b.End > b.Start && (strings.HasPrefix(d.Text[b.Start:b.End], " ") && b.Kind != Code) {
				t.Fatalf("block %d starts with a space: %q", i, d.Text[b.Start:b.End])
			}
		}
		if Text(in) != d.Text {
			t.Fatalf("derivation is not deterministic")
		}
	})
}
