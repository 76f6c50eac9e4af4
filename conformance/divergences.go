package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	disconnectex "github.com/disconnectex/disconnectex"
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
}

// DivergenceFile is the layout of testdata/divergences/<name>.json.
type DivergenceFile struct {
	Backend string       `json:"backend"`
	Entries []Divergence `json:"entries"`
}

// DivergenceDir is where the files live, relative to the module root and
// inside disconnectex.Divergences.
const DivergenceDir = "testdata/divergences"

// DivergenceFiles lists the names of the embedded divergence files
// (*.json), in name order.
func DivergenceFiles() ([]string, error) {
	ents, err := fs.ReadDir(disconnectex.Divergences, DivergenceDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && path.Ext(e.Name()) == ".json" {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// LoadAllDivergences reads and validates every embedded divergence file,
// in name order. A file that names no backend is given its base name
// ("wine.json" is backend "wine").
func LoadAllDivergences() ([]DivergenceFile, error) {
	names, err := DivergenceFiles()
	if err != nil {
		return nil, fmt.Errorf("divergence data: %w", err)
	}
	var out []DivergenceFile
	for _, name := range names {
		f, err := LoadDivergences(name)
		if err != nil {
			return nil, err
		}
		f.Backend = backendLabel(f.Backend, name)
		out = append(out, f)
	}
	return out, nil
}

// LoadDivergences reads and validates the embedded file name (for example
// "emulator-documented.json").
func LoadDivergences(name string) (DivergenceFile, error) {
	data, err := fs.ReadFile(disconnectex.Divergences, path.Join(DivergenceDir, name))
	if err != nil {
		return DivergenceFile{}, fmt.Errorf("divergence data: %w", err)
	}
	return ParseDivergences(name, data)
}

// ParseDivergences decodes and validates a divergence file's content.
func ParseDivergences(name string, data []byte) (DivergenceFile, error) {
	var f DivergenceFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("divergence data %s: %w", name, err)
	}
	if err := ValidateDivergences(f.Entries); err != nil {
		return f, fmt.Errorf("divergence data %s: %w", name, err)
	}
	return f, nil
}

// ValidateDivergences checks that every entry names an existing case and
// a clause that exists and that the case cites, that Observed and Reason
// are set, and that no (case, clause) pair repeats.
func ValidateDivergences(entries []Divergence) error {
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

// backendDivergences returns b's known divergences: its Known entries, or
// its embedded file, checked to be written for b.
func backendDivergences(b Backend) ([]Divergence, error) {
	switch {
	case b.Divergences != "" && b.Known != nil:
		return nil, fmt.Errorf("backend %s sets both Divergences (%s) and Known: choose one", b.Name, b.Divergences)
	case b.Known != nil:
		if err := ValidateDivergences(b.Known); err != nil {
			return nil, fmt.Errorf("backend %s: known divergences: %w", b.Name, err)
		}
		return b.Known, nil
	case b.Divergences == "":
		return nil, nil
	}
	f, err := LoadDivergences(b.Divergences)
	if err != nil {
		return nil, err
	}
	if f.Backend != "" && f.Backend != b.Name {
		return nil, fmt.Errorf("divergence data %s is for backend %q, not %q", b.Divergences, f.Backend, b.Name)
	}
	return f.Entries, nil
}
