//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
)

// TestPlaceholderPoints: one point given for rows whose names lie in Alpha
// and Beta is a placeholder, and its rows are placed by their names, those
// without a usable name in the point's province; a point far from Beta
// that Beta's names contradict loses to them row by row; another file's
// rows at the same point are not touched.
func TestPlaceholderPoints(t *testing.T) {
	f := newFixture(t)
	// Two names a placeholder rule counts as different places: Alpha and
	// Beta; no name and Atlantis are no place. Points of four decimals, so
	// the coarse rule stays out of it.
	rows := []string{
		"P1,cybercrime,hacking,2023-01-05,30.2345,70.2345,Alpha,FIA,,,",    // 2: agrees with the point, which is a placeholder
		"P2,cybercrime,hacking,2023-01-06,30.2345,70.2345,Beta,FIA,,,",     // 3: Beta by name
		"P3,cybercrime,hacking,2023-01-07,30.2345,70.2345,,FIA,,,",         // 4: no name: the point's province
		"P4,cybercrime,hacking,2023-01-08,30.2345,70.2345,atlantis,FIA,,,", // 5: unknown name: the point's province
		"Q1,cybercrime,hacking,2023-01-09,30.7,70.7,Beta,FIA,,,",           // 6: 33 km outside Beta: the name wins
		"Q2,cybercrime,hacking,2023-01-10,30.7,70.7,beta,FIA,,,",           // 7: the same
		"R1,cybercrime,hacking,2023-01-11,30.5,71.5,Beta,FIA,,,",           // 8: agrees, alone at its point
	}
	in := writeFile(t, f.dir, "points.csv", header+"\n"+strings.Join(rows, "\n")+"\n")
	other := writeFile(t, f.dir, "other.csv", header+"\nO1,cybercrime,hacking,2023-01-12,30.2345,70.2345,Alpha,FIA,,,\n")
	rep := f.ingest(t, in, other)
	if got, want := fmt.Sprint(rep.Placeholders), "{4 1 map[places:4] 2}"; got != want {
		t.Errorf("placeholders %s, want %s (P1-P4 at one point naming 3 places, P3-P4 moved: P2 went to Beta by its name before)", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		got := map[string]string{}
		r, err := db.Query(`SELECT incident_id, coalesce(district_name, '-'), province, location_precision, match_method, coalesce(location_note, '')
			FROM incidents ORDER BY incident_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var id, name, prov, method, note string
			var prec int
			if err := r.Scan(&id, &name, &prov, &prec, &method, &note); err != nil {
				t.Fatal(err)
			}
			got[id] = fmt.Sprintf("%s %s %d %s", name, prov, prec, method)
			if strings.HasPrefix(id, "P") && !strings.Contains(note, "the point (30.2345, 70.2345) is given to 4 rows of this file naming 3 different places") {
				t.Errorf("%s: note %q", id, note)
			}
		}
		for id, want := range map[string]string{
			"P1": "Alpha North 3 exact",
			"P2": "Beta South 3 exact",
			"P3": "- North 4 province",
			"P4": "- North 4 province",
			"Q1": "Beta South 3 exact",
			"Q2": "Beta South 3 exact",
			"R1": "Beta South 1 point",
			"O1": "Alpha North 1 point",
		} {
			if got[id] != want {
				t.Errorf("%s: %q, want %q", id, got[id], want)
			}
		}
		// The summaries count the rows where they now are.
		if got, want := scanInt(t, db, `SELECT sum(incidents) FROM district_month WHERE district_code = 'PK002'`), int64(4); got != want {
			t.Errorf("Beta: %d incidents, want %d (P2, Q1, Q2, R1)", got, want)
		}
		if got, want := scanInt(t, db, `SELECT sum(by_province) FROM district_month WHERE district_code IS NULL AND province = 'North'`), int64(2); got != want {
			t.Errorf("North, no district: %d incidents, want %d (P3, P4)", got, want)
		}
	})
}

// BenchmarkPlaceholderPoints ingests 100,000 rows at 1,000 points whose
// names alternate between Alpha and Beta, the worst case: every row is at
// a placeholder point and placed anew. placeholder-ms is that pass alone.
func BenchmarkPlaceholderPoints(b *testing.B) {
	f := newFixture(b)
	var sb strings.Builder
	sb.WriteString(header + "\n")
	const rows, points = 100000, 1000
	for i := range rows {
		p := i % points
		name := [2]string{"Alpha", "Beta"}[i/points%2]
		fmt.Fprintf(&sb, "X%d,cybercrime,hacking,2023-01-05,%.4f,%.4f,%s,FIA,,,\n", i, 30.1+float64(p/40)*0.03, 70.1+float64(p%40)*0.02, name)
	}
	in := writeFile(b, f.dir, "points.csv", sb.String())
	var spent int64
	i := 0
	for b.Loop() {
		cfg := f.config(in)
		cfg.DB = fmt.Sprintf("%s/bench-%d.duckdb", f.dir, i)
		i++
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Placeholders.Rows != rows {
			b.Fatalf("%d rows placed anew, want %d", rep.Placeholders.Rows, rows)
		}
		spent += rep.Timings.Placeholders.Milliseconds()
	}
	b.ReportMetric(float64(spent)/float64(b.N), "placeholder-ms")
}

// placesLayout reads a media tracker's rows: a City column naming the
// district and a Location column naming the place inside it, as the PBC
// files do.
const placesLayout = `name: test-tracker
title: test tracker
kind: context
event_type: attack
match: [id, date, city, location, lat, lon]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: date}
  district_hint: {column: city}
  place: {column: location}
  lat: {column: lat}
  lon: {column: lon}
`

// TestPlaceholderRules reproduces each class of placeholder point that a
// file can hold, with its own rows: the point of a neighbouring district
// given to the villages of another (every name agrees, on the other
// district), a two-decimal point, one point over years; and two real
// points that must stay: two events at one site on one day, three at one
// shrine within a year.
func TestPlaceholderRules(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("tracker.yaml", []byte(placesLayout))
	if err != nil {
		t.Fatal(err)
	}
	rows := []string{
		// Beta's villages, all at one point in Alpha: moved to Beta.
		"V1,2023-01-01,Beta,Village One,30.5123,70.5123",
		"V2,2023-02-01,Beta,Village Two,30.5123,70.5123",
		"V3,2023-03-01,Beta,Near Village Three,30.5123,70.5123",
		"V4,2023-04-01,Beta district,Village Four,30.5123,70.5123",
		"V5,2023-05-01,beta,Village Five (near the road),30.5123,70.5123",
		// A two-decimal point in Alpha for two places in Beta.
		"C1,2023-01-01,Beta,Bazaar,30.25,70.25",
		"C2,2023-01-02,Beta,Hospital,30.25,70.25",
		// One point over three years: a placeholder though the names agree.
		"D1,2019-01-01,Alpha,Main Bazaar,30.4444,70.4444",
		"D2,2020-06-01,Alpha,Main Bazaar,30.4444,70.4444",
		"D3,2021-12-01,Alpha,main bazaar,30.4444,70.4444",
		// Real points: two places on one day, one shrine within a year.
		"K1,2023-01-01,Alpha,Gate One,30.6789,70.6789",
		"K2,2023-01-01,Alpha,Gate Two,30.6789,70.6789",
		"S1,2023-01-01,Alpha,Shrine,30.7777,70.7777",
		"S2,2023-05-01,Alpha,Shrine,30.7777,70.7777",
		"S3,2023-11-01,Alpha,shrine,30.7777,70.7777",
	}
	cfg := f.config(writeFile(t, f.dir, "tracker.csv", "id,date,city,location,lat,lon\n"+strings.Join(rows, "\n")+"\n"))
	cfg.Layout = l
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Beta's rows went to Beta by their names before (their point is far
	// outside it): the pass moves none, but says what their point is.
	if got, want := fmt.Sprint(rep.Placeholders), "{10 3 map[coarse:2 dates:3 places:5] 0}"; got != want {
		t.Errorf("placeholders %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		r, err := db.Query(`SELECT incident_id, coalesce(district_name, '-'), location_precision, coalesce(location_note, '')
			FROM context_events ORDER BY incident_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got := map[string]string{}
		notes := map[string]string{}
		for r.Next() {
			var id, name, note string
			var prec int
			if err := r.Scan(&id, &name, &prec, &note); err != nil {
				t.Fatal(err)
			}
			got[id] = fmt.Sprintf("%s %d", name, prec)
			notes[id] = note
		}
		for _, id := range []string{"V1", "V2", "V3", "V4", "V5", "C1", "C2"} {
			if got[id] != "Beta 3" {
				t.Errorf("%s: %q, want Beta by name", id, got[id])
			}
		}
		for _, id := range []string{"D1", "D2", "D3"} {
			if got[id] != "Alpha 3" {
				t.Errorf("%s: %q, want Alpha by name", id, got[id])
			}
		}
		for _, id := range []string{"K1", "K2", "S1", "S2", "S3"} {
			if got[id] != "Alpha 1" || notes[id] != "" {
				t.Errorf("%s: %q (%q), want Alpha by its point", id, got[id], notes[id])
			}
		}
		for id, want := range map[string]string{
			"V1": "the point (30.5123, 70.5123) is given to 5 rows of this file naming 5 different places: a placeholder, not where the event was; placed by its name",
			"C1": "the point (30.25, 70.25), given to two decimals, is shared by 2 rows of this file naming 2 different places: approximate; placed by its name",
			"D1": "the point (30.4444, 70.4444) is given to 3 rows of this file over 1065 days: a placeholder, not where the event was; placed by its name",
		} {
			if notes[id] != want {
				t.Errorf("%s: note %q\nwant %q", id, notes[id], want)
			}
		}
	})
}

