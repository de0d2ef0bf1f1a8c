//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"time"
)

// Result is the answer to an ad hoc query, every value as text ("" for
// null), so the command can print it as a table, CSV or JSON.
type Result struct {
	Columns []string
	Types   []string // DuckDB type names
	Rows    [][]Value
}

// Value is one cell of a Result.
type Value struct {
	Text string
	Null bool
	Num  bool // a number: JSON writes it bare
}

// Query runs one statement on a database opened with OpenReadOnly, so it
// cannot change anything, and returns at most limit rows (0: all) with
// whether more were left out.
func (s *Store) Query(ctx context.Context, q string, limit int) (*Result, bool, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, false, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, false, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, false, err
	}
	res := &Result{Columns: cols}
	for _, t := range types {
		res.Types = append(res.Types, t.DatabaseTypeName())
	}
	cells := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	for rows.Next() {
		if limit > 0 && len(res.Rows) == limit {
			return res, true, nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, false, err
		}
		row := make([]Value, len(cols))
		for i, c := range cells {
			row[i] = text(c)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, false, rows.Err()
}

func text(v any) Value {
	switch x := v.(type) {
	case nil:
		return Value{Null: true}
	case string:
		return Value{Text: x}
	case []byte:
		return Value{Text: string(x)}
	case bool:
		return Value{Text: strconv.FormatBool(x)}
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return Value{Text: fmt.Sprint(x), Num: true}
	case float32:
		return Value{Text: strconv.FormatFloat(float64(x), 'g', -1, 32), Num: true}
	case float64:
		return Value{Text: strconv.FormatFloat(x, 'g', -1, 64), Num: true}
	case *big.Int:
		return Value{Text: x.String(), Num: true}
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return Value{Text: x.Format("2006-01-02")}
		}
		return Value{Text: x.Format(time.RFC3339)}
	case fmt.Stringer:
		return Value{Text: x.String()}
	}
	return Value{Text: fmt.Sprint(v)}
}
