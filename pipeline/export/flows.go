//go:build duckdb_arrow

package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/store"
)

// flowMapTop is how many flows a flow map draws, largest first, so that
// the map stays readable; flows.csv lists them all.
const flowMapTop = 40

// flowData are the flows an export writes, by category (flows.Categories).
type flowData struct {
	all      map[string][]flows.Flow // the period's flows
	months   map[string][]flows.Flow // by month (Period "2024-01"), for the release
	shown    map[string][]flows.Flow
	withheld map[string]int
	// larger counts the withheld flows of MinCell incidents or more: withheld
	// so that a small one cannot be worked out (Release.Protect).
	larger map[string]int
}

// loadFlows counts the period's flows of drug and human trafficking
// (package flows), and for a published export of several months their
// months too, which addFlows puts in the release.
func (d *data) loadFlows(ctx context.Context, st *store.Store) error {
	d.flows = flowData{all: map[string][]flows.Flow{}, months: map[string][]flows.Flow{}, shown: map[string][]flows.Flow{},
		withheld: map[string]int{}, larger: map[string]int{}}
	if d.opt.Flows == nil {
		return nil
	}
	for _, cat := range flows.Categories {
		q := flows.Query{Category: cat, From: d.period.From, To: d.period.To, Sub: d.opt.Sub}
		res, err := flows.Compute(ctx, st, d.opt.Flows, q)
		if err != nil {
			return err
		}
		d.flows.all[cat] = res.Flows
		if d.opt.Internal || d.period.From.Equal(d.period.To) {
			continue
		}
		q.By = flows.ByMonth
		if res, err = flows.Compute(ctx, st, d.opt.Flows, q); err != nil {
			return err
		}
		d.flows.months[cat] = res.Flows
	}
	return nil
}

// flowKey is the release's key of a flow of cat counted over the period
// whose key prefix is prefix.
func flowKey(prefix, cat string, f flows.Flow) string {
	return prefix + "flow:" + cat + ":" + f.Origin.Code + ">" + f.Destination.Code
}

// addFlows records each flow in the release, small ones withheld as a
// district count is suppressed, with its months (never printed): a flow
// of January to May and the same flow of January to June, each published,
// would tell June's flow, and a month's flow is the flow of a one-month
// export. No flow total is published, so no other relation ties a flow to
// published figures; nor does the report give the incidents without a
// resolved end, which with the national count would add up the withheld
// flows.
func (d *data) addFlows() {
	minCell := d.opt.MinCell
	prefix := d.table.Prefix()
	for _, cat := range flows.Categories {
		byFlow, byQty := map[string][]int{}, map[string][]int{}
		for _, f := range d.flows.months[cat] {
			v := f.Incidents
			k := flowKey("m:"+f.Period+":", cat, f)
			byFlow[flowKey("", cat, f)] = append(byFlow[flowKey("", cat, f)], d.release.Add(k, v, true, v > 0 && v < minCell, 0, true))
			byQty[flowKey("", cat, f)] = append(byQty[flowKey("", cat, f)], d.addQuantity("m:"+f.Period+":", f, true))
		}
		for _, f := range d.flows.all[cat] {
			small := f.Incidents < minCell
			n := d.release.Add(flowKey(prefix, cat, f), f.Incidents, small, small, 1, true)
			if ms := byFlow[flowKey("", cat, f)]; len(ms) > 0 {
				d.release.Relate(flowKey(prefix, cat, f)+" by month", n, ms)
			}
			q := d.addQuantity(prefix, f, small)
			if ms := byQty[flowKey("", cat, f)]; len(ms) > 0 {
				d.release.Relate(quantityKey(prefix, f)+" by month", q, ms)
			}
		}
	}
}

// quantityKey is the release's key of the victims or kilograms of a flow
// counted over the period whose key prefix is prefix.
func quantityKey(prefix string, f flows.Flow) string {
	_, name := f.Quantity()
	return prefix + name + ":" + f.Category + ":" + f.Origin.Code + ">" + f.Destination.Code
}

// quantityValue is a flow's victims, or its kilograms in grams, as the
// release counts them.
func quantityValue(f flows.Flow) int64 {
	q, name := f.Quantity()
	if name == "kg" {
		q *= 1000
	}
	return int64(math.Round(q))
}

