package export

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file writes inline Markdown: escaped text, emphasis, links, code spans and marks
// from nested tokens, with the CommonMark rules for delimiters checked on the text as
// written. A delimiter that would not open or close where it stands (intraword next to
// punctuation, say) is written as the equivalent HTML tag instead, so that the rendered
// result is always the intended one.

// mdContext is where inline Markdown goes.
type mdContext struct {
	lineStart bool   // the text starts a line, where block syntax could begin
	table     bool   // inside a GFM table cell
	heading   bool   // inside an ATX heading, which is one line
	listItem  bool   // the start of a list item, where "[x]" is a task checkbox
	cont      string // the prefix of continuation lines after a hard break
	portable  bool   // marks as <mark> tags
}

// mdInline writes the tokens of one stretch of inline content.
func mdInline(toks []token, ctx mdContext) string {
	toks = mdMoveSpaces(toks)
	toks = mdDropEmpty(toks)
	toks = mdMergeText(toks)
	pairMates(toks)
	for i := range toks {
		toks[i].out = mdTokenOut(toks, i, ctx)
	}
	if ctx.listItem && len(toks) > 2 && toks[0].kind == tokOpen && toks[0].span.kind == spanLink && toks[0].mate == 2 &&
		len(toks[1].text) == 1 && strings.ContainsAny(toks[1].text, "xX") {
		// "- [x](url)" would read as a ticked checkbox: write that link as HTML.
		toks[0].out = `<a href="` + html.EscapeString(toks[0].span.href) + `">`
		toks[2].out = "</a>"
	}
	mdCombine(toks)
	mdFixFlanking(toks)
	for i, t := range toks {
		if t.kind == tokBreak && strings.HasPrefix(t.out, "\\\n") {
			for j := i - 1; j >= 0; j-- {
				if toks[j].out != "" {
					if strings.HasSuffix(toks[j].out, "\\") {
						toks[i].out = hardBreak(toks[j].out) + t.out[2:]
					}
					break
				}
			}
		}
	}
	var sb strings.Builder
	for _, t := range toks {
		sb.WriteString(t.out)
	}
	return sb.String()
}

// hardBreak is a hard line break after text: a backslash and a newline, or two spaces
// and a newline after an escaped backslash, where some parsers (goldmark among them)
// would read the backslashes wrongly.
func hardBreak(before string) string {
	if strings.HasSuffix(before, "\\") {
		return "  \n"
	}
	return "\\\n"
}

// isCodeText reports whether token i is the text of a code span.
func isCodeText(toks []token, i int) bool {
	return toks[i].kind == tokText && i > 0 && toks[i-1].kind == tokOpen && toks[i-1].span.kind == spanCode
}

