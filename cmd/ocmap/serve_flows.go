//go:build duckdb_arrow

package main

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/locate"
)

// flowsOf builds, once, what /api/flows.json resolves ends with: the
// gazetteer of the served boundary file (with the user's aliases) and
// ocmap's countries table.
func (s *server) flowsOf() (*flows.Resolver, *flows.Anchors, error) {
	s.flowOnce.Do(func() {
		loc, err := locate.NewWithAliases(s.b, s.aliases)
		if err != nil {
			s.flowErr = err
			return
		}
		cs, err := countries()
		if err != nil {
			s.flowErr = err
			return
		}
		s.resolver, s.anchors = flows.NewResolver(loc.Gazetteer(), cs), flows.NewAnchors(s.b, cs)
	})
	return s.resolver, s.anchors, s.flowErr
}

// flowJSON is a flow with its ends' anchor points, (lon, lat), for the
// page's layer.
type flowJSON struct {
	flows.Flow
	From [2]float64 `json:"from"`
	To   [2]float64 `json:"to"`
}

// apiFlows is 'ocmap flows --format json' for the page: category
// (drug_trafficking or human_trafficking; default human_trafficking),
// from, to, province, subcategory (repeatable; else the server's
// --subcategory when it is of the category), by, regions=1 and min_cell=N
// as the command's
// flags, each flow with the anchor points of its ends.
func (s *server) apiFlows(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	get := func(k, def string) string {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			return v
		}
		return def
	}
	cat := get("category", "human_trafficking")
	if !slices.Contains(flows.Categories, cat) {
		s.fail(w, usagef("category %q: flows are of drug_trafficking or human_trafficking", cat))
		return
	}
	from, err := parseMonth("from", get("from", ""))
	if err != nil {
		s.fail(w, err)
		return
	}
	to, err := parseMonth("to", get("to", ""))
	if err != nil {
		s.fail(w, err)
		return
	}
	minCell, err := strconv.ParseInt(get("min_cell", "0"), 10, 64)
	if err != nil || minCell < 0 {
		s.fail(w, usagef("min_cell %q: want 0 (none) or more", q.Get("min_cell")))
		return
	}
	province := ""
	if p := get("province", ""); p != "" {
		var ok bool
		if province, ok = geo.NormalizeProvince(p); !ok {
			s.fail(w, usagef("unknown province %q", p))
			return
		}
	}
	by := get("by", "")
	if by != "" && by != flows.ByMonth && by != flows.ByYear {
		s.fail(w, usagef("by %q: want month or year", by))
		return
	}
	var subs []string
	for _, v := range q["subcategory"] {
		if v = strings.TrimSpace(v); v != "" {
			subs = append(subs, v)
		}
	}
	sub, err := resolveSubcategories(r.Context(), s.st, cat, subs)
	if len(subs) == 0 && len(s.subcategories) > 0 {
		// The server's default, when it is of this category.
		if def, derr := resolveSubcategories(r.Context(), s.st, cat, s.subcategories); derr == nil {
			sub = def
		}
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	res, anchors, err := s.flowsOf()
	if err != nil {
		s.fail(w, err)
		return
	}
	result, err := flows.Compute(r.Context(), s.st, res, flows.Query{Category: cat, From: from, To: to, By: by, Sub: sub.Filter,
		Regions: get("regions", "") == "1", Province: province})
	if err != nil {
		s.fail(w, err)
		return
	}
	shown, withheld := flows.Publishable(result.Flows, minCell)
	out := map[string]any{"category": cat, "from": get("from", ""), "to": get("to", ""), "incidents": result.Incidents,
		"min_cell": minCell, "withheld_flows": withheld, "subcategories": sub.Codes}
	if minCell == 0 {
		out["unresolved"] = result.Unresolved
	}
	list := make([]flowJSON, 0, len(shown))
	for _, f := range shown {
		ol, oa, ok1 := anchors.Of(f.Origin)
		dl, da, ok2 := anchors.Of(f.Destination)
		if !ok1 || !ok2 {
			s.fail(w, errors.New("a flow's end has no anchor point: is the boundary file the database's?"))
			return
		}
		list = append(list, flowJSON{Flow: f, From: [2]float64{ol, oa}, To: [2]float64{dl, da}})
	}
	out["flows"] = list
	writeJSON(w, out)
}

// serverFlows are the server's fields for /api/flows.json.
type serverFlows struct {
	aliases  []geo.Alias // the user's, for the gazetteer
	flowOnce sync.Once
	resolver *flows.Resolver
	anchors  *flows.Anchors
	flowErr  error
}
