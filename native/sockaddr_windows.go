//go:build windows

package native

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

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
