//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ocmap/ocmap/schemas"
)

// SubKey is a category and a subcategory as stored in incidents ("" for
// none), or with Field a code of one of the category's other code fields
// (schemas.SubcategoryFields: a trafficking record's exploitation type),
// stored in the category's own table.
type SubKey struct{ Category, Subcategory, Field string }

// SubFilter keeps the incidents of some subcategories: a category that one
// of its keys names keeps only the incidents of the keys' subcategories;
// the other categories are kept whole (links compare heroin with every
// other category). The zero SubFilter keeps every incident. It is
// comparable, so that a CellFilter stays a map key.
type SubFilter struct{ keys string }

const (
	subSep  = "\x1f" // between category and subcategory
	keysSep = "\x1e" // between keys
)

// NewSubFilter returns the filter that keeps keys.
func NewSubFilter(keys []SubKey) SubFilter {
	var ks []string
	for _, k := range keys {
		ks = append(ks, k.Category+subSep+k.Subcategory+subSep+k.Field)
	}
	slices.Sort(ks)
	return SubFilter{keys: strings.Join(slices.Compact(ks), keysSep)}
}

// IsZero reports whether f keeps every incident.
func (f SubFilter) IsZero() bool { return f.keys == "" }

// Keys lists the filter's keys, by category and subcategory.
func (f SubFilter) Keys() []SubKey {
	if f.keys == "" {
		return nil
	}
	var out []SubKey
	for _, k := range strings.Split(f.keys, keysSep) {
		parts := strings.SplitN(k, subSep, 3)
		out = append(out, SubKey{Category: parts[0], Subcategory: parts[1], Field: parts[2]})
	}
	return out
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// predicate is the filter as a condition on incidents' category and
// subcategory, "true" for the zero filter. Keys of one kind (the stored
// subcategory, or one other code field) keep any of their codes; keys of
// several kinds must all hold (trafficking for sexual exploitation). A
// field's codes are read from the category's own table. The keys are
// literals, quoted: DuckDB binds no list of pairs; field names are
// schemas' own.
func (f SubFilter) predicate(alias string) string {
	if f.IsZero() {
		return "true"
	}
	var cats, keys, conds []string
	fields := map[SubKey][]string{} // category and field -> codes
	for _, k := range f.Keys() {
		if k.Field != "" {
			fk := SubKey{Category: k.Category, Field: k.Field}
			fields[fk] = append(fields[fk], sqlString(k.Subcategory))
			continue
		}
		keys = append(keys, sqlString(k.Category+subSep+k.Subcategory))
		if q := sqlString(k.Category); !slices.Contains(cats, q) {
			cats = append(cats, q)
		}
	}
	if len(keys) > 0 {
		conds = append(conds, fmt.Sprintf("(%[1]s.category NOT IN (%[2]s) OR %[1]s.category || '%[3]s' || coalesce(%[1]s.subcategory, '') IN (%[4]s))",
			alias, strings.Join(cats, ", "), subSep, strings.Join(keys, ", ")))
	}
	for _, fk := range slices.SortedFunc(maps.Keys(fields), func(a, b SubKey) int {
		return strings.Compare(a.Category+subSep+a.Field, b.Category+subSep+b.Field)
	}) {
		c, _ := schemas.ParseCategory(fk.Category)
		conds = append(conds, fmt.Sprintf(`(%[1]s.category <> %[2]s OR EXISTS (SELECT 1 FROM %[3]s d
			WHERE d.run_id = %[1]s.run_id AND d.source_file = %[1]s.source_file AND d.source_line = %[1]s.source_line
				AND d.%[4]s IN (%[5]s)))`, alias, sqlString(fk.Category), schemas.Details[c].Table, fk.Field, strings.Join(fields[fk], ", ")))
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// incidentCells is district_month computed from incidents with f's
// subcategories only: the same columns and rules as summarizeAll (a group's
// primary record counts the incident; kg, PKR and victims are the
// primaries'; a canonical trafficking row's quantity counts its victims).
func incidentCells(f SubFilter) string {
	return `(SELECT district_code, province, category, CAST(date_trunc('month', occurred_on) AS DATE) AS month,
			count(*) FILTER (WHERE p) AS incidents, count(*) AS records,
			CAST(sum(CAST(quantity AS DECIMAL(38, 6))) FILTER (WHERE p) AS DOUBLE) AS quantity,
			CAST(sum(CAST(amount_pkr AS DECIMAL(38, 2))) FILTER (WHERE p) AS DOUBLE) AS amount_pkr,
			count(*) FILTER (WHERE p AND location_precision = 1) AS by_point,
			count(*) FILTER (WHERE p AND location_precision = 2) AS by_near,
			count(*) FILTER (WHERE p AND location_precision = 3) AS by_name,
			count(*) FILTER (WHERE p AND location_precision = 4) AS by_province,
			count(*) FILTER (WHERE p AND location_precision = 6) AS by_country,
			sum(` + victimsExpr + `) FILTER (WHERE p) AS victims
		FROM (SELECT i.*, coalesce(g.is_primary, true) AS p
			FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
			WHERE ` + f.predicate("i") + `)
		GROUP BY ALL)`
}

// victimsExpr is an incident's victims: the victims column, or for
// canonical trafficking rows the quantity, which counts victims there.
const victimsExpr = `CASE WHEN category = 'human_trafficking' THEN coalesce(victims, CASE WHEN ` + quantityCountsVictims + `
	THEN CAST(round(quantity) AS BIGINT) END) ELSE victims END`

// quantityCountsVictims says that a row's quantity counts victims when it
// is of human trafficking: rows of the canonical layout (null in databases
// made before layouts), of gen's files and of ocmap's own export read
// back. A source layout's quantity is what its column says (a police
// FIR's recovery in grams), and its victims are its victims field.
const quantityCountsVictims = `coalesce(layout, 'canonical') IN ('canonical', 'ocmap-synthetic', 'ocmap-incidents')`

// Quantity measures: the column an incident's value is read from.
var quantityExpr = map[string]string{
	// Kilograms are drug seizures' only: canonical trafficking rows keep
	// victims in quantity.
	"kg":         `CASE WHEN category = 'drug_trafficking' THEN quantity END`,
	"amount_pkr": `amount_pkr`,
	"victims":    victimsExpr,
}

// QuantityStat is what one district's incidents give of a quantity.
type QuantityStat struct {
	N      int64   // incidents with a value above 0
	Median float64 // of those values
	Max    float64
}

// QuantityStats reads per district the incidents (group primaries) within
// f that have a value of measure (kg, amount_pkr or victims) above 0: how
// many, their median and the largest. Incidents without a district are
// left out.
func (s *Store) QuantityStats(ctx context.Context, f CellFilter, measure string) (map[string]QuantityStat, error) {
	expr, ok := quantityExpr[measure]
	if !ok {
		return nil, fmt.Errorf("store: unknown quantity %q", measure)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT district_code, count(*), median(v), max(v)
		FROM (SELECT i.district_code, CAST(`+expr+` AS DOUBLE) AS v
			FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
			WHERE coalesce(g.is_primary, true) AND `+f.Sub.predicate("i")+`
				AND ($1 = '' OR i.category = $1) AND ($2::DATE IS NULL OR i.occurred_on >= $2)
				AND ($3::DATE IS NULL OR i.occurred_on < $3::DATE + INTERVAL 1 MONTH) AND ($4 = '' OR i.province = $4)
				AND i.district_code IS NOT NULL`+f.near("i.district_code")+`)
		WHERE v > 0 GROUP BY 1`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", measure, err)
	}
	defer rows.Close()
	out := map[string]QuantityStat{}
	for rows.Next() {
		var code string
		var q QuantityStat
		if err := rows.Scan(&code, &q.N, &q.Median, &q.Max); err != nil {
			return nil, err
		}
		out[code] = q
	}
	return out, rows.Err()
}

// SubcategoryStat is one subcategory's incidents in a scope.
type SubcategoryStat struct {
	Category, Code     string
	Field              string   // "" for the subcategory, else the code field (FieldStats)
	Written            []string // the spellings stored that fold into Code, sorted
	Incidents, Records int64
	Districts          int64 // with at least one incident
	// Quantities of the incidents (group primaries) that have one above 0:
	// how many, the sum, median and largest.
	KgN, AmountN, VictimsN             int64
	Kg, KgMedian, KgMax                float64
	AmountPKR, AmountMedian, AmountMax float64
	Victims, VictimsMedian, VictimsMax float64
}

// SubcategoryStats counts the incidents within f per category and
// subcategory, folding the stored spellings through fold (a stored
// subcategory not in fold stays as stored), most incidents first.
func (s *Store) SubcategoryStats(ctx context.Context, f CellFilter, fold map[SubKey]string) ([]SubcategoryStat, error) {
	// The fold as a VALUES table: medians must be of the folded codes' rows.
	values := "SELECT NULL::VARCHAR AS fold_category, NULL::VARCHAR AS fold_written, NULL::VARCHAR AS fold_code WHERE false"
	if len(fold) > 0 {
		var vs []string
		for k, code := range fold {
			vs = append(vs, fmt.Sprintf("(%s, %s, %s)", sqlString(k.Category), sqlString(k.Subcategory), sqlString(code)))
		}
		slices.Sort(vs)
		values = "SELECT * FROM (VALUES " + strings.Join(vs, ", ") + ") AS t(fold_category, fold_written, fold_code)"
	}
	return s.codeStats(ctx, f, `WITH fold AS (`+values+`),`,
		`coalesce(i.subcategory, '') AS written, coalesce(f.fold_code, i.subcategory, '') AS code`,
		`LEFT JOIN fold f ON f.fold_category = i.category AND f.fold_written = coalesce(i.subcategory, '')`, "")
}

// FieldStats counts the incidents of category within f per code of its
// code field field (schemas.SubcategoryFields: exploitation), "" where
// the record gives none, most incidents first. The codes are stored as
// codes, so nothing folds.
func (s *Store) FieldStats(ctx context.Context, f CellFilter, category schemas.Category, field string) ([]SubcategoryStat, error) {
	if !slices.ContainsFunc(schemas.SubcategoryFields(category), func(d schemas.Detail) bool { return d.Name == field }) {
		return nil, fmt.Errorf("store: %s has no code field %q", category, field)
	}
	f.Category = category.String()
	return s.codeStats(ctx, f, "WITH",
		`coalesce(d.`+field+`, '') AS written, coalesce(d.`+field+`, '') AS code`,
		`LEFT JOIN `+schemas.Details[category].Table+` d USING (run_id, source_file, source_line)`, field)
}

// codeStats runs SubcategoryStats' and FieldStats' query: with opens the
// WITH clause, columns give each incident's written and code, join the
// table they come from.
func (s *Store) codeStats(ctx context.Context, f CellFilter, with, columns, join, field string) ([]SubcategoryStat, error) {
	rows, err := s.db.QueryContext(ctx, with+`
		rows AS (SELECT i.category, `+columns+`,
				coalesce(g.is_primary, true) AS p, i.district_code,
				CAST(`+quantityExpr["kg"]+` AS DOUBLE) AS kg, CAST(amount_pkr AS DOUBLE) AS pkr, CAST(`+victimsExpr+` AS DOUBLE) AS vic
			FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
				`+join+`
			WHERE `+f.Sub.predicate("i")+` AND ($1 = '' OR i.category = $1) AND ($2::DATE IS NULL OR i.occurred_on >= $2)
				AND ($3::DATE IS NULL OR i.occurred_on < $3::DATE + INTERVAL 1 MONTH) AND ($4 = '' OR i.province = $4)`+f.near("i.district_code")+`)
		SELECT category, code, string_agg(DISTINCT written, '`+keysSep+`' ORDER BY written),
			count(*) FILTER (WHERE p), count(*), count(DISTINCT district_code) FILTER (WHERE p),
			count(*) FILTER (WHERE p AND kg > 0), coalesce(sum(kg) FILTER (WHERE p AND kg > 0), 0),
			coalesce(median(kg) FILTER (WHERE p AND kg > 0), 0), coalesce(max(kg) FILTER (WHERE p AND kg > 0), 0),
			count(*) FILTER (WHERE p AND pkr > 0), coalesce(sum(pkr) FILTER (WHERE p AND pkr > 0), 0),
			coalesce(median(pkr) FILTER (WHERE p AND pkr > 0), 0), coalesce(max(pkr) FILTER (WHERE p AND pkr > 0), 0),
			count(*) FILTER (WHERE p AND vic > 0), coalesce(sum(vic) FILTER (WHERE p AND vic > 0), 0),
			coalesce(median(vic) FILTER (WHERE p AND vic > 0), 0), coalesce(max(vic) FILTER (WHERE p AND vic > 0), 0)
		FROM rows GROUP BY 1, 2 ORDER BY 4 DESC, 1, 2`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
	if err != nil {
		return nil, fmt.Errorf("store: %s: subcategories: %w", s.Path, err)
	}
	defer rows.Close()
	var out []SubcategoryStat
	for rows.Next() {
		x := SubcategoryStat{Field: field}
		var written sql.NullString
		if err := rows.Scan(&x.Category, &x.Code, &written, &x.Incidents, &x.Records, &x.Districts,
			&x.KgN, &x.Kg, &x.KgMedian, &x.KgMax, &x.AmountN, &x.AmountPKR, &x.AmountMedian, &x.AmountMax,
			&x.VictimsN, &x.Victims, &x.VictimsMedian, &x.VictimsMax); err != nil {
			return nil, err
		}
		if written.String != "" {
			x.Written = strings.Split(written.String, keysSep)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// StoredSubcategories lists every category and subcategory the incidents
// hold ("" for none), sorted.
func (s *Store) StoredSubcategories(ctx context.Context) ([]SubKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT category, coalesce(subcategory, '') FROM incidents ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: %s: subcategories: %w", s.Path, err)
	}
	defer rows.Close()
	var out []SubKey
	for rows.Next() {
		var k SubKey
		if err := rows.Scan(&k.Category, &k.Subcategory); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
