package normalize

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/schemas"
)

// IncidentNormalizer reads the rows of an incidents layout (one agency's
// file of the four categories) and yields batches shaped by
// schemas.Incidents. Counts always satisfy read = accepted + rejected.
type IncidentNormalizer struct {
	src    Source
	placer Placer
	cw     *schemas.Crosswalk
	opt    Options
	l      *layout.Layout
	today  int32
	min    int32

	dates, reported, ended schemas.DateParser
	qtyUnit, moneyUnit     *schemas.Unit

	id, category, subcategory, date, reportedOn, occurredEnd, lat, lon, place, hint, provHint,
	source, sourceRef, statute, section, quantity, amount, victims, desc textField
	personal []int // columns kept out of reject raw text

	b   *array.RecordBuilder
	rej *schemas.RejectBuilder

	rec, rejRec arrow.RecordBatch
	err         error

	Read, Accepted, Rejected int64
}

// NewIncidents returns a normalizer of src, a file in the incidents layout
// l. cw, the legal crosswalk, turns statute sections into ICCS codes and,
// when the layout names no category, into the category; it may be nil when
// the layout has no statute field. Every column the layout reads must be in
// src's header.
func NewIncidents(mem memory.Allocator, src Source, placer Placer, l *layout.Layout, cw *schemas.Crosswalk, opt Options) (*IncidentNormalizer, error) {
	if l.Kind != layout.KindIncidents {
		return nil, fmt.Errorf("normalize: layout %s is a %s layout, not an incidents layout", l.Name, l.Kind)
	}
	if _, ok := l.Fields["statute"]; ok && cw == nil {
		return nil, fmt.Errorf("normalize: layout %s reads statute sections but no legal crosswalk was given", l.Name)
	}
	if opt.BatchRows <= 0 {
		opt.BatchRows = DefaultBatchRows
	}
	if opt.Today.IsZero() {
		opt.Today = time.Now()
	}
	n := &IncidentNormalizer{
		src: src, placer: placer, cw: cw, opt: opt, l: l,
		today: mustDays(opt.Today.Year(), int(opt.Today.Month()), opt.Today.Day()),
		min:   mustDays(1900, 1, 1),
	}
	c, err := newCompiler(src, l, opt.File)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *textField
	}{
		{"incident_id", &n.id}, {"category", &n.category}, {"subcategory", &n.subcategory},
		{"occurred_on", &n.date}, {"reported_on", &n.reportedOn}, {"occurred_end", &n.occurredEnd},
		{"lat", &n.lat}, {"lon", &n.lon}, {"place", &n.place}, {"district_hint", &n.hint},
		{"province_hint", &n.provHint}, {"source", &n.source}, {"source_ref", &n.sourceRef},
		{"statute", &n.statute}, {"section", &n.section}, {"quantity", &n.quantity},
		{"amount_pkr", &n.amount}, {"victims", &n.victims}, {"description", &n.desc},
	} {
		if err := c.compile(f.name, f.dst); err != nil {
			return nil, err
		}
	}
	if !n.category.set && l.Category != "" {
		n.category = textField{set: true, value: l.Category}
	}
	for _, d := range []struct {
		name string
		dst  *schemas.DateParser
	}{{"occurred_on", &n.dates}, {"reported_on", &n.reported}, {"occurred_end", &n.ended}} {
		if err := dateParser(l, d.name, d.dst); err != nil {
			return nil, err
		}
	}
	if f, ok := l.Fields["quantity"]; ok && f.Unit != "" {
		u, err := schemas.MassUnit(f.Unit)
		if err != nil {
			return nil, fmt.Errorf("layout %s: fields.quantity: %w", l.Name, err)
		}
		n.qtyUnit = &u
	}
	if f, ok := l.Fields["amount_pkr"]; ok {
		unit := f.Unit
		if unit == "" {
			unit = "pkr"
		}
		u, err := schemas.MoneyUnit(unit, l.USDRate)
		if err != nil {
			return nil, fmt.Errorf("layout %s: fields.amount_pkr: %w", l.Name, err)
		}
		n.moneyUnit = &u
	}
	if n.personal, err = c.personal(); err != nil {
		return nil, err
	}
	n.b = array.NewRecordBuilder(mem, schemas.Incidents)
	n.rej = schemas.NewRejectBuilder(mem, opt.RunID, opt.KeepRaw)
	return n, nil
}

// compiler resolves a layout's columns against one file's header.
type compiler struct {
	l    *layout.Layout
	pos  map[string]int
	cols []string
	file string
}

func newCompiler(src Source, l *layout.Layout, file string) (*compiler, error) {
	c := &compiler{l: l, pos: map[string]int{}, cols: src.Columns(), file: file}
	for i, name := range c.cols {
		if _, dup := c.pos[layout.Fold(name)]; !dup {
			c.pos[layout.Fold(name)] = i
		}
	}
	return c, nil
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
			return fmt.Errorf("%s: %w: layout %s reads column %q; the header is %q", c.file, ErrLayoutColumn, c.l.Name, col, c.cols)
		}
		dst.cols = append(dst.cols, i)
	}
	return nil
}

