package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// checkRows is how many normalized rows 'layouts check' shows.
const checkRows = 5

type layoutsOptions struct {
	boundaries boundaryOptions
	limits     limitsOptions
	places     placesOptions
}

func (o *layoutsOptions) AddFlags(fs *pflag.FlagSet) {
	o.boundaries.AddFlags(fs)
	o.limits.AddFlags(fs)
	o.places.AddFlags(fs)
}

func init() {
	var o layoutsOptions
	register(&Command{
		Name:  "layouts",
		Usage: "[fields | show NAME | check LAYOUT INPUT]",
		Short: "list the builtin source layouts, or try one on a file",
		Long: `Without arguments, lists the builtin source layouts: name, kind and title.
A layout says how one source's files map onto ocmap's fields; give its name
(or a layout file of your own) to 'ocmap ingest --layout'.

'layouts fields' lists the fields a layout can fill: the common ones, and
each category's own fields with the codes they take. 'layouts show NAME'
prints a builtin layout's file, comments included, to start one of your own
from (ocmap layouts show anf-seizures > my-agency.yaml).

'layouts check LAYOUT INPUT' is a dry run, without a database: it reads INPUT
through LAYOUT (a builtin name, canonical, auto as ingest's default, or a
layout file), checks and places every row
in a district, and prints the first 5 normalized rows, the rejects counted per
field and reason, and rows read = accepted + rejected. Then, under 'where
rows land', what the ingest and 'ocmap review' will find: placeholder points
by rule (their rows are placed by name at ingest), rows whose point and name
give two districts by district pair (the 10 pairs of most rows), points
outside the province the row gives, rows placed near a town of the place
layer or far from the town they name, and rows placed from narrative text,
each with an example line. Statistics are kept for the first 1,000,000
different points; rows at further points are counted but not checked for
placeholders. It needs the boundary
file, as ingest does, and reads INPUT within the limits ingest does
(--max-bytes, see 'ocmap help ingest').

A layout file is YAML (at most 256 KiB, nested at most 64 levels; anchors
and aliases may share a value but not expand past 100,000 values):
  name: pbc-suicide-attacks          # lower-case letters, digits, dashes
  title: Pakistan Body Count, suicide attacks
  kind: context                      # incidents, or context (events beside them)
  event_type: suicide_attack         # context only
  encoding: windows-1252             # utf-8 (default), utf-8-bom, windows-1252, windows-1256, utf-16
  match: [S#, Date, Killed Max]      # header columns that identify the file (--layout auto)
  dates: {formats: [dddd-mmmm d-yyyy, d-mmm-yy], pivot: 30}
  fields:
    incident_id: {column: S#, prefix: "PBC-SA-"}
    occurred_on: {column: Date}
    lat: {column: Latitude}
    lon: {column: Longitude}
    district_hint: {column: City}
    place: {columns: [Location, City], join: ", "}
    killed: {column: Killed Max}
    source: {value: Pakistan Body Count}
  personal:
    - {column: Politician, action: drop}

An incident layout (kind: incidents, the default) names its category with
category: drug_trafficking, or fields.category (with a map), or neither when
fields.statute and fields.section give it through the legal crosswalk, which
also fills iccs_code. agency: names the agency that keeps the files (for
the reader; the source column still comes from fields.source). format: csv
(the default; delimiter: ',' or another single character), tsv, xlsx
(sheet), jsonl or json (nested keys as a.b), or parquet (a file, or a folder
read as one dataset: struct fields as a.b, GeoParquet points as
geometry.lon and geometry.lat, Hive key=value folder names as columns; see
'ocmap layouts show ocmap-incidents'). header_row: N skips title rows
above the header and footer_rows: N drops the last N rows (totals, notes),
in CSV as in XLSX. It may convert fields.quantity {unit: g} to kg and
fields.amount_pkr {unit: pkr_lakh} (or usd with usd_rate) to PKR.
decimal: comma reads quantities, amounts and coordinates written 1.250,5
(a spreadsheet in a European locale, delimiter: ';'); decimal: point, the
default, 1,250.5. A file separated by semicolons whose layout does not say
which has its numbers with a comma refused, not guessed: "1,250" is 1.25
or 1250.

Dates: dates.formats lists the forms tried in order, such as dd/mm/yyyy,
d-mmm-yy, "mmm d, yyyy", dddd-mmmm d-yyyy, mm/yyyy, yyyy or excel. Tokens (any
case): d and m take 1 or 2 digits, dd and mm exactly 2, yy 2 digits (years
below pivot are 20yy, the others 19yy) and yyyy 4; mmm and mmmm an English
month name (full, 3 letters or "Sept"); ddd and dddd a weekday name, checked
to be one but not against the date; excel an Excel serial day number. Every
other character is a separator that must appear as written. A month-only or
year-only form gives the date's precision (occurred_on is the first day).

Coordinates: fields.lat and fields.lon take coord: decimal (degrees), dms
(degrees, minutes, seconds such as 33°41'30"N) or auto (the default: either).

How good the points are: points: exact (the default), approximate (district
or town centroids: rows are placed by their names first) or ignore (names
only); fields.point_precision {column: geo_precision, map: {'1': exact,
'2': approximate, '3': ignore}} says it row by row. fields.narrative names a
column of free text read for place names when no point and no name place
the row ("killed in Bara tehsil of Khyber Agency" is Khyber).

Examples:
  ocmap layouts
  ocmap layouts check pbc-suicide-attacks "PakistanSuicideAttacks Ver 11 (30-November-2017).csv"
  ocmap layouts check my-agency.yaml agency_2024.csv
  ocmap layouts check anf-seizures seizures_2021.xlsx`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			switch {
			case len(args) == 0:
				return listLayouts(env.Stdout)
			case args[0] == "fields" && len(args) == 1:
				return listFields(env.Stdout)
			case args[0] == "show" && len(args) == 2 && args[1] == layout.CanonicalName:
				_, err := env.Stdout.Write(layout.CanonicalText())
				return err
			case args[0] == "show" && len(args) == 2:
				text, err := layout.Text(args[1])
				if err != nil {
					return usagef("%v", err)
				}
				_, err = env.Stdout.Write(text)
				return err
			case args[0] == "check" && len(args) == 3:
				return checkLayout(ctx, env, &o, args[1], args[2])
			case args[0] == "check":
				return usagef("layouts check needs a layout and one input file")
			default:
				return usagef("unknown argument %q (want nothing, fields, show NAME, or check LAYOUT INPUT)", args[0])
			}
		},
	})
}

