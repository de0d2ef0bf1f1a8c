//go:build duckdb_arrow

package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ocmap/ocmap/internal/steptrace"
)

// Cross-source records of one incident are found by a sweep through time.
//
// Within one category and district, the records with a date are read in
// the order of their date, source key and row key. A record joins the
// cluster it fits best among the clusters whose first record is at most
// the link window older than it; it fits a cluster when the cluster holds
// no record of its source key and it links (pairScore) to every record of
// the cluster, and the fit is the best of those scores (ties go to the
// older cluster). A record that fits none starts a cluster; one that fits
// better than a record of its own source may take that one's place (add).
//
// So a cluster spans the link window at most and holds one record per
// source, however densely a district reports: linking pairs into
// connected components instead chained a district's records across months
// into one "incident" (312,372 records in one group at 5M rows). And a
// change to the records of some days changes the clusters of the days
// after them only until the sweep is back in step with the old one, which
// lets a run recompute a few days around its own rows (sweepChanged).

// sweepRec is one record as the sweep reads it.
type sweepRec struct {
	key                rowKey
	seq                int32 // the position of its file in its run (fileOrder)
	prec               sql.NullInt16
	skey               string // the source, else the layout
	category, district string
	day                int32
	lat, lon           float64 // NaN: no point
	qty, amt           float64 // NaN: none
	// Its cluster before the run: the groupID of the cluster's first
	// record (its own when it was alone) and its score (0 alone); isNew
	// says the old sweep did not have it: it is the run's, or a twin that
	// stands for its id now (promote).
	oldCluster int64
	oldScore   float64
	oldStored  bool  // incident_groups held its cluster
	oldGroup   int64 // its group_id in incident_groups, 0 when none (sweepSpans)
	isNew      bool
	// The times the old sweep took it out of a cluster for a record of its
	// source (add), from sweep_moves, and those of this sweep; movesBefore
	// counts the old ones before this sweep began.
	oldMoves, moves []sweepMoveEvent
	movesBefore     int

	c     *sweepCluster // the cluster the sweep put it in
	score float64       // its best pairScore within c; 0 alone
	keys  [dims]dimKey  // its lists' keys (keyIn)
	keyed bool
}

// cluster returns the id and score rec has now: 0, 0 alone.
func (s *sweepRec) cluster() (int64, float64) {
	if len(s.c.members) < 2 {
		return 0, 0
	}
	return s.c.id, s.score
}

// sweepMoveEvent is a record taken out of a cluster: on day, out of the
// cluster from, the step-th time that day.
type sweepMoveEvent struct {
	day  int32
	step int16
	from int64
}

// labelAt is the cluster rec was in at the start of day, in the sweep
// whose moves are moves and which left it in cluster last.
func labelAt(moves []sweepMoveEvent, last int64, day int32) int64 {
	for _, m := range moves {
		if m.day >= day {
			return m.from
		}
	}
	return last
}

// movesBeforeDay counts the moves before day.
func movesBeforeDay(moves []sweepMoveEvent, day int32) int {
	n := 0
	for _, m := range moves {
		if m.day < day {
			n++
		}
	}
	return n
}

// sweepCluster is the records of one incident from different sources.
type sweepCluster struct {
	// The groupID of the record that started it, kept when that record
	// leaves, so that a cluster has one id from start to close and a run
	// can tell, from the moves, which records were together on any day.
	id      int64
	first   *sweepRec // its earliest member in sweep order
	members []*sweepRec
	seen    int64     // the sweeper's stamp when it was last compared
	gen     int64     // the sweeper's gen when listed was last set
	listed  []listKey // the sweeper's lists it is in (gen's)
}

// sweepBefore orders records as the sweep reads them: by day, source key
// and as ingested (fileOrder).
func sweepBefore(a, b *sweepRec) bool { return sweepCompare(a, b) < 0 }

// sweepCompare is sweepBefore as a comparison, byte-wise on strings as
// DuckDB's ORDER BY.
func sweepCompare(a, b *sweepRec) int {
	return cmp.Or(cmp.Compare(a.day, b.day), strings.Compare(a.skey, b.skey), cmp.Compare(a.key.run, b.key.run),
		cmp.Compare(a.seq, b.seq), strings.Compare(a.key.file, b.key.file), cmp.Compare(a.key.line, b.key.line))
}

// clusterID is the id of a cluster rec starts: its groupID, or when rec
// has left clusters before, a hash of that and how many times it did, as
// the cluster it first left may still have its id.
func clusterID(rec *sweepRec) int64 { return clusterIDAfter(rec.key, rec.movesBefore+len(rec.moves)) }

// clusterIDAfter is the id of a cluster the record k starts after leaving
// n clusters.
func clusterIDAfter(k rowKey, n int) int64 {
	id := groupID(k)
	if n > 0 {
		h := fnv.New64a()
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:8], uint64(id))
		binary.LittleEndian.PutUint64(b[8:], uint64(n))
		h.Write(b[:])
		id = int64(h.Sum64() >> 1)
	}
	return id
}

// join adds rec to c; the first record of a new cluster gives it its id.
func (c *sweepCluster) join(rec *sweepRec) {
	if len(c.members) == 0 && c.id == 0 {
		c.id = clusterID(rec)
	}
	c.members = append(c.members, rec)
	rec.c = c
	if c.first == nil || sweepBefore(rec, c.first) {
		c.first = rec
	}
}

// leave takes m out of c.
func (c *sweepCluster) leave(m *sweepRec) {
	c.members = slices.DeleteFunc(c.members, func(x *sweepRec) bool { return x == m })
	m.c = nil
	if c.first == m {
		c.first = c.members[0]
		for _, x := range c.members[1:] {
			if sweepBefore(x, c.first) {
				c.first = x
			}
		}
	}
}

// pairScore says whether a and b may be one incident, and how well they
// match: different source keys, at most window days apart, at most
// linkMaxKm apart when both have a point, and the smaller over the larger
// quantity, and amount, at least linkMinRatio when both have one. The
// score is the mean of date 1-|days|/(window+1), place (1 when both points
// lie within linkNearKm, else 0.5) and amount (the lower known ratio, 0.5
// when neither is known). It is the same with a and b swapped.
func pairScore(a, b *sweepRec, window int32) (float64, bool) {
	if a.skey == b.skey {
		return 0, false
	}
	dd := abs32(a.day - b.day)
	if dd > window {
		return 0, false
	}
	qr, hasQ := ratio(a.qty, b.qty)
	ar, hasA := ratio(a.amt, b.amt)
	if hasQ && qr < linkMinRatio || hasA && ar < linkMinRatio {
		return 0, false
	}
	place := 0.5
	if !math.IsNaN(a.lat) && !math.IsNaN(b.lat) {
		// Points further apart in latitude alone than linkMaxKm need no
		// trigonometry: most pairs the sweep compares.
		if math.Abs(a.lat-b.lat)*math.Pi/180*earthKm > linkMaxKm {
			return 0, false
		}
		switch h := haversineH(a.lat, a.lon, b.lat, b.lon); {
		case h > maxH:
			return 0, false
		case h <= nearH:
			place = 1
		}
	}
	amount := 0.5
	switch {
	case hasQ && hasA:
		amount = min(qr, ar)
	case hasQ:
		amount = qr
	case hasA:
		amount = ar
	}
	return ((1 - float64(dd)/float64(window+1)) + place + amount) / 3, true
}

// ratio is the smaller of a and b over the larger, 1 when both are 0;
// false when either is missing.
func ratio(a, b float64) (float64, bool) {
	if math.IsNaN(a) || math.IsNaN(b) {
		return 0, false
	}
	lo, hi := min(a, b), max(a, b)
	if hi == 0 {
		return 1, true
	}
	return lo / hi, true
}

