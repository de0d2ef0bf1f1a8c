//go:build duckdb_arrow

package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// qualityNames name, in the release's keys, the report's data-quality
// counts: incidents located at precision 1, 2, 3, 4 and 6 (dataQuality's
// Precision), then all of them.
var qualityNames = [...]string{"point", "near", "name", "province", "country", "all"}

// addQuality adds to the release the incidents by location precision that
// the report's data quality prints as shares of their total. A share to
// one decimal gives its count when the total is a few hundred (6 of 386
// is 1.6%), and together with a count it gives the total, so the release
// counts every share printed as its count published, and the total too:
// more than the report prints, never less. Small counts are withheld, and
// an attacker knows that the counts sum to the total, and that the
// incidents located at precision 1 to n are the national total of the
// table counted at --max-precision n (those at precision 4 and 6 are in
// no district's figures): the share located by district name is the
// difference of two exports of different --max-precision. Protect then
// audits them with everything else. The shares are of every incident,
// whatever --max-precision, so they are keyed without the scope (like the
// records per source) and exports of any scope print one figure.
func (d *data) addQuality() {
	minCell := d.opt.MinCell
	small := func(v int64) bool { return v > 0 && v < minCell }
	prefix := d.table.Prefix() + "quality:"
	p := d.dq.Precision
	// The incidents by precision within the table's districts and
	// categories: with every incident of precision 1 to 3 in a district,
	// and none of precision 4 or 6, the national totals of the tables of
	// each scope are sums of the shares' counts.
	var in [len(p)]int64
	rows := map[string]bool{}
	for _, code := range d.table.Rows {
		rows[code] = true
	}
	for _, c := range d.all {
		if rows[c.District] && slices.Contains(d.table.Cols, c.Category) && !c.Month.Before(d.period.From) && !c.Month.After(d.period.To) {
			for k := range in {
				in[k] += c.ByPrecision[k]
			}
		}
	}
	linked := in[0] == p[0] && in[1] == p[1] && in[2] == p[2] && in[3] == 0 && in[4] == 0
	d.qualityFigs = make([]int, len(qualityNames))
	var total int64
	for k, v := range p {
		total += v
		// Counts the release cannot link to the tables are not printed.
		d.qualityFigs[k] = d.release.AddEvery(prefix+qualityNames[k], v, small(v) || !linked, small(v), 1)
		d.release.SetAside(d.qualityFigs[k])
	}
	last := len(p)
	d.qualityFigs[last] = d.release.AddEvery(prefix+qualityNames[last], total, small(total) || !linked, small(total), 1)
	d.release.SetAside(d.qualityFigs[last])
	d.release.Relate(prefix+"all by precision", d.qualityFigs[last], d.qualityFigs[:last])
	// The records per source (addSources) sum to the incidents and the
	// records that repeat one: their total bounds the total above, and with
	// the tables' national total, the incidents in no district.
	var records int64
	for _, s := range d.dq.Sources {
		records += s.Records
	}
	if len(d.sourceFigs) > 0 && records >= total {
		r := d.release.AddEvery(prefix+"records", records, true, small(records), 0)
		d.release.Relate(prefix+"records by source", r, d.sourceFigs)
		more := d.release.AddEvery(prefix+"records:repeats", records-total, true, false, 0)
		d.release.Relate(prefix+"records are incidents and repeats", r, []int{d.qualityFigs[last], more})
		d.addFiles(r, records)
	}
	if !linked {
		return
	}
	var upTo int64
	for n := 1; n <= 3; n++ {
		upTo += p[n-1]
		// The national total of the table at --max-precision n: the
		// current release's or an earlier one's when one printed it, else
		// a withheld unknown that a later release may print.
		key := precisionScope(n) + d.table.Prefix() + "nation:all"
		nat := d.release.AddEvery(key, upTo, true, false, 0)
		d.release.Relate(fmt.Sprintf("%s at precision 1-%d", key, n), nat, d.qualityFigs[:n])
	}
	// Every incident is counted at --max-precision 4 (the scope "").
	nat := d.release.AddEvery(d.table.Prefix()+"nation:all", upTo, true, false, 0)
	d.release.Relate(d.table.Prefix()+"nation:all at every precision", nat, d.qualityFigs[:3])
}

// qualityShares are the report's shares of the incidents by location
// precision (as dataQuality's Precision), to one decimal: for a published
// export, "suppressed" where the release withholds the count, and all of
// them where it withholds the total, which any share with its count gives.
func (d *data) qualityShares() [len(dataQuality{}.Precision)]string {
	p := d.dq.Precision
	var total int64
	for _, v := range p {
		total += v
	}
	var out [len(p)]string
	for k, v := range p {
		out[k] = pct(v, total)
	}
	if d.release == nil {
		return out // internal
	}
	figs := d.release.Figures()
	for k := range p {
		if figs[d.qualityFigs[k]].Suppressed || figs[d.qualityFigs[len(p)]].Suppressed {
			out[k] = "suppressed"
		}
	}
	return out
}

// addFiles adds to the release the rows accepted of each input file that
// manifest.json prints: they sum to the period's records (figure records,
// of value value) and the rows of other periods, so that their total bounds
// the records, and with them the incidents, above. An export of the whole
// span of the data after a file of 3 rows, say, would otherwise give those
// 3 as a national total. Files are keyed by their SHA-256, so that every
// release that lists a file prints one figure.
func (d *data) addFiles(records int, value int64) {
	var shas []string
	var parts []int
	var sum int64
	// A file's small count of rows is withheld like a source's (sources.go):
	// a file of an agency's name and 1 row says the agency sent one case.
	minCell := int64(d.opt.MinCell)
	for r := range d.runs {
		for k := range d.runs[r].Files {
			f := &d.runs[r].Files[k]
			small := f.accepted > 0 && f.accepted < minCell
			f.fig = d.release.AddEvery("file:"+f.SHA256+":accepted", f.accepted, small, small, 0)
			d.release.SetAside(f.fig)
			parts = append(parts, f.fig)
			shas = append(shas, f.SHA256)
			sum += f.accepted
		}
	}
	if len(parts) == 0 || sum < value {
		return
	}
	slices.Sort(shas)
	h := sha256.Sum256([]byte(strings.Join(shas, "\n")))
	key := "files:" + hex.EncodeToString(h[:8]) + ":accepted"
	all := d.release.AddEvery(key, sum, true, false, 0)
	d.release.Relate(key+" by file", all, parts)
	other := d.release.AddEvery(d.table.Prefix()+key+":other", sum-value, true, false, 0)
	d.release.Relate(key+" are the period's records and others", all, []int{records, other})
}

// manifestRuns are the ingest runs manifest.json lists: for a published
// export, the rows accepted of a file are "suppressed" where the release
// withholds them.
func (d *data) manifestRuns() []runInfo {
	if d.release == nil {
		return d.runs
	}
	figs := d.release.Figures()
	out := slices.Clone(d.runs)
	for r := range out {
		out[r].Files = slices.Clone(out[r].Files)
		for k := range out[r].Files {
			if f := &out[r].Files[k]; f.fig >= 0 && figs[f.fig].Suppressed {
				f.Rows = "suppressed"
			}
		}
	}
	return out
}
