package emulator

import (
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

// BenchmarkReuseCycle measures one reuse cycle. With the default 240 s
// delay every cycle leaves one server-side TIME_WAIT row behind (the server
// closed first); with delay 0 nothing accumulates.
func BenchmarkReuseCycle(b *testing.B) {
	for _, bc := range []struct {
		name  string
		delay int
	}{{"delay0", 0}, {"delay240", 240}} {
		b.Run(bc.name, func(b *testing.B) {
			r := newReuseCycler(b, settings(time.Duration(bc.delay)*time.Second))
			r.cycle(b) // warm the free lists
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r.cycle(b)
			}
		})
	}
}

// TestTimeWaitMemory holds 1,000,000 TIME_WAIT rows and measures the heap
// they take. The rows come from the reuse cycle with the default 240 s
// delay: every cycle leaves the server end in TIME_WAIT.
func TestTimeWaitMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow in -short mode")
	}
	const rows = 1_000_000
	r := newReuseCycler(t, spec.DefaultSettings())
	r.cycle(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 1; i < rows; i++ {
		r.cycle(t)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	r.e.mu.Lock()
	n := r.e.tw.n
	r.e.mu.Unlock()
	if n != rows {
		t.Fatalf("%d TIME_WAIT rows, want %d", n, rows)
	}
	delta := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d TIME_WAIT rows: heap delta %.1f MB (%.1f bytes/row)", n, float64(delta)/(1<<20), float64(delta)/float64(n))
	if delta >= 256<<20 {
		t.Fatalf("%d TIME_WAIT rows take %d bytes, want < 256 MB", n, delta)
	}
	// They all leave after the delay.
	r.e.Sleep(spec.DefaultTcpTimedWaitDelay)
	rowsLeft, _ := r.e.TCPTable()
	for _, row := range rowsLeft {
		if row.State == spec.TCPTimeWait {
			t.Fatalf("row left after the delay: %v", row)
		}
	}
	runtime.KeepAlive(r)
}

// BenchmarkTimeWaitRows adds one TIME_WAIT row per iteration (a reuse cycle
// whose server end closes first, with the default 240 s delay) and reports
// the heap each row costs.
func BenchmarkTimeWaitRows(b *testing.B) {
	r := newReuseCycler(b, spec.DefaultSettings())
	r.cycle(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.cycle(b)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	delta := float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
	b.ReportMetric(delta/float64(b.N), "heap-B/row")
	b.ReportMetric(delta/float64(b.N)*1e6/(1<<20), "MB/1M-rows")
	runtime.KeepAlive(r)
}
