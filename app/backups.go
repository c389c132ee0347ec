package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive"
)

// KeepBackups is how many daily backups of the library the app keeps.
const KeepBackups = 7

// backupRetry is how long the app waits to try again after a daily backup failed.
const backupRetry = time.Hour

// firstBackupDelay is how long after start-up the app makes the day's backup: not while
// the window and the library list are being built, since it reads the whole file.
var firstBackupDelay = time.Minute

// runBackups keeps the daily backups of the library while the app is open: today's is
// made in the background a minute after start-up if it is missing, and the next one after
// midnight. Making one reads every row, so it is also the daily check of a library too
// large to check fully at every start; damage found there is shown at once.
func (g *App) runBackups() {
	if g.svc.BackupDir == "" {
		return
	}
	g.background(func(ctx context.Context) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(firstBackupDelay):
		}
		for {
			_, err := g.svc.Library.RollingBackup(ctx, g.svc.BackupDir, KeepBackups, time.Now())
			wait := untilTomorrow(time.Now())
			var ce *archive.CorruptError
			switch {
			case errors.As(err, &ce):
				g.failAsync("daily backup", fmt.Errorf("Gloss found damage in the library while making today's backup (%s); "+
					"export what you need, then quit Gloss and restore a backup with `gloss restore`", ce.Detail))
				return
			case err != nil && ctx.Err() == nil:
				g.failAsync("daily backup", fmt.Errorf("today's backup of the library could not be made: %w", err))
				wait = backupRetry
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	})
}

// untilTomorrow is how long from now until a minute past the next midnight, local time.
func untilTomorrow(now time.Time) time.Duration {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 1, 0, 0, now.Location()).Sub(now)
}

// DamagedWindow tells the person that the library could not be opened because it is
// damaged, and offers to put the newest good backup in its place.
type DamagedWindow struct {
	Window  fyne.Window
	Message *widget.Label
	Restore *widget.Button // disabled when there is no good backup
	Quit    *widget.Button
	Status  *widget.Label // what went wrong with a restore
}

// ShowDamaged shows a DamagedWindow for err. After a backup is restored the window
// closes and restored runs on the UI goroutine with the name the damaged file is now
// kept under; if restored fails, the window stays and shows why.
func ShowDamaged(a fyne.App, err *archive.CorruptError, restored func(aside string) error) *DamagedWindow {
	w := newDamagedWindow(a, err, fyne.Do, restored)
	w.Window.Show()
	return w
}

func newDamagedWindow(a fyne.App, ce *archive.CorruptError, do func(func()), restored func(aside string) error) *DamagedWindow {
	w := &DamagedWindow{Window: a.NewWindow("Gloss: the library is damaged")}
	msg := fmt.Sprintf("Gloss could not open your library, %s, because it is damaged: %s.\n\nGloss has changed nothing in it.",
		ce.Path, strings.TrimSuffix(ce.Detail, "."))
	if len(ce.Backups) > 0 {
		msg += fmt.Sprintf("\n\nThe newest good backup is from %s. Restoring it puts a copy of it in place of the library; "+
			"the damaged file is kept beside it, unchanged.", backupDate(ce.Backups[0]))
	} else {
		msg += fmt.Sprintf("\n\nNo good backup was found in %s.", archive.BackupDir(ce.Path))
	}
	w.Message = widget.NewLabel(msg)
	w.Message.Wrapping = fyne.TextWrapWord
	w.Status = widget.NewLabel("")
	w.Status.Wrapping = fyne.TextWrapWord
	w.Status.Importance = widget.DangerImportance
	w.Status.Hide()
	w.Quit = widget.NewButtonWithIcon("Quit", theme.CancelIcon(), func() { w.Window.Close() })
	w.Restore = widget.NewButtonWithIcon("Restore the backup", theme.HistoryIcon(), func() {
		w.Restore.Disable()
		w.Quit.Disable()
		go func() {
			aside, err := archive.RestoreBackup(context.Background(), ce.Path, ce.Backups[0])
			do(func() {
				fail := func(err error) {
					w.Status.SetText(sentence(err))
					w.Status.Show()
					w.Quit.Enable()
				}
				if err != nil {
					// Nothing was changed: the user may try again, say once the Gloss
					// that holds the library open has quit.
					fail(err)
					w.Restore.Enable()
					return
				}
				if err := restored(aside); err != nil {
					fail(err)
					return
				}
				w.Window.Close()
			})
		}()
	})
	w.Restore.Importance = widget.HighImportance
	if len(ce.Backups) == 0 {
		w.Restore.Disable()
	}
	buttons := container.NewHBox(layout.NewSpacer(), w.Quit, w.Restore)
	w.Window.SetContent(container.NewPadded(container.NewBorder(nil, container.NewVBox(w.Status, buttons), nil, nil, w.Message)))
	w.Window.Resize(fyne.NewSize(620, 300))
	return w
}

// backupDate returns the day a backup was made: from the name of a daily backup
// ("library-2026-03-01.db"), else from its file's modification time.
func backupDate(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), ".db")
	if len(name) > 10 {
		if t, err := time.Parse("2006-01-02", name[len(name)-10:]); err == nil {
			return t.Format("Monday 2 January 2006")
		}
	}
	if st, err := os.Stat(path); err == nil {
		return st.ModTime().Format("Monday 2 January 2006")
	}
	return filepath.Base(path)
}

// ShowRestored tells the person that the library they see was just restored from a
// backup, and where the damaged file it replaced is kept.
func (g *App) ShowRestored(aside string) {
	msg := "Your library was restored from its newest good backup. Anything added after that backup was made is not in it."
	if aside != "" {
		msg += " The damaged file is kept unchanged as " + aside + "."
	}
	showError(g.Window, msg)
}
