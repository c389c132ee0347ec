-- Rules the user makes ("on example.com, remove the elements with class promo"), applied to
-- later saves of that site before any downloaded site rule.
CREATE TABLE user_rules (
    id         INTEGER PRIMARY KEY,
    host       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('xpath', 'class', 'text')),
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (host, kind, value)
);
