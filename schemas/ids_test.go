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

// TestPlaceholderIDMessyFiles has the placeholders of real files that the
// first list missed: Excel's error values (a lookup that found nothing
// leaves "#N/A" in the cell), zeros in Urdu or Arabic digits, a mark
// that Urdu text carries (right-to-left mark, zero-width space, byte order
// mark), brackets and quotes around a placeholder, and a few phrases.
func TestPlaceholderIDMessyFiles(t *testing.T) {
	for _, id := range []string{"#N/A", "#n/a", "#NULL!", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!",
		"۰", "۰۰", "٠", "０",
		"N/A\u200f", "\u200bN/A", "\ufeffNil",
		"(blank)", "[blank]", "<NA>", "<null>", `""`, "''", "'-",
		"none given", "not given", "Not Mentioned", "not reported", "not recorded"} {
		if !PlaceholderID(id) {
			t.Errorf("PlaceholderID(%q) = false, want true", id)
		}
	}
	for _, id := range []string{"#12", "#A1", "REF-1", "Value", "name", "۰۱۲", "٠٠١٢", "0/2023", "N/A-12", "(12)", "NR-5", "GIVEN-1", "x-1"} {
		if PlaceholderID(id) {
			t.Errorf("PlaceholderID(%q) = true, want false", id)
		}
	}
}

func TestTagID(t *testing.T) {
	for id, want := range map[string]string{
		"[CNIC]": "[CNIC]", "FIR-[PHONE]": "[PHONE]", "[EMAIL]/2024": "[EMAIL]", "[ID]": "[ID]", "P-[PASSPORT]": "[PASSPORT]",
		"[12]/2024": "", "FIR 12/2024": "", "h:0123456789abcdef0123456789abcdef": "", "[cnic]": "",
	} {
		if got := TagID(id); got != want {
			t.Errorf("TagID(%q) = %q, want %q", id, got, want)
		}
	}
}
