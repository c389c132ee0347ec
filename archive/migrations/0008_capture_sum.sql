-- A checksum of each capture's values (archive.RowSum over every column but id and sum, in
-- table order), written with the capture and compared when it is read back and by the
-- library checks: SQLite checks the structure of its file, not the values in it, and a
-- damaged byte in a capture's text would otherwise read back as different text without an
-- error. Captures saved before this migration get theirs, computed from what they hold
-- then, in the same transaction (fillCaptureSums).
ALTER TABLE captures ADD COLUMN sum INTEGER;
