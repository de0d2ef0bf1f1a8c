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
// Suppress adds complements until the release meets three rules:
//
//  1. A relation never holds exactly one suppressed node, so no suppressed
//     figure follows from a single relation by subtraction.
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
//  3. No suppressed figure is determined exactly by any linear combination
//     of the published relations: in the system "published total = sum of
//     its parts", with the suppressed figures as unknowns, every unknown can
//     move while the others adjust. Rules 1 and 2 alone miss this in about
//     one random table of Pakistan's shape in several hundred: in a two-way table, a suppressed
//     cell whose removal disconnects the pattern of suppressed cells is
//     determined although every row and column holds two.
//
// Complements for rules 1 and 2 are chosen by a deterministic greedy
// heuristic: in a relation that breaks a rule, suppress the unsuppressed
// non-zero part with the smallest value (so the least information is lost);
// ties go to the part whose other relations already hold a suppression
// (fewer new gaps to close), then to the lower index. A total is suppressed
// only when no part is left, so province and national totals stay published
// whenever possible. The rules are re-checked until nothing changes; each
// step suppresses one more node, and a relation that breaks a rule always has
// a non-zero unsuppressed part or an unsuppressed total.
//
// Rule 3 is then checked exactly, by Gaussian elimination over rationals
// (math/big) of the relations restricted to the unknowns: x is determined
// when its unit vector lies in their row space. While some figure is
// determined, Suppress withholds one more: preferably a figure that frees a
// determined one by itself (read off the same elimination, which also
// records which combination of relations fixes each figure), cells before
// margins, then the smallest; it then re-applies rules 1 and 2 and checks
// again. Withholding more never fixes a figure that was free, and once every
// non-zero figure is withheld none is determined (the true values solve the
// system with every unknown non-zero), so the loop ends. On random tables of
// Pakistan's shape the loop adds one or two figures to the tables that need
// it and leaves the share of suppressed cells unchanged to a tenth of a
// percent; Suppress takes a few milliseconds per table.
//
// Zeros are never complements: a zero may be known to be zero (a category
// that cannot occur somewhere), and a relation whose suppressed parts sum to
// zero gives every one of them away.
//
// # What is not guaranteed
//
// This is the "at least two suppressed cells per margin" rule statistical
// agencies use for tables with hierarchical margins, strengthened by rule 2
// and by the exact linear check of rule 3. It is not a full
// linear-programming audit: rule 2 bounds a suppressed figure per relation,
// but combining several relations, with the knowledge that counts are
// non-negative (or at least 1 when suppressed), can still narrow a figure to
// an interval tighter than [1, minCell−1], or even to a single value, that
// no single relation gives; finding those bounds needs a linear program per
// figure, which neither Suppress nor Audit solves. Tables published
// together from the same data (other periods, rates with published
// denominators, other breakdowns) are outside the model and must be
// suppressed consistently by the caller. Audit checks rules 1 and 3 with the
// attacks it names. Release does both: it audits every figure of several
// tables and releases by linear programming, and Release.Protect withholds
// more until interval protection holds.
//
// # Scopes, revisions and other figures
//
// A release that counts part of the incidents (ocmap's --max-precision)
// keys its figures in a scope (Release.SetScope), and Release.Widen and
// WidenFigure add the same figures counted over more incidents, withheld,
// with the rest between them as a small count to protect: an export of
// every incident and one of exact points of the same period cannot be
// subtracted. Release.LinkRevisions does the same for one key printed with
// two values by two releases (the database changed between them): their
// change is a count to protect. The export puts its flows (with their
// months), the report's records per source, its data-quality shares (as
// the counts they give, with their total) and manifest.json's rows per
// input file in the release too, with the relations an attacker knows
// (the records are the incidents and their repeats, say), so that Protect
// audits them with the tables. Figures printed beside the tables are
// marked aside (SetAside) and withheld before a table's cell when either
// would do.
//
// # Magnitudes
//
// The export prints each published flow's victims (trafficking) or
// kilograms seized (drugs) beside its incidents, and puts them in the
// release too, with their months (never printed), so that Protect audits
// them with everything else and the register keeps them. Victims are
// people: a count, small from 1 to minCell−1 like any other. Both are sums
// over incidents, and the p% rule of magnitude tables (tau-ARGUS, the
// statistical disclosure control handbooks; DOMAIN.md says nothing of
// magnitudes) finds a sum sensitive when its rest, less its two largest
// incidents, is under p% of the largest (Dominance, PPercent): a sum of
// one or two seizures, or one that a single seizure makes nearly all of,
// tells that seizure. A sensitive sum, of the period or of a month, is
// withheld and protected at the level the rule asks (Figure.Level:
// p% of the largest, less the rest), so that no published sum, nor the
// difference of two releases' sums, gives it within that. Kilograms go in
// as grams (AddMagnitude): a magnitude, whose revision between two
// releases is sensitive whatever its size, as it may be one seizure's. A
// flow's victims and kilograms are withheld with its incidents (Withhold),
// so every sum the attacker can form is over incidents whose count the
// audit of counts protects: no sum tells a withheld flow or count.
//
// # Where Protect's time goes
//
// Most of it is in the linear programs (GLPK's revised simplex, see
// glpk.go), two (least and greatest value) per withheld small count, on
// neighbourhoods of growing size (see localBound). Two things keep their number down: each program's
// optimal solution is a feasible table, kept as a proof point, so a count
// that some kept table puts at v+p or more (or at its least value) needs no
// program on that side; and the extremes are cached by the program's
// unknowns and relations, so that trying a complement and then choosing it
// solves nothing twice. BenchmarkAudit (160 districts, 4 categories, 12
// months) takes about 3 s on one core; BenchmarkAuditWithReleases at 160
// districts (the year audited with two earlier releases of months 1-5 and
// 1-6) about 20 s, where gonum's dense simplex took more than 400 s.
package disclosure
