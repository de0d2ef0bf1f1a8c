//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// goMemoryLimit is the Go heap's soft limit during ingest: a few batches of
// 131,072 rows in flight need about 200 MB.
const goMemoryLimit = 256 << 20

type ingestOptions struct {
	DB           string
	Layout       string
	NoRawRejects bool
	MemoryLimit  string
	Quiet        bool
	Workers      int
	HashKeyFile  string
	Population   string
	Withdraw     []string
	boundaries   boundaryOptions
	limits       limitsOptions
	places       placesOptions
	crossings    crossingsOptions
}

func (o *ingestOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "DuckDB database to create or add to (required)")
	o.boundaries.AddFlags(fs)
	o.places.AddFlags(fs)
	o.crossings.AddFlags(fs)
	fs.StringVar(&o.Layout, "layout", layoutAuto, "input layout: auto (chosen by each file's header), canonical, a builtin layout name (see 'ocmap layouts') or a layout file")
	fs.BoolVar(&o.NoRawRejects, "no-raw-rejects", false, "do not keep the raw text of rejected rows (it may hold personal data)")
	fs.StringVar(&o.MemoryLimit, "memory-limit", "256MB", "DuckDB memory limit (its buffer pool; peak memory is about this plus 300-600 MB)")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress lines")
	fs.IntVar(&o.Workers, "workers", 0, "goroutines validating rows; 0 for half the CPUs (DuckDB uses the rest)")
	fs.StringVar(&o.Population, "population", "", "census population CSV (district, year, population; province optional) for rates; replaces the database's")
	fs.StringArrayVar(&o.Withdraw, "withdraw", nil, "remove the rows of a file an earlier run ingested (as recorded, or its base name), as a corrected file replaces it; repeat for more")
	fs.StringVar(&o.HashKeyFile, "hash-key-file", "", "secret key for the hashes of personal columns that layouts keep for linking (default: $OCMAP_HASH_KEY)")
	o.limits.AddFlags(fs)
}

