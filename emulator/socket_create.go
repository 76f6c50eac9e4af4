package emulator

import "github.com/disconnectex/disconnectex/spec"

// Socket creation: WSASocketW's choice of a provider for (af, type,
// protocol), and the new socket.

// socketCall is WSASocketW without a WSAPROTOCOL_INFO: a socket of the
// provider socketKind picks, with the flags the emulator knows (others
// fail WSAEINVAL), or WSAENOBUFS when the handle table is full.
func (e *Emulator) socketCall(af, typ, proto int, flags uint32) (spec.Socket, error) {
	af, typ, errno := socketKind(af, typ, proto)
	if errno != 0 {
		return spec.INVALID_SOCKET, errno
	}
	const knownFlags = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x40 | 0x80
	if flags&^knownFlags != 0 {
		return spec.INVALID_SOCKET, spec.WSAEINVAL
	}
	so := e.newSocket()
	so.af, so.typ = af, typ
	so.overlapped = flags&spec.WSA_FLAG_OVERLAPPED != 0
	if !e.giveHandle(so) {
		e.sockPool = append(e.sockPool, so)
		return spec.INVALID_SOCKET, spec.WSAENOBUFS
	}
	return so.h, nil
}

// socketKind picks the provider WSASocket's (af, typ, proto) select, as
// Windows' table in Wine's test_WSASocket shows it (sock.c lines
// 3005-3065 at Gcenx/winecx crossover-wine-23.0.1, ok on Windows), and
// returns the family and type of the socket made, or the error. The checks
// run in this order: AF_UNSPEC with protocol 0 is WSAEINVAL whatever the
// type; then an unknown type is WSAESOCKTNOSUPPORT whatever the family;
// then an unknown family WSAEAFNOSUPPORT whatever the protocol; then a
// protocol the type's provider does not carry WSAEPROTONOSUPPORT (TCP on
// SOCK_DGRAM too). Type 0 takes the protocol's provider (protocol 0: TCP);
// AF_UNSPEC becomes AF_INET. The raw provider takes protocols 0-255
// (iProtocolMaxOffset 255, lines 3279-3280) and refuses an unprivileged
// process, as the emulator is, with WSAEACCES (3255).
func socketKind(af, typ, proto int) (int, int, spec.Errno) {
	const rawMaxProtocol = 255
	if af == 0 && proto == 0 {
		return 0, 0, spec.WSAEINVAL
	}
	switch typ {
	case 0, spec.SOCK_STREAM, spec.SOCK_DGRAM, spec.SOCK_RAW:
	default:
		return 0, 0, spec.WSAESOCKTNOSUPPORT
	}
	switch af {
	case 0:
		af = spec.AF_INET
	case spec.AF_INET, spec.AF_INET6:
	default:
		return 0, 0, spec.WSAEAFNOSUPPORT
	}
	if typ == 0 {
		switch proto {
		case 0, spec.IPPROTO_TCP:
			typ = spec.SOCK_STREAM
		case spec.IPPROTO_UDP:
			typ = spec.SOCK_DGRAM
		default:
			typ = spec.SOCK_RAW
		}
	}
	switch {
	case typ == spec.SOCK_STREAM && (proto == 0 || proto == spec.IPPROTO_TCP):
	case typ == spec.SOCK_DGRAM && (proto == 0 || proto == spec.IPPROTO_UDP):
	case typ == spec.SOCK_RAW && proto >= 0 && proto <= rawMaxProtocol:
		return 0, 0, spec.WSAEACCES
	default:
		return 0, 0, spec.WSAEPROTONOSUPPORT
	}
	return af, typ, 0
}
