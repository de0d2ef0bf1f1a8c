//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline/store"
)

func init() {
	var db string
	register(&Command{
		Name:  "releases",
		Usage: "--db FILE",
		Short: "list the release register: what every export and bulletin published",
		Long: `Lists the releases registered in the database: every export and bulletin
that was not --internal, with its period, min-cell, and how many figures it
printed and withheld. A new export or bulletin is audited together with all
of them (period differencing, monthly against annual) and withholds more
until no small count of any release can be narrowed to within min-cell.

Example:
  ocmap releases --db crime.duckdb`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&db, "db", "", "ocmap database (required)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if db == "" {
				return usagef("--db is required")
			}
			if len(args) > 0 {
				return usagef("unexpected argument %q", args[0])
			}
			st, err := store.OpenReadOnly(ctx, db)
			if err != nil {
				return err
			}
			defer st.Close()
			rs, err := st.Releases(ctx)
			if err != nil {
				return err
			}
			if len(rs) == 0 {
				fmt.Fprintf(env.Stdout, "no releases registered in %s\n", db)
				return nil
			}
			fmt.Fprintln(env.Stdout, "id\tkind\tcreated (UTC)\tperiod\tmin-cell\tfigures\twithheld\tocmap")
			for _, r := range rs {
				fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s..%s\t%d\t%d\t%d\t%s\n", r.ID, r.Kind, r.Created.UTC().Format("2006-01-02 15:04"),
					r.From, r.To, r.MinCell, r.Figures, r.Withheld, r.Version)
			}
			return nil
		},
	})
}
