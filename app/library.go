package app

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
	"gloss/archive"
)

// pageSize is how many rows of the library list are read at a time. The list asks only
// for the rows in view, so a library of any size opens as fast as an empty one.
const pageSize = 100

// searchDelay is how long the search box waits for typing to pause before searching.
const searchDelay = 250 * time.Millisecond

// searchLimit is how many search results are shown.
const searchLimit = 200

// snippetPage is how many search results' snippets are read at a time: the first page
// with the results, the others as their rows come into view. A snippet costs about as
// much as reading the article's text, so reading them for every result would make a
// search several times slower.
const snippetPage = 20

// maxFilteredSearch bounds how many of the best matches a search with a filter looks
// through for the searchLimit that pass the filter.
const maxFilteredSearch = 3200

// filterPage is how many articles are read at a time to learn which pass a filter.
const filterPage = 1000

// The choices of the library's filter and sort menus.
const (
	anyTag        = "All tags"
	anyClaim      = "Any claims"
	sortNewest    = "Newest first"
	sortOldest    = "Oldest first"
	sortPublished = "Recently published"
	sortTitle     = "Title A–Z"
)

var sortChoices = []string{sortNewest, sortOldest, sortPublished, sortTitle}

// LibraryView is the list of saved articles with its search box and filters.
type LibraryView struct {
	g       *App
	content fyne.CanvasObject

	Search      *widget.Entry
	TagFilter   *widget.Select
	ClaimFilter *widget.Select
	Favourites  *widget.Check
	Archived    *widget.Check
	Highlighted *widget.Check
	Sort        *widget.Select
	List        *widget.List
	Count       *widget.Label
	Empty       *widget.Label

	// What the list shows. Touched only on the UI goroutine.
	filter  annotate.ListFilter
	gen     int // bumped when the filter, the sort or the library changes
	total   int
	pages   map[int][]annotate.ArticleRow
	loading map[int]bool

	query        string // the search being shown; "" shows the list
	results      []archive.SearchResult
	resultsGen   int              // bumped when results change
	snippets     map[int64]string // the snippets read for results, by article
	snippetPages map[int]bool     // pages of results (of snippetPage) read or being read
	searchGen    int
	searchTimer  *time.Timer
	searchCancel context.CancelFunc
	// passing is the set of articles the filter lets through, read for the search with
	// filter gen passingGen, kept while neither the filter nor the library changes.
	passing    map[int64]bool
	passingGen int

	selected int64 // the article open in the reader
	syncing  bool  // selecting a row programmatically, not by a click

	// searched is called after search results are shown (tests wait on it).
	searched func(query string)
	// loaded is called after a page or the count is shown (tests wait on it).
	loaded func()
	// snippetsLoaded is called after a page of snippets is shown (tests wait on it).
	snippetsLoaded func()
}

