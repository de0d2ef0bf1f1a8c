package geo

import (
	"strings"
	"testing"
	"time"
)

// TestScanNarrative reads places out of sentences as media trackers, NGO
// reports and press timelines write them, on the real boundaries and the
// shipped alias table: nested units settle on the district, and the traps
// (a road named after a city, a gas company's acronym, "near", a common
// noun) are not taken for the place.
func TestScanNarrative(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text, province string
		district       string // "" for none
		prov           string // the province settled, when no district
		words          string // the words used, joined by "|"
	}{
		{"nine militants were killed in Akkakhel area of Bara tehsil in Khyber Agency of FATA", "",
			"Khyber", "Khyber Pakhtunkhwa", "Bara tehsil|Khyber Agency|FATA"},
		{"a blast near the SUI Head Office in Karachi", "", "", "Sindh", "Karachi"},
		// The sentence's own hierarchy: the unit it calls a district holds
		// the town, whatever district the town's name alone would give.
		{"blast at Mingora bazaar in Buner district", "", "Buner", "Khyber Pakhtunkhwa", "Buner district|Mingora"},
		{"blast at Mingora bazaar, Swat", "", "Swat", "Khyber Pakhtunkhwa", "Mingora|Swat"},
		{"Sui gas pipeline blown up near Sui town, Dera Bugti", "", "Dera Bugti", "Balochistan", "Dera Bugti|Sui"},
		{"a check post on Kohat road was attacked, Peshawar", "", "Peshawar", "Khyber Pakhtunkhwa", "Peshawar"},
		{"bus bound for Quetta attacked in Mastung", "", "Mastung", "Balochistan", "Mastung"},
		{"attack near Kohat", "", "Kohat", "Khyber Pakhtunkhwa", "Kohat"},
		{"militants attacked a water tank in the village", "", "", "", ""},
		{"two killed in Tank district", "", "Tank", "Khyber Pakhtunkhwa", "Tank district"},
		{"PAF base attacked", "", "", "", ""},
		{"blast in Orangi Town, Karachi", "", "West Karachi", "Sindh", "Orangi Town|Karachi"},
		{"bomb in Clifton, Karachi, and in Lahore", "", "", "", ""},
		{"clashes in Kurram and Orakzai agencies", "", "", "Khyber Pakhtunkhwa", "Kurram|Orakzai"},
		{"raid in Lahore and Karachi", "", "", "", ""},
		{"an office in the federal capital", "", "", "Islamabad", "federal capital"},
		{"an office in the capital", "", "", "", ""},
		{"SHOOTING IN SWAT VALLEY", "", "Swat", "Khyber Pakhtunkhwa", "SWAT VALLEY"},        // the valley of the district: one name
		{"clashes in the Peshawar valley", "", "", "Khyber Pakhtunkhwa", "Peshawar valley"}, // five districts: the province
		// A division is several districts: its province, not its namesake.
		{"operation across Malakand division", "", "", "Khyber Pakhtunkhwa", "Malakand"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			d, prov, used := g.Settle(g.Scan(tt.text, tt.province, time.Time{}))
			name := ""
			if d >= 0 {
				name = g.b.Districts[d].Name
			}
			if name != tt.district || prov != tt.prov || strings.Join(used, "|") != tt.words {
				t.Errorf("got %q %q %q, want %q %q %q", name, prov, strings.Join(used, "|"), tt.district, tt.prov, tt.words)
			}
		})
	}
}

// FuzzScan reads any text for places: no panic, and Settle gives a
// district of the map or none, with a province when it gives a district.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"killed in Swat District of KPK", "near Khanpur, Punjab", "SUI HQ", "Kohat road",
		"ضلع سوات", "Mirpur and Mirpur", "", "a b c d e f", "in Tank district", "\x00\xff"} {
		f.Add(s, "")
	}
	g := gazetteer(f)
	f.Fuzz(func(t *testing.T, text, hint string) {
		d, prov, _ := g.Settle(g.Scan(text, hint, time.Time{}))
		if d >= len(g.b.Districts) || d < -1 || d >= 0 && prov == "" {
			t.Fatalf("Settle(%q) = %d %q", text, d, prov)
		}
	})
}

// TestScanUnreadNameIsNoReference: a district name that is also an
// ordinary word (Chaman, Hub, Tank, Kotli) is not read alone, but when it
// is written as a name it may be where the event was, and the places the
// sentence names after "to", "from", "for" or "near" are then references,
// not the place: "seized at Chaman bound for Lahore" was not in Lahore.
// Written in lower case the word is the word, and a reference still
// counts ("a water tank near Kohat").
func TestScanUnreadNameIsNoReference(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text     string
		district string // "" for none
		prov     string
	}{
		{"Hawala dealer arrested near Chaman border while travelling to Quetta", "", ""},
		{"Customs at Chaman seized 20 kg heroin bound for Lahore", "", ""},
		{"FC recovered arms in Chaman; the consignment was headed to Karachi", "", ""},
		{"Smugglers held at Hub checkpost were bound for Karachi", "", ""},
		{"Police raided a den in Tank and arrested two men from Dera Ismail Khan", "", ""},
		{"ANF seized heroin in Kotli being smuggled to Mirpur", "", ""},
		{"HEROIN SEIZED AT CHAMAN, BOUND FOR LAHORE", "", ""},
		// The word itself: the reference stands.
		{"militants attacked a water tank near Kohat", "Kohat", "Khyber Pakhtunkhwa"},
		// A place read outright still wins over the references.
		{"two killed in Tank district, attackers came from Bannu", "Tank", "Khyber Pakhtunkhwa"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			d, prov, used := g.Settle(g.Scan(tt.text, "", time.Time{}))
			name := ""
			if d >= 0 {
				name = g.b.Districts[d].Name
			}
			if name != tt.district || prov != tt.prov {
				t.Errorf("got %q %q (by %q), want %q %q", name, prov, used, tt.district, tt.prov)
			}
		})
	}
}

