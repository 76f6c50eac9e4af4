package emulator

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/disconnectex/disconnectex/spec"
)

// Ports shared across local addresses (DX-GAP-BIND-ADDRESS). Windows lets
// sockets on different addresses bind one port: the unspecified address
// beside a specific one, in either order, and two specific addresses. Only
// a bind to the same address conflicts, and SO_REUSEADDR and
// SO_EXCLUSIVEADDRUSE change which binds do (sock.c test_reuseaddr):
//
//   - the same address (the unspecified one included): WSAEADDRINUSE,
//     WSAEACCES when only the new socket has SO_REUSEADDR, success when
//     both have it;
//   - a specific address beside a socket on the unspecified one: success,
//     WSAEACCES when that socket has SO_EXCLUSIVEADDRUSE;
//   - the unspecified address beside a socket on a specific one: success,
//     WSAEADDRINUSE when the new socket has SO_EXCLUSIVEADDRUSE.
//
// TCP and UDP have ports of their own: only sockets of one type meet.
//
// The common case costs nothing: the port table counts sockets a port and
// those on specific addresses (portTable.named), which answer a TCP bind
// without options; a bind with options, a UDP bind, or a bind to a port
// where a socket with options or a UDP socket is bound scans the sockets
// (someSocket), as do the rare checks for a 4-tuple already in use.

// bindOpts are a socket's SO_REUSEADDR and SO_EXCLUSIVEADDRUSE.
type bindOpts uint8

const (
	optReuse bindOpts = 1 << iota
	optExclusive
)

func optBit(opt int) (bindOpts, bool) {
	switch opt {
	case spec.SO_REUSEADDR:
		return optReuse, true
	case spec.SO_EXCLUSIVEADDRUSE:
		return optExclusive, true
	}
	return 0, false
}

// setBindOption is setsockopt of SO_REUSEADDR or SO_EXCLUSIVEADDRUSE: the
// two exclude each other (WSAEINVAL, sock.c test_reuseaddr, ok on
// Windows); clearing one always succeeds. They take effect at the next
// bind, implicit binds included.
func (e *Emulator) setBindOption(so *socket, opt int, on bool) spec.Errno {
	bit, ok := optBit(opt)
	if !ok {
		return spec.WSAENOPROTOOPT
	}
	if !on {
		so.opts &^= bit
		return 0
	}
	if so.opts&^bit != 0 {
		return spec.WSAEINVAL
	}
	so.opts |= bit
	return 0
}

func (e *Emulator) bindOption(so *socket, opt int) (bool, spec.Errno) {
	bit, ok := optBit(opt)
	if !ok {
		return false, spec.WSAENOPROTOOPT
	}
	return so.opts&bit != 0, 0
}

// bindConflict returns the error of so's bind to addr (port nonzero), or
// 0 when it may bind there.
func (e *Emulator) bindConflict(so *socket, fam int, addr netip.AddrPort) spec.Errno {
	port := addr.Port()
	if e.ports.bound[fam][port] == 0 {
		return 0
	}
	if so.opts == 0 && isStream(so) && on(e.ports.optionedOn, fam, port) == 0 && on(e.ports.dgramOn, fam, port) == 0 {
		var c spec.Errno
		if e.addrInUse(fam, addr) {
			c = spec.WSAEADDRINUSE
		}
		if checkBindFastPath && len(e.handles) <= maxCheckedHandles {
			if slow := e.scanConflict(so, fam, addr); slow != c {
				panic(fmt.Sprintf("emulator: bind of %v: the counts say %v, the sockets %v", addr, c, slow))
			}
		}
		return c
	}
	return e.scanConflict(so, fam, addr)
}

// checkBindFastPath makes bindConflict check its counted answer against
// the scan of the sockets, which states the rules; the package's tests
// set it, so that every bind they and the fuzzers make checks the two
// agree.
var checkBindFastPath = false

// maxCheckedHandles keeps that check to emulators of at most this many
// handles: it scans them all on every such bind, and a test of 65,535
// binds to one port would take minutes.
const maxCheckedHandles = 4096

