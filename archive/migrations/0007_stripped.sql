-- Blocks the user removed from an article in strip mode, by their canonical text, so that
-- every later cleaning of the article removes them again.
ALTER TABLE captures ADD COLUMN stripped TEXT NOT NULL DEFAULT '[]'; -- JSON array of strings
