package reader

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestScratch(t *testing.T) {
	test.NewTempApp(t)
	lines := []string{"The security lapse has caused many to question how gunmen were able",
		"to easily kill so many people at a public event. One week after the massacre,",
		"AV To Ta We Yo “movement.” LGBTQ+ café 日本語 emoji 😀 ok"}
	for _, l := range lines {
		for _, st := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}} {
			whole := fyne.MeasureText(l, 17, st).Width
			sum := float32(0)
			ws := strings.Split(l, " ")
			sp := fyne.MeasureText(" ", 17, st).Width
			for i, w := range ws {
				sum += fyne.MeasureText(w, 17, st).Width
				if i > 0 {
					sum += sp
				}
			}
			fmt.Println(whole, sum, whole-sum)
		}
	}
	t0 := time.Now()
	for i := 0; i < 2000; i++ {
		fyne.MeasureText(fmt.Sprintf("word%d", i), 17, fyne.TextStyle{})
	}
	fmt.Println("2000 words", time.Since(t0))
	t0 = time.Now()
	for i := 0; i < 500; i++ {
		fyne.MeasureText(fmt.Sprintf("%d The security lapse has caused many to question how gunmen were able", i), 17, fyne.TextStyle{})
	}
	fmt.Println("500 lines", time.Since(t0))
	fmt.Println(fyne.MeasureText("Mg", 17, fyne.TextStyle{}), fyne.MeasureText("Mg", 17, fyne.TextStyle{Monospace: true}))
}
