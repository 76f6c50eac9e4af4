package emulator

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// A Workload is connection churn to simulate in virtual time (Churn):
// clients open connections to servers at a rate, and each connection is
// closed at once, by the side CloserServer says. The simulation runs the
// emulator's own calls (socket, connect or ConnectEx, accept, closesocket,
// DisconnectEx) on one emulator, below the API's per-call lock, so its TCP
// table is the one the API would build (TestChurnMatchesAPI). Once the
// server closing first has brought the table to a periodic steady state
// (every connection's SYN takes over the oldest row, and no row can
// expire first), it counts whole periods instead of running each
// connection, and gives the rows the expiries they would have; the
// results are the same as without that leap (TestChurnLeapExact). With a
// reuse pool and the server closing first the same holds: a reused socket
// keeps its local port, so the period is one row per server and pool
// socket in use. With the client closing first on a range that outlasts
// the delay, every connection takes the next port and leaves its own row,
// and the rest of the run is counted the same way (churn_turnover.go).
type Workload struct {
	Rate     float64       // connections a second at the start (> 0)
	RampTo   float64       // if > 0, the rate at the end, reached linearly
	Duration time.Duration // virtual time to simulate (> 0)

	Client  netip.Addr // the clients' address (loopback); default DefaultChurnAddr
	Server  netip.Addr // the servers' address (loopback); default DefaultChurnAddr
	Port    uint16     // the first server port; default DefaultChurnPort
	Servers int        // server ports Port, Port+1, ..., taken round-robin; default 1

	CloserServer bool // the server closes first (the client is the passive closer)
	Reuse        int  // if > 0, a pool of this many client sockets (at most MaxChurnPool) reused with DisconnectEx(TF_REUSE_SOCKET) and ConnectEx

	Settings spec.Settings // TcpTimedWaitDelay and the dynamic port range
	Options  []Option      // WithVariant and WithProfile choices; WithTrace is refused

	Samples  int                         // points in the time series; default 200
	Progress func(virtual time.Duration) // if set, called about every 2^20 connections

	// ModelLimit, if > 0, bounds the work of a simulation independently
	// of the machine: the connections run one by one through the model,
	// and with a pool each socket a connection tries (those the leaps
	// count and the failures skipped while nothing can change do not
	// count). Past it Churn stops and returns an error that wraps
	// ErrChurnLimit.
	ModelLimit uint64
}

// ErrChurnLimit is the error of a simulation that reached its
// Workload.ModelLimit.
var ErrChurnLimit = errors.New("emulator: churn reached its ModelLimit")

// DefaultChurnPort is Workload.Port when none is given.
const DefaultChurnPort = 8080

// DefaultChurnAddr is Workload.Client and Workload.Server when none is
// given: 127.0.0.1.
var DefaultChurnAddr = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// MaxChurnConnections bounds one simulation: Rate x Duration (or the ramp's
// mean) may not exceed it.
const MaxChurnConnections = 1 << 32

// MaxChurnDuration bounds a simulation's virtual length (about 100 years), so
// that sums of sample times stay far inside int64 nanoseconds.
const MaxChurnDuration = 100 * 365 * 24 * time.Hour

// MaxChurnPool bounds Workload.Reuse: each pool socket holds two
// OVERLAPPEDs (its ConnectEx and its DisconnectEx), and an emulator holds
// at most 1<<20 OVERLAPPEDs at once.
const MaxChurnPool = (ovIdxMask + 1) / 2

// nanos converts t seconds of simulated time to nanoseconds, saturating at
// the largest int64 instead of wrapping (a tiny rate makes t huge).
func nanos(t float64) int64 {
	if ns := t * 1e9; ns < math.MaxInt64 {
		return int64(ns)
	}
	return math.MaxInt64
}

// ChurnSample is the state at one instant of the simulation.
type ChurnSample struct {
	Time       time.Duration `json:"time_ns"`
	TimeWait   int           `json:"time_wait_rows"` // TIME_WAIT rows in the TCP table
	PortsInUse int           `json:"ports_in_use"`   // dynamic ports held by sockets or TIME_WAIT rows
	FreePorts  int           `json:"free_ports"`     // dynamic ports free
	Attempts   uint64        `json:"attempts"`       // connections attempted so far
	Failures   uint64        `json:"failures"`       // of which failed
}

// ChurnFailure is the first failure of a kind.
type ChurnFailure struct {
	Err     string        `json:"error"` // WSAENOBUFS, WSAEADDRINUSE, or "pool exhausted"
	Time    time.Duration `json:"time_ns"`
	Attempt uint64        `json:"attempt"` // 1-based
}

