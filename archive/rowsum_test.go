package archive

import (
	"database/sql"
	"testing"
	"time"
)

func TestRowSum(t *testing.T) {
	s := "a"
	var i64 int64 = 3
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	distinct := [][]any{
		{},
		{nil},
		{""},
		{[]byte{}},
		{0},
		{"ab", "c"},
		{"a", "bc"},
		{"abc"},
		{1.5},
		{at},
		{at.Add(time.Nanosecond)},
		{int64(2)},
		{"b"},
	}
	seen := map[int64]int{}
	for i, vs := range distinct {
		sum := RowSum(vs...)
		if j, ok := seen[sum]; ok {
			t.Errorf("RowSum(%v) == RowSum(%v)", vs, distinct[j])
		}
		seen[sum] = i
	}
	same := []struct{ a, b []any }{
		{[]any{"a"}, []any{&s}},
		{[]any{"a"}, []any{sql.NullString{String: "a", Valid: true}}},
		{[]any{nil}, []any{sql.NullString{}}},
		{[]any{nil}, []any{(*string)(nil)}},
		{[]any{nil}, []any{[]byte(nil)}},
		{[]any{int64(3)}, []any{&i64}},
		{[]any{3}, []any{sql.NullInt64{Int64: 3, Valid: true}}},
		{[]any{true}, []any{1}},
		{[]any{at}, []any{at.In(time.FixedZone("x", 3600))}},
	}
	for _, tt := range same {
		if got, want := RowSum(tt.a...), RowSum(tt.b...); got != want {
			t.Errorf("RowSum(%v) = %d, RowSum(%v) = %d, want equal", tt.a, got, tt.b, want)
		}
	}
}

func TestRowSumUnsupported(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("RowSum(float32) did not panic")
		}
	}()
	RowSum(float32(1))
}