// mdMoveSpaces moves white space and line breaks out of the edges of spans: CommonMark
// delimiters cannot open before white space or close after it. Links and marks are moved
// too, which keeps "[text](url)" tidy and a mark exactly on its visible text; spaces at
// the edges of code are moved out of the code span. It takes two linear passes: leading
// space goes before the opens in front of it, trailing space after the closes (and
// footnote references) behind it.
func mdMoveSpaces(toks []token) []token {
	out := make([]token, 0, len(toks)+8)
	run := 0 // where the opens at the end of out start
	for _, t := range toks {
		switch {
		case t.kind == tokOpen:
			out = append(out, t)
			continue
		case t.kind == tokBreak && run < len(out):
			out = insertTok(out, run, t)
			run++
			continue
		case t.kind == tokText && run < len(out):
			code := out[len(out)-1].span.kind == spanCode
			rest := strings.TrimLeft(t.text, " ")
			if rest != t.text && (!code || rest != "") {
				out = insertTok(out, run, token{kind: tokText, text: t.text[:len(t.text)-len(rest)]})
				t.text = rest
			}
		}
		out = append(out, t)
		run = len(out)
	}
	// The same backwards for closes, and the footnote references right after them.
	rev := make([]token, 0, len(out)+8)
	run = 0 // where the closes at the end of rev start
	for i := len(out) - 1; i >= 0; i-- {
		t := out[i]
		switch {
		case t.kind == tokClose || t.kind == tokRef:
			rev = append(rev, t)
			continue
		case t.kind == tokBreak && run < len(rev):
			rev = insertTok(rev, run, t)
			run++
			continue
		case t.kind == tokText && run < len(rev):
			code := rev[len(rev)-1].kind == tokClose && rev[len(rev)-1].span.kind == spanCode
			rest := strings.TrimRight(t.text, " ")
			if rest != t.text && (!code || rest != "") {
				rev = insertTok(rev, run, token{kind: tokText, text: t.text[len(rest):]})
				t.text = rest
			}
		}
		rev = append(rev, t)
		run = len(rev)
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

func insertTok(toks []token, i int, t token) []token {
	toks = append(toks, token{})
	copy(toks[i+1:], toks[i:])
	toks[i] = t
	return toks
}

// mdDropEmpty removes empty text and spans left with nothing inside.
func mdDropEmpty(toks []token) []token {
	for changed := true; changed; {
		changed = false
		out := toks[:0]
		for _, t := range toks {
			if t.kind == tokText && t.text == "" {
				changed = true
				continue
			}
			if n := len(out); t.kind == tokClose && n > 0 && out[n-1].kind == tokOpen && out[n-1].span == t.span {
				out = out[:n-1]
				changed = true
				continue
			}
			out = append(out, t)
		}
		toks = out
	}
	return toks
}

// mdMergeText joins neighbouring text tokens. The text of a code span stands between its
// open and close tokens, so it never has a text neighbour.
func mdMergeText(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if n := len(out); t.kind == tokText && n > 0 && out[n-1].kind == tokText {
			out[n-1].text += t.text
			continue
		}
		out = append(out, t)
	}
	return out
}

// pairMates links each open token with its close.
func pairMates(toks []token) {
	var stack []int
	for i := range toks {
		toks[i].mate = -1
		switch toks[i].kind {
		case tokOpen:
			stack = append(stack, i)
		case tokClose:
			if n := len(stack); n > 0 {
				o := stack[n-1]
				stack = stack[:n-1]
				toks[i].mate, toks[o].mate = o, i
			}
		}
	}
}

// mdTokenOut writes one token.
func mdTokenOut(toks []token, i int, ctx mdContext) string {
	t := toks[i]
	switch t.kind {
	case tokText:
		if isCodeText(toks, i) {
			return ""
		}
		lineStart := (i == 0 && ctx.lineStart) || (i > 0 && toks[i-1].kind == tokBreak && !ctx.table && !ctx.heading)
		s := mdEscape(t.text, lineStart, ctx.table)
		if i > 0 && toks[i-1].kind == tokRef && (s[0] == '(' || s[0] == ':') {
			// "[^hl-1](…" or "[^hl-1]:" would read as a link or a definition.
			s = "\\" + s
		}
		return s
	case tokBreak:
		switch {
		case ctx.table:
			return "<br>"
		case ctx.heading:
			return " "
		}
		return "\\\n" + ctx.cont
	case tokRef:
		var sb strings.Builder
		for _, n := range t.refs {
			sb.WriteString("[^hl-")
			sb.WriteString(itoa(n))
			sb.WriteString("]")
		}
		return sb.String()
	case tokOpen, tokClose:
		open := t.kind == tokOpen
		switch t.span.kind {
		case spanCode:
			if !open {
				return ""
			}
			content := ""
			if i+1 < len(toks) && toks[i+1].kind == tokText {
				content = toks[i+1].text
			}
			return mdCodeSpan(content, ctx.table)
		case spanLink:
			if open {
				return "["
			}
			return "](" + mdDestination(t.span.href) + ")"
		case spanMark:
			if ctx.portable {
				toks[i].html = true
			}
		}
		if toks[i].html {
			return htmlTag(t.span.kind, open)
		}
		return mdDelim(t.span.kind)
	}
	return ""
}

// mdCodeSpan writes a code span with its content. The opening token carries the whole
// span; the closing one is written empty.
func mdCodeSpan(s string, table bool) string {
	if table {
		s = strings.ReplaceAll(s, "|", "\\|")
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

func mdDelim(k spanKind) string {
	switch k {
	case spanBold:
		return "**"
	case spanItalic:
		return "*"
	case spanStrike:
		return "~~"
	case spanMark:
		return "=="
	}
	return ""
}

func htmlTag(k spanKind, open bool) string {
	name := map[spanKind]string{spanBold: "strong", spanItalic: "em", spanStrike: "del", spanMark: "mark", spanCode: "code"}[k]
	if open {
		return "<" + name + ">"
	}
	return "</" + name + ">"
}

// isMDDelim reports whether token i is an emphasis-like delimiter written as Markdown.
func isMDDelim(toks []token, i int) bool {
	t := toks[i]
	if (t.kind != tokOpen && t.kind != tokClose) || t.html || t.skip || t.mate < 0 {
		return false
	}
	switch t.span.kind {
	case spanBold, spanItalic, spanStrike, spanMark:
		return true
	}
	return false
}

// mdCombine writes bold italic text whose two spans open and close together as one
// "***" pair instead of "**" next to "*", which CommonMark would read differently.
func mdCombine(toks []token) {
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i], toks[i+1]
		if a.kind != tokOpen || b.kind != tokOpen || !isMDDelim(toks, i) || !isMDDelim(toks, i+1) {
			continue
		}
		if !((a.span.kind == spanBold && b.span.kind == spanItalic) || (a.span.kind == spanItalic && b.span.kind == spanBold)) {
			continue
		}
		if b.mate+1 != a.mate {
			continue
		}
		toks[i].out, toks[a.mate].out = "***", "***"
		toks[i+1].out, toks[b.mate].out = "", ""
		toks[i+1].skip, toks[b.mate].skip = true, true
	}
}

// delimChar is the character a Markdown delimiter is made of.
func delimChar(t token) rune {
	switch t.span.kind {
	case spanBold, spanItalic:
		return '*'
	case spanStrike:
		return '~'
	case spanMark:
		return '='
	}
	return 0
}

// mdFixFlanking writes as HTML tags the delimiters that would not act as delimiters,
// in passes until none is left: a tag changes its neighbours' neighbours.
func mdFixFlanking(toks []token) {
	for changed := true; changed; {
		changed = false
		for bad := range toks {
			if !isMDDelim(toks, bad) || mdDelimOK(toks, bad) {
				continue
			}
			changed = true
			mdToHTML(toks, bad)
		}
	}
}

// mdToHTML writes delimiter token bad and its mate as HTML tags.
func mdToHTML(toks []token, bad int) {
	for _, k := range []int{bad, toks[bad].mate} {
		t := &toks[k]
		t.html = true
		t.out = htmlTag(t.span.kind, t.kind == tokOpen)
		inner := -1
		if t.kind == tokOpen && k+1 < len(toks) && toks[k+1].skip {
			inner = k + 1
		}
		if t.kind == tokClose && k > 0 && toks[k-1].skip {
			inner = k - 1
		}
		if inner >= 0 {
			// Undo "***": the inner span is written on its own again.
			in := &toks[inner]
			in.skip, toks[in.mate].skip = false, false
			in.out, toks[in.mate].out = mdDelim(in.span.kind), mdDelim(in.span.kind)
		}
	}
}

// mdDelimOK reports whether delimiter token i opens or closes where it stands.
func mdDelimOK(toks []token, i int) bool {
	c := delimChar(toks[i])
	prev := ' '
	for j := i - 1; j >= 0; j-- {
		if toks[j].out != "" {
			prev, _ = utf8.DecodeLastRuneInString(toks[j].out)
			break
		}
	}
	next := ' '
	for j := i + 1; j < len(toks); j++ {
		if toks[j].out != "" {
			next, _ = utf8.DecodeRuneInString(toks[j].out)
			break
		}
	}
	// A neighbouring run of the same character would join this one.
	if prev == c || next == c {
		return false
	}
	if toks[i].kind == tokOpen {
		return leftFlanking(prev, next)
	}
	return rightFlanking(prev, next)
}

func isMDSpace(r rune) bool { return unicode.IsSpace(r) }

func isMDPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// leftFlanking is CommonMark's left-flanking rule for a delimiter run between prev and next.
func leftFlanking(prev, next rune) bool {
	return !isMDSpace(next) && (!isMDPunct(next) || isMDSpace(prev) || isMDPunct(prev))
}

// rightFlanking is CommonMark's right-flanking rule.
func rightFlanking(prev, next rune) bool {
	return !isMDSpace(prev) && (!isMDPunct(prev) || isMDSpace(next) || isMDPunct(next))
}

// mdEscape escapes text so that Markdown (CommonMark, GFM and Obsidian's additions) reads
// it back as the same text: no emphasis, links, HTML, tags, math, comments or block
// syntax can come out of it.
func mdEscape(s string, lineStart, table bool) string {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	if lineStart {
		// An ordered list marker: digits then '.' or ')' then a space or the end.
		d := 0
		for d < len(s) && d < 10 && s[d] >= '0' && s[d] <= '9' {
			d++
		}
		if d > 0 && d < len(s) && (s[d] == '.' || s[d] == ')') && (d+1 == len(s) || s[d+1] == ' ' || s[d+1] == '\t') {
			sb.WriteString(s[:d])
			sb.WriteByte('\\')
			s = s[d:]
			lineStart = false
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		first, last := i == 0, i+size == len(s)
		switch r {
		case '\\', '`', '*', '[', ']', '<', '|', '#', '$', '^':
			sb.WriteByte('\\')
		case '>', '-', '+':
			if first && lineStart {
				sb.WriteByte('\\')
			}
		case '!':
			if last {
				sb.WriteByte('\\')
			}
		case '_':
			// Between two letters or digits '_' can neither open nor close emphasis.
			p, _ := utf8.DecodeLastRuneInString(s[:i])
			n, _ := utf8.DecodeRuneInString(s[i+size:])
			if first || last || !isAlnum(p) || !isAlnum(n) {
				sb.WriteByte('\\')
			}
		case '~':
			// GFM strikes through with a single '~' too.
			sb.WriteByte('\\')
		case '=', '%':
			if first || last || s[i-1] == byte(r) {
				sb.WriteByte('\\')
			}
		case '&':
			if !last && (isWordByte(s[i+1]) || s[i+1] == '#') {
				sb.WriteByte('\\')
			}
		}
		if table && r == '\n' {
			sb.WriteString("<br>")
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// mdDestination writes a link destination that CommonMark reads back unchanged.
func mdDestination(u string) string {
	var sb strings.Builder
	for _, r := range u {
		switch {
		case r == ' ':
			sb.WriteString("%20")
		case r == '<':
			sb.WriteString("%3C")
		case r == '>':
			sb.WriteString("%3E")
		case r == '\\':
			sb.WriteString("%5C")
		case r == '(' || r == ')':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			sb.WriteString("%" + strings.ToUpper(hex2(byte(r))))
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
