package emulator

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// reuseCycler runs the connection-reuse cycle of a client socket against a
// listener: ConnectEx -> accept -> the server closes (so the client is the
// passive closer) -> DisconnectEx(TF_REUSE_SOCKET) -> GetOverlappedResult.
type reuseCycler struct {
	e        *Emulator
	listener spec.Socket
	client   spec.Socket
	cov, dov spec.Overlapped
}

func newReuseCycler(tb testing.TB, s spec.Settings) *reuseCycler {
	w := newWorldWith(tb, s)
	r := &reuseCycler{e: w.e, listener: w.listener}
	r.client = w.sock(true)
	w.ok(r.e.Bind(r.client, any4))
	r.cov, r.dov = w.ov(0), w.ov(0)
	return r
}

func (r *reuseCycler) cycle(tb testing.TB) {
	e := r.e
	if err := e.ConnectEx(r.client, serverAddr, r.cov); err != spec.ERROR_IO_PENDING {
		tb.Fatalf("ConnectEx: %v", err)
	}
	if _, err := e.GetOverlappedResult(spec.Handle(r.client), r.cov, true); err != nil {
		tb.Fatalf("ConnectEx result: %v", err)
	}
	srv, _, err := e.Accept(r.listener)
	if err != nil {
		tb.Fatalf("Accept: %v", err)
	}
	if err := e.Closesocket(srv); err != nil {
		tb.Fatalf("Closesocket: %v", err)
	}
	if err := e.DisconnectEx(r.client, r.dov, spec.TF_REUSE_SOCKET, 0); err != spec.ERROR_IO_PENDING {
		tb.Fatalf("DisconnectEx: %v", err)
	}
	if _, err := e.GetOverlappedResult(spec.Handle(r.client), r.dov, true); err != nil {
		tb.Fatalf("DisconnectEx result: %v", err)
	}
}

// coreCycle is cycle made below the API, as churn makes its connections:
// the model's own calls, under the lock the caller holds.
func (r *reuseCycler) coreCycle(tb testing.TB) {
	e, t := r.e, r.e.view.t
	e.expireDue()
	if err := e.connectEx(t, r.client, serverAddr, r.cov); err != spec.ERROR_IO_PENDING {
		tb.Fatalf("ConnectEx: %v", err)
	}
	if _, err := e.getOverlappedResult(spec.Handle(r.client), r.cov, false); err != nil {
		tb.Fatalf("ConnectEx result: %v", err)
	}
	srv, _, err := e.accept(r.listener)
	if err != nil {
		tb.Fatalf("Accept: %v", err)
	}
	e.closeSocket(e.sock(srv))
	if err := e.disconnectEx(t, r.client, r.dov, spec.TF_REUSE_SOCKET, 0); err != spec.ERROR_IO_PENDING {
		tb.Fatalf("DisconnectEx: %v", err)
	}
	if _, err := e.getOverlappedResult(spec.Handle(r.client), r.dov, false); err != nil {
		tb.Fatalf("DisconnectEx result: %v", err)
	}
}

// benchCycles runs f over b.N cycles of a reuseCycler with a
// TcpTimedWaitDelay of 0 and of 240 s, after one warm-up cycle.
func benchCycles(b *testing.B, f func(b *testing.B, r *reuseCycler)) {
	for _, bc := range []struct {
		name  string
		delay int
	}{{"delay0", 0}, {"delay240", 240}} {
		b.Run(bc.name, func(b *testing.B) {
			r := newReuseCycler(b, settings(time.Duration(bc.delay)*time.Second))
			r.cycle(b) // warm the free lists
			b.ReportAllocs()
			b.ResetTimer()
			f(b, r)
		})
	}
}

// BenchmarkReuseCycle measures one reuse cycle. With the default 240 s
// delay every cycle leaves one server-side TIME_WAIT row behind (the server
// closed first); with delay 0 nothing accumulates.
func BenchmarkReuseCycle(b *testing.B) {
	benchCycles(b, func(b *testing.B, r *reuseCycler) {
		for i := 0; i < b.N; i++ {
			r.cycle(b)
		}
	})
}

// BenchmarkReuseCycleCore is the same cycle made below the API (coreCycle),
// under one lock held for the whole run, without the per-call lock, thread
// bookkeeping and expiry check of the API. The difference from
// BenchmarkReuseCycle is what the API's six calls cost on top of the model.
func BenchmarkReuseCycleCore(b *testing.B) {
	benchCycles(b, func(b *testing.B, r *reuseCycler) {
		r.e.mu.Lock()
		defer r.e.mu.Unlock()
		for i := 0; i < b.N; i++ {
			r.coreCycle(b)
		}
	})
}

// distinctRows makes n TIME_WAIT rows with distinct 4-tuples through the
// API: clients connect from the dynamic range to listeners on ports
// 1024 and up, 16,384 clients a listener, and the server closes first, so
// each connection leaves the row (127.0.0.1:listener, 127.0.0.1:client).
// The first call makes connections 0..n-1, the next ones continue from
// there (from).
func distinctRows(tb testing.TB, e *Emulator, from, n int) {
	tb.Helper()
	r := e.Settings().DynamicPorts
	l, addr := spec.INVALID_SOCKET, netip.AddrPortFrom(loop4, uint16(1024+from/r.Count))
	if from%r.Count != 0 {
		e.mu.Lock()
		l = e.findListener(&socket{af: spec.AF_INET}, addr).h
		e.mu.Unlock()
	}
	for i := from; i < from+n; i++ {
		if i%r.Count == 0 {
			l, addr = listenAt(tb, e, uint16(1024+i/r.Count))
		}
		c, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
		if err == nil {
			err = e.Connect(c, addr)
		}
		if err != nil {
			tb.Fatalf("connection %d: %v", i, err)
		}
		srv, _, err := e.Accept(l)
		if err != nil {
			tb.Fatal(err)
		}
		_ = e.Closesocket(srv)
		_ = e.Closesocket(c)
	}
}

