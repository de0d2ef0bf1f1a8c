package read

import (
	"reflect"
	"strings"
	"testing"
)

// TestHeaderCellsWithholdData: the names that choose a layout end up in
// error messages, so rows of data are not among them.
func TestHeaderCellsWithholdData(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // split on commas, then whole lines as tab- and semicolon-split
	}{
		{"title, header, data", "FIR register\nFIR No,Name,CNIC,Phone,Date\n12/2023,Ali Khan,35202-1234567-1,0300-1234567,2023-01-05\n",
			[]string{"FIR register", "FIR No", "Name", "CNIC", "Phone", "Date", "FIR No,Name,CNIC,Phone,Date"}},
		{"no header row", "12/2023,Ali Khan,35202-1234567-1,0300-1234567,2023-01-05\n13/2023,Sana,ali@example.pk,,2023-01-06\n", nil},
		{"CR-only line endings", "FIR No,CNIC\r12,35202-1234567-1\r", []string{"FIR No", "CNIC", "FIR No,CNIC"}},
		{"byte-order mark in a later line", "id,district\n\xEF\xBB\xBFid,district\n", []string{"id", "district", "id,district"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := DelimitedHeaderCells([]byte(tt.in)), tt.want; !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestJSONKeysWithholdData(t *testing.T) {
	got, err := JSONKeys(strings.NewReader(`[{"fir":"1","35202-1234567-1":{"phone":"0300-1234567"},"a@b.pk":1}]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fir"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestJSONKeysEmptyArray: "[]" (a month with no cases) has no keys, which
// is no error; the caller calls the file empty.
func TestJSONKeysEmptyArray(t *testing.T) {
	for _, in := range []string{"[]", "\ufeff[ \r\n ]\r\n"} {
		got, err := JSONKeys(strings.NewReader(in))
		if err != nil || len(got) != 0 {
			t.Errorf("JSONKeys(%q) = %q, %v; want no keys and no error", in, got, err)
		}
	}
}

// TestCSVHeaderErrorsWithholdData: whatever goes wrong with a header, the
// message does not repeat the personal values of the rows it swallowed.
func TestCSVHeaderErrorsWithholdData(t *testing.T) {
	for _, in := range []string{
		"fir,district,cnic,phone\r1,Lahore,35202-1234567-1,0300-1234567\r2,Zhob,35202-7654321-1,0321-7654321\r",
		"fir,\"district\r1,Lahore,35202-1234567-1,0300-1234567\r",
		"\n\n1,Lahore,35202-1234567-1,0300-1234567\n",
	} {
		_, err := NewCSV(strings.NewReader(in), CSVOptions{HeaderRow: 2})
		if err == nil {
			_, err = NewCSV(strings.NewReader(in), CSVOptions{})
		}
		if err == nil {
			t.Fatalf("%q: no error", in)
		}
		for _, v := range []string{"35202", "1234567", "0300", "7654321"} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%q: error %q holds %q", in, err, v)
			}
		}
	}
}
