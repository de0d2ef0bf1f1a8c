package schemas

import "testing"

func TestNoPlace(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"N/A", true}, {"n.a.", true}, {"NA", true}, {"unknown", true}, {"Not Known", true}, {"NOT AVAILABLE", true},
		{"nil", true}, {"none", true}, {"-", true}, {"--", true}, {"?", true}, {"...", true}, {"0", true}, {"نامعلوم", true},
		{"", false}, // empty is absent, not a placeholder
		{"Lahore", false}, {"D.I. Khan", false}, {"Nawabshah", false}, {"لاہور", false}, {"PK617", false},
		{"Naushahro Feroze", false}, {"Nal", false}, {"10", false},
	} {
		if got := NoPlace([]byte(tc.in)); got != tc.want {
			t.Errorf("NoPlace(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
