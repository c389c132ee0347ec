// Package siterules reads, looks up and applies per-site extraction rules in the
// FiveFilters ftr-site-config format (https://github.com/fivefilters/ftr-site-config).
//
// A rule file is named after the host it serves: "example.com.txt" serves
// example.com and www.example.com, ".example.com.txt" serves example.com and every
// subdomain of it, and "global.txt" holds rules for every site. Each line is
// "directive: value"; "#" starts a comment line. The values of title, body, author,
// date, strip, single_page_link, next_page_link and a few more are XPath 1.0
// expressions, compiled when the file is parsed.
//
// Every directive remembers its file and line, so everything a rule removes from a
// page can be explained to the user as "site rule example.com.txt:12 strip".
//
// The order of work for one page is:
//
//	rule := siterules.Merge(set.For(host)...)
//	raw = rule.Rewrite(raw)          // find_string / replace_string, before parsing
//	doc, _ := html.Parse(bytes.NewReader(raw))
//	res, err := rule.Apply(doc, pageURL) // strips, metadata, body, page links
//
// and, for articles split over several pages, JoinPages in place of Apply.
package siterules

import (
	"fmt"
	"strings"
	"sync"

	"github.com/antchfx/xpath"
)

// Source says where a directive came from: a line of a rule file, or a rule the
// user made in the app.
type Source struct {
	File string `json:"file,omitempty"` // rule file name, e.g. "example.com.txt"
	Line int    `json:"line,omitempty"` // 1-based line number in File
	User string `json:"user,omitempty"` // for user rules: the host the rule is for
	Note string `json:"note,omitempty"` // for user rules: what the rule does, in words
}

// String returns the source in the words shown to the user:
// "site rule example.com.txt:12" or "your rule for example.com".
func (s Source) String() string {
	if s.User != "" {
		return "your rule for " + s.User
	}
	return fmt.Sprintf("site rule %s:%d", s.File, s.Line)
}

// reason explains an action taken because of this source.
func (s Source) reason(directive string) string {
	if s.User != "" {
		return "your rule for " + s.User + ": " + s.Note
	}
	return fmt.Sprintf("site rule %s:%d %s", s.File, s.Line, directive)
}

// Expr is a compiled XPath expression from one directive line. It is safe for
// concurrent use.
type Expr struct {
	Source Source `json:"source"`
	Text   string `json:"xpath"`

	mu sync.Mutex // the compiled query keeps iteration state
	x  *xpath.Expr
}

// String returns the expression as written.
func (e *Expr) String() string { return e.Text }

// Value is a plain string directive value, such as a strip_id_or_class word.
type Value struct {
	Source Source `json:"source"`
	Text   string `json:"value"`
}

// Replacement is one find_string/replace_string pair, applied to the raw HTML.
type Replacement struct {
	Source  Source `json:"source"` // the line of replace_string (or the one-line form)
	Find    string `json:"find"`
	Replace string `json:"replace"`
}

// Link is a single_page_link or next_page_link expression, with the
// if_page_contains conditions that follow it: the link is only used when every
// condition matches something in the page.
type Link struct {
	Expr           *Expr   `json:"expr"`
	IfPageContains []*Expr `json:"if_page_contains,omitempty"`
}

// Wrap is a wrap_in(tag): xpath directive: each matched element is wrapped in a
// new element named Tag.
type Wrap struct {
	Tag  string `json:"tag"`
	Expr *Expr  `json:"expr"`
}

// Header is an http_header(name): value directive, to send when fetching the site.
type Header struct {
	Source Source `json:"source"`
	Name   string `json:"name"` // canonical form, e.g. "User-Agent"
	Value  string `json:"value"`
}

// Flag is a yes/no directive that may be absent from a file.
type Flag struct {
	Source Source `json:"source"`
	Set    bool   `json:"set"`
	Value  bool   `json:"value"`
}

// Or returns the flag's value, or def when the rule does not set it.
func (f Flag) Or(def bool) bool {
	if f.Set {
		return f.Value
	}
	return def
}

// Test is a test_url with the test_contains lines that follow it: a page the rule
// was written for, and text the extracted article must contain.
type Test struct {
	Source   Source   `json:"source"`
	URL      string   `json:"url"`
	Contains []string `json:"contains,omitempty"`
}

// Login holds the login_* directives. Gloss does not log in to sites; they are
// kept so that a rule can be shown in full and a page behind a login recognised.
type Login struct {
	Required      Flag     `json:"required"`
	URI           string   `json:"uri,omitempty"`
	UsernameField string   `json:"username_field,omitempty"`
	PasswordField string   `json:"password_field,omitempty"`
	ExtraFields   []string `json:"extra_fields,omitempty"`
	NotLoggedIn   []*Expr  `json:"not_logged_in,omitempty"`
}

// Directive is a directive kept as written because this package does not act on
// it (for example move_into, footnotes, skip_json_ld, or a misspelt name).
type Directive struct {
	Source Source `json:"source"`
	Name   string `json:"name"`
	Arg    string `json:"arg,omitempty"` // the part in parentheses, for name(arg): value
	Value  string `json:"value"`
}

