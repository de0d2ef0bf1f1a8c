//go:build duckdb_arrow

package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/schemas"
)

// reviewStore holds one run with rows of every review kind, in incidents,
// context_events and rejects.
func reviewStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, "review.duckdb", Options{Threads: 2})
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	type placed struct {
		table, hint, prov, code, name, province, method string
		score                                           float64
		note                                            string
		line                                            int
	}
	const pointNote = `the point is in Beta but the name "Alpha" is Alpha: the point is kept`
	rows := []placed{
		{"incidents", "Alpha", "", "PK001", "Alpha", "North", "exact", 1, "", 2},
		{"incidents", "Alfa", "North", "PK001", "Alpha", "North", "fuzzy", 0.95, "", 3},
		{"incidents", "Alfa", "North", "PK001", "Alpha", "North", "fuzzy", 0.95, "", 4},
		{"context_events", "Alfa", "North", "PK001", "Alpha", "North", "fuzzy", 0.95, "", 5},
		{"incidents", "Betta", "", "PK002", "Beta", "South", "fuzzy", 0.93, "", 6},
		{"incidents", "Bet Alpha", "North", "", "", "North", "province", 0, `the name "Bet Alpha" is not one district: kept in the province`, 7},
		{"incidents", "Alpha", "North", "PK002", "Beta", "South", "point", 1, pointNote, 8},
		{"context_events", "Alpha", "", "PK002", "Beta", "South", "point", 1, pointNote, 9},
		{"context_events", "Alpha", "South", "PK002", "Beta", "South", "point", 1, pointNote, 10},
		{"incidents", "Alpha", "North", "PK001", "Alpha", "North", "exact", 1, placeholderNote + "; placed by its name", 11},
		{"incidents", "Beta", "FATA", "PK002", "Beta", "South", "exact", 1, placeholderNote + "; placed by its name", 12},
		{"incidents", "Beta", "", "PK002", "Beta", "South", "exact", 1, coarseNote + "; placed by its name", 13},
		{"incidents", "Beta", "South", "PK002", "Beta", "South", "exact", 1, overNote, 30},
		{"context_events", "beta", "South", "PK002", "Beta", "South", "alias", 1, overNote2, 31},
		{"incidents", "Beta", "South", "PK002", "Beta", "South", "exact", 1, outsideNote, 32},
		{"incidents", "Alpha", "", "PK002", "Beta", "South", "point", 1, farNote, 33},
		{"incidents", "Near Wana", "", "PK001", "Alpha", "North", "place", 1, nearNote, 34},
		{"context_events", "", "", "PK001", "Alpha", "North", "text", 1, `found in the text: "Alpha"`, 35},
		{"context_events", "", "", "", "", "North", "province", 0, `found in the text: "North": kept in the province`, 36},
		{"incidents", "", "", "PK001", "Alpha", "North", "point", 1, schemas.NoteSwapped, 37},
		{"incidents", "", "", "PK002", "Beta", "South", "point", 1, schemas.NoteSwapped, 38},
	}
	for _, x := range rows {
		var code, name any
		if x.code != "" {
			code, name = x.code, x.name
		}
		var prov, note any
		if x.prov != "" {
			prov = x.prov
		}
		if x.note != "" {
			note = x.note
		}
		q := `INSERT INTO incidents (incident_id, category, occurred_on, district_hint, province_hint, district_code, district_name,
			province, match_method, match_score, location_note, source_file, source_line, run_id, location_precision)
			VALUES ('I', 'drug_trafficking', DATE '2023-01-01', ?, ?, ?, ?, ?, ?, ?, ?, 'in.csv', ?, ?, 3)`
		if x.table == "context_events" {
			q = `INSERT INTO context_events (incident_id, event_type, occurred_on, district_hint, province_hint, district_code, district_name,
			province, match_method, match_score, location_note, source_file, source_line, run_id, location_precision)
			VALUES ('C', 'suicide_attack', DATE '2023-01-01', ?, ?, ?, ?, ?, ?, ?, ?, 'ctx.csv', ?, ?, 3)`
		}
		if _, err := r.conn.ExecContext(ctx, q, x.hint, prov, code, name, x.province, x.method, x.score, note, x.line, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		line          int
		field, reason string
	}{
		{20, "district_hint", `unknown district name: "Atlantis"`},
		{21, "district_hint", `unknown district name (closest: Alpha 0.85): "Alpho Town"`},
		{22, "district_hint", `unknown district name: "Atlantis"`},
		{23, "lat", `coordinates are outside every district and the district name is not known: "40.1"`},
		{24, "occurred_on", `not a date: "yesterday"`},
		{25, "district_hint", `unknown district name: (value withheld: looks like personal data)`},
	} {
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO rejects VALUES (?, 'in.csv', ?, ?, ?, '')`, r.ID, x.line, x.field, x.reason); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(ctx, "[]", 17, 11, 6, "test"); err != nil {
		t.Fatal(err)
	}
	return st
}

// Notes of each kind that pipeline/locate and the placeholder pass write.
const (
	coarseNote  = "the point (30.25, 70.25), given to two decimals, is shared by 2 rows of this file naming 2 different places: approximate"
	overNote    = `the point is in Alpha, 33 km outside Beta that the name "Beta" gives: placed by its name, not its point`
	overNote2   = `the point is in Alpha but the name "beta" and the place "Village" are in Beta: placed by its name, not its point`
	outsideNote = `the point (30.5000, 70.5000) is in Alpha, North, outside the province the row gives (South); placed by its name "Beta"`
	farNote     = "the point is in Beta but the place Wana (GeoNames) is 59 km away in Alpha: the point is kept"
	nearNote    = "near Wana, a GeoNames place at 70.5000 E 30.5000 N"
)

const placeholderNote = "the point (30.2000, 70.2000) is given to 2 rows of this file whose names lie in 2 districts (Alpha, Beta): " +
	"a placeholder, not where the event was"

func TestReview(t *testing.T) {
	st := reviewStore(t)
	const pointNote = `the point is in Beta but the name "Alpha" is Alpha: the point is kept`
	all := []ReviewRow{
		{Kind: ReviewUnmatched, Name: "Atlantis", Count: 2, Example: "in.csv:20"},
		{Kind: ReviewUnmatched, Name: ReviewWithheld, Count: 1, Example: "in.csv:25"},
		{Kind: ReviewUnmatched, Name: ReviewSeeRejects, Count: 1, Note: "coordinates are outside every district and the district name is not known", Example: "in.csv:23"},
		{Kind: ReviewUnmatched, Name: "Alpho Town", Count: 1, Note: "closest: Alpha 0.85", Example: "in.csv:21"},
		{Kind: ReviewProvince, Name: "Bet Alpha", Province: "North", Count: 1, Result: "North", Method: "province",
			Note: `the name "Bet Alpha" is not one district: kept in the province`, Example: "in.csv:7"},
		{Kind: ReviewFuzzy, Name: "Alfa", Province: "North", Count: 3, Result: "Alpha", Method: "fuzzy", Score: 0.95, Example: "ctx.csv:5"},
		{Kind: ReviewFuzzy, Name: "Betta", Count: 1, Result: "Beta", Method: "fuzzy", Score: 0.93, Example: "in.csv:6"},
		{Kind: ReviewPointKept, Name: "point in Beta, name Alpha", Province: "North, South", Count: 3, Result: "Beta", Method: "point", Score: 1, Note: pointNote, Example: "ctx.csv:9"},
		{Kind: ReviewNameOver, Name: "point in Alpha, name Beta", Province: "South", Count: 2, Result: "Beta", Method: "alias", Score: 1, Note: overNote2, Example: "ctx.csv:31"},
		{Kind: ReviewOutside, Name: "point in Alpha, North", Province: "South", Count: 1, Result: "Beta", Method: "exact", Score: 1, Note: outsideNote, Example: "in.csv:32"},
		{Kind: ReviewPlaceFar, Name: "point in Beta, Wana in Alpha", Count: 1, Result: "Beta", Method: "point", Score: 1, Note: farNote, Example: "in.csv:33"},
		{Kind: ReviewPlaceholder, Name: "(30.2000, 70.2000)", Province: "FATA, North", Count: 2, Result: "by name",
			Note: "the point (30.2000, 70.2000) is given to 2 rows of this file whose names lie in 2 districts (Alpha, Beta)", Example: "in.csv:11"},
		{Kind: ReviewPlaceholder, Name: "(30.25, 70.25)", Count: 1, Result: "by name",
			Note: "the point (30.25, 70.25), given to two decimals, is shared by 2 rows of this file naming 2 different places", Example: "in.csv:13"},
		{Kind: ReviewNearPlace, Name: "Near Wana", Count: 1, Result: "Alpha", Method: "place", Score: 1, Note: nearNote, Example: "in.csv:34"},
		{Kind: ReviewText, Name: "(narrative text)", Count: 1, Result: "Alpha", Method: "text", Score: 1, Note: `found in the text: "Alpha"`, Example: "ctx.csv:35"},
		{Kind: ReviewText, Name: "(narrative text)", Count: 1, Result: "North", Method: "province", Note: `found in the text: "North": kept in the province`, Example: "ctx.csv:36"},
		{Kind: ReviewSwapped, Name: "in.csv", Count: 2, Note: schemas.NoteSwapped, Example: "in.csv:37"},
	}
	tests := []struct {
		name string
		top  int
		want []ReviewRow
	}{
		{"all", 0, all},
		{"top 1", 1, []ReviewRow{all[0], all[4], all[5], all[7], all[8], all[9], all[10], all[11], all[13], all[14], all[16]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Review(context.Background(), tt.top)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				// match_score is a FLOAT column: compare at its precision.
				got[i].Score = float64(float32(got[i].Score))
			}
			want := append([]ReviewRow(nil), tt.want...)
			// Each kind's lines and rows in all, whatever top leaves out.
			lines, rows := map[string]int64{}, map[string]int64{}
			for _, r := range all {
				lines[r.Kind]++
				rows[r.Kind] += r.Count
			}
			for i := range want {
				want[i].Score = float64(float32(want[i].Score))
				want[i].KindLines, want[i].KindRows = lines[want[i].Kind], rows[want[i].Kind]
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Review(%d) =\n%+v\nwant\n%+v", tt.top, got, want)
			}
		})
	}
}

func TestReviewEmpty(t *testing.T) {
	st := commitRuns(t, []rec{{file: "a.csv", id: "A1", date: "2023-01-01"}})
	got, err := st.Review(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("Review of a store without names to review = %+v, want none", got)
	}
}

// TestReviewNamesAgainstTheRow: a row that its name placed in another
// province than the row states ("Mirpur" from a Sindh file is Mirpur of
// Azad Kashmir), and a row whose point lies outside every district
// (across the border, at sea, 0,0) and that its name placed, or that
// lies within 2 km of one and was snapped into it, went to a district
// the row itself contradicts: review lists them, as it lists a point
// outside the stated province.
func TestReviewNamesAgainstTheRow(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, "review-against.duckdb", Options{Threads: 2})
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	const hintNote = `the name is in North, not in the province given ("South")`
	for _, x := range []struct {
		hint, prov, note string
		line             int
	}{
		{"Alpha", "South", hintNote, 2},
		{"Alpha", "South", hintNote, 3},
		{"Beta", "", schemas.NoteByName, 4},
		{"Alpha", "North", "", 5}, // nothing to look at
		// 1.9 km into India from Lahore, snapped into the nearest district.
		{"", "", "point 1.9 km outside Alpha, placed in it", 6},
	} {
		var prov, note any
		if x.prov != "" {
			prov = x.prov
		}
		if x.note != "" {
			note = x.note
		}
		code, name, province := "PK001", "Alpha", "North"
		if x.hint == "Beta" {
			code, name, province = "PK002", "Beta", "South"
		}
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO incidents (incident_id, category, occurred_on, district_hint, province_hint,
			district_code, district_name, province, match_method, match_score, location_note, source_file, source_line, run_id,
			location_precision) VALUES ('I', 'drug_trafficking', DATE '2023-01-01', ?, ?, ?, ?, ?, 'exact', 1, ?, 'in.csv', ?, ?, 3)`,
			x.hint, prov, code, name, province, note, x.line, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(ctx, "[]", 5, 5, 0, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Review(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []ReviewRow{
		{Kind: ReviewNameOutside, Name: "Alpha", Province: "South", Count: 2, Result: "Alpha", Method: "exact", Score: 1, Note: hintNote,
			Example: "in.csv:2", KindLines: 1, KindRows: 2},
		{Kind: ReviewOffMap, Name: "", Count: 1, Result: "Alpha", Method: "exact", Score: 1, Note: "point 1.9 km outside Alpha, placed in it",
			Example: "in.csv:6", KindLines: 2, KindRows: 2},
		{Kind: ReviewOffMap, Name: "Beta", Count: 1, Result: "Beta", Method: "exact", Score: 1, Note: schemas.NoteByName,
			Example: "in.csv:4", KindLines: 2, KindRows: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Review =\n%+v\nwant\n%+v", got, want)
	}
}
