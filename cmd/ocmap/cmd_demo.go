//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
)

type demoOptions struct {
	Out        string
	Rows       int
	Population string
	boundaries boundaryOptions
}

func (o *demoOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "ocmap-demo", "directory for the demo file and database")
	fs.IntVar(&o.Rows, "rows", 200000, "number of synthetic incidents")
	fs.StringVar(&o.Population, "population", "", "census population CSV for rates (default: $OCMAP_SHARED_DATA/population/pak_district_population.csv when it exists)")
	o.boundaries.AddFlags(fs)
}

func init() {
	var o demoOptions
	register(&Command{
		Name:  "demo",
		Usage: "[--out DIR] [--rows N]",
		Short: "generate synthetic incidents, ingest them, show the top districts and hot spots, export the map",
		Long: `Runs the whole job on synthetic data: writes DIR/incidents.csv (gen), ingests
it into a fresh DIR/demo.duckdb (ingest, with the census population when
one is found), prints the top districts (summary) and the drug trafficking
hot spots (hotspots) and where trafficking victims came from and were taken
(flows), and writes the publishable map into DIR/npb (export, with the flow
maps).
Then try the other commands on DIR/demo.duckdb.

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
	fmt.Fprintf(env.Stdout, "1/5 gen: %s synthetic incidents over %d districts of %s\n", commas(int64(o.Rows)), len(b.Districts), b.Path)
	st, err := generate(b, csvPath, synth.Options{Rows: o.Rows, Seed: 1, Flows: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "    wrote %s (%s deliberately bad rows)\n", csvPath, commas(int64(st.Bad)))
	subsPath := filepath.Join(o.Out, "mobile_subscriptions.csv")
	n, err := writeDemoSubscriptions(b, subsPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "    wrote %s (illustrative mobile subscriptions of %d districts, for --denominator; Azad Kashmir's and Gilgit-Baltistan's left out)\n", subsPath, n)
	// The demo database is ours to recreate, so every demo starts clean.
	for _, p := range []string{dbPath, dbPath + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	pop := o.Population
	if pop == "" && env.Getenv("OCMAP_SHARED_DATA") != "" {
		if p := filepath.Join(env.Getenv("OCMAP_SHARED_DATA"), "population", "pak_district_population.csv"); fileExists(p) {
			pop = p
		}
	}
	fmt.Fprintln(env.Stdout, "2/5 ingest")
	gen, err := layout.Find("ocmap-synthetic")
	if err != nil {
		return err
	}
	rep, err := pipeline.Ingest(ctx, pipeline.Config{
		DB: dbPath, Boundaries: b, Inputs: []string{csvPath}, KeepRaw: true, Layout: gen,
		Version: version, Store: store.Options{MemoryLimit: "256MB"}, Population: pop,
	})
	if err != nil {
		return err
	}
	printIngestReport(env.Stdout, rep)
	fmt.Fprintln(env.Stdout, demoRejects(rep, st.Bad))
	fmt.Fprintln(env.Stdout, "\n3/5 summary: top 10 districts")
	so := &summaryOptions{DB: dbPath, Top: 10, Format: "table", MaxPrecision: 4}
	if err := runSummary(ctx, env, so, nil); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "\n4/5 hotspots: drug trafficking")
	ho := &analysisOptions{DB: dbPath, Category: "drug_trafficking", Format: "table", Permutations: 999, Seed: 20261125, Alpha: 0.05, MaxPrecision: 4}
	if err := runAnalysis(ctx, env, ho, nil, "hot spots and clusters", hotspotsTable, hotspotsSort); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "\n    flows: where trafficking victims came from and were taken (ocmap flows), the 8 largest")
	fo := &flowsOptions{DB: dbPath, Category: "human_trafficking", Format: "table", Top: 8, boundaries: o.boundaries}
	if err := runFlows(ctx, env, fo, nil); err != nil {
		return err
	}
	npb := filepath.Join(o.Out, "npb")
	fmt.Fprintf(env.Stdout, "\n5/5 export: the publishable map into %s\n", npb)
	eo := &exportOptions{DB: dbPath, Out: npb, MinCell: 10, Classes: "quantile", K: 5, Width: 1600, Simplify: 0.002, MaxPrecision: 4,
		boundaries: o.boundaries}
	if err := runExport(ctx, env, eo, nil); err != nil {
		return err
	}
	installed, err := installDemoBoundaries(env, b.Path)
	if err != nil {
		return err
	}
	bin := os.Args[0]
	fmt.Fprintf(env.Stdout, "\ndone in %.1fs. Open %s/report.html in a browser. The database is %s; try:\n"+
		"  %[4]s summary --db %[3]s --category cybercrime --from 2024-01\n"+
		"  %[4]s heatmap --db %[3]s --category drug_trafficking --metric eb_rate\n"+
		"  %[4]s trends --db %[3]s --from 2024-01 --to 2024-12\n"+
		"  %[4]s flows --db %[3]s --category drug_trafficking --map flows.svg\n"+
		"  %[4]s serve --db %[3]s      (then open http://127.0.0.1:8080)\n", time.Since(start).Seconds(), npb, dbPath, bin)
	if installed != "" {
		fmt.Fprintf(env.Stdout, "The boundary file it used is now the default (%s), so these commands need no --boundaries.\n", installed)
	}
	return nil
}

// demoRejects says how many incident rows the ingest rejected against the
// bad rows the generator wrote, and the population file's rejects apart:
// they are census rows, not incidents.
func demoRejects(rep *pipeline.Report, bad int) string {
	s := fmt.Sprintf("    rejected: %s incident rows (gen wrote %s deliberately bad rows)", commas(rep.Rejected), commas(int64(bad)))
	if p := rep.Population; p != nil {
		s += fmt.Sprintf("; %s rows of the population file", commas(p.Rejected))
	}
	return s
}

// installDemoBoundaries makes the boundary file the demo used the default
// for later commands, as 'boundaries fetch --from' does, when there is no
// default yet: after 'make demo' (which names the file through
// OCMAP_BOUNDARIES) the README's commands then work as they are. It
// returns the installed path, or "" when a default was already there.
func installDemoBoundaries(env *Env, path string) (string, error) {
	pointer := defaultPointer(env)
	if fileExists(pointer) {
		return "", nil
	}
	dest := filepath.Dir(pointer)
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", err
	}
	p, _, _, err := geo.InstallFrom(path, dest, io.Discard)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return abs, os.WriteFile(pointer, []byte(abs+"\n"), 0o644)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// writeDemoSubscriptions writes an illustrative --denominator file: mobile
// subscriptions in 2023 for every district of b but those of Azad Kashmir
// and Gilgit-Baltistan (left out, as a source covering the provinces and
// Islamabad would, so that the demo shows districts with no figure). The
// figures are made up from each district's code, the same every run.
func writeDemoSubscriptions(b *geo.Boundaries, path string) (int, error) {
	var buf strings.Builder
	buf.WriteString("district,year,value,measure\n")
	n := 0
	for _, d := range b.Districts {
		if p, _ := geo.NormalizeProvince(d.Province); p == geo.AzadKashmir || p == geo.GilgitBaltistan {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(d.Code))
		fmt.Fprintf(&buf, "%s,2023,%d,mobile_subscriptions\n", d.Code, 150_000+int(h.Sum32()%1_850_000))
		n++
	}
	return n, os.WriteFile(path, []byte(buf.String()), 0o644)
}
