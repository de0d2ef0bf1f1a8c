//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

type serveOptions struct {
	DB, Addr      string
	Subcategories []string // the views' default --subcategory
	listen        listenPolicy
	boundaries    boundaryOptions
	publish       publishOptions
}

func init() {
	var o serveOptions
	register(&Command{
		Name:  "serve",
		Usage: "--db FILE [--addr 127.0.0.1:8080 [--public [--allow-host NAME]]] [--boundaries FILE.geojson]",
		Short: "an interactive local page of district maps (read-only, offline)",
		Long: `Serves an interactive page for analysts at http://ADDR/, from the
program itself: it needs no network, and draws the district polygons as
the map (no background tiles). Pan and zoom; hover a district for its
count, rate, EB rate, class and how its incidents were located; click it
for its months per category, its sources and its neighbours. Category,
metric (count, rate, EB rate, change, trend, Gi*, Local Moran), months,
province and location precision (as --max-precision) change the view at
once; the table lists every district, sortable and searchable; the view
downloads as CSV (as 'ocmap heatmap --format csv'), GeoJSON and PNG; a
second map beside the first compares two categories or two periods, and
follows its pan and zoom. The same numbers as 'ocmap heatmap'.

It listens on 127.0.0.1 (this computer only), opens the database read-only
and answers GET and HEAD requests only: nothing can be changed through it.
The page runs only its own script, loads nothing from elsewhere, and is
refused inside frames. Stop it with Ctrl-C.

There is no password. To let other computers on your network see the page,
give their way in with --addr (e.g. 0.0.0.0:8080, every interface) and add
--public; without --public, any address but 127.0.0.1, ::1 or localhost is
refused. Requests must name this computer (Host header): a loopback name,
or with --public the address given, this computer's IP addresses, or a name
given with --allow-host; others are refused, so that a web page elsewhere
cannot read the figures through your browser.

Also: /plain?... is a page without script (the map drawn by the server
and the top 30 districts), /map.svg?... the map alone, /heatmap.json?...
the figures; /api/view.json, /api/view.csv, /api/view.geojson and
/api/district.json?code=CODE are the page's data, with the same query
(category, metric, from, to, province, precision; subcategory=CODE,
repeatable, measure=kg|amount_pkr|victims and scale=log|rank|raw as the
heatmap's flags; near_border=KM keeps the districts within KM km of an
official border crossing or port, as --near-border). --subcategory CODE gives the views' default subcategories.
/api/flows.json?category=human_trafficking|drug_trafficking (from, to,
province, subcategory, by=month|year, regions=1, min_cell=N) is 'ocmap flows --format
json' with each end's point: the page's "flows" layer draws it.

` + publishHelp + `

Example:
  ocmap serve --db crime.duckdb
  ocmap serve --db ocmap-demo/demo.duckdb --addr 127.0.0.1:9000
  ocmap serve --db crime.duckdb --addr 0.0.0.0:8080 --public --allow-host stats-pc.local`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
			fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on; keep 127.0.0.1 unless others on your network should see it")
			fs.BoolVar(&o.listen.Public, "public", false, "allow an --addr other computers can reach (no password: anyone there can read the figures)")
			fs.StringSliceVar(&o.listen.AllowHosts, "allow-host", nil, "with --public, also answer requests for this name of the computer (repeatable)")
			addSubcategoryFlag(fs, &o.Subcategories)
			o.boundaries.AddFlags(fs)
			o.publish.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if o.DB == "" {
				return usagef("--db is required")
			}
			if len(args) > 0 {
				return usagef("unexpected argument %q", args[0])
			}
			if len(o.listen.AllowHosts) > 0 && !o.listen.Public {
				return usagef("--allow-host needs --public")
			}
			warning, err := checkAddr(o.Addr, o.listen.Public)
			if err != nil {
				return err
			}
			approved, err := o.publish.names()
			if err != nil {
				return err
			}
			b, err := o.boundaries.load(env)
			if err != nil {
				return err
			}
			st, err := store.OpenReadOnly(ctx, o.DB)
			if err != nil {
				return err
			}
			defer st.Close()
			h, err := newServer(ctx, st, b, o.DB)
			if err != nil {
				return err
			}
			h.sources = approved
			if h.aliases, err = o.boundaries.aliases(env); err != nil {
				return err
			}
			if _, err := resolveSubcategories(ctx, st, "", o.Subcategories); err != nil {
				return err // checked now rather than on every view
			}
			h.subcategories = o.Subcategories
			ln, err := net.Listen("tcp", o.Addr)
			if err != nil {
				return err
			}
			guarded, err := newHostGuard(h, ln.Addr(), o.listen)
			if err != nil {
				ln.Close()
				return err
			}
			srv := &http.Server{Handler: guarded, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-ctx.Done()
				srv.Close()
			}()
			go h.warm(ctx) // an error here is the first request's to report
			fmt.Fprint(env.Stderr, warning)
			fmt.Fprintf(env.Stdout, "serving %s at http://%s/ (read-only; Ctrl-C stops)\n", o.DB, ln.Addr())
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return ctx.Err()
		},
	})
}

