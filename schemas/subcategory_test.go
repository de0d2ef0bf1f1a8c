package schemas

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSubcategoryCodes(t *testing.T) {
	main, _ := KnownSubcategories(nil)
	more := [NumCategories][]string{Cybercrime: {"electronic_fraud", "dignity"}}
	sc, err := LoadSubcategoryCodes("codes.csv", strings.NewReader("category,variant,code,note\n"+
		"drug_trafficking,charas,hashish,\n"+
		"drug_trafficking,ice,methamphetamine,\n"+
		"terror_financing,hundi,hawala_hundi,\n"+
		"human_trafficking,migrant_smuggling,smuggling,\n"+
		"cybercrime,electronic_fraud,financial_fraud,\n"), main, more)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		cat     Category
		written string
		want    string
		ok      bool
	}{
		{"code", DrugTrafficking, "heroin", "heroin", true},
		{"variant, any case", DrugTrafficking, " Charas ", "hashish", true},
		{"variant of another category", TerrorFinancing, "ice", "ice", false},
		{"spaces fold", HumanTrafficking, "Migrant Smuggling", "smuggling", true},
		{"unknown", DrugTrafficking, "Bhang", "bhang", false},
		{"empty", DrugTrafficking, "", "", false},
		{"crosswalk code folded", Cybercrime, "electronic_fraud", "financial_fraud", true},
		{"crosswalk code kept", Cybercrime, "dignity", "dignity", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := sc.Code(tc.cat, tc.written)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Code(%s, %q) = %q %v, want %q %v", tc.cat, tc.written, got, ok, tc.want, tc.ok)
			}
		})
	}
	if got, want := strings.Join(sc.Variants(DrugTrafficking, "hashish"), ","), "charas"; got != want {
		t.Errorf("variants of hashish %q, want %q", got, want)
	}
	if slices.Contains(sc.Codes(Cybercrime), "electronic_fraud") || !slices.Contains(sc.Codes(Cybercrime), "dignity") {
		t.Errorf("cyber codes %v: want dignity, not electronic_fraud (folded)", sc.Codes(Cybercrime))
	}
}

func TestSubcategoryCodesErrors(t *testing.T) {
	main, _ := KnownSubcategories(nil)
	_, err := LoadSubcategoryCodes("codes.csv", strings.NewReader("category,variant,code,note\n"+
		"drug_trafficking,charas,hashish,\n"+
		"drugs,ice,methamphetamine,\n"+
		"drug_trafficking,Ice,methamphetamine,\n"+
		"drug_trafficking,heroin,opium,\n"+
		"drug_trafficking,charas,hashish,\n"+
		"drug_trafficking,yaba,ecstasy,\n"), main, [NumCategories][]string{})
	if !errors.Is(err, ErrSubcategoryCodes) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{
		`codes.csv:3: category: unknown category "drugs"`,
		`codes.csv:4: variant: "Ice" is not in folded form: write "ice"`,
		`codes.csv:5: variant: "heroin" is itself a code of drug_trafficking`,
		`codes.csv:6: variant: "charas" is given twice`,
		`codes.csv:7: code: "ecstasy" is not a code of drug_trafficking`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
