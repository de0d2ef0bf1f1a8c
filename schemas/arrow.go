package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Field names shared by the Arrow schemas and the DuckDB tables.
const (
	FieldIncidentID        = "incident_id"
	FieldCategory          = "category"
	FieldSubcategory       = "subcategory"
	FieldOccurredOn        = "occurred_on"
	FieldLat               = "lat"
	FieldLon               = "lon"
	FieldDistrictHint      = "district_hint"
	FieldSource            = "source"
	FieldQuantity          = "quantity"
	FieldAmountPKR         = "amount_pkr"
	FieldDescription       = "description"
	FieldSourceFile        = "source_file"
	FieldSourceLine        = "source_line"
	FieldRunID             = "run_id"
	FieldDistrictCode      = "district_code"
	FieldDistrictName      = "district_name"
	FieldProvince          = "province"
	FieldLocationPrecision = "location_precision"
	FieldField             = "field"
	FieldReason            = "reason"
	FieldRaw               = "raw"
)

// Column positions in [Normalized]; [Incidents] extends it.
const (
	NIncidentID = iota
	NCategory
	NSubcategory
	NOccurredOn
	NLat
	NLon
	NDistrictHint
	NSource
	NQuantity
	NAmountPKR
	NDescription
	NSourceFile
	NSourceLine
	NRunID
	numNormalized
)

// Column positions that the district join appends to [Normalized].
const (
	IDistrictCode = numNormalized + iota
	IDistrictName
	IProvince
	ILocationPrecision
	IMatchMethod
	IMatchScore
	ILocationNote
	IPlace
	IProvinceHint
	ISourceRef
	IStatute
	ISection
	IICCSCode
	IReportedOn
	IOccurredEnd
	IDatePrecision
	IVictims
	ILayout
	IPersonKeys
)

// Normalized is the shape of validated rows: the canonical fields with their
// types (quantity in kg or units as the source gives them, amounts in PKR,
// coordinates WGS 84) and lineage.
var Normalized = arrow.NewSchema([]arrow.Field{
	{Name: FieldIncidentID, Type: arrow.BinaryTypes.String},
	{Name: FieldCategory, Type: arrow.BinaryTypes.String},
	{Name: FieldSubcategory, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldOccurredOn, Type: arrow.FixedWidthTypes.Date32},
	{Name: FieldLat, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldLon, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldDistrictHint, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldSource, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldQuantity, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldAmountPKR, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldDescription, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldSourceFile, Type: arrow.BinaryTypes.String},
	{Name: FieldSourceLine, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldRunID, Type: arrow.PrimitiveTypes.Int64},
}, nil)

// Field names of [Incidents] that only source layouts fill.
const (
	FieldSourceRef   = "source_ref"
	FieldStatute     = "statute"
	FieldSection     = "section"
	FieldICCSCode    = "iccs_code"
	FieldReportedOn  = "reported_on"
	FieldOccurredEnd = "occurred_end"
	FieldVictims     = "victims"
	// FieldLocationNote says when the location is not as the source gave
	// it: coordinates swapped back, or a point outside every district that
	// was placed by its district name.
	FieldLocationNote = "location_note"
	// FieldMatchMethod says how the district was found (Method*), and
	// FieldMatchScore how sure the match is (1 but for fuzzy matches).
	FieldMatchMethod = "match_method"
	FieldMatchScore  = "match_score"
	// FieldPersonKeys holds the keyed hashes of the personal columns a
	// layout keeps for linking, as "kind=h:…" separated by spaces.
	FieldPersonKeys = "person_keys"
)

// Incidents is [Normalized] plus the district each row was joined to, then
// the fields that source layouts add: the canonical layout leaves them null
// but for date_precision 1 (day) and layout "canonical". iccs_code comes from
// the legal crosswalk when a row cites a statute section.
var Incidents = arrow.NewSchema(append(Normalized.Fields(),
	arrow.Field{Name: FieldDistrictCode, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldDistrictName, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldProvince, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldLocationPrecision, Type: arrow.PrimitiveTypes.Int8},
	arrow.Field{Name: FieldMatchMethod, Type: arrow.BinaryTypes.String},
	arrow.Field{Name: FieldMatchScore, Type: arrow.PrimitiveTypes.Float32},
	arrow.Field{Name: FieldLocationNote, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldPlace, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldProvinceHint, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldSourceRef, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldStatute, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldSection, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldICCSCode, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldReportedOn, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	arrow.Field{Name: FieldOccurredEnd, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	arrow.Field{Name: FieldDatePrecision, Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	arrow.Field{Name: FieldVictims, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	arrow.Field{Name: FieldLayout, Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: FieldPersonKeys, Type: arrow.BinaryTypes.String, Nullable: true},
), nil)

// IncidentsCore is the first part of [Incidents], up to and including
// location_note: what the canonical layout gives. Its batches leave the
// layout-only columns out and the store fills them from column defaults
// (null; date_precision 1; layout "canonical"), which keeps the canonical
// path as fast as before those columns existed.
var IncidentsCore = arrow.NewSchema(Incidents.Fields()[:IPlace], nil)

// Rejects is the shape of rows that could not be used. Raw is the row's text
// as read, or null when the user asked to keep raw text out.
var Rejects = arrow.NewSchema([]arrow.Field{
	{Name: FieldRunID, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldSourceFile, Type: arrow.BinaryTypes.String},
	{Name: FieldSourceLine, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldField, Type: arrow.BinaryTypes.String},
	{Name: FieldReason, Type: arrow.BinaryTypes.String},
	{Name: FieldRaw, Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)
