package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/schemas"
)

// ErrLayoutColumn is returned when a file lacks a column its layout reads.
var ErrLayoutColumn = errors.New("normalize: a column of the layout is not in the header")

// Source is a stream of records with a header already read, such as
// read.Source.
type Source interface {
	Rows
	Columns() []string
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
	if s != "" && f.prefix != "" {
		s = f.prefix + s
	}
	return s
}

// foldValue folds case and runs of spaces, as layout maps compare values.
func foldValue(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ContextNormalizer reads the rows of a context layout (events beside the
// four categories, such as attacks) and yields batches shaped by
// schemas.Context. Counts always satisfy read = accepted + rejected.
type ContextNormalizer struct {
	src    Source
	placer Placer
	opt    Options
	l      *layout.Layout
	dates  schemas.DateParser
	today  int32
	min    int32

	id, eventType, date, lat, lon, place, hint, provHint, source, desc, killed, injured textField
	personal                                                                            []int // columns kept out of reject raw text

	b   *array.RecordBuilder
	rej *schemas.RejectBuilder

	rec, rejRec arrow.RecordBatch
	err         error

	Read, Accepted, Rejected int64
}

// NewContext returns a normalizer of src, a file in the context layout l.
// Every column the layout reads must be in src's header; the error names the
// file, the column and the header.
func NewContext(mem memory.Allocator, src Source, placer Placer, l *layout.Layout, opt Options) (*ContextNormalizer, error) {
	if l.Kind != layout.KindContext {
		return nil, fmt.Errorf("normalize: layout %s is a %s layout, not a context layout", l.Name, l.Kind)
	}
	if opt.BatchRows <= 0 {
		opt.BatchRows = DefaultBatchRows
	}
	if opt.Today.IsZero() {
		opt.Today = time.Now()
	}
	n := &ContextNormalizer{
		src: src, placer: placer, opt: opt, l: l,
		today: mustDays(opt.Today.Year(), int(opt.Today.Month()), opt.Today.Day()),
		min:   mustDays(1900, 1, 1),
	}
	pos := map[string]int{}
	for i, c := range src.Columns() {
		if _, dup := pos[layout.Fold(c)]; !dup {
			pos[layout.Fold(c)] = i
		}
	}
	col := func(c string) (int, error) {
		i, ok := pos[layout.Fold(c)]
		if !ok {
			return 0, fmt.Errorf("%s: %w: layout %s reads column %q; the header is %q", opt.File, ErrLayoutColumn, l.Name, c, src.Columns())
		}
		return i, nil
	}
	compile := func(name string, dst *textField) error {
		f, ok := l.Fields[name]
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
		for _, c := range cols {
			i, err := col(c)
			if err != nil {
				return err
			}
			dst.cols = append(dst.cols, i)
		}
		return nil
	}
	for _, c := range []struct {
		name string
		dst  *textField
	}{
		{"incident_id", &n.id}, {"event_type", &n.eventType}, {"occurred_on", &n.date}, {"lat", &n.lat}, {"lon", &n.lon},
		{"place", &n.place}, {"district_hint", &n.hint}, {"province_hint", &n.provHint}, {"source", &n.source},
		{"description", &n.desc}, {"killed", &n.killed}, {"injured", &n.injured},
	} {
		if err := compile(c.name, c.dst); err != nil {
			return nil, err
		}
	}
	if !n.eventType.set {
		n.eventType = textField{set: true, value: l.EventType}
	}
	formats := l.Dates.Formats
	if f := l.Fields["occurred_on"].Formats; len(f) > 0 {
		formats = f
	}
	for _, s := range formats {
		f, err := schemas.ParseDateFormat(s)
		if err != nil {
			return nil, fmt.Errorf("layout %s: %w", l.Name, err)
		}
		n.dates.Formats = append(n.dates.Formats, f)
	}
	n.dates.Pivot = l.Dates.Pivot
	if err := n.dates.Validate(); err != nil {
		return nil, fmt.Errorf("layout %s: %w", l.Name, err)
	}
	for _, p := range l.Personal {
		if p.Action != "drop" {
			return nil, fmt.Errorf("layout %s: personal column %q: action %s is not supported yet (use drop)", l.Name, p.Column, p.Action)
		}
		if i, ok := pos[layout.Fold(p.Column)]; ok {
			n.personal = append(n.personal, i)
		}
	}
	n.b = array.NewRecordBuilder(mem, schemas.Context)
	n.rej = schemas.NewRejectBuilder(mem, opt.RunID, opt.KeepRaw)
	return n, nil
}

// Release frees the builders. Batches already returned stay valid.
func (n *ContextNormalizer) Release() {
	n.b.Release()
	n.rej.Release()
}

// Err returns the error that stopped the normalizer, if any.
func (n *ContextNormalizer) Err() error { return n.err }

// Record returns the current batch of accepted rows; the caller releases it.
func (n *ContextNormalizer) Record() arrow.RecordBatch { return n.rec }

// Rejects returns the current batch of rejected rows; the caller releases it.
func (n *ContextNormalizer) Rejects() arrow.RecordBatch { return n.rejRec }

// Next reads up to one batch of rows. It returns false when the input is
// exhausted and nothing was read, or on error.
func (n *ContextNormalizer) Next() bool {
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

// raw returns the text of the current record for the rejects table. When the
// layout declares personal columns, those cells are left out: the record is
// rewritten from its fields, or withheld when it could not be split.
func (n *ContextNormalizer) raw() []byte {
	if len(n.personal) == 0 || !n.opt.KeepRaw {
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

func isPersonal(cols []int, i int) bool {
	for _, c := range cols {
		if c == i {
			return true
		}
	}
	return false
}

func (n *ContextNormalizer) fail(field, reason string) (schemas.RowError, bool) {
	return schemas.RowError{File: n.opt.File, Line: n.src.Line(), Field: field, Reason: reason}, false
}

// row validates the current row and appends it to the batch.
func (n *ContextNormalizer) row() (schemas.RowError, bool) {
	if m := n.src.Malformed(); m != "" {
		return n.fail(schemas.RecordField, m)
	}
	fields := n.src.Fields()
	id := n.id.get(fields)
	if id == "" {
		return n.fail(schemas.FieldIncidentID, "missing incident id")
	}
	dateText := n.date.get(fields)
	date, prec, reason := n.dates.Parse([]byte(dateText))
	switch {
	case reason != "":
		if dateText == "" {
			return n.fail(schemas.FieldOccurredOn, "missing date")
		}
		return n.fail(schemas.FieldOccurredOn, reason+": "+show([]byte(dateText)))
	case date > n.today:
		return n.fail(schemas.FieldOccurredOn, "date is in the future: "+show([]byte(dateText)))
	case date < n.min:
		return n.fail(schemas.FieldOccurredOn, "date is before 1900: "+show([]byte(dateText)))
	}
	lat, hasLat, reason := coord(n.lat.get(fields), 'y')
	if reason != "" {
		return n.fail(schemas.FieldLat, reason)
	}
	lon, hasLon, reason := coord(n.lon.get(fields), 'x')
	if reason != "" {
		return n.fail(schemas.FieldLon, reason)
	}
	switch {
	case hasLat && !hasLon:
		return n.fail(schemas.FieldLon, "latitude given without longitude")
	case hasLon && !hasLat:
		return n.fail(schemas.FieldLat, "longitude given without latitude")
	}
	killed, hasKilled, reason := count(n.killed.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldKilled, reason)
	}
	injured, hasInjured, reason := count(n.injured.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldInjured, reason)
	}
	hint := n.hint.get(fields)
	district, precision, field, reason, ok := n.placer.Place(lon, lat, hasLat, []byte(hint))
	if !ok {
		if field == schemas.FieldDistrictHint && hint != "" {
			reason += ": " + show([]byte(hint))
		}
		return n.fail(field, reason)
	}

	b := n.b
	str := func(i int, s string) { b.Field(i).(*array.StringBuilder).Append(s) }
	opt := func(i int, s string) {
		if s == "" {
			b.Field(i).AppendNull()
			return
		}
		str(i, s)
	}
	str(schemas.CIncidentID, id)
	str(schemas.CEventType, n.eventType.get(fields))
	b.Field(schemas.COccurredOn).(*array.Date32Builder).Append(arrow.Date32(date))
	b.Field(schemas.CDatePrecision).(*array.Int8Builder).Append(int8(prec))
	appendOptFloat(b, schemas.CLat, lat, hasLat)
	appendOptFloat(b, schemas.CLon, lon, hasLon)
	opt(schemas.CPlace, schemas.Scrub(n.place.get(fields)))
	opt(schemas.CDistrictHint, hint)
	opt(schemas.CProvinceHint, n.provHint.get(fields))
	opt(schemas.CSource, n.source.get(fields))
	opt(schemas.CDescription, schemas.Scrub(n.desc.get(fields)))
	appendOptInt32(b, schemas.CKilled, killed, hasKilled)
	appendOptInt32(b, schemas.CInjured, injured, hasInjured)
	str(schemas.CSourceFile, n.opt.File)
	b.Field(schemas.CSourceLine).(*array.Int64Builder).Append(n.src.Line())
	b.Field(schemas.CRunID).(*array.Int64Builder).Append(n.opt.RunID)
	str(schemas.CLayout, n.l.Name)
	code, name, province := n.placer.District(district)
	str(schemas.CDistrictCode, code)
	str(schemas.CDistrictName, name)
	opt(schemas.CProvince, province)
	b.Field(schemas.CLocationPrecision).(*array.Int8Builder).Append(precision)
	return schemas.RowError{}, true
}

// coord parses an optional coordinate; empty is absent, not zero.
func coord(s string, axis byte) (float64, bool, string) {
	if s == "" {
		return 0, false, ""
	}
	v, reason := schemas.ParseCoord([]byte(s), axis)
	if reason != "" {
		return 0, false, reason + ": " + show([]byte(s))
	}
	return v, true, ""
}

// count parses an optional count of people; empty is unknown, not zero.
func count(s string) (int32, bool, string) {
	if s == "" {
		return 0, false, ""
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil || v < 0 {
		return 0, false, "not a whole number of people: " + show([]byte(s))
	}
	return int32(v), true, ""
}

func appendOptInt32(b *array.RecordBuilder, i int, v int32, ok bool) {
	if !ok {
		b.Field(i).AppendNull()
		return
	}
	b.Field(i).(*array.Int32Builder).Append(v)
}

// Counts returns the rows read, accepted and rejected so far.
func (n *ContextNormalizer) Counts() (read, accepted, rejected int64) {
	return n.Read, n.Accepted, n.Rejected
}
