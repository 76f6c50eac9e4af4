package conformance

import (
	"fmt"
	"slices"

	"github.com/disconnectex/disconnectex/spec"
)

// Cases from sock.c's test_WSAGetOverlappedResult and
// test_get_extension_func.
var wineResultCases = []Case{
	{
		Name:    "wine-results/wsa-result-not-a-socket",
		Clauses: clauses(spec.ClauseGapBadHandle, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			// A zeroed OVERLAPPED reads as a completed success, yet the
			// call looks at its socket first.
			ov := overlapped(t, api, 0)
			_, _, err := api.WSAGetOverlappedResult(spec.Socket(0xdeadbeef), ov, false)
			wantErr(t, "WSAGetOverlappedResult(0xdeadbeef, zeroed ov)", err, spec.WSAENOTSOCK)
			ev := event(t, api)
			_, _, err = api.WSAGetOverlappedResult(spec.Socket(ev), ov, false)
			wantErr(t, "WSAGetOverlappedResult(event handle, zeroed ov)", err, spec.WSAENOTSOCK)
			s := tcp(t, api)
			_, _, err = api.WSAGetOverlappedResult(s, ov, false)
			wantOK(t, "WSAGetOverlappedResult(socket, zeroed ov)", err)
		},
	},
	{
		Name:    "wine-results/wsa-result-status-faces",
		Clauses: clauses(spec.ClauseRetLaterFailure, spec.ClauseRetPending),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			ov := overlapped(t, api, 0)
			bad := 0
			for _, st := range statusSample() {
				{
					mustOK(t, "SetOverlappedFields", api.SetOverlappedFields(ov, st, 0))
					_, _, err := api.WSAGetOverlappedResult(s, ov, false)
					want, ok := wantFace(st)
					if !ok && isErr(err, want) || ok && err == nil {
						continue
					}
					if bad++; bad <= 8 {
						wantStr := "success"
						if !ok {
							wantStr = codeName(want)
						}
						t.Errorf("WSAGetOverlappedResult with Internal %#08x: got %s, want %s", uint32(st), errName(err), wantStr)
					}
				}
			}
			if bad > 8 {
				t.Errorf("... %d statuses in all reported the wrong face", bad)
			}
			// A completion overwrites what the program wrote.
			c := connected(t, api)
			ev := event(t, api)
			ov2 := overlapped(t, api, ev)
			mustOK(t, "SetOverlappedFields(0xdeadbeef)", api.SetOverlappedFields(ov2, 0xdeadbeef, 0xdeadbeef))
			if err := api.DisconnectEx(c.client, ov2, 0, 0); isErr(err, spec.ERROR_IO_PENDING) {
				waitPrompt(t, api, "DisconnectEx", ev)
			} else {
				mustOK(t, "DisconnectEx(client, ov, 0, 0)", err)
			}
			st, high, err := api.OverlappedFields(ov2)
			if wantOK(t, "OverlappedFields after the completion", err) && (st != spec.STATUS_SUCCESS || high != 0) {
				t.Errorf("after the completion: got Internal %v, InternalHigh %#x, want STATUS_SUCCESS, 0", st, high)
			}
		},
	},
	{
		Name:    "wine-results/lookup-overlapped-needs-byte-count",
		Clauses: clauses(spec.ClauseRemLookup),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			associate(t, api, s, 123)
			ov := overlapped(t, api, 0)
			_, _, err := api.ExtensionLookup(s, spec.WSAID_ACCEPTEX, ov, false)
			wantErr(t, "WSAIoctl(WSAID_ACCEPTEX, lpcbBytesReturned NULL, ov)", err, spec.WSAEFAULT)
		},
	},
	{
		Name:    "wine-results/lookup-bytes-returned",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseExtension),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			for _, g := range []struct {
				name string
				id   spec.GUID
			}{{"WSAID_ACCEPTEX", spec.WSAID_ACCEPTEX}, {"WSAID_CONNECTEX", spec.WSAID_CONNECTEX}, {"WSAID_DISCONNECTEX", spec.WSAID_DISCONNECTEX}} {
				fn, n, err := api.ExtensionLookup(s, g.id, 0, true)
				if wantOK(t, "WSAIoctl("+g.name+")", err) && (n != 8 || fn == 0) {
					t.Errorf("WSAIoctl(%s): got %d bytes, pointer %#x; want 8 bytes (sizeof a pointer), nonzero", g.name, n, fn)
				}
			}
		},
	},
	{
		Name:    "wine-results/lookup-overlapped-completes",
		Clauses: clauses(spec.ClauseRemLookup, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			p := associate(t, api, s, 123)
			ov := overlapped(t, api, 0)
			mustOK(t, "SetOverlappedFields(0xdeadbeef)", api.SetOverlappedFields(ov, 0xdeadbeef, 0xdeadbeef))
			_, n, err := api.ExtensionLookup(s, spec.WSAID_ACCEPTEX, ov, true)
			if wantOK(t, "WSAIoctl(WSAID_ACCEPTEX, ov): returns 0 within the call", err) && n != 8 {
				t.Errorf("WSAIoctl(WSAID_ACCEPTEX, ov): got %d bytes, want 8", n)
			}
			wantPacket(t, api, "overlapped lookup", p, 123, ov, spec.ERROR_SUCCESS)
			st, high, err := api.OverlappedFields(ov)
			if wantOK(t, "OverlappedFields", err) && (st != spec.STATUS_SUCCESS || high != 0) {
				t.Errorf("after the overlapped lookup: got Internal %v, InternalHigh %#x, want STATUS_SUCCESS, 0", st, high)
			}
		},
	},
	{
		Name:    "wine-results/lookup-bogus-guid-writes-nothing",
		Clauses: clauses(spec.ClauseRemGUID, spec.ClauseGapCompletionPort),
		Body: func(t *T, api spec.API) {
			s := tcp(t, api)
			p := associate(t, api, s, 123)
			ov := overlapped(t, api, 0)
			mustOK(t, "SetOverlappedFields(0xdeadbeef)", api.SetOverlappedFields(ov, 0xdeadbeef, 0xdeadbeef))
			_, n, err := api.ExtensionLookup(s, spec.GUID{Data1: 0xdeadbeef}, ov, true)
			wantErr(t, "WSAIoctl(bogus GUID, ov)", err, spec.WSAEINVAL)
			if n != spec.Untouched {
				t.Errorf("WSAIoctl(bogus GUID, ov): got byte count %#x, want it untouched (0xdeadbeef)", n)
			}
			st, high, err := api.OverlappedFields(ov)
			if wantOK(t, "OverlappedFields", err) && (st != 0xdeadbeef || high != 0xdeadbeef) {
				t.Errorf("after the failed lookup: got Internal %v, InternalHigh %#x, want both untouched (0xdeadbeef)", st, high)
			}
			wantNoPacket(t, api, "failed lookup", p)
		},
	},
}

