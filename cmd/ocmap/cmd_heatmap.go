//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
)

// metrics are the values heatmap maps, with how each reads off a district.
var metrics = []struct {
	name, doc string
	value     func(d *analysis.District) float64
}{
	{"count", "incidents", func(d *analysis.District) float64 { return d.Value }},
	{"killed", "killed (context events, --events)", func(d *analysis.District) float64 { return float64(d.Killed) }},
	{"injured", "injured (context events, --events)", func(d *analysis.District) float64 { return float64(d.Injured) }},
	{"kg", "kg of drugs seized (sum; as --measure kg)", func(d *analysis.District) float64 { return d.Value }},
	{"amount_pkr", "amount in PKR (sum; as --measure amount_pkr)", func(d *analysis.District) float64 { return d.Value }},
	{"victims", "victims (sum; as --measure victims)", func(d *analysis.District) float64 { return d.Value }},
	{"median", "median per incident of --measure kg, amount_pkr or victims", func(d *analysis.District) float64 { return d.Median }},
	{"log", "log10(1 + count or sum): a few large seizures weigh as orders of magnitude", func(d *analysis.District) float64 { return math.Log10(1 + d.Value) }},
	{"rank", "place by count or sum, 1 the largest", func(d *analysis.District) float64 { return float64(d.Rank) }},
	{"rate", "incidents per 100,000 people", func(d *analysis.District) float64 { return d.Rate }},
	{"eb_rate", "empirical Bayes smoothed rate per 100,000 (GeoDa's global EB)", func(d *analysis.District) float64 { return d.EBRate }},
	{"change", "percent change against the base period", func(d *analysis.District) float64 { return d.Change }},
	{"trend", "Mann-Kendall z of the monthly counts", func(d *analysis.District) float64 { return d.TrendZ }},
	{"gi", "Getis-Ord Gi* z-score (hot spots)", func(d *analysis.District) float64 { return d.GiZ }},
	{"lisa", "Local Moran's I (clusters)", func(d *analysis.District) float64 { return d.LisaI }},
}

type heatmapOptions struct {
	analysisOptions
	Metric     string
	Top        int
	Simplify   float64
	boundaries boundaryOptions
}

