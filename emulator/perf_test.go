package emulator

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/disconnectex/disconnectex/internal/docsync"
	"github.com/disconnectex/disconnectex/spec"
)

// updating reports -update: gotest.tools, which the package's tests
// import, defines the flag (a second definition would panic).
func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	on, _ := f.Value.(flag.Getter).Get().(bool)
	return on
}

// TestReuseCycleAllocs checks that the reuse cycle allocates nothing,
// through the API and below it.
func TestReuseCycleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's bookkeeping is not the emulator's")
	}
	for _, delay := range []time.Duration{0, spec.DefaultTcpTimedWaitDelay} {
		r := newReuseCycler(t, settings(delay))
		r.cycle(t) // warm the free lists
		if n := testing.AllocsPerRun(1000, func() { r.cycle(t) }); n != 0 {
			t.Errorf("delay %v: a reuse cycle allocates %v times", delay, n)
		}
		r.e.mu.Lock()
		n := testing.AllocsPerRun(1000, func() { r.coreCycle(t) })
		r.e.mu.Unlock()
		if n != 0 {
			t.Errorf("delay %v: a reuse cycle below the API allocates %v times", delay, n)
		}
	}
}

// kernelCycles is how many kernel cycles BenchmarkReuseVsKernel times for
// b.N emulator cycles: enough to average out, few enough to stay quick.
func kernelCycles(n int) int { return min(max(n/1000, 50), 2000) }

// BenchmarkReuseVsKernel times the emulator's reuse cycle (ns/op, with the
// default 240 s TcpTimedWaitDelay) and, in the same run with the timer
// stopped, the kernel's alternatives on Linux: a raw socket reused with
// connect(AF_UNSPEC) ("kernel-reuse-ns") and net.Dial + Accept + Close on
// loopback ("kernel-dial-ns"). Each is also timed in the CPU time of its
// OS thread ("cpu-ns/op", "kernel-reuse-cpu-ns", "kernel-dial-cpu-ns"),
// which a loaded machine disturbs less than wall time, and the ratios
// "x-vs-kernel-reuse" and "x-vs-kernel-dial" (how many emulator cycles
// take the CPU time of one kernel cycle) are of those. It also times the
// floor of the cycle's six locked calls ("lock-floor-ns",
// "lock-floor-cpu-ns": lockFloor) and of six calls that take no lock but
// each publish their change with one atomic add ("atomic-floor-ns",
// "atomic-floor-cpu-ns": atomicFloor). Elsewhere only the emulator is
// timed.
// It asserts nothing about time.
func BenchmarkReuseVsKernel(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r := newReuseCycler(b, spec.DefaultSettings())
	r.cycle(b) // warm the free lists
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := threadCPU()
	for i := 0; i < b.N; i++ {
		r.cycle(b)
	}
	cpu := float64(threadCPU()-cpu0) / float64(b.N)
	b.StopTimer()
	floor, floorCPU := lockFloor(1000 * kernelCycles(b.N))
	b.ReportMetric(floor, "lock-floor-ns")
	b.ReportMetric(floorCPU, "lock-floor-cpu-ns")
	floor, floorCPU = atomicFloor(1000 * kernelCycles(b.N))
	b.ReportMetric(floor, "atomic-floor-ns")
	b.ReportMetric(floorCPU, "atomic-floor-cpu-ns")
	raw, rawCPU, err := kernelRawReuse(kernelCycles(b.N))
	if errors.Is(err, errors.ErrUnsupported) {
		return
	}
	if err != nil {
		b.Fatalf("raw socket reuse: %v", err)
	}
	dial, dialCPU, err := kernelDial(kernelCycles(b.N))
	if err != nil {
		b.Fatalf("net.Dial: %v", err)
	}
	b.ReportMetric(cpu, "cpu-ns/op")
	b.ReportMetric(float64(raw.Nanoseconds()), "kernel-reuse-ns")
	b.ReportMetric(float64(rawCPU.Nanoseconds()), "kernel-reuse-cpu-ns")
	b.ReportMetric(float64(dial.Nanoseconds()), "kernel-dial-ns")
	b.ReportMetric(float64(dialCPU.Nanoseconds()), "kernel-dial-cpu-ns")
	if cpu > 0 {
		b.ReportMetric(float64(rawCPU)/cpu, "x-vs-kernel-reuse")
		b.ReportMetric(float64(dialCPU)/cpu, "x-vs-kernel-dial")
	}
}