// ChurnResult is what a simulation found.
type ChurnResult struct {
	Samples   []ChurnSample  `json:"samples"`
	First     *ChurnFailure  `json:"first_failure,omitempty"` // the first failure of any kind
	Failures  []ChurnFailure `json:"failures_by_error"`       // the first of each kind, in order
	Attempts  uint64         `json:"attempts"`
	Succeeded uint64         `json:"succeeded"`
	PeakRows  int            `json:"peak_time_wait_rows"`
	Variants  []string       `json:"variants"`
	// Measured is the rate connections succeeded at (connections a second)
	// over MeasuredOver, the end of the run: as many whole TcpTimedWaitDelay
	// periods as fit in its second half, or the second half when none does
	// (or the delay is 0). Rows leave a delay after they came, so a TIME_WAIT
	// bound steady state repeats every delay; over whole periods its bursts
	// count whole, where a window cut inside one would count a burst more
	// or less (the client closing first at 10,000/s for an hour: 63.7/s over
	// the second half, 68.3/s over its seven whole periods).
	Measured     float64       `json:"measured_rate"`
	MeasuredOver time.Duration `json:"measured_window_ns"`
	// Table is the TCP table at the end (TIME_WAIT rows and listeners).
	Table []spec.TCPRow `json:"-"`

	leapt uint64      // connections the leaps counted (churn_leap.go, churn_turnover.go)
	state *churnState // the model's state at the end, for TestChurnLeapExact (churnKeepState)
}

