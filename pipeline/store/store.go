//go:build duckdb_arrow

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// Errors returned by the store.
var (
	ErrNoDatabase         = errors.New("store: no such database")
	ErrBoundariesChanged  = errors.New("store: the database was built with other boundaries")
	ErrNotOcmapDatabase   = errors.New("store: not an ocmap database")
	ErrDuplicateFileInRun = errors.New("store: the same file content is given twice")
)

const schemaVersion = "1"

var ddl = []string{
	`CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS districts (
		district_code VARCHAR PRIMARY KEY, district_name VARCHAR, province VARCHAR, area_km2 DOUBLE)`,
	`CREATE TABLE IF NOT EXISTS incidents (
		incident_id VARCHAR, category VARCHAR, subcategory VARCHAR, occurred_on DATE,
		lat DOUBLE, lon DOUBLE, district_hint VARCHAR, source VARCHAR,
		quantity DOUBLE, amount_pkr DOUBLE, description VARCHAR,
		source_file VARCHAR, source_line BIGINT, run_id BIGINT,
		district_code VARCHAR, district_name VARCHAR, province VARCHAR, location_precision TINYINT,
		place VARCHAR, province_hint VARCHAR, source_ref VARCHAR, statute VARCHAR, section VARCHAR,
		iccs_code VARCHAR, reported_on DATE, occurred_end DATE, date_precision TINYINT DEFAULT 1,
		victims INTEGER, layout VARCHAR DEFAULT 'canonical')`,
	// Databases made before source layouts filled incidents lack these
	// columns; adding them keeps old databases working.
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS place VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS province_hint VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS source_ref VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS statute VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS section VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS iccs_code VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS reported_on DATE`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS occurred_end DATE`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS date_precision TINYINT DEFAULT 1`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS victims INTEGER`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS layout VARCHAR DEFAULT 'canonical'`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS location_note VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS person_keys VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS match_method VARCHAR`,
	`ALTER TABLE incidents ADD COLUMN IF NOT EXISTS match_score FLOAT`,
	`CREATE TABLE IF NOT EXISTS context_events (
		incident_id VARCHAR, event_type VARCHAR, occurred_on DATE, date_precision TINYINT,
		lat DOUBLE, lon DOUBLE, place VARCHAR, district_hint VARCHAR, province_hint VARCHAR,
		source VARCHAR, description VARCHAR, killed INTEGER, injured INTEGER,
		source_file VARCHAR, source_line BIGINT, run_id BIGINT, layout VARCHAR,
		district_code VARCHAR, district_name VARCHAR, province VARCHAR, location_precision TINYINT,
		location_note VARCHAR)`,
	`ALTER TABLE context_events ADD COLUMN IF NOT EXISTS location_note VARCHAR`,
	`ALTER TABLE context_events ADD COLUMN IF NOT EXISTS match_method VARCHAR`,
	`ALTER TABLE context_events ADD COLUMN IF NOT EXISTS match_score FLOAT`,
	`CREATE TABLE IF NOT EXISTS rejects (
		run_id BIGINT, source_file VARCHAR, source_line BIGINT, field VARCHAR, reason VARCHAR, raw VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS district_month (
		district_code VARCHAR, category VARCHAR, month DATE, incidents BIGINT,
		quantity DOUBLE, amount_pkr DOUBLE, by_point BIGINT, by_name BIGINT)`,
	`CREATE TABLE IF NOT EXISTS ingest_runs (
		run_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, files VARCHAR,
		rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT,
		boundaries VARCHAR, boundaries_sha256 VARCHAR, ocmap_version VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS ingest_files (
		run_id BIGINT, source_file VARCHAR, sha256 VARCHAR, bytes BIGINT,
		rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT, replaced_by BIGINT)`,
	`ALTER TABLE ingest_files ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR`,
	// The file's position in its run, from 1, in the order the run was
	// given its files: within a run, the earlier ingested (a group's
	// primary, the sweep's order). A database made before has its files
	// numbered in the order they were recorded, which is the order they
	// were given: a run records each file as it ends, and no row of
	// ingest_files is ever deleted, so rowid keeps that order.
	`ALTER TABLE ingest_files ADD COLUMN IF NOT EXISTS file_seq INTEGER`,
	`UPDATE ingest_files SET file_seq = o.n
		FROM (SELECT rowid AS id, row_number() OVER (PARTITION BY run_id ORDER BY rowid) AS n FROM ingest_files) o
		WHERE ingest_files.rowid = o.id AND ingest_files.file_seq IS NULL`,
}

// Store is an open ocmap database.
type Store struct {
	db     *sql.DB
	Path   string
	closed bool
	sealed bool // opened by OpenReadOnly: Query runs queries only
	staged bool // Options.Staged
}

// Options tune DuckDB for a run.
type Options struct {
	MemoryLimit string // e.g. "512MB"; empty keeps DuckDB's default
	Threads     int    // 0 keeps DuckDB's default
	// Staged says the database is a new file that the caller discards
	// whole if the run fails, and puts in place only when it succeeds: a
	// run may then commit its rows before it derives the tables that
	// follow from them (Run.CommitRows).
	Staged bool
}

