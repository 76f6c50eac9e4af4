package emulator

import (
	"slices"

	"github.com/disconnectex/disconnectex/spec"
)

// The TCP model: loopback, instant delivery, no loss. A FIN or RST reaches
// the peer end in the same call that sends it.
//
//	active closer (sends FIN first): ESTABLISHED -> FIN_WAIT2 -> (peer FIN) -> TIME_WAIT -> (delay) -> gone
//	passive closer:                  ESTABLISHED -> CLOSE_WAIT -> (own FIN) -> LAST_ACK -> CLOSED at once
//	abort (SO_LINGER on, 0 s):       RST, no TIME_WAIT; the peer's recv/send fail with WSAECONNRESET.

// sendFIN shuts down the sending side of so's connection.
func (e *Emulator) sendFIN(so *socket) {
	if so.finSent || so.conn != connOpen {
		return
	}
	so.finSent = true
	p := so.peer
	if p == nil {
		return
	}
	p.finRcvd = true
	if p.h != 0 {
		e.serviceRecvs(p) // pending WSARecv requests end with the FIN
	}
	if p.host != 0 && !so.finRcvd {
		if p.host == spec.HostAccepts {
			e.remoteCloses(so, p) // its FIN answers ours at once
		}
		e.wake() // a host that never closes leaves us in FIN_WAIT2
		return
	}
	if !so.finRcvd {
		// We close first: we wait in FIN_WAIT2, the peer is in CLOSE_WAIT.
		e.wake()
		return
	}
	// The peer closed first and was waiting in FIN_WAIT2: it enters
	// TIME_WAIT; we pass LAST_ACK and are closed.
	so.peer, p.peer = nil, nil
	so.conn = connClosed
	e.enterTimeWait(p)
	if p.h == 0 {
		e.freeSocket(p) // an orphan: its row (if any) holds the port from now on
	} else if p.reusing {
		switch {
		case p.conn == connClosed:
			e.reuseDone(p, trPeerFINNoWait)
		case e.variants.is(axTimeWait, VariantReuseAfterClose):
			e.tw.disown(p) // the row stays, owned by no socket
			e.reuseDone(p, trPeerFINRowStays)
		default:
			e.setState(p, trPeerFIN)
		}
	}
	if so.h == 0 && so.orphan != 0 {
		e.freeSocket(so)
	}
	e.wake()
}

// abortEnd resets so's connection: the peer sees WSAECONNRESET.
func (e *Emulator) abortEnd(so *socket) {
	p := so.peer
	so.peer = nil
	if so.conn == connOpen {
		so.conn = connReset
	}
	if p == nil {
		return
	}
	p.peer = nil
	p.conn = connReset
	p.rbuf = p.rbuf[:0]
	if p.host != 0 {
		e.freeSocket(p) // a remote host's end: gone with the reset
		e.wake()
		return
	}
	if p.h != 0 {
		e.serviceRecvs(p) // pending WSARecv requests end with the reset
	}
	if p.h == 0 {
		if p.orphan != 0 {
			e.freeSocket(p)
		}
		// A backlog end stays queued, reset: accept hands it out as is.
	} else if p.reusing {
		e.reuseFailed(p, spec.STATUS_CONNECTION_RESET)
	}
	e.wake()
}

func (e *Emulator) addOrphan(so *socket) {
	e.orphans = append(e.orphans, so)
	so.orphan = len(e.orphans)
}

func (e *Emulator) removeOrphan(so *socket) {
	i := so.orphan - 1
	last := len(e.orphans) - 1
	e.orphans[i] = e.orphans[last]
	e.orphans[i].orphan = i + 1
	e.orphans[last] = nil
	e.orphans = e.orphans[:last]
	so.orphan = 0
}

// deliver hands a new server end to a pending AcceptEx, or queues it.
func (e *Emulator) deliver(l *socket, srv *socket) {
	for _, idx := range l.pending {
		o := e.ovs[idx]
		if o.op == opAcceptEx {
			e.attach(o.accept, srv)
			e.complete(o, spec.STATUS_SUCCESS)
			return
		}
	}
	l.backlog = append(l.backlog, srv)
	e.wake()
}

// attach moves a backlog end into the socket AcceptEx gave for it.
func (e *Emulator) attach(a *socket, srv *socket) {
	e.unbind(a) // Documented profile: a socket reused after connect, given to AcceptEx
	a.acceptOv = 0
	a.local, a.remote = srv.local, srv.remote
	a.conn = srv.conn
	a.finSent, a.finRcvd, a.rdShut, a.activeCloser = srv.finSent, srv.finRcvd, false, false
	a.rbuf = append(a.rbuf[:0], srv.rbuf...)
	a.peer = srv.peer
	if a.peer != nil {
		a.peer.peer = a
	}
	srv.peer = nil
	a.origin = originAccept
	e.setState(a, trAccepted)
	e.freeSocket(srv)
}

// closeSocket is closesocket: cancel what is pending, close the connection
// gracefully (or reset it with SO_LINGER on and 0 s) and free the handle.
// TIME_WAIT rows and a connection still closing outlive the handle.
func (e *Emulator) closeSocket(so *socket) {
	so.closing = true
	e.abortRecvs(so)
	e.cancelAll(so, 0)
	if so.inSyn { // a blocking connect in progress (a ConnectEx's was canceled above)
		e.abortSYN(so, spec.STATUS_CANCELLED, trConnectCanceled)
	}
	if so.acceptOv != 0 {
		e.cancel(e.ovs[so.acceptOv-1])
	}
	wasListening := so.state == spec.StateListening
	e.setState(so, trClose)
	e.release(so.slot)
	so.h = 0
	e.tw.disown(so) // a TIME_WAIT row outlives the handle
	if wasListening {
		e.unlisten(so)
		for _, b := range so.backlog {
			e.abortEnd(b)
			e.freeSocket(b)
		}
		clear(so.backlog)
		so.backlog = so.backlog[:0]
	}
	keep := false
	if isStream(so) && so.conn == connOpen {
		if so.linger && so.lingerSecs == 0 {
			e.abortEnd(so)
		} else {
			e.sendFIN(so)
			if so.conn == connOpen { // FIN_WAIT2 until the peer closes
				keep = true
			}
		}
	}
	so.reusing = false
	if keep {
		so.rbuf = so.rbuf[:0]
		e.addOrphan(so)
	} else {
		e.freeSocket(so)
	}
	e.wake()
}

func sortRows(rows []spec.TCPRow) {
	slices.SortFunc(rows, func(a, b spec.TCPRow) int {
		if c := a.Local.Compare(b.Local); c != 0 {
			return c
		}
		if c := a.Remote.Compare(b.Remote); c != 0 {
			return c
		}
		return int(a.State) - int(b.State)
	})
}
