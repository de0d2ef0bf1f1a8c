package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/schemas"
)

// ErrHeader is returned when a file's header is not the canonical layout.
var ErrHeader = errors.New("normalize: header does not match the canonical layout")

// Rows is a source of raw records, such as read.Scanner.
type Rows interface {
	Next() bool
	Fields() [][]byte
	Raw() []byte
	Line() int64
	Malformed() string
	Err() error
}

// Placer decides which district a row belongs to. A normalizer calls it
// from one goroutine; each normalizer gets its own (see locate.Locator.Worker).
type Placer interface {
	// Place places a row by its point and place name. When the row cannot
	// be placed, OK is false and Field and Reason say why.
	Place(q *schemas.PlaceQuery) schemas.Placement
	// District returns the code, name and province of district i.
	District(i int) (code, name, province string)
}

// Options configure a Normalizer.
type Options struct {
	File      string // recorded as source_file
	RunID     int64
	KeepRaw   bool // keep raw text of rejected rows
	BatchRows int  // rows per batch; 0 means DefaultBatchRows
	Today     time.Time
	Header    *Header // the file's header, when read already; nil reads it from the rows
	// Hasher keys the hashes of personal columns that a layout keeps for
	// linking (personal: action: hash); nil refuses such layouts.
	Hasher *schemas.Hasher
	// IDs keys the hashes of incident ids that hold personal data
	// (schemas.PrivateID); nil uses a key made for the process. Ingest
	// gives the database's key (store.Run.IDs).
	IDs *schemas.Hasher
}

// DefaultBatchRows balances per-batch overhead in DuckDB against memory.
const DefaultBatchRows = 1 << 17

// firstBatchRows bounds a Normalizer's first batch.
const firstBatchRows = 4096

// Normalizer reads rows and yields batches. Counts always satisfy
// read = accepted + rejected.
type Normalizer struct {
	rows   Rows
	placer Placer
	opt    Options
	col    [schemas.NumCanonical]int // input position of each canonical column
	nCols  int
	q      schemas.PlaceQuery // reused: Place takes it by pointer, so it does not escape per row
	today  int32

	b   coreBatch
	rej *schemas.RejectBuilder

	rec, rejRec arrow.RecordBatch
	err         error
	header      bool

	Read, Accepted, Rejected int64
	// HashedIDs is how many accepted rows had their incident id stored as
	// a keyed hash (schemas.PrivateID).
	HashedIDs int64
}

// New returns a Normalizer over rows. The first row must be the header. mem
// holds the rejects; accepted batches live in Go memory (see coreBatch).
func New(mem memory.Allocator, rows Rows, placer Placer, opt Options) *Normalizer {
	if opt.BatchRows <= 0 {
		opt.BatchRows = DefaultBatchRows
	}
	if opt.Today.IsZero() {
		opt.Today = time.Now()
	}
	return &Normalizer{
		rows:   rows,
		placer: placer,
		opt:    opt,
		today:  mustDays(opt.Today.Year(), int(opt.Today.Month()), opt.Today.Day()),
		rej:    schemas.NewRejectBuilder(mem, opt.RunID, opt.KeepRaw),
	}
}

// Release frees the builders. Batches already returned stay valid.
func (n *Normalizer) Release() {
	n.rej.Release()
}

// Err returns the error that stopped the Normalizer, if any.
func (n *Normalizer) Err() error { return n.err }

// Record returns the current batch of accepted rows; the caller releases it.
func (n *Normalizer) Record() arrow.RecordBatch { return n.rec }

// Rejects returns the current batch of rejected rows; the caller releases it.
func (n *Normalizer) Rejects() arrow.RecordBatch { return n.rejRec }

// Header maps the canonical columns to their positions in an input file.
type Header struct {
	col   [schemas.NumCanonical]int
	nCols int
	names []string
}

// Names returns the file's column names, in file order.
func (h *Header) Names() []string { return h.names }

