//go:build windows

package native

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/disconnectex/disconnectex/spec"
)

// Backend is the spec.API of the running Windows system. Its methods are
// the Windows calls, issued by the calling goroutine's OS thread (Go never
// ends such a thread), except those of a Thread from NewThread.
type Backend struct {
	settings spec.Settings
	system   spec.Settings

	mu      sync.Mutex
	ext     map[extKey]uintptr   // extension functions by address family and provider
	threads map[*thread]struct{} // threads from NewThread not yet exited
}

var _ spec.API = (*Backend)(nil)

// extKey names a cached extension function: the pointer WSAIoctl returns
// belongs to the socket's provider, so it is cached per address family and
// provider (the MSAFD entries of one family share theirs).
type extKey struct {
	af       int32
	provider windows.GUID
	id       spec.GUID
}

var wsaStartup = sync.OnceValue(func() error {
	var d windows.WSAData
	return errnoOf(windows.WSAStartup(0x0202, &d))
})

// New returns the native backend. Windows' TCP settings cannot be changed
// by a process: s is validated and recorded (Settings returns it), and
// SystemSettings reports what the system really uses.
func New(s spec.Settings) (spec.API, error) {
	return NewBackend(s)
}

// NewBackend is New with the concrete type, for the Windows-only extras
// (AcceptExAddresses, SystemSettings).
func NewBackend(s spec.Settings) (*Backend, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if err := wsaStartup(); err != nil {
		return nil, fmt.Errorf("native: WSAStartup: %w", err)
	}
	b := &Backend{
		settings: s,
		system:   systemSettings(),
		ext:      make(map[extKey]uintptr),
		threads:  make(map[*thread]struct{}),
	}
	return b, nil
}

// Settings returns the settings New was given.
func (b *Backend) Settings() spec.Settings { return b.settings }

// SystemSettings returns the settings in force: TcpTimedWaitDelay from the
// registry (240 s when the value is absent) and Windows' default dynamic
// port range (the real range is netsh's and is not read).
func (b *Backend) SystemSettings() spec.Settings { return b.system }

