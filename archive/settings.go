package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value of a preference, or def when it was never set.
func (l *Library) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := l.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores the value of a preference.
func (l *Library) SetSetting(ctx context.Context, key, value string) error {
	err := l.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}