// noExtensions keeps DuckDB from downloading or loading extensions on its
// own: a file that is not DuckDB's (a SQLite file given as --db) would
// otherwise make it fetch a reader from the internet.
var noExtensions = []string{"autoinstall_known_extensions=false", "autoload_known_extensions=false"}

// Open opens or creates the database at path for writing.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if err := checkMagic(path); err != nil {
		return nil, err
	}
	// Insertion order carries no meaning for incidents, and keeping it makes
	// DuckDB insert on one thread.
	params := append([]string{"preserve_insertion_order=false"}, noExtensions...)
	if opt.MemoryLimit != "" {
		params = append(params, "memory_limit="+opt.MemoryLimit)
	}
	if opt.Threads > 0 {
		params = append(params, fmt.Sprintf("threads=%d", opt.Threads))
	}
	dsn := path
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	s, err := open(ctx, dsn, path)
	if err != nil {
		return nil, err
	}
	s.staged = opt.Staged
	if err := s.createTables(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %s: creating tables: %w", path, err)
	}
	return s, nil
}

// allDDL is every statement that creates or widens the tables, in order.
func allDDL() []string {
	return slices.Concat(ddl, groupsDDL, detailsDDL(), populationDDL, measuresDDL, releasesDDL, crossingsDDL)
}

// ddlKey is the SHA-256 of allDDL, kept in meta as ddl_sha256 once a
// database has every table and column the statements make.
func ddlKey() string {
	sum := sha256.Sum256([]byte(strings.Join(allDDL(), "\x00")))
	return hex.EncodeToString(sum[:])
}

// createTables runs allDDL, unless meta says this very list already ran on
// the database and made the tables and views it has now: the 40-odd
// statements cost 0.08-0.12 s on every open, even when they change nothing.
// Every statement is idempotent and the key is written in the same
// transaction, after the last one; any change to a statement changes the
// key. The key holds a digest of the catalog too (catalogSum), so a table
// or column dropped since, or a view that an older build (one that runs its
// statements on every open) replaced with its own definition, runs them
// again.
func (s *Store) createTables(ctx context.Context) error {
	key := ddlKey()
	var have string
	// No meta table (a new database) is an error here, and a reason to run
	// the statements.
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'ddl_sha256'`).Scan(&have); err == nil && strings.HasPrefix(have, key+" ") {
		if sum, err := catalogSum(ctx, s.db); err == nil && have == key+" "+sum {
			return nil
		}
	}
	// One transaction: a commit for each statement cost 0.09-0.2 s on a new
	// database, and a database gets all of them or none.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range allDDL() {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)`, schemaVersion); err != nil {
		return err
	}
	sum, err := catalogSum(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('ddl_sha256', ?)`, key+" "+sum); err != nil {
		return err
	}
	return tx.Commit()
}

// catalogSum is a digest of the database's tables, columns (name, type,
// default) and views (their SQL): what allDDL makes.
func catalogSum(ctx context.Context, q querier) (string, error) {
	var cat string
	err := q.QueryRowContext(ctx, `SELECT coalesce(string_agg(x, chr(10) ORDER BY x), '') FROM (
		SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '') AS x
		FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
		UNION ALL
		SELECT 'view ' || view_name || ' ' || sql FROM duckdb_views() WHERE database_name = current_database() AND NOT internal)`).Scan(&cat)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(cat))
	return hex.EncodeToString(sum[:16]), nil
}

// OpenReadOnly opens an existing database for queries, sealed: the file is
// opened read-only, DuckDB may touch no other file (no COPY ... TO, ATTACH,
// EXPORT DATABASE, read_csv, INSTALL or LOAD), and no statement can lift
// that, since the configuration is locked. Query refuses anything but a
// query.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	return openReadOnly(ctx, path, true)
}

// OpenExport opens an existing database read-only for the export, which
// lets DuckDB write the files it is asked to (the Parquet table). It is not
// for user-written SQL.
func OpenExport(ctx context.Context, path string) (*Store, error) {
	return openReadOnly(ctx, path, false)
}

func openReadOnly(ctx context.Context, path string, sealed bool) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s (run `ocmap ingest --db %s ...` first)", ErrNoDatabase, path, path)
	}
	if err := checkMagic(path); err != nil {
		return nil, err
	}
	params := append([]string{"access_mode=read_only"}, noExtensions...)
	if sealed {
		// A query may not take the machine's memory or fill its disk with
		// spilled data.
		params = append(params, "enable_external_access=false", "memory_limit=4GB", "max_temp_directory_size=10GB",
			"lock_configuration=true")
	}
	s, err := open(ctx, path+"?"+strings.Join(params, "&"), path)
	if err != nil {
		return nil, err
	}
	s.sealed = sealed
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'incidents'`).Scan(&n); err != nil || n == 0 {
		s.Close()
		return nil, fmt.Errorf("%w: %s has no incidents table", ErrNotOcmapDatabase, path)
	}
	return s, nil
}