// ReadHeader reads the header record of file from rows.
func ReadHeader(rows Rows, file string) (*Header, error) {
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return nil, fmt.Errorf("%s: the file is empty (no header)", file)
	}
	h := &Header{}
	for i := range h.col {
		h.col[i] = -1
	}
	fields := rows.Fields()
	if rows.Malformed() != "" {
		return nil, fmt.Errorf("%s:%d: %w: %s", file, rows.Line(), ErrHeader, rows.Malformed())
	}
	if bytes.IndexByte(rows.Raw(), '\r') >= 0 && schemas.CROnly(rows.Raw()) {
		return nil, fmt.Errorf("%s:%d: %w: %s", file, rows.Line(), ErrHeader, schemas.CROnlyReason)
	}
	var unknown []string
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(string(f)))
		h.names = append(h.names, name)
		j := indexOf(schemas.CanonicalColumns, name)
		switch {
		case j < 0:
			unknown = append(unknown, name)
		case h.col[j] >= 0:
			return nil, fmt.Errorf("%s:%d: %w: column %q appears twice", file, rows.Line(), ErrHeader, name)
		default:
			h.col[j] = i
		}
	}
	var missing []string
	for j, pos := range h.col {
		if pos < 0 {
			missing = append(missing, schemas.CanonicalColumns[j])
		}
	}
	if len(missing) == len(schemas.CanonicalColumns) {
		if sep := otherDelimiter(rows.Raw()); sep != "" {
			return nil, fmt.Errorf("%s:%d: %w: its columns are separated by %s, the canonical layout's by commas: "+
				"save the file as CSV with commas, or read it through a layout with delimiter: %q (ocmap help layouts)",
				file, rows.Line(), ErrHeader, delimiterNames[sep], sep)
		}
		// Not a header at all, most likely a row of data: its values are
		// not repeated here, as they may be personal.
		return nil, fmt.Errorf("%s:%d: %w: the line has none of the canonical columns; is the header row missing? (want %s)",
			file, rows.Line(), ErrHeader, strings.Join(schemas.CanonicalColumns, ","))
	}
	if n := nameless(unknown); n > 0 {
		return nil, fmt.Errorf("%s:%d: %w: %d columns have no name (empty header cells, as a spreadsheet writes for columns once used): "+
			"delete those columns and save the file again (want %s)", file, rows.Line(), ErrHeader, n, strings.Join(schemas.CanonicalColumns, ","))
	}
	if len(missing) > 0 || len(unknown) > 0 {
		msg := ""
		if len(missing) > 0 {
			msg += "missing " + strings.Join(missing, ", ")
		}
		if len(unknown) > 0 {
			if msg != "" {
				msg += "; "
			}
			msg += "unknown " + headerNames(unknown)
		}
		return nil, fmt.Errorf("%s:%d: %w: %s (want %s)", file, rows.Line(), ErrHeader, msg,
			strings.Join(schemas.CanonicalColumns, ","))
	}
	h.nCols = len(fields)
	return h, nil
}

// delimiterNames names the delimiters otherDelimiter looks for.
var delimiterNames = map[string]string{";": "semicolons (;)", "\t": "tabs"}

// otherDelimiter returns ";" or "\t" when a header line with none of the
// canonical columns holds two or more of them split on it: a file saved
// with another delimiter, as Excel does in locales with a decimal comma.
func otherDelimiter(raw []byte) string {
	for _, sep := range []string{";", "\t"} {
		n := 0
		for _, f := range strings.Split(string(raw), sep) {
			if indexOf(schemas.CanonicalColumns, strings.ToLower(strings.Trim(f, " \"\r"))) >= 0 {
				n++
			}
		}
		if n >= 2 {
			return sep
		}
	}
	return ""
}

