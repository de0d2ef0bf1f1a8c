package layout

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	header := []string{"S#", "Event Date", "District Name", "Districts", "Lat", "Long", "Killed Max"}
	for _, tt := range []struct {
		name, col string
		header    []string
		want      string
	}{
		{"case, spaces and punctuation", "event_date", header, `Event Date`},
		{"one letter off", "Distric Name", header, `District Name`},
		{"plural and singular", "District", header, `Districts`},
		{"a typo in the header", "Longitude", []string{"Lattitude", "Longtitude"}, `Longtitude`},
		{"nearest first", "Kiled", []string{"Kilns", "Killed"}, `Killed`},
		{"nothing close", "Province", header, ``},
		{"a row of data shows nothing", "Date", []string{"12/01/2021", "Dates", "0300-1234567"}, ``},
		{"personal cells show nothing", "Name", []string{"Names", "ali@example.com"}, ``},
		{"at most three", "ab", []string{"ab1", "ab2", "ab3", "ab4"}, `ab1|ab2|ab3`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := strings.Join(Closest(tt.col, tt.header), "|"), tt.want; got != want {
				t.Errorf("Closest(%q) = %q, want %q", tt.col, got, want)
			}
		})
	}
	if got, want := DidYouMean("event_date", header), ` (did you mean "Event Date"?)`; got != want {
		t.Errorf("DidYouMean = %q, want %q", got, want)
	}
	if got := DidYouMean("Province", header); got != "" {
		t.Errorf("DidYouMean with nothing close = %q, want empty", got)
	}
}
