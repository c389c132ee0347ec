package clean

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/itlightning/dateparse"
)

// The rules on the wording of a short block, shared by the DOM stages and Lines. Each
// matches the whole collapsed text of a block (or line), so an ordinary sentence that
// happens to mention a newsletter or a photo is not touched.

// A verdict is what a block of text was found to be.
type verdict struct {
	rule, reason string
}

func (v verdict) ok() bool { return v.rule != "" }

var (
	vComment    = verdict{"comments/text", "comment section"}
	vWidget     = verdict{"comments/widget", "comment widget"}
	vSearch     = verdict{"search/text", "search box"}
	vShare      = verdict{"share/text", "share buttons"}
	vNewsletter = verdict{"cta/newsletter", "newsletter call to action"}
	vFollow     = verdict{"cta/follow", "follow or contact call to action"}
	vDonate     = verdict{"cta/donate", "donation or membership call to action"}
	vApp        = verdict{"cta/app", "app or click-here call to action"}
	vRelated    = verdict{"related/teaser", "related article link"}
	vRelatedHd  = verdict{"related/heading", "related articles"}
	vGallery    = verdict{"gallery/counter", "gallery counter or control"}
	vCredit     = verdict{"credit/text", "photo credit"}
	vAd         = verdict{"ad/text", "advertisement label"}
	vCookie     = verdict{"cookie/text", "cookie notice"}
	vTags       = verdict{"tags/text", "tag list"}
	vBio        = verdict{"bio/text", "author bio"}
	vByline     = verdict{"meta/byline", "byline or date line"}
	vChrome     = verdict{"chrome/text", "page control"}
	vAbout      = verdict{"about/company", "about-the-company boilerplate"}
	vTeaser     = verdict{"teaser/repeat", "teaser repeating the article's start"}
	vBreadcrumb = verdict{"nav/breadcrumbs", "breadcrumbs"}
	vCredits    = verdict{"meta/credits", "reporting and editing credits"}
	vCopyright  = verdict{"footer/copyright", "copyright notice"}
	vPolicy     = verdict{"comments/policy", "comment policy notice"}
	vAddress    = verdict{"chrome/url", "page address"}
	vAffiliate  = verdict{"disclosure/affiliate", "affiliate disclosure"}
)

func re(s string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + s) }

