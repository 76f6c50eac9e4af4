package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// runChurn is `disconnectex churn`: connection churn simulated in virtual
// time on the emulator (emulator.Churn), with the closed form beside it.
func runChurn(args []string, stdout, stderr io.Writer) int {
	w, format, results, code := churnRuns(args, stderr)
	if code != exitOK {
		return code
	}
	switch format {
	case "json":
		out := make([]churnJSON, len(results))
		for i, res := range results {
			out[i] = churnJSON{ChurnResult: res, ClosedForm: closedForm(w, res), Fixes: fixes(w, res, stderr)}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitUnexpected
		}
	case "svg":
		churnSVG(stdout, w, results)
	default:
		for _, res := range results {
			churnText(stdout, stderr, w, res)
		}
	}
	return exitOK
}

// churnRuns parses churn's flags and runs the simulations they ask for:
// one, or with -reuse one per variant of DX-FLAG-TIMEWAIT. It returns the
// workload, the -format asked for, the results and exitOK, or the exit
// status of a usage error it has reported on stderr.
func churnRuns(args []string, stderr io.Writer) (emulator.Workload, string, []*emulator.ChurnResult, int) {
	var w emulator.Workload
	fs := flag.NewFlagSet("churn", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rate := fs.String("rate", "10000/s", "connections a second (N/s)")
	ramp := fs.String("ramp-to", "", "if set, the rate at the end (N/s), reached linearly")
	dur := fs.Duration("for", time.Hour, "virtual time to simulate")
	serverFirst := fs.Bool("server-first", false, "the server closes first (the client is the passive closer)")
	delay := fs.Duration("delay", spec.DefaultTcpTimedWaitDelay, "TcpTimedWaitDelay")
	start := fs.Int("port-start", 49152, "first port of the dynamic range")
	count := fs.Int("port-count", 16384, "ports in the dynamic range")
	servers := fs.Int("servers", 1, "server ports (-server-port and the ones after it), used round-robin")
	serverPort := fs.Int("server-port", emulator.DefaultChurnPort, "the first server port")
	client := fs.String("client", emulator.DefaultChurnAddr.String(), "the clients' address: a loopback address (127.0.0.0/8 or ::1)")
	server := fs.String("server", emulator.DefaultChurnAddr.String(), "the servers' address: a loopback address of the client's family")
	reuse := fs.Int("reuse", 0, "reuse a pool of this many sockets (DisconnectEx TF_REUSE_SOCKET); with -reuse the run is repeated for each DX-FLAG-TIMEWAIT variant, unless -variant names one")
	format := fs.String("format", "text", "text, json or svg")
	limit := fs.Uint64("model-limit", 0, "if > 0, stop after this many connections (and pool sockets tried) run one by one; the leaps' are not counted")
	var variants []string
	fs.Func("variant", "CLAUSE=name: follow that variant (repeatable; see emulator.Variants)", func(v string) error {
		variants = append(variants, v)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: disconnectex churn [flags]\n\nSimulates connection churn in virtual time and reports TIME_WAIT rows and ports\nover time, the first WSAENOBUFS/WSAEADDRINUSE, the sustainable rate and what would fix it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return w, "", nil, exitUsage
	}
	r, err := parseRate(*rate)
	if err != nil {
		fmt.Fprintln(stderr, "churn:", err)
		return w, "", nil, exitUsage
	}
	var rt float64
	if *ramp != "" {
		if rt, err = parseRate(*ramp); err != nil {
			fmt.Fprintln(stderr, "churn:", err)
			return w, "", nil, exitUsage
		}
	}
	if *format != "text" && *format != "json" && *format != "svg" {
		fmt.Fprintf(stderr, "churn: unknown format %q (text, json or svg)\n", *format)
		return w, "", nil, exitUsage
	}
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = *delay
	if *start < 1 || *start > 65535 || *count < 1 {
		fmt.Fprintf(stderr, "churn: port range %d+%d is not within 1..65535\n", *start, *count)
		return w, "", nil, exitUsage
	}
	s.DynamicPorts = spec.PortRange{Start: uint16(*start), Count: *count}
	if err := s.Validate(); err != nil {
		fmt.Fprintln(stderr, "churn:", err)
		return w, "", nil, exitUsage
	}
	var opts []emulator.Option
	for _, v := range variants {
		c, n, ok := strings.Cut(v, "=")
		if !ok {
			fmt.Fprintf(stderr, "churn: -variant %q: want CLAUSE=name\n", v)
			return w, "", nil, exitUsage
		}
		opts = append(opts, emulator.WithVariant(c, n))
	}
	if *serverPort < 1 || *serverPort > 65535 {
		fmt.Fprintf(stderr, "churn: -server-port %d is not within 1..65535\n", *serverPort)
		return w, "", nil, exitUsage
	}
	var addrs [2]netip.Addr
	for i, a := range []string{*client, *server} {
		if addrs[i], err = netip.ParseAddr(a); err != nil {
			fmt.Fprintf(stderr, "churn: -%s %q: %v\n", []string{"client", "server"}[i], a, err)
			return w, "", nil, exitUsage
		}
	}
	w = emulator.Workload{Rate: r, RampTo: rt, Duration: *dur, Servers: *servers, CloserServer: *serverFirst,
		Client: addrs[0], Server: addrs[1], Port: uint16(*serverPort), Reuse: *reuse, Settings: s}
	w.ModelLimit = *limit
	runs := [][]emulator.Option{opts}
	chosen := false // a -variant names DX-FLAG-TIMEWAIT: run only that one
	for _, v := range variants {
		chosen = chosen || strings.HasPrefix(v, spec.ClauseFlagTimeWait+"=")
	}
	if *reuse > 0 && !chosen {
		runs = nil
		for _, v := range emulator.Variants() {
			if v.Clause == spec.ClauseFlagTimeWait {
				runs = append(runs, append(append([]emulator.Option(nil), opts...), emulator.WithVariant(v.Clause, v.Name)))
			}
		}
	}
	var results []*emulator.ChurnResult
	for _, o := range runs {
		w.Options = o
		began := time.Now()
		w.Progress = func(v time.Duration) {
			if time.Since(began) > time.Second {
				fmt.Fprintf(stderr, "churn: %v of %v virtual time simulated\n", v.Round(time.Second), *dur)
			}
		}
		res, err := emulator.Churn(w)
		if errors.Is(err, emulator.ErrChurnLimit) {
			fmt.Fprintf(stderr, "churn: %v (-model-limit %d)\n", err, *limit)
			return w, "", nil, exitUsage
		}
		if err != nil {
			fmt.Fprintln(stderr, "churn:", err)
			return w, "", nil, exitUsage
		}
		results = append(results, res)
	}
	return w, *format, results, exitOK
}

type churnJSON struct {
	*emulator.ChurnResult
	ClosedForm float64    `json:"closed_form_rate"` // connections a second the TIME_WAIT model sustains, +Inf as -1
	Fixes      []churnFix `json:"fixes"`
}

// parseRate reads "10000/s", "10000" or "600/m".
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(s, "/")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("rate %q: want a positive number of connections a second, as 10000/s", s)
	}
	switch unit {
	case "", "s":
	case "m", "min":
		v /= 60
	case "h":
		v /= 3600
	default:
		return 0, fmt.Errorf("rate %q: unit %q is not s, m or h", s, unit)
	}
	return v, nil
}