// Churn runs a workload on a new emulator and reports what happened.
func Churn(w Workload) (*ChurnResult, error) {
	w, err := w.normalize()
	if err != nil {
		return nil, err
	}
	e, err := New(w.Settings, w.Options...)
	if err != nil {
		return nil, err
	}
	if e.tr != nil {
		return nil, errors.New("emulator: Churn runs without a trace (WithTrace would record every connection)")
	}
	if e.vclock == nil {
		return nil, errors.New("emulator: Churn needs the virtual clock")
	}
	sim := &churnSim{w: w, e: e, res: &ChurnResult{}}
	for _, v := range e.Variants() {
		sim.res.Variants = append(sim.res.Variants, v.String())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := sim.setup(); err != nil {
		return nil, err
	}
	if err := sim.loop(); err != nil {
		return nil, err
	}
	sim.res.Table = e.tcpTable()
	if churnKeepState {
		sim.res.state = sim.state()
	}
	return sim.res, nil
}

func (w Workload) normalize() (Workload, error) {
	if !(w.Rate > 0) || math.IsInf(w.Rate, 0) || w.RampTo < 0 || math.IsNaN(w.RampTo) || math.IsInf(w.RampTo, 0) {
		return w, fmt.Errorf("emulator: churn rate %v (ramp to %v) must be a positive finite number of connections a second", w.Rate, w.RampTo)
	}
	if w.Duration <= 0 || w.Duration > MaxChurnDuration {
		return w, fmt.Errorf("emulator: churn duration %v must be positive and at most %v", w.Duration, MaxChurnDuration)
	}
	mean := w.Rate
	if w.RampTo > 0 {
		mean = (w.Rate + w.RampTo) / 2
	}
	if n := mean * w.Duration.Seconds(); n > MaxChurnConnections {
		return w, fmt.Errorf("emulator: churn of %.0f connections exceeds the limit of %d", n, uint64(MaxChurnConnections))
	}
	if !w.Client.IsValid() {
		w.Client = DefaultChurnAddr
	}
	if !w.Server.IsValid() {
		w.Server = DefaultChurnAddr
	}
	if !w.Client.IsLoopback() || !w.Server.IsLoopback() || w.Client.Is4() != w.Server.Is4() {
		return w, fmt.Errorf("emulator: churn addresses %v and %v must be loopback addresses of one family", w.Client, w.Server)
	}
	if w.Port == 0 {
		w.Port = DefaultChurnPort
	}
	if w.Servers <= 0 {
		w.Servers = 1
	}
	if int(w.Port)+w.Servers-1 > 65535 {
		return w, fmt.Errorf("emulator: %d server ports from %d pass 65535", w.Servers, w.Port)
	}
	if w.Reuse < 0 || w.Reuse > MaxChurnPool {
		return w, fmt.Errorf("emulator: reuse pool of %d sockets is outside 0..%d (MaxChurnPool)", w.Reuse, MaxChurnPool)
	}
	if w.Samples <= 0 {
		w.Samples = 200
	}
	if w.Samples > 100_000 {
		w.Samples = 100_000
	}
	if w.Settings == (spec.Settings{}) {
		w.Settings = spec.DefaultSettings()
	}
	return w, nil
}

type churnSim struct {
	w   Workload
	e   *Emulator
	res *ChurnResult

	af        int
	listeners []spec.Socket
	servers   []netip.AddrPort
	next      int // round-robin server index

	// the reuse pool: pool[i] is the i-th socket made; idle and busy hold
	// indices into it (busy: waiting for their reuse, in the order they
	// started it)
	pool       []pooled
	idle, busy queue

	firsts    map[string]bool
	ok        uint64 // successes
	failRun   int    // WSAEADDRINUSE failures of a full pool in a row, with failLive rows (unchanging)
	failLive  int
	modelRuns uint64 // attempts run through the model, and pool sockets tried (ModelLimit)

	// the window of ChurnResult.Measured: it starts at from, when okFrom
	// successes had been counted
	from     int64
	okFrom   uint64
	windowed bool // okFrom is set

	steady churnSteady   // the leap over a periodic steady state (churn_leap.go)
	turn   churnTurnover // the leap over a turnover of ports (churn_turnover.go)
}

func (s *churnSim) setup() error {
	e := s.e
	s.af = spec.AF_INET
	if !s.w.Client.Is4() {
		s.af = spec.AF_INET6
	}
	s.firsts = map[string]bool{}
	s.initSteady()
	for i := 0; i < s.w.Servers; i++ {
		addr := netip.AddrPortFrom(s.w.Server, s.w.Port+uint16(i))
		l, err := e.socketCall(s.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
		if err == nil {
			err = errOf(e.bind(e.sock(l), addr))
		}
		if err == nil {
			err = errOf(e.listen(e.sock(l)))
		}
		if err != nil {
			return fmt.Errorf("emulator: churn listener %v: %w", addr, err)
		}
		s.listeners = append(s.listeners, l)
		s.servers = append(s.servers, addr)
	}
	s.initTurnover()
	return nil
}

// rateAt is the connection rate at virtual time t.
func (s *churnSim) rateAt(t float64) float64 {
	if s.w.RampTo <= 0 {
		return s.w.Rate
	}
	return s.w.Rate + (s.w.RampTo-s.w.Rate)*t/s.w.Duration.Seconds()
}

func (s *churnSim) loop() error {
	e := s.e
	end := int64(s.w.Duration)
	s.from = measureFrom(end, e.delay)
	step := end / int64(s.w.Samples)
	if step < 1 {
		step = 1
	}
	nextSample := int64(0)
	t := 0.0 // seconds
	var attempts uint64
	for {
		now := nanos(t)
		if now > end {
			break
		}
		for nextSample <= now && nextSample <= end {
			s.sample(nextSample, attempts)
			nextSample += step
		}
		s.window(now)
		e.vclock.advanceTo(e.epoch + time.Duration(now))
		e.expireDue()
		attempts++
		if s.w.Progress != nil && attempts&(1<<20-1) == 0 {
			s.w.Progress(time.Duration(now))
		}
		var m steadyMark
		marked := false
		if s.steady.on {
			m, marked = s.mark()
		}
		cursor := e.ports.cursor
		if s.modelRuns++; s.w.ModelLimit > 0 && s.modelRuns > s.w.ModelLimit {
			return fmt.Errorf("%w: %d connections and pool sockets tried one by one by %v of virtual time", ErrChurnLimit, s.w.ModelLimit, time.Duration(now))
		}
		errName := s.attempt()
		if errName == "" {
			s.ok++
			s.failRun = 0
			if s.steady.on && s.afterAttempt(m, marked, s.rateAt(t)) {
				t += 1 / s.rateAt(t)
				t = s.leap(t, end, &attempts, &nextSample, step)
				continue
			}
			if s.turn.on && s.turned(cursor) {
				t += 1 / s.rateAt(t)
				t = s.turnoverLeap(t, end, &attempts, &nextSample, step)
				continue
			}
		} else {
			s.steady.streak, s.turn.streak = 0, 0
			s.fail(errName, now, attempts)
			if s.unchanging(errName) && churnLeapOn {
				// Nothing changes until the next TIME_WAIT row leaves: every
				// attempt until then fails the same way, without touching
				// any state but the round robin over the servers (no port
				// is taken, no cursor moves; a pool tried every idle socket
				// and its queue is back in order). Count them.
				skipTo := end + 1
				if exp, ok := e.tw.nextExpiry(); ok && exp < skipTo {
					skipTo = exp
				}
				skipped := 0
				for {
					nt := t + 1/s.rateAt(t)
					if nanos(nt) >= skipTo || nanos(nt) > end {
						break
					}
					t = nt
					// As the loop does: the samples due by this attempt
					// first, then the attempt.
					for nextSample <= nanos(t) && nextSample <= end {
						s.sampleAt(nextSample, attempts)
						nextSample += step
					}
					attempts++
					skipped++
					if s.w.Progress != nil && attempts&(1<<20-1) == 0 {
						s.w.Progress(time.Duration(nanos(t)))
					}
				}
				s.next = (s.next + skipped%len(s.servers)) % len(s.servers)
			}
		}
		t += 1 / s.rateAt(t)
	}
	for nextSample <= end {
		s.sample(nextSample, attempts)
		nextSample += step
	}
	s.window(end + 1)
	s.res.Attempts = attempts
	s.res.Succeeded = s.ok
	s.res.MeasuredOver = time.Duration(end - s.from)
	s.res.Measured = float64(s.ok-s.okFrom) / s.res.MeasuredOver.Seconds()
	return nil
}

// measureFrom is where ChurnResult.Measured's window begins in a run of
// end nanoseconds with TIME_WAIT rows of delay nanoseconds: whole delays
// back from the end, as many as fit in the second half, or half-way.
func measureFrom(end, delay int64) int64 {
	half := end - end/2
	if delay <= 0 || delay > half {
		return end / 2
	}
	return end - half/delay*delay
}

// window notes the successes counted before the first attempt at or after
// the window's start (now is that attempt's time).
func (s *churnSim) window(now int64) {
	if !s.windowed && now >= s.from {
		s.okFrom, s.windowed = s.ok, true
	}
}

// unchanging reports, after an attempt that failed with errName, whether
// every attempt until the next TIME_WAIT row leaves must fail the same way.
// Without a pool, or with one server, a failure takes no port and moves no
// cursor. With a full pool and several servers a WSAEADDRINUSE changes the
// round robin only: once every server has failed in a row after a first
// failure (which may have moved the pool's finished sockets to the idle
// queue), with no row gone meanwhile, the state repeats every round.
func (s *churnSim) unchanging(errName string) bool {
	if errName != "WSAEADDRINUSE" || s.w.Reuse == 0 || len(s.servers) == 1 {
		return true
	}
	if len(s.pool) < s.w.Reuse {
		s.failRun = 0 // the next failure may make a socket
		return false
	}
	if s.failRun == 0 || s.e.tw.live != s.failLive {
		s.failRun, s.failLive = 0, s.e.tw.live
	}
	s.failRun++
	return s.failRun > len(s.servers)
}

func (s *churnSim) fail(name string, now int64, attempt uint64) {
	if s.firsts[name] {
		return
	}
	s.firsts[name] = true
	f := ChurnFailure{Err: name, Time: time.Duration(now), Attempt: attempt}
	s.res.Failures = append(s.res.Failures, f)
	if s.res.First == nil {
		s.res.First = &f
	}
}

// sample records the state at virtual time at (with the clock moved there).
func (s *churnSim) sample(at int64, attempts uint64) {
	e := s.e
	e.vclock.advanceTo(e.epoch + time.Duration(at))
	e.expireDue()
	s.sampleAt(at, attempts)
}

func (s *churnSim) sampleAt(at int64, attempts uint64) {
	s.record(at, attempts, s.e.tw.live, s.e.ports.free[famIndex(s.af)])
}

// record adds the sample of a state with rows TIME_WAIT rows and free
// ports of the dynamic range free.
func (s *churnSim) record(at int64, attempts uint64, rows, free int) {
	count := s.e.ports.end - int(s.e.ports.rng.Start) + 1
	smp := ChurnSample{Time: time.Duration(at), TimeWait: rows, PortsInUse: count - free, FreePorts: free,
		Attempts: attempts, Failures: attempts - s.ok}
	if smp.TimeWait > s.res.PeakRows {
		s.res.PeakRows = smp.TimeWait
	}
	s.res.Samples = append(s.res.Samples, smp)
}

// attempt makes one connection and closes it; it returns "" on success,
// else the error's name.
func (s *churnSim) attempt() string {
	addr := s.servers[s.next]
	l := s.listeners[s.next]
	s.next++
	if s.next == len(s.servers) {
		s.next = 0
	}
	if s.w.Reuse > 0 {
		return s.attemptReuse(l, addr)
	}
	e := s.e
	t := e.view.t
	c, err := e.socketCall(s.af, spec.SOCK_STREAM, 0, spec.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return spec.ErrorName(err)
	}
	if s.w.Client != s.w.Server {
		if err := errOf(e.bind(e.sock(c), netip.AddrPortFrom(s.w.Client, 0))); err != nil {
			e.closeSocket(e.sock(c))
			return spec.ErrorName(err)
		}
	}
	if err := e.connect(t, c, addr); err != nil {
		e.closeSocket(e.sock(c))
		return spec.ErrorName(err)
	}
	srv, _, err := e.accept(l)
	if err != nil {
		e.closeSocket(e.sock(c))
		return spec.ErrorName(err)
	}
	first, second := c, srv
	if s.w.CloserServer {
		first, second = srv, c
	}
	e.closeSocket(e.sock(first))
	e.closeSocket(e.sock(second))
	return ""
}
