package reuse

// Stats counts what a Pool or a Listener did with its sockets. The
// counters only grow; the gauges are the present.
type Stats struct {
	// Fresh counts sockets created.
	Fresh uint64
	// Reused counts connections made on a socket that had carried one
	// before (recycled with DisconnectEx(TF_REUSE_SOCKET)).
	Reused uint64
	// ReuseFailed counts recycled sockets that the backend refused for the
	// next ConnectEx or AcceptEx (closed and replaced by fresh ones). Wine
	// 8.0 ignores TF_REUSE_SOCKET, so there every recycled socket counts
	// here.
	ReuseFailed uint64
	// RecycleFailed counts DisconnectEx(TF_REUSE_SOCKET) requests that
	// failed (the peer reset the connection, or Close canceled them); the
	// socket was closed.
	RecycleFailed uint64
	// ConnectFailed counts ConnectEx requests that failed (refused,
	// unreachable, timed out, aborted, ...): DialContext returned the
	// error. A socket whose connection attempt failed in a way after which
	// Winsock lets it try again (retryable) went back to the pool; any
	// other was closed.
	ConnectFailed uint64
	// AcceptFailed counts AcceptEx requests that failed other than by
	// Close (aborted, or the connection reset before it was accepted):
	// the socket was closed and a new request posted in its place.
	AcceptFailed uint64
	// TimeWaitWaits counts the times a Dial waited because every idle
	// socket's pair with the remote was still in the remote's TIME_WAIT.
	TimeWaitWaits uint64
	// TimeWaitConflicts counts ConnectEx calls on a recycled socket that
	// failed with WSAEADDRINUSE because the pair was in a TIME_WAIT the pool
	// had not seen (it keeps the socket off that remote and retries).
	TimeWaitConflicts uint64
	// Closed counts sockets closed.
	Closed uint64

	// Idle sockets are ready for their next connection; InUse ones carry
	// one (a Listener's accepted connections not yet returned by Accept
	// included); Recycling ones wait for DisconnectEx(TF_REUSE_SOCKET) to
	// complete, a TIME_WAIT of theirs included; Accepting ones carry an
	// outstanding AcceptEx.
	Idle, InUse, Recycling, Accepting int
}
