package emulator

import (
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// check looks at the whole emulator after a call (under its lock) and
// records what is wrong:
//   - virtual time never goes backwards;
//   - each handle is in exactly one state: a slot holds exactly the
//     object of its kind, a socket's handle value and slot are its own, a
//     live socket's State is a valid one other than closed, and no socket
//     is both a handle and an orphan or a backlog entry, or two handles;
//   - each request completes exactly once: an OVERLAPPED owes one
//     completion while pending and none otherwise (ovl.owed counts starts
//     less completions), and a pending request is listed once, on its own
//     socket, which lists nothing else;
//   - the TCP table has no 4-tuple twice.
func (r *fuzzRun) check(where string) {
	e := r.e
	e.mu.Lock()
	defer e.mu.Unlock()
	bad := func(format string, args ...any) {
		r.problem("after %s at %v: %s", where, time.Duration(e.now()), fmt.Sprintf(format, args...))
	}
	if now := e.now(); now < r.lastNow {
		bad("time went back from %v to %v", time.Duration(r.lastNow), time.Duration(now))
	} else {
		r.lastNow = now
	}

	where2 := map[*socket]string{}
	own := func(so *socket, as string) {
		if prev, ok := where2[so]; ok {
			bad("socket %#x is both %s and %s", uintptr(so.h), prev, as)
		}
		where2[so] = as
	}
	var socks []*socket
	for i := range e.handles {
		sl := &e.handles[i]
		objs := 0
		for _, p := range []bool{sl.sock != nil, sl.ev != nil, sl.port != nil} {
			if p {
				objs++
			}
		}
		want := 1
		switch sl.kind {
		case kindFree:
			want = 0
		case kindSocket:
			if so := sl.sock; so != nil {
				h := spec.Socket(handleValue(uint32(i), sl.gen))
				if so.h != h || so.slot != uint32(i) {
					bad("slot %d (handle %#x) holds a socket that names handle %#x, slot %d", i, uintptr(h), uintptr(so.h), so.slot)
				}
				if so.state >= spec.StateClosed {
					bad("open socket %#x in state %v", uintptr(h), so.state)
				}
				own(so, fmt.Sprintf("handle %#x", uintptr(h)))
				socks = append(socks, so)
			}
		case kindEvent, kindPort:
		default:
			bad("slot %d has kind %d", i, sl.kind)
		}
		if objs != want || (sl.kind == kindSocket && sl.sock == nil) || (sl.kind == kindEvent && sl.ev == nil) || (sl.kind == kindPort && sl.port == nil) {
			bad("slot %d of kind %d holds %d objects", i, sl.kind, objs)
		}
	}
	for _, o := range e.orphans {
		if o.h != 0 {
			bad("orphan with handle %#x", uintptr(o.h))
		}
		own(o, "an orphan")
		socks = append(socks, o)
	}
	// listenAt indexes exactly the listeners, in their order.
	byKey := map[listenKey][]*socket{}
	for _, l := range e.listeners {
		if l.state != spec.StateListening || l.h == 0 {
			bad("listener %#x in state %v", uintptr(l.h), l.state)
		}
		k := listenKey{l.af, l.local.Port()}
		byKey[k] = append(byKey[k], l)
	}
	if len(byKey) != len(e.listenAt) {
		bad("listenAt has %d ports, the listeners %d", len(e.listenAt), len(byKey))
	}
	for k, ls := range byKey {
		if !slices.Equal(ls, e.listenAt[k]) {
			bad("listenAt[%v] holds %d listeners, want %d in listen order", k, len(e.listenAt[k]), len(ls))
		}
	}
	for _, l := range e.listeners {
		for _, b := range l.backlog {
			if b.h != 0 {
				bad("backlog entry with handle %#x", uintptr(b.h))
			}
			own(b, "in a backlog")
			socks = append(socks, b)
		}
	}

	for _, o := range e.ovs {
		if o.owed != 0 && o.owed != 1 || (o.owed == 1) != o.pending {
			bad("OVERLAPPED %#x (%v): %d completions owed, pending %v: a request completed twice or never",
				uintptr(o.value()), o.op, o.owed, o.pending)
		}
		if !o.pending {
			continue
		}
		if !o.live {
			bad("freed OVERLAPPED %#x has a pending request", uintptr(o.value()))
		}
		if o.sock == nil {
			bad("pending request on %#x has no socket", uintptr(o.value()))
			continue
		}
		n := 0
		for _, idx := range o.sock.pending {
			if idx == o.idx {
				n++
			}
		}
		if n != 1 {
			bad("pending request on %#x is listed %d times on its socket", uintptr(o.value()), n)
		}
	}
	for _, so := range socks {
		for _, idx := range so.pending {
			if o := e.ovs[idx]; !o.pending || o.sock != so {
				bad("socket %#x lists a request on %#x that is not pending on it", uintptr(so.h), uintptr(o.value()))
			}
		}
	}

	// The port table counts the bound sockets, and among them those bound
	// to a specific address (DX-GAP-BIND-ADDRESS), exactly.
	boundOn := map[uint32]uint16{}
	named := map[netip.AddrPort]uint16{}
	namedOn := map[uint32]uint16{}
	for _, so := range socks {
		if !so.bound {
			if so.named {
				bad("socket %#x is named but not bound", uintptr(so.h))
			}
			continue
		}
		fam := famIndex(so.af)
		boundOn[famPort(fam, so.local.Port())]++
		if so.named {
			named[so.local]++
			namedOn[famPort(fam, so.local.Port())]++
		}
	}
	for k, n := range boundOn {
		if got := e.ports.bound[k>>16][uint16(k)]; got != n {
			bad("port %d (family %d) is counted bound %d times, %d sockets hold it", uint16(k), k>>16, got, n)
		}
	}
	optioned, dgrams := map[uint32]uint16{}, map[uint32]uint16{}
	for _, so := range socks {
		if so.bound && so.boundOpts != 0 {
			optioned[famPort(famIndex(so.af), so.local.Port())]++
		}
		if so.bound && !isStream(so) {
			dgrams[famPort(famIndex(so.af), so.local.Port())]++
		}
	}
	if !maps.Equal(optioned, e.ports.optionedOn) || !maps.Equal(dgrams, e.ports.dgramOn) {
		bad("the port table counts %v sockets with bind options and %v datagram sockets a port, the sockets %v and %v",
			e.ports.optionedOn, e.ports.dgramOn, optioned, dgrams)
	}
	if !maps.Equal(named, e.ports.named) || !maps.Equal(namedOn, e.ports.namedOn) {
		bad("the port table names %v (%v a port), the sockets bound to specific addresses are %v (%v)", e.ports.named, e.ports.namedOn, named, namedOn)
	}

	seen := map[[2]netip.AddrPort]spec.TCPState{}
	for _, row := range e.tcpTable() {
		k := [2]netip.AddrPort{row.Local, row.Remote}
		if st, dup := seen[k]; dup {
			bad("the TCP table lists %v -> %v twice (%v and %v)", row.Local, row.Remote, st, row.State)
		}
		seen[k] = row.State
	}
}

var neverCloses = netip.MustParsePrefix("198.51.100.128/25") // DefaultRemoteHosts

// closeAll ends a run: every fault rule removed, every handle closed, TIME_WAIT waited out, and then
// nothing may be left: no request pending, no TCP row, no caller inside
// the emulator, no thread started with Go still counted as running.
func (r *fuzzRun) closeAll() {
	e := r.e
	for _, rm := range r.removes { // no fault rule fails the closing calls
		rm()
	}
	for _, s := range r.socks {
		_ = e.Closesocket(s)
	}
	for _, h := range r.hs {
		_ = e.CloseHandle(h)
	}
	r.check("closing everything")
	e.Sleep(time.Hour)
	r.check("waiting out TIME_WAIT")
	rows, _ := e.TCPTable()
	e.mu.Lock()
	// Time saturates at the horizon (a wait of math.MaxInt64 goes there):
	// a TIME_WAIT row entered within the delay of it never expires.
	atHorizon := e.horizon()-e.now() <= e.delay+int64(time.Hour)
	e.mu.Unlock()
	rows = slices.DeleteFunc(rows, func(row spec.TCPRow) bool {
		// A connection closed towards a host that never sends its FIN
		// stays in FIN_WAIT2 (the emulator has no FIN_WAIT2 timeout).
		return row.State == spec.TCPFinWait2 && neverCloses.Contains(row.Remote.Addr()) ||
			row.State == spec.TCPTimeWait && atHorizon
	})
	if len(rows) != 0 {
		r.problem("after closing everything: %d TCP rows left: %v", len(rows), rows)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, o := range e.ovs {
		if o.pending {
			r.problem("after closing everything: a %v request on %#x still pending", o.op, uintptr(o.value()))
		}
	}
	if e.inCall != 0 || e.waiters != 0 || e.running != 0 || len(e.deadlines) != 0 {
		r.problem("after closing everything: %d calls in progress, %d waiting, %d threads running, %d deadlines",
			e.inCall, e.waiters, e.running, len(e.deadlines))
	}
}

// fuzzSeed is a readable seed input: the header and the calls.
type fuzzSeed struct {
	name string
	hdr  fuzzHeader
	ops  []fuzzOp
}

func (s fuzzSeed) data() []byte {
	out := append([]byte(nil), s.hdr[:]...)
	for _, op := range s.ops {
		out = append(out, op.Op, op.Lane, op.A, op.B, op.Flags, op.Reserved, op.Timeout, op.Arg)
	}
	return out
}

// opcodes, for writing seeds.
func opc(name string) uint8 {
	for i, n := range fuzzOpNames {
		if n == name {
			return uint8(i)
		}
	}
	panic("no fuzz op " + name)
}

// fcall is the Arg byte of an Inject op naming call.
func fcall(call string) uint8 {
	i := slices.Index(FaultCalls(), call)
	if i < 0 {
		panic("no faultable call " + call)
	}
	return uint8(i)
}

// The seeds: the reuse cycle on both profiles, INFINITE and huge waits,
// blocking calls released by another lane or by the deadlock detector,
// thread exit with requests pending, and port exhaustion. They are also
// checked in under testdata/fuzz/FuzzChaos (TestFuzzCorpus).
var fuzzSeeds = []fuzzSeed{
	{"reuse cycle, waits out TIME_WAIT", fuzzHeader{0b010, 3, 4, 0}, []fuzzOp{
		{Op: opc("socket")}, {Op: opc("bind"), A: 1, Arg: 2}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("ConnectEx"), A: 1, B: 0, Arg: 0}, {Op: opc("GetOverlappedResult"), A: 0x81, B: 0, Flags: 1},
		{Op: opc("accept"), A: 0}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("DisconnectEx"), A: 1, B: 1, Flags: 2}, {Op: opc("closesocket"), A: 2},
		{Op: opc("GetOverlappedResult"), A: 0x81, B: 1, Flags: 1},
		{Op: opc("ConnectEx"), A: 1, B: 0, Arg: 0}, {Op: opc("TCPTable")},
	}},
	{"reuse cycle, documented profile, after-close variant", fuzzHeader{0b1001_1011, 3, 4, 0}, []fuzzOp{
		{Op: opc("socket")}, {Op: opc("connect"), A: 1}, {Op: opc("accept")},
		{Op: opc("NewOverlapped"), Flags: 2}, {Op: opc("DisconnectEx"), A: 2, B: 0, Flags: 2},
		{Op: opc("closesocket"), A: 1}, {Op: opc("WSAGetOverlappedResult"), A: 2, B: 0, Flags: 1},
		{Op: opc("AcceptEx"), A: 0, B: 0, Arg: 2}, {Op: opc("socket")}, {Op: opc("connect"), A: 3},
		{Op: opc("GetOverlappedResult"), A: 0x82, B: 0, Flags: 1},
	}},
	{"infinite, negative and huge timeouts", fuzzHeader{0b100, 1, 2, 0}, []fuzzOp{
		{Op: opc("CreateEvent")}, {Op: opc("WaitForSingleObject"), A: 0, Timeout: 5},
		{Op: opc("WaitForSingleObject"), A: 0, Timeout: 130}, {Op: opc("WaitForSingleObject"), A: 0, Timeout: 2},
		{Op: opc("WaitForSingleObject"), A: 0, Timeout: 1}, {Op: opc("Sleep"), Timeout: 4},
		{Op: opc("Sleep"), Timeout: 1}, {Op: opc("CreateIoCompletionPort")},
		{Op: opc("GetQueuedCompletionStatus"), A: 1, Timeout: 6}, {Op: opc("GetQueuedCompletionStatus"), A: 1, Timeout: 1},
		{Op: opc("poll"), A: 0, Arg: 0x10, Timeout: 3}, {Op: opc("Sleep"), Timeout: 7},
	}},
	{"blocking calls released by another lane", fuzzHeader{0b110, 2, 8, 1}, []fuzzOp{
		{Op: opc("socket"), Lane: 0, Flags: 1}, {Op: opc("accept"), Lane: 0, A: 0},
		{Op: opc("CreateEvent"), Lane: 1}, {Op: opc("WaitForSingleObject"), Lane: 0, A: 0, Timeout: 1},
		{Op: opc("connect"), Lane: 1, A: 1}, {Op: opc("Sleep"), Lane: 1, Timeout: 140},
		{Op: opc("Set/ResetEvent"), Lane: 1, A: 0}, {Op: opc("recv"), Lane: 0, A: 1, Arg: 3},
		{Op: opc("send"), Lane: 1, A: 2, Arg: 3}, {Op: opc("DisconnectEx"), Lane: 0, A: 2, B: 0xF0, Flags: 2},
		{Op: opc("closesocket"), Lane: 1, A: 1},
	}},
	{"a blocking reuse nothing releases: ErrDeadlock", fuzzHeader{0, 3, 8, 2}, []fuzzOp{
		{Op: opc("socket"), Lane: 0, Flags: 1}, {Op: opc("connect"), Lane: 0, A: 1},
		{Op: opc("DisconnectEx"), Lane: 0, A: 1, B: 0xF0, Flags: 2}, {Op: opc("Sleep"), Lane: 1, Timeout: 1},
		{Op: opc("accept"), Lane: 2, A: 0}, {Op: opc("accept"), Lane: 2, A: 0},
		{Op: opc("GetQueuedCompletionStatus"), Lane: 1, A: 0x7F, Timeout: 1},
	}},
	{"thread exit with requests pending", fuzzHeader{0b010, 3, 4, 1}, []fuzzOp{
		{Op: opc("CreateEvent"), Lane: 0}, {Op: opc("NewOverlapped"), Lane: 0, A: 0},
		{Op: opc("NewOverlapped"), Lane: 0, A: 0}, {Op: opc("NewOverlapped"), Lane: 0, A: 0},
		{Op: opc("socket"), Lane: 0}, {Op: opc("socket"), Lane: 0}, {Op: opc("socket"), Lane: 0},
		{Op: opc("AcceptEx"), Lane: 0, A: 0, B: 0, Arg: 1}, {Op: opc("AcceptEx"), Lane: 0, A: 0, B: 1, Arg: 2},
		{Op: opc("AcceptEx"), Lane: 0, A: 0, B: 2, Arg: 3}, {Op: opc("ExitThread"), Lane: 0, Flags: 0xEE},
		{Op: opc("Sleep"), Lane: 1, Timeout: 130}, {Op: opc("socket"), Lane: 1}, {Op: opc("connect"), Lane: 1, A: 4},
	}},
	{"remote hosts: a SYN nobody answers, a host that never closes", fuzzHeader{0b010, 3, 4, 0}, []fuzzOp{
		{Op: opc("socket")}, {Op: opc("bind"), A: 1, Arg: 2}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("ConnectEx"), A: 1, B: 0, Arg: 6}, {Op: opc("TCPTable")},
		{Op: opc("GetOverlappedResult"), A: 0x81, B: 0, Flags: 1},
		{Op: opc("socket")}, {Op: opc("connect"), A: 2, Arg: 8}, {Op: opc("send"), A: 2, Arg: 3},
		{Op: opc("recv"), A: 2, Arg: 4}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("DisconnectEx"), A: 2, B: 1, Flags: 2}, {Op: opc("Sleep"), Timeout: 200},
		{Op: opc("socket")}, {Op: opc("connect"), A: 3, Arg: 7}, {Op: opc("DisconnectEx"), A: 3, B: 1, Flags: 2},
		{Op: opc("GetOverlappedResult"), A: 0x83, B: 1, Flags: 1}, {Op: opc("connect"), A: 3, Arg: 9},
	}},
	{"fault rules: a ConnectEx refused 2 s later, a reset during DisconnectEx", fuzzHeader{0b010, 3, 4, 0}, []fuzzOp{
		{Op: opc("Inject"), Arg: fcall("ConnectEx"), Flags: 1, Timeout: 130},
		{Op: opc("Inject"), Arg: fcall("DisconnectEx"), Flags: 2},
		{Op: opc("socket")}, {Op: opc("bind"), A: 1, Arg: 2}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("ConnectEx"), A: 1, B: 0, Arg: 0}, {Op: opc("GetOverlappedResult"), A: 0x81, B: 0, Flags: 1},
		{Op: opc("remove fault"), A: 0},
		{Op: opc("ConnectEx"), A: 1, B: 0, Arg: 0}, {Op: opc("GetOverlappedResult"), A: 0x81, B: 0, Flags: 1},
		{Op: opc("accept"), A: 0}, {Op: opc("NewOverlapped"), Flags: 2},
		{Op: opc("DisconnectEx"), A: 1, B: 1, Flags: 2}, {Op: opc("GetOverlappedResult"), A: 0x81, B: 1, Flags: 1},
		{Op: opc("recv"), A: 2, Arg: 2},
	}},
	{"the clock at its horizon: TIME_WAIT rows stay", fuzzHeader{0, 3, 4, 0}, []fuzzOp{
		{Op: opc("socket")}, {Op: opc("connect"), A: 1, Arg: 7}, {Op: opc("CreateEvent")},
		{Op: opc("WaitForSingleObject"), A: 0, Timeout: 5}, {Op: opc("closesocket"), A: 1},
		{Op: opc("socket")}, {Op: opc("connect"), A: 2, Arg: 0}, {Op: opc("accept")},
		{Op: opc("closesocket"), A: 3}, {Op: opc("Sleep"), Timeout: 200}, {Op: opc("TCPTable")},
	}},
	{"port exhaustion at the top of the range", fuzzHeader{0, 4, 0x81, 0}, []fuzzOp{
		{Op: opc("socket")}, {Op: opc("connect"), A: 1}, {Op: opc("socket")}, {Op: opc("connect"), A: 2},
		{Op: opc("socket")}, {Op: opc("connect"), A: 3}, {Op: opc("socket")}, {Op: opc("bind"), A: 4, Arg: 5},
		{Op: opc("accept")}, {Op: opc("closesocket"), A: 5}, {Op: opc("closesocket"), A: 1},
		{Op: opc("socket")}, {Op: opc("connect"), A: 6}, {Op: opc("TCPTable")},
	}},
}

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzChaos from fuzzSeeds")

