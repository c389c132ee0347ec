package archive

import "testing"

func TestStatedAddress(t *testing.T) {
	const canonical = `<link rel="canonical" href="https://example.org/canonical">`
	tests := []struct {
		name, page, want string
	}{
		{"browser's saved-from comment", `<!DOCTYPE html><!-- saved from url=(0031)https://example.org/saved-from -->
<html><head>` + canonical + `</head><body><p>x</p></body></html>`, "https://example.org/saved-from"},
		{"SingleFile's comment", `<!DOCTYPE html> <html><!--
 Page saved with SingleFile
 url: https://example.org/single-file
 saved date: Mon Nov 23 2026 10:00:00 GMT+0000
--><head>` + canonical + `</head><body></body></html>`, "https://example.org/single-file"},
		{"canonical link", `<html><head><meta property="og:url" content="https://example.org/og">` + canonical + `</head><body></body></html>`, "https://example.org/canonical"},
		{"rel with other tokens, upper case", `<html><head><LINK REL="Canonical alternate" HREF="https://example.org/upper"></head></html>`, "https://example.org/upper"},
		{"og:url", `<html><head><meta property="og:url" content="https://example.org/og"></head><body></body></html>`, "https://example.org/og"},
		{"relative canonical", `<html><head><link rel="canonical" href="/relative"></head></html>`, ""},
		{"not a web address", `<html><head><link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="file:///etc/passwd"></head></html>`, ""},
		{"a url comment that is not SingleFile's", `<html><!-- url: https://example.org/dev-note --><head></head></html>`, ""},
		{"in the body", `<html><head></head><body><link rel="canonical" href="https://example.org/late"></body></html>`, ""},
		{"none", `<p>Just a paragraph.</p>`, ""},
		{"empty", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StatedAddress([]byte(tt.page)); got != tt.want {
				t.Errorf("StatedAddress = %q, want %q", got, tt.want)
			}
		})
	}
}
