package reuse

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"

	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/spec"
)

// ListenConfig configures a Listener. The zero value is usable.
type ListenConfig struct {
	// Backlog is listen's backlog. 0 means 128.
	Backlog int
	// Accepts is how many connections the listener keeps ready: AcceptEx
	// requests outstanding plus accepted connections that Accept has not
	// returned yet. 0 means 8.
	Accepts int
	// MaxIdle is how many recycled sockets the listener keeps beyond
	// those. 0 means 64; more are closed.
	MaxIdle int
	// MaxSockets bounds the sockets the listener owns (accepting, in use,
	// recycling, idle). At the bound it waits for a recycled socket
	// instead of creating one, with fewer than Accepts requests
	// outstanding meanwhile. 0 means no bound.
	MaxSockets int
}

// Listener is a net.Listener that accepts with AcceptEx, keeping Accepts
// requests outstanding, and recycles each accepted socket with
// DisconnectEx(TF_REUSE_SOCKET) when its net.Conn is closed, for a later
// AcceptEx. A socket reused after an accepted connection is neither bound
// nor connected and may only go to AcceptEx (DX-FLAG-REUSE-TARGET): the
// listener's sockets only ever do.
//
// AcceptEx is issued on the listening socket, so its completion comes
// through the listener's association with the completion port (see
// package overlapped).
type Listener struct {
	a       spec.API
	port    *overlapped.Port
	l       spec.Socket
	addr    netip.AddrPort
	af      int
	accepts int
	maxIdle int
	maxSock int

	ready chan *conn    // accepted, not yet returned by Accept
	done  chan struct{} // closed by Close

	mu          sync.Mutex
	cond        *sync.Cond
	free        []*sock
	outstanding map[*sock]struct{} // carrying an AcceptEx
	recycling   map[*sock]struct{}
	queued      int // len(ready), counted under mu
	inUse       int
	total       int // sockets owned
	st          Stats
	err         error // why the listener could not keep its requests up
	closed      bool
	portDone    bool
}

// Listen creates a listening socket bound to addr and starts accepting.
func Listen(api spec.API, addr netip.AddrPort, cfg ListenConfig) (*Listener, error) {
	if cfg.Backlog < 0 || cfg.Accepts < 0 || cfg.MaxIdle < 0 || cfg.MaxSockets < 0 {
		return nil, errors.New("reuse: ListenConfig values must not be negative")
	}
	if cfg.Backlog == 0 {
		cfg.Backlog = 128
	}
	if cfg.Accepts == 0 {
		cfg.Accepts = 8
	}
	if cfg.MaxIdle == 0 {
		cfg.MaxIdle = 64
	}
	af := family(addr.Addr())
	s, err := api.Socket(af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Listener, error) {
		_ = api.Closesocket(s)
		return nil, err
	}
	if err := api.Bind(s, addr); err != nil {
		return fail(err)
	}
	if err := api.Listen(s, cfg.Backlog); err != nil {
		return fail(err)
	}
	bound, err := api.Getsockname(s)
	if err != nil {
		return fail(err)
	}
	port, err := overlapped.NewPort(api)
	if err != nil {
		return fail(err)
	}
	if err := port.Associate(s); err != nil {
		_ = port.Close()
		return fail(err)
	}
	l := &Listener{a: api, port: port, l: s, addr: bound, af: af, accepts: cfg.Accepts, maxIdle: cfg.MaxIdle, maxSock: cfg.MaxSockets,
		ready: make(chan *conn, cfg.Accepts), done: make(chan struct{}),
		outstanding: make(map[*sock]struct{}), recycling: make(map[*sock]struct{})}
	l.cond = sync.NewCond(&l.mu)
	l.mu.Lock()
	l.fillLocked()
	err = l.err
	l.mu.Unlock()
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Listener) api() spec.API { return l.a }

// Addr returns the listening address.
func (l *Listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// AddrPort returns the listening address.
func (l *Listener) AddrPort() netip.AddrPort { return l.addr }

// Stats returns the listener's statistics.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.st
	st.Idle = len(l.free)
	st.Accepting = len(l.outstanding)
	st.Recycling = len(l.recycling)
	st.InUse = l.inUse + l.queued
	return st
}

// fillLocked posts AcceptEx requests until Accepts connections are
// outstanding or waiting for Accept, with recycled sockets first.
func (l *Listener) fillLocked() {
	for !l.closed && len(l.outstanding)+l.queued < l.accepts {
		var sk *sock
		reused := false
		if n := len(l.free); n > 0 {
			sk, l.free = l.free[n-1], l.free[:n-1]
			reused = true
		} else {
			if l.maxSock > 0 && l.total >= l.maxSock {
				return // at the bound: a recycled socket will refill
			}
			var err error
			if sk, err = newSock(l, l.port, l.af); err != nil {
				l.err = err
				return
			}
			l.total++
			l.st.Fresh++
		}
		sk.phase.Store(phaseAccept)
		l.outstanding[sk] = struct{}{}
		if err := sk.ctl.AcceptEx(l.l, sk.s); err != nil {
			sk.phase.Store(phaseIdle)
			delete(l.outstanding, sk)
			l.dropLocked(sk)
			if reused {
				// The backend did not make the socket reusable (Wine
				// ignores TF_REUSE_SOCKET): use a fresh one.
				l.st.ReuseFailed++
				continue
			}
			l.err = err
			return
		}
	}
}

