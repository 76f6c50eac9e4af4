package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of dotnet/runtime's System.Net.Sockets functional tests
// (src/libraries/System.Net.Sockets/tests/FunctionalTests), each file pinned
// to the commit the file index holds. An xunit Assert runs on the Windows
// legs of dotnet's CI unless the test is OuterLoop (outer-loop runs only)
// or platform-specific; Checks says so where it matters. Many Asserts check
// the managed Socket object (Connected, an exception System.Net.Sockets
// throws before calling Winsock); those have no case, and Why names the
// managed check. AssertExtensions lines (argument validation) are not
// Assert lines and have no entries.

func init() {
	registerEvidence(&dotnetDisconnect)
	registerEvidence(&dotnetAccept)
	registerEvidence(&dotnetConnect)
	registerEvidence(&dotnetSAEA)
}

const dotnetDir = "src/libraries/System.Net.Sockets/tests/FunctionalTests/"

// Reasons shared by the dotnet entries.
const (
	whyManagedConnected = "Socket.Connected is managed state: System.Net.Sockets sets it after a successful call and clears it after Disconnect; no Winsock call reads it"
	whyManagedDisposed  = "System.Net.Sockets throws ObjectDisposedException itself (ThrowIfDisposed) before any Winsock call"
	whyManagedCanceled  = "the token is canceled before the call: System.Net.Sockets throws OperationCanceledException without calling Winsock"
	whyManagedSAEA      = "a check of SocketAsyncEventArgs itself (in-use state, disposal, Completed handlers, ExecutionContext flow), not of a Winsock call"
)

