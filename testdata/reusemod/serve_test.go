// Package reusemod is a program outside the disconnectex module that uses
// its socket-reuse library as a user would: through go.mod (with a replace
// directive pointing at the checkout), on the emulator and, under Windows
// or Wine, on the native backend.
package reusemod

import (
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

const (
	conns   = 1000
	size    = 8 // client sockets in the pool
	accepts = 4 // AcceptEx requests the listener keeps outstanding
)

// TestServe1000 serves 1,000 connections through a reuse.Listener and a
// reuse.Pool of 8 client sockets, 8 at a time: after a warm-up that holds
// 8 connections open at once, every connection runs on a reused socket on
// both sides and no fresh socket is made.
func TestServe1000(t *testing.T) {
	t.Run("emulator", func(t *testing.T) {
		e, err := emulator.New(spec.DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		serve1000(t, e, false)
	})
	t.Run("native", func(t *testing.T) {
		api, err := native.New(spec.DefaultSettings())
		if err != nil {
			t.Skip(err)
		}
		defer api.Close()
		_, wine := native.WineVersion()
		if !wine {
			t.Skip("on Windows each client socket waits a real TIME_WAIT (240 s) between its connections")
		}
		// What Wine 8.0 cannot do is reuse: it ignores TF_REUSE_SOCKET,
		// so every recycled socket is refused and replaced by a fresh one
		// (serve1000 checks that instead of the reuse).
		serve1000(t, api, true)
	})
}

func serve1000(t *testing.T, api spec.API, wine bool) {
	l, err := reuse.Listen(api, netip.MustParseAddrPort("127.0.0.1:0"), reuse.ListenConfig{Accepts: accepts, MaxSockets: accepts + size})
	if err != nil {
		t.Fatal(err)
	}
	var srv sync.WaitGroup
	srv.Add(1)
	go func() {
		defer srv.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			srv.Add(1)
			go func() {
				defer srv.Done()
				defer c.Close()
				_, _ = io.Copy(c, c) // echo until the client's FIN, then close
			}()
		}
	}()
	pool, err := reuse.NewPool(api, reuse.PoolConfig{Size: size})
	if err != nil {
		t.Fatal(err)
	}
	addr := l.AddrPort()

	// Warm-up: 8 connections open at once, one echo on each.
	held := make([]net.Conn, size)
	for i := range held {
		c, err := pool.DialContext(t.Context(), addr)
		if err != nil {
			t.Fatal(err)
		}
		echo(t, c, "warm")
		held[i] = c
	}
	for _, c := range held {
		c.Close()
	}
	pw, lw := pool.Stats(), l.Stats()

	var wg sync.WaitGroup
	for w := range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < conns; i += size {
				c, err := pool.DialContext(context.Background(), addr)
				if err != nil {
					t.Errorf("connection %d: %v", i, err)
					return
				}
				echo(t, c, "hello")
				c.Close()
			}
		}()
	}
	wg.Wait()
	ps, ls := pool.Stats(), l.Stats()
	t.Logf("pool     %+v", ps)
	t.Logf("listener %+v", ls)
	if wine {
		// Wine 8.0 ignores TF_REUSE_SOCKET (testdata/divergences/wine.json):
		// its DisconnectEx is a shutdown, the socket stays connected, and
		// the pool and the listener replace every recycled socket.
		if ps.Reused != 0 || ps.ReuseFailed < conns-size || ls.Reused != 0 || ls.ReuseFailed == 0 {
			t.Errorf("wine: want no reuse and every recycled socket refused")
		}
	} else {
		if pw.Fresh != size || ps.Fresh != size || ls.Fresh != lw.Fresh {
			t.Errorf("fresh sockets after warm-up: pool %d -> %d, listener %d -> %d", pw.Fresh, ps.Fresh, lw.Fresh, ls.Fresh)
		}
		if got := ps.Reused - pw.Reused; got != conns {
			t.Errorf("pool: %d of %d connections on reused sockets", got, conns)
		}
		// The first connections after the warm-up land on the sockets of
		// the AcceptEx requests posted behind the warm-up's.
		if got := ls.Reused - lw.Reused; got != conns-accepts {
			t.Errorf("listener: %d of %d connections on reused sockets", got, conns-accepts)
		}
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
}

func echo(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
		t.Fatalf("echo: %q, %v", buf, err)
	}
}
