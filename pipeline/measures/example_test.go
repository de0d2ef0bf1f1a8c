package measures_test

import (
	"fmt"

	"github.com/ocmap/ocmap/pipeline/measures"
)

func ExampleEBRates() {
	// The third district, 3 events among 2,000 people (150 per 100,000 raw),
	// is pulled towards the overall rate; the large fourth barely moves.
	events := []float64{10, 0, 3, 50}
	pop := []float64{100000, 50000, 2000, 400000}
	rates, err := measures.EBRates(events, pop)
	if err != nil {
		panic(err)
	}
	for _, r := range rates {
		fmt.Printf("%.2f per 100,000\n", r*1e5)
	}
	// Output:
	// 10.19 per 100,000
	// 2.68 per 100,000
	// 27.39 per 100,000
	// 12.46 per 100,000
}

func ExampleGiBins() {
	// Five districts in a row, the first two busy: district 0 is a 95% hot
	// spot, district 3 a 95% cold spot, the rest not significant.
	nbrs := [][]int{{1}, {0, 2}, {1, 3}, {2, 4}, {3}}
	z, _ := measures.GiStarBinary([]float64{40, 35, 5, 2, 1}, nbrs)
	fmt.Println(measures.GiBins(z, false))
	// Output:
	// [2 0 0 -2 0]
}

func ExampleColocationQuotient() {
	// Three districts in a row: the drug incidents all at one end, most
	// trafficking at the other. A drug incident's 3 neighbours (the others
	// in its district and the next) hold 1 trafficking incident: 1/3, where
	// the mix of the two crimes gives 4/6. So 0.50: drugs keep apart.
	nbrs := [][]int{{1}, {0, 2}, {1}}
	drugs := []float64{3, 0, 0}
	trafficking := []float64{0, 1, 3}
	fmt.Printf("%.2f\n", measures.ColocationQuotient(drugs, trafficking, nbrs))
	// Output:
	// 0.50
}
