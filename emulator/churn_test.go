package emulator

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// The simulation against the closed form: with the client closing first
// its rows hold its ports, so the range sustains ports/delay connections a
// second (Microsoft's port exhaustion guide: 49152-65535, 4 minutes of
// TIME_WAIT: 16,384/240 = 68.3/s) and runs out after ports/rate seconds.
func TestChurnClosedForm(t *testing.T) {
	for _, c := range []struct {
		rate  float64
		ports int
		delay time.Duration
	}{{10000, 16384, 240 * time.Second}, {100, 1000, 30 * time.Second}, {50, 3976, 120 * time.Second}} {
		s := spec.DefaultSettings()
		s.TcpTimedWaitDelay = c.delay
		s.DynamicPorts = spec.PortRange{Start: 1025, Count: c.ports}
		r, err := Churn(Workload{Rate: c.rate, Duration: 10 * c.delay, Settings: s})
		if err != nil {
			t.Fatal(err)
		}
		closed := float64(c.ports) / c.delay.Seconds()
		exhaust := time.Duration(float64(c.ports) / c.rate * 1e9)
		if c.rate <= closed {
			if r.First != nil {
				t.Errorf("%v/s under the closed form %.1f/s: failure %+v", c.rate, closed, *r.First)
			}
			continue
		}
		if r.First == nil || r.First.Err != "WSAENOBUFS" || (r.First.Time-exhaust).Abs() > time.Millisecond {
			t.Errorf("%v/s: first failure %+v, want WSAENOBUFS at %v", c.rate, r.First, exhaust)
		}
		// Over whole delays the successes are the closed form's.
		got := float64(r.Succeeded) / (10 * c.delay.Seconds())
		if math.Abs(got-closed)/closed > 0.05 {
			t.Errorf("%v/s: %.2f connections/s made, closed form %.2f", c.rate, got, closed)
		}
	}
}

