package archive

import (
	"errors"
	"fmt"

	xhtml "golang.org/x/net/html"
)

// ErrPageTooComplex matches (errors.Is) the error for a page too big or too
// deeply nested for Gloss to make an article of in reasonable time. Real
// articles are far below the limits; pages past them are broken or built to
// hang whoever reads them.
var ErrPageTooComplex = errors.New("the page is too big or too deeply nested to make an article of")

// The limits of parsePage. The development corpora's largest pages have
// 8,136 elements and at most 1,844 side by side under one parent. Cleaning
// time grows with the square of the number of siblings under one parent
// (clean.indexPath walks them for every removal): 10,000 took a quarter of
// a second, 100,000 three minutes, 19 lists of 10,000 seven seconds. So
// the sum of the squares is bounded, at 20 times the corpora's worst
// (about half a second), as well as the number of elements.
const (
	maxPageElements = 200_000
	maxSiblingCost  = 200_000_000 // sum over parents of (element children)²
)

// parsePage parses a page for extraction and refuses, with an error matching
// ErrPageTooComplex, one past the limits. The HTML parser itself refuses
// nesting deeper than 512 open elements.
func parsePage(page []byte) (*xhtml.Node, error) {
	root, err := Parse(page)
	if err != nil {
		// From bytes in memory the parser fails only on pathological
		// structure, such as its nesting limit.
		return nil, fmt.Errorf("%w: %w", ErrPageTooComplex, err)
	}
	if err := checkComplexity(root); err != nil {
		return nil, err
	}
	return root, nil
}

// checkComplexity walks the tree without recursion (its depth is the page's
// to choose) and counts elements and siblings.
func checkComplexity(root *xhtml.Node) error {
	elements, cost, widest := 0, 0, 0
	stack := []*xhtml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		siblings := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != xhtml.ElementNode {
				continue
			}
			siblings++
			stack = append(stack, c)
		}
		elements += siblings
		cost += siblings * siblings
		widest = max(widest, siblings)
		if elements > maxPageElements {
			return fmt.Errorf("%w: more than %d elements", ErrPageTooComplex, maxPageElements)
		}
		if cost > maxSiblingCost {
			return fmt.Errorf("%w: too many elements side by side (up to %d under one parent)", ErrPageTooComplex, widest)
		}
	}
	return nil
}
