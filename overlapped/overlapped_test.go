package overlapped_test

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/spec"
)

var (
	serverAddr = netip.MustParseAddrPort("127.0.0.1:8080")
	any4       = netip.MustParseAddrPort("0.0.0.0:0")
)

type fixture struct {
	t   *testing.T
	api spec.API
	l   spec.Socket
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e, err := emulator.New(spec.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, api: e}
	f.l = f.sock()
	f.ok(e.Bind(f.l, serverAddr))
	f.ok(e.Listen(f.l, 16))
	return f
}

func (f *fixture) ok(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) sock() spec.Socket {
	f.t.Helper()
	s, err := f.api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	f.ok(err)
	return s
}

func (f *fixture) bound() spec.Socket {
	f.t.Helper()
	s := f.sock()
	f.ok(f.api.Bind(s, any4))
	return s
}

func TestStarted(t *testing.T) {
	if overlapped.Started(nil) != nil || overlapped.Started(spec.ERROR_IO_PENDING) != nil {
		t.Fatal("success and ERROR_IO_PENDING must both mean started")
	}
	if !errors.Is(overlapped.Started(spec.WSAEINVAL), spec.WSAEINVAL) {
		t.Fatal("an immediate failure must come through")
	}
}

// TestRequestCycle runs AcceptEx, ConnectEx, WSASend, WSARecv and
// DisconnectEx each with a NULL hEvent, waiting on the handle the Request
// recorded, and once more with an event.
func TestRequestCycle(t *testing.T) {
	for _, withEvent := range []bool{false, true} {
		f := newFixture(t)
		mk := overlapped.New
		if withEvent {
			mk = overlapped.NewEvent
		}
		acc, err := mk(f.api)
		f.ok(err)
		con, err := mk(f.api)
		f.ok(err)
		server, client := f.sock(), f.bound()
		if err := acc.AcceptEx(f.l, server).Err(); err != nil {
			t.Fatal(err)
		}
		if !withEvent && acc.Signalled() != spec.Handle(f.l) {
			t.Fatalf("AcceptEx with NULL hEvent: signalled %#x, want the listener %#x", acc.Signalled(), f.l)
		}
		_, err = con.ConnectEx(client, serverAddr).Wait()
		f.ok(err)
		_, err = acc.Wait()
		f.ok(err)
		f.ok(f.api.UpdateAcceptContext(server, f.l))
		f.ok(f.api.UpdateConnectContext(client))

		buf := make([]byte, 16)
		recv := acc.WSARecv(server, buf)
		n, err := con.WSASend(client, []byte("ping")).Wait()
		if err != nil || n != 4 {
			t.Fatalf("WSASend: %d, %v", n, err)
		}
		n, err = recv.Wait()
		if err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("WSARecv: %q, %v", buf[:n], err)
		}
		_, err = con.DisconnectEx(client, spec.TF_REUSE_SOCKET).WaitTimeout(0)
		if !errors.Is(err, spec.WAIT_TIMEOUT) {
			t.Fatalf("DisconnectEx(TF_REUSE_SOCKET) before the peer's FIN: %v, want WAIT_TIMEOUT", err)
		}
		_, err = acc.DisconnectEx(server, spec.TF_REUSE_SOCKET).Wait()
		f.ok(err)
		_, err = con.Wait() // the client closed first: TIME_WAIT passes in virtual time
		f.ok(err)
		f.ok(acc.Close())
		f.ok(con.Close())
	}
}

