package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lineSource produces a script lazily: line i (from 1) is line(i), for n
// lines (n < 0: for ever). Every sampleEvery lines it samples the heap, so
// a test can bound what the interpreter holds while it runs.
type lineSource struct {
	line        func(i int) string
	n, i        int
	buf         []byte
	sampleEvery int
	maxHeap     uint64
}

func (s *lineSource) Read(b []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.n >= 0 && s.i >= s.n {
			return 0, io.EOF
		}
		s.i++
		s.buf = append(s.buf[:0], s.line(s.i)...)
		s.buf = append(s.buf, '\n')
		if s.sampleEvery > 0 && s.i%s.sampleEvery == 0 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			s.maxHeap = max(s.maxHeap, m.HeapAlloc)
		}
	}
	n := copy(b, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// TestRunStreamsBlankLines: a long stream of empty lines (yes "" | run -)
// is read in bounded memory, and the call after it runs with its line
// number.
func TestRunStreamsBlankLines(t *testing.T) {
	const n = 2_000_001
	src := &lineSource{n: n, sampleEvery: 500_000, line: func(i int) string {
		if i == n {
			return "sleep 1s"
		}
		return ""
	}}
	var out, errb bytes.Buffer
	if code := runStream(src, "-", true, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := fmt.Sprintf("line %d: sleep 1s", n); !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if src.maxHeap > 16<<20 {
		t.Errorf("heap reached %d bytes reading blank lines", src.maxHeap)
	}
}

// TestRunStreamsHugeScript: a script far longer than anything it keeps
// runs in bounded memory, with and without the trace.
func TestRunStreamsHugeScript(t *testing.T) {
	cycle := strings.Split(strings.TrimSuffix(reuseCycles(13), "\n"), "\n")[1:]
	n := 240_001
	if testing.Short() {
		n = 24_001
	}
	for _, verbose := range []bool{false, true} {
		src := &lineSource{n: n, sampleEvery: 60_000, line: func(i int) string {
			if i == 1 {
				return "listen srv 127.0.0.1:8080"
			}
			return cycle[(i-2)%len(cycle)]
		}}
		var errb bytes.Buffer
		if code := runStream(src, "-", verbose, io.Discard, &errb); code != exitOK {
			t.Fatalf("verbose %v: exit %d: %s", verbose, code, errb.String())
		}
		if src.maxHeap > 32<<20 {
			t.Errorf("verbose %v: heap reached %d bytes", verbose, src.maxHeap)
		}
	}
}

// failingWriter fails once it has taken limit bytes.
type failingWriter struct{ n, limit int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n+len(b) > w.limit {
		return 0, errors.New("nobody reads any more")
	}
	w.n += len(b)
	return len(b), nil
}

// TestRunStreamsEndlessInput: an endless script prints its timeline as it
// goes (the writer sees output long before the input could end) and stops
// with an error when the output can no longer be written.
func TestRunStreamsEndlessInput(t *testing.T) {
	src := &lineSource{n: -1, line: func(int) string { return "sleep 1s" }}
	w := &failingWriter{limit: 1 << 20}
	var errb bytes.Buffer
	code := runStream(src, "-", false, w, &errb)
	if code != exitUnexpected || !strings.Contains(errb.String(), "writing the timeline: nobody reads any more") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if w.n == 0 || src.i > 200_000 {
		t.Errorf("wrote %d bytes after reading %d lines", w.n, src.i)
	}
}

// TestRunLimits: each bound on what a script holds stops it with an error
// naming the line that crossed it.
func TestRunLimits(t *testing.T) {
	events := &lineSource{n: maxLive + 1, line: func(i int) string { return fmt.Sprintf("event e%d manual", i%100) }}
	var out, errb bytes.Buffer
	code := runStream(events, "-", false, &out, &errb)
	if want := fmt.Sprintf("line %d: the script holds %d open", maxLive+1, maxLive); code != exitUsage || !strings.Contains(errb.String(), want) {
		t.Errorf("%d events: exit %d, stderr %q; want 2 and %q", maxLive+1, code, errb.String(), want)
	}
	if !strings.Contains(out.String(), "!! LIMIT: the script holds") {
		t.Errorf("the timeline does not show the limit:\n%s", out.String()[max(0, out.Len()-500):])
	}
	// Closing keeps a script under the limit however many it creates.
	cycle := &lineSource{n: 2*maxLive + 2, line: func(i int) string {
		if i%2 == 1 {
			return "event e manual"
		}
		return "close e -> ok"
	}}
	if code := runStream(cycle, "-", false, io.Discard, &errb); code != exitOK {
		t.Errorf("create and close: exit %d: %s", code, errb.String())
	}
	names := &lineSource{n: maxNames + 1, line: func(i int) string { return fmt.Sprintf("thread t%d\nclose t%d", i, i) }}
	errb.Reset()
	code = runStream(names, "-", false, io.Discard, &errb)
	if want := fmt.Sprintf("line %d: too many names", 2*maxNames+1); code != exitUsage || !strings.Contains(errb.String(), want) {
		t.Errorf("%d names: exit %d, stderr %q; want 2 and %q", maxNames+1, code, errb.String(), want)
	}
}

// TestRunHangReportedAtOnce: a call that only a later line could release
// is reported as HUNG on its own line, at once (no wall-clock limit), the
// script stops there, and nothing is left running: no goroutine survives
// the run, however many scripts hang.
func TestRunHangReportedAtOnce(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, tc := range []struct {
		name, src string
		last      int // the hung line
	}{
		{"accept", "listen l 127.0.0.1:8080\naccept s l\nstate l -> listening\n", 2},
		{"wait", "event e manual\nwait e infinite\nsetevent e\n", 2},
		{"dequeue", "port p\ndequeue p infinite -> o\n", 2},
		{"recv", "listen l 127.0.0.1:8080\nsocket c tcp\nconnect c l\naccept s l\nrecv s\n", 5},
		{"thread", "thread t\nevent e auto\nas t wait e infinite\n", 3},
		{"disconnectex", "listen l 127.0.0.1:8080\nsocket c tcp\nconnect c l\naccept s l\ndisconnectex c null TF_REUSE_SOCKET\nclose s\n", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 100; i++ {
				var out, errb bytes.Buffer
				code := runStream(strings.NewReader(tc.src), "h.dx", true, &out, &errb)
				last := tc.last
				if code != exitUnexpected || !strings.Contains(out.String(), "!! HUNG:") ||
					!strings.HasPrefix(errb.String(), fmt.Sprintf("h.dx:%d: ", last)) {
					t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
				}
				if strings.Contains(out.String(), fmt.Sprintf("line %d:", last+1)) {
					t.Fatalf("the script went on after the hang:\n%s", out.String())
				}
			}
		})
	}
	// A non-blocking call and a timed wait are not hangs.
	var errb bytes.Buffer
	if code := runStream(strings.NewReader("event e manual\nsetevent e\nresetevent e\nwait e 240s -> WAIT_TIMEOUT\n"), "ok.dx", false, io.Discard, &errb); code != exitOK {
		t.Errorf("timed wait: exit %d: %s", code, errb.String())
	}
	// A goroutine told to stop may not have run its last lines yet on a
	// loaded machine: give the scheduler a bounded while before counting.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the hung scripts, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
