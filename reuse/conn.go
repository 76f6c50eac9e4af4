package reuse

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/spec"
)

// sock is one socket handle of a Pool or Listener with its OVERLAPPEDs,
// kept for the socket's whole life, across reuse. rd and wr carry the
// receives and sends of the connection on it; ctl carries ConnectEx,
// AcceptEx and DisconnectEx, whose packets go to the owner.
type sock struct {
	s      spec.Socket
	rd, wr *overlapped.Op
	ctl    *overlapped.Op
	ctlRes chan overlapped.Result // ctl's result, for the calls someone waits on
	phase  atomic.Uint32          // what ctl carries now
	uses   int                    // connections made on the socket
	family int

	local     netip.AddrPort // the local address of the last connection
	last      netip.AddrPort // the remote of the last connection
	peerFirst bool           // whether that remote closed first

	// Pool: the remotes its port may not reconnect to yet, because the
	// remote closed first and holds the pair in TIME_WAIT.
	blocked []block
}

const (
	phaseIdle uint32 = iota
	phaseConnect
	phaseAccept
	phaseDisconnect
)

type block struct {
	remote netip.AddrPort
	until  time.Duration // backend time
}

// owner is what a sock belongs to: the Pool or the Listener.
type owner interface {
	api() spec.API
	// control receives ctl's packet for the asynchronous phases.
	control(sk *sock, phase uint32, r overlapped.Result)
	// release takes back a connection's socket: peerFirst reports that the
	// peer had closed first (its FIN was in).
	release(sk *sock, remote netip.AddrPort, peerFirst bool)
}

func newSock(o owner, port *overlapped.Port, af int) (*sock, error) {
	api := o.api()
	s, err := api.Socket(af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return nil, err
	}
	sk := &sock{s: s, family: af, ctlRes: make(chan overlapped.Result, 1)}
	fail := func(err error) (*sock, error) {
		sk.free(api)
		return nil, err
	}
	if err := port.Associate(s); err != nil {
		return fail(err)
	}
	if sk.rd, err = port.NewOp(nil); err != nil {
		return fail(err)
	}
	if sk.wr, err = port.NewOp(nil); err != nil {
		return fail(err)
	}
	sk.ctl, err = port.NewOp(func(r overlapped.Result) {
		ph := sk.phase.Swap(phaseIdle)
		switch ph {
		case phaseConnect:
			sk.ctlRes <- r
		default:
			o.control(sk, ph, r)
		}
	})
	if err != nil {
		return fail(err)
	}
	return sk, nil
}

// free closes the socket (canceling what is pending) and frees the
// OVERLAPPEDs. An OVERLAPPED whose request still runs after closesocket
// is left to the backend (it reports it from FreeOverlapped).
func (sk *sock) free(api spec.API) {
	_ = api.Closesocket(sk.s)
	for _, op := range []*overlapped.Op{sk.rd, sk.wr, sk.ctl} {
		if op != nil {
			_ = op.Close()
		}
	}
}

// stillConnected reports whether sk still holds its last connection
// after its DisconnectEx(TF_REUSE_SOCKET) completed, that is whether the
// backend failed to prepare it for reuse; the owner then closes it and
// makes a fresh one, counted in Stats.ReuseFailed. The probe is a
// zero-byte send, which transmits nothing. On a socket Windows made
// reusable a send fails WSAENOTCONN (conformance case
// params/reuse-flag-disconnects sends one byte; that a zero-byte send
// fails the same way is an inference, true of the emulator). It succeeds
// on a socket still connected, and fails WSAESHUTDOWN on one still in its
// last connection's shutdown; only those two count, so a backend that
// fails it any other way keeps reusing, and one that wrongly let it
// succeed would show every recycle in Stats.ReuseFailed.
//
// Wine 8.0 is the backend this catches: it ignores the flag and only shuts
// down the sending side. Its ConnectEx then fails WSAEISCONN, but its
// AcceptEx accepts into such a socket without resetting its shutdown state
// (Wine server/sock.c, accept_into_socket, keeps wr_shutdown and hangup),
// so a receive on the new connection never completes (sock_get_poll_events
// polls nothing for a connected socket with both) and a send fails
// (DECL_HANDLER(send_socket): STATUS_PIPE_DISCONNECTED). And the pool
// would keep such a socket off its remote for the TIME_WAIT that Linux
// shows in the TCP table. getpeername cannot tell: once both FINs have
// passed, Linux reports ENOTCONN for the socket that Wine still counts
// as connected.
func (sk *sock) stillConnected(api spec.API) bool {
	_, err := api.Send(sk.s, nil)
	return err == nil || errors.Is(err, spec.WSAESHUTDOWN)
}

