package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Appearance is the colour scheme the user picked.
type Appearance string

// The appearances Gloss offers.
const (
	AppearanceSystem Appearance = "system" // light or dark as the desktop says
	AppearanceLight  Appearance = "light"
	AppearanceDark   Appearance = "dark"
	AppearanceSepia  Appearance = "sepia"
)

// Appearances lists the appearances in the order the preferences offer them.
var Appearances = []Appearance{AppearanceSystem, AppearanceLight, AppearanceDark, AppearanceSepia}

// palette is the colours of one appearance. Only what differs from Fyne's own light theme
// is set; the rest falls through to it.
type palette struct {
	variant    fyne.ThemeVariant
	background color.Color
	foreground color.Color
	muted      color.Color // placeholder, secondary text
	panel      color.Color // input and header backgrounds, menus
	separator  color.Color
	primary    color.Color
	hover      color.Color
	selection  color.Color
	link       color.Color
	scrollBar  color.Color
	shadow     color.Color
	overlay    color.Color // pop-ups and dialogs
	disabled   color.Color
	button     color.Color
	// Status colours, dark enough (or, on dark, light enough) to be read as small text:
	// the claim statuses in the annotations pane are captions.
	danger  color.Color
	warning color.Color
	success color.Color
}

func rgb(r, g, b uint8) color.NRGBA     { return color.NRGBA{R: r, G: g, B: b, A: 0xff} }
func rgba(r, g, b, a uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: a} }

// The palettes are chosen for long reading: no pure white or black, body text well above
// WCAG AA contrast (light 15.2:1, dark 13.4:1, sepia 11.4:1), secondary text, links and the
// status colours at 4.5:1 or more; TestThemeContrast keeps them there.
var (
	lightPalette = palette{
		variant:    theme.VariantLight,
		background: rgb(0xfb, 0xfb, 0xfa),
		foreground: rgb(0x1f, 0x23, 0x2b),
		muted:      rgb(0x5f, 0x66, 0x73),
		panel:      rgb(0xf0, 0xf1, 0xf3),
		separator:  rgb(0xdd, 0xdf, 0xe4),
		primary:    rgb(0x2b, 0x5c, 0xb8),
		hover:      rgba(0x1f, 0x23, 0x2b, 0x12),
		selection:  rgba(0x2b, 0x5c, 0xb8, 0x40),
		link:       rgb(0x1f, 0x57, 0xb0),
		scrollBar:  rgba(0x1f, 0x23, 0x2b, 0x60),
		shadow:     rgba(0, 0, 0, 0x30),
		overlay:    rgb(0xff, 0xff, 0xff),
		disabled:   rgb(0x9a, 0x9f, 0xa8),
		button:     rgb(0xe6, 0xe8, 0xec),
		danger:     rgb(0xc0, 0x2b, 0x2b),
		warning:    rgb(0x9a, 0x58, 0x00),
		success:    rgb(0x2a, 0x7a, 0x3b),
	}
	darkPalette = palette{
		variant:    theme.VariantDark,
		background: rgb(0x1b, 0x1d, 0x22),
		foreground: rgb(0xe3, 0xe5, 0xe8),
		muted:      rgb(0xa0, 0xa6, 0xb0),
		panel:      rgb(0x26, 0x29, 0x30),
		separator:  rgb(0x36, 0x3a, 0x43),
		primary:    rgb(0x7a, 0xa7, 0xf5),
		hover:      rgba(0xff, 0xff, 0xff, 0x14),
		selection:  rgba(0x7a, 0xa7, 0xf5, 0x50),
		link:       rgb(0x8c, 0xb4, 0xff),
		scrollBar:  rgba(0xff, 0xff, 0xff, 0x50),
		shadow:     rgba(0, 0, 0, 0x70),
		overlay:    rgb(0x2a, 0x2d, 0x34),
		disabled:   rgb(0x6b, 0x70, 0x7a),
		button:     rgb(0x33, 0x37, 0x40),
		danger:     rgb(0xff, 0x8a, 0x80),
		warning:    rgb(0xff, 0xb8, 0x5c),
		success:    rgb(0x84, 0xd0, 0x8a),
	}
	sepiaPalette = palette{
		variant:    theme.VariantLight,
		background: rgb(0xf6, 0xef, 0xe0),
		foreground: rgb(0x3b, 0x2f, 0x22),
		muted:      rgb(0x75, 0x66, 0x52),
		panel:      rgb(0xec, 0xe3, 0xd0),
		separator:  rgb(0xdb, 0xcf, 0xb6),
		primary:    rgb(0x8a, 0x4b, 0x14),
		hover:      rgba(0x3b, 0x2f, 0x22, 0x14),
		selection:  rgba(0x8a, 0x4b, 0x14, 0x38),
		link:       rgb(0x86, 0x45, 0x10),
		scrollBar:  rgba(0x3b, 0x2f, 0x22, 0x60),
		shadow:     rgba(0x3b, 0x2f, 0x22, 0x30),
		overlay:    rgb(0xfb, 0xf6, 0xea),
		disabled:   rgb(0xa8, 0x9b, 0x86),
		button:     rgb(0xe4, 0xd9, 0xc2),
		danger:     rgb(0xa8, 0x26, 0x1e),
		warning:    rgb(0x85, 0x4d, 0x00),
		success:    rgb(0x2f, 0x6b, 0x2c),
	}
)

// glossTheme is Gloss's fyne.Theme: one of the palettes above over Fyne's default theme's
// fonts, icons and sizes.
type glossTheme struct {
	appearance Appearance
}

