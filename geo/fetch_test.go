package geo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb/geojson"
)

const fetchTestGeoJSON = `{"type":"FeatureCollection","features":[{"type":"Feature",` +
	`"properties":{"ADM2_PCODE":"PK101"},"geometry":{"type":"Polygon",` +
	`"coordinates":[[[73,34],[74,34],[74,35],[73,35],[73,34]]]}}]}`

// fetchServer serves content by URL path and counts the requests.
type fetchServer struct {
	*httptest.Server
	content  map[string][]byte
	requests atomic.Int64
}

func newFetchServer(t *testing.T, content map[string][]byte) *fetchServer {
	t.Helper()
	s := &fetchServer{content: content}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		b, ok := s.content[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

// remote describes content served at path on s.
func (s *fetchServer) remote(name, path string, content []byte) RemoteFile {
	sum := sha256.Sum256(content)
	return RemoteFile{Name: name, URL: s.URL + path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))}
}

// fetchDirNames lists dir, hidden temporary files included.
func fetchDirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFetchGeoJSON(t *testing.T) {
	readme := []byte("district boundaries\n")
	srv := newFetchServer(t, map[string][]byte{
		"/v1/districts.geojson": []byte(fetchTestGeoJSON),
		"/v1/README.txt":        readme,
	})
	src := Source{
		Name: "test",
		Files: []RemoteFile{
			srv.remote("districts.geojson", "/v1/districts.geojson", []byte(fetchTestGeoJSON)),
			srv.remote("README.txt", "/v1/README.txt", readme),
		},
		Main: "districts.geojson",
	}
	dir := filepath.Join(t.TempDir(), "boundaries") // Fetch creates it
	var progress bytes.Buffer
	got, err := Fetch(context.Background(), srv.Client(), src, dir, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "districts.geojson"); got != want {
		t.Errorf("got path %s, want %s", got, want)
	}
	if b, err := os.ReadFile(got); err != nil || string(b) != fetchTestGeoJSON {
		t.Errorf("got content %q, %v; want the served file", b, err)
	}
	if got, want := fetchDirNames(t, dir), []string{"README.txt", "districts.geojson"}; !slices.Equal(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	if fi, err := os.Stat(got); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("got %v, %v; want mode 0644", fi, err)
	}
	if !strings.Contains(progress.String(), "downloading districts.geojson (") ||
		!strings.Contains(progress.String(), "verified sha256 "+src.Files[0].SHA256) {
		t.Errorf("progress %q does not report the download and its hash", progress.String())
	}

	// A second fetch finds the verified files and downloads nothing.
	before := srv.requests.Load()
	if _, err := Fetch(context.Background(), srv.Client(), src, dir, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.requests.Load()-before, int64(0); got != want {
		t.Errorf("second fetch made %d requests, want %d", got, want)
	}
}

func TestFetchShapefile(t *testing.T) {
	s := testPolygons(shpPolygon)
	shp, shx := s.encodeShp()
	dbf := s.encodeDBF()
	srv := newFetchServer(t, map[string][]byte{"/pak.shp": shp, "/pak.shx": shx, "/pak.dbf": dbf})
	src := Source{
		Name: "test",
		Files: []RemoteFile{
			srv.remote("pak.shp", "/pak.shp", shp),
			srv.remote("pak.shx", "/pak.shx", shx),
			srv.remote("pak.dbf", "/pak.dbf", dbf),
		},
		Main: "pak.shp",
	}
	dir := t.TempDir()
	got, err := Fetch(context.Background(), srv.Client(), src, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "pak.geojson"); got != want {
		t.Errorf("got path %s, want %s", got, want)
	}
	fc := fetchReadGeoJSON(t, got)
	if got, want := len(fc.Features), 4; got != want {
		t.Errorf("got %d features, want %d", got, want)
	}
	if got, want := fc.Features[0].Properties["ADM2_PCODE"], any(nil); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := fc.Features[0].Properties["PCODE"], "PK101"; got != want {
		t.Errorf("got PCODE %v, want %v", got, want)
	}
}

func fetchReadGeoJSON(t *testing.T, path string) *geojson.FeatureCollection {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func TestFetchErrors(t *testing.T) {
	body := []byte(fetchTestGeoJSON)
	srv := newFetchServer(t, map[string][]byte{"/d.geojson": body})
	good := srv.remote("d.geojson", "/d.geojson", body)

	wrongHash := good
	wrongHash.SHA256 = strings.Repeat("0", 64)
	wrongSize := good
	wrongSize.Size--
	missing := good
	missing.URL = srv.URL + "/gone.geojson"

	tests := []struct {
		name    string
		file    RemoteFile
		wantIs  error
		wantErr []string
	}{
		{name: "wrong hash", file: wrongHash, wantIs: ErrChecksum,
			wantErr: []string{"d.geojson", "expected sha256 " + wrongHash.SHA256, "got " + good.SHA256}},
		{name: "wrong size", file: wrongSize, wantIs: ErrChecksum,
			wantErr: []string{"d.geojson", fmt.Sprintf("more than the expected %d bytes", wrongSize.Size)}},
		{name: "not found", file: missing,
			wantErr: []string{missing.URL, "404"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := Source{Name: "test", Files: []RemoteFile{tt.file}, Main: tt.file.Name}
			_, err := Fetch(context.Background(), srv.Client(), src, dir, nil)
			if err == nil {
				t.Fatal("got no error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("got error %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("got error %q, want it to contain %q", err, s)
				}
			}
			if names := fetchDirNames(t, dir); len(names) != 0 {
				t.Errorf("files left behind: %v", names)
			}
		})
	}
}

func TestFetchInvalidSource(t *testing.T) {
	f := RemoteFile{Name: "../x.geojson", URL: "http://example.invalid/x", SHA256: strings.Repeat("0", 64)}
	tests := []struct {
		name string
		src  Source
	}{
		{"escaping name", Source{Name: "t", Files: []RemoteFile{f}, Main: f.Name}},
		{"main not a file", Source{Name: "t", Files: nil, Main: "x.geojson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Fetch(context.Background(), nil, tt.src, t.TempDir(), nil); err == nil {
				t.Error("got no error")
			}
		})
	}
}

func TestFetchCancel(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		close(started)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	src := Source{Name: "test", Main: "slow.geojson", Files: []RemoteFile{{
		Name: "slow.geojson", URL: srv.URL + "/slow", SHA256: strings.Repeat("0", 64), Size: 1000,
	}}}
	dir := t.TempDir()
	_, err := Fetch(ctx, srv.Client(), src, dir, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	if names := fetchDirNames(t, dir); len(names) != 0 {
		t.Errorf("files left behind: %v", names)
	}
}

// fetchServeShared serves the shared copies of src's files on a test server and
// returns src with its URLs pointing there.
func fetchServeShared(t *testing.T, src Source, localDir string) Source {
	t.Helper()
	srv := newFetchServer(t, map[string][]byte{})
	files := slices.Clone(src.Files)
	for i, f := range files {
		b, err := os.ReadFile(filepath.Join(localDir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(f.URL)
		if err != nil {
			t.Fatal(err)
		}
		srv.content[u.Path] = b
		files[i].URL = srv.URL + u.EscapedPath()
	}
	src.Files = files
	return src
}

// TestFetchPinned downloads the pinned sources from copies of the real
// files, which checks the pinned sizes and hashes.
func TestFetchPinned(t *testing.T) {
	shared := requireSharedData(t)
	tests := []struct {
		source   string
		localDir string
		main     string
		features int
	}{
		{"cod-ab", "boundaries/cod_ab_shp", "pak_admbnda_adm2_wfp_20220909.geojson", 160},
		{"geoboundaries", "boundaries", "geoBoundaries-PAK-ADM2.geojson", 126},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			src, err := LookupSource(tt.source)
			if err != nil {
				t.Fatal(err)
			}
			src = fetchServeShared(t, src, filepath.Join(shared, tt.localDir))
			dir := t.TempDir()
			var progress bytes.Buffer
			got, err := Fetch(context.Background(), nil, src, dir, &progress)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("progress:\n%s", progress.String())
			if want := filepath.Join(dir, tt.main); got != want {
				t.Errorf("got path %s, want %s", got, want)
			}
			fc := fetchReadGeoJSON(t, got)
			if got, want := len(fc.Features), tt.features; got != want {
				t.Errorf("got %d features, want %d", got, want)
			}
		})
	}
}

func TestInstallFrom(t *testing.T) {
	in := filepath.Join(t.TempDir(), "my.geojson")
	if err := os.WriteFile(in, []byte(fetchTestGeoJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, sha, verified, err := InstallFrom(in, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(fetchTestGeoJSON))
	if got, want := sha, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("got sha256 %s, want %s", got, want)
	}
	if verified {
		t.Error("got verified for an unpinned file")
	}
	if got, want := path, filepath.Join(dir, "my.geojson"); got != want {
		t.Errorf("got path %s, want %s", got, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != fetchTestGeoJSON {
		t.Errorf("got content %q, %v; want a copy", b, err)
	}
}

func TestInstallFromShapefile(t *testing.T) {
	in := testPolygons(shpPolygon).write(t, t.TempDir(), "pak")
	dir := t.TempDir()
	path, _, verified, err := InstallFrom(in, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if verified {
		t.Error("got verified for an unpinned file")
	}
	if got, want := fetchDirNames(t, dir), []string{"pak.dbf", "pak.geojson", "pak.shp", "pak.shx"}; !slices.Equal(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	if got, want := len(fetchReadGeoJSON(t, path).Features), 4; got != want {
		t.Errorf("got %d features, want %d", got, want)
	}
}

func TestInstallFromErrors(t *testing.T) {
	tmp := t.TempDir()
	notJSON := filepath.Join(tmp, "x.geojson")
	if err := os.WriteFile(notJSON, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(tmp, "x.csv")
	if err := os.WriteFile(csv, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noDBF := testPolygons(shpPolygon).write(t, tmp, "nodbf")
	if err := os.Remove(filepath.Join(tmp, "nodbf.dbf")); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{notJSON, csv, noDBF, filepath.Join(tmp, "missing.geojson")} {
		dir := t.TempDir()
		if _, _, _, err := InstallFrom(in, dir, nil); err == nil {
			t.Errorf("%s: got no error", filepath.Base(in))
		}
		if names := fetchDirNames(t, dir); len(names) != 0 {
			t.Errorf("%s: files left behind: %v", filepath.Base(in), names)
		}
	}
}

func TestInstallFromPinned(t *testing.T) {
	shared := requireSharedData(t)
	tests := []struct {
		in       string
		features int
	}{
		{"boundaries/pak_admbnda_adm2_wfp_20220909.geojson", 160},
		{"boundaries/cod_ab_shp/pak_admbnda_adm2_wfp_20220909.shp", 160},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.in), func(t *testing.T) {
			dir := t.TempDir()
			var progress bytes.Buffer
			path, sha, verified, err := InstallFrom(filepath.Join(shared, tt.in), dir, &progress)
			if err != nil {
				t.Fatal(err)
			}
			if !verified {
				t.Errorf("got unverified (sha256 %s), want verified; progress:\n%s", sha, progress.String())
			}
			if got, want := len(fetchReadGeoJSON(t, path).Features), tt.features; got != want {
				t.Errorf("got %d features, want %d", got, want)
			}
		})
	}
}

func TestLookupSource(t *testing.T) {
	for _, s := range Sources {
		got, err := LookupSource(s.Name)
		if err != nil || got.Name != s.Name {
			t.Errorf("LookupSource(%q) = %q, %v", s.Name, got.Name, err)
		}
		if err := checkSource(s); err != nil {
			t.Errorf("source %q: %v", s.Name, err)
		}
	}
	if _, err := LookupSource(DefaultSource); err != nil {
		t.Errorf("default source: %v", err)
	}
	if _, err := LookupSource("osm"); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("got error %v, want %v", err, ErrUnknownSource)
	}
}

func ExampleLookupSource() {
	src, err := LookupSource("cod-ab")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(src.Main)
	for _, f := range src.Files {
		fmt.Println(f.Name, f.Size)
	}
	// Output:
	// pak_admbnda_adm2_wfp_20220909.shp
	// pak_admbnda_adm2_wfp_20220909.shp 4090564
	// pak_admbnda_adm2_wfp_20220909.shx 1380
	// pak_admbnda_adm2_wfp_20220909.dbf 82562
	// pak_admbnda_adm2_wfp_20220909.prj 145
	// pak_admbnda_adm2_wfp_20220909.cpg 5
}
