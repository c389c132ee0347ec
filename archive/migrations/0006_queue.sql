-- The import queue: articles brought in from another tool's export (or a list of
-- addresses) waiting to be fetched, being fetched, fetched or failed. It lives in the
-- library so that an import survives Gloss being closed or killed: on the next run items
-- left running go back to waiting, and an item whose article got a capture after it was
-- queued counts as fetched, so that nothing is fetched twice.
CREATE TABLE import_queue (
    id          INTEGER PRIMARY KEY,
    -- The article's identity, NormalizeURL of the address; for an entry without a web
    -- address, 'noaddr:' and its title, or the address as given.
    key         TEXT NOT NULL UNIQUE,
    url         TEXT NOT NULL,             -- the address to fetch, as the export gave it
    host        TEXT NOT NULL DEFAULT '',  -- lower-case host name, for the per-host limit; '' if not fetchable
    title       TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',  -- the export format it came from (importer.Format)
    entry       TEXT NOT NULL,             -- JSON importer.Entry: all the exports said about it, merged
    -- JSON importer.Entry: the tags, states, note and highlights still to hand to the
    -- annotation store once the article is in the library; NULL when there are none.
    pending     TEXT,
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT,                      -- a retried item waits until then
    claimed_at  TEXT,                      -- when its last fetch started
    finished_at TEXT,
    -- Why it failed, one sentence; for a done item, why its annotations could not be
    -- attached.
    reason      TEXT NOT NULL DEFAULT '',
    article_id  INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    queued_at   TEXT NOT NULL,             -- when it last entered the queue (import or retry)
    updated_at  TEXT NOT NULL
);

-- Counting by state, listing a state in order, and claiming the next waiting item of a
-- host.
CREATE INDEX import_queue_state ON import_queue(state, host, id);
-- Done items whose annotations are still to attach.
CREATE INDEX import_queue_pending ON import_queue(id) WHERE state = 'done' AND pending IS NOT NULL;
-- The ON DELETE SET NULL of articles.
CREATE INDEX import_queue_article ON import_queue(article_id);

-- Who is running the queue: one row while a Gloss process fetches, renewed every few
-- seconds, so that a second process does not take the first one's items back. A row
-- whose process is gone, or that has not been renewed for a minute, is stale.
CREATE TABLE import_queue_runner (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    token     TEXT NOT NULL,
    pid       INTEGER NOT NULL,
    hostname  TEXT NOT NULL,
    heartbeat TEXT NOT NULL
);