// conn is a net.Conn over one connection of a sock. A new conn is made
// for every connection, so a net.Conn kept after Close never reaches the
// socket's next connection.
type conn struct {
	o             owner
	sk            *sock
	local, remote netip.AddrPort

	rmu, wmu sync.Mutex
	rdl, wdl deadline
	closing  chan struct{}
	closed   atomic.Bool
	eof      atomic.Bool // a receive returned the peer's FIN
}

func newConn(o owner, sk *sock, local, remote netip.AddrPort) *conn {
	return &conn{o: o, sk: sk, local: local, remote: remote,
		rdl: newDeadline(), wdl: newDeadline(), closing: make(chan struct{})}
}

func (c *conn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: net.TCPAddrFromAddrPort(c.local),
		Addr: net.TCPAddrFromAddrPort(c.remote), Err: err}
}

// wait waits for op's result; a deadline or Close cancels the request
// and still waits for its packet, so b is free again when wait returns.
func (c *conn) wait(op *overlapped.Op, dl *deadline) (uint32, error) {
	var why error
	select {
	case r := <-op.Done():
		return r.Bytes, r.Err
	case <-dl.wait():
		why = os.ErrDeadlineExceeded
	case <-c.closing:
		why = net.ErrClosed
	}
	_ = op.Cancel()
	r := <-op.Done()
	if r.Err == nil {
		return r.Bytes, nil // it completed before the cancel reached it
	}
	if errors.Is(r.Err, spec.ERROR_OPERATION_ABORTED) {
		return r.Bytes, why
	}
	return r.Bytes, r.Err
}

func (c *conn) Read(b []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	switch {
	case c.closed.Load():
		return 0, c.opErr("read", net.ErrClosed)
	case c.rdl.expired():
		return 0, c.opErr("read", os.ErrDeadlineExceeded)
	case c.eof.Load():
		return 0, io.EOF
	case len(b) == 0:
		return 0, nil
	}
	if err := c.sk.rd.WSARecv(c.sk.s, b); err != nil {
		return 0, c.opErr("read", err)
	}
	n, err := c.wait(c.sk.rd, &c.rdl)
	if err != nil {
		return int(n), c.opErr("read", err)
	}
	if n == 0 {
		c.eof.Store(true)
		return 0, io.EOF
	}
	return int(n), nil
}

func (c *conn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	done := 0
	for {
		switch {
		case c.closed.Load():
			return done, c.opErr("write", net.ErrClosed)
		case c.wdl.expired():
			return done, c.opErr("write", os.ErrDeadlineExceeded)
		case done == len(b):
			return done, nil
		}
		if err := c.sk.wr.WSASend(c.sk.s, b[done:]); err != nil {
			return done, c.opErr("write", err)
		}
		n, err := c.wait(c.sk.wr, &c.wdl)
		done += int(n)
		if err != nil {
			return done, c.opErr("write", err)
		}
	}
}

// Close ends the connection and gives the socket back for reuse: pending
// reads and writes end with net.ErrClosed, then the owner disconnects it
// with DisconnectEx(TF_REUSE_SOCKET). Close does not wait for the
// disconnect, which may last a TIME_WAIT.
func (c *conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return c.opErr("close", net.ErrClosed)
	}
	close(c.closing)
	c.rmu.Lock() // the reader and the writer are out
	c.wmu.Lock()
	c.rdl.stop()
	c.wdl.stop()
	peerFirst := c.eof.Load() || c.finIn()
	c.o.release(c.sk, c.remote, peerFirst)
	c.wmu.Unlock()
	c.rmu.Unlock()
	return nil
}

// finIn reports whether the peer's FIN has arrived unread (WSAPoll
// reports POLLHUP).
func (c *conn) finIn() bool {
	r, err := c.o.api().Poll(c.sk.s, spec.POLLRDNORM, 0)
	return err == nil && r&spec.POLLHUP != 0
}

func (c *conn) LocalAddr() net.Addr  { return net.TCPAddrFromAddrPort(c.local) }
func (c *conn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

func (c *conn) SetDeadline(t time.Time) error {
	c.rdl.set(t)
	c.wdl.set(t)
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error  { c.rdl.set(t); return nil }
func (c *conn) SetWriteDeadline(t time.Time) error { c.wdl.set(t); return nil }