// TestFuzzCorpus: the checked-in corpus of FuzzChaos is fuzzSeeds, one file
// each (go test ./emulator -run TestFuzzCorpus -update-corpus rewrites it).
// Inputs the fuzzer finds are added under their own names and left alone.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzChaos")
	for _, s := range fuzzSeeds {
		name := filepath.Join(dir, "seed-"+strings.NewReplacer(" ", "-", ",", "", ":", "", "(", "", ")", "").Replace(s.name))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data())
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s is stale or missing (%v): run go test ./emulator -run TestFuzzCorpus -update-corpus", name, err)
		}
	}
}

// TestFuzzSeeds runs every seed with the checker, several times for the
// seeds with more than one lane, and checks that each does what its name
// says it covers at least in part: no seed is an empty program.
func TestFuzzSeeds(t *testing.T) {
	for _, s := range fuzzSeeds {
		p := decodeFuzz(s.data())
		n := 0
		for _, l := range p.lanes {
			n += len(l)
		}
		if n != len(s.ops) {
			t.Errorf("%s: decoded %d calls, want %d", s.name, n, len(s.ops))
		}
		for i := 0; i < 1+4*(len(p.lanes)-1); i++ {
			if r := runFuzz(s.data()); len(r.problems) > 0 {
				t.Fatalf("%s: %s\n%s", s.name, strings.Join(r.problems, "\n"), r.program)
			}
		}
	}
}

