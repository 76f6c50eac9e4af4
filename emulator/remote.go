package emulator

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// The network beyond loopback: remote hosts, each a prefix with a
// spec.HostBehavior. A connect to an address in a prefix goes to that host
// instead of to a local listener; the longest prefix wins, and among equal
// prefixes the one given last (options after the defaults).
//
// A host that accepts is a connection end with no handle (socket.host set)
// that echoes what it receives and, unless it never closes, answers the
// local side's FIN with its own at once. A host that drops SYNs leaves the
// connect in progress: the SYN is retransmitted on Windows' schedule
// (SYNSchedule) in virtual time and the connect fails with STATUS_IO_TIMEOUT
// after the last wait. Refusal and unreachability end the attempt within
// the call (delivery is instant, as on loopback).

// RemoteHost is one prefix of emulated remote hosts.
type RemoteHost struct {
	Prefix   netip.Prefix
	Behavior spec.HostBehavior
}

// DefaultRemoteHosts are the remote hosts every emulator has, in the
// documentation ranges of RFC 5737, so no real address is ever shadowed:
//
//	192.0.2.0/24      drops SYNs (Wine's test_connecting_socket connects to
//	                  192.0.2.0 and finds the connect still in progress on Windows)
//	198.51.100.0/25   accepts (echoes, closes when the local side does)
//	198.51.100.128/25 accepts but never closes (never sends its FIN)
//	203.0.113.0/26    refuses (RST)
//	203.0.113.64/26   drops SYNs
//	203.0.113.128/26  host unreachable
//	203.0.113.192/26  network unreachable
//
// WithRemoteHosts adds others or overrides part of these.
func DefaultRemoteHosts() []RemoteHost {
	p := netip.MustParsePrefix
	return []RemoteHost{
		{p("192.0.2.0/24"), spec.HostDropsSYN},
		{p("198.51.100.0/25"), spec.HostAccepts},
		{p("198.51.100.128/25"), spec.HostNeverCloses},
		{p("203.0.113.0/26"), spec.HostRefuses},
		{p("203.0.113.64/26"), spec.HostDropsSYN},
		{p("203.0.113.128/26"), spec.HostUnreachable},
		{p("203.0.113.192/26"), spec.NetUnreachable},
	}
}

// Addresses of the emulated machine on its emulated network: the local
// address of a connection to a remote host from a socket bound to the
// unspecified address. Sockets cannot bind them (bind takes loopback or
// the unspecified address only).
var (
	HostAddr4 = netip.MustParseAddr("10.0.0.2")
	HostAddr6 = netip.MustParseAddr("fd00::2")
)

var (
	loopPrefix4 = netip.MustParsePrefix("127.0.0.0/8")
	loopPrefix6 = netip.MustParsePrefix("::1/128")
)

// WithRemoteHosts makes every address in prefix an emulated remote host
// that behaves as b. It fails New for an invalid prefix or behaviour, and
// for a prefix that overlaps loopback, the unspecified address or the
// emulated machine's own addresses (HostAddr4, HostAddr6).
func WithRemoteHosts(prefix netip.Prefix, b spec.HostBehavior) Option {
	return func(c *config) {
		if c.err != nil {
			return
		}
		switch {
		case !prefix.IsValid():
			c.err = fmt.Errorf("emulator: WithRemoteHosts: invalid prefix %v", prefix)
		case !b.Valid():
			c.err = fmt.Errorf("emulator: WithRemoteHosts(%v): unknown behaviour %v", prefix, b)
		case prefix.Addr().Is4In6():
			c.err = fmt.Errorf("emulator: WithRemoteHosts: prefix %v is IPv4-mapped; give the IPv4 prefix", prefix)
		case prefix.Overlaps(loopPrefix4) || prefix.Overlaps(loopPrefix6) || prefix.Contains(HostAddr4) || prefix.Contains(HostAddr6) ||
			prefix.Contains(netip.IPv4Unspecified()) || prefix.Contains(netip.IPv6Unspecified()):
			c.err = fmt.Errorf("emulator: WithRemoteHosts: prefix %v covers loopback, the unspecified address or the emulated machine's own address", prefix)
		default:
			c.hosts = append(c.hosts, RemoteHost{prefix.Masked(), b})
		}
	}
}

// SYNSchedule is how a connect to a host that never answers proceeds: the
// SYN is retransmitted after InitialRTO, then after twice the previous
// wait, Retransmissions times, and the connect fails after a last wait of
// twice the previous one. Windows' defaults, DefaultSYNSchedule, are from
// the TcpInitialRTT (3 s) and TcpMaxConnectRetransmissions (2) registry
// references and KB 2786464 (Windows 7 and Server 2008 R2: 3 + 6 + 12 =
// 21 s); spec.ClauseGapSYNTimeout holds the evidence.
type SYNSchedule struct {
	InitialRTO      time.Duration
	Retransmissions int
}

