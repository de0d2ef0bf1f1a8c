package read

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchCSV returns n incident-like rows, one in eight with a quoted field.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("incident_id,category,occurred_on,lat,lon,quantity,unit,amount_pkr,district_hint,notes\n")
	for i := 0; i < n; i++ {
		note := "seized at checkpost"
		if i%8 == 0 {
			note = `"seized, ""charas"" in bag"`
		}
		fmt.Fprintf(&b, "FIR-%d/2023,narcotics,2023-%02d-%02d,31.%04d,74.%04d,%d.5,kg,%d,Lahore,%s\n",
			i, i%12+1, i%28+1, i%10000, (i*7)%10000, i%50, i*1000, note)
	}
	return b.Bytes()
}

func benchJSON(n int, array bool) []byte {
	var b bytes.Buffer
	if array {
		b.WriteString("[\n")
	}
	for i := 0; i < n; i++ {
		if array && i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"fir":"FIR-%d/2023","date":"2023-%02d-%02d","place":{"district":"Lahore","lat":31.%04d},"qty":%d.5}`,
			i, i%12+1, i%28+1, i%10000, i%50)
		if !array {
			b.WriteByte('\n')
		}
	}
	if array {
		b.WriteString("\n]\n")
	}
	return b.Bytes()
}

func BenchmarkScanner(b *testing.B) {
	in := benchCSV(100000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		s := NewScanner(bytes.NewReader(in))
		n := 0
		for s.Next() {
			n += len(s.Fields())
		}
		if n != 100001*10 {
			b.Fatalf("got %d fields", n)
		}
	}
	b.ReportMetric(100001*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCSV(b *testing.B) {
	in := benchCSV(100000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		src, err := NewCSV(bytes.NewReader(in), CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		benchDrain(b, src, 100000)
	}
	b.ReportMetric(100000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkJSON(b *testing.B) {
	cols := []string{"fir", "date", "place.district", "place.lat", "qty"}
	for _, tt := range []struct {
		name string
		open func(io.Reader, []string) Source
		in   []byte
	}{
		{"lines", NewJSONLines, benchJSON(20000, false)},
		{"array", NewJSONArray, benchJSON(20000, true)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.in)))
			for b.Loop() {
				benchDrain(b, tt.open(bytes.NewReader(tt.in), cols), 20000)
			}
			b.ReportMetric(20000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func benchDrain(b *testing.B, src Source, want int) {
	n := 0
	for src.Next() {
		if src.Malformed() != "" {
			b.Fatalf("line %d: %s", src.Line(), src.Malformed())
		}
		n++
	}
	if err := src.Err(); err != nil {
		b.Fatal(err)
	}
	if n != want {
		b.Fatalf("got %d records, want %d", n, want)
	}
}
