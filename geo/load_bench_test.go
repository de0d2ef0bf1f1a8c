package geo

import (
	"os"
	"testing"
)

// BenchmarkLoad loads the real boundary file named by OCMAP_BOUNDARIES; the
// validation on load must stay a small part of it.
func BenchmarkLoad(b *testing.B) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		b.Skip("OCMAP_BOUNDARIES is not set")
	}
	for b.Loop() {
		if _, err := Load(path, Properties{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate is the part of BenchmarkLoad that checks rings and
// overlaps.
func BenchmarkValidate(b *testing.B) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		b.Skip("OCMAP_BOUNDARIES is not set")
	}
	bs, err := Load(path, Properties{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := bs.validate(); err != nil {
			b.Fatal(err)
		}
	}
}
