package geo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/paulmach/orb"
)

// cacheFormat names the layout of a cache file and the checks that admitted
// its boundaries. Bump it whenever the file layout, the District fields or
// any check of Read (coordinates, rings, overlap limits) changes: entries of
// another format are then never read, and are rebuilt.
const cacheFormat = 1

var cacheMagic = []byte("OCMAPBND")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errCache is any fault of a cache file; LoadCached then parses the
// boundary file and writes the entry again.
var errCache = errors.New("geo: boundary cache entry unreadable")

// LoadCached is Load with a cache of the parsed, validated boundaries in
// dir, keyed by the SHA-256 of the file, the properties asked for and the
// cache format. A hit skips the GeoJSON decode and the ring and overlap
// checks, which the entry passed when it was written; it still reads and
// hashes the whole file, so an edited file is never served from the cache.
// An unreadable or corrupt entry is ignored and rebuilt. Entries are written
// atomically (a temporary file renamed into place), and a failure to write
// one only costs the next run the parse. An empty dir means no cache: Load.
func LoadCached(path string, props Properties, dir string) (*Boundaries, error) {
	if dir == "" {
		return Load(path, props)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	entry := filepath.Join(dir, cacheName(sha, props))
	if b, err := readCache(entry, maxCacheEntry(len(data))); err == nil {
		b.Path, b.SHA256 = path, sha
		return b, nil
	}
	b, err := Read(bytes.NewReader(data), path, props)
	if err != nil {
		return nil, err
	}
	b.SHA256 = sha
	_ = writeCache(dir, entry, b) // best effort: a miss next time
	return b, nil
}

// cacheName is the entry's file name: the file's SHA-256, then a short hash
// of the properties asked for (detection may depend on them), the format
// and the build: a build that changed a check of Read but not cacheFormat
// still never reads another build's entries.
func cacheName(sha string, props Properties) string {
	k := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%s\x00%s\x00%s", cacheFormat, props.Code, props.Name, props.Province, buildKey()))
	return fmt.Sprintf("boundaries-%s-%x.bin", sha, k[:6])
}

// buildKey names this build: its module version and, when built from a
// checkout, the commit and whether the tree had changes ("" in tests).
var buildKey = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	key := bi.Main.Version
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" || st.Key == "vcs.modified" {
			key += " " + st.Value
		}
	}
	return key
})

// encodeCache lays out b: magic, format, properties, then per district its
// strings, area and polygons (counts, then longitude/latitude pairs), and a
// CRC-32C of everything before it.
func encodeCache(b *Boundaries) []byte {
	n := 64
	for _, mp := range b.Polygons {
		for _, p := range mp {
			for _, r := range p {
				n += 4 + 16*len(r)
			}
		}
	}
	out := make([]byte, 0, n)
	out = append(out, cacheMagic...)
	out = binary.LittleEndian.AppendUint32(out, cacheFormat)
	str := func(s string) {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	str(b.Props.Code)
	str(b.Props.Name)
	str(b.Props.Province)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(b.Districts)))
	for i, d := range b.Districts {
		str(d.Code)
		str(d.Name)
		str(d.Province)
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(d.AreaKm2))
		mp := b.Polygons[i]
		out = binary.LittleEndian.AppendUint32(out, uint32(len(mp)))
		for _, p := range mp {
			out = binary.LittleEndian.AppendUint32(out, uint32(len(p)))
			for _, r := range p {
				out = binary.LittleEndian.AppendUint32(out, uint32(len(r)))
				for _, pt := range r {
					out = binary.LittleEndian.AppendUint64(out, math.Float64bits(pt[0]))
					out = binary.LittleEndian.AppendUint64(out, math.Float64bits(pt[1]))
				}
			}
		}
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, crcTable))
}

// cacheReader walks an entry; any read past the end sets bad.
type cacheReader struct {
	buf []byte
	bad bool
}

func (r *cacheReader) u32() int {
	if len(r.buf) < 4 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint32(r.buf)
	r.buf = r.buf[4:]
	return int(v)
}

func (r *cacheReader) f64() float64 {
	if len(r.buf) < 8 {
		r.bad = true
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
	r.buf = r.buf[8:]
	return v
}

func (r *cacheReader) str() string {
	n := r.u32()
	if r.bad || n > len(r.buf) {
		r.bad = true
		return ""
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

// count reads a count of items of at least size bytes each, refusing one the
// rest of the entry cannot hold (so a corrupt count cannot allocate much).
func (r *cacheReader) count(size int) int {
	n := r.u32()
	if r.bad || n > len(r.buf)/size {
		r.bad = true
		return 0
	}
	return n
}

func decodeCache(data []byte) (*Boundaries, error) {
	if len(data) < len(cacheMagic)+8 || !bytes.Equal(data[:len(cacheMagic)], cacheMagic) {
		return nil, fmt.Errorf("%w: not a cache entry", errCache)
	}
	body, tail := data[:len(data)-4], data[len(data)-4:]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(tail) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCache)
	}
	r := &cacheReader{buf: body[len(cacheMagic):]}
	if r.u32() != cacheFormat {
		return nil, fmt.Errorf("%w: another format", errCache)
	}
	b := &Boundaries{}
	b.Props = Properties{Code: r.str(), Name: r.str(), Province: r.str()}
	nd := r.count(12)
	b.Districts = make([]District, 0, nd)
	b.Polygons = make([]orb.MultiPolygon, 0, nd)
	for range nd {
		d := District{Code: r.str(), Name: r.str(), Province: r.str(), AreaKm2: r.f64()}
		mp := make(orb.MultiPolygon, r.count(4))
		for i := range mp {
			p := make(orb.Polygon, r.count(4))
			for j := range p {
				ring := make(orb.Ring, r.count(16))
				for k := range ring {
					ring[k] = orb.Point{r.f64(), r.f64()}
				}
				p[j] = ring
			}
			mp[i] = p
		}
		if r.bad {
			return nil, fmt.Errorf("%w: truncated", errCache)
		}
		b.Districts = append(b.Districts, d)
		b.Polygons = append(b.Polygons, mp)
	}
	if r.bad || len(r.buf) != 0 || len(b.Districts) == 0 {
		return nil, fmt.Errorf("%w: bad length", errCache)
	}
	b.indexNames()
	return b, nil
}

// maxCacheEntry bounds the entry of a boundary file of n bytes: an entry
// holds 16 bytes a point where the GeoJSON has at least 6 ("[0,0],"), and
// its names at most as long as the file's.
func maxCacheEntry(n int) int64 { return 3*int64(n) + 4096 }

// readCache reads the entry at most limit bytes long. Anything else at its
// name (a larger file, a pipe, a device) is no entry: it is not read.
func readCache(entry string, limit int64) (*Boundaries, error) {
	fi, err := os.Stat(entry)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, fmt.Errorf("%w: not a file of at most %d bytes", errCache, limit)
	}
	f, err := os.Open(entry)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: longer than %d bytes", errCache, limit)
	}
	return decodeCache(data)
}

// writeCache writes the entry atomically (writeAtomic), so a reader never
// sees half an entry.
func writeCache(dir, entry string, b *Boundaries) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(entry, func(w io.Writer) error {
		_, err := w.Write(encodeCache(b))
		return err
	})
}
