//go:build duckdb_arrow

package export

import (
	"slices"
	"time"

	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/schemas"
)

// previous is the period of the same length before the export's, for the
// report's key figures: national counts by category, then all four.
type previous struct {
	period analysis.Period
	has    bool    // the database has incidents in it
	nation []int64 // by category as schemas.Categories, then all four
	byCell [][][]int64
}

func (d *data) loadPrevious() {
	p := previous{period: d.period.Before()}
	cats := schemas.Categories()
	months := p.period.Months()
	mi := map[time.Time]int{}
	for k, m := range months {
		mi[m] = k
	}
	di := map[string]int{}
	p.byCell = make([][][]int64, len(d.districts))
	for i, ds := range d.districts {
		di[ds.Code] = i
		p.byCell[i] = make([][]int64, len(cats))
		for j := range cats {
			p.byCell[i][j] = make([]int64, len(months))
		}
	}
	p.nation = make([]int64, len(cats)+1)
	for _, c := range d.cells {
		k, in := mi[c.Month]
		if !in {
			continue
		}
		p.has = true
		i, ok := di[c.District]
		j := slices.Index(cats, c.Category)
		if ok && j >= 0 {
			p.byCell[i][j][k] += c.Incidents
			p.nation[j] += c.Incidents
			p.nation[len(cats)] += c.Incidents
		}
	}
	d.prev = p
}

// prevKey is the key of the previous period's national count of cat.
func (d *data) prevKey(cat string) string {
	p := disclosure.Period{From: d.prev.period.From.Format("2006-01"), To: d.prev.period.To.Format("2006-01")}
	return p.Prefix() + "nation:" + cat
}

// addPrevious adds to the release the previous period's national counts
// that the report prints, small ones withheld, with what an attacker knows
// of them: each is the sum of its districts' counts of that period (never
// printed), and these the sums of their months, which earlier releases may
// have printed. Protect then audits them with everything else.
func (d *data) addPrevious() {
	if !d.prev.has {
		return
	}
	cats := schemas.Categories()
	minCell := d.opt.MinCell
	p := disclosure.Period{From: d.prev.period.From.Format("2006-01"), To: d.prev.period.To.Format("2006-01")}
	prefix := p.Prefix()
	months := d.prev.period.Months()
	parts := make([][]int, len(cats))
	if len(d.earlier) > 0 {
		// Without earlier releases nothing else speaks of these districts'
		// counts, and the relations would add only free unknowns.
		for i, ds := range d.districts {
			for j, cat := range cats {
				var tot int64
				var ms []int
				for k, m := range months {
					v := d.prev.byCell[i][j][k]
					tot += v
					mk := "m:" + m.Format("2006-01") + ":" + ds.Code + ":" + cat
					ms = append(ms, d.release.Add(mk, v, true, v > 0 && v < minCell, 0, true))
					d.widenMonths(mk, ds.Code, cat, []time.Time{m})
				}
				key := prefix + ds.Code + ":" + cat
				f := d.release.Add(key, tot, true, tot > 0 && tot < minCell, 0, true)
				d.widenMonths(key, ds.Code, cat, months)
				d.release.Relate(key+" by month", f, ms)
				parts[j] = append(parts[j], f)
			}
		}
	}
	var all []int
	for j, cat := range cats {
		v := d.prev.nation[j]
		n := d.release.Add(d.prevKey(cat), v, v > 0 && v < minCell, v > 0 && v < minCell, 1, true)
		if len(parts[j]) > 0 {
			d.release.Relate(d.prevKey(cat)+" by district", n, parts[j])
		}
		all = append(all, n)
	}
	v := d.prev.nation[len(cats)]
	n := d.release.Add(d.prevKey(analysis.AllCategories), v, v > 0 && v < minCell, v > 0 && v < minCell, 1, true)
	d.release.Relate(d.prevKey(analysis.AllCategories)+" by category", n, all)
}

// keyFigure is one row of the report's key figures.
type keyFigure struct {
	Title, Now, Before, Change string
}

// keyFigures are the national counts of the period by category and all
// four, against the previous period of the same length, as published:
// "suppressed" where the release withholds them, no change then.
func (d *data) keyFigures() []keyFigure {
	cats := schemas.Categories()
	var out []keyFigure
	for j, cat := range categories {
		now := d.results[cat]
		var n int64
		for _, x := range now.Districts {
			n += x.Incidents
		}
		nowSup := false
		if !d.opt.Internal {
			if j < len(cats) {
				nowSup = d.sup.NationalSuppressed[j]
			} else {
				nowSup = d.sup.NationalTotalSuppressed
			}
		}
		k := keyFigure{Title: titles[cat], Now: thousands(n), Before: "–", Change: "–"}
		if nowSup {
			k.Now = "suppressed"
		}
		if d.prev.has {
			b := d.prev.nation[j]
			bSup := d.release != nil && d.release.Suppressed(d.prevKey(cat), b)
			k.Before = thousands(b)
			if bSup {
				k.Before = "suppressed"
			}
			if !nowSup && !bSup {
				k.Change = change(n, b, true)
			}
		}
		out = append(out, k)
	}
	return out
}
