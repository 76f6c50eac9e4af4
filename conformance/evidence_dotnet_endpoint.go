package conformance

import "fmt"

// The expectations of dotnet/runtime's LocalEndPointTest.cs, pinned to the
// commit the brief names. Every test is a Fact of the abstract class,
// run by ten sealed classes: IPv4 and IPv6, each with the Sync,
// SyncForceNonBlocking, APM, Task and EAP helpers. None is OuterLoop or
// platform-specific, so every Assert runs in each ordinary Windows pass.
// The IPv6 sockets are made with AddressFamily.InterNetworkV6 and never set
// DualMode: IPV6_V6ONLY stays on and no dual-stack socket is involved.
// Socket.LocalEndPoint (Socket.cs at 00ae72a7, the LocalEndPoint getter)
// returns null while the socket has no endpoint (_rightEndPoint unset)
// without calling Winsock, and otherwise the result of one getsockname,
// cached in _localEndPoint.

func init() { registerEvidence(&dotnetEndpoint) }

// Reasons of the LocalEndPointTest.cs entries.
const (
	whyManagedNoEndpoint  = "Socket.LocalEndPoint is null while the socket has no endpoint (_rightEndPoint unset): System.Net.Sockets answers without calling getsockname"
	whyManagedCachedEP    = "Assert.Same checks that System.Net.Sockets returns its cached IPEndPoint object (_localEndPoint) twice; one getsockname at most, no property of Winsock"
	whyManagedAcceptCopy  = "for a listener on a specific address System.Net.Sockets gives the accepted socket the listener's cached LocalEndPoint (Socket.cs at 00ae72a7, UpdateAcceptSocket) without calling getsockname; the case checks getsockname of the accepted socket anyway, which no source observes"
	whySendtoRecvfrom     = "spec.API has no sendto or recvfrom (WSASendTo, WSARecvFrom)"
	epCachedOnListener    = "; the getter may return the value cached at the first read, so this line need not have called getsockname again"
	epVariantSync         = " (%s, the Sync and SyncForceNonBlocking helpers: connect() and accept())"
	epVariantAsync        = " (%s, the APM, Task and EAP helpers: ConnectEx after a wildcard bind where the socket has no endpoint, AcceptEx posted before the connect, SO_UPDATE_*_CONTEXT)"
	epRemoteEndPointAfter = "accept's RemoteEndPoint (the address accept() returns, or GetAcceptExSockaddrs' remote after AcceptEx, for which the case reads getpeername of the accepted socket)"
)

const (
	fnUDPBound     = "UdpSocket_WhenBoundToWildcardAddress_LocalEPDoesNotChangeOnSendTo"
	fnUDPUnbound   = "UdpSocket_WhenNotBound_LocalEPChangeToWildcardOnSendTo"
	fnClientBound  = "TcpClientSocket_WhenBoundToWildcardAddress_LocalEPChangeToSpecificOnConnect"
	fnClientNone   = "TcpClientSocket_WhenNotBound_LocalEPChangeToSpecificOnConnect"
	fnAcceptWild   = "TcpAcceptSocket_WhenServerBoundToWildcardAddress_LocalEPIsSpecific"
	fnAcceptSpec   = "TcpAcceptSocket_WhenServerBoundToSpecificAddress_LocalEPIsSame"
	fnEndpointSame = "LocalEndPoint_IsCached"
)

// epEntries is one Assert line of a TCP test, one entry for each family
// and helper kind, each naming its case.
func epEntries(fn string, line int, stem, checks string) []expectation {
	var out []expectation
	for _, fam := range reuseFamilies {
		famText := "IPv4: 0.0.0.0, 127.0.0.1"
		if fam.af != reuseFamilies[0].af {
			famText = "IPv6: ::, ::1"
		}
		for _, mode := range epModes {
			v := epVariantSync
			if mode.async {
				v = epVariantAsync
			}
			out = append(out, expectation{Func: fn, Line: line, Kind: kindAssert,
				Checks: checks + fmt.Sprintf(v, famText), Case: epCaseName(stem, fam, mode)})
		}
	}
	return out
}

// epUDPEntries is the UDP test's Assert line after the bind, for both families.
func epUDPEntries(fn string, line int, checks string) []expectation {
	var out []expectation
	for i, fam := range reuseFamilies {
		famText := " (IPv4: 0.0.0.0)"
		if i > 0 {
			famText = " (IPv6: ::)"
		}
		out = append(out, expectation{Func: fn, Line: line, Kind: kindAssert, Checks: checks + famText, Case: epUDPCaseName(fam)})
	}
	return out
}

