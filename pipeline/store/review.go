//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ocmap/ocmap/schemas"
)

// Kinds of [ReviewRow], in the order Review lists them.
const (
	ReviewUnmatched = "unmatched"     // rejected: the name matches no district
	ReviewProvince  = "province only" // kept in a province: the name is not one district
	ReviewFuzzy     = "fuzzy"         // placed by a close spelling
	// ReviewPointKept is a point in another district than the name, kept;
	// ReviewNameOver the same where the name was taken over the point.
	// Their Name is the pair, "point in A, name B".
	ReviewPointKept = "point kept"
	ReviewNameOver  = "name over point"
	// ReviewOutside is a point outside the province the row states.
	ReviewOutside = "outside province"
	// ReviewPlaceFar is a point far from the town (GeoNames) the row names.
	ReviewPlaceFar = "place far from point"
	// ReviewPlaceholder is a point that rows of a file give to many places,
	// or over years, or to places in several districts: its rows were
	// placed by their names.
	ReviewPlaceholder = "placeholder point"
	// ReviewNearPlace is rows placed near a town or village of the place
	// layer (precision 2), by the name they give.
	ReviewNearPlace = "near a place"
	// ReviewText is rows placed from narrative text, by where they were
	// placed.
	ReviewText = "from text"
	// ReviewSwapped is rows whose latitude and longitude were exchanged
	// in the source and swapped back, by file: its columns are the wrong
	// way round.
	ReviewSwapped = "swapped point"
	// ReviewNameOutside is rows that their name placed in another
	// province than the row states ("Mirpur" from a Sindh file is Mirpur
	// of Azad Kashmir), by name.
	ReviewNameOutside = "name outside province"
	// ReviewOffMap is rows whose point lies outside every district (across
	// the border, at sea, 0,0) and that their name placed, by name, or
	// that lies within locate.SnapKm of one and was snapped into it.
	ReviewOffMap = "point off the map"
)

// ReviewSeeRejects is the Name of the unmatched line that counts rows whose
// point is outside every district and whose name is unknown: their reasons
// do not carry the name.
const ReviewSeeRejects = "(see rejects)"

// ReviewWithheld is the Name of the unmatched line that counts rows whose
// name looked like personal data (a phone or CNIC number typed in the
// district column): their reasons withhold it.
const ReviewWithheld = "(name withheld: looks like personal data)"

// ReviewRow is one place name worth a researcher's look, with how many rows
// give it.
type ReviewRow struct {
	Kind     string  // Review*
	Name     string  // district_hint as written
	Province string  // province_hint as written, or ""
	Count    int64   // rows
	Result   string  // the district (or for province only, the province) it was placed in; "" when rejected
	Method   string  // match_method of the rows; "" when rejected
	Score    float64 // the lowest match_score of the rows; 0 when none
	Note     string  // location_note; for unmatched, the closest districts the reject names
	Example  string  // source_file:source_line of the first row
	// KindLines and KindRows are the lines and rows of the row's kind in
	// all, also those that top leaves out.
	KindLines, KindRows int64
}

