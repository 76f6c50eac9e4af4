package reuse

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/spec"
)

// PoolConfig configures a Pool. The zero value is usable.
type PoolConfig struct {
	// Size is the most sockets the pool owns at once: connected, idle and
	// recycling. 0 means 8.
	Size int
	// TimeWait is how long a remote that closed first holds the socket
	// pair in TIME_WAIT. 0 means spec.DefaultTcpTimedWaitDelay (240 s,
	// Windows' default; a Linux peer holds 60 s).
	TimeWait time.Duration
	// Now is the backend's clock, the one its waits run on. nil means the
	// backend's own Now method when it has one (the emulator's, virtual
	// by default), else the monotonic clock. A wrapper around the emulator
	// hides its Now method: pass the emulator's Now here.
	Now func() time.Duration
}

// Pool is a client socket pool: DialContext connects a pooled socket with
// ConnectEx, and the net.Conn's Close recycles it with
// DisconnectEx(TF_REUSE_SOCKET) for the next DialContext.
//
// A socket reused after ConnectEx stays bound to its port and may only go
// to ConnectEx again (the reuse-target rule, DX-FLAG-REUSE-TARGET); the
// pool's sockets only ever do. A socket whose remote closed first leaves
// the pair (its port, that remote) in the remote's TIME_WAIT for TimeWait:
// the pool does not connect that socket to that remote again until the
// pair is free, and takes another socket, a fresh one while it has room,
// or waits (Stats.TimeWaitWaits). When the pool's side closed first,
// DisconnectEx itself completes only after the pool's TIME_WAIT
// (Stats.Recycling until then), and the pair is free when it does.
type Pool struct {
	a    spec.API
	port *overlapped.Port
	size int
	tw   time.Duration
	now  func() time.Duration

	mu        sync.Mutex
	cond      *sync.Cond // recycling or total changed (Close waits on it)
	idle      []*sock
	recycling map[*sock]struct{}
	total     int
	waiters   []spec.Handle // events of the DialContext calls that wait
	events    []spec.Handle // spare auto-reset events
	st        Stats
	closed    bool
	portDone  bool
}

// ErrClosed is the error of calls on a closed Pool or Listener.
var ErrClosed = net.ErrClosed

// NewPool returns a pool of sockets on api.
func NewPool(api spec.API, cfg PoolConfig) (*Pool, error) {
	if cfg.Size < 0 || cfg.TimeWait < 0 {
		return nil, errors.New("reuse: PoolConfig.Size and TimeWait must not be negative")
	}
	if cfg.Size == 0 {
		cfg.Size = 8
	}
	if cfg.TimeWait == 0 {
		cfg.TimeWait = spec.DefaultTcpTimedWaitDelay
	}
	if cfg.Now == nil {
		cfg.Now = clockOf(api)
	}
	port, err := overlapped.NewPort(api)
	if err != nil {
		return nil, err
	}
	p := &Pool{a: api, port: port, size: cfg.Size, tw: cfg.TimeWait, now: cfg.Now,
		recycling: make(map[*sock]struct{})}
	p.cond = sync.NewCond(&p.mu)
	return p, nil
}

func clockOf(api spec.API) func() time.Duration {
	if c, ok := api.(interface{ Now() time.Duration }); ok {
		return c.Now
	}
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

func (p *Pool) api() spec.API { return p.a }

// Stats returns the pool's statistics.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.st
	st.Idle = len(p.idle)
	st.Recycling = len(p.recycling)
	st.InUse = p.total - st.Idle - st.Recycling
	return st
}

func family(a netip.Addr) int {
	if a.Is4() {
		return spec.AF_INET
	}
	return spec.AF_INET6
}

func (sk *sock) af() int { return sk.family }

// pairFree reports whether sk may connect to remote at now, dropping the
// blocks that have ended.
func (sk *sock) pairFree(remote netip.AddrPort, now time.Duration) (bool, time.Duration) {
	free, until := true, time.Duration(0)
	keep := sk.blocked[:0]
	for _, b := range sk.blocked {
		if b.until <= now {
			continue
		}
		keep = append(keep, b)
		if b.remote == remote {
			free, until = false, b.until
		}
	}
	clear(sk.blocked[len(keep):])
	sk.blocked = keep
	return free, until
}

