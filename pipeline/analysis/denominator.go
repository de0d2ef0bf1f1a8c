//go:build duckdb_arrow

package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// ErrDenominator is wrapped by the errors of ReadDenominator.
var ErrDenominator = errors.New("denominator file")

// Denominator is a measure other than population that rates are per
// 100,000 of, such as mobile subscriptions for cybercrime: per district,
// its value in each year of the file. A district the file does not give
// has no entry: its rate is "no denominator figure", never a rate on 0.
type Denominator struct {
	Path, Measure string
	ByDistrict    map[string][]store.PopulationYear
	Years         []int
	// Spread counts the districts whose figures were spread from their
	// province's by population share (--spread population).
	Spread int
	// Missing lists the districts with no figure for any year, by code.
	Missing []string
}

// maxDenominatorErrors bounds the errors one file reports.
const maxDenominatorErrors = 20

// ReadDenominator reads a CSV with columns year, value, measure, and
// district or province (or both: a row with a district is the district's,
// a row with only a province the province's). District names are matched
// to ds by code or by name, ignoring case, spaces and punctuation (within
// the row's province when given). A province's figure is spread over its
// districts by their shares of its population in the census year nearest
// the row's year only when spread is "population"; otherwise it is an
// error, as is a district or province given twice for a year, or two
// measures in one file. Every bad row is an error naming the file, line
// and field (the first 20 are reported). Values are whole numbers above 0;
// spread values are rounded to whole numbers.
func ReadDenominator(path string, ds []store.District, pop map[string][]store.PopulationYear, spread string) (*Denominator, error) {
	f, err := read.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--denominator: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrDenominator, path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	di, hasD := col["district"]
	pi, hasP := col["province"]
	yi, okY := col["year"]
	vi, okV := col["value"]
	mi, okM := col["measure"]
	if !okY || !okV || !okM || (!hasD && !hasP) {
		return nil, fmt.Errorf("%w %s: the header is %q; want district (or province), year, value, measure", ErrDenominator, path, strings.Join(header, ","))
	}
	byName := map[string][]int{}
	byCode := map[string]int{}
	for i, d := range ds {
		byCode[strings.ToLower(d.Code)] = i
		byName[foldName(d.Name)] = append(byName[foldName(d.Name)], i)
	}
	var errs []error
	fail := func(line int, field, format string, args ...any) {
		errs = append(errs, &schemas.RowError{File: path, Line: int64(line), Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	den := &Denominator{Path: path, ByDistrict: map[string][]store.PopulationYear{}}
	type provYear struct {
		province string
		year     int
	}
	districtRows := map[[2]any]int{}   // district code, year -> line
	provinceRows := map[provYear]int{} // province, year -> line
	provinceValue := map[provYear]int64{}
	for len(errs) < maxDenominatorErrors {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.StartLine, schemas.RecordField, "%v", pe.Err)
				continue
			}
			return nil, fmt.Errorf("%w %s: %v", ErrDenominator, path, err)
		}
		get := func(i int, ok bool) string {
			if ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		measure := get(mi, true)
		switch {
		case measure == "":
			fail(line, "measure", "empty: name what the values count (e.g. mobile_subscriptions)")
			continue
		case den.Measure == "":
			den.Measure = measure
		case measure != den.Measure:
			fail(line, "measure", "%q, but the file's first row is %q: one measure per file", measure, den.Measure)
			continue
		}
		year, err := strconv.Atoi(get(yi, true))
		if err != nil || year < 1900 || year > 2100 {
			fail(line, "year", "not a year: %q", get(yi, true))
			continue
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(get(vi, true), ",", ""), 10, 64)
		if err != nil || v <= 0 {
			fail(line, "value", "not a whole number above 0: %q", get(vi, true))
			continue
		}
		province := ""
		if p := get(pi, hasP); p != "" {
			var ok bool
			if province, ok = geo.NormalizeProvince(p); !ok {
				fail(line, "province", "unknown province %q", p)
				continue
			}
		}
		name := get(di, hasD)
		if name == "" {
			if province == "" {
				fail(line, "district", "empty, and no province either")
				continue
			}
			k := provYear{province, year}
			if first, ok := provinceRows[k]; ok {
				fail(line, "province", "%s %d is given twice (first on line %d)", province, year, first)
				continue
			}
			provinceRows[k], provinceValue[k] = line, v
			continue
		}
		idx := -1
		if i, ok := byCode[strings.ToLower(name)]; ok {
			idx = i
		} else {
			var cands []int
			for _, i := range byName[foldName(name)] {
				if province == "" || ds[i].Province == province {
					cands = append(cands, i)
				}
			}
			switch len(cands) {
			case 0:
				fail(line, "district", "%q is not a district of the database (give its code or its name as 'ocmap sql --db FILE \"SELECT district_code, district_name FROM districts\"' lists them)", name)
				continue
			case 1:
				idx = cands[0]
			default:
				fail(line, "district", "%q names %d districts: give the province or the code", name, len(cands))
				continue
			}
		}
		code := ds[idx].Code
		k := [2]any{code, year}
		if first, ok := districtRows[k]; ok {
			fail(line, "district", "%s %d is given twice (first on line %d)", name, year, first)
			continue
		}
		districtRows[k] = line
		den.ByDistrict[code] = append(den.ByDistrict[code], store.PopulationYear{Year: year, Population: v})
	}
	if len(errs) == 0 && den.Measure == "" {
		return nil, fmt.Errorf("%w %s: no rows", ErrDenominator, path)
	}
	// Province figures, in line order.
	keys := make([]provYear, 0, len(provinceRows))
	for k := range provinceRows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b provYear) int { return provinceRows[a] - provinceRows[b] })
	spreadTo := map[string]bool{}
	for _, k := range keys {
		if len(errs) >= maxDenominatorErrors {
			break
		}
		line := provinceRows[k]
		if spread != "population" {
			fail(line, "province", "a figure for all of %s: give --spread population to spread it over its districts by population share, or give district figures", k.province)
			continue
		}
		var members []int
		var total int64
		var shares []int64
		for i, d := range ds {
			if d.Province != k.province {
				continue
			}
			if first, ok := districtRows[[2]any{d.Code, k.year}]; ok {
				fail(line, "province", "%s %d is given for the province and for %s (line %d): give one or the other", k.province, k.year, d.Name, first)
				members = nil
				break
			}
			py, ok := CensusYear(pop[d.Code], k.year)
			if !ok {
				fail(line, "province", "cannot spread %s by population: %s has no population in the database (ingest --population)", k.province, d.Name)
				members = nil
				break
			}
			members = append(members, i)
			shares = append(shares, py.Population)
			total += py.Population
		}
		if members == nil || total == 0 {
			if len(errs) == 0 {
				fail(line, "province", "no district of the database is in %s", k.province)
			}
			continue
		}
		for j, i := range members {
			code := ds[i].Code
			v := int64(math.Round(float64(provinceValue[k]) * float64(shares[j]) / float64(total)))
			den.ByDistrict[code] = append(den.ByDistrict[code], store.PopulationYear{Year: k.year, Population: max(v, 1)})
			spreadTo[code] = true
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrDenominator, errors.Join(errs...))
	}
	den.Spread = len(spreadTo)
	years := map[int]bool{}
	for code, ys := range den.ByDistrict {
		slices.SortFunc(ys, func(a, b store.PopulationYear) int { return a.Year - b.Year })
		den.ByDistrict[code] = ys
		for _, y := range ys {
			years[y.Year] = true
		}
	}
	for y := range years {
		den.Years = append(den.Years, y)
	}
	slices.Sort(den.Years)
	for _, d := range ds {
		if _, ok := den.ByDistrict[d.Code]; !ok {
			den.Missing = append(den.Missing, d.Code)
		}
	}
	return den, nil
}

// foldName is a district name without case, spaces or punctuation:
// "D.I. Khan" and "di khan" are one.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
