package schemas_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/schemas"
)

func TestParseCoord(t *testing.T) {
	const dms = 33 + 41.0/60 + 4.0/3600 // 33°41'04"
	tests := []struct {
		in   string
		axis byte
		want float64
	}{
		{"33.6844", 'y', 33.6844},
		{"-73.05", 'x', -73.05},
		{"+33.5", 'y', 33.5},
		{"33.6844N", 'y', 33.6844},
		{"33.6844 n", 'y', 33.6844},
		{"73.0479 E", 'x', 73.0479},
		{"73.0479W", 'x', -73.0479},
		{"N33.6844", 'y', 33.6844},
		{"S 33.6844", 'y', -33.6844},
		{"33.6844°N", 'y', 33.6844},
		{"33.6844° N", 'y', 33.6844},
		{"33°41'04\"N", 'y', dms},
		{"33° 41' 4.5\" N", 'y', 33 + 41.0/60 + 4.5/3600},
		{"33 41 04 N", 'y', dms},
		{"N 33 41 04", 'y', dms},
		{"33:41:04N", 'y', dms},
		{"33d41m4s N", 'y', dms},
		{"33d41m4s", 'y', dms},
		{"33D41M4S N", 'y', dms},
		{"33d41m4sN", 'y', dms},
		{"33°41′04″N", 'y', dms},
		{"33°41’04”N", 'y', dms},
		{"33º41'04''N", 'y', dms}, // ordinal º and two apostrophes
		{"33˚41´04\"N", 'y', dms},
		{"33°41'04\"S", 'y', -dms},
		{"73°2'52.4\"E", 'x', 73 + 2.0/60 + 52.4/3600},
		{"73 02 52.4 W", 'x', -(73 + 2.0/60 + 52.4/3600)},
		{"33°41.07'N", 'y', 33 + 41.07/60},
		{"33 41.07", 'y', 33 + 41.07/60},
		{"-33 41 04", 'y', -dms},
		{"90", 'y', 90},
		{"-180", 'x', -180},
		{"  33.6844  ", 'y', 33.6844},
		{"0", 'x', 0},
		{"33.", 'y', 33},
		{"180°0'0\"W", 'x', -180},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, reason := schemas.ParseCoord([]byte(tt.in), tt.axis)
			if reason != "" {
				t.Fatalf("ParseCoord(%q, %c) reason %q", tt.in, tt.axis, reason)
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("ParseCoord(%q, %c) = %v, want %v", tt.in, tt.axis, got, tt.want)
			}
		})
	}
	// Decimal degrees are exact: the float strconv reads.
	if got, _ := schemas.ParseCoord([]byte("33.6844"), 'y'); got != 33.6844 {
		t.Errorf("33.6844 read as %v", got)
	}
}

func TestParseCoordRejects(t *testing.T) {
	tests := []struct {
		in     string
		axis   byte
		reason string // a substring of the reason
	}{
		{"", 'y', "empty"},
		{"33.6844E", 'y', "longitude hemisphere"},
		{"73.05 N", 'x', "latitude hemisphere"},
		{"N 73 02 52", 'x', "latitude hemisphere"},
		{"-33.5 S", 'y', "minus sign and a hemisphere"},
		{"91", 'y', "outside -90..90"},
		{"-90.0001", 'y', "outside -90..90"},
		{"180.5", 'x', "outside -180..180"},
		{"89 60 00", 'y', "minutes must be below 60"},
		{"33 41 60", 'y', "seconds must be below 60"},
		{"33 59 60.0", 'y', "seconds"},
		{"33.5 41", 'y', "fraction"},
		{"33 41.5 04", 'y', "fraction"},
		{"33'41°", 'y', "out of order"},
		{"33 41\" 04", 'y', "out of order"},
		{"33 41 04 05", 'y', "not a coordinate"},
		{"33 North", 'y', "not a coordinate"},
		{"North", 'y', "not a coordinate"},
		{"N", 'y', "not a coordinate"},
		{"33:", 'y', "not a coordinate"},
		{"33,6844", 'y', "a decimal comma"},
		{"-72,25", 'x', "a decimal comma"},
		{"1,234,5", 'y', "not a coordinate"},
		{"1234,5", 'x', "not a coordinate"},
		{"1e1", 'y', "not a coordinate"},
		{"33.6844NN", 'y', "not a coordinate"},
		{"--33", 'y', "not a coordinate"},
		{"3520212345671", 'y', "outside"},
		{"33.5", 'z', "axis"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, reason := schemas.ParseCoord([]byte(tt.in), tt.axis)
			if !strings.Contains(reason, tt.reason) {
				t.Fatalf("ParseCoord(%q, %c) = %v, %q; want a reason with %q", tt.in, tt.axis, got, reason, tt.reason)
			}
			if len(tt.in) > 3 && strings.Contains(reason, tt.in) {
				t.Errorf("reason %q echoes the input", reason)
			}
		})
	}
}

