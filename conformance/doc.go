// Package conformance is one table of cases that checks any implementation
// of spec.API against the DisconnectEx contract, run unchanged against
// every backend: the pure-Go emulator (both profiles), the native Windows
// backend, and Wine.
//
// # Running it against a backend
//
// The suite is a library, in the style of golang.org/x/net/nettest and
// testing/fstest: a backend's own test calls Run with a Backend whose New
// builds a fresh spec.API for each case.
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Backend{
//			Name: "mybackend",
//			New: func(t testing.TB, s spec.Settings) (spec.API, error) {
//				return mybackend.New(s)
//			},
//			Capabilities: []conformance.Capability{conformance.Settings},
//			Known:        known, // from conformance.ParseDivergences
//		})
//	}
//
// Known carries the backend's known divergences as data (see below).
//
// Every case becomes a subtest named after it ("timewait/delay-30s"), so
// `go test -run 'TestConformance/timewait/'` selects a group. New receives
// spec.DefaultSettings() adjusted by the case (Case.Settings); it returns an
// error, rather than failing t, for settings it cannot build, because one
// case checks that a 301 s TIME_WAIT delay is refused.
//
// Tools that run outside go test (the disconnectex command's report) find
// cases with Cases and Lookup and call Execute, which returns a Result per
// case; Run uses the same code. There the testing.TB handed to New is a small adapter: Cleanup,
// Log, Error, Fatal, Skip, TempDir, Context, Setenv and Chdir work.
//
// # Cases
//
// A Case names the spec clauses it checks (spec.Clause* IDs), the
// capabilities it needs, and a body that uses only spec.API (plus the
// optional State introspection). Both ends of every connection are
// sockets of the API under test, made on 127.0.0.1 by the helpers in
// helpers.go. Cases are grouped in files by what they check: parameters,
// return values, error codes, overlapped completion, completion ports,
// cancellation and thread exit, TIME_WAIT, reuse, ports, and bad input.
// Every clause of spec.Clauses() is cited by at least one case (a test
// checks it), and docs/coverage.md is the generated clause-by-case table
// (regenerate with `go test ./conformance -run TestCoverageDoc -update`).
//
// Real Windows is the oracle: where the page and Windows disagree
// (status Contradicts) the cases expect Windows. Where a clause is
// Unverified or Unspecified the case accepts only the outcomes the
// evidence allows, for example any failure but not success, and logs the
// outcome the backend chose.
//
// The body reports to a T, a recorder shaped like testing.T (Errorf,
// Fatalf, Logf, Helper, Cleanup, Skipf). Fatalf ends the body with
// runtime.Goexit; the body runs in a goroutine of its own that Execute
// waits for, with a wall-clock watchdog so a call that never returns fails
// the case instead of hanging the suite. Since go test attributes every
// failure to Run's own line, each failure message starts with the
// file:line of the check that failed (skipping functions that called
// Helper, as testing does), and a failing case's last line names the
// case's declaration, Case.Site.
//
// # Evidence
//
// Cases ported from Windows-checked test sources (Wine's ws2_32 tests,
// dotnet/runtime's System.Net.Sockets tests) cite the lines they check
// through the evidence table of evidence*.go: one file per source, each
// entry a check of the source (repository, file, pinned version, function,
// line), what it checks in our words, and the case that checks it here or
// why spec.API cannot express it. broken() and win_skip lines are entries
// too, listed per clause as differences between Windows versions.
// docs/evidence.md is generated from the table
// (`go test ./conformance -run TestEvidenceDoc -update`); tests fail when
// it is stale, when an entry names a missing case, and when a derived case
// (its name has the source's prefix, such as "wine-") has no entry.
// With DX_EVIDENCE_ROOT pointing at the sources' text, a test also checks
// every line number and that no check of a function read completely is
// left out.
//
// # Capabilities
//
// A case that needs something not every backend can do lists it in Needs,
// and a backend without it skips the case with "needs capability X: why",
// like gVisor's syscall tests:
//
//   - VirtualTime: Sleep and waits advance virtual time, so a case may wait
//     out TIME_WAIT delays of minutes in no real time.
//   - Settings: the backend can be built with any spec.Settings (TIME_WAIT
//     delay, dynamic port range). A case with Case.Settings lists it in
//     Needs, like every capability it needs (a test checks).
//   - LongWaits: real waits of minutes are acceptable.
//   - Introspection: the API implements State(spec.Socket) (spec.State, error).
//   - WildPointers: passing an OVERLAPPED pointer the backend never handed
//     out is safe (the emulator validates it; native needs child-process
//     isolation, since an implementation that writes through it crashes).
//   - RemoteHosts: the API value implements
//     RemoteHost(spec.HostBehavior) (netip.AddrPort, error), which gives the address of a host beyond
//     loopback that accepts, never closes, refuses, drops SYNs or is
//     unreachable. The emulator has them all (its remote hosts); a native
//     backend produces what the machine allows and fails RemoteHost for the
//     rest, and the case then skips naming the capability and the behaviour.
//
// A case whose Waits exceed a few seconds needs VirtualTime or LongWaits.
//
// # Divergence data
//
// Known differences between a backend and the suite are data, like
// Wine's todo_wine: a JSON file per backend, read with ParseDivergences
// and given to Run in Backend.Known. This module's backends keep theirs in
// internal/backends/divergences/<backend>.json, embedded there:
//
//	{"backend": "emulator-documented", "entries": [
//	  {"case": "...", "clause": "DX-...", "expected": "...", "observed": "...", "reason": "..."}]}
//
// Each entry must name an existing case and one of the clauses that case
// cites; ParseDivergences checks this, and Run fails at once on bad data.
// The case must then fail, with a failure message containing
// observed (quote the "got ..." part of the message). An outcome's reason
// names where the entry came from: the name given to ParseDivergences, or
// Divergence.File of an entry built in code ("Backend.Known of <backend>"
// when that is empty).
//
// # Outcomes
//
//   - pass: the case passed and no divergence is recorded.
//   - fail: the case failed and no divergence explains it.
//   - xfail: the case failed as recorded; the subtest passes and logs
//     "XFAIL: known divergence ...".
//   - unexpected pass: a divergence is recorded but the case passed, or
//     failed with other text; the subtest fails, so stale data cannot hide.
//   - skip: the backend lacks a capability, or the case skipped itself.
//
// Run ends with one log line counting each outcome.
//
// The emulator's two profiles are the suite's own check: emulator-windows
// passes every case (its divergence file is empty), and
// emulator-documented, which follows the page, fails exactly the cases
// citing the clauses Windows contradicts (a test checks that the clauses in
// its divergence file are the Contradicts clauses, no more, no fewer).
package conformance
