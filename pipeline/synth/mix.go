package synth

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/ocmap/ocmap/schemas"
)

// subKind is one subcategory gen writes: its share of the category's rows,
// the spellings agency files use for it (the first most often), and the
// lognormal its quantity follows (median, and sigma of the log: seizures
// and amounts have a long tail of a few large ones).
type subKind struct {
	code      string
	share     float64
	spellings []string // with their shares after the code's own: charas for hashish
	spelled   float64  // share of rows that use spellings rather than code
	median    float64  // kg (drugs), PKR (terror financing, fraud) or victims (trafficking); 0: none
	sigma     float64
}

// subcategoryMix is roughly Pakistan's as ANF, FIA and FMU figures
// describe it: hashish (charas) is most of the drug seizures by count and
// weight, opium and heroin follow, methamphetamine (ice) rises, cocaine is
// rare and small; hawala/hundi is the main terror financing channel; most
// FIA human trafficking cases are migrant smuggling; fraud leads
// cybercrime complaints. Shares and sizes are illustrative, not data.
var subcategoryMix = [schemas.NumCategories][]subKind{
	schemas.TerrorFinancing: {
		{"hawala_hundi", 0.34, []string{"hundi", "hawala"}, 0.2, 900_000, 1.4},
		{"cash_courier", 0.20, []string{"cash_couriers"}, 0.1, 1_500_000, 1.2},
		{"extortion", 0.15, []string{"bhatta"}, 0.1, 250_000, 1.0},
		{"kidnap_for_ransom", 0.10, nil, 0, 3_000_000, 1.0},
		{"charity", 0.10, []string{"npo"}, 0.3, 400_000, 1.3},
		{"bank", 0.08, []string{"bank_transfer"}, 0.5, 1_200_000, 1.5},
		{"crypto", 0.03, []string{"cryptocurrency"}, 0.3, 700_000, 1.6},
	},
	schemas.DrugTrafficking: {
		{"hashish", 0.52, []string{"charas"}, 0.3, 2.0, 1.7},
		{"heroin", 0.16, nil, 0, 1.0, 1.6},
		{"opium", 0.12, []string{"afeem"}, 0.1, 2.5, 1.6},
		{"methamphetamine", 0.13, []string{"ice"}, 0.4, 0.5, 1.5},
		{"cocaine", 0.01, nil, 0, 0.1, 1.2},
		{"precursors", 0.02, []string{"acetic_anhydride"}, 0.3, 150, 1.0},
		{"other", 0.04, nil, 0, 0.2, 1.2},
	},
	schemas.HumanTrafficking: {
		{"smuggling", 0.68, []string{"migrant_smuggling"}, 0.6, 2, 0.8},
		{"trafficking", 0.32, []string{"trafficking_in_persons"}, 0.6, 1.5, 1.0},
	},
	schemas.Cybercrime: {
		{"financial_fraud", 0.42, nil, 0, 60_000, 1.3},
		{"online_harassment", 0.28, nil, 0, 0, 0},
		{"identity_theft", 0.10, nil, 0, 0, 0},
		{"hacking", 0.10, nil, 0, 0, 0},
		{"defamation", 0.07, nil, 0, 0, 0},
		{"child_sexual_abuse_material", 0.03, nil, 0, 0, 0},
	},
}

var subcategoryCum = func() (out [schemas.NumCategories][]float64) {
	for c, ks := range subcategoryMix {
		w := make([]float64, len(ks))
		for i, k := range ks {
			w[i] = k.share
		}
		out[c] = cumulative(w)
	}
	return out
}()

// subcategory picks a subcategory of category c as a file would spell it,
// and its quantity (kg, PKR or victims) as text, "" when it has none.
func subcategory(rng *rand.Rand, c int) (written, quantity string) {
	k := subcategoryMix[c][pick(rng, subcategoryCum[c])]
	written = k.code
	if len(k.spellings) > 0 && rng.Float64() < k.spelled {
		written = k.spellings[rng.IntN(len(k.spellings))]
	}
	if k.median == 0 {
		return written, ""
	}
	v := k.median * math.Exp(rng.NormFloat64()*k.sigma)
	switch schemas.Category(c) {
	case schemas.DrugTrafficking:
		return written, strconv.FormatFloat(round(max(v, 0.001), 3), 'f', -1, 64)
	case schemas.HumanTrafficking:
		return written, strconv.Itoa(max(1, int(math.Round(v))))
	}
	return written, strconv.FormatFloat(max(100, round(v, -2)), 'f', -1, 64)
}