// DefaultSYNSchedule is Windows' default: retransmissions at 3 s and 9 s,
// failure at 21 s.
var DefaultSYNSchedule = SYNSchedule{InitialRTO: 3 * time.Second, Retransmissions: 2}

// Validate reports a schedule the registry would not take: InitialRTO
// outside 1 ms..65535 s (TcpInitialRTT is a DWORD of at most 0xFFFF) or
// Retransmissions outside 0..255 (TcpMaxConnectRetransmissions' range).
func (s SYNSchedule) Validate() error {
	if s.InitialRTO < time.Millisecond || s.InitialRTO > 65535*time.Second {
		return fmt.Errorf("emulator: SYN schedule: initial RTO %v is outside 1ms..65535s", s.InitialRTO)
	}
	if s.Retransmissions < 0 || s.Retransmissions > 255 {
		return fmt.Errorf("emulator: SYN schedule: %d retransmissions is outside 0..255", s.Retransmissions)
	}
	return nil
}

// Times returns, relative to the first SYN, when each retransmission goes
// out and when the connect fails (the last element). The sums saturate at
// math.MaxInt64 instead of wrapping. A schedule that Validate refuses has
// no times: Times returns nil.
func (s SYNSchedule) Times() []time.Duration {
	if s.Validate() != nil {
		return nil
	}
	out := make([]time.Duration, 0, s.Retransmissions+1)
	at, wait := int64(0), int64(s.InitialRTO)
	for range s.Retransmissions + 1 {
		at = satAdd(at, wait)
		out = append(out, time.Duration(at))
		wait = satAdd(wait, wait)
	}
	return out
}

// WithSYNSchedule replaces DefaultSYNSchedule, as TcpInitialRTT and
// TcpMaxConnectRetransmissions (or netsh's InitialRto and
// MaxSynRetransmissions) do on Windows. New fails for a schedule Validate
// refuses.
func WithSYNSchedule(s SYNSchedule) Option {
	return func(c *config) {
		if c.err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			c.err = err
			return
		}
		c.syn, c.synSet = s, true
	}
}

func satAdd(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// hostFor returns the behaviour of the remote host at a, or 0 when a is
// not a remote host (loopback, or no prefix covers it).
func (e *Emulator) hostFor(a netip.Addr) spec.HostBehavior {
	a = a.Unmap()
	if a.IsLoopback() { // the common case, without the prefixes: none covers loopback (WithRemoteHosts)
		return 0
	}
	best, bits := spec.HostBehavior(0), -1
	for _, h := range e.hosts {
		if h.Prefix.Bits() >= bits && h.Prefix.Contains(a) {
			best, bits = h.Behavior, h.Prefix.Bits()
		}
	}
	return best
}

// RemoteHosts returns the emulator's remote hosts, the defaults first,
// then those of WithRemoteHosts in order (a copy).
func (e *Emulator) RemoteHosts() []RemoteHost {
	if !e.usable() {
		return nil
	}
	return slices.Clone(e.hosts)
}

// RemoteHost returns an address (port 80) of a remote host that behaves as
// b: the first address of the first prefix with that behaviour, given by
// WithRemoteHosts or else a default, that no longer prefix overrides. It
// fails when no prefix has that behaviour. It implements the conformance
// suite's RemoteHosts capability.
func (e *Emulator) RemoteHost(b spec.HostBehavior) (netip.AddrPort, error) {
	if !e.usable() {
		return netip.AddrPort{}, ErrZero
	}
	if !b.Valid() {
		return netip.AddrPort{}, fmt.Errorf("emulator: RemoteHost: unknown behaviour %v", b)
	}
	n := len(DefaultRemoteHosts())
	order := append(slices.Clone(e.hosts[n:]), e.hosts[:n]...)
	for _, h := range order {
		if h.Behavior != b {
			continue
		}
		a := h.Prefix.Addr()
		if h.Prefix.Bits() < a.BitLen() {
			a = a.Next() // not the network's own address
		}
		if e.hostFor(a) == b {
			return netip.AddrPortFrom(a, 80), nil
		}
	}
	return netip.AddrPort{}, fmt.Errorf("emulator: RemoteHost: no remote host behaves as %v", b)
}

// remoteLocal is the local address of a connection from so to a remote
// host: an unspecified bind takes the emulated machine's address.
func remoteLocal(so *socket, addr netip.AddrPort) netip.AddrPort {
	if !so.local.Addr().IsUnspecified() {
		return so.local
	}
	a := HostAddr4
	if so.af == spec.AF_INET6 {
		a = HostAddr6
	}
	return netip.AddrPortFrom(a, so.local.Port())
}

// establishRemote connects so to the remote host at addr. It returns the
// NTSTATUS of the attempt, STATUS_PENDING while the SYN goes unanswered.
func (e *Emulator) establishRemote(so *socket, addr netip.AddrPort, b spec.HostBehavior) spec.NTStatus {
	e.setState(so, trConnect)
	switch b {
	case spec.HostRefuses:
		e.setState(so, trRefused)
		return spec.STATUS_CONNECTION_REFUSED
	case spec.HostUnreachable, spec.NetUnreachable:
		e.setState(so, trUnreachable)
		return b.Status()
	case spec.HostDropsSYN:
		so.synBind = so.local.Addr()
		so.local = remoteLocal(so, addr)
		so.remote = addr
		so.synStep = 0
		so.synNext = e.after(e.syn.InitialRTO)
		so.inSyn = true
		e.syns = append(e.syns, so)
		if e.tr != nil {
			e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "CLOSED -> SYN_SENT",
				Args: so.local.String() + " -> " + addr.String()})
		}
		return spec.STATUS_PENDING
	}
	so.local = remoteLocal(so, addr)
	r := e.joinPeer(so, addr)
	r.af, r.typ, r.host = so.af, so.typ, b
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "SYN_SENT -> ESTABLISHED",
			Args: so.local.String() + " -> " + addr.String() + " (remote host, " + b.String() + ")"})
	}
	return spec.STATUS_SUCCESS
}

