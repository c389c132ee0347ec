package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gloss/annotate"
	"gloss/archive"
)

// Prefs are the user's preferences. They live in the library database (archive settings,
// and the colour meanings in the annotation palette), never in Fyne's preferences file,
// which Fyne rewrites in place so that a crash can lose it (fyne#2241, #2936).
type Prefs struct {
	Appearance   Appearance
	Font         ReadingFont
	TextSize     float32 // body text size of the reader, in Fyne units
	DefaultColor string  // one of annotate.Colors
	Sort         archive.SortBy
	SortDesc     bool
	// RulesDir is the user's own folder of site rules (archive.RulesDirSetting).
	RulesDir string
}

// ReadingFont is the face the reader sets articles in.
type ReadingFont string

// The reading fonts.
const (
	FontSans  ReadingFont = "sans"
	FontSerif ReadingFont = "serif"
)

// The setting keys of the preferences; RulesDir uses archive.RulesDirSetting.
const (
	keyAppearance   = "app.appearance"
	keyFont         = "app.reader.font"
	keyTextSize     = "app.reader.size"
	keyDefaultColor = "app.highlight.color"
	keySort         = "app.library.sort"
	keySortDesc     = "app.library.sort_desc"
)

// Text sizes the reader allows, and the default.
const (
	minTextSize     = 12
	maxTextSize     = 32
	defaultTextSize = 17
)

// DefaultPrefs are the preferences of a new library.
func DefaultPrefs() Prefs {
	return Prefs{
		Appearance:   AppearanceSystem,
		Font:         FontSerif,
		TextSize:     defaultTextSize,
		DefaultColor: annotate.DefaultColor,
		Sort:         archive.SortSaved,
		SortDesc:     true,
	}
}

// LoadPrefs reads the preferences from the library; values never set, or set to something
// this version does not know, are the defaults.
func LoadPrefs(ctx context.Context, lib *archive.Library) (Prefs, error) {
	p := DefaultPrefs()
	get := func(key, def string) string {
		v, err := lib.Setting(ctx, key, def)
		if err != nil {
			return def
		}
		return v
	}
	// One read first, so that a broken library is reported instead of silently defaulted.
	if _, err := lib.Setting(ctx, keyAppearance, ""); err != nil {
		return p, fmt.Errorf("load preferences: %w", err)
	}
	if a := Appearance(get(keyAppearance, string(p.Appearance))); validAppearance(a) {
		p.Appearance = a
	}
	if f := ReadingFont(get(keyFont, string(p.Font))); f == FontSans || f == FontSerif {
		p.Font = f
	}
	if s, err := strconv.ParseFloat(get(keyTextSize, ""), 32); err == nil && s >= minTextSize && s <= maxTextSize {
		p.TextSize = float32(s)
	}
	if c := get(keyDefaultColor, p.DefaultColor); validColor(c) {
		p.DefaultColor = c
	}
	switch s := archive.SortBy(get(keySort, string(p.Sort))); s {
	case archive.SortSaved, archive.SortPublished, archive.SortTitle:
		p.Sort = s
	}
	p.SortDesc = get(keySortDesc, strconv.FormatBool(p.SortDesc)) == "true"
	p.RulesDir = get(archive.RulesDirSetting, "")
	return p, nil
}

// Save writes the preferences to the library.
func (p Prefs) Save(ctx context.Context, lib *archive.Library) error {
	var errs []error
	set := func(k, v string) { errs = append(errs, lib.SetSetting(ctx, k, v)) }
	set(keyAppearance, string(p.Appearance))
	set(keyFont, string(p.Font))
	set(keyTextSize, strconv.FormatFloat(float64(p.TextSize), 'f', -1, 32))
	set(keyDefaultColor, p.DefaultColor)
	set(keySort, string(p.Sort))
	set(keySortDesc, strconv.FormatBool(p.SortDesc))
	set(archive.RulesDirSetting, p.RulesDir)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("save preferences: %w", err)
	}
	return nil
}

func validAppearance(a Appearance) bool {
	for _, x := range Appearances {
		if a == x {
			return true
		}
	}
	return false
}

func validColor(c string) bool {
	for _, x := range annotate.Colors {
		if c == x {
			return true
		}
	}
	return false
}
