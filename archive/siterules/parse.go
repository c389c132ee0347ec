package siterules

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/antchfx/xpath"
)

// Errors reported, wrapped in a *ParseError, for a line of a rule file.
var (
	// ErrBadXPath means an expression does not compile as XPath 1.0.
	ErrBadXPath = errors.New("XPath does not compile")
	// ErrBadValue means a directive's value is not one it accepts, such as a yes/no
	// directive set to something else, or an empty find_string.
	ErrBadValue = errors.New("bad value")
	// ErrUnpaired means a find_string has no replace_string, or the reverse.
	ErrUnpaired = errors.New("find_string and replace_string do not pair up")
	// ErrOrphan means an if_page_contains or test_contains line does not follow the
	// directive it belongs to.
	ErrOrphan = errors.New("line does not follow the directive it belongs to")
	// ErrRead means the file could not be read to the end (including a line longer
	// than MaxLineBytes).
	ErrRead = errors.New("cannot read rule file")
)

// MaxLineBytes is the longest line Parse accepts.
const MaxLineBytes = 64 << 10

// ParseError is a problem with one line of a rule file. It never stops the rest of
// the file from being read: the line is left out of the rule.
type ParseError struct {
	File      string // rule file name
	Line      int    // 1-based line number; 0 when the problem concerns the whole file
	Directive string // directive name, e.g. "body"
	Text      string // the offending value
	Err       error  // one of the Err* sentinels, possibly wrapping a cause
}

// Error returns "file:line: directive: message: value".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Directive != "" {
		b.WriteString(": ")
		b.WriteString(e.Directive)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Text != "" {
		fmt.Fprintf(&b, ": %q", e.Text)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads one rule file. name is the file's base name ("example.com.txt"),
// used for the rule's host pattern and in every Source; a name that is not a host
// file name leaves Rule.Host empty. Parse always returns a rule holding every line
// that could be used, plus an error for each line that could not.
//
// Compared with FiveFilters: directive names are matched case-insensitively; a
// replace_string with an empty value replaces with nothing (FiveFilters drops the
// line and so misaligns every later pair); in the one-line form
// replace_string(find): replace, the find text ends at the first "):", so it may
// itself contain a colon; a find_string without a replace_string (or the reverse)
// is reported and left out instead of disabling every replacement of the file.
// Lines without a colon, and names that are not directive-shaped, are ignored.
func Parse(name string, r io.Reader) (*Rule, []ParseError) {
	p := parser{rule: &Rule{Host: hostFromFileName(name), File: name}, file: name, lastTest: -1}
	br := bufio.NewReader(r)
	for {
		line, err := readLine(br)
		if len(line) > 0 || err == nil {
			p.line++
			if len(line) > MaxLineBytes {
				p.fail("", "", fmt.Errorf("%w: line longer than %d bytes", ErrRead, MaxLineBytes))
			} else {
				p.parseLine(string(line))
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.errs = append(p.errs, ParseError{File: name, Line: p.line + 1, Err: fmt.Errorf("%w: %w", ErrRead, err)})
			}
			break
		}
	}
	p.finish()
	return p.rule, p.errs
}

// readLine returns the next line without its line ending. Lines longer than
// MaxLineBytes are truncated to MaxLineBytes+1 bytes (and then reported).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line) <= MaxLineBytes {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > MaxLineBytes+1 {
			line = line[:MaxLineBytes+1]
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

type parser struct {
	rule  *Rule
	file  string
	line  int
	errs  []ParseError
	finds []Value // find_string lines waiting for their replace_string

	// The last single_page_link/next_page_link (list and index), which
	// if_page_contains lines attach to, and the last test_url, for test_contains.
	lastLinks *[]Link
	lastLink  int
	lastTest  int // index into rule.Tests, -1 when none
}

func (p *parser) src() Source { return Source{File: p.file, Line: p.line} }

func (p *parser) fail(directive, text string, err error) {
	p.errs = append(p.errs, ParseError{File: p.file, Line: p.line, Directive: directive, Text: text, Err: err})
}

// compile compiles an XPath expression, reporting failure against the current line.
func (p *parser) compile(directive, text string) *Expr {
	e, err := compileExpr(text)
	if err != nil {
		p.fail(directive, text, err)
		return nil
	}
	e.Source = p.src()
	return e
}

// compileExpr compiles text as XPath. The compiler is third-party code fed with
// downloaded text, so a panic in it is turned into an error.
func compileExpr(text string) (e *Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%w: compiler panic: %v", ErrBadXPath, r)
		}
	}()
	x, err := xpath.Compile(text)
	if err != nil {
		// The XPath library lacks id(); upstream rules use id('name') as
		// libxml supports it, so retry with it spelt out.
		if alt, ok := rewriteIDCalls(text); ok {
			if x2, err2 := xpath.Compile(alt); err2 == nil {
				return &Expr{Text: text, x: x2}, nil
			}
		}
		return nil, fmt.Errorf("%w: %w", ErrBadXPath, err)
	}
	return &Expr{Text: text, x: x}, nil
}

