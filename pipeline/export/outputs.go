//go:build duckdb_arrow

package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
)

// dataQuality is what the report says of how the figures were made.
type dataQuality struct {
	Precision [5]int64 // incidents by location precision 1, 2, 3, 4 and 6 in the period
	Sources   []store.SourceShare
	Rejects   []rejectCount
}

type rejectCount struct {
	Field string
	Rows  string // with thousands separators
}

// loadQuality sums the location precision of cells (district_month, read
// already) in the period p, and reads the sources and rejects.
func loadQuality(ctx context.Context, st *store.Store, cells []store.Cell, p analysis.Period, scope store.CellFilter) (dataQuality, error) {
	var dq dataQuality
	for _, c := range cells {
		if c.Month.Before(p.From) || c.Month.After(p.To) {
			continue
		}
		for k := range dq.Precision {
			dq.Precision[k] += c.ByPrecision[k]
		}
	}
	var err error
	scope.From, scope.To = p.From, p.To
	if dq.Sources, err = st.Sources(ctx, scope); err != nil {
		return dq, err
	}
	// Rejects by field only: reasons can quote values from the files. A
	// rejected row has no date to trust, so the period's rejects are those
	// of the incident files that have incidents in it; the population
	// file's rejects are not incidents.
	res, _, err := st.Query(ctx, fmt.Sprintf(`SELECT field, count(*) FROM rejects
		WHERE source_file NOT IN (SELECT value FROM meta WHERE key = 'population_file')
		  AND source_file IN (SELECT source_file FROM incidents WHERE occurred_on >= DATE '%s' AND occurred_on < DATE '%s')
		GROUP BY 1 ORDER BY 2 DESC, 1`, p.From.Format("2006-01-02"), p.To.AddDate(0, 1, 0).Format("2006-01-02")), 0)
	if err != nil {
		return dq, err
	}
	for _, r := range res.Rows {
		n, _ := strconv.ParseInt(r[1].Text, 10, 64)
		dq.Rejects = append(dq.Rejects, rejectCount{Field: r[0].Text, Rows: thousands(n)})
	}
	return dq, nil
}

// mapFor builds the choropleth of one category.
func (d *data) mapFor(cat string) (*render.Map, error) {
	r := d.results[cat]
	m := &render.Map{
		Title: titles[cat], Subtitle: d.periodText(), Boundaries: d.opt.Boundaries,
		Values: map[string]float64{}, Suppressed: map[string]bool{}, NoPopulation: map[string]bool{}, Label: d.label(), Width: d.opt.Width,
		Counts: len(r.CensusYears) == 0, LabelTop: d.opt.LabelTop, Source: d.attribution(),
	}
	var values []float64
	for i, ds := range d.districts {
		if d.suppressed[cat][i] {
			m.Suppressed[ds.Code] = true
			continue
		}
		v := d.mapValue(cat, i)
		if len(r.CensusYears) > 0 && r.Districts[i].Population <= 0 {
			// A rate needs a population: without one a district with
			// incidents is "no population figure", its count still in the
			// tables; one without incidents has none per any population,
			// 0, as the tables print.
			if r.Districts[i].Incidents > 0 {
				m.NoPopulation[ds.Code] = true
			} else {
				v = 0
			}
		}
		m.Values[ds.Code] = v
		values = append(values, v)
	}
	m.Legend = "Incidents"
	note := "Incidents recorded by the sources ingested into ocmap, by district of occurrence; each incident reported by several sources counted once."
	if pn := d.precisionNote(); pn != "" {
		note += " " + pn
	}
	if len(r.CensusYears) > 0 {
		m.Legend = "Incidents per 100,000 people"
		years := make([]string, len(r.CensusYears))
		for i, y := range r.CensusYears {
			years[i] = strconv.Itoa(y)
		}
		note += " Rates use census population (" + strings.Join(years, " and ") + "). Districts with incidents but no census figure are shown as \"no population figure\": a rate needs one."
	}
	if !d.opt.Internal {
		note += fmt.Sprintf(" Suppressed: counts from 1 to %d, and further figures so that none of them can be narrowed to within %d of its value from everything published.", d.opt.MinCell-1, d.opt.MinCell)
	}
	m.Note = note + " Preliminary: figures depend on what the agencies reported."
	breaks, err := render.Classify(values, d.opt.K, d.opt.Classes)
	if err != nil && !errors.Is(err, render.ErrNoValues) {
		return nil, err
	}
	// With every district suppressed (a sparse database), the map is all
	// hatched and has no classes.
	m.Breaks = breaks
	return m, nil
}

