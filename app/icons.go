package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// starIcon is a filled five-pointed star, for favourites; themed like Fyne's own icons.
var starIcon = &fyne.StaticResource{StaticName: "star.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z"/></svg>`)}

// starOutlineIcon is the outline of starIcon.
var starOutlineIcon = &fyne.StaticResource{StaticName: "star-outline.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill-rule="evenodd" d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8zm0 4.7l-1.6 3.4-3.7.4 2.7 2.6-.7 3.7 3.3-1.8 3.3 1.8-.7-3.7 2.7-2.6-3.7-.4z"/></svg>`)}

// highlighterIcon is a marker pen, for the highlight action.
var highlighterIcon = &fyne.StaticResource{StaticName: "highlighter.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M15.2 3.3l5.5 5.5-8.9 8.9H6.3v-5.5zM5 19h14v2H5z"/></svg>`)}

// quoteIcon is a pair of quotation marks, for "copy as quote".
var quoteIcon = &fyne.StaticResource{StaticName: "quote.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M6 17h3l2-4V7H5v6h3zm8 0h3l2-4V7h-6v6h3z"/></svg>`)}

// claimIcon is a check mark in a shield, for the claim editor.
var claimIcon = &fyne.StaticResource{StaticName: "claim.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 1L3 5v6c0 5.6 3.8 10.7 9 12 5.2-1.3 9-6.4 9-12V5zm-2 16l-4-4 1.4-1.4 2.6 2.6 6.6-6.6L18 9z"/></svg>`)}

// tagIcon is a luggage label, for tags.
var tagIcon = &fyne.StaticResource{StaticName: "tag.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M21.4 11.6l-9-9C12 2.2 11.5 2 11 2H4c-1.1 0-2 .9-2 2v7c0 .6.2 1.1.6 1.4l9 9c.4.4.9.6 1.4.6s1-.2 1.4-.6l7-7c.4-.4.6-.9.6-1.4s-.2-1.1-.6-1.4zM5.5 7C4.7 7 4 6.3 4 5.5S4.7 4 5.5 4 7 4.7 7 5.5 6.3 7 5.5 7z"/></svg>`)}

// noteIcon is a speech bubble, for notes.
var noteIcon = &fyne.StaticResource{StaticName: "note.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2zM6 9h12v2H6zm8 5H6v-2h8zm4-6H6V6h12z"/></svg>`)}

// stripIcon is a pair of scissors, for strip mode.
var stripIcon = &fyne.StaticResource{StaticName: "strip.svg", StaticContent: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M9.6 8.2c.3-.6.4-1.3.4-2.2a4 4 0 1 0-4 4c.9 0 1.6-.1 2.2-.4L10.6 12l-2.4 2.4c-.6-.3-1.3-.4-2.2-.4a4 4 0 1 0 4 4c0-.9-.1-1.6-.4-2.2L12 13.4l7 7h3v-1zM6 8a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm0 12a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm6-7.5a.5.5 0 1 1 0-1 .5.5 0 0 1 0 1zM19 3l-6 6 2 2 7-7V3z"/></svg>`)}

// themeColor returns a colour of the current theme in the current variant.
func themeColor(n fyne.ThemeColorName) color.Color {
	return theme.Current().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

// themed makes an SVG icon follow the theme's foreground colour.
func themed(r fyne.Resource) fyne.Resource { return theme.NewThemedResource(r) }
