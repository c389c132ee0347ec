package sanitize

import (
	"math"
	"net/url"
	"strconv"
	"strings"
)

// cleanURL reads raw the way a browser's URL parser does before it looks
// for a scheme: leading and trailing C0 controls and spaces go, tabs and
// newlines anywhere go. Any other control character makes the value
// unusable. Inner spaces are percent-encoded, since url.Parse keeps them in
// queries and bluemonday refuses them.
func cleanURL(raw string) (*url.URL, bool) {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return nil, false
		}
	}
	u, err := url.Parse(strings.ReplaceAll(s, " ", "%20"))
	if err != nil {
		return nil, false
	}
	return u, true
}

// linkURL returns the href to keep for raw: an absolute http or https URL, a
// mailto address, or an in-page reference such as "#fn1".
func linkURL(raw string) (string, bool) {
	u, ok := cleanURL(raw)
	if !ok {
		return "", false
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false
		}
	case "":
		// Only a bare fragment: other relative URLs should have been made
		// absolute by the extractor, and would now point nowhere.
		if u.Fragment == "" || u.Path != "" || u.Host != "" || u.RawQuery != "" || u.Opaque != "" {
			return "", false
		}
	default:
		return "", false
	}
	return u.String(), true
}

// webURL returns raw if it is an absolute http or https URL.
func webURL(raw string) (string, bool) {
	u, ok := cleanURL(raw)
	if !ok || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

type imageKind int

const (
	badImage imageKind = iota
	localImage
	dataImage
	remoteImage
)

// classify says what an img src is and returns its clean form.
func (p *preparer) classify(raw string) (imageKind, string) {
	s := strings.TrimLeftFunc(raw, func(r rune) bool { return r <= ' ' })
	if len(s) >= 5 && strings.EqualFold(s[:5], "data:") {
		// Base64 may be wrapped over lines; drop all ASCII white space.
		s = strings.Map(func(r rune) rune {
			if r <= ' ' {
				return -1
			}
			return r
		}, s)
		if i := strings.IndexByte(s, ','); i > 0 {
			s = strings.ToLower(s[:i]) + s[i:]
		}
		if dataImageRE.MatchString(s) {
			return dataImage, s
		}
		return badImage, ""
	}
	u, ok := cleanURL(raw)
	if !ok {
		return badImage, ""
	}
	switch u.Scheme {
	case p.scheme:
		if sha256HexRE.MatchString(u.Opaque) && u.RawQuery == "" && u.Fragment == "" {
			return localImage, u.String()
		}
	case "http", "https":
		if u.Host != "" {
			return remoteImage, u.String()
		}
	}
	return badImage, ""
}

// pixels reads an HTML length attribute such as "1", "0", "1px" or " 2.5 "
// as whole pixels. Percentages and junk do not read.
func pixels(v string) (int, bool) {
	v = strings.TrimSpace(strings.ToLower(v))
	v = strings.TrimSpace(strings.TrimSuffix(v, "px"))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	if f > math.MaxInt32 {
		return math.MaxInt32, true
	}
	return int(math.Round(f)), true
}

func itoa(n int) string { return strconv.Itoa(n) }

// trackers are hosts (and, where the host also serves real content, path
// prefixes) of well-known tracking pixels: analytics beacons, ad pixels and
// feed-click counters. A host matches itself and its subdomains; a path
// ending in "/" matches as a prefix, any other path matches itself and what
// lies below it. Hosts whose first label is "pixel" are treated the same.
var trackers = []struct{ host, path string }{
	{"google-analytics.com", ""},
	{"googletagmanager.com", ""},
	{"doubleclick.net", ""},
	{"googlesyndication.com", ""},
	{"googleadservices.com", ""},
	{"facebook.com", "/tr"},
	{"pixel.wp.com", ""},
	{"stats.wp.com", ""},
	{"quantserve.com", ""},
	{"scorecardresearch.com", ""},
	{"feeds.feedburner.com", "/~r/"},
	{"feedproxy.google.com", "/~r/"},
	{"bat.bing.com", ""},
	{"analytics.twitter.com", ""},
	{"px.ads.linkedin.com", ""},
	{"ct.pinterest.com", ""},
	{"mc.yandex.ru", ""},
	{"chartbeat.net", ""},
	{"medium.com", "/_/stat"},
}

// IsTrackingImage reports whether an img with these src, width and height
// attribute values is a tracking pixel: declared 1 pixel or less in either
// direction ("0", "1", "1px"), or served from a known tracker (see the list in
// the source). src should be absolute; a relative one is judged by size only.
func IsTrackingImage(src, width, height string) bool {
	for _, v := range []string{width, height} {
		if px, ok := pixels(v); ok && px <= 1 {
			return true
		}
	}
	u, ok := cleanURL(src)
	if !ok || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if first, _, _ := strings.Cut(host, "."); first == "pixel" && strings.Contains(host, ".") {
		return true
	}
	for _, t := range trackers {
		if host != t.host && !strings.HasSuffix(host, "."+t.host) {
			continue
		}
		switch {
		case t.path == "":
			return true
		case strings.HasSuffix(t.path, "/"):
			if strings.HasPrefix(u.Path, t.path) {
				return true
			}
		case u.Path == t.path || strings.HasPrefix(u.Path, t.path+"/"):
			return true
		}
	}
	return false
}
