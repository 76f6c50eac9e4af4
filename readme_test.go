package disconnectex_test

import (
	"flag"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
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
