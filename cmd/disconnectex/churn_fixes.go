package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// The changes churn suggests when a workload fails. Each one is simulated
// before it is printed, on the same variants, and the report says whether
// it alone removes every failure: a closed form is a guess at the
// boundary (a range of exactly rate x delay ports still fails, as the
// first connection's row leaves at the very instant the last one needs its
// port; the listener's own port may lie inside the range; a pool's sockets
// hold ports of the range too). Where the closed form gives a value, the
// search tries it and a few past it. At a constant rate that value is the
// boundary (TestChurnFixesAreBoundaries: one step short fails); under a
// ramp the closed form takes the peak rate, so the value found is enough
// but may not be the tightest.

// maxFixConnections bounds the connections a fix's simulation runs one by
// one (emulator.Workload.ModelLimit; the leaps cover most changes, a reuse
// pool with the client closing first they do not); past it the change is
// printed as not simulated. A few seconds of work on this machine.
const maxFixConnections = 2_000_000

// maxFixServers is the most server ports a fix suggests listening on.
const maxFixServers = 1024

// fixSearch is how many values past the closed form's the search tries.
const fixSearch = 4

// A churnFix is one suggested change and what simulating it showed.
type churnFix struct {
	Change     string                 `json:"change"`
	Simulated  bool                   `json:"simulated"`
	Sufficient bool                   `json:"sufficient"`              // simulated with no failure
	First      *emulator.ChurnFailure `json:"first_failure,omitempty"` // simulated: the first failure left
	Note       string                 `json:"note,omitempty"`          // why it was not simulated
}

// String is the fix as the text report prints it.
func (f churnFix) String() string {
	switch {
	case f.Sufficient:
		return "fix: " + f.Change + " (simulated: no failure)"
	case f.Simulated:
		return fmt.Sprintf("not enough alone: %s (simulated: first %s at %v)", f.Change, f.First.Err, f.First.Time.Round(time.Millisecond))
	}
	return "not simulated: " + f.Change + " (" + f.Note + ")"
}

// usablePorts is the number of ports of a range from start, count long,
// that the workload's listeners (ports Port to Port+Servers-1) do not hold:
// they share the port space with the clients on loopback.
func usablePorts(w emulator.Workload, start, count int) int {
	port := firstServerPort(w)
	lo, hi := max(start, port), min(start+count, port+max(w.Servers, 1))
	return count - max(hi-lo, 0)
}

// firstServerPort is the workload's first server port, its default
// included.
func firstServerPort(w emulator.Workload) int {
	if w.Port == 0 {
		return emulator.DefaultChurnPort
	}
	return int(w.Port)
}

// rangeFor is the length of the range from 1025 that has n ports the
// listeners do not hold, at most the widest range.
func rangeFor(w emulator.Workload, n int) int {
	c := n
	// usablePorts grows by at most one a port, so jumping by the deficit
	// never passes the answer.
	for u := usablePorts(w, 1025, c); u < n && c < 65535-1024; u = usablePorts(w, 1025, c) {
		c = min(c+n-u, 65535-1024)
	}
	return c
}

