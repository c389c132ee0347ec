// Package assets holds the files Gloss ships inside its binary: bytes only, no logic.
//
// The fonts are the Go fonts by Bigelow & Holmes (BSD licence, see fonts/LICENSE), taken
// unchanged from golang.org/x/image/font/gofont/ttfs. Exports embed them so that an
// annotated PDF looks the same on every machine and never depends on installed fonts.
package assets

import _ "embed"

// GoRegular is the TrueType file of Go Regular, the body face of exported PDFs.
//
//go:embed fonts/Go-Regular.ttf
var GoRegular []byte

// GoBold is the TrueType file of Go Bold.
//
//go:embed fonts/Go-Bold.ttf
var GoBold []byte

// GoItalic is the TrueType file of Go Italic.
//
//go:embed fonts/Go-Italic.ttf
var GoItalic []byte

// GoBoldItalic is the TrueType file of Go Bold Italic.
//
//go:embed fonts/Go-Bold-Italic.ttf
var GoBoldItalic []byte

// GoMono is the TrueType file of Go Mono, the face of code in exported PDFs.
//
//go:embed fonts/Go-Mono.ttf
var GoMono []byte

// FontLicense is the licence text of the Go fonts, to ship alongside them.
//
//go:embed fonts/LICENSE
var FontLicense string