func newLibraryView(g *App) *LibraryView {
	v := &LibraryView{g: g, pages: map[int][]annotate.ArticleRow{}, loading: map[int]bool{}}
	notArchived := false
	v.filter.Archived = &notArchived

	v.Search = widget.NewEntry()
	v.Search.SetPlaceHolder("Search the library  (Ctrl+K)")
	v.Search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.Search.OnChanged = v.searchChanged

	v.TagFilter = widget.NewSelect([]string{anyTag}, func(s string) {
		if s == anyTag {
			s = ""
		}
		if s != v.filter.Tag {
			v.filter.Tag = s
			v.reload()
		}
	})
	v.TagFilter.PlaceHolder = anyTag
	v.TagFilter.SetSelectedIndex(0)
	claims := []string{anyClaim}
	for _, s := range annotate.ClaimStatuses {
		claims = append(claims, claimStatusLabel(s))
	}
	v.ClaimFilter = widget.NewSelect(claims, func(s string) {
		var st annotate.ClaimStatus
		for _, c := range annotate.ClaimStatuses {
			if claimStatusLabel(c) == s {
				st = c
			}
		}
		if st != v.filter.ClaimStatus {
			v.filter.ClaimStatus = st
			v.reload()
		}
	})
	v.ClaimFilter.SetSelectedIndex(0)

	flag := func(label string, p **bool, on, off *bool) *widget.Check {
		return widget.NewCheck(label, func(checked bool) {
			if checked {
				*p = on
			} else {
				*p = off
			}
			v.reload()
		})
	}
	yes, no := true, false
	v.Favourites = flag("Favourites", &v.filter.Favourite, &yes, nil)
	v.Archived = flag("Archived", &v.filter.Archived, &yes, &no)
	v.Highlighted = flag("Highlighted", &v.filter.HasHighlights, &yes, nil)

	v.Sort = widget.NewSelect(sortChoices, func(s string) {
		p := &v.g.prefs
		by, desc := p.Sort, p.SortDesc
		switch s {
		case sortNewest:
			by, desc = archive.SortSaved, true
		case sortOldest:
			by, desc = archive.SortSaved, false
		case sortPublished:
			by, desc = archive.SortPublished, true
		case sortTitle:
			by, desc = archive.SortTitle, false
		}
		if by != p.Sort || desc != p.SortDesc {
			p.Sort, p.SortDesc = by, desc
			v.g.savePrefs()
			v.reload()
		}
	})
	v.Sort.SetSelected(sortChoice(g.prefs.Sort, g.prefs.SortDesc))

	v.List = widget.NewList(v.length, newArticleRow, v.updateRow)
	v.List.OnSelected = v.rowSelected
	v.Count = widget.NewLabel("")
	v.Count.Importance = widget.LowImportance
	v.Count.SizeName = theme.SizeNameCaptionText
	v.Empty = widget.NewLabel("Your library is empty.\n\nPress Ctrl+L to add an article,\nor drop a link or a file here.")
	v.Empty.Alignment = fyne.TextAlignCenter
	v.Empty.Wrapping = fyne.TextWrapWord
	v.Empty.Hide()

	title := widget.NewLabel("Library")
	title.TextStyle = fyne.TextStyle{Bold: true}
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), g.showAddDialog)
	add.Importance = widget.HighImportance
	header := container.NewBorder(nil, nil, title, add, v.Count)
	filters := container.NewVBox(
		container.NewGridWithColumns(2, v.TagFilter, v.ClaimFilter),
		container.NewHBox(v.Favourites, v.Archived, v.Highlighted),
		container.NewBorder(nil, nil, widget.NewLabel("Sort"), nil, v.Sort),
	)
	top := container.NewVBox(header, v.Search, filters, widget.NewSeparator())
	v.content = container.NewBorder(top, nil, nil, nil, container.NewStack(v.List, container.NewPadded(v.Empty)))
	return v
}

func sortChoice(by archive.SortBy, desc bool) string {
	switch {
	case by == archive.SortTitle:
		return sortTitle
	case by == archive.SortPublished:
		return sortPublished
	case !desc:
		return sortOldest
	}
	return sortNewest
}

// deliver runs f on the UI goroutine: every result of the view's background work comes
// back through here.
func (v *LibraryView) deliver(f func()) { v.g.do(f) }

// focusSearch puts the keyboard in the search box.
func (v *LibraryView) focusSearch() { v.g.Window.Canvas().Focus(v.Search) }

// length is the number of rows: search results while searching, else the filtered count.
func (v *LibraryView) length() int {
	if v.query != "" {
		return len(v.results)
	}
	return v.total
}