func TestLooksSwapped(t *testing.T) {
	// Pakistan's bounding box.
	const minLat, maxLat, minLon, maxLon = 23.6, 37.1, 60.8, 77.9
	tests := []struct {
		name     string
		lat, lon float64
		want     bool
	}{
		{"Islamabad", 33.68, 73.05, false},
		{"Islamabad swapped", 73.05, 33.68, true},
		{"outside both ways", 10, 10, false},
		{"inside both ways is not swapped", 30, 70, false},
		{"NaN", math.NaN(), 33.68, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := schemas.LooksSwapped(tt.lat, tt.lon, minLat, maxLat, minLon, maxLon), tt.want; got != want {
				t.Errorf("LooksSwapped(%v, %v) = %v, want %v", tt.lat, tt.lon, got, want)
			}
		})
	}
}

func TestParseCoordNoAlloc(t *testing.T) {
	a, b := []byte("33°41'04\"N"), []byte("73.0479 E")
	if n := testing.AllocsPerRun(100, func() {
		schemas.ParseCoord(a, 'y')
		schemas.ParseCoord(b, 'x')
	}); n != 0 {
		t.Errorf("ParseCoord allocates %v times per call", n)
	}
}

func BenchmarkParseCoord(b *testing.B) {
	in := [][]byte{[]byte("33.6844"), []byte("33°41'04\"N"), []byte("73.0479 E")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		schemas.ParseCoord(in[i%len(in)], 'y')
	}
}

func FuzzParseCoord(f *testing.F) {
	for _, s := range []string{
		"33.6844", "-73.05", "33.6844N", "73.0479 E", "33°41'04\"N", "33° 41' 4.5\" N",
		"33 41 04 N", "N 33 41 04", "33:41:04N", "33d41m4s N", "33°41′04″N", "33°41’04”N", "91", "33.5 41",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, axis := range []byte{'y', 'x'} {
			v, reason := schemas.ParseCoord([]byte(s), axis)
			if reason != "" {
				continue
			}
			limit := 90.0
			if axis == 'x' {
				limit = 180
			}
			if math.IsNaN(v) || math.Abs(v) > limit {
				t.Fatalf("ParseCoord(%q, %c) = %v", s, axis, v)
			}
			// A plain decimal is read exactly as strconv reads it.
			if w, err := strconv.ParseFloat(s, 64); err == nil && strings.Trim(s, "0123456789.-") == "" && w != v {
				t.Fatalf("ParseCoord(%q) = %v, strconv %v", s, v, w)
			}
		}
	})
}

func ExampleParseCoord() {
	for _, c := range []struct {
		in   string
		axis byte
	}{
		{"33.6844", 'y'},
		{"33°41'04\"N", 'y'},
		{"N 33 41 04", 'y'},
		{"33d41m4s N", 'y'},
		{"73°2'52.4\"W", 'x'},
		{"73.0479 E", 'y'}, // a longitude in the latitude column
	} {
		v, reason := schemas.ParseCoord([]byte(c.in), c.axis)
		if reason != "" {
			fmt.Printf("%-12s rejected: %s\n", c.in, reason)
			continue
		}
		fmt.Printf("%-12s %.6f\n", c.in, v)
	}
	// Output:
	// 33.6844      33.684400
	// 33°41'04"N   33.684444
	// N 33 41 04   33.684444
	// 33d41m4s N   33.684444
	// 73°2'52.4"W  -73.047889
	// 73.0479 E    rejected: longitude hemisphere (E/W) on a latitude
}
