//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
)

type demoOptions struct {
	Out        string
	Rows       int
	boundaries boundaryOptions
}

func (o *demoOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "ocmap-demo", "directory for the demo file and database")
	fs.IntVar(&o.Rows, "rows", 200000, "number of synthetic incidents")
	o.boundaries.AddFlags(fs)
}

func init() {
	var o demoOptions
	register(&Command{
		Name:  "demo",
		Usage: "[--out DIR] [--rows N]",
		Short: "generate synthetic incidents, ingest them and show the top districts",
		Long: `Runs the whole job on synthetic data: writes DIR/incidents.csv (gen), ingests
it into a fresh DIR/demo.duckdb (ingest) and prints the top districts
(summary). Then try the other commands on DIR/demo.duckdb.

Example:
  ocmap demo --out /tmp/ocmap-demo`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runDemo(ctx, env, &o)
		},
	})
}

func runDemo(ctx context.Context, env *Env, o *demoOptions) error {
	b, err := o.boundaries.load(env)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	csvPath := filepath.Join(o.Out, "incidents.csv")
	dbPath := filepath.Join(o.Out, "demo.duckdb")
	start := time.Now()
	fmt.Fprintf(env.Stdout, "1/3 gen: %s synthetic incidents over %d districts of %s\n", commas(int64(o.Rows)), len(b.Districts), b.Path)
	st, err := generate(b, csvPath, synth.Options{Rows: o.Rows, Seed: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "    wrote %s (%s deliberately bad rows)\n", csvPath, commas(int64(st.Bad)))
	// The demo database is ours to recreate, so every demo starts clean.
	for _, p := range []string{dbPath, dbPath + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	fmt.Fprintln(env.Stdout, "2/3 ingest")
	rep, err := pipeline.Ingest(ctx, pipeline.Config{
		DB: dbPath, Boundaries: b, Inputs: []string{csvPath}, KeepRaw: true,
		Version: version, Store: store.Options{MemoryLimit: "256MB"},
	})
	if err != nil {
		return err
	}
	printIngestReport(env.Stdout, rep)
	fmt.Fprintln(env.Stdout, "\n3/3 summary: top 10 districts")
	so := &summaryOptions{DB: dbPath, Top: 10, Format: "table"}
	if err := runSummary(ctx, env, so, nil); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\ndone in %.1fs. The database is %s; try:\n  ocmap summary --db %s --category cybercrime --from 2024-01\n",
		time.Since(start).Seconds(), dbPath, dbPath)
	return nil
}
