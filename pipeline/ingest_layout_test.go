//go:build duckdb_arrow

package pipeline_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/read"
)

const attacksLayout = `name: test-attacks
title: test attacks
kind: context
event_type: attack
encoding: windows-1252
match: [No, When, Town]
dates: {formats: [d-mmm-yy], pivot: 30}
fields:
  incident_id: {column: No, prefix: "T-"}
  occurred_on: {column: When}
  lat: {column: Lat}
  lon: {column: Lon}
  district_hint: {column: Town}
  killed: {column: Killed}
  source: {value: test}
`

// attacks is Windows-1252: "Caf\xe9" is Café.
const attacks = "No,When,Town,Lat,Lon,Killed\r\n" +
	"1,16-Oct-51,Caf\xe9,30.5,70.5,1\r\n" + // Alpha by point
	"2,9-May-08,beta,,,2\r\n" + // Beta by name
	"3,9-May-08,Atlantis,,,2\r\n" + // unknown name
	"4,9-May-08,alpha,,,many\r\n" + // killed not a number
	"5,9-May-08\r\n" // wrong field count

func TestIngestContextLayout(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(attacksLayout))
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, f.dir, "attacks.csv", attacks)
	cfg := f.config(in)
	cfg.Layout = l
	for run := 1; run <= 2; run++ { // the second run replaces the first's rows
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "5 2 3"; got != want {
			t.Errorf("run %d: read accepted rejected = %s, want %s", run, got, want)
		}
		query(t, f.db, func(db *sql.DB) {
			if got, want := scanInt(t, db, `SELECT count(*) FROM context_events`), int64(2); got != want {
				t.Errorf("run %d: %d context events, want %d", run, got, want)
			}
			if got, want := scanInt(t, db, `SELECT count(*) FROM rejects`), int64(3); got != want {
				t.Errorf("run %d: %d rejects, want %d", run, got, want)
			}
			if got, want := scanInt(t, db, `SELECT count(*) FROM incidents`), int64(0); got != want {
				t.Errorf("run %d: %d incidents, want %d", run, got, want)
			}
			var dist, place string
			var killed int
			if err := db.QueryRow(`SELECT district_code, district_hint, killed FROM context_events WHERE incident_id = 'T-1'`).Scan(&dist, &place, &killed); err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(dist, " ", place, " ", killed), "PK001 Café 1"; got != want {
				t.Errorf("T-1: %s, want %s", got, want)
			}
			if got, want := scanInt(t, db, `SELECT rows_read FROM ingest_files WHERE replaced_by IS NULL`), int64(5); got != want {
				t.Errorf("ingest_files rows_read %d, want %d", got, want)
			}
		})
	}
}

func TestIngestContextEncodingWarning(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(strings.Replace(attacksLayout, "windows-1252", "utf-8", 1)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(writeFile(t, f.dir, "attacks.csv", attacks))
	cfg.Layout = l
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "windows-1252") {
		t.Errorf("warnings %q, want one advising windows-1252", rep.Warnings)
	}
	if got, want := rep.Read, rep.Accepted+rep.Rejected; got != want {
		t.Errorf("read %d != accepted %d + rejected %d", rep.Read, rep.Accepted, rep.Rejected)
	}
}

