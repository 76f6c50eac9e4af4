package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// A Variant is one plausible Windows behaviour for a clause whose Windows
// behaviour the public evidence does not settle. The emulator follows the
// default variant of each such clause (the one the evidence favours, for the
// reason in Why) unless WithVariant picks another, so a test can check code
// against every behaviour Windows may have (ForEachVariant).
type Variant struct {
	Clause      string // the spec clause ID the variant is about
	Name        string // short, unique within the clause
	Description string // what the emulator does under this variant
	Default     bool   // the variant the emulator follows unless told otherwise
	// Why gives the evidence for this variant; for the default, also why
	// the evidence favours it over the others.
	Why string
}

// String returns "CLAUSE=name".
func (v Variant) String() string { return v.Clause + "=" + v.Name }

// axis is one clause with variants; the index into a variantSet.
type axis uint8

const (
	axTimeWait     axis = iota // DX-FLAG-TIMEWAIT: does the active closer's reuse wait out TIME_WAIT
	axDelayDefault             // DX-REM-TIMEWAIT-DEFAULT: the TcpTimedWaitDelay Windows uses when unset
	axDatagram                 // DX-REM-DATAGRAM: the error for a connected datagram socket
	axReserved                 // DX-PARAM-RESERVED: reserved != 0
	axFlags                    // DX-ERR-EINVAL-FLAGS: unknown flag bits
	axTimeWaitSYN              // DX-GAP-TIMEWAIT-SYN: a SYN for a pair the listening side holds in TIME_WAIT
	axUnreachable              // DX-GAP-UNREACHABLE: does a ConnectEx to an unreachable destination pend
	numAxes
)

// Variant names, per axis, in the order of variantTable (index 0 is the
// default). Code that picks a variant passes these to WithVariant.
const (
	// DX-FLAG-TIMEWAIT
	VariantReuseAfterClose = "after-close" // completes after the graceful close; the TIME_WAIT row stays behind
	VariantReuseWaits      = "waits"       // waits out this side's TIME_WAIT before completing
	// DX-REM-TIMEWAIT-DEFAULT
	VariantDelay240 = "240s"
	VariantDelay120 = "120s"
	// DX-REM-DATAGRAM
	VariantDatagramNotConn       = "enotconn"
	VariantDatagramEinvalConnect = "einval-connected"
	// DX-PARAM-RESERVED and DX-ERR-EINVAL-FLAGS
	VariantEinval  = "einval"
	VariantIgnored = "ignored"
	// DX-GAP-TIMEWAIT-SYN
	VariantSYNTakesOver = "takeover" // the SYN reopens the pair; the row leaves the table
	VariantSYNRefused   = "refuse"   // the pair is refused (WSAEADDRINUSE) until the row expires
	// DX-GAP-UNREACHABLE
	VariantUnreachablePends  = "pends"   // the ConnectEx pends and completes with the unreachable status
	VariantUnreachableAtOnce = "at-once" // the ConnectEx fails within the call with WSAEHOSTUNREACH or WSAENETUNREACH
)

