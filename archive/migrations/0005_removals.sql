-- What cleaning took out of each capture, with reasons, so that it can be shown and
-- restored, and which of those removals the user chose to undo (restored).
ALTER TABLE captures ADD COLUMN removed TEXT NOT NULL DEFAULT '[]';  -- JSON array of clean.Removal
ALTER TABLE captures ADD COLUMN restored TEXT NOT NULL DEFAULT '[]'; -- JSON array of removal paths
