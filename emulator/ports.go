package emulator

import "github.com/disconnectex/disconnectex/spec"

// portTable tracks which local ports are held and hands out ephemeral ports.
// IPv4 and IPv6 have separate port spaces, as on Windows.
// A port is held by a socket bound to it (explicitly or implicitly, and by a
// closed socket's connection still closing) and by any TIME_WAIT row on it
// (twQueue.perPort). Implicit binds take the next free port of the dynamic
// range after a cursor, so the sequence of ports is deterministic.
type portTable struct {
	bound  [2][65536]uint16 // sockets holding each port, per family (famIndex)
	rng    spec.PortRange
	cursor int // offset in rng of the next port to try
}

func (p *portTable) init(r spec.PortRange) { p.rng = r }

// ephemeral takes the next port of the dynamic range that no socket and no
// TIME_WAIT row holds. ok is false when every port is held (WSAENOBUFS).
func (e *Emulator) ephemeral(fam int) (uint16, bool) {
	p := &e.ports
	for i := 0; i < p.rng.Count; i++ {
		off := p.cursor + i
		if off >= p.rng.Count {
			off -= p.rng.Count
		}
		port := uint16(int(p.rng.Start) + off)
		if p.bound[fam][port] == 0 && e.tw.perPort[fam][port] == 0 {
			p.cursor = off + 1
			if p.cursor == p.rng.Count {
				p.cursor = 0
			}
			return port, true
		}
	}
	return 0, false
}

func (p *portTable) hold(fam int, port uint16)   { p.bound[fam][port]++ }
func (p *portTable) unhold(fam int, port uint16) { p.bound[fam][port]-- }

// famIndex is 0 for AF_INET, 1 for AF_INET6.
func famIndex(af int) int {
	if af == spec.AF_INET6 {
		return 1
	}
	return 0
}
