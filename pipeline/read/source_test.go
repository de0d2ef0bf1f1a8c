package read

import (
	"testing"
)

// srec is a record of a Source, copied for comparison.
type srec struct {
	Line      int64
	Fields    []string
	Raw       string
	Malformed string
}

// drain reads src to the end and fails on Err.
func drain(t testing.TB, src Source) []srec {
	t.Helper()
	out, err := drainErr(src)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func drainErr(src Source) ([]srec, error) {
	var out []srec
	for src.Next() {
		r := srec{Line: src.Line(), Raw: string(src.Raw()), Malformed: src.Malformed()}
		for _, f := range src.Fields() {
			r.Fields = append(r.Fields, string(f))
		}
		out = append(out, r)
	}
	return out, src.Err()
}

// ok is a well-formed record.
func ok(line int64, raw string, fields ...string) srec {
	return srec{Line: line, Raw: raw, Fields: fields}
}

// bad is a malformed record.
func bad(line int64, raw, why string) srec {
	return srec{Line: line, Raw: raw, Malformed: why}
}

func TestRecordsFooterKeepsViews(t *testing.T) {
	// The record handed out must survive the reads that refill the ring.
	var n int64
	b := &records{keep: 2, pull: func(r *record) bool {
		if n == 5 {
			return false
		}
		n++
		buf := []byte{byte('0' + n)}
		*r = record{line: n, raw: buf, fields: [][]byte{buf}}
		return true
	}}
	var got []string
	for b.Next() {
		got = append(got, string(b.Fields()[0])+string(b.Raw()))
	}
	if want := []string{"11", "22", "33"}; len(got) != len(want) || got[0] != want[0] || got[2] != want[2] {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got, want := b.Dropped(), []Dropped{{4, "4"}, {5, "5"}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("dropped %v, want %v", got, want)
	}
	if b.Next() {
		t.Fatal("Next after the end")
	}
}
