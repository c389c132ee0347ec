package archive

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestZZFTSFull(t *testing.T) {
	for _, reopen := range []bool{false, true} {
		for _, extraFail := range []int64{100, 140, 150, 155, 156, 157} {
			l := openTest(t)
			ctx := context.Background()
			r := rand.New(rand.NewPCG(3, 4))
			for range 5 {
				c, imgs := bigCapture(r, 300)
				if _, _, err := l.AddCaptureWithImages(ctx, "text:e", c, imgs, nil); err != nil {
					t.Fatal(err)
				}
			}
			unlimited := setMaxPages(t, l, 0)
			big, imgs := bigCapture(r, 12000)
			start := pageCount(t, l)
			setMaxPages(t, l, start+extraFail)
			_, _, err := l.AddCaptureWithImages(ctx, "text:big", big, imgs, nil)
			setMaxPages(t, l, unlimited)
			if !errors.Is(err, ErrDiskFull) {
				t.Logf("extra %d: %v", extraFail, err)
				continue
			}
			if reopen {
				l.w.SetMaxIdleConns(0)
				l.w.SetMaxIdleConns(1)
			}
			_, _, err = l.AddCaptureWithImages(ctx, "text:big", big, imgs, nil)
			p, _ := l.Check(ctx)
			t.Logf("reopen=%v failAt=%d: err=%v problems=%q", reopen, extraFail, err, p)
		}
	}
}