var dotnetDisconnect = evidenceSource{
	Name:       "dotnet-disconnect",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "DisconnectTest.cs",
	Version:    "main",
	Commit:     "03dcbb2fb31bdbff89bba8424f422198d09eef68",
	CasePrefix: "dotnet-disconnect/",
	Complete: []string{"Disconnect_Success", "DisconnectAndReuse_ReconnectSync_ThrowsInvalidOperationException",
		"Disconnect_NotConnected_ThrowsSocketException", "Disconnect_ObjectDisposed_ThrowsObjectDisposedException",
		"Disconnect_Precanceled_ThrowsOperationCanceledException"},
	Entries: []expectation{
		{Func: "Disconnect_Success", Line: 28, Kind: kindAssert, Checks: "ConnectAsync to the first test server succeeds (async helpers: ConnectEx after a wildcard bind)", Case: "dotnet-disconnect/success-reuse-overlapped"},
		{Func: "Disconnect_Success", Line: 28, Kind: kindAssert, Checks: "ConnectAsync to the first test server succeeds (synchronous helpers: connect())", Case: "dotnet-disconnect/success-reuse-sync"},
		{Func: "Disconnect_Success", Line: 31, Kind: kindAssert, Checks: "DisconnectAsync(reuseSocket: true) completes without error, the client closing first: the test server reads 0 bytes, shuts down and closes (SocketTestServerAsync.cs at 4daff4b0, ProcessReceive:268-280, CloseClientSocket:330-339), so the client is the active closer; ordinary pass on Windows, no time limit asserted", Case: "dotnet-disconnect/success-reuse-overlapped"},
		{Func: "Disconnect_Success", Line: 31, Kind: kindAssert, Clause: spec.ClauseFlagTimeWait, Checks: "the same with Disconnect(true), DisconnectEx with a NULL OVERLAPPED (Socket.Windows.cs at 00ae72a7, DisconnectExBlocking:203-207): the blocking call returns once the server has closed", Case: "dotnet-disconnect/success-reuse-sync"},
		{Func: "Disconnect_Success", Line: 31, Kind: kindAssert, Checks: "after DisconnectAsync(reuseSocket: false) Connected is false", Why: whyManagedConnected},
		{Func: "Disconnect_Success", Line: 38, Kind: kindAssert, Clause: spec.ClauseFlagTimeWait, Checks: "the reused client (the side that closed first) connects at once with ConnectAsync to a second server, without a new bind (WildcardBindForConnectIfNecessary returns early for a socket with an endpoint)", Case: "dotnet-disconnect/success-reuse-overlapped"},
		{Func: "Disconnect_Success", Line: 38, Kind: kindAssert, Clause: spec.ClauseFlagTimeWait, Checks: "the same after the synchronous Disconnect(true)", Case: "dotnet-disconnect/success-reuse-sync"},
		{Func: "Disconnect_Success", Line: 42, Kind: kindAssert, Checks: "synchronous helpers, reuseSocket false: a second Connect throws InvalidOperationException", Why: "System.Net.Sockets' synchronous Connect refuses a disconnected socket itself (net_sockets_disconnectedConnect) before any Winsock call"},
		{Func: "Disconnect_Success", Line: 46, End: 47, Kind: kindAssert, Checks: "asynchronous helpers, reuseSocket false: ConnectAsync to a second server fails with SocketError.IsConnected (WSAEISCONN from ConnectEx)", Case: "dotnet-disconnect/success-noreuse-connectex-isconn"},
		{Func: "Disconnect_Success", Line: 46, End: 47, Kind: kindAssert, Checks: "the same, the ConnectEx possibly issued before the server has closed its end", Case: "dotnet-disconnect/noreuse-connectex-isconn-before-peer-closes"},
		{Func: "DisconnectAndReuse_ReconnectSync_ThrowsInvalidOperationException", Line: 63, Kind: kindAssert, Checks: "ConnectAsync to the first server succeeds", Case: "dotnet-disconnect/success-reuse-overlapped"},
		{Func: "DisconnectAndReuse_ReconnectSync_ThrowsInvalidOperationException", Line: 66, Kind: kindAssert, Checks: "DisconnectAsync(reuseSocket: true) completes without error", Case: "dotnet-disconnect/success-reuse-overlapped"},
		{Func: "DisconnectAndReuse_ReconnectSync_ThrowsInvalidOperationException", Line: 71, Kind: kindAssert, Checks: "a synchronous Connect of the reused socket throws InvalidOperationException", Why: "System.Net.Sockets refuses a synchronous Connect of a disconnected socket itself; connect() is never called"},
		{Func: "Disconnect_NotConnected_ThrowsSocketException", Line: 83, Kind: kindAssert, Checks: "Disconnect(false) on a new socket throws SocketException (DisconnectEx with a NULL OVERLAPPED fails)", Case: "dotnet-disconnect/not-connected-sync-noreuse"},
		{Func: "Disconnect_NotConnected_ThrowsSocketException", Line: 83, Kind: kindAssert, Checks: "Disconnect(true) on a new socket throws SocketException", Case: "dotnet-disconnect/not-connected-sync-reuse"},
		{Func: "Disconnect_NotConnected_ThrowsSocketException", Line: 83, Kind: kindAssert, Checks: "DisconnectAsync(false) on a new socket throws SocketException (overlapped DisconnectEx fails)", Case: "dotnet-disconnect/not-connected-overlapped-noreuse"},
		{Func: "Disconnect_NotConnected_ThrowsSocketException", Line: 83, Kind: kindAssert, Checks: "DisconnectAsync(true) on a new socket throws SocketException", Case: "dotnet-disconnect/not-connected-overlapped-reuse"},
		{Func: "Disconnect_ObjectDisposed_ThrowsObjectDisposedException", Line: 95, Kind: kindAssert, Checks: "Disconnect on a disposed socket throws ObjectDisposedException", Why: whyManagedDisposed},
		{Func: "Disconnect_Precanceled_ThrowsOperationCanceledException", Line: 148, Kind: kindAssert, Checks: "ConnectAsync to the test server succeeds", Case: "dotnet-connect/success-connectex"},
		{Func: "Disconnect_Precanceled_ThrowsOperationCanceledException", Line: 153, End: 154, Kind: kindAssert, Checks: "DisconnectAsync with a canceled token throws OperationCanceledException carrying that token", Why: whyManagedCanceled},
	},
}