func listenAt(tb testing.TB, e *Emulator, port uint16) (spec.Socket, netip.AddrPort) {
	tb.Helper()
	addr := netip.AddrPortFrom(loop4, port)
	return listenOn(tb, e, addr), addr
}

// listenOn makes an IPv4 socket listening at addr (backlog 1).
func listenOn(tb testing.TB, e *Emulator, addr netip.AddrPort) spec.Socket {
	tb.Helper()
	l, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
	if err == nil {
		err = e.Bind(l, addr)
	}
	if err == nil {
		err = e.Listen(l, 1)
	}
	if err != nil {
		tb.Fatalf("listener %v: %v", addr, err)
	}
	return l
}

func heapNow() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestTimeWaitMemory holds 1,000,000 TIME_WAIT rows with distinct
// 4-tuples, made through the API, and measures the heap they take.
func TestTimeWaitMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow in -short mode and under -race")
	}
	const rows = 1_000_000
	delta := distinctRowsHeap(t, rows)
	t.Logf("%d TIME_WAIT rows with distinct 4-tuples: heap delta %.1f MB (%.1f bytes/row)", rows, float64(delta)/(1<<20), float64(delta)/float64(rows))
	if delta >= 64<<20 {
		t.Fatalf("%d TIME_WAIT rows take %d bytes, want < 64 MB", rows, delta)
	}
}

// distinctRowsHeap makes rows TIME_WAIT rows with distinct 4-tuples
// through the API, checks them, and returns the heap they take; then it
// checks that they all leave after the delay.
func distinctRowsHeap(tb testing.TB, rows int) int64 {
	e, err := New(spec.DefaultSettings())
	if err != nil {
		tb.Fatal(err)
	}
	distinctRows(tb, e, 0, 1) // the first listener and the emulator's fixed tables
	before := heapNow()
	distinctRows(tb, e, 1, rows-1)
	after := heapNow()
	rowsNow := wantUniqueTuples(tb, e)
	if n := len(rowsNow) - (rows-1)/16384 - 1 - 1; n != rows-1 {
		tb.Fatalf("%d TIME_WAIT rows, want %d", n, rows-1)
	}
	rowsNow = nil
	// They all leave after the delay.
	e.Sleep(spec.DefaultTcpTimedWaitDelay)
	left, _ := e.TCPTable()
	for _, row := range left {
		if row.State == spec.TCPTimeWait {
			tb.Fatalf("row left after the delay: %v", row)
		}
	}
	runtime.KeepAlive(e)
	return after - before
}

// TestTimeWait4MRows fills the table itself with 4,194,304 live rows of
// distinct 4-tuples and checks they fit in 128 MB of heap.
func TestTimeWait4MRows(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow in -short mode and under -race")
	}
	const n = 4 << 20
	delta := liveRowsHeap(t, n)
	t.Logf("%d live TIME_WAIT rows: heap %.1f MB (%.1f bytes/row)", n, float64(delta)/(1<<20), float64(delta)/n)
	if delta > 128<<20 {
		t.Fatalf("%d rows take %.1f MB, want at most 128 MB", n, float64(delta)/(1<<20))
	}
}

// liveRowsHeap pushes n live rows of distinct 4-tuples into the table and
// returns the heap they take; then it checks that they all expire.
func liveRowsHeap(tb testing.TB, n int) int64 {
	e, err := New(spec.DefaultSettings())
	if err != nil {
		tb.Fatal(err)
	}
	before := heapNow()
	e.mu.Lock()
	q := &e.tw
	p := q.pairs.intern(loop4, loop4)
	for i := 0; i < n; i++ {
		if i > 0 {
			q.pairs.ents[p].rows++
		}
		q.push(twRow{exp: int64(time.Minute), pair: p, lport: uint16(i >> 16), rport: uint16(i)})
	}
	e.mu.Unlock()
	after := heapNow()
	e.Sleep(time.Minute)
	if q.live != 0 {
		tb.Fatalf("%d rows left after their expiry", q.live)
	}
	runtime.KeepAlive(e)
	return after - before
}

// BenchmarkTimeWaitRows adds one TIME_WAIT row with a distinct 4-tuple per
// iteration (a connection the server closes first) and reports the heap
// each row costs.
func BenchmarkTimeWaitRows(b *testing.B) {
	e, err := New(spec.DefaultSettings())
	if err != nil {
		b.Fatal(err)
	}
	distinctRows(b, e, 0, 1)
	before := heapNow()
	b.ResetTimer()
	distinctRows(b, e, 1, b.N)
	b.StopTimer()
	delta := float64(heapNow() - before)
	b.ReportMetric(delta/float64(b.N), "heap-B/row")
	b.ReportMetric(delta/float64(b.N)*1e6/(1<<20), "MB/1M-rows")
	runtime.KeepAlive(e)
}
