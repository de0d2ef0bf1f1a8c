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

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
)

func init() {
	var h, t, l analysisOptions
	register(&Command{
		Name:  "hotspots",
		Usage: "--db FILE [--category C [--subcategory CODE]... | --events TYPE] [--measure M [--scale S]] [--denominator FILE] [--from YYYY-MM] [--to YYYY-MM] [--province P] [--near-border KM] [--inference normal|permutation] [--min-incidents N] [--publish-sources LIST] [--format table|csv|json]",
		Short: "significant hot and cold spots and clusters, per district",
		Long: `Lists the districts that are significant hot or cold spots (Getis-Ord Gi*
with binary queen weights, as ArcGIS's Hot Spot Analysis, binned at 90, 95
and 99% confidence after a False Discovery Rate correction) or members of a
Local Moran's I cluster (HH high among high, LL, HL high among low, LH;
pseudo p-values from seeded conditional permutations, as esda's Moran_Local,
with ties counted on both sides), with the emerging hot spot class of their
monthly series. Hot spots, clusters and emerging classes are computed on the
same districts and values: EB smoothed rates over the districts with a
population when the database has one (each month's EB rates for emerging
classes), counts over every district otherwise.
--format csv and json list every district, significant or not.

Gi* p-values come from the normal approximation (--inference normal, the
default, as ArcGIS) or from --permutations conditional permutations
(--inference permutation, seeded by --seed: the same seed gives the same
p-values), which holds on skewed rates where the normal p is far too small.
A permutation p is at least 2/(permutations + 1) (0.002 with 999), and the
FDR correction asks the smallest p of n districts to be at most q/n (q =
0.10, 0.05, 0.01 for the 90, 95, 99% bins): on 136 districts and 999
permutations a bin needs several districts significant together. Use
--permutations 99999 (about 14 s for a year of 160 districts) for the full
range of bins.

With fewer than --min-incidents incidents in the period (default 30; 0 for
no minimum) no district gets a hot spot, cluster or emerging class: on so
few incidents one incident makes its neighbours "hot". The z-scores and
p-values are still printed, and every output (table header, the CSV guard
column, the JSON guard member) says why.

--events TYPE analyses a context event type (e.g. suicide_attack) instead
of a category: events, or the killed or injured in them (--measure); the
guard then counts events.

` + publishHelp + `

Examples:
  ocmap hotspots --db crime.duckdb --category drug_trafficking
  ocmap hotspots --db crime.duckdb --from 2023-01 --to 2023-12 --format csv > hotspots.csv
  ocmap hotspots --db crime.duckdb --format json --publish-sources "ANF,Punjab Police,FIA" > hotspots.json`,
		Flags: func(fs *pflag.FlagSet) { h.addFlags(fs, "table, csv or json", "base") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runAnalysis(ctx, env, &h, args, "hot spots and clusters", hotspotsTable, hotspotsSort)
		},
	})
	register(&Command{
		Name:  "trends",
		Usage: "--db FILE [--category C [--subcategory CODE]... | --events TYPE] [--measure M] [--denominator FILE] [--from YYYY-MM] [--to YYYY-MM] [--base-from YYYY-MM --base-to YYYY-MM] [--province P] [--near-border KM] [--publish-sources LIST] [--format table|csv|json]",
		Short: "change between periods, monthly trends and emerging hot spots, per district",
		Long: `For each district: incidents in the period and in the base period (by
default the period of the same length just before), the percent change, the
Mann-Kendall trend test over the months of the period (S, z, p and Kendall's
tau; "up" or "down" when p is below --alpha), and the emerging hot spot class
(new, consecutive, intensifying, persistent, diminishing, sporadic,
oscillating, historical hot or cold spot) from monthly Gi* z-scores and their
Mann-Kendall trend, in the spirit of ArcGIS's Emerging Hot Spot Analysis
(spatial Gi* per month, not a space-time cube) on the same districts and
values as hotspots' Gi* (each month's EB rates with a population). Districts
with a significant trend or a class come first. --inference and
--min-incidents work as for hotspots; so does --events TYPE (--measure
count, killed or injured).

` + publishHelp + `

Examples:
  ocmap trends --db crime.duckdb --category cybercrime --from 2023-01 --to 2024-12
  ocmap trends --db crime.duckdb --from 2024-01 --to 2024-06 --base-from 2023-01 --base-to 2023-06
  ocmap trends --db crime.duckdb --publish-sources-file approved-sources.txt`,
		Flags: func(fs *pflag.FlagSet) { t.addFlags(fs, "table, csv or json") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runAnalysis(ctx, env, &t, args, "trends", trendsTable, trendsSort)
		},
	})
	register(&Command{
		Name:  "links",
		Usage: "--db FILE [--subcategory CODE]... [--events TYPE,...|all] [--denominator FILE] [--from YYYY-MM] [--to YYYY-MM] [--province P] [--near-border KM] [--publish-sources LIST] [--format table|csv|json]",
		Short: "where the four crimes overlap, and border districts against interior ones",
		Long: `For each pair of categories: the Spearman rank correlation of their district
figures (EB rates with a population, counts without) and Leslie and
Kronenfeld's co-location quotient both ways: the share of B among the other
incidents in and around the district of an average A incident (its district
and the contiguous ones), over B's share of the two categories' incidents
(1: no association; above 1: A happens where B is; below 1: apart). Then,
per category, the districts touching the national
border on land against the interior ones: districts, incidents, population
and rate per 100,000.

` + publishHelp + `

--events TYPE[,TYPE...] (or all) adds each category against each context
event type (the same measures, events counted once each): how terror
financing meets the attacks it pays for.

Examples:
  ocmap links --db crime.duckdb
  ocmap links --db crime.duckdb --events suicide_attack
  ocmap links --db crime.duckdb --from 2023-01 --to 2023-12 --format json --publish-sources "ANF,FIA"`,
		Flags: func(fs *pflag.FlagSet) { l.addFlags(fs, "table, csv or json", "category", "base") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runLinks(ctx, env, &l, args)
		},
	})
}