var (
	// commentHeadingRe matches the heading or count line that opens a comment section.
	commentHeadingRe = re(`^(?:` +
		`[{(\[]?\s*(?:\d[\d,.]*|no|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:comments?|responses?|replies|reactions|thoughts|opinions|comentários|comentarios|kommentare|commentaires)\b.{0,120}` +
		`|(?:reader(?:s'?)?\s+|user\s+|visitor\s+)?(?:comments?|responses|reactions|discussion|trackbacks?|pingbacks?|comentários|comentarios|kommentare|commentaires)(?:\s*[(\[]?\d+[)\]]?)?\s*:?` +
		`|(?:leave|post|add|write|submit|share|make|enter)\s+(?:a|an|your|new)?\s*(?:comment|reply|response|thoughts)\b.{0,60}` +
		`|join the (?:discussion|conversation|debate)\b.{0,40}` +
		`|what do you think\??|have your say.{0,30}|tell us what (?:you|YOU) think.{0,20}` +
		`|comments are (?:closed|now closed|open)\.?|be the first to comment.{0,30}` +
		`|(?:show|view|see|load|read) (?:all |the )?(?:\d+ )?comments?.{0,20}` +
		`|(?:one|\d+) thoughts? on .{1,200}|\d+ responses to .{1,200}` +
		`|post comment(?:\s*\(\+\))?|discuss this (?:article|story|post)` +
		`)$`)

	commentLeadRe = re(`^(?:[{(\[]?\s*(?:\d|no\b|one|two|three|four|five|six|seven|eight|nine|ten)|reader|user|visitor|comment|respons|reaction|discussion|trackback|pingback|coment|komment|leave|post|add|write|submit|share|make|enter|join|what|have|tell|be the|show|view|see|load|read|discuss)`)

	// widgetRe matches the controls of a comment widget, each a line of its own.
	widgetRe = re(`^(?:notify of|inline feedbacks|view all comments|newest most voted|most voted|newest|oldest|guest|login|log in|sign in to comment|cancel reply|reply|report|flag|like|dislike|` +
		`log in to reply|you must be logged in to post a comment\.?|your email address will not be published\.?.{0,60}|required fields are marked.{0,10}|` +
		`save my name, email, and website in this browser for the next time i comment\.?|notify me of (?:follow-up comments|new posts|new comments).{0,60}|` +
		`this site uses akismet to reduce spam\.?.{0,80}|name\s*\*?|email\s*\*?|website|comment\s*\*?|sort by.{0,20}|\d+ comments?|comments?\s*\(\d+\)|` +
		`(?:\d+\s+)?(?:upvotes?|downvotes?|likes?|replies|points?)|permalink|edit|delete|posted by:?|anonymous)$`)

	// strongWidgetRe are widget lines that alone say a comment section starts.
	strongWidgetRe = re(`^(?:` + strongWidgetPat + `)$`)

	searchRe = re(`^(?:` + searchPat + `)$`)

	shareVocab = map[string]bool{
		"share": true, "shares": true, "shared": true, "sharing": true, "tweet": true, "pin": true,
		"pint": true, "email": true, "e": true, "mail": true, "print": true, "copy": true,
		"link": true, "url": true, "whatsapp": true, "facebook": true, "twitter": true, "x": true,
		"linkedin": true, "pinterest": true, "reddit": true, "telegram": true, "messenger": true,
		"tumblr": true, "flipboard": true, "pocket": true, "sms": true, "threads": true,
		"bluesky": true, "mastodon": true, "on": true, "this": true, "article": true,
		"story": true, "post": true, "via": true, "save": true, "it": true, "the": true,
		"page": true, "with": true, "your": true, "friends": true, "gmail": true, "viber": true,
		"line": true, "vk": true, "weibo": true, "wechat": true, "instagram": true, "youtube": true,
		"compartir": true, "compartilhar": true, "teilen": true, "partager": true, "condividi": true,
		"comments": true, "comment": true, "to": true, "or": true, "and": true, "more": true,
		"options": true, "social": true, "media": true, "tiktok": true, "copied": true, "google": true,
	}
	shareNetworks = map[string]bool{
		"whatsapp": true, "facebook": true, "twitter": true, "linkedin": true, "pinterest": true,
		"reddit": true, "telegram": true, "messenger": true, "tumblr": true, "flipboard": true,
		"pocket": true, "tweet": true, "share": true, "email": true, "print": true, "bluesky": true,
		"mastodon": true, "threads": true, "compartir": true, "compartilhar": true, "teilen": true,
		"partager": true, "condividi": true,
	}

	// ctaStartRe matches a sentence that invites the reader to do something.
	ctaStartRe   = re(`^(?:sign up|signup|sign-up|subscribe|register|join|follow|like us|click|tap|download|get|receive|want|don't miss|do not miss|never miss|stay (?:up to date|informed|in the know|connected|updated)|keep up|be the first|enter your email|support|start your day|there's plenty more|let our|need more|for more|to get|to receive|to subscribe|to sign up|to read more|read more|find out more|check out|listen to|watch|sign in|log in|already a subscriber|become a|try|give|make a|help us|we rely|if you (?:like|enjoy|value|appreciate))\b`)
	newsletterRe = re(`\b(?:newsletters?|inbox|e-?mail(?:s)?|alerts|digest|briefing|bulletin|updates)\b`)
	subscribeRe  = re(`\b(?:sign(?:ing)?[ -]?up|subscrib(?:e|ing|ed)|register|delivered)\b`)
	inboxRe      = re(`delivered (?:straight |directly |right |free |daily |weekly )?(?:to|into|through|in) (?:your|their) (?:inbox|letterbox|mailbox|door)|meet your inbox|in your inbox|to your inbox`)
	magazineRe   = re(`\b(?:magazine|issues? for|print edition|digital edition|subscription)\b`)
	followRe     = re(`\bfollow (?:us|him|her|them|me|@\w+|\w+ \w+ on|\w+ on)\b|\blike us on\b|\bjoin (?:us|our)\b.{0,60}\b(?:forums?|community|discord|group|facebook|conversation|channel|mailing list)\b|\b(?:e-?mail|contact|reach) (?:the )?(?:\w+ ){0,2}(?:at|on twitter|via)\b|\b(?:may|can) be reached\b|\breach the (?:reporters?|authors?|writers?|editors?)\b|\bhave a (?:news )?tip\b|\bsend (?:us )?(?:a |your )?(?:news )?tips?\b|\bon (?:twitter|facebook|instagram|x) @\w+|\bfollow (?:\S+ ){0,4}(?:full |complete |live |latest |ongoing )?coverage\b`)
	// offerRe and priceRe find a subscription offer: "Get access to … Pro for as little as
	// Rs 599", "12 issues for £11.99".
	offerRe = re(`\b(?:subscriptions?|membership|premium|access|trial|offer|issues|digital edition)\b`)
	priceRe = re(`(?:[$£€¥₹]|\brs\.?\s?|\busd\s?|\beur\s?)\d|\bfor (?:as little as|only|just)\b|\bper (?:month|year|week)\b|\b(?:a|per) (?:month|year)\b|\bfree trial\b`)
	// affiliateRe matches a disclosure that the publisher earns from links in the article.
	affiliateRe = re(`\baffiliate (?:commission|links?|partnerships?|programs?|marketing)\b|\b(?:may|might|could) (?:earn|receive|get) (?:a |an )?(?:small )?(?:share of (?:the )?(?:sales|revenue)|commission|compensation|fee)\b|\bearns? (?:a |an )?(?:small )?commission\b`)
	// contactRe is how a reporter or the desk can be reached, wherever it stands in a sentence.
	contactRe = re(`\b(?:e-?mail|contact|reach) (?:the )?(?:\w+ ){0,2}at\b|\b(?:may|can) be reached\b|\breach the (?:reporters?|authors?|writers?|editors?)\b|\bhave a (?:news )?tip\b|\bsend (?:us )?(?:a |your )?(?:news )?tips?\b`)
	donateRe  = re(`\b(?:donate|donation|support (?:us|our (?:work|journalism|reporting)|independent journalism|(?:\w+ ){0,3}journalism)|become a (?:member|patron|supporter|subscriber|friend)|make a (?:donation|contribution|gift)|chip in|tip jar|patreon)\b`)
	appRe     = re(`\b(?:click here|tap here|download (?:the|our) (?:\w+ ){0,3}app|get the (?:\w+ ){0,4}app|install (?:the|our) app)\b`)

	bareCTARe = re(`^(?:` + bareCTAPat + `)$`)

	relatedPat       = `(?:related(?: articles?| stories| story| coverage| content| posts?| reading| news| links?| video| topics)?|read more|read also|also read|also see|more reading|see also|see more|recommended(?: reading| for you)?|watch|watch now|listen|more on this(?: story)?|more from [^:]{1,40}|don['’]?t miss|do not miss|must read|trending(?: now)?|you may also like|you might also like|editor['’]?s picks?|read next|up next|next up|further reading|more|more news|more stories|most popular|most read|in case you missed it|icymi|top stories|latest news|latest stories|popular stories|leia também|leia mais|veja também|lee también|lea también|lire aussi|à lire aussi|mehr zum thema|lesen sie auch|weiterlesen|ver también|vea también|ler também|more coverage|related coverage|keep reading|what to read next|you may have missed|around the web|from the web|sponsored stories|promoted stories|recommended stories|more videos|more like this|the latest|latest)`
	relatedLeadRe    = re(`^` + relatedPat + `\b`)
	relatedLineRe    = re(`^` + relatedPat + `\s*(?:[:：|»>–—-]|\.\.\.|…)\s*\S.*$`)
	relatedHeadingRe = re(`^` + relatedPat + `\s*[.:：…]?\s*(?:\.\.\.)?$`)

	galleryRe = re(`^(?:` + galleryPat + `)$`)

	creditRe = re(`^\(?\s*(?:` +
		`(?:photo|photograph|photography|image|picture|foto|illustration|video|credit|image credit|photo credit|image source|courtesy|crédito|créditos|imagem|bild|quelle|source|photos|images|credits?|artwork|main image|top image|header image|lead image|featured image|cover image)s?\s*(?:credits?)?\s*(?::|：|by\b|—|–|-)\s*.{1,120}` +
		`|©\s*.{1,100}|\(c\)\s*.{1,100}|copyright\s+.{1,100}|image copyright\s+.{1,80}|picture copyright\s+.{1,80}|getty(?: images)?(?: for .{1,40})?` +
		`|.{1,80}\s*[/|]\s*(?:getty images?|getty|ap|reuters|afp|epa|epa-efe|shutterstock|istock(?:photo)?|ap photo|alamy|bloomberg|pa|pa images|pa wire|rex|rex features|rex/shutterstock|afp via getty images|zuma|zuma press|sipa|nurphoto|anadolu|the associated press|associated press|file|ap file|flickr|wikimedia commons|unsplash|pexels|contributor)` +
		`|(?:ap|afp|reuters|epa|getty images|shutterstock|istock|alamy|ap photo)\s*(?:photo|file photo|images?)?(?:/.{1,60})?` +
		`)\s*\)?$`)

	adRe = re(`^(?:` + adPat + `)$`)

	// shortRe is searchRe, adRe, galleryRe, bareCTARe and strongWidgetRe in one, in that
	// order of precedence: a short block is matched once, not five times.
	shortRe = re(`^(?:(` + searchPat + `)|(` + adPat + `)|(` + galleryPat + `)|(` + bareCTAPat + `)|(` + strongWidgetPat + `))$`)

	cookieRe = re(`^(?:we use cookies|this (?:web)?site uses cookies|our (?:web)?site uses cookies|by (?:continuing to use|using|browsing) (?:this|our) (?:web)?site|accept (?:all )?cookies|cookie (?:settings|policy|preferences|consent)|manage (?:cookies|consent|preferences)|we and our partners)\b`)

	tagsRe = re(`^(?:tags?|tagged(?: with| as| in)?|topics?|filed (?:under|in)|categories|category|keywords|more about|related topics|see more on|mais sobre|etiquetas|schlagworte|schlagwörter|themen|mots-clés|sujets|argomenti|categorias)\s*[:：]\s*\S.*$`)

	bioRe     = re(`^(?:[A-Z][\p{L}.'’-]+\s){1,4}(?:is|was|has been|joined|writes|covers|reports|edits)\b.{0,80}\b(?:reporter|writer|journalist|editor|correspondent|columnist|contributor|freelancer|freelance|author|producer|intern|fellow|blogger|critic|analyst|anchor|host|photographer|novelist|staff|team|newsroom|desk)\b`)
	bioLineRe = re(`^(?:more (?:articles|stories|posts) (?:from|by) .{1,60}|view all (?:posts|articles|stories) by .{1,60}|see all (?:articles|stories|posts) by .{1,60}|more by .{1,60}|about the authors?:?.{0,60}|posts by .{1,60}|articles by .{1,60}|all articles by .{1,60})$`)

	aboutHeadingRe = re(`^(?:about|über|acerca de|sobre|à propos de|a proposito di)\s+(?:the company|us|the author|the authors|[\p{Lu}\d&][\p{L}\d&.,'’ -]{0,60})\s*:?$`)
	pressEndRe     = re(`^(?:#{3}|-30-|media contacts?:?.{0,80}|press contacts?:?.{0,80}|investor contacts?:?.{0,80}|for (?:further|more) information,? (?:please )?contact:?.{0,80}|source:\s*\S.{0,80}|view (?:original|source) content.{0,120}|forward-looking statements)$`)

	creditsLeadRe = re(`^\(?\s*(?:additional |further )?(?:reporting|writing|editing|written|edited|compiled|research|produced|translat|graphics|photos|video|illustration)`)
	creditsRe     = re(`^\(?\s*(?:additional |further )?(?:reporting|writing|editing|written|edited|compiled|research|produced|translated|translation|graphics|photos|video|illustrations?)(?: and (?:editing|writing|reporting))?(?: by)?\s*:?\s+\p{Lu}.{0,300}\)?$`)
	copyrightRe   = re(`(?:©|\(c\)|\bcopyright\b).{0,200}(?:\b(?:19|20)\d\d\b|all rights reserved|contents of this (?:site|website|page))|all rights reserved`)
	policyRe      = re(`\b(?:comments?|comentários|comentarios|kommentare|commentaires|replies)\b.{0,120}\b(?:moderat\w*|approv\w*|aprovad\w*|aprobad\w*|policy|guidelines|rules|terms|respectful|civil|off-topic|removed|deleted|freigeschaltet|publiés?)\b`)
	urlOnlyRe     = re(`^(?:https?://|www\.)\S+$`)
	chromeRe      = re(`^(?:skip to (?:main )?content|skip to navigation|menu|main menu|open menu|close menu|toggle navigation|back to top|top|home|sign in|log in|log out|login|register|subscribe|my account|print|print this (?:article|page|story)|email|e-mail|share|share this|share this (?:article|story|post)|share on|comments|comment|read more|continue reading|load more|show more|read full (?:article|story)|see more|more|font size|text size|a\+|a-|listen|listen to (?:this )?(?:article|story)|\d+ min(?:ute)? read|reading time:? .{1,20}|save|save (?:article|for later|story)|bookmark|follow|followed|unfollow|gift (?:this )?article|translate|audio|view comments|jump to comments|go to comments|report an error|report a (?:typo|correction)|suggest a correction|corrections?|feedback|close|×|✕|x|opens in new window|opens in a new window|external link|tl;dr)$`)
)