// TestDeterminismCatchesMapOrder: with the seeded defect that makes a
// thread's exit cancel its requests in map order, TestDeterminism's check
// finds differing traces, every time (5 tries; 2 with -short or -race).
func TestDeterminismCatchesMapOrder(t *testing.T) {
	tries := 5
	if testing.Short() || raceEnabled {
		tries = 2
	}
	for i := 0; i < tries; i++ {
		if diff := traceDiff(t, determinismSeeds(), withSeededBug(seededMapOrderExit)); diff == "" {
			t.Fatalf("try %d: the map-order exit went unnoticed", i)
		} else {
			t.Logf("try %d: %.40s", i, diff)
		}
	}
}

// TestFuzzCheckerCatchesSeededBugs: the fuzz checker flags each seeded
// defect on the checked-in seeds.
func TestFuzzCheckerCatchesSeededBugs(t *testing.T) {
	for _, c := range []struct {
		bug  seededBug
		want string
	}{
		{seededDoubleCompletion, "completed twice or never"},
		{seededDuplicateRow, "twice"},
	} {
		found := ""
		for _, s := range fuzzSeeds {
			if r := runFuzz(s.data(), withSeededBug(c.bug)); len(r.problems) > 0 {
				found = r.problems[0]
				break
			}
		}
		if !strings.Contains(found, c.want) {
			t.Errorf("seeded bug %d: the checker reported %q, want %q", c.bug, found, c.want)
		} else {
			t.Logf("seeded bug %d: %s", c.bug, found)
		}
	}
}