var dotnetAccept = evidenceSource{
	Name:       "dotnet-accept",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "Accept.cs",
	Version:    "main",
	Commit:     "0b8792e0bbbdca4c2487bb02c06554d2e5a6e796",
	CasePrefix: "dotnet-accept/",
	Complete: []string{"Accept_Success", "Accept_ConcurrentAcceptsBeforeConnects_Success", "Accept_ConcurrentAcceptsAfterConnects_Success",
		"Accept_WithTargetSocket_Success", "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", "Accept_WithAlreadyBoundTargetSocket_Fails",
		"Accept_WithInUseTargetSocket_Fails", "AcceptAsync_MultipleAcceptsThenDispose_AcceptsThrowAfterDispose", "AcceptGetsCanceledByDispose", "AcceptReceive_Success"},
	Entries: []expectation{
		{Func: "Accept_Success", Line: 26, Kind: kindAssert, Checks: "OuterLoop: AcceptAsync with no connection waiting has not completed (AcceptEx pends)", Case: "dotnet-accept/success-acceptex-endpoints"},
		{Func: "Accept_Success", Line: 26, Kind: kindAssert, Checks: "OuterLoop, synchronous helpers: the accept() running on another thread has not returned before the connect", Case: "dotnet-accept/success-accept-endpoints"},
		{Func: "Accept_Success", Line: 32, End: 35, Kind: kindAssert, Checks: "the accepted socket is connected, its remote address is the client's local one and its local address the client's remote one (AcceptEx, SO_UPDATE_ACCEPT_CONTEXT)", Case: "dotnet-accept/success-acceptex-endpoints"},
		{Func: "Accept_Success", Line: 32, End: 35, Kind: kindAssert, Checks: "the same for accept()", Case: "dotnet-accept/success-accept-endpoints"},
		{Func: "Accept_ConcurrentAcceptsBeforeConnects_Success", Line: 68, End: 70, Kind: kindAssert, Checks: "OuterLoop: 2 AcceptEx requests pending on a listener with backlog 2, then 2 connects: every accept completes with a connected socket", Case: "dotnet-accept/concurrent-before-connects-2"},
		{Func: "Accept_ConcurrentAcceptsBeforeConnects_Success", Line: 68, End: 70, Kind: kindAssert, Checks: "the same with 5", Case: "dotnet-accept/concurrent-before-connects-5"},
		{Func: "Accept_ConcurrentAcceptsAfterConnects_Success", Line: 119, Kind: kindAssert, Checks: "OuterLoop: 2 connects to a listener with backlog 2 complete before any accept is posted", Case: "dotnet-accept/concurrent-after-connects-2"},
		{Func: "Accept_ConcurrentAcceptsAfterConnects_Success", Line: 119, Kind: kindAssert, Checks: "the same with 5", Case: "dotnet-accept/concurrent-after-connects-5"},
		{Func: "Accept_ConcurrentAcceptsAfterConnects_Success", Line: 122, End: 124, Kind: kindAssert, Checks: "then 2 AcceptEx requests complete, each with a connected socket", Case: "dotnet-accept/concurrent-after-connects-2"},
		{Func: "Accept_ConcurrentAcceptsAfterConnects_Success", Line: 122, End: 124, Kind: kindAssert, Checks: "the same with 5", Case: "dotnet-accept/concurrent-after-connects-5"},
		{Func: "Accept_WithTargetSocket_Success", Line: 163, End: 164, Kind: kindAssert, Checks: "OuterLoop, asynchronous helpers: AcceptEx into a given socket, then a connect(): that socket is the accepted, connected one", Case: "dotnet-accept/target-socket"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 194, End: 195, Kind: kindAssert, Checks: "OuterLoop, not APM: AcceptEx into a given socket is accepted and connected", Case: "dotnet-accept/target-reuse-after-disconnect"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 194, End: 195, Kind: kindAssert, Checks: "the same, before the run without reuse", Case: "dotnet-accept/target-noreuse-after-disconnect-einval"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 199, Kind: kindAssert, Checks: "after the client is disposed (it closes first), Disconnect(reuseSocket) on the accepted socket, DisconnectEx(NULL, TF_REUSE_SOCKET), completes", Case: "dotnet-accept/target-reuse-after-disconnect"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 199, Kind: kindAssert, Checks: "the same with Disconnect(false), DisconnectEx(NULL, 0)", Case: "dotnet-accept/target-noreuse-after-disconnect-einval"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 209, End: 210, Kind: kindAssert, Checks: "reuseSocket true: a second AcceptEx into the reused socket accepts the next client", Case: "dotnet-accept/target-reuse-after-disconnect"},
		{Func: "Accept_WithTargetSocket_ReuseAfterDisconnect_Success", Line: 215, End: 216, Kind: kindAssert, Checks: "reuseSocket false: AcceptEx into the socket fails with SocketError.InvalidArgument (WSAEINVAL); System.Net.Sockets lets a disconnected socket through its own check (GetOrCreateAcceptSocket with checkDisconnected), so the error is Winsock's", Case: "dotnet-accept/target-noreuse-after-disconnect-einval"},
		{Func: "Accept_WithAlreadyBoundTargetSocket_Fails", Line: 238, Kind: kindAssert, Checks: "AcceptAsync into a bound socket throws InvalidOperationException", Why: "System.Net.Sockets refuses an accept socket that has an endpoint itself (Socket.Windows.cs GetOrCreateAcceptSocket, net_sockets_namedmustnotbebound) before calling AcceptEx"},
		{Func: "Accept_WithInUseTargetSocket_Fails", Line: 261, End: 262, Kind: kindAssert, Checks: "OuterLoop: AcceptEx into a given socket accepts a connect()", Case: "dotnet-accept/target-socket"},
		{Func: "Accept_WithInUseTargetSocket_Fails", Line: 264, Kind: kindAssert, Checks: "a second AcceptAsync into the now connected socket throws InvalidOperationException", Why: "System.Net.Sockets refuses it itself (GetOrCreateAcceptSocket) before calling AcceptEx"},
		{Func: "AcceptAsync_MultipleAcceptsThenDispose_AcceptsThrowAfterDispose", Line: 286, End: 287, Kind: kindAssert, Checks: "ordinary pass, asynchronous helpers: two AcceptEx requests pending on a listener that is then disposed both fail", Case: "dotnet-accept/two-pending-then-dispose"},
		{Func: "AcceptGetsCanceledByDispose", Line: 313, Kind: kindAssert, Checks: "a pending accept completes (or the dispose does) before a 30 s timeout", Case: "dotnet-accept/dispose-aborts-acceptex"},
		{Func: "AcceptGetsCanceledByDispose", Line: 335, End: 336, Kind: kindAssert, Checks: "APM: EndAccept throws ObjectDisposedException, no SocketException", Why: whyManagedDisposed},
		{Func: "AcceptGetsCanceledByDispose", Line: 340, Kind: kindAssert, Checks: "synchronous helpers: a blocking accept() on another thread fails SocketError.Interrupted (WSAEINTR) when the listener is disposed",
			Why: "the dispose must come after the other thread has entered accept(); the test gets that order by retrying with growing real-time delays (RetryHelper), which a case cannot arrange deterministically through spec.API", Clause: spec.ClauseGapClosePending},
		{Func: "AcceptGetsCanceledByDispose", Line: 344, Kind: kindAssert, Checks: "ordinary pass, asynchronous helpers: a pending AcceptEx fails SocketError.OperationAborted (995) when the listener is disposed, which cancels with CancelIoEx(NULL) before closesocket (SafeSocketHandle.Windows.cs at 04da5a17, TryUnblockSocket:119-122)", Case: "dotnet-accept/dispose-aborts-acceptex"},
		{Func: "AcceptReceive_Success", Line: 370, Kind: kindAssert, Checks: "APM and EAP: AcceptEx with a receive buffer returns the first byte the client sent", Why: whyBuffers},
	},
}

