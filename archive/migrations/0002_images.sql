-- Images of captures, stored once per content and shared between captures.

-- Every image kept, by the SHA-256 of its bytes (hex), which the cleaned HTML names as
-- gloss-image:<hash>.
CREATE TABLE images (
    hash   TEXT PRIMARY KEY,
    mime   TEXT NOT NULL,
    width  INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size   INTEGER NOT NULL,
    bytes  BLOB NOT NULL
) WITHOUT ROWID;

-- The images each capture shows, in document order: stored (hash set) or failed (failure
-- says why, and the image shows as a placeholder linking to url).
CREATE TABLE capture_images (
    capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT NOT NULL,
    hash       TEXT REFERENCES images(hash),
    failure    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (capture_id, position)
) WITHOUT ROWID;

CREATE INDEX capture_images_hash ON capture_images(hash);
