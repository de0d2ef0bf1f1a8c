package normalize

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/schemas"
)

// LayoutNormalizer is the normalizer of a layout's kind.
type LayoutNormalizer interface {
	Next() bool
	Record() arrow.RecordBatch
	Rejects() arrow.RecordBatch
	Err() error
	Release()
	Counts() (read, accepted, rejected int64)
	// HashedIDs is how many accepted rows had their incident id stored as
	// a keyed hash (schemas.PrivateID).
	HashedIDs() int64
}

var (
	_ LayoutNormalizer = (*ContextNormalizer)(nil)
	_ LayoutNormalizer = (*IncidentNormalizer)(nil)
)

// crosswalk is the embedded legal crosswalk, parsed on first use.
var crosswalk = sync.OnceValues(func() (*schemas.Crosswalk, error) {
	cw, err := schemas.LoadCrosswalk(bytes.NewReader(data.LegalCrosswalk))
	if err != nil {
		return nil, fmt.Errorf("embedded legal crosswalk: %w", err)
	}
	return cw, nil
})

// ForLayout returns the normalizer for src in layout l (NewContext or
// NewIncidents, by l.Kind) and the schema of its batches.
func ForLayout(mem memory.Allocator, src Source, placer Placer, l *layout.Layout, opt Options) (LayoutNormalizer, *arrow.Schema, error) {
	if l.Kind == layout.KindContext {
		nz, err := NewContext(mem, src, placer, l, opt)
		return nz, schemas.Context, err
	}
	cw, err := crosswalk()
	if err != nil {
		return nil, nil, err
	}
	nz, err := NewIncidents(mem, src, placer, l, cw, opt)
	return nz, schemas.LayoutIncidents, err
}
