//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"image/color"
	"os/exec"
	"time"

	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo/render"

	"github.com/ocmap/ocmap/schemas"
)

// TestExport exports a small grid with small counts and checks what is
// published, what is suppressed, that nothing personal leaks, and that a
// second export writes the same bytes.
func TestExport(t *testing.T) {
	dir := isolate(t)
	// The source line prints the export date: fixed, so that two exports
	// either side of midnight still write the same bytes.
	t.Setenv("SOURCE_DATE_EPOCH", "1735689600")
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath := write("grid.geojson", gridMap())
	// Drugs: 30 in G1, 3 in G2 (small), 25 in G4, 12 in G5; cybercrime 20
	// in G1. Descriptions carry a CNIC, a phone number and a name that
	// must not be published.
	const secret = "Complainant Zarqa Fictional, CNIC 35202-1234567-1, phone 0300-7654321"
	var rows []string
	id := 0
	add := func(cat string, g, n int) {
		lon, lat := 70.5+float64((g-1)%3), 32.5-float64((g-1)/3)
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("E%d,%s,x,2024-0%d-10,%.1f,%.1f,,SRC,1,,\"%s\"", id, cat, 1+id%3, lat, lon, secret))
		}
	}
	add("drug_trafficking", 1, 30)
	add("drug_trafficking", 2, 3)
	add("drug_trafficking", 4, 25)
	add("drug_trafficking", 5, 12)
	add("cybercrime", 1, 20)
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "npb")
	code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "800")
	if code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "wrote 21 files into "+out+" for 2024-01 to 2024-03\n") {
		t.Errorf("export says\n%s", stdout)
	}

	// districts.csv: G2's 3 drug incidents are suppressed, and with them
	// enough other cells that 3 cannot be worked out from the totals.
	recs, col := readCSVFile(t, filepath.Join(out, "districts.csv"))
	byCode := map[string][]string{}
	for _, r := range recs[1:] {
		byCode[r[0]] = r
	}
	g2 := byCode["G2"]
	if g2[col["drug_trafficking_incidents"]] != "" || g2[col["drug_trafficking_status"]] != "suppressed" {
		t.Errorf("G2 drugs published: %q", g2)
	}
	if got := byCode["G1"][col["drug_trafficking_incidents"]]; got != "30" && byCode["G1"][col["drug_trafficking_status"]] != "suppressed" {
		t.Errorf("G1 drugs = %q", got)
	}
	if got := byCode["G3"][col["drug_trafficking_incidents"]]; got != "0" {
		t.Errorf("G3 drugs = %q, want 0 (zeros are published)", got)
	}
	suppressedDrugs := 0
	for _, r := range recs[1:] {
		if r[col["drug_trafficking_status"]] == "suppressed" {
			suppressedDrugs++
		}
	}
	if suppressedDrugs < 2 {
		t.Errorf("%d drug cells suppressed; a single one is recoverable from the province total", suppressedDrugs)
	}

	// The maps decode at the asked width, and say PRELIMINARY.
	img, err := os.Open(filepath.Join(out, "map_drug_trafficking.png"))
	if err != nil {
		t.Fatal(err)
	}
	pic, err := png.Decode(img)
	img.Close()
	if err != nil || pic.Bounds().Dx() != 800 {
		t.Errorf("map png: %v, %v", err, pic.Bounds())
	}
	svg, _ := os.ReadFile(filepath.Join(out, "map_all.svg"))
	if !bytes.Contains(svg, []byte("PRELIMINARY")) {
		t.Errorf("the svg map is not labelled PRELIMINARY")
	}

	// Nothing personal or free text in any file, in clear.
	for _, name := range listFiles(t, out) {
		b, _ := os.ReadFile(filepath.Join(out, name))
		for _, leak := range []string{"Zarqa", "35202", "7654321", "Complainant"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s contains %q", name, leak)
			}
		}
		// SHA-256 digests are long hex strings, not phone numbers.
		// The test's temporary directory has a long number in its name.
		b = sha256Hex.ReplaceAll(bytes.ReplaceAll(b, []byte(dir), []byte("<dir>")), []byte("<sha256>"))
		if !strings.HasSuffix(name, ".png") && !strings.HasSuffix(name, ".parquet") && schemas.LooksPersonal(b) {
			t.Errorf("%s holds something that looks like a CNIC, phone number or e-mail address", name)
		}
	}

	// The manifest lists every file with its SHA-256, and a second export
	// writes the same bytes.
	var man struct {
		Files map[string]string `json:"files"`
		Label string            `json:"label"`
	}
	mb, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err := json.Unmarshal(mb, &man); err != nil || len(man.Files) != 20 || man.Label != "PRELIMINARY" {
		t.Errorf("manifest: %v, %d files, label %q", err, len(man.Files), man.Label)
	}
	again := filepath.Join(dir, "again")
	if code, _, stderr := ocmap("export", "--db", db, "--out", again, "--boundaries", mapPath, "--width", "800"); code != exitOK {
		t.Fatalf("second export: %s", stderr)
	}
	for _, name := range listFiles(t, out) {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two exports of the same database", name)
		}
	}

	// Attribution: every map and the report carry the source line, with
	// the sources counted (none is approved for publication), never named.
	for _, name := range []string{"map_all.svg", "map_drug_trafficking.svg", "report.html"} {
		b, _ := os.ReadFile(filepath.Join(out, name))
		for _, want := range []string{"Boundaries: grid.geojson", "incidents: 1 source", "Made with ocmap", "data to March 2024", "exported 1 January 2025."} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		if bytes.Contains(b, []byte("SRC")) {
			t.Errorf("%s names the unpublished source SRC", name)
		}
	}
	// The report reads top-down: key figures, then each map with its
	// ranked table, then data quality; headings do not repeat map titles.
	rep, _ := os.ReadFile(filepath.Join(out, "report.html"))
	last := -1
	for _, sec := range []string{`id="key-figures"`, `id="map-terror_financing"`, "districts with the most incidents</caption>", `id="map-all"`, `id="data-quality"`, `class="small source"`} {
		i := bytes.Index(rep, []byte(sec))
		if i < last {
			t.Errorf("report.html: %s at %d, before the section before it (%d)", sec, i, last)
		}
		last = i
	}
	if bytes.Contains(rep, []byte("<h3>Drug trafficking</h3>")) {
		t.Errorf("report.html repeats the map title as a heading")
	}
	if !bytes.Contains(rep, []byte("given only for a category with at least 30 incidents in the period in its published district counts; below that")) || bytes.Contains(rep, []byte("DefaultMinIncidents")) {
		t.Errorf("report.html: the minimum count rule is missing or names a Go constant")
	}
	// National drugs: 70 in January to March, none the quarter before.
	if !bytes.Contains(rep, []byte("<tr><td>Drug trafficking</td><td>70</td><td>–</td><td>–</td></tr>")) {
		t.Errorf("report.html key figures lack drugs 70:\n%s", rep)
	}

	screenshot(t, filepath.Join(out, "report.html"))

	// --internal publishes everything and says so.
	internal := filepath.Join(dir, "internal")
	if code, _, stderr := ocmap("export", "--db", db, "--out", internal, "--boundaries", mapPath, "--width", "800", "--internal"); code != exitOK {
		t.Fatalf("internal export: %s", stderr)
	}
	ib, _ := os.ReadFile(filepath.Join(internal, "districts.csv"))
	if !bytes.Contains(ib, []byte("G2,Grid 2,Punjab,true,0,,,,,published,3,")) {
		t.Errorf("internal districts.csv does not publish G2's 3 drug incidents:\n%s", ib)
	}
	for _, name := range []string{"map_drug_trafficking.svg", "report.html", "manifest.json"} {
		b, _ := os.ReadFile(filepath.Join(internal, name))
		if !bytes.Contains(b, []byte("INTERNAL")) {
			t.Errorf("internal %s does not say INTERNAL", name)
		}
	}
}

