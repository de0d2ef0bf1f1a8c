package pipeline

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// RejectCount is how many rows were rejected for one field and reason.
type RejectCount struct {
	Field, Reason string
	Count         int64
}

// CheckReport is what a dry run of a layout over one file found.
type CheckReport struct {
	Layout                   string
	Read, Accepted, Rejected int64
	Columns                  []string   // of the rows below
	Rows                     [][]string // the first normalized rows, as text ("" for null)
	Rejects                  []RejectCount
	Warnings                 []string
	Footer                   []int64        // lines left out by footer_rows (see FileReport.Footer)
	Landing                  *store.Landing // where the rows land: placeholder points, disagreements
}

// Check runs layout l over the file at path without a database: it
// normalizes and places every row, keeps the first rows normalized and
// counts the rejects per field and reason, most frequent first. It finds
// where the rows land (Landing) as the ingest and 'ocmap review' would:
// placeholder points by the ingest's rules, points and names that disagree,
// points outside the stated province, the place layer and narrative text;
// in memory bounded by CheckPoints. It reads
// within lim, and returns ctx's error soon after ctx is cancelled.
func Check(ctx context.Context, path string, l *layout.Layout, placer normalize.Placer, first int, lim read.Limits) (*CheckReport, error) {
	in, warning, err := read.OpenLayout(ctx, path, l, lim)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// A read blocked or long in a file returns once the file is closed.
	defer context.AfterFunc(ctx, in.File.Interrupt)()
	rep := &CheckReport{Layout: l.Name}
	if warning != "" {
		rep.Warnings = append(rep.Warnings, warning)
	}
	// A dry run shows person_keys under a throwaway key: it writes nothing
	// that would need to link later.
	var key [32]byte
	rand.Read(key[:])
	hasher, _ := schemas.NewHasher(key[:])
	for _, p := range l.Personal {
		if p.Action == "hash" {
			rep.Warnings = append(rep.Warnings, "person_keys below use a throwaway key; an ingest uses --hash-key-file or $OCMAP_HASH_KEY")
			break
		}
	}
	mem := memory.NewGoAllocator()
	nz, _, err := normalize.ForLayout(mem, in.Source, placer, l, normalize.Options{File: path, Hasher: hasher})
	if err != nil {
		return nil, err
	}
	defer nz.Release()
	counts := map[[2]string]int64{}
	lg := store.NewLandingTally()
	for ctx.Err() == nil && nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		if rep.Columns == nil {
			for _, fl := range rec.Schema().Fields() {
				rep.Columns = append(rep.Columns, fl.Name)
			}
		}
		for i := 0; i < int(rec.NumRows()) && len(rep.Rows) < first; i++ {
			row := make([]string, rec.NumCols())
			for c, col := range rec.Columns() {
				if col.IsValid(i) {
					row[c] = col.ValueStr(i)
				}
			}
			rep.Rows = append(rep.Rows, row)
		}
		fields, reasons := rej.Column(3).(*array.String), rej.Column(4).(*array.String)
		for i := 0; i < int(rej.NumRows()); i++ {
			counts[[2]string{fields.Value(i), reasons.Value(i)}]++
		}
		lg.Add(rec)
		rec.Release()
		rej.Release()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nz.Err(); err != nil {
		return nil, err
	}
	rep.Read, rep.Accepted, rep.Rejected = nz.Counts()
	rep.Footer = read.FooterLines(in.Source)
	rep.Landing = lg.Done()
	for k, n := range counts {
		rep.Rejects = append(rep.Rejects, RejectCount{Field: k[0], Reason: k[1], Count: n})
	}
	sort.Slice(rep.Rejects, func(i, j int) bool {
		a, b := rep.Rejects[i], rep.Rejects[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Reason < b.Reason
	})
	return rep, nil
}
