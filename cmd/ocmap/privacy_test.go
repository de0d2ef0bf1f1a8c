//go:build duckdb_arrow

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
)

// piiLeaks are the personal values and the unapproved source names of
// privacyDB; no published output may hold any of them.
var piiLeaks = []string{"35202-1234567-1", "0300-1234567", "0321-7654321", "a.b@example.pk", "ali.khan@example.com",
	"example.pk", "example.com", "informant", "Secret Cell"}

// approvedSources is the --publish-sources list of the tests.
const approvedSources = "ANF,  Punjab  Police "

// privacyDB ingests, through the canonical layout and a YAML layout, rows
// whose description, source and source_ref hold a CNIC, phone numbers and
// e-mail addresses, from five sources: ANF and Punjab Police (approved),
// "informant 0321-7654321", "ali.khan@example.com" and "Secret Cell" (not).
func privacyDB(t *testing.T) (dir, db, mapPath string) {
	t.Helper()
	dir = isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath = write("grid.geojson", gridMap())
	const pii = `"CNIC 35202-1234567-1, phone 0300-1234567, mail a.b@example.pk"`
	var rows []string
	for i, src := range []string{"ANF", "informant 0321-7654321", "ali.khan@example.com", "Secret Cell"} {
		// Six in G1 and six in G2; quantities far apart, so that no two
		// sources are taken for one incident.
		for k := range 12 {
			rows = append(rows, fmt.Sprintf("C%d-%d,drug_trafficking,heroin,2024-0%d-10,32.5,%.1f,,%s,%d,,%s", i, k, 1+k%3, 70.5+float64(k%2), src, 10*(i+1), pii))
		}
	}
	canonical := write("canonical.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	layout := write("pii.yaml", `name: test-pii
title: test pii
category: cybercrime
match: [Case, Date, Remarks]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: Case}
  occurred_on: {column: Date}
  district_hint: {column: District}
  source: {column: Agency}
  source_ref: {column: Ref}
  description: {column: Remarks}
`)
	rows = rows[:0]
	for k := range 15 {
		rows = append(rows, fmt.Sprintf(`L%d,2024-0%d-05,Grid 1,Punjab Police,ali.khan@example.com 0321-7654321,%s`, k, 1+k%3, pii))
	}
	viaLayout := write("layout.csv", "Case,Date,District,Agency,Ref,Remarks\n"+strings.Join(rows, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, canonical); code != exitOK {
		t.Fatalf("ingest canonical: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", layout, viaLayout); code != exitOK {
		t.Fatalf("ingest layout: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir, db, mapPath
}

// noLeak fails when out holds personal data or an unapproved source name,
// and, unless want is empty, when it lacks one of want.
func noLeak(t *testing.T, name string, out []byte, want ...string) {
	t.Helper()
	for _, leak := range piiLeaks {
		if bytes.Contains(bytes.ToLower(out), bytes.ToLower([]byte(leak))) {
			t.Errorf("%s holds %q", name, leak)
		}
	}
	for _, w := range want {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("%s lacks %q", name, w)
		}
	}
}

// TestPublishedSources produces every published output of privacyDB and
// checks that none holds personal data or an unapproved source, and that
// those that name sources name the approved ones.
func TestPublishedSources(t *testing.T) {
	dir, db, mapPath := privacyDB(t)
	approved := []string{"ANF", "Punjab Police", "3 other sources"}

	t.Run("export", func(t *testing.T) {
		out := filepath.Join(dir, "export")
		code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400",
			"--publish-sources", approvedSources)
		if code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
		}
		files := listFiles(t, out)
		if got, want := len(files), 21; got != want { // 15, and the flows' 6
			t.Fatalf("%d files, want %d: %v", got, want, files)
		}
		for _, name := range files {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			switch name {
			case "report.html":
				noLeak(t, name, b, `<td>Punjab Police</td><td>15</td>`, `<td>ANF</td><td>12</td>`, `<td>3 other sources</td><td>36</td>`)
			case "manifest.json":
				// The files it was made from by name at most: the folders
				// (the user's home) and the agency files' names stay out.
				noLeak(t, name, b, `"publish_sources": [`, `"path": "grid.geojson"`)
				for _, leak := range []string{dir, "canonical.csv", "layout.csv"} {
					if bytes.Contains(b, []byte(leak)) {
						t.Errorf("manifest.json holds %q", leak)
					}
				}
			default:
				noLeak(t, name, b)
			}
		}
	})
	t.Run("export without a list", func(t *testing.T) {
		out := filepath.Join(dir, "export-nolist")
		if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"); code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
		}
		for _, name := range listFiles(t, out) {
			b, _ := os.ReadFile(filepath.Join(out, name))
			if name == "report.html" {
				noLeak(t, name, b, `<td>5 sources</td><td>63</td>`)
				if bytes.Contains(b, []byte("<td>ANF</td>")) {
					t.Errorf("report.html names ANF without a list")
				}
				continue
			}
			noLeak(t, name, b)
		}
	})
	t.Run("export internal", func(t *testing.T) {
		// Internal reports keep source names, scrubbed at ingest.
		out := filepath.Join(dir, "export-internal")
		if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400", "--internal"); code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
		}
		// An internal manifest names the files in full, for the audit trail.
		m, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
		for _, want := range []string{mapPath, filepath.Join(dir, "canonical.csv")} {
			if !bytes.Contains(m, []byte(want)) {
				t.Errorf("internal manifest.json lacks %q", want)
			}
		}
		b, _ := os.ReadFile(filepath.Join(out, "report.html"))
		for _, want := range []string{"<td>informant [PHONE]</td>", "<td>[EMAIL]</td>", "<td>Secret Cell</td>"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("internal report.html lacks %q", want)
			}
		}
		for _, leak := range piiLeaks[:7] {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("internal report.html holds %q", leak)
			}
		}
	})
	t.Run("bulletin", func(t *testing.T) {
		out := filepath.Join(dir, "bulletin")
		if code, stdout, stderr := ocmap("bulletin", "--db", db, "--out", out, "--boundaries", mapPath, "--month", "2024-03", "--width", "400"); code != exitOK {
			t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
		}
		for _, name := range listFiles(t, out) {
			b, _ := os.ReadFile(filepath.Join(out, name))
			noLeak(t, name, b)
		}
	})
	for _, format := range []string{"table", "json", "geojson", "csv"} {
		t.Run("heatmap "+format, func(t *testing.T) {
			code, stdout, stderr := ocmap("heatmap", "--db", db, "--format", format, "--boundaries", mapPath, "--publish-sources", approvedSources)
			if code != exitOK {
				t.Fatalf("heatmap: exit %d\n%s", code, stderr)
			}
			switch format {
			case "csv": // no sources in the CSV
				noLeak(t, format, []byte(stdout))
			case "table":
				noLeak(t, format, []byte(stdout), "records by source: Punjab Police 23.8%, ANF 19.0%, 3 other sources 57.1%\n")
			default:
				noLeak(t, format, []byte(stdout), approved...)
			}
			code, stdout, _ = ocmap("heatmap", "--db", db, "--format", format, "--boundaries", mapPath)
			if code != exitOK {
				t.Fatalf("heatmap without a list: exit %d", code)
			}
			if format != "csv" {
				noLeak(t, format+" without a list", []byte(stdout), "5 sources")
				if strings.Contains(stdout, "ANF") {
					t.Errorf("heatmap --format %s names ANF without a list", format)
				}
			}
		})
	}
	// The analyst commands: the header and the JSON name the approved
	// sources and count the others; summary and the CSVs name none.
	const header = "records by source: Punjab Police 23.8%, ANF 19.0%, 3 other sources 57.1%\n"
	sourcesFile := writeTestFile(t, dir, "approved.txt", "# approved for publication\nANF\n Punjab  Police\n")
	for _, cmd := range []string{"summary", "hotspots", "trends", "links"} {
		for _, format := range []string{"table", "csv", "json"} {
			t.Run(cmd+" "+format, func(t *testing.T) {
				list := []string{"--publish-sources", approvedSources}
				if cmd == "trends" {
					list = []string{"--publish-sources-file", sourcesFile}
				}
				if cmd == "summary" { // summary names no source, so has no list
					list = nil
				}
				code, stdout, stderr := ocmap(append([]string{cmd, "--db", db, "--format", format}, list...)...)
				if code != exitOK {
					t.Fatalf("%s: exit %d\n%s", cmd, code, stderr)
				}
				switch {
				case cmd == "summary" || format == "csv":
					noLeak(t, format, []byte(stdout))
					if strings.Contains(stdout, "ANF") || strings.Contains(stdout, "sources") {
						t.Errorf("%s --format %s names sources:\n%s", cmd, format, stdout)
					}
				case format == "table":
					noLeak(t, format, []byte(stdout), header)
				case format == "json":
					noLeak(t, format, []byte(stdout))
					got := jsonSources(t, stdout)
					want := []store.SourceShare{{Source: "Punjab Police", Records: 15}, {Source: "ANF", Records: 12}, {Source: "3 other sources", Records: 36}}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s json sources %v, want %v", cmd, got, want)
					}
				}
				if cmd == "summary" || format == "csv" {
					return
				}
				code, stdout, _ = ocmap(cmd, "--db", db, "--format", format)
				if code != exitOK {
					t.Fatalf("%s without a list: exit %d", cmd, code)
				}
				noLeak(t, format+" without a list", []byte(stdout))
				if strings.Contains(stdout, "ANF") || strings.Contains(stdout, "Punjab Police") {
					t.Errorf("%s --format %s names sources without a list:\n%s", cmd, format, stdout)
				}
				if format == "table" {
					noLeak(t, format+" without a list", []byte(stdout), "records by source: 5 sources 100.0%\n")
				} else if got, want := fmt.Sprint(jsonSources(t, stdout)), fmt.Sprint([]store.SourceShare{{Source: "5 sources", Records: 63}}); got != want {
					t.Errorf("%s json sources without a list %v, want %v", cmd, got, want)
				}
			})
		}
	}
	t.Run("hotspots with a missing list file", func(t *testing.T) {
		code, stdout, stderr := ocmap("hotspots", "--db", db, "--publish-sources-file", filepath.Join(dir, "nope.txt"))
		if code != exitFailure || stdout != "" || !strings.Contains(stderr, "nope.txt") {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming the file", code, stdout, stderr, exitFailure)
		}
	})
	t.Run("serve", func(t *testing.T) {
		h := openServer(t, db, mapPath)
		h.sources = []string{"ANF", "Punjab Police"}
		ts := httptest.NewServer(h)
		defer ts.Close()
		get := getter(t, ts.URL)
		paths := []string{"/plain", "/plain?category=drug_trafficking&metric=gi", "/heatmap.json", "/heatmap.json?category=cybercrime", "/map.svg",
			"/api/view.json", "/api/view.json?category=cybercrime&metric=lisa", "/api/view.csv", "/api/view.geojson", "/api/meta.json"}
		for _, d := range h.b.Districts {
			paths = append(paths, "/api/district.json?code="+d.Code)
		}
		for _, path := range paths {
			code, body := get(path)
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, code, body)
			}
			var want []string
			switch path {
			case "/plain", "/api/view.json":
				want = []string{"records by source: Punjab Police 23.8%, ANF 19.0%, 3 other sources 57.1%"}
			case "/heatmap.json":
				want = approved
			case "/heatmap.json?category=cybercrime":
				want = []string{`"source": "Punjab Police"`}
			}
			noLeak(t, path, []byte(body), want...)
		}
	})
}

// jsonSources reads the "sources" of an analyst command's JSON.
func jsonSources(t *testing.T, out string) []store.SourceShare {
	t.Helper()
	var v struct {
		Sources []store.SourceShare `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return v.Sources
}

// TestIngestReportSaysIDsHashed: the ingest report tells, per file, how
// many rows had their incident id stored as a keyed hash, and nothing when
// none had.
func TestIngestReportSaysIDsHashed(t *testing.T) {
	var b bytes.Buffer
	printIngestReport(&b, &pipeline.Report{Files: []pipeline.FileReport{
		{Path: "a.csv", Read: 3, Accepted: 3, HashedIDs: 1},
		{Path: "b.csv", Read: 5, Accepted: 5, HashedIDs: 1200},
		{Path: "c.csv", Read: 2, Accepted: 2},
	}})
	got := b.String()
	for _, want := range []string{
		"  a.csv: read 3, accepted 3, rejected 0 (sha256 …)\n    1 row held a phone, CNIC or passport number or an e-mail address in its incident id: stored as keyed hashes (h:...), which still link a source's records of one id\n",
		"  b.csv: read 5, accepted 5, rejected 0 (sha256 …)\n    1,200 rows held a phone,",
		"  c.csv: read 2, accepted 2, rejected 0 (sha256 …)\nrows read",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

// TestIngestReportHashedIDsCountsRows: the count of hashed ids is of rows
// (one complaint's two records are two): the report says rows, not ids,
// so that one id on many rows is not taken for many people.
func TestIngestReportHashedIDsCountsRows(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	in := writeTestFile(t, dir, "c.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"0300-1234567,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n"+
		"0300-1234567,drug_trafficking,heroin,2024-01-11,32.5,70.5,,ANF,1,,\n")
	code, stdout, stderr := ocmap("ingest", "--db", dir+"/c.duckdb", "--boundaries", mapPath, in)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "    2 rows held a phone, CNIC or passport number or an e-mail address in their incident id: stored as keyed hashes (h:...)"; !strings.Contains(stdout, want) {
		t.Errorf("report lacks %q:\n%s", want, stdout)
	}
}
