package spec

import (
	"fmt"
	"slices"
)

// Status says how a clause of the page relates to what Windows does.
type Status string

const (
	// Agrees: Windows was observed to do what the page says.
	Agrees Status = "agrees"
	// Contradicts: Windows was observed to do something else. The
	// conformance cases expect Windows; the emulator's Documented profile
	// follows the page and so fails exactly these clauses.
	Contradicts Status = "contradicts"
	// Unspecified: the page says nothing about the behaviour; the clause
	// records what Windows does, or that nobody has published it.
	Unspecified Status = "unspecified"
	// Unverified: the page makes a claim that no public observation of
	// Windows confirms or refutes. Cases accept only the outcomes the
	// evidence allows.
	Unverified Status = "unverified"
)

// Statuses lists the statuses in a stable order.
func Statuses() []Status { return []Status{Agrees, Contradicts, Unspecified, Unverified} }

// Section names group clauses as the page does.
const (
	SectionSummary    = "Summary"
	SectionParameters = "Parameters"
	SectionReturn     = "Return value"
	SectionErrors     = "Error codes"
	SectionRemarks    = "Remarks"
	SectionRequires   = "Requirements"
	SectionGaps       = "Not on the page"
)

// Clause is one statement of the DisconnectEx page (or, in SectionGaps, one
// behaviour the page leaves out) with what Windows does.
type Clause struct {
	ID      string  // stable: cases and divergence data cite it
	Section string  // where the statement stands on the page
	Page    string  // what the page says (quoted where short)
	Windows string  // what Windows does, in our words
	Status  Status  // how the two relate
	Errors  []Errno // the error codes the clause is about, if any
	// Evidence names the public sources behind Windows, each
	// specific enough to find again.
	Evidence []string
}

