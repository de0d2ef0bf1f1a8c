package geo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// Errors of the boundary sources and downloads.
var (
	ErrChecksum      = errors.New("geo: checksum mismatch")
	ErrUnknownSource = errors.New("geo: unknown boundary source")
	ErrFileType      = errors.New("geo: unsupported boundary file type")
)

// Source is one public boundary file with pinned hashes.
type Source struct {
	Name  string       // "cod-ab", "geoboundaries"
	Title string       // human description incl. licence and attribution
	Files []RemoteFile // downloaded into the destination directory
	Main  string       // name of the file to load (.geojson or .shp)
}

// RemoteFile is one file of a Source: the name it is saved under, where to
// get it, and its size in bytes and SHA-256 (lower-case hex).
type RemoteFile struct {
	Name, URL, SHA256 string
	Size              int64
}

// DefaultSource names the source that has P-codes and the current district
// frame.
const DefaultSource = "cod-ab"

const codABBase = "https://raw.githubusercontent.com/szhaider/PakIndicatorsApp/" +
	"49b8d7d97574c5fad54c481309142e83b46d5be9/data-raw/rawdata/PAK_SHP_2022/pak_adm_wfp_20220909_shp/"

// Sources are the public boundary layers ocmap knows, default first. The
// URLs point at commits, not branches, so the pinned hashes stay valid.
var Sources = []Source{
	{
		Name: "cod-ab",
		Title: "OCHA COD-AB Pakistan districts (ADM2), WFP edition 2022-09-09, " +
			"160 districts with P-codes; licence CC BY 3.0 IGO, attribute OCHA / WFP " +
			"(HDX cod-ab-pak; copy in github.com/szhaider/PakIndicatorsApp)",
		Files: []RemoteFile{
			{Name: "pak_admbnda_adm2_wfp_20220909.shp", URL: codABBase + "pak_admbnda_adm2_wfp_20220909.shp",
				SHA256: "5c2a973dcbc6e7f8ee12e2ce6f8c5fae3d4bb51695535ed8a3f32e7d1a5841d8", Size: 4090564},
			{Name: "pak_admbnda_adm2_wfp_20220909.shx", URL: codABBase + "pak_admbnda_adm2_wfp_20220909.shx",
				SHA256: "d313069fe83254cbd406b365c9df7d77dc61d2cf9cd1f0ecb8aedda1b1da191b", Size: 1380},
			{Name: "pak_admbnda_adm2_wfp_20220909.dbf", URL: codABBase + "pak_admbnda_adm2_wfp_20220909.dbf",
				SHA256: "70ac94585e3719d6bf3d3762c1bfbfeaf35080e13c2d679da9a2081fdcfb3dea", Size: 82562},
			{Name: "pak_admbnda_adm2_wfp_20220909.prj", URL: codABBase + "pak_admbnda_adm2_wfp_20220909.prj",
				SHA256: "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4", Size: 145},
			{Name: "pak_admbnda_adm2_wfp_20220909.cpg", URL: codABBase + "pak_admbnda_adm2_wfp_20220909.cpg",
				SHA256: "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824", Size: 5},
		},
		Main: "pak_admbnda_adm2_wfp_20220909.shp",
	},
	{
		Name: "geoboundaries",
		Title: "geoBoundaries gbOpen Pakistan ADM2 (2019), 126 districts, older frame " +
			"without P-codes; public domain, cite Runfola et al. (2020) geoBoundaries, " +
			"PLoS ONE 15(4): e0231866 (copy in github.com/beckettmcd/pakistan-climate-dashboard)",
		Files: []RemoteFile{
			{Name: "geoBoundaries-PAK-ADM2.geojson",
				URL: "https://raw.githubusercontent.com/beckettmcd/pakistan-climate-dashboard/" +
					"40d9c4a4cf8ee95391b7eecb65ed6b4af752a53f/data/geoBoundaries-PAK-ADM2%20(1).geojson",
				SHA256: "108eeaa75a6de678f022e0b6d8fd8ab4c93e4b4d1a9c6a28995afe7c0731182c", Size: 1082661},
		},
		Main: "geoBoundaries-PAK-ADM2.geojson",
	},
}

