package emulator

import (
	"math"
	"net/netip"
	"slices"
	"strconv"

	"github.com/disconnectex/disconnectex/spec"
)

// origin is how a socket's last connection was made; it decides what a
// reused socket may do next (clause DX-FLAG-REUSE-TARGET).
type origin uint8

const (
	originNone    origin = iota
	originConnect        // connect or ConnectEx: stays bound after reuse
	originAccept         // accept or AcceptEx: unbound after reuse
)

// connPhase is where the socket's TCP connection is.
type connPhase uint8

const (
	connNone     connPhase = iota // no connection
	connOpen                      // ESTABLISHED, FIN_WAIT2 or CLOSE_WAIT (finSent, finRcvd)
	connTimeWait                  // our row is in the TIME_WAIT table (twExp, twKey)
	connClosed                    // the graceful close is over; nothing left in the TCP table
	connReset                     // reset by the peer or aborted
)

// socket is a socket handle's object and, for TCP, one end of a connection.
// An end outlives its handle while its graceful close is in progress (an
// orphan in FIN_WAIT2), and an end that a listener's backlog holds has no
// handle yet.
type socket struct {
	h    spec.Socket // 0 when the end has no handle (backlog, orphan)
	slot uint32

	af, typ    int
	overlapped bool
	state      spec.State
	origin     origin
	// noConnectCtx: connected by ConnectEx, SO_UPDATE_CONNECT_CONTEXT not
	// yet set; connect() then fails WSAEINVAL rather than WSAEISCONN (Wine
	// sock.c test_connect, todo_wine ok: Windows does, Wine not).
	noConnectCtx bool
	bound        bool     // holds its local port in the port table
	named        bool     // bound to a specific address (ports.named counts it)
	opts         bindOpts // SO_REUSEADDR and SO_EXCLUSIVEADDRUSE as set now
	boundOpts    bindOpts // as they were at bind, which the port's later binds meet
	local        netip.AddrPort
	remote       netip.AddrPort
	linger       bool
	lingerSecs   uint16

	// TCP end
	conn         connPhase
	peer         *socket
	finSent      bool
	finRcvd      bool
	rdShut       bool
	activeCloser bool
	rbuf         []byte
	dgrams       [][]byte // datagrams waiting on a bound datagram socket, oldest first
	twExp        int64    // expiry of our TIME_WAIT row while conn == connTimeWait and the row lives, else 0
	twKey        twKey    // that row's 4-tuple
	orphan       int      // index in Emulator.orphans + 1, 0 if not an orphan

	// listener
	backlog []*socket

	// requests
	pending   []uint32 // ov slots of the requests pending on this handle
	acceptOv  uint32   // ov slot+1 of a pending AcceptEx that targets this socket
	reusing   bool     // a TF_REUSE_SOCKET disconnect is in progress
	reuseGen  uint32   // counts completed reuses (synchronous waiters watch it)
	failGen   uint32   // counts reuses that ended in failure
	failErr   spec.Errno
	signaled  bool // the handle is signalled (request completed with hEvent NULL)
	port      *port
	portH     spec.Handle
	key       uintptr
	notify    uint8 // FILE_SKIP_* flags
	syncWaits int   // callers blocked in synchronous calls on this socket
	recvWaits int   // of which blocking recv calls (they still take data after SD_RECEIVE)
	syncReuse int   // of which synchronous DisconnectEx(TF_REUSE_SOCKET) calls
	closing   bool  // closesocket in progress: cancellations leave the state alone

	// network beyond loopback (remote.go)
	host       spec.HostBehavior // a remote host's end of a connection (no handle); 0 for local ends
	connEx     bool              // the connect in progress was started by ConnectEx
	inSyn      bool              // a connect in progress waits for an answer to its SYN (in Emulator.syns)
	synStep    int               // SYN retransmissions sent so far
	synNext    int64             // when the next retransmission (or the failure) is due
	synBind    netip.Addr        // the address bound before the connect, restored when it fails
	connStatus spec.NTStatus     // how the last connect in progress ended
	connGen    uint32            // counts connects in progress that ended (blocking connect watches it)
}