// reload reads the list again from the first page, for a new filter or sort or after the
// library changed. Pages already read stay on screen until their replacements arrive.
func (v *LibraryView) reload() {
	v.gen++
	gen, f := v.gen, v.filter
	opt := archive.ListOptions{Limit: pageSize, Sort: v.g.prefs.Sort, Desc: v.g.prefs.SortDesc}
	var want []int
	for p := range v.pages {
		want = append(want, p)
	}
	if len(want) == 0 || len(want) > 5 {
		want = []int{0}
	}
	v.loading = map[int]bool{}
	if q := strings.TrimSpace(v.Search.Text); q != "" {
		v.search(q, 0) // the filter or the library changed under the results
	}
	v.g.background(func(ctx context.Context) {
		n, err := v.g.svc.Store.CountArticles(ctx, f)
		pages := map[int][]annotate.ArticleRow{}
		for _, p := range want {
			if err != nil {
				break
			}
			o := opt
			o.Offset = p * pageSize
			pages[p], err = v.g.svc.Store.ListArticles(ctx, f, o)
		}
		tags, terr := v.g.svc.Store.Tags(ctx)
		v.deliver(func() {
			if err != nil {
				v.g.fail("read the library", err)
				return
			}
			if gen != v.gen {
				return
			}
			v.total, v.pages = n, pages
			if terr == nil {
				v.setTags(tags)
			}
			v.showCount()
			v.List.Refresh()
			v.syncSelection()
			v.g.started()
			if v.loaded != nil {
				v.loaded()
			}
		})
	})
}

// setTags fills the tag filter with the tags in use.
func (v *LibraryView) setTags(tags []annotate.TagCount) {
	opts := []string{anyTag}
	for _, t := range tags {
		opts = append(opts, t.Tag)
	}
	v.TagFilter.SetOptions(opts)
}

func (v *LibraryView) filtered() bool {
	f := v.filter
	return f.Tag != "" || f.ClaimStatus != "" || f.Favourite != nil || f.HasHighlights != nil ||
		(f.Archived != nil && *f.Archived)
}