// Evidence sources cited by the catalogue. Wine test expectations written
// as plain ok() (or todo_wine ok(), which Wine fails and Windows passes) run
// on real Windows in Wine's test bot; todo_wine marks where Wine differs.
// Wine file facts were read at wine-mirror/wine 3379ee2e (sock.c) and the
// stored afd.c, error.c and socket.c versions of the same history.
const (
	srcWineDisconnectEx = "Wine dlls/ws2_32/tests/sock.c, test_DisconnectEx (plain ok() expectations that pass on real Windows; Wine 7.7-9.0 carry the same text): INVALID_SOCKET -> WSAENOTSOCK; unconnected TCP -> WSAENOTCONN; connected, OVERLAPPED -> ERROR_IO_PENDING, event set within 1 s, GetOverlappedResult TRUE with 0 bytes; NULL OVERLAPPED twice -> TRUE both times, last error 0 (Windows 7+)"
	srcWineShutdownIOCP = "Wine dlls/ws2_32/tests/sock.c, test_shutdown_completion_port"
	srcWineShutdown     = "Wine dlls/ws2_32/tests/sock.c, test_shutdown (ok on Windows): shutdown(SD_SEND) twice succeeds, send then fails WSAESHUTDOWN, connect fails WSAEISCONN; shutdown on a never-connected or a listening socket fails WSAENOTCONN; shutdown on a bound UDP socket succeeds; a WSARecv pending at shutdown(SD_RECEIVE) stays pending and completes with the data the peer sends afterwards, while a new one fails WSAESHUTDOWN"
	srcWineIOCP         = "Wine dlls/ws2_32/tests/sock.c, test_completion_port (ok on Windows): closesocket of a listener with a pending AcceptEx queues a packet failing ERROR_OPERATION_ABORTED with Internal STATUS_CANCELLED; after the peer resets, a pending WSARecv completes ERROR_NETNAME_DELETED and WSASend fails WSAECONNRESET"
	srcWineIOCPClose    = "Wine dlls/ws2_32/tests/sock.c, iocp_async_read_closesocket and iocp_async_read_thread_closesocket (todo_wine ok: Windows passes, Wine not): closesocket or CloseHandle on a socket on a port with a pending WSARecv queues a packet failing ERROR_CONNECTION_ABORTED, Internal STATUS_CONNECTION_ABORTED (ERROR_NETNAME_DELETED and STATUS_LOCAL_DISCONNECT on XP)"
	srcWineTransmitFile = "Wine dlls/ws2_32/tests/sock.c, test_TransmitFile (ok on Windows): an unconnected TCP socket with TF_REUSE_SOCKET alone fails WSAENOTCONN (not the flag's WSAEINVAL); an unconnected UDP socket fails WSAENOTCONN (not the page's WSAEINVAL)"
	srcWineConnect      = "Wine dlls/ws2_32/tests/sock.c, test_connect (ok on Windows): ConnectEx on an unbound or a listening socket fails WSAEINVAL, on either end of a connection WSAEISCONN, with NULL lpOverlapped ERROR_INVALID_PARAMETER; Internal is set to STATUS_PENDING even when the call fails at once; a refused ConnectEx completes ERROR_CONNECTION_REFUSED"
	srcWineAcceptEx     = "Wine dlls/ws2_32/tests/sock.c, test_AcceptEx (todo_wine ok: Windows passes, Wine not): an sAcceptSocket that is bound, connected (either end) or UDP fails WSAEINVAL; AcceptEx with NULL lpOverlapped fails ERROR_INVALID_PARAMETER; Internal is STATUS_PENDING after immediate failures"
	srcWineGetpeername  = "Wine dlls/ws2_32/tests/sock.c, test_getpeername: wild pointers give WSAEFAULT on Windows (the case is disabled because it crashes Wine)"
	srcWineAfdThread    = "Wine dlls/ws2_32/tests/afd.c, test_async_thread_termination (ok on Windows): a pending AFD request is canceled (STATUS_CANCELLED) when its thread exits or is terminated, except when the socket is on a completion port, the request carries a completion value and has no event; that one survives until CancelIoEx"
	srcWineAfdRecv      = "Wine dlls/ws2_32/tests/afd.c, test_recv: IOCTL_AFD_RECV on a listening socket fails STATUS_INVALID_CONNECTION (todo_wine ok: Windows passes)"
	srcWineAfdNoDisc    = "Wine dlls/ws2_32/tests/afd.c START_TEST list: no disconnect or shutdown test at the AFD level; dlls/ntdll/tests has no socket tests"
	srcWineWS2Disc      = "Wine dlls/ws2_32/socket.c, WS2_DisconnectEx (Wine's behaviour, not Windows'): one IOCTL_AFD_WINE_SHUTDOWN(SD_SEND); reserved and unknown flag bits ignored; TF_REUSE_SOCKET only logs a FIXME; writes lpOverlapped->Internal before the call; a synchronous success with an OVERLAPPED is reported as ERROR_IO_PENDING"
	srcWineNtdllError   = "Wine dlls/ntdll/tests/error.c, run_error_tests: RtlNtStatusToDosError rows checked with strict cmp()"
	srcWineWS2Status    = "Wine dlls/ws2_32/socket.c, NtStatusToWSAError table (unknown error statuses -> WSAEINVAL)"
	srcDotnetDisconnect = "dotnet/runtime src/libraries/System.Net.Sockets/tests/FunctionalTests/DisconnectTest.cs, Disconnect_Success(reuseSocket) (runs on Windows CI): after Disconnect(true) an async connect to a second server succeeds; after Disconnect(false) it fails SocketError.IsConnected (WSAEISCONN)"
	srcDotnetAccept     = "dotnet/runtime src/libraries/System.Net.Sockets/tests/FunctionalTests/Accept.cs, Accept_WithTargetSocket_ReuseAfterDisconnect_Success (Windows only; see also dotnet/corefx#22764): on a socket filled by AcceptEx whose peer already closed, Disconnect(true) lets a second AcceptEx into it succeed; after Disconnect(false) AcceptEx fails SocketError.InvalidArgument (WSAEINVAL)"
	srcDotnetUDP        = "dotnet/runtime#34473: Socket.Disconnect on a UDP socket fails on Windows 10 with WSAENOTCONN (10057) while it succeeds on Linux; on Windows .NET's Disconnect is a direct DisconnectEx(s, NULL, flags, 0) call (SocketPal.Windows.cs)"
	srcCorefx29932      = "dotnet/corefx#29932 (comment of 2019-07-12): Socket.Disconnect(reuseSocket: true) on Windows blocked about two minutes; setting TcpTimedWaitDelay to 30 made no difference for the reporter"
	srcCorosio98        = "cppalliance/corosio#98: closesocket with a pending overlapped WSARecv on a socket associated with a completion port completes it with ERROR_NETNAME_DELETED (64), not ERROR_OPERATION_ABORTED"
	srcConnectExDoc     = "Microsoft Learn, ConnectEx (LPFN_CONNECTEX): WSAEINVAL for an unbound or listening socket; a socket reused by TransmitFile/DisconnectEx after a connect is not connected but still bound and may go to ConnectEx, not AcceptEx; the reused ConnectEx may be delayed by TIME_WAIT"
	srcAcceptExDoc      = "Microsoft Learn, AcceptEx: sAcceptSocket must be neither bound nor connected; a socket reused after an accepted connection is returned to that state and may go to AcceptEx, not ConnectEx"
	srcTransmitFileDoc  = "Microsoft Learn, TransmitFile: TF_REUSE_SOCKET is valid only with TF_DISCONNECT (else WSAEINVAL); reuse is mutually exclusive between AcceptEx and ConnectEx; with both flags on TCP the call completes only when data received before the peer's FIN has been read and the peer has completed the graceful close; TIME_WAIT may delay the call; WSAESHUTDOWN after shutdown(SD_SEND)"
	srcCancelIoDoc      = "Microsoft Learn, Asynchronous I/O and Asynchronous RPC: before Windows Vista pending I/O is bound to the issuing thread and aborted when it exits; from Vista asynchronous I/O associated with a completion port is not"
	srcVistaIO          = "Microsoft blog (docs.microsoft.com/archive/blogs/doronh), New for Windows Vista: thread agnostic I/O: asynchronous I/O on a file object with a completion port is queued to the file object, so the issuing thread may exit first"
	srcCancelIoExDoc    = "Microsoft Learn, CancelIoEx and CancelIo: canceled requests complete with ERROR_OPERATION_ABORTED and notify as usual; with no request to cancel CancelIoEx fails ERROR_NOT_FOUND"
	srcGetOverlappedDoc = "Microsoft Learn, GetOverlappedResult: with hEvent NULL the file (socket) handle is signalled"
	srcIOCPDoc          = "Microsoft Learn, GetQueuedCompletionStatus and SetFileCompletionNotificationModes (low bit of hEvent, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)"
	srcTcpipRegistry    = "Microsoft Windows 2000 registry reference, TcpTimedWaitDelay (technet cc938217): 30-300 s (0x1E-0x12C), default 240 s, MSL 120 s; read at boot"
	srcTcpip2003        = "Microsoft Windows Server 2003 TCP/IP registry reference, TcpTimedWaitDelay (technet cc757512): 0-300 s, default 0x78 = 120 s (its text still calls MSL 120 s)"
	srcTcpipNetBT       = "Microsoft support article TCP/IP and NetBT configuration parameters (XP/Server 2003): TcpTimedWaitDelay 30-300, default 120 s for IPv4 since XP/2003, 240 s in Windows 2000 and for the IPv6 stack"
	srcDynamicPorts     = "Microsoft Learn, The default dynamic port range for TCP/IP has changed since Windows Vista (49152-65535)"
	srcMswsockH         = "mswsock.h (Windows SDK); WSAID values as declared there"
	srcRFC793           = "RFC 793, section 3.5: TIME-WAIT lasts 2 MSL"
	srcRFC1122          = "RFC 1122, section 4.2.2.13: a TCP in TIME-WAIT MAY accept a new SYN for the connection and reopen it directly, if the new initial sequence number is larger than the largest sequence number used on the previous connection"
	srcSmartPortAlloc   = "Microsoft, Windows Server 2003 SP1 release notes, Smart TCP port allocation (as quoted in public forums): a new connection with the same set of socket addresses as one in TIME WAIT gets an error from TCP/IP until 2 MSL have passed"
	srcPortExhaustion   = "Microsoft Learn, Troubleshoot port exhaustion issues (WSAENOBUFS 10055 when dynamic ports run out)"
	srcCurl8528         = "curl/curl#8528: on Windows bind() to a local port whose connection is in TIME_WAIT succeeds; the socket pair stays unusable"
	srcNoEvidence       = "no public observation of Windows found"
	srcReadFileDoc      = "Microsoft Learn, ReadFile and WriteFile (Remarks on asynchronous operation): the event in hEvent is set to the nonsignaled state when the I/O operation begins"
	srcWineEventReset   = "This project's native backend under Wine 8.0 (scripts/wine-test): a manual-reset event left signalled by an earlier completion is nonsignaled after a new AcceptEx or DisconnectEx pends; Wine's NtDeviceIoControlFile clears the event before it starts the request"
	srcDotnetReuseFirst = "dotnet/runtime@03dcbb2f src/libraries/System.Net.Sockets/tests/FunctionalTests/DisconnectTest.cs, Disconnect_Success (line 19, a ConditionalTheory on IsThreadingSupported, not OuterLoop, so it runs in every ordinary Windows pass): DisconnectAsync(client, reuseSocket: true) at line 30, then ConnectAsync(server2.EndPoint) at line 37 is awaited at once and succeeds"
	srcDotnetServerFIN  = "dotnet/runtime@4daff4b0 src/libraries/Common/tests/System/Net/Sockets/SocketTestServerAsync.cs, ProcessReceive (line 258: 0 bytes read -> CloseClientSocket at line 280) and CloseClientSocket (line 318: Shutdown(SocketShutdown.Send) line 330, Dispose line 339): the test server closes its end only after reading the client's FIN, so in Disconnect_Success the client is the side that closes first"
	srcWineExtFunc      = "Wine dlls/ws2_32/tests/sock.c (Gcenx/winecx crossover-wine-23.0.1), test_get_extension_func, lines 5638-5641 (ok on Windows): SIO_GET_EXTENSION_FUNCTION_POINTER with a GUID the provider does not know fails WSAEINVAL"
	srcWineReuseaddr    = "Wine dlls/ws2_32/tests/sock.c, test_reuseaddr, for AF_INET and AF_INET6; without socket options: two binds to the unspecified address on one port fail WSAEADDRINUSE (ok); todo_wine (Windows passes, Wine not): a bind to the loopback address on a port a socket bound to the unspecified address holds, listening, succeeds and so does its listen, a connection to the loopback address is accepted on the loopback listener; the other way round (loopback bound and listening first) the bind to the unspecified address and its listen succeed, and the connection is accepted on the loopback listener (ok); with SO_REUSEADDR and SO_EXCLUSIVEADDRUSE, its checks of the two options and its tests_exclusive table of binds (ok; the second listen on one address with SO_REUSEADDR, todo_wine)"
	srcWineBind         = "Wine dlls/ws2_32/tests/sock.c (Gcenx/winecx crossover-wine-23.0.1), test_bind lines 12161-12185 and 12238-12264 and test_getsockname lines 4972-4987 and 5001-5024 (ok on Windows): bind to 192.0.2.0 fails WSAEADDRNOTAVAIL; a second bind WSAEINVAL; another socket's bind to the bound name WSAEADDRINUSE; an adapter's IPv6 address with scope id 0xabacab fails WSAEADDRNOTAVAIL (todo_wine for addresses of scope 0), with scope id 0 succeeds; getsockname fails WSAEINVAL before bind and gives the address bound after it"
	srcWineWSASocket    = "Wine dlls/ws2_32/tests/sock.c (Gcenx/winecx crossover-wine-23.0.1), test_WSASocket lines 3005-3066 (its table of 29 (af, type, protocol) triples; ok on Windows, row 7 todo_wine) and 3252-3256, 3319-3324: unknown type WSAESOCKTNOSUPPORT before an unknown family, unknown family WSAEAFNOSUPPORT before an unknown protocol, UDP on SOCK_STREAM and TCP on SOCK_DGRAM WSAEPROTONOSUPPORT, AF_UNSPEC with protocol 0 WSAEINVAL; AF_UNSPEC with TCP or UDP gives AF_INET, type 0 the protocol's type (SOCK_STREAM for protocol 0); SOCK_RAW with IPPROTO_ICMP is made or fails WSAEACCES; AF_IPX where missing WSAEAFNOSUPPORT"
	srcWineIPv6Only     = "Wine dlls/ws2_32/tests/sock.c (Gcenx/winecx crossover-wine-23.0.1), test_ipv6only line 6996 (ok on Windows): with IPV6_V6ONLY on (the default of an AF_INET6 socket, line 6962), a socket bound to [::]:P and an AF_INET socket bound to 0.0.0.0:P both bind"
	srcTrioReuseaddr    = "python-trio/trio notes-to-self/how-does-windows-so-reuseaddr-work.py (commit 897272f1), the row its comment shows from a run on Windows: a first socket bound to 0.0.0.0 without options, then a second bound without options to 0.0.0.0 (WSAEADDRINUSE) or 127.0.0.1 (success), with SO_REUSEADDR (WSAEACCES, success), with SO_EXCLUSIVEADDRUSE (WSAEADDRINUSE, success)"
	srcDotnetSockopt    = "dotnet/runtime@1608c2d8 src/libraries/System.Net.Sockets/tests/FunctionalTests/SocketOptionNameTest.cs, ReuseAddress (line 340; its InlineData rows and ReuseAddress_Windows's, Windows only, set SO_EXCLUSIVEADDRUSE and SO_REUSEADDR on two UDP sockets before the second binds the first one's 127.0.0.1 address) and ExclusiveAddressUseTcp (lines 414-415: WSAEADDRINUSE beside a listener with SO_EXCLUSIVEADDRUSE); ordinary passes of dotnet's Windows CI"
	srcDotnetEndpoint   = "dotnet/runtime@dd742ae3 src/libraries/System.Net.Sockets/tests/FunctionalTests/LocalEndPointTest.cs (Facts run for IPv4 and IPv6 with the Sync, SyncForceNonBlocking, APM, Task and EAP helpers, none OuterLoop): getsockname gives the unspecified address after a bind to it (lines 37, 90, 134); after connect to 127.0.0.1 or ::1 a client bound to the unspecified address has the loopback address and its bound port (TcpClientSocket_WhenBoundToWildcardAddress_LocalEPChangeToSpecificOnConnect, lines 97-98), an unbound one the loopback address (line 119); a socket accepted on a listener bound to the unspecified address has the loopback address and the listener's port (TcpAcceptSocket_WhenServerBoundToWildcardAddress_LocalEPIsSpecific, lines 146-147); for a listener on a specific address System.Net.Sockets copies the listener's endpoint to the accepted socket without asking Winsock (Socket.cs at 00ae72a7, UpdateAcceptSocket), so lines 169-170 observe nothing of getsockname"
	srcDotnetLinger     = "dotnet/runtime@a4c0227b src/libraries/System.Net.Sockets/tests/FunctionalTests/LingerStateTest.cs, TestLingerState_Success (lines 15-16) as Socket_LingerState_Common_Boundaries_CorrectBehavior and Socket_LingerState_Upper_Boundaries_CorrectBehavior call it (OuterLoop; the second skipped on Apple platforms only): SO_LINGER on with 0, 120, 32767, 32768 and 65535 s is set and read back; a new socket reads it off with 0 s (lines 33-34)"
	srcWineConnecting   = "Wine dlls/ws2_32/tests/sock.c, test_connecting_socket (ok on Windows) on a socket whose connect to 192.0.2.0 is in progress: after a non-blocking connect() a second connect fails WSAEALREADY; ConnectEx, and connect() after ConnectEx, fail WSAEINVAL, leaving Internal STATUS_PENDING; getsockname gives the bound family and a nonzero port; after ConnectEx getpeername fails WSAENOTCONN; todo_wine (Windows passes, Wine not): getpeername after connect() gives the address, recv and send fail WSAENOTCONN"
	srcTcpInitialRTT    = "Microsoft Windows 2000 registry reference, TcpInitialRTT (learn.microsoft.com previous-versions windows-2000-server cc938207): default 3 s; the time between a connection request (SYN) and its first retransmission, doubled on each later one; the SYN is sent twice more, as TcpMaxConnectRetransmissions says"
	srcTcpMaxConnect    = "Microsoft Windows 2000 and Windows Server 2003 registry references, TcpMaxConnectRetransmissions (cc938209, cc758896): default 2 retransmissions of an unanswered connection request; the delay starts at TcpInitialRTT (3 s) and doubles after each attempt; after the last, TCP waits double the last delay and abandons the request (3 + 6 + 12 = 21 s)"
	srcKB2786464        = "Microsoft KB 2786464 as quoted in Server Fault question 193160 (Which is the default TCP connect timeout in Windows): in Windows 7 and Server 2008 R2 the maximum SYN retransmissions is 2 and the initial RTO 3 s, so the three-way handshake is limited to 21 s (3 + 2*3 + 4*3); a hotfix adds netsh MaxSynRetransmissions and InitialRto (which may only be lowered from 3000 ms)"
	srcDotnetCreate     = "dotnet/runtime@843caa7e src/libraries/System.Net.Sockets/tests/FunctionalTests/CreateSocketTests.cs (new Socket is one WSASocketW call with the arguments unchanged, SocketPal.Windows.cs CreateSocket): Ctor_Failure (line 95) and DualMode_Failure (59), OuterLoop, a SocketException for AF_INET and AF_INET6 with SOCK_RDM, SOCK_SEQPACKET or type -1 and TCP or UDP, SOCK_DGRAM/TCP, SOCK_STREAM/UDP, and family -1; Ctor_Netcoreapp_Throws (224, every Windows run) for families 65536 and 65537 with SOCK_RAW and 0; Ctor_SafeHandle_BasicPropertiesPropagate_Success (its catch filter, line 305, and 341): AF_INET/AF_INET6 SOCK_RAW 0 made or AccessDenied, ProtocolNotSupported or AddressFamilyNotSupported, and no local name on a fresh socket"
	srcReactOSDisc      = "ReactOS drivers/network/afd/afd/main.c, AfdDisconnect: STATUS_INVALID_PARAMETER for a connectionless endpoint (ReactOS, not Windows: an inference)"
)

