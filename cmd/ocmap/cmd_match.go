package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/schemas"
)

// stdin is where 'match' reads names when none are given; tests swap it.
var stdin io.Reader = os.Stdin

// minShown is the similarity below which 'match' does not show a
// candidate, as ingest's notes and rejects do: "Atlantis" is not "Attock".
const minShown = 0.8

type matchOptions struct {
	boundaries   boundaryOptions
	places       placesOptions
	Province, On string
	Format       string
}

func (o *matchOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Province, "province", "", "province hint, as a source writes it (Punjab, KPK, ICT, ...)")
	fs.StringVar(&o.On, "on", "", "the day of the incident, YYYY-MM-DD: old names and new districts are matched as they stood then")
	fs.StringVar(&o.Format, "format", "text", "output format: text, or json (one object per line)")
	o.boundaries.AddFlags(fs)
	o.places.AddFlags(fs)
}

func init() {
	var o matchOptions
	register(&Command{
		Name:  "match",
		Usage: "[--province P] [--on YYYY-MM-DD] [--format text|json] [NAME... | -]",
		Short: "explain how place names match the districts of the boundary file",
		Long: `Shows, for each place name, the district that ingest would place a row
naming it in (when the row has no usable point), and how: the district's
code or name (pcode, exact), an alias of ocmap's table or of --aliases
(alias), or a close spelling (fuzzy, with its Jaro-Winkler score). A name
that is not one district is kept in its province when that is known
(precision 4), else rejected; the closest districts are listed (those
scoring 0.80 or more). A name of the whole country ("Pakistan",
"nationwide") with no province keeps the row at national level only
(precision 6, method country).

Names are the arguments, or with none (or "-") standard input, one a line.
--province constrains the names as a source's province column does; a name
that denotes one district elsewhere still matches it, and the line says the
hint was ignored. --on matches old names and districts created after the
boundary file as they stood on that day.

Use it to check an alias file before an ingest, or to see why 'ocmap review'
lists a name. The exit code is 0 even when names do not match.

With a place layer (--places, $OCMAP_PLACES or 'ocmap places fetch'), a name
the gazetteer does not place in one district gets a second line: the
GeoNames town or village it names and its district, as ingest would place it
(text format only).

--format json writes one object a line: input, district_code, district,
province, precision (2 a town of the district, 3 district, 4 province, 6
country, null when not located), method (pcode, exact, alias, fuzzy,
subdivision, country, province or unmatched), score, candidates (when not
matched, or fuzzy: district_code, district, province, score) and
hint_ignored (when true). A score is a number from 0 to 1 written with
exactly four decimals, as 'review --format csv' writes it: 1.0000 for a
code, name or alias, the Jaro-Winkler similarity for a close spelling
(0.9464), 0.0000 when nothing matched.

Examples:
  ocmap match "D.I Khan" Nawabshah Peshwar
  ocmap match --on 2016-01-01 "Khyber Agency"
  ocmap match --province Sindh Karachi
  ocmap match --aliases my-aliases.csv --format json < places.txt`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runMatch(ctx, env, &o, args)
		},
	})
}

