package reuse_test

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

// rawServer is a listener on the emulator's plain calls, so a test can do
// to the peer what a pool must survive.
type rawServer struct {
	t   *testing.T
	api spec.API
	l   spec.Socket
	at  netip.AddrPort
}

func newRawServer(t *testing.T, api spec.API) *rawServer {
	t.Helper()
	l, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Bind(l, loopback); err != nil {
		t.Fatal(err)
	}
	if err := api.Listen(l, 16); err != nil {
		t.Fatal(err)
	}
	at, err := api.Getsockname(l)
	if err != nil {
		t.Fatal(err)
	}
	return &rawServer{t: t, api: api, l: l, at: at}
}

func (r *rawServer) accept() spec.Socket {
	r.t.Helper()
	s, _, err := r.api.Accept(r.l)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

func (r *rawServer) reset(s spec.Socket) {
	r.t.Helper()
	if err := r.api.SetLinger(s, true, 0); err != nil {
		r.t.Fatal(err)
	}
	if err := r.api.Closesocket(s); err != nil {
		r.t.Fatal(err)
	}
}

func eachVariant(t *testing.T, f func(t *testing.T, e *emulator.Emulator)) {
	emulator.ForEachVariant(t, func(t *testing.T, opts ...emulator.Option) {
		e, err := emulator.New(spec.DefaultSettings(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		f(t, e)
	})
}

// TestResetDuringDisconnect: the client closes first and the server resets
// while the client's DisconnectEx(TF_REUSE_SOCKET) waits for its FIN. The
// recycle fails, the socket is closed, and the next Dial (which waits for
// a place in the full pool) gets a fresh one.
func TestResetDuringDisconnect(t *testing.T) {
	eachVariant(t, func(t *testing.T, e *emulator.Emulator) {
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
		if err := c.Close(); err != nil { // our FIN: the recycle waits for theirs
			t.Fatal(err)
		}
		srv.reset(s)
		c, err = p.DialContext(t.Context(), srv.at)
		if err != nil {
			t.Fatal(err)
		}
		st := p.Stats()
		if st.RecycleFailed != 1 || st.Fresh != 2 || st.Closed != 1 {
			t.Errorf("stats %+v: want one failed recycle, its socket closed, a fresh one", st)
		}
		_ = c.Close()
		srv.reset(srv.accept())
	})
}

// TestPeerResetDuringRead: the server resets an open connection. Read
// fails, Close cannot recycle the socket, and the pool replaces it.
func TestPeerResetDuringRead(t *testing.T) {
	eachVariant(t, func(t *testing.T, e *emulator.Emulator) {
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
		done := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 4))
			done <- err
		}()
		srv.reset(srv.accept())
		err = <-done
		if !errors.Is(err, spec.ERROR_NETNAME_DELETED) && !errors.Is(err, spec.WSAECONNRESET) {
			t.Fatalf("read after the peer's reset: %v", err)
		}
		_ = c.Close()
		if _, err := p.DialContext(t.Context(), srv.at); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.RecycleFailed != 1 || st.Fresh != 2 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestRefused: a refused ConnectEx is reported with the Win32 face; the
// socket, still bound, goes back to the pool and serves the next Dial.
func TestRefused(t *testing.T) {
	eachVariant(t, func(t *testing.T, e *emulator.Emulator) {
		srv := newRawServer(t, e)
		p, err := reuse.NewPool(e, reuse.PoolConfig{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		_, err = p.DialContext(t.Context(), netip.MustParseAddrPort("127.0.0.1:9"))
		if !errors.Is(err, spec.ERROR_CONNECTION_REFUSED) {
			t.Fatalf("dial to nothing: %v, want ERROR_CONNECTION_REFUSED", err)
		}
		c, err := p.DialContext(t.Context(), srv.at)
		if err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Fresh != 1 || st.Closed != 0 || st.Reused != 0 {
			t.Errorf("stats %+v: want the refused socket used for the next connection", st)
		}
		_ = c.Close()
	})
}

// TestAbortedAccepts: closing the Listener aborts its outstanding AcceptEx
// requests (ERROR_OPERATION_ABORTED); every socket is closed and Accept
// reports net.ErrClosed.
func TestAbortedAccepts(t *testing.T) {
	eachVariant(t, func(t *testing.T, e *emulator.Emulator) {
		l, err := reuse.Listen(e, loopback, reuse.ListenConfig{Accepts: 3})
		if err != nil {
			t.Fatal(err)
		}
		if st := l.Stats(); st.Accepting != 3 {
			t.Fatalf("stats %+v: want 3 AcceptEx outstanding", st)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Accept(); !errors.Is(err, reuse.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
		if st := l.Stats(); st.Accepting != 0 || st.Closed != 3 {
			t.Errorf("stats %+v: want the 3 sockets closed", st)
		}
		if err := l.Close(); !errors.Is(err, reuse.ErrClosed) {
			t.Errorf("second Close: %v", err)
		}
	})
}

// TestDialWaitCanceled: with the pool full and its socket in use, Dial
// waits, and its context ends the wait.
func TestDialWaitCanceled(t *testing.T) {
	e, err := emulator.New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
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
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.DialContext(ctx, srv.at)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled dial: %v", err)
	}
	_ = c.Close()
}

// checked wraps a backend and fails the test when a ConnectEx would reuse
// a socket pair that the TCP table shows in TIME_WAIT, from either end.
type checked struct {
	spec.API
	t *testing.T
}

func (c checked) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	local, err := c.Getsockname(s)
	if err == nil && local.Port() != 0 {
		rows, _ := c.TCPTable()
		for _, r := range rows {
			if r.State != spec.TCPTimeWait {
				continue
			}
			if (r.Local.Port() == local.Port() && r.Remote == addr) || (r.Local == addr && r.Remote.Port() == local.Port()) {
				c.t.Errorf("ConnectEx from port %d to %v while %v -> %v is in TIME_WAIT", local.Port(), addr, r.Local, r.Remote)
			}
		}
	}
	return c.API.ConnectEx(s, addr, ov)
}

// TestNeverIntoTimeWait: servers that close first (the remote holds
// TIME_WAIT) and clients that close first (the pool holds it), on every
// variant: no ConnectEx ever targets a pair in TIME_WAIT.
func TestNeverIntoTimeWait(t *testing.T) {
	eachVariant(t, func(t *testing.T, e *emulator.Emulator) {
		api := checked{API: e, t: t}
		srv := newRawServer(t, api)
		go func() {
			for i := 0; ; i++ {
				s, _, err := api.Accept(srv.l)
				if err != nil {
					return
				}
				if i%2 == 0 { // close first
					_, _ = api.Send(s, []byte("x"))
					_ = api.Closesocket(s)
					continue
				}
				b := make([]byte, 8) // wait for the client's FIN
				for {
					n, err := api.Recv(s, b)
					if n == 0 || err != nil {
						break
					}
				}
				_ = api.Closesocket(s)
			}
		}()
		// The wrapper hides the emulator's Now: give the pool its clock.
		p, err := reuse.NewPool(api, reuse.PoolConfig{Size: 2, Now: e.Now})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			c, err := p.DialContext(t.Context(), srv.at)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				_, _ = io.ReadAll(c)
			} else {
				_, _ = c.Write([]byte("y"))
			}
			_ = c.Close()
		}
		st := p.Stats()
		t.Logf("%+v", st)
		if st.Fresh != 2 || st.TimeWaitConflicts != 0 {
			t.Errorf("want 2 sockets reused throughout and no ConnectEx refused for TIME_WAIT")
		}
		_ = p.Close()
		_ = api.Closesocket(srv.l)
	})
}