// byline and date lines

var (
	monthRe = `(?:jan(?:uary|vier|eiro|uar)?|feb(?:ruary|ruar)?|f[eé]v(?:rier|ereiro)?|mar(?:ch|s|[cç]o|z)?|m[äa]rz|apr(?:il)?|avr(?:il)?|abr(?:il)?|may|mai(?:o)?|mayo|jun(?:e|i|ho|io)?|juin|jul(?:y|i|ho|io)?|juil(?:let)?|aug(?:ust)?|ao[uû]t|ago(?:sto)?|sep(?:t(?:ember)?)?|set(?:embro)?|sept(?:embre)?|oct(?:ober|obre)?|out(?:ubro)?|okt(?:ober)?|nov(?:ember|embre|embro)?|dec(?:ember)?|d[eé]c(?:embre)?|dez(?:ember|embro)?|dic(?:iembre)?)\.?`
	dayRe   = `(?:(?:segunda|terça|quarta|quinta|sexta)-feira|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|segunda|terça|quarta|quinta|sexta|sábado|domingo|lunes|martes|miércoles|jueves|viernes|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\.?`

	// dateTokenRe matches one date or time expression.
	dateTokenRe = re(`\b(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}(?:t[\d:.]+z?)?|\d{1,2}[:h.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?|` + monthRe + `\s*\d{1,2}(?:st|nd|rd|th)?,?(?:\s*\d{4})?|\d{1,2}(?:st|nd|rd|th|º)?\.?\s*(?:de\s+)?` + monthRe + `(?:\s*(?:de\s+)?\d{4})?|` + monthRe + `\s+\d{4}|` + dayRe + `)(?:\b|$)`)
	// clockRe is a time of day alone.
	clockRe = re(`^(?:\d{1,2}[:h.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)$`)
	// strongDateRe is a year, a numeric date or a clock time.
	strongDateRe  = re(`\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d+\s+(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?)\s+ago\b`)
	bylineStartRe = re(`^(?:by|from|words by|written by|story by|text by|reporting by|por|von|par|di|door|de|publicado por|escrito por|texto)\s*:?\s+\S`)
	dateLeadRe    = re(`^(?:updated|published|posted|first published|last updated|last modified|modified|created|date|dated|publicado(?: em)?|atualizado(?: em)?|actualizado|publié(?: le)?|mis à jour(?: le)?|veröffentlicht(?: am)?|aktualisiert(?: am)?|stand)\b`)
)

