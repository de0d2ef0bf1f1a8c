//go:build duckdb_arrow

package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/scratch"
	"github.com/ocmap/ocmap/internal/steptrace"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/placeholder"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// ErrNoInput is returned when Ingest is given no files.
var ErrNoInput = errors.New("pipeline: no input files")

// Config describes one ingest run.
type Config struct {
	DB         string
	Boundaries *geo.Boundaries
	Inputs     []string
	KeepRaw    bool      // keep raw text of rejected rows
	BatchRows  int       // 0 for the default
	Progress   io.Writer // progress lines; nil for none
	Version    string
	Store      store.Options
	Today      time.Time // dates after it are rejected; zero for now
	Workers    int       // goroutines validating rows; 0 for half the CPUs
	// DateWindow is how many rows of a canonical file are ordered by date
	// at a time before they are stored (store.DateOrder); 0 for
	// store.DateWindow, below 0 for none.
	DateWindow int
	// OwnMemoryLimit says the Go heap's soft limit is the caller's own
	// (cmd/ocmap's, as GOMEMLIMIT is not set), which ingest may raise by
	// what DateOrder holds while it reads a canonical file; a limit the
	// user set stays as it is.
	OwnMemoryLimit bool
	// Layout reads the inputs in a source layout; nil reads the canonical
	// layout. Context layouts fill context_events.
	Layout *layout.Layout
	// HashKey keys the hashes of personal columns that layouts keep for
	// linking; empty refuses such layouts.
	HashKey []byte
	// Aliases are the user's place-name aliases, added to the gazetteer's
	// own table.
	Aliases []geo.Alias
	// Population is a census table (district, year, population) that
	// replaces the database's population, for rates; empty keeps it.
	Population string
	// Limits bound what one input may decompress to (gzip, XLSX), against
	// zip bombs; the zero value is the defaults.
	Limits read.Limits
	// Places is a GeoNames file (geo.ReadPlacesFile) for the place layer:
	// towns and villages the gazetteer does not know. Nil for none.
	Places *geo.PlaceFile
	// Crossings are the official crossings whose nearest one, and its
	// distance, every run stores for each district (districts.crossing,
	// crossing_km); nil takes ocmap's (ShippedCrossings). CrossingsSource
	// names their file.
	Crossings       []geo.Crossing
	CrossingsSource string
	// Withdraw names files of earlier runs whose rows the run removes
	// (store.Run.Withdraw): a corrected file replaces the one sent before.
	Withdraw []string
}

// ShippedCrossingsSource names the crossings file ocmap ships.
const ShippedCrossingsSource = "ocmap's data/flows/crossings.csv"

// ShippedCrossings reads the crossings file ocmap ships (package data).
func ShippedCrossings() ([]geo.Crossing, error) {
	cs, err := geo.ReadCrossings(bytes.NewReader(data.Crossings))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ShippedCrossingsSource, err)
	}
	return cs, nil
}

// districtCrossings measures each district's distance to its nearest
// crossing, for the districts table.
func districtCrossings(b *geo.Boundaries, cs []geo.Crossing) []store.DistrictCrossing {
	out := make([]store.DistrictCrossing, 0, len(b.Districts))
	for i, n := range geo.NearestCrossings(b, cs) {
		if n.Crossing >= 0 {
			out = append(out, store.DistrictCrossing{Code: b.Districts[i].Code, Crossing: cs[n.Crossing].Name, Km: n.Km})
		}
	}
	return out
}

// FileReport is what happened to one input file.
type FileReport struct {
	Path                     string
	SHA256                   string
	Bytes                    int64
	Read, Accepted, Rejected int64
	// Blank counts the lines skipped as blank: empty, or only commas and
	// spaces. They are not rows, so not in Read.
	Blank int64 `json:",omitempty"`
	// Footer lists the lines (a sheet's rows) the layout's footer_rows left
	// out as totals or notes; not in Read either.
	Footer []int64 `json:",omitempty"`
	// HashedIDs counts the accepted rows whose incident id held a phone,
	// CNIC or passport number or an e-mail address, stored as a keyed hash.
	HashedIDs int64 `json:",omitempty"`
	Replaced  []store.Replaced
}

