package conformance

// The expectations of dotnet/runtime's TcpListenerTest.cs, pinned to the
// commit the brief names. No test in it is OuterLoop; the three
// AllowNatTraversal tests are PlatformSpecific(Windows), and
// Active_TrueWhileRunning is conditional only on not running under WSL.
// So every Assert below runs in each ordinary Windows pass. How
// TcpListener maps onto Winsock is described at the top of
// cases_dotnet_listener.go (TCPListener.cs at 04da5a17).
//
// Lines with AssertExtensions.Throws (Ctor_InvalidArguments_Throws, and
// lines 123-124 of Accept_Invalid_Throws) are argument checks the
// constructors and EndAccept* make themselves, before any Winsock call;
// the line checker does not count them as checks, so they have no
// entries. AllowNatTraversal_NotStarted_SetSuccessfully,
// AllowNatTraversal_StartedAndStopped_SetSuccessfully and IPv6_Only_Works
// have no Assert line: the first two set IPV6_PROTECTION_LEVEL
// (SetIPProtectionLevel), which spec.API has no setsockopt for, and the
// third returns at once wherever IPv6 is supported, as on Windows CI
// (TcpListener.Create would make a dual-mode IPv6 listener, outside
// spec.API).
//
// The clients of Accept_AcceptsPendingSocketOrClient and
// Accept_StartAfterStop_AcceptsSuccessfully are new TcpClient(), which on
// Windows is a dual-mode IPv6 socket (TCPClient.cs at 04da5a17,
// InitializeClientSocket: new Socket(SocketType.Stream, ProtocolType.Tcp))
// connecting to 127.0.0.1 as ::ffff:127.0.0.1; spec.API has no
// IPV6_V6ONLY off, so the cases connect from an IPv4 socket. The Asserts
// are all on the IPv4 listener, which is the same either way.

func init() { registerEvidence(&dotnetListener) }

// Reasons of the TcpListenerTest.cs entries.
const (
	whyListenerActive    = "TcpListener.Active is a field of the wrapper (_active, set after Start's bind and listen succeed, cleared by Stop); no Winsock call answers it"
	whyListenerNotActive = "TcpListener throws InvalidOperationException itself while it is not started (_active false), before any Winsock call"
	whyListenerMustStop  = "TcpListener throws InvalidOperationException itself when AllowNatTraversal or the ExclusiveAddressUse setter is called while it is started (_active true), before any Winsock call"
	whyListenerBacklog   = "Start(backlog) refuses a backlog below 0 or above SOMAXCONN (0x7fffffff) itself with ArgumentOutOfRangeException, before any Winsock call"
	whyListenerEndNull   = "TaskToApm.End throws ArgumentNullException itself for a null IAsyncResult"
	whyListenerServer    = "TcpListener.Server makes a new socket when Stop has dropped the old one (CreateNewSocketIfNeeded); the Assert sees only that the wrapper returns a Socket object (a failing WSASocketW would throw before it, and every case here makes sockets)"
	whyListenerExclField = "after Stop TcpListener has no socket (_serverSocket null), and the ExclusiveAddressUse getter returns the wrapper's _exclusiveAddressUse field without calling getsockopt"
)

const (
	fnLsActive      = "Active_TrueWhileRunning"
	fnLsNatStarted  = "AllowNatTraversal_Started_ThrowsException"
	fnLsStartArgs   = "Start_InvalidArgs_Throws"
	fnLsPending     = "Pending_TrueWhenWaitingRequest"
	fnLsAcceptBad   = "Accept_Invalid_Throws"
	fnLsAccept      = "Accept_AcceptsPendingSocketOrClient"
	fnLsRestart     = "Accept_StartAfterStop_AcceptsSuccessfully"
	fnLsExclUnbound = "ExclusiveAddressUse_ListenerNotStarted_SetAndReadSuccessfully"
	fnLsExclStart   = "ExclusiveAddressUse_SetStartListenerThenRead_ReadSuccessfully"
	fnLsExclRestart = "ExclusiveAddressUse_SetStartAndStopListenerThenRead_ReadSuccessfully"
	fnLsEndSocket   = "EndAcceptSocket_WhenStopped_ThrowsObjectDisposedException"
	fnLsEndClient   = "EndAcceptTcpClient_WhenStopped_ThrowsObjectDisposedException"
)

// lsAcceptChecks describes the Assert of one using block of
// Accept_AcceptsPendingSocketOrClient.
func lsAcceptChecks(round, how string) string {
	return "Theory, " + how + ": a listener on 127.0.0.1:0 (bind, listen SOMAXCONN); a new client's ConnectAsync (a wildcard bind, then ConnectEx; the test's client is dual-mode, the case's IPv4) is accepted (" + round + "); while the accepted socket is open, Pending() is false: select() for readability on the listener reports nothing (the case: WSAPoll POLLRDNORM, timeout 0, revents 0); the connect then completes successfully (awaited outside any Assert)"
}

