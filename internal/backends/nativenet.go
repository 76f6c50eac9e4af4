package backends

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/spec"
)

// The native backend's RemoteHosts capability: stand-ins on the machine
// itself for the emulator's remote hosts, made through the backend's own
// spec.API. What the machine cannot produce, RemoteHost refuses, and the
// conformance case skips naming the capability.
//
//   - refuses: a loopback port bound by a socket that does not listen, so
//     the SYN meets an RST.
//   - never-closes: a loopback listener that never accepts: its queued
//     connections are established in the kernel and never send a FIN.
//   - drops-syn: a loopback listener whose accept queue is full. Linux (so
//     Wine) drops a SYN for a full queue and the client keeps
//     retransmitting; Windows answers it with an RST, so there the stand-in
//     is refused. Whether the queue drops is checked once per process: a
//     ConnectEx into it must still be pending after dropCheck.
//   - net-unreachable, host-unreachable: what a ConnectEx to 203.0.113.1
//     (TEST-NET-3, RFC 5737), then to [2001:db8::1] (RFC 3849), gives on
//     this machine, probed once per process for probeWait: a machine with
//     no route there fails it with WSAENETUNREACH at once; one with a route
//     leaves it pending (or, behind a proxy, connects), and then neither
//     behaviour is available at that address. Last comes 224.0.0.1: Linux
//     (so Wine) gives no TCP route to a multicast address and fails the
//     connect with ENETUNREACH (WSAENETUNREACH) on any machine.
//   - accepts: not produced (it would need an echo server on a thread).

// netAPI is a native API with RemoteHost.
type netAPI struct {
	native.API
	mk   sync.Mutex // held while RemoteHost makes a stand-in: one per behaviour
	mu   sync.Mutex
	keep []spec.Socket // the stand-ins' sockets, closed by Close
	made map[spec.HostBehavior]netip.AddrPort
}

func withRemoteHosts(api native.API) *netAPI {
	return &netAPI{API: api, made: map[spec.HostBehavior]netip.AddrPort{}}
}

// Close closes the stand-ins' sockets, then the backend.
func (n *netAPI) Close() error {
	n.mu.Lock()
	keep := n.keep
	n.keep = nil
	n.mu.Unlock()
	for _, s := range keep {
		n.API.Closesocket(s)
	}
	return n.API.Close()
}

const (
	dropCheck = 2500 * time.Millisecond // longer than Windows' retries of a refused loopback SYN
	dropQuick = 300 * time.Millisecond  // once the queue is known to drop
	probeWait = time.Second
	fillMax   = 8 // connections tried before giving up on filling the queue
)

var (
	// The verdict of the first full-queue check, for the whole process: the
	// first check waits dropCheck; once it found the queue dropping SYNs,
	// later ones wait dropQuick, and once it found a refusal, later ones
	// give that refusal without probing (a short probe could mistake
	// Windows' retries of a refused SYN for a drop).
	dropsMu    sync.Mutex
	dropsKnown bool
	dropsErr   error

	probeOnce  sync.Once
	probeAddrs = []netip.AddrPort{ // TEST-NET-3 (RFC 5737), the IPv6 documentation prefix (RFC 3849), a multicast group
		netip.MustParseAddrPort("203.0.113.1:80"), netip.MustParseAddrPort("[2001:db8::1]:80"), netip.MustParseAddrPort("224.0.0.1:80")}
	probeErrs []error // what the ConnectEx to each probe address gave
)

var loopback = netip.MustParseAddr("127.0.0.1")

// RemoteHost returns the address of a stand-in for a host that behaves as
// b, made once per backend.
func (n *netAPI) RemoteHost(b spec.HostBehavior) (netip.AddrPort, error) {
	n.mk.Lock()
	defer n.mk.Unlock()
	n.mu.Lock()
	a, ok := n.made[b]
	n.mu.Unlock()
	if ok {
		return a, nil
	}
	var err error
	switch b {
	case spec.HostRefuses:
		a, err = n.standIn(-1)
	case spec.HostNeverCloses:
		a, err = n.standIn(16)
	case spec.HostDropsSYN:
		a, err = n.fullQueue()
	case spec.HostUnreachable, spec.NetUnreachable:
		a, err = n.unreachable(b)
	case spec.HostAccepts:
		err = errors.New("the native backend has no echo host")
	default:
		err = fmt.Errorf("unknown behaviour %v", b)
	}
	if err != nil {
		return netip.AddrPort{}, err
	}
	n.mu.Lock()
	n.made[b] = a
	n.mu.Unlock()
	return a, nil
}

func (n *netAPI) hold(s spec.Socket) {
	n.mu.Lock()
	n.keep = append(n.keep, s)
	n.mu.Unlock()
}