// hashKey reads the key for personal-column hashes: --hash-key-file, else
// $OCMAP_HASH_KEY; none is fine until a layout asks for hashes.
func (o *ingestOptions) hashKey(env *Env) ([]byte, error) {
	if o.HashKeyFile == "" {
		return []byte(env.Getenv("OCMAP_HASH_KEY")), nil
	}
	b, err := os.ReadFile(o.HashKeyFile)
	if err != nil {
		return nil, fmt.Errorf("--hash-key-file: %w", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < 16 {
		return nil, fmt.Errorf("--hash-key-file %s: the key must be at least 16 bytes", o.HashKeyFile)
	}
	return b, nil
}

func init() {
	var o ingestOptions
	register(&Command{
		Name:  "ingest",
		Usage: "--db FILE.duckdb [--boundaries FILE.geojson] [--layout auto|NAME|FILE|canonical] INPUT...",
		Short: "read incident files into the district database",
		Long: `Reads incident files (CSV in the canonical layout, optionally gzip-compressed),
checks every row, places it in a district (by its point, or by its district
name when it has no point) and stores it in the database. Rows that cannot be
used go to the rejects table with the file, line, field and reason.

All the files of one ingest are one run: the run commits as a whole or not at
all, so a failed or interrupted ingest leaves the database as it was. Ingesting
a file with the same content again replaces its earlier rows (no double
counting). Each run updates the incident groups and the district x category
x month summaries for the rows it adds or replaces only (the measures, which
weigh every district against its neighbours, are recomputed), so adding a
month to a large database costs little more than that month's rows;
'ocmap rebuild' recomputes them all.

--layout says how to read the files. The default, auto, picks by each file's
header the layout whose columns it has (the canonical layout, or a builtin
source layout) and prints its choice; when none fits, it names the closest
and how to write a layout from it. Otherwise name a builtin layout (listed by
'ocmap layouts'), a layout file (YAML, see 'ocmap help layouts'), or
canonical. Incident layouts fill the incidents
table, and each category's own fields (substance, channel, victims by sex,
platform...) its own table; context layouts (such as terrorist attacks) fill
the context_events table, beside the incidents. Layouts read CSV, TSV, XLSX,
JSON Lines, JSON and Parquet (format: parquet).

A folder as INPUT is one Parquet dataset: the files under it (*.parquet,
in name order; names starting with . or _ are skipped) are read one after
the other as one input, such as a Hive-partitioned folder
(category=.../year=.../part-0.parquet) whose key=value folder names become
columns. Its rows are stored with the folder as their file, numbered
across the files in that order; a rejected row names its own file and its
row in that file. Parquet is read in record batches of 8,192 rows, only
the columns the layout uses; GeoParquet points are the columns
geometry.lon and geometry.lat, a struct's fields parent.child.
'ocmap export --incidents DIR --internal' writes such a folder, which the
builtin layout ocmap-incidents reads back (chosen by --layout auto).

A layout drops the columns it declares personal, or keeps them only as keyed
hashes (to link records of one person across sources without storing the
CNIC or phone number). The key is a secret of 16 bytes or more, from
--hash-key-file or $OCMAP_HASH_KEY; keep it out of the database and use the
same key for every ingest whose records should link.

Canonical layout (header row required, columns in any order):
  incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description
category is terror_financing, drug_trafficking, human_trafficking or cybercrime;
occurred_on is YYYY-MM-DD; lat/lon are WGS 84 decimal degrees and may be empty
when district_hint names the district (name or code of the boundary file).

--population FILE reads a census table (CSV with district, year and
population columns, province optional) whose district names are matched
through the gazetteer, as incident place names are; it replaces the
database's population, and the view district_month_rates gives incidents
per 100,000 people from the census year nearest each month. Rows that
cannot be matched go to rejects.

Every run also stores each district's nearest official border crossing or
port and its distance in km (districts.crossing and crossing_km), measured
from the district's polygon, 0 when the crossing lies inside it; the
analyst commands' --near-border KM filters on it. ocmap ships the list
(data/flows/crossings.csv, each point with its source); --crossings FILE
uses yours instead (same columns), until the next run without it.

` + limitsHelp + `

Examples:
  ocmap ingest --db crime.duckdb --boundaries pak_adm2.geojson fir_2023.csv anf_2023.csv.gz
  ocmap ingest --db crime.duckdb --population pak_district_population.csv
  OCMAP_BOUNDARIES=pak_adm2.geojson ocmap ingest --db crime.duckdb *.csv
  ocmap ingest --db crime.duckdb --layout pbc-suicide-attacks "PakistanSuicideAttacks Ver 11 (30-November-2017).csv"
  ocmap ingest --db crime.duckdb Attacks_on_Political_Leaders_in_Pakistan.csv
  ocmap ingest --db copy.duckdb lake/incidents
  ocmap ingest --db crime.duckdb --crossings my_crossings.csv fir_2024.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runIngest(ctx, env, &o, args)
		},
	})
}

func runIngest(ctx context.Context, env *Env, o *ingestOptions, args []string) error {
	if o.DB == "" {
		return usagef("--db is required")
	}
	if len(args) == 0 && o.Population == "" && len(o.Withdraw) == 0 {
		return usagef("name at least one input file (or --population FILE, or --withdraw FILE)")
	}
	l, chose, err := resolveLayout(o.Layout, args, o.limits.limits())
	if err != nil {
		return limitHint(err)
	}
	if chose != "" {
		fmt.Fprintln(env.Stderr, chose)
	}
	key, err := o.hashKey(env)
	if err != nil {
		return err
	}
	b, err := o.boundaries.load(env)
	if err != nil {
		return err
	}
	aliases, err := o.boundaries.aliases(env)
	if err != nil {
		return err
	}
	places, err := o.places.load(env)
	if err != nil {
		return err
	}
	crossings, crossingsSource, err := o.crossings.load()
	if err != nil {
		return err
	}
	// Peak memory = Go's batches in flight + DuckDB's buffer pool (capped by
	// --memory-limit). A soft Go limit keeps the first from doubling between
	// collections, so the peak stays flat however large the input.
	ownLimit := env.Getenv("GOMEMLIMIT") == ""
	if ownLimit {
		debug.SetMemoryLimit(goMemoryLimit)
	}
	var progress io.Writer
	if !o.Quiet {
		progress = env.Stderr
		fmt.Fprintf(env.Stderr, "boundaries: %s (%d districts)\n", b.Path, len(b.Districts))
		if places != nil {
			fmt.Fprintf(env.Stderr, "places: %s (%d places; %s)\n", places.Path, len(places.Places), geo.PlacesLicence)
		}
	}
	// A database that this run creates is written as a staged file, removed
	// if the run fails or is stopped (pipeline.Ingest does it on failure;
	// this, on a hard stop).
	if _, err := os.Stat(o.DB); errors.Is(err, fs.ErrNotExist) {
		defer onAbort(func() { pipeline.RemoveStaged(o.DB) })()
	}
	rep, err := pipeline.Ingest(ctx, pipeline.Config{
		DB: o.DB, Boundaries: b, Inputs: args, KeepRaw: !o.NoRawRejects,
		Progress: progress, Version: version, Workers: o.Workers, Store: store.Options{MemoryLimit: o.MemoryLimit},
		Layout: l, HashKey: key, Aliases: aliases, Population: o.Population, Withdraw: o.Withdraw, Limits: o.limits.limits(), Places: places,
		Crossings: crossings, CrossingsSource: crossingsSource, OwnMemoryLimit: ownLimit,
	})
	if err != nil {
		return limitHint(err)
	}
	printIngestReport(env.Stdout, rep)
	return nil
}

// footerNote says which lines the layout's footer_rows left out, so that
// a file exported without its totals row does not lose its last incident
// unseen; "" when none.
func footerNote(lines []int64) string {
	if len(lines) == 0 {
		return ""
	}
	ls := make([]string, len(lines))
	for i, l := range lines {
		ls[i] = commas(l)
	}
	return fmt.Sprintf("left out as the layout's footer (footer_rows: %d, a totals or notes row): line %s; "+
		"if it is an incident, the file has no totals row: set footer_rows: 0 in a copy of the layout", len(lines), strings.Join(ls, ", "))
}

func printIngestReport(w io.Writer, rep *pipeline.Report) {
	fmt.Fprintf(w, "run %d into %s\n", rep.RunID, rep.DB)
	for _, r := range rep.Withdrawn {
		fmt.Fprintf(w, "  withdrew %s of run %d: its %s rows were removed%s\n", r.Path, r.RunID, commas(r.Rows), andRejects(r.Rejected))
	}
	for _, f := range rep.Files {
		blank := ""
		switch {
		case f.Blank == 1:
			blank = ", 1 blank line skipped"
		case f.Blank > 1:
			blank = fmt.Sprintf(", %s blank lines skipped", commas(f.Blank))
		}
		fmt.Fprintf(w, "  %s: read %s, accepted %s, rejected %s%s (sha256 %.12s…)\n",
			f.Path, commas(f.Read), commas(f.Accepted), commas(f.Rejected), blank, f.SHA256)
		if note := footerNote(f.Footer); note != "" {
			fmt.Fprintf(w, "    %s\n", note)
		}
		if f.HashedIDs > 0 {
			// A count of rows: one complaint's id on many rows counts each.
			rows, their := "rows", "their"
			if f.HashedIDs == 1 {
				rows, their = "row", "its"
			}
			fmt.Fprintf(w, "    %s %s held a phone, CNIC or passport number or an e-mail address in %s incident id: stored as keyed hashes (h:...), which still link a source's records of one id\n",
				commas(f.HashedIDs), rows, their)
		}
		for _, r := range f.Replaced {
			fmt.Fprintf(w, "    same content as %s of run %d: its %s rows were replaced%s\n", r.Path, r.RunID, commas(r.Rows), andRejects(r.Rejected))
		}
	}
	t := rep.Timings
	fmt.Fprintf(w, "rows read %s = accepted %s + rejected %s, in %.1fs (%s rows/s)\n",
		commas(rep.Read), commas(rep.Accepted), commas(rep.Rejected), t.Total.Seconds(), rowsPerSec(rep.Read, t.Total))
	fmt.Fprintf(w, "  stages: index %.2fs; read+validate+locate %.2fs busy (%s rows/s); DuckDB insert %.2fs; placeholder points %.2fs; summaries+commit %.2fs (links %.2fs, summaries %.2fs, measures %.2fs)\n",
		t.Index.Seconds(), t.Produce.Seconds(), rowsPerSec(rep.Read, t.Produce), t.Insert.Seconds(), t.Placeholders.Seconds(), t.Commit.Seconds(),
		t.Links.Seconds(), t.Summaries.Seconds(), t.Measures.Seconds())
	if ph := rep.Placeholders; ph.Rows > 0 {
		fmt.Fprintf(w, "  %s rows at %s placeholder points (a point a file gives for events that were not there) were placed by their names; %s of them moved to another district or to their province (see location_note; %.2fs):\n",
			commas(int64(ph.Rows)), commas(int64(ph.Points)), commas(int64(ph.Moved)), rep.Timings.Placeholders.Seconds())
		for _, r := range []struct{ rule, what string }{
			{store.RulePlaces, "one point for many different places"},
			{store.RuleCoarse, "a two-decimal point for different places"},
			{store.RuleDates, "one point over more than a year"},
			{store.RuleNames, "one point for names in several districts"},
		} {
			if n := ph.ByRule[r.rule]; n > 0 {
				fmt.Fprintf(w, "    %-44s %s rows\n", r.what+":", commas(int64(n)))
			}
		}
	}
	if rep.PlacesLoaded > 0 {
		fmt.Fprintf(w, "  place layer: %s GeoNames places in a district (CC BY 4.0); rows placed near one have match_method place\n", commas(int64(rep.PlacesLoaded)))
	}
	if p := rep.Population; p != nil {
		fmt.Fprintf(w, "population %s: read %s = accepted %s + rejected %s; %d districts, census years %v\n",
			p.Path, commas(p.Read), commas(p.Accepted), commas(p.Rejected), p.Districts, p.Years)
	}
	for _, w2 := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", w2)
	}
	// The population file's rejects are not incidents: counted and listed
	// apart, so that no census row is shown as an incident row.
	var incidents, population []schemas.RowError
	for _, r := range rep.FirstRejects {
		if p := rep.Population; p != nil && r.File == p.Path {
			population = append(population, r)
		} else {
			incidents = append(incidents, r)
		}
	}
	if len(incidents) > 0 {
		also := ""
		if p := rep.Population; p != nil && p.Rejected > 0 {
			also = fmt.Sprintf(", as are the population file's %s", commas(p.Rejected))
		}
		fmt.Fprintf(w, "first rejected incident rows (all %s are in the rejects table%s):\n", commas(rep.Rejected), also)
		printRowErrors(w, incidents)
	}
	if len(population) > 0 {
		fmt.Fprintln(w, "first rejected rows of the population file:")
		printRowErrors(w, population)
	}
	if len(rep.FirstRejects) > 0 {
		fmt.Fprintf(w, "all of them, by file and reason: ocmap rejects --db %s\n", shellArg(rep.DB))
	}
}

func printRowErrors(w io.Writer, rows []schemas.RowError) {
	for _, r := range rows {
		fmt.Fprintf(w, "  %s\n", r.Error())
	}
}

func rowsPerSec(n int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return commas(int64(float64(n) / d.Seconds()))
}

// commas formats n with thousands separators, as analysts read numbers.
func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// shellArg is s as a shell argument: in single quotes when it holds
// anything but letters, digits and ./_-:+, (a path with a space).
func shellArg(s string) string {
	plain := s != ""
	for _, c := range s {
		plain = plain && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("./_-:+,", c))
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// andRejects says that a replaced file's rejected rows went with it.
func andRejects(n int64) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", with its 1 rejected row"
	}
	return ", with its " + commas(n) + " rejected rows"
}
