//go:build duckdb_arrow

package flows

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// Periods a Query can split flows by.
const (
	ByAll   = ""      // one period, the whole query
	ByMonth = "month" // YYYY-MM
	ByYear  = "year"  // YYYY
)

// Query selects the incidents of an analysis.
type Query struct {
	Category string // drug_trafficking or human_trafficking
	From, To time.Time
	By       string // ByAll, ByMonth or ByYear
	Sub      store.SubFilter
	Province string // incidents placed in this province only (as geo.NormalizeProvince spells it); "" all
	// Regions folds each country into its group (XG for a Gulf state, XE
	// for a European one), when it has one.
	Regions bool
}

// Flow is the incidents of one category that went from Origin to
// Destination in one period.
type Flow struct {
	Category    string  `json:"category"`
	Period      string  `json:"period,omitempty"` // "" with ByAll, else YYYY-MM or YYYY
	Origin      End     `json:"origin"`
	Destination End     `json:"destination"`
	Incidents   int64   `json:"incidents"`
	Records     int64   `json:"records"`
	Victims     float64 `json:"victims,omitempty"` // trafficking
	Kg          float64 `json:"kg,omitempty"`      // drugs
	// Top are the two largest of its incidents' Kg (drugs) or Victims
	// (trafficking), largest first: the p% rule of disclosure control
	// asks whether they make most of the sum.
	Top [2]float64 `json:"-"`
	// Withheld says a published output withholds the flow's Victims or
	// Kg (disclosure control): WriteCSV and GeoJSON write "suppressed".
	Withheld bool `json:"-"`
}

// Quantity is the flow's victims (trafficking) or kilograms (drugs),
// and its name.
func (f Flow) Quantity() (float64, string) {
	if f.Category == schemas.DrugTrafficking.String() {
		return f.Kg, "kg"
	}
	return f.Victims, "victims"
}

// Unresolved counts the incidents in a query that gave no flow, by the end
// and its reason, and by the field it was read from.
type Unresolved struct {
	Incidents   int64            `json:"incidents"` // with no origin or no destination, or both
	Origin      map[string]int64 `json:"origin"`    // reason -> incidents
	Destination map[string]int64 `json:"destination"`
}

// Result is a query's flows, most incidents first.
type Result struct {
	Category   string           `json:"category"`
	Incidents  int64            `json:"incidents"` // in the query
	Flows      []Flow           `json:"flows"`
	Unresolved Unresolved       `json:"unresolved"`
	Bases      map[string]int64 `json:"bases"` // "origin: route" -> incidents whose end came from that field
}

// Source reads the records of a query: a *store.Store.
type Source interface {
	FlowRecords(ctx context.Context, q store.FlowQuery, fn func(store.FlowRecord) error) error
}

var _ Source = (*store.Store)(nil)

// Categories are the categories whose records carry origins and
// destinations.
var Categories = []string{schemas.DrugTrafficking.String(), schemas.HumanTrafficking.String()}

