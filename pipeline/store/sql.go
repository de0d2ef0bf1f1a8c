//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
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

// ErrNotAQuery is returned by Query on a sealed store for a statement that
// is not a query.
var ErrNotAQuery = errors.New("store: the database is read-only")

// queryKinds are the statements a sealed store runs: they read and write
// nothing but their answer. DESCRIBE, SHOW and SUMMARIZE are SELECTs to
// DuckDB.
var queryKinds = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:  true,
	duckdb.STATEMENT_TYPE_EXPLAIN: true,
}

// stmtNames names the refused statements in errors.
var stmtNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE",
	duckdb.STATEMENT_TYPE_DELETE: "DELETE", duckdb.STATEMENT_TYPE_CREATE: "CREATE",
	duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_DROP: "DROP",
	duckdb.STATEMENT_TYPE_COPY: "COPY", duckdb.STATEMENT_TYPE_EXPORT: "EXPORT DATABASE",
	duckdb.STATEMENT_TYPE_ATTACH: "ATTACH", duckdb.STATEMENT_TYPE_DETACH: "DETACH",
	duckdb.STATEMENT_TYPE_LOAD: "INSTALL or LOAD", duckdb.STATEMENT_TYPE_EXTENSION: "extension",
	duckdb.STATEMENT_TYPE_SET: "SET", duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE",
	duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA", duckdb.STATEMENT_TYPE_TRANSACTION: "transaction",
	duckdb.STATEMENT_TYPE_VACUUM: "VACUUM", duckdb.STATEMENT_TYPE_CALL: "CALL",
	duckdb.STATEMENT_TYPE_PREPARE: "PREPARE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
	duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE", duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION",
	duckdb.STATEMENT_TYPE_MULTI: "several statements",
}

// Query runs one statement and returns at most limit rows (0: all) with
// whether more were left out. On a store opened with OpenReadOnly it runs
// one query (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) and refuses
// anything else before running it.
func (s *Store) Query(ctx context.Context, q string, limit int) (*Result, bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	defer conn.Close()
	if s.sealed {
		if err := checkQuery(ctx, conn, q); err != nil {
			return nil, false, fmt.Errorf("%w: %s", err, s.Path)
		}
	}
	rows, err := conn.QueryContext(ctx, q)
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

// checkQuery prepares q and accepts it only if it is one query.
func checkQuery(ctx context.Context, conn *sql.Conn, q string) error {
	if statements(q) > 1 {
		return fmt.Errorf("%w: give one query at a time", ErrNotAQuery)
	}
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("store: cannot inspect statements")
		}
		st, err := pc.PrepareContext(ctx, q)
		if err != nil {
			msg := err.Error()
			switch {
			case strings.Contains(msg, "multiple statements"):
				return fmt.Errorf("%w: give one query at a time", ErrNotAQuery)
			case strings.Contains(msg, "disabled by configuration") || strings.Contains(msg, "Permission Error"):
				// DuckDB refuses file access while binding, before it
				// tells the statement's kind: name it from its first word.
				if w := strings.ToUpper(firstWord(q)); slices.Contains([]string{"COPY", "EXPORT", "ATTACH", "INSTALL", "LOAD", "IMPORT"}, w) {
					return fmt.Errorf("%w: ocmap sql runs queries only (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); %s is refused", ErrNotAQuery, w)
				}
				return fmt.Errorf("%w: ocmap sql reads the database only; reading other files (read_csv, read_parquet, ...) is turned off", ErrNotAQuery)
			}
			return fmt.Errorf("store: %w", err)
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.New("store: cannot inspect statements")
		}
		kind, err := ds.StatementType()
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if queryKinds[kind] {
			return nil
		}
		name := stmtNames[kind]
		if name == "" {
			name = "this statement"
		}
		return fmt.Errorf("%w: ocmap sql runs queries only (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); %s is refused", ErrNotAQuery, name)
	})
}

// firstWord returns the first word of q after spaces and comments.
func firstWord(q string) string {
	for {
		q = strings.TrimLeft(q, " \t\r\n(")
		switch {
		case strings.HasPrefix(q, "--"):
			if i := strings.IndexByte(q, '\n'); i >= 0 {
				q = q[i:]
				continue
			}
			return ""
		case strings.HasPrefix(q, "/*"):
			if i := strings.Index(q, "*/"); i >= 0 {
				q = q[i+2:]
				continue
			}
			return ""
		}
		if f := strings.Fields(q); len(f) > 0 {
			return f[0]
		}
		return ""
	}
}

// statements counts the statements of q: the parts between semicolons
// that hold more than spaces and comments, outside quotes and comments.
// DuckDB would run only the last of several, silently.
func statements(q string) int {
	n, content := 0, false
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			content = true
			for i++; i < len(q) && q[i] != c; i++ {
			}
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			i += 2
			for i+1 < len(q) && !(q[i] == '*' && q[i+1] == '/') {
				i++
			}
			i++
		case c == ';':
			if content {
				n++
			}
			content = false
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			content = true
		}
	}
	if content {
		n++
	}
	return n
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
