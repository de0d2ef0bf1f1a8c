//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/store"
)

type flowsOptions struct {
	DB, Category, From, To, By, Format, Map string
	Province                                string
	Subcategories                           []string
	MinCell                                 int64
	Top, MapTop                             int
	Regions                                 bool
	boundaries                              boundaryOptions
}

func init() {
	var o flowsOptions
	register(&Command{
		Name:  "flows",
		Usage: "--db FILE --category drug_trafficking|human_trafficking [--from YYYY-MM] [--to YYYY-MM] [--by month|year] [--province P] [--subcategory CODE] [--format table|csv|json|geojson] [--map FILE.svg|FILE.png] [--min-cell N]",
		Short: "where trafficked people and drugs come from and go: origin -> destination flows",
		Long: `Counts the incidents of drug or human trafficking per origin and destination.
Each end is a district (matched by the gazetteer, as ingest places rows) or a
country (ISO 3166-1 alpha-2; the names, demonyms, main cities and Urdu names
are in ocmap's data/flows/countries.csv: Afghan, Irani, Dubai, Saudia,
Yunan...). "Gulf" and "Europe" are groups (codes XG and XE); --regions folds
every Gulf state into XG and every European country into XE.

Which field gives an end:
  origin       the origin field; else the first place of the route; else, for
               trafficking, a foreign nationality (Afghan -> AF)
  destination  the destination field; else the last place of the route; else,
               for a drug seizure, the district where it was seized
A route is split at dashes, arrows, commas and the words to, via, through (and
their Urdu forms); a route of one place is a seizure's site and gives neither
end. A field that is given but not resolved leaves its end unresolved: ocmap
does not try the next one, nor guess. The incidents without both ends are
counted by reason below the table ("Karachi" names six districts, for
instance; write the district).

An incident reported by several sources counts once (incidents), as in
summary; records counts every source's record. victims (trafficking) and kg
(drugs) add up the incidents' own figures.

--min-cell N withholds every flow of fewer than N incidents from every output
(the table, CSV, JSON, GeoJSON and the map), as export suppresses small
counts, and says how many flows it withheld; it then leaves out the counts of
unresolved incidents, which with the category's total would reveal them.

--map FILE.svg or FILE.png draws the flows as arrows over the districts, as
wide as their incidents, with the ends named; countries are drawn at the
map's edge in their direction; the official border crossings and ports
(data/flows/crossings.csv) are marked. GeoJSON has one LineString per flow, from an
interior point of the origin district (or the country's anchor point, inside
that country) to the destination's. Both need the boundary file the database
was built with (--boundaries, or the installed one).

Examples:
  ocmap flows --db crime.duckdb --category human_trafficking
  ocmap flows --db crime.duckdb --category drug_trafficking --subcategory heroin --by year
  ocmap flows --db crime.duckdb --category human_trafficking --regions --map flows.svg --min-cell 10
  ocmap flows --db crime.duckdb --category human_trafficking --format geojson > flows.geojson`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
			fs.StringVar(&o.Category, "category", "human_trafficking", "drug_trafficking or human_trafficking")
			addSubcategoryFlag(fs, &o.Subcategories)
			fs.StringVar(&o.From, "from", "", "first month, YYYY-MM (default: the first with data)")
			fs.StringVar(&o.To, "to", "", "last month, YYYY-MM, inclusive (default: the last with data)")
			fs.StringVar(&o.Province, "province", "", "only the incidents placed in this province (e.g. Punjab, KP, Sindh), wherever they came from or went")
			fs.StringVar(&o.By, "by", "", "one row per flow and month or year (default: the whole period)")
			fs.StringVar(&o.Format, "format", "table", "output format: table, csv, json or geojson")
			fs.StringVar(&o.Map, "map", "", "also draw the flow map into this file, .svg or .png")
			fs.Int64Var(&o.MinCell, "min-cell", 0, "withhold flows of fewer than this many incidents from every output (0: none)")
			fs.IntVar(&o.Top, "top", 25, "table: the N largest flows (0: all)")
			fs.IntVar(&o.MapTop, "map-top", 40, "--map: draw the N largest flows (0: all), so that the map stays readable")
			fs.BoolVar(&o.Regions, "regions", false, "fold countries into their groups: Gulf states (XG), Europe (XE)")
			o.boundaries.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error { return runFlows(ctx, env, &o, args) },
	})
}

// countries reads ocmap's countries table.
func countries() (*geo.Countries, error) {
	return geo.ReadCountries(bytes.NewReader(data.Countries), "data/flows/countries.csv")
}

// flowsView is what the command prints: the flows a published output may
// show, and what it withheld.
type flowsView struct {
	*flows.Result
	From, To string
	MinCell  int64 `json:"min_cell,omitempty"`
	Withheld int   `json:"withheld_flows"`
	// Codes and Province narrow the flows; the table and the map say so.
	Codes    []string `json:"-"`
	Province string   `json:"-"`
}

