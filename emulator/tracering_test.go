package emulator

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/disconnectex/disconnectex/spec"
	"github.com/google/go-cmp/cmp"
)

// TestTraceRing: the ring keeps exactly the last n events of the full
// trace, oldest first, with their Seq numbers; a ring larger than the run
// keeps everything; a ring of fewer than one event is refused.
func TestTraceRing(t *testing.T) {
	full := newReuseCycler(t, settings(0))
	full.e.tr = &tracer{keep: true}
	for i := 0; i < 3; i++ {
		full.cycle(t)
	}
	all := full.e.Trace()
	for _, n := range []int{1, 7, len(all) - 1, len(all), len(all) + 5} {
		r := newReuseCycler(t, settings(0))
		r.e.tr = &tracer{keep: true, ring: n}
		for i := 0; i < 3; i++ {
			r.cycle(t)
		}
		want := all[max(0, len(all)-n):]
		if diff := cmp.Diff(want, r.e.Trace()); diff != "" {
			t.Errorf("ring of %d (of %d events): (-want +got)\n%s", n, len(all), diff)
		}
	}
	// Through the option: the same as setting the tracer above.
	e, err := New(spec.DefaultSettings(), WithTraceRing(2))
	if err != nil {
		t.Fatal(err)
	}
	e.Sleep(1)
	e.Sleep(2)
	if tr := e.Trace(); len(tr) != 2 || tr[0].Seq != 3 || tr[1].Seq != 4 {
		t.Errorf("WithTraceRing(2) after 4 events kept %v", tr)
	}
	for _, n := range []int{0, -1} {
		if _, err := New(spec.DefaultSettings(), WithTraceRing(n)); err == nil {
			t.Errorf("WithTraceRing(%d) accepted", n)
		}
	}
	if s := unsafe.Sizeof(Event{}); s != 96 && unsafe.Sizeof(uintptr(0)) == 8 {
		t.Errorf("an Event is %d bytes; WithTraceRing's doc says 96", s)
	}
}

// TestTraceRingHeap: reuse cycles with a bounded trace keep the heap
// bounded. By default it runs 200,000 cycles (20,000 with -short or
// -race); DX_TRACE_RING_CYCLES=10000000 runs the 10M cycles of issue 8:
//
//	DX_TRACE_RING_CYCLES=10000000 go test -count=1 -run TestTraceRingHeap -v ./emulator
//
// The heap is read every 1/20th of the run, without forcing a collection
// (so garbage not yet collected counts) and must stay under 64 MB.
func TestTraceRingHeap(t *testing.T) {
	const ring = 1 << 16
	cycles := 200_000
	if testing.Short() || raceEnabled {
		cycles = 20_000
	}
	if v := os.Getenv("DX_TRACE_RING_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("DX_TRACE_RING_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	r := newReuseCycler(t, settings(0))
	r.e.tr = &tracer{keep: true, ring: ring} // as WithTraceRing(ring) makes it
	var m runtime.MemStats
	var peak uint64
	step := max(1, cycles/20)
	for i := 1; i <= cycles; i++ {
		r.cycle(t)
		if i%step == 0 || i == cycles {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			if m.HeapAlloc >= 64<<20 {
				t.Fatalf("after %d cycles the heap is %.1f MB, want < 64 MB", i, float64(m.HeapAlloc)/(1<<20))
			}
		}
	}
	tr := r.e.Trace()
	live := heapNow()
	if len(tr) != ring {
		t.Fatalf("the ring kept %d events, want %d", len(tr), ring)
	}
	t.Logf("%d reuse cycles, %d events, ring of %d: peak heap read %.1f MB, live heap after GC %.1f MB (%.0f B per kept event, the ring included)",
		cycles, tr[len(tr)-1].Seq, ring, float64(peak)/(1<<20), float64(live)/(1<<20), float64(live)/ring)
	runtime.KeepAlive(r)
}
