package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases for the network beyond loopback: a ConnectEx that stays pending
// because nobody answers its SYN, the SYN timeout, hosts that refuse or
// cannot be reached, peers that never send their FIN, and what a socket
// with a connect in progress allows. They need the RemoteHosts capability:
// the backend gives the address of a host that behaves the way the case
// needs (the emulator's remote hosts; under Wine, loopback stand-ins).

// remoteHost returns the backend's address of a host that behaves as b,
// or skips the case when the backend cannot produce one here.
func remoteHost(t *T, api spec.API, b spec.HostBehavior) netip.AddrPort {
	t.Helper()
	r, ok := api.(remoteHoster)
	if !ok {
		t.Fatalf("the backend has capability %s but its API does not implement RemoteHost", RemoteHosts)
	}
	a, err := r.RemoteHost(b)
	if err != nil {
		t.Skipf("needs capability %s for a host that %v: %v", RemoteHosts, b, err)
	}
	return a
}

// boundAny makes an overlapped TCP socket bound to 0.0.0.0:0, as
// test_connecting_socket binds before ConnectEx.
func boundAny(t *T, api spec.API) spec.Socket {
	t.Helper()
	c := tcp(t, api)
	mustOK(t, "bind 0.0.0.0:0", api.Bind(c, netip.AddrPortFrom(any4, 0)))
	return c
}

// synPendingFor is how long a case waits to see that a ConnectEx nobody
// answers is still pending: well inside the first retransmission timeout.
const synPendingFor = 200 * time.Millisecond

// pendingConnectEx starts a ConnectEx on a new bound socket to a host that
// drops SYNs and checks that it is still pending a moment later. The
// request is canceled after the case, before its OVERLAPPED is freed.
func pendingConnectEx(t *T, api spec.API) (spec.Socket, spec.Overlapped, spec.Handle, netip.AddrPort) {
	t.Helper()
	dst := remoteHost(t, api, spec.HostDropsSYN)
	c := boundAny(t, api)
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	t.Cleanup(func() { api.CancelIoEx(spec.Handle(c), ov) })
	if !wantErr(t, "ConnectEx to a host that drops SYNs", api.ConnectEx(c, dst, ov), spec.ERROR_IO_PENDING) {
		t.Fatalf("ConnectEx did not pend")
	}
	wantErr(t, "the ConnectEx a moment later: WaitForSingleObject(event, 200ms)", api.WaitForSingleObject(ev, synPendingFor), spec.WAIT_TIMEOUT)
	return c, ov, ev, dst
}

