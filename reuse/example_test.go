package reuse_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/reuse"
	"github.com/disconnectex/disconnectex/spec"
)

// A client pool: ten connections, one after the other, on one socket.
// On Windows pass native.New's API instead of the emulator: the code is the
// same. The server closes first here, so the remote holds each pair in
// TIME_WAIT; the pool keeps the socket off that remote meanwhile, and on
// the emulator's virtual clock the 240 s pass at once.
func ExamplePool() {
	api, _ := emulator.New(spec.DefaultSettings())
	l, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	addr := netip.MustParseAddrPort("127.0.0.1:8080")
	_ = api.Bind(l, addr)
	_ = api.Listen(l, 16)
	go func() { // a plain blocking server: send "hi", close first
		for {
			s, _, err := api.Accept(l)
			if err != nil {
				return
			}
			_, _ = api.Send(s, []byte("hi"))
			_ = api.Closesocket(s)
		}
	}()

	pool, _ := reuse.NewPool(api, reuse.PoolConfig{Size: 1})
	defer pool.Close()
	for range 10 {
		c, err := pool.DialContext(context.Background(), addr)
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(c) // "hi", then the server's FIN
		_ = c.Close()         // DisconnectEx(TF_REUSE_SOCKET)
		_ = b
	}
	st := pool.Stats()
	// How many of the Dials had to wait out the remote's TIME_WAIT depends on
	// how the server goroutine's close interleaves with the recycle, so the
	// example prints only what does not.
	fmt.Printf("fresh %d, reused %d, waited for the remote's TIME_WAIT: %t\n", st.Fresh, st.Reused, st.TimeWaitWaits > 0)
	// Output: fresh 1, reused 9, waited for the remote's TIME_WAIT: true
}

// An AcceptEx server: the Listener keeps AcceptEx requests outstanding and
// recycles every accepted socket when its connection is closed. With at
// most 3 sockets, the fourth connection lands on a recycled one.
func ExampleListener() {
	api, _ := emulator.New(spec.DefaultSettings())
	ln, _ := reuse.Listen(api, netip.MustParseAddrPort("127.0.0.1:8080"), reuse.ListenConfig{Accepts: 2, MaxSockets: 3})
	defer ln.Close()

	for i := range 4 {
		// A plain blocking client sends a line and closes first.
		cl, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
		_ = api.Connect(cl, ln.AddrPort())
		_, _ = api.Send(cl, fmt.Appendf(nil, "request %d", i))
		_ = api.Shutdown(cl, spec.SD_SEND)

		c, err := ln.Accept()
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(c)
		fmt.Printf("%s\n", b)
		_ = c.Close() // the client closed first: reusable at once
		_ = api.Closesocket(cl)
	}
	st := ln.Stats()
	fmt.Printf("fresh %d, reused %d\n", st.Fresh, st.Reused)
	// Output:
	// request 0
	// request 1
	// request 2
	// request 3
	// fresh 3, reused 1
}