// textVerdict classifies the collapsed text of one short block or line, without looking
// at its neighbours. pos says where the block sits: near the start, in the body, or in the
// tail (after the last long paragraph).
func textVerdict(s string, pos position) verdict {
	n := len(s)
	if n == 0 || n > 600 {
		return verdict{}
	}
	// The regular expressions are tried only where a cheap look at the words says they
	// may match: most blocks are prose, and must pass through quickly.
	nw := strings.Count(s, " ") + 1 // s is collapsed
	var words []string
	if nw <= 24 {
		words = strings.Fields(s)
		nw = len(words)
	}
	fw := firstWord(strings.ToLower(s[:min(len(s), 32)]))
	if nw >= 25 && pos == posBody && !relatedFirst[fw] && !tagsFirst[fw] {
		// A long block in the body is prose unless it is a call to action, credits, a
		// comment policy or an affiliate disclosure. Most blocks end here, so the test
		// avoids lowering the text unless a cue is found.
		lead := s[:min(len(s), 48)]
		if nw <= 60 && creditsFirst[fw] && creditsLeadRe.MatchString(lead) && creditsRe.MatchString(s) && containsFold(s, " by") {
			return vCredits
		}
		if nw <= 40 && containsFold(s, "comment") && policyRe.MatchString(s) {
			return vPolicy
		}
		if nw <= 60 && mayBeCTA(s) && hasCTA(s, strings.ToLower(s)) {
			return cta(s)
		}
		if nw <= 60 && (containsFold(s, "affiliate") || containsFold(s, "commission")) && affiliateRe.MatchString(s) {
			return vAffiliate
		}
		return verdict{}
	}
	lower := strings.ToLower(s)
	digit := strings.IndexAny(s, "0123456789") >= 0
	lead := s
	if len(lead) > 48 {
		lead = lead[:48]
	}
	if nw <= 12 && !(nw >= 6 && endsSentence(lastWord(s), nw)) {
		var group int
		if (fw == "" || shortFirst[fw]) && shortRe.MatchString(s) {
			// Rare: find which of them matched.
			for g, r := range []*regexp.Regexp{searchRe, adRe, galleryRe, bareCTARe, strongWidgetRe} {
				if r.MatchString(s) {
					group = g + 1
					break
				}
			}
		}
		switch {
		case group == 1 && nw <= 6:
			return vSearch
		case group == 2 && nw <= 6:
			return vAd
		case group == 3 && (nw <= 6 || digit && nw <= 8 && (fw == "" || galleryFirst[fw])):
			return vGallery
		case group == 4 && nw <= 9:
			return vNewsletter
		case nw <= 12 && isShareLine(words):
			return vShare
		case group == 5:
			return vWidget
		}
	}
	sentence := endsSentence(lastWord(s), nw)
	if !sentence && nw <= 16 && mayBeCredit(s, lower, fw) && creditRe.MatchString(s) {
		return vCredit
	}
	if (nw >= 25 || sentence) && pos == posBody && !relatedFirst[fw] && !tagsFirst[fw] {
		// A long block in the body is prose unless it is a call to action or credits.
		if nw <= 60 && creditsFirst[fw] && creditsLeadRe.MatchString(lead) && creditsRe.MatchString(s) && strings.Contains(lower, " by") {
			return vCredits
		}
		if nw <= 40 && strings.Contains(lower, "comment") && policyRe.MatchString(s) {
			return vPolicy
		}
		if nw <= 60 && mayBeCTA(lower) && hasCTA(s, lower) {
			return cta(s)
		}
		if nw <= 60 && (strings.Contains(lower, "affiliate") || strings.Contains(lower, "commission")) && affiliateRe.MatchString(s) {
			return vAffiliate
		}
		return verdict{}
	}
	if nw <= 20 && strings.Contains(lower, "cookie") || strings.HasPrefix(lower, "we and our") {
		if cookieRe.MatchString(lead) {
			return vCookie
		}
	}
	if nw <= 40 && tagsFirst[fw] && strings.ContainsAny(s, ":：") && tagsRe.MatchString(s) {
		return vTags
	}
	if nw <= 25 && relatedFirst[fw] && relatedLeadRe.MatchString(lead) {
		if relatedLineRe.MatchString(s) {
			return vRelated
		}
		if nw <= 8 && relatedHeadingRe.MatchString(s) {
			return vRelatedHd
		}
	}
	if nw <= 30 && (commentFirst[fw] || fw == "") && commentLeadRe.MatchString(lead) && commentHeadingRe.MatchString(s) && !sentence {
		return vComment
	}
	if nw <= 24 && isBylineOrDate(s, words, pos) {
		return vByline
	}
	if nw <= 60 && creditsFirst[fw] && creditsLeadRe.MatchString(lead) && creditsRe.MatchString(s) && strings.Contains(lower, " by") {
		return vCredits
	}
	if nw <= 40 && (strings.Contains(lower, "comment") || strings.Contains(lower, "coment") || strings.Contains(lower, "komment") || strings.Contains(lower, "repl")) && policyRe.MatchString(s) {
		return vPolicy
	}
	if pos != posBody && nw <= 40 && (strings.Contains(lower, "©") || strings.Contains(lower, "copyright") || strings.Contains(lower, "(c)") || strings.Contains(lower, "rights reserved")) && copyrightRe.MatchString(s) {
		return vCopyright
	}
	if pos != posBody && nw == 1 && urlOnlyRe.MatchString(s) {
		return vAddress
	}
	if nw <= 60 && (strings.Contains(lower, "affiliate") || strings.Contains(lower, "commission")) && affiliateRe.MatchString(s) {
		return vAffiliate
	}
	if nw <= 60 && mayBeCTA(lower) && hasCTA(s, lower) {
		return cta(s)
	}
	if pos != posBody && nw <= 80 && (bioRe.MatchString(s) || bioLineRe.MatchString(s)) {
		return vBio
	}
	if nw <= 6 && (fw == "" || chromeFirst[fw]) && chromeRe.MatchString(s) {
		return vChrome
	}
	return verdict{}
}