// personal returns the positions of the personal columns in the header; a
// hash action is refused until keyed hashing exists.
func (c *compiler) personal() ([]int, error) {
	var out []int
	for _, p := range c.l.Personal {
		if p.Action != "drop" {
			return nil, fmt.Errorf("layout %s: personal column %q: action %s is not supported yet (use drop)", c.l.Name, p.Column, p.Action)
		}
		if i, ok := c.pos[layout.Fold(p.Column)]; ok {
			out = append(out, i)
		}
	}
	return out, nil
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

// Release frees the builders. Batches already returned stay valid.
func (n *IncidentNormalizer) Release() {
	n.b.Release()
	n.rej.Release()
}

// Err returns the error that stopped the normalizer, if any.
func (n *IncidentNormalizer) Err() error { return n.err }

// Record returns the current batch of accepted rows; the caller releases it.
func (n *IncidentNormalizer) Record() arrow.RecordBatch { return n.rec }

// Rejects returns the current batch of rejected rows; the caller releases it.
func (n *IncidentNormalizer) Rejects() arrow.RecordBatch { return n.rejRec }

// Next reads up to one batch of rows. It returns false when the input is
// exhausted and nothing was read, or on error.
func (n *IncidentNormalizer) Next() bool {
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

// raw returns the text of the current record for the rejects table, with
// personal data in free text scrubbed. When the layout declares personal
// columns the record is rewritten from the columns the layout reads, which
// leaves them out (a JSON record's keys beyond those are never read), or
// withheld when it could not be split.
func (n *IncidentNormalizer) raw() []byte {
	if !n.opt.KeepRaw {
		return n.src.Raw()
	}
	if len(n.l.Personal) == 0 {
		return []byte(schemas.Scrub(string(n.src.Raw())))
	}
	fields := n.src.Fields()
	if n.src.Malformed() != "" || len(fields) == 0 {
		return []byte("(withheld: the layout declares personal columns and the record could not be split)")
	}
	comma := ","
	if n.l.Delimiter != "" {
		comma = n.l.Delimiter
	}
	personal := n.personal
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString(comma)
		}
		if isPersonal(personal, i) {
			continue
		}
		s := string(f)
		if strings.ContainsAny(s, comma+"\"\r\n") {
			s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		b.WriteString(s)
	}
	return []byte(schemas.Scrub(b.String()))
}

func (n *IncidentNormalizer) fail(field, reason string) (schemas.RowError, bool) {
	return schemas.RowError{File: n.opt.File, Line: n.src.Line(), Field: field, Reason: reason}, false
}

// date parses an optional date field; empty is absent.
func (n *IncidentNormalizer) optDate(p *schemas.DateParser, text string) (int32, bool, string) {
	if text == "" {
		return 0, false, ""
	}
	d, _, reason := p.Parse([]byte(text))
	switch {
	case reason != "":
		return 0, false, reason + ": " + show([]byte(text))
	case d > n.today:
		return 0, false, "date is in the future: " + show([]byte(text))
	case d < n.min:
		return 0, false, "date is before 1900: " + show([]byte(text))
	}
	return d, true, ""
}

// amount parses an optional non-negative amount in unit u; empty is absent.
func amount(s string, u *schemas.Unit, what string) (float64, bool, string) {
	if s == "" {
		return 0, false, ""
	}
	v, reason := schemas.ParseAmount([]byte(s))
	if reason != "" {
		return 0, false, "not a number: " + show([]byte(s))
	}
	if v < 0 {
		return 0, false, "negative " + what + ": " + show([]byte(s))
	}
	if u != nil {
		v = u.Convert(v)
	}
	return v, true, ""
}

// row validates the current row and appends it to the batch.
func (n *IncidentNormalizer) row() (schemas.RowError, bool) {
	if m := n.src.Malformed(); m != "" {
		return n.fail(schemas.RecordField, m)
	}
	fields := n.src.Fields()
	id := n.id.get(fields)
	if id == "" {
		return n.fail(schemas.FieldIncidentID, "missing incident id")
	}
	dateText := n.date.get(fields)
	if dateText == "" {
		return n.fail(schemas.FieldOccurredOn, "missing date")
	}
	date, prec, reason := n.dates.Parse([]byte(dateText))
	switch {
	case reason != "":
		return n.fail(schemas.FieldOccurredOn, reason+": "+show([]byte(dateText)))
	case date > n.today:
		return n.fail(schemas.FieldOccurredOn, "date is in the future: "+show([]byte(dateText)))
	case date < n.min:
		return n.fail(schemas.FieldOccurredOn, "date is before 1900: "+show([]byte(dateText)))
	}
	reportedOn, hasReported, reason := n.optDate(&n.reported, n.reportedOn.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldReportedOn, reason)
	}
	occurredEnd, hasEnd, reason := n.optDate(&n.ended, n.occurredEnd.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldOccurredEnd, reason)
	}
	if hasEnd && occurredEnd < date {
		return n.fail(schemas.FieldOccurredEnd, "ends before it began")
	}

	// The category is the layout's, or the crosswalk's for the cited section.
	category := ""
	if n.category.set {
		raw := n.category.get(fields)
		if _, ok := schemas.ParseCategory(raw); !ok {
			if raw == "" {
				return n.fail(schemas.FieldCategory, "missing category")
			}
			return n.fail(schemas.FieldCategory, fmt.Sprintf("unknown category %s; map it to one of %s in fields.category.map",
				show([]byte(raw)), strings.Join(schemas.Categories(), ", ")))
		}
		category = raw
	}
	statute, section := n.statute.get(fields), n.section.get(fields)
	var rule schemas.LegalRule
	hasRule := false
	if statute != "" || section != "" {
		rule, hasRule = n.cw.Lookup(statute, section, time.Unix(int64(date)*86400, 0).UTC())
	}
	if category == "" {
		if statute == "" && section == "" {
			return n.fail(schemas.FieldSection, "missing statute section, which gives the category in this layout")
		}
		if _, ok := schemas.ParseCategory(rule.Category); !hasRule || !ok {
			return n.fail(schemas.FieldSection, "statute section does not name one of the four categories: "+
				show([]byte(strings.TrimSpace(statute+" "+section))))
		}
		category = rule.Category
	}
	subcategory := n.subcategory.get(fields)
	if !n.subcategory.set && hasRule && rule.Category == category {
		subcategory = rule.Subcategory
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
	qty, hasQty, reason := amount(n.quantity.get(fields), n.qtyUnit, "quantity")
	if reason != "" {
		return n.fail(schemas.FieldQuantity, reason)
	}
	amt, hasAmt, reason := amount(n.amount.get(fields), n.moneyUnit, "amount")
	if reason != "" {
		return n.fail(schemas.FieldAmountPKR, reason)
	}
	victims, hasVictims, reason := count(n.victims.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldVictims, reason)
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
	optDate := func(i int, d int32, ok bool) {
		if !ok {
			b.Field(i).AppendNull()
			return
		}
		b.Field(i).(*array.Date32Builder).Append(arrow.Date32(d))
	}
	str(schemas.NIncidentID, id)
	str(schemas.NCategory, category)
	opt(schemas.NSubcategory, subcategory)
	b.Field(schemas.NOccurredOn).(*array.Date32Builder).Append(arrow.Date32(date))
	appendOptFloat(b, schemas.NLat, lat, hasLat)
	appendOptFloat(b, schemas.NLon, lon, hasLon)
	opt(schemas.NDistrictHint, hint)
	opt(schemas.NSource, n.source.get(fields))
	appendOptFloat(b, schemas.NQuantity, qty, hasQty)
	appendOptFloat(b, schemas.NAmountPKR, amt, hasAmt)
	opt(schemas.NDescription, schemas.Scrub(n.desc.get(fields)))
	str(schemas.NSourceFile, n.opt.File)
	b.Field(schemas.NSourceLine).(*array.Int64Builder).Append(n.src.Line())
	b.Field(schemas.NRunID).(*array.Int64Builder).Append(n.opt.RunID)
	code, name, province := n.placer.District(district)
	str(schemas.IDistrictCode, code)
	str(schemas.IDistrictName, name)
	opt(schemas.IProvince, province)
	b.Field(schemas.ILocationPrecision).(*array.Int8Builder).Append(precision)
	opt(schemas.IPlace, schemas.Scrub(n.place.get(fields)))
	opt(schemas.IProvinceHint, n.provHint.get(fields))
	opt(schemas.ISourceRef, n.sourceRef.get(fields))
	if hasRule {
		// The crosswalk's canonical spelling, so that "C.N.S.A" and "CNSA"
		// group together.
		str(schemas.IStatute, rule.Statute)
		if sec, ok := schemas.NormalizeSection(rule.Statute, section); ok {
			section = sec
		}
		opt(schemas.ISection, section)
		str(schemas.IICCSCode, rule.ICCS)
	} else {
		opt(schemas.IStatute, statute)
		opt(schemas.ISection, section)
		b.Field(schemas.IICCSCode).AppendNull()
	}
	optDate(schemas.IReportedOn, reportedOn, hasReported)
	optDate(schemas.IOccurredEnd, occurredEnd, hasEnd)
	b.Field(schemas.IDatePrecision).(*array.Int8Builder).Append(int8(prec))
	appendOptInt32(b, schemas.IVictims, victims, hasVictims)
	str(schemas.ILayout, n.l.Name)
	return schemas.RowError{}, true
}

// Counts returns the rows read, accepted and rejected so far.
func (n *IncidentNormalizer) Counts() (read, accepted, rejected int64) {
	return n.Read, n.Accepted, n.Rejected
}
