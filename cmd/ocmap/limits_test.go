//go:build duckdb_arrow

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		text string
		want int64 // 0 for an error
	}{
		{"1500", 1500},
		{"100B", 100},
		{"64KiB", 64 << 10},
		{"10MB", 10_000_000},
		{"1.5GB", 1_500_000_000},
		{"64 GiB", 64 << 30},
		{"2tb", 2e12},
		{"", 0},
		{"-1GB", 0},
		{"10XB", 0},
		{"0", 0},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.text)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", tt.text, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.text, got, err, tt.want)
		}
	}
}

// TestIngestMaxBytes checks that a gzip input past --max-bytes fails the
// ingest with the file, the limit and how to raise it, and changes nothing.
func TestIngestMaxBytes(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	var text bytes.Buffer
	text.WriteString("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&text, "B%d,cybercrime,hacking,2024-01-10,,,Alpha,FIA,,,\n", i)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(text.Bytes())
	zw.Close()
	in := filepath.Join(dir, "fia.csv.gz")
	if err := os.WriteFile(in, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.csv")
	if err := os.WriteFile(first, []byte(text.String()[:strings.Index(text.String(), "B1,")]), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, first); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--max-bytes", "1KiB", in)
	if got, want := code, exitFailure; got != want {
		t.Errorf("exit %d, want %d; stderr:\n%s", got, want, stderr)
	}
	for _, want := range []string{"fia.csv.gz: ", "read: input expands past a limit: it decompresses to more than 1KiB", "read it with --max-bytes above its real size"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var incidents, runs int
	if err := st.DB().QueryRow(`SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM ingest_runs)`).Scan(&incidents, &runs); err != nil {
		t.Fatal(err)
	}
	if got, want := incidents, 1; got != want {
		t.Errorf("%d incidents after the refused ingest, want %d", got, want)
	}
	if got, want := runs, 1; got != want {
		t.Errorf("%d runs after the refused ingest, want %d", got, want)
	}
	st.Close()
	// Within a raised limit, the same file is read.
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--max-bytes", "1MB", in); code != exitOK {
		t.Fatalf("ingest with --max-bytes 1MB: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestLayoutsCheckBomb checks that a billion-laughs layout is refused with
// its file, line and limit.
func TestLayoutsCheckBomb(t *testing.T) {
	dir := isolate(t)
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		alias := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.Repeat(alias+", ", 9)+alias)
	}
	bomb := filepath.Join(dir, "bomb.yaml")
	if err := os.WriteFile(bomb, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := ocmap("layouts", "check", bomb, filepath.Join(dir, "x.json"))
	// A refused layout file is input that cannot be used (exit 1), as a
	// layout file with a mistake is (TestLayoutFileMistake).
	if got, want := code, exitFailure; got != want {
		t.Errorf("exit %d, want %d", got, want)
	}
	if want := "bomb.yaml:5: aliases (*name) expand to more than 100000 nodes, the limit for a layout"; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
}