func systemSettings() spec.Settings {
	s := spec.DefaultSettings()
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`, registry.QUERY_VALUE)
	if err != nil {
		return s
	}
	defer k.Close()
	if v, _, err := k.GetIntegerValue("TcpTimedWaitDelay"); err == nil {
		s.TcpTimedWaitDelay = time.Duration(v) * time.Second
	}
	return s
}

// WineVersion reports whether the process runs under Wine (ntdll exports
// wine_get_version) and which version.
func WineVersion() (string, bool) {
	if procWineGetVersion.Find() != nil {
		return "", false
	}
	r, _, _ := syscall.SyscallN(procWineGetVersion.Addr())
	if r == 0 {
		return "", true
	}
	return windows.BytePtrToString((*byte)(at(r))), true
}

// errnoOf converts a Windows error into the spec's Errno.
func errnoOf(err error) error {
	if err == nil {
		return nil
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		if e == 0 {
			return nil
		}
		if e >= syscall.APPLICATION_ERROR {
			// One of Go's invented errnos, which no Windows code has:
			// x/sys/windows returns syscall.EINVAL when a call failed
			// without setting the last error, and EAFNOSUPPORT for an
			// address of a family it cannot decode.
			if e == syscall.EAFNOSUPPORT {
				return spec.WSAEAFNOSUPPORT
			}
			return lastErr(0)
		}
		return spec.Errno(e)
	}
	return err
}

// --- addresses

const sockaddrMax = 28 // sizeof(SOCKADDR_IN6)

func toSockaddr(a netip.AddrPort) (windows.Sockaddr, error) {
	ip := a.Addr()
	switch {
	case ip.Is4():
		return &windows.SockaddrInet4{Port: int(a.Port()), Addr: ip.As4()}, nil
	case ip.Is6():
		return &windows.SockaddrInet6{Port: int(a.Port()), Addr: ip.As16(), ZoneId: zoneID(ip.Zone())}, nil
	}
	return nil, spec.WSAEFAULT
}

// zoneID is the scope id of an IPv6 zone: a number, or an interface name.
func zoneID(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}

func fromSockaddr(sa windows.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *windows.SockaddrInet6:
		ip := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			ip = ip.WithZone(strconv.FormatUint(uint64(sa.ZoneId), 10))
		}
		return netip.AddrPortFrom(ip, uint16(sa.Port))
	}
	return netip.AddrPort{}
}

// putSockaddr writes a SOCKADDR_IN or SOCKADDR_IN6 into b and returns its length.
func putSockaddr(b []byte, a netip.AddrPort) (int, error) {
	clear(b[:sockaddrMax])
	ip := a.Addr()
	binary.BigEndian.PutUint16(b[2:], a.Port())
	switch {
	case ip.Is4():
		binary.LittleEndian.PutUint16(b, windows.AF_INET)
		v := ip.As4()
		copy(b[4:8], v[:])
		return 16, nil
	case ip.Is6():
		binary.LittleEndian.PutUint16(b, windows.AF_INET6)
		v := ip.As16()
		copy(b[8:24], v[:])
		binary.LittleEndian.PutUint32(b[24:], zoneID(ip.Zone()))
		return 28, nil
	}
	return 0, spec.WSAEFAULT
}

// parseSockaddr reads a SOCKADDR_IN or SOCKADDR_IN6.
func parseSockaddr(b []byte) netip.AddrPort {
	if len(b) < 16 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(b[2:])
	switch binary.LittleEndian.Uint16(b) {
	case windows.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
	case windows.AF_INET6:
		if len(b) >= 24 {
			ip := netip.AddrFrom16([16]byte(b[8:24]))
			if len(b) >= 28 {
				if scope := binary.LittleEndian.Uint32(b[24:]); scope != 0 {
					ip = ip.WithZone(strconv.FormatUint(uint64(scope), 10))
				}
			}
			return netip.AddrPortFrom(ip, port)
		}
	}
	return netip.AddrPort{}
}

// --- sockets

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
	r, _, e := syscall.SyscallN(procAccept.Addr(), uintptr(s), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)))
	if r == invalidSocket {
		return spec.INVALID_SOCKET, netip.AddrPort{}, lastErr(e)
	}
	return spec.Socket(r), parseSockaddr(buf[:min(max(n, 0), int32(len(buf)))]), nil
}

// ioLen is the length send and recv are given: their len is an int, so a
// longer buffer is used up to math.MaxInt32 bytes (a partial transfer, as
// the calls may make anyway) instead of having its length truncated.
func ioLen(n int) uintptr { return uintptr(min(n, math.MaxInt32)) }

func (b *Backend) Send(s spec.Socket, p []byte) (int, error) {
	var ptr *byte
	if len(p) > 0 {
		ptr = &p[0]
	}
	r, _, e := syscall.SyscallN(procSend.Addr(), uintptr(s), uintptr(unsafe.Pointer(ptr)), ioLen(len(p)), 0)
	runtime.KeepAlive(p)
	if int32(r) == -1 {
		return 0, lastErr(e)
	}
	return int(int32(r)), nil
}

func (b *Backend) Recv(s spec.Socket, p []byte) (int, error) {
	var ptr *byte
	if len(p) > 0 {
		ptr = &p[0]
	}
	r, _, e := syscall.SyscallN(procRecv.Addr(), uintptr(s), uintptr(unsafe.Pointer(ptr)), ioLen(len(p)), 0)
	runtime.KeepAlive(p)
	if int32(r) == -1 {
		return 0, lastErr(e)
	}
	return int(int32(r)), nil
}

// wsaPollFD is WSAPOLLFD.
type wsaPollFD struct {
	fd      uintptr
	events  int16
	revents int16
}

func (b *Backend) Poll(s spec.Socket, events spec.PollEvents, timeout time.Duration) (spec.PollEvents, error) {
	fd := wsaPollFD{fd: uintptr(s), events: int16(events)}
	var err error
	// WSAPoll's timeout is an INT: -1 (INFINITE as an int) waits forever,
	// and a finite wait longer than math.MaxInt32 ms is made in steps.
	waitSteps(timeout, math.MaxInt32, func(ms uint32) bool {
		fd.revents = 0
		r, _, e := syscall.SyscallN(procWSAPoll.Addr(), uintptr(unsafe.Pointer(&fd)), 1, uintptr(int32(ms)))
		switch int32(r) {
		case -1:
			err = lastErr(e)
		case 0:
			return true
		}
		return false
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

// --- extension functions

// GetExtensionFunction is the raw lookup: WSAIoctl(s,
// SIO_GET_EXTENSION_FUNCTION_POINTER) with id as input, every time.
func (b *Backend) GetExtensionFunction(s spec.Socket, id spec.GUID) (uintptr, error) {
	guid := id
	var fn uintptr
	var got uint32
	r, _, e := syscall.SyscallN(procWSAIoctl.Addr(), uintptr(s), uintptr(spec.SIO_GET_EXTENSION_FUNCTION_POINTER),
		uintptr(unsafe.Pointer(&guid)), unsafe.Sizeof(guid),
		uintptr(unsafe.Pointer(&fn)), unsafe.Sizeof(fn), uintptr(unsafe.Pointer(&got)), 0, 0)
	if int32(r) != 0 { // SOCKET_ERROR
		return 0, lastErr(e)
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
	var pgot uintptr
	if withBytes {
		pgot = uintptr(unsafe.Pointer(&got))
	}
	r, _, e := syscall.SyscallN(procWSAIoctl.Addr(), uintptr(s), uintptr(spec.SIO_GET_EXTENSION_FUNCTION_POINTER),
		uintptr(unsafe.Pointer(&guid)), unsafe.Sizeof(guid),
		uintptr(unsafe.Pointer(&fn)), unsafe.Sizeof(fn), pgot, uintptr(ov), 0)
	if int32(r) != 0 { // SOCKET_ERROR
		return 0, got, lastErr(e)
	}
	return fn, got, nil
}

// OverlappedFields reads Internal and InternalHigh of a live OVERLAPPED
// of this package.
func (b *Backend) OverlappedFields(ov spec.Overlapped) (spec.NTStatus, uintptr, error) {
	sl := use(ov)
	if sl == nil {
		return 0, 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	o := sl.ov()
	return spec.NTStatus(atomic.LoadUintptr(&o.Internal)), atomic.LoadUintptr(&o.InternalHigh), nil
}

// SetOverlappedFields writes them. Writing STATUS_PENDING to an OVERLAPPED
// no request uses makes FreeOverlapped refuse it until another value is
// written.
func (b *Backend) SetOverlappedFields(ov spec.Overlapped, internal spec.NTStatus, high uintptr) error {
	sl := use(ov)
	if sl == nil {
		return spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	o := sl.ov()
	atomic.StoreUintptr(&o.Internal, uintptr(internal))
	atomic.StoreUintptr(&o.InternalHigh, high)
	return nil
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
// same pointer). When s is not
// a socket at all (the WSAENOTSOCK cases) the function loaded for any
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

// --- OVERLAPPED memory

// Each OVERLAPPED lives at the start of a page of its own, committed from
// VirtualAlloc: memory the Go collector does not know, so it never moves
// or frees it while the kernel may write to it. The rest of the page is
// the request's scratch: the AcceptEx address buffer and byte count and
// the ConnectEx address, which must stay valid until completion too.
// FreeOverlapped decommits the page, so a freed OVERLAPPED is an invalid
// address, as freed memory is to the kernel, and its address is never
// handed out again.
const (
	slotSize      = 4096
	slotsPerChunk = 16 // VirtualAlloc reserves 64 KiB at a time
	slotAcceptBuf = 64
	slotBytes     = slotAcceptBuf + 2*acceptAddrLen + 8
	slotSockaddr  = 256
)

// slot is one page. Its fields are guarded by slots' mutex.
type slot struct {
	addr  uintptr
	owner *Backend // nil for a scratch page given to a foreign OVERLAPPED
	users int      // calls in progress that read or write the page
	// stale: the last call given this OVERLAPPED failed at once yet left
	// STATUS_PENDING in Internal, which it did not hold before (Wine 8.0's
	// DisconnectEx, ConnectEx and AcceptEx write it before they validate
	// anything). No request is outstanding, so it may be freed.
	stale bool
}

// slots holds the live OVERLAPPEDs of every Backend of the process: an
// OVERLAPPED of one backend used with another still gets its own scratch.
var slots struct {
	sync.Mutex
	live map[spec.Overlapped]*slot
}

func (s *slot) ov() *windows.Overlapped { return (*windows.Overlapped)(at(s.addr)) }

func (s *slot) bytes(off, n uintptr) []byte { return unsafe.Slice((*byte)(at(s.addr+off)), n) }

var chunks struct {
	sync.Mutex
	base uintptr
	next int
}

func allocSlot() (*slot, error) {
	chunks.Lock()
	defer chunks.Unlock()
	if chunks.base == 0 || chunks.next == slotsPerChunk {
		base, err := windows.VirtualAlloc(0, slotSize*slotsPerChunk, windows.MEM_RESERVE, windows.PAGE_NOACCESS)
		if err != nil {
			return nil, errnoOf(err)
		}
		chunks.base, chunks.next = base, 0
	}
	addr := chunks.base + uintptr(chunks.next)*slotSize
	if _, err := windows.VirtualAlloc(addr, slotSize, windows.MEM_COMMIT, windows.PAGE_READWRITE); err != nil {
		return nil, errnoOf(err)
	}
	chunks.next++
	return &slot{addr: addr}, nil
}

func freeSlot(s *slot) error {
	return errnoOf(windows.VirtualFree(s.addr, slotSize, windows.MEM_DECOMMIT))
}

// use returns the live slot of ov with a use counted (FreeOverlapped
// refuses while it lasts), or nil. Release it with release.
func use(ov spec.Overlapped) *slot {
	slots.Lock()
	defer slots.Unlock()
	sl := slots.live[ov]
	if sl != nil {
		sl.users++
	}
	return sl
}

func (s *slot) release() {
	slots.Lock()
	s.users--
	slots.Unlock()
}

// scratch returns the page whose buffers AcceptEx or ConnectEx give the
// kernel with ov: the slot of ov, counted as in use, or for an OVERLAPPED
// no backend handed out (NULL, or an invalid or foreign pointer) a fresh
// page of its own, never shared with another call. Call done with the
// call's error when it returns.
func scratch(ov spec.Overlapped) (*slot, error) {
	if sl := use(ov); sl != nil {
		return sl, nil
	}
	return allocSlot()
}

// done ends a use that scratch began, for a call that returned err, made
// when Internal was (was) or was not STATUS_PENDING. A scratch page of a
// foreign OVERLAPPED is freed when the call failed at once; when it pended
// or succeeded the kernel may still write to it, and nothing tells when it
// stops, so it is left committed.
func (s *slot) done(was bool, err error) {
	if s.owner != nil {
		s.issued(was, err)
		s.release()
		return
	}
	if err != nil && !errors.Is(err, spec.ERROR_IO_PENDING) {
		freeSlot(s)
	}
}

func (b *Backend) NewOverlapped(event spec.Handle) (spec.Overlapped, error) {
	sl, err := allocSlot()
	if err != nil {
		return 0, err
	}
	sl.owner = b
	sl.ov().HEvent = windows.Handle(event)
	ov := spec.Overlapped(sl.addr)
	slots.Lock()
	if slots.live == nil {
		slots.live = make(map[spec.Overlapped]*slot)
	}
	slots.live[ov] = sl
	slots.Unlock()
	return ov, nil
}

// pending reports whether the request using the slot is still in progress.
func (s *slot) pending() bool {
	return atomic.LoadUintptr(&s.ov().Internal) == statusPending
}

// issued records the outcome of a call that was given the slot's
// OVERLAPPED: was tells whether Internal held STATUS_PENDING before it.
func (s *slot) issued(was bool, err error) {
	failed := err != nil && !errors.Is(err, spec.ERROR_IO_PENDING)
	stale := failed && !was && s.pending()
	slots.Lock()
	s.stale = stale
	slots.Unlock()
}

// busy reports whether the page may still be written to or read: a call
// of this package is using it, or a request is pending on it. Guarded by
// slots' mutex.
func (s *slot) busy() bool {
	return s.users > 0 || s.pending() && !s.stale
}

// FreeOverlapped frees an OVERLAPPED of any Backend of the process. It
// fails with ERROR_INVALID_PARAMETER for a value that is not a live
// OVERLAPPED (NULL, never handed out, already freed), and with
// ERROR_IO_PENDING while a request is pending on it or another call of
// this package is using it.
func (b *Backend) FreeOverlapped(ov spec.Overlapped) error {
	slots.Lock()
	defer slots.Unlock()
	sl := slots.live[ov]
	if sl == nil {
		return spec.ERROR_INVALID_PARAMETER
	}
	if sl.busy() {
		return spec.ERROR_IO_PENDING
	}
	delete(slots.live, ov)
	return freeSlot(sl)
}

// The result-query calls read the structure in user mode, so they are only
// given a live OVERLAPPED of this package, held in use for the call: any
// other value fails with ERROR_INVALID_PARAMETER here instead of an access
// violation in kernel32, and a concurrent FreeOverlapped cannot decommit
// the page under them.

func (b *Backend) GetOverlappedResult(h spec.Handle, ov spec.Overlapped, wait bool) (uint32, error) {
	sl := use(ov)
	if sl == nil {
		return 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	var n uint32
	r, _, e := syscall.SyscallN(procGetOverlappedResult.Addr(), uintptr(h), uintptr(ov), uintptr(unsafe.Pointer(&n)), boolArg(wait))
	if uint32(r) == 0 {
		return n, lastErr(e)
	}
	return n, nil
}

func (b *Backend) WSAGetOverlappedResult(s spec.Socket, ov spec.Overlapped, wait bool) (uint32, uint32, error) {
	sl := use(ov)
	if sl == nil {
		return 0, 0, spec.ERROR_INVALID_PARAMETER
	}
	defer sl.release()
	var n, flags uint32
	r, _, e := syscall.SyscallN(procWSAGetOverlappedResult.Addr(), uintptr(s), uintptr(ov), uintptr(unsafe.Pointer(&n)),
		boolArg(wait), uintptr(unsafe.Pointer(&flags)))
	if uint32(r) == 0 {
		return n, flags, lastErr(e)
	}
	return n, flags, nil
}

func (b *Backend) CancelIoEx(h spec.Handle, ov spec.Overlapped) error {
	// CancelIoEx only compares ov with the pending requests' pointers.
	r, _, e := syscall.SyscallN(procCancelIoEx.Addr(), uintptr(h), uintptr(ov))
	if uint32(r) == 0 {
		return lastErr(e)
	}
	return nil
}

// Close releases what the backend holds: it ends the threads from
// NewThread that were not exited, and frees the OVERLAPPEDs it handed out
// that are neither pending nor in use. Those are left allocated (the
// kernel may still write to them) and reported in the error. Sockets and
// handles are the caller's. The backend stays usable; Close may be called
// again.
func (b *Backend) Close() error {
	b.mu.Lock()
	threads := make([]*thread, 0, len(b.threads))
	for t := range b.threads {
		threads = append(threads, t)
	}
	b.mu.Unlock()
	var errs []error
	for _, t := range threads {
		if err := t.Exit(); err != nil && !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
			errs = append(errs, err)
		}
	}
	slots.Lock()
	left := 0
	for ov, sl := range slots.live {
		if sl.owner != b {
			continue
		}
		if sl.busy() {
			left++
			continue
		}
		delete(slots.live, ov)
		if err := freeSlot(sl); err != nil {
			errs = append(errs, fmt.Errorf("native: freeing OVERLAPPED %#x: %w", ov, err))
		}
	}
	slots.Unlock()
	if left > 0 {
		errs = append(errs, fmt.Errorf("native: %d OVERLAPPED(s) still pending or in use were left allocated", left))
	}
	return errors.Join(errs...)
}

func boolArg(v bool) uintptr {
	if v {
		return 1
	}
	return 0
}

// --- events and waits

func (b *Backend) CreateEvent(manualReset, initialState bool) (spec.Handle, error) {
	h, err := windows.CreateEvent(nil, uint32(boolArg(manualReset)), uint32(boolArg(initialState)), nil)
	if err != nil {
		return 0, errnoOf(err)
	}
	return spec.Handle(h), nil
}

func (b *Backend) SetEvent(h spec.Handle) error { return errnoOf(windows.SetEvent(windows.Handle(h))) }
func (b *Backend) ResetEvent(h spec.Handle) error {
	return errnoOf(windows.ResetEvent(windows.Handle(h)))
}

// millis converts a non-negative timeout to whole milliseconds, rounding
// up so that a wait is never shorter than asked.
func millis(d time.Duration) uint64 {
	ms := uint64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// maxDwordWait is the longest finite DWORD timeout: INFINITE-1 ms, about
// 49.7 days.
const maxDwordWait = windows.INFINITE - 1

// waitSteps makes a wait of timeout with a Windows call whose finite
// timeout is at most limit milliseconds. A negative timeout (spec.Infinite,
// or any other negative value, as on the emulator) is one call with
// INFINITE. A finite one is rounded up to whole milliseconds and, when
// longer than limit, waited in steps: wait is called again only while it
// reports that it timed out and time remains.
func waitSteps(timeout time.Duration, limit uint32, wait func(ms uint32) (timedOut bool)) {
	if timeout < 0 {
		wait(windows.INFINITE)
		return
	}
	ms := millis(timeout)
	for {
		step := min(ms, uint64(limit))
		if !wait(uint32(step)) || step == ms {
			return
		}
		ms -= step
	}
}

func (b *Backend) WaitForSingleObject(h spec.Handle, timeout time.Duration) error {
	var r uint32
	var err error
	waitSteps(timeout, maxDwordWait, func(ms uint32) bool {
		r, err = windows.WaitForSingleObject(windows.Handle(h), ms)
		return r == uint32(windows.WAIT_TIMEOUT)
	})
	switch r {
	case windows.WAIT_OBJECT_0:
		return nil
	case uint32(windows.WAIT_TIMEOUT):
		return spec.WAIT_TIMEOUT
	case windows.WAIT_FAILED:
		return errnoOf(err)
	}
	// WAIT_ABANDONED: h is a mutex, which this API never creates.
	return fmt.Errorf("native: WaitForSingleObject returned 0x%X", r)
}

func (b *Backend) CloseHandle(h spec.Handle) error {
	return errnoOf(windows.CloseHandle(windows.Handle(h)))
}

// --- completion ports

func (b *Backend) CreateIoCompletionPort(concurrency uint32) (spec.Handle, error) {
	h, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, concurrency)
	if err != nil {
		return 0, errnoOf(err)
	}
	return spec.Handle(h), nil
}

func (b *Backend) AssociateCompletionPort(port spec.Handle, s spec.Socket, key uintptr) error {
	_, err := windows.CreateIoCompletionPort(windows.Handle(s), windows.Handle(port), key, 0)
	return errnoOf(err)
}

func (b *Backend) SetFileCompletionNotificationModes(s spec.Socket, flags uint8) error {
	return errnoOf(windows.SetFileCompletionNotificationModes(windows.Handle(s), flags))
}

func (b *Backend) GetQueuedCompletionStatus(port spec.Handle, timeout time.Duration) (spec.Completion, error) {
	var n uint32
	var key, ov uintptr
	var err error
	waitSteps(timeout, maxDwordWait, func(ms uint32) bool {
		n, key, ov, err = 0, 0, 0, nil
		r, _, e := syscall.SyscallN(procGetQueuedCompletionStatus.Addr(), uintptr(port), uintptr(unsafe.Pointer(&n)),
			uintptr(unsafe.Pointer(&key)), uintptr(unsafe.Pointer(&ov)), uintptr(ms))
		if uint32(r) == 0 {
			err = lastErr(e)
			// With ov NULL nothing was dequeued: a timeout or a
			// failure of the call itself.
			return ov == 0 && errors.Is(err, spec.WAIT_TIMEOUT)
		}
		return false
	})
	if err != nil && ov == 0 {
		return spec.Completion{}, err
	}
	// A packet: of a successful request, or of a failed one, returned
	// with that request's error as Windows reports it.
	return spec.Completion{Bytes: n, Key: key, Overlapped: spec.Overlapped(ov)}, err
}

func (b *Backend) PostQueuedCompletionStatus(port spec.Handle, bytes uint32, key uintptr, ov spec.Overlapped) error {
	r, _, e := syscall.SyscallN(procPostQueuedCompletionStatus.Addr(), uintptr(port), uintptr(bytes), key, uintptr(ov))
	if uint32(r) == 0 {
		return lastErr(e)
	}
	return nil
}

// --- time and the TCP table

func (b *Backend) Sleep(d time.Duration) { time.Sleep(d) }

// TCPTable reads GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) for AF_INET
// and AF_INET6: every connection of the system, TIME_WAIT rows included.
func (b *Backend) TCPTable() ([]spec.TCPRow, error) {
	var rows []spec.TCPRow
	for _, af := range []int{windows.AF_INET, windows.AF_INET6} {
		buf, err := tcpTable(af)
		if err != nil {
			return nil, fmt.Errorf("native: GetExtendedTcpTable(%s): %w", afName(af), err)
		}
		if len(buf) < 4 {
			continue
		}
		n := int(binary.LittleEndian.Uint32(buf))
		if af == windows.AF_INET {
			// MIB_TCPROW_OWNER_PID: state, local addr, local port,
			// remote addr, remote port, pid (six DWORDs).
			for i := 0; i < n && 4+(i+1)*24 <= len(buf); i++ {
				r := buf[4+i*24:]
				rows = append(rows, spec.TCPRow{
					State:  spec.TCPState(binary.LittleEndian.Uint32(r)),
					Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[4:8])), binary.BigEndian.Uint16(r[8:])),
					Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[12:16])), binary.BigEndian.Uint16(r[16:])),
				})
			}
			continue
		}
		// MIB_TCP6ROW_OWNER_PID: local addr[16], scope, port, remote
		// addr[16], scope, port, state, pid.
		for i := 0; i < n && 4+(i+1)*56 <= len(buf); i++ {
			r := buf[4+i*56:]
			rows = append(rows, spec.TCPRow{
				Local:  netip.AddrPortFrom(netip.AddrFrom16([16]byte(r[0:16])), binary.BigEndian.Uint16(r[20:])),
				Remote: netip.AddrPortFrom(netip.AddrFrom16([16]byte(r[24:40])), binary.BigEndian.Uint16(r[44:])),
				State:  spec.TCPState(binary.LittleEndian.Uint32(r[48:])),
			})
		}
	}
	return rows, nil
}

func afName(af int) string {
	if af == windows.AF_INET6 {
		return "AF_INET6"
	}
	return "AF_INET"
}

func tcpTable(af int) ([]byte, error) {
	size := uint32(4096)
	for range 8 {
		buf := make([]byte, size)
		r, _, _ := syscall.SyscallN(procGetExtendedTcpTable.Addr(), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)),
			0, uintptr(af), tcpTableOwnerPIDAll, 0)
		switch uint32(r) { // a DWORD error code
		case 0:
			return buf, nil
		case errInsufficientBuf:
			size += 4096 // rows may appear between the two calls
			continue
		}
		return nil, errnoOf(syscall.Errno(uint32(r)))
	}
	return nil, spec.ERROR_NOT_ENOUGH_MEMORY
}
