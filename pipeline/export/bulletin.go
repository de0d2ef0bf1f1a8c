//go:build duckdb_arrow

package export

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// BulletinReport says what a bulletin wrote.
type BulletinReport struct {
	Files []string
	Month time.Time
}

// Bulletin writes the monthly bulletin of opt.From's month into opt.Out:
// bulletin.md, bulletin.html (maps inline) and a PNG map per category. The
// month's counts are compared with the previous month and the same month
// a year before, by category and province; new and intensifying hot spots
// come from the 12 months ending with the month. Every count table goes
// through the same disclosure control as the export.
func Bulletin(ctx context.Context, opt Options) (*BulletinReport, error) {
	month := opt.From
	if month.IsZero() {
		return nil, fmt.Errorf("export: bulletin: no month")
	}
	opt.To = month
	opt.provinceMonths = []time.Time{month.AddDate(0, -1, 0), month.AddDate(-1, 0, 0)}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	st, err := store.OpenReadOnly(ctx, opt.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	// A month the data do not reach has no count, not a count of 0.
	first, last, err := st.MonthSpan(ctx)
	if err != nil {
		return nil, err
	}
	if first.IsZero() || month.Before(first) || month.After(last) {
		span := "no dated incidents"
		if !first.IsZero() {
			span = "incidents from " + first.Format("2006-01") + " to " + last.Format("2006-01")
		}
		return nil, fmt.Errorf("export: bulletin: no data for %s: the database holds %s; ingest that month's files first",
			month.Format("2006-01"), span)
	}
	d, err := load(ctx, st, opt)
	if err != nil {
		return nil, err
	}
	b := &bulletin{d: d, month: month, first: first}
	b.compare()
	b.hotSpots()
	w, err := stagedWriter(opt.Out)
	if err != nil {
		return nil, err
	}
	defer w.discard()
	var maps []bulletinMap
	for _, cat := range schemas.Categories() {
		m, err := d.mapFor(cat)
		if err != nil {
			return nil, err
		}
		name := "bulletin_" + cat + ".png"
		if err := w.create(name, m.PNG); err != nil {
			return nil, err
		}
		var svg bytes.Buffer
		if err := m.SVG(&svg); err != nil {
			return nil, err
		}
		s := svg.String()
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:]
		}
		maps = append(maps, bulletinMap{Title: titles[cat], PNG: name, SVG: template.HTML(s)})
	}
	if err := w.create("bulletin.md", func(out io.Writer) error { return b.markdown(out, maps) }); err != nil {
		return nil, err
	}
	if err := w.create("bulletin.html", func(out io.Writer) error { return bulletinHTML.Execute(out, b.view(maps)) }); err != nil {
		return nil, err
	}
	st.Close()
	if err := d.register(ctx, "bulletin"); err != nil {
		return nil, err
	}
	if err := w.commit(); err != nil {
		return nil, err
	}
	return &BulletinReport{Files: w.names(), Month: month}, nil
}

type bulletinMap struct {
	Title, PNG string
	SVG        template.HTML
}

// bulletin is the content of one month's bulletin.
type bulletin struct {
	d     *data
	month time.Time
	first time.Time // the database's first month: months before it have no data
	// National rows: per category, the month, the previous month and the
	// same month a year before, as published (a count or "fewer than N").
	national []comparison
	// Province rows: per province and category.
	provinces []comparison
	hot       []string // "District (class)" of new, consecutive or intensifying hot spots
}

type comparison struct {
	Place, Category         string
	Now, Before, YearAgo    string
	ChangeMonth, ChangeYear string
	notable                 bool
}

// provinces returns the province names in the order of the districts.
func (d *data) provinces() []string {
	var names []string
	for _, ds := range d.districts {
		if !slices.Contains(names, ds.Province) {
			names = append(names, ds.Province)
		}
	}
	return names
}

// districtMonth returns the incidents of one month by district and
// category, districts as d.districts, categories as schemas.Categories.
func (d *data) districtMonth(month time.Time) [][]int64 {
	cats := schemas.Categories()
	idx := map[string]int{}
	out := make([][]int64, len(d.districts))
	for i, ds := range d.districts {
		idx[ds.Code] = i
		out[i] = make([]int64, len(cats))
	}
	for _, c := range d.cells {
		i, ok := idx[c.District]
		j := slices.Index(cats, c.Category)
		if ok && j >= 0 && c.Month.Equal(month) {
			out[i][j] += c.Incidents
		}
	}
	return out
}

