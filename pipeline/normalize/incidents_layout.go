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
	layoutBase
	cw *schemas.Crosswalk

	dates, reported, ended schemas.DateParser
	qtyUnit, moneyUnit     *schemas.Unit

	id, category, subcategory, date, reportedOn, occurredEnd, lat, lon, place, hint, provHint,
	source, sourceRef, statute, section, quantity, amount, victims, desc textField
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
	n := &IncidentNormalizer{cw: cw}
	n.scrubRaw = true
	c := n.init(src, placer, l, opt, n.row)
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
	if err := n.build(mem, c, schemas.Incidents); err != nil {
		return nil, err
	}
	return n, nil
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