// checkMagic refuses a file that exists but is not a DuckDB database before
// DuckDB sees it: DuckDB would try to read a SQLite file through an
// extension, or say something less clear. An empty or missing file is
// fine (a new database).
func checkMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // a new database; DuckDB reports what else is wrong
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		return nil
	}
	// DuckDB's main header: 8 bytes of checksum, then "DUCK".
	if n >= 12 && string(head[8:12]) == "DUCK" {
		return nil
	}
	kind := "an unknown kind of file"
	switch {
	case strings.HasPrefix(string(head[:n]), "SQLite format 3"):
		kind = "a SQLite database"
	case n >= 4 && string(head[:4]) == "PAR1":
		kind = "a Parquet file"
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		kind = "a gzip file"
	case n >= 2 && head[0] == 'P' && head[1] == 'K':
		kind = "a zip (or XLSX) file"
	}
	return fmt.Errorf("%w: %s is %s, not a DuckDB database; give --db a new file name or an ocmap database", ErrNotOcmapDatabase, path, kind)
}

func open(ctx context.Context, dsn, path string) (*Store, error) {
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return &Store{db: db, Path: path}, nil
}

// Close closes the database; DuckDB checkpoints its write-ahead log into the
// file here. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// DB exposes the database for read-only queries in tests and tools.
func (s *Store) DB() *sql.DB { return s.db }

// Run is one ingest transaction.
type Run struct {
	s       *Store
	conn    *sql.Conn
	ar      *duckdb.Arrow
	ID      int64
	Started time.Time
	views   int
	done    bool
	// layoutStage says the run's temporary table of layout rows exists
	// (insertLayoutIncidents).
	layoutStage bool
	// AfterSummaries, when set, runs in the transaction once district_month
	// is recomputed, before the commit: the measures are computed there.
	AfterSummaries func(ctx context.Context, r *Run) error
	// Repeats lists, after Commit, the run's files that repeat records of
	// an earlier run's file (deriveRun's run only).
	Repeats []Repeat
	// Step, when set, is told why Commit recomputes every derived table of
	// a database an older ocmap made, and each step of it: that takes
	// seconds to minutes, once.
	Step func(string)
	// Links and Summaries are the time Commit spent linking records into
	// incidents (incident_groups) and updating district_month and
	// district_month_sources, for the ingest's stage line.
	Links, Summaries time.Duration
	// replaced lists the files (run and file of rowKey) whose rows FinishFile
	// deleted.
	replaced []rowKey
	goneDays []partDay // the days of those rows with a district and a date
	goneRows int64     // how many rows those files had
	// promoted holds the twins that stand for their incident id since the
	// earlier row that did went (promote); their days are in goneDays.
	promoted map[rowKey]bool
	contrib  bool // tmpContrib is made (summaries.go)
	// near holds the months of the run's rows and those around them, once
	// nearRead (insertNear).
	near     []sql.NullTime
	nearRead bool
	ids      *schemas.Hasher // IDs, once asked
	// files counts the files FinishFile recorded: the last one's
	// position in the run (ingest_files.file_seq).
	files int32
	// order gives the position of each run's files, while the run derives
	// (loadFileOrder).
	order fileOrder
}

// Repeat says that Rows of the FileRows rows of the run's File have the
// source, category, incident id and month of rows of Of, an earlier run's
// file: a cumulative return, or a correction sent under a new name.
type Repeat struct {
	File, Of       string
	OfRun          int64
	Rows, FileRows int64
}

// BoundaryInfo identifies the boundary file a run uses.
type BoundaryInfo struct {
	Path, SHA256 string
	Districts    []geo.District
	// Weights gives, by index of Districts, the spatial weights (neighbour
	// lists and their kind) and which districts touch the national border
	// on land. It is called once per database, when they are first stored.
	Weights func() (neighbors [][]int, kind string, border []bool)
	// Crossings, when not nil, replace the districts' nearest crossings
	// (SetCrossings) on every run, so that a new crossings file takes
	// effect; CrossingsSource names that file.
	Crossings       []DistrictCrossing
	CrossingsSource string
}

// BeginRun starts a transaction and allocates a run id. The districts table
// is filled from the boundaries on the first run; later runs must use the
// same boundary file, or district codes would stop meaning one thing.
func (s *Store) BeginRun(ctx context.Context, b BoundaryInfo) (*Run, error) {
	r, err := s.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.begin(ctx, b); err != nil {
		r.Rollback()
		return nil, err
	}
	return r, nil
}

