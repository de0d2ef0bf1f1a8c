//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/export"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// analysisOptions are the flags the analyst commands share.
type analysisOptions struct {
	DB, Category, From, To, Province, Format string
	BaseFrom, BaseTo                         string
	Inference                                string
	Events, Measure                          string // a context event type instead of a category; what is counted (count, killed, injured; kg, amount_pkr, victims)
	Subcategories                            []string
	Scale                                    string // hot spot basis of a quantity measure
	Denominator, Spread                      string // rates per 100,000 of a file's measure, and how province figures spread
	Permutations, MaxPrecision, MinIncidents int
	Seed                                     uint64
	Alpha                                    float64
	NearBorder                               float64 // km: only the districts within it of an official crossing; 0 for all
	nearBorderSet                            bool    // --near-border was given (0 is then an error, not "all")
	publish                                  publishOptions
	approved                                 []string // source names the output may show (publish, read by open)
	keepCategories                           bool     // links: --subcategory narrows its category, the others stay
}

// addFlags defines the shared flags, except those named in without (a
// command defines only the flags it uses: "category" for links, which
// compares every pair, "base" for commands that compare no periods).
func (o *analysisOptions) addFlags(fs *pflag.FlagSet, formats string, without ...string) {
	fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
	o.Category = analysis.AllCategories
	if !slices.Contains(without, "category") {
		fs.StringVar(&o.Category, "category", "all", "terror_financing, drug_trafficking, human_trafficking, cybercrime, or all")
	}
	addSubcategoryFlag(fs, &o.Subcategories)
	if !slices.Contains(without, "events") {
		fs.StringVar(&o.Events, "events", "", "a context event type (e.g. suicide_attack; see ocmap sql 'SELECT DISTINCT event_type FROM context_events') instead of a category")
	}
	fs.StringVar(&o.Measure, "measure", "count", "what rates, hot spots, clusters and trends count: count (incidents, or events with --events); "+
		"kg (drugs seized), amount_pkr (terror financing, fraud) or victims (trafficking); with --events killed or injured")
	fs.StringVar(&o.Scale, "scale", "", "with --measure kg, amount_pkr or victims: hot spots and clusters on log (log10(1+sum), the default), rank or raw sums (a few large seizures dominate raw sums)")
	fs.StringVar(&o.Denominator, "denominator", "", "rates per 100,000 of this CSV's measure instead of people: columns district (or province), year, value, measure (e.g. mobile_subscriptions)")
	fs.StringVar(&o.Spread, "spread", "", "with --denominator: spread province figures over their districts by population share (population); without it a province figure is an error")
	fs.StringVar(&o.From, "from", "", "first month, YYYY-MM (default: the first month with data)")
	fs.StringVar(&o.To, "to", "", "last month, YYYY-MM, inclusive (default: the last month with data)")
	fs.StringVar(&o.Province, "province", "", "only the districts of this province (e.g. Punjab, KP, Sindh)")
	o.NearBorder, o.nearBorderSet = 0, false // fs.Var sets no default
	fs.Var(kmFlag{&o.NearBorder, &o.nearBorderSet}, "near-border", nearBorderHelp)
	if !slices.Contains(without, "base") {
		fs.StringVar(&o.BaseFrom, "base-from", "", "first month of the period that change compares with (default: as long as the period, just before it)")
		fs.StringVar(&o.BaseTo, "base-to", "", "last month of that base period")
	}
	fs.IntVar(&o.Permutations, "permutations", analysis.DefaultPermutations, "permutations for Local Moran's I p-values, and for Gi* with --inference permutation")
	fs.Uint64Var(&o.Seed, "seed", analysis.DefaultSeed, "seed of the permutations (the same seed gives the same p-values)")
	fs.Float64Var(&o.Alpha, "alpha", analysis.DefaultAlpha, "significance level of clusters, trends and emerging hot spots")
	fs.StringVar(&o.Inference, "inference", analysis.Normal, "Gi* p-values: normal (normal approximation, as ArcGIS) or permutation (conditional permutations, seeded by --seed)")
	fs.IntVar(&o.MinIncidents, "min-incidents", analysis.DefaultMinIncidents,
		"no hot spot, cluster or emerging class when the period has fewer incidents than this (0: no minimum)")
	fs.IntVar(&o.MaxPrecision, "max-precision", 4, maxPrecisionHelp)
	fs.StringVar(&o.Format, "format", "table", "output format: "+formats)
	o.publish.AddFlags(fs)
}

