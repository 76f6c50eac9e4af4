package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/internal/docsync"
)

func TestEvidence(t *testing.T) {
	for _, p := range evidenceProblems() {
		t.Error(p)
	}
}

// TestEvidenceProblems checks that the table check catches each kind of
// mistake, so that TestEvidence can fail.
func TestEvidenceProblems(t *testing.T) {
	ok := expectation{Func: "f", Line: 1, Kind: kindOK, Checks: "x", Case: "return/sync-true"}
	bad := func(mut func(*expectation)) expectation { e := ok; mut(&e); return e }
	for _, tc := range []struct {
		name string
		e    expectation
		want string
	}{
		{"missing case", bad(func(e *expectation) { e.Case = "no/such-case" }), "does not exist"},
		{"no case, no reason", bad(func(e *expectation) { e.Case = "" }), "gives no reason"},
		{"case and reason", bad(func(e *expectation) { e.Why = "because" }), "keep one"},
		{"no line", bad(func(e *expectation) { e.Line = 0 }), "positive line"},
		{"end before line", bad(func(e *expectation) { e.Line, e.End = 5, 4 }), "positive line"},
		{"no checks", bad(func(e *expectation) { e.Checks = " " }), "Checks is empty"},
		{"unknown kind", bad(func(e *expectation) { e.Kind = "maybe" }), "unknown kind"},
		{"unknown clause", bad(func(e *expectation) { e.Clause = "DX-NOPE" }), "not in spec.Clauses()"},
		{"version difference with nothing", bad(func(e *expectation) { e.Kind, e.Case, e.Why = kindBroken, "", "n/a" }), "must bear on a clause"},
	} {
		src := &evidenceSource{Name: "t", Repo: "r", Path: "p", Version: "v", Commit: "c", Entries: []expectation{tc.e}}
		ps := evidenceProblemsIn([]*evidenceSource{src})
		if len(ps) != 1 || !strings.Contains(ps[0], tc.want) {
			t.Errorf("%s: got problems %q, want one containing %q", tc.name, ps, tc.want)
		}
	}
	src := &evidenceSource{Name: "t", Repo: "r", Path: "p", Version: "v", Commit: "c", Entries: []expectation{ok}}
	if ps := evidenceProblemsIn([]*evidenceSource{src}); len(ps) != 0 {
		t.Errorf("a valid entry: got problems %q", ps)
	}
	src.CasePrefix = "timewait/"
	if ps := evidenceProblemsIn([]*evidenceSource{src}); len(ps) == 0 || !strings.Contains(ps[0], "no entry names it") {
		t.Errorf("a derived case without an entry: got problems %q", ps)
	}
	if ps := evidenceProblemsIn([]*evidenceSource{{Name: "t"}}); len(ps) == 0 {
		t.Errorf("a source without repo, path, version, commit: got no problem")
	}
}

func TestEvidenceDoc(t *testing.T) {
	docsync.CheckFile(t, filepath.Join("..", "docs", "evidence.md"), evidenceMarkdown(), *update,
		"go test ./conformance -run TestEvidenceDoc -update")
}

// TestEvidenceCasesCiteTheirClauses checks that a case named by an entry
// that gives a clause cites that clause: the line's evidence is the
// clause's evidence.
func TestEvidenceCasesCiteTheirClauses(t *testing.T) {
	for _, s := range sources() {
		for _, e := range s.Entries {
			if e.Case == "" || e.Clause == "" {
				continue
			}
			c, _ := Lookup(e.Case)
			found := false
			for _, id := range c.Clauses {
				found = found || id == e.Clause
			}
			if !found {
				t.Errorf("%s: names case %s for clause %s, which the case does not cite", s.cite(e), e.Case, e.Clause)
			}
		}
	}
}

