package conformance

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Helpers shared by the cases. They build peers out of the same API (both
// ends of every connection are sockets of the backend under test) and
// phrase failures as "<call>: got <X>, want <Y>" so that divergence data
// can quote the "got" part.

var (
	loopback4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	any4      = netip.AddrFrom4([4]byte{})
)

// prompt is how long "at once" may take: a completion that needs no
// TIME_WAIT must be signalled within it. Virtual time makes it free on the
// emulator; a native backend needs a little real time.
const prompt = time.Second

// wildOverlapped is an OVERLAPPED address no backend hands out (8-aligned,
// in the low 64 KiB that Windows never maps).
const wildOverlapped = spec.Overlapped(0xBAD0)

// errName names an outcome: "success", the Errno name, or the error text.
func errName(err error) string { return spec.ErrorName(err) }

func isErr(err error, want spec.Errno) bool {
	if want == spec.ERROR_SUCCESS {
		return err == nil
	}
	var e spec.Errno
	return errors.As(err, &e) && e == want
}

// wantErr checks that err is want (spec.ERROR_SUCCESS for nil).
func wantErr(t *T, what string, err error, want spec.Errno) bool {
	t.Helper()
	if isErr(err, want) {
		return true
	}
	t.Errorf("%s: got %s, want %s", what, errName(err), codeName(want))
	return false
}

func codeName(e spec.Errno) string {
	if e == spec.ERROR_SUCCESS {
		return "success"
	}
	return e.Name()
}

// wantOK checks that err is nil.
func wantOK(t *T, what string, err error) bool {
	t.Helper()
	return wantErr(t, what, err, spec.ERROR_SUCCESS)
}

// mustOK ends the case if err is not nil: later steps depend on it.
func mustOK(t *T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: got %s, want success", what, errName(err))
	}
}

// expectOneOf accepts any of allowed (spec.ERROR_SUCCESS for success). It
// is for clauses whose evidence allows several outcomes; the outcome is
// logged so that a report shows what the backend chose.
func expectOneOf(t *T, what string, err error, allowed ...spec.Errno) bool {
	t.Helper()
	for _, a := range allowed {
		if isErr(err, a) {
			t.Logf("%s: %s (allowed: %s)", what, errName(err), names(allowed))
			return true
		}
	}
	t.Errorf("%s: got %s, want one of %s", what, errName(err), names(allowed))
	return false
}

// expectFailure accepts any failure that is not ERROR_IO_PENDING, logging
// when it is not the code the emulator (or the page) gives.
func expectFailure(t *T, what string, err error, usual spec.Errno) bool {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: got success, want a failure (usually %s)", what, usual.Name())
		return false
	case isErr(err, spec.ERROR_IO_PENDING):
		t.Errorf("%s: got ERROR_IO_PENDING, want an immediate failure (usually %s)", what, usual.Name())
		return false
	case !isErr(err, usual):
		t.Logf("%s: failed with %s; the emulator gives %s", what, errName(err), usual.Name())
	}
	return true
}