// nearBorderHelp is the help of --near-border, and of serve's near_border.
const nearBorderHelp = "only the districts within `KM` km of an official border crossing or port (districts.crossing_km: " +
	"from the district's outline, 0 when the crossing is inside it; see data/flows/crossings.csv); incidents placed in a province only are left out"

// checkNearBorder refuses a --near-border that is no distance above 0.
func checkNearBorder(km float64) error {
	if !(km > 0) || math.IsInf(km, 0) {
		return usagef("--near-border %g: want a distance in km above 0", km)
	}
	return nil
}

// nearBorder keeps the districts within o.NearBorder km of a crossing;
// all of them when it is 0.
func (o *analysisOptions) nearBorder(ds []store.District) ([]store.District, error) {
	if o.NearBorder == 0 && !o.nearBorderSet {
		return ds, nil
	}
	if err := checkNearBorder(o.NearBorder); err != nil {
		return nil, err
	}
	kept, nearest := ds[:0:0], math.Inf(1)
	for _, d := range ds {
		if math.IsNaN(d.CrossingKm) {
			continue
		}
		nearest = math.Min(nearest, d.CrossingKm)
		if d.CrossingKm <= o.NearBorder {
			kept = append(kept, d)
		}
	}
	if math.IsInf(nearest, 1) {
		return nil, fmt.Errorf("--near-border: %s has no distances to border crossings (made by an older ocmap); "+
			"store them with: ocmap rebuild --db %s --boundaries FILE.geojson", o.DB, o.DB)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no district in that scope is within %g km of a crossing (the nearest is %.1f km away)", o.NearBorder, nearest)
	}
	return kept, nil
}

// kmFlag is a distance flag that knows whether it was given, and shows
// no default in the help.
type kmFlag struct {
	v   *float64
	set *bool
}

func (f kmFlag) String() string {
	if f.v == nil || !*f.set {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'g', -1, 64)
}

func (f kmFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number of km", s)
	}
	*f.v, *f.set = v, true
	return nil
}

func (kmFlag) Type() string { return "float" }

// open checks the arguments every analyst command shares and opens the
// database read-only.
func (o *analysisOptions) open(ctx context.Context, args []string, formats ...string) (*store.Store, error) {
	if o.DB == "" {
		return nil, usagef("--db is required")
	}
	if len(args) > 0 {
		return nil, usagef("unexpected argument %q", args[0])
	}
	if !slices.Contains(formats, o.Format) {
		return nil, usagef("unknown format %q (%s)", o.Format, strings.Join(formats, ", "))
	}
	if err := checkMaxPrecision(o.MaxPrecision); err != nil {
		return nil, err
	}
	approved, err := o.publish.names()
	if err != nil {
		return nil, err
	}
	o.approved = approved
	return store.OpenReadOnly(ctx, o.DB)
}