// TestSettleCarvedOut: a sentence that names a district and the one it
// was carved out of, as sources long wrote it ("in Duki, Loralai
// district", "at Chaman, Killa Abdullah district"), is in the carved-out
// district, not the old one its unit word marks; a name after "near" is
// still no more than a reference.
func TestSettleCarvedOut(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text, district string // "" for none
	}{
		{"Two Levies men were killed in Duki, Loralai district", "Duki"},
		{"Blast at Chaman, Killa Abdullah district, kills three", "Chaman"},
		{"Firing in Surab tehsil of Kalat district", "Shaheed Sikandarabad"},
		{"Blast in Loralai district", "Loralai"},
		{"Attack near Duki in Loralai district", "Loralai"},
		{"a water tank near Chaman in Killa Abdullah district", "Killa Abdullah"},
		{"Raids in Duki and Zhob", ""},
	} {
		name, used := settled(g, tt.text)
		if name != tt.district {
			t.Errorf("%q: got %q (by %q), want %q", tt.text, name, used, tt.district)
		}
	}
}

// TestScanUnreadLowerCase: a text written in lower case throughout tells
// no name from a word by its capitals, as one in capitals throughout
// does not: a district's name that is also an ordinary word (chaman, hub,
// tank, kotli) may be where the event was, so the places named after
// "to", "from", "for" or "near" are not taken in its stead ("heroin
// seized at chaman bound for lahore" is not Lahore).
func TestScanUnreadLowerCase(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text, district string // "" for none
	}{
		{"heroin seized at chaman bound for lahore", ""},
		{"police raided a den in tank and arrested two men from dera ismail khan", ""},
		{"smugglers held at hub checkpost were bound for karachi", ""},
		{"two killed in tank district, attackers came from bannu", "Tank"},
		{"militants attacked a water tank near Kohat", "Kohat"},
	} {
		name, used := settled(g, tt.text)
		if name != tt.district {
			t.Errorf("%q: got %q (by %q), want %q", tt.text, name, used, tt.district)
		}
	}
}

// TestScanUnreadTitleCase: a headline in Title Case (or in capitals or
// lower case throughout) tells no name from a word by its capitals, so a
// district's name that is also an ordinary word is taken as a possible
// place only where a place's name stands: first, after a word such as
// "in", "at", "near", "from" or "and", or after a comma. Elsewhere it is
// the word ("Water Tank Blast"), and the place the headline names stands,
// even after "near"; it is never read as the district itself.
func TestScanUnreadTitleCase(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text, district string // "" for none
	}{
		{"Water Tank Blast Near Kohat", "Kohat"},
		{"WATER TANK BLAST NEAR KOHAT", "Kohat"},
		{"water tank blast near kohat", "Kohat"},
		{"Transport Hub Attacked Near Quetta", "Quetta"},
		{"Heroin Seized At Chaman Bound For Lahore", ""},
		{"Heroin Seized at Chaman, Bound for Lahore", ""},
		{"Tank Police Hold Two Men From Bannu", ""},
		{"Raids In Kohat And Tank, Suspects From Bannu", "Kohat"},
		{"Suspects From Bannu Held, Tank", ""},
		{"Two Killed In Tank District", "Tank"},
		{"Water Tank Blast", ""},
		// After or before the title of an office or a force, it is the
		// name: "SHO Kotli", "Chaman Levies".
		{"SHO Kotli Arrests Drug Dealer From Mirpur", ""},
		{"Levies Chaman Seize Heroin Bound For Quetta", ""},
		{"Heroin Seized As Chaman Levies Search Truck Bound For Quetta", ""},
		{"Oil Tank Fire In Quetta", "Quetta"},
		// After a province's name, possessive or not, it is a name too.
		{"Balochistan's Chaman Sees Heroin Haul Bound For Quetta", ""},
		{"AJK Kotli Police Chief Says Smugglers Came From Mirpur", ""},
		{"KP Tank Sees Heroin Haul Bound For Quetta", ""},
	} {
		name, used := settled(g, tt.text)
		if name != tt.district {
			t.Errorf("%q: got %q (by %q), want %q", tt.text, name, used, tt.district)
		}
	}
}

// TestScanRoadIsNoReference: a road named after towns ("Bannu-Tank
// highway", "Kohat road") is not the place, but the event was on it, so
// the places the sentence names after "from", "to" or "near" are not taken
// in its stead; nor is the road a district carved out of the one named
// with it.
func TestScanRoadIsNoReference(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		text, district string // "" for none
	}{
		{"Bannu-Tank highway closed, travellers from Kohat stranded", ""},
		{"Attack on a check post on Kohat road; attackers came from Bannu", ""},
		{"Truck from Quetta intercepted on the Sukkur-Multan motorway", ""},
		{"a check post on Kohat road was attacked, Peshawar", "Peshawar"},
		{"Blast on Chaman road in Killa Abdullah district", "Killa Abdullah"},
		{"bus bound for Quetta attacked in Mastung", "Mastung"},
		{"attack near Kohat", "Kohat"},
	} {
		name, used := settled(g, tt.text)
		if name != tt.district {
			t.Errorf("%q: got %q (by %q), want %q", tt.text, name, used, tt.district)
		}
	}
}

// settled is the name of the district Settle finds in text, "" for none,
// and the words it went by.
func settled(g *Gazetteer, text string) (string, []string) {
	d, _, used := g.Settle(g.Scan(text, "", time.Time{}))
	if d < 0 {
		return "", used
	}
	return g.b.Districts[d].Name, used
}