// KnownFiles are pinned files without a download URL: the GDAL conversions
// (ogr2ogr -lco RFC7946=YES) of the COD-AB layer that people pass around.
// InstallFrom reports them as verified.
var KnownFiles = []RemoteFile{
	{Name: "pak_admbnda_adm2_wfp_20220909.geojson",
		SHA256: "7b9e0eb9ed1b6ebc541016e2af87fe06cd9f6ed090f1e2d3093f4193cd7f30e1", Size: 7112645},
	{Name: "pak_admbnda_adm2_wfp_20220909_simplified.geojson",
		SHA256: "fc4d602d348f5a3aa89642e9837a02de18fd45f08f4d31192fdb87d6b08a7bc0", Size: 507830},
}

// LookupSource returns the source called name.
func LookupSource(name string) (Source, error) {
	names := make([]string, 0, len(Sources))
	for _, s := range Sources {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Source{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownSource, name, strings.Join(names, ", "))
}

// maxDownload caps a file whose size is not pinned.
const maxDownload = 1 << 30

// Fetch downloads every file of src into destDir and returns the path of the
// GeoJSON file to load. Each file is written to a temporary file in destDir
// and renamed into place only after its size and SHA-256 match, so a failed
// or tampered download never leaves a file under the real name; a file
// already present with the right hash is not downloaded again. When Main is
// a shapefile it is converted to destDir/<base>.geojson (RFC 7946, lon/lat)
// with ReadShapefile. A nil client means http.DefaultClient; progress may
// be nil.
func Fetch(ctx context.Context, client *http.Client, src Source, destDir string, progress io.Writer) (string, error) {
	if err := checkSource(src); err != nil {
		return "", err
	}
	if client == nil {
		client = http.DefaultClient
	}
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return "", fmt.Errorf("geo: %w", err)
	}
	for _, f := range src.Files {
		dest := filepath.Join(destDir, f.Name)
		if sum, size, err := fileSHA256(dest); err == nil && sum == f.SHA256 && (f.Size <= 0 || size == f.Size) {
			fmt.Fprintf(progress, "%s already present, verified sha256 %s\n", f.Name, sum)
			continue
		}
		fmt.Fprintf(progress, "downloading %s (%s)... ", f.Name, humanBytes(f.Size))
		sum, err := download(ctx, client, f, dest)
		if err != nil {
			fmt.Fprintln(progress, "failed")
			return "", err
		}
		fmt.Fprintf(progress, "verified sha256 %s\n", sum)
	}

	main := filepath.Join(destDir, src.Main)
	if !isShp(main) {
		return main, nil
	}
	return convertShapefile(main, destDir, progress)
}