// runAnalysis runs an analysis and prints it: the table sorted by order,
// or every district as CSV or JSON.
func runAnalysis(ctx context.Context, env *Env, o *analysisOptions, args []string, what string,
	table func(io.Writer, *analysed, []*analysis.District) error, order func(a, b *analysis.District) bool) error {
	st, err := o.open(ctx, args, "table", "csv", "json")
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := o.analyse(ctx, st)
	if err != nil {
		return err
	}
	ds := pointers(a.Districts)
	sort.SliceStable(ds, func(i, j int) bool { return order(ds[i], ds[j]) })
	switch o.Format {
	case "csv":
		return analysisCSV(env.Stdout, a, ds)
	case "json":
		out := a.meta()
		rows := make([]districtJSON, len(ds))
		for i, d := range ds {
			rows[i] = a.json(*d)
		}
		out["districts"] = rows
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	a.header(env.Stdout, what)
	return table(env.Stdout, a, ds)
}

// hotspotsSort puts significant districts first, hottest first.
func hotspotsSort(a, b *analysis.District) bool {
	sa, sb := a.GiBin != 0 || a.Lisa != "", b.GiBin != 0 || b.Lisa != ""
	if sa != sb {
		return sa
	}
	return less(b.GiZ, a.GiZ)
}

func hotspotsTable(w io.Writer, a *analysed, ds []*analysis.District) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	second, value := "EB rate", func(d *analysis.District) string { return dash(d.EBRate, 2) }
	if q := a.quantity; q != nil { // no EB rate of a quantity: its sum instead
		second, value = q.unit, func(d *analysis.District) string { return commasFloat(d.Value, q.places()) }
	}
	fmt.Fprintln(tw, "code\tdistrict\tprovince\t"+a.figure()+"\t"+second+"\tGi* z\tGi* p\thot spot\tLISA\tLISA p\temerging\t")
	shown := 0
	for _, d := range ds {
		if d.GiBin == 0 && d.Lisa == "" {
			continue
		}
		shown++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", d.Code, d.Name, d.Province, commas(d.Incidents),
			value(d), dash(d.GiZ, 2), dash(d.GiP, 4), giLabel(d.GiBin), d.Lisa, dash(d.LisaP, 3), d.Emerging)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if shown == 0 {
		fmt.Fprintln(w, "no district is a significant hot or cold spot, or in a cluster, in this scope")
	} else {
		fmt.Fprintf(w, "\n%d of %d districts shown: the others are not significant (--format csv lists all)\n", shown, len(ds))
	}
	return nil
}

// trendsSort puts districts with a significant trend or a class first, by
// trend z.
func trendsSort(a, b *analysis.District) bool {
	sa, sb := a.Trend != "" || a.Emerging != "", b.Trend != "" || b.Emerging != ""
	if sa != sb {
		return sa
	}
	if math.Abs(a.TrendZ) != math.Abs(b.TrendZ) {
		return less(math.Abs(b.TrendZ), math.Abs(a.TrendZ))
	}
	return a.Incidents > b.Incidents
}

