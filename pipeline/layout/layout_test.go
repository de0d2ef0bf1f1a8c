package layout

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const good = `name: anf-seizures
title: Anti-Narcotics Force seizure table
category: drug_trafficking
format: xlsx
sheet: Seizures
header_row: 3
footer_rows: 1
match: [FIR No, Date, Drug, Qty (gm)]
dates: {formats: [dd/mm/yyyy, d-mmm-yy, excel], pivot: 30}
fields:
  incident_id: {column: FIR No, prefix: "ANF-"}
  occurred_on: {column: Date}
  district_hint: {column: District}
  place: {columns: [Police Station, District], join: ", "}
  subcategory: {column: Drug, map: {charas: hashish, ice: methamphetamine}}
  quantity: {column: Qty (gm), unit: g}
  source: {value: ANF}
personal:
  - {column: Accused, action: drop}
  - {column: CNIC, action: hash, kind: cnic}
`

func TestParseGood(t *testing.T) {
	l, err := Parse("anf.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Kind, KindIncidents; got != want {
		t.Errorf("kind %q, want %q", got, want)
	}
	if got, want := l.Encoding, "utf-8"; got != want {
		t.Errorf("encoding %q, want %q", got, want)
	}
	if got, want := l.Fields["quantity"].Unit, "g"; got != want {
		t.Errorf("quantity unit %q, want %q", got, want)
	}
	if got, want := l.Fields["place"].Columns, []string{"Police Station", "District"}; !reflect.DeepEqual(got, want) {
		t.Errorf("place columns %q, want %q", got, want)
	}
	if got, want := l.Columns(), []string{"Date", "District", "Drug", "FIR No", "Police Station", "Qty (gm)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns %q, want %q", got, want)
	}
	if got, want := l.Personal[1].Kind, "cnic"; got != want {
		t.Errorf("personal kind %q, want %q", got, want)
	}
}

// TestParseErrors checks that each mistake is reported with the line of the
// key and a reason a researcher can act on.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown top-level key", "footer_rows: 1\n", "footer_rows: 1\nfooter: 2\n", `unknown field "footer"`},
		{"bad name", "name: anf-seizures", "name: ANF Seizures", `anf.yaml:1: name: "ANF Seizures": use lower-case letters`},
		{"bad format", "format: xlsx", "format: xls", `anf.yaml:4: format: "xls": want csv, tsv, jsonl, json, xlsx or parquet`},
		{"sheet on csv", "format: xlsx", "format: csv", `anf.yaml:5: sheet: only xlsx files have sheets`},
		{"bad encoding", "footer_rows: 1\n", "footer_rows: 1\nencoding: latin-1\n", `anf.yaml:8: encoding: "latin-1": want one of utf-8, utf-8-bom, windows-1252, windows-1256, utf-16, utf-16le, utf-16be`},
		{"bad unit", "unit: g}", "unit: grams}", `anf.yaml:16: fields.quantity.unit: "grams": want one of mg, g, kg, ton`},
		{"unknown target", "  source: {value: ANF}", "  seizing_officer: {value: ANF}", `anf.yaml:17: fields.seizing_officer: not a field of incidents layouts`},
		{"two sources", "  source: {value: ANF}", "  source: {value: ANF, column: Agency}", `anf.yaml:17: fields.source: give exactly one of column, columns or value`},
		{"no date", "  occurred_on: {column: Date}\n", "", `fields: occurred_on is required`},
		{"bad date token", "formats: [dd/mm/yyyy,", "formats: [dd/qq/yyyy,", `dates.formats.0:`},
		{"two-digit year without pivot", ", pivot: 30}", "}", `needs dates.pivot`},
		// 05/01/2023 is 5 January by the first and 1 May by the second: the
		// order of the list would decide, unseen.
		{"day and month both ways", "formats: [dd/mm/yyyy,", "formats: [dd/mm/yyyy, mm/dd/yyyy,", `anf.yaml:9: dates.formats: "dd/mm/yyyy" and "mm/dd/yyyy" read the same text with day and month exchanged`},
		{"day and month both ways, one or two digits", "formats: [dd/mm/yyyy,", "formats: [m/d/yyyy, dd/mm/yyyy,", `"m/d/yyyy" and "dd/mm/yyyy" read the same text`},
		{"category twice", "  source: {value: ANF}", "  source: {value: ANF}\n  category: {value: drug_trafficking}", `give the category once`},
		{"unknown category", "category: drug_trafficking", "category: narcotics", `anf.yaml:3: category: "narcotics"`},
		{"personal column used", "{column: Accused, action: drop}", "{column: District, action: drop}", `column "District" is personal but also feeds fields.district_hint`},
		{"hash without kind", "action: hash, kind: cnic}", "action: hash}", `personal.1.kind: "": want cnic, phone, email, name or text`},
		{"context with category", "name: anf-seizures", "name: anf-seizures\nkind: context\nevent_type: seizure", `context events are outside the four categories`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := good
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("test is stale: %q not in the layout", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			_, err := Parse("anf.yaml", []byte(src))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

func TestContextLayout(t *testing.T) {
	src := `name: pbc-suicide-attacks
kind: context
event_type: suicide_attack
encoding: windows-1252
match: [S#, Date, City, Latitude, Longitude]
dates: {formats: ["dddd-mmmm d-yyyy", "dddd-mmmm-d-yyyy"]}
fields:
  incident_id: {column: "S#", prefix: "PBC-"}
  occurred_on: {column: Date}
  lat: {column: Latitude}
  lon: {column: Longitude}
  district_hint: {column: City}
  killed: {column: Killed Max}
`
	l, err := Parse("pbc.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.EventType, "suicide_attack"; got != want {
		t.Errorf("event type %q, want %q", got, want)
	}
	if _, err := Parse("pbc.yaml", []byte(strings.Replace(src, "event_type: suicide_attack\n", "", 1))); err == nil ||
		!strings.Contains(err.Error(), "a context layout must say what its events are") {
		t.Errorf("missing event_type: error %v", err)
	}
}
