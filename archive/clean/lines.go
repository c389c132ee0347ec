package clean

import (
	"html"
	"strconv"
	"strings"
)

// Lines cleans plain text, such as an article copied out of a browser, line by line with
// the rules the DOM stages use. It returns the title (the first line that is not clutter),
// the byline (the first byline line, as written, e.g. "By The Associated Press"), the body
// (the remaining lines, paragraphs separated by a blank line) and what it removed.
// keep lists the paths of removals not to make.
func Lines(text string, keep ...string) (title, byline, body string, removed []Removal) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	keepSet := map[string]bool{}
	for _, k := range keep {
		keepSet[k] = true
	}

	// verdicts[i] is why line i goes, or nothing.
	verdicts := make([]verdict, len(lines))
	trimmed := make([]string, len(lines))
	first, last := -1, -1
	for i, l := range lines {
		trimmed[i] = collapse(l)
		if len(strings.Fields(trimmed[i])) >= 30 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	commentStart := textCommentSection(trimmed)
	for i, l := range trimmed {
		if l == "" {
			continue
		}
		if commentStart >= 0 && i >= commentStart {
			verdicts[i] = vWidget
			continue
		}
		pos := posBody
		switch {
		case first < 0 || i < first:
			pos = posHead
		case i > last:
			pos = posTail
		}
		v := textVerdict(l, pos)
		switch v {
		case vComment, vRelatedHd, vChrome, vRelated, vAddress:
			if pos == posBody {
				v = verdict{}
			}
		}
		verdicts[i] = v
	}
	textTeasers(trimmed, verdicts, first)

	// Group runs of lines removed by one rule into one removal, and keep what was asked.
	var out []string
	blank := false
	for i := 0; i < len(lines); {
		v := verdicts[i]
		if !v.ok() {
			if trimmed[i] == "" {
				blank = true
			} else {
				if blank && len(out) > 0 {
					out = append(out, "")
				}
				blank = false
				out = append(out, strings.TrimSpace(lines[i]))
			}
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && (verdicts[j] == v || trimmed[j] == "" && j+1 < len(lines) && verdicts[j+1] == v && v == vWidget) {
			j++
		}
		r := Removal{
			Reason: v.reason, Rule: v.rule,
			Text: capText(collapse(strings.Join(trimmed[i:j], " "))),
			HTML: html.EscapeString(strings.Join(lines[i:j], "\n")),
			Path: linePath(i, j),
		}
		if keepSet[r.Path] {
			for k := i; k < j; k++ {
				verdicts[k] = verdict{}
			}
			continue
		}
		for k := i; k < j && v == vByline && byline == ""; k++ {
			byline = bylineOf(trimmed[k])
		}
		removed = append(removed, r)
		i = j
	}
	// The title is the first line left.
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	if len(out) > 0 {
		title = collapse(out[0])
		out = out[1:]
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return title, byline, strings.Join(out, "\n"), removed
}

func linePath(i, j int) string {
	if j-i == 1 {
		return "text:" + strconv.Itoa(i+1)
	}
	return "text:" + strconv.Itoa(i+1) + "-" + strconv.Itoa(j)
}

// textCommentSection returns the index of the line where a comment section starts, or
// -1: a comment heading with a count ("0 Comments") or a line only comment widgets show
// ("Notify of", "Inline Feedbacks"), in the second half of the text, together with the
// run of short widget lines just before it.
func textCommentSection(lines []string) int {
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	seen := 0
	for i, l := range lines {
		seen += len(l)
		if l == "" || seen*2 < total {
			continue
		}
		words := strings.Fields(l)
		start := strongWidgetRe.MatchString(l) ||
			len(words) <= 8 && commentHeadingRe.MatchString(l) && (numberRe.MatchString(l) || widgetNear(lines, i))
		if !start {
			continue
		}
		// Take in the widget lines just before it ("Subscribe", "Notify of", "guest").
		for i > 0 && lines[i-1] != "" && len(strings.Fields(lines[i-1])) <= 4 &&
			(widgetRe.MatchString(lines[i-1]) || bareCTARe.MatchString(lines[i-1]) || commentHeadingRe.MatchString(lines[i-1])) {
			i--
		}
		return i
	}
	return -1
}

// widgetNear reports whether one of the three lines after line i is a comment widget line.
func widgetNear(lines []string, i int) bool {
	for k := i + 1; k < len(lines) && k <= i+3; k++ {
		if lines[k] != "" && widgetRe.MatchString(lines[k]) {
			return true
		}
	}
	return false
}

// textTeasers marks a paragraph near the start that repeats the text after it.
func textTeasers(lines []string, verdicts []verdict, first int) {
	for i := 0; i < len(lines) && (first < 0 || i <= first+4); i++ {
		if lines[i] == "" || verdicts[i].ok() || len(strings.Fields(lines[i])) < 8 {
			continue
		}
		var next []string
		for _, l := range lines[i+1:] {
			if len(next) >= 3 {
				break
			}
			if len(strings.Fields(l)) >= 8 {
				next = append(next, l)
			}
		}
		if isTeaser(lines[i], next) {
			verdicts[i] = vTeaser
		}
	}
}
