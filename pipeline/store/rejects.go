//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ocmap/ocmap/schemas"
)

// RejectGroup is the rejected rows of one file that share a field and a
// reason, apart from the values the reason quotes: the rows one fix
// (a date format in the layout, an alias, a corrected column) would
// bring in.
type RejectGroup struct {
	File    string // source_file as recorded
	Field   string // the field at fault, "(record)" for the row as a whole
	Reason  string // the reason, each quoted value shown as "…"
	Rows    int64
	Line    int64  // the first row's line
	Example string // the first row's reason in full, with its values
	Reasons int64  // the different reasons in full (values) of the rows
}

// Reject is one row of the rejects table.
type Reject struct {
	Run           int64
	File          string
	Line          int64
	Field, Reason string
	Raw           string // the row's text, scrubbed; "" when not kept
}

// rejectsWhere selects the rejects of a file named as recorded or by its
// base name ($1), or all of them when $1 is empty. A Parquet folder's
// rejects name the files in it (read.Origins), while ingest_files records
// the folder: they are the folder's too.
var rejectsWhere = `$1 = '' OR source_file = $1 OR ` + baseName + ` = $1
	OR starts_with(source_file, rtrim($1, '/') || '/')
	OR EXISTS (SELECT 1 FROM ingest_files f WHERE ` + baseNameOf(`f.source_file`) + ` = $1
		AND starts_with(rejects.source_file, rtrim(f.source_file, '/') || '/'))`

// QuotedValue is the RE2 pattern of a value a reason quotes, as
// strconv.Quote writes it: a double quote inside is escaped (\").
const QuotedValue = `"(?:[^"\\]|\\.)*"`

// RejectGroups groups the rejects table (of file, as recorded or by base
// name; all files when empty) by file, field and reason, most rows first
// within each file.
func (s *Store) RejectGroups(ctx context.Context, file string) ([]RejectGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(source_file, '') AS file, coalesce(field, ''),
			regexp_replace(regexp_replace(coalesce(reason, ''), '`+QuotedValue+`', '"…"', 'g'), '`+regexpQuote(schemas.WithheldValue)+`', '"…"', 'g') AS kind,
			count(*) AS n, coalesce(min(source_line), 0), coalesce(arg_min(coalesce(reason, ''), source_line), any_value(coalesce(reason, ''))),
			count(DISTINCT reason)
		FROM rejects WHERE `+rejectsWhere+`
		GROUP BY ALL ORDER BY file, n DESC, kind, 2`, file)
	if err != nil {
		return nil, fmt.Errorf("store: %s: rejects: %w", s.Path, err)
	}
	defer rows.Close()
	var out []RejectGroup
	for rows.Next() {
		var g RejectGroup
		if err := rows.Scan(&g.File, &g.Field, &g.Reason, &g.Rows, &g.Line, &g.Example, &g.Reasons); err != nil {
			return nil, fmt.Errorf("store: %s: rejects: %w", s.Path, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: rejects: %w", s.Path, err)
	}
	return out, nil
}

// EachReject calls fn with every reject of file (as recorded or by base
// name; all files when empty), by file and line, as DuckDB streams them.
func (s *Store) EachReject(ctx context.Context, file string, fn func(Reject) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(run_id, 0), coalesce(source_file, ''), coalesce(source_line, 0), coalesce(field, ''), coalesce(reason, ''), raw
		FROM rejects WHERE `+rejectsWhere+` ORDER BY source_file, source_line, field`, file)
	if err != nil {
		return fmt.Errorf("store: %s: rejects: %w", s.Path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Reject
		var raw sql.NullString
		if err := rows.Scan(&r.Run, &r.File, &r.Line, &r.Field, &r.Reason, &raw); err != nil {
			return fmt.Errorf("store: %s: rejects: %w", s.Path, err)
		}
		r.Raw = raw.String
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: rejects: %w", s.Path, err)
	}
	return nil
}

// FileState is what the database holds of a file named as recorded or by
// its base name: whether a run read it and it still stands (Live), else
// the runs that withdrew or replaced it (GoneBy).
type FileState struct {
	Live   bool
	GoneBy []int64
}

// File says what the database holds of file, named as recorded or by its
// base name.
func (s *Store) File(ctx context.Context, file string) (FileState, error) {
	// A file of a Parquet folder, as its rejects name it (read.Origins),
	// is the folder's, which ingest_files records.
	rows, err := s.db.QueryContext(ctx, `SELECT replaced_by FROM ingest_files
		WHERE source_file = $1 OR `+baseName+` = $1 OR starts_with($1, rtrim(source_file, '/') || '/')
		ORDER BY replaced_by NULLS FIRST`, file)
	if err != nil {
		return FileState{}, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	defer rows.Close()
	var st FileState
	for rows.Next() {
		var by sql.NullInt64
		if err := rows.Scan(&by); err != nil {
			return FileState{}, fmt.Errorf("store: %s: %w", s.Path, err)
		}
		if !by.Valid {
			st.Live = true
		} else if !slices.Contains(st.GoneBy, by.Int64) {
			st.GoneBy = append(st.GoneBy, by.Int64)
		}
	}
	if err := rows.Err(); err != nil || st.Live {
		return st, err
	}
	// The population file, which meta names, and any file the rejects
	// table lists (RejectGroups finds them) are the database's too.
	err = s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'population_file'
			AND (value = $1 OR `+baseNameOf(`value`)+` = $1))
		OR EXISTS (SELECT 1 FROM rejects WHERE `+rejectsWhere+`)`, file).Scan(&st.Live)
	if err != nil {
		return FileState{}, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	return st, nil
}

// LiveFiles lists the files of the database's runs that still stand, in
// name order.
func (s *Store) LiveFiles(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT source_file FROM ingest_files WHERE replaced_by IS NULL ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fmt.Errorf("store: %s: %w", s.Path, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// regexpQuote escapes s for an RE2 pattern inside an SQL string literal.
func regexpQuote(s string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(s), "'", "''")
}
