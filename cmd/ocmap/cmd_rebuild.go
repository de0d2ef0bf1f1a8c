//go:build duckdb_arrow

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
)

func init() {
	var (
		db, memory string
		quiet      bool
		boundaries boundaryOptions
		crossings  crossingsOptions
	)
	register(&Command{
		Name:  "rebuild",
		Usage: "--db FILE [--boundaries FILE.geojson] [--crossings FILE.csv]",
		Short: "recompute the incident groups, summaries and measures from the incidents",
		Long: `Recomputes every table that ocmap derives from the incidents: the incident
groups (records of one incident from several sources, incident_groups), the
summaries (district_month, district_month_sums, district_month_sources) and the measures
(district_measures, category_links, border_summary). The incidents, rejects
and run records are not touched.

Each ingest already updates these tables for the rows it adds or replaces,
and gives the tables a rebuild would; rebuild is for when the rules that
make them change (a new ocmap version says so in its notes). A database
made by an older ocmap is rebuilt by its next ingest on its own.

It also stores each district's nearest official border crossing or port
anew (districts.crossing and crossing_km, in km from the district polygon,
0 when the crossing lies inside it), from ocmap's list or --crossings FILE.
That needs the boundary file the database was built with (--boundaries,
$OCMAP_BOUNDARIES or the installed one; its SHA-256 is checked); without
one the crossings are left as they are, and the rebuild says so. A
database made before the crossings gains the columns here.

The rebuild is one transaction: if it fails or is interrupted, the database
keeps its previous tables. It prints each step on stderr. It takes about as
long as ingesting every row again minus reading the files (some seconds per
million rows).

Examples:
  ocmap rebuild --db crime.duckdb
  ocmap rebuild --db crime.duckdb --boundaries pak_adm2.geojson --crossings my_crossings.csv`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&db, "db", "", "ocmap database (required)")
			fs.StringVar(&memory, "memory-limit", "256MB", "DuckDB memory limit (its buffer pool)")
			fs.BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
			boundaries.AddFlags(fs)
			crossings.AddFlags(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if db == "" {
				return usagef("--db is required")
			}
			if len(args) > 0 {
				return usagef("unexpected argument %q", args[0])
			}
			cs, source, err := crossings.load()
			if err != nil {
				return err
			}
			var cross *pipeline.RebuildCrossings
			b, err := boundaries.load(env)
			switch {
			case errors.Is(err, errNoBoundaries) && crossings.Path == "":
				fmt.Fprintf(env.Stderr, "crossings: not measured again (no boundary file; give --boundaries to store each district's nearest crossing)\n")
			case err != nil:
				return err
			default:
				cross = &pipeline.RebuildCrossings{Boundaries: b, Crossings: cs, Source: source}
			}
			var progress io.Writer
			if !quiet {
				progress = env.Stderr
				fmt.Fprintf(env.Stderr, "rebuilding the derived tables of %s\n", db)
			}
			// As in ingest: the sweep's clusters, its temporary file's batches
			// and the query results in flight stay well under the soft limit,
			// which keeps the heap from doubling between collections.
			if env.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(goMemoryLimit)
			}
			return pipeline.Rebuild(ctx, db, store.Options{MemoryLimit: memory}, progress, cross)
		},
	})
}
