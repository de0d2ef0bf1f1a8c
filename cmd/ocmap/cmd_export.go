//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline/export"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/store"
)

// maxPrecisionHelp is the help line of --max-precision in every command.
const maxPrecisionHelp = "count only incidents located at precision 1 to N (1 point, 2 near a place, 3 district named, 4 province only: all)"

// checkMaxPrecision refuses a --max-precision outside 1 to 4.
func checkMaxPrecision(n int) error {
	if n < 1 || n > 4 {
		return usagef("--max-precision must be from 1 to 4")
	}
	return nil
}

type exportOptions struct {
	DB, Out, From, To, Classes string
	MinCell                    int64
	K, Width, MaxPrecision     int
	LabelTop                   int
	Internal, WithText         bool
	Events                     string // context event types for events.csv, internal exports only
	Subcategories              []string
	Incidents                  string
	Simplify                   float64
	NearBorder                 float64 // --near-border, internal exports only
	nearBorderSet              bool
	boundaries                 boundaryOptions
	publish                    publishOptions
}

func init() {
	var o exportOptions
	register(&Command{
		Name:  "export",
		Usage: "--db FILE --out DIR [--from YYYY-MM] [--to YYYY-MM] [--min-cell N] [--classes quantile|jenks] [--max-precision N] [--internal [--events TYPE,...|all]]\n       ocmap export --db FILE --incidents DIR --internal [--with-text]",
		Short: "write the publishable map: SVG/PNG maps, CSV, GeoJSON, Parquet, HTML report, manifest",
		Long: `Writes the preliminary national crime map into DIR, from the database:

  map_<category>.svg, .png   a district choropleth for each category and for all
                             four (rates per 100,000 people with a population,
                             counts without), with legend, scale bar, province
                             outlines and names, source note and a PRELIMINARY label
  districts.csv              per district: incidents, rates, EB rates, hot spot
                             class and cluster of each category, blank where suppressed
  districts.geojson          the same, with simplified district polygons (QGIS, kepler.gl)
  district_month.parquet     incidents per district, category and month
  flows.csv, flows.geojson   drug and human trafficking incidents by origin and
                             destination (district or country; see 'ocmap help flows'),
                             GeoJSON lines from a point inside each end
  flows_<category>.svg, .png the flow maps of drug and human trafficking
  report.html                one self-contained page: maps, top districts, trends,
                             overlaps, data quality, disclosure control, methods
  manifest.json              inputs with SHA-256, ingest runs, boundary and population
                             files, parameters, and the SHA-256 of every file above

Disclosure control is on: counts from 1 to --min-cell - 1 are suppressed, with
further cells so that none can be worked out from district, province or
national totals (zeros are published); the maps hatch them and the tables
leave them blank; the report says how many. Hot spot classes, clusters,
trends and EB rates are worked out from the published figures only (a
suppressed district is left out, as one without population). A flow of
fewer than --min-cell incidents is in no file and on no map; the report
counts them per category. A published flow's victims or kilograms show
"suppressed" when victims are from 1 to --min-cell - 1, when one or two
incidents make nearly all of the sum (the p% rule at 10%), or when another
export's would let such a figure be worked out.
No file carries personal data,
free text or rejected rows. --internal lifts suppression, and every map, the
report and the manifest then say INTERNAL. Running the export again on the
same database the same day writes the same bytes (set SOURCE_DATE_EPOCH to
fix the export date that the source line prints).

Every map, the report and the bulletin end with a source line: the boundary
file and its licence (OCHA/WFP COD-AB, CC BY 3.0 IGO; the geoBoundaries
citation), GeoNames (CC BY 4.0) when the database used place names, the
incident sources (by name only through --publish-sources, else "N sources"),
the ocmap version, the last month of data and the export date.

--label-top N names the N districts with the highest mapped values on each
map, leaving out a name that would overlap another label.

` + publishHelp + ` --internal reports name every source.

--max-precision N counts only the incidents located at precision 1 to N
(1 exact point, 2 point near a named place or snapped, 3 district named,
4 province only; the default 4 counts every incident). Maps, tables,
Parquet, the report and disclosure control all use the filtered counts; the
maps' note, the report and manifest.json say so. The report's data quality
shares stay those of all incidents.

--near-border KM with --internal maps only the districts within KM km of an
official border crossing or port (as the analyst commands' --near-border);
a published export refuses it, as the disclosure audit checks whole maps.

Context events (terrorist attacks and other kind: context layouts) stay out
of the export, as they are not disclosure-controlled: --events TYPE,... (or
all) with --internal adds events.csv, per district and event type the
events, killed and injured of the period.

The boundary file must be the one the database was built with.

--incidents DIR writes, instead of the map, the accepted incidents for a
distributed engine (Spark with Apache Sedona, Trino, DuckDB; see
docs/scale-out.md), for internal use only: it refuses without --internal,
and every file says INTERNAL in its metadata (key ocmap:use).

  DIR/incidents/category=C/year=YYYY/month=M/part-N.parquet (M is 1 to 12)
      GeoParquet 1.1: geometry (WKB point, lon/lat, OGC:CRS84; null when the
      row has no point), bbox (xmin, ymin, xmax, ymax covering), the district
      ocmap placed it in (district_code, district_name, province,
      location_precision, match_method, match_score, location_note), the
      location as the source gave it (district_hint, province_hint, place),
      dates and date_precision, measures, is_primary (the row counts in
      district_month.incidents) and group_id, and lineage (layout,
      source_file, source_line, run_id)
  DIR/districts.parquet
      the boundary file's districts: district_code (P-code), district_name,
      province, geometry (WKB Polygon or MultiPolygon), bbox

No personal column or free text is written unless --with-text, which adds
the description (phone numbers, CNIC and e-mail addresses scrubbed, as in
every text ocmap writes) and person_keys (keyed hashes). Rows stream from
the database in Arrow batches into one file at a time, so memory stays
bounded however many rows there are. 'ocmap ingest DIR/incidents' reads the
folder back (layout ocmap-incidents, chosen by its columns).

Examples:
  ocmap export --db crime.duckdb --out npb-map
  ocmap export --db crime.duckdb --out npb-2024 --from 2024-01 --to 2024-12 --classes jenks
  ocmap export --db crime.duckdb --out npb-named --max-precision 3
  ocmap export --db crime.duckdb --out npb-internal --internal
  ocmap export --db crime.duckdb --out npb-internal --internal --events suicide_attack
  ocmap export --db crime.duckdb --incidents lake --internal`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
			fs.StringVar(&o.Out, "out", "", "directory to write into (required)")
			fs.StringVar(&o.From, "from", "", "first month, YYYY-MM (default: the first month with data)")
			fs.StringVar(&o.To, "to", "", "last month, YYYY-MM (default: the last month with data)")
			fs.Int64Var(&o.MinCell, "min-cell", 10, "suppress counts from 1 to this minus 1")
			fs.StringVar(&o.Classes, "classes", "quantile", "class breaks: quantile or jenks")
			fs.IntVar(&o.K, "k", 5, "number of classes (1 to 9)")
			fs.IntVar(&o.Width, "width", 1600, "map width in pixels")
			fs.Float64Var(&o.Simplify, "simplify", 0.002, "GeoJSON: Douglas-Peucker tolerance in degrees (0 keeps polygons whole)")
			fs.IntVar(&o.MaxPrecision, "max-precision", 4, maxPrecisionHelp)
			fs.IntVar(&o.LabelTop, "label-top", 0, "name the N districts with the highest mapped values on each map (0: none)")
			fs.BoolVar(&o.Internal, "internal", false, "no suppression: an internal version, labelled so on every file")
			fs.StringSliceVar(&o.Subcategories, "subcategory", nil, "with --internal: "+subcategoryHelp)
			fs.StringVar(&o.Events, "events", "", "with --internal: also write events.csv, the context events of these types (TYPE,... or all) per district")
			fs.StringVar(&o.Incidents, "incidents", "", "write the incidents as partitioned GeoParquet and districts.parquet into DIR, instead of the map (needs --internal)")
			fs.BoolVar(&o.WithText, "with-text", false, "with --incidents: add the scrubbed description and the person_keys hashes")
			o.NearBorder, o.nearBorderSet = 0, false
			fs.Var(kmFlag{&o.NearBorder, &o.nearBorderSet}, "near-border", "with --internal: "+nearBorderHelp)
			o.boundaries.AddFlags(fs)
			o.publish.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runExport(ctx, env, &o, args)
		},
	})
}

