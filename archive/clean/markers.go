package clean

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// A marker is what a node's class, id, role and ARIA label say it is.
type marker int

const (
	markNone marker = iota
	markComments
	markRelated
	markShare
	markNewsletter
	markSearch
	markBreadcrumb
	markTags
	markAuthorBio
	markCookie
	markAd
	markCredit
	markPrintOnly
)

// markerRule is the rule name and reason reported for a node removed for its marker.
var markerRule = map[marker][2]string{
	markComments:   {"comments/marker", "comment section"},
	markRelated:    {"related/marker", "related articles"},
	markShare:      {"share/marker", "share buttons"},
	markNewsletter: {"cta/newsletter-box", "newsletter call to action"},
	markSearch:     {"search/form", "search box"},
	markBreadcrumb: {"nav/breadcrumbs", "breadcrumbs"},
	markTags:       {"tags/marker", "tag list"},
	markAuthorBio:  {"bio/marker", "author bio"},
	markCookie:     {"cookie/marker", "cookie notice"},
	markAd:         {"ad/marker", "advertisement"},
	markCredit:     {"credit/marker", "photo credit"},
	markPrintOnly:  {"print/marker", "shown only when printed"},
}

// commentSystems names the comment systems recognised by a word of a class or id, for
// the reason shown to the user.
var commentSystems = map[string]string{
	"disqus": "Disqus", "dsq": "Disqus", "wpdiscuz": "wpDiscuz", "wpdcom": "wpDiscuz",
	"wpd": "wpDiscuz", "jetpack": "Jetpack", "fb": "Facebook", "coral": "Coral",
	"spotim": "OpenWeb", "openweb": "OpenWeb", "spcv": "OpenWeb", "sppre": "OpenWeb",
	"viafoura": "Viafoura", "vf": "Viafoura", "livefyre": "Livefyre", "fyre": "Livefyre",
	"intensedebate": "IntenseDebate", "idc": "IntenseDebate", "hyvor": "Hyvor Talk",
	"commento": "Commento", "remark42": "Remark42", "isso": "Isso", "utterances": "utterances",
	"giscus": "giscus", "vuukle": "Vuukle", "talkyard": "Talkyard", "discourse": "Discourse",
	"respond": "comment form", "commentform": "comment form",
	"spot-im-conversation": "OpenWeb", "sp_conversation": "OpenWeb", "vf-conversations": "Viafoura",
	"vf3-conversations": "Viafoura", "coral_thread": "Coral", "coral-thread": "Coral",
	"wpd-thread-wrapper": "wpDiscuz", "wpd-comments": "wpDiscuz", "idc-container": "IntenseDebate",
	"hyvor-talk-view": "Hyvor Talk", "isso-thread": "Isso", "discourse-comments": "Discourse",
	"fb-comments": "Facebook", "jetpack-comments": "Jetpack", "disqus_thread": "Disqus",
}

// commentWords are the class and id words that name a comment section or a part of one.
var commentWords = map[string]bool{
	"comment": true, "comments": true, "commentlist": true, "commentslist": true,
	"commentform": true, "commentsarea": true, "commentarea": true, "commentbox": true,
	"commentsblock": true, "commentthread": true, "commenting": true, "commenter": true,
	"comentarios": true, "comentários": true, "comentario": true, "kommentare": true,
	"kommentar": true, "commentaires": true, "commentaire": true, "commenti": true,
	"reacties": true, "disqus": true, "dsq": true, "wpdiscuz": true, "wpdcom": true,
	"livefyre": true, "intensedebate": true, "commento": true, "remark42": true,
	"utterances": true, "giscus": true, "vuukle": true, "talkyard": true,
	"viafoura": true, "spotim": true, "openweb": true, "disqusthread": true,
}

// commentTokens are whole class or id tokens that name a comment section.
var commentTokens = map[string]bool{
	"respond": true, "coral_thread": true, "coral-thread": true, "spot-im-conversation": true,
	"sp_conversation": true, "wpd-thread-wrapper": true, "wpd-comments": true,
	"idc-container": true, "hyvor-talk-view": true, "isso-thread": true,
	"discourse-comments": true, "fb-comments": true, "jetpack-comments": true,
	"vf-conversations": true, "vf3-conversations": true, "talk-thread": true,
}

