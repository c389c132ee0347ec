package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gloss/archive/images"
)

// StoredImage is an image kept in the library.
type StoredImage struct {
	Hash          string
	MIME          string
	Width, Height int
	Data          []byte
}

// CaptureImage is one image a capture shows: stored (Hash set) or failed (Failure says why).
type CaptureImage struct {
	URL     string
	Hash    string
	Failure string
}

// AddCaptureWithImages is AddCapture for a capture that shows images: the stored images
// and the failed ones are recorded with the capture, in the same transaction.
func (l *Library) AddCaptureWithImages(ctx context.Context, key string, c Capture, imgs []images.Image, fails []images.Failure) (articleID, captureID int64, err error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return 0, 0, errors.New("add capture: empty article key")
	}
	// Compress before taking the write lock.
	raw, err := compress(c.RawHTML)
	if err != nil {
		return 0, 0, fmt.Errorf("add capture %s: %w", key, err)
	}
	err = l.Write(ctx, func(tx *sql.Tx) error {
		var err error
		if articleID, captureID, err = l.addCapture(ctx, tx, key, c, raw); err != nil {
			return err
		}
		if err := insertImages(ctx, tx, captureID, imgs, fails); err != nil {
			return err
		}
		return l.runCaptureHooks(ctx, tx, articleID, captureID, c.Text)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("add capture %s: %w", key, err)
	}
	return articleID, captureID, nil
}

func insertImages(ctx context.Context, tx *sql.Tx, captureID int64, imgs []images.Image, fails []images.Failure) error {
	pos := 0
	for _, im := range imgs {
		_, err := tx.ExecContext(ctx,
			`INSERT OR IGNORE INTO images (hash, mime, width, height, size, bytes) VALUES (?, ?, ?, ?, ?, ?)`,
			im.Hash, im.MIME, im.Width, im.Height, len(im.Data), im.Data)
		if err != nil {
			return fmt.Errorf("store image %s: %w", im.URL, err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO capture_images (capture_id, position, url, hash) VALUES (?, ?, ?, ?)`,
			captureID, pos, im.URL, im.Hash); err != nil {
			return fmt.Errorf("store image %s: %w", im.URL, err)
		}
		pos++
	}
	for _, f := range fails {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO capture_images (capture_id, position, url, failure) VALUES (?, ?, ?, ?)`,
			captureID, pos, f.URL, f.Reason); err != nil {
			return fmt.Errorf("record failed image %s: %w", f.URL, err)
		}
		pos++
	}
	return nil
}

// Image returns a stored image by its hash.
func (l *Library) Image(ctx context.Context, hash string) (StoredImage, error) {
	var im StoredImage
	err := l.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT hash, mime, width, height, bytes FROM images WHERE hash = ?`, hash).
			Scan(&im.Hash, &im.MIME, &im.Width, &im.Height, &im.Data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return StoredImage{}, fmt.Errorf("image %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return StoredImage{}, fmt.Errorf("image %s: %w", hash, err)
	}
	return im, nil
}

// CaptureImages lists the images a capture shows, stored and failed.
func (l *Library) CaptureImages(ctx context.Context, captureID int64) ([]CaptureImage, error) {
	var out []CaptureImage
	err := l.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT url, COALESCE(hash, ''), failure FROM capture_images WHERE capture_id = ? ORDER BY position`, captureID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ci CaptureImage
			if err := rows.Scan(&ci.URL, &ci.Hash, &ci.Failure); err != nil {
				return err
			}
			out = append(out, ci)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("images of capture %d: %w", captureID, err)
	}
	return out, nil
}

// imageByURL returns a stored image that some capture got from src.
func (l *Library) imageByURL(ctx context.Context, src string) (StoredImage, error) {
	var im StoredImage
	err := l.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT i.hash, i.mime, i.width, i.height, i.bytes
			FROM capture_images ci JOIN images i ON i.hash = ci.hash
			WHERE ci.url = ? LIMIT 1`, src).Scan(&im.Hash, &im.MIME, &im.Width, &im.Height, &im.Data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return StoredImage{}, fmt.Errorf("image %s: %w", src, ErrNotFound)
	}
	if err != nil {
		return StoredImage{}, fmt.Errorf("image %s: %w", src, err)
	}
	return im, nil
}
