//go:build duckdb_arrow

package store

import (
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ocmap/ocmap/schemas"
)

// CheckPoints is how many different points a dry run keeps statistics
// for, to find placeholder points: about 100 bytes each. Rows at points
// beyond it are counted in Landing.Untracked (a variable for tests).
var CheckPoints = 1_000_000

// CheckPlaces is how many different place texts a point's statistics keep:
// enough for every rule; more are shown as "64 or more".
const CheckPlaces = 64

// Landing is where a dry run's rows land: what the ingest's placeholder
// pass would place anew and what 'ocmap review' would list.
type Landing struct {
	// Placeholders are the placeholder points by rule (Rule*), in
	// the order the ingest tries the rules; rules without points are left
	// out.
	Placeholders []PlaceholderTally
	// Untracked is how many rows sit at points beyond the first
	// CheckPoints: they are not checked for placeholders.
	Untracked int64
	// Pairs are the rows whose point and name give two districts, by
	// pair, most rows first; rows at a placeholder point are left out, as
	// the ingest places them anew.
	Pairs   []PairTally
	Outside Finding // the point is outside the province the row states
	Near    Finding // placed near a town of the place layer (precision 2)
	Far     Finding // the point is far from the town the row names
	Text    Finding // placed from narrative text
}

// Finding counts rows of one kind, with the first as an example.
type Finding struct {
	Rows     int64
	Line     int64   // source_line of the example
	Lat, Lon float64 // its point, when it has one
	Note     string  // its location_note
}

// add counts one row; the row with the lowest line is the example.
func (f *Finding) add(n int64, line int64, lat, lon float64, note string) {
	if f.Rows == 0 || line < f.Line {
		f.Line, f.Lat, f.Lon, f.Note = line, lat, lon, note
	}
	f.Rows += n
}

// PlaceholderTally counts the placeholder points of one rule and the rows
// at them, with the point of most rows as an example.
type PlaceholderTally struct {
	Rule         string // Rule*
	Points, Rows int64
	// The example point: its first line, coordinates, rows, different
	// place texts (at most CheckPlaces) and days between its first and last
	// date.
	Line                     int64
	Lat, Lon                 float64
	AtPoint, Places, SpanDay int64
}

// PairTally counts the rows whose point lies in district Point and whose
// name gives district Name: Kept where the point was kept, Over where the
// name was taken over the point.
type PairTally struct {
	Point, Name string
	Kept, Over  Finding
}

// Rows is the pair's rows of both kinds.
func (p *PairTally) Rows() int64 { return p.Kept.Rows + p.Over.Rows }

// Example is the pair's first row.
func (p *PairTally) Example() Finding {
	if p.Over.Rows > 0 && (p.Kept.Rows == 0 || p.Over.Line < p.Kept.Line) {
		return p.Over
	}
	return p.Kept
}

// Kinds of row findings.
const (
	findKept = iota
	findOver
	findOutside
	findFar
	findNear
	findText
)

type pairKey struct{ point, name string }

// pointFind is a finding of rows at one point, held back until the end:
// at a placeholder point the ingest replaces their notes.
type pointFind struct {
	kind int
	pair pairKey
	f    Finding
}

// pointStats are one point's statistics as Run.DisputedPoints computes
// them in SQL.
type pointStats struct {
	rows           int64
	minDay, maxDay int32
	hasDay         bool
	places         []uint64 // hashes of the different place texts, at most CheckPlaces
	named          []string // different districts the names give, at most 2
	disputed       bool     // a row's point and name disagree
	first          int64    // the first row's line
	finds          []pointFind
}

type pointKey struct{ lat, lon float64 }

// LandingTally gathers a Landing over the normalized batches of one file,
// for a dry run: in memory, what DisputedPoints and the placeholder rules
// find in the database after an ingest.
type LandingTally struct {
	points    map[pointKey]*pointStats
	untracked int64
	pairs     map[pairKey]*PairTally
	out       Landing
}

// NewLandingTally returns an empty tally.
func NewLandingTally() *LandingTally {
	return &LandingTally{points: map[pointKey]*pointStats{}, pairs: map[pairKey]*PairTally{}}
}

