package schemas

// CanonicalColumns is the header of the canonical CSV layout, in order.
var CanonicalColumns = []string{
	"incident_id", "category", "subcategory", "occurred_on", "lat", "lon",
	"district_hint", "source", "quantity", "amount_pkr", "description",
}

// Indexes of the canonical columns.
const (
	ColIncidentID = iota
	ColCategory
	ColSubcategory
	ColOccurredOn
	ColLat
	ColLon
	ColDistrictHint
	ColSource
	ColQuantity
	ColAmountPKR
	ColDescription
	NumCanonical
)
