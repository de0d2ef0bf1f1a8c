// Package layout reads source layouts: declarative files that say how one
// agency's files map onto ocmap's fields, so that a new source needs a
// layout and a fixture, not code.
//
// A layout is YAML. It is validated when it is loaded, and every error names
// the layout, the line and the key:
//
//	name: anf-seizures                 # lower-case letters, digits, dashes
//	title: Anti-Narcotics Force seizure table
//	kind: incidents                    # incidents (default) or context
//	category: drug_trafficking         # for incidents, unless fields.category maps it or the crosswalk gives it from fields.statute
//	format: xlsx                       # csv (default), tsv, jsonl, json, xlsx
//	sheet: Seizures                    # xlsx only
//	encoding: windows-1252             # utf-8 (default), utf-8-bom, windows-1252
//	header_row: 3                      # 1-based; rows above it are skipped
//	footer_rows: 1                     # totals rows to drop at the end
//	match: [FIR No, Date, Drug, Qty]   # header columns that identify the file (--layout auto)
//	dates: {formats: [dd/mm/yyyy, d-mmm-yy, excel], pivot: 30}
//	fields:
//	  incident_id: {column: FIR No, prefix: "ANF-"}
//	  occurred_on: {column: Date}
//	  district_hint: {column: District}
//	  place: {columns: [Police Station, District], join: ", "}
//	  subcategory: {column: Drug, map: {charas: hashish, ice: methamphetamine}}
//	  quantity: {column: Qty (gm), unit: g}
//	  source: {value: ANF}
//	personal:
//	  - {column: Accused, action: drop}
//	  - {column: CNIC, action: hash, kind: cnic}
//
// # Limits
//
// Before decoding, [Parse] refuses a file over 256 KiB, nested deeper than
// 64 levels, or whose aliases (*name) would add over 100,000 values when
// expanded, so that a hostile file ("billion laughs") fails in
// milliseconds, naming the file, the line and the limit. Layouts are a few
// KiB; anchors may still share a map between fields.
//
// # Builtin layouts
//
// The layouts ocmap ships are embedded from data/layouts: [Builtin] parses
// them all, [Find] takes a builtin name or a file path, and [Auto] picks the
// one builtin layout whose match columns are all in a file's header.
package layout
