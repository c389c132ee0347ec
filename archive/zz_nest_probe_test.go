package archive

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestZZNest(t *testing.T) {
	u, _ := url.Parse("https://example.com/a")
	for _, tag := range []string{"div", "span", "b", "a", "p", "table", "li", "em"} {
		for _, n := range []int{1000, 10000, 100000} {
			var b strings.Builder
			b.WriteString("<html><head><title>Deep</title></head><body><article><p>" + strings.Repeat("Some real words in a paragraph here. ", 30) + "</p>")
			for range n {
				b.WriteString("<" + tag + ">x")
			}
			b.WriteString("</article></body></html>")
			page := []byte(b.String())
			t0 := time.Now()
			root, err := Parse(page)
			tp := time.Since(t0)
			_ = root
			t1 := time.Now()
			_, err = Extract(page, u)
			t.Logf("%s x%d: parse %v, extract %v (%v)", tag, n, tp, time.Since(t1), err)
			if time.Since(t1) > 20*time.Second {
				break
			}
		}
	}
}
