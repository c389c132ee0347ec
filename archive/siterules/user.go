package siterules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Kind is what a user rule removes from a page.
type Kind int

// The kinds of user rule.
const (
	// StripXPath removes the elements an XPath 1.0 expression selects.
	StripXPath Kind = iota + 1
	// StripClass removes the elements that have a class (one whole class name,
	// unlike strip_id_or_class, which matches any part of the attribute).
	StripClass
	// StripText removes the smallest block elements whose text matches: Value is
	// plain text, found case-insensitively anywhere in the block's text with white
	// space collapsed, or, written as /.../, a Go regular expression matched
	// against that text (add (?i) for case-insensitivity). "Smallest" means a
	// block is removed only when none of the blocks inside it matches, so a
	// sentence in a footer paragraph removes that paragraph, not the whole page.
	StripText
)

// String returns the kind's name as used in reasons: "XPath", "class" or "text".
func (k Kind) String() string {
	switch k {
	case StripXPath:
		return "XPath"
	case StripClass:
		return "class"
	case StripText:
		return "text"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Errors returned, wrapped in a *UserRuleError, by UserRule.Validate.
var (
	ErrBadHost    = errors.New("not a host name")
	ErrBadKind    = errors.New("unknown kind of rule")
	ErrEmptyValue = errors.New("nothing to match")
	ErrBadClass   = errors.New("a class name is one word, without spaces")
	ErrBadPattern = errors.New("text pattern not usable")
	// ErrNotElements means an XPath expression is valid but gives a value (text,
	// a number) instead of selecting elements to remove.
	ErrNotElements = errors.New("XPath must select elements")
)

// UserRule is a rule the user makes in the app and the library stores, such as
// "on example.com, remove the elements with class promo".
type UserRule struct {
	// Host is "example.com" (that host and www.example.com) or ".example.com"
	// (that host and all its subdomains). A URL is accepted too; its host is used.
	Host  string
	Kind  Kind
	Value string
}

// UserRuleError explains why a user rule cannot be used.
type UserRuleError struct {
	Rule UserRule
	Err  error
}

// Error returns a sentence for the user, e.g. `rule for example.com: a class name
// is one word, without spaces: "a b"`.
func (e *UserRuleError) Error() string {
	host := strings.TrimSpace(e.Rule.Host)
	if host == "" {
		host = "(no site)"
	}
	return fmt.Sprintf("rule for %s: %v", host, e.Err)
}

// Unwrap returns the underlying error.
func (e *UserRuleError) Unwrap() error { return e.Err }

// Validate reports whether the rule can be used: a host pattern, a known kind and
// a value that compiles (XPath that selects elements, a single class name, text
// or a regular expression that cannot match every block).
func (u UserRule) Validate() error {
	_, err := u.Rule()
	return err
}

// Rule converts the user rule to a Rule for Set.Add. Its removals are explained
// as "your rule for example.com: strip class \"promo\"".
func (u UserRule) Rule() (*Rule, error) {
	fail := func(err error) (*Rule, error) { return nil, &UserRuleError{Rule: u, Err: err} }
	host := userHost(u.Host)
	pattern := normalizePattern(host)
	if pattern == "" || pattern == GlobalHost {
		return fail(fmt.Errorf("%w: %q (want example.com, or .example.com for it and all its subdomains)", ErrBadHost, u.Host))
	}
	value := strings.TrimSpace(u.Value)
	if value == "" {
		return fail(ErrEmptyValue)
	}
	shown := strings.TrimPrefix(pattern, ".")
	r := &Rule{Host: pattern}
	src := Source{User: shown}
	switch u.Kind {
	case StripXPath:
		e, err := compileExpr(value)
		if err != nil {
			return fail(err)
		}
		if !selectsNodes(e) {
			return fail(fmt.Errorf("%w: %q gives a value", ErrNotElements, value))
		}
		src.Note = "strip XPath " + value
		e.Source = src
		r.Strip = []*Expr{e}
	case StripClass:
		class := strings.TrimPrefix(value, ".")
		if class == "" || strings.ContainsAny(class, " \t\r\n\f.") {
			return fail(fmt.Errorf("%w: %q", ErrBadClass, value))
		}
		src.Note = fmt.Sprintf("strip class %q", class)
		r.StripClass = []Value{{Source: src, Text: class}}
	case StripText:
		m, err := newTextMatch(value)
		if err != nil {
			return fail(err)
		}
		if m.re != nil {
			src.Note = "strip text " + value
		} else {
			src.Note = fmt.Sprintf("strip text %q", value)
		}
		m.Source = src
		r.StripText = []TextMatch{m}
	default:
		return fail(fmt.Errorf("%w: %v", ErrBadKind, u.Kind))
	}
	return r, nil
}

// userHost accepts a host pattern or a URL and returns the host pattern part.
func userHost(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// selectsNodes reports whether e gives a node set (rather than a string, number
// or boolean), found by evaluating it against an empty document.
func selectsNodes(e *Expr) bool {
	m, err := e.eval(&html.Node{Type: html.DocumentNode})
	if err != nil {
		return false
	}
	return !m.scalar
}

// TextMatch is a user's StripText pattern.
type TextMatch struct {
	Source  Source `json:"source"`
	Pattern string `json:"pattern"` // as the user wrote it: text, or /regexp/

	re    *regexp.Regexp
	plain string // lower-cased, white space collapsed
}

// minPlainText is the shortest plain text a StripText rule accepts: shorter text
// would match blocks all over a page.
const minPlainText = 3

func newTextMatch(p string) (TextMatch, error) {
	if len(p) >= 2 && strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/") {
		re, err := regexp.Compile(p[1 : len(p)-1])
		if err != nil {
			return TextMatch{}, fmt.Errorf("%w: regular expression does not compile: %w", ErrBadPattern, err)
		}
		if re.MatchString("") {
			return TextMatch{}, fmt.Errorf("%w: regular expression %s matches empty text, so every block", ErrBadPattern, p)
		}
		return TextMatch{Pattern: p, re: re}, nil
	}
	plain := strings.ToLower(collapse(p))
	if len([]rune(plain)) < minPlainText {
		return TextMatch{}, fmt.Errorf("%w: %q is too short, give at least %d characters", ErrBadPattern, p, minPlainText)
	}
	return TextMatch{Pattern: p, plain: plain}, nil
}

// matches reports whether a block's text (white space already collapsed) matches.
func (m TextMatch) matches(text string) bool {
	if m.re != nil {
		return m.re.MatchString(text)
	}
	return m.plain != "" && strings.Contains(strings.ToLower(text), m.plain)
}

// blockAtoms are the elements StripText may remove.
var blockAtoms = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Details: true, atom.Dialog: true, atom.Dd: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true,
	atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Table: true, atom.Tr: true, atom.Ul: true,
	atom.Summary: true,
}

// skipAtoms hold no visible text.
var skipAtoms = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
}

// smallestBlocks returns the block elements whose collapsed text matches and
// that contain no matching block, in document order.
func smallestBlocks(doc *html.Node, match func(string) bool) []*html.Node {
	var out []*html.Node
	// visit returns n's text and whether a block inside n (or n) matched.
	var visit func(n *html.Node) (string, bool)
	visit = func(n *html.Node) (string, bool) {
		switch n.Type {
		case html.TextNode:
			return n.Data, false
		case html.ElementNode, html.DocumentNode:
		default:
			return "", false
		}
		if skipAtoms[n.DataAtom] {
			return "", false
		}
		var b strings.Builder
		found := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t, f := visit(c)
			found = found || f
			if c.Type == html.ElementNode && (blockAtoms[c.DataAtom] || c.DataAtom == atom.Br) {
				b.WriteByte(' ')
				b.WriteString(t)
				b.WriteByte(' ')
			} else {
				b.WriteString(t)
			}
		}
		text := b.String()
		if found {
			return text, true
		}
		if n.Type == html.ElementNode && blockAtoms[n.DataAtom] && match(collapse(text)) {
			out = append(out, n)
			return text, true
		}
		return text, false
	}
	visit(doc)
	return out
}