var dotnetConnect = evidenceSource{
	Name:       "dotnet-connect",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "Connect.cs",
	Version:    "main",
	Commit:     "03b9983af8391433c7c3d09fd58655e94b445ecc",
	CasePrefix: "dotnet-connect/",
	Complete: []string{"Connect_Success", "Connect_Udp_Success", "Connect_Dns_Success", "Connect_MultipleIPAddresses_Success",
		"Connect_DualMode_MultiAddressFamilyConnect_RetrievedEndPoints_Success", "Connect_DualMode_DnsConnect_RetrievedEndPoints_Success",
		"CheckIsIpv6LoopbackEndPoint", "Connect_OnConnectedSocket_Fails", "Connect_AfterDisconnect_Fails", "ConnectGetsCanceledByDispose",
		"ConnectEndPoint_Precanceled_Throws", "ConnectAddressAndPort_Precanceled_Throws", "ConnectMultiAddressAndPort_Precanceled_Throws",
		"ConnectHostNameAndPort_Precanceled_Throws", "ConnectEndPoint_CancelDuringConnect_Throws", "ConnectAddressAndPort_CancelDuringConnect_Throws",
		"ConnectMultiAddressAndPort_CancelDuringConnect_Throws", "ConnectHostNameAndPort_CancelDuringConnect_Throws"},
	Entries: []expectation{
		{Func: "Connect_Success", Line: 29, Kind: kindAssert, Checks: "OuterLoop, asynchronous helpers: ConnectEx (after a wildcard bind) to the test server succeeds", Case: "dotnet-connect/success-connectex"},
		{Func: "Connect_Success", Line: 29, Kind: kindAssert, Checks: "OuterLoop, synchronous helpers: connect() to the test server succeeds", Case: "dotnet-connect/success-connect"},
		{Func: "Connect_Udp_Success", Line: 43, Kind: kindAssert, Checks: "ordinary pass: a UDP socket connects to a bound UDP socket (connect(), never ConnectEx, for datagram sockets)", Case: "dotnet-connect/udp"},
		{Func: "Connect_Dns_Success", Line: 63, Kind: kindAssert, Checks: "ConnectAsync to DnsEndPoint(\"localhost\") succeeds", Why: "the name is resolved by System.Net.Dns, not by a call spec.API has; the connect that follows is the one of dotnet-connect/success-*"},
		{Func: "Connect_MultipleIPAddresses_Success", Line: 82, Kind: kindAssert, Checks: "OuterLoop: connect to one of 127.0.0.1 and ::1", Why: whyIPv6},
		{Func: "Connect_DualMode_MultiAddressFamilyConnect_RetrievedEndPoints_Success", Line: 96, Kind: kindAssert, Checks: "a socket made without a family is dual-mode", Why: whyIPv6},
		{Func: "Connect_DualMode_DnsConnect_RetrievedEndPoints_Success", Line: 120, Kind: kindAssert, Checks: "a socket made without a family is dual-mode", Why: whyIPv6},
		{Func: "CheckIsIpv6LoopbackEndPoint", Line: 141, End: 142, Kind: kindAssert, Checks: "a dual-mode socket's endpoints are ::1 or ::ffff:127.0.0.1", Why: whyIPv6},
		{Func: "Connect_OnConnectedSocket_Fails", Line: 155, End: 156, Kind: kindAssert, Checks: "a second connect of a connected socket fails SocketError.IsConnected", Why: "System.Net.Sockets throws SocketException(IsConnected) itself (Socket.ThrowIfConnectedStreamSocket) before any Winsock call"},
		{Func: "Connect_AfterDisconnect_Fails", Line: 174, Kind: kindAssert, Checks: "synchronous helpers: Connect after Disconnect(false) throws InvalidOperationException", Why: "System.Net.Sockets refuses a synchronous Connect of a disconnected socket itself"},
		{Func: "Connect_AfterDisconnect_Fails", Line: 178, End: 179, Kind: kindAssert, Checks: "OuterLoop, Windows only, asynchronous helpers: after Disconnect(false), DisconnectEx(NULL, 0), ConnectEx to the same server fails SocketError.IsConnected (WSAEISCONN)", Case: "dotnet-connect/after-disconnect-isconn"},
		{Func: "ConnectGetsCanceledByDispose", Line: 224, Kind: kindAssert, Checks: "OuterLoop (external server): a connect to 1.1.1.1:23 ended by Dispose did not time out (the case is the IPv4 address rows; the [::ffff:1.1.1.1] DualMode rows need IPv6 helpers, the DNS rows name resolution)", Case: "dotnet-connect/dispose-aborts-connectex"},
		{Func: "ConnectGetsCanceledByDispose", Line: 235, End: 236, Kind: kindAssert, Checks: "APM: ObjectDisposedException", Why: whyManagedDisposed},
		{Func: "ConnectGetsCanceledByDispose", Line: 240, Kind: kindAssert, Checks: "synchronous helpers: a blocking connect() on another thread fails SocketError.NotSocket (WSAENOTSOCK), or the managed ObjectDisposedException, when the socket is disposed",
			Why: "the dispose must come after the other thread has entered connect(); the test gets that order by retrying with growing real-time delays (RetryHelper), which a case cannot arrange deterministically through spec.API", Clause: spec.ClauseGapClosePending},
		{Func: "ConnectGetsCanceledByDispose", Line: 244, Kind: kindAssert, Checks: "asynchronous helpers: a pending ConnectEx fails SocketError.OperationAborted when the socket is disposed (CancelIoEx(s, NULL), then closesocket; the IPv4 address rows, as at 224)", Case: "dotnet-connect/dispose-aborts-connectex"},
		{Func: "ConnectEndPoint_Precanceled_Throws", Line: 289, Kind: kindAssert, Checks: "ConnectAsync with a canceled token throws OperationCanceledException", Why: whyManagedCanceled},
		{Func: "ConnectAddressAndPort_Precanceled_Throws", Line: 301, Kind: kindAssert, Checks: "the same for ConnectAsync(address, port)", Why: whyManagedCanceled},
		{Func: "ConnectMultiAddressAndPort_Precanceled_Throws", Line: 313, Kind: kindAssert, Checks: "the same for ConnectAsync(addresses, port)", Why: whyManagedCanceled},
		{Func: "ConnectHostNameAndPort_Precanceled_Throws", Line: 325, Kind: kindAssert, Checks: "the same for ConnectAsync(host, port)", Why: whyManagedCanceled},
		{Func: "ConnectEndPoint_CancelDuringConnect_Throws", Line: 345, Kind: kindAssert, Checks: "OuterLoop, Windows only: canceling a connect to 1.2.3.4:1 in progress (CancelIoEx of its OVERLAPPED) throws OperationCanceledException", Case: "dotnet-connect/cancel-during-connect"},
		{Func: "ConnectAddressAndPort_CancelDuringConnect_Throws", Line: 363, Kind: kindAssert, Checks: "the same for ConnectAsync(address, port)", Case: "dotnet-connect/cancel-during-connect"},
		{Func: "ConnectMultiAddressAndPort_CancelDuringConnect_Throws", Line: 381, Kind: kindAssert, Checks: "the same for ConnectAsync(addresses, port): the first address's connect is canceled", Case: "dotnet-connect/cancel-during-connect"},
		{Func: "ConnectHostNameAndPort_CancelDuringConnect_Throws", Line: 399, Kind: kindAssert, Checks: "the same for ConnectAsync(host, port) (the name is a literal address)", Case: "dotnet-connect/cancel-during-connect"},
	},
}