// earthKm is the radius of the sphere haversineKm uses.
const earthKm = 6371.0088

// haversineKm is the great-circle distance in km, the same either way
// round.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	return 2 * earthKm * math.Asin(min(1, math.Sqrt(haversineH(lat1, lon1, lat2, lon2))))
}

// haversineH is the haversine of the central angle between two points:
// haversineKm grows with it, so pairScore compares it with maxH and nearH
// (the haversines of linkMaxKm and linkNearKm) and needs no square root
// nor arcsine.
func haversineH(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	s1 := math.Sin((lat2 - lat1) * rad / 2)
	s2 := math.Sin((lon2 - lon1) * rad / 2)
	return s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
}

// maxH and nearH are the haversines of linkMaxKm and linkNearKm.
var (
	maxH  = hav(linkMaxKm / earthKm)
	nearH = hav(linkNearKm / earthKm)
)

func hav(angle float64) float64 { s := math.Sin(angle / 2); return s * s }

// sweeper runs the sweep through one partition (category and district).
type sweeper struct {
	window int32
	open   []*sweepCluster // clusters a record may still join, oldest first
	closed func(c *sweepCluster)

	// A record fits a cluster only when it links (pairScore) to every
	// member but the one of its own source, so each criterion of pairScore
	// is a condition every other member meets: a point within linkMaxKm, a
	// quantity and an amount within linkMinRatio, another source. The open
	// clusters are listed by the grid cells of their points (dimKey); when
	// crowdOpen or more are open, along the other dimensions too, and along
	// pairs of them. A record is compared with the clusters of the shortest
	// of its lists (candidates), each of which holds every cluster it may
	// fit; a record without a point, when few clusters are open, with every
	// one. Comparing each record with every open cluster made the sweep
	// quadratic where a district reports densely (35 clusters a record at
	// 3M rows, 14 at 1M; 65 s for 800k rows on one day); the grid alone
	// still compared every cluster of a crowded town, and every open
	// cluster for a record without a point.
	//
	// The lists may hold a cluster that has since lost the member that put
	// it there: fit decides. They are made again each day, when the
	// clusters that no record can join any more close, and when the open
	// clusters grow to crowdOpen.
	crowded   bool                        // all the lists are made (crowdOpen)
	busy      bool                        // the day before compared busyFits clusters a record or more
	dayFits   int64                       // fits when the day began
	dayRecs   int64                       // the records of the day added
	lists     map[dimKey][]*sweepCluster  // by one dimension's key
	pairs     map[listKey][]*sweepCluster // by two (crowded)
	used      []dimKey                    // the keys of lists filled since reindex
	usedPairs []listKey                   // and of pairs
	multi     []*sweepCluster             // clusters of two or more
	single    map[string][]*sweepCluster  // clusters of one, by its source key
	singles   int                         // the clusters in single
	sources   map[string]uint32           // the source keys of keyOne, numbered
	gen       int64                       // counts reindex: a cluster's listed is of the lists of gen
	day       int32                       // the day of the last record added
	indexed   bool                        // the lists and day are set
	stamp     int64                       // marks the clusters compared with the current record
	fits      int64                       // clusters compared, for tests
	fitted    int64                       // the clusters compared that a record fitted
	all       bool                        // compare each record with every open cluster (tests)

	keys  [dims][]dimKey    // index's: a cluster's keys
	near  [dims][]dimKey    // candidates': the keys a record may fit
	found [][]*sweepCluster // candidates': the lists it chose
}

// The dimensions of the lists, as the bits of dimKey.
const (
	dimPoint = iota
	dimQty
	dimAmt
	dims
)

// A dimKey names a list of one dimension, in its top two bits (dimOf):
// for points, a grid cell (cellOfPoint) of a member's point; for a
// quantity or an amount, a bucket (measureBucket) of a member's; keyNone,
// the clusters no member of which has a value; keyOne with a source
// number, the clusters of two or more whose only value is of a record of
// that source, which a record of the source may replace wherever it
// lies. A record with a point may fit the clusters of its cell and the
// eight around it, of keyNone, and of keyOne of its source only; one with
// a measure those of its bucket and the two beside it (zeroBucket: that
// and oddBucket), keyNone and keyOne of its source.
type dimKey uint64

const (
	keyNone dimKey = 1 << 60
	keyOne  dimKey = 2 << 60
)

func dimOf(d int) dimKey { return dimKey(d+1) << 62 }

// cellKey is the key of grid cell g: a band fits 16 bits (bandOf gives
// at most 1,001 either side of the equator).
func cellKey(g gridCell) dimKey {
	return dimOf(dimPoint) | dimKey(uint16(g.lat))<<32 | dimKey(uint32(g.lon))
}

func bucketKey(d int, b int32) dimKey { return dimOf(d) | dimKey(uint32(b)) }

// listKey names a list of the sweeper's: of one dimension's key (the
// second is 0), or of a pair of them, the lower dimension first.
type listKey [2]dimKey

// crowdOpen is how many open clusters make the sweeper list them along
// every dimension and pair of dimensions, not by points alone, and
// busyOpen how many do when the day before compared busyFits clusters a
// record or more (the grid does not tell its clusters apart): fewer
// compare fewer clusters than the lists cost (a pair of a record's lists
// takes up to 55 look-ups). pairFits is the fewest clusters of a record's
// shortest list of one dimension for which it looks at pairs; a list of
// at most shortFits clusters is short enough not to look further.
const (
	crowdOpen = 128
	busyOpen  = 48
	busyFits  = 24
	pairFits  = 32
	shortFits = 8
)

// bucketWidth is the width of a bucket of measureBucket in the logarithm
// of a measure: log(1/linkMinRatio), and a little more, so that the
// rounding of a logarithm cannot put two measures that link (the smaller
// at least linkMinRatio of the larger: their logarithms at most
// log(1/linkMinRatio) apart) in buckets two apart.
var bucketWidth = math.Log(1/linkMinRatio) * (1 + 1e-9)

// Buckets of measures that link to no positive measure (ratio): zero,
// and a negative or infinite measure (not in the incidents table, whose
// checks refuse them). Zero links to zero, and to a negative measure (the
// larger is 0); a record's negative or infinite measure leaves its
// dimension out of candidates.
const (
	zeroBucket = math.MinInt32 + 1
	oddBucket  = math.MinInt32
)

// measureBucket is the bucket of v, false when v is missing (NaN). A
// positive measure links (ratio at least linkMinRatio) only to one of its
// own bucket or the two beside it.
func measureBucket(v float64) (int32, bool) {
	switch {
	case math.IsNaN(v):
		return 0, false
	case v == 0:
		return zeroBucket, true
	case v < 0 || math.IsInf(v, 0):
		return oddBucket, true
	}
	return int32(math.Floor(math.Log(v) / bucketWidth)), true
}

// keyIn is the key of m's value in dimension d, 0 when it has none. The
// keys are worked out once.
func (m *sweepRec) keyIn(d int) dimKey {
	if !m.keyed {
		m.keyed = true
		if !math.IsNaN(m.lat) {
			m.keys[dimPoint] = cellKey(cellOfPoint(m.lat, m.lon))
		}
		if b, ok := measureBucket(m.qty); ok {
			m.keys[dimQty] = bucketKey(dimQty, b)
		}
		if b, ok := measureBucket(m.amt); ok {
			m.keys[dimAmt] = bucketKey(dimAmt, b)
		}
	}
	return m.keys[d]
}

// bandDeg is the height of a latitude band: points in bands two or more
// apart are more than linkMaxKm apart (a degree of latitude is at least
// 111.19 km on the sphere haversineKm uses).
const bandDeg = linkMaxKm / 111.0