// Report is what an ingest run did. Read = Accepted + Rejected always.
type Report struct {
	RunID                    int64
	DB                       string
	Files                    []FileReport
	Read, Accepted, Rejected int64
	FirstRejects             []schemas.RowError     // up to MaxShownRejects, for the terminal
	Population               *read.PopulationReport // when the run read a population file
	// PlacesLoaded is the number of places of Config.Places inside a
	// district, used by the place layer.
	PlacesLoaded int
	// Placeholders counts the rows placed anew because their point was a
	// placeholder (see placeholder.Replace), by rule.
	Placeholders placeholder.Counts
	// Withdrawn are the files of Config.Withdraw, with their rows removed.
	Withdrawn []store.Replaced
	Warnings  []string
	Timings   Timings
}

// Timings say where an ingest spent its time. Reading and storing overlap,
// so the stages add up to more than Total.
type Timings struct {
	Index   time.Duration // building the district index
	Produce time.Duration // reading, validating and locating rows (busy time)
	Insert  time.Duration // DuckDB taking the rows, including waits for them
	Commit  time.Duration // summaries, measures, run record, commit
	// Links, Summaries and Measures are the parts of Commit that link
	// records into incidents, update the summaries of the cells the run
	// touched, and recompute the measure tables.
	Links, Summaries, Measures time.Duration
	// Placeholders is finding placeholder points and placing their rows.
	Placeholders time.Duration
	Total        time.Duration
}

// MaxShownRejects bounds the rejects a Report carries for display.
const MaxShownRejects = 10

// Ingest reads every input into the database as one run: all of it commits,
// or none of it does. A database that the run created is removed when it
// fails, so a failed first ingest leaves nothing behind.
//
// A run that creates the database writes it as DB.partial (StagingPath),
// which it may commit in steps, and puts it in place as DB only when the
// whole run succeeded: a failed or killed first ingest leaves no database
// at DB, and the next one removes the partial file it left.
func Ingest(ctx context.Context, cfg Config) (*Report, error) {
	_, statErr := os.Stat(cfg.DB)
	if !errors.Is(statErr, fs.ErrNotExist) {
		return ingest(ctx, cfg)
	}
	if len(cfg.Withdraw) > 0 {
		// Checked before the run, which would create the database.
		return nil, fmt.Errorf("withdrawing %s: %s does not exist yet, so it holds no file to withdraw (check --db)", cfg.Withdraw[0], cfg.DB)
	}
	name, final := cfg.DB, linkTarget(cfg.DB)
	cfg.DB = StagingPath(final)
	cfg.Store.Staged = true
	// Two first ingests into the same new database would write the same
	// staged file: the lock makes the second stop (and the first remove a
	// staged file only when no run is writing it).
	unlock, err := store.LockFile(cfg.DB + ".lock")
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another ingest is creating %s now; run this one again when it has finished (it will add to that database)", name)
	} else if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(final); !errors.Is(err, fs.ErrNotExist) {
		// Made by a run that finished after this one first looked.
		cfg.DB, cfg.Store.Staged = final, false
		return ingest(ctx, cfg)
	}
	RemoveDB(cfg.DB) // left by a killed run
	rep, err := ingest(ctx, cfg)
	if err == nil {
		rep.DB = name
		err = putInPlace(cfg.DB, final)
	}
	if err != nil {
		RemoveDB(cfg.DB)
		return nil, err
	}
	return rep, nil
}

// linkTarget is the file a first ingest into db makes: db itself, or, when
// db is a symbolic link to a file not made yet (a database kept on another
// disk), the file the link names, as DuckDB would open it. The staged file
// goes beside it, on the same file system.
func linkTarget(db string) string {
	for range 40 { // as the kernel, give up on a loop
		fi, err := os.Lstat(db)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return db
		}
		to, err := os.Readlink(db)
		if err != nil {
			return db
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(db), to)
		}
		db = to
	}
	return db
}

