// Package testmaps holds small hand-made district maps that tests across
// packages share, so that they agree on what "Alpha" and "Beta" are.
package testmaps

// TwoSquares is two 1x1 degree districts side by side in COD-AB style:
// Alpha (PK001, province North) west of lon 71 and Beta (PK002, province
// South) east of it, between lat 30 and 31.
const TwoSquares = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"ADM2_PCODE":"PK001","ADM2_EN":"Alpha","ADM1_EN":"North"},
 "geometry":{"type":"Polygon","coordinates":[[[70,30],[71,30],[71,31],[70,31],[70,30]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK002","ADM2_EN":"Beta","ADM1_EN":"South"},
 "geometry":{"type":"Polygon","coordinates":[[[71,30],[72,30],[72,31],[71,31],[71,30]]]}}]}`
