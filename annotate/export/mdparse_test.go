package export

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file reads exported Markdown back the way a note-taking app would: goldmark with
// GFM, footnotes, and a small extension for Obsidian's ==mark== written like goldmark's
// own strikethrough (a delimiter of exactly two '=' under CommonMark's flanking rules).

var kindMark = gast.NewNodeKind("Mark")

type markNode struct{ gast.BaseInline }

func (n *markNode) Kind() gast.NodeKind           { return kindMark }
func (n *markNode) Dump(source []byte, level int) { gast.DumpHelper(n, source, level, nil, nil) }

type markDelims struct{}

func (markDelims) IsDelimiter(b byte) bool { return b == '=' }
func (markDelims) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (markDelims) OnMatch(consumes int) gast.Node { return &markNode{} }

type markParser struct{}

func (markParser) Trigger() []byte { return []byte{'='} }

func (markParser) Parse(parent gast.Node, block text.Reader, pc parser.Context) gast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	node := parser.ScanDelimiter(line, before, 2, markDelims{})
	if node == nil || node.OriginalLength != 2 || before == '=' {
		return nil
	}
	node.Segment = segment.WithStop(segment.Start + node.OriginalLength)
	block.Advance(node.OriginalLength)
	pc.PushDelimiter(node)
	return node
}

func (markParser) CloseBlock(parent gast.Node, pc parser.Context) {}

type markRenderer struct{}

func (markRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMark, func(w util.BufWriter, source []byte, n gast.Node, entering bool) (gast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString("<mark>")
		} else {
			_, _ = w.WriteString("</mark>")
		}
		return gast.WalkContinue, nil
	})
}

type markExtension struct{}

func (markExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(markParser{}, 500)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(markRenderer{}, 500)))
}

func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote, markExtension{}),
		goldmark.WithRendererOptions(ghtml.WithUnsafe()),
	)
}

// renderMarkdown renders Markdown (without its front matter) to HTML.
func renderMarkdown(t testing.TB, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := newGoldmark().Convert([]byte(md), &buf); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	return buf.String()
}

// splitFrontMatter returns the YAML front matter and the rest of a Markdown file.
func splitFrontMatter(t testing.TB, md string) (string, string) {
	t.Helper()
	if !strings.HasPrefix(md, "---\n") {
		t.Fatalf("no front matter:\n%s", md)
	}
	end := strings.Index(md[4:], "\n---\n")
	if end < 0 {
		t.Fatalf("front matter not closed:\n%s", md)
	}
	return md[4 : 4+end+1], md[4+end+5:]
}

func isBlockElem(a atom.Atom) bool {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Ul, atom.Ol,
		atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Td, atom.Th, atom.Hr, atom.Div,
		atom.Figure, atom.Figcaption, atom.Section, atom.Article, atom.Header, atom.Img:
		return true
	}
	return false
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(sb.String())
}
