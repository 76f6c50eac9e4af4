package emulator

import (
	"bytes"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// Datagrams between the emulator's own UDP sockets (Wine
// dlls/ws2_32/tests/sock.c, test_connect_udp, lines 13620-13626, ok on
// Windows: a connected UDP socket's send of 4 bytes arrives whole at the
// bound socket it is connected to). Loopback delivers at once and loses
// nothing; a datagram that no socket takes is dropped, as a UDP send
// succeeds whoever listens.

// deliverDgram queues a copy of b, sent by the connected datagram socket
// from, on the bound datagram socket at from's remote address, unless that
// socket is shut for receiving or connected to another address. A socket
// bound to that address itself comes before one bound to the unspecified
// address on the port, as for listeners (DX-GAP-BIND-ADDRESS).
func (e *Emulator) deliverDgram(from *socket, b []byte) {
	src := from.local
	if src.Addr().IsUnspecified() {
		// Sent from the wildcard: the source is the address it went to.
		src = netip.AddrPortFrom(from.remote.Addr(), src.Port())
	}
	var to *socket
	for i := range e.handles {
		sl := &e.handles[i]
		if sl.kind != kindSocket {
			continue
		}
		x := sl.sock
		if isStream(x) || !x.bound || x.af != from.af || x.local.Port() != from.remote.Port() {
			continue
		}
		if a := x.local.Addr(); a == from.remote.Addr() {
			to = x
			break
		} else if a.IsUnspecified() && to == nil {
			to = x
		}
	}
	if to == nil || to.rdShut || to.remote.IsValid() && to.remote != src {
		return
	}
	to.dgrams = append(to.dgrams, bytes.Clone(b))
	e.wake()
}

// recvDgram takes the oldest datagram waiting on the bound datagram
// socket so, waiting for one (until the socket is closed) when none is
// there. A datagram longer than b is cut to it.
func (e *Emulator) recvDgram(s spec.Socket, so *socket, b []byte) (int, error) {
	ready := func() bool { return e.sock(s) != so || len(so.dgrams) > 0 }
	if !ready() {
		so.syncWaits++
		r := e.waitUntil(-1, ready)
		so.syncWaits--
		if r == waitDeadlock {
			return 0, ErrDeadlock
		}
		if e.sock(s) != so {
			return 0, spec.WSAEINTR
		}
	}
	d := so.dgrams[0]
	so.dgrams[0] = nil
	so.dgrams = so.dgrams[1:]
	return copy(b, d), nil
}