// checkSource rejects a Source whose file names would escape the
// destination directory or whose Main is not one of its files.
func checkSource(src Source) error {
	found := false
	for _, f := range src.Files {
		if f.Name == "" || f.Name != filepath.Base(f.Name) || f.Name == "." || f.Name == ".." ||
			strings.ContainsAny(f.Name, `/\`) {
			return fmt.Errorf("geo: source %q: invalid file name %q", src.Name, f.Name)
		}
		if f.URL == "" {
			return fmt.Errorf("geo: source %q: file %s has no URL", src.Name, f.Name)
		}
		if len(f.SHA256) != sha256.Size*2 {
			return fmt.Errorf("geo: source %q: file %s: pinned sha256 %q is not 64 hex digits", src.Name, f.Name, f.SHA256)
		}
		found = found || f.Name == src.Main
	}
	if !found {
		return fmt.Errorf("geo: source %q: main file %q is not among its files", src.Name, src.Main)
	}
	if ext := strings.ToLower(filepath.Ext(src.Main)); ext != ".shp" && ext != ".geojson" && ext != ".json" {
		return fmt.Errorf("%w: source %q: main file %s (want .geojson, .json or .shp)", ErrFileType, src.Name, src.Main)
	}
	return nil
}

// download fetches f.URL into dest through a verified temporary file and
// returns the SHA-256.
func download(ctx context.Context, client *http.Client, f RemoteFile, dest string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return "", fmt.Errorf("geo: download %s: %w", f.Name, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("geo: download %s: %w", f.Name, ctxErr(ctx, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("geo: download %s: %s: HTTP %s", f.Name, f.URL, resp.Status)
	}

	limit := int64(maxDownload)
	if f.Size > 0 {
		limit = f.Size
	}
	h := sha256.New()
	err = writeAtomic(dest, func(w io.Writer) error {
		n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return fmt.Errorf("geo: download %s: %s: %w", f.Name, f.URL, ctxErr(ctx, err))
		}
		if n > limit {
			return fmt.Errorf("%w: %s: more than the expected %d bytes", ErrChecksum, f.Name, limit)
		}
		got := hex.EncodeToString(h.Sum(nil))
		if f.Size > 0 && n != f.Size {
			return fmt.Errorf("%w: %s: expected %d bytes with sha256 %s, got %d bytes with sha256 %s",
				ErrChecksum, f.Name, f.Size, f.SHA256, n, got)
		}
		if !strings.EqualFold(got, f.SHA256) {
			return fmt.Errorf("%w: %s: expected sha256 %s, got %s", ErrChecksum, f.Name, f.SHA256, got)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxErr prefers the context's error, so callers can test for
// context.Canceled whatever the transport wrapped it in.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// writeAtomic creates path by writing a temporary file next to it and
// renaming it when write succeeds; on failure nothing is left behind.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("geo: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	return nil
}

// InstallFrom copies a local boundary file into destDir: a GeoJSON file as
// is, a .shp with its .shx, .dbf, .prj and .cpg siblings, converted to
// destDir/<base>.geojson. It returns the GeoJSON path and the SHA-256 of
// path, and whether that hash is pinned in Sources or KnownFiles; for a
// shapefile the pinned siblings must match too. An unverified file is
// still installed: the caller decides whether to warn or refuse.
func InstallFrom(path, destDir string, progress io.Writer) (geojsonPath string, sha string, verified bool, err error) {
	if progress == nil {
		progress = io.Discard
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".shp" && ext != ".geojson" && ext != ".json" {
		return "", "", false, fmt.Errorf("%w: %s (want .geojson, .json or .shp)", ErrFileType, path)
	}
	sha, _, err = fileSHA256(path)
	if err != nil {
		return "", "", false, fmt.Errorf("geo: %w", err)
	}
	pinned, pinnedSrc, ok := lookupPinned(sha)
	verified = ok
	if ok && ext == ".shp" {
		verified = shpSiblingsVerified(path, pinnedSrc, progress)
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return "", "", false, fmt.Errorf("geo: %w", err)
	}

	if ext != ".shp" {
		// Refuse to install something the loader will choke on later.
		data, err := os.ReadFile(path)
		if err != nil {
			return "", "", false, fmt.Errorf("geo: %w", err)
		}
		if _, err := geojson.UnmarshalFeatureCollection(data); err != nil {
			return "", "", false, fmt.Errorf("geo: %s: not a GeoJSON FeatureCollection: %w", filepath.Base(path), err)
		}
		geojsonPath = filepath.Join(destDir, filepath.Base(path))
		if err := copyFile(path, geojsonPath); err != nil {
			return "", "", false, err
		}
	} else {
		// Convert first, so that a broken shapefile leaves nothing behind.
		geojsonPath, err = convertShapefile(path, destDir, progress)
		if err != nil {
			return "", "", false, err
		}
		files := []string{path}
		for _, ext := range []string{".shx", ".dbf", ".prj", ".cpg"} {
			if p, err := shpSibling(path, ext); err == nil {
				files = append(files, p)
			}
		}
		for _, p := range files {
			if err := copyFile(p, filepath.Join(destDir, filepath.Base(p))); err != nil {
				return "", "", false, err
			}
		}
	}

	if verified {
		fmt.Fprintf(progress, "installed %s: sha256 %s matches pinned %s\n", filepath.Base(path), sha, pinned.Name)
	} else {
		fmt.Fprintf(progress, "installed %s: sha256 %s is not pinned (unverified)\n", filepath.Base(path), sha)
	}
	return geojsonPath, sha, verified, nil
}

// lookupPinned finds the pinned file with hash sha, and its source (zero
// for KnownFiles).
func lookupPinned(sha string) (RemoteFile, Source, bool) {
	for _, s := range Sources {
		for _, f := range s.Files {
			if strings.EqualFold(f.SHA256, sha) {
				return f, s, true
			}
		}
	}
	for _, f := range KnownFiles {
		if strings.EqualFold(f.SHA256, sha) {
			return f, Source{}, true
		}
	}
	return RemoteFile{}, Source{}, false
}

// shpSiblingsVerified checks the siblings of a pinned .shp against the
// other files of its source, since the attributes live in the .dbf.
func shpSiblingsVerified(shpPath string, src Source, progress io.Writer) bool {
	ok := true
	for _, f := range src.Files {
		if isShp(f.Name) {
			continue
		}
		p, err := shpSibling(shpPath, strings.ToLower(filepath.Ext(f.Name)))
		if err != nil {
			fmt.Fprintf(progress, "%s: missing, cannot verify it\n", f.Name)
			ok = false
			continue
		}
		sum, _, err := fileSHA256(p)
		if err != nil || !strings.EqualFold(sum, f.SHA256) {
			fmt.Fprintf(progress, "%s: sha256 %s does not match pinned %s\n", filepath.Base(p), sum, f.SHA256)
			ok = false
		}
	}
	return ok
}

// convertShapefile writes destDir/<base>.geojson from the shapefile at
// shpPath and returns its path.
func convertShapefile(shpPath, destDir string, progress io.Writer) (string, error) {
	if prj, err := shpSibling(shpPath, ".prj"); err == nil {
		b, err := os.ReadFile(prj)
		if err != nil {
			return "", fmt.Errorf("geo: %w", err)
		}
		// GeoJSON is lon/lat by definition and geo does not reproject.
		if wkt := strings.ToUpper(strings.TrimSpace(string(b))); strings.HasPrefix(wkt, "PROJCS") ||
			strings.HasPrefix(wkt, "PROJCRS") {
			return "", fmt.Errorf("geo: %s: projected coordinate system; reproject to WGS 84 lon/lat (EPSG:4326) first",
				filepath.Base(prj))
		}
	}
	fc, err := ReadShapefile(shpPath)
	if err != nil {
		return "", err
	}
	for i, f := range fc.Features {
		if f.Geometry == nil {
			continue
		}
		if b := f.Geometry.Bound(); b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
			return "", fmt.Errorf("geo: %s: feature %d: coordinates outside lon/lat range (%v); is it projected?",
				filepath.Base(shpPath), i+1, b)
		}
	}
	data, err := fc.MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("geo: %s: %w", filepath.Base(shpPath), err)
	}
	out := filepath.Join(destDir, strings.TrimSuffix(filepath.Base(shpPath), filepath.Ext(shpPath))+".geojson")
	if err := writeAtomic(out, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "converted %s to %s (%d features)\n", filepath.Base(shpPath), filepath.Base(out), len(fc.Features))
	return out, nil
}

// copyFile copies src to dst atomically; copying a file onto itself is a
// no-op.
func copyFile(src, dst string) error {
	if si, err := os.Stat(src); err != nil {
		return fmt.Errorf("geo: %w", err)
	} else if di, err := os.Stat(dst); err == nil && os.SameFile(si, di) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	defer in.Close()
	return writeAtomic(dst, func(w io.Writer) error {
		if _, err := io.Copy(w, in); err != nil {
			return fmt.Errorf("geo: copy %s: %w", src, err)
		}
		return nil
	})
}

func fileSHA256(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func isShp(name string) bool { return strings.EqualFold(filepath.Ext(name), ".shp") }

// humanBytes formats a size for progress lines, in MB (10^6 bytes) above
// one MB.
func humanBytes(n int64) string {
	switch {
	case n <= 0:
		return "size unknown"
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
