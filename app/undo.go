package app

import "context"

// undoStep is one action Ctrl+Z can take back.
type undoStep struct {
	label string // "Delete highlight", "Remove block"
	// undo takes the action back. It runs on a background goroutine and reports how the
	// views must change through their apply methods.
	undo func(ctx context.Context) error
}

// undoStack is the app's history of undoable actions, newest last. It is touched only on
// the UI goroutine.
type undoStack struct {
	steps []undoStep
}

// maxUndo bounds the history.
const maxUndo = 100

func (s *undoStack) push(st undoStep) {
	s.steps = append(s.steps, st)
	if len(s.steps) > maxUndo {
		s.steps = s.steps[len(s.steps)-maxUndo:]
	}
}

func (s *undoStack) pop() (undoStep, bool) {
	if len(s.steps) == 0 {
		return undoStep{}, false
	}
	st := s.steps[len(s.steps)-1]
	s.steps = s.steps[:len(s.steps)-1]
	return st, true
}

// Undo takes back the most recent undoable action: a deleted highlight, a removed block.
func (g *App) Undo() {
	st, ok := g.undo.pop()
	if !ok {
		return
	}
	g.Reader.syncUndo()
	g.background(func(ctx context.Context) {
		if err := st.undo(ctx); err != nil {
			g.failAsync("undo "+st.label, err)
		}
	})
}

// UndoLabel names the action Undo would take back, "" when there is none.
func (g *App) UndoLabel() string {
	if len(g.undo.steps) == 0 {
		return ""
	}
	return g.undo.steps[len(g.undo.steps)-1].label
}
