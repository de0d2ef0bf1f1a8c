package schemas

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrSubcategoryCodes is wrapped by the errors of [LoadSubcategoryCodes].
var ErrSubcategoryCodes = errors.New("schemas: subcategory code list")

// SubcategoryColumns is the header of a subcategory code list
// (data/subcategories.csv).
var SubcategoryColumns = []string{"category", "variant", "code", "note"}

// SubcategoryCodes folds the spellings a subcategory takes in agency files
// (charas, ice, hundi, migrant_smuggling) into one code per thing: the
// codes of each category's main detail field ([Details]: substance,
// channel, offence_type, offence) and the legal crosswalk's offence codes.
// It is read-only and safe for concurrent use.
type SubcategoryCodes struct {
	codes   [NumCategories][]string          // known codes, sorted
	variant [NumCategories]map[string]string // folded variant -> code
}

// SubcategoryKey folds a subcategory as written to the form codes and
// variants take: lower case, spaces, hyphens, dots and slashes as one _,
// no _ at either end ("Crystal Meth" -> crystal_meth).
func SubcategoryKey(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '_' || r == '\t':
			under = b.Len() > 0
		default:
			if under {
				b.WriteByte('_')
				under = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// LoadSubcategoryCodes reads a code list with the header
// [SubcategoryColumns]. main and more give, per category, the codes (see
// [KnownSubcategories]: the main detail codes, and the crosswalk's offence
// codes); a code of more that the list names as a variant (the crosswalk's
// trafficking_in_persons is trafficking) folds into its code and is no
// code of its own. Every row is checked: the category, the variant (not
// empty, not a main code, not given twice) and the code (known).
// The error wraps [ErrSubcategoryCodes] and a [RowError] per problem,
// naming file, line and column.
func LoadSubcategoryCodes(file string, r io.Reader, main, more [NumCategories][]string) (*SubcategoryCodes, error) {
	var errs []error
	fail := func(line int, field, format string, args ...any) {
		errs = append(errs, &RowError{File: file, Line: int64(line), Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	done := func() error {
		if len(errs) == 0 {
			return nil
		}
		return fmt.Errorf("%w:\n%w", ErrSubcategoryCodes, errors.Join(errs...))
	}
	c := &SubcategoryCodes{}
	for i := range c.codes {
		c.codes[i] = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(main[i]), more[i]...))))
		c.variant[i] = map[string]string{}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(SubcategoryColumns)
	header, err := cr.Read()
	if err != nil {
		fail(1, "(header)", "cannot read the header: %v", err)
		return nil, done()
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if !slices.Equal(header, SubcategoryColumns) {
		fail(1, "(header)", "header is %q, want %q", strings.Join(header, ","), strings.Join(SubcategoryColumns, ","))
		return nil, done()
	}
	for len(errs) < 50 {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.StartLine, RecordField, "%v", pe.Err)
				continue
			}
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		cat, ok := ParseCategory(strings.TrimSpace(rec[0]))
		if !ok {
			fail(line, "category", "unknown category %q, want one of %s", rec[0], strings.Join(Categories(), ", "))
			continue
		}
		v, code := SubcategoryKey(rec[1]), strings.TrimSpace(rec[2])
		switch {
		case v == "":
			fail(line, "variant", "empty")
		case v != rec[1]:
			fail(line, "variant", "%q is not in folded form: write %q", rec[1], v)
		case slices.Contains(main[cat], v):
			fail(line, "variant", "%q is itself a code of %s", v, cat)
		case c.variant[cat][v] != "":
			fail(line, "variant", "%q is given twice for %s", v, cat)
		case !slices.Contains(c.codes[cat], code) || c.variant[cat][code] != "" || slices.Contains(folded(c, cat), code):
			fail(line, "code", "%q is not a code of %s (codes: %s)", code, cat, strings.Join(c.codes[cat], ", "))
		default:
			c.variant[cat][v] = code
		}
	}
	if err := done(); err != nil {
		return nil, err
	}
	for i := range c.codes {
		c.codes[i] = slices.DeleteFunc(c.codes[i], func(code string) bool { return c.variant[i][code] != "" })
	}
	return c, nil
}

// folded lists the variants of category cat read so far: no code may
// point to one.
func folded(c *SubcategoryCodes, cat Category) []string {
	out := make([]string, 0, len(c.variant[cat]))
	for v := range c.variant[cat] {
		out = append(out, v)
	}
	return out
}

// KnownSubcategories lists per category the codes a subcategory may take:
// main, the category's main detail codes (substance, channel,
// offence_type, offence), and more, the subcategories of the crosswalk's
// rules for it that are not main codes, then the codes of its other code
// fields ([SubcategoryFields]: exploitation type, stage).
func KnownSubcategories(cw *Crosswalk) (main, more [NumCategories][]string) {
	for _, cd := range Details {
		if d, ok := DetailOf(cd.Category, cd.Main); ok {
			main[cd.Category] = append(main[cd.Category], d.Codes...)
		}
	}
	add := func(c Category, code string) {
		if !slices.Contains(main[c], code) && !slices.Contains(more[c], code) {
			more[c] = append(more[c], code)
		}
	}
	if cw != nil {
		for _, r := range cw.rules {
			if c, ok := ParseCategory(r.Category); ok && r.Subcategory != "" {
				add(c, r.Subcategory)
			}
		}
	}
	for _, cd := range Details {
		for _, d := range SubcategoryFields(cd.Category) {
			for _, code := range d.Codes {
				add(cd.Category, code)
			}
		}
	}
	return main, more
}

// SubcategoryFields are category c's code fields besides its main one
// (a trafficking record's exploitation type and stage), whose codes
// --subcategory takes too: they describe the incident along another line
// than its subcategory.
func SubcategoryFields(c Category) []Detail {
	var out []Detail
	for _, d := range Details[c].Fields {
		if d.Kind == DetailCode && d.Name != Details[c].Main {
			out = append(out, d)
		}
	}
	return out
}

// SubcategoryField names the field of [SubcategoryFields] that code is a
// code of in category c, or "" when it is none's.
func SubcategoryField(c Category, code string) string {
	for _, d := range SubcategoryFields(c) {
		if slices.Contains(d.Codes, code) {
			return d.Name
		}
	}
	return ""
}

// Codes lists the known codes of category c, sorted.
func (s *SubcategoryCodes) Codes(c Category) []string { return slices.Clone(s.codes[c]) }

// Variants lists the variants folded into code in category c, sorted.
func (s *SubcategoryCodes) Variants(c Category, code string) []string {
	var out []string
	for v, to := range s.variant[c] {
		if to == code {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Code returns the code of a subcategory as written in category c, and
// whether it is a known code or variant. An unknown subcategory returns its
// folded form and false; an empty one returns "" and false.
func (s *SubcategoryCodes) Code(c Category, written string) (string, bool) {
	k := SubcategoryKey(written)
	if k == "" {
		return "", false
	}
	if slices.Contains(s.codes[c], k) {
		return k, true
	}
	if code, ok := s.variant[c][k]; ok {
		return code, true
	}
	return k, false
}
