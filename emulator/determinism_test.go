package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"github.com/google/go-cmp/cmp"
	"gotest.tools/v3/assert"
)

// chaos drives an emulator with a pseudo-random script of calls, good and
// bad, that never blocks forever: waits have short timeouts, blocking calls
// run only when Poll says they can proceed. It returns the emulator.
func chaos(t testing.TB, seed uint64, steps int, opts ...Option) *Emulator {
	s := spec.DefaultSettings()
	s.DynamicPorts = spec.PortRange{Start: 60000, Count: 64}
	s.TcpTimedWaitDelay = 30 * time.Second
	e, err := New(s, opts...)
	assert.NilError(t, err)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var socks []spec.Socket
	var hs []spec.Handle
	var ovs []spec.Overlapped
	var threads []spec.Thread
	syncSock := map[spec.Socket]bool{}
	pickS := func() spec.Socket {
		if len(socks) == 0 || rng.IntN(10) == 0 {
			return spec.Socket(rng.Uint64N(64) * 4)
		}
		return socks[rng.IntN(len(socks))]
	}
	pickH := func() spec.Handle {
		if len(hs) == 0 || rng.IntN(10) == 0 {
			return spec.Handle(pickS())
		}
		return hs[rng.IntN(len(hs))]
	}
	pickOv := func() spec.Overlapped {
		if len(ovs) == 0 || rng.IntN(8) == 0 {
			return spec.Overlapped(rng.Uint64N(3))
		}
		return ovs[rng.IntN(len(ovs))]
	}
	addrs := []netip.AddrPort{
		netip.MustParseAddrPort("127.0.0.1:7000"), netip.MustParseAddrPort("127.0.0.1:7001"),
		netip.MustParseAddrPort("0.0.0.0:0"), netip.MustParseAddrPort("[::1]:7000"), {},
	}
	api := func() spec.API {
		if len(threads) > 0 && rng.IntN(4) == 0 {
			return threads[rng.IntN(len(threads))]
		}
		return e
	}
	// A listener most connections go to, so that scripts reach the
	// interesting states often.
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(l, addrs[0])
	_ = e.Listen(l, 8)
	socks = append(socks, l)
	// A listener nothing connects to: AcceptEx on it stays pending.
	quiet, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	_ = e.Bind(quiet, netip.MustParseAddrPort("127.0.0.1:7002"))
	_ = e.Listen(quiet, 8)
	socks = append(socks, quiet)
	for i := 0; i < steps; i++ {
		a := api()
		switch rng.IntN(29) {
		case 27, 28:
			// A thread with several requests pending exits: its exit
			// cancels them, and the order of the cancellations shows in
			// the trace (so a map-order iteration there would too).
			th, err := e.NewThread()
			if err != nil {
				break
			}
			for j := 2 + rng.IntN(4); j > 0; j-- {
				as, err := th.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
				if err != nil {
					break
				}
				socks = append(socks, as)
				var ev spec.Handle
				if rng.IntN(4) != 0 {
					ev, _ = th.CreateEvent(true, false)
					hs = append(hs, ev)
				}
				if ov, err := th.NewOverlapped(ev); err == nil {
					ovs = append(ovs, ov)
					_ = th.AcceptEx([]spec.Socket{quiet, quiet, l}[rng.IntN(3)], as, ov)
				}
			}
			_ = th.Exit()
		case 24, 25, 26:
			// a connected pair: connect or ConnectEx, accept or AcceptEx
			c, err := a.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			if err != nil {
				break
			}
			socks = append(socks, c)
			if rng.IntN(2) == 0 {
				_ = a.Connect(c, addrs[0])
			} else if ov, err := a.NewOverlapped(0); err == nil {
				ovs = append(ovs, ov)
				_ = a.Bind(c, addrs[2])
				_ = a.ConnectEx(c, addrs[0], ov)
			}
			if rng.IntN(2) == 0 {
				if r, _ := a.Poll(l, spec.POLLRDNORM, 0); r&spec.POLLRDNORM != 0 {
					if s, _, err := a.Accept(l); err == nil {
						socks = append(socks, s)
					}
				}
			} else if as, err := a.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED); err == nil {
				socks = append(socks, as)
				if ov, err := a.NewOverlapped(0); err == nil {
					ovs = append(ovs, ov)
					_ = a.AcceptEx(l, as, ov)
				}
			}
		case 0, 1:
			af := []int{spec.AF_INET, spec.AF_INET6, 7}[rng.IntN(3)]
			typ := []int{spec.SOCK_STREAM, spec.SOCK_STREAM, spec.SOCK_DGRAM, spec.SOCK_RAW}[rng.IntN(4)]
			fl := uint32(rng.IntN(2))
			if s, err := a.Socket(af, typ, 0, fl); err == nil {
				socks = append(socks, s)
				syncSock[s] = fl == 0
			}
		case 2:
			_ = a.Bind(pickS(), addrs[rng.IntN(len(addrs))])
		case 3:
			_ = a.Listen(pickS(), rng.IntN(5)-1)
		case 4:
			_ = a.Connect(pickS(), addrs[rng.IntN(len(addrs))])
		case 5:
			s := pickS()
			if r, err := a.Poll(s, spec.POLLRDNORM, 0); err == nil && r&spec.POLLRDNORM != 0 {
				if st, _ := e.State(s); st == spec.StateListening {
					if n, _, err := a.Accept(s); err == nil {
						socks = append(socks, n)
						syncSock[n] = syncSock[s] // accepted sockets inherit the listener's mode
					}
				} else {
					_, _ = a.Recv(s, make([]byte, rng.IntN(4)))
				}
			}
		case 6:
			_, _ = a.Send(pickS(), []byte("data"))
		case 7:
			_ = a.Shutdown(pickS(), rng.IntN(4)-1)
		case 8:
			_ = a.SetLinger(pickS(), rng.IntN(2) == 0, uint16(rng.IntN(2)))
		case 9:
			_ = a.Closesocket(pickS())
		case 10:
			_ = a.ConnectEx(pickS(), addrs[rng.IntN(len(addrs))], pickOv())
		case 11:
			// AcceptEx on a non-overlapped listener blocks until a connection comes.
			if l := pickS(); !syncSock[l] {
				_ = a.AcceptEx(l, pickS(), pickOv())
			} else if r, _ := a.Poll(l, spec.POLLRDNORM, 0); r&spec.POLLRDNORM != 0 {
				_ = a.AcceptEx(l, pickS(), pickOv())
			}
		case 12, 13:
			// A synchronous TF_REUSE_SOCKET (NULL OVERLAPPED or a non-overlapped
			// socket) may wait for a FIN nobody sends: keep those to flags 0.
			ov, s := pickOv(), pickS()
			flags := []uint32{0, spec.TF_REUSE_SOCKET, 1}[rng.IntN(3)]
			if (ov == 0 || syncSock[s]) && flags == spec.TF_REUSE_SOCKET {
				flags = 0
			}
			_ = a.DisconnectEx(s, ov, flags, uint32(rng.IntN(8)/7))
		case 14:
			if ov, err := a.NewOverlapped(pickH() &^ spec.Handle(rng.IntN(2))); err == nil {
				ovs = append(ovs, ov)
			}
		case 15:
			_ = a.FreeOverlapped(pickOv())
		case 16:
			_, _ = a.GetOverlappedResult(pickH(), pickOv(), false)
			_, _, _ = a.WSAGetOverlappedResult(pickS(), pickOv(), false)
		case 17:
			_ = a.CancelIoEx(pickH(), pickOv())
		case 18:
			if h, err := a.CreateEvent(rng.IntN(2) == 0, rng.IntN(2) == 0); err == nil {
				hs = append(hs, h)
			}
			_ = a.SetEvent(pickH())
			_ = a.WaitForSingleObject(pickH(), time.Duration(rng.IntN(3))*time.Second)
		case 19:
			if h, err := a.CreateIoCompletionPort(0); err == nil {
				hs = append(hs, h)
			}
			_ = a.AssociateCompletionPort(pickH(), pickS(), uintptr(rng.IntN(9)))
			_ = a.SetFileCompletionNotificationModes(pickS(), uint8(rng.IntN(4)))
		case 20:
			_, _ = a.GetQueuedCompletionStatus(pickH(), time.Duration(rng.IntN(2))*time.Second)
			_ = a.PostQueuedCompletionStatus(pickH(), 1, 2, pickOv())
		case 21:
			if rng.IntN(3) == 0 {
				_ = a.CloseHandle(pickH())
			}
			_, _ = a.GetExtensionFunction(pickS(), spec.WSAID_DISCONNECTEX)
		case 22:
			if th, err := a.NewThread(); err == nil {
				threads = append(threads, th)
			}
			if len(threads) > 0 && rng.IntN(3) == 0 {
				_ = threads[rng.IntN(len(threads))].Exit()
			}
		case 23:
			a.Sleep(time.Duration(rng.IntN(20)) * time.Second)
			_, _ = a.TCPTable()
		}
	}
	return e
}