// firstWord returns the first run of letters (and apostrophes) of a lower-case text,
// after any opening punctuation.
func firstWord(lower string) string {
	start := -1
	for i, r := range lower {
		letter := unicode.IsLetter(r) || start >= 0 && (r == '\'' || r == '’')
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			return lower[start:i]
		}
		if start < 0 && (unicode.IsDigit(r) || i > 8) {
			return ""
		}
	}
	if start < 0 {
		return ""
	}
	return lower[start:]
}

// relatedFirst and commentFirst are the first words that relatedPat and commentLeadRe
// can start with.
var (
	relatedFirst = wordSet("related read also more see recommended watch listen don't don’t dont do must trending you editor's editor’s editors up next further most in icymi top latest popular leia veja lee lea lire à mehr lesen weiterlesen ver vea ler keep what around from sponsored promoted the")
	commentFirst = wordSet("no one two three four five six seven eight nine ten reader readers readers' user visitor comment comments responses response reactions discussion trackback trackbacks pingback pingbacks comentários comentarios kommentare commentaires leave post add write submit share make enter join what have tell be show view see load read discuss")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// shortFirst and chromeFirst are the first words that shortRe and chromeRe can start
// with; a text starting with a digit or a sign has no first word and is always tried.
var (
	shortFirst = wordSet(`search close open submit type press what start suche buscar pesquisar rechercher
		advertisement advertisements advert adverts ad ads advertising sponsored paid promoted publicité anzeige
		werbung publicidade publicidad pub reklama story article the continue scroll content media this skip remove
		report adchoices loading image photo picture slide foto imagem bild figure gallery video photos images
		pictures slides fotos view see launch browse caption hide toggle show expand enlarge previous next prev back
		full fullscreen exit play pause replay slideshow breaking newsletter newsletters sign subscribe join donate
		support get download follow like become register log my email your enter go invalid thank you're you’re
		privacy terms unsubscribe notify inline newest cancel you save`)
	chromeFirst = wordSet(`skip menu main open close toggle back top home sign log login logout register subscribe
		my print email e-mail share comments comment read continue load show see more font text a listen reading
		save bookmark follow followed unfollow gift translate audio view jump go report suggest correction
		corrections feedback opens external tl x min minute`)
)

// creditsFirst are the first words creditsLeadRe can start with.
var creditsFirst = wordSet("additional further reporting writing editing written edited compiled research produced translated translation graphics photos video illustration illustrations")

// mayBeCredit is a quick test that a short text could be a photo credit: it names an
// agency or says "photo" first, or holds a copyright sign or a slash.
func mayBeCredit(s, lower, fw string) bool {
	return creditFirst[fw] || strings.ContainsAny(s, "©/|") || strings.Contains(lower, "(c)") || strings.Contains(lower, "copyright")
}

// creditFirst, galleryFirst and tagsFirst are first words that creditRe, galleryRe and
// tagsRe can start with.
var (
	creditFirst  = wordSet("photo photograph photography image picture foto illustration video credit courtesy crédito créditos imagem bild quelle source photos images credits artwork main top header lead featured cover ap afp reuters epa getty shutterstock istock istockphoto alamy copyright")
	galleryFirst = wordSet("image photo picture slide foto imagem bild figure gallery video view see open launch browse photos images pictures slides fotos")
	tagsFirst    = wordSet("tag tags tagged topic topics filed categories category keywords more related see mais etiquetas schlagworte schlagwörter themen mots sujets argomenti categorias")
)

// ctaCues are fragments one of which every call to action holds (what it asks for),
// indexed by their first byte.
var ctaCues = func() *[256][]string {
	m := new([256][]string)
	for _, c := range []string{"access", "offer", "trial", "newsletter", "inbox", "mail", "alerts",
		"digest", "briefing", "bulletin", "updates", "magazine", "subscri", "sign up", "sign-up",
		"signup", "register", "deliver", "follow", "like us", "join u", "join o", "donat", "support u",
		"support o", "journalism", "patreon", "member", "patron", "chip in", "tip", "click here",
		"tap here", " app", "reach", "contact"} {
		m[c[0]] = append(m[c[0]], c)
	}
	return m
}()

// mayBeCTA is a quick test that a text could hold a call to action. The cues are ASCII,
// and compared without regard to case.
func mayBeCTA(s string) bool {
	for i := 0; i < len(s); i++ {
		for _, c := range ctaCues[lowerByte(s[i])] {
			if hasPrefixFold(s[i:], c) {
				return true
			}
		}
	}
	return false
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p, in any case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerByte(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// containsFold reports whether s holds the lower-case ASCII needle p, in any case.
func containsFold(s, p string) bool {
	for i := 0; i+len(p) <= len(s); i++ {
		if lowerByte(s[i]) == p[0] && hasPrefixFold(s[i:], p) {
			return true
		}
	}
	return false
}

// lastWord returns the last run of non-space of s.
func lastWord(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	return s[strings.LastIndexFunc(s, unicode.IsSpace)+1:]
}

// position is where a block sits in the article.
type position int

const (
	posBody position = iota
	posHead          // before the first long paragraph
	posTail          // after the last long paragraph
)

// endsSentence reports whether a text of nw words whose last word is last reads as a
// sentence of prose: several words ending in a full stop after a lower-case word.
func endsSentence(last string, nw int) bool {
	if nw < 6 {
		return false
	}
	if !strings.HasSuffix(last, ".") || strings.Count(last, ".") > 1 {
		// No full stop, or an abbreviation such as "a.m." or an ellipsis.
		return false
	}
	r := []rune(strings.TrimSuffix(last, "."))
	return len(r) > 1 && unicode.IsLower(r[0]) && unicode.IsLower(r[len(r)-1])
}

func isShareLine(words []string) bool {
	if len(words) == 0 {
		return false
	}
	networks, unknown := 0, 0
	for _, w := range words {
		w = strings.ToLower(strings.Trim(w, ".,:;!|·•()[]\"'“”-–—/"))
		if w == "" || isNumber(w) {
			continue
		}
		if shareNetworks[w] {
			networks++
		}
		if !shareVocab[w] {
			unknown++
		}
	}
	return networks >= 2 && unknown <= 1 || networks >= 1 && unknown == 0 && len(words) >= 2
}

func isNumber(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && r != '.' && r != ',' && r != 'k' && r != 'K' {
			return false
		}
	}
	return s != ""
}

// hasCTA reports whether a short block holds a sentence that asks the reader to sign up,
// follow, donate or get an app. lower is s in lower case.
func hasCTA(s, lower string) bool {
	contact := strings.Contains(lower, "reach") || strings.Contains(lower, "tip") ||
		strings.Contains(lower, "mail") || strings.Contains(lower, "contact")
	for _, sent := range sentences(s) {
		sent = strings.TrimLeft(sent, " \"'“‘*•►▶→»>-–—")
		lead := sent
		if len(lead) > 40 {
			lead = lead[:40]
		}
		lowerSent := strings.ToLower(sent)
		if !(ctaFirst[firstWord(lowerSent)] && ctaStartRe.MatchString(lead)) && !strings.Contains(lowerSent, "by subscribing") {
			if contact && len(strings.Fields(sent)) <= 30 && contactRe.MatchString(sent) {
				return true
			}
			continue
		}
		switch {
		case subscribeRe.MatchString(sent) && (newsletterRe.MatchString(sent) || magazineRe.MatchString(sent)):
			return true
		case offerRe.MatchString(sent) && priceRe.MatchString(sent):
			return true
		case inboxRe.MatchString(sent):
			return true
		case followRe.MatchString(sent), donateRe.MatchString(sent), appRe.MatchString(sent):
			return true
		}
	}
	return false
}

// ctaFirst are the first words ctaStartRe can start with.
var ctaFirst = wordSet("sign signup sign-up subscribe register join follow like click tap download get receive want don't don’t do never stay keep be enter support start there's there’s let need for to read find check listen watch log already become try give make help we if")

// cta says which kind of call to action s is.
func cta(s string) verdict {
	switch {
	case newsletterRe.MatchString(s) || inboxRe.MatchString(s) || magazineRe.MatchString(s):
		return vNewsletter
	case donateRe.MatchString(s):
		return vDonate
	case appRe.MatchString(s):
		return vApp
	default:
		return vFollow
	}
}

// sentences splits s after sentence-ending punctuation followed by a space.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '!', '?':
		case 0xE2: // "…" is E2 80 A6
			if !strings.HasPrefix(s[i:], "…") {
				continue
			}
			i += 2
		default:
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("\"')", s[j]) >= 0 {
			j++
		}
		if strings.HasPrefix(s[j:], "”") || strings.HasPrefix(s[j:], "’") {
			j += 3
		}
		if j < len(s) && s[j] == ' ' {
			out = append(out, s[start:j+1])
			start = j + 1
			i = j
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// isBylineOrDate reports whether s is only a byline and/or a date: "By Jane Doe",
// "Updated Nov 19, 6:55 AM", "PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: …".
func isBylineOrDate(s string, words []string, pos position) bool {
	if strings.ContainsAny(s, "!?") || endsSentence(words[len(words)-1], len(words)) {
		return false
	}
	fw := firstWord(strings.ToLower(s[:min(len(s), 24)]))
	byline := bylineFirst[fw] && bylineStartRe.MatchString(s)
	lead := dateLeadFirst[fw] && dateLeadRe.MatchString(s)
	digit := strings.IndexAny(s, "0123456789") >= 0
	if !byline && !lead && !digit {
		// Without a byline or a date word, a date line needs a number.
		return false
	}
	allowed := 0
	switch {
	case byline:
		allowed = 1
	case lead:
		allowed = 2
	}
	if strayWords(words) > allowed {
		return false
	}
	// A month or weekday name alone ("out of 5", "on Friday") is not enough for a line
	// that does not start like a byline or a date line.
	strong := digit && strongDateRe.MatchString(s)
	if !byline && !lead && !strong {
		return false
	}
	dates := dateTokenRe.FindAllStringIndex(s, -1)
	if !byline && len(dates) == 0 {
		return false
	}
	// What is left after the dates, the separators and the date words must be names.
	var restB strings.Builder
	prev := 0
	for _, d := range dates {
		restB.WriteString(s[prev:d[0]])
		restB.WriteByte(' ')
		prev = d[1]
	}
	restB.WriteString(s[prev:])
	rest := restB.String()
	// names counts capitalised words, small name words ("van", "de") count as neither.
	names, other := 0, 0
	for k, w := range strings.FieldsFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("|;,:/()[]•·–—-", r)
	}) {
		w = strings.Trim(w, ".'\"“”")
		switch {
		case w == "" || k == 0 && (byline || lead):
		case isDateWord(w):
		case isNameWord(w):
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
				names++
			}
		default:
			other++
		}
	}
	switch {
	case byline:
		return names >= 1 && other <= 1 && names <= 8
	case lead:
		return (strong || len(dates) > 0) && other <= 2 && names <= 6
	case pos == posBody:
		// A bare date in the body may head a part of a timeline or a diary.
		return false
	default:
		// A bare date, perhaps with a name: "November 20, 2019", "Nov. 20, 2019, 9:28 AM UTC",
		// that starts or ends the line and makes up most of it.
		if !strong || other > 0 || names > 3 || len(words) > 12 {
			return false
		}
		covered, clocks := 0, 0
		for _, d := range dates {
			covered += d[1] - d[0]
			if clockRe.MatchString(s[d[0]:d[1]]) {
				clocks++
			}
		}
		if clocks == len(dates) {
			// A time alone ("9:41 AM") heads the entries of live blogs.
			return false
		}
		first, last := dates[0], dates[len(dates)-1]
		edge := strings.TrimLeft(s[:first[0]], " ([—–-") == "" || strings.TrimRight(s[last[1]:], " )].,") == ""
		return edge && covered*2 >= len(strings.TrimSpace(s))
	}
}