// nameless counts the empty names among a header's unknown columns.
func nameless(unknown []string) int {
	n := 0
	for _, u := range unknown {
		if u == "" {
			n++
		}
	}
	return n
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// Next reads up to one batch of rows. It returns false when the input is
// exhausted and nothing was read, or on error.
func (n *Normalizer) Next() bool {
	n.rec, n.rejRec = nil, nil
	if n.err != nil {
		return false
	}
	if !n.header {
		n.header = true
		h := n.opt.Header
		if h == nil {
			var err error
			if h, err = ReadHeader(n.rows, n.opt.File); err != nil {
				n.err = err
				return false
			}
		}
		n.col, n.nCols = h.col, h.nCols
	}
	// The first batch is small: a file may have ten rows, and the bytes
	// per row of a first batch size the buffers of the full ones after it.
	limit := n.opt.BatchRows
	if n.Read == 0 {
		limit = min(limit, firstBatchRows)
	}
	n.b.reset(limit)
	got, accepted := 0, 0
	for got < limit && n.rows.Next() {
		got++
		n.Read++
		if e, ok := n.row(); !ok {
			n.Rejected++
			n.rej.Add(e, n.rows.Raw())
		} else {
			accepted++
		}
	}
	n.Accepted += int64(accepted)
	if err := n.rows.Err(); err != nil {
		n.err = fmt.Errorf("%s: %w", n.opt.File, err)
		return false
	}
	if got == 0 {
		return false
	}
	n.rec = n.b.record()
	n.rejRec = n.rej.NewBatch()
	return true
}

func (n *Normalizer) fail(field, reason string) (schemas.RowError, bool) {
	return schemas.RowError{File: n.opt.File, Line: n.rows.Line(), Field: field, Reason: reason}, false
}

// row validates the current row and appends it to the batch.
func (n *Normalizer) row() (schemas.RowError, bool) {
	if m := n.rows.Malformed(); m != "" {
		return n.fail(schemas.RecordField, m)
	}
	raw := n.rows.Raw()
	if !utf8.Valid(raw) {
		return n.fail(schemas.RecordField, "text is not valid UTF-8 (save the file as UTF-8)")
	}
	fields := schemas.TrimTrailingEmpty(n.rows.Fields(), n.nCols)
	if len(fields) != n.nCols {
		return n.fail(schemas.RecordField, fmt.Sprintf("has %d fields, the header has %d", len(fields), n.nCols))
	}
	get := func(c int) []byte { return trimSpace(fields[n.col[c]]) }

	id := get(schemas.ColIncidentID)
	if len(id) == 0 {
		return n.fail(schemas.FieldIncidentID, "missing incident id")
	}
	if schemas.PlaceholderID(unsafeString(id)) {
		return n.fail(schemas.FieldIncidentID, placeholderID(id))
	}
	if tag := schemas.TagID(unsafeString(id)); tag != "" {
		return n.fail(schemas.FieldIncidentID, tagID(tag))
	}
	cat := get(schemas.ColCategory)
	category, ok := schemas.ParseCategory(unsafeString(cat))
	if !ok {
		return n.fail(schemas.FieldCategory, fmt.Sprintf("unknown category %s; expected one of %s%s",
			show(cat), strings.Join(schemas.Categories(), ", "), schemas.CategoryHint(string(cat))))
	}
	date, reason := n.parseDate(get(schemas.ColOccurredOn))
	if reason != "" {
		return n.fail(schemas.FieldOccurredOn, reason)
	}
	lat, hasLat, reason := parseCoord(get(schemas.ColLat), 'y')
	if reason != "" {
		return n.fail(schemas.FieldLat, reason)
	}
	lon, hasLon, reason := parseCoord(get(schemas.ColLon), 'x')
	if reason != "" {
		return n.fail(schemas.FieldLon, reason)
	}
	// A value out of range is named before a missing partner: a phone
	// number in lat with lon empty is lat's fault.
	switch {
	case hasLat && (lat < -90 || lat > 90):
		return n.fail(schemas.FieldLat, "latitude "+show(get(schemas.ColLat))+" is outside -90..90")
	case hasLon && (lon < -180 || lon > 180):
		return n.fail(schemas.FieldLon, "longitude "+show(get(schemas.ColLon))+" is outside -180..180")
	case hasLat && !hasLon:
		return n.fail(schemas.FieldLon, "latitude given without longitude")
	case hasLon && !hasLat:
		return n.fail(schemas.FieldLat, "longitude given without latitude")
	}
	qty, hasQty, reason := parseMeasure(get(schemas.ColQuantity), "negative quantity")
	if reason != "" {
		return n.fail(schemas.FieldQuantity, reason)
	}
	if hasQty && category == schemas.HumanTrafficking && qty != math.Trunc(qty) {
		return n.fail(schemas.FieldQuantity, "quantity "+show(get(schemas.ColQuantity))+
			" is not a whole number: for human_trafficking it counts victims")
	}
	amt, hasAmt, reason := parseMeasure(get(schemas.ColAmountPKR), "negative amount")
	if reason != "" {
		return n.fail(schemas.FieldAmountPKR, reason)
	}
	hint := get(schemas.ColDistrictHint)
	blank := noPlace(&hint) // a hint that names no place ("N/A") is no hint
	n.q = schemas.PlaceQuery{Lon: lon, Lat: lat, HasPoint: hasLat, Hint: hint, On: date}
	pl := withNoPlace(placeRow(n.placer, &n.q, &lon, &lat), blank)
	if !pl.OK {
		if pl.Field == schemas.FieldDistrictHint {
			pl.Reason += ": " + show(hint)
		}
		return n.fail(pl.Field, pl.Reason)
	}

	b, i := &n.b, n.b.rows
	if s := unsafeString(id); schemas.HoldsPII(s) {
		if p := schemas.PrivateID(n.opt.IDs, s); p != s {
			id = []byte(p)
			n.HashedIDs++
		}
	}
	b.incidentID.add(i, id)
	b.category.add(i, cat)
	b.subcategory.addOpt(i, schemas.Scrub(unsafeString(get(schemas.ColSubcategory))))
	b.occurredOn.add(i, date)
	b.lat.addOpt(i, lat, hasLat)
	b.lon.addOpt(i, lon, hasLon)
	b.districtHint.addOpt(i, schemas.Scrub(unsafeString(hint)))
	b.source.addOpt(i, schemas.Scrub(unsafeString(get(schemas.ColSource))))
	b.qty.addOpt(i, qty, hasQty)
	b.amt.addOpt(i, amt, hasAmt)
	b.description.addOpt(i, schemas.Scrub(unsafeString(get(schemas.ColDescription))))
	b.sourceFile.addString(i, n.opt.File)
	b.sourceLine.add(i, n.rows.Line())
	b.runID.add(i, n.opt.RunID)
	code, name, province := "", "", pl.Province
	if pl.District >= 0 {
		code, name, province = n.placer.District(pl.District)
	}
	b.districtCode.addOpt(i, code)
	b.districtName.addOpt(i, name)
	b.province.addOpt(i, province)
	b.precision.add(i, pl.Precision)
	b.matchMethod.addString(i, pl.Method)
	b.matchScore.add(i, pl.Score)
	b.locationNote.addOpt(i, schemas.Scrub(pl.Note))
	b.rows++
	return schemas.RowError{}, true
}

// appendPlacement appends a row's district columns of [Incidents],
// district_code through location_note.
func appendPlacement(b *array.RecordBuilder, placer Placer, pl *schemas.Placement) {
	str := func(i int, s string) { appendOptString(b, i, s) }
	code, name, province := "", "", pl.Province
	if pl.District >= 0 {
		code, name, province = placer.District(pl.District)
	}
	str(schemas.IDistrictCode, code)
	str(schemas.IDistrictName, name)
	str(schemas.IProvince, province)
	b.Field(schemas.ILocationPrecision).(*array.Int8Builder).Append(pl.Precision)
	b.Field(schemas.IMatchMethod).(*array.StringBuilder).Append(pl.Method)
	b.Field(schemas.IMatchScore).(*array.Float32Builder).Append(pl.Score)
	str(schemas.ILocationNote, schemas.Scrub(pl.Note))
}

func appendString(b *array.RecordBuilder, i int, s string) {
	b.Field(i).(*array.StringBuilder).Append(s)
}

// appendOptString appends s, or null when it is empty.
func appendOptString(b *array.RecordBuilder, i int, s string) {
	if s == "" {
		b.Field(i).AppendNull()
		return
	}
	b.Field(i).(*array.StringBuilder).Append(s)
}

func appendOptFloat(b *array.RecordBuilder, i int, v float64, ok bool) {
	if !ok {
		b.Field(i).AppendNull()
		return
	}
	b.Field(i).(*array.Float64Builder).Append(v)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// unsafeString views b as a string without copying; the result must not
// outlive b's next modification, so it is only passed to pure functions.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseCoord parses an optional coordinate of the canonical layout: a
// decimal number, else any notation that layouts read by default
// (schemas.ParseCoord: "31.5204N", "31°31'13\"N", "30 10 47 N"); these
// say one value and only one, so refusing them would only cost rows. A
// text that is neither keeps the number's reason, and says when its
// hemisphere letter belongs to the other axis (swapped columns).
func parseCoord(b []byte, axis byte) (float64, bool, string) {
	v, ok, reason := parseNumber(b)
	if reason == "" {
		return v, ok, ""
	}
	c, why := schemas.ParseCoord(b, axis)
	if why == "" {
		return c, true, ""
	}
	if strings.Contains(why, "hemisphere") {
		reason += " (" + why + ")"
	}
	return 0, false, coordReason(reason, b)
}

// coordReason adds to why a coordinate is not a number what to do when it
// is written with a decimal comma.
func coordReason(reason string, b []byte) string {
	if schemas.DecimalComma(b) {
		return reason + " (" + schemas.DecimalCommaReason + ")"
	}
	return reason
}

// parseMeasure parses an optional quantity or amount: a number, not
// negative (negative is the reason then), at most schemas.MaxMeasure.
func parseMeasure(b []byte, negative string) (v float64, ok bool, reason string) {
	v, ok, reason = parseNumber(b)
	switch {
	case reason != "":
		// Not in parseNumber: a coordinate's "31,520" is a decimal comma.
		reason += separatorsHint(schemas.FoldNumber(b))
	case !ok:
	case v < 0:
		reason = negative
	default:
		reason = schemas.CanonicalMeasureProblem(v, b)
	}
	return v, ok, reason
}

// parseNumber parses an optional decimal number. An empty field is absent,
// not zero.
func parseNumber(b []byte) (v float64, ok bool, reason string) {
	if len(b) == 0 {
		return 0, false, ""
	}
	shown := b
	b = schemas.FoldNumber(b) // Urdu and Arabic-Indic digits
	if v, ok := parseDecimal(b); ok {
		return v, true, ""
	}
	v, err := strconv.ParseFloat(unsafeString(b), 64)
	// ParseFloat also takes hex floats ("0x1Fp0"), which no agency writes.
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || bytes.IndexAny(b, "xX") >= 0 {
		if groupedNumber.Match(b) && schemas.LooksPersonal(bytes.ReplaceAll(b, []byte(","), nil)) {
			// "3,520,212,345,671" is a CNIC with commas put in: withheld,
			// and no advice to write it without them.
			return 0, false, "not a number: " + show(bytes.ReplaceAll(b, []byte(","), nil))
		}
		return 0, false, "not a number: " + show(shown)
	}
	return v, true, ""
}

// groupedNumber is a number with thousands separators: groups of three
// (1,250,000) or the Indian grouping, twos then a three (12,50,000).
var groupedNumber = regexp.MustCompile(`^[+-]?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})+,\d{3})(\.\d+)?$`)

// separatorsHint tells how to write a number with thousands separators
// ("1,250,000", "12,50,000" in the Indian grouping) in a canonical file,
// which reads none: without them.
func separatorsHint(b []byte) string {
	if !groupedNumber.Match(b) || schemas.LooksPersonal(b) {
		return "" // "2,5" may be a decimal comma: no advice
	}
	plain := bytes.ReplaceAll(b, []byte(","), nil)
	if schemas.LooksPersonal(plain) {
		return "" // a CNIC or phone number with commas put in
	}
	return " (write it without thousands separators: " + string(plain) + ")"
}

// pow10 holds the powers of ten that a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal is the fast path of parseNumber for what files hold almost
// always: an optional sign, digits and at most one '.', with at most 15
// significant digits. Then the digits as an integer and the power of ten
// are both exact in a float64, and one division rounds correctly, so the
// result is the one strconv.ParseFloat gives. It says false for anything
// else, which parseNumber hands to strconv.
func parseDecimal(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	i, neg := 0, false
	switch b[0] {
	case '-':
		i, neg = 1, true
	case '+':
		i = 1
	}
	var mant uint64
	nd, frac, dot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			if nd == 0 && c == '0' {
				if dot {
					frac++
				}
				continue // leading zeros count for nothing
			}
			if nd++; nd > 15 {
				return 0, false
			}
			mant = mant*10 + uint64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	// At least one digit: "", "-" and "." are not numbers.
	if nd == 0 && !hasDigit(b) || frac >= len(pow10) {
		return 0, false
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// parseDate parses YYYY-MM-DD into days since 1970-01-01.
func (n *Normalizer) parseDate(b []byte) (int32, string) {
	if len(b) == 0 {
		return 0, "missing date"
	}
	text := b
	b = schemas.FoldNumber(b) // "٢٠٢٣-٠١-٠٥"
	if len(b) != 10 {
		// A date cell saved with its time: "2023-01-05 00:00:00".
		var reason string
		if b, reason = schemas.StripTime(b); reason != "" {
			return 0, reason + ": " + show(text)
		}
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		if len(b) == 5 && digitsOnly(b) {
			return 0, "not a date in YYYY-MM-DD form: " + show(text) + " (an Excel day number? format the column as a date, yyyy-mm-dd, before saving)"
		}
		return 0, "not a date in YYYY-MM-DD form: " + show(text)
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, "not a date in YYYY-MM-DD form: " + show(b)
	}
	days, ok := schemas.CivilDays(y, m, d)
	if !ok {
		return 0, "no such date: " + show(b)
	}
	if why := schemas.DayProblem(days, n.today); why != "" {
		return 0, why + ": " + show(b)
	}
	return days, ""
}

func digitsOnly(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func mustDays(y, m, d int) int32 {
	days, _ := schemas.CivilDays(y, m, d)
	return days
}

// placeholderID is the reason a row is refused whose incident id says
// there is none (schemas.PlaceholderID).
func placeholderID(id []byte) string {
	return fmt.Sprintf("incident id %s says there is none; give each record its own id (the agency's case, FIR or report number)", show(id))
}

// tagID is the reason a row is refused whose incident id holds a tag
// of schemas.Scrub (schemas.TagID).
func tagID(tag string) string {
	return fmt.Sprintf("incident id holds %s, which ocmap writes in place of a personal number: every record given it would be one incident; "+
		"give each record the agency's own case, FIR or report number (an id that is the number itself is kept as a keyed hash)", tag)
}

// show quotes a field value for a reject reason. Values that look like
// personal data (long digit runs such as CNIC or phone numbers, e-mail
// addresses) are withheld so they never reach logs or messages.
func show(b []byte) string {
	if schemas.LooksPersonal(b) {
		return schemas.WithheldValue
	}
	const limit = 40
	s := string(b)
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return strconv.Quote(s)
}

// maxHeaderNames bounds the names an error message lists.
const maxHeaderNames = 20

// headerNames lists header names for an error message. A header that is
// really a row of data holds personal values, so a name is shown only when
// it looks like a column name: no run of five or more digits, no '@', no
// control character, at most 40 bytes. Others are "(withheld)".
func headerNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == maxHeaderNames {
			fmt.Fprintf(&b, " and %d more", len(names)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if schemas.HeaderLike(n) {
			b.WriteString(strconv.Quote(n))
		} else {
			b.WriteString("(withheld)")
		}
	}
	return b.String()
}
