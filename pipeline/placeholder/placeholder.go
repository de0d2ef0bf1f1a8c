//go:build duckdb_arrow

package placeholder

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// Counts says how many rows each placeholder rule placed anew.
type Counts struct {
	Rows   int            // all rows placed anew
	Points int            // at this many points
	ByRule map[string]int // rows by store.Rule*
	// Moved is how many of Rows are now in another district than their
	// point (or in a province only).
	Moved int
}

// Replace re-places the rows of a run that sit at a placeholder
// point: one pair of coordinates that a file gives for events that were
// not there. A point is a placeholder (store.PointStats) when rows of one
// file give it for places their names put in two or more districts, such
// as one point for every event in the tribal areas; or when many rows give
// it for different places (a city's point for events all over the city, a
// neighbour's point for the villages of a district), whatever district
// their names say; or when it is coarse (two decimals) and given to
// different places; or when rows give it over more than a year. A row
// there is placed by its name (precision 3); a row whose name is not one
// district keeps the province its name gives, and a row with no usable
// name the province of the point (precision 4). Every row at the point
// says so in location_note. A point that only the first rule questions and
// only one other district's names use is left alone: there the point
// wins, as anywhere.
func Replace(ctx context.Context, loc *locate.Locator, run *store.Run) (Counts, error) {
	w := loc.Worker() // a file names its places many times: match each once
	byCode := map[string]int{}
	for i, d := range loc.Boundaries().Districts {
		byCode[d.Code] = i
	}
	c := Counts{ByRule: map[string]int{}}
	err := run.DisputedPoints(ctx, func(rows []store.PointRow) error {
		var reps []store.Replacement
		for len(rows) > 0 {
			n := 1
			for n < len(rows) && samePoint(&rows[0], &rows[n]) {
				n++
			}
			before := len(reps)
			reps = appendPlaceholder(reps, w, byCode, rows[:n])
			if k := len(reps) - before; k > 0 {
				c.Points++
				c.ByRule[rows[0].Point.Rule] += k
				for k, x := range reps[before:] {
					if x.District != rows[k].District {
						c.Moved++
					}
				}
			}
			rows = rows[n:]
		}
		c.Rows += len(reps)
		return run.Replace(ctx, reps)
	})
	return c, err
}

func samePoint(a, b *store.PointRow) bool {
	return a.Table == b.Table && a.File == b.File && a.Lon == b.Lon && a.Lat == b.Lat
}

// appendPlaceholder decides one point's rows: at a placeholder each row is
// placed anew.
func appendPlaceholder(reps []store.Replacement, loc *locate.Worker, byCode map[string]int, rows []store.PointRow) []store.Replacement {
	byName := make([]schemas.Placement, len(rows))
	var named []string
	for i, r := range rows {
		byName[i] = schemas.Placement{District: -1}
		if r.Hint == "" {
			continue
		}
		q := schemas.PlaceQuery{Hint: []byte(r.Hint), Province: []byte(r.ProvinceHint), Place: []byte(r.Place)}
		if !r.On.IsZero() {
			q.On = int32(r.On.Unix() / 86400)
		}
		byName[i] = loc.Place(&q)
		if p := byName[i]; p.OK && p.District >= 0 {
			_, name, _ := loc.District(p.District)
			if !slices.Contains(named, name) {
				named = append(named, name)
			}
		}
	}
	st := rows[0].Point
	if st.Rule == store.RuleNames && len(named) < 2 {
		return reps
	}
	var what string
	switch st.Rule {
	case store.RuleNames:
		slices.Sort(named)
		shown := named
		if len(shown) > 4 {
			shown = append(shown[:4:4], "…")
		}
		what = fmt.Sprintf("the point (%.4f, %.4f) is given to %d rows of this file whose names lie in %d districts (%s): a placeholder, not where the event was",
			rows[0].Lat, rows[0].Lon, len(rows), len(named), strings.Join(shown, ", "))
	case store.RulePlaces:
		what = fmt.Sprintf("the point (%.4f, %.4f) is given to %d rows of this file naming %d different places: a placeholder, not where the event was",
			rows[0].Lat, rows[0].Lon, st.Rows, st.Places)
	case store.RuleCoarse:
		what = fmt.Sprintf("the point (%.2f, %.2f), given to two decimals, is shared by %d rows of this file naming %d different places: approximate",
			rows[0].Lat, rows[0].Lon, st.Rows, st.Places)
	default:
		what = fmt.Sprintf("the point (%.4f, %.4f) is given to %d rows of this file over %d days: a placeholder, not where the event was",
			rows[0].Lat, rows[0].Lon, st.Rows, st.SpanDays)
	}
	for i, r := range rows {
		x := store.Replacement{Table: r.Table, File: r.File, Line: r.Line}
		switch p := byName[i]; {
		case p.OK && p.District >= 0:
			x.District, x.DistrictName, x.Province = loc.District(p.District)
			x.Precision, x.Method, x.Score = p.Precision, p.Method, p.Score // 3, or 2 for a town the name gives
			x.Note = what + "; placed by its name"
		case p.OK:
			x.Province, x.Precision, x.Method = p.Province, schemas.PrecisionProvince, schemas.MethodProvince
			x.Note = what + "; the name is not one district: kept in the province"
		default:
			if j, ok := byCode[r.District]; ok {
				_, _, x.Province = loc.District(j)
			}
			x.Precision, x.Method = schemas.PrecisionProvince, schemas.MethodProvince
			x.Note = what + "; no district name: kept in the province"
		}
		reps = append(reps, x)
	}
	return reps
}