// isKilograms says whether a release key is of kilograms (addQuantity),
// which the register keeps as any figure: a magnitude, not a count.
func isKilograms(key string) bool { return strings.Contains(key, ":kg:") }

// isVictims says whether a release key is of victims (addQuantity).
func isVictims(key string) bool { return strings.Contains(key, ":victims:") }

// addQuantity records the victims or kilograms (in grams) of flow f,
// counted over the period whose key prefix is prefix, withheld when
// withheld says (the flow's incidents are, or it is a month, never
// printed), and returns its figure. Victims are people, a count: from 1 to
// MinCell-1 they are a small count, protected as one. Both are sums over
// the flow's incidents, which the p% rule (disclosure.Dominance) finds
// sensitive when one or two incidents make nearly all of it: a sum of one
// seizure is that seizure. Protect then keeps every sensitive one (of the
// period, of a month, of the change since an earlier release) from being
// worked out, at its own protection level, as it does small counts.
func (d *data) addQuantity(prefix string, f flows.Flow, withheld bool) int {
	v := quantityValue(f)
	top := f.Top
	q, name := f.Quantity()
	if name == "kg" {
		q, top = q*1000, [2]float64{top[0] * 1000, top[1] * 1000}
	}
	level := disclosure.Dominance(q, top[0], top[1], disclosure.PPercent)
	key := quantityKey(prefix, f)
	if name == "kg" {
		return d.release.AddMagnitude(key, v, withheld || level > 0, level, true)
	}
	small := v > 0 && v < d.opt.MinCell
	i := d.release.Add(key, v, withheld || small || level > 0, small, 0, true)
	d.release.SetLevel(i, level)
	return i
}

// publishFlows keeps the flows the release publishes: for a published
// export, none of fewer than MinCell incidents, nor any Protect withheld.
func (d *data) publishFlows() {
	for _, cat := range flows.Categories {
		if d.release == nil {
			minCell := d.opt.MinCell
			if d.opt.Internal {
				minCell = 0
			}
			d.flows.shown[cat], d.flows.withheld[cat] = flows.Publishable(d.flows.all[cat], minCell)
			continue
		}
		d.flows.shown[cat], d.flows.withheld[cat], d.flows.larger[cat] = nil, 0, 0
		for _, f := range d.flows.all[cat] {
			qty := quantityKey(d.table.Prefix(), f)
			shown := !d.release.Suppressed(flowKey(d.table.Prefix(), cat, f), f.Incidents)
			if !shown {
				// Its victims or kilograms are printed with it or not at all.
				d.release.Withhold(qty, quantityValue(f))
			}
			f.Withheld = d.release.Suppressed(qty, quantityValue(f))
			switch {
			case shown:
				d.flows.shown[cat] = append(d.flows.shown[cat], f)
			case f.Incidents >= d.opt.MinCell:
				d.flows.larger[cat]++
				d.flows.withheld[cat]++
			default:
				d.flows.withheld[cat]++
			}
		}
	}
}

// writeFlows writes flows.csv, flows.geojson and a flow map per category
// (flows_<category>.svg and .png) of the flows loadFlows kept.
func writeFlows(w *writer, d *data) error {
	if d.opt.Flows == nil {
		return nil
	}
	var all []flows.Flow
	for _, cat := range flows.Categories {
		all = append(all, d.flows.shown[cat]...)
	}
	if err := w.create("flows.csv", func(out io.Writer) error { return flows.WriteCSV(out, all) }); err != nil {
		return err
	}
	anchors := flows.NewAnchors(d.opt.Boundaries, d.opt.Flows.Countries())
	fc, err := flows.GeoJSON(all, anchors)
	if err != nil {
		return err
	}
	if err := w.create("flows.geojson", func(out io.Writer) error {
		b, err := json.Marshal(fc)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}); err != nil {
		return err
	}
	for _, cat := range flows.Categories {
		m, pairs, err := flows.Map(d.opt.Boundaries, d.flows.shown[cat], anchors, d.opt.Crossings, flowMapTop)
		if err != nil {
			return err
		}
		m.Title, m.Subtitle, m.Label, m.Width, m.Source = flowTitles[cat], d.periodText(), d.label(), d.opt.Width, d.attribution()
		m.Note = d.flowNote(cat, m.Lines, pairs)
		var svg bytes.Buffer
		if err := m.SVG(&svg); err != nil {
			return err
		}
		d.svg["flows_"+cat] = svg.Bytes()
		if err := w.create("flows_"+cat+".svg", func(out io.Writer) error {
			_, err := out.Write(svg.Bytes())
			return err
		}); err != nil {
			return err
		}
		if err := w.create("flows_"+cat+".png", m.PNG); err != nil {
			return err
		}
	}
	return nil
}