var sha256Hex = regexp.MustCompile(`[0-9a-f]{64}`)

// screenshot opens the report in headless Chromium (Debian's chromium
// package; .ci/run installs it) and checks that the maps are drawn: the
// screenshot holds the colours of several map classes.
func screenshot(t *testing.T, report string) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs chromium for the report screenshot test")
		}
		t.Log("chromium is not installed: report screenshot skipped")
		return
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1200,8000", "--screenshot="+shot, "file://"+report)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if n := classColours(t, shot); n < 2 {
		t.Errorf("the report's screenshot shows %d map class colours, want at least 2: the maps are not drawn", n)
	}
}

// classColours counts the map class colours (of every palette of 1 to 9
// classes) in the PNG screenshot at shot, looking at every other pixel.
func classColours(t *testing.T, shot string) int {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[color.RGBA]bool{}
	for k := 1; k <= 9; k++ {
		p, _ := render.DefaultPalette(k)
		for _, c := range p {
			classes[c] = true
		}
	}
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if c := (color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}); classes[c] {
				seen[c] = true
			}
		}
	}
	return len(seen)
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestBulletin writes the bulletin of February 2024 for the export test's
// kind of data: one province, so every national figure is its province's.
func TestBulletin(t *testing.T) {
	dir := isolate(t)
	mapPath := filepath.Join(dir, "grid.geojson")
	os.WriteFile(mapPath, []byte(gridMap()), 0o644)
	var rows []string
	for i := 1; i <= 36; i++ { // 12 drug incidents a month in G1, January to March
		rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,x,2024-0%d-10,32.5,70.5,,SRC,1,,", i, 1+(i-1)/12))
	}
	for i := 1; i <= 4; i++ { // 4 cybercrime in February: small
		rows = append(rows, fmt.Sprintf("C%d,cybercrime,x,2024-02-1%d,32.5,71.5,,SRC,,,", i, i))
	}
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n"), 0o644)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "bulletin")
	code, stdout, stderr := ocmap("bulletin", "--db", db, "--month", "2024-02", "--out", out, "--boundaries", mapPath, "--width", "600")
	if code != exitOK {
		t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
	}
	md, _ := os.ReadFile(filepath.Join(out, "bulletin.md"))
	for _, want := range []string{
		"# Organized crime in Pakistan: February 2024 (preliminary)\n",
		"Incidents recorded in February 2024, against January 2024 and February 2023.\n",
		// 4 cybercrime incidents are small, and drugs (12) would reveal
		// them from Punjab's total: both suppressed. January had no
		// cybercrime, so its drug figure is published. February 2023 is
		// before the data begin: no count ("–"), not 0.
		"| Drug trafficking | suppressed | 12 | – | – | – |\n",
		"| Cybercrime | suppressed | 0 | – | – | – |\n",
		"![Drug trafficking](bulletin_drug_trafficking.png)\n",
		// The minimum count rule, in words a reader of the newsletter
		// understands: no Go identifier.
		"\nHot spot, cluster and emerging hot spot classes are given only for a category with at least 30 incidents in the period in its published district counts; below that, one incident makes its neighbours look hot.\n",
	} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("bulletin.md lacks %q:\n%s", want, md)
		}
	}
	// A month the data do not reach is refused, not printed as 0.
	code, _, stderr = ocmap("bulletin", "--db", db, "--month", "2024-04", "--out", filepath.Join(dir, "april"), "--boundaries", mapPath)
	if code == exitOK || !strings.Contains(stderr, "no data for 2024-04: the database holds incidents from 2024-01 to 2024-03; ingest that month's files first") {
		t.Errorf("bulletin of a month after the data: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "april")); err == nil {
		t.Errorf("bulletin of a month after the data wrote its folder")
	}
	html, _ := os.ReadFile(filepath.Join(out, "bulletin.html"))
	if !bytes.Contains(html, []byte("<svg")) || !bytes.Contains(html, []byte("suppressed")) {
		t.Errorf("bulletin.html lacks its maps or its table")
	}
	for name, b := range map[string][]byte{"bulletin.md": md, "bulletin.html": html} {
		if bytes.Contains(b, []byte("DefaultMinIncidents")) {
			t.Errorf("%s names a Go constant (DefaultMinIncidents) to its readers", name)
		}
	}
	// Issue 16 items 1 and 3: the bulletin and its maps carry the source
	// line, and no legend class reads "0 – 0".
	for name, b := range map[string][]byte{"bulletin.md": md, "bulletin.html": html} {
		for _, want := range []string{"Boundaries: grid.geojson", "incidents: 1 source", "Made with ocmap"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s lacks the source line's %q", name, want)
			}
		}
	}
	if n := bytes.Count(html, []byte(`<g id="source">`)); n < 4 {
		t.Errorf("bulletin.html: %d maps with a source line, want one per map", n)
	}
	if bytes.Contains(html, []byte(">0 – 0<")) || bytes.Contains(html, []byte(">0 - 0<")) {
		t.Errorf("bulletin.html: a legend class reads 0 – 0")
	}
}