// IDs returns the hasher of incident ids that hold personal data
// (schemas.PrivateID), keyed by the database's key: made at random by the
// first run that asks and kept in meta 'id_key', so that every run of the
// database gives an id the same hash. (The key is in the database, which
// holds the records anyway; outputs and exports never hold it.) The run
// that makes the key also hashes the ids that a database made before ids
// were hashed holds as given (hashStoredIDs).
func (r *Run) IDs(ctx context.Context) (*schemas.Hasher, error) {
	if r.ids != nil {
		return r.ids, nil
	}
	var v string
	err := r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'id_key'`).Scan(&v)
	made := errors.Is(err, sql.ErrNoRows)
	if made {
		v = hex.EncodeToString(schemas.NewIDKey())
		_, err = r.conn.ExecContext(ctx, `INSERT INTO meta VALUES ('id_key', ?)`, v)
		if err == nil {
			_, err = r.conn.ExecContext(ctx, `DELETE FROM meta WHERE key = 'id_form'`)
		}
		if err == nil {
			_, err = r.conn.ExecContext(ctx, `INSERT INTO meta VALUES ('id_form', '`+idFormCanonical+`')`)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: id key: %w", r.s.Path, err)
	}
	// A key made before ids were put in one form hashed them as written:
	// its database keeps doing so (schemas.PrivateID).
	var form sql.NullString
	if err := r.conn.QueryRowContext(ctx, `SELECT max(value) FROM meta WHERE key = 'id_form'`).Scan(&form); err != nil {
		return nil, fmt.Errorf("store: %s: id form: %w", r.s.Path, err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("store: %s: meta id_key is not a key of 16 bytes or more in hex", r.s.Path)
	}
	h, err := schemas.NewHasher(key)
	if err != nil {
		return nil, err
	}
	h.AsWritten = form.String != idFormCanonical
	if made {
		if err := r.hashStoredIDs(ctx, h); err != nil {
			return nil, fmt.Errorf("store: %s: hashing stored ids: %w", r.s.Path, err)
		}
	}
	r.ids = h
	return h, nil
}

// idFormCanonical is meta id_form of a database whose incident ids are
// hashed in their canonical form (schemas.CanonicalPII).
const idFormCanonical = "canonical"

// idTables are the tables that hold incident ids.
var idTables = []string{"incidents", "context_events", "sweep_twins"}

// hashStoredIDs replaces every stored incident id that holds personal data
// by its hash under h (schemas.PrivateID), as a database made before ids
// were hashed holds them as given: so the number leaves the database, and
// its records still link with the same records read again. Ids that link
// stay linked (one id, one hash), so the derived tables keep.
func (r *Run) hashStoredIDs(ctx context.Context, h *schemas.Hasher) error {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE ocmap_id_hashes (old VARCHAR, new VARCHAR)`); err != nil {
		return err
	}
	defer r.conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS ocmap_id_hashes`)
	for _, table := range idTables {
		rows, err := r.conn.QueryContext(ctx, `SELECT DISTINCT incident_id FROM `+table+` WHERE incident_id IS NOT NULL`)
		if err != nil {
			return err
		}
		var pairs [][]driver.Value
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if p := schemas.PrivateID(h, id); p != id {
				pairs = append(pairs, []driver.Value{id, p})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(pairs) == 0 {
			continue
		}
		// One UPDATE for all of them: an UPDATE a pair scanned the table
		// each time.
		if _, err := r.conn.ExecContext(ctx, `DELETE FROM ocmap_id_hashes`); err != nil {
			return err
		}
		if err := r.appendRows("ocmap_id_hashes", pairs); err != nil {
			return err
		}
		if _, err := r.conn.ExecContext(ctx, `UPDATE `+table+` SET incident_id = m.new
			FROM ocmap_id_hashes m WHERE `+table+`.incident_id = m.old`); err != nil {
			return err
		}
	}
	return nil
}

// beginTx opens a connection with its Arrow interface and begins a
// transaction on it.
func (s *Store) beginTx(ctx context.Context) (*Run, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	r := &Run{s: s, conn: conn, Started: time.Now().UTC()}
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		r.ar = ar
		return err
	})
	if err == nil {
		_, err = conn.ExecContext(ctx, "BEGIN TRANSACTION")
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: %s: %w", s.Path, err)
	}
	return r, nil
}

func (r *Run) begin(ctx context.Context, b BoundaryInfo) error {
	var prevPath, prevSHA sql.NullString
	r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'boundaries'`).Scan(&prevPath)
	r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'boundaries_sha256'`).Scan(&prevSHA)
	if prevSHA.Valid && prevSHA.String != b.SHA256 {
		return fmt.Errorf("%w: %s was built with %s (sha256 %.12s…), this run uses %s (sha256 %.12s…); "+
			"ingest into a new --db, or use the same boundary file", ErrBoundariesChanged,
			r.s.Path, prevPath.String, prevSHA.String, b.Path, b.SHA256)
	}
	if !prevSHA.Valid {
		for _, kv := range [][2]string{{"boundaries", b.Path}, {"boundaries_sha256", b.SHA256}} {
			if _, err := r.conn.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES (?, ?)`, kv[0], kv[1]); err != nil {
				return err
			}
		}
		if _, err := r.conn.ExecContext(ctx, `DELETE FROM districts`); err != nil {
			return err
		}
		if err := r.insertDistricts(ctx, b.Districts); err != nil {
			return err
		}
	}
	if err := r.insertNeighbors(ctx, b); err != nil {
		return err
	}
	if b.Crossings != nil {
		if err := r.SetCrossings(ctx, b.SHA256, b.CrossingsSource, b.Crossings); err != nil {
			return err
		}
	}
	return r.conn.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs`).Scan(&r.ID)
}

func (r *Run) insertDistricts(ctx context.Context, ds []geo.District) error {
	// One statement: one per district cost 0.1 s on a new database.
	codes, names, provs, areas := make([]string, len(ds)), make([]string, len(ds)), make([]string, len(ds)), make([]float64, len(ds))
	for i, d := range ds {
		codes[i], names[i], provs[i], areas[i] = d.Code, d.Name, d.Province, d.AreaKm2
	}
	_, err := r.conn.ExecContext(ctx, `INSERT INTO districts (district_code, district_name, province, area_km2)
		SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), nullif(unnest(?::VARCHAR[]), ''), unnest(?::DOUBLE[])`,
		codes, names, provs, areas)
	if err != nil {
		return fmt.Errorf("store: districts: %w", err)
	}
	return nil
}

// Tables that InsertStream writes.
const (
	TableIncidents = "incidents"
	TableContext   = "context_events"
	TableRejects   = "rejects"
)

// InsertStream inserts every batch rdr yields into table in one statement:
// TableIncidents, shaped by schemas.IncidentsCore or schemas.Incidents, or
// by schemas.LayoutIncidents, whose category fields go to the categories'
// own tables; TableContext, by schemas.Context; TableRejects, by
// schemas.Rejects. DuckDB pulls the batches through its Arrow scan, with
// no per-row calls, and converts them on all its threads; so one stream per
// file is about twice as fast as one statement per batch.
func (r *Run) InsertStream(ctx context.Context, table string, rdr array.RecordReader) error {
	if table != TableIncidents && table != TableContext && table != TableRejects {
		return fmt.Errorf("store: cannot stream into %q", table)
	}
	if table == TableIncidents && rdr.Schema().NumFields() > schemas.Incidents.NumFields() {
		return r.withView(ctx, rdr, func(view string) error { return r.insertLayoutIncidents(ctx, view) })
	}
	err := r.insertView(ctx, rdr, func(view string) string {
		return fmt.Sprintf(`INSERT INTO %s BY NAME SELECT * FROM %s`, table, view)
	})
	if err != nil {
		return fmt.Errorf("store: inserting into %s: %w", table, err)
	}
	return nil
}

// insertView runs the statement q makes from the name of a view of rdr's
// batches.
func (r *Run) insertView(ctx context.Context, rdr array.RecordReader, q func(view string) string) error {
	return r.withView(ctx, rdr, func(view string) error {
		_, err := r.conn.ExecContext(ctx, q(view))
		return err
	})
}

// withView calls fn with the name of a view of rdr's batches, which DuckDB
// pulls through its Arrow scan, and drops the view after. A stream of at
// most smallStream rows is inserted in order (see smallStream).
func (r *Run) withView(ctx context.Context, rdr array.RecordReader, fn func(view string) error) error {
	h, small := peekSmall(rdr, smallStream)
	defer h.Release()
	if small {
		if _, err := r.conn.ExecContext(ctx, `SET preserve_insertion_order = true`); err != nil {
			return err
		}
		defer r.conn.ExecContext(context.WithoutCancel(ctx), `SET preserve_insertion_order = false`)
	}
	r.views++
	view := fmt.Sprintf("ocmap_batch_%d", r.views)
	release, err := r.ar.RegisterView(h, view)
	if err != nil {
		return err
	}
	defer release()
	if err := fn(view); err != nil {
		return err
	}
	_, err = r.conn.ExecContext(ctx, `DROP VIEW IF EXISTS `+view)
	return err
}

// FileStats describes one ingested file.
type FileStats struct {
	Path   string
	SHA256 string
	// ContentSHA256 is the digest of the decompressed text: the same rows
	// plain and gzipped are one file.
	ContentSHA256            string
	Bytes                    int64
	Read, Accepted, Rejected int64
}

// Replaced is an earlier ingest of the same file content whose rows a run
// replaced.
type Replaced struct {
	RunID    int64
	Path     string
	Rows     int64 // accepted rows
	Rejected int64 // rejected rows, whose rejects went with them
}

// FinishFile records a file of this run. Rows from earlier ingests of the
// same content (same SHA-256 of the decompressed text, whatever the file's
// name or compression) are deleted, so ingesting a file again never double
// counts. A run's files are ingested earlier in the order FinishFile
// records them (ingest_files.file_seq): the order the run was given them.
func (r *Run) FinishFile(ctx context.Context, f FileStats) ([]Replaced, error) {
	if f.ContentSHA256 == "" {
		f.ContentSHA256 = f.SHA256
	}
	// Files recorded before content digests had only sha256, which is the
	// content's for a plain file.
	prev, err := r.liveFiles(ctx, `coalesce(content_sha256, sha256) = $1 ORDER BY run_id`, f.ContentSHA256)
	if err != nil {
		return nil, err
	}
	for _, p := range prev {
		if p.RunID == r.ID {
			return nil, fmt.Errorf("%w: %s and %s", ErrDuplicateFileInRun, p.Path, f.Path)
		}
		if err := r.remove(ctx, p); err != nil {
			return nil, err
		}
	}
	r.files++
	_, err = r.conn.ExecContext(ctx, `INSERT INTO ingest_files (run_id, source_file, sha256, bytes,
		rows_read, rows_accepted, rows_rejected, replaced_by, content_sha256, file_seq) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
		r.ID, f.Path, f.SHA256, f.Bytes, f.Read, f.Accepted, f.Rejected, f.ContentSHA256, r.files)
	return prev, err
}