// Rule is the parsed content of one rule file (or a merge of several, see Merge).
// A nil *Rule is valid and does nothing.
type Rule struct {
	// Host is the host pattern the rule serves: "example.com" (that host and its
	// www. form), ".example.com" (that host and all subdomains) or "global".
	Host string `json:"host"`
	// File is the rule file's name; empty for user rules.
	File string `json:"file,omitempty"`

	Title  []*Expr `json:"title,omitempty"`  // first expression that yields text wins
	Author []*Expr `json:"author,omitempty"` // all nodes of the first expression that matches
	Date   []*Expr `json:"date,omitempty"`   // first expression that yields text wins
	Body   []*Expr `json:"body,omitempty"`   // first expression that matches elements wins

	Strip          []*Expr       `json:"strip,omitempty"`
	StripIDOrClass []Value       `json:"strip_id_or_class,omitempty"`
	StripImageSrc  []Value       `json:"strip_image_src,omitempty"`
	StripAttr      []*Expr       `json:"strip_attr,omitempty"`
	StripText      []TextMatch   `json:"strip_text,omitempty"`  // user rules only (StripText)
	StripClass     []Value       `json:"strip_class,omitempty"` // user rules only: a whole class name
	Dissolve       []*Expr       `json:"dissolve,omitempty"`
	WrapIn         []Wrap        `json:"wrap_in,omitempty"`
	NativeAdClue   []*Expr       `json:"native_ad_clue,omitempty"`
	SinglePageLink []Link        `json:"single_page_link,omitempty"`
	NextPageLink   []Link        `json:"next_page_link,omitempty"`
	Replace        []Replacement `json:"replace,omitempty"`

	Prune               Flag   `json:"prune"`
	Tidy                Flag   `json:"tidy"`
	AutodetectOnFailure Flag   `json:"autodetect_on_failure"`
	Parser              string `json:"parser,omitempty"`
	SrcLazyLoadAttr     string `json:"src_lazy_load_attr,omitempty"`

	HTTPHeaders []Header    `json:"http_headers,omitempty"`
	Login       Login       `json:"login"`
	Tests       []Test      `json:"tests,omitempty"`
	Other       []Directive `json:"other,omitempty"`
}

// Merge combines rules into one, the first having the highest precedence: lists
// of expressions are concatenated in order (so for title, body, date, author and
// the page links, where the first match wins, an earlier rule's expression is
// tried first; every strip of every rule applies), and a yes/no or single-valued
// directive is taken from the first rule that sets it. Nil rules are skipped; the
// result is nil when no rule is given. Directives keep their own sources, so the
// reasons given for removals still name the file and line they came from.
func Merge(rules ...*Rule) *Rule {
	var out *Rule
	for _, r := range rules {
		if r == nil {
			continue
		}
		if out == nil {
			out = &Rule{Host: r.Host, File: r.File}
		}
		out.Title = append(out.Title, r.Title...)
		out.Author = append(out.Author, r.Author...)
		out.Date = append(out.Date, r.Date...)
		out.Body = append(out.Body, r.Body...)
		out.Strip = append(out.Strip, r.Strip...)
		out.StripIDOrClass = append(out.StripIDOrClass, r.StripIDOrClass...)
		out.StripImageSrc = append(out.StripImageSrc, r.StripImageSrc...)
		out.StripAttr = append(out.StripAttr, r.StripAttr...)
		out.StripText = append(out.StripText, r.StripText...)
		out.StripClass = append(out.StripClass, r.StripClass...)
		out.Dissolve = append(out.Dissolve, r.Dissolve...)
		out.WrapIn = append(out.WrapIn, r.WrapIn...)
		out.NativeAdClue = append(out.NativeAdClue, r.NativeAdClue...)
		out.SinglePageLink = append(out.SinglePageLink, r.SinglePageLink...)
		out.NextPageLink = append(out.NextPageLink, r.NextPageLink...)
		out.Replace = append(out.Replace, r.Replace...)
		out.Tests = append(out.Tests, r.Tests...)
		out.Other = append(out.Other, r.Other...)
		out.Login.ExtraFields = append(out.Login.ExtraFields, r.Login.ExtraFields...)
		out.Login.NotLoggedIn = append(out.Login.NotLoggedIn, r.Login.NotLoggedIn...)
		for _, f := range []struct{ dst, src *Flag }{
			{&out.Prune, &r.Prune},
			{&out.Tidy, &r.Tidy},
			{&out.AutodetectOnFailure, &r.AutodetectOnFailure},
			{&out.Login.Required, &r.Login.Required},
		} {
			if !f.dst.Set {
				*f.dst = *f.src
			}
		}
		for _, s := range []struct{ dst, src *string }{
			{&out.Parser, &r.Parser},
			{&out.SrcLazyLoadAttr, &r.SrcLazyLoadAttr},
			{&out.Login.URI, &r.Login.URI},
			{&out.Login.UsernameField, &r.Login.UsernameField},
			{&out.Login.PasswordField, &r.Login.PasswordField},
		} {
			if *s.dst == "" {
				*s.dst = *s.src
			}
		}
		// A header set by an earlier rule wins over the same header of a later one.
		for _, h := range r.HTTPHeaders {
			if !hasHeader(out.HTTPHeaders, h.Name) {
				out.HTTPHeaders = append(out.HTTPHeaders, h)
			}
		}
	}
	return out
}

func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}
