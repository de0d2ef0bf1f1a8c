package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/synth"
)

type genOptions struct {
	Rows       int
	Seed       uint64
	Out        string
	Sources    int
	DupRate    float64
	Flows      bool
	From, To   string // months, YYYY-MM
	boundaries boundaryOptions
}

func (o *genOptions) AddFlags(fs *pflag.FlagSet) {
	o.boundaries.AddFlags(fs)
	fs.IntVar(&o.Rows, "rows", 100000, "number of incident rows")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed gives the same file")
	fs.StringVar(&o.Out, "out", "", "output CSV file (required)")
	fs.IntVar(&o.Sources, "sources", 10, fmt.Sprintf("agencies the rows come from, 1 to %d (1: every row's source is \"synthetic\")", len(synth.Agencies)))
	fs.Float64Var(&o.DupRate, "dup-rate", 0.05, "share of rows that are another source's record of an earlier row's event, 0 to 0.5")
	fs.BoolVar(&o.Flows, "flows", true, "add the origin, destination, route, nationality and exploitation columns of drug and human trafficking (--flows=false: the canonical columns only)")
	fs.StringVar(&o.From, "from", "2019-01", "first month of the dates, YYYY-MM")
	fs.StringVar(&o.To, "to", "2024-12", "last month of the dates, YYYY-MM (with --from of the same month: a monthly file)")
}

func init() {
	var o genOptions
	register(&Command{
		Name:  "gen",
		Usage: "--boundaries FILE --rows N --seed S [--sources K --dup-rate R] [--from YYYY-MM --to YYYY-MM] --out FILE.csv",
		Short: "write a synthetic incident file for tests, benchmarks and demos",
		Long: `Writes realistic synthetic incidents in the canonical layout: points inside
real district polygons, skewed across districts and months, about 1% rows with
only a district name, and about 0.5% deliberately bad rows (bad dates, unknown
categories, points outside Pakistan, wrong field counts, ...) that ingest must
reject. No real person or case is in it.

The rows come from --sources agencies, each with its own mix of categories:
media, police_fir, anf (mostly drugs), fc, customs, pta (cybercrime), fia
(cybercrime and trafficking), ngo, ctd (terror financing), excise. About
--dup-rate of the rows are another agency's record of an event an earlier row
reported: the same category and district, a date at most 3 days away, a point
at most 1 km away (or the district spelled otherwise), a quantity or amount
within 20%. Ingest links such records into one incident. --sources 1
--dup-rate 0 writes one source, "synthetic", with no duplicates.

Drug and human trafficking rows carry where they came from and went, for
'ocmap flows': heroin and hashish from Afghanistan over Chaman and Torkham
towards Karachi, the Makran coast and the Punjab; migrants from Gujrat,
Sialkot and Mandi Bahauddin towards Iran, Turkey, Greece, Italy and the Gulf;
Afghan and Bangladeshi nationals; a few ends no one can resolve ("Karachi",
"abroad"); and trafficking cases' exploitation type (bonded labour first).
The columns origin, destination, route, nationality and exploitation follow the
canonical ones (ingest reads the file with the builtin layout
ocmap-synthetic); --flows=false leaves them out. They come from a random
stream of their own, so the other columns are those of the same seed
without them.

The dates lie from the first day of --from to the last of --to (by default
2019-01 to 2024-12, six years); recent months get more rows. A file of one
month, like an agency's monthly return, has --from and --to the same month.
A record of another agency's event may be dated up to 3 days from it, so a
few rows lie up to 3 days before --from or after --to.

Example:
  ocmap gen --rows 1000000 --seed 7 --out synthetic.csv
  ocmap gen --rows 1000000 --seed 7 --sources 1 --dup-rate 0 --out one-source.csv
  ocmap gen --rows 1000 --seed 8 --from 2025-01 --to 2025-01 --out monthly.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if o.Out == "" {
				return usagef("--out is required")
			}
			if o.Rows < 0 {
				return usagef("--rows must be 0 or more")
			}
			if o.Sources < 1 || o.Sources > len(synth.Agencies) {
				return usagef("--sources must be 1 to %d", len(synth.Agencies))
			}
			if o.DupRate < 0 || o.DupRate > 0.5 {
				return usagef("--dup-rate must be 0 to 0.5")
			}
			if o.DupRate > 0 && o.Sources < 2 {
				return usagef("--dup-rate needs --sources 2 or more")
			}
			from, err := parseMonth("from", o.From)
			if err != nil {
				return err
			}
			to, err := parseMonth("to", o.To)
			if err != nil {
				return err
			}
			if from.IsZero() || to.IsZero() {
				return usagef("--from and --to need a month each, YYYY-MM")
			}
			months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
			if months < 1 {
				return usagef("--to %s is before --from %s", o.To, o.From)
			}
			b, err := o.boundaries.load(env)
			if err != nil {
				return err
			}
			st, err := generate(b, o.Out, synth.Options{Rows: o.Rows, Seed: o.Seed, Sources: o.Sources, DupRate: o.DupRate,
				Flows: o.Flows, From: from, Months: months})
			if err != nil {
				return err
			}
			sources := fmt.Sprintf("%d sources", len(st.PerSource))
			if len(st.PerSource) == 1 {
				sources = "1 source"
			}
			fmt.Fprintf(env.Stdout, "wrote %s: %s rows from %s (%s deliberately bad, %s by district name only, %s repeating another source's event)\n",
				o.Out, commas(int64(st.Rows)), sources, commas(int64(st.Bad)), commas(int64(st.NameOnly)), commas(int64(st.Dups)))
			return nil
		},
	})
}

// generate writes a synthetic file atomically: a partial file never remains.
func generate(b *geo.Boundaries, out string, opt synth.Options) (synth.Stats, error) {
	tmp, err := os.CreateTemp(dirOf(out), ".ocmap-gen-*")
	if err != nil {
		return synth.Stats{}, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		return synth.Stats{}, err
	}
	st, err := synth.Generate(tmp, b, geo.NewIndex(b.Polygons), opt)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("writing %s: %w", out, err)
	}
	return st, os.Rename(tmp.Name(), out)
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == os.PathSeparator {
			return path[:i+1]
		}
	}
	return "."
}
