package disclosure

import "math"

// PPercent is the p of the p% rule ocmap applies to magnitudes (kilograms
// seized, victims) summed over incidents: the rule of tau-ARGUS and of the
// statistical disclosure control handbooks for magnitude tables, at the
// 10% their examples and rtauargus's default protection interval use.
// DOMAIN.md gives no rule for magnitudes.
const PPercent = 10

// Dominance applies the p% rule at p percent to a magnitude total summed
// over contributions (one per incident) whose largest is first and second
// largest second, and returns the protection level it asks: 0 when the
// total is not sensitive, else by how much an attacker's range for the
// total must reach beyond it on each side, rounded up to a whole unit.
//
// The holder of the second largest contribution knows it, and from the
// total estimates the largest as total − second; the rest, total − first
// − second, is that estimate's error. The total is sensitive when the rest
// is less than p% of the largest contribution, and the range an attacker
// can prove for it must then widen that error to p% of the largest:
// p/100 · first − (total − first − second). One contribution (a single
// seizure) or two are always sensitive when not zero; so are many when one
// seizure makes nearly all of the total.
func Dominance(total, first, second, p float64) int64 {
	need := p/100*first - (total - first - second)
	// Sums of float kilograms carry noise beyond the milligram.
	if need <= 1e-9*max(total, 1) {
		return 0
	}
	return int64(math.Ceil(need - 1e-9*max(total, 1)))
}
