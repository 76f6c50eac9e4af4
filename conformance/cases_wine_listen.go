package conformance

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_listen and test_accept (see
// evidence_wine_sock_listen.go). test_listen binds the fixed port
// SERVERPORT; these cases take the port the first bind was given, so that
// they cannot meet another program's socket. test_accept's checks of
// WSAAccept (condition functions, address lengths) and of accept's
// address arguments are outside spec.API; what is left is closesocket
// waking a blocked accept and the family of the address accept fills in.

// acceptWakeLimit bounds, in wall time, how long wine-accept/close-wakes-accept
// waits for the blocked accept to return after the close; the test itself
// waits 1 s.
const acceptWakeLimit = 10 * time.Second

// somaxconn is SOMAXCONN (winsock2.h), the backlog test_listen passes.
const somaxconn = 0x7fffffff

// wineServer makes the listener sock.c's setup_server_socket makes: an
// IPv4 TCP socket with SO_REUSEADDR, bound to 127.0.0.1:0 and listening
// with a backlog of 5. It returns the socket and its address.
func wineServer(t *T, api spec.API) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	mustOK(t, "setsockopt(listener, SO_REUSEADDR)", api.SetBindOption(l, spec.SO_REUSEADDR, true))
	mustOK(t, "bind(listener, 127.0.0.1:0)", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
	addr := netip.AddrPortFrom(loopback4, localPort(t, api, l))
	mustOK(t, "listen(listener, 5)", api.Listen(l, 5))
	return l, addr
}

var wineListenCases = []Case{
	{
		Name:    "wine-listen/invalid-socket",
		Clauses: clauses(spec.ClauseGapBadHandle),
		Body: func(t *T, api spec.API) {
			wantErr(t, "listen(0, 0)", api.Listen(0, 0), spec.WSAENOTSOCK)
			wantErr(t, "listen(0xdeadbeef, 0)", api.Listen(spec.Socket(0xdeadbeef), 0), spec.WSAENOTSOCK)
		},
	},
	{
		Name:    "wine-listen/unbound-bound-listening",
		Clauses: clauses(spec.ClauseGapListening, spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			a := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			b := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			wantErr(t, "listen(unbound A, -2)", api.Listen(a, -2), spec.WSAEINVAL)
			wantErr(t, "listen(unbound A, 1)", api.Listen(a, 1), spec.WSAEINVAL)
			wantErr(t, "listen(unbound A, SOMAXCONN)", api.Listen(a, somaxconn), spec.WSAEINVAL)
			mustOK(t, "then bind(A, 127.0.0.1:0)", api.Bind(a, netip.AddrPortFrom(loopback4, 0)))
			at := netip.AddrPortFrom(loopback4, localPort(t, api, a))
			if err := api.Bind(b, at); err == nil {
				t.Errorf("bind(B, %v), where A is bound and not listening: got success, want a failure", at)
			} else {
				t.Logf("bind(B, %v), where A is bound and not listening: %s", at, errName(err))
			}
			wantOK(t, "listen(A, 0)", api.Listen(a, 0))
			wantOK(t, "listen(A, SOMAXCONN) on the socket already listening", api.Listen(a, somaxconn))
			wantErr(t, "listen(B, SOMAXCONN) after its bind failed", api.Listen(b, somaxconn), spec.WSAEINVAL)
			wantOK(t, "closesocket(B)", api.Closesocket(b))
			b2 := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			wantErr(t, fmt.Sprintf("bind(new B, %v), where A listens", at), api.Bind(b2, at), spec.WSAEADDRINUSE)
			wantOK(t, "closesocket(A)", api.Closesocket(a))
			wantOK(t, "closesocket(new B)", api.Closesocket(b2))
		},
	},
	{
		Name:    "wine-accept/close-wakes-accept",
		Clauses: clauses(spec.ClauseGapClosePending),
		Body: func(t *T, api spec.API) {
			l, _ := wineServer(t, api)
			th := thread(t, api)
			ready, res := make(chan struct{}), make(chan error, 1)
			go func() {
				close(ready) // the test's server_ready event
				a, _, err := th.Accept(l)
				if err == nil {
					th.Closesocket(a)
				}
				res <- err
			}()
			<-ready
			// As the test: a pause for the thread to block in accept. Its
			// check passes as well when the close comes first and accept
			// fails on a closed handle.
			api.Sleep(200 * time.Millisecond)
			wantOK(t, "closesocket(listener) while another thread waits in accept on it", api.Closesocket(l))
			// The channel, not a backend wait, bounded so that an accept
			// that nothing wakes fails here rather than at the case's limit.
			var err error
			select {
			case err = <-res:
			case <-time.After(acceptWakeLimit):
				t.Fatalf("accept on the other thread: still blocked %v after closesocket(listener)", acceptWakeLimit)
			}
			var code spec.Errno
			switch {
			case err == nil:
				t.Errorf("accept on the other thread after closesocket(listener): got success, want a failure")
			case !errors.As(err, &code):
				t.Errorf("accept on the other thread after closesocket(listener): got %s, want an error code of the backend's calls", errName(err))
			default:
				t.Logf("accept on the other thread after closesocket(listener): %s", errName(err))
			}
		},
	},
	{
		Name:    "wine-accept/peer-family",
		Clauses: clauses(spec.ClauseGapBindAddress),
		Body: func(t *T, api spec.API) {
			l, addr := wineServer(t, api)
			c := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			mustOK(t, "connect(connector, listener)", api.Connect(c, addr))
			_, peer, ok := acceptWaiting(t, api, l, "the listener, with an address buffer")
			if !ok {
				return
			}
			if !peer.IsValid() || !peer.Addr().Is4() {
				t.Errorf("accept(listener, address buffer): got address %v, want one of family AF_INET", peer)
			}
		},
	},
}
