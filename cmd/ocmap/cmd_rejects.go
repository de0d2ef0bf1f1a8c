//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

type rejectsOptions struct {
	DB, File, Format string
	Top              int
}

func (o *rejectsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
	fs.StringVar(&o.File, "file", "", "only the rejects of this file (as ingested, or its base name)")
	fs.IntVar(&o.Top, "top", 10, "reasons to show of each file; 0 for all")
	fs.StringVar(&o.Format, "format", "text", "text (rows by file and reason) or csv (every rejected row, to fix in a spreadsheet)")
}

func init() {
	var o rejectsOptions
	register(&Command{
		Name:  "rejects",
		Usage: "--db FILE [--file NAME] [--top N] [--format text|csv]",
		Short: "the rows ingest could not use, by file and reason, or all of them as CSV",
		Long: `Lists the rejected rows of the database's files: for each file, how many
rows each field and reason rejected, most first, with the first row's line and
the value it quoted (a reason's quoted values, such as the date as
written, are shown as "…" in the reason column, so that rows one fix would
bring in count together). Files replaced by a corrected file, or withdrawn,
have no rejects left.

--format csv writes every rejected row instead: run, file, line, field,
reason and the row's text as read (with phone, CNIC and passport numbers and
e-mail addresses replaced by [PHONE], [CNIC]..., so a row whose id or date
held one must be corrected from the agency's file; none when the ingest ran
with --no-raw-rejects). Correct the agency's file and ingest it with
--withdraw and the old file's name ('ocmap help ingest'): its rows and its
rejects are replaced. A separate file of corrected rows adds them, but the
old file's rejects stay listed, as that file still has them.

Examples:
  ocmap rejects --db crime.duckdb
  ocmap rejects --db crime.duckdb --file fir_2023.csv --top 0
  ocmap rejects --db crime.duckdb --file fir_2023.csv --format csv > fir_2023_rejects.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runRejects(ctx, env, &o, args)
		},
	})
}

func runRejects(ctx context.Context, env *Env, o *rejectsOptions, args []string) error {
	if o.DB == "" {
		return usagef("--db is required")
	}
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if o.Top < 0 {
		return usagef("--top must be 0 or more")
	}
	if o.Format != "text" && o.Format != "csv" {
		return usagef("unknown format %q (text or csv)", o.Format)
	}
	st, err := store.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	file := o.File
	if file != "" {
		file = filepath.Clean(file) // ./jan.csv is jan.csv
		if err := rejectsFileKnown(ctx, st, o.DB, file); err != nil {
			return err
		}
	}
	if o.Format == "csv" {
		return rejectsCSV(ctx, env.Stdout, st, file)
	}
	groups, err := st.RejectGroups(ctx, file)
	if err != nil {
		return err
	}
	return rejectsText(env.Stdout, groups, o.Top)
}

// rejectsFileKnown says why a --file names no file of the database: one
// withdrawn or replaced, whose rejects went with its rows, or one never
// read, with the files it has.
func rejectsFileKnown(ctx context.Context, st *store.Store, db, file string) error {
	state, err := st.File(ctx, file)
	if err != nil || state.Live {
		return err
	}
	if len(state.GoneBy) > 0 {
		runs := make([]string, len(state.GoneBy))
		for i, r := range state.GoneBy {
			runs[i] = strconv.FormatInt(r, 10)
		}
		return fmt.Errorf("%s: run %s withdrew or replaced it: its rows and its rejects were removed", file, strings.Join(runs, ", "))
	}
	live, err := st.LiveFiles(ctx)
	if err != nil {
		return err
	}
	const most = 10
	list := strings.Join(live[:min(len(live), most)], ", ")
	if len(live) > most {
		list += fmt.Sprintf(" and %d more", len(live)-most)
	}
	if list == "" {
		list = "none"
	}
	return fmt.Errorf("%s holds no file %s; its files: %s", db, file, list)
}

// quotedValue is a value a reason quotes (store.RejectGroup).
var quotedValue = regexp.MustCompile(store.QuotedValue)

func rejectsText(w io.Writer, groups []store.RejectGroup, top int) error {
	if len(groups) == 0 {
		_, err := fmt.Fprintln(w, "no rejected rows: every row read was used")
		return err
	}
	// Files in order, with their totals.
	var files []string
	total, rows := map[string]int64{}, int64(0)
	for _, g := range groups {
		if total[g.File] == 0 {
			files = append(files, g.File)
		}
		total[g.File] += g.Rows
		rows += g.Rows
	}
	fileWord := "files"
	if len(files) == 1 {
		fileWord = "file"
	}
	fmt.Fprintf(w, "%s in %d %s\n", rejectedRows(rows), len(files), fileWord)
	for _, f := range files {
		var table bytes.Buffer
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
		fmt.Fprintf(w, "\n%s: %s\n", f, rejectedRows(total[f]))
		fmt.Fprintln(tw, "  rows\tfield\tfirst\tvalue\treason")
		shown, left, leftRows := 0, 0, int64(0)
		for _, g := range groups {
			if g.File != f {
				continue
			}
			if top > 0 && shown == top {
				left++
				leftRows += g.Rows
				continue
			}
			shown++
			// The values the first row's reason quotes, which the reason
			// column shows as "…", and how many others the rows give.
			example := strings.Join(quotedValue.FindAllString(g.Example, -1), ", ")
			if strings.Contains(g.Example, schemas.WithheldValue) {
				example = "(withheld)"
			}
			if g.Reasons > 1 {
				example += fmt.Sprintf(" +%d more", g.Reasons-1)
			}
			fmt.Fprintf(tw, "  %s\t%s\tline %d\t%s\t%s\n", commas(g.Rows), g.Field, g.Line, example, g.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		writeTrimmed(w, table.String())
		if left > 0 {
			reasons, rowsWord := "reasons", "rows"
			if left == 1 {
				reasons = "reason"
			}
			if leftRows == 1 {
				rowsWord = "row"
			}
			fmt.Fprintf(w, "  (%d more %s, %s %s; --top 0 shows all)\n", left, reasons, commas(leftRows), rowsWord)
		}
	}
	_, err := fmt.Fprint(w, `
Every row is in the rejects table with its line and its text as read (none
when the ingest ran with --no-raw-rejects; personal numbers replaced by
[CNIC], [PHONE]...): --format csv lists them. Correct them in the agency's
file and ingest it again with --withdraw and the old file's name: a
separate file of corrected rows adds them, but the old file's rejects stay
listed. Place names that match no district are fixed by an alias ('ocmap
review'); dates, numbers and categories in another form by a layout
('ocmap help layouts').
`)
	return err
}

// rejectedRows is "1 rejected row" or "n rejected rows".
func rejectedRows(n int64) string {
	if n == 1 {
		return "1 rejected row"
	}
	return commas(n) + " rejected rows"
}

func rejectsCSV(ctx context.Context, w io.Writer, st *store.Store, file string) error {
	cw := csvout.NewWriter(w)
	cw.Write([]string{"run", "file", "line", "field", "reason", "raw"})
	err := st.EachReject(ctx, file, func(r store.Reject) error {
		cw.Write([]string{strconv.FormatInt(r.Run, 10), r.File, strconv.FormatInt(r.Line, 10), r.Field, r.Reason, r.Raw})
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