func epConcat(parts ...[]expectation) []expectation {
	var out []expectation
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var dotnetEndpoint = evidenceSource{
	Name:       "dotnet-endpoint",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "LocalEndPointTest.cs",
	Version:    "main",
	Commit:     "dd742ae3700db51e3fd71b0dd04e7eeac2168313",
	CasePrefix: "dotnet-endpoint/",
	Complete:   []string{fnUDPBound, fnUDPUnbound, fnClientBound, fnClientNone, fnAcceptWild, fnAcceptSpec, fnEndpointSame},
	Entries: epConcat(
		[]expectation{
			{Func: fnUDPBound, Line: 33, Kind: kindAssert, Checks: "a new UDP socket's LocalEndPoint is null before its bind", Why: whyManagedNoEndpoint},
		},
		epUDPEntries(fnUDPBound, 37, "after bind to the wildcard address on port 0 (BindToAnonymousPort) getsockname of the UDP sender gives the wildcard address"),
		[]expectation{
			{Func: fnUDPBound, Line: 43, Kind: kindAssert, Checks: "after a sendto to the receiver on the loopback address the sender's address is still the wildcard one", Why: whySendtoRecvfrom},
			{Func: fnUDPBound, Line: 44, Kind: kindAssert, Checks: "and its port is the one the bind chose", Why: whySendtoRecvfrom},
			{Func: fnUDPBound, Line: 50, Kind: kindAssert, Checks: "recvfrom on the receiver returns the 3 bytes sent", Why: whySendtoRecvfrom},
			{Func: fnUDPBound, Line: 51, Kind: kindAssert, Checks: "the datagram's source address is the loopback address, not the wildcard the sender is bound to", Why: whySendtoRecvfrom},
			{Func: fnUDPBound, Line: 52, Kind: kindAssert, Checks: "the datagram's source port is the sender's bound port", Why: whySendtoRecvfrom},
			{Func: fnUDPUnbound, Line: 64, Kind: kindAssert, Checks: "an unbound UDP socket's LocalEndPoint is null before sendto", Why: whyManagedNoEndpoint},
			{Func: fnUDPUnbound, Line: 70, Kind: kindAssert, Checks: "after a sendto from the unbound socket (an implicit bind) its address is the wildcard one", Why: whySendtoRecvfrom},
			{Func: fnUDPUnbound, Line: 76, Kind: kindAssert, Checks: "recvfrom on the receiver returns the 3 bytes sent", Why: whySendtoRecvfrom},
			{Func: fnUDPUnbound, Line: 77, Kind: kindAssert, Checks: "the datagram's source address is the loopback address", Why: whySendtoRecvfrom},
		},
		epEntries(fnClientBound, 90, "client-bound-wildcard", "a TCP client bound to the wildcard address on port 0: getsockname gives the wildcard address before connect"),
		epEntries(fnClientBound, 97, "client-bound-wildcard", "after the connect to the server (bound to the wildcard address, listening) on the loopback address, getsockname of the client gives the loopback address (read afresh: line 90's value was the wildcard one)"),
		epEntries(fnClientBound, 98, "client-bound-wildcard", "and the port of the client's bind"),
		epEntries(fnClientBound, 101, "client-bound-wildcard", epRemoteEndPointAfter+" equals the client's getsockname"),
		[]expectation{
			{Func: fnClientNone, Line: 115, Kind: kindAssert, Checks: "a TCP client never bound has a null LocalEndPoint before connect", Why: whyManagedNoEndpoint},
		},
		epEntries(fnClientNone, 119, "client-unbound", "after connect to a server on the loopback address, getsockname of the client (bound implicitly by connect(), or by System.Net.Sockets' wildcard bind before ConnectEx) gives the loopback address; the case also wants a nonzero port"),
		epEntries(fnClientNone, 122, "client-unbound", epRemoteEndPointAfter+" equals the client's getsockname"),
		epEntries(fnAcceptWild, 134, "accept-server-wildcard", "a TCP server bound to the wildcard address on port 0: getsockname gives the wildcard address before listen"),
		epEntries(fnAcceptWild, 142, "accept-server-wildcard", "after a client never bound connects to the loopback address, "+epRemoteEndPointAfter+" equals the client's getsockname"),
		epEntries(fnAcceptWild, 143, "accept-server-wildcard", "getsockname of the accepted socket equals the client's RemoteEndPoint, which System.Net.Sockets keeps from the connect call (the loopback address and the server's port); the case checks getpeername of the client against it too"),
		epEntries(fnAcceptWild, 145, "accept-server-wildcard", "after the accept the listener's address is still the wildcard one"+epCachedOnListener),
		epEntries(fnAcceptWild, 146, "accept-server-wildcard", "getsockname of the accepted socket gives the loopback address, the address the connection came in on, not the listener's wildcard"),
		epEntries(fnAcceptWild, 147, "accept-server-wildcard", "and the listener's port"),
		epEntries(fnAcceptSpec, 159, "accept-server-specific", "a TCP server bound to the loopback address on port 0: getsockname gives the loopback address"),
		epEntries(fnAcceptSpec, 167, "accept-server-specific", "after a client never bound connects, "+epRemoteEndPointAfter+" equals the client's getsockname"),
		[]expectation{
			{Func: fnAcceptSpec, Line: 169, Kind: kindAssert, Checks: "the accepted socket's LocalEndPoint is the listener's address", Why: whyManagedAcceptCopy},
			{Func: fnAcceptSpec, Line: 170, Kind: kindAssert, Checks: "and the listener's port", Why: whyManagedAcceptCopy},
			{Func: fnEndpointSame, Line: 184, Kind: kindAssert, Checks: "two reads of LocalEndPoint of a bound TCP socket return the same object", Why: whyManagedCachedEP},
		},
	),
}