// strayWords counts the lower-case words of a line that are neither date words, month or
// day names, nor small words of names: each one is evidence against a byline or date line.
func strayWords(words []string) int {
	stray := 0
	for _, w := range words {
		w = strings.Trim(w, ".,;:|()[]'\"“”•·–—-")
		r, _ := utf8.DecodeRuneInString(w)
		if w == "" || !unicode.IsLower(r) || isDateWord(w) || calendarWords[w] || nameWords[w] {
			continue
		}
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue
		}
		stray++
	}
	return stray
}

// bylineFirst and dateLeadFirst are the first words bylineStartRe and dateLeadRe can
// start with.
var (
	bylineFirst   = wordSet("by from words written story text reporting por von par di door de publicado escrito texto")
	dateLeadFirst = wordSet("updated published posted first last modified created date dated publicado atualizado actualizado publié mis veröffentlicht aktualisiert stand")
)

// bylineOf returns the byline part of a byline-or-date line ("By Jane Doe" from
// "By Jane Doe - 11/18/19 11:04 PM EST"), or "".
func bylineOf(s string) string {
	if !bylineStartRe.MatchString(s) {
		return ""
	}
	cut := len(s)
	if loc := dateTokenRe.FindStringIndex(s); loc != nil {
		cut = loc[0]
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", ";", " · ", " • "} {
		if i := strings.Index(s, sep); i > 0 && i < cut {
			cut = i
		}
	}
	b := strings.TrimRight(strings.TrimSpace(s[:cut]), ",|-–—:;·• ")
	b = strings.TrimSuffix(strings.TrimSpace(b), " on")
	b = strings.TrimSuffix(strings.TrimSpace(b), " Updated")
	b = strings.TrimSuffix(strings.TrimSpace(b), " Published")
	return strings.TrimSpace(b)
}

