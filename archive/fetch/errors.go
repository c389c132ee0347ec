package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// Kind is the class of a fetch failure. A Kind is also an error, so
// errors.Is(err, fetch.Timeout) tests for one.
type Kind int

// The kinds of failure.
const (
	BadURL           Kind = iota + 1 // not a valid http or https address
	Blocked                          // a local address reached from a public one
	DNS                              // the host name could not be found
	Connect                          // no connection to the server
	TLS                              // the secure connection failed
	Timeout                          // over Options.Timeout or a context deadline
	Canceled                         // the context was canceled
	HTTPStatus                       // the server answered other than 2xx
	RedirectLoop                     // a redirect led back to an address already visited
	TooManyRedirects                 // more than Options.MaxRedirects
	NotHTML                          // WantHTML, but something else arrived
	NotImage                         // WantImage, but something else arrived
	TooLarge                         // over the body cap after decoding
	Network                          // the connection broke or the response was malformed
)

var kindNames = [...]string{
	BadURL: "bad URL", Blocked: "blocked", DNS: "DNS", Connect: "connect", TLS: "TLS",
	Timeout: "timeout", Canceled: "canceled", HTTPStatus: "HTTP status",
	RedirectLoop: "redirect loop", TooManyRedirects: "too many redirects",
	NotHTML: "not HTML", NotImage: "not an image", TooLarge: "too large", Network: "network",
}

// String returns a short name for k.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error returns a short name for k, so that a Kind can be a target of
// errors.Is.
func (k Kind) Error() string { return "fetch: " + k.String() }

// Error is a failed fetch.
type Error struct {
	Kind        Kind
	URL         string // the address being fetched when it failed (after any redirects)
	Status      int    // for HTTPStatus
	ContentType string // media type, when the server sent one
	Err         error  // the underlying cause, if any
}

// Unwrap returns the cause, so that errors.Is(err, context.Canceled) holds
// for a canceled fetch.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// Error returns one sentence for a person, starting with the address.
func (e *Error) Error() string {
	var s string
	switch e.Kind {
	case BadURL:
		s = "this is not a valid web address"
		if errors.Is(e.Err, errScheme) {
			s = "only web addresses (http or https) can be fetched"
		}
	case Blocked:
		s = "refused to follow a redirect to a non-web address"
		var b *blockedError
		if errors.As(e.Err, &b) {
			s = fmt.Sprintf("refused to reach %s, an address on the local network, from a public page", b.addr)
		}
	case DNS:
		s = fmt.Sprintf("the host name %s could not be found", hostOf(e.URL))
	case Connect:
		s = "could not connect to the server (" + reason(e.Err) + ")"
	case TLS:
		s = "could not make a secure connection (" + tlsReason(e.Err) + ")"
	case Timeout:
		s = "the server took too long to respond"
	case Canceled:
		s = "the download was canceled"
	case HTTPStatus:
		s = strings.TrimSpace(fmt.Sprintf("the server answered %d %s", e.Status, http.StatusText(e.Status)))
	case RedirectLoop:
		s = "the server redirects in a loop"
	case TooManyRedirects:
		s = "the server redirected too many times (" + reason(e.Err) + ")"
	case NotHTML:
		s = "this is " + describe(e.ContentType) + ", not a web page"
	case NotImage:
		s = "this is " + describe(e.ContentType) + ", not an image"
	case TooLarge:
		s = "the download is too large (" + reason(e.Err) + ")"
	default:
		s = "the download failed (" + reason(e.Err) + ")"
	}
	if e.URL == "" {
		return s
	}
	return e.URL + ": " + s
}

// classify turns err from fetching at into an *Error. parent is the caller's
// context and ctx the one with the overall timeout.
func classify(parent, ctx context.Context, at string, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.URL == "" {
			fe.URL = at
		}
		return fe
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		at = ue.URL
	}
	e := &Error{URL: at, Err: err}
	var (
		dnsErr   *dnsError
		netDNS   *net.DNSError
		blocked  *blockedError
		netErr   net.Error
		opErr    *net.OpError
		timedOut = errors.As(err, &netErr) && netErr.Timeout()
	)
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		e.Kind, e.Err = Canceled, parent.Err()
	case ctx.Err() != nil:
		e.Kind, e.Err = Timeout, context.DeadlineExceeded
	case errors.As(err, &blocked):
		e.Kind = Blocked
	case errors.As(err, &dnsErr), errors.As(err, &netDNS):
		e.Kind = DNS
	case isTLS(err):
		e.Kind = TLS
	case timedOut:
		e.Kind = Timeout
	case errors.As(err, &opErr) && opErr.Op == "dial":
		e.Kind = Connect
	default:
		e.Kind = Network
	}
	return e
}

func isTLS(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
		alert   tls.AlertError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		op      *net.OpError
	)
	return errors.Is(err, http.ErrSchemeMismatch) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		errors.As(err, &op) && op.Op == "remote error" // an alert from the server
}

func tlsReason(err error) string {
	var (
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return "the certificate is not from a trusted authority"
	case errors.As(err, &host):
		return "the certificate is for a different site"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the certificate has expired or is not yet valid"
	case errors.As(err, &invalid):
		return "the certificate is not valid"
	case errors.As(err, &record), errors.Is(err, http.ErrSchemeMismatch):
		return "the server does not speak TLS on this port"
	}
	return "the handshake failed"
}

// reason is the short cause of err for a sentence.
func reason(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "no details"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection closed too early"
	}
	return err.Error()
}

func hostOf(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return rawURL
}

// describe names a media type for a person: "a PDF document", "an image
// (image/png)".
func describe(mediaType string) string {
	switch mediaType {
	case "":
		return "a file of unknown type"
	case "text/html", "application/xhtml+xml":
		return "a web page"
	case "application/pdf":
		return "a PDF document"
	case "text/plain":
		return "a plain-text file"
	case "application/json":
		return "JSON data"
	case "application/rss+xml":
		return "an RSS feed"
	case "application/atom+xml":
		return "an Atom feed"
	case "application/xml", "text/xml":
		return "an XML document"
	case "text/css":
		return "a style sheet"
	case "text/javascript", "application/javascript":
		return "a script"
	case "application/epub+zip":
		return "an e-book (EPUB)"
	case "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.oasis.opendocument.text", "application/rtf":
		return "a word-processor document"
	case "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.oasis.opendocument.spreadsheet", "text/csv":
		return "a spreadsheet"
	case "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.oasis.opendocument.presentation":
		return "a presentation"
	case "application/zip", "application/gzip", "application/x-gzip", "application/x-tar",
		"application/x-7z-compressed", "application/vnd.rar", "application/x-rar-compressed":
		return "an archive (" + mediaType + ")"
	case "application/octet-stream", "binary/octet-stream":
		return "a binary file"
	}
	major, _, _ := strings.Cut(mediaType, "/")
	switch major {
	case "image":
		return "an image (" + mediaType + ")"
	case "video":
		return "a video (" + mediaType + ")"
	case "audio":
		return "an audio file (" + mediaType + ")"
	case "font":
		return "a font (" + mediaType + ")"
	}
	if strings.HasSuffix(mediaType, "+xml") {
		return "an XML document (" + mediaType + ")"
	}
	return "a file of type " + mediaType
}