// standIn binds a loopback socket that listens with the given backlog, or
// does not listen where backlog is negative, and returns its address. The
// socket is held until the backend closes.
func (n *netAPI) standIn(backlog int) (netip.AddrPort, error) {
	s, err := n.API.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return netip.AddrPort{}, err
	}
	n.hold(s)
	if err := n.API.Bind(s, netip.AddrPortFrom(loopback, 0)); err != nil {
		return netip.AddrPort{}, err
	}
	if backlog >= 0 {
		if err := n.API.Listen(s, backlog); err != nil {
			return netip.AddrPort{}, err
		}
	}
	a, err := n.API.Getsockname(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(loopback, a.Port()), nil
}

// fullQueue makes a loopback listener with backlog 0 and fills its accept
// queue with connections nobody accepts, until a ConnectEx stays pending.
func (n *netAPI) fullQueue() (netip.AddrPort, error) {
	dropsMu.Lock()
	defer dropsMu.Unlock()
	if dropsKnown && dropsErr != nil {
		return netip.AddrPort{}, dropsErr
	}
	addr, err := n.standIn(0)
	if err != nil {
		return netip.AddrPort{}, err
	}
	wait := dropCheck
	if dropsKnown {
		wait = dropQuick
	}
	addr, err = n.fill(addr, wait)
	if !dropsKnown {
		dropsKnown, dropsErr = true, err
	}
	return addr, err
}

// fill connects to the listener at addr until a ConnectEx is still pending
// after wait (its queue is full and drops SYNs).
func (n *netAPI) fill(addr netip.AddrPort, wait time.Duration) (netip.AddrPort, error) {
	for range fillMax {
		pending, err := n.tryConnect(addr, wait)
		if pending {
			return addr, nil
		}
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("a loopback listener with a full accept queue refuses rather than drops SYNs here (ConnectEx: %v)", err)
		}
	}
	return netip.AddrPort{}, fmt.Errorf("the accept queue of a loopback listener with backlog 0 took %d connections without filling", fillMax)
}

// tryConnect runs a ConnectEx to addr for at most wait. A connection made
// stays (it fills a queue); a ConnectEx still pending is canceled and its
// socket closed.
func (n *netAPI) tryConnect(addr netip.AddrPort, wait time.Duration) (pending bool, err error) {
	af, unspec := spec.AF_INET, netip.IPv4Unspecified()
	if addr.Addr().Is6() {
		af, unspec = spec.AF_INET6, netip.IPv6Unspecified()
	}
	c, err := n.API.Socket(af, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return false, err
	}
	if err := n.API.Bind(c, netip.AddrPortFrom(unspec, 0)); err != nil {
		n.API.Closesocket(c)
		return false, err
	}
	ev, err := n.API.CreateEvent(true, false)
	if err != nil {
		n.API.Closesocket(c)
		return false, err
	}
	defer n.API.CloseHandle(ev)
	ov, err := n.API.NewOverlapped(ev)
	if err != nil {
		n.API.Closesocket(c)
		return false, err
	}
	err = n.API.ConnectEx(c, addr, ov)
	if errors.Is(err, spec.ERROR_IO_PENDING) {
		if n.API.WaitForSingleObject(ev, wait) != nil {
			n.API.CancelIoEx(spec.Handle(c), ov)
			n.API.GetOverlappedResult(spec.Handle(c), ov, true)
			n.API.Closesocket(c)
			n.API.FreeOverlapped(ov)
			return true, nil
		}
		_, err = n.API.GetOverlappedResult(spec.Handle(c), ov, false)
	}
	n.API.FreeOverlapped(ov)
	if err != nil {
		n.API.Closesocket(c)
		return false, err
	}
	n.hold(c)
	return false, nil
}

// unreachable returns a probe address if a ConnectEx to it fails the way
// b does on this machine (IPv4 first, then IPv6).
func (n *netAPI) unreachable(b spec.HostBehavior) (netip.AddrPort, error) {
	probeOnce.Do(func() {
		for _, a := range probeAddrs {
			pending, err := n.tryConnect(a, probeWait)
			switch {
			case pending:
				err = fmt.Errorf("a ConnectEx to %v is still pending after %v (this machine has a route there)", a, probeWait)
			case err == nil:
				err = fmt.Errorf("a ConnectEx to %v succeeded", a)
			default:
				err = fmt.Errorf("a ConnectEx to %v: %w", a, err)
			}
			probeErrs = append(probeErrs, err)
		}
	})
	win32, winsock := spec.ERROR_NETWORK_UNREACHABLE, spec.WSAENETUNREACH
	if b == spec.HostUnreachable {
		win32, winsock = spec.ERROR_HOST_UNREACHABLE, spec.WSAEHOSTUNREACH
	}
	for i, err := range probeErrs {
		if errors.Is(err, win32) || errors.Is(err, winsock) {
			return probeAddrs[i], nil
		}
	}
	return netip.AddrPort{}, fmt.Errorf("no address here fails as %v: %v", b, errors.Join(probeErrs...))
}
