package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/disconnectex/disconnectex/spec"
)

func TestTimeWaitRowSize(t *testing.T) {
	if n := unsafe.Sizeof(twRow{}); n > 16 {
		t.Fatalf("a TIME_WAIT row takes %d bytes, want at most 16", n)
	}
}

// reuseCycles runs n reuse cycles of one bound client socket against the
// listener, the server closing first each time, and returns the error of
// the first ConnectEx that failed (nil if none did).
func reuseCycles(w *world, n int) (spec.Socket, error) {
	e := w.e
	c := w.sock(true)
	w.ok(e.Bind(c, any4))
	cov, dov := w.ov(0), w.ov(0)
	for i := 0; i < n; i++ {
		if err := e.ConnectEx(c, serverAddr, cov); err != spec.ERROR_IO_PENDING {
			return c, err
		}
		if _, err := e.GetOverlappedResult(spec.Handle(c), cov, true); err != nil {
			w.t.Fatalf("cycle %d: ConnectEx result: %v", i, err)
		}
		srv, _, err := e.Accept(w.listener)
		w.ok(err)
		w.ok(e.Closesocket(srv))
		w.is(e.DisconnectEx(c, dov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
		if _, err := e.GetOverlappedResult(spec.Handle(c), dov, true); err != nil {
			w.t.Fatalf("cycle %d: DisconnectEx result: %v", i, err)
		}
	}
	return c, nil
}

func wantUniqueTuples(t testing.TB, e *Emulator) []spec.TCPRow {
	t.Helper()
	rows, err := e.TCPTable()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]netip.AddrPort]spec.TCPState{}
	for _, r := range rows {
		k := [2]netip.AddrPort{r.Local, r.Remote}
		if st, ok := seen[k]; ok && r.State != spec.TCPListen {
			t.Fatalf("two rows for %v -> %v: %v and %v", r.Local, r.Remote, st, r.State)
		}
		seen[k] = r.State
	}
	return rows
}

// Issue 7: three reuse cycles against one listener, the server closing
// first, used to leave three TIME_WAIT rows for one pair.
func TestReuseCyclesKeepOneRowPerPair(t *testing.T) {
	t.Run("takeover", func(t *testing.T) {
		w := newWorld(t, Windows)
		if _, err := reuseCycles(w, 3); err != nil {
			t.Fatalf("reconnect from the same port: %v", err)
		}
		wantUniqueTuples(t, w.e)
		if n := w.rows(spec.TCPTimeWait); n != 1 {
			t.Fatalf("%d TIME_WAIT rows after 3 cycles, want 1 (each SYN takes the pair over)", n)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		w := newWorld(t, Windows, WithVariant(spec.ClauseGapTimeWaitSYN, VariantSYNRefused))
		c, err := reuseCycles(w, 3)
		w.is(err, spec.WSAEADDRINUSE)
		wantUniqueTuples(t, w.e)
		if n := w.rows(spec.TCPTimeWait); n != 1 {
			t.Fatalf("%d TIME_WAIT rows, want 1", n)
		}
		// The pair is usable again once its row expires.
		w.e.Sleep(spec.DefaultTcpTimedWaitDelay)
		cov := w.ov(0)
		w.is(w.e.ConnectEx(c, serverAddr, cov), spec.ERROR_IO_PENDING)
		if _, err := w.e.GetOverlappedResult(spec.Handle(c), cov, true); err != nil {
			t.Fatalf("ConnectEx after TIME_WAIT: %v", err)
		}
	})
}

// A SYN that takes over a row whose socket still has its handle (the
// server reused its accepted socket and waits out TIME_WAIT) ends that
// TIME_WAIT: the waiting reuse completes.
func TestSYNTakeOverCompletesWaitingReuse(t *testing.T) {
	w := newWorld(t, Windows, reuseWaits)
	e := w.e
	c := w.sock(true)
	w.ok(e.Bind(c, any4))
	cov := w.ov(0)
	w.is(e.ConnectEx(c, serverAddr, cov), spec.ERROR_IO_PENDING)
	srv, _, err := e.Accept(w.listener)
	w.ok(err)
	sov := w.ov(0)
	w.is(e.DisconnectEx(srv, sov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING) // server closes first
	local, err := e.Getsockname(c)
	w.ok(err)
	w.ok(e.Closesocket(c)) // the server end enters TIME_WAIT, its reuse waits
	w.wantState(srv, spec.StateTimeWait)
	c2 := w.sock(true)
	w.ok(e.Bind(c2, local))
	w.ok(e.Connect(c2, serverAddr)) // a SYN for the pair: takes it over
	if _, err := e.GetOverlappedResult(spec.Handle(srv), sov, false); err != nil {
		t.Fatalf("the server's reuse after its row was taken over: %v", err)
	}
	w.wantState(srv, spec.StateReusable)
	if e.Now() != 0 {
		t.Fatalf("virtual time %v, want 0", e.Now())
	}
	wantUniqueTuples(t, e)
}

// Issue 8 item 5: past 65,535 distinct addresses rows were listed under
// the wrong address. 66,000 addresses in 127/8, each with its row.
func TestTimeWaitDistinctAddresses(t *testing.T) {
	const n = 66_000
	e, err := New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	l, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
	if err := e.Bind(l, netip.AddrPortFrom(netip.IPv4Unspecified(), 8080)); err != nil {
		t.Fatal(err)
	}
	if err := e.Listen(l, 1); err != nil {
		t.Fatal(err)
	}
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{127, byte(i >> 16), byte(i >> 8), byte(i)}) }
	for i := 1; i <= n; i++ {
		c, _ := e.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, 0)
		if err := e.Connect(c, netip.AddrPortFrom(addr(i), 8080)); err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
		s, _, err := e.Accept(l)
		if err != nil {
			t.Fatal(err)
		}
		_ = e.Closesocket(s) // the server closes first: its row is (addr:8080, addr:port)
		_ = e.Closesocket(c)
	}
	rows := wantUniqueTuples(t, e)
	got := 0
	for _, r := range rows {
		if r.State != spec.TCPTimeWait {
			continue
		}
		got++
		if r.Local.Addr() != r.Remote.Addr() || r.Local.Port() != 8080 {
			t.Fatalf("row listed as %v -> %v, want both ends on one address, local port 8080", r.Local, r.Remote)
		}
	}
	if got != n {
		t.Fatalf("%d TIME_WAIT rows, want %d", got, n)
	}
	e.Sleep(spec.DefaultTcpTimedWaitDelay)
	e.mu.Lock()
	live, pairs := e.tw.live, len(e.tw.pairs.idx)
	e.mu.Unlock()
	if live != 0 || pairs > 64 {
		t.Fatalf("after the delay: %d rows, %d interned address pairs; want none and at most 64 kept for reuse", live, pairs)
	}
}