// Notes of the point and name rules (pipeline/locate), parsed back for
// their districts.
var (
	reKept      = regexp.MustCompile(`^the point is in (.*?) but the name ".*" is (.*)` + regexp.QuoteMeta(schemas.NotePointKept) + `$`)
	reOverPoint = regexp.MustCompile(`^the point is in (.*?)(?: but the name |, \d+ km outside )`)
)

// noteOutside marks the note of a point outside the province the row
// states.
const noteOutside = ", outside the province the row gives ("

// Add reads one normalized batch.
func (l *LandingTally) Add(rec arrow.RecordBatch) {
	col := func(name string) arrow.Array {
		if ix := rec.Schema().FieldIndices(name); len(ix) > 0 {
			return rec.Column(ix[0])
		}
		return nil
	}
	str := func(a arrow.Array, i int) (string, bool) {
		if s, ok := a.(*array.String); ok && s.IsValid(i) {
			return s.Value(i), true
		}
		return "", false
	}
	lines, _ := col(schemas.FieldSourceLine).(*array.Int64)
	lats, _ := col(schemas.FieldLat).(*array.Float64)
	lons, _ := col(schemas.FieldLon).(*array.Float64)
	days, _ := col(schemas.FieldOccurredOn).(*array.Date32)
	precs, _ := col(schemas.FieldLocationPrecision).(*array.Int8)
	hints, places, names := col(schemas.FieldDistrictHint), col(schemas.FieldPlace), col(schemas.FieldDistrictName)
	methods, notes := col(schemas.FieldMatchMethod), col(schemas.FieldLocationNote)
	if lines == nil || precs == nil {
		return
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		line := lines.Value(i)
		note, _ := str(notes, i)
		method, _ := str(methods, i)
		name, _ := str(names, i)
		var lat, lon float64
		hasPoint := lats != nil && lons != nil && lats.IsValid(i) && lons.IsValid(i)
		if hasPoint {
			lat, lon = lats.Value(i), lons.Value(i)
		}
		// The finding of the row, if any.
		kind, pair := -1, pairKey{}
		switch {
		case method == schemas.MethodPlace:
			kind = findNear
		case method == schemas.MethodText || strings.Contains(note, "found in the text: "):
			kind = findText
		case strings.HasSuffix(note, schemas.NotePointKept) && strings.Contains(note, "(GeoNames) is "):
			kind = findFar
		case strings.HasSuffix(note, schemas.NotePointKept):
			if m := reKept.FindStringSubmatch(note); m != nil {
				kind, pair = findKept, pairKey{m[1], m[2]}
			}
		case strings.HasSuffix(note, schemas.NoteNameOverPoint):
			if m := reOverPoint.FindStringSubmatch(note); m != nil {
				kind, pair = findOver, pairKey{m[1], name}
			}
		case strings.HasPrefix(note, "the point (") && strings.Contains(note, noteOutside):
			kind = findOutside
		}
		// A row the placeholder rules read: placed by its point, or by its
		// name over its point.
		var st *pointStats
		if hasPoint && (precs.Value(i) == schemas.PrecisionPoint || strings.HasSuffix(note, schemas.NoteNameOverPoint)) {
			st = l.point(pointKey{lat, lon}, line)
		}
		if st != nil {
			st.rows++
			if days != nil && days.IsValid(i) {
				d := int32(days.Value(i))
				if !st.hasDay || d < st.minDay {
					st.minDay = d
				}
				if !st.hasDay || d > st.maxDay {
					st.maxDay = d
				}
				st.hasDay = true
			}
			text, ok := str(places, i)
			if strings.Trim(text, " ") == "" {
				text, ok = str(hints, i)
			}
			if ok && len(st.places) < CheckPlaces {
				h := fnv.New64a()
				h.Write([]byte(strings.ToLower(strings.Trim(text, " "))))
				if s := h.Sum64(); !slices.Contains(st.places, s) {
					st.places = append(st.places, s)
				}
			}
			if hint, _ := str(hints, i); strings.TrimSpace(hint) != "" {
				named := name // the name agrees with the point, or was taken over it
				if kind == findKept {
					named = pair.name
				}
				if named != "" && len(st.named) < 2 && !slices.Contains(st.named, named) {
					st.named = append(st.named, named)
				}
			}
			st.disputed = st.disputed || strings.HasSuffix(note, schemas.NotePointKept) || strings.HasSuffix(note, schemas.NoteNameOverPoint)
		}
		if kind < 0 {
			continue
		}
		f := Finding{Rows: 1, Line: line, Lat: lat, Lon: lon, Note: note}
		if st != nil {
			// Held back: at a placeholder point the ingest replaces the note.
			st.finds = append(st.finds, pointFind{kind: kind, pair: pair, f: f})
			continue
		}
		l.count(kind, pair, f)
	}
}