// determinismSeeds is how many seeds TestDeterminism runs on each profile
// (30; 10 with -short or -race).
func determinismSeeds() int {
	if testing.Short() || raceEnabled {
		return 10
	}
	return 30
}

// traceDiff runs each seed twice on each profile and returns the first
// difference between the two traces ("" when every pair is identical).
func traceDiff(t testing.TB, seeds int, opts ...Option) string {
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		for _, p := range profiles {
			o := append([]Option{WithTrace(), WithProfile(p)}, opts...)
			a := chaos(t, seed, 1000, o...).Trace()
			b := chaos(t, seed, 1000, o...).Trace()
			assert.Assert(t, len(a) > 500)
			if slices.Equal(a, b) {
				continue
			}
			if diff := cmp.Diff(a, b); diff != "" {
				return fmt.Sprintf("seed %d, %v: traces differ:\n%s", seed, p, diff)
			}
		}
	}
	return ""
}

// TestDeterminism: the same script twice gives identical traces, for many
// seeds on both profiles. An order that depends on map iteration shows up
// as differing traces: TestDeterminismCatchesMapOrder checks that it does.
func TestDeterminism(t *testing.T) {
	if diff := traceDiff(t, determinismSeeds()); diff != "" {
		t.Fatal(diff)
	}
	// The trace mentions each kind of event.
	text := chaos(t, 3, 3000, WithTrace()).TraceString()
	for _, k := range []string{" call ", " result ", " transition ", " completion "} {
		assert.Assert(t, strings.Contains(text, k), "no %q in the trace", k)
	}
}