// TestEvidenceSourceLines checks the entries against the source text, which
// the repository does not hold (no fetched code is committed). Point
// DX_EVIDENCE_ROOT at a directory holding <repo>/<path> of the pinned
// versions, for example
//
//	git -C <winecx git dir> show crossover-wine-23.0.1:dlls/ws2_32/tests/sock.c \
//	  > $DX_EVIDENCE_ROOT/Gcenx/winecx/dlls/ws2_32/tests/sock.c
//
// Then each entry's line must be a check (ok(), todo_wine, broken(),
// win_skip(), an Assert) inside its function, and every check line of the
// functions a source lists as Complete must be covered by an entry.
func TestEvidenceSourceLines(t *testing.T) {
	root := os.Getenv("DX_EVIDENCE_ROOT")
	if root == "" {
		t.Skip("DX_EVIDENCE_ROOT is not set: no source text to check the line numbers against")
	}
	for _, s := range sources() {
		data, err := os.ReadFile(filepath.Join(root, s.Repo, s.Path))
		if err != nil {
			t.Logf("%s: %v (not checked)", s.Name, err)
			continue
		}
		for _, p := range sourceLineProblems(s, strings.Split(string(data), "\n")) {
			t.Error(p)
		}
	}
}

var (
	cCheck  = regexp.MustCompile(`\bok\s*\(|\bok_\s*\(|\bbroken\s*\(|\bwin_skip\s*\(|\bskip\s*\(|\bcheck_poll\w*\s*\(`)
	csCheck = regexp.MustCompile(`\bAssert\.`)
)

// sourceLineProblems checks s's entries against the file's lines.
func sourceLineProblems(s *evidenceSource, lines []string) []string {
	check := cCheck
	if strings.HasSuffix(s.Path, ".cs") {
		check = csCheck
	}
	isCheck := func(n int) bool { return n >= 1 && n <= len(lines) && check.MatchString(lines[n-1]) }
	var out []string
	spans := map[string][2]int{}
	span := func(fn string) [2]int {
		if sp, ok := spans[fn]; ok {
			return sp
		}
		sp := funcSpan(lines, fn, strings.HasSuffix(s.Path, ".cs"))
		spans[fn] = sp
		return sp
	}
	covered := map[int]bool{}
	for _, e := range s.Entries {
		at := s.cite(e)
		sp := span(e.Func)
		if sp[0] == 0 {
			out = append(out, fmt.Sprintf("%s: function %s not found", at, e.Func))
			continue
		}
		end := max(e.End, e.Line)
		if e.Line < sp[0] || end > sp[1] {
			out = append(out, fmt.Sprintf("%s: lines outside %s (%d-%d)", at, e.Func, sp[0], sp[1]))
		}
		if !isCheck(e.Line) {
			out = append(out, fmt.Sprintf("%s: line %d is not a check: %q", at, e.Line, line(lines, e.Line)))
		}
		if e.End > e.Line && !isCheck(e.End) {
			out = append(out, fmt.Sprintf("%s: last line %d is not a check: %q", at, e.End, line(lines, e.End)))
		}
		if e.Kind == kindTodoWine && !todoWineAt(lines, e.Line) {
			out = append(out, fmt.Sprintf("%s: kind todo_wine, but no todo_wine marks line %d", at, e.Line))
		}
		for n := e.Line; n <= end; n++ {
			covered[n] = true
		}
	}
	for _, fn := range s.Complete {
		sp := span(fn)
		if sp[0] == 0 {
			out = append(out, fmt.Sprintf("%s: complete function %s not found", s.Name, fn))
			continue
		}
		for n := sp[0]; n <= sp[1]; n++ {
			if isCheck(n) && !covered[n] {
				out = append(out, fmt.Sprintf("%s: %s:%d is a check with no entry: %q", s.Name, fn, n, line(lines, n)))
			}
		}
	}
	return out
}

