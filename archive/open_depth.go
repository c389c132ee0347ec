package archive

// FullCheckAtOpen reports whether Open checks a library file of size bytes
// in full (integrity_check and every stored checksum), as it does below
// fullCheckBelow. Other owners of tables in the library check their own
// content at open under the same rule, so that start-up stays proportionate.
func FullCheckAtOpen(size int64) bool { return checkDepth(size) == checkFull }
