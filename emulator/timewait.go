package emulator

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// The TIME_WAIT table is one FIFO queue. Every row lives for the same
// TcpTimedWaitDelay, so rows leave in the order they came: the head is
// always the next to expire, there is no timer or goroutine per row, and a
// row costs 24 bytes (addresses are interned: the loopback world has few).

// twRow is one connection in TIME_WAIT.
type twRow struct {
	exp          int64  // emulator time at which the row leaves the table
	lport, rport uint16 // local and remote ports
	laddr, raddr uint16 // interned addresses (twQueue.addrs)
	fam          uint8  // famIndex of the connection
	sock         uint32 // handle slot+1 of the socket that owned the connection when the row was made, 0 if none
}

type twQueue struct {
	rows    []twRow // ring buffer
	head    int     // index of the oldest row
	n       int     // rows in the queue
	headSeq uint64  // sequence number of the oldest row; numbers start at 1

	perPort [2][65536]uint32 // rows per family and local port: a row holds its port

	addrs   []netip.Addr
	addrIdx map[netip.Addr]uint16
}

func (q *twQueue) init() {
	q.headSeq = 1
	q.addrIdx = make(map[netip.Addr]uint16)
}

func (q *twQueue) intern(a netip.Addr) uint16 {
	if i, ok := q.addrIdx[a]; ok {
		return i
	}
	i := uint16(len(q.addrs))
	if len(q.addrs) == 65535 { // not reachable in a loopback world; degrade gracefully
		return 0
	}
	q.addrs = append(q.addrs, a)
	q.addrIdx[a] = i
	return i
}

// push appends a row and returns its sequence number.
func (q *twQueue) push(r twRow) uint64 {
	if q.n == len(q.rows) {
		size := 2 * len(q.rows)
		if size < 16 {
			size = 16
		}
		rows := make([]twRow, size)
		k := copy(rows, q.rows[q.head:])
		copy(rows[k:], q.rows[:q.head])
		q.rows, q.head = rows, 0
	}
	i := q.head + q.n
	if i >= len(q.rows) {
		i -= len(q.rows)
	}
	q.rows[i] = r
	q.n++
	q.perPort[r.fam][r.lport]++
	return q.headSeq + uint64(q.n) - 1
}

// alive reports whether the row with sequence number seq is still queued.
func (q *twQueue) alive(seq uint64) bool {
	return seq >= q.headSeq && seq < q.headSeq+uint64(q.n)
}

func (q *twQueue) at(k int) *twRow {
	i := q.head + k
	if i >= len(q.rows) {
		i -= len(q.rows)
	}
	return &q.rows[i]
}

// nextExpiry returns when the head row expires.
func (q *twQueue) nextExpiry() (int64, bool) {
	if q.n == 0 {
		return 0, false
	}
	return q.rows[q.head].exp, true
}

// pop removes the head row and returns it with its sequence number.
func (q *twQueue) pop() (twRow, uint64) {
	r := q.rows[q.head]
	seq := q.headSeq
	q.rows[q.head] = twRow{}
	q.head++
	if q.head == len(q.rows) {
		q.head = 0
	}
	q.n--
	q.headSeq++
	q.perPort[r.fam][r.lport]--
	if q.n == 0 {
		q.head = 0
		if len(q.rows) > 1024 { // give back the memory of a burst
			q.rows = nil
		}
	}
	return r, seq
}

// hasPair reports whether a TIME_WAIT row holds the socket pair
// (local port, remote address and port).
func (q *twQueue) hasPair(fam int, lport uint16, remote netip.AddrPort) bool {
	if q.perPort[fam][lport] == 0 {
		return false
	}
	ri, ok := q.addrIdx[remote.Addr()]
	if !ok {
		return false
	}
	for k := 0; k < q.n; k++ {
		r := q.at(k)
		if r.lport == lport && int(r.fam) == fam && r.rport == remote.Port() && r.raddr == ri {
			return true
		}
	}
	return false
}

// enterTimeWait records that the connection end so, which closed first, has
// received the peer's FIN: it enters TIME_WAIT for TcpTimedWaitDelay. With a
// delay of 0 the connection is over at once and no row is made.
func (e *Emulator) enterTimeWait(so *socket) {
	so.activeCloser = true
	if e.delay == 0 {
		so.conn = connClosed
		return
	}
	r := twRow{
		exp:   e.expiry(),
		lport: so.local.Port(), rport: so.remote.Port(),
		laddr: e.tw.intern(so.local.Addr()), raddr: e.tw.intern(so.remote.Addr()),
		fam: uint8(famIndex(so.af)),
	}
	if so.h != 0 {
		r.sock = so.slot + 1
	}
	so.twSeq = e.tw.push(r)
	so.conn = connTimeWait
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "FIN_WAIT2 -> TIME_WAIT",
			Args: so.local.String() + " -> " + so.remote.String()})
	}
}

// expireDue removes the rows whose time has come, each at its due time, and
// completes the TF_REUSE_SOCKET requests that waited for them.
func (e *Emulator) expireDue() {
	if e.tw.n == 0 {
		return
	}
	now := e.now()
	for e.tw.n > 0 && e.tw.rows[e.tw.head].exp <= now {
		r, seq := e.tw.pop()
		var so *socket
		if r.sock != 0 {
			if sl := &e.handles[r.sock-1]; sl.kind == kindSocket && sl.sock.twSeq == seq {
				so = sl.sock
			}
		}
		if e.tr != nil {
			var h spec.Socket
			if so != nil {
				h = so.h
			}
			e.tr.add(e, Event{Time: timeOf(r.exp), Kind: KindTransition, Socket: h, Call: "TCP",
				Result: "TIME_WAIT -> CLOSED",
				Args:   netip.AddrPortFrom(e.tw.addrs[r.laddr], r.lport).String() + " -> " + netip.AddrPortFrom(e.tw.addrs[r.raddr], r.rport).String()})
		}
		if so == nil {
			continue
		}
		so.conn = connClosed
		so.twSeq = 0
		if so.reusing {
			e.reuseDone(so, trTimeWaitExpires)
		}
	}
}

// timeOf keeps a trace stamp nonzero so tracer.add does not replace it.
func timeOf(t int64) time.Duration {
	if t == 0 {
		return 1
	}
	return time.Duration(t)
}

// tcpRows appends the TIME_WAIT rows to a TCP table listing.
func (q *twQueue) tcpRows(out []spec.TCPRow) []spec.TCPRow {
	for k := 0; k < q.n; k++ {
		r := q.at(k)
		out = append(out, spec.TCPRow{
			Local:  netip.AddrPortFrom(q.addrs[r.laddr], r.lport),
			Remote: netip.AddrPortFrom(q.addrs[r.raddr], r.rport),
			State:  spec.TCPTimeWait,
		})
	}
	return out
}
