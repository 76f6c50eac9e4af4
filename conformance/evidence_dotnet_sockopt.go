package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of dotnet/runtime's SocketOptionNameTest.cs (its
// address-reuse tests) and LingerStateTest.cs, each pinned to the commit
// the file index holds. On Windows, Socket.SetSocketOption(Socket,
// ReuseAddress or ExclusiveAddressUse, bool) is setsockopt(SOL_SOCKET,
// SO_REUSEADDR or SO_EXCLUSIVEADDRUSE) with an int 1 or 0, and
// Socket.ExclusiveAddressUse = true the same; LingerState's setter is
// setsockopt(SO_LINGER) with l_onoff 1 or 0 and l_linger the time as an
// unsigned short, its getter getsockopt(SO_LINGER) (SocketPal.Windows.cs,
// SetLingerOption and GetLingerOption). The setter refuses a time outside
// 0..65535 itself with ArgumentException (AssertExtensions lines, which
// have no entries).
//
// Three of the methods read have no Assert line, so no entry can name a
// case for them, though each passes on Windows only if its calls
// succeed: ReuseAddressUdp (Linux and macOS only), BindDuringTcpWait_Succeeds
// (a bind to the port of a connection whose accepted end closed with
// linger 0) and SetLingerAfterServerClosed (OuterLoop: setsockopt(SO_LINGER)
// on a client whose listener closed with the connection in its backlog).

func init() {
	registerEvidence(&dotnetSockopt)
	registerEvidence(&dotnetLinger)
}

// Reasons of these two sources.
const (
	whyUnixOnly  = "PlatformSpecific(AnyUnix): the test never runs on Windows; it checks System.Net.Sockets' Unix mapping of ExclusiveAddressUse onto the inverse of SO_REUSEADDR, and Windows keeps the two options apart (both default to off there)"
	whyAppleOnly = "PlatformSpecific(OSX, MacCatalyst, iOS, tvOS): the test never runs on Windows"
	whyGetLinger = "the Assert reads SO_LINGER back with getsockopt (LingerState's getter, SocketPal.Windows.cs GetLingerOption); spec.API sets SO_LINGER (SetLinger) but cannot read it"
)

var dotnetSockopt = evidenceSource{
	Name:       "dotnet-sockopt",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "SocketOptionNameTest.cs",
	Version:    "main",
	Commit:     "1608c2d8f00d4704c7fc4a45266bd00a714da84d",
	CasePrefix: "dotnet-sockopt/",
	Complete: []string{"ReuseAddress", "ReuseAddress_Windows", "ExclusiveAddress_Default_Unix", "SettingExclusiveAddress_SetsReuseAddress",
		"ExclusiveAddressUseTcp", "ReuseAddressUdp", "BindDuringTcpWait_Succeeds"},
	Entries: []expectation{
		{Func: "ReuseAddress", Line: 340, Kind: kindAssert, Checks: "every platform, ordinary pass: a UDP socket bound to 127.0.0.1:0, a second UDP socket's bind to the same address and port fails (some SocketException, the code unchecked) in the 10 rows that expect it: no option on either; SO_REUSEADDR 0 on the second; SO_REUSEADDR 0 on both; SO_REUSEADDR 1 on the first only; SO_EXCLUSIVEADDRUSE 1 on the first with SO_REUSEADDR unset, 0 or 1 on the second; and the same after SO_REUSEADDR 0 on the exclusive first (that setsockopt succeeding, outside any Assert). The row with SO_REUSEADDR 1 on both binds without an Assert (b.Bind at 344 must not throw); the case checks that it succeeds too", Case: "dotnet-sockopt/reuse-address-udp"},
		{Func: "ReuseAddress", Line: 340, Kind: kindAssert, Checks: "ReuseAddress_Windows (PlatformSpecific Windows), its 6 failing rows: SO_EXCLUSIVEADDRUSE 0 set on the first socket, then SO_REUSEADDR unset, 0 or 1 on the first and unset or 0 on the second: the second UDP bind to the first one's 127.0.0.1 address and port fails; its seventh row, SO_EXCLUSIVEADDRUSE 0 then SO_REUSEADDR 1 on the first and SO_REUSEADDR 1 on the second, reaches the bind at 344 outside any Assert, which succeeds", Case: "dotnet-sockopt/reuse-address-windows-udp"},
		{Func: "ExclusiveAddress_Default_Unix", Line: 370, End: 372, Kind: kindAssert, Checks: "Unix only: a new UDP socket reads ExclusiveAddressUse 1 and ReuseAddress 0", Why: whyUnixOnly},
		{Func: "SettingExclusiveAddress_SetsReuseAddress", Line: 386, End: 387, Kind: kindAssert, Checks: "Unix only: setting ExclusiveAddressUse to 1 or 0 reads back that value, and ReuseAddress the other", Why: whyUnixOnly},
		{Func: "SettingExclusiveAddress_SetsReuseAddress", Line: 395, End: 396, Kind: kindAssert, Checks: "Unix only: setting ReuseAddress to 1 or 0 reads back that value, and ExclusiveAddressUse the other", Why: whyUnixOnly},
		{Func: "ExclusiveAddressUseTcp", Line: 414, End: 415, Kind: kindAssert, Checks: "every platform, ordinary pass: a TCP socket with SO_EXCLUSIVEADDRUSE set, bound to 127.0.0.1:0 and listening (Listen() with the default backlog); a second TCP socket without options fails to bind 127.0.0.1 on that port with SocketError.AddressAlreadyInUse (WSAEADDRINUSE)", Case: "dotnet-sockopt/exclusive-address-use-tcp"},
	},
}

