package conformance

import (
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// smallRange is the dynamic port range of the exhaustion cases: the
// listener takes one port, leaving three for clients.
func smallRange(d time.Duration) func(*spec.Settings) {
	return func(s *spec.Settings) {
		s.DynamicPorts = spec.PortRange{Start: 50000, Count: 4}
		s.TcpTimedWaitDelay = d
	}
}

// fillWithTimeWait makes connections from implicitly bound clients until
// n of them have closed first, each leaving a TIME_WAIT row on its port.
func fillWithTimeWait(t *T, api spec.API, n int) (netip.AddrPort, []uint16) {
	t.Helper()
	l, addr := listener(t, api)
	var ports []uint16
	for range n {
		c := dial(t, api, addr, byConnect)
		s := acceptOne(t, api, l, byAccept)
		ports = append(ports, localPort(t, api, c))
		closeNow(t, api, "client closes first", c)
		closeNow(t, api, "server closes", s)
	}
	for _, p := range ports {
		wantRow(t, api, "closed client", p, addr, spec.TCPTimeWait)
	}
	return addr, ports
}

// closedPair connects a client explicitly bound to 127.0.0.1:0 to a new
// listener, closes the client first and then the server, and returns the
// client's local address and the listener's: that socket pair is left in
// TIME_WAIT on the client's port.
func closedPair(t *T, api spec.API) (local, remote netip.AddrPort) {
	t.Helper()
	l, addr := listener(t, api)
	c := tcp(t, api)
	mustOK(t, "bind client 127.0.0.1:0", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
	local, err := api.Getsockname(c)
	mustOK(t, "getsockname", err)
	mustOK(t, "connect", api.Connect(c, addr))
	s := acceptOne(t, api, l, byAccept)
	closeNow(t, api, "client closes first", c)
	closeNow(t, api, "server closes", s)
	return local, addr
}

// Cases for ports: TIME_WAIT rows hold local ports, so a small dynamic
// range runs out, and a socket pair in TIME_WAIT cannot be connected again.
var portsCases = []Case{
	{
		Name:     "ports/implicit-bind-in-range",
		Clauses:  clauses(spec.ClauseGapPortExhaustion),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			r := t.Settings().DynamicPorts
			for _, s := range []spec.Socket{c.ln, c.client} {
				if p := localPort(t, api, s); !r.Contains(p) {
					t.Errorf("implicitly bound port: got %d, want within %d..%d", p, r.Start, int(r.Start)+r.Count-1)
				}
			}
		},
	},
	{
		Name:     "ports/exhaustion-bind",
		Clauses:  clauses(spec.ClauseGapPortExhaustion, spec.ClauseRemTimeWaitPair),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			fillWithTimeWait(t, api, 3)
			s := tcp(t, api)
			wantErr(t, "bind(127.0.0.1:0) with every dynamic port in TIME_WAIT", api.Bind(s, netip.AddrPortFrom(loopback4, 0)), spec.WSAENOBUFS)
		},
	},
	{
		Name:     "ports/exhaustion-connect",
		Clauses:  clauses(spec.ClauseGapPortExhaustion),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			addr, _ := fillWithTimeWait(t, api, 3)
			s := tcp(t, api)
			expectOneOf(t, "connect from an unbound socket with every dynamic port in TIME_WAIT", api.Connect(s, addr),
				spec.WSAENOBUFS, spec.WSAEADDRINUSE)
		},
	},
	{
		Name:     "ports/exhaustion-live-sockets",
		Clauses:  clauses(spec.ClauseGapPortExhaustion),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			for range 3 {
				dial(t, api, addr, byConnect)
				acceptOne(t, api, l, byAccept)
			}
			s := tcp(t, api)
			wantErr(t, "bind(127.0.0.1:0) with every dynamic port held by a live socket", api.Bind(s, netip.AddrPortFrom(loopback4, 0)), spec.WSAENOBUFS)
		},
	},
	{
		Name:     "ports/recovery-after-timewait",
		Clauses:  clauses(spec.ClauseGapPortExhaustion, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitRelease),
		Needs:    needs(Settings),
		Settings: smallRange(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			addr, ports := fillWithTimeWait(t, api, 3)
			s := tcp(t, api)
			wantErr(t, "bind(127.0.0.1:0) during TIME_WAIT", api.Bind(s, netip.AddrPortFrom(loopback4, 0)), spec.WSAENOBUFS)
			api.Sleep(30*time.Second + prompt)
			for _, p := range ports {
				wantNoRow(t, api, "after TIME_WAIT", p, addr)
			}
			wantOK(t, "bind(127.0.0.1:0) after TIME_WAIT", api.Bind(s, netip.AddrPortFrom(loopback4, 0)))
			c := tcp(t, api)
			wantOK(t, "connect after TIME_WAIT", api.Connect(c, addr))
		},
	},
	{
		Name:     "ports/passive-close-holds-nothing",
		Clauses:  clauses(spec.ClauseGapPortExhaustion, spec.ClauseRemTimeWait),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			for i := range 6 {
				// Each connection goes to its own server (outside the dynamic
				// range), so a reused client port never meets its own pair in
				// the server's TIME_WAIT (that is DX-GAP-TIMEWAIT-SYN's case).
				l := tcp(t, api)
				addr := netip.AddrPortFrom(loopback4, uint16(40001+i))
				mustOK(t, "bind a listener outside the dynamic range", api.Bind(l, addr))
				mustOK(t, "listen", api.Listen(l, 1))
				c := dial(t, api, addr, byConnect)
				s := acceptOne(t, api, l, byAccept)
				closeNow(t, api, "server closes first", s)
				closeNow(t, api, "client closes second", c)
				if t.Failed() {
					t.Fatalf("connection %d of 6 in a range of 4 client ports failed", i+1)
				}
			}
		},
	},
	{
		Name:     "ports/implicit-bind-skips-timewait",
		Clauses:  clauses(spec.ClauseRemTimeWaitPair, spec.ClauseGapPortExhaustion),
		Needs:    needs(Settings),
		Settings: smallRange(spec.DefaultTcpTimedWaitDelay),
		Body: func(t *T, api spec.API) {
			addr, ports := fillWithTimeWait(t, api, 2)
			c := tcp(t, api)
			mustOK(t, "connect with one dynamic port left", api.Connect(c, addr))
			p := localPort(t, api, c)
			for _, held := range ports {
				if p == held {
					t.Errorf("implicit bind: got port %d, which a TIME_WAIT row holds", p)
				}
			}
		},
	},
	{
		Name:    "ports/timewait-pair-addrinuse",
		Clauses: clauses(spec.ClauseRemTimeWaitPair),
		Body: func(t *T, api spec.API) {
			local, addr := closedPair(t, api)
			wantRow(t, api, "closed client", local.Port(), addr, spec.TCPTimeWait)
			c2 := tcp(t, api)
			wantOK(t, "bind to a port held only by TIME_WAIT", api.Bind(c2, local))
			wantErr(t, "connect the same socket pair while it is in TIME_WAIT", api.Connect(c2, addr), spec.WSAEADDRINUSE)
		},
	},
	{
		Name:    "ports/timewait-pair-other-remote",
		Clauses: clauses(spec.ClauseRemTimeWaitPair),
		Body: func(t *T, api spec.API) {
			_, addr2 := listener(t, api)
			local, _ := closedPair(t, api)
			c2 := tcp(t, api)
			mustOK(t, "bind to a port held only by TIME_WAIT", api.Bind(c2, local))
			wantOK(t, "connect the same local port to another server", api.Connect(c2, addr2))
		},
	},
	{
		Name:     "ports/timewait-pair-after-expiry",
		Clauses:  clauses(spec.ClauseRemTimeWaitPair, spec.ClauseRemTimeWait, spec.ClauseRemTimeWaitRelease),
		Needs:    needs(Settings),
		Settings: delay(30 * time.Second),
		Waits:    31 * time.Second,
		Body: func(t *T, api spec.API) {
			local, addr := closedPair(t, api)
			api.Sleep(30*time.Second + prompt)
			c2 := tcp(t, api)
			mustOK(t, "bind to the port after TIME_WAIT", api.Bind(c2, local))
			wantOK(t, "connect the same socket pair after TIME_WAIT", api.Connect(c2, addr))
		},
	},
	{
		Name:    "ports/bind-live-port-addrinuse",
		Clauses: clauses(spec.ClauseRemTimeWaitPair),
		Body: func(t *T, api spec.API) {
			_, addr := listener(t, api)
			s := tcp(t, api)
			wantErr(t, "bind to the port of a live listener", api.Bind(s, addr), spec.WSAEADDRINUSE)
		},
	},
}
