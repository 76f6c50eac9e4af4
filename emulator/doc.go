// Package emulator is a pure-Go, deterministic emulator of the world that
// Winsock's DisconnectEx lives in: sockets, loopback TCP peers, overlapped
// requests, events, I/O completion ports, threads, the TCP table with its
// TIME_WAIT rows, the dynamic port range, and time. An *Emulator implements
// spec.API, the same interface the native Windows backend implements, so
// code written against spec.API runs unchanged on both.
//
// # Model
//
// Every socket handle has a life-cycle state (spec.State):
//
//	unconnected -> bound -> connecting -> connected
//	connected -> transmit-closing          DisconnectEx(0): a FIN, the socket stays connected
//	connected -> reusable                  DisconnectEx(TF_REUSE_SOCKET), peer FIN first
//	connected -> transmit-closing -> TIME_WAIT -> reusable
//	                                       DisconnectEx(TF_REUSE_SOCKET), we close first:
//	                                       wait for the peer's FIN, then TcpTimedWaitDelay
//	reusable -> connecting (ConnectEx) or -> connected (AcceptEx)
//
// The full table is Transitions; Diagram renders it for Mermaid or Graphviz.
// The emulator changes a state only by looking its next state up in that
// table, so the diagram is the machine.
//
// Under the states runs a small TCP with instant delivery, on loopback and
// on a network of remote hosts (WithRemoteHosts, DefaultRemoteHosts; the
// documentation ranges by default) that accept and echo, accept and never
// send their FIN, refuse (RST), drop SYNs, or are unreachable. A connect
// whose SYN goes unanswered stays in progress (a ConnectEx pends) while the
// SYN is retransmitted on Windows' schedule in virtual time, 3 s and 9 s,
// and fails with STATUS_IO_TIMEOUT at 21 s (SYNSchedule). The
// side that sends FIN first waits in FIN_WAIT2 and, on the peer's FIN,
// enters TIME_WAIT for Settings.TcpTimedWaitDelay; the other side passes
// CLOSE_WAIT and LAST_ACK and is gone at once. TIME_WAIT rows outlive socket
// handles and hold their local port. The table keys connections by their
// 4-tuple: a connect whose own side holds the pair in TIME_WAIT fails with
// WSAEADDRINUSE, and a SYN that meets the listening side's row for the pair
// takes it over (or, under the variant of DX-GAP-TIMEWAIT-SYN, is refused
// with WSAEADDRINUSE), so no pair ever has two rows. All rows share one
// delay, so the table is a FIFO ring of 16-byte rows with an O(1) index by
// 4-tuple, no timer or goroutine per row, and at most MaxTimeWaitRows rows;
// a million rows with distinct 4-tuples take about 24 MB.
//
// Implicit binds take ports from Settings.DynamicPorts after a cursor, in
// order, skipping ports held by sockets or TIME_WAIT rows (a bitmap makes
// this O(1)); when none is free they fail with WSAENOBUFS. An explicit bind
// may share a port with sockets on other addresses (DX-GAP-BIND-ADDRESS):
// 0.0.0.0 beside 127.0.0.1, in either order, with the connection going to
// the listener on its own address; only the same address conflicts, and
// SetBindOption's SO_REUSEADDR and SO_EXCLUSIVEADDRUSE change which binds
// do, as sock.c's test_reuseaddr observed on Windows (bindaddr.go).
//
// # Rules
//
// DisconnectEx checks, in this order: the socket handle (WSAENOTSOCK), the
// OVERLAPPED address (WSAEFAULT unless NewOverlapped handed it out),
// datagram sockets (WSAENOTCONN), the connection (WSAENOTCONN unless
// connected or transmit-closing and not reset), then reserved and unknown
// flag bits (WSAEINVAL). On an overlapped socket with an OVERLAPPED it
// always returns ERROR_IO_PENDING, even when the request is already
// complete; completion sets the OVERLAPPED, signals hEvent (or the socket
// handle when hEvent is NULL, unless FILE_SKIP_SET_EVENT_ON_HANDLE) and, on a
// socket associated with a completion port, queues one packet unless
// hEvent's low bit is set. With a NULL OVERLAPPED the call is synchronous: a
// TF_REUSE_SOCKET call that must wait blocks, advancing virtual time.
//
// A socket reused after a connection it made (connect, ConnectEx) stays
// bound and may only go to ConnectEx; one reused after an accepted
// connection is unbound and may only go to AcceptEx; the other call fails
// with WSAEINVAL. A socket disconnected without TF_REUSE_SOCKET is still
// connected: connect and ConnectEx fail with WSAEISCONN.
//
// Requests issued through a Thread are canceled (ERROR_OPERATION_ABORTED)
// when it exits, except requests on sockets associated with a completion
// port whose hEvent is NULL (a request with an event is canceled, and its
// packet still queued). CancelIoEx and closesocket cancel pending requests the same way; a
// canceled TF_REUSE_SOCKET request leaves the socket transmit-closing.
//
// # Profiles
//
// The Windows profile (default) does what Windows was observed to do. The
// Documented profile does what Microsoft's page says, and differs in exactly
// the three clauses the spec marks Contradicts: a second DisconnectEx
// without TF_REUSE_SOCKET in transmit-closing fails with WSAENOTCONN
// (DX-ERR-NOTCONN-TRANSMIT); a reused socket may go to either ConnectEx or
// AcceptEx (DX-FLAG-REUSE-TARGET); thread exit cancels every request the
// thread issued, on completion ports too (DX-REM-THREAD-EXIT).
//
// # Variants
//
// Where the public evidence does not settle what Windows does and more
// than one outcome is plausible, the emulator offers each as a Variant of
// the clause (Variants lists them with their evidence): whether the side
// that closed first waits out its TIME_WAIT in DisconnectEx(TF_REUSE_SOCKET)
// (DX-FLAG-TIMEWAIT), the TIME_WAIT delay when TcpTimedWaitDelay is unset
// (DX-REM-TIMEWAIT-DEFAULT), the error for a connected datagram socket
// (DX-REM-DATAGRAM), whether reserved != 0 and unknown flag bits fail or
// are ignored (DX-PARAM-RESERVED, DX-ERR-EINVAL-FLAGS), and whether a
// ConnectEx to an unreachable destination pends (DX-GAP-UNREACHABLE). Each
// clause's default is the variant its evidence favours, for the reason the clause
// gives; WithVariant picks another. ForEachVariant runs a test once per
// combination that can change an outcome (VariantRuns), so code can be
// checked against every behaviour Windows may have; the conformance suite
// runs every case on every one of them.
//
// # Time
//
// By default time is virtual (NewVirtualClock) and starts at zero. It moves
// only when every caller is waiting: a caller that cannot proceed (a
// blocking call, a wait, Sleep) falls asleep, and when the last caller
// falls asleep the clock jumps to the earliest instant any of them waits
// for, its deadline or the next TIME_WAIT expiry, processes the expiries
// due, and everybody looks again. One caller alone sees Sleep(d) advance
// the clock by d at once; a 240 s TIME_WAIT passes in microseconds.
// Concurrent callers share time rather than each jumping it to its own
// deadline; threads started together with Go count as callers for the whole
// of their function, so the clock waits for them even between their calls.
// An INFINITE wait with nothing scheduled cannot be helped by time: it
// blocks until a goroutine outside the emulator changes something (as it
// would block forever on Windows if nobody did), or, WithDeadlockError,
// fails at once with ErrDeadlock.
//
// Time saturates instead of wrapping: a deadline past the horizon (about
// 292 years) is the horizon, a wait of math.MaxInt64 ends there, and a
// TIME_WAIT row entered within TcpTimedWaitDelay of it never expires.
// Negative timeouts other than spec.Infinite are refused (spec.API,
// Timeouts).
//
// With SystemClock the emulator uses package time instead: waits sleep on
// real timers, and expiries are processed lazily whenever the emulator is
// entered (a waiter sleeps at most until the next expiry). Inside a
// testing/synctest bubble those timers run on the bubble's fake clock, so
// tests stay instant and deterministic while exercising the real-time code.
//
// # Trace
//
// WithTrace records every call with its arguments, every result, every
// state transition (of sockets and of TCP connections entering and leaving
// TIME_WAIT) and every completion, stamped with the emulator's time
// (Trace, TraceString). Handle values, OVERLAPPED addresses, ports and times
// depend only on the calls made, so the same script gives the same trace.
// Without WithTrace nothing is recorded and the hot paths pay one nil check.
//
// WithObserver hands the same events to a function outside the emulator's
// lock, from every thread, in order; it may call the emulator (see its doc
// for the ordering and re-entrancy rules). WithTraceFunc streams them under
// the lock.
//
// # Faults
//
// Fault rules (WithFaults, Inject) make chosen calls fail: a rule matches a
// call by name, socket, predicate or n-th occurrence and fails it at once
// (FaultFail), starts its request and completes it later with an error
// (FaultComplete: a refused ConnectEx, an aborted AcceptEx), or has the
// peer reset the connection (FaultReset: a reset during DisconnectEx).
// Delays run on the emulator's clock, rules count their matches in the
// trace's order, and every firing is a KindFault event, so a faulted run
// is as deterministic as any other. Bad rules give ErrBadFault.
//
// # Use as a fake in tests
//
// Write the code under test against spec.API (or spec.DisconnectExFunc
// from spec.LoadDisconnectEx) and give it an *Emulator in tests:
//
//	e, _ := emulator.New(spec.DefaultSettings())
//	pool := NewPool(e, addr)   // your code
//	...                        // 240 s of TIME_WAIT pass instantly
//	st, _ := e.State(s)        // introspection: spec.StateReusable
//
// Handles are small multiples of 4 with a generation number in their upper
// bits, so a closed handle is never mistaken for a newer one. Bad input
// (unknown, closed or foreign handles, the wrong kind of handle, a NULL or
// unknown OVERLAPPED where one is required, bad addresses) returns the
// Windows error code; the emulator never panics on input.
//
// # Concurrency
//
// All methods are safe for concurrent use. One mutex guards the emulator;
// blocking calls wait on a condition variable and are woken by whatever
// changes the world. With the virtual clock time moves only when every
// caller is blocked (see Time), so the times concurrent callers see do not
// depend on how their goroutines are scheduled, provided every caller is
// in the emulator or a thread started with Go; the order of their calls
// (and so the trace) still does. A nil *Emulator, a zero Emulator and a
// zero Thread fail every call with ErrZero.
//
// # Simplifications
//
// Data is delivered instantly (a refusal or an unreachable host ends a
// connect within the call) and buffers are unbounded; a remote host never
// closes first or resets, and an end left in FIN_WAIT2 by a host that never
// closes stays there (no FIN_WAIT2 timer); an address no remote host covers
// reaches the local listeners as loopback does;
// listen backlogs are unbounded; unread data at closesocket does not turn
// the FIN into an RST; a datagram goes only from a connected datagram
// socket (Send) to the bound one at its remote address, is never lost, and
// is cut to the receive buffer without an error; an ephemeral port is
// taken only if no socket, of either protocol and on any address, holds
// it (no per-address allocation as SO_PORT_SCALABILITY would give). A socket keeps the local address of
// its last connection when it is reused (TF_REUSE_SOCKET), so a socket
// reused after a connection to a remote host connects to a loopback
// listener from the emulated machine's address (HostAddr4), and one reused
// after a loopback connection reaches remote hosts from 127.0.0.1: whether
// Windows goes back to the original bind address is not in the evidence.
// The fault rules' delayed reset acts on whatever connection the socket has
// when the delay ends, even one made after a reuse.
package emulator
