package normalize

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/schemas"
)

// Source is a stream of records with a header already read, such as
// read.Source.
type Source interface {
	Rows
	Columns() []string
}

// origins is a Source of several files, such as read.ParquetSet: a
// rejected row names its file and its line there, while the stored rows
// keep the input's name and Line as their lineage.
type origins interface {
	Origin() (file string, line int64)
}

// textField is one target field compiled from a layout: the positions of its
// columns, resolved from the header once, and how to combine them.
type textField struct {
	set    bool
	cols   []int
	join   string
	value  string
	prefix string
	dflt   string
	m      map[string]string
}

func (f *textField) get(fields [][]byte) string {
	s := f.bare(fields)
	if s != "" && f.prefix != "" {
		s = f.prefix + s
	}
	return s
}

// placeholder reports whether the id that get gives says there is none
// (schemas.PlaceholderID): its value before the prefix does ("ANF-" and
// "N/A"), or one of the columns it joins does (a station's name and
// "N/A"; "Unknown" and a number that each station gives again).
func (f *textField) placeholder(fields [][]byte) bool {
	if schemas.PlaceholderID(f.bare(fields)) {
		return true
	}
	if f.value == "" && len(f.cols) > 1 {
		for _, c := range f.cols {
			if p := trimSpace(fields[c]); len(p) > 0 && schemas.PlaceholderID(string(p)) {
				return true
			}
		}
	}
	return false
}

// blankPart reports whether an id joined from several columns lacks one
// of them: a station's name alone ("PP-Saddar" when the FIR number is
// blank) would be the id of every such record of the station, one
// incident.
func (f *textField) blankPart(fields [][]byte) bool {
	if f.value != "" || len(f.cols) < 2 {
		return false
	}
	for _, c := range f.cols {
		if len(trimSpace(fields[c])) == 0 {
			return true
		}
	}
	return false
}

// bare is get without the prefix.
func (f *textField) bare(fields [][]byte) string {
	if !f.set {
		return ""
	}
	var s string
	switch {
	case f.value != "":
		s = f.value
	case len(f.cols) == 1:
		s = string(trimSpace(fields[f.cols[0]]))
	default:
		var parts []string
		for _, c := range f.cols {
			if p := trimSpace(fields[c]); len(p) > 0 {
				parts = append(parts, string(p))
			}
		}
		s = strings.Join(parts, f.join)
	}
	if f.m != nil {
		if v, ok := f.m[foldValue(s)]; ok {
			s = v
		}
	}
	if s == "" {
		s = f.dflt
	}
	return s
}

