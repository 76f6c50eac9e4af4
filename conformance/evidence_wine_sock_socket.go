package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_WSASocket, test_errors and test_UDP
// (Gcenx/winecx, crossover-wine-23.0.1; see evidence_wine_sock.go for the
// pin).

const (
	// whyProtocolInfo: the WSAPROTOCOL_INFO side of socket creation.
	whyProtocolInfo = "spec.API's Socket passes no WSAPROTOCOL_INFO (lpProtocolInfo is NULL) and nothing reads one back (getsockopt SO_PROTOCOL_INFO): a socket made from a provider's entry, and the fields of the entry a socket was made from, are outside it"
	// whyEnumProtocols: the provider catalogue.
	whyEnumProtocols = "spec.API has no WSAEnumProtocols: the provider catalogue, and which of its entries a socket was made from, cannot be listed"
	// whyRecvfrom: the sender's address of a datagram.
	whyRecvfrom = "spec.API has no recvfrom: Recv gives a datagram without its sender's address"
)

var wineSockSocket = concatEvidence(wineSockUDP, wineSockWSASocket, wineSockErrors)

var wineSockUDP = []expectation{
	{Func: "test_UDP", Line: 2956, Kind: kindOK, Checks: "each of the three peers is made by socket(AF_INET, SOCK_DGRAM, 0)", Case: "wine-udp-peers/names"},
	{Func: "test_UDP", Line: 2971, Kind: kindOK, Checks: "after binding 127.0.0.1 (peer 0 on port 9374, the others on port 0), getsockname of each peer succeeds", Case: "wine-udp-peers/names"},
	{Func: "test_UDP", Line: 2972, Kind: kindOK, Checks: "and gives a nonzero port", Case: "wine-udp-peers/names"},
	{Func: "test_UDP", Line: 2976, Kind: kindOK, Checks: "peer 0's name has port 9374, the port it bound (the case, as do_bind, takes the next port where 9374 is held)", Case: "wine-udp-peers/names"},
	{Func: "test_UDP", Line: 2982, Kind: kindOK, Checks: "peers 1 and 2 each send 16 bytes holding their port to peer 0 with sendto, all 16 sent (the case connects each to peer 0 and uses send: spec.API has no sendto)", Case: "wine-udp-peers/to-first"},
	{Func: "test_UDP", Line: 2987, Kind: kindOK, Checks: "peer 0 receives two datagrams of 16 bytes with recvfrom (the case: with recv, after a poll, and checks that the two hold the two senders' ports)", Case: "wine-udp-peers/to-first"},
	{Func: "test_UDP", Line: 2988, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "the port recvfrom gives as the sender's is the one the datagram holds", Why: whyRecvfrom},
}

