package backends

import (
	"go/build"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
)

// TestBackends enumerates the module's backends from this one home: names
// unique, each described, each with its divergence file, and every
// embedded file belonging to one of them.
func TestBackends(t *testing.T) {
	want := []string{"emulator-windows", "emulator-documented", "native", "wine"}
	var names []string
	for _, b := range All() {
		names = append(names, b.Name)
		if b.Description == "" {
			t.Errorf("%s: no description", b.Name)
		}
		if _, err := fs.Stat(files, path.Join("divergences", b.Name+".json")); err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
		if _, err := b.Suite(Options{}); err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
		if got, ok := Lookup(b.Name); !ok || got.Name != b.Name {
			t.Errorf("Lookup(%q) = %v, %v", b.Name, got.Name, ok)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("backends %v, want %v", names, want)
	}
	ents, err := fs.ReadDir(files, "divergences")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, ok := Lookup(strings.TrimSuffix(e.Name(), ".json")); !ok || path.Ext(e.Name()) != ".json" {
			t.Errorf("divergences/%s belongs to no backend", e.Name())
		}
	}
	for _, p := range []emulator.Profile{emulator.Windows, emulator.Documented} {
		if b := Emulator(p); !b.Emulated() || b.Profile() != p || b.Unavailable() != "" {
			t.Errorf("Emulator(%v) = %s", p, b.Name)
		}
	}
	if n := Native(); n.Name != "native" && n.Name != "wine" {
		t.Errorf("Native() = %q", n.Name)
	}
}

// TestWindowsProfileHasNoDivergences: the Windows profile is what Windows
// does, so it must pass every case.
func TestWindowsProfileHasNoDivergences(t *testing.T) {
	d, err := Emulator(emulator.Windows).Divergences()
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 0 {
		t.Errorf("emulator-windows has %d divergences, want none", len(d))
	}
}

// TestSuiteDependsOnNoBackend: the package conformance (and its own
// tests) import neither the emulator nor the native backend; the backends'
// runs of the suite are in its external tests, which take them from here.
func TestSuiteDependsOnNoBackend(t *testing.T) {
	p, err := build.Import("github.com/disconnectex/disconnectex/conformance", ".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Imports, "github.com/disconnectex/disconnectex/spec") {
		t.Fatalf("conformance's imports read as %v", p.Imports)
	}
	for _, imp := range slices.Concat(p.Imports, p.TestImports) {
		if strings.HasSuffix(imp, "/emulator") || strings.HasSuffix(imp, "/native") || strings.HasSuffix(imp, "/internal/backends") {
			t.Errorf("package conformance imports %s", imp)
		}
	}
}
