package layout

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"

	"github.com/ocmap/ocmap/schemas"
)

// ErrInvalid wraps every validation error of a layout file.
var ErrInvalid = errors.New("layout: invalid")

// How good a layout's points are (Layout.Points, the point_precision field).
const (
	PointsExact       = "exact"
	PointsApproximate = "approximate"
	PointsIgnore      = "ignore"
)

// Decimal marks of Layout.Decimal.
const (
	DecimalPoint = "point"
	DecimalComma = "comma"
)

// PointModes lists the values of Layout.Points.
var PointModes = []string{PointsExact, PointsApproximate, PointsIgnore}

// Kinds of records a layout produces.
const (
	KindIncidents = "incidents" // one of the four categories
	KindContext   = "context"   // events beside them, e.g. terrorist attacks
)

// Layout describes one source's files.
type Layout struct {
	Name       string           `yaml:"name"`
	Title      string           `yaml:"title"`
	Agency     string           `yaml:"agency"`
	Kind       string           `yaml:"kind"`
	EventType  string           `yaml:"event_type"`
	Category   string           `yaml:"category"`
	Format     string           `yaml:"format"`
	Delimiter  string           `yaml:"delimiter"`
	Encoding   string           `yaml:"encoding"`
	Sheet      string           `yaml:"sheet"`
	HeaderRow  int              `yaml:"header_row"`
	FooterRows int              `yaml:"footer_rows"`
	Match      []string         `yaml:"match"`
	Dates      DateSpec         `yaml:"dates"`
	USDRate    float64          `yaml:"usd_rate"`
	Fields     map[string]Field `yaml:"fields"`
	// Points says how good the file's coordinates are: exact (the
	// default), approximate (district or town centroids: rows are placed
	// by their names first) or ignore (rows are placed by name only). A
	// point_precision field sets it per row.
	Points   string     `yaml:"points"`
	Personal []Personal `yaml:"personal"`
	// Decimal says how the file writes the decimal mark of quantities,
	// amounts and coordinates: point (1,250.5: the default) or comma
	// (1.250,5, as spreadsheets in European locales save, with semicolons
	// between the columns). Left out in a file separated by semicolons, a
	// number with a comma is refused rather than guessed: "1,250" is 1.25
	// with a decimal comma and 1250 with a thousands comma.
	Decimal string `yaml:"decimal"`

	// Source is where the layout came from: "builtin" or a path.
	Source string `yaml:"-"`
	file   string // a builtin layout's file name in data/layouts
}

// DateSpec lists date formats in order of preference.
type DateSpec struct {
	Formats []string `yaml:"formats"`
	Pivot   int      `yaml:"pivot"` // two-digit years below it are 20yy, others 19yy
}

// Field says where one target field's value comes from: one column, several
// columns joined, or a constant.
type Field struct {
	Column  string            `yaml:"column"`
	Columns []string          `yaml:"columns"`
	Join    string            `yaml:"join"`
	Value   string            `yaml:"value"`
	Prefix  string            `yaml:"prefix"`
	Map     map[string]string `yaml:"map"`     // source value (case and spaces folded) -> value
	Default string            `yaml:"default"` // when the source value is empty
	Unit    string            `yaml:"unit"`    // quantity: mg, g, kg, ton; amount_pkr: pkr, pkr_thousand, pkr_lakh, pkr_million, pkr_crore, usd
	Coord   string            `yaml:"coord"`   // lat/lon: decimal, dms or auto (default)
	Formats []string          `yaml:"formats"` // dates: overrides dates.formats
}

// Personal declares a column holding personal data: it is dropped, or kept
// only as a keyed hash to link records.
type Personal struct {
	Column string `yaml:"column"`
	Action string `yaml:"action"` // drop or hash
	Kind   string `yaml:"kind"`   // for hash: cnic, phone, email, name, text
}

// Targets are the fields a layout may fill, per kind. An incidents layout
// may also fill the four categories' own fields (schemas.Details).
var Targets = map[string][]string{
	KindIncidents: append([]string{"incident_id", "category", "subcategory", "occurred_on", "occurred_end", "reported_on",
		"lat", "lon", "point_precision", "place", "narrative", "district_hint", "province_hint", "source", "source_ref", "statute", "section",
		"quantity", "amount_pkr", "victims", "description"}, schemas.DetailNames()...),
	KindContext: {"incident_id", "event_type", "occurred_on", "occurred_end", "lat", "lon", "point_precision", "place", "narrative",
		"district_hint", "province_hint", "source", "source_ref", "killed", "injured", "description"},
}

var dateTargets = map[string]bool{"occurred_on": true, "occurred_end": true, "reported_on": true}

// encodings are the text encodings a layout may declare, as pipeline/read
// decodes them: windows-1256 for older Urdu files, utf-16 for Excel's
// "Unicode text".
var encodings = []string{"utf-8", "utf-8-bom", "windows-1252", "windows-1256", "utf-16", "utf-16le", "utf-16be"}