// fixes simulates the changes that could make w, which failed (res), run
// without failures. A simulation that takes over a second says how far it
// is on stderr.
func fixes(w emulator.Workload, res *emulator.ChurnResult, stderr io.Writer) []churnFix {
	if res.First == nil {
		return nil
	}
	w.Progress = nil
	w.Options = nil
	for _, v := range res.Variants {
		if c, n, ok := strings.Cut(v, "="); ok {
			w.Options = append(w.Options, emulator.WithVariant(c, n))
		}
	}
	w.Port = uint16(firstServerPort(w))
	servers := max(w.Servers, 1)
	peak := max(w.Rate, w.RampTo)
	d := w.Settings.TcpTimedWaitDelay.Seconds()
	var out []churnFix

	// search simulates change(v) for v = from, from+dir, ... (while ok)
	// and keeps the first that is sufficient, or the last tried. A change
	// that gives the workload of the try before it ends the search.
	search := func(from, dir int, ok func(v int) bool, change func(v int) (string, emulator.Workload)) {
		var last churnFix
		var prev emulator.Workload
		for k := 0; k < fixSearch; k++ {
			v := from + k*dir
			if !ok(v) {
				break
			}
			what, w2 := change(v)
			if k > 0 && w2.Settings == prev.Settings && w2.Reuse == prev.Reuse && w2.Servers == prev.Servers {
				break
			}
			prev = w2
			last = simulateFix(what, w2, stderr)
			if last.Sufficient || !last.Simulated {
				break
			}
		}
		if last.Change != "" {
			out = append(out, last)
		}
	}
	ports := w.Settings.DynamicPorts
	usable := usablePorts(w, int(ports.Start), ports.Count)
	const widest = 65535 - 1024 // 1025-65535, the guide's widest range
	isWidest := ports.Start == 1025 && ports.Count >= widest
	if w.Reuse == 0 && !w.CloserServer {
		need := int(math.Floor(peak*d)) + 1
		switch {
		case need > usablePorts(w, 1025, widest):
			out = append(out, churnFix{Change: fmt.Sprintf("more ports: %d would be needed, more than 1025-65535 holds", need),
				Note: "no such range"})
		case !isWidest:
			search(need, 1, func(n int) bool { return n <= widest }, func(n int) (string, emulator.Workload) {
				w2 := w
				w2.Settings.DynamicPorts = spec.PortRange{Start: 1025, Count: rangeFor(w, n)}
				return fmt.Sprintf("more ports: a dynamic range of %d ports (netsh int ipv4 set dynamicport tcp start=1025 num=%d; the guide's minimum start is 1025)",
					w2.Settings.DynamicPorts.Count, w2.Settings.DynamicPorts.Count), w2
			})
		}
		delayFix := func(name string, r spec.PortRange) {
			u := usablePorts(w, int(r.Start), r.Count)
			sec := int(math.Floor(float64(u) / peak))
			if sec < 1 {
				out = append(out, churnFix{Change: fmt.Sprintf("%sno delay of 1 s or more: %d ports last %.2f s at this rate", name, u, float64(u)/peak),
					Note: "no whole number of seconds is short enough but 0"})
				return
			}
			cur := int(w.Settings.TcpTimedWaitDelay / time.Second)
			sec = min(sec, cur-1) // shorter than now, whatever the closed form allows
			search(sec, -1, func(s int) bool { return s >= 1 }, func(s int) (string, emulator.Workload) {
				w2 := w
				w2.Settings.DynamicPorts = r
				w2.Settings.TcpTimedWaitDelay = time.Duration(s) * time.Second
				return fmt.Sprintf("%sTcpTimedWaitDelay %d s%s", name, s, belowMinimum(s)), w2
			})
		}
		delayFix("a shorter delay: ", ports)
		if need > usablePorts(w, 1025, widest) && !isWidest { // more ports alone cannot: both together
			delayFix("both: the widest range (start=1025 num=64511) with ", spec.PortRange{Start: 1025, Count: widest})
		}
	}
	if w.Reuse > 0 && !w.CloserServer {
		// Under after-close a socket's rows hold 4-tuples, one per server
		// it has reached, so a pool of p sustains p x servers / delay;
		// under waits each socket waits its delay out, whatever the server.
		waits := variantOf(res, spec.ClauseFlagTimeWait) == spec.ClauseFlagTimeWait+" "+emulator.VariantReuseWaits
		per := float64(servers)
		if waits {
			per = 1
		}
		pool := int(math.Floor(peak*d/per)) + 1
		switch {
		case pool > emulator.MaxChurnPool || pool > usablePorts(w, 1025, widest):
			out = append(out, churnFix{Change: fmt.Sprintf("a bigger pool: %d sockets would be needed, and as many ports", pool), Note: "more than a range holds"})
		default:
			search(pool, 1, func(p int) bool { return p <= emulator.MaxChurnPool }, func(p int) (string, emulator.Workload) {
				w2 := w
				w2.Reuse = p
				what := fmt.Sprintf("a pool of %d sockets", p)
				if usable < p { // each socket holds a port of the range
					n := rangeFor(w, p)
					w2.Settings.DynamicPorts = spec.PortRange{Start: 1025, Count: n}
					what += fmt.Sprintf(", with a range that holds them (start=1025 num=%d)", n)
				}
				return what, w2
			})
		}
		if !waits && res.First.Err == "WSAEADDRINUSE" {
			// Each server port adds a pair per pool socket.
			need := int(math.Floor(peak*d/float64(w.Reuse))) + 1
			switch {
			case need <= servers:
			case need > maxFixServers || int(w.Port)+need-1 > 65535:
				out = append(out, churnFix{Change: fmt.Sprintf("more server endpoints: %d server ports would be needed for the pool of %d", need, w.Reuse),
					Note: fmt.Sprintf("more than %d", maxFixServers)})
			default:
				search(need, 1, func(n int) bool { return n <= maxFixServers && int(w.Port)+n-1 <= 65535 }, func(n int) (string, emulator.Workload) {
					w2 := w
					w2.Servers = n
					return fmt.Sprintf("more server endpoints: %d server ports for the pool of %d (-servers %d)", n, w.Reuse, n), w2
				})
			}
		}
	}
	if !w.CloserServer {
		w2 := w
		w2.CloserServer = true
		out = append(out, simulateFix("the server closing first: its TIME_WAIT rows hold no client port (-server-first)", w2, stderr))
	}
	return out
}

// simulateFix runs the changed workload w and reports whether it fails.
func simulateFix(change string, w emulator.Workload, stderr io.Writer) churnFix {
	f := churnFix{Change: change}
	w.ModelLimit = maxFixConnections
	began := time.Now()
	w.Progress = func(v time.Duration) {
		if time.Since(began) > time.Second {
			fmt.Fprintf(stderr, "churn: checking %q: %v of %v virtual time simulated\n", change, v.Round(time.Second), w.Duration)
		}
	}
	res, err := emulator.Churn(w)
	if errors.Is(err, emulator.ErrChurnLimit) {
		f.Note = fmt.Sprintf("over %d connections one by one; run churn with the change to see", maxFixConnections)
		return f
	}
	if err != nil {
		f.Note = err.Error()
		return f
	}
	f.Simulated, f.Sufficient, f.First = true, res.First == nil, res.First
	return f
}

// belowMinimum warns when a delay of sec seconds is under the 30 s the
// older TCP/IP references give as TcpTimedWaitDelay's minimum (the
// DisconnectEx page allows 0 to 300 s; spec.Settings.Validate follows it).
func belowMinimum(sec int) string {
	if sec < 30 {
		return " (under 30 s, the minimum the Windows 2000 and XP/2003 references give; the DisconnectEx page allows 0-300 s)"
	}
	return ""
}
