-- The articles whose highlights may not be anchored on the current capture,
-- so that opening a library finds them without reading every highlight (at
-- 100,000 articles that read took a third of a second and filled a page
-- cache at every start).
--
-- A highlight is anchored on its article's current capture when its
-- checked_capture_id is the article's current_capture_id. That stops being
-- true only when an article gets a new current capture, or a highlight is
-- stored or changed with another checked capture; the triggers below queue
-- the article then. The store's capture hook re-anchors in the capture's own
-- transaction and takes the article off again; what a Gloss without a store
-- captured stays queued until the next store opens (annotate.NewStore).
CREATE TABLE reanchor_queue (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);

INSERT INTO reanchor_queue (article_id)
SELECT DISTINCT h.article_id FROM highlights h JOIN articles a ON a.id = h.article_id
WHERE a.current_capture_id IS NOT NULL AND h.checked_capture_id IS NOT a.current_capture_id;

CREATE TRIGGER reanchor_queue_capture AFTER UPDATE OF current_capture_id ON articles
WHEN new.current_capture_id IS NOT NULL AND new.current_capture_id IS NOT old.current_capture_id
    AND EXISTS (SELECT 1 FROM highlights WHERE article_id = new.id)
    AND NOT EXISTS (SELECT 1 FROM reanchor_queue WHERE article_id = new.id)
BEGIN
    INSERT INTO reanchor_queue (article_id) VALUES (new.id);
END;

CREATE TRIGGER reanchor_queue_highlight AFTER INSERT ON highlights
WHEN new.checked_capture_id IS NOT (SELECT current_capture_id FROM articles WHERE id = new.article_id)
    AND (SELECT current_capture_id FROM articles WHERE id = new.article_id) IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM reanchor_queue WHERE article_id = new.article_id)
BEGIN
    INSERT INTO reanchor_queue (article_id) VALUES (new.article_id);
END;

CREATE TRIGGER reanchor_queue_highlight_checked AFTER UPDATE OF checked_capture_id, article_id ON highlights
WHEN new.checked_capture_id IS NOT (SELECT current_capture_id FROM articles WHERE id = new.article_id)
    AND (SELECT current_capture_id FROM articles WHERE id = new.article_id) IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM reanchor_queue WHERE article_id = new.article_id)
BEGIN
    INSERT INTO reanchor_queue (article_id) VALUES (new.article_id);
END;