func init() {
	var o heatmapOptions
	register(&Command{
		Name:  "heatmap",
		Usage: "--db FILE [--category C [--subcategory CODE]... | --events TYPE] [--measure M [--scale S]] [--denominator FILE [--spread population]] [--from YYYY-MM] [--to YYYY-MM] [--province P] [--near-border KM] --metric M [--top N] [--format table|csv|json|geojson]",
		Short: "one value per district: counts, rates, change, trends, hot spots",
		Long: `Computes one value per district from the database and prints it, highest
first, or writes it as CSV, JSON or GeoJSON (with the district polygons, for
QGIS and kepler.gl).

Metrics (--metric):
  count    incidents in the period (with --events: the figure --measure
           counts, events by default; with --measure kg, amount_pkr or
           victims: that quantity's sum)
  kg, amount_pkr, victims
           the sum of kg of drugs seized, of PKR (terror financing, fraud),
           of victims (trafficking): --metric kg is --measure kg
  median   the median per incident of --measure's quantity: what a typical
           seizure or transfer is, which one large seizure cannot move
  log      log10(1 + count or sum): orders of magnitude
  rank     the district's place by count or sum, 1 the largest
  killed   with --events: the killed in the period's events
  injured  with --events: the injured in them
  rate     incidents per 100,000 people (the census year nearest the period's
           end, the earlier of two as near: with 2017 and 2023 a period
           ending in 2020 uses 2017)
  eb_rate  empirical Bayes smoothed rate per 100,000, as GeoDa computes it, so
           that small districts do not top the map on two incidents
  change   percent change against the base period (--base-from/--base-to;
           default the period of the same length just before)
  trend    Mann-Kendall z of the monthly counts (positive: rising)
  gi       Getis-Ord Gi* z-score with binary queen weights, as ArcGIS's Hot Spot
           Analysis; bins at 90/95/99% confidence after FDR correction, on
           normal p (--inference normal) or permutation p (--inference
           permutation)
  lisa     Local Moran's I with pseudo p-values from 999 seeded permutations
           (esda's Moran_Local; ties counted on both sides), clusters HH,
           LL, HL, LH

Hot spots and clusters use EB-smoothed rates when the database has a
population (ingest --population), counts otherwise. With fewer than
--min-incidents incidents in the period (default 30, 0 for none) no hot
spot, cluster or emerging class is given and the output says why (table
header, CSV guard column, JSON and GeoJSON guard). Every output says the
period, the census year and how the incidents were located, so that a change
in reporting is not read as a change in crime. --max-precision N (all the
analyst commands) counts only the incidents located at precision 1 to N
(1 point, 2 near a named place, 3 district named, 4 province only: all);
the header then says so, and records, victims, quantity and amount stay
those of every incident.

GeoJSON needs the boundary file the database was built with (--boundaries or
$OCMAP_BOUNDARIES); polygons are simplified (--simplify, in degrees; 0 keeps
them whole) and carry every measure as properties.

` + publishHelp + `

Quantities (--measure kg, amount_pkr or victims): sums of seizures and
amounts are dominated by a few large ones (one 500 kg seizure outweighs a
year of 1 kg ones), so the header gives the largest single incident's share
of the sum, and medians beside the sums. rate is the quantity per 100,000;
eb_rate is refused (EB smoothing assumes counts of events); change and
trend are on the sums (Mann-Kendall uses their ranks only); gi and lisa are
on log10(1 + sum) by default, on ranks with --scale rank, on raw sums with
--scale raw.

--subcategory CODE (repeatable) keeps a drug, channel or offence ('ocmap
codes'); --denominator FILE gives rates per 100,000 of another measure than
people (mobile subscriptions for cybercrime): a CSV of district (or
province), year, value, measure; a district the file lacks has no rate,
and a province's figure is spread over its districts by population share
only with --spread population.

Context events (--events TYPE, a kind: context layout's event_type such as
suicide_attack) are mapped instead of a category: count, killed and injured
are theirs, and rate, eb_rate, change, trend, gi and lisa are computed on the
events, or on the killed or injured in them with --measure killed|injured.

Examples:
  ocmap heatmap --db crime.duckdb --category drug_trafficking --metric eb_rate
  ocmap heatmap --db crime.duckdb --events suicide_attack --metric killed
  ocmap heatmap --db crime.duckdb --events suicide_attack --measure killed --metric gi
  ocmap heatmap --db crime.duckdb --metric change --from 2023-01 --to 2023-12
  ocmap heatmap --db crime.duckdb --category cybercrime --province Punjab --metric gi --format csv > gi.csv
  ocmap heatmap --db crime.duckdb --category drug_trafficking --near-border 25 --top 8
  ocmap heatmap --db crime.duckdb --metric rate --format geojson > rates.geojson
  ocmap heatmap --db crime.duckdb --subcategory ice --metric kg
  ocmap heatmap --db crime.duckdb --category drug_trafficking --measure kg --metric median
  ocmap heatmap --db crime.duckdb --category cybercrime --metric rate --denominator mobile.csv
  ocmap heatmap --db crime.duckdb --format json --publish-sources "ANF,Punjab Police,FIA" > figures.json`,
		Flags: func(fs *pflag.FlagSet) {
			o.addFlags(fs, "table, csv, json or geojson")
			fs.StringVar(&o.Metric, "metric", "count", "count, kg, amount_pkr, victims, median, log, rank, killed, injured (--events), rate, eb_rate, change, trend, gi or lisa")
			fs.IntVar(&o.Top, "top", 0, "table, csv, json: only the N highest districts (0: every district; geojson keeps every district)")
			fs.Float64Var(&o.Simplify, "simplify", 0.005, "geojson: Douglas-Peucker tolerance in degrees (0.005 is about 500 m)")
			o.boundaries.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runHeatmap(ctx, env, &o, args)
		},
	})
}