// commentNegative are words that, next to a comment word, describe a state of a wrapper
// ("comments-open") rather than a comment section.
var commentNegative = map[string]bool{
	"open": true, "closed": true, "enabled": true, "disabled": true, "allowed": true,
	"off": true, "on": true,
}

var relatedWords = map[string]bool{
	"related": true, "relatedposts": true, "recommended": true, "recommendations": true,
	"recommendation": true, "recirc": true, "recirculation": true, "outbrain": true,
	"taboola": true, "trending": true, "mostpopular": true, "mostread": true,
	"morestories": true, "readnext": true, "relacionados": true, "relacionadas": true,
	"verwandte": true, "yarpp": true, "rail": true, "sidebar": true, "teaser": true,
	"teasers": true,
}

// printTokens are class and id tokens of elements a page shows only when printed, such as
// a logo and the page's address atop the printout.
var printTokens = []string{
	"print-header", "print-footer", "print-only", "printonly", "print-logo", "only-print",
	"visible-print", "visible-print-block", "visible-print-inline", "visible-print-inline-block",
	"show-for-print", "print-show", "header-print", "footer-print",
}

var relatedTokens = []string{
	"more-stories", "more-articles", "read-next", "read-more-links", "most-popular",
	"most-read", "you-may-like", "also-like", "might-like", "more-from", "more-news",
	"more-on", "up-next", "next-article", "related-links", "further-reading-links",
	"popular-posts", "recent-posts", "latest-news", "latest-posts", "more-like-this",
}

var shareWords = map[string]bool{
	"share": true, "shares": true, "sharing": true, "sharebar": true, "sharethis": true,
	"addthis": true, "addtoany": true, "a2a": true, "shareaholic": true,
	"sharedaddy": true, "social": true, "socials": true, "sociallinks": true,
}

var newsletterWords = map[string]bool{
	"newsletter": true, "newsletters": true, "subscribe": true, "signup": true,
	"optin": true, "mailchimp": true, "mc4wp": true, "mailerlite": true,
	"convertkit": true, "substack": false,
}

var cookieWords = map[string]bool{
	"cookie": true, "cookies": true, "consent": true, "gdpr": true, "cmp": true,
	"cookiebanner": true, "cookielaw": true,
}

var adWords = map[string]bool{
	"ad": true, "ads": true, "advert": true, "adverts": true, "advertisement": true,
	"advertising": true, "adsense": true, "adsbygoogle": true, "adslot": true,
	"adunit": true, "dfp": true, "sponsored": true, "sponsor": true, "promo": false,
	"anzeige": true, "publicite": true, "werbung": true,
}

var bioWords = map[string]bool{
	"bio": true, "bios": true, "biography": true, "authorbio": true, "authorbox": true,
	"aboutauthor": true, "abouttheauthor": true,
}

var bioTokens = []string{
	"author-bio", "about-author", "about-the-author", "author-box", "author-info",
	"author-description", "author-details", "author-card", "author-profile", "contributor-bio",
	"byline-bio", "author-about", "post-author-box", "authorbox", "author-block",
}

var tagsWords = map[string]bool{
	"tags": true, "tagged": true, "taglist": true, "tagcloud": true, "keywords": true,
	"tagsblock": true,
}

var tagsTokens = []string{
	"tag-list", "tags-list", "post-tags", "entry-tags", "article-tags", "story-tags",
	"tags-links", "cat-links", "post-categories", "entry-categories", "article-topics",
	"related-topics", "topic-list", "topics-list", "entry-meta-tags", "tag-links",
}

var breadcrumbWords = map[string]bool{
	"breadcrumb": true, "breadcrumbs": true, "crumbs": true, "crumb": true, "breadcrumbtrail": true,
}

var creditWords = map[string]bool{
	"credit": true, "credits": true, "copyright": true, "photographer": true,
	"byline": false, "courtesy": true, "attribution": true,
}

// attrMark is what one class or id value says.
type attrMark struct {
	m, byToken                marker
	comment, negative, crumbs bool
	body                      bool // a token marks the article's body (articleTokens)
	sys                       string
}

// markerOf says what n's attributes mark it as, and for a comment section, which system.
// It runs on every element of a page; what a class value says is kept in c's cache,
// since pages repeat their class values.
func (c *cleaner) markerOf(n *html.Node) (marker, string) {
	m, sys, _ := c.marks(n)
	return m, sys
}