// lockFloor times n rounds of the cycle's six calls reduced to their lock:
// six Lock and Unlock of an uncontended sync.Mutex, what any API of six
// calls under one lock costs before it does anything. It returns the wall
// and thread CPU nanoseconds of one round.
func lockFloor(n int) (wall, cpu float64) {
	var mu sync.Mutex
	t0, c0 := time.Now(), threadCPU()
	for i := 0; i < n; i++ {
		for range 6 {
			mu.Lock()
			//lint:ignore SA2001 the empty critical section is what is timed
			mu.Unlock()
		}
	}
	return float64(time.Since(t0).Nanoseconds()) / float64(n), float64(threadCPU()-c0) / float64(n)
}

// atomicFloor times n rounds of six atomic adds to one uncontended word:
// the least six calls pay that each publish a change to the state they
// share with concurrent callers, without a lock, with one atomic
// read-modify-write. It
// returns the wall and thread CPU nanoseconds of one round.
func atomicFloor(n int) (wall, cpu float64) {
	var word atomic.Int64
	t0, c0 := time.Now(), threadCPU()
	for i := 0; i < n; i++ {
		for range 6 {
			word.Add(1)
		}
	}
	return float64(time.Since(t0).Nanoseconds()) / float64(n), float64(threadCPU()-c0) / float64(n)
}

// perfFigures are the numbers of the README's performance section.
type perfFigures struct {
	machine             string
	runs                int
	cycle, cycleCPU     float64 // the emulator's reuse cycle, ns
	floor, floorCPU     float64 // six uncontended sync.Mutex Lock and Unlock, ns (lockFloor)
	atomics, atomicsCPU float64 // six uncontended atomic adds, ns (atomicFloor)
	allocs              int64
	raw, rawCPU         float64 // the kernel's, ns (0: not measured)
	dial, dialCPU       float64
	rowBytes            uintptr // unsafe.Sizeof(twRow{})
	distinctRows        int
	heapPerRow          float64 // bytes, distinctRows rows made through the API
	liveRows            int
	liveMB              float64
}

const perfCommand = "go test ./emulator -run TestReadmePerformance -update"

// perfSection renders the README's performance section.
func perfSection(f perfFigures) string {
	var b strings.Builder
	ratio := func(x float64) float64 {
		if f.cycleCPU == 0 {
			return 0
		}
		return x / f.cycleCPU
	}
	fmt.Fprintf(&b, "Regenerated by `%s`, which runs `BenchmarkReuseVsKernel` %d times and keeps the\n", perfCommand, f.runs)
	b.WriteString("fastest of each time (the run least disturbed by other load), then measures the TIME_WAIT table's heap.\n")
	b.WriteString("CPU time is the thread's own (user and system), which other jobs on a loaded machine disturb less than\n")
	b.WriteString("wall time; the ratios are of CPU times. The figures depend on the machine and its load, so the test that\n")
	b.WriteString("keeps this section in step checks its layout, not its numbers.\n\n")
	fmt.Fprintf(&b, "Machine: %s\n\n", f.machine)
	b.WriteString("| one cycle | wall time | CPU time | emulator cycles in its CPU time |\n| --- | --- | --- | --- |\n")
	fmt.Fprintf(&b, "| emulator: ConnectEx, accept, the server closes, DisconnectEx(TF_REUSE_SOCKET), two GetOverlappedResult (TcpTimedWaitDelay 240 s; %d allocs) | %.0f ns | %.0f ns | 1 |\n",
		f.allocs, f.cycle, f.cycleCPU)
	fmt.Fprintf(&b, "| the floor of any six calls under one lock: six Lock and Unlock of an uncontended sync.Mutex (`lockFloor`) | %.0f ns | %.0f ns | |\n",
		f.floor, f.floorCPU)
	fmt.Fprintf(&b, "| the floor of six calls that each publish a change to shared state without a lock: six atomic adds to an uncontended word (`atomicFloor`) | %.0f ns | %.0f ns | |\n",
		f.atomics, f.atomicsCPU)
	fmt.Fprintf(&b, "| Linux: one raw socket reused with connect(AF_UNSPEC): connect, accept, the server closes, connect(AF_UNSPEC) | %.1f µs | %.1f µs | %.0f |\n",
		f.raw/1000, f.rawCPU/1000, ratio(f.rawCPU))
	fmt.Fprintf(&b, "| Linux: net.Dial, Accept, the server closes, the client closes (loopback) | %.1f µs | %.1f µs | %.0f |\n",
		f.dial/1000, f.dialCPU/1000, ratio(f.dialCPU))
	b.WriteString("\n| TIME_WAIT table | figure |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| a row in the table's ring (`TestTimeWaitRowSize`) | %d B |\n", f.rowBytes)
	fmt.Fprintf(&b, "| heap per row: %s rows with distinct 4-tuples made through the API, ring and index included (`TestTimeWaitMemory`) | %.1f B |\n",
		commas(f.distinctRows), f.heapPerRow)
	fmt.Fprintf(&b, "| heap of %s live rows (`TestTimeWait4MRows`) | %.1f MB |\n", commas(f.liveRows), f.liveMB)
	return b.String()
}

