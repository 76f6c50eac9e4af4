package backends

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneHome enumerates the module's backends from this package and fails
// where one is described again anywhere else in the module (tests
// included): a conformance.Backend literal that names one of them, a
// string that repeats a backend's description, a go:embed of divergence
// data or a divergences folder outside this package, and in non-test code
// a conformance.Backend literal with capabilities or divergence data or a
// backend's name written as a literal other than as the argument of
// Lookup. Tests may build backends of their own under other names (fakes,
// and the example of an outside module's backend): they describe no
// backend of this module.
func TestOneHome(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	home, _ := filepath.Abs(".")
	names, descriptions := map[string]bool{}, map[string]string{}
	for _, b := range All() {
		names[b.Name] = true
		descriptions[b.Description] = b.Name
	}
	files := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			switch {
			case p == home:
				return filepath.SkipDir
			case p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" && rel != "testdata"):
				return filepath.SkipDir
			case d.Name() == "divergences":
				t.Errorf("%s: divergence data outside internal/backends", rel)
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		files++
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return err
		}
		at := func(n ast.Node) string { return rel + ":" + strconv.Itoa(fset.Position(n.Pos()).Line) }
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.HasPrefix(c.Text, "//go:embed") && strings.Contains(c.Text, "divergences") {
					t.Errorf("%s: embeds divergence data (%s); it lives in internal/backends", at(c), c.Text)
				}
			}
		}
		isTest := strings.HasSuffix(p, "_test.go")
		lookupArgs := map[ast.Node]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Lookup" && len(n.Args) == 1 {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "backends" {
						lookupArgs[n.Args[0]] = true
					}
				}
			case *ast.CompositeLit:
				if !isBackendType(n.Type, f.Name.Name) {
					return true
				}
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					key, _ := kv.Key.(*ast.Ident)
					if key == nil {
						continue
					}
					switch key.Name {
					case "Capabilities", "Known":
						if !isTest {
							t.Errorf("%s: a conformance.Backend literal with %s describes a backend; take it from internal/backends", at(n), key.Name)
						}
					case "Name":
						if s, ok := stringLit(kv.Value); ok && names[s] {
							t.Errorf("%s: a conformance.Backend literal named %q; take it from internal/backends", at(n), s)
						}
					}
				}
			case *ast.BasicLit:
				s, ok := stringLit(n)
				if !ok {
					return true
				}
				if b, dup := descriptions[s]; dup && strings.Contains(s, " ") { // a phrase, not one word such as "Wine"
					t.Errorf("%s: %q repeats backend %s's description", at(n), s, b)
				}
				if names[s] && !isTest && !lookupArgs[n] {
					t.Errorf("%s: backend name %q written again; take it from internal/backends", at(n), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read %d Go files below %s; the walk went wrong", files, root)
	}
}

// isBackendType reports whether a composite literal's type is
// conformance.Backend (Backend inside package conformance).
func isBackendType(e ast.Expr, pkg string) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "conformance" && e.Sel.Name == "Backend"
	case *ast.Ident:
		return e.Name == "Backend" && (pkg == "conformance" || pkg == "conformance_test")
	}
	return false
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
