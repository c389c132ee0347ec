package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain makes sure no test opens a window: `gloss` without a command starts the GUI,
// which would wait for a person on a machine with a display.
func TestMain(m *testing.M) {
	startGUI = func(e *env, args []string) int {
		guiCalls = append(guiCalls, args)
		return 0
	}
	os.Exit(m.Run())
}

// guiCalls records what the stand-in GUI was started with.
var guiCalls [][]string

func TestNoDisplay(t *testing.T) {
	tests := []struct {
		name    string
		display string
		wayland string
		want    string
	}{
		{"nothing set", "", "", errNoDisplay.Error()},
		{"wayland without xwayland", "", "wayland-0", "WAYLAND_DISPLAY is set but DISPLAY is not"},
		{"stale display", ":987", "", "cannot reach the display :987"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			t.Setenv("WAYLAND_DISPLAY", tt.wayland)
			var out, errb bytes.Buffer
			e := &env{ctx: context.Background(), stdout: &out, stderr: &errb, dbPath: filepath.Join(t.TempDir(), "lib.db")}
			code := runGUI(e, nil)
			if code != 1 {
				t.Errorf("exit status = %d, want 1", code)
			}
			msg := errb.String()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q, want it to say %q", msg, tt.want)
			}
			if lines := strings.Count(strings.TrimSpace(msg), "\n"); lines != 0 {
				t.Errorf("message has %d lines, want one sentence: %q", lines+1, msg)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

func TestArgsStartTheApp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "article.html")
	if err := os.WriteFile(file, []byte("<p>An article.</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantGUI []string // nil: not the GUI
		code    int
	}{
		{"no arguments", nil, []string{}, 0},
		{"addresses", []string{"https://example.org/a", "http://example.org/b"}, []string{"https://example.org/a", "http://example.org/b"}, 0},
		{"a file", []string{file}, []string{file}, 0},
		{"a command", []string{"list"}, nil, 0},
		{"neither", []string{"frobnicate"}, nil, 2},
		{"a missing file", []string{filepath.Join(dir, "missing.html")}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			guiCalls = nil
			var out, errb bytes.Buffer
			args := append([]string{"--db", filepath.Join(dir, "lib.db")}, tt.args...)
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			if code != tt.code {
				t.Errorf("exit status = %d, want %d (%s)", code, tt.code, errb.String())
			}
			switch {
			case tt.wantGUI == nil && len(guiCalls) > 0:
				t.Errorf("started the GUI with %q", guiCalls)
			case tt.wantGUI != nil && (len(guiCalls) != 1 || strings.Join(guiCalls[0], " ") != strings.Join(tt.wantGUI, " ")):
				t.Errorf("GUI calls = %q, want one with %q", guiCalls, tt.wantGUI)
			}
		})
	}
}
