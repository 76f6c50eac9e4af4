package conformance

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_WSAPoll, the parts on one socket at a time:
// which events WSAPoll accepts, and what it reports for a listener, a
// connection with data, after shutdown and after the peer's close. The
// suite leans on WSAPoll to see a FIN arrive (peerSeesFIN), so what a FIN
// looks like to it (POLLHUP, not POLLRDNORM) matters here. The test makes
// its sockets non-blocking; WSAPoll does not depend on that.

// pollAll is the test's check_poll mask: POLLRDNORM|POLLRDBAND|POLLWRNORM.
const pollAll = spec.POLLRDNORM | spec.POLLRDBAND | spec.POLLWRNORM

// pollIn is POLLIN (POLLRDNORM|POLLRDBAND).
const pollIn = spec.POLLRDNORM | spec.POLLRDBAND

// invalidPollEvents are the test's invalid_flags: every bit WSAPoll
// refuses in events.
var invalidPollEvents = []spec.PollEvents{spec.POLLERR, spec.POLLHUP, spec.POLLNVAL, 0x8, spec.POLLWRBAND, 0x40, 0x80,
	spec.POLLPRI, 0x800, 0x1000, 0x2000, 0x4000, -0x8000}

// wantPoll is the test's check_poll_: WSAPoll on s with events mask and
// a 1 s timeout reports exactly want. (The test also checks WSAPoll's
// count, 1 exactly when revents is nonzero; spec.API's Poll returns the
// revents alone.)
func wantPoll(t *T, api spec.API, what string, s spec.Socket, mask, want spec.PollEvents) bool {
	t.Helper()
	r, err := api.Poll(s, mask, prompt)
	if err != nil || r != want {
		t.Errorf("%s: WSAPoll(events %#x, 1s): got revents %#x with %s, want %#x", what, uint16(mask), uint16(r), errName(err), uint16(want))
		return false
	}
	return true
}

// wantPollRefuses checks that WSAPoll on s fails WSAEINVAL for each of the
// invalid event bits.
func wantPollRefuses(t *T, api spec.API, what string, s spec.Socket) {
	t.Helper()
	for _, ev := range invalidPollEvents {
		_, err := api.Poll(s, ev, 0)
		wantErr(t, fmt.Sprintf("WSAPoll(%s, events %#x, 0)", what, uint16(ev)), err, spec.WSAEINVAL)
	}
}