// TestIngestRealContext ingests the two Pakistan Body Count files of the
// shared data through their builtin layouts, over the real districts.
func TestIngestRealContext(t *testing.T) {
	shared, bpath := os.Getenv("OCMAP_SHARED_DATA"), os.Getenv("OCMAP_BOUNDARIES")
	if shared == "" || bpath == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs OCMAP_SHARED_DATA and OCMAP_BOUNDARIES")
		}
		t.Skip("OCMAP_SHARED_DATA or OCMAP_BOUNDARIES is not set")
	}
	b, err := geo.Load(bpath, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "context.duckdb")
	for _, tt := range []struct {
		layout, file   string
		read, accepted int64
		placeholders   int
		tribal         int64 // rows of Mohmand, Orakzai and Kurram at the FATA-wide point
		floor          float64
		wrongProvince  int
	}{
		// 4 rejects: injured "40+", "100+" and a web address; the weekday
		// "Thursay". The row whose point is outside every district is
		// placed by its city through the gazetteer. Every point that three
		// or more rows share is a city's point given to events all over the
		// city (Peshawar's to 71 rows naming 71 places): 413 rows at 30 such
		// points are placed by their names. A point that contradicts the
		// City is not believed when the Location names the City's district
		// ("Parachinar") or lies more than 2 km outside it; the two rows
		// whose Location names the point's district (Mastung, Jhal Magsi)
		// keep their point. Three rows name D.G Khan, in Punjab, with the
		// province KPK: the file's error, they stay in Punjab.
		{"pbc-suicide-attacks", "PakistanSuicideAttacks Ver 11 (30-November-2017).csv", 496, 492, 413, 14, 0.995, 3},
		// The political file gives the FATA-wide point to two North
		// Waziristan rows and one in Mohmand, and five rows points 3 to
		// 185 km outside the district their City names (a Parachinar
		// office at Swat's point): all placed by name.
		{"pbc-political-attacks", "Attacks_on_Political_Leaders_in_Pakistan.csv", 51, 51, 29, 1, 1, 0},
	} {
		t.Run(tt.layout, func(t *testing.T) {
			l, err := layout.Find(tt.layout)
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(shared, "incidents", tt.file)
			rep, err := pipeline.Ingest(context.Background(), pipeline.Config{
				DB: db, Boundaries: b, Inputs: []string{in}, KeepRaw: true, Version: "test", Layout: l,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Warnings) > 0 {
				t.Errorf("warnings: %q", rep.Warnings)
			}
			if got, want := fmt.Sprint(rep.Read, rep.Accepted), fmt.Sprint(tt.read, tt.accepted); got != want {
				t.Errorf("read, accepted = %s, want %s", got, want)
			}
			if got, want := rep.Read, rep.Accepted+rep.Rejected; got != want {
				t.Errorf("read %d != accepted %d + rejected %d", rep.Read, rep.Accepted, rep.Rejected)
			}
			if rep.Placeholders.Rows != tt.placeholders {
				t.Errorf("%d rows at placeholder points, want %d", rep.Placeholders.Rows, tt.placeholders)
			}
			t.Logf("placeholders: %+v", rep.Placeholders)
			t.Logf("%s: read %d, accepted %d, rejected %d", tt.file, rep.Read, rep.Accepted, rep.Rejected)
			query(t, db, func(db *sql.DB) {
				if got, want := scanInt(t, db, `SELECT rows_read FROM ingest_files WHERE source_file = ?`, in), tt.read; got != want {
					t.Errorf("ingest_files rows_read %d, want %d", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(*) FROM context_events WHERE source_file = ?`, in), rep.Accepted; got != want {
					t.Errorf("%d context events, want %d", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ?`, in), rep.Rejected; got != want {
					t.Errorf("%d rejects, want %d", got, want)
				}
				// The measures of issue 12: events in the district their
				// own City names, and events outside the province the row
				// states.
				agree, named, wrongProv, stated := placeMeasures(t, db, b, in)
				t.Logf("  in the district the row's place names say: %d of %d (%.2f%%); outside the stated province: %d of %d",
					agree, named, 100*float64(agree)/float64(named), wrongProv, stated)
				if got, want := float64(agree)/float64(named), tt.floor; got < want {
					t.Errorf("%.4f of events in the district their place names say, want at least %.4f", got, want)
				}
				if got, want := wrongProv, tt.wrongProvince; got != want {
					t.Errorf("%d events outside the province their row states, want %d", got, want)
				}
				t.Logf("  placed by point %d, by district name %d; notes %d",
					scanInt(t, db, `SELECT count(*) FROM context_events WHERE source_file = ? AND location_precision = 1`, in),
					scanInt(t, db, `SELECT count(*) FROM context_events WHERE source_file = ? AND location_precision = 3`, in),
					scanInt(t, db, `SELECT count(*) FROM context_events WHERE source_file = ? AND location_note IS NOT NULL`, in))
				// The FATA-wide point in North Waziristan no longer takes the
				// attacks in Mohmand, Orakzai and Kurram there.
				if got, want := scanInt(t, db, `SELECT count(*) FROM context_events WHERE source_file = ?
					AND lat = 32.9746 AND lon = 70.1456 AND district_name IN ('Mohmand', 'Orakzai', 'Kurram') AND location_precision = 3`, in),
					tt.tribal; got != want {
					t.Errorf("%d rows of the tribal agencies at the placeholder point placed by name, want %d", got, want)
				}
				if got := scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ? AND raw LIKE '%Benazir%'`, in); got != 0 {
					t.Errorf("%d rejects keep a politician's name", got)
				}
				rows, err := db.Query(`SELECT field, reason, count(*) FROM rejects WHERE source_file = ? GROUP BY ALL ORDER BY 3 DESC, 1, 2`, in)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var field, reason string
					var n int
					rows.Scan(&field, &reason, &n)
					t.Logf("  %d × %s: %s", n, field, reason)
				}
			})
		})
	}
}

const complaintsLayout = `name: test-complaints
title: test complaints
format: jsonl
match: [id, when, law, sec]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: when}
  district_hint: {column: where.district}
  statute: {column: law}
  section: {column: sec}
  amount_pkr: {column: loss, unit: pkr_thousand}
  description: {column: text}
personal:
  - {column: who, action: drop}
`

const complaints = `{"id":"C-1","when":"2023-03-02","law":"PECA","sec":"14","loss":"250","where":{"district":"alpha"},"who":"Nobody One","text":"call 0300-1234567"}
{"id":"C-2","when":"2023-03-03","law":"PPC","sec":"420","where":{"district":"beta"},"who":"Nobody Two"}
{"id":"C-3","when":
{"id":"C-4","when":"2023-03-04","law":"PECA 2016","sec":"20","where":{"district":"beta"},"who":"Nobody Four"}
`

// TestIngestIncidentLayout ingests a JSON Lines file of an incidents layout
// into the incidents table, with categories and ICCS codes from the legal
// crosswalk.
func TestIngestIncidentLayout(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(complaintsLayout))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(writeFile(t, f.dir, "complaints.jsonl", complaints))
	cfg.Layout = l
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "4 2 2"; got != want {
		t.Errorf("read accepted rejected = %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		var cat, iccs, desc, lay, dist string
		var amt float64
		var prec int
		if err := db.QueryRow(`SELECT category, iccs_code, description, layout, district_code, amount_pkr, date_precision
			FROM incidents WHERE incident_id = 'C-1'`).Scan(&cat, &iccs, &desc, &lay, &dist, &amt, &prec); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(cat, " ", iccs, " ", desc, " ", lay, " ", dist, " ", amt, " ", prec),
			"cybercrime 0701 call [PHONE] test-complaints PK001 250000 1"; got != want {
			t.Errorf("C-1: %s, want %s", got, want)
		}
		if got := scanInt(t, db, `SELECT count(*) FROM rejects WHERE raw LIKE '%Nobody%'`); got != 0 {
			t.Errorf("%d rejects keep a complainant's name", got)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM rejects WHERE field = 'section'`), int64(1); got != want {
			t.Errorf("%d section rejects, want %d", got, want)
		}
	})
}

const seizuresLayout = `name: test-seizures
title: test seizures
match: [Case, Date, Drug]
category: drug_trafficking
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: Case}
  occurred_on: {column: Date}
  lat: {column: Lat}
  lon: {column: Lon}
  district_hint: {column: District}
  substance: {column: Drug, map: {charas: hashish}}
  quantity: {column: Kg, unit: kg}
  seizing_agency: {value: ANF}
personal:
  - {column: Phone, action: hash, kind: phone}
`

const seizures = "Case,Date,Drug,Lat,Lon,District,Kg,Phone\n" +
	"S-1,2024-02-01,Charas,30.5,70.5,,12.5,0300-1234567\n" + // Alpha by point
	"S-2,2024-02-03,heroin,30.5,71.5,,2,+92 300 1234567\n" + // Beta by point; the same phone
	"S-3,2024-02-04,heroin,71.5,30.5,,1,\n" + // swapped: Beta
	"S-4,2024-02-05,bhang,,,Alpha,1,\n" // substance not mapped

// TestIngestIncidentDetails checks that a layout's category fields land in
// the category's own table and view, that swapped coordinates are
// corrected and noted, that personal columns are stored only as keyed
// hashes, and that ingesting the file again replaces its detail rows.
func TestIngestIncidentDetails(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(seizuresLayout))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(writeFile(t, f.dir, "seizures.csv", seizures))
	cfg.Layout = l
	if _, err := pipeline.Ingest(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "OCMAP_HASH_KEY") {
		t.Fatalf("ingest without a hash key: %v, want an error naming OCMAP_HASH_KEY", err)
	}
	cfg.HashKey = []byte("sixteen bytes or more of key")
	for run := 1; run <= 2; run++ {
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "4 3 1"; got != want {
			t.Errorf("run %d: read accepted rejected = %s, want %s", run, got, want)
		}
	}
	query(t, f.db, func(db *sql.DB) {
		rows, err := db.Query(`SELECT incident_id, district_code, subcategory, substance, seizing_agency, quantity,
				coalesce(location_note, '-'), lat, lon
			FROM drug_trafficking_incidents ORDER BY incident_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id, dist, sub, subst, agency, note string
			var qty, lat, lon float64
			if err := rows.Scan(&id, &dist, &sub, &subst, &agency, &qty, &note, &lat, &lon); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprint(id, " ", dist, " ", sub, " ", subst, " ", agency, " ", qty, " ", note, " ", lat, " ", lon))
		}
		want := []string{
			"S-1 PK001 hashish hashish ANF 12.5 - 30.5 70.5",
			"S-2 PK002 heroin heroin ANF 2 - 30.5 71.5",
			"S-3 PK002 heroin heroin ANF 1 coordinates swapped back: latitude and longitude were exchanged in the source 30.5 71.5",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("drug_trafficking_incidents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM drug_trafficking`), int64(3); got != want {
			t.Errorf("drug_trafficking has %d rows after two runs of one file, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(DISTINCT person_keys) FROM incidents WHERE person_keys LIKE 'phone=h:%'`), int64(1); got != want {
			t.Errorf("%d distinct phone hashes, want %d (one number, two spellings)", got, want)
		}
		if got := scanInt(t, db, `SELECT count(*) FROM incidents WHERE person_keys LIKE '%1234567%'
				OR EXISTS (SELECT 1 FROM rejects WHERE raw LIKE '%1234567%')`); got != 0 {
			t.Errorf("%d rows keep the phone number in clear", got)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM cybercrime_incidents`), int64(0); got != want {
			t.Errorf("cybercrime_incidents has %d rows, want %d", got, want)
		}
	})
}

// placeMeasures compares where ingest put each event of file with what the
// row itself says: the district its place names give (its Location when
// that names one district, else its City), and the province it states.
func placeMeasures(t *testing.T, db *sql.DB, b *geo.Boundaries, file string) (agree, named, wrongProv, stated int) {
	t.Helper()
	g, _, err := geo.NewGazetteer(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	aliases, err := geo.ReadAliases(bytes.NewReader(data.GazetteerAliases))
	if err != nil {
		t.Fatal(err)
	}
	if g, _, err = geo.NewGazetteer(b, aliases); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT source_line, coalesce(district_hint, ''), coalesce(province_hint, ''), coalesce(district_code, ''),
		coalesce(province, ''), occurred_on, coalesce(location_note, ''), coalesce(place, '') FROM context_events WHERE source_file = ? ORDER BY source_line`, file)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line int64
		var hint, prov, code, at, note, place string
		var on sql.NullTime
		if err := rows.Scan(&line, &hint, &prov, &code, &at, &on, &note, &place); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(note, "km outside") || strings.Contains(note, "and the place") {
			t.Logf("  line %d: %s", line, note)
		}
		// The district the row's place names say: its City's, or, for a
		// City of several districts (Karachi), the one of them its
		// Location names.
		say := -1
		m := g.Match(hint, prov, on.Time)
		switch {
		case m.District >= 0:
			say = m.District
		case len(m.Candidates) > 1 && m.Candidates[1].Score == 1:
			text := strings.ReplaceAll(strings.ToLower(place), strings.ToLower(strings.TrimSpace(hint)), " ")
			for _, d := range g.Mentions(text, prov, on.Time) {
				for _, c := range m.Candidates {
					if c.District == d {
						say = d
					}
				}
			}
		}
		if say >= 0 {
			named++
			if b.Districts[say].Code == code {
				agree++
			} else {
				t.Logf("  line %d: City %q, place %q (%s) say %s, placed in %q (%s)", line, hint, place, prov, b.Districts[say].Name, code, note)
			}
		}
		if p, ok := geo.NormalizeProvince(prov); ok {
			stated++
			if q, _ := geo.NormalizeProvince(at); q != p {
				wrongProv++
				t.Logf("  line %d: stated province %q, placed in %q (City %q; %s)", line, prov, at, hint, note)
			}
		}
	}
	return agree, named, wrongProv, stated
}

// TestIngestFooterReported: a layout's footer_rows drops the last rows of a
// file (a totals row); a file exported without one loses its last incident
// that way, so the report names every line it dropped, in the ingest and
// in 'layouts check', instead of leaving read = accepted + rejected to hide
// it.
func TestIngestFooterReported(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(strings.Replace(seizuresLayout, "category: drug_trafficking", "category: drug_trafficking\nfooter_rows: 1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, f.dir, "seizures.csv", "Case,Date,Drug,Lat,Lon,District,Kg,Phone\n"+
		"S-1,2024-02-01,Charas,30.5,70.5,,12.5,\n"+
		"S-2,2024-02-03,heroin,30.5,71.5,,2,\n") // no totals row: S-2 is the footer
	cfg := f.config(in)
	cfg.Layout = l
	cfg.HashKey = []byte("sixteen bytes or more of key")
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected, rep.Files[0].Footer), "1 1 0 [3]"; got != want {
		t.Errorf("read accepted rejected footer = %s, want %s", got, want)
	}
	chk, err := pipeline.Check(context.Background(), in, l, locate.New(f.b), 0, read.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(chk.Footer), "[3]"; got != want {
		t.Errorf("layouts check footer lines %s, want %s", got, want)
	}
}

// TestIngestManySmallLayoutFiles ingests 300 files of 20 rows through a
// layout in one run, within the 256 MB DuckDB limit: before, each file's
// insert kept a row group and a temporary table of its own in memory until
// the commit (about 6 MB a file), and the run ran out of memory by its 50th
// file.
func TestIngestManySmallLayoutFiles(t *testing.T) {
	const files, rows = 300, 20
	f := newFixture(t)
	l, err := layout.Parse("test.yaml", []byte(seizuresLayout))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for i := range files {
		var b strings.Builder
		b.WriteString("Case,Date,Drug,Lat,Lon,District,Kg,Phone\n")
		for j := range rows {
			fmt.Fprintf(&b, "S-%d-%d,2024-02-%02d,heroin,30.5,70.5,,1,\n", i, j, 1+j)
		}
		inputs = append(inputs, writeFile(t, f.dir, fmt.Sprintf("seizures-%03d.csv", i), b.String()))
	}
	cfg := f.config(inputs...)
	cfg.Layout = l
	cfg.HashKey = []byte("sixteen bytes or more of key")
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), fmt.Sprint(files*rows, files*rows, 0); got != want {
		t.Errorf("read accepted rejected = %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		for q, want := range map[string]int64{
			`SELECT count(*) FROM incidents`:                               files * rows,
			`SELECT count(*) FROM drug_trafficking`:                        files * rows,
			`SELECT count(DISTINCT source_file) FROM incidents`:            files,
			`SELECT count(*) FROM ingest_files`:                            files,
			`SELECT count(*) FROM incidents WHERE district_code = 'PK001'`: files * rows,
		} {
			if got := scanInt(t, db, q); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
	})
}
