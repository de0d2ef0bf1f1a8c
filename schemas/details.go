package schemas

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// DetailKind says how a category's own field is read.
type DetailKind uint8

// Kinds of detail fields.
const (
	DetailText  DetailKind = iota // free text, kept as given
	DetailCode                    // one of a fixed list of codes
	DetailCount                   // a whole number of people, 0 or more
)

// Detail is a field that only one category's records carry, such as the
// substance of a drug seizure.
type Detail struct {
	Name  string
	Kind  DetailKind
	Codes []string // DetailCode: the allowed values
	Doc   string
}

// Type returns the field's Arrow type.
func (d Detail) Type() arrow.DataType {
	if d.Kind == DetailCount {
		return arrow.PrimitiveTypes.Int32
	}
	return arrow.BinaryTypes.String
}

// CategoryDetails lists the fields of one category beyond the common core.
// Table is the DuckDB table that holds them, keyed to incidents by
// (run_id, source_file, source_line). Main is the field that refines the
// category, as subcategory does: a layout that fills one fills the other.
type CategoryDetails struct {
	Category Category
	Table    string
	Main     string
	Fields   []Detail
}

// Codes of the detail fields. Spelling variants belong in a layout's value
// map, as for categories.
var (
	Substances   = []string{"heroin", "opium", "hashish", "methamphetamine", "cocaine", "precursors", "other"}
	TFChannels   = []string{"hawala_hundi", "bank", "cash_courier", "charity", "crypto", "extortion", "kidnap_for_ransom", "other"}
	HTOffences   = []string{"trafficking", "smuggling"}
	Exploitation = []string{"sexual", "forced_labour", "begging", "domestic_servitude", "forced_marriage", "organ_removal", "other"}
	HTStages     = []string{"recruitment", "transit", "exploitation"}
	CyberOffence = []string{"financial_fraud", "online_harassment", "hacking", "identity_theft", "data_interference",
		"child_sexual_abuse_material", "cyber_stalking", "defamation", "cyber_terrorism", "other"}
)

// Details holds each category's own fields, by Category.
var Details = [NumCategories]CategoryDetails{
	TerrorFinancing: {Category: TerrorFinancing, Table: "terror_financing", Main: "channel", Fields: []Detail{
		{Name: "channel", Kind: DetailCode, Codes: TFChannels, Doc: "how the money moved"},
		{Name: "proscribed_org", Kind: DetailText, Doc: "proscribed organisation named in the case"},
	}},
	DrugTrafficking: {Category: DrugTrafficking, Table: "drug_trafficking", Main: "substance", Fields: []Detail{
		{Name: "substance", Kind: DetailCode, Codes: Substances, Doc: "drug seized"},
		{Name: "seizing_agency", Kind: DetailText, Doc: "agency that made the seizure"},
		{Name: "route", Kind: DetailText, Doc: "route or site of the seizure"},
		{Name: "origin", Kind: DetailText, Doc: "where the consignment came from"},
	}},
	HumanTrafficking: {Category: HumanTrafficking, Table: "human_trafficking", Main: "offence_type", Fields: []Detail{
		{Name: "offence_type", Kind: DetailCode, Codes: HTOffences, Doc: "trafficking in persons or smuggling of migrants"},
		{Name: "exploitation", Kind: DetailCode, Codes: Exploitation, Doc: "purpose of the exploitation"},
		{Name: "victims_male", Kind: DetailCount, Doc: "male victims"},
		{Name: "victims_female", Kind: DetailCount, Doc: "female victims"},
		{Name: "victims_minor", Kind: DetailCount, Doc: "victims under 18"},
		{Name: "victims_adult", Kind: DetailCount, Doc: "victims 18 or over"},
		{Name: "nationality", Kind: DetailText, Doc: "victims' nationality"},
		{Name: "stage", Kind: DetailCode, Codes: HTStages, Doc: "stage the record locates"},
		{Name: "origin", Kind: DetailText, Doc: "where the victims came from"},
		{Name: "destination", Kind: DetailText, Doc: "where they were taken"},
	}},
	Cybercrime: {Category: Cybercrime, Table: "cybercrime", Main: "offence", Fields: []Detail{
		{Name: "offence", Kind: DetailCode, Codes: CyberOffence, Doc: "kind of offence"},
		{Name: "peca_section", Kind: DetailText, Doc: "PECA 2016 section (from the statute section when it cites PECA)"},
		{Name: "platform", Kind: DetailText, Doc: "platform or service used"},
	}},
}

// Field names of the detail table keys.
var detailKey = []arrow.Field{
	{Name: FieldRunID, Type: arrow.PrimitiveTypes.Int64},
	{Name: FieldSourceFile, Type: arrow.BinaryTypes.String},
	{Name: FieldSourceLine, Type: arrow.PrimitiveTypes.Int64},
}

// DetailSchema is the shape of c's own table: the incident's key, then its
// fields.
func DetailSchema(c Category) *arrow.Schema {
	fields := slices.Clone(detailKey)
	for _, d := range Details[c].Fields {
		fields = append(fields, arrow.Field{Name: d.Name, Type: d.Type(), Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// CategorySchema is the whole record of category c: [Incidents] then c's
// own fields, as the category's view in the database gives it.
func CategorySchema(c Category) *arrow.Schema {
	fields := Incidents.Fields()
	for _, d := range Details[c].Fields {
		fields = append(fields, arrow.Field{Name: d.Name, Type: d.Type(), Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// DetailNames returns every detail field name once, in category order.
func DetailNames() []string {
	var out []string
	for _, cd := range Details {
		for _, d := range cd.Fields {
			if !slices.Contains(out, d.Name) {
				out = append(out, d.Name)
			}
		}
	}
	return out
}

// DetailOf returns the detail field name of category c, if c has one.
func DetailOf(c Category, name string) (Detail, bool) {
	for _, d := range Details[c].Fields {
		if d.Name == name {
			return d, true
		}
	}
	return Detail{}, false
}

// LayoutIncidents is the shape of rows that source layouts give: [Incidents]
// then every detail field once (a name such as origin that two categories
// share is one column). A row fills only its own category's fields.
var LayoutIncidents = func() *arrow.Schema {
	fields := Incidents.Fields()
	for _, name := range DetailNames() {
		for _, cd := range Details {
			if d, ok := DetailOf(cd.Category, name); ok {
				fields = append(fields, arrow.Field{Name: name, Type: d.Type(), Nullable: true})
				break
			}
		}
	}
	return arrow.NewSchema(fields, nil)
}()