// lonCellDeg is the width of a cell of the grid, in the bands that lie
// between 60 degrees south and north (gridLat): there a degree of longitude
// is at least half of one of latitude, so points in cells two or more apart
// east-west are more than 2.1 / 2 * 111 / 111.19 linkMaxKm apart (at least
// 1.05 linkMaxKm). The cells go round the globe (lonCells of them, the
// width rounded up to divide 360 degrees), so that cells either side of
// the 180th meridian are neighbours. Nearer the poles a band is one cell.
var (
	lonCells   = int32(math.Floor(360 / (2.1 * bandDeg)))
	lonCellDeg = 360 / float64(lonCells)
)

const gridLat = 60.0

func bandOf(lat float64) int32 { return int32(math.Floor(lat / bandDeg)) }

// gridCell is a cell of the sweep's grid: a latitude band, and in it a
// longitude band (wholeBand where the band is one cell).
type gridCell struct{ lat, lon int32 }

const wholeBand = math.MinInt32

// gridded says whether band b is cut into cells: all of it lies within
// gridLat of the equator.
func gridded(b int32) bool {
	return float64(b)*bandDeg >= -gridLat && float64(b+1)*bandDeg <= gridLat
}

// lonCell is the longitude cell of lon in band b, moved by step cells east
// (with the cells round the globe).
func lonCell(b int32, lon float64, step int32) int32 {
	if !gridded(b) {
		return wholeBand
	}
	c := int32(math.Floor((lon + 180) / lonCellDeg))
	return ((c+step)%lonCells + lonCells) % lonCells
}

func cellOfPoint(lat, lon float64) gridCell {
	b := bandOf(lat)
	return gridCell{b, lonCell(b, lon, 0)}
}

// index puts c in the lists its members put it in now: those of their
// cells, keyNone when no member has a point, keyOne; when crowded, those
// of every dimension and pair of dimensions, and multi or single. A
// cluster already in a list today is not put there again. Members of a
// cluster link to each other, so their points lie in at most four cells
// and their measures in two buckets each: a cluster is in few lists.
func (s *sweeper) index(c *sweepCluster) {
	if s.all {
		return
	}
	s.makeLists()      // sweepSpan opens old clusters before it adds a record
	nd := dimPoint + 1 // the dimensions listed
	if s.crowded {
		nd = dims
	}
	if c.gen != s.gen {
		c.gen, c.listed = s.gen, c.listed[:0]
	}
	var only [dims]*sweepRec // the member with a value, when it is the only one
	var n [dims]int
	for d := range s.keys {
		s.keys[d] = s.keys[d][:0]
	}
	for _, m := range c.members {
		for d := range nd {
			if k := m.keyIn(d); k != 0 {
				if !slices.Contains(s.keys[d], k) {
					s.keys[d] = append(s.keys[d], k)
				}
				only[d] = m
				n[d]++
			}
		}
	}
	for d := range nd {
		switch {
		case n[d] == 0:
			s.keys[d] = append(s.keys[d], dimOf(d)|keyNone)
		case n[d] == 1 && len(c.members) > 1:
			src, ok := s.sources[only[d].skey]
			if !ok {
				src = uint32(len(s.sources))
				s.sources[only[d].skey] = src
			}
			s.keys[d] = append(s.keys[d], dimOf(d)|keyOne|dimKey(src))
		}
		for _, k := range s.keys[d] {
			if !slices.Contains(c.listed, listKey{k}) {
				c.listed = append(c.listed, listKey{k})
				l := s.lists[k]
				if len(l) == 0 {
					s.used = append(s.used, k)
				}
				s.lists[k] = append(l, c)
			}
		}
	}
	if !s.crowded {
		return
	}
	for d := range dims {
		for e := d + 1; e < dims; e++ {
			for _, x := range s.keys[d] {
				for _, y := range s.keys[e] {
					if k := (listKey{x, y}); !slices.Contains(c.listed, k) {
						c.listed = append(c.listed, k)
						l := s.pairs[k]
						if len(l) == 0 {
							s.usedPairs = append(s.usedPairs, k)
						}
						s.pairs[k] = append(l, c)
					}
				}
			}
		}
	}
	// A cluster of one of rec's source fits no record of it: rec could
	// only take its only member's place.
	switch {
	case len(c.members) > 1 && !slices.Contains(c.listed, listedMulti):
		c.listed = append(c.listed, listedMulti)
		s.multi = append(s.multi, c)
	case len(c.members) == 1 && !slices.Contains(c.listed, listedSingle):
		c.listed = append(c.listed, listedSingle)
		s.single[c.members[0].skey] = append(s.single[c.members[0].skey], c)
		s.singles++
	}
}

// listedMulti and listedSingle say in a cluster's listed that it is in
// multi, or single: no list's key has no dimension.
var listedMulti, listedSingle = listKey{keyNone}, listKey{keyOne}

// makeLists makes the sweeper's maps, once.
func (s *sweeper) makeLists() {
	if s.lists == nil {
		s.lists = map[dimKey][]*sweepCluster{}
		s.pairs = map[listKey][]*sweepCluster{}
		s.single = map[string][]*sweepCluster{}
		s.sources = map[string]uint32{}
	}
}

// reindex makes the lists again from the open clusters, along every
// dimension when crowdOpen or more are open.
func (s *sweeper) reindex() {
	s.makeLists()
	// The lists keep their memory: a district's cells and buckets recur.
	// Only those filled since the last reindex are emptied: going through
	// every list a district ever had, each day, was a fifth of the sweep.
	for _, k := range s.used {
		s.lists[k] = s.lists[k][:0]
	}
	for _, k := range s.usedPairs {
		s.pairs[k] = s.pairs[k][:0]
	}
	s.used, s.usedPairs = s.used[:0], s.usedPairs[:0]
	for k, l := range s.single {
		s.single[k] = l[:0]
	}
	s.multi = s.multi[:0]
	s.singles = 0
	s.crowded = len(s.open) >= crowdOpen || len(s.open) >= busyOpen && s.busy
	s.gen++
	for _, c := range s.open {
		s.index(c)
	}
}

// nearKeys sets s.near[d] to the keys of dimension d's lists that hold
// the clusters rec may fit, false when rec has no value there (or one
// that links to nothing). src is the number of rec's source key, when
// hasSrc.
func (s *sweeper) nearKeys(rec *sweepRec, d int, src dimKey, hasSrc bool) bool {
	keys := s.near[d][:0]
	if d == dimPoint {
		if math.IsNaN(rec.lat) {
			return false
		}
		b := bandOf(rec.lat)
		for i := int32(-1); i <= 1; i++ {
			if !gridded(b + i) {
				keys = append(keys, cellKey(gridCell{b + i, wholeBand}))
				continue
			}
			for e := int32(-1); e <= 1; e++ {
				keys = append(keys, cellKey(gridCell{b + i, lonCell(b+i, rec.lon, e)}))
			}
		}
	} else {
		v := rec.qty
		if d == dimAmt {
			v = rec.amt
		}
		switch b, ok := measureBucket(v); {
		case !ok || b == oddBucket:
			return false
		case b == zeroBucket:
			keys = append(keys, bucketKey(d, zeroBucket), bucketKey(d, oddBucket))
		default:
			keys = append(keys, bucketKey(d, b-1), bucketKey(d, b), bucketKey(d, b+1))
		}
	}
	keys = append(keys, dimOf(d)|keyNone)
	if hasSrc {
		keys = append(keys, dimOf(d)|keyOne|src)
	}
	s.near[d] = keys
	return true
}

