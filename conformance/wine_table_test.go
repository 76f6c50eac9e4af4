package conformance_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
)

// TestReadmeWineTable checks that the README's copy of the Wine divergence
// table is the one the data generates. Regenerate it with
// DISCONNECTEX_UPDATE_README=1 go test ./conformance -run TestReadmeWineTable
func TestReadmeWineTable(t *testing.T) {
	want, err := conformance.DivergenceTable("wine.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "README.md")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	start, end := fmt.Sprintf(conformance.TableStart, "wine"), fmt.Sprintf(conformance.TableEnd, "wine")
	text := string(data)
	i, j := strings.Index(text, start), strings.Index(text, end)
	if i < 0 || j < i {
		t.Skipf("README.md has no %s ... %s section yet", start, end)
	}
	got := strings.TrimSpace(text[i+len(start) : j])
	if got == strings.TrimSpace(want) {
		return
	}
	if os.Getenv("DISCONNECTEX_UPDATE_README") == "1" {
		text = text[:i+len(start)] + "\n" + want + text[j:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated the Wine divergence table in %s", path)
		return
	}
	t.Errorf("the Wine divergence table in README.md is stale; regenerate it with\n"+
		"  DISCONNECTEX_UPDATE_README=1 go test ./conformance -run TestReadmeWineTable\nwant:\n%s", want)
}

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
