package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	disconnectex "github.com/disconnectex/disconnectex"
	"github.com/disconnectex/disconnectex/conformance"
)

// divergenceFile is one testdata/divergences/<backend>.json.
type divergenceFile struct {
	Backend string            `json:"backend"`
	Entries []divergenceEntry `json:"entries"`
}

// divergenceEntry is one known divergence of a backend from the expected
// (Windows) behaviour.
type divergenceEntry = conformance.Divergence

// loadDivergences reads every embedded divergence file, with its backend
// name (the file's "backend" field, or its base name), in name order. It
// does not validate the entries against the cases (conformance does, in
// its own tests): explain shows whatever the data says.
func loadDivergences() ([]divergenceFile, error) {
	names, err := fs.Glob(disconnectex.Divergences, path.Join(conformance.DivergenceDir, "*.json"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []divergenceFile
	for _, name := range names {
		b, err := fs.ReadFile(disconnectex.Divergences, name)
		if err != nil {
			return nil, err
		}
		var f divergenceFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if f.Backend == "" {
			f.Backend = strings.TrimSuffix(path.Base(name), ".json")
		}
		out = append(out, f)
	}
	return out, nil
}
