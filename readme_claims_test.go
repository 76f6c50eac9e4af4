package disconnectex_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
)

// The README's claims that a test can check: the paths it names exist,
// the tests and benchmarks it names exist, the identifiers of this
// module's packages it uses are declared, and the summary line it quotes
// from scripts/wine-test has the shape the script prints.

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmePaths: every repository path the README names (in backticks
// or as a link target) exists.
func TestReadmePaths(t *testing.T) {
	text := readme(t)
	var paths []string
	for _, m := range regexp.MustCompile("`([^`\\s]+)`").FindAllStringSubmatch(text, -1) {
		paths = append(paths, m[1])
	}
	for _, m := range regexp.MustCompile(`\]\(([^)\s#]+)\)`).FindAllStringSubmatch(text, -1) {
		paths = append(paths, m[1])
	}
	roots := []string{"spec", "emulator", "native", "conformance", "overlapped", "reuse", "picture", "internal",
		"testdata", "cmd", "docs", "scripts", ".github", ".ci", "LICENSE", "CHANGELOG.md", "README.md"}
	checked := 0
	for _, p := range paths {
		p = strings.TrimPrefix(p, "./")
		first, _, _ := strings.Cut(p, "/")
		if !slices.Contains(roots, first) || strings.ContainsAny(p, "<>*{}$") {
			continue
		}
		checked++
		if _, err := os.Stat(filepath.FromSlash(p)); err != nil {
			if _, isCase := conformance.Lookup(p); !isCase { // a case name such as reuse/twice
				t.Errorf("README.md names %s, which is neither a path nor a conformance case", p)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d paths checked: the patterns no longer match the README", checked)
	}
}

// declared returns the top-level names declared in the Go files of dir
// (every GOOS, tests included), with the package name.
func declared(t *testing.T, dir string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				name := d.Name.Name
				if d.Recv != nil && len(d.Recv.List) == 1 {
					typ := d.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						names[id.Name+"."+name] = true
					}
					continue
				}
				names[name] = true
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names
}

// TestReadmeIdentifiers: every pkg.Name the README uses, for a package of
// this module, is declared there.
func TestReadmeIdentifiers(t *testing.T) {
	text := readme(t)
	pkgs := map[string]map[string]bool{}
	for _, p := range []string{"spec", "emulator", "native", "conformance", "overlapped", "reuse", "picture"} {
		pkgs[p] = declared(t, p)
	}
	seen := 0
	for _, m := range regexp.MustCompile(`\b(spec|emulator|native|conformance|overlapped|reuse|picture)\.([A-Z]\w*)`).FindAllStringSubmatch(text, -1) {
		pkg, name := m[1], m[2]
		seen++
		if !pkgs[pkg][name] {
			t.Errorf("README.md uses %s.%s, which package %s does not declare", pkg, name, pkg)
		}
	}
	if seen < 10 {
		t.Errorf("only %d identifiers seen: the pattern no longer matches the README", seen)
	}
}

// TestReadmeTestNames: every Test, Benchmark, Fuzz or Example name the
// README mentions exists, in the package its go test line names when
// there is one.
func TestReadmeTestNames(t *testing.T) {
	text := readme(t)
	all := map[string]bool{}
	dirs := map[string]map[string]bool{}
	_ = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" && path != "testdata" {
			return filepath.SkipDir
		}
		names := declared(t, path)
		dirs[path] = names
		for n := range names {
			all[n] = true
		}
		return nil
	})
	// A name after "func " is the README's own example code, one after a
	// dot belongs to another package (nettest.TestConn).
	name := regexp.MustCompile(`(func |\.)?\b((?:Test|Benchmark|Fuzz|Example)[A-Z]\w*)`)
	goTest := regexp.MustCompile(`go test (?:[^\n]*? )?\./([\w/]*)`)
	for _, line := range strings.Split(text, "\n") {
		dir := ""
		if m := goTest.FindStringSubmatch(line); m != nil {
			dir = strings.TrimSuffix(m[1], "/")
			if dir == "" {
				dir = "."
			}
		}
		for _, m := range name.FindAllStringSubmatch(line, -1) {
			if m[1] != "" {
				continue
			}
			n := m[2]
			switch {
			case dir != "" && dirs[dir] != nil:
				if !dirs[dir][n] {
					t.Errorf("README.md: %s is not declared in ./%s (line %q)", n, dir, line)
				}
			case !all[n]:
				t.Errorf("README.md names %s, which no package declares", n)
			}
		}
	}
}

// TestReadmeWineLine: the summary line the README quotes has the shape
// scripts/wine-test prints.
func TestReadmeWineLine(t *testing.T) {
	script, err := os.ReadFile("scripts/wine-test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), `echo "wine: $passed passed, $xfail known divergences, $skipped skipped"`) {
		t.Fatal("scripts/wine-test no longer prints the line this test expects; update both")
	}
	line := regexp.MustCompile(`(?m)^wine: \d+ passed, \d+ known divergences, \d+ skipped$`)
	if !line.MatchString(readme(t)) {
		t.Error("README.md does not quote scripts/wine-test's last line in its shape: wine: N passed, M known divergences, K skipped")
	}
}