// scope names what the flows are of: the category, the subcategory codes
// asked for and the province ("drug trafficking (heroin), Punjab").
func (v *flowsView) scope() string {
	s := scopeText(strings.ReplaceAll(v.Category, "_", " "), v.Codes)
	if v.Province != "" {
		s += ", " + v.Province
	}
	return s
}

func runFlows(ctx context.Context, env *Env, o *flowsOptions, args []string) error {
	switch {
	case o.DB == "":
		return usagef("--db is required")
	case len(args) > 0:
		return usagef("unexpected argument %q", args[0])
	case !slices.Contains(flows.Categories, o.Category):
		return usagef("--category %q: flows are of drug_trafficking or human_trafficking (their records carry origins and destinations)", o.Category)
	case !slices.Contains([]string{"table", "csv", "json", "geojson"}, o.Format):
		return usagef("unknown format %q (table, csv, json, geojson)", o.Format)
	case o.By != "" && o.By != flows.ByMonth && o.By != flows.ByYear:
		return usagef("--by %q: want month or year", o.By)
	case o.MinCell < 0:
		return usagef("--min-cell must be 0 or more")
	case o.Map != "" && !slices.Contains([]string{".svg", ".png"}, strings.ToLower(filepath.Ext(o.Map))):
		return usagef("--map %q: want a .svg or .png file", o.Map)
	}
	from, err := parseMonth("from", o.From)
	if err != nil {
		return err
	}
	to, err := parseMonth("to", o.To)
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return usagef("--to %s is before --from %s", o.To, o.From)
	}
	province := ""
	if o.Province != "" {
		p, ok := geo.NormalizeProvince(o.Province)
		if !ok {
			return usagef("unknown province %q", o.Province)
		}
		province = p
	}
	loc, err := o.boundaries.locator(env)
	if err != nil {
		return err
	}
	cs, err := countries()
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	b := loc.Boundaries()
	if err := checkDBBoundaries(ctx, st, b, o.DB); err != nil {
		return err
	}
	sub, err := resolveSubcategories(ctx, st, o.Category, o.Subcategories)
	if err != nil {
		return err
	}
	res, err := flows.Compute(ctx, st, flows.NewResolver(loc.Gazetteer(), cs),
		flows.Query{Category: o.Category, From: from, To: to, By: o.By, Sub: sub.Filter, Regions: o.Regions, Province: province})
	if err != nil {
		return err
	}
	v := &flowsView{Result: res, From: o.From, To: o.To, MinCell: o.MinCell, Codes: sub.Codes, Province: province}
	v.Flows, v.Withheld = flows.Publishable(res.Flows, o.MinCell)
	if o.MinCell > 0 {
		// With the category's total (summary), the unresolved counts
		// would give the sum of the withheld flows.
		v.Unresolved, v.Bases = flows.Unresolved{}, nil
	}
	anchors := flows.NewAnchors(b, cs)
	if o.Map != "" {
		if err := writeFlowMap(o, v, b, anchors); err != nil {
			return err
		}
	}
	switch o.Format {
	case "csv":
		return flows.WriteCSV(env.Stdout, v.Flows)
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "geojson":
		fc, err := flows.GeoJSON(v.Flows, anchors)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(env.Stdout)
		return enc.Encode(fc)
	}
	flowsTable(env.Stdout, v, o.Top)
	if o.Map != "" {
		fmt.Fprintf(env.Stdout, "\nmap: %s\n", o.Map)
	}
	return nil
}

// flowsPeriod names the period asked for.
func flowsPeriod(from, to string) string {
	switch {
	case from == "" && to == "":
		return "all months"
	case from == "":
		return "to " + to
	case to == "":
		return "from " + from
	}
	return from + " to " + to
}