func (v *LibraryView) showCount() {
	switch {
	case v.query != "":
		v.Count.SetText(plural(len(v.results), "result", "results"))
	default:
		v.Count.SetText(plural(v.total, "article", "articles"))
	}
	if v.query == "" && v.total == 0 && !v.filtered() {
		v.Empty.Show()
	} else {
		v.Empty.Hide()
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%s %s", thousands(n), many)
}

// thousands writes n with thin separators: 10 000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 10000 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// row returns the article at list index i, loading its page when it is not read yet.
func (v *LibraryView) row(i int) (annotate.ArticleRow, bool) {
	p := i / pageSize
	rows, ok := v.pages[p]
	if ok && i%pageSize < len(rows) {
		return rows[i%pageSize], true
	}
	if !v.loading[p] {
		v.loadPage(p)
	}
	return annotate.ArticleRow{}, false
}

func (v *LibraryView) loadPage(p int) {
	v.loading[p] = true
	gen, f := v.gen, v.filter
	opt := archive.ListOptions{Limit: pageSize, Offset: p * pageSize, Sort: v.g.prefs.Sort, Desc: v.g.prefs.SortDesc}
	v.g.background(func(ctx context.Context) {
		rows, err := v.g.svc.Store.ListArticles(ctx, f, opt)
		v.deliver(func() {
			if gen != v.gen {
				return
			}
			delete(v.loading, p)
			if err != nil {
				v.g.fail("read the library", err)
				return
			}
			v.pages[p] = rows
			v.List.Refresh()
			v.syncSelection()
			if v.loaded != nil {
				v.loaded()
			}
		})
	})
}

// syncSelection selects the row of the open article, if it is loaded.
func (v *LibraryView) syncSelection() {
	v.syncing = true
	defer func() { v.syncing = false }()
	if v.query != "" {
		for i, r := range v.results {
			if r.ArticleID == v.selected {
				v.List.Select(i)
				return
			}
		}
		v.List.UnselectAll()
		return
	}
	for p, rows := range v.pages {
		for i, r := range rows {
			if r.ID == v.selected {
				v.List.Select(p*pageSize + i)
				return
			}
		}
	}
	v.List.UnselectAll()
}

func (v *LibraryView) rowSelected(i widget.ListItemID) {
	if v.syncing {
		return
	}
	var id int64
	if v.query != "" {
		if i >= len(v.results) {
			return
		}
		id = v.results[i].ArticleID
	} else {
		r, ok := v.row(i)
		if !ok {
			return
		}
		id = r.ID
	}
	v.selected = id
	v.g.Reader.Open(id)
}

// select marks the open article in the list.
func (v *LibraryView) markOpen(id int64) {
	v.selected = id
	v.syncSelection()
}

// searchChanged starts a search once typing pauses; an empty box shows the list again.
func (v *LibraryView) searchChanged(q string) {
	q = strings.TrimSpace(q)
	if q == "" {
		v.stopSearch()
		v.setResults("", nil, nil)
		v.showCount()
		v.List.Refresh()
		v.syncSelection()
		return
	}
	v.search(q, searchDelay)
}

// stopSearch cancels the search waiting or under way.
func (v *LibraryView) stopSearch() {
	if v.searchTimer != nil {
		v.searchTimer.Stop()
	}
	if v.searchCancel != nil {
		v.searchCancel()
		v.searchCancel = nil
	}
	v.searchGen++
}

// search runs a search after delay, within the list's filter, and shows its results.
func (v *LibraryView) search(q string, delay time.Duration) {
	v.stopSearch()
	gen := v.searchGen
	f, filtered := v.searchFilter()
	passing := v.passing
	if v.passingGen != v.gen {
		passing = nil
	}
	listGen := v.gen
	ctx, cancel := context.WithCancel(v.g.ctx)
	v.searchCancel = cancel
	run := func() {
		v.g.background(func(context.Context) {
			var res []archive.SearchResult
			var snippets map[int64]string
			var err error
			if filtered && passing == nil {
				passing, err = passingFilter(ctx, v.g.svc.Store, f)
			}
			if err == nil {
				res, err = searchWithin(ctx, v.g.svc.Library, q, passing, filtered)
			}
			if err == nil {
				// The first page's snippets come with the results, so that the rows
				// in view never show without theirs.
				snippets, err = v.g.svc.Library.Snippets(ctx, q, resultIDs(res, 0))
			}
			v.deliver(func() {
				if filtered && err == nil && listGen == v.gen {
					v.passing, v.passingGen = passing, listGen
				}
				if gen != v.searchGen {
					return
				}
				if err != nil {
					v.g.fail("search", err)
					return
				}
				again := q == v.query
				v.setResults(q, res, snippets)
				v.showCount()
				v.List.Refresh()
				if !again {
					v.List.ScrollToTop()
				}
				v.syncSelection()
				if v.searched != nil {
					v.searched(q)
				}
			})
		})
	}
	if delay <= 0 {
		run()
		return
	}
	v.searchTimer = time.AfterFunc(delay, run)
}

// setResults shows the results of query q, with the snippets of their first page.
func (v *LibraryView) setResults(q string, res []archive.SearchResult, snippets map[int64]string) {
	v.query, v.results = q, res
	v.resultsGen++
	v.snippets, v.snippetPages = snippets, map[int]bool{0: true}
	if v.snippets == nil {
		v.snippets = map[int64]string{}
	}
}

// resultIDs returns the article ids of the results on page p (of snippetPage).
func resultIDs(res []archive.SearchResult, p int) []int64 {
	var ids []int64
	for i := p * snippetPage; i < len(res) && i < (p+1)*snippetPage; i++ {
		ids = append(ids, res[i].ArticleID)
	}
	return ids
}

// snippet returns the snippet of search result i, "" until it is read: the first call
// for a result on a page not read yet starts reading the page's snippets.
func (v *LibraryView) snippet(i int) string {
	s, ok := v.snippets[v.results[i].ArticleID]
	if p := i / snippetPage; !ok && !v.snippetPages[p] {
		v.loadSnippets(p)
	}
	return s
}

// loadSnippets reads the snippets of the results on page p in the background.
func (v *LibraryView) loadSnippets(p int) {
	v.snippetPages[p] = true
	gen, q, ids := v.resultsGen, v.query, resultIDs(v.results, p)
	v.g.background(func(ctx context.Context) {
		snippets, err := v.g.svc.Library.Snippets(ctx, q, ids)
		v.deliver(func() {
			if gen != v.resultsGen {
				return
			}
			if err != nil {
				v.g.fail("search", err)
				return
			}
			for id, s := range snippets {
				v.snippets[id] = s
			}
			v.List.Refresh()
			if v.snippetsLoaded != nil {
				v.snippetsLoaded()
			}
		})
	})
}

// searchFilter is the list's filter as search applies it, and whether it narrows anything.
// Search looks through archived articles too, unless the Archived box asks for them alone:
// hiding them from the list keeps it short, but a search is for finding.
func (v *LibraryView) searchFilter() (annotate.ListFilter, bool) {
	f := v.filter
	if f.Archived != nil && !*f.Archived {
		f.Archived = nil
	}
	return f, f != (annotate.ListFilter{})
}

// passingFilter reads the ids of the articles a filter lets through. It runs off the UI
// goroutine.
func passingFilter(ctx context.Context, st *annotate.Store, f annotate.ListFilter) (map[int64]bool, error) {
	ids := map[int64]bool{}
	for off := 0; ; off += filterPage {
		rows, err := st.ListArticles(ctx, f, archive.ListOptions{Limit: filterPage, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ids[r.ID] = true
		}
		if len(rows) < filterPage {
			return ids, nil
		}
	}
}

// searchWithin returns the best searchLimit matches of q, of only the articles in passing
// when filtered. Search ranks the whole library, so a filtered search asks for more
// matches, four times as many each round, until enough pass or maxFilteredSearch were
// looked through. It runs off the UI goroutine.
func searchWithin(ctx context.Context, lib *archive.Library, q string, passing map[int64]bool, filtered bool) ([]archive.SearchResult, error) {
	if !filtered {
		return lib.Search(ctx, q, searchLimit)
	}
	if len(passing) == 0 {
		return nil, nil
	}
	for limit := searchLimit; ; limit *= 4 {
		res, err := lib.Search(ctx, q, limit)
		if err != nil {
			return nil, err
		}
		var out []archive.SearchResult
		for _, r := range res {
			if passing[r.ArticleID] && len(out) < searchLimit {
				out = append(out, r)
			}
		}
		if len(out) == searchLimit || len(res) < limit || limit >= maxFilteredSearch {
			return out, nil
		}
	}
}

// articleRow is one row of the list: title, a line of facts, and tag chips or, for a
// search result, the snippet with the matched words in bold.
type articleRow struct {
	widget.BaseWidget
	title   *widget.Label
	meta    *widget.RichText
	chips   *fyne.Container
	snippet *widget.RichText
	star    *widget.Icon
	bar     *canvas.Rectangle // reading progress
	barBack *canvas.Rectangle
	read    float32 // the fraction of the article read, for the bar
}

func newArticleRow() fyne.CanvasObject {
	r := &articleRow{
		title:   widget.NewLabel(""),
		meta:    widget.NewRichText(),
		chips:   container.NewHBox(),
		snippet: widget.NewRichText(),
		star:    widget.NewIcon(nil),
		bar:     canvas.NewRectangle(color.Transparent),
		barBack: canvas.NewRectangle(color.Transparent),
	}
	r.title.TextStyle = fyne.TextStyle{Bold: true}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.meta.Truncation = fyne.TextTruncateEllipsis
	// One line: RichText panics when it wraps and truncates in a height it has not been
	// given yet (fyne 2.8.1, updateRowBounds).
	r.snippet.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *articleRow) CreateRenderer() fyne.WidgetRenderer {
	return &articleRowRenderer{r: r}
}

type articleRowRenderer struct{ r *articleRow }

func (rr *articleRowRenderer) Destroy() {}

func (rr *articleRowRenderer) Objects() []fyne.CanvasObject {
	r := rr.r
	return []fyne.CanvasObject{r.title, r.meta, r.chips, r.snippet, r.star, r.barBack, r.bar}
}

// rowHeight is the height of every row: fixed, so that the list never measures rows.
func rowHeight() float32 {
	th := theme.Current()
	line := fyne.MeasureText("Ag", th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true}).Height
	small := fyne.MeasureText("Ag", th.Size(theme.SizeNameCaptionText), fyne.TextStyle{}).Height
	return line + small*2 + th.Size(theme.SizeNameInnerPadding)*2 + 14
}

func (rr *articleRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	th := theme.Current()
	pad := th.Size(theme.SizeNameInnerPadding)
	star := float32(0)
	if r.star.Visible() {
		star = 20
		r.star.Resize(fyne.NewSquareSize(16))
		r.star.Move(fyne.NewPos(size.Width-pad-16, pad))
	}
	titleH := r.title.MinSize().Height
	r.title.Move(fyne.NewPos(-pad/2, -pad/2+2))
	r.title.Resize(fyne.NewSize(size.Width-star, titleH))
	y := titleH - pad - 2
	metaH := r.meta.MinSize().Height
	r.meta.Move(fyne.NewPos(-pad/2, y))
	r.meta.Resize(fyne.NewSize(size.Width, metaH))
	y += metaH - pad
	rest := size.Height - y - 4
	r.snippet.Move(fyne.NewPos(-pad/2, y))
	r.snippet.Resize(fyne.NewSize(size.Width, rest))
	r.chips.Move(fyne.NewPos(pad/2, y+4))
	r.chips.Resize(fyne.NewSize(size.Width-pad, r.chips.MinSize().Height))
	// The progress bar is a hairline along the bottom of the row.
	r.barBack.Move(fyne.NewPos(pad/2, size.Height-3))
	r.barBack.Resize(fyne.NewSize(size.Width-pad, 2))
	r.bar.Move(r.barBack.Position())
	r.bar.Resize(fyne.NewSize(r.barBack.Size().Width*r.read, 2))
}

func (rr *articleRowRenderer) MinSize() fyne.Size { return fyne.NewSize(120, rowHeight()) }

func (rr *articleRowRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	for _, o := range rr.Objects() {
		o.Refresh()
	}
}

func (v *LibraryView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*articleRow)
	if v.query != "" {
		if i >= len(v.results) {
			return
		}
		res := v.results[i]
		r.title.SetText(titleOr(res.Title))
		setMuted(r.meta, res.Site)
		// Until its page of snippets arrives, a row shows its title and site only.
		r.snippet.Segments = snippetSegments(v.snippet(i))
		r.snippet.Show()
		r.snippet.Refresh()
		r.chips.Hide()
		r.star.Hide()
		r.bar.FillColor = color.Transparent
		r.barBack.FillColor = color.Transparent
		r.Refresh()
		return
	}
	row, ok := v.row(i)
	r.snippet.Hide()
	if !ok {
		r.title.SetText("")
		setMuted(r.meta, "")
		r.chips.Objects = nil
		r.star.Hide()
		r.bar.FillColor, r.barBack.FillColor = color.Transparent, color.Transparent
		r.Refresh()
		return
	}
	r.title.SetText(titleOr(row.Title))
	setMuted(r.meta, rowFacts(row))
	r.chips.Objects = tagChips(row.Tags, 4)
	r.chips.Show()
	if row.Favourite {
		r.star.SetResource(theme.NewPrimaryThemedResource(starIcon))
		r.star.Show()
	} else {
		r.star.Hide()
	}
	r.read = float32(row.Progress.Fraction)
	if r.read > 0.01 {
		r.barBack.FillColor = themeColor(theme.ColorNameSeparator)
		r.bar.FillColor = themeColor(theme.ColorNamePrimary)
	} else {
		r.barBack.FillColor, r.bar.FillColor = color.Transparent, color.Transparent
	}
	r.Refresh()
}

