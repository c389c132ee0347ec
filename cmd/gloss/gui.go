package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"gloss/app"
	"gloss/archive"
	"gloss/archive/fetch"
	"gloss/assets"
)

// appID is the application id: the D-Bus name, the .desktop file's name, and the folder
// Fyne keeps its own files in.
const appID = "app.gloss.Gloss"

// errNoDisplay is the one sentence `gloss` prints when there is no desktop to open a
// window on.
var errNoDisplay = errors.New("no display to open the Gloss window on (DISPLAY and WAYLAND_DISPLAY are unset); run it from a desktop session, or use a command: gloss help")

// startGUI opens the app; tests replace it so that running `gloss` opens no window.
var startGUI = runGUI

// guiCommands are the commands that drive the app.
func guiCommands() map[string]command {
	return map[string]command{
		"screenshot": {"--state NAME --out FILE.png [URL|FILE...]", "open the app in a given state and save a picture of its window (for documentation)", cmdScreenshot},
	}
}

// guiArgs reports whether args are things to add to the library rather than a command:
// web addresses and files that exist.
func guiArgs(args []string) bool {
	for _, a := range args {
		if u, err := url.Parse(a); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			continue
		}
		if st, err := os.Stat(a); err == nil && st.Mode().IsRegular() {
			continue
		}
		return false
	}
	return len(args) > 0
}

// checkDisplay returns errNoDisplay, or an error naming the display, when no window can be
// opened. The GUI is built for X11 (it runs on Wayland through XWayland), so it needs an
// X server it can reach.
func checkDisplay(getenv func(string) string) error {
	d := getenv("DISPLAY")
	if d == "" {
		if getenv("WAYLAND_DISPLAY") != "" {
			return errors.New("no X display to open the Gloss window on: WAYLAND_DISPLAY is set but DISPLAY is not; Gloss needs XWayland")
		}
		return errNoDisplay
	}
	if err := dialDisplay(d); err != nil {
		return fmt.Errorf("cannot reach the display %s: %w", d, err)
	}
	return nil
}

// dialDisplay connects to the X server a DISPLAY value names, to tell a stale DISPLAY from
// a live one before the toolkit fails less politely.
func dialDisplay(d string) error {
	host, rest, ok := strings.Cut(d, ":")
	if !ok {
		return errors.New("not a display name")
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil {
		return errors.New("not a display name")
	}
	var conn net.Conn
	switch host {
	case "", "unix":
		conn, err = net.DialTimeout("unix", filepath.Join("/tmp/.X11-unix", "X"+num), 2*time.Second)
	default:
		if strings.HasPrefix(host, "/") {
			// macOS launchd sockets (/private/tmp/…:0) are paths.
			conn, err = net.DialTimeout("unix", d, 2*time.Second)
		} else {
			conn, err = net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), 2*time.Second)
		}
	}
	if err != nil {
		return err
	}
	return conn.Close()
}

// runGUI opens the Gloss window on the library and adds what args name (addresses and
// files). It returns when the window closes. A damaged library is not opened: a window
// says so and offers to restore the newest good backup, then opens the restored library.
func runGUI(e *env, args []string) int {
	if err := checkDisplay(os.Getenv); err != nil {
		fmt.Fprintf(e.stderr, "gloss: %v\n", err)
		return 1
	}
	a := newFyneApp()
	var s *session
	open := func() error {
		var err error
		if s, err = e.openSession(a); err != nil {
			return err
		}
		s.g.AddFromArgs(args)
		s.g.Window.Show()
		return nil
	}
	err := open()
	var ce *archive.CorruptError
	switch {
	case errors.As(err, &ce):
		app.ShowDamaged(a, ce, func(aside string) error {
			if err := open(); err != nil {
				return err
			}
			s.g.ShowRestored(aside)
			return nil
		})
	case err != nil:
		fmt.Fprintf(e.stderr, "gloss: %s\n", message(err))
		return 1
	}
	a.Run()
	if s != nil {
		if err := s.close(); err != nil {
			fmt.Fprintf(e.stderr, "gloss: %s\n", message(err))
			return 1
		}
	}
	return 0
}

// newFyneApp makes the Fyne app with Gloss's id and icon.
func newFyneApp() fyne.App {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	return a
}

// session is the library, its services and the app window built on them.
type session struct {
	lib *archive.Library
	g   *app.App
}

// openSession opens the library and its services and builds the app on them.
func (e *env) openSession(a fyne.App) (*session, error) {
	lib, store, err := e.openStore()
	if err != nil {
		return nil, err
	}
	g, err := app.New(a, app.Services{
		Library:   lib,
		Store:     store,
		Saver:     archive.NewSaver(lib, fetch.New(fetch.Options{})),
		BackupDir: archive.BackupDir(lib.Path()),
	})
	if err != nil {
		_ = lib.Close() // the error building the app is the one to report
		return nil, err
	}
	return &session{lib: lib, g: g}, nil
}

// close stops the app's background work and closes the library.
func (s *session) close() error {
	s.g.Close()
	return s.lib.Close()
}

// cmdScreenshot opens the app in a named state, waits for it to settle and writes a PNG of
// the window's content. It needs a display (make screenshots runs it under Xvfb).
func cmdScreenshot(e *env, args []string) error {
	fs := flag.NewFlagSet("screenshot", flag.ContinueOnError)
	state := fs.String("state", "main", "the state to show: "+strings.Join(app.ScreenshotStates, ", "))
	out := fs.String("out", "", "the PNG file to write")
	items, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("no --out file given")
	}
	if err := checkDisplay(os.Getenv); err != nil {
		return err
	}
	a := newFyneApp()
	s, err := e.openSession(a)
	if err != nil {
		return err
	}
	var shotErr error
	s.g.Window.Show()
	go func() {
		shotErr = s.g.Screenshot(e.ctx, *state, items, *out)
		fyne.Do(a.Quit)
	}()
	a.Run()
	return errors.Join(shotErr, s.close())
}