// candidates calls fn with each open cluster rec may fit, once: those of
// the shortest of its lists.
func (s *sweeper) candidates(rec *sweepRec, fn func(c *sweepCluster)) {
	src, hasSrc := s.sources[rec.skey]
	if s.all || !s.crowded && !s.nearKeys(rec, dimPoint, dimKey(src), hasSrc) {
		s.fits += int64(len(s.open))
		for _, c := range s.open {
			fn(c)
		}
		return
	}
	s.stamp++
	visit := func(list []*sweepCluster) {
		for _, c := range list {
			if c.seen != s.stamp {
				c.seen = s.stamp
				s.fits++
				fn(c)
			}
		}
	}
	if !s.crowded {
		for _, k := range s.near[dimPoint] {
			visit(s.lists[k])
		}
		return
	}
	// How many clusters (some twice) each dimension's lists hold; the
	// lists of other sources' clusters of one, and of two or more, hold
	// every cluster rec may fit.
	best, bestDim := len(s.multi)+s.singles-len(s.single[rec.skey]), dims
	var n [dims]int
	var has [dims]bool
	for d := range dims {
		if best <= shortFits {
			break
		}
		if has[d] = s.nearKeys(rec, d, dimKey(src), hasSrc); !has[d] {
			continue
		}
		for _, k := range s.near[d] {
			n[d] += len(s.lists[k])
		}
		if n[d] < best || n[d] == best && bestDim == dims {
			best, bestDim = n[d], d
		}
	}
	if best >= pairFits {
		// The pair of rec's two shortest dimensions.
		x, y := -1, -1
		for d := range dims {
			switch {
			case !has[d]:
			case x < 0 || n[d] < n[x]:
				x, y = d, x
			case y < 0 || n[d] < n[y]:
				y = d
			}
		}
		if y >= 0 {
			x, y = min(x, y), max(x, y)
			s.found = s.found[:0]
			pairN := 0
			for _, kx := range s.near[x] {
				for _, ky := range s.near[y] {
					if l := s.pairs[listKey{kx, ky}]; len(l) > 0 {
						s.found = append(s.found, l)
						pairN += len(l)
					}
				}
			}
			if pairN < best {
				for _, l := range s.found {
					visit(l)
				}
				return
			}
		}
	}
	if bestDim < dims {
		for _, k := range s.near[bestDim] {
			visit(s.lists[k])
		}
		return
	}
	visit(s.multi)
	for skey, l := range s.single {
		if skey != rec.skey {
			visit(l)
		}
	}
}

// join adds rec to c, and c to the lists rec puts it in.
func (s *sweeper) join(c *sweepCluster, rec *sweepRec) {
	c.join(rec)
	s.index(c)
}

// add puts rec, the next record in sweep order, in a cluster: the one it
// fits best, the older on a tie. It may take the place of a member of its
// own source that fits the cluster less well and lies within the window
// of it: that member then goes to the cluster it fits best, without
// taking another's place, or alone. So a chance neighbour that came first
// gives way to the record that repeats the incident.
//
// Records come in sweep order, so the clusters close once a day: a
// cluster whose first record is older than the window cannot fit a record
// (fit compares it with every member) until then.
func (s *sweeper) add(rec *sweepRec) {
	if !s.indexed || rec.day != s.day {
		s.busy = s.indexed && s.fits-s.dayFits >= busyFits*s.dayRecs
		s.dayFits, s.dayRecs = s.fits, 0
		s.closeBefore(rec.day - s.window)
		s.reindex()
		s.day, s.indexed = rec.day, true
	}
	s.dayRecs++
	var best *sweepCluster
	var evict *sweepRec
	bestFit := -1.0
	s.candidates(rec, func(c *sweepCluster) {
		fit, out, ok := c.fit(rec, s.window)
		if ok {
			s.fitted++
		}
		if ok && (fit > bestFit || fit == bestFit && sweepBefore(c.first, best.first)) {
			best, bestFit, evict = c, fit, out
		}
	})
	if best == nil {
		s.start(rec)
		return
	}
	if evict != nil {
		best.leave(evict)
		s.index(best) // it may have lost its only point
		step := int16(1)
		if n := len(evict.moves); n > 0 && evict.moves[n-1].day == rec.day {
			step = evict.moves[n-1].step + 1
		}
		evict.moves = append(evict.moves, sweepMoveEvent{day: rec.day, step: step, from: best.id})
	}
	s.join(best, rec)
	if evict != nil {
		s.place(evict, best)
	}
}

// place puts m, taken out of a cluster for another record, in the other
// cluster it fits best (but that one), else alone.
func (s *sweeper) place(m *sweepRec, not *sweepCluster) {
	var best *sweepCluster
	bestFit := -1.0
	s.candidates(m, func(c *sweepCluster) {
		if c == not {
			return
		}
		fit, out, ok := c.fit(m, s.window)
		if ok {
			s.fitted++
		}
		if ok && out == nil && (fit > bestFit || fit == bestFit && sweepBefore(c.first, best.first)) {
			best, bestFit = c, fit
		}
	})
	if best == nil {
		s.start(m)
		return
	}
	s.join(best, m)
}

// restore opens the cluster id of members, in sweep order, as an older
// sweep had it.
func (s *sweeper) restore(id int64, members []*sweepRec) {
	c := &sweepCluster{id: id}
	for _, m := range members {
		c.join(m)
	}
	s.open = append(s.open, c)
	if !s.crowded && len(s.open) >= crowdOpen {
		s.reindex()
		return
	}
	s.index(c)
}

// start opens a cluster of rec alone.
func (s *sweeper) start(rec *sweepRec) {
	c := &sweepCluster{}
	c.join(rec)
	s.open = append(s.open, c)
	if !s.crowded && len(s.open) >= crowdOpen {
		s.reindex() // along every dimension from now on
		return
	}
	s.index(c)
}