// idCall matches the XPath call id('name') or id("name") with one name.
var idCall = regexp.MustCompile(`(^|[^\w@$.:-])id\(\s*(?:'([^' ]+)'|"([^" ]+)")\s*\)`)

// rewriteIDCalls replaces id('name') by (//*[@id='name']).
func rewriteIDCalls(text string) (string, bool) {
	if !idCall.MatchString(text) {
		return "", false
	}
	return idCall.ReplaceAllStringFunc(text, func(m string) string {
		sm := idCall.FindStringSubmatch(m)
		name := sm[2] + sm[3]
		return sm[1] + "(//*[@id='" + name + "'])"
	}), true
}

func (p *parser) parseLine(line string) {
	if p.line == 1 {
		line = strings.TrimPrefix(line, "\ufeff")
	}
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return
	}
	name, arg, value, ok := splitDirective(line)
	if !ok {
		return
	}
	r := p.rule
	addExpr := func(list *[]*Expr) {
		if value == "" {
			return
		}
		if e := p.compile(name, value); e != nil {
			*list = append(*list, e)
		}
	}
	switch name {
	case "title":
		addExpr(&r.Title)
	case "author":
		addExpr(&r.Author)
	case "date":
		addExpr(&r.Date)
	case "body":
		addExpr(&r.Body)
	case "strip":
		addExpr(&r.Strip)
	case "strip_attr":
		addExpr(&r.StripAttr)
	case "dissolve":
		addExpr(&r.Dissolve)
	case "native_ad_clue":
		addExpr(&r.NativeAdClue)
	case "not_logged_in_xpath":
		addExpr(&r.Login.NotLoggedIn)
	case "strip_id_or_class":
		// FiveFilters removes quotes, which could not be put into its query.
		if v := dropQuotes(value); v != "" {
			r.StripIDOrClass = append(r.StripIDOrClass, Value{Source: p.src(), Text: v})
		}
	case "strip_image_src":
		if v := dropQuotes(value); v != "" {
			r.StripImageSrc = append(r.StripImageSrc, Value{Source: p.src(), Text: v})
		}
	case "single_page_link", "next_page_link":
		p.lastLinks = nil
		if value == "" {
			return
		}
		e := p.compile(name, value)
		if e == nil {
			return
		}
		list := &r.SinglePageLink
		if name == "next_page_link" {
			list = &r.NextPageLink
		}
		*list = append(*list, Link{Expr: e})
		p.lastLinks, p.lastLink = list, len(*list)-1
		p.lastTest = -1
		return
	case "if_page_contains":
		if value == "" {
			return
		}
		if p.lastLinks == nil {
			p.fail(name, value, fmt.Errorf("%w: if_page_contains must follow single_page_link or next_page_link", ErrOrphan))
			return
		}
		if e := p.compile(name, value); e != nil {
			l := &(*p.lastLinks)[p.lastLink]
			l.IfPageContains = append(l.IfPageContains, e)
		}
		return // keeps lastLink, so several conditions may follow one link
	case "find_string":
		if value == "" {
			p.fail(name, "", fmt.Errorf("%w: empty find_string", ErrBadValue))
			return
		}
		p.finds = append(p.finds, Value{Source: p.src(), Text: value})
	case "replace_string":
		if arg != "" { // replace_string(find): replace
			r.Replace = append(r.Replace, Replacement{Source: p.src(), Find: arg, Replace: value})
			break
		}
		if len(p.finds) == 0 {
			p.fail(name, value, fmt.Errorf("%w: replace_string without a find_string before it", ErrUnpaired))
			break
		}
		f := p.finds[0]
		p.finds = p.finds[1:]
		r.Replace = append(r.Replace, Replacement{Source: p.src(), Find: f.Text, Replace: value})
	case "prune", "tidy", "autodetect_on_failure", "requires_login":
		flag := map[string]*Flag{
			"prune": &r.Prune, "tidy": &r.Tidy,
			"autodetect_on_failure": &r.AutodetectOnFailure, "requires_login": &r.Login.Required,
		}[name]
		switch strings.ToLower(value) {
		case "yes", "true":
			*flag = Flag{Source: p.src(), Set: true, Value: true}
		case "no", "false":
			*flag = Flag{Source: p.src(), Set: true, Value: false}
		default:
			p.fail(name, value, fmt.Errorf("%w: want yes or no", ErrBadValue))
		}
	case "parser":
		r.Parser = value
	case "src_lazy_load_attr":
		r.SrcLazyLoadAttr = value
	case "login_uri":
		r.Login.URI = value
	case "login_username_field":
		r.Login.UsernameField = value
	case "login_password_field":
		r.Login.PasswordField = value
	case "login_extra_fields":
		if value != "" {
			r.Login.ExtraFields = append(r.Login.ExtraFields, value)
		}
	case "http_header":
		if arg == "" || value == "" {
			p.fail(name, value, fmt.Errorf("%w: want http_header(Name): value", ErrBadValue))
			break
		}
		r.HTTPHeaders = append(r.HTTPHeaders, Header{Source: p.src(), Name: textproto.CanonicalMIMEHeaderKey(arg), Value: value})
	case "wrap_in":
		if arg == "" || !isTagName(arg) {
			p.fail(name, arg, fmt.Errorf("%w: want wrap_in(tag): xpath", ErrBadValue))
			break
		}
		if e := p.compile(name, value); e != nil {
			r.WrapIn = append(r.WrapIn, Wrap{Tag: strings.ToLower(arg), Expr: e})
		}
	case "test_url":
		p.lastLinks, p.lastTest = nil, -1
		if value != "" {
			r.Tests = append(r.Tests, Test{Source: p.src(), URL: value})
			p.lastTest = len(r.Tests) - 1
		}
		return
	case "test_contains":
		if value == "" {
			return
		}
		if p.lastTest < 0 {
			p.fail(name, value, fmt.Errorf("%w: test_contains must follow test_url", ErrOrphan))
			return
		}
		t := &r.Tests[p.lastTest]
		t.Contains = append(t.Contains, value)
		return
	default:
		if value != "" || arg != "" {
			r.Other = append(r.Other, Directive{Source: p.src(), Name: name, Arg: arg, Value: value})
		}
	}
	// Any other directive ends the run of lines that if_page_contains and
	// test_contains attach to.
	p.lastLinks, p.lastTest = nil, -1
}