// statusRanges are the NTSTATUS ranges test_WSAGetOverlappedResult walks.
var statusRanges = [][2]spec.NTStatus{
	{0x0, 0x10000}, {0x40000000, 0x40001000}, {0x80000000, 0x80001000}, {0x80070000, 0x80080000},
	{0xc0000000, 0xc0001000}, {0xc0070000, 0xc0080000}, {0xd0000000, 0xd0001000}, {0xd0070000, 0xd0080000},
}

// statusSample returns the statuses the case sets: every one with a face
// of its own, both ends of each range, and every 251st code of each range
// in between (the whole ranges, over 270000 codes, would take too long to
// trace).
func statusSample() []spec.NTStatus {
	var out []spec.NTStatus
	for st := range statusFaces {
		out = append(out, st)
	}
	slices.Sort(out)
	for _, r := range statusRanges {
		for st := r[0]; st < r[1]; st += 251 {
			out = append(out, st)
		}
		out = append(out, r[1]-1)
	}
	return out
}

// wantFace is what WSAGetOverlappedResult reports for Internal st, as
// test_WSAGetOverlappedResult checks it on Windows (Windows 8 and later):
// ok for a success status other than STATUS_PENDING, else the error.
func wantFace(st spec.NTStatus) (spec.Errno, bool) {
	if e, listed := statusFaces[st]; listed {
		return e, false
	}
	if int32(st) >= 0 {
		return 0, true
	}
	return spec.WSAEINVAL, false
}

// statusFaces are the statuses with a Winsock face of their own, written
// from the table the test carries (winerror.h numbers).
var statusFaces = func() map[spec.NTStatus]spec.Errno {
	m := map[spec.NTStatus]spec.Errno{}
	add := func(e spec.Errno, sts ...spec.NTStatus) {
		for _, st := range sts {
			if _, dup := m[st]; dup {
				panic(fmt.Sprintf("status %#x listed twice", uint32(st)))
			}
			m[st] = e
		}
	}
	add(spec.WSA_IO_INCOMPLETE, spec.STATUS_PENDING, 0x800703E4, 0xC00103E4, 0xC00703E4)
	add(10040, 0x80000005, 0xC0000206)                                                 // WSAEMSGSIZE
	add(10045, 0xC0000002, 0xC00000BB)                                                 // WSAEOPNOTSUPP
	add(10014, 0xC0000005, 0xC0000023, 0xC00002C5)                                     // WSAEFAULT
	add(10055, 0xC0000007, 0xC0000017, 0xC0000018, 0xC0000044, 0xC0000097, 0xC000009A, // WSAENOBUFS
		0xC00000A1, 0xC000012D, 0xC000013D, 0xC0000209)
	add(10038, 0xC0000008, 0xC0000024)                                                             // WSAENOTSOCK
	add(10050, 0xC000000E, 0xC000000F, 0xC0000034, 0xC000003A, 0xC00000BF, 0xC00000C3, 0xC00000C4) // WSAENETDOWN
	add(10013, 0xC0000022)                                                                         // WSAEACCES
	add(10048, 0xC0000043, 0xC000020A)                                                             // WSAEADDRINUSE
	add(10035, 0xC00000A3, 0xC00000D0)                                                             // WSAEWOULDBLOCK
	add(10058, 0xC00000B0)                                                                         // WSAESHUTDOWN
	add(10060, 0xC00000B5, 0xC000013F)                                                             // WSAETIMEDOUT
	add(10061, 0xC00000BC, 0xC0000236)                                                             // WSAECONNREFUSED
	add(10051, 0xC00000BE, 0xC000023C, 0xC000023E)                                                 // WSAENETUNREACH
	add(995, 0xC0000120)                                                                           // ERROR_OPERATION_ABORTED
	add(10053, 0xC000013B, 0xC000020F, 0xC0000241)                                                 // WSAECONNABORTED
	add(10054, 0xC000013C, 0xC000013E, 0xC000020C, 0xC000020D, 0xC000023F)                         // WSAECONNRESET
	add(10057, 0xC0000140)                                                                         // WSAENOTCONN
	add(10049, 0xC0000141, 0xC0000207)                                                             // WSAEADDRNOTAVAIL
	add(10101, 0xC0000237)                                                                         // WSAEDISCON
	add(10056, 0xC000023B)                                                                         // WSAEISCONN
	add(10065, 0xC000023D)                                                                         // WSAEHOSTUNREACH
	add(10004, 0xC0000240)                                                                         // WSAEINTR
	add(10064, 0xC0000350)                                                                         // WSAEHOSTDOWN
	return m
}()
