package schemas

import (
	"strings"
	"testing"
)

// TestPlainText checks the word-at-a-time test against the byte loop it
// replaces, on strings of every length up to 20 around each boundary byte.
func TestPlainText(t *testing.T) {
	naive := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 0x80 || c >= '0' && c <= '@' {
				return false
			}
		}
		return true
	}
	var n, plain int
	for _, c := range []byte{0, ' ', '/', '0', '5', '9', ':', '?', '@', 'A', 'z', 0x7f, 0x80, 0xd9, 0xff} {
		for size := 1; size <= 20; size++ {
			for at := 0; at < size; at++ {
				b := []byte(strings.Repeat("x", size))
				b[at] = c
				s := string(b)
				if got, want := plainText(s), naive(s); got != want {
					t.Errorf("plainText(%q) = %v, want %v", s, got, want)
				}
				n++
				if naive(s) {
					plain++
				}
			}
		}
	}
	if got, want := plain, 6*210; got != want {
		t.Errorf("%d of %d strings plain, want %d", got, n, want)
	}
}