func titleOr(t string) string {
	if strings.TrimSpace(t) == "" {
		return "Untitled"
	}
	return t
}

// rowFacts is the second line of a row: site, date, reading progress, highlights.
func rowFacts(r annotate.ArticleRow) string {
	var parts []string
	if r.Site != "" {
		parts = append(parts, r.Site)
	} else if h := hostOf(r.URL); h != "" {
		parts = append(parts, h)
	}
	if r.Published != nil {
		parts = append(parts, r.Published.Local().Format("2 Jan 2006"))
	} else {
		parts = append(parts, "saved "+r.AddedAt.Local().Format("2 Jan 2006"))
	}
	if r.WordCount > 0 {
		parts = append(parts, fmt.Sprintf("%d min", max(1, (r.WordCount+119)/238)))
	}
	switch f := r.Progress.Fraction; {
	case f >= 0.98:
		parts = append(parts, "read")
	case f > 0.01:
		parts = append(parts, fmt.Sprintf("%d%% read", int(f*100+0.5)))
	}
	if r.Highlights > 0 {
		parts = append(parts, plural(r.Highlights, "highlight", "highlights"))
	}
	return strings.Join(parts, "  ·  ")
}

func hostOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else {
		return ""
	}
	u, _, _ = strings.Cut(u, "/")
	return strings.TrimPrefix(u, "www.")
}

