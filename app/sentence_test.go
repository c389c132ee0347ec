package app

import (
	"errors"
	"fmt"
	"testing"

	"gloss/annotate"
	"gloss/archive"
)

// TestSentence: the sentence shown for an error is the typed error's own, without the
// chain of what was being done, capitalised and ended.
func TestSentence(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("open article 3: %w", &archive.DamagedError{Kind: "capture", ID: 7}),
			"Capture 7 is damaged in the library file, so Gloss will not show it as if it were intact; a backup may hold a good copy."},
		{fmt.Errorf("highlights of article 3: %w", &annotate.DamagedError{Rows: []string{"highlight ab12"}}),
			"The stored values of highlight ab12 are damaged in the library file; a backup may hold them intact."},
		{fmt.Errorf("save: %w", archive.ErrNoArticle), "No article text could be found on this page."},
		{fmt.Errorf("article 9: %w", archive.ErrNotFound), "It is no longer in the library."},
		{errors.New(""), "Something went wrong."},
	}
	for _, tt := range tests {
		if got := sentence(tt.err); got != tt.want {
			t.Errorf("sentence(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