var dotnetSAEA = evidenceSource{
	Name:       "dotnet-saea",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "SocketAsyncEventArgsTest.cs",
	Version:    "main",
	Commit:     "1223e8d2f218f91aaacfe1a723d1f8eb8680f15b",
	CasePrefix: "dotnet-saea/",
	// The tests that make socket calls; the others check
	// SocketAsyncEventArgs' own properties and buffers.
	Complete: []string{"Dispose_WhileInUse_DisposeDelayed", "ExecutionContext_FlowsIfNotSuppressed", "ExecutionContext_SocketAsyncEventArgs_Ctors",
		"Completed_RegisterThenInvoked_UnregisterThenNotInvoked", "CancelConnectAsync_InstanceConnect_CancelsInProgressConnect",
		"CancelConnectAsync_StaticConnect_CancelsInProgressConnect", "ConnectAsync_WithData_OK", "Connect_WithData_OK",
		"ReuseSocketAsyncEventArgs_SameInstance_MultipleSockets", "ReuseSocketAsyncEventArgs_MutateBufferList", "AcceptAsync_WithReceiveBuffer_Success"},
	Entries: []expectation{
		{Func: "Dispose_WhileInUse_DisposeDelayed", Line: 95, Kind: kindAssert, Checks: "ReceiveAsync of 1 byte with nothing sent returns true: the overlapped WSARecv pends, and completes when the server sends", Case: "dotnet-saea/receive-pends-until-data"},
		{Func: "Dispose_WhileInUse_DisposeDelayed", Line: 96, Kind: kindAssert, Checks: "a second ReceiveAsync with the same SocketAsyncEventArgs throws InvalidOperationException", Why: whyManagedSAEA},
		{Func: "Dispose_WhileInUse_DisposeDelayed", Line: 103, Kind: kindAssert, Checks: "ReceiveAsync with the disposed SocketAsyncEventArgs throws ObjectDisposedException", Why: whyManagedSAEA},
		{Func: "ExecutionContext_FlowsIfNotSuppressed", Line: 137, End: 138, Kind: kindAssert, Checks: "the Completed handler runs on another thread with the flowed AsyncLocal", Why: whyManagedSAEA},
		{Func: "ExecutionContext_FlowsIfNotSuppressed", Line: 142, Kind: kindAssert, Checks: "ReceiveAsync with nothing sent pends", Case: "dotnet-saea/receive-pends-until-data"},
		{Func: "ExecutionContext_SocketAsyncEventArgs_Ctors", Line: 190, End: 191, Kind: kindAssert, Checks: "the Completed handler runs on another thread with the expected ExecutionContext", Why: whyManagedSAEA},
		{Func: "ExecutionContext_SocketAsyncEventArgs_Ctors", Line: 195, Kind: kindAssert, Checks: "ReceiveAsync with nothing sent pends", Case: "dotnet-saea/receive-pends-until-data"},
		{Func: "Completed_RegisterThenInvoked_UnregisterThenNotInvoked", Line: 359, Kind: kindAssert, Checks: "a first ReceiveAsync pends until the server sends", Case: "dotnet-saea/receive-twice"},
		{Func: "Completed_RegisterThenInvoked_UnregisterThenNotInvoked", Line: 368, Kind: kindAssert, Checks: "a second ReceiveAsync on the same socket pends until the next send", Case: "dotnet-saea/receive-twice"},
		{Func: "Completed_RegisterThenInvoked_UnregisterThenNotInvoked", Line: 373, Kind: kindAssert, Checks: "an unregistered Completed handler is not called", Why: whyManagedSAEA},
		{Func: "CancelConnectAsync_InstanceConnect_CancelsInProgressConnect", Line: 395, Kind: kindAssert, Checks: "ConnectAsync to a port that is bound but not listening: if it completed at once, it did not succeed", Case: "dotnet-saea/connectex-unlistened-port-fails"},
		{Func: "CancelConnectAsync_InstanceConnect_CancelsInProgressConnect", Line: 399, Kind: kindAssert, Checks: "after CancelConnectAsync the client is not connected", Case: "dotnet-saea/connectex-unlistened-port-fails"},
		{Func: "CancelConnectAsync_StaticConnect_CancelsInProgressConnect", Line: 420, Kind: kindAssert, Checks: "the same with the static Socket.ConnectAsync, which makes the socket itself", Case: "dotnet-saea/connectex-unlistened-port-fails"},
		{Func: "ConnectAsync_WithData_OK", Line: 468, Kind: kindAssert, Checks: "ConnectEx with a send buffer (TCP Fast Open optional) reports the buffer's size sent", Why: whyBuffers},
		{Func: "ConnectAsync_WithData_OK", Line: 480, End: 481, Kind: kindAssert, Checks: "the server receives exactly the ConnectEx data", Why: whyBuffers},
		{Func: "ConnectAsync_WithData_OK", Line: 504, Kind: kindAssert, Checks: "a second ConnectEx with data reports its size sent", Why: whyBuffers},
		{Func: "ConnectAsync_WithData_OK", Line: 518, Kind: kindAssert, Checks: "the server receives the ConnectEx data and one more byte", Why: whyBuffers},
		{Func: "Connect_WithData_OK", Line: 568, Kind: kindAssert, Checks: "the server receives the data of a ConnectEx with a send buffer", Why: whyBuffers},
		{Func: "ReuseSocketAsyncEventArgs_SameInstance_MultipleSockets", Line: 610, End: 611, Kind: kindAssert, Checks: "ten rounds of a 1-byte SendAsync on the server and a ReceiveAsync on the client (1024-byte buffer): each receive gets 1 byte, the round's value", Case: "dotnet-saea/send-receive-ten-rounds"},
		{Func: "ReuseSocketAsyncEventArgs_MutateBufferList", Line: 667, End: 668, Kind: kindAssert, Checks: "OuterLoop: sends and receives with buffer lists", Why: "spec.API's WSASend and WSARecv take one WSABUF, not a list"},
		{Func: "AcceptAsync_WithReceiveBuffer_Success", Line: 694, Kind: kindAssert, Checks: "the machine has IPv4", Why: whySetup},
		{Func: "AcceptAsync_WithReceiveBuffer_Success", Line: 715, Kind: kindAssert, Checks: "OuterLoop, Windows only: AcceptEx with a 288+256-byte buffer pends", Why: whyBuffers},
		{Func: "AcceptAsync_WithReceiveBuffer_Success", Line: 724, End: 728, Kind: kindAssert, Checks: "it completes with success and the 256 bytes the client sent before shutting down", Why: whyBuffers},
	},
}