// The server closing first: its rows hold no client port and each SYN
// takes its pair's row over, so nothing runs out.
func TestChurnServerFirst(t *testing.T) {
	r, err := Churn(Workload{Rate: 10000, Duration: 10 * time.Second, CloserServer: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.First != nil || r.Succeeded != r.Attempts || r.PeakRows != 16384 {
		t.Fatalf("first %+v, %d of %d made, peak rows %d", r.First, r.Succeeded, r.Attempts, r.PeakRows)
	}
}

// The simulation drives the emulator below its API; the same workload
// through the API gives the same TCP table and the same failures.
func TestChurnMatchesAPI(t *testing.T) {
	s := spec.DefaultSettings()
	s.DynamicPorts = spec.PortRange{Start: 50000, Count: 50}
	s.TcpTimedWaitDelay = 30 * time.Second
	for _, serverFirst := range []bool{false, true} {
		w := Workload{Rate: 10, Duration: 100 * time.Second, CloserServer: serverFirst, Settings: s}
		r, err := Churn(w)
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(s)
		if err != nil {
			t.Fatal(err)
		}
		l, addr := listenAt(t, e, 8080)
		fails := 0
		for k := 0; ; k++ {
			at := time.Duration(float64(k) * 1e8)
			if at > w.Duration {
				break
			}
			e.vclock.advanceTo(e.epoch + at)
			c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			if err := e.Connect(c, addr); err != nil {
				fails++
				_ = e.Closesocket(c)
				continue
			}
			srv, _, _ := e.Accept(l)
			first, second := c, srv
			if serverFirst {
				first, second = srv, c
			}
			_ = e.Closesocket(first)
			_ = e.Closesocket(second)
		}
		e.vclock.advanceTo(e.epoch + w.Duration)
		table, _ := e.TCPTable()
		if !slices.Equal(table, r.Table) {
			t.Fatalf("server first %v: tables differ:\nAPI   %v\nChurn %v", serverFirst, table, r.Table)
		}
		if uint64(fails) != r.Attempts-r.Succeeded {
			t.Fatalf("server first %v: %d failures through the API, %d in Churn", serverFirst, fails, r.Attempts-r.Succeeded)
		}
	}
}

func TestChurnBadWorkload(t *testing.T) {
	for _, w := range []Workload{{}, {Rate: -1, Duration: time.Second}, {Rate: 1, Duration: 0}, {Rate: math.Inf(1), Duration: time.Second},
		{Rate: 1e9, Duration: time.Hour}, {Rate: 1, Duration: time.Second, Reuse: -1},
		{Rate: 1, Duration: time.Second, Reuse: MaxChurnPool + 1}} {
		if _, err := Churn(w); err == nil {
			t.Errorf("%+v: no error", w)
		}
	}
	if _, err := Churn(Workload{Rate: 1, Duration: time.Second, Options: []Option{WithTrace()}}); err == nil {
		t.Error("WithTrace: no error")
	}
}

// BenchmarkChurn measures the simulation's cost per connection (one op is
// one connection attempt) for the client and the server closing first.
func BenchmarkChurn(b *testing.B) {
	for _, serverFirst := range []bool{false, true} {
		name := "client-first"
		if serverFirst {
			name = "server-first"
		}
		b.Run(name, func(b *testing.B) {
			w := Workload{Rate: 10000, Duration: time.Duration(b.N) * 100 * time.Microsecond, CloserServer: serverFirst, Samples: 10}
			r, err := Churn(w)
			if err != nil {
				b.Fatal(err)
			}
			if r.Attempts < uint64(b.N) {
				b.Fatalf("%d attempts, want %d", r.Attempts, b.N)
			}
		})
	}
}

// TestChurnHugeDuration: a duration past MaxChurnDuration is refused, and a
// tiny rate over the longest duration returns (time saturates, never wraps).
func TestChurnHugeDuration(t *testing.T) {
	if _, err := Churn(Workload{Rate: 1e-9, Duration: math.MaxInt64, Samples: 2}); err == nil {
		t.Error("Churn with Duration MaxInt64: no error")
	}
	done := make(chan error, 1)
	go func() {
		_, err := Churn(Workload{Rate: 1e-300, Duration: MaxChurnDuration, Samples: 2})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Churn with a tiny rate over MaxChurnDuration: %v", err)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing check
		t.Fatal("Churn with a tiny rate over MaxChurnDuration did not return")
	}
}

// The measured rate is taken over whole TcpTimedWaitDelay periods: with
// the client closing first every port's row leaves a delay after it came,
// so the successes come in one burst a period, and a window that cuts
// the run at half-time counts seven bursts of an hour's fifteen in
// 1,800 s (63.7/s) where the range sustains 16,384/240 = 68.3/s.
func TestChurnMeasuredWholePeriods(t *testing.T) {
	for _, c := range []struct {
		delay, dur, window time.Duration
	}{
		{240 * time.Second, time.Hour, 7 * 240 * time.Second},
		{250 * time.Second, time.Hour, 7 * 250 * time.Second},
		{240 * time.Second, 5 * time.Minute, 150 * time.Second}, // under one period: the second half
	} {
		s := spec.DefaultSettings()
		s.TcpTimedWaitDelay = c.delay
		r, err := Churn(Workload{Rate: 10000, Duration: c.dur, Settings: s})
		if err != nil {
			t.Fatal(err)
		}
		if r.MeasuredOver != c.window {
			t.Errorf("delay %v for %v: measured over %v, want %v", c.delay, c.dur, r.MeasuredOver, c.window)
		}
		if c.window < c.delay {
			continue
		}
		closed := float64(s.DynamicPorts.Count) / c.delay.Seconds()
		if math.Abs(r.Measured-closed)/closed > 0.001 {
			t.Errorf("delay %v for %v: measured %.3f/s, closed form %.3f/s", c.delay, c.dur, r.Measured, closed)
		}
	}
}

func TestMeasureFrom(t *testing.T) {
	for _, c := range []struct{ end, delay, want int64 }{
		{100, 0, 50}, {100, 51, 50}, {100, 50, 50}, {100, 30, 70}, {101, 30, 71}, {100, 25, 50}, {100, 20, 60}, {101, 51, 50}, {1, 1, 0}, {0, 5, 0},
	} {
		if got := measureFrom(c.end, c.delay); got != c.want {
			t.Errorf("measureFrom(%d, %d) = %d, want %d", c.end, c.delay, got, c.want)
		}
	}
}

// ModelLimit stops a simulation that would run too many connections one
// by one; the leaps' counted connections do not count against it.
func TestChurnModelLimit(t *testing.T) {
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = time.Second
	w := Workload{Rate: 10000, Duration: time.Hour, Settings: s, ModelLimit: 100_000}
	if r, err := Churn(w); err != nil || r.leapt == 0 {
		t.Fatalf("a turnover within the limit: %v, leapt %v", err, r)
	}
	w.Rate, w.Reuse = 1000, 2000 // a pool with the client closing first, never short: run one by one
	_, err := Churn(w)
	if !errors.Is(err, ErrChurnLimit) {
		t.Fatalf("a pool past the limit: %v, want ErrChurnLimit", err)
	}
	t.Log(err)
}
