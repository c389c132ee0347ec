-- Preferences that matter (theme, fonts, colour meanings, rules folder), kept in the library
-- rather than in a toolkit's preferences file, so that they are as safe as the articles.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
