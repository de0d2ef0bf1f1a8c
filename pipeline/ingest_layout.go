//go:build duckdb_arrow

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/internal/scratch"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// ingestLayoutFile reads one file of a source layout into incidents or, for
// a context layout, context_events. Such files are small (hundreds to
// thousands of rows), so one goroutine normalizes while DuckDB inserts.
func ingestLayoutFile(ctx context.Context, cfg Config, loc *locate.Locator, run *store.Run, path string, rep *Report) (FileReport, error) {
	fr := FileReport{Path: path}
	l := cfg.Layout
	ids, err := run.IDs(ctx)
	if err != nil {
		return fr, err
	}
	var hasher *schemas.Hasher
	if len(cfg.HashKey) > 0 {
		h, err := schemas.NewHasher(cfg.HashKey)
		if err != nil {
			return fr, fmt.Errorf("hash key: %w", err)
		}
		hasher = h
	}
	in, warning, err := read.OpenLayout(ctx, path, l, cfg.Limits)
	if err != nil {
		return fr, err
	}
	defer in.Close()
	f := in.File
	if warning != "" {
		rep.Warnings = append(rep.Warnings, warning)
	}
	spill, err := scratch.File("ocmap-rejects-*.arrows")
	if err != nil {
		return fr, err
	}
	defer os.Remove(spill.Name())
	defer spill.Close()

	mem := memory.NewGoAllocator()
	nz, schema, err := normalize.ForLayout(mem, in.Source, loc.Worker(), l, normalize.Options{
		File: path, RunID: run.ID, KeepRaw: cfg.KeepRaw, BatchRows: cfg.BatchRows, Today: cfg.Today, Hasher: hasher, IDs: ids,
	})
	if err != nil {
		return fr, err
	}
	defer nz.Release()
	rw := ipc.NewWriter(spill, ipc.WithSchema(schemas.Rejects), ipc.WithAllocator(mem))

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(pctx, f.Interrupt)()
	var (
		mu   sync.Mutex
		perr error
		busy time.Duration // the producer's working time; read once ch is closed
	)
	ch := make(chan arrow.RecordBatch, 1)
	go func() {
		defer close(ch)
		fail := func(err error) {
			mu.Lock()
			perr = err
			mu.Unlock()
		}
		t := time.Now()
		defer func() { busy += time.Since(t) }() // before close(ch)
		for nz.Next() {
			rej := nz.Rejects()
			collectRejects(rep, rej)
			err := rw.Write(rej)
			rej.Release()
			if err != nil {
				nz.Record().Release()
				fail(fmt.Errorf("spilling rejects: %w", err))
				return
			}
			busy += time.Since(t)
			select {
			case ch <- nz.Record():
			case <-pctx.Done():
				nz.Record().Release()
				fail(pctx.Err())
				t = time.Now()
				return
			}
			t = time.Now()
		}
		if err := nz.Err(); err != nil {
			fail(err)
		}
	}()
	table := store.TableContext
	if l.Kind == layout.KindIncidents {
		table = store.TableIncidents
	}
	rdr := store.NewChanReader(schema, ch, func() error {
		mu.Lock()
		defer mu.Unlock()
		return perr
	})
	insert := time.Now()
	werr := run.InsertStream(ctx, table, rdr)
	if werr != nil {
		cancel()
	}
	rdr.Release() // drains ch, so the producer has returned and perr is final
	rep.Timings.Insert += time.Since(insert)
	rep.Timings.Produce += busy
	if err := ctx.Err(); err != nil {
		return fr, err
	}
	if perr != nil && !errors.Is(perr, context.Canceled) {
		return fr, perr
	}
	if werr != nil {
		return fr, werr
	}
	if err := rw.Close(); err != nil {
		return fr, fmt.Errorf("spilling rejects: %w", err)
	}
	if err := insertSpilled(ctx, run, spill, mem); err != nil {
		return fr, err
	}
	fr.Read, fr.Accepted, fr.Rejected = nz.Counts()
	fr.HashedIDs = nz.HashedIDs()
	if b, ok := in.Source.(interface{ Blank() int64 }); ok {
		fr.Blank = b.Blank()
	}
	fr.Footer = read.FooterLines(in.Source)
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