func listLayouts(w io.Writer) error {
	all, err := layout.Builtin()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tkind\ttitle")
	fmt.Fprintf(tw, "%s\t%s\t%s\n", layoutCanonical, layout.KindIncidents, "ocmap's canonical CSV (see 'ocmap help ingest')")
	for _, l := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Name, l.Kind, l.Title)
	}
	return tw.Flush()
}

func listFields(w io.Writer) error {
	for _, kind := range []string{layout.KindIncidents, layout.KindContext} {
		fmt.Fprintf(w, "%s layouts:\n", kind)
		common := layout.Targets[kind]
		if kind == layout.KindIncidents {
			common = common[:len(common)-len(schemas.DetailNames())]
		}
		fmt.Fprintf(w, "  %s\n", wrapList(common, 76))
	}
	fmt.Fprintln(w, "\ncategory fields (incidents layouts; a row fills only its own category's):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cd := range schemas.Details {
		fmt.Fprintf(tw, "%s\n", cd.Category)
		for _, d := range cd.Fields {
			what := d.Doc
			switch d.Kind {
			case schemas.DetailCode:
				what += "; one of: " + strings.Join(d.Codes, ", ")
			case schemas.DetailCount:
				what += "; a whole number"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", d.Name, what)
		}
	}
	return tw.Flush()
}

// wrapList joins names with ", " in lines of at most width characters.
func wrapList(names []string, width int) string {
	var b strings.Builder
	line := 0
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
			line++
			if line+len(n)+1 > width {
				b.WriteString("\n  ")
				line = 0
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(n)
		line += len(n)
	}
	return b.String()
}

func checkLayout(ctx context.Context, env *Env, o *layoutsOptions, name, input string) error {
	var l *layout.Layout
	var err error
	switch name {
	case layout.CanonicalName:
		l, err = layout.Canonical()
	case layoutAuto:
		// As ingest's default: the layout the file's header picks.
		if l, err = autoLayout(input, o.limits.limits()); err != nil {
			return err
		}
		if l == nil {
			l, err = layout.Canonical()
		}
	default:
		l, err = layout.Find(name)
	}
	if errors.Is(err, layout.ErrInvalid) {
		return err // a mistake in the file, with its line: not a wrong call
	}
	if err != nil {
		return usagef("%v", err)
	}
	loc, err := o.boundaries.locator(env)
	if err != nil {
		return err
	}
	if pf, err := o.places.load(env); err != nil {
		return err
	} else if pf != nil {
		loc.UsePlaces(pf)
	}
	rep, err := pipeline.Check(ctx, input, l, loc, checkRows, o.limits.limits())
	if err != nil {
		return limitHint(err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "layout %s (%s), %s\n", l.Name, l.Source, input)
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	fmt.Fprintf(w, "first %d normalized rows:\n", len(rep.Rows))
	for i, row := range rep.Rows {
		fmt.Fprintf(w, "  row %d\n", i+1)
		for c, v := range row {
			if v == "" {
				if c >= schemas.Incidents.NumFields() {
					continue // another category's field, or one the layout does not fill
				}
				v = "(null)"
			}
			fmt.Fprintf(w, "    %-18s %s\n", rep.Columns[c], v)
		}
	}
	if len(rep.Rejects) > 0 {
		fmt.Fprintln(w, "rejects by field and reason:")
		for _, r := range rep.Rejects {
			fmt.Fprintf(w, "  %6s  %s: %s\n", commas(r.Count), r.Field, r.Reason)
		}
	}
	fmt.Fprintf(w, "rows read %s = accepted %s + rejected %s\n", commas(rep.Read), commas(rep.Accepted), commas(rep.Rejected))
	if note := footerNote(rep.Footer); note != "" {
		fmt.Fprintln(w, note)
	}
	printLanding(w, filepath.Base(input), rep.Landing, loc)
	return nil
}

// checkPairs is how many district pairs 'layouts check' shows.
const checkPairs = 10

// printLanding prints where the rows land, as the ingest and 'ocmap
// review' will see them: only what is there to see.
func printLanding(w io.Writer, file string, lg *store.Landing, loc *locate.Locator) {
	at := func(f store.Finding) string {
		return fmt.Sprintf("%s:%d", file, f.Line)
	}
	fmt.Fprintln(w, "where rows land:")
	if len(lg.Placeholders) == 0 {
		fmt.Fprintln(w, "  placeholder points: none")
	}
	for _, t := range lg.Placeholders {
		what := fmt.Sprintf("%s rows naming %s different places", commas(t.AtPoint), placesShown(t.Places))
		switch t.Rule {
		case store.RuleNames:
			what = fmt.Sprintf("%s rows whose names lie in 2 or more districts", commas(t.AtPoint))
		case store.RuleDates:
			what = fmt.Sprintf("%s rows over %s days", commas(t.AtPoint), commas(t.SpanDay))
		}
		fmt.Fprintf(w, "  placeholder points (%s): %s points, %s rows; e.g. %s, (%.4f, %.4f): %s\n",
			ruleWords[t.Rule], commas(t.Points), commas(t.Rows), fmt.Sprintf("%s:%d", file, t.Line), t.Lat, t.Lon, what)
	}
	if len(lg.Placeholders) > 0 {
		fmt.Fprintln(w, "    the ingest places the rows at a placeholder point by their names, else in the point's province")
	}
	if lg.Untracked > 0 {
		fmt.Fprintf(w, "  %s rows at points beyond the first %s were not checked for placeholders\n",
			commas(lg.Untracked), commas(int64(store.CheckPoints)))
	}
	var kept, over int64
	for _, p := range lg.Pairs {
		kept += p.Kept.Rows
		over += p.Over.Rows
	}
	fmt.Fprintf(w, "  point and name in different districts: %s rows, the point kept; %s rows, placed by the name\n", commas(kept), commas(over))
	if len(lg.Pairs) > 0 {
		var b bytes.Buffer
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    point in\tname says\tpoint kept\tby name\texample")
		for i, p := range lg.Pairs {
			if i == checkPairs {
				fmt.Fprintf(tw, "    (%d more pairs: see 'ocmap review' after the ingest)\n", len(lg.Pairs)-checkPairs)
				break
			}
			ex := p.Example()
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s, (%.4f, %.4f)\n", p.Point, p.Name, commas(p.Kept.Rows), commas(p.Over.Rows), at(ex), ex.Lat, ex.Lon)
		}
		tw.Flush()
		io.WriteString(w, b.String())
	}
	fmt.Fprintf(w, "  point outside the province the row gives: %s rows\n", commas(lg.Outside.Rows))
	if lg.Outside.Rows > 0 {
		fmt.Fprintf(w, "    e.g. %s: %s\n", at(lg.Outside), lg.Outside.Note)
	}
	if ps := loc.Places(); ps != nil {
		fmt.Fprintf(w, "  place layer (%s): %s rows placed near a named town or village, %s rows whose point is more than %.0f km from the town they name\n",
			ps.Source(), commas(lg.Near.Rows), commas(lg.Far.Rows), locate.PlaceKm)
		for _, f := range []store.Finding{lg.Near, lg.Far} {
			if f.Rows > 0 {
				fmt.Fprintf(w, "    e.g. %s: %s\n", at(f), f.Note)
			}
		}
	}
	if lg.Text.Rows > 0 {
		fmt.Fprintf(w, "  placed from narrative text: %s rows\n    e.g. %s: %s\n", commas(lg.Text.Rows), at(lg.Text), lg.Text.Note)
	}
}

// ruleWords says what each placeholder rule means.
var ruleWords = map[string]string{
	store.RuleNames:  "names in several districts",
	store.RulePlaces: "many places at one point",
	store.RuleCoarse: "two decimals, several places",
	store.RuleDates:  "over more than a year",
}

// placesShown is a count of place texts, which stops at store.CheckPlaces.
func placesShown(n int64) string {
	if n >= store.CheckPlaces {
		return commas(n) + " or more"
	}
	return commas(n)
}