// RowNumberIDs reports whether the incident ids of the run's rows of file
// are row numbers: ten rows or more, every id a distinct whole number from
// 0 to read+1 (read rows, a header and a title line at most). Such ids
// (an "S.No" column) start again in every file, so records of two files
// with one number would be one incident (a same-id link) when a source,
// category and month agree. It returns the highest number.
func (r *Run) RowNumberIDs(ctx context.Context, file string, read int64) (int64, bool, error) {
	var n, distinct, ints int64
	var lo, hi sql.NullInt64
	err := r.conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT incident_id), count(TRY_CAST(incident_id AS BIGINT)),
			min(TRY_CAST(incident_id AS BIGINT)), max(TRY_CAST(incident_id AS BIGINT))
		FROM incidents WHERE run_id = $1 AND source_file = $2`, r.ID, file).Scan(&n, &distinct, &ints, &lo, &hi)
	if err != nil {
		return 0, false, fmt.Errorf("store: %s: %w", r.s.Path, err)
	}
	ok := n >= 10 && ints == n && distinct == n && lo.Int64 >= 0 && hi.Int64 <= read+1
	return hi.Int64, ok, nil
}

// ErrNotIngested is returned by Withdraw for a file the database does not
// hold.
var ErrNotIngested = errors.New("the database holds no rows of that file")

// Withdraw removes the rows of an earlier run's file, as a file given
// again removes the rows of its earlier ingest: an agency's corrected
// return replaces the one it sent before, whose content differs. path is
// the file as recorded (ingest_files.source_file), or a bare name when it
// is the base name of one file the database holds ("feb.csv" or
// "./feb.csv" for "data/feb.csv"). A path with a folder must be the one
// recorded: "2024/jan.csv" never withdraws "2023/jan.csv".
func (r *Run) Withdraw(ctx context.Context, arg string) (Replaced, error) {
	path := filepath.Clean(arg)
	base := ""
	if filepath.Base(path) == path {
		base = path
	}
	found, err := r.liveFiles(ctx, `run_id <> $1 AND (source_file = $2 OR $3 <> '' AND `+baseName+` = $3)
		ORDER BY source_file = $2 DESC, run_id`, r.ID, path, base)
	if err != nil {
		return Replaced{}, err
	}
	switch {
	case len(found) == 0:
		return Replaced{}, r.notWithdrawn(ctx, arg, path, base)
	case len(found) > 1 && found[0].Path != path:
		var names []string
		for _, p := range found {
			names = append(names, p.Path)
		}
		return Replaced{}, fmt.Errorf("withdrawing %s: it names %d files (%s); give one as recorded", arg, len(found), strings.Join(names, ", "))
	}
	if base != "" && found[0].Path != path {
		// A bare name that is also the name of a file taken out before
		// may mean that one: withdrawing an original by its name after
		// its correction (v2/x.csv) replaced it (v1/x.csv) took out the
		// correction.
		var gone string
		var by int64
		err := r.conn.QueryRowContext(ctx, `SELECT source_file, replaced_by FROM ingest_files
			WHERE replaced_by IS NOT NULL AND `+baseName+` = $1 AND source_file <> $2
			ORDER BY replaced_by DESC LIMIT 1`, base, found[0].Path).Scan(&gone, &by)
		if err == nil {
			return Replaced{}, fmt.Errorf("withdrawing %s: it names %s, but %s, taken out by run %d, has that name too; give the one you mean as recorded (%s)",
				arg, found[0].Path, gone, by, found[0].Path)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Replaced{}, err
		}
	}
	return found[0], r.remove(ctx, found[0])
}

// baseName is the SQL for the base name of ingest_files.source_file.
const baseName = `regexp_extract(source_file, '[^/\\]*$')`

// baseNameOf is baseName of another column or expression.
func baseNameOf(col string) string { return `regexp_extract(` + col + `, '[^/\\]*$')` }

// notWithdrawn says why Withdraw found no file for arg (cleaned: path;
// base when it is a bare name): a file that a run already took out, by
// --withdraw or by ingesting the same content; or one recorded under
// another path with the same base name.
func (r *Run) notWithdrawn(ctx context.Context, arg, path, base string) error {
	var by int64
	var file string
	var same sql.NullString
	err := r.conn.QueryRowContext(ctx, `SELECT f.replaced_by, f.source_file, (SELECT min(g.source_file) FROM ingest_files g
			WHERE g.run_id = f.replaced_by AND coalesce(g.content_sha256, g.sha256) = coalesce(f.content_sha256, f.sha256))
		FROM ingest_files f WHERE f.replaced_by IS NOT NULL AND (source_file = $1 OR $2 <> '' AND `+baseName+` = $2)
		ORDER BY f.replaced_by DESC LIMIT 1`, path, base).Scan(&by, &file, &same)
	switch {
	case err == nil && by == r.ID:
		return fmt.Errorf("withdrawing %s: this run withdraws %s already (--withdraw names it twice)", arg, file)
	case err == nil && same.Valid:
		return fmt.Errorf("withdrawing %s: %w: the rows of %s were replaced by %s of run %d, which has the same content; withdraw that file", arg, ErrNotIngested, file, same.String, by)
	case err == nil:
		return fmt.Errorf("withdrawing %s: %w: run %d withdrew %s already", arg, ErrNotIngested, by, file)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	named, err := r.liveFiles(ctx, baseName+` = $1 ORDER BY source_file`, filepath.Base(path))
	if err != nil {
		return err
	}
	var names []string
	for _, p := range named {
		names = append(names, p.Path)
	}
	if len(names) > 0 {
		return fmt.Errorf("withdrawing %s: %w; %s has that name (give it as recorded)", arg, ErrNotIngested, strings.Join(names, ", "))
	}
	return fmt.Errorf("withdrawing %s: %w (ocmap sql --db %s \"SELECT source_file FROM ingest_files WHERE replaced_by IS NULL\" lists them)", arg, ErrNotIngested, r.s.Path)
}

// liveFiles returns the files of ingest_files that no run replaced and
// that cond (a condition, then ORDER BY) selects.
func (r *Run) liveFiles(ctx context.Context, cond string, args ...any) ([]Replaced, error) {
	rows, err := r.conn.QueryContext(ctx, `SELECT run_id, source_file, rows_accepted, coalesce(rows_rejected, 0) FROM ingest_files
		WHERE replaced_by IS NULL AND `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Replaced
	for rows.Next() {
		var p Replaced
		if err := rows.Scan(&p.RunID, &p.Path, &p.Rows, &p.Rejected); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// remove deletes the rows of an earlier run's file and marks the file
// replaced by this run.
func (r *Run) remove(ctx context.Context, p Replaced) error {
	if err := r.forget(ctx, p.RunID, p.Path); err != nil {
		return err
	}
	if err := r.promote(ctx, p.RunID, p.Path); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM incidents WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM drug_trafficking WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM human_trafficking WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM terror_financing WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM cybercrime WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM context_events WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM sweep_moves WHERE run_id = ? AND source_file = ?`,
		`DELETE FROM sweep_twins WHERE run_id = ? AND source_file = ?`,
		// A folder's rejects name its files (read.Origins).
		`DELETE FROM rejects WHERE run_id = $1 AND (source_file = $2 OR starts_with(source_file, rtrim($2, '/') || '/'))`,
	} {
		if _, err := r.conn.ExecContext(ctx, q, p.RunID, p.Path); err != nil {
			return err
		}
	}
	_, err := r.conn.ExecContext(ctx, `UPDATE ingest_files SET replaced_by = ? WHERE run_id = ? AND source_file = ?`,
		r.ID, p.RunID, p.Path)
	return err
}

