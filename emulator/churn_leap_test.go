package emulator

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// TestChurnLeapExact runs workloads with the steady-state leap and
// without it and wants the same results, field by field: samples,
// failures, counts, the measured rate and the final TCP table. The leap
// must happen where the state is periodic and must not where it is not.
func TestChurnLeapExact(t *testing.T) {
	ports := func(n int, delay time.Duration) spec.Settings {
		s := spec.DefaultSettings()
		s.DynamicPorts = spec.PortRange{Start: 50000, Count: n}
		s.TcpTimedWaitDelay = delay
		return s
	}
	loop2 := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	for _, c := range []struct {
		name string
		w    Workload
		leap bool
	}{
		{"server-first", Workload{Rate: 10, Duration: 100 * time.Second, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-odd-end", Workload{Rate: 50, Duration: 307*time.Second + 3*time.Millisecond, CloserServer: true, Settings: ports(100, 10*time.Second), Samples: 997}, true},
		{"server-first-3-servers", Workload{Rate: 40, Duration: 200 * time.Second, Servers: 3, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-client-address", Workload{Rate: 40, Duration: 60 * time.Second, Client: loop2, CloserServer: true, Settings: ports(64, 30*time.Second)}, true},
		{"server-first-ipv6", Workload{Rate: 40, Duration: 60 * time.Second, Client: netip.IPv6Loopback(), Server: netip.IPv6Loopback(), CloserServer: true, Settings: ports(64, 30*time.Second)}, true},
		{"server-first-default", Workload{Rate: 10000, Duration: 20 * time.Second, CloserServer: true}, true},
		// A period (2 s) as long as the delay: rows expire before their
		// takeover, so there is no leap.
		{"server-first-rows-expire", Workload{Rate: 50, Duration: 60 * time.Second, CloserServer: true, Settings: ports(100, 2*time.Second)}, false},
		// Under a ramp the leap checks every period: a ramp down stretches
		// the periods until rows expire first (50 rows take 30 s at 1.67/s,
		// reached 393 s before the end), and the model runs on from there.
		{"server-first-ramp", Workload{Rate: 10, RampTo: 40, Duration: 100 * time.Second, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-ramp-down", Workload{Rate: 40, RampTo: 0.1, Duration: 10000 * time.Second, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-ramp-reuse", Workload{Rate: 10, RampTo: 100, Duration: 100 * time.Second, Reuse: 8, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-ramp-default", Workload{Rate: 10000, RampTo: 20000, Duration: 20 * time.Second, CloserServer: true}, true},
		// With a delay of 0 no row is made: the ports turn over whichever
		// side closes first.
		{"server-first-delay-0", Workload{Rate: 10, Duration: 100 * time.Second, CloserServer: true, Settings: ports(50, 0)}, true},
		{"client-first", Workload{Rate: 10, Duration: 100 * time.Second, Settings: ports(50, 30*time.Second)}, false},
		// The client closing first on a range that lasts longer than the
		// delay: the ports turn over (churn_turnover.go).
		{"client-first-turnover", Workload{Rate: 10, Duration: 100 * time.Second, Settings: ports(500, 30*time.Second)}, true},
		{"client-first-turnover-odd-end", Workload{Rate: 37, Duration: 311*time.Second + 7*time.Millisecond, Settings: ports(1200, 30*time.Second), Samples: 997}, true},
		{"client-first-turnover-3-servers", Workload{Rate: 40, Duration: 200 * time.Second, Servers: 3, Settings: ports(1300, 30*time.Second)}, true},
		{"client-first-turnover-client-address", Workload{Rate: 40, Duration: 60 * time.Second, Client: loop2, Settings: ports(1300, 30*time.Second)}, true},
		{"client-first-turnover-ipv6", Workload{Rate: 40, Duration: 60 * time.Second, Client: netip.IPv6Loopback(), Server: netip.IPv6Loopback(), Settings: ports(1300, 30*time.Second)}, true},
		{"client-first-turnover-1s", Workload{Rate: 10000, Duration: 20 * time.Second, Settings: ports(15000, time.Second)}, true},
		{"client-first-turnover-short", Workload{Rate: 10, Duration: 20 * time.Second, Settings: ports(500, 30*time.Second)}, true},
		// A turn of the range exactly as long as the delay (300 ports at
		// 10/s, 30 s): the cursor's port may still be in TIME_WAIT.
		{"client-first-turn-equals-delay", Workload{Rate: 10, Duration: 100 * time.Second, Settings: ports(300, 30*time.Second)}, false},
		// Listeners inside the dynamic range hold ports no row does: the
		// cursor skips them.
		{"client-first-listener-in-range", Workload{Rate: 10, Duration: 100 * time.Second, Port: 50100, Settings: ports(500, 30*time.Second)}, true},
		{"client-first-listeners-in-range", Workload{Rate: 17, Duration: 300 * time.Second, Port: 50498, Servers: 5, Settings: ports(700, 30*time.Second)}, true},
		{"client-first-listeners-across-range-end", Workload{Rate: 17, Duration: 300 * time.Second, Port: 50698, Servers: 5, Settings: ports(700, 30*time.Second)}, true},
		{"client-first-listeners-at-range-start", Workload{Rate: 17, Duration: 300 * time.Second, Port: 50000, Servers: 3, Settings: ports(700, 30*time.Second)}, true},
		// 503 ports less 3 listeners: a turn of 500 at 10/s is 50 s against a 50 s delay.
		{"client-first-listeners-turn-equals-delay", Workload{Rate: 10, Duration: 200 * time.Second, Port: 50010, Servers: 3, Settings: ports(503, 50*time.Second)}, false},
		{"client-first-ramp", Workload{Rate: 10, RampTo: 12, Duration: 100 * time.Second, Settings: ports(500, 30*time.Second)}, true},
		{"client-first-ramp-down", Workload{Rate: 16, RampTo: 2, Duration: 100 * time.Second, Settings: ports(500, 30*time.Second)}, true},
		// A ramp to a rate at which a turn no longer outlasts the delay.
		{"client-first-ramp-past-range", Workload{Rate: 10, RampTo: 30, Duration: 100 * time.Second, Settings: ports(500, 30*time.Second)}, false},
		{"client-first-delay-0", Workload{Rate: 1000, Duration: 30 * time.Second, Settings: ports(500, 0)}, true},
		{"client-first-delay-0-ramp", Workload{Rate: 1000, RampTo: 3000, Duration: 10 * time.Second, Servers: 2, Settings: ports(500, 0)}, true},
		// A reused socket keeps its local port: one row, taken over by
		// every connection (a period of one).
		{"server-first-reuse", Workload{Rate: 10, Duration: 100 * time.Second, Reuse: 8, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-reuse-64-default", Workload{Rate: 10000, Duration: 20 * time.Second, Reuse: 64, CloserServer: true}, true},
		{"server-first-reuse-3-servers", Workload{Rate: 40, Duration: 200 * time.Second, Reuse: 8, Servers: 3, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		// The client closing first, its reused sockets wait out TIME_WAIT:
		// the pool is never all idle.
		{"client-first-reuse", Workload{Rate: 10, Duration: 100 * time.Second, Reuse: 8, Settings: ports(50, 30*time.Second)}, false},
		// No leap, but the failures of a full pool are skipped until a row
		// leaves: with several servers once every server has failed in a
		// row (the reference runs each of them).
		{"client-first-reuse-2-servers-skip", Workload{Rate: 115, Duration: 95 * time.Second, Servers: 2, Reuse: 13, Settings: ports(1440, 39*time.Second)}, false},
		{"client-first-reuse-3-servers-skip", Workload{Rate: 1000, Duration: 60 * time.Second, Servers: 3, Reuse: 5, Settings: ports(1440, 10*time.Second)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			churnLeapOn, churnKeepState = false, true
			defer func() { churnKeepState = false }()
			want, err := Churn(c.w)
			churnLeapOn = true
			if err != nil {
				t.Fatal(err)
			}
			got, err := Churn(c.w)
			if err != nil {
				t.Fatal(err)
			}
			if want.leapt != 0 {
				t.Fatalf("the reference run leapt %d connections", want.leapt)
			}
			if (got.leapt > 0) != c.leap {
				t.Fatalf("leapt over %d of %d connections, want a leap: %v", got.leapt, got.Attempts, c.leap)
			}
			got.leapt = 0
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("with the leap:\n%+v\nwithout:\n%+v", got, want)
			}
		})
	}
}

// TestChurnLeapExactRandom compares runs with and without the leaps on
// random workloads (a fixed seed): either closer, with and without a pool,
// ranges that do and do not outlast the delay, listeners inside and
// outside the range, clients on the servers' address or another, odd ends
// and sample counts.
func TestChurnLeapExactRandom(t *testing.T) {
	n := 240
	if testing.Short() || raceEnabled {
		n = 40
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	leapt := 0
	for i := 0; i < n; i++ {
		s := spec.DefaultSettings()
		s.DynamicPorts = spec.PortRange{Start: 50000, Count: 20 + rng.IntN(3000)}
		s.TcpTimedWaitDelay = time.Duration(1+rng.IntN(60)) * time.Second
		w := Workload{
			Rate:         float64(1+rng.IntN(400)) / float64(1+rng.IntN(4)),
			Duration:     time.Duration(1+rng.IntN(200))*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond,
			Servers:      1 + rng.IntN(3),
			CloserServer: rng.IntN(2) == 0,
			Samples:      1 + rng.IntN(300),
			Settings:     s,
		}
		if rng.IntN(4) == 0 {
			w.Reuse = 1 + rng.IntN(16)
		}
		if rng.IntN(4) == 0 {
			w.RampTo = float64(1 + rng.IntN(400))
		}
		if rng.IntN(6) == 0 {
			s.TcpTimedWaitDelay = 0
			w.Settings = s
		}
		if rng.IntN(5) == 0 {
			w.Port = uint16(50000 + rng.IntN(s.DynamicPorts.Count))
		}
		if rng.IntN(5) == 0 { // the clients on another address than the servers
			w.Client = netip.AddrFrom4([4]byte{127, 0, 0, byte(2 + rng.IntN(3))})
		}
		if r := max(w.Rate, w.RampTo); r*w.Duration.Seconds() > 40000 {
			w.Duration = time.Duration(40000 / r * 1e9)
		}
		churnLeapOn, churnKeepState = false, true
		want, err := Churn(w)
		churnLeapOn = true
		if err != nil {
			t.Fatalf("%+v: %v", w, err)
		}
		got, err := Churn(w)
		if err != nil {
			t.Fatalf("%+v: %v", w, err)
		}
		if got.leapt > 0 {
			leapt++
		}
		got.leapt = 0
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("workload %d %+v:\nwith the leaps:\n%+v\nwithout:\n%+v", i, w, got, want)
		}
	}
	churnKeepState = false
	t.Logf("%d of %d workloads leapt", leapt, n)
	if leapt < n/5 {
		t.Errorf("only %d of %d workloads leapt: the test no longer covers the leaps", leapt, n)
	}
}

// The leaps make the progress calls the connection-by-connection run
// makes: at the same counts, with the same virtual times.
func TestChurnLeapProgress(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs 9 million connections one by one")
	}
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = time.Second
	s0 := s
	s0.TcpTimedWaitDelay = 0
	for _, w := range []Workload{
		{Rate: 10000, Duration: 300 * time.Second, Settings: s},        // turnover
		{Rate: 100000, Duration: 30 * time.Second, Settings: s0},       // turnover, no rows
		{Rate: 10000, Duration: 300 * time.Second, CloserServer: true}, // rotation
	} {
		var calls [2][]time.Duration
		for i, on := range []bool{false, true} {
			churnLeapOn = on
			w.Progress = func(v time.Duration) { calls[i] = append(calls[i], v) }
			r, err := Churn(w)
			churnLeapOn = true
			if err != nil {
				t.Fatal(err)
			}
			if on && r.leapt == 0 {
				t.Fatalf("%+v: no leap", w)
			}
		}
		if len(calls[0]) < 2 || !reflect.DeepEqual(calls[0], calls[1]) {
			t.Errorf("rate %v, delay %v, server first %v: progress calls\nwithout the leaps %v\nwith them         %v",
				w.Rate, w.Settings.TcpTimedWaitDelay, w.CloserServer, calls[0], calls[1])
		}
	}
}
