//go:build duckdb_arrow

package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
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
	rows, _ := publicSources(shares, approved)
	return rows
}

// publicSources is PublicSources, with the indices in shares of the
// sources each row sums.
func publicSources(shares []store.SourceShare, approved []string) ([]store.SourceShare, [][]int) {
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
	var members [][]int
	named := map[string]int{} // approved name -> index in out
	var others, otherRecords int64
	var otherMembers []int
	for n, s := range shares {
		name, ok := byKey[sourceKey(s.Source)]
		if !ok {
			others++
			otherRecords += s.Records
			otherMembers = append(otherMembers, n)
			continue
		}
		if i, ok := named[name]; ok {
			out[i].Records += s.Records
			members[i] = append(members[i], n)
			continue
		}
		named[name] = len(out)
		out = append(out, store.SourceShare{Source: name, Records: s.Records})
		members = append(members, []int{n})
	}
	if others > 0 {
		out = append(out, store.SourceShare{Source: countSources(others, len(out) > 0), Records: otherRecords})
		members = append(members, otherMembers)
	}
	return out, members
}

// addSources adds to the release the records per source that the report
// prints, small ones withheld, with what an attacker knows of them: each
// row is the sum of its sources' records (one source's, or the others'
// together). Two exports that name different sources ("2 sources: 389",
// then "ANF: withheld, 1 other source: 386") would otherwise tell ANF's 3.
// Sources are keyed by a hash of their name (the register holds no free
// text) and counted whatever --max-precision, so that exports of any
// scope print one figure. It keeps the rows and their figures for
// sourceRows.
func (d *data) addSources() {
	rows, members := publicSources(d.dq.Sources, d.opt.PublishSources)
	minCell := d.opt.MinCell
	prefix := d.table.Prefix() + "source:"
	key := func(names []string) string {
		slices.Sort(names)
		h := sha256.Sum256([]byte(strings.Join(names, "\n")))
		return prefix + hex.EncodeToString(h[:8])
	}
	d.sourceFigs = make([]int, len(rows))
	for i, row := range rows {
		var names []string
		var parts []int
		for _, n := range members[i] {
			s := d.dq.Sources[n]
			names = append(names, sourceKey(s.Source))
			parts = append(parts, d.release.AddEvery(key([]string{sourceKey(s.Source)}), s.Records, true, s.Records < minCell, 1))
		}
		v := row.Records
		d.sourceFigs[i] = d.release.AddEvery(key(names), v, v < minCell, v < minCell, 1)
		d.release.SetAside(d.sourceFigs[i])
		d.release.Relate(key(names)+" by source", d.sourceFigs[i], parts)
	}
}

// sourceRows are the report's records per source: for a published export,
// "suppressed" where the release withholds them.
func (d *data) sourceRows() []sourceRow {
	if d.opt.Internal || d.release == nil {
		return thousandsSources(d.dq.Sources)
	}
	rows := thousandsSources(PublicSources(d.dq.Sources, d.opt.PublishSources))
	for i := range rows {
		if i < len(d.sourceFigs) && d.release.Figures()[d.sourceFigs[i]].Suppressed {
			rows[i].Records = "suppressed"
		}
	}
	return rows
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