// win32Faces returns the codes GetOverlappedResult reports for a request
// that completes with the given Winsock outcomes (the Win32 face of the
// same NTSTATUS: WSAENOTCONN is STATUS_INVALID_CONNECTION, which
// GetOverlappedResult reports as ERROR_UNEXP_NET_ERR).
func win32Faces(winsock ...spec.Errno) []spec.Errno {
	var out []spec.Errno
	for _, e := range winsock {
		if w := spec.StatusFromWinsock(e).Win32(); !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func names(es []spec.Errno) string {
	var s []string
	for _, e := range es {
		s = append(s, codeName(e))
	}
	return strings.Join(s, ", ")
}

// tcp makes an overlapped IPv4 TCP socket that is closed after the case.
func tcp(t *T, api spec.API) spec.Socket {
	t.Helper()
	return sock(t, api, spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
}

func sock(t *T, api spec.API, af, typ, proto int, flags uint32) spec.Socket {
	t.Helper()
	s, err := api.Socket(af, typ, proto, flags)
	if err != nil {
		t.Fatalf("Socket(%d, %s, %d): got %s, want success", af, spec.SocketTypeName(typ), proto, errName(err))
	}
	t.Cleanup(func() { api.Closesocket(s) })
	return s
}

// event makes a manual-reset, non-signalled event closed after the case.
func event(t *T, api spec.API) spec.Handle {
	t.Helper()
	h, err := api.CreateEvent(true, false)
	mustOK(t, "CreateEvent", err)
	t.Cleanup(func() { api.CloseHandle(h) })
	return h
}

// overlapped allocates an OVERLAPPED with hEvent ev, freed after the case.
func overlapped(t *T, api spec.API, ev spec.Handle) spec.Overlapped {
	t.Helper()
	ov, err := api.NewOverlapped(ev)
	mustOK(t, "NewOverlapped", err)
	t.Cleanup(func() { api.FreeOverlapped(ov) })
	return ov
}

// port makes a completion port closed after the case.
func port(t *T, api spec.API) spec.Handle {
	t.Helper()
	p, err := api.CreateIoCompletionPort(0)
	mustOK(t, "CreateIoCompletionPort", err)
	t.Cleanup(func() { api.CloseHandle(p) })
	return p
}

// listener makes a socket listening on 127.0.0.1:0 and returns its address.
func listener(t *T, api spec.API) (spec.Socket, netip.AddrPort) {
	t.Helper()
	l := tcp(t, api)
	mustOK(t, "bind listener to 127.0.0.1:0", api.Bind(l, netip.AddrPortFrom(loopback4, 0)))
	mustOK(t, "listen", api.Listen(l, 16))
	a, err := api.Getsockname(l)
	mustOK(t, "getsockname(listener)", err)
	if a.Port() == 0 {
		t.Fatalf("getsockname(listener): got port 0 after bind to port 0")
	}
	return l, netip.AddrPortFrom(loopback4, a.Port())
}

// how a connection is made, and how it is accepted.
type connectHow int

const (
	byConnect connectHow = iota
	byConnectEx
)

type acceptHow int

const (
	byAccept acceptHow = iota
	byAcceptEx
)

// waitPrompt waits for h for at most prompt and reports WAIT_TIMEOUT as a
// failure.
func waitPrompt(t *T, api spec.API, what string, h spec.Handle) bool {
	t.Helper()
	return wantOK(t, what+": WaitForSingleObject(event, 1s)", api.WaitForSingleObject(h, prompt))
}

// dial connects a new socket to addr with connect() or ConnectEx.
func dial(t *T, api spec.API, addr netip.AddrPort, how connectHow) spec.Socket {
	t.Helper()
	c := tcp(t, api)
	if how == byConnect {
		mustOK(t, "connect", api.Connect(c, addr))
		return c
	}
	mustOK(t, "bind before ConnectEx", api.Bind(c, netip.AddrPortFrom(any4, 0)))
	connectEx(t, api, c, addr)
	return c
}

// connectEx runs ConnectEx on s to addr and waits for it to succeed.
func connectEx(t *T, api spec.API, s spec.Socket, addr netip.AddrPort) {
	t.Helper()
	if err := tryConnectEx(t, api, s, addr); err != nil {
		t.Fatalf("ConnectEx: got %s, want success", errName(err))
	}
}

// tryConnectEx runs ConnectEx and returns its final outcome.
func tryConnectEx(t *T, api spec.API, s spec.Socket, addr netip.AddrPort) error {
	t.Helper()
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	err := api.ConnectEx(s, addr, ov)
	if isErr(err, spec.ERROR_IO_PENDING) {
		_, err = api.GetOverlappedResult(spec.Handle(s), ov, true)
	}
	if err != nil {
		return err
	}
	return api.UpdateConnectContext(s)
}

// acceptWaiting takes, with accept(), the connection that should be
// waiting on the listener l. It asks WSAPoll first, so that a backend
// where the connection went elsewhere, or was lost, fails here instead of
// blocking in accept(); ok is false, after an error, when nothing could be
// taken. The accepted socket is closed after the case.
func acceptWaiting(t *T, api spec.API, l spec.Socket, what string) (s spec.Socket, peer netip.AddrPort, ok bool) {
	t.Helper()
	ev, err := api.Poll(l, spec.POLLRDNORM, prompt)
	if err != nil || ev&spec.POLLRDNORM == 0 {
		t.Errorf("%s: WSAPoll(listener, POLLRDNORM, 1s): got revents %#x with %s, want a connection waiting", what, uint16(ev), errName(err))
		return spec.INVALID_SOCKET, peer, false
	}
	s, peer, err = api.Accept(l)
	if !wantOK(t, what+": accept", err) {
		return spec.INVALID_SOCKET, peer, false
	}
	t.Cleanup(func() { api.Closesocket(s) })
	return s, peer, true
}

// acceptOne takes one connection from l with accept() or AcceptEx.
func acceptOne(t *T, api spec.API, l spec.Socket, how acceptHow) spec.Socket {
	t.Helper()
	if how == byAccept {
		s, _, err := api.Accept(l)
		mustOK(t, "accept", err)
		t.Cleanup(func() { api.Closesocket(s) })
		return s
	}
	s := tcp(t, api)
	if err := tryAcceptEx(t, api, l, s); err != nil {
		t.Fatalf("AcceptEx: got %s, want success", errName(err))
	}
	return s
}

// tryAcceptEx runs AcceptEx(l, s) for a connection already in the
// backlog and returns its final outcome.
func tryAcceptEx(t *T, api spec.API, l, s spec.Socket) error {
	t.Helper()
	ev := event(t, api)
	ov := overlapped(t, api, ev)
	err := api.AcceptEx(l, s, ov)
	if isErr(err, spec.ERROR_IO_PENDING) {
		if werr := api.WaitForSingleObject(ev, prompt); werr != nil {
			api.CancelIoEx(spec.Handle(l), ov)
			return fmt.Errorf("AcceptEx pending with a connection in the backlog: wait: %s", errName(werr))
		}
		_, err = api.GetOverlappedResult(spec.Handle(l), ov, false)
	}
	if err != nil {
		return err
	}
	return api.UpdateAcceptContext(s, l)
}

// conn is a connection whose two ends are sockets of the API under test.
type conn struct {
	client, server spec.Socket
	ln             spec.Socket    // the listener the server end came from
	addr           netip.AddrPort // the listener's address
}

// connected makes a connection with connect() and accept().
func connected(t *T, api spec.API) conn {
	t.Helper()
	return connectedVia(t, api, byConnect, byAccept)
}

func connectedVia(t *T, api spec.API, ch connectHow, ah acceptHow) conn {
	t.Helper()
	l, addr := listener(t, api)
	c := dial(t, api, addr, ch)
	s := acceptOne(t, api, l, ah)
	return conn{client: c, server: s, ln: l, addr: addr}
}

// localPort returns the port s is bound to.
func localPort(t *T, api spec.API, s spec.Socket) uint16 {
	t.Helper()
	a, err := api.Getsockname(s)
	mustOK(t, "getsockname", err)
	return a.Port()
}

// pending starts an overlapped DisconnectEx(s, ov, flags, 0) with a fresh
// manual-reset event and checks that it returns ERROR_IO_PENDING.
func pending(t *T, api spec.API, s spec.Socket, flags uint32) (spec.Overlapped, spec.Handle) {
	t.Helper()
	return pendingBy(t, api, api, s, flags)
}

// pendingBy is pending with the call issued by issuer (a Thread); the
// event and the OVERLAPPED belong to api, so they outlive the thread.
func pendingBy(t *T, api, issuer spec.API, s spec.Socket, flags uint32) (spec.Overlapped, spec.Handle) {
	t.Helper()
	ev := event(t, api)
	return pendingWith(t, api, issuer, s, ev, flags), ev
}

// pendingWith starts DisconnectEx(s, ov, flags, 0), issued by issuer (api
// itself or a Thread), with a fresh OVERLAPPED of api whose hEvent is ev:
// 0 for NULL (the socket handle is signalled), ev|1 to suppress the
// completion packet. It ends the case unless the call returns
// ERROR_IO_PENDING.
func pendingWith(t *T, api, issuer spec.API, s spec.Socket, ev spec.Handle, flags uint32) spec.Overlapped {
	t.Helper()
	ov := overlapped(t, api, ev)
	if err := issuer.DisconnectEx(s, ov, flags, 0); !isErr(err, spec.ERROR_IO_PENDING) {
		t.Fatalf("DisconnectEx(overlapped%s, flags %#x): got %s, want ERROR_IO_PENDING", hEventNote(ev), flags, errName(err))
	}
	return ov
}

func hEventNote(ev spec.Handle) string {
	switch {
	case ev == 0:
		return " with hEvent NULL"
	case ev&1 != 0:
		return " with hEvent|1"
	}
	return ""
}

// signalled reports whether h is signalled now.
func signalled(api spec.API, h spec.Handle) bool { return api.WaitForSingleObject(h, 0) == nil }

// wantPending checks that the request on ov has not completed.
func wantPending(t *T, api spec.API, what string, s spec.Socket, ov spec.Overlapped) bool {
	t.Helper()
	_, err := api.GetOverlappedResult(spec.Handle(s), ov, false)
	return wantErr(t, what+": GetOverlappedResult(no wait)", err, spec.ERROR_IO_INCOMPLETE)
}

// wantResult checks the completed request's Win32 result.
func wantResult(t *T, api spec.API, what string, s spec.Socket, ov spec.Overlapped, want spec.Errno) bool {
	t.Helper()
	n, err := api.GetOverlappedResult(spec.Handle(s), ov, false)
	ok := wantErr(t, what+": GetOverlappedResult", err, want)
	if err == nil && n != 0 {
		t.Errorf("%s: GetOverlappedResult: got %d bytes, want 0", what, n)
		ok = false
	}
	return ok
}

// wantDone waits promptly for the request on ov to signal ev and checks
// its Win32 result.
func wantDone(t *T, api spec.API, what string, s spec.Socket, ov spec.Overlapped, ev spec.Handle, want spec.Errno) bool {
	t.Helper()
	ok := waitPrompt(t, api, what, ev)
	return wantResult(t, api, what, s, ov, want) && ok
}

// wantAborted checks that the request on ov completes promptly as
// canceled: ERROR_OPERATION_ABORTED from GetOverlappedResult and
// WSA_OPERATION_ABORTED from WSAGetOverlappedResult.
func wantAborted(t *T, api spec.API, what string, s spec.Socket, ov spec.Overlapped, ev spec.Handle) bool {
	t.Helper()
	if !wantDone(t, api, what, s, ov, ev, spec.ERROR_OPERATION_ABORTED) {
		return false
	}
	_, _, err := api.WSAGetOverlappedResult(s, ov, false)
	return wantErr(t, what+": WSAGetOverlappedResult", err, spec.WSA_OPERATION_ABORTED)
}

// wantConnectEx checks that ConnectEx on s to addr succeeds.
func wantConnectEx(t *T, api spec.API, what string, s spec.Socket, addr netip.AddrPort) bool {
	t.Helper()
	if err := tryConnectEx(t, api, s, addr); err != nil {
		t.Errorf("%s: got %s, want success", what, errName(err))
		return false
	}
	return true
}