// RemoveStaged removes what a first ingest into db that was stopped hard
// leaves: its staged database and its lock. Not the database at db: until
// the run puts its own in place, one there is another run's.
func RemoveStaged(db string) {
	staged := StagingPath(linkTarget(db))
	RemoveDB(staged)
	os.Remove(staged + ".lock")
}

// StagingPath is where a first ingest into db writes it.
func StagingPath(db string) string { return db + ".partial" }

// putInPlace makes the closed staged database the database at final. It
// links rather than renames, so a database made meanwhile at final by
// another process is not replaced.
func putInPlace(staged, final string) error {
	if _, err := os.Stat(staged + ".wal"); err == nil {
		// DuckDB writes its log into the file when it closes; a log left
		// means the file alone is not the whole database.
		return fmt.Errorf("%s: the new database kept a write-ahead log after closing; not put in place as %s", staged, final)
	}
	if err := os.Link(staged, final); err != nil {
		// Without hard links on this file system a rename is as atomic, once
		// final is known not to exist.
		if _, statErr := os.Stat(final); errors.Is(err, fs.ErrExist) || statErr == nil {
			return fmt.Errorf("%s was created by another process during this ingest; this run's database is not put in its place", final)
		}
		if err := os.Rename(staged, final); err != nil {
			return fmt.Errorf("putting the new database in place: %w", err)
		}
	} else if err := os.Remove(staged); err != nil {
		return err
	}
	syncDir(filepath.Dir(final))
	return nil
}

// syncDir makes the names in dir durable: without it, a power cut after a
// run said it succeeded could lose the new database's name. It is best
// effort: some systems (Windows, some network file systems) cannot sync a
// folder, and the database is in place either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// RemoveDB removes a database file and the files DuckDB keeps beside it,
// and those of its staged copy (StagingPath).
func RemoveDB(path string) {
	for _, base := range []string{path, StagingPath(path)} {
		for _, p := range []string{base, base + ".wal", base + ".tmp"} {
			os.RemoveAll(p)
		}
	}
}

