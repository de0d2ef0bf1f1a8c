package read

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// PopulationRow is one district's census population in one year, its name
// matched to the boundary file's district.
type PopulationRow struct {
	DistrictCode string
	Year         int
	Population   int64
	Line         int64 // first line of the file that gave it
}

// PopulationReport is what reading a population file did.
type PopulationReport struct {
	Path, SHA256             string
	Read, Accepted, Rejected int64
	Districts                int // districts of the boundary file with a population
	Years                    []int
}

// errPopulationHeader is returned for a file without the needed columns.
var errPopulationHeader = errors.New("population file: no district, year and population columns")

// Population reads a census table: CSV with columns district, year and
// population (any order, any others ignored; province, when present,
// constrains the name). Names are matched through the gazetteer on 1 July of
// the year, so a 2017 figure for "Keamari" (a 2020 district) still lands in
// its reference district. Rows that match the same district and year add up
// (districts created since the boundary file, inside their parent). Rows
// that cannot be used are returned as row errors, never dropped.
func Population(path string, g *geo.Gazetteer) ([]PopulationRow, []schemas.RowError, []string, *PopulationReport, error) {
	f, err := Open(path)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("population %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	di, okD := col["district"]
	yi, okY := col["year"]
	pi, okP := col["population"]
	if !okD || !okY || !okP {
		return nil, nil, nil, nil, fmt.Errorf("%w: %s has %q; want district, year, population (province optional)", errPopulationHeader, path, header)
	}
	prov, hasProv := col["province"]
	rep := &PopulationReport{Path: path}
	sum := map[[2]any]*PopulationRow{}
	var order []*PopulationRow
	var rejects []schemas.RowError
	var raws []string
	fail := func(line int64, field, reason string, rec []string) {
		rep.Rejected++
		rejects = append(rejects, schemas.RowError{File: path, Line: line, Field: field, Reason: reason})
		raws = append(raws, strings.Join(rec, ","))
	}
	years := map[int]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Read++
				fail(int64(pe.StartLine), schemas.RecordField, pe.Err.Error(), rec)
				continue
			}
			return nil, nil, nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		rep.Read++
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		year, err := strconv.Atoi(get(yi))
		if err != nil || year < 1900 || year > 2100 {
			fail(int64(line), "year", fmt.Sprintf("not a census year: %q", get(yi)), rec)
			continue
		}
		pop, err := strconv.ParseInt(strings.ReplaceAll(get(pi), ",", ""), 10, 64)
		if err != nil || pop <= 0 {
			fail(int64(line), "population", fmt.Sprintf("not a positive whole number: %q", get(pi)), rec)
			continue
		}
		province := ""
		if hasProv {
			province = get(prov)
		}
		m := g.Match(get(di), province, time.Date(year, 7, 1, 0, 0, 0, 0, time.UTC))
		if m.District < 0 {
			reason := fmt.Sprintf("district %q is not one district of the boundary file", get(di))
			switch c := m.Candidates; {
			case len(c) > 1 && c[0].Score == 1 && c[1].Score == 1:
				var names []string
				for _, x := range c {
					if x.Score == 1 {
						names = append(names, x.Name)
					}
				}
				reason = fmt.Sprintf("district %q is now several districts of the boundary file (%s): its population cannot be split without figures for each",
					get(di), strings.Join(names, ", "))
			case len(c) > 0:
				reason += fmt.Sprintf(" (closest: %s %.2f)", c[0].Name, c[0].Score)
			}
			fail(int64(line), "district", reason+"; add an alias with --aliases", rec)
			continue
		}
		if m.Precision == geo.PrecisionNear {
			// Summed into the district as a part of it, a town's people
			// would be counted twice, or stand for the whole district.
			fail(int64(line), "district", fmt.Sprintf("%q is a town or tehsil in %s, not a district: a population table gives whole districts",
				get(di), g.Boundaries().Districts[m.District].Name), rec)
			continue
		}
		code := g.Boundaries().Districts[m.District].Code
		k := [2]any{code, year}
		if row := sum[k]; row != nil {
			row.Population += pop
		} else {
			row := &PopulationRow{DistrictCode: code, Year: year, Population: pop, Line: int64(line)}
			sum[k] = row
			order = append(order, row)
		}
		rep.Accepted++
		years[year] = true
	}
	out := make([]PopulationRow, len(order))
	districts := map[string]bool{}
	for i, row := range order {
		out[i] = *row
		districts[row.DistrictCode] = true
	}
	rep.Districts = len(districts)
	for y := range years {
		rep.Years = append(rep.Years, y)
	}
	slices.Sort(rep.Years)
	sha, _, err := f.Digest()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.SHA256 = sha
	return out, rejects, raws, rep, nil
}
