//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

type summaryOptions struct {
	DB, Category, From, To, Format string
	Events, By                     string
	Measure, Denominator, Spread   string
	NearBorder                     float64 // km; 0 for all districts
	nearBorderSet                  bool
	Subcategories                  []string
	Top, MaxPrecision              int
}

func (o *summaryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
	fs.StringVar(&o.Category, "category", "", "only this category: terror_financing, drug_trafficking, human_trafficking, cybercrime")
	addSubcategoryFlag(fs, &o.Subcategories)
	fs.StringVar(&o.Events, "events", "", "rank districts by the context events of this type (e.g. suicide_attack) instead of incidents")
	fs.StringVar(&o.From, "from", "", "first month, YYYY-MM")
	fs.StringVar(&o.To, "to", "", "last month, YYYY-MM (inclusive)")
	fs.IntVar(&o.Top, "top", 20, "number of districts to show; 0 for all")
	fs.StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	fs.StringVar(&o.By, "by", "district", "csv: one row per district, or per subcategory (the breakdown the table and json give below the districts)")
	fs.IntVar(&o.MaxPrecision, "max-precision", 4, maxPrecisionHelp)
	o.NearBorder, o.nearBorderSet = 0, false // fs.Var sets no default
	fs.Var(kmFlag{&o.NearBorder, &o.nearBorderSet}, "near-border", nearBorderHelp)
	fs.StringVar(&o.Measure, "measure", "count", "rank districts by: count (incidents), kg (of drugs seized), amount_pkr (terror financing, and fraud among cybercrime) or victims (trafficking); the 'per 100k' rate is of it too")
	fs.StringVar(&o.Denominator, "denominator", "", "rates per 100,000 of this CSV's measure instead of people: columns district (or province), year, value, measure (e.g. mobile_subscriptions)")
	fs.StringVar(&o.Spread, "spread", "", "with --denominator: spread province figures over their districts by population share (population); without it a province figure is an error")
}

