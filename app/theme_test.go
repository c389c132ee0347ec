package app

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composites a translucent colour over an opaque one.
func over(top, bottom color.Color) color.Color {
	t := color.NRGBAModel.Convert(top).(color.NRGBA)
	b := color.NRGBAModel.Convert(bottom).(color.NRGBA)
	a := float64(t.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(t.R, b.R), G: mix(t.G, b.G), B: mix(t.B, b.B), A: 255}
}

// TestThemeContrast holds every appearance to WCAG AA (4.5:1) for the text people read:
// body text, secondary text, links, the status colours of claims, and body text on every
// highlight colour.
func TestThemeContrast(t *testing.T) {
	for _, a := range []Appearance{AppearanceLight, AppearanceDark, AppearanceSepia} {
		th := newTheme(a)
		v := th.palette(theme.VariantLight).variant
		c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v) }
		bg := c(theme.ColorNameBackground)
		pairs := []struct {
			name string
			fg   color.Color
			bg   color.Color
			min  float64
		}{
			{"text", c(theme.ColorNameForeground), bg, 7},
			{"secondary text", c(theme.ColorNamePlaceHolder), bg, 4.5},
			{"link", c(theme.ColorNameHyperlink), bg, 4.5},
			{"danger", c(theme.ColorNameError), bg, 4.5},
			{"warning", c(theme.ColorNameWarning), bg, 4.5},
			{"success", c(theme.ColorNameSuccess), bg, 4.5},
			{"text on a panel", c(theme.ColorNameForeground), c(theme.ColorNameInputBackground), 7},
			{"text on a primary button", c(theme.ColorNameForegroundOnPrimary), c(theme.ColorNamePrimary), 4.5},
			{"text on a danger button", c(theme.ColorNameForegroundOnError), c(theme.ColorNameError), 4.5},
		}
		for _, col := range []string{"yellow", "green", "blue", "pink", "purple", "orange"} {
			pairs = append(pairs, struct {
				name string
				fg   color.Color
				bg   color.Color
				min  float64
			}{"text on " + col, c(theme.ColorNameForeground), over(highlightFill(a, false, col), bg), 4.5})
		}
		for _, p := range pairs {
			t.Run(fmt.Sprintf("%s/%s", a, p.name), func(t *testing.T) {
				if got := contrast(p.fg, p.bg); got < p.min {
					t.Errorf("contrast %.2f:1, want at least %.1f:1", got, p.min)
				}
			})
		}
	}
}