// dateOf returns the first date a byline-or-date line gives, or the zero time.
func dateOf(s string) time.Time {
	// Try the whole line without its lead words first, then each date expression.
	candidates := []string{}
	if loc := dateTokenRe.FindAllStringIndex(s, -1); len(loc) > 0 {
		candidates = append(candidates, strings.Trim(s[loc[0][0]:loc[len(loc)-1][1]], " ,|;"))
		for _, l := range loc {
			candidates = append(candidates, s[l[0]:l[1]])
		}
	}
	for _, c := range candidates {
		if t, err := dateparse.ParseAny(c); err == nil && t.Year() > 1900 {
			return t
		}
	}
	return time.Time{}
}

var numberRe = regexp.MustCompile(`\d`)

// dateWords are the words allowed around dates in a date line.
var dateWords = wordSet("updated update published publish posted post first last modified created date dated on at as of em le am um de à às a el del the et and by por von par di door publicado atualizado actualizado publié mis jour veröffentlicht aktualisiert stand edt est cdt cst pdt pst mdt mst utc gmt bst cet cest ist aest pt ct ago hour hours hr hrs minute minutes min mins day days week weeks month months year years yesterday today h reviewed fact checked written reading time read clock local a.m. p.m. am pm a.m p.m")

func isDateWord(w string) bool {
	lw := strings.ToLower(w)
	if dateWords[lw] {
		return true
	}
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// nameWords are the small words and titles a byline's names may hold.
var nameWords = wordSet("and & de da do dos das van von der den la le del di du bin al y e und et the staff reporter writer correspondent editor contributor associated press wire wires news agency team desk service services")

// isNameWord reports whether w can be part of a byline's names: a capitalised word or
// one of nameWords.
func isNameWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || nameWords[strings.ToLower(w)]
}

