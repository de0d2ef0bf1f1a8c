//go:build duckdb_arrow

package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/internal/csvout"
	"github.com/ocmap/ocmap/pipeline/store"
)

type reviewOptions struct {
	DB, Format string
	Top        int
}

func (o *reviewOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "ocmap database (required)")
	fs.IntVar(&o.Top, "top", 20, "names to show of each kind; 0 for all")
	fs.StringVar(&o.Format, "format", "text", "output format: text or csv")
}

func init() {
	var o reviewOptions
	register(&Command{
		Name:  "review",
		Usage: "--db FILE [--top N] [--format text|csv]",
		Short: "list the place names that did not match a district well",
		Long: `Lists what a researcher should look at in the database, with the number
of rows of each, most frequent first, and the first row as an example.
Place names that an alias can fix:

  unmatched        rows rejected because the name matches no district
                   ('(see rejects)': rows whose point is outside every
                   district and whose name is unknown; '(name withheld:
                   looks like personal data)': a phone or CNIC number in
                   the district column, which is never shown: 'ocmap
                   rejects' gives their lines)
  province only    names that are not one district (Karachi, or a typo
                   close to two): the rows are kept in the province only
  fuzzy            names placed by a close spelling: check the district

Where rows landed, by the districts involved (see 'How ocmap decides where
an event was' in the README; 'ocmap layouts check' shows the same before
an ingest):

  point kept            the point is in another district than the name
                        says, and was kept: it lies within 2 km of the
                        named district, or the row's place text sides
                        with it
  name over point       the same, but the name was taken over the point
  outside province      the point is outside the province the row gives:
                        swapped coordinates, or the row placed by its name
  place far from point  the point is more than 25 km from the town (place
                        layer) that the row names; the point was kept
  placeholder point     one point a file gives to many places, or over
                        years, or to places in several districts: its rows
                        were placed by their names
  near a place          rows placed near a town or village of the place
                        layer (GeoNames), precision 2
  from text             rows placed from narrative text
  swapped point         rows whose latitude and longitude were exchanged
                        in the source and swapped back, by file: the
                        file's columns are the wrong way round
  name outside province names placed in another province than the row
                        gives ("Mirpur" of a Sindh file is Mirpur, Azad
                        Kashmir): an alias in that province fixes it
  point off the map     the point is outside every district (across the
                        border, at sea, 0,0): the row was placed by its
                        name, or, within 2 km of a district, in it

Most are fixed by an alias: add lines to a CSV file with the header
alias,district,province,kind,valid_from,valid_to,note (kind variant,
historical, successor, place or urdu; district as the boundary file spells
it; dates YYYY-MM-DD or empty), check them with 'ocmap match --aliases
FILE NAME', and ingest the same files again with --aliases FILE: re-reading
a file replaces its rows.

Examples:
  ocmap review --db crime.duckdb
  ocmap review --db crime.duckdb --top 0 --format csv > names.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runReview(ctx, env, &o, args)
		},
	})
}

func runReview(ctx context.Context, env *Env, o *reviewOptions, args []string) error {
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
	rows, err := st.Review(ctx, o.Top)
	if err != nil {
		return err
	}
	if o.Format == "csv" {
		return reviewCSV(env.Stdout, rows)
	}
	return reviewText(env.Stdout, rows)
}

func reviewText(w io.Writer, rows []store.ReviewRow) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "nothing to review: every place name matched exactly or by alias")
		return err
	}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tname\tprovince\trows\tplaced in\tscore\texample\tnote")
	for _, r := range rows {
		score := ""
		if r.Method == "fuzzy" {
			score = fmt.Sprintf("%.2f", r.Score)
		}
		name := r.Name
		if name == "" {
			name = "(no name)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, name, r.Province, commas(r.Count),
			r.Result, score, exampleBase(r.Example), r.Note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The note is last and often empty: no padding at the ends of lines.
	writeTrimmed(w, table.String())
	// Say where --top left lines out, so that the counts can be added up.
	shown := map[string]int64{}
	var kinds []store.ReviewRow
	for _, r := range rows {
		if shown[r.Kind] == 0 {
			kinds = append(kinds, r)
		}
		shown[r.Kind]++
	}
	for _, r := range kinds {
		if r.KindLines > shown[r.Kind] {
			fmt.Fprintf(w, "(%s: the first %d of %s lines, %s rows in all; --top 0 shows all)\n",
				r.Kind, shown[r.Kind], commas(r.KindLines), commas(r.KindRows))
		}
	}
	fixable := false
	for _, r := range rows {
		fixable = fixable || r.Kind == store.ReviewUnmatched || r.Kind == store.ReviewProvince || r.Kind == store.ReviewFuzzy ||
			r.Kind == store.ReviewNameOutside // an alias in the stated province ("Mirpur" of Sindh)
	}
	if !fixable {
		_, err := fmt.Fprint(w, `
What to do: check the points in the sources (latitude and longitude
swapped, a district's centre, or a typo); when a file's points are
approximate, say so in its layout (points: approximate). An alias
(--aliases) helps only when a name means another district than the one listed.
`)
		return err
	}
	// The example is a name of the list: one no district matched, else one
	// matched by a close spelling, with the district it went to (adding
	// it confirms the guess).
	example := []string{"Nowhere", "<district>", "<province>", "variant", "", "", ""}
	named := func(r store.ReviewRow) bool {
		return r.Name != store.ReviewSeeRejects && r.Name != store.ReviewWithheld && r.Name != ""
	}
	if i := slices.IndexFunc(rows, func(r store.ReviewRow) bool { return r.Kind == store.ReviewUnmatched && named(r) }); i >= 0 {
		example[0] = rows[i].Name
	} else if i := slices.IndexFunc(rows, func(r store.ReviewRow) bool { return r.Kind == store.ReviewFuzzy && named(r) }); i >= 0 {
		example[0], example[1] = rows[i].Name, rows[i].Result
		example[2] = cmp.Or(rows[i].Province, example[2])
	}
	var b strings.Builder
	cw := csvout.NewWriter(&b)
	cw.Write(example)
	cw.Flush()
	_, err := fmt.Fprintf(w, `
What to do: for each name that means a district, add a line to an alias file
(district and province as 'ocmap boundaries show' spells them; kind variant,
historical, successor, place or urdu), for example:
  alias,district,province,kind,valid_from,valid_to,note
  %s
Check it with 'ocmap match --aliases FILE NAME', then ingest the same files
again with --aliases FILE: re-reading a file replaces its rows.
`, strings.TrimSuffix(b.String(), "\n"))
	return err
}

// writeTrimmed writes the lines of a tabwriter table without the padding
// at their ends, which a last column that is often empty leaves.
func writeTrimmed(w io.Writer, table string) {
	for _, line := range strings.SplitAfter(table, "\n") {
		if line != "" {
			io.WriteString(w, strings.TrimRight(line, " \n")+"\n")
		}
	}
}

// exampleBase shortens file:line to the file's base name; the CSV output
// keeps the path as stored.
func exampleBase(ex string) string {
	i := strings.LastIndexByte(ex, ':')
	if i < 0 {
		return ex
	}
	return filepath.Base(ex[:i]) + ex[i:]
}

func reviewCSV(w io.Writer, rows []store.ReviewRow) error {
	cw := csvout.NewWriter(w)
	cw.Write([]string{"kind", "name", "province", "rows", "placed_in", "method", "score", "note", "example"})
	for _, r := range rows {
		score := ""
		if r.Method != "" && r.Score > 0 {
			score = strconv.FormatFloat(r.Score, 'f', 4, 64)
		}
		cw.Write([]string{r.Kind, r.Name, r.Province, strconv.FormatInt(r.Count, 10), r.Result, r.Method, score, r.Note, r.Example})
	}
	cw.Flush()
	return cw.Error()
}
