//go:build duckdb_arrow

package export

import (
	"fmt"
	"os"
	"strings"

	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// PublicSources returns what a published output may say of the sources of
// shares: the sources on the approved list by name (as the list spells
// them), the others together as "N other sources"; with no list, every
// source together as "N sources". The source column is free text typed by
// whoever filled in the agency file ("informant 0321-…"), so only names the
// user approved are ever published. Names match ignoring case, spaces at
// the ends and runs of spaces. The records of merged sources are summed.
func PublicSources(shares []store.SourceShare, approved []string) []store.SourceShare {
	byKey := map[string]string{}
	for _, a := range approved {
		// The database holds sources scrubbed, so the list is matched so.
		name := schemas.Scrub(strings.Join(strings.Fields(a), " "))
		if k := sourceKey(name); k != "" {
			if _, ok := byKey[k]; !ok {
				byKey[k] = name
			}
		}
	}
	var out []store.SourceShare
	named := map[string]int{} // approved name -> index in out
	var others, otherRecords int64
	for _, s := range shares {
		name, ok := byKey[sourceKey(s.Source)]
		if !ok {
			others++
			otherRecords += s.Records
			continue
		}
		if i, ok := named[name]; ok {
			out[i].Records += s.Records
			continue
		}
		named[name] = len(out)
		out = append(out, store.SourceShare{Source: name, Records: s.Records})
	}
	if others > 0 {
		out = append(out, store.SourceShare{Source: countSources(others, len(out) > 0), Records: otherRecords})
	}
	return out
}

// countSources says "1 source", "3 sources", or with other "3 other sources".
func countSources(n int64, other bool) string {
	word := "sources"
	if n == 1 {
		word = "source"
	}
	if other {
		word = "other " + word
	}
	return fmt.Sprintf("%d %s", n, word)
}

func sourceKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// ParseSources splits a list of approved source names: commas or line
// breaks separate them; blank names and lines starting with # are left out.
func ParseSources(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, name := range strings.Split(line, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// ReadSources reads a file of approved source names, one a line (or
// separated by commas), for [PublicSources].
func ReadSources(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: approved sources: %w", err)
	}
	return ParseSources(strings.TrimPrefix(string(b), "\ufeff")), nil
}
