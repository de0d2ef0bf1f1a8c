// Package measures holds the statistics behind ocmap's district heatmaps:
// smoothed rates, hot spots, local clusters, trends and co-location.
//
// Every function takes plain slices indexed by district (0..n-1) and knows
// nothing of Arrow, DuckDB or geography, so the formulas can be checked in
// isolation against published references (testdata/reference.py).
//
// # Spatial weights
//
// Weights arrive as binary contiguity lists: nbrs[i] holds the districts that
// share a border with i, sorted, without i itself, and symmetric (j in
// nbrs[i] iff i in nbrs[j]). Each function states how it transforms them
// (row-standardised for LocalMoran and GiStar, binary for GiStarBinary and
// ColocationQuotient). A district with no neighbours (an isolate) is handled
// as documented per function; callers should report isolates to readers.
//
// # Which tool each result matches
//
//   - EBRates: GeoDa's global Empirical Bayes rate (Marshall 1991).
//   - GiStar: PySAL esda.G_Local(y, w, transform="R", star=True), z and p_norm.
//   - GiStarBinary: ArcGIS Pro Hot Spot Analysis (Gi*) with contiguity
//     weights, identical to esda.G_Local(transform="B", star=True).
//   - GiBins: ArcGIS Gi_Bin (±3/±2/±1), optionally with its FDR correction.
//   - LocalMoran, Cluster: esda.Moran_Local(y, w, transformation="r") for
//     I and quadrants; the pseudo p counts ties on both sides (see
//     LocalMoran), where esda counts them in the upper tail only.
//   - GiStarPerm: GiStarBinary's z with conditional-permutation p (esda
//     G_Local p_sim, spdep localG_perm), ties on both sides.
//   - ColocationQuotient: Leslie & Kronenfeld's (2011) CLQ, districts
//     standing in for nearest neighbours.
//   - MannKendall: pymannkendall.original_test.
//   - EmergingClass: ArcGIS Emerging Hot Spot Analysis pattern names.
//
// # Missing values
//
// NaN marks "no value" in both directions: a NaN input is excluded where a
// function says so, and a result that cannot be computed (zero population,
// zero variance, zero baseline) is NaN rather than 0, so a map shows "no
// data" instead of a misleading colour.
//
// Functions other than EBRates panic when slice lengths disagree, as gonum
// does: that is a programming error, not a data error.
package measures