func runHeatmap(ctx context.Context, env *Env, o *heatmapOptions, args []string) error {
	mi := -1
	for i, m := range metrics {
		if m.name == o.Metric {
			mi = i
		}
	}
	if mi < 0 {
		return usagef("unknown metric %q (count, kg, amount_pkr, victims, median, log, rank, killed, injured, rate, eb_rate, change, trend, gi or lisa)", o.Metric)
	}
	if _, ok := quantityMeasures[o.Metric]; ok {
		// --metric kg is the sum of --measure kg.
		switch o.Measure {
		case "count", "":
			o.Measure = o.Metric
		case o.Metric:
		default:
			return usagef("--metric %s with --measure %s: give one of them", o.Metric, o.Measure)
		}
	}
	if _, ok := quantityMeasures[o.Measure]; o.Metric == "median" && (!ok || o.Events != "") {
		return usagef("--metric median needs --measure kg, amount_pkr or victims (the median per incident of that quantity)")
	}
	if (o.Metric == "killed" || o.Metric == "injured") && o.Events == "" {
		return usagef("--metric %s needs --events TYPE (killed and injured are counted for context events)", o.Metric)
	}
	if o.Simplify < 0 {
		return usagef("--simplify must be 0 or more")
	}
	if o.Top < 0 {
		return usagef("--top must be 0 or more")
	}
	st, err := o.open(ctx, args, "table", "csv", "json", "geojson")
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := o.analyse(ctx, st)
	if err != nil {
		return err
	}
	metric := metrics[mi]
	ds := pointers(a.Districts)
	if metric.name == "eb_rate" && a.quantity != nil {
		return usagef("--metric eb_rate: no EB rate of a quantity (EB smoothing assumes counts of events); use rate, median, log or rank")
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if metric.name == "rank" {
			return ds[i].Rank < ds[j].Rank
		}
		return less(metric.value(ds[j]), metric.value(ds[i]))
	})
	all := len(ds)
	if o.Top > 0 && o.Top < len(ds) && o.Format != "geojson" {
		ds = ds[:o.Top]
	}
	switch o.Format {
	case "csv":
		return heatmapCSV(env.Stdout, a, metric.name, metric.value, ds)
	case "json":
		return heatmapJSON(env.Stdout, a, metric.name, metric.value, ds)
	case "geojson":
		return heatmapGeoJSON(ctx, env, o, st, a, metric.name, metric.value, ds)
	}
	doc := metric.doc
	if a.quantity != nil && metric.name == "count" {
		doc = a.quantity.doc // --measure kg: the sum of kg
	}
	if a.Denominator != nil {
		doc = strings.ReplaceAll(doc, "100,000 people", "100,000 "+a.Denominator.Measure)
	}
	a.header(env.Stdout, "heatmap of "+doc)
	if len(ds) < all {
		fmt.Fprintf(env.Stdout, "the %d highest of %d districts (--top)\n", len(ds), all)
	}
	return heatmapTable(env.Stdout, a, metric.name, metric.value, ds)
}

// pointers lists pointers to the districts, to sort without copying.
func pointers(ds []analysis.District) []*analysis.District {
	out := make([]*analysis.District, len(ds))
	for i := range ds {
		out[i] = &ds[i]
	}
	return out
}

// less orders NaN below every number, so a descending sort puts it last.
func less(a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return !math.IsNaN(b)
	case math.IsNaN(b):
		return false
	}
	return a < b
}

