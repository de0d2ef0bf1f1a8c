//go:build duckdb_arrow

package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
)

// RebuildCrossings has Rebuild measure the districts' distances to
// Crossings again, on Boundaries: the database's boundary file.
type RebuildCrossings struct {
	Boundaries *geo.Boundaries
	Crossings  []geo.Crossing
	Source     string // names the crossings file
}

// Rebuild recomputes every table derived from the incidents of the database
// at db (incident groups, summaries, measures) in one transaction, writing
// each step with its time to progress when it is not nil. Ingest keeps
// them up to date run by run; a rebuild is for when their rules change,
// and gives the same tables as the runs did. With cross, it also stores
// each district's nearest crossing anew; nil leaves them as they are.
func Rebuild(ctx context.Context, db string, opt store.Options, progress io.Writer, cross *RebuildCrossings) error {
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("%w: %s", store.ErrNoDatabase, db)
	}
	// Opening for writing would give any DuckDB file ocmap's tables.
	ro, err := store.OpenReadOnly(ctx, db)
	if err != nil {
		return err
	}
	ro.Close()
	st, err := store.Open(ctx, db, opt)
	if err != nil {
		return err
	}
	defer st.Close()
	start, last := time.Now(), time.Now()
	step := func(s string) {
		if progress != nil {
			// The clock when the step starts: a step's own time is the
			// difference to the next line's.
			fmt.Fprintf(progress, "  %6.1fs  %s\n", time.Since(start).Seconds(), s)
		}
		last = time.Now()
	}
	err = st.Rebuild(ctx, step, func(ctx context.Context, r *store.Run) error {
		if cross != nil {
			step("districts' nearest crossings (" + cross.Source + ")")
			if err := r.SetCrossings(ctx, cross.Boundaries.SHA256, cross.Source, districtCrossings(cross.Boundaries, cross.Crossings)); err != nil {
				return err
			}
		}
		step("measures (district_measures, category_links, border_summary)")
		return analysis.Recompute(ctx, r)
	})
	if err != nil {
		return err
	}
	if progress != nil {
		fmt.Fprintf(progress, "  done in %.1fs (commit %.1fs)\n", time.Since(start).Seconds(), time.Since(last).Seconds())
	}
	return st.Close()
}