func ingest(ctx context.Context, cfg Config) (*Report, error) {
	start := time.Now()
	if len(cfg.Inputs) == 0 && cfg.Population == "" && len(cfg.Withdraw) == 0 {
		return nil, ErrNoInput
	}
	for _, in := range cfg.Inputs {
		if fi, err := os.Stat(in); err != nil {
			return nil, fmt.Errorf("input %w", err)
		} else if fi.IsDir() && (cfg.Layout == nil || cfg.Layout.Format != "parquet") {
			// A folder is a Parquet dataset, read through a layout.
			return nil, fmt.Errorf("input %s is a directory; name the files in it (a folder is read as one Parquet dataset, through a layout of format parquet)", in)
		}
	}
	// The database opens while the locator indexes the boundaries: each
	// takes 0.06-0.1 s, DuckDB reading its file and Go building an index.
	type opened struct {
		st  *store.Store
		err error
	}
	open := make(chan opened, 1)
	go func() {
		st, err := store.Open(ctx, cfg.DB, cfg.Store)
		open <- opened{st, err}
	}()
	loc, err := locate.NewWithAliases(cfg.Boundaries, cfg.Aliases)
	steptrace.Mark("locator")
	indexed := time.Since(start) // the report's index stage, without the wait for the database
	o := <-open
	if o.st != nil {
		defer o.st.Close()
	}
	if err != nil {
		return nil, err
	}
	if o.err != nil {
		return nil, o.err
	}
	st := o.st
	steptrace.Mark("open database")
	if cfg.Crossings == nil {
		if cfg.Crossings, err = ShippedCrossings(); err != nil {
			return nil, err
		}
		cfg.CrossingsSource = ShippedCrossingsSource
	}
	rep := &Report{DB: cfg.DB}
	rep.Timings.Index = indexed
	if cfg.Places != nil {
		t := time.Now()
		rep.PlacesLoaded = loc.UsePlaces(cfg.Places).Len()
		rep.Timings.Index += time.Since(t)
	}

	steptrace.Mark("crossings")
	run, err := st.BeginRun(ctx, store.BoundaryInfo{
		Path: cfg.Boundaries.Path, SHA256: cfg.Boundaries.SHA256, Districts: cfg.Boundaries.Districts,
		Weights:   analysis.Weights(cfg.Boundaries),
		Crossings: districtCrossings(cfg.Boundaries, cfg.Crossings), CrossingsSource: cfg.CrossingsSource,
	})
	if err != nil {
		return nil, err
	}
	steptrace.Mark("begin run (districts, neighbours, crossings)")
	if cfg.Places != nil {
		if err := run.RecordPlaces(ctx, cfg.Places.Path, cfg.Places.SHA256, geo.PlacesLicence); err != nil {
			run.Rollback()
			return nil, err
		}
	}
	if cfg.Progress != nil {
		run.Step = func(s string) { fmt.Fprintf(cfg.Progress, "  %s\n", s) }
	}
	run.AfterSummaries = func(ctx context.Context, r *store.Run) error {
		t := time.Now()
		defer func() { rep.Timings.Measures = time.Since(t) }()
		steptrace.Mark("derived tables")
		defer steptrace.Mark("measures")
		return analysis.Recompute(ctx, r)
	}
	rep.RunID = run.ID
	// Before the inputs: a corrected file may have the content of one
	// withdrawn earlier, or the withdrawn file's own.
	for _, path := range cfg.Withdraw {
		w, err := run.Withdraw(ctx, path)
		if err != nil {
			run.Rollback()
			return nil, err
		}
		rep.Withdrawn = append(rep.Withdrawn, w)
	}
	for _, in := range cfg.Inputs {
		ingest := ingestFile
		if cfg.Layout != nil {
			ingest = ingestLayoutFile
		}
		fr, err := ingest(ctx, cfg, loc, run, in, rep)
		if err != nil {
			run.Rollback()
			return nil, err
		}
		steptrace.Mark("file " + in)
		if nameHoldsPII(filepath.Base(in)) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: the file's name holds what looks like a phone, CNIC or passport number or "+
				"an e-mail address; the database keeps file names (each row's source_file), and rejects, review and internal exports show them "+
				"(published exports do not): rename the file and ingest it again with --withdraw and this name", in))
		}
		rep.Files = append(rep.Files, fr)
		rep.Read += fr.Read
		rep.Accepted += fr.Accepted
		rep.Rejected += fr.Rejected
	}
	if cfg.Store.Staged {
		// A new database: its rows are read faster committed.
		if err := run.CommitRows(ctx); err != nil {
			return nil, err
		}
		steptrace.Mark("commit rows (new database)")
	}
	t := time.Now()
	rep.Placeholders, err = placeholder.Replace(ctx, loc, run)
	rep.Timings.Placeholders = time.Since(t)
	steptrace.Mark("placeholder points")
	if err != nil {
		run.Rollback()
		return nil, err
	}
	if cfg.Population != "" {
		if err := ingestPopulation(ctx, cfg, loc, run, rep); err != nil {
			run.Rollback()
			return nil, err
		}
	}
	files, _ := json.Marshal(rep.Files)
	commit := time.Now()
	if err := run.Commit(ctx, string(files), rep.Read, rep.Accepted, rep.Rejected, cfg.Version); err != nil {
		return nil, err
	}
	steptrace.Mark("commit")
	for _, p := range run.Repeats {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s repeats %d of its %d records of %s (run %d): with the same source, "+
			"incident id and month they count once, as that file has them. If it corrects that file, ingest it again with --withdraw %s",
			p.File, p.Rows, p.FileRows, p.Of, p.OfRun, p.Of))
	}
	// The run is committed; a failed checkpoint on close loses nothing
	// (DuckDB replays its log on the next open), so it is a warning.
	if err := st.Close(); err != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("closing %s: %v (the run is committed)", cfg.DB, err))
	}
	steptrace.Mark("close (checkpoint)")
	rep.Timings.Commit = time.Since(commit)
	rep.Timings.Links, rep.Timings.Summaries = run.Links, run.Summaries
	rep.Timings.Total = time.Since(start)
	return rep, nil
}

