package synth_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// TestFlows: with Options.Flows the file has the same rows (the flow
// fields come from a stream of their own), the flow columns after them,
// filled for drug and human trafficking rows only, duplicates repeating
// their original's; the same seed gives the same bytes.
func TestFlows(t *testing.T) {
	b := grid(t, 4)
	opt := synth.Options{Rows: 6000, Seed: 11, Sources: 10, DupRate: 0.1}
	plain, _ := generate(t, b, opt)
	opt.Flows = true
	recs, st := generate(t, b, opt)
	if len(recs) != len(plain) {
		t.Fatalf("%d rows with flows, %d without", len(recs), len(plain))
	}
	var drugs, drugOrigin, drugRoute, ht, htDest, htNat, others int
	for i, rec := range recs {
		if len(rec) == schemas.NumCanonical+len(synth.FlowColumns)-1 {
			continue // a row spoilt by dropping its last field
		}
		if !reflect.DeepEqual(rec[:schemas.NumCanonical], plain[i]) {
			t.Fatalf("row %d differs from the file without flows:\n%q\n%q", i+1, rec[:schemas.NumCanonical], plain[i])
		}
		f := rec[schemas.NumCanonical:]
		switch rec[schemas.ColCategory] {
		case "drug_trafficking":
			drugs++
			if f[0] != "" {
				drugOrigin++
			}
			if f[2] != "" {
				drugRoute++
			}
			if f[1] != "" || f[3] != "" {
				t.Errorf("row %d: a drug seizure with a destination or nationality: %q", i+1, f)
			}
		case "human_trafficking":
			ht++
			if f[1] != "" {
				htDest++
			}
			if f[3] != "" {
				htNat++
			}
			if f[2] != "" {
				t.Errorf("row %d: a trafficking case with a route: %q", i+1, f)
			}
		case "terror_financing", "cybercrime": // not "narcotics", a spoilt drug row
			if strings.Join(f, "") != "" {
				others++
			}
		}
	}
	// Shares as flows.go draws them: 70% of seizures name an origin, 65% a
	// route or site; 95% of trafficking cases a destination, 70% a
	// nationality.
	within := func(name string, n, of int, share float64) {
		if got := float64(n) / float64(of); got < share-0.05 || got > share+0.05 {
			t.Errorf("%s: %d of %d (%.2f), want about %.2f", name, n, of, got, share)
		}
	}
	within("drug origins", drugOrigin, drugs, 0.70)
	within("drug routes", drugRoute, drugs, 0.65)
	within("trafficking destinations", htDest, ht, 0.95)
	within("trafficking nationalities", htNat, ht, 0.70)
	if others > 0 {
		t.Errorf("%d rows of other categories carry flow fields", others)
	}
	for _, p := range st.Pairs {
		if o, d := recs[p.Orig-1], recs[p.Dup-1]; !reflect.DeepEqual(o[schemas.NumCanonical:], d[schemas.NumCanonical:]) {
			t.Errorf("duplicate row %d has flows %q, its original %d %q", p.Dup, d[schemas.NumCanonical:], p.Orig, o[schemas.NumCanonical:])
		}
	}
	var a, c bytes.Buffer
	if _, err := synth.Generate(&a, b, geo.NewIndex(b.Polygons), opt); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(&c, b, geo.NewIndex(b.Polygons), opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("the same seed gave two files")
	}
	if got := strings.SplitN(a.String(), "\n", 2)[0]; !strings.HasSuffix(got, ",origin,destination,route,nationality,exploitation") {
		t.Errorf("header %q", got)
	}
}