// marks is markerOf that also says whether n is marked as the article's body.
func (c *cleaner) marks(n *html.Node) (m marker, sys string, body bool) {
	if n.Type != html.ElementNode || len(n.Attr) == 0 {
		return markNone, "", false
	}
	var all attrMark
	for _, a := range n.Attr {
		switch {
		case a.Namespace != "":
			continue
		case a.Key == "role":
			if strings.EqualFold(strings.TrimSpace(a.Val), "search") {
				return markSearch, "", false
			}
			continue
		case a.Key == "aria-label":
			if strings.Contains(strings.ToLower(a.Val), "breadcrumb") {
				return markBreadcrumb, "", false
			}
			continue
		case a.Key == "itemtype":
			if strings.HasSuffix(a.Val, "BreadcrumbList") {
				return markBreadcrumb, "", false
			}
			continue
		case a.Key == "itemprop":
			if ip := strings.ToLower(a.Val); ip == "articlebody" || ip == "text" && n.Data != "span" {
				body = true
			}
			continue
		case a.Key != "class" && a.Key != "id" || a.Val == "":
			continue
		}
		am := c.attrMark(a.Key, a.Val)
		all.m = pick(all.m, am.m)
		all.byToken = pick(all.byToken, am.byToken)
		all.comment = all.comment || am.comment
		all.negative = all.negative || am.negative
		all.crumbs = all.crumbs || am.crumbs
		body = body || am.body
		if all.sys == "" {
			all.sys = am.sys
		}
	}
	switch {
	case all.comment && !all.negative:
		return markComments, all.sys, body
	case all.byToken != markNone:
		return all.byToken, "", body
	case all.crumbs:
		return markBreadcrumb, "", body
	case n.Data == "form" && isSearchForm(n):
		return markSearch, "", body
	}
	return all.m, "", body
}

// attrMark returns what a class or id value says. Class values repeat across a page and
// are read once; ids are unique and read each time.
func (c *cleaner) attrMark(key, val string) attrMark {
	if key == "id" {
		return scanAttr(val)
	}
	am, ok := c.attrCache[val]
	if !ok {
		am = scanAttr(val)
		if c.attrCache == nil {
			c.attrCache = map[string]attrMark{}
		}
		c.attrCache[val] = am
	}
	return am
}

// scanAttr reads the tokens of a class or id value and the words they are made of.
func scanAttr(val string) attrMark {
	var am attrMark
	lower := strings.ToLower(val)
	if len(lower) != len(val) {
		// Case mapping changed the length; offsets into val do not carry over.
		lower = val
	}
	for start := 0; start < len(val); {
		for start < len(val) && isSpaceByte(val[start]) {
			start++
		}
		end := start
		for end < len(val) && !isSpaceByte(val[end]) {
			end++
		}
		if end == start {
			break
		}
		if ti, ok := tokenInfos[lower[start:end]]; ok {
			am.body = am.body || ti.body
			am.comment = am.comment || ti.comment
			if ti.sys != "" {
				am.sys = ti.sys
			}
			am.byToken = pick(am.byToken, ti.m)
		}
		eachWord(val[start:end], lower[start:end], func(w string) {
			wi, ok := wordInfos[w]
			switch {
			case !ok:
				if isCommentWord(w) {
					am.comment = true
				}
			case wi.negative:
				am.negative = true
			case wi.comment:
				am.comment = true
				if wi.sys != "" && am.sys == "" {
					am.sys = wi.sys
				}
			case wi.crumbs:
				am.crumbs = true
			default:
				if wi.sys != "" && am.sys == "" && am.comment {
					am.sys = wi.sys
				}
				am.m = pick(am.m, wi.m)
			}
		})
		start = end
	}
	return am
}

// wordInfo and tokenInfo are what one class or id word, or whole token, says: the sets
// above folded into one table each, so that reading a class value costs one look-up a word.
type wordInfo struct {
	negative, comment, crumbs bool
	sys                       string
	m                         marker
}

type tokenInfo struct {
	body, comment bool
	sys           string
	m             marker
}