func runExport(ctx context.Context, env *Env, o *exportOptions, args []string) error {
	if o.Incidents != "" {
		if o.nearBorderSet {
			return usagef("--near-border is for the map export, not --incidents (filter the incidents with ocmap sql and districts.crossing_km)")
		}
		return runExportIncidents(ctx, env, o, args)
	}
	if o.WithText {
		return usagef("--with-text goes with --incidents")
	}
	switch {
	case o.DB == "":
		return usagef("--db is required")
	case o.Out == "":
		return usagef("--out is required")
	case len(args) > 0:
		return usagef("unexpected argument %q", args[0])
	case o.MinCell < 1:
		return usagef("--min-cell must be 1 or more")
	case o.K < 1 || o.K > 9:
		return usagef("--k must be from 1 to 9")
	case o.Classes != "quantile" && o.Classes != "jenks":
		return usagef("--classes %q: want quantile or jenks", o.Classes)
	case o.Width < 400:
		return usagef("--width must be 400 or more")
	case o.LabelTop < 0:
		return usagef("--label-top must be 0 or more")
	}
	if err := checkMaxPrecision(o.MaxPrecision); err != nil {
		return err
	}
	from, err := parseMonth("from", o.From)
	if err != nil {
		return err
	}
	to, err := parseMonth("to", o.To)
	if err != nil {
		return err
	}
	sources, err := o.publish.names()
	if err != nil {
		return err
	}
	if o.Events != "" && !o.Internal {
		return usagef("--events: context events are kept internal; add --internal")
	}
	if o.nearBorderSet && !(o.NearBorder > 0 && !math.IsInf(o.NearBorder, 0)) {
		return usagef("--near-border %g: want a distance in km above 0", o.NearBorder)
	}
	if o.nearBorderSet && !o.Internal {
		// The release register audits the whole map's district x category
		// cells across releases; a map of only the districts near the
		// border is another shape of release, beside which its province
		// and national totals would give away the districts left out.
		return usagef("--near-border: a published map of some districts only is a release shape the disclosure audit does not check; add --internal")
	}
	if len(o.Subcategories) > 0 && !o.Internal {
		// The release register audits district x category figures; a
		// subcategory's count beside a published category total gives
		// away the rest (drugs 12, heroin 11: 1 other seizure), and the
		// register has no way yet to hold that one is part of the other.
		return usagef("--subcategory: a published subcategory table could be subtracted from the published category totals, which the disclosure audit cannot yet check; add --internal")
	}
	var sub *subcategoryScope
	if len(o.Subcategories) > 0 {
		st, err := store.OpenReadOnly(ctx, o.DB)
		if err != nil {
			return err
		}
		sub, err = resolveSubcategories(ctx, st, "", o.Subcategories)
		st.Close()
		if err != nil {
			return err
		}
	} else {
		sub = &subcategoryScope{}
	}
	var events []string
	if o.Events != "" {
		if events, err = exportEventTypes(ctx, o.DB, o.Events); err != nil {
			return err
		}
	}
	loc, err := o.boundaries.locator(env)
	if err != nil {
		return err
	}
	cs, err := countries()
	if err != nil {
		return err
	}
	marks, err := crossingMarks()
	if err != nil {
		return err
	}
	defer onAbort(func() { export.RemovePartial(o.Out) })()
	rep, err := export.Export(ctx, export.Options{DB: o.DB, Out: o.Out, Boundaries: loc.Boundaries(), From: from, To: to,
		MinCell: o.MinCell, Classes: o.Classes, K: o.K, Internal: o.Internal, Width: o.Width, Simplify: o.Simplify,
		MaxPrecision: o.MaxPrecision, PublishSources: sources, Version: version, LabelTop: o.LabelTop, Events: events,
		Sub: sub.Filter, Subcategories: sub.Codes, NearBorderKm: o.NearBorder, Flows: flows.NewResolver(loc.Gazetteer(), cs), Crossings: marks})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %d files into %s for %s to %s\n", len(rep.Files), o.Out,
		rep.Period.From.Format("2006-01"), rep.Period.To.Format("2006-01"))
	for _, f := range rep.Files {
		fmt.Fprintf(env.Stdout, "  %s\n", f)
	}
	if o.Internal {
		fmt.Fprintln(env.Stdout, "INTERNAL version: nothing suppressed; do not publish")
	} else {
		fmt.Fprintf(env.Stdout, "suppressed %d of %d district x category cells and %d totals (counts below %d and what would reveal them)\n",
			rep.Suppressed, rep.Cells, rep.Totals, o.MinCell)
		if rep.FlowsLarger > 0 {
			fmt.Fprintf(env.Stdout, "withheld %d of %d origin -> destination flows: %d of 1 to %d incidents, and %d of %d or more that would let a small one be worked out\n",
				rep.FlowsWithheld, rep.Flows, rep.FlowsWithheld-rep.FlowsLarger, o.MinCell-1, rep.FlowsLarger, o.MinCell)
		} else {
			fmt.Fprintf(env.Stdout, "withheld %d of %d origin -> destination flows (1 to %d incidents)\n", rep.FlowsWithheld, rep.Flows, o.MinCell-1)
		}
		if rep.QuantitiesWithheld > 0 {
			fmt.Fprintf(env.Stdout, "withheld the victims or kilograms of %d published flows (a small count of victims, a sum one or two incidents make nearly all of, or what would let one be worked out)\n", rep.QuantitiesWithheld)
		}
		if len(rep.Overlapping) > 0 {
			var ps []string
			for _, in := range rep.Overlapping {
				ps = append(ps, fmt.Sprintf("%d (%s to %s)", in.ID, in.From, in.To))
			}
			fmt.Fprintf(env.Stdout, "earlier releases with overlapping periods: %s (ocmap releases); subtracting one period from the other would show the months between them, so more is suppressed. Releases of the same period, or of periods that do not overlap (month by month, year by year), keep more cells.\n",
				strings.Join(ps, ", "))
		}
		if rep.EarlierReleases > 0 {
			fmt.Fprintf(env.Stderr, "WARNING: %d small counts cannot be protected to within %d: earlier releases of this database (ocmap releases) already narrow them; this export withholds them, but what was published before cannot be taken back\n",
				rep.EarlierReleases, o.MinCell)
		}
		switch own := rep.Unprotected - rep.EarlierReleases; {
		case own > 0 && len(rep.Overlapping) > 0:
			fmt.Fprintf(env.Stderr, "WARNING: %d small counts cannot be protected to within %d, although this export withholds them: this export's table narrows them with earlier releases (zeros are published, so a withheld figure is at least 1; with an earlier release's figure of the months left over, also at least 1, an earlier period's count is at least 2). Releases of the same period, or of periods that do not overlap, would protect them\n",
				own, o.MinCell)
		case own > 0:
			fmt.Fprintf(env.Stderr, "WARNING: %d small counts cannot be protected to within %d, although this export withholds them: the table itself narrows them (zeros are published, so a withheld figure is at least 1, and a total at least the sum of its parts' least values). A longer period, or fewer categories or districts apart, would protect them\n",
				own, o.MinCell)
		}
	}
	return nil
}