// closedForm is the rate the TIME_WAIT model sustains: ports / delay when
// the client's rows hold its ports, pool size / delay for a pool that
// waits out TIME_WAIT; -1 when TIME_WAIT does not limit the rate.
func closedForm(w emulator.Workload, res *emulator.ChurnResult) float64 {
	d := w.Settings.TcpTimedWaitDelay.Seconds()
	if d == 0 {
		return -1
	}
	switch {
	case w.Reuse > 0 && !w.CloserServer && variantOf(res, spec.ClauseFlagTimeWait) == spec.ClauseFlagTimeWait+" "+emulator.VariantReuseWaits:
		// Each socket waits out its own TIME_WAIT in DisconnectEx, whatever
		// the server.
		return float64(w.Reuse) / d
	case w.Reuse > 0 && !w.CloserServer:
		// A socket's rows hold 4-tuples: one per server it has reached.
		return float64(w.Reuse*max(w.Servers, 1)) / d
	case w.Reuse > 0:
		return -1
	case !w.CloserServer:
		r := w.Settings.DynamicPorts
		return float64(usablePorts(w, int(r.Start), r.Count)) / d
	}
	return -1
}

// churnSummary describes the workload in one line.
func churnSummary(w emulator.Workload) string {
	s := fmt.Sprintf("%.6g connections/s for %v, %s closes first, TcpTimedWaitDelay %v, ports %d-%d",
		w.Rate, w.Duration, map[bool]string{true: "the server", false: "the client"}[w.CloserServer],
		w.Settings.TcpTimedWaitDelay, w.Settings.DynamicPorts.Start, int(w.Settings.DynamicPorts.Start)+w.Settings.DynamicPorts.Count-1)
	if w.RampTo > 0 {
		s += fmt.Sprintf(" (ramping to %.6g/s)", w.RampTo)
	}
	client, server := orDefault(w.Client), orDefault(w.Server)
	if client != emulator.DefaultChurnAddr || server != emulator.DefaultChurnAddr || firstServerPort(w) != emulator.DefaultChurnPort {
		s += fmt.Sprintf(", clients on %v, servers on %v", client, netip.AddrPortFrom(server, uint16(firstServerPort(w))))
	}
	if w.Servers > 1 {
		s += fmt.Sprintf(", %d server ports", w.Servers)
	}
	if w.Reuse > 0 {
		s += fmt.Sprintf(", reuse pool of %d", w.Reuse)
	}
	return s
}