// TestExportNoPopulationRejects checks issue 16's items 2 and 5 on the
// export: a district with incidents but no census figure is "no population
// figure" on the rate maps (its own fill and legend entry, not "no data")
// and keeps its count in districts.csv; the report's rejects table counts
// the incident rows rejected from the files of the export's period, not
// the population file's nor those of a file of other years.
func TestExportNoPopulationRejects(t *testing.T) {
	dir := isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath := write("grid.geojson", gridMap())
	const header = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"
	var rows []string
	id := 0
	add := func(g, n int, year int) {
		lon, lat := 70.5+float64((g-1)%3), 32.5-float64((g-1)/3)
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("E%d,drug_trafficking,x,%d-0%d-10,%.1f,%.1f,,SRC,1,,", id, year, 1+id%3, lat, lon))
		}
	}
	// 2024: drugs 30 in G1, G5 and G9 (no population), 10 a month, so that
	// nothing is small, and two bad rows (category, date).
	add(1, 30, 2024)
	add(5, 30, 2024)
	add(9, 30, 2024)
	in2024 := write("in2024.csv", header+strings.Join(rows, "\n")+"\nB1,narcotics,x,2024-01-10,32.5,70.5,,SRC,1,,\nB2,drug_trafficking,x,2024-02-30,32.5,70.5,,SRC,1,,\n")
	// 2022: one incident and three bad rows, outside the export's period.
	rows = nil
	add(1, 1, 2022)
	in2022 := write("in2022.csv", header+strings.Join(rows, "\n")+"\nC1,narcotics,x,2022-01-10,32.5,70.5,,SRC,1,,\nC2,narcotics,x,2022-01-10,32.5,70.5,,SRC,1,,\nC3,narcotics,x,2022-01-10,32.5,70.5,,SRC,1,,\n")
	pop := "district,year,population\nGrid 2,2023,many\n"
	for g := 1; g <= 8; g++ {
		pop += fmt.Sprintf("Grid %d,2023,%d\n", g, 100000*g)
	}
	popPath := write("pop.csv", pop)
	db := filepath.Join(dir, "crime.duckdb")
	for _, args := range [][]string{{"--population", popPath, in2024}, {in2022}} {
		if code, stdout, stderr := ocmap(append([]string{"ingest", "-q", "--db", db, "--boundaries", mapPath}, args...)...); code != exitOK {
			t.Fatalf("ingest %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	out := filepath.Join(dir, "npb")
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600", "--from", "2024-01", "--to", "2024-03"); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	svg, _ := os.ReadFile(filepath.Join(out, "map_drug_trafficking.svg"))
	hex := func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	if want := `<path id="d-G9" fill="` + hex(render.NoPopColour) + `"`; !bytes.Contains(svg, []byte(want)) {
		t.Errorf("map_drug_trafficking.svg lacks %s", want)
	}
	if !bytes.Contains(svg, []byte(">no population figure</text>")) || bytes.Contains(svg, []byte(">no data</text>")) {
		t.Errorf("map_drug_trafficking.svg: legend without \"no population figure\", or with \"no data\"")
	}
	// G9 has no cybercrime: 0 per any population, not "no population
	// figure" (Azad Kashmir's districts were light blue with no incident).
	cyber, _ := os.ReadFile(filepath.Join(out, "map_cybercrime.svg"))
	if bytes.Contains(cyber, []byte(`<path id="d-G9" fill="`+hex(render.NoPopColour)+`"`)) || bytes.Contains(cyber, []byte(">no population figure</text>")) {
		t.Errorf("map_cybercrime.svg: G9, with no cybercrime, is drawn as \"no population figure\"")
	}
	recs, col := readCSVFile(t, filepath.Join(out, "districts.csv"))
	found := false
	for _, r := range recs[1:] {
		if r[0] == "G9" {
			found = true
			if got, want := r[col["drug_trafficking_incidents"]], "30"; got != want {
				t.Errorf("districts.csv: G9 drugs %q, want %q", got, want)
			}
		}
	}
	if !found {
		t.Error("districts.csv has no G9")
	}
	rep, _ := os.ReadFile(filepath.Join(out, "report.html"))
	// The drug table ranks by rate (G1 30 per 100,000, G5 6), then G9's
	// count without a rate.
	for _, want := range []string{
		`<tr><td>1</td><td class="l">Grid 1</td><td class="l">Punjab</td><td>30</td><td>30.00</td></tr>
<tr><td>2</td><td class="l">Grid 5</td><td class="l">Punjab</td><td>30</td><td>6.00</td></tr>
<tr><td></td><td class="l">Grid 9</td><td class="l">Punjab</td><td>30</td><td>no population figure</td></tr>`,
	} {
		if !bytes.Contains(rep, []byte(want)) {
			t.Errorf("report.html lacks\n%s", want)
		}
	}
	i := bytes.Index(rep, []byte("<th>incident rows rejected, by field</th>"))
	if i < 0 {
		t.Fatal("report.html has no rejects table")
	}
	table := string(rep[i:])
	table = table[:strings.Index(table, "</table>")]
	if got, want := table, "<th>incident rows rejected, by field</th><th>rows</th></tr><tr><td>category</td><td>1</td></tr><tr><td>occurred_on</td><td>1</td></tr>"; got != want {
		t.Errorf("report.html rejects table\n%s\nwant\n%s", got, want)
	}

	// Issue 16 item 4: --label-top 1 names the district with the highest
	// rate (G1) on the drug map, and no other.
	out2 := filepath.Join(dir, "labelled")
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", out2, "--boundaries", mapPath, "--width", "600", "--from", "2024-01", "--to", "2024-03",
		"--internal", "--label-top", "1"); code != exitOK {
		t.Fatalf("export --label-top: exit %d\n%s%s", code, stdout, stderr)
	}
	svg, _ = os.ReadFile(filepath.Join(out2, "map_drug_trafficking.svg"))
	g := string(svg)
	if i := strings.Index(g, `<g id="district-labels">`); i < 0 {
		t.Errorf("export --label-top 1: no district labels")
	} else if g = g[i : strings.Index(g[i:], "</g>")+i]; strings.Count(g, "<text") != 1 || !strings.Contains(g, ">Grid 1</text>") {
		t.Errorf("export --label-top 1: district labels\n%s\nwant Grid 1 alone", g)
	}
}

// TestExportUnprotectedFirstRelease: a first export whose small counts the
// table itself narrows (seven incidents in four districts of one province:
// the published zeros show which cells are withheld, each at least 1) says
// so, and does not blame earlier releases there are none of; a second
// export, after the first is registered, does. The counts are the table's
// two, and four more of the same 7 that the report counts: its
// data-quality total, the share located by point, the records of the one
// source, and the rows of the one file that manifest.json lists.
func TestExportUnprotectedFirstRelease(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	rows := []string{"incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description"}
	n := 0
	for d, c := range []int{2, 1, 1, 3} {
		for k := range c {
			n++
			rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,heroin,2024-01-%02d,%.1f,%.1f,,ANF,1,,", n, 10+k, 32.5-float64(d/3), 70.5+float64(d%3)))
		}
	}
	in := writeTestFile(t, dir, "in.csv", strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for i, want := range []string{"the table itself narrows them", "earlier releases of this database (ocmap releases) already narrow them"} {
		code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--width", "400", "--out", filepath.Join(dir, fmt.Sprint("out", i)))
		if code != exitOK || !strings.Contains(stdout, "suppressed 36 of 36 district x category cells") ||
			!strings.Contains(stderr, "WARNING: 6 small counts cannot be protected to within 10") || !strings.Contains(stderr, want) {
			t.Errorf("export %d: exit %d, want the two counts and %q\n%s%s", i+1, code, want, stdout, stderr)
		}
		if i == 0 && strings.Contains(stderr, "earlier releases") {
			t.Errorf("the first export blames earlier releases:\n%s", stderr)
		}
		// Every cell withheld: the report's top-districts tables say so,
		// not "The 0 districts with ...".
		if report, err := os.ReadFile(filepath.Join(dir, fmt.Sprint("out", i), "report.html")); err != nil ||
			!strings.Contains(string(report), "No published district count above 0: no districts with the") ||
			strings.Contains(string(report), "The 0 districts") {
			t.Errorf("export %d: report.html lacks the caption of an empty top-districts table (%v)", i+1, err)
		}
	}
}

// TestExportUnprotectedSplitPeriod: January to March, then March, then
// January and February. The third export's small counts are protected; the
// counts it cannot protect are the first export's (a district's 3 of one
// category, one a month), narrowed by the third and the second together:
// each prints its part withheld, known to be at least 1 since zeros are
// published, so the 3 is at least 2. The earlier releases alone leave it
// protected (the second export warns of nothing), so the warning blames
// this export's table with them, not earlier releases alone.
func TestExportUnprotectedSplitPeriod(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	rows := []string{"incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description"}
	n := 0
	add := func(d int, day string) {
		n++
		rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,heroin,%s,%.1f,%.1f,,ANF,1,,", n, day, 32.5-float64(d/3), 70.5+float64(d%3)))
	}
	for _, m := range []string{"01", "02", "03"} {
		add(0, "2024-"+m+"-10")
		for k := range 12 {
			add(1, fmt.Sprintf("2024-%s-%02d", m, 10+k))
		}
	}
	in := writeTestFile(t, dir, "in.csv", strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for i, p := range [][2]string{{"2024-01", "2024-03"}, {"2024-03", "2024-03"}, {"2024-01", "2024-02"}} {
		code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--width", "400", "--from", p[0], "--to", p[1], "--out", filepath.Join(dir, fmt.Sprint("out", i)))
		if code != exitOK {
			t.Fatalf("export %s to %s: exit %d\n%s%s", p[0], p[1], code, stdout, stderr)
		}
		if i < 2 {
			if strings.Contains(stderr, "WARNING") {
				t.Errorf("export %s to %s warns:\n%s", p[0], p[1], stderr)
			}
			continue
		}
		if strings.Contains(stderr, "already narrow") || !strings.Contains(stderr, "this export's table narrows them with earlier releases") {
			t.Errorf("export %s to %s: want the warning to name this export's table with earlier releases, not earlier releases alone\n%s%s", p[0], p[1], stdout, stderr)
		}
	}
}
