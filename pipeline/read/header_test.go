package read

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
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

// TestHeaderNoHeaderRow: a file whose first rows all hold data has no
// header, which is ErrNoHeader naming the file and withholding the data, not
// an empty file; an empty file, blank lines or rows of only commas are
// still no names and no error, and a header under title rows is found.
func TestHeaderNoHeaderRow(t *testing.T) {
	dir := t.TempDir()
	data := "A1,drug_trafficking,heroin,2024-01-01,31.5,74.3,Lahore,informant 0321-7654321,1,,35202-1234567-1\n" +
		"A2,drug_trafficking,heroin,2024-01-02,31.5,74.3,Lahore,ANF,1,,x\n"
	tests := []struct {
		name, content string
		want          []string
		wantErr       bool
	}{
		{"rows of data only", data, nil, true},
		{"semicolons, one row", "A1;drug_trafficking;2024-01-01;31.5;74.3;a.b@example.pk\n", nil, true},
		{"empty", "", nil, false},
		{"blank lines", "\r\n \n\n", nil, false},
		{"header under a title", "Seizures 2024\nfir,district\n" + data, []string{"Seizures 2024", "fir", "district", "fir,district"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("in%d.csv", i))
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, text, err := Header(path, Limits{})
			if !text {
				t.Errorf("text = false for a CSV file")
			}
			if tt.wantErr {
				if !errors.Is(err, ErrNoHeader) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Fatalf("got %q, %v; want an ErrNoHeader naming %s", got, err, path)
				}
				for _, personal := range []string{"0321", "35202", "example", "Lahore"} {
					if strings.Contains(err.Error(), personal) {
						t.Errorf("the error repeats the data (%s): %v", personal, err)
					}
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q and no error", got, err, tt.want)
			}
		})
	}
}

// TestXLSXHeaderNoHeaderRow: a workbook whose sheets hold only rows of
// data is ErrNoHeader; one with a header row is read as before.
func TestXLSXHeaderNoHeaderRow(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows ...[]any) string {
		f := excelize.NewFile()
		defer f.Close()
		for i, r := range rows {
			if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, name)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	path := write("data.xlsx", []any{"A1", "2024-01-01", 31.5, 74.3, "35202-1234567-1"}, []any{"A2", "2024-01-02", 31.5, 74.3, "x"})
	if got, _, err := Header(path, Limits{}); !errors.Is(err, ErrNoHeader) || strings.Contains(fmt.Sprint(err), "35202") {
		t.Errorf("data only: got %q, %v; want an ErrNoHeader that withholds the data", got, err)
	}
	path = write("header.xlsx", []any{"fir", "date"}, []any{"A1", "2024-01-01"})
	if got, text, err := Header(path, Limits{}); err != nil || text || !reflect.DeepEqual(got, []string{"fir", "date"}) {
		t.Errorf("with a header: got %q, %v; want [fir date]", got, err)
	}
}
