package render

import (
	"slices"
	"testing"
)

// TestFlowEndLabels checks that the names of a flow map's ends do not
// overlap one another, the province names or the crossings' names: two
// countries drawn at one point of the edge (Italy and Greece), and two
// districts a few km apart (Gujrat and Sialkot), each keep their name, on
// another side of their dot; a crossing's name that has no room is left
// out.
func TestFlowEndLabels(t *testing.T) {
	type d = struct {
		prov string
		box  [4]float64
	}
	m := shapesMap(t, []d{
		{"Punjab", [4]float64{70, 30, 74, 34}},
		{"Sindh", [4]float64{66, 24, 70, 30}},
	})
	m.Lines = []Line{
		{From: [2]float64{73, 32}, To: [2]float64{20, 40}, Value: 10, FromName: "Gujrat", ToName: "Italy"},
		{From: [2]float64{73, 32}, To: [2]float64{20.5, 40}, Value: 8, FromName: "Gujrat", ToName: "Greece"},
		{From: [2]float64{73.05, 32}, To: [2]float64{67, 25}, Value: 5, FromName: "Sialkot", ToName: "Karachi"},
	}
	m.Marks = []Mark{{Lon: 73.02, Lat: 32.01, Name: "Wagah"}}

	boxes := labelBoxes(t, m, "flow-ends", "marks", "province-labels")
	var names []string
	for i, a := range boxes {
		names = append(names, a.text)
		for _, b := range boxes[i+1:] {
			if a.box.overlaps(b.box) {
				t.Errorf("%q at %+v overlaps %q at %+v", a.text, a.box, b.text, b.box)
			}
		}
	}
	for _, want := range []string{"Gujrat", "Italy", "Greece", "Sialkot", "Karachi", "Punjab", "Sindh"} {
		if !slices.Contains(names, want) {
			t.Errorf("the map does not name %s; it names %v", want, names)
		}
	}
}