var dotnetListener = evidenceSource{
	Name:       "dotnet-listener",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "TcpListenerTest.cs",
	Version:    "main",
	Commit:     "efe09f4a3965c07acab56c29abb2b309beaf333f",
	CasePrefix: "dotnet-listener/",
	Complete: []string{"Ctor_InvalidArguments_Throws", fnLsActive, "AllowNatTraversal_NotStarted_SetSuccessfully", fnLsNatStarted,
		"AllowNatTraversal_StartedAndStopped_SetSuccessfully", fnLsStartArgs, fnLsPending, fnLsAcceptBad, fnLsAccept, "IPv6_Only_Works",
		fnLsRestart, fnLsExclUnbound, fnLsExclStart, fnLsExclRestart, fnLsEndSocket, fnLsEndClient},
	Entries: []expectation{
		{Func: fnLsActive, Line: 35, Kind: kindAssert, Checks: "a new listener (127.0.0.1:0 or, by the obsolete port constructor, 0.0.0.0:0) is not Active", Why: whyListenerActive},
		{Func: fnLsActive, Line: 37, Kind: kindAssert, Checks: "after Start() (bind, listen SOMAXCONN; a failure would throw before the Assert) it is Active", Why: whyListenerActive},
		{Func: fnLsActive, Line: 38, Kind: kindAssert, Checks: "AllowNatTraversal(false) while started throws InvalidOperationException", Why: whyListenerMustStop},
		{Func: fnLsActive, Line: 39, Kind: kindAssert, Checks: "setting ExclusiveAddressUse to true while started throws InvalidOperationException", Why: whyListenerMustStop},
		{Func: fnLsActive, Line: 40, Kind: kindAssert, Checks: "setting it to false while started throws as well (the getter, getsockopt(SO_EXCLUSIVEADDRUSE) on the listening socket, then runs outside any Assert)", Why: whyListenerMustStop},
		{Func: fnLsActive, Line: 43, Kind: kindAssert, Checks: "after Stop() it is not Active", Why: whyListenerActive},
		{Func: fnLsNatStarted, Line: 62, Kind: kindAssert, Checks: "Windows only: AllowNatTraversal(true) on a started listener throws InvalidOperationException", Why: whyListenerMustStop},
		{Func: fnLsStartArgs, Line: 81, Kind: kindAssert, Checks: "Start(-1) throws ArgumentOutOfRangeException", Why: whyListenerBacklog},
		{Func: fnLsStartArgs, Line: 82, Kind: kindAssert, Checks: "and leaves the listener not Active (Start(1) twice then succeeds outside any Assert: bind, listen with backlog 1, and a second Start that returns without a call)", Why: whyListenerActive},
		{Func: fnLsPending, Line: 94, Kind: kindAssert, Checks: "Pending() before Start throws InvalidOperationException", Why: whyListenerNotActive},
		{Func: fnLsPending, Line: 96, Kind: kindAssert, Checks: "after Start() (bind 127.0.0.1:0, listen SOMAXCONN), Pending() is false: select() with a zero timeout finds the listener with no connection waiting not readable (the case: WSAPoll POLLRDNORM, timeout 0, revents 0)", Case: "dotnet-listener/pending-when-waiting"},
		{Func: fnLsPending, Line: 100, Kind: kindAssert, Checks: "once a client bound to 127.0.0.1:0 starts ConnectAsync (ConnectEx; it is bound, so no wildcard bind) to the listener, Pending() turns true within 30 s (the case: WSAPoll POLLRDNORM reports it within 1 s); accept() then takes the connection and the connect completes successfully (both outside any Assert)", Case: "dotnet-listener/pending-when-waiting"},
		{Func: fnLsPending, Line: 105, Kind: kindAssert, Checks: "Pending() after Stop throws InvalidOperationException", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 113, Kind: kindAssert, Checks: "AcceptSocket() on a listener never started throws InvalidOperationException", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 114, Kind: kindAssert, Checks: "AcceptTcpClient() throws the same", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 115, Kind: kindAssert, Checks: "BeginAcceptSocket throws the same (from AcceptSocketAsync, before TaskToApm)", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 116, Kind: kindAssert, Checks: "BeginAcceptTcpClient throws the same", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 117, Kind: kindAssert, Checks: "AcceptSocketAsync() throws the same synchronously", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 118, Kind: kindAssert, Checks: "AcceptTcpClientAsync() throws the same synchronously", Why: whyListenerNotActive},
		{Func: fnLsAcceptBad, Line: 120, Kind: kindAssert, Checks: "EndAcceptSocket(null) throws ArgumentNullException", Why: whyListenerEndNull},
		{Func: fnLsAcceptBad, Line: 121, Kind: kindAssert, Checks: "EndAcceptTcpClient(null) throws ArgumentNullException", Why: whyListenerEndNull},
		{Func: fnLsAccept, Line: 147, Kind: kindAssert, Checks: lsAcceptChecks("AcceptSocket: accept()", "mode 0 (Sync)"), Case: "dotnet-listener/accept-then-not-pending-sync"},
		{Func: fnLsAccept, Line: 147, Kind: kindAssert, Checks: lsAcceptChecks("AcceptSocketAsync or BeginAcceptSocket: AcceptEx, SO_UPDATE_ACCEPT_CONTEXT", "modes 1 (Async) and 2 (APM, TaskToApm over the same task)"), Case: "dotnet-listener/accept-then-not-pending-async"},
		{Func: fnLsAccept, Line: 162, Kind: kindAssert, Checks: lsAcceptChecks("AcceptTcpClient: accept(), a second connection on the same listener", "mode 0 (Sync)"), Case: "dotnet-listener/accept-then-not-pending-sync"},
		{Func: fnLsAccept, Line: 162, Kind: kindAssert, Checks: lsAcceptChecks("AcceptTcpClientAsync or BeginAcceptTcpClient: AcceptEx, a second connection on the same listener", "modes 1 and 2"), Case: "dotnet-listener/accept-then-not-pending-async"},
		{Func: fnLsRestart, Line: 196, Kind: kindAssert, Checks: "after Stop, Server is not null", Why: whyListenerServer},
		{Func: fnLsRestart, Line: 199, Kind: kindAssert, Checks: "after the second Start, Server is not null", Why: whyListenerServer},
		{Func: fnLsRestart, Line: 208, Kind: kindAssert, Checks: "VerifyAccept, run on the first listener (127.0.0.1:0, SOMAXCONN) and, after Stop closed it, on a new socket bound to 127.0.0.1:0 and listening: a client's ConnectAsync (wildcard bind, ConnectEx; dual-mode in the test, IPv4 in the case) is accepted by AcceptSocketAsync (AcceptEx), after which Pending() is false (select() for readability reports nothing; the case: WSAPoll POLLRDNORM, revents 0); the connect completes successfully", Case: "dotnet-listener/start-after-stop-accepts"},
		{Func: fnLsExclUnbound, Line: 219, Kind: kindAssert, Checks: "on a listener not started (a new TCP socket, unbound), setting ExclusiveAddressUse (setsockopt(SO_EXCLUSIVEADDRUSE, 1)) and reading it back (getsockopt) gives true", Case: "dotnet-listener/exclusive-read-back-unbound"},
		{Func: fnLsExclUnbound, Line: 221, Kind: kindAssert, Checks: "setting it to 0 and reading it back gives false", Case: "dotnet-listener/exclusive-read-back-unbound"},
		{Func: fnLsExclStart, Line: 232, Kind: kindAssert, Checks: "after setsockopt(SO_EXCLUSIVEADDRUSE, 1) on the unbound socket (by the setter, and again by Start), bind 127.0.0.1:0 and listen SOMAXCONN succeed and getsockopt(SO_EXCLUSIVEADDRUSE) on the listening socket gives 1", Case: "dotnet-listener/exclusive-set-start-read"},
		{Func: fnLsExclStart, Line: 235, Kind: kindAssert, Checks: "after Stop ExclusiveAddressUse still reads true", Why: whyListenerExclField},
		{Func: fnLsExclRestart, Line: 247, Kind: kindAssert, Checks: "after Start and Stop, setting ExclusiveAddressUse (the field only: no socket) reads true", Why: whyListenerExclField},
		{Func: fnLsExclRestart, Line: 250, Kind: kindAssert, Checks: "a first socket bound to 127.0.0.1:0, listening and closed; then Start makes a new socket, sets SO_EXCLUSIVEADDRUSE 1 on it before bind 127.0.0.1:0 and listen SOMAXCONN, and getsockopt(SO_EXCLUSIVEADDRUSE) on it gives 1", Case: "dotnet-listener/exclusive-restart-read"},
		{Func: fnLsExclRestart, Line: 253, Kind: kindAssert, Checks: "after the second Stop it still reads true", Why: whyListenerExclField},
		{Func: fnLsEndSocket, Line: 268, Kind: kindAssert, Checks: "BeginAcceptSocket on a started listener (127.0.0.1:0, SOMAXCONN) with no client leaves AcceptEx pending; Stop disposes the listener (CancelIoEx, closesocket), and EndAcceptSocket throws ObjectDisposedException, which EndAcceptCore makes of the SocketException of the failed accept because the listener is stopped: the pending AcceptEx completes with a failure, promptly (a hang would hang the test). The case wants a failure within 1 s and logs the code", Case: "dotnet-listener/stop-fails-pending-accept"},
		{Func: fnLsEndClient, Line: 283, Kind: kindAssert, Checks: "the same through BeginAcceptTcpClient and EndAcceptTcpClient (AcceptTcpClientAsync awaits the same AcceptEx)", Case: "dotnet-listener/stop-fails-pending-accept"},
	},
}