var (
	massUnits  = []string{"mg", "g", "kg", "ton"}
	moneyUnits = []string{"pkr", "pkr_thousand", "pkr_lakh", "pkr_million", "pkr_crore", "usd"}
	nameRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Load reads and validates the layout file at path.
func Load(path string) (*Layout, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte past the limit, so that Parse refuses a larger file
	// without reading it all.
	data, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, err
	}
	l, err := Parse(filepath.Base(path), data)
	if err != nil {
		return nil, err
	}
	l.Source = path
	return l, nil
}

// Parse reads and validates a layout; name is used in errors. It refuses
// a file over 256 KiB, nested deeper than 64 levels, or whose aliases
// expand to over 100,000 nodes, before decoding it.
func Parse(name string, data []byte) (*Layout, error) {
	if len(data) > maxBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes, the limit for a layout file (layouts are a few KiB)", ErrInvalid, name, maxBytes)
	}
	toks := lexer.Tokenize(string(data))
	if line := checkDepth(toks); line > 0 {
		return nil, fmt.Errorf("%w: %s:%d: nested deeper than %d levels, the limit for a layout", ErrInvalid, name, line, maxDepth)
	}
	file, err := parser.Parse(toks, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, name, yaml.FormatError(err, false, false))
	}
	if err := checkAliases(name, file); err != nil {
		return nil, err
	}
	var l Layout
	if err := decode(file, &l); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, name, yaml.FormatError(err, false, false))
	}
	v := &validator{name: name, file: file}
	l.defaults()
	v.check(&l)
	if len(v.errs) > 0 {
		if v.more > 0 {
			v.errs = append(v.errs, fmt.Sprintf("and %d more errors", v.more))
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.Join(v.errs, "\n  "))
	}
	return &l, nil
}

// decode decodes the first document of file into l. The decoder panics on
// some malformed input (a tag without a value), which is an error here.
func decode(file *ast.File, l *Layout) (err error) {
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML decoder failed (%v); check the tags (!) and anchors (&)", r)
		}
	}()
	return yaml.NodeToValue(file.Docs[0].Body, l, yaml.DisallowUnknownField())
}

func (l *Layout) defaults() {
	if l.Kind == "" {
		l.Kind = KindIncidents
	}
	if l.Format == "" {
		l.Format = "csv"
	}
	if l.Points == "" {
		l.Points = PointsExact
	}
	if l.Encoding == "" {
		l.Encoding = "utf-8"
	}
	if l.HeaderRow == 0 {
		l.HeaderRow = 1
	}
	if l.Delimiter == "" {
		l.Delimiter = ","
		if l.Format == "tsv" {
			l.Delimiter = "\t"
		}
	}
}

