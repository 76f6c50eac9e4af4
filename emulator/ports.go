package emulator

import "github.com/disconnectex/disconnectex/spec"

// portTable tracks which local ports are held and hands out ephemeral ports.
// A port is held by a socket bound to it (explicitly or implicitly, and by a
// closed socket's connection still closing) and by any TIME_WAIT row on it
// (twQueue.perPort). Implicit binds take the next free port of the dynamic
// range after a cursor, so the sequence of ports is deterministic.
type portTable struct {
	bound  [65536]uint16 // sockets holding each port
	rng    spec.PortRange
	cursor int // offset in rng of the next port to try
}

func (p *portTable) init(r spec.PortRange) { p.rng = r }

// ephemeral takes the next port of the dynamic range that no socket and no
// TIME_WAIT row holds. ok is false when every port is held (WSAENOBUFS).
func (e *Emulator) ephemeral() (uint16, bool) {
	p := &e.ports
	for i := 0; i < p.rng.Count; i++ {
		off := p.cursor + i
		if off >= p.rng.Count {
			off -= p.rng.Count
		}
		port := uint16(int(p.rng.Start) + off)
		if p.bound[port] == 0 && e.tw.perPort[port] == 0 {
			p.cursor = off + 1
			if p.cursor == p.rng.Count {
				p.cursor = 0
			}
			return port, true
		}
	}
	return 0, false
}

func (p *portTable) hold(port uint16)   { p.bound[port]++ }
func (p *portTable) unhold(port uint16) { p.bound[port]-- }
