package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gloss/archive/siterules"
)

// StoredRule is a user rule kept in the library.
type StoredRule struct {
	ID int64
	siterules.UserRule
	Created time.Time
}

var ruleKinds = map[siterules.Kind]string{siterules.StripXPath: "xpath", siterules.StripClass: "class", siterules.StripText: "text"}

// ParseRuleKind reads a kind as stored and as the command line names it: xpath, class, text.
func ParseRuleKind(s string) (siterules.Kind, bool) {
	for k, name := range ruleKinds {
		if name == s {
			return k, true
		}
	}
	return 0, false
}

// RuleKindName is the stored name of a kind of user rule.
func RuleKindName(k siterules.Kind) string { return ruleKinds[k] }

// AddUserRule validates and stores a user rule; adding one that exists returns its id.
func (l *Library) AddUserRule(ctx context.Context, r siterules.UserRule) (int64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	host := ruleHost(r.Host)
	var id int64
	err := l.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO user_rules (host, kind, value, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			host, ruleKinds[r.Kind], r.Value, formatTime(l.now()))
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id FROM user_rules WHERE host = ? AND kind = ? AND value = ?`,
			host, ruleKinds[r.Kind], r.Value).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("add rule for %s: %w", host, err)
	}
	return id, nil
}

// RemoveUserRule deletes a user rule.
func (l *Library) RemoveUserRule(ctx context.Context, id int64) error {
	err := l.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_rules WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove rule %d: %w", id, err)
	}
	return nil
}

// UserRules lists the user's rules, oldest first.
func (l *Library) UserRules(ctx context.Context) ([]StoredRule, error) {
	var out []StoredRule
	err := l.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, host, kind, value, created_at FROM user_rules ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r StoredRule
			var kind, created string
			if err := rows.Scan(&r.ID, &r.Host, &kind, &r.Value, &created); err != nil {
				return err
			}
			r.Kind, _ = ParseRuleKind(kind)
			if r.Created, err = parseTime(created); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("user rules: %w", err)
	}
	return out, nil
}

// ruleHost is the host a rule is stored under: lower case, a URL reduced to its host.
func ruleHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	h, _, _ = strings.Cut(h, "/")
	return h
}

// RulesDirSetting is the setting naming the user's own folder of site rules, which wins
// over the downloaded ones.
const RulesDirSetting = "rules_dir"

// DownloadedRulesDir is where `gloss rules update` keeps the published rule set: beside
// the library file.
func (l *Library) DownloadedRulesDir() string {
	return filepath.Join(filepath.Dir(l.path), "site-rules")
}

// SiteRules loads the site rules the library uses: the user's rules kept in the library
// first, then the user's rules folder, then the downloaded rule set. Files that do not
// parse are reported, not fatal.
func (l *Library) SiteRules(ctx context.Context) (*siterules.Set, []siterules.ParseError, error) {
	userDir, err := l.Setting(ctx, RulesDirSetting, "")
	if err != nil {
		return nil, nil, err
	}
	var dirs []string
	for _, d := range []string{userDir, l.DownloadedRulesDir()} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(d); err == nil {
			dirs = append(dirs, d)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("site rules: %w", err)
		}
	}
	set, perrs := siterules.LoadDir(dirs...)
	stored, err := l.UserRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range stored {
		rule, err := r.UserRule.Rule()
		if err != nil {
			// Validated when stored; a rule that no longer converts is skipped, not fatal.
			continue
		}
		set.Add(rule)
	}
	return set, perrs, nil
}
