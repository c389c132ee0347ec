-- A checksum (archive.RowSum) of every row of the tables that hold what users
-- wrote: their highlights, tags, claims, article notes and flags, and the
-- meanings they gave the palette's colours. SQLite checks the structure of its
-- file but not the values in it: a damaged byte in a note or an offset would
-- read back as a different value without an error. sum is computed in Go over
-- every other column of the row, in the table's order (see annotate's
-- rowsum.go), written in the same transaction as the row and compared
-- whenever the row is read.
--
-- The rows present now get their sums from the migration's Go step
-- (fillRowSums), in this migration's transaction; after that a NULL sum is
-- damage like any other.

ALTER TABLE highlights ADD COLUMN sum INTEGER;
ALTER TABLE highlight_tags ADD COLUMN sum INTEGER;
ALTER TABLE article_tags ADD COLUMN sum INTEGER;
ALTER TABLE claims ADD COLUMN sum INTEGER;
ALTER TABLE article_meta ADD COLUMN sum INTEGER;
ALTER TABLE palette ADD COLUMN sum INTEGER;