func ingestFile(ctx context.Context, cfg Config, loc *locate.Locator, run *store.Run, path string, rep *Report) (FileReport, error) {
	fr := FileReport{Path: path}
	ids, err := run.IDs(ctx)
	if err != nil {
		return fr, err
	}
	f, err := read.OpenLimited(path, cfg.Limits)
	if err != nil {
		return fr, fmt.Errorf("input %w", err)
	}
	defer f.Close()
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	// Rejected rows wait in a temporary Arrow IPC file until the incidents
	// are in: memory stays bounded even when every row of a file is bad.
	spill, err := scratch.File("ocmap-rejects-*.arrows")
	if err != nil {
		return fr, err
	}
	defer os.Remove(spill.Name())
	defer spill.Close()

	mem := memory.NewGoAllocator()
	sc := read.NewScanner(read.UTF16ByBOM(f)) // Excel's "Unicode text" is UTF-16
	header, err := normalize.ReadHeader(sc, path)
	if err != nil {
		return fr, err
	}
	sc.SetNames(header.Names())

	pctx, cancel := context.WithCancel(ctx) // stops the producer
	defer cancel()
	// A producer blocked in a read (a pipe, a stalled network file) only sees
	// cancellation when its file is closed under it.
	defer context.AfterFunc(pctx, f.Interrupt)()
	rw := ipc.NewWriter(spill, ipc.WithSchema(schemas.Rejects), ipc.WithAllocator(mem))

	// One goroutine splits records into chunks (the scanner must see the
	// bytes in order, for quotes); workers validate and locate chunks in
	// parallel. Batch order does not matter: every row carries its line.
	var (
		mu   sync.Mutex // guards perr, rw and rep.FirstRejects
		perr error      // the producer's first error; final once ch is closed
		rows atomic.Int64
		busy atomic.Int64 // nanoseconds workers spent working, not waiting
	)
	fail := func(err error) {
		mu.Lock()
		if perr == nil {
			perr = err
		}
		mu.Unlock()
	}
	workers := cfg.Workers
	if workers <= 0 {
		// DuckDB converts and compresses on the other CPUs; on 2 cores one
		// worker is as fast as two (measured), on 8 cores four help.
		workers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	work := make(chan *normalize.Chunk, workers)
	free := make(chan *normalize.Chunk, 2*workers+1)
	go func() {
		defer close(work)
		for {
			var c *normalize.Chunk
			select {
			case c = <-free:
				c.Reset()
			default:
				c = &normalize.Chunk{}
			}
			for !c.Full() && sc.Next() {
				c.Add(sc)
			}
			if c.Len() == 0 {
				break
			}
			rows.Add(int64(c.Len()))
			select {
			case work <- c:
			case <-pctx.Done():
				return
			}
		}
		if err := sc.Err(); err != nil {
			fail(fmt.Errorf("%s: %w", path, err))
		}
	}()
	ch := make(chan arrow.RecordBatch, 1)
	nzs := make([]*normalize.Normalizer, workers)
	var wg sync.WaitGroup
	for w := range nzs {
		nz := normalize.New(mem, normalize.NewChunkReader(work, free), loc.Worker(), normalize.Options{
			File: path, RunID: run.ID, KeepRaw: cfg.KeepRaw, BatchRows: cfg.BatchRows, Today: cfg.Today, Header: header,
			IDs: ids,
		})
		defer nz.Release()
		nzs[w] = nz
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			for nz.Next() {
				rej := nz.Rejects()
				mu.Lock()
				collectRejects(rep, rej)
				err := rw.Write(rej)
				mu.Unlock()
				rej.Release()
				if err != nil {
					nz.Record().Release()
					fail(fmt.Errorf("spilling rejects: %w", err))
					cancel()
					return
				}
				busy.Add(int64(time.Since(t)))
				select {
				case ch <- nz.Record():
					t = time.Now()
				case <-pctx.Done():
					nz.Record().Release()
					fail(pctx.Err())
					return
				}
			}
			busy.Add(int64(time.Since(t)))
			if err := nz.Err(); err != nil {
				fail(err)
				cancel()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	stop := startProgress(cfg.Progress, path, size, f, &rows)
	rdr := store.NewChanReader(schemas.IncidentsCore, ch, func() error {
		mu.Lock()
		defer mu.Unlock()
		return perr
	})
	insert := time.Now()
	batchRows := cfg.BatchRows
	if batchRows <= 0 {
		batchRows = normalize.DefaultBatchRows
	}
	var ordered array.RecordReader = rdr
	if window := cmp.Or(cfg.DateWindow, store.DateWindow); window > 0 {
		ordered = store.DateOrder(rdr, window, batchRows)
		defer raiseMemoryLimit(cfg, window)()
	}
	werr := run.InsertStream(ctx, store.TableIncidents, ordered)
	if werr != nil {
		cancel()
	}
	if ordered != rdr {
		ordered.Release()
	}
	rdr.Release() // drains ch, so the producer has returned and perr is final
	stop()
	rep.Timings.Insert += time.Since(insert)
	rep.Timings.Produce += time.Duration(busy.Load() / int64(workers))
	if err := ctx.Err(); err != nil {
		return fr, err // interrupted: whatever failed after that is its echo
	}
	if werr != nil {
		if perr != nil && !errors.Is(perr, context.Canceled) {
			return fr, perr // the cause: DuckDB saw only a broken stream
		}
		return fr, werr
	}
	if perr != nil {
		return fr, perr
	}
	if err := rw.Close(); err != nil {
		return fr, fmt.Errorf("spilling rejects: %w", err)
	}
	if err := insertSpilled(ctx, run, spill, mem); err != nil {
		return fr, err
	}
	fr.Blank = sc.Blank()
	for _, nz := range nzs {
		fr.Read += nz.Read
		fr.Accepted += nz.Accepted
		fr.Rejected += nz.Rejected
		fr.HashedIDs += nz.HashedIDs
	}
	if fr.SHA256, fr.Bytes, err = f.Digest(); err != nil {
		return fr, fmt.Errorf("input %s: %w", path, err)
	}
	fr.Replaced, err = run.FinishFile(ctx, store.FileStats{
		Path: path, SHA256: fr.SHA256, ContentSHA256: f.ContentDigest(), Bytes: fr.Bytes,
		Read: fr.Read, Accepted: fr.Accepted, Rejected: fr.Rejected,
	})
	if err == nil {
		err = warnRowNumberIDs(ctx, run, path, fr.Read, rep)
	}
	return fr, err
}

// raiseMemoryLimit raises the Go heap's soft limit, when it is the
// caller's own (cfg.OwnMemoryLimit), by what DateOrder holds in windows
// of window rows, and returns what sets it back.
func raiseMemoryLimit(cfg Config, window int) (restore func()) {
	// Two windows are held (one filling, one ordered and waiting for
	// DuckDB), and for a moment a third (the filled one and its ordered
	// copy, beside the last waiting): under the soft limit that fits
	// batches in flight alone, the collector ran all the time (5M rows:
	// 50 s, not 40). A limit the user set (GOMEMLIMIT) is theirs to keep.
	if limit := debug.SetMemoryLimit(-1); cfg.OwnMemoryLimit && limit < math.MaxInt64/2 {
		debug.SetMemoryLimit(limit + int64(2*window)*dateOrderRowBytes)
		return func() { debug.SetMemoryLimit(limit) }
	}
	return func() {}
}

// dateOrderRowBytes is about what a row of a canonical file takes in a
// batch (gen's rows: 270 bytes).
const dateOrderRowBytes = 280

// warnRowNumberIDs warns when the ids of a file are its row numbers
// (store.Run.RowNumberIDs): the user is told, not second-guessed, as such
// ids may be a dataset's own stable numbers.
func warnRowNumberIDs(ctx context.Context, run *store.Run, path string, read int64, rep *Report) error {
	hi, ok, err := run.RowNumberIDs(ctx, path, read)
	if err != nil || !ok {
		return err
	}
	rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: its incident ids are row numbers (up to %d): a record of another file "+
		"with the same number, source, category and month will be taken for the same incident; "+
		"give each record the agency's own case, FIR or report number", path, hi))
	return nil
}

// insertSpilled inserts the rejects written to f, a scratch file.
func insertSpilled(ctx context.Context, run *store.Run, f *os.File, mem memory.Allocator) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading spilled rejects: %w", err)
	}
	r, err := ipc.NewReader(f, ipc.WithAllocator(mem), ipc.WithSchema(schemas.Rejects))
	if err != nil {
		return fmt.Errorf("reading spilled rejects: %w", err)
	}
	defer r.Release()
	return run.InsertStream(ctx, store.TableRejects, r)
}

