package spec_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// LoadDisconnectEx looks the function up the documented way, on the
// socket that will use it, and returns it as a Go function. Here the
// server closes first, so the client's DisconnectEx(TF_REUSE_SOCKET)
// completes at once (DX-GAP-PEER-CLOSED) and leaves the socket
// unconnected, ready for ConnectEx.
func ExampleLoadDisconnectEx() {
	api, _ := emulator.New(spec.DefaultSettings()) // or native.New on Windows
	addr := netip.MustParseAddrPort("127.0.0.1:8080")
	l, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	_ = api.Bind(l, addr)
	_ = api.Listen(l, 16)
	c, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	_ = api.Connect(c, addr)
	server, _, _ := api.Accept(l)

	disconnectEx, err := spec.LoadDisconnectEx(api, c)
	fmt.Println("LoadDisconnectEx:", err)

	_ = api.Closesocket(server)
	n, _ := api.Recv(c, make([]byte, 8)) // the server's FIN
	fmt.Println("recv:", n)
	fmt.Println("DisconnectEx(TF_REUSE_SOCKET):", disconnectEx(c, 0, spec.TF_REUSE_SOCKET, 0))
	_, err = api.Getpeername(c)
	fmt.Println("getpeername is WSAENOTCONN:", errors.Is(err, spec.WSAENOTCONN))

	_, err = spec.LoadDisconnectEx(api, spec.INVALID_SOCKET)
	fmt.Println("on INVALID_SOCKET:", err)
	// Output:
	// LoadDisconnectEx: <nil>
	// recv: 0
	// DisconnectEx(TF_REUSE_SOCKET): <nil>
	// getpeername is WSAENOTCONN: true
	// on INVALID_SOCKET: WSAENOTSOCK (10038): the handle is not a socket
}
