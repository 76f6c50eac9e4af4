package reuse_test

import (
	"io"
	"net/netip"
	"testing"

	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

// The pool benchmarks on the native backend, for Wine: a connection from a
// Pool of one socket against a fresh socket each time, both to a
// reuse.Listener that closes after the client's FIN. Wine 8.0 ignores
// TF_REUSE_SOCKET, so there the pool's socket is refused at every reuse
// and replaced (the reused/op metric says how many connections really ran
// on a reused socket). On Windows the client, which closes first, would
// wait out a real TIME_WAIT (240 s) per reuse, so they run under Wine
// only:
//
//	WINE_TEST_ONLY=reuse WINE_TEST_RUN='^$' WINE_TEST_BENCH=Native WINE_TEST_RACE=0 scripts/wine-test

// nativeBenchServer returns the native backend under Wine and the address
// of a listener serving it.
func nativeBenchServer(b *testing.B) (spec.API, netip.AddrPort) {
	api, err := native.New(spec.DefaultSettings())
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { _ = api.Close() })
	if _, wine := native.WineVersion(); !wine {
		b.Skip("on Windows every reuse waits a real TIME_WAIT (240 s)")
	}
	l, err := reuse.Listen(api, loopback, reuse.ListenConfig{})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); _ = c.Close() }()
		}
	}()
	b.Cleanup(func() { _ = l.Close(); <-done })
	return api, l.AddrPort()
}

// BenchmarkNativeConnReused: Dial and Close through a Pool of one socket.
func BenchmarkNativeConnReused(b *testing.B) {
	api, addr := nativeBenchServer(b)
	benchReused(b, api, addr)
}

// BenchmarkNativeConnFresh: socket, bind, ConnectEx and its wait,
// closesocket, each time.
func BenchmarkNativeConnFresh(b *testing.B) {
	api, addr := nativeBenchServer(b)
	benchFresh(b, api, addr)
}