func runMatch(ctx context.Context, env *Env, o *matchOptions, args []string) error {
	var on time.Time
	if o.On != "" {
		t, err := time.Parse(time.DateOnly, o.On)
		if err != nil {
			return usagef("--on %q: want a day as YYYY-MM-DD, e.g. 2016-01-01", o.On)
		}
		on = t
	}
	if o.Province != "" {
		if _, ok := geo.NormalizeProvince(o.Province); !ok {
			return usagef("--province %q: unknown province (Punjab, Sindh, Khyber Pakhtunkhwa, Balochistan, Islamabad, Gilgit Baltistan, Azad Kashmir, or their usual short forms)", o.Province)
		}
	}
	var write func(io.Writer, string, geo.Match, *geo.Boundaries) error
	switch o.Format {
	case "text":
		write = matchText
	case "json":
		write = matchJSON
	default:
		return usagef("unknown format %q (text or json)", o.Format)
	}
	loc, err := o.boundaries.locator(env)
	if err != nil {
		return err
	}
	if err := warnSkippedAliases(env, &o.boundaries, loc.Warnings()); err != nil {
		return err
	}
	pf, err := o.places.load(env)
	if err != nil {
		return err
	}
	if pf != nil {
		loc.UsePlaces(pf)
	}
	g, b := loc.Gazetteer(), loc.Boundaries()
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	explain := func(name string) error {
		m := g.Match(name, o.Province, on)
		if err := write(w, name, m, b); err != nil {
			return err
		}
		if pf != nil && m.District < 0 && o.Format == "text" {
			if m.Conflict {
				// "Murree, Lahore": a town among the parts settles nothing.
				_, err := fmt.Fprintln(w, "  place layer: not used: the parts of the name lie in different districts")
				return err
			}
			return matchPlace(w, loc, name, o.Province)
		}
		return nil
	}
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		for _, name := range args {
			if err := explain(name); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := strings.TrimSpace(sc.Text())
		if name == "" {
			continue
		}
		if err := explain(name); err != nil {
			return err
		}
		// A person typing names wants each answer as they go.
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("standard input: %w", err)
	}
	return w.Flush()
}

// matchPlace writes the place layer's answer for a name the gazetteer did
// not place in one district, indented under the gazetteer's line.
func matchPlace(w io.Writer, loc *locate.Locator, name, province string) error {
	pl := loc.Place(&schemas.PlaceQuery{Hint: []byte(name), Province: []byte(province)})
	if !pl.OK || pl.Method != schemas.MethodPlace {
		_, err := fmt.Fprintln(w, "  place layer: no town or village of that name in one district")
		return err
	}
	code, district, prov := loc.District(pl.District)
	_, err := fmt.Fprintf(w, "  place layer: %s (%s), %s; precision 2 (near a named place); %s\n", district, code, prov, pl.Note)
	return err
}

// shown is the candidates worth showing: at least minShown, best first.
func shown(m geo.Match) []geo.Candidate {
	var out []geo.Candidate
	for _, c := range m.Candidates {
		if c.Score >= minShown {
			out = append(out, c)
		}
	}
	return out
}

func precisionName(p int8, method string) string {
	switch {
	case method == geo.MethodCountry:
		return "country"
	}
	switch p {
	case geo.PrecisionNear:
		return "near a named place"
	case geo.PrecisionDistrict:
		return "district"
	case geo.PrecisionProvince:
		return "province"
	}
	return "none"
}

// matchText writes one line:
//
//	"Peshwar": Peshawar (PK402), Khyber Pakhtunkhwa; precision 3 (district), fuzzy 0.97; closest: Peshawar 0.97
func matchText(w io.Writer, name string, m geo.Match, b *geo.Boundaries) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%q: ", name)
	if m.District >= 0 {
		d := &b.Districts[m.District]
		fmt.Fprintf(&sb, "%s (%s)", d.Name, d.Code)
	} else {
		sb.WriteString("no district")
	}
	prov := m.Province
	if prov == "" && m.Method != geo.MethodCountry {
		prov = "province unknown"
	} else if prov == "" {
		prov = "Pakistan"
	}
	if unmatched(m) {
		fmt.Fprintf(&sb, ", %s; not located", prov)
	} else {
		fmt.Fprintf(&sb, ", %s; precision %d (%s)", prov, m.Precision, precisionName(m.Precision, m.Method))
	}
	switch {
	case m.District >= 0:
		fmt.Fprintf(&sb, ", %s %.2f", m.Method, m.Score)
	case m.Method == geo.MethodCountry:
		sb.WriteString(", the country: kept at national level")
	case len(m.Candidates) > 0 && m.Candidates[0].Score == 1:
		sb.WriteString(", not one district")
	case !unmatched(m):
		sb.WriteString(", the province only")
	case schemas.NoPlace([]byte(name)):
		sb.WriteString(", names no place: a row with it is placed by its point, else rejected")
	}
	if m.HintIgnored {
		sb.WriteString("; the province hint was ignored: the name is only in " + m.Province)
	}
	if m.District < 0 || m.Method == geo.MethodFuzzy {
		if cs := shown(m); len(cs) > 0 {
			parts := make([]string, len(cs))
			for i, c := range cs {
				parts[i] = fmt.Sprintf("%s %.2f", c.Name, c.Score)
			}
			sb.WriteString("; closest: " + strings.Join(parts, ", "))
		}
	}
	sb.WriteByte('\n')
	_, err := io.WriteString(w, sb.String())
	return err
}

