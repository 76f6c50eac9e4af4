package spec

import "fmt"

// HostBehavior is how a remote host answers a TCP connection attempt and
// what it does on the connection afterwards. The emulator's network beyond
// loopback is made of remote hosts with these behaviours
// (emulator.WithRemoteHosts); the conformance suite asks a backend for an
// address that behaves one way (conformance.RemoteHosts).
type HostBehavior uint8

const (
	// HostAccepts completes the handshake, echoes every byte it receives
	// and answers the local side's FIN with its own at once, so the local
	// side, which closed first, enters TIME_WAIT.
	HostAccepts HostBehavior = iota + 1
	// HostNeverCloses completes the handshake and echoes, but never sends
	// its FIN: a DisconnectEx(TF_REUSE_SOCKET) of the local side waits in
	// FIN_WAIT2 until it is canceled or the socket closed.
	HostNeverCloses
	// HostRefuses answers the SYN with an RST: the connect fails with
	// WSAECONNREFUSED (ConnectEx completes STATUS_CONNECTION_REFUSED,
	// ERROR_CONNECTION_REFUSED).
	HostRefuses
	// HostDropsSYN never answers: the connect stays in progress through the
	// SYN retransmissions and then fails with WSAETIMEDOUT (ConnectEx
	// completes STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT).
	HostDropsSYN
	// HostUnreachable is a host a router reports unreachable (ICMP host
	// unreachable): WSAEHOSTUNREACH (STATUS_HOST_UNREACHABLE,
	// ERROR_HOST_UNREACHABLE).
	HostUnreachable
	// NetUnreachable is an address no route leads to: WSAENETUNREACH
	// (STATUS_NETWORK_UNREACHABLE, ERROR_NETWORK_UNREACHABLE).
	NetUnreachable
)

var hostBehaviorNames = [...]string{
	HostAccepts:     "accepts",
	HostNeverCloses: "never-closes",
	HostRefuses:     "refuses",
	HostDropsSYN:    "drops-syn",
	HostUnreachable: "host-unreachable",
	NetUnreachable:  "net-unreachable",
}

// HostBehaviors lists every behaviour in a stable order.
func HostBehaviors() []HostBehavior {
	return []HostBehavior{HostAccepts, HostNeverCloses, HostRefuses, HostDropsSYN, HostUnreachable, NetUnreachable}
}

// Valid reports whether b is one of the behaviours above.
func (b HostBehavior) Valid() bool { return b >= HostAccepts && b <= NetUnreachable }

// String returns the behaviour's name ("drops-syn").
func (b HostBehavior) String() string {
	if b.Valid() {
		return hostBehaviorNames[b]
	}
	return fmt.Sprintf("HostBehavior(%d)", uint8(b))
}

// Status is the NTSTATUS a connect to such a host ends with:
// STATUS_SUCCESS for the hosts that accept, the failure's status for the
// others, and STATUS_INVALID_PARAMETER for a value that names no behaviour.
func (b HostBehavior) Status() NTStatus {
	switch b {
	case HostAccepts, HostNeverCloses:
		return STATUS_SUCCESS
	case HostRefuses:
		return STATUS_CONNECTION_REFUSED
	case HostDropsSYN:
		return STATUS_IO_TIMEOUT
	case HostUnreachable:
		return STATUS_HOST_UNREACHABLE
	case NetUnreachable:
		return STATUS_NETWORK_UNREACHABLE
	}
	return STATUS_INVALID_PARAMETER
}
