package conformance_test

import (
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
)

func TestDivergenceTables(t *testing.T) {
	for _, f := range []string{"wine.json", "native.json"} {
		s, err := conformance.DivergenceTable(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(s, "| case | clause |") {
			t.Errorf("%s: table starts %q", f, s[:min(len(s), 40)])
		}
	}
}
