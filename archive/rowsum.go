package archive

import (
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// RowSum returns a checksum of a row's values, to be stored beside them and
// compared when they are read back: SQLite checks the structure of its
// file but not the values in it, and a damaged byte in a value would
// otherwise read back as different text without an error. It is the first
// eight bytes of a SHA-256 over each value's type, length and bytes, so that
// ("ab", "c") and ("a", "bc") differ, as do nil, "" and 0. A bool sums as
// the integer SQLite stores for it.
//
// The values may be nil, string, []byte, int, int64, float64, bool,
// time.Time (by its UTC form at nanosecond precision), sql.NullString,
// sql.NullInt64, or a pointer to string or int64 (nil for NULL). Any other
// type panics: a checksum that silently skipped a value would not protect it.
func RowSum(values ...any) int64 {
	h := sha256.New()
	var n [9]byte
	put := func(kind byte, b []byte) {
		n[0] = kind
		binary.BigEndian.PutUint64(n[1:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	var num [8]byte
	putInt := func(kind byte, v uint64) {
		binary.BigEndian.PutUint64(num[:], v)
		put(kind, num[:])
	}
	for _, v := range values {
		switch v := v.(type) {
		case nil:
			put(0, nil)
		case string:
			put(1, []byte(v))
		case []byte:
			if v == nil {
				put(0, nil)
			} else {
				put(2, v)
			}
		case int:
			putInt(3, uint64(v))
		case int64:
			putInt(3, uint64(v))
		case float64:
			putInt(4, math.Float64bits(v))
		case bool:
			if v {
				putInt(3, 1)
			} else {
				putInt(3, 0)
			}
		case time.Time:
			put(5, []byte(v.UTC().Format(time.RFC3339Nano)))
		case sql.NullString:
			if v.Valid {
				put(1, []byte(v.String))
			} else {
				put(0, nil)
			}
		case sql.NullInt64:
			if v.Valid {
				putInt(3, uint64(v.Int64))
			} else {
				put(0, nil)
			}
		case *string:
			if v == nil {
				put(0, nil)
			} else {
				put(1, []byte(*v))
			}
		case *int64:
			if v == nil {
				put(0, nil)
			} else {
				putInt(3, uint64(*v))
			}
		default:
			panic(fmt.Sprintf("archive.RowSum: unsupported value of type %T", v))
		}
	}
	return int64(binary.BigEndian.Uint64(h.Sum(nil)[:8]))
}