func (e *Emulator) newSocket() *socket {
	var so *socket
	if n := len(e.sockPool); n > 0 {
		so = e.sockPool[n-1]
		e.sockPool = e.sockPool[:n-1]
		rbuf, backlog, pending := so.rbuf[:0], so.backlog[:0], so.pending[:0]
		*so = socket{} // cleared in place, cheaper than a literal with fields
		so.rbuf, so.backlog, so.pending = rbuf, backlog, pending
	} else {
		so = &socket{}
	}
	return so
}

func (e *Emulator) freeSocket(so *socket) {
	if so.orphan != 0 {
		e.removeOrphan(so)
	}
	e.unbind(so)
	if so.peer != nil && so.peer.peer == so {
		so.peer.peer = nil
	}
	so.peer = nil
	clear(so.backlog)
	so.backlog = so.backlog[:0]
	if cap(so.rbuf) > 64<<10 {
		so.rbuf = nil
	}
	if so.syncWaits > 0 {
		// Blocked callers still hold this struct (they will find the handle
		// gone); leave it to the garbage collector rather than reuse it.
		return
	}
	e.sockPool = append(e.sockPool, so)
}

// giveHandle puts so in the handle table.
func (e *Emulator) giveHandle(so *socket) bool {
	idx, h, ok := e.alloc(kindSocket)
	if !ok {
		return false
	}
	e.handles[idx].sock = so
	so.h, so.slot = spec.Socket(h), idx
	return true
}

func isStream(so *socket) bool { return so.typ == spec.SOCK_STREAM }

// connectedish reports a state in which the socket holds a connection.
func connectedish(st spec.State) bool {
	return st == spec.StateConnected || st == spec.StateTransmitClosing || st == spec.StateTimeWait
}

// ---- addresses ----

var netipZero netip.AddrPort

func familyOK(af int, a netip.Addr) bool {
	if af == spec.AF_INET {
		return a.Is4()
	}
	return a.Is6()
}

func isLocalAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsUnspecified() || a.IsLoopback()
}

// loopbackScope is the scope id of the emulator's one interface, the
// loopback one. Inferred, not observed: 1 is the index Windows gives its
// Loopback Pseudo-Interface 1; no source here binds with it.
const loopbackScope = 1