func line(lines []string, n int) string {
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// funcSpan returns the first and last line of function fn: for C, from
// its definition at column 0 to the "}" that closes its body (braces in
// string and character literals and in comments do not count, so a block
// whose "}" stands at column 0, as sock.c's todo_wine blocks sometimes do,
// does not end it); for C#, from the first line declaring it to the line
// before the next member declaration.
func funcSpan(lines []string, fn string, cs bool) [2]int {
	def := regexp.MustCompile(`^[A-Za-z_][\w \t\*]*\b` + regexp.QuoteMeta(fn) + `\s*\(`)
	member := regexp.MustCompile(`^\s*(public|private|internal|protected)\s`)
	if cs {
		def = regexp.MustCompile(`\s` + regexp.QuoteMeta(fn) + `\s*[(<]`)
	}
	for i, l := range lines {
		if !def.MatchString(l) || strings.HasSuffix(strings.TrimSpace(l), ";") {
			continue
		}
		if !cs {
			if end := closingBrace(lines, i); end > 0 {
				return [2]int{i + 1, end}
			}
			return [2]int{i + 1, len(lines)}
		}
		for j := i + 1; j < len(lines); j++ {
			if member.MatchString(lines[j]) {
				return [2]int{i + 1, j}
			}
		}
		return [2]int{i + 1, len(lines)}
	}
	return [2]int{}
}

// closingBrace returns the line (1-based) of the "}" that closes the body
// of the C function defined at line index i, or 0 if there is none.
func closingBrace(lines []string, i int) int {
	depth, opened, comment := 0, false, false
	for j := i; j < len(lines); j++ {
		l := lines[j]
		for k := 0; k < len(l); k++ {
			switch c := l[k]; {
			case comment:
				if c == '*' && k+1 < len(l) && l[k+1] == '/' {
					comment = false
					k++
				}
			case c == '/' && k+1 < len(l) && l[k+1] == '/':
				k = len(l)
			case c == '/' && k+1 < len(l) && l[k+1] == '*':
				comment = true
				k++
			case c == '"' || c == '\'':
				for k++; k < len(l) && l[k] != c; k++ {
					if l[k] == '\\' {
						k++
					}
				}
			case c == '{':
				depth++
				opened = true
			case c == '}':
				depth--
				if opened && depth == 0 {
					return j + 1
				}
			}
		}
	}
	return 0
}

// todoWineAt reports whether line n is marked todo_wine: on the line, on
// one of the three before it, or by an enclosing todo_wine { ... } block.
// A check_poll_todo or check_poll_mask_todo call (sock.c's WSAPoll check
// macros, whose ok_ reports at the caller's line) is marked too.
func todoWineAt(lines []string, n int) bool {
	if n >= 1 && n <= len(lines) && regexp.MustCompile(`\bcheck_poll\w*_todo\s*\(`).MatchString(lines[n-1]) {
		return true
	}
	for k := max(n-3, 1); k <= n; k++ {
		if strings.Contains(lines[k-1], "todo_wine") {
			return true
		}
	}
	depth := 0
	for k := n - 1; k >= max(n-60, 1); k-- {
		l := strings.TrimSpace(lines[k-1])
		depth += strings.Count(l, "}") - strings.Count(l, "{")
		if depth < 0 {
			prev := ""
			if k > 1 {
				prev = strings.TrimSpace(lines[k-2])
			}
			return strings.HasPrefix(l, "todo_wine") || strings.HasPrefix(prev, "todo_wine")
		}
	}
	return false
}

// TestSourceLineProblems checks the source-text check on a small file.
func TestSourceLineProblems(t *testing.T) {
	text := strings.Split(`static void test_a(void)
{
    ret = f();
    ok(!ret, "x\n");
    todo_wine ok(ret, "y\n");
    ok(ret, "z\n");
}`, "\n")
	s := &evidenceSource{Name: "t", Path: "t.c", Complete: []string{"test_a"}, Entries: []expectation{
		{Func: "test_a", Line: 4, Kind: kindOK},
		{Func: "test_a", Line: 5, Kind: kindTodoWine},
		{Func: "test_a", Line: 3, Kind: kindOK},
		{Func: "test_b", Line: 1, Kind: kindOK},
	}}
	got := strings.Join(sourceLineProblems(s, text), "\n")
	for _, want := range []string{"line 3 is not a check", "function test_b not found", "test_a:6 is a check with no entry"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q: want one containing %q", got, want)
		}
	}
	if strings.Contains(got, ":4") || strings.Contains(got, "line 5") {
		t.Errorf("problems %q: lines 4 and 5 are fine", got)
	}
}