type bulletinOptions struct {
	DB, Out, Month      string
	MinCell             int64
	Internal            bool
	Width, MaxPrecision int
	boundaries          boundaryOptions
	publish             publishOptions
}

func init() {
	var o bulletinOptions
	register(&Command{
		Name:  "bulletin",
		Usage: "--db FILE --month YYYY-MM --out DIR [--min-cell N] [--max-precision N] [--internal]",
		Short: "write the monthly bulletin: Markdown and HTML, with a map per category",
		Long: `Writes a short bulletin for the initiative's monthly newsletter into DIR:
bulletin.md and bulletin.html (self-contained) and bulletin_<category>.png:

  - the month's incidents per category against the previous month and the
    same month a year before, with percent changes;
  - new, consecutive and intensifying hot spots over the 12 months ending
    with the month (monthly Gi*, all four categories); without --internal,
    worked out from the months published (by this bulletin or an earlier
    export or bulletin of the database) only, among the districts whose
    12 months are all published, so that a first bulletin may name none;
  - provinces whose counts changed by half or more, by at least --min-cell;
  - one map per category for the month.

The same disclosure control as export applies: counts from 1 to
--min-cell - 1, and further figures where they could be worked out from
totals, are shown as "suppressed" and hatched on the maps. --internal lifts
it and says so. --max-precision N counts only the incidents located at
precision 1 to N, as in export, and the bulletin says so.

` + publishHelp + `

Example:
  ocmap bulletin --db crime.duckdb --month 2024-06 --out bulletin-2024-06`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
			fs.StringVar(&o.Month, "month", "", "the month, YYYY-MM (required)")
			fs.StringVar(&o.Out, "out", "", "directory to write into (required)")
			fs.Int64Var(&o.MinCell, "min-cell", 10, "suppress counts from 1 to this minus 1")
			fs.IntVar(&o.Width, "width", 1200, "map width in pixels")
			fs.IntVar(&o.MaxPrecision, "max-precision", 4, maxPrecisionHelp)
			fs.BoolVar(&o.Internal, "internal", false, "no suppression: an internal version, labelled so")
			o.boundaries.AddFlags(fs)
			o.publish.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			switch {
			case o.DB == "" || o.Out == "" || o.Month == "":
				return usagef("--db, --month and --out are required")
			case len(args) > 0:
				return usagef("unexpected argument %q", args[0])
			case o.MinCell < 1:
				return usagef("--min-cell must be 1 or more")
			}
			if err := checkMaxPrecision(o.MaxPrecision); err != nil {
				return err
			}
			month, err := parseMonth("month", o.Month)
			if err != nil {
				return err
			}
			sources, err := o.publish.names()
			if err != nil {
				return err
			}
			b, err := o.boundaries.load(env)
			if err != nil {
				return err
			}
			defer onAbort(func() { export.RemovePartial(o.Out) })()
			rep, err := export.Bulletin(ctx, export.Options{DB: o.DB, Out: o.Out, Boundaries: b, From: month,
				MinCell: o.MinCell, Internal: o.Internal, Width: o.Width, MaxPrecision: o.MaxPrecision, Version: version,
				PublishSources: sources})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote the bulletin of %s into %s: %s\n", rep.Month.Format("January 2006"), o.Out, strings.Join(rep.Files, ", "))
			return nil
		},
	})
}

