package conformance

// The expectations of dotnet/runtime's CreateSocketTests.cs, pinned to the
// commit the file index holds. On Windows every new Socket(family, type,
// protocol) is one WSASocketW call with the values unchanged
// (SocketPal.Windows.cs CreateSocket); System.Net.Sockets checks none of
// them first, so each SocketException the tests expect is WSASocketW's
// failure. DualMode_Failure and Ctor_Failure are OuterLoop (run in
// dotnet's outer-loop legs, Windows among them, not in every pull
// request); both check only that the creation throws, not the code.
//
// Read but not listed as complete: DualMode_Success and Ctor_Success (no
// Assert line: they pass on Windows if AF_INET and AF_INET6 sockets of
// SOCK_STREAM/TCP and SOCK_DGRAM/UDP are made, and for dual mode
// IPV6_V6ONLY can be cleared); Ctor_Raw_Supported_Success (Unix only, no
// Assert); Ctor_Netcoreapp_Success and Ctor_Socket_FromPipeHandle
// (Linux); Ctor_SafeHandle_Invalid_ThrowsException (AssertExtensions lines:
// the managed handle validation); Ctor_SafeHandle_Tcp_SendReceive_Success
// and Ctor_SafeHandle_Listening_Success (a second Socket object over a
// handle, the managed properties it loads); Ctor_SafeHandle_UnknownSocket
// and Ctor_SafeHandle_SocketPair (Linux netlink, Unix socketpair).

import "github.com/disconnectex/disconnectex/spec"

func init() { registerEvidence(&dotnetCreate) }

// Reasons of this source.
const (
	whyCreateUnixOnly  = "PlatformSpecific(AnyUnix): the test never runs on Windows (and AdminHelpers' elevation decides which of the two raw tests runs)"
	whyCreateManaged   = "a property of the managed Socket object: the family, type and protocol given to its constructor, Connected, IsBound, LocalEndPoint and RemoteEndPoint of a socket nothing bound or connected, Blocking (true from the start; Windows cannot read FIONBIO back), none read from Winsock"
	whyCreateNotOnWin  = "inside if (copy.IsBound), which the test asserts with Debug.Assert is never taken on Windows (and whose checks run on Linux only)"
	whyCreateHandleCpy = "a second Socket over the same handle reads its family, type and protocol back with getsockopt(SO_PROTOCOL_INFOW) (LoadSocketTypeFromHandle); spec.API has no such getsockopt"
	whyCreateTwoReads  = "the same option, ioctl or managed field read through two Socket objects over one handle (FIONREAD, SO_EXCLUSIVEADDRUSE, SO_RCVBUF, SO_RCVTIMEO, SO_SNDBUF, SO_SNDTIMEO; Handle and UseOnlyOverlappedIO are managed); spec.API has neither those reads nor a second object"
)