// provinceKey is the key of a province's (or with name "" the nation's)
// count of category cat in month: the same as the margins of that month's
// district table, so that a bulletin of one month and one of the next
// print one figure.
func provinceKey(month time.Time, name, cat string) string {
	place := "nation"
	if name != "" {
		place = "prov=" + name
	}
	return "m:" + month.Format("2006-01") + ":" + place + ":" + cat
}

// addProvinceMonth adds to the release the province x category table of
// month, with its national totals, as the bulletin prints it: the small
// counts withheld with their complements (Suppress), and the relations an
// attacker knows: the provinces sum to the nation, and a province's count
// to its districts' counts of the month (withheld unless an earlier release
// published them, and at least 0, since this release prints no zeros of
// them). Protect then audits them with everything else.
func (d *data) addProvinceMonth(month time.Time) {
	cats := schemas.Categories()
	names := d.provinces()
	byDistrict := d.districtMonth(month)
	cells := make([][]int64, len(names))
	parts := make([][][]int, len(names)) // province, category -> district figures
	for p := range names {
		cells[p] = make([]int64, len(cats))
		parts[p] = make([][]int, len(cats))
	}
	minCell := d.opt.MinCell
	for i, ds := range d.districts {
		p := slices.Index(names, ds.Province)
		for j, cat := range cats {
			v := byDistrict[i][j]
			cells[p][j] += v
			key := "m:" + month.Format("2006-01") + ":" + ds.Code + ":" + cat
			parts[p][j] = append(parts[p][j], d.release.Add(key, v, true, v > 0 && v < minCell, 0, true))
			d.widenMonths(key, ds.Code, cat, []time.Time{month})
		}
	}
	groups := make([]string, len(names))
	for p := range groups {
		groups[p] = "Pakistan"
	}
	res := disclosure.Suppress(disclosure.Table{Rows: names, Groups: groups, Cols: cats, Cells: cells}, minCell)
	for j, cat := range cats {
		var tot int64
		var provs []int
		for p, name := range names {
			v := cells[p][j]
			tot += v
			f := d.release.Add(provinceKey(month, name, cat), v, res.Suppressed[p][j], v > 0 && v < minCell, 1, true)
			d.release.Relate(provinceKey(month, name, cat)+" by district", f, parts[p][j])
			provs = append(provs, f)
		}
		n := d.release.Add(provinceKey(month, "", cat), tot, res.NationalSuppressed[j], tot > 0 && tot < minCell, 1, true)
		d.release.Relate(provinceKey(month, "", cat)+" by province", n, provs)
	}
}

// provinceTable returns the provinces, their counts of each category in
// month and the national counts, and which of them the release withholds
// (nothing for --internal).
func (b *bulletin) provinceTable(month time.Time) (names []string, cells [][]int64, national []int64, sup [][]bool, natSup []bool) {
	cats := schemas.Categories()
	names = b.d.provinces()
	byDistrict := b.d.districtMonth(month)
	cells, sup = make([][]int64, len(names)), make([][]bool, len(names))
	for p := range names {
		cells[p], sup[p] = make([]int64, len(cats)), make([]bool, len(cats))
	}
	for i, ds := range b.d.districts {
		p := slices.Index(names, ds.Province)
		for j := range cats {
			cells[p][j] += byDistrict[i][j]
		}
	}
	national, natSup = make([]int64, len(cats)), make([]bool, len(cats))
	for j, cat := range cats {
		for p, name := range names {
			national[j] += cells[p][j]
			if b.d.release != nil {
				sup[p][j] = b.d.release.Suppressed(provinceKey(month, name, cat), cells[p][j])
			}
		}
		if b.d.release != nil {
			natSup[j] = b.d.release.Suppressed(provinceKey(month, "", cat), national[j])
		}
	}
	return names, cells, national, sup, natSup
}

func (b *bulletin) shown(n int64, suppressed bool) string {
	if suppressed {
		// One mark for every suppressed figure: telling the small ones
		// from their complements would narrow both.
		return "suppressed"
	}
	return fmt.Sprint(n)
}

func change(now, before int64, ok bool) string {
	if !ok || before == 0 {
		return "–"
	}
	return fmt.Sprintf("%+.0f%%", measures.PercentChange(float64(before), float64(now)))
}