// foldValue folds case and runs of spaces, as layout maps compare values.
func foldValue(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ErrDuplicateColumn is returned when a column the layout reads appears more
// than once in the header: which one the layout means cannot be told.
var ErrDuplicateColumn = errors.New("normalize: a column of the layout appears twice in the header")

// compiler resolves a layout's columns against one file's header.
type compiler struct {
	l    *layout.Layout
	pos  map[string]int
	all  map[string][]int // every position of a name the header repeats
	cols []string
	file string
}

func newCompiler(src Source, l *layout.Layout, file string) *compiler {
	c := &compiler{l: l, pos: map[string]int{}, all: map[string][]int{}, cols: src.Columns(), file: file}
	for i, name := range c.cols {
		k := layout.Fold(name)
		if first, dup := c.pos[k]; dup {
			if len(c.all[k]) == 0 {
				c.all[k] = []int{first}
			}
			c.all[k] = append(c.all[k], i)
			continue
		}
		c.pos[k] = i
	}
	return c
}

// positions writes header positions, numbered from 1, as "4 and 12".
func positions(at []int) string {
	s := make([]string, len(at))
	for i, p := range at {
		s[i] = strconv.Itoa(p + 1)
	}
	if len(s) == 2 {
		return s[0] + " and " + s[1]
	}
	return strings.Join(s, ", ")
}

// splitBy returns the delimiter, other than the layout's, that splits a
// header read as one column into cells among which is col: a CSV saved by
// a spreadsheet set to a European locale is split by semicolons, and
// Excel's "Unicode text" by tabs. "" when there is none.
func (c *compiler) splitBy(col string) string {
	if len(c.cols) != 1 || c.l.Format != "" && c.l.Format != "csv" && c.l.Format != "tsv" {
		return ""
	}
	for _, sep := range []string{";", "\t", "|"} {
		if sep == c.l.Delimiter {
			continue
		}
		for _, cell := range strings.Split(c.cols[0], sep) {
			if layout.Fold(strings.Trim(cell, " \"\r")) == layout.Fold(col) {
				return sep
			}
		}
	}
	return ""
}

// delimiterFix says how to read a file split by sep: the canonical layout
// reads commas only; a layout of one's own can say the delimiter.
func (c *compiler) delimiterFix(sep string) string {
	if c.l.Name == layout.CanonicalName {
		return fmt.Sprintf("save the file as CSV with commas, or read it through a layout with delimiter: %q (ocmap help layouts)", sep)
	}
	if c.l.Source == "builtin" {
		return fmt.Sprintf("save the file with %s, or read it through a copy of the layout with delimiter: %q (ocmap layouts show %s > my-layout.yaml)",
			separatorName(c.l.Delimiter), sep, c.l.Name)
	}
	return fmt.Sprintf("add delimiter: %q to the layout, or save the file with %s", sep, separatorName(c.l.Delimiter))
}

// separatorName names a delimiter for a message.
func separatorName(sep string) string {
	if n, ok := delimiterNames[sep]; ok {
		return n
	}
	switch sep {
	case ",", "":
		return "commas"
	case "|":
		return "bars (|)"
	}
	return fmt.Sprintf("%q", sep)
}

func (c *compiler) compile(name string, dst *textField) error {
	f, ok := c.l.Fields[name]
	if !ok {
		return nil
	}
	*dst = textField{set: true, join: f.Join, value: f.Value, prefix: f.Prefix, dflt: f.Default}
	if dst.join == "" {
		dst.join = ", "
	}
	if len(f.Map) > 0 {
		dst.m = make(map[string]string, len(f.Map))
		for k, v := range f.Map {
			dst.m[foldValue(k)] = v
		}
	}
	cols := f.Columns
	if f.Column != "" {
		cols = []string{f.Column}
	}
	for _, col := range cols {
		i, ok := c.pos[layout.Fold(col)]
		if !ok {
			if sep := c.splitBy(col); sep != "" {
				return fmt.Errorf("%s: %w: layout %s reads column %q, and the header is one column: its columns are separated by %s, the layout's by %s: %s",
					c.file, ErrLayoutColumn, c.l.Name, col, separatorName(sep), separatorName(c.l.Delimiter), c.delimiterFix(sep))
			}
			return fmt.Errorf("%s: %w: layout %s reads column %q%s; the header is [%s]", c.file, ErrLayoutColumn, c.l.Name, col, layout.DidYouMean(col, c.cols), headerNames(c.cols))
		}
		if at := c.all[layout.Fold(col)]; len(at) > 1 {
			return fmt.Errorf("%s: %w: layout %s reads column %q, which is columns %s: rename one of them in the file so that the layout can name the one it means",
				c.file, ErrDuplicateColumn, c.l.Name, col, positions(at))
		}
		dst.cols = append(dst.cols, i)
	}
	return nil
}

// ErrNoHashKey is returned for a layout that keeps a personal column as a
// keyed hash when no key was given.
var ErrNoHashKey = errors.New("no hash key")

// hashedColumn is a personal column kept as a keyed hash.
type hashedColumn struct {
	col  int
	kind string
}

// personal returns the positions of the personal columns in the header, and
// those of them to keep as keyed hashes. Hashing needs a key (h), and a
// layout kind that stores the hashes (canHash).
func (c *compiler) personal(h *schemas.Hasher, canHash bool) ([]int, []hashedColumn, error) {
	var out []int
	var hashed []hashedColumn
	for _, p := range c.l.Personal {
		i, ok := c.pos[layout.Fold(p.Column)]
		if p.Action == "hash" {
			switch {
			case !canHash:
				return nil, nil, fmt.Errorf("layout %s: personal column %q: only incidents layouts keep hashes (use drop)", c.l.Name, p.Column)
			case h == nil:
				return nil, nil, fmt.Errorf("layout %s keeps personal column %q as a keyed hash: %w; "+
					"set OCMAP_HASH_KEY or pass --hash-key-file (a secret of 16 bytes or more, kept out of the database and the same for every ingest whose records should link)",
					c.l.Name, p.Column, ErrNoHashKey)
			case !ok:
				return nil, nil, fmt.Errorf("%s: %w: layout %s hashes column %q%s; the header is [%s]", c.file, ErrLayoutColumn, c.l.Name, p.Column, layout.DidYouMean(p.Column, c.cols), headerNames(c.cols))
			}
			hashed = append(hashed, hashedColumn{col: i, kind: p.Kind})
		}
		if ok {
			out = append(out, i)
		}
		// Every copy of a repeated personal column is personal.
		if at := c.all[layout.Fold(p.Column)]; len(at) > 1 {
			for _, j := range at[1:] {
				out = append(out, j)
				if p.Action == "hash" {
					hashed = append(hashed, hashedColumn{col: j, kind: p.Kind})
				}
			}
		}
	}
	return out, hashed, nil
}

// dateParser builds the parser of the date field name: its own formats, or
// the layout's.
func dateParser(l *layout.Layout, name string, dst *schemas.DateParser) error {
	f, ok := l.Fields[name]
	if !ok && name != "occurred_on" {
		return nil
	}
	formats := l.Dates.Formats
	if len(f.Formats) > 0 {
		formats = f.Formats
	}
	for _, s := range formats {
		df, err := schemas.ParseDateFormat(s)
		if err != nil {
			return fmt.Errorf("layout %s: %w", l.Name, err)
		}
		dst.Formats = append(dst.Formats, df)
	}
	dst.Pivot = l.Dates.Pivot
	if err := dst.Validate(); err != nil {
		return fmt.Errorf("layout %s: fields.%s: %w", l.Name, name, err)
	}
	return nil
}

// PointLocator is a Placer that also answers for a bare point, the district
// index or -1. The layout normalizers use it to correct swapped coordinates.
type PointLocator interface {
	Locate(lon, lat float64) int
}

// Notes on a row's location, stored in location_note.
const (
	NoteSwapped = schemas.NoteSwapped
	NoteByName  = schemas.NoteByName
)

// locate places a layout row (placeRow), or by locateApproximate when the
// layout says its points are approximate.
func (n *layoutBase) locate(lon, lat *float64, hasPoint bool, hint, province, place, text, points string, on int32) schemas.Placement {
	q := schemas.PlaceQuery{Lon: *lon, Lat: *lat, HasPoint: hasPoint, Hint: []byte(hint), Province: []byte(province),
		Place: []byte(place), Text: []byte(text), On: on}
	if hasPoint && points != layout.PointsExact {
		return n.locateApproximate(&q, points)
	}
	return placeRow(n.placer, &q, lon, lat)
}

// withNoPlace tells a row whose district_hint named no place (blank, see
// schemas.NoPlace; nil when it did not) what became of that: a rejected
// row says it in its reason, a row not placed by its point in its note.
func withNoPlace(pl schemas.Placement, blank []byte) schemas.Placement {
	if blank == nil {
		return pl
	}
	said := "district_hint " + show(blank) + " names no place"
	switch {
	case !pl.OK:
		pl.Reason += " (" + said + ")"
	case pl.Precision != schemas.PrecisionPoint:
		pl.Note = joinNote(said, pl.Note)
	}
	return pl
}

// placeRow places a row, canonical or read through a layout. A point outside
// every district whose exchanged coordinates land in one is corrected and
// noted (lat and lon are updated); a point outside every district that its
// district name places is noted. Otherwise it is Placer.Place.
func placeRow(placer Placer, q *schemas.PlaceQuery, lon, lat *float64) schemas.Placement {
	p := placer.Place(q)
	if !q.HasPoint || (p.OK && p.Precision == schemas.PrecisionPoint) {
		return p
	}
	if pl, can := placer.(PointLocator); can {
		if i := pl.Locate(*lat, *lon); i >= 0 {
			*lon, *lat = *lat, *lon
			return schemas.Placement{District: i, Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1,
				Note: NoteSwapped, OK: true}
		}
	}
	if p.OK && p.Note == "" {
		p.Note = NoteByName
	}
	return p
}

// pointMode is how good the row's point is: its point_precision field
// through the layout's map, else the layout's points.
func (n *layoutBase) pointMode(fields [][]byte) (string, schemas.RowError, bool) {
	v := n.pointPrec.get(fields)
	switch {
	case v == "":
		return n.l.Points, schemas.RowError{}, true
	case slices.Contains(layout.PointModes, v):
		return v, schemas.RowError{}, true
	}
	e, _ := n.fail("point_precision", fmt.Sprintf("%s is not a point precision the layout maps (to %s)", show([]byte(v)), strings.Join(layout.PointModes, ", ")))
	return "", e, false
}

// Notes of rows whose layout says their points are not exact.
const (
	NotePointsIgnored     = "the layout says its points are not to be used: placed by its names"
	NotePointsApproximate = "the layout says its points are approximate"
)

// locateApproximate places a row whose point the layout (or the row's
// point_precision) calls approximate or not to be used: by its names first
// (precision 3 for a district); an approximate point places a row whose
// names do not give a district, at precision 2 (near a named place).
func (n *layoutBase) locateApproximate(q *schemas.PlaceQuery, points string) schemas.Placement {
	byName := *q
	byName.HasPoint = false
	p := n.placer.Place(&byName)
	if points == layout.PointsIgnore {
		if p.OK {
			p.Note = joinNote(NotePointsIgnored, p.Note)
		}
		return p
	}
	if p.OK && p.District >= 0 {
		p.Note = joinNote(NotePointsApproximate+": placed by its names", p.Note)
		return p
	}
	pp := n.placer.Place(q)
	if pp.OK && pp.Precision == schemas.PrecisionPoint {
		pp.Precision = schemas.PrecisionNear
		pp.Note = joinNote(NotePointsApproximate+": placed near its point, its names giving no district", pp.Note)
		return pp
	}
	if p.OK {
		p.Note = joinNote(NotePointsApproximate, p.Note)
		return p
	}
	return pp
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// coord is coord with the layout's decimal mark: a layout that says
// decimal: comma reads "31,5204" as 31.5204; one that says nothing is
// told it can.
func (n *layoutBase) coord(s string, axis byte) (float64, bool, string) {
	if n.l.Decimal == layout.DecimalComma {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, ok, reason := coord(s, axis)
	if reason != "" && n.l.Decimal == "" && strings.HasPrefix(reason, schemas.DecimalCommaReason) {
		reason += " (or say decimal: comma in the layout)"
	}
	return v, ok, reason
}

// point reads a row's coordinates from the lat and lon fields: both, or
// neither.
func (n *layoutBase) point(fields [][]byte, latField, lonField *textField) (lat, lon float64, has bool, e schemas.RowError, ok bool) {
	lat, hasLat, reason := n.coord(latField.get(fields), 'y')
	if reason != "" {
		e, ok = n.fail(schemas.FieldLat, reason)
		return
	}
	lon, hasLon, reason := n.coord(lonField.get(fields), 'x')
	if reason != "" {
		e, ok = n.fail(schemas.FieldLon, reason)
		return
	}
	switch {
	case hasLat && !hasLon:
		e, ok = n.fail(schemas.FieldLon, "latitude given without longitude")
		return
	case hasLon && !hasLat:
		e, ok = n.fail(schemas.FieldLat, "longitude given without latitude")
		return
	}
	return lat, lon, hasLat, schemas.RowError{}, true
}

// noPlace is the one rule for a place field that names no place ("N/A",
// "n/a", "NA", "-", "unknown", "none", "nil", "not known", "نامعلوم":
// schemas.NoPlace), for the canonical reader and every layout alike, and
// for each of district_hint, province_hint and place: the field is
// cleared, so that it is neither stored, nor looked up, nor counted as a
// place at a point that rows share (three rows at one point saying "N/A",
// "unknown" and "-" do not name three places). It returns the value as
// written when it was cleared, else nil.
func noPlace[T string | []byte](v *T) []byte {
	if len(*v) == 0 || !schemas.NoPlace([]byte(*v)) {
		return nil
	}
	blank := []byte(*v)
	var none T
	*v = none
	return blank
}

// placeRow places a row (see locate) or fails it, showing the place name the
// district_hint field gave. Fields that name no place are cleared first
// (noPlace): a hint that names no place is no hint, and the row's note or
// reason says so.
func (n *layoutBase) placeRow(lon, lat *float64, hasPoint bool, hint, province, place *string, text, points string, date int32) (schemas.Placement, schemas.RowError, bool) {
	blank := noPlace(hint)
	noPlace(province)
	noPlace(place)
	pl := withNoPlace(n.locate(lon, lat, hasPoint, *hint, *province, *place, text, points, date), blank)
	if !pl.OK {
		if pl.Field == schemas.FieldDistrictHint && *hint != "" {
			pl.Reason += ": " + show([]byte(*hint))
		}
		e, _ := n.fail(pl.Field, pl.Reason)
		return pl, e, false
	}
	return pl, schemas.RowError{}, true
}

// layoutBase is what the layout-driven normalizers share: the source, the
// batch loop, the counts, and rejects whose raw text leaves personal
// columns out. Each normalizer embeds it and supplies row.
type layoutBase struct {
	src    Source
	placer Placer
	opt    Options
	// pointPrec is the point_precision field, if the layout maps one.
	pointPrec textField
	// narrative is the text the layout marks to be read for places.
	narrative textField
	l         *layout.Layout
	today     int32
	personal  []int // columns kept out of reject raw text
	hashed    []hashedColumn
	canHash   bool // the layout kind stores person_keys
	row       func() (schemas.RowError, bool)

	b   *array.RecordBuilder
	rej *schemas.RejectBuilder

	rec, rejRec arrow.RecordBatch
	err         error

	Read, Accepted, Rejected int64
	hashedIDs                int64
}

// init fills in the defaults and returns the compiler of src's header; the
// caller compiles its fields, then calls build.
func (n *layoutBase) init(src Source, placer Placer, l *layout.Layout, opt Options, row func() (schemas.RowError, bool)) *compiler {
	if opt.BatchRows <= 0 {
		opt.BatchRows = DefaultBatchRows
	}
	if opt.Today.IsZero() {
		opt.Today = time.Now()
	}
	n.src, n.placer, n.opt, n.l, n.row = src, placer, opt, l, row
	n.today = mustDays(opt.Today.Year(), int(opt.Today.Month()), opt.Today.Day())
	return newCompiler(src, l, opt.File)
}

// build resolves the personal columns and makes the builders, last, so a
// layout error leaves nothing to release.
func (n *layoutBase) build(mem memory.Allocator, c *compiler, schema *arrow.Schema) error {
	var err error
	if n.personal, n.hashed, err = c.personal(n.opt.Hasher, n.canHash); err != nil {
		return err
	}
	n.b = array.NewRecordBuilder(mem, schema)
	n.rej = schemas.NewRejectBuilder(mem, n.opt.RunID, n.opt.KeepRaw)
	return nil
}

// Release frees the builders. Batches already returned stay valid.
func (n *layoutBase) Release() {
	n.b.Release()
	n.rej.Release()
}

// Err returns the error that stopped the normalizer, if any.
func (n *layoutBase) Err() error { return n.err }

// Record returns the current batch of accepted rows; the caller releases it.
func (n *layoutBase) Record() arrow.RecordBatch { return n.rec }

// Rejects returns the current batch of rejected rows; the caller releases it.
func (n *layoutBase) Rejects() arrow.RecordBatch { return n.rejRec }

// Counts returns the rows read, accepted and rejected so far.
func (n *layoutBase) Counts() (read, accepted, rejected int64) {
	return n.Read, n.Accepted, n.Rejected
}

// HashedIDs is how many accepted rows had their incident id hashed.
func (n *layoutBase) HashedIDs() int64 { return n.hashedIDs }

// privateID is schemas.PrivateID of id under the run's key, counted when
// it is a hash of id.
func (n *layoutBase) privateID(id string) string {
	p := schemas.PrivateID(n.opt.IDs, id)
	if p != id {
		n.hashedIDs++
	}
	return p
}

// Next reads up to one batch of rows. It returns false when the input is
// exhausted and nothing was read, or on error.
func (n *layoutBase) Next() bool {
	n.rec, n.rejRec = nil, nil
	if n.err != nil {
		return false
	}
	got := 0
	for got < n.opt.BatchRows && n.src.Next() {
		got++
		n.Read++
		if e, ok := n.row(); !ok {
			n.Rejected++
			n.rej.Add(e, n.raw())
		} else {
			n.Accepted++
		}
	}
	if err := n.src.Err(); err != nil {
		n.err = fmt.Errorf("%s: %w", n.opt.File, err)
		return false
	}
	if got == 0 {
		return false
	}
	n.rec = n.b.NewRecordBatch()
	n.rejRec = n.rej.NewBatch()
	return true
}

func (n *layoutBase) fail(field, reason string) (schemas.RowError, bool) {
	if o, ok := n.src.(origins); ok {
		file, line := o.Origin()
		return schemas.RowError{File: file, Line: line, Field: field, Reason: reason}, false
	}
	return schemas.RowError{File: n.opt.File, Line: n.src.Line(), Field: field, Reason: reason}, false
}

// raw returns the text of the current record for the rejects table. When the
// layout declares personal columns the record is rewritten from the columns
// the layout reads, which leaves them out (a JSON record's keys beyond those
// are never read), or withheld when it could not be split.
func (n *layoutBase) raw() []byte {
	if !n.opt.KeepRaw {
		return n.src.Raw()
	}
	// The reject builder scrubs what is left (schemas.Scrub).
	if len(n.l.Personal) == 0 {
		return n.src.Raw()
	}
	fields := n.src.Fields()
	if n.src.Malformed() != "" || len(fields) == 0 {
		return []byte("(withheld: the layout declares personal columns and the record could not be split)")
	}
	comma := ","
	if n.l.Delimiter != "" {
		comma = n.l.Delimiter
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString(comma)
		}
		if isPersonal(n.personal, i) {
			continue
		}
		s := string(f)
		if strings.ContainsAny(s, comma+"\"\r\n") {
			s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		b.WriteString(s)
	}
	return []byte(b.String())
}

// personKeys returns the keyed hashes of the row's hashed personal columns,
// "kind=h:…" separated by spaces; blank values are left out.
func (n *layoutBase) personKeys(fields [][]byte) string {
	var b strings.Builder
	for _, h := range n.hashed {
		v := n.opt.Hasher.Hash(h.kind, string(fields[h.col]))
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h.kind)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

func isPersonal(cols []int, i int) bool {
	for _, c := range cols {
		if c == i {
			return true
		}
	}
	return false
}

// showDate is show for a date as written, without a time of day that
// follows it: "2023-02-30 00:00:00" has the digits of a phone number and
// would be withheld, "2023-02-30" is shown.
func showDate(s string) string {
	if d, reason := schemas.StripTime([]byte(s)); reason == "" && len(d) < len(strings.TrimSpace(s)) {
		return show(d) + " (its time of day left out)"
	}
	return show([]byte(s))
}