func setMuted(rt *widget.RichText, text string) {
	rt.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: mutedStyle}}
	rt.Refresh()
}

var mutedStyle = widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText, Inline: true}

// snippetSegments renders a search snippet with its matched words (between
// archive.SnippetOpen and SnippetClose) in bold.
func snippetSegments(s string) []widget.RichTextSegment {
	s = strings.Join(strings.Fields(s), " ")
	var segs []widget.RichTextSegment
	for s != "" {
		i := strings.Index(s, archive.SnippetOpen)
		if i < 0 {
			segs = append(segs, &widget.TextSegment{Text: s, Style: snippetStyle})
			break
		}
		if i > 0 {
			segs = append(segs, &widget.TextSegment{Text: s[:i], Style: snippetStyle})
		}
		s = s[i+len(archive.SnippetOpen):]
		j := strings.Index(s, archive.SnippetClose)
		if j < 0 {
			j = len(s)
		}
		bold := snippetStyle
		bold.TextStyle.Bold = true
		bold.ColorName = theme.ColorNameForeground
		segs = append(segs, &widget.TextSegment{Text: s[:j], Style: bold})
		s = strings.TrimPrefix(s[j:], archive.SnippetClose)
	}
	return segs
}

var snippetStyle = widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText, Inline: true}

