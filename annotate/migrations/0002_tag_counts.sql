-- The tag list with its counts, kept up to date on every write so that reading
-- it (the library view does on every reload) costs the number of tags, not the
-- size of the library.
--
-- A tag counts an article when the article carries it directly (article_tags)
-- or through one of its live highlights (highlight_tags of a highlight not in
-- the trash), and counts each live highlight carrying it. The triggers below
-- keep these counts through every change of article_tags, highlight_tags and
-- highlights (moving to and from the trash, purging) and through the deletion
-- of an article (whose rows go by ON DELETE CASCADE, which fires them too). A
-- tag no article carries any more has no row.
--
-- "Does article A still carry tag T" is answered from the primary key of
-- article_tags and from A's highlights (highlights_article) with the primary
-- key of highlight_tags: a few rows, whatever the size of the library. Every
-- trigger asks it after its change (or, for a highlight about to be deleted,
-- leaving that highlight out), so that the count of articles changes exactly
-- when the first way of carrying a tag appears or the last one goes, in
-- whatever order a cascade deletes an article's rows.
CREATE TABLE tag_counts (
    tag        TEXT PRIMARY KEY,
    articles   INTEGER NOT NULL DEFAULT 0 CHECK (articles >= 0),
    highlights INTEGER NOT NULL DEFAULT 0 CHECK (highlights >= 0)
) WITHOUT ROWID;

INSERT INTO tag_counts (tag, articles, highlights)
SELECT tag, count(DISTINCT article_id), sum(highlight) FROM (
    SELECT tag, article_id, 0 AS highlight FROM article_tags
    UNION ALL
    SELECT t.tag, h.article_id, 1 FROM highlight_tags t JOIN highlights h ON h.id = t.highlight_id
    WHERE h.deleted_at IS NULL
) GROUP BY tag;

-- Article tags.

CREATE TRIGGER tag_counts_article_tag_insert AFTER INSERT ON article_tags
BEGIN
    INSERT INTO tag_counts (tag) VALUES (new.tag) ON CONFLICT (tag) DO NOTHING;
    UPDATE tag_counts SET articles = articles + 1
    WHERE tag = new.tag AND NOT EXISTS (
        SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
        WHERE h.article_id = new.article_id AND h.deleted_at IS NULL AND t.tag = new.tag);
END;

CREATE TRIGGER tag_counts_article_tag_delete AFTER DELETE ON article_tags
BEGIN
    UPDATE tag_counts SET articles = articles - 1
    WHERE tag = old.tag AND NOT EXISTS (
        SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
        WHERE h.article_id = old.article_id AND h.deleted_at IS NULL AND t.tag = old.tag);
    DELETE FROM tag_counts WHERE tag = old.tag AND articles = 0 AND highlights = 0;
END;

-- An update is a delete and an insert: what the old row carried is counted
-- off before the update (leaving that row out), what the new one carries is
-- counted after it (leaving the new row out), so that the counts are right
-- whatever the update changes, even nothing.
CREATE TRIGGER tag_counts_article_tag_update_old BEFORE UPDATE OF article_id, tag ON article_tags
BEGIN
    UPDATE tag_counts SET articles = articles - 1
    WHERE tag = old.tag AND NOT EXISTS (
        SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
        WHERE h.article_id = old.article_id AND h.deleted_at IS NULL AND t.tag = old.tag);
    DELETE FROM tag_counts WHERE tag = old.tag AND articles = 0 AND highlights = 0;
END;

CREATE TRIGGER tag_counts_article_tag_update_new AFTER UPDATE OF article_id, tag ON article_tags
BEGIN
    INSERT INTO tag_counts (tag) VALUES (new.tag) ON CONFLICT (tag) DO NOTHING;
    UPDATE tag_counts SET articles = articles + 1
    WHERE tag = new.tag AND NOT EXISTS (
        SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
        WHERE h.article_id = new.article_id AND h.deleted_at IS NULL AND t.tag = new.tag);