// DialContext connects to remote with a pooled socket. It waits while the
// pool is full and no idle socket may connect to remote; ctx ends the
// wait and cancels a ConnectEx in progress.
func (p *Pool) DialContext(ctx context.Context, remote netip.AddrPort) (net.Conn, error) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(remote), Err: err}
	}
	for {
		sk, fresh, err := p.take(ctx, remote)
		if err != nil {
			return nil, opErr(err)
		}
		c, err := p.connect(ctx, sk, remote)
		if err == nil {
			if sk.uses > 1 {
				p.mu.Lock()
				p.st.Reused++
				p.mu.Unlock()
			}
			return c, nil
		}
		if sk.uses > 0 && (errors.Is(err, spec.WSAEISCONN) || errors.Is(err, spec.WSAEINVAL)) {
			// The backend did not make the socket reusable (Wine ignores
			// TF_REUSE_SOCKET): replace it by a fresh one.
			p.mu.Lock()
			p.st.ReuseFailed++
			p.dropLocked(sk)
			p.mu.Unlock()
			continue
		}
		p.mu.Lock()
		if !fresh && errors.Is(err, spec.WSAEADDRINUSE) && !p.closed {
			// The pair is in a TIME_WAIT the pool did not know of: keep
			// the socket off that remote for a TIME_WAIT and try again.
			sk.blocked = append(sk.blocked, block{remote: remote, until: p.now() + p.tw})
			p.st.TimeWaitConflicts++
			p.idle = append(p.idle, sk)
			p.mu.Unlock()
			continue
		}
		p.st.ConnectFailed++
		if retryable(err) && !p.closed {
			p.idle = append(p.idle, sk) // still bound and unconnected
			p.wakeLocked()
		} else {
			p.dropLocked(sk)
		}
		p.mu.Unlock()
		return nil, opErr(err)
	}
}

// retryable reports whether a failed ConnectEx left its socket fit for
// another: Microsoft's connect page (Remarks) lets an application call
// connect again on the same socket after WSAECONNREFUSED, WSAENETUNREACH
// or WSAETIMEDOUT. The Win32 faces (GetOverlappedResult's) are the same
// failures; the request either pended and completed so, or failed at once.
// WSAEHOSTUNREACH is taken as the same kind of failure as WSAENETUNREACH
// (an inference: the page does not list it).
func retryable(err error) bool {
	for _, e := range []spec.Errno{
		spec.ERROR_CONNECTION_REFUSED, spec.WSAECONNREFUSED,
		spec.ERROR_NETWORK_UNREACHABLE, spec.WSAENETUNREACH,
		spec.ERROR_HOST_UNREACHABLE, spec.WSAEHOSTUNREACH,
		spec.ERROR_SEM_TIMEOUT, spec.WSAETIMEDOUT,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// take finds a socket for remote: an idle one whose pair with remote is
// free, else a fresh one while the pool has room, else it waits.
func (p *Pool) take(ctx context.Context, remote netip.AddrPort) (*sock, bool, error) {
	af := family(remote.Addr())
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.closed {
			return nil, false, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		now := p.now()
		wait, blocked := spec.Infinite, false
		other := -1
		for i := len(p.idle) - 1; i >= 0; i-- {
			sk := p.idle[i]
			if sk.af() != af {
				other = i
				continue
			}
			free, until := sk.pairFree(remote, now)
			if free {
				p.idle = append(p.idle[:i], p.idle[i+1:]...)
				return sk, false, nil
			}
			if d := until - now; !blocked || d < wait {
				wait, blocked = d, true
			}
		}
		if p.total >= p.size && other >= 0 {
			// Full of idle sockets of the other family: close one.
			sk := p.idle[other]
			p.idle = append(p.idle[:other], p.idle[other+1:]...)
			p.dropLocked(sk)
		}
		if p.total < p.size {
			p.total++
			sk, err := p.fresh(af)
			if err != nil {
				p.total--
				p.cond.Broadcast()
				return nil, false, err
			}
			p.st.Fresh++
			return sk, true, nil
		}
		if blocked {
			p.st.TimeWaitWaits++
		}
		if err := p.waitLocked(ctx, wait); err != nil {
			return nil, false, err
		}
	}
}

// fresh makes a bound socket for ConnectEx.
func (p *Pool) fresh(af int) (*sock, error) {
	sk, err := newSock(p, p.port, af)
	if err != nil {
		return nil, err
	}
	any := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	if af == spec.AF_INET6 {
		any = netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
	}
	if err := p.a.Bind(sk.s, any); err != nil {
		sk.free(p.a)
		return nil, err
	}
	return sk, nil
}

// waitLocked waits, with p.mu released, until a socket comes back, d
// passes in the backend's time, or ctx ends.
func (p *Pool) waitLocked(ctx context.Context, d time.Duration) error {
	var ev spec.Handle
	if n := len(p.events); n > 0 {
		ev, p.events = p.events[n-1], p.events[:n-1]
	} else {
		var err error
		if ev, err = p.a.CreateEvent(false, false); err != nil {
			return err
		}
	}
	p.waiters = append(p.waiters, ev)
	p.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = p.a.SetEvent(ev) })
	err := p.a.WaitForSingleObject(ev, d)
	stop()
	p.mu.Lock()
	for i, w := range p.waiters {
		if w == ev {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			break
		}
	}
	// A late signal (from ctx or a release) only wakes the next user of
	// the event once, who looks again.
	if p.portDone {
		_ = p.a.CloseHandle(ev)
	} else {
		p.events = append(p.events, ev)
	}
	if err != nil && !errors.Is(err, spec.WAIT_TIMEOUT) {
		return err
	}
	return ctx.Err()
}