// control takes the packets of AcceptEx and of recycling DisconnectEx.
func (l *Listener) control(sk *sock, phase uint32, r overlapped.Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.cond.Broadcast()
	switch phase {
	case phaseAccept:
		delete(l.outstanding, sk)
		if r.Err != nil || l.closed {
			if r.Err != nil && !l.closed {
				l.st.AcceptFailed++ // aborted, or reset before it was accepted
			}
			l.dropLocked(sk) // (Close cancels the requests too)
			l.fillLocked()
			return
		}
		c, err := l.accepted(sk)
		if err != nil {
			l.dropLocked(sk)
			l.fillLocked()
			return
		}
		if sk.uses > 1 {
			l.st.Reused++
		}
		l.queued++
		l.ready <- c // room: queued + outstanding <= accepts = cap(ready)
	case phaseDisconnect:
		delete(l.recycling, sk)
		switch {
		case r.Err != nil || l.closed:
			if r.Err != nil {
				l.st.RecycleFailed++
			}
			l.dropLocked(sk)
			l.fillLocked() // at MaxSockets, the dropped socket's room refills
		case sk.stillConnected(l.a):
			l.st.ReuseFailed++
			l.dropLocked(sk)
			l.fillLocked()
		case len(l.free) < l.maxIdle:
			l.free = append(l.free, sk)
			l.fillLocked()
		default:
			l.dropLocked(sk)
			l.fillLocked()
		}
	}
}

func (l *Listener) accepted(sk *sock) (*conn, error) {
	if err := l.a.UpdateAcceptContext(sk.s, l.l); err != nil {
		return nil, err
	}
	local, err := l.a.Getsockname(sk.s)
	if err != nil {
		return nil, err
	}
	remote, err := l.a.Getpeername(sk.s)
	if err != nil {
		return nil, err
	}
	sk.uses++
	return newConn(l, sk, local, remote), nil
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) { return l.AcceptContext(context.Background()) }

// AcceptContext waits for the next connection until ctx ends.
func (l *Listener) AcceptContext(ctx context.Context) (net.Conn, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: err}
	}
	select {
	case c := <-l.ready:
		l.mu.Lock()
		defer l.mu.Unlock()
		l.queued--
		l.cond.Broadcast()
		if l.closed {
			l.dropLocked(c.sk)
			return nil, opErr(ErrClosed)
		}
		l.inUse++
		l.fillLocked()
		return c, nil
	case <-l.done:
		return nil, opErr(ErrClosed)
	case <-ctx.Done():
		return nil, opErr(ctx.Err())
	}
}

// release recycles the socket of a closed connection.
func (l *Listener) release(sk *sock, remote netip.AddrPort, peerFirst bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inUse--
	if l.closed {
		l.dropLocked(sk)
		return
	}
	l.recycling[sk] = struct{}{}
	sk.phase.Store(phaseDisconnect)
	if err := sk.ctl.DisconnectEx(sk.s, spec.TF_REUSE_SOCKET); err != nil {
		sk.phase.Store(phaseIdle)
		delete(l.recycling, sk)
		l.st.RecycleFailed++
		l.dropLocked(sk)
		l.fillLocked()
	}
}

func (l *Listener) dropLocked(sk *sock) {
	sk.free(l.a)
	l.total--
	l.st.Closed++
	l.cond.Broadcast()
	l.maybeClosePortLocked()
}

func (l *Listener) maybeClosePortLocked() {
	if l.closed && !l.portDone && l.inUse == 0 && l.queued == 0 &&
		len(l.outstanding) == 0 && len(l.recycling) == 0 {
		l.portDone = true
		go l.port.Close() // may run on the port's own loop
	}
}

// Close closes the listening socket (canceling the outstanding AcceptEx
// requests), the recycled sockets and the accepted connections Accept has
// not returned, and cancels the recycling ones. Connections in use stay
// usable; their Close closes their sockets.
func (l *Listener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	l.closed = true
	close(l.done)
	err := l.a.Closesocket(l.l) // cancels the AcceptEx requests
	for _, sk := range l.free {
		l.dropLocked(sk)
	}
	l.free = nil
	for sk := range l.recycling {
		_ = sk.ctl.Cancel()
	}
	for len(l.outstanding) > 0 || len(l.recycling) > 0 {
		l.cond.Wait()
	}
	for l.queued > 0 {
		select {
		case c := <-l.ready:
			l.queued--
			l.dropLocked(c.sk)
		default:
			l.cond.Wait() // an AcceptContext took one and will drop it
		}
	}
	l.maybeClosePortLocked()
	return err
}
