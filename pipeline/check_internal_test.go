package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

// cancellingPlacer cancels its context when the first row is placed.
type cancellingPlacer struct {
	fixturePlacer
	cancel context.CancelFunc
}

func (p cancellingPlacer) Place(q *schemas.PlaceQuery) schemas.Placement {
	p.cancel()
	return p.fixturePlacer.Place(q)
}

// TestCheckCancelled checks that 'layouts check' stops with
// context.Canceled when its context is cancelled before it starts or while
// it reads, for a workbook as for a CSV file.
func TestCheckCancelled(t *testing.T) {
	for _, name := range []string{"anf-seizures", "fmu-extract"} {
		l, err := layout.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs, _ := filepath.Glob(filepath.Join("testdata", "layouts", name, "input.*"))
		if len(inputs) != 1 {
			t.Fatalf("%s: %d inputs, want 1", name, len(inputs))
		}
		t.Run(name, func(t *testing.T) {
			rep, err := Check(context.Background(), inputs[0], l, fixturePlacer{}, 5, read.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Read == 0 {
				t.Fatal("read no rows without cancelling")
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := Check(ctx, inputs[0], l, fixturePlacer{}, 5, read.Limits{}); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled before: error %v, want context.Canceled", err)
			}
			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			if _, err := Check(ctx, inputs[0], l, cancellingPlacer{cancel: cancel}, 5, read.Limits{}); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled while reading: error %v, want context.Canceled", err)
			}
		})
	}
}

// TestCheckLimits checks that the limits reach the readers of layout files:
// gzip text, and a workbook, in Check and in Header.
func TestCheckLimits(t *testing.T) {
	csvIn := filepath.Join("testdata", "layouts", "fmu-extract", "input.csv")
	text, err := os.ReadFile(csvIn)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(text)
	zw.Close()
	gzIn := filepath.Join(t.TempDir(), "fmu.csv.gz")
	if err := os.WriteFile(gzIn, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		layout, path, want string
	}{
		{"fmu-extract", gzIn, "fmu.csv.gz: reading the header: read: input expands past a limit: it decompresses to more than 100B"},
		{"anf-seizures", filepath.Join("testdata", "layouts", "anf-seizures", "input.xlsx"), "input.xlsx: read: input expands past a limit: the workbook unzips to more than 100B"},
	}
	lim := read.Limits{MaxBytes: 100}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			l, err := layout.Find(tt.layout)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Check(context.Background(), tt.path, l, fixturePlacer{}, 5, lim)
			if !errors.Is(err, read.ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check: error %v, want ErrTooLarge containing %q", err, tt.want)
			}
			if _, err := Check(context.Background(), tt.path, l, fixturePlacer{}, 5, read.Limits{}); err != nil {
				t.Errorf("Check within the default limits: %v", err)
			}
		})
	}
	xlsxIn := tests[1].path
	if _, _, err := read.Header(xlsxIn, lim); !errors.Is(err, read.ErrTooLarge) {
		t.Errorf("Header: error %v, want ErrTooLarge", err)
	}
}