// finish reports find_string lines left without a replace_string.
func (p *parser) finish() {
	for _, f := range p.finds {
		p.errs = append(p.errs, ParseError{
			File: p.file, Line: f.Source.Line, Directive: "find_string", Text: f.Text,
			Err: fmt.Errorf("%w: find_string without a replace_string after it", ErrUnpaired),
		})
	}
	p.finds = nil
}

// splitDirective splits "name: value" or "name(arg): value". The name is
// lower-cased; ok is false for a line that is not a directive.
func splitDirective(line string) (name, arg, value string, ok bool) {
	i := strings.IndexAny(line, ":(")
	if i <= 0 {
		return "", "", "", false
	}
	name = strings.ToLower(strings.TrimSpace(line[:i]))
	if !isDirectiveName(name) {
		return "", "", "", false
	}
	if line[i] == ':' {
		return name, "", strings.TrimSpace(line[i+1:]), true
	}
	// name(arg): value — the argument ends at the first "):".
	rest := line[i+1:]
	j := strings.Index(rest, "):")
	if j < 0 {
		return "", "", "", false
	}
	return name, rest[:j], strings.TrimSpace(rest[j+2:]), true
}

// dropQuotes removes quote characters, as FiveFilters does for the values it
// puts inside an XPath string.
func dropQuotes(s string) string {
	if !strings.ContainsAny(s, `'"`) {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, `'`, ""), `"`, "")
}

func isDirectiveName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isTagName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
