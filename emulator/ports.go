package emulator

import (
	"math/bits"
	"net/netip"

	"github.com/disconnectex/disconnectex/spec"
)

// portTable tracks which local ports are held and hands out ephemeral ports.
// IPv4 and IPv6 have separate port spaces, as on Windows.
// A port is held by a socket bound to it (explicitly or implicitly, and by a
// closed socket's connection still closing) and by any TIME_WAIT row on it.
// Implicit binds take the next free port of the dynamic range after a
// cursor, in order, so the sequence of ports is deterministic.
//
// A bitmap of held ports with a summary of full words makes an implicit
// bind O(1) in the common case and at most a few dozen word operations
// when the range is nearly full; with no free port it fails at once from
// a counter.
type portTable struct {
	bound  [2][65536]uint16 // sockets holding each port, per family (famIndex)
	rows   [2][65536]uint32 // TIME_WAIT rows on each local port, per family
	held   [2][1024]uint64  // bit set: the port is held (bound or rows nonzero)
	full   [2][16]uint64    // bit w set: held word w is all ones
	free   [2]int           // ports of the dynamic range not held
	rng    spec.PortRange
	end    int // last port of the range
	cursor int // offset in rng of the next port to try

	// Sockets bound to a specific address, by address and port, and their
	// number on each port; nil until the first. The rest of bound are on
	// the unspecified address. Only the same address conflicts
	// (DX-GAP-BIND-ADDRESS), so these decide bind's WSAEADDRINUSE.
	named   map[netip.AddrPort]uint16
	namedOn map[uint32]uint16 // by famPort

	// Sockets bound with SO_REUSEADDR or SO_EXCLUSIVEADDRUSE, by famPort;
	// nil until the first. A bind to such a port takes the slow path.
	optionedOn map[uint32]uint16
	// Datagram sockets bound, by famPort; nil until the first. TCP and UDP
	// have ports of their own, so a bind to a port that one protocol's
	// sockets share with the other's takes the slow path, which tells
	// them apart. (The counts above, and the ephemeral ports, are shared.)
	dgramOn map[uint32]uint16
}

func (p *portTable) init(r spec.PortRange) {
	p.rng = r
	p.end = int(r.Start) + r.Count - 1
	if p.end > 65535 {
		p.end = 65535
	}
	n := p.end - int(r.Start) + 1
	if n < 0 {
		n = 0
	}
	p.free = [2]int{n, n}
}

func (p *portTable) inRange(port uint16) bool {
	return int(port) >= int(p.rng.Start) && int(port) <= p.end
}

// update recomputes whether port is held after its counts changed.
func (p *portTable) update(fam int, port uint16) {
	w, b := port>>6, uint64(1)<<(port&63)
	was := p.held[fam][w]&b != 0
	now := p.bound[fam][port] != 0 || p.rows[fam][port] != 0
	if was == now {
		return
	}
	if now {
		p.held[fam][w] |= b
		if p.held[fam][w] == ^uint64(0) {
			p.full[fam][w>>6] |= 1 << (w & 63)
		}
		if p.inRange(port) {
			p.free[fam]--
		}
		return
	}
	p.held[fam][w] &^= b
	p.full[fam][w>>6] &^= 1 << (w & 63)
	if p.inRange(port) {
		p.free[fam]++
	}
}

func (p *portTable) hold(fam int, port uint16) {
	p.bound[fam][port]++
	if p.bound[fam][port] == 1 {
		p.update(fam, port)
	}
}

func (p *portTable) unhold(fam int, port uint16) {
	p.bound[fam][port]--
	if p.bound[fam][port] == 0 {
		p.update(fam, port)
	}
}

// wild is the number of sockets of family fam bound to port on the
// unspecified address.
func (p *portTable) wild(fam int, port uint16) uint16 {
	if n := p.bound[fam][port]; n != 0 {
		return n - on(p.namedOn, fam, port)
	}
	return 0
}