// tagChips returns small rounded labels for up to n tags, and "+k" for the rest.
func tagChips(tags []string, n int) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for i, t := range tags {
		if i == n {
			out = append(out, newChip(fmt.Sprintf("+%d", len(tags)-n)))
			break
		}
		out = append(out, newChip(t))
	}
	return out
}

// chip is a tag drawn as a small rounded label.
type chip struct {
	widget.BaseWidget
	text string
}

func newChip(text string) *chip {
	c := &chip{text: text}
	c.ExtendBaseWidget(c)
	return c
}

func (c *chip) CreateRenderer() fyne.WidgetRenderer {
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg := canvas.NewRectangle(th.Color(theme.ColorNameInputBackground, v))
	bg.StrokeColor = th.Color(theme.ColorNameSeparator, v)
	bg.StrokeWidth = 1
	bg.CornerRadius = 8
	t := canvas.NewText(c.text, th.Color(theme.ColorNameForeground, v))
	t.TextSize = th.Size(theme.SizeNameCaptionText)
	return &chipRenderer{c: c, bg: bg, text: t}
}

type chipRenderer struct {
	c    *chip
	bg   *canvas.Rectangle
	text *canvas.Text
}

func (r *chipRenderer) Destroy() {}
func (r *chipRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.text}
}
func (r *chipRenderer) MinSize() fyne.Size {
	s := r.text.MinSize()
	return fyne.NewSize(s.Width+14, s.Height+2)
}
func (r *chipRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}
func (r *chipRenderer) Refresh() {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.bg.StrokeColor = th.Color(theme.ColorNameSeparator, v)
	r.text.Color = th.Color(theme.ColorNameForeground, v)
	r.text.Text = r.c.text
	r.bg.Refresh()
	r.text.Refresh()
}