// calendarWords are the lower-case month and day names (and their short forms) that the
// date expressions know.
var calendarWords = wordSet("january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec janvier février mars avril mai juin juillet août septembre octobre novembre décembre janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro enero febrero marzo mayo junio julio septiembre octubre noviembre diciembre januar februar märz juni juli oktober dezember monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun segunda terça quarta quinta sexta sábado domingo feira lunes martes miércoles jueves viernes lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag samstag sonntag")

// strongWidgetPat is the alternation of strongWidgetRe.
const strongWidgetPat = `notify of|inline feedbacks|view all comments|newest most voted|cancel reply|you must be logged in to post a comment\.?|your email address will not be published\.?.{0,60}|save my name, email, and website in this browser for the next time i comment\.?|this site uses akismet to reduce spam\.?.{0,80}`

// searchPat is the alternation of searchRe.
const searchPat = `search|search for:?|search\s*(?:…|\.\.\.)|close this search box\.?|close search|open search|submit search|search this (?:site|website|blog)|search the (?:site|website|archive)|type (?:your search|to search|here to search).{0,30}|press (?:enter|return) to search.{0,30}|what are you looking for\??|start typing.{0,30}|suche|buscar|pesquisar|rechercher`

// bareCTAPat is the alternation of bareCTARe.
const bareCTAPat = `breaking news emails|newsletters?|sign up|sign up now|sign up for free|subscribe|subscribe now|subscribe today|subscribe here|join now|join today|donate|donate now|support us|get the app|download the app|follow us|follow|like us on facebook|become a member|register|register now|sign in|log in|log out|my account|sign up for our newsletter|get our newsletter|email address|your email|enter your email(?: address)?|submit|go|invalid email|thank you for subscribing!?|you're all set!?|privacy policy|terms of (?:use|service)|unsubscribe at any time\.?`

// adPat is the alternation of adRe.
const adPat = `advertisement|advertisements|advert|adverts|ad|ads|advertising|sponsored|sponsored content|paid content|paid post|promoted|publicité|anzeige|werbung|publicidade|publicidad|pub|reklama|story continues below(?: advertisement)?|article continues below(?: advertisement)?|(?:the )?article continues (?:after|below) (?:the |this )?(?:advertisement|ad)|continue reading (?:the main story|below|after the ad)|scroll to continue with content|content continues below|media playback is unsupported on your device|this video can ?not be played|skip advertisement|remove ads|ad feedback|report (?:this )?ad|close ad|ad choices|adchoices|loading\.{0,3}|loading…`

// galleryPat is the alternation of galleryRe.
const galleryPat = `(?:(?:(?:image|photo|picture|slide|foto|imagem|bild|figure|gallery|video)\s*)?\d+\s*(?:of|/|de|von|sur|di|из)\s*\d*)|(?:(?:\d+\s*)?(?:photos?|images|pictures|slides|fotos))|(?:(?:view|see|open|launch|browse) (?:the )?(?:all \d+ |\d+ )?(?:photos|images|gallery|slideshow|pictures))|(?:(?:caption|image caption|media caption|close|hide caption|toggle caption|show caption|expand|enlarge(?: this)? image|previous|next|prev|previous image|next image|back to (?:the )?(?:gallery|article|slideshow)|full ?screen|exit full ?screen|play|pause|replay|skip|gallery|slideshow|image \d+ of))`
