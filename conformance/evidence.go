package conformance

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// The evidence table: every expectation read from a public, Windows-checked
// test source, one entry per check (or per run of checks on one call),
// with the case that checks the same thing here, or why spec.API cannot
// express it. Each source lives in a file of its own
// (evidence_wine_sock.go, evidence_dotnet.go, ...) that registers itself
// with registerEvidence, so that the people porting different sources
// never edit the same file. docs/evidence.md is generated from the table
// (evidenceMarkdown); TestEvidenceDoc fails when it is stale.
//
// A case derived from a source cites it this way, by the entries that
// name it: evidenceFor(case) lists them, and the document shows them per
// case. Nothing of the source's code is copied: Checks is our own summary.

// evidenceKind is how the source states an expectation.
type evidenceKind string

const (
	// kindOK: a plain ok() in a Wine test: it passes on Windows (Wine's
	// test bot runs every test there) and on Wine.
	kindOK evidenceKind = "ok"
	// kindTodoWine: an ok() under todo_wine: Windows passes it, Wine fails.
	kindTodoWine evidenceKind = "todo_wine"
	// kindBroken: an alternative outcome accepted with broken(): some
	// Windows version behaves differently. A version difference.
	kindBroken evidenceKind = "broken"
	// kindWinSkip: the test skips when a Windows version lacks the
	// feature. A version difference.
	kindWinSkip evidenceKind = "win_skip"
	// kindAssert: an xunit Assert in dotnet/runtime's tests, run on the
	// Windows legs of its CI.
	kindAssert evidenceKind = "assert"
)

func evidenceKinds() []evidenceKind {
	return []evidenceKind{kindOK, kindTodoWine, kindBroken, kindWinSkip, kindAssert}
}

// versionDifference reports whether k records a difference between
// Windows versions rather than one expectation.
func (k evidenceKind) versionDifference() bool { return k == kindBroken || k == kindWinSkip }

// evidenceSource is one source file pinned to one version.
type evidenceSource struct {
	// Name is a short label, unique: "wine-sock", "dotnet-disconnect".
	Name string
	// Repo is the GitHub repository ("Gcenx/winecx"), Path the file in
	// it, Version the tag or branch read and Commit the commit it named.
	Repo, Path, Version, Commit string
	// Functions read completely: every check in them has an entry. A
	// test holding the source text (see TestEvidenceSourceLines) checks
	// that no check line of these functions is left without one.
	Complete []string
	// CasePrefix, if set, marks the cases derived from this source: each
	// case whose name starts with it must be named by one of its entries.
	CasePrefix string
	Entries    []expectation
}

// expectation is one check of the source.
type expectation struct {
	// Func is the function (or test method) the check is in.
	Func string
	// Line is the line of the check in the pinned version; End, when
	// nonzero, the last line of a run of checks on one call that the
	// entry summarises together.
	Line, End int
	Kind      evidenceKind
	// Checks says what the source checks, in our own words.
	Checks string
	// Case names the conformance case that checks it, or is "" when
	// spec.API cannot express it; then Why says why.
	Case string
	Why  string
	// Clause is the spec clause the check bears on, for an entry with no
	// case or a version difference (a case's entries take its clauses).
	Clause string
}

// Reasons an expectation cannot be expressed, shared by the sources.
const (
	whyBuffers      = "spec.API's AcceptEx and ConnectEx take no data buffers or address-buffer sizes"
	whyReadFile     = "spec.API has no ReadFile/WriteFile on sockets"
	whyLastError    = "spec.API returns nil for success and does not expose the last error after one"
	whyAPC          = "spec.API has no completion routines (APCs) or alertable waits"
	whySelect       = "spec.API has no select, WSAEventSelect or WSAAsyncSelect"
	whyIoctl        = "spec.API has no WSAIoctl beyond SIO_GET_EXTENSION_FUNCTION_POINTER"
	whySockopt      = "spec.API has no getsockopt/setsockopt beyond SO_LINGER, SO_REUSEADDR, SO_EXCLUSIVEADDRUSE and the two UPDATE_*_CONTEXT options"
	whyNonblocking  = "spec.API has no FIONBIO (non-blocking mode)"
	whyTransmitFile = "spec.API has no TransmitFile or TransmitPackets"
	whyAddrBuffers  = "spec.API has no GetAcceptExSockaddrs or the AcceptEx address buffers"
	whyIPv6         = "the suite's helpers are IPv4 only"
	whyTimeouts     = "the check measures real elapsed time, which a backend with virtual time does not have"
	whyFilesystem   = "the check needs files, pipes or other non-socket handles beyond events"
	whyProcess      = "the check needs a second process or DuplicateHandle"
	whySetup        = "setup of the test itself (a socket, a bind, a buffer) that the suite's helpers do with mustOK; no property of the calls under test"
)