func flowsTable(w io.Writer, v *flowsView, top int) {
	what := v.scope()
	if v.MinCell > 0 {
		fmt.Fprintf(w, "flows of %s, %s: %s flows shown; %s flows of fewer than %d incidents withheld (--min-cell)\n",
			what, flowsPeriod(v.From, v.To), commas(int64(len(v.Flows))), commas(int64(v.Withheld)), v.MinCell)
	} else {
		fmt.Fprintf(w, "flows of %s, %s: %s incidents, %s with both ends resolved, in %s flows\n",
			what, flowsPeriod(v.From, v.To), commas(v.Incidents), commas(v.Incidents-v.Unresolved.Incidents), commas(int64(len(v.Flows))))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	quantity := "victims"
	if v.Category == "drug_trafficking" {
		quantity = "kg"
	}
	fmt.Fprintf(tw, "period\torigin\t\tdestination\t\tincidents\trecords\t%s\t\n", quantity)
	for i, f := range v.Flows {
		if top > 0 && i == top {
			fmt.Fprintf(tw, "\t… %d more flows (--top 0 shows all)\t\t\t\t\t\t\t\n", len(v.Flows)-top)
			break
		}
		q := f.Victims
		if v.Category == "drug_trafficking" {
			q = f.Kg
		}
		period := f.Period
		if period == "" {
			period = "all"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t\n", period, f.Origin.Name, endKind(f.Origin), f.Destination.Name,
			endKind(f.Destination), f.Incidents, f.Records, strconv.FormatFloat(q, 'f', -1, 64))
	}
	tw.Flush()
	if v.MinCell > 0 {
		return
	}
	if v.Unresolved.Incidents > 0 {
		fmt.Fprintf(w, "\nunresolved: %s incidents without an origin or a destination\n", commas(v.Unresolved.Incidents))
		for _, side := range []struct {
			name string
			m    map[string]int64
		}{{"origin", v.Unresolved.Origin}, {"destination", v.Unresolved.Destination}} {
			var reasons []string
			for r := range side.m {
				reasons = append(reasons, r)
			}
			slices.SortFunc(reasons, func(a, b string) int { return int(side.m[b] - side.m[a]) })
			for _, r := range reasons {
				fmt.Fprintf(w, "  %-12s %-38s %s\n", side.name, r, commas(side.m[r]))
			}
		}
	}
	if len(v.Bases) > 0 {
		var keys []string
		for k := range v.Bases {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Fprintf(w, "\nends resolved from:")
		for _, k := range keys {
			fmt.Fprintf(w, " %s %s;", k, commas(v.Bases[k]))
		}
		fmt.Fprintln(w)
	}
}

// endKind is the column beside an end's name: its province or country code.
func endKind(e flows.End) string {
	if e.Kind == flows.District {
		return e.Province
	}
	return e.Code
}

// writeFlowMap draws v's flows into o.Map.
func writeFlowMap(o *flowsOptions, v *flowsView, b *geo.Boundaries, a *flows.Anchors) error {
	marks, err := crossingMarks()
	if err != nil {
		return err
	}
	m, pairs, err := flows.Map(b, v.Flows, a, marks, o.MapTop)
	if err != nil {
		return err
	}
	m.Title = flowTitle(v.Category, v.Codes)
	m.Subtitle = flowsPeriod(v.From, v.To)
	if v.Province != "" {
		m.Subtitle += ", " + v.Province
	}
	m.Note = flowNote(m.Lines, pairs, v.MinCell, v.Withheld)
	m.Label = "INTERNAL"
	if o.MinCell > 0 {
		m.Label = "PRELIMINARY"
	}
	f, err := os.Create(o.Map)
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(o.Map), ".png") {
		err = m.PNG(f)
	} else {
		err = m.SVG(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// flowTitle is a flow map's title, with the subcategory codes the flows
// are limited to.
func flowTitle(category string, codes []string) string {
	if category == "drug_trafficking" {
		return scopeText("Drug trafficking", codes) + ": where seized drugs came from and were going"
	}
	return scopeText("Human trafficking and migrant smuggling", codes) + ": where victims came from and were taken"
}

// flowNote says how to read a flow map of pairs origin -> destination
// pairs, of which lines are drawn.
func flowNote(lines []render.Line, pairs int, minCell int64, withheld int) string {
	widest, least := 0.0, math.Inf(1)
	for _, l := range lines {
		widest, least = max(widest, l.Value), min(least, l.Value)
	}
	s := fmt.Sprintf("Arrow width: incidents (the widest %s).", strconv.FormatFloat(widest, 'f', -1, 64))
	if len(lines) < pairs {
		s += fmt.Sprintf(" The %d largest of %d flows are drawn (%s incidents or more); the table lists them all.",
			len(lines), pairs, strconv.FormatFloat(least, 'f', -1, 64))
	}
	s += " Countries outside the frame are drawn at its edge, in their direction. Diamonds: official border crossings and ports." +
		" Incidents without a resolved origin or destination are not drawn."
	if minCell > 0 {
		s += fmt.Sprintf(" Flows of fewer than %d incidents are not drawn (%d withheld).", minCell, withheld)
	}
	return s
}

// crossingMarks are the official border crossings and ports ocmap ships
// (data/flows/crossings.csv), which the flow maps mark and name.
func crossingMarks() ([]render.Mark, error) {
	cs, err := pipeline.ShippedCrossings()
	if err != nil {
		return nil, err
	}
	var out []render.Mark
	for _, c := range cs {
		out = append(out, render.Mark{Lon: c.Point[0], Lat: c.Point[1], Name: c.Name})
	}
	return out, nil
}
