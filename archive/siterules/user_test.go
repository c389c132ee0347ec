package siterules

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestUserRuleApply(t *testing.T) {
	page := `<html><body>` +
		`<div class="story"><p>Real text mentions subscribers.</p>` +
		`<div class="box promo-x"><p>Keep me</p></div>` +
		`<div class="promo"><p>Buy now</p></div>` +
		`<section><div><p>Subscribe to our   <b>newsletter</b> today!</p></div></section>` +
		`<ul><li>Share on X</li><li>Other</li></ul>` +
		`</div></body></html>`
	tests := []struct {
		rule    UserRule
		want    string // inner HTML of the story after Apply
		reasons []string
	}{
		{
			rule:    UserRule{Host: "example.com", Kind: StripXPath, Value: "//ul"},
			want:    `<p>Real text mentions subscribers.</p><div class="box promo-x"><p>Keep me</p></div><div class="promo"><p>Buy now</p></div><section><div><p>Subscribe to our   <b>newsletter</b> today!</p></div></section>`,
			reasons: []string{"your rule for example.com: strip XPath //ul"},
		},
		{
			// A whole class name: "promo-x" stays.
			rule:    UserRule{Host: "https://www.example.com/a/b?c", Kind: StripClass, Value: ".promo"},
			want:    `<p>Real text mentions subscribers.</p><div class="box promo-x"><p>Keep me</p></div><section><div><p>Subscribe to our   <b>newsletter</b> today!</p></div></section><ul><li>Share on X</li><li>Other</li></ul>`,
			reasons: []string{`your rule for example.com: strip class "promo"`},
		},
		{
			// The smallest block: the <p>, not its div or section; case and white
			// space do not matter.
			rule:    UserRule{Host: ".example.com", Kind: StripText, Value: "subscribe to our NEWSLETTER"},
			want:    `<p>Real text mentions subscribers.</p><div class="box promo-x"><p>Keep me</p></div><div class="promo"><p>Buy now</p></div><section><div></div></section><ul><li>Share on X</li><li>Other</li></ul>`,
			reasons: []string{`your rule for example.com: strip text "subscribe to our NEWSLETTER"`},
		},
		{
			rule:    UserRule{Host: "example.com", Kind: StripText, Value: `/^Share on \w+$/`},
			want:    `<p>Real text mentions subscribers.</p><div class="box promo-x"><p>Keep me</p></div><div class="promo"><p>Buy now</p></div><section><div><p>Subscribe to our   <b>newsletter</b> today!</p></div></section><ul><li>Other</li></ul>`,
			reasons: []string{`your rule for example.com: strip text /^Share on \w+$/`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule.Kind.String(), func(t *testing.T) {
			r, err := tt.rule.Rule()
			if err != nil {
				t.Fatal(err)
			}
			doc := mustDoc(t, page)
			res, err := r.Apply(doc, "")
			if err != nil {
				t.Fatal(err)
			}
			story := findElements(doc, func(n *html.Node) bool { return attr(n, "class") == "story" })[0]
			var got strings.Builder
			for c := story.FirstChild; c != nil; c = c.NextSibling {
				got.WriteString(render(t, c))
			}
			if got.String() != tt.want {
				t.Errorf("after Apply:\n got %s\nwant %s", got.String(), tt.want)
			}
			if g := reasons(res.Removals); !reflect.DeepEqual(g, tt.reasons) {
				t.Errorf("reasons = %q, want %q", g, tt.reasons)
			}
		})
	}
}

func TestUserRuleValidate(t *testing.T) {
	tests := []struct {
		rule UserRule
		want error // nil for a valid rule
	}{
		{UserRule{Host: "example.com", Kind: StripXPath, Value: "//div[@id='x']"}, nil},
		{UserRule{Host: ".example.com", Kind: StripClass, Value: "promo"}, nil},
		{UserRule{Host: "example.com", Kind: StripText, Value: "/(?i)read more/"}, nil},
		{UserRule{Host: "sub.example.co.uk:8080", Kind: StripText, Value: "Read more"}, nil},

		{UserRule{Host: "", Kind: StripClass, Value: "promo"}, ErrBadHost},
		{UserRule{Host: "localhost", Kind: StripClass, Value: "promo"}, ErrBadHost},
		{UserRule{Host: "exa mple.com", Kind: StripClass, Value: "promo"}, ErrBadHost},
		{UserRule{Host: "global", Kind: StripClass, Value: "promo"}, ErrBadHost},
		{UserRule{Host: "example.com", Kind: 0, Value: "promo"}, ErrBadKind},
		{UserRule{Host: "example.com", Kind: StripClass, Value: "  "}, ErrEmptyValue},
		{UserRule{Host: "example.com", Kind: StripXPath, Value: "//div["}, ErrBadXPath},
		{UserRule{Host: "example.com", Kind: StripXPath, Value: "string(//title)"}, ErrNotElements},
		{UserRule{Host: "example.com", Kind: StripXPath, Value: "count(//p)"}, ErrNotElements},
		{UserRule{Host: "example.com", Kind: StripClass, Value: "promo box"}, ErrBadClass},
		{UserRule{Host: "example.com", Kind: StripClass, Value: "a.b"}, ErrBadClass},
		{UserRule{Host: "example.com", Kind: StripText, Value: "/([a-z/"}, ErrBadPattern},
		{UserRule{Host: "example.com", Kind: StripText, Value: "/x*/"}, ErrBadPattern},
		{UserRule{Host: "example.com", Kind: StripText, Value: "ab"}, ErrBadPattern},
	}
	for _, tt := range tests {
		err := tt.rule.Validate()
		if tt.want == nil {
			if err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", tt.rule, err)
			}
			continue
		}
		var ue *UserRuleError
		if !errors.Is(err, tt.want) || !errors.As(err, &ue) {
			t.Errorf("Validate(%+v) = %v, want a *UserRuleError wrapping %v", tt.rule, err, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "rule for ") {
			t.Errorf("message %q does not start with the site", err)
		}
	}
}

func TestUserRuleErrorMessage(t *testing.T) {
	err := UserRule{Host: "example.com", Kind: StripClass, Value: "promo box"}.Validate()
	if got, want := err.Error(), `rule for example.com: a class name is one word, without spaces: "promo box"`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
