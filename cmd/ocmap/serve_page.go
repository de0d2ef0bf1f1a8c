//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/export"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// webFiles are the interactive page, its script and styles, and the
// vendored Leaflet (web/vendor/leaflet-1.9.4/VENDOR.md says why and which
// files): everything the page loads comes from the binary.
//
//go:embed web
var webFiles embed.FS

// baseMapTolerance simplifies the district polygons the page draws (in
// degrees, about 200 m): the 7 MB boundary file becomes a base map the
// browser draws at once, with no visible change at district scale.
const baseMapTolerance = 0.002

// pageRoutes adds the interactive page and its JSON to the server: the
// page at /, its files at /static/, and the data under /api/ (the same
// analysis as 'ocmap heatmap', so the numbers match the CLI's).
func (s *server) pageRoutes() {
	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded tree always has web/
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".md") {
			http.NotFound(w, r) // no directory listings
			return
		}
		files.ServeHTTP(w, r)
	})
	s.mux.HandleFunc("/api/meta.json", s.apiMeta)
	s.mux.HandleFunc("/api/districts.geojson", s.apiBaseMap)
	s.mux.HandleFunc("/api/view.json", s.apiView)
	s.mux.HandleFunc("/api/view.csv", s.apiViewCSV)
	s.mux.HandleFunc("/api/view.geojson", s.apiViewGeoJSON)
	s.mux.HandleFunc("/api/district.json", s.apiDistrict)
	s.mux.HandleFunc("/api/flows.json", s.apiFlows)
}

