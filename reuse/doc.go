// Package reuse pools Winsock sockets the way Windows servers do, on any
// spec.API backend: the code that runs on Windows with the native backend
// is the code tested on the emulator.
//
// A Pool is the client side: DialContext connects a pooled socket with
// ConnectEx and returns a net.Conn whose Close recycles the socket with
// DisconnectEx(TF_REUSE_SOCKET). A Listener is the server side: a
// net.Listener that keeps AcceptEx requests outstanding and recycles each
// accepted socket the same way when its net.Conn is closed. Go's net
// package never reuses a socket, and golang.org/x/sys/windows has no
// DisconnectEx; this is the loop .NET's Socket.Disconnect(reuseSocket)
// and SocketAsyncEventArgs.DisconnectReuseSocket give C# users.
//
// # The rules it knows
//
//   - Reuse target (DX-FLAG-REUSE-TARGET): a socket reused after ConnectEx
//     stays bound and may only go to ConnectEx; one reused after AcceptEx
//     is unbound and may only go to AcceptEx. Pool sockets only connect
//     and Listener sockets only accept, so neither ever crosses.
//   - TIME_WAIT (DX-FLAG-TIMEWAIT): the side that closes first holds the
//     socket pair in TIME_WAIT for TcpTimedWaitDelay (240 s by default).
//     When that is this side, DisconnectEx(TF_REUSE_SOCKET) completes only
//     after it, and the socket counts in Stats.Recycling until then. When
//     the remote closed first, the socket is reusable at once but the
//     remote holds the pair: the Pool never connects that socket to that
//     remote until PoolConfig.TimeWait has passed (other sockets, or other
//     remotes, may go), and counts the waits in Stats.TimeWaitWaits.
//   - A backend that does not make the socket reusable (Wine 8.0 ignores
//     TF_REUSE_SOCKET: its DisconnectEx is a shutdown, and the next
//     ConnectEx fails with WSAEISCONN) costs a fresh socket, counted in
//     Stats.ReuseFailed. Wine's AcceptEx does accept into such a socket,
//     but the connection it gives can neither receive nor send, so the
//     Pool and the Listener probe every recycled socket with a zero-byte
//     send (WSAENOTCONN on a socket Windows made reusable) and replace one
//     that is still connected or shut down.
//
// # Failures
//
// A recycle that fails (the peer resets while DisconnectEx waits for its
// FIN) closes the socket (Stats.RecycleFailed), and its room in the Pool
// or under ListenConfig.MaxSockets goes to a fresh one. A failed ConnectEx
// is DialContext's error; after a refusal, an unreachable network or a
// timeout, the failures Winsock lets a socket retry, the socket goes back
// to the pool, otherwise it is closed (Stats.ConnectFailed). A failed
// AcceptEx (aborted, or its connection reset before it was accepted)
// closes its socket and posts a new request (Stats.AcceptFailed). The
// tests drive each path with the emulator's fault rules (emulator.Fault)
// on every variant.
//
// For a server, closing after the client (read to io.EOF, then Close)
// keeps TIME_WAIT on the client, and the accepted socket is reusable the
// moment its DisconnectEx completes.
//
// # I/O, deadlines, cancellation
//
// Reads and writes are overlapped WSARecv and WSASend on a completion port
// (package overlapped) that the owner's sockets share. Deadlines are
// net.Conn's, on package time's clock: when one passes, the request is
// canceled (CancelIoEx) and its packet awaited, so the buffer is free again
// when Read or Write returns os.ErrDeadlineExceeded. Close ends a pending
// Read or Write with net.ErrClosed. DialContext and
// Listener.AcceptContext end with their context; a ConnectEx in progress
// is canceled.
//
// The emulator's virtual clock moves when everything waits (the port's
// loop waits INFINITE), so on it TIME_WAITs pass at once; net.Conn
// deadlines are wall-clock times, which inside a testing/synctest bubble
// (with emulator.WithClock(emulator.SystemClock())) are the bubble's.
package reuse