// fit is the best score of rec with a member of c, false when rec does
// not fit c: it must link (pairScore) to every member. The best score
// says which incident rec repeats; a member reported by a third source
// far from it should not make rec choose another. When c holds a record m
// of rec's source, rec fits only in m's place (out): with m within the
// window of it, at least one other member, and a best score with the
// others above m's.
func (c *sweepCluster) fit(rec *sweepRec, window int32) (fit float64, out *sweepRec, ok bool) {
	for _, m := range c.members {
		if m.skey == rec.skey {
			out = m
			break
		}
	}
	if out != nil && (len(c.members) < 2 || abs32(out.day-rec.day) > window) {
		return 0, nil, false
	}
	outFit := 0.0
	for _, m := range c.members {
		if m == out {
			continue
		}
		score, ok := pairScore(m, rec, window)
		if !ok {
			return 0, nil, false
		}
		fit = max(fit, score)
		if out != nil {
			score, _ := pairScore(m, out, window)
			outFit = max(outFit, score)
		}
	}
	if out != nil && fit <= outFit {
		return 0, nil, false
	}
	return fit, out, true
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// closeBefore closes the clusters whose first record is older than day:
// no record may join them any more. Each member gets its score.
func (s *sweeper) closeBefore(day int32) {
	s.open = slices.DeleteFunc(s.open, func(c *sweepCluster) bool {
		if c.first.day < day {
			s.finish(c)
			return true
		}
		return false
	})
}

// flush closes every cluster, at the end of a partition.
func (s *sweeper) flush() {
	for _, c := range s.open {
		s.finish(c)
	}
	s.open = s.open[:0]
	s.indexed = false
	clear(s.lists)
	clear(s.pairs)
	clear(s.single)
	s.used, s.usedPairs = s.used[:0], s.usedPairs[:0]
}

func (s *sweeper) finish(c *sweepCluster) {
	for _, a := range c.members {
		a.score = 0
		for _, b := range c.members {
			if a != b {
				if score, ok := pairScore(a, b, s.window); ok {
					a.score = max(a.score, score)
				}
			}
		}
	}
	if s.closed != nil {
		s.closed(c)
	}
}

// sweepColumns are the columns of a sweepRec that the sweep queries give,
// after a partition number: %[1]s is the incidents table's alias.
const sweepColumns = `%[1]s.run_id, %[1]s.source_file, %[1]s.source_line, CAST(%[1]s.location_precision AS SMALLINT),
	coalesce(%[1]s.source, %[1]s.layout, ''), %[1]s.category, %[1]s.district_code,
	CAST(%[1]s.occurred_on - DATE '1970-01-01' AS INTEGER), %[1]s.lat, %[1]s.lon,
	CAST(%[1]s.quantity AS DOUBLE), CAST(%[1]s.amount_pkr AS DOUBLE)`

// sweepOrder is the order of the sweep within a partition, sweepCompare's:
// %[1]s has the position of the row's file as file_seq (fileSeqOf).
const sweepOrder = `CAST(%[1]s.occurred_on - DATE '1970-01-01' AS INTEGER), coalesce(%[1]s.source, %[1]s.layout, ''),
	%[1]s.run_id, %[1]s.file_seq, %[1]s.source_file, %[1]s.source_line`

// readSweep runs q with args, whose columns are a partition number,
// sweepColumns, the old cluster and its score, and maybe the old group,
// and calls fn with each row
// in order, with the position of its file from r.order. It reads through
// DuckDB's Arrow interface, a batch at a time; DuckDB holds the whole
// result (the driver does not stream it).
func (r *Run) readSweep(ctx context.Context, q string, fn func(part int64, rec *sweepRec) error, args ...any) error {
	rdr, err := r.ar.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rdr.Release()
	// Categories, districts, source keys and files repeat; an Arrow string
	// lives in the batch's memory, which the next batch reuses.
	strs := map[string]string{}
	intern := func(col arrow.Array, i int) string {
		s := stringAt(col, i)
		if v, ok := strs[s]; ok {
			return v
		}
		s = strings.Clone(s)
		strs[s] = s
		return s
	}
	// A file's name and positions, looked up with one hash of the name
	// as interning did.
	type runSeq struct {
		run int64
		seq int32
	}
	type fileSeqs struct {
		name string
		runs []runSeq
	}
	files := map[string]*fileSeqs{}
	fileAt := func(col arrow.Array, i int, run int64) (string, int32) {
		s := stringAt(col, i)
		f, ok := files[s]
		if !ok {
			f = &fileSeqs{name: strings.Clone(s)}
			files[f.name] = f
		}
		for _, x := range f.runs {
			if x.run == run {
				return f.name, x.seq
			}
		}
		seq := r.order.seq(run, f.name)
		f.runs = append(f.runs, runSeq{run, seq})
		return f.name, seq
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		cols := rec.Columns()
		if len(cols) != 15 && len(cols) != 16 {
			return fmt.Errorf("sweep query gives %d columns, want 15 or 16", len(cols))
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			run := int64At(cols[1], i)
			file, seq := fileAt(cols[2], i, run)
			s := &sweepRec{
				key:      rowKey{run: run, file: file, line: int64At(cols[3], i)},
				seq:      seq,
				skey:     intern(cols[5], i),
				category: intern(cols[6], i),
				district: intern(cols[7], i),
				day:      int32(int64At(cols[8], i)),
				lat:      floatAt(cols[9], i),
				lon:      floatAt(cols[10], i),
				qty:      floatAt(cols[11], i),
				amt:      floatAt(cols[12], i),
				oldScore: floatAt(cols[14], i),
			}
			if cols[4].IsValid(i) {
				s.prec = sql.NullInt16{Int16: int16(int64At(cols[4], i)), Valid: true}
			}
			if math.IsNaN(s.lat) || math.IsNaN(s.lon) {
				s.lat, s.lon = math.NaN(), math.NaN()
			}
			if math.IsNaN(s.oldScore) {
				s.oldScore = 0
			}
			// Without a stored cluster, sweepSpans works out the old one
			// from the moves (sweepAll has none).
			if cols[13].IsValid(i) {
				s.oldCluster, s.oldStored = int64At(cols[13], i), true
			}
			if len(cols) == 16 && cols[15].IsValid(i) {
				s.oldGroup = int64At(cols[15], i)
			}
			s.isNew = s.key.run == r.ID || len(r.promoted) > 0 && r.promoted[s.key]
			if err := fn(int64At(cols[0], i), s); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return rdr.Err()
}

// stringAt, int64At and floatAt read row i of an Arrow column of the
// types DuckDB gives; a null float is NaN.
func stringAt(col arrow.Array, i int) string {
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.StringView:
		return c.Value(i)
	}
	panic(fmt.Sprintf("store: a sweep column of type %s, want a string", col.DataType()))
}

func int64At(col arrow.Array, i int) int64 {
	switch c := col.(type) {
	case *array.Int64:
		return c.Value(i)
	case *array.Int32:
		return int64(c.Value(i))
	case *array.Int16:
		return int64(c.Value(i))
	case *array.Int8:
		return int64(c.Value(i))
	}
	panic(fmt.Sprintf("store: a sweep column of type %s, want an integer", col.DataType()))
}

func floatAt(col arrow.Array, i int) float64 {
	if col.IsNull(i) {
		return math.NaN()
	}
	switch c := col.(type) {
	case *array.Float64:
		return c.Value(i)
	case *array.Float32:
		return float64(c.Value(i))
	case *array.Null:
		return math.NaN()
	}
	panic(fmt.Sprintf("store: a sweep column of type %s, want a float", col.DataType()))
}

// sweepAll clusters every record with a district and a date but twins. A
// cluster of two or more is a group, which it writes to spill, unless one
// of its records is a node of l (it has a same-id link): then it links the
// members in l.
func (r *Run) sweepAll(ctx context.Context, l *linker, spill *groupSpill, twins map[rowKey]bool, window int32) error {
	// The partitions (category and district) are swept apart, by
	// sweepWorkers sweepers at once; they hand their closed clusters to
	// closed, one at a time. The linker joins and the spill writes groups
	// in any order to the same tables (the spill's rows only come in
	// another order).
	var mu sync.Mutex
	var spillErr error
	var moves []sweepMove
	closed := func(c *sweepCluster) {
		mu.Lock()
		defer mu.Unlock()
		// A member of a closed cluster moves no more.
		for _, m := range c.members {
			moves = appendMoves(moves, m)
		}
		if len(c.members) < 2 || spillErr != nil {
			return
		}
		for _, m := range c.members {
			if _, ok := l.index[m.key]; ok {
				linkCluster(l, c)
				return
			}
		}
		spillErr = spill.cluster(c)
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return spillErr != nil
	}
	chunks, err := r.sweepChunks(ctx, sweepChunkRows)
	if err != nil {
		return err
	}
	// DuckDB orders the records by district and day, and Go each day's by
	// the rest of the sweep order: DuckDB's sort on the source key, run,
	// file and line cost about twice its sort on district and day, as every
	// record of a file shares its long name.
	q := `SELECT 0, ` + fmt.Sprintf(sweepColumns, "i") + `, NULL::BIGINT, NULL::DOUBLE
		FROM incidents i WHERE i.category = $1 AND i.district_code BETWEEN $2 AND $3 AND i.occurred_on IS NOT NULL
		ORDER BY i.district_code, i.occurred_on`
	// DuckDB reads and sorts the next chunks while Go sweeps this one: a
	// goroutine, the only user of the connection until it returns, reads
	// the records into batches, up to a chunk ahead.
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*sweepRec, sweepChunkRows/sweepBatch+1)
	var readErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(batches)
		batch := make([]*sweepRec, 0, sweepBatch)
		send := func() error {
			select {
			case batches <- batch:
				batch = make([]*sweepRec, 0, sweepBatch)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, c := range chunks {
			err := r.readSweep(ctx, q, func(_ int64, rec *sweepRec) error {
				if len(twins) > 0 && twins[rec.key] {
					return nil
				}
				batch = append(batch, rec)
				if len(batch) == sweepBatch {
					return send()
				}
				return nil
			}, c.category, c.lo, c.hi)
			if err != nil {
				readErr = err
				return
			}
		}
		if len(batch) > 0 {
			readErr = send()
		}
	}()

	// Each partition's records go, in runs of a batch, down a channel of
	// their own to the first sweeper free.
	parts := make(chan chan []*sweepRec)
	sweepers := make([]*sweeper, sweepWorkers)
	var wg sync.WaitGroup
	for w := range sweepers {
		s := &sweeper{window: window, closed: closed}
		sweepers[w] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range parts {
				sweepPart(outer, s, part)
			}
		}()
	}
	var recs int64
	var part chan []*sweepRec
	var cat, dist string
dispatch:
	for batch := range batches {
		recs += int64(len(batch))
		from := 0
		for i, rec := range batch {
			if part != nil && rec.district == dist && rec.category == cat {
				continue
			}
			if part != nil {
				if i > from {
					part <- batch[from:i]
				}
				close(part)
				part = nil
			}
			if outer.Err() != nil || failed() {
				break dispatch
			}
			part = make(chan []*sweepRec, sweepPartBatches)
			parts <- part
			cat, dist, from = rec.category, rec.district, i
		}
		if from < len(batch) {
			part <- batch[from:]
		}
		if failed() {
			break
		}
	}
	if part != nil {
		close(part)
	}
	close(parts)
	cancel()
	for range batches {
	}
	<-done
	wg.Wait()
	if err := outer.Err(); err != nil {
		return err
	}
	if spillErr != nil {
		return spillErr
	}
	if readErr != nil {
		return readErr
	}
	counts := sweepCounts{recs: recs}
	for _, s := range sweepers {
		counts.add(s)
	}
	steptrace.Mark(fmt.Sprintf("sweep: all records (%s, %d moved)", counts, len(moves)))
	return r.insertMoves(outer, moves)
}

// sweepWorkers is how many partitions sweepAll sweeps at once, and
// sweepPartBatches how many runs of records of a partition wait for its
// sweeper.
const (
	sweepWorkers     = 2
	sweepPartBatches = 16
)

// sweepPartHook, when not nil, is called as a sweeper takes a partition
// (tests).
var sweepPartHook func()

// sweepPart sweeps the records of one partition that come down part, in
// sweep order once each day's are sorted, and closes its clusters. Once
// ctx is done it only drains part.
func sweepPart(ctx context.Context, s *sweeper, part chan []*sweepRec) {
	if sweepPartHook != nil {
		sweepPartHook()
	}
	var day []*sweepRec // the records of one day
	sweepDay := func() {
		slices.SortFunc(day, sweepCompare)
		for _, rec := range day {
			s.add(rec)
		}
		clear(day)
		day = day[:0]
	}
	for recs := range part {
		if ctx.Err() != nil {
			continue
		}
		for _, rec := range recs {
			if len(day) > 0 && rec.day != day[0].day {
				sweepDay()
			}
			day = append(day, rec)
		}
	}
	if ctx.Err() == nil {
		sweepDay()
	}
	s.flush()
}

// sweepMove is a row of sweep_moves: a record and one time the sweep took
// it out of a cluster.
type sweepMove struct {
	key                rowKey
	category, district string
	day                int32
	sweepMoveEvent
}

// appendMoves appends the moves of this sweep of m.
func appendMoves(moves []sweepMove, m *sweepRec) []sweepMove {
	for _, e := range m.moves {
		moves = append(moves, sweepMove{key: m.key, category: m.category, district: m.district, day: m.day, sweepMoveEvent: e})
	}
	return moves
}

// insertMoves appends moves to sweep_moves.
func (r *Run) insertMoves(ctx context.Context, moves []sweepMove) error {
	rows := make([][]driver.Value, 0, min(len(moves), 1<<14))
	for i, m := range moves {
		rows = append(rows, []driver.Value{m.key.run, m.key.file, m.key.line, m.category, m.district,
			epochDay(m.day), epochDay(m.sweepMoveEvent.day), m.step, m.from})
		if len(rows) == cap(rows) || i == len(moves)-1 {
			if err := r.appendRows("sweep_moves", rows); err != nil {
				return fmt.Errorf("sweep_moves: %w", err)
			}
			rows = rows[:0]
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// writeMoves puts in sweep_moves the moves of the spans' sweeps: those of
// the old sweep from each span's first day to where it stopped go, and
// the new sweep's come.
func (r *Run) writeMoves(ctx context.Context, spans []*span) error {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpRanges+
		` (category VARCHAR, district_code VARCHAR, lo DATE, hi DATE)`); err != nil {
		return err
	}
	var ranges [][]driver.Value
	var moves []sweepMove
	for _, sp := range spans {
		hi := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		if sp.end < unbounded {
			hi = epochDay(sp.end)
		}
		ranges = append(ranges, []driver.Value{sp.category, sp.district, epochDay(sp.lo), hi})
		moves = append(moves, sp.moves...)
	}
	if len(ranges) == 0 {
		return nil
	}
	if err := r.appendRows(tmpRanges, ranges); err != nil {
		return err
	}
	if _, err := r.conn.ExecContext(ctx, `DELETE FROM sweep_moves m USING `+tmpRanges+` s
		WHERE m.category = s.category AND m.district_code = s.district_code AND m.moved_on >= s.lo AND m.moved_on < s.hi`); err != nil {
		return err
	}
	return r.insertMoves(ctx, moves)
}

// sweepBatch is how many records sweepAll's reader hands over at a time.
const sweepBatch = 4096

// sweepChunkRows bounds the records of one query of sweepAll (tests lower
// it). DuckDB's driver holds a query's whole result: one query of every
// record took 1 GB at 3M rows.
var sweepChunkRows int64 = 1 << 19

// sweepChunk is the partitions of one category whose district codes lie
// from lo to hi.
type sweepChunk struct{ category, lo, hi string }

// sweepChunks splits the records with a district and a date into chunks of
// whole partitions (category and district) in sweep order, of at most
// limit records unless one partition has more.
func (r *Run) sweepChunks(ctx context.Context, limit int64) ([]sweepChunk, error) {
	rows, err := r.conn.QueryContext(ctx, `SELECT category, district_code, count(*) FROM incidents
		WHERE district_code IS NOT NULL AND occurred_on IS NOT NULL GROUP BY ALL ORDER BY ALL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var chunks []sweepChunk
	var size int64
	for rows.Next() {
		var cat, dist string
		var n int64
		if err := rows.Scan(&cat, &dist, &n); err != nil {
			return nil, err
		}
		if k := len(chunks) - 1; k >= 0 && chunks[k].category == cat && size+n <= limit {
			chunks[k].hi = dist
			size += n
			continue
		}
		chunks = append(chunks, sweepChunk{category: cat, lo: dist, hi: dist})
		size = n
	}
	return chunks, rows.Err()
}

// linkCluster links the members of c in l when it has two or more: each
// keeps its cluster and its best score in it.
func linkCluster(l *linker, c *sweepCluster) {
	if len(c.members) < 2 {
		return
	}
	first := -1
	for _, m := range c.members {
		i := l.node(m.key, m.prec)
		l.know(i, precOf(m.prec))
		n := &l.nodes[i]
		n.cluster, n.clusterScore = c.id, m.score
		n.best(LinkCrossSource, m.score)
		if first < 0 {
			first = i
		} else {
			l.union(first, i)
		}
	}
}

// epochDay is the date of a day number (days since 1970-01-01).
func epochDay(day int32) time.Time {
	return time.Unix(int64(day)*86400, 0).UTC()
}

// moved says whether rec's cluster or score differs from the one it had.
func (s *sweepRec) moved() bool {
	id, score := s.cluster()
	if !s.oldStored {
		return id != 0
	}
	return id != s.oldCluster || score != s.oldScore
}

// partDay is a day of a category and district whose records a run
// changed.
type partDay struct {
	category, district string
	day                int32
}

// span is a stretch of days of one category and district that
// sweepChanged sweeps again: the changed days lie from lo to hi, and it
// reads ext days past hi (unbounded: to the last record).
type span struct {
	category, district string
	lo, hi             int32
	ext                int32
	last               int32 // the last day of the category and district
	decided            []*sweepRec
	moves              []sweepMove // the new sweep's, from lo to end
	end                int32       // the day it stopped on (unbounded: it did not)
	done               bool
	inStep             bool // done before the last record
}

// Extents past the last changed day that sweepChanged reads: a sweep
// back in step within the first is read once; the last reads to the end.
var spanExts = []int32{2 * linkWindowDays, 16 * linkWindowDays, 128 * linkWindowDays, 1024 * linkWindowDays, unbounded}

const unbounded = math.MaxInt32 / 2

// sweepChanged sweeps again the days around the days whose records the
// run added or removed, in each category and district, and returns the
// records whose clusters it made again, by key, and the spans it swept
// (for writeMoves). Every sweep starts from the old clusters open on its
// first changed day, as they were that day (the records' clusters at the
// end, and their moves since: labelAt), and stops once, past its last
// changed day, every record of two windows' days is in the cluster it was
// in on that day in the old sweep: from there the two agree.
func (r *Run) sweepChanged(ctx context.Context, window int32) (map[rowKey]*sweepRec, []*span, error) {
	days := map[[2]string][]int32{}
	rows, err := r.conn.QueryContext(ctx, `SELECT DISTINCT category, district_code, CAST(occurred_on - DATE '1970-01-01' AS INTEGER)
		FROM incidents ANTI JOIN sweep_twins USING (run_id, source_file, source_line)
		WHERE run_id = $1 AND district_code IS NOT NULL AND occurred_on IS NOT NULL`, r.ID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var d partDay
		if err := rows.Scan(&d.category, &d.district, &d.day); err != nil {
			rows.Close()
			return nil, nil, err
		}
		days[[2]string{d.category, d.district}] = append(days[[2]string{d.category, d.district}], d.day)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, d := range r.goneDays {
		days[[2]string{d.category, d.district}] = append(days[[2]string{d.category, d.district}], d.day)
	}
	steptrace.Mark("sweep: changed days")
	// Changed days close enough for their reads to overlap are one span.
	var spans []*span
	for part, ds := range days {
		slices.Sort(ds)
		var sp *span
		for _, d := range ds {
			if sp != nil && d-2*window <= sp.hi+spanExts[0] {
				sp.hi = d
				continue
			}
			sp = &span{category: part[0], district: part[1], lo: d, hi: d, ext: spanExts[0]}
			spans = append(spans, sp)
		}
	}
	if err := r.lastDays(ctx, spans, days); err != nil {
		return nil, nil, err
	}
	steptrace.Mark(fmt.Sprintf("sweep: last days of %d spans", len(spans)))
	slices.SortFunc(spans, func(a, b *span) int {
		return cmp.Or(cmp.Compare(a.category, b.category), cmp.Compare(a.district, b.district), cmp.Compare(a.lo, b.lo))
	})
	var stats sweepStats
	for {
		var pending []*span
		for _, sp := range spans {
			if !sp.done {
				pending = append(pending, sp)
			}
		}
		if len(pending) == 0 {
			break
		}
		stats.rounds++
		if err := r.sweepSpans(ctx, pending, window, &stats); err != nil {
			return nil, nil, err
		}
		// A span not back in step reads further, and takes in the spans its
		// read now reaches, which must be swept again from its start.
		var next []*span
		for _, sp := range spans {
			if n := len(next); n > 0 {
				prev := next[n-1]
				if !prev.done && prev.category == sp.category && prev.district == sp.district && sp.lo-2*window <= sat(prev.hi, prev.ext) {
					prev.hi, prev.ext = max(prev.hi, sp.hi), max(prev.ext, sp.ext)
					continue
				}
			}
			if !sp.done {
				i := slices.Index(spanExts, sp.ext)
				sp.ext = spanExts[min(i+1, len(spanExts)-1)]
			}
			next = append(next, sp)
		}
		spans = next
	}
	decided := map[rowKey]*sweepRec{}
	for _, sp := range spans {
		stats.spans++
		if sp.inStep {
			stats.inStep++
		}
		for _, x := range sp.decided {
			decided[x.key] = x
		}
	}
	if sweepHook != nil {
		sweepHook(stats)
	}
	return decided, spans, nil
}

// lastDays sets, for each span, a day on or after the last day of its
// category and district: the last day of its last month in
// district_month, or the run's last day there, if later. A day past the
// last costs nothing: a sweep that reads to it without records is back in
// step. district_month is small (46,000 rows at 5M incidents); the
// incidents' own last days took a scan of their dates.
func (r *Run) lastDays(ctx context.Context, spans []*span, days map[[2]string][]int32) error {
	if len(spans) == 0 {
		return nil
	}
	last := map[[2]string]int32{}
	for part, ds := range days {
		last[part] = slices.Max(ds)
	}
	q, err := r.conn.QueryContext(ctx, `SELECT category, district_code, CAST(max(month) - DATE '1970-01-01' AS INTEGER)
		FROM district_month WHERE district_code IS NOT NULL AND month IS NOT NULL GROUP BY ALL`)
	if err != nil {
		return err
	}
	defer q.Close()
	for q.Next() {
		var k [2]string
		var d int32
		if err := q.Scan(&k[0], &k[1], &d); err != nil {
			return err
		}
		if l, ok := last[k]; ok {
			end := epochDay(d).AddDate(0, 1, -1)
			last[k] = max(l, int32(end.Unix()/86400))
		}
	}
	if err := q.Err(); err != nil {
		return err
	}
	for _, sp := range spans {
		sp.last = last[[2]string{sp.category, sp.district}]
	}
	return nil
}

// sweepStats counts what sweepChanged did: its spans, how many came back in
// step before their last record, its rounds of reads, and the records it
// read.
type sweepStats struct{ spans, inStep, rounds, recs int }

// sweepHook, when not nil, is told the stats of each sweepChanged (tests).
var sweepHook func(sweepStats)

// sat is hi + ext, at most unbounded.
func sat(hi, ext int32) int32 {
	if ext >= unbounded {
		return unbounded
	}
	return hi + ext
}

// sweepSpans reads the records of spans, from two windows before each
// span's first changed day to its extent, with their clusters and moves,
// and sweeps each span.
func (r *Run) sweepSpans(ctx context.Context, spans []*span, window int32, stats *sweepStats) error {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpRanges+
		` (part BIGINT, category VARCHAR, district_code VARCHAR, lo DATE, hi DATE)`); err != nil {
		return err
	}
	rows := make([][]driver.Value, len(spans))
	// The first and last days of all spans bound the read by constants,
	// which DuckDB checks against each row group's zone map.
	first, last := epochDay(spans[0].lo-2*window), time.Time{}
	for i, sp := range spans {
		hi := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		if sat(sp.hi, sp.ext) < unbounded {
			hi = epochDay(sat(sp.hi, sp.ext))
		}
		lo := epochDay(sp.lo - 2*window)
		if lo.Before(first) {
			first = lo
		}
		if hi.After(last) {
			last = hi
		}
		rows[i] = []driver.Value{int64(i), sp.category, sp.district, lo, hi}
	}
	if err := r.appendRows(tmpRanges, rows); err != nil {
		return err
	}
	// The moves of the records read, in order.
	moves := map[rowKey][]sweepMoveEvent{}
	q, err := r.conn.QueryContext(ctx, `SELECT m.run_id, m.source_file, m.source_line,
			CAST(m.moved_on - DATE '1970-01-01' AS INTEGER), m.step, m.from_cluster
		FROM sweep_moves m JOIN `+tmpRanges+` s ON m.category = s.category AND m.district_code = s.district_code
			AND m.occurred_on BETWEEN s.lo AND s.hi
		ORDER BY m.run_id, m.source_file, m.source_line, m.moved_on, m.step`)
	if err != nil {
		return err
	}
	for q.Next() {
		var k rowKey
		var e sweepMoveEvent
		if err := q.Scan(&k.run, &k.file, &k.line, &e.day, &e.step, &e.from); err != nil {
			q.Close()
			return err
		}
		moves[k] = append(moves[k], e)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return err
	}
	recs := make([][]*sweepRec, len(spans))
	// The rows first, then their clusters: joined in one query, DuckDB
	// read the whole of incident_groups against the whole of incidents.
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpSpanRows+` AS
		SELECT s.part, i.run_id, i.source_file, i.source_line, i.location_precision, i.source, i.layout, i.category,
			i.district_code, i.occurred_on, i.lat, i.lon, i.quantity, i.amount_pkr, `+fileSeqOf("i")+` AS file_seq
		FROM incidents i JOIN `+tmpRanges+` s ON i.category = s.category AND i.district_code = s.district_code
			AND i.occurred_on BETWEEN s.lo AND s.hi
		ANTI JOIN sweep_twins t ON t.run_id = i.run_id AND t.source_file = i.source_file AND t.source_line = i.source_line
		WHERE i.occurred_on BETWEEN $1 AND $2`, first, last); err != nil {
		return err
	}
	steptrace.Mark(fmt.Sprintf("sweep: span rows of %d spans (%d records moved)", len(spans), len(moves)))
	sel := `SELECT i.part, ` + fmt.Sprintf(sweepColumns, "i") + `, g.cluster, g.cluster_score, g.group_id
		FROM ` + tmpSpanRows + ` i
		LEFT JOIN incident_groups g ON g.run_id = i.run_id AND g.source_file = i.source_file AND g.source_line = i.source_line
		ORDER BY i.part, ` + fmt.Sprintf(sweepOrder, "i")
	// DuckDB's join filter on the keys of incident_groups costs more than
	// it saves: the span rows' keys lie all over the table.
	err = r.withoutJoinFilterPushdown(ctx, func() error {
		return r.readSweep(ctx, sel, func(part int64, rec *sweepRec) error {
			rec.oldMoves = moves[rec.key]
			if !rec.oldStored {
				// Alone, in the cluster it started last.
				rec.oldCluster = clusterIDAfter(rec.key, len(rec.oldMoves))
			}
			recs[part] = append(recs[part], rec)
			return nil
		})
	})
	if err != nil {
		return err
	}
	steptrace.Mark("sweep: read span rows with clusters")
	var counts sweepCounts
	for i, sp := range spans {
		sweepSpan(recs[i], sp, window, &counts)
	}
	stats.recs += int(counts.recs)
	steptrace.Mark(fmt.Sprintf("sweep: sweep spans (%s)", counts))
	return nil
}

// sweepSpan sweeps recs, the records of sp in sweep order, and sets the
// records whose clusters it made (sp.decided) and its moves, whether it is
// done, and whether it came back in step with the old sweep (else it
// reached the last record). It adds what it read and compared to counts.
//
// It starts from the old sweep's clusters open on sp.lo: the records
// before it, each in the cluster it was in that day (labelAt). It stops,
// in step, on a day when every record of the two windows before it is in
// the cluster the old sweep had it in that day: the clusters that may
// still change are then the same, and so is all that follows.
func sweepSpan(recs []*sweepRec, sp *span, window int32, counts *sweepCounts) {
	sp.decided, sp.moves = nil, nil
	s := &sweeper{window: window}
	i, _ := slices.BinarySearchFunc(recs, sp.lo, func(x *sweepRec, day int32) int { return cmp.Compare(x.day, day) })
	counts.recs += int64(len(recs))
	defer counts.add(s)
	// The old clusters open on sp.lo: those whose first record then lay
	// within the window before it.
	var labels []int64
	byLabel := map[int64][]*sweepRec{}
	for _, x := range recs[:i] {
		x.movesBefore = movesBeforeDay(x.oldMoves, sp.lo)
		l := labelAt(x.oldMoves, x.oldCluster, sp.lo)
		if _, ok := byLabel[l]; !ok {
			labels = append(labels, l)
		}
		byLabel[l] = append(byLabel[l], x)
	}
	for _, l := range labels {
		if members := byLabel[l]; members[0].day >= sp.lo-window {
			s.restore(l, members)
		}
	}
	// inStepAt says whether the sweep is back in step on day next, the
	// records before recs[end] swept: past the last changed day (records
	// the run removed were in the old clusters), every record of the two
	// windows before next is in the cluster the old sweep had it in then,
	// and was taken out of clusters as many times: a record that leaves a
	// cluster later starts one whose id counts its moves (clusterID), and
	// the old sweep's ids past next are kept.
	from := i // the first record of those days
	inStepAt := func(next int32, end int) bool {
		if next <= sp.hi+2*window {
			return false
		}
		for from < end && recs[from].day < next-2*window {
			from++
		}
		for _, x := range recs[from:end] {
			if x.isNew || x.c.id != labelAt(x.oldMoves, x.oldCluster, next) ||
				x.movesBefore+len(x.moves) != movesBeforeDay(x.oldMoves, next) {
				return false
			}
		}
		return true
	}
	read := sat(sp.hi, sp.ext) // the last day read
	more := read < sp.last     // records lie past those read
	sp.end = unbounded
	stopped := false
	for ; i < len(recs); i++ {
		x := recs[i]
		if i > 0 && x.day != recs[i-1].day && inStepAt(x.day, i) {
			stopped, sp.end = true, x.day
			break
		}
		s.add(x)
	}
	if !stopped && more && inStepAt(read+1, i) {
		stopped, sp.end = true, read+1
	}
	switch {
	case stopped:
	case more:
		return
	default:
		s.flush()
	}
	for _, x := range recs[:i] {
		sp.moves = appendMoves(sp.moves, x)
	}
	if stopped {
		// The clusters still open are the old ones: they are not made again.
		s.closeBefore(sp.end - window)
		for _, c := range s.open {
			for _, m := range c.members {
				m.c = nil
			}
		}
	}
	for _, x := range recs[:i] {
		if x.c != nil {
			sp.decided = append(sp.decided, x)
		}
	}
	sp.done, sp.inStep = true, stopped
}

// sweepCounts are the records a sweep read, the clusters it compared
// them with, and those of them a record fitted, for OCMAP_TRACE.
type sweepCounts struct{ recs, fits, fitted int64 }

func (c *sweepCounts) add(s *sweeper) { c.fits += s.fits; c.fitted += s.fitted }

func (c sweepCounts) String() string {
	return fmt.Sprintf("%d records, %d clusters compared, %.1f a record; %d fitted",
		c.recs, c.fits, float64(c.fits)/float64(max(c.recs, 1)), c.fitted)
}
