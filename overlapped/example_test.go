package overlapped_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/overlapped"
	"github.com/disconnectex/disconnectex/spec"
)

// One ConnectEx and its wait: three lines. The Request knows which handle
// to wait on (the socket here; the listener for AcceptEx) and folds
// ERROR_IO_PENDING into "in progress".
func ExampleRequest_ConnectEx() {
	api, _ := emulator.New(spec.DefaultSettings()) // or native.New on Windows
	l, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = api.Bind(l, netip.MustParseAddrPort("127.0.0.1:8080"))
	_ = api.Listen(l, 16)
	s, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = api.Bind(s, netip.MustParseAddrPort("0.0.0.0:0")) // ConnectEx needs a bound socket

	req, _ := overlapped.New(api)
	defer req.Close()
	_, err := req.ConnectEx(s, netip.MustParseAddrPort("127.0.0.1:8080")).Wait()

	fmt.Println("ConnectEx:", err)
	// Output: ConnectEx: <nil>
}

// An AcceptEx server on a completion port: the Port's loop hands each
// packet to its Op; the AcceptEx packet comes through the listener.
func ExamplePort() {
	api, _ := emulator.New(spec.DefaultSettings())
	addr := netip.MustParseAddrPort("127.0.0.1:8080")
	l, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = api.Bind(l, addr)
	_ = api.Listen(l, 16)

	port, _ := overlapped.NewPort(api)
	defer port.Close()
	_ = port.Associate(l)
	accept, _ := port.NewOp(nil)
	defer accept.Close()
	server, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	if err := accept.AcceptEx(l, server); err != nil {
		fmt.Println("AcceptEx:", err)
		return
	}

	client, _ := api.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0)
	_ = api.Connect(client, addr)
	_, _ = api.Send(client, []byte("hello"))

	_, err := accept.Wait(context.Background())
	fmt.Println("AcceptEx:", err)
	_ = api.UpdateAcceptContext(server, l)
	_ = port.Associate(server)
	recv, _ := port.NewOp(nil)
	defer recv.Close()
	buf := make([]byte, 16)
	_ = recv.WSARecv(server, buf)
	n, err := recv.Wait(context.Background())
	fmt.Printf("WSARecv: %q %v\n", buf[:n], err)
	// Output:
	// AcceptEx: <nil>
	// WSARecv: "hello" <nil>
}
