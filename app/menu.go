package app

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
	"gloss/archive"
	"gloss/assets"
)

// mainMenu is the window's menu bar.
func (g *App) mainMenu() *fyne.MainMenu {
	short := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	item := func(label string, k fyne.KeyName, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, fn)
		if k != "" {
			it.Shortcut = short(k)
		}
		return it
	}
	exportItem := fyne.NewMenuItem("Export", nil)
	exportItem.ChildMenu = g.exportMenu()
	prefs := item("Preferences…", fyne.KeyComma, g.showPreferences)
	file := fyne.NewMenu("File",
		item("Add to library…", fyne.KeyL, g.showAddDialog),
		fyne.NewMenuItem("Import library…", g.showImportLibrary),
		fyne.NewMenuItem("Import queue…", g.showImportQueue),
		exportItem,
		fyne.NewMenuItemSeparator(),
		prefs,
	)
	single := func(label string, k fyne.KeyName, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, fn)
		it.Shortcut = &desktop.CustomShortcut{KeyName: k}
		return it
	}
	edit := fyne.NewMenu("Edit",
		// No shortcut on the item: a menu shortcut would take Ctrl+Z from the text boxes.
		fyne.NewMenuItem("Undo (Ctrl+Z)", g.Undo),
		fyne.NewMenuItemSeparator(),
		single("Highlight selection", fyne.KeyH, func() { g.Reader.Highlight("") }),
		single("Note…", fyne.KeyN, g.Reader.EditNote),
		single("Tags…", fyne.KeyT, g.Reader.EditTags),
		single("Claim…", fyne.KeyC, g.Reader.EditClaim),
		single("Delete highlight", fyne.KeyDelete, g.Reader.DeleteHighlight),
		fyne.NewMenuItemSeparator(),
		item("Find in article", fyne.KeyF, g.Reader.showFind),
		item("Search library", fyne.KeyK, g.Library.focusSearch),
	)
	var looks []*fyne.MenuItem
	for _, a := range Appearances {
		a := a
		looks = append(looks, fyne.NewMenuItem(appearanceLabel(a), func() { g.Reader.Appearance.SetSelected(appearanceLabel(a)) }))
	}
	appearance := fyne.NewMenuItem("Appearance", nil)
	appearance.ChildMenu = fyne.NewMenu("", looks...)
	view := fyne.NewMenu("View",
		appearance,
		fyne.NewMenuItem("Serif", func() { g.Reader.Font.SetSelected("Serif") }),
		fyne.NewMenuItem("Sans-serif", func() { g.Reader.Font.SetSelected("Sans") }),
		item("Larger text", fyne.KeyEqual, func() { g.Reader.changeSize(+1) }),
		item("Smaller text", fyne.KeyMinus, func() { g.Reader.changeSize(-1) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Strip mode", func() { g.Reader.SetStripMode(!g.Reader.Reader.StripMode()) }),
		fyne.NewMenuItem("What was removed…", g.Reader.showRemoved),
	)
	help := fyne.NewMenu("Help",
		fyne.NewMenuItem("Keyboard shortcuts", g.showShortcuts),
		fyne.NewMenuItem("About Gloss", g.showAbout),
	)
	return fyne.NewMainMenu(file, edit, view, help)
}

// shortcuts is the keyboard tour, as the help window and the README show it.
var shortcuts = [][2]string{
	{"Ctrl+L", "Add an article (address, pasted text or files)"},
	{"Ctrl+K", "Search the library"},
	{"Ctrl+F", "Find in the article"},
	{"H", "Highlight the selection"},
	{"1 – 6", "Highlight in a colour, or recolour the highlight"},
	{"N", "Note on the highlight"},
	{"T", "Tags of the highlight"},
	{"C", "Claim editor"},
	{"Delete", "Delete the highlight under the pointer"},
	{"Ctrl+Z", "Undo"},
	{"Ctrl+E", "Export as Markdown"},
	{"Ctrl+= / Ctrl+-", "Larger / smaller text"},
	{"Escape", "Clear the selection, close find, leave strip mode"},
	{"Double / triple click", "Select a word / a paragraph"},
	{"Shift+arrows", "Select from the keyboard (with Ctrl: by word or paragraph)"},
	{"Shift+Home / End", "Select to the start / end of the line (with Ctrl: of the article)"},
}

func (g *App) showShortcuts() {
	grid := container.NewGridWithColumns(2)
	for _, s := range shortcuts {
		k := widget.NewLabel(s[0])
		k.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
		grid.Add(k)
		grid.Add(widget.NewLabel(s[1]))
	}
	d := dialog.NewCustom("Keyboard shortcuts", "Close", grid, g.Window)
	d.Show()
}

func (g *App) showAbout() {
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(96))
	name := widget.NewLabel("Gloss " + g.fyne.Metadata().Version)
	name.TextStyle = fyne.TextStyle{Bold: true}
	name.Alignment = fyne.TextAlignCenter
	text := widget.NewLabel("Saves web articles as clean, permanent offline copies, and lets you highlight, " +
		"annotate, tag and fact-check them, and export annotated copies.\n\n" +
		"Everything stays on this computer, in one file:\n" + g.svc.Library.Path())
	text.Wrapping = fyne.TextWrapWord
	text.Alignment = fyne.TextAlignCenter
	d := dialog.NewCustom("About Gloss", "Close", container.NewVBox(container.NewCenter(icon), name, text), g.Window)
	d.Resize(fyne.NewSize(460, 0))
	d.Show()
}