// scanConflict is bindConflict by the rules, over every socket on the port.
func (e *Emulator) scanConflict(so *socket, fam int, addr netip.AddrPort) spec.Errno {
	var c spec.Errno
	e.someSocket(func(x *socket) bool {
		if x == so || !x.bound || x.typ != so.typ || famIndex(x.af) != fam || x.local.Port() != addr.Port() {
			return false
		}
		c = conflictWith(x, so.opts, addr)
		return c != 0
	})
	return c
}

// conflictWith is the error a bind with options opts to addr meets from x,
// bound to the same port (the rules above).
func conflictWith(x *socket, opts bindOpts, addr netip.AddrPort) spec.Errno {
	same := func() spec.Errno {
		switch {
		case opts&optReuse != 0 && x.boundOpts&optReuse != 0:
			return 0
		case opts&optReuse != 0:
			return spec.WSAEACCES
		}
		return spec.WSAEADDRINUSE
	}
	switch wildX, wild := !x.named, addr.Addr().IsUnspecified(); {
	case wildX && wild:
		return same()
	case !wildX && !wild:
		if namedKey(x.local) == namedKey(addr) {
			return same()
		}
		return 0
	case wild: // x on a specific address
		if opts&optExclusive != 0 {
			return spec.WSAEADDRINUSE
		}
		return 0
	}
	// x on the unspecified address, addr specific.
	switch {
	case x.boundOpts&optExclusive != 0:
		return spec.WSAEACCES
	case namedKey(x.local) == namedKey(addr): // x has connected from addr
		return same()
	}
	return 0
}

// addrInUse reports whether bind to addr (port nonzero) conflicts with a
// socket of family fam: only one bound to the same address does, the
// unspecified one included (DX-GAP-BIND-ADDRESS). A socket bound to the
// unspecified address that has connected has its connection's address,
// so a bind to that specific address finds it too (a scan, made only when
// such a socket holds the port: an explicit bind to a port in use).
func (e *Emulator) addrInUse(fam int, addr netip.AddrPort) bool {
	p, port := &e.ports, addr.Port()
	if p.bound[fam][port] == 0 {
		return false
	}
	wild := p.wild(fam, port)
	if addr.Addr().IsUnspecified() {
		return wild > 0
	}
	if p.named[namedKey(addr)] > 0 {
		return true
	}
	return wild > 0 && e.someSocket(func(x *socket) bool {
		return x.bound && !x.named && famIndex(x.af) == fam && namedKey(x.local) == namedKey(addr)
	})
}

// tupleInUse reports whether so's connection to addr would have a 4-tuple
// that a connection end already has, open or still connecting, or would
// connect so to itself (its local address and port being addr: both ends
// of that connection would have one 4-tuple). Two connections can meet
// only where a port is shared by sockets on different addresses, so
// prepareConnect asks only when two or more sockets hold the local or the
// destination port (portTable.crowded). Inferred, not observed: Windows
// keys connections by their 4-tuple, so the connect fails WSAEADDRINUSE as
// one to a pair in TIME_WAIT does (DX-GAP-BIND-ADDRESS).
func (e *Emulator) tupleInUse(so *socket, addr netip.AddrPort) bool {
	local := e.localFor(so, addr)
	if local == addr {
		return true
	}
	return e.someSocket(func(x *socket) bool {
		return x != so && x.af == so.af && x.remote == addr && x.local == local &&
			(x.conn == connOpen || x.state == spec.StateConnecting)
	})
}

// someSocket reports whether f holds for a socket: one with a handle, an
// orphan, or a connection end in a listener's backlog. It visits every
// one, so it serves only the rare checks above, never a call's common
// path; its cost is bounded by the handle table and the backlogs.
func (e *Emulator) someSocket(f func(*socket) bool) bool {
	for i := range e.handles {
		if sl := &e.handles[i]; sl.kind == kindSocket && sl.sock != nil && f(sl.sock) {
			return true
		}
	}
	for _, l := range e.listeners {
		if slices.ContainsFunc(l.backlog, f) {
			return true
		}
	}
	return slices.ContainsFunc(e.orphans, f)
}
