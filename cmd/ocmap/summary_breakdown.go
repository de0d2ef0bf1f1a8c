//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// fieldBreakdown appends to breakdown the incidents within f by each code
// field besides the subcategory (a trafficking record's exploitation type
// and stage), for the categories f keeps, where some record gives one.
func fieldBreakdown(ctx context.Context, st *store.Store, f store.CellFilter, breakdown []store.SubcategoryStat) ([]store.SubcategoryStat, error) {
	for _, cn := range schemas.Categories() {
		if f.Category != "" && f.Category != cn {
			continue
		}
		c, _ := schemas.ParseCategory(cn)
		for _, d := range schemas.SubcategoryFields(c) {
			rows, err := st.FieldStats(ctx, f, c, d.Name)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(rows, func(r store.SubcategoryStat) bool { return r.Code != "" }) {
				breakdown = append(breakdown, rows...)
			}
		}
	}
	return breakdown, nil
}

// breakdownCode is a breakdown row's code as shown: "(none)" for none, and
// the field of a code field's row ("sexual (exploitation)").
func breakdownCode(r store.SubcategoryStat) string {
	code := r.Code
	if code == "" {
		code = "(none)"
	}
	if r.Field != "" {
		code += " (" + r.Field + ")"
	}
	return code
}

// breakdownTable prints the incidents by subcategory: counts, and the
// sum, median and largest of each quantity the category carries.
func breakdownTable(w io.Writer, rows []store.SubcategoryStat) error {
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nBy subcategory (spellings folded into codes: 'ocmap codes'):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tsubcategory\tincidents\tdistricts\tkg\tkg median\tkg largest\tPKR\tPKR median\tvictims\tvictims median\t")
	q := func(n int64, v float64, places int) string {
		if n == 0 {
			return "-"
		}
		return commasFloat(v, places)
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Category, breakdownCode(r), commas(r.Incidents), commas(r.Districts),
			q(r.KgN, r.Kg, 1), q(r.KgN, r.KgMedian, 1), q(r.KgN, r.KgMax, 1), q(r.AmountN, r.AmountPKR, 0), q(r.AmountN, r.AmountMedian, 0),
			q(r.VictimsN, r.Victims, 0), q(r.VictimsN, r.VictimsMedian, 1))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if slices.ContainsFunc(rows, func(r store.SubcategoryStat) bool { return r.Field != "" }) {
		fmt.Fprintln(w, "Rows marked (exploitation) or (stage) break the same incidents down by that field of the trafficking record ((none): not given).")
	}
	fmt.Fprintln(w, "An incident reported by several agencies counts once; kg, PKR and victims are summed over the incidents that have one, the median and largest of the same. A few large seizures dominate sums: compare the median.")
	return nil
}

// breakdownJSON is one row of the breakdown in JSON; quantities are
// absent when no incident has one.
type breakdownJSON struct {
	Category    string   `json:"category"`
	Code        string   `json:"subcategory"`
	Field       string   `json:"field,omitempty"` // a code field besides the subcategory (exploitation)
	Written     []string `json:"spellings"`
	Incidents   int64    `json:"incidents"`
	Records     int64    `json:"records"`
	Districts   int64    `json:"districts"`
	Kg          *qJSON   `json:"kg,omitempty"`
	AmountPKR   *qJSON   `json:"amount_pkr,omitempty"`
	VictimsStat *qJSON   `json:"victims,omitempty"`
}

// qJSON is a quantity over the incidents that have one.
type qJSON struct {
	Incidents int64   `json:"incidents"`
	Sum       float64 `json:"sum"`
	Median    float64 `json:"median"`
	Max       float64 `json:"max"`
}

func breakdownRows(rows []store.SubcategoryStat) []breakdownJSON {
	out := []breakdownJSON{}
	q := func(n int64, sum, med, mx float64) *qJSON {
		if n == 0 {
			return nil
		}
		return &qJSON{n, round(sum, 6), round(med, 6), round(mx, 6)}
	}
	for _, r := range rows {
		out = append(out, breakdownJSON{Category: r.Category, Code: r.Code, Field: r.Field, Written: r.Written, Incidents: r.Incidents, Records: r.Records,
			Districts: r.Districts, Kg: q(r.KgN, r.Kg, r.KgMedian, r.KgMax), AmountPKR: q(r.AmountN, r.AmountPKR, r.AmountMedian, r.AmountMax),
			VictimsStat: q(r.VictimsN, r.Victims, r.VictimsMedian, r.VictimsMax)})
	}
	return out
}

func breakdownCSV(w io.Writer, rows []store.SubcategoryStat) error {
	cw := csvout.NewWriter(w)
	cw.Write([]string{"category", "subcategory", "field", "spellings", "incidents", "records", "districts",
		"kg_incidents", "kg_sum", "kg_median", "kg_max", "pkr_incidents", "pkr_sum", "pkr_median", "pkr_max",
		"victims_incidents", "victims_sum", "victims_median", "victims_max"})
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	f := func(n int64, v float64) string {
		if n == 0 {
			return ""
		}
		return decimal(v, 6)
	}
	for _, r := range rows {
		cw.Write([]string{r.Category, r.Code, r.Field, strings.Join(r.Written, ";"), i(r.Incidents), i(r.Records), i(r.Districts),
			i(r.KgN), f(r.KgN, r.Kg), f(r.KgN, r.KgMedian), f(r.KgN, r.KgMax),
			i(r.AmountN), f(r.AmountN, r.AmountPKR), f(r.AmountN, r.AmountMedian), f(r.AmountN, r.AmountMax),
			i(r.VictimsN), f(r.VictimsN, r.Victims), f(r.VictimsN, r.VictimsMedian), f(r.VictimsN, r.VictimsMax)})
	}
	cw.Flush()
	return cw.Error()
}
