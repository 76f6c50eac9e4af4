package emulator

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

func (e *Emulator) send(s spec.Socket, b []byte) (int, error) {
	so := e.sock(s)
	if so == nil {
		return 0, spec.WSAENOTSOCK
	}
	if !isStream(so) {
		if !so.remote.IsValid() {
			return 0, spec.WSAENOTCONN
		}
		if so.finSent {
			return 0, spec.WSAESHUTDOWN // after shutdown(SD_SEND): see shutdown
		}
		e.deliverDgram(so, b)
		return len(b), nil
	}
	if !connectedish(so.state) {
		return 0, spec.WSAENOTCONN
	}
	if so.conn == connReset {
		return 0, spec.WSAECONNRESET
	}
	if so.finSent {
		return 0, spec.WSAESHUTDOWN
	}
	p := so.peer
	if p == nil {
		return 0, spec.WSAENOTCONN
	}
	if p.host != 0 {
		e.remoteData(so, b) // a remote host echoes
		return len(b), nil
	}
	if p.h == 0 && p.orphan != 0 {
		// Data for a closed socket: its end answers with RST.
		e.abortEnd(p)
		e.freeSocket(p)
		return len(b), nil
	}
	// A receive that was waiting when its end was shut with
	// shutdown(SD_RECEIVE) stays pending and completes with data the peer
	// sends afterwards, while a new receive fails WSAESHUTDOWN (Wine
	// dlls/ws2_32/tests/sock.c, test_shutdown, lines 9142-9162, ok on
	// Windows: WSARecv pends, shutdown(SD_RECEIVE), a blocking WSARecv
	// fails WSAESHUTDOWN, send from the peer, the pending request completes
	// with those 5 bytes; and 9166-9167: a new one then fails WSAESHUTDOWN).
	// A blocking recv waiting at the shutdown is taken to behave as the
	// pending WSARecv does (inferred: both are one AFD receive request).
	// With no receive waiting the bytes have nowhere to go and are dropped
	// (Microsoft's shutdown page says the connection is reset instead; not
	// modelled).
	if !p.rdShut || p.recvWaits > 0 || e.recvQueued(p) {
		p.rbuf = append(p.rbuf, b...)
		e.serviceRecvs(p)
		if p.rdShut && p.recvWaits == 0 {
			p.rbuf = p.rbuf[:0]
		}
	}
	e.wake()
	return len(b), nil
}

func (e *Emulator) recv(s spec.Socket, b []byte) (int, error) {
	so := e.sock(s)
	if so == nil {
		return 0, spec.WSAENOTSOCK
	}
	if !isStream(so) {
		if !so.bound {
			return 0, spec.WSAEINVAL
		}
		if so.rdShut {
			return 0, spec.WSAESHUTDOWN // after shutdown(SD_RECEIVE): see shutdown
		}
		return e.recvDgram(s, so, b)
	}
	if !connectedish(so.state) {
		return 0, spec.WSAENOTCONN
	}
	if so.rdShut {
		return 0, spec.WSAESHUTDOWN
	}
	if len(b) == 0 {
		return 0, nil
	}
	ready := func() bool {
		return e.sock(s) != so || len(so.rbuf) > 0 || so.conn != connOpen || so.finRcvd
	}
	if !ready() {
		so.syncWaits++
		so.recvWaits++
		r := e.waitUntil(-1, ready)
		so.syncWaits--
		so.recvWaits--
		if r == waitDeadlock {
			return 0, ErrDeadlock
		}
		if e.sock(s) != so {
			return 0, spec.WSAEINTR
		}
	}
	if len(so.rbuf) > 0 {
		n := copy(b, so.rbuf)
		so.rbuf = so.rbuf[:copy(so.rbuf, so.rbuf[n:])]
		if so.rdShut && so.recvWaits == 0 {
			so.rbuf = so.rbuf[:0] // the rest reached a receive that is shut: dropped, as in send
		}
		return n, nil
	}
	if so.conn == connReset {
		return 0, spec.WSAECONNRESET
	}
	return 0, nil
}

// pollEvents are the bits WSAPoll accepts in events: POLLRDNORM,
// POLLRDBAND and POLLWRNORM (POLLIN and POLLOUT). Every other bit, POLLPRI
// and POLLWRBAND included, fails WSAEINVAL (Wine dlls/ws2_32/tests/sock.c,
// test_WSAPoll, lines 7797-7806 and 7894-7903, todo_wine: Windows fails
// each of 13 such bits on a listener and on a connected socket).
const pollEvents = spec.POLLRDNORM | spec.POLLRDBAND | spec.POLLWRNORM

// pollNow is what WSAPoll reports for so (test_WSAPoll, ok on Windows): a
// listener is readable with a connection in its backlog (7874-7881); a
// connected socket is writable, still after its own shutdown(SD_SEND)
// (7999, 8005), readable while data waits (7927, 8039-8040), and the
// peer's FIN sets POLLHUP without POLLRDNORM (8022-8023; with data,
// POLLRDNORM|POLLHUP, 8045-8046, todo_wine); a UDP socket is writable
// bound or not (8139-8149). A socket reset by its peer reports
// POLLERR|POLLHUP|POLLWRNORM, not POLLRDNORM (sock.c test_tcp_reset,
// plain ok at line 13328, after a WSARecv took the reset). After both FINs
// the socket stays readable (a recv ends at once): inferred, no source.
func (e *Emulator) pollNow(so *socket) spec.PollEvents {
	var r spec.PollEvents
	switch {
	case so.state == spec.StateListening:
		if len(so.backlog) > 0 {
			r |= spec.POLLRDNORM
		}
	case !isStream(so):
		r |= spec.POLLWRNORM
		if len(so.dgrams) > 0 {
			r |= spec.POLLRDNORM // a datagram waits (test_WSAPoll 8151-8155)
		}
	case connectedish(so.state):
		if len(so.rbuf) > 0 || so.conn != connOpen && so.conn != connReset {
			r |= spec.POLLRDNORM
		}
		if so.conn == connOpen {
			r |= spec.POLLWRNORM
		}
		if so.conn == connReset {
			r |= spec.POLLHUP | spec.POLLERR | spec.POLLWRNORM
		} else if so.finRcvd || so.conn == connTimeWait || so.conn == connClosed {
			r |= spec.POLLHUP
		}
	}
	return r
}

