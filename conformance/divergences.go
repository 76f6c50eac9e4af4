package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// Divergence is one known difference between a backend and the suite: a
// case that fails on that backend, and why. It is data, like Wine's
// todo_wine: the case must fail with a message containing Observed, and
// passing instead breaks the build.
type Divergence struct {
	Case     string `json:"case"`     // the case name
	Clause   string `json:"clause"`   // one of the case's clauses: the one the backend diverges on
	Expected string `json:"expected"` // what the case expects, in words
	Observed string `json:"observed"` // text the case's failure message must contain
	Reason   string `json:"reason"`   // why the backend differs, with the evidence

	// File is where the entry comes from, named in the outcome's reason:
	// ParseDivergences sets it to the name it is given. An entry built in
	// Go code may set it (for example to the file:line of the literal);
	// left empty, the reason says "Backend.Known of <backend>".
	File string `json:"-"`
}

// origin names where d comes from in an outcome's reason.
func (d Divergence) origin(backend string) string {
	if d.File != "" {
		return d.File
	}
	return "Backend.Known of " + backend
}

// ParseDivergences decodes and checks a divergence file's content, name
// being the file's name (for messages, and in the reasons of the outcomes
// the entries explain). The file is a JSON object with the backend's name
// and its entries:
//
//	{"backend": "wine", "entries": [{"case": ..., "clause": ..., "expected": ...,
//	  "observed": ..., "reason": ...}]}
//
// Every entry must name an existing case and a clause that exists and that
// the case cites; Observed and Reason must be set; no (case, clause) pair
// may repeat. Unknown fields are errors.
func ParseDivergences(name string, data []byte) (backend string, entries []Divergence, err error) {
	var f struct {
		Backend string       `json:"backend"`
		Entries []Divergence `json:"entries"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return "", nil, fmt.Errorf("divergence data %s: %w", name, err)
	}
	if err := validateDivergences(f.Entries); err != nil {
		return "", nil, fmt.Errorf("divergence data %s: %w", name, err)
	}
	for i := range f.Entries {
		f.Entries[i].File = name
	}
	return f.Backend, f.Entries, nil
}

// validateDivergences checks what ParseDivergences promises of entries.
func validateDivergences(entries []Divergence) error {
	var errs []error
	seen := map[[2]string]bool{}
	for i, d := range entries {
		c, ok := Lookup(d.Case)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("entry %d: no case named %q", i, d.Case))
		case !slices.Contains(c.Clauses, d.Clause):
			if _, known := spec.Lookup(d.Clause); !known {
				errs = append(errs, fmt.Errorf("entry %d (%s): no clause %q in spec.Clauses()", i, d.Case, d.Clause))
			} else {
				errs = append(errs, fmt.Errorf("entry %d (%s): clause %s is not one the case cites (%s)", i, d.Case, d.Clause, strings.Join(c.Clauses, ", ")))
			}
		}
		if strings.TrimSpace(d.Observed) == "" {
			errs = append(errs, fmt.Errorf("entry %d (%s): observed is empty: it must be text of the case's failure message", i, d.Case))
		}
		if strings.TrimSpace(d.Reason) == "" {
			errs = append(errs, fmt.Errorf("entry %d (%s): reason is empty", i, d.Case))
		}
		k := [2]string{d.Case, d.Clause}
		if seen[k] {
			errs = append(errs, fmt.Errorf("entry %d: duplicate entry for case %s clause %s", i, d.Case, d.Clause))
		}
		seen[k] = true
	}
	return errors.Join(errs...)
}
