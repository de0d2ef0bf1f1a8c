package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
)

// pysalWeights is what testdata/weights/queen.py prints: libpysal's weights
// of the real boundaries, by district code, in file order.
type pysalWeights struct {
	Version   string       `json:"libpysal"`
	Codes     []string     `json:"codes"`
	Queen     [][]string   `json:"queen"`
	Islands   []string     `json:"islands"`
	KNN       [][]string   `json:"knn"`
	Centroids [][2]float64 `json:"centroids"`
}

// TestQueenAgreesWithPySAL holds QueenWeights to libpysal's
// weights.Queen, and the nearest-centroid order behind WithKNN to
// weights.KNN, on the real boundaries: the same neighbours for every
// district and the same islands.
func TestQueenAgreesWithPySAL(t *testing.T) {
	path := boundariesPath(t)
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import libpysal.weights, shapely.geometry").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("%s with libpysal is needed to compare with PySAL (apt-get install python3-libpysal): %v: %s", python, err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	b, err := Load(path, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	const k = 4
	cmd := exec.Command(python, "testdata/weights/queen.py", path, b.Props.Code, strconv.Itoa(k))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("queen.py: %v", err)
	}
	var py pysalWeights
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatalf("queen.py: %v", err)
	}
	if got, want := len(py.Codes), len(b.Districts); got != want {
		t.Fatalf("libpysal read %d districts, geo %d", got, want)
	}

	w := QueenWeights(b)
	codes := func(ix []int) []string {
		s := make([]string, len(ix))
		for i, j := range ix {
			s[i] = b.Districts[j].Code
		}
		slices.Sort(s)
		return s
	}
	cs := centroids(b.Polygons)
	links := 0
	for f, code := range py.Codes {
		i := b.LookupName(code)
		if i < 0 || b.Districts[i].Code != code {
			t.Fatalf("libpysal district %q is not in geo's boundaries", code)
		}
		links += len(py.Queen[f])
		if got, want := codes(w.Neighbors[i]), py.Queen[f]; !slices.Equal(got, want) {
			t.Errorf("%s %s: queen neighbours %v, libpysal %v", code, b.Districts[i].Name, got, want)
		}
		if d := math.Hypot(cs[i][0]-py.Centroids[f][0], cs[i][1]-py.Centroids[f][1]); d > 1e-9 {
			t.Errorf("%s: centroid %v, shapely %v", code, cs[i], py.Centroids[f])
		}
		nn := nearest(cs, i, k)
		got := make([]string, len(nn))
		for x, j := range nn {
			got[x] = b.Districts[j].Code
		}
		if want := py.KNN[f]; !slices.Equal(got, want) {
			t.Errorf("%s: %d nearest %v, libpysal KNN %v", code, k, got, want)
		}
	}
	if got, want := codes(w.Islands), py.Islands; !slices.Equal(got, want) {
		t.Errorf("islands %v, libpysal %v", got, want)
	}
	if got, want := w.Links(), links; got != want {
		t.Errorf("%d links, libpysal %d", got, want)
	}
	t.Logf("libpysal %s: %d districts, %d links, %d islands, %.2f neighbours on average",
		py.Version, len(b.Districts), links, len(py.Islands), float64(links)/float64(len(b.Districts)))
}
