package emulator

import (
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// TestConcurrentReuseCycles runs connect/disconnect cycles from several
// goroutines at once (run it with -race). Half of them issue their calls
// through their own Thread. Each goroutine has its own listener; half of the
// cycles close on the client first, so their TF_REUSE_SOCKET requests wait
// out TIME_WAIT while the other goroutines keep going.
func TestConcurrentReuseCycles(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.String(), func(t *testing.T) {
			e, err := New(spec.DefaultSettings(), WithProfile(p), reuseWaits)
			assert.NilError(t, err)
			const goroutines, cycles = 8, 150
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for g := 0; g < goroutines; g++ {
				wg.Go(func() {
					var api spec.API = e
					if g%2 == 1 {
						th, err := e.NewThread()
						if err != nil {
							errs <- err
							return
						}
						defer th.Exit()
						api = th
					}
					if err := reuseLoop(api, uint16(9000+g), cycles, g); err != nil {
						errs <- err
					}
				})
			}
			// A reader of the global state alongside.
			done := make(chan struct{})
			go func() {
				for {
					select {
					case <-done:
						return
					default:
						_, _ = e.TCPTable()
						_ = e.Now()
					}
				}
			}()
			wg.Wait()
			close(done)
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

type stepErr struct {
	step string
	err  error
}

func (s stepErr) Error() string { return s.step + ": " + resultName(s.err) }

func reuseLoop(api spec.API, port uint16, cycles, g int) error {
	addr := netip.AddrPortFrom(loop4, port)
	l, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return stepErr{"socket", err}
	}
	if err := api.Bind(l, addr); err != nil {
		return stepErr{"bind listener", err}
	}
	if err := api.Listen(l, 8); err != nil {
		return stepErr{"listen", err}
	}
	c, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	if err := api.Bind(c, any4); err != nil {
		return stepErr{"bind client", err}
	}
	ev, _ := api.CreateEvent(true, false)
	cov, _ := api.NewOverlapped(0)
	dov, _ := api.NewOverlapped(ev)
	for i := 0; i < cycles; i++ {
		if err := api.ConnectEx(c, addr, cov); err != spec.ERROR_IO_PENDING {
			return stepErr{"ConnectEx", err}
		}
		if _, err := api.GetOverlappedResult(spec.Handle(c), cov, true); err != nil {
			return stepErr{"ConnectEx result", err}
		}
		srv, _, err := api.Accept(l)
		if err != nil {
			return stepErr{"accept", err}
		}
		if _, err := api.Send(srv, []byte("hi")); err != nil {
			return stepErr{"send", err}
		}
		buf := make([]byte, 8)
		if n, err := api.Recv(c, buf); err != nil || n != 2 {
			return stepErr{"recv", err}
		}
		if err := api.ResetEvent(ev); err != nil {
			return stepErr{"ResetEvent", err}
		}
		if (i+g)%2 == 0 {
			// the server closes first: we are the passive closer
			if err := api.Closesocket(srv); err != nil {
				return stepErr{"closesocket", err}
			}
			if err := api.DisconnectEx(c, dov, spec.TF_REUSE_SOCKET, 0); err != spec.ERROR_IO_PENDING {
				return stepErr{"DisconnectEx passive", err}
			}
		} else {
			// we close first: the request waits out our TIME_WAIT
			if err := api.DisconnectEx(c, dov, spec.TF_REUSE_SOCKET, 0); err != spec.ERROR_IO_PENDING {
				return stepErr{"DisconnectEx active", err}
			}
			if n, err := api.Recv(srv, buf); err != nil || n != 0 {
				return stepErr{"recv FIN", err}
			}
			if err := api.Closesocket(srv); err != nil {
				return stepErr{"closesocket", err}
			}
		}
		if err := api.WaitForSingleObject(ev, spec.Infinite); err != nil {
			return stepErr{"wait", err}
		}
		if _, err := api.GetOverlappedResult(spec.Handle(c), dov, false); err != nil {
			return stepErr{"DisconnectEx result", err}
		}
	}
	return nil
}

// TestCloseWhileBlocked: closing a socket that other goroutines are blocked
// on (accept, recv, a synchronous TF_REUSE_SOCKET, a wait on the handle)
// releases them with an error instead of leaving them hanging.
func TestCloseWhileBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, Windows)
		e := w.e
		c, _ := w.pair(false)
		c2, _ := w.pair(true)
		_, s := w.pair(false)
		results := make(chan string, 8)
		go func() {
			_, _, err := e.Accept(w.listener)
			results <- "accept " + resultName(err)
		}()
		go func() {
			_, err := e.Recv(s, make([]byte, 4))
			results <- "recv " + resultName(err)
		}()
		go func() {
			err := e.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0) // waits for the peer's FIN
			results <- "DisconnectEx " + resultName(err)
		}()
		go func() {
			err := e.WaitForSingleObject(spec.Handle(c2), spec.Infinite)
			results <- "wait " + resultName(err)
		}()
		synctest.Wait() // all four are blocked
		if len(results) != 0 {
			t.Fatalf("not blocked: %s", <-results)
		}
		for _, x := range []spec.Socket{w.listener, c, c2, s} {
			w.ok(e.Closesocket(x))
		}
		synctest.Wait()
		got := map[string]bool{}
		for len(results) > 0 {
			got[<-results] = true
		}
		assert.DeepEqual(t, got, map[string]bool{"accept WSAEINTR": true, "recv WSAEINTR": true,
			"DisconnectEx WSAEINTR": true, "wait ERROR_INVALID_HANDLE": true})
	})
}
