//go:build windows

package native

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// GetExtensionFunction is the raw lookup: WSAIoctl(s,
// SIO_GET_EXTENSION_FUNCTION_POINTER) with id as input, every time.
func (b *Backend) GetExtensionFunction(s spec.Socket, id spec.GUID) (uintptr, error) {
	guid := id
	var fn uintptr
	var got uint32
	_, err := wsaIoctl(windows.Handle(s), spec.SIO_GET_EXTENSION_FUNCTION_POINTER,
		(*byte)(unsafe.Pointer(&guid)), uint32(unsafe.Sizeof(guid)),
		(*byte)(unsafe.Pointer(&fn)), uint32(unsafe.Sizeof(fn)), &got, 0, 0)
	if err != nil { // SOCKET_ERROR
		return 0, errnoOf(err)
	}
	if fn == 0 {
		return 0, spec.WSAEINVAL
	}
	return fn, nil
}

// ExtensionLookup is the lookup with lpcbBytesReturned preset to
// spec.Untouched (NULL unless withBytes) and lpOverlapped ov. An ov that
// is not a live OVERLAPPED of this package fails WSAEFAULT here, before
// ws2_32 could write through it.
func (b *Backend) ExtensionLookup(s spec.Socket, id spec.GUID, ov spec.Overlapped, withBytes bool) (uintptr, uint32, error) {
	if ov != 0 {
		sl := use(ov)
		if sl == nil {
			return 0, spec.Untouched, spec.WSAEFAULT
		}
		defer sl.release()
	}
	guid := id
	var fn uintptr
	got := spec.Untouched
	var pgot *uint32
	if withBytes {
		pgot = &got
	}
	_, err := wsaIoctl(windows.Handle(s), spec.SIO_GET_EXTENSION_FUNCTION_POINTER,
		(*byte)(unsafe.Pointer(&guid)), uint32(unsafe.Sizeof(guid)),
		(*byte)(unsafe.Pointer(&fn)), uint32(unsafe.Sizeof(fn)), pgot, uintptr(ov), 0)
	if err != nil { // SOCKET_ERROR
		return 0, got, errnoOf(err)
	}
	return fn, got, nil
}

// protocol returns the address family and provider of s from
// SO_PROTOCOL_INFOW.
func protocol(s spec.Socket) (af int32, provider windows.GUID, err error) {
	var info windows.WSAProtocolInfo
	n := int32(unsafe.Sizeof(info))
	err = windows.Getsockopt(windows.Handle(s), windows.SOL_SOCKET, soProtocolInfoW, (*byte)(unsafe.Pointer(&info)), &n)
	if err != nil {
		return 0, provider, errnoOf(err)
	}
	return info.AddressFamily, info.ProviderId, nil
}

