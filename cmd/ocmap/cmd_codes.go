//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

type codesOptions struct {
	DB, Category, Format string
}

func init() {
	var o codesOptions
	register(&Command{
		Name:  "codes",
		Usage: "[--db FILE] [--category C] [--format table|csv|json]",
		Short: "subcategory codes (drugs, channels, offences) and their counts",
		Long: `Lists the subcategory codes --subcategory takes, per category: drugs
(heroin, hashish, methamphetamine, ...), terror financing channels
(hawala_hundi, cash_courier, charity, crypto, ...), trafficking or smuggling,
cyber offences (with the PECA offences of the legal crosswalk), trafficking
records' exploitation types and stages (sexual, forced_labour, begging, ...;
transit; read from the record's own fields, marked with the field), and the
spellings of agency files that fold into each (charas is hashish, ice is
methamphetamine, hundi is hawala_hundi, npo is charity). The spellings are
ocmap's data/subcategories.csv.

With --db, each code with its incidents (a multi-source incident once) and
source records in the database, the spellings stored, and the stored
subcategories that are not in the list (kept as written: --subcategory
takes them too).

Examples:
  ocmap codes
  ocmap codes --db crime.duckdb --category drug_trafficking
  ocmap codes --db crime.duckdb --format csv > codes.csv`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&o.DB, "db", "", "ocmap database: count each code's incidents (optional)")
			fs.StringVar(&o.Category, "category", "all", "only this category's codes")
			fs.StringVar(&o.Format, "format", "table", "output format: table, csv or json")
		},
		Run: func(ctx context.Context, env *Env, args []string) error { return runCodes(ctx, env, &o, args) },
	})
}

// codeRow is one code of one category, with its counts when a database
// was given.
type codeRow struct {
	Category  string   `json:"category"`
	Code      string   `json:"code"`
	Field     string   `json:"field,omitempty"`     // another code field than the subcategory (exploitation)
	Listed    bool     `json:"listed"`              // in the code list (false: stored only)
	Variants  []string `json:"variants"`            // the list's spellings
	Stored    []string `json:"stored,omitempty"`    // the spellings the database holds
	Incidents *int64   `json:"incidents,omitempty"` // with --db
	Records   *int64   `json:"records,omitempty"`
}

func runCodes(ctx context.Context, env *Env, o *codesOptions, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if !slices.Contains([]string{"table", "csv", "json"}, o.Format) {
		return usagef("unknown format %q (table, csv or json)", o.Format)
	}
	cats := schemas.Categories()
	if o.Category != "" && o.Category != analysis.AllCategories {
		if _, ok := schemas.ParseCategory(o.Category); !ok {
			return usagef("unknown category %q (want one of %s, or all)", o.Category, strings.Join(schemas.Categories(), ", "))
		}
		cats = []string{o.Category}
	}
	sc, err := analysis.SubcategoryCodes()
	if err != nil {
		return err
	}
	var rows []codeRow
	index := map[store.SubKey]int{}
	for _, cn := range cats {
		c, _ := schemas.ParseCategory(cn)
		for _, code := range sc.Codes(c) {
			index[store.SubKey{Category: cn, Subcategory: code}] = len(rows)
			rows = append(rows, codeRow{Category: cn, Code: code, Field: schemas.SubcategoryField(c, code), Listed: true,
				Variants: orEmpty(sc.Variants(c, code))})
		}
	}
	if o.DB != "" {
		st, err := store.OpenReadOnly(ctx, o.DB)
		if err != nil {
			return err
		}
		defer st.Close()
		fold, err := foldMap(ctx, st)
		if err != nil {
			return err
		}
		stats, err := st.SubcategoryStats(ctx, store.CellFilter{}, fold)
		if err != nil {
			return err
		}
		for _, cn := range cats {
			c, _ := schemas.ParseCategory(cn)
			for _, d := range schemas.SubcategoryFields(c) {
				fs, err := st.FieldStats(ctx, store.CellFilter{}, c, d.Name)
				if err != nil {
					return err
				}
				// A record without the field is counted by its
				// subcategory already.
				stats = append(stats, slices.DeleteFunc(fs, func(s store.SubcategoryStat) bool { return s.Code == "" })...)
			}
		}
		for _, s := range stats {
			if !slices.Contains(cats, s.Category) {
				continue
			}
			i, ok := index[store.SubKey{Category: s.Category, Subcategory: s.Code}]
			if !ok {
				i = len(rows)
				rows = append(rows, codeRow{Category: s.Category, Code: s.Code, Field: s.Field, Variants: []string{}})
			}
			rows[i].Incidents, rows[i].Records, rows[i].Stored = &s.Incidents, &s.Records, s.Written
		}
		for i := range rows {
			if rows[i].Incidents == nil {
				var zero int64
				rows[i].Incidents, rows[i].Records = &zero, &zero
			}
		}
		// Most incidents first within each category, as the summary's
		// breakdown.
		slices.SortStableFunc(rows, func(a, b codeRow) int {
			if a.Category != b.Category {
				return slices.Index(cats, a.Category) - slices.Index(cats, b.Category)
			}
			switch {
			case *a.Incidents > *b.Incidents:
				return -1
			case *a.Incidents < *b.Incidents:
				return 1
			}
			return strings.Compare(a.Code, b.Code)
		})
	}
	switch o.Format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"db": o.DB, "codes": rows})
	case "csv":
		cw := csvout.NewWriter(env.Stdout)
		cw.Write([]string{"category", "code", "field", "listed", "variants", "stored", "incidents", "records"})
		for _, r := range rows {
			n, rec := "", ""
			if r.Incidents != nil {
				n, rec = strconv.FormatInt(*r.Incidents, 10), strconv.FormatInt(*r.Records, 10)
			}
			cw.Write([]string{r.Category, r.Code, r.Field, strconv.FormatBool(r.Listed), strings.Join(r.Variants, ";"), strings.Join(r.Stored, ";"), n, rec})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	head := "category\tcode\tspellings folded into it\t"
	if o.DB != "" {
		head += "incidents\trecords\tstored as\t"
	}
	fmt.Fprintln(tw, head)
	unlisted := 0
	for _, r := range rows {
		code := r.Code
		if !r.Listed {
			code += " *"
			unlisted++
		}
		if code == " *" {
			code = "(none) *"
		}
		if r.Field != "" {
			code += " (" + r.Field + ")"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t", r.Category, code, strings.Join(r.Variants, ", "))
		if r.Incidents != nil {
			line += fmt.Sprintf("%s\t%s\t%s\t", commas(*r.Incidents), commas(*r.Records), strings.Join(r.Stored, ", "))
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if unlisted > 0 {
		fmt.Fprintf(env.Stdout, "\n* %d stored subcategories are not in ocmap's code list (data/subcategories.csv): --subcategory takes them as written\n", unlisted)
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