END;

-- Highlight tags: only those of live highlights count. A highlight's tags that
-- go with it (purge, deleted article) are counted off by the highlight's own
-- trigger below, before it goes; by the time the cascade deletes them the
-- highlight is gone and these triggers leave the counts alone.

CREATE TRIGGER tag_counts_highlight_tag_insert AFTER INSERT ON highlight_tags
WHEN EXISTS (SELECT 1 FROM highlights WHERE id = new.highlight_id AND deleted_at IS NULL)
BEGIN
    INSERT INTO tag_counts (tag) VALUES (new.tag) ON CONFLICT (tag) DO NOTHING;
    UPDATE tag_counts SET highlights = highlights + 1, articles = articles + NOT (
        EXISTS (SELECT 1 FROM article_tags a JOIN highlights h ON h.id = new.highlight_id
            WHERE a.article_id = h.article_id AND a.tag = new.tag)
        OR EXISTS (SELECT 1 FROM highlights me
            JOIN highlights h ON h.article_id = me.article_id AND h.deleted_at IS NULL AND h.id <> me.id
            JOIN highlight_tags t ON t.highlight_id = h.id AND t.tag = new.tag
            WHERE me.id = new.highlight_id))
    WHERE tag = new.tag;
END;

CREATE TRIGGER tag_counts_highlight_tag_delete AFTER DELETE ON highlight_tags
WHEN EXISTS (SELECT 1 FROM highlights WHERE id = old.highlight_id AND deleted_at IS NULL)
BEGIN
    UPDATE tag_counts SET highlights = highlights - 1, articles = articles - NOT (
        EXISTS (SELECT 1 FROM article_tags a JOIN highlights h ON h.id = old.highlight_id
            WHERE a.article_id = h.article_id AND a.tag = old.tag)
        OR EXISTS (SELECT 1 FROM highlights me
            JOIN highlights h ON h.article_id = me.article_id AND h.deleted_at IS NULL
            JOIN highlight_tags t ON t.highlight_id = h.id AND t.tag = old.tag
            WHERE me.id = old.highlight_id))
    WHERE tag = old.tag;
    DELETE FROM tag_counts WHERE tag = old.tag AND articles = 0 AND highlights = 0;
END;

-- An update of a highlight tag is a delete and an insert, counted as for
-- article tags.
CREATE TRIGGER tag_counts_highlight_tag_update_old BEFORE UPDATE OF highlight_id, tag ON highlight_tags
WHEN EXISTS (SELECT 1 FROM highlights WHERE id = old.highlight_id AND deleted_at IS NULL)
BEGIN
    UPDATE tag_counts SET highlights = highlights - 1, articles = articles - NOT (
        EXISTS (SELECT 1 FROM article_tags a JOIN highlights h ON h.id = old.highlight_id
            WHERE a.article_id = h.article_id AND a.tag = old.tag)
        OR EXISTS (SELECT 1 FROM highlights me
            JOIN highlights h ON h.article_id = me.article_id AND h.deleted_at IS NULL AND h.id <> me.id
            JOIN highlight_tags t ON t.highlight_id = h.id AND t.tag = old.tag
            WHERE me.id = old.highlight_id))
    WHERE tag = old.tag;
    DELETE FROM tag_counts WHERE tag = old.tag AND articles = 0 AND highlights = 0;
END;

CREATE TRIGGER tag_counts_highlight_tag_update_new AFTER UPDATE OF highlight_id, tag ON highlight_tags
WHEN EXISTS (SELECT 1 FROM highlights WHERE id = new.highlight_id AND deleted_at IS NULL)
BEGIN
    INSERT INTO tag_counts (tag) VALUES (new.tag) ON CONFLICT (tag) DO NOTHING;
    UPDATE tag_counts SET highlights = highlights + 1, articles = articles + NOT (
        EXISTS (SELECT 1 FROM article_tags a JOIN highlights h ON h.id = new.highlight_id
            WHERE a.article_id = h.article_id AND a.tag = new.tag)
        OR EXISTS (SELECT 1 FROM highlights me
            JOIN highlights h ON h.article_id = me.article_id AND h.deleted_at IS NULL AND h.id <> me.id
            JOIN highlight_tags t ON t.highlight_id = h.id AND t.tag = new.tag
            WHERE me.id = new.highlight_id))
    WHERE tag = new.tag;
