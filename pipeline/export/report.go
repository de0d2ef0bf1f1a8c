//go:build duckdb_arrow

package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// reportTemplate is the self-contained HTML report: no script, no fetch,
// the maps inline as SVG.
var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#1a1a1a;line-height:1.4}
h1{margin-bottom:0}.label{color:#c8102e;font-weight:bold;letter-spacing:.05em}
table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:right}
th:first-child,td:first-child,td.l{text-align:left}.map svg{width:100%;height:auto}
.small{color:#4d4d4d;font-size:.9em}
</style></head><body>
<p class="label">{{.Label}}</p>
<h1>{{.Title}}</h1>
<p>{{.Period}}. {{.Scope}}</p>
<h2 id="key-figures">Key figures</h2>
<table><tr><th>category</th><th>{{.Period}}</th><th>{{.Previous}}</th><th>change</th></tr>
{{range .Key}}<tr><td>{{.Title}}</td><td>{{.Now}}</td><td>{{.Before}}</td><td>{{.Change}}</td></tr>
{{end}}</table>
<p class="small">Incidents in the whole country, against the period of the same length before.{{if not .Internal}} "suppressed": withheld so that no small count can be worked out.{{end}}</p>
<h2 id="maps">Maps and districts</h2>
{{range .Maps}}<section class="map" id="map-{{.Category}}">{{.SVG}}
<table><caption class="small">{{.Caption}}</caption><tr><th>rank</th><th class="l">district</th><th class="l">province</th><th>incidents</th><th>per 100,000</th></tr>
{{range .Rows}}<tr><td>{{.Rank}}</td><td class="l">{{.Name}}</td><td class="l">{{.Province}}</td><td>{{.Incidents}}</td><td>{{.Rate}}</td></tr>
{{end}}</table></section>
{{end}}
{{if .Flows}}<h2 id="flows">Where drugs and trafficked people come from and go</h2>
{{range .Flows}}<section class="map" id="flows-{{.Category}}">{{.SVG}}
<table><caption class="small">{{.Caption}}</caption><tr><th class="l">origin</th><th class="l">destination</th><th>incidents</th><th>{{.Quantity}}</th></tr>
{{range .Rows}}<tr><td class="l">{{.Origin}}</td><td class="l">{{.Destination}}</td><td>{{.Incidents}}</td><td>{{.Quantity}}</td></tr>
{{end}}</table></section>
{{end}}<p class="small">Each end is a district (the gazetteer) or a country (ISO 3166-1; XG the Gulf states, XE Europe when a record names only the group): the origin field, else the first place of the route, else a foreign nationality; the destination field, else the last place of the route, else the district of a drug seizure. Incidents whose ends are not resolved are not in the flows. flows.csv and flows.geojson hold every flow shown.{{if not .Internal}} Victims and kilograms shown as "suppressed" are withheld with their flow's incidents published: victims from 1 to {{.MaxSmall}} (a small count of people); a sum that one or two incidents make nearly all of (the p% rule at {{.PPercent}}%: the rest of the sum is less than {{.PPercent}}% of its largest incident's), which would tell that incident; or a sum that, with another export's, would let such a count or sum (of the months between them, say) be worked out.{{end}}</p>
{{end}}<h2 id="trends">Trends</h2>
<p>Districts whose monthly counts rise or fall significantly (Mann-Kendall, p &lt; 0.05), and hot spots by their history (emerging hot spot classes){{if not .Internal}}, among the districts whose monthly counts of the category are all published (district_month.parquet), and worked out from those months only: a trend or class worked out from a suppressed count would tell something of it{{end}}. {{.GuardRule}}</p>
<table><tr><th>category</th><th>rising</th><th>falling</th><th>new or intensifying hot spots</th></tr>
{{range .Trends}}<tr><td>{{.Title}}</td><td>{{.Up}}</td><td>{{.Down}}</td><td class="l">{{.Emerging}}</td></tr>
{{end}}</table>
<h2 id="overlaps">Where the crimes overlap</h2>
<table><tr><th>category A</th><th>category B</th><th>rank correlation</th><th>co-location A→B</th><th>B→A</th></tr>
{{range .Links}}<tr><td>{{.A}}</td><td class="l">{{.B}}</td><td>{{.Spearman}}</td><td>{{.CLQ}}</td><td>{{.BA}}</td></tr>
{{end}}</table>
{{if not .Internal}}<p class="small">Worked out from the published district figures only, so that they tell nothing of a suppressed count: a suppressed count is left out of the rank correlation and counts as none in the co-location.</p>
{{end}}
<h2 id="data-quality">Data quality</h2>
<p>Incidents located by point {{.Quality.Point}}, near a district {{.Quality.Near}}, by district name {{.Quality.Name}}, in a province only {{.Quality.Province}}{{if .Quality.Country}}, in Pakistan only (national level) {{.Quality.Country}}{{end}} (those are in no district's figures).{{if .Quality.Withheld}} A share shown as "suppressed" is withheld: its count is from 1 to {{.MaxSmall}}, or would let such a count be worked out.{{end}}{{if .Precision}} These shares are of all incidents; the figures count only those located at precision {{.Precision}}.{{end}}</p>
<table><tr><th>source</th><th>records</th></tr>{{range .Quality.Sources}}<tr><td>{{.Source}}</td><td>{{.Records}}</td></tr>{{end}}</table>
<table><tr><th>incident rows rejected, by field</th><th>rows</th></tr>{{range .Quality.Rejects}}<tr><td>{{.Field}}</td><td>{{.Rows}}</td></tr>{{end}}</table>
<p class="small">Rejected rows of the incident files with incidents in the period (a rejected row's own date may be what is wrong); the population file's rejects are not counted.</p>
<h2 id="disclosure">Disclosure control</h2>
<p>{{.Disclosure}}</p>
<h2 id="methods">Methods</h2>
<ul>
<li>Incidents: records of the four categories from the agency files ingested, each placed in a district by its coordinates or by its place name through ocmap's gazetteer; records that describe one incident (one source repeating an id, or several sources reporting one seizure) count once.</li>
{{if .Places}}<li>Place names: GeoNames (geonames.org), CC BY 4.0: the towns and villages that records name without a district the gazetteer knows, placed in the district containing the town (precision 2, near a named place).</li>
{{end}}<li>Rates: incidents per 100,000 people, census population of the year nearest the period's end; districts without a census figure have no rate ("no population figure" on the maps) and keep their counts. EB rates: global empirical Bayes smoothing (Marshall), as GeoDa computes it.</li>
<li>Hot spots: Getis-Ord Gi* with binary queen contiguity weights, bins at 90, 95 and 99% confidence after a False Discovery Rate correction; clusters: Local Moran's I with 999 seeded permutations. Both on EB rates when there is a population, on counts otherwise.</li>
<li>Trends: Mann-Kendall test over the months; emerging classes from monthly Gi* z-scores.</li>
<li>Co-location: the incidents of category B in and around the district of an average incident of A, relative to an average district (1 means no association).</li>
<li>Classes: {{.Classes}}.</li>
{{if .Rule}}<li>Disclosure control: {{.Rule}}</li>{{end}}
</ul>
<p class="small source">{{.Source}}</p>
<p class="small">Made by ocmap {{.Version}} from {{.Files}} input files; see manifest.json for their SHA-256 and the parameters.</p>
</body></html>
`))

type reportRow struct {
	Rank, Name, Province, Incidents, Rate string
}

type reportTop struct {
	Caption string
	Rows    []reportRow
}

func pct(n, total int64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

func writeReport(w *writer, d *data) error {
	type mapView struct {
		Category, Caption string
		SVG               template.HTML
		Rows              []reportRow
	}
	type trendView struct{ Title, Up, Down, Emerging string }
	type linkView struct{ A, B, Spearman, CLQ, BA string }
	v := struct {
		Label, Title, Period, Scope, Disclosure, Classes, Version string
		MaxSmall                                                  int64 // the largest count suppressed as small
		PPercent                                                  int   // of the p% rule on victims and kilograms
		Previous, Source, GuardRule                               string
		Internal                                                  bool
		Key                                                       []keyFigure
		Rule                                                      string // the suppression rule, for the methods
		Precision                                                 string // "" or the precisions counted, "1-3"
		Files                                                     int
		Places                                                    bool // the database was built with a place layer
		Maps                                                      []mapView
		Trends                                                    []trendView
		Links                                                     []linkView
		Flows                                                     []flowView
		Quality                                                   struct {
			Point, Near, Name, Province string
			Country                     string // "" when no incident is placed at national level only
			Withheld                    bool   // some share is suppressed
			Sources                     any
			Rejects                     any
		}
	}{Label: d.label(), Title: "Preliminary map of organized crime in Pakistan", Period: d.periodText(),
		Classes: d.opt.Classes + " breaks, " + fmt.Sprint(d.opt.K) + " classes", Version: d.opt.Version,
		Internal: d.opt.Internal, Key: d.keyFigures(), Source: d.attribution(),
		Previous: periodName(d.prev.period), GuardRule: guardRule, MaxSmall: d.opt.MinCell - 1, PPercent: disclosure.PPercent}
	if d.opt.Internal {
		v.Title = "Map of organized crime in Pakistan (internal)"
	}
	for _, r := range d.runs {
		v.Files += len(r.Files)
	}
	v.Places = d.meta["places_sha256"] != ""
	v.Scope = fmt.Sprintf("%d districts; terror financing, drug trafficking, human trafficking and migrant smuggling, cybercrime.", len(d.districts))
	if pn := d.precisionNote(); pn != "" {
		v.Scope += " " + pn
	}
	for _, cat := range categories {
		s := string(d.svg[cat])
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:] // drop the XML declaration inside HTML
		}
		top := d.top(cat, 10)
		v.Maps = append(v.Maps, mapView{Category: cat, Caption: top.Caption, SVG: template.HTML(s), Rows: top.Rows})
		r := d.results[cat]
		var up, down int
		var emerging []string
		// A published release's trends and classes are those of the
		// districts whose months it publishes (analyse).
		for _, x := range r.Districts {
			switch x.Trend {
			case "up":
				up++
			case "down":
				down++
			}
			if x.Emerging == string(measures.NewHot) || x.Emerging == string(measures.IntensifyingHot) {
				emerging = append(emerging, x.Name+" ("+strings.TrimSuffix(x.Emerging, " hot spot")+")")
			}
		}
		sort.Strings(emerging)
		v.Trends = append(v.Trends, trendView{Title: titles[cat], Up: fmt.Sprint(up), Down: fmt.Sprint(down), Emerging: strings.Join(emerging, ", ")})
	}
	v.Flows = d.flowViews()
	for _, l := range d.links() {
		v.Links = append(v.Links, linkView{A: titles[l.A], B: titles[l.B], Spearman: f2(l.Spearman), CLQ: f2(l.CLQ), BA: f2(l.BA)})
	}
	switch {
	case d.opt.MaxPrecision == 1:
		v.Precision = "1"
	case d.opt.MaxPrecision < 4:
		v.Precision = fmt.Sprintf("1-%d", d.opt.MaxPrecision)
	}
	shares := d.qualityShares()
	v.Quality.Point, v.Quality.Near, v.Quality.Name, v.Quality.Province = shares[0], shares[1], shares[2], shares[3]
	if d.dq.Precision[4] > 0 {
		v.Quality.Country = shares[4]
	}
	v.Quality.Withheld = slices.Contains(shares[:], "suppressed")
	v.Quality.Sources, v.Quality.Rejects = d.dq.Sources, d.dq.Rejects
	if d.dq.Sources != nil || !d.opt.Internal {
		v.Quality.Sources = d.sourceRows()
	}
	if !d.opt.Internal {
		v.Rule = fmt.Sprintf("counts from 1 to %[1]d are suppressed (primary). Further figures are suppressed (complementary) until, for every primary count v, the least and greatest values that can be proved from every figure this export writes, and every earlier release of the same database, by linear programming (counts are at least 0, and a suppressed count is at least 1 where the zeros beside it are published) reach v - %[2]d or the least value a suppressed count may have, and v + %[2]d (interval protection with protection level %[2]d, as in tau-ARGUS and sdcTable).", d.opt.MinCell-1, d.opt.MinCell)
	}
	if d.opt.Internal {
		v.Disclosure = "INTERNAL VERSION: no cell is suppressed. Do not publish."
	} else {
		n := 0
		for _, row := range d.sup.Suppressed {
			for _, s := range row {
				if s {
					n++
				}
			}
		}
		v.Disclosure = fmt.Sprintf("Suppressed figures are blank in the tables and hatched on the maps, whatever the reason: a district count from 1 to %d (primary), or a further figure withheld so that no small count can be worked out (complementary; these can be large). %d district x category cells are suppressed, of %d, and %d district, province or national totals. Zeros are published. Rates, EB rates, hot spot classes and clusters of suppressed cells are withheld; EB rates are smoothed towards the published districts only, and hot spot classes and clusters are worked out from the published figures only, suppressed districts left out as districts without population are, so that no class depends on a suppressed count. Monthly counts (district_month.parquet) have a row for every district, category and month; all months of a suppressed cell are suppressed, and in published cells small months are suppressed with further months until they meet the same rule. Zero months are published, except that a cell's zero months are all suppressed together when publishing them would narrow a count of an earlier release.",
			d.opt.MinCell-1, n, len(d.districts)*len(schemas.Categories()), d.sup.MarginCount)
	}
	return w.create("report.html", func(out io.Writer) error { return reportTemplate.Execute(out, v) })
}

func f2(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

// top lists the districts that may be published ranked by what the map
// of cat shows: the rate per 100,000 when the database has a population,
// else the count; ties by code. On rates, the districts with incidents but
// no census figure follow, unranked, with their counts and "no population
// figure", as many as n, most incidents first.
func (d *data) top(cat string, n int) reportTop {
	r := d.results[cat]
	rates := len(r.CensusYears) > 0
	idx := make([]int, 0, len(r.Districts))
	var nopop []int
	for i, x := range r.Districts {
		switch {
		case d.suppressed[cat][i] || x.Incidents == 0:
		case rates && math.IsNaN(x.Rate):
			nopop = append(nopop, i)
		default:
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := r.Districts[idx[a]], r.Districts[idx[b]]
		if rates && x.Rate != y.Rate {
			return x.Rate > y.Rate
		}
		if x.Incidents != y.Incidents {
			return x.Incidents > y.Incidents
		}
		return x.Code < y.Code
	})
	shown := min(n, len(idx))
	districts := fmt.Sprintf("The %d districts", shown)
	switch shown {
	case 0:
		districts = "No published district count above 0: no districts"
	case 1:
		districts = "The district"
	}
	t := reportTop{Caption: districts + " with the most incidents"}
	if rates {
		t.Caption = districts + " with the highest rates per 100,000 people"
	}
	for k, i := range idx[:min(n, len(idx))] {
		x := r.Districts[i]
		t.Rows = append(t.Rows, reportRow{Rank: fmt.Sprint(k + 1), Name: x.Name, Province: x.Province, Incidents: thousands(x.Incidents), Rate: rate2(x.Rate)})
	}
	sort.SliceStable(nopop, func(a, b int) bool {
		x, y := r.Districts[nopop[a]], r.Districts[nopop[b]]
		if x.Incidents != y.Incidents {
			return x.Incidents > y.Incidents
		}
		return x.Code < y.Code
	})
	for _, i := range nopop[:min(n, len(nopop))] {
		x := r.Districts[i]
		t.Rows = append(t.Rows, reportRow{Name: x.Name, Province: x.Province, Incidents: thousands(x.Incidents), Rate: "no population figure"})
	}
	return t
}

// thousands prints n with thousands separators: 12,592.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rate2 prints a rate with two decimals and thousands separators; "-"
// for none.
func rate2(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	s := fmt.Sprintf("%.2f", x)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	return thousands(n) + "." + frac
}

type sourceRow struct{ Source, Records string }

func thousandsSources(ss []store.SourceShare) []sourceRow {
	out := make([]sourceRow, len(ss))
	for i, s := range ss {
		out[i] = sourceRow{s.Source, thousands(s.Records)}
	}
	return out
}

// writeManifest writes manifest.json last: inputs, parameters and the
// SHA-256 of every other file. Nothing in it depends on the clock, so the
// same database gives the same manifest.
func writeManifest(w *writer, d *data) error {
	files := map[string]string{}
	for _, n := range w.names() {
		files[n] = w.files[n]
	}
	m := map[string]any{
		"ocmap_version": d.opt.Version,
		"internal":      d.opt.Internal,
		"label":         d.label(),
		"period":        map[string]string{"from": d.period.From.Format("2006-01"), "to": d.period.To.Format("2006-01")},
		"parameters": map[string]any{"min_cell": d.opt.MinCell, "classes": d.opt.Classes, "k": d.opt.K,
			"simplify_degrees": d.opt.Simplify, "width": d.opt.Width},
		"boundaries":  map[string]string{"path": d.sourcePath(d.meta["boundaries"]), "sha256": d.meta["boundaries_sha256"]},
		"population":  map[string]string{"path": d.sourcePath(d.meta["population_file"]), "sha256": d.meta["population_sha256"]},
		"ingest_runs": d.manifestRuns(),
		"suppression": map[string]any{"district_category_cells": len(d.districts) * len(schemas.Categories()),
			"suppressed_cells": countTrue(d.sup.Suppressed), "suppressed_totals": d.sup.MarginCount},
		"files": files,
	}
	if len(d.opt.PublishSources) > 0 && !d.opt.Internal {
		names := make([]string, len(d.opt.PublishSources))
		for i, n := range d.opt.PublishSources {
			names[i] = schemas.Scrub(n)
		}
		m["parameters"].(map[string]any)["publish_sources"] = names
	}
	if d.meta["places_sha256"] != "" {
		// Only with a place layer, so that other manifests stay as they were.
		m["places"] = map[string]string{"path": d.sourcePath(d.meta["places"]), "sha256": d.meta["places_sha256"], "licence": d.meta["places_licence"]}
	}
	if d.opt.MaxPrecision < 4 {
		// Only when it filters, so that a default export's manifest stays
		// as it was.
		m["parameters"].(map[string]any)["max_precision"] = d.opt.MaxPrecision
	}
	if len(d.opt.Subcategories) > 0 {
		m["parameters"].(map[string]any)["subcategories"] = d.opt.Subcategories
	}
	if d.opt.NearBorderKm > 0 {
		m["parameters"].(map[string]any)["near_border_km"] = d.opt.NearBorderKm
	}
	return w.create("manifest.json", func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

func countTrue(b [][]bool) int {
	n := 0
	for _, row := range b {
		for _, x := range row {
			if x {
				n++
			}
		}
	}
	return n
}

// sourcePath is how the manifest names a reference file the export was
// made from (boundaries, population, places): in full in an internal
// export; in a published one by its name alone, as a folder
// (C:\Users\<name>\..., /home/<name>/...) tells who made the export.
func (d *data) sourcePath(p string) string {
	if d.opt.Internal {
		return p
	}
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	return schemas.Scrub(p)
}