// Compute reads the query's incidents from src, resolves their ends with r
// and adds them up per origin, destination and period.
func Compute(ctx context.Context, src Source, r *Resolver, q Query) (*Result, error) {
	c, ok := schemas.ParseCategory(q.Category)
	if !ok || !slices.Contains(Categories, q.Category) {
		return nil, fmt.Errorf("flows: category %q has no origins or destinations (want drug_trafficking or human_trafficking)", q.Category)
	}
	if q.By != ByAll && q.By != ByMonth && q.By != ByYear {
		return nil, fmt.Errorf("flows: by %q: want month or year", q.By)
	}
	res := &Result{Category: q.Category, Bases: map[string]int64{},
		Unresolved: Unresolved{Origin: map[string]int64{}, Destination: map[string]int64{}}}
	type key struct {
		period string
		o, d   End
	}
	acc := map[key]*Flow{}
	var group []store.FlowRecord
	flush := func() {
		if len(group) == 0 {
			return
		}
		res.Incidents++
		prim := group[0]
		var o, d Resolved
		for i, rec := range group {
			ro, rd := r.Ends(Record{Category: c, On: rec.On, District: rec.District, Origin: rec.Origin,
				Destination: rec.Destination, Route: rec.Route, Nationality: rec.Nationality})
			if i == 0 || !o.given() && ro.given() {
				o = ro
			}
			// A seizure district is the primary's: another record's
			// district is the same incident's, placed by another source.
			if i == 0 || !d.given() && rd.given() || d.Basis == BasisSeizure && rd.given() && rd.Basis != BasisSeizure {
				d = rd
			}
		}
		if q.Regions {
			o.End, d.End = r.region(o.End), r.region(d.End)
		}
		if !o.OK || !d.OK {
			res.Unresolved.Incidents++
			if !o.OK {
				res.Unresolved.Origin[o.Reason]++
			}
			if !d.OK {
				res.Unresolved.Destination[d.Reason]++
			}
			group = group[:0]
			return
		}
		res.Bases["origin: "+o.Basis]++
		res.Bases["destination: "+d.Basis]++
		k := key{period: periodOf(prim.On, q.By), o: o.End, d: d.End}
		f := acc[k]
		if f == nil {
			f = &Flow{Category: q.Category, Period: k.period, Origin: o.End, Destination: d.End}
			acc[k] = f
		}
		f.Incidents++
		f.Records += int64(len(group))
		f.Kg += prim.Kg
		f.Victims += prim.Victims
		q := prim.Victims
		if c == schemas.DrugTrafficking {
			q = prim.Kg
		}
		switch {
		case q > f.Top[0]:
			f.Top = [2]float64{q, f.Top[0]}
		case q > f.Top[1]:
			f.Top[1] = q
		}
		group = group[:0]
	}
	err := src.FlowRecords(ctx, store.FlowQuery{Category: q.Category, From: q.From, To: q.To, Sub: q.Sub, Province: q.Province}, func(rec store.FlowRecord) error {
		if len(group) > 0 && rec.Group != group[0].Group {
			flush()
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		group = append(group, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	for _, f := range acc {
		// Stored kilograms keep 6 decimals (mg); the sums in float64 add
		// noise beyond them.
		f.Kg = math.Round(f.Kg*1e6) / 1e6
		if c != schemas.DrugTrafficking {
			f.Kg = 0
		}
		if c != schemas.HumanTrafficking {
			f.Victims = 0
		}
		res.Flows = append(res.Flows, *f)
	}
	slices.SortFunc(res.Flows, func(a, b Flow) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(b.Incidents, a.Incidents),
			cmp.Compare(a.Origin.Code, b.Origin.Code), cmp.Compare(a.Destination.Code, b.Destination.Code))
	})
	return res, nil
}

// region folds a country into its group.
func (r *Resolver) region(e End) End {
	if e.Kind != Country {
		return e
	}
	c, ok := r.cs.Code(e.Code)
	if !ok || c.Region == "" {
		return e
	}
	g, _ := r.cs.Code(c.Region)
	return End{Kind: g.Kind, Code: g.Code, Name: g.Name}
}

func periodOf(t time.Time, by string) string {
	switch by {
	case ByMonth:
		return t.Format("2006-01")
	case ByYear:
		return t.Format("2006")
	}
	return ""
}

// Publishable splits flows into those a published output may show and the
// number it must withhold: a flow of fewer than minCell incidents (each
// incident a record or more, so fewer than minCell records too) is
// withheld, as the export suppresses a district count from 1 to minCell-1.
// minCell 0 or 1 withholds nothing.
func Publishable(fs []Flow, minCell int64) (shown []Flow, withheld int) {
	for _, f := range fs {
		if f.Incidents < minCell {
			withheld++
			continue
		}
		shown = append(shown, f)
	}
	return shown, withheld
}

// Anchors places the ends of flows on a map: a district at an interior
// point of its polygon (geo.InteriorPoint; a centroid can fall outside),
// a country or group at its countries.csv anchor.
type Anchors struct {
	districts map[string]int
	b         *geo.Boundaries
	cs        *geo.Countries
	mu        sync.Mutex
	cache     map[string]pointOK
}

type pointOK struct {
	lon, lat float64
	ok       bool
}

// NewAnchors returns the anchors of b's districts and of cs.
func NewAnchors(b *geo.Boundaries, cs *geo.Countries) *Anchors {
	a := &Anchors{districts: map[string]int{}, b: b, cs: cs, cache: map[string]pointOK{}}
	for i, d := range b.Districts {
		a.districts[d.Code] = i
	}
	return a
}

// Of returns the (lon, lat) anchor of e; ok is false for an end it does
// not know (a district of another boundary file).
func (a *Anchors) Of(e End) (lon, lat float64, ok bool) {
	k := e.Kind + ":" + e.Code
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, hit := a.cache[k]; hit {
		return p.lon, p.lat, p.ok
	}
	var p pointOK
	switch e.Kind {
	case District:
		if i, in := a.districts[e.Code]; in {
			pt, good := geo.InteriorPoint(a.b.Polygons[i])
			p = pointOK{pt[0], pt[1], good}
		}
	default:
		if c, in := a.cs.Code(e.Code); in {
			p = pointOK{c.Anchor[0], c.Anchor[1], true}
		}
	}
	a.cache[k] = p
	return p.lon, p.lat, p.ok
}