END;

-- Highlights moving to the trash, coming back from it, and going for good.

CREATE TRIGGER tag_counts_highlight_trash AFTER UPDATE OF deleted_at ON highlights
WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL
BEGIN
    UPDATE tag_counts SET highlights = highlights - 1, articles = articles - NOT (
        EXISTS (SELECT 1 FROM article_tags a WHERE a.article_id = old.article_id AND a.tag = tag_counts.tag)
        OR EXISTS (SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
            WHERE h.article_id = old.article_id AND h.deleted_at IS NULL AND t.tag = tag_counts.tag))
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = new.id);
    DELETE FROM tag_counts
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = new.id)
        AND articles = 0 AND highlights = 0;
END;

CREATE TRIGGER tag_counts_highlight_restore AFTER UPDATE OF deleted_at ON highlights
WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL
BEGIN
    INSERT INTO tag_counts (tag)
    SELECT tag FROM highlight_tags WHERE highlight_id = new.id
    ON CONFLICT (tag) DO NOTHING;
    UPDATE tag_counts SET highlights = highlights + 1, articles = articles + NOT (
        EXISTS (SELECT 1 FROM article_tags a WHERE a.article_id = new.article_id AND a.tag = tag_counts.tag)
        OR EXISTS (SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
            WHERE h.article_id = new.article_id AND h.deleted_at IS NULL AND h.id <> new.id
                AND t.tag = tag_counts.tag))
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = new.id);
END;

-- BEFORE, so that the highlight's tags are still there to count off (the
-- cascade deletes them after the highlight row).
CREATE TRIGGER tag_counts_highlight_delete BEFORE DELETE ON highlights
WHEN old.deleted_at IS NULL
BEGIN
    UPDATE tag_counts SET highlights = highlights - 1, articles = articles - NOT (
        EXISTS (SELECT 1 FROM article_tags a WHERE a.article_id = old.article_id AND a.tag = tag_counts.tag)
        OR EXISTS (SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
            WHERE h.article_id = old.article_id AND h.deleted_at IS NULL AND h.id <> old.id
                AND t.tag = tag_counts.tag))
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = old.id);
    DELETE FROM tag_counts
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = old.id)
        AND articles = 0 AND highlights = 0;
END;

-- A highlight moved to another article (nothing does this today; kept right
-- so that a future merge of articles cannot skew the counts).
CREATE TRIGGER tag_counts_highlight_move AFTER UPDATE OF article_id ON highlights
WHEN old.deleted_at IS NULL AND new.deleted_at IS NULL AND old.article_id <> new.article_id
BEGIN
    UPDATE tag_counts SET articles = articles - NOT (
        EXISTS (SELECT 1 FROM article_tags a WHERE a.article_id = old.article_id AND a.tag = tag_counts.tag)
        OR EXISTS (SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
            WHERE h.article_id = old.article_id AND h.deleted_at IS NULL AND t.tag = tag_counts.tag))
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = new.id);
    UPDATE tag_counts SET articles = articles + NOT (
        EXISTS (SELECT 1 FROM article_tags a WHERE a.article_id = new.article_id AND a.tag = tag_counts.tag)
        OR EXISTS (SELECT 1 FROM highlights h JOIN highlight_tags t ON t.highlight_id = h.id
            WHERE h.article_id = new.article_id AND h.deleted_at IS NULL AND h.id <> new.id
                AND t.tag = tag_counts.tag))
    WHERE tag IN (SELECT tag FROM highlight_tags WHERE highlight_id = new.id);
END;