// exportEventTypes reads the event types that list names ("all": every
// type of the database), each checked against the database's.
func exportEventTypes(ctx context.Context, db, list string) ([]string, error) {
	st, err := store.OpenReadOnly(ctx, db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if list == "all" {
		types, err := st.EventTypes(ctx)
		if err == nil && len(types) == 0 {
			err = usagef("--events all: the database has no context events")
		}
		return types, err
	}
	var out []string
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if err := checkEventType(ctx, st, t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// runExportIncidents writes the accepted incidents as partitioned
// GeoParquet, and the districts beside them (export --incidents).
func runExportIncidents(ctx context.Context, env *Env, o *exportOptions, args []string) error {
	switch {
	case o.DB == "":
		return usagef("--db is required")
	case o.Out != "":
		return usagef("--incidents writes the incidents, not the map: drop --out, or export them in two runs")
	case len(args) > 0:
		return usagef("unexpected argument %q", args[0])
	case !o.Internal:
		return usagef("--incidents writes every accepted incident with its point, without disclosure control: it is for internal use only, add --internal")
	}
	b, err := o.boundaries.load(env)
	if err != nil {
		return err
	}
	// As in ingest: a soft Go limit keeps the batches in flight from
	// doubling between collections.
	if env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(goMemoryLimit)
	}
	rep, err := export.Incidents(ctx, export.IncidentsOptions{DB: o.DB, Dir: o.Incidents, Boundaries: b,
		Internal: o.Internal, WithText: o.WithText, Version: version})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s incidents in %d files into %s (category=/year=/month=/part-N.parquet)\n",
		commas(rep.Rows), len(rep.Files), filepath.Join(o.Incidents, export.IncidentsDir))
	fmt.Fprintf(env.Stdout, "wrote %d districts into %s\n", rep.Districts, filepath.Join(o.Incidents, export.DistrictsFile))
	fmt.Fprintln(env.Stdout, "INTERNAL: incident points without disclosure control; do not publish")
	return nil
}