// server answers the page, the map and the figures from one read-only
// database.
type server struct {
	st      *store.Store
	b       *geo.Boundaries
	db      string
	sources []string // approved source names (analysisOptions.approved)
	// subcategories are --subcategory, the views' default; a view's
	// subcategory= parameters (repeatable) replace them.
	subcategories []string
	mux           *http.ServeMux
	data          cachedStore     // st, with what analyses read kept (serve_page.go)
	cache         memo[*analysed] // analyses by query, the metric aside

	baseOnce sync.Once // the base map, built on first use
	shapes   map[string]orb.Geometry
	baseJSON []byte
	baseErr  error

	serverFlows // /api/flows.json
}

func newServer(ctx context.Context, st *store.Store, b *geo.Boundaries, db string) (*server, error) {
	res, _, err := st.Query(ctx, `SELECT value FROM meta WHERE key = 'boundaries_sha256'`, 1)
	if err != nil {
		return nil, err
	}
	if len(res.Rows) == 1 && res.Rows[0][0].Text != b.SHA256 {
		return nil, fmt.Errorf("%s is not the boundary file %s was built with; give that one with --boundaries", b.Path, db)
	}
	s := &server{st: st, b: b, db: db, mux: http.NewServeMux(), data: cachedStore{st: st}}
	s.mux.HandleFunc("/", s.index)
	s.mux.HandleFunc("/plain", s.page)
	s.mux.HandleFunc("/map.svg", s.svg)
	s.mux.HandleFunc("/heatmap.json", s.json)
	s.mux.HandleFunc("/layers.json", s.layers)
	s.pageRoutes()
	return s, nil
}

// ServeHTTP refuses anything but reading.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "read-only: only GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// query reads the form into analysis options and a metric.
func (s *server) query(r *http.Request) (*analysisOptions, int, error) {
	q := r.URL.Query()
	get := func(k, def string) string {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			return v
		}
		return def
	}
	prec, err := strconv.Atoi(get("precision", "4"))
	if err != nil || prec < 1 || prec > 4 {
		return nil, 0, usagef("precision %q: want 1 to 4", q.Get("precision"))
	}
	minimum, err := strconv.Atoi(get("min_incidents", strconv.Itoa(analysis.DefaultMinIncidents)))
	if err != nil || minimum < 0 {
		return nil, 0, usagef("min_incidents %q: want 0 (no minimum) or more", q.Get("min_incidents"))
	}
	o := &analysisOptions{DB: s.db, Category: get("category", "all"), From: get("from", ""), To: get("to", ""),
		Province: get("province", ""), Permutations: analysis.DefaultPermutations, Seed: analysis.DefaultSeed, Alpha: analysis.DefaultAlpha,
		Inference: get("inference", analysis.Normal), MinIncidents: minimum, MaxPrecision: prec, approved: s.sources,
		Events: get("events", ""), Measure: get("measure", "count"), Scale: get("scale", ""), Subcategories: s.subcategories}
	if subs := q["subcategory"]; len(subs) > 0 {
		o.Subcategories = nil
		for _, v := range subs {
			if v = strings.TrimSpace(v); v != "" {
				o.Subcategories = append(o.Subcategories, v)
			}
		}
	}
	if v := get("near_border", ""); v != "" {
		km, err := strconv.ParseFloat(v, 64)
		if err != nil || !(km > 0) || math.IsInf(km, 0) {
			return nil, 0, usagef("near_border %q: want a distance in km above 0", v)
		}
		o.NearBorder = km
	}
	if o.Events != "" && q.Get("category") == "" {
		o.Category = "" // a layer of context events rather than a category
	}
	metric := get("metric", "count")
	names := make([]string, len(metrics))
	for i, m := range metrics {
		if m.name == metric {
			return o, i, nil
		}
		names[i] = m.name
	}
	return nil, 0, fmt.Errorf("unknown metric %q (want one of %s)", metric, strings.Join(names, ", "))
}

func (s *server) analyse(r *http.Request) (*analysed, int, error) {
	o, mi, err := s.query(r)
	if err != nil {
		return nil, 0, err
	}
	a, err := o.analyse(r.Context(), s.st)
	if err != nil {
		return nil, 0, err
	}
	return a, mi, nil
}