var dotnetLinger = evidenceSource{
	Name:       "dotnet-linger",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "LingerStateTest.cs",
	Version:    "main",
	Commit:     "a4c0227b3b2c14795803c25055982666fc7bae7b",
	CasePrefix: "dotnet-linger/",
	Complete: []string{"TestLingerState_Success", "TestLingerState_ArgumentException", "Socket_LingerState_Common_Boundaries_CorrectBehavior",
		"Socket_LingerState_Upper_Boundaries_CorrectBehavior", "Socket_LingerState_Upper_Boundaries_CorrectBehavior_Apple", "SetLingerAfterServerClosed"},
	Entries: []expectation{
		{Func: "TestLingerState_Success", Line: 15, End: 16, Kind: kindAssert, Checks: "OuterLoop (Socket_LingerState_Common_Boundaries_CorrectBehavior): on one new TCP socket, setsockopt(SO_LINGER) with l_onoff 1 and l_linger 0, then 120, succeeds (a failure would throw before these Asserts)", Case: "dotnet-linger/common-boundaries"},
		{Func: "TestLingerState_Success", Line: 15, End: 16, Kind: kindAssert, Checks: "OuterLoop (Socket_LingerState_Upper_Boundaries_CorrectBehavior, skipped on Apple platforms only): on one new TCP socket, setsockopt(SO_LINGER) with l_onoff 1 and l_linger 32767, 32768, then 65535, succeeds", Case: "dotnet-linger/upper-boundaries"},
		{Func: "TestLingerState_Success", Line: 15, End: 16, Kind: kindAssert, Clause: spec.ClauseGapPeerReset, Checks: "after each of those sets, getsockopt(SO_LINGER) gives l_onoff nonzero and the l_linger just set", Why: whyGetLinger},
		{Func: "Socket_LingerState_Common_Boundaries_CorrectBehavior", Line: 33, End: 34, Kind: kindAssert, Clause: spec.ClauseGapPeerReset, Checks: "OuterLoop: getsockopt(SO_LINGER) of a new TCP socket gives l_onoff 0 and l_linger 0", Why: whyGetLinger},
		{Func: "Socket_LingerState_Upper_Boundaries_CorrectBehavior_Apple", Line: 64, Kind: kindAssert, Checks: "Apple only: a linger time of 32767 is refused with SocketException", Why: whyAppleOnly},
		{Func: "Socket_LingerState_Upper_Boundaries_CorrectBehavior_Apple", Line: 69, Kind: kindAssert, Checks: "Apple only: the same for 32768", Why: whyAppleOnly},
		{Func: "Socket_LingerState_Upper_Boundaries_CorrectBehavior_Apple", Line: 74, Kind: kindAssert, Checks: "Apple only: the same for 65535", Why: whyAppleOnly},
	},
}