// crowded reports whether two or more sockets hold port: only then can a
// new connection from or to it meet a 4-tuple already in use (tupleInUse).
// It reads no map, so it costs the common case nothing.
func (p *portTable) crowded(fam int, port uint16) bool { return p.bound[fam][port] >= 2 }

// namedKey is the key of addr in named: the address without its IPv6
// zone, so that [::1%1]:P and [::1]:P are one address.
func namedKey(addr netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(addr.Addr().WithZone(""), addr.Port())
}

func famPort(fam int, port uint16) uint32 { return uint32(fam)<<16 | uint32(port) }

// bump adds delta (1 or -1) to m[k], making m on first use and deleting
// k at zero, so that an empty map means no such socket anywhere.
func bump[K comparable](m *map[K]uint16, k K, delta int) {
	if *m == nil {
		*m = make(map[K]uint16)
	}
	if n := uint16(int((*m)[k]) + delta); n != 0 {
		(*m)[k] = n
	} else {
		delete(*m, k)
	}
}

// counted counts a bound socket in or out (delta 1 or -1) of the maps
// above: by its specific address, its options, and whether it is a
// datagram socket.
func (p *portTable) counted(so *socket, delta int) {
	fam, port := famIndex(so.af), so.local.Port()
	k := famPort(fam, port)
	if so.named {
		bump(&p.named, namedKey(so.local), delta)
		bump(&p.namedOn, k, delta)
	}
	if so.boundOpts != 0 {
		bump(&p.optionedOn, k, delta)
	}
	if !isStream(so) {
		bump(&p.dgramOn, k, delta)
	}
}

// on reads m's count for port, with no hash while m is empty.
func on(m map[uint32]uint16, fam int, port uint16) uint16 {
	if len(m) == 0 {
		return 0
	}
	return m[famPort(fam, port)]
}

func (p *portTable) rowAdded(fam int, port uint16) {
	p.rows[fam][port]++
	if p.rows[fam][port] == 1 {
		p.update(fam, port)
	}
}

func (p *portTable) rowRemoved(fam int, port uint16) {
	p.rows[fam][port]--
	if p.rows[fam][port] == 0 {
		p.update(fam, port)
	}
}

// firstFree returns the lowest port in [from, to] that is not held, or -1.
func (p *portTable) firstFree(fam, from, to int) int {
	for from <= to {
		w := from >> 6
		if free := ^p.held[fam][w] >> (from & 63); free != 0 {
			if port := from + bits.TrailingZeros64(free); port <= to {
				return port
			}
			return -1
		}
		// Skip the full words after w with the summary.
		nw := -1
		for s := (w + 1) >> 6; s < 16 && nw < 0; s++ {
			m := ^p.full[fam][s]
			if s == (w+1)>>6 {
				m &= ^uint64(0) << ((w + 1) & 63)
			}
			if m != 0 {
				nw = s<<6 + bits.TrailingZeros64(m)
			}
		}
		if nw < 0 {
			return -1
		}
		from = nw << 6
	}
	return -1
}

// ephemeral takes the next port of the dynamic range that no socket and no
// TIME_WAIT row holds. ok is false when every port is held (WSAENOBUFS).
func (e *Emulator) ephemeral(fam int) (uint16, bool) {
	p := &e.ports
	if p.free[fam] <= 0 {
		return 0, false
	}
	start := int(p.rng.Start)
	port := p.firstFree(fam, start+p.cursor, p.end)
	if port < 0 {
		port = p.firstFree(fam, start, start+p.cursor-1)
	}
	if port < 0 {
		return 0, false // not reachable while free > 0
	}
	p.cursor = port - start + 1
	if p.cursor >= p.end-start+1 {
		p.cursor = 0
	}
	return uint16(port), true
}

// famIndex is 0 for AF_INET, 1 for AF_INET6.
func famIndex(af int) int {
	if af == spec.AF_INET6 {
		return 1
	}
	return 0
}