// PrefsDialog is the preferences dialog.
type PrefsDialog struct {
	Appearance *widget.RadioGroup
	Font       *widget.RadioGroup
	Size       *widget.Slider
	Default    *widget.Select
	Meanings   map[string]*widget.Entry
	RulesDir   *widget.Entry
	Save       *widget.Button
	Dialog     dialog.Dialog
}

func (g *App) showPreferences() {
	p := &PrefsDialog{Meanings: map[string]*widget.Entry{}}
	var looks []string
	for _, a := range Appearances {
		looks = append(looks, appearanceLabel(a))
	}
	p.Appearance = widget.NewRadioGroup(looks, nil)
	p.Appearance.Horizontal = true
	p.Appearance.SetSelected(appearanceLabel(g.prefs.Appearance))
	p.Font = widget.NewRadioGroup([]string{"Serif", "Sans"}, nil)
	p.Font.Horizontal = true
	if g.prefs.Font == FontSans {
		p.Font.SetSelected("Sans")
	} else {
		p.Font.SetSelected("Serif")
	}
	if serifFonts() == nil {
		p.Font.Disable()
	}
	p.Size = widget.NewSlider(minTextSize, maxTextSize)
	p.Size.Step = 1
	p.Size.SetValue(float64(g.prefs.TextSize))
	sizeLabel := widget.NewLabel(strconv.Itoa(int(g.prefs.TextSize)))
	p.Size.OnChanged = func(f float64) { sizeLabel.SetText(strconv.Itoa(int(f))) }
	var colours []string
	for _, c := range annotate.Colors {
		colours = append(colours, capitalise(c))
	}
	p.Default = widget.NewSelect(colours, nil)
	p.Default.SetSelected(capitalise(g.prefs.DefaultColor))
	meanings := widget.NewForm()
	for _, c := range annotate.Colors {
		e := widget.NewEntry()
		e.SetText(g.meaning(c))
		e.SetPlaceHolder("what this colour means")
		p.Meanings[c] = e
		icon := widget.NewIcon(swatchIcon(c))
		meanings.Append(capitalise(c), container.NewBorder(nil, nil, icon, nil, e))
	}
	p.RulesDir = widget.NewEntry()
	p.RulesDir.SetText(g.prefs.RulesDir)
	p.RulesDir.SetPlaceHolder("a folder of your own site rules (optional)")
	browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				p.RulesDir.SetText(u.Path())
			}
		}, g.Window)
	})
	form := widget.NewForm(
		widget.NewFormItem("Appearance", p.Appearance),
		widget.NewFormItem("Reading font", p.Font),
		widget.NewFormItem("Text size", container.NewBorder(nil, nil, nil, sizeLabel, p.Size)),
		widget.NewFormItem("Default colour", p.Default),
		widget.NewFormItem("Colour meanings", meanings),
		widget.NewFormItem("Site rules folder", container.NewBorder(nil, nil, nil, browse, p.RulesDir)),
	)
	d, save := editorDialog("Preferences", form, g.Window, func() { g.applyPrefs(p) })
	p.Save, p.Dialog = save, d
	d.Resize(fyne.NewSize(640, 0))
	g.prefsDialog = p
	d.Show()
}

// applyPrefs takes the preferences dialog's values: the window changes at once and the
// preferences and colour meanings are stored in the library.
func (g *App) applyPrefs(p *PrefsDialog) {
	for _, a := range Appearances {
		if appearanceLabel(a) == p.Appearance.Selected {
			g.Reader.Appearance.SetSelected(appearanceLabel(a))
		}
	}
	g.Reader.Font.SetSelected(p.Font.Selected)
	if s := float32(p.Size.Value); s != g.prefs.TextSize {
		g.prefs.TextSize = s
		g.Reader.Reader.SetTextSize(s)
	}
	for _, c := range annotate.Colors {
		if capitalise(c) == p.Default.Selected {
			g.prefs.DefaultColor = c
		}
	}
	rulesChanged := g.prefs.RulesDir != p.RulesDir.Text
	g.prefs.RulesDir = p.RulesDir.Text
	g.savePrefs()
	if rulesChanged {
		dir := p.RulesDir.Text
		g.background(func(ctx context.Context) {
			// The folder is read from the stored setting: store it first.
			if err := g.svc.Library.SetSetting(ctx, archive.RulesDirSetting, dir); err != nil {
				g.failAsync("save the rules folder", err)
				return
			}
			if err := g.svc.Saver.ReloadRules(ctx); err != nil {
				g.failAsync("read the site rules", err)
			}
		})
	}
	changed := map[string]string{}
	for c, e := range p.Meanings {
		if e.Text != g.meaning(c) {
			changed[c] = e.Text
		}
	}
	if len(changed) == 0 {
		return
	}
	g.background(func(ctx context.Context) {
		for c, m := range changed {
			if err := g.svc.Store.SetMeaning(ctx, c, m); err != nil {
				g.failAsync(fmt.Sprintf("set the meaning of %s", c), err)
			}
		}
		g.loadPaletteNow(ctx)
	})
}
