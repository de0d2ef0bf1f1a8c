package geoparquet

import (
	"encoding/json"
	"math"
)

// Version is the GeoParquet version the files follow.
const Version = "1.1.0"

// MetadataKey is the Parquet key-value metadata key of GeoParquet.
const MetadataKey = "geo"

// GeometryColumn and BBoxColumn are the names of the columns written.
const (
	GeometryColumn = "geometry"
	BBoxColumn     = "bbox"
)

// crs84 is OGC:CRS84 (WGS 84, longitude then latitude) in PROJJSON, as the
// GeoParquet specification gives it.
var crs84 = json.RawMessage(`{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"GeographicCRS","name":"WGS 84 (CRS84)","datum_ensemble":{"name":"World Geodetic System 1984 ensemble","members":[{"name":"World Geodetic System 1984 (Transit)","id":{"authority":"EPSG","code":1166}},{"name":"World Geodetic System 1984 (G730)","id":{"authority":"EPSG","code":1152}},{"name":"World Geodetic System 1984 (G873)","id":{"authority":"EPSG","code":1153}},{"name":"World Geodetic System 1984 (G1150)","id":{"authority":"EPSG","code":1154}},{"name":"World Geodetic System 1984 (G1674)","id":{"authority":"EPSG","code":1155}},{"name":"World Geodetic System 1984 (G1762)","id":{"authority":"EPSG","code":1156}},{"name":"World Geodetic System 1984 (G2139)","id":{"authority":"EPSG","code":1309}}],"ellipsoid":{"name":"WGS 84","semi_major_axis":6378137,"inverse_flattening":298.257223563},"accuracy":"2.0","id":{"authority":"EPSG","code":6326}},"coordinate_system":{"subtype":"ellipsoidal","axis":[{"name":"Geodetic longitude","abbreviation":"Lon","direction":"east","unit":"degree"},{"name":"Geodetic latitude","abbreviation":"Lat","direction":"north","unit":"degree"}]},"scope":"Not known.","area":"World.","bbox":{"south_latitude":-90,"west_longitude":-180,"north_latitude":90,"east_longitude":180},"id":{"authority":"OGC","code":"CRS84"}}`)

// Metadata is the "geo" value of a file.
type Metadata struct {
	Version       string            `json:"version"`
	PrimaryColumn string            `json:"primary_column"`
	Columns       map[string]Column `json:"columns"`
}

// Column describes one geometry column.
type Column struct {
	Encoding      string          `json:"encoding"`
	GeometryTypes []string        `json:"geometry_types"`
	CRS           json.RawMessage `json:"crs,omitempty"`
	BBox          []float64       `json:"bbox,omitempty"` // xmin, ymin, xmax, ymax; absent when no geometry
	Covering      *Covering       `json:"covering,omitempty"`
}

// Covering names the columns that bound each row's geometry.
type Covering struct {
	BBox struct {
		XMin []string `json:"xmin"`
		YMin []string `json:"ymin"`
		XMax []string `json:"xmax"`
		YMax []string `json:"ymax"`
	} `json:"bbox"`
}

// extent is a running bounding box.
type extent struct{ xmin, ymin, xmax, ymax float64 }

func newExtent() extent { return extent{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (e *extent) add(xmin, ymin, xmax, ymax float64) {
	e.xmin, e.ymin = math.Min(e.xmin, xmin), math.Min(e.ymin, ymin)
	e.xmax, e.ymax = math.Max(e.xmax, xmax), math.Max(e.ymax, ymax)
}

func (e extent) empty() bool { return e.xmin > e.xmax }

// metadata returns the "geo" JSON of a file whose geometries have extent
// e, with the bbox covering column when covering is set.
func metadata(types []string, e extent, covering bool) (string, error) {
	c := Column{Encoding: "WKB", GeometryTypes: types, CRS: crs84}
	if !e.empty() {
		c.BBox = []float64{e.xmin, e.ymin, e.xmax, e.ymax}
	}
	if covering {
		c.Covering = &Covering{}
		c.Covering.BBox.XMin = []string{BBoxColumn, "xmin"}
		c.Covering.BBox.YMin = []string{BBoxColumn, "ymin"}
		c.Covering.BBox.XMax = []string{BBoxColumn, "xmax"}
		c.Covering.BBox.YMax = []string{BBoxColumn, "ymax"}
	}
	b, err := json.Marshal(Metadata{Version: Version, PrimaryColumn: GeometryColumn, Columns: map[string]Column{GeometryColumn: c}})
	return string(b), err
}