// Columns returns every source column the layout reads, sorted.
func (l *Layout) Columns() []string {
	seen := map[string]bool{}
	for _, f := range l.Fields {
		if f.Column != "" {
			seen[f.Column] = true
		}
		for _, c := range f.Columns {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// fieldNames returns the target fields in name order, so that validation
// reports the same errors in the same order every time.
func (l *Layout) fieldNames() []string {
	names := make([]string, 0, len(l.Fields))
	for n := range l.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type validator struct {
	name string
	file *ast.File
	errs []string
	more int // errors past maxErrors, counted but not described
}

// lineOf finds the line of a YAML path such as "$.fields.occurred_on".
func (v *validator) lineOf(path string) int {
	p, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(v.file)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// errorf records an error at the YAML key path (without "$.").
func (v *validator) errorf(key, format string, args ...any) {
	// Finding a line walks the whole file: report a few errors, count
	// the rest.
	if len(v.errs) >= maxErrors {
		v.more++
		return
	}
	path := "$"
	for _, part := range strings.Split(key, ".") {
		if part == "" {
			continue
		}
		if strings.ContainsAny(part, " -()#/") {
			path += "." + "'" + part + "'"
		} else {
			path += "." + part
		}
	}
	line := v.lineOf(path)
	for line == 0 && strings.Contains(path, ".") {
		path = path[:strings.LastIndex(path, ".")]
		line = v.lineOf(path)
	}
	loc := v.name
	if line > 0 {
		loc = fmt.Sprintf("%s:%d", v.name, line)
	}
	v.errs = append(v.errs, fmt.Sprintf("%s: %s: %s", loc, key, fmt.Sprintf(format, args...)))
}

func oneOf(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func (v *validator) check(l *Layout) {
	if !nameRE.MatchString(l.Name) {
		v.errorf("name", "%q: use lower-case letters, digits and dashes", l.Name)
	}
	if !oneOf(l.Kind, KindIncidents, KindContext) {
		v.errorf("kind", "%q: want incidents or context", l.Kind)
	}
	if !oneOf(l.Points, PointModes...) {
		v.errorf("points", "%q: want one of %s", l.Points, strings.Join(PointModes, ", "))
	}
	switch {
	case l.Kind == KindContext && l.EventType == "":
		v.errorf("event_type", "a context layout must say what its events are, e.g. suicide_attack")
	case l.Kind == KindIncidents && l.EventType != "":
		v.errorf("event_type", "only context layouts have an event type")
	}
	if l.Category != "" {
		if _, ok := schemas.ParseCategory(l.Category); !ok {
			v.errorf("category", "%q: want one of %s", l.Category, strings.Join(schemas.Categories(), ", "))
		}
		if l.Kind == KindContext {
			v.errorf("category", "context events are outside the four categories")
		}
	}
	if !oneOf(l.Format, "csv", "tsv", "jsonl", "json", "xlsx", "parquet") {
		v.errorf("format", "%q: want csv, tsv, jsonl, json, xlsx or parquet", l.Format)
	}
	if len(l.Delimiter) != 1 {
		v.errorf("delimiter", "%q: want one character", l.Delimiter)
	}
	if !oneOf(l.Decimal, "", DecimalPoint, DecimalComma) {
		v.errorf("decimal", "%q: want point or comma", l.Decimal)
	}
	if l.Sheet != "" && l.Format != "xlsx" {
		v.errorf("sheet", "only xlsx files have sheets")
	}
	if !oneOf(l.Encoding, encodings...) {
		v.errorf("encoding", "%q: want one of %s", l.Encoding, strings.Join(encodings, ", "))
	}
	if l.HeaderRow < 1 {
		v.errorf("header_row", "%d: rows count from 1", l.HeaderRow)
	}
	if l.FooterRows < 0 {
		v.errorf("footer_rows", "%d: must be 0 or more", l.FooterRows)
	}
	if l.USDRate < 0 {
		v.errorf("usd_rate", "must be positive")
	}
	v.checkDates("dates.formats", l.Dates.Formats, l.Dates.Pivot)
	v.checkFields(l)
	v.checkPersonal(l)
}

func (v *validator) checkDates(key string, formats []string, pivot int) {
	twoDigit := false
	var parsed []schemas.DateFormat
	for i, f := range formats {
		df, err := schemas.ParseDateFormat(f)
		if err != nil {
			v.errorf(fmt.Sprintf("%s.%d", key, i), "%v", err)
		}
		for _, e := range parsed {
			if schemas.SwapsDayAndMonth(e, df) {
				v.errorf(key, "%q and %q read the same text with day and month exchanged (05/01/2023: 5 January or 1 May), "+
					"so ocmap would guess; keep the one the source uses, and correct a file that mixes both before ingesting it", e, f)
			}
		}
		parsed = append(parsed, df)
		if strings.Contains(f, "yy") && !strings.Contains(f, "yyyy") {
			twoDigit = true
		}
	}
	if twoDigit && (pivot < 1 || pivot > 99) {
		v.errorf(key, "a two-digit year format needs dates.pivot (1-99): years below it are 20yy, the rest 19yy")
	}
}

func (v *validator) checkFields(l *Layout) {
	allowed := map[string]bool{}
	for _, t := range Targets[l.Kind] {
		allowed[t] = true
	}
	for _, name := range l.fieldNames() {
		f := l.Fields[name]
		key := "fields." + name
		if !allowed[name] {
			v.errorf(key, "not a field of %s layouts (fields: %s)", l.Kind, strings.Join(Targets[l.Kind], ", "))
			continue
		}
		sources := 0
		for _, set := range []bool{f.Column != "", len(f.Columns) > 0, f.Value != ""} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			v.errorf(key, "give exactly one of column, columns or value")
		}
		if f.Join != "" && len(f.Columns) == 0 {
			v.errorf(key+".join", "join goes with columns")
		}
		if len(f.Columns) == 1 {
			v.errorf(key+".columns", "one column: use column")
		}
		switch name {
		case "quantity":
			if f.Unit != "" && !oneOf(f.Unit, massUnits...) {
				v.errorf(key+".unit", "%q: want one of %s", f.Unit, strings.Join(massUnits, ", "))
			}
		case "amount_pkr":
			if f.Unit != "" && !oneOf(f.Unit, moneyUnits...) {
				v.errorf(key+".unit", "%q: want one of %s", f.Unit, strings.Join(moneyUnits, ", "))
			}
			if f.Unit == "usd" && l.USDRate == 0 {
				v.errorf(key+".unit", "usd amounts need usd_rate (PKR per USD)")
			}
		default:
			if f.Unit != "" {
				v.errorf(key+".unit", "only quantity and amount_pkr have units")
			}
		}
		if f.Coord != "" && (name != "lat" && name != "lon" || !oneOf(f.Coord, "decimal", "dms", "auto")) {
			v.errorf(key+".coord", "%q: coord is decimal, dms or auto, on lat and lon only", f.Coord)
		}
		if len(f.Formats) > 0 {
			if !dateTargets[name] {
				v.errorf(key+".formats", "only date fields have formats")
			}
			v.checkDates(key+".formats", f.Formats, l.Dates.Pivot)
		}
		if name == "point_precision" {
			// ACLED's geo_precision and UCDP's where_prec are codes: the map
			// says what each code means for ocmap.
			for from, to := range f.Map {
				if !oneOf(to, PointModes...) {
					v.errorf(key+".map."+from, "%q: want one of %s", to, strings.Join(PointModes, ", "))
				}
			}
			if f.Value != "" && !oneOf(f.Value, PointModes...) {
				v.errorf(key+".value", "%q: want one of %s", f.Value, strings.Join(PointModes, ", "))
			}
			if f.Default != "" && !oneOf(f.Default, PointModes...) {
				v.errorf(key+".default", "%q: want one of %s", f.Default, strings.Join(PointModes, ", "))
			}
		}
		if name == "category" && f.Map != nil {
			for from, to := range f.Map {
				if _, ok := schemas.ParseCategory(to); !ok {
					v.errorf(key+".map."+from, "%q is not a category", to)
				}
			}
		}
		v.checkDetail(l, name, f)
	}
	need := func(ok bool, what string) {
		if !ok {
			v.errorf("fields", "%s", what)
		}
	}
	_, hasDate := l.Fields["occurred_on"]
	need(hasDate, "occurred_on is required")
	_, hasLat := l.Fields["lat"]
	_, hasLon := l.Fields["lon"]
	_, hasHint := l.Fields["district_hint"]
	need(hasLat == hasLon, "lat and lon go together")
	_, hasText := l.Fields["narrative"]
	need(hasLat || hasHint || hasText, "a layout needs lat/lon, district_hint or narrative to place rows")
	if l.Kind == KindIncidents {
		_, hasCat := l.Fields["category"]
		_, hasStatute := l.Fields["statute"]
		_, hasSection := l.Fields["section"]
		switch {
		case hasCat && l.Category != "":
			need(false, "give the category once: category: at the top, or fields.category")
		case !hasCat && l.Category == "" && !hasStatute && !hasSection:
			need(false, "give the category: category: at the top, fields.category, or fields.statute and fields.section for the legal crosswalk to give it")
		}
	}
	if l.Format == "csv" || l.Format == "tsv" || l.Format == "xlsx" || l.Format == "parquet" {
		if len(l.Match) == 0 {
			v.errorf("match", "list the header columns that identify this source's files (for --layout auto)")
		}
	}
}

// checkDetail checks a category field: the layout's category must have it,
// and its map must give the field's codes.
func (v *validator) checkDetail(l *Layout, name string, f Field) {
	key := "fields." + name
	var owners []string
	var codes []string
	for _, cd := range schemas.Details {
		if d, ok := schemas.DetailOf(cd.Category, name); ok {
			owners = append(owners, cd.Category.String())
			codes = d.Codes
		}
	}
	if len(owners) == 0 {
		return
	}
	if l.Category != "" && !oneOf(l.Category, owners...) {
		v.errorf(key, "a field of %s records, but this layout's category is %s", strings.Join(owners, " and "), l.Category)
	}
	if codes == nil {
		return
	}
	for from, to := range f.Map {
		if !oneOf(to, codes...) {
			v.errorf(key+".map."+from, "%q: want one of %s", to, strings.Join(codes, ", "))
		}
	}
	if f.Value != "" && !oneOf(f.Value, codes...) {
		v.errorf(key+".value", "%q: want one of %s", f.Value, strings.Join(codes, ", "))
	}
}

func (v *validator) checkPersonal(l *Layout) {
	used := map[string]string{} // column -> the first field (by name) it feeds
	for _, name := range l.fieldNames() {
		f := l.Fields[name]
		for _, c := range append([]string{f.Column}, f.Columns...) {
			if _, seen := used[c]; c != "" && !seen {
				used[c] = name
			}
		}
	}
	for i, p := range l.Personal {
		key := fmt.Sprintf("personal.%d", i)
		if p.Column == "" {
			v.errorf(key, "column is required")
		}
		if !oneOf(p.Action, "drop", "hash") {
			v.errorf(key+".action", "%q: want drop or hash", p.Action)
		}
		if p.Action == "hash" && !oneOf(p.Kind, "cnic", "phone", "email", "name", "text") {
			v.errorf(key+".kind", "%q: want cnic, phone, email, name or text", p.Kind)
		}
		if f, ok := used[p.Column]; ok {
			v.errorf(key, "column %q is personal but also feeds fields.%s", p.Column, f)
		}
	}
}
