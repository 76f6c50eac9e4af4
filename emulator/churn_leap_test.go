package emulator

import (
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
		{"server-first-ramp", Workload{Rate: 10, RampTo: 40, Duration: 100 * time.Second, CloserServer: true, Settings: ports(50, 30*time.Second)}, false},
		{"server-first-delay-0", Workload{Rate: 10, Duration: 100 * time.Second, CloserServer: true, Settings: ports(50, 0)}, false},
		{"client-first", Workload{Rate: 10, Duration: 100 * time.Second, Settings: ports(50, 30*time.Second)}, false},
		// A reused socket keeps its local port: one row, taken over by
		// every connection (a period of one).
		{"server-first-reuse", Workload{Rate: 10, Duration: 100 * time.Second, Reuse: 8, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		{"server-first-reuse-64-default", Workload{Rate: 10000, Duration: 20 * time.Second, Reuse: 64, CloserServer: true}, true},
		{"server-first-reuse-3-servers", Workload{Rate: 40, Duration: 200 * time.Second, Reuse: 8, Servers: 3, CloserServer: true, Settings: ports(50, 30*time.Second)}, true},
		// The client closing first, its reused sockets wait out TIME_WAIT:
		// the pool is never all idle.
		{"client-first-reuse", Workload{Rate: 10, Duration: 100 * time.Second, Reuse: 8, Settings: ports(50, 30*time.Second)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			churnLeapOn = false
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