// TestChaosInvariants: after any script, closing every handle and waiting
// out TIME_WAIT leaves an empty TCP table and no port held.
func TestChaosInvariants(t *testing.T) {
	// 652: the seed with which the first FuzzChaos found a socket promised
	// to a pending AcceptEx binding (commit e721164).
	for _, seed := range append([]uint64{652}, seeds(10, 30)...) {
		e := chaos(t, seed, 2000, WithProfile(profiles[seed%2]))
		e.mu.Lock()
		var open []spec.Socket
		var others []spec.Handle
		for i := range e.handles {
			sl := &e.handles[i]
			switch sl.kind {
			case kindSocket:
				open = append(open, sl.sock.h)
			case kindEvent, kindPort:
				others = append(others, spec.Handle(handleValue(uint32(i), sl.gen)))
			}
		}
		e.mu.Unlock()
		for _, s := range open {
			assert.NilError(t, e.Closesocket(s))
		}
		for _, h := range others {
			assert.NilError(t, e.CloseHandle(h))
		}
		e.Sleep(time.Hour)
		rows, err := e.TCPTable()
		assert.NilError(t, err)
		assert.Equal(t, len(rows), 0, "seed %d: %v", seed, rows)
		e.mu.Lock()
		for fam := range e.ports.bound {
			for p, n := range e.ports.bound[fam] {
				if n != 0 {
					t.Errorf("seed %d: family %d port %d still held by %d", seed, fam, p, n)
				}
			}
		}
		for _, o := range e.ovs {
			if o.pending {
				t.Errorf("seed %d: request still pending after every handle closed", seed)
			}
		}
		assert.Equal(t, len(e.orphans), 0)
		assert.Equal(t, len(e.ports.named)+len(e.ports.namedOn), 0, "seed %d: specific addresses still named", seed)
		e.mu.Unlock()
	}
}

func seeds(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s < to; s++ {
		out = append(out, s)
	}
	return out
}