// TestAcceptExWrongHandle shows why the handle matters: the accept socket
// is not signalled when AcceptEx completes with a NULL hEvent.
func TestAcceptExWrongHandle(t *testing.T) {
	f := newFixture(t)
	server := f.sock()
	ov, err := f.api.NewOverlapped(0)
	f.ok(err)
	if err := overlapped.Started(f.api.AcceptEx(f.l, server, ov)); err != nil {
		t.Fatal(err)
	}
	client := f.sock()
	f.ok(f.api.Connect(client, serverAddr))
	if err := f.api.WaitForSingleObject(spec.Handle(server), 0); !errors.Is(err, spec.WAIT_TIMEOUT) {
		t.Fatalf("accept socket: got %v, want WAIT_TIMEOUT (it is not the signalled handle)", err)
	}
	f.ok(f.api.WaitForSingleObject(spec.Handle(f.l), 0))
}

func TestRequestErrors(t *testing.T) {
	f := newFixture(t)
	r, err := overlapped.New(f.api)
	f.ok(err)
	if _, err := r.Wait(); !errors.Is(err, overlapped.ErrNoRequest) {
		t.Fatalf("Wait before a start: %v", err)
	}
	// ConnectEx on an unbound socket fails at once: Wait reports it.
	if _, err := r.ConnectEx(f.sock(), serverAddr).Wait(); !errors.Is(err, spec.WSAEINVAL) {
		t.Fatalf("ConnectEx unbound: %v, want WSAEINVAL", err)
	}
	// Refused: the request completes with the Win32 face.
	if _, err := r.ConnectEx(f.bound(), netip.MustParseAddrPort("127.0.0.1:9")).Wait(); !errors.Is(err, spec.ERROR_CONNECTION_REFUSED) {
		t.Fatalf("refused ConnectEx: %v, want ERROR_CONNECTION_REFUSED", err)
	}
	// Cancel a pending AcceptEx.
	req := r.AcceptEx(f.l, f.sock())
	f.ok(req.Cancel())
	if _, err := req.Wait(); !errors.Is(err, spec.ERROR_OPERATION_ABORTED) {
		t.Fatalf("canceled AcceptEx: %v", err)
	}
	if err := r.Cancel(); !errors.Is(err, spec.ERROR_NOT_FOUND) {
		t.Fatalf("Cancel with nothing in progress: %v", err)
	}
	f.ok(r.Close())
}

func TestPortDispatch(t *testing.T) {
	f := newFixture(t)
	p, err := overlapped.NewPort(f.api)
	f.ok(err)
	f.ok(p.Associate(f.l))
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			server, client := f.sock(), f.bound()
			f.ok(p.Associate(server))
			f.ok(p.Associate(client))
			acc, err := p.NewOp(nil)
			f.ok(err)
			con, err := p.NewOp(nil)
			f.ok(err)
			f.ok(acc.AcceptEx(f.l, server))
			f.ok(con.ConnectEx(client, serverAddr))
			if _, err := con.Wait(t.Context()); err != nil {
				t.Error(err)
				return
			}
			if _, err := acc.Wait(t.Context()); err != nil {
				t.Error(err)
				return
			}
			// A pending receive canceled by its context.
			ctx, cancel := context.WithCancel(t.Context())
			f.ok(con.WSARecv(client, make([]byte, 4)))
			cancel()
			_, err = con.Wait(ctx)
			if !errors.Is(err, context.Canceled) || !errors.Is(err, spec.ERROR_OPERATION_ABORTED) {
				t.Errorf("op %d: canceled WSARecv: %v", i, err)
			}
			f.ok(acc.Close())
			f.ok(con.Close())
		}()
	}
	wg.Wait()

	// A callback Op.
	got := make(chan overlapped.Result, 1)
	op, err := p.NewOp(func(r overlapped.Result) { got <- r })
	f.ok(err)
	s := f.bound()
	f.ok(p.Associate(s))
	f.ok(op.ConnectEx(s, netip.MustParseAddrPort("127.0.0.1:9")))
	select {
	case r := <-got:
		if !errors.Is(r.Err, spec.ERROR_CONNECTION_REFUSED) {
			t.Fatalf("callback got %v", r.Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no packet")
	}
	f.ok(op.Close())
	f.ok(p.Close())
	if err := p.Close(); !errors.Is(err, overlapped.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}