func writeMaps(w *writer, d *data) error {
	for _, cat := range categories {
		m, err := d.mapFor(cat)
		if err != nil {
			return err
		}
		var svg bytes.Buffer
		if err := m.SVG(&svg); err != nil {
			return err
		}
		d.svg[cat] = svg.Bytes() // the report shows the same maps
		if err := w.create("map_"+cat+".svg", func(out io.Writer) error {
			_, err := out.Write(svg.Bytes())
			return err
		}); err != nil {
			return err
		}
		if err := w.create("map_"+cat+".png", m.PNG); err != nil {
			return err
		}
	}
	return nil
}

// figures are one district's published figures for one category; nil
// fields are suppressed or unknown.
type figures struct {
	Incidents *int64   `json:"incidents"`
	Rate      *float64 `json:"rate_per_100k"`
	EBRate    *float64 `json:"eb_rate_per_100k"`
	HotSpot   string   `json:"hot_spot"`
	Cluster   string   `json:"cluster"`
	Status    string   `json:"status"` // published, suppressed
}

func num(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// figuresOf gives what may be published of district i in cat. A suppressed
// count takes with it its rates (rate x population is the count) and its hot
// spot class and cluster, which are computed from it. The EB rate is the
// one smooth computes from published counts only.
func (d *data) figuresOf(cat string, i int) figures {
	x := d.results[cat].Districts[i]
	f := figures{Status: "suppressed"}
	if d.suppressed[cat][i] {
		return f
	}
	n := x.Incidents
	f.Incidents, f.Rate, f.EBRate = &n, num(x.Rate), num(d.eb[cat][i])
	f.HotSpot, f.Cluster, f.Status = giClass(x.GiBin), x.Lisa, "published"
	return f
}

func giClass(bin int) string {
	switch {
	case bin > 0:
		return fmt.Sprintf("hot spot %d%%", []int{0, 90, 95, 99}[bin])
	case bin < 0:
		return fmt.Sprintf("cold spot %d%%", []int{0, 90, 95, 99}[-bin])
	}
	return ""
}

func text(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func textf(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 4, 64)
}

// writeTables writes districts.csv: one row per district, the figures of
// each category and of all four, blank where suppressed.
func writeTables(w *writer, d *data) error {
	return w.create("districts.csv", func(out io.Writer) error {
		cw := csvout.NewWriter(out)
		head := []string{"district_code", "district", "province", "border"}
		for _, c := range categories {
			head = append(head, c+"_incidents", c+"_rate_per_100k", c+"_eb_rate_per_100k", c+"_hot_spot", c+"_cluster", c+"_status")
		}
		cw.Write(head)
		for i, ds := range d.districts {
			rec := []string{ds.Code, ds.Name, ds.Province, strconv.FormatBool(ds.Border)}
			for _, c := range categories {
				f := d.figuresOf(c, i)
				rec = append(rec, text(f.Incidents), textf(f.Rate), textf(f.EBRate), f.HotSpot, f.Cluster, f.Status)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	})
}

// writeGeoJSON writes districts.geojson: the simplified district polygons
// with the figures of districts.csv as properties.
func writeGeoJSON(w *writer, d *data) error {
	index := map[string]int{}
	for i, ds := range d.opt.Boundaries.Districts {
		index[ds.Code] = i
	}
	fc := geojson.NewFeatureCollection()
	for i, ds := range d.districts {
		j, ok := index[ds.Code]
		if !ok {
			continue
		}
		var g orb.Geometry = d.opt.Boundaries.Polygons[j].Clone()
		if d.opt.Simplify > 0 {
			g = simplify.DouglasPeucker(d.opt.Simplify).Simplify(g)
		}
		f := geojson.NewFeature(roundGeometry(g))
		props := map[string]any{"district_code": ds.Code, "district": ds.Name, "province": ds.Province, "border": ds.Border}
		for _, c := range categories {
			props[c] = d.figuresOf(c, i)
		}
		f.Properties = props
		fc.Append(f)
	}
	return w.create("districts.geojson", func(out io.Writer) error {
		b, err := json.Marshal(fc)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	})
}

// roundGeometry rounds coordinates to 6 decimals (about 10 cm): smaller
// files, and the same text on every machine.
func roundGeometry(g orb.Geometry) orb.Geometry {
	round := func(p orb.Point) orb.Point {
		return orb.Point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
	}
	switch x := g.(type) {
	case orb.MultiPolygon:
		for _, poly := range x {
			for _, ring := range poly {
				for k := range ring {
					ring[k] = round(ring[k])
				}
			}
		}
	case orb.Polygon:
		for _, ring := range x {
			for k := range ring {
				ring[k] = round(ring[k])
			}
		}
	}
	return g
}

// writeParquet writes district_month.parquet: incidents per district,
// category and month, a row for every district, category and month of the
// period, zeros included, so that the number of rows says nothing. Months
// are withheld (null, suppressed = true) as the release decided: every
// month of a suppressed district and category, zeros too (the number of
// non-zero months would bound it); in a published one, counts from 1 to
// MinCell-1 and further months until the withheld ones meet the minimum-sum
// rule and the interval audit.
func writeParquet(ctx context.Context, st *store.Store, w *writer, d *data) error {
	type row struct {
		district, category string
		month              time.Time
		n                  int64
	}
	var cells []row
	months := d.period.Months()
	for i, code := range d.table.Rows {
		for j, cat := range d.table.Cols {
			for k, m := range months {
				cells = append(cells, row{code, cat, m, d.table.ByMonth[i][j][k]})
			}
		}
	}
	sup := make([]bool, len(cells))
	if d.release != nil {
		q := 0
		for i := range d.table.Rows {
			for j := range d.table.Cols {
				for k := range months {
					sup[q] = d.release.Suppressed(d.table.MonthKey(k, i, j), cells[q].n)
					q++
				}
			}
		}
	}
	// DuckDB reads this CSV back into the Parquet file, so it is written as
	// is (codes, dates and counts only), not for a spreadsheet.
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"district_code", "category", "month", "incidents", "suppressed"})
	for i, c := range cells {
		n := strconv.FormatInt(c.n, 10)
		if sup[i] {
			n = ""
		}
		cw.Write([]string{c.district, c.category, c.month.Format("2006-01-02"), n, strconv.FormatBool(sup[i])})
	}
	cw.Flush()
	tmp, err := os.CreateTemp("", "ocmap-export-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	tmp.Close()
	out := filepath.Join(w.dir, "district_month.parquet")
	q := fmt.Sprintf(`COPY (SELECT district_code, category, CAST(month AS DATE) AS month, CAST(incidents AS BIGINT) AS incidents,
			CAST(suppressed AS BOOLEAN) AS suppressed
		FROM read_csv('%s', header = true, all_varchar = true) ORDER BY 1, 2, 3)
		TO '%s' (FORMAT parquet)`, strings.ReplaceAll(tmp.Name(), "'", "''"), strings.ReplaceAll(out, "'", "''"))
	if _, _, err := st.Query(ctx, q, 0); err != nil {
		return fmt.Errorf("export: district_month.parquet: %w", err)
	}
	return w.record("district_month.parquet")
}

// record adds a file written by someone else to the writer's list.
func (w *writer) record(name string) error {
	b, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		return err
	}
	if w.files == nil {
		w.files = map[string]string{}
	}
	w.files[name] = sha256hex(b)
	return nil
}

// writeEvents writes events.csv when the export asks for context events
// (internal exports only): per district and event type, the events of the
// period and the killed and injured in them, counting the precisions the
// export counts. Every district has a row for every type, zeros included.
func writeEvents(ctx context.Context, st *store.Store, w *writer, d *data) error {
	if len(d.opt.Events) == 0 {
		return nil
	}
	if !d.opt.Internal {
		return fmt.Errorf("export: context events are kept internal")
	}
	type sums struct{ events, killed, injured int64 }
	got := map[[2]string]*sums{}
	for _, t := range d.opt.Events {
		cells, err := st.EventCells(ctx, store.CellFilter{Category: t, From: d.period.From, To: d.period.To}, d.opt.MaxPrecision)
		if err != nil {
			return err
		}
		for _, c := range cells {
			if c.District == "" {
				continue
			}
			k := [2]string{c.District, t}
			if got[k] == nil {
				got[k] = &sums{}
			}
			got[k].events += c.Incidents
			got[k].killed += c.Killed
			got[k].injured += c.Injured
		}
	}
	return w.create("events.csv", func(out io.Writer) error {
		cw := csvout.NewWriter(out)
		cw.Write([]string{"district_code", "district", "province", "event_type", "events", "killed", "injured", "status"})
		for _, ds := range d.districts {
			for _, t := range d.opt.Events {
				s := got[[2]string{ds.Code, t}]
				if s == nil {
					s = &sums{}
				}
				cw.Write([]string{ds.Code, ds.Name, ds.Province, t, strconv.FormatInt(s.events, 10), strconv.FormatInt(s.killed, 10),
					strconv.FormatInt(s.injured, 10), "internal"})
			}
		}
		cw.Flush()
		return cw.Error()
	})
}