// collectRejects keeps the first MaxShownRejects rejects in file order and,
// within a file, by line: workers see chunks out of order, the terminal
// should not. Files are ingested one after another, so only the current
// file's rejects compete for the places left.
func collectRejects(rep *Report, rej arrow.RecordBatch) {
	for i := 0; i < int(rej.NumRows()); i++ {
		e := schemas.RowError{
			File:   rej.Column(1).(*array.String).Value(i),
			Line:   rej.Column(2).(*array.Int64).Value(i),
			Field:  rej.Column(3).(*array.String).Value(i),
			Reason: rej.Column(4).(*array.String).Value(i),
		}
		list := rep.FirstRejects
		at := len(list)
		for at > 0 && list[at-1].File == e.File && list[at-1].Line > e.Line {
			at--
		}
		if at >= MaxShownRejects {
			continue
		}
		list = append(list, schemas.RowError{})
		copy(list[at+1:], list[at:])
		list[at] = e
		if len(list) > MaxShownRejects {
			list = list[:MaxShownRejects]
		}
		rep.FirstRejects = list
	}
}

// startProgress prints a line every two seconds while a file is read.
func startProgress(w io.Writer, path string, size int64, f *read.File, rows *atomic.Int64) (stop func()) {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	begin := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := rows.Load()
				rate := float64(n) / time.Since(begin).Seconds()
				pct := ""
				if size > 0 {
					pct = fmt.Sprintf("%3.0f%% ", 100*float64(f.BytesRead())/float64(size))
				}
				fmt.Fprintf(w, "  %s: %s%d rows (%.0f rows/s)\n", path, pct, n, rate)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// ingestPopulation replaces the population table from cfg.Population and
// records its unusable rows in rejects.
func ingestPopulation(ctx context.Context, cfg Config, loc *locate.Locator, run *store.Run, rep *Report) error {
	rows, rejects, raws, prep, err := read.Population(cfg.Population, loc.Gazetteer())
	if err != nil {
		return err
	}
	pop := make([]store.Population, len(rows))
	for i, r := range rows {
		pop[i] = store.Population{DistrictCode: r.DistrictCode, Year: r.Year, Population: r.Population}
	}
	if err := run.ReplacePopulation(ctx, cfg.Population, prep.SHA256, pop); err != nil {
		return err
	}
	for i, e := range rejects {
		// The same rule as the normalizers' rejects (schemas.RejectBuilder).
		e.Reason = schemas.Scrub(e.Reason)
		var raw *string
		if cfg.KeepRaw {
			s := schemas.Scrub(raws[i])
			raw = &s
		}
		if err := run.Reject(ctx, e.File, e.Line, e.Field, e.Reason, raw); err != nil {
			return err
		}
		if len(rep.FirstRejects) < MaxShownRejects {
			rep.FirstRejects = append(rep.FirstRejects, e)
		}
	}
	rep.Population = prep
	return nil
}

// digitRun is a run of digits in a file name.
var digitRun = regexp.MustCompile(`[0-9]+`)

// nameHoldsPII reports whether a file's name holds what schemas.Scrub
// replaces, but for a time stamp of 14 or 17 digits (yyyymmddhhmmss and
// milliseconds: "incidents_20240115093000.csv"), which Scrub takes for an
// [ID] and is a system's export name.
func nameHoldsPII(name string) bool {
	name = digitRun.ReplaceAllStringFunc(name, func(d string) string {
		if len(d) != 14 && len(d) != 17 {
			return d
		}
		if t, err := time.Parse("20060102150405", d[:14]); err == nil && t.Year() >= 1990 && t.Year() <= 2100 {
			return "_"
		}
		return d
	})
	return schemas.HoldsPII(name)
}
