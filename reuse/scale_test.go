package reuse_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/disconnectex/disconnectex/reuse"
)

var loopback = netip.MustParseAddrPort("127.0.0.1:0")

// echoServer serves l until it is closed: each connection echoes until the
// client's FIN, then closes (the server is the passive closer).
func echoServer(t testing.TB, l *reuse.Listener) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go serve(t, l, &wg)
	return func() {
		if err := l.Close(); err != nil {
			t.Error("listener close:", err)
		}
		wg.Wait()
	}
}

// exchange dials, writes msg, reads it back, and closes (the client closes
// first).
func exchange(ctx context.Context, p *reuse.Pool, addr netip.AddrPort, msg []byte) error {
	c, err := p.DialContext(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write(msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != string(msg) {
		return errors.New("echo mismatch: " + string(buf))
	}
	return nil
}

// warmUp holds size connections open at once, so that the pool and the
// listener each create every socket they will own, then closes them.
func warmUp(t testing.TB, p *reuse.Pool, l *reuse.Listener, size int) {
	t.Helper()
	conns := make([]net.Conn, size)
	for i := range conns {
		c, err := p.DialContext(t.Context(), l.AddrPort())
		if err != nil {
			t.Fatal("warm-up dial:", err)
		}
		conns[i] = c
	}
	// One echo on each: the server has accepted all of them (and filled
	// its AcceptEx requests up again behind them).
	for _, c := range conns {
		buf := []byte("w")
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// serveMany runs n exchanges from workers goroutines.
func serveMany(t testing.TB, p *reuse.Pool, addr netip.AddrPort, n, workers int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte{'w', byte('a' + w%26)}
			for i := w; i < n; i += workers {
				if err := exchange(t.Context(), p, addr, msg); err != nil {
					t.Errorf("connection %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestServeMany serves 400 connections through a Listener and a Pool of 8
// on every backend, and checks the reuse: after the warm-up, no fresh
// socket on either side and every connection on a reused socket (on Wine,
// which ignores TF_REUSE_SOCKET, every recycled socket is refused
// instead, and the test records that).
func TestServeMany(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		if b.realTime {
			t.Skip("each pooled socket would wait a real TIME_WAIT (240 s) between connections")
		}
		const size, accepts, n = 8, 4, 400
		l, err := reuse.Listen(b.api, loopback, reuse.ListenConfig{Accepts: accepts, MaxSockets: accepts + size})
		if err != nil {
			t.Fatal(err)
		}
		stop := echoServer(t, l)
		p, err := reuse.NewPool(b.api, reuse.PoolConfig{Size: size})
		if err != nil {
			t.Fatal(err)
		}
		warmUp(t, p, l, size)
		pw, lw := p.Stats(), l.Stats()
		serveMany(t, p, l.AddrPort(), n, size)
		ps, ls := p.Stats(), l.Stats()
		t.Logf("pool after warm-up %+v", pw)
		t.Logf("pool     %+v", ps)
		t.Logf("listener %+v", ls)
		if b.wine {
			// What Wine cannot do: reuse. Every connection after a
			// socket's first costs a fresh one.
			if ps.Reused != 0 || ps.ReuseFailed == 0 || ls.Reused != 0 || ls.ReuseFailed == 0 {
				t.Errorf("wine: expected every recycled socket refused (Reused 0, ReuseFailed > 0)")
			}
		} else {
			if pw.Fresh != size || ps.Fresh != size || ls.Fresh != lw.Fresh {
				t.Errorf("fresh sockets: pool %d after warm-up, %d at the end (want %d both); listener %d -> %d",
					pw.Fresh, ps.Fresh, size, lw.Fresh, ls.Fresh)
			}
			// The listener's first connections after the warm-up land on
			// the sockets of the AcceptEx requests it posted behind the
			// warm-up's: created then, first used now.
			if ps.Reused-pw.Reused != n || ls.Reused-lw.Reused != n-accepts {
				t.Errorf("reused after warm-up: pool %d (want %d), listener %d (want %d)",
					ps.Reused-pw.Reused, n, ls.Reused-lw.Reused, n-accepts)
			}
			if ps.ReuseFailed+ps.RecycleFailed+ps.Closed+ls.ReuseFailed+ls.RecycleFailed+ls.Closed != 0 {
				t.Errorf("sockets lost")
			}
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		stop()
	})
}

// TestRace runs many goroutines through one Pool and one Listener.
func TestRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		if b.realTime {
			t.Skip("each pooled socket would wait a real TIME_WAIT (240 s) between connections")
		}
		l, err := reuse.Listen(b.api, loopback, reuse.ListenConfig{Accepts: 8})
		if err != nil {
			t.Fatal(err)
		}
		stop := echoServer(t, l)
		p, err := reuse.NewPool(b.api, reuse.PoolConfig{Size: 8})
		if err != nil {
			t.Fatal(err)
		}
		const workers, each = 24, 10
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				msg := []byte{byte('a' + w%26), 'x', 'y'}
				for range each {
					if err := exchange(t.Context(), p, l.AddrPort(), msg); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		ps := p.Stats()
		t.Logf("pool %+v", ps)
		if ps.Fresh > 8 && !b.wine {
			t.Errorf("pool made %d fresh sockets, more than its size 8", ps.Fresh)
		}
		if got := ps.Reused + ps.Fresh; got < workers*each && !b.wine {
			t.Errorf("connections %d, want %d", got, workers*each)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		stop()
		if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v", err)
		}
	})
}