// Clause IDs. They are stable: renaming one breaks the cases and the
// divergence data that cite it, on purpose.
const (
	ClausePurpose            = "DX-PURPOSE"
	ClauseExtension          = "DX-EXTENSION"
	ClauseParamSocket        = "DX-PARAM-SOCKET"
	ClauseParamOverlapped    = "DX-PARAM-OVERLAPPED"
	ClauseParamFlags         = "DX-PARAM-FLAGS"
	ClauseFlagReuse          = "DX-FLAG-REUSE"
	ClauseFlagReuseTarget    = "DX-FLAG-REUSE-TARGET"
	ClauseFlagTimeWait       = "DX-FLAG-TIMEWAIT"
	ClauseParamReserved      = "DX-PARAM-RESERVED"
	ClauseRetSuccess         = "DX-RET-SUCCESS"
	ClauseRetFailure         = "DX-RET-FAILURE"
	ClauseRetPending         = "DX-RET-PENDING"
	ClauseRetLaterFailure    = "DX-RET-LATER-FAILURE"
	ClauseErrFault           = "DX-ERR-EFAULT"
	ClauseErrInvalFlags      = "DX-ERR-EINVAL-FLAGS"
	ClauseErrNotConn         = "DX-ERR-NOTCONN"
	ClauseErrNotConnTransmit = "DX-ERR-NOTCONN-TRANSMIT"
	ClauseRemDatagram        = "DX-REM-DATAGRAM"
	ClauseRemSocketTypes     = "DX-REM-SOCKTYPES"
	ClauseRemLookup          = "DX-REM-LOOKUP"
	ClauseRemGUID            = "DX-REM-GUID"
	ClauseRemPending         = "DX-REM-PENDING"
	ClauseRemSignalEvent     = "DX-REM-SIGNAL-EVENT"
	ClauseRemSignalSocket    = "DX-REM-SIGNAL-SOCKET"
	ClauseRemThreadExit      = "DX-REM-THREAD-EXIT"
	ClauseRemTimeWait        = "DX-REM-TIMEWAIT"
	ClauseRemTimeWaitPair    = "DX-REM-TIMEWAIT-PAIR"
	ClauseRemTimeWaitRelease = "DX-REM-TIMEWAIT-RELEASE"
	ClauseRemTimeWaitTuning  = "DX-REM-TIMEWAIT-TUNING"
	ClauseRemTimeWaitConfig  = "DX-REM-TIMEWAIT-CONFIG"
	ClauseRemMSL             = "DX-REM-MSL"
	ClauseRemTimeWaitDefault = "DX-REM-TIMEWAIT-DEFAULT"
	ClauseRemTimeWaitRange   = "DX-REM-TIMEWAIT-RANGE"
	ClauseRequirements       = "DX-REQUIREMENTS"
	ClauseGapNullOverlapped  = "DX-GAP-NULL-OVERLAPPED"
	ClauseGapShutdownSend    = "DX-GAP-SHUTDOWN-SEND"
	ClauseGapCompletionPort  = "DX-GAP-COMPLETION-PORT"
	ClauseGapNoReuse         = "DX-GAP-NO-REUSE"
	ClauseGapListening       = "DX-GAP-LISTENING"
	ClauseGapAfterShutdown   = "DX-GAP-AFTER-SHUTDOWN"
	ClauseGapPeerClosed      = "DX-GAP-PEER-CLOSED"
	ClauseGapPeerReset       = "DX-GAP-PEER-RESET"
	ClauseGapCancel          = "DX-GAP-CANCEL"
	ClauseGapClosePending    = "DX-GAP-CLOSE-PENDING"
	ClauseGapSecondPending   = "DX-GAP-SECOND-PENDING"
	ClauseGapPortExhaustion  = "DX-GAP-PORT-EXHAUSTION"
	ClauseGapBindAddress     = "DX-GAP-BIND-ADDRESS"
	ClauseGapBadHandle       = "DX-GAP-BAD-HANDLE"
	ClauseGapEventReset      = "DX-GAP-EVENT-RESET"
	ClauseGapTimeWaitSYN     = "DX-GAP-TIMEWAIT-SYN"
	ClauseGapConnecting      = "DX-GAP-CONNECTING"
	ClauseGapSYNTimeout      = "DX-GAP-SYN-TIMEOUT"
	ClauseGapUnreachable     = "DX-GAP-UNREACHABLE"
	ClauseGapPeerNoFIN       = "DX-GAP-PEER-NO-FIN"
)

