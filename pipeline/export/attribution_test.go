//go:build duckdb_arrow

package export

import "testing"

func TestBoundarySource(t *testing.T) {
	for _, tc := range []struct{ name, path, sha, want string }{
		{"cod-ab by hash", "/x/renamed.geojson", "7b9e0eb9ed1b6ebc541016e2af87fe06cd9f6ed090f1e2d3093f4193cd7f30e1", "OCHA/WFP COD-AB Pakistan ADM2 (2022-09-09), CC BY 3.0 IGO"},
		{"cod-ab by name", "/x/pak_admbnda_adm2_wfp_20220909.shp", "00", "OCHA/WFP COD-AB Pakistan ADM2 (2022-09-09), CC BY 3.0 IGO"},
		{"geoboundaries", "/x/geoBoundaries-PAK-ADM2.geojson", "00", "geoBoundaries Pakistan ADM2 (Runfola et al. 2020, PLoS ONE 15(4): e0231866)"},
		{"other", "/x/grid.geojson", "00", "grid.geojson"},
		{"none", "", "", "not recorded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := boundarySource(tc.path, tc.sha), tc.want; got != want {
				t.Errorf("boundarySource(%q) = %q, want %q", tc.path, got, want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {2945, "2,945"}, {12592, "12,592"}, {188797, "188,797"}, {1234567, "1,234,567"}} {
		if got, want := thousands(tc.n), tc.want; got != want {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, want)
		}
	}
	if got, want := rate2(188797.73100000003), "188,797.73"; got != want {
		t.Errorf("rate2 = %q, want %q", got, want)
	}
}
