package analysis

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/schemas"
)

// SubcategoryCodes is the embedded code list (data/subcategories.csv),
// parsed on first use, with the known codes of every category: the main
// detail codes and the legal crosswalk's offence codes.
var SubcategoryCodes = sync.OnceValues(func() (*schemas.SubcategoryCodes, error) {
	cw, err := schemas.LoadCrosswalk(bytes.NewReader(data.LegalCrosswalk))
	if err != nil {
		return nil, fmt.Errorf("embedded legal crosswalk: %w", err)
	}
	main, more := schemas.KnownSubcategories(cw)
	sc, err := schemas.LoadSubcategoryCodes("data/subcategories.csv", bytes.NewReader(data.Subcategories), main, more)
	if err != nil {
		return nil, fmt.Errorf("embedded subcategory codes: %w", err)
	}
	return sc, nil
})
