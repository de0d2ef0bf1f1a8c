//go:build duckdb_arrow

package store

import (
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// The two lookups by key (insertNear: the months near the run, then NOT coalesce of them) read
// every row once between them: rows without a date, dates before 1970,
// the first and last day of a range, and months past maxMonthRanges
// ranges.
func TestNearMonthsLookupsPartition(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE rows AS SELECT i, CASE WHEN i % 7 = 0 THEN NULL
		ELSE DATE '1968-01-01' + CAST(i * 3 AS INTEGER) END AS occurred_on FROM range(8000) t(i)`); err != nil {
		t.Fatal(err)
	}
	month := func(y int, m time.Month) sql.NullTime {
		return sql.NullTime{Time: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), Valid: true}
	}
	var many []sql.NullTime
	for i := range 3 * maxMonthRanges {
		many = append(many, month(1969+i/6, time.Month(1+2*(i%6))))
	}
	for _, c := range []struct {
		name string
		cond string
	}{
		{"months", monthsFilter("occurred_on", []sql.NullTime{month(1969, 12), month(1970, 1), month(1990, 6)})},
		{"undated and months", monthsFilter("occurred_on", []sql.NullTime{{}, month(1969, 12), month(2000, 2)})},
		{"undated alone", monthsFilter("occurred_on", []sql.NullTime{{}})},
		{"past maxMonthRanges", monthsFilter("occurred_on", many)},
		{"no rows", "false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var all, near, rest, both int
			q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE (%[1]s)),
				count(*) FILTER (WHERE NOT coalesce((%[1]s), false)),
				count(*) FILTER (WHERE (%[1]s) AND NOT coalesce((%[1]s), false)) FROM rows`, c.cond)
			if err := db.QueryRow(q).Scan(&all, &near, &rest, &both); err != nil {
				t.Fatal(err)
			}
			if all != 8000 || c.cond != "false" && (near == 0 || rest == 0) {
				t.Fatalf("%s: %d near and %d not of %d rows: the test reads nothing of one side", c.cond, near, rest, all)
			}
			if near+rest != all || both != 0 {
				t.Errorf("%s: %d near and %d not of %d rows (%d both)", c.cond, near, rest, all, both)
			}
		})
	}
}

// contributeFlipped counts what its first lookup found by RowsAffected of
// an INSERT ... SELECT with a join: DuckDB's driver gives the rows
// inserted, 0 when none.
func TestInsertSelectRowsAffected(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE a AS SELECT i AS k, i % 5 AS v FROM range(5000) t(i)`,
		`CREATE TABLE keys AS SELECT i * 3 AS k FROM range(700) t(i)`,
		`CREATE TABLE out (k BIGINT, v BIGINT)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		cond string
		want int64
	}{{"v < 5", 700}, {"v = 0", 140}, {"v > 5", 0}} {
		res, err := db.Exec(`INSERT INTO out SELECT a.k, a.v FROM a JOIN keys USING (k) WHERE ` + c.cond)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != c.want {
			t.Errorf("%s: RowsAffected %d %v, want %d", c.cond, n, err, c.want)
		}
	}
}