// The TIME_WAIT table against a plain map, under random pushes, takeovers
// and expiries, with the ring growing, compacting and emptying.
func TestTimeWaitTableModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			var ports portTable
			ports.init(spec.DefaultSettings().DynamicPorts)
			var q twQueue
			q.init(&ports)
			type key struct {
				l, r netip.AddrPort
			}
			want := map[key]int64{}
			var order []key // FIFO of live keys as pushed
			now := int64(0)
			addrs := []netip.Addr{loop4, netip.MustParseAddr("127.0.0.2"), netip.IPv6Loopback()}
			randKey := func() key {
				a := addrs[rng.IntN(len(addrs))]
				return key{netip.AddrPortFrom(a, uint16(1+rng.IntN(40))), netip.AddrPortFrom(a, uint16(1+rng.IntN(40)))}
			}
			for step := 0; step < 20_000; step++ {
				switch op := rng.IntN(10); {
				case op < 5: // push, or take over then push
					k := randKey()
					if pos, slot, ok := q.lookup(k.l, k.r); ok {
						if _, in := want[k]; !in {
							t.Fatalf("step %d: table has %v, model does not", step, k)
						}
						q.remove(pos, slot)
						delete(want, k)
					}
					p := q.pairs.intern(k.l.Addr(), k.r.Addr())
					q.push(twRow{exp: now + 100, pair: p, lport: k.l.Port(), rport: k.r.Port()})
					want[k] = now + 100
					order = append(order, k)
				case op < 7: // take over a random live row
					k := randKey()
					pos, slot, ok := q.lookup(k.l, k.r)
					if _, in := want[k]; in != ok {
						t.Fatalf("step %d: lookup %v = %v, model %v", step, k, ok, in)
					}
					if ok {
						q.remove(pos, slot)
						delete(want, k)
					}
				default: // time passes
					now += int64(rng.IntN(30))
					for q.live > 0 && q.rows[q.head].exp <= now {
						r := &q.rows[q.head]
						k := key{q.local(r), q.remote(r)}
						if want[k] != r.exp {
							t.Fatalf("step %d: head %v expires at %d, model %d", step, k, r.exp, want[k])
						}
						q.remove(q.head, q.headSlot())
						delete(want, k)
					}
				}
				if q.live != len(want) {
					t.Fatalf("step %d: %d live rows, model %d", step, q.live, len(want))
				}
			}
			// Expiry order is push order among the survivors.
			var rows []spec.TCPRow
			rows = q.tcpRows(rows)
			i := 0
			for _, k := range order {
				if _, ok := want[k]; ok && i < len(rows) && rows[i].Local == k.l && rows[i].Remote == k.r {
					i++
				}
			}
			if i != len(rows) || len(rows) != len(want) {
				t.Fatalf("%d rows listed in push order of %d (model %d)", i, len(rows), len(want))
			}
			var perPort [2][65536]uint32
			for k := range want {
				perPort[famIndex(map[bool]int{true: spec.AF_INET, false: spec.AF_INET6}[k.l.Addr().Is4()])][k.l.Port()]++
			}
			if perPort != ports.rows {
				t.Fatalf("rows per local port drift from the live rows")
			}
		})
	}
}