// analysed is an analysis with what the commands print beside it.
type analysed struct {
	*analysis.Result
	Category     string
	Events       string // the context event type analysed instead of a category, or ""
	Measure      string // with Events: count, killed or injured
	Province     string
	NearBorder   float64                   // km: only the districts within it of a crossing, or 0
	Crossings    map[string]store.District // with NearBorder: by code, the district's nearest crossing and its km
	MaxPrecision int                       // incidents counted are located at precision 1 to this
	Precision    [5]int64                  // incidents by precision 1, 2, 3, 4 and 6 in the period
	Sources      []store.SourceShare       // approved names, the others counted (export.PublicSources)
	Permutations int                       // of the analysis, with Seed
	Seed         uint64
	forLinks     bool // the header leaves out what links do not compute (hot spot inference, the guard)

	Subcategories []string                      // the --subcategory codes, folded
	sub           store.SubFilter               // their stored spellings
	quantity      *quantityMeasure              // --measure kg, amount_pkr or victims, or nil
	Medians       map[string]store.QuantityStat // with a quantity: per district, the incidents with one, median and largest
	Denominator   *analysis.Denominator         // --denominator, or nil: rates are per 100,000 people
	pop           map[string][]store.PopulationYear
}

// figure names the figure analysed, for column headers: incidents, or
// with context events the events, killed or injured.
func (a *analysed) figure() string {
	if a.Events == "" {
		return "incidents"
	}
	if a.Measure == "count" || a.Measure == "" {
		return "events"
	}
	return a.Measure
}

// analysisStore is what analyse reads: a *store.Store, or 'ocmap serve's
// cache of one (serve_page.go).
type analysisStore interface {
	Districts(context.Context) ([]store.District, error)
	Neighbors(context.Context) (map[string][]string, error)
	Cells(context.Context, store.CellFilter) ([]store.Cell, error)
	PopulationByDistrict(context.Context) (map[string][]store.PopulationYear, error)
	Sources(context.Context, store.CellFilter) ([]store.SourceShare, error)
	EventTypes(context.Context) ([]string, error)
	EventCells(context.Context, store.CellFilter, int) ([]store.Cell, error)
	EventSources(context.Context, store.CellFilter) ([]store.SourceShare, error)
	StoredSubcategories(context.Context) ([]store.SubKey, error)
	QuantityStats(context.Context, store.CellFilter, string) (map[string]store.QuantityStat, error)
}

var _ analysisStore = (*store.Store)(nil)