// mapOf draws the metric's choropleth in the interactive page's classes
// and colours (classes, serve_page.go): quantiles in YlOrRd for counts and
// rates, diverging for change and trend, ArcGIS's hot and cold spots for
// Gi*, GeoDa's clusters for Local Moran, "no population figure" apart.
func (s *server) mapOf(a *analysed, mi int) (*render.Map, error) {
	title := titleOf(a.Category)
	if a.Events != "" {
		title = "Context events, " + strings.ReplaceAll(a.Events, "_", " ")
		if a.Measure != "count" {
			title += " (" + a.Measure + ")"
		}
	}
	m := &render.Map{Title: title + ": " + metrics[mi].doc, Boundaries: s.b, Values: map[string]float64{},
		Subtitle: a.Period.From.Format("January 2006") + " – " + a.Period.To.Format("January 2006"),
		Legend:   metrics[mi].name, Label: "ANALYSIS", Width: 1000, NoPopulation: map[string]bool{},
		Note: "ocmap serve: " + s.db + ". Same figures as ocmap heatmap."}
	if a.Guard != "" {
		m.Note += " " + a.Guard + "."
	}
	legend, cls, err := classes(a, mi)
	if err != nil {
		return nil, err
	}
	k := len(legend) - 2 // the last two are "no data" and "no population figure"
	for i := 0; i < k; i++ {
		c, err := strconv.ParseUint(strings.TrimPrefix(legend[i].Fill, "#"), 16, 32)
		if err != nil {
			return nil, fmt.Errorf("serve: colour %q: %w", legend[i].Fill, err)
		}
		m.Breaks = append(m.Breaks, float64(i))
		m.Palette = append(m.Palette, color.RGBA{uint8(c >> 16), uint8(c >> 8), uint8(c), 255})
		m.Labels = append(m.Labels, legend[i].Label)
	}
	for i, d := range a.Districts {
		switch c := cls[i]; {
		case c < k:
			m.Values[d.Code] = float64(c)
		case legend[c].Label == noPopLabel:
			m.NoPopulation[d.Code] = true
		}
	}
	if k == 0 {
		m.Breaks, m.Palette, m.Labels = nil, nil, nil // every district "no data", e.g. counts of an empty period
	}
	return m, nil
}

// noPopulation reports whether district d has incidents but no value of
// metric mi only because it has no census population: rates, and hot spots
// and clusters computed on rates. The map shows it as "no population
// figure", as the export's maps do, never as "no data", and the table keeps
// its count.
func noPopulation(a *analysed, mi int, d *analysis.District) bool {
	if d.Incidents == 0 || d.Population > 0 {
		return false
	}
	switch metrics[mi].name {
	case "rate", "eb_rate":
		return true
	case "gi", "lisa":
		return a.Basis == "eb_rate"
	}
	return false
}

func titleOf(cat string) string {
	if cat == "all" {
		return "All four categories"
	}
	return strings.ReplaceAll(cat, "_", " ")
}

