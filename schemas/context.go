package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Field names of [Context] that [Incidents] does not have.
const (
	FieldEventType     = "event_type"
	FieldDatePrecision = "date_precision"
	FieldPlace         = "place"
	FieldProvinceHint  = "province_hint"
	FieldKilled        = "killed"
	FieldInjured       = "injured"
	FieldLayout        = "layout"
)

// Column positions in [Context].
const (
	CIncidentID = iota
	CEventType
	COccurredOn
	CDatePrecision
	CLat
	CLon
	CPlace
	CDistrictHint
	CProvinceHint
	CSource
	CDescription
	CKilled
	CInjured
	CSourceFile
	CSourceLine
	CRunID
	CLayout
	CDistrictCode
	CDistrictName
	CProvince
	CLocationPrecision
	CLocationNote
	CMatchMethod
	CMatchScore
)

// Context is the shape of context events: incidents outside the four
// categories, such as terrorist attacks, kept apart so that analysts can map
// them beside terror financing. date_precision follows UCDP GED (1 day,
// 4 month, 5 year); killed and injured count people.
var Context = arrow.NewSchema([]arrow.Field{
	{Name: FieldIncidentID, Type: arrow.BinaryTypes.String},
	{Name: FieldEventType, Type: arrow.BinaryTypes.String},
	{Name: FieldOccurredOn, Type: arrow.FixedWidthTypes.Date32},
	{Name: FieldDatePrecision, Type: arrow.PrimitiveTypes.Int8},
	{Name: FieldLat, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldLon, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: FieldPlace, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldDistrictHint, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldProvinceHint, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldSource, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldDescription, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldKilled, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: FieldInjured, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: FieldSourceFile, Type: arrow.BinaryTypes.String},
	{Name: FieldSourceLine, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldRunID, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldLayout, Type: arrow.BinaryTypes.String},
	{Name: FieldDistrictCode, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldDistrictName, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldProvince, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldLocationPrecision, Type: arrow.PrimitiveTypes.Int8},
	{Name: FieldLocationNote, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: FieldMatchMethod, Type: arrow.BinaryTypes.String},
	{Name: FieldMatchScore, Type: arrow.PrimitiveTypes.Float32},
}, nil)
