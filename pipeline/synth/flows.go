package synth

import (
	"math/rand/v2"
	"strings"

	"github.com/ocmap/ocmap/schemas"
)

// FlowColumns follow the canonical columns in a file Generate writes with
// Options.Flows: the drug and human trafficking fields that say where a
// consignment or a victim came from and went (schemas.Details), and a
// trafficking case's exploitation type. The builtin layout
// ocmap-synthetic reads such a file.
var FlowColumns = []string{"origin", "destination", "route", "nationality", "exploitation"}

// exploitationStream is the random stream of the exploitation column,
// apart from the flow stream so that adding it moved no flow.
func exploitationStream(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x3c6ef372fe94f82b, seed+0xa54ff53a5f1d36f1))
}

// Exploitation of trafficking victims, roughly as the US TIP reports on
// Pakistan describe it: bonded labour in brick kilns and farms first,
// then sexual exploitation, begging, domestic servitude and forced
// marriage. A third of cases give none. Illustrative, not data.
var exploitationMix = []weighted{{30, "forced_labour"}, {8, "forced labour"}, {22, "sexual"}, {10, "begging"},
	{8, "domestic_servitude"}, {6, "forced_marriage"}, {0.5, "organ_removal"}, {2, "other"}, {35, ""}}

// exploitation is a trafficking case's exploitation type as gen writes
// it ("" for none): migrant smuggling has none.
func exploitation(rng *rand.Rand, sub string) string {
	if strings.Contains(schemas.SubcategoryKey(sub), "smuggl") || sub == "som" {
		return ""
	}
	return choose(rng, exploitationMix)
}

// flowStream is the random stream of the flow fields, apart from the
// row stream so that a file with flows has the same rows as one without.
func flowStream(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x6a09e667f3bcc908, seed+0xbb67ae8584caa73b))
}

// weighted is one choice and its weight.
type weighted struct {
	w float64
	s string
}

func choose(rng *rand.Rand, ws []weighted) string {
	sum := 0.0
	for _, x := range ws {
		sum += x.w
	}
	u := rng.Float64() * sum
	for _, x := range ws {
		if u < x.w {
			return x.s
		}
		u -= x.w
	}
	return ws[len(ws)-1].s
}

// Where drugs come from, as ANF and UNODC describe Pakistan: opiates and
// most hashish from Afghanistan, over the Balochistan and Khyber
// Pakhtunkhwa crossings, towards Karachi, the Makran coast and the
// Punjab; methamphetamine from Afghanistan and Iran; precursors from
// China and India. Illustrative, not data.
var (
	afghanOrigins = []weighted{{5, "Afghanistan"}, {2, "Kandahar"}, {1.5, "Helmand"}, {1, "Nangarhar"}, {0.5, "Afghan border"},
		{0.5, "افغانستان"}, {0.3, "Qandahar"}}
	drugRoutes = []weighted{
		{4, "Chaman - Quetta - Karachi West"}, {3, "Kandahar - Chaman - Quetta - Karachi South"},
		{2, "Helmand - Noshki - Panjgur - Kech"}, {2, "Quetta via Kharan to Gwadar"}, {2, "Torkham - Peshawar - Lahore"},
		{1.5, "Nangarhar via Torkham to Peshawar"}, {1.5, "Khyber - Peshawar - Rawalpindi"}, {1, "Quetta - Lasbela - Malir"},
		{1, "Chaman to Karachi"}, {1, "Peshawar -> Islamabad"}, {0.7, "Kech - Gwadar"}, {0.5, "D.I. Khan - Multan - Lahore"},
	}
	drugSites = []string{"Coastal Highway", "N-25 checkpost", "Motorway toll plaza", "Sohrab Goth", "dry port"}
)

// drugFlow fills a drug seizure's origin and route (drugs have no
// destination field: it is the route's end, or the seizure's district).
func drugFlow(rng *rand.Rand, sub string) (origin, route string) {
	u := rng.Float64()
	switch {
	case strings.Contains(sub, "precursor") || sub == "acetic_anhydride":
		origin = choose(rng, []weighted{{3, "China"}, {2, "India"}, {1, "Dubai"}})
	case sub == "methamphetamine" || sub == "ice":
		origin = choose(rng, []weighted{{3, "Afghanistan"}, {2, "Iran"}, {0.5, "Irani"}})
	case sub == "cocaine":
		origin = choose(rng, []weighted{{2, "Brazil"}, {1, ""}})
	case sub == "hashish" || sub == "charas":
		if u < 0.35 {
			origin = choose(rng, []weighted{{2, "Khyber"}, {1.5, "Orakzai"}, {1, "Kurram"}})
		} else {
			origin = choose(rng, afghanOrigins)
		}
	default:
		origin = choose(rng, afghanOrigins)
	}
	if rng.Float64() < 0.3 {
		origin = "" // the route, or nothing, says where it came from
	}
	switch v := rng.Float64(); {
	case v < 0.55:
		route = choose(rng, drugRoutes)
	case v < 0.65:
		route = drugSites[rng.IntN(len(drugSites))] // a site, not a route
	}
	return origin, route
}

