package annotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TrashRetention is how long a deleted highlight stays in the trash before NewStore (or
// PurgeTrash) removes it for good.
const TrashRetention = 30 * 24 * time.Hour

// Delete moves highlights to the trash, all in one deletion that Undo restores as a
// whole. A highlight in the trash is hidden everywhere (lists, counts, search, exports)
// but keeps following its article's captures. If one id is not a live highlight, nothing
// is deleted.
func (s *Store) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		var batch int64
		if err := tx.QueryRowContext(ctx,
			`SELECT coalesce(max(deletion), 0) + 1 FROM highlights WHERE deletion IS NOT NULL`).Scan(&batch); err != nil {
			return err
		}
		now := formatTime(s.now())
		articles := map[int64]bool{}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if err := highlightsTable.verify(ctx, tx, `id = ?`, id); err != nil {
				return err
			}
			var articleID int64
			err := tx.QueryRowContext(ctx, `
				UPDATE highlights SET deleted_at = ?, deletion = ?
				WHERE id = ? AND deleted_at IS NULL RETURNING article_id`, now, batch, id).Scan(&articleID)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("highlight %s: %w", id, ErrNotFound)
			}
			if err != nil {
				return err
			}
			if err := highlightsTable.seal(ctx, tx, `id = ?`, id); err != nil {
				return err
			}
			articles[articleID] = true
		}
		for id := range articles {
			if err := s.reindex(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete highlights: %w", err)
	}
	return nil
}

// Undo restores the most recent deletion from the trash and returns the highlights it
// brought back, in document order. With an empty trash it returns ErrNothingToUndo.
func (s *Store) Undo(ctx context.Context) ([]Highlight, error) {
	var restored []Highlight
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		var batch sql.NullInt64
		if err := tx.QueryRowContext(ctx,
			`SELECT max(deletion) FROM highlights WHERE deletion IS NOT NULL`).Scan(&batch); err != nil {
			return err
		}
		if !batch.Valid {
			return ErrNothingToUndo
		}
		if err := highlightsTable.verify(ctx, tx, `deletion = ?`, batch.Int64); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx,
			`UPDATE highlights SET deleted_at = NULL, deletion = NULL WHERE deletion = ? RETURNING id`, batch.Int64)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		articles := map[int64]bool{}
		for _, id := range ids {
			if err := highlightsTable.seal(ctx, tx, `id = ?`, id); err != nil {
				return err
			}
			h, err := getHighlight(ctx, tx, id)
			if err != nil {
				return err
			}
			restored = append(restored, h)
			articles[h.ArticleID] = true
		}
		for id := range articles {
			if err := s.reindex(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	sortDocumentOrder(restored)
	return restored, nil
}

// Trash returns the highlights in the trash, most recently deleted first. A damaged one
// fails the list with an error matching ErrDamaged.
func (s *Store) Trash(ctx context.Context) ([]Highlight, error) {
	var hs []Highlight
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		var err error
		hs, err = queryHighlights(ctx, tx, `h.deleted_at IS NOT NULL ORDER BY h.deleted_at DESC, h.id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("trash: %w", err)
	}
	return hs, nil
}

// PurgeTrash removes for good the highlights deleted more than TrashRetention ago and
// returns how many.
func (s *Store) PurgeTrash(ctx context.Context) (int, error) {
	var n int64
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM highlights WHERE deleted_at IS NOT NULL AND deleted_at < ?`,
			formatTime(s.now().Add(-TrashRetention)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge trash: %w", err)
	}
	return int(n), nil
}