// forget notes the file whose rows are about to be deleted, the days
// of its rows and what they brought to the summaries, for derive.
func (r *Run) forget(ctx context.Context, run int64, file string) error {
	r.replaced = append(r.replaced, rowKey{run: run, file: file})
	rows, err := r.conn.QueryContext(ctx, `SELECT district_code, category, CAST(occurred_on - DATE '1970-01-01' AS INTEGER), count(*)
		FROM incidents WHERE run_id = ? AND source_file = ? GROUP BY ALL`, run, file)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d partDay
		var district sql.NullString
		var day sql.NullInt32
		var n int64
		if err := rows.Scan(&district, &d.category, &day, &n); err != nil {
			return err
		}
		r.goneRows += n
		if district.Valid && day.Valid {
			d.district, d.day = district.String, day.Int32
			r.goneDays = append(r.goneDays, d)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return r.takeAway(ctx, run, file)
}

// promoteQuery takes out of sweep_twins, and gives, for each incident id
// that a row of the file about to be deleted ($1, $2) stands for in the
// sweep (a row with a district and a date that is no twin), the earliest
// of its twins in other files (earliest ingested: fileOrder): the row
// that stands for the id once the file's rows are gone. One statement: a DELETE for each twin scanned
// sweep_twins each time (5.9 s for a file of 8,000 ids that all had a
// twin; TestPromoteManyTwinsBounded).
var promoteQuery = `DELETE FROM sweep_twins USING (
		WITH gone AS (
			SELECT DISTINCT coalesce(i.source, i.layout, '') AS skey, i.category, i.incident_id, date_trunc('month', i.occurred_on) AS month
			FROM incidents i ANTI JOIN sweep_twins t
				ON t.run_id = i.run_id AND t.source_file = i.source_file AND t.source_line = i.source_line
			WHERE i.run_id = $1 AND i.source_file = $2 AND i.incident_id IS NOT NULL
				AND i.district_code IS NOT NULL AND i.occurred_on IS NOT NULL),
		twins AS (
			SELECT t.* FROM sweep_twins t SEMI JOIN gone g
				ON g.skey = t.skey AND g.category = t.category AND g.incident_id = t.incident_id AND g.month = date_trunc('month', t.occurred_on)
			WHERE NOT (t.run_id = $1 AND t.source_file = $2)),
		next AS (
			SELECT run_id, source_file, source_line, row_number() OVER (PARTITION BY skey, category, incident_id, date_trunc('month', occurred_on)
				ORDER BY run_id, ` + fileSeqOf("twins") + `, source_file, source_line) AS n
			FROM twins)
		SELECT run_id, source_file, source_line FROM next WHERE n = 1) p
	WHERE sweep_twins.run_id = p.run_id AND sweep_twins.source_file = p.source_file AND sweep_twins.source_line = p.source_line
	RETURNING sweep_twins.run_id, sweep_twins.source_file, sweep_twins.source_line, sweep_twins.category,
		sweep_twins.district_code, CAST(sweep_twins.occurred_on - DATE '1970-01-01' AS INTEGER)`

// promote takes out of sweep_twins the twins that stand for their incident
// id once the rows of run's file go (promoteQuery), and adds their days to
// the days the run changed: the sweep has them from now on.
func (r *Run) promote(ctx context.Context, run int64, file string) error {
	var any bool
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sweep_twins`).Scan(&any); err != nil || !any {
		return err
	}
	rows, err := r.conn.QueryContext(ctx, promoteQuery, run, file)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k rowKey
		var d partDay
		if err := rows.Scan(&k.run, &k.file, &k.line, &d.category, &d.district, &d.day); err != nil {
			return err
		}
		if r.promoted == nil {
			r.promoted = map[rowKey]bool{}
		}
		r.promoted[k] = true
		r.goneDays = append(r.goneDays, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// Commit brings the groups and summaries up to date with the run's rows,
// records the run and commits everything at once.
func (r *Run) Commit(ctx context.Context, filesJSON string, read, accepted, rejected int64, version string) error {
	var bpath, bsha sql.NullString
	r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'boundaries'`).Scan(&bpath)
	r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'boundaries_sha256'`).Scan(&bsha)
	err := r.derive(ctx)
	if err == nil && r.AfterSummaries != nil {
		err = r.AfterSummaries(ctx, r)
	}
	if err != nil {
		r.Rollback()
		return fmt.Errorf("store: %s: %w", r.s.Path, err)
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{r.ID, r.Started, time.Now().UTC(), filesJSON, read, accepted, rejected, bpath, bsha, version}},
	}
	for _, s := range stmts {
		if _, err := r.conn.ExecContext(ctx, s.q, s.args...); err != nil {
			r.Rollback()
			return fmt.Errorf("store: %s: %w", r.s.Path, err)
		}
	}
	if _, err := r.conn.ExecContext(ctx, "COMMIT"); err != nil {
		r.Rollback()
		return fmt.Errorf("store: %s: commit: %w", r.s.Path, err)
	}
	r.done = true
	r.conn.Close()
	return nil
}

// CommitRows commits what the run has written so far and goes on in a new
// transaction, in a database opened with Options.Staged only. DuckDB reads
// committed rows two to three times faster than rows of an open
// transaction (measured on a first ingest of 1M rows: deriving the tables
// took 2.8 s instead of 5.1 s), and a first ingest reads every row several
// times to link and summarize them. A staged database is discarded whole
// when the run fails, so committing in two steps loses no atomicity.
func (r *Run) CommitRows(ctx context.Context) error {
	if !r.s.staged {
		return fmt.Errorf("store: %s: CommitRows needs a staged database", r.s.Path)
	}
	if _, err := r.conn.ExecContext(ctx, "COMMIT"); err != nil {
		r.Rollback()
		return fmt.Errorf("store: %s: commit: %w", r.s.Path, err)
	}
	if _, err := r.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		r.done = true
		r.conn.Close()
		return fmt.Errorf("store: %s: %w", r.s.Path, err)
	}
	return nil
}

// Rollback abandons the run; the database is left as it was.
func (r *Run) Rollback() error {
	if r.done {
		return nil
	}
	r.done = true
	// A fresh context: rolling back must happen even when ctx was cancelled.
	_, err := r.conn.ExecContext(context.Background(), "ROLLBACK")
	r.conn.Close()
	return err
}
