package reuse_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

var serverAddr = netip.MustParseAddrPort("127.0.0.1:8080")

func newEmu(t testing.TB, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	e, err := emulator.New(spec.DefaultSettings(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// serve echoes one line per connection and closes after the client does
// (the client closes first, so the server's DisconnectEx completes at
// once and its socket is reusable at once).
func serve(t testing.TB, l net.Listener, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				t.Error("accept:", err)
			}
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			buf := make([]byte, 64)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, err := c.Write(buf[:n]); err != nil {
						t.Error("server write:", err)
						return
					}
				}
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Error("server read:", err)
					return
				}
			}
		}()
	}
}

func roundTrip(t testing.TB, p *reuse.Pool, addr netip.AddrPort, msg string) {
	t.Helper()
	c, err := p.DialContext(context.Background(), addr)
	if err != nil {
		t.Fatal("dial:", err)
	}
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal("write:", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
		t.Fatalf("read %q, %v; want %q", buf, err, msg)
	}
	if err := c.Close(); err != nil {
		t.Fatal("close:", err)
	}
}

func TestPoolAndListenerReuse(t *testing.T) {
	e := newEmu(t)
	l, err := reuse.Listen(e, serverAddr, reuse.ListenConfig{Accepts: 2})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go serve(t, l, &wg)
	p, err := reuse.NewPool(e, reuse.PoolConfig{Size: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		roundTrip(t, p, serverAddr, "hello")
		_ = i
	}
	ps := p.Stats()
	if ps.Fresh > 2 || ps.Reused < 18 || ps.ReuseFailed != 0 {
		t.Errorf("pool stats %+v: want at most 2 fresh sockets, 18 reuses", ps)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DialContext(context.Background(), serverAddr); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("dial after Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	ls := l.Stats()
	if ls.Reused < 15 || ls.ReuseFailed != 0 {
		t.Errorf("listener stats %+v: want the accepted sockets reused", ls)
	}
	t.Logf("pool %+v", ps)
	t.Logf("listener %+v", ls)
}

func TestReadDeadline(t *testing.T) {
	e := newEmu(t)
	l, err := reuse.Listen(e, serverAddr, reuse.ListenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p, err := reuse.NewPool(e, reuse.PoolConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := p.DialContext(t.Context(), serverAddr)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	// A deadline in the past fails at once.
	_ = c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("past deadline: %v", err)
	}
	// A deadline set while a Read waits wakes it.
	_ = c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	_ = c.SetReadDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("deadline set during Read: %v", err)
	}
	// A short deadline passes.
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("short deadline: %v", err)
	}
	// After a deadline the connection still works.
	_ = c.SetReadDeadline(time.Time{})
	if _, err := srv.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if n, err := c.Read(b); n != 1 || err != nil {
		t.Fatalf("read after deadline: %d, %v", n, err)
	}
	// Close wakes a blocked Read.
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	_ = c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read during Close: %v", err)
	}
	_ = srv.Close()
}
