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

// TrimTrailingEmpty drops the empty fields of a record beyond its first n
// (empty after spaces, tabs, CR and LF): cells that hold nothing past the
// header's columns (a trailing comma on every line, a formatted but empty
// spreadsheet column) carry no data and do not make a row malformed. It is
// the one rule for the canonical layout and the layouts' CSV reader.
func TrimTrailingEmpty(fields [][]byte, n int) [][]byte {
	for len(fields) > n && blank(fields[len(fields)-1]) {
		fields = fields[:len(fields)-1]
	}
	return fields
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