// variantTable lists every clause's variants, default first.
var variantTable = [numAxes][]Variant{
	axTimeWait: {
		{Clause: spec.ClauseFlagTimeWait, Name: VariantReuseAfterClose,
			Description: "DisconnectEx(TF_REUSE_SOCKET) by the side that closed first completes when the peer's FIN has arrived (the graceful close is over); the connection's TIME_WAIT row stays in the TCP table for TcpTimedWaitDelay and holds the socket pair, so a ConnectEx of the reused socket to the same remote address fails WSAEADDRINUSE until the row expires",
			Why:         "observed behaviour favours it, so it is the default: dotnet/runtime's Disconnect_Success(reuseSocket: true) runs in the ordinary (not OuterLoop) pass on Windows with the client closing first and reconnects at once, which a 120-240 s wait per run would rule out, and the ConnectEx page puts the TIME_WAIT delay on the later ConnectEx; against it stand one sentence of the DisconnectEx page and one report of a two-minute Disconnect(true) (dotnet/corefx#29932), which is as well explained by a peer that had not closed yet"},
		{Clause: spec.ClauseFlagTimeWait, Name: VariantReuseWaits,
			Description: "DisconnectEx(TF_REUSE_SOCKET) by the side that closed first completes only when its TIME_WAIT row expires (TcpTimedWaitDelay after the peer's FIN); the socket is in TIME_WAIT meanwhile",
			Why:         "the DisconnectEx page's note that TIME_WAIT may delay the call, and dotnet/corefx#29932 (a Disconnect(true) that blocked about two minutes, unchanged by TcpTimedWaitDelay=30 without a reboot); that report does not show that its peer had closed, and a peer that has not closed delays the request in either variant"},
	},
	axDelayDefault: {
		{Clause: spec.ClauseRemTimeWaitDefault, Name: VariantDelay240,
			Description: "a TcpTimedWaitDelay equal to spec.DefaultTcpTimedWaitDelay (the registry value absent) gives 240 s of TIME_WAIT",
			Why:         "the DisconnectEx page, the only Microsoft text that covers Windows Vista and later, says 240 s, as do the Windows 2000 reference and the port exhaustion guide; the 120 s references describe the XP/Server 2003 IPv4 stack that Vista replaced"},
		{Clause: spec.ClauseRemTimeWaitDefault, Name: VariantDelay120,
			Description: "a TcpTimedWaitDelay equal to spec.DefaultTcpTimedWaitDelay (the registry value absent) gives 120 s of TIME_WAIT; an explicit 240 s cannot be told apart from the default and gets 120 s too",
			Why:         "the Server 2003 TCP/IP reference (default 0x78) and KB 314053 (XP/2003 IPv4 default 120 s); the two minutes of dotnet/corefx#29932 fit it"},
	},
	axDatagram: {
		{Clause: spec.ClauseRemDatagram, Name: VariantDatagramNotConn,
			Description: "a datagram socket fails with WSAENOTCONN, connected or not",
			Why:         "observed: .NET's Disconnect on a UDP socket the reporter had connected fails with WSAENOTCONN on Windows 10 (dotnet/runtime#34473), and TransmitFile fails WSAENOTCONN on an unconnected UDP socket (Wine test_TransmitFile)"},
		{Clause: spec.ClauseRemDatagram, Name: VariantDatagramEinvalConnect,
			Description: "an unconnected datagram socket fails with WSAENOTCONN, a connected one with WSAEINVAL (AFD refusing a connectionless endpoint with STATUS_INVALID_PARAMETER)",
			Why:         "ReactOS's AfdDisconnect returns STATUS_INVALID_PARAMETER for connectionless sockets (ReactOS is not Windows: an inference), and dotnet/runtime#34473 does not show that its socket was connected"},
	},
	axReserved: {
		{Clause: spec.ClauseParamReserved, Name: VariantEinval,
			Description: "reserved != 0 on a connected socket fails with WSAEINVAL",
			Why:         "the page says so and nothing public contradicts it"},
		{Clause: spec.ClauseParamReserved, Name: VariantIgnored,
			Description: "reserved is ignored: the call proceeds as with 0",
			Why:         "Wine's WS2_DisconnectEx ignores it; no observation of Windows either way"},
	},
	axFlags: {
		{Clause: spec.ClauseErrInvalFlags, Name: VariantEinval,
			Description: "flag bits other than TF_REUSE_SOCKET on a connected socket fail with WSAEINVAL",
			Why:         "the page says so (read as \"a nonzero value other than TF_REUSE_SOCKET\") and nothing public contradicts it"},
		{Clause: spec.ClauseErrInvalFlags, Name: VariantIgnored,
			Description: "unknown flag bits are ignored: the call proceeds with the TF_REUSE_SOCKET bit alone",
			Why:         "Wine's WS2_DisconnectEx ignores them; no observation of Windows either way"},
	},
	axTimeWaitSYN: {
		{Clause: spec.ClauseGapTimeWaitSYN, Name: VariantSYNTakesOver,
			Description: "a connect or ConnectEx whose SYN meets the listening side's TIME_WAIT row for the same 4-tuple (the server closed first; the client reconnects from the same port) reopens the pair: the row leaves the table at once and the connection is made",
			Why:         "RFC 1122 4.2.2.13 allows a TCP in TIME-WAIT to accept a new SYN and reopen the connection, and the DisconnectEx page itself says a connection in TIME_WAIT \"can be reopened at much less cost\"; this suite's reuse cases that reconnect a reused ConnectEx socket to the same server after the server closed first are written as Windows succeeding; the default"},
		{Clause: spec.ClauseGapTimeWaitSYN, Name: VariantSYNRefused,
			Description: "such a connect or ConnectEx fails at once with WSAEADDRINUSE until the listening side's row expires, as one whose own side holds the pair in TIME_WAIT does",
			Why:         "the page's \"while in the TIME_WAIT state, a socket pair cannot be re-used\" read for both ends of a loopback pair, and the Server 2003 SP1 note that TCP/IP reports an error for a new connection with the socket addresses of one in TIME WAIT; no observation of Windows either way"},
	},
	axUnreachable: {
		{Clause: spec.ClauseGapUnreachable, Name: VariantUnreachablePends,
			Description: "a ConnectEx on an overlapped socket to an unreachable host or network returns ERROR_IO_PENDING and completes with STATUS_HOST_UNREACHABLE or STATUS_NETWORK_UNREACHABLE (ERROR_HOST_UNREACHABLE, ERROR_NETWORK_UNREACHABLE)",
			Why:         "a refused ConnectEx pends on Windows and completes ERROR_CONNECTION_REFUSED (Wine sock.c test_connect, ok on Windows), as the emulator's overlapped requests do; no observation of an unreachable destination; the default"},
		{Clause: spec.ClauseGapUnreachable, Name: VariantUnreachableAtOnce,
			Description: "such a ConnectEx fails within the call with WSAEHOSTUNREACH or WSAENETUNREACH; no request starts and nothing completes",
			Why:         "the route is looked up before any SYN leaves, so the failure is known within the call; Wine 8.0 does so for a TCP connect to a multicast address (ENETUNREACH from Linux: this project's native backend under Wine); no observation of Windows either way"},
	},
}