// analyse reads the database and runs the analysis the flags ask for.
func (o *analysisOptions) analyse(ctx context.Context, st analysisStore) (*analysed, error) {
	if err := o.checkEvents(ctx, st); err != nil {
		return nil, err
	}
	if o.Events == "" && o.Category != analysis.AllCategories {
		if _, ok := schemas.ParseCategory(o.Category); !ok {
			return nil, usagef("unknown category %q (want one of %s, or all)", o.Category, strings.Join(schemas.Categories(), ", "))
		}
	}
	q, isQuantity := quantityMeasures[o.Measure]
	if o.Events != "" {
		isQuantity = false
	}
	if o.Scale != "" && !isQuantity {
		return nil, usagef("--scale is for --measure kg, amount_pkr or victims")
	}
	if isQuantity && !slices.Contains([]string{"", analysis.ScaleLog, analysis.ScaleRank, analysis.ScaleRaw}, o.Scale) {
		return nil, usagef("--scale %q: want log, rank or raw", o.Scale)
	}
	if o.Spread != "" && o.Spread != "population" {
		return nil, usagef("--spread %q: want population (province figures spread by the districts' population shares)", o.Spread)
	}
	if o.Spread != "" && o.Denominator == "" {
		return nil, usagef("--spread needs --denominator")
	}
	if len(o.Subcategories) > 0 && o.Events != "" {
		return nil, usagef("--subcategory is of incidents, not of --events")
	}
	sub, err := resolveSubcategories(ctx, st, o.Category, o.Subcategories)
	if err != nil {
		return nil, err
	}
	if sub.Category != "" && o.Category == analysis.AllCategories && !o.keepCategories {
		o.Category = sub.Category // --subcategory heroin is drug trafficking's
	}
	if isQuantity && q.category != "" && o.Category != analysis.AllCategories && o.Category != q.category && !(o.Measure == "amount_pkr" && o.Category == "cybercrime") {
		return nil, usagef("--measure %s: %s has no %s (%s)", o.Measure, o.Category, q.unit, q.doc)
	}
	province := ""
	if o.Province != "" {
		p, ok := geo.NormalizeProvince(o.Province)
		if !ok {
			return nil, usagef("unknown province %q", o.Province)
		}
		province = p
	}
	var months [4]time.Time
	for i, s := range []struct{ flag, v string }{{"from", o.From}, {"to", o.To}, {"base-from", o.BaseFrom}, {"base-to", o.BaseTo}} {
		t, err := parseMonth(s.flag, s.v)
		if err != nil {
			return nil, err
		}
		months[i] = t
	}
	if (o.BaseFrom == "") != (o.BaseTo == "") {
		return nil, usagef("give both --base-from and --base-to, or neither")
	}
	if o.Permutations < 1 || o.Alpha <= 0 || o.Alpha >= 1 {
		return nil, usagef("--permutations must be 1 or more and --alpha between 0 and 1")
	}
	if o.Inference == "" {
		o.Inference = analysis.Normal
	}
	if o.Inference != analysis.Normal && o.Inference != analysis.Permutation {
		return nil, usagef("--inference %q: want normal or permutation", o.Inference)
	}
	if o.MinIncidents < 0 {
		return nil, usagef("--min-incidents must be 0 (no minimum) or more")
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		return nil, err
	}
	nbrs, err := st.Neighbors(ctx)
	if err != nil {
		return nil, err
	}
	if province != "" {
		kept := ds[:0:0]
		for _, d := range ds {
			if d.Province == province {
				kept = append(kept, d)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("no district of the database is in %s", province)
		}
		ds = kept
	}
	if ds, err = o.nearBorder(ds); err != nil {
		return nil, err
	}
	filter := store.CellFilter{Province: province, Sub: sub.Filter, NearBorderKm: o.NearBorder}
	if o.Category != analysis.AllCategories {
		filter.Category = o.Category
	}
	var cells []store.Cell
	if o.Events != "" {
		filter.Category = o.Events
		if cells, err = st.EventCells(ctx, filter, o.MaxPrecision); err != nil {
			return nil, err
		}
		cells = eventMeasure(cells, o.Measure)
	} else {
		if cells, err = st.Cells(ctx, filter); err != nil {
			return nil, err
		}
		cells = store.KeepPrecision(cells, o.MaxPrecision)
	}
	pop, err := st.PopulationByDistrict(ctx)
	if err != nil {
		return nil, err
	}
	var den *analysis.Denominator
	if o.Denominator != "" {
		if den, err = analysis.ReadDenominator(o.Denominator, ds, pop, o.Spread); err != nil {
			return nil, err
		}
		pop = den.ByDistrict
	}
	period := analysis.Period{From: months[0], To: months[1]}
	for _, c := range cells {
		if o.From == "" && (period.From.IsZero() || c.Month.Before(period.From)) {
			period.From = c.Month
		}
		if o.To == "" && c.Month.After(period.To) {
			period.To = c.Month
		}
	}
	if period.From.IsZero() || period.To.IsZero() {
		return nil, fmt.Errorf("%s has no incidents in that scope; nothing to analyse", o.DB)
	}
	if period.To.Before(period.From) {
		return nil, usagef("--to is before --from")
	}
	base := period.Before()
	if o.BaseFrom != "" {
		base = analysis.Period{From: months[2], To: months[3]}
	}
	m := analysis.LoadMap(ctx, ds, nbrs)
	opt := o.options()
	if isQuantity {
		opt.Value, opt.Scale = q.value, o.Scale
	}
	res := analysis.Analyse(m, cells, pop, period, base, opt)
	srcFilter := filter
	srcFilter.From, srcFilter.To = period.From, period.To
	var sources []store.SourceShare
	if o.Events != "" {
		sources, err = st.EventSources(ctx, srcFilter)
	} else {
		sources, err = st.Sources(ctx, srcFilter)
	}
	if err != nil {
		return nil, err
	}
	a := &analysed{Result: res, Category: o.Category, Events: o.Events, Measure: o.Measure, Province: province, NearBorder: o.NearBorder, MaxPrecision: o.MaxPrecision,
		Sources: export.PublicSources(sources, o.approved), Permutations: opt.Permutations, Seed: o.Seed,
		Subcategories: sub.Codes, sub: sub.Filter, pop: pop, Denominator: den}
	if o.NearBorder > 0 {
		a.Crossings = map[string]store.District{}
		for _, d := range ds {
			a.Crossings[d.Code] = d
		}
	}
	if isQuantity {
		a.quantity = &q
		if a.Medians, err = st.QuantityStats(ctx, srcFilter, o.Measure); err != nil {
			return nil, err
		}
		for i := range a.Districts {
			if q, ok := a.Medians[a.Districts[i].Code]; ok {
				a.Districts[i].Median = q.Median
			}
		}
	}
	for _, d := range res.Districts {
		for k := range a.Precision {
			a.Precision[k] += d.ByPrecision[k]
		}
	}
	return a, nil
}

// options are the statistics' options the flags give.
func (o *analysisOptions) options() analysis.Options {
	minimum := o.MinIncidents
	if minimum == 0 {
		minimum = -1 // --min-incidents 0: no minimum
	}
	inference := o.Inference
	if inference == "" {
		inference = analysis.Normal
	}
	perms := o.Permutations
	if perms == 0 {
		perms = analysis.DefaultPermutations
	}
	return analysis.Options{Permutations: perms, Seed: o.Seed, Alpha: o.Alpha, Inference: inference, MinIncidents: minimum,
		GuardRecords: o.Events != ""}
}

// checkEvents checks --events and --measure: the event type must be one
// of the database's, and a category cannot be asked for as well.
func (o *analysisOptions) checkEvents(ctx context.Context, st analysisStore) error {
	if o.Measure == "" {
		o.Measure = "count"
	}
	if o.Events == "" {
		if _, ok := quantityMeasures[o.Measure]; !ok && o.Measure != "count" {
			if o.Measure == "killed" || o.Measure == "injured" {
				return usagef("--measure %s needs --events", o.Measure)
			}
			return usagef("--measure %q: want count, kg, amount_pkr or victims (killed or injured with --events)", o.Measure)
		}
		return nil
	}
	if o.Category != "" && o.Category != analysis.AllCategories {
		return usagef("give --category or --events, not both")
	}
	if !slices.Contains([]string{"count", "killed", "injured"}, o.Measure) {
		return usagef("--measure %q: want count, killed or injured", o.Measure)
	}
	return checkEventType(ctx, st, o.Events)
}

// checkEventType errs unless t is an event type of the database, naming
// those it has.
func checkEventType(ctx context.Context, st interface {
	EventTypes(context.Context) ([]string, error)
}, t string) error {
	known, err := st.EventTypes(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(known, t) {
		return nil
	}
	if len(known) == 0 {
		return usagef("unknown event type %q: the database has no context events (ingest them with a kind: context layout)", t)
	}
	return usagef("unknown event type %q (the database has %s)", t, strings.Join(known, ", "))
}

// eventMeasure makes each cell's Incidents the figure analysed: the
// events (count), or the killed or injured in them. Records stay the
// events, for the guard.
func eventMeasure(cells []store.Cell, measure string) []store.Cell {
	if measure == "count" || measure == "" {
		return cells
	}
	out := make([]store.Cell, len(cells))
	for i, c := range cells {
		if measure == "killed" {
			c.Incidents = c.Killed
		} else {
			c.Incidents = c.Injured
		}
		out[i] = c
	}
	return out
}

// header says what the numbers are, and how trustworthy the locations.
func (a *analysed) header(w io.Writer, what string) {
	scope := "all categories"
	if a.Category != analysis.AllCategories {
		scope = a.Category
	}
	scope = scopeText(scope, a.Subcategories)
	if a.Events != "" {
		scope = "context events " + a.Events
	}
	if a.Province != "" {
		scope += ", " + a.Province
	}
	if a.NearBorder > 0 {
		scope += fmt.Sprintf(", districts within %g km of a border crossing or port", a.NearBorder)
	}
	var total int64
	for _, n := range a.Precision {
		total += n
	}
	unit := "incidents"
	if a.Events != "" {
		unit = "events"
	}
	fmt.Fprintf(w, "%s: %s, %s to %s, %s %s in %d districts\n", what, scope,
		a.Period.From.Format("2006-01"), a.Period.To.Format("2006-01"), commas(total), unit, len(a.Districts))
	if a.Events != "" {
		var killed, injured int64
		for _, d := range a.Districts {
			killed += d.Killed
			injured += d.Injured
		}
		fmt.Fprintf(w, "%s killed, %s injured in them; rates, hot spots, clusters and trends count %s\n", commas(killed), commas(injured),
			map[string]string{"count": "events", "killed": "the killed", "injured": "the injured"}[a.Measure])
	}
	if a.quantity != nil {
		for _, line := range a.quantityNotes() {
			fmt.Fprintln(w, line)
		}
	}
	if total > 0 {
		t := float64(total)
		fmt.Fprintf(w, "located by point %.1f%%, near a district %.1f%%, by district name %.1f%%", 100*float64(a.Precision[0])/t,
			100*float64(a.Precision[1])/t, 100*float64(a.Precision[2])/t)
		if n := a.Precision[3]; n > 0 {
			fmt.Fprintf(w, ", province only %.1f%%", 100*float64(n)/t)
		}
		if n := a.Precision[4]; n > 0 {
			fmt.Fprintf(w, ", country only %.1f%%", 100*float64(n)/t)
		}
		fmt.Fprintln(w)
	}
	if ps := store.PrecisionScope(a.MaxPrecision); ps != "" {
		fmt.Fprintf(w, "counting %s; records, victims, quantity, amount and sources are of every incident\n", ps)
	}
	if len(a.Sources) > 0 {
		var all int64
		for _, s := range a.Sources {
			all += s.Records
		}
		// Every entry: the names are the user's list, the rest one "N other
		// sources" entry, so cutting the list would miscount sources.
		var parts []string
		for _, s := range a.Sources {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", s.Source, 100*float64(s.Records)/float64(all)))
		}
		fmt.Fprintf(w, "records by source: %s\n", strings.Join(parts, ", "))
	}
	for _, p := range sortedKeys(a.Unallocated) {
		switch n := a.Unallocated[p]; {
		case n > 0 && p == "":
			fmt.Fprintf(w, "%s incidents are placed in Pakistan only (national level) and are in no province's or district's figures\n", commas(n))
		case n > 0:
			fmt.Fprintf(w, "%s incidents in %s are placed in the province only and are in no district's figures\n", commas(n), p)
		}
	}
	if d := a.Denominator; d != nil {
		fmt.Fprintln(w, a.denominatorNote())
	} else if len(a.CensusYears) > 0 && a.quantity != nil {
		fmt.Fprintf(w, "population: census %v (the census year nearest the period's end, the earlier of two as near); rates per 100,000 people\n", a.CensusYears)
	} else if len(a.CensusYears) > 0 {
		fmt.Fprintf(w, "population: census %v (the census year nearest the period's end, the earlier of two as near: with 2017 and 2023, a period ending in 2020 uses 2017); hot spots, clusters and emerging classes on EB-smoothed rates\n", a.CensusYears)
	} else if a.quantity != nil {
		fmt.Fprintln(w, "no population in the database (ingest --population FILE): no rates")
	} else {
		fmt.Fprintln(w, "no population in the database (ingest --population FILE): no rates; hot spots, clusters and emerging classes on counts")
	}
	if !a.forLinks {
		fmt.Fprintf(w, "Gi* p-values: %s\n", a.inferenceText())
		if a.Guard != "" {
			fmt.Fprintf(w, "%s\n", a.Guard)
		}
	}
	fmt.Fprintln(w)
}

// inferenceText says how Gi* p-values were found.
func (a *analysed) inferenceText() string {
	if a.Inference == analysis.Permutation {
		return fmt.Sprintf("conditional permutation (%d, seed %d)", a.Permutations, a.Seed)
	}
	return "normal approximation (as ArcGIS)"
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// num formats a float for tables and CSV: "" for NaN.
func num(f float64, prec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// dash is num for tables: "-" for NaN.
func dash(f float64, prec int) string {
	if s := num(f, prec); s != "" {
		return s
	}
	return "-"
}

// jsonNum is a float that JSON writes as null when it is NaN.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// giLabel names a Gi* bin.
func giLabel(bin int) string {
	switch bin {
	case 3:
		return "hot spot 99%"
	case 2:
		return "hot spot 95%"
	case 1:
		return "hot spot 90%"
	case -1:
		return "cold spot 90%"
	case -2:
		return "cold spot 95%"
	case -3:
		return "cold spot 99%"
	}
	return ""
}

// districtJSON is every measure of one district, for JSON and GeoJSON.
type districtJSON struct {
	Code           string  `json:"district_code"`
	Name           string  `json:"district"`
	Province       string  `json:"province"`
	Border         bool    `json:"border"`
	Incidents      int64   `json:"incidents"`
	Records        int64   `json:"records"`
	Victims        int64   `json:"victims"`
	Killed         *int64  `json:"killed,omitempty"`  // context events only
	Injured        *int64  `json:"injured,omitempty"` // context events only
	Quantity       float64 `json:"quantity_kg"`
	AmountPKR      float64 `json:"amount_pkr"`
	Population     int64   `json:"population,omitempty"`
	PopulationYear int     `json:"population_year,omitempty"`
	Rate           jsonNum `json:"rate_per_100k"`
	EBRate         jsonNum `json:"eb_rate_per_100k"`
	Base           int64   `json:"base_incidents"`
	Change         jsonNum `json:"change_pct"`
	TrendS         jsonNum `json:"trend_s"`
	TrendZ         jsonNum `json:"trend_z"`
	TrendP         jsonNum `json:"trend_p"`
	TrendTau       jsonNum `json:"trend_tau"`
	Trend          string  `json:"trend"`
	Emerging       string  `json:"emerging"`
	GiZ            jsonNum `json:"gi_z"`
	GiP            jsonNum `json:"gi_p"`
	GiBin          int     `json:"gi_bin"`
	LisaI          jsonNum `json:"lisa_i"`
	LisaP          jsonNum `json:"lisa_p"`
	Lisa           string  `json:"lisa"`
	SharePoint     jsonNum `json:"share_point"`
	ShareName      jsonNum `json:"share_name"`
	// With --measure kg, amount_pkr or victims: its sum, and median per
	// incident (null without one).
	MeasureSum    *float64 `json:"measure_sum,omitempty"`
	MeasureMedian *jsonNum `json:"measure_median,omitempty"`
}

// json is toJSON with the killed and injured of context events.
func (a *analysed) json(d analysis.District) districtJSON {
	j := toJSON(d)
	if a.Events != "" {
		j.Killed, j.Injured = &d.Killed, &d.Injured
	}
	if a.quantity != nil {
		sum, med := round(d.Value, 6), jsonNum(round(d.Median, 6))
		j.MeasureSum, j.MeasureMedian = &sum, &med
	}
	return j
}

func toJSON(d analysis.District) districtJSON {
	total := float64(d.ByPrecision[0] + d.ByPrecision[1] + d.ByPrecision[2] + d.ByPrecision[3])
	share := func(n int64) jsonNum {
		if total == 0 {
			return jsonNum(math.NaN())
		}
		return jsonNum(float64(n) / total)
	}
	return districtJSON{Code: d.Code, Name: d.Name, Province: d.Province, Border: d.Border,
		Incidents: d.Incidents, Records: d.Records, Victims: d.Victims, Quantity: d.Quantity, AmountPKR: d.AmountPKR,
		Population: d.Population, PopulationYear: d.PopulationYear, Rate: jsonNum(d.Rate), EBRate: jsonNum(d.EBRate),
		Base: d.Base, Change: jsonNum(d.Change), TrendS: jsonNum(d.TrendS), TrendZ: jsonNum(d.TrendZ), TrendP: jsonNum(d.TrendP),
		TrendTau: jsonNum(d.TrendTau), Trend: d.Trend, Emerging: d.Emerging, GiZ: jsonNum(d.GiZ), GiP: jsonNum(d.GiP), GiBin: d.GiBin,
		LisaI: jsonNum(d.LisaI), LisaP: jsonNum(d.LisaP), Lisa: d.Lisa, SharePoint: share(d.ByPrecision[0]), ShareName: share(d.ByPrecision[2])}
}

// meta is what a JSON answer says of itself: "unallocated" counts per
// province the incidents placed in the province only, and "country_only"
// those placed in Pakistan only (absent when there are none).
func (a *analysed) meta() map[string]any {
	unallocated := map[string]int64{}
	var country int64
	for p, n := range a.Unallocated {
		if p == "" {
			country = n
			continue
		}
		unallocated[p] = n
	}
	m := map[string]any{
		"category": a.Category, "province": a.Province,
		"from": a.Period.From.Format("2006-01"), "to": a.Period.To.Format("2006-01"),
		"base_from": a.Base.From.Format("2006-01"), "base_to": a.Base.To.Format("2006-01"), "base_incidents": a.baseTotal(),
		"basis": a.Basis, "census_years": a.CensusYears, "unallocated": unallocated,
		"located": map[string]int64{"point": a.Precision[0], "near": a.Precision[1], "name": a.Precision[2], "province": a.Precision[3]},
		"sources": a.Sources, "max_precision": a.MaxPrecision,
		"inference": a.Inference, "min_incidents": a.MinIncidents, "incidents": a.total(),
		"permutations": a.Permutations, "seed": a.Seed,
	}
	if a.Guard != "" {
		m["guard"] = a.Guard
	}
	if len(a.Subcategories) > 0 {
		m["subcategories"] = a.Subcategories
	}
	if a.quantity != nil {
		m["measure"] = a.Measure
		m["measure_notes"] = a.quantityNotes()
	}
	if d := a.Denominator; d != nil {
		m["denominator"] = map[string]any{"file": d.Path, "measure": d.Measure, "years": d.Years, "spread_districts": d.Spread,
			"no_figure": a.noDenominator(), "note": a.denominatorNote()}
	}
	if a.Events != "" {
		delete(m, "category")
		delete(m, "incidents")
		m["events"], m["measure"] = a.Events, a.Measure
		var events, killed, injured int64
		for _, d := range a.Districts {
			events += d.Records
			killed += d.Killed
			injured += d.Injured
		}
		m["event_count"], m["killed"], m["injured"] = events, killed, injured
	}
	if country > 0 {
		m["country_only"] = country
	}
	if a.baseTotal() == 0 {
		// Usually a base period before the data: no change can be told.
		m["base_from"], m["base_to"] = nil, nil
		m["base_note"] = fmt.Sprintf("no incidents in the base period %s to %s (the period before the data?): change is not computed",
			a.Base.From.Format("2006-01"), a.Base.To.Format("2006-01"))
	}
	return m
}

// total is the incidents of the period over every district.
func (a *analysed) total() int64 {
	var n int64
	for _, d := range a.Districts {
		n += d.Incidents
	}
	return n
}

// baseTotal is the incidents of the base period over every district.
func (a *analysed) baseTotal() int64 {
	var n int64
	for _, d := range a.Districts {
		n += d.Base
	}
	return n
}
