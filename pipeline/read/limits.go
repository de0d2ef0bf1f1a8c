package read

import (
	"errors"
	"fmt"
)

// Errors for inputs past Limits, wrapped with the file and the limit.
var (
	// ErrTooLarge is for an input that decompresses past Limits.MaxBytes
	// or the default ratios: a gzip or zip bomb, or a genuine file that
	// needs a larger MaxBytes.
	ErrTooLarge = errors.New("read: input expands past a limit")
	// ErrTooManyCells is for a sheet past Limits.MaxCells.
	ErrTooManyCells = errors.New("read: sheet past the cell limit")
	// ErrDamaged is for a compressed file cut short or corrupted.
	ErrDamaged = errors.New("read: damaged file")
)

// Limits bound what one input may expand to when it is decompressed, so
// that a small hostile file (a "zip bomb") fails at once, naming the file
// and the limit, instead of filling memory and disk. The zero value is the
// defaults.
type Limits struct {
	// MaxBytes bounds the decompressed bytes of one input: a gzip file's
	// text, or a workbook's unzipped parts together. 0 means the defaults,
	// DefaultGzipBytes and DefaultXLSXBytes, and with them the expansion
	// ratio checks (see gzipRatio and xlsxRatio). A MaxBytes set by the user
	// replaces all of these: it is how a genuine file refused as a bomb is
	// read.
	MaxBytes int64
	// MaxCells bounds the cells of one sheet, counting the empty cells
	// before the last one of each row (they cost as much to read); 0 means
	// DefaultMaxCells.
	MaxCells int64
}

// Defaults of Limits.
const (
	DefaultGzipBytes = 64 << 30   // 64 GiB of text from one gzip file
	DefaultXLSXBytes = 1 << 30    // 1 GiB of unzipped workbook parts
	DefaultMaxCells  = 50_000_000 // a million rows of 50 columns
)

// Expansion ratios the defaults allow. Incident files compress 5 to 20
// times, a workbook's parts up to about 30; deflate cannot exceed 1,032, and
// a bomb is near that. Small inputs are let through whatever their ratio.
// Variables so that tests can lower the floors.
var (
	gzipRatio      int64 = 200
	gzipRatioFloor int64 = 64 << 20 // decompressed bytes before the ratio applies
	xlsxRatio      int64 = 100
	xlsxRatioFloor int64 = 1 << 20 // a part's unzipped bytes before the ratio applies
)

// gzipBytes returns the bound on a gzip file's text and the ratio to check,
// 0 for none.
func (l Limits) gzipBytes() (max, ratio int64) {
	if l.MaxBytes > 0 {
		return l.MaxBytes, 0
	}
	return DefaultGzipBytes, gzipRatio
}

// xlsxBytes returns the bound on a workbook's unzipped parts and the ratio
// to check, 0 for none.
func (l Limits) xlsxBytes() (max, ratio int64) {
	if l.MaxBytes > 0 {
		return l.MaxBytes, 0
	}
	return DefaultXLSXBytes, xlsxRatio
}

func (l Limits) cells() int64 {
	if l.MaxCells > 0 {
		return l.MaxCells
	}
	return DefaultMaxCells
}

// Size formats a byte count as users write it for --max-bytes: "64GiB",
// "10MB", "1500B", or "64.1MiB" when no unit divides it into a number
// under 10,000.
func Size(n int64) string {
	type unit struct {
		name string
		size int64
	}
	binary := []unit{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	decimal := []unit{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}}
	for _, units := range [][]unit{binary, decimal} {
		for _, u := range units {
			if n >= u.size && n/u.size < 10_000 && n%u.size == 0 {
				return fmt.Sprintf("%d%s", n/u.size, u.name)
			}
		}
	}
	for _, u := range binary[:3] {
		if n >= u.size {
			return fmt.Sprintf("%.1f%s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}
