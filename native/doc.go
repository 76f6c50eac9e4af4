// Package native is the spec.API of the real Windows system: every method
// is the Windows call of the same name, made through golang.org/x/sys/windows
// or, where that package has no wrapper, through the DLL export itself. It
// is the oracle the conformance suite compares the emulator with, and under
// Wine it measures Wine.
//
// On other operating systems New returns an error wrapping
// errors.ErrUnsupported, and the conformance suite skips the backend with
// that reason.
//
// # Extension functions
//
// DisconnectEx, ConnectEx, AcceptEx and GetAcceptExSockaddrs are not
// exported by ws2_32.dll. The backend loads each with
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) from the socket being used
// (never from an AF_INET probe socket, which fails where IPv4 is disabled),
// caches the pointer per address family and provider (SO_PROTOCOL_INFOW;
// the cache is safe for concurrent use), and calls it with
// syscall.SyscallN. GetExtensionFunction is the raw, uncached lookup. When
// the handle given is not a socket at all, the pointer loaded for any
// family is used (loaded once from a probe socket if need be), so the call
// itself reports WSAENOTSOCK as Windows does.
//
// # OVERLAPPED memory
//
// A spec.Overlapped is the address of an OVERLAPPED at the start of a page
// committed with VirtualAlloc: memory the Go collector neither moves nor
// frees, so the kernel may write to it until the request completes. The
// rest of the page holds the request's scratch (the AcceptEx address
// buffers and the ConnectEx address). The live OVERLAPPEDs are registered
// process-wide, so one backend's OVERLAPPED works with another.
// FreeOverlapped refuses with ERROR_IO_PENDING while OVERLAPPED.Internal is
// STATUS_PENDING or another call of this package is using the page, then
// decommits it: a freed OVERLAPPED is an invalid address and is never
// handed out again (ERROR_INVALID_PARAMETER on a second free). AcceptEx and
// ConnectEx given an OVERLAPPED no backend handed out get a scratch page of
// their own, freed when the call fails at once and otherwise left to the
// kernel. DisconnectEx, CancelIoEx and PostQueuedCompletionStatus
// pass any Overlapped value through unchanged, so an invalid pointer reaches
// Windows as it is (the WSAEFAULT cases; such a call may end the process,
// which is why the suite runs it in a child process).
// GetOverlappedResult and WSAGetOverlappedResult dereference the structure
// in user mode; given a value that is not a live OVERLAPPED of this backend
// they fail with ERROR_INVALID_PARAMETER instead of an access violation.
//
// # Timeouts
//
// A negative time.Duration (spec.Infinite) is INFINITE. A finite timeout is
// rounded up to whole milliseconds; one longer than a single call takes
// (INFINITE-1 ms, about 49.7 days, for the DWORD waits; math.MaxInt32 ms
// for WSAPoll's INT) is waited in steps, so it is neither truncated nor
// turned into INFINITE. send and recv get at most math.MaxInt32 bytes.
//
// # Close
//
// Backend.Close ends the threads from NewThread that were not exited and
// frees the OVERLAPPEDs the backend handed out that are neither pending nor
// in use (those are left allocated and reported). The conformance suite
// closes each case's backend after the case's own cleanups.
//
// # Threads
//
// Calls on a Backend are made by the calling goroutine's OS thread; Go's
// runtime never ends those threads, so the API's "one thread that never
// exits" holds. NewThread starts a goroutine locked to an OS thread of its
// own (never the main thread, which the runtime would park rather than end)
// that executes the calls sent to it. Thread.Exit makes that goroutine
// return while still locked, which makes the runtime end the OS thread,
// and waits on the thread's handle until Windows reports it gone: the
// thread-exit cancellation the cases observe is Windows' own. A Thread may
// be used from several goroutines (its calls run one at a time); Exit
// waits for the call in progress; a call that panics is recovered on the
// thread and raised again in the caller's goroutine.
//
// # Settings and the TCP table
//
// A process cannot change TcpTimedWaitDelay (it is read at boot) or the
// dynamic port range. New validates the spec.Settings it is given and
// records them; Backend.SystemSettings reports the registry's
// TcpTimedWaitDelay (240 s when absent). The conformance suite therefore
// gives this backend no "settings" capability, and runs the cases that wait
// out a real TIME_WAIT only when asked to (-long). TCPTable reads
// GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) for AF_INET and AF_INET6, so
// TIME_WAIT rows are observed, not assumed.
//
// # Wine
//
// WineVersion reports whether ntdll exports wine_get_version. The suite
// then names the backend "wine" and holds it to testdata/divergences/wine.json;
// scripts/wine-test builds and runs the Windows test binaries under Wine.
package native