var winePollCases = []Case{
	{
		Name:    "wine-poll/listener-refuses-events",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			wantPollRefuses(t, api, "listener", l)
		},
	},
	{
		Name:    "wine-poll/listener-idle",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, _ := listener(t, api)
			r, err := api.Poll(l, pollAll, 0)
			if err != nil || r != 0 {
				t.Errorf("WSAPoll(listener, RDNORM|RDBAND|WRNORM, 0): got revents %#x with %s, want 0", uint16(r), errName(err))
			}
		},
	},
	{
		Name:    "wine-poll/listener-backlog-readable",
		Clauses: clauses(spec.ClauseGapListening),
		Body: func(t *T, api spec.API) {
			l, addr := listener(t, api)
			dial(t, api, addr, byConnect)
			r, err := api.Poll(l, pollIn, 100*time.Millisecond)
			if err != nil || r != spec.POLLRDNORM {
				t.Errorf("WSAPoll(listener, POLLIN, 100 ms) with a connection waiting: got revents %#x with %s, want POLLRDNORM", uint16(r), errName(err))
			}
			r, err = api.Poll(l, pollIn, 0)
			if err != nil || r != spec.POLLRDNORM {
				t.Errorf("WSAPoll(listener, POLLIN, 0): got revents %#x with %s, want POLLRDNORM", uint16(r), errName(err))
			}
			r, err = api.Poll(l, spec.POLLRDBAND|spec.POLLWRNORM, 0)
			if err != nil || r != 0 {
				t.Errorf("WSAPoll(listener, RDBAND|WRNORM, 0): got revents %#x with %s, want 0", uint16(r), errName(err))
			}
		},
	},
	{
		Name:    "wine-poll/connected-refuses-events",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantPollRefuses(t, api, "accepted socket", c.server)
		},
	},
	{
		Name:    "wine-poll/connected-writable",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			r, err := api.Poll(c.ln, pollAll, 0)
			if err != nil || r != 0 {
				t.Errorf("WSAPoll(listener, RDNORM|RDBAND|WRNORM, 0) after the accept: got revents %#x with %s, want 0", uint16(r), errName(err))
			}
			wantPoll(t, api, "accepted socket", c.server, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "client", c.client, pollAll, spec.POLLWRNORM)
		},
	},
	{
		Name:    "wine-poll/data-readable",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			if n, err := api.Send(c.server, []byte("1234")); err != nil || n != 4 {
				t.Fatalf("send(server, 4 bytes): got %d with %s, want 4", n, errName(err))
			}
			wantPoll(t, api, "client with data waiting, POLLIN", c.client, pollIn, spec.POLLRDNORM)
			wantPoll(t, api, "client with data waiting", c.client, pollAll, spec.POLLRDNORM|spec.POLLWRNORM)
			wantPoll(t, api, "server", c.server, pollAll, spec.POLLWRNORM)
			buf := make([]byte, 6)
			if n, err := api.Recv(c.client, buf); err != nil || n != 4 {
				t.Errorf("recv(client): got %d with %s, want 4", n, errName(err))
			}
			wantPoll(t, api, "client after reading the data", c.client, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "server", c.server, pollAll, spec.POLLWRNORM)
		},
	},
	{
		Name:    "wine-poll/after-shutdown",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantOK(t, "shutdown(client, SD_RECEIVE)", api.Shutdown(c.client, spec.SD_RECEIVE))
			wantPoll(t, api, "client after its SD_RECEIVE", c.client, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "server after the client's SD_RECEIVE", c.server, pollAll, spec.POLLWRNORM)
			wantOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			// Still writable after its own SD_SEND, although a send fails.
			wantPoll(t, api, "client after its SD_SEND", c.client, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "server after the client's FIN, events 0", c.server, 0, spec.POLLHUP)
			wantPoll(t, api, "server after the client's FIN", c.server, pollAll, spec.POLLWRNORM|spec.POLLHUP)
		},
	},
	{
		Name:    "wine-poll/peer-closed",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			mustOK(t, "closesocket(client)", api.Closesocket(c.client))
			// The FIN is POLLHUP; POLLRDNORM is not set for it.
			wantPoll(t, api, "server after the client's close, events 0", c.server, 0, spec.POLLHUP)
			wantPoll(t, api, "server after the client's close", c.server, pollAll, spec.POLLWRNORM|spec.POLLHUP)
		},
	},
	{
		Name:    "wine-poll/shutdown-with-data",
		Clauses: clauses(spec.ClauseGapShutdownSend),
		Body: func(t *T, api spec.API) {
			c := connected(t, api)
			wantSent5(t, api, "send(client, \"data\" and its NUL)", c.client)
			wantPoll(t, api, "client", c.client, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "server with data waiting, POLLIN", c.server, pollIn, spec.POLLRDNORM)
			wantPoll(t, api, "server with data waiting", c.server, pollAll, spec.POLLWRNORM|spec.POLLRDNORM)
			mustOK(t, "shutdown(client, SD_SEND)", api.Shutdown(c.client, spec.SD_SEND))
			wantPoll(t, api, "client after its SD_SEND", c.client, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "server with data and the FIN waiting, events 0", c.server, 0, spec.POLLHUP)
			wantPoll(t, api, "server with data and the FIN waiting", c.server, pollAll, spec.POLLWRNORM|spec.POLLRDNORM|spec.POLLHUP)
		},
	},
	{
		Name:    "wine-poll/udp-writable",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			c, s := udpSocket(t, api), udpSocket(t, api)
			wantPoll(t, api, "unbound UDP socket", c, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "second unbound UDP socket", s, pollAll, spec.POLLWRNORM)
			mustOK(t, "bind(UDP socket, 127.0.0.1:0)", api.Bind(c, netip.AddrPortFrom(loopback4, 0)))
			_, err := api.Getsockname(c)
			mustOK(t, "getsockname(UDP socket)", err)
			wantPoll(t, api, "bound UDP socket", c, pollAll, spec.POLLWRNORM)
			wantPoll(t, api, "unbound UDP socket", s, pollAll, spec.POLLWRNORM)
		},
	},
	{
		Name:    "wine-poll/udp-readable",
		Clauses: clauses(spec.ClauseRemDatagram),
		Body: func(t *T, api spec.API) {
			// The test sends with sendto; spec.API has none, so the
			// sender connects to the bound socket's address and sends.
			c, addr := boundUDP(t, api)
			s := udpSocket(t, api)
			mustOK(t, "connect(UDP sender, bound socket)", api.Connect(s, addr))
			wantSent5(t, api, "send(UDP sender, 5 bytes)", s)
			wantPoll(t, api, "bound UDP socket with a datagram waiting, POLLIN", c, pollIn, spec.POLLRDNORM)
			wantPoll(t, api, "bound UDP socket with a datagram waiting", c, pollAll, spec.POLLWRNORM|spec.POLLRDNORM)
			wantPoll(t, api, "UDP sender", s, pollAll, spec.POLLWRNORM)
		},
	},
}
