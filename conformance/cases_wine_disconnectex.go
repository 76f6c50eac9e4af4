package conformance

import "github.com/disconnectex/disconnectex/spec"

// Cases from sock.c's test_DisconnectEx.
var wineDisconnectExCases = []Case{
	{
		Name:    "wine-disconnectex/errors-before-connect",
		Clauses: clauses(spec.ClauseParamSocket, spec.ClauseGapBadHandle, spec.ClauseErrNotConn, spec.ClauseRequirements),
		Body: func(t *T, api spec.API) {
			// socket() sockets are overlapped; the test passes its
			// OVERLAPPED to both failing calls.
			c := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			_, err := api.GetExtensionFunction(c, spec.WSAID_DISCONNECTEX)
			mustOK(t, "WSAIoctl(WSAID_DISCONNECTEX)", err)
			ev := event(t, api)
			ov := overlapped(t, api, ev)
			wantErr(t, "DisconnectEx(INVALID_SOCKET, ov, 0, 0)", api.DisconnectEx(spec.INVALID_SOCKET, ov, 0, 0), spec.WSAENOTSOCK)
			wantErr(t, "DisconnectEx(unconnected, ov, 0, 0)", api.DisconnectEx(c, ov, 0, 0), spec.WSAENOTCONN)
			if signalled(api, ev) {
				t.Errorf("hEvent after two immediate failures: got signalled, want not signalled")
			}
		},
	},
	{
		Name:    "wine-disconnectex/overlapped-half-closes",
		Clauses: clauses(spec.ClauseRetPending, spec.ClauseRemSignalEvent, spec.ClauseParamFlags, spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			ov, ev := pending(t, api, c.client, 0)
			wantDone(t, api, "DisconnectEx(client, ov, 0, 0)", c.client, ov, ev, spec.ERROR_SUCCESS)
			wantHalfClosed(t, api, "after the overlapped DisconnectEx", c)
		},
	},
	{
		Name:    "wine-disconnectex/sync-twice-half-closes",
		Clauses: clauses(spec.ClauseRetSuccess, spec.ClauseGapNullOverlapped, spec.ClauseGapAfterShutdown, spec.ClauseGapShutdownSend, spec.ClauseErrNotConnTransmit),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantOK(t, "DisconnectEx(client, NULL, 0, 0)", api.DisconnectEx(c.client, 0, 0, 0))
			wantOK(t, "DisconnectEx(client, NULL, 0, 0) again", api.DisconnectEx(c.client, 0, 0, 0))
			wantHalfClosed(t, api, "after two synchronous DisconnectEx calls", c)
		},
	},
}