func heatmapTable(w io.Writer, a *analysed, metric string, value func(*analysis.District) float64, ds []*analysis.District) error {
	quantity := a.quantity != nil
	people := "population"
	if a.Denominator != nil {
		people = a.Denominator.Measure
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	crossing := ""
	if a.Crossings != nil {
		crossing = "nearest crossing\t"
	}
	fmt.Fprintf(tw, "rank\tcode\tdistrict\tprovince\t%s\t%s\t%s\t%snote\t\n", metric, a.figure(), people, crossing)
	for i, d := range ds {
		v := value(d)
		note := ""
		switch metric {
		case "gi":
			note = giLabel(d.GiBin)
		case "lisa":
			note = d.Lisa
		case "trend":
			note = d.Trend
			if d.Emerging != "" {
				note += " " + d.Emerging
			}
		case "change":
			note = "from " + commas(d.Base)
		}
		pop := "-"
		if d.Population > 0 {
			pop = commas(d.Population)
		}
		shown := dash(v, 2)
		switch {
		case metric == "rank":
			shown = strconv.Itoa(d.Rank)
		case quantity && (metric == "count" || metric == "kg" || metric == "amount_pkr" || metric == "victims"):
			shown = commasFloat(v, a.quantity.places())
		case metric == "count" || metric == "killed" || metric == "injured":
			shown = commas(int64(v)) // a count has no decimals
		}
		if a.Crossings != nil {
			c := a.Crossings[d.Code]
			crossing = fmt.Sprintf("%s %.1f km\t", c.Crossing, c.CrossingKm)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t\n", i+1, d.Code, d.Name, d.Province, shown, commas(d.Incidents), pop, crossing, note)
	}
	return tw.Flush()
}

func heatmapCSV(w io.Writer, a *analysed, metric string, value func(*analysis.District) float64, ds []*analysis.District) error {
	cw := csvout.NewWriter(w)
	head := []string{"district_code", "district", "province", metric, "incidents", "population", "population_year",
		"rate_per_100k", "eb_rate_per_100k", "change_pct", "trend_z", "trend_p", "gi_z", "gi_p", "gi_bin", "lisa_i", "lisa_p", "lisa",
		"emerging", "share_point", "share_name", "border", "guard"}
	if a.Events != "" {
		head[4] = "analysed_" + a.Measure // the figure analysed: events (count), killed or injured
		head = append(head, "events", "events_killed", "events_injured")
	}
	if a.Denominator != nil {
		head[5], head[6] = "denominator", "denominator_year" // --denominator's figure, not people
	}
	if a.quantity != nil {
		m := a.Measure
		head = append(head, m+"_sum", m+"_incidents", m+"_median", m+"_max", m+"_log10", m+"_rank", "basis")
	}
	if a.Crossings != nil {
		head = append(head, "crossing", "crossing_km")
	}
	cw.Write(head)
	for _, d := range ds {
		j := toJSON(*d)
		pop, year := "", ""
		if d.Population > 0 {
			pop, year = strconv.FormatInt(d.Population, 10), strconv.Itoa(d.PopulationYear)
		}
		rec := []string{d.Code, d.Name, d.Province, num(value(d), 6), strconv.FormatInt(d.Incidents, 10), pop, year,
			num(d.Rate, 6), num(d.EBRate, 6), num(d.Change, 6), num(d.TrendZ, 6), num(d.TrendP, 6), num(d.GiZ, 6), num(d.GiP, 6),
			strconv.Itoa(d.GiBin), num(d.LisaI, 6), num(d.LisaP, 6), d.Lisa, d.Emerging,
			num(float64(j.SharePoint), 4), num(float64(j.ShareName), 4), strconv.FormatBool(d.Border), a.Guard}
		if a.Events != "" {
			rec = append(rec, strconv.FormatInt(d.Records, 10), strconv.FormatInt(d.Killed, 10), strconv.FormatInt(d.Injured, 10))
		}
		if a.quantity != nil {
			q := a.Medians[d.Code]
			mx := ""
			if q.N > 0 {
				mx = decimal(q.Max, 6)
			}
			med := ""
			if !math.IsNaN(d.Median) {
				med = decimal(d.Median, 6)
			}
			rec = append(rec, decimal(d.Value, 6), strconv.FormatInt(q.N, 10), med, mx, decimal(math.Log10(1+d.Value), 6),
				strconv.Itoa(d.Rank), a.Basis)
		}
		if a.Crossings != nil {
			c := a.Crossings[d.Code]
			rec = append(rec, c.Crossing, num(c.CrossingKm, 3))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func heatmapJSON(w io.Writer, a *analysed, metric string, value func(*analysis.District) float64, ds []*analysis.District) error {
	type row struct {
		Value jsonNum `json:"value"`
		districtJSON
	}
	out := a.meta()
	out["metric"] = metric
	rows := make([]row, len(ds))
	for i, d := range ds {
		rows[i] = row{Value: jsonNum(value(d)), districtJSON: a.json(*d)}
	}
	out["districts"] = rows
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func heatmapGeoJSON(ctx context.Context, env *Env, o *heatmapOptions, st *store.Store, a *analysed, metric string,
	value func(*analysis.District) float64, ds []*analysis.District) error {
	b, err := o.boundaries.load(env)
	if err != nil {
		return err
	}
	res, _, err := st.Query(ctx, `SELECT value FROM meta WHERE key = 'boundaries_sha256'`, 1)
	if err != nil {
		return err
	}
	if len(res.Rows) == 1 && res.Rows[0][0].Text != b.SHA256 {
		return fmt.Errorf("%s is not the boundary file %s was built with (sha256 %.12s…); give that one with --boundaries",
			b.Path, o.DB, res.Rows[0][0].Text)
	}
	index := map[string]int{}
	for i, d := range b.Districts {
		index[d.Code] = i
	}
	fc := geojson.NewFeatureCollection()
	for _, d := range ds {
		i, ok := index[d.Code]
		if !ok {
			continue
		}
		var g orb.Geometry = b.Polygons[i].Clone()
		if o.Simplify > 0 {
			g = simplify.DouglasPeucker(o.Simplify).Simplify(g)
		}
		f := geojson.NewFeature(g)
		raw, err := json.Marshal(a.json(*d))
		if err != nil {
			return err
		}
		props := map[string]any{}
		json.Unmarshal(raw, &props)
		props["metric"] = metric
		props["value"] = jsonNum(value(d))
		f.Properties = props
		fc.Append(f)
	}
	for k, v := range a.meta() {
		fc.ExtraMembers = setExtra(fc.ExtraMembers, k, v)
	}
	enc := json.NewEncoder(env.Stdout)
	return enc.Encode(fc)
}

func setExtra(m geojson.Properties, k string, v any) geojson.Properties {
	if m == nil {
		m = geojson.Properties{}
	}
	m["ocmap_"+k] = v
	return m
}
