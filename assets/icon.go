package assets

import _ "embed"

// Icon is the application icon, a 512×512 PNG rendered from icon.svg (a page of text with
// one line marked by a highlighter stroke): `convert -background none icon.svg -depth 8
// icon.png`.
//
//go:embed icon.png
var Icon []byte