func (s *server) fail(w http.ResponseWriter, err error) {
	if errors.As(err, new(errNoData)) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if errors.Is(err, errUsage) || strings.HasPrefix(err.Error(), "unknown metric") {
		http.Error(w, strings.TrimPrefix(err.Error(), "usage: "), http.StatusBadRequest)
		return
	}
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func (s *server) svg(w http.ResponseWriter, r *http.Request) {
	a, mi, err := s.analyse(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	m, err := s.mapOf(a, mi)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	m.SVG(w)
}

func (s *server) json(w http.ResponseWriter, r *http.Request) {
	a, mi, err := s.analyse(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	ds := pointers(a.Districts)
	value := metrics[mi].value
	sort.SliceStable(ds, func(i, j int) bool { return less(value(ds[j]), value(ds[i])) })
	w.Header().Set("Content-Type", "application/json")
	heatmapJSON(w, a, metrics[mi].name, metrics[mi].value, ds)
}

// layers lists what can be mapped: the categories, the context event types
// of the database (each a layer: /heatmap.json?events=TYPE), the metrics
// and the measures of events.
func (s *server) layers(w http.ResponseWriter, r *http.Request) {
	types, err := s.st.EventTypes(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	var names []string
	for _, m := range metrics {
		names = append(names, m.name)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"categories": append(schemas.Categories(), analysis.AllCategories), "events": append([]string{}, types...),
		"metrics": names, "event_measures": []string{"count", "killed", "injured"},
		"inference": []string{analysis.Normal, analysis.Permutation}, "min_incidents": analysis.DefaultMinIncidents,
	})
}

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageHTML is the page without script (at /plain): the map drawn on the
// server, the form and the ranking; its style is /static/plain.css.
const pageHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ocmap: {{.DB}}</title>
<link rel="stylesheet" href="/static/plain.css"></head><body>
<h1>District heatmap</h1>
<form method="get" action="/plain">
<label>Category <select name="category">{{range .Categories}}<option value="{{.}}"{{if eq . $.Category}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>Metric <select name="metric">{{range .Metrics}}<option value="{{.}}"{{if eq . $.Metric}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>From <input name="from" value="{{.From}}" placeholder="YYYY-MM" size="8"></label>
<label>To <input name="to" value="{{.To}}" placeholder="YYYY-MM" size="8"></label>
<label>Province <input name="province" value="{{.Province}}" size="12"></label>
<label>Near a border crossing, km <input name="near_border" value="{{.NearBorder}}" size="5"></label>
<label>Located <select name="precision">{{range .Precisions}}<option value="{{.Value}}"{{if eq .Value $.Precision}} selected{{end}}>{{.Text}}</option>{{end}}</select></label>
<button>Show</button></form>
{{if .Error}}<p class="err">{{.Error}}</p>{{else}}
<pre>{{.Header}}</pre>
<div class="cols"><div>{{.SVG}}</div>
<div><table><tr><th>#</th><th class="l">district</th><th class="l">province</th><th>{{.Metric}}</th><th>incidents</th><th class="l">note</th></tr>
{{range .Rows}}<tr><td>{{.Rank}}</td><td class="l">{{.Name}}</td><td class="l">{{.Province}}</td><td>{{.Value}}</td><td>{{.Incidents}}</td><td class="l">{{.Note}}</td></tr>
{{end}}</table></div></div>{{end}}
<p><small>Read-only view of {{.DB}}. <a href="/heatmap.json?{{.Query}}">figures as JSON</a> · <a href="/map.svg?{{.Query}}">map as SVG</a></small></p>
</body></html>
`

type pageRow struct {
	Rank                                   string // "" for a district without a value
	Name, Province, Value, Incidents, Note string
}

func (s *server) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := map[string]any{"DB": s.db, "Categories": append(schemas.Categories(), "all"),
		"Category": q.Get("category"), "Metric": q.Get("metric"), "From": q.Get("from"), "To": q.Get("to"),
		"Province": q.Get("province"), "NearBorder": q.Get("near_border"), "Query": r.URL.RawQuery, "Precision": q.Get("precision"),
		"Precisions": []struct{ Value, Text string }{{"4", "all incidents"}, {"3", "district named or better"},
			{"2", "point near a place or better"}, {"1", "exact points only"}}}
	if v["Precision"] == "" {
		v["Precision"] = "4"
	}
	var names []string
	for _, m := range metrics {
		names = append(names, m.name)
	}
	v["Metrics"] = names
	if v["Category"] == "" {
		v["Category"] = "all"
	}
	if v["Metric"] == "" {
		v["Metric"] = "count"
	}
	a, mi, err := s.analyse(r)
	if err == nil {
		var m *render.Map
		if m, err = s.mapOf(a, mi); err == nil {
			var svg, head bytes.Buffer
			if err = m.SVG(&svg); err == nil {
				out := svg.String()
				if i := strings.Index(out, "<svg"); i > 0 {
					out = out[i:]
				}
				v["SVG"] = template.HTML(out)
				a.header(&head, "heatmap of "+metrics[mi].doc)
				v["Header"] = strings.TrimSpace(head.String())
				ds := pointers(a.Districts)
				value := metrics[mi].value
				sort.SliceStable(ds, func(i, j int) bool { return less(value(ds[j]), value(ds[i])) })
				// Districts with incidents but no population figure have
				// no rank on a rate; they follow, with their counts.
				var ranked, nopop []*analysis.District
				for _, d := range ds {
					if math.IsNaN(value(d)) && noPopulation(a, mi, d) {
						nopop = append(nopop, d)
					} else {
						ranked = append(ranked, d)
					}
				}
				var rows []pageRow
				for i, d := range ranked[:min(30, len(ranked))] {
					note := giLabel(d.GiBin)
					if d.Lisa != "" {
						note = strings.TrimSpace(note + " " + d.Lisa)
					}
					rows = append(rows, pageRow{Rank: strconv.Itoa(i + 1), Name: d.Name, Province: d.Province, Value: dash(value(d), 2),
						Incidents: commas(d.Incidents), Note: note})
				}
				sort.SliceStable(nopop, func(i, j int) bool { return nopop[i].Incidents > nopop[j].Incidents })
				for _, d := range nopop {
					rows = append(rows, pageRow{Name: d.Name, Province: d.Province, Value: "-",
						Incidents: commas(d.Incidents), Note: "no population figure"})
				}
				v["Rows"] = rows
			}
		}
	}
	if err != nil {
		v["Error"] = err.Error()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplate.Execute(w, v)
}