var wordInfos, tokenInfos = func() (map[string]wordInfo, map[string]tokenInfo) {
	words := map[string]wordInfo{}
	word := func(w string, set func(*wordInfo)) {
		wi := words[w]
		set(&wi)
		words[w] = wi
	}
	for w, m := range wordMarkers {
		words[w] = wordInfo{m: m}
	}
	for w, sys := range commentSystems {
		word(w, func(wi *wordInfo) { wi.sys = sys })
	}
	for w := range breadcrumbWords {
		word(w, func(wi *wordInfo) { wi.crumbs = true })
	}
	for w, on := range commentWords {
		if on {
			word(w, func(wi *wordInfo) { wi.comment = true })
		}
	}
	for w := range commentNegative {
		word(w, func(wi *wordInfo) { wi.negative = true })
	}
	tokens := map[string]tokenInfo{}
	token := func(t string, set func(*tokenInfo)) {
		ti := tokens[t]
		set(&ti)
		tokens[t] = ti
	}
	for t, m := range tokenMarkers {
		tokens[t] = tokenInfo{m: m}
	}
	for t := range articleTokens {
		token(t, func(ti *tokenInfo) { ti.body = true })
	}
	for t := range commentTokens {
		token(t, func(ti *tokenInfo) { ti.comment = true })
	}
	for t, sys := range commentSystems {
		token(t, func(ti *tokenInfo) { ti.sys = sys })
	}
	return words, tokens
}()

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }

// eachWord calls fn with each word of a class or id token, taken from lower at the
// offsets found in tok: words end at anything but a letter, and where a capital follows
// a small letter ("commentList").
func eachWord(tok, lower string, fn func(string)) {
	start := -1
	var prev rune
	for i, r := range tok {
		letter := unicode.IsLetter(r)
		if start >= 0 && (!letter || (unicode.IsUpper(r) && unicode.IsLower(prev))) {
			fn(lower[start:i])
			start = -1
		}
		if letter && start < 0 {
			start = i
		}
		prev = r
	}
	if start >= 0 {
		fn(lower[start:])
	}
}

// pick keeps the first marker found.
func pick(have, found marker) marker {
	if have != markNone {
		return have
	}
	return found
}

// wordMarkers and tokenMarkers map class and id words and whole tokens to what they mark.
var wordMarkers, tokenMarkers = func() (map[string]marker, map[string]marker) {
	words := map[string]marker{}
	add := func(set map[string]bool, m marker) {
		for w, on := range set {
			if _, taken := words[w]; on && !taken {
				words[w] = m
			}
		}
	}
	// In the order a node with several words is judged by.
	add(relatedWords, markRelated)
	add(shareWords, markShare)
	add(newsletterWords, markNewsletter)
	add(cookieWords, markCookie)
	add(bioWords, markAuthorBio)
	add(tagsWords, markTags)
	add(adWords, markAd)
	add(creditWords, markCredit)
	tokens := map[string]marker{}
	for _, t := range bioTokens {
		tokens[t] = markAuthorBio
	}
	for _, t := range tagsTokens {
		if _, taken := tokens[t]; !taken {
			tokens[t] = markTags
		}
	}
	for _, t := range relatedTokens {
		if _, taken := tokens[t]; !taken {
			tokens[t] = markRelated
		}
	}
	for _, t := range printTokens {
		tokens[t] = markPrintOnly
	}
	return words, tokens
}()

// isSearchForm reports whether a form is a site search: it has a search input, or one
// text input named like a query, and little text.
func isSearchForm(form *html.Node) bool {
	search := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			typ := strings.ToLower(attr(n, "type"))
			name := strings.ToLower(attr(n, "name"))
			if typ == "search" || ((typ == "" || typ == "text") && (name == "s" || name == "q" || name == "query" || name == "search" || name == "keys" || name == "keyword" || name == "keywords")) {
				search = true
			}
		}
		for c := n.FirstChild; c != nil && !search; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return search && textLen(form, nil) < 200
}

// isCommentWord reports whether a class or id word names comments: a known word, or
// "comment" run together with another ("commentbody", "commentslist"), but not
// "commentary" or "commentator", which name opinion pieces and their writers.
func isCommentWord(w string) bool {
	if commentWords[w] {
		return true
	}
	if !strings.HasPrefix(w, "comment") {
		return false
	}
	return !strings.HasPrefix(w, "commentar") && !strings.HasPrefix(w, "commentat")
}
