package normalize

import (
	"fmt"
	"math"
	"slices"
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
// schemas.LayoutIncidents: the common core, then each category's own fields,
// which a row fills only for its own category. Counts always satisfy
// read = accepted + rejected.
type IncidentNormalizer struct {
	layoutBase
	cw      *schemas.Crosswalk
	details []detailField // by schemas.DetailNames order

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
	n.canHash = true
	c := n.init(src, placer, l, opt, n.row)
	for _, f := range []struct {
		name string
		dst  *textField
	}{
		{"incident_id", &n.id}, {"category", &n.category}, {"subcategory", &n.subcategory},
		{"occurred_on", &n.date}, {"reported_on", &n.reportedOn}, {"occurred_end", &n.occurredEnd},
		{"lat", &n.lat}, {"lon", &n.lon}, {"point_precision", &n.pointPrec}, {"narrative", &n.narrative}, {"place", &n.place}, {"district_hint", &n.hint},
		{"province_hint", &n.provHint}, {"source", &n.source}, {"source_ref", &n.sourceRef},
		{"statute", &n.statute}, {"section", &n.section}, {"quantity", &n.quantity},
		{"amount_pkr", &n.amount}, {"victims", &n.victims}, {"description", &n.desc},
	} {
		if err := c.compile(f.name, f.dst); err != nil {
			return nil, err
		}
	}
	for _, name := range schemas.DetailNames() {
		d := detailField{name: name}
		if err := c.compile(name, &d.f); err != nil {
			return nil, err
		}
		n.details = append(n.details, d)
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
	if err := n.build(mem, c, schemas.LayoutIncidents); err != nil {
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
	if reason == "" {
		reason = schemas.DayProblem(d, n.today)
	}
	if reason != "" {
		return 0, false, reason + ": " + showDate(text)
	}
	return d, true, ""
}

// amount parses an optional non-negative amount in unit u, written with
// the decimal mark the layout says (layout.Decimal); empty is absent.
func amount(s string, u *schemas.Unit, what string, l *layout.Layout) (float64, bool, string) {
	if s == "" {
		return 0, false, ""
	}
	text := s
	if reason := ambiguousComma(s, l); reason != "" {
		return 0, false, reason
	}
	if l.Decimal == layout.DecimalComma {
		s = swapMarks(s)
	}
	v, reason := schemas.ParseAmount([]byte(s))
	if reason != "" {
		reason = "not a number: " + show([]byte(text))
		if l.Decimal == "" && strings.Contains(text, ",") {
			reason += " (a decimal comma? say decimal: comma in the layout)"
		}
		return 0, false, reason
	}
	if v < 0 {
		return 0, false, "negative " + what + ": " + show([]byte(s))
	}
	if u != nil {
		v = u.Convert(v)
	}
	if reason := schemas.MeasureProblem(v, []byte(text)); reason != "" {
		return 0, false, reason
	}
	return v, true, ""
}

// ambiguousComma refuses a number with a comma in a file whose columns are
// separated by semicolons, when the layout does not say its decimal mark:
// such files come from spreadsheets in locales that write 1.250,5, where
// "1,250" is 1.25, not the 1250 a Pakistani file means by it.
func ambiguousComma(s string, l *layout.Layout) string {
	if l.Decimal != "" || l.Delimiter != ";" || !strings.Contains(s, ",") {
		return ""
	}
	return fmt.Sprintf("a comma in a number of a file separated by semicolons: %s is a decimal comma or a thousands comma; "+
		"say which in the layout: decimal: comma (1.250,5) or decimal: point (1,250.5)", show([]byte(s)))
}

// swapMarks exchanges points and commas, so that a number written with a
// decimal comma (1.250,5) reads as one with a decimal point (1,250.5).
func swapMarks(s string) string {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s
	}
	return s[:i] + strings.Map(func(r rune) rune { // "Rs. " before the number stays
		switch r {
		case '.':
			return ','
		case ',':
			return '.'
		}
		return r
	}, s[i:])
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
	if dateText == "" {
		return n.fail(schemas.FieldOccurredOn, "missing date")
	}
	date, prec, reason := n.dates.Parse([]byte(dateText))
	if reason == "" {
		reason = schemas.DayProblem(date, n.today)
	}
	if reason != "" {
		return n.fail(schemas.FieldOccurredOn, reason+": "+showDate(dateText))
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
	if hasReported && reportedOn < date {
		return n.fail(schemas.FieldReportedOn, "reported before it occurred")
	}

	// The category is the layout's, or the crosswalk's for the cited section.
	category := ""
	if n.category.set {
		raw := n.category.get(fields)
		if _, ok := schemas.ParseCategory(raw); !ok {
			if raw == "" {
				return n.fail(schemas.FieldCategory, "missing category")
			}
			if n.l.Name == layout.CanonicalName {
				return n.fail(schemas.FieldCategory, fmt.Sprintf("unknown category %s; expected one of %s%s",
					show([]byte(raw)), strings.Join(schemas.Categories(), ", "), schemas.CategoryHint(raw)))
			}
			return n.fail(schemas.FieldCategory, fmt.Sprintf("unknown category %s; map it to one of %s in fields.category.map%s",
				show([]byte(raw)), strings.Join(schemas.Categories(), ", "), schemas.CategoryHint(raw)))
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
		cited := show([]byte(strings.TrimSpace(statute + " " + section)))
		if !hasRule {
			return n.fail(schemas.FieldSection, "statute section not in the legal crosswalk (data/legal_crosswalk.csv): "+cited)
		}
		if _, ok := schemas.ParseCategory(rule.Category); !ok {
			return n.fail(schemas.FieldSection, fmt.Sprintf("statute section is %s (%s), outside the four categories: %s",
				rule.Category, rule.Subcategory, cited))
		}
		category = rule.Category
	}
	subcategory := n.subcategory.get(fields)
	if !n.subcategory.set && hasRule && rule.Category == category {
		subcategory = rule.Subcategory
	}

	lat, lon, hasLat, e, ok := n.point(fields, &n.lat, &n.lon)
	if !ok {
		return e, false
	}
	qty, hasQty, reason := amount(n.quantity.get(fields), n.qtyUnit, "quantity", n.l)
	if reason != "" {
		return n.fail(schemas.FieldQuantity, reason)
	}
	amt, hasAmt, reason := amount(n.amount.get(fields), n.moneyUnit, "amount", n.l)
	if reason != "" {
		return n.fail(schemas.FieldAmountPKR, reason)
	}
	victims, hasVictims, reason := count(n.victims.get(fields))
	if reason != "" {
		return n.fail(schemas.FieldVictims, reason)
	}
	cat, _ := schemas.ParseCategory(category)
	if n.l.Name == layout.CanonicalName && cat == schemas.HumanTrafficking && hasQty && qty != math.Trunc(qty) {
		// As ingest's canonical reader: the quantity counts victims.
		return n.fail(schemas.FieldQuantity, "quantity "+show([]byte(n.quantity.get(fields)))+
			" is not a whole number: for human_trafficking it counts victims")
	}
	det, field, reason := n.readDetails(fields, cat, hasRule, rule, section)
	if reason != "" {
		return n.fail(field, reason)
	}
	if cat == schemas.HumanTrafficking && hasRule {
		fromTraffickingRule(det, rule.Subcategory)
	}
	cd := schemas.Details[cat]
	main := det[indexOf(schemas.DetailNames(), cd.Main)]
	// The main field refines the category as subcategory does, and wins
	// over the crosswalk's subcategory, which names the section's offence.
	switch {
	case main.text != "" && (!n.subcategory.set || subcategory == ""):
		subcategory = main.text
	case main.text == "" && subcategory != "":
		if d, _ := schemas.DetailOf(cat, cd.Main); slices.Contains(d.Codes, subcategory) {
			det[indexOf(schemas.DetailNames(), cd.Main)] = detailValue{text: subcategory, ok: true}
		}
	}
	if cat == schemas.HumanTrafficking {
		v, reason := victimTotals(det, victims, hasVictims)
		if reason != "" {
			return n.fail(schemas.FieldVictims, reason)
		}
		if !hasVictims && v >= 0 {
			victims, hasVictims = v, true
		}
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
	optDate := func(i int, d int32, ok bool) {
		if !ok {
			b.Field(i).AppendNull()
			return
		}
		b.Field(i).(*array.Date32Builder).Append(arrow.Date32(d))
	}
	str(schemas.NIncidentID, n.privateID(id))
	str(schemas.NCategory, category)
	text(schemas.NSubcategory, subcategory)
	b.Field(schemas.NOccurredOn).(*array.Date32Builder).Append(arrow.Date32(date))
	appendOptFloat(b, schemas.NLat, lat, hasLat)
	appendOptFloat(b, schemas.NLon, lon, hasLat)
	text(schemas.NDistrictHint, hint)
	text(schemas.NSource, n.source.get(fields))
	appendOptFloat(b, schemas.NQuantity, qty, hasQty)
	appendOptFloat(b, schemas.NAmountPKR, amt, hasAmt)
	text(schemas.NDescription, n.desc.get(fields))
	str(schemas.NSourceFile, n.opt.File)
	b.Field(schemas.NSourceLine).(*array.Int64Builder).Append(n.src.Line())
	b.Field(schemas.NRunID).(*array.Int64Builder).Append(n.opt.RunID)
	appendPlacement(b, n.placer, &pl)
	text(schemas.IPlace, place)
	text(schemas.IProvinceHint, province)
	text(schemas.ISourceRef, n.sourceRef.get(fields))
	if hasRule {
		// The crosswalk's canonical spelling, so that "C.N.S.A" and "CNSA"
		// group together.
		str(schemas.IStatute, rule.Statute)
		if sec, ok := schemas.NormalizeSection(rule.Statute, section); ok {
			section = sec
		}
		text(schemas.ISection, section)
		str(schemas.IICCSCode, rule.ICCS)
	} else {
		text(schemas.IStatute, statute)
		text(schemas.ISection, section)
		b.Field(schemas.IICCSCode).AppendNull()
	}
	optDate(schemas.IReportedOn, reportedOn, hasReported)
	optDate(schemas.IOccurredEnd, occurredEnd, hasEnd)
	b.Field(schemas.IDatePrecision).(*array.Int8Builder).Append(int8(prec))
	appendOptInt32(b, schemas.IVictims, victims, hasVictims)
	str(schemas.ILayout, n.l.Name)
	opt(schemas.IPersonKeys, n.personKeys(fields))
	for i, v := range det {
		col := schemas.Incidents.NumFields() + i
		switch {
		case !v.ok:
			b.Field(col).AppendNull()
		case v.isCount:
			b.Field(col).(*array.Int32Builder).Append(v.count)
		default:
			str(col, v.text)
		}
	}
	return schemas.RowError{}, true
}

// detailField is one category field compiled from a layout.
type detailField struct {
	name string
	f    textField
}

// detailValue is a detail field's value in one row.
type detailValue struct {
	text    string
	count   int32
	isCount bool
	ok      bool
}

// readDetails reads the category fields of a row of category cat. A value
// in a field of another category is refused rather than dropped: the
// layout, or the category the statute gave, is wrong for that row.
func (n *IncidentNormalizer) readDetails(fields [][]byte, cat schemas.Category, hasRule bool, rule schemas.LegalRule, section string) ([]detailValue, string, string) {
	out := make([]detailValue, len(n.details))
	for i := range n.details {
		df := &n.details[i]
		text := df.f.get(fields)
		d, own := schemas.DetailOf(cat, df.name)
		if df.name == "peca_section" && text == "" && own && hasRule && rule.Statute == "PECA-2016" {
			if sec, ok := schemas.NormalizeSection(rule.Statute, section); ok {
				text = sec
			} else {
				text = section
			}
		}
		if text == "" {
			continue
		}
		if !own {
			return nil, df.name, fmt.Sprintf("%s is a field of %s records, but this row is %s", df.name, categoriesOf(df.name), cat)
		}
		switch d.Kind {
		case schemas.DetailCount:
			v, _, reason := count(text)
			if reason != "" {
				return nil, df.name, reason
			}
			out[i] = detailValue{count: v, isCount: true, ok: true}
		case schemas.DetailCode:
			code := strings.NewReplacer(" ", "_", "-", "_", "/", "_").Replace(foldValue(text))
			if !slices.Contains(d.Codes, code) {
				return nil, df.name, fmt.Sprintf("unknown %s %s; map it to one of %s in fields.%s.map",
					df.name, show([]byte(text)), strings.Join(d.Codes, ", "), df.name)
			}
			out[i] = detailValue{text: code, ok: true}
		default:
			out[i] = detailValue{text: schemas.Scrub(text), ok: true}
		}
	}
	return out, "", ""
}

// categoriesOf names the categories that have the detail field name.
func categoriesOf(name string) string {
	var cats []string
	for _, cd := range schemas.Details {
		if _, ok := schemas.DetailOf(cd.Category, name); ok {
			cats = append(cats, cd.Category.String())
		}
	}
	return strings.Join(cats, " and ")
}

// victimTotals checks a trafficking row's victim counts by sex and by age
// against its total. It returns the total the parts give when both parts of
// a split are known (or -1), and a reason when the parts exceed the total.
func victimTotals(det []detailValue, total int32, hasTotal bool) (int32, string) {
	names := schemas.DetailNames()
	get := func(name string) (int32, bool) {
		v := det[indexOf(names, name)]
		return v.count, v.ok
	}
	sum := int32(-1)
	for _, pair := range [][2]string{{"victims_male", "victims_female"}, {"victims_minor", "victims_adult"}} {
		a, okA := get(pair[0])
		b, okB := get(pair[1])
		parts := a + b
		if hasTotal && parts > total {
			return 0, fmt.Sprintf("%s and %s add up to %d, more than the %d victims given", pair[0], pair[1], parts, total)
		}
		if okA && okB {
			if sum >= 0 && sum != parts {
				return 0, fmt.Sprintf("victims by sex (%d) and by age (%d) do not add up to the same total", sum, parts)
			}
			sum = parts
		}
	}
	return sum, ""
}

// fromTraffickingRule fills a trafficking row's offence_type, and its
// exploitation, from the crosswalk subcategory of the section it cites,
// where the row gives none: PSMA is migrant smuggling; PTPA and the PPC
// sections on selling and buying for prostitution are trafficking, the
// latter for sexual exploitation.
func fromTraffickingRule(det []detailValue, subcategory string) {
	names := schemas.DetailNames()
	set := func(name, v string) {
		if i := indexOf(names, name); !det[i].ok {
			det[i] = detailValue{text: v, ok: true}
		}
	}
	switch subcategory {
	case "migrant_smuggling":
		set("offence_type", "smuggling")
	case "trafficking_in_persons":
		set("offence_type", "trafficking")
	case "sexual_exploitation":
		set("offence_type", "trafficking")
		set("exploitation", "sexual")
	}
}
