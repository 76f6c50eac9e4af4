package reuse_test

import (
	"io"
	"net/netip"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

// benchServer accepts with a reuse.Listener and closes each connection
// after the client's FIN. TcpTimedWaitDelay is 0, so neither variant of a
// client pays a TIME_WAIT and the ports do not run out.
func benchServer(b *testing.B) (spec.API, netip.AddrPort) {
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = 0
	e, err := emulator.New(s)
	if err != nil {
		b.Fatal(err)
	}
	l, err := reuse.Listen(e, loopback, reuse.ListenConfig{})
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); _ = c.Close() }()
		}
	}()
	b.Cleanup(func() { _ = l.Close() })
	return e, l.AddrPort()
}

// BenchmarkConnReused: Dial and Close through a Pool of one socket,
// recycled with DisconnectEx(TF_REUSE_SOCKET) each time.
func BenchmarkConnReused(b *testing.B) {
	api, addr := benchServer(b)
	benchReused(b, api, addr)
}

// BenchmarkConnFresh: a fresh socket each time: socket, bind, ConnectEx
// and its wait, closesocket.
func BenchmarkConnFresh(b *testing.B) {
	api, addr := benchServer(b)
	benchFresh(b, api, addr)
}

// benchReused dials addr and closes the connection through a Pool of one
// socket, and reports how many dials reused it and how many made a fresh one.
func benchReused(b *testing.B, api spec.API, addr netip.AddrPort) {
	p, err := reuse.NewPool(api, reuse.PoolConfig{Size: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c, err := p.DialContext(b.Context(), addr)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
		n++
	}
	st := p.Stats()
	b.ReportMetric(float64(st.Reused)/float64(n), "reused/op")
	b.ReportMetric(float64(st.Fresh)/float64(n), "fresh/op")
}

// benchFresh connects a fresh socket to addr each time: socket, bind,
// ConnectEx and its wait, closesocket.
func benchFresh(b *testing.B, api spec.API, addr netip.AddrPort) {
	req, err := overlapped.New(api)
	if err != nil {
		b.Fatal(err)
	}
	defer req.Close()
	any4 := netip.MustParseAddrPort("0.0.0.0:0")
	b.ReportAllocs()
	for b.Loop() {
		s, err := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
		if err != nil {
			b.Fatal(err)
		}
		if err := api.Bind(s, any4); err != nil {
			b.Fatal(err)
		}
		if _, err := req.ConnectEx(s, addr).Wait(); err != nil {
			b.Fatal(err)
		}
		_ = api.Closesocket(s)
	}
}
