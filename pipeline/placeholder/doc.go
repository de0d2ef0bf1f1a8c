// Package placeholder re-places, after a run has stored its rows, the rows
// that sit at a placeholder point: one pair of coordinates that a file gives
// for events that were not there (see Replace). It reads the points from
// the store and places the rows by their names with the locator, so it sits
// after both stages in the ingest's chain.
package placeholder
