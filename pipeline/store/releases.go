//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrReleaseRace is returned when another release was registered between
// the reading of the register and the writing of a new release.
var ErrReleaseRace = errors.New("store: another release was registered meanwhile")

// releasesDDL is the release register: what every non-internal export and
// bulletin published, figure by figure, so that a new release is audited
// with every earlier one.
var releasesDDL = []string{
	`CREATE TABLE IF NOT EXISTS releases (release_id BIGINT PRIMARY KEY, kind VARCHAR, created_at TIMESTAMP,
		period_from VARCHAR, period_to VARCHAR, min_cell BIGINT, ocmap_version VARCHAR, figures BIGINT, withheld BIGINT)`,
	`CREATE TABLE IF NOT EXISTS release_figures (release_id BIGINT, n BIGINT, key VARCHAR, value BIGINT,
		withheld BOOLEAN, small BOOLEAN, floor BIGINT)`,
	`CREATE TABLE IF NOT EXISTS release_relations (release_id BIGINT, total BIGINT, parts VARCHAR)`,
}

// ReleaseInfo describes one registered release.
type ReleaseInfo struct {
	ID                int64
	Kind              string // "export" or "bulletin"
	Created           time.Time
	From, To          string // months, "2024-01"
	MinCell           int64
	Version           string
	Figures, Withheld int64
}

// ReleaseFigure is one figure a release printed or withheld. The value of a
// withheld figure is kept: the register lives in the database, which holds
// the incidents anyway.
type ReleaseFigure struct {
	Key             string
	Value           int64
	Withheld, Small bool
	Floor           int64
}

// ReleaseRelation says that figures Parts sum to figure Total (indices into
// the release's figures).
type ReleaseRelation struct {
	Total int
	Parts []int
}

// ReleaseRecord is one release with its figures and relations.
type ReleaseRecord struct {
	Info      ReleaseInfo
	Figures   []ReleaseFigure
	Relations []ReleaseRelation
}

// Releases lists the registered releases, oldest first; none for a database
// made before the register.
func (s *Store) Releases(ctx context.Context) ([]ReleaseInfo, error) {
	if ok, err := s.hasRegister(ctx); !ok || err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT release_id, kind, created_at, period_from, period_to, min_cell,
		ocmap_version, figures, withheld FROM releases ORDER BY release_id`)
	if err != nil {
		return nil, fmt.Errorf("store: %s: releases: %w", s.Path, err)
	}
	defer rows.Close()
	var out []ReleaseInfo
	for rows.Next() {
		var r ReleaseInfo
		if err := rows.Scan(&r.ID, &r.Kind, &r.Created, &r.From, &r.To, &r.MinCell, &r.Version, &r.Figures, &r.Withheld); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) hasRegister(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'release_relations'`).Scan(&n)
	return n > 0, err
}

// ReleaseRecords reads every registered release with its figures and
// relations, oldest first.
func (s *Store) ReleaseRecords(ctx context.Context) ([]ReleaseRecord, error) {
	infos, err := s.Releases(ctx)
	if err != nil || len(infos) == 0 {
		return nil, err
	}
	out := make([]ReleaseRecord, len(infos))
	at := map[int64]int{}
	for i, info := range infos {
		out[i].Info = info
		at[info.ID] = i
	}
	rows, err := s.db.QueryContext(ctx, `SELECT release_id, key, value, withheld, small, floor FROM release_figures ORDER BY release_id, n`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var f ReleaseFigure
		if err := rows.Scan(&id, &f.Key, &f.Value, &f.Withheld, &f.Small, &f.Floor); err != nil {
			rows.Close()
			return nil, err
		}
		out[at[id]].Figures = append(out[at[id]].Figures, f)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT release_id, total, parts FROM release_relations ORDER BY release_id, rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r ReleaseRelation
		var parts string
		if err := rows.Scan(&id, &r.Total, &parts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(parts), &r.Parts); err != nil {
			return nil, fmt.Errorf("store: %s: release %d: relation parts: %w", s.Path, id, err)
		}
		out[at[id]].Relations = append(out[at[id]].Relations, r)
	}
	return out, rows.Err()
}

// RecordRelease opens the database at path for writing and registers rec in
// one transaction, so that the register holds all of it or nothing. last is
// the newest release id seen when the release was audited: if another
// release was registered since, nothing is written and ErrReleaseRace says
// to run again. It returns the new release's id.
func RecordRelease(ctx context.Context, path string, rec ReleaseRecord, last int64) (int64, error) {
	s, err := Open(ctx, path, Options{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", path, err)
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(release_id), 0) FROM releases`).Scan(&id); err != nil {
		return 0, err
	}
	if id != last {
		return 0, fmt.Errorf("%w (release %d); run the export again", ErrReleaseRace, id)
	}
	id++
	var withheld int64
	for _, f := range rec.Figures {
		if f.Withheld {
			withheld++
		}
	}
	in := rec.Info
	if _, err := tx.ExecContext(ctx, `INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.Kind, in.Created,
		in.From, in.To, in.MinCell, in.Version, len(rec.Figures), withheld); err != nil {
		return 0, fmt.Errorf("store: %s: release: %w", path, err)
	}
	if err := insertMany(ctx, tx, `INSERT INTO release_figures VALUES `, 7, len(rec.Figures), func(i int) []any {
		f := rec.Figures[i]
		return []any{id, i, f.Key, f.Value, f.Withheld, f.Small, f.Floor}
	}); err != nil {
		return 0, fmt.Errorf("store: %s: release figures: %w", path, err)
	}
	if err := insertMany(ctx, tx, `INSERT INTO release_relations VALUES `, 3, len(rec.Relations), func(i int) []any {
		b, _ := json.Marshal(rec.Relations[i].Parts)
		return []any{id, rec.Relations[i].Total, string(b)}
	}); err != nil {
		return 0, fmt.Errorf("store: %s: release relations: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: %s: release: commit: %w", path, err)
	}
	return id, nil
}

// insertMany inserts n rows of width columns, 500 to a statement.
func insertMany(ctx context.Context, tx *sql.Tx, head string, width, n int, row func(int) []any) error {
	for lo := 0; lo < n; lo += 500 {
		hi := min(n, lo+500)
		var args []any
		var vals []string
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
		for i := lo; i < hi; i++ {
			args = append(args, row(i)...)
			vals = append(vals, ph)
		}
		if _, err := tx.ExecContext(ctx, head+strings.Join(vals, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}