// point returns the statistics of the point k, or nil when there are
// CheckPoints points already.
func (l *LandingTally) point(k pointKey, line int64) *pointStats {
	st := l.points[k]
	if st == nil {
		if len(l.points) >= CheckPoints {
			l.untracked++
			return nil
		}
		st = &pointStats{first: line}
		l.points[k] = st
	}
	return st
}

func (l *LandingTally) count(kind int, pair pairKey, f Finding) {
	var to *Finding
	switch kind {
	case findKept, findOver:
		p := l.pairs[pair]
		if p == nil {
			p = &PairTally{Point: pair.point, Name: pair.name}
			l.pairs[pair] = p
		}
		to = &p.Kept
		if kind == findOver {
			to = &p.Over
		}
	case findOutside:
		to = &l.out.Outside
	case findFar:
		to = &l.out.Far
	case findNear:
		to = &l.out.Near
	default:
		to = &l.out.Text
	}
	to.add(f.Rows, f.Line, f.Lat, f.Lon, f.Note)
}

// rule is the placeholder rule of a point, as Run.DisputedPoints and the
// ingest's placeholder pass decide it, or "".
func (st *pointStats) rule(k pointKey) string {
	places := int64(len(st.places))
	span := int64(st.maxDay - st.minDay)
	coarse := math.Round(k.lat*100)/100 == k.lat && math.Round(k.lon*100)/100 == k.lon
	switch {
	case st.rows < 2:
		return ""
	case st.rows >= PlaceholderMinRows && places >= PlaceholderMinPlaces:
		return RulePlaces
	case coarse && places >= 2:
		return RuleCoarse
	case st.rows >= PlaceholderMinRows && span >= PlaceholderSpanDays:
		return RuleDates
	case st.disputed && len(st.named) >= 2:
		return RuleNames
	}
	return ""
}

// Done decides the points and returns the Landing.
func (l *LandingTally) Done() *Landing {
	byRule := map[string]*PlaceholderTally{}
	for k, st := range l.points {
		rule := st.rule(k)
		if rule == "" {
			for _, pf := range st.finds {
				l.count(pf.kind, pf.pair, pf.f)
			}
			continue
		}
		t := byRule[rule]
		if t == nil {
			t = &PlaceholderTally{Rule: rule}
			byRule[rule] = t
		}
		t.Points++
		t.Rows += st.rows
		if st.rows > t.AtPoint || st.rows == t.AtPoint && st.first < t.Line {
			t.Line, t.Lat, t.Lon, t.AtPoint = st.first, k.lat, k.lon, st.rows
			t.Places, t.SpanDay = int64(len(st.places)), int64(st.maxDay-st.minDay)
		}
	}
	for _, rule := range []string{RuleNames, RulePlaces, RuleCoarse, RuleDates} {
		if t := byRule[rule]; t != nil {
			l.out.Placeholders = append(l.out.Placeholders, *t)
		}
	}
	for _, p := range l.pairs {
		l.out.Pairs = append(l.out.Pairs, *p)
	}
	sort.Slice(l.out.Pairs, func(i, j int) bool {
		a, b := &l.out.Pairs[i], &l.out.Pairs[j]
		if a.Rows() != b.Rows() {
			return a.Rows() > b.Rows()
		}
		if a.Point != b.Point {
			return a.Point < b.Point
		}
		return a.Name < b.Name
	})
	l.out.Untracked = l.untracked
	return &l.out
}