// extension returns the extension function id for the socket s, loaded
// with WSAIoctl from s itself and cached by address family and provider
// (under b.mu; two goroutines may both load a missing entry, and store the
// same pointer). When s is not a socket at all (the WSAENOTSOCK cases) the function loaded for any
// family serves, or, when none was loaded yet, one loaded from a probe
// socket: the call then reports on s as Windows does.
func (b *Backend) extension(s spec.Socket, id spec.GUID) (uintptr, error) {
	af, provider, afErr := protocol(s)
	key := extKey{af, provider, id}
	b.mu.Lock()
	if afErr == nil {
		if fn := b.ext[key]; fn != 0 {
			b.mu.Unlock()
			return fn, nil
		}
	} else {
		for k, fn := range b.ext {
			if k.id == id {
				b.mu.Unlock()
				return fn, nil
			}
		}
	}
	b.mu.Unlock()
	if afErr == nil {
		fn, err := b.GetExtensionFunction(s, id)
		if err != nil {
			return 0, err
		}
		b.mu.Lock()
		b.ext[key] = fn
		b.mu.Unlock()
		return fn, nil
	}
	for _, af := range []int32{windows.AF_INET, windows.AF_INET6} {
		p, err := windows.WSASocket(af, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
		if err != nil {
			continue
		}
		paf, provider, perr := protocol(spec.Socket(p))
		fn, err := b.GetExtensionFunction(spec.Socket(p), id)
		windows.Closesocket(p)
		if err == nil {
			if perr == nil && paf == af {
				b.mu.Lock()
				b.ext[extKey{af, provider, id}] = fn
				b.mu.Unlock()
			}
			return fn, nil
		}
	}
	return 0, afErr
}

func (b *Backend) DisconnectEx(s spec.Socket, ov spec.Overlapped, flags, reserved uint32) error {
	fn, err := b.extension(s, spec.WSAID_DISCONNECTEX)
	if err != nil {
		return err
	}
	// ov goes through as it is: a value NewOverlapped did not hand out is
	// the invalid pointer the WSAEFAULT cases pass on purpose. A live one
	// is held in use for the call, so that a concurrent FreeOverlapped
	// cannot decommit it before the request has marked it pending.
	sl := use(ov)
	was := sl != nil && sl.pending()
	r, _, e := syscall.SyscallN(fn, uintptr(s), uintptr(ov), uintptr(flags), uintptr(reserved))
	if uint32(r) == 0 { // BOOL
		err = lastErr(e)
	}
	if sl != nil {
		sl.issued(was, err)
		sl.release()
	}
	return err
}

func (b *Backend) ConnectEx(s spec.Socket, addr netip.AddrPort, ov spec.Overlapped) error {
	fn, err := b.extension(s, spec.WSAID_CONNECTEX)
	if err != nil {
		return err
	}
	sl, err := scratch(ov)
	if err != nil {
		return err
	}
	sa := sl.bytes(slotSockaddr, sockaddrMax)
	n, err := putSockaddr(sa, addr)
	if err != nil {
		sl.done(false, err)
		return err
	}
	was := sl.pending()
	r, _, e := syscall.SyscallN(fn, uintptr(s), sl.addr+slotSockaddr, uintptr(n), 0, 0, 0, uintptr(ov))
	if uint32(r) == 0 {
		err = lastErr(e)
	}
	sl.done(was, err)
	return err
}

// acceptAddrLen is dwLocalAddressLength and dwRemoteAddressLength:
// the largest address plus the 16 bytes AcceptEx requires.
const acceptAddrLen = sockaddrMax + 16

func (b *Backend) AcceptEx(listener, accepted spec.Socket, ov spec.Overlapped) error {
	fn, err := b.extension(listener, spec.WSAID_ACCEPTEX)
	if err != nil {
		return err
	}
	sl, err := scratch(ov)
	if err != nil {
		return err
	}
	was := sl.pending()
	r, _, e := syscall.SyscallN(fn, uintptr(listener), uintptr(accepted), sl.addr+slotAcceptBuf, 0,
		acceptAddrLen, acceptAddrLen, sl.addr+slotBytes, uintptr(ov))
	if uint32(r) == 0 {
		err = lastErr(e)
	}
	sl.done(was, err)
	return err
}

// AcceptExAddresses decodes the addresses a completed AcceptEx that used ov
// wrote, with GetAcceptExSockaddrs loaded from the listener. It fails with
// ERROR_INVALID_PARAMETER when ov is not a live OVERLAPPED of this package
// and with ERROR_IO_INCOMPLETE while the request is pending.
func (b *Backend) AcceptExAddresses(listener spec.Socket, ov spec.Overlapped) (local, remote netip.AddrPort, err error) {
	fn, err := b.extension(listener, spec.WSAID_GETACCEPTEXSOCKADDRS)
	if err != nil {
		return local, remote, err
	}
	sl := use(ov)
	if sl == nil {
		return local, remote, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	if sl.pending() {
		return local, remote, spec.ERROR_IO_INCOMPLETE
	}
	var lp, rp uintptr
	var ln, rn int32
	syscall.SyscallN(fn, sl.addr+slotAcceptBuf, 0, acceptAddrLen, acceptAddrLen,
		uintptr(unsafe.Pointer(&lp)), uintptr(unsafe.Pointer(&ln)), uintptr(unsafe.Pointer(&rp)), uintptr(unsafe.Pointer(&rn)))
	// The pointers and lengths come from the buffer's contents: read
	// only what lies inside the slot's address buffer.
	local = sl.sockaddrAt(lp, ln)
	remote = sl.sockaddrAt(rp, rn)
	return local, remote, nil
}

// sockaddrAt parses the n-byte address at p if it lies within the slot's
// AcceptEx address buffer, and returns the zero AddrPort otherwise.
func (s *slot) sockaddrAt(p uintptr, n int32) netip.AddrPort {
	lo, hi := s.addr+slotAcceptBuf, s.addr+slotAcceptBuf+2*acceptAddrLen
	if p < lo || p >= hi || n <= 0 || uintptr(n) > hi-p {
		return netip.AddrPort{}
	}
	return parseSockaddr(s.bytes(p-s.addr, uintptr(n)))
}
