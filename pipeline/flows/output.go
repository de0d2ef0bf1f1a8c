//go:build duckdb_arrow

package flows

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/internal/csvout"
)

// CSVHeader is the header of WriteCSV.
var CSVHeader = []string{"category", "period", "origin_kind", "origin_code", "origin_name", "origin_province",
	"destination_kind", "destination_code", "destination_name", "destination_province", "incidents", "records", "victims", "kg"}

// WriteCSV writes fs as CSV (CSVHeader), cells made safe for spreadsheets.
func WriteCSV(w io.Writer, fs []Flow) error {
	cw := csvout.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, f := range fs {
		victims, kg := number(f.Victims), number(f.Kg)
		if _, name := f.Quantity(); f.Withheld && name == "kg" {
			kg = "suppressed"
		} else if f.Withheld {
			victims = "suppressed"
		}
		if err := cw.Write([]string{f.Category, f.Period, f.Origin.Kind, f.Origin.Code, f.Origin.Name, f.Origin.Province,
			f.Destination.Kind, f.Destination.Code, f.Destination.Name, f.Destination.Province,
			strconv.FormatInt(f.Incidents, 10), strconv.FormatInt(f.Records, 10), victims, kg}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// number writes a sum, "" for none.
func number(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// GeoJSON returns fs as LineString features from the origin's anchor to
// the destination's (coordinates rounded to 5 decimals, about a metre),
// with the flow's fields as properties. A flow whose end has no anchor is
// an error, as dropping it would misstate the map.
func GeoJSON(fs []Flow, a *Anchors) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for _, f := range fs {
		ol, oa, ok1 := a.Of(f.Origin)
		dl, da, ok2 := a.Of(f.Destination)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("flows: %s -> %s: no anchor point for an end (is the boundary file the database's?)", f.Origin.Code, f.Destination.Code)
		}
		ft := geojson.NewFeature(orb.LineString{{round5(ol), round5(oa)}, {round5(dl), round5(da)}})
		ft.Properties = geojson.Properties{
			"category": f.Category, "origin_kind": f.Origin.Kind, "origin_code": f.Origin.Code, "origin_name": f.Origin.Name,
			"destination_kind": f.Destination.Kind, "destination_code": f.Destination.Code, "destination_name": f.Destination.Name,
			"incidents": f.Incidents, "records": f.Records,
		}
		if f.Period != "" {
			ft.Properties["period"] = f.Period
		}
		if f.Origin.Province != "" {
			ft.Properties["origin_province"] = f.Origin.Province
		}
		if f.Destination.Province != "" {
			ft.Properties["destination_province"] = f.Destination.Province
		}
		if f.Victims != 0 {
			ft.Properties["victims"] = f.Victims
		}
		if f.Kg != 0 {
			ft.Properties["kg"] = f.Kg
		}
		if _, name := f.Quantity(); f.Withheld {
			ft.Properties[name] = "suppressed"
		}
		fc.Append(ft)
	}
	return fc, nil
}

func round5(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 5, 64), 64)
	return r
}

// Map returns the flow map of fs over b's districts (drawn without values,
// as the base): one arrow per origin and destination with the incidents of
// every period added up, the top largest of them (0: all; the ties of the
// last one drawn too), and the number of pairs in all; crossings are named
// as marks. The caller sets the title, note and label.
func Map(b *geo.Boundaries, fs []Flow, a *Anchors, crossings []render.Mark, top int) (*render.Map, int, error) {
	type pair struct{ o, d End }
	sum := map[pair]int64{}
	var order []pair
	for _, f := range fs {
		k := pair{f.Origin, f.Destination}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
		}
		sum[k] += f.Incidents
	}
	slices.SortStableFunc(order, func(x, y pair) int { return cmp.Compare(sum[y], sum[x]) })
	pairs := len(order)
	if top > 0 && len(order) > top {
		last := sum[order[top-1]]
		n := top
		for n < len(order) && sum[order[n]] == last {
			n++
		}
		order = order[:n]
	}
	m := &render.Map{Boundaries: b, Marks: crossings}
	for _, k := range order {
		ol, oa, ok1 := a.Of(k.o)
		dl, da, ok2 := a.Of(k.d)
		if !ok1 || !ok2 {
			return nil, 0, fmt.Errorf("flows: %s -> %s: no anchor point for an end (is the boundary file the database's?)", k.o.Code, k.d.Code)
		}
		m.Lines = append(m.Lines, render.Line{From: [2]float64{ol, oa}, To: [2]float64{dl, da}, Value: float64(sum[k]),
			FromName: k.o.Name, ToName: k.d.Name})
	}
	return m, pairs, nil
}