func (e *Emulator) poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	so := e.sock(s)
	if so == nil {
		return 0, spec.WSAENOTSOCK
	}
	if events&^pollEvents != 0 || !spec.ValidTimeout(timeout) {
		return 0, spec.WSAEINVAL
	}
	mask := events | spec.POLLHUP | spec.POLLERR
	var r spec.PollEvents
	ready := func() bool {
		if e.sock(s) != so {
			r = spec.POLLNVAL
			return true
		}
		r = e.pollNow(so) & mask
		if r&spec.POLLRDNORM != 0 && events&spec.POLLRDNORM == 0 {
			r &^= spec.POLLRDNORM
		}
		return r != 0
	}
	if ready() || timeout == 0 {
		return r, nil
	}
	so.syncWaits++
	w := e.waitUntil(e.deadline(timeout), ready)
	so.syncWaits--
	if w == waitDeadlock {
		return 0, ErrDeadlock
	}
	return r, nil
}

func (e *Emulator) shutdown(so *socket, how int) spec.Errno {
	if how < spec.SD_RECEIVE || how > spec.SD_BOTH {
		return spec.WSAEINVAL
	}
	if !isStream(so) {
		// A datagram socket needs no connection: shutdown succeeds on a
		// bound one, a second SD_SEND too, and then recvfrom and sendto
		// fail WSAESHUTDOWN (Wine dlls/ws2_32/tests/sock.c, test_shutdown,
		// lines 9217-9241, ok on Windows; the sending socket there was
		// bound by its sendto). For one neither bound nor connected no
		// source says; the emulator keeps WSAENOTCONN.
		if !so.bound && !so.remote.IsValid() {
			return spec.WSAENOTCONN
		}
		if how == spec.SD_RECEIVE || how == spec.SD_BOTH {
			so.rdShut = true
		}
		if how == spec.SD_SEND || how == spec.SD_BOTH {
			so.finSent = true
		}
		return 0
	}
	if !connectedish(so.state) {
		return spec.WSAENOTCONN
	}
	if how == spec.SD_RECEIVE || how == spec.SD_BOTH {
		so.rdShut = true
		so.rbuf = so.rbuf[:0]
	}
	if how == spec.SD_SEND || how == spec.SD_BOTH {
		if so.conn == connOpen {
			e.sendFIN(so)
		}
	}
	return 0
}

// setLinger sets SO_LINGER: on with 0 seconds makes closesocket reset the
// connection instead of closing it gracefully.
func (e *Emulator) setLinger(so *socket, on bool, seconds uint16) spec.Errno {
	so.linger, so.lingerSecs = on, seconds
	return 0
}

func (e *Emulator) getsockname(so *socket) (netip.AddrPort, spec.Errno) {
	if !so.local.IsValid() {
		return netip.AddrPort{}, spec.WSAEINVAL
	}
	return so.local, 0
}

func (e *Emulator) getpeername(so *socket) (netip.AddrPort, spec.Errno) {
	if so.state == spec.StateConnecting && !so.connEx && so.remote.IsValid() {
		// A connect() in progress already has its peer (Wine sock.c
		// test_connecting_socket, todo_wine ok: Windows gives the address);
		// a ConnectEx in progress has none yet (ok: WSAENOTCONN).
		return so.remote, 0
	}
	if !connectedish(so.state) || !so.remote.IsValid() {
		return netip.AddrPort{}, spec.WSAENOTCONN
	}
	return so.remote, 0
}

// tcpState is the TCP table state of a connection end.
func tcpState(so *socket) spec.TCPState {
	switch {
	case so.finSent && !so.finRcvd:
		return spec.TCPFinWait2
	case !so.finSent && so.finRcvd:
		return spec.TCPCloseWait
	}
	return spec.TCPEstab
}

func (e *Emulator) tcpTable() []spec.TCPRow {
	var out []spec.TCPRow
	add := func(so *socket) {
		if isStream(so) && so.conn == connOpen {
			out = append(out, spec.TCPRow{Local: so.local, Remote: so.remote, State: tcpState(so)})
		}
	}
	for i := range e.handles {
		sl := &e.handles[i]
		if sl.kind != kindSocket {
			continue
		}
		so := sl.sock
		if so.state == spec.StateListening {
			out = append(out, spec.TCPRow{Local: so.local, Remote: netip.AddrPortFrom(unspecified(so.af), 0), State: spec.TCPListen})
			for _, b := range so.backlog {
				add(b)
			}
			continue
		}
		add(so)
	}
	for _, o := range e.orphans {
		add(o)
	}
	out = e.tw.tcpRows(out)
	out = e.tcpSynSent(out)
	if e.seeded == seededDuplicateRow {
		for _, r := range out {
			if r.State != spec.TCPListen {
				out = append(out, r)
				break
			}
		}
	}
	sortRows(out)
	return out
}

func fmtAddr(a netip.AddrPort) string {
	if !a.IsValid() {
		return "invalid"
	}
	return a.String()
}

func fmtHandle(h uintptr) string { return fmt.Sprintf("%#x", h) }
