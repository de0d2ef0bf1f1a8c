package schemas

import "testing"

func TestPlaceholderID(t *testing.T) {
	for _, id := range []string{"N/A", "n.a.", "NA", "Nil", "NILL", "none", "NULL", "Unknown", "not known", "N.K.",
		"Not Available", "TBD", "pending", "-", "--", "—", "0", "000", "0-0", "?", "??", "x", "XXX", "***", "#", "نامعلوم", " n / a "} {
		if !PlaceholderID(id) {
			t.Errorf("PlaceholderID(%q) = false, want true", id)
		}
	}
	for _, id := range []string{"1", "01", "FIR-123/2023", "ANF-0042", "NA-12", "X1", "100", "A", "0012", "PK-N/A-3", "nasir"} {
		if PlaceholderID(id) {
			t.Errorf("PlaceholderID(%q) = true, want false", id)
		}
	}
}
