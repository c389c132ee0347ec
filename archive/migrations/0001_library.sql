-- Articles and their captures, and the full-text index over current captures.
--
-- Times are TEXT in UTC, fixed width ('2006-01-02T15:04:05.000000000Z'), so
-- they sort as strings and stay readable in the sqlite3 shell.

-- One row per saved thing. url is its identity: the normalised requested URL,
-- or 'file:…' / 'text:<sha256>' for local imports.
--
-- title … word_count (and sort_title) copy the current capture so the library
-- list can be sorted and paged from this table's indexes alone, without joining
-- captures for 100,000 rows. AddCapture updates them in the same transaction
-- that changes current_capture_id; Check reports any drift.
CREATE TABLE articles (
    id                 INTEGER PRIMARY KEY,
    url                TEXT NOT NULL UNIQUE,
    added_at           TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    current_capture_id INTEGER REFERENCES captures(id) ON DELETE SET NULL,
    title              TEXT NOT NULL DEFAULT '',
    sort_title         TEXT NOT NULL DEFAULT '',
    byline             TEXT NOT NULL DEFAULT '',
    site_name          TEXT NOT NULL DEFAULT '',
    published_at       TEXT,
    word_count         INTEGER NOT NULL DEFAULT 0
);

-- Sorted paging for List: each ORDER BY it issues is served by one of these.
CREATE INDEX articles_added_at ON articles(added_at);
CREATE INDEX articles_sort_title ON articles(sort_title);
-- Newest first walks this backwards, undated articles (NULL) come last.
CREATE INDEX articles_published_at ON articles(published_at);
-- Oldest first with undated articles last needs its own order.
CREATE INDEX articles_published_at_dated_first ON articles(published_at IS NULL, published_at);
-- Deleting a capture looks up articles that point at it (ON DELETE SET NULL).
CREATE INDEX articles_current_capture_id ON articles(current_capture_id);

-- Every fetch of an article, kept forever: a new fetch adds a row and becomes
-- current; old rows are never changed.
CREATE TABLE captures (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    requested_url  TEXT NOT NULL DEFAULT '',
    final_url      TEXT NOT NULL DEFAULT '',
    fetched_at     TEXT NOT NULL,
    http_status    INTEGER NOT NULL DEFAULT 0,
    content_type   TEXT NOT NULL DEFAULT '',
    raw_html       BLOB,             -- gzip of the exact bytes received; NULL when there were none
    raw_charset    TEXT NOT NULL DEFAULT '',
    cleaned_html   TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL DEFAULT '', -- canonical plain text; annotations anchor into it
    title          TEXT NOT NULL DEFAULT '',
    byline         TEXT NOT NULL DEFAULT '',
    site_name      TEXT NOT NULL DEFAULT '',
    published_at   TEXT,
    lang           TEXT NOT NULL DEFAULT '',
    excerpt        TEXT NOT NULL DEFAULT '',
    lead_image_url TEXT NOT NULL DEFAULT '',
    word_count     INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

-- Serves the cascade from articles and "captures of an article, newest first".
CREATE INDEX captures_article_id ON captures(article_id, id);

-- Full-text index of each article's current capture plus the text of its
-- annotations (written by package annotate through SetAnnotationIndex).
-- rowid = articles.id. It keeps its own copy of the text so snippet() works.
CREATE VIRTUAL TABLE article_fts USING fts5(
    title,
    byline,
    site,
    text,
    annotations,
    tokenize = 'unicode61 remove_diacritics 2'
);
