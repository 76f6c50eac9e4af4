package conformance

import "github.com/disconnectex/disconnectex/spec"

// Cases from sock.c's test_TransmitFile. spec.API has no TransmitFile, so
// only the lookup of its pointer is checked here; the entries of
// evidence_wine_sock_transmitfile.go say why for every other line.
var wineTransmitFileCases = []Case{
	{
		Name:    "wine-transmitfile/lookup",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseExtension),
		Body: func(t *T, api spec.API) {
			// socket(AF_INET, SOCK_STREAM, 0), twice: the test's client
			// and server; it looks the pointer up on the client.
			c := sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			sock(t, api, spec.AF_INET, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
			fn, n, err := api.ExtensionLookup(c, spec.WSAID_TRANSMITFILE, 0, true)
			if !wantOK(t, "WSAIoctl(WSAID_TRANSMITFILE)", err) {
				return
			}
			if fn == 0 {
				t.Errorf("WSAIoctl(WSAID_TRANSMITFILE): got a NULL pointer, want nonzero")
			}
			if n != 8 {
				t.Errorf("WSAIoctl(WSAID_TRANSMITFILE): got %d bytes returned, want 8 (sizeof(void *))", n)
			}
		},
	},
}
