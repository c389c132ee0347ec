package archive

import (
	"strconv"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/clean"
	"gloss/archive/doc"
)

// Edits are the user's own changes to what cleaning keeps of an article. They are kept
// with each capture and carried to the next re-clean.
type Edits struct {
	// Restored names removals (by clean.Removal.Path) the user chose to keep.
	Restored []string
	// Stripped holds the canonical text of blocks the user removed.
	Stripped []string
}

// RecleanOptions says how to clean an article again.
type RecleanOptions struct {
	// FetchImages downloads again the images the library lacks.
	FetchImages bool
	// Restore and Unrestore add and take back removals to keep (by Path).
	Restore, Unrestore []string
	// Strip and Unstrip add and take back blocks to remove (by their canonical text).
	Strip, Unstrip []string
}

// apply returns the edits with the changes of opt made.
func (e Edits) apply(opt RecleanOptions) Edits {
	return Edits{
		Restored: mergeKeep(e.Restored, opt.Restore, opt.Unrestore),
		Stripped: mergeKeep(e.Stripped, opt.Strip, opt.Unstrip),
	}
}

// blockAtoms are the elements strip mode removes whole.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Li: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Blockquote: true, atom.Pre: true, atom.Figure: true,
	atom.Figcaption: true, atom.Table: true, atom.Tr: true, atom.Ul: true, atom.Ol: true,
	atom.Div: true, atom.Section: true, atom.Aside: true, atom.Dl: true, atom.Dd: true, atom.Dt: true,
}

// stripBlocks removes from an article, for each text, the smallest blocks whose canonical
// text is exactly that text, and records each removal.
func stripBlocks(article *xhtml.Node, texts []string) []clean.Removal {
	if len(texts) == 0 {
		return nil
	}
	want := map[string]int{}
	for i, t := range texts {
		want[t] = i
	}
	var matched []*xhtml.Node
	var walk func(n *xhtml.Node) bool // reports whether n or a block inside it matched
	walk = func(n *xhtml.Node) bool {
		inner := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				inner = true
			}
		}
		// Elements readability creates or renames carry no DataAtom; look them up by name.
		if inner || n.Type != xhtml.ElementNode || !blockAtoms[atom.Lookup([]byte(n.Data))] {
			return inner
		}
		if _, ok := want[doc.FromNode(n).Text]; ok {
			matched = append(matched, n)
			return true
		}
		return false
	}
	walk(article)
	out := make([]clean.Removal, 0, len(matched))
	for _, n := range matched {
		text := doc.FromNode(n).Text
		out = append(out, clean.Removal{
			Reason: "removed by you", Rule: "strip mode", Text: capText(text), HTML: renderNode(n),
			Path: "user:" + strconv.Itoa(want[text]),
		})
		n.Parent.RemoveChild(n)
	}
	return out
}