// reviewSQL gathers the rows of each kind from incidents, context_events
// and rejects, groups them by what a researcher would fix, and ranks them
// by count within a kind. The point kinds are grouped by the districts
// their notes (pipeline/locate) name, with the first row's note shown.
var reviewSQL = `WITH placed AS (
	SELECT district_hint, province_hint, district_name, province, match_method, match_score,
		coalesce(location_note, '') AS location_note, source_file, source_line FROM incidents
	UNION ALL
	SELECT district_hint, province_hint, district_name, province, match_method, match_score,
		coalesce(location_note, '') AS location_note, source_file, source_line FROM context_events
), items AS (
	SELECT 1 AS ord, '` + ReviewUnmatched + `' AS kind,
		CASE WHEN ends_with(reason, ': ` + schemas.WithheldValue + `') THEN '` + ReviewWithheld + `'
			ELSE regexp_extract(reason, ': "(.*)"$', 1) END AS name, '' AS prov,
		'' AS result, '' AS method, NULL::DOUBLE AS score,
		regexp_extract(reason, '^unknown district name \((closest: [^)]*)\)', 1) AS note, true AS bynote, source_file, source_line
	FROM rejects WHERE field = 'district_hint'
	UNION ALL
	SELECT 1, '` + ReviewUnmatched + `', '` + ReviewSeeRejects + `', '', '', '', NULL,
		'coordinates are outside every district and the district name is not known', true, source_file, source_line
	FROM rejects WHERE starts_with(reason, 'coordinates are outside every district and the district name is not known')
	UNION ALL
	SELECT 2, '` + ReviewProvince + `', coalesce(district_hint, ''), coalesce(province_hint, ''), coalesce(province, ''),
		match_method, match_score, location_note, true, source_file, source_line
	FROM placed WHERE match_method = 'province' AND location_note NOT LIKE '%found in the text: %' -- listed as from text
	UNION ALL
	SELECT 3, '` + ReviewFuzzy + `', coalesce(district_hint, ''), coalesce(province_hint, ''), coalesce(district_name, ''),
		match_method, match_score, '', true, source_file, source_line
	FROM placed WHERE match_method = 'fuzzy'
	UNION ALL
	SELECT 4, '` + ReviewPointKept + `', 'point in ' || regexp_extract(location_note, '^the point is in (.*?) but the name ', 1) ||
		', name ' || regexp_extract(location_note, '^.*" is (.*): the point is kept$', 1), coalesce(province_hint, ''),
		coalesce(district_name, ''), match_method, match_score, location_note, false, source_file, source_line
	FROM placed WHERE location_note LIKE 'the point is in % but the name %: the point is kept'
	UNION ALL
	SELECT 5, '` + ReviewNameOver + `', 'point in ' || regexp_extract(location_note, '^the point is in (.*?)(?: but the name |, \d+ km outside )', 1) ||
		', name ' || coalesce(district_name, ''), coalesce(province_hint, ''),
		coalesce(district_name, ''), match_method, match_score, location_note, false, source_file, source_line
	FROM placed WHERE location_note LIKE 'the point is in %: placed by its name, not its point'
	UNION ALL
	SELECT 6, '` + ReviewOutside + `', 'point in ' || regexp_extract(location_note, '^the point \([^)]*\) is in (.*), outside the province the row gives', 1),
		coalesce(province_hint, ''), coalesce(district_name, province, ''), match_method, match_score, location_note, false, source_file, source_line
	FROM placed WHERE location_note LIKE 'the point (%, outside the province the row gives (%'
	UNION ALL
	SELECT 7, '` + ReviewPlaceFar + `', 'point in ' || regexp_extract(location_note, '^the point is in (.*?) but the place ', 1) ||
		', ' || regexp_extract(location_note, ' but the place (.*) \(GeoNames\) is \d+ km away in (.*): the point is kept$', 1) ||
		' in ' || regexp_extract(location_note, ' \(GeoNames\) is \d+ km away in (.*): the point is kept$', 1), coalesce(province_hint, ''),
		coalesce(district_name, ''), match_method, match_score, location_note, false, source_file, source_line
	FROM placed WHERE location_note LIKE 'the point is in % but the place % (GeoNames) is % km away in %: the point is kept'
	UNION ALL
	SELECT 8, '` + ReviewPlaceholder + `', regexp_extract(location_note, '^the point (\([^)]*\))', 1), coalesce(province_hint, ''),
		'by name', '', NULL, regexp_extract(location_note, '^(.*): (a placeholder, not where the event was|approximate)', 1), true, source_file, source_line
	FROM placed WHERE regexp_matches(location_note, '^the point \([^)]*\),? .*: (a placeholder, not where the event was|approximate)')
	UNION ALL
	SELECT 9, '` + ReviewNearPlace + `', coalesce(nullif(district_hint, ''), ''), coalesce(province_hint, ''),
		coalesce(district_name, ''), match_method, match_score, location_note, false, source_file, source_line
	FROM placed WHERE match_method = 'place'
	UNION ALL
	SELECT 10, '` + ReviewText + `', '(narrative text)', coalesce(province_hint, ''), coalesce(district_name, province, ''), match_method, match_score,
		location_note, false, source_file, source_line
	FROM placed WHERE match_method = 'text' OR location_note LIKE '%found in the text: %'
	UNION ALL
	SELECT 11, '` + ReviewSwapped + `', ` + baseNameOf(`coalesce(source_file, '')`) + `, coalesce(province_hint, ''), '', '', NULL,
		'` + schemas.NoteSwapped + `', true, source_file, source_line
	FROM placed WHERE contains(location_note, '` + schemas.NoteSwapped + `')
	UNION ALL
	SELECT 12, '` + ReviewNameOutside + `', coalesce(district_hint, ''), coalesce(province_hint, ''), coalesce(district_name, ''),
		match_method, match_score, location_note, true, source_file, source_line
	FROM placed WHERE contains(location_note, ', not in the province given (')
	UNION ALL
	SELECT 13, '` + ReviewOffMap + `', coalesce(district_hint, ''), coalesce(province_hint, ''), coalesce(district_name, province, ''),
		match_method, match_score, location_note, true, source_file, source_line
	FROM placed WHERE location_note = '` + schemas.NoteByName + `'
		OR regexp_matches(location_note, '^point [0-9.]+ km outside .*, placed in it$')
), grouped AS (
	-- From the point kinds on, the same case whatever the province column
	-- says ("FATA", "Fata") is one line, with the provinces listed, and
	-- the note of the first row.
	SELECT ord, kind, name, CASE WHEN ord >= 4 THEN array_to_string(list_sort(list_distinct(list(nullif(prov, '')))), ', ') ELSE gprov END AS prov,
		result, first(method ORDER BY source_file, source_line) AS method,
		first(note ORDER BY source_file, source_line) AS note, count(*) AS n, coalesce(min(score), 0) AS score,
		first(coalesce(source_file, '') || ':' || coalesce(CAST(source_line AS VARCHAR), '') ORDER BY source_file, source_line) AS example
	FROM (SELECT *, CASE WHEN ord >= 4 THEN '' ELSE prov END AS gprov, CASE WHEN bynote THEN note ELSE '' END AS gnote FROM items)
	GROUP BY ord, kind, name, gprov, result, gnote, CASE WHEN ord < 4 THEN method END
), ranked AS (
	SELECT *, row_number() OVER (PARTITION BY ord ORDER BY n DESC, name, prov, result, note) AS rk,
		count(*) OVER (PARTITION BY ord) AS lines, sum(n) OVER (PARTITION BY ord) AS total FROM grouped
)
SELECT kind, name, prov, n, result, method, score, note, example, lines, total FROM ranked
WHERE $1 = 0 OR rk <= $1
ORDER BY ord, rk`

// Review lists what a researcher should look at: names rejected as
// unknown, names kept in a province only and names placed by a close
// spelling, which aliases fix; points and names in two districts (by pair,
// the point kept or the name taken over it), points outside the province
// the row states, points far from the town they name, placeholder points;
// rows placed near a GeoNames town or from narrative text; names placed in
// another province than the row states, and rows whose point is outside
// every district placed by their name. top limits
// the rows of each kind; 0 is all.
func (s *Store) Review(ctx context.Context, top int) ([]ReviewRow, error) {
	rows, err := s.db.QueryContext(ctx, reviewSQL, top)
	if err != nil {
		return nil, fmt.Errorf("store: %s: review: %w", s.Path, err)
	}
	defer rows.Close()
	var out []ReviewRow
	for rows.Next() {
		var r ReviewRow
		var score sql.NullFloat64
		if err := rows.Scan(&r.Kind, &r.Name, &r.Province, &r.Count, &r.Result, &r.Method, &score, &r.Note, &r.Example,
			&r.KindLines, &r.KindRows); err != nil {
			return nil, fmt.Errorf("store: %s: review: %w", s.Path, err)
		}
		r.Score = score.Float64
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: review: %w", s.Path, err)
	}
	return out, nil
}
