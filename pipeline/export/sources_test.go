//go:build duckdb_arrow

package export

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

func TestPublicSources(t *testing.T) {
	shares := []store.SourceShare{
		{Source: "ANF", Records: 40}, {Source: "informant [PHONE]", Records: 9}, {Source: "punjab  police", Records: 7},
		{Source: "Punjab Police", Records: 3}, {Source: "[EMAIL]", Records: 1},
	}
	tests := []struct {
		name     string
		approved []string
		want     string
	}{
		{"no list", nil, "[{5 sources 60}]"},
		{"one named", []string{"anf"}, "[{anf 40} {4 other sources 20}]"},
		{"spellings merge", []string{"ANF", " Punjab Police "}, "[{ANF 40} {Punjab Police 10} {2 other sources 10}]"},
		{"one other", []string{"ANF", "Punjab Police", "informant [PHONE]"}, "[{ANF 40} {informant [PHONE] 9} {Punjab Police 10} {1 other source 1}]"},
		{"all named", []string{"ANF", "Punjab Police", "informant [PHONE]", "[EMAIL]"}, "[{ANF 40} {informant [PHONE] 9} {Punjab Police 10} {[EMAIL] 1}]"},
		{"approved but absent", []string{"FIA"}, "[{5 sources 60}]"},
		{"approved name scrubbed", []string{"informant 0321-7654321"}, "[{informant [PHONE] 9} {4 other sources 51}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := fmt.Sprint(PublicSources(shares, tt.approved)), tt.want; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	if got := PublicSources(nil, nil); len(got) != 0 {
		t.Errorf("no sources: got %v, want none", got)
	}
}

func TestParseSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.txt")
	if err := os.WriteFile(path, []byte("\ufeff# approved by the board\nANF\n\n Punjab Police \nFIA, CTD\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSources(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ANF", "Punjab Police", "FIA", "CTD"}; !reflect.DeepEqual(got, want) {
		t.Errorf("file: got %q, want %q", got, want)
	}
	if got, want := ParseSources("ANF, Punjab Police,,FIA"), []string{"ANF", "Punjab Police", "FIA"}; !reflect.DeepEqual(got, want) {
		t.Errorf("list: got %q, want %q", got, want)
	}
	if _, err := ReadSources(filepath.Join(t.TempDir(), "none.txt")); err == nil {
		t.Errorf("a missing file gave no error")
	}
}
