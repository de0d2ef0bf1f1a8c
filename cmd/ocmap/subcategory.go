//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

const subcategoryHelp = "only this subcategory (repeatable, or a comma list): a drug (heroin, hashish, methamphetamine, ...), a terror financing channel (hawala_hundi, cash_courier, charity, crypto, ...), trafficking or smuggling, an exploitation type (sexual, forced_labour, begging, ...; with trafficking or smuggling, both must hold), a cyber offence; spellings such as charas, ice or hundi fold into their code ('ocmap codes --db FILE' lists them with their counts)"

// addSubcategoryFlag defines --subcategory, the same for every analyst
// command.
func addSubcategoryFlag(fs *pflag.FlagSet, dst *[]string) {
	fs.StringSliceVar(dst, "subcategory", nil, subcategoryHelp)
}

// storedSubcategories is what resolveSubcategories reads.
type storedSubcategories interface {
	StoredSubcategories(context.Context) ([]store.SubKey, error)
}

// codesAndStored returns ocmap's code list and the spellings st holds.
func codesAndStored(ctx context.Context, st storedSubcategories) (*schemas.SubcategoryCodes, []store.SubKey, error) {
	sc, err := analysis.SubcategoryCodes()
	if err != nil {
		return nil, nil, err
	}
	stored, err := st.StoredSubcategories(ctx)
	return sc, stored, err
}

// subcategoryScope is --subcategory resolved against the database.
type subcategoryScope struct {
	Codes    []string // the codes asked for, folded ("ice" -> methamphetamine)
	Category string   // the one category the codes belong to
	Filter   store.SubFilter
}

// resolveSubcategories folds each asked subcategory into its code through
// data/subcategories.csv, in category (or the category it is a code of,
// when category is all or ""), and keeps the stored spellings that fold
// into it. A code neither known nor stored is a usage error; so are codes
// of several categories.
func resolveSubcategories(ctx context.Context, st storedSubcategories, category string, asked []string) (*subcategoryScope, error) {
	if len(asked) == 0 {
		return &subcategoryScope{}, nil
	}
	sc, stored, err := codesAndStored(ctx, st)
	if err != nil {
		return nil, err
	}
	cats := schemas.Categories()
	if category != "" && category != analysis.AllCategories {
		cats = []string{category}
	}
	out := &subcategoryScope{}
	var keys []store.SubKey
	for _, a := range asked {
		if strings.TrimSpace(a) == "" {
			return nil, usagef("--subcategory: empty code")
		}
		var inCats []string
		var code string
		for _, cn := range cats {
			c, _ := schemas.ParseCategory(cn)
			k, known := sc.Code(c, a)
			if !known {
				// A spelling the list does not know is still a code if the
				// database holds it.
				known = slices.ContainsFunc(stored, func(s store.SubKey) bool {
					return s.Category == cn && schemas.SubcategoryKey(s.Subcategory) == k
				})
			}
			if known {
				inCats = append(inCats, cn)
				code = k
			}
		}
		switch {
		case len(inCats) == 0 && (category == "" || category == analysis.AllCategories):
			return nil, usagef("unknown subcategory %q ('ocmap codes --db FILE' lists the codes and their counts)", a)
		case len(inCats) == 0:
			return nil, usagef("unknown subcategory %q of %s ('ocmap codes --db FILE --category %s' lists its codes and their counts)", a, category, category)
		case len(inCats) > 1:
			return nil, usagef("subcategory %q is a code of %s: give --category", a, strings.Join(inCats, " and "))
		}
		if out.Category != "" && out.Category != inCats[0] {
			return nil, usagef("--subcategory %s is of %s, %s of %s: give codes of one category", out.Codes[0], out.Category, code, inCats[0])
		}
		out.Category = inCats[0]
		if !slices.Contains(out.Codes, code) {
			out.Codes = append(out.Codes, code)
		}
		c, _ := schemas.ParseCategory(inCats[0])
		if field := schemas.SubcategoryField(c, code); field != "" {
			// An exploitation type (or stage) is read from the
			// category's own table, where it is stored as its code.
			keys = append(keys, store.SubKey{Category: inCats[0], Subcategory: code, Field: field})
			continue
		}
		// The code itself, so that a code with no incident keeps nothing
		// rather than everything, and every stored spelling of it.
		keys = append(keys, store.SubKey{Category: inCats[0], Subcategory: code})
		for _, s := range stored {
			if s.Category != inCats[0] {
				continue
			}
			if k, _ := sc.Code(c, s.Subcategory); k == code {
				keys = append(keys, s)
			}
		}
	}
	out.Filter = store.NewSubFilter(keys)
	return out, nil
}

