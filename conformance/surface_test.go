package conformance

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// maxExported is the most names the suite's surface may have: what a
// backend author needs (Run, Backend, Capability, Case lookup for tools,
// the divergence parser, the outcomes), in the spirit of nettest and
// fstest.
const maxExported = 12

// TestSurface: `go doc ./conformance` lists at most maxExported exported
// names. It counts what go doc shows as a name of its own: the exported
// functions, types, and the functions go doc lists under their type (Cases
// under Case), and the constants and variables not grouped under a type.
// The values of a type (the Capability and Outcome constants) and the
// methods and fields of a type are part of that type's name, as go doc
// shows them.
func TestSurface(t *testing.T) {
	// The package's own files as the go command sees them here (the
	// suite's files carry no build tags, so go doc sees the same set).
	bp, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, "github.com/disconnectex/disconnectex/conformance")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			names = append(names, v.Names...)
		}
	}
	values(d.Consts)
	values(d.Vars)
	for _, f := range d.Funcs {
		names = append(names, f.Name)
	}
	for _, ty := range d.Types {
		names = append(names, ty.Name)
		for _, f := range ty.Funcs {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	if len(names) > maxExported {
		t.Errorf("conformance exports %d names, want at most %d: %s", len(names), maxExported, strings.Join(names, " "))
	}
	for _, want := range []string{"Run", "Backend", "Execute", "ParseDivergences"} {
		if !slices.Contains(names, want) {
			t.Errorf("conformance does not export %s (it exports %s)", want, strings.Join(names, " "))
		}
	}
	t.Logf("%d exported names: %s", len(names), strings.Join(names, " "))
}
