package conformance

import (
	"bytes"
	"slices"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases ported from Wine's dlls/ws2_32/tests/sock.c (Gcenx/winecx at
// crossover-wine-23.0.1, Wine 8.0.1's tests). Each case repeats one run of
// that test's calls and checks what its ok() lines check there; the
// entries of evidence_wine_sock.go name the lines each case covers. Wine's
// test bot runs these tests on Windows, so a plain ok() and a todo_wine
// ok() are both Windows' behaviour. The case groups are named for the
// function: wine-disconnectex/..., wine-connect/..., and so on.
var wineCases = slices.Concat(wineDisconnectExCases, wineResultCases, wineConnectCases, wineAcceptExCases, wineIOCPCases, wineCompletionCases, wineConnectCompletionCases, wineShutdownCases, wineTransmitFileCases, wineIOCPReadCases, wineConnectingCases, winePollCases, wineRecvCases, wineMiscCases, wineWSARecvCases, wineSendCases, wineUDPCases, wineReuseaddrCases, wineReuseaddrOptionCases, wineBindCases, wineListenCases, wineSocketCases, wineIPv6OnlyCases)

// wantHalfClosed checks the state test_DisconnectEx checks after a
// DisconnectEx(flags 0) on c.client: a second connect fails WSAEISCONN,
// send fails WSAESHUTDOWN, the server reads the FIN and can still send to
// the client, and both ends keep their names.
func wantHalfClosed(t *T, api spec.API, what string, c conn) {
	t.Helper()
	wantErr(t, what+": connect again", api.Connect(c.client, c.addr), spec.WSAEISCONN)
	_, err := api.Send(c.client, []byte("test\x00"))
	wantErr(t, what+": send on the client", err, spec.WSAESHUTDOWN)
	buf := make([]byte, 5)
	if n, err := api.Recv(c.server, buf); err != nil || n != 0 {
		t.Errorf("%s: recv on the server: got %d bytes with %s, want 0 (FIN)", what, n, errName(err))
	}
	if n, err := api.Send(c.server, []byte("test\x00")); err != nil || n != 5 {
		t.Errorf("%s: send on the server: got %d with %s, want 5", what, n, errName(err))
	}
	if n, err := api.Recv(c.client, buf); err != nil || n != 5 || !bytes.Equal(buf, []byte("test\x00")) {
		t.Errorf("%s: recv on the client: got %q with %s, want \"test\\x00\"", what, buf[:max(n, 0)], errName(err))
	}
	wantNamesKept(t, api, what, c)
}
