package disclosure

import (
	"fmt"
	"strings"
)

// table builds a Table from rows written as "district province c1 c2 ...".
func table(cols []string, rows ...string) Table {
	t := Table{Cols: cols}
	for _, row := range rows {
		f := strings.Fields(row)
		t.Rows = append(t.Rows, f[0])
		t.Groups = append(t.Groups, f[1])
		var cells []int64
		for _, s := range f[2:] {
			var v int64
			if _, err := fmt.Sscan(s, &v); err != nil {
				panic(err)
			}
			cells = append(cells, v)
		}
		t.Cells = append(t.Cells, cells)
	}
	return t
}

// suppressedNames lists every suppressed figure of r, cells first, by name.
func suppressedNames(t Table, r Result) []string {
	l := newLayout(t)
	var out []string
	for n, s := range l.flags(r) {
		if s {
			out = append(out, l.name(n))
		}
	}
	return out
}

var cols4 = []string{"drugs", "tip", "som", "tf"}
