//go:build duckdb_arrow

// Package export writes the publishable national map from a database:
// choropleths (SVG and PNG), district values (CSV and GeoJSON), the district
// x month table (Parquet), a self-contained HTML report and a manifest, with
// small counts suppressed so that no published figure reveals them.
package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// ErrBoundaries is returned when the boundary file is not the database's.
var ErrBoundaries = errors.New("export: not the boundary file of the database")

// Options describe one export.
type Options struct {
	DB         string
	Out        string // directory, created if needed
	Boundaries *geo.Boundaries
	From, To   time.Time // first days of months; zero: the span of the data
	MinCell    int64     // counts from 1 to MinCell-1 are suppressed; 0 means 10
	Classes    string    // "quantile" or "jenks"
	K          int       // classes; 0 means 5
	Internal   bool      // no suppression; every file says INTERNAL
	// Events are context event types written to events.csv; Internal
	// exports only, as events are not disclosure-controlled.
	Events   []string
	Width    int     // map width in pixels; 0 means 1600
	LabelTop int     // name the N districts with the highest mapped values on every map; 0 none
	Simplify float64 // GeoJSON polygon tolerance in degrees
	// MaxPrecision counts only the incidents located at precision 1 to
	// MaxPrecision (1 exact point ... 4 province only); 0 or 4 counts all.
	MaxPrecision int
	// PublishSources are the source names a published (not Internal)
	// report may show; the others are counted, not named (PublicSources).
	PublishSources []string
	// Sub keeps some subcategories only (Subcategories names their
	// codes, for the files); Internal exports only, see cmd export.
	Sub           store.SubFilter
	Subcategories []string
	// NearBorderKm, above 0, keeps the districts within it of an official
	// crossing (districts.crossing_km); Internal exports only, see cmd
	// export.
	NearBorderKm float64
	Version      string
	// Flows resolves the origins and destinations of drug and human
	// trafficking for flows.csv, flows.geojson and the flow maps; nil
	// writes none. Crossings are marked on the flow maps.
	Flows     *flows.Resolver
	Crossings []render.Mark
	// keyFigures adds the previous period's national counts to the
	// release, for the report's key figures, and the report's records
	// per source and data-quality shares (Export, not Bulletin).
	keyFigures bool
	// provinceMonths are further months whose province x category table
	// (with national totals) the release prints: the bulletin's previous
	// month and the month a year before.
	provinceMonths []time.Time
}

// Report says what an export wrote.
type Report struct {
	Files      []string // relative to Out, sorted
	Period     analysis.Period
	Cells      int // district x category cells
	Suppressed int // of them, suppressed
	Totals     int // province and national totals suppressed
	// Unprotected counts the small counts that no further suppression could
	// protect. EarlierReleases of them are narrowed by the earlier releases
	// of the database alone; the others by this export's table itself,
	// alone or with earlier releases (a count of an earlier period whose
	// parts this export and an earlier one both print withheld, each known
	// to be at least 1).
	Unprotected     int
	EarlierReleases int
	// Overlapping are the earlier releases whose periods overlap this
	// export's and differ from it: what differs between two such periods
	// is often small, so the export suppresses more to keep it hidden.
	Overlapping []store.ReleaseInfo
	// Flows counts the origin -> destination flows of the period, and
	// FlowsWithheld those in no file: of fewer than MinCell incidents, and
	// FlowsLarger more.
	Flows, FlowsWithheld int
	// FlowsLarger are the withheld flows of MinCell incidents or more,
	// withheld so that a small one cannot be worked out.
	FlowsLarger int
	// QuantitiesWithheld counts the published flows whose victims or
	// kilograms are withheld (see addQuantity).
	QuantitiesWithheld int
}

// Categories of an export: the four, then all four together.
var categories = append(schemas.Categories(), analysis.AllCategories)

// titles name the categories on maps.
var titles = map[string]string{
	"terror_financing":  "Terror financing",
	"drug_trafficking":  "Drug trafficking",
	"human_trafficking": "Human trafficking and migrant smuggling",
	"cybercrime":        "Cybercrime",
	"all":               "Organized crime, four categories",
}