// evidenceSources is filled by the source files' init functions.
var evidenceSources []*evidenceSource

// registerEvidence adds a source to the table.
func registerEvidence(s *evidenceSource) { evidenceSources = append(evidenceSources, s) }

// sources returns the registered sources in name order.
func sources() []*evidenceSource {
	out := slices.Clone(evidenceSources)
	slices.SortFunc(out, func(a, b *evidenceSource) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// cite formats the place of one entry: "Gcenx/winecx dlls/ws2_32/tests/sock.c@crossover-wine-23.0.1 test_X:123".
func (s *evidenceSource) cite(e expectation) string {
	return fmt.Sprintf("%s %s@%s %s:%s", s.Repo, s.Path, s.Version, e.Func, e.lines())
}

func (e expectation) lines() string {
	if e.End > e.Line {
		return fmt.Sprintf("%d-%d", e.Line, e.End)
	}
	return fmt.Sprint(e.Line)
}

// evidenceFor returns the citations of the entries that name case c.
func evidenceFor(c string) []string {
	var out []string
	for _, s := range sources() {
		for _, e := range s.Entries {
			if e.Case == c {
				out = append(out, s.cite(e))
			}
		}
	}
	return out
}

// evidenceProblems checks the table: sources complete and unique; every
// entry placed, described, and either naming an existing case or saying
// why not; clauses exist; a version difference bears on a clause.
func evidenceProblems() []string { return evidenceProblemsIn(sources()) }

func evidenceProblemsIn(srcs []*evidenceSource) []string {
	var out []string
	names := map[string]bool{}
	for _, s := range srcs {
		if s.Name == "" || names[s.Name] {
			out = append(out, fmt.Sprintf("source %q: empty or duplicate name", s.Name))
		}
		names[s.Name] = true
		if s.Repo == "" || s.Path == "" || s.Version == "" || s.Commit == "" {
			out = append(out, fmt.Sprintf("source %s: repo, path, version and commit are all required", s.Name))
		}
		named := map[string]bool{}
		for _, e := range s.Entries {
			named[e.Case] = true
		}
		if s.CasePrefix != "" {
			for _, c := range Cases() {
				if strings.HasPrefix(c.Name, s.CasePrefix) && !named[c.Name] {
					out = append(out, fmt.Sprintf("source %s: case %s is derived from it (prefix %q) but no entry names it", s.Name, c.Name, s.CasePrefix))
				}
			}
		}
		for _, e := range s.Entries {
			at := s.Name + " " + e.Func + ":" + e.lines()
			if e.Func == "" || e.Line <= 0 || (e.End != 0 && e.End < e.Line) {
				out = append(out, fmt.Sprintf("%s: function and a positive line (End 0 or >= Line) are required", at))
			}
			if !slices.Contains(evidenceKinds(), e.Kind) {
				out = append(out, fmt.Sprintf("%s: unknown kind %q", at, e.Kind))
			}
			if strings.TrimSpace(e.Checks) == "" {
				out = append(out, at+": Checks is empty")
			}
			switch {
			case e.Case == "" && strings.TrimSpace(e.Why) == "":
				out = append(out, at+": names no case and gives no reason why none can check it")
			case e.Case != "" && e.Why != "":
				out = append(out, at+": names a case and a reason for having none; keep one")
			case e.Case != "":
				if _, ok := Lookup(e.Case); !ok {
					out = append(out, fmt.Sprintf("%s: case %q does not exist", at, e.Case))
				}
			}
			if e.Clause != "" {
				if _, ok := spec.Lookup(e.Clause); !ok {
					out = append(out, fmt.Sprintf("%s: clause %q is not in spec.Clauses()", at, e.Clause))
				}
			}
			if e.Kind.versionDifference() && e.Clause == "" && e.Case == "" {
				out = append(out, at+": a version difference must bear on a clause (Clause) or a case")
			}
		}
	}
	return out
}

// entryClauses returns the clauses an entry bears on.
func entryClauses(e expectation) []string {
	if e.Clause != "" {
		return []string{e.Clause}
	}
	if c, ok := Lookup(e.Case); ok {
		return c.Clauses
	}
	return nil
}

// evidenceMarkdown renders docs/evidence.md.
func evidenceMarkdown() string {
	var b strings.Builder
	srcs := sources()
	b.WriteString("# Evidence\n\n")
	b.WriteString("Generated from the evidence table in conformance/evidence*.go; do not edit. Regenerate with\n")
	b.WriteString("`go test ./conformance -run TestEvidenceDoc -update`.\n\n")
	b.WriteString("Every expectation read from a Windows-checked test source, where it stands (repository, file,\n")
	b.WriteString("pinned version, function, line), what it checks in our words, and the conformance case that\n")
	b.WriteString("checks the same thing, or why spec.API cannot express it. Kinds: `ok` passes on Windows and Wine;\n")
	b.WriteString("`todo_wine` passes on Windows, fails on Wine; `broken` and `win_skip` record a difference between\n")
	b.WriteString("Windows versions; `assert` is an xunit assertion of dotnet/runtime's Windows CI.\n\n")

	b.WriteString("## Sources\n\n| Source | File | Version | Entries | With a case | Not expressible |\n|---|---|---|---|---|---|\n")
	total, withCase := 0, 0
	for _, s := range srcs {
		n := 0
		for _, e := range s.Entries {
			if e.Case != "" {
				n++
			}
		}
		total += len(s.Entries)
		withCase += n
		fmt.Fprintf(&b, "| %s | %s `%s` | %s (%s) | %d | %d | %d |\n", s.Name, s.Repo, s.Path, s.Version, short(s.Commit), len(s.Entries), n, len(s.Entries)-n)
	}
	fmt.Fprintf(&b, "| all | | | %d | %d | %d |\n", total, withCase, total-withCase)

	for _, s := range srcs {
		fmt.Fprintf(&b, "\n## %s\n\n%s `%s` at %s (commit %s).\n", s.Name, s.Repo, s.Path, s.Version, s.Commit)
		if len(s.Complete) > 0 {
			fmt.Fprintf(&b, "Read completely (every check has an entry): %s.\n", strings.Join(s.Complete, ", "))
		}
		b.WriteString("\n| Function | Line | Kind | Checks | Case, or why not |\n|---|---|---|---|---|\n")
		es := slices.Clone(s.Entries)
		slices.SortStableFunc(es, func(a, b expectation) int { return cmp.Compare(a.Line, b.Line) })
		for _, e := range es {
			to := "`" + e.Case + "`"
			if e.Case == "" {
				to = "not expressible: " + cell(e.Why)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", e.Func, e.lines(), e.Kind, cell(e.Checks), to)
		}
	}

	b.WriteString("\n## Version differences by clause\n\n")
	b.WriteString("The `broken` and `win_skip` entries: outcomes some Windows versions give instead.\n\n")
	b.WriteString("| Clause | Source | Where | Difference |\n|---|---|---|---|\n")
	nd := 0
	for _, cl := range spec.Clauses() {
		for _, s := range srcs {
			for _, e := range s.Entries {
				if e.Kind.versionDifference() && slices.Contains(entryClauses(e), cl.ID) {
					fmt.Fprintf(&b, "| %s | %s | %s:%s | %s |\n", cl.ID, s.Name, e.Func, e.lines(), cell(e.Checks))
					nd++
				}
			}
		}
	}
	if nd == 0 {
		b.WriteString("| (none) | | | |\n")
	}

	b.WriteString("\n## Cases and the source lines they check\n\n| Case | Source lines |\n|---|---|\n")
	for _, c := range sortedCases() {
		if ev := evidenceFor(c.Name); len(ev) > 0 {
			fmt.Fprintf(&b, "| `%s` | %s |\n", c.Name, cell(strings.Join(compactCites(ev), "; ")))
		}
	}
	return b.String()
}

// compactCites shortens citations of one case that share a source prefix
// ("repo path@version func:") to the line numbers after the first.
func compactCites(cites []string) []string {
	var out []string
	prev := ""
	for _, c := range cites {
		i := strings.LastIndexByte(c, ':')
		prefix, line := c[:i+1], c[i+1:]
		if prefix == prev {
			out[len(out)-1] += ", " + line
			continue
		}
		prev = prefix
		out = append(out, c)
	}
	return out
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
