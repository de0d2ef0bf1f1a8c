//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/store"
)

type sqlOptions struct {
	DB, Format string
	Limit      int
}

func (o *sqlOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "ocmap database (required); opened read-only")
	fs.StringVar(&o.Format, "format", "table", "output format: table, csv or json")
	fs.IntVar(&o.Limit, "limit", -1, "at most this many rows; 0 for all (default: 1000 for the table, all for csv and json)")
}

func init() {
	var o sqlOptions
	register(&Command{
		Name:  "sql",
		Usage: `--db FILE [--format table|csv|json] [--limit N] "SELECT ..."`,
		Short: "ask the database a question in SQL (read-only)",
		Long: `Runs one SQL query on the database, opened read-only: nothing can be
changed. Only one query runs at a time (SELECT, WITH, DESCRIBE, SHOW,
SUMMARIZE, EXPLAIN, and PRAGMAs that only read, such as table_info); COPY,
EXPORT, ATTACH, INSTALL, LOAD, SET, setting PRAGMAs and anything that writes
are refused, and DuckDB may not open any other file: reading CSV or Parquet
files by path (read_csv, read_parquet) is turned off too, so a query can
neither leak a file of the machine nor write one. A query may use 4 GB of
memory and spill 10 GB to disk. To join the database with your own files,
open a copy of it in DuckDB itself. The tables and views are described in the README (incidents, the
four category tables and their *_incidents views, context_events, rejects,
districts, district_month, district_month_sources, district_month_rates,
incident_groups, population, ingest_runs, ingest_files). DuckDB's SQL
dialect applies (https://duckdb.org/docs/sql/introduction).

The table format stops at --limit rows and says so; csv and json write every
row unless --limit is given.

Examples:
  ocmap sql --db crime.duckdb "SELECT category, count(*) FROM incidents GROUP BY ALL ORDER BY 2 DESC"
  ocmap sql --db crime.duckdb --format csv "SELECT * FROM district_month_rates WHERE category = 'drug_trafficking'" > rates.csv
  ocmap sql --db crime.duckdb "SELECT field, reason, count(*) FROM rejects GROUP BY ALL ORDER BY 3 DESC"`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runSQL(ctx, env, &o, args)
		},
	})
}

func runSQL(ctx context.Context, env *Env, o *sqlOptions, args []string) error {
	if o.DB == "" {
		return usagef("--db is required")
	}
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return usagef(`give one query, in quotes: ocmap sql --db FILE "SELECT ..."`)
	}
	limit := o.Limit
	switch o.Format {
	case "table":
		if limit < 0 {
			limit = 1000
		}
	case "csv", "json":
		limit = max(limit, 0)
	default:
		return usagef("unknown format %q (table, csv or json)", o.Format)
	}
	st, err := store.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	res, more, err := st.Query(ctx, args[0], limit)
	if err != nil {
		return err
	}
	switch o.Format {
	case "csv":
		return sqlCSV(env.Stdout, res)
	case "json":
		return sqlJSON(env.Stdout, res)
	}
	if err := sqlTable(env.Stdout, res); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(env.Stdout, "(first %d rows; --limit 0 shows all)\n", limit)
	} else {
		fmt.Fprintf(env.Stdout, "(%d rows)\n", len(res.Rows))
	}
	return nil
}

func sqlTable(w io.Writer, res *store.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(res.Columns, "\t")+"\t")
	for _, row := range res.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = v.Text
			if v.Null {
				cells[i] = "NULL"
			}
			cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cells[i])
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func sqlCSV(w io.Writer, res *store.Result) error {
	cw := csvout.NewWriter(w)
	cw.Write(res.Columns)
	for _, row := range res.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = v.Text
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// sqlJSON writes one JSON object per row (JSON Lines), numbers bare and
// nulls as null.
func sqlJSON(w io.Writer, res *store.Result) error {
	enc := json.NewEncoder(w)
	for _, row := range res.Rows {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(res.Columns[i])
			b.Write(k)
			b.WriteByte(':')
			switch {
			case v.Null:
				b.WriteString("null")
			case v.Num:
				b.WriteString(v.Text)
			default:
				s, _ := json.Marshal(v.Text)
				b.Write(s)
			}
		}
		b.WriteByte('}')
		if err := enc.Encode(json.RawMessage(b.String())); err != nil {
			return err
		}
	}
	return nil
}
