// Package overlapped makes Winsock's overlapped calls short on any
// spec.API backend (the emulator, the native Windows backend).
//
// An overlapped call starts a request and returns at once. Windows reports
// the start in two ways that mean the same thing to the caller: success
// (done within the call) and ERROR_IO_PENDING (still running). In both
// cases the request completes through its OVERLAPPED: the status and byte
// count are written to it, an object is signalled, and a packet is queued
// on the completion port of the handle, if any. Only any other error means
// the request failed at once; then nothing completes and no packet comes.
// Started folds the two faces of "in progress" into nil.
//
// # Waiting on the right handle
//
// With an event in hEvent, Windows signals the event. With hEvent NULL it
// signals the handle the request was issued on, and GetOverlappedResult
// waits on the handle it is given, so the caller must pass that one:
//
//	call                 handle signalled when hEvent is NULL
//	ConnectEx(s)         s
//	DisconnectEx(s)      s (Microsoft Learn, DisconnectEx, Remarks: "the socket specified by hSocket")
//	WSASend/WSARecv(s)   s (Wine dlls/ws2_32/tests/sock.c, test_nonblocking_async_recv: WSARecv
//	                     with a NULL hEvent, then WaitForSingleObject((HANDLE)client) is signalled)
//	AcceptEx(l, a)       l, the listener, not the accept socket a
//
// AcceptEx is issued on the listening socket: its packet arrives with the
// listener's completion key (Wine sock.c test_completion_port, ok on
// Windows: AcceptEx(src, dest, ...) on a src associated with key 125
// dequeues with key 125), and GetOverlappedResult with a NULL hEvent
// "uses the state of the hFile handle" (Microsoft Learn,
// GetOverlappedResult), so the listener is the handle to wait on. Waiting
// on the accept socket instead never sees the completion (the call returns
// ERROR_IO_INCOMPLETE or blocks). The emulator signals the listener
// (emulator/overlapped.go, complete: the request's socket is the listener
// for AcceptEx). A Request records the right handle for the call it
// carries, so Wait is always given it.
//
// Several requests in flight on one socket at once must not share the
// socket handle as their signal: give each its own event (NewEvent) or use
// a completion port (Port).
//
// # Results in one face
//
// Wait and the completion port report a request's result as Windows'
// GetOverlappedResult and GetQueuedCompletionStatus do: the bytes
// transferred and nil, or the Win32 error (ERROR_OPERATION_ABORTED when
// canceled, ERROR_NETNAME_DELETED when the peer reset the connection,
// ERROR_CONNECTION_REFUSED for a refused ConnectEx). An immediate failure
// keeps the Winsock face the call returned (WSAEINVAL, WSAENOTCONN, ...).
//
// # Completion ports
//
// Port runs one goroutine that dequeues packets from a completion port
// and hands each to the Op that owns its OVERLAPPED: to a callback, or to
// a channel that Op.Wait reads with context cancellation (CancelIoEx, then
// the packet of the canceled request, which always comes).
package overlapped