func init() {
	var o summaryOptions
	register(&Command{
		Name:  "summary",
		Usage: "--db FILE [--category C [--subcategory CODE]... | --events TYPE] [--from YYYY-MM] [--to YYYY-MM] [--top N] [--max-precision N] [--measure count|kg|amount_pkr|victims] [--denominator FILE [--spread population]] [--format table|csv|json] [--by district|subcategory]",
		Short: "rank districts by incidents, per category and period",
		Long: `Ranks districts by the number of incidents in the period, with the count per
category, the total quantity (kg of drugs, victims) and amount (PKR), and how
many rows were placed by an exact point or by district name only.

Records that describe one incident count once: the same incident id twice in
one source, or one seizure that two sources report (same category and
district, dates within 3 days, points within 10 km, quantities or amounts
within 20%). The database keeps every record, the links in incident_groups
and the per-source counts in district_month_sources.

--max-precision N counts only incidents located at precision 1 to N (1 exact
point, 2 near a point, 3 district named; 4, the default, counts all); kg,
PKR and source records stay those of every incident.

Below the districts, the incidents are broken down by subcategory (drug,
terror financing channel, trafficking or smuggling, cyber offence), the
spellings of agency files folded into one code (charas is hashish, ice is
methamphetamine; 'ocmap codes' lists them): incidents, source records,
districts, and per incident with a quantity the sum, median and largest of
kg (drugs), PKR (terror financing, fraud) and victims (trafficking).
Trafficking records that give an exploitation type (sexual, forced_labour,
begging, ...) or a stage are broken down by it too, marked with the field.
--subcategory CODE (repeatable) keeps those subcategories only (an
exploitation type with trafficking or smuggling keeps the incidents that
are both); --format csv --by subcategory writes the breakdown alone.

--measure kg, amount_pkr or victims ranks the districts by that sum instead
of incidents (kg is drugs', victims trafficking's), and the 'per 100k' rate
is of it. --denominator FILE gives rates per 100,000 of another measure
(mobile subscriptions for cybercrime, say): a CSV of district (or province,
with --spread population), year, value and measure; the year nearest the
period's end is used, and a district the file does not give has no rate.

--near-border KM keeps the districts within KM km of an official border
crossing or port (districts.crossing_km, from data/flows/crossings.csv).

--events TYPE ranks districts by the context events of that type (a kind:
context layout's event_type, e.g. suicide_attack) with the killed and
injured in them, instead of the four categories' incidents.

Examples:
  ocmap summary --db crime.duckdb
  ocmap summary --db crime.duckdb --events suicide_attack --from 2010-01 --to 2015-12
  ocmap summary --db crime.duckdb --category drug_trafficking --from 2023-01 --to 2023-12 --top 10
  ocmap summary --db crime.duckdb --category terror_financing --top 5
  ocmap summary --db crime.duckdb --subcategory ice --subcategory heroin
  ocmap summary --db crime.duckdb --category drug_trafficking --measure kg --top 10
  ocmap summary --db crime.duckdb --category drug_trafficking --near-border 25
  ocmap summary --db crime.duckdb --category cybercrime --denominator mobile_subscriptions.csv
  ocmap summary --db crime.duckdb --format csv --top 0 > districts.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runSummary(ctx, env, &o, args)
		},
	})
}

func parseMonth(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, usagef("--%s %q: want a month as YYYY-MM, e.g. 2023-07", flag, s)
	}
	return t, nil
}

func runSummary(ctx context.Context, env *Env, o *summaryOptions, args []string) error {
	if o.DB == "" {
		return usagef("--db is required")
	}
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if o.Category == analysis.AllCategories {
		o.Category = "" // as the other analyst commands take it
	}
	if o.Category != "" {
		if _, ok := schemas.ParseCategory(o.Category); !ok {
			return usagef("unknown category %q (want one of %s, or all)", o.Category, strings.Join(schemas.Categories(), ", "))
		}
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
	if o.Top < 0 {
		return usagef("--top must be 0 or more")
	}
	if err := checkMaxPrecision(o.MaxPrecision); err != nil {
		return err
	}
	if !slices.Contains([]string{"table", "csv", "json"}, o.Format) {
		return usagef("unknown format %q (table, csv or json)", o.Format)
	}
	if o.By == "" {
		o.By = "district" // the demo's options
	}
	if o.By != "district" && o.By != "subcategory" {
		return usagef("--by %q: want district or subcategory", o.By)
	}
	if o.Measure == "" {
		o.Measure = "count" // the demo's options
	}
	q, isQuantity := quantityMeasures[o.Measure]
	if !isQuantity && o.Measure != "count" {
		return usagef("--measure %q: want count, kg, amount_pkr or victims", o.Measure)
	}
	if o.Spread != "" && o.Spread != "population" {
		return usagef("--spread %q: want population (province figures spread by the districts' population shares)", o.Spread)
	}
	if o.Spread != "" && o.Denominator == "" {
		return usagef("--spread needs --denominator")
	}
	if o.nearBorderSet {
		if err := checkNearBorder(o.NearBorder); err != nil {
			return err
		}
	}
	if o.By == "subcategory" && o.Format != "csv" {
		return usagef("--by subcategory is for --format csv (the table and json give the breakdown below the districts)")
	}
	st, err := store.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if o.Events != "" {
		if o.Category != "" {
			return usagef("give --category or --events, not both")
		}
		if len(o.Subcategories) > 0 {
			return usagef("--subcategory is of incidents, not of --events")
		}
		if o.By != "district" {
			return usagef("--by subcategory is of incidents, not of --events")
		}
		if o.Measure != "count" || o.Denominator != "" || o.nearBorderSet {
			return usagef("--measure, --denominator and --near-border are of incidents, not of --events")
		}
		if err := checkEventType(ctx, st, o.Events); err != nil {
			return err
		}
		return eventSummary(ctx, env, st, o, from, to)
	}
	sub, err := resolveSubcategories(ctx, st, o.Category, o.Subcategories)
	if err != nil {
		return err
	}
	if o.Category == "" {
		o.Category = sub.Category // --subcategory heroin is drug trafficking's
	}
	order := ""
	if isQuantity {
		if o.Category == "" && o.Measure != "amount_pkr" {
			o.Category = q.category // kg is drugs', victims trafficking's
		}
		if o.Category != "" && o.Category != q.category && !(o.Measure == "amount_pkr" && o.Category == "cybercrime") {
			return usagef("--measure %s: %s has no %s (%s)", o.Measure, o.Category, q.unit, q.doc)
		}
		order = map[string]string{"kg": "quantity", "amount_pkr": "amount_pkr", "victims": "victims"}[o.Measure]
	}
	rows, tot, err := st.Summary(ctx, store.SummaryQuery{Category: o.Category, From: from, To: to, Top: o.Top,
		MaxPrecision: o.MaxPrecision, Sub: sub.Filter, Order: order, NearBorderKm: o.NearBorder})
	if err != nil {
		return err
	}
	rates, err := summaryRates(ctx, st, o, rows, st.RefYear(ctx, to))
	if err != nil {
		return err
	}
	fold, err := foldMap(ctx, st)
	if err != nil {
		return err
	}
	cf := store.CellFilter{Category: o.Category, From: from, To: to, Sub: sub.Filter, NearBorderKm: o.NearBorder}
	breakdown, err := st.SubcategoryStats(ctx, cf, fold)
	if err != nil {
		return err
	}
	if breakdown, err = fieldBreakdown(ctx, st, cf, breakdown); err != nil {
		return err
	}
	if tot.Incidents == 0 && (!from.IsZero() || !to.IsZero()) {
		// Say where the data is, rather than a table of nothing.
		_, all, err := st.Summary(ctx, store.SummaryQuery{Category: o.Category, Top: 1, MaxPrecision: o.MaxPrecision})
		if err != nil {
			return err
		}
		if all.Incidents > 0 {
			fmt.Fprintf(env.Stderr, "no incidents from %s to %s: the database's incidents run from %s to %s\n",
				orDots(o.From), orDots(o.To), all.FirstMonth.Format("2006-01"), all.LastMonth.Format("2006-01"))
		}
	}
	switch o.Format {
	case "table":
		return summaryTable(env.Stdout, o, sub.Codes, rows, rates, tot, breakdown)
	case "csv":
		if o.By == "subcategory" {
			return breakdownCSV(env.Stdout, breakdown)
		}
		return summaryCSV(env.Stdout, rows, rates)
	case "json":
		return summaryJSON(env.Stdout, o, sub.Codes, rows, rates, tot, breakdown)
	}
	return usagef("unknown format %q (table, csv or json)", o.Format)
}

func summaryTable(w io.Writer, o *summaryOptions, codes []string, rows []store.SummaryRow, rates *districtRates, tot store.Totals, breakdown []store.SubcategoryStat) error {
	scope := "all categories"
	if o.Category != "" {
		scope = o.Category
	}
	scope = scopeText(scope, codes)
	if o.NearBorder > 0 {
		scope += fmt.Sprintf(", districts within %g km of a border crossing or port", o.NearBorder)
	}
	period := "all months"
	switch {
	case tot.Incidents > 0:
		period = tot.FirstMonth.Format("2006-01") + " to " + tot.LastMonth.Format("2006-01")
	case o.From != "" || o.To != "":
		period = orDots(o.From) + " to " + orDots(o.To)
	}
	districts := "districts"
	if tot.Districts == 1 {
		districts = "district"
	}
	fmt.Fprintf(w, "%s incidents, %s, %s, in %d %s\n", commas(tot.Incidents), scope, period, tot.Districts, districts)
	if q, ok := quantityMeasures[o.Measure]; ok {
		fmt.Fprintf(w, "ranked by %s (sums are dominated by a few large ones: the breakdown below gives medians)\n", q.doc)
	}
	if ps := store.PrecisionScope(o.MaxPrecision); ps != "" {
		fmt.Fprintf(w, "(counting %s; kg, PKR and source records are of every incident)\n", ps)
	} else if dup := tot.Records - tot.Incidents; dup == 1 {
		fmt.Fprintf(w, "(%s source records: 1 is a duplicate or another source's record of the same incident, counted once)\n", commas(tot.Records))
	} else if dup > 1 {
		fmt.Fprintf(w, "(%s source records: %s are duplicates or other sources' records of the same incidents, counted once)\n",
			commas(tot.Records), commas(dup))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	head := "rank\tcode\tdistrict\tprovince\tincidents\t"
	if rates.any {
		head += rates.label() + "\t"
	}
	victims := slices.ContainsFunc(rows, func(r store.SummaryRow) bool { return r.Victims > 0 })
	head += "terror fin.\tdrugs\ttrafficking\tcyber\tdrugs kg\tamount PKR\t"
	if victims {
		head += "victims\t"
	}
	fmt.Fprintln(tw, head+"by name\t")
	for i, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t", r.Rank, r.Code, r.Name, r.Province, commas(r.Incidents))
		if rates.any {
			fmt.Fprintf(tw, "%s\t", rates.text(i))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t",
			commas(r.ByCategory[0]), commas(r.ByCategory[1]), commas(r.ByCategory[2]), commas(r.ByCategory[3]),
			commasFloat(r.Quantity, 1), commas(int64(math.Round(r.AmountPKR))))
		if victims {
			fmt.Fprintf(tw, "%s\t", commas(r.Victims))
		}
		fmt.Fprintf(tw, "%s\t\n", commas(r.ByName))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, u := range tot.Unallocated {
		if u.Province == "" {
			fmt.Fprintf(w, "%s incidents are placed in Pakistan only (national level, unallocated to a province)\n", commas(u.Incidents))
			continue
		}
		fmt.Fprintf(w, "%s incidents in %s are placed in the province only (unallocated to a district)\n", commas(u.Incidents), u.Province)
	}
	if err := breakdownTable(w, breakdown); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n'by name': rows placed by district name only (no usable point). %s\n", rejectedText(tot))
	switch {
	case rates.den != nil:
		fmt.Fprintf(w, "'%s': %s in the period; %s\n", rates.label(), rates.what, denominatorNote(rates.den, rates.missing))
	case rates.any:
		fmt.Fprintf(w, "'%s': %s in the period per 100,000 people, census year nearest the period's end ('-': no population for the district).\n", rates.label(), rates.what)
	}
	return nil
}

// districtRates are the summary's rates per 100,000 people or per
// 100,000 of a --denominator's measure, of the incidents or of a
// --measure's sum, one per row.
type districtRates struct {
	what    string                // what is counted: "incidents", "kg of drugs seized"
	unit    string                // of a --measure's sum: "kg ", "PKR ", "victims "; "" for incidents
	per     string                // " " and the denominator's measure, "" for people
	den     *analysis.Denominator // --denominator, or nil
	value   []float64             // per row: what is counted
	base    []int64               // per row: the people or the denominator's figure, 0 for none
	year    []int                 // of base
	rate    []float64             // value per 100,000 of base
	any     bool                  // some row has a rate
	missing []string              // --denominator: the rows' districts it gives no figure
}

// summaryRates computes the rates of rows: per 100,000 people of the
// census year nearest the period's end (the store's), or with
// --denominator of its figure for the year nearest it.
func summaryRates(ctx context.Context, st *store.Store, o *summaryOptions, rows []store.SummaryRow, refYear int) (*districtRates, error) {
	out := &districtRates{what: "incidents"}
	if q, ok := quantityMeasures[o.Measure]; ok {
		out.what, out.unit = q.doc, q.unit+" "
	}
	var figures map[string][]store.PopulationYear
	if o.Denominator != "" {
		ds, err := st.Districts(ctx)
		if err != nil {
			return nil, err
		}
		pop, err := st.PopulationByDistrict(ctx)
		if err != nil {
			return nil, err
		}
		if out.den, err = analysis.ReadDenominator(o.Denominator, ds, pop, o.Spread); err != nil {
			return nil, err
		}
		figures, out.per = out.den.ByDistrict, " "+out.den.Measure
	}
	for _, r := range rows {
		base, year := r.Population, r.PopulationYear
		if figures != nil {
			base, year = 0, 0
			if py, ok := analysis.CensusYear(figures[r.Code], refYear); ok {
				base, year = py.Population, py.Year
			} else {
				out.missing = append(out.missing, r.Name)
			}
		}
		var v float64
		switch o.Measure {
		case "kg":
			v = r.Quantity
		case "amount_pkr":
			v = r.AmountPKR
		case "victims":
			v = float64(r.Victims)
		default:
			v = float64(r.Incidents)
		}
		rate := 0.0
		if base > 0 {
			rate, out.any = v*1e5/float64(base), true
		}
		out.value, out.base, out.year, out.rate = append(out.value, v), append(out.base, base), append(out.year, year), append(out.rate, rate)
	}
	out.any = out.any || out.den != nil
	return out, nil
}

// label heads the rates' column: "per 100k", "kg per 100k", "per 100k
// mobile_subscriptions".
func (d *districtRates) label() string { return d.unit + "per 100k" + d.per }

// perPeople is row i's value per 100,000 of r's people (r.Population
// above 0).
func (d *districtRates) perPeople(i int, r store.SummaryRow) float64 {
	return d.value[i] * 1e5 / float64(r.Population)
}

// text formats row i's rate, "-" without a population or figure.
func (d *districtRates) text(i int) string {
	if d.base[i] == 0 {
		return "-"
	}
	return strconv.FormatFloat(d.rate[i], 'f', 2, 64)
}

// orDots is a month flag's value, or "..." when it is not given.
func orDots(month string) string {
	if month == "" {
		return "..."
	}
	return month
}

// round rounds x to places decimals: sums of kilograms and rupees carry
// the binary noise of floating point (188797.73100000003).
func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// decimal formats x rounded to places decimals, without trailing zeros.
func decimal(x float64, places int) string {
	return strconv.FormatFloat(round(x, places), 'f', -1, 64)
}

func summaryCSV(w io.Writer, rows []store.SummaryRow, rates *districtRates) error {
	cw := csvout.NewWriter(w)
	head := []string{"rank", "district_code", "district_name", "province", "incidents"}
	head = append(head, schemas.Categories()...)
	head = append(head, "quantity", "amount_pkr", "by_point", "by_name", "population", "population_year", "rate_per_100k", "victims")
	if rates.den != nil {
		head = append(head, "denominator_measure", "denominator", "denominator_year", "rate_per_100k_denominator")
	}
	cw.Write(head)
	for i, r := range rows {
		rec := []string{strconv.Itoa(r.Rank), r.Code, r.Name, r.Province, strconv.FormatInt(r.Incidents, 10)}
		for _, n := range r.ByCategory {
			rec = append(rec, strconv.FormatInt(n, 10))
		}
		rec = append(rec, decimal(r.Quantity, 3), decimal(r.AmountPKR, 2),
			strconv.FormatInt(r.ByPoint, 10), strconv.FormatInt(r.ByName, 10))
		if r.Population > 0 {
			rec = append(rec, strconv.FormatInt(r.Population, 10), strconv.Itoa(r.PopulationYear), strconv.FormatFloat(rates.perPeople(i, r), 'f', 4, 64))
		} else {
			rec = append(rec, "", "", "")
		}
		rec = append(rec, strconv.FormatInt(r.Victims, 10))
		if rates.den != nil {
			rec = append(rec, rates.den.Measure, "", "", "")
			if rates.base[i] > 0 {
				n := len(rec)
				rec[n-3], rec[n-2], rec[n-1] = strconv.FormatInt(rates.base[i], 10), strconv.Itoa(rates.year[i]), strconv.FormatFloat(rates.rate[i], 'f', 4, 64)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

type jsonDistrict struct {
	Rank       int              `json:"rank"`
	Code       string           `json:"district_code"`
	Name       string           `json:"district_name"`
	Province   string           `json:"province"`
	Incidents  int64            `json:"incidents"`
	ByCategory map[string]int64 `json:"by_category"`
	Quantity   float64          `json:"quantity"`
	AmountPKR  float64          `json:"amount_pkr"`
	ByPoint    int64            `json:"by_point"`
	ByName     int64            `json:"by_name"`
	Population int64            `json:"population,omitempty"`
	PopYear    int              `json:"population_year,omitempty"`
	Rate       *float64         `json:"rate_per_100k,omitempty"`
	Victims    int64            `json:"victims"`
	// With --denominator: its figure, year and the rate per 100,000 of it.
	Denominator     int64    `json:"denominator,omitempty"`
	DenominatorYear int      `json:"denominator_year,omitempty"`
	DenominatorRate *float64 `json:"rate_per_100k_denominator,omitempty"`
}

type jsonProvinceCount struct {
	Province  string `json:"province"`
	Incidents int64  `json:"incidents"`
}

func summaryJSON(w io.Writer, o *summaryOptions, codes []string, rows []store.SummaryRow, rates *districtRates, tot store.Totals, breakdown []store.SubcategoryStat) error {
	out := struct {
		Category      string   `json:"category,omitempty"`
		Measure       string   `json:"measure"`
		Denominator   string   `json:"denominator_measure,omitempty"`
		Subcategories []string `json:"subcategories,omitempty"`
		From          string   `json:"from,omitempty"`
		To            string   `json:"to,omitempty"`
		MaxPrec       int      `json:"max_precision,omitempty"`
		Incidents     int64    `json:"incidents"`
		Records       int64    `json:"records"`
		Districts     int64    `json:"districts_with_incidents"`
		// Incidents placed in a province only, and in Pakistan only: in
		// "incidents" but in no district's row.
		Unallocated []jsonProvinceCount `json:"unallocated,omitempty"`
		CountryOnly int64               `json:"country_only,omitempty"`
		Rows        []jsonDistrict      `json:"districts"`
		Breakdown   []breakdownJSON     `json:"by_subcategory"`
	}{Category: o.Category, Measure: o.Measure, Subcategories: codes, Breakdown: breakdownRows(breakdown), From: o.From, To: o.To, Incidents: tot.Incidents, Records: tot.Records, Districts: tot.Districts, Rows: []jsonDistrict{}}
	if o.MaxPrecision < 4 {
		out.MaxPrec = o.MaxPrecision // absent: every incident
	}
	for _, u := range tot.Unallocated {
		if u.Province == "" {
			out.CountryOnly = u.Incidents
		} else {
			out.Unallocated = append(out.Unallocated, jsonProvinceCount{u.Province, u.Incidents})
		}
	}
	if rates.den != nil {
		out.Denominator = rates.den.Measure
	}
	for i, r := range rows {
		jd := jsonDistrict{Rank: r.Rank, Code: r.Code, Name: r.Name, Province: r.Province, Incidents: r.Incidents,
			ByCategory: map[string]int64{}, Quantity: round(r.Quantity, 3), AmountPKR: round(r.AmountPKR, 2), ByPoint: r.ByPoint, ByName: r.ByName,
			Population: r.Population, PopYear: r.PopulationYear, Victims: r.Victims}
		if r.Population > 0 {
			rate := rates.perPeople(i, r)
			jd.Rate = &rate
		}
		if rates.den != nil && rates.base[i] > 0 {
			jd.Denominator, jd.DenominatorYear, jd.DenominatorRate = rates.base[i], rates.year[i], &rates.rate[i]
		}
		for i, c := range schemas.Categories() {
			jd.ByCategory[c] = r.ByCategory[i]
		}
		out.Rows = append(out.Rows, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// rejectedText counts the rejected rows of the incident files and, apart,
// those of the population file, which are not incidents.
func rejectedText(t store.Totals) string {
	s := fmt.Sprintf("Rejected incident rows in the database: %s", commas(t.Rejected))
	if t.PopulationRejected > 0 {
		s += fmt.Sprintf("; rejected population rows: %s", commas(t.PopulationRejected))
	}
	return s + "."
}

// eventSummary ranks districts by the context events of o.Events in the
// period: events, per 100,000 people (census year of the period's end),
// killed and injured, and how many were placed by name only.
func eventSummary(ctx context.Context, env *Env, st *store.Store, o *summaryOptions, from, to time.Time) error {
	cells, err := st.EventCells(ctx, store.CellFilter{Category: o.Events, From: from, To: to}, o.MaxPrecision)
	if err != nil {
		return err
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		return err
	}
	nbrs, err := st.Neighbors(ctx)
	if err != nil {
		return err
	}
	pop, err := st.PopulationByDistrict(ctx)
	if err != nil {
		return err
	}
	period := analysis.Period{From: from, To: to}
	for _, c := range cells {
		if from.IsZero() && (period.From.IsZero() || c.Month.Before(period.From)) {
			period.From = c.Month
		}
		if to.IsZero() && c.Month.After(period.To) {
			period.To = c.Month
		}
	}
	if len(cells) == 0 {
		return fmt.Errorf("%s has no %s events in that period; nothing to summarise", o.DB, o.Events)
	}
	r := analysis.Analyse(analysis.LoadMap(ctx, ds, nbrs), cells, pop, period, period.Before(), analysis.Options{CountsOnly: true})
	var rows []*analysis.District
	var events, killed, injured int64
	for i := range r.Districts {
		d := &r.Districts[i]
		events += d.Incidents
		killed += d.Killed
		injured += d.Injured
		if d.Incidents > 0 {
			rows = append(rows, d)
		}
	}
	with := len(rows)
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Incidents != rows[j].Incidents {
			return rows[i].Incidents > rows[j].Incidents
		}
		return rows[i].Code < rows[j].Code
	})
	if o.Top > 0 && len(rows) > o.Top {
		rows = rows[:o.Top]
	}
	var unallocated int64
	for _, n := range r.Unallocated {
		unallocated += n
	}
	rate := func(d *analysis.District) string { return num(d.Rate, 4) }
	switch o.Format {
	case "csv":
		cw := csvout.NewWriter(env.Stdout)
		cw.Write([]string{"rank", "district_code", "district_name", "province", "events", "killed", "injured", "by_point", "by_name",
			"population", "population_year", "rate_per_100k"})
		for i, d := range rows {
			p, y := "", ""
			if d.Population > 0 {
				p, y = strconv.FormatInt(d.Population, 10), strconv.Itoa(d.PopulationYear)
			}
			cw.Write([]string{strconv.Itoa(i + 1), d.Code, d.Name, d.Province, strconv.FormatInt(d.Incidents, 10),
				strconv.FormatInt(d.Killed, 10), strconv.FormatInt(d.Injured, 10), strconv.FormatInt(d.ByPrecision[0], 10),
				strconv.FormatInt(d.ByPrecision[2], 10), p, y, rate(d)})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		type row struct {
			Rank       int     `json:"rank"`
			Code       string  `json:"district_code"`
			Name       string  `json:"district_name"`
			Province   string  `json:"province"`
			Events     int64   `json:"events"`
			Killed     int64   `json:"killed"`
			Injured    int64   `json:"injured"`
			ByPoint    int64   `json:"by_point"`
			ByName     int64   `json:"by_name"`
			Population int64   `json:"population,omitempty"`
			PopYear    int     `json:"population_year,omitempty"`
			Rate       jsonNum `json:"rate_per_100k"`
		}
		out := struct {
			Events      string `json:"events"`
			From        string `json:"from"`
			To          string `json:"to"`
			Count       int64  `json:"event_count"`
			Killed      int64  `json:"killed"`
			Injured     int64  `json:"injured"`
			Districts   int    `json:"districts_with_events"`
			Unallocated int64  `json:"unallocated,omitempty"`
			Rows        []row  `json:"districts"`
		}{Events: o.Events, From: period.From.Format("2006-01"), To: period.To.Format("2006-01"), Count: events + unallocated,
			Killed: killed, Injured: injured, Districts: with, Unallocated: unallocated, Rows: []row{}}
		for i, d := range rows {
			out.Rows = append(out.Rows, row{i + 1, d.Code, d.Name, d.Province, d.Incidents, d.Killed, d.Injured, d.ByPrecision[0],
				d.ByPrecision[2], d.Population, d.PopulationYear, jsonNum(d.Rate)})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := env.Stdout
	fmt.Fprintf(w, "%s %s events, %s to %s, in %d districts: %s killed, %s injured (in the districts' events)\n", commas(events+unallocated), o.Events,
		period.From.Format("2006-01"), period.To.Format("2006-01"), with, commas(killed), commas(injured))
	if ps := store.PrecisionScope(o.MaxPrecision); ps != "" {
		fmt.Fprintf(w, "(counting %s)\n", strings.Replace(ps, "incidents", "events", 1))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\tcode\tdistrict\tprovince\tevents\tper 100k\tkilled\tinjured\tby name\t")
	for i, d := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", i+1, d.Code, d.Name, d.Province, commas(d.Incidents),
			dash(d.Rate, 2), commas(d.Killed), commas(d.Injured), commas(d.ByPrecision[2]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range sortedKeys(r.Unallocated) {
		switch n := r.Unallocated[p]; {
		case n > 0 && p == "":
			fmt.Fprintf(w, "%s events are placed in Pakistan only (national level)\n", commas(n))
		case n > 0:
			fmt.Fprintf(w, "%s events in %s are placed in the province only (unallocated to a district)\n", commas(n), p)
		}
	}
	fmt.Fprintln(w, "\n'by name': events placed by district name only. 'per 100k': events per 100,000 people, census year nearest the period's end, the earlier of two as near ('-': no population).")
	return nil
}