func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var digits = regexp.MustCompile(`[0-9][0-9.,]*`)

// layout is a section with its numbers and its machine line blanked: what
// the staleness test compares.
func layout(s string) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.HasPrefix(line, "Machine: ") {
			line = "Machine: "
		}
		out = append(out, digits.ReplaceAllString(line, "#"))
	}
	return strings.Join(out, "\n")
}

// TestReadmePerformance keeps the README's performance section in step
// with perfSection. Without -update it compares the layout only (the
// figures are the machine's); with -update it measures them again and
// rewrites the section.
func TestReadmePerformance(t *testing.T) {
	readme := filepath.Join("..", "README.md")
	if !updating() {
		data, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		got, err := docsync.Section(string(data), "performance")
		if err != nil {
			t.Fatal(err)
		}
		if want := layout(perfSection(perfFigures{})); layout(got) != want {
			t.Fatalf("the performance section of README.md has a stale layout: %s\nregenerate: %s",
				docsync.FirstDiff(layout(got), want), perfCommand)
		}
		return
	}
	if raceEnabled || testing.Short() {
		t.Fatal("measure without -race and -short")
	}
	docsync.Check(t, readme, "performance", perfSection(measurePerf(t)), true, perfCommand)
}

// measurePerf takes the section's figures: the fastest of several runs of
// the benchmark for each time, and the heap of the TIME_WAIT rows.
func measurePerf(t *testing.T) perfFigures {
	f := perfFigures{runs: 5, rowBytes: unsafe.Sizeof(twRow{}), distinctRows: 1_000_000, liveRows: 4 << 20}
	f.machine = fmt.Sprintf("%s %s/%s, %d CPUs%s", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), machineLoad())
	best := func(v *float64, x float64) {
		if x > 0 && (*v == 0 || x < *v) {
			*v = x
		}
	}
	for i := 0; i < f.runs; i++ {
		r := testing.Benchmark(BenchmarkReuseVsKernel)
		t.Logf("run %d: %v %v", i+1, r, r.MemString())
		best(&f.cycle, float64(r.T)/float64(r.N))
		best(&f.cycleCPU, r.Extra["cpu-ns/op"])
		best(&f.floor, r.Extra["lock-floor-ns"])
		best(&f.floorCPU, r.Extra["lock-floor-cpu-ns"])
		best(&f.atomics, r.Extra["atomic-floor-ns"])
		best(&f.atomicsCPU, r.Extra["atomic-floor-cpu-ns"])
		best(&f.raw, r.Extra["kernel-reuse-ns"])
		best(&f.rawCPU, r.Extra["kernel-reuse-cpu-ns"])
		best(&f.dial, r.Extra["kernel-dial-ns"])
		best(&f.dialCPU, r.Extra["kernel-dial-cpu-ns"])
		f.allocs = max(f.allocs, r.AllocsPerOp())
	}
	f.heapPerRow = float64(distinctRowsHeap(t, f.distinctRows)) / float64(f.distinctRows)
	f.liveMB = float64(liveRowsHeap(t, f.liveRows)) / (1 << 20)
	return f
}

// machineLoad describes the CPU and the load average where /proc tells them.
func machineLoad() string {
	var s string
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				s += ", " + strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			s += ", load average " + f[0] + " when the measurement began"
		}
	}
	return s
}