// TestFuzzDeadlineCatchesHang: with the seeded defect that hides deadlocks,
// an accept nothing can release blocks forever, and the per-input wall
// deadline reports it as a hang (a finding) instead of hanging the fuzzer.
func TestFuzzDeadlineCatchesHang(t *testing.T) {
	old := fuzzDeadline
	fuzzDeadline = 200 * time.Millisecond
	defer func() { fuzzDeadline = old }()
	seed := fuzzSeed{"accept with nothing to accept", fuzzHeader{}, []fuzzOp{{Op: opc("accept")}}}
	r := runFuzz(seed.data(), withSeededBug(seededNoDeadlockError))
	if len(r.problems) == 0 || !strings.HasPrefix(r.problems[0], "HANG") {
		t.Fatalf("want a HANG, got %q", r.problems)
	}
	t.Logf("%.80s", r.problems[0])
	// Release the blocked accept (closing its listener fails it) so that
	// no goroutine outlives the test.
	done := make(chan struct{})
	go func() {
		for _, s := range r.socks {
			_ = r.e.Closesocket(s)
		}
		for {
			r.e.mu.Lock()
			n := r.e.inCall + r.e.running
			r.e.mu.Unlock()
			if n == 0 {
				close(done)
				return
			}
			runtime.Gosched()
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked accept was not released by closing its listener")
	}
}
