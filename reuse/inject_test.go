package reuse_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

// The Pool and the Listener driven through the error paths by the
// emulator's fault rules (emulator.Fault), on every variant: a reset
// during DisconnectEx, an aborted AcceptEx and a refused ConnectEx, each
// handled and counted.

// eachVariantFaults is eachVariant with fault rules installed from New.
func eachVariantFaults(t *testing.T, rules []emulator.Fault, f func(t *testing.T, e *emulator.Emulator)) {
	emulator.ForEachVariant(t, func(t *testing.T, opts ...emulator.Option) {
		e, err := emulator.New(spec.DefaultSettings(), append(opts, emulator.WithFaults(rules...))...)
		if err != nil {
			t.Fatal(err)
		}
		f(t, e)
	})
}

// hangGuard bounds a wait that a bug would make endless (not a timing
// check: the emulator's waits are virtual).
func hangGuard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestFaultPoolResetDuringDisconnect: the peer resets while the pool's
// DisconnectEx(TF_REUSE_SOCKET) waits for its FIN, at once or 5 s later.
// The recycle fails, the socket is closed, and the next Dial, waiting for
// room in the full pool, gets a fresh one.
func TestFaultPoolResetDuringDisconnect(t *testing.T) {
	for _, delay := range []time.Duration{0, 5 * time.Second} {
		rules := []emulator.Fault{{Call: "DisconnectEx", Nth: 1, Action: emulator.FaultReset, Delay: delay}}
		eachVariantFaults(t, rules, func(t *testing.T, e *emulator.Emulator) {
			srv := newRawServer(t, e)
			p, err := reuse.NewPool(e, reuse.PoolConfig{Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			c, err := p.DialContext(t.Context(), srv.at)
			if err != nil {
				t.Fatal(err)
			}
			s := srv.accept()
			if err := c.Close(); err != nil { // our FIN; theirs never comes, the reset does
				t.Fatal(err)
			}
			c, err = p.DialContext(hangGuard(t), srv.at)
			if err != nil {
				t.Fatal(err)
			}
			st := p.Stats()
			if st.RecycleFailed != 1 || st.Fresh != 2 || st.Closed != 1 || st.Reused != 0 {
				t.Errorf("stats %+v: want one failed recycle, its socket closed, a fresh one", st)
			}
			if _, err := e.Recv(s, make([]byte, 1)); !errors.Is(err, spec.WSAECONNRESET) {
				t.Errorf("the server's end after the reset: %v", err)
			}
			_ = c.Close()
			srv.reset(srv.accept())
		})
	}
}

// TestFaultPoolRefused: a ConnectEx refused, by a request that pends and
// completes refused 2 s later (what Windows does on loopback) or by a
// call that fails at once, is DialContext's error in its own face; the
// socket, still bound, goes back to the pool and carries the next Dial.
func TestFaultPoolRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		rule emulator.Fault
		want spec.Errno
	}{
		{"pends", emulator.Fault{Call: "ConnectEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: 2 * time.Second}, spec.ERROR_CONNECTION_REFUSED},
		{"at once", emulator.Fault{Call: "ConnectEx", Nth: 1, Action: emulator.FaultFail, Err: spec.WSAECONNREFUSED}, spec.WSAECONNREFUSED},
		{"timed out", emulator.Fault{Call: "ConnectEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_IO_TIMEOUT, Delay: 21 * time.Second}, spec.ERROR_SEM_TIMEOUT},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachVariantFaults(t, []emulator.Fault{c.rule}, func(t *testing.T, e *emulator.Emulator) {
				srv := newRawServer(t, e)
				p, err := reuse.NewPool(e, reuse.PoolConfig{Size: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				_, err = p.DialContext(t.Context(), srv.at)
				if !errors.Is(err, c.want) {
					t.Fatalf("faulted dial: %v, want %v", err, c.want)
				}
				conn, err := p.DialContext(t.Context(), srv.at)
				if err != nil {
					t.Fatal(err)
				}
				st := p.Stats()
				if st.ConnectFailed != 1 || st.Fresh != 1 || st.Closed != 0 {
					t.Errorf("stats %+v: want one failed connect and its socket used for the next", st)
				}
				_ = conn.Close()
				srv.reset(srv.accept())
			})
		})
	}
}

// TestFaultPoolAborted: a ConnectEx aborted (not by the caller) is not a
// failure Winsock lets the socket retry: the pool closes it and the next
// Dial takes a fresh one.
func TestFaultPoolAborted(t *testing.T) {
	rules := []emulator.Fault{{Call: "ConnectEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CANCELLED}}
	eachVariantFaults(t, rules, func(t *testing.T, e *emulator.Emulator) {
		srv := newRawServer(t, e)
		p, err := reuse.NewPool(e, reuse.PoolConfig{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if _, err := p.DialContext(t.Context(), srv.at); !errors.Is(err, spec.ERROR_OPERATION_ABORTED) {
			t.Fatalf("aborted dial: %v", err)
		}
		c, err := p.DialContext(t.Context(), srv.at)
		if err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.ConnectFailed != 1 || st.Fresh != 2 || st.Closed != 1 {
			t.Errorf("stats %+v", st)
		}
		_ = c.Close()
		srv.reset(srv.accept())
	})
}

// TestFaultListenerAbortedAccept: the first AcceptEx is aborted (at once
// or 1 s later) or its connection reset before it is accepted; the
// listener closes that socket, posts a new request on a fresh one and
// serves the client.
func TestFaultListenerAbortedAccept(t *testing.T) {
	for _, c := range []struct {
		name string
		rule emulator.Fault
	}{
		{"aborted", emulator.Fault{Call: "AcceptEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CANCELLED}},
		{"aborted later", emulator.Fault{Call: "AcceptEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CANCELLED, Delay: time.Second}},
		{"reset", emulator.Fault{Call: "AcceptEx", Nth: 1, Action: emulator.FaultComplete, Status: spec.STATUS_CONNECTION_RESET}},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachVariantFaults(t, []emulator.Fault{c.rule}, func(t *testing.T, e *emulator.Emulator) {
				l, err := reuse.Listen(e, loopback, reuse.ListenConfig{Accepts: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				cl, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Connect(cl, l.AddrPort()); err != nil {
					t.Fatal(err)
				}
				conn, err := l.AcceptContext(hangGuard(t))
				if err != nil {
					t.Fatal(err)
				}
				if st := l.Stats(); st.AcceptFailed != 1 || st.Fresh != 3 || st.Closed != 1 || st.InUse != 1 || st.Accepting != 1 {
					t.Errorf("stats %+v: want one failed AcceptEx, its socket closed, a fresh one serving and another accepting", st)
				}
				_ = conn.Close()
				_ = e.Closesocket(cl)
			})
		})
	}
}

// TestFaultListenerResetDuringDisconnect: the listener's side closes
// first and the client resets while its DisconnectEx(TF_REUSE_SOCKET)
// waits. With MaxSockets 1 the failed recycle's room must refill: the
// next client is still served.
func TestFaultListenerResetDuringDisconnect(t *testing.T) {
	rules := []emulator.Fault{{Call: "DisconnectEx", Nth: 1, Action: emulator.FaultReset, Delay: time.Second}}
	eachVariantFaults(t, rules, func(t *testing.T, e *emulator.Emulator) {
		l, err := reuse.Listen(e, loopback, reuse.ListenConfig{Accepts: 1, MaxSockets: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		dial := func() spec.Socket {
			cl, err := e.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Connect(cl, l.AddrPort()); err != nil {
				t.Fatal(err)
			}
			return cl
		}
		c1 := dial()
		conn, err := l.AcceptContext(hangGuard(t))
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close() // our FIN; the client's never comes, its reset does
		c2 := dial()     // backlog: the listener has no socket until the recycle ends
		conn, err = l.AcceptContext(hangGuard(t))
		if err != nil {
			t.Fatal(err)
		}
		if st := l.Stats(); st.RecycleFailed != 1 || st.Fresh != 2 || st.Closed != 1 {
			t.Errorf("stats %+v: want the failed recycle's socket closed and replaced", st)
		}
		if _, err := e.Recv(c1, make([]byte, 1)); !errors.Is(err, spec.WSAECONNRESET) {
			t.Errorf("the first client after the reset: %v", err)
		}
		_ = conn.Close()
		_ = e.Closesocket(c1)
		_ = e.Closesocket(c2)
	})
}
