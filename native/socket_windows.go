//go:build windows

package native

import (
	"math"
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// int32Arg converts an int argument to the C int Windows takes, saturating:
// a value out of range stays out of range (Windows rejects it) instead of
// wrapping around to a valid one (1<<32 + AF_INET is not AF_INET).
func int32Arg(v int) int32 {
	return int32(min(max(v, math.MinInt32), math.MaxInt32))
}

func (b *Backend) Socket(af, typ, proto int, flags uint32) (spec.Socket, error) {
	h, err := windows.WSASocket(int32Arg(af), int32Arg(typ), int32Arg(proto), nil, 0, flags)
	if err != nil {
		return spec.INVALID_SOCKET, errnoOf(err)
	}
	return spec.Socket(h), nil
}

func (b *Backend) Bind(s spec.Socket, addr netip.AddrPort) error {
	sa, err := toSockaddr(addr)
	if err != nil {
		return err
	}
	return errnoOf(windows.Bind(windows.Handle(s), sa))
}

func (b *Backend) Listen(s spec.Socket, backlog int) error {
	return errnoOf(windows.Listen(windows.Handle(s), int(int32Arg(backlog))))
}

func (b *Backend) Connect(s spec.Socket, addr netip.AddrPort) error {
	sa, err := toSockaddr(addr)
	if err != nil {
		return err
	}
	return errnoOf(windows.Connect(windows.Handle(s), sa))
}

func (b *Backend) Accept(s spec.Socket) (spec.Socket, netip.AddrPort, error) {
	var buf [128]byte // SOCKADDR_STORAGE
	n := int32(len(buf))
	a, err := accept(windows.Handle(s), &buf[0], &n)
	if err != nil {
		return spec.INVALID_SOCKET, netip.AddrPort{}, errnoOf(err)
	}
	return spec.Socket(a), parseSockaddr(buf[:min(max(n, 0), int32(len(buf)))]), nil
}

// ioLen is the length send and recv are given: their len is an int, so a
// longer buffer is used up to math.MaxInt32 bytes (a partial transfer, as
// the calls may make anyway) instead of having its length truncated.
func ioLen(n int) int32 { return int32(min(n, math.MaxInt32)) }

// bufPtr is the address of p's first byte, or nil for an empty p.
func bufPtr(p []byte) *byte {
	if len(p) == 0 {
		return nil
	}
	return &p[0]
}

func (b *Backend) Send(s spec.Socket, p []byte) (int, error) {
	n, err := send(windows.Handle(s), bufPtr(p), ioLen(len(p)), 0)
	if err != nil {
		return 0, errnoOf(err)
	}
	return int(n), nil
}

func (b *Backend) Recv(s spec.Socket, p []byte) (int, error) {
	n, err := recv(windows.Handle(s), bufPtr(p), ioLen(len(p)), 0)
	if err != nil {
		return 0, errnoOf(err)
	}
	return int(n), nil
}

func (b *Backend) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	if !spec.ValidTimeout(timeout) {
		return 0, spec.WSAEINVAL // spec.API, Timeouts
	}
	fd := wsaPollFD{fd: uintptr(s), events: int16(events)}
	var err error
	// WSAPoll's timeout is an INT: -1 (INFINITE as an int) waits forever,
	// and a finite wait longer than math.MaxInt32 ms is made in steps.
	waitSteps(timeout, math.MaxInt32, func(ms uint32) bool {
		fd.revents = 0
		var r int32
		r, err = wsaPoll(&fd, 1, int32(ms))
		err = errnoOf(err)
		return err == nil && r == 0
	})
	if err != nil {
		return 0, err
	}
	return spec.PollEvents(fd.revents), nil
}

func (b *Backend) Shutdown(s spec.Socket, how int) error {
	return errnoOf(windows.Shutdown(windows.Handle(s), int(int32Arg(how))))
}

func (b *Backend) SetLinger(s spec.Socket, on bool, seconds uint16) error {
	l := windows.Linger{Linger: int32(seconds)}
	if on {
		l.Onoff = 1
	}
	return errnoOf(windows.SetsockoptLinger(windows.Handle(s), windows.SOL_SOCKET, windows.SO_LINGER, &l))
}

// bindOption reports an option SetBindOption and BindOption take; others
// fail WSAENOPROTOOPT before reaching Windows, as on the emulator.
func bindOption(opt int) bool { return opt == spec.SO_REUSEADDR || opt == spec.SO_EXCLUSIVEADDRUSE }

func (b *Backend) SetBindOption(s spec.Socket, opt int, on bool) error {
	if !bindOption(opt) {
		return spec.WSAENOPROTOOPT
	}
	v := 0
	if on {
		v = 1
	}
	return errnoOf(windows.SetsockoptInt(windows.Handle(s), windows.SOL_SOCKET, opt, v))
}

func (b *Backend) BindOption(s spec.Socket, opt int) (bool, error) {
	if !bindOption(opt) {
		return false, spec.WSAENOPROTOOPT
	}
	v, err := windows.GetsockoptInt(windows.Handle(s), windows.SOL_SOCKET, opt)
	if err != nil {
		return false, errnoOf(err)
	}
	return v != 0, nil
}

func (b *Backend) Getsockname(s spec.Socket) (netip.AddrPort, error) {
	sa, err := windows.Getsockname(windows.Handle(s))
	if err != nil {
		return netip.AddrPort{}, errnoOf(err)
	}
	return fromSockaddr(sa), nil
}

func (b *Backend) Getpeername(s spec.Socket) (netip.AddrPort, error) {
	sa, err := windows.Getpeername(windows.Handle(s))
	if err != nil {
		return netip.AddrPort{}, errnoOf(err)
	}
	return fromSockaddr(sa), nil
}

func (b *Backend) UpdateAcceptContext(accepted, listener spec.Socket) error {
	l := uintptr(listener)
	return errnoOf(windows.Setsockopt(windows.Handle(accepted), windows.SOL_SOCKET, spec.SO_UPDATE_ACCEPT_CONTEXT,
		(*byte)(unsafe.Pointer(&l)), int32(unsafe.Sizeof(l))))
}

func (b *Backend) UpdateConnectContext(s spec.Socket) error {
	return errnoOf(windows.Setsockopt(windows.Handle(s), windows.SOL_SOCKET, spec.SO_UPDATE_CONNECT_CONTEXT, nil, 0))
}

func (b *Backend) Closesocket(s spec.Socket) error {
	return errnoOf(windows.Closesocket(windows.Handle(s)))
}