// data is what every output is made from.
type data struct {
	// unprotected counts the small counts Protect could not protect.
	unprotected int
	// unprotectedEarlier counts those of them that the earlier releases
	// alone already narrow (see narrowedBefore).
	unprotectedEarlier int
	opt                Options
	period             analysis.Period
	districts          []store.District
	results            map[string]*analysis.Result
	suppressed         map[string][]bool // by category, by district index
	dq                 dataQuality
	sup                disclosure.Result
	table              disclosure.Period     // the period table and its months
	release            *disclosure.Release   // nil for --internal
	eb                 map[string][]float64  // published EB rates per 100,000, by category and district
	earlier            []store.ReleaseRecord // the release register
	cells              []store.Cell
	all                []store.Cell // every incident's cells, whatever MaxPrecision
	// byScope holds all's counts by "district|category|month", in each
	// scope of scopes (see widenMonths).
	byScope map[string][]int64
	// sourceFigs are the release's figures of the report's records per
	// source, one per row (addSources).
	sourceFigs []int
	// qualityFigs are the release's figures of the report's data-quality
	// shares, as qualityNames (addQuality).
	qualityFigs []int
	m           *analysis.Map
	svg         map[string][]byte // each category's map, written by writeMaps
	pop         map[string][]store.PopulationYear
	meta        map[string]string
	runs        []runInfo
	prev        previous // the period before, for the report's key figures
	flows       flowData
}

