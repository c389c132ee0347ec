package sanitize

import (
	"net/url"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// The allow-list. An element not named here is unwrapped (its children are
// kept) unless dropElements names it, in which case it goes with everything
// inside it. An attribute not named here is dropped.

// elementAttrs maps each kept element to the attributes it may carry besides
// globalAttrs.
var elementAttrs = map[string][]string{
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"p": nil, "br": nil, "hr": nil, "wbr": nil,
	"em": nil, "strong": nil, "b": nil, "i": nil, "u": nil, "s": nil,
	"sub": nil, "sup": nil, "small": nil, "mark": nil,
	"cite": nil, "dfn": nil, "var": nil, "bdi": nil, "bdo": nil,
	"ruby": nil, "rt": nil, "rp": nil,
	"a":          {"href"},
	"ul":         nil,
	"ol":         {"start"},
	"li":         {"value"},
	"blockquote": {"cite"},
	"q":          {"cite"},
	"code":       nil, "pre": nil, "kbd": nil, "samp": nil,
	"table": nil, "thead": nil, "tbody": nil, "tfoot": nil, "tr": nil,
	"th":      {"colspan", "rowspan", "scope"},
	"td":      {"colspan", "rowspan"},
	"caption": nil,
	"figure":  nil, "figcaption": nil,
	"img": {"src", "alt", "width", "height"},
	"dl":  nil, "dt": nil, "dd": nil,
	"abbr":    nil,
	"time":    {"datetime"},
	"del":     {"cite", "datetime"},
	"ins":     {"cite", "datetime"},
	"section": nil, "article": nil, "header": nil, "footer": nil,
	"aside": nil, "main": nil, "div": nil, "span": nil,
}

// globalAttrs may appear on every kept element. id keeps in-page links
// (footnotes) working; title carries abbr expansions and link tooltips.
var globalAttrs = []string{"id", "title", "lang", "dir"}

// attrPatterns constrains attribute values; an attribute without a pattern
// is free text (alt, title) or a URL, which bluemonday and prepare check.
var attrPatterns = map[string]*regexp.Regexp{
	"id":       regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_:.\-]{0,127}$`),
	"lang":     regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`),
	"dir":      regexp.MustCompile(`^(ltr|rtl|auto)$`),
	"start":    regexp.MustCompile(`^-?[0-9]{1,9}$`),
	"value":    regexp.MustCompile(`^-?[0-9]{1,9}$`),
	"colspan":  regexp.MustCompile(`^[0-9]{1,3}$`),
	"rowspan":  regexp.MustCompile(`^[0-9]{1,4}$`),
	"scope":    regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`),
	"width":    regexp.MustCompile(`^[0-9]{1,5}$`),
	"height":   regexp.MustCompile(`^[0-9]{1,5}$`),
	"datetime": regexp.MustCompile(`^[0-9A-Za-z:+\-. ]{1,64}$`),
}

// dropElements are removed together with their content: active content,
// embedded documents, form controls, foreign content, and document
// metadata. form itself is not here: ASP.NET pages wrap the whole article in
// one, so it is unwrapped and only its controls go.
var dropElements = map[string]bool{
	"script": true, "style": true, "template": true, "noscript": true,
	"iframe": true, "frame": true, "frameset": true, "noframes": true,
	"object": true, "embed": true, "applet": true, "param": true, "noembed": true,
	"input": true, "button": true, "select": true, "option": true,
	"optgroup": true, "datalist": true, "textarea": true, "keygen": true,
	"output": true, "meter": true, "progress": true,
	"svg": true, "math": true, "canvas": true,
	"audio": true, "video": true, "source": true, "track": true,
	"map": true, "area": true, "portal": true, "fencedframe": true,
	"head": true, "title": true, "meta": true, "link": true, "base": true,
	"basefont": true, "bgsound": true, "isindex": true, "dialog": true,
}

// voidElements never have content or an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "basefont": true, "bgsound": true, "br": true,
	"col": true, "embed": true, "frame": true, "hr": true, "img": true,
	"input": true, "isindex": true, "keygen": true, "link": true, "meta": true,
	"param": true, "source": true, "track": true, "wbr": true,
}

var (
	dataImageRE = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$`)
	sha256HexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// newPolicy builds the bluemonday policy for one set of options. It is the
// allow-list proper; prepare has already judged URLs and images, so the two
// agree on everything prepare keeps.
func newPolicy(dataImages bool, localScheme string) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	for el, attrs := range elementAttrs {
		p.AllowElements(el)
		for _, a := range attrs {
			b := p.AllowAttrs(a)
			if re := attrPatterns[a]; re != nil {
				b.Matching(re)
			}
			b.OnElements(el)
		}
	}
	for _, a := range globalAttrs {
		b := p.AllowAttrs(a)
		if re := attrPatterns[a]; re != nil {
			b.Matching(re)
		}
		b.Globally()
	}
	// Relative URLs must be allowed for in-page links (#fn1); prepare has
	// already removed every other relative URL.
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowURLSchemeWithCustomPolicy(localScheme, func(u *url.URL) bool {
		return sha256HexRE.MatchString(u.Opaque) && u.RawQuery == "" && u.Fragment == ""
	})
	if dataImages {
		p.AllowURLSchemeWithCustomPolicy("data", func(u *url.URL) bool {
			return dataImageRE.MatchString(u.String())
		})
	}
	for el := range dropElements {
		// A void element has no end tag, so telling bluemonday to skip
		// its content would skip the rest of the document.
		if !voidElements[el] {
			p.SkipElementsContent(el)
		}
	}
	return p
}