// scopeID is the sin6_scope_id an IPv6 zone gives, as the native backend
// converts it (native/sockaddr_windows.go, zoneID): none is 0, a decimal
// number that fits 32 bits is itself ("01" is 1), and anything else names
// an interface, which reads as 0 since the emulator has none with a name.
func scopeID(a netip.Addr) uint32 {
	n, err := strconv.ParseUint(a.Zone(), 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// bindScope checks the scope id of an address to bind and returns the
// address with its zone as the native backend would give it back: none
// for scope 0, "1" for the loopback interface's. Windows fails a bind to
// a local IPv6 address with a scope id no interface has, 0xabacab, with
// WSAEADDRNOTAVAIL (sock.c test_bind lines 12241-12242: ok on Windows,
// todo_wine for the addresses of scope 0, ::1 among them), and accepts
// scope 0 for every address (line 12248).
func bindScope(addr netip.AddrPort) (netip.AddrPort, bool) {
	a := addr.Addr()
	if !a.Is6() || a.Zone() == "" {
		return addr, true
	}
	switch scopeID(a) {
	case 0:
		return netip.AddrPortFrom(a.WithZone(""), addr.Port()), true
	case loopbackScope:
		return netip.AddrPortFrom(a.WithZone(strconv.Itoa(loopbackScope)), addr.Port()), true
	}
	return addr, false
}

func unspecified(af int) netip.Addr {
	if af == spec.AF_INET {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// checkRemote validates a destination address for connect/ConnectEx.
func checkRemote(so *socket, addr netip.AddrPort) spec.Errno {
	if !addr.IsValid() || !familyOK(so.af, addr.Addr()) {
		return spec.WSAEFAULT
	}
	if addr.Addr().IsUnspecified() || addr.Port() == 0 {
		return spec.WSAEADDRNOTAVAIL
	}
	return 0
}

// ---- calls ----

func (e *Emulator) bind(so *socket, addr netip.AddrPort) spec.Errno {
	if so.bound || so.state != spec.StateUnconnected || so.acceptOv != 0 {
		return spec.WSAEINVAL
	}
	if !addr.IsValid() || !familyOK(so.af, addr.Addr()) {
		return spec.WSAEFAULT
	}
	addr, scoped := bindScope(addr)
	if !isLocalAddr(addr.Addr()) || !scoped {
		return spec.WSAEADDRNOTAVAIL
	}
	fam, port := famIndex(so.af), addr.Port()
	if port == 0 {
		p, ok := e.ephemeral(fam)
		if !ok {
			return spec.WSAENOBUFS
		}
		port = p
	} else if c := e.bindConflict(so, fam, addr); c != 0 {
		return c
	} else if e.ports.bound[fam][port] == math.MaxUint16 {
		return spec.WSAENOBUFS // the port's count saturates (one socket an address)
	}
	so.local = netip.AddrPortFrom(addr.Addr(), port)
	e.ports.hold(fam, port)
	so.named = !addr.Addr().IsUnspecified()
	so.boundOpts = so.opts
	e.ports.counted(so, 1)
	so.bound = true
	e.setState(so, trBind)
	return 0
}

// unbind gives up the local port so holds, if any.
func (e *Emulator) unbind(so *socket) {
	if !so.bound {
		return
	}
	e.ports.unhold(famIndex(so.af), so.local.Port())
	e.ports.counted(so, -1)
	so.named, so.boundOpts, so.bound = false, 0, false
}

// implicitBind binds an unbound socket to the next ephemeral port.
func (e *Emulator) implicitBind(so *socket) spec.Errno {
	p, ok := e.ephemeral(famIndex(so.af))
	if !ok {
		return spec.WSAENOBUFS
	}
	e.ports.hold(famIndex(so.af), p)
	so.bound = true
	so.local = netip.AddrPortFrom(unspecified(so.af), p)
	so.boundOpts = so.opts
	e.ports.counted(so, 1)
	if so.state == spec.StateUnconnected {
		e.setState(so, trImplicitBind)
	}
	return 0
}

func (e *Emulator) listen(so *socket) spec.Errno {
	if !isStream(so) {
		return spec.WSAEOPNOTSUPP
	}
	switch so.state {
	case spec.StateListening:
		return 0
	case spec.StateBound:
	case spec.StateConnected, spec.StateTransmitClosing, spec.StateTimeWait, spec.StateConnecting:
		return spec.WSAEISCONN
	default:
		return spec.WSAEINVAL
	}
	e.setState(so, trListen)
	e.listeners = append(e.listeners, so)
	if e.listenAt == nil {
		e.listenAt = make(map[listenKey][]*socket)
	}
	k := listenKey{so.af, so.local.Port()}
	e.listenAt[k] = append(e.listenAt[k], so)
	return 0
}

// listenKey is what a connection's SYN finds its listener by, before the
// address: the family and the port.
type listenKey struct {
	af   int
	port uint16
}

// findListener returns the socket listening at addr: the first to listen
// on its port with its address, else the first with the unspecified one
// (DX-GAP-BIND-ADDRESS: Windows gives the connection to the listener on
// the specific address, whichever bound first). A few listeners are
// scanned (cheaper than the map's hash on every connect); more are looked
// up by port.
func (e *Emulator) findListener(so *socket, addr netip.AddrPort) *socket {
	ls := e.listeners
	if len(ls) > 8 {
		ls = e.listenAt[listenKey{so.af, addr.Port()}]
	}
	var wild *socket
	for _, l := range ls {
		if l.af != so.af || l.local.Port() != addr.Port() {
			continue
		}
		if l.local.Addr() == addr.Addr() {
			return l
		}
		if wild == nil && l.local.Addr().IsUnspecified() {
			wild = l
		}
	}
	return wild
}

// unlisten forgets the listener so.
func (e *Emulator) unlisten(so *socket) {
	if i := slices.Index(e.listeners, so); i >= 0 {
		e.listeners = slices.Delete(e.listeners, i, i+1)
	}
	k := listenKey{so.af, so.local.Port()}
	if l := e.listenAt[k]; len(l) > 0 {
		if i := slices.Index(l, so); i >= 0 {
			l = slices.Delete(l, i, i+1)
		}
		if len(l) == 0 {
			delete(e.listenAt, k)
		} else {
			e.listenAt[k] = l
		}
	}
}

// prepareConnect runs the checks connect and ConnectEx share and binds
// implicitly where needed.
func (e *Emulator) prepareConnect(so *socket, addr netip.AddrPort, ex bool) spec.Errno {
	if so.acceptOv != 0 {
		return spec.WSAEINVAL // promised to a pending AcceptEx
	}
	switch so.state {
	case spec.StateConnected, spec.StateTransmitClosing, spec.StateTimeWait:
		if !ex && so.noConnectCtx && so.state == spec.StateConnected {
			return spec.WSAEINVAL
		}
		return spec.WSAEISCONN
	case spec.StateConnecting:
		// Wine sock.c test_connecting_socket (ok on Windows): connect after
		// a non-blocking connect is WSAEALREADY; ConnectEx on a connecting
		// socket, and connect after ConnectEx, WSAEINVAL.
		if ex || so.connEx {
			return spec.WSAEINVAL
		}
		return spec.WSAEALREADY
	case spec.StateListening:
		return spec.WSAEINVAL
	case spec.StateUnconnected:
		if ex {
			return spec.WSAEINVAL // ConnectEx needs a bound socket
		}
	case spec.StateReusable:
		if so.origin == originAccept && e.profile == Windows {
			return spec.WSAEINVAL // reused after accept: unbound, AcceptEx only
		}
	}
	if c := checkRemote(so, addr); c != 0 {
		return c
	}
	if !so.bound {
		if c := e.implicitBind(so); c != 0 {
			return c
		}
	}
	if fam := famIndex(so.af); (e.ports.crowded(fam, so.local.Port()) || e.ports.crowded(fam, addr.Port())) && e.tupleInUse(so, addr) {
		return spec.WSAEADDRINUSE
	}
	return e.synCheck(so, addr)
}

// establish connects so to addr: the server end goes to the listener's
// backlog, or to a pending AcceptEx. It returns the NTSTATUS of the attempt.
func (e *Emulator) establish(so *socket, addr netip.AddrPort) spec.NTStatus {
	if b := e.hostFor(addr.Addr()); b != 0 {
		return e.establishRemote(so, addr, b)
	}
	e.setState(so, trConnect)
	l := e.findListener(so, addr)
	if l == nil {
		e.setState(so, trRefused)
		return spec.STATUS_CONNECTION_REFUSED
	}
	so.local = connLocal(so, addr)
	srv := e.joinPeer(so, addr)
	srv.af, srv.typ = l.af, l.typ
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "SYN_SENT -> ESTABLISHED",
			Args: so.local.String() + " -> " + addr.String()})
	}
	e.deliver(l, srv)
	return spec.STATUS_SUCCESS
}

// joinPeer makes so, bound to its local address, ESTABLISHED with a new
// socket that stands for the other end at addr, and returns that socket.
// A SYN for a pair in TIME_WAIT takes the row over first (DX-GAP-TIMEWAIT-SYN).
func (e *Emulator) joinPeer(so *socket, addr netip.AddrPort) *socket {
	if e.tw.live > 0 && e.synPolicy == synTakesOver {
		e.synTakeOver(so.local, addr)
	}
	p := e.newSocket()
	p.local, p.remote = addr, so.local
	p.conn = connOpen
	so.remote = addr
	so.conn = connOpen
	so.peer, p.peer = p, so
	so.origin = originConnect
	so.finSent, so.finRcvd, so.rdShut, so.activeCloser = false, false, false, false
	so.rbuf = so.rbuf[:0]
	e.setState(so, trEstablished)
	return p
}

func (e *Emulator) connectDgram(so *socket, addr netip.AddrPort) spec.Errno {
	if so.acceptOv != 0 {
		return spec.WSAEINVAL
	}
	if c := checkRemote(so, addr); c != 0 {
		return c
	}
	if !so.bound {
		if c := e.implicitBind(so); c != 0 {
			return c
		}
	}
	so.remote = addr
	if so.state == spec.StateBound {
		e.setState(so, trConnectDgram)
	}
	return 0
}

func (e *Emulator) connect(t *thread, s spec.Socket, addr netip.AddrPort) error {
	so := e.sock(s)
	if so == nil {
		return spec.WSAENOTSOCK
	}
	if !isStream(so) {
		return errOf(e.connectDgram(so, addr))
	}
	if c := e.prepareConnect(so, addr, false); c != 0 {
		return errOf(c)
	}
	st := e.establish(so, addr)
	if st == spec.STATUS_PENDING {
		// The SYN goes unanswered: block (advancing virtual time) until
		// the retransmissions are over or the socket is closed.
		gen := so.connGen
		so.syncWaits++
		r := e.waitUntil(-1, func() bool { return e.sock(s) != so || so.connGen != gen })
		so.syncWaits--
		switch {
		case r == waitDeadlock:
			e.abortSYN(so, spec.STATUS_CANCELLED, trConnectCanceled)
			return ErrDeadlock
		case e.sock(s) != so || so.connGen == gen:
			return spec.WSAEINTR // closed under the call
		}
		st = so.connStatus
	}
	if st != spec.STATUS_SUCCESS {
		return errOf(st.Winsock())
	}
	return nil
}

// accept takes a connection from the backlog, waiting for one.
func (e *Emulator) accept(s spec.Socket) (spec.Socket, netip.AddrPort, error) {
	so := e.sock(s)
	if so == nil {
		return spec.INVALID_SOCKET, netip.AddrPort{}, spec.WSAENOTSOCK
	}
	if !isStream(so) {
		return spec.INVALID_SOCKET, netip.AddrPort{}, spec.WSAEOPNOTSUPP
	}
	if so.state != spec.StateListening {
		return spec.INVALID_SOCKET, netip.AddrPort{}, spec.WSAEINVAL
	}
	if len(so.backlog) == 0 {
		so.syncWaits++
		r := e.waitUntil(-1, func() bool { return e.sock(s) != so || len(so.backlog) > 0 })
		so.syncWaits--
		if r == waitDeadlock {
			return spec.INVALID_SOCKET, netip.AddrPort{}, ErrDeadlock
		}
		if e.sock(s) != so || so.state != spec.StateListening {
			return spec.INVALID_SOCKET, netip.AddrPort{}, spec.WSAEINTR
		}
	}
	srv := so.backlog[0]
	if len(so.backlog) > 1 { // a backlog of one (a reuse cycle's) needs no typedslicecopy
		copy(so.backlog, so.backlog[1:])
	}
	so.backlog[len(so.backlog)-1] = nil
	so.backlog = so.backlog[:len(so.backlog)-1]
	if !e.giveHandle(srv) {
		e.abortEnd(srv)
		e.freeSocket(srv)
		return spec.INVALID_SOCKET, netip.AddrPort{}, spec.WSAENOBUFS
	}
	srv.overlapped = so.overlapped
	srv.origin = originAccept
	e.setState(srv, trAccepted)
	return srv.h, srv.remote, nil
}