var dotnetCreate = evidenceSource{
	Name:       "dotnet-create",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "CreateSocketTests.cs",
	Version:    "main",
	Commit:     "843caa7e609dc0c4400ef6c187fb3e58a24111f4",
	CasePrefix: "dotnet-create/",
	Complete: []string{
		"DualMode_Failure", "Ctor_Failure", "Ctor_Raw_NotSupported_ExpectedError",
		"CtorAndAccept_SocketNotKeptAliveViaInheritance", "Ctor_Netcoreapp_Throws",
		"Ctor_SafeHandle_BasicPropertiesPropagate_Success",
	},
	Entries: []expectation{
		{Func: "DualMode_Failure", Line: 59, Kind: kindAssert, Checks: "OuterLoop: new Socket(type, protocol), which is AF_INET6 on a machine with IPv6, throws for SOCK_DGRAM with TCP, SOCK_STREAM with UDP, and SOCK_RDM, SOCK_SEQPACKET or type -1 with TCP or UDP (WSASocketW fails; the code is not checked)", Case: "dotnet-create/dual-mode-refused"},
		{Func: "Ctor_Failure", Line: 95, Kind: kindAssert, Checks: "OuterLoop: WSASocketW fails for family -1 with SOCK_STREAM/TCP and SOCK_DGRAM/UDP, and for AF_INET with SOCK_DGRAM/TCP, SOCK_STREAM/UDP, and SOCK_RDM, SOCK_SEQPACKET or type -1 with TCP or UDP (the code is not checked)", Case: "dotnet-create/refused"},
		{Func: "Ctor_Raw_NotSupported_ExpectedError", Line: 123, End: 124, Kind: kindAssert, Checks: "unprivileged: SOCK_RAW with TCP, UDP or ICMP on AF_INET and AF_INET6 fails with AccessDenied or ProtocolNotSupported", Why: whyCreateUnixOnly, Clause: spec.ClauseRemSocketTypes},
		{Func: "CtorAndAccept_SocketNotKeptAliveViaInheritance", Line: 178, Kind: kindAssert, Checks: "the child process reads the byte the parent writes to the inherited pipe", Why: whyProcess},
		{Func: "CtorAndAccept_SocketNotKeptAliveViaInheritance", Line: 186, End: 188, Kind: kindAssert, Checks: "with a child process alive, the client reads the server's byte and then EOF once the server closes: the child did not inherit the socket made by new Socket (WSA_FLAG_NO_HANDLE_INHERIT)", Why: whyProcess},
		{Func: "CtorAndAccept_SocketNotKeptAliveViaInheritance", Line: 194, End: 196, Kind: kindAssert, Checks: "the same for the accepted socket: the server reads EOF once the client closes", Why: whyProcess},
		{Func: "CtorAndAccept_SocketNotKeptAliveViaInheritance", Line: 208, Kind: kindAssert, Checks: "after the listener is closed, with the child still alive, a connect to its port does not succeed within 300 ms", Why: whyProcess},
		{Func: "Ctor_Netcoreapp_Throws", Line: 224, Kind: kindAssert, Checks: "not OuterLoop, skipped on Linux only: WSASocketW(65536 or 65537 (.NET's AddressFamily.Packet and ControllerAreaNetwork), SOCK_RAW, 0) fails on Windows, elevated or not (the code is not checked)", Case: "dotnet-create/linux-families-refused"},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 305, Kind: kindAssert, Checks: "reached only past the creation, which the test lets fail only with AccessDenied, ProtocolNotSupported or AddressFamilyNotSupported (another SocketException fails it): so each of its rows (65537/SOCK_RAW/0, AF_INET and AF_INET6 with SOCK_DGRAM/UDP, SOCK_STREAM/TCP and SOCK_RAW/0, 65536/SOCK_RAW/0x0608, AF_UNIX/SOCK_STREAM/0) is made or fails with one of those; orig.Connected false itself is managed", Case: "dotnet-create/basic-kinds"},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 306, Kind: kindAssert, Checks: "the copy is not Connected (set only if its getsockname succeeded)", Why: whyCreateManaged},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 308, End: 310, Kind: kindAssert, Checks: "the original has no LocalEndPoint or RemoteEndPoint and is not IsBound", Why: whyCreateManaged},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 320, End: 337, Kind: kindAssert, Checks: "Linux: a copy that found a local name has the unspecified address and port 0 (or an empty Unix name) and no RemoteEndPoint", Why: whyCreateNotOnWin},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 341, Kind: kindAssert, Checks: "on Windows the copy's LocalEndPoint is null, as the original's: the getsockname that Socket(SafeSocketHandle) calls fails on a fresh socket, for every row made (reached on Windows because copy.IsBound is false there, which only a Debug.Assert about line 319 states; the case leaves out the AF_UNIX row, whose name is a path)", Case: "dotnet-create/fresh-no-name"},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 342, Kind: kindAssert, Checks: "the copy's RemoteEndPoint is null (getpeername is asked only after getsockname succeeds)", Why: whyCreateManaged},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 345, End: 347, Kind: kindAssert, Checks: "the original's AddressFamily, SocketType and ProtocolType are the constructor's arguments", Why: whyCreateManaged},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 349, End: 357, Kind: kindAssert, Checks: "the copy reads back the same family, type and protocol (Unspecified for the Linux packet socket)", Why: whyCreateHandleCpy},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 359, End: 360, Kind: kindAssert, Checks: "both objects report Blocking", Why: whyCreateManaged},
		{Func: "Ctor_SafeHandle_BasicPropertiesPropagate_Success", Line: 374, End: 381, Kind: kindAssert, Checks: "Available, ExclusiveAddressUse, Handle, the buffer sizes, the timeouts and UseOnlyOverlappedIO agree between the two objects", Why: whyCreateTwoReads},
	},
}
