//go:build duckdb_arrow

package export

import (
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

func TestOverlapping(t *testing.T) {
	rec := func(id int64, from, to string) store.ReleaseRecord {
		return store.ReleaseRecord{Info: store.ReleaseInfo{ID: id, From: from, To: to}}
	}
	recs := []store.ReleaseRecord{
		rec(1, "2019-01", "2024-12"), // contains the period
		rec(2, "2024-01", "2024-05"), // the same period
		rec(3, "2024-06", "2024-12"), // after it
		rec(4, "2023-07", "2024-01"), // shares January
		rec(5, "2023-01", "2023-12"), // before it
	}
	var got []int64
	for _, in := range overlapping(recs, "2024-01", "2024-05") {
		got = append(got, in.ID)
	}
	if want := []int64{1, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("overlapping = %v, want %v", got, want)
	}
}