// The bitmap's implicit binds hand out exactly the ports a plain scan
// after the cursor would.
func TestEphemeralMatchesScan(t *testing.T) {
	for _, r := range []spec.PortRange{{Start: 49152, Count: 16384}, {Start: 1000, Count: 300}, {Start: 65500, Count: 36}, {Start: 1, Count: 65535}} {
		t.Run(fmt.Sprint(r.Start, "+", r.Count), func(t *testing.T) {
			s := spec.DefaultSettings()
			s.DynamicPorts = r
			e, err := New(s)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(r.Start), 3))
			cursor := 0
			scan := func() (uint16, bool) {
				for i := 0; i < r.Count; i++ {
					off := (cursor + i) % r.Count
					port := uint16(int(r.Start) + off)
					if e.ports.bound[0][port] == 0 && e.ports.rows[0][port] == 0 {
						cursor = (off + 1) % r.Count
						return port, true
					}
				}
				return 0, false
			}
			var held []uint16
			for step := 0; step < 50_000; step++ {
				if rng.IntN(3) > 0 || len(held) == 0 {
					want, wok := scan()
					got, ok := e.ephemeral(0)
					if got != want || ok != wok {
						t.Fatalf("step %d: ephemeral = %d %v, scan %d %v", step, got, ok, want, wok)
					}
					if ok {
						e.ports.hold(0, got)
						held = append(held, got)
					}
					continue
				}
				i := rng.IntN(len(held))
				e.ports.unhold(0, held[i])
				held[i] = held[len(held)-1]
				held = held[:len(held)-1]
			}
		})
	}
}

// With the server closing first and a dynamic range of 4 ports, clients
// cycle through the ports and meet their own earlier pairs in the
// server's TIME_WAIT: each SYN takes its row over, so connections never
// stop and the table holds one row per client port.
func TestSYNTakeOverAcrossPortRange(t *testing.T) {
	s := settings(spec.DefaultTcpTimedWaitDelay)
	s.DynamicPorts = spec.PortRange{Start: 50000, Count: 4}
	for _, pol := range []synPolicy{synTakesOver, synRefused} {
		t.Run(pol.String(), func(t *testing.T) {
			w := newWorldWith(t, s, WithVariant(spec.ClauseGapTimeWaitSYN, pol.String()))
			e := w.e
			var first error
			at := 0
			for i := 0; i < 12 && first == nil; i++ {
				c := w.sock(false)
				if err := e.Connect(c, serverAddr); err != nil {
					first, at = err, i
					break
				}
				srv, _, err := e.Accept(w.listener)
				w.ok(err)
				w.ok(e.Closesocket(srv))
				w.ok(e.Closesocket(c))
				wantUniqueTuples(t, e)
			}
			switch pol {
			case synTakesOver:
				if first != nil {
					t.Fatalf("connection %d: %v", at, first)
				}
			case synRefused:
				if first != spec.WSAEADDRINUSE || at != 4 {
					t.Fatalf("first failure at connection %d: %v, want WSAEADDRINUSE at 4", at, first)
				}
			}
			if n := w.rows(spec.TCPTimeWait); n != 4 {
				t.Fatalf("%d TIME_WAIT rows, want 4", n)
			}
		})
	}
}

// raceEnabled is set under -race, where the million-row measurements
// would take minutes.
var raceEnabled bool
