package overlapped

import (
	"errors"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Started returns nil for the result of a call that started an overlapped
// request (nil or ERROR_IO_PENDING: it completes through its OVERLAPPED)
// and err itself when the request failed at once.
func Started(err error) error {
	if err == nil || errors.Is(err, spec.ERROR_IO_PENDING) {
		return nil
	}
	return err
}

// Request is one OVERLAPPED, reusable for one request after another, and
// the handle to wait on for the request it carries.
type Request struct {
	api   spec.API
	ov    spec.Overlapped
	event spec.Handle // hEvent, 0 for NULL
	h     spec.Handle // the handle the current request signals when event is 0
	s     spec.Socket // the socket the current request was issued on
	err   error       // the current request's immediate failure
	live  bool        // a request was started and not yet waited for
}

// ErrNoRequest is Wait's error when nothing was started.
var ErrNoRequest = errors.New("overlapped: no request started on this Request")

// New returns a Request whose OVERLAPPED has a NULL hEvent: Windows
// signals the handle of the call (see the package documentation).
func New(api spec.API) (*Request, error) {
	ov, err := api.NewOverlapped(0)
	if err != nil {
		return nil, err
	}
	return &Request{api: api, ov: ov}, nil
}

// NewEvent returns a Request whose OVERLAPPED has a manual-reset event of
// its own in hEvent.
func NewEvent(api spec.API) (*Request, error) {
	ev, err := api.CreateEvent(true, false)
	if err != nil {
		return nil, err
	}
	ov, err := api.NewOverlapped(ev)
	if err != nil {
		_ = api.CloseHandle(ev)
		return nil, err
	}
	return &Request{api: api, ov: ov, event: ev}, nil
}

// Overlapped returns the OVERLAPPED, for calls this package does not wrap.
func (r *Request) Overlapped() spec.Overlapped { return r.ov }

// Signalled returns the object Windows signals when the current request
// completes: the event, or the handle the call was issued on.
func (r *Request) Signalled() spec.Handle {
	if r.event != 0 {
		return r.event
	}
	return r.h
}

// Err returns the current request's immediate failure, or nil when it
// started.
func (r *Request) Err() error { return r.err }

func (r *Request) begin(s spec.Socket, signalled spec.Handle) {
	r.s, r.h, r.err, r.live = s, signalled, nil, true
	if r.event != 0 {
		// Windows clears the event when a request starts; clear it here
		// too, so a signal left from the previous request cannot pass
		// for this one's on a backend that does not.
		r.err = r.api.ResetEvent(r.event)
	}
}

func (r *Request) started(err error) *Request {
	if r.err == nil {
		r.err = Started(err)
	}
	return r
}

// issue starts a request on s, the handle it signals, with call, unless
// resetting the event failed.
func (r *Request) issue(s spec.Socket, call func() error) *Request {
	r.begin(s, spec.Handle(s))
	if r.err != nil {
		return r
	}
	return r.started(call())
}

// ConnectEx starts ConnectEx(s, addr); s must be bound.
func (r *Request) ConnectEx(s spec.Socket, addr netip.AddrPort) *Request {
	return r.issue(s, func() error { return r.api.ConnectEx(s, addr, r.ov) })
}

// AcceptEx starts AcceptEx(listener, accepted); the listener is signalled.
func (r *Request) AcceptEx(listener, accepted spec.Socket) *Request {
	return r.issue(listener, func() error { return r.api.AcceptEx(listener, accepted, r.ov) })
}

// DisconnectEx starts DisconnectEx(s, flags, 0).
func (r *Request) DisconnectEx(s spec.Socket, flags uint32) *Request {
	return r.issue(s, func() error { return r.api.DisconnectEx(s, r.ov, flags, 0) })
}

// WSASend starts WSASend(s, b); b must stay untouched until Wait returns.
func (r *Request) WSASend(s spec.Socket, b []byte) *Request {
	return r.issue(s, func() error {
		_, err := r.api.WSASend(s, b, r.ov)
		return err
	})
}

// WSARecv starts WSARecv(s, b); the bytes are in b when Wait returns.
func (r *Request) WSARecv(s spec.Socket, b []byte) *Request {
	return r.issue(s, func() error {
		_, err := r.api.WSARecv(s, b, r.ov)
		return err
	})
}

// Wait waits for the current request and returns its bytes and error
// (GetOverlappedResult with bWait TRUE on the signalled handle), or the
// immediate failure.
func (r *Request) Wait() (uint32, error) { return r.result(true) }

// WaitTimeout waits at most d (in the backend's time) for the current
// request. When d passes first it returns WAIT_TIMEOUT and the request is
// still in progress: wait again, or Cancel and then Wait.
func (r *Request) WaitTimeout(d time.Duration) (uint32, error) {
	if n, err := r.Result(); !errors.Is(err, spec.ERROR_IO_INCOMPLETE) {
		return n, err // done, failed at once, or no request
	}
	if err := r.api.WaitForSingleObject(r.Signalled(), d); err != nil {
		return 0, err
	}
	return r.Wait()
}

// Result reports the current request without waiting: ERROR_IO_INCOMPLETE
// while it is in progress.
func (r *Request) Result() (uint32, error) { return r.result(false) }

// result is GetOverlappedResult(wait) for the current request, or its
// immediate failure, or ErrNoRequest; once it reports an outcome the
// request is over.
func (r *Request) result(wait bool) (uint32, error) {
	if !r.live {
		return 0, ErrNoRequest
	}
	if r.err != nil {
		r.live = false
		return 0, r.err
	}
	n, err := r.api.GetOverlappedResult(r.h, r.ov, wait)
	if !errors.Is(err, spec.ERROR_IO_INCOMPLETE) {
		r.live = false
	}
	return n, err
}

// Cancel asks Windows to cancel the current request (CancelIoEx on the
// socket it was issued on). The request still completes: Wait for it.
// ERROR_NOT_FOUND means it had completed already.
func (r *Request) Cancel() error {
	if !r.live || r.err != nil {
		return spec.ERROR_NOT_FOUND
	}
	return r.api.CancelIoEx(spec.Handle(r.s), r.ov)
}

// Close frees the OVERLAPPED and the event. It fails with
// ERROR_IO_PENDING, freeing nothing, while a request is in progress.
func (r *Request) Close() error {
	if r.ov != 0 {
		if err := r.api.FreeOverlapped(r.ov); err != nil {
			return err
		}
		r.ov = 0
	}
	if r.event != 0 {
		ev := r.event
		r.event = 0
		return r.api.CloseHandle(ev)
	}
	return nil
}
