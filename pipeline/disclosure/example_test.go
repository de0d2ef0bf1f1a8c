package disclosure_test

import (
	"fmt"

	"github.com/ocmap/ocmap/pipeline/disclosure"
)

func ExampleSuppress() {
	t := disclosure.Table{
		Rows:   []string{"PK0101", "PK0102", "PK0103"},
		Groups: []string{"Sindh", "Sindh", "Sindh"},
		Cols:   []string{"drugs", "tip", "som", "tf"},
		Cells: [][]int64{
			{3, 20, 0, 40},
			{15, 25, 35, 45},
			{12, 22, 50, 60},
		},
	}
	r := disclosure.Suppress(t, 10)
	for i, row := range t.Cells {
		for j, v := range row {
			switch {
			case r.Primary[i][j]:
				fmt.Print("   x")
			case r.Suppressed[i][j]:
				fmt.Print("   c")
			default:
				fmt.Printf("%4d", v)
			}
		}
		fmt.Println()
	}
	fmt.Println(r.Count, "cells suppressed;", len(disclosure.Audit(t, r)), "recovered")
	// Output:
	//    x   c   0  40
	//   15  25  35  45
	//    c   c  50  60
	// 4 cells suppressed; 0 recovered
}