// index serves the interactive page (at "/" only).
func (s *server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	page, err := webFiles.ReadFile("web/index.html")
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// memoSize bounds each of the server's caches: the database is read-only,
// so nothing kept goes stale, and a view seen before, or a change of
// metric only, answers at once.
const memoSize = 64

// memo keeps up to memoSize values by key, the oldest dropped first.
type memo[V any] struct {
	mu    sync.Mutex
	m     map[string]V
	order []string
}

// get returns the value of key, loading it on first use. Loads run one at
// a time: DuckDB would only queue them.
func (c *memo[V]) get(key string, load func() (V, error)) (V, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	if c.m == nil {
		c.m = map[string]V{}
	}
	if len(c.order) >= memoSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[key] = v
	c.order = append(c.order, key)
	return v, nil
}

// cachedStore is the read-only store with what analyse reads kept in
// memory: the district-month cells are bounded by districts x months x
// categories whatever the number of incidents, and reading them was most
// of an analysis's time. All of them are read once; a filter's cells are
// taken from them as store.Cells's query takes them (same rows, same order).
type cachedStore struct {
	st        *store.Store
	districts memo[[]store.District]
	neighbors memo[map[string][]string]
	cells     memo[[]store.Cell]
	pop       memo[map[string][]store.PopulationYear]
	sources   memo[[]store.SourceShare]
}

var _ analysisStore = (*cachedStore)(nil)

func filterKey(f store.CellFilter) string {
	k := f.Category + "|" + f.Province + "|" + f.From.Format("2006-01") + "|" + f.To.Format("2006-01") +
		"|" + strconv.FormatFloat(f.NearBorderKm, 'g', -1, 64)
	for _, s := range f.Sub.Keys() {
		k += "|" + s.Category + "/" + s.Subcategory + "/" + s.Field
	}
	return k
}

func (c *cachedStore) Districts(ctx context.Context) ([]store.District, error) {
	return c.districts.get("", func() ([]store.District, error) { return c.st.Districts(ctx) })
}

func (c *cachedStore) Neighbors(ctx context.Context) (map[string][]string, error) {
	return c.neighbors.get("", func() (map[string][]string, error) { return c.st.Neighbors(ctx) })
}

func (c *cachedStore) Cells(ctx context.Context, f store.CellFilter) ([]store.Cell, error) {
	all, err := c.cells.get("", func() ([]store.Cell, error) { return c.st.Cells(ctx, store.CellFilter{}) })
	if err != nil || f == (store.CellFilter{}) {
		return all, err
	}
	if !f.Sub.IsZero() || f.NearBorderKm > 0 {
		// Subcategories and distances to crossings are not in the cells:
		// the store computes them.
		return c.st.Cells(ctx, f)
	}
	var out []store.Cell
	for _, x := range all {
		if (f.Category == "" || x.Category == f.Category) && (f.From.IsZero() || !x.Month.Before(f.From)) &&
			(f.To.IsZero() || !x.Month.After(f.To)) && (f.Province == "" || x.Province == f.Province) {
			out = append(out, x)
		}
	}
	return out, nil
}

// warm reads what every view needs, and builds the base map, before the
// first request: 'ocmap serve' runs it as it starts listening.
func (s *server) warm(ctx context.Context) error {
	s.baseShapes()
	if _, err := s.data.Districts(ctx); err != nil {
		return err
	}
	if _, err := s.data.Neighbors(ctx); err != nil {
		return err
	}
	if _, err := s.data.PopulationByDistrict(ctx); err != nil {
		return err
	}
	_, err := s.data.Cells(ctx, store.CellFilter{})
	return err
}

func (c *cachedStore) PopulationByDistrict(ctx context.Context) (map[string][]store.PopulationYear, error) {
	return c.pop.get("", func() (map[string][]store.PopulationYear, error) { return c.st.PopulationByDistrict(ctx) })
}

func (c *cachedStore) Sources(ctx context.Context, f store.CellFilter) ([]store.SourceShare, error) {
	return c.sources.get(filterKey(f), func() ([]store.SourceShare, error) { return c.st.Sources(ctx, f) })
}

// StoredSubcategories and QuantityStats read the store: they are read
// for views with --subcategory or a quantity measure only.
func (c *cachedStore) StoredSubcategories(ctx context.Context) ([]store.SubKey, error) {
	return c.st.StoredSubcategories(ctx)
}

func (c *cachedStore) QuantityStats(ctx context.Context, f store.CellFilter, measure string) (map[string]store.QuantityStat, error) {
	return c.st.QuantityStats(ctx, f, measure)
}

// EventTypes, EventCells and EventSources read the store: context event
// layers are small and not kept.
func (c *cachedStore) EventTypes(ctx context.Context) ([]string, error) { return c.st.EventTypes(ctx) }

func (c *cachedStore) EventCells(ctx context.Context, f store.CellFilter, maxPrecision int) ([]store.Cell, error) {
	return c.st.EventCells(ctx, f, maxPrecision)
}

func (c *cachedStore) EventSources(ctx context.Context, f store.CellFilter) ([]store.SourceShare, error) {
	return c.st.EventSources(ctx, f)
}

// view is analyse with the caches.
func (s *server) view(r *http.Request) (*analysed, int, error) {
	o, mi, err := s.query(r)
	if err != nil {
		return nil, 0, err
	}
	key := strings.Join([]string{o.Category, o.From, o.To, o.Province, strconv.Itoa(o.MaxPrecision),
		o.Events, o.Measure, o.Inference, strconv.Itoa(o.MinIncidents), o.Scale, strings.Join(o.Subcategories, ","),
		strconv.FormatFloat(o.NearBorder, 'g', -1, 64)}, "|")
	a, err := s.cache.get(key, func() (*analysed, error) { return o.analyse(r.Context(), &s.data) })
	if err != nil && (strings.Contains(err.Error(), "nothing to analyse") || strings.Contains(err.Error(), "no district of the database is in") ||
		strings.Contains(err.Error(), "of a crossing (the nearest is")) {
		// A scope without data is an answer, not a fault of the server.
		return nil, 0, errNoData{err}
	}
	return a, mi, err
}

// errNoData is a view whose scope (category, months, province,
// precision) has no incidents or no district: 404, with the reason.
type errNoData struct{ error }

func (e errNoData) Unwrap() error { return e.error }

// Colours of the page's classes. Sequential metrics use render's YlOrRd,
// as the static maps do.
var (
	// divergingPalette is ColorBrewer's RdBu with 7 classes, reversed so
	// that falls are blue and rises red.
	divergingPalette = []string{"#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"}
	// giPalette is ArcGIS Pro's Hot Spot Analysis renderer: cold spot
	// 99, 95, 90%, not significant, hot spot 90, 95, 99%.
	giPalette = []string{"#4575b5", "#849eba", "#c0ccbe", "#ffffbf", "#fab984", "#ed7551", "#d62f27"}
	// lisaColours are GeoDa's LISA cluster map colours.
	lisaColours = map[string]string{"": "#eeeeee", "HH": "#ff0000", "LL": "#0000ff", "LH": "#a7adf9", "HL": "#f4ada8"}
	lisaOrder   = []struct{ code, label string }{{"", "not significant"}, {"HH", "high-high"}, {"LL", "low-low"},
		{"LH", "low-high"}, {"HL", "high-low"}}
	// changeBreaks (percent) and trendBreaks (Mann-Kendall z: 90, 95, 99%
	// two-sided) bound the diverging classes; a value equal to a bound is
	// in the class below it.
	changeBreaks = []float64{-50, -20, -5, 5, 20, 50}
	trendBreaks  = []float64{-2.576, -1.96, -1.645, 1.645, 1.96, 2.576}
)

const (
	noDataLabel = "no data"
	noPopLabel  = "no population figure"
)

func hexOf(c interface{ RGBA() (r, g, b, a uint32) }) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// metricKind says which colour scheme a metric takes.
func metricKind(metric string) string {
	switch metric {
	case "change", "trend":
		return "diverging"
	case "gi", "lisa":
		return metric
	}
	return "sequential"
}

// legendEntry is one class of the view: its label, fill and how many
// districts are in it.
type legendEntry struct {
	Label string `json:"label"`
	Fill  string `json:"fill"`
	N     int    `json:"n"`
}

// classes puts each district of a in a class of metric mi's scheme, and
// returns the legend and each district's entry index.
func classes(a *analysed, mi int) ([]legendEntry, []int, error) {
	m := metrics[mi]
	var legend []legendEntry
	var idx func(d *analysis.District) int // -1: no value
	switch metricKind(m.name) {
	case "sequential":
		var vals []float64
		for i := range a.Districts {
			if v := m.value(&a.Districts[i]); !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			// The breaks of 'ocmap serve's static map and of the export.
			breaks, err := render.Classify(vals, 5, "quantile")
			if err != nil {
				return nil, nil, err
			}
			pal, err := render.DefaultPalette(len(breaks))
			if err != nil {
				return nil, nil, err
			}
			lo := slicesMin(vals)
			for i, b := range breaks {
				legend = append(legend, legendEntry{Label: rangeLabel(lo, b, m.name == "count" || m.name == "killed" || m.name == "injured", i == 0), Fill: hexOf(pal[i])})
				lo = b
			}
			idx = func(d *analysis.District) int {
				v := m.value(d)
				if math.IsNaN(v) {
					return -1
				}
				return min(sort.SearchFloat64s(breaks, v), len(breaks)-1)
			}
		}
	case "diverging":
		breaks, unit, names := changeBreaks, "%", []string{"", "", "", "little change", "", "", ""}
		if m.name == "trend" {
			breaks, unit = trendBreaks, ""
			names = []string{"falling, 99%", "falling, 95%", "falling, 90%", "no significant trend", "rising, 90%", "rising, 95%", "rising, 99%"}
		}
		for i := 0; i <= len(breaks); i++ {
			var l string
			switch {
			case i == 0:
				l = fmt.Sprintf("≤ %g%s", breaks[0], unit)
			case i == len(breaks):
				l = fmt.Sprintf("> %g%s", breaks[i-1], unit)
			default:
				l = fmt.Sprintf("%g to %g%s", breaks[i-1], breaks[i], unit)
			}
			if m.name == "trend" {
				l = names[i] + " (z " + l + ")"
			}
			legend = append(legend, legendEntry{Label: l, Fill: divergingPalette[i]})
		}
		idx = func(d *analysis.District) int {
			v := m.value(d)
			if math.IsNaN(v) {
				return -1
			}
			return sort.SearchFloat64s(breaks, v)
		}
	case "gi":
		for bin := -3; bin <= 3; bin++ {
			l := giLabel(bin)
			if bin == 0 {
				l = "not significant"
			}
			legend = append(legend, legendEntry{Label: l, Fill: giPalette[bin+3]})
		}
		idx = func(d *analysis.District) int {
			if math.IsNaN(d.GiZ) {
				return -1
			}
			return d.GiBin + 3
		}
	case "lisa":
		for _, l := range lisaOrder {
			legend = append(legend, legendEntry{Label: l.label, Fill: lisaColours[l.code]})
		}
		idx = func(d *analysis.District) int {
			if math.IsNaN(d.LisaI) {
				return -1
			}
			for i, l := range lisaOrder {
				if l.code == d.Lisa {
					return i
				}
			}
			return 0
		}
	}
	noData, noPop := len(legend), len(legend)+1
	legend = append(legend, legendEntry{Label: noDataLabel, Fill: hexOf(render.NoDataColour)},
		legendEntry{Label: noPopLabel, Fill: hexOf(render.NoPopColour)})
	out := make([]int, len(a.Districts))
	for i := range a.Districts {
		d := &a.Districts[i]
		k := -1
		if idx != nil {
			k = idx(d)
		}
		if k < 0 {
			// A district with incidents and no census figure has no rate,
			// nor EB rate, Gi* or cluster on rates: that is not "no data".
			k = noData
			if d.Population == 0 && d.Incidents > 0 && (m.name == "rate" || m.name == "eb_rate" ||
				a.Basis == "eb_rate" && (m.name == "gi" || m.name == "lisa")) {
				k = noPop
			}
		}
		out[i] = k
		legend[k].N++
	}
	return legend, out, nil
}

func slicesMin(xs []float64) float64 {
	lo := xs[0]
	for _, x := range xs {
		lo = min(lo, x)
	}
	return lo
}

// rangeLabel names a sequential class from lo (exclusive, but for the
// first class) to hi, so that labels do not overlap: counts as integers
// ("3 – 8"), rates with two decimals from one hundredth above lo
// ("0.01 – 1.50"); a class of one value is that value.
func rangeLabel(lo, hi float64, counts, first bool) string {
	if counts {
		from := int64(lo) + 1
		if first {
			from = int64(lo)
		}
		if from >= int64(hi) {
			return commas(int64(hi))
		}
		return commas(from) + " – " + commas(int64(hi))
	}
	from := lo + 0.01
	if first {
		from = lo
	}
	if math.Round(from*100) >= math.Round(hi*100) {
		return fmt.Sprintf("%.2f", hi)
	}
	return fmt.Sprintf("%.2f – %.2f", from, hi)
}

// viewDistrict is a district of the view as the page shows it.
type viewDistrict struct {
	Value jsonNum `json:"value"`
	districtJSON
	ByPrecision [4]int64 `json:"by_precision"` // incidents located by point, near, by name, province only
	Class       string   `json:"class"`
	Fill        string   `json:"fill"`
}

func (s *server) apiView(w http.ResponseWriter, r *http.Request) {
	a, mi, err := s.view(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	legend, cls, err := classes(a, mi)
	if err != nil {
		s.fail(w, err)
		return
	}
	m := metrics[mi]
	order := make([]int, len(a.Districts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		return less(m.value(&a.Districts[order[j]]), m.value(&a.Districts[order[i]]))
	})
	rows := make([]viewDistrict, len(order))
	for k, i := range order {
		d := &a.Districts[i]
		rows[k] = viewDistrict{Value: jsonNum(m.value(d)), districtJSON: toJSON(*d),
			ByPrecision: [4]int64{d.ByPrecision[0], d.ByPrecision[1], d.ByPrecision[2], d.ByPrecision[3]},
			Class:       legend[cls[i]].Label, Fill: legend[cls[i]].Fill}
	}
	var head bytes.Buffer
	a.header(&head, "heatmap of "+m.doc)
	out := a.meta()
	out["metric"], out["metric_doc"], out["kind"] = m.name, m.doc, metricKind(m.name)
	out["header"] = strings.TrimSpace(head.String())
	out["legend"] = legend
	out["districts"] = rows
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// attachment names a download after the view.
func attachment(w http.ResponseWriter, a *analysed, metric, ext string) {
	name := fmt.Sprintf("ocmap-%s-%s-%s-%s", a.Category, metric, a.Period.From.Format("2006-01"), a.Period.To.Format("2006-01"))
	if a.Province != "" {
		name += "-" + strings.ReplaceAll(a.Province, " ", "_")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+ext+`"`)
}

// apiViewCSV is the view as 'ocmap heatmap --format csv' writes it.
func (s *server) apiViewCSV(w http.ResponseWriter, r *http.Request) {
	a, mi, err := s.view(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	m := metrics[mi]
	ds := pointers(a.Districts)
	sort.SliceStable(ds, func(i, j int) bool { return less(m.value(ds[j]), m.value(ds[i])) })
	var buf bytes.Buffer
	if err := heatmapCSV(&buf, a, m.name, m.value, ds); err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, a, m.name, "csv")
	w.Write(buf.Bytes())
}

// apiViewGeoJSON is the view with the base map's polygons: the figures of
// 'ocmap heatmap --format geojson', and the class and fill the page shows.
func (s *server) apiViewGeoJSON(w http.ResponseWriter, r *http.Request) {
	a, mi, err := s.view(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	legend, cls, err := classes(a, mi)
	if err != nil {
		s.fail(w, err)
		return
	}
	m := metrics[mi]
	shapes := s.baseShapes()
	fc := geojson.NewFeatureCollection()
	for i := range a.Districts {
		d := &a.Districts[i]
		g, ok := shapes[d.Code]
		if !ok {
			continue
		}
		f := geojson.NewFeature(g)
		raw, err := json.Marshal(toJSON(*d))
		if err != nil {
			s.fail(w, err)
			return
		}
		props := map[string]any{}
		json.Unmarshal(raw, &props)
		props["metric"], props["value"] = m.name, jsonNum(m.value(d))
		props["class"], props["fill"] = legend[cls[i]].Label, legend[cls[i]].Fill
		f.Properties = props
		fc.Append(f)
	}
	for k, v := range a.meta() {
		fc.ExtraMembers = setExtra(fc.ExtraMembers, k, v)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(fc); err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	attachment(w, a, m.name, "geojson")
	w.Write(buf.Bytes())
}

// baseShapes are the district polygons simplified for the page, by code.
func (s *server) baseShapes() map[string]orb.Geometry {
	s.baseOnce.Do(func() {
		s.shapes = map[string]orb.Geometry{}
		fc := geojson.NewFeatureCollection()
		for i, d := range s.b.Districts {
			g := roundCoords(simplify.DouglasPeucker(baseMapTolerance).Simplify(s.b.Polygons[i].Clone()))
			s.shapes[d.Code] = g
			f := geojson.NewFeature(g)
			f.Properties = geojson.Properties{"district_code": d.Code, "district": d.Name, "province": d.Province}
			fc.Append(f)
		}
		s.baseJSON, s.baseErr = json.Marshal(fc)
	})
	return s.shapes
}

// roundCoords rounds lon and lat to 4 decimals (about 10 m), below the
// simplification's tolerance: the base map is half the bytes to parse.
func roundCoords(g orb.Geometry) orb.Geometry {
	r := func(ps []orb.Point) {
		for i := range ps {
			ps[i] = orb.Point{math.Round(ps[i][0]*1e4) / 1e4, math.Round(ps[i][1]*1e4) / 1e4}
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, ring := range g {
			r(ring)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, ring := range p {
				r(ring)
			}
		}
	}
	return g
}

// apiBaseMap is the district polygons, the page's base map.
func (s *server) apiBaseMap(w http.ResponseWriter, r *http.Request) {
	s.baseShapes()
	if s.baseErr != nil {
		s.fail(w, s.baseErr)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Write(s.baseJSON)
}

// apiMeta is what the page's controls offer: categories, metrics, the
// months with data, provinces and precisions.
func (s *server) apiMeta(w http.ResponseWriter, r *http.Request) {
	res, _, err := s.st.Query(r.Context(), `SELECT strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') FROM district_month`, 1)
	if err != nil {
		s.fail(w, err)
		return
	}
	var months []string
	if len(res.Rows) == 1 && !res.Rows[0][0].Null {
		from, err1 := time.Parse("2006-01", res.Rows[0][0].Text)
		to, err2 := time.Parse("2006-01", res.Rows[0][1].Text)
		if err1 != nil || err2 != nil {
			s.fail(w, fmt.Errorf("district_month: months %q to %q: not YYYY-MM", res.Rows[0][0].Text, res.Rows[0][1].Text))
			return
		}
		for _, m := range (analysis.Period{From: from, To: to}).Months() {
			months = append(months, m.Format("2006-01"))
		}
	}
	var provinces []string
	for _, d := range s.b.Districts {
		if !slices.Contains(provinces, d.Province) {
			provinces = append(provinces, d.Province)
		}
	}
	slices.Sort(provinces)
	type named struct {
		Name string `json:"name"`
		Doc  string `json:"doc"`
		Kind string `json:"kind"`
	}
	var ms []named
	for _, m := range metrics {
		ms = append(ms, named{m.name, m.doc, metricKind(m.name)})
	}
	subs, err := metaSubcategories(r.Context(), s.st)
	if err != nil {
		s.fail(w, err)
		return
	}
	measures := []map[string]string{{"name": "count", "doc": "incidents", "category": ""}}
	for _, name := range []string{"kg", "amount_pkr", "victims"} {
		q := quantityMeasures[name]
		measures = append(measures, map[string]string{"name": name, "doc": q.doc, "category": q.category})
	}
	writeJSON(w, map[string]any{
		"db": s.db, "categories": append(schemas.Categories(), "all"), "metrics": ms, "months": months,
		"subcategories": subs, "measures": measures,
		"provinces": provinces, "districts": len(s.b.Districts),
		"precisions": []map[string]any{{"value": 4, "text": "all incidents"}, {"value": 3, "text": "district named or better"},
			{"value": 2, "text": "point near a place or better"}, {"value": 1, "text": "exact points only"}},
	})
}

// metaSubcategory is one code the page's subcategory control offers.
type metaSubcategory struct {
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"` // exploitation, stage; "" for the subcategory
	Incidents int64  `json:"incidents"`
}

// metaSubcategories lists per category the codes its incidents hold, as
// 'ocmap codes --db' counts them (spellings folded; exploitation types and
// stages marked with their field), most incidents first.
func metaSubcategories(ctx context.Context, st *store.Store) (map[string][]metaSubcategory, error) {
	stats, err := codeCounts(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[string][]metaSubcategory{}
	for _, cn := range schemas.Categories() {
		out[cn] = []metaSubcategory{}
	}
	for _, x := range stats {
		if x.Code != "" && x.Incidents > 0 {
			out[x.Category] = append(out[x.Category], metaSubcategory{x.Code, x.Field, x.Incidents})
		}
	}
	return out, nil
}

// districtDetail is the panel of one district: its monthly incidents per
// category in the view's period and precision, its sources and neighbours.
type districtDetail struct {
	Code       string              `json:"district_code"`
	Name       string              `json:"district"`
	Province   string              `json:"province"`
	Population int64               `json:"population,omitempty"`
	Year       int                 `json:"population_year,omitempty"`
	Months     []string            `json:"months"`
	Series     map[string][]int64  `json:"series"` // category: incidents per month
	Categories []string            `json:"categories"`
	Sources    []store.SourceShare `json:"sources"`
	Neighbours []map[string]string `json:"neighbours"`
	Located    map[string]int64    `json:"located"`
}

func (s *server) apiDistrict(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	at := -1
	for i, d := range s.b.Districts {
		if d.Code == code {
			at = i
		}
	}
	if code == "" {
		http.Error(w, "give the district as code=CODE (its P-code or shapeID, as /api/view.json lists)", http.StatusBadRequest)
		return
	}
	if at < 0 {
		http.Error(w, fmt.Sprintf("no district with code %q", code), http.StatusNotFound)
		return
	}
	// The period and precision of the view, over every category.
	q := r.URL.Query()
	q.Set("category", "all")
	q.Del("province")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	a, _, err := s.view(r2)
	if err != nil {
		s.fail(w, err)
		return
	}
	o, _, _ := s.query(r2)
	det, err := s.detail(r.Context(), code, a, o.MaxPrecision)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, det)
}

func (s *server) detail(ctx context.Context, code string, a *analysed, maxPrecision int) (*districtDetail, error) {
	var det districtDetail
	for _, d := range a.Districts {
		if d.Code == code {
			det.Code, det.Name, det.Province, det.Population, det.Year = d.Code, d.Name, d.Province, d.Population, d.PopulationYear
			det.Located = map[string]int64{"point": d.ByPrecision[0], "near": d.ByPrecision[1], "name": d.ByPrecision[2], "province": d.ByPrecision[3]}
		}
	}
	months := a.Period.Months()
	at := map[time.Time]int{}
	for i, m := range months {
		det.Months = append(det.Months, m.Format("2006-01"))
		at[m] = i
	}
	det.Categories = schemas.Categories()
	det.Series = map[string][]int64{}
	for _, c := range det.Categories {
		det.Series[c] = make([]int64, len(months))
	}
	cells, err := s.data.Cells(ctx, store.CellFilter{})
	if err != nil {
		return nil, err
	}
	for _, c := range store.KeepPrecision(cells, maxPrecision) {
		if i, ok := at[c.Month]; ok && c.District == code && det.Series[c.Category] != nil {
			det.Series[c.Category][i] += c.Incidents
		}
	}
	// code is one of the boundary file's codes (apiDistrict checked it);
	// the quotes are doubled all the same.
	res, _, err := s.st.Query(ctx, fmt.Sprintf(`SELECT source, sum(records)::BIGINT FROM district_month_sources
		WHERE district_code = '%s' AND month >= DATE '%s' AND month <= DATE '%s' GROUP BY 1 ORDER BY 2 DESC, 1`,
		strings.ReplaceAll(code, "'", "''"), a.Period.From.Format("2006-01-02"), a.Period.To.Format("2006-01-02")), 100000)
	if err != nil {
		return nil, err
	}
	var shares []store.SourceShare
	for _, row := range res.Rows {
		n, err := strconv.ParseInt(row[1].Text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("district_month_sources: records %q: %w", row[1].Text, err)
		}
		shares = append(shares, store.SourceShare{Source: row[0].Text, Records: n})
	}
	det.Sources = export.PublicSources(shares, s.sources)
	if det.Sources == nil {
		det.Sources = []store.SourceShare{}
	}
	nbrs, err := s.data.Neighbors(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]int{}
	for i, d := range s.b.Districts {
		names[d.Code] = i
	}
	det.Neighbours = []map[string]string{}
	for _, n := range nbrs[code] {
		if i, ok := names[n]; ok {
			det.Neighbours = append(det.Neighbours, map[string]string{"district_code": n, "district": s.b.Districts[i].Name,
				"province": s.b.Districts[i].Province})
		}
	}
	sort.Slice(det.Neighbours, func(i, j int) bool { return det.Neighbours[i]["district"] < det.Neighbours[j]["district"] })
	return &det, nil
}