// compare fills the national and province comparisons.
func (b *bulletin) compare() {
	cats := schemas.Categories()
	names, now, nNow, sNow, snNow := b.provinceTable(b.month)
	_, prev, nPrev, sPrev, snPrev := b.provinceTable(b.month.AddDate(0, -1, 0))
	_, year, nYear, sYear, snYear := b.provinceTable(b.month.AddDate(-1, 0, 0))
	// A month before the data begin has no count ("–"), not 0.
	noPrev := b.month.AddDate(0, -1, 0).Before(b.first)
	noYear := b.month.AddDate(-1, 0, 0).Before(b.first)
	before := func(r *comparison) {
		if noPrev {
			r.Before, r.ChangeMonth = "–", "–"
		}
		if noYear {
			r.YearAgo, r.ChangeYear = "–", "–"
		}
	}
	for j, c := range cats {
		n, p, y := nNow[j], nPrev[j], nYear[j]
		sn, sp, sy := snNow[j], snPrev[j], snYear[j]
		row := comparison{Place: "Pakistan", Category: c,
			Now: b.shown(n, sn), Before: b.shown(p, sp), YearAgo: b.shown(y, sy),
			ChangeMonth: change(n, p, !sn && !sp), ChangeYear: change(n, y, !sn && !sy)}
		before(&row)
		b.national = append(b.national, row)
	}
	for i, name := range names {
		for j, c := range cats {
			sn, sp, sy := sNow[i][j], sPrev[i][j], sYear[i][j]
			n, p := now[i][j], prev[i][j]
			row := comparison{Place: name, Category: c, Now: b.shown(n, sn), Before: b.shown(p, sp), YearAgo: b.shown(year[i][j], sy),
				ChangeMonth: change(n, p, !sn && !sp), ChangeYear: change(n, year[i][j], !sn && !sy)}
			// Notable: both months published, and a change of half or more
			// by at least the suppression threshold.
			if !sn && !sp && p > 0 && abs64(n-p) >= b.d.opt.MinCell && 2*abs64(n-p) >= p {
				row.notable = true
			}
			before(&row)
			b.provinces = append(b.provinces, row)
		}
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// hotSpots lists the districts that are new, consecutive or intensifying
// hot spots over the 12 months ending with the bulletin's month, all four
// categories together. A published bulletin works them out as the
// export's report does (data.withheld): from the months that it, or an
// earlier release of the database, publishes, naming none whose months
// are not all published (with their present counts), and leaving those
// out of every other district's classes.
func (b *bulletin) hotSpots() {
	year := analysis.Period{From: b.month.AddDate(0, -11, 0), To: b.month}
	r := analysis.Analyse(b.d.m, b.d.cells, b.d.pop, year, year.Before(),
		analysis.Options{Withheld: b.d.withheld(b.d.monthTable(year), analysis.AllCategories)})
	for _, x := range r.Districts {
		switch measures.Pattern(x.Emerging) {
		case measures.NewHot, measures.ConsecutiveHot, measures.IntensifyingHot:
			b.hot = append(b.hot, x.Name+" ("+strings.TrimSuffix(x.Emerging, " hot spot")+")")
		}
	}
	slices.Sort(b.hot)
}

// hotRule says, in a published bulletin, which districts its hot spots
// are of (see hotSpots), in the same words whatever they are; "" in an
// internal one.
func (b *bulletin) hotRule() string {
	if b.d.release == nil {
		return ""
	}
	return "Hot spots are worked out from published monthly counts only: among the districts whose counts of each of the 12 months this bulletin or an earlier release of the same data published, the others left out."
}

// guardRule says, in every published report, when hot spot classes are
// not given. It is the same sentence whatever the counts: saying it only
// when a category falls under the minimum would publish that its total is
// below it, which disclosure control may withhold.
var guardRule = fmt.Sprintf("Hot spot, cluster and emerging hot spot classes are given only for a category with at least %d incidents in the period in its published district counts; below that, one incident makes its neighbours look hot.", analysis.DefaultMinIncidents)

func (b *bulletin) title() string {
	t := "Organized crime in Pakistan: " + b.month.Format("January 2006")
	if b.d.opt.Internal {
		t += " (INTERNAL – NOT FOR PUBLICATION)"
	} else {
		t += " (preliminary)"
	}
	return t
}

func (b *bulletin) markdown(w io.Writer, maps []bulletinMap) error {
	fmt.Fprintf(w, "# %s\n\n", b.title())
	fmt.Fprintf(w, "Incidents recorded in %s, against %s and %s.\n\n", b.month.Format("January 2006"),
		b.month.AddDate(0, -1, 0).Format("January 2006"), b.month.AddDate(-1, 0, 0).Format("January 2006"))
	if pn := b.d.precisionNote(); pn != "" {
		fmt.Fprintf(w, "%s\n\n", pn)
	}
	fmt.Fprintln(w, "| category | this month | previous month | change | a year before | change |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, c := range b.national {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", titles[c.Category], c.Now, c.Before, c.ChangeMonth, c.YearAgo, c.ChangeYear)
	}
	fmt.Fprintln(w, "\n## New and intensifying hot spots")
	switch {
	case len(b.hot) == 0:
		fmt.Fprintln(w, "\nNone over the last 12 months.")
	default:
		fmt.Fprintf(w, "\nOver the 12 months to %s (Gi* each month, all four categories): %s.\n", b.month.Format("January 2006"), strings.Join(b.hot, ", "))
	}
	if r := b.hotRule(); r != "" {
		fmt.Fprintf(w, "\n%s\n", r)
	}
	fmt.Fprintf(w, "\n%s\n", guardRule)
	fmt.Fprintln(w, "\n## Notable changes by province")
	notable := 0
	for _, c := range b.provinces {
		if c.notable {
			notable++
			fmt.Fprintf(w, "- %s, %s: %s against %s the month before (%s).\n", c.Place, strings.ToLower(titles[c.Category]), c.Now, c.Before, c.ChangeMonth)
		}
	}
	if notable == 0 {
		fmt.Fprintln(w, "\nNo province changed by half or more, by at least", b.d.opt.MinCell, "incidents.")
	}
	fmt.Fprintln(w, "\n## Maps")
	for _, m := range maps {
		fmt.Fprintf(w, "\n![%s](%s)\n", m.Title, m.PNG)
	}
	fmt.Fprintf(w, "\n---\n\"suppressed\": a count from 1 to %d, or a figure that would let one be worked out from the totals; hatched on the maps. Figures depend on what the agencies reported and are preliminary.\n\n%s\n",
		b.d.opt.MinCell-1, b.d.attribution())
	return nil
}

func (b *bulletin) view(maps []bulletinMap) any {
	var notable []comparison
	for _, c := range b.provinces {
		if c.notable {
			c.Category = titles[c.Category]
			notable = append(notable, c)
		}
	}
	national := slices.Clone(b.national)
	for i := range national {
		national[i].Category = titles[national[i].Category]
	}
	return map[string]any{"Title": b.title(), "Month": b.month.Format("January 2006"),
		"Prev": b.month.AddDate(0, -1, 0).Format("January 2006"), "YearAgo": b.month.AddDate(-1, 0, 0).Format("January 2006"),
		"National": national, "Hot": strings.Join(b.hot, ", "), "HotRule": b.hotRule(), "Guard": guardRule, "Notable": notable, "Maps": maps,
		"MinCell": b.d.opt.MinCell, "Version": b.d.opt.Version, "Precision": b.d.precisionNote(), "Source": b.d.attribution()}
}

var bulletinHTML = template.Must(template.New("bulletin").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#1a1a1a}table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
svg{width:100%;height:auto}</style></head><body>
<h1>{{.Title}}</h1>
<p>Incidents recorded in {{.Month}}, against {{.Prev}} and {{.YearAgo}}.</p>
{{if .Precision}}<p>{{.Precision}}</p>
{{end}}<table><tr><th>category</th><th>this month</th><th>previous month</th><th>change</th><th>a year before</th><th>change</th></tr>
{{range .National}}<tr><td>{{.Category}}</td><td>{{.Now}}</td><td>{{.Before}}</td><td>{{.ChangeMonth}}</td><td>{{.YearAgo}}</td><td>{{.ChangeYear}}</td></tr>
{{end}}</table>
<h2>New and intensifying hot spots</h2><p>{{if .Hot}}{{.Hot}}{{else}}None over the last 12 months.{{end}}{{if .HotRule}} {{.HotRule}}{{end}} {{.Guard}}</p>
<h2>Notable changes by province</h2>
{{if .Notable}}<ul>{{range .Notable}}<li>{{.Place}}, {{.Category}}: {{.Now}} against {{.Before}} ({{.ChangeMonth}})</li>{{end}}</ul>{{else}}<p>No province changed by half or more, by at least {{.MinCell}} incidents.</p>{{end}}
<h2>Maps</h2>{{range .Maps}}<section><h3>{{.Title}}</h3>{{.SVG}}</section>{{end}}
<p><small>"suppressed": a count below {{.MinCell}}, or a figure that would let one be worked out from the totals; hatched on the maps. Preliminary.</small></p>
<p class="source"><small>{{.Source}}</small></p>
</body></html>
`))
