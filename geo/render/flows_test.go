package render

import (
	"bytes"
	"slices"
	"strings"
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

// TestFlowMapNoDataTitles: a flow map's districts are its base, without
// values; neither the legend nor a district's title calls them "no data",
// which a reader takes for "no crime" (issue 16.2). A choropleth keeps
// "no data" for a district without a value.
func TestFlowMapNoDataTitles(t *testing.T) {
	m := gridMap(t)
	m.Values, m.Suppressed, m.Breaks = nil, nil, nil
	m.Lines = []Line{{From: [2]float64{70.5, 30.5}, To: [2]float64{72.5, 32.5}, Value: 10, FromName: "D11", ToName: "D33"}}
	var b bytes.Buffer
	if err := m.SVG(&b); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "no data"); got != 0 {
		t.Errorf("the flow map says \"no data\" %d times", got)
	}
	if got, want := strings.Count(b.String(), "<title>D11 (PK11)</title>"), 1; got != want {
		t.Errorf("D11's title appears %d times, want %d", got, want)
	}
	b.Reset()
	if err := gridMap(t).SVG(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<title>D33 (PK33): no data</title>") {
		t.Error("a choropleth's district without a value is not titled \"no data\"")
	}
}