var _ fyne.Theme = (*glossTheme)(nil)

func newTheme(a Appearance) *glossTheme { return &glossTheme{appearance: a} }

func (t *glossTheme) palette(v fyne.ThemeVariant) *palette {
	switch t.appearance {
	case AppearanceLight:
		return &lightPalette
	case AppearanceDark:
		return &darkPalette
	case AppearanceSepia:
		return &sepiaPalette
	}
	if v == theme.VariantDark {
		return &darkPalette
	}
	return &lightPalette
}

// Color returns the appearance's colour for name; the variant Fyne passes is used only by
// the system appearance.
func (t *glossTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	p := t.palette(v)
	switch name {
	case theme.ColorNameBackground:
		return p.background
	case theme.ColorNameForeground:
		return p.foreground
	case theme.ColorNamePlaceHolder:
		return p.muted
	case theme.ColorNameInputBackground, theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground:
		return p.panel
	case theme.ColorNameInputBorder:
		return p.separator
	case theme.ColorNameSeparator:
		return p.separator
	case theme.ColorNamePrimary, theme.ColorNameFocus:
		return p.primary
	case theme.ColorNameHover:
		return p.hover
	case theme.ColorNameSelection:
		return p.selection
	case theme.ColorNameHyperlink:
		return p.link
	case theme.ColorNameScrollBar:
		return p.scrollBar
	case theme.ColorNameShadow:
		return p.shadow
	case theme.ColorNameOverlayBackground:
		return p.overlay
	case theme.ColorNameDisabled:
		return p.disabled
	case theme.ColorNameButton:
		return p.button
	case theme.ColorNameForegroundOnPrimary:
		return p.background
	case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnWarning, theme.ColorNameForegroundOnSuccess:
		// On the dark palette the status colours are light: text on them is dark.
		if p.variant == theme.VariantDark {
			return p.background
		}
		return rgb(0xff, 0xff, 0xff)
	case theme.ColorNameError:
		return p.danger
	case theme.ColorNameWarning:
		return p.warning
	case theme.ColorNameSuccess:
		return p.success
	}
	return theme.DefaultTheme().Color(name, p.variant)
}

// Font returns Fyne's font: the reading font is the reader's, set separately.
func (t *glossTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon returns Fyne's icons.
func (t *glossTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size returns Fyne's sizes, a little roomier for lists and a thinner scroll bar.
func (t *glossTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameSeparatorThickness:
		return 1
	case theme.SizeNameScrollBar:
		return 10
	case theme.SizeNameScrollBarSmall:
		return 4
	}
	return theme.DefaultTheme().Size(n)
}

// highlightColors are the fills of the highlight colours, translucent so that text stays
// readable under them, tuned per appearance: on a dark background they need more weight
// and on sepia less yellow. The keys are annotate.Colors.
var highlightColors = map[Appearance]map[string]color.NRGBA{
	AppearanceLight: {
		"yellow": rgba(0xff, 0xd0, 0x3a, 0x8c),
		"green":  rgba(0x6c, 0xd0, 0x7c, 0x80),
		"blue":   rgba(0x6a, 0xb0, 0xff, 0x78),
		"pink":   rgba(0xff, 0x7e, 0xb6, 0x78),
		"purple": rgba(0xb3, 0x8c, 0xf5, 0x7c),
		"orange": rgba(0xff, 0xa3, 0x4a, 0x86),
	},
	AppearanceDark: {
		"yellow": rgba(0xb8, 0x92, 0x14, 0x80),
		"green":  rgba(0x3f, 0xa4, 0x56, 0x90),
		"blue":   rgba(0x3f, 0x7f, 0xd6, 0x98),
		"pink":   rgba(0xc8, 0x4a, 0x86, 0x98),
		"purple": rgba(0x86, 0x5f, 0xd0, 0x98),
		"orange": rgba(0xd0, 0x73, 0x22, 0x98),
	},
	AppearanceSepia: {
		"yellow": rgba(0xf2, 0xc1, 0x3a, 0x80),
		"green":  rgba(0x8a, 0xc0, 0x6a, 0x80),
		"blue":   rgba(0x7f, 0xaa, 0xd8, 0x80),
		"pink":   rgba(0xe8, 0x8a, 0xa8, 0x80),
		"purple": rgba(0xae, 0x92, 0xd6, 0x80),
		"orange": rgba(0xe8, 0x98, 0x4e, 0x88),
	},
}

// swatchColors are the opaque colours of the swatches that stand for the highlight colours
// in toolbars, lists and menus.
var swatchColors = map[string]color.NRGBA{
	"yellow": rgb(0xf5, 0xc4, 0x18),
	"green":  rgb(0x3f, 0xb3, 0x5a),
	"blue":   rgb(0x3a, 0x86, 0xe8),
	"pink":   rgb(0xe8, 0x5a, 0x9a),
	"purple": rgb(0x8e, 0x63, 0xd8),
	"orange": rgb(0xf0, 0x86, 0x28),
}

// highlightFill returns the fill of a highlight colour in an appearance; dark is what the
// desktop asks for, for AppearanceSystem.
func highlightFill(a Appearance, dark bool, name string) color.Color {
	if a == AppearanceSystem {
		a = AppearanceLight
		if dark {
			a = AppearanceDark
		}
	}
	if c, ok := highlightColors[a][name]; ok {
		return c
	}
	return highlightColors[a]["yellow"]
}

// swatch returns the opaque colour that stands for a highlight colour.
func swatch(name string) color.Color {
	if c, ok := swatchColors[name]; ok {
		return c
	}
	return swatchColors["yellow"]
}
