package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cacheFixture writes three districts (one with a hole, one multi-polygon
// made of two boxes) and returns the file's path.
func cacheFixture(t *testing.T, dir string) string {
	t.Helper()
	multi := `{"type":"Feature","properties":{"ADM2_PCODE":"PK3","ADM2_EN":"Gamma","ADM1_EN":"Sindh"},` +
		`"geometry":{"type":"MultiPolygon","coordinates":[[` + square(74, 30, 1, 1) + `],[` + square(76, 30, 0.5, 0.5) + `]]}}`
	path := filepath.Join(dir, "adm2.geojson")
	body := collection(
		feature("PK2", "Beta", square(72, 30, 1, 1), "[[72.2,30.2],[72.2,30.4],[72.4,30.4],[72.4,30.2],[72.2,30.2]]"),
		feature("PK1", "Alpha", square(70, 30, 1, 1)),
		multi)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sameBoundaries compares everything Load computes.
func sameBoundaries(t *testing.T, got, want *Boundaries) {
	t.Helper()
	if got.Path != want.Path || got.SHA256 != want.SHA256 || got.Props != want.Props {
		t.Fatalf("path/sha/props: got %q %q %+v, want %q %q %+v", got.Path, got.SHA256, got.Props, want.Path, want.SHA256, want.Props)
	}
	if !reflect.DeepEqual(got.Districts, want.Districts) {
		t.Fatalf("districts: got %+v, want %+v", got.Districts, want.Districts)
	}
	if !reflect.DeepEqual(got.Polygons, want.Polygons) {
		t.Fatalf("polygons differ: got %v, want %v", got.Polygons, want.Polygons)
	}
	if !reflect.DeepEqual(got.names, want.names) || !reflect.DeepEqual(got.codes, want.codes) {
		t.Fatal("name and code indexes differ")
	}
}

func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "boundaries-*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadCachedHit(t *testing.T) {
	dir := t.TempDir()
	path := cacheFixture(t, dir)
	cache := filepath.Join(dir, "cache")
	want, err := Load(path, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	miss, err := LoadCached(path, Properties{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	sameBoundaries(t, miss, want)
	entries := cacheEntries(t, cache)
	if got, want := len(entries), 1; got != want {
		t.Fatalf("%d cache entries after a miss, want %d", got, want)
	}
	// The hit must come from the entry, not from the GeoJSON: make the
	// entry's areas recognisable by rewriting it, then read it back.
	marked := *miss
	marked.Districts = append([]District(nil), miss.Districts...)
	marked.Districts[0].AreaKm2 = 42
	if err := os.WriteFile(entries[0], encodeCache(&marked), 0o644); err != nil {
		t.Fatal(err)
	}
	hit, err := LoadCached(path, Properties{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hit.Districts[0].AreaKm2, 42.0; got != want {
		t.Fatalf("hit area %v, want %v (read from the entry)", got, want)
	}
	// The entry as written holds exactly what Load computes.
	if err := os.WriteFile(entries[0], encodeCache(miss), 0o644); err != nil {
		t.Fatal(err)
	}
	hit, err = LoadCached(path, Properties{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	sameBoundaries(t, hit, want)
	if got, want := len(hit.Polygons[2]), 2; got != want {
		t.Fatalf("multi-polygon has %d parts from the cache, want %d", got, want)
	}
	if got, want := len(hit.Polygons[1][0]), 2; got != want {
		t.Fatalf("holed district has %d rings from the cache, want %d", got, want)
	}
}

// An edited file has another SHA-256, so another entry: never the old one.
func TestLoadCachedEditedFile(t *testing.T) {
	dir := t.TempDir()
	path := cacheFixture(t, dir)
	cache := filepath.Join(dir, "cache")
	if _, err := LoadCached(path, Properties{}, cache); err != nil {
		t.Fatal(err)
	}
	edited := collection(feature("PK9", "Nine", square(70, 30, 2, 2)))
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := LoadCached(path, Properties{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(b.Districts), 1; got != want || b.Districts[0].Code != "PK9" {
		t.Fatalf("edited file: %d districts %+v, want %d (PK9)", got, b.Districts, want)
	}
	if got, want := len(cacheEntries(t, cache)), 2; got != want {
		t.Fatalf("%d cache entries, want %d", got, want)
	}
	// Properties asked for are part of the key too.
	if _, err := LoadCached(path, Properties{Code: "ADM2_PCODE", Name: "ADM2_EN"}, cache); err != nil {
		t.Fatal(err)
	}
	if got, want := len(cacheEntries(t, cache)), 3; got != want {
		t.Fatalf("%d cache entries after other properties, want %d", got, want)
	}
}

// Another build never reads this build's entry: a check of Read may have
// changed without cacheFormat.
func TestLoadCachedOtherBuild(t *testing.T) {
	dir := t.TempDir()
	path := cacheFixture(t, dir)
	cache := filepath.Join(dir, "cache")
	was := buildKey
	t.Cleanup(func() { buildKey = was })
	for i, build := range []string{"v1 abc false", "v1 abc true", "v1 def false", "v1 abc false"} {
		buildKey = func() string { return build }
		if _, err := LoadCached(path, Properties{}, cache); err != nil {
			t.Fatal(err)
		}
		// The last build is the first again: its entry is read, not made.
		if got, want := len(cacheEntries(t, cache)), min(i+1, 3); got != want {
			t.Fatalf("after build %q: %d cache entries, want %d", build, got, want)
		}
	}
}

// A corrupt, truncated or unreadable entry is ignored; a bad one is
// replaced by a good one.
func TestLoadCachedCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := cacheFixture(t, dir)
	want, err := Load(path, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	good := encodeCache(want)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0xff
	otherFormat := append([]byte(nil), good...)
	otherFormat[len(cacheMagic)]++
	for _, tc := range []struct {
		name  string
		entry []byte
	}{
		{"empty", nil},
		{"garbage", []byte("not a cache entry at all, just text")},
		{"truncated", good[:len(good)/3]},
		{"flipped byte", flipped},
		{"other format", otherFormat},
		{"missing checksum", good[:len(good)-4]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeCache(tc.entry); !errors.Is(err, errCache) {
				t.Fatalf("decodeCache: got %v, want errCache", err)
			}
			cache := filepath.Join(t.TempDir(), "cache")
			if err := os.MkdirAll(cache, 0o755); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(cache, cacheName(want.SHA256, Properties{}))
			if err := os.WriteFile(name, tc.entry, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadCached(path, Properties{}, cache)
			if err != nil {
				t.Fatal(err)
			}
			sameBoundaries(t, got, want)
			rebuilt, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decodeCache(rebuilt); err != nil {
				t.Fatalf("entry not rebuilt: %v", err)
			}
		})
	}
	// Not entries, and not to be read: a file far larger than any entry of
	// this boundary file (sparse: it takes no disk, but reading it would
	// take all memory), and a named pipe (reading it would wait forever).
	for _, tc := range []struct {
		name string
		make func(path string) error
	}{
		{"huge", func(p string) error {
			if err := os.WriteFile(p, good, 0o644); err != nil {
				return err
			}
			return os.Truncate(p, 1<<40)
		}},
		{"pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			name := filepath.Join(cache, cacheName(want.SHA256, Properties{}))
			if err := tc.make(name); err != nil {
				t.Skip("cannot make it here:", err)
			}
			done := make(chan error, 1)
			go func() {
				got, err := LoadCached(path, Properties{}, cache)
				if err == nil {
					sameBoundaries(t, got, want)
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				t.Fatal("LoadCached still reading the entry after a minute")
			}
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := readCache(name, maxCacheEntry(len(file))); err != nil {
				t.Fatalf("entry not rebuilt: %v", err)
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		cache := filepath.Join(t.TempDir(), "cache")
		// A directory where the entry should be: it can be neither read
		// nor replaced, and the load still succeeds.
		if err := os.MkdirAll(filepath.Join(cache, cacheName(want.SHA256, Properties{}), "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		got, err := LoadCached(path, Properties{}, cache)
		if err != nil {
			t.Fatal(err)
		}
		sameBoundaries(t, got, want)
		tmp, _ := filepath.Glob(filepath.Join(cache, ".boundaries-*.part"))
		if len(tmp) != 0 {
			t.Fatalf("temporary files left behind: %v", tmp)
		}
	})
}

// No cache dir: Load, nothing written; and errors of a bad file are
// Load's, with no entry written for it.
func TestLoadCachedOffAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := cacheFixture(t, dir)
	if _, err := LoadCached(path, Properties{}, ""); err != nil {
		t.Fatal(err)
	}
	if got := cacheEntries(t, dir); len(got) != 0 {
		t.Fatalf("entries written with the cache off: %v", got)
	}
	cache := filepath.Join(dir, "cache")
	bad := filepath.Join(dir, "overlap.geojson")
	if err := os.WriteFile(bad, []byte(collection(
		feature("PK1", "A", square(70, 30, 1, 1)), feature("PK2", "B", square(70.1, 30.1, 1, 1)))), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCached(bad, Properties{}, cache)
	if !errors.Is(err, ErrOverlap) {
		t.Fatalf("got %v, want ErrOverlap", err)
	}
	if got := cacheEntries(t, cache); len(got) != 0 {
		t.Fatalf("entry written for an invalid file: %v", got)
	}
	if _, err := LoadCached(filepath.Join(dir, "missing.geojson"), Properties{}, cache); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: got %v, want os.ErrNotExist", err)
	}
}

// The real file round-trips through the cache unchanged.
func TestLoadCachedReal(t *testing.T) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		t.Skip("OCMAP_BOUNDARIES is not set")
	}
	want, err := Load(path, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeCache(encodeCache(want))
	if err != nil {
		t.Fatal(err)
	}
	got.Path, got.SHA256 = want.Path, want.SHA256
	sameBoundaries(t, got, want)
}

// FuzzDecodeCache: any bytes give boundaries or errCache, never a panic.
func FuzzDecodeCache(f *testing.F) {
	b, err := Read(strings.NewReader(collection(feature("PK1", "Alpha", square(70, 30, 1, 1)))), "seed", Properties{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encodeCache(b))
	f.Add([]byte("OCMAPBND"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := decodeCache(data); err != nil && !errors.Is(err, errCache) {
			t.Fatalf("error %v is not errCache", err)
		}
	})
}

// BenchmarkLoadCached is BenchmarkLoad served from the cache.
func BenchmarkLoadCached(b *testing.B) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		b.Skip("OCMAP_BOUNDARIES is not set")
	}
	cache := b.TempDir()
	if _, err := LoadCached(path, Properties{}, cache); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadCached(path, Properties{}, cache); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecodeCacheSealed fuzzes the entry's body with a valid checksum
// appended, so that the fuzzer's mutations reach the counts, strings and
// points (FuzzDecodeCache's mutations almost all stop at the checksum). A
// decoded entry must encode back to the same bytes; seeds include counts far
// larger than the entry (which must be refused before anything is made).
func FuzzDecodeCacheSealed(f *testing.F) {
	b, err := Read(strings.NewReader(collection(
		feature("PK2", "Beta", square(72, 30, 1, 1), "[[72.2,30.2],[72.2,30.4],[72.4,30.4],[72.4,30.2],[72.2,30.2]]"),
		feature("PK1", "Alpha", square(70, 30, 1, 1)))), "seed", Properties{})
	if err != nil {
		f.Fatal(err)
	}
	good := encodeCache(b)
	body := good[:len(good)-4]
	f.Add(body)
	head := len(cacheMagic) + 4
	for _, s := range []string{b.Props.Code, b.Props.Name, b.Props.Province} {
		head += 4 + len(s)
	}
	for _, at := range []int{head, head + 4} { // the district count; the first code's length
		big := append([]byte(nil), body...)
		binary.LittleEndian.PutUint32(big[at:], math.MaxUint32)
		f.Add(big)
	}
	f.Add(body[:head+4])
	f.Fuzz(func(t *testing.T, body []byte) {
		entry := binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.Checksum(body, crcTable))
		got, err := decodeCache(entry)
		if err != nil {
			if !errors.Is(err, errCache) {
				t.Fatalf("error %v is not errCache", err)
			}
			return
		}
		if again := encodeCache(got); !bytes.Equal(again, entry) {
			t.Fatalf("decoded entry encodes to other bytes")
		}
	})
}
