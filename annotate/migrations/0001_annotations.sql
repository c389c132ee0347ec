-- What users add on top of articles: highlights with notes, tags and claims,
-- article-level tags, notes, favourites and reading progress, and the colour
-- palette. Owned by package annotate (migration owner "annotate"). Every row
-- hangs off an article and goes with it (ON DELETE CASCADE).
--
-- Times are TEXT in UTC, fixed width ('2006-01-02T15:04:05.000000000Z'), like
-- the archive's tables.

-- The highlight colours, in the order the reader offers them, each with a
-- meaning the user can change.
CREATE TABLE palette (
    color    TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    meaning  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

INSERT INTO palette (color, position, meaning) VALUES
    ('yellow', 1, 'key point'),
    ('green',  2, 'evidence'),
    ('blue',   3, 'question'),
    ('pink',   4, 'disagree'),
    ('purple', 5, 'definition'),
    ('orange', 6, 'to check');

-- One row per highlight. start_offset and end_offset are byte offsets into
-- the text of capture_id; exact, prefix and suffix are the quote selector.
-- For a live highlight that is not an orphan, capture_id is the article's
-- current capture and text[start_offset:end_offset] = exact. An orphan keeps
-- the capture, offsets and quote of the last place it was anchored (capture_id
-- is NULL when that place is unknown, as for an imported orphan).
--
-- checked_capture_id is the capture anchoring last ran on, so that captures
-- added while no annotation store was listening are caught up on.
--
-- A highlight in the trash has deleted_at and deletion (the batch it was
-- deleted in, which undo restores as a whole) set; it is hidden everywhere
-- and purged after 30 days.
CREATE TABLE highlights (
    id                 TEXT PRIMARY KEY, -- UUID, lower case
    article_id         INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    capture_id         INTEGER REFERENCES captures(id) ON DELETE SET NULL,
    checked_capture_id INTEGER REFERENCES captures(id) ON DELETE SET NULL,
    start_offset       INTEGER NOT NULL,
    end_offset         INTEGER NOT NULL,
    exact              TEXT NOT NULL,
    prefix             TEXT NOT NULL DEFAULT '',
    suffix             TEXT NOT NULL DEFAULT '',
    color              TEXT NOT NULL REFERENCES palette(color),
    note               TEXT NOT NULL DEFAULT '', -- Markdown
    status             TEXT NOT NULL CHECK (status IN ('anchored', 'moved', 'fuzzy', 'orphan')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    deleted_at         TEXT,
    deletion           INTEGER,
    CHECK ((deleted_at IS NULL) = (deletion IS NULL))
);

-- An article's highlights, and counting its live ones from the index alone.
CREATE INDEX highlights_article ON highlights(article_id, deleted_at);
-- The ON DELETE SET NULL of captures.
CREATE INDEX highlights_capture ON highlights(capture_id);
CREATE INDEX highlights_checked_capture ON highlights(checked_capture_id);
-- The orphans list.
CREATE INDEX highlights_orphans ON highlights(article_id, created_at)
    WHERE status = 'orphan' AND deleted_at IS NULL;
-- Undo (the latest deletion) and the trash purge (the oldest).
CREATE INDEX highlights_deletion ON highlights(deletion) WHERE deletion IS NOT NULL;
CREATE INDEX highlights_deleted_at ON highlights(deleted_at) WHERE deleted_at IS NOT NULL;

-- Tags are stored normalised (see annotate.NormalizeTag). The (tag, …)
-- indexes serve the tag filter and the tag counts.
CREATE TABLE highlight_tags (
    highlight_id TEXT NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (highlight_id, tag)
) WITHOUT ROWID;
CREATE INDEX highlight_tags_tag ON highlight_tags(tag);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags(tag, article_id);

-- The claim a highlight marks, if any. The enumerations are checked in Go
-- (annotate.Claim.Validate), not here, so that adding a value does not mean
-- rebuilding the table. links is a JSON array of URLs.
CREATE TABLE claims (
    highlight_id TEXT PRIMARY KEY REFERENCES highlights(id) ON DELETE CASCADE,
    claimant     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    status       TEXT NOT NULL,
    verdict      TEXT NOT NULL DEFAULT '',
    links        TEXT NOT NULL DEFAULT '[]',
    reviewed_at  TEXT
) WITHOUT ROWID;
-- The claim status filter of the library list.
CREATE INDEX claims_status ON claims(status);

-- What the user keeps about a whole article. No row means all defaults.
-- progress is how far the user has read (0 to 1), progress_offset the byte
-- offset in the current capture's text where they stopped.
CREATE TABLE article_meta (
    article_id      INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    note            TEXT NOT NULL DEFAULT '', -- Markdown
    favourite       INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    archived        INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    progress        REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    progress_offset INTEGER NOT NULL DEFAULT 0 CHECK (progress_offset >= 0),
    updated_at      TEXT NOT NULL
);
-- The favourite and archived filters of the library list.
CREATE INDEX article_meta_favourite ON article_meta(favourite) WHERE favourite = 1;
CREATE INDEX article_meta_archived ON article_meta(archived) WHERE archived = 1;