// The first variant of each clause is its default.
func init() {
	for a := range variantTable {
		variantTable[a][0].Default = true
	}
}

// Variants lists every variant of every clause whose Windows behaviour the
// evidence does not settle, grouped by clause, each clause's default first.
func Variants() []Variant {
	var out []Variant
	for _, vs := range variantTable {
		out = append(out, vs...)
	}
	return out
}

// variantSet is the variant chosen on each axis (an index into
// variantTable; 0 is the default).
type variantSet [numAxes]uint8

func (vs *variantSet) is(a axis, name string) bool { return variantTable[a][vs[a]].Name == name }

// pick sets the variant of the clause; it fails for unknown clauses and
// names, listing what exists.
func (vs *variantSet) pick(clause, name string) error {
	for a := range variantTable {
		if variantTable[a][0].Clause != clause {
			continue
		}
		var names []string
		for i, v := range variantTable[a] {
			if v.Name == name {
				vs[a] = uint8(i)
				return nil
			}
			names = append(names, v.Name)
		}
		return fmt.Errorf("emulator: clause %s has no variant %q (want one of %s)", clause, name, strings.Join(names, ", "))
	}
	var clauses []string
	for a := range variantTable {
		clauses = append(clauses, variantTable[a][0].Clause)
	}
	return fmt.Errorf("emulator: clause %q has no variants (clauses with variants: %s)", clause, strings.Join(clauses, ", "))
}

// WithVariant makes the emulator follow the named variant of a clause
// (see Variants). New fails with an error naming the valid choices when
// the clause has no variants or no variant of that name. Later options
// override earlier ones for the same clause.
func WithVariant(clause, name string) Option {
	return func(c *config) {
		if err := c.variants.pick(clause, name); err != nil && c.err == nil {
			c.err = err
		}
	}
}