// flowTitles name the flow maps.
var flowTitles = map[string]string{
	"drug_trafficking":  "Drug trafficking: where seized drugs came from and were going",
	"human_trafficking": "Human trafficking and migrant smuggling: where victims came from and were taken",
}

// flowNote says how to read a flow map and what it withholds.
func (d *data) flowNote(cat string, lines []render.Line, pairs int) string {
	widest, least := int64(0), int64(0)
	for i, l := range lines {
		v := int64(l.Value)
		if i == 0 || v > widest {
			widest = v
		}
		if i == 0 || v < least {
			least = v
		}
	}
	s := "Incidents by resolved origin and destination (a district, through ocmap's gazetteer, or a country); each incident reported by several sources counted once."
	if len(lines) > 0 {
		s += " Arrow width: incidents (the widest " + strconv.FormatInt(widest, 10) + ")."
	}
	if len(lines) < pairs {
		s += fmt.Sprintf(" The %d largest of %d flows are drawn (%d incidents or more); flows.csv lists them all.", len(lines), pairs, least)
	}
	s += " Countries outside the frame are drawn at its edge, in their direction."
	if len(d.opt.Crossings) > 0 {
		s += " Diamonds: official border crossings and ports."
	}
	if !d.opt.Internal {
		if n := d.flows.larger[cat]; n > 0 {
			s += fmt.Sprintf(" Flows of 1 to %d incidents, and larger ones that would let a small one be worked out, are withheld from every file (%d here, %d of them larger).", d.opt.MinCell-1, d.flows.withheld[cat], n)
		} else {
			s += fmt.Sprintf(" Flows of 1 to %d incidents are withheld from every file (%d here).", d.opt.MinCell-1, d.flows.withheld[cat])
		}
	}
	return s
}

// flowView is a category's flows in the report: the map and the largest.
type flowView struct {
	Category, Caption, Quantity string
	SVG                         template.HTML
	Rows                        []flowRow
}

type flowRow struct{ Origin, Destination, Incidents, Quantity string }

// flowViews are the report's flow sections, none without Options.Flows.
func (d *data) flowViews() []flowView {
	if d.opt.Flows == nil {
		return nil
	}
	var out []flowView
	for _, cat := range flows.Categories {
		fs := d.flows.shown[cat]
		v := flowView{Category: cat, Quantity: "victims"}
		if cat == "drug_trafficking" {
			v.Quantity = "kg"
		}
		s := string(d.svg["flows_"+cat])
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:]
		}
		v.SVG = template.HTML(s)
		v.Caption = fmt.Sprintf("%s: the %d largest of %d flows shown.", flowTitles[cat], min(10, len(fs)), len(fs))
		if !d.opt.Internal {
			// Said as a range: the report never says "fewer than", which
			// of a suppressed district cell would be untrue.
			v.Caption += fmt.Sprintf(" %d flows of 1 to %d incidents withheld.", d.flows.withheld[cat]-d.flows.larger[cat], d.opt.MinCell-1)
			if n := d.flows.larger[cat]; n > 0 {
				v.Caption += fmt.Sprintf(" Withheld too, so that a small one cannot be worked out: %d of %d incidents or more.", n, d.opt.MinCell)
			}
		}
		for i, f := range fs {
			if i == 10 {
				break
			}
			q, _ := f.Quantity()
			qty := strconv.FormatFloat(q, 'f', 1, 64)
			if f.Withheld {
				qty = "suppressed"
			}
			v.Rows = append(v.Rows, flowRow{Origin: f.Origin.Name, Destination: f.Destination.Name,
				Incidents: thousands(f.Incidents), Quantity: qty})
		}
		out = append(out, v)
	}
	return out
}