// catalogue is the clause list in page order. The Windows text is ours;
// page quotes are the contract being checked.
var catalogue = []Clause{
	{ID: ClausePurpose, Section: SectionSummary,
		Page:    "The DisconnectEx function closes a connection on a socket, and allows the socket handle to be reused.",
		Windows: "With flags 0 it closes only the sending direction (a FIN is sent; see DX-GAP-SHUTDOWN-SEND). The handle becomes reusable only with TF_REUSE_SOCKET.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx, srcDotnetDisconnect}},
	{ID: ClauseExtension, Section: SectionSummary,
		Page:    "This function is a Microsoft-specific extension to the Windows Sockets specification.",
		Windows: "It is not exported by ws2_32.dll; the provider hands out its address through WSAIoctl (DX-REM-LOOKUP).",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx, srcMswsockH}},
	{ID: ClauseParamSocket, Section: SectionParameters,
		Page:    "hSocket: A handle to a connected, connection-oriented socket.",
		Windows: "A value that is not a socket handle fails with WSAENOTSOCK; an unconnected TCP socket fails with WSAENOTCONN.",
		Status:  Agrees, Errors: []Errno{WSAENOTSOCK, WSAENOTCONN}, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseParamOverlapped, Section: SectionParameters,
		Page:    "lpOverlapped: A pointer to an OVERLAPPED structure. If the socket handle has been opened as overlapped, specifying this parameter results in an overlapped (asynchronous) I/O operation.",
		Windows: "On an overlapped socket with an OVERLAPPED the call returns FALSE with ERROR_IO_PENDING even when the disconnect could finish at once; the result is collected later.",
		Status:  Agrees, Errors: []Errno{ERROR_IO_PENDING}, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseParamFlags, Section: SectionParameters,
		Page:    "dwFlags: A set of flags that customizes processing of the function call. When this parameter is set to zero, no flags are set.",
		Windows: "Flags 0 succeed on a connected socket and act as shutdown(SD_SEND); the socket stays connected.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseFlagReuse, Section: SectionParameters,
		Page:    "TF_REUSE_SOCKET: Prepares the socket handle to be reused.",
		Windows: "After the request completes the socket is no longer connected and can start a new connection without being closed: a connected client reconnects with ConnectEx, an AcceptEx-filled socket is accepted into again. Without the flag a later ConnectEx fails with WSAEISCONN and a later AcceptEx with WSAEINVAL.",
		Status:  Agrees, Evidence: []string{srcDotnetDisconnect, srcDotnetAccept}},
	{ID: ClauseFlagReuseTarget, Section: SectionParameters,
		Page:    "When the DisconnectEx request completes, the socket handle can be passed to the AcceptEx or ConnectEx function.",
		Windows: "Only one of them, decided by how the connection was made: a socket that connected (connect or ConnectEx) stays bound and may go to ConnectEx only; an accepted socket is neither bound nor connected and may go to AcceptEx only. The allowed direction is observed both ways (dotnet tests). The refused direction is documented, not observed: its error is inferred as WSAEINVAL, which Windows returns for AcceptEx into a bound or connected socket and for ConnectEx on an unbound one.",
		Status:  Contradicts, Errors: []Errno{WSAEINVAL}, Evidence: []string{srcConnectExDoc, srcAcceptExDoc, srcTransmitFileDoc, srcDotnetDisconnect, srcDotnetAccept, srcWineAcceptEx, srcWineConnect}},
	{ID: ClauseFlagTimeWait, Section: SectionParameters,
		Page:    "The socket level disconnect is subject to the behavior of the underlying transport. For example, a TCP socket may be subject to the TCP TIME_WAIT state, causing the DisconnectEx call to be delayed.",
		Windows: "With flags 0 the call completes at once (no wait for TIME_WAIT or the peer's FIN). With TF_REUSE_SOCKET, by the TransmitFile page, the request completes once data received before the peer's FIN has been read and the peer has completed its graceful close; when the peer closed first it completes promptly (dotnet Accept.cs). Whether the side that closed first also waits out its own TIME_WAIT is not settled, and the emulator offers both as variants. No wait (variant after-close): dotnet's Disconnect_Success(reuseSocket: true) runs in the ordinary Windows pass, its client closes first (the test server shuts down and disposes its end only after reading the client's FIN) and the reused client connects again at once, which a 120-240 s wait per run (six socket flavours) would not allow unnoticed; and the ConnectEx page puts the TIME_WAIT delay on the later ConnectEx of the reused socket, not on DisconnectEx. Wait (variant waits): the page's note above, and one report of Disconnect(true) blocking about two minutes, unchanged by TcpTimedWaitDelay=30 without a reboot; that report does not show that its peer had closed, and a peer that has not closed delays the request in either variant. The evidence favours after-close, so it is the emulator's default: an observation repeated on every Windows CI run (a 120-240 s stall there would time the test out or be noticed) stands against a sentence that says only \"may\" and an anecdote whose peer's state is unknown, and after-close is also the reading under which both the DisconnectEx and the ConnectEx page hold, the delay falling on the socket pair (the later ConnectEx to the same address fails WSAEADDRINUSE until the row expires) rather than on the call. Inference either way (no source observed the request's completion time on the first-closing side): unverified.",
		Status:  Unverified, Evidence: []string{srcDotnetReuseFirst, srcDotnetServerFIN, srcConnectExDoc, srcTransmitFileDoc, srcDotnetAccept, srcCorefx29932, srcWineDisconnectEx}},
	{ID: ClauseParamReserved, Section: SectionParameters,
		Page:    "reserved: Reserved. Must be zero. If nonzero, WSAEINVAL is returned.",
		Windows: "Not observed publicly: Wine's tests and .NET only pass zero. Wine itself ignores the value. The emulator offers both: variant einval (the default, the page's word, which nothing contradicts) and variant ignored (Wine's behaviour).",
		Status:  Unverified, Errors: []Errno{WSAEINVAL}, Evidence: []string{srcNoEvidence, srcWineWS2Disc}},
	{ID: ClauseRetSuccess, Section: SectionReturn,
		Page:    "On success, the DisconnectEx function returns TRUE.",
		Windows: "A synchronous call (NULL lpOverlapped) on a connected socket returns TRUE and leaves WSAGetLastError at 0.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRetFailure, Section: SectionReturn,
		Page:    "On failure, the function returns FALSE. Use the WSAGetLastError function to get extended error information.",
		Windows: "Failures return FALSE with the Winsock code in WSAGetLastError.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRetPending, Section: SectionReturn,
		Page:    "If a call to the WSAGetLastError function returns ERROR_IO_PENDING, the operation initiated successfully and is in progress.",
		Windows: "ERROR_IO_PENDING is followed by exactly one completion: the event or socket is signalled, a packet is queued where the socket is on a port, and GetOverlappedResult returns the outcome.",
		Status:  Agrees, Errors: []Errno{ERROR_IO_PENDING}, Evidence: []string{srcWineDisconnectEx, srcWineShutdownIOCP}},
	{ID: ClauseRetLaterFailure, Section: SectionReturn,
		Page:    "Under such circumstances, the call may still fail when the operation completes.",
		Windows: "Not published for DisconnectEx. Other pending socket requests end with ERROR_OPERATION_ABORTED when canceled (CancelIoEx, thread exit, closing a listener under AcceptEx), with ERROR_NETNAME_DELETED when the peer resets (WSAECONNRESET through WSAGetOverlappedResult) and, in one report, when the socket itself is closed under a pending WSARecv.",
		Status:  Unverified, Errors: []Errno{ERROR_OPERATION_ABORTED, ERROR_NETNAME_DELETED}, Evidence: []string{srcNoEvidence, srcCancelIoExDoc, srcWineIOCP, srcCorosio98}},
	{ID: ClauseErrFault, Section: SectionErrors,
		Page:    "WSAEFAULT: The system detected an invalid pointer address in attempting to use a pointer argument. This error is returned if an invalid pointer value was passed in the lpOverlapped parameter.",
		Windows: "Not observed publicly for DisconnectEx. Windows' AcceptEx and ConnectEx store STATUS_PENDING in lpOverlapped->Internal even when they fail at once, so the pointer is touched early; Windows' getpeername turns wild pointers into WSAEFAULT where Wine crashes. Wine's DisconnectEx writes lpOverlapped before the call and so crashes; a case that passes a wild pointer must run in a child process.",
		Status:  Unverified, Errors: []Errno{WSAEFAULT}, Evidence: []string{srcNoEvidence, srcWineConnect, srcWineAcceptEx, srcWineGetpeername, srcWineWS2Disc}},
	{ID: ClauseErrInvalFlags, Section: SectionErrors,
		Page:    "WSAEINVAL: The invalid parameter was passed. This error is returned if the dwFlags parameter was specified with a zero value other than TF_REUSE_SOCKET.",
		Windows: "The sentence is garbled (\"a zero value other than TF_REUSE_SOCKET\"); read as \"a nonzero value other than TF_REUSE_SOCKET\". What Windows does with unknown bits is not published; the emulator offers variant einval (the default, the page's word) and variant ignored (Wine's behaviour: the bits are dropped). For the sibling TransmitFile, a flag error (TF_REUSE_SOCKET without TF_DISCONNECT) loses to the connection check: an unconnected socket fails WSAENOTCONN. Wine ignores unknown bits.",
		Status:  Unverified, Errors: []Errno{WSAEINVAL}, Evidence: []string{srcNoEvidence, srcTransmitFileDoc, srcWineTransmitFile, srcWineWS2Disc}},
	{ID: ClauseErrNotConn, Section: SectionErrors,
		Page:    "WSAENOTCONN: The socket is not connected. This error is returned if the socket s parameter was not in a connected state.",
		Windows: "A TCP socket that never connected fails with WSAENOTCONN (observed with an OVERLAPPED; .NET's synchronous call fails the same way). AFD's own status for an unconnected socket is STATUS_INVALID_CONNECTION, which WSAGetOverlappedResult reports as WSAENOTCONN.",
		Status:  Agrees, Errors: []Errno{WSAENOTCONN}, Evidence: []string{srcWineDisconnectEx, srcDotnetDisconnect, srcWineAfdRecv}},
	{ID: ClauseErrNotConnTransmit, Section: SectionErrors,
		Page:    "This error can also be returned if the socket was in the transmit closing state from a previous request and the dwFlags parameter was not set to TF_REUSE_SOCKET to request a reuse of the socket.",
		Windows: "A second DisconnectEx with flags 0 after a completed first one returns TRUE again; the socket stays connected in the send-shut-down state.",
		Status:  Contradicts, Errors: []Errno{WSAENOTCONN}, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRemDatagram, Section: SectionRemarks,
		Page:    "The DisconnectEx function does not support datagram sockets.",
		Windows: "A UDP socket is refused with WSAENOTCONN (10057), not WSAEOPNOTSUPP: .NET's Disconnect, a direct DisconnectEx call, fails so on Windows 10 (the reporter says Connect on the socket worked, so it was likely connected). The sibling TransmitFile also fails WSAENOTCONN on an unconnected UDP socket although its page lists WSAEINVAL. Wine accepts UDP sockets. Which error a connected UDP socket gets is inferred (the report does not show the connect), so the emulator offers variant enotconn (the default: WSAENOTCONN, connected or not, the observed code) and variant einval-connected (WSAEINVAL once connected, as ReactOS's AFD refuses connectionless endpoints). The status is agrees because what the page says, that datagram sockets are not supported, was observed (the call fails on a UDP socket) and holds under both variants; only the error code of a connected one is unsettled.",
		Status:  Agrees, Errors: []Errno{WSAENOTCONN, WSAEINVAL}, Evidence: []string{srcDotnetUDP, srcWineTransmitFile, srcWineWS2Disc, srcReactOSDisc}},
	{ID: ClauseRemSocketTypes, Section: SectionRemarks,
		Page:    "Therefore, the socket specified by hSocket must be connection-oriented, such as a SOCK_STREAM, SOCK_SEQPACKET, or SOCK_RDM socket.",
		Windows: "Over TCP/IP only SOCK_STREAM is connection-oriented: WSASocketW(AF_INET or AF_INET6, SOCK_RDM or SOCK_SEQPACKET, IPPROTO_TCP or IPPROTO_UDP) fails (observed without the error code, dotnet/runtime CreateSocketTests.cs Ctor_Failure and DualMode_Failure, outer-loop runs), so those kinds cannot reach DisconnectEx there; with protocol 0 that is inferred, as no public test makes that call. Observed (Wine's test_WSASocket, ok on Windows) is how WSASocket picks the provider: stream sockets come only with TCP (protocol 0 or IPPROTO_TCP; type 0 with TCP or protocol 0), datagram ones with UDP; an unknown type fails WSAESOCKTNOSUPPORT, checked before the family; an unknown family WSAEAFNOSUPPORT, checked before the protocol (Wine gives another code there); a protocol the type does not carry WSAEPROTONOSUPPORT, UDP on SOCK_STREAM and TCP on SOCK_DGRAM included; AF_UNSPEC with TCP or UDP makes an AF_INET socket and with protocol 0 fails WSAEINVAL, whatever the type; SOCK_RAW is made only where the process may have raw sockets and fails WSAEACCES elsewhere (the emulator models a process that may not, for protocols 0-255, the raw entry's range); AF_IPX where IPX is not installed fails WSAEAFNOSUPPORT. dotnet's tests agree, checking failure but not its code (the emulator's codes in brackets): with the flags .NET passes (WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT), family -1 fails with SOCK_STREAM/TCP and SOCK_DGRAM/UDP [WSAEAFNOSUPPORT], SOCK_DGRAM/TCP and SOCK_STREAM/UDP fail on AF_INET and AF_INET6 too [WSAEPROTONOSUPPORT], type -1 with TCP or UDP [WSAESOCKTNOSUPPORT]; families 65536 and 65537 (.NET's Packet and ControllerAreaNetwork) with SOCK_RAW and protocol 0 fail in every Windows run, elevated or not [WSAEAFNOSUPPORT]; and a creation of AF_INET or AF_INET6 with SOCK_RAW and protocol 0 is made or fails with WSAEACCES, WSAEPROTONOSUPPORT or WSAEAFNOSUPPORT, so dotnet's CI confirms the emulator's WSAEACCES as allowed, not as the code. A socket just made has no local name: getsockname fails on it [WSAEINVAL, the code not observed].",
		Status:  Unverified, Errors: []Errno{WSAESOCKTNOSUPPORT, WSAEAFNOSUPPORT, WSAEPROTONOSUPPORT, WSAEACCES, WSAEINVAL}, Evidence: []string{srcNoEvidence, srcWineWSASocket, srcDotnetCreate}},
	{ID: ClauseRemLookup, Section: SectionRemarks,
		Page:    "The function pointer for the DisconnectEx function must be obtained at run time by making a call to the WSAIoctl function with the SIO_GET_EXTENSION_FUNCTION_POINTER opcode specified. On success, the output returned by the WSAIoctl function contains a pointer to the DisconnectEx function.",
		Windows: "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_DISCONNECTEX) on a TCP socket returns a nonzero pointer. Load it from the socket in use: an AF_INET probe socket fails where IPv4 is disabled (golang/go#29759).",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRemGUID, Section: SectionRemarks,
		Page:    "The input buffer passed to the WSAIoctl function must contain WSAID_DISCONNECTEX, a globally unique identifier (GUID) whose value identifies the DisconnectEx extension function. The WSAID_DISCONNECTEX GUID is defined in the Mswsock.h header file.",
		Windows: "WSAID_DISCONNECTEX is {7FDA2E11-8630-436F-A031-F536A6EEC157}. A GUID the provider does not know fails with WSAEINVAL.",
		Status:  Agrees, Errors: []Errno{WSAEINVAL}, Evidence: []string{srcMswsockH, srcWineExtFunc, srcWineDisconnectEx}},
	{ID: ClauseRemPending, Section: SectionRemarks,
		Page:    "When lpOverlapped is not NULL, overlapped I/O might not finish before DisconnectEx returns, resulting in the DisconnectEx function returning FALSE and a call to the WSAGetLastError function returning ERROR_IO_PENDING. This design enables the caller to continue processing while the disconnect operation completes.",
		Windows: "Observed: it always pends on an overlapped socket, and completes promptly for flags 0.",
		Status:  Agrees, Errors: []Errno{ERROR_IO_PENDING}, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRemSignalEvent, Section: SectionRemarks,
		Page:    "Upon completion of the request, Windows sets either the event specified by the hEvent member of the OVERLAPPED structure, or the socket specified by hSocket, to the signaled state.",
		Windows: "The event in hEvent is signalled on completion; GetOverlappedResult then returns TRUE with 0 bytes.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseRemSignalSocket, Section: SectionRemarks,
		Page:    "(Upon completion ...) or the socket specified by hSocket.",
		Windows: "With hEvent NULL the socket handle is signalled, as for any file handle; no DisconnectEx-specific observation is published.",
		Status:  Unverified, Evidence: []string{srcGetOverlappedDoc}},
	{ID: ClauseRemThreadExit, Section: SectionRemarks,
		Page:    "All I/O initiated by a given thread is canceled when that thread exits. For overlapped sockets, pending asynchronous operations can fail if the thread is closed before the operations complete.",
		Windows: "Pending requests the thread issued complete with ERROR_OPERATION_ABORTED (STATUS_CANCELLED) when it exits or is terminated, except that since Vista a request on a socket associated with a completion port survives if it would post a packet (hEvent low bit clear) and has no event (hEvent NULL); with an event it is still canceled and its packet still queued. CancelIoEx cancels a survivor later.",
		Status:  Contradicts, Errors: []Errno{ERROR_OPERATION_ABORTED}, Evidence: []string{srcCancelIoDoc, srcVistaIO, srcWineAfdThread}},
	{ID: ClauseRemTimeWait, Section: SectionRemarks,
		Page:    "The TIME_WAIT state determines the time that must elapse before TCP can release a closed connection and reuse its resources. This interval between closure and release is known as the TIME_WAIT state or 2MSL state. The TIME_WAIT behavior is specified in RFC 793.",
		Windows: "The side that closes first keeps a TIME_WAIT row in the TCP table for the configured delay; the side that closes second does not. Inferred, not observed: RFC 793, which the page cites, assigns TIME-WAIT to the side that closes first, and Microsoft's port exhaustion guide describes TIME_WAIT rows holding ports on Windows; no cited source shows on Windows which side of a connection holds the row, so the status is unverified.",
		Status:  Unverified, Evidence: []string{srcRFC793, srcPortExhaustion}},
	{ID: ClauseRemTimeWaitPair, Section: SectionRemarks,
		Page:    "Windows TCP reverts to a TIME_WAIT state subsequent to the closing of a connection. While in the TIME_WAIT state, a socket pair cannot be re-used.",
		Windows: "Local ports held by TIME_WAIT rows are not handed out by implicit binds; when every dynamic port is held, binds and connects fail (WSAENOBUFS, the symptom Microsoft's port exhaustion guide reports from Windows machines). The socket pair itself stays unusable while its row lasts, though an explicit bind to the port succeeds (observed in curl/curl#8528).",
		Status:  Agrees, Evidence: []string{srcPortExhaustion, srcCurl8528}},
	{ID: ClauseRemTimeWaitRelease, Section: SectionRemarks,
		Page:    "During this time, the connection can be reopened at much less cost to the client and server than establishing a new connection. When a connection is released, its socket pair and internal resources used for the socket can be used to support another connection.",
		Windows: "Once the delay has passed the row leaves the table and its port and socket pair can be used again: implicit binds take the port and a connect of the same pair succeeds. Reopening a connection during TIME_WAIT is not something Winsock exposes to a caller (see DX-GAP-TIMEWAIT-SYN for the listening side). Inferred, not observed: RFC 793 ends TIME-WAIT after the delay, and the port exhaustion guide's remedy (a shorter TcpTimedWaitDelay) presumes the ports come back when it ends; no cited source timed a row's end on Windows, so the status is unverified.",
		Status:  Unverified, Evidence: []string{srcRFC793, srcPortExhaustion}},
	{ID: ClauseRemTimeWaitTuning, Section: SectionRemarks,
		Page:    "Reducing the value of this entry allows TCP to release closed connections faster, providing more resources for new connections. However, if the value is too low, TCP might release connection resources before the connection is complete, requiring the server to use additional resources to re-establish the connection.",
		Windows: "A shorter TcpTimedWaitDelay ends TIME_WAIT rows, and the ports they hold, sooner. The risk the page names (a late segment meeting a released connection) concerns the network, not a Winsock call. Documented, not observed: the registry references and the port exhaustion guide say so; the one public report that lowered the value (to 30, without a reboot) saw no difference, which fits the value being read at boot but confirms nothing, so the status is unverified.",
		Status:  Unverified, Evidence: []string{srcTcpipRegistry, srcPortExhaustion, srcCorefx29932}},
	{ID: ClauseRemTimeWaitConfig, Section: SectionRemarks,
		Page:    "The TIME_WAIT period is configurable by modifying the following DWORD registry setting that represents the TIME_WAIT period in seconds. (TcpTimedWaitDelay)",
		Windows: "TcpTimedWaitDelay under HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters sets the delay in seconds; the value is absent by default and read at boot. Documented, not observed: every cited source is a Microsoft reference that agrees with the page; none measured a configured delay, so the status is unverified.",
		Status:  Unverified, Evidence: []string{srcTcpipRegistry, srcTcpip2003, srcTcpipNetBT}},
	{ID: ClauseRemMSL, Section: SectionRemarks,
		Page:    "By default, the MSL is defined to be 120 seconds.",
		Windows: "Every Microsoft registry reference found states an MSL of 120 s, including the Server 2003 one whose TIME_WAIT default is 120 s (one MSL, not two). No current measurement settles what Windows uses.",
		Status:  Unverified, Evidence: []string{srcTcpipRegistry, srcTcpip2003}},
	{ID: ClauseRemTimeWaitDefault, Section: SectionRemarks,
		Page:    "The TcpTimedWaitDelay registry setting defaults to a value 240 seconds, which represents 2 times the maximum segment lifetime of 120 seconds or 4 minutes.",
		Windows: "240 s only in the Windows 2000 reference (and for the XP/2003 IPv6 stack); from XP/Server 2003 the IPv4 default is 120 s, and a 2019 .NET report of a Disconnect(true) blocking about two minutes fits 120 s. No Microsoft reference for Vista or later was found besides this page. The emulator offers variant 240s (the default: this page, the only text that covers Vista and later, where the TCP/IP stack was replaced) and variant 120s (the XP/2003 IPv4 default); the variant decides what spec.DefaultTcpTimedWaitDelay, the registry value absent, gives.",
		Status:  Unverified, Evidence: []string{srcTcpipRegistry, srcTcpip2003, srcTcpipNetBT, srcCorefx29932}},
	{ID: ClauseRemTimeWaitRange, Section: SectionRemarks,
		Page:    "This registry setting can be set from 0 to 300 seconds.",
		Windows: "The Windows 2000 reference and the XP/2003 NetBT article give 30 to 300; only the Server 2003 registry reference gives 0 to 300 as this page does. What Windows does with values outside the range is not published. The emulator accepts 0..300 and rejects 301 with a clear error.",
		Status:  Unverified, Evidence: []string{srcTcpipRegistry, srcTcpip2003, srcTcpipNetBT}},
	{ID: ClauseRequirements, Section: SectionRequires,
		Page:    "Minimum supported client: Windows 8.1, Windows Vista [desktop apps only]. Minimum supported server: Windows Server 2003 [desktop apps only]. Minimum supported phone: Windows Phone 8. Supported for Windows Phone Store apps on Windows Phone 8 and later, and for Windows Store apps on Windows 8.1, Windows Server 2012 R2 and later.",
		Windows: "The WSAIoctl lookup returns DisconnectEx on the Windows versions Wine's test bot runs test_DisconnectEx on (its lookup is followed by plain ok() checks of the call, which pass there) and under Wine; mswsock.h declares WSAID_DISCONNECTEX for _WIN32_WINNT 0x0501 (XP, Server 2003) and later. This project's own Windows CI jobs (Server 2022 and 2025) have not run yet. The phone and Store lines concern platforms this project does not target.",
		Status:  Agrees, Evidence: []string{srcWineDisconnectEx, srcMswsockH}},
	{ID: ClauseGapNullOverlapped, Section: SectionGaps,
		Page:    "(not stated) What a NULL lpOverlapped does on an overlapped socket.",
		Windows: "The call is synchronous: TRUE, WSAGetLastError 0 (Windows 7 and later); no event, no packet.",
		Status:  Unspecified, Evidence: []string{srcWineDisconnectEx, srcWineShutdownIOCP}},
	{ID: ClauseGapShutdownSend, Section: SectionGaps,
		Page:    "(not stated) What flags 0 does to the connection.",
		Windows: "Like shutdown(SD_SEND): the peer reads 0 (FIN), send fails with WSAESHUTDOWN, connect fails with WSAEISCONN, data from the peer is still received, getsockname and getpeername still succeed.",
		Status:  Unspecified, Errors: []Errno{WSAESHUTDOWN, WSAEISCONN}, Evidence: []string{srcWineDisconnectEx, srcWineShutdown}},
	{ID: ClauseGapCompletionPort, Section: SectionGaps,
		Page:    "(not stated) Completion ports.",
		Windows: "On a socket associated with a port, a pending DisconnectEx queues one packet (the key, 0 bytes, the same OVERLAPPED), even with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS because it pends; a synchronous call (NULL lpOverlapped) queues nothing; an hEvent with its low bit set suppresses the packet.",
		Status:  Unspecified, Evidence: []string{srcWineShutdownIOCP, srcIOCPDoc}},
	{ID: ClauseGapNoReuse, Section: SectionGaps,
		Page:    "(not stated) Reusing a socket disconnected without TF_REUSE_SOCKET.",
		Windows: "The socket is still connected: ConnectEx (and connect) on it fail with WSAEISCONN, AcceptEx into it fails with WSAEINVAL.",
		Status:  Unspecified, Errors: []Errno{WSAEISCONN, WSAEINVAL}, Evidence: []string{srcDotnetDisconnect, srcDotnetAccept, srcWineConnect, srcWineAcceptEx}},
	{ID: ClauseGapListening, Section: SectionGaps,
		Page:    "(not stated) A listening socket.",
		Windows: "Not published for DisconnectEx. Windows treats a listening socket as not connected elsewhere: shutdown on it fails WSAENOTCONN and an AFD receive on it fails STATUS_INVALID_CONNECTION (WSAENOTCONN), so WSAENOTCONN is expected; cases accept any failure.",
		Status:  Unspecified, Errors: []Errno{WSAENOTCONN}, Evidence: []string{srcNoEvidence, srcWineShutdown, srcWineAfdRecv}},
	{ID: ClauseGapAfterShutdown, Section: SectionGaps,
		Page:    "(not stated) A socket whose sending side was already shut down with shutdown(SD_SEND).",
		Windows: "Not published for DisconnectEx. The socket is still connected and a second shutdown(SD_SEND) or a second DisconnectEx with flags 0 succeeds, so success is expected (the emulator succeeds); the TransmitFile page, however, fails that call with WSAESHUTDOWN after shutdown(SD_SEND), so cases should accept WSAESHUTDOWN too.",
		Status:  Unspecified, Errors: []Errno{WSAESHUTDOWN}, Evidence: []string{srcNoEvidence, srcWineShutdown, srcWineDisconnectEx, srcTransmitFileDoc}},
	{ID: ClauseGapPeerClosed, Section: SectionGaps,
		Page:    "(not stated) A socket whose peer closed first (FIN received).",
		Windows: "The socket is still connected (CLOSE_WAIT); DisconnectEx succeeds and, as the passive closer, this side enters no TIME_WAIT, so TF_REUSE_SOCKET completes without delay: .NET's synchronous Disconnect(true) on an accepted socket whose client had closed returns and the socket is accepted into again.",
		Status:  Unspecified, Evidence: []string{srcTransmitFileDoc, srcDotnetAccept}},
	{ID: ClauseGapPeerReset, Section: SectionGaps,
		Page:    "(not stated) A socket whose peer reset the connection.",
		Windows: "Not published for DisconnectEx. After a peer's RST Windows fails WSASend with WSAECONNRESET and completes a pending WSARecv with ERROR_NETNAME_DELETED. The emulator fails with WSAENOTCONN; cases accept WSAENOTCONN, WSAECONNRESET or success. The cases make the reset with SO_LINGER on and a time of 0, then closesocket. Observed (dotnet/runtime's LingerStateTest.cs at commit a4c0227b3b2c14795803c25055982666fc7bae7b, TestLingerState_Success lines 15-16, OuterLoop runs on Windows): setsockopt(SO_LINGER) with l_onoff 1 succeeds on a new TCP socket for l_linger 0 and 120, and for 32767, 32768 and 65535 (the whole unsigned short), and getsockopt(SO_LINGER) then gives what was set; a new socket's SO_LINGER reads l_onoff 0, l_linger 0 (lines 33-34). spec.API has no getsockopt of SO_LINGER, so only the sets are checked.",
		Status:  Unspecified, Errors: []Errno{WSAENOTCONN, WSAECONNRESET}, Evidence: []string{srcNoEvidence, srcWineIOCP, srcDotnetLinger}},
	{ID: ClauseGapCancel, Section: SectionGaps,
		Page:    "(not stated) Canceling a pending DisconnectEx.",
		Windows: "CancelIoEx on a pending request completes it with ERROR_OPERATION_ABORTED, as for any socket request; for a request already complete it returns ERROR_NOT_FOUND.",
		Status:  Unspecified, Errors: []Errno{ERROR_OPERATION_ABORTED, ERROR_NOT_FOUND}, Evidence: []string{srcCancelIoExDoc, srcWineAfdThread}},
	{ID: ClauseGapClosePending, Section: SectionGaps,
		Page:    "(not stated) closesocket while a DisconnectEx is pending.",
		Windows: "Not published for DisconnectEx. Closing a listener under a pending AcceptEx completes it with ERROR_OPERATION_ABORTED (Internal STATUS_CANCELLED, packet queued); closing a socket under a pending WSARecv completes that with ERROR_CONNECTION_ABORTED (Internal STATUS_CONNECTION_ABORTED; XP gave ERROR_NETNAME_DELETED, as one report also saw), and the emulator does so for WSARecv; closing the accept socket while AcceptEx waits for data gives ERROR_OPERATION_ABORTED or ERROR_CONNECTION_ABORTED. For a pending DisconnectEx the emulator completes it with ERROR_OPERATION_ABORTED; cases should accept all three.",
		Status:  Unspecified, Errors: []Errno{ERROR_OPERATION_ABORTED, ERROR_NETNAME_DELETED, ERROR_CONNECTION_ABORTED}, Evidence: []string{srcWineIOCP, srcWineIOCPClose, srcCorosio98}},
	{ID: ClauseGapSecondPending, Section: SectionGaps,
		Page:    "(not stated) A second DisconnectEx while the first is still pending.",
		Windows: "Not published. The emulator lets a TF_REUSE_SOCKET request wait alongside and completes both together; cases accept success or a pending result, or WSAEINVAL.",
		Status:  Unspecified, Evidence: []string{srcNoEvidence}},
	{ID: ClauseGapPortExhaustion, Section: SectionGaps,
		Page:    "(not stated) What TIME_WAIT does to the dynamic port range.",
		Windows: "Every dynamic port held (by sockets or TIME_WAIT rows) makes implicit binds fail: WSAENOBUFS from bind, WSAEADDRINUSE or WSAENOBUFS from connect.",
		Status:  Unspecified, Errors: []Errno{WSAENOBUFS, WSAEADDRINUSE}, Evidence: []string{srcPortExhaustion, srcDynamicPorts, srcCurl8528}},
	{ID: ClauseGapBindAddress, Section: SectionGaps,
		Page:    "(not stated) Binding a port that another socket holds on another local address, as servers with a listener on 0.0.0.0 and one on 127.0.0.1 do, and clients bound to several addresses.",
		Windows: "Observed (Wine's test_reuseaddr; its todo_wine lines pass on Windows), without SO_REUSEADDR: a socket binds 127.0.0.1:P (or [::1]:P) while another is bound to the unspecified address on P and listens there, and the other way round; both listen; a connection to 127.0.0.1:P is accepted on the listener on 127.0.0.1, whichever bound first. Two binds to the unspecified address on one port fail WSAEADDRINUSE. Two binds to one specific address fail as well: observed for TCP without options, WSAEADDRINUSE, by Wine's test_bind (below), and for UDP by dotnet's ReuseAddress (below), which does not check the code; inferred, not observed: for UDP the code is WSAEADDRINUSE too. Inferred, not observed: two different loopback addresses share a port; implicit binds still take a port that no socket holds on any address, so more local addresses do not widen the dynamic range for them; a bind to the specific address and port of a connection that a socket bound to the unspecified address has made fails WSAEADDRINUSE, and so does a connect whose 4-tuple a connection end already has, or that would connect a socket to its own address and port; a datagram goes to the socket bound to its destination address before one on the unspecified address; TCP and UDP sockets do not meet in bind (each protocol has its own ports). Observed too (ok on Windows), with the options (spec.API's SetBindOption): SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other (WSAEINVAL); a bind with SO_REUSEADDR to an address and port a socket without it holds fails WSAEACCES, and succeeds when both have it, both then listen (todo_wine) and the first listener gets the connection; a socket on the unspecified address with SO_EXCLUSIVEADDRUSE makes a later bind to the loopback address on its port fail WSAEACCES, one on the loopback address does not stop a bind to the unspecified address, and a bind to the unspecified address with SO_EXCLUSIVEADDRUSE beside a socket on the loopback address fails WSAEADDRINUSE; trio's how-does-windows-so-reuseaddr-work.py, run on Windows, printed the same for a first socket on the unspecified address (WSAEACCES for SO_REUSEADDR on the same address, success on a specific one). The table's dual-stack rows (IPV6_V6ONLY off) are outside the API; with IPV6_V6ONLY on, its default, an AF_INET6 socket on [::]:P and an AF_INET one on 0.0.0.0:P both bind (observed, Wine's test_ipv6only): the families do not meet in bind. Observed by dotnet/runtime's SocketOptionNameTest.cs (commit 1608c2d8f00d4704c7fc4a45266bd00a714da84d; xunit Asserts that pass on the Windows legs of dotnet's CI), with the options on UDP sockets: in ReuseAddress (line 340, every platform) and ReuseAddress_Windows (its rows run through the same line), a second socket's bind to the 127.0.0.1 address and port a first one holds fails (a SocketException, the code unchecked) with no option on either, with SO_REUSEADDR off or unset on the second whatever the first has, and with SO_EXCLUSIVEADDRUSE on the first whatever the second's SO_REUSEADDR; with SO_REUSEADDR on both it succeeds (the bind at line 344, outside any Assert, must not throw), so UDP follows the TCP rule above; and clearing SO_REUSEADDR on a socket with SO_EXCLUSIVEADDRUSE, or SO_EXCLUSIVEADDRUSE on a new socket, succeeds (those setsockopt calls stand outside any Assert, so a failure would fail the test). ExclusiveAddressUseTcp (lines 414-415): beside a TCP listener on 127.0.0.1 with SO_EXCLUSIVEADDRUSE, a bind without options to its address and port fails WSAEADDRINUSE, the tests_exclusive row Wine's test_reuseaddr checks as well. Observed as well (Wine's test_bind and test_getsockname, ok on Windows): a bind to an address that is not local (192.0.2.0) fails WSAEADDRNOTAVAIL; a second bind of a bound socket fails WSAEINVAL, and a second socket's bind to the first one's name WSAEADDRINUSE; a bind to a local IPv6 address with a scope id no interface has (0xabacab) fails WSAEADDRNOTAVAIL and leaves the socket unbound (todo_wine for ::1), while scope 0 and the address's own scope id are accepted (inferred, no source shows it: the emulator's one interface is the loopback one, with scope id 1, the index Windows gives its Loopback Pseudo-Interface 1; a zone that is not a decimal number of 32 bits names an interface, which reads as scope 0 when none has that name, as the native backend converts it); getsockname of an unbound socket fails WSAEINVAL, and of a bound one gives the family, a nonzero port and the address bound (the unspecified one included). Observed by dotnet/runtime's LocalEndPointTest.cs (commit dd742ae3; xunit Asserts of every ordinary Windows pass, for IPv4 and IPv6 sockets without dual mode, through connect() and accept() and through ConnectEx and AcceptEx): getsockname of a TCP or UDP socket bound to the unspecified address on port 0 gives the unspecified address (lines 37, 90, 134); once a TCP socket bound to the unspecified address has connected to the loopback address, getsockname gives the loopback address and the port of the bind (TcpClientSocket_WhenBoundToWildcardAddress_LocalEPChangeToSpecificOnConnect, lines 97-98), and a socket never bound gets the loopback address from its connect (line 119); a socket accepted on a listener bound to the unspecified address has the address the connection came in on and the listener's port (TcpAcceptSocket_WhenServerBoundToWildcardAddress_LocalEPIsSpecific, lines 146-147), while the listener's own address stays the unspecified one (line 145, where System.Net.Sockets may answer from its cache); an accepted socket's remote endpoint is the client's getsockname (lines 101, 122, 142, 167).",
		Status:  Unspecified, Errors: []Errno{WSAEADDRINUSE, WSAEACCES, WSAEINVAL, WSAEADDRNOTAVAIL}, Evidence: []string{srcWineReuseaddr, srcTrioReuseaddr, srcWineBind, srcWineIPv6Only, srcDotnetSockopt, srcDotnetEndpoint}},
	{ID: ClauseGapBadHandle, Section: SectionGaps,
		Page:    "(not stated) Invalid and closed handles.",
		Windows: "INVALID_SOCKET fails with WSAENOTSOCK; a closed socket handle, or a handle that is not a socket, fails the same way.",
		Status:  Unspecified, Errors: []Errno{WSAENOTSOCK}, Evidence: []string{srcWineDisconnectEx}},
	{ID: ClauseGapEventReset, Section: SectionGaps,
		Page:    "(not stated) The state of hEvent when the request starts.",
		Windows: "Inferred, not observed on Windows: the event is reset to nonsignaled when the request starts, so an event an earlier completion left signalled does not satisfy GetOverlappedResult(bWait TRUE) for the new request. Microsoft documents the reset for ReadFile and WriteFile; DisconnectEx, AcceptEx and ConnectEx reach the driver through the same NtDeviceIoControlFile path, which takes the event; Wine 8.0 resets it. No public test checks it for these calls on Windows.",
		Status:  Unspecified, Evidence: []string{srcReadFileDoc, srcWineEventReset}},
	{ID: ClauseGapTimeWaitSYN, Section: SectionGaps,
		Page:    "(not stated) What a new connection does to a socket pair that the listening side holds in TIME_WAIT (the server closed first and the client connects again from the same port, as a reused ConnectEx socket does).",
		Windows: "Not observed; two outcomes are plausible (the emulator's variants takeover and refuse): the SYN reopens the connection and the row leaves the table (takeover; RFC 1122 allows it; the page says a connection in TIME_WAIT \"can be reopened at much less cost\"), or the pair is refused until the row expires and connect fails with WSAEADDRINUSE (refuse; the page: \"a socket pair cannot be re-used\"; the Server 2003 SP1 note on connections with the socket addresses of one in TIME WAIT). Either way a TCP stack keys connections by their 4-tuple, so the table never holds two rows for one pair. No observation of Windows for the listening side's row is published; the emulator takes the row over by default (the page's own words, and this suite's reuse cases written as Windows reconnecting a reused socket to the same server).",
		Status:  Unspecified, Errors: []Errno{WSAEADDRINUSE}, Evidence: []string{srcRFC1122, srcRFC793, srcSmartPortAlloc}},
	{ID: ClauseGapConnecting, Section: SectionGaps,
		Page:    "(not stated) Calls on a socket whose connect is still in progress, as a socket that is to be reused goes through ConnectEx.",
		Windows: "Observed (Wine's test_connecting_socket, ok on Windows): a second ConnectEx fails WSAEINVAL at once and leaves Internal STATUS_PENDING; connect() after ConnectEx fails WSAEINVAL (after a non-blocking connect(), WSAEALREADY); getsockname gives the bound port; getpeername fails WSAENOTCONN after ConnectEx; recv and send fail WSAENOTCONN (todo_wine: Wine differs). Inferred, not observed: DisconnectEx fails WSAENOTCONN, as on any socket that is not connected.",
		Status:  Unspecified, Errors: []Errno{WSAEINVAL, WSAEALREADY, WSAENOTCONN}, Evidence: []string{srcWineConnecting}},
	{ID: ClauseGapSYNTimeout, Section: SectionGaps,
		Page:    "(not stated) A ConnectEx whose SYN is never answered, and how long it stays pending.",
		Windows: "Documented by Microsoft, not observed by a public test: the request pends while the SYN is retransmitted after TcpInitialRTT (3 s) and then after twice the last wait, TcpMaxConnectRetransmissions (2) times, so at 3 s and 9 s, and fails after a last wait of 12 s, at 21 s, with STATUS_IO_TIMEOUT (ERROR_SEM_TIMEOUT, WSAETIMEDOUT). KB 2786464 gives the same 21 s for Windows 7 and Server 2008 R2; it lets an administrator lower the initial RTO and change the count (netsh), which the emulator's WithSYNSchedule models. No source found gives another default for later Windows, so there is one schedule, not variants.",
		Status:  Unspecified, Errors: []Errno{ERROR_SEM_TIMEOUT, WSAETIMEDOUT}, Evidence: []string{srcTcpInitialRTT, srcTcpMaxConnect, srcKB2786464, srcWineConnecting}},
	{ID: ClauseGapUnreachable, Section: SectionGaps,
		Page:    "(not stated) A ConnectEx to a host that refuses the connection or cannot be reached.",
		Windows: "A refused ConnectEx completes ERROR_CONNECTION_REFUSED (WSAECONNREFUSED through WSAGetOverlappedResult; Wine's test_connect, ok on Windows). Inferred from the NTSTATUS mapping, not observed: an unreachable host completes STATUS_HOST_UNREACHABLE (ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH), an unreachable network STATUS_NETWORK_UNREACHABLE (ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH); a blocking connect() fails with the Winsock code. Whether an overlapped ConnectEx to an unreachable destination pends first is not observed: the emulator's variants are pends (ERROR_IO_PENDING, then the completion with the status; the default, as a refused ConnectEx pends) and at-once (WSAEHOSTUNREACH or WSAENETUNREACH within the call, as Wine 8.0 does when Linux has no route).",
		Status:  Unspecified, Errors: []Errno{ERROR_CONNECTION_REFUSED, WSAECONNREFUSED, ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH, ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH}, Evidence: []string{srcWineConnect, srcWineNtdllError, srcWineWS2Status}},
	{ID: ClauseGapPeerNoFIN, Section: SectionGaps,
		Page:    "(not stated) DisconnectEx(TF_REUSE_SOCKET) when the peer never sends its FIN.",
		Windows: "Inferred, not observed: the request waits for the peer's FIN (TransmitFile's page: the call completes only when the peer has completed the graceful close) and no timer ends the wait while the socket's handle is open, so it stays pending until CancelIoEx (ERROR_OPERATION_ABORTED) or closesocket; the socket stays transmit-closing after a cancel.",
		Status:  Unspecified, Errors: []Errno{ERROR_OPERATION_ABORTED}, Evidence: []string{srcTransmitFileDoc, srcCancelIoExDoc}},
}

// Clauses returns the catalogue in page order: a deep copy, so a caller
// may change the clauses and their Errors and Evidence slices without
// changing the catalogue.
func Clauses() []Clause {
	out := slices.Clone(catalogue)
	for i := range out {
		out[i] = out[i].clone()
	}
	return out
}

// clone copies c with slices of its own.
func (c Clause) clone() Clause {
	c.Errors = slices.Clone(c.Errors)
	c.Evidence = slices.Clone(c.Evidence)
	return c
}

var clauseIndex = func() map[string]int {
	m := make(map[string]int, len(catalogue))
	for i, c := range catalogue {
		if _, dup := m[c.ID]; dup {
			panic(fmt.Sprintf("spec: duplicate clause ID %s", c.ID))
		}
		m[c.ID] = i
	}
	return m
}()

// Lookup returns the clause with the given ID, a deep copy as in Clauses.
func Lookup(id string) (Clause, bool) {
	i, ok := clauseIndex[id]
	if !ok {
		return Clause{}, false
	}
	return catalogue[i].clone(), true
}