// Export reads the database and writes every file into opt.Out.
func Export(ctx context.Context, opt Options) (*Report, error) {
	opt.keyFigures = true
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	st, err := store.OpenExport(ctx, opt.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	d, err := load(ctx, st, opt)
	if err != nil {
		return nil, err
	}
	w, err := stagedWriter(opt.Out)
	if err != nil {
		return nil, err
	}
	defer w.discard()
	for _, step := range []func(*writer, *data) error{writeMaps, writeFlows, writeTables, writeGeoJSON, writeReport} {
		if err := step(w, d); err != nil {
			return nil, err
		}
	}
	if err := writeParquet(ctx, st, w, d); err != nil {
		return nil, err
	}
	if err := writeEvents(ctx, st, w, d); err != nil {
		return nil, err
	}
	if err := writeManifest(w, d); err != nil {
		return nil, err
	}
	// The register is written last, once every file is: DuckDB opens a
	// database either read-only or for writing in one process.
	st.Close()
	if err := d.register(ctx, "export"); err != nil {
		return nil, err
	}
	if err := w.commit(); err != nil {
		return nil, err
	}
	rep := &Report{Files: w.names(), Period: d.period, Cells: len(d.districts) * len(schemas.Categories()), Unprotected: d.unprotected, EarlierReleases: d.unprotectedEarlier,
		Overlapping: overlapping(d.earlier, d.table.From, d.table.To)}
	for _, row := range d.sup.Suppressed {
		for _, s := range row {
			if s {
				rep.Suppressed++
			}
		}
	}
	rep.Totals = d.sup.MarginCount
	for _, cat := range flows.Categories {
		rep.Flows += len(d.flows.shown[cat]) + d.flows.withheld[cat]
		rep.FlowsWithheld += d.flows.withheld[cat]
		rep.FlowsLarger += d.flows.larger[cat]
		for _, f := range d.flows.shown[cat] {
			if f.Withheld {
				rep.QuantitiesWithheld++
			}
		}
	}
	return rep, nil
}

// withDefaults fills in the defaults of the zero fields and checks the rest.
func (opt Options) withDefaults() (Options, error) {
	if opt.MinCell <= 0 {
		opt.MinCell = 10
	}
	if opt.K <= 0 {
		opt.K = 5
	}
	if opt.Classes == "" {
		opt.Classes = "quantile"
	}
	if opt.Classes != "quantile" && opt.Classes != "jenks" {
		return opt, fmt.Errorf("export: classes %q: want quantile or jenks", opt.Classes)
	}
	if opt.MaxPrecision < 0 || opt.MaxPrecision > 4 {
		return opt, fmt.Errorf("export: max precision %d: want 1 to 4", opt.MaxPrecision)
	}
	if opt.MaxPrecision == 0 {
		opt.MaxPrecision = 4
	}
	if len(opt.Events) > 0 && !opt.Internal {
		return opt, fmt.Errorf("export: context events are kept internal: events need an internal export")
	}
	return opt, nil
}

// runInfo is one ingest run of the database, for the manifest.
type runInfo struct {
	RunID int64      `json:"run_id"`
	Files []fileInfo `json:"files"`
}

type fileInfo struct {
	// Path is empty in a published export: an agency file's name may name
	// a case or a person, which no scrub can find; its SHA-256 identifies it.
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256"`
	// Rows are the rows accepted: a number, or "suppressed" where the
	// release withholds it (see addQuality).
	Rows     any   `json:"rows_accepted"`
	Rejected int64 `json:"rows_rejected"`
	accepted int64 // Rows, as a number
	fig      int   // its figure in the release (addFiles)
}

func load(ctx context.Context, st *store.Store, opt Options) (*data, error) {
	d := &data{opt: opt, results: map[string]*analysis.Result{}, suppressed: map[string][]bool{}, meta: map[string]string{},
		svg: map[string][]byte{}}
	res, _, err := st.Query(ctx, `SELECT key, value FROM meta ORDER BY key`, 0)
	if err != nil {
		return nil, err
	}
	for _, row := range res.Rows {
		d.meta[row[0].Text] = row[1].Text
	}
	if opt.Boundaries == nil || d.meta["boundaries_sha256"] != opt.Boundaries.SHA256 {
		got := ""
		if opt.Boundaries != nil {
			got = opt.Boundaries.Path
		}
		return nil, fmt.Errorf("%w: %s was built with %s (sha256 %.12s…), not %s", ErrBoundaries, opt.DB,
			d.meta["boundaries"], d.meta["boundaries_sha256"], got)
	}
	if d.districts, err = st.Districts(ctx); err != nil {
		return nil, err
	}
	if opt.NearBorderKm > 0 {
		kept := d.districts[:0:0]
		for _, ds := range d.districts {
			if ds.CrossingKm <= opt.NearBorderKm { // false for NaN: no distance stored
				kept = append(kept, ds)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("export: no district of %s is within %g km of a crossing (a database made before the crossings has none: ocmap rebuild --db %s --boundaries FILE stores them)",
				opt.DB, opt.NearBorderKm, opt.DB)
		}
		d.districts = kept
	}
	nbrs, err := st.Neighbors(ctx)
	if err != nil {
		return nil, err
	}
	all, err := st.Cells(ctx, store.CellFilter{Sub: opt.Sub, NearBorderKm: opt.NearBorderKm})
	if err != nil {
		return nil, err
	}
	// Every figure, suppression included, counts the kept precisions; the
	// data quality paragraph still describes all incidents, so that the
	// report shows what the filter left out.
	d.cells = store.KeepPrecision(all, opt.MaxPrecision)
	d.all = all
	pop, err := st.PopulationByDistrict(ctx)
	if err != nil {
		return nil, err
	}
	d.period = analysis.Period{From: opt.From, To: opt.To}
	for _, c := range d.cells {
		if opt.From.IsZero() && (d.period.From.IsZero() || c.Month.Before(d.period.From)) {
			d.period.From = c.Month
		}
		if opt.To.IsZero() && c.Month.After(d.period.To) {
			d.period.To = c.Month
		}
	}
	if d.period.From.IsZero() || d.period.To.IsZero() || d.period.To.Before(d.period.From) {
		return nil, fmt.Errorf("export: %s has no incidents in the period", opt.DB)
	}
	if !opt.Internal {
		if d.earlier, err = st.ReleaseRecords(ctx); err != nil {
			return nil, err
		}
	}
	m := analysis.LoadMap(ctx, d.districts, nbrs)
	d.m, d.pop = m, pop
	// The counts; a published release's hot spots, clusters, trends and
	// EB rates follow from what it publishes (analyse, after suppress).
	for _, cat := range categories {
		d.results[cat] = analysis.Analyse(m, d.own(cat), pop, d.period, d.period.Before(), analysis.Options{CountsOnly: !opt.Internal})
	}
	d.loadPrevious()
	if err := d.loadFlows(ctx, st); err != nil {
		return nil, err
	}
	if d.dq, err = loadQuality(ctx, st, all, d.period, store.CellFilter{Sub: opt.Sub, NearBorderKm: opt.NearBorderKm}); err != nil {
		return nil, err
	}
	// The manifest's rows per file are figures of the release (addQuality).
	rows, _, err := st.Query(ctx, `SELECT run_id, source_file, sha256, rows_accepted, rows_rejected FROM ingest_files
		WHERE replaced_by IS NULL ORDER BY run_id, source_file`, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range rows.Rows {
		var id, acc, rej int64
		fmt.Sscan(r[0].Text, &id)
		fmt.Sscan(r[3].Text, &acc)
		fmt.Sscan(r[4].Text, &rej)
		if len(d.runs) == 0 || d.runs[len(d.runs)-1].RunID != id {
			d.runs = append(d.runs, runInfo{RunID: id})
		}
		last := &d.runs[len(d.runs)-1]
		f := fileInfo{SHA256: r[2].Text, Rows: acc, Rejected: rej, accepted: acc, fig: -1}
		if opt.Internal {
			f.Path = r[1].Text
		}
		last.Files = append(last.Files, f)
	}
	d.suppress()
	d.publishFlows()
	return d, nil
}

// suppress decides which district figures are published: the districts x
// categories table of incident counts, with district totals (all four),
// province totals and national totals, and its months (the Parquet),
// through package disclosure: rules 1 to 3 first, then the interval audit
// of everything the export writes, which withholds more until every
// withheld small count's range reaches MinCell on each side.
func (d *data) suppress() {
	cats := schemas.Categories()
	t := disclosure.Table{Cols: cats}
	for i, ds := range d.districts {
		t.Rows = append(t.Rows, ds.Code)
		t.Groups = append(t.Groups, ds.Province)
		row := make([]int64, len(cats))
		for j, c := range cats {
			row[j] = d.results[c].Districts[i].Incidents
		}
		t.Cells = append(t.Cells, row)
	}
	d.table = d.periodTable(t, d.cells)
	if d.opt.Internal {
		d.sup = disclosure.Result{Suppressed: make([][]bool, len(t.Rows)), RowTotalSuppressed: make([]bool, len(t.Rows))}
		for i := range d.sup.Suppressed {
			d.sup.Suppressed[i] = make([]bool, len(cats))
		}
	} else {
		d.sup = disclosure.Suppress(t, d.opt.MinCell)
		d.release = disclosure.NewRelease()
		d.release.SetScope(precisionScope(d.opt.MaxPrecision))
		d.release.AddPeriod(d.table, d.sup, d.opt.MinCell, true)
		d.widen(t)
		addEarlier(d.release, d.earlier)
		for _, m := range d.opt.provinceMonths {
			d.addProvinceMonth(m)
		}
		if d.opt.keyFigures {
			d.addPrevious()
		}
		d.addFlows()
		if d.opt.keyFigures {
			d.addSources()
			d.addQuality()
		}
		d.release.LinkRevisions(d.opt.MinCell)
		_, unprotected := d.release.Protect(d.opt.MinCell)
		d.unprotected = len(unprotected)
		d.unprotectedEarlier = d.narrowedBefore(unprotected)
		d.sup = d.final(t)
	}
	for j, c := range cats {
		s := make([]bool, len(d.districts))
		for i := range s {
			s[i] = d.sup.Suppressed[i][j]
		}
		d.suppressed[c] = s
	}
	d.suppressed[analysis.AllCategories] = slices.Clone(d.sup.RowTotalSuppressed)
	d.analyse()
	d.smooth()
}

// addEarlier adds the figures and relations of the earlier releases of
// the register to into.
func addEarlier(into *disclosure.Release, earlier []store.ReleaseRecord) {
	for _, rec := range earlier {
		idx := make([]int, len(rec.Figures))
		for n, f := range rec.Figures {
			if isKilograms(f.Key) {
				// The register keeps no protection level: a sensitive
				// magnitude of an earlier release is protected as one
				// seizure's would be, the most it can ask.
				var level int64
				if f.Small {
					level = disclosure.Dominance(float64(f.Value), float64(f.Value), 0, disclosure.PPercent)
				}
				idx[n] = into.AddMagnitude(f.Key, f.Value, f.Withheld, level, false)
				continue
			}
			idx[n] = into.Add(f.Key, f.Value, f.Withheld, f.Small, f.Floor, false)
			if f.Small && isVictims(f.Key) {
				// Victims may be sensitive by the p% rule too (see
				// addQuantity): as one incident's, at most.
				into.SetLevel(idx[n], disclosure.Dominance(float64(f.Value), float64(f.Value), 0, disclosure.PPercent))
			}
		}
		for _, rel := range rec.Relations {
			parts := make([]int, len(rel.Parts))
			for q, n := range rel.Parts {
				parts[q] = idx[n]
			}
			into.Relate("release", idx[rel.Total], parts)
		}
	}
}

// narrowedBefore counts the figures of unprotected (indices in d.release)
// that the earlier releases alone, without this one, already narrow: a
// count the earlier releases leave protected and this release narrows
// with them (its table's withheld figures, known to be at least 1, added
// to an earlier release's of the months left over) is this release's
// doing, not the register's.
func (d *data) narrowedBefore(unprotected []int) int {
	if len(unprotected) == 0 || len(d.earlier) == 0 {
		return 0
	}
	before := disclosure.NewRelease()
	addEarlier(before, d.earlier)
	type kv struct {
		key   string
		value int64
	}
	exposed := map[kv]bool{}
	for _, b := range before.Exposed(d.opt.MinCell) {
		exposed[kv{b.Key, b.Value}] = true
	}
	figs := d.release.Figures()
	n := 0
	for _, i := range unprotected {
		if exposed[kv{figs[i].Key, figs[i].Value}] {
			n++
		}
	}
	return n
}

// own returns the cells of cat, every cell for all four.
func (d *data) own(cat string) []store.Cell {
	if cat == analysis.AllCategories {
		return d.cells
	}
	var out []store.Cell
	for _, c := range d.cells {
		if c.Category == cat {
			out = append(out, c)
		}
	}
	return out
}

// analyse computes a published release's hot spots, clusters, emerging
// classes, trends and EB rates from the figures it publishes only
// (analysis.Options.Withheld, see withheld): a district whose count is
// withheld is left out, as one without population is, and one with a
// withheld month has no trend or emerging class, so that none of them
// depends on a withheld count (issue 13). An internal export's analysis,
// made by load, uses every count.
func (d *data) analyse() {
	if d.release == nil {
		return
	}
	for _, cat := range categories {
		d.results[cat] = analysis.Analyse(d.m, d.own(cat), d.pop, d.period, d.period.Before(),
			analysis.Options{Withheld: d.withheld(d.table, cat)})
	}
}

// withheld is the analysis.Options.Withheld of cat (or all four) over the
// months of p, whose rows are d.districts: a district's month is withheld
// unless this release or an earlier one of the database publishes it
// with its present count (each category's, for all four), and its count
// of the period unless this release publishes it or every month. nil for
// an internal release, which withholds nothing.
func (d *data) withheld(p disclosure.Period, cat string) func(i, t int) bool {
	if d.release == nil {
		return nil
	}
	month := func(i, t int) bool {
		for j, c := range p.Cols {
			if (cat == analysis.AllCategories || c == cat) && d.release.Suppressed(p.MonthKey(t, i, j), p.ByMonth[i][j][t]) {
				return true
			}
		}
		return false
	}
	return func(i, t int) bool {
		if t >= 0 {
			return month(i, t)
		}
		var total int64
		for j, c := range p.Cols {
			if cat == analysis.AllCategories || c == cat {
				total += p.Cells[i][j]
			}
		}
		if !d.release.Suppressed(p.Prefix()+p.Rows[i]+":"+cat, total) {
			return false
		}
		for t := range p.Months {
			if month(i, t) {
				return true
			}
		}
		return false
	}
}

// overlapping returns the releases of recs whose periods overlap from..to
// (months, "2024-01") and are not the same period.
func overlapping(recs []store.ReleaseRecord, from, to string) []store.ReleaseInfo {
	var out []store.ReleaseInfo
	for _, rec := range recs {
		in := rec.Info
		if in.From <= to && from <= in.To && (in.From != from || in.To != to) {
			out = append(out, in)
		}
	}
	return out
}

// register records what the release published in the database's release
// register, in one transaction (see store.RecordRelease); --internal
// releases are not registered.
func (d *data) register(ctx context.Context, kind string) error {
	if d.release == nil {
		return nil
	}
	rec := store.ReleaseRecord{Info: store.ReleaseInfo{Kind: kind, Created: time.Now().UTC(), From: d.table.From, To: d.table.To,
		MinCell: d.opt.MinCell, Version: d.opt.Version}}
	ord := map[int]int{}
	figs := d.release.Figures()
	for i, f := range figs {
		if f.Current {
			ord[i] = len(rec.Figures)
			rec.Figures = append(rec.Figures, store.ReleaseFigure{Key: f.Key, Value: f.Value, Withheld: f.Suppressed, Small: f.Primary, Floor: f.Floor})
		}
	}
	for _, rel := range d.release.Relations() {
		t, ok := ord[rel.Total]
		parts := make([]int, len(rel.Parts))
		for q, p := range rel.Parts {
			n, in := ord[p]
			ok = ok && in
			parts[q] = n
		}
		if ok {
			rec.Relations = append(rec.Relations, store.ReleaseRelation{Total: t, Parts: parts})
		}
	}
	var last int64
	if len(d.earlier) > 0 {
		last = d.earlier[len(d.earlier)-1].Info.ID
	}
	_, err := store.RecordRelease(ctx, d.opt.DB, rec, last)
	return err
}

// precisionScope names, in the release register's keys, the incidents a
// release with --max-precision max counts: "" for every incident.
func precisionScope(max int) string {
	if max <= 0 || max >= 4 {
		return ""
	}
	return fmt.Sprintf("prec<=%d|", max)
}

// widen links a release that counts only the incidents located at
// precision 1 to MaxPrecision to the same table counted with each wider
// precision up to every incident (disclosure.Release.Widen), so that an
// export of every incident and one of exact points only cannot be
// subtracted to show how many incidents of a district were located less
// exactly, nor two exports with different --max-precision.
func (d *data) widen(t disclosure.Table) {
	narrow, scope := d.table, precisionScope(d.opt.MaxPrecision)
	for n := d.opt.MaxPrecision + 1; scope != "" && n <= 4; n++ {
		cells := store.KeepPrecision(d.all, n)
		wt := t
		wt.Cells = make([][]int64, len(t.Rows))
		idx := map[string]int{}
		for i, code := range t.Rows {
			wt.Cells[i] = make([]int64, len(t.Cols))
			idx[code] = i
		}
		for _, c := range cells {
			i, ok := idx[c.District]
			j := slices.Index(t.Cols, c.Category)
			if ok && j >= 0 && !c.Month.Before(d.period.From) && !c.Month.After(d.period.To) {
				wt.Cells[i][j] += c.Incidents
			}
		}
		wide, wideScope := d.periodTable(wt, cells), precisionScope(n)
		d.release.Widen(narrow, scope, wide, wideScope, d.opt.MinCell)
		narrow, scope = wide, wideScope
	}
}

// scopes returns the release register's scopes of the incidents counted
// with --max-precision MaxPrecision and each wider one, up to every
// incident (""), and a function giving a cell's count in each; nil when
// the release counts every incident.
func (d *data) scopes() ([]string, func(store.Cell) []int64) {
	if precisionScope(d.opt.MaxPrecision) == "" {
		return nil, nil
	}
	var scopes []string
	for n := d.opt.MaxPrecision; n <= 4; n++ {
		scopes = append(scopes, precisionScope(n))
	}
	return scopes, func(c store.Cell) []int64 {
		out := make([]int64, len(scopes))
		for k := range scopes {
			out[k] = store.KeepPrecision([]store.Cell{c}, d.opt.MaxPrecision+k)[0].Incidents
		}
		return out
	}
}

// widenMonths links the figures key of district i's counts of cat,
// each the sum of months, to their counts in every wider scope
// (disclosure.Release.WidenFigure); nothing when the release counts every
// incident.
func (d *data) widenMonths(key, code, cat string, months []time.Time) {
	scopes, count := d.scopes()
	if scopes == nil {
		return
	}
	if d.byScope == nil {
		d.byScope = map[string][]int64{}
		for _, c := range d.all {
			k := c.District + "|" + c.Category + "|" + c.Month.Format("2006-01")
			if d.byScope[k] == nil {
				d.byScope[k] = make([]int64, len(scopes))
			}
			for n, v := range count(c) {
				d.byScope[k][n] += v
			}
		}
	}
	values := make([]int64, len(scopes))
	for _, m := range months {
		for n, v := range d.byScope[code+"|"+cat+"|"+m.Format("2006-01")] {
			values[n] += v
		}
	}
	d.release.WidenFigure(key, scopes, values, d.opt.MinCell)
}

// periodTable adds to t the months of the export's period, counted from
// cells.
func (d *data) periodTable(t disclosure.Table, cells []store.Cell) disclosure.Period {
	return monthsOf(t, cells, d.period)
}

// monthTable is the districts x categories table of period, with its
// months, counted from the release's cells.
func (d *data) monthTable(period analysis.Period) disclosure.Period {
	cats := schemas.Categories()
	t := disclosure.Table{Cols: cats}
	for _, ds := range d.districts {
		t.Rows = append(t.Rows, ds.Code)
		t.Groups = append(t.Groups, ds.Province)
		t.Cells = append(t.Cells, make([]int64, len(cats)))
	}
	p := monthsOf(t, d.cells, period)
	for i := range p.ByMonth {
		for j := range cats {
			for _, v := range p.ByMonth[i][j] {
				p.Cells[i][j] += v
			}
		}
	}
	return p
}

// monthsOf adds to t the months of period, counted from cells.
func monthsOf(t disclosure.Table, cells []store.Cell, period analysis.Period) disclosure.Period {
	p := disclosure.Period{Table: t, From: period.From.Format("2006-01"), To: period.To.Format("2006-01")}
	months := period.Months()
	mi := map[time.Time]int{}
	for k, m := range months {
		p.Months = append(p.Months, m.Format("2006-01"))
		mi[m] = k
	}
	ri := map[string]int{}
	for i, code := range t.Rows {
		ri[code] = i
	}
	p.ByMonth = make([][][]int64, len(t.Rows))
	for i := range p.ByMonth {
		p.ByMonth[i] = make([][]int64, len(t.Cols))
		for j := range t.Cols {
			p.ByMonth[i][j] = make([]int64, len(months))
		}
	}
	for _, c := range cells {
		i, ok := ri[c.District]
		k, in := mi[c.Month]
		j := slices.Index(t.Cols, c.Category)
		if ok && in && j >= 0 {
			p.ByMonth[i][j][k] += c.Incidents
		}
	}
	return p
}

// final reads back from the release which cells and margins of t are
// withheld.
func (d *data) final(t disclosure.Table) disclosure.Result {
	r := d.sup
	prefix := d.table.Prefix()
	groups := t.GroupNames()
	w := func(key string, v int64) bool { return d.release.Suppressed(prefix+key, v) }
	r.Count, r.MarginCount = 0, 0
	count := func(b bool, margin bool) bool {
		switch {
		case b && margin:
			r.MarginCount++
		case b:
			r.Count++
		}
		return b
	}
	gsum := make([][]int64, len(groups))
	for g := range gsum {
		gsum[g] = make([]int64, len(t.Cols)+1)
	}
	nsum := make([]int64, len(t.Cols)+1)
	gi := map[string]int{}
	for g, name := range groups {
		gi[name] = g
	}
	for i, code := range t.Rows {
		var tot int64
		for j, c := range t.Cols {
			v := t.Cells[i][j]
			r.Suppressed[i][j] = count(w(code+":"+c, v), false)
			tot += v
			gsum[gi[t.Groups[i]]][j] += v
			nsum[j] += v
		}
		r.RowTotalSuppressed[i] = count(w(code+":all", tot), true)
		gsum[gi[t.Groups[i]]][len(t.Cols)] += tot
		nsum[len(t.Cols)] += tot
	}
	for g, name := range groups {
		for j, c := range t.Cols {
			r.GroupSuppressed[g][j] = count(w("prov="+name+":"+c, gsum[g][j]), true)
		}
		r.GroupTotalSuppressed[g] = count(w("prov="+name+":all", gsum[g][len(t.Cols)]), true)
	}
	for j, c := range t.Cols {
		r.NationalSuppressed[j] = count(w("nation:"+c, nsum[j]), true)
	}
	r.NationalTotalSuppressed = count(w("nation:all", nsum[len(t.Cols)]), true)
	return r
}

// smooth sets the published EB rates, those of analyse: from the
// published counts only, with the prior (the mean and variance of the
// rates) of the published districts only, so that no EB rate carries
// anything of a withheld count (issue 13, finding 3), and hot spots and
// clusters are computed on them. Withheld counts get no EB rate.
func (d *data) smooth() {
	d.eb = map[string][]float64{}
	for _, cat := range categories {
		r := d.results[cat]
		eb := make([]float64, len(r.Districts))
		for i, x := range r.Districts {
			eb[i] = x.EBRate
			if d.suppressed[cat][i] {
				eb[i] = math.NaN()
			}
		}
		d.eb[cat] = eb
	}
}

// mapValue is what a map shows: the rate per 100,000 when the database has
// a population, the count otherwise; NaN for no data.
func (d *data) mapValue(cat string, i int) float64 {
	r := d.results[cat]
	if len(r.CensusYears) > 0 {
		return r.Districts[i].Rate
	}
	return float64(r.Districts[i].Incidents)
}

// label is the corner label of every map.
func (d *data) label() string {
	if d.opt.Internal {
		return "INTERNAL – NOT FOR PUBLICATION"
	}
	return "PRELIMINARY"
}

// precisionNote is the sentence maps and reports add when MaxPrecision
// leaves incidents out; "" otherwise.
func (d *data) precisionNote() string {
	var out []string
	if s := store.PrecisionScope(d.opt.MaxPrecision); s != "" {
		out = append(out, "Counted: "+s+".")
	}
	if len(d.opt.Subcategories) > 0 {
		out = append(out, "Only the subcategories "+strings.Join(d.opt.Subcategories, ", ")+".")
	}
	if d.opt.NearBorderKm > 0 {
		out = append(out, fmt.Sprintf("Only the districts within %g km of an official border crossing or port.", d.opt.NearBorderKm))
	}
	return strings.Join(out, " ")
}

// periodText names the period, "January 2023 – December 2024".
func (d *data) periodText() string { return periodName(d.period) }

func periodName(p analysis.Period) string {
	if p.From.Equal(p.To) {
		return p.From.Format("January 2006")
	}
	return p.From.Format("January 2006") + " – " + p.To.Format("January 2006")
}

// writer writes files into one directory and remembers them.
type writer struct {
	dir   string
	files map[string]string // name -> sha256
	out   string            // where commit moves them; "" when dir is the output
}

// stagedWriter returns a writer into a new hidden folder inside out, so
// that a release that fails or is interrupted before its register is
// written leaves no file in out: figures on disk that the register does
// not know could be published, and then subtracted from the next release's.
func stagedWriter(out string) (*writer, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	stage := partialDir(out)
	os.RemoveAll(stage) // left by a killed process of the same id
	if err := os.Mkdir(stage, 0o755); err != nil {
		return nil, err
	}
	return &writer{dir: stage, out: out}, nil
}

// partialDir is the folder inside out where this process stages an export
// or bulletin.
func partialDir(out string) string {
	return filepath.Join(out, fmt.Sprintf(".ocmap-partial-%d", os.Getpid()))
}

// RemovePartial removes what this process staged in out: a command ended
// before Export or Bulletin returned (by the watchdog) calls it.
func RemovePartial(out string) { os.RemoveAll(partialDir(out)) }

// commit moves the staged files into the output folder, once the release
// is registered.
func (w *writer) commit() error {
	for _, name := range w.names() {
		if err := os.Rename(filepath.Join(w.dir, name), filepath.Join(w.out, name)); err != nil {
			return err
		}
	}
	return nil
}

// discard removes the staging folder and whatever commit has not moved.
func (w *writer) discard() {
	if w.out != "" {
		os.RemoveAll(w.dir)
	}
}

func (w *writer) create(name string, fill func(io.Writer) error) error {
	path := filepath.Join(w.dir, name)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	h := sha256.New()
	if err := fill(io.MultiWriter(f, h)); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("export: %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if w.files == nil {
		w.files = map[string]string{}
	}
	w.files[name] = hex.EncodeToString(h.Sum(nil))
	return nil
}

func (w *writer) names() []string {
	out := make([]string, 0, len(w.files))
	for n := range w.files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// jsonNum is a float that JSON writes as null when it is not a number.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// links compares the categories over the export's period. A published
// export compares their published figures only: the EB rates smooth
// computed from published counts, or the counts where the database has no
// population, and the published counts for co-location, withheld ones left
// out; so that anyone can work out what the report prints from the
// published figures, and it tells nothing of a withheld count. An internal
// export compares every count.
func (d *data) links() []analysis.Link {
	if d.opt.Internal {
		links, _ := analysis.Links(d.m, d.cells, d.pop, d.period, analysis.Options{})
		return links
	}
	cats := schemas.Categories()
	fig, count := map[string][]float64{}, map[string][]float64{}
	for _, cat := range cats {
		r := d.results[cat]
		fig[cat], count[cat] = make([]float64, len(r.Districts)), make([]float64, len(r.Districts))
		for i, x := range r.Districts {
			fig[cat][i] = math.NaN()
			if d.suppressed[cat][i] {
				continue
			}
			count[cat][i] = float64(x.Incidents)
			fig[cat][i] = float64(x.Incidents)
			if r.Basis == "eb_rate" {
				fig[cat][i] = d.eb[cat][i]
			}
		}
	}
	var out []analysis.Link
	for i, a := range cats {
		for _, b := range cats[i+1:] {
			out = append(out, analysis.LinkOf(d.m, a, b, fig[a], fig[b], count[a], count[b]))
		}
	}
	return out
}