// foldMap maps every stored spelling to its code, for
// store.SubcategoryStats.
func foldMap(ctx context.Context, st storedSubcategories) (map[store.SubKey]string, error) {
	sc, stored, err := codesAndStored(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[store.SubKey]string{}
	for _, s := range stored {
		c, ok := schemas.ParseCategory(s.Category)
		if !ok {
			continue
		}
		if k, _ := sc.Code(c, s.Subcategory); k != s.Subcategory {
			out[s] = k
		}
	}
	return out, nil
}

// scopeText names a category and its subcategories: "drug_trafficking
// (heroin, hashish)".
func scopeText(category string, codes []string) string {
	if len(codes) == 0 {
		return category
	}
	return fmt.Sprintf("%s (%s)", category, strings.Join(codes, ", "))
}

// quantityMeasure is a --measure that sums a quantity of incidents.
type quantityMeasure struct {
	name, category, unit, doc string
	value                     func(store.Cell) float64
}

// places are the decimals a quantity is shown with: grams of a kg, whole
// rupees and people.
func (q *quantityMeasure) places() int {
	if q.unit == "kg" {
		return 2
	}
	return 0
}

// quantityMeasures are the quantities --measure takes. kg is drug
// seizures' only (canonical trafficking rows keep victims in quantity);
// the store converts every mass to kg and every amount to PKR at ingest.
var quantityMeasures = map[string]quantityMeasure{
	"kg": {"kg", "drug_trafficking", "kg", "kg of drugs seized",
		func(c store.Cell) float64 {
			if c.Category == "drug_trafficking" {
				return c.Quantity
			}
			return 0
		}},
	"amount_pkr": {"amount_pkr", "terror_financing", "PKR", "amounts in PKR: terror financing, and fraud among cybercrime",
		func(c store.Cell) float64 { return c.AmountPKR }},
	"victims": {"victims", "human_trafficking", "victims", "victims of trafficking and smuggling",
		func(c store.Cell) float64 { return float64(c.Victims) }},
}

// quantityNotes say what a quantity measure's numbers are, and where the
// statistics of counts do not hold for them.
func (a *analysed) quantityNotes() []string {
	q := a.quantity
	var sum, largest float64
	var n int64
	for _, d := range a.Districts {
		sum += d.Value
	}
	for _, s := range a.Medians {
		n += s.N
		largest = max(largest, s.Max)
	}
	out := []string{fmt.Sprintf("measure: %s, %s %s in %s incidents with one (median per district in --format csv and json; heatmap --metric median)",
		q.doc, commasFloat(sum, q.places()), q.unit, commas(n))}
	if sum > 0 {
		out = append(out, fmt.Sprintf("the largest single incident is %s %s, %.1f%% of the sum: sums of seizures and amounts are dominated by a few large ones, so read the median and the log or rank view beside them",
			commasFloat(largest, q.places()), q.unit, 100*largest/sum))
	}
	scale := a.Basis
	per := "people"
	if a.Denominator != nil {
		per = a.Denominator.Measure
	}
	out = append(out, fmt.Sprintf("rates: %s per 100,000 %s (crude: no EB smoothing, which assumes counts of events); change and trends on the sums (Mann-Kendall uses ranks only); hot spots and clusters on the %s of the districts' sums (--scale log, rank or raw)",
		q.unit, per, map[string]string{"log": "log10(1 + sum)", "rank": "ranks", "sum": "raw sums (a single large seizure can make its neighbourhood a hot spot)"}[scale]))
	return out
}

// noDenominator lists the districts analysed that the --denominator file
// gives no figure, by name.
func (a *analysed) noDenominator() []string {
	var out []string
	for _, d := range a.Districts {
		if _, ok := a.pop[d.Code]; !ok {
			out = append(out, d.Name)
		}
	}
	return out
}

// denominatorNote says what rates are per 100,000 of, and which districts
// have none.
func (a *analysed) denominatorNote() string { return denominatorNote(a.Denominator, a.noDenominator()) }

// denominatorNote says what rates are per 100,000 of d's measure, and
// names the districts of no that have no figure.
func denominatorNote(d *analysis.Denominator, no []string) string {
	s := fmt.Sprintf("denominator: %s from %s, years %v (the year nearest the period's end, the earlier of two as near); rates per 100,000 %s",
		d.Measure, d.Path, d.Years, d.Measure)
	if d.Spread > 0 {
		s += fmt.Sprintf("; %d districts' figures spread from their province's by population share (--spread population)", d.Spread)
	}
	if len(no) > 0 {
		shown := no
		if len(shown) > 10 {
			shown = shown[:10]
		}
		s += fmt.Sprintf("; %d districts have no denominator figure (no rate, not 0): %s", len(no), strings.Join(shown, ", "))
		if len(no) > len(shown) {
			s += ", ..."
		}
	}
	return s
}

// commasFloat formats x with places decimals and thousands separators:
// 12,345.68.
func commasFloat(x float64, places int) string {
	s := strconv.FormatFloat(round(x, places), 'f', places, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	out := commas(n)
	if whole == "-0" {
		out = "-0"
	}
	if frac != "" {
		out += "." + frac
	}
	return out
}
