package normalize

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/schemas"
)

// ErrLayoutColumn is returned when a file lacks a column its layout reads.
var ErrLayoutColumn = errors.New("normalize: a column of the layout is not in the header")

// ContextNormalizer reads the rows of a context layout (events beside the
// four categories, such as attacks) and yields batches shaped by
// schemas.Context. Counts always satisfy read = accepted + rejected.
type ContextNormalizer struct {
	layoutBase
	dates schemas.DateParser

	id, eventType, date, lat, lon, place, hint, provHint, source, desc, killed, injured textField
}

// NewContext returns a normalizer of src, a file in the context layout l.
// Every column the layout reads must be in src's header; the error names the
// file, the column and the header.
func NewContext(mem memory.Allocator, src Source, placer Placer, l *layout.Layout, opt Options) (*ContextNormalizer, error) {
	if l.Kind != layout.KindContext {
		return nil, fmt.Errorf("normalize: layout %s is a %s layout, not a context layout", l.Name, l.Kind)
	}
	n := &ContextNormalizer{}
	c := n.init(src, placer, l, opt, n.row)
	for _, f := range []struct {
		name string
		dst  *textField
	}{
		{"incident_id", &n.id}, {"event_type", &n.eventType}, {"occurred_on", &n.date}, {"lat", &n.lat}, {"lon", &n.lon},
		{"point_precision", &n.pointPrec}, {"narrative", &n.narrative}, {"place", &n.place}, {"district_hint", &n.hint}, {"province_hint", &n.provHint}, {"source", &n.source},
		{"description", &n.desc}, {"killed", &n.killed}, {"injured", &n.injured},
	} {
		if err := c.compile(f.name, f.dst); err != nil {
			return nil, err
		}
	}
	if !n.eventType.set {
		n.eventType = textField{set: true, value: l.EventType}
	}
	if err := dateParser(l, "occurred_on", &n.dates); err != nil {
		return nil, err
	}
	if err := n.build(mem, c, schemas.Context); err != nil {
		return nil, err
	}
	return n, nil
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
	if n.id.blankPart(fields) {
		return n.fail(schemas.FieldIncidentID, "missing incident id: a column it is joined from is blank")
	}
	if n.id.placeholder(fields) {
		return n.fail(schemas.FieldIncidentID, placeholderID([]byte(id)))
	}
	if tag := schemas.TagID(id); tag != "" {
		return n.fail(schemas.FieldIncidentID, tagID(tag))
	}
	dateText := n.date.get(fields)
	date, prec, reason := n.dates.Parse([]byte(dateText))
	if dateText == "" {
		return n.fail(schemas.FieldOccurredOn, "missing date")
	}
	if reason == "" {
		reason = schemas.DayProblem(date, n.today)
	}
	if reason != "" {
		return n.fail(schemas.FieldOccurredOn, reason+": "+showDate(dateText))
	}
	lat, lon, hasLat, e, ok := n.point(fields, &n.lat, &n.lon)
	if !ok {
		return e, false
	}
	killed, hasKilled, reason := count(n.killed.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldKilled, reason)
	}
	injured, hasInjured, reason := count(n.injured.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldInjured, reason)
	}
	hint, province, place := n.hint.get(fields), n.provHint.get(fields), n.place.get(fields)
	points, e, ok := n.pointMode(fields)
	if !ok {
		return e, false
	}
	pl, e, ok := n.placeRow(&lon, &lat, hasLat, &hint, &province, &place, n.narrative.get(fields), points, date)
	if !ok {
		return e, false
	}

	b := n.b
	str := func(i int, s string) { appendString(b, i, s) }
	opt := func(i int, s string) { appendOptString(b, i, s) }
	// Every free-text column goes through the one rule, schemas.Scrub.
	text := func(i int, s string) { appendOptString(b, i, schemas.Scrub(s)) }
	str(schemas.CIncidentID, n.privateID(id))
	str(schemas.CEventType, schemas.Scrub(n.eventType.get(fields)))
	b.Field(schemas.COccurredOn).(*array.Date32Builder).Append(arrow.Date32(date))
	b.Field(schemas.CDatePrecision).(*array.Int8Builder).Append(int8(prec))
	appendOptFloat(b, schemas.CLat, lat, hasLat)
	appendOptFloat(b, schemas.CLon, lon, hasLat)
	text(schemas.CPlace, place)
	text(schemas.CDistrictHint, hint)
	text(schemas.CProvinceHint, province)
	text(schemas.CSource, n.source.get(fields))
	text(schemas.CDescription, n.desc.get(fields))
	appendOptInt32(b, schemas.CKilled, killed, hasKilled)
	appendOptInt32(b, schemas.CInjured, injured, hasInjured)
	str(schemas.CSourceFile, n.opt.File)
	b.Field(schemas.CSourceLine).(*array.Int64Builder).Append(n.src.Line())
	b.Field(schemas.CRunID).(*array.Int64Builder).Append(n.opt.RunID)
	str(schemas.CLayout, n.l.Name)
	code, name, province := "", "", pl.Province
	if pl.District >= 0 {
		code, name, province = n.placer.District(pl.District)
	}
	opt(schemas.CDistrictCode, code)
	opt(schemas.CDistrictName, name)
	opt(schemas.CProvince, province)
	b.Field(schemas.CLocationPrecision).(*array.Int8Builder).Append(pl.Precision)
	text(schemas.CLocationNote, pl.Note)
	str(schemas.CMatchMethod, pl.Method)
	b.Field(schemas.CMatchScore).(*array.Float32Builder).Append(pl.Score)
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