// wantConnectFails checks a ConnectEx and a connect() to dst that
// fail with win32 (GetOverlappedResult) and winsock (WSAGetOverlappedResult
// and connect). With atOnce, the ConnectEx may instead fail within the
// call with winsock (DX-GAP-UNREACHABLE's variant at-once).
func wantConnectFails(t *T, api spec.API, dst netip.AddrPort, win32, winsock spec.Errno, atOnce bool) {
	t.Helper()
	af, anyAddr := spec.AF_INET, any4
	if dst.Addr().Is6() {
		af, anyAddr = spec.AF_INET6, netip.IPv6Unspecified()
	}
	c := sock(t, api, af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	mustOK(t, "bind to port 0", api.Bind(c, netip.AddrPortFrom(anyAddr, 0)))
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	err := api.ConnectEx(c, dst, ov)
	if atOnce && isErr(err, winsock) {
		t.Logf("ConnectEx to %v failed within the call with %s (variant at-once)", dst, codeName(winsock))
	} else if wantErr(t, "ConnectEx to "+dst.String(), err, spec.ERROR_IO_PENDING) &&
		wantOK(t, "WaitForSingleObject(event, 30s)", api.WaitForSingleObject(ev, 30*time.Second)) {
		_, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
		wantErr(t, "GetOverlappedResult", err, win32)
		_, _, err = api.WSAGetOverlappedResult(c, ov, false)
		wantErr(t, "WSAGetOverlappedResult", err, winsock)
	}
	c2 := sock(t, api, af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	wantErr(t, "connect to "+dst.String(), api.Connect(c2, dst), winsock)
}

// neverClosing connects a new socket to a peer that never sends its FIN.
func neverClosing(t *T, api spec.API) spec.Socket {
	t.Helper()
	dst := remoteHost(t, api, spec.HostNeverCloses)
	c := tcp(t, api)
	mustOK(t, "connect to a peer that never closes", api.Connect(c, dst))
	return c
}

var netCases = []Case{
	{
		Name:    "net/connectex-pending-until-canceled",
		Clauses: clauses(spec.ClauseGapSYNTimeout, spec.ClauseGapCancel),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, ov, ev, _ := pendingConnectEx(t, api)
			wantPending(t, api, "pending ConnectEx", c, ov)
			_, _, err := api.WSAGetOverlappedResult(c, ov, false)
			wantErr(t, "pending ConnectEx: WSAGetOverlappedResult(no wait)", err, spec.WSA_IO_INCOMPLETE)
			if st, _, err := api.OverlappedFields(ov); wantOK(t, "OverlappedFields", err) && st != spec.STATUS_PENDING {
				t.Errorf("pending ConnectEx: Internal: got %v, want STATUS_PENDING", st)
			}
			mustOK(t, "CancelIoEx(socket, ov)", api.CancelIoEx(spec.Handle(c), ov))
			wantAborted(t, api, "canceled ConnectEx", c, ov, ev)
		},
	},
	{
		Name:    "net/connectex-pending-until-closed",
		Clauses: clauses(spec.ClauseGapSYNTimeout, spec.ClauseGapClosePending),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, ov, ev, _ := pendingConnectEx(t, api)
			mustOK(t, "closesocket under the pending ConnectEx", api.Closesocket(c))
			if waitPrompt(t, api, "ConnectEx after closesocket", ev) {
				_, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
				expectOneOf(t, "GetOverlappedResult of the ConnectEx closed under", err,
					spec.ERROR_OPERATION_ABORTED, spec.ERROR_NETNAME_DELETED, spec.ERROR_CONNECTION_ABORTED)
			}
		},
	},
	{
		Name:    "net/connectex-syn-timeout",
		Clauses: clauses(spec.ClauseGapSYNTimeout),
		Needs:   needs(RemoteHosts, VirtualTime),
		Waits:   21 * time.Second,
		Body: func(t *T, api spec.API) {
			c, ov, ev, _ := pendingConnectEx(t, api)
			// 200 ms are gone: still pending just before 21 s, done at 21 s.
			wantErr(t, "WaitForSingleObject until just before 21 s", api.WaitForSingleObject(ev, 21*time.Second-synPendingFor-time.Millisecond), spec.WAIT_TIMEOUT)
			wantPending(t, api, "ConnectEx just before 21 s", c, ov)
			if wantOK(t, "WaitForSingleObject(event, 1ms) at 21 s", api.WaitForSingleObject(ev, time.Millisecond)) {
				wantResult(t, api, "timed-out ConnectEx", c, ov, spec.ERROR_SEM_TIMEOUT)
				_, _, err := api.WSAGetOverlappedResult(c, ov, false)
				wantErr(t, "timed-out ConnectEx: WSAGetOverlappedResult", err, spec.WSAETIMEDOUT)
				if st, _, err := api.OverlappedFields(ov); wantOK(t, "OverlappedFields", err) && st != spec.STATUS_IO_TIMEOUT {
					t.Errorf("timed-out ConnectEx: Internal: got %v, want STATUS_IO_TIMEOUT", st)
				}
			}
		},
	},
	{
		Name:    "net/connect-syn-timeout",
		Clauses: clauses(spec.ClauseGapSYNTimeout),
		Needs:   needs(RemoteHosts, VirtualTime),
		Waits:   21 * time.Second,
		Body: func(t *T, api spec.API) {
			dst := remoteHost(t, api, spec.HostDropsSYN)
			c := tcp(t, api)
			wantErr(t, "blocking connect to a host that drops SYNs", api.Connect(c, dst), spec.WSAETIMEDOUT)
		},
	},
	{
		Name:    "net/connect-refused",
		Clauses: clauses(spec.ClauseGapUnreachable),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			wantConnectFails(t, api, remoteHost(t, api, spec.HostRefuses), spec.ERROR_CONNECTION_REFUSED, spec.WSAECONNREFUSED, false)
		},
	},
	{
		Name:    "net/connect-host-unreachable",
		Clauses: clauses(spec.ClauseGapUnreachable),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			wantConnectFails(t, api, remoteHost(t, api, spec.HostUnreachable), spec.ERROR_HOST_UNREACHABLE, spec.WSAEHOSTUNREACH, true)
		},
	},
	{
		Name:    "net/connect-net-unreachable",
		Clauses: clauses(spec.ClauseGapUnreachable),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			wantConnectFails(t, api, remoteHost(t, api, spec.NetUnreachable), spec.ERROR_NETWORK_UNREACHABLE, spec.WSAENETUNREACH, true)
		},
	},
	{
		Name:    "net/connecting-disconnectex-enotconn",
		Clauses: clauses(spec.ClauseGapConnecting, spec.ClauseErrNotConn),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c, _, _, _ := pendingConnectEx(t, api)
			wantErr(t, "DisconnectEx(connecting socket, NULL, 0, 0)", api.DisconnectEx(c, 0, 0, 0), spec.WSAENOTCONN)
			ov := overlapped(t, api, event(t, api))
			wantErr(t, "DisconnectEx(connecting socket, ov, TF_REUSE_SOCKET, 0)", api.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.WSAENOTCONN)
		},
	},
	{
		Name:    "net/connecting-state",
		Clauses: clauses(spec.ClauseGapConnecting),
		Needs:   needs(RemoteHosts, Introspection),
		Body: func(t *T, api spec.API) {
			c, _, _, _ := pendingConnectEx(t, api)
			wantState(t, api, "while the ConnectEx is pending", c, spec.StateConnecting)
		},
	},
	{
		Name:    "net/peer-never-closes-reuse-pending-canceled",
		Clauses: clauses(spec.ClauseGapPeerNoFIN, spec.ClauseGapCancel),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c := neverClosing(t, api)
			ov, ev := pending(t, api, c, spec.TF_REUSE_SOCKET)
			wantErr(t, "a moment later: WaitForSingleObject(event, 200ms)", api.WaitForSingleObject(ev, synPendingFor), spec.WAIT_TIMEOUT)
			wantPending(t, api, "DisconnectEx(TF_REUSE_SOCKET), the peer never closes", c, ov)
			if wantOK(t, "CancelIoEx(socket, ov)", api.CancelIoEx(spec.Handle(c), ov)) {
				wantAborted(t, api, "canceled DisconnectEx", c, ov, ev)
			}
			_, err := api.Send(c, []byte("x"))
			wantErr(t, "send after the canceled reuse (our FIN is out)", err, spec.WSAESHUTDOWN)
		},
	},
	{
		Name:    "net/peer-never-closes-reuse-pending-closed",
		Clauses: clauses(spec.ClauseGapPeerNoFIN, spec.ClauseGapClosePending),
		Needs:   needs(RemoteHosts),
		Body: func(t *T, api spec.API) {
			c := neverClosing(t, api)
			ov, ev := pending(t, api, c, spec.TF_REUSE_SOCKET)
			wantErr(t, "a moment later: WaitForSingleObject(event, 200ms)", api.WaitForSingleObject(ev, synPendingFor), spec.WAIT_TIMEOUT)
			mustOK(t, "closesocket under the pending DisconnectEx", api.Closesocket(c))
			if waitPrompt(t, api, "DisconnectEx after closesocket", ev) {
				_, err := api.GetOverlappedResult(spec.Handle(c), ov, false)
				expectOneOf(t, "GetOverlappedResult of the DisconnectEx closed under", err,
					spec.ERROR_OPERATION_ABORTED, spec.ERROR_NETNAME_DELETED, spec.ERROR_CONNECTION_ABORTED)
			}
		},
	},
	{
		Name:    "net/peer-never-closes-reuse-waits-an-hour",
		Clauses: clauses(spec.ClauseGapPeerNoFIN),
		Needs:   needs(RemoteHosts, VirtualTime),
		Waits:   time.Hour,
		Body: func(t *T, api spec.API) {
			c := neverClosing(t, api)
			ov, ev := pending(t, api, c, spec.TF_REUSE_SOCKET)
			wantErr(t, "WaitForSingleObject(event, 1h)", api.WaitForSingleObject(ev, time.Hour), spec.WAIT_TIMEOUT)
			wantPending(t, api, "DisconnectEx(TF_REUSE_SOCKET) after an hour", c, ov)
			mustOK(t, "CancelIoEx(socket, ov)", api.CancelIoEx(spec.Handle(c), ov))
		},
	},
	{
		Name:    "net/remote-accepts-echo-and-reuse",
		Clauses: clauses(spec.ClauseFlagReuse, spec.ClauseFlagTimeWait),
		Needs:   needs(RemoteHosts, VirtualTime),
		Waits:   spec.DefaultTcpTimedWaitDelay,
		Body: func(t *T, api spec.API) {
			dst := remoteHost(t, api, spec.HostAccepts)
			c := boundAny(t, api)
			connectEx(t, api, c, dst)
			if peer, err := api.Getpeername(c); wantOK(t, "getpeername", err) && peer != dst {
				t.Errorf("getpeername: got %v, want %v", peer, dst)
			}
			if n, err := api.Send(c, []byte("ping")); !wantOK(t, "send", err) || n != 4 {
				t.Fatalf("send: got %d bytes", n)
			}
			buf := make([]byte, 8)
			if n, err := api.Recv(c, buf); wantOK(t, "recv the echo", err) && string(buf[:n]) != "ping" {
				t.Errorf("recv: got %q, want the echo %q", buf[:n], "ping")
			}
			// The host answers our FIN at once: we closed first. The
			// reuse completes after the close or after TIME_WAIT
			// (DX-FLAG-TIMEWAIT's variants); either way it completes.
			mustOK(t, "DisconnectEx(NULL, TF_REUSE_SOCKET)", api.DisconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
			api.Sleep(spec.DefaultTcpTimedWaitDelay) // the row, if any, leaves
			connectEx(t, api, c, dst)
		},
	},
}