var wineSockWSASocket = []expectation{
	{Func: "test_WSASocket", Line: 3050, Kind: kindOK, Checks: "for each row of the table that fails (all but row 7 here), WSASocket(af, type, protocol, NULL, 0, 0) sets the row's error: an unknown family WSAEAFNOSUPPORT, an unknown type WSAESOCKTNOSUPPORT even with an unknown family (row 6), a protocol the type does not carry WSAEPROTONOSUPPORT (SOCK_STREAM with UDP and SOCK_DGRAM with TCP too), AF_UNSPEC with protocol 0 WSAEINVAL whatever the type", Case: "wine-wsasocket/refused"},
	{Func: "test_WSASocket", Line: 3050, Kind: kindTodoWine, Checks: "row 7: an unknown family with SOCK_STREAM and an unknown protocol fails WSAEAFNOSUPPORT, the family checked before the protocol (todo_wine for this row only)", Case: "wine-wsasocket/family-before-protocol"},
	{Func: "test_WSASocket", Line: 3050, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "for the rows that make a socket, the last error is 0", Why: whyLastError},
	{Func: "test_WSASocket", Line: 3053, Kind: kindOK, Checks: "each failing row gives INVALID_SOCKET", Case: "wine-wsasocket/refused"},
	{Func: "test_WSASocket", Line: 3053, Kind: kindOK, Checks: "row 7 gives INVALID_SOCKET", Case: "wine-wsasocket/family-before-protocol"},
	{Func: "test_WSASocket", Line: 3059, Kind: kindOK, Checks: "the other rows make a socket: AF_INET with SOCK_STREAM or SOCK_DGRAM and protocol 0; AF_INET or AF_UNSPEC with type 0 and TCP or UDP; AF_INET with type and protocol 0; AF_UNSPEC with SOCK_STREAM and TCP", Case: "wine-wsasocket/made"},
	{Func: "test_WSASocket", Line: 3063, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_PROTOCOL_INFOA) of each socket made succeeds", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3064, Kind: kindOK, Checks: "its family is AF_INET, AF_UNSPEC included (the case: the socket binds 127.0.0.1:0)", Case: "wine-wsasocket/made"},
	{Func: "test_WSASocket", Line: 3065, Kind: kindOK, Checks: "its type is the row's, or with type 0 the protocol's: SOCK_STREAM for TCP and for protocol 0, SOCK_DGRAM for UDP (the case: a stream socket listens after the bind, a datagram socket cannot)", Case: "wine-wsasocket/made"},
	{Func: "test_WSASocket", Line: 3066, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "its protocol is IPPROTO_TCP for the stream sockets and IPPROTO_UDP for the datagram ones, protocol 0 included", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3077, End: 3080, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "WSAEnumProtocolsA for TCP and protocol 0 with no buffer fails WSAENOBUFS and gives the size", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3084, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setup: a buffer of that size is allocated", Why: whySetup},
	{Func: "test_WSASocket", Line: 3087, End: 3091, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "with the buffer it succeeds; the test stops where it lists no entry", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3098, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "WSASocketA with FROM_PROTOCOL_INFO for the three arguments and the first entry makes a socket", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3106, End: 3109, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "with the entry's family, type and protocol set to -1, WSASocketA(0, 0, IPPROTO_UDP, entry) fails WSAEAFNOSUPPORT: the entry's fields are used", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3117, Kind: kindWinSkip, Clause: spec.ClauseRemSocketTypes, Checks: "with the entry's fields set to 0, WSASocketA(0, 0, IPPROTO_UDP, entry) makes a socket on Windows up to Server 2003 only", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3123, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "on later Windows that call fails WSAEAFNOSUPPORT", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3130, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "with the entry set to AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSASocketA(0, 0, 0, entry) makes a socket", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3136, End: 3137, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) of it succeeds and gives SOCK_DGRAM, the entry's type", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3143, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setsockopt(SO_TYPE, SOCK_STREAM) on that datagram socket fails", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3144, Kind: kindTodoWine, Clause: spec.ClauseRemSocketTypes, Checks: "with WSAEINVAL", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3149, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setsockopt(SO_TYPE, SOCK_DGRAM), its own type, fails too", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3150, Kind: kindTodoWine, Clause: spec.ClauseRemSocketTypes, Checks: "with WSAEINVAL as well", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3155, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "WSASocketA(AF_INET, SOCK_STREAM, IPPROTO_TCP) with that UDP entry makes a socket", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3161, End: 3162, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) gives SOCK_STREAM: the arguments win over the entry", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3168, End: 3169, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setsockopt(SO_TYPE, SOCK_STREAM) on that stream socket fails WSAENOPROTOOPT", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3174, End: 3175, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setsockopt(SO_TYPE, SOCK_DGRAM) on it fails WSAENOPROTOOPT", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3183, End: 3186, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "WSAEnumProtocolsA for all protocols with no buffer fails WSAENOBUFS", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3190, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "setup: a buffer of the size given is allocated", Why: whySetup},
	{Func: "test_WSASocket", Line: 3193, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "with it WSAEnumProtocolsA succeeds", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3200, Kind: kindOK, Checks: "WSASocketA(AF_INET, 0, 0) makes a socket (table row 16 again)", Case: "wine-wsasocket/made"},
	{Func: "test_WSASocket", Line: 3206, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) of it succeeds", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3211, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "its type is that of the first catalogue entry marked PFL_MATCHES_PROTOCOL_ZERO (wine-wsasocket/made sees a stream socket, but cannot compare it with the catalogue)", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3216, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "the catalogue has such an entry", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3224, Kind: kindOK, Checks: "WSASocketA(0, 0, IPPROTO_TCP) and WSASocketA(0, 0, IPPROTO_UDP) make a socket (table rows 25 and 26 again)", Case: "wine-wsasocket/made"},
	{Func: "test_WSASocket", Line: 3230, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) of each succeeds", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3236, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "each one's type is that of the first catalogue entry for its protocol (wine-wsasocket/made sees stream for TCP and datagram for UDP, but cannot compare them with the catalogue)", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3241, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "the catalogue has an entry for each of the two protocols", Why: whyEnumProtocols},
	{Func: "test_WSASocket", Line: 3255, End: 3256, Kind: kindOK, Checks: "WSASocketA(AF_INET, SOCK_RAW, IPPROTO_ICMP) makes a socket or, where the process may not have raw sockets, fails WSAEACCES and the test skips the raw checks (since Vista the refusal comes at creation)", Case: "wine-wsasocket/raw"},
	{Func: "test_WSASocket", Line: 3265, End: 3266, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) of the raw socket gives SOCK_RAW", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3271, End: 3277, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_PROTOCOL_INFOW) of it succeeds: AF_INET, SOCK_RAW, 16-byte sockaddrs at most and at least", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3278, Kind: kindTodoWine, Clause: spec.ClauseRemSocketTypes, Checks: "its iProtocol is 0 (the raw entry's base protocol), not IPPROTO_ICMP, the protocol asked for", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3279, End: 3282, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "iProtocolMaxOffset 255, flags PFL_MATCHES_PROTOCOL_ZERO | PFL_HIDDEN, and the connectionless, message-oriented service flags", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3294, End: 3295, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "where WSASocketA(0, 0, IPPROTO_RAW) makes a socket, getsockopt(SO_TYPE) gives SOCK_RAW", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3300, Kind: kindOK, Checks: "then WSASocketA(AF_INET, SOCK_RAW, IPPROTO_TCP) makes a socket", Case: "wine-wsasocket/raw"},
	{Func: "test_WSASocket", Line: 3305, End: 3306, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "and getsockopt(SO_TYPE) of it gives SOCK_RAW", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3311, End: 3313, Kind: kindOK, Checks: "where the ICMP raw socket was made, WSASocketA(0, 0, IPPROTO_RAW) fails with nothing but WSAEACCES (the test then skips)", Case: "wine-wsasocket/raw"},
	{Func: "test_WSASocket", Line: 3323, End: 3324, Kind: kindOK, Checks: "WSASocketA(AF_IPX, SOCK_DGRAM, NSPROTO_IPX), where IPX is missing, fails WSAEAFNOSUPPORT and the test skips the IPX checks", Case: "wine-wsasocket/ipx"},
	{Func: "test_WSASocket", Line: 3332, Kind: kindOK, Checks: "where IPX is there, WSASocketA(0, 0, NSPROTO_IPX) makes a socket", Case: "wine-wsasocket/ipx"},
	{Func: "test_WSASocket", Line: 3338, End: 3339, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(SO_TYPE) of it gives SOCK_DGRAM", Why: whySockopt},
	{Func: "test_WSASocket", Line: 3345, End: 3350, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "its SO_PROTOCOL_INFOA gives NSPROTO_IPX, AF_IPX and SOCK_DGRAM", Why: whyProtocolInfo},
	{Func: "test_WSASocket", Line: 3356, End: 3359, Kind: kindOK, Checks: "WSASocketA(AF_IPX, SOCK_STREAM, NSPROTO_IPX) fails WSAEPROTONOSUPPORT", Case: "wine-wsasocket/ipx"},
	{Func: "test_WSASocket", Line: 3367, Kind: kindOK, Checks: "WSASocketA(0, 0, NSPROTO_IPX + n) makes a socket for n from 0 to 255 in steps of 17", Case: "wine-wsasocket/ipx"},
	{Func: "test_WSASocket", Line: 3373, End: 3374, Kind: kindOK, Clause: spec.ClauseRemSocketTypes, Checks: "getsockopt(NSPROTO_IPX, IPX_PTYPE) of each gives n, its packet type", Why: whySockopt},
}

var wineSockErrors = []expectation{
	{Func: "test_errors", Line: 3806, Kind: kindOK, Checks: "socket(PF_INET, SOCK_STREAM, 0) succeeds", Case: "wine-errors/connect-refused"},
	{Func: "test_errors", Line: 3813, Kind: kindOK, Checks: "a blocking connect to 127.0.0.1:6924, where nothing listens, fails (the case connects to a port it has just bound and freed)", Case: "wine-errors/connect-refused"},
	{Func: "test_errors", Line: 3817, Kind: kindOK, Checks: "with WSAECONNREFUSED", Case: "wine-errors/connect-refused"},
	{Func: "test_errors", Line: 3828, Kind: kindOK, Clause: spec.ClauseGapUnreachable, Checks: "select for writing on the refused socket with a 50 ms timeout returns 0: the socket is not writable", Why: whySelect},
	{Func: "test_errors", Line: 3832, Kind: kindOK, Checks: "closesocket of it then succeeds", Case: "wine-errors/connect-refused"},
}