// TestLayoutPoints tells ocmap how good a file's points are: a layout
// whose points are district centroids (points: approximate) has its rows
// placed by their names, even where the point lies just inside the
// neighbour; ignore uses names only; a point_precision column (ACLED's
// geo_precision) says it row by row.
func TestLayoutPoints(t *testing.T) {
	rows := []string{
		"A1,2023-01-01,Beta,Village One,30.5,70.99,1",         // 1 km inside Alpha: Beta's centroid misplaced
		"A2,2023-01-02,,Somewhere,30.5123,70.5123,2",          // no name: the point, approximate
		"A3,2023-01-03,Alpha,Village Three,30.4321,70.4321,3", // agrees with its point
	}
	in := "id,date,city,location,lat,lon,prec\n" + strings.Join(rows, "\n") + "\n"
	for _, tt := range []struct {
		name, points, prec string
		want               map[string]string
		rejects            int64
	}{
		{"exact (default)", "", "", map[string]string{"A1": "Alpha 1", "A2": "Alpha 1", "A3": "Alpha 1"}, 0},
		{"approximate", "points: approximate\n", "", map[string]string{"A1": "Beta 3", "A2": "Alpha 2", "A3": "Alpha 3"}, 0},
		{"ignore", "points: ignore\n", "", map[string]string{"A1": "Beta 3", "A3": "Alpha 3"}, 1},
		{"per row", "", "  point_precision: {column: prec, map: {'1': exact, '2': approximate, '3': ignore}}\n",
			map[string]string{"A1": "Alpha 1", "A2": "Alpha 2", "A3": "Alpha 3"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			l, err := layout.Parse("tracker.yaml", []byte(strings.Replace(placesLayout, "fields:\n", tt.points+"fields:\n", 1)+tt.prec))
			if err != nil {
				t.Fatal(err)
			}
			cfg := f.config(writeFile(t, f.dir, "tracker.csv", in))
			cfg.Layout = l
			rep, err := pipeline.Ingest(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.Rejected, tt.rejects; got != want {
				t.Errorf("%d rejects, want %d", got, want)
			}
			query(t, f.db, func(db *sql.DB) {
				r, err := db.Query(`SELECT incident_id, coalesce(district_name, '-'), location_precision FROM context_events`)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				got := map[string]string{}
				for r.Next() {
					var id, name string
					var prec int
					if err := r.Scan(&id, &name, &prec); err != nil {
						t.Fatal(err)
					}
					got[id] = fmt.Sprintf("%s %d", name, prec)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("placed %v, want %v", got, tt.want)
				}
			})
		})
	}
	t.Run("unknown code", func(t *testing.T) {
		f := newFixture(t)
		l, err := layout.Parse("tracker.yaml", []byte(placesLayout+"  point_precision: {column: prec, map: {'1': exact}}\n"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := f.config(writeFile(t, f.dir, "tracker.csv", "id,date,city,location,lat,lon,prec\nB1,2023-01-01,Alpha,x,30.5,70.5,9\n"))
		cfg.Layout = l
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%d %s", rep.Rejected, rep.FirstRejects[0].Field), "1 point_precision"; got != want {
			t.Errorf("rejected %s, want %s (%+v)", got, want, rep.FirstRejects)
		}
	})
	if _, err := layout.Parse("bad.yaml", []byte(strings.Replace(placesLayout, "fields:\n", "points: roughly\nfields:\n", 1))); err == nil ||
		!strings.Contains(err.Error(), `points: "roughly": want one of exact, approximate, ignore`) {
		t.Errorf("points: roughly: %v", err)
	}
}

// TestLayoutNarrative places rows that give their place only inside a
// sentence, through a layout's narrative field.
func TestLayoutNarrative(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("press.yaml", []byte(`name: test-press
title: test press timeline
kind: context
event_type: attack
match: [id, date, text]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: date}
  narrative: {column: text}
  description: {column: text}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(writeFile(t, f.dir, "press.csv", "id,date,text\n"+
		"N1,2023-01-01,a bomb went off in the bazaar of Beta district\n"+
		"N2,2023-01-02,militants from Alpha attacked a post in Beta\n"+
		"N3,2023-01-03,attack near Alpha\n"+
		"N4,2023-01-04,a water tank was blown up\n"))
	cfg.Layout = l
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "4 3 1"; got != want {
		t.Errorf("read accepted rejected %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		r, err := db.Query(`SELECT incident_id, district_name, location_precision, match_method, location_note FROM context_events ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var got []string
		for r.Next() {
			var id, name, method, note string
			var prec int
			if err := r.Scan(&id, &name, &prec, &method, &note); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %s %d %s %s", id, name, prec, method, note))
		}
		want := []string{
			`N1 Beta 3 text found in the text: "Beta district"`,
			`N2 Beta 3 text found in the text: "Beta"`,
			`N3 Alpha 3 text found in the text: "Alpha"`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("placed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestPlaceholderNoPlaceNames: names that name no place ("N/A", "unknown",
// "-") are not places, so a point that rows give with them and one real
// name is not a point "for many different places": every row keeps it.
// The no-place names are not stored.
func TestPlaceholderNoPlaceNames(t *testing.T) {
	f := newFixture(t)
	rows := []string{
		"N1,cybercrime,hacking,2023-01-05,30.2345,70.2345,Alpha,FIA,,,",
		"N2,cybercrime,hacking,2023-01-06,30.2345,70.2345,N/A,FIA,,,",
		"N3,cybercrime,hacking,2023-01-07,30.2345,70.2345,unknown,FIA,,,",
		"N4,cybercrime,hacking,2023-01-08,30.2345,70.2345,-,FIA,,,",
		"N5,cybercrime,hacking,2023-01-09,,,Not Known,FIA,,,", // rejected: no place at all
	}
	rep := f.ingest(t, writeFile(t, f.dir, "na.csv", header+"\n"+strings.Join(rows, "\n")+"\n"))
	if got, want := fmt.Sprint(rep.Placeholders), "{0 0 map[] 0}"; got != want {
		t.Errorf("placeholders %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE district_name = 'Alpha' AND location_precision = 1`), int64(4); got != want {
			t.Errorf("%d rows in Alpha by their point, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(district_hint) FROM incidents`), int64(1); got != want {
			t.Errorf("%d district hints stored, want %d (Alpha)", got, want)
		}
		var reason string
		if err := db.QueryRow(`SELECT reason FROM rejects`).Scan(&reason); err != nil {
			t.Fatal(err)
		}
		if want := `no coordinates and no district name (district_hint "Not Known" names no place)`; reason != want {
			t.Errorf("reject reason %q, want %q", reason, want)
		}
	})
}

// TestLayoutNoPlaceNames: the canonical reader's rule for names that name
// no place holds for every layout's place, province_hint and district_hint
// alike, incidents and context events: "N/A", "unknown", "-", "NA", "none",
// "nil" and "not known" in the place column are not stored and are not
// places. Before, four rows at one point whose place said "N/A", "unknown",
// "-" and "n/a" named "three different places": the point was taken for a
// placeholder, and every row was moved off it to its name.
func TestLayoutNoPlaceNames(t *testing.T) {
	for _, kind := range []string{"incidents", "context"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t)
			cat, table := "category: cybercrime", "incidents"
			if kind == "context" {
				cat, table = "kind: context\nevent_type: attack", "context_events"
			}
			l, err := layout.Parse("na.yaml", []byte(`name: test-na
title: test placeholders in place columns
`+cat+`
match: [id, date, city, place]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: date}
  lat: {column: lat}
  lon: {column: lon}
  district_hint: {column: city}
  province_hint: {column: province}
  place: {column: place}
  source: {value: test}
`))
			if err != nil {
				t.Fatal(err)
			}
			cfg := f.config(writeFile(t, f.dir, "na.csv", "id,date,lat,lon,city,province,place\n"+
				"P1,2023-01-01,30.2345,70.2345,Alpha,Punjab,N/A\n"+
				"P2,2023-01-02,30.2345,70.2345,Alpha,unknown,unknown\n"+
				"P3,2023-01-03,30.2345,70.2345,Alpha,-,-\n"+
				"P4,2023-01-04,30.2345,70.2345,Alpha,NA,n/a\n"+
				"P5,2023-01-05,30.2345,70.2345,Alpha,none,none\n"+
				"P6,2023-01-06,30.2345,70.2345,Alpha,nil,Not Known\n"+
				"P7,2023-01-07,,,N/A,N/A,N/A\n"+ // rejected: no place at all
				"P8,2023-01-08,,,,Punjab,Alpha Bazaar\n"))
			cfg.Layout = l
			rep, err := pipeline.Ingest(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "8 7 1"; got != want {
				t.Errorf("read accepted rejected %s, want %s", got, want)
			}
			if got, want := fmt.Sprint(rep.Placeholders), "{0 0 map[] 0}"; got != want {
				t.Errorf("placeholders %s, want %s", got, want)
			}
			query(t, f.db, func(db *sql.DB) {
				if got, want := scanInt(t, db, `SELECT count(*) FROM `+table+` WHERE district_name = 'Alpha' AND location_precision = 1`), int64(6); got != want {
					t.Errorf("%d rows in Alpha by their point, want %d", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(place) FROM `+table), int64(1); got != want {
					t.Errorf("%d places stored, want %d (Alpha Bazaar)", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(province_hint) FROM `+table), int64(2); got != want {
					t.Errorf("%d province hints stored, want %d (Punjab twice)", got, want)
				}
				var reason string
				if err := db.QueryRow(`SELECT reason FROM rejects`).Scan(&reason); err != nil {
					t.Fatal(err)
				}
				if want := `no coordinates and no district name (district_hint "N/A" names no place)`; reason != want {
					t.Errorf("reject reason %q, want %q", reason, want)
				}
			})
		})
	}
}

// TestIngestUTF16: a canonical file saved as UTF-16 with its byte-order
// mark (Excel's "Unicode text", or a CSV re-encoded by a Windows tool) is
// read as text, as a UTF-8 byte-order mark is skipped. Before, ingest
// stopped at the header: "field 1 holds the control character 0x00".
func TestIngestUTF16(t *testing.T) {
	f := newFixture(t)
	text := header + "\r\nU1,cybercrime,fraud,2023-01-05,,,Alpha,FIA,,1000,قصور\r\nU2,cybercrime,fraud,2023-01-06,30.5,71.5,,FIA,,,\r\n"
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		units := utf16.Encode([]rune("\ufeff" + text))
		b := make([]byte, 2*len(units))
		for i, u := range units {
			order.PutUint16(b[2*i:], u)
		}
		name := fmt.Sprintf("unicode-%v.csv", order)
		rep := f.ingest(t, writeFile(t, f.dir, name, string(b)))
		if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), "2 2 0"; got != want {
			t.Errorf("%s: read accepted rejected %s, want %s", name, got, want)
		}
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE description = 'قصور' AND district_name = 'Alpha'`), int64(2); got != want {
			t.Errorf("%d rows with their Urdu text, want %d", got, want)
		}
	})
}
