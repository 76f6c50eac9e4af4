package disconnectex_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
	"github.com/disconnectex/disconnectex/internal/docsync"
)

var update = flag.Bool("update", false, "rewrite the generated sections of README.md")

// TestReadmeStateDiagram checks that README.md shows the state machine the
// emulator actually runs on.
func TestReadmeStateDiagram(t *testing.T) {
	d, err := emulator.Diagram("mermaid")
	if err != nil {
		t.Fatal(err)
	}
	docsync.Check(t, "README.md", "state-diagram", "```mermaid\n"+d+"```", *update,
		"go test . -run TestReadmeStateDiagram -update")
}

// TestReadmeWineTable checks the README's table of Wine's divergences,
// rendered from the wine backend's divergence data.
func TestReadmeWineTable(t *testing.T) {
	want, err := divergenceTable("wine")
	if err != nil {
		t.Fatal(err)
	}
	docsync.Check(t, "README.md", "divergence-table:wine", want, *update,
		"go test . -run TestReadmeWineTable -update")
}

// divergenceTable renders a backend's divergence data as a Markdown table:
// one row per entry, in the file's order, with the case, the clause, what
// Windows does (expected), what the backend does (observed) and why.
func divergenceTable(name string) (string, error) {
	b, ok := backends.Lookup(name)
	if !ok {
		return "", fmt.Errorf("no backend %q", name)
	}
	entries, err := b.Divergences()
	if err != nil {
		return "", err
	}
	var s strings.Builder
	fmt.Fprintf(&s, "| case | clause | Windows (expected) | %s (observed) | reason |\n", b.Name)
	s.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, d := range entries {
		fmt.Fprintf(&s, "| `%s` | %s | %s | %s | %s |\n",
			d.Case, d.Clause, cell(d.Expected), cell(d.Observed), cell(d.Reason))
	}
	if len(entries) == 0 {
		s.WriteString("| (none) | | | | |\n")
	}
	return s.String(), nil
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}
