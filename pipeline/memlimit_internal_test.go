//go:build duckdb_arrow

package pipeline

import (
	"math"
	"runtime/debug"
	"testing"
)

// The Go soft limit grows while DateOrder holds its windows only when it
// is ocmap's own: a GOMEMLIMIT the user set is a bound, kept as it is.
// It is set back after, and none is made where there was none.
func TestRaiseMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	const set = 1 << 30
	debug.SetMemoryLimit(set)
	restore := raiseMemoryLimit(Config{}, 1000)
	if got := limit(); got != set {
		t.Errorf("a limit the user set became %d while a file was read, want %d", got, set)
	}
	restore()
	if got := limit(); got != set {
		t.Errorf("a limit the user set became %d after a file, want %d", got, set)
	}
	restore = raiseMemoryLimit(Config{OwnMemoryLimit: true}, 1000)
	if got, want := limit(), int64(set+2*1000*dateOrderRowBytes); got != want {
		t.Errorf("ocmap's own limit was %d while a file was read, want %d", got, want)
	}
	restore()
	if got := limit(); got != set {
		t.Errorf("ocmap's own limit was %d after a file, want %d", got, set)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	restore = raiseMemoryLimit(Config{OwnMemoryLimit: true}, 1000)
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("no limit became %d", got)
	}
	restore()
}
