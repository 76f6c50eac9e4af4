//go:build windows

package native

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/windows"

	"github.com/disconnectex/disconnectex/spec"
)

// TCPTable reads GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) for AF_INET
// and AF_INET6: every connection of the system, TIME_WAIT rows included.
func (b *Backend) TCPTable() ([]spec.TCPRow, error) {
	var rows []spec.TCPRow
	for _, af := range []int{windows.AF_INET, windows.AF_INET6} {
		buf, err := tcpTable(af)
		if err != nil {
			return nil, fmt.Errorf("native: GetExtendedTcpTable(%s): %w", spec.AFName(af), err)
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

func tcpTable(af int) ([]byte, error) {
	size := uint32(4096)
	for range 8 {
		buf := make([]byte, size)
		err := getExtendedTcpTable(&buf[0], &size, false, uint32(af), tcpTableOwnerPIDAll, 0)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) {
			size += 4096 // rows may appear between the two calls
			continue
		}
		if errors.Is(err, windows.ERROR_OUTOFMEMORY) {
			// Wine gives this when the system's table grew on each of its
			// five reads (dlls/nsi/nsi.c, NsiAllocateAndGetTable, line 73 at
			// crossover-wine-23.0.1): connections elsewhere on a busy
			// machine come and go. It is transient: read again.
			continue
		}
		if err != nil {
			return nil, errnoOf(err)
		}
		return buf, nil
	}
	return nil, spec.ERROR_NOT_ENOUGH_MEMORY
}