// orDefault is a, or Workload's default address when a is unset.
func orDefault(a netip.Addr) netip.Addr {
	if !a.IsValid() {
		return emulator.DefaultChurnAddr
	}
	return a
}

// churnText prints the report of one result; progress lines of the fixes'
// simulations go to stderr.
func churnText(out, stderr io.Writer, w emulator.Workload, res *emulator.ChurnResult) {
	fmt.Fprintln(out, "churn:", churnSummary(w))
	fmt.Fprintf(out, "variants: %s\n", strings.Join(res.Variants, " "))
	fmt.Fprintf(out, "connections: %d attempted, %d made; peak TIME_WAIT rows %d\n", res.Attempts, res.Succeeded, res.PeakRows)
	if res.First == nil {
		fmt.Fprintln(out, "exhaustion: none")
	} else {
		for _, f := range res.Failures {
			fmt.Fprintf(out, "first %s: at %v (connection %d)\n", f.Err, f.Time.Round(time.Microsecond), f.Attempt)
		}
	}
	if cf := closedForm(w, res); cf >= 0 {
		fmt.Fprintf(out, "sustainable rate: %.4g connections/s (closed form), %.4g measured over %s\n", cf, res.Measured, measuredOver(w, res))
	} else {
		fmt.Fprintf(out, "sustainable rate: not limited by TIME_WAIT; %.4g connections/s measured over %s\n", res.Measured, measuredOver(w, res))
	}
	fmt.Fprintln(out, "time        TIME_WAIT  ports-in-use  free-ports  failures")
	step := max(len(res.Samples)/10, 1)
	for i := 0; i < len(res.Samples); i += step {
		s := res.Samples[i]
		fmt.Fprintf(out, "%-10v  %9d  %12d  %10d  %8d\n", s.Time.Round(time.Millisecond), s.TimeWait, s.PortsInUse, s.FreePorts, s.Failures)
	}
	for _, f := range fixes(w, res, stderr) {
		fmt.Fprintln(out, f)
	}
	fmt.Fprintln(out)
}

// measuredOver names the window the measured rate was taken over.
func measuredOver(w emulator.Workload, res *emulator.ChurnResult) string {
	d := w.Settings.TcpTimedWaitDelay
	if n := res.MeasuredOver / max(d, 1); d > 0 && n >= 1 && n*d == res.MeasuredOver {
		return fmt.Sprintf("the last %d x %v (whole TIME_WAIT periods)", n, d)
	}
	if d > 0 {
		return fmt.Sprintf("the second half (%v, shorter than one TIME_WAIT period)", res.MeasuredOver)
	}
	return "the second half"
}