// nextSYN is the earliest SYN timer of a connect in progress.
func (e *Emulator) nextSYN() (int64, bool) {
	at, ok := int64(0), false
	for _, so := range e.syns {
		if !ok || so.synNext < at {
			at, ok = so.synNext, true
		}
	}
	return at, ok
}

// expireSYNs runs the SYN timers that are due: a retransmission, or, after
// the last, the connect's failure with STATUS_IO_TIMEOUT.
func (e *Emulator) expireSYNs() {
	now := e.now()
	for i := 0; i < len(e.syns); {
		so := e.syns[i]
		if so.synNext > now || so.synNext > e.horizon() {
			i++
			continue
		}
		wait := int64(e.syn.InitialRTO)
		for range so.synStep {
			wait = satAdd(wait, wait)
		}
		if so.synStep < e.syn.Retransmissions {
			so.synStep++
			so.synNext = satAdd(so.synNext, satAdd(wait, wait))
			if e.tr != nil {
				e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP",
					Result: fmt.Sprintf("SYN retransmission %d", so.synStep), Args: so.local.String() + " -> " + so.remote.String()})
			}
			continue // it may be due again
		}
		e.connectFailed(so, spec.STATUS_IO_TIMEOUT, trConnectTimeout) // removes e.syns[i]
	}
}

// connectFailed ends a connect in progress (abortSYN) and completes its
// pending ConnectEx with st.
func (e *Emulator) connectFailed(so *socket, st spec.NTStatus, tr trigger) {
	e.abortSYN(so, st, tr)
	for _, idx := range so.pending {
		if o := e.ovs[idx]; o.op == opConnectEx {
			e.complete(o, st)
			break
		}
	}
	e.wake()
}

// abortSYN ends a connect in progress: the socket is bound again (to its
// port, on the address it was bound to) and a blocking connect returns the
// error of st. The pending ConnectEx is left to the caller.
func (e *Emulator) abortSYN(so *socket, st spec.NTStatus, tr trigger) {
	if i := slices.Index(e.syns, so); i >= 0 {
		e.syns = slices.Delete(e.syns, i, i+1)
	}
	so.inSyn = false
	so.synNext, so.synStep = 0, 0
	so.local = netip.AddrPortFrom(so.synBind, so.local.Port())
	so.remote = netipZero
	so.connEx = false
	so.connStatus = st
	so.connGen++
	if so.state == spec.StateConnecting {
		e.setState(so, tr)
	}
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "SYN_SENT -> CLOSED (" + st.String() + ")"})
	}
}

// remoteData is what a remote host does with bytes the local end sends: it
// echoes them.
func (e *Emulator) remoteData(so *socket, b []byte) {
	if !so.rdShut {
		so.rbuf = append(so.rbuf, b...)
		e.serviceRecvs(so)
	}
	e.wake()
}

// remoteCloses is a remote host's answer to the local end's FIN: its own
// FIN, at once. The local end, which closed first, enters TIME_WAIT; the
// host's end is gone.
func (e *Emulator) remoteCloses(so, r *socket) {
	r.finSent = true
	so.finRcvd = true
	so.peer, r.peer = nil, nil
	e.freeSocket(r)
	e.enterTimeWait(so)
	if so.h != 0 {
		e.serviceRecvs(so)
	}
	e.wake()
}

// tcpSynSent appends the SYN_SENT rows of connects in progress.
func (e *Emulator) tcpSynSent(out []spec.TCPRow) []spec.TCPRow {
	for _, so := range e.syns {
		out = append(out, spec.TCPRow{Local: so.local, Remote: so.remote, State: spec.TCPSynSent})
	}
	return out
}
