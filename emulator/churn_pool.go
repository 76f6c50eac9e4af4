package emulator

import (
	"errors"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// The churn simulation's reuse pool: sockets reused with
// DisconnectEx(TF_REUSE_SOCKET) and ConnectEx, kept in a slice and two
// FIFO queues of indices (idle, and busy waiting for their reuse).

// attemptReuse takes a reusable socket of the pool (a new one while the
// pool is not full), connects it with ConnectEx and recycles it with
// DisconnectEx(TF_REUSE_SOCKET). A socket whose pair to the server is
// still in TIME_WAIT (WSAEADDRINUSE) goes to the back of the idle queue
// and the next one is tried, as a pool keeps a socket off a remote it
// cannot reach yet.
func (s *churnSim) attemptReuse(l spec.Socket, addr netip.AddrPort) string {
	e := s.e
	t := e.view.t
	for s.busy.len() > 0 {
		so := e.sock(s.pool[s.busy.front()].s)
		if so == nil || so.reusing {
			break
		}
		s.idle.push(s.busy.pop())
	}
	last := "pool exhausted"
	failed := false
	// Each idle socket is tried once, and a new one while the pool may
	// grow: a failed attempt leaves the idle queue in its order.
	tries := s.idle.len()
	if len(s.pool) < s.w.Reuse {
		tries++
	}
	for ; tries > 0; tries-- {
		s.modelRuns++ // each socket tried costs a connection's work (ModelLimit)
		var i int32
		switch {
		case s.idle.len() > 0 && !(failed && len(s.pool) < s.w.Reuse):
			i = s.idle.pop()
		case len(s.pool) < s.w.Reuse:
			c, name := s.poolSocket()
			if name != "" {
				return name
			}
			// MaxChurnPool leaves room for both OVERLAPPEDs; if they
			// cannot be made anyway, nothing is kept and the pool does
			// not grow.
			o1, err1 := e.newOverlapped(0)
			o2, err2 := e.newOverlapped(0)
			if err1 != nil || err2 != nil {
				if err1 == nil {
					_ = e.freeOverlapped(o1)
				}
				e.closeSocket(e.sock(c))
				return "ERROR_NOT_ENOUGH_MEMORY"
			}
			i = int32(len(s.pool))
			s.pool = append(s.pool, pooled{c, [2]spec.Overlapped{o1, o2}})
		default:
			return last
		}
		p := &s.pool[i]
		c := p.s
		err := e.connectEx(t, c, addr, p.ov[0])
		if err == spec.ERROR_IO_PENDING {
			_, err = e.getOverlappedResult(spec.Handle(c), p.ov[0], false)
		}
		if err != nil {
			s.idle.push(i) // still reusable: this attempt failed
			last = spec.ErrorName(err)
			if errors.Is(err, spec.WSAEADDRINUSE) {
				failed = true
				continue
			}
			return last
		}
		srv, _, err := e.accept(l)
		if err != nil {
			// Not seen on loopback (the connect has just been queued on
			// this listener). The socket's connection will never be
			// served, so it is closed and replaced in its slot; if no
			// socket can be made now, the slot stays out of the queues
			// and the pool is one socket smaller.
			e.closeSocket(e.sock(c))
			if nc, name := s.poolSocket(); name == "" {
				p.s = nc
				s.idle.push(i)
			}
			return spec.ErrorName(err)
		}
		if s.w.CloserServer {
			e.closeSocket(e.sock(srv))
			_ = e.disconnectEx(t, c, p.ov[1], spec.TF_REUSE_SOCKET, 0)
		} else {
			_ = e.disconnectEx(t, c, p.ov[1], spec.TF_REUSE_SOCKET, 0)
			e.closeSocket(e.sock(srv))
		}
		if so := e.sock(c); so != nil && !so.reusing {
			s.idle.push(i)
		} else {
			s.busy.push(i)
		}
		return ""
	}
	return last
}

// poolSocket makes a socket for the pool, bound to the client address;
// on failure it returns the error's name.
func (s *churnSim) poolSocket() (spec.Socket, string) {
	e := s.e
	c, err := e.socketCall(s.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return 0, spec.ErrorName(err)
	}
	if err := errOf(e.bind(e.sock(c), netip.AddrPortFrom(s.w.Client, 0))); err != nil {
		e.closeSocket(e.sock(c))
		return 0, spec.ErrorName(err)
	}
	return c, ""
}

// pooled is a socket of the reuse pool and its two OVERLAPPEDs (ConnectEx,
// DisconnectEx).
type pooled struct {
	s  spec.Socket
	ov [2]spec.Overlapped
}

// queue is a FIFO of pool indices that reuses its storage: a pop and a
// push a connection, the usual rhythm of a pool, allocate nothing once it
// has grown; a push into full storage first moves the live part down when
// at least half of it has been popped. Its storage stays within a small
// multiple of the most indices it has held at once, at most the pool's
// size.
type queue struct {
	q    []int32
	head int
}

func (f *queue) len() int     { return len(f.q) - f.head }
func (f *queue) front() int32 { return f.q[f.head] }

func (f *queue) pop() int32 {
	i := f.q[f.head]
	f.head++
	if f.head == len(f.q) {
		f.q, f.head = f.q[:0], 0
	}
	return i
}

func (f *queue) push(i int32) {
	if len(f.q) == cap(f.q) && f.head > 0 && 2*f.head >= len(f.q) {
		n := copy(f.q, f.q[f.head:])
		f.q, f.head = f.q[:n], 0
	}
	f.q = append(f.q, i)
}