// Trafficking and smuggling of migrants, as FIA's reports describe them:
// Pakistanis from central Punjab and Azad Kashmir smuggled through
// Balochistan into Iran, Turkey and on to Greece and Italy, or sent to
// the Gulf; Afghan and Bangladeshi nationals moved through Pakistan; women
// and children trafficked within the country for labour and begging.
// Illustrative, not data.
var (
	htOrigins = []weighted{{5, "Gujrat"}, {4, "Sialkot"}, {3.5, "Mandi Bahauddin"}, {3, "Gujranwala"}, {2, "Jhelum"},
		{1.5, "Kotli"}, {1.5, "Mirpur"}, {1.5, "Hafizabad"}, {1, "Narowal"}, {1, "Sheikhupura"}, {1, "Faisalabad"},
		{1, "Lahore"}, {0.7, "Swat"}, {0.5, "Peshawar"}, {0.5, "گجرات"}, {0.5, "M.B. Din"}}
	htAbroad = []weighted{{5, "Iran"}, {3.5, "Turkey"}, {3, "Greece"}, {2, "Italy"}, {2, "Libya"}, {2.5, "Dubai"}, {1.5, "UAE"},
		{2, "Saudi Arabia"}, {1, "Saudia"}, {1, "Oman"}, {0.7, "Qatar"}, {0.5, "Bahrain"}, {0.5, "Kuwait"}, {1, "Gulf"},
		{1, "Europe"}, {0.7, "Spain"}, {0.5, "UK"}, {0.5, "یونان"}, {0.4, "Yunan"}, {0.3, "ایران"}, {0.5, "abroad"}}
	htWithin = []weighted{{3, "Lahore"}, {2, "Karachi West"}, {1.5, "Karachi"}, {1, "Islamabad"}, {1, "Rawalpindi"},
		{1, "Faisalabad"}, {0.7, "Quetta"}}
)

// htFlow fills a trafficking case's origin, destination and the victims'
// nationality.
func htFlow(rng *rand.Rand) (origin, destination, nationality string) {
	switch u := rng.Float64(); {
	case u < 0.12: // Afghan nationals, origin left to the nationality
		nationality = choose(rng, []weighted{{4, "Afghan"}, {1, "Afghani"}, {0.5, "افغان"}})
		destination = choose(rng, []weighted{{3, "Iran"}, {2, "Turkey"}, {1, "Karachi West"}, {1, "Quetta"}})
	case u < 0.18: // Bangladeshi and Burmese nationals
		nationality = choose(rng, []weighted{{3, "Bangladeshi"}, {1, "Burmese"}, {0.5, "Bengali"}})
		destination = choose(rng, []weighted{{3, "Karachi West"}, {1, "Dubai"}, {1, "Malir"}})
	case u < 0.35: // within Pakistan
		nationality = "Pakistani"
		origin = choose(rng, htOrigins)
		destination = choose(rng, htWithin)
	default:
		nationality = "Pakistani"
		origin = choose(rng, htOrigins)
		destination = choose(rng, htAbroad)
	}
	if rng.Float64() < 0.08 {
		origin = ""
	}
	if rng.Float64() < 0.05 {
		destination = ""
	}
	if rng.Float64() < 0.3 {
		nationality = ""
	}
	return origin, destination, nationality
}

// flowFields returns the FlowColumns of a row of category c and
// subcategory sub, "" for those it has none of.
func flowFields(rng, erng *rand.Rand, c schemas.Category, sub string) [5]string {
	var f [5]string
	switch c {
	case schemas.DrugTrafficking:
		f[0], f[2] = drugFlow(rng, sub)
	case schemas.HumanTrafficking:
		f[0], f[1], f[3] = htFlow(rng)
		f[4] = exploitation(erng, sub)
	}
	return f
}
