// Package disclosure protects the published district tables against the
// recovery of small counts (DOMAIN.md §4): primary suppression of small
// cells, complementary (secondary) suppression so that suppressed values
// cannot be recalculated from the published totals, and an audit that tries.
//
// # The published table
//
// A Table holds one count per district (row) and category (column); districts
// are grouped into provinces. Besides the cells, the release publishes every
// margin of the two hierarchies: each district's all-categories total, each
// province's total per category and over all categories, and the national
// total per category and over all categories. Each margin gives a published
// linear relation "sum of parts = total":
//
//   - district row: its category cells sum to the district total;
//   - province × category: the province's district cells sum to the province total;
//   - province: its district totals sum to the province's all-categories total,
//     and so do its per-category totals;
//   - nation × category: the province totals sum to the national total;
//   - nation: the national per-category totals, and the province
//     all-categories totals, sum to the national all-categories total.
//
// Every figure, cell or margin, is a node; a suppressed node is an unknown.
//
// # Primary suppression
//
// Following the health and official-statistics rule DOMAIN.md cites ("suppress
// all non-zero counts which are less than ten"), a figure v is sensitive when
// 0 < v < minCell. Zeros are not sensitive and are always published as 0.
// Margins are counts too: a small district, province or national total is
// suppressed like a small cell.
//
// # Complementary suppression and its guarantee
//
// Suppress then adds complements until every relation satisfies both rules:
//
//  1. A relation never holds exactly one suppressed node, so no suppressed
//     figure follows from a single relation by subtraction, and, since no
//     figure is ever recovered, none follows by chaining relations either
//     (Audit checks exactly this fixed point).
//  2. When a relation's total is published and k ≥ 1 of its parts are
//     suppressed, their sum S (anyone can compute it as the total minus the
//     published parts) satisfies S − (k−1) ≥ max(minCell − 1, 2). Every
//     suppressed figure is at least 1 (zeros are published, and zeros are
//     never used as complements), so from that relation alone a suppressed
//     part is only known to lie in [1, S−(k−1)], which contains
//     [1, minCell−1] and is never the single value 1: an attacker learns
//     nothing the threshold rule does not already say. With two small cells
//     of 1 and 2 in a row, the rule adds a third cell, as their sum of 3
//     would otherwise be a published small count.
//
// Complements are chosen by a deterministic greedy heuristic: in a relation
// that breaks a rule, suppress the unsuppressed non-zero part with the
// smallest value (so the least information is lost); ties go to the part
// whose other relations already hold a suppression (fewer new gaps to close),
// then to the lower index. A total is suppressed only when no part is left,
// so province and national totals stay published whenever possible. The
// rules are re-checked until nothing changes. The loop always ends with both
// rules met: each step suppresses one more node, and a relation that breaks a
// rule always has a non-zero unsuppressed part or an unsuppressed total.
//
// Zeros are never complements: a zero may be known to be zero (a category
// that cannot occur somewhere), and a relation whose suppressed parts sum to
// zero gives every one of them away.
//
// # What is not guaranteed
//
// This is the "at least two suppressed cells per margin" rule statistical
// agencies use for tables with hierarchical margins, strengthened by rule 2.
// It is not a full linear-programming audit: combining several relations
// can still determine a suppressed figure exactly (in a plain two-way table,
// a suppressed cell whose removal disconnects the pattern of suppressed cells
// is determined although every row and column holds two), or narrow it to an
// interval tighter than [1, minCell−1]. Tables published together from the
// same data (other periods, rates with published denominators, other
// breakdowns) are outside the model and must be suppressed consistently by
// the caller. Audit checks rule 1 with the attacks it names; it does not
// solve linear programs.
package disclosure
