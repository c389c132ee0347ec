package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

var errCoding = errors.New("unsupported content encoding")

// tooLargeError is a body over its cap.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string { return "more than " + size(e.limit) }

// maxCodings bounds stacked encodings such as "gzip, gzip, gzip".
const maxCodings = 3

// contentCodings lists the Content-Encoding values in the order the server
// applied them, identity left out.
func contentCodings(h http.Header) ([]string, error) {
	var out []string
	for _, v := range h.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			c = strings.ToLower(strings.TrimSpace(c))
			if c != "" && c != "identity" {
				out = append(out, c)
			}
		}
	}
	if len(out) > maxCodings {
		return nil, fmt.Errorf("%w: %s", errCoding, strings.Join(out, ", "))
	}
	return out, nil
}

// decoded undoes codings, last applied first.
func decoded(r io.Reader, codings []string) (io.Reader, error) {
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, err
			}
			r = zr
		case "deflate":
			zr, err := inflate(r)
			if err != nil {
				return nil, err
			}
			r = zr
		case "br":
			r = brotli.NewReader(r)
		default:
			return nil, fmt.Errorf("%w: %s", errCoding, codings[i])
		}
	}
	return r, nil
}

// inflate reads "deflate", which HTTP defines as zlib but some servers send
// as raw DEFLATE; the zlib header tells them apart.
func inflate(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if errors.Is(err, io.EOF) {
		return br, nil // empty body
	}
	if err != nil {
		return nil, err
	}
	if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// readCapped reads r to the end, at most limit+1 bytes, and fails with a
// *tooLargeError if there are more than limit. hint, if positive, is the expected
// length.
func readCapped(r io.Reader, limit, hint int64) ([]byte, error) {
	var buf bytes.Buffer
	if hint > 0 && hint <= limit {
		buf.Grow(int(hint) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &tooLargeError{limit}
	}
	return buf.Bytes(), nil
}
