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
	boundaries boundaryOptions
}

func (o *genOptions) AddFlags(fs *pflag.FlagSet) {
	o.boundaries.AddFlags(fs)
	fs.IntVar(&o.Rows, "rows", 100000, "number of incident rows")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed gives the same file")
	fs.StringVar(&o.Out, "out", "", "output CSV file (required)")
}

func init() {
	var o genOptions
	register(&Command{
		Name:  "gen",
		Usage: "--boundaries FILE --rows N --seed S --out FILE.csv",
		Short: "write a synthetic incident file for tests, benchmarks and demos",
		Long: `Writes realistic synthetic incidents in the canonical layout: points inside
real district polygons, skewed across districts and months, about 1% rows with
only a district name, and about 0.5% deliberately bad rows (bad dates, unknown
categories, points outside Pakistan, wrong field counts, ...) that ingest must
reject. Every row's source is "synthetic". No real person or case is in it.

Example:
  ocmap gen --rows 1000000 --seed 7 --out synthetic.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if o.Out == "" {
				return usagef("--out is required")
			}
			if o.Rows < 0 {
				return usagef("--rows must be 0 or more")
			}
			b, err := o.boundaries.load(env)
			if err != nil {
				return err
			}
			st, err := generate(b, o.Out, synth.Options{Rows: o.Rows, Seed: o.Seed})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %s: %s rows (%s deliberately bad, %s by district name only)\n",
				o.Out, commas(int64(st.Rows)), commas(int64(st.Bad)), commas(int64(st.NameOnly)))
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
