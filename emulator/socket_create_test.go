package emulator

import (
	"fmt"
	"testing"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// TestSocketCreationRules runs the table of Wine's test_WSASocket (sock.c
// lines 3005-3047 at Gcenx/winecx crossover-wine-23.0.1, checked by ok() at
// 3050-3065 on Windows): which (af, type, protocol) combinations
// WSASocket refuses, with which error, and the family and type of the
// socket it makes from the others.
func TestSocketCreationRules(t *testing.T) {
	const bad = 0xdead
	eachProfile(t, func(t *testing.T, w *world) {
		for i, x := range []struct {
			af, typ, proto int
			want           error
			gotAF, gotType int
		}{
			{bad, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSAEAFNOSUPPORT, 0, 0},
			{-1, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSAEAFNOSUPPORT, 0, 0},
			{spec.AF_INET, bad, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{spec.AF_INET, -1, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{spec.AF_INET, spec.SOCK_STREAM, bad, spec.WSAEPROTONOSUPPORT, 0, 0},
			{spec.AF_INET, spec.SOCK_STREAM, -1, spec.WSAEPROTONOSUPPORT, 0, 0},
			{bad, bad, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{bad, spec.SOCK_STREAM, bad, spec.WSAEAFNOSUPPORT, 0, 0},
			{spec.AF_INET, bad, bad, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{bad, spec.SOCK_STREAM, spec.IPPROTO_UDP, spec.WSAEAFNOSUPPORT, 0, 0},

			{spec.AF_INET, spec.SOCK_STREAM, 0, nil, spec.AF_INET, spec.SOCK_STREAM},
			{spec.AF_INET, spec.SOCK_DGRAM, 0, nil, spec.AF_INET, spec.SOCK_DGRAM},
			{spec.AF_INET, bad, 0, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{spec.AF_INET, 0, spec.IPPROTO_TCP, nil, spec.AF_INET, spec.SOCK_STREAM},
			{spec.AF_INET, 0, spec.IPPROTO_UDP, nil, spec.AF_INET, spec.SOCK_DGRAM},
			{spec.AF_INET, 0, bad, spec.WSAEPROTONOSUPPORT, 0, 0},
			{spec.AF_INET, 0, 0, nil, spec.AF_INET, spec.SOCK_STREAM},
			{spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_UDP, spec.WSAEPROTONOSUPPORT, 0, 0},
			{spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_TCP, spec.WSAEPROTONOSUPPORT, 0, 0},

			{0, spec.SOCK_STREAM, spec.IPPROTO_TCP, nil, spec.AF_INET, spec.SOCK_STREAM},
			{0, spec.SOCK_STREAM, bad, spec.WSAEPROTONOSUPPORT, 0, 0},
			{0, bad, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT, 0, 0},
			{0, spec.SOCK_STREAM, 0, spec.WSAEINVAL, 0, 0},
			{0, spec.SOCK_DGRAM, 0, spec.WSAEINVAL, 0, 0},
			{0, bad, 0, spec.WSAEINVAL, 0, 0},
			{0, 0, spec.IPPROTO_TCP, nil, spec.AF_INET, spec.SOCK_STREAM},
			{0, 0, spec.IPPROTO_UDP, nil, spec.AF_INET, spec.SOCK_DGRAM},
			{0, 0, bad, spec.WSAEPROTONOSUPPORT, 0, 0},
			{0, 0, 0, spec.WSAEINVAL, 0, 0},

			// Raw sockets (test_WSASocket 3252-3255): an unprivileged
			// process, as the emulator models, is refused WSAEACCES.
			{spec.AF_INET, spec.SOCK_RAW, 1, spec.WSAEACCES, 0, 0},
			{0, 0, 255, spec.WSAEACCES, 0, 0},
			// IPX (3319-3323): not installed.
			{6, spec.SOCK_DGRAM, 1000, spec.WSAEAFNOSUPPORT, 0, 0},
		} {
			what := fmt.Sprintf("row %d: Socket(%#x, %#x, %#x)", i, x.af, x.typ, x.proto)
			s, err := w.e.Socket(x.af, x.typ, x.proto, 0)
			if x.want != nil {
				assert.Assert(t, err == x.want, "%s: got %v, want %v", what, err, x.want)
				assert.Equal(t, s, spec.INVALID_SOCKET, what)
				continue
			}
			assert.NilError(t, err, what)
			so := w.e.sock(s)
			assert.Equal(t, so.af, x.gotAF, what)
			assert.Equal(t, so.typ, x.gotType, what)
			w.ok(w.e.Closesocket(s))
		}
	})
}
