package spec

import "fmt"

// DisconnectEx and TransmitFile flags (mswsock.h).
const (
	TF_DISCONNECT   uint32 = 0x01
	TF_REUSE_SOCKET uint32 = 0x02
	TF_WRITE_BEHIND uint32 = 0x04

	// DE_REUSE_SOCKET is DisconnectEx's own name for TF_REUSE_SOCKET.
	DE_REUSE_SOCKET = TF_REUSE_SOCKET
)

// SIO_GET_EXTENSION_FUNCTION_POINTER is the WSAIoctl control code that
// loads an extension function.
const SIO_GET_EXTENSION_FUNCTION_POINTER uint32 = 0xC8000006

// Socket options (level SOL_SOCKET) of setsockopt, untyped as in the C
// headers: the option argument is an int.
const (
	SO_REUSEADDR              = 0x0004
	SO_EXCLUSIVEADDRUSE       = ^SO_REUSEADDR // ((int)(~SO_REUSEADDR)) in winsock2.h
	SO_UPDATE_ACCEPT_CONTEXT  = 0x700B
	SO_UPDATE_CONNECT_CONTEXT = 0x7010
)

// Flags of WSASocket and of SetFileCompletionNotificationModes.
const (
	WSA_FLAG_OVERLAPPED uint32 = 0x01

	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS uint8 = 0x1
	FILE_SKIP_SET_EVENT_ON_HANDLE        uint8 = 0x2
)

// shutdown's how argument.
const (
	SD_RECEIVE = 0
	SD_SEND    = 1
	SD_BOTH    = 2
)

// Address families, socket types and protocols with their Winsock numbers.
const (
	AF_INET  = 2
	AF_INET6 = 23

	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_RDM       = 4
	SOCK_SEQPACKET = 5

	IPPROTO_TCP = 6
	IPPROTO_UDP = 17
)

// SocketTypeName returns "SOCK_STREAM" and so on.
func SocketTypeName(typ int) string {
	switch typ {
	case SOCK_STREAM:
		return "SOCK_STREAM"
	case SOCK_DGRAM:
		return "SOCK_DGRAM"
	case SOCK_RAW:
		return "SOCK_RAW"
	case SOCK_RDM:
		return "SOCK_RDM"
	case SOCK_SEQPACKET:
		return "SOCK_SEQPACKET"
	}
	return fmt.Sprintf("SOCK_%d", typ)
}

// GUID is a Windows GUID laid out as in memory (Data1..Data4).
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// String formats the GUID in registry form, {7FDA2E11-8630-436F-A031-F536A6EEC157}.
func (g GUID) String() string {
	return fmt.Sprintf("{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		g.Data1, g.Data2, g.Data3, g.Data4[0], g.Data4[1],
		g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7])
}

// Extension function identifiers (mswsock.h), passed to WSAIoctl with
// SIO_GET_EXTENSION_FUNCTION_POINTER.
var (
	WSAID_DISCONNECTEX         = GUID{0x7FDA2E11, 0x8630, 0x436F, [8]byte{0xA0, 0x31, 0xF5, 0x36, 0xA6, 0xEE, 0xC1, 0x57}}
	WSAID_CONNECTEX            = GUID{0x25A207B9, 0xDDF3, 0x4660, [8]byte{0x8E, 0xE9, 0x76, 0xE5, 0x8C, 0x74, 0x06, 0x3E}}
	WSAID_ACCEPTEX             = GUID{0xB5367DF1, 0xCBAC, 0x11CF, [8]byte{0x95, 0xCA, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}}
	WSAID_GETACCEPTEXSOCKADDRS = GUID{0xB5367DF2, 0xCBAC, 0x11CF, [8]byte{0x95, 0xCA, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}}
	// WSAID_TRANSMITFILE is looked up only: spec.API has no TransmitFile
	// call (Wine sock.c test_TransmitFile looks it up on a TCP socket).
	WSAID_TRANSMITFILE = GUID{0xB5367DF0, 0xCBAC, 0x11CF, [8]byte{0x95, 0xCA, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}}
)

// TCPState is a row state of the TCP connection table, numbered as
// MIB_TCP_STATE in GetExtendedTcpTable.
type TCPState uint32

const (
	TCPClosed    TCPState = 1
	TCPListen    TCPState = 2
	TCPSynSent   TCPState = 3
	TCPSynRcvd   TCPState = 4
	TCPEstab     TCPState = 5
	TCPFinWait1  TCPState = 6
	TCPFinWait2  TCPState = 7
	TCPCloseWait TCPState = 8
	TCPClosing   TCPState = 9
	TCPLastAck   TCPState = 10
	TCPTimeWait  TCPState = 11
	TCPDeleteTCB TCPState = 12
)

var tcpStateNames = [...]string{"", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB"}

func (s TCPState) String() string {
	if s >= 1 && int(s) < len(tcpStateNames) {
		return tcpStateNames[s]
	}
	return fmt.Sprintf("TCPState(%d)", uint32(s))
}

// State is the life-cycle state of a socket handle as the DisconnectEx
// contract sees it. It is coarser than the TCP state: a socket that is
// Connected may be ESTABLISHED or CLOSE_WAIT in the TCP table.
type State uint8

const (
	StateUnconnected     State = iota // created, not bound
	StateBound                        // bound, not connected
	StateListening                    // listen() called
	StateConnecting                   // connect/ConnectEx in progress
	StateConnected                    // connected; sending allowed
	StateTransmitClosing              // our FIN is sent (DisconnectEx flags 0, or TF_REUSE_SOCKET in progress)
	StateTimeWait                     // TF_REUSE_SOCKET waiting for the connection's TIME_WAIT to end
	StateReusable                     // DisconnectEx(TF_REUSE_SOCKET) completed; ready for ConnectEx or AcceptEx
	StateClosed                       // closesocket called; the handle is gone
	numStates
)

var stateNames = [...]string{"unconnected", "bound", "listening", "connecting", "connected",
	"transmit-closing", "TIME_WAIT", "reusable", "closed"}

func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// States returns every State in order.
func States() []State {
	out := make([]State, numStates)
	for i := range out {
		out[i] = State(i)
	}
	return out
}

// PollEvents are WSAPoll event bits.
type PollEvents int16

const (
	POLLRDNORM PollEvents = 0x0100
	POLLWRNORM PollEvents = 0x0010
	POLLERR    PollEvents = 0x0001
	POLLHUP    PollEvents = 0x0002
	POLLNVAL   PollEvents = 0x0004
	// POLLRDBAND (out-of-band data) may be asked for; POLLPRI and
	// POLLWRBAND, like the output-only bits, make WSAPoll fail WSAEINVAL
	// (Wine sock.c test_WSAPoll, todo_wine on Wine, so Windows' behaviour).
	POLLRDBAND PollEvents = 0x0200
	POLLPRI    PollEvents = 0x0400
	POLLWRBAND PollEvents = 0x0020
)
