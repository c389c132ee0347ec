package clean

import (
	"fmt"
	"strings"
	"testing"
)

func TestZZ(t *testing.T) {
	for _, s := range []string{"segunda-feira, 22 de janeiro de 2018 às 0:13", "By Matthew Digby , Minh Do on Monday, November 18th, 2019 at 11:08 a.m."} {
		rest := dateTokenRe.ReplaceAllString(s, " ")
		fmt.Printf("%q -> %v rest=%q\n", s, isBylineOrDate(s, strings.Fields(s)), rest)
	}
}
