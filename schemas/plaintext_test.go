package schemas

import (
	"math/rand/v2"
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

// TestPrefilterAdmitsMatches checks, on random strings of digits,
// separators and letters, that the prefilter (mayHoldPII) passes every
// string in which the full scan (nextPII) finds personal data: Scrub
// returns the rest unread.
func TestPrefilterAdmitsMatches(t *testing.T) {
	const alphabet = "0123456789000333 -./()+ABx@.k"
	rnd := rand.New(rand.NewPCG(7, 7))
	var found int
	for range 400000 {
		b := make([]byte, 4+rnd.IntN(24))
		for i := range b {
			b[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		s := string(b)
		digits, at := mayHoldPII(s)
		if _, _, kind := nextPII(s, 0, at); kind != piiNone {
			found++
			if !digits && !at {
				t.Fatalf("nextPII finds %v in %q, which the prefilter lets pass", kind, s)
			}
		}
	}
	if found < 1000 {
		t.Errorf("only %d of the strings hold personal data; the test means little", found)
	}
}