func trendsTable(w io.Writer, a *analysed, ds []*analysis.District) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	figure, value, base := a.figure(), func(d *analysis.District) string { return commas(d.Incidents) },
		func(d *analysis.District) string { return commas(d.Base) }
	if q := a.quantity; q != nil { // change and trends are of the sums
		figure = q.unit
		value = func(d *analysis.District) string { return commasFloat(d.Value, q.places()) }
		base = func(d *analysis.District) string { return commasFloat(d.BaseValue, q.places()) }
	}
	fmt.Fprintln(tw, "code\tdistrict\tprovince\t"+figure+"\tbase\tchange %\tMK S\tMK z\tMK p\ttau\ttrend\temerging\t")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", d.Code, d.Name, d.Province, value(d),
			base(d), dash(d.Change, 1), dash(d.TrendS, 0), dash(d.TrendZ, 2), dash(d.TrendP, 4), dash(d.TrendTau, 3),
			d.Trend, d.Emerging)
	}
	return tw.Flush()
}

// analysisCSV writes every measure of every district; guard, when not "",
// fills the guard column of every row (why no district has a class).
func analysisCSV(w io.Writer, a *analysed, ds []*analysis.District) error {
	cw := csvout.NewWriter(w)
	head := []string{"district_code", "district", "province", "border", "incidents", "records", "victims", "quantity_kg", "amount_pkr",
		"population", "population_year", "rate_per_100k", "eb_rate_per_100k", "base_incidents", "change_pct",
		"trend_s", "trend_z", "trend_p", "trend_tau", "trend", "emerging", "gi_z", "gi_p", "gi_bin", "lisa_i", "lisa_p", "lisa",
		"share_point", "share_name", "guard"}
	if a.Events != "" {
		head[4] = "analysed_" + a.Measure // the figure analysed: events (count), killed or injured
		head = append(head, "events", "events_killed", "events_injured")
	}
	if a.Denominator != nil {
		head[9], head[10] = "denominator", "denominator_year" // --denominator's figure, not people
	}
	if a.quantity != nil {
		head = append(head, a.Measure+"_sum", a.Measure+"_median", "basis")
	}
	cw.Write(head)
	for _, d := range ds {
		j := toJSON(*d)
		pop, year := "", ""
		if d.Population > 0 {
			pop, year = strconv.FormatInt(d.Population, 10), strconv.Itoa(d.PopulationYear)
		}
		rec := []string{d.Code, d.Name, d.Province, strconv.FormatBool(d.Border), strconv.FormatInt(d.Incidents, 10),
			strconv.FormatInt(d.Records, 10), strconv.FormatInt(d.Victims, 10), num(d.Quantity, 6), num(d.AmountPKR, 2),
			pop, year, num(d.Rate, 6), num(d.EBRate, 6), strconv.FormatInt(d.Base, 10), num(d.Change, 6),
			num(d.TrendS, 0), num(d.TrendZ, 6), num(d.TrendP, 6), num(d.TrendTau, 6), d.Trend, d.Emerging,
			num(d.GiZ, 6), num(d.GiP, 6), strconv.Itoa(d.GiBin), num(d.LisaI, 6), num(d.LisaP, 6), d.Lisa,
			num(float64(j.SharePoint), 4), num(float64(j.ShareName), 4), a.Guard}
		if a.Events != "" {
			rec = append(rec, strconv.FormatInt(d.Records, 10), strconv.FormatInt(d.Killed, 10), strconv.FormatInt(d.Injured, 10))
		}
		if a.quantity != nil {
			med := ""
			if !math.IsNaN(d.Median) {
				med = decimal(d.Median, 6)
			}
			rec = append(rec, decimal(d.Value, 6), med, a.Basis)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func runLinks(ctx context.Context, env *Env, o *analysisOptions, args []string) error {
	st, err := o.open(ctx, args, "table", "csv", "json")
	if err != nil {
		return err
	}
	defer st.Close()
	o.Category = "all"
	o.keepCategories = true // --subcategory narrows its category against the others
	events := o.Events
	o.Events = "" // the header and period are the categories'
	if o.Measure != "" && o.Measure != "count" {
		return usagef("links counts events: --measure is not used")
	}
	a, err := o.analyse(ctx, st) // checks the flags, finds the period, gives the header
	if err != nil {
		return err
	}
	var types []string
	if events != "" {
		if events == "all" {
			if types, err = st.EventTypes(ctx); err != nil {
				return err
			}
			if len(types) == 0 {
				return usagef("--events all: the database has no context events (ingest them with a kind: context layout)")
			}
		} else {
			for _, t := range strings.Split(events, ",") {
				t = strings.TrimSpace(t)
				if err := checkEventType(ctx, st, t); err != nil {
					return err
				}
				types = append(types, t)
			}
		}
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		return err
	}
	if a.Province != "" {
		kept := ds[:0:0]
		for _, d := range ds {
			if d.Province == a.Province {
				kept = append(kept, d)
			}
		}
		ds = kept
	}
	if ds, err = o.nearBorder(ds); err != nil {
		return err
	}
	nbrs, err := st.Neighbors(ctx)
	if err != nil {
		return err
	}
	cells, err := st.Cells(ctx, store.CellFilter{Province: a.Province, Sub: a.sub, NearBorderKm: a.NearBorder})
	if err != nil {
		return err
	}
	pop := a.pop                                       // the population, or --denominator's figures
	cells = store.KeepPrecision(cells, o.MaxPrecision) // as the header counts
	m := analysis.LoadMap(ctx, ds, nbrs)
	links, sides := analysis.Links(m, cells, pop, a.Period, o.options())
	var eventLinks []analysis.Link
	if len(types) > 0 {
		ev, err := st.EventCells(ctx, store.CellFilter{Province: a.Province, NearBorderKm: a.NearBorder}, o.MaxPrecision)
		if err != nil {
			return err
		}
		eventLinks = analysis.EventLinks(m, cells, ev, types, pop, a.Period, o.options())
	}
	switch o.Format {
	case "json":
		type linkJSON struct {
			A, B     string
			Spearman jsonNum `json:"spearman"`
			CLQ      jsonNum `json:"clq_ab"`
			BA       jsonNum `json:"clq_ba"`
		}
		type sideJSON struct {
			Category   string  `json:"category"`
			Border     bool    `json:"border"`
			Districts  int     `json:"districts"`
			Incidents  int64   `json:"incidents"`
			Population int64   `json:"population"`
			Rate       jsonNum `json:"rate_per_100k"`
		}
		out := a.meta()
		delete(out, "category")
		var lj []linkJSON
		for _, l := range links {
			lj = append(lj, linkJSON{A: l.A, B: l.B, Spearman: jsonNum(l.Spearman), CLQ: jsonNum(l.CLQ), BA: jsonNum(l.BA)})
		}
		var sj []sideJSON
		for _, s := range sides {
			sj = append(sj, sideJSON{s.Category, s.Border, s.Districts, s.Incidents, s.Population, jsonNum(s.Rate)})
		}
		out["links"], out["border"] = lj, sj
		if len(types) > 0 {
			ej := []linkJSON{}
			for _, l := range eventLinks {
				ej = append(ej, linkJSON{A: l.A, B: l.B, Spearman: jsonNum(l.Spearman), CLQ: jsonNum(l.CLQ), BA: jsonNum(l.BA)})
			}
			out["event_types"], out["event_links"] = types, ej
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		cw := csvout.NewWriter(env.Stdout)
		cw.Write([]string{"table", "category_a", "category_b", "spearman", "clq_ab", "clq_ba", "border", "districts", "incidents", "population", "rate_per_100k"})
		for _, l := range links {
			cw.Write([]string{"links", l.A, l.B, num(l.Spearman, 6), num(l.CLQ, 6), num(l.BA, 6), "", "", "", "", ""})
		}
		for _, l := range eventLinks {
			cw.Write([]string{"event_links", l.A, l.B, num(l.Spearman, 6), num(l.CLQ, 6), num(l.BA, 6), "", "", "", "", ""})
		}
		for _, s := range sides {
			cw.Write([]string{"border", s.Category, "", "", "", "", strconv.FormatBool(s.Border), strconv.Itoa(s.Districts),
				strconv.FormatInt(s.Incidents, 10), strconv.FormatInt(s.Population, 10), num(s.Rate, 6)})
		}
		cw.Flush()
		return cw.Error()
	}
	a.Category = "all"
	a.forLinks = true
	a.header(env.Stdout, "links between categories")
	w := env.Stdout
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category A\tcategory B\tSpearman\tCLQ A→B\tCLQ B→A\t")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", l.A, l.B, dash(l.Spearman, 3), dash(l.CLQ, 3), dash(l.BA, 3))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(eventLinks) > 0 {
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "category\tcontext events\tSpearman\tCLQ cat.→events\tCLQ events→cat.\t")
		for _, l := range eventLinks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", l.A, l.B, dash(l.Spearman, 3), dash(l.CLQ, 3), dash(l.BA, 3))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tdistricts\tborder: incidents\tper 100k\tdistricts\tinterior: incidents\tper 100k\t")
	for i := 0; i+1 < len(sides); i += 2 {
		b, in := sides[i], sides[i+1]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%s\t\n", b.Category, b.Districts, commas(b.Incidents), dash(b.Rate, 2),
			in.Districts, commas(in.Incidents), dash(in.Rate, 2))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nborder: districts touching the national border on land (coast excluded). Spearman on EB rates with a population, else counts.")
	return nil
}