func (p *Pool) wakeLocked() {
	for _, ev := range p.waiters {
		_ = p.a.SetEvent(ev)
	}
}

func (p *Pool) connect(ctx context.Context, sk *sock, remote netip.AddrPort) (*conn, error) {
	sk.phase.Store(phaseConnect)
	if err := sk.ctl.ConnectEx(sk.s, remote); err != nil {
		sk.phase.Store(phaseIdle)
		return nil, err
	}
	var r overlapped.Result
	select {
	case r = <-sk.ctlRes:
	case <-ctx.Done():
		_ = sk.ctl.Cancel()
		r = <-sk.ctlRes
		if r.Err != nil {
			r.Err = errors.Join(ctx.Err(), r.Err)
		}
	}
	if r.Err != nil {
		return nil, r.Err
	}
	if err := p.a.UpdateConnectContext(sk.s); err != nil {
		return nil, err
	}
	local, err := p.a.Getsockname(sk.s)
	if err != nil {
		return nil, err
	}
	sk.uses++
	sk.local = local
	return newConn(p, sk, local, remote), nil
}

// release recycles the socket of a closed connection.
func (p *Pool) release(sk *sock, remote netip.AddrPort, peerFirst bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.dropLocked(sk)
		return
	}
	sk.last, sk.peerFirst = remote, peerFirst
	p.recycling[sk] = struct{}{}
	sk.phase.Store(phaseDisconnect)
	if err := sk.ctl.DisconnectEx(sk.s, spec.TF_REUSE_SOCKET); err != nil {
		sk.phase.Store(phaseIdle)
		delete(p.recycling, sk)
		p.st.RecycleFailed++
		p.dropLocked(sk)
	}
}

// control takes the packet of a recycling DisconnectEx.
func (p *Pool) control(sk *sock, phase uint32, r overlapped.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.recycling, sk)
	p.cond.Broadcast()
	if r.Err != nil || p.closed {
		if r.Err != nil {
			p.st.RecycleFailed++
		}
		p.dropLocked(sk)
		return
	}
	if sk.stillConnected(p.a) {
		p.st.ReuseFailed++
		p.dropLocked(sk)
		return
	}
	if sk.peerFirst || p.ownTimeWait(sk) {
		// The remote closed first: it holds the pair in TIME_WAIT from
		// now, when our FIN has reached it. Or this side did, and its
		// DisconnectEx completed while its own TIME_WAIT row still holds
		// the pair (Windows may complete it after the graceful close:
		// emulator variant DX-FLAG-TIMEWAIT=after-close).
		sk.blocked = append(sk.blocked, block{remote: sk.last, until: p.now() + p.tw})
	}
	p.idle = append(p.idle, sk)
	p.wakeLocked()
}

// ownTimeWait reports whether the TCP table holds a TIME_WAIT row for the
// pair of sk's last connection.
func (p *Pool) ownTimeWait(sk *sock) bool {
	if !sk.local.IsValid() {
		return false
	}
	rows, err := p.a.TCPTable()
	if err != nil {
		return true // cannot tell: assume the pair is held
	}
	for _, r := range rows {
		if r.State == spec.TCPTimeWait && r.Remote == sk.last && r.Local.Port() == sk.local.Port() {
			return true
		}
	}
	return false
}

// dropLocked closes a socket the pool owns.
func (p *Pool) dropLocked(sk *sock) {
	sk.free(p.a)
	p.total--
	p.st.Closed++
	p.cond.Broadcast()
	p.wakeLocked()
	if p.closed && p.total == 0 && !p.portDone {
		p.portDone = true
		go p.closePort() // may run on the port's own loop
	}
}

func (p *Pool) closePort() {
	_ = p.port.Close()
	p.mu.Lock()
	evs := p.events
	p.events = nil
	p.mu.Unlock()
	for _, ev := range evs {
		_ = p.a.CloseHandle(ev)
	}
}

// Close closes the idle sockets, cancels the recycling ones and makes
// DialContext fail with ErrClosed. Connections in use stay usable; their
// Close closes their sockets.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.closed = true
	p.wakeLocked()
	for _, sk := range p.idle {
		p.dropLocked(sk)
	}
	p.idle = nil
	for sk := range p.recycling {
		_ = sk.ctl.Cancel()
	}
	for len(p.recycling) > 0 {
		p.cond.Wait()
	}
	if p.total == 0 && !p.portDone {
		p.portDone = true
		p.mu.Unlock()
		p.closePort()
		p.mu.Lock()
	}
	return nil
}