// Variants returns the variant the emulator follows for each clause with
// variants, in the order of the package function Variants.
func (e *Emulator) Variants() []Variant {
	out := make([]Variant, numAxes)
	for a := range variantTable {
		out[a] = variantTable[a][e.variants[a]]
	}
	return out
}

// timeWaitDelay is the TIME_WAIT delay for the settings under the chosen
// variant of DX-REM-TIMEWAIT-DEFAULT.
func (vs *variantSet) timeWaitDelay(s spec.Settings) time.Duration {
	if s.TcpTimedWaitDelay == spec.DefaultTcpTimedWaitDelay && vs.is(axDelayDefault, VariantDelay120) {
		return 120 * time.Second
	}
	return s.TcpTimedWaitDelay
}

// VariantRun is one run of ForEachVariant: a name for the subtest and the
// options that select its variants (none for the all-defaults run).
type VariantRun struct {
	Name     string    // "defaults", or the chosen variants joined by "+"
	Variants []Variant // the non-default variants of the run
	Options  []Option  // WithVariant for each of them
}

// interacting lists the axes whose variants act on the same state (the
// TIME_WAIT rows and when they end), so a combination of two of their
// non-default variants can give an outcome neither gives alone.
var interacting = []axis{axTimeWait, axDelayDefault, axTimeWaitSYN}

// VariantRuns returns the runs ForEachVariant makes, in order:
//
//   - the all-defaults run;
//   - one run per non-default variant, every other clause at its default;
//   - one run per pair of non-default variants of two interacting clauses
//     (DX-FLAG-TIMEWAIT and DX-REM-TIMEWAIT-DEFAULT both act on TIME_WAIT
//     rows and when they end).
//
// Not the full product: the other clauses' variants change the result of
// one argument check of one call (reserved, flag bits, datagram sockets),
// which returns before any state changes, so they cannot combine with
// another variant into a new outcome, and one run each finds what they
// change. The interacting clauses are combined pairwise: with two variants
// each, the pairs and the singles together are their full product.
func VariantRuns() []VariantRun {
	runs := []VariantRun{{Name: "defaults"}}
	single := func(a axis, i int) VariantRun {
		v := variantTable[a][i]
		return VariantRun{Name: v.String(), Variants: []Variant{v}, Options: []Option{WithVariant(v.Clause, v.Name)}}
	}
	for a := range variantTable {
		for i := 1; i < len(variantTable[a]); i++ {
			runs = append(runs, single(axis(a), i))
		}
	}
	for x := 0; x < len(interacting); x++ {
		for y := x + 1; y < len(interacting); y++ {
			ax, ay := interacting[x], interacting[y]
			for i := 1; i < len(variantTable[ax]); i++ {
				for j := 1; j < len(variantTable[ay]); j++ {
					r1, r2 := single(ax, i), single(ay, j)
					runs = append(runs, VariantRun{
						Name:     r1.Name + "+" + r2.Name,
						Variants: append(r1.Variants, r2.Variants...),
						Options:  append(r1.Options, r2.Options...),
					})
				}
			}
		}
	}
	return runs
}

// ForEachVariant runs f once per variant combination that can change an
// outcome (VariantRuns), each as a subtest of t named after its variants,
// with the options that select them. Pass the options to New:
//
//	emulator.ForEachVariant(t, func(t *testing.T, opts ...emulator.Option) {
//		e, err := emulator.New(spec.DefaultSettings(), opts...)
//		...
//	})
//
// A test of pooling code that passes on every run holds on every behaviour
// Windows may have where the evidence is split.
func ForEachVariant(t *testing.T, f func(t *testing.T, opts ...Option)) {
	t.Helper()
	for _, r := range VariantRuns() {
		t.Run(r.Name, func(t *testing.T) { f(t, r.Options...) })
	}
}
