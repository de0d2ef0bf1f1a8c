package read

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook writes an ANF-style seizure table: a cover sheet, then the
// data sheet with a title row, a blank row, the header on row 3, a blank
// row inside the data and a totals footer.
func writeWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Cover"); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Cover", "A1", &[]any{"note"}))
	must(f.SetSheetRow("Cover", "A2", &[]any{"prepared by ANF"}))
	if _, err := f.NewSheet("Seizures"); err != nil {
		t.Fatal(err)
	}
	s := "Seizures"
	must(f.SetCellValue(s, "A1", "ANF seizures, Khyber Pakhtunkhwa, 2023"))
	must(f.SetSheetRow(s, "A3", &[]any{" FIR No ", "Date", "District", "Charas (kg)", ""}))
	must(f.SetSheetRow(s, "A4", &[]any{"FIR-12", time.Date(2023, 7, 16, 0, 0, 0, 0, time.UTC), "ڈیرہ اسماعیل خان", 12.5}))
	// Row 5 is left blank.
	must(f.SetSheetRow(s, "A6", &[]any{"FIR-13", time.Date(2023, 7, 17, 0, 0, 0, 0, time.UTC), "Zhob", 1234567.25}))
	must(f.SetSheetRow(s, "A7", &[]any{"FIR-14", "2023-07-18"}))
	must(f.SetSheetRow(s, "A8", &[]any{"FIR-15", "", "Bannu", 3, "stray note"}))
	must(f.SetSheetRow(s, "A9", &[]any{"FIR-16", "", "Kohat", 4, " "}))
	must(f.SetCellFormula(s, "D10", "SUM(D4:D9)"))
	must(f.SetCellValue(s, "A10", "Total"))
	must(f.SetCellValue(s, "D10", 1234590.75)) // the cached value Excel would save
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellStyle(s, "B4", "B6", dateStyle))
	numStyle, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	must(err)
	must(f.SetCellStyle(s, "D4", "D10", numStyle))
	path := filepath.Join(t.TempDir(), "anf seizures.xlsx")
	must(f.SaveAs(path))
	return path
}

func TestXLSX(t *testing.T) {
	path := writeWorkbook(t)
	cols := []string{"FIR No", "Date", "District", "Charas (kg)"}
	tests := []struct {
		name    string
		opt     XLSXOptions
		want    []srec
		dropped []Dropped
	}{
		{
			name: "raw numbers",
			opt:  XLSXOptions{HeaderRow: 3, FooterRows: 1, RawNumbers: true},
			want: []srec{
				ok(4, "FIR-12\t45123\tڈیرہ اسماعیل خان\t12.5", "FIR-12", "45123", "ڈیرہ اسماعیل خان", "12.5"),
				ok(6, "FIR-13\t45124\tZhob\t1234567.25", "FIR-13", "45124", "Zhob", "1234567.25"),
				ok(7, "FIR-14\t2023-07-18", "FIR-14", "2023-07-18", "", ""),
				bad(8, "FIR-15\t\tBannu\t3\tstray note", "row has 5 cells, header has 4"),
				ok(9, "FIR-16\t\tKohat\t4", "FIR-16", "", "Kohat", "4"),
			},
			dropped: []Dropped{{10, "Total\t\t\t1234590.75"}},
		},
		{
			name: "formatted text",
			opt:  XLSXOptions{HeaderRow: 3, FooterRows: 1},
			want: []srec{
				ok(4, "FIR-12\t07-16-23\tڈیرہ اسماعیل خان\t12.50", "FIR-12", "07-16-23", "ڈیرہ اسماعیل خان", "12.50"),
				ok(6, "FIR-13\t07-17-23\tZhob\t1,234,567.25", "FIR-13", "07-17-23", "Zhob", "1,234,567.25"),
				ok(7, "FIR-14\t2023-07-18", "FIR-14", "2023-07-18", "", ""),
				bad(8, "FIR-15\t\tBannu\t3.00\tstray note", "row has 5 cells, header has 4"),
				ok(9, "FIR-16\t\tKohat\t4.00", "FIR-16", "", "Kohat", "4.00"),
			},
			dropped: []Dropped{{10, "Total\t\t\t1,234,590.75"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewXLSX(context.Background(), path, "Seizures", tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer src.(*XLSX).Close()
			if got, want := src.Columns(), cols; !reflect.DeepEqual(got, want) {
				t.Errorf("columns %q, want %q", got, want)
			}
			got := drain(t, src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if got, want := src.(*XLSX).Dropped(), tt.dropped; !reflect.DeepEqual(got, want) {
				t.Errorf("dropped %+v, want %+v", got, want)
			}
			if src.(*XLSX).Date1904() {
				t.Error("Date1904")
			}
		})
	}
}

func TestXLSXSerialIsTheDate(t *testing.T) {
	// The raw serial must be the Excel serial of the date written.
	got, err := excelize.ExcelDateToTime(45123, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 7, 16, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("serial 45123 is %v, want %v", got, want)
	}
}

func TestXLSXFirstSheet(t *testing.T) {
	src, err := NewXLSX(context.Background(), writeWorkbook(t), "", XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := src.(*XLSX).Sheet(), "Cover"; got != want {
		t.Fatalf("sheet %q, want %q", got, want)
	}
	got := drain(t, src)
	if want := []srec{ok(2, "prepared by ANF", "prepared by ANF")}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if err := src.(*XLSX).Close(); err != nil {
		t.Fatalf("Close after the end: %v", err)
	}
}

func TestXLSXErrors(t *testing.T) {
	path := writeWorkbook(t)
	tests := []struct {
		name  string
		sheet string
		opt   XLSXOptions
		is    error
		want  string
	}{
		{"unknown sheet", "FIRs", XLSXOptions{}, ErrUnknownSheet, `: read: unknown sheet "FIRs"; the workbook has sheets "Cover", "Seizures"`},
		{"header past the end", "Seizures", XLSXOptions{HeaderRow: 40}, ErrNoHeader, `: sheet "Seizures": read: no header: the sheet ends at row 10, before the header row 40`},
		{"empty header row", "Seizures", XLSXOptions{HeaderRow: 2}, ErrNoHeader, `: sheet "Seizures" row 2: read: no header: the header row is empty`},
		{"negative header", "Seizures", XLSXOptions{HeaderRow: -1}, ErrOptions, `: read: invalid options: header row -1, footer rows 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewXLSX(context.Background(), path, tt.sheet, tt.opt)
			if !errors.Is(err, tt.is) {
				t.Fatalf("got %v, want %v", err, tt.is)
			}
			if got, want := err.Error(), path+tt.want; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
	if _, err := NewXLSX(context.Background(), filepath.Join(t.TempDir(), "none.xlsx"), "", XLSXOptions{}); err == nil || !strings.Contains(err.Error(), "none.xlsx") {
		t.Errorf("missing file: %v", err)
	}
}
