package conformance

import (
	"fmt"
	"strings"
)

// DivergenceTable renders the embedded divergence file (for example
// "wine.json") as a Markdown table: one row per entry, in the file's
// order, with the case, the clause, what Windows does (expected), what the
// backend does (observed) and why. The README carries the Wine table in
// its section divergence-table:wine; a test fails when that copy is stale.
func DivergenceTable(file string) (string, error) {
	f, err := LoadDivergences(file)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| case | clause | Windows (expected) | %s (observed) | reason |\n", backendLabel(f.Backend, file))
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, d := range f.Entries {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n",
			d.Case, d.Clause, cell(d.Expected), cell(d.Observed), cell(d.Reason))
	}
	if len(f.Entries) == 0 {
		b.WriteString("| (none) | | | | |\n")
	}
	return b.String(), nil
}

func backendLabel(backend, file string) string {
	if backend != "" {
		return backend
	}
	return strings.TrimSuffix(file, ".json")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}