type jsonCandidate struct {
	Code     string    `json:"district_code"`
	Name     string    `json:"district"`
	Province string    `json:"province"`
	Score    jsonScore `json:"score"`
}

// jsonScore is a match score in JSON as 'review --format csv' writes it:
// a number with exactly four decimals, "1.0000", "0.9464", "0.0000". The
// Jaro-Winkler similarity comes as a float64 with up to 17 digits
// (0.9464285714285714), which no one can compare by eye and which changes
// in its last digits with the computation; four decimals are stable and
// finer than any threshold (0.92, 0.95, 0.03 apart).
type jsonScore float64

// ScoreDecimals is how many decimals machine-readable outputs give a score.
const ScoreDecimals = 4

func (s jsonScore) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(s), 'f', ScoreDecimals, 64), nil
}

// unmatched reports whether m places the name nowhere: no district, no
// province, not the country.
func unmatched(m geo.Match) bool {
	return m.District < 0 && m.Province == "" && m.Method != geo.MethodCountry
}

type jsonMatch struct {
	Input       string           `json:"input"`
	Code        string           `json:"district_code"`
	Name        string           `json:"district"`
	Province    string           `json:"province"`
	Precision   *int8            `json:"precision"` // null when not located
	Method      string           `json:"method"`    // "unmatched" when not located
	Score       jsonScore        `json:"score"`
	Candidates  *[]jsonCandidate `json:"candidates,omitempty"` // a pointer, so that an empty list shows
	HintIgnored bool             `json:"hint_ignored,omitempty"`
}

func matchJSON(w io.Writer, name string, m geo.Match, b *geo.Boundaries) error {
	out := jsonMatch{Input: name, Province: m.Province, Method: m.Method, Score: jsonScore(m.Score), HintIgnored: m.HintIgnored}
	switch {
	case unmatched(m):
		out.Method = "unmatched"
	case m.District < 0 && m.Method == "":
		out.Method, out.Precision = "province", &m.Precision
	default:
		out.Precision = &m.Precision
	}
	if m.District >= 0 {
		d := &b.Districts[m.District]
		out.Code, out.Name = d.Code, d.Name
	}
	if m.District < 0 || m.Method == geo.MethodFuzzy {
		cs := []jsonCandidate{}
		for _, c := range shown(m) {
			cs = append(cs, jsonCandidate{Code: b.Districts[c.District].Code, Name: c.Name, Province: c.Province, Score: jsonScore(c.Score)})
		}
		out.Candidates = &cs
	}
	return json.NewEncoder(w).Encode(out)
}

// warnSkippedAliases tells which of the user's own aliases the gazetteer
// skipped (their district is not in the boundary file): a user checking an
// alias file needs to know. The embedded table's skips are expected for
// other boundary files and stay quiet.
func warnSkippedAliases(env *Env, o *boundaryOptions, warnings []string) error {
	mine, err := o.aliases(env)
	if err != nil || len(mine) == 0 {
		return err
	}
	for _, w := range warnings {
		for _, a := range mine {
			if strings.HasPrefix(w, fmt.Sprintf("alias %q: district %q (%s)", a.Alias, a.District, a.Province)) {
				fmt.Fprintf(env.Stderr, "warning: --aliases: %s\n", w)
				break
			}
		}
	}
	return nil
}
