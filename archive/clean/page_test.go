package clean

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestPageSplitsBreakParagraphs checks that Page makes a paragraph of each part of a <p>
// between runs of two or more <br>, so that readability keeps them as paragraphs instead
// of turning the <p> into a div it may drop.
func TestPageSplitsBreakParagraphs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"two breaks", `<p class="lead" id="x">One<br><br>Two</p>`,
			`<p class="lead" id="x">One</p><p class="lead">Two</p>`},
		{"one break stays", `<p>One<br>Two</p>`, `<p>One<br/>Two</p>`},
		{"blanks inside the run", "<p>One<br> <!-- c --> <br>\n<br>Two</p>", `<p>One</p><p>Two</p>`},
		{"three parts, inline kept", `<p><b>One</b><br><br>Two <a href="/a">link</a><br/><br/>Three</p>`,
			`<p><b>One</b></p><p>Two <a href="/a">link</a></p><p>Three</p>`},
		{"break between other nodes is no run", `<p>One<br><span></span><br>Two</p>`,
			`<p>One<br/><span></span><br/>Two</p>`},
		{"trailing run", `<p>One<br><br></p><p>Next</p>`, `<p>One</p><p>Next</p>`},
		{"leading run", `<p><br><br>One</p>`, `<p>One</p>`},
		{"breaks inside an inline element stay", `<p><span>One<br><br>Two</span></p>`,
			`<p><span>One<br/><br/>Two</span></p>`},
		{"removed with its comment section", `<p>Article.</p><div id="comments"><p>Nice<br><br>post</p></div>`,
			`<p>Article.</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader("<html><body>" + tt.in + "</body></html>"))
			if err != nil {
				t.Fatal(err)
			}
			Page(root)
			var b strings.Builder
			for ch := findElement(root, "body").FirstChild; ch != nil; ch = ch.NextSibling {
				b.WriteString(render(ch))
			}
			if got := b.String(); got != tt.want {
				t.Errorf("Page(%s) left\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}
