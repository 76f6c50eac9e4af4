package conformance

import (
	"fmt"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from dotnet/runtime's CreateSocketTests.cs (see
// evidence_dotnet_create.go).
//
// On Windows, new Socket(family, type, protocol) is one WSASocketW call
// with the three values as given, no WSAPROTOCOL_INFO and the flags
// WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT, and a failure throws a
// SocketException carrying WSASocketW's error (SocketPal.Windows.cs
// CreateSocket); System.Net.Sockets validates none of the three itself.
// new Socket(type, protocol) is the same with AF_INET6 where the OS has
// IPv6, as dotnet's Windows machines do, followed by IPV6_V6ONLY 0 (which
// a failed creation never reaches). The tests check only that a
// SocketException is thrown, not its code: the cases accept any failure
// and log a code other than the one the emulator gives
// (DX-REM-SOCKTYPES's rules).

// dotnetSocketFlags are the flags System.Net.Sockets passes to WSASocketW.
const dotnetSocketFlags = spec.WSA_FLAG_OVERLAPPED | 0x80 // | WSA_FLAG_NO_HANDLE_INHERIT

// Values of .NET's AddressFamily, SocketType and ProtocolType the tests use
// that spec does not name (the Winsock numbers where .NET takes them from
// Winsock; Packet and ControllerAreaNetwork are .NET's own, Linux-only).
const (
	dnUnknown              = -1    // AddressFamily.Unknown, SocketType.Unknown
	dnAFUnix               = 1     // AddressFamily.Unix (AF_UNIX)
	dnAFPacket             = 65536 // AddressFamily.Packet
	dnAFControllerAreaNet  = 65537 // AddressFamily.ControllerAreaNetwork
	dnProtoArpNetworkOrder = 0x0608
	dnProtoUnspecified     = 0 // ProtocolType.Unspecified
)

// dnTriple is one (family, type, protocol) row of a test's data, with the
// error the emulator gives for it (0 where it makes the socket).
type dnTriple struct {
	af, typ, proto int
	usual          spec.Errno
}

func (x dnTriple) String() string {
	return fmt.Sprintf("WSASocketW(%d, %s, %d, NULL, 0, OVERLAPPED|NO_HANDLE_INHERIT)", x.af, spec.SocketTypeName(x.typ), x.proto)
}

// dnRefused checks that the creation fails (with any error: the test
// checks none; the emulator's is logged when it differs) and gives
// INVALID_SOCKET.
func dnRefused(t *T, api spec.API, x dnTriple) {
	t.Helper()
	s, err := api.Socket(x.af, x.typ, x.proto, dotnetSocketFlags)
	if err == nil {
		api.Closesocket(s)
	}
	expectFailure(t, x.String(), err, x.usual)
	if err != nil && s != spec.INVALID_SOCKET {
		t.Errorf("%s: failed with socket %#x, want INVALID_SOCKET", x, s)
	}
}

// Ctor_Failure's rows (CtorFailureInputs).
var dnCtorFailure = []dnTriple{
	{dnUnknown, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSAEAFNOSUPPORT},
	{dnUnknown, spec.SOCK_DGRAM, spec.IPPROTO_UDP, spec.WSAEAFNOSUPPORT},
	{spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_TCP, spec.WSAEPROTONOSUPPORT},
	{spec.AF_INET, spec.SOCK_RDM, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET, spec.SOCK_SEQPACKET, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET, dnUnknown, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET, spec.SOCK_RDM, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET, spec.SOCK_SEQPACKET, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_UDP, spec.WSAEPROTONOSUPPORT},
	{spec.AF_INET, dnUnknown, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
}

// DualMode_Failure's rows (DualModeFailureInputs), on AF_INET6.
var dnDualModeFailure = []dnTriple{
	{spec.AF_INET6, spec.SOCK_DGRAM, spec.IPPROTO_TCP, spec.WSAEPROTONOSUPPORT},
	{spec.AF_INET6, spec.SOCK_RDM, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET6, spec.SOCK_SEQPACKET, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET6, dnUnknown, spec.IPPROTO_TCP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET6, spec.SOCK_RDM, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET6, spec.SOCK_SEQPACKET, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
	{spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_UDP, spec.WSAEPROTONOSUPPORT},
	{spec.AF_INET6, dnUnknown, spec.IPPROTO_UDP, spec.WSAESOCKTNOSUPPORT},
}

// Ctor_SafeHandle_BasicPropertiesPropagate_Success's rows; the Packet row's
// protocol is ETH_P_ARP in network byte order, as the test makes it. The
// emulator's error is 0 where it makes the socket.
var dnBasicProperties = []dnTriple{
	{dnAFControllerAreaNet, spec.SOCK_RAW, dnProtoUnspecified, spec.WSAEAFNOSUPPORT},
	{spec.AF_INET, spec.SOCK_DGRAM, spec.IPPROTO_UDP, 0},
	{spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0},
	{spec.AF_INET, spec.SOCK_RAW, dnProtoUnspecified, spec.WSAEACCES},
	{spec.AF_INET6, spec.SOCK_DGRAM, spec.IPPROTO_UDP, 0},
	{spec.AF_INET6, spec.SOCK_STREAM, spec.IPPROTO_TCP, 0},
	{spec.AF_INET6, spec.SOCK_RAW, dnProtoUnspecified, spec.WSAEACCES},
	{dnAFPacket, spec.SOCK_RAW, dnProtoArpNetworkOrder, spec.WSAEAFNOSUPPORT},
	{dnAFUnix, spec.SOCK_STREAM, dnProtoUnspecified, spec.WSAEAFNOSUPPORT},
}

// dnCanSkip are the errors Ctor_SafeHandle_BasicPropertiesPropagate_Success
// lets a creation fail with (AccessDenied, ProtocolNotSupported,
// AddressFamilyNotSupported); any other exception fails the test.
var dnCanSkip = []spec.Errno{spec.WSAEACCES, spec.WSAEPROTONOSUPPORT, spec.WSAEAFNOSUPPORT}

var dotnetCreateCases = []Case{
	{
		Name:    "dotnet-create/refused",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range dnCtorFailure {
				dnRefused(t, api, x)
			}
		},
	},
	{
		Name:    "dotnet-create/dual-mode-refused",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range dnDualModeFailure {
				dnRefused(t, api, x)
			}
		},
	},
	{
		// Ctor_Netcoreapp_Throws: .NET's Linux-only families with
		// SOCK_RAW and protocol 0 fail on Windows, whatever the
		// process's privilege.
		Name:    "dotnet-create/linux-families-refused",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, af := range []int{dnAFPacket, dnAFControllerAreaNet} {
				dnRefused(t, api, dnTriple{af, spec.SOCK_RAW, 0, spec.WSAEAFNOSUPPORT})
			}
		},
	},
	{
		// Ctor_SafeHandle_BasicPropertiesPropagate_Success gets past its
		// creation only if it succeeds or fails with one of dnCanSkip.
		// The ControllerAreaNetwork row is Ctor_Netcoreapp_Throws's call,
		// which fails: so it fails with one of those three.
		Name:    "dotnet-create/basic-kinds",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range dnBasicProperties {
				s, err := api.Socket(x.af, x.typ, x.proto, dotnetSocketFlags)
				if err == nil {
					api.Closesocket(s)
					if x.af == dnAFControllerAreaNet {
						t.Errorf("%s: succeeded, want a failure (Ctor_Netcoreapp_Throws)", x)
					} else {
						t.Logf("%s: succeeded", x)
					}
					continue
				}
				expectOneOf(t, x.String(), err, dnCanSkip...)
				if s != spec.INVALID_SOCKET {
					t.Errorf("%s: failed with socket %#x, want INVALID_SOCKET", x, s)
				}
			}
		},
	},
	{
		// The same test's handle copy finds no local name on Windows
		// (its IsBound is false there, and LocalEndPoint null): the
		// getsockname System.Net.Sockets calls on a socket it wraps
		// fails for a socket nothing bound. The error is not observed;
		// the emulator gives WSAEINVAL, as getsockname's page says for
		// an unbound socket.
		Name:    "dotnet-create/fresh-no-name",
		Clauses: clauses(spec.ClauseRemSocketTypes),
		Body: func(t *T, api spec.API) {
			for _, x := range dnBasicProperties {
				if x.af == dnAFUnix {
					// Windows 10 makes AF_UNIX sockets, but their names
					// are paths, which spec.API's netip.AddrPort cannot
					// carry: the row is not run.
					continue
				}
				s, err := api.Socket(x.af, x.typ, x.proto, dotnetSocketFlags)
				if err != nil {
					// IPv4 TCP and UDP are the suite's ground; the
					// others may be missing (no IPv6, no privilege).
					if x.af == spec.AF_INET && x.typ != spec.SOCK_RAW {
						t.Fatalf("%s: got %s, want success", x, errName(err))
					}
					t.Logf("%s: %s; nothing to name", x, errName(err))
					continue
				}
				name, err := api.Getsockname(s)
				if err == nil {
					t.Errorf("%s: getsockname of the fresh socket gives %v, want a failure (usually WSAEINVAL)", x, name)
				} else {
					expectFailure(t, x.String()+": getsockname of the fresh socket", err, spec.WSAEINVAL)
				}
				wantOK(t, x.String()+": closesocket", api.Closesocket(s))
			}
		},
	},
}
